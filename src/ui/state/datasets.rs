//! Datasets: opening storage at start, the built-in sample, adding, opening, re-reading,
//! renaming and deleting datasets, and the summary options they are read with.

use super::streaming::SliceSource;
use super::{
    active_key, new_id, now_iso, storage_estimate, Action, Controller, FailedImport, Source,
};
use crate::domain::customers::SummaryOptions;
use crate::io::import::Mapping;
use crate::io::storage::{chunks_for, DataKind, DatasetMeta, IdbStore, Repository};
use crate::ui::components::Load;
use crate::worker::error::WorkerError;
use crate::worker::tasks::{ImportSettings, Imported, SampleFiles};
use std::rc::Rc;

thread_local! {
    /// The channel to the app's other tabs (see [`crate::ui::tabs`]).
    static CHANNEL: std::cell::RefCell<Option<crate::ui::tabs::Channel>> =
        const { std::cell::RefCell::new(None) };
    /// The last dataset list shown (ids and names), to tell other tabs when it changes.
    static LISTED: std::cell::RefCell<Vec<(String, String)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Whether the page was opened with `?safe`: saved datasets are listed but none is reopened.
fn safe_start() -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|q| {
            q.trim_start_matches('?')
                .split('&')
                .any(|p| p == "safe" || p.starts_with("safe="))
        })
}

impl Controller {
    /// Opens storage, then loads the saved datasets, or the built-in sample on a first visit.
    pub fn boot(self: &Rc<Self>) {
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let (d1, d2) = (this.dispatch.clone(), this.dispatch.clone());
            let opened = IdbStore::open_watching(
                move || {
                    d1.dispatch(Action::Error(Some(
                        "Another tab of this app keeps its storage open with an older version: close or reload that tab to go on.".into(),
                    )))
                },
                move || {
                    d2.dispatch(Action::Error(Some(
                        "This app's storage was updated or deleted in another tab: reload this page before making changes.".into(),
                    )))
                },
            )
            .await;
            match opened {
                Ok(store) => {
                    let repo = Rc::new(Repository::new(store));
                    *this.repo.borrow_mut() = Some(repo.clone());
                    // Pieces of an import or a deletion that was interrupted (the tab closed),
                    // swept only when no other tab may be writing.
                    let d = this.dispatch.clone();
                    let r = repo.clone();
                    crate::ui::tabs::when_alone(async move {
                        if let Err(e) = r.sweep_orphans().await {
                            d.dispatch(Action::Error(Some(e.to_string())));
                        }
                    })
                    .await;
                    let weak = Rc::downgrade(&this);
                    let channel = crate::ui::tabs::Channel::listen(move || {
                        if let Some(this) = weak.upgrade() {
                            wasm_bindgen_futures::spawn_local(async move {
                                let before = LISTED.with(|x| x.borrow().clone());
                                this.list_again(false).await;
                                if LISTED.with(|x| *x.borrow() != before) {
                                    this.dispatch.dispatch(Action::Error(Some(
                                        "Datasets changed in another tab: the list was read again."
                                            .into(),
                                    )));
                                }
                            });
                        }
                    });
                    CHANNEL.with(|c| *c.borrow_mut() = channel);
                    if let Ok(Some(list)) =
                        repo.setting::<Vec<Mapping>>("remembered-mappings").await
                    {
                        *this.remembered.borrow_mut() = list;
                    }
                    this.read_display_settings(&repo).await;
                    if let Ok(Some(o)) = repo.setting::<SummaryOptions>("summary-options").await {
                        *this.options.borrow_mut() = o.clone();
                        this.dispatch.dispatch(Action::SummaryOptions(o));
                    }
                    let listing = this.refresh().await;
                    if safe_start() {
                        // `?safe` (the crash screen's "Start without opening my datasets"):
                        // listed, none reopened, so a crash on opening one cannot repeat.
                        this.dispatch.dispatch(Action::Error(Some(
                            "Started without opening your saved datasets (safe start). Open one from the list, or reload the page without ?safe.".into(),
                        )));
                        this.dispatch.dispatch(Action::Booted(Load::Ready(())));
                    } else if listing.is_empty() {
                        this.load_sample();
                    } else {
                        for kind in [DataKind::Transactions, DataKind::Survey, DataKind::Cohort] {
                            let active: Option<String> =
                                repo.setting(&active_key(kind)).await.ok().flatten();
                            let pick = listing
                                .iter()
                                .filter(|m| active_key(m.kind) == active_key(kind))
                                .find(|m| Some(&m.id) == active.as_ref())
                                .or_else(|| {
                                    listing
                                        .iter()
                                        .rev()
                                        .find(|m| active_key(m.kind) == active_key(kind))
                                })
                                .cloned();
                            if let Some(meta) = pick {
                                this.open(meta);
                            }
                        }
                        this.dispatch.dispatch(Action::Booted(Load::Ready(())));
                    }
                }
                Err(e) => {
                    this.dispatch
                        .dispatch(Action::StorageUnavailable(e.to_string()));
                    this.load_sample();
                }
            }
        });
    }

    /// Reads the dataset list again and shows it; other tabs are told when it changed.
    pub(super) async fn refresh(&self) -> Vec<DatasetMeta> {
        self.list_again(true).await
    }

    async fn list_again(&self, tell_other_tabs: bool) -> Vec<DatasetMeta> {
        let Some(repo) = self.repo() else {
            return Vec::new();
        };
        match repo.list().await {
            Ok(l) => {
                let seen: Vec<(String, String)> = l
                    .datasets
                    .iter()
                    .map(|m| (m.id.clone(), m.name.clone()))
                    .collect();
                let changed = LISTED.with(|x| x.replace(seen.clone()) != seen);
                if changed && tell_other_tabs {
                    CHANNEL.with(|c| c.borrow().as_ref().map(|c| c.datasets_changed()));
                }
                let bytes = storage_estimate().await.unwrap_or(0);
                let datasets = l.datasets.clone();
                self.dispatch.dispatch(Action::Listed {
                    datasets: l.datasets,
                    problems: l.problems.iter().map(ToString::to_string).collect(),
                    bytes,
                });
                datasets
            }
            Err(e) => {
                self.dispatch.dispatch(Action::Error(Some(e.to_string())));
                Vec::new()
            }
        }
    }

    /// Generates the built-in sample (transactions, survey, cohort), saves and opens it.
    pub fn load_sample(self: &Rc<Self>) {
        let this = self.clone();
        self.dispatch.dispatch(Action::Booted(Load::Loading {
            fraction: None,
            stage: "Preparing sample data".into(),
        }));
        self.worker.sample(2000, 42, move |r| match r {
            Ok(SampleFiles {
                transactions,
                survey,
                cohort,
            }) => {
                let this2 = this.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    for (name, file, kind, bytes) in [
                        (
                            "Sample: shop transactions",
                            "sample-transactions.csv",
                            DataKind::Transactions,
                            transactions,
                        ),
                        (
                            "Sample: customer survey",
                            "sample-survey.csv",
                            DataKind::Survey,
                            survey,
                        ),
                        (
                            "Sample: subscription cohort",
                            "sample-cohort.csv",
                            DataKind::Cohort,
                            cohort,
                        ),
                    ] {
                        this2.add(name, file, Some(kind), bytes, true).await;
                    }
                    this2.dispatch.dispatch(Action::Booted(Load::Ready(())));
                });
            }
            Err(e) => this
                .dispatch
                .dispatch(Action::Booted(Load::Failed(e.to_string()))),
        });
    }

    async fn add(
        self: &Rc<Self>,
        name: &str,
        file: &str,
        kind: Option<DataKind>,
        bytes: Vec<u8>,
        sample: bool,
    ) {
        let meta = DatasetMeta {
            id: new_id(),
            name: name.to_string(),
            file_name: file.to_string(),
            kind: kind.unwrap_or_default(),
            size_bytes: bytes.len() as u64,
            added: now_iso(),
            import_settings: Default::default(),
            sample,
            chunks: chunks_for(bytes.len() as u64),
        };
        // Saved first, so nothing is lost even when the file needs different settings to read.
        if let Some(repo) = self.repo() {
            if let Err(e) = repo.save_dataset(&meta, bytes.clone()).await {
                self.unsaved.borrow_mut().insert(meta.id.clone());
                self.dispatch.dispatch(Action::Error(Some(format!(
                    "{e}. The data is open for this session but will not be kept."
                ))));
            }
        }
        let settings = ImportSettings {
            kind,
            ..Default::default()
        };
        self.import(meta, bytes, settings);
    }

    /// Adds a user's file as a new dataset (kind detected when `kind` is None) and opens it.
    pub fn add_file(self: &Rc<Self>, file_name: String, kind: Option<DataKind>, bytes: Vec<u8>) {
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let name = file_name.clone();
            this.add(&name, &file_name, kind, bytes, false).await;
        });
    }

    /// Opens a saved dataset with its saved import settings.
    pub fn open(self: &Rc<Self>, meta: DatasetMeta) {
        let settings: ImportSettings = meta.import_settings.clone();
        self.reimport(meta, settings);
    }

    /// Re-reads a saved dataset with new import settings (format overrides, mapping, kind,
    /// bad-row policy); the settings are stored with it once they work.
    pub fn reimport(self: &Rc<Self>, meta: DatasetMeta, settings: ImportSettings) {
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if this.repo().is_none() {
                return;
            }
            this.stream(meta, settings, SliceSource::Saved).await;
        });
    }

    /// Imports bytes in the worker. On success the dataset becomes active with the kind found,
    /// its settings are stored, and a transaction mapping is remembered for files of the same
    /// layout. On failure the dataset is shown with the error and its settings, to fix.
    fn import(self: &Rc<Self>, meta: DatasetMeta, bytes: Vec<u8>, mut settings: ImportSettings) {
        settings.remembered = self.remembered.borrow().clone();
        let stored = ImportSettings {
            remembered: Vec::new(),
            ..settings.clone()
        };
        let summary = self.options.borrow().clone();
        let (id, file_name) = (meta.id.clone(), meta.file_name.clone());
        let done = self.on_imported(meta, stored);
        self.worker
            .import(&id, &file_name, bytes, settings, summary, done);
    }

    /// What to do with an import's result (see [`Self::import`]).
    pub(super) fn on_imported(
        self: &Rc<Self>,
        meta: DatasetMeta,
        stored: ImportSettings,
    ) -> impl FnOnce(Result<Imported, WorkerError>) + 'static {
        let this = self.clone();
        move |r| match r {
            Ok(data) => {
                crate::worker::log::debug(|| {
                    format!(
                        "page: import of {} shown at {:.0} ms; wasm memory {:.0} MB",
                        meta.file_name,
                        js_sys::Date::now() % 1e6,
                        crate::worker::log::wasm_mb()
                    )
                });
                let mut meta = meta;
                meta.kind = data.kind;
                meta.import_settings = stored.clone();
                let mapping = data.mapping.clone();
                this.dispatch.dispatch(Action::Activate(Source {
                    meta: meta.clone(),
                    data: Rc::new(data),
                }));
                let this2 = this.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let Some(repo) = this2.repo() else { return };
                    let saving = match this2.saving.borrow_mut().get_mut(&meta.id) {
                        // Still being saved: its metadata is written after its bytes.
                        Some(slot) => {
                            *slot = Some(meta.clone());
                            true
                        }
                        None => false,
                    };
                    if !saving && !this2.unsaved.borrow().contains(&meta.id) {
                        let _ = repo.update_meta(&meta).await;
                        let _ = repo.set_setting(&active_key(meta.kind), &meta.id).await;
                    }
                    if let Some(m) = mapping {
                        let mut list = this2.remembered.borrow().clone();
                        list.retain(|x| x.layout != m.layout);
                        list.insert(0, m);
                        list.truncate(50);
                        *this2.remembered.borrow_mut() = list.clone();
                        let _ = repo.set_setting("remembered-mappings", &list).await;
                    }
                    this2.refresh().await;
                });
            }
            Err(WorkerError::Cancelled) => {
                this.dispatch.dispatch(Action::Error(Some(format!(
                    "Reading {} was cancelled; nothing of it was kept.",
                    meta.file_name
                ))));
            }
            Err(e) => {
                this.dispatch.dispatch(Action::Failed(Some(FailedImport {
                    meta,
                    message: e.to_string(),
                    settings: stored,
                })));
            }
        }
    }

    /// Changes how logs are summarised and re-imports the active transaction log.
    pub fn set_summary_options(self: &Rc<Self>, o: SummaryOptions, active: Option<DatasetMeta>) {
        *self.options.borrow_mut() = o.clone();
        self.dispatch.dispatch(Action::SummaryOptions(o.clone()));
        if let Some(repo) = self.repo() {
            wasm_bindgen_futures::spawn_local(async move {
                let _ = repo.set_setting("summary-options", &o).await;
            });
        }
        if let Some(meta) = active {
            self.open(meta);
        }
    }

    /// Renames a dataset.
    pub fn rename(self: &Rc<Self>, id: String, name: String) {
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(repo) = this.repo() {
                if let Err(e) = repo.rename(&id, &name).await {
                    this.dispatch.dispatch(Action::Error(Some(e.to_string())));
                }
                this.refresh().await;
            }
        });
    }

    /// Deletes a dataset (and closes it if it is open).
    pub fn delete(self: &Rc<Self>, meta: DatasetMeta, was_active: bool) {
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(repo) = this.repo() {
                if let Err(e) = repo.delete(&meta.id).await {
                    this.dispatch.dispatch(Action::Error(Some(e.to_string())));
                }
                this.worker.forget(Some(meta.id.clone()));
                this.refresh().await;
            }
            if was_active {
                this.dispatch.dispatch(Action::Deactivate(meta.kind));
            }
        });
    }

    /// Deletes every saved dataset, setting and result: every stored byte.
    pub fn clear_all(self: &Rc<Self>) {
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let Some(repo) = this.repo() else { return };
            if let Err(e) = repo.clear_all().await {
                this.dispatch.dispatch(Action::Error(Some(e.to_string())));
            }
            this.worker.forget(None);
            for k in [DataKind::Transactions, DataKind::Survey, DataKind::Cohort] {
                this.dispatch.dispatch(Action::Deactivate(k));
            }
            this.refresh().await;
        });
    }

    // --- Page settings (the Segments page's choices and edited maps). ---
}
