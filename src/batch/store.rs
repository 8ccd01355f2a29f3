//! The history in a local SQLite file (native only; the web app keeps the same summaries in
//! IndexedDB). One table, one row per export: a few columns to list it and the summary's
//! compact bytes ([`ExportSummary::to_bytes`]). Nothing but aggregates is stored.

use super::history::{ExportInfo, ExportSummary, History};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;

/// A history file.
pub struct Store {
    conn: Connection,
}

/// A stored export: its id in the file and what it is.
#[derive(Clone, Debug)]
pub struct Stored {
    pub id: i64,
    pub info: ExportInfo,
    /// Bytes of the stored summary.
    pub bytes: u64,
}

/// What adding an export did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Added {
    New(i64),
    /// The same export (same fingerprint) was already stored: it was replaced.
    Replaced(i64),
}

fn err(e: rusqlite::Error) -> String {
    e.to_string()
}

const SCHEMA_VERSION: i64 = 1;

impl Store {
    /// Opens (or creates) a history file.
    pub fn open(path: &Path) -> Result<Store, String> {
        let conn = Connection::open(path).map_err(|e| format!("cannot open the history {}: {e}", path.display()))?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| format!("{} is not a bouncelens history: {e}", path.display()))?;
        if version > SCHEMA_VERSION {
            return Err(format!("{} was written by a newer bouncelens (history version {version})", path.display()));
        }
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS export (
                id INTEGER PRIMARY KEY,
                fingerprint TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                added TEXT NOT NULL,
                rows INTEGER NOT NULL,
                summary BLOB NOT NULL
            );
            PRAGMA user_version = 1;",
        )
        .map_err(|e| format!("{} is not a bouncelens history: {e}", path.display()))?;
        Ok(Store { conn })
    }

    /// Adds an export's summary (or replaces the same export stored before).
    pub fn add(&self, s: &ExportSummary) -> Result<Added, String> {
        let bytes = s.to_bytes();
        let old: Option<i64> = self.conn.query_row("SELECT id FROM export WHERE fingerprint = ?1", params![s.fingerprint], |r| r.get(0)).optional().map_err(err)?;
        match old {
            Some(id) => {
                self.conn.execute("UPDATE export SET name = ?1, added = ?2, rows = ?3, summary = ?4 WHERE id = ?5", params![s.name, s.added, s.rows as i64, bytes, id]).map_err(err)?;
                Ok(Added::Replaced(id))
            }
            None => {
                self.conn.execute("INSERT INTO export (fingerprint, name, added, rows, summary) VALUES (?1, ?2, ?3, ?4, ?5)", params![s.fingerprint, s.name, s.added, s.rows as i64, bytes]).map_err(err)?;
                Ok(Added::New(self.conn.last_insert_rowid()))
            }
        }
    }

    fn each(&self, mut f: impl FnMut(i64, &[u8]) -> Result<(), String>) -> Result<(), String> {
        let mut q = self.conn.prepare("SELECT id, summary FROM export ORDER BY id").map_err(err)?;
        let mut rows = q.query([]).map_err(err)?;
        while let Some(r) = rows.next().map_err(err)? {
            let id: i64 = r.get(0).map_err(err)?;
            let b: Vec<u8> = r.get(1).map_err(err)?;
            f(id, &b)?;
        }
        Ok(())
    }

    /// Every stored export, oldest first (summaries that cannot be read are named in the
    /// error list with their id).
    pub fn history(&self) -> Result<(History, Vec<String>), String> {
        let mut h = History::default();
        let mut bad = vec![];
        self.each(|id, b| {
            match ExportSummary::from_bytes(b) {
                Ok(s) => h.exports.push(s),
                Err(e) => bad.push(format!("export {id}: {e}")),
            }
            Ok(())
        })?;
        Ok((h, bad))
    }

    /// What is stored, oldest first.
    pub fn list(&self) -> Result<Vec<Stored>, String> {
        let mut out = vec![];
        self.each(|id, b| {
            if let Ok(s) = ExportSummary::from_bytes(b) {
                out.push(Stored { id, info: s.info(), bytes: b.len() as u64 });
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// Forgets one export; false when there is no such id.
    pub fn forget(&self, id: i64) -> Result<bool, String> {
        Ok(self.conn.execute("DELETE FROM export WHERE id = ?1", params![id]).map_err(err)? > 0)
    }

    /// Forgets every export; returns how many there were.
    pub fn forget_all(&self) -> Result<u64, String> {
        let n = self.conn.execute("DELETE FROM export", []).map_err(err)?;
        self.conn.execute_batch("VACUUM").map_err(err)?;
        Ok(n as u64)
    }
}
