//! Which column holds what: recognised from the header names of the exports people have
//! (Mailchimp, Klaviyo, HubSpot, ActiveCampaign, SendGrid, Mailgun, Amazon SES, Postmark,
//! Brevo, Campaign Monitor, Salesforce Marketing Cloud...) and from the values themselves.

use crate::knowledge::{Knowledge, Layout};
use crate::smtp::{code::has_code, EnhancedCode, ReplyCode};
use serde::{Deserialize, Serialize};

/// What a column can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The recipient address.
    Address,
    /// The server's reply or the platform's reason text.
    Diagnostic,
    /// A basic SMTP reply code (550).
    ReplyCode,
    /// An enhanced status code (5.1.1).
    Status,
    /// The platform's own label (Hard, Permanent, HardBounce, blocked...).
    VendorLabel,
    /// The event type of an event export (bounce, delivered, open...).
    Event,
    Date,
    Campaign,
}

impl Role {
    pub const ALL: [Role; 8] = [Role::Address, Role::Diagnostic, Role::ReplyCode, Role::Status, Role::VendorLabel, Role::Event, Role::Date, Role::Campaign];
    pub fn label(self) -> &'static str {
        match self {
            Role::Address => "Address",
            Role::Diagnostic => "Reason / reply text",
            Role::ReplyCode => "Reply code",
            Role::Status => "Enhanced status code",
            Role::VendorLabel => "Platform's bounce label",
            Role::Event => "Event type",
            Role::Date => "Date",
            Role::Campaign => "Campaign",
        }
    }
    pub fn id(self) -> &'static str {
        match self {
            Role::Address => "address",
            Role::Diagnostic => "diagnostic",
            Role::ReplyCode => "reply_code",
            Role::Status => "status",
            Role::VendorLabel => "vendor_label",
            Role::Event => "event",
            Role::Date => "date",
            Role::Campaign => "campaign",
        }
    }
}

/// Which columns play which role. Diagnostic and vendor label may combine several columns.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Mapping {
    pub address: Option<usize>,
    pub diagnostic: Vec<usize>,
    pub reply_code: Option<usize>,
    pub status: Option<usize>,
    pub vendor_label: Vec<usize>,
    pub event: Option<usize>,
    pub date: Option<usize>,
    pub campaign: Option<usize>,
}

impl Mapping {
    pub fn role_of(&self, col: usize) -> Option<Role> {
        if self.address == Some(col) {
            Some(Role::Address)
        } else if self.diagnostic.contains(&col) {
            Some(Role::Diagnostic)
        } else if self.reply_code == Some(col) {
            Some(Role::ReplyCode)
        } else if self.status == Some(col) {
            Some(Role::Status)
        } else if self.vendor_label.contains(&col) {
            Some(Role::VendorLabel)
        } else if self.event == Some(col) {
            Some(Role::Event)
        } else if self.date == Some(col) {
            Some(Role::Date)
        } else if self.campaign == Some(col) {
            Some(Role::Campaign)
        } else {
            None
        }
    }

    /// Sets one column's role (the user's choice), taking it away from any other role.
    pub fn assign(&mut self, col: usize, role: Option<Role>) {
        self.clear_col(col);
        match role {
            Some(Role::Address) => self.address = Some(col),
            Some(Role::Diagnostic) => self.diagnostic.push(col),
            Some(Role::ReplyCode) => self.reply_code = Some(col),
            Some(Role::Status) => self.status = Some(col),
            Some(Role::VendorLabel) => self.vendor_label.push(col),
            Some(Role::Event) => self.event = Some(col),
            Some(Role::Date) => self.date = Some(col),
            Some(Role::Campaign) => self.campaign = Some(col),
            None => {}
        }
    }

    fn clear_col(&mut self, col: usize) {
        for slot in [&mut self.address, &mut self.reply_code, &mut self.status, &mut self.event, &mut self.date, &mut self.campaign] {
            if *slot == Some(col) {
                *slot = None;
            }
        }
        self.diagnostic.retain(|c| *c != col);
        self.vendor_label.retain(|c| *c != col);
    }
}

/// A user's choice of roles, by column name (so it survives re-reading the file).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MappingOverride {
    pub roles: Vec<(String, Option<Role>)>,
}

fn norm(name: &str) -> String {
    name.chars().filter(|c| c.is_alphanumeric()).flat_map(|c| c.to_lowercase()).collect()
}

/// Known header names per role, normalised (letters and digits only, lower case), best first:
/// the knowledge's `exports.toml`.
fn known(role: Role) -> &'static [String] {
    Knowledge::get().exports.column_names(role.id())
}

/// The platform layout a header matches, if any (`exports.toml`).
pub fn layout(headers: &[String]) -> Option<&'static Layout> {
    let n: Vec<String> = headers.iter().map(|h| norm(h)).collect();
    Knowledge::get().exports.layout.iter().find(|l| l.headers.iter().all(|r| n.iter().any(|h| h == r)))
}

fn looks_like_address(v: &str) -> bool {
    let v = v.trim().trim_matches(['<', '>', '"']);
    let Some((local, domain)) = v.rsplit_once('@') else { return false };
    !local.is_empty() && !v.contains(' ') && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
}

fn looks_like_reply(v: &str) -> bool {
    let t = v.trim();
    t.len() > 8 && (has_code(t) || {
        let l = t.to_ascii_lowercase();
        ["user unknown", "mailbox", "rejected", "does not exist", "blocked", "quota", "spam", "smtp", "denied", "not found", "delivery"].iter().any(|w| l.contains(w))
    })
}

fn is_reply_code(v: &str) -> bool {
    v.trim().parse::<ReplyCode>().is_ok()
}

fn is_status(v: &str) -> bool {
    v.trim().parse::<EnhancedCode>().is_ok()
}

fn event_like(v: &str) -> bool {
    matches!(norm(v).as_str(), "bounce" | "bounced" | "delivered" | "delivery" | "open" | "opened" | "click" | "clicked" | "failed" | "dropped" | "deferred" | "processed" | "sent" | "spamreport" | "complaint" | "unsubscribe" | "unsubscribed" | "blocked" | "rejected" | "accepted")
}

/// Whether the first record is a header (rather than data): it has no address and no reply.
pub fn is_header(first: &[String]) -> bool {
    !first.iter().any(|f| looks_like_address(f) || looks_like_reply(f) && f.len() > 40)
}

/// Detects the mapping from header names and sample rows.
pub fn detect(headers: &[String], samples: &[Vec<String>]) -> Mapping {
    let names: Vec<String> = headers.iter().map(|h| norm(h)).collect();
    let ncol = headers.len().max(samples.iter().map(|r| r.len()).max().unwrap_or(0));
    let col_values = |c: usize| samples.iter().filter_map(move |r| r.get(c)).map(|s| s.as_str()).filter(|s| !s.trim().is_empty());
    let share = |c: usize, f: &dyn Fn(&str) -> bool| -> f64 {
        let (mut n, mut hit) = (0usize, 0usize);
        for v in col_values(c) {
            n += 1;
            if f(v) {
                hit += 1;
            }
        }
        if n == 0 { 0.0 } else { hit as f64 / n as f64 }
    };
    let non_empty = |c: usize| col_values(c).next().is_some();
    let mut m = Mapping::default();
    let mut used = vec![false; ncol];

    // By name, role by role, in the order of the known names.
    let by_name = |role: Role, used: &mut Vec<bool>, check: &dyn Fn(usize) -> bool| -> Option<usize> {
        for k in known(role) {
            for (i, n) in names.iter().enumerate() {
                if n == k && !used[i] && check(i) {
                    used[i] = true;
                    return Some(i);
                }
            }
        }
        None
    };
    m.address = by_name(Role::Address, &mut used, &|c| samples.is_empty() || share(c, &looks_like_address) >= 0.5);
    if m.address.is_none() {
        // Any column whose values are addresses.
        let best = (0..ncol).filter(|c| !used[*c]).map(|c| (c, share(c, &looks_like_address))).filter(|(_, s)| *s >= 0.6).max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((c, _)) = best {
            used[c] = true;
            m.address = Some(c);
        }
    }
    m.status = by_name(Role::Status, &mut used, &|c| samples.is_empty() || !non_empty(c) || share(c, &is_status) >= 0.5);
    m.reply_code = by_name(Role::ReplyCode, &mut used, &|c| samples.is_empty() || !non_empty(c) || share(c, &is_reply_code) >= 0.5);
    // Event: a column named so, or a "type" column whose values are events (not labels).
    let strong_event = ["event", "eventtype", "notificationtype", "eventname", "recordtype"];
    m.event = by_name(Role::Event, &mut used, &|c| strong_event.contains(&names[c].as_str()) || (!samples.is_empty() && share(c, &event_like) >= 0.6));
    // Diagnostic: every recognised text column that holds replies or reasons.
    for k in known(Role::Diagnostic) {
        for (i, n) in names.iter().enumerate() {
            if n == k && !used[i] && (samples.is_empty() || !non_empty(i) || share(i, &|v: &str| v.trim().len() > 3 && !event_like(v) && !is_reply_code(v)) >= 0.5) {
                // A short "reason" that only labels (bounce, hard) is a vendor label instead.
                if !samples.is_empty() && non_empty(i) && share(i, &|v: &str| v.split_whitespace().count() <= 2 && !has_code(v)) > 0.9 && share(i, &looks_like_reply) < 0.3 {
                    continue;
                }
                used[i] = true;
                m.diagnostic.push(i);
            }
        }
    }
    if m.diagnostic.is_empty() {
        let best = (0..ncol).filter(|c| !used[*c]).map(|c| (c, share(c, &looks_like_reply))).filter(|(_, s)| *s >= 0.4).max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((c, _)) = best {
            used[c] = true;
            m.diagnostic.push(c);
        }
    }
    for k in known(Role::VendorLabel) {
        for (i, n) in names.iter().enumerate() {
            if n == k && !used[i] {
                used[i] = true;
                m.vendor_label.push(i);
            }
        }
    }
    m.date = by_name(Role::Date, &mut used, &|_| true);
    // Campaign: of the columns with a campaign-like name, the one that tells most campaigns
    // apart (a constant tag says nothing).
    let distinct = |c: usize| col_values(c).collect::<std::collections::HashSet<_>>().len();
    let mut best: Option<(usize, usize, usize)> = None; // (column, distinct values, name rank)
    for (rank, k) in known(Role::Campaign).iter().enumerate() {
        for (i, n) in names.iter().enumerate() {
            if n == k && !used[i] {
                let d = distinct(i);
                if best.is_none_or(|(_, bd, _)| d > bd) {
                    best = Some((i, d, rank));
                }
            }
        }
    }
    if let Some((c, _, _)) = best {
        used[c] = true;
        m.campaign = Some(c);
    }
    if m.status.is_none() {
        if let Some(c) = (0..ncol).find(|c| !used[*c] && non_empty(*c) && share(*c, &is_status) >= 0.8) {
            used[c] = true;
            m.status = Some(c);
        }
    }
    if m.reply_code.is_none() {
        if let Some(c) = (0..ncol).find(|c| !used[*c] && non_empty(*c) && share(*c, &is_reply_code) >= 0.8) {
            m.reply_code = Some(c);
        }
    }
    m
}

/// Applies a user's choices (by column name) on top of a detected mapping.
pub fn apply_override(m: &mut Mapping, headers: &[String], o: &MappingOverride) {
    for (name, role) in &o.roles {
        if let Some(col) = headers.iter().position(|h| h == name) {
            m.assign(col, *role);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn mailgun_bounces() {
        let h = s(&["address", "code", "error", "created_at"]);
        let rows = vec![s(&["a@b.com", "550", "5.1.1 The email account that you tried to reach does not exist", "Mon, 01 Jan 2024 10:00:00 UTC"])];
        let m = detect(&h, &rows);
        assert_eq!(m.address, Some(0));
        assert_eq!(m.reply_code, Some(1));
        assert_eq!(m.diagnostic, vec![2]);
        assert_eq!(m.date, Some(3));
        assert_eq!(layout(&h).map(|l| l.name.as_str()), Some("Mailgun bounces"));
    }

    #[test]
    fn sendgrid_and_postmark() {
        let h = s(&["email", "created", "reason", "status"]);
        let rows = vec![s(&["a@b.com", "1700000000", "550 5.1.1 user unknown", "5.1.1"])];
        let m = detect(&h, &rows);
        assert_eq!((m.address, m.status, m.diagnostic.clone(), m.date), (Some(0), Some(3), vec![2], Some(1)));
        let h = s(&["ID", "Type", "Email", "BouncedAt", "Details", "Description", "Tag"]);
        let rows = vec![s(&["1", "HardBounce", "a@b.com", "2024-01-01T00:00:00Z", "smtp;550 5.1.1 unknown", "The server was unable to deliver your message", "newsletter-may"])];
        let m = detect(&h, &rows);
        assert_eq!(m.address, Some(2));
        assert!(m.diagnostic.contains(&4) && m.diagnostic.contains(&5));
        assert_eq!(m.vendor_label, vec![1]);
        assert_eq!(m.campaign, Some(6));
    }

    #[test]
    fn headerless_and_unnamed_columns_by_content() {
        let rows = vec![s(&["2024-01-01", "someone@example.com", "550 5.1.1 <someone@example.com>: user unknown"]), s(&["2024-01-02", "x@example.org", "452 4.2.2 mailbox full"])];
        assert!(!is_header(&rows[0]));
        let h = s(&["col 1", "col 2", "col 3"]);
        let m = detect(&h, &rows);
        assert_eq!(m.address, Some(1));
        assert_eq!(m.diagnostic, vec![2]);
    }

    #[test]
    fn mailchimp_reason_label_is_a_label() {
        let h = s(&["Email Address", "First Name", "CLEAN_TIME", "CLEAN_CAMPAIGN_TITLE", "Reason"]);
        let rows = vec![s(&["a@b.com", "Ann", "2024-01-01 10:00:00", "May news", "hard"]), s(&["c@d.com", "Bo", "2024-01-01 10:00:00", "May news", "soft"])];
        let m = detect(&h, &rows);
        assert_eq!(m.address, Some(0));
        assert!(m.diagnostic.is_empty());
        assert_eq!(m.vendor_label, vec![4]);
        assert_eq!(m.campaign, Some(3));
        assert_eq!(m.date, Some(2));
        let mut m2 = m.clone();
        apply_override(&mut m2, &h, &MappingOverride { roles: vec![("Reason".into(), Some(Role::Diagnostic))] });
        assert_eq!(m2.diagnostic, vec![4]);
        assert!(m2.vendor_label.is_empty());
    }
}
