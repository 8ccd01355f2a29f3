//! The page frame: header, navigation, the current view, footer; the worker the views share;
//! the notice that a new version is ready.

use super::client::{Client, Shared};
use super::rules_view::{install, RulesCtx, RulesView};
use super::user_rules::UserRule;
use super::{file_view::FileView, paste_view::PasteView, reference_view::ReferenceView, store, theme::ThemeToggle, Route};
use std::rc::Rc;
use gloo::events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The event index.html's boot script fires when a new version has been installed (it also
/// sets `data-update="ready"` on the root element, for an app that starts later).
const UPDATE_EVENT: &str = "bouncelens:update";

fn current_route() -> Route {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    Route::from_hash(&hash)
}

fn root_attr(name: &str) -> Option<String> {
    gloo::utils::document().document_element().and_then(|e| e.get_attribute(name))
}

#[derive(Properties, PartialEq)]
pub struct AppProps {
    /// The worker for quick answers (explain, reference), or why there is none.
    pub worker: Result<Client, String>,
}

#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let route = use_state(current_route);
    let shared = use_memo((), |_| Shared(props.worker.clone()));
    // The user's own rules: read once, and given to the worker before anything else it is
    // asked (this runs before the views mount and send their first requests).
    let rules = use_state(|| {
        let (rules, problem) = match store::load_rules() {
            Ok(r) => (r, None),
            Err(e) => (vec![], Some(format!("{e}. They are not in force; saving a rule replaces them."))),
        };
        (Rc::new(rules), 0u32, problem)
    });
    {
        let rules = rules.clone();
        let shared = shared.clone();
        use_memo((), move |_| {
            if !rules.0.is_empty() {
                let r = rules.clone();
                install(&shared, (*rules.0).clone(), Callback::from(move |res: Result<usize, String>| {
                    if let Err(e) = res {
                        r.set(((*r).0.clone(), r.1, Some(format!("Your rules could not be put in force: {e}"))));
                    }
                }));
            }
        });
    }
    let save_rules = {
        let rules = rules.clone();
        let shared = shared.clone();
        Callback::from(move |(new, done): (Vec<UserRule>, Callback<Result<usize, String>>)| {
            let rules = rules.clone();
            let kept = new.clone();
            install(&shared, new, Callback::from(move |res: Result<usize, String>| {
                let res = res.and_then(|n| {
                    let stored = store::save_rules(&kept).map(|_| n).map_err(|e| format!("The rules are in force until the page is closed, but not kept: {e}"));
                    rules.set((Rc::new(kept.clone()), rules.1 + 1, None));
                    stored
                });
                done.emit(res);
            }));
        })
    };
    let rules_ctx = RulesCtx { rules: rules.0.clone(), version: rules.1, problem: rules.2.clone(), save: save_rules };
    let updated = use_state(|| root_attr("data-update").as_deref() == Some("ready"));
    {
        let route = route.clone();
        let updated = updated.clone();
        use_effect_with((), move |_| {
            let window = gloo::utils::window();
            let hash = EventListener::new(&window, "hashchange", move |_| {
                route.set(current_route());
                gloo::utils::window().scroll_to_with_x_and_y(0.0, 0.0);
            });
            let update = EventListener::new(&window, UPDATE_EVENT, move |_| updated.set(true));
            // Tells tests (and anyone curious) that the app has taken over from the shell.
            if let Some(root) = gloo::utils::document().document_element() {
                let _ = root.set_attribute("data-app", "ready");
            }
            move || drop((hash, update))
        });
    }
    // Files dropped on another view open the File view with them.
    {
        let route = route.clone();
        use_effect_with((*route).clone(), move |r| {
            let window = gloo::utils::window();
            let listeners = (!matches!(r, Route::File)).then(|| {
                let over = EventListener::new_with_options(&window, "dragover", EventListenerOptions::enable_prevent_default(), |e| e.prevent_default());
                let drop = EventListener::new_with_options(&window, "drop", EventListenerOptions::enable_prevent_default(), move |e| {
                    e.prevent_default();
                    let e: &web_sys::DragEvent = e.unchecked_ref();
                    let files = super::file_view::files_of(e.data_transfer().and_then(|d| d.files()));
                    if !files.is_empty() {
                        super::file_view::hand_over(files);
                        super::go(&Route::File);
                        route.set(Route::File);
                    }
                });
                (over, drop)
            });
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
    let is_rules = matches!(*route, Route::Rules);
    let reload = Callback::from(|_: MouseEvent| {
        let _ = gloo::utils::window().location().reload();
    });
    // Keep this markup in step with the shell in index.html (tests/e2e/shell.test.mjs compares them).
    html! {
        <ContextProvider<Shared> context={(*shared).clone()}>
        <ContextProvider<RulesCtx> context={rules_ctx}>
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
                        { tab(Route::Rules, "Your rules", is_rules) }
                    </nav>
                    <ThemeToggle />
                </div>
            </header>
            <main id="main" class="wrap" tabindex="-1">
                {
                    match &*route {
                        Route::Paste => html! { <PasteView /> },
                        Route::File => html! { <FileView /> },
                        Route::Reference(id) => html! { <ReferenceView id={id.clone()} /> },
                        Route::Rules => html! { <RulesView /> },
                    }
                }
            </main>
            <footer class="wrap foot">
                <p>{ "Runs entirely in your browser: nothing you paste or drop leaves this page." }</p>
            </footer>
            if *updated {
                <div class="update" role="status" data-testid="update-notice">
                    <p>{ "A new version of bouncelens is ready. It opens the next time you load the page." }</p>
                    <button type="button" class="ghost" onclick={reload}>{ "Load it now" }</button>
                </div>
            }
        </ContextProvider<RulesCtx>>
        </ContextProvider<Shared>>
    }
}
