//! Postfix's report text, read when there is no delivery-status part (old versions, and
//! reports forwarded or mangled on the way):
//!
//! ```text
//! This is the mail system at host mx.example.jp.
//! ...
//! <kijitora@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1
//!     <kijitora@example.org>: Recipient address rejected: User unknown (in reply to
//!     RCPT TO command)
//! ```
//!
//! Each recipient starts a line with `<address>:` (or `<address> (expanded from <alias>):`);
//! its indented lines continue it.

use super::{helpers::bounce, Decoder};
use crate::email::mime::Mail;
use crate::email::Bounce;
use crate::smtp::address;

pub struct Postfix;

re!(re_intro, r"(?im)^\s*this is the (postfix program|mail system) at host");
re!(re_rcpt, r"^<([^<>\s]+@[^<>\s]+)>(?:\s*\(expanded from\s*<([^<>\s]*)>\))?:\s*(.*)$");

impl Decoder for Postfix {
    fn name(&self) -> &'static str {
        "postfix"
    }

    fn detect(&self, _mail: &Mail, report: &str) -> bool {
        re_intro().is_match(report)
    }


    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        // Join the folded "(expanded from\n    <alias>):" lines first.
        let mut lines: Vec<String> = vec![];
        for l in report.lines() {
            let cont = (l.starts_with(' ') || l.starts_with('\t')) && !l.trim().is_empty();
            match lines.last_mut() {
                Some(last) if cont && last.starts_with('<') => {
                    last.push(' ');
                    last.push_str(l.trim());
                }
                _ => lines.push(l.to_string()),
            }
        }
        let mut out: Vec<Bounce> = vec![];
        for l in &lines {
            if let Some(c) = re_rcpt().captures(l) {
                let mut b = bounce(Some(address::normalize(&c[1])), c[3].to_string());
                b.original_recipient = c.get(2).filter(|m| m.as_str().contains('@')).map(|m| m.as_str().to_string());
                out.push(b);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::mime;

    #[test]
    fn recipient_lines_with_their_continuations() {
        let raw = "From: MAILER-DAEMON@example.jp\nSubject: Undelivered Mail Returned to Sender\n\nThis is the Postfix program at host mx.example.jp.\n\nFor further assistance, please contact <support@example.jp>\n\n<a@example.org> (expanded from\n    <alias@example.jp>): host mx.example.org[192.0.2.1] said: 550\n    <a@example.org>: User unknown (in reply to RCPT TO command)\n";
        let mail = mime::parse(raw.as_bytes()).unwrap();
        let b = Postfix.decode(&mail, &mail.body_text());
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].recipient.as_deref(), Some("a@example.org"));
        assert_eq!(b[0].original_recipient.as_deref(), Some("alias@example.jp"));
        assert!(b[0].diagnostic.contains("said: 550"));
    }
}
