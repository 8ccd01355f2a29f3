//! Plain-text reports of smaller MTAs, each recognised by its own sentences.
//!
//! MailFoundry: "Unable to deliver message to: <addr>" and "Delivery failed for the following
//! reason:".

use super::{helpers::bounce, Decoder};
use crate::smtp::address;
use crate::email::mime::Mail;
use crate::email::Bounce;

pub struct MailFoundry;

re!(re_mf, r"(?is)unable to deliver message to:\s*<?([^<>\s]+@[^<>\s]+?)>?\s*\n.*?delivery failed for the following reason:\s*(.*?)(?:\n\s*\n|\z)");

impl Decoder for MailFoundry {
    fn name(&self) -> &'static str {
        "mailfoundry"
    }

    fn detect(&self, _mail: &Mail, report: &str) -> bool {
        re_mf().is_match(report)
    }

    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        let Some(c) = re_mf().captures(report) else { return vec![] };
        let mut b = bounce(address::first_in(&c[1]), c[2].trim().to_string());
        re!(re_server, r"(?i)server\s+([A-Za-z0-9][\w.-]*)\s*\[");
        b.remote_mta = re_server().captures(&c[2]).map(|s| s[1].to_string());
        vec![b]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::mime;

    fn run(d: &dyn Decoder, raw: &str) -> Vec<Bounce> {
        let mail = mime::parse(raw.as_bytes()).unwrap();
        let body = mail.body_text();
        let report = super::super::helpers::report_text(&body).to_string();
        assert!(d.detect(&mail, &report), "{} did not detect", d.name());
        d.decode(&mail, &report)
    }

    #[test]
    fn mailfoundry_reason() {
        let b = run(&MailFoundry, "From: MAILER-DAEMON@example.org\nSubject: Message delivery has failed\n\nUnable to deliver message to: <a@example.org>\nDelivery failed for the following reason:\nServer mx.example.org[192.0.2.222] failed with: 550 <a@example.org> No such user here\n\nThis has been a permanent failure.\n");
        assert_eq!(b[0].remote_mta.as_deref(), Some("mx.example.org"));
        assert!(b[0].diagnostic.contains("550 <a@example.org> No such user here"));
    }
}
