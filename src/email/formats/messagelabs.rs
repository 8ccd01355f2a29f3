//! Security gateways' own report texts.
//!
//! MessageLabs / Symantec Email Security.cloud: "I was unable to deliver your message to the
//! following addresses: <address> Reason: <reply, possibly on several lines>".

use super::{helpers::bounce, Decoder};
use crate::smtp::address;
use crate::email::mime::Mail;
use crate::email::Bounce;

pub struct MessageLabs;

re!(re_ml, r"(?is)unable to deliver your message to the following addresses?:?\s*(.*?)\n\s*reason:\s*(.*?)(?:\n\s*\n|\n\s*the message (?:subject|date|identifier|reference) was|\z)");

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
        address::all_in(&c[1]).into_iter().map(|a| bounce(Some(a), reason.clone())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::mime;

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
