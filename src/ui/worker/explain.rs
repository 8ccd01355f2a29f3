//! The worker's quick answers: pasted text and dropped emails (the Paste view), and the
//! reference (search, pages, the landing page, the thresholds).

use crate::knowledge::Knowledge;
use crate::model::Record;
use crate::paste::{self, PasteAnalysis};
use crate::reference::{self, breakdown_enhanced, breakdown_reply, DigitPart, Kind};
use crate::ui::protocol::{
    Card, Explanation, Hit, Index, PolicyGroup, PolicyNumber, PolicyValue, RateThreshold, Response, Thresholds, Ticket,
};
use crate::{classify::Classifier, smtp::EnhancedCode};
use js_sys::Uint8Array;
use web_sys::{File, FileReaderSync};

/// Parses the knowledge base and builds the classifier (both happen once, on first use).
pub fn warm_up() {
    let _ = Classifier::get();
}

fn digits(reply: Option<crate::smtp::ReplyCode>, enhanced: Option<EnhancedCode>) -> (Vec<DigitPart>, Vec<DigitPart>) {
    (reply.map(breakdown_reply).unwrap_or_default(), enhanced.map(breakdown_enhanced).unwrap_or_default())
}

fn card(record: Record) -> Card {
    let v = &record.verdict;
    let provider_name = v.provider.as_ref().map(|p| Knowledge::get().provider_name(p));
    let (reply_digits, enhanced_digits) = digits(v.reply_code, v.enhanced_code);
    Card { record, provider_name, reply_digits, enhanced_digits }
}

fn explanation(a: PasteAnalysis, text: Option<String>) -> Explanation {
    Explanation { cards: a.records.into_iter().map(card).collect(), notices: a.notices, text }
}

pub fn text(ticket: Ticket, text: &str) -> Result<Response, String> {
    Ok(Response::Explained { ticket, explanation: explanation(paste::analyze(text), None) })
}

/// A file dropped on the Paste view. Only as much is read as `analyze_bytes` accepts (one
/// byte more tells it the file is too big), so a huge file is never loaded whole.
pub fn file(ticket: Ticket, file: &File) -> Result<Response, String> {
    let name = file.name();
    let limit = (32 * paste::MAX_PASTE_BYTES) as f64 + 1.0;
    let blob = file.slice_with_f64_and_f64(0.0, file.size().min(limit)).map_err(|_| format!("{name} could not be read"))?;
    let reader = FileReaderSync::new().map_err(|_| "this browser cannot read files in a worker".to_string())?;
    let buf = reader.read_as_array_buffer(&blob).map_err(|_| format!("{name} could not be read (was it moved or deleted?)"))?;
    let bytes = Uint8Array::new(&buf).to_vec();
    let (shown, _) = crate::text::decode(&bytes[..bytes.len().min(paste::MAX_PASTE_BYTES)]);
    Ok(Response::Explained { ticket, explanation: explanation(paste::analyze_bytes(&bytes, &name), Some(shown)) })
}

pub fn search(ticket: Ticket, query: &str, limit: usize) -> Result<Response, String> {
    let k = Knowledge::get();
    let hits = reference::search(query, limit)
        .into_iter()
        .map(|h| Hit { provider_name: h.entry.provider.as_ref().map(|p| k.provider_name(p)), entry: h.entry })
        .collect();
    Ok(Response::Hits { ticket, hits })
}

/// A reference page, by its id or by a code as typed (`5.7.26` is the page `X.7.26`).
pub fn entry(ticket: Ticket, id: &str) -> Result<Response, String> {
    Ok(Response::Entry { ticket, page: reference::detail(id).map(Box::new) })
}

pub fn index(ticket: Ticket) -> Result<Response, String> {
    let all = reference::entries();
    let count = |k: Kind| all.iter().filter(|e| e.kind == k).count();
    let index = Index {
        causes: all.iter().filter(|e| e.kind == Kind::Category).cloned().collect(),
        reply_codes: count(Kind::Basic),
        enhanced_codes: count(Kind::Enhanced),
        known_replies: count(Kind::KnownReply),
    };
    Ok(Response::Index { ticket, index })
}

/// The policy of the knowledge base, as the page shows it. The words say what each number
/// decides in the report; the numbers and sources are the knowledge's own.
pub fn thresholds(ticket: Ticket) -> Result<Response, String> {
    let p = &Knowledge::get().policy;
    let n = |key: &str, means: &str, value: PolicyValue| PolicyNumber { key: key.into(), means: means.into(), value };
    let count = |v: usize| PolicyValue::Count(v as u64);
    let rates = p
        .threshold
        .iter()
        .map(|t| RateThreshold { metric: t.metric.label().into(), above: t.above, severity: t.severity, says: t.says.clone(), source: t.source.clone() })
        .collect();
    let c = &p.concentration;
    let r = &p.recurrence;
    let d = &p.list_decay;
    let groups = vec![
        PolicyGroup {
            id: "concentration".into(),
            title: "When a pattern sits in one place".into(),
            numbers: vec![
                n("share", "Share of a pattern's rows that must be at one provider (or in one campaign) to name it", PolicyValue::Share(c.share)),
                n("min_deferrals", "Fewest throttling replies before throttling at one provider is named", count(c.min_deferrals)),
                n("min_content_rejections", "Fewest content rejections before a campaign is named", count(c.min_content_rejections)),
            ],
            source: c.source.clone(),
        },
        PolicyGroup {
            id: "recurrence".into(),
            title: "When a soft bounce keeps coming back".into(),
            numbers: vec![
                n("soft_occasions", "Temporary failures of one address on separate campaigns or days before it is escalated", count(r.soft_occasions)),
                n("mailbox_full_occasions", "Full-mailbox replies on separate occasions before the mailbox counts as abandoned", count(r.mailbox_full_occasions)),
                n("provider_deferral_occasions", "Campaigns with deferrals from one provider before its judgement of your reputation is named", count(r.provider_deferral_occasions)),
            ],
            source: r.source.clone(),
        },
        PolicyGroup {
            id: "list_decay".into(),
            title: "When unknown users show a decaying list".into(),
            numbers: vec![
                n("min_rows", "Fewest invalid addresses before the alert", count(d.min_rows)),
                n("share", "Share of the analysed rows they must be (or a hard bounce rate above its threshold)", PolicyValue::Share(d.share)),
                n("campaign_factor", "A campaign is named when its share of invalid addresses is this many times the file's", PolicyValue::Factor(d.campaign_factor)),
                n("campaign_share", "… and at least this share of its bounces", PolicyValue::Share(d.campaign_share)),
                n("campaign_min_rows", "Fewest rows a campaign needs to be compared", PolicyValue::Count(d.campaign_min_rows)),
            ],
            source: d.source.clone(),
        },
    ];
    Ok(Response::Thresholds { ticket, page: Thresholds { rates, groups } })
}
