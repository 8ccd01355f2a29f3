//! The Web Worker's entry point (wasm32). Natively this binary only explains itself.

#[cfg(target_arch = "wasm32")]
fn main() {
    bouncelens::ui::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("bouncelens-worker runs inside the web app; build it with `trunk build` (see README.md).");
}
