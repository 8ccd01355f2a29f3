//! RFC 3464 delivery status notifications (`message/delivery-status`): the per-message fields
//! and one group of fields per recipient, with folded lines.

/// The fields of one delivery-status report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub reporting_mta: Option<String>,
    pub arrival_date: Option<String>,
    pub recipients: Vec<Recipient>,
}

/// The per-recipient fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recipient {
    pub final_recipient: Option<String>,
    pub original_recipient: Option<String>,
    pub action: Option<crate::smtp::DsnAction>,
    pub status: Option<String>,
    pub remote_mta: Option<String>,
    pub diagnostic_code: Option<String>,
    pub last_attempt_date: Option<String>,
}

/// Splits `type; value` and returns the value (`rfc822; a@b` -> `a@b`).
pub fn typed_value(v: &str) -> &str {
    match v.split_once(';') {
        Some((t, rest)) if !t.trim().is_empty() && t.trim().len() < 20 && !t.contains(' ') => rest.trim(),
        _ => v.trim(),
    }
}

fn clean_address(v: &str) -> String {
    typed_value(v).trim().trim_matches(['<', '>', '"', ' ']).to_string()
}

/// Unfolded `name: value` fields of one block.
fn fields(block: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = vec![];
    for line in block.lines() {
        if (line.starts_with(' ') || line.starts_with('\t')) && !out.is_empty() {
            let last = out.last_mut().expect("checked");
            last.1.push(' ');
            last.1.push_str(line.trim());
            continue;
        }
        let field = line.split_once(':').filter(|(name, _)| {
            let name = name.trim();
            !name.is_empty() && name.len() < 40 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
        match field {
            Some((name, value)) => out.push((name.trim().to_ascii_lowercase(), value.trim().to_string())),
            // Servers that write a multi-line reply without indenting its continuation lines
            // ("550-...", "550 ..."): keep them, as lines, with the diagnostic.
            None => {
                if let Some(last) = out.last_mut().filter(|(n, _)| n == "diagnostic-code") {
                    last.1.push('\n');
                    last.1.push_str(line.trim());
                }
            }
        }
    }
    out
}

/// Parses a delivery-status body. Blocks are separated by blank lines; a block holding a
/// `Final-Recipient` or `Original-Recipient` is a recipient, the others hold per-message fields.
pub fn parse(text: &str) -> Report {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    // Quoted-printable soft breaks inside the report are joined first.
    let text = crate::text::undo_quoted_printable(&text);
    let mut report = Report::default();
    for block in split_blocks(&text) {
        let f = fields(&block);
        let is_recipient = f.iter().any(|(n, _)| n == "final-recipient" || n == "original-recipient");
        if !is_recipient {
            for (n, v) in &f {
                match n.as_str() {
                    "reporting-mta" => report.reporting_mta.get_or_insert_with(|| typed_value(v).to_string()),
                    "arrival-date" => report.arrival_date.get_or_insert_with(|| v.clone()),
                    _ => continue,
                };
            }
            // A report that puts Status/Diagnostic-Code without a recipient line still counts.
            if f.iter().any(|(n, _)| n == "status" || n == "diagnostic-code") {
                report.recipients.push(recipient_of(&f));
            }
            continue;
        }
        report.recipients.push(recipient_of(&f));
    }
    report
}

fn recipient_of(f: &[(String, String)]) -> Recipient {
    let mut r = Recipient::default();
    for (n, v) in f {
        match n.as_str() {
            "final-recipient" if r.final_recipient.is_none() => r.final_recipient = Some(clean_address(v)),
            "original-recipient" if r.original_recipient.is_none() => r.original_recipient = Some(clean_address(v)),
            "action" if r.action.is_none() => r.action = crate::smtp::DsnAction::parse(v),
            "status" if r.status.is_none() => r.status = Some(v.trim().to_string()),
            "remote-mta" if r.remote_mta.is_none() => r.remote_mta = Some(typed_value(v).trim_matches(['[', ']']).to_string()),
            "diagnostic-code" => match &mut r.diagnostic_code {
                None => r.diagnostic_code = Some(v.clone()),
                // Some servers repeat the field for each line of a multi-line reply.
                Some(d) => {
                    d.push(' ');
                    d.push_str(typed_value(v));
                }
            },
            "last-attempt-date" if r.last_attempt_date.is_none() => r.last_attempt_date = Some(v.clone()),
            _ => {}
        }
    }
    r
}

/// Splits on blank lines, but keeps a block together when the next line is a continuation.
fn split_blocks(text: &str) -> Vec<String> {
    let mut blocks = vec![];
    let mut cur = String::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !cur.trim().is_empty() {
                blocks.push(std::mem::take(&mut cur));
            }
            cur.clear();
        } else {
            cur.push_str(line);
            cur.push('\n');
        }
    }
    if !cur.trim().is_empty() {
        blocks.push(cur);
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_recipients_and_folded_fields() {
        let r = parse("Reporting-MTA: dns; mx.example.jp\nArrival-Date: Thu, 29 Apr 2010 23:34:45 +0900\n\nFinal-Recipient: RFC822; <neko@example.co.jp>\nOriginal-Recipient: rfc822;neko@example.co.jp\nAction: failed\nStatus: 5.1.1\nRemote-MTA: DNS; [192.0.2.2]\nDiagnostic-Code: SMTP; 550 5.1.1 <neko@example.co.jp>:\n    Recipient address rejected: User unknown\n\nFinal-Recipient: rfc822; b@example.org\nAction: delayed\nStatus: 4.4.7\n");
        assert_eq!(r.reporting_mta.as_deref(), Some("mx.example.jp"));
        assert_eq!(r.recipients.len(), 2);
        let a = &r.recipients[0];
        assert_eq!(a.final_recipient.as_deref(), Some("neko@example.co.jp"));
        assert_eq!(a.action, Some(crate::smtp::DsnAction::Failed));
        assert_eq!(a.remote_mta.as_deref(), Some("192.0.2.2"));
        assert_eq!(a.diagnostic_code.as_deref(), Some("SMTP; 550 5.1.1 <neko@example.co.jp>: Recipient address rejected: User unknown"));
        assert_eq!(r.recipients[1].status.as_deref(), Some("4.4.7"));
    }

    #[test]
    fn unindented_reply_lines_continue_the_diagnostic() {
        let r = parse("Reporting-MTA: dns; mx.example.com\n\nFinal-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.0.0\nDiagnostic-Code: smtp; 550-Please turn on SMTP Authentication.\n550-mx.example.com [192.0.2.1]:25 is not permitted to\n550 relay through this server without authentication.\n");
        let d = r.recipients[0].diagnostic_code.as_deref().unwrap();
        assert!(d.ends_with("550 relay through this server without authentication."), "{d}");
        assert_eq!(r.recipients[0].status.as_deref(), Some("5.0.0"));
    }
}
