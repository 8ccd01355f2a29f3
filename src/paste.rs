//! What the Paste view and `bouncelens explain` do with a text: a whole bounce email goes to
//! the email reader; anything else is split into messages (one per line, blocks separated by
//! blank lines, multi-line replies kept together) and each is classified.

use crate::classify::{extract, Classifier, Hints};
use crate::model::Record;
use crate::smtp::code::has_code;
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
/// * Blocks separated by blank lines are separate.
/// * In a block, every line with a reply or enhanced code starts a message, except the
///   continuation lines of a multi-line reply (`550-...`) and indented (folded) lines.
/// * Lines without a code before the first coded line of a block are context for it; after a
///   coded line, indented or lower-case lines continue it, other lines stand alone.
/// * A block without any code gives one message per line (indented lines continue the
///   previous one).
pub fn split_messages(text: &str) -> Vec<Message> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = text::undo_quoted_printable(&text);
    let mut out: Vec<Message> = vec![];
    let mut block: Vec<(usize, &str)> = vec![];
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            flush_block(&mut block, &mut out);
        } else {
            block.push((i + 1, line));
        }
    }
    flush_block(&mut block, &mut out);
    out
}

fn flush_block(block: &mut Vec<(usize, &str)>, out: &mut Vec<Message>) {
    if block.is_empty() {
        return;
    }
    let coded: Vec<bool> = block.iter().map(|(_, l)| has_code(extract::strip_line_prefix(l))).collect();
    let any_code = coded.iter().any(|c| *c);
    let mut current: Option<Message> = None;
    let mut multiline: Option<String> = None;
    let mut context: Vec<(usize, String)> = vec![];

    let finish = |m: &mut Option<Message>, out: &mut Vec<Message>| {
        if let Some(m) = m.take() {
            out.push(m);
        }
    };

    for (idx, (lineno, line)) in block.iter().enumerate() {
        let stripped = extract::strip_line_prefix(line);
        let indented = line.starts_with(' ') || line.starts_with('\t');
        let reply_prefix = reply_prefix(stripped.trim_start());

        // Continuation of a multi-line reply.
        if let Some(code) = &multiline {
            if let Some((c, sep)) = &reply_prefix {
                if c == code {
                    append(&mut current, line);
                    if *sep == ' ' {
                        multiline = None;
                    }
                    continue;
                }
            }
            multiline = None;
        }
        if indented && current.is_some() {
            append(&mut current, line);
            continue;
        }
        if coded[idx] {
            finish(&mut current, out);
            let mut text = String::new();
            let mut first_line = *lineno;
            for (n, c) in context.drain(..) {
                if text.is_empty() {
                    first_line = n;
                }
                text.push_str(&c);
                text.push('\n');
            }
            text.push_str(line);
            current = Some(Message { text, line: first_line });
            if let Some((c, '-')) = reply_prefix {
                multiline = Some(c);
            }
            continue;
        }
        // A line without a code.
        if any_code && current.is_none() {
            context.push((*lineno, line.to_string()));
            continue;
        }
        // After a coded reply, a lower-case line continues it; in a block without codes every
        // line is its own message.
        let continues = any_code
            && current.is_some()
            && stripped.trim_start().starts_with(|c: char| c.is_lowercase() || c == '(' || c == '<');
        if continues {
            append(&mut current, line);
        } else {
            finish(&mut current, out);
            current = Some(Message { text: line.to_string(), line: *lineno });
        }
    }
    finish(&mut current, out);
    // Context lines with no coded line after them stand alone.
    for (n, c) in context.drain(..) {
        out.push(Message { text: c, line: n });
    }
    block.clear();
}

fn append(current: &mut Option<Message>, line: &str) {
    if let Some(m) = current {
        m.text.push('\n');
        m.text.push_str(line);
    }
}

/// `Some(("550", '-'))` for a line starting "550-", `Some(("550", ' '))` for "550 ".
fn reply_prefix(line: &str) -> Option<(String, char)> {
    let b = line.as_bytes();
    if b.len() >= 4 && b[..3].iter().all(|c| c.is_ascii_digit()) && (b[3] == b'-' || b[3] == b' ') {
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
        analysis.records = crate::email::analyze_email(text.as_bytes(), "paste");
        if analysis.records.is_empty() {
            analysis.notices.push("This looks like an email, but no failed recipient or reply could be found in it.".into());
        }
        return analysis;
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
        analysis.records = crate::email::analyze_file(bytes, name);
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
    fn one_per_line() {
        let t = texts("550 5.1.1 user unknown\n421 4.7.0 try again later\n452 4.2.2 mailbox full");
        assert_eq!(t.len(), 3);
    }

    #[test]
    fn multiline_reply_is_one_message() {
        let t = texts("550-5.7.26 Unauthenticated email from example.com is not accepted due to\n550-5.7.26 domain's DMARC policy.\n550 5.7.26 - gsmtp\n421 4.7.0 Try again later");
        assert_eq!(t.len(), 2, "{t:?}");
        assert!(t[0].contains("DMARC"));
        assert!(t[1].starts_with("421"));
    }

    #[test]
    fn blocks_and_folded_lines() {
        let t = texts("<a@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1\n    <a@example.com>: Recipient address rejected: User unknown\n\nmailbox full\nuser unknown");
        assert_eq!(t.len(), 3, "{t:?}");
        assert!(t[0].contains("Recipient address rejected"));
    }

    #[test]
    fn context_lines_attach_to_the_reply() {
        let t = texts("The response from the remote server was:\n550 5.1.1 The email account that you tried to reach does not exist.");
        assert_eq!(t.len(), 1, "{t:?}");
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
