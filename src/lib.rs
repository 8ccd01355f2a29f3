//! bouncelens: reads email bounces and says, in plain language, what happened, why, whose
//! problem it is and what to do.
//!
//! The analysis core (this crate without the `ui` module) is plain Rust: it builds and tests
//! natively, powers the `bouncelens` command-line tool, and runs unchanged in the browser.
//!
//! The modules form layers, and each only uses the layers below it (a test checks this):
//!
//! | layer | modules | what |
//! |---|---|---|
//! | 0 | [`smtp`], [`text`] | shared small pieces: codes, commands, addresses; encodings, sniffing, mbox |
//! | 1 | [`model`] | the verdict vocabulary of the taxonomy |
//! | 2 | [`knowledge`] | the data: codes, providers, rules, policy |
//! | 3 | [`classify`] | one reply text in, one verdict out |
//! | 4 | [`email`] | whole bounce emails, per recipient |
//! | 5 | [`paste`], [`batch`], [`reference`] | what the three views and the CLI commands do |
//! | 6 | `ui` | the web app (wasm32 only); the CLI is the `bouncelens` binary |

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
pub mod reference;
pub mod smtp;
pub mod text;

#[cfg(target_arch = "wasm32")]
pub mod ui;

pub use classify::{classify, Classifier, Hints};
pub use model::{Record, Verdict};
