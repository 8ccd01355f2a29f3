//! The File view's history panels: the exports kept on this computer (with a box to keep each
//! analysed export, and a forget button each), the trend across campaigns, dates or exports,
//! and this export against the earlier ones. The worker computes them (see `ui::history`);
//! these only show them.

use super::charts::{share_bars, Palette, ShareRow};
use super::format::{int, mb};
use crate::batch::history::{Insights, TrendBy, TrendPoint};
use crate::batch::report::Count;
use crate::ui::idb::Kept;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct KeptProps {
    pub kept: Rc<Vec<Kept>>,
    /// Each analysed export is kept (the user's choice, remembered).
    pub keep: bool,
    /// The fingerprint of the export on screen, if any.
    pub current: Option<AttrValue>,
    pub on_keep: Callback<bool>,
    pub on_forget: Callback<Option<String>>,
    /// What went wrong with the storage, or a summary that could not be read.
    pub note: Option<AttrValue>,
}

/// "Kept on this computer": each kept export with its size, and a forget button each.
#[function_component(KeptList)]
pub fn kept_list(p: &KeptProps) -> Html {
    let on_keep = {
        let cb = p.on_keep.clone();
        Callback::from(move |e: Event| {
            let i: HtmlInputElement = e.target_unchecked_into();
            cb.emit(i.checked());
        })
    };
    let forget_all = {
        let cb = p.on_forget.clone();
        Callback::from(move |_: MouseEvent| cb.emit(None))
    };
    let total: f64 = p.kept.iter().map(|k| k.size()).sum();
    html! {
        <section class="panel history" aria-labelledby="hist-title" data-testid="history-list">
            <h2 id="hist-title">{ "Kept on this computer" }</h2>
            <label class="inline keep">
                <input type="checkbox" data-testid="history-keep" checked={p.keep} onchange={on_keep} />
                { " Keep a summary of each export I analyse, to compare exports and see patterns across them" }
            </label>
            <p class="hint">{ "Only counts and the addresses that bounced are kept (no rows, no replies), in this browser's storage; nothing is sent anywhere. Forget them at any time." }</p>
            if let Some(n) = &p.note { <p class="notices" role="status" data-testid="history-note">{ n }</p> }
            if p.kept.is_empty() {
                <p class="hint" data-testid="history-empty">{ "Nothing is kept yet." }</p>
            } else {
                <ul class="kept">
                    { for p.kept.iter().map(|k| {
                        let fp = k.fingerprint.clone();
                        let cb = p.on_forget.clone();
                        let onclick = Callback::from(move |_: MouseEvent| cb.emit(Some(fp.clone())));
                        let current = p.current.as_deref() == Some(k.fingerprint.as_str());
                        let (name, what) = match &k.info {
                            Some(i) => {
                                let days = match (&i.first_day, &i.last_day) {
                                    (Some(a), Some(b)) if a != b => format!(" · {a} to {b}"),
                                    (Some(a), _) => format!(" · {a}"),
                                    _ => String::new(),
                                };
                                (i.name.clone(), format!("{} rows · {} · {} addresses{days}", int(i.rows as f64), if i.occasions == 1 { "1 campaign or day".to_string() } else { format!("{} campaigns or days", int(i.occasions as f64)) }, int(i.addresses as f64)))
                            }
                            None => ("(a summary this version cannot read)".to_string(), String::new()),
                        };
                        html! {
                            <li class={classes!("kept-item", current.then_some("current"))} data-testid="history-item" data-fingerprint={k.fingerprint.clone()}>
                                <span class="kept-name"><strong>{ name }</strong>{ if current { " (on screen)" } else { "" } }</span>
                                <span class="kept-what">{ what }</span>
                                <span class="kept-size" data-testid="history-size">{ format!("{} kept · {}", mb(k.size()), k.kept.get(..10).unwrap_or(&k.kept)) }</span>
                                <button type="button" class="ghost" data-testid="history-forget" {onclick}>{ "Forget" }</button>
                            </li>
                        }
                    }) }
                </ul>
                <p class="kept-foot">
                    <span class="hint">{ format!("{} exports, {} in all", p.kept.len(), mb(total)) }</span>
                    <button type="button" class="ghost danger" data-testid="history-forget-all" onclick={forget_all}>{ "Forget them all" }</button>
                </p>
            }
        </section>
    }
}

/// What the trend shows.
#[derive(Clone, Copy, PartialEq)]
enum Dimension {
    Type,
    Cause,
    Provider,
    BounceRate,
}

impl Dimension {
    const ALL: [Dimension; 4] = [Dimension::Type, Dimension::Cause, Dimension::Provider, Dimension::BounceRate];
    fn id(self) -> &'static str {
        match self {
            Dimension::Type => "bounce_type",
            Dimension::Cause => "category",
            Dimension::Provider => "provider",
            Dimension::BounceRate => "bounce_rate",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Dimension::Type => "Share of a type of bounce",
            Dimension::Cause => "Share of a cause",
            Dimension::Provider => "Share of a provider",
            Dimension::BounceRate => "Bounce rate (of messages sent)",
        }
    }
    fn counts(self, p: &TrendPoint) -> &[Count] {
        match self {
            Dimension::Type => &p.by_type,
            Dimension::Cause => &p.by_category,
            Dimension::Provider | Dimension::BounceRate => &p.by_provider,
        }
    }
    fn palette(self) -> Palette {
        match self {
            Dimension::Type => Palette::BounceType,
            Dimension::Cause => Palette::Category,
            Dimension::Provider | Dimension::BounceRate => Palette::Fix,
        }
    }
}

/// The items of a dimension over all points, most rows first: (id, label).
fn items(points: &[TrendPoint], d: Dimension) -> Vec<(String, String)> {
    let mut totals: Vec<(String, String, u64)> = vec![];
    for p in points {
        for c in d.counts(p) {
            match totals.iter_mut().find(|t| t.0 == c.id) {
                Some(t) => t.2 += c.count,
                None => totals.push((c.id.clone(), c.label.clone(), c.count)),
            }
        }
    }
    totals.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(&b.1)));
    totals.into_iter().map(|(id, label, _)| (id, label)).collect()
}

#[derive(Properties, PartialEq)]
pub struct TrendProps {
    pub insights: Rc<Insights>,
}

/// The trend: per campaign or date (or per export), the share of a type, cause or provider,
/// or the bounce rate where the number sent was given.
#[function_component(Trend)]
pub fn trend(p: &TrendProps) -> Html {
    let by = use_state(|| TrendBy::Occasion);
    let dim = use_state(|| Dimension::Type);
    let item = use_state(|| None::<String>);
    let points: &[TrendPoint] = match *by {
        TrendBy::Occasion => &p.insights.trend,
        TrendBy::Export => &p.insights.export_trend,
    };
    let has_rate = points.iter().any(|t| t.bounce_rate.is_some());
    let list = items(points, *dim);
    let chosen = item.as_ref().filter(|i| list.iter().any(|(id, _)| id == *i)).cloned().or_else(|| list.first().map(|(id, _)| id.clone()));
    let on_by = {
        let by = by.clone();
        Callback::from(move |e: Event| {
            let s: HtmlSelectElement = e.target_unchecked_into();
            by.set(if s.value() == "export" { TrendBy::Export } else { TrendBy::Occasion });
        })
    };
    let on_dim = {
        let dim = dim.clone();
        let item = item.clone();
        Callback::from(move |e: Event| {
            let s: HtmlSelectElement = e.target_unchecked_into();
            if let Some(d) = Dimension::ALL.into_iter().find(|d| d.id() == s.value()) {
                dim.set(d);
                item.set(None);
            }
        })
    };
    let on_item = {
        let item = item.clone();
        Callback::from(move |e: Event| {
            let s: HtmlSelectElement = e.target_unchecked_into();
            item.set(Some(s.value()));
        })
    };
    let (title, rows, fill): (String, Vec<ShareRow>, &'static str) = if *dim == Dimension::BounceRate {
        let rows = points
            .iter()
            .filter_map(|t| {
                let r = t.bounce_rate?;
                let sent = (r > 0.0).then(|| (t.rows as f64 / r).round() as u64).unwrap_or(0);
                Some(ShareRow { label: t.label.clone(), note: t.date.clone(), share: r, count: t.rows, of: sent, unit: "sent" })
            })
            .collect();
        ("Bounce rate".into(), rows, "fill-danger")
    } else {
        let id = chosen.clone().unwrap_or_default();
        let label = list.iter().find(|(i, _)| *i == id).map(|(_, l)| l.clone()).unwrap_or_default();
        let rows = points
            .iter()
            .map(|t| {
                let c = dim.counts(t).iter().find(|c| c.id == id);
                let n = c.map(|c| c.count).unwrap_or(0);
                ShareRow { label: t.label.clone(), note: t.date.clone(), share: if t.rows > 0 { n as f64 / t.rows as f64 } else { 0.0 }, count: n, of: t.rows, unit: "rows" }
            })
            .collect();
        (format!("{label}: its share of the rows"), rows, dim.palette().fill_of(&id))
    };
    let enough = points.len() >= 2;
    html! {
        <section class="panel trend" aria-labelledby="trend-title" data-testid="trend" data-points={points.len().to_string()}>
            <h2 id="trend-title">{ "Trend" }</h2>
            <div class="rt-tools">
                <label class="sr-only" for="trend-by">{ "One bar per" }</label>
                <select id="trend-by" data-testid="trend-by" onchange={on_by}>
                    <option value="occasion" selected={*by == TrendBy::Occasion}>{ "Per campaign or date" }</option>
                    <option value="export" selected={*by == TrendBy::Export}>{ "Per export" }</option>
                </select>
                <label class="sr-only" for="trend-dim">{ "What" }</label>
                <select id="trend-dim" data-testid="trend-dimension" onchange={on_dim}>
                    { for Dimension::ALL.into_iter().map(|d| html! {
                        <option value={d.id()} selected={d == *dim} disabled={d == Dimension::BounceRate && !has_rate}>
                            { if d == Dimension::BounceRate && !has_rate { "Bounce rate (give the number sent)" } else { d.label() } }
                        </option>
                    }) }
                </select>
                if *dim != Dimension::BounceRate {
                    <label class="sr-only" for="trend-item">{ "Which" }</label>
                    <select id="trend-item" data-testid="trend-item" onchange={on_item}>
                        { for list.iter().map(|(id, label)| html! { <option value={id.clone()} selected={chosen.as_deref() == Some(id.as_str())}>{ label }</option> }) }
                    </select>
                }
            </div>
            if enough {
                { share_bars(&title, &rows, fill) }
            } else {
                <p class="hint">{ "One campaign or date so far: the trend shows once there are two. Keep exports on this computer to follow them over time." }</p>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct CompareProps {
    pub insights: Rc<Insights>,
}

/// "This export against the previous ones": the shares that changed beyond chance.
#[function_component(Compare)]
pub fn compare(p: &CompareProps) -> Html {
    let earlier = p.insights.exports.len().saturating_sub(1);
    html! {
        <section class="panel compare" aria-labelledby="cmp-title" data-testid="compare" data-changes={p.insights.changes.len().to_string()}>
            <h2 id="cmp-title">{ "This export against the previous ones" }</h2>
            if earlier == 0 {
                <p class="hint">{ "Nothing to compare with yet: tick \u{201c}Keep a summary\u{201d} above, and the next export you analyse is compared with this one." }</p>
            } else if p.insights.changes.is_empty() {
                <p data-testid="compare-none">{ format!("Against the {} earlier {}: no share changed by more than chance would.", earlier, if earlier == 1 { "export" } else { "exports" }) }</p>
            } else {
                <p class="hint">{ if earlier == 1 { "Against the earlier export. Only changes too large to be chance, and large enough to matter, are named.".to_string() } else { format!("Against the {earlier} earlier exports taken together. Only changes too large to be chance, and large enough to matter, are named.") } }</p>
                <ul class="changes">
                    { for p.insights.changes.iter().map(|c| {
                        let up = c.after > c.before;
                        html! {
                            <li data-change={format!("{}/{}", c.dimension, c.id)} class={if up { "up" } else { "down" }}>
                                <span class="arrow" aria-hidden="true">{ if up { "▲" } else { "▼" } }</span>
                                { &c.text }
                                <span class="hint">{ format!(" ({} → {} rows)", int(c.before_count as f64), int(c.after_count as f64)) }</span>
                            </li>
                        }
                    }) }
                </ul>
            }
        </section>
    }
}
