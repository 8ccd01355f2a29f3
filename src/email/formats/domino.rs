//! IBM/HCL Lotus Notes and Domino.
//!
//! Domino: "Your message ... was not delivered to: <address> because: <reason>".
//!
//! Both often write the reason in the server's language (Japanese on Japanese servers).

use super::{helpers::bounce, Decoder};
use crate::smtp::address;
use crate::email::mime::Mail;
use crate::email::Bounce;

pub struct Domino;

re!(re_domino, r"(?is)was not delivered to:\s*(.*?)\s*because:\s*(.*)$");

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
        address::all_in(&c[1]).into_iter().map(|a| bounce(Some(a), reason.clone())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::mime;

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
