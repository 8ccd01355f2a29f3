//! Reply codes (`550`), enhanced status codes (`5.1.1`) and code ranges (`5.7.606-649`): parsed
//! once, here, and finding them in a text. Everything else works with these types; the codes
//! become strings again only at the edges (JSON, CSV, the page).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// A basic three-digit SMTP reply code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReplyCode(pub u16);

impl ReplyCode {
    pub fn class_digit(self) -> u8 {
        (self.0 / 100) as u8
    }
    pub fn subject_digit(self) -> u8 {
        ((self.0 / 10) % 10) as u8
    }
    pub fn detail_digit(self) -> u8 {
        (self.0 % 10) as u8
    }
}

impl fmt::Display for ReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for ReplyCode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let b = s.as_bytes();
        if b.len() == 3 && (b'2'..=b'5').contains(&b[0]) && b[1].is_ascii_digit() && b[2].is_ascii_digit() {
            Ok(ReplyCode(s.parse().map_err(|_| format!("bad reply code {s:?}"))?))
        } else {
            Err(format!("bad reply code {s:?}"))
        }
    }
}

impl<'de> Deserialize<'de> for ReplyCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for ReplyCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// An enhanced status code `class.subject.detail`. Class 0 stands for "X" (any class).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EnhancedCode {
    pub class: u8,
    pub subject: u16,
    pub detail: u16,
}

impl fmt::Display for EnhancedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.class == 0 {
            write!(f, "X.{}.{}", self.subject, self.detail)
        } else {
            write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
        }
    }
}

impl FromStr for EnhancedCode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let err = || format!("bad enhanced code {s:?}");
        let mut it = s.split('.');
        let (c, sub, det) = (it.next().ok_or_else(err)?, it.next().ok_or_else(err)?, it.next().ok_or_else(err)?);
        if it.next().is_some() {
            return Err(err());
        }
        let class = match c {
            "X" | "x" => 0,
            "2" => 2,
            "4" => 4,
            "5" => 5,
            _ => return Err(err()),
        };
        let num = |t: &str| -> Result<u16, String> {
            if t.is_empty() || t.len() > 3 || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err());
            }
            t.parse().map_err(|_| err())
        };
        Ok(EnhancedCode { class, subject: num(sub)?, detail: num(det)? })
    }
}

impl<'de> Deserialize<'de> for EnhancedCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for EnhancedCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl EnhancedCode {
    /// Whether the code is `X.0.0`, which says nothing beyond its class.
    pub fn is_vague(self) -> bool {
        self.subject == 0 && self.detail == 0
    }
    /// The same subject and detail with another class (4.2.2 -> 5.2.2).
    pub fn with_class(self, class: u8) -> EnhancedCode {
        EnhancedCode { class, ..self }
    }
}

/// The codes found in a text, with their byte ranges.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Codes {
    pub reply: Option<(ReplyCode, Range<usize>)>,
    pub enhanced: Option<(EnhancedCode, Range<usize>)>,
}

re!(re_reply_code, r#"(?:^|[\s:;#'"(\[=<>-])([2-5]\d{2})(?:[ \t\-]|$|[,;:)\]'"])"#);
re!(re_enhanced_code, r"(?:^|[^\d.])([245])\.([0-7])\.(\d{1,3})(?:$|[^\d.]|\.(?:\s|$))");

/// Finds the SMTP reply code and the enhanced status code of a text: the first failure code
/// (4xx, 5xx), or the first code when none is a failure. A reply code must stand alone
/// (`550 `, `(550)`, `#550`); three digits inside an IP address, a version number or an IPv6
/// group are not one. Texts quote earlier successful replies in front of the refusal ("354
/// Enter mail ... 554 rejected", a library's "expected 250 but got 550"): the failure is what
/// the text is about.
pub fn find_codes(text: &str) -> Codes {
    let mut codes = Codes::default();
    let b = text.as_bytes();
    let mut first: Option<(ReplyCode, Range<usize>)> = None;
    for c in re_reply_code().captures_iter(text) {
        let m = c.get(1).expect("group");
        // A group of an IPv6 address ("2606:2800:220:6d...") is not a reply code.
        let colon_before = m.start() > 0 && b[m.start() - 1] == b':';
        let colon_after = b.get(m.end()) == Some(&b':');
        if colon_before && colon_after {
            continue;
        }
        let Ok(r) = m.as_str().parse::<ReplyCode>() else { continue };
        if r.class_digit() >= 4 {
            codes.reply = Some((r, m.range()));
            break;
        }
        first.get_or_insert((r, m.range()));
    }
    if codes.reply.is_none() {
        codes.reply = first;
    }
    let mut first: Option<(EnhancedCode, Range<usize>)> = None;
    for c in re_enhanced_code().captures_iter(text) {
        let (a, s, d) = (c.get(1).expect("g"), c.get(2).expect("g"), c.get(3).expect("g"));
        let code = EnhancedCode {
            class: a.as_str().parse().unwrap_or(0),
            subject: s.as_str().parse().unwrap_or(0),
            detail: d.as_str().parse().unwrap_or(0),
        };
        if code.class >= 4 {
            codes.enhanced = Some((code, a.start()..d.end()));
            break;
        }
        first.get_or_insert((code, a.start()..d.end()));
    }
    if codes.enhanced.is_none() {
        codes.enhanced = first;
    }
    codes
}

/// Whether a line carries an SMTP reply or enhanced code.
pub fn has_code(line: &str) -> bool {
    re_reply_code().is_match(line) || re_enhanced_code().is_match(line)
}

/// Parses a `Status:` value such as `5.1.1` or `5.1.1 (user unknown)`.
pub fn parse_status(s: &str) -> Option<EnhancedCode> {
    find_codes(s).enhanced.map(|(c, _)| c)
}

/// A code condition of a rule: one reply code, or enhanced codes with a detail range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodeRange {
    Reply(ReplyCode),
    Enhanced { class: u8, subject: u16, lo: u16, hi: u16 },
}

impl CodeRange {
    pub fn matches(&self, reply: Option<ReplyCode>, enhanced: Option<EnhancedCode>) -> bool {
        match self {
            CodeRange::Reply(r) => reply == Some(*r),
            CodeRange::Enhanced { class, subject, lo, hi } => enhanced.is_some_and(|e| {
                (*class == 0 || e.class == *class) && e.subject == *subject && (*lo..=*hi).contains(&e.detail)
            }),
        }
    }

    /// Whether the range names this exact enhanced code (for the Reference view).
    pub fn covers(&self, e: EnhancedCode) -> bool {
        self.matches(None, Some(e))
    }
}

impl fmt::Display for CodeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodeRange::Reply(r) => write!(f, "{r}"),
            CodeRange::Enhanced { class, subject, lo, hi } => {
                let c = if *class == 0 { "X".to_string() } else { class.to_string() };
                if lo == hi {
                    write!(f, "{c}.{subject}.{lo}")
                } else if *lo == 0 && *hi == u16::MAX {
                    write!(f, "{c}.{subject}.*")
                } else {
                    write!(f, "{c}.{subject}.{lo}-{hi}")
                }
            }
        }
    }
}

impl FromStr for CodeRange {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if !s.contains('.') {
            return s.parse().map(CodeRange::Reply);
        }
        if let Some(prefix) = s.strip_suffix(".*") {
            let e: EnhancedCode = format!("{prefix}.0").parse()?;
            return Ok(CodeRange::Enhanced { class: e.class, subject: e.subject, lo: 0, hi: u16::MAX });
        }
        if let Some((head, hi)) = s.split_once('-') {
            let e: EnhancedCode = head.parse()?;
            let hi: u16 = hi.parse().map_err(|_| format!("bad code range {s:?}"))?;
            if hi < e.detail {
                return Err(format!("bad code range {s:?}"));
            }
            return Ok(CodeRange::Enhanced { class: e.class, subject: e.subject, lo: e.detail, hi });
        }
        let e: EnhancedCode = s.parse()?;
        Ok(CodeRange::Enhanced { class: e.class, subject: e.subject, lo: e.detail, hi: e.detail })
    }
}

impl<'de> Deserialize<'de> for CodeRange {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_and_ranges() {
        assert_eq!("550".parse::<ReplyCode>(), Ok(ReplyCode(550)));
        assert!("650".parse::<ReplyCode>().is_err());
        assert!("55".parse::<ReplyCode>().is_err());
        let e: EnhancedCode = "5.7.26".parse().unwrap();
        assert_eq!((e.class, e.subject, e.detail), (5, 7, 26));
        assert_eq!("X.1.10".parse::<EnhancedCode>().unwrap().to_string(), "X.1.10");
        assert!("5.7.2600".parse::<EnhancedCode>().is_err());
        let r: CodeRange = "5.7.606-649".parse().unwrap();
        assert!(r.matches(None, Some("5.7.620".parse().unwrap())));
        assert!(!r.matches(None, Some("5.7.650".parse().unwrap())));
        let w: CodeRange = "4.7.*".parse().unwrap();
        assert!(w.matches(None, Some("4.7.0".parse().unwrap())));
        assert!(!w.matches(None, Some("5.7.0".parse().unwrap())));
        let x: CodeRange = "X.7.26".parse().unwrap();
        assert!(x.matches(None, Some("4.7.26".parse().unwrap())));
        assert_eq!(x.to_string(), "X.7.26");
        assert_eq!(w.to_string(), "4.7.*");
    }

    #[test]
    fn codes_are_not_taken_from_ips_or_versions() {
        let c = find_codes("Connection to 203.0.113.5 failed, Exim 4.92.3, Yahoo 4.16.55.1");
        assert_eq!(c, Codes::default());
        let c = find_codes("421 4.7.0 [TSS04] Messages from 192.0.2.1 deferred - 4.16.55.1");
        assert_eq!(c.reply.unwrap().0, ReplyCode(421));
        assert_eq!(c.enhanced.unwrap().0.to_string(), "4.7.0");
        let c = find_codes("[(0) example.com. [2606:2800:220:6d:26bf:1447:1097:aa7]:25: socket error]");
        assert_eq!(c.reply, None);
        let c = find_codes("Expected response code 354 but got code \"503\", with message \"503 5.0.0 Need RCPT\"");
        assert_eq!(c.reply.unwrap().0, ReplyCode(503));
        let c = find_codes("250 2.0.0 Ok, then 550 5.7.1 rejected");
        assert_eq!((c.reply.unwrap().0, c.enhanced.unwrap().0.to_string()), (ReplyCode(550), "5.7.1".to_string()));
        let c = find_codes("#5.1.0 Address rejected.");
        assert_eq!(c.enhanced.unwrap().0.to_string(), "5.1.0");
    }
}
