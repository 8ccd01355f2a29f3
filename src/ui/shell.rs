//! The hand-over from index.html's shell to the app.
//!
//! index.html carries the header, the navigation and the Paste view's input as plain markup
//! (the same elements and classes the app renders), so the page is painted and can be typed
//! into before any wasm has loaded. When the app starts it keeps what the user did there (the
//! text, the caret, a file picked to open), clears the shell and renders in its place, all in
//! one task: the browser never paints the page without it.

use std::cell::RefCell;
use wasm_bindgen::JsCast;
use web_sys::{Element, File, HtmlInputElement, HtmlTextAreaElement};

/// What the user did in the shell before the app took over.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Handover {
    pub text: String,
    /// The input had the focus, with this selection.
    pub focus: Option<(u32, u32)>,
    /// A bounce email picked with "Open a bounce email…".
    pub files: Vec<File>,
}

thread_local! {
    static HANDOVER: RefCell<Option<Handover>> = const { RefCell::new(None) };
}

/// The element the app renders into (index.html's `#app`), emptied of the shell, after noting
/// what the user did in it.
pub fn take_over() -> Option<Element> {
    let doc = gloo::utils::document();
    let root = doc.get_element_by_id("app")?;
    let input = root.query_selector("[data-testid=paste-input]").ok().flatten().and_then(|e| e.dyn_into::<HtmlTextAreaElement>().ok());
    let focused = doc.active_element();
    let mut h = Handover::default();
    if let Some(t) = &input {
        h.text = t.value();
        if focused.as_ref() == Some(t.unchecked_ref::<Element>()) {
            h.focus = Some((t.selection_start().ok().flatten().unwrap_or(0), t.selection_end().ok().flatten().unwrap_or(0)));
        }
    }
    if let Some(picker) = root.query_selector("[data-testid=eml-input]").ok().flatten().and_then(|e| e.dyn_into::<HtmlInputElement>().ok()) {
        if let Some(list) = picker.files() {
            h.files = (0..list.length()).filter_map(|i| list.get(i)).collect();
        }
    }
    HANDOVER.with(|c| *c.borrow_mut() = Some(h));
    root.set_inner_html("");
    Some(root)
}

/// What the user did in the shell; the first caller (the Paste view, when it first mounts)
/// gets it, later ones get nothing.
pub fn handover() -> Handover {
    HANDOVER.with(|c| c.borrow_mut().take()).unwrap_or_default()
}
