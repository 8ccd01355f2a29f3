#![no_main]
//! The reply classifier. Bytes before the first NUL are the recipient hint, the rest the reply.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bouncelens_fuzz::run("classify", data);
});
