//! The user's own rules, as the page keeps them and the worker applies them.
//!
//! A [`UserRule`] has the fields of a `[[rule]]` of the built-in knowledge files (the same
//! names, the same meaning), so a list of them is exactly a rules file: the worker writes it
//! as TOML to export or to install it (`classify::install_user_rules`, which checks it with the
//! same builder as the built-in files), and reads an imported file back into the list after
//! that builder accepted it. The page stores the list in `localStorage` (as JSON, written by
//! the browser) and sends it to every worker it starts, before anything is classified.

use crate::model::{Action, BounceType, Category, Class, Id, Owner, ProviderId};
use serde::{Deserialize, Serialize};

/// One rule of the user's: wording (and optionally a provider and codes) that decides a cause.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserRule {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<ProviderId>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub identifies: bool,
    /// Reply or enhanced codes, ranges or wildcards, as the built-in files write them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<String>,
    /// A case-insensitive regular expression over the reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    pub category: Category,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<Class>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounce_type: Option<BounceType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strength: Option<u8>,
    pub title: String,
    pub explanation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advice: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_note: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<String>,
}

impl UserRule {
    /// The action the rule gives: its own, or its cause's usual one.
    pub fn action_or_default(&self) -> Action {
        self.action.unwrap_or_else(|| self.category.default_action(self.class.unwrap_or_else(|| self.category.default_class())))
    }
}

/// A pattern that matches `wording` as written (any case, any run of spaces or line breaks
/// where it has one).
pub fn pattern_for(wording: &str) -> String {
    wording.split_whitespace().map(regex_syntax::escape).collect::<Vec<_>>().join(r"\s+")
}

/// The words a pattern of [`pattern_for`] matches, when it is one (to show and edit it as
/// words rather than as a regular expression).
pub fn wording_of(pattern: &str) -> Option<String> {
    let mut words = String::new();
    let mut chars = pattern.split(r"\s+").map(|w| {
        let mut out = String::new();
        let mut escaped = false;
        for c in w.chars() {
            if escaped || c != '\\' {
                out.push(c);
                escaped = false;
            } else {
                escaped = true;
            }
        }
        out
    });
    if let Some(first) = chars.next() {
        words.push_str(&first);
        for w in chars {
            words.push(' ');
            words.push_str(&w);
        }
    }
    (!words.trim().is_empty() && pattern_for(&words) == pattern).then_some(words)
}

/// What the page asks of the worker about the user's rules.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RulesOp {
    /// Apply these rules to everything classified from now on (none: the built-in rules only).
    Install(Vec<UserRule>),
    /// Write them as a rules file.
    Export(Vec<UserRule>),
    /// Read a rules file (its name, for the messages, and its text).
    Import { name: String, text: String },
}

/// The worker's answer.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RulesOutcome {
    /// This many rules are in force.
    Installed(usize),
    /// The rules file.
    Exported(String),
    /// The rules the file holds, checked.
    Imported(Vec<UserRule>),
}

/// The name the installed rules go by in messages.
const INSTALLED: &str = "your rules";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    rule: Vec<UserRule>,
}

const HEADER: &str = "# Your own bouncelens rules (the format of the built-in knowledge files: one [[rule]] each).\n# They are tried before the built-in rules. Import this file on the Rules page to use it.\n\n";

/// The rules as a rules file.
pub fn to_toml(rules: &[UserRule]) -> Result<String, String> {
    let body = toml::to_string(&RulesFile { rule: rules.to_vec() }).map_err(|e| format!("cannot write the rules file: {e}"))?;
    Ok(format!("{HEADER}{body}"))
}

/// A rules file's rules, after the knowledge builder checked them (the error names the file,
/// the line and the problem).
pub fn from_toml(name: &str, text: &str) -> Result<Vec<UserRule>, String> {
    crate::knowledge::Knowledge::with_user_rules(name, text).map_err(|e| e.to_string())?;
    let f: RulesFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| text[..s.start.min(text.len())].bytes().filter(|b| *b == b'\n').count() + 1);
        match line {
            Some(l) => format!("{name}, line {l}: {}", e.message()),
            None => format!("{name}: {}", e.message()),
        }
    })?;
    Ok(f.rule)
}

/// Does what the page asked (in the worker).
pub fn answer(op: RulesOp) -> Result<RulesOutcome, String> {
    match op {
        RulesOp::Install(rules) if rules.is_empty() => {
            crate::classify::clear_user_rules();
            Ok(RulesOutcome::Installed(0))
        }
        RulesOp::Install(rules) => {
            let text = to_toml(&rules)?;
            let n = crate::classify::install_user_rules(INSTALLED, &text).map_err(|e| e.to_string())?;
            Ok(RulesOutcome::Installed(n))
        }
        RulesOp::Export(rules) => to_toml(&rules).map(RulesOutcome::Exported),
        RulesOp::Import { name, text } => from_toml(&name, &text).map(RulesOutcome::Imported),
    }
}

/// A short description of what a rule matches, for lists.
pub fn describe(r: &UserRule) -> String {
    let mut parts = vec![];
    if let Some(p) = &r.pattern {
        match wording_of(p) {
            Some(w) => parts.push(format!("replies containing \u{201c}{w}\u{201d}")),
            None => parts.push(format!("replies matching /{p}/")),
        }
    }
    if !r.codes.is_empty() {
        parts.push(format!("codes {}", r.codes.join(", ")));
    }
    if let Some(p) = &r.provider {
        parts.push(format!("only from {}", p.as_str()));
    }
    format!("{} → {}, {}", parts.join(" · "), r.category.label(), r.action_or_default().label())
}
