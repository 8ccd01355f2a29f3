//! Google's reports without a delivery-status part.
//!
//! * Gmail's older layout: "Delivery to the following recipient failed permanently:" (or "has
//!   been delayed:"), the address indented on its own line, then "Technical details of
//!   permanent failure:" with Google's sentence and "The error that the other server returned
//!   was: 550 550 5.1.1 ... (state 14)." The state number tells which SMTP step failed.
//! * Gmail and Google Workspace today: "** Address not found **" (or "Message not delivered",
//!   "Message blocked"...), Google's explanation, then "The response was:" / "The response from
//!   the remote server was:" and the reply. It comes with a delivery-status part, which is read
//!   first when it names the recipients.
//! * Google Groups: "the group you tried to contact (name) may not exist, or you may not have
//!   permission to post messages to the group", the group in `X-Failed-Recipients`.

use super::{addresses, bounce, Decoder};
use crate::email::mime::Mail;
use crate::email::Bounce;

pub struct GmailLegacy;
pub struct GoogleGroups;
pub struct GmailCurrent;

re!(re_intro, r"(?im)^\s*delivery to the following recipients? (failed permanently|has been delayed|failed|was delayed)");
re!(re_details, r"(?im)^\s*technical details of (permanent|temporary) failure:?");
re!(re_returned, r"(?is)the error that the other server returned was:\s*(.*)$");
re!(re_state, r"\(state (\d+)\)");
re!(re_server, r"(?i)\bby ([A-Za-z0-9][\w-]*(?:\.[\w-]+)+)\.? \[[0-9a-f.:]+\]");
re!(re_current, r"(?m)^\s*\*\* ?([A-Z][A-Za-z ]+?) ?\*\*\s*$");
re!(re_response, r"(?is)the response(?: from the remote server)? was:\s*(.*)$");
re!(re_wasnt_delivered, r"(?i)wasn't delivered to\s+<?([^\s<>]+@[^\s<>]+?)>?\s+because");
re!(re_group, r"(?is)((?:we're writing to let you know that )?the group you tried to contact.*?(?:to the group|\.\s))");

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
        let mut recipients = addresses(&after_intro[..details_at]);
        if recipients.is_empty() {
            recipients = mail.headers_named("X-Failed-Recipients").flat_map(addresses).collect();
        }
        let details = re_details().find(after_intro).map(|m| &after_intro[m.end()..]).unwrap_or("");
        let technical = details.trim();
        let diag = match re_returned().captures(technical) {
            Some(c) => c[1].trim().to_string(),
            None => technical.to_string(),
        };
        // Google's state numbers: the step of its SMTP session that failed.
        let command = re_state().captures(&diag).and_then(|c| match &c[1] {
            "6" | "13" => Some("MAIL FROM"),
            "8" | "9" | "12" => Some("AUTH"),
            "14" => Some("RCPT TO"),
            "15" | "17" | "18" => Some("DATA"),
            _ => None,
        });
        let remote = re_server().captures(technical).map(|c| c[1].to_string());
        recipients
            .into_iter()
            .map(|r| {
                let mut b = bounce(Some(r), diag.clone());
                b.smtp_command = command.map(str::to_string);
                b.remote_mta = remote.clone();
                if delayed {
                    b.dsn_action = Some("delayed".into());
                }
                b
            })
            .collect()
    }
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
        let mut recipients: Vec<String> = mail.headers_named("X-Failed-Recipients").flat_map(addresses).collect();
        if recipients.is_empty() {
            // The original message's To, when the header is missing.
            recipients = mail.returned().and_then(|m| m.header("To")).map(addresses).unwrap_or_default();
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

impl Decoder for GmailCurrent {
    fn name(&self) -> &'static str {
        "gmail"
    }

    fn detect(&self, mail: &Mail, report: &str) -> bool {
        let from_google = mail.from().to_ascii_lowercase().contains("googlemail.com") || mail.from().to_ascii_lowercase().contains("@google.com");
        from_google && re_current().is_match(report)
    }

    fn after_dsn(&self) -> bool {
        true
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
        let mut recipients: Vec<String> = mail.headers_named("X-Failed-Recipients").flat_map(addresses).collect();
        if recipients.is_empty() {
            recipients = re_wasnt_delivered().captures_iter(report).filter_map(|c| super::first_address(&c[1])).collect();
        }
        recipients.into_iter().map(|r| bounce(Some(r), diag.clone())).collect()
    }
}

/// Google Groups' refusal in a language other than English: signed "Google Groups", linking
/// its help center, for a group address.
fn is_localized_notice(mail: &Mail, report: &str) -> bool {
    let to_group = mail.headers_named("X-Failed-Recipients").any(|v| v.to_ascii_lowercase().contains("@googlegroups.com"));
    to_group && report.contains("Google Groups") && report.contains("groups.google.com")
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
        assert_eq!(b[0].smtp_command.as_deref(), Some("RCPT TO"));
        assert_eq!(b[0].remote_mta.as_deref(), Some("mx.example.jp"));
    }

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
