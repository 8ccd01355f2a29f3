//! Security gateways' own report texts.
//!
//! * MailMarshal (Trustwave): "Your message: ... Could not be delivered because of <reply>
//!   The following recipients were affected: <addresses>", then "Additional Information"
//!   fields (Remote-MTA, Reporting-MTA...).
//! * MessageLabs / Symantec Email Security.cloud: "I was unable to deliver your message to the
//!   following addresses: <address> Reason: <reply, possibly on several lines>".
//! * Trend Micro InterScan MSS: the session as "Sent <<< RCPT TO:<addr>" / "Received >>> 550 ...".
//! * m-FILTER (Digital Arts): the address, then "-------server message" with the reply and
//!   "-------SMTP command" with the command.

use super::{addresses, bounce, Decoder};
use crate::email::mime::Mail;
use crate::email::Bounce;

pub struct MailMarshal;
pub struct MessageLabs;
pub struct InterScan;
pub struct MFilter;

re!(re_mm, r"(?is)could not be delivered because of\s*(.*?)\s*the following recipients? (?:were|was) affected:?\s*(.*?)(?:\n\s*additional information|\z)");
re!(re_mm_field, r"(?im)^\s*(remote-mta|reporting-mta|last-attempt-date):\s*<?([^>\n]*)>?\s*$");
re!(re_is_sent, r"^\s*Sent <<<\s*([A-Z]+(?: TO| FROM)?)\s*:?\s*<?([^<>\s]*@[^<>\s]*)?>?");
re!(re_is_received, r"^\s*Received >>>\s*(.*)$");
re!(re_mf_server, r"(?is)-+\s*server message\s*\n(.*?)(?:\n\s*-{3,}|\z)");
re!(re_mf_command, r"(?is)-+\s*SMTP command\s*\n\s*([A-Za-z ]+?)\s*(?:\n|\z)");
re!(re_ml, r"(?is)unable to deliver your message to the following addresses?:?\s*(.*?)\n\s*reason:\s*(.*?)(?:\n\s*\n|\n\s*the message (?:subject|date|identifier|reference) was|\z)");

impl Decoder for MailMarshal {
    fn name(&self) -> &'static str {
        "mailmarshal"
    }

    fn detect(&self, _mail: &Mail, report: &str) -> bool {
        re_mm().is_match(report)
    }

    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        let Some(c) = re_mm().captures(report) else { return vec![] };
        let reason = c[1].trim().to_string();
        let mut fields = std::collections::HashMap::new();
        for f in re_mm_field().captures_iter(report) {
            fields.insert(f[1].to_ascii_lowercase(), f[2].trim().to_string());
        }
        addresses(&c[2])
            .into_iter()
            .map(|a| {
                let mut b = bounce(Some(a), reason.clone());
                b.remote_mta = fields.get("remote-mta").cloned().filter(|v| !v.is_empty());
                b.reporting_mta = fields.get("reporting-mta").cloned().filter(|v| !v.is_empty());
                b.date = fields.get("last-attempt-date").cloned().filter(|v| !v.is_empty());
                b
            })
            .collect()
    }
}

impl Decoder for MessageLabs {
    fn name(&self) -> &'static str {
        "messagelabs"
    }

    fn detect(&self, _mail: &Mail, report: &str) -> bool {
        re_ml().is_match(report)
    }

    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        let Some(c) = re_ml().captures(report) else { return vec![] };
        let reason = c[2].trim().to_string();
        addresses(&c[1]).into_iter().map(|a| bounce(Some(a), reason.clone())).collect()
    }
}

impl Decoder for InterScan {
    fn name(&self) -> &'static str {
        "interscan"
    }

    fn detect(&self, mail: &Mail, report: &str) -> bool {
        (mail.from().contains("InterScan") || report.contains("Sent <<<")) && report.lines().any(|l| re_is_received().is_match(l))
    }

    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        let mut out: Vec<Bounce> = vec![];
        let mut last_cmd: Option<String> = None;
        let mut last_rcpt: Option<String> = None;
        for line in report.lines() {
            if let Some(c) = re_is_sent().captures(line) {
                let cmd = c[1].to_ascii_uppercase();
                last_cmd = Some(if cmd.starts_with("RCPT") { "RCPT TO".into() } else if cmd.starts_with("MAIL") { "MAIL FROM".into() } else { cmd });
                if let Some(a) = c.get(2).and_then(|m| super::first_address(m.as_str())) {
                    if last_cmd.as_deref() == Some("RCPT TO") {
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
                let rcpt = last_rcpt.clone().or_else(|| super::first_address(&reply));
                let mut b = bounce(rcpt, reply);
                b.smtp_command = last_cmd.clone();
                out.push(b);
            }
        }
        out
    }
}

impl Decoder for MFilter {
    fn name(&self) -> &'static str {
        "m-filter"
    }

    fn detect(&self, mail: &Mail, report: &str) -> bool {
        mail.header("X-Mailer").is_some_and(|x| x.contains("m-FILTER")) || (re_mf_server().is_match(report) && report.contains("m-FILTER"))
    }

    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        let head = report.find("-------").map(|i| &report[..i]).unwrap_or(report);
        let recipients = addresses(head);
        let reply = re_mf_server().captures(report).map(|c| c[1].trim().to_string()).unwrap_or_default();
        let command = re_mf_command().captures(report).map(|c| c[1].trim().to_ascii_uppercase());
        recipients
            .into_iter()
            .map(|a| {
                let mut b = bounce(Some(a), reply.clone());
                b.smtp_command = command.clone().map(|c| if c.starts_with("RCPT") { "RCPT TO".into() } else if c.starts_with("MAIL") { "MAIL FROM".into() } else { c });
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
    fn mailmarshal_reason_and_recipients() {
        let raw = "From: postmaster@example.com\nSubject: Undeliverable Mail: \"Hi\"\n\nYour message:\n   From:    me@example.org\n   Subject: Hi\n\nCould not be delivered because of\n\n550 5.1.1 User unknown\n\nThe following recipients were affected: \n    a@example.com\n\nAdditional Information\n======================\nOriginal Sender:    <me@example.org>\nRemote-MTA:\t\t\t<203.0.113.2>\nReporting-MTA:      <mx.example.com>\n";
        let mail = mime::parse(raw.as_bytes()).unwrap();
        let report = mail.body_text();
        assert!(MailMarshal.detect(&mail, &report));
        let b = MailMarshal.decode(&mail, &report);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].recipient.as_deref(), Some("a@example.com"));
        assert_eq!(b[0].diagnostic, "550 5.1.1 User unknown");
        assert_eq!(b[0].remote_mta.as_deref(), Some("203.0.113.2"));
    }

    #[test]
    fn interscan_session() {
        let raw = "From: InterScan MSS <postmaster@example.co.jp>\nSubject: undeliverable\n\nSent <<< RCPT TO:<a@example.co.jp>\nReceived >>> 550 5.1.1 <a@example.co.jp>... user unknown\n";
        let mail = mime::parse(raw.as_bytes()).unwrap();
        let report = mail.body_text();
        assert!(InterScan.detect(&mail, &report));
        let b = InterScan.decode(&mail, &report);
        assert_eq!(b[0].recipient.as_deref(), Some("a@example.co.jp"));
        assert_eq!(b[0].smtp_command.as_deref(), Some("RCPT TO"));
    }

    #[test]
    fn mfilter_server_message_and_command() {
        let raw = "From: POSTMASTER <postmaster@example.co.jp>\nSubject: failure notice\nX-Mailer: m-FILTER\n\na@example.co.jp\n\n-------server message\n550 5.1.1 <a@example.co.jp>: Recipient address rejected: User unknown\n\n-------SMTP command\nDATA\n\n-------original message\n";
        let mail = mime::parse(raw.as_bytes()).unwrap();
        let report = mail.body_text();
        assert!(MFilter.detect(&mail, &report));
        let b = MFilter.decode(&mail, &report);
        assert_eq!(b.len(), 1);
        assert!(b[0].diagnostic.starts_with("550 5.1.1"));
        assert_eq!(b[0].smtp_command.as_deref(), Some("DATA"));
    }

    #[test]
    fn messagelabs_multiline_reason() {
        let raw = "From: Mail Delivery System <MAILER-DAEMON@messagelabs.com>\nSubject: Mail Delivery Failure\n\nThis is the mail delivery agent at Symantec Email Security.cloud.\n\nI was unable to deliver your message to the following addresses:\n\na@example.org\n\nReason: 550-Please turn on SMTP Authentication in your mail client.\n550-mail0.example.com [198.51.100.21]:11111 is not permitted to\n550 relay through this server without authentication.\n\nThe message subject was: Hi\n";
        let mail = mime::parse(raw.as_bytes()).unwrap();
        let report = mail.body_text();
        let b = MessageLabs.decode(&mail, &report);
        assert_eq!(b.len(), 1);
        assert!(b[0].diagnostic.ends_with("without authentication."), "{}", b[0].diagnostic);
    }
}
