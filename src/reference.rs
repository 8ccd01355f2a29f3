//! The searchable quick reference over the knowledge base, shared by the Reference view and
//! `bouncelens lookup`: codes ("550", "5.7.26", "550 5.7.26", prefixes while typing), provider
//! words ("421 gmail") and plain words ("dmarc", "mailbox full"). Each page shows the verdict
//! the classifier gives for its code or example, so this module sits above the classifier.

use crate::classify::{extract, Classifier, Hints};
use crate::knowledge::{Digits, Knowledge};
use crate::model::{Category, Id, Verdict};
use crate::smtp::{code::find_codes, CodeRange, EnhancedCode, ReplyCode};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::sync::LazyLock;

/// What kind of reference entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A basic reply code such as 550.
    Basic,
    /// An enhanced status code such as 5.7.26 (class shown as X in the registry).
    Enhanced,
    /// A provider's (or a common) reply recognised by its wording.
    KnownReply,
    /// A cause (category).
    Category,
}

/// One entry of the reference, ready to list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The URL slug: `550`, `X.7.26`, `rule/gmail.unauthenticated`, `category/mailbox_full`.
    pub id: String,
    pub kind: Kind,
    /// What to show as the entry's heading ("550", "5.7.26", "Gmail: ...").
    pub heading: String,
    pub title: String,
    pub provider: Option<crate::model::ProviderId>,
    pub category: Category,
    /// Codes this entry is about (for rules: the codes of their examples and conditions).
    pub codes: Vec<String>,
    #[serde(skip)]
    text: String,
}

/// Every reference entry, built once.
pub fn entries() -> &'static [Entry] {
    static E: LazyLock<Vec<Entry>> = LazyLock::new(build);
    &E
}

fn build() -> Vec<Entry> {
    let k = Knowledge::get();
    let mut out = vec![];
    for r in &k.replies {
        out.push(Entry {
            id: r.code.to_string(),
            kind: Kind::Basic,
            heading: r.code.to_string(),
            title: r.name.clone(),
            provider: None,
            category: r.category,
            codes: vec![r.code.to_string()],
            text: lower(&[&r.code.to_string(), &r.name, &r.meaning, &r.explanation, r.category.label(), r.category.id()]),
        });
    }
    for e in &k.enhanced {
        out.push(Entry {
            id: e.code.to_string(),
            kind: Kind::Enhanced,
            heading: e.code.to_string(),
            title: e.name.clone(),
            provider: None,
            category: e.category,
            codes: vec![e.code.to_string()],
            text: lower(&[&e.code.to_string(), &e.name, &e.meaning, &e.explanation, e.category.label(), e.category.id(), &e.source]),
        });
    }
    for r in &k.rules {
        let mut codes: Vec<String> = r.codes.iter().map(|c| c.to_string()).collect();
        for ex in &r.examples {
            let found = find_codes(&extract::clean(ex).text);
            if let Some((c, _)) = found.reply {
                codes.push(c.to_string());
            }
            if let Some((c, _)) = found.enhanced {
                codes.push(c.to_string());
            }
        }
        codes.sort();
        codes.dedup();
        let provider_name = r.provider.as_ref().map(|p| k.provider_name(p)).unwrap_or_default();
        let mut parts: Vec<&str> = vec![&r.title, &r.explanation, &provider_name, r.category.label(), r.category.id()];
        let joined_codes = codes.join(" ");
        parts.push(&joined_codes);
        for ex in &r.examples {
            parts.push(ex);
        }
        if let Some(a) = &r.advice {
            parts.push(a);
        }
        if let Some(p) = &r.provider {
            parts.push(p.as_str());
        }
        out.push(Entry {
            id: format!("rule/{}", r.id),
            kind: Kind::KnownReply,
            heading: codes.iter().find(|c| c.len() == 3).cloned().unwrap_or_else(|| codes.first().cloned().unwrap_or_default()),
            title: r.title.clone(),
            provider: r.provider.clone(),
            category: r.category,
            codes,
            text: lower(&parts),
        });
    }
    for c in &k.categories {
        out.push(Entry {
            id: format!("category/{}", c.id.id()),
            kind: Kind::Category,
            heading: c.id.label().to_string(),
            title: c.title.clone(),
            provider: None,
            category: c.id,
            codes: vec![],
            text: lower(&[c.id.id(), c.id.label(), &c.title, &c.explanation, &c.advice]),
        });
    }
    out
}

fn lower(parts: &[&str]) -> String {
    let mut s = String::new();
    for p in parts {
        s.push_str(&p.to_lowercase());
        s.push('\n');
    }
    s
}

enum Token {
    Reply(String),
    Enhanced { subject: u16, detail: u16 },
    CodePrefix(String),
    Provider(&'static crate::model::ProviderId),
    Word(String),
}

fn tokens(query: &str) -> Vec<Token> {
    let mut out = vec![];
    for raw in query.split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == '/') {
        let t = raw.trim_matches(|c: char| !c.is_alphanumeric() && c != '.' && c != '-').to_lowercase();
        if t.is_empty() {
            continue;
        }
        if t.parse::<ReplyCode>().is_ok() {
            out.push(Token::Reply(t));
        } else if let Ok(e) = t.parse::<EnhancedCode>() {
            out.push(Token::Enhanced { subject: e.subject, detail: e.detail });
        } else if t.chars().next().is_some_and(|c| c.is_ascii_digit() || c == 'x') && t.chars().all(|c| c.is_ascii_digit() || c == '.' || c == 'x') {
            out.push(Token::CodePrefix(t));
        } else if let Some(p) = Knowledge::get().providers.iter().find(|p| p.aliases.contains(&t)) {
            out.push(Token::Provider(&p.id));
        } else {
            out.push(Token::Word(t));
        }
    }
    out
}

fn code_matches_enhanced(code: &str, subject: u16, detail: u16) -> bool {
    if let Ok(range) = code.parse::<CodeRange>() {
        for class in [0u8, 2, 4, 5] {
            if range.covers(EnhancedCode { class, subject, detail }) {
                return true;
            }
        }
    }
    false
}

/// One search hit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    #[serde(flatten)]
    pub entry: Entry,
    pub score: u32,
}

/// Searches the reference. An empty query lists nothing; results are best first.
pub fn search(query: &str, limit: usize) -> Vec<Hit> {
    let toks = tokens(query);
    if toks.is_empty() {
        return vec![];
    }
    let phrase = query.trim().to_lowercase();
    let mut hits = vec![];
    for e in entries() {
        let mut score = 0u32;
        let mut all = true;
        // Codes combine with OR ("550 5.7.26" lists entries about either, those about both
        // first); words and prefixes must all match; a provider word ranks, it does not filter.
        let mut code_tokens = 0;
        let mut code_hits = 0;
        for t in &toks {
            let s = match t {
                Token::Reply(c) => {
                    if e.kind == Kind::Basic && e.id == *c {
                        30
                    } else if e.codes.iter().any(|x| x == c) {
                        20
                    } else {
                        0
                    }
                }
                Token::Enhanced { subject, detail } => {
                    if e.kind == Kind::Enhanced && e.codes.iter().any(|x| code_matches_enhanced(x, *subject, *detail)) {
                        30
                    } else if e.codes.iter().any(|x| code_matches_enhanced(x, *subject, *detail)) {
                        20
                    } else {
                        0
                    }
                }
                Token::CodePrefix(p) => {
                    let p2 = p.trim_start_matches('x');
                    if e.codes.iter().any(|x| x.to_lowercase().starts_with(p.as_str()) || (p.starts_with('x') && x.to_lowercase().contains(p2))) {
                        8
                    } else {
                        0
                    }
                }
                Token::Provider(p) => {
                    if e.provider.as_ref() == Some(*p) {
                        15
                    } else if e.provider.is_none() && e.text.contains(p.as_str()) {
                        2
                    } else {
                        0
                    }
                }
                Token::Word(w) => {
                    if e.title.to_lowercase().contains(w.as_str()) {
                        6
                    } else if e.text.contains(w.as_str()) {
                        3
                    } else {
                        0
                    }
                }
            };
            match t {
                Token::Reply(_) | Token::Enhanced { .. } => {
                    code_tokens += 1;
                    if s > 0 {
                        code_hits += 1;
                    }
                }
                Token::Provider(_) => {}
                _ if s == 0 => all = false,
                _ => {}
            }
            score += s;
        }
        if code_tokens > 0 && code_hits == 0 {
            all = false;
        }
        if !all || score == 0 {
            continue;
        }
        if toks.len() > 1 && e.text.contains(&phrase) {
            score += 10;
        }
        if e.kind == Kind::Category && toks.iter().all(|t| matches!(t, Token::Word(_))) {
            score += 1;
        }
        hits.push(Hit { entry: e.clone(), score });
    }
    hits.sort_by(|a, b| b.score.cmp(&a.score).then(kind_rank(a.entry.kind).cmp(&kind_rank(b.entry.kind))).then(a.entry.id.cmp(&b.entry.id)));
    hits.truncate(limit);
    hits
}

fn kind_rank(k: Kind) -> u8 {
    match k {
        Kind::Basic => 0,
        Kind::Enhanced => 1,
        Kind::KnownReply => 2,
        Kind::Category => 3,
    }
}

/// A digit of a code and what it means.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DigitPart {
    /// `class`, `subject` or `detail`.
    pub position: Cow<'static, str>,
    pub value: String,
    pub meaning: String,
    /// The reference entry that explains it, where there is one.
    pub link: Option<String>,
}

/// The code breakdown shown under a verdict and on a reference page.
pub fn breakdown_reply(code: ReplyCode) -> Vec<DigitPart> {
    vec![
        DigitPart { position: Cow::Borrowed("class"), value: code.class_digit().to_string(), meaning: Digits::reply_class(code.class_digit()).into(), link: None },
        DigitPart { position: Cow::Borrowed("subject"), value: code.subject_digit().to_string(), meaning: Digits::reply_subject(code.subject_digit()).into(), link: None },
        DigitPart {
            position: Cow::Borrowed("detail"),
            value: code.detail_digit().to_string(),
            meaning: Knowledge::get().reply(code).map(|r| r.name.clone()).unwrap_or_else(|| "Not a registered reply code".into()),
            link: Knowledge::get().reply(code).map(|r| r.code.to_string()),
        },
    ]
}

pub fn breakdown_enhanced(code: EnhancedCode) -> Vec<DigitPart> {
    let k = Knowledge::get();
    let entry = k.enhanced(code);
    vec![
        DigitPart { position: Cow::Borrowed("class"), value: code.class.to_string(), meaning: Digits::enhanced_class(code.class).into(), link: None },
        DigitPart {
            position: Cow::Borrowed("subject"),
            value: code.subject.to_string(),
            meaning: Digits::enhanced_subject(code.subject).into(),
            link: k.enhanced(EnhancedCode { class: 0, subject: code.subject, detail: 0 }).map(|e| e.code.to_string()),
        },
        DigitPart {
            position: Cow::Borrowed("detail"),
            value: code.detail.to_string(),
            meaning: entry.map(|e| e.name.clone()).unwrap_or_else(|| "Not in the registry (a provider's own detail code)".into()),
            link: entry.map(|e| e.code.to_string()),
        },
    ]
}

/// Everything the Reference page shows for one entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Detail {
    pub id: String,
    pub kind: Kind,
    pub heading: String,
    pub title: String,
    pub meaning: Option<String>,
    pub explanation: String,
    pub advice: Option<String>,
    pub escalation: Option<String>,
    pub note: Option<String>,
    pub source: Option<String>,
    pub provider: Option<crate::model::ProviderId>,
    pub provider_name: Option<String>,
    pub examples: Vec<String>,
    pub breakdown: Vec<DigitPart>,
    /// The verdict bouncelens gives for this code or reply on its own.
    pub verdict: Verdict,
    /// Related entries (provider replies that use this code, codes of this category...).
    pub related: Vec<Entry>,
}

/// Resolves a reference id or an exact code ("550", "5.7.26", "X.7.26", "rule/gmail.dmarc",
/// "category/mailbox_full") to its page.
pub fn detail(id: &str) -> Option<Detail> {
    let k = Knowledge::get();
    let id = id.trim();
    let classifier = Classifier::get();
    let related_by_code = |pred: &dyn Fn(&Entry) -> bool| -> Vec<Entry> {
        entries().iter().filter(|e| e.kind == Kind::KnownReply && pred(e)).take(30).cloned().collect()
    };
    if let Ok(code) = id.parse::<ReplyCode>() {
        let r = k.reply(code)?;
        let verdict = classifier.classify(&r.code.to_string(), &Hints::default());
        let c = r.code.to_string();
        return Some(Detail {
            id: c.clone(),
            kind: Kind::Basic,
            heading: c.clone(),
            title: r.name.clone(),
            meaning: Some(r.meaning.clone()),
            explanation: r.explanation.clone(),
            advice: Some(k.category(verdict.category).advice.clone()),
            escalation: r.escalation.clone(),
            note: r.note.clone(),
            source: Some(r.source.clone()),
            provider: None,
            provider_name: None,
            examples: vec![],
            breakdown: breakdown_reply(code),
            verdict,
            related: related_by_code(&|e| e.codes.contains(&c)),
        });
    }
    if let Ok(code) = id.parse::<EnhancedCode>() {
        let e = k.enhanced(code)?;
        let shown = if code.class == 0 { EnhancedCode { class: 5, ..code } } else { code };
        let verdict = classifier.classify(&shown.to_string(), &Hints::default());
        return Some(Detail {
            id: shown.to_string(),
            kind: Kind::Enhanced,
            heading: shown.to_string(),
            title: e.name.clone(),
            meaning: Some(e.meaning.clone()),
            explanation: e.explanation.clone(),
            advice: Some(k.category(verdict.category).advice.clone()),
            escalation: e.escalation.clone(),
            note: e.note.clone(),
            source: Some(e.source.clone()),
            provider: None,
            provider_name: None,
            examples: vec![],
            breakdown: breakdown_enhanced(shown),
            verdict,
            related: related_by_code(&|x| x.codes.iter().any(|c| code_matches_enhanced(c, code.subject, code.detail))),
        });
    }
    if let Some(rid) = id.strip_prefix("rule/") {
        let r = k.rule(rid)?;
        let verdict = match r.examples.first() {
            Some(ex) => classifier.classify(ex, &Hints::default()),
            None => classifier.classify(&r.title, &Hints::default()),
        };
        let entry = entries().iter().find(|e| e.id == format!("rule/{rid}"))?;
        let provider = r.provider.as_ref().and_then(|p| k.provider(p.as_str()));
        return Some(Detail {
            id: entry.id.clone(),
            kind: Kind::KnownReply,
            heading: entry.heading.clone(),
            title: r.title.clone(),
            meaning: None,
            explanation: r.explanation.clone(),
            advice: Some(r.advice.clone().unwrap_or_else(|| k.category(r.category).advice.clone())),
            escalation: r.escalation.clone().or_else(|| k.category(r.category).escalation.clone()),
            note: r.provider_note.clone(),
            source: None,
            provider: r.provider.clone(),
            provider_name: provider.map(|p| p.name.clone()),
            examples: r.examples.clone(),
            breakdown: vec![],
            verdict,
            related: entries()
                .iter()
                .filter(|e| e.kind != Kind::KnownReply && e.codes.iter().any(|c| entry.codes.contains(c)))
                .cloned()
                .collect(),
        });
    }
    if let Some(cid) = id.strip_prefix("category/") {
        let cat = Category::from_id(cid)?;
        let c = k.category(cat);
        return Some(Detail {
            id: format!("category/{cid}"),
            kind: Kind::Category,
            heading: cat.label().to_string(),
            title: c.title.clone(),
            meaning: None,
            explanation: c.explanation.clone(),
            advice: Some(c.advice.clone()),
            escalation: c.escalation.clone(),
            note: None,
            source: None,
            provider: None,
            provider_name: None,
            examples: vec![],
            breakdown: vec![],
            verdict: classifier.verdict_for(cat, cat.default_class()),
            related: entries().iter().filter(|e| e.kind != Kind::Category && e.category == cat).take(40).cloned().collect(),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(q: &str) -> Vec<String> {
        search(q, 10).into_iter().map(|h| h.entry.id).collect()
    }

    #[test]
    fn finds_codes() {
        assert_eq!(top("550")[0], "550");
        assert_eq!(top("5.7.26")[0], "X.7.26");
        let both = top("550 5.7.26");
        assert!(both[0].starts_with("rule/"), "{both:?}");
        assert!(both.iter().any(|x| x == "X.7.26" || x == "550"), "{both:?}");
    }

    #[test]
    fn finds_provider_replies() {
        let r = top("421 gmail");
        assert!(r[0].starts_with("rule/gmail."), "{r:?}");
        let r = top("tss04");
        assert_eq!(r[0], "rule/yahoo.tss04", "{r:?}");
    }

    #[test]
    fn finds_words() {
        let r = top("dmarc");
        assert!(r.iter().any(|x| x == "rule/generic.dmarc"), "{r:?}");
        let r = top("mailbox full");
        assert!(r.iter().take(3).any(|x| x == "X.2.2" || x == "category/mailbox_full" || x == "rule/generic.mailbox-full"), "{r:?}");
    }

    #[test]
    fn prefix_while_typing() {
        let r = top("5.7");
        assert!(!r.is_empty());
        assert!(search("zzzz-nothing", 10).is_empty());
        assert!(search("", 10).is_empty());
    }

    #[test]
    fn details_resolve() {
        assert_eq!(detail("5.7.26").unwrap().verdict.category, Category::Authentication);
        assert_eq!(detail("550").unwrap().heading, "550");
        assert!(detail("rule/gmail.unauthenticated").unwrap().examples.len() >= 2);
        assert!(detail("category/mailbox_full").is_some());
        assert!(detail("nonsense").is_none());
        assert!(detail("5.9.9").is_none());
    }
}
