//! Google's reports without a delivery-status part.
//!
//! Google Groups: "the group you tried to contact (name) may not exist, or you may not have
//! permission to post messages to the group", the group in `X-Failed-Recipients`.

use super::{helpers::bounce, Decoder};
use crate::smtp::address;
use crate::email::mime::Mail;
use crate::email::Bounce;

pub struct GoogleGroups;

re!(re_group, r"(?is)((?:we're writing to let you know that )?the group you tried to contact.*?(?:to the group|\.\s))");
/// Google Groups' refusal in a language other than English: signed "Google Groups", linking
/// its help center, for a group address.
fn is_localized_notice(mail: &Mail, report: &str) -> bool {
    let to_group = mail.headers_named("X-Failed-Recipients").any(|v| v.to_ascii_lowercase().contains("@googlegroups.com"));
    to_group && report.contains("Google Groups") && report.contains("groups.google.com")
}

impl Decoder for GoogleGroups {
    fn name(&self) -> &'static str {
        "google-groups"
    }

    fn detect(&self, mail: &Mail, report: &str) -> bool {
        let from_google = mail.from().to_ascii_lowercase().contains("googlemail.com") || mail.from().to_ascii_lowercase().contains("google.com");
        from_google && (re_group().is_match(report) || is_localized_notice(mail, report))
    }

    fn decode(&self, mail: &Mail, report: &str) -> Vec<Bounce> {
        let diag = match re_group().captures(report) {
            Some(c) => c[1].split_whitespace().collect::<Vec<_>>().join(" "),
            // The notice in another language: its first sentences, and what the layout says.
            None => format!(
                "{} (Google Groups: the group you tried to contact may not exist, or you may not have permission to post messages to the group.)",
                report.lines().map(str::trim).filter(|l| !l.is_empty()).skip(1).take(1).collect::<Vec<_>>().join(" ")
            ),
        };
        let mut recipients: Vec<String> = mail.headers_named("X-Failed-Recipients").flat_map(address::all_in).collect();
        if recipients.is_empty() {
            // The original message's To, when the header is missing.
            recipients = mail.returned().and_then(|m| m.header("To")).map(address::all_in).unwrap_or_default();
        }
        recipients
            .into_iter()
            .map(|r| {
                let mut b = bounce(Some(r), diag.clone());
                b.reporting_mta = Some("googlegroups.com".into());
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
    fn google_groups_refusal() {
        let raw = "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nX-Failed-Recipients: group@googlegroups.com\nSubject: Delivery Status Notification (Failure)\n\nHello a@example.jp,\n\nWe're writing to let you know that the group you tried to contact (group) may not exist, or you may not have permission to post messages to the group. A few more details on why you weren't able to post:\n\nThanks,\n\nGoogle Groups\n";
        let mail = mime::parse(raw.as_bytes()).unwrap();
        let report = mail.body_text();
        assert!(GoogleGroups.detect(&mail, &report));
        let b = GoogleGroups.decode(&mail, &report);
        assert_eq!(b[0].recipient.as_deref(), Some("group@googlegroups.com"));
        assert!(b[0].diagnostic.contains("permission to post"));
    }
}
