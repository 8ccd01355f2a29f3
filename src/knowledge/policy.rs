//! The numbers behind the alerts of an export report (bounce-rate thresholds, how concentrated
//! a pattern must be, how many campaigns make a soft bounce recurring) and the words export
//! files use (event names, column names, platform layouts). They are data, each number with
//! its source, so the Reference view can show them and a reader can check them.

use crate::model::{Id, Severity};
use serde::{Deserialize, Deserializer};

/// A rate a threshold applies to (against the number of messages sent).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Every bounce (not complaints or auto-replies).
    BounceRate,
    HardBounceRate,
    ComplaintRate,
}

impl Metric {
    pub fn label(self) -> &'static str {
        match self {
            Metric::BounceRate => "Bounce rate",
            Metric::HardBounceRate => "Hard bounce rate",
            Metric::ComplaintRate => "Complaint rate",
        }
    }
}

fn de_severity<'de, D: Deserializer<'de>>(d: D) -> Result<Severity, D::Error> {
    let s = String::deserialize(d)?;
    Severity::from_id(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown severity {s:?}")))
}

/// A rate above which the report warns.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub metric: Metric,
    /// The share (0.02 is 2 %) above which it applies.
    pub above: f64,
    #[serde(deserialize_with = "de_severity")]
    pub severity: Severity,
    /// What crossing it means, for people.
    pub says: String,
    /// Where the number comes from.
    pub source: String,
}

/// How much of a pattern must sit in one place (one provider, one campaign) to name it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Concentration {
    /// The share of the pattern's rows that must be at the one place.
    pub share: f64,
    /// The fewest temporary throttling replies before throttling at one provider is named.
    pub min_deferrals: usize,
    /// The fewest content rejections before a campaign is named.
    pub min_content_rejections: usize,
    pub source: String,
}

/// How often a soft condition must come back, on separate campaigns or days, to act on it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recurrence {
    /// Temporary failures of one address on this many separate occasions: escalate.
    pub soft_occasions: usize,
    /// A full mailbox on this many occasions: the mailbox is abandoned.
    pub mailbox_full_occasions: usize,
    /// 421 deferrals from one provider on this many campaigns: check your reputation there.
    pub provider_deferral_occasions: usize,
    pub source: String,
}

/// When unknown users show that a list is decaying.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListDecay {
    /// The fewest invalid addresses before the alert.
    pub min_rows: usize,
    /// The share of the analysed rows they must be (or a hard-bounce rate above its threshold).
    pub share: f64,
    /// A campaign is named when its share of invalid addresses is at least this many times
    /// the file's, and at least `campaign_share`.
    pub campaign_factor: f64,
    pub campaign_share: f64,
    /// The fewest rows a campaign needs to be compared.
    pub campaign_min_rows: u64,
    pub source: String,
}

/// When a share in this export differs enough from the earlier exports' to be named (the
/// history's comparison).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comparison {
    /// The two-proportion z score the difference must reach (either way).
    pub min_z: f64,
    /// The smallest difference of the shares (0.01 is one percentage point).
    pub min_change: f64,
    /// The fewest rows behind the larger of the two counts.
    pub min_rows: u64,
    pub source: String,
}

/// The numbers behind the report's alerts.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    #[serde(default)]
    pub threshold: Vec<Threshold>,
    pub concentration: Concentration,
    pub recurrence: Recurrence,
    pub list_decay: ListDecay,
    pub comparison: Comparison,
}

impl Policy {
    pub(super) fn check(&self) -> Result<(), String> {
        for t in &self.threshold {
            if !(0.0..1.0).contains(&t.above) {
                return Err(format!("threshold {} above {} is not a share between 0 and 1", t.metric.label(), t.above));
            }
        }
        if !(0.5..=1.0).contains(&self.concentration.share) {
            return Err("concentration.share must be a majority (0.5 to 1)".into());
        }
        if self.recurrence.soft_occasions < 2 || self.recurrence.mailbox_full_occasions < 2 {
            return Err("a recurrence needs at least 2 occasions".into());
        }
        if self.comparison.min_z <= 0.0 || !(0.0..1.0).contains(&self.comparison.min_change) {
            return Err("comparison.min_z must be positive and comparison.min_change a share between 0 and 1".into());
        }
        Ok(())
    }

    /// The thresholds of one metric, highest first.
    pub fn thresholds(&self, metric: Metric) -> Vec<&Threshold> {
        let mut v: Vec<&Threshold> = self.threshold.iter().filter(|t| t.metric == metric).collect();
        v.sort_by(|a, b| b.above.total_cmp(&a.above));
        v
    }
}

/// A platform's export layout, recognised by its header names.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    pub name: String,
    /// The platform (an id of `platforms.toml`'s platforms, where it has one).
    #[serde(default)]
    pub platform: Option<String>,
    /// Header names (normalised: letters and digits, lower case) that must all be present.
    pub headers: Vec<String>,
    /// The label every row carries without saying so (Mailchimp's cleaned contacts are all
    /// hard bounces).
    #[serde(default)]
    pub implied_label: Option<String>,
}

/// The header names of one column role, best first.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnNames {
    /// The role's id (`address`, `diagnostic`, `reply_code`, `status`, `vendor_label`,
    /// `event`, `date`, `campaign`).
    pub role: String,
    pub names: Vec<String>,
}

/// What export files and reports call things.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exports {
    /// Event names (lower case) that are spam complaints.
    pub complaint_events: Vec<String>,
    /// Words that make an event name a failure to analyse (`bounce`, `dropped`...); events
    /// without any (delivered, open, click) are only counted.
    pub failure_event_words: Vec<String>,
    /// Mailbox names (local parts) of mail systems, never failed recipients.
    pub system_mailboxes: Vec<String>,
    /// Local-part prefixes of mail systems' addresses (`bounce`, as in bounce-123@).
    pub system_mailbox_prefixes: Vec<String>,
    #[serde(default)]
    pub columns: Vec<ColumnNames>,
    #[serde(default)]
    pub layout: Vec<Layout>,
}

impl Exports {
    /// Whether an address's local part is a mail system's mailbox.
    pub fn is_system_mailbox(&self, local: &str) -> bool {
        let l = local.to_ascii_lowercase();
        self.system_mailboxes.contains(&l) || self.system_mailbox_prefixes.iter().any(|p| l.starts_with(p.as_str()))
    }

    /// The header names of a role, best first.
    pub fn column_names(&self, role: &str) -> &[String] {
        self.columns.iter().find(|c| c.role == role).map(|c| c.names.as_slice()).unwrap_or(&[])
    }
}

/// What goes in one column of a platform's suppression import file.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ColumnValue {
    /// The address to suppress.
    Address,
    /// The basic reply code (550), empty when the reply gave none.
    ReplyCode,
    /// Why, in bouncelens's words and the server's reply.
    Reason,
    /// The cause's id (`invalid_recipient`...).
    Category,
    /// The date of the row that decided, as the export wrote it.
    Date,
    /// The same text on every row (a status the platform expects).
    Text(String),
    /// One text for complaints, another for every other suppression (Amazon SES's reason).
    ByKind { complaint: String, bounce: String },
}

/// One column of a suppression import file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuppressionColumn {
    /// The header the platform expects, exactly.
    pub header: String,
    pub value: ColumnValue,
}

/// How a platform imports a list of addresses not to mail again.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuppressionFormat {
    /// The file name bouncelens suggests.
    pub file_name: String,
    /// Whether the file starts with a header line (some importers read bare lines).
    #[serde(default = "yes")]
    pub header: bool,
    pub columns: Vec<SuppressionColumn>,
    /// The platform's documented import steps, in our words.
    pub steps: Vec<String>,
    /// Where the format and the steps are documented.
    pub source: String,
    /// What else the reader must know (limits, what the import does to existing contacts).
    #[serde(default)]
    pub note: Option<String>,
}

fn yes() -> bool {
    true
}

/// An email platform whose exports bouncelens reads.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    /// The id the export layouts name (`mailchimp`, `ses`...).
    pub id: String,
    pub name: String,
    pub suppression: SuppressionFormat,
}
