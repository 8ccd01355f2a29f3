//! The literals that every match of a rule pattern must contain, for the rule set's prefilter
//! (see `ruleset`). Extracting them (with `regex-syntax`) for the few hundred built-in patterns
//! was a fifth of the worker's start-up, so `build.rs` runs this same code when the crate is
//! built and compiles the results in; only the user's own patterns are extracted at run time.
//! This file is shared with `build.rs` (`#[path]`): it uses nothing else of the crate.

use regex_syntax::hir::literal::{ExtractKind, Extractor};

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

/// The literals every match of `pattern` must contain (lower-cased), if there are few and
/// long enough ones.
pub fn required_literals(pattern: &str) -> Option<Vec<Vec<u8>>> {
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

/// The key of a pattern in the built-in table: FNV-1a over its bytes, with its length. (A
/// clash would need two of a few hundred patterns to share both; the test-suite checks that
/// the table gives what extraction gives, for every built-in pattern.)
pub fn key(pattern: &str) -> (u64, u32) {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in pattern.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h, pattern.len() as u32)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_built_in_table_gives_what_extraction_gives() {
        let k = crate::knowledge::Knowledge::get();
        let mut n = 0;
        for p in k.rules.iter().filter_map(|r| r.pattern.as_deref()) {
            assert_eq!(crate::classify::ruleset::built_in(p), Some(super::required_literals(p)), "{p}");
            n += 1;
        }
        let others = k.providers.iter().flat_map(|p| p.markers.iter()).chain(k.labels.iter().map(|l| &l.pattern));
        for p in others {
            assert_eq!(crate::classify::ruleset::built_in(p), Some(super::required_literals(p)), "{p}");
            n += 1;
        }
        assert!(n > 400, "{n} patterns");
        assert_eq!(crate::classify::ruleset::built_in("a pattern nobody wrote"), None);
    }
}
