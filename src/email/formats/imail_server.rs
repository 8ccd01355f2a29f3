//! Plain-text reports of smaller MTAs, each recognised by its own sentences.
//!
//! Ipswitch IMail Server (X-Mailer `<SMTP32 v...>`): `Reason: addr` lines, and the remote reply
//! after "Body of message generated response:".

use super::{helpers::bounce, Decoder};
use crate::smtp::address;
use crate::email::mime::Mail;
use crate::email::Bounce;

pub struct IMailServer;

re!(re_imail_line, r"^(.{3,80}?):\s+<?([^<>\s]+@[^<>\s]+?)>?\s*$");
re!(re_imail_response, r"(?is)body of message generated response:\s*(.*)$");

impl Decoder for IMailServer {
    fn name(&self) -> &'static str {
        "imailserver"
    }

    fn detect(&self, mail: &Mail, _report: &str) -> bool {
        mail.header("X-Mailer").is_some_and(|x| x.trim_start().starts_with("<SMTP32 v")) || mail.subject().starts_with("Undeliverable Mail ")
    }

    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        let response = re_imail_response().captures(report).map(|c| c[1].trim().to_string()).unwrap_or_default();
        let mut out = vec![];
        for line in report.lines() {
            if let Some(c) = re_imail_line().captures(line.trim()) {
                let reason = c[1].trim();
                let diag = if response.is_empty() { reason.to_string() } else { format!("{response}\n{reason}") };
                out.push(bounce(address::first_in(&c[2]), diag));
            }
        }
        out
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
    fn imail_reason_lines() {
        let b = run(&IMailServer, "From: Postmaster <postmaster@example.co.jp>\nSubject: Undeliverable Mail\nX-Mailer: <SMTP32 v8.22>\n\nUser mailbox exceeds allowed size: a@example.co.jp\n\nOriginal message follows.\n");
        assert_eq!(b[0].recipient.as_deref(), Some("a@example.co.jp"));
        assert_eq!(b[0].diagnostic, "User mailbox exceeds allowed size");
    }
}
