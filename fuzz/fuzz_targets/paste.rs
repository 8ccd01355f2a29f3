#![no_main]
//! The paste splitter: text (lossy UTF-8) and dropped bytes.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bouncelens_fuzz::run("paste", data);
});
