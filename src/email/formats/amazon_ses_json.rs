//! Amazon SES.
//!
//! Notifications in JSON (sent by SNS, "AWS Notification Message", or by SES event publishing):
//! `notificationType`/`eventType` Bounce, Complaint or Delivery, with the recipients, their
//! status and diagnostic, and the sent message in `mail`.

use super::{helpers::bounce, Decoder};
use crate::email::mime::Mail;
use crate::email::{Bounce, Original};
use crate::smtp::{address, DsnAction};
use crate::model::Category;
use serde_json::Value;

pub struct AmazonSesJson;

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
                    let mut x = bounce(s(&r, "emailAddress").map(|a| address::normalize(&a)), diag);
                    x.status = s(&r, "status");
                    x.dsn_action = s(&r, "action").as_deref().and_then(DsnAction::parse);
                    x.reporting_mta = s(&b, "reportingMTA").map(|m| crate::email::dsn::typed_value(&m).to_string());
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
                    let mut x = bounce(s(&r, "emailAddress").map(|a| address::normalize(&a)), format!("Feedback report: {ftype}"));
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
                    let mut x = bounce(r.as_str().map(address::normalize), reply.clone());
                    x.dsn_action = Some(DsnAction::Delivered);
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
}
