//! The Paste view: paste one or more bounce messages (or a whole bounce email), get a verdict
//! card for each, as you type. The worker explains; this view sends the text and shows the
//! answer to the latest request.

use super::client::{self, Shared};
use super::components::VerdictCard;
use super::protocol::{Explanation, Request, Response, Ticket};
use super::rules_view::RulesCtx;
use gloo::timers::callback::Timeout;
use std::cell::Cell;
use std::rc::Rc;
use web_sys::{File, HtmlTextAreaElement};
use yew::prelude::*;

const EXAMPLES: &[(&str, &str)] = &[
    ("Unknown user", "550 5.1.1 <jane@example.com>: Recipient address rejected: User unknown in virtual mailbox table"),
    ("Gmail DMARC", "550-5.7.26 Unauthenticated email from example.com is not accepted due to domain's\n550-5.7.26 DMARC policy. Please contact the administrator of example.com domain if\n550 5.7.26 this was a legitimate mail. - gsmtp"),
    ("Throttling", "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes"),
    ("Blocklist", "Diagnostic-Code: smtp; 554 5.7.1 Service unavailable; Client host [192.0.2.7] blocked using zen.spamhaus.org"),
    ("Several", "452 4.2.2 Mailbox full\n550 5.7.606 Access denied, banned sending IP [192.0.2.1]\n530 5.7.0 Authentication required"),
];

/// How long typing must pause before the text is analysed again.
const DEBOUNCE_MS: u32 = 250;

/// What the view shows: the answer to the latest request, and whether it is on its way.
#[derive(Clone, Default, PartialEq)]
struct Shown {
    latest: Ticket,
    explanation: Rc<Explanation>,
    /// Something was analysed (the legend gives way to the results).
    analysed: bool,
    waiting: bool,
}

enum Msg {
    Asked(Ticket),
    Answered(Ticket, Explanation),
    Cleared(Ticket),
}

impl Reducible for Shown {
    type Action = Msg;
    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        match msg {
            Msg::Asked(latest) => Rc::new(Shown { latest, waiting: true, ..(*self).clone() }),
            // An answer to an older request (typing sends many) is not shown.
            Msg::Answered(t, _) if t != self.latest => self,
            Msg::Answered(latest, e) => Rc::new(Shown { latest, explanation: Rc::new(e), analysed: true, waiting: false }),
            Msg::Cleared(latest) => Rc::new(Shown { latest, ..Default::default() }),
        }
    }
}

fn files_of(list: Option<web_sys::FileList>) -> Vec<File> {
    list.map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect()).unwrap_or_default()
}

#[function_component(PasteView)]
pub fn paste_view() -> Html {
    let shared = use_context::<Shared>().expect("the Paste view is inside the app");
    let shown = use_reducer(Shown::default);
    // The latest ticket, also outside the reducer: a dropped file's text goes into the input
    // only if its answer is the latest.
    let latest = use_mut_ref(|| Cell::new(0 as Ticket));
    let timer = use_mut_ref(|| None::<Timeout>);
    let input_ref = use_node_ref();

    // Sends a request and shows its answer, unless a newer request was sent meanwhile.
    let ask = {
        let shown = shown.clone();
        let latest = latest.clone();
        let input_ref = input_ref.clone();
        Rc::new(move |make: &dyn Fn(Ticket) -> Request| {
            let ticket = client::ticket();
            latest.borrow().set(ticket);
            shown.dispatch(Msg::Asked(ticket));
            let shown = shown.clone();
            let latest = latest.clone();
            let input_ref = input_ref.clone();
            shared.ask(
                make(ticket),
                Callback::from(move |r: Response| {
                    if latest.borrow().get() != ticket {
                        return;
                    }
                    let explanation = match r {
                        Response::Explained { explanation, .. } => explanation,
                        Response::Error { message, .. } => Explanation { notices: vec![message], ..Default::default() },
                        _ => return,
                    };
                    if let (Some(text), Some(el)) = (&explanation.text, input_ref.cast::<HtmlTextAreaElement>()) {
                        el.set_value(text);
                    }
                    shown.dispatch(Msg::Answered(ticket, explanation));
                }),
            );
        })
    };
    let run = {
        let ask = ask.clone();
        Callback::from(move |text: String| ask(&|ticket| Request::Explain { ticket, text: text.clone() }))
    };
    let open_files = {
        let ask = ask.clone();
        Callback::from(move |files: Vec<File>| {
            if let Some(file) = files.into_iter().next() {
                ask(&|ticket| Request::ExplainFile { ticket, file: file.clone() });
            }
        })
    };

    // What was typed (or picked) in index.html's shell before the app took over.
    {
        let run = run.clone();
        let open_files = open_files.clone();
        let input_ref = input_ref.clone();
        use_effect_with((), move |_| {
            let h = super::shell::handover();
            if let Some(el) = input_ref.cast::<HtmlTextAreaElement>() {
                el.set_value(&h.text);
                if let Some((start, end)) = h.focus {
                    let _ = el.focus();
                    let _ = el.set_selection_range(start, end);
                }
            }
            if !h.files.is_empty() {
                open_files.emit(h.files);
            } else if !h.text.trim().is_empty() {
                run.emit(h.text);
            }
        });
    }

    let current_text = {
        let input_ref = input_ref.clone();
        move || input_ref.cast::<HtmlTextAreaElement>().map(|el| el.value()).unwrap_or_default()
    };
    // A rule of the user's was made or changed: the verdicts shown are read again.
    {
        let version = use_context::<RulesCtx>().map(|r| r.version).unwrap_or(0);
        let run = run.clone();
        let current_text = current_text.clone();
        let seen = use_mut_ref(|| version);
        use_effect_with(version, move |v| {
            let text = current_text();
            if std::mem::replace(&mut *seen.borrow_mut(), *v) != *v && !text.trim().is_empty() {
                run.emit(text);
            }
        });
    }
    let oninput = {
        let timer = timer.clone();
        let run = run.clone();
        Callback::from(move |e: InputEvent| {
            let el: HtmlTextAreaElement = e.target_unchecked_into();
            let value = el.value();
            let run = run.clone();
            *timer.borrow_mut() = Some(Timeout::new(DEBOUNCE_MS, move || run.emit(value)));
        })
    };
    let analyze_now = {
        let run = run.clone();
        let timer = timer.clone();
        let current_text = current_text.clone();
        Callback::from(move |_: MouseEvent| {
            timer.borrow_mut().take();
            run.emit(current_text());
        })
    };
    let onkeydown = {
        let run = run.clone();
        let timer = timer.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
                e.prevent_default();
                timer.borrow_mut().take();
                run.emit(current_text());
            }
        })
    };
    let clear = {
        let shown = shown.clone();
        let latest = latest.clone();
        let input_ref = input_ref.clone();
        let timer = timer.clone();
        Callback::from(move |_: MouseEvent| {
            timer.borrow_mut().take();
            let ticket = client::ticket();
            latest.borrow().set(ticket);
            if let Some(el) = input_ref.cast::<HtmlTextAreaElement>() {
                el.set_value("");
                let _ = el.focus();
            }
            shown.dispatch(Msg::Cleared(ticket));
        })
    };
    let example = |label: &'static str, sample: &'static str| {
        let run = run.clone();
        let input_ref = input_ref.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            if let Some(el) = input_ref.cast::<HtmlTextAreaElement>() {
                el.set_value(sample);
            }
            run.emit(sample.to_string());
        });
        html! { <button type="button" class="chip-btn" {onclick}>{ label }</button> }
    };

    // Files dropped on the input (or opened): explained here, one card per bounce.
    let ondrop = {
        let open_files = open_files.clone();
        Callback::from(move |e: DragEvent| {
            let files = files_of(e.data_transfer().and_then(|d| d.files()));
            if !files.is_empty() {
                // Handled here: the page-wide drop (which opens the File view) must not see it.
                e.prevent_default();
                e.stop_propagation();
                open_files.emit(files);
            }
        })
    };
    let ondragover = Callback::from(|e: DragEvent| {
        e.prevent_default();
        e.stop_propagation();
    });
    let on_open = {
        let open_files = open_files.clone();
        Callback::from(move |e: web_sys::Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            open_files.emit(files_of(input.files()));
            input.set_value("");
        })
    };

    let a = &*shown.explanation;
    let count = a.cards.len();
    // Keep this markup in step with the shell in index.html (tests/e2e/shell.test.mjs compares them).
    html! {
        <section class="view paste" aria-labelledby="paste-title">
            <h1 id="paste-title">{ "What does this bounce mean?" }</h1>
            <p class="lede">{ "Paste a bounce reply (like " }<code>{ "550 5.1.1 User unknown" }</code>{ "), a multi-line provider reply, several of them, or a whole bounce email. You get what happened, why, whose problem it is and what to do." }</p>
            <div class="input-box" {ondrop} {ondragover}>
                <label for="paste-input" class="sr-only">{ "Bounce message" }</label>
                <textarea id="paste-input" data-testid="paste-input" ref={input_ref.clone()} rows="7" spellcheck="false"
                    placeholder="550 5.1.1 <jane@example.com>: Recipient address rejected: User unknown"
                    {oninput} {onkeydown} />
                <div class="input-actions">
                    <button type="button" class="primary" data-testid="analyze-button" onclick={analyze_now}>{ "Analyze" }</button>
                    <button type="button" class="ghost" onclick={clear}>{ "Clear" }</button>
                    <label class="ghost open-eml">{ "Open a bounce email…" }<input type="file" accept=".eml,.mbox,.txt,message/rfc822,text/plain" data-testid="eml-input" onchange={on_open} /></label>
                    <span class="hint">{ "Results update as you type · Ctrl+Enter to analyze · drop an .eml here" }</span>
                </div>
                <div class="examples" aria-label="Examples">
                    <span class="k">{ "Try:" }</span>
                    { for EXAMPLES.iter().map(|(l, s)| example(l, s)) }
                </div>
            </div>
            if !a.notices.is_empty() {
                <div class="notices" data-testid="notices" role="status">
                    { for a.notices.iter().map(|n| html! { <p>{ n }</p> }) }
                </div>
            }
            <div aria-live="polite" class="results-head">
                if shown.waiting && count == 0 {
                    <p class="count" data-testid="waiting">{ "Analysing…" }</p>
                } else if shown.analysed && count > 0 {
                    <p class="count">{ if count == 1 { "1 message analysed".to_string() } else { format!("{count} messages analysed") } }</p>
                }
            </div>
            <div class="results" data-testid="results">
                { for a.cards.iter().enumerate().map(|(i, c)| html! { <VerdictCard key={i} index={i} card={c.clone()} /> }) }
            </div>
            if count == 0 && !shown.analysed {
                <aside class="legend" aria-label="What the colours mean">
                    <h2>{ "How to read a verdict" }</h2>
                    <ul>
                        <li><span class="dot tone-danger"></span><strong>{ "Red" }</strong>{ ": suppress the address (it will never work, or the recipient complained)." }</li>
                        <li><span class="dot tone-warn"></span><strong>{ "Amber" }</strong>{ ": retry, or retry more slowly; the address is fine." }</li>
                        <li><span class="dot tone-fix"></span><strong>{ "Blue" }</strong>{ ": fix something on your side (authentication, blocklist, content, setup) before sending again." }</li>
                        <li><span class="dot tone-neutral"></span><strong>{ "Grey" }</strong>{ ": not enough to act on; look closer." }</li>
                    </ul>
                </aside>
            }
        </section>
    }
}
