//! Security gateways' own report texts.
//!
//! m-FILTER (Digital Arts): the address, then "-------server message" with the reply and
//! "-------SMTP command" with the command.

use super::{helpers::bounce, Decoder};
use crate::smtp::address;
use crate::email::mime::Mail;
use crate::email::Bounce;
use crate::smtp::Command;

pub struct MFilter;

re!(re_mf_server, r"(?is)-+\s*server message\s*\n(.*?)(?:\n\s*-{3,}|\z)");
re!(re_mf_command, r"(?is)-+\s*SMTP command\s*\n\s*([A-Za-z ]+?)\s*(?:\n|\z)");

impl Decoder for MFilter {
    fn name(&self) -> &'static str {
        "m-filter"
    }

    fn detect(&self, mail: &Mail, report: &str) -> bool {
        mail.header("X-Mailer").is_some_and(|x| x.contains("m-FILTER")) || (re_mf_server().is_match(report) && report.contains("m-FILTER"))
    }

    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        let head = report.find("-------").map(|i| &report[..i]).unwrap_or(report);
        let recipients = address::all_in(head);
        let reply = re_mf_server().captures(report).map(|c| c[1].trim().to_string()).unwrap_or_default();
        let command = re_mf_command().captures(report).map(|c| c[1].trim().to_ascii_uppercase());
        recipients
            .into_iter()
            .map(|a| {
                let mut b = bounce(Some(a), reply.clone());
                b.smtp_command = command.as_deref().and_then(Command::parse);
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
    fn mfilter_server_message_and_command() {
        let raw = "From: POSTMASTER <postmaster@example.co.jp>\nSubject: failure notice\nX-Mailer: m-FILTER\n\na@example.co.jp\n\n-------server message\n550 5.1.1 <a@example.co.jp>: Recipient address rejected: User unknown\n\n-------SMTP command\nDATA\n\n-------original message\n";
        let mail = mime::parse(raw.as_bytes()).unwrap();
        let report = mail.body_text();
        assert!(MFilter.detect(&mail, &report));
        let b = MFilter.decode(&mail, &report);
        assert_eq!(b.len(), 1);
        assert!(b[0].diagnostic.starts_with("550 5.1.1"));
        assert_eq!(b[0].smtp_command, Some(crate::smtp::Command::Data));
    }
}
