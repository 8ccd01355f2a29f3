//! Inputs that once crashed a fuzz target (or broke one of its invariants), replayed through
//! the same entry point and checks as the target (`fuzz/src/lib.rs` is compiled in here, so
//! the checks have one implementation). Each file lives in `tests/fixtures/fuzz/TARGET/`;
//! its name says what it found.

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod checks;

use std::fs;
use std::path::Path;

fn inputs() -> Vec<(String, std::path::PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut out = Vec::new();
    for dir in fs::read_dir(&root).expect("tests/fixtures/fuzz exists") {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let target = dir.file_name().unwrap().to_string_lossy().into_owned();
        for f in fs::read_dir(&dir).unwrap() {
            out.push((target.clone(), f.unwrap().path()));
        }
    }
    out.sort();
    out
}

#[test]
fn every_input_that_once_crashed_a_target_is_read_without_a_panic() {
    let inputs = inputs();
    assert!(!inputs.is_empty(), "no regression inputs found");
    for (target, path) in &inputs {
        let data = fs::read(path).unwrap();
        assert!(checks::run(target, &data).is_some(), "{}: no fuzz target named {target}", path.display());
    }
}

/// Found by the email target with debug assertions on: a `message/rfc822` part whose body is
/// another bare `message/rfc822` part, then the multipart's closing boundary. mail-parser 0.11
/// reaches `debug_assert!(false, "Invalid part ID...")` there, a path its release build recovers
/// from. Cargo.toml turns that crate's debug assertions off in dev builds too, so `cargo test`
/// (debug) and the shipped release builds read it alike: the outer part is kept, no panic.
#[test]
fn a_message_part_inside_a_message_part_does_not_trip_mail_parsers_assertion() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz/email/mail-parser-unknown-part-id.eml");
    let data = fs::read(path).unwrap();
    let reading = bouncelens::email::read_file(&data, "odd.eml");
    checks::check_records(&reading.records);
}
