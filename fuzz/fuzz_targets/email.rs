#![no_main]
//! The email reader: one bounce email or an mbox, any bytes.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let reading = bouncelens::email::read_file(data, "fuzz.eml");
    bouncelens_fuzz::check_records(&reading.records);
});
