//! Plain-text reports of smaller MTAs, each recognised by its own sentences.
//!
//! DragonFly Mail Agent: "There was an error delivering your mail to <addr>." then "host [ip] did
//! not like our RCPT TO:" and the reply.

use super::{helpers::bounce, Decoder};
use crate::smtp::address;
use crate::email::mime::Mail;
use crate::email::Bounce;
use crate::smtp::Command;

pub struct DragonFly;

re!(re_df_intro, r"(?im)^there was an error delivering your mail to <([^<>\s]+@[^<>\s]+)>\.?\s*$");
re!(re_df_host, r"(?im)^([A-Za-z0-9][\w.-]*)\s*(?:\[[^\]]*\])?\s*did not like our (final DATA|RCPT TO|MAIL FROM|DATA|EHLO|HELO|[A-Z ]+?):\s*$");

impl Decoder for DragonFly {
    fn name(&self) -> &'static str {
        "dragonfly"
    }

    fn detect(&self, _mail: &Mail, report: &str) -> bool {
        re_df_intro().is_match(report)
    }

    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        let Some(c) = re_df_intro().captures(report) else { return vec![] };
        let rest = &report[c.get(0).expect("match").end()..];
        let mut b = bounce(address::first_in(&c[1]), String::new());
        match re_df_host().captures(rest) {
            Some(h) => {
                b.remote_mta = Some(h[1].to_string());
                b.smtp_command = Command::parse(&h[2]);
                b.diagnostic = rest[h.get(0).expect("match").end()..].trim().to_string();
            }
            None => b.diagnostic = rest.trim().to_string(),
        }
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
    fn dragonfly_command_and_host() {
        let b = run(&DragonFly, "From: MAILER-DAEMON <>\nSubject: Mail delivery failed\n\nThis is the DragonFly Mail Agent v0.13 at df.example.jp.\n\nThere was an error delivering your mail to <a@example.org>.\n\nmx.example.org [192.0.2.25] did not like our RCPT TO:\n550 5.1.1 <a@example.org>: Recipient address rejected: User unknown\n\nOriginal message follows.\n");
        assert_eq!(b[0].recipient.as_deref(), Some("a@example.org"));
        assert_eq!(b[0].smtp_command, Some(crate::smtp::Command::RcptTo));
        assert_eq!(b[0].remote_mta.as_deref(), Some("mx.example.org"));
        assert!(b[0].diagnostic.starts_with("550 5.1.1"));
    }
}
