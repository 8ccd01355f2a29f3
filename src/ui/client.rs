//! The page's side of the Web Worker: starting it (or adopting the one index.html started while
//! the page loaded), sending [`Request`]s, and handing each [`Response`] to whoever asked.
//!
//! A request with a ticket gets its answer through the callback given with it; the rest (an
//! analysis' progress, its report, downloads, errors without a ticket) go to the client's
//! listener.

use super::protocol::{decode, encode, Request, Response, Ticket};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, MessageEvent, Worker};
use yew::Callback;

/// Where index.html names the workers' scripts (trunk's loaders for the two worker binaries;
/// their file names carry a content hash, written in by `scripts/postbuild.mjs`): the files
/// worker, started per file analysis, and the quick one the page starts at once.
const FILES_META: &str = "meta[name=\"bouncelens-worker\"]";
const QUICK_META: &str = "meta[name=\"bouncelens-quick\"]";

/// What index.html's boot script leaves on `window.bouncelens`: the worker it started and the
/// messages that worker sent before the app was there to listen.
const BOOT_GLOBAL: &str = "bouncelens";

fn worker_url(meta: &str) -> Option<String> {
    gloo::utils::document().query_selector(meta).ok().flatten().and_then(|m| m.get_attribute("content"))
}

thread_local! {
    static NEXT_TICKET: Cell<Ticket> = const { Cell::new(1) };
}

/// A new ticket, unique on the page (views share the worker).
pub fn ticket() -> Ticket {
    NEXT_TICKET.with(|t| {
        let n = t.get();
        t.set(n.wrapping_add(1));
        n
    })
}

struct Inner {
    worker: Worker,
    /// Requests sent before the worker said it is ready (its wasm loads asynchronously, and
    /// messages that arrive before its handler is set would be lost). `None` once ready.
    queue: RefCell<Option<Vec<JsValue>>>,
    waiting: RefCell<HashMap<Ticket, Callback<Response>>>,
    listener: RefCell<Option<Callback<Response>>>,
    _onmessage: RefCell<Option<Closure<dyn FnMut(MessageEvent)>>>,
    _onerror: RefCell<Option<Closure<dyn FnMut(web_sys::ErrorEvent)>>>,
}

impl Inner {
    fn receive(&self, data: JsValue) {
        let response: Response = match decode(data) {
            Ok(r) => r,
            Err(message) => Response::Error { ticket: None, message },
        };
        if let Response::Ready = response {
            if let Some(pending) = self.queue.borrow_mut().take() {
                for m in pending {
                    let _ = self.worker.post_message(&m);
                }
            }
            return;
        }
        let asked = ticket_of(&response).and_then(|t| self.waiting.borrow_mut().remove(&t));
        match asked {
            Some(cb) => cb.emit(response),
            None => {
                let listener = self.listener.borrow().clone();
                if let Some(l) = listener {
                    l.emit(response);
                }
            }
        }
    }
}

fn ticket_of(r: &Response) -> Option<Ticket> {
    match r {
        Response::Explained { ticket, .. }
        | Response::Hits { ticket, .. }
        | Response::Entry { ticket, .. }
        | Response::Index { ticket, .. }
        | Response::Thresholds { ticket, .. }
        | Response::Rows { ticket, .. }
        | Response::Rules { ticket, .. }
        | Response::History { ticket, .. }
        | Response::Exported { ticket, .. } => Some(*ticket),
        Response::Error { ticket, .. } => *ticket,
        Response::Ready | Response::Progress(_) | Response::Done { .. } | Response::Download { .. } => None,
    }
}

/// A handle on one worker; clones share it. Dropping the last one ends the worker.
#[derive(Clone)]
pub struct Client {
    inner: Rc<Inner>,
}

impl PartialEq for Client {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Client {
    /// Starts a new files worker (one per file analysis).
    pub fn spawn() -> Result<Client, String> {
        Client::start(FILES_META)
    }

    fn start(meta: &str) -> Result<Client, String> {
        let url = worker_url(meta).ok_or("the page does not name its analysis worker")?;
        let worker = Worker::new(&url).map_err(|e| format!("cannot start the analysis worker: {e:?}"))?;
        Ok(Client::wire(worker, None))
    }

    /// The quick worker index.html started while the page loaded (or a new one if it could not).
    pub fn adopt() -> Result<Client, String> {
        let boot = js_sys::Reflect::get(&js_sys::global(), &BOOT_GLOBAL.into()).unwrap_or(JsValue::UNDEFINED);
        let worker = js_sys::Reflect::get(&boot, &"worker".into()).ok().and_then(|w| w.dyn_into::<Worker>().ok());
        let Some(worker) = worker else { return Client::start(QUICK_META) };
        let early = js_sys::Reflect::get(&boot, &"early".into()).ok().and_then(|e| e.dyn_into::<js_sys::Array>().ok());
        // It is ours now: the next caller gets a worker of its own.
        let _ = js_sys::Reflect::delete_property(boot.unchecked_ref::<js_sys::Object>(), &"worker".into());
        Ok(Client::wire(worker, early))
    }

    fn wire(worker: Worker, early: Option<js_sys::Array>) -> Client {
        let inner = Rc::new(Inner {
            worker,
            queue: RefCell::new(Some(vec![])),
            waiting: RefCell::new(HashMap::new()),
            listener: RefCell::new(None),
            _onmessage: RefCell::new(None),
            _onerror: RefCell::new(None),
        });
        // The closures hold a weak handle: the worker must not keep its own client alive.
        let weak = Rc::downgrade(&inner);
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Some(inner) = weak.upgrade() {
                inner.receive(e.data());
            }
        });
        let weak = Rc::downgrade(&inner);
        let onerror = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
            if let Some(inner) = weak.upgrade() {
                inner.receive(encode(&Response::Error { ticket: None, message: format!("the analysis worker failed: {}", e.message()) }).unwrap_or_default());
            }
        });
        inner.worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        inner.worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        *inner._onmessage.borrow_mut() = Some(onmessage);
        *inner._onerror.borrow_mut() = Some(onerror);
        if let Some(early) = early {
            for m in early.iter() {
                inner.receive(m);
            }
        }
        Client { inner }
    }

    /// Where the responses without a ticket go (an analysis' progress, report, downloads).
    pub fn listen(&self, listener: Callback<Response>) {
        *self.inner.listener.borrow_mut() = Some(listener);
    }

    /// Sends a request; its answer (if it has a ticket) goes to `answer`.
    pub fn ask(&self, request: Request, answer: Callback<Response>) {
        if let Some(t) = request.ticket() {
            self.inner.waiting.borrow_mut().insert(t, answer);
        }
        self.send(request);
    }

    /// Sends a request whose answers go to the listener.
    pub fn send(&self, request: Request) {
        let message = match encode(&request) {
            Ok(m) => m,
            Err(message) => return self.inner.receive(encode(&Response::Error { ticket: request.ticket(), message }).unwrap_or_default()),
        };
        let mut queue = self.inner.queue.borrow_mut();
        match queue.as_mut() {
            Some(q) => q.push(message),
            None => {
                drop(queue);
                let _ = self.inner.worker.post_message(&message);
            }
        }
    }

    pub fn terminate(&self) {
        self.inner.worker.terminate();
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// Saves a blob as a file (the browser's download).
pub fn save(blob: &Blob, name: &str) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else { return };
    let doc = gloo::utils::document();
    if let Ok(a) = doc.create_element("a") {
        let a: web_sys::HtmlAnchorElement = a.unchecked_into();
        a.set_href(&url);
        a.set_download(name);
        a.set_hidden(true);
        if let Some(body) = doc.body() {
            let _ = body.append_child(&a);
            a.click();
            let _ = body.remove_child(&a);
        }
    }
    // Give the browser time to start the download before releasing the data.
    let url2 = url.clone();
    gloo::timers::callback::Timeout::new(60_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url2);
    })
    .forget();
}

/// The worker shared by the Paste and Reference views, as the app's context (or why there is
/// none: a browser without workers).
#[derive(Clone, PartialEq)]
pub struct Shared(pub Result<Client, String>);

impl Shared {
    /// Sends a request; its answer (or the reason there is no worker) goes to `answer`.
    pub fn ask(&self, request: Request, answer: Callback<Response>) {
        match &self.0 {
            Ok(c) => c.ask(request, answer),
            Err(message) => answer.emit(Response::Error { ticket: request.ticket(), message: message.clone() }),
        }
    }
}
