//! Start-up cost of the analysis core: building the knowledge and the classifier, and the
//! first verdict (what the Web Worker does before it can answer). `cargo run --release
//! --example startup`; printed, not asserted.

fn main() {
    let t = std::time::Instant::now();
    let k = bouncelens::knowledge::Knowledge::get();
    println!("knowledge (built-in data, patterns trusted): {:?}, {} rules", t.elapsed(), k.rules.len());
    let mut best = std::time::Duration::MAX;
    for _ in 0..5 {
        let t = std::time::Instant::now();
        let c = bouncelens::Classifier::new(k);
        let _ = c.classify("550 5.1.1 <a@b.com>: Recipient address rejected: User unknown", &Default::default());
        best = best.min(t.elapsed());
    }
    println!("classifier + first verdict: {best:?} (best of 5)");
}
