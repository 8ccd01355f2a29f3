//! The File view: drop or pick export files (or paste a table); a Web Worker reads them in
//! chunks and analyses them while a progress bar shows rows, MB, rows per second and time
//! left; then the summary with charts, the alerts, the action table, the rows table and the
//! downloads. Nothing leaves the browser.

use super::client::{self, Client, Event};
use super::components::tone;
use crate::batch::columns::{MappingOverride, Role};
use crate::batch::report::{Count, Report, RowQuery, RowsPage};
use crate::batch::Options;
use crate::model::{Action, BounceType, Category, Id, Owner};
use gloo::events::EventListener;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{File, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

thread_local! {
    /// Files dropped on another view, waiting for the File view to open.
    pub static PENDING: RefCell<Vec<File>> = const { RefCell::new(Vec::new()) };
}

const ROW_H: f64 = 38.0;
const TABLE_H: f64 = 520.0;

#[derive(Clone, PartialEq)]
enum Phase {
    Idle,
    Running { bytes: f64, total: f64, rows: f64, bad: f64, elapsed: f64, file: String },
    Done { elapsed: f64 },
    Failed(String),
}

fn fmt_int(n: f64) -> String {
    let s = format!("{:.0}", n.max(0.0));
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn fmt_mb(b: f64) -> String {
    if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else {
        format!("{:.0} KB", (b / 1e3).max(0.0))
    }
}

fn pct(x: f64) -> String {
    if x >= 0.1 || x == 0.0 {
        format!("{:.0}%", x * 100.0)
    } else {
        format!("{:.1}%", x * 100.0)
    }
}

/// Files from a drop or a file input.
fn files_of(list: Option<web_sys::FileList>) -> Vec<File> {
    let mut out = vec![];
    if let Some(l) = list {
        for i in 0..l.length() {
            if let Some(f) = l.get(i) {
                out.push(f);
            }
        }
    }
    out
}

#[function_component(FileView)]
pub fn file_view() -> Html {
    let phase = use_state(|| Phase::Idle);
    let report = use_state(|| None::<Rc<Report>>);
    let files = use_mut_ref(Vec::<File>::new);
    let options = use_mut_ref(Options::default);
    let client = use_mut_ref(|| None::<Client>);
    let rows = use_state(|| None::<RowsPage>);
    let rows_id = use_mut_ref(|| 0u32);
    let notice = use_state(|| None::<String>);
    let dragging = use_state(|| false);
    let sent_ref = use_node_ref();
    let table_ref = use_node_ref();
    let notice_downloads = use_state(|| None::<String>);

    let on_event = {
        let phase = phase.clone();
        let report = report.clone();
        let rows = rows.clone();
        let rows_id = rows_id.clone();
        let client = client.clone();
        let notice_downloads = notice_downloads.clone();
        Callback::from(move |ev: Event| match ev {
            Event::Progress { bytes, total, rows: r, bad, elapsed, file } => phase.set(Phase::Running { bytes, total, rows: r, bad, elapsed, file }),
            Event::Done { report: rep, elapsed } => {
                report.set(Some(Rc::new(*rep)));
                phase.set(Phase::Done { elapsed });
                // First page of the rows table.
                let mut id = rows_id.borrow_mut();
                *id += 1;
                if let Some(c) = client.borrow().as_ref() {
                    c.rows(*id, &RowQuery { offset: 0, limit: 60, ..Default::default() });
                }
            }
            Event::Rows { id, page } => {
                if id == *rows_id.borrow() {
                    rows.set(Some(page));
                }
            }
            Event::Download { name, blob, count, what } => {
                client::save(&blob, &name);
                let what_label = match what.as_str() {
                    "suppression" => format!("{} addresses to suppress", fmt_int(count)),
                    "domains" => format!("{} domains to suppress", fmt_int(count)),
                    "reengagement" => format!("{} addresses to re-engage", fmt_int(count)),
                    "annotated" => format!("{} rows with their verdicts", fmt_int(count)),
                    _ => "the report".into(),
                };
                notice_downloads.set(Some(format!("Saved {name}: {what_label}.")));
            }
            Event::Error(m) => phase.set(Phase::Failed(m)),
        })
    };

    let start = {
        let phase = phase.clone();
        let report = report.clone();
        let rows = rows.clone();
        let client = client.clone();
        let files = files.clone();
        let options = options.clone();
        let notice = notice.clone();
        let on_event = on_event.clone();
        Rc::new(move |new_files: Option<Vec<File>>| {
            if let Some(f) = new_files {
                if f.is_empty() {
                    return;
                }
                *files.borrow_mut() = f;
                // New files: the column choices of the previous ones do not apply.
                options.borrow_mut().mapping = None;
            }
            if files.borrow().is_empty() {
                return;
            }
            notice.set(None);
            report.set(None);
            rows.set(None);
            // A fresh worker per run (Cancel terminates it).
            client.borrow_mut().take();
            match Client::spawn(on_event.clone()) {
                Ok(c) => {
                    c.analyze(&files.borrow(), &options.borrow());
                    *client.borrow_mut() = Some(c);
                    let total: f64 = files.borrow().iter().map(|f| f.size()).sum();
                    phase.set(Phase::Running { bytes: 0.0, total, rows: 0.0, bad: 0.0, elapsed: 0.0, file: files.borrow()[0].name() });
                }
                Err(e) => phase.set(Phase::Failed(e)),
            }
        })
    };

    // Files dropped on another view, and drops anywhere on the page.
    {
        let start = start.clone();
        let dragging = dragging.clone();
        use_effect_with((), move |_| {
            let pending: Vec<File> = PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()));
            if !pending.is_empty() {
                start(Some(pending));
            }
            let window = gloo::utils::window();
            let d1 = dragging.clone();
            let over = EventListener::new_with_options(&window, "dragover", gloo::events::EventListenerOptions::enable_prevent_default(), move |e| {
                e.prevent_default();
                d1.set(true);
            });
            let d2 = dragging.clone();
            let leave = EventListener::new(&window, "dragleave", move |e| {
                let e: &web_sys::DragEvent = e.unchecked_ref();
                if e.client_x() <= 0 || e.client_y() <= 0 {
                    d2.set(false);
                }
            });
            let d3 = dragging.clone();
            let drop = EventListener::new_with_options(&window, "drop", gloo::events::EventListenerOptions::enable_prevent_default(), move |e| {
                e.prevent_default();
                d3.set(false);
                let e: &web_sys::DragEvent = e.unchecked_ref();
                let files = files_of(e.data_transfer().and_then(|d| d.files()));
                start(Some(files));
            });
            move || drop_all((over, leave, drop))
        });
    }

    let on_pick = {
        let start = start.clone();
        Callback::from(move |e: Event2| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let f = files_of(input.files());
            start(Some(f));
            input.set_value("");
        })
    };
    let paste_ref = use_node_ref();
    let on_paste_table = {
        let start = start.clone();
        let paste_ref = paste_ref.clone();
        let notice = notice.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(el) = paste_ref.cast::<HtmlTextAreaElement>() else { return };
            let text = el.value();
            if text.trim().is_empty() {
                notice.set(Some("Paste a table first (for example copied from a spreadsheet).".into()));
                return;
            }
            let parts = js_sys::Array::new();
            parts.push(&text.into());
            match File::new_with_str_sequence(&parts, "pasted table.txt") {
                Ok(f) => start(Some(vec![f])),
                Err(_) => notice.set(Some("This browser cannot turn the pasted text into a file.".into())),
            }
        })
    };
    let on_cancel = {
        let client = client.clone();
        let phase = phase.clone();
        let notice = notice.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(c) = client.borrow_mut().take() {
                c.terminate();
            }
            phase.set(Phase::Idle);
            notice.set(Some("Cancelled: nothing was analysed. Drop the files again to start over.".into()));
        })
    };
    let on_sent = {
        let options = options.clone();
        let start = start.clone();
        let sent_ref = sent_ref.clone();
        Callback::from(move |_: MouseEvent| {
            let v = sent_ref.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let n: Option<u64> = v.trim().replace([',', ' ', '_'], "").parse().ok().filter(|n| *n > 0);
            options.borrow_mut().sent = n;
            start(None);
        })
    };
    let on_role = {
        let options = options.clone();
        let start = start.clone();
        let report = report.clone();
        Callback::from(move |(file_idx, col, role): (usize, usize, Option<Role>)| {
            let Some(rep) = report.as_ref() else { return };
            let Some(f) = rep.files.get(file_idx) else { return };
            // Keep every column's current role, with the change applied.
            let mut roles: Vec<(String, Option<Role>)> = f.headers.iter().cloned().zip(f.roles.iter().cloned()).collect();
            if let Some(r) = roles.get_mut(col) {
                r.1 = role;
            }
            options.borrow_mut().mapping = Some(MappingOverride { roles });
            start(None);
        })
    };
    let on_query = {
        let client = client.clone();
        let rows_id = rows_id.clone();
        Callback::from(move |q: RowQuery| {
            let mut id = rows_id.borrow_mut();
            *id += 1;
            if let Some(c) = client.borrow().as_ref() {
                c.rows(*id, &q);
            }
        })
    };
    let download = |what: &'static str, label: &'static str, testid: &'static str| {
        let client = client.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            if let Some(c) = client.borrow().as_ref() {
                c.download(what);
            }
        });
        html! { <button type="button" class="ghost dl" data-testid={testid} {onclick}>{ label }</button> }
    };

    let running = matches!(*phase, Phase::Running { .. });
    html! {
        <section class="view file" aria-labelledby="file-title">
            if *dragging {
                <div class="drop-overlay" aria-hidden="true"><p>{ "Drop the files to analyse them" }</p></div>
            }
            <h1 id="file-title">{ "Analyse a bounce export" }</h1>
            <p class="lede">{ "Drop one or more exports from your email platform anywhere on this page: CSV or TSV, JSON or JSON Lines, .eml or mbox, text with one reply per line, or a zip of those. Files of any size are read in pieces inside your browser; nothing is uploaded." }</p>
            <div class="drop-zone">
                <label class="primary file-btn">
                    { "Choose files…" }
                    <input type="file" multiple=true data-testid="file-input" onchange={on_pick} />
                </label>
                <span class="hint">{ "or drop them here · Mailchimp, Klaviyo, HubSpot, ActiveCampaign, SendGrid, Mailgun, Amazon SES, Postmark, Brevo, Campaign Monitor, Salesforce MC and any table with an address column" }</span>
                <details class="paste-table">
                    <summary>{ "…or paste a table" }</summary>
                    <label for="table-input" class="sr-only">{ "Table to analyse" }</label>
                    <textarea id="table-input" data-testid="table-input" ref={paste_ref} rows="5" placeholder={"email,reason\njane@example.com,550 5.1.1 user unknown"} />
                    <button type="button" class="ghost" onclick={on_paste_table}>{ "Analyse the table" }</button>
                </details>
            </div>
            if let Some(n) = &*notice {
                <div class="notices" role="status">{ n }</div>
            }
            {
                match &*phase {
                    Phase::Running { bytes, total, rows, bad, elapsed, file } => {
                        let frac = if *total > 0.0 { (bytes / total).min(1.0) } else { 0.0 };
                        let secs = elapsed / 1000.0;
                        let rate = if secs > 0.05 { rows / secs } else { 0.0 };
                        let left = if frac > 0.02 && secs > 0.2 { secs * (1.0 - frac) / frac } else { f64::NAN };
                        html! {
                            <div class="progress-box" data-testid="progress" role="status" aria-live="polite">
                                <progress max="1" value={frac.to_string()} aria-label="Analysis progress"></progress>
                                <p>
                                    <strong>{ fmt_int(*rows) }{ " rows" }</strong>
                                    { format!(" · {} of {} · {} rows/s", fmt_mb(*bytes), fmt_mb(*total), fmt_int(rate)) }
                                    { if left.is_finite() { format!(" · about {:.0} s left", left.ceil()) } else { String::new() } }
                                    { if *bad > 0.0 { format!(" · {} bad rows", fmt_int(*bad)) } else { String::new() } }
                                </p>
                                <p class="hint">{ format!("Reading {file}") }</p>
                                <button type="button" class="ghost" onclick={on_cancel.clone()}>{ "Cancel" }</button>
                            </div>
                        }
                    }
                    Phase::Failed(m) => html! { <div class="notices error" role="alert" data-testid="file-error">{ m }</div> },
                    _ => html! {},
                }
            }
            if let (Some(rep), false) = (&*report, running) {
                { files_panel(rep, on_role.clone()) }
                if rep.analysed > 0 {
                    { summary_panel(rep, &phase, sent_ref.clone(), on_sent.clone()) }
                    { alerts_panel(rep) }
                    { actions_panel(rep) }
                    <section class="panel downloads" aria-labelledby="dl-title">
                        <h2 id="dl-title">{ "Downloads" }</h2>
                        <div class="dl-row">
                            { download("suppression", "Suppression list (CSV)", "download-suppression") }
                            { download("domains", "Domains to suppress (CSV)", "download-domains") }
                            { download("reengagement", "Re-engagement list (CSV)", "download-reengagement") }
                            { download("annotated", "Whole file with verdicts (CSV)", "download-annotated") }
                            { download("report", "Report (JSON)", "download-report") }
                        </div>
                        <p class="hint">{ "Spreadsheet-safe: cells that could run as formulas are neutralised." }</p>
                        if let Some(n) = &*notice_downloads { <p role="status">{ n }</p> }
                    </section>
                    <RowsTable page={(*rows).clone()} on_query={on_query.clone()} table_ref={table_ref.clone()} />
                }
                { bad_rows_panel(rep) }
            }
        </section>
    }
}

type Event2 = web_sys::Event;

fn drop_all<T>(_t: T) {}

fn files_panel(rep: &Report, on_role: Callback<(usize, usize, Option<Role>)>) -> Html {
    html! {
        <section class="panel files" aria-labelledby="files-title" data-testid="files">
            <h2 id="files-title">{ if rep.files.len() == 1 { "The file".to_string() } else { format!("The {} files", rep.files.len()) } }</h2>
            { for rep.files.iter().enumerate().map(|(fi, f)| {
                let on_role = on_role.clone();
                html! {
                    <div class="file-info" data-testid="file-info">
                        <p class="file-line">
                            <strong>{ &f.name }</strong>
                            { format!(" · {} · {} · {} rows read, {} analysed", f.format_label, if f.encoding.is_empty() { "-" } else { &f.encoding }, fmt_int(f.rows as f64), fmt_int(f.analysed as f64)) }
                            { if f.bad_rows > 0 { format!(", {} bad", fmt_int(f.bad_rows as f64)) } else { String::new() } }
                        </p>
                        if let Some(l) = &f.layout { <p class="layout" data-testid="layout">{ format!("Looks like: {l}") }</p> }
                        if !f.other_events.is_empty() {
                            <p class="hint">{ format!("Other events, not bounces (not analysed): {}", f.other_events.iter().map(|(e, n)| format!("{e} {}", fmt_int(*n as f64))).collect::<Vec<_>>().join(", ")) }</p>
                        }
                        if let Some(p) = &f.problem { <p class="notices error" data-testid="file-problem">{ p }</p> }
                        if !f.headers.is_empty() {
                            <details class="columns" open={f.problem.is_some()}>
                                <summary>{ "Columns: which was taken for what (change it if it is wrong)" }</summary>
                                <table class="cols" data-testid="columns">
                                    <thead><tr><th scope="col">{ "Column" }</th><th scope="col">{ "Used as" }</th><th scope="col">{ "Sample values" }</th></tr></thead>
                                    <tbody>
                                        { for f.headers.iter().enumerate().take(60).map(|(ci, h)| {
                                            let role = f.roles.get(ci).cloned().flatten();
                                            let on_role = on_role.clone();
                                            let onchange = Callback::from(move |e: web_sys::Event| {
                                                let s: HtmlSelectElement = e.target_unchecked_into();
                                                let r = Role::ALL.iter().find(|r| r.id() == s.value()).copied();
                                                on_role.emit((fi, ci, r));
                                            });
                                            html! {
                                                <tr data-column={h.clone()} data-role={role.map(|r| r.id()).unwrap_or("")}>
                                                    <td><code>{ h }</code></td>
                                                    <td>
                                                        <select aria-label={format!("Role of column {h}")} {onchange}>
                                                            <option value="" selected={role.is_none()}>{ "not used" }</option>
                                                            { for Role::ALL.iter().map(|r| html! { <option value={r.id()} selected={role == Some(*r)}>{ r.label() }</option> }) }
                                                        </select>
                                                    </td>
                                                    <td class="samples">{ f.samples.get(ci).map(|s| s.join(" · ")).unwrap_or_default() }</td>
                                                </tr>
                                            }
                                        }) }
                                    </tbody>
                                </table>
                            </details>
                        }
                    </div>
                }
            }) }
        </section>
    }
}

/// Horizontal bars: one row per item, each bar an inline SVG.
fn bars(title: &str, items: &[Count], max_items: usize, color: &dyn Fn(&str) -> &'static str) -> Html {
    let items: Vec<&Count> = items.iter().take(max_items).collect();
    if items.is_empty() {
        return html! {};
    }
    let max = items.iter().map(|c| c.count).max().unwrap_or(1).max(1) as f64;
    html! {
        <figure class="chart">
            <figcaption>{ title }</figcaption>
            <ul class="bar-list">
                { for items.iter().map(|c| {
                    let w = (c.count as f64 / max * 100.0).max(0.8);
                    html! {
                        <li>
                            <span class="bl-name" title={c.label.clone()}>{ &c.label }</span>
                            <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                                <rect x="0" y="0" width={format!("{w:.2}")} height="10" rx="1" class={color(&c.id)} />
                            </svg>
                            <span class="bl-num">{ format!("{} · {}", fmt_int(c.count as f64), pct(c.share)) }</span>
                        </li>
                    }
                }) }
            </ul>
        </figure>
    }
}

fn type_color(id: &str) -> &'static str {
    match BounceType::from_id(id) {
        Some(BounceType::Hard) | Some(BounceType::Complaint) => "fill-danger",
        Some(BounceType::Soft) => "fill-warn",
        Some(BounceType::Block) | Some(BounceType::Technical) => "fill-fix",
        Some(BounceType::Delivered) | Some(BounceType::AutoReply) => "fill-ok",
        _ => "fill-neutral",
    }
}

fn action_color(id: &str) -> &'static str {
    match Action::from_id(id) {
        Some(a) => match tone(a, BounceType::Unknown) {
            "danger" => "fill-danger",
            "warn" => "fill-warn",
            "fix" => "fill-fix",
            "ok" => "fill-ok",
            _ => "fill-neutral",
        },
        None => "fill-neutral",
    }
}

fn category_color(id: &str) -> &'static str {
    match Category::from_id(id) {
        Some(c) => action_color(c.default_action(c.default_class()).id()),
        None => "fill-neutral",
    }
}

fn summary_panel(rep: &Report, phase: &Phase, sent_ref: NodeRef, on_sent: Callback<MouseEvent>) -> Html {
    let elapsed = match phase {
        Phase::Done { elapsed } => *elapsed / 1000.0,
        _ => 0.0,
    };
    let owner_items: Vec<Count> = rep.by_owner.iter().map(|c| Count { label: Owner::from_id(&c.id).map(|o| o.label().to_string()).unwrap_or_else(|| c.label.clone()), ..c.clone() }).collect();
    html! {
        <section class="panel summary" aria-labelledby="sum-title" data-testid="summary">
            <h2 id="sum-title">{ "Summary" }</h2>
            <div class="totals">
                <div class="total"><span class="big" data-testid="total-rows">{ fmt_int(rep.analysed as f64) }</span><span class="k">{ "bounces analysed" }</span></div>
                <div class="total"><span class="big">{ fmt_int(rep.unique_addresses as f64) }</span><span class="k">{ "addresses" }</span></div>
                <div class="total"><span class="big">{ fmt_int(rep.distinct_replies as f64) }</span><span class="k">{ "distinct replies" }</span></div>
                <div class="total"><span class={classes!("big", (rep.bad_rows > 0).then_some("warn-text"))} data-testid="bad-count">{ fmt_int(rep.bad_rows as f64) }</span><span class="k">{ "rows not readable" }</span></div>
                if elapsed > 0.0 {
                    <div class="total"><span class="big">{ format!("{:.1} s", elapsed) }</span><span class="k">{ format!("{} MB, {} rows/s", format!("{:.1}", rep.bytes as f64 / 1e6), fmt_int(rep.rows_read as f64 / elapsed.max(0.001))) }</span></div>
                }
            </div>
            if rep.label_disagreements > 0 {
                <p class="note" data-testid="label-disagreements">{ format!("For {} rows the platform's own label says something else than the replies do (e.g. {}).", fmt_int(rep.label_disagreements as f64), rep.label_disagreement_examples.first().cloned().unwrap_or_default()) }</p>
            }
            <div class="sent">
                <label for="sent-input">{ "Messages sent in this send (for bounce rates):" }</label>
                <input id="sent-input" type="text" inputmode="numeric" ref={sent_ref} value={rep.rates.as_ref().map(|r| r.sent.to_string()).unwrap_or_default()} placeholder="e.g. 250000" />
                <button type="button" class="ghost" onclick={on_sent}>{ "Compute rates" }</button>
            </div>
            if let Some(r) = &rep.rates {
                <ul class="rates" data-testid="rates">
                    { for r.verdicts.iter().map(|v| html! { <li>{ v }</li> }) }
                </ul>
            }
            <div class="charts">
                { bars("By type", &rep.by_bounce_type, 8, &type_color) }
                { bars("By action", &rep.by_action, 13, &action_color) }
                { bars("By cause", &rep.by_category, 12, &category_color) }
                { bars("Whose problem", &owner_items, 7, &|_| "fill-neutral") }
                { bars("By provider", &rep.by_provider, 8, &|_| "fill-fix") }
                { bars("Top recipient domains", &rep.by_domain, 10, &|_| "fill-neutral") }
                if !rep.by_campaign.is_empty() {
                    { bars("By campaign", &rep.by_campaign, 10, &|_| "fill-neutral") }
                }
            </div>
        </section>
    }
}

fn alerts_panel(rep: &Report) -> Html {
    html! {
        <section class="panel alerts" aria-labelledby="alerts-title" data-testid="alerts">
            <h2 id="alerts-title">{ "Alerts: patterns across the file" }</h2>
            if rep.alerts.is_empty() {
                <p class="hint">{ "No pattern across the file needs attention." }</p>
            }
            { for rep.alerts.iter().map(|a| html! {
                <article class={classes!("alert", format!("sev-{}", a.severity))} data-alert={a.id.clone()}>
                    <h3><span class="sev">{ a.severity.id() }</span>{ &a.title }</h3>
                    <p>{ &a.detail }</p>
                    <p><strong>{ "What to do: " }</strong>{ &a.what_to_do }</p>
                    if !a.evidence.is_empty() {
                        <details>
                            <summary>{ format!("Evidence ({} rows shown)", a.evidence.len()) }</summary>
                            <ul class="evidence">{ for a.evidence.iter().map(|e| html! { <li><code>{ e }</code></li> }) }</ul>
                        </details>
                    }
                </article>
            }) }
        </section>
    }
}

fn actions_panel(rep: &Report) -> Html {
    html! {
        <section class="panel actions" aria-labelledby="act-title">
            <h2 id="act-title">{ "What to do" }</h2>
            <div class="table-wrap">
                <table class="action-table" data-testid="action-table">
                    <thead><tr><th scope="col">{ "Action" }</th><th scope="col" class="num">{ "Rows" }</th><th scope="col" class="num">{ "Addresses" }</th><th scope="col">{ "Why" }</th><th scope="col">{ "Addresses (first)" }</th></tr></thead>
                    <tbody>
                        { for rep.actions.iter().map(|a| {
                            let t = tone(a.action, BounceType::Unknown);
                            html! {
                                <tr data-action={a.action.id()} class={format!("tone-{t}")}>
                                    <th scope="row"><span class="badge">{ &a.label }</span></th>
                                    <td class="num" data-label="Rows">{ fmt_int(a.rows as f64) }</td>
                                    <td class="num" data-label="Addresses">{ fmt_int(a.addresses as f64) }</td>
                                    <td class="why" data-label="Why">{ &a.why }</td>
                                    <td class="addr-list" data-label="First addresses">{ a.sample_addresses.iter().take(5).cloned().collect::<Vec<_>>().join(", ") }{ if a.addresses > 5 { " …" } else { "" } }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        </section>
    }
}

fn bad_rows_panel(rep: &Report) -> Html {
    if rep.bad_rows == 0 {
        return html! {};
    }
    html! {
        <section class="panel bad" aria-labelledby="bad-title" data-testid="bad-rows">
            <h2 id="bad-title">{ format!("{} rows could not be read or analysed", fmt_int(rep.bad_rows as f64)) }</h2>
            <p class="hint">{ "They are left out of the analysis; everything else was analysed." }</p>
            <ul>
                { for rep.listed_bad_rows.iter().take(200).map(|b| html! { <li>{ format!("{}, row {}: {}", b.file, b.row, b.reason) }</li> }) }
            </ul>
            if rep.bad_rows as usize > rep.listed_bad_rows.len().min(200) {
                <p class="hint">{ format!("… and {} more.", fmt_int((rep.bad_rows as usize - rep.listed_bad_rows.len().min(200)) as f64)) }</p>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct RowsProps {
    page: Option<RowsPage>,
    on_query: Callback<RowQuery>,
    table_ref: NodeRef,
}

/// The rows table: sortable, filterable, searchable; only the rows on screen are rendered, so
/// it stays smooth with a million rows (pages come from the worker).
#[function_component(RowsTable)]
fn rows_table(p: &RowsProps) -> Html {
    let query = use_mut_ref(|| RowQuery { offset: 0, limit: 60, ..Default::default() });
    let scroll_top = use_state(|| 0.0f64);
    let filter_cat = use_state(String::new);
    let filter_act = use_state(String::new);
    let sort = use_state(|| (None::<String>, false));
    let send = {
        let on_query = p.on_query.clone();
        let query = query.clone();
        move |update: &dyn Fn(&mut RowQuery)| {
            let mut q = query.borrow_mut();
            update(&mut q);
            on_query.emit(q.clone());
        }
    };
    let onscroll = {
        let scroll_top = scroll_top.clone();
        let send = send.clone();
        let query = query.clone();
        Callback::from(move |e: web_sys::Event| {
            let el: web_sys::Element = e.target_unchecked_into();
            let top = el.scroll_top() as f64;
            scroll_top.set(top);
            let first = (top / ROW_H) as usize;
            let (off, lim) = { let q = query.borrow(); (q.offset, q.limit) };
            let visible = (TABLE_H / ROW_H) as usize + 2;
            if first < off || first + visible > off + lim {
                send(&|q: &mut RowQuery| {
                    q.offset = first.saturating_sub(20);
                    q.limit = 80;
                });
            }
        })
    };
    let on_search = {
        let send = send.clone();
        Callback::from(move |e: InputEvent| {
            let i: HtmlInputElement = e.target_unchecked_into();
            let v = i.value();
            send(&|q: &mut RowQuery| {
                q.search = v.clone();
                q.offset = 0;
            });
        })
    };
    let set_filter = |field: &'static str, state: UseStateHandle<String>| {
        let send = send.clone();
        Callback::from(move |e: web_sys::Event| {
            let s: HtmlSelectElement = e.target_unchecked_into();
            let v = s.value();
            state.set(v.clone());
            send(&|q: &mut RowQuery| {
                q.filters.retain(|(f, _)| f != field);
                if !v.is_empty() {
                    q.filters.push((field.to_string(), v.clone()));
                }
                q.offset = 0;
            });
        })
    };
    let header = |key: &'static str, label: &'static str| {
        let send = send.clone();
        let sort = sort.clone();
        let (cur, desc) = (*sort).clone();
        let active = cur.as_deref() == Some(key);
        let onclick = Callback::from(move |_: MouseEvent| {
            let (cur, desc) = (*sort).clone();
            let new_desc = cur.as_deref() == Some(key) && !desc;
            sort.set((Some(key.to_string()), new_desc));
            send(&|q: &mut RowQuery| {
                q.sort = Some(key.to_string());
                q.descending = new_desc;
                q.offset = 0;
            });
        });
        let aria = if active { if desc { "descending" } else { "ascending" } } else { "none" };
        html! { <div role="columnheader" aria-sort={aria} class={classes!("rt-h", format!("c-{key}"))}><button type="button" {onclick}>{ label }{ if active { if desc { " ▼" } else { " ▲" } } else { "" } }</button></div> }
    };
    let total = p.page.as_ref().map(|pg| pg.total).unwrap_or(0);
    html! {
        <section class="panel rows" aria-labelledby="rows-title">
            <h2 id="rows-title">{ "Every row" }</h2>
            <div class="rt-tools">
                <label class="sr-only" for="rows-search">{ "Search rows" }</label>
                <input id="rows-search" type="search" placeholder="Search address, reply, campaign…" oninput={on_search} data-testid="rows-search" />
                <label class="sr-only" for="f-cat">{ "Filter by cause" }</label>
                <select id="f-cat" onchange={set_filter("category", filter_cat.clone())} data-testid="filter-category">
                    <option value="" selected={filter_cat.is_empty()}>{ "All causes" }</option>
                    { for Category::ALL.iter().map(|c| html! { <option value={c.id()} selected={*filter_cat == c.id()}>{ c.label() }</option> }) }
                </select>
                <label class="sr-only" for="f-act">{ "Filter by action" }</label>
                <select id="f-act" onchange={set_filter("action", filter_act.clone())} data-testid="filter-action">
                    <option value="" selected={filter_act.is_empty()}>{ "All actions" }</option>
                    { for Action::ALL.iter().map(|a| html! { <option value={a.id()} selected={*filter_act == a.id()}>{ a.label() }</option> }) }
                </select>
                <span class="hint" data-testid="rows-count">{ format!("{} rows", fmt_int(total as f64)) }</span>
            </div>
            <div class="rt" role="table" aria-label="Analysed rows" aria-rowcount={(total + 1).to_string()} data-testid="rows-table">
                <div class="rt-head" role="row">
                    { header("row", "Row") }
                    { header("address", "Address") }
                    { header("bounce_type", "Type") }
                    { header("category", "Cause") }
                    { header("action", "Action") }
                    { header("code", "Codes") }
                    { header("date", "Date") }
                    <div role="columnheader" class="rt-h c-reply">{ "Reply" }</div>
                </div>
                <div class="rt-body" ref={p.table_ref.clone()} {onscroll} style={format!("height:{}px", TABLE_H.min(total as f64 * ROW_H + 2.0).max(ROW_H * 2.0))} tabindex="0" aria-label="Rows, scroll to see more">
                    <div class="rt-spacer" style={format!("height:{}px", total as f64 * ROW_H)}>
                        if let Some(pg) = &p.page {
                            { for pg.rows.iter().enumerate().map(|(i, r)| {
                                let idx = pg.offset + i;
                                let t = tone(r.action, r.bounce_type);
                                html! {
                                    <div role="row" aria-rowindex={(idx + 2).to_string()} class={classes!("rt-row", format!("tone-{t}"))} style={format!("top:{}px", idx as f64 * ROW_H)} data-category={r.category.id()} data-action={r.action.id()}>
                                        <div role="cell" class="c-row" title={r.source.clone()}>{ r.source.rsplit(", row ").next().unwrap_or("") }</div>
                                        <div role="cell" class="c-address" title={r.address.clone()}>{ &r.address }</div>
                                        <div role="cell" class="c-bounce_type">{ r.bounce_type.label() }</div>
                                        <div role="cell" class="c-category">{ r.category.label() }</div>
                                        <div role="cell" class="c-action"><span class="badge">{ r.action.label() }</span></div>
                                        <div role="cell" class="c-code">{ format!("{} {}", r.reply_code.map(|c| c.to_string()).unwrap_or_default(), r.enhanced_code.map(|c| c.to_string()).unwrap_or_default()) }</div>
                                        <div role="cell" class="c-date" title={r.date.clone()}>{ &r.date }</div>
                                        <div role="cell" class="c-reply" title={r.diagnostic.clone()}>{ if r.diagnostic.is_empty() { r.summary.clone() } else { r.diagnostic.clone() } }{ if !r.label.is_empty() { format!(" [{}]", r.label) } else { String::new() } }</div>
                                    </div>
                                }
                            }) }
                        }
                    </div>
                </div>
            </div>
            <p class="hint">{ "Addresses and ids inside replies are masked; the same reply is analysed once." }</p>
        </section>
    }
}
