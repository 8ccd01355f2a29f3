#![no_main]
//! The line readers (one reply per line, JSON Lines), through the batch session.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bouncelens_fuzz::run("lines", data);
});
