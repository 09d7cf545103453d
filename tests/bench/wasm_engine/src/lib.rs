//! The web worker's import (`ImportJob`: slices fed, then the summary), exported to JavaScript
//! so `run.cjs` can time it in V8 without a browser.

use crm::domain::customers::SummaryOptions;
use crm::io::import::{ImportJob, ImportSettings};
use wasm_bindgen::prelude::*;

/// One import, fed slice by slice as the worker feeds what it reads.
#[wasm_bindgen]
pub struct Job(Option<ImportJob>);

#[wasm_bindgen]
impl Job {
    /// A job for a file of `total` bytes, with the default settings (detection on).
    #[wasm_bindgen(constructor)]
    pub fn new(total: f64) -> Job {
        Job(Some(ImportJob::new(
            "bench.csv",
            total as u64,
            ImportSettings::default(),
            SummaryOptions::default(),
        )))
    }

    /// Feeds one slice; an error's text, or an empty text.
    pub fn feed(&mut self, bytes: &[u8]) -> String {
        match self.0.as_mut().map(|j| j.feed(bytes)) {
            Some(Ok(())) => String::new(),
            Some(Err(e)) => e.to_string(),
            None => "finished already".to_string(),
        }
    }

    /// Builds the summary: the number of customers, or -1 when the import failed.
    pub fn finish(&mut self) -> f64 {
        self.0
            .take()
            .and_then(|j| j.finish(&mut |_, _| {}).ok())
            .and_then(|imp| imp.summary)
            .map_or(-1.0, |s| s.customers.len() as f64)
    }
}
