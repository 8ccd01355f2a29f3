//! Email addresses: finding them in text, checking them, and the one canonical form every part
//! of bouncelens compares and stores.
//!
//! **The canonical form is the whole address in lower case**, without the brackets, quotes and
//! `mailto:` around it. RFC 5321 (2.4) lets a receiving server treat the local part as case
//! sensitive, but no mailbox provider in use does, and the platforms whose suppression lists
//! bouncelens feeds (Mailchimp, SendGrid, Amazon SES, HubSpot...) compare addresses without
//! case. Keeping two spellings of one person apart would let one of them escape suppression,
//! which costs more than the theoretical mailbox that differs only by case.

use std::borrow::Cow;

re!(pub(crate) re_address, r"(?i)[a-z0-9!#$%&'*+/=?^_`{|}~.-]+@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}|[a-z0-9!#$%&'*+/=?^_`{|}~.-]+@\[[0-9.]+\]");

/// The longest address SMTP carries: a path is at most 256 octets with its brackets
/// (RFC 5321, 4.5.3.1.3). Anything longer is damage (a run of text glued to an @).
pub const MAX_LEN: usize = 254;

/// Characters written around addresses that are not part of them.
const WRAPPERS: [char; 10] = ['<', '>', '"', '\'', ' ', '(', ')', ',', ';', ':'];

/// The canonical form (see the module docs): trimmed of brackets, quotes, `mailto:` and a
/// trailing dot, in lower case.
pub fn normalize(a: &str) -> String {
    let a = a.trim().trim_matches(|c: char| WRAPPERS.contains(&c) || c == '.');
    let a = a.strip_prefix("mailto:").or_else(|| a.strip_prefix("MAILTO:")).unwrap_or(a);
    a.to_lowercase()
}

/// [`normalize`] without allocating when the address is already canonical (export rows are
/// mostly clean).
pub fn normalize_cow(a: &str) -> Cow<'_, str> {
    let t = a.trim();
    let clean = !t.is_empty()
        && !t.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80 || matches!(b, b'<' | b'>' | b'"' | b'\'' | b'(' | b')' | b',' | b';' | b':'))
        && !t.ends_with('.')
        && !t.starts_with("mailto:");
    if clean {
        Cow::Borrowed(t)
    } else {
        Cow::Owned(normalize(a))
    }
}

/// Whether a recipient as read could be an address at all (not empty, not longer than SMTP
/// allows).
pub fn plausible(a: &str) -> bool {
    !a.is_empty() && a.len() <= MAX_LEN
}

/// Whether a canonical address is well formed enough to suppress: a local part, an `@`, a
/// domain with a dot, no spaces, not too long.
pub fn is_valid(a: &str) -> bool {
    let b = a.as_bytes();
    match b.iter().rposition(|&c| c == b'@') {
        Some(at) => at > 0 && b[at + 1..].contains(&b'.') && !b.iter().any(|c| c.is_ascii_whitespace()) && b.len() <= MAX_LEN,
        None => false,
    }
}

/// The domain of an address (after the last `@`), or "".
pub fn domain(a: &str) -> &str {
    a.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
}

/// The first address in a text, canonical.
pub fn first_in(text: &str) -> Option<String> {
    re_address().find(text).map(|m| normalize(m.as_str()))
}

/// Every distinct address in a text, in order, canonical.
pub fn all_in(text: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for m in re_address().find_iter(text) {
        let a = normalize(m.as_str());
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

/// Whether the text holds an address.
pub fn any_in(text: &str) -> bool {
    re_address().is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_canonical_form() {
        assert_eq!(normalize("<Jane.Doe@Example.COM>"), "jane.doe@example.com");
        assert_eq!(normalize("mailto:a@b.org"), "a@b.org");
        assert_eq!(normalize("\"a@b.org\"."), "a@b.org");
        assert_eq!(normalize_cow("a@b.org"), Cow::Borrowed("a@b.org"));
        assert_eq!(normalize_cow(" A@b.org "), "a@b.org");
        assert!(matches!(normalize_cow("a@b.org"), Cow::Borrowed(_)));
        assert_eq!(domain("a@b.org"), "b.org");
    }

    #[test]
    fn validity() {
        assert!(is_valid("a@b.org"));
        assert!(!is_valid("@b.org"));
        assert!(!is_valid("a@b"));
        assert!(!is_valid("a b@c.org"));
        assert!(!is_valid(&format!("{}@b.org", "x".repeat(260))));
        assert!(!plausible(""));
    }

    #[test]
    fn found_in_text() {
        assert_eq!(all_in("to <A@x.org>, a@x.org and b@y.net"), vec!["a@x.org", "b@y.net"]);
        assert_eq!(first_in("nothing here"), None);
    }
}
