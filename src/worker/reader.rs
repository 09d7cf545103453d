//! Reading a file by address: the page hands the worker an object URL (`blob:`) of the File the
//! user chose, or of a saved dataset's stored pieces, and the worker fetches it and feeds the
//! body to the import ([`ImportJob`]) in slices of [`SLICE_BYTES`]. The bytes are copied once,
//! from the browser's reader into this worker's memory: never through the page's thread, its
//! memory, or a message. Works in a worker and in a window (the browser tests read a URL in the
//! page).

use super::error::WorkerError;
use super::tasks::ImportJob;
use js_sys::{Reflect, Uint8Array};
use std::cell::Cell;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Bytes gathered from the body before they are fed to the import. Smaller than what the
/// browser buffers ahead of the reader (pieces of up to 2 MiB), so the browser keeps reading
/// the file while a slice is imported: with 4 MiB slices reading and importing took turns, and
/// a 491 MB file took 15.1 s against 11.0 s when the page read ahead of the worker.
pub const SLICE_BYTES: usize = 1 << 20;
/// The page hears of progress once per this many bytes (and at the end).
const REPORT_BYTES: u64 = 8 << 20;

/// What the reader says after each slice: bytes fed so far, rows read so far.
pub type OnSlice<'a> = &'a mut dyn FnMut(&ImportJob);

fn unreadable(file_name: &str) -> WorkerError {
    WorkerError::Unreadable {
        file_name: file_name.to_string(),
    }
}

/// `fetch(url)` from this thread's global object (a worker's or a window's).
fn fetch(url: &str) -> Result<js_sys::Promise, JsValue> {
    let global = js_sys::global();
    if let Some(worker) = global.dyn_ref::<web_sys::WorkerGlobalScope>() {
        return Ok(worker.fetch_with_str(url));
    }
    match global.dyn_ref::<web_sys::Window>() {
        Some(window) => Ok(window.fetch_with_str(url)),
        None => Err(JsValue::from_str("no fetch here")),
    }
}

/// Reads the file at `url` into `job`, calling `on_slice` every few slices and after the last. `None` when
/// `cancelled` was set meanwhile (the reading stops at the next piece the browser hands over);
/// otherwise the job, ready to finish, or why it failed.
///
/// # Errors
/// [`WorkerError::Unreadable`] when the browser cannot read the address (the file was moved,
/// changed or deleted, or the URL was revoked); [`WorkerError::Import`] when a slice cannot be
/// imported (a binary file, a log without a date column ...).
pub async fn read(
    url: &str,
    file_name: &str,
    mut job: ImportJob,
    cancelled: &Cell<bool>,
    on_slice: OnSlice<'_>,
) -> Option<Result<ImportJob, WorkerError>> {
    let started = super::now_ms();
    let response = match fetch(url) {
        Ok(p) => JsFuture::from(p).await,
        Err(e) => Err(e),
    };
    let Some(response) = response
        .ok()
        .and_then(|r| r.dyn_into::<web_sys::Response>().ok())
        .filter(web_sys::Response::ok)
    else {
        return Some(Err(unreadable(file_name)));
    };
    let Some(body) = response.body() else {
        // No body: an empty file.
        return Some(Ok(job));
    };
    let Ok(reader) = web_sys::ReadableStreamDefaultReader::new(&body) else {
        return Some(Err(unreadable(file_name)));
    };
    let mut buf: Vec<u8> = Vec::with_capacity(SLICE_BYTES + (1 << 20));
    let (mut pieces, mut feeding, mut reported) = (0u32, 0.0, 0u64);
    loop {
        let Ok(step) = JsFuture::from(reader.read()).await else {
            return Some(Err(unreadable(file_name)));
        };
        if cancelled.get() {
            let _ = reader.cancel();
            return None;
        }
        let done = Reflect::get(&step, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if !done {
            let Some(piece) = Reflect::get(&step, &"value".into())
                .ok()
                .and_then(|v| v.dyn_into::<Uint8Array>().ok())
            else {
                return Some(Err(unreadable(file_name)));
            };
            let start = buf.len();
            buf.resize(start + piece.length() as usize, 0);
            piece.copy_to(&mut buf[start..]);
            pieces += 1;
        }
        if buf.len() >= SLICE_BYTES || (done && !buf.is_empty()) {
            let t = super::now_ms();
            if let Err(e) = job.feed(&buf) {
                let _ = reader.cancel();
                return Some(Err(e.into()));
            }
            feeding += super::now_ms() - t;
            buf.clear();
            if job.consumed() >= reported + REPORT_BYTES {
                reported = job.consumed();
                on_slice(&job);
            }
        }
        if done {
            if job.consumed() > reported {
                on_slice(&job);
            }
            break;
        }
    }
    super::log::debug(|| {
        format!(
            "worker: read {} bytes of {file_name} in {pieces} pieces in {:.0} ms ({feeding:.0} ms importing)",
            job.consumed(),
            super::now_ms() - started
        )
    });
    Some(Ok(job))
}
