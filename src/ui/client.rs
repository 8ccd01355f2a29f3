//! The page's side of the Web Worker: spawning it, sending requests, turning its messages into
//! events for the File view.

use crate::batch::report::{Report, RowQuery, RowsPage};
use crate::batch::Options;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, File, MessageEvent, Worker};
use yew::Callback;

/// The worker's script (trunk's loader for the worker binary; see index.html).
pub const WORKER_SCRIPT: &str = "./bouncelens-worker_loader.js";

#[derive(Clone, Debug)]
pub enum Event {
    Progress { bytes: f64, total: f64, rows: f64, bad: f64, elapsed: f64, file: String },
    Done { report: Box<Report>, elapsed: f64 },
    Rows { id: u32, page: RowsPage },
    Download { what: String, name: String, blob: Blob, count: f64 },
    Error(String),
}

pub struct Client {
    worker: Worker,
    /// Requests sent before the worker said it is ready (its wasm loads asynchronously, and
    /// messages that arrive before its handler is set would be lost).
    queue: std::rc::Rc<std::cell::RefCell<Option<Vec<Object>>>>,
    _onmessage: Closure<dyn FnMut(MessageEvent)>,
    _onerror: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

fn get_str(o: &JsValue, k: &str) -> String {
    Reflect::get(o, &k.into()).ok().and_then(|v| v.as_string()).unwrap_or_default()
}

fn get_f64(o: &JsValue, k: &str) -> f64 {
    Reflect::get(o, &k.into()).ok().and_then(|v| v.as_f64()).unwrap_or(0.0)
}

impl Client {
    /// Starts a new worker; its events go to `on_event`.
    pub fn spawn(on_event: Callback<Event>) -> Result<Client, String> {
        let worker = Worker::new(WORKER_SCRIPT).map_err(|e| format!("cannot start the analysis worker: {e:?}"))?;
        let cb = on_event.clone();
        let queue: std::rc::Rc<std::cell::RefCell<Option<Vec<Object>>>> = std::rc::Rc::new(std::cell::RefCell::new(Some(vec![])));
        let q2 = queue.clone();
        let w2 = worker.clone();
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let d = e.data();
            let ev = match get_str(&d, "kind").as_str() {
                "ready" => {
                    if let Some(pending) = q2.borrow_mut().take() {
                        for m in pending {
                            let _ = w2.post_message(&m);
                        }
                    }
                    return;
                }
                "progress" => Event::Progress {
                    bytes: get_f64(&d, "bytes"),
                    total: get_f64(&d, "total"),
                    rows: get_f64(&d, "rows"),
                    bad: get_f64(&d, "bad"),
                    elapsed: get_f64(&d, "elapsed"),
                    file: get_str(&d, "file"),
                },
                "done" => match serde_json::from_str::<Report>(&get_str(&d, "report")) {
                    Ok(r) => Event::Done { report: Box::new(r), elapsed: get_f64(&d, "elapsed") },
                    Err(e) => Event::Error(format!("cannot read the report: {e}")),
                },
                "rows" => match serde_json::from_str::<RowsPage>(&get_str(&d, "page")) {
                    Ok(page) => Event::Rows { id: get_f64(&d, "id") as u32, page },
                    Err(e) => Event::Error(format!("cannot read the rows: {e}")),
                },
                "download" => match Reflect::get(&d, &"blob".into()).ok().and_then(|b| b.dyn_into::<Blob>().ok()) {
                    Some(blob) => Event::Download { what: get_str(&d, "what"), name: get_str(&d, "name"), blob, count: get_f64(&d, "count") },
                    None => Event::Error("the download was empty".into()),
                },
                "error" => Event::Error(get_str(&d, "message")),
                _ => return,
            };
            cb.emit(ev);
        });
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        let cb = on_event;
        let onerror = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
            cb.emit(Event::Error(format!("the analysis worker failed: {}", e.message())));
        });
        worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        Ok(Client { worker, queue, _onmessage: onmessage, _onerror: onerror })
    }

    fn send(&self, kind: &str, fields: &[(&str, JsValue)]) {
        let o = Object::new();
        let _ = Reflect::set(&o, &"kind".into(), &kind.into());
        for (k, v) in fields {
            let _ = Reflect::set(&o, &(*k).into(), v);
        }
        match self.queue.borrow_mut().as_mut() {
            Some(q) => q.push(o),
            None => {
                let _ = self.worker.post_message(&o);
            }
        }
    }

    pub fn analyze(&self, files: &[File], options: &Options) {
        let arr = Array::new();
        for f in files {
            arr.push(f);
        }
        let opts = serde_json::to_string(options).unwrap_or_else(|_| "{}".into());
        self.send("analyze", &[("files", arr.into()), ("options", opts.into())]);
    }

    pub fn rows(&self, id: u32, q: &RowQuery) {
        let q = serde_json::to_string(q).unwrap_or_else(|_| "{}".into());
        self.send("rows", &[("query", q.into()), ("id", (id as f64).into())]);
    }

    pub fn download(&self, what: &str) {
        self.send("download", &[("what", what.into())]);
    }

    pub fn terminate(&self) {
        self.worker.terminate();
    }
}

impl Drop for Client {
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
        let _ = a.set_attribute("style", "display:none");
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
