//! A bounce forwarded as plain text inside another message (a user forwarding the report to
//! their provider's support, a ticket system): the inner report is read as an email of its own.

use super::super::mime::{self, Mail};

/// A bounce forwarded inline as text: a header block of a delivery report (sent by a mail
/// system, or of type multipart/report) inside the body, parsed as an email of its own.
pub(super) fn embedded_report(body: &str) -> Option<Mail> {
    re!(pub(crate) re_embedded, r"(?im)^(?:From:[^\n]*(?:mailer-daemon|postmaster|mail delivery)|Content-Type:\s*multipart/report)");
    let m = re_embedded().find(body)?;
    // Back up to the start of the header block that holds the line.
    let mut start = m.start();
    while start > 0 {
        let prev_end = start - 1; // the newline ending the previous line
        let prev_start = body[..prev_end].rfind('\n').map(|i| i + 1).unwrap_or(0);
        let line = body[prev_start..prev_end].trim_end_matches('\r');
        let is_field = line.split_once(':').is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
        if line.trim().is_empty() || !(is_field || line.starts_with(' ') || line.starts_with('\t')) {
            break;
        }
        start = prev_start;
    }
    let inner = mime::parse(&body.as_bytes()[start..])?;
    re!(pub(crate) re_system_from, r"(?i)mailer-daemon|postmaster|mail delivery|mail administrator");
    re!(pub(crate) re_bounce_subject, r"(?i)undeliver|returned mail|delivery (status|failure|has failed|notification)|failure notice|mail delivery failed|non-?delivery|delivery problem");
    let from_system = inner.header("From").is_some_and(|f| re_system_from().is_match(f));
    let is_report = inner.header("Content-Type").is_some_and(|c| c.to_ascii_lowercase().contains("multipart/report"))
        || re_bounce_subject().is_match(inner.subject());
    if !(from_system && is_report) {
        return None;
    }
    Some(inner)
}

