//! Pieces shared by the views: the verdict card, the highlighted reply, the code breakdown.

use super::protocol::Card;
use super::reference_href;
use super::rule_form::{Draft, RuleForm};
use crate::model::{Action, BounceType, Category, Class, Confidence, Evidence, Id, Owner};
use crate::reference::DigitPart;
use yew::prelude::*;

/// What a verdict's colour means: red = suppress, amber = retry, blue = fix your setup,
/// green = nothing to do, slate = look closer.
pub fn tone(action: Action, bounce_type: BounceType) -> &'static str {
    if bounce_type == BounceType::Complaint {
        return "danger";
    }
    match action {
        Action::Suppress | Action::SuppressDomain => "danger",
        Action::Retry | Action::RetrySlower => "warn",
        Action::FixAuthentication
        | Action::FixSenderConfig
        | Action::FixTls
        | Action::RequestDelisting
        | Action::ReviewContent
        | Action::ReduceSize => "fix",
        Action::None | Action::Monitor => "ok",
        Action::Investigate => "neutral",
    }
}

#[derive(Properties, PartialEq)]
pub struct HighlightProps {
    pub text: AttrValue,
    pub evidence: Vec<Evidence>,
}

/// The diagnostic with the parts that decided the verdict marked.
#[function_component(Highlighted)]
pub fn highlighted(p: &HighlightProps) -> Html {
    let text = p.text.as_str();
    let mut spans: Vec<(usize, usize, &str)> = p
        .evidence
        .iter()
        .filter_map(|e| match (e.start, e.end) {
            (Some(s), Some(en)) if s < en && en <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(en) => {
                Some((s, en, e.signal.as_str()))
            }
            _ => None,
        })
        .collect();
    spans.sort_by_key(|s| (s.0, std::cmp::Reverse(s.1)));
    let mut out: Vec<Html> = vec![];
    let mut pos = 0;
    for (s, e, signal) in spans {
        if s < pos {
            continue; // overlaps the previous mark
        }
        if s > pos {
            out.push(html! { { &text[pos..s] } });
        }
        out.push(html! { <mark title={signal.to_string()}>{ &text[s..e] }</mark> });
        pos = e;
    }
    if pos < text.len() {
        out.push(html! { { &text[pos..] } });
    }
    html! { <code class="diag">{ for out }</code> }
}

#[derive(Properties, PartialEq)]
pub struct BreakdownProps {
    /// The reply code and its digits, as the worker explained them.
    pub reply: Option<(AttrValue, Vec<DigitPart>)>,
    pub enhanced: Option<(AttrValue, Vec<DigitPart>)>,
    /// Shown unfolded (on a reference page) rather than behind a disclosure.
    #[prop_or_default]
    pub open: bool,
}

fn digits(code: &str, parts: &[DigitPart], kind: &str) -> Html {
    html! {
        <div class="breakdown" aria-label={format!("{kind} code {code}, digit by digit")}>
            <a class="bd-code" href={reference_href(code)}>{ code }</a>
            <ol class="bd-digits">
                { for parts.iter().map(|d| {
                    let inner = html! { <><span class="bd-pos">{ d.position.to_string() }</span><span class="bd-val">{ d.value.clone() }</span><span class="bd-mean">{ d.meaning.clone() }</span></> };
                    match &d.link {
                        Some(l) => html! { <li><a href={reference_href(l)}>{ inner }</a></li> },
                        None => html! { <li>{ inner }</li> },
                    }
                }) }
            </ol>
        </div>
    }
}

/// The codes of a verdict, digit by digit, each linked to the reference.
#[function_component(CodeBreakdown)]
pub fn code_breakdown(p: &BreakdownProps) -> Html {
    let reply = p.reply.as_ref().filter(|(_, d)| !d.is_empty());
    let enhanced = p.enhanced.as_ref().filter(|(_, d)| !d.is_empty());
    if reply.is_none() && enhanced.is_none() {
        return html! {};
    }
    html! {
        <details class="codes" open={p.open}>
            <summary>{ "What the codes say, digit by digit" }</summary>
            { for reply.map(|(c, d)| digits(c, d, "Reply")) }
            { for enhanced.map(|(c, d)| digits(c, d, "Enhanced")) }
        </details>
    }
}

/// "Rate limited" → "rate limited", for a label inside a sentence.
fn in_sentence(label: &str) -> String {
    let mut c = label.chars();
    match c.next() {
        Some(f) if !label.starts_with("TLS") => f.to_lowercase().chain(c).collect(),
        _ => label.to_string(),
    }
}

/// How sure the verdict is.
fn sureness(confidence: Confidence) -> Html {
    let text = match confidence {
        Confidence::High => "high confidence",
        Confidence::Medium => "medium confidence",
        Confidence::Low => "low confidence",
    };
    html! {
        <span class={classes!("conf", format!("conf-{}", confidence.id()))} data-testid="confidence" data-value={confidence.id()} title="How sure bouncelens is">{ text }</span>
    }
}

/// A low-confidence verdict says so in words, with the other likely reading.
fn unsure_line(category: Category, alternative: Option<Category>) -> Html {
    html! {
        <p class="unsure" role="note">
            <strong>{ format!("Probably {}", in_sentence(category.label())) }</strong>
            if let Some(alt) = alternative {
                { "; could be " }
                <span data-testid="alternative" data-value={alt.id()}>{ in_sentence(alt.label()) }</span>
            }
            { ". The reply does not say enough to be sure: check the full bounce." }
        </p>
    }
}

fn owner_text(o: Owner) -> &'static str {
    match o {
        Owner::ListQuality => "your list (the address)",
        Owner::SendingBehaviour => "your sending pace",
        Owner::SenderInfrastructure => "your sending infrastructure",
        Owner::Content => "the message content",
        Owner::SenderConfiguration => "your sending setup",
        Owner::RecipientSide => "the recipient's side",
        Owner::None => "nobody",
    }
}

/// How the classifier names evidence from one of the user's own rules.
const USER_RULE_SIGNAL: &str = "your rule:";

#[derive(Properties, PartialEq)]
pub struct CardProps {
    pub card: Card,
    pub index: usize,
}

/// One verdict: what happened, why, whose problem, what to do, and the evidence.
#[function_component(VerdictCard)]
pub fn verdict_card(p: &CardProps) -> Html {
    let r = &p.card.record;
    let v = &r.verdict;
    let tone = tone(v.action, v.bounce_type);
    let heading_id = format!("card-{}", p.index);
    let code = |c: Option<String>, d: &Vec<DigitPart>| c.map(|c| (AttrValue::from(c), d.clone()));
    let wrong = use_state(|| false);
    let open_form = {
        let wrong = wrong.clone();
        Callback::from(move |_: MouseEvent| wrong.set(true))
    };
    let close_form = {
        let wrong = wrong.clone();
        Callback::from(move |_: ()| wrong.set(false))
    };
    let draft = || {
        let provider = v.provider.clone().map(|id| (id.clone(), p.card.provider_name.clone().unwrap_or_else(|| id.0.clone())));
        let codes = v.reply_code.map(|c| c.to_string()).into_iter().chain(v.enhanced_code.map(|c| c.to_string())).collect();
        let text = if v.diagnostic.is_empty() { v.summary.as_str() } else { v.diagnostic.as_str() };
        Draft::from_verdict(text, provider, codes, v.category)
    };
    html! {
        <article class={classes!("card", format!("tone-{tone}"))} data-testid="result-card" aria-labelledby={heading_id.clone()}
            data-category={v.category.id()} data-action={v.action.id()}>
            <header class="card-head">
                <span class="badge" data-testid="verdict" data-value={v.bounce_type.id()}>{ v.bounce_type.label() }</span>
                <h3 id={heading_id}>{ &v.summary }</h3>
                { sureness(v.confidence) }
            </header>
            if v.confidence == Confidence::Low && v.category != Category::Unknown {
                { unsure_line(v.category, v.alternative) }
            }
            if let Some(rcpt) = &r.recipient {
                <p class="rcpt"><span class="k">{ "Recipient" }</span>{ rcpt }</p>
            }
            if r.context.original_subject.is_some() || r.context.reporting_mta.is_some() || r.context.remote_mta.is_some() {
                <dl class="context" data-testid="email-context">
                    if let Some(s) = &r.context.original_subject { <dt>{ "Bounced message" }</dt><dd>{ s }</dd> }
                    if let Some(s) = &r.context.reporting_mta { <dt>{ "Reported by" }</dt><dd>{ s }</dd> }
                    if let Some(s) = &r.context.remote_mta { <dt>{ "Remote server" }</dt><dd>{ s }</dd> }
                    if let Some(s) = &r.context.smtp_command { <dt>{ "Failed at" }</dt><dd>{ s.as_str() }</dd> }
                    if let Some(s) = &r.context.date { <dt>{ "Date" }</dt><dd>{ s }</dd> }
                </dl>
            }
            <div class="facts">
                <div class="fact">
                    <span class="k">{ "Cause" }</span>
                    <span class="v" data-testid="category" data-value={v.category.id()}>{ v.category.label() }</span>
                </div>
                <div class={classes!("fact", "fact-action")}>
                    <span class="k">{ "Do now" }</span>
                    <span class="v" data-testid="action" data-value={v.action.id()}>{ v.action.label() }</span>
                </div>
                <div class="fact">
                    <span class="k">{ "Whose problem" }</span>
                    <span class="v" data-testid="owner" data-value={v.owner.id()}>{ owner_text(v.owner) }</span>
                </div>
                <div class="fact">
                    <span class="k">{ "Will it clear?" }</span>
                    <span class="v" data-value={v.class.id()}>{ match v.class { Class::Temporary => "Temporary", Class::Permanent => "Permanent", Class::Success => "Not a failure" } }</span>
                </div>
                if let Some(name) = &p.card.provider_name {
                    <div class="fact">
                        <span class="k">{ "Provider" }</span>
                        <span class="v">{ name }</span>
                    </div>
                }
            </div>
            <p class="why" data-testid="explanation">{ &v.explanation }</p>
            <p class="advice"><strong>{ "What to do: " }</strong>{ &v.advice }</p>
            if let Some(e) = &v.escalation {
                <p class="escalation"><strong>{ "If it keeps happening: " }</strong>{ e }</p>
            }
            if let Some(n) = &v.provider_note {
                <p class="note"><strong>{ "Note: " }</strong>{ n }</p>
            }
            if !v.diagnostic.is_empty() {
                <div class="reply">
                    <span class="k">{ "The reply, with what decided it marked" }</span>
                    <Highlighted text={AttrValue::from(v.diagnostic.clone())} evidence={v.evidence.clone()} />
                    if !v.evidence.is_empty() {
                        <ul class="evidence">
                            { for v.evidence.iter().map(|e| if e.signal.starts_with(USER_RULE_SIGNAL) {
                                html! { <li class="mine" data-testid="evidence-user-rule"><q>{ &e.text }</q>{ " — " }<a href={super::Route::Rules.href()}>{ &e.signal }</a></li> }
                            } else {
                                html! { <li><q>{ &e.text }</q>{ " — " }{ &e.signal }</li> }
                            }) }
                        </ul>
                    }
                </div>
            }
            <CodeBreakdown reply={code(v.reply_code.map(|c| c.to_string()), &p.card.reply_digits)} enhanced={code(v.enhanced_code.map(|c| c.to_string()), &p.card.enhanced_digits)} />
            if *wrong {
                <RuleForm draft={draft()} on_close={close_form} />
            } else {
                <p class="wrong"><button type="button" class="link" data-testid="rule-new" onclick={open_form}>{ "This verdict is wrong" }</button></p>
            }
        </article>
    }
}
