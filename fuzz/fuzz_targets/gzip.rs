#![no_main]
//! Gzip-compressed exports, through `feed_any`.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bouncelens_fuzz::run("gzip", data);
});
