//! Reading export files as a stream of rows: format and encoding sniffing, transcoding to
//! UTF-8 chunk by chunk, and push parsers for CSV/TSV (csv-core), JSON Lines, JSON arrays and
//! plain text (one reply per line). Emails and mboxes go through the whole-email reader.
//! No parser ever holds the whole file: each keeps at most one record.

use crate::text::{container, encoding::field_text, looks_like_email, Container};
use serde::Serialize;

/// The longest record (row, JSON element, line) kept; longer ones are counted as bad rows.
pub const MAX_RECORD_BYTES: usize = 1 << 20;
/// The largest single email read from a file (the rest of a larger one is skipped).
pub const MAX_EMAIL_BYTES: usize = 64 << 20;

/// What a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Csv,
    Tsv,
    JsonArray,
    JsonLines,
    JsonObject,
    Email,
    Mbox,
    Text,
    Zip,
    Binary,
    Empty,
}

impl Format {
    pub fn label(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Tsv => "TSV (tab-separated)",
            Format::JsonArray => "JSON array",
            Format::JsonLines => "JSON Lines",
            Format::JsonObject => "JSON",
            Format::Email => "email (.eml)",
            Format::Mbox => "mbox",
            Format::Text => "text (one reply per line)",
            Format::Zip => "zip archive",
            Format::Binary => "binary",
            Format::Empty => "empty",
        }
    }
}

/// Detects the format from the file name and the first bytes (already UTF-8 for text).
pub fn sniff_format(name: &str, raw_head: &[u8], text_head: &[u8]) -> Format {
    let lower = name.to_ascii_lowercase();
    if container(raw_head) == Container::Zip {
        return Format::Zip;
    }
    let t = String::from_utf8_lossy(&text_head[..text_head.len().min(65536)]);
    let trimmed = t.trim_start_matches(['\u{feff}', ' ', '\n', '\r', '\t']);
    if trimmed.is_empty() {
        return Format::Empty;
    }
    // Binary: many control characters that text never has.
    let sample: Vec<char> = trimmed.chars().take(4096).collect();
    let controls = sample.iter().filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')).count();
    // A few stray control characters (a NUL in one damaged row) do not make a file binary.
    let replaced = sample.iter().filter(|c| **c == '\u{fffd}').count();
    if (controls >= 16 && controls * 20 > sample.len()) || (replaced >= 16 && replaced * 10 > sample.len()) || (controls * 2 > sample.len() && controls >= 4) {
        return Format::Binary;
    }
    if trimmed.starts_with('[') {
        return Format::JsonArray;
    }
    if trimmed.starts_with('{') {
        // One object per line, or one (possibly pretty-printed) document.
        let first = trimmed.lines().next().unwrap_or("");
        return if serde_json::from_str::<serde_json::Value>(first).is_ok() { Format::JsonLines } else { Format::JsonObject };
    }
    if trimmed.starts_with("From ") && (lower.ends_with(".mbox") || t.contains("\nFrom ") || looks_like_email(trimmed.split_once('\n').map(|x| x.1).unwrap_or(""))) {
        return if lower.ends_with(".eml") { Format::Email } else { Format::Mbox };
    }
    if lower.ends_with(".eml") || lower.ends_with(".msg") || looks_like_email(trimmed) {
        return Format::Email;
    }
    if lower.ends_with(".tsv") || lower.ends_with(".tab") {
        return Format::Tsv;
    }
    match sniff_delimiter(trimmed) {
        Some(b'\t') => Format::Tsv,
        Some(_) => Format::Csv,
        None if lower.ends_with(".csv") => Format::Csv,
        None => Format::Text,
    }
}

/// The delimiter of a table: the candidate that splits the first lines into the same number
/// (at least two) of fields most consistently. Quoted fields are honoured.
pub fn sniff_delimiter(text: &str) -> Option<u8> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(30).collect();
    if lines.is_empty() {
        return None;
    }
    let mut best: Option<(u8, usize)> = None;
    for d in [b',', b'\t', b';', b'|'] {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d)).collect();
        let first = counts[0];
        if first == 0 {
            continue;
        }
        let consistent = counts.iter().filter(|c| **c == first).count();
        // A multi-line quoted field makes some lines differ; most must agree.
        if consistent * 10 >= counts.len() * 6 {
            let score = consistent * 100 + first;
            if best.is_none_or(|(_, s)| score > s) {
                best = Some((d, score));
            }
        }
    }
    best.map(|(d, _)| d)
}

fn count_outside_quotes(line: &str, d: u8) -> usize {
    let mut inq = false;
    let mut n = 0;
    for b in line.bytes() {
        if b == b'"' {
            inq = !inq;
        } else if b == d && !inq {
            n += 1;
        }
    }
    n
}

/// A record read from a file: positional fields (tables) or name/value pairs (JSON).
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    Fields(Vec<String>),
    Pairs(Vec<(String, String)>),
}

/// A record that could not be read.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct BadRecord {
    pub row: u64,
    pub reason: String,
}

/// What a push parser produced for one input chunk.
pub trait Sink {
    /// A table row or a line (borrowed: parsers reuse their buffers).
    fn fields(&mut self, row: u64, fields: &[&str]);
    /// A JSON object, flattened.
    fn pairs(&mut self, row: u64, pairs: Vec<(String, String)>);
    fn bad(&mut self, bad: BadRecord);
}

/// Push parser for CSV and TSV (csv-core state machine). A record's fields are kept in one
/// reused buffer; records longer than [`MAX_RECORD_BYTES`] are counted as bad and skipped
/// without being kept.
pub struct CsvParser {
    reader: csv_core::Reader,
    delimiter: u8,
    buf: Vec<u8>,
    /// Bytes of the current record in `buf`.
    len: usize,
    ends: Vec<usize>,
    row: u64,
    too_long: bool,
    /// Fields in the first record (the header): swallowed rows have that shape.
    width: usize,
    /// When a growing record is next checked for rows swallowed by an unclosed quote.
    next_check: usize,
}

/// A record growing past this size is checked for rows swallowed by an unclosed quote.
const QUOTE_CHECK_BYTES: usize = 256 << 10;

/// Whether a field's text is table rows that an unclosed quote swallowed, rather than a cell
/// that really spans lines (a multi-line reply, a quoted bounce): at least three lines, and
/// most of them with as many delimiters as the header has (a real cell rarely has that shape).
fn swallowed_rows(field: &str, delimiter: u8, width: usize) -> bool {
    if width < 3 {
        return false;
    }
    let (mut lines, mut shaped) = (0usize, 0usize);
    for line in field.split('\n').skip(1) {
        lines += 1;
        if memchr::memchr_iter(delimiter, line.as_bytes()).count() + 1 >= width {
            shaped += 1;
        }
    }
    lines >= 2 && shaped * 2 >= lines && shaped >= 2
}

/// One line of text as CSV fields (a fresh reader: no quote is carried in).
fn split_line(line: &str, delimiter: u8) -> Vec<String> {
    let mut reader = csv_core::ReaderBuilder::new().delimiter(delimiter).quote(b'"').double_quote(true).build();
    let mut out = vec![0u8; line.len() + 16];
    let mut ends = vec![0usize; line.len() + 2];
    let mut input = line.as_bytes();
    let (mut len, mut nends) = (0usize, 0usize);
    loop {
        let (res, nin, nout, nend) = reader.read_record(input, &mut out[len..], &mut ends[nends..]);
        input = &input[nin..];
        len += nout;
        nends += nend;
        match res {
            csv_core::ReadRecordResult::InputEmpty if !input.is_empty() => continue,
            csv_core::ReadRecordResult::InputEmpty => input = &[],
            csv_core::ReadRecordResult::Record | csv_core::ReadRecordResult::End => break,
            _ => break,
        }
        if input.is_empty() {
            // Flush the record at the end of the line.
            let (_, _, nout, nend) = reader.read_record(&[], &mut out[len..], &mut ends[nends..]);
            len += nout;
            nends += nend;
            break;
        }
    }
    let mut start = 0;
    ends[..nends]
        .iter()
        .map(|&e| {
            let f = String::from_utf8_lossy(&out[start..e.min(len)]).into_owned();
            start = e;
            f
        })
        .collect()
}

impl CsvParser {
    pub fn new(delimiter: u8) -> Self {
        let reader = csv_core::ReaderBuilder::new().delimiter(delimiter).quote(b'"').double_quote(true).build();
        CsvParser { reader, delimiter, buf: vec![0; 8192], len: 0, ends: Vec::with_capacity(32), row: 0, too_long: false, width: 0, next_check: QUOTE_CHECK_BYTES }
    }

    fn new_reader(&self) -> csv_core::Reader {
        csv_core::ReaderBuilder::new().delimiter(self.delimiter).quote(b'"').double_quote(true).build()
    }

    /// An unclosed quote made `broken` (the field it opened) swallow the lines after it: the
    /// row that opened it is counted as bad, and each swallowed line is read again as a row.
    /// `suffix` is what followed the quote that finally closed it (the rest of the last line).
    /// Returns the last line when it is not complete yet (`complete` false), to be read on.
    fn recover(&mut self, broken: &str, suffix: &[&str], complete: bool, sink: &mut dyn Sink) -> Option<String> {
        let mut lines: Vec<&str> = broken.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
        self.row += 1;
        sink.bad(BadRecord { row: self.row, reason: "a quote opened in this row is never closed; the lines after it are read as rows again".into() });
        lines.remove(0);
        let tail = if complete { None } else { lines.pop().map(str::to_string) };
        let n = lines.len();
        for (i, line) in lines.into_iter().enumerate() {
            let mut text = line.to_string();
            if i + 1 == n && complete && !suffix.is_empty() {
                // The quote that closed the field was this line's own opening quote.
                text.push('"');
                for (k, f) in suffix.iter().enumerate() {
                    if k > 0 {
                        text.push(self.delimiter as char);
                    }
                    if f.contains(self.delimiter as char) || f.contains('"') {
                        text.push('"');
                        text.push_str(&f.replace('"', "\"\""));
                        text.push('"');
                    } else {
                        text.push_str(f);
                    }
                }
            }
            if text.trim().is_empty() {
                continue;
            }
            self.row += 1;
            let fields = split_line(&text, self.delimiter);
            let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
            sink.fields(self.row, &refs);
        }
        tail
    }

    /// A record still growing past [`QUOTE_CHECK_BYTES`]: when its open field holds swallowed
    /// rows, they are read now and the parser starts afresh at the line being read.
    fn check_growing(&mut self, sink: &mut dyn Sink) -> Option<String> {
        self.next_check = self.len + QUOTE_CHECK_BYTES;
        let start = self.ends.last().copied().unwrap_or(0);
        let open = String::from_utf8_lossy(&self.buf[start..self.len]).into_owned();
        if !swallowed_rows(&open, self.delimiter, self.width) {
            return None;
        }
        let tail = self.recover(&open, &[], false, sink);
        self.reader = self.new_reader();
        self.ends.clear();
        self.len = 0;
        self.next_check = QUOTE_CHECK_BYTES;
        Some(tail.unwrap_or_default())
    }

    /// Parses a chunk of UTF-8 bytes. `last` marks the end of the input (call once with it).
    pub fn feed(&mut self, mut input: &[u8], last: bool, sink: &mut dyn Sink) {
        use csv_core::ReadRecordResult as R;
        let mut ends_tmp = [0usize; 64];
        loop {
            if self.buf.len() - self.len < 1024 {
                let n = (self.buf.len() * 2).max(8192);
                self.buf.resize(n, 0);
            }
            // csv-core writes after what the record already has; `ends` are record-absolute.
            let (res, nin, nout, nend) = self.reader.read_record(input, &mut self.buf[self.len..], &mut ends_tmp);
            input = &input[nin..];
            if self.too_long {
                // Discard: keep reusing the start of the buffer until the record ends.
                self.len = 0;
            } else {
                self.len += nout;
                self.ends.extend_from_slice(&ends_tmp[..nend]);
                if self.len >= self.next_check && !matches!(res, R::Record) {
                    if let Some(tail) = self.check_growing(sink) {
                        // Read the unfinished line again, from a clean state, then go on.
                        // (csv-core takes an empty input as the end of the file: never pass one.)
                        if !tail.is_empty() {
                            self.feed(tail.as_bytes(), false, sink);
                        }
                        if input.is_empty() && !last {
                            return;
                        }
                        continue;
                    }
                }
                if self.len > MAX_RECORD_BYTES || self.ends.len() > 100_000 {
                    self.too_long = true;
                    self.len = 0;
                    self.ends.clear();
                    self.buf.truncate(8192);
                    self.buf.shrink_to(8192);
                }
            }
            match res {
                R::InputEmpty => {
                    if !input.is_empty() {
                        continue;
                    }
                    if !last {
                        return;
                    }
                    // The end of the input: flush the last record, if any.
                    loop {
                        if self.buf.len() - self.len < 1024 {
                            let n = (self.buf.len() * 2).max(8192);
                            self.buf.resize(n, 0);
                        }
                        let (res, _, nout, nend) = self.reader.read_record(&[], &mut self.buf[self.len..], &mut ends_tmp);
                        if !self.too_long {
                            self.len += nout;
                            self.ends.extend_from_slice(&ends_tmp[..nend]);
                        }
                        match res {
                            R::Record => self.end_record(sink),
                            R::OutputFull | R::OutputEndsFull => continue,
                            _ => return,
                        }
                    }
                }
                R::OutputFull | R::OutputEndsFull => continue,
                R::Record => self.end_record(sink),
                R::End => return,
            }
        }
    }

    fn end_record(&mut self, sink: &mut dyn Sink) {
        self.row += 1;
        if self.too_long {
            sink.bad(BadRecord { row: self.row, reason: format!("row longer than {} MB, skipped", MAX_RECORD_BYTES >> 20) });
            self.too_long = false;
            self.ends.clear();
            self.len = 0;
            return;
        }
        if self.width == 0 {
            self.width = self.ends.len();
        } else {
            if let Some(done) = self.check_swallowed(sink) {
                return done;
            }
        }
        self.next_check = QUOTE_CHECK_BYTES;
        let data = &self.buf[..self.len];
        let mut start = 0;
        // Fast path: the whole record is UTF-8, fields are borrowed.
        if let Ok(text) = std::str::from_utf8(data) {
            // Most records have few fields: keep them on the stack.
            let mut small: [&str; 48] = [""; 48];
            let mut big: Vec<&str> = vec![];
            let n = self.ends.len();
            for (i, &e) in self.ends.iter().enumerate() {
                let f = text.get(start..e).unwrap_or("");
                if n <= small.len() {
                    small[i] = f;
                } else {
                    big.push(f);
                }
                start = e;
            }
            let fields: &[&str] = if n <= small.len() { &small[..n] } else { &big };
            if !fields.is_empty() && !(fields.len() == 1 && fields[0].trim().is_empty()) {
                sink.fields(self.row, fields);
            }
        } else {
            let owned: Vec<String> = self
                .ends
                .iter()
                .map(|&e| {
                    let f = field_text(data.get(start..e).unwrap_or(&[])).into_owned();
                    start = e;
                    f
                })
                .collect();
            let fields: Vec<&str> = owned.iter().map(|s| s.as_str()).collect();
            if !fields.is_empty() && !(fields.len() == 1 && fields[0].trim().is_empty()) {
                sink.fields(self.row, &fields);
            }
        }
        self.ends.clear();
        self.len = 0;
    }
}

impl CsvParser {
    /// A finished record whose field swallowed rows (an unclosed quote closed by a later row's
    /// quote): the rows are recovered. Only records with a line break are looked at.
    fn check_swallowed(&mut self, sink: &mut dyn Sink) -> Option<()> {
        let data = &self.buf[..self.len];
        memchr::memchr(b'\n', data)?;
        let text = String::from_utf8_lossy(data).into_owned();
        let mut start = 0;
        let mut fields: Vec<&str> = Vec::with_capacity(self.ends.len());
        for &e in &self.ends {
            fields.push(text.get(start..e).unwrap_or(""));
            start = e;
        }
        let k = fields.iter().position(|f| f.contains('\n') && swallowed_rows(f, self.delimiter, self.width))?;
        let broken = fields[k].to_string();
        let suffix: Vec<String> = fields[k + 1..].iter().map(|s| s.to_string()).collect();
        let refs: Vec<&str> = suffix.iter().map(String::as_str).collect();
        self.row -= 1; // recover() counts the opening row itself
        self.recover(&broken, &refs, true, sink);
        self.ends.clear();
        self.len = 0;
        self.next_check = QUOTE_CHECK_BYTES;
        Some(())
    }
}

/// Why a JSON document could not be read, in words a user can act on.
pub(super) fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if text.contains("recursion limit") {
        // serde_json stops at 128 levels: no export nests anywhere near that.
        format!("JSON nested more than 128 levels deep, which no export does ({})", text.replace("recursion limit exceeded", "at"))
    } else {
        format!("not valid JSON: {text}")
    }
}

/// Push parser for line-based input (JSON Lines, one reply per line).
pub struct LineParser {
    json: bool,
    buf: Vec<u8>,
    row: u64,
    skipping: bool,
}

impl LineParser {
    pub fn new(json: bool) -> Self {
        LineParser { json, buf: Vec::new(), row: 0, skipping: false }
    }

    pub fn feed(&mut self, mut input: &[u8], last: bool, sink: &mut dyn Sink) {
        while let Some(nl) = memchr::memchr(b'\n', input) {
            if !self.skipping {
                self.buf.extend_from_slice(&input[..nl]);
            }
            input = &input[nl + 1..];
            self.line(sink);
        }
        if !self.skipping {
            if self.buf.len() + input.len() > MAX_RECORD_BYTES {
                self.skipping = true;
                self.buf.clear();
            } else {
                self.buf.extend_from_slice(input);
            }
        }
        if last && (!self.buf.is_empty() || self.skipping) {
            self.line(sink);
        }
    }

    fn line(&mut self, sink: &mut dyn Sink) {
        self.row += 1;
        if self.skipping {
            self.skipping = false;
            self.buf.clear();
            sink.bad(BadRecord { row: self.row, reason: format!("line longer than {} MB, skipped", MAX_RECORD_BYTES >> 20) });
            return;
        }
        let line = field_text(&self.buf).trim().to_string();
        self.buf.clear();
        if line.is_empty() {
            return;
        }
        if self.json {
            match serde_json::from_str::<serde_json::Value>(&line) {
                Ok(v) => emit_json(self.row, &v, sink),
                Err(e) => sink.bad(BadRecord { row: self.row, reason: json_error(&e) }),
            }
        } else {
            sink.fields(self.row, &[line.as_str()]);
        }
    }
}

/// Push parser for a JSON array of objects: finds each top-level element without holding more
/// than one, then parses it with serde_json.
pub struct JsonArrayParser {
    buf: Vec<u8>,
    depth: i32,
    in_string: bool,
    escaped: bool,
    started: bool,
    row: u64,
    skipping: bool,
}

impl Default for JsonArrayParser {
    fn default() -> Self {
        Self::new()
    }
}

impl JsonArrayParser {
    pub fn new() -> Self {
        JsonArrayParser { buf: Vec::new(), depth: 0, in_string: false, escaped: false, started: false, row: 0, skipping: false }
    }

    pub fn feed(&mut self, input: &[u8], last: bool, sink: &mut dyn Sink) {
        for &b in input {
            if !self.started {
                if b == b'[' {
                    self.started = true;
                }
                continue;
            }
            if self.depth == 0 && !self.in_string {
                match b {
                    b',' | b' ' | b'\n' | b'\r' | b'\t' => continue,
                    b']' => {
                        self.started = false; // end of the array; ignore what follows
                        continue;
                    }
                    _ => {}
                }
            }
            if !self.skipping {
                self.buf.push(b);
                if self.buf.len() > MAX_RECORD_BYTES {
                    self.skipping = true;
                    self.buf.clear();
                }
            }
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                    if self.depth == 0 {
                        self.element(sink);
                    }
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth -= 1;
                    if self.depth <= 0 {
                        self.depth = 0;
                        self.element(sink);
                    }
                }
                _ => {}
            }
        }
        if last && (!self.buf.is_empty() || self.skipping) {
            self.element(sink);
        }
    }

    fn element(&mut self, sink: &mut dyn Sink) {
        self.row += 1;
        if self.skipping {
            self.skipping = false;
            sink.bad(BadRecord { row: self.row, reason: format!("element larger than {} MB, skipped", MAX_RECORD_BYTES >> 20) });
            return;
        }
        let bytes = std::mem::take(&mut self.buf);
        match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(v) => emit_json(self.row, &v, sink),
            Err(e) => sink.bad(BadRecord { row: self.row, reason: json_error(&e) }),
        }
    }
}

/// Turns a JSON value into records: an object becomes one record of flattened `a.b.c` pairs;
/// an object holding an array of objects (Amazon SES `bounce.bouncedRecipients`, Mailgun
/// `items`) becomes one record per element, each with the parent's other fields.
pub fn emit_json(row: u64, v: &serde_json::Value, sink: &mut dyn Sink) {
    match v {
        serde_json::Value::Object(_) => {
            // SNS wraps SES notifications as a JSON string in "Message".
            if let Some(serde_json::Value::String(inner)) = v.get("Message") {
                if let Ok(parsed @ serde_json::Value::Object(_)) = serde_json::from_str::<serde_json::Value>(inner) {
                    return emit_json(row, &parsed, sink);
                }
            }
            let mut base = vec![];
            let mut arrays: Vec<(String, &Vec<serde_json::Value>)> = vec![];
            flatten(&mut String::new(), v, &mut base, &mut arrays);
            let expandable: Vec<&(String, &Vec<serde_json::Value>)> = arrays.iter().filter(|(_, a)| a.iter().any(|x| x.is_object())).collect();
            if let Some((prefix, items)) = expandable.into_iter().max_by_key(|(_, a)| a.len()) {
                for item in items.iter() {
                    let mut pairs = base.clone();
                    let mut nested = vec![];
                    flatten(&mut prefix.clone(), item, &mut pairs, &mut nested);
                    sink.pairs(row, pairs);
                }
            } else {
                sink.pairs(row, base);
            }
        }
        serde_json::Value::Array(items) => {
            for i in items {
                emit_json(row, i, sink);
            }
        }
        serde_json::Value::String(s) => sink.fields(row, &[s.as_str()]),
        _ => sink.bad(BadRecord { row, reason: "a JSON value that is neither an object nor text".into() }),
    }
}

/// Flattens a JSON value into (dotted key, text) pairs; arrays of objects are set aside.
/// `key` is the path so far (restored on return), so only the output pairs allocate.
fn flatten<'v>(key: &mut String, v: &'v serde_json::Value, out: &mut Vec<(String, String)>, arrays: &mut Vec<(String, &'v Vec<serde_json::Value>)>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                let len = key.len();
                if len > 0 {
                    key.push('.');
                }
                key.push_str(k);
                flatten(key, x, out, arrays);
                key.truncate(len);
            }
        }
        serde_json::Value::Array(a) => {
            if a.iter().all(|x| !x.is_object() && !x.is_array()) {
                let mut joined = String::new();
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        joined.push_str(", ");
                    }
                    joined.push_str(&scalar(x));
                }
                out.push((key.clone(), joined));
            } else {
                arrays.push((key.clone(), a));
            }
        }
        other => out.push((key.clone(), scalar(other))),
    }
}

fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Collect {
        recs: Vec<(u64, Record)>,
        bad: Vec<BadRecord>,
    }
    impl Sink for Collect {
        fn fields(&mut self, row: u64, f: &[&str]) {
            self.recs.push((row, Record::Fields(f.iter().map(|s| s.to_string()).collect())));
        }
        fn pairs(&mut self, row: u64, p: Vec<(String, String)>) {
            self.recs.push((row, Record::Pairs(p)));
        }
        fn bad(&mut self, bad: BadRecord) {
            self.bad.push(bad);
        }
    }

    fn fields(r: &Record) -> Vec<String> {
        match r {
            Record::Fields(f) => f.clone(),
            _ => panic!("fields expected"),
        }
    }

    #[test]
    fn formats_and_delimiters() {
        assert_eq!(sniff_format("a.csv", b"email,reason\n", b"email,reason\na@b.c,x\n"), Format::Csv);
        assert_eq!(sniff_format("a.txt", b"", b"email;reason\na@b.c;x\n"), Format::Csv);
        assert_eq!(sniff_format("a.txt", b"", b"email\treason\na@b.c\tx\n"), Format::Tsv);
        assert_eq!(sniff_format("a.json", b"", b"[{\"a\":1}]"), Format::JsonArray);
        assert_eq!(sniff_format("a.json", b"", b"{\"a\":1}\n{\"a\":2}\n"), Format::JsonLines);
        assert_eq!(sniff_format("a.zip", b"PK\x03\x04rest", b""), Format::Zip);
        assert_eq!(sniff_format("a.bin", b"", b"\x00\x01\x02\x03\x04\x05\x06\x07\x08"), Format::Binary);
        assert_eq!(sniff_format("a.txt", b"", b"550 5.1.1 user unknown\n421 try later\n"), Format::Text);
        assert_eq!(sniff_format("a.txt", b"", b"   \n"), Format::Empty);
    }

    #[test]
    fn csv_across_chunks_with_quotes_and_long_rows() {
        let data = "email,reason\n\"a@b.com\",\"550 5.1.1, \"\"user\"\" unknown\"\nc@d.com,\"multi\nline\"\n";
        let mut p = CsvParser::new(b',');
        let mut c = Collect::default();
        for chunk in data.as_bytes().chunks(3) {
            p.feed(chunk, false, &mut c);
        }
        p.feed(&[], true, &mut c);
        assert_eq!(c.recs.len(), 3);
        assert_eq!(fields(&c.recs[1].1), vec!["a@b.com", "550 5.1.1, \"user\" unknown"]);
        assert_eq!(fields(&c.recs[2].1), vec!["c@d.com", "multi\nline"]);
        // A row over the limit is reported, and the next row still reads.
        let big = format!("x,{}\ny,z\n", "q".repeat(MAX_RECORD_BYTES + 10));
        let mut p = CsvParser::new(b',');
        let mut c = Collect::default();
        for chunk in big.as_bytes().chunks(65536) {
            p.feed(chunk, false, &mut c);
        }
        p.feed(&[], true, &mut c);
        assert_eq!(c.bad.len(), 1);
        assert_eq!(c.recs.len(), 1);
        assert_eq!(fields(&c.recs[0].1), vec!["y", "z"]);
    }

    #[test]
    fn json_array_and_lines_with_expansion() {
        let data = br#"[{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"a@b.com","diagnosticCode":"smtp; 550 5.1.1 user unknown"},{"emailAddress":"c@d.com"}]}}, {"event":"failed","recipient":"e@f.com","delivery-status":{"code":550,"message":"x, ] y"}}, oops]"#;
        let mut p = JsonArrayParser::new();
        let mut c = Collect::default();
        for chunk in data.chunks(7) {
            p.feed(chunk, false, &mut c);
        }
        p.feed(&[], true, &mut c);
        assert_eq!(c.recs.len(), 3, "{:?}", c.recs);
        match &c.recs[0].1 {
            Record::Pairs(p) => {
                assert!(p.contains(&("bounce.bouncedRecipients.emailAddress".into(), "a@b.com".into())), "{p:?}");
                assert!(p.contains(&("bounce.bounceType".into(), "Permanent".into())));
            }
            _ => panic!(),
        }
        assert_eq!(c.bad.len(), 1);
        let mut l = LineParser::new(true);
        let mut c = Collect::default();
        l.feed(b"{\"email\":\"a@b.com\"}\n{broken\n\n{\"email\":\"c@d.com\"}", true, &mut c);
        assert_eq!(c.recs.len(), 2);
        assert_eq!(c.bad.len(), 1);
        assert_eq!(c.bad[0].row, 2);
    }
}
