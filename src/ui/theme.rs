//! Light or dark colours: the system's choice (`prefers-color-scheme`, in style.css) unless
//! the user pressed the toggle, which is remembered on this computer and set as
//! `html[data-theme]` (index.html's boot script sets it too, before anything is painted).

use super::store::{choose_theme, chosen_theme, system_theme, Theme};
use gloo::events::EventListener;
use yew::prelude::*;

/// Sets the chosen theme on the root element (none chosen: the system's, by style.css).
pub fn apply(t: Option<Theme>) {
    if let Some(root) = gloo::utils::document().document_element() {
        let _ = match t {
            Some(t) => root.set_attribute("data-theme", t.id()),
            None => root.remove_attribute("data-theme"),
        };
    }
}

fn shown() -> Theme {
    chosen_theme().unwrap_or_else(system_theme)
}

/// The header's button. Its markup is the same in both themes (the shell in index.html has
/// it too); only `aria-pressed` says whether dark colours are on.
#[function_component(ThemeToggle)]
pub fn theme_toggle() -> Html {
    let theme = use_state(shown);
    {
        let theme = theme.clone();
        use_effect_with((), move |_| {
            apply(chosen_theme());
            // The system's setting can change while the page is open (e.g. at sunset).
            let listener = web_sys::window().and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten()).map(|mq| {
                EventListener::new(&mq, "change", move |_| theme.set(shown()))
            });
            move || drop(listener)
        });
    }
    let onclick = {
        let theme = theme.clone();
        Callback::from(move |_: MouseEvent| {
            let next = theme.other();
            choose_theme(next);
            apply(Some(next));
            theme.set(next);
        })
    };
    let dark = *theme == Theme::Dark;
    html! {
        <button type="button" class="theme-toggle" data-testid="theme-toggle" aria-pressed={if dark { "true" } else { "false" }} title="Dark colours" {onclick}>
            <span aria-hidden="true">{ "◐" }</span><span class="sr-only">{ "Dark colours" }</span>
        </button>
    }
}
