//! Export files of any size: one streaming pass that reads rows, classifies each (replies repeat,
//! so each distinct reply is classified once), keeps a compact row store, and then summarises:
//! totals and shares, alerts from patterns across the file, the action table, the rows table
//! and the downloads. Plain Rust: the CLI runs it natively, the Web Worker in the browser.

//!
//! | file | job |
//! |---|---|
//! | `input.rs` | format sniffing and the push parsers (CSV/TSV, JSON Lines, JSON arrays, lines) |
//! | `columns.rs` | which column holds what, from header names and values |
//! | `session.rs` | the streaming state machine: files, rows, shared verdicts |
//! | `verdict.rs` | the verdict of one row (reply, codes, label, complaint event) |
//! | `rowkey.rs` | the masked 128-bit key that lets rows share a verdict |
//! | `interner.rs` | strings stored once (addresses, domains, campaigns) |
//! | `dates.rs` | dates as exports write them |
//! | `archive.rs` | zip archives of exports |
//! | `report.rs`, `alerts.rs` | the summary, the action table, the rows table; patterns across the file |
//! | `export.rs` | the downloads (suppression list, annotated file, JSON report) |
//! | `suppression.rs` | the suppression list in each platform's import format (`platforms.toml`) |
//! | `history.rs` | the aggregates kept of each export, and what they show across exports |
//! | `store.rs` | the history in a local SQLite file (native only: the CLI's `--history`) |
//! | `share.rs` | the self-contained HTML report to share |
//! | `generate.rs` | realistic test exports of 13 layouts |

pub mod alerts;
pub mod archive;
pub mod columns;
mod dates;
pub mod export;
pub mod generate;
pub mod history;
pub mod input;
pub mod interner;
mod ole;
pub mod report;
mod rowkey;
pub mod session;
pub mod share;
#[cfg(not(target_arch = "wasm32"))]
pub mod store;
pub mod suppression;
pub mod verdict;

pub use archive::{feed_any, feed_reader};
pub use dates::epoch_to_iso;
pub use rowkey::normalize_reply;
pub use session::{Progress, Row, Session, VerdictEntry};
pub use verdict::classify_row;

use columns::{MappingOverride, Role};
use input::Format;
use crate::text::TextEncoding;
use serde::{Deserialize, Serialize};

/// What the user tells the analysis.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Options {
    /// How many messages were sent (for bounce rates).
    pub sent: Option<u64>,
    /// Column roles chosen by the user, applied to every file with those column names.
    pub mapping: Option<MappingOverride>,
}

/// What is known about one file of the session.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FileInfo {
    pub name: String,
    pub format: Format,
    pub format_label: String,
    pub encoding: String,
    pub bytes: u64,
    pub rows: u64,
    pub analysed: u64,
    pub bad_rows: u64,
    /// Rows of events that are not bounces (delivered, open, click...), by event.
    pub other_events: Vec<(String, u64)>,
    pub headers: Vec<String>,
    /// The role of each header column (ids of [`Role`]), `None` for unused columns.
    pub roles: Vec<Option<Role>>,
    pub layout: Option<String>,
    /// A few values of each column, for the user to check the roles.
    pub samples: Vec<Vec<String>>,
    /// Why nothing could be analysed, when that is the case.
    pub problem: Option<String>,
    /// What the user must know although the file was read: rows or parts left out and why,
    /// bytes removed, limits reached.
    #[serde(default)]
    pub notes: Vec<String>,
    /// The table delimiter and text encoding (to read the file again for the annotated export).
    #[serde(skip)]
    pub delimiter: Option<u8>,
    #[serde(skip)]
    pub text_encoding: Option<TextEncoding>,
}

/// A row that could not be read or analysed.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BadRow {
    pub file: String,
    pub row: u64,
    pub reason: String,
}

#[cfg(test)]
mod tests;
