#![no_main]
//! Zip archives of exports (and zips inside zips), through `feed_any`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bouncelens_fuzz::run("zip", data);
});
