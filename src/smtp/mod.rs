//! The small, shared pieces of SMTP that every layer reads the same way: reply and enhanced
//! codes ([`code`]), the command a reply answered ([`command`]) and addresses ([`address`]).
//! This module depends on nothing else in the crate.

pub mod address;
pub mod code;
pub mod command;

pub use code::{CodeRange, Codes, EnhancedCode, ReplyCode};
pub use command::Command;

/// The `Action:` of a delivery-status report's recipient (RFC 3464, 2.3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DsnAction {
    Failed,
    Delayed,
    Delivered,
    Relayed,
    Expanded,
}

impl DsnAction {
    /// Reads the field's value (`failed`, `Delayed`, `failed (bad destination)`...).
    pub fn parse(s: &str) -> Option<DsnAction> {
        let w = s.trim().split(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or("").to_ascii_lowercase();
        Some(match w.as_str() {
            "failed" | "failure" => DsnAction::Failed,
            "delayed" => DsnAction::Delayed,
            "delivered" => DsnAction::Delivered,
            "relayed" => DsnAction::Relayed,
            "expanded" => DsnAction::Expanded,
            _ => return None,
        })
    }

    /// Whether the report says the message got through (or on), not that it failed.
    pub fn is_success(self) -> bool {
        matches!(self, DsnAction::Delivered | DsnAction::Relayed | DsnAction::Expanded)
    }
}
