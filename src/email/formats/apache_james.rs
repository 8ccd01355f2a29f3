//! Plain-text reports of smaller MTAs, each recognised by its own sentences.
//!
//! Apache James: the error above "Message details:", whose `RCPT TO:` lines name the recipients.

use super::{helpers::bounce, Decoder};
use crate::smtp::address;
use crate::email::mime::Mail;
use crate::email::Bounce;

pub struct ApacheJames;

re!(re_james_details, r"(?im)^\s*message details:\s*$");
re!(re_james_rcpt, r"(?im)^\s*RCPT TO:\s*<?([^<>\s]+@[^<>\s]+?)>?\s*$");

impl Decoder for ApacheJames {
    fn name(&self) -> &'static str {
        "apache-james"
    }

    fn detect(&self, mail: &Mail, report: &str) -> bool {
        let james = mail.subject().trim() == "[BOUNCE]"
            || mail.header("Message-ID").is_some_and(|m| m.contains(".JavaMail."))
            || mail.headers_named("Received").any(|r| r.contains("JAMES SMTP Server"));
        james && re_james_details().is_match(report)
    }

    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        let Some(m) = re_james_details().find(report) else { return vec![] };
        let error = report[..m.start()].lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n");
        re_james_rcpt()
            .captures_iter(&report[m.end()..])
            .map(|c| bounce(address::first_in(&c[1]), error.clone()))
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
    fn apache_james_message_details() {
        let b = run(&ApacheJames, "From: postmaster@example.org\nSubject: [BOUNCE]\nMessage-ID: <1.JavaMail.root@example.org>\n\nHi. This is the James mail server at mx.example.org.\nI'm afraid I wasn't able to deliver your message to the following addresses.\n\nError message below:\n550 - Requested action not taken: no such user here\n\nMessage details:\n  Subject: Hi\n  MAIL FROM: me@example.jp\n  RCPT TO: a@example.org\n");
        assert_eq!(b[0].recipient.as_deref(), Some("a@example.org"));
        assert!(b[0].diagnostic.contains("550 - Requested action not taken: no such user here"));
    }
}
