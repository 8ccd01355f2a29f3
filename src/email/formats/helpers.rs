//! What the decoders share: where a report's own text ends and the returned copy begins, the
//! lines that name recipients, the reply text a report gives about one recipient.

use super::super::mime::Mail;
use super::super::Bounce;
use crate::smtp::{address, code::has_code};
use regex::Regex;

re!(
    pub(super) re_copy_marker,
    r"(?im)^[ \t]*(?:-{2,}|={2,}|\*{2,}|_{2,})?[ \t]*(?:this is a copy of (?:the |your )(?:original )?message|below (?:this|the next) line is a copy of the (?:message|mail header)|below is a copy of the original message|original mail as follows|the header of the original message is following|message headers follow|-{3,} ?original message ?-{3,}|enclosed is a copy of the message|mensaje original adjunto|original message (?:follows|headers? follows?)|the original message (?:was|is) (?:included|attached|enclosed|below|as follows|follows)|the original message headers? (?:is|are|was|were)|original message header|message header follows|returned message|undelivered message (?:headers )?follows|here is a copy of the (?:first part of the )?message|the text you sent follows|unsent message below|copy of the message follows|end of message|-+ ?message headers? ?-+|original message:|text of the message follows|received (?:headers|message) follows|start of returned message|the headers of the original message)[^\n]*$|^content-type:\s*(?:message/rfc822|text/rfc822-headers)"
);
re!(pub(super) re_auto_subject, r"(?i)^(auto(matic)?[ -]?(reply|response|antwort|respuesta|réponse)|out of (the )?office|abwesenheit|vacation|away from|absence|autoreply|i am away|on leave)");

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
    let m = address::re_address().find(t)?;
    let head = &t[..m.start()];
    if !head.chars().all(|c| matches!(c, '<' | '"' | '\'' | '(' | '[' | ' ')) {
        return None;
    }
    let addr = address::normalize(m.as_str());
    let mut rest = t[m.end()..].trim_start_matches(['>', '"', '\'', ')', ']']).trim_start();
    // "addr <addr>": the same address twice.
    if let Some(r) = rest.strip_prefix('<') {
        if let Some((inner, after)) = r.split_once('>') {
            if address::re_address().is_match(inner) {
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

/// The lines of a report and, for each address it names, the first line naming it: built once
/// so that looking up many recipients stays linear in the report's size.
/// Whether a line names an address other than the recipient (and not the recipient).
fn names_another(line: &str, lower_rcpt: &str) -> bool {
    line.contains('@') && address::re_address().is_match(line) && !line.to_ascii_lowercase().contains(lower_rcpt)
}

pub struct TextIndex<'a> {
    lines: Vec<&'a str>,
    /// The lines naming each address (lower case), at most a few each.
    lines_of: std::collections::HashMap<String, Vec<usize>>,
}

/// How many lines naming the same address are remembered: reports name a recipient once in
/// their human part and once more with the server's reply (Exchange, Office 365).
const OCCURRENCES: usize = 4;

impl<'a> TextIndex<'a> {
    pub fn new(report: &'a str) -> TextIndex<'a> {
        let lines: Vec<&str> = report.lines().collect();
        let mut lines_of: std::collections::HashMap<String, Vec<usize>> = std::collections::HashMap::new();
        for (i, l) in lines.iter().enumerate() {
            for m in address::re_address().find_iter(l) {
                let v = lines_of.entry(m.as_str().to_ascii_lowercase()).or_default();
                if v.len() < OCCURRENCES && v.last() != Some(&i) {
                    v.push(i);
                }
            }
        }
        TextIndex { lines, lines_of }
    }

    /// The reply text about one recipient: from a line naming it, the first line with an SMTP
    /// code and what continues it (the first such block when the address is named several
    /// times); else the wording around its first mention.
    pub fn about(&self, recipient: &str) -> Option<String> {
        let lower_rcpt = recipient.to_ascii_lowercase();
        let found;
        let starts: &[usize] = match self.lines_of.get(&lower_rcpt) {
            Some(v) => v,
            // An address written differently (a local part alone): look for it, once.
            None => {
                found = [self.lines.iter().position(|l| l.to_ascii_lowercase().contains(&lower_rcpt))?];
                &found
            }
        };
        let mut wording: Option<String> = None;
        for &idx in starts {
            let window = self.window(idx, &lower_rcpt);
            if let Some(first_code) = window.iter().position(|l| has_code(l)) {
                let mut text = String::new();
                for (k, l) in window[first_code..].iter().enumerate() {
                    if l.trim().is_empty() && !text.is_empty() {
                        break;
                    }
                    // The next recipient's line ends this one's reply (reports that list one
                    // recipient per line, with no blank line between).
                    if k > 0 && names_another(l, &lower_rcpt) {
                        break;
                    }
                    text.push_str(l);
                    text.push('\n');
                }
                return Some(text);
            }
            if wording.is_none() {
                let text = window.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
                // A list of addresses is not wording about this one.
                let words = address::re_address().replace_all(&text, "");
                if words.split(|c: char| !c.is_alphabetic()).filter(|w| w.len() >= 2).count() >= 2 {
                    wording = Some(text);
                }
            }
        }
        wording
    }

    /// The lines from a mention of the recipient up to the next recipient's block (a later
    /// line naming another address after a blank line), at most 16.
    fn window(&self, idx: usize, lower_rcpt: &str) -> &[&'a str] {
        let lines = &self.lines;
        let window_end = (idx + 16).min(lines.len());
        let mut end = window_end;
        let mut seen_blank = false;
        for (i, l) in lines.iter().enumerate().take(window_end).skip(idx + 1) {
            if l.trim().is_empty() {
                seen_blank = true;
                continue;
            }
            if seen_blank && address::re_address().is_match(l) && !l.to_ascii_lowercase().contains(lower_rcpt) && !has_code(l) {
                end = i;
                break;
            }
        }
        &lines[idx..end]
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
        if has_code(l) {
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

