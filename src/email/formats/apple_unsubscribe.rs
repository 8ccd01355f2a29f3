//! Complaint and opt-out notices that are not RFC 5965 reports.
//!
//! Apple Mail's unsubscribe: a message with `X-Apple-Unsubscribe: true` sent from the recipient's
//! address to the `List-Unsubscribe` mailto address.

use super::Decoder;
use crate::smtp::address;
use crate::email::mime::Mail;
use crate::email::Bounce;
use crate::model::Category;

/// Apple Mail's one-click unsubscribe request.
pub struct AppleUnsubscribe;


impl Decoder for AppleUnsubscribe {
    fn name(&self) -> &'static str {
        "apple-unsubscribe"
    }

    fn detect(&self, mail: &Mail, _report: &str) -> bool {
        mail.header("X-Apple-Unsubscribe").is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }

    fn decode(&self, mail: &Mail, _report: &str) -> Vec<Bounce> {
        vec![Bounce {
            recipient: address::first_in(mail.from()),
            diagnostic: "Feedback report: opt-out (the recipient unsubscribed with Apple Mail)".into(),
            feedback_type: Some("opt-out".into()),
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
    fn apple_unsubscribe_is_an_opt_out() {
        let raw = "From: someone@icloud.com\nTo: opt-out@example.org\nSubject: unsubscribe\nX-Apple-Unsubscribe: true\nAuto-Submitted: auto-replied\n\nApple Mail sent this email to unsubscribe from the message.\n";
        let mail = mime::parse(raw.as_bytes()).unwrap();
        assert!(AppleUnsubscribe.detect(&mail, ""));
        let b = AppleUnsubscribe.decode(&mail, "");
        assert_eq!(b[0].recipient.as_deref(), Some("someone@icloud.com"));
        assert_eq!(b[0].feedback_type.as_deref(), Some("opt-out"));
    }
}
