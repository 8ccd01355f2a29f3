//! The SMTP command a reply answered. Reports write it in many ways ("RCPT TO", "RCPT",
//! "rcpt to:<a@b>", "end of data", "MAIL FROM command"); it is parsed here once.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// An SMTP command (RFC 5321), as far as a bounce is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Command {
    /// The connection itself (the greeting, or a refusal before any command).
    Connect,
    /// `HELO`, `EHLO` or `LHLO`.
    Hello,
    StartTls,
    Auth,
    /// `MAIL FROM`: carries the sender's address, so a refusal here is about the sender.
    MailFrom,
    /// `RCPT TO`: carries one recipient.
    RcptTo,
    /// `DATA`, `BDAT` or the end of the data: the message itself was refused.
    Data,
    Quit,
}

impl Command {
    /// Reads a command as reports write it: `RCPT TO`, `rcpt`, `RCPT TO:<a@b>`, `end of data`,
    /// `MAIL FROM command`... `None` for anything else.
    pub fn parse(s: &str) -> Option<Command> {
        let t = s.trim().trim_end_matches(':');
        let upper: String = t.split_whitespace().take(3).collect::<Vec<_>>().join(" ").to_ascii_uppercase();
        let upper = upper.trim_end_matches(" COMMAND");
        // Exim's "pipelined RCPT TO", DragonFly's "final DATA".
        let upper = upper.strip_prefix("PIPELINED ").or_else(|| upper.strip_prefix("FINAL ")).unwrap_or(upper);
        let word = |w: &str| upper == w || upper.starts_with(&format!("{w} ")) || upper.starts_with(&format!("{w}:"));
        Some(if word("RCPT") {
            Command::RcptTo
        } else if word("MAIL") {
            Command::MailFrom
        } else if word("DATA") || word("BDAT") || upper.starts_with("END OF DATA") || upper.starts_with("END OF MESSAGE") {
            Command::Data
        } else if word("EHLO") || word("HELO") || word("LHLO") {
            Command::Hello
        } else if word("STARTTLS") {
            Command::StartTls
        } else if word("AUTH") {
            Command::Auth
        } else if word("QUIT") {
            Command::Quit
        } else if word("CONNECT") || upper == "CONN" || upper.starts_with("INITIAL CONNECTION") || upper == "GREETING" {
            Command::Connect
        } else {
            return None;
        })
    }

    /// The command as RFC 5321 writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Command::Connect => "CONNECT",
            Command::Hello => "EHLO",
            Command::StartTls => "STARTTLS",
            Command::Auth => "AUTH",
            Command::MailFrom => "MAIL FROM",
            Command::RcptTo => "RCPT TO",
            Command::Data => "DATA",
            Command::Quit => "QUIT",
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Command {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Command {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Command::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown SMTP command {s:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_ways_reports_write_commands() {
        for (s, c) in [
            ("RCPT TO", Command::RcptTo),
            ("rcpt", Command::RcptTo),
            ("RCPT TO:<a@example.com>", Command::RcptTo),
            ("MAIL FROM command", Command::MailFrom),
            ("mail", Command::MailFrom),
            ("end of data", Command::Data),
            ("END OF MESSAGE", Command::Data),
            ("DATA", Command::Data),
            ("BDAT", Command::Data),
            ("EHLO", Command::Hello),
            ("helo", Command::Hello),
            ("STARTTLS", Command::StartTls),
        ] {
            assert_eq!(Command::parse(s), Some(c), "{s}");
        }
        assert_eq!(Command::parse("HELLO WORLD"), None);
        assert_eq!(Command::parse("RCPTX"), None);
        assert_eq!(Command::RcptTo.to_string(), "RCPT TO");
        assert_eq!(serde_json::to_string(&Command::MailFrom).unwrap(), "\"MAIL FROM\"");
    }
}
