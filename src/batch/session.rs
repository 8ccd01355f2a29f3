//! The analysis session: one streaming pass over one or more files. Bytes are pushed in with
//! [`Session::feed`] (any chunk size); the session sniffs each file's format and encoding from
//! its first 64 KB, picks a push parser, decides the columns from the first rows, and turns
//! every row into a compact [`Row`] whose verdict is shared with every row of the same reply.
//! Nothing holds the whole file.

use super::columns::{self, Mapping};
use super::dates::{day_of, dotted_to_iso_in, epoch_to_iso_in};
use super::input::{self, BadRecord, CsvParser, Format, JsonArrayParser, LineParser, Record, Sink};
use super::interner::{hash_str, Interner};
use super::rowkey::{hash128, masked_key, normalize_reply};
use super::verdict::classify_row;
use super::{BadRow, FileInfo, Options};
use crate::classify::Classifier;
use crate::model::{BounceType, Id, Verdict};
use crate::smtp::address;
use crate::text::{encoding, mbox, Transcoder};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How many records are read before the columns are decided.
const SAMPLE_RECORDS: usize = 200;
/// How many bad rows are listed one by one (all are counted).
const LISTED_BAD_ROWS: usize = 500;

/// A distinct verdict and how it is shared by rows.
#[derive(Clone, Debug)]
pub struct VerdictEntry {
    pub verdict: Arc<Verdict>,
    /// The platform's label that came with it, if any (for label/verdict comparisons).
    pub label_kind: Option<BounceType>,
}

/// One analysed row, compactly: ids into the session's tables.
#[derive(Clone, Copy, Debug)]
pub struct Row {
    pub file: u16,
    pub line: u32,
    pub addr: u32,
    pub domain: u32,
    pub verdict: u32,
    pub campaign: u32,
    pub label: u32,
    /// Offset and length of the date text in the date arena.
    pub date_off: u32,
    pub date_len: u16,
    /// The day (or campaign) key used to count separate occasions.
    pub day: u32,
}

enum Parser {
    Csv(CsvParser),
    Lines(LineParser),
    JsonArray(JsonArrayParser),
    /// Whole-document formats, kept until the end of the file (emails, a JSON object).
    Whole(Vec<u8>),
    /// Mbox: messages are analysed one by one as their separators arrive.
    Mbox(mbox::Splitter),
    Skip,
}

struct Current {
    index: usize,
    raw_head: Vec<u8>,
    decided: bool,
    transcoder: Option<Transcoder>,
    parser: Parser,
    text: Vec<u8>,
    headers: Option<Vec<String>>,
    pending: Vec<(u64, Record)>,
    mapping: Option<Mapping>,
    /// JSON: the column index of each key seen.
    keys: FxHashMap<String, usize>,
    /// The label every row of this layout carries implicitly (Mailchimp's cleaned contacts are
    /// all hard bounces).
    implied_label: Option<String>,
    /// The campaign column holds one value only: separate occasions are told by date.
    campaign_constant: bool,
    /// NUL bytes removed from the text (a damaged export may hold a few; they are never text).
    nuls: u64,
}

/// The most notes kept for one file (an mbox of damaged messages could give one each).
const MAX_NOTES: usize = 20;

/// Progress of a running analysis.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Progress {
    pub bytes: u64,
    pub rows: u64,
    pub bad_rows: u64,
}

/// One analysis over one or more files.
pub struct Session {
    pub options: Options,
    pub files: Vec<FileInfo>,
    pub verdicts: Vec<VerdictEntry>,
    /// Verdict ids by the 128-bit hash of a row's inputs, masked.
    cache: FxHashMap<u128, u32>,
    pub addresses: Interner,
    pub domains: Interner,
    domain_provider: Vec<Option<u16>>,
    pub campaigns: Interner,
    pub labels: Interner,
    days: Interner,
    pub dates: String,
    pub rows: Vec<Row>,
    pub bad_rows: Vec<BadRow>,
    pub bad_count: u64,
    pub bytes: u64,
    /// The input size announced by [`Session::expect_bytes`], until room is reserved for it.
    expected_bytes: Option<u64>,
    cur: Option<Current>,
    scratch: String,
}

impl Default for Session {
    fn default() -> Self {
        Self::new(Options::default())
    }
}

impl Session {
    pub fn new(options: Options) -> Session {
        Session {
            options,
            files: vec![],
            verdicts: vec![],
            cache: FxHashMap::default(),
            addresses: Interner::new(),
            domains: Interner::new(),
            domain_provider: vec![None],
            campaigns: Interner::new(),
            labels: Interner::new(),
            days: Interner::new(),
            dates: String::new(),
            rows: vec![],
            bad_rows: vec![],
            bad_count: 0,
            bytes: 0,
            cur: None,
            scratch: String::new(),
            expected_bytes: None,
        }
    }

    /// Announces about how many bytes of input will come, so that the tables can be sized
    /// once instead of regrowing. The room is reserved after the first rows, from the bytes
    /// per row and the share of distinct addresses seen so far: growing by doubling would
    /// leave freed copies in WebAssembly memory, which never shrinks (5M rows: 1.36 GB of
    /// worker memory), and a fixed guess of the row size reserves room that is never used.
    pub fn expect_bytes(&mut self, bytes: u64) {
        self.expected_bytes = Some(bytes);
    }

    fn reserve_from_sample(&mut self) {
        let Some(expected) = self.expected_bytes else { return };
        let rows = self.rows.len();
        if rows < 2000 || self.bytes == 0 {
            return;
        }
        self.expected_bytes = None;
        let per_byte = rows as f64 / self.bytes as f64;
        let more = ((expected.saturating_sub(self.bytes)) as f64 * per_byte * 1.02).min(100e6) as usize;
        let distinct = (self.addresses.len() as f64 / rows as f64).min(1.0);
        self.rows.reserve(more);
        self.addresses.reserve((more as f64 * distinct * 1.02) as usize);
        self.dates.reserve((more as f64 * self.dates.len() as f64 / rows as f64 * 1.02) as usize);
    }

    pub fn progress(&self) -> Progress {
        Progress { bytes: self.bytes, rows: self.rows.len() as u64, bad_rows: self.bad_count }
    }

    /// Adds a note to the file being read (or the last one).
    pub fn note(&mut self, text: String) {
        if let Some(f) = self.files.last_mut() {
            if f.notes.len() < MAX_NOTES && !f.notes.contains(&text) {
                f.notes.push(text);
            }
        }
    }

    /// Starts a file. Its bytes follow with [`Session::feed`], then [`Session::end_file`].
    pub fn begin_file(&mut self, name: &str) {
        self.end_file();
        let index = self.files.len();
        self.files.push(FileInfo {
            name: name.to_string(),
            format: Format::Empty,
            format_label: Format::Empty.label().into(),
            encoding: String::new(),
            bytes: 0,
            rows: 0,
            analysed: 0,
            bad_rows: 0,
            other_events: vec![],
            headers: vec![],
            roles: vec![],
            layout: None,
            samples: vec![],
            problem: None,
            notes: vec![],
            delimiter: None,
            text_encoding: None,
        });
        self.cur = Some(Current {
            index,
            raw_head: Vec::new(),
            decided: false,
            transcoder: None,
            parser: Parser::Skip,
            text: Vec::new(),
            headers: None,
            pending: vec![],
            mapping: None,
            keys: FxHashMap::default(),
            implied_label: None,
            campaign_constant: false,
            nuls: 0,
        });
    }

    /// Feeds the next bytes of the current file.
    pub fn feed(&mut self, chunk: &[u8]) {
        self.bytes += chunk.len() as u64;
        let Some(mut cur) = self.cur.take() else { return };
        self.files[cur.index].bytes += chunk.len() as u64;
        if !cur.decided {
            cur.raw_head.extend_from_slice(chunk);
            if cur.raw_head.len() < 64 * 1024 {
                self.cur = Some(cur);
                return;
            }
            let head = std::mem::take(&mut cur.raw_head);
            self.decide(&mut cur, &head);
            self.push_bytes(&mut cur, &head, false);
        } else {
            self.push_bytes(&mut cur, chunk, false);
        }
        self.cur = Some(cur);
        self.reserve_from_sample();
    }

    /// Ends the current file.
    pub fn end_file(&mut self) {
        let Some(mut cur) = self.cur.take() else { return };
        if !cur.decided {
            let head = std::mem::take(&mut cur.raw_head);
            self.decide(&mut cur, &head);
            self.push_bytes(&mut cur, &head, true);
        } else {
            self.push_bytes(&mut cur, &[], true);
        }
        // A file shorter than the sample: decide its columns now.
        if cur.mapping.is_none() && !cur.pending.is_empty() {
            self.decide_mapping(&mut cur);
        }
        self.flush_pending(&mut cur);
        if cur.nuls > 0 && self.files[cur.index].problem.is_none() {
            let n = cur.nuls;
            let what = if n == 1 { "A NUL byte (character 0, which text never holds) was".to_string() } else { format!("{n} NUL bytes (character 0, which text never holds) were") };
            self.files[cur.index].notes.push(format!("{what} removed; the rows that held {} are read without {}.", if n == 1 { "it" } else { "them" }, if n == 1 { "it" } else { "them" }));
        }
        match std::mem::replace(&mut cur.parser, Parser::Skip) {
            Parser::Whole(bytes) => self.whole_document(&mut cur, &bytes),
            Parser::Mbox(mut splitter) => splitter.finish(|p| {
                if let mbox::Piece::Message(m) = p {
                    self.email(&mut cur, m)
                }
            }),
            _ => {}
        }
        let f = &mut self.files[cur.index];
        if f.problem.is_none() && f.analysed == 0 {
            f.problem = Some(match f.format {
                Format::Empty => "The file is empty.".to_string(),
                Format::Binary => "This is not a text file bouncelens can read (it looks binary). Export the data as CSV, JSON or text.".to_string(),
                _ if f.rows == 0 && f.bad_rows == 0 => "No rows could be read from this file.".to_string(),
                _ if cur.mapping.as_ref().is_some_and(|m| m.address.is_none()) => format!(
                    "No column with email addresses was found. The columns are: {}. Choose the address column to analyse the file.",
                    f.headers.iter().map(|h| format!("\"{h}\"")).collect::<Vec<_>>().join(", ")
                ),
                _ if f.bad_rows > 0 && f.bad_rows >= f.rows => match self.bad_rows.iter().find(|b| b.file == f.name) {
                    Some(b) => format!("No row of this file could be read: {} (row {}{}).", b.reason, b.row, if f.bad_rows > 1 { format!(", and {} more bad rows", f.bad_rows - 1) } else { String::new() }),
                    None => "No row of this file could be read.".to_string(),
                },
                _ => "No row held a bounce that could be analysed.".to_string(),
            });
        }
    }

    fn decide(&mut self, cur: &mut Current, head: &[u8]) {
        cur.decided = true;
        let enc = encoding::sniff(head);
        let mut tr = Transcoder::new(enc);
        let mut text_head = vec![];
        tr.feed(&head[..head.len().min(64 * 1024)], &mut text_head, false);
        let name = self.files[cur.index].name.clone();
        let format = input::sniff_format(&name, head, &text_head);
        let f = &mut self.files[cur.index];
        f.format = format;
        f.format_label = format.label().into();
        f.encoding = enc.label().into();
        f.text_encoding = Some(enc);
        cur.parser = match format {
            Format::Csv => {
                let d = input::sniff_delimiter(&String::from_utf8_lossy(&text_head)).unwrap_or(b',');
                f.delimiter = Some(d);
                Parser::Csv(CsvParser::new(d))
            }
            Format::Tsv => {
                f.delimiter = Some(b'\t');
                Parser::Csv(CsvParser::new(b'\t'))
            }
            Format::JsonLines => Parser::Lines(LineParser::new(true)),
            Format::Text => Parser::Lines(LineParser::new(false)),
            Format::JsonArray => Parser::JsonArray(JsonArrayParser::new()),
            Format::JsonObject | Format::Email => Parser::Whole(Vec::new()),
            Format::Mbox => Parser::Mbox(mbox::Splitter::default()),
            Format::Zip | Format::Binary | Format::Empty => Parser::Skip,
        };
        if format == Format::Zip {
            f.problem = Some("A zip archive must be opened with its entries (the app and the CLI do that); it cannot be streamed as one file.".into());
        }
        cur.transcoder = Some(tr);
    }

    fn push_bytes(&mut self, cur: &mut Current, raw: &[u8], last: bool) {
        let Some(tr) = cur.transcoder.as_mut() else { return };
        let mut text = std::mem::take(&mut cur.text);
        text.clear();
        tr.feed(raw, &mut text, last);
        if memchr::memchr(0, &text).is_some() {
            let before = text.len();
            text.retain(|b| *b != 0);
            cur.nuls += (before - text.len()) as u64;
        }
        let mut parser = std::mem::replace(&mut cur.parser, Parser::Skip);
        {
            let mut sink = RowSink { session: self, cur };
            match &mut parser {
                Parser::Csv(p) => p.feed(&text, last, &mut sink),
                Parser::Lines(p) => p.feed(&text, last, &mut sink),
                Parser::JsonArray(p) => p.feed(&text, last, &mut sink),
                Parser::Whole(buf) => {
                    if buf.len() < input::MAX_EMAIL_BYTES {
                        buf.extend_from_slice(&text);
                    }
                }
                Parser::Mbox(splitter) => splitter.feed(&text, input::MAX_EMAIL_BYTES, |p| match p {
                    // Every complete message is analysed; the last (maybe partial) one waits.
                    mbox::Piece::Message(m) => sink.session.email(sink.cur, m),
                    mbox::Piece::TooLong => sink.session.bad(sink.cur, 0, "a message larger than 64 MB was skipped".into()),
                }),
                Parser::Skip => {}
            }
        }
        cur.parser = parser;
        cur.text = text;
    }

    fn whole_document(&mut self, cur: &mut Current, bytes: &[u8]) {
        match self.files[cur.index].format {
            Format::Email => self.email(cur, bytes),
            Format::JsonObject => match serde_json::from_slice::<serde_json::Value>(bytes) {
                Ok(v) => {
                    let mut sink = RowSink { session: self, cur };
                    // An API page ({"items": [...]}) or a single notification.
                    input::emit_json(1, &v, &mut sink);
                    if cur.mapping.is_none() && !cur.pending.is_empty() {
                        self.decide_mapping(cur);
                    }
                    self.flush_pending(cur);
                }
                Err(e) => self.bad(cur, 1, input::json_error(&e)),
            },
            _ => {}
        }
    }

    /// One email (or an mbox message): its records join the rows.
    fn email(&mut self, cur: &mut Current, bytes: &[u8]) {
        let name = self.files[cur.index].name.clone();
        let n = self.files[cur.index].rows + 1;
        let reading = crate::email::read_file(bytes, &format!("{name}#{n}"));
        for note in reading.notes {
            self.note(note);
        }
        let records = reading.records;
        self.files[cur.index].rows += 1;
        if records.is_empty() {
            self.bad(cur, n, "no bounce found in this email".into());
        }
        for r in records {
            let Some(addr) = r.recipient.clone() else {
                let reason = if r.verdict.category == crate::model::Category::Complaint {
                    "a complaint report with the recipient's address redacted (nothing to suppress)"
                } else {
                    "a bounce without a recipient address"
                };
                self.bad(cur, n, reason.into());
                continue;
            };
            let enhanced = r.verdict.enhanced_code.map(|c| c.to_string()).unwrap_or_default();
            let key = hash128(&["email", &r.verdict.diagnostic, &enhanced, r.verdict.category.id(), r.verdict.provider_id().unwrap_or("")], false, None);
            let vid = match self.cache.get(&key) {
                Some(v) => *v,
                None => {
                    let id = self.verdicts.len() as u32;
                    self.verdicts.push(VerdictEntry { verdict: Arc::new(r.verdict.clone()), label_kind: None });
                    self.cache.insert(key, id);
                    id
                }
            };
            let campaign = r.context.list_id.as_deref().or(r.context.original_subject.as_deref()).unwrap_or("");
            let date = r.context.date.clone().unwrap_or_default();
            let addr = address::normalize(&addr);
            let domain_id = self.domains.intern(address::domain(&addr));
            self.push_row(cur, n, &addr, hash_str(&addr), domain_id, vid, campaign, "", &date);
        }
    }

    fn bad(&mut self, cur: &mut Current, row: u64, reason: String) {
        self.bad_count += 1;
        self.files[cur.index].bad_rows += 1;
        if self.bad_rows.len() < LISTED_BAD_ROWS {
            self.bad_rows.push(BadRow { file: self.files[cur.index].name.clone(), row, reason });
        }
    }

    fn decide_mapping(&mut self, cur: &mut Current) {
        let f = &mut self.files[cur.index];
        // Tables: the first record is the header unless it holds data.
        let mut samples: Vec<Vec<String>> = vec![];
        let mut headers: Vec<String> = cur.headers.clone().unwrap_or_default();
        let first_is_table = matches!(cur.pending.first(), Some((_, Record::Fields(_))));
        if first_is_table && cur.headers.is_none() {
            let first = match &cur.pending[0].1 {
                Record::Fields(f) => f.clone(),
                _ => vec![],
            };
            if f.format != Format::Text && columns::is_header(&first) {
                headers = first;
                cur.pending.remove(0);
            } else if f.format == Format::Text {
                headers = vec!["reply".into()];
            } else {
                headers = (1..=first.len()).map(|i| format!("column {i}")).collect();
            }
        }
        for (_, rec) in &cur.pending {
            match rec {
                Record::Fields(v) => samples.push(v.clone()),
                Record::Pairs(p) => {
                    let mut row = vec![String::new(); headers.len()];
                    for (k, v) in p {
                        let idx = match cur.keys.get(k) {
                            Some(i) => *i,
                            None => {
                                let i = headers.len();
                                headers.push(k.clone());
                                cur.keys.insert(k.clone(), i);
                                row.push(String::new());
                                i
                            }
                        };
                        if idx < row.len() {
                            row[idx] = v.clone();
                        }
                    }
                    samples.push(row);
                }
            }
        }
        let mut mapping = if f.format == Format::Text {
            // One reply per line: the line is the diagnostic; an address in it is the recipient.
            Mapping { diagnostic: vec![0], ..Default::default() }
        } else {
            columns::detect(&headers, &samples)
        };
        if let Some(o) = &self.options.mapping {
            columns::apply_override(&mut mapping, &headers, o);
        }
        if let Some(c) = mapping.campaign {
            let distinct: std::collections::HashSet<&str> = samples.iter().filter_map(|r| r.get(c)).map(|s| s.as_str()).collect();
            cur.campaign_constant = distinct.len() <= 1 && samples.len() > 1;
        }
        let layout = columns::layout(&headers);
        f.layout = layout.map(|l| l.name.clone());
        if mapping.vendor_label.is_empty() {
            cur.implied_label = layout.and_then(|l| l.implied_label.clone());
        }
        f.roles = (0..headers.len()).map(|c| mapping.role_of(c)).collect();
        f.samples = (0..headers.len()).map(|c| samples.iter().filter_map(|r| r.get(c)).filter(|v| !v.trim().is_empty()).take(3).map(|v| v.chars().take(120).collect()).collect()).collect();
        f.headers = headers.clone();
        cur.headers = Some(headers);
        cur.mapping = Some(mapping);
    }

    /// Analyses the records kept while the columns were being decided.
    fn flush_pending(&mut self, cur: &mut Current) {
        let pending = std::mem::take(&mut cur.pending);
        for (row, rec) in pending {
            match rec {
                Record::Fields(f) => {
                    let refs: Vec<&str> = f.iter().map(|s| s.as_str()).collect();
                    self.process(cur, row, &refs);
                }
                Record::Pairs(p) => self.process_pairs(cur, row, p),
            }
        }
    }

    /// A JSON record: its values placed in the columns of their keys.
    fn process_pairs(&mut self, cur: &mut Current, row: u64, pairs: Vec<(String, String)>) {
        let headers = cur.headers.get_or_insert_with(Vec::new);
        let mut out = vec![String::new(); headers.len()];
        for (k, v) in pairs {
            let idx = match cur.keys.get(&k) {
                Some(i) => *i,
                None => {
                    // A key first seen after the sample plays no role.
                    let i = headers.len();
                    headers.push(k.clone());
                    cur.keys.insert(k, i);
                    out.push(String::new());
                    i
                }
            };
            if idx < out.len() {
                out[idx] = v;
            }
        }
        let refs: Vec<&str> = out.iter().map(|s| s.as_str()).collect();
        self.process(cur, row, &refs);
    }

    fn process(&mut self, cur: &mut Current, row: u64, fields: &[&str]) {
        let mapping = cur.mapping.take().unwrap_or_default();
        self.process_mapped(cur, row, fields, &mapping);
        cur.mapping = Some(mapping);
    }

    fn process_mapped(&mut self, cur: &mut Current, row: u64, fields: &[&str], mapping: &Mapping) {
        self.files[cur.index].rows += 1;
        let get = |c: Option<usize>| c.and_then(|c| fields.get(c)).map(|s| s.trim()).unwrap_or("");
        let format = self.files[cur.index].format;
        // The event type: only bounces (and complaints) are analysed; other events are counted.
        let event = get(mapping.event);
        let mut complaint = false;
        if !event.is_empty() {
            let e = event.to_ascii_lowercase();
            let e = e.trim();
            let words = &Classifier::get().knowledge().exports;
            if words.complaint_events.iter().any(|w| w == e) {
                complaint = true;
            } else if !words.failure_event_words.iter().any(|w| e.contains(w.as_str())) {
                let f = &mut self.files[cur.index];
                match f.other_events.iter_mut().find(|(k, _)| k == e) {
                    Some((_, n)) => *n += 1,
                    None => f.other_events.push((e.to_string(), 1)),
                }
                return;
            }
        }
        // The reply text: one column (borrowed) or several joined.
        let mut parts: [&str; 4] = [""; 4];
        let mut nparts = 0;
        for &c in &mapping.diagnostic {
            if let Some(v) = fields.get(c) {
                let v = v.trim();
                if !v.is_empty() && nparts < parts.len() && !parts[..nparts].iter().any(|p| p.contains(v)) {
                    parts[nparts] = v;
                    nparts += 1;
                }
            }
        }
        let mut joined = std::mem::take(&mut self.scratch);
        joined.clear();
        let raw_diag: &str = if nparts <= 1 {
            parts[0]
        } else {
            for (i, p) in parts[..nparts].iter().enumerate() {
                if i > 0 {
                    joined.push_str(" | ");
                }
                joined.push_str(p);
            }
            &joined
        };
        let mut addr_owned = None;
        let mut addr_raw = get(mapping.address);
        if addr_raw.is_empty() && format == Format::Text {
            addr_owned = crate::classify::extract::clean(raw_diag).recipient;
            addr_raw = addr_owned.as_deref().unwrap_or("");
        }
        let addr = address::normalize_cow(addr_raw);
        let _ = &addr_owned;
        if addr.is_empty() {
            let reason = if mapping.address.is_none() { "no address column" } else { "no address in this row" };
            self.bad(cur, row, reason.into());
            self.scratch = joined;
            return;
        }
        if !address::is_valid(&addr) {
            self.bad(cur, row, format!("\"{}\" is not an email address", addr.chars().take(80).collect::<String>()));
            self.scratch = joined;
            return;
        }
        // The address table is big and its slot is a cache miss: ask for it now and do the
        // rest of the row's work while it arrives.
        let addr_tag = hash_str(&addr);
        self.addresses.prefetch(addr_tag);
        let reply = get(mapping.reply_code);
        let status = get(mapping.status);
        let mut label_buf = String::new();
        let mut label: &str = "";
        // Taken out while the row borrows it, put back after the row is stored.
        let implied = cur.implied_label.take();
        // Without a label column, an event like "hard_bounce" or "blocked" is the label.
        if mapping.vendor_label.is_empty() && !event.is_empty() && !complaint {
            label = event;
        } else if let Some(l) = implied.as_deref() {
            label = l;
        }
        for &c in &mapping.vendor_label {
            if let Some(v) = fields.get(c) {
                let v = v.trim();
                if !v.is_empty() {
                    if label.is_empty() {
                        label = v;
                    } else {
                        if label_buf.is_empty() {
                            label_buf.push_str(label);
                        }
                        label_buf.push('/');
                        label_buf.push_str(v);
                    }
                }
            }
        }
        if !label_buf.is_empty() {
            label = &label_buf;
        }
        let at = addr.as_bytes().iter().rposition(|&b| b == b'@').map(|i| i + 1).unwrap_or(addr.len());
        let domain = &addr[at..];
        let domain_id = self.domains.intern(domain);
        if self.domain_provider.len() <= domain_id as usize {
            let c = Classifier::get();
            let p = c.identify_provider("", None, Some(&addr)).and_then(|found| c.knowledge().providers.iter().position(|p| p.id == found.id)).map(|i| i as u16);
            self.domain_provider.push(p);
        }
        let provider = self.domain_provider[domain_id as usize];
        // The verdict depends on: the reply, the codes, the label, the provider, a complaint.
        // Exact repeats are found by the hash of the inputs as written; otherwise addresses,
        // IPs and one-off ids are masked and the masked reply is looked up (or classified once).
        // One pass hashes the reply as masked, without building the masked text; only a reply
        // not seen before is masked for real and classified.
        let key = masked_key(raw_diag, &[reply, status, label], complaint, provider);
        let vid = match self.cache.get(&key) {
            Some(v) => *v,
            None => {
                let diag = normalize_reply(raw_diag);
                let v = classify_row(&diag, reply, status, label, provider, complaint);
                let label_kind = if label.is_empty() { None } else { Classifier::get().label_meaning(label).map(|(_, k)| k) };
                let id = self.verdicts.len() as u32;
                self.verdicts.push(VerdictEntry { verdict: Arc::new(v), label_kind });
                self.cache.insert(key, id);
                id
            }
        };
        let campaign = get(mapping.campaign);
        let date = get(mapping.date);
        self.push_row(cur, row, &addr, addr_tag, domain_id, vid, campaign, label, date);
        cur.implied_label = implied;
        self.scratch = joined;
    }

    #[allow(clippy::too_many_arguments)]
    fn push_row(&mut self, cur: &mut Current, line: u64, addr: &str, addr_tag: u32, domain_id: u32, vid: u32, campaign: &str, label: &str, date: &str) {
        let addr_id = self.addresses.intern_hashed(addr, addr_tag);
        while self.domain_provider.len() <= domain_id as usize {
            self.domain_provider.push(None);
        }
        let campaign_id = self.campaigns.intern(campaign);
        let label_id = self.labels.intern(label);
        let date_off = self.dates.len() as u32;
        // Unix timestamps (seconds or milliseconds) are written as dates people read.
        // Day-first dotted dates are written year first.
        let mut epoch_buf = [0u8; 23];
        let mut dotted_buf = [0u8; 40];
        let date = match epoch_to_iso_in(date, &mut epoch_buf) {
            Some(d) => d,
            None if date.as_bytes().get(1..3).is_some_and(|b| b.contains(&b'.')) => dotted_to_iso_in(date, &mut dotted_buf).unwrap_or(date),
            None => date,
        };
        let mut cut = date.len().min(40);
        while !date.is_char_boundary(cut) {
            cut -= 1;
        }
        self.dates.push_str(&date[..cut]);
        // Separate occasions: the campaign when known, else the calendar day of the date.
        let day = if !campaign.is_empty() && !cur.campaign_constant { campaign_id | 1 << 31 } else { self.days.intern(day_of(date)) };
        self.rows.push(Row {
            file: cur.index as u16,
            line: line.min(u32::MAX as u64) as u32,
            addr: addr_id,
            domain: domain_id,
            verdict: vid,
            campaign: campaign_id,
            label: label_id,
            date_off,
            date_len: cut as u16,
            day,
        });
        self.files[cur.index].analysed += 1;
    }

    /// The date text of a row.
    pub fn date(&self, r: &Row) -> &str {
        let s = r.date_off as usize;
        self.dates.get(s..s + r.date_len as usize).unwrap_or("")
    }

    pub fn verdict(&self, r: &Row) -> &Verdict {
        &self.verdicts[r.verdict as usize].verdict
    }

    /// Names a row's source: "file.csv, row 12".
    pub fn source(&self, r: &Row) -> String {
        format!("{}, row {}", self.files.get(r.file as usize).map(|f| f.name.as_str()).unwrap_or(""), r.line)
    }
}

struct RowSink<'a> {
    session: &'a mut Session,
    cur: &'a mut Current,
}

impl RowSink<'_> {
    fn sampled(&mut self, row: u64, rec: Record) {
        self.cur.pending.push((row, rec));
        if self.cur.pending.len() >= SAMPLE_RECORDS {
            self.session.decide_mapping(self.cur);
            self.session.flush_pending(self.cur);
        }
    }
}

impl Sink for RowSink<'_> {
    fn fields(&mut self, row: u64, fields: &[&str]) {
        if self.cur.mapping.is_none() {
            self.sampled(row, Record::Fields(fields.iter().map(|s| s.to_string()).collect()));
        } else {
            self.session.process(self.cur, row, fields);
        }
    }
    fn pairs(&mut self, row: u64, pairs: Vec<(String, String)>) {
        if self.cur.mapping.is_none() {
            self.sampled(row, Record::Pairs(pairs));
        } else {
            self.session.process_pairs(self.cur, row, pairs);
        }
    }
    fn bad(&mut self, bad: BadRecord) {
        self.session.files[self.cur.index].rows += 1;
        self.session.bad(self.cur, bad.row, bad.reason);
    }
}
