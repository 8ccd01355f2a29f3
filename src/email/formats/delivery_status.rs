//! Delivery-status reports (RFC 3464): the `message/delivery-status` part, or its fields
//! written inline in the text. Where a recipient's own diagnostic says nothing (no code, no
//! wording a rule knows), the report's human-readable text about that recipient completes it.

use super::super::{dsn, mime::Mail, Bounce};
use super::helpers::{coded_lines, TextIndex};
use super::generic::recipients_in;
use crate::classify::{extract, Classifier};
use crate::smtp::address;

pub(super) fn delivery_status(mail: &Mail, report: &str) -> Option<Vec<Bounce>> {
    let part = mail
        .parts
        .iter()
        .find(|p| p.content_type == "message/delivery-status" || p.content_type == "message/global-delivery-status")?;
    dsn_bounces(mail, dsn::parse(&part.text), report)
}

/// The bounces of a delivery-status report, with the human-readable text used where the
/// report's own diagnostic says nothing.
fn dsn_bounces(mail: &Mail, r: dsn::Report, report: &str) -> Option<Vec<Bounce>> {
    if r.recipients.is_empty() {
        return None;
    }
    let text_recipients = || recipients_in(mail, report);
    let index = std::cell::OnceCell::new();
    let coded = std::cell::OnceCell::new();
    let mut out = vec![];
    for rc in &r.recipients {
        let mut recipient = rc.final_recipient.clone().or_else(|| rc.original_recipient.clone()).map(|a| address::normalize(&a));
        // A malformed Final-Recipient ("@host", a program): the address the text names.
        if recipient.as_deref().is_none_or(|a| !address::re_address().is_match(a)) && r.recipients.len() == 1 {
            if let Some(a) = text_recipients().into_iter().next() {
                recipient = Some(a);
            }
        }
        let mut diagnostic = rc.diagnostic_code.clone().unwrap_or_default();
        // "Status: 4.0.0 (cat.example.net: host name lookup failure)": the comment explains.
        if diagnostic.trim().is_empty() {
            if let Some((_, comment)) = rc.status.as_deref().and_then(|st| st.split_once('(')) {
                diagnostic = comment.trim_end().trim_end_matches(')').trim().to_string();
            }
        }
        // The human-readable part often says more than a bare or missing Diagnostic-Code.
        if !has_signal(&diagnostic) {
            let index = index.get_or_init(|| TextIndex::new(report));
            if let Some(t) = recipient.as_deref().and_then(|a| index.about(a)) {
                diagnostic = if diagnostic.trim().is_empty() { t } else { format!("{diagnostic} {t}") };
            } else if let Some(t) = coded.get_or_init(|| coded_lines(report)).clone() {
                diagnostic = if diagnostic.trim().is_empty() { t } else { format!("{diagnostic} {t}") };
            }
        }
        out.push(Bounce {
            recipient,
            original_recipient: rc.original_recipient.clone(),
            diagnostic,
            status: rc.status.clone(),
            dsn_action: rc.action,
            remote_mta: rc.remote_mta.clone(),
            reporting_mta: r.reporting_mta.clone(),
            smtp_command: None,
            date: rc.last_attempt_date.clone().or_else(|| r.arrival_date.clone()),
            ..Default::default()
        });
    }
    Some(out)
}

/// Whether a diagnostic carries a code or recognisable wording.
fn has_signal(diagnostic: &str) -> bool {
    Classifier::get().recognises(&extract::clean(diagnostic))
}

// --- Delivery-status fields written into the text -------------------------------------------

/// Delivery-status fields written in the text (a report whose MIME structure was lost, or a
/// server that writes them inline): read like a delivery-status part, with the text before
/// them as the human-readable part.
pub(super) fn inline_dsn_fields(mail: &Mail, report: &str) -> Option<Vec<Bounce>> {
    re!(pub(crate) re_field, r"(?im)^(final-recipient|diagnostic-code|original-recipient)\s*:");
    let first = re_field().find(report)?;
    let lower = report.to_ascii_lowercase();
    let start = lower.find("reporting-mta:").filter(|&i| i < first.start()).unwrap_or(first.start());
    let start = report[..start].rfind('\n').map(|i| i + 1).unwrap_or(0).min(start);
    dsn_bounces(mail, dsn::parse(&report[start..]), &report[..start])
}

