//! Amazon SES.
//!
//! SES's own bounces wrap the remote reply: `5.1.0 - Unknown address error 550-'5.2.2 <a@b>...
//! Mailbox Full' (delivery attempts: 0)`; the quoted reply is what the remote server said, the
//! code in front is SES's summary.

use super::{helpers::bounce, Decoder};
use crate::email::mime::Mail;
use crate::email::Bounce;
use crate::smtp::address;
use regex::Regex;
use std::sync::OnceLock;

pub struct AmazonSesText;

fn re_wrapped() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r#"(?s)\b[245]\.\d{1,3}\.\d{1,3} - [A-Za-z ,]+? (\d{3})[- ]'(.*?)'(?:\s*\(delivery attempts: \d+\))?"#).expect("valid built-in regex")
    })
}

impl Decoder for AmazonSesText {
    fn name(&self) -> &'static str {
        "amazon-ses"
    }

    fn detect(&self, mail: &Mail, report: &str) -> bool {
        let from_ses = mail.from().to_ascii_lowercase().contains("amazonses.com") || mail.header("X-SES-Outgoing").is_some();
        from_ses && (re_wrapped().is_match(report) || mail.parts.iter().any(|p| re_wrapped().is_match(&p.text)))
    }

    fn decode(&self, mail: &Mail, report: &str) -> Vec<Bounce> {
        // "The following message to <a@b> was undeliverable. The reason for the problem: ..."
        let texts: Vec<&str> = std::iter::once(report).chain(mail.parts.iter().map(|p| p.text.as_str())).collect();
        for t in texts {
            if let Some(c) = re_wrapped().captures(t) {
                let inner = format!("{} {}", &c[1], c[2].trim());
                let recipient = t.find("message to <").and_then(|i| address::first_in(&t[i..]));
                return vec![bounce(recipient, inner)];
            }
        }
        vec![]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::mime;

    #[test]
    fn wrapped_reply_is_unwrapped() {
        let raw = "From: MAILER-DAEMON@email-bounces.amazonses.com\nSubject: Delivery Status Notification (Failure)\n\nThe following message to <a@example.jp> was undeliverable.\nThe reason for the problem:\n5.1.0 - Unknown address error 550-'5.2.2 <a@example.jp>... Mailbox Full' (delivery attempts: 0)\n";
        let mail = mime::parse(raw.as_bytes()).unwrap();
        let body = mail.body_text();
        assert!(AmazonSesText.detect(&mail, &body));
        let b = AmazonSesText.decode(&mail, &body);
        assert_eq!(b[0].recipient.as_deref(), Some("a@example.jp"));
        assert_eq!(b[0].diagnostic, "550 5.2.2 <a@example.jp>... Mailbox Full");
    }
}
