//! The project file: every dataset, mapping and setting in one `.crmproject` file, exported
//! and imported in slices.

use super::streaming::{read_range, storage_progress};
use super::{active_key, Action, Controller};
use std::rc::Rc;

/// The name a project file is saved under.
pub const PROJECT_FILE_NAME: &str = "customer-analytics.crmproject";

impl Controller {
    /// Downloads a project file with every dataset and setting.
    pub fn export_project(self: &Rc<Self>) {
        self.export_project_replacing(Vec::new());
    }

    /// Downloads a project file with every dataset and setting, the settings in `replace`
    /// written instead of the stored ones (a student copy of an exercise set); storage is left
    /// as it is.
    pub fn export_project_replacing(self: &Rc<Self>, replace: Vec<(String, serde_json::Value)>) {
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let Some(repo) = this.repo() else { return };
            // The file is built as a blob, part by part: the browser holds it, not the page.
            let opts = web_sys::BlobPropertyBag::new();
            opts.set_type("application/octet-stream");
            let mut blob: Option<web_sys::Blob> = None;
            let (d, progress) = (this.dispatch.clone(), this.progress.clone());
            let r = repo
                .export_project_parts_replacing(&replace, |part, done, total| {
                    let parts = js_sys::Array::new();
                    if let Some(b) = &blob {
                        parts.push(b);
                    }
                    parts.push(&js_sys::Uint8Array::from(part.as_slice()));
                    blob =
                        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts).ok();
                    progress.emit(Some(storage_progress(
                        "Writing the project file",
                        done,
                        total,
                    )));
                })
                .await;
            progress.emit(None);
            match (r, blob) {
                (Ok(_), Some(b)) => {
                    crate::ui::components::download::blob(PROJECT_FILE_NAME, &b);
                }
                (Ok(_), None) => d.dispatch(Action::Error(Some(
                    "the browser could not assemble the project file".into(),
                ))),
                (Err(e), _) => d.dispatch(Action::Error(Some(e.to_string()))),
            }
        });
    }

    /// Imports a project file, read in slices, and opens its datasets.
    pub fn import_project(self: &Rc<Self>, file: web_sys::File) {
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let Some(repo) = this.repo() else { return };
            let (d, progress) = (this.dispatch.clone(), this.progress.clone());
            let size = file.size() as u64;
            let r = repo
                .import_project_from(
                    size,
                    |a, b| {
                        let file = file.clone();
                        async move { read_range(&file, a, b).await }
                    },
                    |done, total| {
                        progress.emit(Some(storage_progress(
                            "Reading the project file",
                            done,
                            total,
                        )));
                    },
                )
                .await;
            progress.emit(None);
            match r {
                Ok(metas) => {
                    this.refresh().await;
                    this.read_display_settings(&repo).await;
                    // One dataset per kind becomes active: the last of each in the file.
                    let mut seen = std::collections::HashSet::new();
                    for m in metas.into_iter().rev() {
                        if seen.insert(active_key(m.kind)) {
                            this.open(m);
                        }
                    }
                }
                Err(e) => {
                    this.refresh().await;
                    d.dispatch(Action::Error(Some(format!("{}: {e}", file.name()))));
                }
            }
        });
    }
}
