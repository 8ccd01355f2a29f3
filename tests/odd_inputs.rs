//! The catalogue of odd and bad inputs: the files people really drop (damaged, huge, compressed,
//! in other encodings and conventions). Each case states what must be read, what is counted as
//! bad or left out, and the message the user gets: nothing may be lost without a word.
//!
//! The same cases run through the CLI (tests/cli.rs) and, for the ones that matter in the
//! browser, through the built app (tests/e2e/odd.test.mjs).

use bouncelens::batch::export::suppression_csv;
use bouncelens::batch::{feed_any, feed_reader, FileInfo, Options, Session};
use bouncelens::email::read_file;
use std::io::{Cursor, Read, Write};

/// Analyses one file as the CLI and the worker do (archives and workbooks opened).
fn analyse(name: &str, bytes: &[u8]) -> Session {
    let mut s = Session::new(Options::default());
    feed_any(&mut s, name, Cursor::new(bytes), 64 * 1024).unwrap();
    s
}

fn only(s: &Session) -> &FileInfo {
    assert_eq!(s.files.len(), 1, "files: {:?}", s.files.iter().map(|f| &f.name).collect::<Vec<_>>());
    &s.files[0]
}

/// `n` rows of a plain export, half unknown users and half full mailboxes.
fn rows(n: usize) -> String {
    let mut out = String::from("email,diagnostic,date\n");
    for i in 0..n {
        let reply = if i % 2 == 0 { "550 5.1.1 user unknown" } else { "452 4.2.2 mailbox full" };
        out.push_str(&format!("user{i}@example.com,{reply},2026-11-0{}\n", 1 + i % 9));
    }
    out
}

fn suppressed(s: &Session) -> Vec<String> {
    let mut out = vec![];
    suppression_csv(s, &mut out).unwrap();
    String::from_utf8(out).unwrap().lines().skip(1).map(|l| l.split(',').next().unwrap().to_string()).collect()
}

fn bad_reasons(s: &Session) -> Vec<String> {
    s.bad_rows.iter().map(|b| b.reason.clone()).collect()
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn gzip_of(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

// ---- empty, header-only, binary ------------------------------------------------------------

#[test]
fn an_empty_file_says_it_is_empty() {
    let s = analyse("empty.csv", b"");
    let f = only(&s);
    assert_eq!((f.rows, f.analysed, f.bad_rows), (0, 0, 0));
    assert_eq!(f.problem.as_deref(), Some("The file is empty."));
}

#[test]
fn a_header_only_file_has_no_rows() {
    let s = analyse("header.csv", b"email,diagnostic,date\n");
    let f = only(&s);
    assert_eq!((f.rows, f.analysed, f.bad_rows), (0, 0, 0));
    assert_eq!(f.problem.as_deref(), Some("No rows could be read from this file."));
}

#[test]
fn random_bytes_are_refused_as_binary() {
    // A fixed xorshift stream: the same "random" file on every run.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..20_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let s = analyse("random.csv", &bytes);
    let f = only(&s);
    assert_eq!(f.analysed, 0);
    assert!(f.problem.as_deref().unwrap().contains("looks binary"), "{:?}", f.problem);
}

#[test]
fn a_pdf_is_refused_as_binary() {
    let mut pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nstream\n".to_vec();
    pdf.extend((0..4000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    let s = analyse("report.pdf", &pdf);
    assert!(only(&s).problem.as_deref().unwrap().contains("looks binary"));
}

// ---- damaged rows --------------------------------------------------------------------------

#[test]
fn a_nul_in_one_row_keeps_every_row() {
    let text = rows(10).replacen("user3@", "us\0er3@", 1);
    let s = analyse("nul.csv", text.as_bytes());
    let f = only(&s);
    assert_eq!((f.rows, f.analysed, f.bad_rows), (10, 10, 0));
    assert!(f.problem.is_none());
    assert_eq!(f.notes, vec!["A NUL byte (character 0, which text never holds) was removed; the rows that held it are read without it.".to_string()]);
    assert!(suppressed(&s).contains(&"user4@example.com".to_string()));
}

#[test]
fn a_quote_closed_by_a_later_row_loses_only_its_own_row() {
    // Row 3 opens a quote it never closes; row 7's quoted reply closes it.
    let mut text = String::from("email,diagnostic,date\n");
    for i in 0..10 {
        match i {
            3 => text.push_str("user3@example.com,\"550 5.1.1 user unknown,2026-11-01\n"),
            7 => text.push_str("user7@example.com,\"550 5.1.1 user unknown\",2026-11-01\n"),
            _ => text.push_str(&format!("user{i}@example.com,550 5.1.1 user unknown,2026-11-01\n")),
        }
    }
    let s = analyse("quote.csv", text.as_bytes());
    let f = only(&s);
    assert_eq!(f.bad_rows, 1, "{:?}", bad_reasons(&s));
    assert_eq!(f.analysed, 9);
    assert!(bad_reasons(&s)[0].contains("never closed"), "{:?}", bad_reasons(&s));
    assert_eq!(s.bad_rows[0].row, 5, "the bad row is the one that opened the quote (line 5)");
    let sup = suppressed(&s);
    for i in [0, 4, 5, 6, 7, 8, 9] {
        assert!(sup.contains(&format!("user{i}@example.com")), "user{i} lost: {sup:?}");
    }
}

#[test]
fn a_quote_never_closed_in_a_big_file_does_not_swallow_the_rest() {
    // 20,000 rows after the broken one: far past the size where a growing record is checked.
    let mut text = String::from("email,diagnostic,date\nfirst@example.com,\"550 5.1.1 user unknown,2026-11-01\n");
    text.push_str(&rows(20_000)["email,diagnostic,date\n".len()..]);
    let s = analyse("unclosed.csv", text.as_bytes());
    let f = only(&s);
    assert_eq!(f.bad_rows, 1, "{:?}", s.bad_rows);
    assert_eq!(f.analysed, 20_000);
    assert!(bad_reasons(&s)[0].contains("never closed"));
}

#[test]
fn a_cell_that_really_spans_lines_is_one_row() {
    let text = "email,diagnostic,date\na@example.com,\"550-5.1.1 The email account does not exist.\n550-5.1.1 Please try\n550 5.1.1 double-checking the address\",2026-11-01\nb@example.com,452 4.2.2 mailbox full,2026-11-02\n";
    let s = analyse("multiline.csv", text.as_bytes());
    let f = only(&s);
    assert_eq!((f.rows, f.analysed, f.bad_rows), (2, 2, 0));
    assert_eq!(suppressed(&s), vec!["a@example.com".to_string()]);
}

/// A reader that makes a long file without holding it: `head`, then `body` repeated up to
/// `len` bytes, then `tail`.
struct Generated {
    parts: Vec<(Vec<u8>, u64)>,
    part: usize,
    at: u64,
}

impl Generated {
    fn new(head: &[u8], body: &[u8], len: u64, tail: &[u8]) -> Self {
        Generated { parts: vec![(head.to_vec(), 1), (body.to_vec(), len / body.len() as u64), (tail.to_vec(), 1)], part: 0, at: 0 }
    }
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < buf.len() && self.part < self.parts.len() {
            let (bytes, times) = &self.parts[self.part];
            let total = bytes.len() as u64 * times;
            if self.at >= total {
                self.part += 1;
                self.at = 0;
                continue;
            }
            let off = (self.at % bytes.len() as u64) as usize;
            let k = (bytes.len() - off).min(buf.len() - n);
            buf[n..n + k].copy_from_slice(&bytes[off..off + k]);
            n += k;
            self.at += k as u64;
        }
        Ok(n)
    }
}

#[test]
fn a_100_mb_line_is_one_bad_row_and_the_rest_is_read() {
    let head = format!("{}huge@example.com,550 ", rows(5));
    let tail = format!(" user unknown,2026-11-01\n{}", &rows(5)["email,diagnostic,date\n".len()..]);
    let mut s = Session::new(Options::default());
    feed_reader(&mut s, "huge-line.csv", Generated::new(head.as_bytes(), b"xxxxxxxxxxxxxxxx", 100 << 20, tail.as_bytes()), 1 << 20).unwrap();
    let f = only(&s);
    assert_eq!((f.rows, f.analysed, f.bad_rows), (11, 10, 1));
    assert_eq!(bad_reasons(&s), vec!["row longer than 1 MB, skipped".to_string()]);
    assert_eq!(s.bad_rows[0].row, 7);
}

#[test]
fn a_5_mb_header_line_is_said_and_the_file_still_read() {
    let mut text = String::from("email,diagnostic,date,");
    text.push_str(&"padding".repeat(5 << 20 >> 3));
    text.push('\n');
    text.push_str(&rows(10)["email,diagnostic,date\n".len()..]);
    let s = analyse("wide-header.csv", text.as_bytes());
    let f = only(&s);
    assert_eq!(f.bad_rows, 1, "{:?}", bad_reasons(&s));
    assert_eq!(s.bad_rows[0].row, 1);
    assert!(bad_reasons(&s)[0].contains("longer than 1 MB"));
    // Without a header the columns are recognised by what they hold: all ten rows are analysed.
    assert_eq!(f.analysed, 10);
}

#[test]
fn a_2_gb_file_is_streamed() {
    // 2 GiB of rows, generated as they are read: the file is never in memory.
    let body = b"someone@example.com,550 5.1.1 user unknown,2026-11-01\n";
    let len = 2u64 << 30;
    let mut s = Session::new(Options::default());
    feed_reader(&mut s, "two-gigabytes.csv", Generated::new(b"email,diagnostic,date\n", body, len, b""), 4 << 20).unwrap();
    let f = only(&s);
    let expect = len / body.len() as u64;
    assert_eq!((f.rows, f.analysed, f.bad_rows), (expect, expect, 0));
    assert_eq!(f.bytes, 22 + expect * body.len() as u64);
}

// ---- encodings and conventions -------------------------------------------------------------

#[test]
fn utf16_without_a_bom_is_read() {
    let text = rows(6).replace("user0@", "zoë@");
    let bytes: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let s = analyse("utf16.csv", &bytes);
    let f = only(&s);
    assert_eq!((f.rows, f.analysed, f.bad_rows), (6, 6, 0));
    assert!(f.encoding.contains("UTF-16"), "{}", f.encoding);
    assert!(suppressed(&s).contains(&"zoë@example.com".to_string()));
}

#[test]
fn windows_1252_is_read() {
    let text = "email,diagnostic,date\nren\u{e9}@example.com,550 5.1.1 Destinataire inconnu \u{2013} adresse invalide,2026-11-01\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    let s = analyse("cp1252.csv", &bytes);
    let f = only(&s);
    assert_eq!((f.rows, f.analysed), (1, 1));
    assert!(f.encoding.to_lowercase().contains("1252") || f.encoding.to_lowercase().contains("windows"), "{}", f.encoding);
    assert_eq!(suppressed(&s), vec!["ren\u{e9}@example.com".to_string()]);
}

#[test]
fn a_semicolon_export_with_german_headers_and_dotted_dates() {
    let text = "E-Mail-Adresse;Fehlermeldung;Datum\nanna@example.de;550 5.1.1 Benutzer unbekannt;31.10.2026 14:05\nbernd@example.de;452 4.2.2 Postfach voll;01.11.2026\n";
    let s = analyse("bounces.csv", text.as_bytes());
    let f = only(&s);
    assert_eq!((f.rows, f.analysed, f.bad_rows), (2, 2, 0));
    assert_eq!(f.delimiter, Some(b';'));
    assert!(f.problem.is_none());
    let dates: Vec<&str> = s.rows.iter().map(|r| s.date(r)).collect();
    assert_eq!(dates, vec!["2026-10-31 14:05", "2026-11-01"]);
    assert_eq!(suppressed(&s), vec!["anna@example.de".to_string()]);
}

#[test]
fn bare_cr_line_ends_are_rows() {
    let text = rows(5).replace('\n', "\r");
    let s = analyse("mac.csv", text.as_bytes());
    assert_eq!(only(&s).analysed, 5);
}

#[test]
fn mixed_encodings_across_files_are_each_decoded() {
    let mut s = Session::new(Options::default());
    let utf8 = "email,diagnostic\njos\u{e9}@example.com,550 5.1.1 user unknown\n";
    let (latin, _, _) = encoding_rs::WINDOWS_1252.encode("email,diagnostic\nm\u{fc}ller@example.com,550 5.1.1 user unknown\n");
    feed_any(&mut s, "a.csv", Cursor::new(utf8.as_bytes()), 4096).unwrap();
    feed_any(&mut s, "b.csv", Cursor::new(&latin[..]), 4096).unwrap();
    let mut sup = suppressed(&s);
    sup.sort();
    assert_eq!(sup, vec!["jos\u{e9}@example.com".to_string(), "m\u{fc}ller@example.com".to_string()]);
}

// ---- compressed and archived ---------------------------------------------------------------

#[test]
fn a_gz_export_is_decompressed_as_a_stream() {
    let s = analyse("export.csv.gz", &gzip_of(rows(1000).as_bytes()));
    let f = only(&s);
    assert_eq!((f.rows, f.analysed, f.bad_rows), (1000, 1000, 0));
    assert!(f.notes.is_empty(), "{:?}", f.notes);
}

#[test]
fn a_truncated_gz_keeps_what_was_read_and_says_so() {
    let gz = gzip_of(rows(5000).as_bytes());
    let s = analyse("cut.csv.gz", &gz[..gz.len() / 2]);
    let f = &s.files[0];
    assert!(f.analysed > 100 && f.analysed < 5000, "{}", f.analysed);
    assert!(s.files.iter().flat_map(|f| &f.notes).any(|n| n.contains("stopped early")), "{:?}", s.files.iter().map(|f| &f.notes).collect::<Vec<_>>());
}

#[test]
fn a_zip_inside_a_zip_is_opened() {
    let inner = zip_of(&[("bounces.csv", rows(40).as_bytes())]);
    let outer = zip_of(&[("__MACOSX/._bounces.zip", b"\0\x05\x16\x07"), ("bounces.zip", &inner), ("readme.txt", b"")]);
    let s = analyse("export.zip", &outer);
    let read: Vec<&FileInfo> = s.files.iter().filter(|f| f.analysed > 0).collect();
    assert_eq!(read.len(), 1, "{:?}", s.files.iter().map(|f| (&f.name, &f.problem)).collect::<Vec<_>>());
    assert_eq!(read[0].analysed, 40);
    assert!(read[0].name.contains("bounces.zip") && read[0].name.contains("bounces.csv"), "{}", read[0].name);
    assert!(!s.files.iter().any(|f| f.name.contains("__MACOSX")));
}

#[test]
fn a_zip_bomb_stops_at_the_stated_ratio_and_says_so() {
    // 300 MB of one repeated row compresses about 1000:1.
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file("bomb.csv", zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true)).unwrap();
    w.write_all(b"email,diagnostic\n").unwrap();
    let row = b"a@example.com,550 5.1.1 user unknown\n".repeat(4096);
    let mut written = 0u64;
    while written < 300 << 20 {
        w.write_all(&row).unwrap();
        written += row.len() as u64;
    }
    let zip = w.finish().unwrap().into_inner();
    assert!(zip.len() < 1 << 20, "{}", zip.len());
    let s = analyse("bomb.zip", &zip);
    let f = only(&s);
    assert!(f.analysed > 0 && f.analysed < (300 << 20) / 37, "{}", f.analysed);
    let note = f.notes.iter().find(|n| n.contains("zip bomb")).unwrap_or_else(|| panic!("{:?}", f.notes));
    assert!(note.contains(&format!("{} times", bouncelens::batch::archive::MAX_RATIO)), "{note}");
}

#[test]
fn a_corrupt_zip_is_a_clear_problem() {
    let mut zip = zip_of(&[("bounces.csv", rows(40).as_bytes())]);
    zip.truncate(zip.len() / 2);
    let s = analyse("broken.zip", &zip);
    assert!(s.files.iter().all(|f| f.analysed == 0));
    assert!(s.files.iter().any(|f| f.problem.as_deref().is_some_and(|p| p.contains("zip"))), "{:?}", s.files.iter().map(|f| &f.problem).collect::<Vec<_>>());
}

/// A minimal workbook (inline strings), as Excel and Google Sheets write them.
fn xlsx_of(cells: &[Vec<&str>]) -> Vec<u8> {
    xlsx_with(cells, "")
}

/// The same, with `more` (raw `<row>` elements) after the cells.
fn xlsx_with(cells: &[Vec<&str>], more: &str) -> Vec<u8> {
    let mut sheet = String::from(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#);
    for (r, row) in cells.iter().enumerate() {
        sheet.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (c, v) in row.iter().enumerate() {
            sheet.push_str(&format!(r#"<c r="{}{}" t="inlineStr"><is><t>{}</t></is></c>"#, (b'A' + c as u8) as char, r + 1, v));
        }
        sheet.push_str("</row>");
    }
    sheet.push_str(more);
    sheet.push_str("</sheetData></worksheet>");
    zip_of(&[
        ("[Content_Types].xml", br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#),
        ("_rels/.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
        ("xl/workbook.xml", br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Bounces" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
        ("xl/_rels/workbook.xml.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ])
}

#[test]
fn an_xlsx_workbook_is_read() {
    let mut cells = vec![vec!["Email", "Bounce reason", "Date"]];
    let addrs: Vec<String> = (0..30).map(|i| format!("user{i}@example.com")).collect();
    for (i, a) in addrs.iter().enumerate() {
        cells.push(vec![a, if i % 3 == 0 { "550 5.1.1 user unknown" } else { "421 4.7.0 try again later" }, "2026-11-01"]);
    }
    let s = analyse("bounces.xlsx", &xlsx_of(&cells));
    let f = only(&s);
    assert_eq!((f.rows, f.analysed, f.bad_rows), (30, 30, 0), "{:?}", f.problem);
    assert_eq!(suppressed(&s).len(), 10);
}

#[test]
fn a_cell_in_the_last_corner_of_a_sheet_does_not_make_a_grid_of_billions() {
    // One stray cell in XFD1048576: read as a dense range, the sheet would be 17 billion
    // cells. It is read cell by cell; the cell is far right of what is read, and said so.
    let mut cells = vec![vec!["Email", "Bounce reason"]];
    let addrs: Vec<String> = (0..5).map(|i| format!("user{i}@example.com")).collect();
    for a in &addrs {
        cells.push(vec![a, "550 5.1.1 user unknown"]);
    }
    let stray = r#"<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>"#;
    let s = analyse("bounces.xlsx", &xlsx_with(&cells, stray));
    let f = only(&s);
    assert_eq!((f.rows, f.analysed, f.bad_rows), (5, 5, 0), "{:?}", f.problem);
    assert!(f.notes.iter().any(|n| n == "1 cell right of column 1024 was left out."), "{:?}", f.notes);
    assert_eq!(suppressed(&s).len(), 5);
}

#[test]
fn an_xls_workbook_is_read() {
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/odd/export.xls")).unwrap();
    let s = analyse("export.xls", &bytes);
    let f = only(&s);
    assert_eq!((f.rows, f.analysed, f.bad_rows), (20, 20, 0), "{:?}", f.problem);
    assert_eq!(suppressed(&s).len(), 10);
    // Dates are kept as day numbers by Excel: read as ISO dates.
    assert!(s.date(&s.rows[0]).starts_with("2026-11-01 14:05"), "{}", s.date(&s.rows[0]));
    // Its second sheet is named as left out.
    assert_eq!(f.notes, vec!["The workbook has 2 sheets; the first, \"Bounces\", was read (1 left out: Notes).".to_string()]);
}

// ---- JSON ----------------------------------------------------------------------------------

#[test]
fn a_bad_json_line_is_one_bad_row() {
    let text = "{\"email\":\"a@example.com\",\"reason\":\"550 5.1.1 user unknown\"}\n{\"email\": broken\n{\"email\":\"b@example.com\",\"reason\":\"452 4.2.2 mailbox full\"}\n";
    let s = analyse("events.jsonl", text.as_bytes());
    let f = only(&s);
    assert_eq!((f.analysed, f.bad_rows), (2, 1));
    assert_eq!(s.bad_rows[0].row, 2);
    assert!(bad_reasons(&s)[0].starts_with("not valid JSON"));
}

#[test]
fn a_json_array_broken_in_the_middle_keeps_the_objects_before() {
    let text = "[{\"email\":\"a@example.com\",\"reason\":\"550 5.1.1 user unknown\"},{\"email\":\"b@example.com\",\"reason\":\"550 5.1.1 user unknown\"},{\"email\": ";
    let s = analyse("events.json", text.as_bytes());
    let f = only(&s);
    assert_eq!((f.analysed, f.bad_rows), (2, 1), "{:?}", bad_reasons(&s));
}

#[test]
fn deep_json_nesting_is_named() {
    let deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
    let text = format!("{{\"email\":\"a@example.com\",\"reason\":\"550 5.1.1 user unknown\"}}\n{{\"email\":\"b@example.com\",\"x\":{deep}}}\n");
    let s = analyse("deep.jsonl", text.as_bytes());
    let f = only(&s);
    assert_eq!((f.analysed, f.bad_rows), (1, 1));
    assert!(bad_reasons(&s)[0].contains("nested more than 128 levels"), "{:?}", bad_reasons(&s));
    // One deep document and nothing else: the file's problem says why.
    let s = analyse("deep.json", format!("{{\"email\":\"b@example.com\",\"x\":{deep}}}").as_bytes());
    assert!(only(&s).problem.as_deref().unwrap().contains("nested more than 128 levels"), "{:?}", only(&s).problem);
}

// ---- columns and rows that are not bounces -------------------------------------------------

#[test]
fn an_events_only_export_counts_its_events() {
    let text = "email,event,timestamp\na@example.com,delivered,2026-11-01\nb@example.com,open,2026-11-01\nc@example.com,click,2026-11-01\n";
    let s = analyse("events.csv", text.as_bytes());
    let f = only(&s);
    assert_eq!(f.analysed, 0);
    let other: u64 = f.other_events.iter().map(|(_, n)| n).sum();
    assert_eq!(other, 3, "{:?}", f.other_events);
    assert_eq!(f.problem.as_deref(), Some("No row held a bounce that could be analysed."));
}

#[test]
fn no_address_column_names_the_columns() {
    let text = "id,reply\n1,550 5.1.1 user unknown\n2,452 4.2.2 mailbox full\n";
    let s = analyse("ids.csv", text.as_bytes());
    let p = only(&s).problem.clone().unwrap();
    assert!(p.starts_with("No column with email addresses was found") && p.contains("\"id\", \"reply\""), "{p}");
}

#[test]
fn five_hundred_columns_are_read() {
    let mut text = String::from("email,diagnostic");
    for i in 0..498 {
        text.push_str(&format!(",extra{i}"));
    }
    text.push('\n');
    for i in 0..20 {
        text.push_str(&format!("u{i}@example.com,550 5.1.1 user unknown{}\n", ",x".repeat(498)));
    }
    let s = analyse("wide.csv", text.as_bytes());
    let f = only(&s);
    assert_eq!((f.rows, f.analysed, f.headers.len()), (20, 20, 500));
}

#[test]
fn cells_that_spreadsheets_run_are_neutralised_in_downloads() {
    let text = "email,diagnostic\n=HYPERLINK(\"http://evil\")@example.com,550 5.1.1 user unknown\n+cmd@example.com,550 5.1.1 =1+1\n";
    let s = analyse("formulas.csv", text.as_bytes());
    let mut out = vec![];
    suppression_csv(&s, &mut out).unwrap();
    let out = String::from_utf8(out).unwrap();
    for line in out.lines().skip(1) {
        for cell in line.split(',') {
            let c = cell.trim_start_matches('"');
            assert!(!c.starts_with(['=', '+', '-', '@']), "a cell a spreadsheet would run: {cell} in {line}");
        }
    }
}

#[test]
fn invalid_and_duplicate_addresses_across_files() {
    let mut s = Session::new(Options::default());
    feed_any(&mut s, "a.csv", Cursor::new(b"email,diagnostic\nDup@Example.com,550 5.1.1 user unknown\nnot-an-address,550 5.1.1 user unknown\n".as_slice()), 4096).unwrap();
    feed_any(&mut s, "b.csv", Cursor::new(b"email,diagnostic\ndup@example.com,550 5.1.1 user unknown\n,550 5.1.1 user unknown\n".as_slice()), 4096).unwrap();
    let sup = suppressed(&s);
    assert_eq!(sup.iter().filter(|a| a.eq_ignore_ascii_case("dup@example.com")).count(), 1, "{sup:?}");
    assert!(!sup.iter().any(|a| a == "not-an-address"), "{sup:?}");
    // The two rows without an address are counted as bad, with the reason.
    assert_eq!(s.bad_count, 2, "{:?}", bad_reasons(&s));
}

// ---- email ---------------------------------------------------------------------------------

fn dsn(recipients: &[String]) -> String {
    let mut per = String::new();
    for r in recipients {
        per.push_str(&format!("\nFinal-Recipient: rfc822; {r}\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 <{r}>: user unknown\n"));
    }
    format!("From: MAILER-DAEMON@mx.example.net\nTo: sender@example.org\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n{per}\n--B--\n")
}

#[test]
fn a_report_naming_50000_recipients_reads_them_all() {
    let rcpts: Vec<String> = (0..50_000).map(|i| format!("r{i}@example.com")).collect();
    let reading = read_file(dsn(&rcpts).as_bytes(), "big.eml");
    assert_eq!(reading.records.len(), 50_000);
    assert!(reading.notes.is_empty(), "{:?}", reading.notes);
}

#[test]
fn deep_mime_nesting_is_counted_and_said() {
    let mut mail = dsn(&["inner@example.com".to_string()]);
    for i in 0..40 {
        mail = format!("From: a@example.net\nSubject: Fwd {i}\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"N{i}\"\n\n--N{i}\nContent-Type: message/rfc822\n\n{mail}\n--N{i}--\n");
    }
    let reading = read_file(mail.as_bytes(), "deep.eml");
    assert!(reading.notes.iter().any(|n| n.contains("nested")), "{:?}", reading.notes);
}

#[test]
fn an_mbox_with_a_broken_message_keeps_the_others() {
    let good = dsn(&["a@example.com".to_string()]);
    let broken = "From: MAILER-DAEMON@x\nContent-Type: multipart/report; boundary=\"never\"\n\n--never\nContent-Type: message/deliv";
    let mbox = format!("From MAILER-DAEMON Mon Nov  2 10:00:00 2026\n{good}\nFrom MAILER-DAEMON Mon Nov  2 10:01:00 2026\n{broken}\nFrom MAILER-DAEMON Mon Nov  2 10:02:00 2026\n{}\n", dsn(&["b@example.com".to_string()]));
    let mut s = Session::new(Options::default());
    feed_any(&mut s, "bounces.mbox", Cursor::new(mbox.as_bytes()), 1000).unwrap();
    let f = only(&s);
    assert_eq!(f.analysed, 2);
    assert_eq!(f.bad_rows, 1, "{:?}", bad_reasons(&s));
    assert_eq!(bad_reasons(&s), vec!["no bounce found in this email".to_string()]);
}

#[test]
fn an_email_without_a_recipient_says_so_when_pasted() {
    let mail = "From: someone@example.net\nTo: me@example.org\nSubject: Hello\n\nJust a note, nothing bounced.\n";
    let a = bouncelens::paste::analyze(mail);
    assert!(a.records.is_empty());
    assert!(a.notices.iter().any(|n| n.contains("no failed recipient")), "{:?}", a.notices);
}
