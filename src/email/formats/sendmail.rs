//! Sendmail's plain-text report, also written by V5 sendmail, Active!Hunter and other clones:
//! a list of failed addresses, then the transcript of the SMTP session.
//!
//! ```text
//!    ----- The following addresses had permanent fatal errors -----
//! <kijitora@example.org>
//!     (reason: 550 5.1.1 User unknown)
//!
//!    ----- Transcript of session follows -----
//! ... while talking to mx.example.org.:
//! >>> RCPT To:<kijitora@example.org>
//! <<< 550 5.1.1 <kijitora@example.org>... User unknown
//! 550 5.1.1 <kijitora@example.org>... User unknown
//! ```
//!
//! Each `NNN <address>... text` line of the transcript closes the replies (`<<<`) read since
//! the previous one; old versions nest the remote code (`554 <a@b>... 550 Host unknown`).
//! Modern Sendmail adds a delivery-status part, which is read first.

use super::{helpers::bounce, Decoder};
use crate::smtp::address;
use crate::email::mime::Mail;
use crate::email::Bounce;
use crate::smtp::Command;

pub struct Sendmail;

re!(re_list_head, r"(?im)^\s*-*\s*the following addresses? (had|has) (permanent fatal errors|delivery (problems|errors)|transient non-fatal errors|errors)\s*-*\s*$");
re!(re_transcript_head, r"(?im)^\s*-+\s*transcript of (the )?session follows\s*-+\s*$");
re!(re_section, r"^\s*-{3,}.*-{3,}\s*$");
re!(re_talking, r"(?i)^\.*\s*while talking to\s+([A-Za-z0-9][\w.-]*?)\.?:\s*$");
re!(re_command, r"^\s*>>>\s*([A-Za-z]+(?: (?:To|From))?)");
re!(re_address_line, r"^(?:(\d{3})[ -](?:\d\.\d{1,3}\.\d{1,3}\s+)?)?<?([^<>\s]+@[^<>\s]+?)>?\.\.\.\s*(.*)$");
re!(re_nested_code, r"^\d{3}\s");

impl Decoder for Sendmail {
    fn name(&self) -> &'static str {
        "sendmail"
    }

    fn detect(&self, _mail: &Mail, report: &str) -> bool {
        re_list_head().is_match(report) || re_transcript_head().is_match(report)
    }


    fn decode(&self, _mail: &Mail, report: &str) -> Vec<Bounce> {
        // The listed recipients, with the "(reason: ...)" lines under them, and other sections
        // of explanation after the list.
        let mut listed: Vec<(String, String)> = vec![];
        let mut explanation = String::new();
        if let Some(m) = re_list_head().find(report) {
            let mut in_list = true;
            let mut unnamed = false; // a program or file listed without an address
            for line in report[m.end()..].lines() {
                if re_transcript_head().is_match(line) {
                    break;
                }
                if re_section().is_match(line) {
                    in_list = false;
                    continue;
                }
                let t = line.trim();
                if !in_list {
                    if !t.is_empty() {
                        explanation.push_str(t);
                        explanation.push('\n');
                    }
                    continue;
                }
                if t.starts_with('(') {
                    let inner = t.trim_start_matches('(').trim_end_matches(')');
                    if let Some(r) = inner.strip_prefix("reason:") {
                        if let Some(last) = listed.last_mut() {
                            last.1 = r.trim().to_string();
                        }
                    } else if let Some(a) = inner.strip_prefix("expanded from:").and_then(address::first_in) {
                        if unnamed && !listed.iter().any(|(x, _)| x.eq_ignore_ascii_case(&a)) {
                            listed.push((a, String::new()));
                        }
                    }
                    continue;
                }
                match address::first_in(t) {
                    Some(a) if !t.starts_with('"') && !t.starts_with('|') => {
                        unnamed = false;
                        // "a@b [User unknown]", "a@b... reason": the reason on the same line.
                        let rest = t[t.find(&a).map(|i| i + a.len()).unwrap_or(t.len()).min(t.len())..]
                            .trim_start_matches(['>', '.', ':', ' '])
                            .trim()
                            .trim_start_matches('[')
                            .trim_end_matches(']')
                            .to_string();
                        if !listed.iter().any(|(x, _)| x.eq_ignore_ascii_case(&a)) {
                            listed.push((a, rest));
                        }
                    }
                    _ if !t.is_empty() => unnamed = true,
                    _ => {}
                }
            }
        }

        // The transcript: replies read, then the line that names the address.
        struct Found {
            diag: String,
            command: Option<Command>,
            host: Option<String>,
        }
        let mut found: Vec<(String, Found)> = vec![];
        if let Some(m) = re_transcript_head().find(report) {
            let mut host: Option<String> = None;
            let mut command: Option<Command> = None;
            let mut pending: Vec<String> = vec![];
            let mut replied = false; // a "<<<" reply since the last address line
            for line in report[m.end()..].lines() {
                if re_section().is_match(line) {
                    break;
                }
                let t = line.trim();
                if t.is_empty() {
                    continue;
                }
                if let Some(c) = re_talking().captures(t) {
                    host = Some(c[1].to_string());
                    continue;
                }
                if let Some(c) = re_command().captures(t) {
                    command = Command::parse(&c[1]);
                    continue;
                }
                if let Some(r) = t.strip_prefix("<<<") {
                    pending.push(r.trim().to_string());
                    replied = true;
                    continue;
                }
                if let Some(c) = re_address_line().captures(t) {
                    let addr = address::normalize(&c[2]);
                    let text = c[3].trim();
                    // "554 <a@b>... 550 Host unknown": the nested code is the remote one.
                    let own = if re_nested_code().is_match(text) {
                        text.to_string()
                    } else {
                        match c.get(1) {
                            Some(code) => format!("{} {}", code.as_str(), text),
                            None => text.to_string(),
                        }
                    };
                    let mut diag = pending.join("\n");
                    if !diag.is_empty() {
                        diag.push('\n');
                    }
                    diag.push_str(&own);
                    pending.clear();
                    // The command answered by the replies read, if any were read.
                    let (command, host) = if replied { (command, host.clone()) } else { (None, None) };
                    replied = false;
                    match found.iter_mut().find(|(a, _)| a.eq_ignore_ascii_case(&addr)) {
                        Some((_, f)) => {
                            f.diag.push('\n');
                            f.diag.push_str(&diag);
                        }
                        None => found.push((addr, Found { diag, command, host })),
                    }
                    continue;
                }
                // Other lines (a host's own error, a local program's output) go with the next
                // address line.
                pending.push(t.to_string());
            }
            // Lines after the last address line belong to the last recipient.
            if !pending.is_empty() {
                if let Some((_, f)) = found.last_mut() {
                    f.diag.push('\n');
                    f.diag.push_str(&pending.join("\n"));
                } else if listed.len() == 1 {
                    found.push((listed[0].0.clone(), Found { diag: pending.join("\n"), command, host: host.clone() }));
                }
            }
        }

        let mut recipients: Vec<String> = listed.iter().map(|(a, _)| a.clone()).collect();
        if recipients.is_empty() {
            recipients = found.iter().map(|(a, _)| a.clone()).collect();
        }
        if recipients.is_empty() {
            recipients = address::all_in(report).into_iter().take(1).collect();
        }
        recipients
            .into_iter()
            .map(|rcpt| {
                let reason = listed.iter().find(|(a, _)| a.eq_ignore_ascii_case(&rcpt)).map(|(_, r)| r.clone()).unwrap_or_default();
                let f = found.iter().find(|(a, _)| a.eq_ignore_ascii_case(&rcpt)).map(|(_, f)| f);
                let mut diag = match f {
                    Some(f) if !reason.is_empty() && !f.diag.contains(&reason) => format!("{}\n{}", f.diag, reason),
                    Some(f) => f.diag.clone(),
                    None => reason,
                };
                if f.is_none() && !explanation.is_empty() {
                    if !diag.is_empty() {
                        diag.push('\n');
                    }
                    diag.push_str(explanation.trim());
                }
                let mut b = bounce(Some(rcpt), diag);
                if let Some(f) = f {
                    b.smtp_command = f.command;
                    b.remote_mta = f.host.clone();
                }
                b
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::mime;

    #[test]
    fn transcript_replies_go_to_the_address_line_after_them() {
        let raw = "From: Mail Delivery Subsystem <MAILER-DAEMON@example.com>\nSubject: Returned mail: User unknown\n\n   ----- Transcript of session follows -----\nWhile talking to mx.example.org:\n>>> MAIL From:<me@example.com>\n<<< 501 <me@example.com>... no access from mail server [192.0.2.55] which is an open relay.\n554 <a@example.org>... Remote protocol error\n554 <b@example.org>... 550 Host unknown (Authoritative answer from name server)\nWhile talking to smtp.example.edu:\n>>> RCPT To:<c@example.edu>\n<<< 550 <c@example.edu>... User unknown\n550 <c@example.edu>... User unknown\n   ----- Unsent message follows -----\nFrom: me@example.com\n";
        let mail = mime::parse(raw.as_bytes()).unwrap();
        let body = mail.body_text();
        let report = super::super::helpers::report_text(&body).to_string();
        assert!(Sendmail.detect(&mail, &report));
        let b = Sendmail.decode(&mail, &report);
        assert_eq!(b.len(), 3);
        assert!(b[0].diagnostic.starts_with("501 "), "{}", b[0].diagnostic);
        assert_eq!(b[0].smtp_command, Some(crate::smtp::Command::MailFrom));
        assert_eq!(b[0].remote_mta.as_deref(), Some("mx.example.org"));
        assert!(b[1].diagnostic.starts_with("550 Host unknown"), "{}", b[1].diagnostic);
        assert_eq!(b[2].recipient.as_deref(), Some("c@example.edu"));
        assert_eq!(b[2].smtp_command, Some(crate::smtp::Command::RcptTo));
    }

    #[test]
    fn listed_recipient_with_reason_only() {
        let raw = "From: MAILER-DAEMON@example.org\nSubject: Returned mail\n\n   ----- The following addresses had permanent fatal errors -----\n<a@example.net>\n    (reason: 550 Host unknown)\n";
        let mail = mime::parse(raw.as_bytes()).unwrap();
        let b = Sendmail.decode(&mail, &mail.body_text());
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].diagnostic, "550 Host unknown");
    }
}
