//! bouncelens: reads email bounces and says, in plain language, what happened, why, whose
//! problem it is and what to do.
//!
//! The analysis core (this crate without the `ui` module) is plain Rust: it builds and tests
//! natively, powers the `bouncelens` command-line tool, and runs unchanged in the browser.

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
