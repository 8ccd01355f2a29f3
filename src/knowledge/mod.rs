//! The knowledge base: every code, provider reply, explanation and policy number bouncelens
//! knows.
//!
//! It is data, compiled into the binary from the TOML files under `src/knowledge/data/`, and
//! it is the single source of truth: the classifier, the Reference view, the export reports
//! and the CLI all read it through this module. Adding a provider's reply means adding a
//! `[[rule]]` (with an `examples` line, which the test-suite classifies) to a rules file; the
//! user's own rules go through the same [`Builder`].

mod build;
mod policy;

pub use build::{Builder, KnowledgeError};
pub use policy::{ColumnNames, ColumnValue, Comparison, Exports, Layout, Metric, Platform, Policy, SuppressionColumn, SuppressionFormat, Threshold};

use crate::model::{Action, BounceType, Category, Class, Id, Owner, ProviderId};
use crate::smtp::{CodeRange, EnhancedCode, ReplyCode};
use serde::Deserialize;
use std::sync::LazyLock;

const DATA: &[(&str, &str)] = &[
    ("categories.toml", include_str!("data/categories.toml")),
    ("reply_codes.toml", include_str!("data/reply_codes.toml")),
    ("enhanced_codes.toml", include_str!("data/enhanced_codes.toml")),
    ("providers.toml", include_str!("data/providers.toml")),
    ("rules_generic.toml", include_str!("data/rules_generic.toml")),
    ("rules_plain.toml", include_str!("data/rules_plain.toml")),
    ("rules_languages.toml", include_str!("data/rules_languages.toml")),
    ("rules_gmail.toml", include_str!("data/rules_gmail.toml")),
    ("rules_microsoft.toml", include_str!("data/rules_microsoft.toml")),
    ("rules_yahoo.toml", include_str!("data/rules_yahoo.toml")),
    ("rules_other.toml", include_str!("data/rules_other.toml")),
    ("rules_providers.toml", include_str!("data/rules_providers.toml")),
    ("vendor_labels.toml", include_str!("data/vendor_labels.toml")),
    ("rules_mta.toml", include_str!("data/rules_mta.toml")),
    ("policy.toml", include_str!("data/policy.toml")),
    ("exports.toml", include_str!("data/exports.toml")),
    ("track_record.toml", include_str!("data/track_record.toml")),
    ("platforms.toml", include_str!("data/platforms.toml")),
];

/// The same files as JSON, written by `build.rs`: what the app and the CLI read at start-up
/// (parsing JSON takes a fraction of the time TOML does). Same order as `DATA`.
const DATA_JSON: &[(&str, &str)] = &[
    ("categories.toml", include_str!(concat!(env!("OUT_DIR"), "/knowledge/categories.json"))),
    ("reply_codes.toml", include_str!(concat!(env!("OUT_DIR"), "/knowledge/reply_codes.json"))),
    ("enhanced_codes.toml", include_str!(concat!(env!("OUT_DIR"), "/knowledge/enhanced_codes.json"))),
    ("providers.toml", include_str!(concat!(env!("OUT_DIR"), "/knowledge/providers.json"))),
    ("rules_generic.toml", include_str!(concat!(env!("OUT_DIR"), "/knowledge/rules_generic.json"))),
    ("rules_plain.toml", include_str!(concat!(env!("OUT_DIR"), "/knowledge/rules_plain.json"))),
    ("rules_languages.toml", include_str!(concat!(env!("OUT_DIR"), "/knowledge/rules_languages.json"))),
    ("rules_gmail.toml", include_str!(concat!(env!("OUT_DIR"), "/knowledge/rules_gmail.json"))),
    ("rules_microsoft.toml", include_str!(concat!(env!("OUT_DIR"), "/knowledge/rules_microsoft.json"))),
    ("rules_yahoo.toml", include_str!(concat!(env!("OUT_DIR"), "/knowledge/rules_yahoo.json"))),
    ("rules_other.toml", include_str!(concat!(env!("OUT_DIR"), "/knowledge/rules_other.json"))),
    ("rules_providers.toml", include_str!(concat!(env!("OUT_DIR"), "/knowledge/rules_providers.json"))),
    ("vendor_labels.toml", include_str!(concat!(env!("OUT_DIR"), "/knowledge/vendor_labels.json"))),
    ("rules_mta.toml", include_str!(concat!(env!("OUT_DIR"), "/knowledge/rules_mta.json"))),
    ("policy.toml", include_str!(concat!(env!("OUT_DIR"), "/knowledge/policy.json"))),
    ("exports.toml", include_str!(concat!(env!("OUT_DIR"), "/knowledge/exports.json"))),
    ("track_record.toml", include_str!(concat!(env!("OUT_DIR"), "/knowledge/track_record.json"))),
    ("platforms.toml", include_str!(concat!(env!("OUT_DIR"), "/knowledge/platforms.json"))),
];

/// What a cause means and what to do about it, for people.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryInfo {
    #[serde(deserialize_with = "de_id")]
    pub id: Category,
    /// One line: what happened.
    pub title: String,
    /// Why it happens, whose side it is on.
    pub explanation: String,
    /// What to do.
    pub advice: String,
    /// What to do when the server says the condition is temporary (4xx), where different.
    #[serde(default)]
    pub advice_temporary: Option<String>,
    #[serde(default)]
    pub escalation: Option<String>,
}

/// A basic SMTP reply code (RFC 5321 and common use), e.g. 550.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyInfo {
    pub code: ReplyCode,
    /// The standard name of the reply.
    pub name: String,
    /// What the server is saying, in plain words.
    pub meaning: String,
    /// What it usually means for a sender.
    pub explanation: String,
    #[serde(deserialize_with = "de_id")]
    pub category: Category,
    /// How much the code alone tells (0: nothing beyond its class, 3: precise).
    pub specificity: u8,
    /// The action when this code decides, where it differs from the category's default.
    #[serde(default, deserialize_with = "de_opt_id")]
    pub action: Option<Action>,
    /// The class when this code decides, where the first digit would mislead.
    #[serde(default, deserialize_with = "de_opt_id")]
    pub class: Option<Class>,
    #[serde(default)]
    pub escalation: Option<String>,
    /// Where the source guides or RFCs disagree, what we follow.
    #[serde(default)]
    pub note: Option<String>,
    /// Where the code is defined.
    pub source: String,
}

/// An enhanced status code (RFC 3463 / IANA registry), written `X.subject.detail`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnhancedInfo {
    pub code: EnhancedCode,
    /// The registry's title.
    pub name: String,
    pub meaning: String,
    pub explanation: String,
    #[serde(deserialize_with = "de_id")]
    pub category: Category,
    /// The cause when the code comes with class 4 (temporary), where different.
    #[serde(default, deserialize_with = "de_opt_id")]
    pub category_temporary: Option<Category>,
    pub specificity: u8,
    #[serde(default)]
    pub escalation: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    pub source: String,
}

/// A mailbox provider the classifier can recognise.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderInfo {
    pub id: ProviderId,
    pub name: String,
    /// Words people search the reference with for this provider ("hotmail", "o365").
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Regexes (case-insensitive) that identify the provider's servers in a reply text.
    #[serde(default)]
    pub markers: Vec<String>,
    /// Recipient domains hosted by the provider.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Host name suffixes of the provider's mail servers.
    #[serde(default)]
    pub hosts: Vec<String>,
    /// Where a sender checks their standing with this provider.
    #[serde(default)]
    pub tools: Option<String>,
}

/// A recognisable reply: wording (and optionally codes and a provider) that decides a cause.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleInfo {
    pub id: String,
    /// Its record on the labelled corpus, when it decided texts there.
    #[serde(skip)]
    pub track: Option<(u32, u32)>,
    /// The rule applies only to replies from this provider.
    #[serde(default)]
    pub provider: Option<ProviderId>,
    /// The rule's own match identifies the provider (codes or wording nobody else uses), so
    /// it applies even when nothing else named the provider.
    #[serde(default)]
    pub identifies: bool,
    /// The rule applies only when one of these codes is present (reply `550`, enhanced
    /// `5.7.26`, ranges `5.7.606-649`, or wildcards `4.7.*`).
    #[serde(default)]
    pub codes: Vec<CodeRange>,
    /// Case-insensitive regex over the diagnostic text. A rule without a pattern is decided by
    /// its codes (and provider) alone.
    #[serde(default)]
    pub pattern: Option<String>,
    #[serde(deserialize_with = "de_id")]
    pub category: Category,
    #[serde(default, deserialize_with = "de_opt_id")]
    pub class: Option<Class>,
    #[serde(default, deserialize_with = "de_opt_id")]
    pub action: Option<Action>,
    #[serde(default, deserialize_with = "de_opt_id")]
    pub owner: Option<Owner>,
    #[serde(default, deserialize_with = "de_opt_id")]
    pub bounce_type: Option<BounceType>,
    /// How decisive the rule is (see the classifier); defaults by how constrained it is.
    #[serde(default)]
    pub strength: Option<u8>,
    pub title: String,
    pub explanation: String,
    #[serde(default)]
    pub advice: Option<String>,
    #[serde(default)]
    pub escalation: Option<String>,
    /// Where the provider's documentation and the source guides differ: what we follow.
    #[serde(default)]
    pub provider_note: Option<String>,
    /// Real-looking replies this rule must decide (checked by the tests; shown in Reference).
    #[serde(default)]
    pub examples: Vec<String>,
    /// Where the rule comes from (set by the builder, not written in the files).
    #[serde(skip)]
    pub origin: RuleOrigin,
}

/// Whether a rule is one of bouncelens' own or one the user wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RuleOrigin {
    #[default]
    BuiltIn,
    /// The user's own rule: tried before every built-in rule.
    User,
}

impl RuleInfo {
    /// How decisive the rule is: explicit, or 5 for a provider's own reply, 4 for wording tied
    /// to codes, 3 for wording alone. A user's rule outranks them all.
    pub fn strength(&self) -> u8 {
        if self.origin == RuleOrigin::User {
            return USER_RULE_STRENGTH;
        }
        self.strength.unwrap_or(if self.provider.is_some() {
            5
        } else if !self.codes.is_empty() {
            4
        } else {
            3
        })
    }
}

/// The strength of a user's own rule: above every built-in one.
pub const USER_RULE_STRENGTH: u8 = 9;

/// An email platform's bounce label (in exports) and the cause it implies without a reply.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelInfo {
    /// Case-insensitive regex over the label.
    pub pattern: String,
    #[serde(deserialize_with = "de_id")]
    pub category: Category,
    /// What the platform calls the event.
    #[serde(deserialize_with = "de_id")]
    pub kind: BounceType,
}

/// The meaning of each digit position, for the code breakdown.
pub struct Digits;

impl Digits {
    /// Basic reply code, first digit (RFC 5321 section 4.2.1).
    pub fn reply_class(d: u8) -> &'static str {
        match d {
            2 => "Success: the server did what was asked",
            3 => "Intermediate: the server waits for more (e.g. the message body)",
            4 => "Temporary failure: the same attempt may work later",
            5 => "Permanent failure: the same attempt will not work",
            _ => "Not a valid class",
        }
    }
    /// Basic reply code, second digit (RFC 5321 section 4.2.1).
    ///
    /// Note: one of the source guides gives the enhanced-code subjects (mailbox, routing,
    /// security...) for this digit. RFC 5321 defines it differently, as below; we follow the RFC.
    pub fn reply_subject(d: u8) -> &'static str {
        match d {
            0 => "Syntax: the command was malformed or not recognised",
            1 => "Information: a reply to a request for information",
            2 => "Connections: about the transmission channel",
            3 | 4 => "Unspecified by the standard",
            5 => "Mail system: the state of the receiving mail system or mailbox",
            _ => "Not defined by the standard",
        }
    }
    /// Enhanced status code, class (RFC 3463).
    pub fn enhanced_class(d: u8) -> &'static str {
        match d {
            2 => "Success",
            4 => "Persistent transient failure: may succeed if sent again later",
            5 => "Permanent failure: will not succeed if sent again unchanged",
            _ => "Not a valid class",
        }
    }
    /// Enhanced status code, subject (RFC 3463).
    pub fn enhanced_subject(d: u16) -> &'static str {
        match d {
            0 => "Other or undefined",
            1 => "Addressing: the sender or recipient address",
            2 => "Mailbox: the recipient's mailbox",
            3 => "Mail system: the receiving system",
            4 => "Network and routing",
            5 => "Mail delivery protocol (SMTP)",
            6 => "Message content or media",
            7 => "Security or policy",
            _ => "Not defined by the standard",
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    category: Vec<CategoryInfo>,
    #[serde(default)]
    reply: Vec<ReplyInfo>,
    #[serde(default)]
    enhanced: Vec<EnhancedInfo>,
    #[serde(default)]
    provider: Vec<ProviderInfo>,
    #[serde(default)]
    rule: Vec<RuleInfo>,
    #[serde(default)]
    label: Vec<LabelInfo>,
    #[serde(default)]
    policy: Option<Policy>,
    #[serde(default)]
    exports: Option<Exports>,
    #[serde(default)]
    platform: Vec<Platform>,
    #[serde(default)]
    track_record: Vec<TrackRecord>,
}

/// How often a rule's verdict was right on the working part of the labelled corpus
/// (`tests/corpus/`): written by `cargo bench --bench corpus -- --track-record`, read to keep
/// "high confidence" for rules that earned it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackRecord {
    pub rule: String,
    /// Texts the rule decided, and how many of them it got the cause of right.
    pub texts: u32,
    pub right: u32,
}

/// Everything bouncelens knows.
pub struct Knowledge {
    pub categories: Vec<CategoryInfo>,
    pub replies: Vec<ReplyInfo>,
    pub enhanced: Vec<EnhancedInfo>,
    pub providers: Vec<ProviderInfo>,
    pub rules: Vec<RuleInfo>,
    pub labels: Vec<LabelInfo>,
    /// The numbers behind the alerts of an export report, with their sources.
    pub policy: Policy,
    /// What export files look like: event words, column names, platform layouts.
    pub exports: Exports,
    /// The platforms whose exports are read, with their suppression import formats.
    pub platforms: Vec<Platform>,
}

impl Knowledge {
    /// The built-in knowledge base, built on first use. The test-suite builds it with
    /// [`Knowledge::builtin`] and fails with the file and entry if a data file is wrong, so
    /// the panic here stands for a broken build, not for anything a user can do.
    pub fn get() -> &'static Knowledge {
        static K: LazyLock<Knowledge> = LazyLock::new(|| {
            Knowledge::built(Builder::new().trusting_builtin_patterns()).and_then(Builder::build).unwrap_or_else(|e| panic!("the built-in knowledge is broken: {e}"))
        });
        &K
    }

    /// Builds the built-in knowledge from its data files, checking everything (the
    /// test-suite's entry point).
    pub fn builtin() -> Result<Knowledge, KnowledgeError> {
        Self::builtin_builder()?.build()
    }

    /// The built-in knowledge with the user's own rules (a TOML file of `[[rule]]` tables),
    /// which are tried first. The user's patterns are checked; the built-in ones are trusted.
    pub fn with_user_rules(file: &str, text: &str) -> Result<Knowledge, KnowledgeError> {
        let mut b = Self::built(Builder::new().trusting_builtin_patterns())?;
        b.add_user_rules(file, text)?;
        b.build()
    }

    /// The data files as TOML, every entry checked (the test-suite's way in).
    fn builtin_builder() -> Result<Builder, KnowledgeError> {
        let mut b = Builder::new();
        for (name, text) in DATA {
            b.add(name, text)?;
        }
        Ok(b)
    }

    /// The data files as the JSON `build.rs` wrote from them, for a builder that trusts the
    /// built-in patterns (the start-up's way in).
    fn built(mut b: Builder) -> Result<Builder, KnowledgeError> {
        for (name, json) in DATA_JSON {
            b.add_json(name, json)?;
        }
        Ok(b)
    }

    pub fn category(&self, c: Category) -> &CategoryInfo {
        self.categories
            .iter()
            .find(|i| i.id == c)
            .expect("validated: every category has an entry")
    }

    pub fn reply(&self, code: ReplyCode) -> Option<&ReplyInfo> {
        self.replies.iter().find(|r| r.code == code)
    }

    /// The registry entry for an enhanced code (class ignored: `X.1.1` covers 4.1.1 and 5.1.1).
    pub fn enhanced(&self, code: EnhancedCode) -> Option<&EnhancedInfo> {
        self.enhanced
            .iter()
            .find(|e| e.code.subject == code.subject && e.code.detail == code.detail)
    }

    pub fn provider(&self, id: &str) -> Option<&ProviderInfo> {
        self.providers.iter().find(|p| p.id.as_str() == id)
    }

    /// The provider's name for people, or its id when it is not in the base.
    pub fn provider_name(&self, id: &ProviderId) -> String {
        self.provider(id.as_str()).map(|p| p.name.clone()).unwrap_or_else(|| id.to_string())
    }

    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        self.rules.iter().find(|r| r.id == id)
    }

    pub fn platform(&self, id: &str) -> Option<&Platform> {
        self.platforms.iter().find(|p| p.id == id)
    }
}

fn de_id<'de, D: serde::Deserializer<'de>, T: Id>(d: D) -> Result<T, D::Error> {
    let s = String::deserialize(d)?;
    T::from_id(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown id {s:?}")))
}

fn de_opt_id<'de, D: serde::Deserializer<'de>, T: Id>(d: D) -> Result<Option<T>, D::Error> {
    de_id(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_and_validates() {
        if let Err(e) = Knowledge::builtin() {
            panic!("{e}");
        }
        let k = Knowledge::get();
        assert!(k.replies.len() >= 40, "{} reply codes", k.replies.len());
        assert!(k.enhanced.len() >= 75, "{} enhanced codes", k.enhanced.len());
        assert!(k.rules.len() >= 100, "{} rules", k.rules.len());
    }

    #[test]
    fn the_json_read_at_start_up_is_the_checked_toml() {
        let toml = Knowledge::builtin().unwrap_or_else(|e| panic!("{e}"));
        let json = Knowledge::get();
        let same = |what: &str, a: String, b: String| assert!(a == b, "{what} differ between the TOML and the JSON");
        same("categories", format!("{:?}", toml.categories), format!("{:?}", json.categories));
        same("replies", format!("{:?}", toml.replies), format!("{:?}", json.replies));
        same("enhanced codes", format!("{:?}", toml.enhanced), format!("{:?}", json.enhanced));
        same("providers", format!("{:?}", toml.providers), format!("{:?}", json.providers));
        same("rules", format!("{:?}", toml.rules), format!("{:?}", json.rules));
        same("labels", format!("{:?}", toml.labels), format!("{:?}", json.labels));
        same("policy", format!("{:?}", toml.policy), format!("{:?}", json.policy));
        same("exports", format!("{:?}", toml.exports), format!("{:?}", json.exports));
        same("platforms", format!("{:?}", toml.platforms), format!("{:?}", json.platforms));
        assert!(json.rules.len() > 300);
    }

    #[test]
    fn bad_files_are_named_with_the_entry_and_line() {
        let e = Builder::new().add("x.toml", "[[rule]]\nid = 1\n").err().unwrap();
        assert_eq!((e.file.as_str(), e.line), ("x.toml", Some(2)), "{e}");
        let e = Knowledge::with_user_rules("mine.toml", "[[rule]]\nid = \"user.a\"\npattern = '(unclosed'\ncategory = \"policy\"\ntitle = \"t\"\nexplanation = \"e\"\n").err().unwrap();
        assert_eq!((e.entry.as_deref(), e.line), (Some("user.a"), Some(2)), "{e}");
        assert!(e.to_string().starts_with("mine.toml, line 2, entry user.a: pattern does not compile"), "{e}");
        let e = Knowledge::with_user_rules("mine.toml", "[[rule]]\nid = \"user.b\"\npattern = 'x'\ncategory = \"nonsense\"\ntitle = \"t\"\nexplanation = \"e\"\n").err().unwrap();
        assert!(e.message.contains("nonsense"), "{e}");
        let e = Knowledge::with_user_rules("mine.toml", "[[provider]]\nid = \"p\"\nname = \"P\"\n").err().unwrap();
        assert!(e.message.contains("only hold [[rule]]"), "{e}");
        let e = Knowledge::with_user_rules("mine.toml", "[[rule]]\nid = \"generic.dmarc\"\npattern = 'x'\ncategory = \"policy\"\ntitle = \"t\"\nexplanation = \"e\"\n").err().unwrap();
        assert_eq!(e.message, "rule id used twice");
        let k = Knowledge::with_user_rules("mine.toml", "[[rule]]\nid = \"user.c\"\npattern = 'custom words'\ncategory = \"policy\"\ntitle = \"t\"\nexplanation = \"e\"\n").unwrap();
        assert_eq!(k.rule("user.c").unwrap().strength(), USER_RULE_STRENGTH);
    }

    #[test]
    fn seed_reply_codes_are_all_known() {
        // Every basic code the source guides list.
        for c in [
            211, 214, 220, 221, 235, 250, 251, 252, 354, 421, 422, 431, 441, 442, 447, 450, 451,
            452, 454, 471, 500, 501, 502, 503, 504, 521, 530, 550, 551, 552, 553, 554, 555, 556,
        ] {
            assert!(Knowledge::get().reply(ReplyCode(c)).is_some(), "reply code {c} missing");
        }
    }

    #[test]
    fn whole_iana_registry_is_known() {
        let k = Knowledge::get();
        let subjects: [(u16, u16); 8] = [(0, 0), (1, 10), (2, 4), (3, 6), (4, 7), (5, 6), (6, 10), (7, 30)];
        for (s, max) in subjects {
            for d in 0..=max {
                let code = EnhancedCode { class: 5, subject: s, detail: d };
                assert!(k.enhanced(code).is_some(), "X.{s}.{d} missing");
            }
        }
    }
}
