//! What the Paste view and `bouncelens explain` do with a text: a whole bounce email goes to
//! the email reader; anything else is split into messages (one per line, blocks separated by
//! blank lines, multi-line replies kept together) and each is classified.

use crate::classify::{extract, Classifier, Hints};
use crate::model::Record;
use crate::text::{self, human_bytes, looks_like_email, mbox};

/// The most text analysed from one paste; the rest is ignored and the user is told.
pub const MAX_PASTE_BYTES: usize = 1 << 20;
/// The most messages analysed from one paste.
pub const MAX_MESSAGES: usize = 1000;
/// The longest single message classified; longer ones are cut (and say so).
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;

/// The result of analysing a paste.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct PasteAnalysis {
    pub records: Vec<Record>,
    /// Things the user must know: what was cut, what could not be read.
    pub notices: Vec<String>,
}

/// One message found in a paste, with the line it starts on (1-based).
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub text: String,
    pub line: usize,
}

/// Splits a paste into messages.
///
/// A paste is one message unless it holds several replies that each start a line with their
/// own code (`550 ...`, `421 ...`, `5.1.10 ...`) or their own log prefix (a timestamp, a
/// syslog tag): a reply wrapped over several lines (by a mail client, a log, a library's
/// exception message) stays one message, and so does a text without any code. When there
/// are several, each starts a message and the lines after it (wrapped text, continuation
/// lines of a multi-line `550-` reply) belong to it; lines before the first belong to the
/// first.
pub fn split_messages(text: &str) -> Vec<Message> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = text::undo_quoted_printable(&text);
    let lines: Vec<&str> = text.lines().collect();
    let mut starts: Vec<usize> = vec![];
    let mut open_multiline: Option<String> = None;
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let stripped = extract::strip_line_prefix(line);
        let prefixed = stripped.len() != line.len() && !line.starts_with(char::is_whitespace);
        let trimmed = stripped.trim_start();
        let reply = reply_prefix(trimmed);
        let continues = match (&reply, &open_multiline) {
            (Some((code, _)), Some(open)) => code == open,
            _ => false,
        };
        open_multiline = match &reply {
            Some((code, '-')) => Some(code.clone()),
            Some(_) => None,
            None => open_multiline,
        };
        let starts_reply = (reply.is_some() && !continues) || starts_with_enhanced(trimmed);
        if (starts_reply && !line.starts_with(char::is_whitespace)) || prefixed {
            starts.push(i);
        }
    }
    let first_line = lines.iter().position(|l| !l.trim().is_empty());
    let Some(first_line) = first_line else { return vec![] };
    // A list of replies: a paragraph after a blank line that holds a code of its own is one
    // more message, wherever its code sits on the line ("Remote Server returned '550 ...'").
    if starts.len() >= 2 {
        let mut after_blank = false;
        for (i, line) in lines.iter().enumerate() {
            if line.trim().is_empty() {
                after_blank = true;
                continue;
            }
            if after_blank && !starts.contains(&i) {
                let end = lines[i..].iter().position(|l| l.trim().is_empty()).map(|n| i + n).unwrap_or(lines.len());
                if lines[i..end].iter().any(|l| crate::smtp::code::has_code(l)) {
                    starts.push(i);
                }
            }
            after_blank = false;
        }
        starts.sort_unstable();
    }
    if starts.len() <= 1 {
        return vec![Message { text: lines[first_line..].join("\n").trim_end().to_string(), line: first_line + 1 }];
    }
    let mut out = vec![];
    for (k, &start) in starts.iter().enumerate() {
        let from = if k == 0 { first_line } else { start };
        let to = starts.get(k + 1).copied().unwrap_or(lines.len());
        let body: Vec<&str> = lines[from..to].iter().copied().filter(|l| !l.trim().is_empty()).collect();
        if !body.is_empty() {
            out.push(Message { text: body.join("\n"), line: from + 1 });
        }
    }
    out
}

/// Whether a line starts with an enhanced status code followed by text (`5.1.10 RESOLVER...`).
fn starts_with_enhanced(line: &str) -> bool {
    let b = line.as_bytes();
    if b.len() < 6 || !matches!(b[0], b'2' | b'4' | b'5') || b[1] != b'.' {
        return false;
    }
    let end = line.find(char::is_whitespace).unwrap_or(line.len());
    let code = &line[..end];
    end < line.len() && code.split('.').count() == 3 && code.split('.').all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|c| c.is_ascii_digit()))
}

/// `Some(("550", '-'))` for a line starting "550-", `Some(("550", ' '))` for "550 ".
fn reply_prefix(line: &str) -> Option<(String, char)> {
    let b = line.as_bytes();
    if b.len() >= 4 && (b'2'..=b'5').contains(&b[0]) && b[..3].iter().all(|c| c.is_ascii_digit()) && (b[3] == b'-' || b[3] == b' ') {
        Some((line[..3].to_string(), b[3] as char))
    } else {
        None
    }
}

/// Analyses a paste: one record per message.
pub fn analyze(text: &str) -> PasteAnalysis {
    let mut analysis = PasteAnalysis::default();
    let mut text = text;
    if text.len() > MAX_PASTE_BYTES {
        let mut cut = MAX_PASTE_BYTES;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        analysis.notices.push(format!(
            "The text is {} long; only the first {} were analysed. Drop the file on the File view to analyse all of it.",
            human_bytes(text.len() as u64),
            human_bytes(cut as u64)
        ));
        text = &text[..cut];
    }
    if text.trim().is_empty() {
        analysis.notices.push("There is nothing to analyse: paste a bounce message, a server reply or a bounce email.".into());
        return analysis;
    }
    if looks_like_email(text) {
        let reading = crate::email::read_email(text.as_bytes(), "The pasted email");
        analysis.records = reading.records;
        analysis.notices.extend(reading.notes);
        if analysis.records.is_empty() {
            analysis.notices.push("This looks like an email, but no failed recipient or reply could be found in it.".into());
        }
        return analysis;
    }
    // The text of a bounce report without its headers: read per recipient, like an email.
    if crate::email::looks_like_report(text) {
        let records = crate::email::analyze_report_text(text, "paste");
        if !records.is_empty() {
            analysis.records = records;
            return analysis;
        }
    }
    let messages = split_messages(text);
    let total = messages.len();
    let classifier = Classifier::get();
    for (i, m) in messages.into_iter().take(MAX_MESSAGES).enumerate() {
        let mut body = m.text.as_str();
        if body.len() > MAX_MESSAGE_BYTES {
            let mut cut = MAX_MESSAGE_BYTES;
            while !body.is_char_boundary(cut) {
                cut -= 1;
            }
            body = &body[..cut];
            analysis.notices.push(format!("Message {} (line {}) is very long; only its first {} were analysed.", i + 1, m.line, human_bytes(cut as u64)));
        }
        let cleaned = extract::clean(body);
        let recipient = cleaned.recipient.clone();
        let verdict = classifier.classify_cleaned(&cleaned, &Hints::default());
        analysis.records.push(Record {
            recipient,
            verdict,
            source: Some(format!("paste:line {}", m.line)),
            context: crate::model::Context {
                remote_mta: cleaned.remote_mta.clone(),
                smtp_command: cleaned.smtp_command,
                ..Default::default()
            },
        });
    }
    if total > MAX_MESSAGES {
        analysis.notices.push(format!(
            "The text holds {total} messages; the first {MAX_MESSAGES} were analysed. Drop it as a file on the File view to analyse all of them."
        ));
    }
    if analysis.records.iter().all(|r| r.verdict.category == crate::model::Category::Unknown) {
        analysis.notices.push("No SMTP code and no wording bouncelens knows was found. Paste the full reply from the bounce (it usually starts with a code such as 550 or 421).".into());
    }
    analysis
}

/// Analyses a dropped or opened file in the Paste view (and a file given to `bouncelens
/// analyze` that is not an export): an email or an mbox from its bytes (charsets and transfer
/// encodings are decoded by the email reader), anything else as text.
pub fn analyze_bytes(bytes: &[u8], name: &str) -> PasteAnalysis {
    let mut analysis = PasteAnalysis::default();
    if bytes.len() > 32 * MAX_PASTE_BYTES {
        analysis.notices.push(format!("{name} is {}; open it in the File view, which reads files of any size.", human_bytes(bytes.len() as u64)));
        return analysis;
    }
    let (head, _) = text::decode(&bytes[..bytes.len().min(65536)]);
    if mbox::is_mbox(bytes) || bytes.starts_with(b"From ") || looks_like_email(&head) || name.to_ascii_lowercase().ends_with(".eml") {
        let reading = crate::email::read_file(bytes, name);
        analysis.records = reading.records;
        analysis.notices.extend(reading.notes);
        if analysis.records.len() > MAX_MESSAGES {
            analysis.notices.push(format!("{name} holds {} bounces; the first {MAX_MESSAGES} are shown. The File view shows them all.", analysis.records.len()));
            analysis.records.truncate(MAX_MESSAGES);
        }
        if analysis.records.is_empty() {
            analysis.notices.push(format!("No failed recipient or server reply was found in {name}."));
        }
        return analysis;
    }
    let (text, _) = text::decode(bytes);
    let mut analysis = analyze(&text);
    for r in &mut analysis.records {
        r.source = Some(format!("{name}:{}", r.source.as_deref().unwrap_or("").trim_start_matches("paste:")));
    }
    analysis
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        split_messages(s).into_iter().map(|m| m.text).collect()
    }

    #[test]
    fn one_per_coded_line() {
        let t = texts("550 5.1.1 user unknown\n421 4.7.0 try again later\n452 4.2.2 mailbox full");
        assert_eq!(t.len(), 3);
        let t = texts("550 5.1.1 user unknown\n\n550 5.1.1 no such user here");
        assert_eq!(t.len(), 2, "{t:?}");
    }

    #[test]
    fn multiline_reply_is_one_message() {
        let t = texts("550-5.7.26 Unauthenticated email from example.com is not accepted due to\n550-5.7.26 domain's DMARC policy.\n550 5.7.26 - gsmtp\n421 4.7.0 Try again later");
        assert_eq!(t.len(), 2, "{t:?}");
        assert!(t[0].contains("DMARC"));
        assert!(t[1].starts_with("421"));
    }

    #[test]
    fn a_wrapped_reply_stays_one_message() {
        // As libraries and logs print it: the code once, the text wrapped, capitalised lines.
        for s in [
            "<a@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1\n    <a@example.com>: Recipient address rejected: User unknown",
            "Error: Message failed: 550 5.1.1 <a@example.com>: Recipient address rejected:\nUser unknown in virtual mailbox table",
            "SMTP error from remote server for RCPT TO command, host: mx.example.fr reason: 550 5.1.1 Invalid recipient.\nOFR_416 [416]",
            "The email account that you tried to reach does not exist. Please try\ndouble-checking the recipient's email address for typos or\nunnecessary spaces.",
            "550 5.7.1 Message rejected\n\nPlease see the postmaster page for details.",
        ] {
            assert_eq!(texts(s).len(), 1, "{s:?} -> {:?}", texts(s));
        }
    }

    #[test]
    fn in_a_list_a_coded_paragraph_is_a_message() {
        let t = texts("550 5.1.1 user unknown\n421 4.7.0 try again later\n\nRemote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound'");
        assert_eq!(t.len(), 3, "{t:?}");
    }

    #[test]
    fn log_lines_are_one_message_each() {
        let t = texts("May  1 10:00:00 mail postfix/smtp[1234]: A1: to=<a@example.com>, status=bounced (host mx said: 550 5.1.1 no such user)\nMay  1 10:00:01 mail postfix/smtp[1234]: B2: to=<b@example.com>, status=deferred (host mx said: 421 4.7.0 try later)");
        assert_eq!(t.len(), 2, "{t:?}");
    }

    #[test]
    fn context_lines_attach_to_the_reply() {
        let t = texts("The response from the remote server was:\n550 5.1.1 The email account that you tried to reach does not exist.");
        assert_eq!(t.len(), 1, "{t:?}");
    }

    #[test]
    fn a_pasted_report_body_is_read_per_recipient() {
        // A Postfix report as a mail client shows it, without headers: one card, with the
        // recipient and the reply.
        let body = "This is the mail system at host mail.example.com.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients. It's attached below.\n\n                   The mail system\n\n<a@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 <a@example.org>:\n    Recipient address rejected: User unknown in local recipient table (in reply to\n    RCPT TO command)\n";
        let a = analyze(body);
        assert_eq!(a.records.len(), 1, "{:#?}", a.records);
        assert_eq!(a.records[0].recipient.as_deref(), Some("a@example.org"));
        assert_eq!(a.records[0].verdict.category, crate::model::Category::InvalidRecipient);
    }

    #[test]
    fn a_pasted_exchange_bounce_gives_a_card_per_recipient() {
        // Exchange/Office 365 writes header names longer than 40 characters; the whole report
        // pasted as text is still an email, read per recipient.
        let bounce = [
            "Received: from AM0PR01MB1234.eurprd01.prod.exchangelabs.com (2603:10a6:208:1::1) by AM0PR01MB1234.eurprd01.prod.exchangelabs.com",
            "X-MS-Exchange-Transport-CrossTenantHeadersStamped: AM0PR01MB1234",
            "X-MS-Exchange-Organization-AuthSource: AM0PR01MB1234.eurprd01.prod.exchangelabs.com",
            "From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@example.com>",
            "To: <sender@example.com>",
            "Subject: Undeliverable: Spring newsletter",
            "Date: Tue, 1 Dec 2026 10:00:00 +0000",
            "Content-Type: text/plain; charset=utf-8",
            "",
            "Delivery has failed to these recipients or groups:",
            "",
            "ann@example.org",
            "The email address you entered couldn't be found.",
            "",
            "bob@example.net",
            "The recipient's mailbox is full and can't accept messages now.",
            "",
            "Diagnostic information for administrators:",
            "",
            "Generating server: AM0PR01MB1234.eurprd01.prod.exchangelabs.com",
            "",
            "ann@example.org",
            "Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'",
            "",
            "bob@example.net",
            "Remote Server returned '552 5.2.2 mailbox full'",
        ]
        .join("\n");
        let a = analyze(&bounce);
        let got: Vec<(Option<&str>, crate::model::Category)> = a.records.iter().map(|r| (r.recipient.as_deref(), r.verdict.category)).collect();
        use crate::model::Category::*;
        assert_eq!(got, vec![(Some("ann@example.org"), InvalidRecipient), (Some("bob@example.net"), MailboxFull)], "{:#?}", a.records);
    }

    #[test]
    fn empty_and_huge_input() {
        let a = analyze("   \n ");
        assert!(a.records.is_empty());
        assert_eq!(a.notices.len(), 1);
        let big = "550 5.1.1 user unknown\n".repeat(300_000); // ~7 MB
        let a = analyze(&big);
        assert_eq!(a.records.len(), MAX_MESSAGES);
        assert!(a.notices.iter().any(|n| n.contains("only the first")), "{:?}", a.notices);
    }

    #[test]
    fn one_huge_line_is_cut_not_hung() {
        let line = format!("550 5.1.1 {}", "x".repeat(2 << 20));
        let a = analyze(&line);
        assert_eq!(a.records.len(), 1);
        assert_eq!(a.records[0].verdict.reply_code.map(|c| c.to_string()).as_deref(), Some("550"));
    }
}
