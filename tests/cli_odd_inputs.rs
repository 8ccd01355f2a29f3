//! Odd and bad inputs through the `bouncelens` command (the core cases are in
//! tests/odd_inputs.rs): what the user reads on the terminal, and the exit code.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bouncelens-cli-odd-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(d: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = d.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn summary(paths: &[&Path]) -> (Output, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bouncelens")).arg("analyze").arg("--summary").arg("--format").arg("text").args(paths).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

fn rows(n: usize) -> String {
    let mut out = String::from("email,diagnostic,date\n");
    for i in 0..n {
        out.push_str(&format!("user{i}@example.com,550 5.1.1 user unknown,2026-11-01\n"));
    }
    out
}

#[test]
fn an_empty_file_is_a_failure_with_its_reason() {
    let d = dir("empty");
    let p = write(&d, "empty.csv", b"");
    let (out, stdout, stderr) = summary(&[&p]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout.contains("0 rows read, 0 analysed, 0 bad"), "{stdout}");
    assert!(stderr.contains("empty.csv: The file is empty."), "{stderr}");
}

#[test]
fn a_nul_row_is_kept_and_the_removal_said() {
    let d = dir("nul");
    let p = write(&d, "nul.csv", rows(4).replacen("user2@", "us\0er2@", 1).as_bytes());
    let (out, stdout, stderr) = summary(&[&p]);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("4 rows read, 4 analysed, 0 bad"), "{stdout}");
    assert!(stderr.contains("A NUL byte (character 0, which text never holds) was removed"), "{stderr}");
}

#[test]
fn a_broken_quote_is_one_listed_bad_row() {
    let d = dir("quote");
    let text = rows(6).replacen("user1@example.com,550", "user1@example.com,\"550", 1);
    let p = write(&d, "quote.csv", text.as_bytes());
    let (out, stdout, stderr) = summary(&[&p]);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("6 rows read, 5 analysed, 1 bad"), "{stdout}");
    assert!(stdout.contains("quote.csv row 3: a quote opened in this row is never closed; the lines after it are read as rows again"), "{stdout}");
    assert!(stderr.contains("1 row(s) could not be read or analysed"), "{stderr}");
}

#[test]
fn a_gz_export_and_a_binary_file_side_by_side() {
    let d = dir("gz");
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(rows(300).as_bytes()).unwrap();
    let gz = write(&d, "export.csv.gz", &e.finish().unwrap());
    let bin = write(&d, "photo.jpg", &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0].repeat(200));
    let (out, stdout, stderr) = summary(&[&gz, &bin]);
    // One file could not be read: exit code 1, and the other is still analysed.
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout.contains("300 rows read, 300 analysed, 0 bad"), "{stdout}");
    assert!(stderr.contains("photo.jpg: This is not a text file bouncelens can read"), "{stderr}");
}

#[test]
fn a_zip_bomb_is_stopped_and_said() {
    let d = dir("bomb");
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file("bomb.csv", zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true)).unwrap();
    w.write_all(b"email,diagnostic\n").unwrap();
    let row = b"a@example.com,550 5.1.1 user unknown\n".repeat(4096);
    for _ in 0..(200 << 20) / row.len() {
        w.write_all(&row).unwrap();
    }
    let p = write(&d, "bomb.zip", &w.finish().unwrap().into_inner());
    let (_, _, stderr) = summary(&[&p]);
    assert!(stderr.contains("as a zip bomb does") && stderr.contains("the rest is left out"), "{stderr}");
}

#[test]
fn an_xls_workbook_is_read() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/odd/export.xls");
    let (out, stdout, stderr) = summary(&[&p]);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("Excel workbook, sheet \"Bounces\"") && stdout.contains("20 rows read, 20 analysed, 0 bad"), "{stdout}");
}

#[test]
fn an_email_that_is_no_bounce_exits_1() {
    let d = dir("note");
    let p = write(&d, "note.eml", b"From: someone@example.net\nTo: me@example.org\nSubject: Hello\n\nJust a note.\n");
    let out = Command::new(env!("CARGO_BIN_EXE_bouncelens")).arg("analyze").arg(&p).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("note.eml: no bounce found"));
}
