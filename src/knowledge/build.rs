//! Building the knowledge base from its TOML files, checking every entry on the way. Errors
//! are values that name the file, the entry and (where it can be told) the line, so that a bad
//! built-in file fails a test with a readable message and a bad rules file of the user's is
//! reported to them (the same builder reads both).

use super::{Exports, File, Knowledge, Policy, RuleOrigin};
use crate::model::{Category, Id};
use std::collections::HashSet;
use std::fmt;

/// What is wrong with a knowledge file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnowledgeError {
    pub file: String,
    /// The entry at fault (a rule id, a provider id, a code), when there is one.
    pub entry: Option<String>,
    /// The 1-based line of the problem, when it can be told.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for KnowledgeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ", line {l}")?;
        }
        if let Some(e) = &self.entry {
            write!(f, ", entry {e}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for KnowledgeError {}

/// Collects knowledge files and builds a checked [`Knowledge`].
pub struct Builder {
    k: Knowledge,
    rule_ids: HashSet<String>,
    policy_seen: bool,
    exports_seen: bool,
    tracks: Vec<super::TrackRecord>,
    /// Whether the regexes of built-in files are compiled to check them. They always are in
    /// the test-suite ([`Knowledge::builtin`]); at start-up the built-in files are trusted
    /// (compiling 200 regexes once to check them is most of the start-up time), the user's
    /// rules never are.
    check_builtin_patterns: bool,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

/// The 1-based line where `needle` first occurs in `text`.
fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.find(needle).map(|i| text[..i].bytes().filter(|b| *b == b'\n').count() + 1)
}

fn regex_error(pattern: &str) -> Option<String> {
    regex::bytes::RegexBuilder::new(pattern).case_insensitive(true).unicode(false).size_limit(1 << 24).build().err().map(|e| e.to_string())
}

impl Builder {
    pub fn new() -> Builder {
        Builder {
            k: Knowledge {
                categories: vec![],
                replies: vec![],
                enhanced: vec![],
                providers: vec![],
                rules: vec![],
                labels: vec![],
                policy: Policy::default(),
                exports: Exports::default(),
                platforms: vec![],
            },
            rule_ids: HashSet::new(),
            policy_seen: false,
            exports_seen: false,
            tracks: vec![],
            check_builtin_patterns: true,
        }
    }

    /// Does not compile the regexes of built-in files to check them (see the field's docs).
    pub fn trusting_builtin_patterns(mut self) -> Builder {
        self.check_builtin_patterns = false;
        self
    }

    /// Adds one built-in knowledge file (any of its tables).
    pub fn add(&mut self, file: &str, text: &str) -> Result<&mut Self, KnowledgeError> {
        self.add_as(file, text, RuleOrigin::BuiltIn)
    }

    /// Adds a file of the user's own rules: only `[[rule]]` tables, checked like the built-in
    /// ones; they are tried before the built-in rules.
    pub fn add_user_rules(&mut self, file: &str, text: &str) -> Result<&mut Self, KnowledgeError> {
        self.add_as(file, text, RuleOrigin::User)
    }

    /// Adds one built-in file as the JSON `build.rs` wrote from its TOML (an error's line is
    /// then a line of the JSON: the test-suite reads the TOML, which names the right one).
    pub(super) fn add_json(&mut self, file: &str, json: &str) -> Result<&mut Self, KnowledgeError> {
        let f: File = serde_json::from_str(json)
            .map_err(|e| KnowledgeError { file: file.to_string(), entry: None, line: Some(e.line()), message: e.to_string() })?;
        self.add_file(file, json, f, RuleOrigin::BuiltIn)
    }

    fn add_as(&mut self, file: &str, text: &str, origin: RuleOrigin) -> Result<&mut Self, KnowledgeError> {
        let f: File = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| text[..s.start.min(text.len())].bytes().filter(|b| *b == b'\n').count() + 1);
            KnowledgeError { file: file.to_string(), entry: None, line, message: e.message().to_string() }
        })?;
        self.add_file(file, text, f, origin)
    }

    /// Checks and adds a parsed file; `text` is where an error's line is looked up.
    fn add_file(&mut self, file: &str, text: &str, f: File, origin: RuleOrigin) -> Result<&mut Self, KnowledgeError> {
        let err = |entry: Option<String>, line: Option<usize>, message: String| KnowledgeError { file: file.to_string(), entry, line, message };
        let check = self.check_builtin_patterns || origin == RuleOrigin::User;
        let regex_error = |p: &str| if check { regex_error(p) } else { None };
        if origin == RuleOrigin::User {
            let other = !f.track_record.is_empty() || !f.category.is_empty() || !f.reply.is_empty() || !f.enhanced.is_empty() || !f.provider.is_empty() || !f.label.is_empty() || f.policy.is_some() || f.exports.is_some() || !f.platform.is_empty();
            if other {
                return Err(err(None, None, "a rules file may only hold [[rule]] tables".into()));
            }
        }
        for p in &f.provider {
            if self.k.providers.iter().any(|x| x.id == p.id) {
                return Err(err(Some(p.id.to_string()), line_of(text, &format!("\"{}\"", p.id)), "provider id used twice".into()));
            }
            for m in &p.markers {
                if let Some(e) = regex_error(m) {
                    return Err(err(Some(p.id.to_string()), line_of(text, m), format!("marker does not compile: {e}")));
                }
            }
        }
        self.k.providers.extend(f.provider);
        for mut r in f.rule {
            // The line is looked for only when there is an error to report: searching the
            // file for each rule's id was most of the knowledge's start-up.
            let fail = |m: String| err(Some(r.id.clone()), line_of(text, &format!("\"{}\"", r.id)), m);
            if r.id.trim().is_empty() {
                return Err(err(None, None, "a rule without an id".into()));
            }
            if !self.rule_ids.insert(r.id.clone()) {
                return Err(fail("rule id used twice".into()));
            }
            if let Some(p) = &r.provider {
                if !self.k.providers.iter().any(|x| &x.id == p) {
                    return Err(fail(format!("names unknown provider {p}")));
                }
            }
            if r.pattern.is_none() && r.codes.is_empty() {
                return Err(fail("a rule needs a pattern, codes, or both".into()));
            }
            if let Some(p) = &r.pattern {
                if let Some(e) = regex_error(p) {
                    return Err(fail(format!("pattern does not compile: {e}")));
                }
            }
            if r.title.trim().is_empty() {
                return Err(fail("a rule needs a title".into()));
            }
            r.origin = origin;
            self.k.rules.push(r);
        }
        for l in &f.label {
            if let Some(e) = regex_error(&l.pattern) {
                return Err(err(Some(l.pattern.clone()), line_of(text, &l.pattern), format!("label pattern does not compile: {e}")));
            }
        }
        self.k.categories.extend(f.category);
        self.k.replies.extend(f.reply);
        self.k.enhanced.extend(f.enhanced);
        self.k.labels.extend(f.label);
        for p in &f.platform {
            if self.k.platforms.iter().any(|x| x.id == p.id) {
                return Err(err(Some(p.id.clone()), line_of(text, &format!("\"{}\"", p.id)), "platform id used twice".into()));
            }
            let s = &p.suppression;
            if !s.columns.iter().any(|c| c.value == super::ColumnValue::Address) {
                return Err(err(Some(p.id.clone()), line_of(text, &format!("\"{}\"", p.id)), "a suppression format needs an address column".into()));
            }
            if s.steps.is_empty() || s.source.trim().is_empty() {
                return Err(err(Some(p.id.clone()), line_of(text, &format!("\"{}\"", p.id)), "a suppression format needs its import steps and their source".into()));
            }
        }
        self.k.platforms.extend(f.platform);
        if let Some(p) = f.policy {
            if std::mem::replace(&mut self.policy_seen, true) {
                return Err(err(None, None, "[policy] is given twice".into()));
            }
            p.check().map_err(|m| err(Some("policy".into()), None, m))?;
            self.k.policy = p;
        }
        for t in f.track_record {
            if t.right > t.texts {
                return Err(err(Some(t.rule.clone()), line_of(text, &format!("\"{}\"", t.rule)), "more right than texts".into()));
            }
            self.tracks.push(t);
        }
        if let Some(x) = f.exports {
            if std::mem::replace(&mut self.exports_seen, true) {
                return Err(err(None, None, "[exports] is given twice".into()));
            }
            self.k.exports = x;
        }
        Ok(self)
    }

    /// Checks what needs every file (each cause explained once, the policy present) and
    /// returns the knowledge.
    pub fn build(self) -> Result<Knowledge, KnowledgeError> {
        let err = |entry: &str, message: String| KnowledgeError { file: "(all files)".into(), entry: Some(entry.to_string()), line: None, message };
        for c in Category::ALL {
            match self.k.categories.iter().filter(|i| i.id == *c).count() {
                1 => {}
                0 => return Err(err(c.id(), "this cause has no [[category]] entry".into())),
                _ => return Err(err(c.id(), "this cause has several [[category]] entries".into())),
            }
        }
        if !self.policy_seen {
            return Err(err("policy", "no [policy] table".into()));
        }
        for l in &self.k.exports.layout {
            if let Some(p) = &l.platform {
                if !self.k.platforms.iter().any(|x| &x.id == p) {
                    return Err(err(&l.name, format!("names platform {p}, which has no [[platform]] entry")));
                }
            }
        }
        let mut k = self.k;
        for t in &self.tracks {
            match k.rules.iter_mut().find(|r| r.id == t.rule) {
                Some(r) => r.track = Some((t.texts, t.right)),
                None => return Err(KnowledgeError { file: "track_record.toml".into(), entry: Some(t.rule.clone()), line: None, message: "no rule has this id (write the file again)".into() }),
            }
        }
        Ok(k)
    }
}
