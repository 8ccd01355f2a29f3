//! The classifier: one diagnostic text (plus what is known around it) in, one [`Verdict`] out.
//!
//! It weighs every signal together. Each source proposes a cause with a strength:
//! the basic reply code (its `specificity`, 0-3), the enhanced code (0-3), and each matching
//! wording rule (2 weak, 3 wording, 4 wording tied to codes, 5 a provider's own reply). The
//! strongest proposal decides; on a tie wording beats the enhanced code, which beats the reply
//! code ("the words win where they are more specific than the number"). The class (temporary or
//! permanent) comes from the codes unless the deciding rule fixes it (greylisting is temporary
//! whatever the code). Confidence reflects the strength and how many sources agree.

pub mod extract;
mod provider;
mod ruleset;

pub use provider::identify_provider;

use crate::knowledge::{EnhancedCode, EnhancedInfo, Knowledge, ReplyCode, ReplyInfo, RuleInfo};
use crate::model::{Category, Class, Confidence, Evidence, Id, Verdict};
use regex::bytes::{Regex, RegexSet, RegexSetBuilder};
use std::sync::OnceLock;

/// What is known about a diagnostic besides its text (from a DSN, an export row...).
#[derive(Clone, Debug, Default)]
pub struct Hints<'a> {
    /// An enhanced status code given separately (a DSN `Status:` field, an export column).
    pub status: Option<&'a str>,
    /// A reply code given separately (an export column).
    pub reply: Option<&'a str>,
    /// The recipient address (its domain can identify the provider).
    pub recipient: Option<&'a str>,
    /// The server that answered (its host name can identify the provider).
    pub remote_mta: Option<&'a str>,
    /// The DSN `Action:` field: failed, delayed, delivered, relayed, expanded.
    pub dsn_action: Option<&'a str>,
}

/// The compiled knowledge: regexes built once.
pub struct Classifier {
    knowledge: &'static Knowledge,
    /// All rule patterns: finds every matching rule in linear time.
    set: ruleset::RuleSet,
    /// For each pattern of `set`, the index of its rule.
    set_rules: Vec<usize>,
    /// For each rule, the index of its pattern in `set`.
    rule_pattern: Vec<Option<usize>>,
    /// Rules decided by codes alone.
    code_only: Vec<usize>,
    providers: provider::ProviderMatcher,
    /// The platforms' bounce labels.
    labels: RegexSet,
}

impl Classifier {
    /// The shared classifier (built on first use).
    pub fn get() -> &'static Classifier {
        static C: OnceLock<Classifier> = OnceLock::new();
        C.get_or_init(|| Classifier::new(Knowledge::get()))
    }

    fn new(knowledge: &'static Knowledge) -> Classifier {
        let mut patterns = vec![];
        let mut set_rules = vec![];
        let mut code_only = vec![];
        let mut rule_pattern = vec![None; knowledge.rules.len()];
        for (i, r) in knowledge.rules.iter().enumerate() {
            match &r.pattern {
                Some(p) => {
                    rule_pattern[i] = Some(patterns.len());
                    patterns.push(p.as_str());
                    set_rules.push(i);
                }
                None => code_only.push(i),
            }
        }
        Classifier {
            knowledge,
            set: ruleset::RuleSet::new(&patterns),
            set_rules,
            rule_pattern,
            code_only,
            providers: provider::ProviderMatcher::new(knowledge),
            labels: RegexSetBuilder::new(knowledge.labels.iter().map(|l| l.pattern.as_str()))
                .case_insensitive(true)
                .unicode(false)
                .build()
                .expect("label patterns are checked by the test-suite"),
        }
    }

    fn rule_regex(&self, i: usize) -> Option<&Regex> {
        self.rule_pattern[i].and_then(|p| self.set.regex(p))
    }

    /// Classifies one reply or diagnostic text.
    pub fn classify(&self, raw: &str, hints: &Hints) -> Verdict {
        let cleaned = extract::clean(raw);
        self.classify_cleaned(&cleaned, hints)
    }

    /// Classifies a text that [`extract::clean`] already cleaned.
    pub fn classify_cleaned(&self, cleaned: &extract::Cleaned, hints: &Hints) -> Verdict {
        let k = self.knowledge;
        let text = cleaned.text.as_str();
        let bytes = text.as_bytes();
        let mut evidence: Vec<Evidence> = vec![];

        // Codes: from the text first, then from what was given beside it.
        let found = extract::find_codes(text);
        let mut reply: Option<ReplyCode> = found.reply.as_ref().map(|(c, _)| *c);
        let mut enhanced: Option<EnhancedCode> = found.enhanced.as_ref().map(|(c, _)| *c);
        let status_hint = hints
            .status
            .or(cleaned.status.as_deref())
            .and_then(extract::parse_status);
        let mut enhanced_from_hint = false;
        if let Some(h) = status_hint {
            let text_is_vague = enhanced.is_none_or(|e| e.subject == 0 && e.detail == 0);
            if text_is_vague && !(h.subject == 0 && h.detail == 0 && enhanced.is_some()) {
                enhanced = Some(h);
                enhanced_from_hint = true;
            }
        }
        if reply.is_none() {
            reply = hints.reply.and_then(|r| r.trim().parse().ok());
        }

        // Provider.
        let recipient = hints.recipient.or(cleaned.recipient.as_deref());
        let remote = hints.remote_mta.or(cleaned.remote_mta.as_deref());
        let provider = self.providers.identify(text, remote, recipient);

        // Candidates.
        let reply_info: Option<&ReplyInfo> = reply.and_then(|r| k.reply(r));
        let enhanced_info: Option<(&EnhancedInfo, u8)> = enhanced.and_then(|e| match k.enhanced(e) {
            Some(info) => Some((info, info.specificity)),
            // An unregistered detail (e.g. 5.7.606): only its subject is known.
            None => k
                .enhanced(EnhancedCode { class: e.class, subject: e.subject, detail: 0 })
                .map(|info| (info, info.specificity.min(1))),
        });
        let enhanced_category = |info: &EnhancedInfo| -> Category {
            match (enhanced.map(|e| e.class), info.category_temporary) {
                (Some(4), Some(t)) => t,
                _ => info.category,
            }
        };

        let mut matched_rules: Vec<usize> = vec![];
        for idx in self.set.matches(bytes) {
            matched_rules.push(self.set_rules[idx]);
        }
        matched_rules.extend(self.code_only.iter().copied());
        matched_rules.sort_unstable();
        let applicable: Vec<&RuleInfo> = matched_rules
            .into_iter()
            .map(|i| &k.rules[i])
            .filter(|r| match &r.provider {
                Some(p) => r.identifies || provider.map(|x| x.id.as_str()) == Some(p.as_str()),
                None => true,
            })
            .filter(|r| r.codes.is_empty() || r.codes.iter().any(|c| c.matches(reply, enhanced)))
            .collect();

        #[derive(Clone, Copy)]
        enum Source<'a> {
            Rule(&'a RuleInfo),
            Enhanced(&'a EnhancedInfo),
            Reply(&'a ReplyInfo),
        }
        let mut candidates: Vec<(u8, u8, usize, Category, Source)> = vec![];
        for (order, r) in applicable.iter().enumerate() {
            candidates.push((r.strength(), 2, usize::MAX - order, r.category, Source::Rule(r)));
        }
        if let Some((info, spec)) = enhanced_info {
            candidates.push((spec, 1, 0, enhanced_category(info), Source::Enhanced(info)));
        }
        if let Some(info) = reply_info {
            candidates.push((info.specificity, 0, 0, info.category, Source::Reply(info)));
        }
        let best = candidates.iter().max_by_key(|c| (c.0, c.1, c.2)).copied();

        let (category, strength, source) = match best {
            Some((s, _, _, cat, src)) if s > 0 || matches!(src, Source::Rule(_)) => (cat, s, Some(src)),
            _ => (Category::Unknown, 0, None),
        };
        let rule = match source {
            Some(Source::Rule(r)) => Some(r),
            _ => None,
        };
        let agreeing = candidates.iter().filter(|c| c.3 == category).count();
        // A rule whose match identifies its provider names it when nothing else did.
        let provider = provider.or_else(|| {
            rule.filter(|r| r.identifies).and_then(|r| r.provider.as_deref()).and_then(|p| k.provider(p))
        });
        let reply_decided = match source {
            Some(Source::Reply(i)) => Some(i),
            _ => None,
        };

        // Class.
        let code_class = reply
            .and_then(|r| Class::from_digit(b'0' + r.class_digit()))
            .or_else(|| enhanced.and_then(|e| Class::from_digit(b'0' + e.class)));
        let action_field = hints.dsn_action.map(|a| a.trim().to_ascii_lowercase());
        let mut class = match rule.and_then(|r| r.class).or_else(|| reply_decided.and_then(|i| i.class)) {
            Some(c) => c,
            None => match action_field.as_deref() {
                Some("delayed") => Class::Temporary,
                Some("delivered") | Some("relayed") | Some("expanded") if category == Category::Accepted || category == Category::Unknown => Class::Success,
                _ => code_class
                    .or_else(|| extract::class_from_words(text))
                    .unwrap_or_else(|| category.default_class()),
            },
        };
        let mut category = category;
        if category == Category::Unknown && class == Class::Success && reply.is_some() {
            category = Category::Accepted;
        }
        if matches!(category, Category::Accepted | Category::AutoReply) {
            class = Class::Success;
        } else if class == Class::Success {
            // A failure cause with a 2xx code (e.g. a DSN that says delivered but names a cause).
            class = category.default_class();
        }

        let bounce_type = rule.and_then(|r| r.bounce_type).unwrap_or_else(|| category.bounce_type(class));
        let action = rule
            .and_then(|r| r.action)
            .or_else(|| reply_decided.and_then(|i| i.action))
            .unwrap_or_else(|| category.default_action(class));
        let owner = rule.and_then(|r| r.owner).unwrap_or_else(|| category.owner());

        // Confidence.
        let has_code = reply.is_some() || enhanced.is_some();
        let mut confidence = match strength {
            s if s >= 4 => Confidence::High,
            3 if agreeing >= 2 => Confidence::High,
            3 => Confidence::Medium,
            2 if agreeing >= 2 => Confidence::Medium,
            _ => Confidence::Low,
        };
        if !has_code && confidence == Confidence::High {
            confidence = Confidence::Medium;
        }
        if category == Category::Unknown {
            confidence = Confidence::Low;
        }

        // Words for people.
        let cat_info = k.category(category);
        let (summary, explanation) = match source {
            Some(Source::Rule(r)) => (r.title.clone(), r.explanation.clone()),
            Some(Source::Enhanced(info)) => (
                cat_info.title.clone(),
                format!("{} ({}): {} {}", enhanced.map(|e| e.to_string()).unwrap_or_default(), info.name, info.meaning, info.explanation),
            ),
            Some(Source::Reply(info)) => (
                cat_info.title.clone(),
                format!("{} ({}): {} {}", info.code, info.name, info.meaning, info.explanation),
            ),
            None => (cat_info.title.clone(), cat_info.explanation.clone()),
        };
        let mut advice = rule
            .and_then(|r| r.advice.clone())
            .or_else(|| match class {
                Class::Temporary => cat_info.advice_temporary.clone(),
                _ => None,
            })
            .unwrap_or_else(|| cat_info.advice.clone());
        if let Some(p) = provider {
            if matches!(category, Category::Reputation | Category::RateLimited | Category::Blocklisted | Category::Authentication) {
                if let Some(tools) = &p.tools {
                    advice.push(' ');
                    advice.push_str(tools);
                }
            }
        }
        let escalation = rule
            .and_then(|r| r.escalation.clone())
            .or_else(|| enhanced_info.filter(|(i, _)| enhanced_category(i) == category).and_then(|(i, _)| i.escalation.clone()))
            .or_else(|| reply_info.filter(|i| i.category == category).and_then(|i| i.escalation.clone()))
            .or_else(|| cat_info.escalation.clone());
        let provider_note = match source {
            Some(Source::Rule(r)) => r.provider_note.clone(),
            Some(Source::Enhanced(i)) => i.note.clone(),
            Some(Source::Reply(i)) => i.note.clone(),
            None => None,
        };

        // Evidence, in the order of the text.
        if let Some((code, range)) = &found.reply {
            let name = reply_info.map(|i| i.name.as_str()).unwrap_or("unregistered reply code");
            evidence.push(span(text, range.clone(), format!("reply code {code}: {name}")));
        } else if let Some(r) = reply {
            evidence.push(Evidence { text: r.to_string(), start: None, end: None, signal: "reply code given with the bounce".into() });
        }
        if let (Some(e), Some((info, _))) = (enhanced, enhanced_info) {
            let name = if k.enhanced(e).is_some() { info.name.clone() } else { format!("not in the registry; subject {}", crate::knowledge::Digits::enhanced_subject(e.subject)) };
            match (&found.enhanced, enhanced_from_hint) {
                (Some((_, range)), false) => evidence.push(span(text, range.clone(), format!("enhanced code {e}: {name}"))),
                _ => evidence.push(Evidence { text: e.to_string(), start: None, end: None, signal: format!("status given with the bounce {e}: {name}") }),
            }
        }
        // The deciding rule, then other matching rules that agree with it.
        let mut shown = 0;
        let decider_id = rule.map(|r| r.id.as_str());
        let mut ordered: Vec<&RuleInfo> = applicable.clone();
        ordered.sort_by_key(|r| if Some(r.id.as_str()) == decider_id { 0 } else { 1 });
        for r in ordered {
            if shown >= 3 || r.category != category {
                continue;
            }
            let idx = k.rules.iter().position(|x| x.id == r.id).expect("rule of the base");
            let signal = format!("wording: {}", r.title);
            match self.rule_regex(idx).and_then(|re| re.find(bytes)) {
                Some(m) => evidence.push(span(text, m.start()..m.end(), signal)),
                None => {
                    let codes: Vec<String> = r.codes.iter().map(|c| c.to_string()).collect();
                    evidence.push(Evidence { text: codes.join(", "), start: None, end: None, signal: format!("code known for {}", r.title) });
                }
            }
            shown += 1;
        }
        if let Some(p) = provider {
            match self.providers.marker_span(text, p) {
                Some(range) => evidence.push(span(text, range, format!("provider: {}", p.name))),
                None => evidence.push(Evidence {
                    text: remote.or(recipient).unwrap_or_default().to_string(),
                    start: None,
                    end: None,
                    signal: format!("provider: {} (from the server or recipient domain)", p.name),
                }),
            }
        }
        evidence.sort_by_key(|e| e.start.unwrap_or(usize::MAX));
        evidence.dedup_by(|a, b| a.start.is_some() && a.start == b.start && a.end == b.end);

        let decided_by = match source {
            Some(Source::Rule(r)) => Some(format!("rule:{}", r.id)),
            Some(Source::Enhanced(i)) => Some(format!("enhanced:{}", i.code)),
            Some(Source::Reply(i)) => Some(format!("reply:{}", i.code)),
            None => None,
        };

        Verdict {
            reply_code: reply.map(|r| r.to_string()),
            enhanced_code: enhanced.map(|e| e.to_string()),
            class,
            bounce_type,
            category,
            action,
            owner,
            provider: provider.map(|p| p.id.clone()),
            confidence,
            summary,
            explanation,
            advice,
            escalation,
            provider_note,
            evidence,
            decided_by,
            diagnostic: text.to_string(),
        }
    }
}

impl Classifier {
    /// What an email platform's bounce label implies: the cause (`Unknown` when the label
    /// only says hard or soft) and the kind of event the platform meant.
    pub fn label_meaning(&self, label: &str) -> Option<(Category, crate::model::BounceType)> {
        let first = self.labels.matches(label.as_bytes()).iter().next()?;
        let l = &self.knowledge.labels[first];
        Some((l.category, l.kind))
    }

    /// A verdict from a platform's label alone (the export had no server reply).
    pub fn verdict_from_label(&self, label: &str) -> Option<Verdict> {
        use crate::model::{BounceType, Owner};
        let (category, kind) = self.label_meaning(label)?;
        let k = self.knowledge;
        let class = match kind {
            BounceType::Soft => Class::Temporary,
            BounceType::AutoReply => Class::Success,
            _ => Class::Permanent,
        };
        let info = k.category(category);
        let (action, owner) = if category == Category::Unknown {
            // Only "hard" or "soft": follow the platform, but say the reason is unknown.
            match kind {
                BounceType::Hard => (crate::model::Action::Suppress, Owner::ListQuality),
                BounceType::Soft => (crate::model::Action::Retry, Owner::RecipientSide),
                _ => (crate::model::Action::Investigate, Owner::None),
            }
        } else {
            (category.default_action(class), category.owner())
        };
        let bounce_type = if category == Category::Unknown { kind } else { category.bounce_type(class) };
        Some(Verdict {
            reply_code: None,
            enhanced_code: None,
            class,
            bounce_type,
            category,
            action,
            owner,
            provider: None,
            confidence: Confidence::Low,
            summary: if category == Category::Unknown { format!("Labelled \"{}\" by the platform, without the server's reply", label.trim()) } else { info.title.clone() },
            explanation: format!(
                "The export gives only the platform's label \"{}\", not the receiving server's reply, so bouncelens goes by the label. {}",
                label.trim(),
                if category == Category::Unknown { "The real cause cannot be told from it." } else { info.explanation.as_str() }
            ),
            advice: info.advice.clone(),
            escalation: info.escalation.clone(),
            provider_note: None,
            evidence: vec![Evidence { text: label.trim().to_string(), start: None, end: None, signal: "the platform's bounce label".into() }],
            decided_by: Some("label".into()),
            diagnostic: String::new(),
        })
    }
}

/// An evidence span over `text`, widened to character boundaries.
fn span(text: &str, range: std::ops::Range<usize>, signal: String) -> Evidence {
    let mut start = range.start.min(text.len());
    let mut end = range.end.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    Evidence { text: text[start..end].to_string(), start: Some(start), end: Some(end), signal }
}

/// Classifies one text with no other information.
pub fn classify(text: &str) -> Verdict {
    Classifier::get().classify(text, &Hints::default())
}

/// A human line for the category, used by the CLI and the UI.
pub fn category_title(c: Category) -> &'static str {
    // Titles are data; fall back to the label if the base were missing one.
    Knowledge::get()
        .categories
        .iter()
        .find(|i| i.id == c)
        .map(|i| i.title.as_str())
        .unwrap_or(c.label())
}

#[cfg(test)]
mod tests;
