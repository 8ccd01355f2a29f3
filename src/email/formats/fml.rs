//! Plain-text reports of smaller MTAs, each recognised by its own sentences.
//!
//! fml (mailing list manager, `X-MLServer`): the list's refusal, naming the list address.

use super::{helpers::bounce, Decoder};
use crate::smtp::address;
use crate::email::mime::Mail;
use crate::email::Bounce;

pub struct Fml;


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
        vec![bounce(address::first_in(&c[1]), format!("{}\n{}", mail.subject().trim(), text))]
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
    fn fml_list_refusal() {
        let b = run(&Fml, "From: list-admin@example.org\nSubject: NOT MEMBER article from me@example.jp\nX-MLServer: fml [fml 8.0]\n\nYou are not a member of this mailing list <list@example.org>.\n");
        assert_eq!(b[0].recipient.as_deref(), Some("list@example.org"));
    }
}
