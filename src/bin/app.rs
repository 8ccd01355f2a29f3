//! The single-page app's entry point (wasm32). Natively this binary only explains itself.

#[cfg(target_arch = "wasm32")]
fn main() {
    bouncelens::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("bouncelens-app is the web app; build it with `trunk build` (see README.md).");
}
