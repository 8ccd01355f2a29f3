//! Plain-text reports of smaller MTAs, each recognised by its own sentences.
//!
//! An MTA writing "We had trouble delivering your message. Full details follow:" and "SMTP Server
//! <host> rejected recipient <addr> (Error following RCPT command). It responded as follows: [550
//! ...]".

use super::{helpers::bounce, Decoder};
use crate::smtp::address;
use crate::email::mime::Mail;
use crate::email::Bounce;
use crate::smtp::Command;

pub struct TroubleDelivering;

re!(re_trouble, r"(?im)^\s*we had trouble delivering your message\.");
re!(re_trouble_rcpt, r"(?i)SMTP Server <([^<>\s]+)> rejected recipient <([^<>\s]+@[^<>\s]+)>\s*(?:\(Error following ([A-Z]+) command\))?");
re!(re_trouble_list, r"(?i)the following recipients returned permanent errors:\s*(.+)$");

impl Decoder for TroubleDelivering {
    fn name(&self) -> &'static str {
        "trouble-delivering"
    }

    fn detect(&self, _mail: &Mail, report: &str) -> bool {
        re_trouble().is_match(report)
    }

    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        // A recipient's text runs from its "SMTP Server <...> rejected recipient" line to the next.
        let mut out: Vec<Bounce> = vec![];
        for line in report.lines() {
            if let Some(c) = re_trouble_rcpt().captures(line) {
                let mut b = bounce(address::first_in(&c[2]), line.trim().to_string());
                b.remote_mta = Some(c[1].to_string());
                b.smtp_command = c.get(3).and_then(|m| Command::parse(m.as_str()));
                out.push(b);
            } else if let Some(c) = re_trouble_list().captures(line) {
                for a in address::all_in(&c[1]) {
                    if !out.iter().any(|b| b.recipient.as_deref() == Some(a.as_str())) {
                        out.push(bounce(Some(a), line.trim().to_string()));
                    }
                }
            } else if let Some(b) = out.last_mut() {
                if !line.trim().is_empty() {
                    b.diagnostic.push('\n');
                    b.diagnostic.push_str(line.trim());
                }
            }
        }
        // "It responded as follows: [550 5.1.1 User unknown]": the reply first.
        re!(re_responded, r"(?is)responded as follows:\s*\[?(.*?)\]?\s*$");
        for b in &mut out {
            if let Some(c) = re_responded().captures(&b.diagnostic) {
                b.diagnostic = format!("{}\n{}", c[1].trim(), b.diagnostic);
            }
        }
        out
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
    fn trouble_delivering_layout() {
        let b = run(&TroubleDelivering, "From: postmaster@example.jp\nSubject: There was an error sending your mail\n\nWe had trouble delivering your message. Full details follow:\n\nSubject: 'Hi'\n\n1 error(s):\n\nSMTP Server <mta2.example.jp> rejected recipient <a@example.jp> (Error following RCPT command). It responded as follows: [550 5.1.1 User unknown]\n");
        assert_eq!(b[0].recipient.as_deref(), Some("a@example.jp"));
        assert_eq!(b[0].remote_mta.as_deref(), Some("mta2.example.jp"));
        assert_eq!(b[0].smtp_command, Some(crate::smtp::Command::RcptTo));
        assert!(b[0].diagnostic.starts_with("550 5.1.1 User unknown"));
    }
}
