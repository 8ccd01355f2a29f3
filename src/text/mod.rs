//! Reading what people give bouncelens before anything is analysed: bytes to text
//! ([`encoding`]), what a text or a file is (an email, an mbox, an archive), and mbox splitting
//! ([`mbox`]). The email reader, the Paste view and the export reader all sniff through here,
//! so they agree on what a file is. This module depends on nothing else in the crate.

pub mod encoding;
pub mod mbox;

pub use encoding::{decode, TextEncoding, Transcoder};

/// Header names common in the header block of an email (and of a copy of one).
pub const COMMON_HEADERS: &[&str] = &[
    "received", "from", "to", "subject", "date", "return-path", "content-type", "mime-version", "message-id",
    "delivered-to", "x-failed-recipients", "auto-submitted",
];

/// Whether a text starts with an email header block: at least three `Name: value` fields,
/// two of them common ones, before the first blank line. Field names may be long (Exchange
/// writes names of 45 characters and more, RFC 5322 allows up to 76 on a line); folded lines
/// continue the previous field; a first `From ` line (mbox) is skipped.
pub fn looks_like_email(text: &str) -> bool {
    let mut headers = 0;
    let mut known = 0;
    for (i, line) in text.lines().take(200).enumerate() {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            continue;
        }
        if i == 0 && line.starts_with("From ") {
            continue;
        }
        match line.split_once(':') {
            Some((name, _)) if !name.is_empty() && name.len() <= 76 && name.bytes().all(|b| b.is_ascii_graphic()) => {
                headers += 1;
                if COMMON_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name)) {
                    known += 1;
                }
            }
            _ => return false,
        }
        if headers >= 3 && known >= 2 {
            return true;
        }
    }
    false
}

/// What the first bytes of a file say it is, before its text is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Container {
    Zip,
    Gzip,
    /// An OLE compound file: an Excel 97-2003 workbook (`.xls`).
    Ole,
    /// Anything else: read it as text.
    Plain,
}

/// Recognises archives by their magic numbers.
pub fn container(head: &[u8]) -> Container {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Container::Zip
    } else if head.starts_with(&[0x1f, 0x8b]) {
        Container::Gzip
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Container::Ole
    } else {
        Container::Plain
    }
}

re!(re_qp_hex, r"=([0-9A-Fa-f]{2})");

/// Decodes quoted-printable where the text shows signs of it (soft line breaks, `=3D`, `=20`):
/// people paste bounce bodies raw, and decoders meet parts whose encoding was lost.
pub fn undo_quoted_printable(s: &str) -> String {
    let has_soft_breaks = s.contains("=\n") || s.contains("=\r\n");
    if !has_soft_breaks && !s.contains("=3D") && !s.contains("=20") {
        return s.to_string();
    }
    let joined = s.replace("=\r\n", "").replace("=\n", "");
    if !joined.contains('=') {
        return joined;
    }
    // Decode =XX escapes to bytes, then read the bytes as UTF-8 (lossy).
    let mut out: Vec<u8> = Vec::with_capacity(joined.len());
    let mut last = 0;
    for m in re_qp_hex().captures_iter(&joined) {
        let whole = m.get(0).expect("match");
        out.extend_from_slice(joined[last..whole.start()].as_bytes());
        out.push(u8::from_str_radix(&m[1], 16).unwrap_or(b'?'));
        last = whole.end();
    }
    out.extend_from_slice(joined[last..].as_bytes());
    String::from_utf8_lossy(&out).into_owned()
}

/// Removes control characters (except newline and tab) that binary pastes bring.
pub fn strip_controls(s: &str) -> String {
    s.chars().filter(|c| !c.is_control() || *c == '\n' || *c == '\t').collect()
}

/// Unfolds header-style continuation lines (a line starting with whitespace continues the
/// previous one).
pub fn unfold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in s.lines() {
        if (line.starts_with(' ') || line.starts_with('\t')) && !out.is_empty() {
            out.push(' ');
            out.push_str(line.trim());
        } else {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(line.trim_end());
        }
    }
    out
}

/// "1.2 MB", "340 KB", "12 bytes".
pub fn human_bytes(n: u64) -> String {
    if n >= 1 << 30 {
        format!("{:.1} GB", n as f64 / (1u64 << 30) as f64)
    } else if n >= 1 << 20 {
        format!("{:.1} MB", n as f64 / (1u64 << 20) as f64)
    } else if n >= 1024 {
        format!("{} KB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
pub fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_detection() {
        assert!(looks_like_email("Return-Path: <>\nReceived: from x\nFrom: MAILER-DAEMON\nSubject: Undelivered\n\nbody"));
        assert!(looks_like_email("From MAILER-DAEMON Mon\nReturn-Path: <>\nFrom: a\nSubject: b\n\nbody"));
        assert!(!looks_like_email("550 5.1.1 user unknown\n421 4.7.0 later"));
        assert!(!looks_like_email("Diagnostic-Code: smtp; 550 5.1.1 user unknown"));
        // Exchange writes header names longer than 40 characters.
        let exchange = "Received: from x\nX-MS-Exchange-Transport-CrossTenantHeadersStamped: AM0PR\nFrom: postmaster@example.com\nSubject: Undeliverable: hi\n\nbody";
        assert!(looks_like_email(exchange));
    }

    #[test]
    fn archives_and_sizes() {
        assert_eq!(container(b"PK\x03\x04rest"), Container::Zip);
        assert_eq!(container(&[0x1f, 0x8b, 8, 0]), Container::Gzip);
        assert_eq!(container(b"email,reason"), Container::Plain);
        assert_eq!(human_bytes(3 << 20), "3.0 MB");
        assert_eq!(human_bytes(12), "12 bytes");
        assert_eq!(cut("héllo", 2), "h");
    }
}
