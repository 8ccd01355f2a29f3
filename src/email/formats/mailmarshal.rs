//! Security gateways' own report texts.
//!
//! MailMarshal (Trustwave): "Your message: ... Could not be delivered because of <reply> The
//! following recipients were affected: <addresses>", then "Additional Information" fields
//! (Remote-MTA, Reporting-MTA...).

use super::{helpers::bounce, Decoder};
use crate::smtp::address;
use crate::email::mime::Mail;
use crate::email::Bounce;

pub struct MailMarshal;

re!(re_mm, r"(?is)could not be delivered because of\s*(.*?)\s*the following recipients? (?:were|was) affected:?\s*(.*?)(?:\n\s*additional information|\z)");
re!(re_mm_field, r"(?im)^\s*(remote-mta|reporting-mta|last-attempt-date):\s*<?([^>\n]*)>?\s*$");

impl Decoder for MailMarshal {
    fn name(&self) -> &'static str {
        "mailmarshal"
    }

    fn detect(&self, _mail: &Mail, report: &str) -> bool {
        re_mm().is_match(report)
    }

    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        let Some(c) = re_mm().captures(report) else { return vec![] };
        let reason = c[1].trim().to_string();
        let mut fields = std::collections::HashMap::new();
        for f in re_mm_field().captures_iter(report) {
            fields.insert(f[1].to_ascii_lowercase(), f[2].trim().to_string());
        }
        address::all_in(&c[2])
            .into_iter()
            .map(|a| {
                let mut b = bounce(Some(a), reason.clone());
                b.remote_mta = fields.get("remote-mta").cloned().filter(|v| !v.is_empty());
                b.reporting_mta = fields.get("reporting-mta").cloned().filter(|v| !v.is_empty());
                b.date = fields.get("last-attempt-date").cloned().filter(|v| !v.is_empty());
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
    fn mailmarshal_reason_and_recipients() {
        let raw = "From: postmaster@example.com\nSubject: Undeliverable Mail: \"Hi\"\n\nYour message:\n   From:    me@example.org\n   Subject: Hi\n\nCould not be delivered because of\n\n550 5.1.1 User unknown\n\nThe following recipients were affected: \n    a@example.com\n\nAdditional Information\n======================\nOriginal Sender:    <me@example.org>\nRemote-MTA:\t\t\t<203.0.113.2>\nReporting-MTA:      <mx.example.com>\n";
        let mail = mime::parse(raw.as_bytes()).unwrap();
        let report = mail.body_text();
        assert!(MailMarshal.detect(&mail, &report));
        let b = MailMarshal.decode(&mail, &report);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].recipient.as_deref(), Some("a@example.com"));
        assert_eq!(b[0].diagnostic, "550 5.1.1 User unknown");
        assert_eq!(b[0].remote_mta.as_deref(), Some("203.0.113.2"));
    }
}
