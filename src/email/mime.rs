//! A bounce email as the decoders see it: its headers, its text parts (decoded to UTF-8 from
//! whatever transfer encoding and charset they had) and the message it returned. MIME is
//! parsed by `mail-parser`; binary parts (attachments, images) are skipped.

use mail_parser::{HeaderValue, MessageParser, MimeHeaders, PartType};

/// The largest text part kept. A bounce's useful text is small, but a report may list tens of
/// thousands of recipients (50,000 addresses take about 1.5 MB); what is cut is counted in
/// [`Mail::cut`] and announced.
pub const MAX_TEXT_PART: usize = 8 << 20;
/// How deep nested messages are followed; deeper ones are counted in [`Mail::too_deep`].
pub const MAX_DEPTH: usize = 4;

/// A parsed email.
#[derive(Clone, Debug, Default)]
pub struct Mail {
    /// Header fields in order, names as written, values unfolded and decoded.
    pub headers: Vec<(String, String)>,
    /// Text parts in order (`text/*`, `message/delivery-status`, `message/feedback-report`...).
    pub parts: Vec<Part>,
    /// Messages carried inside (`message/rfc822`, `text/rfc822-headers`), parsed.
    pub attached: Vec<Mail>,
    /// Bytes of text parts left out past [`MAX_TEXT_PART`].
    pub cut: u64,
    /// Messages nested deeper than [`MAX_DEPTH`], not read.
    pub too_deep: u32,
}

/// One non-binary part.
#[derive(Clone, Debug)]
pub struct Part {
    /// Lower-case `type/subtype`.
    pub content_type: String,
    pub text: String,
}

impl Mail {
    /// The first value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn subject(&self) -> &str {
        self.header("Subject").unwrap_or("")
    }

    pub fn from(&self) -> &str {
        self.header("From").unwrap_or("")
    }

    /// The parts of a content type.
    pub fn parts_of<'a>(&'a self, content_type: &'a str) -> impl Iterator<Item = &'a Part> + 'a {
        self.parts.iter().filter(move |p| p.content_type == content_type)
    }

    /// The human-readable report: the text/plain parts (or the HTML converted to text when
    /// there is no plain part), joined.
    pub fn body_text(&self) -> String {
        let plain: Vec<&str> = self
            .parts
            .iter()
            // A multipart whose boundaries were lost reaches us as one text part: read it too.
            .filter(|p| p.content_type == "text/plain" || p.content_type.is_empty() || p.content_type.starts_with("multipart/"))
            .map(|p| p.text.as_str())
            .collect();
        if !plain.is_empty() {
            return plain.join("\n");
        }
        let html: Vec<String> = self.parts_of("text/html").map(|p| html_to_text(&p.text)).collect();
        html.join("\n")
    }

    /// The message that bounced, when the report carries it (or its headers).
    pub fn returned(&self) -> Option<&Mail> {
        self.attached.first()
    }
}

/// Parses raw email bytes. Returns `None` when no header at all can be read.
pub fn parse(raw: &[u8]) -> Option<Mail> {
    let msg = MessageParser::default().parse(raw)?;
    let mut mail = Mail::default();
    fill(&msg, &mut mail, 0);
    if mail.headers.is_empty() && mail.parts.is_empty() {
        return None;
    }
    if mail.parts.is_empty() && mail.attached.is_empty() {
        // A broken MIME structure (a boundary parameter the parser could not read): the body
        // as text, without the boundary lines and part headers.
        if let Some(text) = raw_body_text(raw, &mut mail.cut) {
            mail.parts.push(Part { content_type: "text/plain".into(), text });
        }
    }
    Some(mail)
}

/// Parses only the header block of a text (e.g. `text/rfc822-headers`, or an inline copy).
pub fn parse_headers(raw: &[u8]) -> Option<Mail> {
    let msg = MessageParser::default().parse_headers(raw)?;
    let mut mail = Mail::default();
    mail.headers = headers_of(&msg);
    if mail.headers.is_empty() {
        None
    } else {
        Some(mail)
    }
}

fn headers_of(msg: &mail_parser::Message) -> Vec<(String, String)> {
    msg.headers()
        .iter()
        .map(|h| (h.name().to_string(), value_text(msg, h)))
        .collect()
}

fn value_text(msg: &mail_parser::Message, h: &mail_parser::Header) -> String {
    match &h.value {
        HeaderValue::Text(t) => t.to_string(),
        HeaderValue::TextList(l) => l.join(", "),
        HeaderValue::Address(a) => {
            let mut out = vec![];
            for addr in a.iter() {
                match (&addr.name, &addr.address) {
                    (Some(n), Some(e)) => out.push(format!("{n} <{e}>")),
                    (None, Some(e)) => out.push(e.to_string()),
                    (Some(n), None) => out.push(n.to_string()),
                    _ => {}
                }
            }
            out.join(", ")
        }
        HeaderValue::DateTime(_) | HeaderValue::ContentType(_) | HeaderValue::Received(_) | HeaderValue::Empty => {
            // Keep the raw text for these.
            let raw = msg.raw_message();
            let (s, e) = (h.offset_start as usize, h.offset_end as usize);
            if s < e && e <= raw.len() {
                crate::text::unfold(&String::from_utf8_lossy(&raw[s..e])).replace('\n', " ").trim().to_string()
            } else {
                String::new()
            }
        }
    }
}

/// Re-reads a text part whose declared charset did not fit its bytes (Japanese carriers label
/// EUC-JP or Shift_JIS text as ISO-2022-JP): when the decoded text has replacement characters
/// and the part was sent without transfer encoding, its raw bytes are decoded as UTF-8, EUC-JP
/// or Shift_JIS, whichever reads without errors.
fn repair_charset(msg: &mail_parser::Message, part: &mail_parser::MessagePart, text: &str) -> Option<String> {
    if !text.contains('\u{FFFD}') || part.encoding != mail_parser::Encoding::None {
        return None;
    }
    let raw = msg.raw_message();
    let (s, e) = (part.offset_body as usize, part.offset_end as usize);
    if s >= e || e > raw.len() {
        return None;
    }
    let bytes = &raw[s..e.min(s + MAX_TEXT_PART)];
    if let Ok(t) = std::str::from_utf8(bytes) {
        return Some(t.to_string());
    }
    for enc in [encoding_rs::EUC_JP, encoding_rs::SHIFT_JIS, encoding_rs::EUC_KR, encoding_rs::GBK] {
        let (t, had_errors) = enc.decode_without_bom_handling(bytes);
        if !had_errors {
            return Some(t.into_owned());
        }
    }
    None
}

fn fill(msg: &mail_parser::Message, mail: &mut Mail, depth: usize) {
    mail.headers = headers_of(msg);
    for part in msg.parts.iter() {
        let ct = part
            .content_type()
            .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or("")).to_ascii_lowercase())
            .unwrap_or_default();
        match &part.body {
            PartType::Text(t) => {
                if ct == "text/rfc822-headers" || ct == "text/rfc822-header" {
                    if let Some(h) = parse_headers(t.as_bytes()) {
                        mail.attached.push(h);
                    }
                } else {
                    let text = repair_charset(msg, part, t).unwrap_or_else(|| cap(t, &mut mail.cut));
                    mail.parts.push(Part { content_type: ct, text });
                }
            }
            PartType::Html(t) => mail.parts.push(Part { content_type: if ct.is_empty() { "text/html".into() } else { ct }, text: cap(t, &mut mail.cut) }),
            PartType::Message(inner) => {
                if depth < MAX_DEPTH {
                    let mut m = Mail::default();
                    fill(inner, &mut m, depth + 1);
                    mail.cut += m.cut;
                    mail.too_deep += m.too_deep;
                    mail.attached.push(m);
                } else {
                    mail.too_deep += 1;
                }
            }
            PartType::Binary(b) | PartType::InlineBinary(b) => {
                // Report parts come as "binary" to mail-parser; read them as text. Real binaries
                // (images, archives, documents) are skipped.
                if ct.starts_with("message/") {
                    if ct == "message/rfc822-headers" || ct == "message/partial" {
                        if let Some(h) = parse_headers(b) {
                            mail.attached.push(h);
                        }
                        continue;
                    }
                    let text = String::from_utf8_lossy(capped(b, &mut mail.cut)).into_owned();
                    if ct == "message/rfc822" || ct == "message/global" {
                        if let Some(h) = parse_headers(text.as_bytes()) {
                            mail.attached.push(h);
                        }
                    } else {
                        mail.parts.push(Part { content_type: ct, text });
                    }
                } else if ct.starts_with("text/") || ct == "application/json" {
                    let text = String::from_utf8_lossy(capped(b, &mut mail.cut)).into_owned();
                    mail.parts.push(Part { content_type: ct, text });
                }
            }
            PartType::Multipart(_) => {}
        }
    }
}

/// The text after the header block, without MIME boundary lines and part header fields.
fn raw_body_text(raw: &[u8], left_out: &mut u64) -> Option<String> {
    let raw = capped(raw, left_out);
    let text = String::from_utf8_lossy(raw);
    let start = text.find("\n\n").or_else(|| text.find("\r\n\r\n"))?;
    let mut out = String::new();
    let mut in_part_header = false;
    for line in text[start..].lines() {
        let t = line.trim_end();
        let is_boundary = t.starts_with("--") && t.len() > 2 && !t.contains(' ');
        let is_field = t.len() > 8 && t.as_bytes()[..8].eq_ignore_ascii_case(b"content-") && t.contains(':');
        if is_boundary {
            in_part_header = true;
            continue;
        }
        if in_part_header {
            if t.is_empty() {
                in_part_header = false;
            }
            continue;
        }
        if is_field || t.trim_start().to_ascii_lowercase().starts_with("boundary=") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    let out = out.trim().to_string();
    if out.is_empty() {
        None
    } else {
        Some(cap(&out, left_out))
    }
}

fn cap(t: &str, left_out: &mut u64) -> String {
    if t.len() <= MAX_TEXT_PART {
        return t.to_string();
    }
    let mut cut = MAX_TEXT_PART;
    while !t.is_char_boundary(cut) {
        cut -= 1;
    }
    *left_out += (t.len() - cut) as u64;
    t[..cut].to_string()
}

/// At most [`MAX_TEXT_PART`] bytes of a part's body, the rest counted as left out.
fn capped<'b>(b: &'b [u8], left_out: &mut u64) -> &'b [u8] {
    if b.len() > MAX_TEXT_PART {
        *left_out += (b.len() - MAX_TEXT_PART) as u64;
        &b[..MAX_TEXT_PART]
    } else {
        b
    }
}

/// A plain-text rendering of HTML good enough to find replies in (tags dropped, block
/// elements become line breaks, common entities decoded).
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    let mut tag = String::new();
    let mut skip_depth = 0usize; // inside <style> or <script>
    for ch in html.chars() {
        if in_tag {
            if ch == '>' {
                in_tag = false;
                let name = tag.trim_start_matches('/').split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or("").to_ascii_lowercase();
                let closing = tag.starts_with('/');
                if name == "style" || name == "script" {
                    if closing {
                        skip_depth = skip_depth.saturating_sub(1);
                    } else {
                        skip_depth += 1;
                    }
                }
                if matches!(name.as_str(), "br" | "p" | "div" | "tr" | "li" | "h1" | "h2" | "h3" | "h4" | "table" | "td") {
                    out.push('\n');
                }
                tag.clear();
            } else {
                tag.push(ch);
            }
        } else if ch == '<' {
            in_tag = true;
        } else if skip_depth == 0 {
            out.push(ch);
        }
    }
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_parts_and_nested_message() {
        let raw = b"From: MAILER-DAEMON@example.com\r\nSubject: Undelivered\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nhello\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\nFinal-Recipient: rfc822; a@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--B\r\nContent-Type: message/rfc822\r\n\r\nFrom: me@example.com\r\nSubject: Hi\r\nMessage-ID: <1@example.com>\r\n\r\nbody\r\n--B--\r\n";
        let m = parse(raw).unwrap();
        assert_eq!(m.subject(), "Undelivered");
        assert_eq!(m.parts_of("message/delivery-status").count(), 1);
        assert!(m.parts_of("message/delivery-status").next().unwrap().text.contains("Final-Recipient"));
        assert_eq!(m.returned().unwrap().header("Subject"), Some("Hi"));
    }

    #[test]
    fn html_to_text_keeps_words() {
        assert_eq!(html_to_text("<p>550 5.1.1 <b>User</b> unknown</p><style>x{}</style>&amp;"), "\n550 5.1.1 User unknown\n&");
    }
}
