//! The classifier: one diagnostic text (plus what is known around it) in, one [`Verdict`] out.
//!
//! It weighs every signal together. Each source proposes a cause (a [`Candidate`]) with a
//! strength: the basic reply code (its `specificity`, 0-3), the enhanced code (0-3), and each
//! matching wording rule (2 weak, 3 wording, 4 wording tied to codes, 5 a provider's own reply,
//! 9 the user's own rule). The strongest proposal decides; on a tie wording beats the enhanced
//! code, which beats the reply code ("the words win where they are more specific than the
//! number"). The class (temporary or permanent) comes from the codes unless the deciding rule
//! fixes it (greylisting is temporary whatever the code). Confidence reflects the strength and
//! how many sources agree.

pub mod extract;
mod literals;
mod provider;
mod ruleset;
mod subject;
pub mod words;

use crate::knowledge::{EnhancedInfo, Knowledge, ProviderInfo, ReplyInfo, RuleInfo};
use crate::model::{Action, BounceType, Category, Class, Confidence, DecidedBy, Evidence, Id, Owner, ProviderId, Verdict};
use crate::smtp::{code::find_codes, DsnAction, EnhancedCode, ReplyCode};
use ruleset::Regex;
use std::cmp::Reverse;
use std::sync::LazyLock;

/// What is known about a diagnostic besides its text (from a DSN, an export row...).
#[derive(Clone, Debug, Default)]
pub struct Hints<'a> {
    /// An enhanced status code given separately (a DSN `Status:` field, an export column).
    pub status: Option<EnhancedCode>,
    /// A reply code given separately (an export column).
    pub reply: Option<ReplyCode>,
    /// The recipient address (its domain can identify the provider).
    pub recipient: Option<&'a str>,
    /// The server that answered (its host name can identify the provider).
    pub remote_mta: Option<&'a str>,
    /// The DSN `Action:` field.
    pub dsn_action: Option<DsnAction>,
}

/// Where a proposed cause comes from.
#[derive(Clone, Copy, Debug)]
enum Source<'k> {
    /// A wording rule; `order` is its place in the knowledge (earlier wins a tie).
    Rule { rule: &'k RuleInfo, order: usize },
    Enhanced(&'k EnhancedInfo),
    Reply(&'k ReplyInfo),
    /// The word model, where the rules were silent or weak.
    Model,
}

/// A cause proposed by one source of evidence.
///
/// Candidates are ranked by, in order: their strength; on equal strength, the kind of source
/// (a wording rule, then the enhanced code, then the reply code); among rules, the earlier one
/// in the knowledge (files put the more specific causes first). The best candidate decides
/// when its strength is above 0 or it is a rule: a code of specificity 0 says nothing beyond
/// its class.
#[derive(Clone, Copy, Debug)]
struct Candidate<'k> {
    strength: u8,
    category: Category,
    source: Source<'k>,
}

impl Candidate<'_> {
    fn rank(&self) -> (u8, u8, Reverse<usize>) {
        match self.source {
            Source::Rule { order, .. } => (self.strength, 2, Reverse(order)),
            Source::Enhanced(_) => (self.strength, 1, Reverse(0)),
            Source::Reply(_) | Source::Model => (self.strength, 0, Reverse(0)),
        }
    }

    fn decides(&self) -> bool {
        self.strength > 0 || matches!(self.source, Source::Rule { .. })
    }
}

/// What shows that a refusal is about the sender rather than the recipient.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SenderEvidence {
    /// The server gave the reply to the `MAIL FROM` command, which carries the sender.
    MailFrom,
    /// The words name the sender's address, domain, account or HELO name.
    Wording,
}

/// Where a verdict's words come from when its cause is set after classification.
#[derive(Clone, Copy, Debug)]
pub enum Words<'a> {
    /// The category's own title, explanation and advice.
    Category,
    /// A rule's (by id), falling back to the category's.
    Rule(&'a str),
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
    labels: ruleset::RuleSet,
    /// The word model asked where the rules say little.
    model: Option<&'static words::WordModel>,
    /// How sure the word model must be to decide.
    model_threshold: f32,
}

/// The classifier with the user's rules, when they set some.
static USER_CLASSIFIER: std::sync::RwLock<Option<&'static Classifier>> = std::sync::RwLock::new(None);

/// Makes the user's own rules (a TOML file of `[[rule]]` tables, in the format of the built-in
/// knowledge) part of every later classification, tried before the built-in rules. Returns how
/// many rules the file holds, or the error that names the file, line and entry. Each call
/// builds a classifier that lives as long as the program (rules change rarely; the memory of a
/// replaced one is small and not worth the lifetimes it would take to free it).
pub fn install_user_rules(file: &str, text: &str) -> Result<usize, crate::knowledge::KnowledgeError> {
    let k: &'static Knowledge = Box::leak(Box::new(Knowledge::with_user_rules(file, text)?));
    let n = k.rules.iter().filter(|r| r.origin == crate::knowledge::RuleOrigin::User).count();
    let c: &'static Classifier = Box::leak(Box::new(Classifier::new(k)));
    *USER_CLASSIFIER.write().unwrap_or_else(|e| e.into_inner()) = Some(c);
    Ok(n)
}

/// Goes back to the built-in rules only.
pub fn clear_user_rules() {
    *USER_CLASSIFIER.write().unwrap_or_else(|e| e.into_inner()) = None;
}

/// The word model trained when the crate was built (see `build.rs`).
pub fn built_in_model() -> Option<&'static words::WordModel> {
    static M: LazyLock<Option<words::WordModel>> = LazyLock::new(|| words::WordModel::from_bytes(include_bytes!(concat!(env!("OUT_DIR"), "/word_model.bin"))));
    M.as_ref()
}

/// The word model decides only when its best reading is at least this likely (chosen by
/// cross-validation: 0.7 to 0.9 scored the same, lower thresholds worse).
pub const MODEL_THRESHOLD: f32 = 0.7;

/// The strongest decider (a code's specificity or a rule's strength) the word model may
/// override.
const MODEL_OVERRIDES_UP_TO: u8 = 2;
/// How many words of its own (beyond the code's standard text) a reply decided by a bare,
/// imprecise code must have for that code not to be enough to suppress.
const UNEXPLAINED_WORDS: usize = 3;

impl Classifier {
    /// The shared classifier: over the built-in knowledge (built on first use), or over the
    /// built-in knowledge plus the user's own rules once [`install_user_rules`] set them.
    pub fn get() -> &'static Classifier {
        if let Some(c) = *USER_CLASSIFIER.read().unwrap_or_else(|e| e.into_inner()) {
            return c;
        }
        static C: LazyLock<Classifier> = LazyLock::new(|| Classifier::new(Knowledge::get()));
        &C
    }

    /// A classifier over a knowledge base (the built-in one, or one with the user's rules),
    /// with the built-in word model.
    pub fn new(knowledge: &'static Knowledge) -> Classifier {
        Self::with_model(knowledge, built_in_model(), MODEL_THRESHOLD)
    }

    /// A classifier with another word model (or none): for measuring the model on data it
    /// was not trained on.
    pub fn with_model(knowledge: &'static Knowledge, model: Option<&'static words::WordModel>, model_threshold: f32) -> Classifier {
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
            labels: ruleset::RuleSet::new(&knowledge.labels.iter().map(|l| l.pattern.as_str()).collect::<Vec<_>>()),
            model,
            model_threshold,
        }
    }

    /// The knowledge this classifier reads.
    pub fn knowledge(&self) -> &'static Knowledge {
        self.knowledge
    }

    fn rule_regex(&self, i: usize) -> Option<&Regex> {
        self.rule_pattern[i].and_then(|p| self.set.regex(p))
    }

    /// Classifies one reply or diagnostic text.
    pub fn classify(&self, raw: &str, hints: &Hints) -> Verdict {
        let cleaned = extract::clean(raw);
        self.classify_cleaned(&cleaned, hints)
    }

    /// Whether a cleaned text carries a signal of its own: a reply code, or wording a rule
    /// knows. Decoders use it to choose between a report's bare diagnostic and its human text.
    pub fn recognises(&self, cleaned: &extract::Cleaned) -> bool {
        let text = cleaned.text.trim();
        if text.is_empty() {
            return false;
        }
        if find_codes(text).reply.is_some() {
            return true;
        }
        let v = self.classify_cleaned(cleaned, &Hints::default());
        v.category != Category::Unknown && matches!(v.decided_by, Some(DecidedBy::Rule(_)))
    }

    /// The rules that apply to a text, with the strength each has here: their pattern matches
    /// (or they have none), one of their codes is present (when they name codes), and their
    /// provider is the one identified (or their match identifies it). A provider's rule with
    /// wording also applies when no provider could be identified (replies are quoted without
    /// the server's name, providers' documentation lists them bare), at most at strength 3,
    /// like generic wording: the words are the provider's, but nothing confirms the provider,
    /// so a generic rule of the same strength (earlier in the knowledge) keeps precedence.
    fn applicable(&self, bytes: &[u8], provider: Option<&ProviderInfo>, reply: Option<ReplyCode>, enhanced: Option<EnhancedCode>) -> Vec<(usize, u8)> {
        let k = self.knowledge;
        let mut matched: Vec<usize> = self.set.matches(bytes).into_iter().map(|p| self.set_rules[p]).collect();
        matched.extend(self.code_only.iter().copied());
        matched.sort_unstable();
        matched
            .into_iter()
            .filter(|&i| {
                let r = &k.rules[i];
                r.codes.is_empty() || r.codes.iter().any(|c| c.matches(reply, enhanced))
            })
            .filter_map(|i| {
                let r = &k.rules[i];
                let strength = match &r.provider {
                    None => r.strength(),
                    Some(p) if r.identifies || provider.is_some_and(|x| &x.id == p) => r.strength(),
                    Some(_) if provider.is_none() && r.pattern.is_some() => r.strength().min(3),
                    Some(_) => return None,
                };
                Some((i, strength))
            })
            .collect()
    }

    /// Classifies a text that [`extract::clean`] already cleaned.
    ///
    /// Sending platforms and their APIs often give a reason as an identifier or a short label
    /// instead of a sentence (`hard_bounce`, `MailboxFull`, `Permanent/OnAccountSuppressionList`,
    /// "Spam Block"). When the text's own words decide nothing, an identifier is read again
    /// spelled out as words, and a short label is read as the platform labels of the knowledge
    /// are (the same table that reads an export's label column).
    pub fn classify_cleaned(&self, cleaned: &extract::Cleaned, hints: &Hints) -> Verdict {
        let v = self.classify_words(cleaned, hints);
        if v.category != Category::Unknown && v.confidence != Confidence::Low {
            return v;
        }
        let spelled = extract::identifier_words(&cleaned.text);
        if let Some(words) = &spelled {
            let again = extract::Cleaned { text: words.clone(), ..cleaned.clone() };
            let mut w = self.classify_words(&again, hints);
            if w.category != Category::Unknown && (v.category == Category::Unknown || w.confidence != Confidence::Low) {
                // The evidence is in the spelled-out words, not at offsets of the text.
                w.diagnostic = cleaned.text.clone();
                for e in &mut w.evidence {
                    e.start = None;
                    e.end = None;
                }
                return w;
            }
        }
        if v.category == Category::Unknown && v.reply_code.is_none() && v.enhanced_code.is_none() {
            let label = spelled.as_deref().unwrap_or(cleaned.text.as_str());
            if extract::is_label(label) {
                if let Some(mut l) = self.verdict_from_label(label) {
                    l.explanation = l.explanation.replacen("The export gives only the platform's label", "This reads as a sending platform's bounce label", 1);
                    l.diagnostic = cleaned.text.clone();
                    return l;
                }
            }
        }
        v
    }

    fn classify_words(&self, cleaned: &extract::Cleaned, hints: &Hints) -> Verdict {
        let k = self.knowledge;
        let text = cleaned.text.as_str();
        let bytes = text.as_bytes();

        // Codes: from the text first, then from what was given beside it. A separate status
        // replaces a vague one in the text (5.0.0), never a precise one.
        let found = find_codes(text);
        let mut reply: Option<ReplyCode> = found.reply.as_ref().map(|(c, _)| *c);
        let mut enhanced: Option<EnhancedCode> = found.enhanced.as_ref().map(|(c, _)| *c);
        let status_hint = hints.status.or(cleaned.status);
        let mut enhanced_from_hint = false;
        if let Some(h) = status_hint {
            let text_is_vague = enhanced.is_none_or(|e| e.is_vague());
            if text_is_vague && !(h.is_vague() && enhanced.is_some()) {
                enhanced = Some(h);
                enhanced_from_hint = true;
            }
        }
        if reply.is_none() {
            reply = hints.reply;
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
            None => k.enhanced(EnhancedCode { detail: 0, ..e }).map(|info| (info, info.specificity.min(1))),
        });
        let enhanced_category = |info: &EnhancedInfo| -> Category {
            match (enhanced.map(|e| e.class), info.category_temporary) {
                (Some(4), Some(t)) => t,
                _ => info.category,
            }
        };
        let applicable = self.applicable(bytes, provider, reply, enhanced);
        let mut candidates: Vec<Candidate> = applicable
            .iter()
            .map(|&(i, strength)| {
                let r = &k.rules[i];
                Candidate { strength, category: r.category, source: Source::Rule { rule: r, order: i } }
            })
            .collect();
        if let Some((info, spec)) = enhanced_info {
            candidates.push(Candidate { strength: spec, category: enhanced_category(info), source: Source::Enhanced(info) });
        }
        if let Some(info) = reply_info {
            candidates.push(Candidate { strength: info.specificity, category: info.category, source: Source::Reply(info) });
        }
        let mut best = candidates.iter().copied().max_by_key(|c| c.rank()).filter(|c| c.decides());
        // Where no rule matched and the codes say little (or nothing decided), the words can
        // still tell: ask the word model.
        // Weak: nothing decided, a code of little specificity, or the catch-all wording of a
        // policy refusal ("refused", "access denied"). Measured by cross-validation on the
        // working corpus (5 folds by source group): letting the model override rules of
        // strength 3 lost 3 points; any rule of strength 2 gained 0.9 but overrode precise
        // weak rules on the development samples; policy catch-alls only keep the gain.
        let weak = best.is_none_or(|c| match c.source {
            Source::Rule { .. } => c.strength <= MODEL_OVERRIDES_UP_TO && c.category == Category::Policy,
            _ => c.strength <= 1,
        });
        let mut model_words: Vec<String> = vec![];
        // A reply that only repeats its code's standard text ("554 Transaction failed") says
        // no more than the code: the model is not asked.
        let standard = reply_info.map(|i| i.name.to_lowercase()).unwrap_or_default();
        let own_words = words::features(text).into_iter().filter(|f| words::is_word(f) && !standard.contains(f.as_str())).count();
        if weak && own_words >= 2 {
            if let Some((cat, p, top)) = self.model_reading(text) {
                if best.is_none_or(|b| b.category != cat) {
                    best = Some(Candidate { strength: 1, category: cat, source: Source::Model });
                    candidates.push(Candidate { strength: 1, category: cat, source: Source::Model });
                    // The codes were features too; the words are what a reader can check.
                    model_words = top.into_iter().filter(|f| words::is_word(f) || f.contains(' ')).collect();
                    let _ = p;
                }
            }
        }
        let (category, strength, source) = match best {
            Some(c) => (c.category, c.strength, Some(c.source)),
            None => (Category::Unknown, 0, None),
        };
        let rule = match source {
            Some(Source::Rule { rule, .. }) => Some(rule),
            _ => None,
        };
        let reply_decided = match source {
            Some(Source::Reply(i)) => Some(i),
            _ => None,
        };
        let agreeing = candidates.iter().filter(|c| c.category == category).count();
        // The strongest candidate for another cause: the other likely reading.
        let runner_up = candidates.iter().filter(|c| c.category != category && c.decides()).max_by_key(|c| c.rank()).copied();
        // A rule whose match identifies its provider names it when nothing else did.
        let provider = provider.or_else(|| rule.filter(|r| r.identifies).and_then(|r| r.provider.as_ref()).and_then(|p| k.provider(p.as_str())));

        // Class.
        let code_class = reply
            .and_then(|r| Class::from_digit(b'0' + r.class_digit()))
            .or_else(|| enhanced.and_then(|e| Class::from_digit(b'0' + e.class)));
        let mut class = match rule.and_then(|r| r.class).or_else(|| reply_decided.and_then(|i| i.class)) {
            Some(c) => c,
            None => match hints.dsn_action {
                Some(DsnAction::Delayed) => Class::Temporary,
                Some(a) if a.is_success() && matches!(category, Category::Accepted | Category::Unknown) => Class::Success,
                _ => code_class.or_else(|| extract::class_from_words(text)).unwrap_or_else(|| category.default_class()),
            },
        };
        // A report that gave up for good: the condition of the last attempt did not clear.
        if class == Class::Temporary && extract::gave_up(text) {
            class = Class::Permanent;
        }
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
        let mut action = rule
            .and_then(|r| r.action)
            .or_else(|| reply_decided.and_then(|i| i.action))
            .unwrap_or_else(|| category.default_action(class));
        // A bare, imprecise code (550, 553, 551) decided, and the text says more in words no
        // rule or the model understood ("550 command rejected due to Sender ID validation
        // failure", "553 ... deferred"): the code's usual meaning is no ground to drop an
        // address. On the working corpus these verdicts had the cause right 4 times in 13.
        let unexplained_words = matches!(source, Some(Source::Reply(_))) && strength <= 1 && own_words >= UNEXPLAINED_WORDS;
        if unexplained_words && action == Action::Suppress {
            action = Action::Investigate;
        }
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
        // A rule often wrong on the labelled corpus (its track record) does not earn "high".
        if confidence == Confidence::High && rule.and_then(|r| r.track).is_some_and(|(texts, right)| right * 5 < texts * 4) {
            confidence = Confidence::Medium;
        }
        let alternative = match (confidence, runner_up) {
            (Confidence::High, _) | (_, None) => None,
            (_, Some(c)) => Some(c.category),
        };

        // Words for people.
        let cat_info = k.category(category);
        let (summary, explanation) = match source {
            Some(Source::Rule { rule: r, .. }) => (r.title.clone(), r.explanation.clone()),
            Some(Source::Enhanced(info)) => (
                cat_info.title.clone(),
                format!("{} ({}): {} {}", enhanced.map(|e| e.to_string()).unwrap_or_default(), info.name, info.meaning, info.explanation),
            ),
            Some(Source::Reply(info)) if unexplained_words => (
                format!("Unclear: {} usually means \u{201c}{}\u{201d}, but the words say more", info.code, cat_info.title.to_lowercase()),
                format!("{} ({}): {} The rest of the text is wording bouncelens does not recognise, and servers use this code for many causes, so it is not enough to suppress the address: read the text, or look for its enhanced code.", info.code, info.name, info.meaning),
            ),
            Some(Source::Reply(info)) => (cat_info.title.clone(), format!("{} ({}): {} {}", info.code, info.name, info.meaning, info.explanation)),
            Some(Source::Model) => (
                cat_info.title.clone(),
                if model_words.is_empty() {
                    format!("No rule of bouncelens matched this wording; its word model, trained on real bounce texts, reads it as this cause from its code and wording. {}", cat_info.explanation)
                } else {
                    format!("No rule of bouncelens matched this wording; its word model, trained on real bounce texts, reads it as this cause from the words {}. {}", model_words.iter().map(|w| format!("\u{201c}{w}\u{201d}")).collect::<Vec<_>>().join(", "), cat_info.explanation)
                },
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
            Some(Source::Rule { rule: r, .. }) => r.provider_note.clone(),
            Some(Source::Enhanced(i)) => i.note.clone(),
            Some(Source::Reply(i)) => i.note.clone(),
            Some(Source::Model) | None => None,
        };

        // Evidence, in the order of the text.
        let mut evidence: Vec<Evidence> = vec![];
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
        let decider = match source {
            Some(Source::Rule { order, .. }) => Some(order),
            _ => None,
        };
        let mut ordered: Vec<usize> = applicable.iter().map(|&(i, _)| i).filter(|&i| k.rules[i].category == category).collect();
        ordered.sort_by_key(|&i| Some(i) != decider);
        for i in ordered.into_iter().take(3) {
            let r = &k.rules[i];
            let signal = match r.origin {
                crate::knowledge::RuleOrigin::User => format!("your rule: {}", r.title),
                crate::knowledge::RuleOrigin::BuiltIn => format!("wording: {}", r.title),
            };
            match self.rule_regex(i).and_then(|re| re.find(bytes)) {
                Some(m) => evidence.push(span(text, m.start()..m.end(), signal)),
                None => {
                    let codes: Vec<String> = r.codes.iter().map(|c| c.to_string()).collect();
                    evidence.push(Evidence { text: codes.join(", "), start: None, end: None, signal: format!("code known for {}", r.title) });
                }
            }
        }
        let lower = text.to_lowercase();
        for w in &model_words {
            // Word features are lower case; find the first one in the text to mark it.
            let first = w.split(' ').next().unwrap_or(w);
            match lower.find(first) {
                Some(i) if lower.len() == text.len() => evidence.push(span(text, i..i + w.len().min(text.len() - i), format!("word model: \u{201c}{w}\u{201d}"))),
                _ => evidence.push(Evidence { text: w.clone(), start: None, end: None, signal: "word model".into() }),
            }
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

        let decided_by = source.map(|s| match s {
            Source::Rule { rule: r, .. } => DecidedBy::Rule(r.id.clone()),
            Source::Enhanced(_) => DecidedBy::Enhanced(enhanced.expect("an enhanced candidate has its code")),
            Source::Reply(i) => DecidedBy::Reply(i.code),
            Source::Model => DecidedBy::WordModel,
        });

        let mut verdict = Verdict {
            reply_code: reply,
            enhanced_code: enhanced,
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
            alternative,
            diagnostic: text.to_string(),
        };
        // X.1.7 and X.1.8 are the sender's mailbox and system (RFC 3463): the refused address
        // is the sender's, whatever the words call it.
        let sender_code = enhanced.is_some_and(|e| e.subject == 1 && matches!(e.detail, 7 | 8));
        if sender_code || subject::about_the_sender(text) {
            self.about_the_sender(&mut verdict, SenderEvidence::Wording);
        }
        verdict
    }

    /// A refusal about the sender, whatever it says about an address: the address it finds
    /// unknown, invalid or unroutable is the sender's, the disabled account is the sending
    /// one. Causes that describe the recipient's address or mailbox become "your sender
    /// address was refused". So does an unexplained policy refusal of the `MAIL FROM` command
    /// ("Access denied"): it refuses that sender address. When only the words name the
    /// sender, a policy stays a policy (the recipient side's rule about senders, such as
    /// "Sender address rejected: Access denied"), and every other precise cause (reputation, a
    /// blocklist, authentication...) stays in both cases.
    pub fn about_the_sender(&self, v: &mut Verdict, evidence: SenderEvidence) {
        let recipient_cause = matches!(
            v.category,
            Category::InvalidRecipient
                | Category::InvalidAddressSyntax
                | Category::InvalidDomain
                | Category::MailboxDisabled
                | Category::MailboxUnavailable
                | Category::MailboxFull
                | Category::MailboxMoved
        );
        let policy_at_mail_from = v.category == Category::Policy && evidence == SenderEvidence::MailFrom;
        if !(recipient_cause || policy_at_mail_from) {
            return;
        }
        let class = if v.class == Class::Temporary { Class::Temporary } else { Class::Permanent };
        let before = v.decided_by.take().unwrap_or(DecidedBy::ReportFormat);
        let by = match evidence {
            SenderEvidence::MailFrom => DecidedBy::RefusedAtMailFrom(Box::new(before)),
            SenderEvidence::Wording => DecidedBy::SenderNamed(Box::new(before)),
        };
        self.recast(v, Category::SenderConfig, class, by, Words::Rule("generic.sender-invalid"));
        v.explanation.push_str(match evidence {
            SenderEvidence::MailFrom => " The server gave this answer to the MAIL FROM command, which carries the sender address, so the address it refused is yours.",
            SenderEvidence::Wording => " The reply says the address, domain or name it refused is the sender's, so the problem is yours to fix, not the recipient's.",
        });
    }

    /// The word model's reading of a text, when it is sure enough: the cause, its
    /// probability and the words behind it. A text of fewer than two words the model knows is
    /// left alone.
    fn model_reading(&self, text: &str) -> Option<(Category, f32, Vec<String>)> {
        let model = self.model?;
        let p = model.predict(text);
        let (c, prob) = *p.ranked.first()?;
        if prob < self.model_threshold || p.top_features.len() < 2 {
            return None;
        }
        let cat = Category::from_id(&model.classes[c])?;
        (cat != Category::Unknown).then_some((cat, prob, p.top_features))
    }

    /// Sets the cause of a verdict after classification (a report format that establishes it,
    /// a refusal at `MAIL FROM`, a complaint event, a platform's label): the class, bounce
    /// type, action, owner and words that go with the cause, from one place.
    pub fn recast(&self, v: &mut Verdict, category: Category, class: Class, decided_by: DecidedBy, words: Words) {
        let k = self.knowledge;
        let info = k.category(category);
        let class = match category {
            Category::Accepted | Category::AutoReply => Class::Success,
            _ if class == Class::Success => category.default_class(),
            _ => class,
        };
        v.category = category;
        v.class = class;
        v.bounce_type = category.bounce_type(class);
        v.action = category.default_action(class);
        v.owner = category.owner();
        let rule = match words {
            Words::Rule(id) => k.rule(id),
            Words::Category => None,
        };
        v.summary = rule.map(|r| r.title.clone()).unwrap_or_else(|| info.title.clone());
        v.explanation = rule.map(|r| r.explanation.clone()).unwrap_or_else(|| info.explanation.clone());
        v.advice = rule.and_then(|r| r.advice.clone()).unwrap_or_else(|| match class {
            Class::Temporary => info.advice_temporary.clone().unwrap_or_else(|| info.advice.clone()),
            _ => info.advice.clone(),
        });
        v.escalation = rule.and_then(|r| r.escalation.clone()).or_else(|| info.escalation.clone());
        v.decided_by = Some(decided_by);
        v.alternative = None;
    }

    /// The verdict a cause gives on its own (a reference page of the cause): the words of its
    /// category, decided by nothing in particular.
    pub fn verdict_for(&self, category: Category, class: Class) -> Verdict {
        let mut v = self.classify("", &Hints::default());
        self.recast(&mut v, category, class, DecidedBy::ReportFormat, Words::Category);
        v.decided_by = None;
        v.confidence = Confidence::High;
        v
    }

    /// What an email platform's bounce label implies: the cause (`Unknown` when the label
    /// only says hard or soft) and the kind of event the platform meant.
    pub fn label_meaning(&self, label: &str) -> Option<(Category, BounceType)> {
        let first = *self.labels.matches(label.as_bytes()).first()?;
        let l = &self.knowledge.labels[first];
        Some((l.category, l.kind))
    }

    /// A verdict from a platform's label alone (the export had no server reply).
    pub fn verdict_from_label(&self, label: &str) -> Option<Verdict> {
        let (category, kind) = self.label_meaning(label)?;
        let class = match kind {
            BounceType::Soft => Class::Temporary,
            BounceType::AutoReply => Class::Success,
            _ => Class::Permanent,
        };
        let mut v = self.classify("", &Hints::default());
        self.recast(&mut v, category, class, DecidedBy::PlatformLabel, Words::Category);
        let label = label.trim();
        if category == Category::Unknown {
            // Only "hard" or "soft": follow the platform, but say the reason is unknown.
            let (action, owner) = match kind {
                BounceType::Hard => (Action::Suppress, Owner::ListQuality),
                BounceType::Soft => (Action::Retry, Owner::RecipientSide),
                _ => (Action::Investigate, Owner::None),
            };
            v.action = action;
            v.owner = owner;
            v.bounce_type = kind;
            v.summary = format!("Labelled \"{label}\" by the platform, without the server's reply");
        }
        v.confidence = Confidence::Low;
        v.explanation = format!(
            "The export gives only the platform's label \"{label}\", not the receiving server's reply, so bouncelens goes by the label. {}",
            if category == Category::Unknown { "The real cause cannot be told from it." } else { self.knowledge.category(category).explanation.as_str() }
        );
        v.evidence = vec![Evidence { text: label.to_string(), start: None, end: None, signal: "the platform's bounce label".into() }];
        Some(v)
    }

    /// Which provider a reply comes from (see [`provider`]): markers in the text, then the
    /// answering server, then the recipient's domain.
    pub fn identify_provider(&self, text: &str, remote_mta: Option<&str>, recipient: Option<&str>) -> Option<&'static ProviderInfo> {
        self.providers.identify(text, remote_mta, recipient)
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

/// The provider id of the provider hosting a recipient's domain, if the base knows it.
pub fn provider_of_recipient(recipient: &str) -> Option<ProviderId> {
    Classifier::get().identify_provider("", None, Some(recipient)).map(|p| p.id.clone())
}

#[cfg(test)]
mod tests;
