//! Turning what people paste into a clean reply text: removing the noise copied around a
//! server reply (timestamps, `Diagnostic-Code: smtp;`, `host ... said:`, `(in reply to RCPT TO
//! command)`, Exchange's `Remote Server returned '...'` and `#550 ... ##`, quoted-printable
//! soft breaks, multi-line `550-` continuations) and finding the reply and enhanced codes.

use crate::smtp::{code::has_code, Command};
use crate::text::{undo_quoted_printable, unfold};

/// A reply text with the noise around it removed, and what the noise told.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cleaned {
    pub text: String,
    /// The server named in `host X[ip] said:` and similar.
    pub remote_mta: Option<String>,
    /// The SMTP command the reply answered (`RCPT TO`, `DATA`...).
    pub smtp_command: Option<Command>,
    /// A recipient named in front of the reply (`<a@b>: host ...`).
    pub recipient: Option<String>,
    /// `Status:` of a pasted delivery-status fragment.
    pub status: Option<crate::smtp::EnhancedCode>,
}

re!(
    re_line_timestamp,
    r"(?x)^\s*\[?(?:
        \d{4}-\d{2}-\d{2}[T\ ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s?Z|\s?[+-]\d{2}:?\d{2}|\s?UTC)?
      | (?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),?\ +\d{1,2}\ \w{3}\ \d{4}\ \d{2}:\d{2}(?::\d{2})?(?:\ [+-]\d{4})?(?:\ \([A-Z]+\))?
      | \w{3}\ +\d{1,2}\ \d{2}:\d{2}:\d{2}
      | \d{1,2}/\d{1,2}/\d{2,4},?\ \d{1,2}:\d{2}(?::\d{2})?(?:\ ?[AP]M)?
    )\]?[\s,;|-]*"
);
re!(re_syslog_prefix, r"^[\w.-]+\s+[\w/.-]+\[\d+\]:\s*(?:[0-9A-F]{6,}:\s*)?");
re!(re_dsn_field, r"(?im)^(final-recipient|original-recipient|action|status|remote-mta|diagnostic-code|reporting-mta|last-attempt-date|arrival-date)\s*:\s*(.*)$");
re!(re_type_prefix, r"^(?i:smtp|x-[\w-]+|unknown|mta|ms|esmtp)\s*;\s*");
re!(re_host_said, r"(?i)\bhost\s+([A-Za-z0-9][\w.-]*)\s*\[[^\]]*\](?::\d+)?\s+said:\s*");
re!(re_said, r"(?i)^.{0,160}?\bsaid:\s*");
re!(re_in_reply_to, r"(?i)\(\s*in reply to ([A-Z][A-Za-z ]*?)\s+command\s*\)");
re!(
    re_exim_after,
    r"(?i)SMTP error from remote (?:mail server|mailer|server) after ([A-Za-z ]+?)(?::?<[^>]*>)?(?:\s*\(.*?\))?:\s*(?:host\s+([A-Za-z0-9][\w.-]*)\s*\[[^\]]*\](?::\d+)?:?\s*)?"
);
re!(re_remote_returned, r#"(?is)Remote Server returned\s*['‘’](.*?)['‘’]\s*$"#);
re!(re_exchange_hash, r"^#\s*(.*?)\s*##.*$");
re!(re_leading_rcpt, r"^<([^<>\s]+@[^<>\s]+)>:?\s+");
re!(re_bracketed_address, r"<([^<>\s@]+@[^<>\s@]+\.[^<>\s@]+)>");
re!(re_reply_line, r"^(\d{3})([ -])(.*)$");
re!(re_ws, r"\s+");

/// Strips the timestamp or syslog prefix of one log line.
pub fn strip_line_prefix(line: &str) -> &str {
    let mut l = line;
    if let Some(m) = re_line_timestamp().find(l) {
        if m.end() > 0 && m.end() < l.len() {
            l = &l[m.end()..];
        }
    }
    if let Some(m) = re_syslog_prefix().find(l) {
        if m.end() < l.len() {
            l = &l[m.end()..];
        }
    }
    l
}

/// Joins the lines of one message: folded lines, and multi-line replies whose lines repeat the
/// code (`550-5.7.26 ...` / `550 5.7.26 ...`) become one line with the code once.
fn join_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut current_code: Option<String> = None;
    for raw in text.lines() {
        let line = strip_line_prefix(raw.trim_end());
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if let Some(c) = re_reply_line().captures(trimmed) {
            let code = c[1].to_string();
            let rest = c[3].trim();
            if current_code.as_deref() == Some(code.as_str()) {
                // A continuation line of the same reply: drop its repeated code prefixes.
                push_spaced(&mut out, strip_repeated_enhanced(rest));
            } else {
                // The first line of a reply: write the code once, as "550 5.7.26 ...".
                push_spaced(&mut out, &code);
                push_spaced(&mut out, rest);
            }
            current_code = if &c[2] == "-" { Some(code) } else { None };
            continue;
        }
        push_spaced(&mut out, trimmed);
    }
    out
}

fn strip_repeated_enhanced(rest: &str) -> &str {
    let b = rest.as_bytes();
    // "5.7.26 text" -> "text" (the enhanced code was already given on the first line)
    if b.len() >= 5 && (b[0] == b'4' || b[0] == b'5' || b[0] == b'2') && b[1] == b'.' {
        if let Some(sp) = rest.find(char::is_whitespace) {
            if rest[..sp].bytes().all(|x| x.is_ascii_digit() || x == b'.') {
                return rest[sp..].trim_start();
            }
        }
    }
    rest
}

fn push_spaced(out: &mut String, s: &str) {
    if !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
    out.push_str(s);
}

/// Cleans one pasted message (see the module docs).
pub fn clean(raw: &str) -> Cleaned {
    let mut c = Cleaned::default();
    let normalized = raw.replace("\r\n", "\n").replace('\r', "\n");
    let decoded = undo_quoted_printable(&normalized);
    let decoded = crate::text::strip_controls(&decoded);

    // A pasted delivery-status fragment: take its fields.
    let mut diag_text: Option<String> = None;
    if re_dsn_field().is_match(&decoded) {
        let unfolded = unfold(&decoded);
        for cap in re_dsn_field().captures_iter(&unfolded) {
            let name = cap[1].to_ascii_lowercase();
            let value = cap[2].trim().to_string();
            match name.as_str() {
                "diagnostic-code" if diag_text.is_none() => diag_text = Some(value),
                "status" if c.status.is_none() => c.status = crate::smtp::code::parse_status(&value),
                "final-recipient" if c.recipient.is_none() => {
                    c.recipient = Some(strip_type(&value).trim_matches(['<', '>']).to_string())
                }
                "remote-mta" if c.remote_mta.is_none() => {
                    c.remote_mta = Some(strip_type(&value).to_string())
                }
                _ => {}
            }
        }
    }
    let body = match &diag_text {
        Some(d) => d.clone(),
        None => decoded,
    };

    let mut t = join_lines(&body);
    t = strip_type(&t).to_string();

    // Exim: "SMTP error from remote mail server after RCPT TO:<a@b>: host h [ip]: 550 ..."
    if let Some(cap) = re_exim_after().captures(&t) {
        c.smtp_command = Command::parse(&cap[1]);
        if let Some(h) = cap.get(2) {
            c.remote_mta.get_or_insert_with(|| h.as_str().to_string());
        }
        let end = cap.get(0).expect("match").end();
        t = t[end..].to_string();
    }
    // Postfix: "<a@b>: host h[ip] said: 550 ... (in reply to RCPT TO command)"
    if let Some(cap) = re_leading_rcpt().captures(&t) {
        c.recipient.get_or_insert_with(|| cap[1].to_string());
        let end = cap.get(0).expect("match").end();
        t = t[end..].to_string();
    }
    if let Some(cap) = re_host_said().captures(&t) {
        c.remote_mta.get_or_insert_with(|| cap[1].to_string());
        let m = cap.get(0).expect("match");
        t = format!("{}{}", &t[..m.start()], &t[m.end()..]);
    } else if let Some(m) = re_said().find(&t) {
        // "Remote host said: 550 ...": keep what the server said.
        if has_code(&t[m.end()..]) {
            t = t[m.end()..].to_string();
        }
    }
    if let Some(cap) = re_in_reply_to().captures(&t) {
        if c.smtp_command.is_none() {
            c.smtp_command = Command::parse(&cap[1]);
        }
        let m = cap.get(0).expect("match");
        t = format!("{}{}", &t[..m.start()], &t[m.end()..]);
    }
    // Exchange: "Remote Server returned '550 5.1.1 RESOLVER...'"
    if let Some(cap) = re_remote_returned().captures(&t) {
        let inner = cap[1].trim();
        if !inner.is_empty() {
            t = inner.to_string();
        }
    }
    let trimmed = t.trim();
    if let Some(cap) = re_exchange_hash().captures(trimmed) {
        t = cap[1].to_string();
    } else if let Some(rest) = trimmed.strip_prefix('#') {
        t = rest.to_string();
    }
    let t = re_ws().replace_all(t.trim(), " ");
    let t = t.trim_matches(|ch: char| ch == '\'' || ch == '"' || ch == ' ');
    c.text = strip_type(t).to_string();
    // The address a reply names is the recipient, unless the reply answered MAIL FROM (then
    // it is the sender's).
    if c.recipient.is_none() && c.smtp_command != Some(Command::MailFrom) {
        if let Some(cap) = re_bracketed_address().captures(&c.text) {
            c.recipient = Some(cap[1].to_string());
        }
    }
    c
}

/// A platform's identifier spelled out as words: `hard_bounce` -> "hard bounce",
/// `Transient MailboxFull` -> "Transient Mailbox Full", `Permanent/OnAccountSuppressionList`
/// -> "Permanent On Account Suppression List", `DNSError` -> "DNS Error", `test-mode-limit`
/// -> "test mode limit". `None` when the text is no short run of identifiers (a sentence, a
/// reply with a code, an address or a link).
pub fn identifier_words(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() || text.len() > 80 || text.contains(['@', '<']) || text.contains("://") || has_code(text) {
        return None;
    }
    let tokens: Vec<&str> = text.split_whitespace().collect();
    if tokens.len() > 4 {
        return None;
    }
    let mut out = String::new();
    let mut changed = false;
    for token in tokens {
        let chars: Vec<char> = token.chars().collect();
        let hyphens = chars.iter().filter(|&&c| c == '-').count();
        let mut word = String::new();
        for (i, &ch) in chars.iter().enumerate() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let letters_around = prev.is_some_and(char::is_alphanumeric) && next.is_some_and(char::is_alphanumeric);
            let separator = ch == '_' || (matches!(ch, '/' | ':' | '.') && letters_around) || (ch == '-' && hyphens >= 2);
            if separator {
                word.push(' ');
                changed = true;
                continue;
            }
            // "mailboxFull", "MailboxFull": a capital after a small letter; "DNSError": the
            // last capital of a run before a small letter.
            let camel = ch.is_uppercase()
                && prev.is_some_and(|p| p.is_lowercase() || (p.is_uppercase() && next.is_some_and(char::is_lowercase)));
            if camel {
                word.push(' ');
                changed = true;
            }
            word.push(ch);
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word.split_whitespace().collect::<Vec<_>>().join(" ").as_str());
    }
    changed.then_some(out)
}

/// Whether a text is short enough to be a platform's bounce label ("Spam Block", "Mailbox
/// inactive", "hard bounce") rather than a reply or a sentence.
pub fn is_label(text: &str) -> bool {
    let text = text.trim();
    // A sentence ("Receiving server temporarily rejected the message.") is not a label.
    !text.is_empty() && text.len() <= 60 && text.split_whitespace().count() <= 5 && !text.ends_with(['.', '!']) && !has_code(text) && text.chars().any(char::is_alphabetic)
}

fn strip_type(s: &str) -> &str {
    let s = s.trim();
    match re_type_prefix().find(s) {
        Some(m) => &s[m.end()..],
        None => s,
    }
}

/// Words that say whether a codeless failure is temporary or permanent.
pub fn class_from_words(text: &str) -> Option<crate::model::Class> {
    re!(re_temp, r"(?i)\b(temporar(y|ily)|try (again )?later|deferred|will (be )?retr(y|ied)|retrying|delayed|transient)\b");
    re!(re_perm, r"(?i)\b(permanent(ly)?|fatal|will not be retried|giving up|gave up|undeliverable|failed permanently)\b");
    if re_perm().is_match(text) {
        Some(crate::model::Class::Permanent)
    } else if re_temp().is_match(text) {
        Some(crate::model::Class::Temporary)
    } else {
        None
    }
}

/// Whether a report says delivery was abandoned for good (the retries ran out), whatever code
/// the last attempt got: a queue expiry, qmail's "I'm not going to try again", "retry timeout
/// exceeded". A warning that retries go on is not.
pub fn gave_up(text: &str) -> bool {
    re!(re_gave_up, r"(?i)(not going to try again|(have|has|'ve) given up|\bgave up\b|\bgiving up\b|in the queue too long|too long in (the )?queue|retry time ?out exceeded|retry timeout|will not be retried|no (more|further) (retries|attempts) will be made|(multiple|all) delivery attempts (have )?failed|could not be delivered (for|within) \d+|message expired)");
    re!(re_still_trying, r"(?i)(will (keep|continue) (trying|to try)|(still|keep) trying|will be retried|warning message only|delayed? (for|more than)|do not need to resend)");
    re_gave_up().is_match(text) && !re_still_trying().is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn giving_up_is_told_from_retrying() {
        assert!(gave_up("Sorry, I wasn't able to establish an SMTP connection. (#4.4.1)\nI'm not going to try again; this message has been in the queue too long."));
        assert!(gave_up("451 4.4.1 retry timeout exceeded"));
        assert!(!gave_up("This is a warning message only. The message will be retried until it is 5 days old."));
        assert!(!gave_up("421 4.7.0 try again later"));
    }

    fn text(s: &str) -> String {
        clean(s).text
    }

    #[test]
    fn platform_identifiers_are_spelled_out_and_sentences_are_left_alone() {
        let w = |s: &str| identifier_words(s);
        assert_eq!(w("hard_bounce").as_deref(), Some("hard bounce"));
        assert_eq!(w("Transient MailboxFull").as_deref(), Some("Transient Mailbox Full"));
        assert_eq!(w("Permanent/OnAccountSuppressionList").as_deref(), Some("Permanent On Account Suppression List"));
        assert_eq!(w("DNSError").as_deref(), Some("DNS Error"));
        assert_eq!(w("test-mode-limit").as_deref(), Some("test mode limit"));
        // Nothing to spell out, or not an identifier at all.
        for s in ["Mailbox Full", "non-existent", "550 5.1.1 user_unknown", "a_b@example.com", "see https://x.y/a_b", "The mailbox of this user is full and_more words here"] {
            assert_eq!(w(s), None, "{s}");
        }
        assert!(is_label("Spam Block") && is_label("Recipient List over Package Quota"));
        assert!(!is_label("Receiving server temporarily rejected the message."));
        assert!(!is_label("550 Spam Block"));
    }

    #[test]
    fn postfix_said_and_in_reply_to() {
        let c = clean("<a@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1 <a@example.com>: Recipient\n    address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)");
        assert_eq!(c.text, "550 5.1.1 <a@example.com>: Recipient address rejected: User unknown in virtual mailbox table");
        assert_eq!(c.remote_mta.as_deref(), Some("mx.example.com"));
        assert_eq!(c.smtp_command, Some(Command::RcptTo));
        assert_eq!(c.recipient.as_deref(), Some("a@example.com"));
    }

    #[test]
    fn diagnostic_code_prefix_and_timestamp() {
        assert_eq!(text("Diagnostic-Code: smtp; 550 5.2.2 Mailbox full"), "550 5.2.2 Mailbox full");
        assert_eq!(text("2024-05-01 10:00:00 550 5.1.1 user unknown"), "550 5.1.1 user unknown");
        assert_eq!(text("[2024-05-01T10:00:00Z] 421 4.7.0 Try again later"), "421 4.7.0 Try again later");
        assert_eq!(text("May  1 10:00:00 mail postfix/smtp[1234]: 550 5.1.1 no such user"), "550 5.1.1 no such user");
    }

    #[test]
    fn multiline_gmail_reply_is_joined() {
        let t = text("550-5.7.26 This mail is unauthenticated, which poses a security risk.\n550-5.7.26 The sender must authenticate.\n550 5.7.26 Learn more - gsmtp");
        assert_eq!(t, "550 5.7.26 This mail is unauthenticated, which poses a security risk. The sender must authenticate. Learn more - gsmtp");
        let codes = crate::smtp::code::find_codes(&t);
        assert_eq!(codes.reply.unwrap().0, crate::smtp::ReplyCode(550));
        assert_eq!(codes.enhanced.unwrap().0.to_string(), "5.7.26");
    }

    #[test]
    fn exchange_forms() {
        assert_eq!(text("Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'"), "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup");
        assert_eq!(text("#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##"), "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found");
    }

    #[test]
    fn quoted_printable_soft_breaks() {
        assert_eq!(text("Diagnostic-Code: smtp; 550 5.2.=\n2 <a@example.jp>... Mailbox Full"), "550 5.2.2 <a@example.jp>... Mailbox Full");
        assert_eq!(text("550 5.1.1 user=3Dunknown"), "550 5.1.1 user=unknown");
    }

    #[test]
    fn exim_after_rcpt() {
        let c = clean("SMTP error from remote mail server after RCPT TO:<a@example.com>: host mx.example.com [192.0.2.1]: 550 5.1.1 <a@example.com>: Recipient address rejected: User unknown");
        assert_eq!(c.smtp_command, Some(Command::RcptTo));
        assert_eq!(c.remote_mta.as_deref(), Some("mx.example.com"));
        assert!(c.text.starts_with("550 5.1.1"), "{}", c.text);
    }

    #[test]
    fn binary_and_controls_are_removed() {
        assert_eq!(text("550\u{0}\u{7} 5.1.1 user unknown\u{1b}"), "550 5.1.1 user unknown");
    }
}
