//! Files around the exports: zip archives (Mailchimp exports a zip of CSVs; a zip may hold
//! another), gzip-compressed exports (`.csv.gz`) and Excel workbooks (`.xlsx`, `.xls`). One
//! entry point, [`feed_any`], tells them apart by their first bytes and feeds what they hold
//! to the session, streamed wherever the format allows (a workbook is read whole by its
//! reader, within a stated size).
//!
//! A compressed file can expand without end (a "zip bomb"): decompression stops, and says so
//! in the file's notes, when an entry grows past [`MAX_RATIO`] times its compressed size (once
//! past [`RATIO_FROM`]) or when one archive has given [`MAX_EXPANDED`] bytes.

use super::input::Format;
use super::session::Session;
use crate::text::{container, human_bytes, Container};
use std::cell::Cell;
use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::rc::Rc;

/// How many archives inside archives are opened.
pub const MAX_NESTING: usize = 3;
/// The most a compressed entry may expand, as a multiple of its compressed size. Exports of
/// repeated replies compress 20 to 50 times; bombs 1,000 times and more.
pub const MAX_RATIO: u64 = 200;
/// The ratio is only checked past this many decompressed bytes (small files compress well).
pub const RATIO_FROM: u64 = 64 << 20;
/// The most one archive may give, in all.
pub const MAX_EXPANDED: u64 = 16 << 30;
/// The largest workbook read (its reader holds it whole).
pub const MAX_WORKBOOK: u64 = 512 << 20;
/// The largest archive inside an archive (it is read into memory to be opened).
pub const MAX_INNER_ARCHIVE: u64 = 1 << 30;

/// Streams a plain file into the session, in chunks: the file is never held whole.
pub fn feed_reader<R: Read>(s: &mut Session, name: &str, mut r: R, chunk: usize) -> io::Result<()> {
    s.begin_file(name);
    let mut buf = vec![0u8; chunk.max(4096)];
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                s.end_file();
                s.note(format!("Reading stopped early: {e}. The rows read until then are analysed."));
                return Ok(());
            }
        };
        s.feed(&buf[..n]);
    }
    s.end_file();
    Ok(())
}

/// Feeds a file of any kind: an archive's files, a decompressed `.gz`, a workbook's first
/// sheet, or the file itself. Errors are only those of reading the outer file; what is wrong
/// inside is told in the files' problems and notes.
pub fn feed_any<R: Read + Seek>(s: &mut Session, name: &str, r: R, chunk: usize) -> io::Result<()> {
    feed_nested(s, name, r, chunk, 0)
}

fn feed_nested<R: Read + Seek>(s: &mut Session, name: &str, mut r: R, chunk: usize, depth: usize) -> io::Result<()> {
    let mut head = [0u8; 8];
    let n = read_up_to(&mut r, &mut head)?;
    r.seek(SeekFrom::Start(0))?;
    match container(&head[..n]) {
        Container::Zip => feed_zip(s, name, r, chunk, depth),
        Container::Gzip => {
            let counted = Counted::new(r);
            let read = counted.count.clone();
            feed_gzip(s, name, counted, read, chunk, depth)
        }
        Container::Ole => feed_workbook(s, name, r),
        Container::Plain => feed_reader(s, name, r, chunk),
    }
}

fn read_up_to<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// A file that could not be opened at all, with why.
fn unreadable(s: &mut Session, name: &str, format: Format, problem: String) {
    s.begin_file(name);
    s.end_file();
    if let Some(f) = s.files.last_mut() {
        f.format = format;
        f.format_label = format.label().into();
        f.problem = Some(problem);
    }
}

fn feed_zip<R: Read + Seek>(s: &mut Session, name: &str, r: R, chunk: usize, depth: usize) -> io::Result<()> {
    let mut zip = match zip::ZipArchive::new(r) {
        Ok(z) => z,
        Err(e) => {
            unreadable(s, name, Format::Zip, format!("This zip archive cannot be read: {e}."));
            return Ok(());
        }
    };
    // An Excel workbook is a zip of XML parts.
    if zip.by_name("xl/workbook.xml").is_ok() {
        let mut inner = zip.into_inner();
        inner.seek(SeekFrom::Start(0))?;
        return feed_workbook(s, name, inner);
    }
    let budget = Rc::new(Cell::new(MAX_EXPANDED));
    for i in 0..zip.len() {
        let entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                unreadable(s, &format!("{name} (entry {})", i + 1), Format::Binary, format!("This entry cannot be read: {e}."));
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        let entry_name = format!("{name}/{}", entry.name());
        let base = entry.name().rsplit('/').next().unwrap_or("").to_string();
        if base.starts_with('.') || entry.name().starts_with("__MACOSX") {
            continue;
        }
        let compressed = entry.compressed_size();
        let mut limited = Limited::new(entry, compressed, budget.clone());
        let mut head = [0u8; 8];
        // Damage inside the archive (a corrupt deflate stream) is this entry's problem, not
        // an error that would lose the other entries (found by fuzzing).
        let n = match read_up_to(&mut limited, &mut head) {
            Ok(n) => n,
            Err(e) => {
                unreadable(s, &entry_name, Format::Binary, format!("This entry cannot be read: {e}."));
                continue;
            }
        };
        let kind = container(&head[..n]);
        if kind != Container::Plain {
            if depth + 1 > MAX_NESTING {
                unreadable(s, &entry_name, Format::Zip, format!("An archive nested more than {MAX_NESTING} deep is not opened."));
                continue;
            }
            // An archive inside: read it whole (within a limit) so it can be opened.
            let mut bytes = head[..n].to_vec();
            if let Err(e) = (&mut limited).take(MAX_INNER_ARCHIVE).read_to_end(&mut bytes) {
                unreadable(s, &entry_name, Format::Zip, format!("This archive inside the archive cannot be read: {e}."));
                continue;
            }
            let stop = limited.stopped();
            if bytes.len() as u64 >= MAX_INNER_ARCHIVE {
                unreadable(s, &entry_name, Format::Zip, format!("This archive inside the archive is larger than {}; it is not opened.", human_bytes(MAX_INNER_ARCHIVE)));
                continue;
            }
            if let Some(why) = stop {
                unreadable(s, &entry_name, Format::Zip, why);
                continue;
            }
            feed_nested(s, &entry_name, Cursor::new(bytes), chunk, depth + 1)?;
            continue;
        }
        let chained = Cursor::new(head[..n].to_vec()).chain(&mut limited);
        feed_reader(s, &entry_name, chained, chunk)?;
        if let Some(why) = limited.stopped() {
            s.note(why);
        }
    }
    Ok(())
}

fn feed_gzip<R: Read>(s: &mut Session, name: &str, r: R, read: Rc<Cell<u64>>, chunk: usize, depth: usize) -> io::Result<()> {
    let inner_name = name.strip_suffix(".gz").or_else(|| name.strip_suffix(".GZ")).unwrap_or(name).to_string();
    let mut limited = Limited::counting(flate2::read::MultiGzDecoder::new(r), read, Rc::new(Cell::new(MAX_EXPANDED)));
    let mut head = [0u8; 8];
    let n = match read_up_to(&mut limited, &mut head) {
        Ok(n) => n,
        Err(e) => {
            unreadable(s, name, Format::Binary, format!("This gzip file cannot be read: {e}."));
            return Ok(());
        }
    };
    if container(&head[..n]) == Container::Zip && depth < MAX_NESTING {
        let mut bytes = head[..n].to_vec();
        if let Err(e) = (&mut limited).take(MAX_INNER_ARCHIVE).read_to_end(&mut bytes) {
            unreadable(s, name, Format::Binary, format!("This gzip file cannot be read: {e}."));
            return Ok(());
        }
        return feed_nested(s, &inner_name, Cursor::new(bytes), chunk, depth + 1);
    }
    let chained = Cursor::new(head[..n].to_vec()).chain(&mut limited);
    feed_reader(s, &inner_name, chained, chunk)?;
    if let Some(why) = limited.stopped() {
        s.note(why);
    }
    if let Some(f) = s.files.last_mut() {
        f.format_label = format!("{} (gzip)", f.format_label);
    }
    Ok(())
}

/// The first sheet of a workbook, as a table: its rows written as CSV for the session.
///
/// `.xlsx` and `.xlsb` sheets are read cell by cell (calamine's cells readers), never as one
/// dense range: a sheet with one cell in A1 and one in XFD1048576 would make a dense range of
/// 17 billion cells. `.xls` files are parsed whole when opened, so [`super::ole::check`]
/// checks first every number calamine trusts there.
fn feed_workbook<R: Read + Seek>(s: &mut Session, name: &str, mut r: R) -> io::Result<()> {
    use calamine::{open_workbook_auto_from_rs, Reader, Sheets};
    let size = r.seek(SeekFrom::End(0))?;
    r.seek(SeekFrom::Start(0))?;
    if size > MAX_WORKBOOK {
        unreadable(s, name, Format::Binary, format!("This workbook is {}; workbooks up to {} are read. Save the sheet as CSV to analyse it.", human_bytes(size), human_bytes(MAX_WORKBOOK)));
        return Ok(());
    }
    let mut bytes = Vec::with_capacity(size as usize);
    r.read_to_end(&mut bytes)?;
    if let Err(why) = super::ole::check(&bytes).and_then(|()| zipped_parts_expand_within_limits(&bytes)) {
        unreadable(s, name, Format::Binary, format!("{why} Save the sheet again (or as CSV) to analyse it."));
        return Ok(());
    }
    let mut wb = match open_workbook_auto_from_rs(Cursor::new(bytes)) {
        Ok(wb) => wb,
        Err(e) => {
            unreadable(s, name, Format::Binary, format!("This workbook cannot be read: {e}. Save the sheet as CSV to analyse it."));
            return Ok(());
        }
    };
    let sheets = wb.sheet_names().to_vec();
    let Some(first) = sheets.first().cloned() else {
        unreadable(s, name, Format::Binary, "This workbook has no sheet.".into());
        return Ok(());
    };
    let cannot = |e: &dyn std::fmt::Display| format!("The sheet \"{first}\" cannot be read: {e}.");
    let mut table = SheetWriter::default();
    s.begin_file(name);
    // Every cell to the table; `Some(why)` when the sheet cannot be read (on from the cell).
    macro_rules! read_cells {
        ($book:expr) => {
            match $book.worksheet_cells_reader(&first) {
                Ok(mut cells) => loop {
                    match cells.next_cell() {
                        Ok(Some(c)) => table.cell(s, c.get_position(), calamine::Data::from(c.get_value().clone())),
                        Ok(None) => break None,
                        Err(e) => break Some(cannot(&e)),
                    }
                },
                Err(e) => Some(cannot(&e)),
            }
        };
    }
    let failed = match &mut wb {
        // The two cells readers are different types with the same methods.
        Sheets::Xlsx(x) => read_cells!(x),
        Sheets::Xlsb(x) => read_cells!(x),
        Sheets::Xls(x) => match x.worksheet_range(&first) {
            Ok(range) => {
                let (row0, col0) = range.start().unwrap_or((0, 0));
                for (r, c, v) in range.used_cells() {
                    table.cell(s, (row0 + r as u32, col0 + c as u32), v.clone());
                }
                None
            }
            Err(e) => Some(cannot(&e)),
        },
        Sheets::Ods(_) => Some("OpenDocument spreadsheets are not read.".to_string()),
    };
    table.finish(s);
    s.end_file();
    if let Some(f) = s.files.last_mut() {
        f.format_label = format!("Excel workbook, sheet \"{first}\"");
        // The file itself is not a table the annotated download can re-read.
        f.delimiter = None;
        if let Some(why) = failed {
            if table.rows == 0 {
                f.problem = Some(format!("{why} Save the sheet as CSV to analyse it."));
            } else {
                f.notes.push(format!("{why} The {} rows read before that are analysed.", table.rows));
            }
        }
        if table.cut_columns > 0 {
            let n = table.cut_columns;
            f.notes.push(format!("{n} {} right of column {MAX_SHEET_COLUMNS} {} left out.", if n == 1 { "cell" } else { "cells" }, if n == 1 { "was" } else { "were" }));
        }
        if sheets.len() > 1 {
            f.notes.push(format!("The workbook has {} sheets; the first, \"{first}\", was read ({} left out: {}).", sheets.len(), sheets.len() - 1, sheets[1..].join(", ")));
        }
    }
    Ok(())
}

/// The most columns of a sheet read: exports have tens; a cell far to the right would
/// otherwise make every row that wide.
pub const MAX_SHEET_COLUMNS: u32 = 1024;
/// The most a workbook's zipped parts may expand to, in all (calamine holds its shared
/// strings in memory).
pub const MAX_WORKBOOK_EXPANDED: u64 = 1 << 30;

/// A zipped workbook (`.xlsx`) is decompressed by calamine without limits: each part is first
/// decompressed here, to nothing, under the same bomb limits as an archive's entries.
fn zipped_parts_expand_within_limits(bytes: &[u8]) -> Result<(), String> {
    if container(bytes) != Container::Zip {
        return Ok(());
    }
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else { return Ok(()) };
    let budget = Rc::new(Cell::new(MAX_WORKBOOK_EXPANDED));
    for i in 0..zip.len() {
        let Ok(entry) = zip.by_index(i) else { continue };
        let compressed = entry.compressed_size();
        let mut limited = Limited::new(entry, compressed, budget.clone());
        // A damaged part is calamine's to report.
        let _ = io::copy(&mut limited, &mut io::sink());
        if let Some(why) = limited.stopped() {
            return Err(format!("This workbook's parts expand too far: {why}").replace(" What was read until then is analysed; the rest is left out.", ""));
        }
        if budget.get() == 0 {
            return Err(format!("This workbook's parts expand to more than {}.", human_bytes(MAX_WORKBOOK_EXPANDED)));
        }
    }
    Ok(())
}

/// Writes a sheet's cells, given row by row as readers give them, as CSV lines. Columns
/// start at the sheet's first used column, as calamine's ranges do.
#[derive(Default)]
struct SheetWriter {
    row: Option<u32>,
    /// The first used column, taken from the first row (a header row, in an export).
    col0: Option<u32>,
    cells: Vec<String>,
    line: String,
    rows: u64,
    cut_columns: u64,
}

impl SheetWriter {
    fn cell(&mut self, s: &mut Session, (row, col): (u32, u32), v: calamine::Data) {
        if self.row != Some(row) {
            self.flush(s);
            self.row = Some(row);
        }
        let col0 = *self.col0.get_or_insert(col);
        // A cell left of the first row's first column is put in the first column.
        let i = col.saturating_sub(col0);
        if i >= MAX_SHEET_COLUMNS {
            self.cut_columns += 1;
            return;
        }
        let text = cell_text(&v);
        if text.is_empty() {
            return;
        }
        let i = i as usize;
        if self.cells.len() <= i {
            self.cells.resize(i + 1, String::new());
        }
        self.cells[i] = text;
    }

    fn flush(&mut self, s: &mut Session) {
        if self.cells.is_empty() {
            return;
        }
        self.line.clear();
        for (i, v) in self.cells.iter().enumerate() {
            if i > 0 {
                self.line.push(',');
            }
            if v.contains([',', '"', '\n', '\r']) {
                self.line.push('"');
                self.line.push_str(&v.replace('"', "\"\""));
                self.line.push('"');
            } else {
                self.line.push_str(v);
            }
        }
        self.line.push('\n');
        s.feed(self.line.as_bytes());
        self.cells.clear();
        self.rows += 1;
    }

    fn finish(&mut self, s: &mut Session) {
        self.flush(s);
    }
}

fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(t) => t.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        // Excel keeps dates as days since 1899-12-30 (25,569 days before 1970-01-01).
        Data::DateTime(d) if (1.0..2_958_466.0).contains(&d.as_f64()) => {
            let secs = ((d.as_f64() - 25_569.0) * 86_400.0).round() as i64;
            super::epoch_to_iso(&secs.to_string()).unwrap_or_else(|| d.to_string())
        }
        other => other.to_string(),
    }
}

/// Counts the bytes read through it (the compressed size of a gzip stream).
struct Counted<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R> Counted<R> {
    fn new(inner: R) -> Self {
        Counted { inner, count: Rc::new(Cell::new(0)) }
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// A decompressing reader that stops at the bomb limits (see the module docs).
struct Limited<R> {
    inner: R,
    /// The compressed size, known (a zip entry) or counted as it is read (gzip).
    compressed: Compressed,
    out: u64,
    /// What the whole archive may still give.
    budget: Rc<Cell<u64>>,
    stop: Option<String>,
}

enum Compressed {
    Known(u64),
    Counted(Rc<Cell<u64>>),
}

impl<R: Read> Limited<R> {
    fn new(inner: R, compressed: u64, budget: Rc<Cell<u64>>) -> Self {
        Limited { inner, compressed: Compressed::Known(compressed), out: 0, budget, stop: None }
    }
    fn counting(inner: R, read: Rc<Cell<u64>>, budget: Rc<Cell<u64>>) -> Self {
        Limited { inner, compressed: Compressed::Counted(read), out: 0, budget, stop: None }
    }
    fn stopped(&self) -> Option<String> {
        self.stop.clone()
    }
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.stop.is_some() {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        self.out += n as u64;
        let compressed = match &self.compressed {
            Compressed::Known(c) => *c,
            Compressed::Counted(c) => c.get(),
        }
        .max(1);
        let left = self.budget.get().saturating_sub(n as u64);
        self.budget.set(left);
        if self.out > RATIO_FROM && self.out / compressed > MAX_RATIO {
            self.stop = Some(format!(
                "Decompression stopped after {}: the data expanded more than {MAX_RATIO} times its compressed size ({}), as a zip bomb does. What was read until then is analysed; the rest is left out.",
                human_bytes(self.out),
                human_bytes(compressed)
            ));
        } else if left == 0 {
            self.stop = Some(format!("Decompression stopped at {} from one archive, the most bouncelens reads from one; the rest is left out.", human_bytes(MAX_EXPANDED)));
        }
        Ok(n)
    }
}
