//! qmail and its clones (vpopmail, qmail-ldap, netqmail, Yahoo's old relays...):
//!
//! ```text
//! Hi. This is the qmail-send program at mx.example.jp.
//! I'm afraid I wasn't able to deliver your message to the following addresses.
//! This is a permanent error; I've given up. Sorry it didn't work out.
//!
//! <kijitora@example.jp>:
//! 192.0.2.153 does not like recipient.
//! Remote host said: 550 5.1.1 <kijitora@example.jp>... User Unknown
//! Giving up on 192.0.2.153.
//! ```
//!
//! The sentence before the reply tells which command failed.

use super::{helpers::{bounce, recipient_blocks}, Decoder};
use crate::email::mime::Mail;
use crate::email::Bounce;
use crate::smtp::address;
use crate::smtp::Command;

pub struct Qmail;

re!(
    re_intro,
    r"(?im)^.*(hi\. this is the qmail|this is the machine generated message from mail service|(i'm afraid i wasn't|we were|i was) unable to deliver your message to the following address|unable to deliver (your )?message to the following address|su mensaje no pudo ser entregado|unfortunately, your mail was not delivered to the following address|your mail message to the following address|i'm afraid i wasn't able to deliver your message)"
);
re!(re_rcpt_line, r"^\s?<([^<>\s]+@[^<>\s]+)>:\s*(.*)$");
re!(re_host, r"(?i)(?:giving up on\s+|connected to\s+|^\s*)([0-9A-Za-z][\w.:-]*[0-9A-Za-z])(?:\.\s*$|\s+(?:does not like|failed (?:on|after)|but ))|remote host\s+([0-9A-Za-z][\w.:-]*[0-9A-Za-z])\s+said");

impl Decoder for Qmail {
    fn name(&self) -> &'static str {
        "qmail"
    }

    fn detect(&self, mail: &Mail, report: &str) -> bool {
        let qmail_hop = mail.headers_named("Received").any(|r| r.contains("(qmail "));
        re_intro().is_match(report) && (qmail_hop || report.contains("qmail") || report.lines().any(|l| re_rcpt_line().is_match(l)))
    }

    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        let Some(m) = re_intro().find(report) else { return vec![] };
        let body = &report[m.end()..];
        let blocks = recipient_blocks(body, |l| re_rcpt_line().captures(l).map(|c| (address::normalize(&c[1]), c[2].to_string())));
        blocks
            .into_iter()
            .map(|(rcpt, text)| {
                // The remote server's words first, then qmail's own sentences.
                let (said, other): (Vec<&str>, Vec<&str>) = text.lines().partition(|l| l.trim_start().to_ascii_lowercase().starts_with("remote host said:") || l.trim_start().starts_with(|c: char| c.is_ascii_digit()) && l.trim_start().get(3..4).is_some_and(|s| s == " " || s == "-"));
                let mut diag = said.join("\n");
                for l in &other {
                    if !diag.is_empty() {
                        diag.push('\n');
                    }
                    diag.push_str(l);
                }
                let mut b = bounce(Some(rcpt), diag);
                let lower = text.to_ascii_lowercase();
                b.smtp_command = if lower.contains("does not like recipient") {
                    Some(Command::RcptTo)
                } else if lower.contains("but sender was rejected") {
                    Some(Command::MailFrom)
                } else if lower.contains("but my name was rejected") {
                    Some(Command::Hello)
                } else if lower.contains("failed on data command") || lower.contains("failed after i sent the message") {
                    Some(Command::Data)
                } else if lower.contains("but greeting failed") {
                    Some(Command::Connect)
                } else {
                    None
                };
                b.remote_mta = text.lines().find_map(|l| re_host().captures(l)).and_then(|c| c.get(1).or(c.get(2))).map(|m| m.as_str().to_string());
                b
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::mime;

    #[test]
    fn each_recipient_gets_its_reply_and_command() {
        let raw = "From: MAILER-DAEMON@mx.example.jp\nSubject: failure notice\n\nHi. This is the qmail-send program at mx.example.jp.\nI'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n<full@example.net>:\n192.0.2.25 does not like recipient.\nRemote host said: 552 5.2.2 <full@example.net>: Mailbox full\nGiving up on 192.0.2.25.\n\n<sender@example.org>:\nConnected to 192.0.2.26 but sender was rejected.\nRemote host said: 553 5.1.8 Domain of sender address does not exist\n\n--- Below this line is a copy of the message.\n\nFrom: a@example.com\n";
        let mail = mime::parse(raw.as_bytes()).unwrap();
        let body = mail.body_text();
        let report = super::super::helpers::report_text(&body).to_string();
        assert!(Qmail.detect(&mail, &report));
        let b = Qmail.decode(&mail, &report);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].recipient.as_deref(), Some("full@example.net"));
        assert!(b[0].diagnostic.starts_with("Remote host said: 552 5.2.2"), "{}", b[0].diagnostic);
        assert_eq!(b[0].smtp_command, Some(crate::smtp::Command::RcptTo));
        assert_eq!(b[0].remote_mta.as_deref(), Some("192.0.2.25"));
        assert_eq!(b[1].smtp_command, Some(crate::smtp::Command::MailFrom));
    }
}
