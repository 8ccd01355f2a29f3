//! Automatic replies (RFC 3834): out-of-office and vacation messages, told by
//! `Auto-Submitted: auto-replied`, `X-Autoreply` and their subjects. The format establishes the
//! cause: not a failure.

use super::super::{mime::Mail, Bounce};
use super::helpers::re_auto_subject;
use crate::model::Category;
use crate::smtp::{address, code::has_code};

pub(super) fn auto_reply(mail: &Mail, body: &str) -> Option<Vec<Bounce>> {
    let auto = mail.header("Auto-Submitted").map(|v| v.to_ascii_lowercase());
    let replied = auto.as_deref().is_some_and(|v| v.starts_with("auto-replied"));
    let x_auto = mail.header("X-Autoreply").is_some() || mail.header("X-Autorespond").is_some() || mail.header("X-Auto-Response-Suppress").is_some() && re_auto_subject().is_match(mail.subject());
    let subject_says = re_auto_subject().is_match(mail.subject().trim());
    let from_daemon = mail.from().to_ascii_lowercase().contains("mailer-daemon") || mail.from().to_ascii_lowercase().contains("postmaster");
    if from_daemon || !(replied || x_auto || subject_says) {
        return None;
    }
    // A delivery failure sent with Auto-Submitted: auto-replied is not an out-of-office.
    if replied && !subject_says && !x_auto && has_code(body) {
        return None;
    }
    let first = body.lines().map(str::trim).filter(|l| !l.is_empty()).take(3).collect::<Vec<_>>().join(" ");
    Some(vec![Bounce {
        recipient: address::re_address().find(mail.from()).map(|m| address::normalize(m.as_str())),
        diagnostic: format!("{} {}", mail.subject(), first),
        category: Some(Category::AutoReply),
        ..Default::default()
    }])
}

