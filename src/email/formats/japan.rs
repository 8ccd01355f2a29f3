//! Japanese mobile carriers' own reports.
//!
//! * au (KDDI) EZweb: "Mail System Error - Returned Mail" from Postmaster@ezweb.ne.jp, a
//!   Japanese explanation, one English sentence ("The user(s) account is disabled.", "Each of
//!   the following recipients was rejected by a remote mail server.", "Your message was not
//!   delivered within 0 days and 1 hours.") and the recipients as `<address>` lines. The
//!   `X-SPASIGN: NG` header marks mail refused by the recipient's own reception filter.
//! * au one net (KDDI, dion.ne.jp): "Could not be delivered to: <address>" and the reason
//!   ("As their mailbox is full.") below it.

use super::{bounce, first_address, Decoder};
use crate::email::mime::Mail;
use crate::email::Bounce;

pub struct Ezweb;
pub struct KddiAuOne;

re!(re_rcpt, r"^\s*(?:Recipient:\s*)?<([^<>\s]+@[^<>\s]+)>:?\s*(.*)$");
re!(re_kddi, r"(?im)^\s*could not be delivered to:\s*<?([^<>\s]+@[^<>\s]+)>?\s*$");

impl Decoder for Ezweb {
    fn name(&self) -> &'static str {
        "ezweb"
    }

    fn detect(&self, mail: &Mail, _report: &str) -> bool {
        let from = mail.from().to_ascii_lowercase();
        let mut signs = 0;
        if from.contains("postmaster@ezweb.ne.jp") || from.contains("postmaster@au.com") {
            signs += 1;
        }
        if mail.subject().trim() == "Mail System Error - Returned Mail" {
            signs += 1;
        }
        if mail.headers_named("Received").any(|r| r.contains("(EZweb Mail)") || r.contains(".au.com (")) {
            signs += 1;
        }
        if mail.header("Message-ID").is_some_and(|m| m.contains(".ezweb.ne.jp") || m.contains(".au.com")) {
            signs += 1;
        }
        signs >= 2
    }

    fn decode(&self, mail: &Mail, report: &str) -> Vec<Bounce> {
        let mut explanation: Vec<&str> = vec![];
        let mut out: Vec<Bounce> = vec![];
        for line in report.lines() {
            if line.trim_start().starts_with("---") {
                break;
            }
            if let Some(c) = re_rcpt().captures(line) {
                out.push(bounce(first_address(&c[1]), c[2].trim().to_string()));
                continue;
            }
            let t = line.trim();
            if t.is_empty() {
                continue;
            }
            match out.last_mut() {
                // ">>> RCPT TO:" / "<<< 550 ..." lines under a recipient.
                Some(b) if t.starts_with(">>>") || t.starts_with("<<<") => {
                    if let Some(cmd) = t.strip_prefix(">>>") {
                        let u = cmd.trim().to_ascii_uppercase();
                        b.smtp_command = Some(if u.starts_with("RCPT") { "RCPT TO".into() } else if u.starts_with("MAIL") { "MAIL FROM".into() } else { u.split_whitespace().next().unwrap_or("").to_string() });
                    } else {
                        b.diagnostic = format!("{}\n{}", t.trim_start_matches('<').trim(), b.diagnostic).trim().to_string();
                    }
                }
                _ => explanation.push(t),
            }
        }
        let filtered = mail.header("X-SPASIGN").is_some_and(|v| v.trim().eq_ignore_ascii_case("NG"));
        let explanation = explanation.join("\n");
        for b in &mut out {
            let mut d = b.diagnostic.clone();
            if !explanation.is_empty() {
                d = format!("{explanation}\n{d}");
            }
            if filtered {
                d.push_str("\n(X-SPASIGN: NG: refused by the recipient's own reception filter)");
            }
            b.diagnostic = d.trim().to_string();
        }
        out
    }
}

impl Decoder for KddiAuOne {
    fn name(&self) -> &'static str {
        "kddi-auone"
    }

    fn detect(&self, mail: &Mail, report: &str) -> bool {
        let from = mail.from().to_ascii_lowercase();
        (from.contains(".dion.ne.jp") || from.contains("auone-net.jp") || from.contains("@au.com")) && re_kddi().is_match(report)
    }

    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        let mut out = vec![];
        let caps: Vec<_> = re_kddi().captures_iter(report).collect();
        for (i, c) in caps.iter().enumerate() {
            let whole = c.get(0).expect("match");
            let end = caps.get(i + 1).map(|n| n.get(0).expect("match").start()).unwrap_or(report.len());
            let reason = report[whole.end()..end].lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
            out.push(bounce(first_address(&c[1]), reason));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::mime;

    #[test]
    fn ezweb_sentence_goes_with_each_recipient() {
        let raw = "From: Postmaster@ezweb.ne.jp\nSubject: Mail System Error - Returned Mail\nContent-Type: text/plain\n\nThe user(s) account is disabled.\n\n<a@ezweb.ne.jp>: 550 user unknown (in reply to RCPT TO command)\n";
        let mail = mime::parse(raw.as_bytes()).unwrap();
        let report = mail.body_text();
        assert!(Ezweb.detect(&mail, &report));
        let b = Ezweb.decode(&mail, &report);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].recipient.as_deref(), Some("a@ezweb.ne.jp"));
        assert!(b[0].diagnostic.starts_with("The user(s) account is disabled."));
    }

    #[test]
    fn au_one_net_reason_below_the_address() {
        let raw = "From: no-reply@x.dion.ne.jp\nSubject: mail error\nContent-Type: text/plain\n\nYour mail sent on: Thu, 29 Apr 2013 23:45:22 +0900\n\n     Could not be delivered to: <a@x.dion.ne.jp>\n     As their mailbox is full.\n";
        let mail = mime::parse(raw.as_bytes()).unwrap();
        let report = mail.body_text();
        assert!(KddiAuOne.detect(&mail, &report));
        let b = KddiAuOne.decode(&mail, &report);
        assert_eq!(b[0].recipient.as_deref(), Some("a@x.dion.ne.jp"));
        assert_eq!(b[0].diagnostic, "As their mailbox is full.");
    }
}
