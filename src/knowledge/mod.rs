//! The knowledge base: every code, provider reply and explanation bouncelens knows.
//!
//! It is data, compiled into the binary from the TOML files under `src/knowledge/data/`, and
//! it is the single source of truth: the classifier, the Reference view and the CLI's
//! `lookup` all read it through this module. Adding a provider's reply means adding a
//! `[[rule]]` (with an `examples` line, which the test-suite classifies) to a rules file.

mod codes;
pub mod search;

pub use codes::{CodeRange, EnhancedCode, ReplyCode};

use crate::model::{Action, BounceType, Category, Class, Id, Owner};
use serde::Deserialize;
use std::sync::OnceLock;

const DATA: &[(&str, &str)] = &[
    ("categories.toml", include_str!("data/categories.toml")),
    ("reply_codes.toml", include_str!("data/reply_codes.toml")),
    ("enhanced_codes.toml", include_str!("data/enhanced_codes.toml")),
    ("providers.toml", include_str!("data/providers.toml")),
    ("rules_generic.toml", include_str!("data/rules_generic.toml")),
    ("rules_gmail.toml", include_str!("data/rules_gmail.toml")),
    ("rules_microsoft.toml", include_str!("data/rules_microsoft.toml")),
    ("rules_yahoo.toml", include_str!("data/rules_yahoo.toml")),
    ("rules_other.toml", include_str!("data/rules_other.toml")),
    ("vendor_labels.toml", include_str!("data/vendor_labels.toml")),
    ("rules_mta.toml", include_str!("data/rules_mta.toml")),
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
    pub id: String,
    pub name: String,
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
    /// The rule applies only to replies from this provider.
    #[serde(default)]
    pub provider: Option<String>,
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
}

impl RuleInfo {
    /// How decisive the rule is: explicit, or 5 for a provider's own reply, 4 for wording tied
    /// to codes, 3 for wording alone.
    pub fn strength(&self) -> u8 {
        self.strength.unwrap_or(if self.provider.is_some() {
            5
        } else if !self.codes.is_empty() {
            4
        } else {
            3
        })
    }
}

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
}

/// Everything bouncelens knows, loaded once.
pub struct Knowledge {
    pub categories: Vec<CategoryInfo>,
    pub replies: Vec<ReplyInfo>,
    pub enhanced: Vec<EnhancedInfo>,
    pub providers: Vec<ProviderInfo>,
    pub rules: Vec<RuleInfo>,
    pub labels: Vec<LabelInfo>,
}

impl Knowledge {
    /// The compiled-in knowledge base. Panics only if the shipped data is malformed, which the
    /// test-suite rules out.
    pub fn get() -> &'static Knowledge {
        static K: OnceLock<Knowledge> = OnceLock::new();
        K.get_or_init(|| Knowledge::load().unwrap_or_else(|e| panic!("knowledge base: {e}")))
    }

    fn load() -> Result<Knowledge, String> {
        let mut k = Knowledge {
            categories: vec![],
            replies: vec![],
            enhanced: vec![],
            providers: vec![],
            rules: vec![],
            labels: vec![],
        };
        for (name, text) in DATA {
            let f: File = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
            k.categories.extend(f.category);
            k.replies.extend(f.reply);
            k.enhanced.extend(f.enhanced);
            k.providers.extend(f.provider);
            k.rules.extend(f.rule);
            k.labels.extend(f.label);
        }
        k.validate()?;
        Ok(k)
    }

    fn validate(&self) -> Result<(), String> {
        for c in Category::ALL {
            if !self.categories.iter().any(|i| i.id == *c) {
                return Err(format!("category {} has no entry", c.id()));
            }
        }
        let mut ids = std::collections::HashSet::new();
        for r in &self.rules {
            if !ids.insert(r.id.as_str()) {
                return Err(format!("rule id {} is used twice", r.id));
            }
            if let Some(p) = &r.provider {
                if !self.providers.iter().any(|x| &x.id == p) {
                    return Err(format!("rule {} names unknown provider {p}", r.id));
                }
            }
            if r.pattern.is_none() && r.codes.is_empty() {
                return Err(format!("rule {} has neither pattern nor codes", r.id));
            }
        }
        Ok(())
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
        self.providers.iter().find(|p| p.id == id)
    }

    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        self.rules.iter().find(|r| r.id == id)
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
        let k = Knowledge::get();
        assert!(k.replies.len() >= 40, "{} reply codes", k.replies.len());
        assert!(k.enhanced.len() >= 75, "{} enhanced codes", k.enhanced.len());
        assert!(k.rules.len() >= 100, "{} rules", k.rules.len());
    }

    #[test]
    fn every_rule_pattern_compiles() {
        for r in &Knowledge::get().rules {
            if let Some(p) = &r.pattern {
                regex::RegexBuilder::new(p)
                    .case_insensitive(true)
                    .build()
                    .unwrap_or_else(|e| panic!("rule {}: {e}", r.id));
            }
        }
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
