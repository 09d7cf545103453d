//! The analysis worker (a web worker): registers itself and answers the page's requests.
#[cfg(target_arch = "wasm32")]
fn main() {
    crm::worker::register();
}
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the worker binary runs in the browser as a web worker");
}
