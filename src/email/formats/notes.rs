//! IBM/HCL Lotus Notes and Domino.
//!
//! * Notes' SMTP gateway: "------- Failure Reasons --------", the reason, then the address,
//!   until "------- Returned Message --------".
//! * Domino: "Your message ... was not delivered to: <address> because: <reason>".
//!
//! Both often write the reason in the server's language (Japanese on Japanese servers).

use super::{bounce, first_address, Decoder};
use crate::email::mime::Mail;
use crate::email::Bounce;

pub struct Notes;
pub struct Domino;

re!(re_failure, r"(?im)^-+\s*failure reasons\s*-+\s*$");
re!(re_section_end, r"^-+\s*\S.*-+\s*$");
re!(re_domino, r"(?is)was not delivered to:\s*(.*?)\s*because:\s*(.*)$");

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
            match first_address(t) {
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

impl Decoder for Domino {
    fn name(&self) -> &'static str {
        "domino"
    }

    fn detect(&self, _mail: &Mail, report: &str) -> bool {
        re_domino().is_match(report)
    }

    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        let Some(c) = re_domino().captures(report) else { return vec![] };
        let reason = c[2].lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
        super::addresses(&c[1]).into_iter().map(|a| bounce(Some(a), reason.clone())).collect()
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

    #[test]
    fn domino_because() {
        let raw = "From: Postmaster@example.co.jp\nSubject: DELIVERY FAILURE\n\nYour message\n\n  Subject: Hi\n\nwas not delivered to:\n\n  a@example.co.jp\n\nbecause:\n\n  User a (a@example.co.jp) not listed in Domino Directory\n";
        let mail = mime::parse(raw.as_bytes()).unwrap();
        let report = mail.body_text();
        assert!(Domino.detect(&mail, &report));
        let b = Domino.decode(&mail, &report);
        assert_eq!(b[0].recipient.as_deref(), Some("a@example.co.jp"));
        assert!(b[0].diagnostic.contains("not listed in Domino Directory"));
    }
}
