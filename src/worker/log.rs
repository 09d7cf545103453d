//! The debug logger for timing lines ("worker: job 3 computed in 120 ms", "page: job 3 sent at
//! …"). Silent unless debugging is on, so a user's console stays clean; the benchmarks turn it
//! on and read the lines.
//!
//! One switch per thread (a static flag; the page and the worker each have their own copy):
//! - the page turns it on at start when its address has a `debug` parameter (`?debug`) or its
//!   local storage holds `crm-debug` = `1` (see `ui::start`);
//! - the page then starts the worker as `worker.js?debug`, and the worker turns its flag on
//!   from its own address ([`init_from_location`], called when it registers).
//!
//! Lines go to the browser console as `console.debug` (natively, to nowhere).

use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Turns timing lines on or off for this thread's copy of the module.
pub fn set_enabled(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// Whether timing lines are written.
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Whether a page or worker address query (`?debug`, `?a=1&debug=1`) asks for debugging.
/// `debug=0` and `debug=false` do not.
pub fn query_asks_debug(search: &str) -> bool {
    search
        .trim_start_matches('?')
        .split('&')
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (key == "debug").then_some(value)
        })
        .any(|value| value != "0" && value != "false")
}

/// Writes a timing line when debugging is on; `line` is only called then (no formatting cost
/// otherwise).
pub fn debug(line: impl FnOnce() -> String) {
    if !enabled() {
        return;
    }
    #[cfg(target_arch = "wasm32")]
    web_sys::console::debug_1(&line().into());
    #[cfg(not(target_arch = "wasm32"))]
    drop(line);
}

/// The timing line of a message the worker began to encode and post for job `job` at `since`
/// (ms, `js_sys::Date::now()`).
#[cfg(target_arch = "wasm32")]
pub fn sent(job: u32, since: f64) {
    debug(|| {
        format!(
            "worker: job {job} sent a message in {:.0} ms, at {:.0}",
            js_sys::Date::now() - since,
            since % 1e6
        )
    });
}

/// This thread's WebAssembly memory in MB (10^6 bytes), for the timing lines: the memory a
/// module has grown to (it never shrinks), so its peak. 0 natively.
pub fn wasm_mb() -> f64 {
    #[cfg(target_arch = "wasm32")]
    return (core::arch::wasm32::memory_size(0) * 65536) as f64 / 1e6;
    #[cfg(not(target_arch = "wasm32"))]
    0.0
}

/// Turns debugging on when this thread's address (the page's or the worker script's) asks for
/// it (see [`query_asks_debug`]); returns whether it is on. Works in a window and in a worker:
/// it reads `location.search` from the global object.
#[cfg(target_arch = "wasm32")]
pub fn init_from_location() -> bool {
    let search = js_sys::Reflect::get(&js_sys::global(), &"location".into())
        .and_then(|loc| js_sys::Reflect::get(&loc, &"search".into()))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default();
    if query_asks_debug(&search) {
        set_enabled(true);
    }
    enabled()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_parameter_turns_logging_on_unless_zero_or_false() {
        assert!(query_asks_debug("?debug"));
        assert!(query_asks_debug("?a=1&debug=1"));
        assert!(query_asks_debug("debug="));
        assert!(!query_asks_debug(""));
        assert!(!query_asks_debug("?debugger=1"));
        assert!(!query_asks_debug("?debug=0"));
        assert!(!query_asks_debug("?debug=false"));
    }
}
