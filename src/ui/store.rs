//! What the page remembers on this computer in `localStorage`: the user's own rules and the
//! colour theme. (Kept exports, which are bigger, are in IndexedDB: see `idb`.)
//!
//! Values are written as JSON by the browser (`JSON.stringify` of the serde value), so the
//! page links no JSON code of its own. A stored value that cannot be read is never
//! overwritten silently: the Rules page says so and keeps it until the user saves new rules.

use super::protocol::{decode, encode};
use super::user_rules::UserRule;
use std::cell::RefCell;

const RULES_KEY: &str = "bouncelens.rules.v1";
const THEME_KEY: &str = "bouncelens.theme";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

fn set(key: &str, value: &str) -> Result<(), String> {
    let s = storage().ok_or("this browser does not let the page keep anything (private mode?)")?;
    s.set_item(key, value).map_err(|_| "the browser refused to keep it (storage full or disabled)".to_string())
}

fn remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

thread_local! {
    /// The rules in force (what every new worker is given first).
    static RULES: RefCell<Vec<UserRule>> = const { RefCell::new(Vec::new()) };
}

/// The stored rules, or why they could not be read (then none are in force).
pub fn load_rules() -> Result<Vec<UserRule>, String> {
    let Some(text) = get(RULES_KEY) else { return Ok(vec![]) };
    let value = js_sys::JSON::parse(&text).map_err(|_| "your stored rules are not valid JSON".to_string())?;
    let rules: Vec<UserRule> = decode(value).map_err(|e| format!("your stored rules could not be read ({e})"))?;
    RULES.with(|r| *r.borrow_mut() = rules.clone());
    Ok(rules)
}

/// Keeps the rules (and makes them the ones new workers get).
pub fn save_rules(rules: &[UserRule]) -> Result<(), String> {
    if rules.is_empty() {
        remove(RULES_KEY);
    } else {
        let value = encode(&rules.to_vec())?;
        let text = js_sys::JSON::stringify(&value).ok().and_then(|s| s.as_string()).ok_or("cannot write the rules")?;
        set(RULES_KEY, &text)?;
    }
    RULES.with(|r| *r.borrow_mut() = rules.to_vec());
    Ok(())
}

/// The rules in force.
pub fn rules() -> Vec<UserRule> {
    RULES.with(|r| r.borrow().clone())
}

/// The colour theme the user chose, if they chose one (otherwise the system's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    pub fn id(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn other(self) -> Theme {
        match self {
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Light,
        }
    }
}

pub fn chosen_theme() -> Option<Theme> {
    match get(THEME_KEY).as_deref() {
        Some("dark") => Some(Theme::Dark),
        Some("light") => Some(Theme::Light),
        _ => None,
    }
}

pub fn choose_theme(t: Theme) {
    let _ = set(THEME_KEY, t.id());
}

/// Whether the system asks for dark colours.
pub fn system_theme() -> Theme {
    let dark = web_sys::window().and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten()).is_some_and(|m| m.matches());
    if dark {
        Theme::Dark
    } else {
        Theme::Light
    }
}

const KEEP_KEY: &str = "bouncelens.keep-exports";

/// Whether each analysed export is kept on this computer (off until the user ticks it).
pub fn keep_exports() -> bool {
    get(KEEP_KEY).as_deref() == Some("yes")
}

pub fn set_keep_exports(keep: bool) {
    if keep {
        let _ = set(KEEP_KEY, "yes");
    } else {
        remove(KEEP_KEY);
    }
}
