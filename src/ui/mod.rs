//! The web app (wasm32 only). The page (`bouncelens-app`) only renders: every analysis runs in
//! a Web Worker (`bouncelens-quick` for pastes and the reference, `bouncelens-worker` for
//! files; see `worker`), which the page talks to through the typed messages of `protocol`. So the page's wasm links no classifier, regex engine,
//! knowledge base or file parser, and stays small enough to start at once.

mod app;
mod client;
mod components;
mod file_view;
mod idb;
pub mod history;
mod paste_view;
pub mod protocol;
mod reference_view;
mod rule_form;
mod rules_view;
mod shell;
mod store;
mod theme;
pub mod user_rules;
pub mod worker;

/// Takes over index.html's shell and mounts the app in its place, with the worker the page
/// started while it loaded.
///
/// Not at once: after the next frame. Loading the wasm keeps the main thread busy, and the
/// browser records the shell's paint (its Largest Contentful Paint) only when that task is
/// over; replacing the shell in the same task drops the record, and the page's LCP becomes
/// the app's render, a second later on a phone. One frame later the shell's paint is on
/// record, and the app's identical elements are no larger, so they do not count again.
pub fn start() {
    let mount = || {
        let worker = client::Client::adopt();
        let props = app::AppProps { worker };
        match shell::take_over() {
            Some(root) => yew::Renderer::<app::App>::with_root_and_props(root, props).render(),
            None => yew::Renderer::<app::App>::with_props(props).render(),
        };
    };
    let frame = gloo::render::request_animation_frame(move |_| {
        gloo::timers::callback::Timeout::new(0, mount).forget();
    });
    // The frame's handle cancels it when dropped; this one must run.
    std::mem::forget(frame);
}

/// The page's current route, from the URL hash.
#[derive(Clone, Debug, PartialEq)]
pub enum Route {
    Paste,
    File,
    Reference(Option<String>),
    /// The user's own rules.
    Rules,
}

/// The reference page of the numbers behind the File view's alerts.
pub const THRESHOLDS: &str = "thresholds";

impl Route {
    pub fn from_hash(hash: &str) -> Route {
        let h = hash.trim_start_matches('#').trim_start_matches('/');
        let decoded = js_sys::decode_uri_component(h).ok().and_then(|s| s.as_string()).unwrap_or_else(|| h.to_string());
        let mut parts = decoded.splitn(2, '/');
        match parts.next().unwrap_or("") {
            "reference" | "lookup" => {
                let rest = parts.next().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
                Route::Reference(rest)
            }
            "file" | "files" => Route::File,
            "rules" => Route::Rules,
            _ => Route::Paste,
        }
    }

    pub fn href(&self) -> String {
        match self {
            Route::Paste => "#/paste".into(),
            Route::File => "#/file".into(),
            Route::Reference(None) => "#/reference".into(),
            Route::Reference(Some(id)) => format!("#/reference/{id}"),
            Route::Rules => "#/rules".into(),
        }
    }
}

/// The link to a reference entry.
pub fn reference_href(id: &str) -> String {
    Route::Reference(Some(id.to_string())).href()
}

/// Goes to a route (a new history entry, like following a link).
pub fn go(route: &Route) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(&route.href());
    }
}
