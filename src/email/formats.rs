//! Finding the failed recipients and their diagnostics in a bounce email.
//!
//! Order:
//! 1. a complaint report (ARF, RFC 5965);
//! 2. the decoders of [`DECODERS`] that know a service or server by its headers or its own
//!    sentences (Amazon SES, Google, Exim, qmail, Japanese carriers, gateways...), one small type
//!    each behind the [`Decoder`] trait in `formats/<name>.rs`; what they find is completed from
//!    the delivery-status part when there is one;
//! 3. the delivery-status part (RFC 3464), or its fields written in the text, with the
//!    human-readable text used where its diagnostic says nothing;
//! 4. the decoders of generic MTA layouts (Sendmail transcripts, Postfix, current Gmail), which
//!    only run without a delivery-status part;
//! 5. a bounce forwarded as text inside another message, decoded on its own;
//! 6. auto-replies (RFC 3834), then a generic reader that pairs each recipient the report lists
//!    with the reply text next to it.
//!
//! Decoders extract; they do not decide causes, except formats that establish one (complaints).

use super::mime::Mail;
use super::{dsn, normalize_address, Bounce};
use crate::classify::extract;
use crate::model::Category;
use regex::Regex;

/// A decoder for one server's or service's report layout.
pub trait Decoder: Sync {
    /// A short name (shown in tests and debugging).
    fn name(&self) -> &'static str;
    /// Whether this email is in the decoder's layout. `report` is the body text before the
    /// returned copy; the whole email is in `mail`.
    fn detect(&self, mail: &Mail, report: &str) -> bool;
    /// The failed recipients. An empty result lets the next decoder try.
    fn decode(&self, mail: &Mail, report: &str) -> Vec<Bounce>;
    /// Whether the layout is only a fallback for emails without a delivery-status part
    /// (generic MTA texts): the structured part, when present, is read first. Decoders of
    /// services whose text says more than their delivery-status part run before it, and what
    /// they find is completed from that part.
    fn after_dsn(&self) -> bool {
        false
    }
}

re!(pub(crate) re_address, r"(?i)[a-z0-9!#$%&'*+/=?^_`{|}~.-]+@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}|[a-z0-9!#$%&'*+/=?^_`{|}~.-]+@\[[0-9.]+\]");
re!(
    pub(crate) re_copy_marker,
    r"(?im)^[ \t]*(?:-{2,}|={2,}|\*{2,}|_{2,})?[ \t]*(?:this is a copy of (?:the |your )(?:original )?message|below (?:this|the next) line is a copy of the (?:message|mail header)|below is a copy of the original message|original mail as follows|the header of the original message is following|message headers follow|-{3,} ?original message ?-{3,}|enclosed is a copy of the message|mensaje original adjunto|original message (?:follows|headers? follows?)|the original message (?:was|is) (?:included|attached|enclosed|below|as follows|follows)|the original message headers? (?:is|are|was|were)|original message header|message header follows|returned message|undelivered message (?:headers )?follows|here is a copy of the (?:first part of the )?message|the text you sent follows|unsent message below|copy of the message follows|end of message|-+ ?message headers? ?-+|original message:|text of the message follows|received (?:headers|message) follows|start of returned message|the headers of the original message)[^\n]*$|^content-type:\s*(?:message/rfc822|text/rfc822-headers)"
);
re!(pub(crate) re_auto_subject, r"(?i)^(auto(matic)?[ -]?(reply|response|antwort|respuesta|réponse)|out of (the )?office|abwesenheit|vacation|away from|absence|autoreply|i am away|on leave)");

/// Where the copy of the returned message begins in a report's text, if it is inlined: after
/// a line announcing it, or at its header block.
pub fn returned_copy_start(body: &str) -> Option<usize> {
    let marker = re_copy_marker().find(body).map(|m| {
        let end = m.end();
        body[end..].find('\n').map(|n| end + n + 1).unwrap_or(body.len())
    });
    let block = header_block_start(body);
    match (marker, block) {
        (Some(m), Some(b)) => Some(m.min(b)),
        (m, b) => m.or(b),
    }
}

/// The report part of a body: the text before the returned copy.
pub fn report_text(body: &str) -> &str {
    let marker = re_copy_marker().find(body).map(|m| m.start());
    let block = header_block_start(body);
    let cut = match (marker, block) {
        (Some(m), Some(b)) => Some(m.min(b)),
        (m, b) => m.or(b),
    };
    match cut {
        Some(c) => &body[..c],
        None => body,
    }
}

/// Header names that show a block of lines is a copied message header, not report text.
const COPY_HEADER_NAMES: &[&str] = &[
    "received", "return-path", "from", "to", "subject", "date", "message-id", "mime-version", "content-type",
    "content-transfer-encoding", "x-mailer", "user-agent", "reply-to", "cc", "delivered-to", "dkim-signature",
    "x-original-to", "references", "in-reply-to", "sender", "x-received", "authentication-results",
];

/// The start of the first run of unindented `Name: value` lines (folded lines allowed) that
/// holds at least two common message header names: a copy of the returned message's header.
fn header_block_start(body: &str) -> Option<usize> {
    let mut run_start: Option<usize> = None;
    let mut known = 0usize;
    let mut fields = 0usize;
    let mut pos = 0usize;
    for line in body.split_inclusive('\n') {
        let start = pos;
        pos += line.len();
        let l = line.trim_end_matches(['\r', '\n']);
        if run_start.is_some() && (l.starts_with(' ') || l.starts_with('\t')) && !l.trim().is_empty() {
            continue;
        }
        let field = l.split_once(':').map(|(n, _)| n).filter(|n| {
            !n.is_empty() && n.len() <= 76 && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
        match field {
            Some(name) => {
                if run_start.is_none() {
                    run_start = Some(start);
                    known = 0;
                    fields = 0;
                }
                fields += 1;
                if COPY_HEADER_NAMES.iter().any(|k| k.eq_ignore_ascii_case(name)) {
                    known += 1;
                }
                if known >= 2 && fields >= 3 {
                    return run_start;
                }
            }
            None => run_start = None,
        }
    }
    None
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
    if let Some(b) = arf(mail) {
        return ("arf", b);
    }
    let body = mail.body_text();
    let report = report_text(&body).to_string();
    let dsn = delivery_status(mail, &report).or_else(|| inline_dsn_fields(mail, &report));
    for d in DECODERS.iter().filter(|d| !d.after_dsn()) {
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
    for d in DECODERS.iter().filter(|d| d.after_dsn()) {
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
        if let Some(inner) = embedded_report(&body) {
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
    if let Some(b) = auto_reply(mail, &body) {
        return ("auto-reply", b);
    }
    ("generic", generic(mail, &report))
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

mod amazon_ses;
mod complaints;
mod exim;
mod gateways;
mod google;
mod japan;
mod notes;
mod postfix;
mod qmail;
mod sendmail;
mod smallmta;
mod verizon;

/// The decoders of known layouts, tried in order: first those whose detection is certain
/// (a service's headers or notification format), then the MTA layouts recognised by their
/// wording.
pub static DECODERS: &[&dyn Decoder] = &[
    &complaints::MicrosoftJmrp,
    &complaints::AppleUnsubscribe,
    &amazon_ses::AmazonSesJson,
    &amazon_ses::AmazonSesText,
    &google::GoogleGroups,
    &google::GmailLegacy,
    &japan::Ezweb,
    &japan::KddiAuOne,
    &verizon::Verizon,
    &gateways::MailMarshal,
    &gateways::MessageLabs,
    &notes::Notes,
    &notes::Domino,
    &gateways::InterScan,
    &gateways::MFilter,
    &smallmta::DragonFly,
    &smallmta::OpenSmtpd,
    &smallmta::IMailServer,
    &smallmta::Exchange2003,
    &smallmta::MailFoundry,
    &smallmta::ApacheJames,
    &smallmta::TroubleDelivering,
    &smallmta::Fml,
    &exim::Exim,
    &qmail::Qmail,
    &postfix::Postfix,
    &sendmail::Sendmail,
    &google::GmailCurrent,
];

// --- Helpers shared by the decoders ---------------------------------------------------------

/// The first email address in a text, normalised.
pub fn first_address(text: &str) -> Option<String> {
    re_address().find(text).map(|m| normalize_address(m.as_str()))
}

/// Every distinct email address in a text, in order, normalised.
pub fn addresses(text: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for m in re_address().find_iter(text) {
        let a = normalize_address(m.as_str());
        if !out.iter().any(|x| x.eq_ignore_ascii_case(&a)) {
            out.push(a);
        }
    }
    out
}

/// The text after the first match of `marker` (from the next line), if it matches.
pub fn after<'a>(text: &'a str, marker: &Regex) -> Option<&'a str> {
    let m = marker.find(text)?;
    let rest = &text[m.end()..];
    Some(match rest.find('\n') {
        Some(n) => &rest[n + 1..],
        None => "",
    })
}

/// The text before the first match of `marker`, or all of it.
pub fn before<'a>(text: &'a str, marker: &Regex) -> &'a str {
    match marker.find(text) {
        Some(m) => &text[..m.start()],
        None => text,
    }
}

/// A line that names a recipient on its own, as most plain-text reports list them:
/// `addr`, `<addr>`, `"addr":`, `addr <addr>`, `>>> addr`, `addr [reason]` or `<addr>: reason`.
/// Returns the address and what follows it on the line.
pub fn recipient_line(line: &str) -> Option<(String, String)> {
    let t = line.trim().trim_start_matches(">>>").trim_start();
    let m = re_address().find(t)?;
    let head = &t[..m.start()];
    if !head.chars().all(|c| matches!(c, '<' | '"' | '\'' | '(' | '[' | ' ')) {
        return None;
    }
    let addr = normalize_address(m.as_str());
    let mut rest = t[m.end()..].trim_start_matches(['>', '"', '\'', ')', ']']).trim_start();
    // "addr <addr>": the same address twice.
    if let Some(r) = rest.strip_prefix('<') {
        if let Some((inner, after)) = r.split_once('>') {
            if re_address().is_match(inner) {
                rest = after.trim_start();
            }
        }
    }
    let rest = rest.trim_start_matches(':').trim();
    Some((addr, rest.to_string()))
}

/// Splits a report into one block per recipient: a line accepted by `is_recipient` opens a
/// block (with what follows the address on that line), the lines after it belong to it until
/// the next one. Lines before the first recipient are dropped. Blocks of the same address
/// are joined.
pub fn recipient_blocks(text: &str, is_recipient: impl Fn(&str) -> Option<(String, String)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = vec![];
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut current: Option<usize> = None;
    for line in text.lines() {
        if let Some((addr, rest)) = is_recipient(line) {
            let idx = *index.entry(addr.to_ascii_lowercase()).or_insert_with(|| {
                out.push((addr, String::new()));
                out.len() - 1
            });
            if !rest.is_empty() {
                push_line(&mut out[idx].1, &rest);
            }
            current = Some(idx);
            continue;
        }
        if let Some(i) = current {
            push_line(&mut out[i].1, line);
        }
    }
    for (_, t) in &mut out {
        *t = t.trim().to_string();
    }
    out
}

fn push_line(buf: &mut String, line: &str) {
    buf.push_str(line);
    buf.push('\n');
}

/// Joins the lines of a text into one (trimmed, single spaces), keeping SMTP reply lines as
/// lines so the code finder sees where each reply starts.
pub fn one_line(text: &str) -> String {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

/// A bounce for a recipient with a diagnostic.
pub fn bounce(recipient: Option<String>, diagnostic: impl Into<String>) -> Bounce {
    Bounce { recipient, diagnostic: diagnostic.into(), ..Default::default() }
}

/// Whether any of the email's senders (From, Return-Path) or the first Received hop names a
/// host or address matching the pattern.
pub fn sent_by(mail: &Mail, pattern: &Regex) -> bool {
    mail.headers_named("From").any(|v| pattern.is_match(v))
        || mail.headers_named("Received").next().is_some_and(|v| pattern.is_match(v))
}

/// A bounce forwarded inline as text: a header block of a delivery report (sent by a mail
/// system, or of type multipart/report) inside the body, parsed as an email of its own.
fn embedded_report(body: &str) -> Option<Mail> {
    re!(pub(crate) re_embedded, r"(?im)^(?:From:[^\n]*(?:mailer-daemon|postmaster|mail delivery)|Content-Type:\s*multipart/report)");
    let m = re_embedded().find(body)?;
    // Back up to the start of the header block that holds the line.
    let mut start = m.start();
    while start > 0 {
        let prev_end = start - 1; // the newline ending the previous line
        let prev_start = body[..prev_end].rfind('\n').map(|i| i + 1).unwrap_or(0);
        let line = body[prev_start..prev_end].trim_end_matches('\r');
        let is_field = line.split_once(':').is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
        if line.trim().is_empty() || !(is_field || line.starts_with(' ') || line.starts_with('\t')) {
            break;
        }
        start = prev_start;
    }
    let inner = super::mime::parse(&body.as_bytes()[start..])?;
    re!(pub(crate) re_system_from, r"(?i)mailer-daemon|postmaster|mail delivery|mail administrator");
    re!(pub(crate) re_bounce_subject, r"(?i)undeliver|returned mail|delivery (status|failure|has failed|notification)|failure notice|mail delivery failed|non-?delivery|delivery problem");
    let from_system = inner.header("From").is_some_and(|f| re_system_from().is_match(f));
    let is_report = inner.header("Content-Type").is_some_and(|c| c.to_ascii_lowercase().contains("multipart/report"))
        || re_bounce_subject().is_match(inner.subject());
    if !(from_system && is_report) {
        return None;
    }
    Some(inner)
}

// --- RFC 5965 complaint reports ------------------------------------------------------------

fn arf(mail: &Mail) -> Option<Vec<Bounce>> {
    let part = mail.parts_of("message/feedback-report").next()?;
    let fields = header_fields(&part.text);
    let get = |n: &str| fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v.clone());
    let feedback_type = get("Feedback-Type").map(|s| s.to_ascii_lowercase());
    let original = mail.returned();
    let mut recipients: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("Original-Rcpt-To") || k.eq_ignore_ascii_case("Removal-Recipient"))
        .map(|(_, v)| normalize_address(v))
        .collect();
    if recipients.is_empty() {
        if let Some(to) = original.and_then(|m| m.header("To")) {
            recipients.extend(re_address().find_iter(to).map(|m| normalize_address(m.as_str())));
        }
    }
    if recipients.is_empty() {
        recipients.push(String::new());
    }
    let diagnostic = format!(
        "Feedback report: {}{}",
        feedback_type.clone().unwrap_or_else(|| "abuse".into()),
        get("User-Agent").map(|u| format!(" ({u})")).unwrap_or_default()
    );
    Some(
        recipients
            .into_iter()
            .map(|r| Bounce {
                recipient: if r.is_empty() { None } else { Some(r) },
                diagnostic: diagnostic.clone(),
                reporting_mta: get("Reporting-MTA").map(|v| dsn::typed_value(&v).to_string()),
                date: get("Arrival-Date").or_else(|| get("Received-Date")),
                feedback_type: feedback_type.clone(),
                category: Some(Category::Complaint),
                ..Default::default()
            })
            .collect(),
    )
}

fn header_fields(text: &str) -> Vec<(String, String)> {
    let unfolded = extract::unfold(&text.replace("\r\n", "\n"));
    unfolded
        .lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .map(|(n, v)| (n.to_string(), v.trim().to_string()))
        .collect()
}

// --- RFC 3464 delivery status ----------------------------------------------------------------

fn delivery_status(mail: &Mail, report: &str) -> Option<Vec<Bounce>> {
    let part = mail
        .parts
        .iter()
        .find(|p| p.content_type == "message/delivery-status" || p.content_type == "message/global-delivery-status")?;
    dsn_bounces(mail, dsn::parse(&part.text), report)
}

/// The bounces of a delivery-status report, with the human-readable text used where the
/// report's own diagnostic says nothing.
fn dsn_bounces(mail: &Mail, r: dsn::Report, report: &str) -> Option<Vec<Bounce>> {
    if r.recipients.is_empty() {
        return None;
    }
    let text_recipients = || recipients_in(mail, report);
    let index = std::cell::OnceCell::new();
    let coded = std::cell::OnceCell::new();
    let mut out = vec![];
    for rc in &r.recipients {
        let mut recipient = rc.final_recipient.clone().or_else(|| rc.original_recipient.clone()).map(|a| normalize_address(&a));
        // A malformed Final-Recipient ("@host", a program): the address the text names.
        if recipient.as_deref().is_none_or(|a| !re_address().is_match(a)) && r.recipients.len() == 1 {
            if let Some(a) = text_recipients().into_iter().next() {
                recipient = Some(a);
            }
        }
        let mut diagnostic = rc.diagnostic_code.clone().unwrap_or_default();
        // "Status: 4.0.0 (cat.example.net: host name lookup failure)": the comment explains.
        if diagnostic.trim().is_empty() {
            if let Some((_, comment)) = rc.status.as_deref().and_then(|st| st.split_once('(')) {
                diagnostic = comment.trim_end().trim_end_matches(')').trim().to_string();
            }
        }
        // The human-readable part often says more than a bare or missing Diagnostic-Code.
        if !has_signal(&diagnostic) {
            let index = index.get_or_init(|| TextIndex::new(report));
            if let Some(t) = recipient.as_deref().and_then(|a| index.about(a)) {
                diagnostic = if diagnostic.trim().is_empty() { t } else { format!("{diagnostic} {t}") };
            } else if let Some(t) = coded.get_or_init(|| coded_lines(report)).clone() {
                diagnostic = if diagnostic.trim().is_empty() { t } else { format!("{diagnostic} {t}") };
            }
        }
        out.push(Bounce {
            recipient,
            original_recipient: rc.original_recipient.clone(),
            diagnostic,
            status: rc.status.clone(),
            dsn_action: rc.action.clone(),
            remote_mta: rc.remote_mta.clone(),
            reporting_mta: r.reporting_mta.clone(),
            smtp_command: None,
            date: rc.last_attempt_date.clone().or_else(|| r.arrival_date.clone()),
            ..Default::default()
        });
    }
    Some(out)
}

/// Whether a diagnostic carries a code or recognisable wording.
fn has_signal(diagnostic: &str) -> bool {
    let c = extract::clean(diagnostic);
    if c.text.trim().is_empty() {
        return false;
    }
    let codes = extract::find_codes(&c.text);
    if codes.reply.is_some() {
        return true;
    }
    let v = crate::classify::Classifier::get().classify_cleaned(&c, &Default::default());
    v.category != Category::Unknown && v.decided_by.as_deref().is_some_and(|d| d.starts_with("rule:"))
}

// --- Delivery-status fields written into the text -------------------------------------------

/// Delivery-status fields written in the text (a report whose MIME structure was lost, or a
/// server that writes them inline): read like a delivery-status part, with the text before
/// them as the human-readable part.
fn inline_dsn_fields(mail: &Mail, report: &str) -> Option<Vec<Bounce>> {
    re!(pub(crate) re_field, r"(?im)^(final-recipient|diagnostic-code|original-recipient)\s*:");
    let first = re_field().find(report)?;
    let lower = report.to_ascii_lowercase();
    let start = lower.find("reporting-mta:").filter(|&i| i < first.start()).unwrap_or(first.start());
    let start = report[..start].rfind('\n').map(|i| i + 1).unwrap_or(0).min(start);
    dsn_bounces(mail, dsn::parse(&report[start..]), &report[..start])
}

// --- RFC 3834 auto-replies ------------------------------------------------------------------

fn auto_reply(mail: &Mail, body: &str) -> Option<Vec<Bounce>> {
    let auto = mail.header("Auto-Submitted").map(|v| v.to_ascii_lowercase());
    let replied = auto.as_deref().is_some_and(|v| v.starts_with("auto-replied"));
    let x_auto = mail.header("X-Autoreply").is_some() || mail.header("X-Autorespond").is_some() || mail.header("X-Auto-Response-Suppress").is_some() && re_auto_subject().is_match(mail.subject());
    let subject_says = re_auto_subject().is_match(mail.subject().trim());
    let from_daemon = mail.from().to_ascii_lowercase().contains("mailer-daemon") || mail.from().to_ascii_lowercase().contains("postmaster");
    if from_daemon || !(replied || x_auto || subject_says) {
        return None;
    }
    // A delivery failure sent with Auto-Submitted: auto-replied is not an out-of-office.
    if replied && !subject_says && !x_auto && extract::line_has_code(body) {
        return None;
    }
    let first = body.lines().map(str::trim).filter(|l| !l.is_empty()).take(3).collect::<Vec<_>>().join(" ");
    Some(vec![Bounce {
        recipient: re_address().find(mail.from()).map(|m| normalize_address(m.as_str())),
        diagnostic: format!("{} {}", mail.subject(), first),
        category: Some(Category::AutoReply),
        ..Default::default()
    }])
}

// --- Generic plain-text reports ---------------------------------------------------------------

/// The addresses a report names that are not the failed recipients: the bounce's own sender
/// and addressee (the original sender) and the mail system's mailboxes.
fn excluded_addresses(mail: &Mail) -> Vec<String> {
    let mut out = vec![];
    for h in ["From", "To", "Return-Path", "Reply-To", "Sender", "Delivered-To"] {
        for v in mail.headers_named(h) {
            out.extend(re_address().find_iter(v).map(|m| m.as_str().to_ascii_lowercase()));
        }
    }
    if let Some(orig) = mail.returned() {
        for h in ["From", "Return-Path", "Sender", "Reply-To"] {
            for v in orig.headers_named(h) {
                out.extend(re_address().find_iter(v).map(|m| m.as_str().to_ascii_lowercase()));
            }
        }
    }
    out
}

fn is_system_address(a: &str) -> bool {
    let local = a.split('@').next().unwrap_or("").to_ascii_lowercase();
    matches!(local.as_str(), "mailer-daemon" | "postmaster" | "abuse" | "noreply" | "no-reply" | "root" | "mail-daemon" | "mailerdaemon" | "daemon")
        || local.starts_with("bounce")
}

/// The recipients a plain-text report names, in order of appearance.
pub fn recipients_in(mail: &Mail, report: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    let mut seen = std::collections::HashSet::new();
    for v in mail.headers_named("X-Failed-Recipients") {
        for m in re_address().find_iter(v) {
            let a = normalize_address(m.as_str());
            if seen.insert(a.to_ascii_lowercase()) {
                out.push(a);
            }
        }
    }
    if !out.is_empty() {
        return out;
    }
    let excluded: std::collections::HashSet<String> = excluded_addresses(mail).into_iter().collect();
    // Addresses listed on lines of their own are the report's recipients.
    for line in report.lines() {
        if let Some((a, _)) = recipient_line(line) {
            let lower = a.to_ascii_lowercase();
            if !excluded.contains(&lower) && !is_system_address(&lower) && seen.insert(lower) {
                out.push(a);
            }
        }
    }
    if !out.is_empty() {
        return out;
    }
    for m in re_address().find_iter(report) {
        // Skip addresses inside URLs and message ids.
        let before = &report[..m.start()];
        let prev = before.chars().last();
        if matches!(prev, Some('/') | Some('=') | Some('?')) || before.ends_with("Message-ID: <") || before.ends_with("id <") {
            continue;
        }
        let a = normalize_address(m.as_str());
        let lower = a.to_ascii_lowercase();
        if excluded.contains(&lower) || is_system_address(&lower) || !seen.insert(lower) {
            continue;
        }
        out.push(a);
    }
    out
}

/// The lines of a report and, for each address it names, the first line naming it: built once
/// so that looking up many recipients stays linear in the report's size.
pub struct TextIndex<'a> {
    lines: Vec<&'a str>,
    first_line: std::collections::HashMap<String, usize>,
}

impl<'a> TextIndex<'a> {
    pub fn new(report: &'a str) -> TextIndex<'a> {
        let lines: Vec<&str> = report.lines().collect();
        let mut first_line = std::collections::HashMap::new();
        for (i, l) in lines.iter().enumerate() {
            for m in re_address().find_iter(l) {
                first_line.entry(m.as_str().to_ascii_lowercase()).or_insert(i);
            }
        }
        TextIndex { lines, first_line }
    }

    /// The reply text about one recipient (see [`text_about`]).
    pub fn about(&self, recipient: &str) -> Option<String> {
        let lower_rcpt = recipient.to_ascii_lowercase();
        let idx = match self.first_line.get(&lower_rcpt) {
            Some(i) => *i,
            // An address written differently (a local part alone): look for it, once.
            None => self.lines.iter().position(|l| l.to_ascii_lowercase().contains(&lower_rcpt))?,
        };
        let lines = &self.lines;
        let window_end = (idx + 16).min(lines.len());
        // Stop at the next recipient block: a later line naming another address after a blank.
        let mut end = window_end;
        let mut seen_blank = false;
        for (i, l) in lines.iter().enumerate().take(window_end).skip(idx + 1) {
            if l.trim().is_empty() {
                seen_blank = true;
                continue;
            }
            if seen_blank && re_address().is_match(l) && !l.to_ascii_lowercase().contains(&lower_rcpt) && !extract::line_has_code(l) {
                end = i;
                break;
            }
        }
        let window = &lines[idx..end];
        if let Some(first_code) = window.iter().position(|l| extract::line_has_code(l)) {
            let mut text = String::new();
            for l in &window[first_code..] {
                if l.trim().is_empty() && !text.is_empty() {
                    break;
                }
                text.push_str(l);
                text.push('\n');
            }
            return Some(text);
        }
        let text = window.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
        if text.is_empty() {
            None
        } else {
            Some(text)
        }
    }
}

/// The reply text a report gives about one recipient: from the line naming it, the first line
/// with an SMTP code and what continues it; else the wording around it.
pub fn text_about(report: &str, recipient: &str) -> Option<String> {
    TextIndex::new(report).about(recipient)
}

/// The most text taken from a report's coded lines for one diagnostic.
const MAX_CODED_TEXT: usize = 4096;

/// All lines with an SMTP code in a report (with their continuation lines), joined (up to a
/// few kilobytes).
pub fn coded_lines(report: &str) -> Option<String> {
    let mut out = String::new();
    let mut take = false;
    for l in report.lines() {
        if out.len() > MAX_CODED_TEXT {
            break;
        }
        if extract::line_has_code(l) {
            take = true;
        } else if l.trim().is_empty() {
            take = false;
        }
        if take {
            out.push_str(l);
            out.push('\n');
        }
    }
    if out.is_empty() {
        None
    } else {
        Some(out)
    }
}

/// The most recipients the generic reader reports from one email: a text naming more
/// addresses than this is not a list of failed recipients.
const MAX_GENERIC_RECIPIENTS: usize = 1000;

fn generic(mail: &Mail, report: &str) -> Vec<Bounce> {
    let mut recipients = recipients_in(mail, report);
    recipients.truncate(MAX_GENERIC_RECIPIENTS);
    let index = TextIndex::new(report);
    let coded = std::cell::OnceCell::new();
    let mut out = vec![];
    for r in &recipients {
        let diagnostic = index
            .about(r)
            .or_else(|| coded.get_or_init(|| coded_lines(report)).clone())
            .unwrap_or_default();
        out.push(Bounce { recipient: Some(r.clone()), diagnostic, ..Default::default() });
    }
    if out.is_empty() {
        if let Some(d) = coded_lines(report) {
            out.push(Bounce { diagnostic: d, ..Default::default() });
        } else if !report.trim().is_empty() {
            let text = report.lines().map(str::trim).filter(|l| !l.is_empty()).take(12).collect::<Vec<_>>().join(" ");
            out.push(Bounce { diagnostic: text, ..Default::default() });
        }
    }
    out
}
