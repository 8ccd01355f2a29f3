//! The `bouncelens` command, run as a user would.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_bouncelens"))
}

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = bin().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("runs");
    child.stdin.take().expect("stdin").write_all(input).expect("writes");
    child.wait_with_output().expect("finishes")
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("each line is JSON")).collect()
}

const TAXONOMY_FIELDS: &[&str] = &[
    "recipient", "reply_code", "enhanced_code", "class", "bounce_type", "category", "action", "owner",
    "provider", "explanation", "evidence", "diagnostic", "source",
];

#[test]
fn explain_json_prints_one_object_per_message_with_the_taxonomy_fields() {
    let out = bin()
        .args(["explain", "--format", "json", "550 5.1.1 <a@b.com>: Recipient address rejected: User unknown\n421 4.7.0 Try again later"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let recs = json_lines(&out);
    assert_eq!(recs.len(), 2);
    for r in &recs {
        for f in TAXONOMY_FIELDS {
            assert!(r.get(*f).is_some(), "field {f} missing in {r}");
        }
    }
    assert_eq!(recs[0]["category"], "invalid_recipient");
    assert_eq!(recs[0]["bounce_type"], "hard");
    assert_eq!(recs[0]["action"], "suppress");
    assert_eq!(recs[0]["recipient"], "a@b.com");
    assert_eq!(recs[1]["class"], "temporary");
    assert!(recs[0]["evidence"].as_array().is_some_and(|e| !e.is_empty()));
}

#[test]
fn explain_reads_standard_input_and_prints_a_card() {
    let out = run_stdin(&["explain"], b"550-5.7.26 Unauthenticated email from example.com is not accepted due to domain's\n550 5.7.26 DMARC policy. - gsmtp\n");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("fix_authentication"), "{text}");
    assert!(text.contains("Why"), "{text}");
}

#[test]
fn bad_input_never_panics_and_says_what_happened() {
    // Invalid UTF-8 and binary bytes.
    let out = run_stdin(&["explain", "--format", "json"], b"\x80\x81\x00\x00550 5.1.1 user \x80unknown\x00\x01");
    assert!(out.status.success());
    assert_eq!(json_lines(&out)[0]["category"], "invalid_recipient");
    // Nothing at all.
    let out = run_stdin(&["explain"], b"");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to analyse"));
    // 5 MB of text is capped, and said so.
    let big = "550 5.1.1 user unknown\n".repeat(230_000);
    let out = run_stdin(&["explain", "--format", "json"], big.as_bytes());
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("only the first"));
}

#[test]
fn lookup_finds_codes_and_words() {
    let out = bin().args(["lookup", "5.7.26"]).output().expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Multiple authentication checks failed"), "{text}");
    let out = bin().args(["lookup", "--format", "json", "421", "gmail"]).output().expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(v["results"][0]["id"].as_str().unwrap().starts_with("rule/gmail."), "{v}");
    let out = bin().args(["lookup", "nothing-like-this-exists"]).output().expect("runs");
    assert!(!out.status.success());
}

#[test]
fn help_explains_the_commands() {
    let out = bin().arg("--help").output().expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    for w in ["explain", "lookup", "analyze", "nothing is sent"] {
        assert!(text.contains(w), "--help lacks {w}: {text}");
    }
}
