//! The Web Workers (two more wasm binaries, `bouncelens-quick` and `bouncelens-worker`): every
//! analysis runs here, off the page's thread. The page sends [`Request`]s and gets [`Response`]s (see `protocol`).
//!
//! The page keeps one quick worker for the Paste, Reference and Rules views (its own small
//! wasm, `bouncelens-quick`), started while the page loads so that the knowledge base is
//! parsed and the classifier built before the first paste, and starts a files worker
//! (`bouncelens-worker`) per file analysis (Cancel ends it, and with it the analysis' memory).

mod explain;
mod files;

use super::protocol::{encode, Request, Response};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Sends a response to the page. A post of a plain value fails only if the value cannot be
/// cloned, which these cannot; there is nobody else to tell.
fn post(response: &Response) {
    match encode(response) {
        Ok(v) => {
            let _ = scope().post_message(&v);
        }
        Err(message) => {
            if let Ok(v) = encode(&Response::Error { ticket: None, message }) {
                let _ = scope().post_message(&v);
            }
        }
    }
}

/// Starts the quick worker: pastes, pasted emails, the reference and the user's rules. The
/// page starts it at once (its wasm is small and built for size: the first paste waits for
/// it). Its handler never names the file analysis, so the linker leaves the export readers,
/// the batch and the history out of its binary.
pub fn start_quick() {
    run(|request| {
        quick(request).unwrap_or_else(|request| {
            (request.ticket(), Err("this worker explains pastes and looks codes up; files are analysed in a worker of their own".to_string()))
        })
    });
}

/// Starts a files worker (one per file analysis): everything the quick one answers, and the
/// analysis of dropped files.
pub fn start_files() {
    run(|request| quick(request).unwrap_or_else(files));
}

/// Starts listening for requests, says so, then builds the classifier while the page loads.
/// Generic over the handler, so that each binary links only the requests it answers.
fn run<H: Fn(Request) -> Answer + 'static>(handle: H) {
    std::panic::set_hook(Box::new(|info| {
        post(&Response::Error { ticket: None, message: format!("The analysis stopped on an internal error: {info}") });
    }));
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let request: Request = match super::protocol::decode(e.data()) {
            Ok(r) => r,
            Err(message) => return post(&Response::Error { ticket: None, message }),
        };
        let (ticket, result) = handle(request);
        match result {
            Ok(response) => post(&response),
            Err(message) => post(&Response::Error { ticket, message }),
        }
    });
    scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(&Response::Ready);
    // Requests that arrive meanwhile wait in the worker's queue; the first one is then quick.
    explain::warm_up();
}

type Answer = (Option<super::protocol::Ticket>, Result<Response, String>);

/// The requests every worker answers; any other comes back as `Err`.
fn quick(request: Request) -> Result<Answer, Request> {
    Ok(match request {
        Request::Explain { ticket, text } => (Some(ticket), explain::text(ticket, &text)),
        Request::ExplainFile { ticket, file } => (Some(ticket), explain::file(ticket, &file)),
        Request::Search { ticket, query, limit } => (Some(ticket), explain::search(ticket, &query, limit)),
        Request::Entry { ticket, id } => (Some(ticket), explain::entry(ticket, &id)),
        Request::Index { ticket } => (Some(ticket), explain::index(ticket)),
        Request::Thresholds { ticket } => (Some(ticket), explain::thresholds(ticket)),
        Request::Rules { ticket, op } => (Some(ticket), crate::ui::user_rules::answer(op).map(|outcome| Response::Rules { ticket, outcome })),
        other => return Err(other),
    })
}

/// The file analysis' requests (only the files worker links these).
fn files(request: Request) -> Answer {
    match request {
        Request::Analyze { files, options } => (None, files::analyze(&files, options)),
        Request::Rows { ticket, query } => (Some(ticket), files::rows(ticket, &query)),
        Request::Download { what } => (None, files::download(what)),
        Request::History { ticket, kept, added } => (Some(ticket), files::history(ticket, &kept, &added)),
        Request::Export { ticket, what } => (Some(ticket), files::export(ticket, &what)),
        other => (other.ticket(), Err("this request is answered by the quick worker".to_string())),
    }
}
