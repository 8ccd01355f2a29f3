#![no_main]
//! Excel workbooks (.xlsx zips, .xls OLE files), through `feed_any`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bouncelens_fuzz::run("xlsx", data);
});
