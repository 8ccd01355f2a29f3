//! Google's reports without a delivery-status part.
//!
//! Gmail's older layout: "Delivery to the following recipient failed permanently:" (or "has been
//! delayed:"), the address indented on its own line, then "Technical details of permanent
//! failure:" with Google's sentence and "The error that the other server returned was: 550 550
//! 5.1.1 ... (state 14)." The state number tells which SMTP step failed.

use super::{helpers::bounce, Decoder};
use crate::smtp::address;
use crate::email::mime::Mail;
use crate::email::Bounce;
use crate::smtp::{Command, DsnAction};

pub struct GmailLegacy;

re!(re_intro, r"(?im)^\s*delivery to the following recipients? (failed permanently|has been delayed|failed|was delayed)");
re!(re_details, r"(?im)^\s*technical details of (permanent|temporary) failure:?");
re!(re_returned, r"(?is)the error that the other server returned was:\s*(.*)$");
re!(re_state, r"\(state (\d+)\)");
re!(re_server, r"(?i)\bby ([A-Za-z0-9][\w-]*(?:\.[\w-]+)+)\.? \[[0-9a-f.:]+\]");

impl Decoder for GmailLegacy {
    fn name(&self) -> &'static str {
        "gmail-legacy"
    }

    fn detect(&self, _mail: &Mail, report: &str) -> bool {
        re_intro().is_match(report) && re_details().is_match(report)
    }

    fn decode(&self, mail: &Mail, report: &str) -> Vec<Bounce> {
        let Some(intro) = re_intro().find(report) else { return vec![] };
        let delayed = intro.as_str().to_ascii_lowercase().contains("delay");
        let after_intro = &report[intro.end()..];
        let details_at = re_details().find(after_intro).map(|m| m.start()).unwrap_or(after_intro.len());
        let mut recipients = address::all_in(&after_intro[..details_at]);
        if recipients.is_empty() {
            recipients = mail.headers_named("X-Failed-Recipients").flat_map(address::all_in).collect();
        }
        let details = re_details().find(after_intro).map(|m| &after_intro[m.end()..]).unwrap_or("");
        let technical = details.trim();
        let diag = match re_returned().captures(technical) {
            Some(c) => c[1].trim().to_string(),
            None => technical.to_string(),
        };
        // Google's state numbers: the step of its SMTP session that failed.
        let command = re_state().captures(&diag).and_then(|c| match &c[1] {
            "6" | "13" => Some(Command::MailFrom),
            "8" | "9" | "12" => Some(Command::Auth),
            "14" => Some(Command::RcptTo),
            "15" | "17" | "18" => Some(Command::Data),
            _ => None,
        });
        let remote = re_server().captures(technical).map(|c| c[1].to_string());
        recipients
            .into_iter()
            .map(|r| {
                let mut b = bounce(Some(r), diag.clone());
                b.smtp_command = command;
                b.remote_mta = remote.clone();
                if delayed {
                    b.dsn_action = Some(DsnAction::Delayed);
                }
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
    fn legacy_gmail_report() {
        let raw = "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nSubject: Delivery Status Notification (Failure)\n\nDelivery to the following recipient failed permanently:\n\n     a@example.jp\n\nTechnical details of permanent failure:\nGoogle tried to deliver your message, but it was rejected by the server for the recipient domain example.jp by mx.example.jp. [192.0.2.153].\n\nThe error that the other server returned was:\n550 5.1.1 <a@example.jp>... User Unknown (state 14).\n\n----- Original message -----\n";
        let mail = mime::parse(raw.as_bytes()).unwrap();
        let report = mail.body_text();
        assert!(GmailLegacy.detect(&mail, &report));
        let b = GmailLegacy.decode(&mail, &report);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].recipient.as_deref(), Some("a@example.jp"));
        assert!(b[0].diagnostic.starts_with("550 5.1.1"));
        assert_eq!(b[0].smtp_command, Some(crate::smtp::Command::RcptTo));
        assert_eq!(b[0].remote_mta.as_deref(), Some("mx.example.jp"));
    }
}
