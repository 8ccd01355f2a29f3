#![no_main]
//! The CSV/TSV export reader, through the batch session (named .csv).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bouncelens_fuzz::run("csv", data);
});
