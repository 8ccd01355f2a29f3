//! Scoring bouncelens on the labelled corpus (tests/corpus/README.md): shared by the floor test
//! (`tests/corpus.rs`, working part only) and the scorer (`cargo bench --bench corpus`, both
//! parts). Each text is analysed as the Paste view analyses it.

#![allow(dead_code)]

use bouncelens::model::{Action, Category, Class, Confidence, Id, Verdict};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Clone, Debug, Deserialize)]
pub struct Entry {
    pub text: String,
    pub kind: String,
    pub lang: String,
    pub origin: String,
    pub provider: Option<String>,
    pub source: String,
    pub group: String,
    pub meaning: String,
    pub category: String,
    pub class: String,
    pub action: String,
    pub basis: String,
}

/// The entries of one part (`working` or `sealed`).
pub fn load(part: &str) -> Vec<Entry> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus").join(part);
    let mut names: Vec<_> = std::fs::read_dir(&dir).map(|rd| rd.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    names.sort();
    let mut out = vec![];
    for p in names.into_iter().filter(|p| p.extension().is_some_and(|x| x == "jsonl")) {
        let text = std::fs::read_to_string(&p).expect("corpus file readable");
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            out.push(serde_json::from_str(line).unwrap_or_else(|e| panic!("{}:{}: {e}", p.display(), i + 1)));
        }
    }
    out
}

/// What bouncelens said about one entry.
pub struct Outcome {
    pub verdict: Verdict,
    /// How many cards the text gave (1 is right: every entry is one message).
    pub cards: usize,
}

/// Classifies a text as one reply with a given classifier (for cross-validating the word
/// model: the Paste view's own path always uses the built-in one).
pub fn run_with(c: &bouncelens::Classifier, e: &Entry) -> Outcome {
    Outcome { verdict: c.classify(&e.text, &bouncelens::Hints::default()), cards: 1 }
}

/// Analyses a text as the Paste view does; the verdict shown first that names a cause.
pub fn run(e: &Entry) -> Outcome {
    let a = bouncelens::paste::analyze(&e.text);
    let cards = a.records.len();
    let verdict = a
        .records
        .iter()
        .find(|r| r.verdict.category != Category::Unknown)
        .or(a.records.first())
        .map(|r| r.verdict.clone())
        .unwrap_or_else(|| bouncelens::classify(""));
    Outcome { verdict, cards }
}

fn suppresses(action: &str) -> bool {
    matches!(action, "suppress" | "suppress_domain")
}

/// Counts over a set of entries.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub n: usize,
    pub category: usize,
    pub class: usize,
    pub action: usize,
    /// Entries labelled "do not suppress", and those bouncelens told to suppress.
    pub keep: usize,
    pub false_suppress: usize,
    /// Entries labelled "suppress", and those bouncelens did not tell to suppress.
    pub should_suppress: usize,
    pub missed_suppress: usize,
    /// Texts shown as several cards.
    pub split: usize,
    /// Verdicts given with high confidence, and those with the right category.
    pub high: usize,
    pub high_right: usize,
    pub low: usize,
}

impl Tally {
    pub fn add(&mut self, e: &Entry, o: &Outcome) {
        let v = &o.verdict;
        self.n += 1;
        self.category += (v.category.id() == e.category) as usize;
        self.class += (v.class.id() == e.class) as usize;
        self.action += (v.action.id() == e.action) as usize;
        if suppresses(&e.action) {
            self.should_suppress += 1;
            self.missed_suppress += (!v.suppresses()) as usize;
        } else {
            self.keep += 1;
            self.false_suppress += v.suppresses() as usize;
        }
        self.split += (o.cards > 1) as usize;
        match v.confidence {
            Confidence::High => {
                self.high += 1;
                self.high_right += (v.category.id() == e.category) as usize;
            }
            Confidence::Low => self.low += 1,
            Confidence::Medium => {}
        }
    }

    pub fn pct(a: usize, b: usize) -> f64 {
        if b == 0 {
            0.0
        } else {
            100.0 * a as f64 / b as f64
        }
    }
    pub fn category_pct(&self) -> f64 {
        Self::pct(self.category, self.n)
    }
    pub fn action_pct(&self) -> f64 {
        Self::pct(self.action, self.n)
    }
    pub fn false_suppress_pct(&self) -> f64 {
        Self::pct(self.false_suppress, self.keep)
    }
    pub fn missed_suppress_pct(&self) -> f64 {
        Self::pct(self.missed_suppress, self.should_suppress)
    }
    pub fn high_precision(&self) -> f64 {
        Self::pct(self.high_right, self.high)
    }

    pub fn line(&self) -> String {
        format!(
            "{:>5} texts | category {:5.1}% | class {:5.1}% | action {:5.1}% | false suppression {:4.1}% ({}/{}) | missed suppression {:4.1}% ({}/{}) | several cards {:4.1}% | high confidence {} right {:5.1}% | low {}",
            self.n,
            self.category_pct(),
            Self::pct(self.class, self.n),
            self.action_pct(),
            self.false_suppress_pct(),
            self.false_suppress,
            self.keep,
            self.missed_suppress_pct(),
            self.missed_suppress,
            self.should_suppress,
            Self::pct(self.split, self.n),
            self.high,
            self.high_precision(),
            self.low,
        )
    }
}

/// The score of one part: overall and by group, kind and language.
#[derive(Default)]
pub struct Score {
    pub all: Tally,
    pub by_group: BTreeMap<String, Tally>,
    pub by_kind: BTreeMap<String, Tally>,
    pub by_lang: BTreeMap<String, Tally>,
    /// The entries that were wrong, with what bouncelens said (for the working part only).
    pub misses: Vec<(Entry, Verdict, usize)>,
}

pub fn score(entries: &[Entry]) -> Score {
    score_by(entries, run)
}

/// The score of entries analysed by `f`.
pub fn score_by(entries: &[Entry], f: impl Fn(&Entry) -> Outcome) -> Score {
    let mut s = Score::default();
    for e in entries {
        let o = f(e);
        s.all.add(e, &o);
        s.by_group.entry(e.group.clone()).or_default().add(e, &o);
        s.by_kind.entry(e.kind.clone()).or_default().add(e, &o);
        let lang = if e.lang == "en" { "en" } else { "other languages" };
        s.by_lang.entry(lang.to_string()).or_default().add(e, &o);
        let wrong = o.verdict.category.id() != e.category || o.verdict.action.id() != e.action || o.cards > 1;
        if wrong {
            s.misses.push((e.clone(), o.verdict, o.cards));
        }
    }
    s
}

/// A stable fold (0..k) of an entry's source group, so that a group is never split across
/// training and test.
pub fn fold(e: &Entry, k: u64) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in e.group.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h % k
}

/// Cross-validates the word model on the working part: for each fold, a model trained on the
/// other folds (and the rules' examples) classifies the fold. Returns the score with the model
/// and the score of the rules alone, on the same texts.
pub fn cross_validate(entries: &[Entry], k: u64, threshold: f32) -> (Score, Score) {
    use bouncelens::classify::words::WordModel;
    use bouncelens::knowledge::Knowledge;
    let kn = Knowledge::get();
    let rule_examples: Vec<(String, String)> = kn.rules.iter().flat_map(|r| r.examples.iter().map(move |x| (x.clone(), r.category.id().to_string()))).collect();
    let mut with = Score::default();
    let rules_only = bouncelens::Classifier::with_model(kn, None, threshold);
    let mut without = Score::default();
    for f in 0..k {
        let mut train = rule_examples.clone();
        train.extend(entries.iter().filter(|e| fold(e, k) != f).map(|e| (e.text.clone(), e.category.clone())));
        let model: &'static WordModel = Box::leak(Box::new(WordModel::train(&train, 2)));
        let c = bouncelens::Classifier::with_model(kn, Some(model), threshold);
        let test: Vec<Entry> = entries.iter().filter(|e| fold(e, k) == f).cloned().collect();
        merge(&mut with, score_by(&test, |e| run_with(&c, e)));
        merge(&mut without, score_by(&test, |e| run_with(&rules_only, e)));
    }
    (with, without)
}

fn merge(into: &mut Score, s: Score) {
    add(&mut into.all, &s.all);
    for (k, t) in s.by_kind {
        add(into.by_kind.entry(k).or_default(), &t);
    }
    into.misses.extend(s.misses);
}

fn add(a: &mut Tally, b: &Tally) {
    a.n += b.n;
    a.category += b.category;
    a.class += b.class;
    a.action += b.action;
    a.keep += b.keep;
    a.false_suppress += b.false_suppress;
    a.should_suppress += b.should_suppress;
    a.missed_suppress += b.missed_suppress;
    a.split += b.split;
    a.high += b.high;
    a.high_right += b.high_right;
    a.low += b.low;
}

/// Checks that the labels use the taxonomy's ids.
pub fn check_labels(entries: &[Entry]) -> Vec<String> {
    let mut bad = vec![];
    for e in entries {
        if Category::from_id(&e.category).is_none() || Class::from_id(&e.class).is_none() || Action::from_id(&e.action).is_none() {
            bad.push(format!("{}: {}/{}/{}", e.group, e.category, e.class, e.action));
        }
    }
    bad
}
