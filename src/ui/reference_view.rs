//! The Reference view: a searchable quick reference of every code and known reply, each
//! entry at its own shareable URL (`#/reference/5.7.26`).

use super::components::{tone, CodeBreakdown};
use super::reference_href;
use crate::reference::{self as search, Detail, Kind};
use crate::model::Id;
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
fn hit_kind(e: &search::Entry) -> String {
    match (&e.provider, e.kind) {
        (Some(p), Kind::KnownReply) => {
            let name = crate::knowledge::Knowledge::get().provider(p.as_str()).map(|x| x.name.as_str()).unwrap_or(p.as_str());
            let short = name.split([' ', '/', '(']).next().unwrap_or(name);
            format!("{short} reply")
        }
        _ => kind_label(e.kind).to_string(),
    }
}

#[function_component(ReferenceView)]
pub fn reference_view(p: &ReferenceProps) -> Html {
    let query = use_state(String::new);
    let input_ref = use_node_ref();
    let hits = {
        let q = (*query).clone();
        use_memo(q, |q| search::search(q, 40))
    };
    let oninput = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            let el: HtmlInputElement = e.target_unchecked_into();
            query.set(el.value());
        })
    };
    let onkeydown = {
        let hits = hits.clone();
        let query = query.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                let target = search::detail(query.trim()).map(|d| d.id).or_else(|| hits.first().map(|h| h.entry.id.clone()));
                if let (Some(id), Some(w)) = (target, web_sys::window()) {
                    let _ = w.location().set_hash(&reference_href(&id));
                }
            }
        })
    };
    let detail = p.id.as_deref().and_then(search::detail);
    html! {
        <section class="view reference" aria-labelledby="ref-title">
            <h1 id="ref-title">{ "Code reference" }</h1>
            <p class="lede">{ "Every SMTP reply code, every enhanced status code of the IANA registry, and the replies of Gmail, Microsoft, Yahoo and others. Search by code (" }<code>{ "550" }</code>{ ", " }<code>{ "5.7.26" }</code>{ ", " }<code>{ "421 gmail" }</code>{ ") or by words (" }<code>{ "dmarc" }</code>{ ", " }<code>{ "mailbox full" }</code>{ ")." }</p>
            <div class="search">
                <label for="lookup-input" class="sr-only">{ "Search codes and replies" }</label>
                <input id="lookup-input" data-testid="lookup-input" type="search" ref={input_ref} autocomplete="off"
                    placeholder="Search: 550, 5.7.26, 421 gmail, dmarc…" value={(*query).clone()} {oninput} {onkeydown} />
            </div>
            if query.trim().is_empty() {
                <div class="common" aria-label="Common codes">
                    <span class="k">{ "Common:" }</span>
                    { for COMMON.iter().map(|c| html! { <a class="chip-btn" href={reference_href(c)}>{ *c }</a> }) }
                </div>
            } else {
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
                                    <span class="hit-meta">{ hit_kind(e) }{ " · " }{ e.category.label() }</span>
                                </a>
                            </li>
                        }
                    }) }
                </ul>
            }
            {
                match (&p.id, detail) {
                    (_, Some(d)) => detail_view(&d),
                    (Some(id), None) => html! { <p class="notices" role="status">{ format!("No reference entry named {id:?}. Search for it above.") }</p> },
                    _ => html! {},
                }
            }
        </section>
    }
}

fn detail_view(d: &Detail) -> Html {
    let v = &d.verdict;
    let tone = tone(v.action, v.bounce_type);
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
            if !d.breakdown.is_empty() {
                <CodeBreakdown reply={(d.kind == Kind::Basic).then(|| AttrValue::from(d.heading.clone()))} enhanced={(d.kind == Kind::Enhanced).then(|| AttrValue::from(d.heading.clone()))} open=true />
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
                    <ul>
                        { for d.related.iter().map(|e| html! {
                            <li><a href={reference_href(&e.id)}><span class="hit-code">{ &e.heading }</span>{ " " }{ &e.title }</a></li>
                        }) }
                    </ul>
                </div>
            }
        </article>
    }
}
