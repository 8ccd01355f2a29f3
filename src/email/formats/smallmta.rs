//! Plain-text reports of smaller MTAs, each recognised by its own sentences:
//!
//! * DragonFly Mail Agent: "There was an error delivering your mail to <addr>." then
//!   "host [ip] did not like our RCPT TO:" and the reply.
//! * OpenSMTPD: "An error has occurred while attempting to deliver a message for the
//!   following list of recipients:" then `addr: reason` lines.
//! * Ipswitch IMail Server (X-Mailer `<SMTP32 v...>`): `Reason: addr` lines, and the remote
//!   reply after "Body of message generated response:".
//! * Microsoft Exchange 2000/2003 (Internet Mail Service): "did not reach the following
//!   recipient(s):", then `addr on <date>` and the reason lines indented below.
//! * MailFoundry: "Unable to deliver message to: <addr>" and "Delivery failed for the following
//!   reason:".
//! * Apache James: the error above "Message details:", whose `RCPT TO:` lines name the
//!   recipients.
//! * An MTA writing "We had trouble delivering your message. Full details follow:" and
//!   "SMTP Server <host> rejected recipient <addr> (Error following RCPT command). It responded
//!   as follows: [550 ...]".
//! * fml (mailing list manager, `X-MLServer`): the list's refusal, naming the list address.

use super::{bounce, first_address, Decoder};
use crate::email::mime::Mail;
use crate::email::Bounce;

pub struct DragonFly;
pub struct OpenSmtpd;
pub struct IMailServer;
pub struct Exchange2003;
pub struct MailFoundry;
pub struct ApacheJames;
pub struct TroubleDelivering;
pub struct Fml;

re!(re_df_intro, r"(?im)^there was an error delivering your mail to <([^<>\s]+@[^<>\s]+)>\.?\s*$");
re!(re_df_host, r"(?im)^([A-Za-z0-9][\w.-]*)\s*(?:\[[^\]]*\])?\s*did not like our (final DATA|RCPT TO|MAIL FROM|DATA|EHLO|HELO|[A-Z ]+?):\s*$");
re!(re_os_intro, r"(?im)^\s*an error has occurred while attempting to deliver a message for\s+the following list of recipients:?\s*$");
re!(re_os_line, r"^\s*<?([^<>\s:]+@[^<>\s:]+?)>?:\s+(.+)$");
re!(re_imail_line, r"^(.{3,80}?):\s+<?([^<>\s]+@[^<>\s]+?)>?\s*$");
re!(re_imail_response, r"(?is)body of message generated response:\s*(.*)$");
re!(re_ex_intro, r"(?im)^\s*did not reach the following recipient\(?s\)?:\s*$");
re!(re_ex_rcpt, r"^\s{0,2}([^<>\s]+@[^<>\s]+?)\s+on\s+\S.*$");
re!(re_james_details, r"(?im)^\s*message details:\s*$");
re!(re_james_rcpt, r"(?im)^\s*RCPT TO:\s*<?([^<>\s]+@[^<>\s]+?)>?\s*$");
re!(re_trouble, r"(?im)^\s*we had trouble delivering your message\.");
re!(re_trouble_rcpt, r"(?i)SMTP Server <([^<>\s]+)> rejected recipient <([^<>\s]+@[^<>\s]+)>\s*(?:\(Error following ([A-Z]+) command\))?");
re!(re_trouble_list, r"(?i)the following recipients returned permanent errors:\s*(.+)$");
re!(re_mf, r"(?is)unable to deliver message to:\s*<?([^<>\s]+@[^<>\s]+?)>?\s*\n.*?delivery failed for the following reason:\s*(.*?)(?:\n\s*\n|\z)");

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
        let mut b = bounce(first_address(&c[1]), String::new());
        match re_df_host().captures(rest) {
            Some(h) => {
                b.remote_mta = Some(h[1].to_string());
                let cmd = h[2].to_ascii_uppercase();
                b.smtp_command = Some(if cmd.contains("DATA") { "DATA".into() } else if cmd.starts_with("RCPT") { "RCPT TO".into() } else if cmd.starts_with("MAIL") { "MAIL FROM".into() } else { cmd });
                b.diagnostic = rest[h.get(0).expect("match").end()..].trim().to_string();
            }
            None => b.diagnostic = rest.trim().to_string(),
        }
        vec![b]
    }
}

impl Decoder for OpenSmtpd {
    fn name(&self) -> &'static str {
        "opensmtpd"
    }

    fn detect(&self, _mail: &Mail, report: &str) -> bool {
        re_os_intro().is_match(report)
    }

    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        let Some(m) = re_os_intro().find(report) else { return vec![] };
        report[m.end()..]
            .lines()
            .filter_map(|l| re_os_line().captures(l))
            .map(|c| bounce(first_address(&c[1]), c[2].trim().to_string()))
            .collect()
    }
}

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
                out.push(bounce(first_address(&c[2]), diag));
            }
        }
        out
    }
}

impl Decoder for Exchange2003 {
    fn name(&self) -> &'static str {
        "exchange2003"
    }

    fn detect(&self, _mail: &Mail, report: &str) -> bool {
        re_ex_intro().is_match(report)
    }

    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        let Some(m) = re_ex_intro().find(report) else { return vec![] };
        let blocks = super::recipient_blocks(&report[m.end()..], |l| {
            re_ex_rcpt().captures(l).and_then(|c| first_address(&c[1])).map(|a| (a, String::new()))
        });
        blocks.into_iter().map(|(a, text)| bounce(Some(a), text)).collect()
    }
}

impl Decoder for MailFoundry {
    fn name(&self) -> &'static str {
        "mailfoundry"
    }

    fn detect(&self, _mail: &Mail, report: &str) -> bool {
        re_mf().is_match(report)
    }

    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        let Some(c) = re_mf().captures(report) else { return vec![] };
        let mut b = bounce(first_address(&c[1]), c[2].trim().to_string());
        re!(re_server, r"(?i)server\s+([A-Za-z0-9][\w.-]*)\s*\[");
        b.remote_mta = re_server().captures(&c[2]).map(|s| s[1].to_string());
        vec![b]
    }
}

impl Decoder for ApacheJames {
    fn name(&self) -> &'static str {
        "apache-james"
    }

    fn detect(&self, mail: &Mail, report: &str) -> bool {
        let james = mail.subject().trim() == "[BOUNCE]"
            || mail.header("Message-ID").is_some_and(|m| m.contains(".JavaMail."))
            || mail.headers_named("Received").any(|r| r.contains("JAMES SMTP Server"));
        james && re_james_details().is_match(report)
    }

    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        let Some(m) = re_james_details().find(report) else { return vec![] };
        let error = report[..m.start()].lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n");
        re_james_rcpt()
            .captures_iter(&report[m.end()..])
            .map(|c| bounce(first_address(&c[1]), error.clone()))
            .collect()
    }
}

impl Decoder for TroubleDelivering {
    fn name(&self) -> &'static str {
        "trouble-delivering"
    }

    fn detect(&self, _mail: &Mail, report: &str) -> bool {
        re_trouble().is_match(report)
    }

    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        // A recipient's text runs from its "SMTP Server <...> rejected recipient" line to the next.
        let mut out: Vec<Bounce> = vec![];
        for line in report.lines() {
            if let Some(c) = re_trouble_rcpt().captures(line) {
                let mut b = bounce(first_address(&c[2]), line.trim().to_string());
                b.remote_mta = Some(c[1].to_string());
                b.smtp_command = c.get(3).map(|m| if m.as_str().eq_ignore_ascii_case("RCPT") { "RCPT TO".to_string() } else { m.as_str().to_ascii_uppercase() });
                out.push(b);
            } else if let Some(c) = re_trouble_list().captures(line) {
                for a in super::addresses(&c[1]) {
                    if !out.iter().any(|b| b.recipient.as_deref() == Some(a.as_str())) {
                        out.push(bounce(Some(a), line.trim().to_string()));
                    }
                }
            } else if let Some(b) = out.last_mut() {
                if !line.trim().is_empty() {
                    b.diagnostic.push('\n');
                    b.diagnostic.push_str(line.trim());
                }
            }
        }
        // "It responded as follows: [550 5.1.1 User unknown]": the reply first.
        re!(re_responded, r"(?is)responded as follows:\s*\[?(.*?)\]?\s*$");
        for b in &mut out {
            if let Some(c) = re_responded().captures(&b.diagnostic) {
                b.diagnostic = format!("{}\n{}", c[1].trim(), b.diagnostic);
            }
        }
        out
    }
}

impl Decoder for Fml {
    fn name(&self) -> &'static str {
        "fml"
    }

    fn detect(&self, mail: &Mail, _report: &str) -> bool {
        mail.header("X-MLServer").is_some() && mail.from().contains("-admin@")
    }

    fn decode(&self, mail: &Mail, report: &str) -> Vec<Bounce> {
        re!(re_bracketed, r"<([^<>\s]+@[^<>\s]+)>");
        let text = report.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n");
        let Some(c) = re_bracketed().captures(&text) else { return vec![] };
        vec![bounce(first_address(&c[1]), format!("{}\n{}", mail.subject().trim(), text))]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::mime;

    fn run(d: &dyn Decoder, raw: &str) -> Vec<Bounce> {
        let mail = mime::parse(raw.as_bytes()).unwrap();
        let body = mail.body_text();
        let report = super::super::report_text(&body).to_string();
        assert!(d.detect(&mail, &report), "{} did not detect", d.name());
        d.decode(&mail, &report)
    }

    #[test]
    fn dragonfly_command_and_host() {
        let b = run(&DragonFly, "From: MAILER-DAEMON <>\nSubject: Mail delivery failed\n\nThis is the DragonFly Mail Agent v0.13 at df.example.jp.\n\nThere was an error delivering your mail to <a@example.org>.\n\nmx.example.org [192.0.2.25] did not like our RCPT TO:\n550 5.1.1 <a@example.org>: Recipient address rejected: User unknown\n\nOriginal message follows.\n");
        assert_eq!(b[0].recipient.as_deref(), Some("a@example.org"));
        assert_eq!(b[0].smtp_command.as_deref(), Some("RCPT TO"));
        assert_eq!(b[0].remote_mta.as_deref(), Some("mx.example.org"));
        assert!(b[0].diagnostic.starts_with("550 5.1.1"));
    }

    #[test]
    fn opensmtpd_lines() {
        let b = run(&OpenSmtpd, "From: MAILER-DAEMON@example.jp\nSubject: Delivery status notification: error\n\n    Hi!\n\n    This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.\n\n    An error has occurred while attempting to deliver a message for\n    the following list of recipients:\n\na@example.co.jp: Envelope expired\n\n    Below is a copy of the original message:\n");
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].diagnostic, "Envelope expired");
    }

    #[test]
    fn imail_reason_lines() {
        let b = run(&IMailServer, "From: Postmaster <postmaster@example.co.jp>\nSubject: Undeliverable Mail\nX-Mailer: <SMTP32 v8.22>\n\nUser mailbox exceeds allowed size: a@example.co.jp\n\nOriginal message follows.\n");
        assert_eq!(b[0].recipient.as_deref(), Some("a@example.co.jp"));
        assert_eq!(b[0].diagnostic, "User mailbox exceeds allowed size");
    }

    #[test]
    fn exchange2003_recipient_and_reason() {
        let b = run(&Exchange2003, "From: System Administrator <postmaster@example.jp>\nSubject: Undeliverable: Hi\n\nYour message\n\n  To:      a@example.jp\n  Subject: Hi\n\ndid not reach the following recipient(s):\n\na@example.jp on Thu, 29 Apr 2010 00:00:00 -0000\n    The recipient name is not recognized\n    MSEXCH:IMS:NNN:X:Y 0 (000C05A6)\n");
        assert_eq!(b[0].recipient.as_deref(), Some("a@example.jp"));
        assert!(b[0].diagnostic.contains("recipient name is not recognized"));
    }

    #[test]
    fn apache_james_message_details() {
        let b = run(&ApacheJames, "From: postmaster@example.org\nSubject: [BOUNCE]\nMessage-ID: <1.JavaMail.root@example.org>\n\nHi. This is the James mail server at mx.example.org.\nI'm afraid I wasn't able to deliver your message to the following addresses.\n\nError message below:\n550 - Requested action not taken: no such user here\n\nMessage details:\n  Subject: Hi\n  MAIL FROM: me@example.jp\n  RCPT TO: a@example.org\n");
        assert_eq!(b[0].recipient.as_deref(), Some("a@example.org"));
        assert!(b[0].diagnostic.contains("550 - Requested action not taken: no such user here"));
    }

    #[test]
    fn trouble_delivering_layout() {
        let b = run(&TroubleDelivering, "From: postmaster@example.jp\nSubject: There was an error sending your mail\n\nWe had trouble delivering your message. Full details follow:\n\nSubject: 'Hi'\n\n1 error(s):\n\nSMTP Server <mta2.example.jp> rejected recipient <a@example.jp> (Error following RCPT command). It responded as follows: [550 5.1.1 User unknown]\n");
        assert_eq!(b[0].recipient.as_deref(), Some("a@example.jp"));
        assert_eq!(b[0].remote_mta.as_deref(), Some("mta2.example.jp"));
        assert_eq!(b[0].smtp_command.as_deref(), Some("RCPT TO"));
        assert!(b[0].diagnostic.starts_with("550 5.1.1 User unknown"));
    }

    #[test]
    fn fml_list_refusal() {
        let b = run(&Fml, "From: list-admin@example.org\nSubject: NOT MEMBER article from me@example.jp\nX-MLServer: fml [fml 8.0]\n\nYou are not a member of this mailing list <list@example.org>.\n");
        assert_eq!(b[0].recipient.as_deref(), Some("list@example.org"));
    }

    #[test]
    fn mailfoundry_reason() {
        let b = run(&MailFoundry, "From: MAILER-DAEMON@example.org\nSubject: Message delivery has failed\n\nUnable to deliver message to: <a@example.org>\nDelivery failed for the following reason:\nServer mx.example.org[192.0.2.222] failed with: 550 <a@example.org> No such user here\n\nThis has been a permanent failure.\n");
        assert_eq!(b[0].remote_mta.as_deref(), Some("mx.example.org"));
        assert!(b[0].diagnostic.contains("550 <a@example.org> No such user here"));
    }
}
