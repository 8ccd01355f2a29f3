//! Security gateways' own report texts.
//!
//! Trend Micro InterScan MSS: the session as "Sent <<< RCPT TO:<addr>" / "Received >>> 550 ...".

use super::{helpers::bounce, Decoder};
use crate::smtp::{address, Command};
use crate::email::mime::Mail;
use crate::email::Bounce;

pub struct InterScan;

re!(re_is_sent, r"^\s*Sent <<<\s*([A-Z]+(?: TO| FROM)?)\s*:?\s*<?([^<>\s]*@[^<>\s]*)?>?");
re!(re_is_received, r"^\s*Received >>>\s*(.*)$");

impl Decoder for InterScan {
    fn name(&self) -> &'static str {
        "interscan"
    }

    fn detect(&self, mail: &Mail, report: &str) -> bool {
        (mail.from().contains("InterScan") || report.contains("Sent <<<")) && report.lines().any(|l| re_is_received().is_match(l))
    }

    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        let mut out: Vec<Bounce> = vec![];
        let mut last_cmd: Option<Command> = None;
        let mut last_rcpt: Option<String> = None;
        for line in report.lines() {
            if let Some(c) = re_is_sent().captures(line) {
                last_cmd = Command::parse(&c[1]);
                if let Some(a) = c.get(2).and_then(|m| address::first_in(m.as_str())) {
                    if last_cmd == Some(Command::RcptTo) {
                        last_rcpt = Some(a);
                    }
                }
                continue;
            }
            if let Some(c) = re_is_received().captures(line) {
                let reply = c[1].trim().to_string();
                let failed = reply.starts_with('4') || reply.starts_with('5');
                if !failed {
                    continue;
                }
                let rcpt = last_rcpt.clone().or_else(|| address::first_in(&reply));
                let mut b = bounce(rcpt, reply);
                b.smtp_command = last_cmd;
                out.push(b);
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
    fn interscan_session() {
        let raw = "From: InterScan MSS <postmaster@example.co.jp>\nSubject: undeliverable\n\nSent <<< RCPT TO:<a@example.co.jp>\nReceived >>> 550 5.1.1 <a@example.co.jp>... user unknown\n";
        let mail = mime::parse(raw.as_bytes()).unwrap();
        let report = mail.body_text();
        assert!(InterScan.detect(&mail, &report));
        let b = InterScan.decode(&mail, &report);
        assert_eq!(b[0].recipient.as_deref(), Some("a@example.co.jp"));
        assert_eq!(b[0].smtp_command, Some(crate::smtp::Command::RcptTo));
    }
}
