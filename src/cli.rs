//! The command-line interface (native only).

use bouncelens::knowledge::search;
use bouncelens::model::{Id, Record};
use bouncelens::paste;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{self, Read, Write};
use std::path::PathBuf;

const ABOUT: &str = "Explains email bounces in plain language: what happened, whose problem it is and what to do.";

const LONG_ABOUT: &str = "\
bouncelens reads bounce messages (a server reply such as '550 5.1.1 User unknown', a \
multi-line provider reply, or a whole bounce email) and tells you what happened, why, whose \
problem it is and what to do: suppress the address, retry, slow down, or fix your setup.

Everything runs on your machine; nothing is sent anywhere.

Examples:
  bouncelens explain '550 5.1.1 <a@example.com>: Recipient address rejected: User unknown'
  pbpaste | bouncelens explain --format json
  bouncelens lookup 5.7.26
  bouncelens lookup '421 gmail'
  bouncelens analyze bounces/ --format jsonl";

#[derive(Parser)]
#[command(name = "bouncelens", version, about = ABOUT, long_about = LONG_ABOUT)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Explain one or more bounce messages (TEXT, or standard input).
    ///
    /// Each line with an SMTP code, each multi-line reply and each block separated by a blank
    /// line is one message; a whole bounce email is read per failed recipient.
    Explain {
        /// The message. Without it, standard input is read.
        text: Option<String>,
        /// Output format: a readable card, or one JSON object per message.
        #[arg(long, short, value_enum, default_value_t = ExplainFormat::Text)]
        format: ExplainFormat,
    },
    /// Look up a code or a word in the quick reference ("550", "5.7.26", "421 gmail", "dmarc").
    Lookup {
        /// What to look up. Several words are combined.
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = ExplainFormat::Text)]
        format: ExplainFormat,
        /// How many results at most.
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Analyse bounce emails (.eml files, mbox files, folders of them).
    ///
    /// Prints one record per failed recipient.
    Analyze {
        /// Files or folders (folders are walked recursively).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format: JSON Lines (one record per line), one JSON array, or readable text.
        #[arg(long, short, value_enum, default_value_t = AnalyzeFormat::Jsonl)]
        format: AnalyzeFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ExplainFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum AnalyzeFormat {
    Jsonl,
    Json,
    Text,
}

pub fn run() -> i32 {
    let cli = Cli::parse();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let code = match cli.command {
        Command::Explain { text, format } => explain(text, format, &mut out),
        Command::Lookup { query, format, limit } => lookup(&query.join(" "), format, limit, &mut out),
        Command::Analyze { paths, format } => analyze(&paths, format, &mut out),
    };
    let _ = out.flush();
    code
}

fn read_stdin() -> Result<String, String> {
    let mut bytes = vec![];
    io::stdin().read_to_end(&mut bytes).map_err(|e| format!("cannot read standard input: {e}"))?;
    Ok(bouncelens::email::decode_text(&bytes).0)
}

fn explain(text: Option<String>, format: ExplainFormat, out: &mut impl Write) -> i32 {
    let text = match text {
        Some(t) => t,
        None => match read_stdin() {
            Ok(t) => t,
            Err(e) => {
                eprintln!("bouncelens: {e}");
                return 1;
            }
        },
    };
    let analysis = paste::analyze(&text);
    for n in &analysis.notices {
        eprintln!("bouncelens: {n}");
    }
    for (i, r) in analysis.records.iter().enumerate() {
        match format {
            ExplainFormat::Json => {
                let _ = writeln!(out, "{}", serde_json::to_string(r).expect("records serialise"));
            }
            ExplainFormat::Text => {
                let _ = write_card(out, i + 1, r);
            }
        }
    }
    if analysis.records.is_empty() {
        1
    } else {
        0
    }
}

fn wrap(text: &str, indent: usize, width: usize) -> String {
    let mut out = String::new();
    let mut col = indent;
    for word in text.split_whitespace() {
        if col + word.len() + 1 > width && col > indent {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            col = indent;
        } else if col > indent {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += word.chars().count();
    }
    out
}

fn write_card(out: &mut impl Write, n: usize, r: &Record) -> io::Result<()> {
    let v = &r.verdict;
    let head = format!("── {n} ── {} ", r.source.as_deref().unwrap_or(""));
    writeln!(out, "{head}{}", "─".repeat(72usize.saturating_sub(head.chars().count())))?;
    writeln!(out, "{} · {}   [{} confidence]", v.bounce_type.label().to_uppercase(), v.summary, v.confidence.id())?;
    if let Some(rcpt) = &r.recipient {
        writeln!(out, "  Recipient  {rcpt}")?;
    }
    writeln!(out, "  Reply      {}", wrap(&v.diagnostic, 13, 100))?;
    let codes = [v.reply_code.as_deref(), v.enhanced_code.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
    if !codes.is_empty() {
        writeln!(out, "  Codes      {codes}")?;
    }
    writeln!(out, "  Type       {} ({}, {})", v.bounce_type.label(), v.bounce_type.id(), v.class.id())?;
    writeln!(out, "  Cause      {} ({})", v.category.label(), v.category.id())?;
    writeln!(out, "  Action     {} ({})", v.action.label(), v.action.id())?;
    writeln!(out, "  Owner      {} ({})", v.owner.label(), v.owner.id())?;
    if let Some(p) = &v.provider {
        writeln!(out, "  Provider   {p}")?;
    }
    writeln!(out, "  Why        {}", wrap(&v.explanation, 13, 100))?;
    writeln!(out, "  Do now     {}", wrap(&v.advice, 13, 100))?;
    if let Some(e) = &v.escalation {
        writeln!(out, "  If it repeats {}", wrap(e, 16, 100))?;
    }
    if let Some(nt) = &v.provider_note {
        writeln!(out, "  Note       {}", wrap(nt, 13, 100))?;
    }
    if !v.evidence.is_empty() {
        writeln!(out, "  Evidence")?;
        for e in &v.evidence {
            writeln!(out, "    \"{}\" → {}", e.text, e.signal)?;
        }
    }
    writeln!(out)
}

fn lookup(query: &str, format: ExplainFormat, limit: usize, out: &mut impl Write) -> i32 {
    let exact = search::detail(query.trim());
    let hits = search::search(query, limit);
    match format {
        ExplainFormat::Json => {
            let v = serde_json::json!({ "query": query, "entry": exact, "results": hits });
            let _ = writeln!(out, "{}", serde_json::to_string_pretty(&v).expect("serialisable"));
        }
        ExplainFormat::Text => {
            if let Some(d) = &exact {
                let _ = write_detail(out, d);
            }
            if hits.is_empty() && exact.is_none() {
                let _ = writeln!(out, "Nothing found for {query:?}. Try a code (550, 5.7.26), a provider with a code (421 gmail) or a word (dmarc, mailbox full).");
            } else if !hits.is_empty() {
                let _ = writeln!(out, "Results for {query:?}:");
                for h in &hits {
                    let provider = h.entry.provider.as_deref().map(|p| format!(" [{p}]")).unwrap_or_default();
                    let _ = writeln!(out, "  {:<10} {}{}  → {}  (bouncelens lookup {})", h.entry.heading, h.entry.title, provider, h.entry.category.id(), h.entry.id);
                }
            }
        }
    }
    if hits.is_empty() && exact.is_none() {
        1
    } else {
        0
    }
}

fn write_detail(out: &mut impl Write, d: &search::Detail) -> io::Result<()> {
    writeln!(out, "{} — {}", d.heading, d.title)?;
    if let Some(p) = &d.provider_name {
        writeln!(out, "  Provider   {p}")?;
    }
    if let Some(m) = &d.meaning {
        writeln!(out, "  Meaning    {}", wrap(m, 13, 100))?;
    }
    writeln!(out, "  Why        {}", wrap(&d.explanation, 13, 100))?;
    let v = &d.verdict;
    writeln!(out, "  Verdict    {} · {} · {} · {}", v.bounce_type.id(), v.category.id(), v.action.id(), v.owner.id())?;
    if let Some(a) = &d.advice {
        writeln!(out, "  Do now     {}", wrap(a, 13, 100))?;
    }
    if let Some(e) = &d.escalation {
        writeln!(out, "  If it repeats {}", wrap(e, 16, 100))?;
    }
    if let Some(n) = &d.note {
        writeln!(out, "  Note       {}", wrap(n, 13, 100))?;
    }
    for b in &d.breakdown {
        writeln!(out, "  {:<8} {}  {}", b.position, b.value, b.meaning)?;
    }
    for ex in &d.examples {
        writeln!(out, "  Example    {}", wrap(&ex.replace('\n', " "), 13, 100))?;
    }
    if let Some(s) = &d.source {
        writeln!(out, "  Source     {s}")?;
    }
    writeln!(out)
}

fn analyze(paths: &[PathBuf], format: AnalyzeFormat, out: &mut impl Write) -> i32 {
    let mut all: Vec<Record> = vec![];
    let mut failures = 0;
    let mut files = vec![];
    for p in paths {
        collect_files(p, &mut files, &mut failures);
    }
    for f in &files {
        let bytes = match std::fs::read(f) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("bouncelens: cannot read {}: {e}", f.display());
                failures += 1;
                continue;
            }
        };
        let source = f.display().to_string();
        let records = bouncelens::email::analyze_file(&bytes, &source);
        if records.is_empty() {
            eprintln!("bouncelens: {source}: no bounce found");
        }
        match format {
            AnalyzeFormat::Jsonl => {
                for r in &records {
                    let _ = writeln!(out, "{}", serde_json::to_string(r).expect("records serialise"));
                }
            }
            AnalyzeFormat::Text => {
                for r in &records {
                    let _ = write_card(out, all.len() + 1, r);
                    all.push(r.clone());
                }
            }
            AnalyzeFormat::Json => all.extend(records),
        }
    }
    if let AnalyzeFormat::Json = format {
        let _ = writeln!(out, "{}", serde_json::to_string_pretty(&all).expect("records serialise"));
    }
    if failures > 0 {
        1
    } else {
        0
    }
}

fn collect_files(p: &std::path::Path, files: &mut Vec<PathBuf>, failures: &mut usize) {
    match std::fs::metadata(p) {
        Ok(m) if m.is_dir() => {
            let mut entries: Vec<PathBuf> = match std::fs::read_dir(p) {
                Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
                Err(e) => {
                    eprintln!("bouncelens: cannot read folder {}: {e}", p.display());
                    *failures += 1;
                    return;
                }
            };
            entries.sort();
            for e in entries {
                let name = e.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if name.starts_with('.') || name == "labels.json" || name == "LICENSE" {
                    continue;
                }
                collect_files(&e, files, failures);
            }
        }
        Ok(_) => files.push(p.to_path_buf()),
        Err(e) => {
            eprintln!("bouncelens: {}: {e}", p.display());
            *failures += 1;
        }
    }
}
