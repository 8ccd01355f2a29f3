//! Storage and loading figures of the history (printed, not asserted): 10 generated exports of
//! 1M rows each are analysed, summarised (`ExportSummary`), written as bytes (what the CLI keeps
//! in SQLite) and as JSON (what the app keeps in IndexedDB), then read back and turned into the
//! history's insights. Run with `cargo bench --bench history` (EXPORTS and ROWS override the
//! defaults).

use bouncelens::batch::generate::{generate, Layout, Spec};
use bouncelens::batch::history::{ExportSummary, History};
use bouncelens::batch::{feed_reader, Options, Session};
use std::time::Instant;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|kb| kb.parse::<f64>().ok()))
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn main() {
    let (exports, rows) = (env("EXPORTS", 10), env("ROWS", 1_000_000));
    let mut stored: Vec<Vec<u8>> = vec![];
    let (mut json_total, mut summarise) = (0usize, 0.0f64);
    let mut addresses = 0usize;
    for seed in 1..=exports as u64 {
        let bytes = generate(&Spec { layout: Layout::Generic, rows, seed, campaigns: 6 });
        let mut s = Session::new(Options { sent: Some(rows as u64 * 20), mapping: None });
        s.expect_bytes(bytes.len() as u64);
        feed_reader(&mut s, "export.csv", &bytes[..], 4 << 20).unwrap();
        let t = Instant::now();
        let summary = ExportSummary::from_session(&s, "2026-01-01 00:00:00 UTC");
        let built = t.elapsed().as_secs_f64();
        let b = summary.to_bytes();
        println!("  summary built in {built:.2} s, bytes in {:.2} s", t.elapsed().as_secs_f64() - built);
        summarise += t.elapsed().as_secs_f64();
        json_total += serde_json::to_vec(&summary).unwrap().len();
        addresses += summary.addresses.len();
        println!("export {seed}: {} rows, {} addresses, {} cells: {:.1} MB as bytes, CSV was {:.1} MB", summary.rows, summary.addresses.len(), summary.cells.len(), b.len() as f64 / 1e6, bytes.len() as f64 / 1e6);
        stored.push(b);
    }
    let total: usize = stored.iter().map(|b| b.len()).sum();
    println!("{exports} exports of {rows} rows ({addresses} address entries): {:.1} MB as bytes (deflated JSON), {:.1} MB as JSON; summarising took {:.2} s in all", total as f64 / 1e6, json_total as f64 / 1e6, summarise);
    let mut best = f64::MAX;
    let mut insights = None;
    for _ in 0..3 {
        let t = Instant::now();
        let (h, errors) = History::from_bytes(stored.iter().map(|b| b.as_slice()));
        assert!(errors.is_empty());
        let load = t.elapsed().as_secs_f64();
        let i = h.insights();
        let all = t.elapsed().as_secs_f64();
        if all < best {
            best = all;
            println!("loading the {exports} summaries: {load:.2} s; with the alerts, trends and comparison: {all:.2} s (one core)");
        }
        insights = Some(i);
    }
    let i = insights.unwrap();
    println!("history: {} alerts, {} trend points, {} changes; peak memory {:.0} MB", i.alerts.len(), i.trend.len(), i.changes.len(), peak_rss_mb());
}
