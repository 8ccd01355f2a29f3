//! Plain-text reports of smaller MTAs, each recognised by its own sentences.
//!
//! Microsoft Exchange 2000/2003 (Internet Mail Service): "did not reach the following
//! recipient(s):", then `addr on <date>` and the reason lines indented below.

use super::{helpers::bounce, Decoder};
use crate::smtp::address;
use crate::email::mime::Mail;
use crate::email::Bounce;

pub struct Exchange2003;

re!(re_ex_intro, r"(?im)^\s*did not reach the following recipient\(?s\)?:\s*$");
re!(re_ex_rcpt, r"^\s{0,2}([^<>\s]+@[^<>\s]+?)\s+on\s+\S.*$");

impl Decoder for Exchange2003 {
    fn name(&self) -> &'static str {
        "exchange2003"
    }

    fn detect(&self, _mail: &Mail, report: &str) -> bool {
        re_ex_intro().is_match(report)
    }

    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        let Some(m) = re_ex_intro().find(report) else { return vec![] };
        let blocks = super::helpers::recipient_blocks(&report[m.end()..], |l| {
            re_ex_rcpt().captures(l).and_then(|c| address::first_in(&c[1])).map(|a| (a, String::new()))
        });
        blocks.into_iter().map(|(a, text)| bounce(Some(a), text)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::mime;

    fn run(d: &dyn Decoder, raw: &str) -> Vec<Bounce> {
        let mail = mime::parse(raw.as_bytes()).unwrap();
        let body = mail.body_text();
        let report = super::super::helpers::report_text(&body).to_string();
        assert!(d.detect(&mail, &report), "{} did not detect", d.name());
        d.decode(&mail, &report)
    }

    #[test]
    fn exchange2003_recipient_and_reason() {
        let b = run(&Exchange2003, "From: System Administrator <postmaster@example.jp>\nSubject: Undeliverable: Hi\n\nYour message\n\n  To:      a@example.jp\n  Subject: Hi\n\ndid not reach the following recipient(s):\n\na@example.jp on Thu, 29 Apr 2010 00:00:00 -0000\n    The recipient name is not recognized\n    MSEXCH:IMS:NNN:X:Y 0 (000C05A6)\n");
        assert_eq!(b[0].recipient.as_deref(), Some("a@example.jp"));
        assert!(b[0].diagnostic.contains("recipient name is not recognized"));
    }
}
