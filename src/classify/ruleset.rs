//! Finding every wording rule that matches a text, fast on texts never seen before.
//!
//! One `RegexSet` of all the rules is linear-time, but its lazy DFA is built from a very large
//! NFA: on new text it spends its time building states, and when its cache fills it falls back
//! to the much slower PikeVM (bounce emails were decoded at ~600/s that way). Almost every rule
//! pattern starts (or ends) with one of a few words, so instead:
//! 1. each pattern's required literals are extracted (`regex-syntax`): every match of the
//!    pattern starts with one of its prefixes, or ends with one of its suffixes;
//! 2. one Aho-Corasick automaton (ASCII case-insensitive) finds which literals occur;
//! 3. only the patterns whose literal occurred run their own small regex.
//!
//! Patterns without usable literals (rare) stay in a small residual `RegexSet`. The result is
//! exactly the set the single `RegexSet` would give (a test checks it on the knowledge's
//! examples and the labelled sample emails); matching stays linear-time throughout.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::bytes::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use std::sync::OnceLock;

/// Literals shorter than this would match nearly every text: such a pattern is residual.
const MIN_LITERAL: usize = 3;

/// A pattern with more literals than this has them shortened.
const MAX_LITERALS_PER_PATTERN: usize = 64;

/// The literals cut to their first (`prefix`) or last `keep` bytes, without duplicates.
fn shorten(v: &[Vec<u8>], keep: usize, prefix: bool) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = v
        .iter()
        .map(|l| if l.len() <= keep { l.clone() } else if prefix { l[..keep].to_vec() } else { l[l.len() - keep..].to_vec() })
        .collect();
    out.sort();
    out.dedup();
    out
}

pub(super) fn builder(pattern: &str) -> RegexBuilder {
    let mut b = RegexBuilder::new(pattern);
    b.case_insensitive(true).unicode(false).size_limit(1 << 24);
    b
}

pub(super) struct RuleSet {
    patterns: Vec<String>,
    /// Each pattern's own regex, built on first use.
    regexes: Vec<OnceLock<Option<Regex>>>,
    /// All literals of the prefiltered patterns.
    literals: Option<AhoCorasick>,
    /// For each literal of `literals`, the pattern it stands for.
    literal_pattern: Vec<u32>,
    /// Patterns without usable literals, in one set, and their indices.
    residual: Option<RegexSet>,
    residual_index: Vec<u32>,
}

/// The literals every match of `pattern` must contain (lower-cased), if there are few and
/// long enough ones.
fn required_literals(pattern: &str) -> Option<Vec<Vec<u8>>> {
    // Parsed case-sensitively: the literals are then matched ASCII case-insensitively, which
    // covers what the case-insensitive pattern matches (a superset is all a prefilter needs).
    let hir = regex_syntax::ParserBuilder::new().unicode(false).utf8(false).build().parse(pattern).ok()?;
    let mut best: Option<Vec<Vec<u8>>> = None;
    for (kind, prefix) in [(ExtractKind::Prefix, true), (ExtractKind::Suffix, false)] {
        let mut ex = Extractor::new();
        ex.kind(kind).limit_class(4).limit_repeat(4).limit_literal_len(40).limit_total(800);
        let seq = ex.extract(&hir);
        let Some(lits) = seq.literals() else { continue };
        if lits.is_empty() || lits.iter().any(|l| l.as_bytes().len() < MIN_LITERAL) {
            continue;
        }
        let mut v: Vec<Vec<u8>> = lits.iter().map(|l| l.as_bytes().to_ascii_lowercase()).collect();
        v.sort();
        v.dedup();
        // Alternations of optional words give hundreds of long literals per pattern, and the
        // automaton over all of them took most of the start-up time (11,668 literals; the
        // classifier's build and first verdict 75 ms natively). Cut to their first (or last)
        // bytes they are few; the prefilter stays a superset (a shorter literal occurs
        // wherever the longer one does). At 64 per pattern: 55 ms, for 8% fewer emails/s and
        // 17% fewer single replies/s than the full literals (24 per pattern: 51 ms, -30%).
        for keep in [10, 6, MIN_LITERAL] {
            if v.len() <= MAX_LITERALS_PER_PATTERN {
                break;
            }
            v = shorten(&v, keep, prefix);
        }
        // Fewer, longer literals are the better filter.
        let score = |v: &Vec<Vec<u8>>| (v.len(), std::cmp::Reverse(v.iter().map(|l| l.len()).min().unwrap_or(0)));
        if best.as_ref().is_none_or(|b| score(&v) < score(b)) {
            best = Some(v);
        }
    }
    best
}

impl RuleSet {
    pub(super) fn new(patterns: &[&str]) -> RuleSet {
        let mut lits: Vec<Vec<u8>> = vec![];
        let mut literal_pattern = vec![];
        let mut residual = vec![];
        let mut residual_index = vec![];
        for (i, p) in patterns.iter().enumerate() {
            match required_literals(p) {
                Some(ls) => {
                    for l in ls {
                        lits.push(l);
                        literal_pattern.push(i as u32);
                    }
                }
                None => {
                    residual.push(*p);
                    residual_index.push(i as u32);
                }
            }
        }
        let literals = (!lits.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&lits)
                .expect("a few hundred short literals always build")
        });
        let residual = (!residual.is_empty()).then(|| {
            RegexSetBuilder::new(&residual)
                .case_insensitive(true)
                .unicode(false)
                .size_limit(1 << 26)
                .build()
                .expect("rule patterns are checked by the test-suite")
        });
        RuleSet {
            patterns: patterns.iter().map(|p| p.to_string()).collect(),
            regexes: patterns.iter().map(|_| OnceLock::new()).collect(),
            literals,
            literal_pattern,
            residual,
            residual_index,
        }
    }

    /// Pattern `i`'s own regex (None if it does not build, which the test-suite rules out).
    pub(super) fn regex(&self, i: usize) -> Option<&Regex> {
        self.regexes[i].get_or_init(|| builder(&self.patterns[i]).build().ok()).as_ref()
    }

    /// The indices of the patterns that match `hay`, ascending.
    pub(super) fn matches(&self, hay: &[u8]) -> Vec<usize> {
        let mut candidate = vec![false; self.patterns.len()];
        if let Some(ac) = &self.literals {
            for m in ac.find_overlapping_iter(hay) {
                candidate[self.literal_pattern[m.pattern().as_usize()] as usize] = true;
            }
        }
        let mut out: Vec<usize> = candidate
            .iter()
            .enumerate()
            .filter(|&(i, &c)| c && self.regex(i).is_some_and(|re| re.is_match(hay)))
            .map(|(i, _)| i)
            .collect();
        if let Some(set) = &self.residual {
            out.extend(set.matches(hay).iter().map(|j| self.residual_index[j] as usize));
            out.sort_unstable();
        }
        out
    }

    /// How many patterns are prefiltered by literals, and how many are residual.
    #[cfg(test)]
    pub(super) fn split(&self) -> (usize, usize) {
        (self.patterns.len() - self.residual_index.len(), self.residual_index.len())
    }
}
