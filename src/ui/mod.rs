//! The browser app. Everything but [`charts`], [`format`] and [`sections`] is compiled for wasm32
//! only: charts are pure functions from results to SVG, format writes numbers and sections is
//! the contents bar's registry, so they are tested natively (charts are also exported as files).

pub mod charts;
pub mod format;
pub mod sections;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
mod crash;
#[cfg(target_arch = "wasm32")]
pub mod hooks;
#[cfg(target_arch = "wasm32")]
pub mod pages;
#[cfg(target_arch = "wasm32")]
pub mod state;
#[cfg(target_arch = "wasm32")]
pub mod tabs;

#[cfg(target_arch = "wasm32")]
pub use app::App;

/// Entry point of the app binary: installs the crash screen, then renders [`App`].
#[cfg(target_arch = "wasm32")]
pub fn start() {
    crash::install();
    // Timing lines in the console only when asked for (`?debug` or `crm-debug` = `1`).
    if !crate::worker::log::init_from_location() {
        use gloo::storage::Storage as _;
        let stored = gloo::storage::LocalStorage::raw()
            .get_item("crm-debug")
            .ok()
            .flatten();
        crate::worker::log::set_enabled(stored.as_deref() == Some("1"));
    }
    if let Some(boot) = gloo::utils::document().get_element_by_id("boot") {
        boot.remove();
    }
    yew::Renderer::<App>::new().render();
}
