//! The page frame: header, navigation, the current view, footer.

use super::{paste_view::PasteView, reference_view::ReferenceView, Route};
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
    let tab = |r: Route, label: &str, active: bool| {
        html! {
            <a href={r.href()} class={classes!("tab", active.then_some("active"))} aria-current={active.then_some("page")}>{ label }</a>
        }
    };
    let is_paste = matches!(*route, Route::Paste);
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
                        { tab(Route::Reference(None), "Code reference", is_ref) }
                    </nav>
                </div>
            </header>
            <main id="main" class="wrap" tabindex="-1">
                {
                    match &*route {
                        Route::Paste => html! { <PasteView /> },
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
