#![no_main]
//! The email reader: one bounce email or an mbox, any bytes.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bouncelens_fuzz::run("email", data);
});
