//! Complaint reports (ARF, RFC 5965): a `message/feedback-report` part names the complaining
//! recipient (`Original-Rcpt-To`, or the returned message's `To`) and the feedback type. The
//! format establishes the cause: a complaint.

use super::super::{dsn, mime::Mail, Bounce};
use crate::model::Category;
use crate::smtp::address;

pub(super) fn arf(mail: &Mail) -> Option<Vec<Bounce>> {
    let part = mail.parts_of("message/feedback-report").next()?;
    let fields = header_fields(&part.text);
    let get = |n: &str| fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v.clone());
    let feedback_type = get("Feedback-Type").map(|s| s.to_ascii_lowercase());
    let original = mail.returned();
    let mut recipients: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("Original-Rcpt-To") || k.eq_ignore_ascii_case("Removal-Recipient"))
        .map(|(_, v)| address::normalize(v))
        .collect();
    if recipients.is_empty() {
        if let Some(to) = original.and_then(|m| m.header("To")) {
            recipients.extend(address::re_address().find_iter(to).map(|m| address::normalize(m.as_str())));
        }
    }
    if recipients.is_empty() {
        recipients.push(String::new());
    }
    let diagnostic = format!(
        "Feedback report: {}{}",
        feedback_type.clone().unwrap_or_else(|| "abuse".into()),
        get("User-Agent").map(|u| format!(" ({u})")).unwrap_or_default()
    );
    Some(
        recipients
            .into_iter()
            .map(|r| Bounce {
                recipient: if r.is_empty() { None } else { Some(r) },
                diagnostic: diagnostic.clone(),
                reporting_mta: get("Reporting-MTA").map(|v| dsn::typed_value(&v).to_string()),
                date: get("Arrival-Date").or_else(|| get("Received-Date")),
                feedback_type: feedback_type.clone(),
                category: Some(Category::Complaint),
                ..Default::default()
            })
            .collect(),
    )
}

fn header_fields(text: &str) -> Vec<(String, String)> {
    let unfolded = crate::text::unfold(&text.replace("\r\n", "\n"));
    unfolded
        .lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .map(|(n, v)| (n.to_string(), v.trim().to_string()))
        .collect()
}

