//! Whole bounce emails (non-delivery reports): one record per failed recipient.
//!
//! Structure first: a `message/delivery-status` part (RFC 3464), a `message/feedback-report`
//! (RFC 5965 complaints), auto-replies (RFC 3834). Then the plain-text reports of mail servers
//! and services, through the decoders of [`formats`]. Whatever the source, the diagnostic text
//! is taken from the most specific place and given to the one classifier.

pub mod dsn;
pub mod formats;
pub mod mime;

use crate::classify::{extract, Classifier, Hints, SenderEvidence, Words};
use crate::model::{Category, Class, Context, DecidedBy, Record};
use crate::smtp::{address, Command, DsnAction};
use crate::text::mbox;
use mime::Mail;

/// What a decoder found about one recipient, before classification.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bounce {
    pub recipient: Option<String>,
    pub original_recipient: Option<String>,
    /// The server's reply or the report's wording about this recipient.
    pub diagnostic: String,
    /// An enhanced status code given beside the text (DSN `Status:`).
    pub status: Option<String>,
    pub dsn_action: Option<DsnAction>,
    pub remote_mta: Option<String>,
    pub reporting_mta: Option<String>,
    pub smtp_command: Option<Command>,
    pub date: Option<String>,
    pub feedback_type: Option<String>,
    /// A cause the format itself establishes (a complaint report, an auto-reply).
    pub category: Option<Category>,
    /// What the report says about the returned message, where it is not in a MIME part or an
    /// inlined copy (e.g. a JSON notification's `mail` object).
    pub original: Option<Original>,
}

/// What reading emails gave: the records, and notes on what could not be read whole.
#[derive(Clone, Debug, Default)]
pub struct EmailReading {
    pub records: Vec<Record>,
    /// Said to the user: what was left out and why (a text part past the size read, messages
    /// nested too deep).
    pub notes: Vec<String>,
}

impl EmailReading {
    fn add(&mut self, other: EmailReading) {
        self.records.extend(other.records);
        for n in other.notes {
            if !self.notes.contains(&n) {
                self.notes.push(n);
            }
        }
    }
}

/// Analyses a file's bytes that hold emails: an mbox (each message), or a single email.
pub fn analyze_file(bytes: &[u8], source: &str) -> Vec<Record> {
    read_file(bytes, source).records
}

/// [`analyze_file`], with the notes on what was left out.
pub fn read_file(bytes: &[u8], source: &str) -> EmailReading {
    let bytes = with_lf_line_ends(bytes);
    let bytes = bytes.as_ref();
    if mbox::is_mbox(bytes) {
        let mut out = EmailReading::default();
        for (i, m) in mbox::split(bytes).into_iter().enumerate() {
            out.add(read_email(m, &format!("{source}#{}", i + 1)));
        }
        return out;
    }
    let body = match bytes.strip_prefix(b"From ") {
        // A lone mbox message: skip its envelope line.
        Some(rest) => memchr::memchr(b'\n', rest).map(|nl| &rest[nl + 1..]).unwrap_or(&[]),
        None => bytes,
    };
    read_email(body, source)
}

/// Old Mac files end lines with CR alone: read them as LF.
fn with_lf_line_ends(raw: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let head = &raw[..raw.len().min(64 * 1024)];
    if head.contains(&b'\r') && !head.contains(&b'\n') {
        std::borrow::Cow::Owned(raw.iter().map(|&b| if b == b'\r' { b'\n' } else { b }).collect())
    } else {
        std::borrow::Cow::Borrowed(raw)
    }
}

/// Analyses one bounce email (raw source). `source` names where it came from. Bytes in which
/// no header and no body can be read give no record.
pub fn analyze_email(raw: &[u8], source: &str) -> Vec<Record> {
    read_email(raw, source).records
}

/// [`analyze_email`], with the notes on what was left out.
pub fn read_email(raw: &[u8], source: &str) -> EmailReading {
    let raw = with_lf_line_ends(raw);
    let raw = raw.as_ref();
    let Some(mail) = mime::parse(raw) else { return EmailReading::default() };
    let mut notes = vec![];
    if mail.cut > 0 {
        notes.push(format!(
            "{source}: a text part is larger than the {} read from one part; the last {} of it were left out (recipients named there are not analysed).",
            crate::text::human_bytes(mime::MAX_TEXT_PART as u64),
            crate::text::human_bytes(mail.cut)
        ));
    }
    if mail.too_deep > 0 {
        notes.push(format!(
            "{source}: {} message{} nested more than {} deep inside one another {} not read.",
            mail.too_deep,
            if mail.too_deep == 1 { "" } else { "s" },
            mime::MAX_DEPTH,
            if mail.too_deep == 1 { "was" } else { "were" }
        ));
    }
    EmailReading { records: analyze_mail(&mail, source), notes }
}

re!(
    re_report_marker,
    r"(?im)^\W{0,8}(?:this is the (?:mail system|postfix program|qmail-send program|mail delivery|mailer-daemon)|hi\. this is the qmail|i'?m sorry to (?:have to )?inform you|i'?m afraid i (?:wasn'?t|was not) able|this message was created automatically by mail delivery|a message that you sent could not be delivered|the original message was received at|-+ ?the following addresses? had|delivery (?:has failed|to the following recipients?)|your message (?:did not reach|could ?n[o']t be delivered|wasn'?t delivered|was not delivered|to .{1,80} couldn'?t be delivered)|an error has occurred while attempting to deliver|(?:delivery|mail) (?:failure|status notification)|undeliver(?:able|ed) (?:mail|message)|the following (?:message|recipients?|addresses?) (?:to .{1,80} )?(?:was|were|could not be|had)|\*\* (?:address not found|message not delivered|message blocked)|final-recipient:|diagnostic-code:|original-recipient:|(?:impossible de remettre|votre message n'a pas pu|ceci est un message d'?(?:e|é)chec|nous sommes d(?:e|é)sol(?:e|é)s de vous informer)|(?:ihre nachricht (?:konnte|wurde)|die nachricht konnte nicht|zustellung (?:fehlgeschlagen|an folgende))|(?:su mensaje no (?:se )?pudo|no se ha podido entregar|algunos de los destinatarios no recibieron|.{1,60} rechaz(?:ó|o) su mensaje)|(?:il messaggio non (?:è|e) stato|impossibile recapitare)|(?:não foi possível entregar|a sua mensagem não)|(?:uw bericht kon niet|het bericht kon niet)|(?:не удалось доставить|ваше сообщение не|это письмо отправлено почтовым)|(?:メッセージを配信できません|配信できませんでした|宛先不明)|(?:邮件(?:发送|投递)失败|退信|无法(?:送达|投递))|(?:메일(?:이|을) 전송하지 못했습니다|전달되지 않았습니다))"
);

/// Whether a text is the body of a bounce report (the human text a mail client shows, pasted
/// without its headers): the sentences mail systems open their reports with, in the common
/// languages, or delivery-status fields.
pub fn looks_like_report(text: &str) -> bool {
    re_report_marker().is_match(text)
}

/// Analyses the body of a bounce report pasted without its headers: read as the body of an
/// email, one record per recipient it names.
pub fn analyze_report_text(text: &str, source: &str) -> Vec<Record> {
    let text = text.replace("\r\n", "\n");
    let mail = Mail { headers: vec![], parts: vec![mime::Part { content_type: "text/plain".into(), text }], attached: vec![], cut: 0, too_deep: 0 };
    analyze_mail(&mail, source)
}

/// Analyses a parsed bounce email: the recipients its layout names, each classified.
pub fn analyze_mail(mail: &Mail, source: &str) -> Vec<Record> {
    let mail = mail;
    let bounces = formats::decode(mail);
    let found_original = original_message(mail);
    let senders = envelope_senders(mail);
    let classifier = Classifier::get();
    let mut records = vec![];
    for b in bounces {
        let original = b.original.clone().unwrap_or_else(|| found_original.clone());
        let mut cleaned = extract::clean(&strip_greeting(&b.diagnostic));
        let recipient = [b.recipient.as_deref(), cleaned.recipient.as_deref()]
            .into_iter()
            .flatten()
            .map(address::normalize)
            .find(|r| address::plausible(r));
        cleaned.recipient = None;
        let hints = Hints {
            status: b.status.as_deref().and_then(crate::smtp::code::parse_status),
            reply: None,
            recipient: recipient.as_deref(),
            remote_mta: b.remote_mta.as_deref(),
            dsn_action: b.dsn_action,
        };
        let mut verdict = classifier.classify_cleaned(&cleaned, &hints);
        if let Some(cat) = b.category {
            established_by_format(classifier, &mut verdict, cat);
        }
        let smtp_command = b.smtp_command.or(cleaned.smtp_command).or_else(|| {
            // A refusal that names the sender's own address answers the MAIL FROM command.
            let named = address::first_in(&cleaned.text)?;
            let is_recipient = recipient.as_deref() == Some(named.as_str());
            (!is_recipient && senders.contains(&named)).then_some(Command::MailFrom)
        });
        if smtp_command == Some(Command::MailFrom) {
            classifier.about_the_sender(&mut verdict, SenderEvidence::MailFrom);
        }
        records.push(Record {
            recipient,
            verdict,
            source: Some(source.to_string()),
            context: Context {
                original_recipient: b.original_recipient.clone(),
                reporting_mta: b.reporting_mta.clone(),
                remote_mta: b.remote_mta.clone().or(cleaned.remote_mta.clone()),
                smtp_command,
                date: b.date.clone().or_else(|| mail.header("Date").map(str::to_string)),
                original_from: original.from.clone(),
                original_subject: original.subject.clone(),
                original_message_id: original.message_id.clone(),
                list_id: original.list_id.clone(),
                dsn_action: b.dsn_action,
                feedback_type: b.feedback_type.clone(),
                ..Default::default()
            },
        });
    }
    // An email that is no bounce at all (a note, a newsletter) gives nothing: its text read as
    // a reply would be an "unknown" verdict about no one. It is one when nothing in it was
    // recognised and neither its sender nor its wording is a mail system's.
    let nothing = records.iter().all(|r| r.recipient.is_none() && r.verdict.reply_code.is_none() && r.verdict.enhanced_code.is_none() && r.verdict.category == crate::model::Category::Unknown);
    if nothing && !records.is_empty() && !is_bounce_like(mail) {
        records.clear();
    }
    records
}

/// Whether an email shows any sign of being a bounce: a report part, a mail system as sender,
/// or a report's wording.
fn is_bounce_like(mail: &Mail) -> bool {
    let knowledge = crate::knowledge::Knowledge::get();
    let from_system = mail.headers_named("From").any(|v| address::all_in(v).iter().any(|a| knowledge.exports.is_system_mailbox(a.split('@').next().unwrap_or(""))));
    from_system
        || mail.parts.iter().any(|p| p.content_type.contains("delivery-status") || p.content_type.contains("feedback-report") || looks_like_report(&p.text))
        || mail.header("Subject").is_some_and(|s| {
            let s = s.to_lowercase();
            looks_like_report(&s) || ["deliver", "fail", "return", "bounce", "reject", "error", "unzustellbar", "non remis"].iter().any(|w| s.contains(w))
        })
}

/// The addresses that stand for the sender of the returned message: where the report was sent
/// (the envelope sender) and the returned message's own sender fields.
fn envelope_senders(mail: &Mail) -> Vec<String> {
    let mut out = vec![];
    for h in ["To", "Delivered-To", "X-Original-To", "Envelope-To"] {
        for v in mail.headers_named(h) {
            out.extend(address::all_in(v));
        }
    }
    if let Some(m) = mail.returned() {
        for h in ["Return-Path", "From", "Sender"] {
            for v in m.headers_named(h) {
                out.extend(address::all_in(v));
            }
        }
    }
    out
}

/// Drops a server's greeting (`220 host ESMTP ...`) written in front of its refusal, so the
/// refusal's code is the one read.
fn strip_greeting(diagnostic: &str) -> String {
    let t = dsn::typed_value(diagnostic.trim_start());
    let is_greeting = t.starts_with("220 ") || t.starts_with("220-");
    if !is_greeting {
        return diagnostic.to_string();
    }
    // The refusal follows the greeting's text: the first later 4xx/5xx reply code.
    let bytes = t.as_bytes();
    for i in 4..bytes.len().saturating_sub(3) {
        let prev = bytes[i - 1];
        if (prev == b' ' || prev == b'\n') && (bytes[i] == b'4' || bytes[i] == b'5') && bytes[i + 1].is_ascii_digit() && bytes[i + 2].is_ascii_digit() && matches!(bytes.get(i + 3), Some(b' ') | Some(b'-')) {
            return t[i..].to_string();
        }
    }
    diagnostic.to_string()
}

/// Sets a cause the report's format establishes (a complaint report, an auto-reply).
fn established_by_format(classifier: &Classifier, v: &mut crate::model::Verdict, cat: Category) {
    if v.category == cat {
        return;
    }
    let class = if cat == Category::Complaint { Class::Permanent } else { cat.default_class() };
    classifier.recast(v, cat, class, DecidedBy::ReportFormat, Words::Category);
    v.confidence = crate::model::Confidence::High;
}

/// What the returned message says about itself.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Original {
    pub from: Option<String>,
    pub subject: Option<String>,
    pub message_id: Option<String>,
    pub list_id: Option<String>,
    pub to: Option<String>,
}

/// The returned message's From, Subject, Message-ID and List-ID: from an attached
/// `message/rfc822` or `text/rfc822-headers`, or from a copy inlined in the text.
pub fn original_message(mail: &Mail) -> Original {
    let from_mail = |m: &Mail| Original {
        from: m.header("From").map(str::to_string),
        subject: m.header("Subject").map(str::to_string),
        message_id: m.header("Message-ID").map(|s| s.trim().trim_matches(['<', '>']).to_string()),
        list_id: m.header("List-ID").map(str::to_string),
        to: m.header("To").map(str::to_string),
    };
    let body = mail.body_text();
    let mut found = Original::default();
    if let Some(m) = mail.returned() {
        found = from_mail(m);
    } else if let Some(pos) = formats::returned_copy_start(&body) {
        let rest = body[pos..].trim_start_matches(['\n', '\r']);
        if let Some(m) = mime::parse_headers(rest.as_bytes()) {
            if m.header("From").is_some() || m.header("Subject").is_some() || m.header("Message-ID").is_some() {
                found = from_mail(&m);
            }
        }
    }
    // Reports that summarise the message instead of returning it: "Your message\n  To: ...
    // \n  Subject: ...\n  Sent: ..." (Exchange, Domino, MailMarshal, MessagingServer).
    if found.subject.is_none() || found.from.is_none() {
        let summary = message_summary(formats::report_text(&body));
        found.subject = found.subject.or(summary.subject);
        found.from = found.from.or(summary.from);
        found.message_id = found.message_id.or(summary.message_id);
    }
    found
}

/// The fields of a report's summary of the sent message: indented `Name: value` lines after
/// "Your message" or "header fields:".
fn message_summary(report: &str) -> Original {
    let mut out = Original::default();
    let lower = report.to_ascii_lowercase();
    let Some(start) = ["your message:", "your message\n", "your message\r\n", "with the following header fields:"].iter().filter_map(|m| lower.find(m).map(|i| i + m.len())).min() else {
        return out;
    };
    let mut seen_field = false;
    for line in report[start..].lines().take(20) {
        let t = line.trim();
        if t.is_empty() {
            if seen_field {
                break;
            }
            continue;
        }
        let Some((name, value)) = t.split_once(':') else { break };
        if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            break;
        }
        seen_field = true;
        let value = value.trim().to_string();
        match name.to_ascii_lowercase().as_str() {
            "subject" if !value.is_empty() => out.subject = Some(value),
            "from" if !value.is_empty() => out.from = Some(value),
            "message-id" if !value.is_empty() => out.message_id = Some(value.trim_matches(['<', '>']).to_string()),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests;
