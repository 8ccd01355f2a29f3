//! Start-up cost of the analysis core: what the Web Worker does before it can answer its first
//! paste (building the knowledge and the classifier, then the first analysis, whose built-in
//! regexes compile on first use). `cargo run --release --example startup`; printed, not asserted.

const REPLY: &str = "550 5.1.1 <a@b.com>: Recipient address rejected: User unknown in virtual mailbox table";

fn main() {
    let t = std::time::Instant::now();
    let k = bouncelens::knowledge::Knowledge::get();
    let knowledge = t.elapsed();
    let t = std::time::Instant::now();
    let _ = bouncelens::Classifier::get();
    let classifier = t.elapsed();
    let t = std::time::Instant::now();
    let first = bouncelens::paste::analyze(REPLY);
    let paste = t.elapsed();
    assert_eq!(first.records.len(), 1);
    println!("cold start: knowledge {knowledge:?} ({} rules), classifier {classifier:?}, first paste {paste:?}, in all {:?}", k.rules.len(), knowledge + classifier + paste);
    let mut best = std::time::Duration::MAX;
    for _ in 0..5 {
        let t = std::time::Instant::now();
        let _ = bouncelens::paste::analyze(REPLY);
        best = best.min(t.elapsed());
    }
    println!("a warm paste: {best:?} (best of 5)");
}
