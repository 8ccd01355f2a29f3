//! What a finished analysis says about the whole file: totals and shares, bounce rates, the
//! alerts that only show across many rows, the action table, and pages of the rows table.

use super::{Row, Session};
use crate::model::{Action, BounceType, Category, Class, Id, Owner};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

/// A count with its share of the analysed rows.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Count {
    pub id: String,
    pub label: String,
    pub count: u64,
    pub share: f64,
}

/// Bounce rates against the usual thresholds, when the user gave the number sent.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Rates {
    pub sent: u64,
    pub bounce_rate: f64,
    pub hard_bounce_rate: f64,
    pub complaint_rate: f64,
    /// Plain-language reading of the rates.
    pub verdicts: Vec<String>,
}

/// A pattern across the file, with its evidence and what to do.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Alert {
    /// Stable id of the pattern (used by the UI's `data-alert`).
    pub id: String,
    /// "critical", "warning" or "info".
    pub severity: String,
    pub title: String,
    pub detail: String,
    pub what_to_do: String,
    pub count: u64,
    /// A few rows that show it ("file.csv, row 12: a@b.com: 550 5.7.26 ...").
    pub evidence: Vec<String>,
}

/// One row of the action table.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ActionRow {
    pub action: Action,
    pub label: String,
    pub rows: u64,
    pub addresses: u64,
    pub why: String,
    /// The main causes behind it, most frequent first.
    pub causes: Vec<Count>,
    /// The first addresses (the downloads have all of them).
    pub sample_addresses: Vec<String>,
}

/// The summary of a finished analysis.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Report {
    pub files: Vec<super::FileInfo>,
    pub rows_read: u64,
    pub analysed: u64,
    pub bad_rows: u64,
    pub listed_bad_rows: Vec<super::BadRow>,
    pub other_events: u64,
    pub unique_addresses: u64,
    pub distinct_replies: u64,
    pub bytes: u64,
    pub by_bounce_type: Vec<Count>,
    pub by_category: Vec<Count>,
    pub by_action: Vec<Count>,
    pub by_owner: Vec<Count>,
    pub by_provider: Vec<Count>,
    pub by_domain: Vec<Count>,
    pub by_campaign: Vec<Count>,
    /// Rows where the platform's own label says something else than the verdict.
    pub label_disagreements: u64,
    pub label_disagreement_examples: Vec<String>,
    pub rates: Option<Rates>,
    pub alerts: Vec<Alert>,
    pub actions: Vec<ActionRow>,
}

fn is_soft(v: &crate::model::Verdict) -> bool {
    v.class == Class::Temporary || v.bounce_type == BounceType::Soft
}

fn counts<K: Eq + std::hash::Hash + Clone>(rows: impl Iterator<Item = K>, total: u64, name: impl Fn(&K) -> (String, String)) -> Vec<Count> {
    let mut m: FxHashMap<K, u64> = FxHashMap::default();
    for k in rows {
        *m.entry(k).or_insert(0) += 1;
    }
    let mut v: Vec<Count> = m
        .into_iter()
        .map(|(k, n)| {
            let (id, label) = name(&k);
            Count { id, label, count: n, share: if total == 0 { 0.0 } else { n as f64 / total as f64 } }
        })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then(a.id.cmp(&b.id)));
    v
}

fn pct(x: f64) -> String {
    if x >= 0.1 {
        format!("{:.0}%", x * 100.0)
    } else {
        format!("{:.1}%", x * 100.0)
    }
}

impl Session {
    fn evidence_line(&self, r: &Row) -> String {
        let v = self.verdict(r);
        let d: String = v.diagnostic.chars().take(140).collect();
        format!("{}: {}: {}", self.source(r), self.addresses.get(r.addr), if d.is_empty() { v.summary.clone() } else { d })
    }

    fn provider_name(&self, r: &Row) -> String {
        let v = self.verdict(r);
        let k = crate::knowledge::Knowledge::get();
        match &v.provider {
            Some(p) => k.provider(p).map(|x| x.name.clone()).unwrap_or_else(|| p.clone()),
            None => "other".into(),
        }
    }

    /// The summary, alerts and action table of everything analysed so far.
    pub fn report(&self) -> Report {
        let k = crate::knowledge::Knowledge::get();
        let total = self.rows.len() as u64;
        let vs = |r: &Row| &*self.verdicts[r.verdict as usize].verdict;
        let by_bounce_type = counts(self.rows.iter().map(|r| vs(r).bounce_type), total, |b| (b.id().into(), b.label().into()));
        let by_category = counts(self.rows.iter().map(|r| vs(r).category), total, |c| (c.id().into(), c.label().into()));
        let by_action = counts(self.rows.iter().map(|r| vs(r).action), total, |a| (a.id().into(), a.label().into()));
        let by_owner = counts(self.rows.iter().map(|r| vs(r).owner), total, |o| (o.id().into(), o.label().into()));
        let by_provider = counts(self.rows.iter().map(|r| vs(r).provider.clone()), total, |p| match p {
            Some(p) => (p.clone(), k.provider(p).map(|x| x.name.clone()).unwrap_or_else(|| p.clone())),
            None => ("other".into(), "Other / unknown".into()),
        });
        let mut by_domain = counts(self.rows.iter().map(|r| r.domain), total, |d| (self.domains.get(*d).to_string(), self.domains.get(*d).to_string()));
        by_domain.truncate(20);
        let mut by_campaign = counts(self.rows.iter().filter(|r| r.campaign != 0).map(|r| r.campaign), total, |c| (self.campaigns.get(*c).to_string(), self.campaigns.get(*c).to_string()));
        by_campaign.truncate(20);

        let mut label_disagreements = 0;
        let mut label_disagreement_examples = vec![];
        for r in &self.rows {
            let e = &self.verdicts[r.verdict as usize];
            if let Some(kind) = e.label_kind {
                let v = &*e.verdict;
                if kind != v.bounce_type && v.decided_by.as_deref() != Some("label") && !(kind == BounceType::Hard && v.bounce_type == BounceType::Hard) {
                    label_disagreements += 1;
                    if label_disagreement_examples.len() < 5 {
                        label_disagreement_examples.push(format!("{} labelled \"{}\", bouncelens: {} ({})", self.addresses.get(r.addr), self.labels.get(r.label), v.bounce_type.label(), v.category.label()));
                    }
                }
            }
        }

        let rates = self.options.sent.filter(|s| *s > 0).map(|sent| {
            let bounces = self.rows.iter().filter(|r| !matches!(vs(r).bounce_type, BounceType::Delivered | BounceType::AutoReply | BounceType::Complaint)).count() as u64;
            let hard = self.rows.iter().filter(|r| vs(r).bounce_type == BounceType::Hard).count() as u64;
            let complaints = self.rows.iter().filter(|r| vs(r).bounce_type == BounceType::Complaint).count() as u64;
            let br = bounces as f64 / sent as f64;
            let hr = hard as f64 / sent as f64;
            let cr = complaints as f64 / sent as f64;
            let mut verdicts = vec![];
            if br > 0.05 {
                verdicts.push(format!("Bounce rate {} is above 5%: at this level sending platforms step in (throttling or suspending the account). Stop and clean the list before the next send.", pct(br)));
            } else if br > 0.02 {
                verdicts.push(format!("Bounce rate {} is above the 2% that mailbox providers tolerate: clean the list before the next send.", pct(br)));
            } else {
                verdicts.push(format!("Bounce rate {} is under the 2% threshold.", pct(br)));
            }
            if hr > 0.005 {
                verdicts.push(format!("Hard bounce rate {} is above 0.5%: verify the list (or the segment that caused it).", pct(hr)));
            } else {
                verdicts.push(format!("Hard bounce rate {} is under 0.5%.", pct(hr)));
            }
            if cr > 0.003 {
                verdicts.push(format!("Complaint rate {} is above 0.3%, the limit Gmail and Yahoo enforce.", pct(cr)));
            }
            Rates { sent, bounce_rate: br, hard_bounce_rate: hr, complaint_rate: cr, verdicts }
        });

        Report {
            files: self.files.clone(),
            rows_read: self.files.iter().map(|f| f.rows).sum(),
            analysed: total,
            bad_rows: self.bad_count,
            listed_bad_rows: self.bad_rows.clone(),
            other_events: self.files.iter().flat_map(|f| f.other_events.iter().map(|(_, n)| *n)).sum(),
            unique_addresses: (self.addresses.len() as u64).saturating_sub(1),
            distinct_replies: self.verdicts.len() as u64,
            bytes: self.bytes,
            by_bounce_type,
            by_category,
            by_action,
            by_owner,
            by_provider,
            by_domain,
            by_campaign,
            label_disagreements,
            label_disagreement_examples,
            rates,
            alerts: self.alerts(),
            actions: self.actions(),
        }
    }

    /// Patterns across the file.
    pub fn alerts(&self) -> Vec<Alert> {
        let mut out = vec![];
        let total = self.rows.len() as u64;
        if total == 0 {
            return out;
        }
        let vs = |r: &Row| &*self.verdicts[r.verdict as usize].verdict;
        let evidence = |rows: &[&Row]| rows.iter().take(5).map(|r| self.evidence_line(r)).collect::<Vec<_>>();

        // Authentication failures: affect every recipient at that provider.
        let auth: Vec<&Row> = self.rows.iter().filter(|r| vs(r).category == Category::Authentication).collect();
        if !auth.is_empty() {
            let providers: FxHashSet<String> = auth.iter().map(|r| self.provider_name(r)).collect();
            let mut p: Vec<String> = providers.into_iter().collect();
            p.sort();
            out.push(Alert {
                id: "authentication".into(),
                severity: "critical".into(),
                title: format!("{} rejections for failed authentication (SPF, DKIM, DMARC, reverse DNS)", auth.len()),
                detail: format!("Receivers refused mail they could not authenticate, at: {}. This hits every recipient at those providers, not just these rows.", p.join(", ")),
                what_to_do: "Fix SPF, DKIM and DMARC for the sending domain (and From-domain alignment) before the next send. Do not suppress these addresses: they are fine.".into(),
                count: auth.len() as u64,
                evidence: evidence(&auth),
            });
        }

        // Blocklist rejections at several providers at once: you are listed.
        let listed: Vec<&Row> = self.rows.iter().filter(|r| vs(r).category == Category::Blocklisted || (vs(r).reply_code.as_deref() == Some("554") && matches!(vs(r).category, Category::Policy | Category::Reputation))).collect();
        let listed_providers: FxHashSet<String> = listed.iter().map(|r| if vs(r).provider.is_some() { self.provider_name(r) } else { self.domains.get(r.domain).to_string() }).collect();
        if listed.len() >= 3 && listed_providers.len() >= 2 {
            out.push(Alert {
                id: "blocklisted".into(),
                severity: "critical".into(),
                title: format!("Blocklist or 554 rejections at {} different receivers", listed_providers.len()),
                detail: format!("{} rows were refused for a listing or a blanket 554 at several receivers at once: your sending IP or domain is very likely on a blocklist.", listed.len()),
                what_to_do: "Check your sending IPs and domains on Spamhaus, Barracuda and SpamCop (the replies name the list), fix the cause and request delisting before sending more. Sending while listed makes it worse.".into(),
                count: listed.len() as u64,
                evidence: evidence(&listed),
            });
        }

        // Sender-side configuration errors: nobody to suppress.
        let config: Vec<&Row> = self.rows.iter().filter(|r| matches!(vs(r).category, Category::SenderConfig | Category::Tls) && vs(r).owner == Owner::SenderConfiguration).collect();
        if !config.is_empty() {
            out.push(Alert {
                id: "sender_config".into(),
                severity: "critical".into(),
                title: format!("{} rejections caused by your sending setup (500-504, 555, 530, relay, TLS)", config.len()),
                detail: "The receiving servers could not accept what your system sent (protocol errors, missing SMTP authentication, relaying, malformed messages). The recipients are not at fault.".into(),
                what_to_do: "Do not suppress these addresses. Have your platform or mail administrator fix the configuration, then resend.".into(),
                count: config.len() as u64,
                evidence: evidence(&config),
            });
        }

        // Null MX / domain accepts no mail: suppress the whole domain.
        let nullmx: Vec<&Row> = self.rows.iter().filter(|r| vs(r).category == Category::DomainRejectsMail).collect();
        if !nullmx.is_empty() {
            let mut doms: Vec<&str> = nullmx.iter().map(|r| self.domains.get(r.domain)).collect::<FxHashSet<_>>().into_iter().collect();
            doms.sort();
            out.push(Alert {
                id: "domain_rejects_mail".into(),
                severity: "warning".into(),
                title: format!("{} domain(s) accept no mail at all", doms.len()),
                detail: format!("These domains declare they receive no email (556 / null MX): {}.", doms.iter().take(10).cloned().collect::<Vec<_>>().join(", ")),
                what_to_do: "Suppress every address at these domains (download 'Domains to suppress').".into(),
                count: nullmx.len() as u64,
                evidence: evidence(&nullmx),
            });
        }

        // Deferrals concentrated at one provider: it is throttling you.
        let throttled: Vec<&Row> = self.rows.iter().filter(|r| {
            let v = vs(r);
            matches!(v.category, Category::RateLimited | Category::Reputation) && v.class == Class::Temporary
                || (v.reply_code.as_deref() == Some("421") && v.class == Class::Temporary)
        }).collect();
        if throttled.len() >= 5 {
            let mut per: FxHashMap<String, Vec<&Row>> = FxHashMap::default();
            for r in &throttled {
                let key = if vs(r).provider.is_some() { self.provider_name(r) } else { self.domains.get(r.domain).to_string() };
                per.entry(key).or_default().push(r);
            }
            if let Some((name, rows)) = per.iter().max_by_key(|(_, v)| v.len()) {
                if rows.len() * 10 >= throttled.len() * 6 {
                    out.push(Alert {
                        id: "provider_throttling".into(),
                        severity: "warning".into(),
                        title: format!("{name} is throttling you ({} deferrals)", rows.len()),
                        detail: format!("{} of the {} temporary 421/4.7.x deferrals come from {name}: it is limiting how fast it takes your mail, usually because of your reputation there or a sudden rise in volume.", rows.len(), throttled.len()),
                        what_to_do: format!("Slow down for {name}: fewer messages per hour, fewer connections, send to engaged recipients first, and check your reputation in its sender tools. Do not suppress these addresses."),
                        count: rows.len() as u64,
                        evidence: evidence(rows),
                    });
                }
            }
        }

        // Content rejections concentrated in one campaign: that message's content.
        let content: Vec<&Row> = self.rows.iter().filter(|r| vs(r).category == Category::ContentRejected).collect();
        if content.len() >= 3 {
            let mut per: FxHashMap<u32, Vec<&Row>> = FxHashMap::default();
            for r in content.iter().filter(|r| r.campaign != 0) {
                per.entry(r.campaign).or_default().push(r);
            }
            if let Some((c, rows)) = per.iter().max_by_key(|(_, v)| v.len()) {
                if rows.len() >= 3 && rows.len() * 10 >= content.len() * 6 {
                    let name = self.campaigns.get(*c);
                    out.push(Alert {
                        id: "campaign_content".into(),
                        severity: "warning".into(),
                        title: format!("Content rejections concentrate in \"{name}\""),
                        detail: format!("{} of the {} spam/content rejections come from this campaign: its content (links, wording, attachments) triggered filters, not your list.", rows.len(), content.len()),
                        what_to_do: format!("Review \"{name}\": its links and their domains, URL shorteners, images and attachments; test it before sending it again."),
                        count: rows.len() as u64,
                        evidence: evidence(rows),
                    });
                }
            } else if content.len() >= 3 {
                out.push(Alert {
                    id: "content_rejected".into(),
                    severity: "warning".into(),
                    title: format!("{} rejections for the message content", content.len()),
                    detail: "Filters judged the message content as spam or dangerous.".into(),
                    what_to_do: "Review the content of the messages behind these rows before resending.".into(),
                    count: content.len() as u64,
                    evidence: evidence(&content),
                });
            }
        }

        // A spike of invalid addresses: list decay.
        let invalid: Vec<&Row> = self.rows.iter().filter(|r| matches!(vs(r).category, Category::InvalidRecipient | Category::InvalidDomain | Category::InvalidAddressSyntax | Category::MailboxDisabled) && vs(r).class == Class::Permanent).collect();
        let invalid_share = invalid.len() as f64 / total as f64;
        let hard_rate_high = self.options.sent.is_some_and(|s| s > 0 && invalid.len() as f64 / s as f64 > 0.005);
        if invalid.len() >= 10 && (invalid_share >= 0.5 || hard_rate_high) {
            out.push(Alert {
                id: "list_decay".into(),
                severity: "warning".into(),
                title: format!("{} addresses do not exist any more (5.1.x)", invalid.len()),
                detail: format!("{} of the analysed rows are unknown users, dead domains or disabled mailboxes: the list is decaying or a poor source was imported.", pct(invalid_share)),
                what_to_do: "Suppress them (download the suppression list), then run the rest of the list through verification before the next send and check where these addresses came from.".into(),
                count: invalid.len() as u64,
                evidence: evidence(&invalid),
            });
        }
        // ...and the campaign where they spike.
        if invalid.len() >= 10 && self.campaigns.len() > 2 {
            let mut per: FxHashMap<u32, (u64, u64)> = FxHashMap::default();
            for r in &self.rows {
                let e = per.entry(r.campaign).or_insert((0, 0));
                e.1 += 1;
                if matches!(vs(r).category, Category::InvalidRecipient | Category::InvalidDomain | Category::InvalidAddressSyntax) {
                    e.0 += 1;
                }
            }
            if let Some((c, (inv, all))) = per.iter().filter(|(c, (_, all))| **c != 0 && *all >= 20).max_by(|a, b| (a.1 .0 as f64 / a.1 .1 as f64).total_cmp(&(b.1 .0 as f64 / b.1 .1 as f64))) {
                let share = *inv as f64 / *all as f64;
                if share >= 2.0 * invalid_share && share >= 0.3 {
                    let name = self.campaigns.get(*c);
                    let rows: Vec<&Row> = invalid.iter().filter(|r| r.campaign == *c).copied().collect();
                    out.push(Alert {
                        id: "list_decay_campaign".into(),
                        severity: "warning".into(),
                        title: format!("Invalid addresses spike in \"{name}\""),
                        detail: format!("{} of this campaign's bounces are invalid addresses, against {} across the file: the segment or source it went to is stale.", pct(share), pct(invalid_share)),
                        what_to_do: format!("Verify the segment \"{name}\" was sent to before mailing it again."),
                        count: *inv,
                        evidence: evidence(&rows),
                    });
                }
            }
        }

        // The same address deferred on 3+ separate campaigns or dates.
        let mut occasions: FxHashMap<u32, FxHashSet<u32>> = FxHashMap::default();
        let mut full: FxHashMap<u32, FxHashSet<u32>> = FxHashMap::default();
        let mut full_rows: FxHashMap<u32, u32> = FxHashMap::default();
        for r in &self.rows {
            let v = vs(r);
            if is_soft(v) && v.category != Category::Greylisted {
                occasions.entry(r.addr).or_default().insert(r.day);
            }
            if v.category == Category::MailboxFull {
                full.entry(r.addr).or_default().insert(r.day);
                *full_rows.entry(r.addr).or_insert(0) += 1;
            }
        }
        let recurring: Vec<u32> = {
            let mut v: Vec<u32> = occasions.iter().filter(|(_, s)| s.len() >= 3).map(|(a, _)| *a).collect();
            v.sort();
            v
        };
        if !recurring.is_empty() {
            let rows: Vec<&Row> = self.rows.iter().filter(|r| recurring.binary_search(&r.addr).is_ok() && is_soft(vs(r))).collect();
            out.push(Alert {
                id: "recurring_soft".into(),
                severity: "warning".into(),
                title: format!("{} addresses soft-bounced on 3 or more separate campaigns or dates", recurring.len()),
                detail: "Retries are not getting through for these addresses: a temporary failure that keeps coming back is no longer temporary.".into(),
                what_to_do: "Move them to a re-engagement flow or verify them before the next send (download the re-engagement list).".into(),
                count: recurring.len() as u64,
                evidence: evidence(&rows),
            });
        }
        let abandoned: Vec<u32> = {
            let mut v: Vec<u32> = full.iter().filter(|(a, s)| s.len() >= 3 || full_rows.get(a).copied().unwrap_or(0) >= 3 && s.len() >= 2).map(|(a, _)| *a).collect();
            v.sort();
            v
        };
        if !abandoned.is_empty() {
            let rows: Vec<&Row> = self.rows.iter().filter(|r| abandoned.binary_search(&r.addr).is_ok() && vs(r).category == Category::MailboxFull).collect();
            out.push(Alert {
                id: "abandoned_mailbox".into(),
                severity: "info".into(),
                title: format!("{} mailboxes are full again and again", abandoned.len()),
                detail: "A mailbox that stays full across campaigns is abandoned and will soon be closed.".into(),
                what_to_do: "Suppress these addresses, or send them one re-engagement message first.".into(),
                count: abandoned.len() as u64,
                evidence: evidence(&rows),
            });
        }

        // Bounce rates against thresholds.
        if let Some(sent) = self.options.sent.filter(|s| *s > 0) {
            let bounces = self.rows.iter().filter(|r| !matches!(vs(r).bounce_type, BounceType::Delivered | BounceType::AutoReply | BounceType::Complaint)).count() as f64;
            let rate = bounces / sent as f64;
            if rate > 0.02 {
                out.push(Alert {
                    id: if rate > 0.05 { "bounce_rate_critical" } else { "bounce_rate_high" }.into(),
                    severity: if rate > 0.05 { "critical" } else { "warning" }.into(),
                    title: format!("Bounce rate {} of {} sent", pct(rate), sent),
                    detail: if rate > 0.05 { "Above 5%, sending platforms step in (throttling or suspending the account) and providers start filtering.".into() } else { "Above the 2% mailbox providers tolerate.".into() },
                    what_to_do: "Suppress the hard bounces and verify the rest of the list before the next send.".into(),
                    count: bounces as u64,
                    evidence: vec![],
                });
            }
        }
        let order = |s: &str| match s {
            "critical" => 0,
            "warning" => 1,
            _ => 2,
        };
        out.sort_by_key(|a| order(&a.severity));
        out
    }

    /// One row per action with counts, why, and the addresses behind it.
    pub fn actions(&self) -> Vec<ActionRow> {
        let k = crate::knowledge::Knowledge::get();
        let mut per: FxHashMap<Action, (u64, FxHashSet<u32>, FxHashMap<Category, u64>, Vec<u32>)> = FxHashMap::default();
        for r in &self.rows {
            let v = self.verdict(r);
            let e = per.entry(v.action).or_default();
            e.0 += 1;
            if e.1.insert(r.addr) && e.3.len() < 20 {
                e.3.push(r.addr);
            }
            *e.2.entry(v.category).or_insert(0) += 1;
        }
        let mut out: Vec<ActionRow> = per
            .into_iter()
            .map(|(a, (rows, addrs, cats, sample))| {
                let mut causes: Vec<Count> = cats.into_iter().map(|(c, n)| Count { id: c.id().into(), label: c.label().into(), count: n, share: n as f64 / rows as f64 }).collect();
                causes.sort_by(|x, y| y.count.cmp(&x.count));
                let top = causes.first().and_then(|c| Category::from_id(&c.id)).unwrap_or(Category::Unknown);
                ActionRow {
                    action: a,
                    label: a.label().into(),
                    rows,
                    addresses: addrs.len() as u64,
                    why: action_why(a, &k.category(top).title),
                    causes,
                    sample_addresses: sample.into_iter().map(|id| self.addresses.get(id).to_string()).collect(),
                }
            })
            .collect();
        let rank = |a: Action| Action::ALL.iter().position(|x| *x == a).unwrap_or(99);
        out.sort_by(|a, b| {
            let pa = matches!(a.action, Action::FixAuthentication | Action::FixSenderConfig | Action::RequestDelisting | Action::FixTls);
            let pb = matches!(b.action, Action::FixAuthentication | Action::FixSenderConfig | Action::RequestDelisting | Action::FixTls);
            pb.cmp(&pa).then(b.rows.cmp(&a.rows)).then(rank(a.action).cmp(&rank(b.action)))
        });
        out
    }
}

fn action_why(a: Action, top_cause: &str) -> String {
    let base = match a {
        Action::Suppress => "These addresses will not work again (or the person complained): keep them off every future send.",
        Action::SuppressDomain => "These domains accept no mail at all: suppress every address at them.",
        Action::Retry => "Temporary conditions on the receiving side: let the normal retries run.",
        Action::RetrySlower => "Receivers are throttling you: slow down and let the queue retry gradually.",
        Action::FixAuthentication => "Your SPF, DKIM or DMARC failed: fix it before the next send; the addresses are fine.",
        Action::RequestDelisting => "You are on a blocklist: fix the cause and ask to be delisted before sending more.",
        Action::ReviewContent => "Filters rejected the content: review and test the message.",
        Action::ReduceSize => "The messages were too large: make them smaller.",
        Action::FixTls => "Encryption could not be set up: have your platform check TLS.",
        Action::FixSenderConfig => "Your sending setup is at fault: fix it; do not suppress these recipients.",
        Action::Investigate => "Not decisive on its own: read the replies (policy, expired deliveries, unknown).",
        Action::Monitor => "Accepted, but worth watching.",
        Action::None => "Nothing to do (delivered or an automatic reply).",
    };
    format!("{base} Main cause: {top_cause}.")
}

/// A query of the rows table.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RowQuery {
    pub offset: usize,
    pub limit: usize,
    /// Column to sort by: address, domain, category, action, bounce_type, owner, provider, code, date, row.
    #[serde(default)]
    pub sort: Option<String>,
    #[serde(default)]
    pub descending: bool,
    /// Filters on verdict fields: (field, id), e.g. ("category", "mailbox_full").
    #[serde(default)]
    pub filters: Vec<(String, String)>,
    /// Case-insensitive text to find in the address, the reply or the campaign.
    #[serde(default)]
    pub search: String,
}

/// One row of the rows table, ready to show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowView {
    pub source: String,
    pub address: String,
    pub domain: String,
    pub bounce_type: BounceType,
    pub category: Category,
    pub action: Action,
    pub owner: Owner,
    pub provider: Option<String>,
    pub reply_code: Option<String>,
    pub enhanced_code: Option<String>,
    pub summary: String,
    pub diagnostic: String,
    pub label: String,
    pub campaign: String,
    pub date: String,
}

/// A page of the rows table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowsPage {
    pub total: usize,
    pub offset: usize,
    pub rows: Vec<RowView>,
}

impl Session {
    pub fn row_view(&self, r: &Row) -> RowView {
        let v = self.verdict(r);
        RowView {
            source: self.source(r),
            address: self.addresses.get(r.addr).to_string(),
            domain: self.domains.get(r.domain).to_string(),
            bounce_type: v.bounce_type,
            category: v.category,
            action: v.action,
            owner: v.owner,
            provider: v.provider.clone(),
            reply_code: v.reply_code.clone(),
            enhanced_code: v.enhanced_code.clone(),
            summary: v.summary.clone(),
            diagnostic: v.diagnostic.chars().take(400).collect(),
            label: self.labels.get(r.label).to_string(),
            campaign: self.campaigns.get(r.campaign).to_string(),
            date: self.date(r).to_string(),
        }
    }

    /// The indices of the rows a query selects, in its order.
    pub fn select(&self, q: &RowQuery) -> Vec<u32> {
        let needle = q.search.trim().to_lowercase();
        // Filters and search work on verdicts first (few), then rows.
        let verdict_ok: Vec<bool> = self
            .verdicts
            .iter()
            .map(|e| {
                let v = &*e.verdict;
                q.filters.iter().all(|(field, id)| match field.as_str() {
                    "category" => v.category.id() == id,
                    "action" => v.action.id() == id,
                    "bounce_type" => v.bounce_type.id() == id,
                    "owner" => v.owner.id() == id,
                    "class" => v.class.id() == id,
                    "provider" => v.provider.as_deref().unwrap_or("other") == id,
                    _ => true,
                })
            })
            .collect();
        let verdict_text: Vec<bool> = if needle.is_empty() { vec![] } else { self.verdicts.iter().map(|e| e.verdict.diagnostic.to_lowercase().contains(&needle) || e.verdict.summary.to_lowercase().contains(&needle)).collect() };
        let domain_filter: Option<&str> = q.filters.iter().find(|(f, _)| f == "domain").map(|(_, d)| d.as_str());
        let campaign_filter: Option<&str> = q.filters.iter().find(|(f, _)| f == "campaign").map(|(_, d)| d.as_str());
        let mut idx: Vec<u32> = (0..self.rows.len() as u32)
            .filter(|i| {
                let r = &self.rows[*i as usize];
                if !verdict_ok[r.verdict as usize] {
                    return false;
                }
                if domain_filter.is_some_and(|d| self.domains.get(r.domain) != d) || campaign_filter.is_some_and(|c| self.campaigns.get(r.campaign) != c) {
                    return false;
                }
                needle.is_empty()
                    || verdict_text[r.verdict as usize]
                    || self.addresses.get(r.addr).contains(&needle)
                    || self.campaigns.get(r.campaign).to_lowercase().contains(&needle)
            })
            .collect();
        if let Some(sort) = q.sort.as_deref() {
            let key_str = |i: &u32| -> String {
                let r = &self.rows[*i as usize];
                let v = self.verdict(r);
                match sort {
                    "address" => self.addresses.get(r.addr).to_string(),
                    "domain" => self.domains.get(r.domain).to_string(),
                    "category" => v.category.label().to_string(),
                    "action" => v.action.label().to_string(),
                    "bounce_type" => v.bounce_type.label().to_string(),
                    "owner" => v.owner.label().to_string(),
                    "provider" => v.provider.clone().unwrap_or_default(),
                    "code" => format!("{} {}", v.reply_code.as_deref().unwrap_or(""), v.enhanced_code.as_deref().unwrap_or("")),
                    "date" => self.date(r).to_string(),
                    "campaign" => self.campaigns.get(r.campaign).to_string(),
                    _ => String::new(),
                }
            };
            if sort == "row" {
                idx.sort_by_key(|i| (self.rows[*i as usize].file, self.rows[*i as usize].line));
            } else {
                let mut keyed: Vec<(String, u32)> = idx.iter().map(|i| (key_str(i), *i)).collect();
                keyed.sort();
                idx = keyed.into_iter().map(|(_, i)| i).collect();
            }
            if q.descending {
                idx.reverse();
            }
        }
        idx
    }

    /// A page of the rows table.
    pub fn rows_page(&self, q: &RowQuery) -> RowsPage {
        let idx = self.select(q);
        let limit = if q.limit == 0 { 100 } else { q.limit.min(1000) };
        let rows = idx.iter().skip(q.offset).take(limit).map(|i| self.row_view(&self.rows[*i as usize])).collect();
        RowsPage { total: idx.len(), offset: q.offset, rows }
    }
}
