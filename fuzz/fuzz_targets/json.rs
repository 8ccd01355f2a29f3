#![no_main]
//! The JSON export readers (array, object, JSON Lines), through the batch session.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bouncelens_fuzz::run("json", data);
});
