//! The downloads: the suppression list, the domains to suppress, the re-engagement list, the
//! whole file annotated with the verdict columns, and the JSON report. Every CSV cell is safe
//! to open in a spreadsheet: cells starting with `=`, `+`, `-`, `@`, tab or CR are neutralised
//! with a leading apostrophe, so they are never run as formulas.

use super::input::{BadRecord, CsvParser, Sink};
use super::{Row, Session};
use crate::model::{Action, BounceType, Category, Class, Id};
use rustc_hash::{FxHashMap, FxHashSet};
use std::io::{self, Write};

/// Makes a cell safe for spreadsheets (no formula injection).
pub fn neutralize(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => std::borrow::Cow::Owned(format!("'{cell}")),
        _ => std::borrow::Cow::Borrowed(cell),
    }
}

/// Writes one CSV record: cells neutralised, quoted where needed.
pub fn write_record<W: Write>(w: &mut W, cells: &[&str]) -> io::Result<()> {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        let c = neutralize(c);
        if c.contains([',', '"', '\n', '\r']) {
            w.write_all(b"\"")?;
            w.write_all(c.replace('"', "\"\"").as_bytes())?;
            w.write_all(b"\"")?;
        } else {
            w.write_all(c.as_bytes())?;
        }
    }
    w.write_all(b"\r\n")
}

/// Why a row's address is suppressed: the verdict's summary and the reply.
pub fn reason(session: &Session, r: &Row) -> String {
    let v = session.verdict(r);
    let d: String = v.diagnostic.chars().take(300).collect();
    if d.is_empty() {
        v.summary.clone()
    } else {
        format!("{}: {}", v.summary, d)
    }
}

fn must_suppress(session: &Session, r: &Row) -> bool {
    let v = session.verdict(r);
    matches!(v.action, Action::Suppress | Action::SuppressDomain) || v.bounce_type == BounceType::Complaint
}

/// The rows behind the suppression list: for each address to suppress, its latest row, in
/// file order.
pub fn suppression_rows(s: &Session) -> Vec<usize> {
    let mut last: FxHashMap<u32, usize> = FxHashMap::default();
    for (i, r) in s.rows.iter().enumerate() {
        if must_suppress(s, r) {
            last.insert(r.addr, i);
        }
    }
    let mut idx: Vec<usize> = last.into_values().collect();
    idx.sort_unstable();
    idx
}

/// The suppression list: one line per address to suppress (the latest row for it).
pub fn suppression_csv<W: Write>(s: &Session, w: &mut W) -> io::Result<u64> {
    write_record(w, &["address", "category", "reply_code", "enhanced_code", "reason", "date", "source"])?;
    let idx = suppression_rows(s);
    for i in &idx {
        let r = &s.rows[*i];
        let v = s.verdict(r);
        let (reply, enhanced) = (v.reply_code.map(|c| c.to_string()).unwrap_or_default(), v.enhanced_code.map(|c| c.to_string()).unwrap_or_default());
        write_record(
            w,
            &[
                s.addresses.get(r.addr),
                v.category.id(),
                &reply,
                &enhanced,
                &reason(s, r),
                s.date(r),
                &s.source(r),
            ],
        )?;
    }
    Ok(idx.len() as u64)
}

/// The domains to suppress whole (they accept no mail).
pub fn domains_csv<W: Write>(s: &Session, w: &mut W) -> io::Result<u64> {
    write_record(w, &["domain", "reason", "rows"])?;
    let mut per: FxHashMap<u32, (u64, usize)> = FxHashMap::default();
    for (i, r) in s.rows.iter().enumerate() {
        if s.verdict(r).action == Action::SuppressDomain {
            let e = per.entry(r.domain).or_insert((0, i));
            e.0 += 1;
        }
    }
    let mut v: Vec<(u32, (u64, usize))> = per.into_iter().collect();
    v.sort_by_key(|(d, _)| s.domains.get(*d).to_string());
    for (d, (n, i)) in &v {
        write_record(w, &[s.domains.get(*d), &reason(s, &s.rows[*i]), &n.to_string()])?;
    }
    Ok(v.len() as u64)
}

/// Addresses to move to re-engagement or verify: soft bounces on 3+ separate campaigns or
/// dates, and mailboxes full again and again.
pub fn reengagement_csv<W: Write>(s: &Session, w: &mut W) -> io::Result<u64> {
    write_record(w, &["address", "reason", "occasions", "last_reply"])?;
    let mut occ: FxHashMap<u32, (FxHashSet<u32>, bool, usize)> = FxHashMap::default();
    for (i, r) in s.rows.iter().enumerate() {
        let v = s.verdict(r);
        let soft = (v.class == Class::Temporary || v.bounce_type == BounceType::Soft) && v.category != Category::Greylisted;
        if soft {
            let e = occ.entry(r.addr).or_insert_with(|| (FxHashSet::default(), false, i));
            e.0.insert(r.day);
            e.1 |= v.category == Category::MailboxFull;
            e.2 = i;
        }
    }
    let mut out: Vec<(u32, usize, bool, usize)> = occ.into_iter().filter(|(_, (d, _, _))| d.len() >= 3).map(|(a, (d, full, i))| (a, d.len(), full, i)).collect();
    out.sort_by_key(|(a, ..)| *a);
    for (a, n, full, i) in &out {
        let why = if *full { "mailbox full again and again (abandoned?)" } else { "soft bounce on 3 or more separate campaigns or dates" };
        write_record(w, &[s.addresses.get(*a), why, &n.to_string(), &reason(s, &s.rows[*i])])?;
    }
    Ok(out.len() as u64)
}

/// The verdict columns added to each row of the annotated file.
pub const VERDICT_COLUMNS: &[&str] = &[
    "bl_bounce_type", "bl_class", "bl_category", "bl_action", "bl_owner", "bl_provider", "bl_reply_code", "bl_enhanced_code", "bl_summary", "bl_confidence",
];

fn verdict_cells(v: &crate::model::Verdict) -> Vec<String> {
    vec![
        v.bounce_type.id().into(),
        v.class.id().into(),
        v.category.id().into(),
        v.action.id().into(),
        v.owner.id().into(),
        v.provider_id().unwrap_or_default().to_string(),
        v.reply_code.map(|c| c.to_string()).unwrap_or_default(),
        v.enhanced_code.map(|c| c.to_string()).unwrap_or_default(),
        v.summary.clone(),
        v.confidence.id().into(),
    ]
}

/// Annotates a table file: its own rows and columns, plus the verdict columns. The file is read
/// again (streamed through `feed`); rows that were not analysed get empty verdict cells and a
/// note. Returns a writer-driven annotator.
pub struct Annotator<'s, W: Write> {
    session: &'s Session,
    file: u16,
    parser: CsvParser,
    transcoder: crate::text::Transcoder,
    out: W,
    /// Analysed rows of this file by line number.
    by_line: FxHashMap<u32, u32>,
    header_done: bool,
    pub error: Option<io::Error>,
}

impl<'s, W: Write> Annotator<'s, W> {
    /// `None` when the file is not a table (use [`rows_csv`] for those).
    pub fn new(session: &'s Session, file: usize, out: W) -> Option<Self> {
        let f = session.files.get(file)?;
        let delim = f.delimiter?;
        let enc = f.text_encoding.unwrap_or(crate::text::TextEncoding::Utf8);
        let by_line = session.rows.iter().enumerate().filter(|(_, r)| r.file as usize == file).map(|(i, r)| (r.line, i as u32)).collect();
        Some(Annotator { session, file: file as u16, parser: CsvParser::new(delim), transcoder: crate::text::Transcoder::new(enc), out, by_line, header_done: false, error: None })
    }

    pub fn feed(&mut self, chunk: &[u8], last: bool) {
        let mut text = Vec::with_capacity(chunk.len() + 16);
        self.transcoder.feed(chunk, &mut text, last);
        let mut parser = std::mem::replace(&mut self.parser, CsvParser::new(b','));
        parser.feed(&text, last, self);
        self.parser = parser;
    }

    pub fn finish(self) -> io::Result<W> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.out),
        }
    }
}

impl<W: Write> Sink for Annotator<'_, W> {
    fn pairs(&mut self, _row: u64, _pairs: Vec<(String, String)>) {}
    fn fields(&mut self, row: u64, fields: &[&str]) {
        if self.error.is_some() {
            return;
        }
        let f = &self.session.files[self.file as usize];
        let res = if !self.header_done && !f.headers.is_empty() && fields.iter().zip(f.headers.iter()).all(|(a, b)| *a == b) && fields.len() == f.headers.len() {
            self.header_done = true;
            let mut cells: Vec<&str> = fields.to_vec();
            cells.extend_from_slice(VERDICT_COLUMNS);
            write_record(&mut self.out, &cells)
        } else {
            if !self.header_done {
                // Headerless file: name the columns.
                self.header_done = true;
                let mut cells: Vec<&str> = f.headers.iter().map(|s| s.as_str()).collect();
                cells.extend_from_slice(VERDICT_COLUMNS);
                if let Err(e) = write_record(&mut self.out, &cells) {
                    self.error = Some(e);
                    return;
                }
            }
            let extra = match self.by_line.get(&(row as u32)) {
                Some(i) => verdict_cells(self.session.verdict(&self.session.rows[*i as usize])),
                None => {
                    let mut v = vec![String::new(); VERDICT_COLUMNS.len()];
                    v[8] = "not analysed (see the bad rows or other events)".into();
                    v
                }
            };
            let mut cells: Vec<&str> = fields.to_vec();
            cells.extend(extra.iter().map(|s| s.as_str()));
            write_record(&mut self.out, &cells)
        };
        if let Err(e) = res {
            self.error = Some(e);
        }
    }
    fn bad(&mut self, _bad: BadRecord) {}
}

/// Every analysed row with its verdict, as CSV (the annotated export of non-table inputs).
pub fn rows_csv<W: Write>(s: &Session, w: &mut W, file: Option<usize>) -> io::Result<u64> {
    let mut head = vec!["source", "address", "campaign", "date", "platform_label", "diagnostic"];
    head.extend_from_slice(VERDICT_COLUMNS);
    write_record(w, &head)?;
    let mut n = 0;
    for r in s.rows.iter().filter(|r| file.is_none_or(|f| r.file as usize == f)) {
        let v = s.verdict(r);
        let cells = verdict_cells(v);
        let src = s.source(r);
        let mut row: Vec<&str> = vec![&src, s.addresses.get(r.addr), s.campaigns.get(r.campaign), s.date(r), s.labels.get(r.label), &v.diagnostic];
        row.extend(cells.iter().map(|c| c.as_str()));
        write_record(w, &row)?;
        n += 1;
    }
    Ok(n)
}

/// The JSON report of the summary and alerts.
pub fn report_json<W: Write>(s: &Session, w: &mut W) -> io::Result<()> {
    serde_json::to_writer_pretty(w, &s.report()).map_err(io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_neutralised_and_quoted() {
        let mut out = vec![];
        write_record(&mut out, &["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "a,b", "plain"]).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert_eq!(s, "\"'=HYPERLINK(\"\"x\"\")\",'+1,'-2,'@SUM(A1),'\tx,\"'\rx\",\"a,b\",plain\r\n");
    }
}
