//! bouncelens: reads email bounces and says, in plain language, what happened, why, whose
//! problem it is and what to do.
//!
//! The analysis core (this crate without the `ui` module) is plain Rust: it builds and tests
//! natively, powers the `bouncelens` command-line tool, and runs unchanged in the browser.

/// `re!(name, pattern)` defines `fn name() -> &'static Regex`, compiled on first use
/// (`re!(pub(crate) name, pattern)` to share it). Used by the modules below.
macro_rules! re {
    ($vis:vis $name:ident, $pat:expr) => {
        $vis fn $name() -> &'static regex::Regex {
            static R: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
            R.get_or_init(|| regex::Regex::new($pat).expect("valid built-in regex"))
        }
    };
}

pub mod batch;
pub mod classify;
pub mod email;
pub mod knowledge;
pub mod model;
pub mod paste;

#[cfg(target_arch = "wasm32")]
pub mod ui;

pub use classify::{classify, Classifier, Hints};
pub use model::{Record, Verdict};
