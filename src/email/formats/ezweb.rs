//! Japanese mobile carriers' own reports.
//!
//! au (KDDI) EZweb: "Mail System Error - Returned Mail" from Postmaster@ezweb.ne.jp, a Japanese
//! explanation, one English sentence ("The user(s) account is disabled.", "Each of the following
//! recipients was rejected by a remote mail server.", "Your message was not delivered within 0
//! days and 1 hours.") and the recipients as `<address>` lines. The `X-SPASIGN: NG` header marks
//! mail refused by the recipient's own reception filter.

use super::{helpers::bounce, Decoder};
use crate::smtp::address;
use crate::email::mime::Mail;
use crate::email::Bounce;
use crate::smtp::Command;

pub struct Ezweb;

re!(re_rcpt, r"^\s*(?:Recipient:\s*)?<([^<>\s]+@[^<>\s]+)>:?\s*(.*)$");

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
                out.push(bounce(address::first_in(&c[1]), c[2].trim().to_string()));
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
                        b.smtp_command = Command::parse(cmd);
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
}
