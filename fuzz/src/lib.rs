//! What the fuzz targets share: feeding bytes to the readers, and the invariants checked on
//! what they give back. Each check panics (a libFuzzer crash) when an invariant fails.

use bouncelens::batch::input::Format;
use bouncelens::batch::{feed_any, Session};
use bouncelens::model::{Id, Record, Verdict};

/// A verdict's evidence points into its diagnostic: offsets in order, on char boundaries,
/// and the text there is the evidence's text.
pub fn check_verdict(v: &Verdict) {
    for e in &v.evidence {
        match (e.start, e.end) {
            (Some(s), Some(t)) => {
                assert!(s <= t && t <= v.diagnostic.len(), "evidence {s}..{t} outside a diagnostic of {} bytes", v.diagnostic.len());
                assert!(v.diagnostic.is_char_boundary(s) && v.diagnostic.is_char_boundary(t), "evidence {s}..{t} not on char boundaries");
                assert_eq!(&v.diagnostic[s..t], e.text, "evidence text differs from the diagnostic at {s}..{t}");
            }
            (None, None) => {}
            other => panic!("evidence with one offset only: {other:?}"),
        }
    }
}

pub fn check_records(records: &[Record]) {
    for r in records {
        check_verdict(&r.verdict);
        if let Some(a) = &r.recipient {
            assert!(!a.is_empty(), "empty recipient instead of none");
        }
    }
}

/// The formats read row by row (one record, one row): their counts must add up.
fn row_format(f: Format) -> bool {
    matches!(f, Format::Csv | Format::Tsv | Format::JsonArray | Format::JsonLines | Format::Text)
}

/// A session's counts add up and its summaries can be made.
pub fn check_session(s: &Session) {
    let analysed: u64 = s.files.iter().map(|f| f.analysed).sum();
    let bad: u64 = s.files.iter().map(|f| f.bad_rows).sum();
    assert_eq!(analysed, s.rows.len() as u64, "analysed rows differ from the rows stored");
    assert_eq!(bad, s.bad_count, "bad rows of the files differ from the session's count");
    assert!(s.bad_rows.len() as u64 <= s.bad_count, "more bad rows listed than counted");
    for f in &s.files {
        if row_format(f.format) {
            let other: u64 = f.other_events.iter().map(|(_, n)| n).sum();
            assert!(f.analysed + f.bad_rows + other <= f.rows, "{}: analysed {} + bad {} + other {} > rows {}", f.name, f.analysed, f.bad_rows, other, f.rows);
        }
        assert!(f.problem.is_some() || f.analysed > 0, "{}: nothing analysed and no problem said", f.name);
        assert_eq!(f.headers.len(), f.roles.len().max(f.headers.len()), "{}: more roles than headers", f.name);
    }
    for r in &s.rows {
        assert!((r.verdict as usize) < s.verdicts.len(), "row points past the verdicts");
        let _ = s.date(r);
        let _ = s.source(r);
    }
    for v in &s.verdicts {
        check_verdict(&v.verdict);
    }
    let _ = s.report();
    let _ = s.alerts();
}

/// What must not depend on where the chunks of a file end.
#[derive(Debug, PartialEq)]
struct Shape {
    format: Vec<Format>,
    rows: Vec<u64>,
    analysed: Vec<u64>,
    bad: Vec<u64>,
    headers: Vec<Vec<String>>,
    verdicts: Vec<String>,
}

fn shape(s: &Session) -> Shape {
    Shape {
        format: s.files.iter().map(|f| f.format).collect(),
        rows: s.files.iter().map(|f| f.rows).collect(),
        analysed: s.files.iter().map(|f| f.analysed).collect(),
        bad: s.files.iter().map(|f| f.bad_rows).collect(),
        headers: s.files.iter().map(|f| f.headers.clone()).collect(),
        verdicts: s.rows.iter().map(|r| s.verdict(r).category.id().to_string()).collect(),
    }
}

/// Feeds a plain export to a session twice: whole, and in chunks of a size taken from the
/// input's first byte. Both must give the same rows.
pub fn fuzz_export(name: &str, data: &[u8]) {
    let Some((&k, body)) = data.split_first() else { return };
    let chunk = 1 + (k as usize % 64) * (k as usize % 64) * 3;
    let mut whole = Session::default();
    whole.begin_file(name);
    whole.feed(body);
    whole.end_file();
    check_session(&whole);
    let mut parts = Session::default();
    parts.begin_file(name);
    for c in body.chunks(chunk) {
        parts.feed(c);
    }
    parts.end_file();
    check_session(&parts);
    assert_eq!(shape(&whole), shape(&parts), "chunks of {chunk} bytes read differently from the whole file");
}

/// Feeds a file of any kind (archive, gzip, workbook) from memory.
pub fn fuzz_container(name: &str, data: &[u8]) {
    let mut s = Session::default();
    feed_any(&mut s, name, std::io::Cursor::new(data), 64 * 1024).expect("reading from memory never fails");
    check_session(&s);
}

/// The email reader: one bounce email or an mbox.
pub fn fuzz_email(data: &[u8]) {
    let reading = bouncelens::email::read_file(data, "fuzz.eml");
    check_records(&reading.records);
}

/// The paste splitter, on the text (lossy UTF-8) and on the bytes of a dropped file.
pub fn fuzz_paste(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    check_records(&bouncelens::paste::analyze(&text).records);
    check_records(&bouncelens::paste::analyze_bytes(data, "paste.txt").records);
}

/// The reply classifier: an optional recipient hint, a NUL, the reply.
pub fn fuzz_classify(data: &[u8]) {
    use bouncelens::{Classifier, Hints};
    let (hint, reply) = match data.iter().position(|&b| b == 0) {
        Some(i) => (Some(String::from_utf8_lossy(&data[..i])), &data[i + 1..]),
        None => (None, data),
    };
    let reply = String::from_utf8_lossy(reply);
    let hints = Hints { recipient: hint.as_deref(), ..Hints::default() };
    let c = Classifier::get();
    check_verdict(&c.classify(&reply, &hints));
    check_verdict(&c.classify(&reply, &Hints::default()));
}

/// Runs one target's entry point and checks on `data`: what each fuzz target does, and what
/// `tests/fuzz_regressions.rs` replays on the inputs that once crashed. `None` for an unknown
/// target.
pub fn run(target: &str, data: &[u8]) -> Option<()> {
    match target {
        "email" => fuzz_email(data),
        "csv" => fuzz_export("fuzz.csv", data),
        "json" => fuzz_export("fuzz.json", data),
        "lines" => fuzz_export("fuzz.txt", data),
        "zip" => fuzz_container("fuzz.zip", data),
        "gzip" => fuzz_container("fuzz.csv.gz", data),
        "xlsx" => fuzz_container("fuzz.xlsx", data),
        "paste" => fuzz_paste(data),
        "classify" => fuzz_classify(data),
        _ => return None,
    }
    Some(())
}
