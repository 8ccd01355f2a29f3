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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{feed_reader, Options};

    fn session(name: &str, csv: &str) -> Session {
        let mut s = Session::new(Options::default());
        feed_reader(&mut s, name, csv.as_bytes(), 4096).unwrap();
        s
    }

    const EXPORT: &str = "email,reason,date\nann@example.org,\"550 5.1.1 The email account that you tried to reach does not exist\",2026-01-05\nbob@example.org,\"452 4.2.2 mailbox over quota\",2026-01-05\n";

    fn written(p: Option<&Platform>, s: &Session) -> String {
        let mut out = vec![];
        write(s, p, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn every_platform_has_its_documented_header() {
        let expected: &[(&str, &str)] = &[
            ("mailchimp", "Email Address"),
            ("klaviyo", "Email"),
            ("hubspot", "Email"),
            ("sendgrid", "email"),
            ("mailgun", "address,code,error,created_at"),
            ("postmark", "EmailAddress"),
            ("ses", ""),
            ("brevo", "EMAIL"),
            ("activecampaign", "Email"),
            ("campaignmonitor", "Email"),
            ("sfmc", "Email Address,Date Added"),
        ];
        assert_eq!(platforms().iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), expected.iter().map(|(id, _)| *id).collect::<Vec<_>>());
        let s = session("bounces.csv", EXPORT);
        for (id, head) in expected {
            let p = platform(id).unwrap();
            assert_eq!(header(p).join(","), *head, "{id}");
            let text = written(Some(p), &s);
            let lines: Vec<&str> = text.lines().collect();
            if head.is_empty() {
                assert_eq!(lines, vec!["ann@example.org,BOUNCE"], "{id}");
            } else {
                assert_eq!(lines[0], *head, "{id}");
                assert_eq!(lines.len(), 2, "{id}: only the address to suppress: {text}");
                assert!(lines[1].starts_with("ann@example.org"), "{id}: {text}");
            }
            assert!(p.suppression.source.starts_with("https://"), "{id}");
            assert!(!p.suppression.steps.is_empty(), "{id}");
        }
        assert_eq!(written(Some(platform("mailgun").unwrap()), &s).lines().nth(1).unwrap(), "ann@example.org,550,The address does not exist: 550 5.1.1 The email account that you tried to reach does not exist,2026-01-05");
    }

    #[test]
    fn complaints_get_their_own_reason_and_the_default_is_the_export_s_platform() {
        let csv = "email,event,sg_message_id,reason\nann@example.org,spamreport,abc,\ncid@example.org,bounce,def,550 5.1.1 user unknown\n";
        let s = session("sendgrid.csv", csv);
        assert_eq!(detected_platform(&s).map(|p| p.id.as_str()), Some("sendgrid"));
        let ses = written(platform("ses"), &s);
        assert_eq!(ses, "ann@example.org,COMPLAINT\r\ncid@example.org,BOUNCE\r\n");
        assert!(detected_platform(&session("x.csv", EXPORT)).is_none());
        // Without a platform: bouncelens's own columns.
        assert!(written(None, &s).starts_with("address,category,reply_code"));
        assert_eq!(file_name(platform("hubspot")), "hubspot-opt-out-list.csv");
    }
}
