//! Export files of any size: one streaming pass that reads rows, classifies each (replies repeat,
//! so each distinct reply is classified once), keeps a compact row store, and then summarises:
//! totals and shares, alerts from patterns across the file, the action table, the rows table
//! and the downloads. Plain Rust: the CLI runs it natively, the Web Worker in the browser.

pub mod columns;
pub mod export;
pub mod generate;
pub mod input;
pub mod report;

use crate::classify::{Classifier, Hints};
use crate::model::{BounceType, Category, Class, Id, Verdict};
use columns::{Mapping, MappingOverride, Role};
use input::{BadRecord, CsvParser, Format, JsonArrayParser, LineParser, Record, Sink, TextEncoding, Transcoder};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How many records are read before the columns are decided.
const SAMPLE_RECORDS: usize = 200;
/// How many bad rows are listed one by one (all are counted).
const LISTED_BAD_ROWS: usize = 500;

/// What the user tells the analysis.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Options {
    /// How many messages were sent (for bounce rates).
    pub sent: Option<u64>,
    /// Column roles chosen by the user, applied to every file with those column names.
    pub mapping: Option<MappingOverride>,
}

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

/// Strings stored once, referred to by id (id 0 is the empty string). The strings live in one
/// arena; the index maps a 32-bit hash to the id and every candidate is compared with the
/// string itself, so lookups never allocate and never confuse two strings.
#[derive(Debug)]
pub struct Interner {
    arena: String,
    /// (start, end) of each string in the arena.
    spans: Vec<(u32, u32)>,
    /// Open addressing with linear probing: each slot is `tag << 32 | (id + 1)`, 0 when empty.
    /// The slot index derives from the 32-bit tag, so growing never rereads the strings; a
    /// slot is 8 bytes and a lookup usually touches one cache line (a million addresses take
    /// 16 MB here, against about 34 MB in a `HashMap<u64, u32>`).
    slots: Vec<u64>,
    /// The last string interned (rows often repeat the previous row's campaign or day).
    last: u32,
}

impl Default for Interner {
    fn default() -> Self {
        Self::new()
    }
}

/// The 32-bit hash an [`Interner`] files a string under.
pub fn hash_str(s: &str) -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = rustc_hash::FxBuildHasher.build_hasher();
    h.write(s.as_bytes());
    h.write_u8(0xff);
    let h = h.finish();
    (h ^ (h >> 32)) as u32
}

impl Interner {
    pub fn new() -> Self {
        let mut i = Interner { arena: String::new(), spans: vec![], slots: vec![0; 16], last: 0 };
        i.intern("");
        i
    }

    fn slot_of(tag: u32, mask: usize) -> usize {
        // Fibonacci hashing spreads tags that differ only in high bits.
        (tag.wrapping_mul(0x9E37_79B9) as usize ^ (tag as usize >> 16)) & mask
    }

    pub fn intern(&mut self, s: &str) -> u32 {
        if !self.spans.is_empty() && self.get(self.last) == s {
            return self.last;
        }
        self.intern_hashed(s, hash_str(s))
    }

    /// Asks the CPU to fetch the slot where a string of this hash starts its probe, so that a
    /// later [`Interner::intern_hashed`] on a big table does not wait for memory.
    #[inline]
    pub fn prefetch(&self, tag: u32) {
        #[cfg(target_arch = "x86_64")]
        {
            let i = Self::slot_of(tag, self.slots.len() - 1);
            // SAFETY: a prefetch is only a hint; the pointer is in bounds and never dereferenced.
            unsafe { std::arch::x86_64::_mm_prefetch(self.slots.as_ptr().add(i) as *const i8, std::arch::x86_64::_MM_HINT_T0) };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = tag;
    }

    /// [`Interner::intern`] with the string's [`hash_str`] already computed.
    pub fn intern_hashed(&mut self, s: &str, tag: u32) -> u32 {
        let mask = self.slots.len() - 1;
        let mut i = Self::slot_of(tag, mask);
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                break;
            }
            if (slot >> 32) as u32 == tag {
                let id = (slot as u32).wrapping_sub(1);
                if self.get(id) == s {
                    self.last = id;
                    return id;
                }
            }
            i = (i + 1) & mask;
        }
        let id = self.push(s);
        self.slots[i] = (tag as u64) << 32 | (id as u64 + 1);
        if self.spans.len() * 2 > self.slots.len() {
            self.grow(self.slots.len() * 2);
        }
        self.last = id;
        id
    }

    fn grow(&mut self, cap: usize) {
        let old = std::mem::replace(&mut self.slots, vec![0; cap.next_power_of_two()]);
        let mask = self.slots.len() - 1;
        for slot in old.into_iter().filter(|&s| s != 0) {
            let mut i = Self::slot_of((slot >> 32) as u32, mask);
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = slot;
        }
    }

    fn push(&mut self, s: &str) -> u32 {
        let start = self.arena.len() as u32;
        self.arena.push_str(s);
        self.spans.push((start, self.arena.len() as u32));
        (self.spans.len() - 1) as u32
    }
    pub fn get(&self, id: u32) -> &str {
        match self.spans.get(id as usize) {
            Some(&(a, b)) => &self.arena[a as usize..b as usize],
            None => "",
        }
    }
    pub fn len(&self) -> usize {
        self.spans.len()
    }
    pub fn is_empty(&self) -> bool {
        self.spans.len() <= 1
    }
    /// Makes room for `n` more strings (of the average length so far).
    pub fn reserve(&mut self, n: usize) {
        if (self.spans.len() + n) * 2 > self.slots.len() {
            self.grow((self.spans.len() + n) * 2);
        }
        let avg = if self.spans.len() > 1 { self.arena.len() / (self.spans.len() - 1) + 1 } else { 24 };
        self.spans.reserve(n);
        self.arena.reserve(n * avg);
    }
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

enum Parser {
    Csv(CsvParser),
    Lines(LineParser),
    JsonArray(JsonArrayParser),
    /// Whole-document formats, kept until the end of the file (emails, a JSON object).
    Whole(Vec<u8>),
    /// Mbox: messages are analysed one by one as their separators arrive.
    Mbox(Vec<u8>),
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
    implied_label: Option<&'static str>,
    /// The campaign column holds one value only: separate occasions are told by date.
    campaign_constant: bool,
}

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
        match std::mem::replace(&mut cur.parser, Parser::Skip) {
            Parser::Whole(bytes) => self.whole_document(&mut cur, &bytes),
            Parser::Mbox(bytes) if !bytes.iter().all(|b| b.is_ascii_whitespace()) => self.email(&mut cur, &bytes),
            _ => {}
        }
        let f = &mut self.files[cur.index];
        if f.problem.is_none() && f.analysed == 0 {
            f.problem = Some(match f.format {
                Format::Empty => "The file is empty.".to_string(),
                Format::Binary => "This is not a text file bouncelens can read (it looks binary). Export the data as CSV, JSON or text.".to_string(),
                _ if f.rows == 0 => "No rows could be read from this file.".to_string(),
                _ if cur.mapping.as_ref().is_some_and(|m| m.address.is_none()) => format!(
                    "No column with email addresses was found. The columns are: {}. Choose the address column to analyse the file.",
                    f.headers.iter().map(|h| format!("\"{h}\"")).collect::<Vec<_>>().join(", ")
                ),
                _ => "No row held a bounce that could be analysed.".to_string(),
            });
        }
    }

    fn decide(&mut self, cur: &mut Current, head: &[u8]) {
        cur.decided = true;
        let enc = input::sniff_encoding(head);
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
            Format::Mbox => Parser::Mbox(Vec::new()),
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
                Parser::Mbox(buf) => {
                    buf.extend_from_slice(&text);
                    // Analyse every complete message; keep the last (maybe partial) one.
                    let mut start = 0;
                    let mut search = 1;
                    while let Some(p) = find(&buf[search..], b"\nFrom ") {
                        let at = search + p + 1;
                        let msg = buf[start..at].to_vec();
                        sink.session.email(sink.cur, &msg);
                        start = at;
                        search = at + 1;
                    }
                    buf.drain(..start);
                    if buf.len() > input::MAX_EMAIL_BYTES {
                        buf.clear();
                        sink.session.bad(sink.cur, 0, "a message larger than 64 MB was skipped".into());
                    }
                }
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
                Err(e) => self.bad(cur, 1, format!("not valid JSON: {e}")),
            },
            _ => {}
        }
    }

    /// One email (or an mbox message): its records join the rows.
    fn email(&mut self, cur: &mut Current, bytes: &[u8]) {
        let name = self.files[cur.index].name.clone();
        let n = self.files[cur.index].rows + 1;
        let body = if bytes.starts_with(b"From ") { find(bytes, b"\n").map(|i| &bytes[i + 1..]).unwrap_or(bytes) } else { bytes };
        let records = crate::email::analyze_email(body, &format!("{name}#{n}"));
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
            let key = hash128(&["email", &r.verdict.diagnostic, r.verdict.enhanced_code.as_deref().unwrap_or(""), r.verdict.category.id(), r.verdict.provider.as_deref().unwrap_or("")], false, None);
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
            let addr = normalize_address(&addr);
            let domain_id = self.domains.intern(addr.rsplit_once('@').map(|(_, d)| d).unwrap_or(""));
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
        f.layout = columns::layout_name(&headers).map(str::to_string);
        if f.layout.as_deref() == Some("Mailchimp cleaned contacts") && mapping.vendor_label.is_empty() {
            cur.implied_label = Some("cleaned (hard bounce)");
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
            if matches!(e, "spamreport" | "spam" | "complaint" | "abuse" | "complained" | "spam_report" | "feedback") {
                complaint = true;
            } else if !(e.contains("bounce") || e.contains("fail") || e.contains("drop") || e.contains("block") || e.contains("reject") || e.contains("defer") || e.contains("invalid") || e.contains("undeliver") || e.contains("suppress") || e.contains("error")) {
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
        let addr = normalize_address_cow(addr_raw);
        let _ = &addr_owned;
        if addr.is_empty() {
            let reason = if mapping.address.is_none() { "no address column" } else { "no address in this row" };
            self.bad(cur, row, reason.into());
            self.scratch = joined;
            return;
        }
        if !valid_address(&addr) {
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
        // Without a label column, an event like "hard_bounce" or "blocked" is the label.
        if mapping.vendor_label.is_empty() && !event.is_empty() && !complaint {
            label = event;
        } else if let Some(l) = cur.implied_label {
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
            let p = crate::classify::identify_provider("", None, Some(&addr))
                .and_then(|id| crate::knowledge::Knowledge::get().providers.iter().position(|p| p.id == id))
                .map(|i| i as u16);
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
        let mut epoch_buf = [0u8; 23];
        let date = epoch_to_iso_in(date, &mut epoch_buf).unwrap_or(date);
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

/// Streams a file (or a zip's entries) into the session, in chunks: the file is never held
/// whole. `name` is shown in the report.
pub fn feed_reader<R: std::io::Read>(s: &mut Session, name: &str, mut r: R, chunk: usize) -> std::io::Result<()> {
    s.begin_file(name);
    let mut buf = vec![0u8; chunk.max(4096)];
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        s.feed(&buf[..n]);
    }
    s.end_file();
    Ok(())
}

/// Whether bytes start a zip archive.
pub fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")
}

/// Feeds every file entry of a zip archive (e.g. a Mailchimp export) into the session.
pub fn feed_zip<R: std::io::Read + std::io::Seek>(s: &mut Session, name: &str, r: R, chunk: usize) -> std::io::Result<()> {
    let mut zip = match zip::ZipArchive::new(r) {
        Ok(z) => z,
        Err(e) => {
            s.begin_file(name);
            s.end_file();
            if let Some(f) = s.files.last_mut() {
                f.format = Format::Zip;
                f.format_label = Format::Zip.label().into();
                f.problem = Some(format!("This zip archive cannot be read: {e}."));
            }
            return Ok(());
        }
    };
    for i in 0..zip.len() {
        let entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                s.begin_file(&format!("{name} (entry {})", i + 1));
                s.end_file();
                if let Some(f) = s.files.last_mut() {
                    f.problem = Some(format!("This entry cannot be read: {e}."));
                }
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        let entry_name = format!("{name}/{}", entry.name());
        let base = entry.name().rsplit('/').next().unwrap_or("");
        if base.starts_with('.') || entry.name().starts_with("__MACOSX") {
            continue;
        }
        feed_reader(s, &entry_name, entry, chunk)?;
    }
    Ok(())
}

/// "1767225600" (or milliseconds) -> "2026-01-01 00:00:00 UTC"; `None` for anything else.
pub fn epoch_to_iso(s: &str) -> Option<String> {
    let mut buf = [0u8; 23];
    epoch_to_iso_in(s, &mut buf).map(str::to_string)
}

/// [`epoch_to_iso`] written into `buf` (no allocation: it runs for every row of some exports).
fn epoch_to_iso_in<'b>(s: &str, buf: &'b mut [u8; 23]) -> Option<&'b str> {
    let t = s.trim();
    if !(9..=13).contains(&t.len()) || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut secs: i64 = t.parse().ok()?;
    if t.len() == 13 {
        secs /= 1000;
    }
    // Plausible range: 2001 to 2100.
    if !(978_307_200..4_102_444_800).contains(&secs) {
        return None;
    }
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    // "YYYY-MM-DD hh:mm:ss UTC"
    let put = |buf: &mut [u8; 23], at: usize, v: i64, width: usize| {
        let mut v = v;
        for i in (0..width).rev() {
            buf[at + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    *buf = *b"0000-00-00 00:00:00 UTC";
    put(buf, 0, y, 4);
    put(buf, 5, m, 2);
    put(buf, 8, d, 2);
    put(buf, 11, rem / 3600, 2);
    put(buf, 14, rem % 3600 / 60, 2);
    put(buf, 17, rem % 60, 2);
    std::str::from_utf8(&buf[..]).ok()
}

/// Two independent 64-bit Fx hashes fed the same bytes: a 128-bit key.
struct Hash128(rustc_hash::FxHasher, rustc_hash::FxHasher);

impl Hash128 {
    fn new() -> Self {
        use std::hash::{BuildHasher, Hasher};
        let mut b = rustc_hash::FxBuildHasher.build_hasher();
        b.write_u64(0x9E37_79B9_7F4A_7C15);
        Hash128(rustc_hash::FxBuildHasher.build_hasher(), b)
    }
    fn write(&mut self, bytes: &[u8]) {
        use std::hash::Hasher;
        self.0.write(bytes);
        self.1.write(bytes);
    }
    /// Ends the current part (parts "ab"+"c" and "a"+"bc" hash differently).
    fn end_part(&mut self) {
        self.write(&[0x1f]);
    }
    fn finish(mut self, complaint: bool, provider: Option<u16>) -> u128 {
        use std::hash::Hasher;
        let tail = (complaint as u32) << 16 | provider.map(|p| p as u32 + 1).unwrap_or(0);
        self.0.write_u32(tail);
        self.1.write_u32(tail);
        ((self.0.finish() as u128) << 64) | self.1.finish() as u128
    }
}

/// The 128-bit hash of a row's classification inputs, with the reply masked on the fly.
fn masked_key(diag: &str, others: &[&str], complaint: bool, provider: Option<u16>) -> u128 {
    let mut h = Hash128::new();
    if !mask_segments(diag, |seg| h.write(seg.as_bytes())) {
        h.write(diag.as_bytes());
    }
    h.end_part();
    for p in others {
        h.write(p.as_bytes());
        h.end_part();
    }
    h.finish(complaint, provider)
}

/// A 128-bit hash of a row's classification inputs.
fn hash128(parts: &[&str], complaint: bool, provider: Option<u16>) -> u128 {
    let mut h = Hash128::new();
    for p in parts {
        h.write(p.as_bytes());
        h.end_part();
    }
    h.finish(complaint, provider)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Masks what varies from one bounce to the next in the same reply: email addresses, IPv4
/// addresses, one-off ids (tokens of 8+ characters mixing letters and digits that are not host
/// names, like Gmail's session ids), and the numbers inside host names (`mta1234.mail.gq1.
/// yahoo.com` -> `mta#.mail.gq#.yahoo.com`). Words, codes and the domains of host names are
/// kept, so wording and provider markers still decide.
pub fn normalize_reply(s: &str) -> std::borrow::Cow<'_, str> {
    let mut out: Option<String> = None;
    let masked = mask_segments(s, |seg| out.get_or_insert_with(|| String::with_capacity(s.len())).push_str(seg));
    match (masked, out) {
        (true, Some(o)) => std::borrow::Cow::Owned(o),
        _ => std::borrow::Cow::Borrowed(s),
    }
}

/// Walks `s` and emits it in segments with the masked tokens replaced; returns whether any
/// token was masked (when none was, `emit` is never called: the text stands as it is).
fn mask_segments(s: &str, mut emit: impl FnMut(&str)) -> bool {
    // Byte classes: 1 = delimiter, 2 = digit or '@' (a token worth a look).
    static CLASS: [u8; 256] = {
        let mut t = [0u8; 256];
        let delims = b" \t\r\n\x0b\x0c<>()[]\"',;={}/";
        let mut i = 0;
        while i < delims.len() {
            t[delims[i] as usize] = 1;
            i += 1;
        }
        let mut d = b'0';
        while d <= b'9' {
            t[d as usize] = 2;
            d += 1;
        }
        t[b'@' as usize] = 2;
        t
    };
    let b = s.as_bytes();
    let mut copied = 0; // bytes of `s` already emitted
    let mut any = false;
    let mut i = 0;
    let n = b.len();
    while i < n {
        if CLASS[b[i] as usize] == 1 {
            i += 1;
            continue;
        }
        let start = i;
        let mut interesting = 0u8;
        while i < n {
            let c = CLASS[b[i] as usize];
            if c == 1 {
                break;
            }
            interesting |= c;
            i += 1;
        }
        if interesting == 0 || i - start < 5 {
            continue;
        }
        // Trailing punctuation is not part of the token.
        let mut end = i;
        while end > start && matches!(b[end - 1], b'.' | b':' | b'!' | b'?') {
            end -= 1;
        }
        if let Some(rep) = mask_token(&s[start..end]) {
            emit(&s[copied..start]);
            emit(&rep);
            copied = end;
            any = true;
        }
    }
    if any {
        emit(&s[copied..]);
    }
    any
}

fn mask_token(t: &str) -> Option<std::borrow::Cow<'static, str>> {
    use std::borrow::Cow;
    let b = t.as_bytes();
    // One pass over the token's bytes.
    let (mut digits, mut letters, mut dots, mut dashes) = (0usize, 0usize, 0usize, 0usize);
    let (mut at, mut colon, mut other) = (None, None, false);
    let mut last_dot = None;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'0'..=b'9' => digits += 1,
            b'a'..=b'z' | b'A'..=b'Z' => letters += 1,
            b'.' => {
                dots += 1;
                last_dot = Some(i);
            }
            b'-' => dashes += 1,
            b'@' => {
                if at.is_none() {
                    at = Some(i)
                }
            }
            b':' => {
                if colon.is_none() {
                    colon = Some(i)
                }
            }
            _ => other = true,
        }
    }
    if let Some(at) = at {
        let domain = &b[at + 1..];
        if at > 0 && domain.contains(&b'.') {
            return Some(Cow::Borrowed("[address]"));
        }
        return None;
    }
    // IPv4 (optionally with a :port).
    let ip = &b[..colon.unwrap_or(b.len())];
    if ip.len() >= 7 && ip.iter().all(|c| c.is_ascii_digit() || *c == b'.') {
        let parts: usize = ip.split(|c| *c == b'.').filter(|p| !p.is_empty() && p.len() <= 3).count();
        if parts == 4 && ip.iter().filter(|c| **c == b'.').count() == 3 {
            return Some(Cow::Borrowed("[ip]"));
        }
    }
    if b.len() < 8 || other || colon.is_some() || digits < 1 || letters < 2 {
        return None;
    }
    let _ = dashes;
    let hostname = dots > 0 && last_dot.is_some_and(|d| b.len() - d > 2 && b[d + 1..].iter().all(|c| c.is_ascii_alphabetic()));
    if hostname {
        // Server names: keep the name, drop the numbering of the server.
        let mut o = String::with_capacity(t.len());
        let mut in_digits = false;
        for ch in t.chars() {
            if ch.is_ascii_digit() {
                if !in_digits {
                    o.push('#');
                }
                in_digits = true;
            } else {
                o.push(ch);
                in_digits = false;
            }
        }
        return Some(Cow::Owned(o));
    }
    if digits >= 2 {
        return Some(Cow::Borrowed("[id]"));
    }
    None
}

/// "2024-05-01T10:00:00Z" -> "2024-05-01"; other formats: the date part before a time.
fn day_of(date: &str) -> &str {
    let d = date.trim();
    if d.len() >= 10 && d.as_bytes()[4] == b'-' && d.as_bytes()[7] == b'-' {
        if let Some(day) = d.get(..10) {
            return day;
        }
    }
    d.split([' ', 'T']).next().unwrap_or(d)
}

/// [`normalize_address`] without allocating when the address is already normal.
pub fn normalize_address_cow(a: &str) -> std::borrow::Cow<'_, str> {
    let t = a.trim();
    let clean = !t.is_empty()
        && !t.bytes().any(|b| b.is_ascii_uppercase() || matches!(b, b'<' | b'>' | b'"' | b'\'' | b';' | b',') || b >= 0x80)
        && !t.starts_with("mailto:");
    if clean {
        std::borrow::Cow::Borrowed(t)
    } else {
        std::borrow::Cow::Owned(normalize_address(a))
    }
}

/// Lower-cases the address (the local part's case is kept by mail systems but lists treat
/// addresses case-insensitively) and strips brackets, quotes and `mailto:`.
pub fn normalize_address(a: &str) -> String {
    let a = a.trim().trim_matches(['<', '>', '"', '\'', ' ', ';', ',']);
    let a = a.strip_prefix("mailto:").unwrap_or(a);
    a.to_lowercase()
}

fn valid_address(a: &str) -> bool {
    let b = a.as_bytes();
    match b.iter().rposition(|&c| c == b'@') {
        Some(at) => at > 0 && b[at + 1..].contains(&b'.') && !b.iter().any(|c| c.is_ascii_whitespace()) && b.len() <= 320,
        None => false,
    }
}

/// Classifies one row: the reply text (with the codes and provider given beside it), else the
/// platform's label; complaints reported as events are complaints.
pub fn classify_row(diag: &str, reply: &str, status: &str, label: &str, provider: Option<u16>, complaint: bool) -> Verdict {
    let c = Classifier::get();
    let k = crate::knowledge::Knowledge::get();
    let domain = provider.and_then(|p| k.providers.get(p as usize)).and_then(|p| p.domains.first().map(|d| format!("@{d}")));
    let hints = Hints {
        status: (!status.is_empty()).then_some(status),
        reply: (!reply.is_empty()).then_some(reply),
        recipient: domain.as_deref(),
        ..Default::default()
    };
    let mut v = if !diag.is_empty() || !reply.is_empty() || !status.is_empty() {
        let v = c.classify(diag, &hints);
        if v.category == Category::Unknown && !label.is_empty() {
            c.verdict_from_label(label).map(|mut lv| {
                lv.diagnostic = v.diagnostic.clone();
                lv.reply_code = v.reply_code.clone();
                lv.enhanced_code = v.enhanced_code.clone();
                lv
            }).unwrap_or(v)
        } else {
            v
        }
    } else if !label.is_empty() {
        c.verdict_from_label(label).unwrap_or_else(|| c.classify(label, &hints))
    } else {
        let mut v = c.classify("", &hints);
        v.summary = "No reason given".into();
        v.explanation = "The row names an address but no reply, code or label, so the cause is unknown.".into();
        v
    };
    if complaint && v.category != Category::Complaint {
        let info = k.category(Category::Complaint);
        v.category = Category::Complaint;
        v.class = Class::Permanent;
        v.bounce_type = BounceType::Complaint;
        v.action = crate::model::Action::Suppress;
        v.owner = crate::model::Owner::ListQuality;
        v.summary = info.title.clone();
        v.explanation = info.explanation.clone();
        v.advice = info.advice.clone();
        v.decided_by = Some("event:complaint".into());
    }
    v
}

#[cfg(test)]
mod tests;
