//! A friendly crash screen instead of a blank page when the app panics. Its buttons are plain
//! HTML with `data-action` (the page's Content-Security-Policy forbids inline script, and a
//! panicked app runs no more Rust): `static/boot.js` reloads, starts without reopening the
//! saved datasets (`?safe`, so a crash at start-up does not repeat on every reload), or exports
//! the saved data as a project file straight from IndexedDB.

/// Installs a panic hook that logs the panic to the console and replaces the page with a
/// plain-words explanation, buttons to reload, to start without the saved datasets and to
/// export them, and the technical details. Installed through yew's `set_custom_panic_hook`:
/// a hook set with `std::panic::set_hook` is replaced by yew's own when the app renders (found
/// by `tests/e2e/crash.test.mjs`: the crash screen never showed).
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info| {
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
             <p><button type=\"button\" data-action=\"reload\" data-testid=\"crash-reload\">Reload the app</button> \
             <button type=\"button\" data-action=\"safe-start\" data-testid=\"crash-safe-start\">Start without opening my datasets</button> \
             <button type=\"button\" data-action=\"export-project\" data-testid=\"crash-export\">Save my data as a project file</button></p>\
             <p data-testid=\"crash-status\" role=\"status\"></p>\
             <details><summary>Technical details (for a bug report)</summary><pre>{escaped}</pre></details>\
             </div>"
        ));
    }));
}
