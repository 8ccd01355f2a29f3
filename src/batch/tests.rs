//! End-to-end tests of the export analysis: generated files of every supported layout, and the
//! bad files people drop.

use super::generate::{generate, Layout, Spec};
use super::export::{report_json, rows_csv, suppression_csv, Annotator};
use super::*;
use super::interner::{hash_str, Interner};
use crate::text::{container, Container};
use crate::model::{Action, Category};

fn run(name: &str, bytes: &[u8], opts: Options) -> Session {
    let mut s = Session::new(opts);
    if container(bytes) != Container::Plain {
        feed_any(&mut s, name, std::io::Cursor::new(bytes), 64 * 1024).unwrap();
    } else {
        // Odd chunk sizes: nothing may depend on where chunks end.
        feed_reader(&mut s, name, bytes, 7919).unwrap();
    }
    s
}

fn alert_ids(s: &Session) -> Vec<String> {
    s.alerts().into_iter().map(|a| a.id).collect()
}

#[test]
fn every_layout_is_read_and_its_columns_recognised() {
    for layout in Layout::ALL {
        let bytes = generate(&Spec { layout, rows: 3000, seed: 7, campaigns: 5 });
        let name = format!("export.{}", layout.extension());
        let s = run(&name, &bytes, Options::default());
        let f = &s.files[0];
        assert!(f.problem.is_none(), "{layout:?}: {:?}", f.problem);
        assert_eq!(s.bad_count, 0, "{layout:?}: {:?}", s.bad_rows.first());
        assert!(f.roles.contains(&Some(columns::Role::Address)), "{layout:?}: {:?} {:?}", f.headers, f.roles);
        let has_reply = f.roles.contains(&Some(columns::Role::Diagnostic));
        assert!(has_reply || layout == Layout::MailchimpCleaned, "{layout:?}: no reply column in {:?} {:?}", f.headers, f.roles);
        let analysed = f.analysed as usize;
        let other: u64 = f.other_events.iter().map(|(_, n)| n).sum();
        assert_eq!(analysed as u64 + other, f.rows, "{layout:?}: rows not accounted for");
        assert!(analysed >= 2500, "{layout:?}: only {analysed} rows analysed");
        // Hundreds of distinct replies (addresses and ids vary), few verdicts.
        assert!(s.verdicts.len() < 400, "{layout:?}: {} distinct verdicts", s.verdicts.len());
        if has_reply {
            let report = s.report();
            let invalid = report.by_category.iter().find(|c| c.id == "invalid_recipient").map(|c| c.share).unwrap_or(0.0);
            assert!(invalid > 0.4, "{layout:?}: invalid share {invalid}");
            let ids = alert_ids(&s);
            for want in ["authentication", "blocklisted", "list_decay", "recurring_soft"] {
                assert!(ids.iter().any(|i| i == want), "{layout:?}: alert {want} missing from {ids:?}");
            }
        }
    }
}

#[test]
fn vendor_layouts_are_named() {
    for (layout, name) in [(Layout::SendGrid, "SendGrid bounces"), (Layout::MailgunBounces, "Mailgun bounces"), (Layout::Postmark, "Postmark bounces"), (Layout::HubSpot, "HubSpot email events"), (Layout::Sfmc, "Salesforce Marketing Cloud bounces"), (Layout::MailchimpCleaned, "Mailchimp cleaned contacts")] {
        let s = run("x.csv", &generate(&Spec { layout, rows: 50, ..Default::default() }), Options::default());
        assert_eq!(s.files[0].layout.as_deref(), Some(name), "{layout:?}");
    }
}

#[test]
fn event_exports_count_other_events_and_complaints() {
    let s = run("events.csv", &generate(&Spec { layout: Layout::HubSpot, rows: 4000, seed: 3, campaigns: 4 }), Options::default());
    let f = &s.files[0];
    assert!(f.other_events.iter().any(|(e, n)| e == "delivered" && *n > 300), "{:?}", f.other_events);
    assert!(s.rows.iter().any(|r| s.verdict(r).category == Category::Complaint));
}

#[test]
fn suppression_list_has_the_hard_bounces_only() {
    let s = run("export.csv", &generate(&Spec { layout: Layout::Generic, rows: 2000, seed: 11, campaigns: 4 }), Options::default());
    let mut out = vec![];
    let n = export::suppression_csv(&s, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(n > 500);
    assert!(text.starts_with("address,category,reply_code,enhanced_code,reason,date,source\r\n"));
    for line in text.lines().skip(1) {
        let cat = line.split(',').nth(1).unwrap();
        assert!(matches!(cat, "invalid_recipient" | "invalid_domain" | "mailbox_disabled" | "domain_rejects_mail" | "complaint" | "invalid_address_syntax" | "mailbox_moved"), "{line}");
        assert!(!line.contains("again"), "a soft-bouncing address was suppressed: {line}");
    }
    let mut d = vec![];
    export::domains_csv(&s, &mut d).unwrap();
    assert!(String::from_utf8(d).unwrap().lines().count() > 1);
    let mut r = vec![];
    let n = export::reengagement_csv(&s, &mut r).unwrap();
    assert!(n >= 1);
}

#[test]
fn annotated_export_keeps_every_row_and_adds_the_verdict() {
    let bytes = generate(&Spec { layout: Layout::SendGrid, rows: 500, seed: 5, campaigns: 3 });
    let s = run("sg.csv", &bytes, Options::default());
    let mut a = export::Annotator::new(&s, 0, Vec::new()).unwrap();
    for c in bytes.chunks(1000) {
        a.feed(c, false);
    }
    a.feed(&[], true);
    let out = String::from_utf8(a.finish().unwrap()).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 501);
    assert!(lines[0].ends_with("bl_summary,bl_confidence"));
    assert!(lines[1..].iter().all(|l| l.contains(",hard,") || l.contains(",soft,") || l.contains(",block,") || l.contains(",technical,")), "{}", lines[1]);
}

#[test]
fn mapping_override_and_sent_count() {
    let data = "who,what\na@b.com,550 5.1.1 user unknown\nc@d.com,452 4.2.2 mailbox full\n";
    let s = run("t.csv", data.as_bytes(), Options::default());
    assert_eq!(s.rows.len(), 2);
    let o = Options { sent: Some(100), mapping: Some(columns::MappingOverride { roles: vec![("what".into(), None)] }) };
    let s = run("t.csv", data.as_bytes(), o);
    assert!(s.rows.iter().all(|r| s.verdict(r).category == Category::Unknown));
    let rates = s.report().rates.unwrap();
    assert_eq!(rates.sent, 100);
    assert!((rates.bounce_rate - 0.02).abs() < 1e-9);
}

#[test]
fn encodings_utf16_and_windows_1252() {
    let text = "email;raison\nrené@exemple.fr;550 5.1.1 utilisateur inconnu: user unknown\n";
    let mut utf16: Vec<u8> = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
    let s = run("excel.txt", &utf16, Options::default());
    assert_eq!(s.files[0].encoding, "UTF-16 LE");
    assert_eq!(s.rows.len(), 1);
    assert_eq!(s.addresses.get(s.rows[0].addr), "rené@exemple.fr");
    let (latin, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    let s = run("latin.csv", &latin, Options::default());
    assert_eq!(s.files[0].encoding, "Windows-1252");
    assert_eq!(s.addresses.get(s.rows[0].addr), "rené@exemple.fr");
}

#[test]
fn bad_files_get_clear_messages() {
    let s = run("x.bin", &[0u8, 1, 2, 3, 0xff, 0xfe, 7, 8, 0, 0, 0, 9].repeat(1000), Options::default());
    assert!(s.files[0].problem.as_deref().unwrap().contains("binary"), "{:?}", s.files[0].problem);
    let s = run("empty.csv", b"", Options::default());
    assert!(s.files[0].problem.as_deref().unwrap().contains("empty"));
    let s = run("noaddr.csv", b"name,city,reason\nAnn,Paris,550 5.1.1 user unknown\nBo,Rome,421 later\n", Options::default());
    let p = s.files[0].problem.as_deref().unwrap();
    assert!(p.contains("No column with email addresses") && p.contains("\"city\""), "{p}");
    assert_eq!(s.bad_count, 2);
    // Broken quoting: the rest of the file is one long field; it is read, not lost silently.
    let s = run("broken.csv", b"email,reason\na@b.com,\"550 5.1.1 user unknown\nc@d.com,452 4.2.2 mailbox full\n", Options::default());
    assert_eq!(s.files[0].rows, 1);
    assert_eq!(s.rows.len(), 1);
    // A single line longer than the record limit: counted as bad, the rest is analysed.
    let mut big = b"email,reason\n".to_vec();
    big.extend(std::iter::repeat_n(b'x', 3 << 20));
    big.extend(b"\na@b.com,550 5.1.1 user unknown\n");
    let s = run("big.csv", &big, Options::default());
    assert_eq!(s.bad_count, 1, "{:?}", s.bad_rows);
    assert!(s.bad_rows[0].reason.contains("longer than"));
    assert_eq!(s.rows.len(), 1);
    // Invalid addresses are listed with their row.
    let s = run("t.csv", b"email,reason\nnot-an-address,550 5.1.1\na@b.com,550 5.1.1\n", Options::default());
    assert_eq!(s.bad_rows[0].row, 2);
    assert!(s.bad_rows[0].reason.contains("not an email address"));
}

#[test]
fn zip_of_exports() {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        z.start_file("cleaned_members_export.csv", opts).unwrap();
        z.write_all(&generate(&Spec { layout: Layout::MailchimpCleaned, rows: 300, ..Default::default() })).unwrap();
        z.start_file("bounces.csv", opts).unwrap();
        z.write_all(&generate(&Spec { layout: Layout::Generic, rows: 200, ..Default::default() })).unwrap();
        z.finish().unwrap();
    }
    let s = run("mailchimp.zip", buf.get_ref(), Options::default());
    assert_eq!(s.files.len(), 2);
    assert_eq!(s.rows.len(), 500);
    // Cleaned contacts are hard bounces by the platform's label.
    let r = s.rows.iter().find(|r| r.file == 0).unwrap();
    assert_eq!(s.verdict(r).action, Action::Suppress);
    let s = run("broken.zip", b"PK\x03\x04garbage", Options::default());
    assert!(s.files[0].problem.as_deref().unwrap().contains("zip"));
}

#[test]
fn replies_are_masked_and_shared() {
    assert_eq!(normalize_reply("550 5.1.1 <jane.doe@example.com>: unknown"), "550 5.1.1 <[address]>: unknown");
    assert_eq!(normalize_reply("421 4.7.0 [192.0.2.1 15] rate d2si123456wib.8 - gsmtp"), "421 4.7.0 [[ip] 15] rate [id] - gsmtp");
    assert_eq!(normalize_reply("550 5.7.1 [DM6NAM11FT041.eop-nam11.prod.protection.outlook.com]"), "550 5.7.1 [DM#NAM#FT#.eop-nam#.prod.protection.outlook.com]");
    assert_eq!(normalize_reply("554 dd - mta1234.mail.gq1.yahoo.com; café 5.1.1 ünïcode"), "554 dd - mta#.mail.gq#.yahoo.com; café 5.1.1 ünïcode");
    assert_eq!(normalize_reply("421 4.7.0 [TSS04] - 4.16.55.1"), "421 4.7.0 [TSS04] - [ip]");
    let data = "email,reason\na@b.com,550 5.1.1 <a@b.com>: user unknown\nc@b.com,550 5.1.1 <c@b.com>: user unknown\n";
    let s = run("t.csv", data.as_bytes(), Options::default());
    assert_eq!(s.verdicts.len(), 1);
    assert_eq!(s.rows_page(&report::RowQuery { limit: 10, ..Default::default() }).rows[1].address, "c@b.com");
}

#[test]
fn rows_table_filters_sorts_and_searches() {
    let s = run("export.csv", &generate(&Spec { layout: Layout::Generic, rows: 1000, seed: 2, campaigns: 3 }), Options::default());
    let q = report::RowQuery { limit: 50, filters: vec![("category".into(), "mailbox_full".into())], sort: Some("address".into()), ..Default::default() };
    let page = s.rows_page(&q);
    assert!(page.total > 0 && page.total < 1000);
    assert!(page.rows.iter().all(|r| r.category == Category::MailboxFull));
    assert!(page.rows.windows(2).all(|w| w[0].address <= w[1].address));
    let page = s.rows_page(&report::RowQuery { limit: 10, search: "spamhaus".into(), ..Default::default() });
    assert!(page.total > 0 && page.rows.iter().all(|r| r.diagnostic.contains("spamhaus")));
}

#[test]
fn unix_timestamps_become_dates() {
    assert_eq!(epoch_to_iso("1767225600").as_deref(), Some("2026-01-01 00:00:00 UTC"));
    assert_eq!(epoch_to_iso("1709251199000").as_deref(), Some("2024-02-29 23:59:59 UTC"));
    assert_eq!(epoch_to_iso("12345"), None);
    assert_eq!(epoch_to_iso("2024-01-01"), None);
}

/// The interner gives each distinct string one id, across growth of its table, and gives the
/// same id back however often (and in whatever order) a string comes again.
#[test]
fn interner_ids_are_stable_and_distinct() {
    let mut i = Interner::new();
    assert_eq!(i.intern(""), 0);
    let words: Vec<String> = (0..50_000).map(|n| format!("user{n}@example{}.com", n % 97)).collect();
    let ids: Vec<u32> = words.iter().map(|w| i.intern(w)).collect();
    assert_eq!(i.len(), words.len() + 1);
    let distinct: std::collections::HashSet<u32> = ids.iter().copied().collect();
    assert_eq!(distinct.len(), words.len());
    for (w, &id) in words.iter().zip(&ids).rev() {
        assert_eq!(i.intern(w), id);
        assert_eq!(i.get(id), w);
        assert_eq!(i.intern_hashed(w, hash_str(w)), id);
    }
    // Strings that differ only by a byte, and one that is a prefix of another.
    let a = i.intern("a@b.co");
    let b = i.intern("a@b.com");
    let c = i.intern("A@b.co");
    assert!(a != b && b != c && a != c);
    assert_eq!(i.get(c), "A@b.co");
}

/// Damaged exports of every layout (bytes flipped, multi-byte characters and quotes dropped in,
/// lines cut or repeated, the file truncated) never panic, every row read is accounted for
/// (analysed, counted bad, or counted as another event), and the downloads still write.
#[test]
fn damaged_exports_never_panic_and_lose_no_row() {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n.max(1) as u64) as usize
    };
    let (mut bad, mut analysed) = (0, 0);
    let inserts: [&[u8]; 8] = ["é".as_bytes(), "日本語".as_bytes(), b"\"", b"\"\"\n", b"\0", b"\xff\xfe", b",,,\t;", b"\r"];
    for layout in Layout::ALL {
        let clean = generate(&Spec { layout, rows: 300, seed: 9, campaigns: 3 });
        for round in 0..8 {
            let mut b = clean.clone();
            for _ in 0..1 + next(6) {
                let len = b.len().max(1);
                match next(5) {
                    0 => {
                        let i = next(len).min(b.len().saturating_sub(1));
                        if let Some(x) = b.get_mut(i) {
                            *x ^= 1 << next(8);
                        }
                    }
                    1 => {
                        let at = next(len).min(b.len());
                        let ins = inserts[next(inserts.len())];
                        b.splice(at..at, ins.iter().copied());
                    }
                    2 => {
                        let s = next(len).min(b.len());
                        let e = (s + next(300)).min(b.len());
                        b.drain(s..e);
                    }
                    3 => {
                        let s = next(len).min(b.len());
                        let e = (s + next(600)).min(b.len());
                        let chunk = b[s..e].to_vec();
                        let at = next(b.len() + 1).min(b.len());
                        b.splice(at..at, chunk);
                    }
                    _ => b.truncate(next(len)),
                }
            }
            let s = run("damaged.csv", &b, Options::default());
            let what = format!("{} round {round}", layout.name());
            for f in &s.files {
                let others: u64 = f.other_events.iter().map(|(_, n)| n).sum();
                assert_eq!(f.analysed + f.bad_rows + others, f.rows, "{what}: rows not accounted for: {f:?}");
                bad += f.bad_rows;
                analysed += f.analysed;
            }
            let _ = s.report();
            let mut out = vec![];
            suppression_csv(&s, &mut out).unwrap();
            rows_csv(&s, &mut out, None).unwrap();
            report_json(&s, &mut out).unwrap();
            if let Some(mut a) = Annotator::new(&s, 0, vec![]) {
                a.feed(&b, true);
                a.finish().unwrap();
            }
        }
    }
    // The damage is real (some rows are bad) and most rows are still read.
    assert!(bad > 0 && analysed > 13 * 8 * 150, "bad {bad}, analysed {analysed}");
}

/// An mbox whose complaint report has the recipient redacted: the row is listed with that
/// reason (not silently dropped), and the bounce beside it is analysed.
#[test]
fn redacted_complaint_in_an_mbox_is_listed_with_its_reason() {
    let mbox = "From MAILER-DAEMON Thu Jan  1 00:00:00 2026\nFrom: abuse@example.net\nTo: fbl@example.com\nSubject: complaint\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=feedback-report; boundary=\"A\"\n\n--A\nContent-Type: text/plain\n\nA complaint.\n--A\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: fbl/1.0\nVersion: 1\n\n--A--\n\nFrom MAILER-DAEMON Thu Jan  1 00:00:00 2026\nFrom: MAILER-DAEMON@example.org\nTo: me@example.com\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nSorry.\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; gone@example.net\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\n\n--B--\n";
    let s = run("bounces.mbox", mbox.as_bytes(), Options::default());
    assert_eq!((s.files[0].rows, s.files[0].analysed, s.files[0].bad_rows), (2, 1, 1));
    assert!(s.bad_rows[0].reason.contains("redacted"), "{:?}", s.bad_rows);
    assert_eq!(s.addresses.get(s.rows[0].addr), "gone@example.net");
}
