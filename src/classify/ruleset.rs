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

use super::literals::required_literals;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::bytes::{RegexSet, RegexSetBuilder};
use regex_automata::meta;
use regex_automata::util::syntax;
use std::sync::OnceLock;

/// A pattern's own regex: the meta engine of the `regex` crate, built without the literal
/// prefilter it would extract from the pattern. The rule set's automaton has already found
/// the pattern's literal in the text, and extracting it again was half the cost of building
/// a pattern's regex (the first paste's verdict spent most of its time there).
pub(super) type Regex = meta::Regex;

mod table {
    /// `(key, literals)` sorted by key; `None` for a pattern without usable literals.
    pub(super) type Entry = ((u64, u32), Option<&'static [&'static [u8]]>);
    include!(concat!(env!("OUT_DIR"), "/rule_literals.rs"));
}

/// The literals `build.rs` extracted for a built-in pattern (`Some(result)`), or `None` if the
/// pattern is not a built-in one.
pub(super) fn built_in(pattern: &str) -> Option<Option<Vec<Vec<u8>>>> {
    let k = super::literals::key(pattern);
    let i = table::LITERALS.binary_search_by(|e| e.0.cmp(&k)).ok()?;
    Some(table::LITERALS[i].1.map(|ls| ls.iter().map(|l| l.to_vec()).collect()))
}

/// Builds a pattern's regex: ASCII case-insensitive, bytes (no Unicode classes), as the
/// knowledge builder checks them.
pub(super) fn build(pattern: &str) -> Option<Regex> {
    meta::Builder::new()
        .configure(
            meta::Config::new()
                .auto_prefilter(false)
                .utf8_empty(false)
                .which_captures(regex_automata::nfa::thompson::WhichCaptures::Implicit)
                .nfa_size_limit(Some(1 << 24)),
        )
        .syntax(syntax::Config::new().case_insensitive(true).unicode(false).utf8(false))
        .build(pattern)
        .ok()
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

impl RuleSet {
    pub(super) fn new(patterns: &[&str]) -> RuleSet {
        let mut lits: Vec<Vec<u8>> = vec![];
        let mut literal_pattern = vec![];
        let mut residual = vec![];
        let mut residual_index = vec![];
        for (i, p) in patterns.iter().enumerate() {
            // The built-in patterns' literals were extracted when the crate was built.
            match built_in(p).unwrap_or_else(|| required_literals(p)) {
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
        self.regexes[i].get_or_init(|| build(&self.patterns[i])).as_ref()
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
