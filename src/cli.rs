//! The command-line interface (native only).

use bouncelens::model::{Id, Record};
use bouncelens::reference as search;
use bouncelens::paste;
use bouncelens::text::{self, looks_like_email, Container};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

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
  bouncelens analyze bounces/ --format jsonl
  bouncelens analyze export.csv --summary --format text --history ~/.bouncelens.db
  bouncelens analyze export.csv --format html > report.html
  bouncelens analyze export.csv --suppression suppress.csv --suppression-format mailchimp
  bouncelens --rules my-rules.toml explain '550 5.7.1 our relay says no'";

#[derive(Parser)]
#[command(name = "bouncelens", version, about = ABOUT, long_about = LONG_ABOUT)]
struct Cli {
    /// Your own rules: a TOML file of [[rule]] tables in the format of the built-in knowledge,
    /// tried before the built-in rules (the evidence says "your rule: ...").
    #[arg(long, global = true, value_name = "FILE")]
    rules: Option<PathBuf>,
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
    /// Analyse bounce emails and export files.
    ///
    /// Reads .eml files, mbox files, exports of email platforms (CSV, TSV, JSON, JSON Lines,
    /// text with one reply per line, zip archives of those) and folders of them (walked
    /// recursively). Prints one record per failed recipient or analysed row; with --summary,
    /// the totals, the alerts and the action table instead.
    Analyze {
        /// Files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format: JSON Lines (one record per line), a JSON array (or the report with
        /// --summary), CSV (every row with its verdict), or readable text.
        #[arg(long, short, value_enum, default_value_t = AnalyzeFormat::Jsonl)]
        format: AnalyzeFormat,
        /// Print the summary, alerts and action table instead of the records.
        #[arg(long)]
        summary: bool,
        /// How many messages were sent, to compute bounce rates against the usual thresholds.
        #[arg(long)]
        sent: Option<u64>,
        /// A local history file (SQLite, created if missing): the export's aggregates (never
        /// its rows) are added to it, and the alerts across exports and what changed against
        /// the earlier ones are printed with the summary (on standard error with records).
        #[arg(long, value_name = "PATH")]
        history: Option<PathBuf>,
        /// With --format html: show the addresses in the report (left out by default).
        #[arg(long)]
        include_addresses: bool,
        /// Write the suppression list to this file.
        #[arg(long, value_name = "PATH")]
        suppression: Option<PathBuf>,
        /// The import format of the suppression list: a platform (mailchimp, klaviyo, hubspot,
        /// sendgrid, mailgun, postmark, ses, brevo, activecampaign, campaignmonitor, sfmc) or
        /// "bouncelens" for bouncelens's own columns. Default: the platform the export came
        /// from, when its layout was recognised.
        #[arg(long, value_name = "PLATFORM", requires = "suppression")]
        suppression_format: Option<String>,
    },
    /// Show or clean a history file (see analyze --history): list the exports it holds,
    /// forget one, or forget them all.
    History {
        /// The history file.
        path: PathBuf,
        #[command(subcommand)]
        action: Option<HistoryAction>,
    },
    /// Write a realistic test export (for trying the app or measuring speed).
    Generate {
        /// Layout: generic, mailchimp, klaviyo, hubspot, activecampaign, sendgrid, mailgun,
        /// mailgun-events, ses, postmark, brevo, campaignmonitor, sfmc.
        #[arg(long, default_value = "generic")]
        layout: String,
        /// Number of rows.
        #[arg(long, default_value_t = 10_000)]
        rows: usize,
        /// Number of campaigns the rows are spread over.
        #[arg(long, default_value_t = 6)]
        campaigns: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum HistoryAction {
    /// List the stored exports (the default).
    List,
    /// Forget one export, by the id the list shows.
    Forget { id: i64 },
    /// Forget every export.
    ForgetAll,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExplainFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum AnalyzeFormat {
    Jsonl,
    Json,
    Csv,
    Text,
    /// The report to share: one self-contained HTML page (no address unless
    /// --include-addresses).
    Html,
}

/// Runs the command line and returns the process's exit code: 0 when all went well, 1 when
/// something was not found or could not be read, 2 for an error that stopped the command.
/// Output to a closed pipe (`bouncelens analyze big.csv | head`) ends the command quietly.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    if let Some(path) = &cli.rules {
        if let Err(e) = install_rules(path) {
            eprintln!("bouncelens: {e}");
            return ExitCode::from(2);
        }
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = dispatch(cli.command, &mut out).and_then(|code| out.flush().map(|_| code));
    match result {
        Ok(code) => code,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bouncelens: {e}");
            ExitCode::from(2)
        }
    }
}

/// Reads the user's rules; the error names the file, the line and the problem.
fn install_rules(path: &std::path::Path) -> Result<usize, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the rules file {}: {e}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{}: the rules file is not UTF-8 text", path.display()))?;
    bouncelens::classify::install_user_rules(&path.display().to_string(), &text).map_err(|e| e.to_string())
}

fn dispatch(command: Command, out: &mut impl Write) -> io::Result<ExitCode> {
    match command {
        Command::Explain { text, format } => explain(text, format, out),
        Command::Lookup { query, format, limit } => lookup(&query.join(" "), format, limit, out),
        Command::Analyze { paths, format, summary, sent, history, include_addresses, suppression, suppression_format } => {
            let opts = AnalyzeOptions { format, summary, sent, history, include_addresses, suppression, suppression_format };
            analyze(&paths, &opts, out)
        }
        Command::History { path, action } => history_command(&path, action.unwrap_or(HistoryAction::List), out),
        Command::Generate { layout, rows, campaigns, seed } => match bouncelens::batch::generate::Layout::from_name(&layout) {
            Some(layout) => {
                let spec = bouncelens::batch::generate::Spec { layout, rows, seed, campaigns };
                bouncelens::batch::generate::write(&spec, out)?;
                Ok(ExitCode::SUCCESS)
            }
            None => {
                eprintln!("bouncelens: unknown layout {layout:?}");
                Ok(ExitCode::from(2))
            }
        },
    }
}

/// 0 when nothing failed, 1 otherwise.
fn code(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn read_stdin() -> io::Result<String> {
    let mut bytes = vec![];
    io::stdin().read_to_end(&mut bytes).map_err(|e| io::Error::new(e.kind(), format!("cannot read standard input: {e}")))?;
    Ok(text::decode(&bytes).0)
}

fn explain(text: Option<String>, format: ExplainFormat, out: &mut impl Write) -> io::Result<ExitCode> {
    let text = match text {
        Some(t) => t,
        None => read_stdin()?,
    };
    let analysis = paste::analyze(&text);
    for n in &analysis.notices {
        eprintln!("bouncelens: {n}");
    }
    for (i, r) in analysis.records.iter().enumerate() {
        match format {
            ExplainFormat::Json => writeln!(out, "{}", json(r))?,
            ExplainFormat::Text => write_card(out, i + 1, r)?,
        }
    }
    Ok(code(!analysis.records.is_empty()))
}

/// A record as one line of JSON (records always serialise: their fields are plain data).
fn json(r: &impl serde::Serialize) -> String {
    serde_json::to_string(r).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
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
    let codes = [v.reply_code.map(|c| c.to_string()), v.enhanced_code.map(|c| c.to_string())].into_iter().flatten().collect::<Vec<_>>().join(" ");
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

fn lookup(query: &str, format: ExplainFormat, limit: usize, out: &mut impl Write) -> io::Result<ExitCode> {
    let exact = search::detail(query.trim());
    let hits = search::search(query, limit);
    match format {
        ExplainFormat::Json => {
            let v = serde_json::json!({ "query": query, "entry": exact, "results": hits });
            writeln!(out, "{}", serde_json::to_string_pretty(&v).unwrap_or_default())?;
        }
        ExplainFormat::Text => {
            if let Some(d) = &exact {
                write_detail(out, d)?;
            }
            if hits.is_empty() && exact.is_none() {
                writeln!(out, "Nothing found for {query:?}. Try a code (550, 5.7.26), a provider with a code (421 gmail) or a word (dmarc, mailbox full).")?;
            } else if !hits.is_empty() {
                writeln!(out, "Results for {query:?}:")?;
                for h in &hits {
                    let provider = h.entry.provider.as_ref().map(|p| format!(" [{p}]")).unwrap_or_default();
                    writeln!(out, "  {:<10} {}{}  → {}  (bouncelens lookup {})", h.entry.heading, h.entry.title, provider, h.entry.category.id(), h.entry.id)?;
                }
            }
        }
    }
    Ok(code(!(hits.is_empty() && exact.is_none())))
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

struct AnalyzeOptions {
    format: AnalyzeFormat,
    summary: bool,
    sent: Option<u64>,
    history: Option<PathBuf>,
    include_addresses: bool,
    suppression: Option<PathBuf>,
    suppression_format: Option<String>,
}

/// Now, as "2026-05-01 10:00:00 UTC".
fn now() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    bouncelens::batch::epoch_to_iso(&secs.to_string()).unwrap_or_else(|| secs.to_string())
}

/// The suppression format asked for: a platform, bouncelens's own columns (`None`), or the
/// export's platform by default.
fn suppression_platform(asked: Option<&str>, session: &bouncelens::batch::Session) -> Result<Option<&'static bouncelens::knowledge::Platform>, String> {
    use bouncelens::batch::suppression;
    match asked.map(|a| a.trim().to_ascii_lowercase()) {
        None => Ok(suppression::detected_platform(session)),
        Some(a) if a == "bouncelens" || a == "generic" => Ok(None),
        Some(a) => suppression::platform(&a).map(Some).ok_or_else(|| {
            let ids: Vec<&str> = suppression::platforms().iter().map(|p| p.id.as_str()).collect();
            format!("unknown suppression format {a:?}: use one of {}, or bouncelens", ids.join(", "))
        }),
    }
}

fn analyze(paths: &[PathBuf], opts: &AnalyzeOptions, out: &mut impl Write) -> io::Result<ExitCode> {
    use bouncelens::batch::{self, Session};
    let (format, summary, sent) = (opts.format, opts.summary || opts.format == AnalyzeFormat::Html, opts.sent);
    // Everything must go through the session when it is summarised, stored or suppressed.
    let whole = summary || opts.history.is_some() || opts.suppression.is_some();
    // The history is opened first: a file that cannot be used stops before the analysis.
    let store = match &opts.history {
        Some(p) => match batch::store::Store::open(p) {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("bouncelens: {e}");
                return Ok(ExitCode::from(2));
            }
        },
        None => None,
    };
    let mut failures = 0;
    let mut files = vec![];
    for p in paths {
        collect_files(p, &mut files, &mut failures, true);
    }
    let mut all: Vec<Record> = vec![];
    let mut session = Session::new(batch::Options { sent, mapping: None });
    let mut n_cards = 0;
    for f in &files {
        let source = f.display().to_string();
        let mut head = [0u8; 65536];
        let n = match std::fs::File::open(f).and_then(|mut h| read_head(&mut h, &mut head)) {
            Ok(n) => n,
            Err(e) => {
                eprintln!("bouncelens: cannot read {source}: {e}");
                failures += 1;
                continue;
            }
        };
        let head = &head[..n];
        let (text_head, _) = text::decode(head);
        let container = text::container(head);
        let is_email = container == Container::Plain && (head.starts_with(b"From ") || looks_like_email(&text_head) || source.to_ascii_lowercase().ends_with(".eml"));
        if is_email && !whole && format != AnalyzeFormat::Csv {
            let bytes = match std::fs::read(f) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("bouncelens: cannot read {source}: {e}");
                    failures += 1;
                    continue;
                }
            };
            let reading = bouncelens::email::read_file(&bytes, &source);
            for n in &reading.notes {
                eprintln!("bouncelens: {n}");
            }
            let records = reading.records;
            if records.is_empty() {
                eprintln!("bouncelens: {source}: no bounce found");
                failures += 1;
            }
            for r in records {
                match format {
                    AnalyzeFormat::Jsonl => writeln!(out, "{}", json(&r))?,
                    AnalyzeFormat::Text => {
                        n_cards += 1;
                        write_card(out, n_cards, &r)?;
                    }
                    _ => all.push(r),
                }
            }
            continue;
        }
        if let Ok(m) = std::fs::metadata(f) {
            session.expect_bytes(m.len());
        }
        let result = std::fs::File::open(f).and_then(|file| {
            batch::feed_any(&mut session, &source, std::io::BufReader::new(file), 1 << 20)
        });
        if let Err(e) = result {
            eprintln!("bouncelens: cannot read {source}: {e}");
            failures += 1;
        }
    }
    for f in &session.files {
        if let Some(p) = &f.problem {
            // A file of which nothing could be analysed is one that "could not be read".
            eprintln!("bouncelens: {}: {p}", f.name);
            failures += 1;
        }
        for n in &f.notes {
            eprintln!("bouncelens: {}: {n}", f.name);
        }
    }
    if session.bad_count > 0 {
        eprintln!("bouncelens: {} row(s) could not be read or analysed (see --summary for the list)", session.bad_count);
    }
    if let Some(path) = &opts.suppression {
        let platform = match suppression_platform(opts.suppression_format.as_deref(), &session) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("bouncelens: {e}");
                return Ok(ExitCode::from(2));
            }
        };
        let written = std::fs::File::create(path).and_then(|f| {
            let mut w = io::BufWriter::new(f);
            let n = batch::suppression::write(&session, platform, &mut w)?;
            w.flush().map(|_| n)
        });
        match written {
            Ok(n) => {
                let what = platform.map(|p| format!("in {}'s import format", p.name)).unwrap_or_else(|| "in bouncelens's columns".into());
                eprintln!("bouncelens: {n} address(es) to suppress written to {} {what}", path.display());
                if let Some(p) = platform {
                    eprintln!("bouncelens: to import it into {}:", p.name);
                    for (i, step) in p.suppression.steps.iter().enumerate() {
                        eprintln!("  {}. {step}", i + 1);
                    }
                    if let Some(n) = &p.suppression.note {
                        eprintln!("  Note: {n}");
                    }
                    eprintln!("  (documented at {})", p.suppression.source);
                }
            }
            Err(e) => {
                eprintln!("bouncelens: cannot write {}: {e}", path.display());
                failures += 1;
            }
        }
    }
    let insights = match &store {
        Some(store) => match add_to_history(store, &session) {
            Ok(i) => Some(i),
            Err(e) => {
                eprintln!("bouncelens: {e}");
                return Ok(ExitCode::from(2));
            }
        },
        None => None,
    };
    if summary {
        let report = session.report();
        match format {
            AnalyzeFormat::Text => {
                write_report(out, &report)?;
                if let Some(i) = &insights {
                    write_insights(out, i)?;
                }
            }
            AnalyzeFormat::Html => {
                let opts = batch::share::ShareOptions { include_addresses: opts.include_addresses, title: None, generated: Some(now()) };
                out.write_all(batch::share::html_report(&report, insights.as_ref(), &opts).as_bytes())?;
            }
            _ => {
                let mut v = serde_json::to_value(&report).map_err(io::Error::other)?;
                if let (Some(i), Some(obj)) = (&insights, v.as_object_mut()) {
                    obj.insert("history".into(), serde_json::to_value(i).map_err(io::Error::other)?);
                }
                serde_json::to_writer_pretty(&mut *out, &v).map_err(io::Error::other)?;
                writeln!(out)?;
            }
        }
        return Ok(code(failures == 0));
    }
    if let Some(i) = &insights {
        let mut text = vec![];
        write_insights(&mut text, i)?;
        eprint!("{}", String::from_utf8_lossy(&text));
    }
    match format {
        AnalyzeFormat::Csv => {
            batch::export::rows_csv(&session, out, None)?;
        }
        _ => {
            for r in &session.rows {
                let v = session.row_view(r);
                let rec = Record {
                    recipient: Some(v.address.clone()),
                    verdict: session.verdict(r).clone(),
                    source: Some(v.source.clone()),
                    context: bouncelens::model::Context {
                        date: (!v.date.is_empty()).then(|| v.date.clone()),
                        campaign: (!v.campaign.is_empty()).then(|| v.campaign.clone()),
                        vendor_label: (!v.label.is_empty()).then(|| v.label.clone()),
                        ..Default::default()
                    },
                };
                match format {
                    AnalyzeFormat::Jsonl => writeln!(out, "{}", json(&rec))?,
                    AnalyzeFormat::Text => {
                        n_cards += 1;
                        write_card(out, n_cards, &rec)?;
                    }
                    _ => all.push(rec),
                }
            }
        }
    }
    if format == AnalyzeFormat::Json {
        writeln!(out, "{}", serde_json::to_string_pretty(&all).unwrap_or_default())?;
    }
    Ok(code(failures == 0))
}

/// Adds the session's aggregates to the history and reads what the history says.
fn add_to_history(store: &bouncelens::batch::store::Store, session: &bouncelens::batch::Session) -> Result<bouncelens::batch::history::Insights, String> {
    use bouncelens::batch::history::ExportSummary;
    use bouncelens::batch::store::Added;
    if session.rows.is_empty() {
        eprintln!("bouncelens: nothing was analysed, so nothing was added to the history");
    } else {
        let summary = ExportSummary::from_session(session, &now());
        match store.add(&summary)? {
            Added::New(id) => eprintln!("bouncelens: added to the history as export {id}"),
            Added::Replaced(id) => eprintln!("bouncelens: this export was already in the history (export {id}); it was replaced"),
        }
    }
    let (history, bad) = store.history()?;
    for b in bad {
        eprintln!("bouncelens: history: {b} (left out)");
    }
    Ok(history.insights())
}

fn write_insights(out: &mut impl Write, i: &bouncelens::batch::history::Insights) -> io::Result<()> {
    use bouncelens::batch::history::percent;
    writeln!(out, "\nAcross {} export(s) of the history:", i.exports.len())?;
    if i.alerts.is_empty() {
        writeln!(out, "  no alert across exports")?;
    }
    for a in &i.alerts {
        writeln!(out, "  [{}] {}", a.severity, a.title)?;
        writeln!(out, "      {}", wrap(&a.detail, 6, 100))?;
        writeln!(out, "      What to do: {}", wrap(&a.what_to_do, 18, 100))?;
        for e in a.evidence.iter().take(3) {
            writeln!(out, "      e.g. {e}")?;
        }
    }
    if i.exports.len() > 1 {
        writeln!(out, "\nWhat changed in this export against the earlier ones:")?;
        if i.changes.is_empty() {
            writeln!(out, "  nothing significant")?;
        }
        for c in i.changes.iter().take(10) {
            writeln!(out, "  {}", c.text)?;
        }
        writeln!(out, "\nTrend per export:")?;
        for t in &i.export_trend {
            let top = t.by_category.first().map(|c| format!("{} {}", c.label, percent(c.share))).unwrap_or_default();
            let rate = t.bounce_rate.map(|r| format!(", bounce rate {}", percent(r))).unwrap_or_default();
            writeln!(out, "  {:<30} {:>8} rows{rate}; most: {top}", t.label.chars().take(30).collect::<String>(), t.rows)?;
        }
    }
    Ok(())
}

fn history_command(path: &std::path::Path, action: HistoryAction, out: &mut impl Write) -> io::Result<ExitCode> {
    use bouncelens::batch::store::Store;
    if !path.exists() {
        eprintln!("bouncelens: there is no history at {}", path.display());
        return Ok(ExitCode::FAILURE);
    }
    let store = match Store::open(path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("bouncelens: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let result = match action {
        HistoryAction::List => store.list().map(|list| {
            if list.is_empty() {
                let _ = writeln!(out, "The history is empty.");
            }
            for s in &list {
                let i = &s.info;
                let days = match (&i.first_day, &i.last_day) {
                    (Some(a), Some(b)) if a != b => format!("{a} to {b}"),
                    (Some(a), _) => a.clone(),
                    _ => "no dates".into(),
                };
                let _ = writeln!(out, "{:>4}  {}  {}  {} rows, {} campaigns or days, {} addresses, {}; {} bytes stored", s.id, i.added, i.name, i.rows, i.occasions, i.addresses, days, s.bytes);
            }
            true
        }),
        HistoryAction::Forget { id } => store.forget(id).inspect(|found| {
            if *found {
                let _ = writeln!(out, "Export {id} is forgotten.");
            } else {
                eprintln!("bouncelens: the history has no export {id}");
            }
        }),
        HistoryAction::ForgetAll => store.forget_all().map(|n| {
            let _ = writeln!(out, "{n} export(s) forgotten.");
            true
        }),
    };
    match result {
        Ok(ok) => Ok(code(ok)),
        Err(e) => {
            eprintln!("bouncelens: {e}");
            Ok(ExitCode::from(2))
        }
    }
}

fn read_head(f: &mut std::fs::File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn write_report(out: &mut impl Write, r: &bouncelens::batch::report::Report) -> io::Result<()> {
    writeln!(out, "bouncelens report")?;
    writeln!(out, "=================")?;
    for f in &r.files {
        writeln!(out, "File {}: {}, {}, {} rows read, {} analysed, {} bad", f.name, f.format_label, if f.encoding.is_empty() { "-" } else { f.encoding.as_str() }, f.rows, f.analysed, f.bad_rows)?;
        if let Some(l) = &f.layout {
            writeln!(out, "  looks like: {l}")?;
        }
        let roles: Vec<String> = f.headers.iter().zip(&f.roles).filter_map(|(h, r)| r.map(|r| format!("{} = \"{h}\"", r.label()))).collect();
        if !roles.is_empty() {
            writeln!(out, "  columns: {}", roles.join("; "))?;
        }
        if !f.other_events.is_empty() {
            let ev: Vec<String> = f.other_events.iter().map(|(e, n)| format!("{e}: {n}")).collect();
            writeln!(out, "  other events, not analysed: {}", ev.join(", "))?;
        }
        if let Some(p) = &f.problem {
            writeln!(out, "  problem: {p}")?;
        }
        for n in &f.notes {
            writeln!(out, "  note: {n}")?;
        }
    }
    writeln!(out, "\n{} rows analysed, {} unique addresses, {} distinct replies; {} bad rows\n", r.analysed, r.unique_addresses, r.distinct_replies, r.bad_rows)?;
    if let Some(rates) = &r.rates {
        for v in &rates.verdicts {
            writeln!(out, "  {v}")?;
        }
        writeln!(out)?;
    }
    writeln!(out, "By cause:")?;
    for c in &r.by_category {
        writeln!(out, "  {:>8}  {:>5.1}%  {}", c.count, c.share * 100.0, c.label)?;
    }
    writeln!(out, "\nAlerts:")?;
    if r.alerts.is_empty() {
        writeln!(out, "  none")?;
    }
    for a in &r.alerts {
        writeln!(out, "  [{}] {}", a.severity, a.title)?;
        writeln!(out, "      {}", wrap(&a.detail, 6, 100))?;
        writeln!(out, "      What to do: {}", wrap(&a.what_to_do, 18, 100))?;
        for e in a.evidence.iter().take(3) {
            writeln!(out, "      e.g. {}", e)?;
        }
    }
    writeln!(out, "\nActions:")?;
    for a in &r.actions {
        writeln!(out, "  {:>8} rows {:>8} addresses  {}  ({})", a.rows, a.addresses, a.label, a.action.id())?;
        writeln!(out, "           {}", wrap(&a.why, 11, 100))?;
    }
    if !r.listed_bad_rows.is_empty() {
        writeln!(out, "\nBad rows (first {}):", r.listed_bad_rows.len().min(20))?;
        for b in r.listed_bad_rows.iter().take(20) {
            writeln!(out, "  {} row {}: {}", b.file, b.row, b.reason)?;
        }
    }
    Ok(())
}

/// Files to analyse: named files always; in folders, the files whose extension is one
/// bouncelens reads (or that have none), hidden files skipped.
fn collect_files(p: &std::path::Path, files: &mut Vec<PathBuf>, failures: &mut usize, named: bool) {
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
                let name = e.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
                if name.starts_with('.') {
                    continue;
                }
                let ext = name.rsplit_once('.').map(|(_, x)| x).unwrap_or("");
                let known = matches!(ext, "" | "eml" | "mbox" | "mbx" | "msg" | "txt" | "csv" | "tsv" | "tab" | "json" | "jsonl" | "ndjson" | "zip" | "gz" | "xlsx" | "xls" | "log");
                if e.is_dir() || known {
                    collect_files(&e, files, failures, false);
                }
            }
        }
        Ok(_) => {
            let _ = named;
            files.push(p.to_path_buf())
        }
        Err(e) => {
            eprintln!("bouncelens: {}: {e}", p.display());
            *failures += 1;
        }
    }
}
