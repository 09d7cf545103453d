//! A friendly crash screen instead of a blank page when the app panics.

use std::panic;

/// Installs a panic hook that logs the panic to the console and replaces the page with a
/// plain-words explanation, a reload button and the technical details.
pub fn install() {
    panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&format!("panic: {message}").into());
        let doc = gloo::utils::document();
        let Some(body) = doc.body() else { return };
        let escaped = message
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        body.set_inner_html(&format!(
            "<div class=\"crash\" role=\"alert\" data-testid=\"crash\">\
             <h1>Something went wrong</h1>\
             <p>The app hit an internal error and stopped. Your data is safe: it is stored in \
             this browser and was never sent anywhere.</p>\
             <p><button onclick=\"location.reload()\">Reload the app</button></p>\
             <details><summary>Technical details (for a bug report)</summary><pre>{escaped}</pre></details>\
             </div>"
        ));
    }));
}
