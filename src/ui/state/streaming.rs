//! Import by address: the page makes an object URL of the file the user chose (or of a saved
//! dataset's stored pieces) and the worker reads it itself, slice by slice, with progress and a
//! cancel button; the file's bytes never pass through the page's thread. A new file is saved in
//! [`FILE_CHUNK_BYTES`] pieces once its import is shown. Files too large for the browser are
//! refused before anything is read.

use super::{active_key, estimate, new_id, now_iso, Action, Controller};
use crate::io::storage::{chunks_for, DataKind, DatasetMeta, FILE_CHUNK_BYTES};
use crate::ui::hooks::Progress;
use crate::worker::tasks::ImportSettings;
use std::rc::Rc;

/// Progress of work on storage (no worker job: job 0, which has no cancel button).
pub(super) fn storage_progress(stage: &str, done: u64, total: u64) -> Progress {
    Progress {
        job: 0,
        fraction: done as f64 / total.max(1) as f64,
        stage: format!("{stage}: {} of {} MB", mb(done), mb(total)),
    }
}

/// Largest file the page reads. A transaction log is read in slices, but what it becomes (16
/// bytes per purchase in the page and in the worker, plus the copy that carries it from one
/// to the other) must fit the 4 GB a WebAssembly page can address: 1 GB of CSV is about
/// 30 million purchases, about 1.5 GB of memory at the peak. Beyond it the user is told
/// before anything is read.
pub const MAX_FILE_BYTES: u64 = 1_000_000_000;
/// Largest workbook (read whole: an .xlsx unpacks to many times its size).
pub const MAX_WORKBOOK_BYTES: u64 = 100_000_000;
fn mb(b: u64) -> String {
    if b >= 1_000_000_000 {
        format!("{:.2} GB", b as f64 / 1e9)
    } else {
        format!("{:.0} MB", b as f64 / 1e6)
    }
}

/// Why a file cannot be read, in plain words, before anything is read; `None` when it can.
pub fn refuse_reason(name: &str, size: u64) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let workbook = [".xlsx", ".xls", ".ods", ".xlsm"]
        .iter()
        .any(|e| lower.ends_with(e));
    if workbook && size > MAX_WORKBOOK_BYTES {
        return Some(format!(
            "{name} is {}: workbooks are read whole, and the browser can read them up to {}. Nothing was read. Save the sheet as CSV (read in slices, up to {}) and drop that.",
            mb(size),
            mb(MAX_WORKBOOK_BYTES),
            mb(MAX_FILE_BYTES)
        ));
    }
    if size > MAX_FILE_BYTES {
        return Some(format!(
            "{name} is {}: this page can analyse files up to {} (about 30 million rows; beyond that the purchases no longer fit the memory a browser tab may use). Nothing was read. Summarise it where it lives with one SQL query (see the README: DuckDB, PostgreSQL, BigQuery, Spark) and drop the summary here, or use the `crm` command.",
            mb(size),
            mb(MAX_FILE_BYTES)
        ));
    }
    None
}

/// Where the slices of an import come from.
pub(super) enum SliceSource {
    /// A file the user chose; its slices are saved as they are read when `save` is set.
    File { file: web_sys::File, save: bool },
    /// A saved dataset, read back chunk by chunk.
    Saved,
}

/// Slice `index` (of [`FILE_CHUNK_BYTES`]) of a file, unread: storage copies it off the
/// page's thread.
fn slice_blob(
    file: &web_sys::File,
    meta: &DatasetMeta,
    index: u32,
) -> Result<web_sys::Blob, String> {
    let start = u64::from(index) * FILE_CHUNK_BYTES as u64;
    let end = (start + FILE_CHUNK_BYTES as u64).min(meta.size_bytes);
    file.slice_with_f64_and_f64(start as f64, end as f64)
        .map_err(|_| "the browser could not read this file".to_string())
}

/// Reads bytes `start..end` of a file.
pub(super) async fn read_range(
    file: &web_sys::File,
    start: u64,
    end: u64,
) -> Result<Vec<u8>, String> {
    let blob = file
        .slice_with_f64_and_f64(start as f64, end as f64)
        .map_err(|_| "the browser could not read this file".to_string())?;
    let buf = wasm_bindgen_futures::JsFuture::from(blob.array_buffer())
        .await
        .map_err(|_| {
            "the browser could not read this file (was it moved or changed?)".to_string()
        })?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

impl Controller {
    /// Adds a file the user chose: the worker reads it (see [`Self::stream`]) with progress and
    /// a cancel button, and it is saved once its import is shown. A file too large
    /// for the browser is refused before anything is read; one larger than the storage the
    /// browser grants is analysed but not kept (the user is told).
    pub fn add_blob(self: &Rc<Self>, file: web_sys::File, kind: Option<DataKind>) {
        let name = file.name();
        let size = file.size() as u64;
        if let Some(reason) = refuse_reason(&name, size) {
            self.dispatch.dispatch(Action::Error(Some(reason)));
            return;
        }
        crate::worker::log::debug(|| {
            format!("page: {name} chosen at {:.0} ms", js_sys::Date::now() % 1e6)
        });
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let chunks = chunks_for(size);
            let meta = DatasetMeta {
                id: new_id(),
                name: name.clone(),
                file_name: name.clone(),
                kind: kind.unwrap_or_default(),
                size_bytes: size,
                added: now_iso(),
                import_settings: Default::default(),
                sample: false,
                chunks,
            };
            let save = this.repo().is_some();
            if !save {
                this.unsaved.borrow_mut().insert(meta.id.clone());
            }
            let settings = ImportSettings {
                kind,
                ..Default::default()
            };
            this.stream(meta, settings, SliceSource::File { file, save })
                .await;
        });
    }

    /// Has the worker read a dataset's bytes (see [`Self::add_blob`]): the page hands it an
    /// object URL of the file, or of a saved dataset's stored pieces joined in one Blob, and
    /// revokes it when the job ends (done, failed or cancelled). A new file is saved once its
    /// import is shown (or has failed), so saving never delays the result; its metadata is
    /// written last, so storage never lists a half-saved dataset.
    pub(super) async fn stream(
        self: &Rc<Self>,
        meta: DatasetMeta,
        mut settings: ImportSettings,
        source: SliceSource,
    ) {
        settings.remembered = self.remembered.borrow().clone();
        let stored = ImportSettings {
            remembered: Vec::new(),
            ..settings.clone()
        };
        let repo = self.repo();
        let save = matches!(source, SliceSource::File { save: true, .. }) && repo.is_some();
        let blob: Result<web_sys::Blob, String> = match (&source, &repo) {
            (SliceSource::File { file, .. }, _) => Ok(file.clone().into()),
            (SliceSource::Saved, Some(repo)) => {
                repo.file_blob(&meta).await.map_err(|e| e.to_string())
            }
            (SliceSource::Saved, None) => Err("browser storage is unavailable".into()),
        };
        let url = blob.and_then(|b| {
            web_sys::Url::create_object_url_with_blob(&b)
                .map_err(|_| "the browser could not read this file".to_string())
        });
        let url = match url {
            Ok(u) => u,
            Err(e) => {
                self.dispatch
                    .dispatch(Action::Error(Some(format!("{}: {e}", meta.file_name))));
                return;
            }
        };
        if save {
            self.saving.borrow_mut().insert(meta.id.clone(), None);
        }
        let chunks = meta.chunks.max(1);
        let job = self.worker.import_url(
            &meta.id,
            &meta.file_name,
            &url,
            meta.size_bytes,
            settings,
            self.options.borrow().clone(),
            self.on_imported(meta.clone(), stored),
        );
        // The worker reads the file on its own; the URL lives as long as the job.
        while self.worker.importing(job) {
            gloo::timers::future::TimeoutFuture::new(20).await;
        }
        let _ = web_sys::Url::revoke_object_url(&url);
        let (SliceSource::File { file, .. }, true, Some(repo)) = (&source, save, &repo) else {
            return;
        };
        // Saved once the result is in (or the import failed: the user then corrects the
        // settings and reads the saved file again).
        let mut ok = !self.worker.was_cancelled(job);
        if let (true, Some((used, quota))) = (ok, estimate().await) {
            // Leave a margin: the browser counts its own overhead too.
            let size = meta.size_bytes;
            if used.saturating_add(size.saturating_mul(11) / 10) > quota {
                ok = false;
                self.dispatch.dispatch(Action::Error(Some(format!(
                    "{} is {}, more than this browser lets the page keep ({} free of {}). It is open now but will not be kept after you close the tab; delete other datasets to make room.",
                    meta.file_name,
                    mb(size),
                    mb(quota.saturating_sub(used)),
                    mb(quota)
                ))));
            }
        }
        for i in 0..chunks {
            if !ok {
                break;
            }
            let blob = match slice_blob(file, &meta, i) {
                Ok(b) => b,
                Err(e) => {
                    self.dispatch
                        .dispatch(Action::Error(Some(format!("{}: {e}", meta.file_name))));
                    ok = false;
                    break;
                }
            };
            if let Err(e) = repo.save_chunk_blob(&meta.id, i, &blob).await {
                self.dispatch.dispatch(Action::Error(Some(format!(
                    "{e}. The data is open for this session but will not be kept."
                ))));
                ok = false;
            }
        }
        let imported = self.saving.borrow_mut().remove(&meta.id).flatten();
        if !ok {
            self.unsaved.borrow_mut().insert(meta.id.clone());
            let _ = repo.delete(&meta.id).await;
            return;
        }
        let _ = repo.update_meta(imported.as_ref().unwrap_or(&meta)).await;
        if let Some(m) = &imported {
            let _ = repo.set_setting(&active_key(m.kind), &m.id).await;
        }
        self.refresh().await;
    }
}
