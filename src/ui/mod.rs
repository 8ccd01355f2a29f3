//! The web app (wasm32 only): Yew components over the same analysis core as the CLI.

mod app;
mod client;
mod components;
mod file_view;
mod paste_view;
mod reference_view;
pub mod worker;

/// Mounts the app on the page's body.
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}

/// The page's current route, from the URL hash.
#[derive(Clone, Debug, PartialEq)]
pub enum Route {
    Paste,
    File,
    Reference(Option<String>),
}

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
            _ => Route::Paste,
        }
    }

    pub fn href(&self) -> String {
        match self {
            Route::Paste => "#/paste".into(),
            Route::File => "#/file".into(),
            Route::Reference(None) => "#/reference".into(),
            Route::Reference(Some(id)) => format!("#/reference/{id}"),
        }
    }
}

/// The link to a reference entry.
pub fn reference_href(id: &str) -> String {
    Route::Reference(Some(id.to_string())).href()
}
