#![no_main]
//! The reply classifier. Bytes before the first NUL are the recipient hint, the rest the reply.
use bouncelens::{Classifier, Hints};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (hint, reply) = match data.iter().position(|&b| b == 0) {
        Some(i) => (Some(String::from_utf8_lossy(&data[..i])), &data[i + 1..]),
        None => (None, data),
    };
    let reply = String::from_utf8_lossy(reply);
    let hints = Hints { recipient: hint.as_deref(), ..Hints::default() };
    let c = Classifier::get();
    let v = c.classify(&reply, &hints);
    bouncelens_fuzz::check_verdict(&v);
    let plain = c.classify(&reply, &Hints::default());
    bouncelens_fuzz::check_verdict(&plain);
});
