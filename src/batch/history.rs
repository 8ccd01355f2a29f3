//! A local history of analysed exports, private by design: each export is kept as its
//! aggregates ([`ExportSummary`]), never as its rows. No reply text, no row, no date finer than
//! the day is kept; the addresses that bounced are kept (once each, interned) because the
//! rules across exports are about addresses.
//!
//! What a summary holds:
//! - the export's **occasions**: its campaigns, or its calendar days when it names no campaign
//!   (the same "separate occasions" the single-export alerts count);
//! - **cells**: the number of rows per occasion, day, provider and kind of bounce (cause, type,
//!   whether temporary, whether a throttling deferral), from which every share and trend is
//!   taken;
//! - **hits**: per address, the occasions it bounced in, with the kind and the count.
//!
//! A [`History`] (the summaries, oldest first) gives the rules that only show across exports
//! and dates (the numbers are the knowledge's `[policy.recurrence]`, the same the single-export
//! alerts use), a trend per occasion or per export, and the comparison of the latest export
//! with the earlier ones (`[policy.comparison]`: a two-proportion z-test, a smallest change
//! and a smallest count, so that neither noise nor trivial moves are named).
//!
//! The summary serialises with serde (the web app keeps it in IndexedDB) and to compact bytes
//! with [`ExportSummary::to_bytes`] (JSON, deflated; the CLI keeps those in SQLite).

use super::alerts::Alert;
use super::dates::day_of;
use super::report::Count;
use super::Session;
use crate::knowledge::{Knowledge, Policy};
use crate::model::{BounceType, Category, Class, Id, ProviderId, Severity, Verdict};
use crate::smtp::ReplyCode;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::io::Read;

/// The version of the summary's layout (a summary of another version is refused, not misread).
pub const SUMMARY_VERSION: u32 = 1;

/// What an occasion of an export is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OccasionBy {
    /// A campaign named in the export.
    Campaign,
    /// A calendar day (the export names no campaign, or the same one on every row).
    Day,
    /// The whole export (it gives neither a campaign nor a date).
    Export,
}

/// One campaign or day of an export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Occasion {
    pub by: OccasionBy,
    /// The campaign's name or the day (YYYY-MM-DD as the export wrote it); empty for a whole
    /// export.
    pub key: String,
    /// The first day of the occasion, when the export gives dates.
    pub first_day: Option<String>,
    pub rows: u64,
}

/// A kind of bounce: what the rules and shares look at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Kind {
    pub category: Category,
    pub bounce_type: BounceType,
    /// A temporary (4xx) failure.
    pub temporary: bool,
    /// A provider throttling the sender (421, 4.7.x rate limits, temporary reputation
    /// deferrals), as the single-export throttling alert counts them.
    pub deferral: bool,
}

impl Kind {
    pub fn of(v: &Verdict) -> Kind {
        let temporary = v.class == Class::Temporary || v.bounce_type == BounceType::Soft;
        Kind {
            category: v.category,
            bounce_type: v.bounce_type,
            temporary,
            deferral: v.class == Class::Temporary && (matches!(v.category, Category::RateLimited | Category::Reputation) || v.reply_code == Some(ReplyCode(421))),
        }
    }
    /// A soft failure that counts toward "recurring 4xx" (greylisting clears by itself).
    fn recurring_soft(&self) -> bool {
        self.temporary && self.category != Category::Greylisted
    }
    fn bounce(&self) -> bool {
        !matches!(self.bounce_type, BounceType::Delivered | BounceType::AutoReply | BounceType::Complaint)
    }
}

/// Rows of one occasion, day, provider and kind: `(occasion, day, provider, kind, rows)`,
/// indices into the summary's tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell(pub u32, pub u32, pub u32, pub u32, pub u64);

/// Per address, the occasions it bounced in, in columns (compact in JSON): the addresses in
/// order, the number of entries of each, then one column per field of an entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Hits {
    /// The number of entries of each address of [`ExportSummary::addresses`].
    pub per_address: Vec<u32>,
    /// Each entry's occasion (index into [`ExportSummary::occasions`]).
    pub occasion: Vec<u32>,
    /// Each entry's kind (index into [`ExportSummary::kinds`]).
    pub kind: Vec<u32>,
    /// Each entry's number of rows.
    pub count: Vec<u32>,
}

/// The addresses of a summary, stored once: one text of lines (JSON holds one string, not a
/// million; memory holds one block, not a million).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AddressList {
    text: String,
    /// Where each address starts in `text` (rebuilt when read).
    starts: Vec<u32>,
}

impl AddressList {
    pub fn push(&mut self, a: &str) {
        if !self.starts.is_empty() {
            self.text.push('\n');
        }
        self.starts.push(self.text.len() as u32);
        // An address never holds a line break (they are checked when read); one that did would
        // split here, which `check` reports as damage instead of misreading.
        self.text.push_str(a);
    }
    pub fn len(&self) -> usize {
        self.starts.len()
    }
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }
    pub fn get(&self, i: usize) -> Option<&str> {
        let s = *self.starts.get(i)? as usize;
        let e = self.starts.get(i + 1).map(|e| *e as usize - 1).unwrap_or(self.text.len());
        self.text.get(s..e)
    }
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
    fn from_text(text: String) -> AddressList {
        let mut starts = vec![];
        if !text.is_empty() {
            starts.push(0);
            starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i as u32 + 1));
        }
        AddressList { text, starts }
    }
}

impl Serialize for AddressList {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for AddressList {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(AddressList::from_text)
    }
}

/// The aggregates of one analysed export: what the history keeps instead of its rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportSummary {
    pub version: u32,
    /// A fingerprint of the content (the same export analysed twice has the same one).
    pub fingerprint: String,
    /// The names of the files.
    pub name: String,
    /// When it was analysed (given by the caller: "2026-05-01 10:00:00 UTC").
    pub added: String,
    /// The platform the export came from (an id of `platforms.toml`), when the layout said.
    pub platform: Option<String>,
    /// Analysed rows.
    pub rows: u64,
    /// Messages sent, when the user gave it.
    pub sent: Option<u64>,
    pub first_day: Option<String>,
    pub last_day: Option<String>,
    pub occasions: Vec<Occasion>,
    /// Provider ids ("" for other / unknown).
    pub providers: Vec<String>,
    pub kinds: Vec<Kind>,
    /// Days ("" where a row had no date).
    pub days: Vec<String>,
    pub cells: Vec<Cell>,
    /// The addresses that bounced, once each (one line each in JSON).
    pub addresses: AddressList,
    pub hits: Hits,
}

/// A short description of a stored export, for lists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportInfo {
    pub fingerprint: String,
    pub name: String,
    pub added: String,
    pub platform: Option<String>,
    pub rows: u64,
    pub sent: Option<u64>,
    pub first_day: Option<String>,
    pub last_day: Option<String>,
    pub occasions: usize,
    pub addresses: usize,
}

fn intern<K: Eq + std::hash::Hash + Clone>(table: &mut Vec<K>, index: &mut FxHashMap<K, u32>, k: &K) -> u32 {
    if let Some(i) = index.get(k) {
        return *i;
    }
    let i = table.len() as u32;
    table.push(k.clone());
    index.insert(k.clone(), i);
    i
}

impl ExportSummary {
    /// The aggregates of a finished analysis. `added` is when it was analysed (the core has no
    /// clock: the CLI and the app give it).
    pub fn from_session(s: &Session, added: &str) -> ExportSummary {
        let k = Knowledge::get();
        // Occasions: the row's `day` key says whether it is a campaign or a calendar day.
        let mut occasions: Vec<Occasion> = vec![];
        let mut occ_index: FxHashMap<u32, u32> = FxHashMap::default();
        let mut providers: Vec<String> = vec![];
        let mut prov_index: FxHashMap<String, u32> = FxHashMap::default();
        let mut kinds: Vec<Kind> = vec![];
        let mut kind_index: FxHashMap<Kind, u32> = FxHashMap::default();
        let mut days: Vec<String> = vec![];
        let mut day_index: FxHashMap<String, u32> = FxHashMap::default();
        // Per verdict: its kind and provider (verdicts are few, rows many).
        let per_verdict: Vec<(u32, u32)> = s
            .verdicts
            .iter()
            .map(|e| {
                let v = &*e.verdict;
                let kind = intern(&mut kinds, &mut kind_index, &Kind::of(v));
                let p = v.provider.as_ref().map(|p| p.as_str().to_string()).unwrap_or_default();
                (kind, intern(&mut providers, &mut prov_index, &p))
            })
            .collect();
        let mut cells: FxHashMap<(u32, u32, u32, u32), u64> = FxHashMap::default();
        let mut hits: FxHashMap<(u32, u32, u32), u32> = FxHashMap::default();
        let mut first_day: Option<String> = None;
        let mut last_day: Option<String> = None;
        for r in &s.rows {
            let date = s.date(r);
            let day = if date.is_empty() { "" } else { day_of(date) };
            let day_id = match day_index.get(day) {
                Some(d) => *d,
                None => intern(&mut days, &mut day_index, &day.to_string()),
            };
            let occ = match occ_index.get(&r.day) {
                Some(o) => *o,
                None => {
                    let (by, key) = if r.day & (1 << 31) != 0 {
                        (OccasionBy::Campaign, s.campaigns.get(r.campaign).to_string())
                    } else if !day.is_empty() {
                        (OccasionBy::Day, day.to_string())
                    } else {
                        (OccasionBy::Export, String::new())
                    };
                    let i = occasions.len() as u32;
                    occasions.push(Occasion { by, key, first_day: None, rows: 0 });
                    occ_index.insert(r.day, i);
                    i
                }
            };
            let o = &mut occasions[occ as usize];
            o.rows += 1;
            if !day.is_empty() {
                if o.first_day.as_deref().is_none_or(|f| day < f) {
                    o.first_day = Some(day.to_string());
                }
                if first_day.as_deref().is_none_or(|f| day < f) {
                    first_day = Some(day.to_string());
                }
                if last_day.as_deref().is_none_or(|f| day > f) {
                    last_day = Some(day.to_string());
                }
            }
            let (kind, prov) = per_verdict[r.verdict as usize];
            *cells.entry((occ, day_id, prov, kind)).or_insert(0) += 1;
            *hits.entry((r.addr, occ, kind)).or_insert(0) += 1;
        }
        let mut cells: Vec<Cell> = cells.into_iter().map(|((o, d, p, k), n)| Cell(o, d, p, k, n)).collect();
        cells.sort_unstable_by_key(|c| (c.0, c.1, c.2, c.3));
        // Hits grouped by address, addresses in the order of their first row.
        let mut hits: Vec<((u32, u32, u32), u32)> = hits.into_iter().collect();
        hits.sort_unstable_by_key(|((a, o, k), _)| (*a, *o, *k));
        let mut addresses = AddressList::default();
        let mut h = Hits::default();
        let mut last_addr = None;
        for ((a, o, kd), n) in hits {
            if last_addr != Some(a) {
                addresses.push(s.addresses.get(a));
                h.per_address.push(0);
                last_addr = Some(a);
            }
            *h.per_address.last_mut().expect("pushed above") += 1;
            h.occasion.push(o);
            h.kind.push(kd);
            h.count.push(n);
        }
        let platform = s.files.iter().filter_map(|f| f.layout.as_deref()).find_map(|name| k.exports.layout.iter().find(|l| l.name == name).and_then(|l| l.platform.clone()));
        let name = s.files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ");
        let mut out = ExportSummary {
            version: SUMMARY_VERSION,
            fingerprint: String::new(),
            name,
            added: added.to_string(),
            platform,
            rows: s.rows.len() as u64,
            sent: s.options.sent.filter(|n| *n > 0),
            first_day,
            last_day,
            occasions,
            providers,
            kinds,
            days,
            cells,
            addresses,
            hits: h,
        };
        out.fingerprint = out.compute_fingerprint();
        out
    }

    /// A hash of everything but the fingerprint and the time it was added.
    fn compute_fingerprint(&self) -> String {
        use std::hash::{BuildHasher, Hasher};
        let mut h = rustc_hash::FxBuildHasher.build_hasher();
        let body = serde_json::to_vec(&(&self.name, self.rows, &self.occasions, &self.cells, &self.addresses, &self.hits)).unwrap_or_default();
        h.write(&body);
        let a = h.finish();
        h.write_u64(0x9E37_79B9_7F4A_7C15);
        format!("{:016x}{:08x}", a, h.finish() as u32)
    }

    pub fn info(&self) -> ExportInfo {
        ExportInfo {
            fingerprint: self.fingerprint.clone(),
            name: self.name.clone(),
            added: self.added.clone(),
            platform: self.platform.clone(),
            rows: self.rows,
            sent: self.sent,
            first_day: self.first_day.clone(),
            last_day: self.last_day.clone(),
            occasions: self.occasions.len(),
            addresses: self.addresses.len(),
        }
    }

    /// Compact bytes: the JSON, deflated.
    pub fn to_bytes(&self) -> Vec<u8> {
        use std::io::Write;
        // The JSON first, then one deflate pass (many small writes into the encoder are slow).
        let json = serde_json::to_vec(self).unwrap_or_default();
        let mut enc = flate2::write::DeflateEncoder::new(Vec::with_capacity(json.len() / 4), flate2::Compression::new(3));
        // Writing to a Vec cannot fail.
        let _ = enc.write_all(&json);
        enc.finish().unwrap_or_default()
    }

    /// Reads [`ExportSummary::to_bytes`]; an error says what is wrong instead of misreading.
    pub fn from_bytes(bytes: &[u8]) -> Result<ExportSummary, String> {
        let mut json = Vec::new();
        flate2::read::DeflateDecoder::new(bytes).take(1 << 31).read_to_end(&mut json).map_err(|e| format!("the stored summary is damaged: {e}"))?;
        Self::from_json(&json)
    }

    /// Reads the JSON form (what serde writes).
    pub fn from_json(json: &[u8]) -> Result<ExportSummary, String> {
        #[derive(Deserialize)]
        struct Version {
            version: u32,
        }
        let v: Version = serde_json::from_slice(json).map_err(|e| format!("not an export summary: {e}"))?;
        if v.version != SUMMARY_VERSION {
            return Err(format!("an export summary of version {} (this bouncelens reads version {SUMMARY_VERSION})", v.version));
        }
        let s: ExportSummary = serde_json::from_slice(json).map_err(|e| format!("not an export summary: {e}"))?;
        s.check()?;
        Ok(s)
    }

    /// Checks that every index points into its table (a damaged summary never panics).
    fn check(&self) -> Result<(), String> {
        let bad = |what: &str| Err(format!("the export summary is damaged: {what} out of range"));
        for c in &self.cells {
            if c.0 as usize >= self.occasions.len() || c.1 as usize >= self.days.len() || c.2 as usize >= self.providers.len() || c.3 as usize >= self.kinds.len() {
                return bad("a cell");
            }
        }
        let h = &self.hits;
        let n: u64 = h.per_address.iter().map(|n| *n as u64).sum();
        if h.per_address.len() != self.addresses.len() || n != h.occasion.len() as u64 || h.occasion.len() != h.kind.len() || h.kind.len() != h.count.len() {
            return bad("the address columns");
        }
        if h.occasion.iter().any(|o| *o as usize >= self.occasions.len()) || h.kind.iter().any(|k| *k as usize >= self.kinds.len()) {
            return bad("an address entry");
        }
        Ok(())
    }

    /// Each address with its entries: `(address, [(occasion, kind, count)])`.
    fn address_entries(&self) -> impl Iterator<Item = (&str, impl Iterator<Item = (u32, u32, u32)> + '_)> + '_ {
        let mut start = 0usize;
        self.addresses.iter().zip(&self.hits.per_address).map(move |(a, n)| {
            let s = start;
            start += *n as usize;
            let h = &self.hits;
            (a, (s..s + *n as usize).map(move |i| (h.occasion[i], h.kind[i], h.count[i])))
        })
    }
}

/// The summaries of the exports analysed so far, oldest first.
#[derive(Clone, Debug, Default)]
pub struct History {
    pub exports: Vec<ExportSummary>,
}

/// One point of a trend: a campaign or day, or a whole export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// The campaign's name, the day, or the export's name.
    pub label: String,
    pub by: TrendBy,
    /// The first day, when known.
    pub date: Option<String>,
    pub rows: u64,
    /// Bounces against the messages sent, where the export gave the number sent (for an
    /// occasion: only when it is the export's only one).
    pub bounce_rate: Option<f64>,
    pub by_type: Vec<Count>,
    pub by_category: Vec<Count>,
    pub by_provider: Vec<Count>,
}

/// What the points of a trend are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrendBy {
    /// Each campaign or day of every export, in date order.
    Occasion,
    /// Each export.
    Export,
}

/// A share that changed between the earlier exports and the latest one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// What is measured: `category`, `bounce_type`, `provider`, `provider_category` or
    /// `bounce_rate`.
    pub dimension: String,
    /// Its id (`authentication`, `microsoft`, `microsoft/authentication`).
    pub id: String,
    /// For people: "Authentication failed at Microsoft".
    pub label: String,
    /// The share of the earlier exports' rows (or their bounce rate).
    pub before: f64,
    /// The share of the latest export's rows (or its bounce rate).
    pub after: f64,
    pub before_count: u64,
    pub after_count: u64,
    /// The two-proportion z score.
    pub z: f64,
    /// "Authentication failed at Microsoft: 0.1 % → 4 % of bounces".
    pub text: String,
}

/// Everything the history says about the latest export, for the views and the report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Insights {
    pub exports: Vec<ExportInfo>,
    /// Patterns that show across exports and dates, most urgent first.
    pub alerts: Vec<Alert>,
    pub trend: Vec<TrendPoint>,
    pub export_trend: Vec<TrendPoint>,
    /// What changed in the latest export against the earlier ones, biggest first.
    pub changes: Vec<Change>,
}

/// "0.1 %", "4 %", "12 %".
pub fn percent(x: f64) -> String {
    let p = x * 100.0;
    if p == 0.0 {
        "0 %".into()
    } else if p < 1.0 {
        format!("{:.1} %", p)
    } else if p < 10.0 {
        let s = format!("{:.1}", p);
        format!("{} %", s.strip_suffix(".0").unwrap_or(&s))
    } else {
        format!("{:.0} %", p)
    }
}

/// An occasion across exports: its key, for telling the same campaign or day apart.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum OccasionKey {
    Campaign(String),
    Day(String),
    /// An export without campaigns or dates is one occasion of its own.
    Export(String),
}

/// The history's occasions in order, and each export's occasions mapped to them.
struct Occasions {
    /// (label, first day) of each global occasion, in order.
    list: Vec<(String, Option<String>)>,
    /// For each export, the global index of each of its occasions.
    map: Vec<Vec<u32>>,
}

fn provider_label(k: &Knowledge, id: &str) -> String {
    if id.is_empty() {
        "other providers".into()
    } else {
        k.provider_name(&ProviderId(id.to_string()))
    }
}

impl History {
    pub fn new(exports: Vec<ExportSummary>) -> History {
        History { exports }
    }

    /// Reads the stored summaries (bytes of [`ExportSummary::to_bytes`]); the ones that cannot
    /// be read are left out and their errors returned with their index.
    pub fn from_bytes<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> (History, Vec<(usize, String)>) {
        let mut h = History::default();
        let mut errors = vec![];
        for (i, b) in items.into_iter().enumerate() {
            match ExportSummary::from_bytes(b) {
                Ok(s) => h.exports.push(s),
                Err(e) => errors.push((i, e)),
            }
        }
        (h, errors)
    }

    fn occasions(&self) -> Occasions {
        struct Global {
            label: String,
            first_day: Option<String>,
            /// (day, export, index in it): dated occasions by their day, undated ones by the
            /// day their export was added, then in the order of the exports.
            sort: (String, usize, usize),
        }
        let mut globals: Vec<Global> = vec![];
        let mut index: FxHashMap<OccasionKey, usize> = FxHashMap::default();
        let mut map = vec![];
        for (e, s) in self.exports.iter().enumerate() {
            let mut m = vec![];
            for (i, o) in s.occasions.iter().enumerate() {
                let (key, label) = match o.by {
                    OccasionBy::Campaign => (OccasionKey::Campaign(o.key.clone()), o.key.clone()),
                    OccasionBy::Day => (OccasionKey::Day(o.key.clone()), o.key.clone()),
                    OccasionBy::Export => (OccasionKey::Export(s.fingerprint.clone()), s.name.clone()),
                };
                let g = match index.get(&key) {
                    Some(g) => {
                        let entry = &mut globals[*g];
                        if let Some(d) = &o.first_day {
                            if entry.first_day.as_ref().is_none_or(|x| d < x) {
                                entry.first_day = Some(d.clone());
                            }
                            if d < &entry.sort.0 {
                                entry.sort.0 = d.clone();
                            }
                        }
                        *g
                    }
                    None => {
                        let day = o.first_day.clone().unwrap_or_else(|| s.added.get(..10).unwrap_or(&s.added).to_string());
                        index.insert(key, globals.len());
                        globals.push(Global { label, first_day: o.first_day.clone(), sort: (day, e, i) });
                        globals.len() - 1
                    }
                };
                m.push(g as u32);
            }
            map.push(m);
        }
        let mut order: Vec<usize> = (0..globals.len()).collect();
        order.sort_by(|a, b| globals[*a].sort.cmp(&globals[*b].sort));
        let mut rank = vec![0u32; globals.len()];
        for (r, g) in order.iter().enumerate() {
            rank[*g] = r as u32;
        }
        let list = order.iter().map(|g| (globals[*g].label.clone(), globals[*g].first_day.clone())).collect();
        let map = map.into_iter().map(|m: Vec<u32>| m.into_iter().map(|g| rank[g as usize]).collect()).collect();
        Occasions { list, map }
    }

    /// Patterns that only show across exports and dates, most urgent first.
    pub fn alerts(&self) -> Vec<Alert> {
        if self.exports.is_empty() {
            return vec![];
        }
        let policy = &Knowledge::get().policy;
        let occ = self.occasions();
        let mut out: Vec<Alert> = [recurring_soft(self, &occ, policy), provider_deferrals(self, &occ, policy), full_mailboxes(self, &occ, policy)].into_iter().flatten().collect();
        out.sort_by_key(|a| a.severity);
        out
    }

    /// The trend, one point per occasion (in date order) or per export.
    pub fn trend(&self, by: TrendBy) -> Vec<TrendPoint> {
        let k = Knowledge::get();
        match by {
            TrendBy::Export => self
                .exports
                .iter()
                .map(|s| {
                    let mut t = Tally::default();
                    for c in &s.cells {
                        t.add(s, c);
                    }
                    t.point(k, s.name.clone(), by, s.first_day.clone(), s.sent)
                })
                .collect(),
            TrendBy::Occasion => {
                let occ = self.occasions();
                let mut tallies: Vec<Tally> = (0..occ.list.len()).map(|_| Tally::default()).collect();
                let mut sent: Vec<Option<u64>> = vec![None; occ.list.len()];
                for (e, s) in self.exports.iter().enumerate() {
                    for c in &s.cells {
                        tallies[occ.map[e][c.0 as usize] as usize].add(s, c);
                    }
                    if s.occasions.len() == 1 {
                        sent[occ.map[e][0] as usize] = s.sent;
                    }
                }
                tallies.into_iter().zip(occ.list).zip(sent).map(|((t, (label, date)), sent)| t.point(k, label, by, date, sent)).collect()
            }
        }
    }

    /// What changed in the latest export against the earlier ones (pooled), biggest first.
    pub fn compare_latest(&self) -> Vec<Change> {
        let Some((latest, earlier)) = self.exports.split_last() else { return vec![] };
        if earlier.is_empty() {
            return vec![];
        }
        let k = Knowledge::get();
        let rule = &k.policy.comparison;
        let now = Shares::of(std::slice::from_ref(latest));
        let before = Shares::of(earlier);
        let mut out = vec![];
        let mut ids: Vec<&(String, String)> = now.counts.keys().chain(before.counts.keys()).collect::<FxHashSet<_>>().into_iter().collect();
        ids.sort();
        for key in ids {
            let (n1, n0) = (now.counts.get(key).copied().unwrap_or(0), before.counts.get(key).copied().unwrap_or(0));
            if let Some(c) = significant(rule, n0, before.rows, n1, now.rows) {
                let (dimension, id) = key;
                let label = now.labels.get(key).or_else(|| before.labels.get(key)).cloned().unwrap_or_else(|| id.clone());
                out.push(Change {
                    dimension: dimension.clone(),
                    id: id.clone(),
                    text: format!("{label}: {} → {} of bounces", percent(c.0), percent(c.1)),
                    label,
                    before: c.0,
                    after: c.1,
                    before_count: n0,
                    after_count: n1,
                    z: c.2,
                });
            }
        }
        // The bounce rate, where every export gave the number sent.
        let sent_before: Option<u64> = earlier.iter().map(|s| s.sent).sum();
        if let (Some(s1), Some(s0)) = (latest.sent, sent_before) {
            let (b1, b0) = (now.bounces, before.bounces);
            if let Some(c) = significant(rule, b0, s0, b1, s1) {
                out.push(Change {
                    dimension: "bounce_rate".into(),
                    id: "bounce_rate".into(),
                    label: "Bounce rate".into(),
                    text: format!("Bounce rate: {} → {} of messages sent", percent(c.0), percent(c.1)),
                    before: c.0,
                    after: c.1,
                    before_count: b0,
                    after_count: b1,
                    z: c.2,
                });
            }
        }
        out.sort_by(|a, b| b.z.abs().total_cmp(&a.z.abs()).then(a.id.cmp(&b.id)));
        out
    }

    /// The alerts, the trends and the comparison together.
    pub fn insights(&self) -> Insights {
        Insights {
            exports: self.exports.iter().map(|s| s.info()).collect(),
            alerts: self.alerts(),
            trend: self.trend(TrendBy::Occasion),
            export_trend: self.trend(TrendBy::Export),
            changes: self.compare_latest(),
        }
    }
}

/// `(before, after, z)` when the change of a share passes the comparison rule.
fn significant(rule: &crate::knowledge::Comparison, n0: u64, t0: u64, n1: u64, t1: u64) -> Option<(f64, f64, f64)> {
    if t0 == 0 || t1 == 0 || n0.max(n1) < rule.min_rows {
        return None;
    }
    let (p0, p1) = (n0 as f64 / t0 as f64, n1 as f64 / t1 as f64);
    let p = (n0 + n1) as f64 / (t0 + t1) as f64;
    let se = (p * (1.0 - p) * (1.0 / t0 as f64 + 1.0 / t1 as f64)).sqrt();
    if se == 0.0 {
        return None;
    }
    let z = (p1 - p0) / se;
    (z.abs() >= rule.min_z && (p1 - p0).abs() >= rule.min_change).then_some((p0, p1, z))
}

/// Counts of the comparison's dimensions over some exports.
#[derive(Default)]
struct Shares {
    rows: u64,
    bounces: u64,
    counts: FxHashMap<(String, String), u64>,
    labels: FxHashMap<(String, String), String>,
}

impl Shares {
    fn of(exports: &[ExportSummary]) -> Shares {
        let k = Knowledge::get();
        let mut s = Shares::default();
        for e in exports {
            s.rows += e.rows;
            for c in &e.cells {
                let kind = e.kinds[c.3 as usize];
                let prov = &e.providers[c.2 as usize];
                let n = c.4;
                if kind.bounce() {
                    s.bounces += n;
                }
                let mut add = |dim: &str, id: String, label: String| {
                    let key = (dim.to_string(), id);
                    *s.counts.entry(key.clone()).or_insert(0) += n;
                    s.labels.entry(key).or_insert(label);
                };
                add("category", kind.category.id().into(), kind.category.label().into());
                add("bounce_type", kind.bounce_type.id().into(), format!("{}s", kind.bounce_type.label()));
                let pid = if prov.is_empty() { "other".to_string() } else { prov.clone() };
                add("provider", pid.clone(), format!("Bounces at {}", provider_label(k, prov)));
                if !prov.is_empty() {
                    add("provider_category", format!("{pid}/{}", kind.category.id()), format!("{} at {}", kind.category.label(), provider_label(k, prov)));
                }
            }
        }
        s
    }
}

/// Rows of one trend point.
#[derive(Default)]
struct Tally {
    rows: u64,
    bounces: u64,
    by_type: FxHashMap<BounceType, u64>,
    by_category: FxHashMap<Category, u64>,
    by_provider: FxHashMap<String, u64>,
}

impl Tally {
    fn add(&mut self, s: &ExportSummary, c: &Cell) {
        let kind = s.kinds[c.3 as usize];
        self.rows += c.4;
        if kind.bounce() {
            self.bounces += c.4;
        }
        *self.by_type.entry(kind.bounce_type).or_insert(0) += c.4;
        *self.by_category.entry(kind.category).or_insert(0) += c.4;
        *self.by_provider.entry(s.providers[c.2 as usize].clone()).or_insert(0) += c.4;
    }

    fn point(self, k: &Knowledge, label: String, by: TrendBy, date: Option<String>, sent: Option<u64>) -> TrendPoint {
        let total = self.rows;
        fn sorted(mut v: Vec<Count>) -> Vec<Count> {
            v.sort_by(|a, b| b.count.cmp(&a.count).then(a.id.cmp(&b.id)));
            v
        }
        let count = |id: String, label: String, n: u64| Count { id, label, count: n, share: if total == 0 { 0.0 } else { n as f64 / total as f64 } };
        TrendPoint {
            label,
            by,
            date,
            rows: total,
            bounce_rate: sent.filter(|s| *s > 0).map(|s| self.bounces as f64 / s as f64),
            by_type: sorted(self.by_type.into_iter().map(|(t, n)| count(t.id().into(), t.label().into(), n)).collect()),
            by_category: sorted(self.by_category.into_iter().map(|(c, n)| count(c.id().into(), c.label().into(), n)).collect()),
            by_provider: sorted(
                self.by_provider
                    .into_iter()
                    .map(|(p, n)| if p.is_empty() { count("other".into(), "Other / unknown".into(), n) } else { count(p.clone(), provider_label(k, &p), n) })
                    .collect(),
            ),
        }
    }
}

/// Per address (across exports), the global occasions of its entries and their kinds.
fn per_address<'h>(h: &'h History, occ: &Occasions, wanted: impl Fn(&str, &Kind) -> bool) -> FxHashMap<&'h str, Vec<(u32, Kind)>> {
    let mut m: FxHashMap<&str, Vec<(u32, Kind)>> = FxHashMap::default();
    for (e, s) in h.exports.iter().enumerate() {
        // Most summaries hold few kinds that matter: skip the addresses quickly.
        let kinds: Vec<bool> = s.kinds.iter().map(|k| wanted("", k)).collect();
        if !kinds.iter().any(|k| *k) {
            continue;
        }
        for (addr, entries) in s.address_entries() {
            for (o, kd, _) in entries {
                let kind = s.kinds[kd as usize];
                if kinds[kd as usize] && wanted(addr, &kind) {
                    m.entry(addr).or_default().push((occ.map[e][o as usize], kind));
                }
            }
        }
    }
    m
}

fn occasion_names(occ: &Occasions, list: &[u32]) -> String {
    let names: Vec<String> = list
        .iter()
        .take(6)
        .map(|g| {
            let (label, day) = &occ.list[*g as usize];
            match day {
                Some(d) if d != label => format!("{label} ({d})"),
                _ => label.clone(),
            }
        })
        .collect();
    let more = list.len().saturating_sub(6);
    if more > 0 {
        format!("{} and {more} more", names.join(", "))
    } else {
        names.join(", ")
    }
}

/// The same address deferred (4xx) on enough separate campaigns or dates, across exports.
fn recurring_soft(h: &History, occ: &Occasions, policy: &Policy) -> Option<Alert> {
    let n = policy.recurrence.soft_occasions;
    let m = per_address(h, occ, |_, k| k.recurring_soft());
    let mut found: Vec<(&str, Vec<u32>)> = m
        .into_iter()
        .filter_map(|(a, v)| {
            let mut o: Vec<u32> = v.into_iter().map(|(g, _)| g).collect();
            o.sort_unstable();
            o.dedup();
            (o.len() >= n).then_some((a, o))
        })
        .collect();
    if found.is_empty() {
        return None;
    }
    found.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    Some(Alert {
        id: "history_recurring_soft".into(),
        severity: Severity::Warning,
        title: format!("{} addresses failed temporarily (4xx) on {n} or more separate campaigns or dates", found.len()),
        detail: format!("Across the {} exports of the history, these addresses kept failing with temporary errors: a temporary failure that keeps coming back is no longer temporary.", h.exports.len()),
        what_to_do: "Escalate: stop retrying these addresses as usual; verify them or move them to a re-engagement flow, and suppress the ones that still fail.".into(),
        count: found.len() as u64,
        evidence: found.iter().take(5).map(|(a, o)| format!("{a}: 4xx on {}", occasion_names(occ, o))).collect(),
    })
}

/// 421-type deferrals at one provider on enough separate campaigns or dates.
fn provider_deferrals(h: &History, occ: &Occasions, policy: &Policy) -> Option<Alert> {
    let n = policy.recurrence.provider_deferral_occasions;
    let mut per: FxHashMap<&str, (FxHashSet<u32>, u64)> = FxHashMap::default();
    for (e, s) in h.exports.iter().enumerate() {
        for c in &s.cells {
            let p = s.providers[c.2 as usize].as_str();
            if !p.is_empty() && s.kinds[c.3 as usize].deferral {
                let entry = per.entry(p).or_default();
                entry.0.insert(occ.map[e][c.0 as usize]);
                entry.1 += c.4;
            }
        }
    }
    let mut found: Vec<(&str, Vec<u32>, u64)> = per
        .into_iter()
        .filter(|(_, (o, _))| o.len() >= n)
        .map(|(p, (o, rows))| {
            let mut o: Vec<u32> = o.into_iter().collect();
            o.sort_unstable();
            (p, o, rows)
        })
        .collect();
    if found.is_empty() {
        return None;
    }
    found.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    let k = Knowledge::get();
    let names: Vec<String> = found.iter().map(|(p, ..)| provider_label(k, p)).collect();
    let tools: Vec<String> = found.iter().filter_map(|(p, ..)| k.provider(p).and_then(|i| i.tools.clone()).map(|t| format!("{}: {t}", provider_label(k, p)))).collect();
    Some(Alert {
        id: "history_provider_deferrals".into(),
        severity: Severity::Warning,
        title: format!("{} deferred you (421 / throttling) on {n} or more separate campaigns or dates", names.join(", ")),
        detail: "Throttling that persists across campaigns is not a passing limit: the provider judges your reputation.".into(),
        what_to_do: format!(
            "Check your reputation with the provider{}; send to engaged recipients first and lower the volume there until the deferrals stop. Do not suppress these addresses.",
            if tools.is_empty() { String::new() } else { format!(" ({})", tools.join("; ")) }
        ),
        count: found.iter().map(|f| f.2).sum(),
        evidence: found.iter().map(|(p, o, rows)| format!("{}: {rows} deferrals on {}", provider_label(k, p), occasion_names(occ, o))).collect(),
    })
}

/// Mailboxes full on enough consecutive campaigns or dates: abandoned. Consecutive in the order
/// of the history's occasions; an occasion where the address failed otherwise, or did not
/// appear at all (it may have been delivered), breaks the run.
fn full_mailboxes(h: &History, occ: &Occasions, policy: &Policy) -> Option<Alert> {
    let n = policy.recurrence.mailbox_full_occasions;
    let full: FxHashSet<&str> = per_address(h, occ, |_, k| k.category == Category::MailboxFull).into_keys().collect();
    if full.is_empty() {
        return None;
    }
    // Every entry of those addresses (another failure breaks a run); "" is the kind pre-check.
    let all = per_address(h, occ, |a, _| a.is_empty() || full.contains(a));
    let mut found: Vec<(&str, Vec<u32>)> = vec![];
    for (a, mut v) in all.into_iter().filter(|(a, _)| full.contains(a)) {
        v.sort_by_key(|(g, _)| *g);
        // Per occasion: full only if every entry of it is a full mailbox.
        let mut seq: Vec<(u32, bool)> = vec![];
        for (g, kind) in v {
            let is_full = kind.category == Category::MailboxFull;
            match seq.last_mut() {
                Some((lg, f)) if *lg == g => *f &= is_full,
                _ => seq.push((g, is_full)),
            }
        }
        let (mut best, mut run): (Vec<u32>, Vec<u32>) = (vec![], vec![]);
        for (g, f) in seq {
            if f && run.last().is_some_and(|l| *l + 1 == g) {
                run.push(g);
            } else if f {
                run = vec![g];
            } else {
                run.clear();
            }
            if run.len() > best.len() {
                best = run.clone();
            }
        }
        if best.len() >= n {
            found.push((a, best));
        }
    }
    if found.is_empty() {
        return None;
    }
    found.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    Some(Alert {
        id: "history_full_mailbox".into(),
        severity: Severity::Warning,
        title: format!("{} mailboxes were full on {n} or more consecutive campaigns or dates", found.len()),
        detail: "A mailbox that stays full campaign after campaign is abandoned; providers close such mailboxes, and mail to them counts against you.".into(),
        what_to_do: "Suppress these addresses.".into(),
        count: found.len() as u64,
        evidence: found.iter().take(5).map(|(a, o)| format!("{a}: mailbox full on {}", occasion_names(occ, o))).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{feed_reader, Options};

    pub(crate) fn session(name: &str, csv: &str, sent: Option<u64>) -> Session {
        let mut s = Session::new(Options { sent, mapping: None });
        feed_reader(&mut s, name, csv.as_bytes(), 4096).unwrap();
        s
    }

    const SOFT: &str = "450 4.2.1 The mailbox is temporarily unavailable, try again later";
    const FULL: &str = "452 4.2.2 The email account that you tried to reach is over quota";
    const GMAIL_421: &str = "421-4.7.28 Gmail has detected an unusual rate of email. To protect our users from spam, 421 4.7.28 email has been temporarily rate limited. - gsmtp";
    const HARD: &str = "550 5.1.1 The email account that you tried to reach does not exist";

    /// Export A holds campaigns 1 and 2, export B campaigns 3, 4 and 5 (a week apart each).
    fn exports() -> (Session, Session) {
        let day = ["2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26", "2026-02-02"];
        let row = |a: &str, r: &str, c: usize| format!("{a},\"{r}\",{} 10:00:00,Newsletter {c}\n", day[c - 1]);
        let mut a = String::from("email,reason,date,campaign\n");
        let mut b = a.clone();
        for c in 1..=5 {
            let out = if c <= 2 { &mut a } else { &mut b };
            out.push_str(&row(&format!("user{c}@gmail.com"), GMAIL_421, c));
            out.push_str(&row(&format!("gone{c}@example.org"), HARD, c));
            if c <= 3 {
                out.push_str(&row("soft@example.org", SOFT, c));
                out.push_str(&row("full@example.net", FULL, c));
            }
            // Full on campaigns 1 and 3 only: not consecutive.
            if c == 1 || c == 3 {
                out.push_str(&row("gap@example.net", FULL, c));
            }
        }
        (session("a.csv", &a, None), session("b.csv", &b, None))
    }

    #[test]
    fn summary_keeps_aggregates_per_occasion_and_address() {
        let (a, _) = exports();
        let s = ExportSummary::from_session(&a, "2026-02-01 09:00:00 UTC");
        assert_eq!(s.rows, a.rows.len() as u64);
        assert_eq!(s.cells.iter().map(|c| c.4).sum::<u64>(), s.rows, "every row is in one cell");
        assert_eq!(s.occasions.iter().map(|o| o.key.as_str()).collect::<Vec<_>>(), vec!["Newsletter 1", "Newsletter 2"]);
        assert!(s.occasions.iter().all(|o| o.by == OccasionBy::Campaign));
        assert_eq!(s.occasions[0].first_day.as_deref(), Some("2026-01-05"));
        assert_eq!((s.first_day.as_deref(), s.last_day.as_deref()), (Some("2026-01-05"), Some("2026-01-12")));
        // soft@ bounced in both campaigns, once each, with a temporary kind.
        let (_, entries) = s.address_entries().find(|(a, _)| *a == "soft@example.org").unwrap();
        let entries: Vec<(u32, u32, u32)> = entries.collect();
        assert_eq!(entries.len(), 2);
        assert!(entries.iter().all(|(_, k, n)| s.kinds[*k as usize].temporary && *n == 1));
        // Gmail's 421s are deferrals at gmail.
        let gmail = s.providers.iter().position(|p| p == "gmail").unwrap() as u32;
        assert!(s.cells.iter().any(|c| c.2 == gmail && s.kinds[c.3 as usize].deferral));
        // Nothing of the rows' text is kept.
        let json = serde_json::to_string(&s).unwrap();
        assert!(!json.contains("quota") && !json.contains("gsmtp"), "{json}");
        assert_eq!(s.addresses.len(), 7);
    }

    #[test]
    fn bytes_round_trip_and_damage_is_an_error() {
        let (a, _) = exports();
        let s = ExportSummary::from_session(&a, "2026-02-01");
        let b = s.to_bytes();
        assert_eq!(ExportSummary::from_bytes(&b).unwrap(), s);
        assert!(ExportSummary::from_bytes(&b[..b.len() / 2]).is_err());
        assert!(ExportSummary::from_bytes(b"not a summary").is_err());
        let mut broken = s.clone();
        broken.hits.occasion[0] = 99;
        assert!(ExportSummary::from_json(&serde_json::to_vec(&broken).unwrap()).unwrap_err().contains("damaged"));
        let mut other = serde_json::to_value(&s).unwrap();
        other["version"] = 99.into();
        assert!(ExportSummary::from_json(&serde_json::to_vec(&other).unwrap()).unwrap_err().contains("version 99"));
        // The same export analysed again has the same fingerprint, whatever the date.
        assert_eq!(ExportSummary::from_session(&a, "2026-03-01").fingerprint, s.fingerprint);
    }

    #[test]
    fn the_three_rules_across_exports_and_dates() {
        let (a, b) = exports();
        // Alone, neither export reaches the thresholds.
        for s in [&a, &b] {
            let h = History::new(vec![ExportSummary::from_session(s, "2026-02-01")]);
            assert!(h.alerts().is_empty(), "{:?}", h.alerts());
        }
        let h = History::new(vec![ExportSummary::from_session(&a, "2026-02-01"), ExportSummary::from_session(&b, "2026-02-02")]);
        let alerts = h.alerts();
        let ids: Vec<&str> = alerts.iter().map(|x| x.id.as_str()).collect();
        assert_eq!(ids.len(), 3, "{ids:?}");
        let soft = alerts.iter().find(|x| x.id == "history_recurring_soft").unwrap();
        // full@ is a 4xx too (a full mailbox is temporary); gap@ failed on two campaigns only.
        assert_eq!(soft.count, 2, "{:?}", soft.evidence);
        assert!(soft.evidence[1].starts_with("soft@example.org: 4xx on Newsletter 1 (2026-01-05), Newsletter 2 (2026-01-12), Newsletter 3 (2026-01-19)"), "{:?}", soft.evidence);
        let gmail = alerts.iter().find(|x| x.id == "history_provider_deferrals").unwrap();
        assert!(gmail.title.starts_with("Gmail / Google Workspace deferred you"), "{}", gmail.title);
        assert_eq!(gmail.count, 5);
        let full = alerts.iter().find(|x| x.id == "history_full_mailbox").unwrap();
        assert_eq!(full.count, 1, "gap@ was not full on consecutive campaigns: {:?}", full.evidence);
        assert!(full.evidence[0].starts_with("full@example.net: mailbox full on Newsletter 1"), "{:?}", full.evidence);
        assert!(full.what_to_do.starts_with("Suppress"));
        // Exports added in the other order give the same occasions in date order.
        let h2 = History::new(vec![ExportSummary::from_session(&b, "2026-02-01"), ExportSummary::from_session(&a, "2026-02-02")]);
        assert_eq!(h2.alerts().len(), 3);
        let labels: Vec<String> = h2.trend(TrendBy::Occasion).into_iter().map(|t| t.label).collect();
        assert_eq!(labels, (1..=5).map(|c| format!("Newsletter {c}")).collect::<Vec<_>>());
        // The same export stored twice counts its campaigns once.
        let (a2, _) = exports();
        let h3 = History::new(vec![ExportSummary::from_session(&a, "1"), ExportSummary::from_session(&a2, "2")]);
        assert!(h3.alerts().is_empty(), "{:?}", h3.alerts());
    }

    #[test]
    fn thresholds_come_from_the_policy() {
        let r = &Knowledge::get().policy.recurrence;
        assert_eq!((r.soft_occasions, r.provider_deferral_occasions, r.mailbox_full_occasions), (3, 5, 3));
        // Days stand for occasions when an export names no campaign.
        let csv = "email,reason,date\nx@example.org,\"450 4.2.1 try again later\",2026-03-01\nx@example.org,\"450 4.2.1 try again later\",2026-03-02\n";
        let csv2 = "email,reason,date\nx@example.org,\"450 4.2.1 try again later\",2026-03-09\n";
        let h = History::new(vec![ExportSummary::from_session(&session("d1.csv", csv, None), "1"), ExportSummary::from_session(&session("d2.csv", csv2, None), "2")]);
        assert_eq!(h.exports[0].occasions[0].by, OccasionBy::Day);
        assert_eq!(h.alerts().iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), vec!["history_recurring_soft"]);
    }

    fn auth_export(name: &str, rows: usize, auth: usize, sent: Option<u64>) -> Session {
        let mut csv = String::from("email,reason\n");
        for i in 0..rows {
            let r = if i < auth { "550 5.7.515 Access denied, sending domain example.com does not meet the required authentication level" } else { HARD };
            csv.push_str(&format!("u{i}@outlook.com,\"{r}\"\n"));
        }
        session(name, &csv, sent)
    }

    #[test]
    fn comparison_names_what_changed_and_ignores_noise() {
        let before = auth_export("jan.csv", 1000, 1, Some(50_000));
        let after = auth_export("feb.csv", 1000, 40, Some(50_000));
        let s1 = ExportSummary::from_session(&after, "2");
        assert!(s1.kinds.iter().any(|k| k.category == Category::Authentication), "{:?}", s1.kinds);
        let h = History::new(vec![ExportSummary::from_session(&before, "1"), s1]);
        let changes = h.compare_latest();
        let c = changes.iter().find(|c| c.id == "microsoft/authentication").expect("a change at Microsoft");
        assert_eq!(c.dimension, "provider_category");
        assert_eq!(c.text, "Authentication failed at Microsoft (Outlook.com, Hotmail, Microsoft 365): 0.1 % → 4 % of bounces");
        assert!(c.z > 3.0);
        assert!(changes.iter().any(|c| c.text == "Authentication failed: 0.1 % → 4 % of bounces"), "{changes:?}");
        // The same share, or a difference too small, is not named.
        let same = History::new(vec![ExportSummary::from_session(&auth_export("a.csv", 1000, 10, None), "1"), ExportSummary::from_session(&auth_export("b.csv", 1000, 12, None), "2")]);
        assert!(same.compare_latest().is_empty(), "{:?}", same.compare_latest());
        let small = History::new(vec![ExportSummary::from_session(&auth_export("a.csv", 20, 0, None), "1"), ExportSummary::from_session(&auth_export("b.csv", 20, 3, None), "2")]);
        assert!(small.compare_latest().is_empty(), "3 rows of 20 are too few: {:?}", small.compare_latest());
        // One export: nothing to compare with.
        assert!(History::new(vec![ExportSummary::from_session(&before, "1")]).compare_latest().is_empty());
        assert_eq!((percent(0.001), percent(0.04), percent(0.123), percent(0.0525)), ("0.1 %".into(), "4 %".into(), "12 %".into(), "5.2 %".into()));
    }

    #[test]
    fn trend_per_export_has_the_bounce_rate_where_sent_is_given() {
        let h = History::new(vec![ExportSummary::from_session(&auth_export("jan.csv", 100, 1, Some(10_000)), "1"), ExportSummary::from_session(&auth_export("feb.csv", 200, 1, None), "2")]);
        let t = h.trend(TrendBy::Export);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].bounce_rate, Some(0.01));
        assert_eq!(t[1].bounce_rate, None);
        assert_eq!(t[1].rows, 200);
        assert!((t[0].by_category.iter().map(|c| c.share).sum::<f64>() - 1.0).abs() < 1e-9);
        let i = h.insights();
        assert_eq!(i.exports.len(), 2);
        // Exports without campaigns or dates are one occasion each.
        assert_eq!(i.trend.len(), 2);
        assert_eq!(i.trend[0].label, "jan.csv");
        assert_eq!(i.trend[0].bounce_rate, Some(0.01));
    }
}
