//! Reply codes (`550`), enhanced status codes (`5.1.1`) and code ranges (`5.7.606-649`).

use serde::{Deserialize, Deserializer};
use std::fmt;
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
}
