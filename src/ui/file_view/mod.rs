//! The File view: drop or pick export files (or paste a table); a Web Worker reads them in
//! chunks and analyses them while a progress bar shows rows, MB, rows per second and time
//! left; then the summary with charts, the alerts, the action table, the rows table and the
//! downloads. Nothing leaves the browser.
//!
//! Laid out like the Perspective viewer's components: the view's state and its messages are
//! in `state` (a reducer, no side effects); this file wires the panels to it and to the
//! worker (the only side effects); each panel is a component of its own with small props.

mod actions;
mod alerts;
mod bad_rows;
mod charts;
mod columns;
mod downloads;
mod drop_zone;
mod format;
mod history;
mod progress;
mod rows_table;
mod state;
mod summary;

pub use drop_zone::files_of;

use super::client::{self, Client};
use super::idb::{self, Kept};
use super::protocol::{Download, Export, HistoryView, Request, Response, RulesOp};
use super::rules_view::RulesCtx;
use super::store;
use crate::batch::columns::MappingOverride;
use crate::batch::report::RowQuery;
use crate::batch::Options;
use columns::RoleChoice;
use gloo::events::{EventListener, EventListenerOptions};
use state::{Msg, Phase, State};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::File;
use yew::prelude::*;

thread_local! {
    /// Files dropped on another view, waiting for the File view to open.
    static PENDING: RefCell<Vec<File>> = const { RefCell::new(Vec::new()) };
}

/// Gives files dropped on another view to the File view, which opens next.
pub fn hand_over(files: Vec<File>) {
    PENDING.with(|p| *p.borrow_mut() = files);
}

/// What the next analysis runs on, and the worker running the current one. A fresh worker
/// per run: Cancel ends it, and with it everything the analysis held.
#[derive(Default)]
struct Runner {
    files: Vec<File>,
    options: Options,
    client: Option<Client>,
}

type RunnerRef = Rc<RefCell<Runner>>;

/// Starts an analysis of new files (`Some`) or again of the same files with new options.
fn start(runner: &RunnerRef, state: &UseReducerDispatcher<State>, on_response: &Callback<Response>, new_files: Option<Vec<File>>) {
    let mut r = runner.borrow_mut();
    if let Some(f) = new_files {
        if f.is_empty() {
            return;
        }
        r.files = f;
        // New files: the column choices of the previous ones do not apply.
        r.options.mapping = None;
    }
    if r.files.is_empty() {
        return;
    }
    if let Some(old) = r.client.take() {
        old.terminate();
    }
    match Client::spawn() {
        Ok(c) => {
            c.listen(on_response.clone());
            let files = js_sys::Array::new();
            for f in &r.files {
                files.push(f);
            }
            // The user's own rules first: the new worker has only the built-in ones.
            let rules = store::rules();
            if !rules.is_empty() {
                c.send(Request::Rules { ticket: client::ticket(), op: RulesOp::Install(rules) });
            }
            c.send(Request::Analyze { files, options: r.options.clone() });
            let total = r.files.iter().map(|f| f.size()).sum();
            state.dispatch(Msg::Started { total, first: r.files[0].name() });
            r.client = Some(c);
        }
        Err(e) => state.dispatch(Msg::Worker(Response::Error { ticket: None, message: e })),
    }
}

/// "2026-05-01 10:00:00 UTC": when an export was analysed or kept (sorts as text).
fn now_utc() -> String {
    let iso = String::from(js_sys::Date::new_0().to_iso_string());
    format!("{} {} UTC", iso.get(..10).unwrap_or(""), iso.get(11..19).unwrap_or(""))
}

/// Reads the kept exports into the view and, with `ask`, asks the analysis' worker what the
/// history says with the analysis on screen (which is then kept, if the user keeps exports).
fn refresh(runner: &RunnerRef, dispatch: &UseReducerDispatcher<State>, ask: bool) {
    let runner = runner.clone();
    let dispatch = dispatch.clone();
    idb::all(Callback::from(move |r: Result<Vec<Kept>, String>| {
        let kept = r.unwrap_or_else(|e| {
            dispatch.dispatch(Msg::HistoryNote(Some(e)));
            vec![]
        });
        let client = runner.borrow().client.clone();
        if let (true, Some(c)) = (ask, client) {
            let summaries = js_sys::Array::new();
            for k in &kept {
                summaries.push(&k.bytes);
            }
            let known: Vec<String> = kept.iter().map(|k| k.fingerprint.clone()).collect();
            let d = dispatch.clone();
            c.ask(
                Request::History { ticket: client::ticket(), kept: summaries, added: now_utc() },
                Callback::from(move |r: Response| match r {
                    Response::History { view, .. } => {
                        if store::keep_exports() && !known.contains(&view.current.fingerprint) {
                            keep(&view, &d);
                        }
                        d.dispatch(Msg::History(view));
                    }
                    Response::Error { message, .. } => d.dispatch(Msg::HistoryNote(Some(format!("The history could not be read: {message}")))),
                    _ => {}
                }),
            );
        }
        dispatch.dispatch(Msg::Kept(kept));
    }));
}

/// Keeps the analysis on screen on this computer.
fn keep(view: &HistoryView, dispatch: &UseReducerDispatcher<State>) {
    let d = dispatch.clone();
    idb::put(
        &view.current,
        &view.current_bytes,
        &now_utc(),
        Callback::from(move |r: Result<(), String>| {
            let d2 = d.clone();
            match r {
                Ok(()) => idb::all(Callback::from(move |r: Result<Vec<Kept>, String>| match r {
                    Ok(k) => d2.dispatch(Msg::Kept(k)),
                    Err(e) => d2.dispatch(Msg::HistoryNote(Some(e))),
                })),
                Err(e) => d.dispatch(Msg::HistoryNote(Some(e))),
            }
        }),
    );
}

/// Asks the running worker for a page of the rows table.
fn ask_rows(runner: &RunnerRef, state: &UseReducerDispatcher<State>, query: RowQuery) {
    let ticket = client::ticket();
    state.dispatch(Msg::AskedRows(ticket));
    if let Some(c) = runner.borrow().client.as_ref() {
        c.send(Request::Rows { ticket, query });
    }
}

#[function_component(FileView)]
pub fn file_view() -> Html {
    let state = use_reducer(State::default);
    let runner: RunnerRef = use_mut_ref(Runner::default);
    let dispatch = state.dispatcher();

    // The worker's answers: saved downloads and the first rows page are side effects; the rest
    // is state.
    let on_response = {
        let runner = runner.clone();
        let dispatch = dispatch.clone();
        use_memo((), move |_| {
            Callback::from(move |r: Response| {
                let first_rows = matches!(r, Response::Done { .. });
                if let Response::Download { blob, name, .. } = &r {
                    client::save(blob, name);
                }
                dispatch.dispatch(Msg::Worker(r));
                if first_rows {
                    ask_rows(&runner, &dispatch, rows_table::first_page());
                    refresh(&runner, &dispatch, true);
                }
            })
        })
    };
    let run = {
        let runner = runner.clone();
        let dispatch = dispatch.clone();
        let on_response = (*on_response).clone();
        Callback::from(move |files: Option<Vec<File>>| start(&runner, &dispatch, &on_response, files))
    };

    // Files dropped on another view, and drops anywhere on this one; the kept exports.
    {
        let run = run.clone();
        let runner_for_kept = runner.clone();
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            refresh(&runner_for_kept, &dispatch, false);
            let pending: Vec<File> = PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()));
            if !pending.is_empty() {
                run.emit(Some(pending));
            }
            let window = gloo::utils::window();
            let prevent = EventListenerOptions::enable_prevent_default();
            let d = dispatch.clone();
            let over = EventListener::new_with_options(&window, "dragover", prevent, move |e| {
                e.prevent_default();
                d.dispatch(Msg::Dragging(true));
            });
            let d = dispatch.clone();
            let leave = EventListener::new(&window, "dragleave", move |e| {
                let e: &web_sys::DragEvent = e.unchecked_ref();
                if e.client_x() <= 0 || e.client_y() <= 0 {
                    d.dispatch(Msg::Dragging(false));
                }
            });
            let d = dispatch.clone();
            let drop = EventListener::new_with_options(&window, "drop", prevent, move |e| {
                e.prevent_default();
                d.dispatch(Msg::Dragging(false));
                let e: &web_sys::DragEvent = e.unchecked_ref();
                run.emit(Some(files_of(e.data_transfer().and_then(|d| d.files()))));
            });
            move || std::mem::drop((over, leave, drop))
        });
    }
    // A rule of the user's was made or changed: the files are analysed again with it.
    {
        let version = use_context::<RulesCtx>().map(|r| r.version).unwrap_or(0);
        let run = run.clone();
        let seen = use_mut_ref(|| version);
        use_effect_with(version, move |v| {
            if std::mem::replace(&mut *seen.borrow_mut(), *v) != *v {
                run.emit(None);
            }
        });
    }
    // A running analysis ends with the view.
    {
        let runner = runner.clone();
        use_effect_with((), move |_| {
            move || {
                if let Some(c) = runner.borrow_mut().client.take() {
                    c.terminate();
                }
            }
        });
    }

    let on_files = run.reform(Some);
    let on_notice = {
        let dispatch = dispatch.clone();
        Callback::from(move |n: String| dispatch.dispatch(Msg::Notice(n)))
    };
    let on_cancel = {
        let runner = runner.clone();
        let dispatch = dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(c) = runner.borrow_mut().client.take() {
                c.terminate();
            }
            dispatch.dispatch(Msg::Cancelled);
        })
    };
    let on_sent = {
        let runner = runner.clone();
        let run = run.clone();
        Callback::from(move |sent: Option<u64>| {
            runner.borrow_mut().options.sent = sent;
            run.emit(None);
        })
    };
    let on_role = {
        let runner = runner.clone();
        let run = run.clone();
        let report = state.report.clone();
        Callback::from(move |(file, col, role): RoleChoice| {
            let Some(f) = report.as_ref().and_then(|r| r.files.get(file)) else { return };
            // Keep every column's current role, with the change applied.
            let mut roles: Vec<_> = f.headers.iter().cloned().zip(f.roles.iter().cloned()).collect();
            if let Some(r) = roles.get_mut(col) {
                r.1 = role;
            }
            runner.borrow_mut().options.mapping = Some(MappingOverride { roles });
            run.emit(None);
        })
    };
    let on_query = {
        let runner = runner.clone();
        let dispatch = dispatch.clone();
        Callback::from(move |q: RowQuery| ask_rows(&runner, &dispatch, q))
    };
    let on_download = {
        let runner = runner.clone();
        Callback::from(move |what: Download| {
            if let Some(c) = runner.borrow().client.as_ref() {
                c.send(Request::Download { what });
            }
        })
    };

    let on_export = {
        let runner = runner.clone();
        let dispatch = dispatch.clone();
        Callback::from(move |what: Export| {
            let Some(c) = runner.borrow().client.clone() else { return };
            let d = dispatch.clone();
            c.ask(
                Request::Export { ticket: client::ticket(), what },
                Callback::from(move |r: Response| match r {
                    Response::Exported { blob, name, count, .. } => {
                        client::save(&blob, &name);
                        d.dispatch(Msg::Saved(format!("Saved {name} ({} rows or addresses).", format::int(count as f64))));
                    }
                    Response::Error { message, .. } => d.dispatch(Msg::Notice(message)),
                    _ => {}
                }),
            );
        })
    };
    let on_keep = {
        let dispatch = dispatch.clone();
        let state = state.clone();
        Callback::from(move |k: bool| {
            store::set_keep_exports(k);
            dispatch.dispatch(Msg::Keep(k));
            if let Some(h) = &state.history {
                if k && !state.kept.iter().any(|x| x.fingerprint == h.current.fingerprint) {
                    keep(h, &dispatch);
                }
            }
        })
    };
    let on_forget = {
        let runner = runner.clone();
        let dispatch = dispatch.clone();
        let shown = state.report.is_some();
        Callback::from(move |which: Option<String>| {
            let runner = runner.clone();
            let d = dispatch.clone();
            let then = Callback::from(move |r: Result<(), String>| match r {
                Ok(()) => refresh(&runner, &d, shown),
                Err(e) => d.dispatch(Msg::HistoryNote(Some(e))),
            });
            match which {
                Some(fp) => idb::forget(&fp, then),
                None => idb::forget_all(then),
            }
        })
    };

    let s = &*state;
    let insights = s.history.as_ref().map(|h| Rc::new(h.insights.clone()));
    let across = Rc::new(insights.as_ref().filter(|i| i.exports.len() > 1).map(|i| i.alerts.clone()).unwrap_or_default());
    let platforms = s.history.as_ref().map(|h| h.platforms.clone()).unwrap_or_default();
    let detected = s.history.as_ref().and_then(|h| h.detected_platform.clone()).map(AttrValue::from);
    let current = s.history.as_ref().map(|h| AttrValue::from(h.current.fingerprint.clone()));
    let elapsed = match s.phase {
        Phase::Done(ms) => ms,
        _ => 0.0,
    };
    html! {
        <section class="view file" aria-labelledby="file-title">
            if s.dragging {
                <div class="drop-overlay" aria-hidden="true"><p>{ "Drop the files to analyse them" }</p></div>
            }
            <h1 id="file-title">{ "Analyse a bounce export" }</h1>
            <p class="lede">{ "Drop one or more exports from your email platform anywhere on this page: CSV or TSV, JSON or JSON Lines, .eml or mbox, text with one reply per line, or a zip of those. Files of any size are read in pieces inside your browser; nothing is uploaded." }</p>
            <drop_zone::DropZone {on_files} {on_notice} />
            if let Some(n) = &s.notice {
                <div class="notices" role="status">{ n }</div>
            }
            {
                match &s.phase {
                    Phase::Running(p) => html! { <progress::ProgressBox progress={p.clone()} {on_cancel} /> },
                    Phase::Failed(m) => html! { <div class="notices error" role="alert" data-testid="file-error">{ m }</div> },
                    Phase::Idle | Phase::Done(_) => html! {},
                }
            }
            if let (Some(rep), false) = (&s.report, s.running()) {
                <columns::FilesPanel report={rep.clone()} {on_role} />
                if rep.analysed > 0 {
                    <summary::Summary report={rep.clone()} {elapsed} {on_sent} />
                    <alerts::Alerts report={rep.clone()} {across} />
                    if let Some(i) = &insights {
                        <history::Compare insights={i.clone()} />
                        <history::Trend insights={i.clone()} />
                    }
                    <actions::ActionTable report={rep.clone()} />
                    <downloads::Downloads {on_download} {on_export} {platforms} {detected} saved={s.saved.clone().map(AttrValue::from)} />
                    <rows_table::RowsTable page={s.rows.clone()} {on_query} />
                }
                <bad_rows::BadRows report={rep.clone()} />
            }
            <history::KeptList kept={s.kept.clone()} keep={s.keep} {current} {on_keep} {on_forget} note={s.history_note.clone().map(AttrValue::from)} />
        </section>
    }
}
