//! File analysis in the worker: each `File` is read in 4 MB slices with `FileReaderSync` (a
//! zip through a seekable reader over the same slices), so a file is never held whole; progress
//! goes to the page every 100 ms and the report at the end. The session stays here, to answer
//! queries of the rows table and to build the downloads.

use super::post;
use crate::batch::{self, report::RowQuery, Options, Session};
use crate::ui::protocol::{Download, Progress, Response, Ticket};
use js_sys::{Array, Uint8Array};
use std::cell::RefCell;
use std::io::{self, Read, Seek, SeekFrom};
use wasm_bindgen::JsCast;
use web_sys::{Blob, File, FileReaderSync};

const CHUNK: usize = 4 << 20;

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

struct State {
    session: Session,
    files: Vec<File>,
}

/// The size of the worker's WebAssembly memory (it only grows): for the benchmark's figures.
fn wasm_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|m| m.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map(|b| b.byte_length() as f64)
        .unwrap_or(0.0)
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// Reads slices of a `File` synchronously.
struct FileSource {
    file: File,
    reader: FileReaderSync,
    pos: u64,
    size: u64,
}

impl FileSource {
    fn new(file: File) -> Result<FileSource, String> {
        let reader = FileReaderSync::new().map_err(|_| "this browser cannot read files in a worker".to_string())?;
        let size = file.size() as u64;
        Ok(FileSource { file, reader, pos: 0, size })
    }

    fn read_at(&self, start: u64, len: usize) -> io::Result<Vec<u8>> {
        let end = (start + len as u64).min(self.size);
        if start >= end {
            return Ok(vec![]);
        }
        let blob = self.file.slice_with_f64_and_f64(start as f64, end as f64).map_err(|_| io::Error::other("cannot slice the file"))?;
        let buf = self.reader.read_as_array_buffer(&blob).map_err(|_| io::Error::other("the file could not be read (was it moved or deleted?)"))?;
        Ok(Uint8Array::new(&buf).to_vec())
    }
}

impl Read for FileSource {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let data = self.read_at(self.pos, out.len())?;
        out[..data.len()].copy_from_slice(&data);
        self.pos += data.len() as u64;
        Ok(data.len())
    }
}

impl Seek for FileSource {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let p = match to {
            SeekFrom::Start(p) => p as i64,
            SeekFrom::End(d) => self.size as i64 + d,
            SeekFrom::Current(d) => self.pos as i64 + d,
        };
        if p < 0 {
            return Err(io::Error::other("seek before the start"));
        }
        self.pos = p as u64;
        Ok(self.pos)
    }
}

struct Ticker {
    last: f64,
    start: f64,
    total: f64,
}

impl Ticker {
    fn tick(&mut self, s: &Session, file: &str, force: bool) {
        let t = now();
        if !force && t - self.last < 100.0 {
            return;
        }
        self.last = t;
        let p = s.progress();
        post(&Response::Progress(Progress {
            bytes: p.bytes as f64,
            total: self.total,
            rows: p.rows as f64,
            bad: p.bad_rows as f64,
            elapsed: t - self.start,
            file: file.to_string(),
        }));
    }
}

pub fn analyze(list: &Array, options: Options) -> Result<Response, String> {
    let files: Vec<File> = list.iter().filter_map(|f| f.dyn_into::<File>().ok()).collect();
    if files.is_empty() {
        return Err("no files to analyse".into());
    }
    let mut session = Session::new(options);
    let total: f64 = files.iter().map(|f| f.size()).sum();
    session.expect_bytes(total as u64);
    let mut progress = Ticker { last: 0.0, start: now(), total };
    for file in &files {
        let name = file.name();
        let src = FileSource::new(file.clone())?;
        let head = src.read_at(0, 8).map_err(|e| e.to_string())?;
        // Archives, compressed exports and workbooks: what they hold (see batch::archive).
        if crate::text::container(&head) != crate::text::Container::Plain {
            let reader = io::BufReader::with_capacity(256 * 1024, src);
            batch::feed_any(&mut session, &name, reader, CHUNK).map_err(|e| format!("{name}: {e}"))?;
            progress.tick(&session, &name, true);
            continue;
        }
        session.begin_file(&name);
        let mut pos = 0u64;
        while pos < src.size {
            let chunk = src.read_at(pos, CHUNK).map_err(|e| format!("{name}: {e}"))?;
            if chunk.is_empty() {
                break;
            }
            pos += chunk.len() as u64;
            session.feed(&chunk);
            progress.tick(&session, &name, false);
        }
        session.end_file();
        progress.tick(&session, &name, true);
    }
    let report = Box::new(session.report());
    let elapsed = now() - progress.start;
    STATE.with(|s| *s.borrow_mut() = Some(State { session, files }));
    Ok(Response::Done { report, elapsed, wasm_bytes: wasm_bytes() })
}

pub fn rows(ticket: Ticket, q: &RowQuery) -> Result<Response, String> {
    let page = STATE.with(|s| s.borrow().as_ref().map(|st| st.session.rows_page(q)));
    let Some(page) = page else { return Err("no analysis yet".into()) };
    Ok(Response::Rows { ticket, page })
}

/// Collects output in parts of a few MB each, handed to JS as they fill, so a big download
/// never sits whole in wasm memory.
struct Parts {
    parts: Array,
    buf: Vec<u8>,
}

impl Parts {
    fn new() -> Parts {
        Parts { parts: Array::new(), buf: Vec::with_capacity(1 << 20) }
    }
    fn flush(&mut self) {
        if !self.buf.is_empty() {
            self.parts.push(&Uint8Array::from(&self.buf[..]));
            self.buf.clear();
        }
    }
    fn blob(mut self, mime: &str) -> Result<Blob, String> {
        self.flush();
        let opts = web_sys::BlobPropertyBag::new();
        opts.set_type(mime);
        Blob::new_with_u8_array_sequence_and_options(&self.parts, &opts).map_err(|_| "cannot build the download".to_string())
    }
}

impl io::Write for Parts {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(b);
        if self.buf.len() >= 4 << 20 {
            self.flush();
        }
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

pub fn download(what: Download) -> Result<Response, String> {
    STATE.with(|s| {
        let st = s.borrow();
        let st = st.as_ref().ok_or("no analysis yet")?;
        let mut out = Parts::new();
        let (name, mime, count) = match what {
            Download::Suppression => {
                let n = batch::export::suppression_csv(&st.session, &mut out).map_err(|e| e.to_string())?;
                ("suppression-list.csv", "text/csv", n)
            }
            Download::Domains => {
                let n = batch::export::domains_csv(&st.session, &mut out).map_err(|e| e.to_string())?;
                ("domains-to-suppress.csv", "text/csv", n)
            }
            Download::Reengagement => {
                let n = batch::export::reengagement_csv(&st.session, &mut out).map_err(|e| e.to_string())?;
                ("re-engagement-list.csv", "text/csv", n)
            }
            Download::Report => {
                batch::export::report_json(&st.session, &mut out).map_err(|e| e.to_string())?;
                ("bounce-report.json", "application/json", 1)
            }
            Download::Annotated => {
                // One table: the file itself with the verdict columns; otherwise every analysed
                // row with its verdict.
                let tables: Vec<usize> = (0..st.session.files.len()).filter(|i| st.session.files[*i].delimiter.is_some()).collect();
                let single = st.session.files.len() == 1 && tables.len() == 1 && st.files.len() == 1;
                if single {
                    let src = FileSource::new(st.files[0].clone())?;
                    let mut a = batch::export::Annotator::new(&st.session, 0, &mut out).ok_or("cannot annotate this file")?;
                    let mut pos = 0;
                    while pos < src.size {
                        let chunk = src.read_at(pos, CHUNK).map_err(|e| e.to_string())?;
                        if chunk.is_empty() {
                            break;
                        }
                        pos += chunk.len() as u64;
                        a.feed(&chunk, false);
                    }
                    a.feed(&[], true);
                    a.finish().map_err(|e| e.to_string())?;
                    ("annotated.csv", "text/csv", st.session.rows.len() as u64)
                } else {
                    let n = batch::export::rows_csv(&st.session, &mut out, None).map_err(|e| e.to_string())?;
                    ("annotated.csv", "text/csv", n)
                }
            }
        };
        let blob = out.blob(mime)?;
        Ok(Response::Download { what, name: name.into(), blob, count })
    })
}

/// The history with the last analysis as its latest export (see `ui::history`).
pub fn history(ticket: Ticket, kept: &Array, added: &str) -> Result<Response, String> {
    let kept: Vec<Vec<u8>> = kept.iter().filter_map(|b| b.dyn_into::<Uint8Array>().ok()).map(|b| b.to_vec()).collect();
    STATE.with(|s| {
        let st = s.borrow();
        let st = st.as_ref().ok_or("no analysis yet")?;
        Ok(Response::History { ticket, view: Box::new(crate::ui::history::view(&st.session, kept, added)) })
    })
}

/// A download with options (a platform's suppression file, the HTML report).
pub fn export(ticket: Ticket, what: &crate::ui::protocol::Export) -> Result<Response, String> {
    STATE.with(|s| {
        let st = s.borrow();
        let st = st.as_ref().ok_or("no analysis yet")?;
        let mut out = Parts::new();
        let (name, mime, count) = crate::ui::history::export(&st.session, what, &mut out)?;
        Ok(Response::Exported { ticket, name, blob: out.blob(mime)?, count })
    })
}
