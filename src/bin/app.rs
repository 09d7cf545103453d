//! The browser app: installs the crash screen and renders the Yew root.
#[cfg(target_arch = "wasm32")]
fn main() {
    crm::ui::start();
}
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the app binary runs in the browser: build it with `trunk build`");
}
