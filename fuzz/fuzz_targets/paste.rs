#![no_main]
//! The paste splitter: text (lossy UTF-8) and dropped bytes.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let a = bouncelens::paste::analyze(&text);
    bouncelens_fuzz::check_records(&a.records);
    let b = bouncelens::paste::analyze_bytes(data, "paste.txt");
    bouncelens_fuzz::check_records(&b.records);
});
