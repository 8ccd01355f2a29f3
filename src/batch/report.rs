//! What a finished analysis says about the whole file: totals and shares, bounce rates, the
//! alerts that only show across many rows, the action table, and pages of the rows table.

use super::alerts::{is_bounce, pct};
use super::{Row, Session};
use crate::knowledge::Metric;
use crate::model::{Action, BounceType, Category, DecidedBy, Id, Owner, ProviderId};
use crate::smtp::{EnhancedCode, ReplyCode};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

/// A count with its share of the analysed rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    pub alerts: Vec<super::alerts::Alert>,
    pub actions: Vec<ActionRow>,
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

impl Session {
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
            Some(p) => (p.to_string(), k.provider_name(p)),
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
                if kind != v.bounce_type && v.decided_by != Some(DecidedBy::PlatformLabel) {
                    label_disagreements += 1;
                    if label_disagreement_examples.len() < 5 {
                        label_disagreement_examples.push(format!("{} labelled \"{}\", bouncelens: {} ({})", self.addresses.get(r.addr), self.labels.get(r.label), v.bounce_type.label(), v.category.label()));
                    }
                }
            }
        }

        let rates = self.options.sent.filter(|s| *s > 0).map(|sent| {
            let bounces = self.rows.iter().filter(|r| is_bounce(vs(r))).count() as u64;
            let hard = self.rows.iter().filter(|r| vs(r).bounce_type == BounceType::Hard).count() as u64;
            let complaints = self.rows.iter().filter(|r| vs(r).bounce_type == BounceType::Complaint).count() as u64;
            let (br, hr, cr) = (bounces as f64 / sent as f64, hard as f64 / sent as f64, complaints as f64 / sent as f64);
            // Each rate read against the highest threshold it crosses (policy.toml).
            let mut verdicts = vec![];
            for (metric, rate) in [(Metric::BounceRate, br), (Metric::HardBounceRate, hr), (Metric::ComplaintRate, cr)] {
                let ts = k.policy.thresholds(metric);
                match ts.iter().find(|t| rate > t.above) {
                    Some(t) => verdicts.push(format!("{} {}: {}", metric.label(), pct(rate), t.says)),
                    None => {
                        if let Some(lowest) = ts.last().filter(|_| metric != Metric::ComplaintRate || complaints > 0) {
                            verdicts.push(format!("{} {} is under the {} threshold.", metric.label(), pct(rate), pct(lowest.above)));
                        }
                    }
                }
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
    pub provider: Option<ProviderId>,
    pub reply_code: Option<ReplyCode>,
    pub enhanced_code: Option<EnhancedCode>,
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
            reply_code: v.reply_code,
            enhanced_code: v.enhanced_code,
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
                    "provider" => v.provider_id().unwrap_or("other") == id,
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
                    "provider" => v.provider_id().unwrap_or("").to_string(),
                    "code" => format!("{} {}", v.reply_code.map(|c| c.to_string()).unwrap_or_default(), v.enhanced_code.map(|c| c.to_string()).unwrap_or_default()),
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
