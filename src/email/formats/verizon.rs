//! Verizon Wireless' email-to-SMS/MMS gateways (vtext.com, vzwpix.com): "Error: <reason>",
//! then the sent message summarised under "Original Message:" or "Message details:", whose
//! `To:` / `RCPT TO:` line is the failed recipient.

use super::{helpers::bounce, Decoder};
use crate::smtp::address;
use crate::email::mime::Mail;
use crate::email::Bounce;
use regex::Regex;
use std::sync::OnceLock;

pub struct Verizon;

fn re_details() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"(?im)^\s*(original message|message details):\s*$").expect("valid built-in regex"))
}

fn re_to() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"(?im)^\s*(?:to|rcpt to):\s*(.+)$").expect("valid built-in regex"))
}

impl Decoder for Verizon {
    fn name(&self) -> &'static str {
        "verizon"
    }

    fn detect(&self, mail: &Mail, _report: &str) -> bool {
        let from = mail.from().to_ascii_lowercase();
        from.contains("@vtext.com") || (from.contains("sysadmin@") && from.contains(".vzwpix.com"))
    }

    fn decode(&self, mail: &Mail, _report: &str) -> Vec<Bounce> {
        let body = mail.body_text();
        let (head, details) = match re_details().find(&body) {
            Some(m) => (&body[..m.start()], &body[m.end()..]),
            None => (body.as_str(), ""),
        };
        let recipient = re_to().captures(details).and_then(|c| address::first_in(&c[1]));
        let Some(recipient) = recipient else { return vec![] };
        let diag = head.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
        vec![bounce(Some(recipient), diag)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::mime;

    #[test]
    fn recipient_from_the_original_message_summary() {
        let raw = "From: MMSC NDR Administrator <sysadmin@m01.vzwpix.com>\nSubject: Undeliverable Message\nContent-Type: text/plain\n\nMessage could not be delivered to mobile.\nError: No valid recipients for this MM\n\nOriginal Message:\nFrom: me <me@example.jp>\nTo: 0000000000@vzwpix.com\nSubject: test\n";
        let mail = mime::parse(raw.as_bytes()).unwrap();
        assert!(Verizon.detect(&mail, ""));
        let b = Verizon.decode(&mail, "");
        assert_eq!(b[0].recipient.as_deref(), Some("0000000000@vzwpix.com"));
        assert!(b[0].diagnostic.contains("No valid recipients for this MM"));
    }
}
