//! Plain-text reports of smaller MTAs, each recognised by its own sentences.
//!
//! OpenSMTPD: "An error has occurred while attempting to deliver a message for the following list
//! of recipients:" then `addr: reason` lines.

use super::{helpers::bounce, Decoder};
use crate::smtp::address;
use crate::email::mime::Mail;
use crate::email::Bounce;

pub struct OpenSmtpd;

re!(re_os_intro, r"(?im)^\s*an error has occurred while attempting to deliver a message for\s+the following list of recipients:?\s*$");
re!(re_os_line, r"^\s*<?([^<>\s:]+@[^<>\s:]+?)>?:\s+(.+)$");

impl Decoder for OpenSmtpd {
    fn name(&self) -> &'static str {
        "opensmtpd"
    }

    fn detect(&self, _mail: &Mail, report: &str) -> bool {
        re_os_intro().is_match(report)
    }

    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        let Some(m) = re_os_intro().find(report) else { return vec![] };
        report[m.end()..]
            .lines()
            .filter_map(|l| re_os_line().captures(l))
            .map(|c| bounce(address::first_in(&c[1]), c[2].trim().to_string()))
            .collect()
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
    fn opensmtpd_lines() {
        let b = run(&OpenSmtpd, "From: MAILER-DAEMON@example.jp\nSubject: Delivery status notification: error\n\n    Hi!\n\n    This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.\n\n    An error has occurred while attempting to deliver a message for\n    the following list of recipients:\n\na@example.co.jp: Envelope expired\n\n    Below is a copy of the original message:\n");
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].diagnostic, "Envelope expired");
    }
}
