//! What the page and the Web Worker say to each other: one [`Request`] enum the page sends, one
//! [`Response`] enum the worker answers with, both carried as JS values by
//! `serde-wasm-bindgen` (structured clone, no JSON text in between). Files and Blobs travel
//! as themselves (`serde_wasm_bindgen::preserve`), so a dropped file is never copied into
//! wasm memory by the page.
//!
//! The worker does every analysis (paste, dropped emails, reference, exports); the page only
//! renders what comes back. The types here are the core's own where it has them (`Record`,
//! `Report`, `RowsPage`, reference `Entry`/`Detail`), plus the few things the page cannot
//! compute without the knowledge base: provider names and code breakdowns.

use crate::batch::report::{Report, RowQuery, RowsPage};
use crate::batch::Options;
use crate::model::{Record, Severity};
use crate::reference::{DigitPart, Detail, Entry};
pub use crate::ui::history::{Export, HistoryView, PlatformChoice};
pub use crate::ui::user_rules::{RulesOp, RulesOutcome};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

/// Tells a response to a request apart from the answers to older ones (typing sends many).
pub type Ticket = u32;

/// What the page asks the worker.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// Explain pasted text: one card per message, or per recipient of a pasted email.
    Explain { ticket: Ticket, text: String },
    /// Explain a file dropped on (or opened in) the Paste view: an .eml, an mbox or text.
    ExplainFile {
        ticket: Ticket,
        #[serde(with = "serde_wasm_bindgen::preserve")]
        file: web_sys::File,
    },
    /// Search the reference (codes, provider replies, words).
    Search { ticket: Ticket, query: String, limit: usize },
    /// One reference page (`550`, `X.7.26`, `rule/gmail.dmarc`, `category/mailbox_full`), or the
    /// entry a typed code resolves to.
    Entry { ticket: Ticket, id: String },
    /// What the reference's landing page lists.
    Index { ticket: Ticket },
    /// The numbers behind the File view's alerts, with their sources.
    Thresholds { ticket: Ticket },
    /// Analyse export files (read in slices by the worker, never whole).
    Analyze {
        #[serde(with = "serde_wasm_bindgen::preserve")]
        files: js_sys::Array,
        options: Options,
    },
    /// A page of the rows table of the last analysis.
    Rows { ticket: Ticket, query: RowQuery },
    /// Build one of the downloads of the last analysis.
    Download { what: Download },
    /// The user's own rules: install them, or write or read a rules file.
    Rules { ticket: Ticket, op: RulesOp },
    /// The history with the last analysis: the kept exports' summaries (`Uint8Array`s, as the
    /// worker made them) and when the analysis was made.
    History {
        ticket: Ticket,
        #[serde(with = "serde_wasm_bindgen::preserve")]
        kept: js_sys::Array,
        added: String,
    },
    /// A download of the last analysis that takes options.
    Export { ticket: Ticket, what: Export },
}

impl Request {
    /// The ticket its answer comes back with (none for an analysis and its downloads, whose
    /// answers go to the analysis' listener).
    pub fn ticket(&self) -> Option<Ticket> {
        match self {
            Request::Explain { ticket, .. }
            | Request::ExplainFile { ticket, .. }
            | Request::Search { ticket, .. }
            | Request::Entry { ticket, .. }
            | Request::Index { ticket }
            | Request::Thresholds { ticket }
            | Request::Rows { ticket, .. }
            | Request::Rules { ticket, .. }
            | Request::History { ticket, .. }
            | Request::Export { ticket, .. } => Some(*ticket),
            Request::Analyze { .. } | Request::Download { .. } => None,
        }
    }
}

/// What the worker answers.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    /// The worker's wasm is running and its message handler is in place.
    Ready,
    Explained { ticket: Ticket, explanation: Explanation },
    Hits { ticket: Ticket, hits: Vec<Hit> },
    Entry { ticket: Ticket, page: Option<Box<Detail>> },
    Index { ticket: Ticket, index: Index },
    Thresholds { ticket: Ticket, page: Thresholds },
    Progress(Progress),
    Done {
        report: Box<Report>,
        /// Milliseconds from the request to the report.
        elapsed: f64,
        /// The size of the worker's wasm memory (for the benchmark's figures).
        wasm_bytes: f64,
    },
    Rows { ticket: Ticket, page: RowsPage },
    Download {
        what: Download,
        name: String,
        #[serde(with = "serde_wasm_bindgen::preserve")]
        blob: web_sys::Blob,
        count: u64,
    },
    Rules { ticket: Ticket, outcome: RulesOutcome },
    History { ticket: Ticket, view: Box<HistoryView> },
    Exported {
        ticket: Ticket,
        name: String,
        #[serde(with = "serde_wasm_bindgen::preserve")]
        blob: web_sys::Blob,
        count: u64,
    },
    /// A request failed (the ticket says which, when it had one).
    Error { ticket: Option<Ticket>, message: String },
}

/// How far an analysis has got.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub bytes: f64,
    pub total: f64,
    pub rows: f64,
    pub bad: f64,
    /// Milliseconds since the analysis started.
    pub elapsed: f64,
    /// The file being read.
    pub file: String,
}

/// The result of an explain request: the cards and what the user should know about the input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    pub cards: Vec<Card>,
    pub notices: Vec<String>,
    /// The text of a dropped file, decoded, to show in the input box.
    pub text: Option<String>,
}

/// One verdict card: the record and what the page needs to show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Card {
    pub record: Record,
    pub provider_name: Option<String>,
    /// The reply code and the enhanced code, digit by digit (empty when there is none).
    pub reply_digits: Vec<DigitPart>,
    pub enhanced_digits: Vec<DigitPart>,
}

/// A search hit, with the name of the provider whose reply it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub entry: Entry,
    pub provider_name: Option<String>,
}

/// The reference's landing page: the causes, and how many entries there are of each kind.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Index {
    pub causes: Vec<Entry>,
    pub reply_codes: usize,
    pub enhanced_codes: usize,
    pub known_replies: usize,
}

/// The policy numbers of the knowledge base, each with where it comes from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    pub rates: Vec<RateThreshold>,
    pub groups: Vec<PolicyGroup>,
}

/// A bounce or complaint rate above which the report warns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RateThreshold {
    pub metric: String,
    /// The share (0.02 is 2 %).
    pub above: f64,
    pub severity: Severity,
    pub says: String,
    pub source: String,
}

/// One table of the policy (`concentration`, `recurrence`, `list_decay`): its numbers and source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyGroup {
    /// The table's name in the knowledge base (`policy.toml`).
    pub id: String,
    pub title: String,
    pub numbers: Vec<PolicyNumber>,
    pub source: String,
}

/// One number of a policy table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyNumber {
    /// The key in the knowledge base.
    pub key: String,
    /// What it decides, for people.
    pub means: String,
    pub value: PolicyValue,
}

/// A policy number: a share shows as a percentage, a count as a count.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyValue {
    Share(f64),
    Count(u64),
    Factor(f64),
}

/// The downloads of an analysis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Download {
    Suppression,
    Domains,
    Reengagement,
    Annotated,
    Report,
}

impl Download {
    pub const ALL: [Download; 5] = [Download::Suppression, Download::Domains, Download::Reengagement, Download::Annotated, Download::Report];

    /// The id used in `data-testid="download-<id>"`.
    pub fn id(self) -> &'static str {
        match self {
            Download::Suppression => "suppression",
            Download::Domains => "domains",
            Download::Reengagement => "reengagement",
            Download::Annotated => "annotated",
            Download::Report => "report",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Download::Suppression => "Suppression list (CSV)",
            Download::Domains => "Domains to suppress (CSV)",
            Download::Reengagement => "Re-engagement list (CSV)",
            Download::Annotated => "Whole file with verdicts (CSV)",
            Download::Report => "Report (JSON)",
        }
    }
}

/// A message as a JS value, ready for `postMessage`.
pub fn encode<T: Serialize>(message: &T) -> Result<JsValue, String> {
    message.serialize(&serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true)).map_err(|e| format!("cannot encode the message: {e}"))
}

/// A message from a JS value (`MessageEvent.data`).
pub fn decode<T: serde::de::DeserializeOwned>(value: JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(value).map_err(|e| format!("cannot read the message: {e}"))
}
