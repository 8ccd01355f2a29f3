//! The suppression list in the import format of a platform: one generic writer, the formats are
//! data (`platforms.toml`: the platform's documented columns, its import steps and their
//! source). Without a platform, the list is written in bouncelens's own columns
//! ([`super::export::suppression_csv`]). The default platform is the one the export came from
//! (the layout its header matched).

use super::export::{suppression_csv, suppression_rows, write_record};
use super::Session;
use crate::knowledge::{ColumnValue, Knowledge, Platform};
use crate::model::{BounceType, Id};
use std::io::{self, Write};

/// The platforms whose import formats are known, in the data's order.
pub fn platforms() -> &'static [Platform] {
    &Knowledge::get().platforms
}

/// A platform by id (`mailchimp`, `ses`...).
pub fn platform(id: &str) -> Option<&'static Platform> {
    Knowledge::get().platform(id)
}

/// The platform the session's export came from, when its layout was recognised (the first file
/// with a known platform).
pub fn detected_platform(s: &Session) -> Option<&'static Platform> {
    let k = Knowledge::get();
    s.files.iter().filter_map(|f| f.layout.as_deref()).find_map(|name| k.exports.layout.iter().find(|l| l.name == name).and_then(|l| l.platform.as_deref()).and_then(|p| k.platform(p)))
}

/// The header line a platform's file starts with (empty when the format has none).
pub fn header(p: &Platform) -> Vec<&str> {
    if p.suppression.header {
        p.suppression.columns.iter().map(|c| c.header.as_str()).collect()
    } else {
        vec![]
    }
}

/// Writes the suppression list in a platform's import format (or bouncelens's own columns for
/// `None`). Returns the number of addresses written.
pub fn write<W: Write>(s: &Session, platform: Option<&Platform>, w: &mut W) -> io::Result<u64> {
    let Some(p) = platform else { return suppression_csv(s, w) };
    if p.suppression.header {
        write_record(w, &header(p))?;
    }
    let rows = suppression_rows(s);
    for i in &rows {
        let r = &s.rows[*i];
        let v = s.verdict(r);
        let cells: Vec<String> = p
            .suppression
            .columns
            .iter()
            .map(|c| match &c.value {
                ColumnValue::Address => s.addresses.get(r.addr).to_string(),
                ColumnValue::ReplyCode => v.reply_code.map(|c| c.to_string()).unwrap_or_default(),
                ColumnValue::Reason => super::export::reason(s, r),
                ColumnValue::Category => v.category.id().to_string(),
                ColumnValue::Date => s.date(r).to_string(),
                ColumnValue::Text(t) => t.clone(),
                ColumnValue::ByKind { complaint, bounce } => if v.bounce_type == BounceType::Complaint { complaint.clone() } else { bounce.clone() },
            })
            .collect();
        let refs: Vec<&str> = cells.iter().map(|c| c.as_str()).collect();
        write_record(w, &refs)?;
    }
    Ok(rows.len() as u64)
}

/// The file name to offer: the platform's, or bouncelens's own.
pub fn file_name(platform: Option<&Platform>) -> String {
    platform.map(|p| p.suppression.file_name.clone()).unwrap_or_else(|| "suppression-list.csv".into())
}
