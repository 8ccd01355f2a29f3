//! Japanese mobile carriers' own reports.
//!
//! au one net (KDDI, dion.ne.jp): "Could not be delivered to: <address>" and the reason ("As
//! their mailbox is full.") below it.

use super::{helpers::bounce, Decoder};
use crate::smtp::address;
use crate::email::mime::Mail;
use crate::email::Bounce;

pub struct KddiAuOne;

re!(re_kddi, r"(?im)^\s*could not be delivered to:\s*<?([^<>\s]+@[^<>\s]+)>?\s*$");

impl Decoder for KddiAuOne {
    fn name(&self) -> &'static str {
        "kddi-auone"
    }

    fn detect(&self, mail: &Mail, report: &str) -> bool {
        let from = mail.from().to_ascii_lowercase();
        (from.contains(".dion.ne.jp") || from.contains("auone-net.jp") || from.contains("@au.com")) && re_kddi().is_match(report)
    }

    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        let mut out = vec![];
        let caps: Vec<_> = re_kddi().captures_iter(report).collect();
        for (i, c) in caps.iter().enumerate() {
            let whole = c.get(0).expect("match");
            let end = caps.get(i + 1).map(|n| n.get(0).expect("match").start()).unwrap_or(report.len());
            let reason = report[whole.end()..end].lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
            out.push(bounce(address::first_in(&c[1]), reason));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::mime;

    #[test]
    fn au_one_net_reason_below_the_address() {
        let raw = "From: no-reply@x.dion.ne.jp\nSubject: mail error\nContent-Type: text/plain\n\nYour mail sent on: Thu, 29 Apr 2013 23:45:22 +0900\n\n     Could not be delivered to: <a@x.dion.ne.jp>\n     As their mailbox is full.\n";
        let mail = mime::parse(raw.as_bytes()).unwrap();
        let report = mail.body_text();
        assert!(KddiAuOne.detect(&mail, &report));
        let b = KddiAuOne.decode(&mail, &report);
        assert_eq!(b[0].recipient.as_deref(), Some("a@x.dion.ne.jp"));
        assert_eq!(b[0].diagnostic, "As their mailbox is full.");
    }
}
