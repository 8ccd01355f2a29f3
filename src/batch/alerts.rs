//! Patterns across a whole export, each one function: a cause that hits every recipient at a
//! provider (authentication, blocklists), a provider throttling you, a campaign whose content
//! is refused, a decaying list, addresses that keep soft-bouncing, abandoned mailboxes, and the
//! bounce rates against their thresholds. The numbers come from the knowledge's policy
//! (`policy.toml`), each with its source.

use super::{Row, Session};
use crate::knowledge::{Knowledge, Metric, Policy};
use crate::model::{BounceType, Category, Class, Owner, Severity, Verdict};
use crate::smtp::ReplyCode;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

/// A pattern across the file, with its evidence and what to do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Stable id of the pattern (used by the UI's `data-alert`).
    pub id: String,
    pub severity: Severity,
    pub title: String,
    pub detail: String,
    pub what_to_do: String,
    pub count: u64,
    /// A few rows that show it ("file.csv, row 12: a@b.com: 550 5.7.26 ...").
    pub evidence: Vec<String>,
}

/// Whether a verdict is a soft (temporary) failure.
pub(super) fn is_soft(v: &Verdict) -> bool {
    v.class == Class::Temporary || v.bounce_type == BounceType::Soft
}

/// Whether a verdict counts as a bounce for the bounce rate (complaints and auto-replies do
/// not, nor accepted messages).
pub(super) fn is_bounce(v: &Verdict) -> bool {
    !matches!(v.bounce_type, BounceType::Delivered | BounceType::AutoReply | BounceType::Complaint)
}

pub(super) fn pct(x: f64) -> String {
    if x >= 0.1 {
        format!("{:.0}%", x * 100.0)
    } else {
        format!("{:.1}%", x * 100.0)
    }
}

/// What the alert functions read.
struct Ctx<'s> {
    s: &'s Session,
    policy: &'s Policy,
}

impl<'s> Ctx<'s> {
    fn v(&self, r: &Row) -> &'s Verdict {
        &self.s.verdicts[r.verdict as usize].verdict
    }
    fn rows(&self, f: impl Fn(&Verdict) -> bool) -> Vec<&'s Row> {
        self.s.rows.iter().filter(|r| f(self.v(r))).collect()
    }
    fn evidence(&self, rows: &[&Row]) -> Vec<String> {
        rows.iter().take(5).map(|r| self.s.evidence_line(r)).collect()
    }
    /// The provider's name, or the recipient domain when no provider is known.
    fn place(&self, r: &Row) -> String {
        match &self.v(r).provider {
            Some(_) => self.s.provider_name(r),
            None => self.s.domains.get(r.domain).to_string(),
        }
    }
}

impl Session {
    pub(super) fn evidence_line(&self, r: &Row) -> String {
        let v = self.verdict(r);
        let d: String = v.diagnostic.chars().take(140).collect();
        format!("{}: {}: {}", self.source(r), self.addresses.get(r.addr), if d.is_empty() { v.summary.clone() } else { d })
    }

    pub(super) fn provider_name(&self, r: &Row) -> String {
        match &self.verdict(r).provider {
            Some(p) => Knowledge::get().provider_name(p),
            None => "other".into(),
        }
    }

    /// Patterns across the file, most urgent first.
    pub fn alerts(&self) -> Vec<Alert> {
        if self.rows.is_empty() {
            return vec![];
        }
        let c = Ctx { s: self, policy: &Knowledge::get().policy };
        let mut out: Vec<Alert> = [
            authentication(&c),
            blocklisted(&c),
            sender_config(&c),
            domain_rejects_mail(&c),
            provider_throttling(&c),
            content(&c),
            list_decay(&c),
            list_decay_campaign(&c),
            recurring_soft(&c),
            abandoned_mailboxes(&c),
            bounce_rate(&c),
        ]
        .into_iter()
        .flatten()
        .collect();
        out.sort_by_key(|a| a.severity);
        out
    }
}

/// Authentication failures affect every recipient at that provider.
fn authentication(c: &Ctx) -> Option<Alert> {
    let auth = c.rows(|v| v.category == Category::Authentication);
    if auth.is_empty() {
        return None;
    }
    let mut p: Vec<String> = auth.iter().map(|r| c.s.provider_name(r)).collect::<FxHashSet<_>>().into_iter().collect();
    p.sort();
    Some(Alert {
        id: "authentication".into(),
        severity: Severity::Critical,
        title: format!("{} rejections for failed authentication (SPF, DKIM, DMARC, reverse DNS)", auth.len()),
        detail: format!("Receivers refused mail they could not authenticate, at: {}. This hits every recipient at those providers, not just these rows.", p.join(", ")),
        what_to_do: "Fix SPF, DKIM and DMARC for the sending domain (and From-domain alignment) before the next send. Do not suppress these addresses: they are fine.".into(),
        count: auth.len() as u64,
        evidence: c.evidence(&auth),
    })
}

/// Blocklist rejections (or blanket 554s) at several receivers at once: you are listed.
fn blocklisted(c: &Ctx) -> Option<Alert> {
    let listed = c.rows(|v| v.category == Category::Blocklisted || (v.reply_code == Some(ReplyCode(554)) && matches!(v.category, Category::Policy | Category::Reputation)));
    let places: FxHashSet<String> = listed.iter().map(|r| c.place(r)).collect();
    if listed.len() < 3 || places.len() < 2 {
        return None;
    }
    Some(Alert {
        id: "blocklisted".into(),
        severity: Severity::Critical,
        title: format!("Blocklist or 554 rejections at {} different receivers", places.len()),
        detail: format!("{} rows were refused for a listing or a blanket 554 at several receivers at once: your sending IP or domain is very likely on a blocklist.", listed.len()),
        what_to_do: "Check your sending IPs and domains on Spamhaus, Barracuda and SpamCop (the replies name the list), fix the cause and request delisting before sending more. Sending while listed makes it worse.".into(),
        count: listed.len() as u64,
        evidence: c.evidence(&listed),
    })
}

/// Sender-side configuration errors: nobody to suppress.
fn sender_config(c: &Ctx) -> Option<Alert> {
    let config = c.rows(|v| matches!(v.category, Category::SenderConfig | Category::Tls) && v.owner == Owner::SenderConfiguration);
    if config.is_empty() {
        return None;
    }
    Some(Alert {
        id: "sender_config".into(),
        severity: Severity::Critical,
        title: format!("{} rejections caused by your sending setup (500-504, 555, 530, relay, TLS)", config.len()),
        detail: "The receiving servers could not accept what your system sent (protocol errors, missing SMTP authentication, relaying, malformed messages). The recipients are not at fault.".into(),
        what_to_do: "Do not suppress these addresses. Have your platform or mail administrator fix the configuration, then resend.".into(),
        count: config.len() as u64,
        evidence: c.evidence(&config),
    })
}

/// Null MX / a domain that accepts no mail: suppress the whole domain.
fn domain_rejects_mail(c: &Ctx) -> Option<Alert> {
    let rows = c.rows(|v| v.category == Category::DomainRejectsMail);
    if rows.is_empty() {
        return None;
    }
    let mut doms: Vec<&str> = rows.iter().map(|r| c.s.domains.get(r.domain)).collect::<FxHashSet<_>>().into_iter().collect();
    doms.sort();
    Some(Alert {
        id: "domain_rejects_mail".into(),
        severity: Severity::Warning,
        title: format!("{} domain(s) accept no mail at all", doms.len()),
        detail: format!("These domains declare they receive no email (556 / null MX): {}.", doms.iter().take(10).cloned().collect::<Vec<_>>().join(", ")),
        what_to_do: "Suppress every address at these domains (download 'Domains to suppress').".into(),
        count: rows.len() as u64,
        evidence: c.evidence(&rows),
    })
}

/// Temporary throttling concentrated at one provider: it is limiting you.
fn provider_throttling(c: &Ctx) -> Option<Alert> {
    let k = &c.policy.concentration;
    let throttled = c.rows(|v| {
        v.class == Class::Temporary && (matches!(v.category, Category::RateLimited | Category::Reputation) || v.reply_code == Some(ReplyCode(421)))
    });
    if throttled.len() < k.min_deferrals {
        return None;
    }
    let mut per: FxHashMap<String, Vec<&Row>> = FxHashMap::default();
    for r in &throttled {
        per.entry(c.place(r)).or_default().push(r);
    }
    let (name, rows) = per.iter().max_by_key(|(n, v)| (v.len(), std::cmp::Reverse(n.to_string())))?;
    if (rows.len() as f64) < k.share * throttled.len() as f64 {
        return None;
    }
    // 421s from one provider on many separate campaigns: its judgement of your reputation.
    let occasions: FxHashSet<u32> = rows.iter().map(|r| r.day).collect();
    let persistent = occasions.len() >= c.policy.recurrence.provider_deferral_occasions;
    Some(Alert {
        id: "provider_throttling".into(),
        severity: Severity::Warning,
        title: format!("{name} is throttling you ({} deferrals)", rows.len()),
        detail: format!(
            "{} of the {} temporary 421/4.7.x deferrals come from {name}: it is limiting how fast it takes your mail, usually because of your reputation there or a sudden rise in volume.{}",
            rows.len(),
            throttled.len(),
            if persistent { format!(" It happened on {} separate campaigns or days: it is no longer a passing limit.", occasions.len()) } else { String::new() }
        ),
        what_to_do: format!("Slow down for {name}: fewer messages per hour, fewer connections, send to engaged recipients first, and check your reputation in its sender tools. Do not suppress these addresses."),
        count: rows.len() as u64,
        evidence: c.evidence(rows),
    })
}

/// Content rejections, and the campaign they concentrate in.
fn content(c: &Ctx) -> Option<Alert> {
    let k = &c.policy.concentration;
    let content = c.rows(|v| v.category == Category::ContentRejected);
    if content.len() < k.min_content_rejections {
        return None;
    }
    let mut per: FxHashMap<u32, Vec<&Row>> = FxHashMap::default();
    for r in content.iter().filter(|r| r.campaign != 0) {
        per.entry(r.campaign).or_default().push(r);
    }
    match per.iter().max_by_key(|(id, v)| (v.len(), std::cmp::Reverse(**id))) {
        Some((id, rows)) => {
            if rows.len() < k.min_content_rejections || (rows.len() as f64) < k.share * content.len() as f64 {
                return None;
            }
            let name = c.s.campaigns.get(*id);
            Some(Alert {
                id: "campaign_content".into(),
                severity: Severity::Warning,
                title: format!("Content rejections concentrate in \"{name}\""),
                detail: format!("{} of the {} spam/content rejections come from this campaign: its content (links, wording, attachments) triggered filters, not your list.", rows.len(), content.len()),
                what_to_do: format!("Review \"{name}\": its links and their domains, URL shorteners, images and attachments; test it before sending it again."),
                count: rows.len() as u64,
                evidence: c.evidence(rows),
            })
        }
        None => Some(Alert {
            id: "content_rejected".into(),
            severity: Severity::Warning,
            title: format!("{} rejections for the message content", content.len()),
            detail: "Filters judged the message content as spam or dangerous.".into(),
            what_to_do: "Review the content of the messages behind these rows before resending.".into(),
            count: content.len() as u64,
            evidence: c.evidence(&content),
        }),
    }
}

fn is_invalid(v: &Verdict) -> bool {
    matches!(v.category, Category::InvalidRecipient | Category::InvalidDomain | Category::InvalidAddressSyntax | Category::MailboxDisabled) && v.class == Class::Permanent
}

fn hard_bounce_threshold(c: &Ctx) -> Option<f64> {
    c.policy.thresholds(Metric::HardBounceRate).last().map(|t| t.above)
}

/// A spike of invalid addresses: list decay.
fn list_decay(c: &Ctx) -> Option<Alert> {
    let k = &c.policy.list_decay;
    let invalid = c.rows(is_invalid);
    let share = invalid.len() as f64 / c.s.rows.len() as f64;
    let hard_rate_high = match (c.s.options.sent.filter(|s| *s > 0), hard_bounce_threshold(c)) {
        (Some(sent), Some(t)) => invalid.len() as f64 / sent as f64 > t,
        _ => false,
    };
    if invalid.len() < k.min_rows || !(share >= k.share || hard_rate_high) {
        return None;
    }
    Some(Alert {
        id: "list_decay".into(),
        severity: Severity::Warning,
        title: format!("{} addresses do not exist any more (5.1.x)", invalid.len()),
        detail: format!("{} of the analysed rows are unknown users, dead domains or disabled mailboxes: the list is decaying or a poor source was imported.", pct(share)),
        what_to_do: "Suppress them (download the suppression list), then run the rest of the list through verification before the next send and check where these addresses came from.".into(),
        count: invalid.len() as u64,
        evidence: c.evidence(&invalid),
    })
}

/// The campaign where invalid addresses spike.
fn list_decay_campaign(c: &Ctx) -> Option<Alert> {
    let k = &c.policy.list_decay;
    let invalid = c.rows(is_invalid);
    if invalid.len() < k.min_rows || c.s.campaigns.len() <= 2 {
        return None;
    }
    let file_share = invalid.len() as f64 / c.s.rows.len() as f64;
    let unknown_address = |v: &Verdict| matches!(v.category, Category::InvalidRecipient | Category::InvalidDomain | Category::InvalidAddressSyntax);
    let mut per: FxHashMap<u32, (u64, u64)> = FxHashMap::default();
    for r in &c.s.rows {
        let e = per.entry(r.campaign).or_insert((0, 0));
        e.1 += 1;
        if unknown_address(c.v(r)) {
            e.0 += 1;
        }
    }
    let (id, (inv, _)) = per
        .iter()
        .filter(|(id, (_, all))| **id != 0 && *all >= k.campaign_min_rows)
        .max_by(|a, b| (a.1 .0 as f64 / a.1 .1 as f64).total_cmp(&(b.1 .0 as f64 / b.1 .1 as f64)).then(b.0.cmp(a.0)))?;
    let share = *inv as f64 / per[id].1 as f64;
    if share < k.campaign_factor * file_share || share < k.campaign_share {
        return None;
    }
    let name = c.s.campaigns.get(*id);
    let rows: Vec<&Row> = invalid.iter().filter(|r| r.campaign == *id).copied().collect();
    Some(Alert {
        id: "list_decay_campaign".into(),
        severity: Severity::Warning,
        title: format!("Invalid addresses spike in \"{name}\""),
        detail: format!("{} of this campaign's bounces are invalid addresses, against {} across the file: the segment or source it went to is stale.", pct(share), pct(file_share)),
        what_to_do: format!("Verify the segment \"{name}\" was sent to before mailing it again."),
        count: *inv,
        evidence: c.evidence(&rows),
    })
}

/// The addresses whose soft failures came back on enough separate campaigns or days.
fn recurring(c: &Ctx, occasions_needed: usize, f: impl Fn(&Verdict) -> bool) -> Vec<u32> {
    let mut occasions: FxHashMap<u32, FxHashSet<u32>> = FxHashMap::default();
    for r in &c.s.rows {
        if f(c.v(r)) {
            occasions.entry(r.addr).or_default().insert(r.day);
        }
    }
    let mut v: Vec<u32> = occasions.into_iter().filter(|(_, s)| s.len() >= occasions_needed).map(|(a, _)| a).collect();
    v.sort_unstable();
    v
}

/// The same address deferred on separate campaigns or dates.
fn recurring_soft(c: &Ctx) -> Option<Alert> {
    let n = c.policy.recurrence.soft_occasions;
    let addrs = recurring(c, n, |v| is_soft(v) && v.category != Category::Greylisted);
    if addrs.is_empty() {
        return None;
    }
    let rows: Vec<&Row> = c.s.rows.iter().filter(|r| addrs.binary_search(&r.addr).is_ok() && is_soft(c.v(r))).collect();
    Some(Alert {
        id: "recurring_soft".into(),
        severity: Severity::Warning,
        title: format!("{} addresses soft-bounced on {n} or more separate campaigns or dates", addrs.len()),
        detail: "Retries are not getting through for these addresses: a temporary failure that keeps coming back is no longer temporary.".into(),
        what_to_do: "Move them to a re-engagement flow or verify them before the next send (download the re-engagement list).".into(),
        count: addrs.len() as u64,
        evidence: c.evidence(&rows),
    })
}

/// Mailboxes full again and again: abandoned.
fn abandoned_mailboxes(c: &Ctx) -> Option<Alert> {
    let n = c.policy.recurrence.mailbox_full_occasions;
    let addrs = recurring(c, n, |v| v.category == Category::MailboxFull);
    if addrs.is_empty() {
        return None;
    }
    let rows: Vec<&Row> = c.s.rows.iter().filter(|r| addrs.binary_search(&r.addr).is_ok() && c.v(r).category == Category::MailboxFull).collect();
    Some(Alert {
        id: "abandoned_mailbox".into(),
        severity: Severity::Info,
        title: format!("{} mailboxes were full on {n} or more separate campaigns or dates", addrs.len()),
        detail: "A mailbox that stays full across campaigns is abandoned and will soon be closed.".into(),
        what_to_do: "Suppress these addresses, or send them one re-engagement message first.".into(),
        count: addrs.len() as u64,
        evidence: c.evidence(&rows),
    })
}

/// The bounce rate against its thresholds (when the number sent is known).
fn bounce_rate(c: &Ctx) -> Option<Alert> {
    let sent = c.s.options.sent.filter(|s| *s > 0)?;
    let bounces = c.s.rows.iter().filter(|r| is_bounce(c.v(r))).count() as u64;
    let rate = bounces as f64 / sent as f64;
    let t = c.policy.thresholds(Metric::BounceRate).into_iter().find(|t| rate > t.above)?;
    Some(Alert {
        id: if t.severity == Severity::Critical { "bounce_rate_critical" } else { "bounce_rate_high" }.into(),
        severity: t.severity,
        title: format!("Bounce rate {} of {} sent", pct(rate), sent),
        detail: t.says.clone(),
        what_to_do: "Suppress the hard bounces and verify the rest of the list before the next send.".into(),
        count: bounces,
        evidence: vec![],
    })
}
