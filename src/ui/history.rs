//! The history of analysed exports, as the page and the worker share it.
//!
//! The page keeps each export's summary ([`ExportSummary::to_bytes`]: aggregates, never rows)
//! in IndexedDB as the worker made it, bytes it never reads; to show the alerts across
//! exports, the trend and the comparison it sends them all back to the worker with a
//! [`Request::History`](super::protocol::Request::History), and the worker answers with a
//! [`HistoryView`]: the current analysis' summary (to keep) and what the history says with it
//! as the latest export. The worker also builds the downloads that need options here: a
//! platform's suppression file and the HTML report.

use crate::batch::history::{ExportInfo, ExportSummary, History, Insights};
use crate::batch::Session;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;

/// A platform whose suppression import format is known.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlatformChoice {
    pub id: String,
    pub name: String,
}

/// What the worker says about the current analysis and the kept exports.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HistoryView {
    /// The current analysis, as it would be kept.
    pub current: ExportInfo,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub current_bytes: js_sys::Uint8Array,
    /// The kept exports (but one of the same content as the current) and the current one,
    /// oldest first, the current last.
    pub insights: Insights,
    /// Kept summaries that could not be read (their index among those sent, and why).
    pub unreadable: Vec<(usize, String)>,
    pub platforms: Vec<PlatformChoice>,
    /// The platform the export came from, when its layout said.
    pub detected_platform: Option<String>,
}

impl PartialEq for HistoryView {
    fn eq(&self, o: &HistoryView) -> bool {
        self.current == o.current && self.insights == o.insights && self.unreadable == o.unreadable && self.platforms == o.platforms && self.detected_platform == o.detected_platform
    }
}

/// A download of the last analysis that takes options.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Export {
    /// The suppression list in a platform's import format.
    Suppression { platform: String },
    /// The report to share, as one HTML page (with the history of the last `History` answer).
    HtmlReport { include_addresses: bool, generated: String },
}

thread_local! {
    /// The worker's last answer about the history (for the HTML report).
    static LAST: RefCell<Option<Insights>> = const { RefCell::new(None) };
}

/// The history with the current analysis as the latest export (in the worker).
pub fn view(session: &Session, kept: Vec<Vec<u8>>, added: &str) -> HistoryView {
    let current = ExportSummary::from_session(session, added);
    let (mut h, unreadable) = History::from_bytes(kept.iter().map(|b| b.as_slice()));
    h.exports.retain(|s| s.fingerprint != current.fingerprint);
    h.exports.sort_by(|a, b| a.added.cmp(&b.added));
    let bytes = current.to_bytes();
    let info = current.info();
    h.exports.push(current);
    let insights = h.insights();
    LAST.with(|l| *l.borrow_mut() = Some(insights.clone()));
    let platforms = crate::batch::suppression::platforms().iter().map(|p| PlatformChoice { id: p.id.clone(), name: p.name.clone() }).collect();
    HistoryView {
        current: info,
        current_bytes: js_sys::Uint8Array::from(&bytes[..]),
        insights,
        unreadable,
        platforms,
        detected_platform: crate::batch::suppression::detected_platform(session).map(|p| p.id.clone()),
    }
}

/// Writes a download with options; returns the file name, its type and how many addresses or
/// rows it holds.
pub fn export<W: std::io::Write>(session: &Session, what: &Export, out: &mut W) -> Result<(String, &'static str, u64), String> {
    match what {
        Export::Suppression { platform } => {
            let p = crate::batch::suppression::platform(platform).ok_or_else(|| format!("no import format is known for {platform}"))?;
            let n = crate::batch::suppression::write(session, Some(p), out).map_err(|e| e.to_string())?;
            Ok((crate::batch::suppression::file_name(Some(p)), "text/csv", n))
        }
        Export::HtmlReport { include_addresses, generated } => {
            let opts = crate::batch::share::ShareOptions { include_addresses: *include_addresses, title: None, generated: Some(generated.clone()) };
            let insights = LAST.with(|l| l.borrow().clone());
            let html = crate::batch::share::html_report(&session.report(), insights.as_ref(), &opts);
            out.write_all(html.as_bytes()).map_err(|e| e.to_string())?;
            Ok(("bounce-report.html".into(), "text/html", session.rows.len() as u64))
        }
    }
}
