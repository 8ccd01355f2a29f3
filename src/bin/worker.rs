//! The files worker's entry point (wasm32): a file analysis, and everything the quick worker
//! answers. Natively this binary only explains itself.

#[cfg(target_arch = "wasm32")]
fn main() {
    bouncelens::ui::worker::start_files();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("bouncelens-worker runs inside the web app; build it with `trunk build` (see README.md).");
}
