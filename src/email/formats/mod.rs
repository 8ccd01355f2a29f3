//! Finding the failed recipients and their diagnostics in a bounce email.
//!
//! Order:
//! 1. a complaint report (ARF, RFC 5965, [`arf`]);
//! 2. the decoders of known layouts that read before the delivery-status part (a service's
//!    headers or notification format, a server's own sentences): one small type per layout
//!    behind the [`Decoder`] trait in `formats/<name>.rs`, in the order of `order.toml`; what
//!    they find is completed from the delivery-status part when there is one;
//! 3. the delivery-status part (RFC 3464), or its fields written in the text, with the
//!    human-readable text used where its diagnostic says nothing ([`delivery_status`]);
//! 4. the decoders of generic MTA layouts (Sendmail transcripts, Postfix, current Gmail), which
//!    only run without a delivery-status part;
//! 5. a bounce forwarded as text inside another message, decoded on its own ([`embedded`]);
//! 6. auto-replies (RFC 3834, [`auto_reply`]), then the [`generic`] reader, which pairs each
//!    recipient the report lists with the reply text next to it.
//!
//! Decoders extract; they do not decide causes, except formats that establish one (complaint
//! reports, opt-outs, auto-replies). To choose between a bare diagnostic and the report's human
//! text, the delivery-status reader asks the classifier whether a text carries a signal.

mod arf;
mod auto_reply;
mod delivery_status;
mod embedded;
mod generic;
pub mod helpers;

mod amazon_ses_json;
mod amazon_ses_text;
mod apache_james;
mod apple_unsubscribe;
mod domino;
mod dragonfly;
mod exchange2003;
mod exim;
mod ezweb;
mod fml;
mod gmail_current;
mod gmail_legacy;
mod google_groups;
mod imail_server;
mod interscan;
mod kddi_au_one;
mod mailfoundry;
mod mailmarshal;
mod messagelabs;
mod mfilter;
mod microsoft_jmrp;
mod lotus_notes;
mod opensmtpd;
mod postfix;
mod qmail;
mod sendmail;
mod trouble_delivering;
mod verizon;

pub use helpers::{recipient_line, report_text, returned_copy_start, text_about, TextIndex};

use super::mime::Mail;
use super::Bounce;
use serde::Deserialize;
use std::sync::LazyLock;

/// A decoder for one server's or service's report layout.
pub trait Decoder: Sync {
    /// Its name in `order.toml` (and in tests and debugging).
    fn name(&self) -> &'static str;
    /// Whether this email is in the decoder's layout. `report` is the body text before the
    /// returned copy; the whole email is in `mail`.
    fn detect(&self, mail: &Mail, report: &str) -> bool;
    /// The failed recipients. An empty result lets the next decoder try.
    fn decode(&self, mail: &Mail, report: &str) -> Vec<Bounce>;
}

/// Every decoder, in no particular order: `order.toml` says when each is tried.
static REGISTRY: &[&dyn Decoder] = &[
    &amazon_ses_json::AmazonSesJson,
    &amazon_ses_text::AmazonSesText,
    &apache_james::ApacheJames,
    &apple_unsubscribe::AppleUnsubscribe,
    &domino::Domino,
    &dragonfly::DragonFly,
    &exchange2003::Exchange2003,
    &exim::Exim,
    &ezweb::Ezweb,
    &fml::Fml,
    &gmail_current::GmailCurrent,
    &gmail_legacy::GmailLegacy,
    &google_groups::GoogleGroups,
    &imail_server::IMailServer,
    &interscan::InterScan,
    &kddi_au_one::KddiAuOne,
    &mailfoundry::MailFoundry,
    &mailmarshal::MailMarshal,
    &messagelabs::MessageLabs,
    &mfilter::MFilter,
    &microsoft_jmrp::MicrosoftJmrp,
    &lotus_notes::Notes,
    &opensmtpd::OpenSmtpd,
    &postfix::Postfix,
    &qmail::Qmail,
    &sendmail::Sendmail,
    &trouble_delivering::TroubleDelivering,
    &verizon::Verizon,
];

/// When a decoder is tried, relative to the delivery-status part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    BeforeDsn,
    AfterDsn,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrderEntry {
    name: String,
    stage: Stage,
    #[allow(dead_code)]
    why: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Order {
    decoder: Vec<OrderEntry>,
}

/// The decoders in the order of `order.toml`, with their stage. Checked by a test: every name
/// is a registered decoder and every decoder is listed once.
fn ordered() -> &'static [(&'static dyn Decoder, Stage)] {
    static O: LazyLock<Vec<(&'static dyn Decoder, Stage)>> = LazyLock::new(|| {
        let order: Order = toml::from_str(include_str!("order.toml")).expect("order.toml is checked by the test-suite");
        order
            .decoder
            .iter()
            .filter_map(|e| REGISTRY.iter().find(|d| d.name() == e.name).map(|d| (*d, e.stage)))
            .collect()
    });
    &O
}

fn in_stage(stage: Stage) -> impl Iterator<Item = &'static dyn Decoder> {
    ordered().iter().filter(move |(_, s)| *s == stage).map(|(d, _)| *d)
}

/// Finds the failed recipients of a bounce email.
pub fn decode(mail: &Mail) -> Vec<Bounce> {
    decode_named(mail).1
}

/// Finds the failed recipients and names the reader that found them (a decoder's name,
/// "arf", "delivery-status", "auto-reply" or "generic").
pub fn decode_named(mail: &Mail) -> (&'static str, Vec<Bounce>) {
    let (name, b) = decode_at(mail, 0);
    (name, with_reporting_mta(mail, &mail.body_text(), b))
}

/// Sets the reporting MTA where the decoder found none: the host the report names for itself
/// ("This is the mail system at host mx.example.jp", "the qmail-send program at ..."), else
/// the host that received the report first (the last `Received` header's "by").
fn with_reporting_mta(mail: &Mail, body: &str, mut bounces: Vec<Bounce>) -> Vec<Bounce> {
    if bounces.iter().all(|b| b.reporting_mta.is_some()) {
        return bounces;
    }
    re!(pub(crate) re_self, r"(?i)this is the\b[^\n]{0,60}?\b(?:program|agent|system|daemon|service)\b[^\n]{0,30}?\bat (?:host )?([A-Za-z0-9][\w-]*(?:\.[\w-]+)+)");
    re!(pub(crate) re_by, r"(?i)\bby\s+([A-Za-z0-9][\w-]*(?:\.[\w-]+)+)");
    let host = re_self()
        .captures(report_text(body))
        .map(|c| c[1].trim_end_matches('.').to_string())
        .or_else(|| mail.headers_named("Received").last().and_then(|r| re_by().captures(r)).map(|c| c[1].to_string()));
    if let Some(h) = host {
        for b in &mut bounces {
            b.reporting_mta.get_or_insert_with(|| h.clone());
        }
    }
    bounces
}

fn decode_at(mail: &Mail, depth: usize) -> (&'static str, Vec<Bounce>) {
    if let Some(b) = arf::arf(mail) {
        return ("arf", b);
    }
    let body = mail.body_text();
    let report = report_text(&body).to_string();
    let dsn = delivery_status::delivery_status(mail, &report).or_else(|| delivery_status::inline_dsn_fields(mail, &report));
    for d in in_stage(Stage::BeforeDsn) {
        if d.detect(mail, &report) {
            let b = d.decode(mail, &report);
            if !b.is_empty() {
                return (d.name(), complete_from_dsn(b, dsn.as_deref()));
            }
        }
    }
    if let Some(b) = dsn {
        return ("delivery-status", b);
    }
    for d in in_stage(Stage::AfterDsn) {
        if d.detect(mail, &report) {
            let b = d.decode(mail, &report);
            if !b.is_empty() {
                return (d.name(), b);
            }
        }
    }
    if depth == 0 {
        // A bounce forwarded as plain text inside another message: what it returned is what
        // the inner report carries.
        if let Some(inner) = embedded::embedded_report(&body) {
            let (name, mut b) = decode_at(&inner, depth + 1);
            if !b.is_empty() {
                let original = super::original_message(&inner);
                for x in &mut b {
                    x.original.get_or_insert_with(|| original.clone());
                }
                return (name, with_reporting_mta(&inner, &inner.body_text(), b));
            }
        }
    }
    if let Some(b) = auto_reply::auto_reply(mail, &body) {
        return ("auto-reply", b);
    }
    ("generic", generic::generic(mail, &report))
}

/// Fills what a decoder left empty from the delivery-status part about the same recipient
/// (or the only one).
fn complete_from_dsn(mut found: Vec<Bounce>, dsn: Option<&[Bounce]>) -> Vec<Bounce> {
    let Some(dsn) = dsn else { return found };
    let single = found.len() == 1 && dsn.len() == 1;
    for b in &mut found {
        let same = dsn.iter().find(|d| match (&b.recipient, &d.recipient) {
            (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
            _ => false,
        });
        let Some(d) = same.or(if single { dsn.first() } else { None }) else { continue };
        if b.recipient.is_none() {
            b.recipient = d.recipient.clone();
        }
        if b.diagnostic.trim().is_empty() {
            b.diagnostic = d.diagnostic.clone();
        }
        macro_rules! fill {
            ($($f:ident),*) => { $( if b.$f.is_none() { b.$f = d.$f.clone(); } )* };
        }
        fill!(original_recipient, status, dsn_action, remote_mta, reporting_mta, smtp_command, date);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_decoder_is_ordered_once() {
        let order: Order = toml::from_str(include_str!("order.toml")).unwrap();
        for e in &order.decoder {
            assert!(REGISTRY.iter().any(|d| d.name() == e.name), "order.toml names {}, which is no decoder", e.name);
        }
        for d in REGISTRY {
            assert_eq!(order.decoder.iter().filter(|e| e.name == d.name()).count(), 1, "decoder {} must be listed once in order.toml", d.name());
        }
        assert_eq!(ordered().len(), REGISTRY.len());
    }
}
