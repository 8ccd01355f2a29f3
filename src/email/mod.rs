//! Whole bounce emails (non-delivery reports): one record per failed recipient.

use crate::classify::{extract, Classifier, Hints};
use crate::model::{Context, Record};

/// Analyses one bounce email (raw source). `source` names where it came from.
pub fn analyze_email(raw: &[u8], source: &str) -> Vec<Record> {
    let text = String::from_utf8_lossy(raw);
    let cleaned = extract::clean(&text);
    let verdict = Classifier::get().classify_cleaned(&cleaned, &Hints::default());
    vec![Record {
        recipient: cleaned.recipient.clone(),
        verdict,
        source: Some(source.to_string()),
        context: Context { remote_mta: cleaned.remote_mta.clone(), ..Default::default() },
    }]
}
