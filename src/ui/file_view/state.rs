//! The File view's state and how messages change it (the reducer). Nothing here talks to the
//! worker or the DOM: `mod.rs` does, and sends the outcome here as a [`Msg`].

use super::format::int;
use crate::batch::report::{Report, RowsPage};
use crate::ui::idb::Kept;
use crate::ui::protocol::{Download, HistoryView, Progress, Response, Ticket};
use std::rc::Rc;
use yew::Reducible;

/// Where the analysis is.
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    Idle,
    Running(Progress),
    /// Finished, in this many milliseconds.
    Done(f64),
    Failed(String),
}

/// A report shared by the panels; equal only to itself (a new analysis is a new report).
#[derive(Clone, Debug)]
pub struct ReportRef(pub Rc<Report>);

impl PartialEq for ReportRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for ReportRef {
    type Target = Report;
    fn deref(&self) -> &Report {
        &self.0
    }
}

/// Everything the File view shows.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub phase: Phase,
    pub report: Option<ReportRef>,
    pub rows: Option<Rc<RowsPage>>,
    /// The latest rows query: older answers are not shown.
    pub rows_ticket: Ticket,
    /// A message about the input (cancelled, nothing pasted...).
    pub notice: Option<String>,
    /// What the last download saved.
    pub saved: Option<String>,
    /// Files are being dragged over the page.
    pub dragging: bool,
    /// What the history says with the analysis on screen.
    pub history: Option<Rc<HistoryView>>,
    /// The exports kept on this computer, oldest first.
    pub kept: Rc<Vec<Kept>>,
    /// Each analysed export is kept.
    pub keep: bool,
    /// A problem of the history (storage refused, a summary unreadable).
    pub history_note: Option<String>,
}

impl Default for State {
    fn default() -> State {
        State {
            phase: Phase::Idle,
            report: None,
            rows: None,
            rows_ticket: 0,
            notice: None,
            saved: None,
            dragging: false,
            history: None,
            kept: Rc::new(vec![]),
            keep: crate::ui::store::keep_exports(),
            history_note: None,
        }
    }
}

impl State {
    pub fn running(&self) -> bool {
        matches!(self.phase, Phase::Running(_))
    }
}

pub enum Msg {
    /// An analysis of files of this many bytes started; the first is named.
    Started { total: f64, first: String },
    /// The worker answered.
    Worker(Response),
    /// A page of the rows table was asked for.
    AskedRows(Ticket),
    Cancelled,
    Notice(String),
    Dragging(bool),
    History(Box<HistoryView>),
    Kept(Vec<Kept>),
    Keep(bool),
    HistoryNote(Option<String>),
    /// A download with options was saved.
    Saved(String),
}

fn saved(what: Download, name: &str, count: u64) -> String {
    let n = int(count as f64);
    let what = match what {
        Download::Suppression => format!("{n} addresses to suppress"),
        Download::Domains => format!("{n} domains to suppress"),
        Download::Reengagement => format!("{n} addresses to re-engage"),
        Download::Annotated => format!("{n} rows with their verdicts"),
        Download::Report => "the report".into(),
    };
    format!("Saved {name}: {what}.")
}

impl Reducible for State {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        let mut s = (*self).clone();
        match msg {
            Msg::Started { total, first } => {
                s.phase = Phase::Running(Progress { total, file: first, ..Default::default() });
                s.report = None;
                s.rows = None;
                s.notice = None;
                s.saved = None;
                s.history = None;
            }
            Msg::Worker(r) => match r {
                Response::Progress(p) => s.phase = Phase::Running(p),
                Response::Done { report, elapsed, .. } => {
                    s.report = Some(ReportRef(Rc::from(report)));
                    s.phase = Phase::Done(elapsed);
                }
                Response::Rows { ticket, page } if ticket == s.rows_ticket => s.rows = Some(Rc::new(page)),
                Response::Download { what, name, count, .. } => s.saved = Some(saved(what, &name, count)),
                Response::Error { message, .. } => s.phase = Phase::Failed(message),
                _ => return self,
            },
            Msg::AskedRows(t) => s.rows_ticket = t,
            Msg::Cancelled => {
                s.phase = Phase::Idle;
                s.notice = Some("Cancelled: nothing was analysed. Drop the files again to start over.".into());
            }
            Msg::Notice(n) => s.notice = Some(n),
            Msg::Dragging(d) if d == s.dragging => return self,
            Msg::Dragging(d) => s.dragging = d,
            Msg::History(h) => {
                s.history_note = (!h.unreadable.is_empty()).then(|| {
                    format!("{} kept exports could not be read and are left out ({}). Forget them to tidy up.", h.unreadable.len(), h.unreadable[0].1)
                });
                s.history = Some(Rc::from(h));
            }
            Msg::Kept(k) => s.kept = Rc::new(k),
            Msg::Keep(k) => s.keep = k,
            Msg::HistoryNote(n) => s.history_note = n,
            Msg::Saved(n) => s.saved = Some(n),
        }
        Rc::new(s)
    }
}
