//! IBM/HCL Lotus Notes and Domino.
//!
//! Notes' SMTP gateway: "------- Failure Reasons --------", the reason, then the address, until
//! "------- Returned Message --------".
//!
//! Both often write the reason in the server's language (Japanese on Japanese servers).

use super::{helpers::bounce, Decoder};
use crate::smtp::address;
use crate::email::mime::Mail;
use crate::email::Bounce;

pub struct Notes;

re!(re_failure, r"(?im)^-+\s*failure reasons\s*-+\s*$");
re!(re_section_end, r"^-+\s*\S.*-+\s*$");

impl Decoder for Notes {
    fn name(&self) -> &'static str {
        "lotus-notes"
    }

    fn detect(&self, _mail: &Mail, report: &str) -> bool {
        re_failure().is_match(report)
    }

    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        let Some(m) = re_failure().find(report) else { return vec![] };
        let mut out: Vec<Bounce> = vec![];
        let mut reason: Vec<String> = vec![];
        let mut last_reason = String::new();
        for line in report[m.end()..].lines() {
            if re_section_end().is_match(line.trim()) {
                break;
            }
            let t = line.trim();
            if t.is_empty() {
                continue;
            }
            match address::first_in(t) {
                // An address on its own line closes the reason lines read before it.
                Some(a) if t.trim_matches(['<', '>']).eq_ignore_ascii_case(&a) => {
                    if !reason.is_empty() {
                        last_reason = reason.join(" ");
                        reason.clear();
                    }
                    out.push(bounce(Some(a), last_reason.clone()));
                }
                _ => reason.push(t.to_string()),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::mime;

    #[test]
    fn notes_reason_comes_before_the_address() {
        let raw = "From: postmaster@example.co.jp\nSubject: Undeliverable message\n\n------- Failure Reasons  --------\n\nUser  not listed in public Name & Address Book\na@example.com\n\n------- Returned Message --------\nFrom: b@example.org\n";
        let mail = mime::parse(raw.as_bytes()).unwrap();
        let report = mail.body_text();
        assert!(Notes.detect(&mail, &report));
        let b = Notes.decode(&mail, &report);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].recipient.as_deref(), Some("a@example.com"));
        assert_eq!(b[0].diagnostic, "User  not listed in public Name & Address Book");
    }
}
