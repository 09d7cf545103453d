//! The analysis worker: the message protocol between the page and the web worker, and the task
//! functions it runs. Heavy work (parsing, summarising, fitting, clustering) happens here so the
//! page stays responsive; the worker never draws.
//!
//! Messages cross the boundary with bincode, so every type here is a plain serde struct with no
//! skipped fields; integers are `u32`/`u64`, never `usize`.

pub mod bootstrap;
pub mod clv;
pub mod datasets;
pub mod error;
pub mod intervals;
pub mod lesson;
pub mod log;
pub mod movement;
pub mod outbox;
pub mod output;
pub mod protocol;
pub mod sample;
pub mod satisfaction;
pub mod sbg;
pub mod segment;
pub mod tasks;
pub mod workbook;

#[cfg(target_arch = "wasm32")]
pub mod reader;
#[cfg(target_arch = "wasm32")]
mod web;

#[cfg(target_arch = "wasm32")]
pub use web::{register, AnalysisWorker};

/// Milliseconds on a clock for reporting how long work took (the browser's clock in wasm,
/// a monotonic clock natively). Never used for results.
pub fn now_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        use std::sync::OnceLock;
        static START: OnceLock<std::time::Instant> = OnceLock::new();
        START
            .get_or_init(std::time::Instant::now)
            .elapsed()
            .as_secs_f64()
            * 1e3
    }
}
