//! The kept exports, in the browser's IndexedDB (database `bouncelens`, store `exports`, one
//! record per export keyed by its fingerprint, so the same export kept twice is one record).
//!
//! A record holds what the worker made of the export ([`ExportInfo`] to list it, and the
//! summary's bytes, which only the worker reads) and when it was kept. Nothing here leaves the
//! computer; forgetting deletes the record.

use super::protocol::{decode, encode};
use crate::batch::history::ExportInfo;
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{IdbDatabase, IdbObjectStoreParameters, IdbRequest, IdbTransactionMode};
use yew::Callback;

const DB: &str = "bouncelens";
const STORE: &str = "exports";
const VERSION: u32 = 1;

/// One kept export.
#[derive(Clone, Debug)]
pub struct Kept {
    pub fingerprint: String,
    /// `None` when the record's description cannot be read (it can still be forgotten).
    pub info: Option<ExportInfo>,
    pub bytes: Uint8Array,
    /// When it was kept (ISO 8601).
    pub kept: String,
}

impl PartialEq for Kept {
    fn eq(&self, o: &Kept) -> bool {
        self.fingerprint == o.fingerprint && self.kept == o.kept && self.info == o.info
    }
}

impl Kept {
    /// The bytes kept for it.
    pub fn size(&self) -> f64 {
        self.bytes.length() as f64
    }
}

fn on_request(req: &IdbRequest, done: Callback<Result<JsValue, String>>, what: &'static str) {
    let ok = {
        let done = done.clone();
        let req = req.clone();
        Closure::once_into_js(move || done.emit(req.result().map_err(|_| format!("{what}: no result"))))
    };
    let fail = Closure::once_into_js(move || done.emit(Err(format!("{what} failed (the browser's storage refused it)"))));
    req.set_onsuccess(Some(ok.unchecked_ref()));
    req.set_onerror(Some(fail.unchecked_ref()));
}

/// Opens the database (creating its store the first time) and hands it to `then`.
fn with_db(then: impl FnOnce(Result<IdbDatabase, String>) + 'static) {
    let factory = web_sys::window().and_then(|w| w.indexed_db().ok().flatten());
    let Some(factory) = factory else { return then(Err("this browser does not let the page keep anything (IndexedDB is off)".into())) };
    let req = match factory.open_with_u32(DB, VERSION) {
        Ok(r) => r,
        Err(_) => return then(Err("the browser refused to open the page's storage".into())),
    };
    let upgrade = {
        let req = req.clone();
        Closure::<dyn FnMut()>::new(move || {
            if let Some(db) = req.result().ok().and_then(|r| r.dyn_into::<IdbDatabase>().ok()) {
                if !db.object_store_names().contains(STORE) {
                    let params = IdbObjectStoreParameters::new();
                    params.set_key_path(&JsValue::from_str("fingerprint"));
                    let _ = db.create_object_store_with_optional_parameters(STORE, &params);
                }
            }
        })
    };
    req.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    upgrade.forget();
    // Answered once: by success or by error.
    let then = std::cell::RefCell::new(Some(then));
    on_request(
        &req,
        Callback::from(move |r: Result<JsValue, String>| {
            if let Some(then) = then.borrow_mut().take() {
                then(r.and_then(|v| v.dyn_into::<IdbDatabase>().map_err(|_| "the page's storage did not open".to_string())));
            }
        }),
        "Opening the page's storage",
    );
}

fn store_request(mode: IdbTransactionMode, what: &'static str, make: impl FnOnce(&web_sys::IdbObjectStore) -> Result<IdbRequest, JsValue> + 'static, done: Callback<Result<JsValue, String>>) {
    with_db(move |db| {
        let db = match db {
            Ok(db) => db,
            Err(e) => return done.emit(Err(e)),
        };
        let req = db.transaction_with_str_and_mode(STORE, mode).and_then(|t| t.object_store(STORE)).and_then(|s| make(&s));
        match req {
            Ok(r) => on_request(&r, done, what),
            Err(_) => done.emit(Err(format!("{what} failed (the browser's storage refused it)"))),
        }
    });
}

/// Keeps an export (replacing one of the same fingerprint).
pub fn put(info: &ExportInfo, bytes: &Uint8Array, kept: &str, done: Callback<Result<(), String>>) {
    let record = Object::new();
    let set = |k: &str, v: &JsValue| Reflect::set(&record, &k.into(), v).is_ok();
    let ok = set("fingerprint", &info.fingerprint.clone().into()) && encode(info).map(|v| set("info", &v)).unwrap_or(false) && set("bytes", bytes) && set("kept", &kept.into());
    if !ok {
        return done.emit(Err("cannot write the export's summary".into()));
    }
    store_request(IdbTransactionMode::Readwrite, "Keeping the export", move |s| s.put(&record), done.reform(|r: Result<JsValue, String>| r.map(|_| ())));
}

/// Every kept export, oldest first.
pub fn all(done: Callback<Result<Vec<Kept>, String>>) {
    store_request(
        IdbTransactionMode::Readonly,
        "Reading the kept exports",
        |s| s.get_all(),
        done.reform(|r: Result<JsValue, String>| {
            let list: Array = r?.dyn_into().map_err(|_| "the kept exports are not a list".to_string())?;
            let mut out: Vec<Kept> = list
                .iter()
                .filter_map(|rec| {
                    let get = |k: &str| Reflect::get(&rec, &k.into()).ok();
                    let fingerprint = get("fingerprint")?.as_string()?;
                    let bytes = get("bytes").and_then(|b| b.dyn_into::<Uint8Array>().ok()).unwrap_or_else(|| Uint8Array::new_with_length(0));
                    let info = get("info").and_then(|i| decode::<ExportInfo>(i).ok());
                    let kept = get("kept").and_then(|k| k.as_string()).unwrap_or_default();
                    Some(Kept { fingerprint, info, bytes, kept })
                })
                .collect();
            out.sort_by(|a, b| a.kept.cmp(&b.kept));
            Ok(out)
        }),
    );
}

/// Forgets one kept export.
pub fn forget(fingerprint: &str, done: Callback<Result<(), String>>) {
    let key = JsValue::from_str(fingerprint);
    store_request(IdbTransactionMode::Readwrite, "Forgetting the export", move |s| s.delete(&key), done.reform(|r: Result<JsValue, String>| r.map(|_| ())));
}

/// Forgets every kept export.
pub fn forget_all(done: Callback<Result<(), String>>) {
    store_request(IdbTransactionMode::Readwrite, "Forgetting the exports", |s| s.clear(), done.reform(|r: Result<JsValue, String>| r.map(|_| ())));
}
