//! The verdict of one export row: the reply text (with the codes and provider given beside
//! it), else the platform's label; a complaint reported as an event is a complaint.

use crate::classify::{Classifier, Hints, Words};
use crate::model::{Category, Class, DecidedBy, Verdict};
use crate::smtp::{code::parse_status, ReplyCode};

/// Classifies one row: the reply text (with the codes and provider given beside it), else the
/// platform's label; complaints reported as events are complaints. `provider` is the index of
/// the recipient domain's provider in the knowledge, when known.
pub fn classify_row(diag: &str, reply: &str, status: &str, label: &str, provider: Option<u16>, complaint: bool) -> Verdict {
    let c = Classifier::get();
    let k = c.knowledge();
    let domain = provider.and_then(|p| k.providers.get(p as usize)).and_then(|p| p.domains.first().map(|d| format!("@{d}")));
    let hints = Hints {
        status: parse_status(status),
        reply: reply.trim().parse::<ReplyCode>().ok(),
        recipient: domain.as_deref(),
        ..Default::default()
    };
    let mut v = if !diag.is_empty() || !reply.is_empty() || !status.is_empty() {
        let v = c.classify(diag, &hints);
        match (v.category, c.verdict_from_label(label)) {
            // The reply says nothing a rule or code knows: the platform's label tells more.
            (Category::Unknown, Some(mut lv)) if !label.is_empty() => {
                lv.diagnostic = v.diagnostic;
                lv.reply_code = v.reply_code;
                lv.enhanced_code = v.enhanced_code;
                lv
            }
            _ => v,
        }
    } else if !label.is_empty() {
        c.verdict_from_label(label).unwrap_or_else(|| c.classify(label, &hints))
    } else {
        let mut v = c.classify("", &hints);
        v.summary = "No reason given".into();
        v.explanation = "The row names an address but no reply, code or label, so the cause is unknown.".into();
        v
    };
    if complaint && v.category != Category::Complaint {
        c.recast(&mut v, Category::Complaint, Class::Permanent, DecidedBy::Event, Words::Category);
    }
    v
}
