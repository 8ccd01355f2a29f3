//! The scorer of the labelled corpus: category, class and action accuracy, the two costly
//! errors (false and missed suppressions), texts split into several cards and how right the
//! "high confidence" verdicts are, on the working part and on the sealed part, overall and per
//! kind, language and source group. Only the working part's misses are ever printed
//! (`cargo bench --bench corpus -- --misses`): the sealed part stays unread.

#[path = "../tests/common/corpus.rs"]
mod corpus;

fn main() {
    if std::env::args().any(|a| a == "--cv") {
        // The word model measured on texts it was not trained on (5 folds by source group).
        let entries = corpus::load("working");
        for t in [0.5f32, 0.6, 0.7, 0.8, 0.9] {
            let (with, without) = corpus::cross_validate(&entries, 5, t);
            println!("cv threshold {t}: rules + model {}", with.all.line());
            if t == 0.5 {
                println!("cv               rules only    {}", without.all.line());
            }
        }
        return;
    }
    if std::env::args().any(|a| a == "--track-record") {
        // Each rule's record on the working part, written as knowledge data.
        let mut by: std::collections::BTreeMap<String, (u32, u32)> = Default::default();
        for e in corpus::load("working") {
            let v = corpus::run(&e).verdict;
            let mut d = v.decided_by.as_ref();
            while let Some(bouncelens::model::DecidedBy::RefusedAtMailFrom(inner) | bouncelens::model::DecidedBy::SenderNamed(inner)) = d {
                d = Some(inner);
            }
            if let Some(bouncelens::model::DecidedBy::Rule(id)) = d {
                if id.starts_with("user.") {
                    continue;
                }
                let t = by.entry(id.clone()).or_default();
                t.0 += 1;
                t.1 += (bouncelens::model::Id::id(v.category) == e.category) as u32;
            }
        }
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/knowledge/data/track_record.toml");
        let old = std::fs::read_to_string(path).unwrap_or_default();
        let mut out: String = old.lines().take_while(|l| l.starts_with('#')).map(|l| format!("{l}\n")).collect();
        for (rule, (texts, right)) in &by {
            out.push_str(&format!("\n[[track_record]]\nrule = \"{rule}\"\ntexts = {texts}\nright = {right}\n"));
        }
        std::fs::write(path, out).expect("track_record.toml written");
        println!("{} rules, {} texts written to {path}", by.len(), by.values().map(|t| t.0).sum::<u32>());
        return;
    }
    if std::env::args().any(|a| a == "--calibration") {
        // How right each confidence level is, by what decided the verdict (working part only).
        let mut by: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
        for e in corpus::load("working") {
            let v = corpus::run(&e).verdict;
            let kind = v.decided_by.as_ref().map(|d| d.to_string()).unwrap_or_default();
            let kind = if std::env::args().any(|a| a == "--by-rule") { kind } else { kind.split([':', '.']).next().unwrap_or("").to_string() };
            let key = format!("{:?} {kind} enh={} rc={}", v.confidence, v.enhanced_code.is_some(), v.reply_code.is_some());
            let t = by.entry(key).or_default();
            t.0 += 1;
            t.1 += (bouncelens::model::Id::id(v.category) == e.category) as usize;
        }
        for (k, (n, right)) in by {
            println!("{k:<40} {n:>5} texts {:>6.1}% right", 100.0 * right as f64 / n as f64);
        }
        return;
    }
    let misses = std::env::args().any(|a| a == "--misses");
    let groups = std::env::args().any(|a| a == "--groups");
    // While tuning, only the working part: the sealed part is scored when a piece of work is done.
    let parts: &[&str] = if std::env::args().any(|a| a == "--working") { &["working"] } else { &["working", "sealed"] };
    for &part in parts {
        let entries = corpus::load(part);
        let s = corpus::score(&entries);
        println!("== {part}: {}", s.all.line());
        for (k, t) in &s.by_kind {
            println!("   kind {k:<9} {}", t.line());
        }
        for (k, t) in &s.by_lang {
            println!("   {k:<14} {}", t.line());
        }
        if groups {
            let mut g: Vec<_> = s.by_group.iter().collect();
            g.sort_by(|a, b| a.1.category_pct().total_cmp(&b.1.category_pct()));
            for (k, t) in g {
                println!("   group {k:<40} {}", t.line());
            }
        }
        if misses && part == "working" {
            for (e, v, cards) in &s.misses {
                println!(
                    "MISS [{}] want {}/{}/{} got {}/{}/{} ({:?}, {} cards, by {}): {}",
                    e.group,
                    e.category,
                    e.class,
                    e.action,
                    v.category,
                    v.class,
                    v.action,
                    v.confidence,
                    cards,
                    v.decided_by.as_ref().map(|d| d.to_string()).unwrap_or_default(),
                    e.text.replace('\n', "\\n")
                );
            }
        }
    }
}
