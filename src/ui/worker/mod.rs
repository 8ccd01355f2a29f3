//! The Web Worker (a second wasm binary, `bouncelens-worker`): every analysis runs here, off the
//! page's thread. The page sends [`Request`]s and gets [`Response`]s (see `protocol`).
//!
//! The page keeps one worker for the Paste and Reference views, started while the page loads
//! so that the knowledge base is parsed and the classifier built before the first paste, and
//! starts one more per file analysis (Cancel ends it, and with it the analysis' memory).

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

/// Starts listening for requests, says so, then builds the classifier while the page loads.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        post(&Response::Error { ticket: None, message: format!("The analysis stopped on an internal error: {info}") });
    }));
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let request: Request = match super::protocol::decode(e.data()) {
            Ok(r) => r,
            Err(message) => return post(&Response::Error { ticket: None, message }),
        };
        handle(request);
    });
    scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(&Response::Ready);
    // Requests that arrive meanwhile wait in the worker's queue; the first one is then quick.
    explain::warm_up();
}

fn handle(request: Request) {
    let (ticket, result) = match request {
        Request::Explain { ticket, text } => (Some(ticket), explain::text(ticket, &text)),
        Request::ExplainFile { ticket, file } => (Some(ticket), explain::file(ticket, &file)),
        Request::Search { ticket, query, limit } => (Some(ticket), explain::search(ticket, &query, limit)),
        Request::Entry { ticket, id } => (Some(ticket), explain::entry(ticket, &id)),
        Request::Index { ticket } => (Some(ticket), explain::index(ticket)),
        Request::Thresholds { ticket } => (Some(ticket), explain::thresholds(ticket)),
        Request::Analyze { files, options } => (None, files::analyze(&files, options)),
        Request::Rows { ticket, query } => (Some(ticket), files::rows(ticket, &query)),
        Request::Download { what } => (None, files::download(what)),
        Request::History { ticket, kept, added } => (Some(ticket), files::history(ticket, &kept, &added)),
        Request::Export { ticket, what } => (Some(ticket), files::export(ticket, &what)),
        Request::Rules { ticket, op } => (Some(ticket), crate::ui::user_rules::answer(op).map(|outcome| Response::Rules { ticket, outcome })),
    };
    match result {
        Ok(response) => post(&response),
        Err(message) => post(&Response::Error { ticket, message }),
    }
}
