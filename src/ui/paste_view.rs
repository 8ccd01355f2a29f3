//! The Paste view: paste one or more bounce messages (or a whole bounce email), get a verdict
//! card for each, as you type.

use super::components::VerdictCard;
use crate::paste::{self, PasteAnalysis};
use gloo::timers::callback::Timeout;
use std::rc::Rc;
use web_sys::HtmlTextAreaElement;
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

#[function_component(PasteView)]
pub fn paste_view() -> Html {
    let analysis = use_state(|| Rc::new(PasteAnalysis::default()));
    let analysed_once = use_state(|| false);
    let timer = use_mut_ref(|| None::<Timeout>);
    let input_ref = use_node_ref();

    let run = {
        let analysis = analysis.clone();
        let analysed_once = analysed_once.clone();
        Callback::from(move |t: String| {
            analysis.set(Rc::new(paste::analyze(&t)));
            analysed_once.set(!t.trim().is_empty());
        })
    };

    let current_text = {
        let input_ref = input_ref.clone();
        move || input_ref.cast::<HtmlTextAreaElement>().map(|el| el.value()).unwrap_or_default()
    };
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
        let run = run.clone();
        let input_ref = input_ref.clone();
        let timer = timer.clone();
        Callback::from(move |_: MouseEvent| {
            timer.borrow_mut().take();
            if let Some(el) = input_ref.cast::<HtmlTextAreaElement>() {
                el.set_value("");
                let _ = el.focus();
            }
            run.emit(String::new());
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

    // Files dropped on the input (or opened): read them here, one card per bounce.
    let on_files = {
        let analysis = analysis.clone();
        let analysed_once = analysed_once.clone();
        let input_ref = input_ref.clone();
        let readers = use_mut_ref(Vec::<gloo::file::callbacks::FileReader>::new);
        Callback::from(move |files: Vec<web_sys::File>| {
            let Some(f) = files.into_iter().next() else { return };
            let name = f.name();
            let blob = gloo::file::Blob::from(web_sys::Blob::from(f));
            let analysis = analysis.clone();
            let analysed_once = analysed_once.clone();
            let input_ref = input_ref.clone();
            let reader = gloo::file::callbacks::read_as_bytes(&blob, move |res| match res {
                Ok(bytes) => {
                    if let Some(el) = input_ref.cast::<HtmlTextAreaElement>() {
                        let (text, _) = crate::text::decode(&bytes[..bytes.len().min(paste::MAX_PASTE_BYTES)]);
                        el.set_value(&text);
                    }
                    analysis.set(Rc::new(paste::analyze_bytes(&bytes, &name)));
                    analysed_once.set(true);
                }
                Err(e) => {
                    analysis.set(Rc::new(PasteAnalysis { records: vec![], notices: vec![format!("{name} could not be read: {e}")] }));
                    analysed_once.set(true);
                }
            });
            readers.borrow_mut().push(reader);
        })
    };
    let ondrop = {
        let on_files = on_files.clone();
        Callback::from(move |e: DragEvent| {
            let files: Vec<web_sys::File> = e.data_transfer().and_then(|d| d.files()).map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect()).unwrap_or_default();
            if !files.is_empty() {
                // Handled here: the page-wide drop (which opens the File view) must not see it.
                e.prevent_default();
                e.stop_propagation();
                on_files.emit(files);
            }
        })
    };
    let ondragover = Callback::from(|e: DragEvent| {
        e.prevent_default();
        e.stop_propagation();
    });
    let on_open = {
        let on_files = on_files.clone();
        Callback::from(move |e: web_sys::Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let files: Vec<web_sys::File> = input.files().map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect()).unwrap_or_default();
            on_files.emit(files);
            input.set_value("");
        })
    };

    let a = &**analysis;
    let count = a.records.len();
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
                if *analysed_once && count > 0 {
                    <p class="count">{ if count == 1 { "1 message analysed".to_string() } else { format!("{count} messages analysed") } }</p>
                }
            </div>
            <div class="results" data-testid="results">
                { for a.records.iter().enumerate().map(|(i, r)| html! { <VerdictCard key={i} index={i} record={r.clone()} /> }) }
            </div>
            if count == 0 && !*analysed_once {
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
