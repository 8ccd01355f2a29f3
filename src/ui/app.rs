//! The page frame: header, navigation, the current view, footer.

use super::{file_view::FileView, paste_view::PasteView, reference_view::ReferenceView, Route};
use wasm_bindgen::JsCast;
use gloo::events::EventListener;
use yew::prelude::*;

fn current_route() -> Route {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    Route::from_hash(&hash)
}

#[function_component(App)]
pub fn app() -> Html {
    let route = use_state(current_route);
    {
        let route = route.clone();
        use_effect_with((), move |_| {
            let window = web_sys::window().expect("a window");
            let listener = EventListener::new(&window, "hashchange", move |_| {
                route.set(current_route());
                if let Some(w) = web_sys::window() {
                    w.scroll_to_with_x_and_y(0.0, 0.0);
                }
            });
            move || drop(listener)
        });
    }
    // Files dropped on another view open the File view with them.
    {
        let route = route.clone();
        use_effect_with((*route).clone(), move |r| {
            let on_file_view = matches!(r, Route::File);
            let window = web_sys::window().expect("a window");
            let listeners = if on_file_view {
                None
            } else {
                let over = EventListener::new_with_options(&window, "dragover", gloo::events::EventListenerOptions::enable_prevent_default(), |e| e.prevent_default());
                let r2 = route.clone();
                let drop = EventListener::new_with_options(&window, "drop", gloo::events::EventListenerOptions::enable_prevent_default(), move |e| {
                    e.prevent_default();
                    let e: &web_sys::DragEvent = e.unchecked_ref();
                    if let Some(list) = e.data_transfer().and_then(|d| d.files()) {
                        let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
                        if !files.is_empty() {
                            super::file_view::PENDING.with(|p| *p.borrow_mut() = files);
                            if let Some(w) = web_sys::window() {
                                let _ = w.location().set_hash("#/file");
                            }
                            r2.set(Route::File);
                        }
                    }
                });
                Some((over, drop))
            };
            move || drop(listeners)
        });
    }
    let tab = |r: Route, label: &str, active: bool| {
        html! {
            <a href={r.href()} class={classes!("tab", active.then_some("active"))} aria-current={active.then_some("page")}>{ label }</a>
        }
    };
    let is_paste = matches!(*route, Route::Paste);
    let is_file = matches!(*route, Route::File);
    let is_ref = matches!(*route, Route::Reference(_));
    html! {
        <>
            <a class="skip" href="#main">{ "Skip to content" }</a>
            <header class="top">
                <div class="wrap top-inner">
                    <a class="brand" href="#/paste" aria-label="bouncelens home">
                        <span class="logo" aria-hidden="true">{ "◎" }</span>
                        <span class="name">{ "bouncelens" }</span>
                    </a>
                    <nav class="tabs" aria-label="Views">
                        { tab(Route::Paste, "Explain a bounce", is_paste) }
                        { tab(Route::File, "Analyse a file", is_file) }
                        { tab(Route::Reference(None), "Code reference", is_ref) }
                    </nav>
                </div>
            </header>
            <main id="main" class="wrap" tabindex="-1">
                {
                    match &*route {
                        Route::Paste => html! { <PasteView /> },
                        Route::File => html! { <FileView /> },
                        Route::Reference(id) => html! { <ReferenceView id={id.clone()} /> },
                    }
                }
            </main>
            <footer class="wrap foot">
                <p>{ "Runs entirely in your browser: nothing you paste or drop leaves this page." }</p>
            </footer>
        </>
    }
}
