//! The generic reader, for reports no decoder knows: it pairs each recipient the report lists
//! with the reply text next to it, or takes the report's coded lines.

use super::super::{mime::Mail, Bounce};
use super::helpers::{coded_lines, recipient_line, TextIndex};
use crate::knowledge::Knowledge;
use crate::smtp::address::{self};

/// The addresses a report names that are not the failed recipients: the bounce's own sender
/// and addressee (the original sender) and the mail system's mailboxes.
fn excluded_addresses(mail: &Mail) -> Vec<String> {
    let mut out = vec![];
    for h in ["From", "To", "Return-Path", "Reply-To", "Sender", "Delivered-To"] {
        for v in mail.headers_named(h) {
            out.extend(address::re_address().find_iter(v).map(|m| m.as_str().to_ascii_lowercase()));
        }
    }
    if let Some(orig) = mail.returned() {
        for h in ["From", "Return-Path", "Sender", "Reply-To"] {
            for v in orig.headers_named(h) {
                out.extend(address::re_address().find_iter(v).map(|m| m.as_str().to_ascii_lowercase()));
            }
        }
    }
    out
}

/// Whether an address is a mail system's own mailbox (`exports.toml`'s system mailboxes).
fn is_system_address(a: &str) -> bool {
    Knowledge::get().exports.is_system_mailbox(a.split('@').next().unwrap_or(""))
}

/// The recipients a plain-text report names, in order of appearance.
pub fn recipients_in(mail: &Mail, report: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    let mut seen = std::collections::HashSet::new();
    for v in mail.headers_named("X-Failed-Recipients") {
        for m in address::re_address().find_iter(v) {
            let a = address::normalize(m.as_str());
            if seen.insert(a.to_ascii_lowercase()) {
                out.push(a);
            }
        }
    }
    if !out.is_empty() {
        return out;
    }
    let excluded: std::collections::HashSet<String> = excluded_addresses(mail).into_iter().collect();
    // Addresses listed on lines of their own are the report's recipients.
    for line in report.lines() {
        if let Some((a, _)) = recipient_line(line) {
            let lower = a.to_ascii_lowercase();
            if !excluded.contains(&lower) && !is_system_address(&lower) && seen.insert(lower) {
                out.push(a);
            }
        }
    }
    if !out.is_empty() {
        return out;
    }
    for m in address::re_address().find_iter(report) {
        // Skip addresses inside URLs and message ids.
        let before = &report[..m.start()];
        let prev = before.chars().last();
        if matches!(prev, Some('/') | Some('=') | Some('?')) || before.ends_with("Message-ID: <") || before.ends_with("id <") {
            continue;
        }
        let a = address::normalize(m.as_str());
        let lower = a.to_ascii_lowercase();
        if excluded.contains(&lower) || is_system_address(&lower) || !seen.insert(lower) {
            continue;
        }
        out.push(a);
    }
    out
}

pub(super) fn generic(mail: &Mail, report: &str) -> Vec<Bounce> {
    // Every address named is reported: a report listing 50,000 failed recipients gives
    // 50,000 records (nothing is left out unannounced).
    let recipients = recipients_in(mail, report);
    let index = TextIndex::new(report);
    let coded = std::cell::OnceCell::new();
    let mut out = vec![];
    for r in &recipients {
        let diagnostic = index
            .about(r)
            .or_else(|| coded.get_or_init(|| coded_lines(report)).clone())
            .unwrap_or_default();
        out.push(Bounce { recipient: Some(r.clone()), diagnostic, ..Default::default() });
    }
    if out.is_empty() {
        if let Some(d) = coded_lines(report) {
            out.push(Bounce { diagnostic: d, ..Default::default() });
        } else if !report.trim().is_empty() {
            let text = report.lines().map(str::trim).filter(|l| !l.is_empty()).take(12).collect::<Vec<_>>().join(" ");
            out.push(Bounce { diagnostic: text, ..Default::default() });
        }
    }
    out
}
