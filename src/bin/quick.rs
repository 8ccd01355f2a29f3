//! The quick worker's entry point (wasm32): pastes, pasted emails, the reference and the user's
//! rules, in a wasm built for size that the first paste waits for. Natively this binary only
//! explains itself.

#[cfg(target_arch = "wasm32")]
fn main() {
    bouncelens::ui::worker::start_quick();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("bouncelens-quick runs inside the web app; build it with `trunk build` (see README.md).");
}
