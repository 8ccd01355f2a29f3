//! Complaint and opt-out notices that are not RFC 5965 reports.
//!
//! Microsoft's JMRP (Outlook.com/Hotmail junk mail reporting): a `multipart/mixed` email
//! "complaint about message from <ip>" carrying the reported message, whose header
//! `X-HmXmrOriginalRecipient` names the complaining user.

use super::Decoder;
use crate::smtp::address;
use crate::email::mime::Mail;
use crate::email::Bounce;
use crate::model::Category;

/// Microsoft's junk mail reporting program.
pub struct MicrosoftJmrp;


impl Decoder for MicrosoftJmrp {
    fn name(&self) -> &'static str {
        "microsoft-jmrp"
    }

    fn detect(&self, mail: &Mail, _report: &str) -> bool {
        mail.attached.iter().any(|m| m.header("X-HmXmrOriginalRecipient").is_some())
            || (mail.subject().trim().to_ascii_lowercase().starts_with("complaint about message from") && !mail.attached.is_empty())
    }

    fn decode(&self, mail: &Mail, _report: &str) -> Vec<Bounce> {
        let Some(original) = mail.attached.first() else { return vec![] };
        let recipient = original
            .header("X-HmXmrOriginalRecipient")
            .and_then(address::first_in)
            .or_else(|| original.header("To").and_then(address::first_in));
        vec![Bounce {
            recipient,
            diagnostic: format!("Feedback report: abuse (junk mail report: {})", mail.subject().trim()),
            feedback_type: Some("abuse".into()),
            date: mail.header("Date").map(str::to_string),
            category: Some(Category::Complaint),
            ..Default::default()
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::mime;

    #[test]
    fn jmrp_names_the_complaining_user() {
        let raw = "From: staff@hotmail.com\nSubject: complaint about message from 192.0.2.1\nContent-Type: multipart/mixed; boundary=\"B\"\n\n--B\nContent-Type: message/rfc822\nContent-Disposition: inline\n\nX-HmXmrOriginalRecipient: user@example.com\nFrom: news@example.org\nTo: user@example.com\nSubject: Hi\n\nbody\n--B--\n";
        let mail = mime::parse(raw.as_bytes()).unwrap();
        assert!(MicrosoftJmrp.detect(&mail, ""));
        let b = MicrosoftJmrp.decode(&mail, "");
        assert_eq!(b[0].recipient.as_deref(), Some("user@example.com"));
        assert_eq!(b[0].category, Some(Category::Complaint));
    }
}
