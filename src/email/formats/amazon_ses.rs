//! Amazon SES.
//!
//! * Notifications in JSON (sent by SNS, "AWS Notification Message", or by SES event
//!   publishing): `notificationType`/`eventType` Bounce, Complaint or Delivery, with the
//!   recipients, their status and diagnostic, and the sent message in `mail`.
//! * SES's own bounces wrap the remote reply: `5.1.0 - Unknown address error
//!   550-'5.2.2 <a@b>... Mailbox Full' (delivery attempts: 0)`; the quoted reply is what the
//!   remote server said, the code in front is SES's summary.

use super::{bounce, Decoder};
use crate::email::mime::Mail;
use crate::email::{normalize_address, Bounce, Original};
use crate::model::Category;
use regex::Regex;
use serde_json::Value;
use std::sync::OnceLock;

pub struct AmazonSesJson;
pub struct AmazonSesText;

fn re_wrapped() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r#"(?s)\b[245]\.\d{1,3}\.\d{1,3} - [A-Za-z ,]+? (\d{3})[- ]'(.*?)'(?:\s*\(delivery attempts: \d+\))?"#).expect("valid built-in regex")
    })
}

/// The JSON object of the notification: the body itself, or the SNS envelope's `Message`.
fn notification(mail: &Mail) -> Option<Value> {
    let body = mail.parts.iter().filter(|p| p.content_type.starts_with("text/") || p.content_type == "application/json" || p.content_type.is_empty()).map(|p| p.text.as_str()).collect::<Vec<_>>().join("\n");
    let start = body.find('{')?;
    let end = body.rfind('}')?;
    if end <= start {
        return None;
    }
    // Long lines of the JSON may have been folded ("\n " inserted) by a mail system.
    let text = body[start..=end].replace("\r\n ", "").replace("\n ", "");
    let v: Value = serde_json::from_str(&text).or_else(|_| serde_json::from_str(&body[start..=end])).ok()?;
    if v.get("notificationType").is_some() || v.get("eventType").is_some() {
        return Some(v);
    }
    let inner = v.get("Message")?.as_str()?;
    let m: Value = serde_json::from_str(inner).ok()?;
    (m.get("notificationType").is_some() || m.get("eventType").is_some()).then_some(m)
}

fn s(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string).filter(|x| !x.is_empty())
}

impl Decoder for AmazonSesJson {
    fn name(&self) -> &'static str {
        "amazon-ses-json"
    }

    fn detect(&self, mail: &Mail, _report: &str) -> bool {
        let body_says = mail.parts.iter().any(|p| p.text.contains("\"notificationType\"") || p.text.contains("\"eventType\"") || p.text.contains("\\\"notificationType\\\""));
        body_says && (mail.from().contains("amazonaws.com") || mail.from().contains("amazonses.com") || mail.subject().contains("AWS Notification") || mail.parts.iter().any(|p| p.text.contains("amazonses.com")))
    }

    fn decode(&self, mail: &Mail, _report: &str) -> Vec<Bounce> {
        let Some(n) = notification(mail) else { return vec![] };
        let kind = s(&n, "notificationType").or_else(|| s(&n, "eventType")).unwrap_or_default().to_ascii_lowercase();
        let sent = n.get("mail").cloned().unwrap_or(Value::Null);
        let common = sent.get("commonHeaders").cloned().unwrap_or(Value::Null);
        let original = Original {
            from: common.get("from").and_then(|f| f.get(0)).and_then(Value::as_str).map(str::to_string).or_else(|| s(&sent, "source")),
            subject: s(&common, "subject"),
            message_id: s(&common, "messageId").or_else(|| s(&sent, "messageId")).map(|m| m.trim_matches(['<', '>']).to_string()),
            list_id: None,
            to: common.get("to").and_then(|f| f.get(0)).and_then(Value::as_str).map(str::to_string),
        };
        let mut out = vec![];
        match kind.as_str() {
            "bounce" => {
                let b = n.get("bounce").cloned().unwrap_or(Value::Null);
                let summary = format!(
                    "Amazon SES bounce: {} / {}",
                    s(&b, "bounceType").unwrap_or_default(),
                    s(&b, "bounceSubType").unwrap_or_default()
                );
                for r in b.get("bouncedRecipients").and_then(Value::as_array).cloned().unwrap_or_default() {
                    let diag = s(&r, "diagnosticCode").unwrap_or_else(|| summary.clone());
                    let mut x = bounce(s(&r, "emailAddress").map(|a| normalize_address(&a)), diag);
                    x.status = s(&r, "status");
                    x.dsn_action = s(&r, "action");
                    x.reporting_mta = s(&b, "reportingMTA").map(|m| super::dsn::typed_value(&m).to_string());
                    x.remote_mta = s(&b, "remoteMtaIp");
                    x.date = s(&b, "timestamp");
                    x.original = Some(original.clone());
                    out.push(x);
                }
            }
            "complaint" => {
                let c = n.get("complaint").cloned().unwrap_or(Value::Null);
                let ftype = s(&c, "complaintFeedbackType").unwrap_or_else(|| "abuse".into());
                for r in c.get("complainedRecipients").and_then(Value::as_array).cloned().unwrap_or_default() {
                    let mut x = bounce(s(&r, "emailAddress").map(|a| normalize_address(&a)), format!("Feedback report: {ftype}"));
                    x.feedback_type = Some(ftype.clone());
                    x.category = Some(Category::Complaint);
                    x.date = s(&c, "timestamp");
                    x.original = Some(original.clone());
                    out.push(x);
                }
            }
            "delivery" => {
                let d = n.get("delivery").cloned().unwrap_or(Value::Null);
                let reply = s(&d, "smtpResponse").unwrap_or_else(|| "250 Message delivered".into());
                for r in d.get("recipients").and_then(Value::as_array).cloned().unwrap_or_default() {
                    let mut x = bounce(r.as_str().map(normalize_address), reply.clone());
                    x.dsn_action = Some("delivered".into());
                    x.reporting_mta = s(&d, "reportingMTA");
                    x.date = s(&d, "timestamp");
                    x.original = Some(original.clone());
                    out.push(x);
                }
            }
            _ => {}
        }
        out
    }
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
                let recipient = t.find("message to <").and_then(|i| super::first_address(&t[i..]));
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
    fn sns_bounce_notification() {
        let json = r#"{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"General","bouncedRecipients":[{"emailAddress":"a@example.org","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"}],"timestamp":"2016-10-21T00:06:40.502Z","reportingMTA":"dsn; a27-23.smtp-out.us-west-2.amazonses.com"},"mail":{"source":"me@example.jp","messageId":"0101-abc","commonHeaders":{"from":["me@example.jp"],"to":["a@example.org"],"subject":"Hello"}}}"#;
        let raw = format!("From: SES <no-reply@sns.amazonaws.com>\nSubject: AWS Notification Message\nContent-Type: text/plain\n\n{json}\n\n--\nIf you wish to stop receiving notifications from this topic, click https://sns.us-west-2.amazonaws.com/unsubscribe.html?Endpoint=x@example.jp\n");
        let mail = mime::parse(raw.as_bytes()).unwrap();
        assert!(AmazonSesJson.detect(&mail, ""));
        let b = AmazonSesJson.decode(&mail, "");
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].recipient.as_deref(), Some("a@example.org"));
        assert_eq!(b[0].status.as_deref(), Some("5.1.1"));
        assert_eq!(b[0].reporting_mta.as_deref(), Some("a27-23.smtp-out.us-west-2.amazonses.com"));
        assert_eq!(b[0].original.as_ref().and_then(|o| o.subject.as_deref()), Some("Hello"));
    }

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
