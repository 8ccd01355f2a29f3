//! The Reference view: a searchable quick reference of every code and known reply, each
//! entry at its own shareable URL (`#/reference/5.7.26`), and the thresholds behind the File
//! view's alerts (`#/reference/thresholds`). The worker searches and builds the pages.

use super::client::{self, Shared};
use super::components::{tone, CodeBreakdown};
use super::protocol::{Hit, Index, PolicyValue, Request, Response, Thresholds};
use super::{reference_href, Route, THRESHOLDS};
use crate::model::Id;
use crate::reference::{Detail, Entry, Kind};
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

const COMMON: &[&str] = &["421", "450", "451", "452", "550", "552", "553", "554", "5.1.1", "5.2.2", "5.7.1", "5.7.26"];

#[derive(Properties, PartialEq)]
pub struct ReferenceProps {
    pub id: Option<String>,
}

fn kind_label(k: Kind) -> &'static str {
    match k {
        Kind::Basic => "Reply code",
        Kind::Enhanced => "Enhanced code",
        Kind::KnownReply => "Known reply",
        Kind::Category => "Cause",
    }
}

/// "Gmail reply", "Enhanced code"...
fn hit_kind(h: &Hit) -> String {
    match (&h.provider_name, h.entry.kind) {
        (Some(name), Kind::KnownReply) => {
            let short = name.split([' ', '/', '(']).next().unwrap_or(name);
            format!("{short} reply")
        }
        _ => kind_label(h.entry.kind).to_string(),
    }
}

/// What the page under the search box shows.
#[derive(Clone, PartialEq)]
enum Page {
    /// Asked the worker, no answer yet.
    Loading,
    Index(Rc<Index>),
    Entry(Rc<Detail>),
    Thresholds(Rc<Thresholds>),
    NotFound(String),
    Failed(String),
}

#[function_component(ReferenceView)]
pub fn reference_view(p: &ReferenceProps) -> Html {
    let shared = use_context::<Shared>().expect("the Reference view is inside the app");
    let query = use_state(String::new);
    // The hits and the query they answer: a list is shown only for the query in the box.
    let hits = use_state(|| Rc::new((String::new(), Vec::<Hit>::new())));
    let latest_search = use_mut_ref(|| 0);
    let page = use_state(|| Page::Loading);

    // The page for the URL: an entry, the thresholds, or the landing page.
    {
        let shared = shared.clone();
        let page = page.clone();
        use_effect_with(p.id.clone(), move |id| {
            let ticket = client::ticket();
            let id = id.clone();
            let request = match id.as_deref() {
                None => Request::Index { ticket },
                Some(THRESHOLDS) => Request::Thresholds { ticket },
                Some(id) => Request::Entry { ticket, id: id.to_string() },
            };
            let shown = page.clone();
            shared.ask(
                request,
                Callback::from(move |r: Response| {
                    shown.set(match r {
                        Response::Index { index, .. } => Page::Index(Rc::new(index)),
                        Response::Thresholds { page, .. } => Page::Thresholds(Rc::new(page)),
                        Response::Entry { page: Some(d), .. } => Page::Entry(Rc::new(*d)),
                        Response::Entry { page: None, .. } => Page::NotFound(id.clone().unwrap_or_default()),
                        Response::Error { message, .. } => Page::Failed(message),
                        _ => return,
                    })
                }),
            );
        });
    }

    let search = {
        let shared = shared.clone();
        let hits = hits.clone();
        let latest = latest_search.clone();
        Callback::from(move |q: String| {
            let ticket = client::ticket();
            *latest.borrow_mut() = ticket;
            let hits = hits.clone();
            let latest = latest.clone();
            shared.ask(
                Request::Search { ticket, query: q.clone(), limit: 40 },
                Callback::from(move |r: Response| {
                    if let Response::Hits { ticket: t, hits: found } = r {
                        if t == *latest.borrow() {
                            hits.set(Rc::new((q.clone(), found)));
                        }
                    }
                }),
            );
        })
    };
    let oninput = {
        let query = query.clone();
        let search = search.clone();
        Callback::from(move |e: InputEvent| {
            let el: HtmlInputElement = e.target_unchecked_into();
            let q = el.value();
            if !q.trim().is_empty() {
                search.emit(q.clone());
            }
            query.set(q);
        })
    };
    // Enter opens the entry the query names exactly (a code), or else the first hit.
    let onkeydown = {
        let shared = shared.clone();
        let hits = hits.clone();
        let query = query.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() != "Enter" || query.trim().is_empty() {
                return;
            }
            let first = hits.1.first().filter(|_| hits.0 == *query).map(|h| h.entry.id.clone());
            shared.ask(
                Request::Entry { ticket: client::ticket(), id: query.trim().to_string() },
                Callback::from(move |r: Response| {
                    let target = match r {
                        Response::Entry { page: Some(d), .. } => Some(d.id),
                        _ => first.clone(),
                    };
                    if let Some(id) = target {
                        super::go(&Route::Reference(Some(id)));
                    }
                }),
            );
        })
    };

    html! {
        <section class="view reference" aria-labelledby="ref-title">
            <h1 id="ref-title">{ "Code reference" }</h1>
            <p class="lede">{ "Every SMTP reply code, every enhanced status code of the IANA registry, and the replies of Gmail, Microsoft, Yahoo and others. Search by code (" }<code>{ "550" }</code>{ ", " }<code>{ "5.7.26" }</code>{ ", " }<code>{ "421 gmail" }</code>{ ") or by words (" }<code>{ "dmarc" }</code>{ ", " }<code>{ "mailbox full" }</code>{ ")." }</p>
            <div class="search">
                <label for="lookup-input" class="sr-only">{ "Search codes and replies" }</label>
                <input id="lookup-input" data-testid="lookup-input" type="search" autocomplete="off"
                    placeholder="Search: 550, 5.7.26, 421 gmail, dmarc…" value={(*query).clone()} {oninput} {onkeydown} />
            </div>
            if query.trim().is_empty() {
                <div class="common" aria-label="Common codes">
                    <span class="k">{ "Common:" }</span>
                    { for COMMON.iter().map(|c| html! { <a class="chip-btn" href={reference_href(c)}>{ *c }</a> }) }
                    <a class="chip-btn" href={reference_href(THRESHOLDS)}>{ "Thresholds used" }</a>
                </div>
            } else if hits.0 == *query {
                { hit_list(&hits.1) }
            }
            {
                match &*page {
                    Page::Loading => html! {},
                    Page::Index(i) => index_view(i),
                    Page::Entry(d) => detail_view(d),
                    Page::Thresholds(t) => thresholds_view(t),
                    Page::NotFound(id) => html! { <p class="notices" role="status">{ format!("No reference entry named {id:?}. Search for it above.") }</p> },
                    Page::Failed(m) => html! { <p class="notices error" role="alert">{ m }</p> },
                }
            }
        </section>
    }
}

fn hit_list(hits: &[Hit]) -> Html {
    html! {
        <ul class="hits" data-testid="lookup-results" aria-label="Search results">
            if hits.is_empty() {
                <li class="empty">{ "Nothing found. Try a code such as 550 or 5.7.1, a provider with a code (421 gmail), or a word (blocklist)." }</li>
            }
            { for hits.iter().map(|h| {
                let e = &h.entry;
                html! {
                    <li key={e.id.clone()}>
                        <a href={reference_href(&e.id)} data-id={e.id.clone()}>
                            <span class="hit-code">{ &e.heading }</span>
                            <span class="hit-title">{ &e.title }</span>
                            <span class="hit-meta">{ hit_kind(h) }{ " · " }{ e.category.label() }</span>
                        </a>
                    </li>
                }
            }) }
        </ul>
    }
}

fn entry_link(e: &Entry) -> Html {
    html! { <li><a href={reference_href(&e.id)}><span class="hit-code">{ &e.heading }</span>{ " " }{ &e.title }</a></li> }
}

/// The landing page: what the reference holds, the causes, the thresholds.
fn index_view(i: &Index) -> Html {
    html! {
        <div class="ref-index" data-testid="reference-index">
            <section class="panel" aria-labelledby="idx-sections">
                <h2 id="idx-sections">{ "In this reference" }</h2>
                <ul class="index-list">
                    <li>{ format!("{} reply codes, {} enhanced status codes and {} known provider replies: search for them above.", i.reply_codes, i.enhanced_codes, i.known_replies) }</li>
                    <li><a href={reference_href(THRESHOLDS)} data-testid="thresholds-link">{ "Thresholds used" }</a>{ ": the bounce-rate thresholds and other numbers behind the File view's alerts, with their sources." }</li>
                </ul>
            </section>
            <section class="panel related" aria-labelledby="idx-causes">
                <h2 id="idx-causes">{ "Causes" }</h2>
                <ul>{ for i.causes.iter().map(entry_link) }</ul>
            </section>
        </div>
    }
}

fn detail_view(d: &Detail) -> Html {
    let v = &d.verdict;
    let tone = tone(v.action, v.bounce_type);
    let code = (!d.breakdown.is_empty()).then(|| (AttrValue::from(d.heading.clone()), d.breakdown.clone()));
    html! {
        <article class={classes!("card", "detail", format!("tone-{tone}"))} data-testid="reference-detail" aria-labelledby="detail-title">
            <header class="card-head">
                <span class="badge">{ kind_label(d.kind) }</span>
                <h2 id="detail-title"><span class="detail-code">{ &d.heading }</span>{ " " }{ &d.title }</h2>
            </header>
            if let Some(p) = &d.provider_name {
                <p class="rcpt"><span class="k">{ "Provider" }</span>{ p }</p>
            }
            if let Some(m) = &d.meaning {
                <p class="meaning">{ m }</p>
            }
            <div class="facts">
                <div class="fact"><span class="k">{ "Type" }</span><span class="v" data-testid="verdict" data-value={v.bounce_type.id()}>{ v.bounce_type.label() }</span></div>
                <div class="fact"><span class="k">{ "Cause" }</span><span class="v" data-testid="category" data-value={v.category.id()}>{ v.category.label() }</span></div>
                <div class={classes!("fact", "fact-action")}><span class="k">{ "Do now" }</span><span class="v" data-testid="action" data-value={v.action.id()}>{ v.action.label() }</span></div>
                <div class="fact"><span class="k">{ "Whose problem" }</span><span class="v" data-testid="owner" data-value={v.owner.id()}>{ v.owner.label() }</span></div>
            </div>
            <p class="why" data-testid="explanation">{ &d.explanation }</p>
            if let Some(a) = &d.advice { <p class="advice"><strong>{ "What to do: " }</strong>{ a }</p> }
            if let Some(e) = &d.escalation { <p class="escalation"><strong>{ "If it keeps happening: " }</strong>{ e }</p> }
            if let Some(n) = &d.note { <p class="note"><strong>{ "Note: " }</strong>{ n }</p> }
            if code.is_some() {
                <CodeBreakdown reply={code.clone().filter(|_| d.kind == Kind::Basic)} enhanced={code.filter(|_| d.kind == Kind::Enhanced)} open=true />
            }
            if !d.examples.is_empty() {
                <div class="examples-list">
                    <span class="k">{ "What it looks like" }</span>
                    { for d.examples.iter().map(|e| html! { <pre class="diag">{ e }</pre> }) }
                </div>
            }
            if let Some(s) = &d.source { <p class="source">{ "Defined in: " }{ s }</p> }
            if !d.related.is_empty() {
                <div class="related">
                    <h3>{ "Related" }</h3>
                    <ul>{ for d.related.iter().map(entry_link) }</ul>
                </div>
            }
        </article>
    }
}

fn percent(share: f64) -> String {
    let p = share * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0} %")
    } else {
        format!("{p:.1} %")
    }
}

fn value(v: PolicyValue) -> String {
    match v {
        PolicyValue::Share(s) => percent(s),
        PolicyValue::Count(n) => n.to_string(),
        PolicyValue::Factor(f) => format!("{f}×"),
    }
}

/// The numbers behind the File view's alerts, each with its source.
fn thresholds_view(t: &Thresholds) -> Html {
    html! {
        <article class={classes!("card", "detail", "thresholds", "tone-neutral")} data-testid="thresholds" aria-labelledby="thr-title">
            <header class="card-head">
                <span class="badge">{ "Policy" }</span>
                <h2 id="thr-title">{ "Thresholds used" }</h2>
            </header>
            <p class="meaning">{ "The numbers the File view's alerts are decided by, as the knowledge base holds them, each with where it comes from." }</p>
            <h3>{ "Rates (against the messages sent)" }</h3>
            <div class="table-wrap">
                <table class="thr-table" data-testid="rate-thresholds">
                    <thead><tr><th scope="col">{ "Rate" }</th><th scope="col" class="num">{ "Above" }</th><th scope="col">{ "Alert" }</th><th scope="col">{ "What it means" }</th></tr></thead>
                    <tbody>
                        { for t.rates.iter().map(|r| html! {
                            <tr data-severity={r.severity.id()}>
                                <th scope="row">{ &r.metric }</th>
                                <td class="num">{ percent(r.above) }</td>
                                <td><span class={classes!("sev", format!("sev-{}", r.severity.id()))}>{ r.severity.label() }</span></td>
                                <td>{ &r.says }<p class="source">{ "Source: " }{ &r.source }</p></td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
            { for t.groups.iter().map(|g| html! {
                <section class="policy-group" data-policy={g.id.clone()} aria-labelledby={format!("pg-{}", g.id)}>
                    <h3 id={format!("pg-{}", g.id)}>{ &g.title }</h3>
                    <dl class="policy-numbers">
                        { for g.numbers.iter().map(|n| html! {
                            <div data-key={n.key.clone()}><dt>{ &n.means }</dt><dd>{ value(n.value) }</dd></div>
                        }) }
                    </dl>
                    <p class="source">{ "Source: " }{ &g.source }</p>
                </section>
            }) }
        </article>
    }
}
