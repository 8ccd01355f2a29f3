//! Google's reports without a delivery-status part.
//!
//! Gmail and Google Workspace today: "** Address not found **" (or "Message not delivered",
//! "Message blocked"...), Google's explanation, then "The response was:" / "The response from the
//! remote server was:" and the reply. It comes with a delivery-status part, which is read first
//! when it names the recipients.

use super::{helpers::bounce, Decoder};
use crate::smtp::address;
use crate::email::mime::Mail;
use crate::email::Bounce;

pub struct GmailCurrent;

re!(re_current, r"(?m)^\s*\*\* ?([A-Z][A-Za-z ]+?) ?\*\*\s*$");
re!(re_response, r"(?is)the response(?: from the remote server)? was:\s*(.*)$");
re!(re_wasnt_delivered, r"(?i)wasn't delivered to\s+<?([^\s<>]+@[^\s<>]+?)>?\s+because");

impl Decoder for GmailCurrent {
    fn name(&self) -> &'static str {
        "gmail"
    }

    fn detect(&self, mail: &Mail, report: &str) -> bool {
        let from_google = mail.from().to_ascii_lowercase().contains("googlemail.com") || mail.from().to_ascii_lowercase().contains("@google.com");
        from_google && re_current().is_match(report)
    }


    fn decode(&self, mail: &Mail, report: &str) -> Vec<Bounce> {
        let Some(head) = re_current().captures(report) else { return vec![] };
        let rest = &report[head.get(0).expect("match").end()..];
        let (explanation, reply) = match re_response().captures(rest) {
            Some(c) => (&rest[..c.get(0).expect("match").start()], c[1].trim().to_string()),
            None => (rest, String::new()),
        };
        let explanation = explanation.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("Learn more")).collect::<Vec<_>>().join(" ");
        let diag = if reply.is_empty() { format!("{}: {}", &head[1], explanation) } else { format!("{reply}\n{}: {explanation}", &head[1]) };
        let mut recipients: Vec<String> = mail.headers_named("X-Failed-Recipients").flat_map(address::all_in).collect();
        if recipients.is_empty() {
            recipients = re_wasnt_delivered().captures_iter(report).filter_map(|c| address::first_in(&c[1])).collect();
        }
        recipients.into_iter().map(|r| bounce(Some(r), diag.clone())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::mime;

    #[test]
    fn current_gmail_text_without_delivery_status_fields() {
        let raw = "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nX-Failed-Recipients: a@example.com\nSubject: Delivery Status Notification (Failure)\nContent-Type: text/plain\n\n** Address not found **\n\nYour message wasn't delivered to a@example.com because the address couldn't be found, or is unable to receive mail.\n\nThe response from the remote server was:\n550 5.1.1 <a@example.com>: Recipient address rejected: User unknown\n";
        let mail = mime::parse(raw.as_bytes()).unwrap();
        let report = mail.body_text();
        assert!(GmailCurrent.detect(&mail, &report));
        let b = GmailCurrent.decode(&mail, &report);
        assert_eq!(b[0].recipient.as_deref(), Some("a@example.com"));
        assert!(b[0].diagnostic.starts_with("550 5.1.1"));
    }
}
