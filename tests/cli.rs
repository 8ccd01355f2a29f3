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

fn fixture(rel: &str) -> String {
    format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"))
}

/// A fresh scratch folder for one test.
fn scratch(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("bouncelens-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scratch folder");
    d
}

#[test]
fn history_shows_the_alerts_across_exports_on_the_second_run() {
    let dir = scratch("history");
    let db = dir.join("history.db");
    let db = db.to_str().unwrap();
    let first = bin().args(["analyze", &fixture("history/january.csv"), "--summary", "--format", "json", "--history", db]).output().expect("runs");
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let v: serde_json::Value = serde_json::from_slice(&first.stdout).expect("json");
    assert_eq!(v["history"]["exports"].as_array().unwrap().len(), 1);
    assert!(v["history"]["alerts"].as_array().unwrap().is_empty(), "{}", v["history"]["alerts"]);
    assert!(v["by_category"].is_array(), "the report is still there");
    let second = bin().args(["analyze", &fixture("history/february.csv"), "--summary", "--format", "json", "--history", db]).output().expect("runs");
    assert!(second.status.success(), "{}", String::from_utf8_lossy(&second.stderr));
    let v: serde_json::Value = serde_json::from_slice(&second.stdout).expect("json");
    let ids: Vec<&str> = v["history"]["alerts"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["history_recurring_soft", "history_provider_deferrals", "history_full_mailbox"], "{}", v["history"]);
    // The same export again replaces itself instead of counting twice.
    let again = bin().args(["analyze", &fixture("history/february.csv"), "--summary", "--format", "text", "--history", db]).output().expect("runs");
    let text = String::from_utf8_lossy(&again.stdout);
    assert!(String::from_utf8_lossy(&again.stderr).contains("already in the history"));
    assert!(text.contains("Across 2 export(s) of the history"), "{text}");
    assert!(text.contains("mailboxes were full on 3 or more consecutive campaigns"), "{text}");
    // Records on standard output stay JSON Lines; the history goes to standard error.
    let rec = bin().args(["analyze", &fixture("history/february.csv"), "--history", db]).output().expect("runs");
    assert_eq!(json_lines(&rec).len(), 8);
    assert!(String::from_utf8_lossy(&rec.stderr).contains("4xx"));
    // The history file holds no reply text, only aggregates.
    let raw = std::fs::read(db).unwrap();
    assert!(!raw.windows(5).any(|w| w == b"quota"));
    // list, forget, forget-all.
    let list = bin().args(["history", db]).output().expect("runs");
    let text = String::from_utf8_lossy(&list.stdout);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("january.csv") && text.contains("8 rows"), "{text}");
    assert!(bin().args(["history", db, "forget", "1"]).output().unwrap().status.success());
    assert!(!bin().args(["history", db, "forget", "1"]).output().unwrap().status.success(), "already forgotten");
    let list = bin().args(["history", db, "list"]).output().expect("runs");
    assert_eq!(String::from_utf8_lossy(&list.stdout).lines().count(), 1);
    let all = bin().args(["history", db, "forget-all"]).output().expect("runs");
    assert!(String::from_utf8_lossy(&all.stdout).contains("1 export(s) forgotten"));
    let bad = bin().args(["analyze", &fixture("history/january.csv"), "--summary", "--history", &fixture("history/january.csv")]).output().expect("runs");
    assert_eq!(bad.status.code(), Some(2), "a file that is not a history stops the command");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn rules_change_a_verdict_and_a_bad_file_names_the_line() {
    let reply = "554 5.7.1 XYZZY gateway refused the message";
    let plain = bin().args(["explain", "--format", "json", reply]).output().expect("runs");
    let before = &json_lines(&plain)[0];
    assert_ne!(before["category"], "reputation");
    let with = bin().args(["--rules", &fixture("rules/mine.toml"), "explain", "--format", "json", reply]).output().expect("runs");
    assert!(with.status.success(), "{}", String::from_utf8_lossy(&with.stderr));
    let after = &json_lines(&with)[0];
    assert_eq!(after["category"], "reputation");
    assert!(after["evidence"].as_array().unwrap().iter().any(|e| e["signal"].as_str().unwrap().starts_with("your rule: The partner's XYZZY gateway")), "{after}");
    // The rules apply to exports too.
    let dir = scratch("rules");
    let csv = dir.join("x.csv");
    std::fs::write(&csv, format!("email,reason\nann@example.org,\"{reply}\"\n")).unwrap();
    let out = bin().args(["analyze", csv.to_str().unwrap(), "--rules", &fixture("rules/mine.toml")]).output().expect("runs");
    assert_eq!(json_lines(&out)[0]["category"], "reputation");
    // Bad files: the line and the problem, and a failing exit code.
    let bad = bin().args(["--rules", &fixture("rules/bad_pattern.toml"), "explain", reply]).output().expect("runs");
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("bad_pattern.toml, line 4, entry user.broken: pattern does not compile"), "{err}");
    let bad = bin().args(["--rules", &fixture("rules/bad_syntax.toml"), "explain", reply]).output().expect("runs");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("bad_syntax.toml, line 4:"), "{}", String::from_utf8_lossy(&bad.stderr));
    let missing = bin().args(["--rules", "/nonexistent/rules.toml", "explain", reply]).output().expect("runs");
    assert_eq!(missing.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn html_report_has_no_address_unless_asked() {
    let path = fixture("history/january.csv");
    let out = bin().args(["analyze", &path, "--format", "html"]).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = String::from_utf8_lossy(&out.stdout);
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<svg"));
    for a in ["user1@gmail.com", "gone1@example.org", "soft@example.org", "full@example.net"] {
        assert!(!html.contains(a), "{a} in the report");
    }
    assert!(!html.contains("http") && !html.contains("src=") && !html.contains("<script"));
    let out = bin().args(["analyze", &path, "--format", "html", "--include-addresses"]).output().expect("runs");
    assert!(String::from_utf8_lossy(&out.stdout).contains("gone1@example.org"));
}

#[test]
fn suppression_file_in_the_platform_s_import_format() {
    let dir = scratch("suppression");
    let out_file = dir.join("s.csv");
    let o = out_file.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["analyze", "--summary"];
        let f = fixture("history/january.csv");
        args.push(Box::leak(f.into_boxed_str()));
        args.extend_from_slice(&["--suppression", o]);
        args.extend_from_slice(extra);
        bin().args(&args).output().expect("runs")
    };
    let out = run(&["--suppression-format", "mailchimp"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(&out_file).unwrap(), "Email Address\r\ngone1@example.org\r\ngone2@example.org\r\n");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("in Mailchimp's import format") && err.contains("1. In Mailchimp"), "{err}");
    run(&["--suppression-format", "ses"]);
    assert_eq!(std::fs::read_to_string(&out_file).unwrap(), "gone1@example.org,BOUNCE\r\ngone2@example.org,BOUNCE\r\n");
    // A generic export has no platform: bouncelens's own columns.
    run(&[]);
    assert!(std::fs::read_to_string(&out_file).unwrap().starts_with("address,category,"));
    let bad = run(&["--suppression-format", "nosuch"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("mailchimp, klaviyo"));
    let _ = std::fs::remove_dir_all(&dir);
}
