//! App state (a `Reducible` shared through a context) and the controller that performs
//! effects: storage, the worker, the sample data.

use crate::domain::customers::SummaryOptions;
use crate::io::import::Mapping;
use crate::io::storage::{
    chunks_for, DataKind, DatasetMeta, IdbStore, Repository, FILE_CHUNK_BYTES,
};
use crate::ui::components::Load;
use crate::ui::hooks::{Progress, WorkerClient};
use crate::worker::tasks::{ImportSettings, Imported, Output, Task, LOG_GONE};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// A dataset loaded into the workspace: its metadata and what the import produced.
#[derive(Debug, Clone)]
pub struct Source {
    /// Saved metadata.
    pub meta: DatasetMeta,
    /// Import result.
    pub data: Rc<Imported>,
}

/// Same metadata and the same import (by identity: comparing the contents would walk a million
/// customers on every render of a page that depends on the source).
impl PartialEq for Source {
    fn eq(&self, o: &Self) -> bool {
        self.meta == o.meta && Rc::ptr_eq(&self.data, &o.data)
    }
}

/// The datasets the pages work on: at most one per kind.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Workspace {
    /// Transaction log or customer summary.
    pub transactions: Option<Source>,
    /// Survey responses.
    pub survey: Option<Source>,
    /// Subscription cohort.
    pub cohort: Option<Source>,
}

impl Workspace {
    fn slot(&mut self, kind: DataKind) -> &mut Option<Source> {
        match kind {
            DataKind::Transactions | DataKind::Summary => &mut self.transactions,
            DataKind::Survey => &mut self.survey,
            DataKind::Cohort => &mut self.cohort,
        }
    }
}

/// Everything the pages read.
#[derive(Debug, Clone, PartialEq)]
pub struct AppState {
    /// Start-up: opening storage, loading or generating data.
    pub boot: Load<()>,
    /// The active datasets.
    pub workspace: Workspace,
    /// Saved datasets.
    pub datasets: Vec<DatasetMeta>,
    /// Stored records that could not be read, in plain words.
    pub storage_problems: Vec<String>,
    /// Bytes used in storage.
    pub bytes_used: u64,
    /// The job under way, if any.
    pub progress: Option<Progress>,
    /// The last error to show on the Data page.
    pub error: Option<String>,
    /// How transaction logs are summarised.
    pub summary_options: SummaryOptions,
    /// Set when storage is unavailable: work continues in memory.
    pub storage_unavailable: Option<String>,
    /// The last dataset that could not be read.
    pub failed: Option<FailedImport>,
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            boot: Load::Loading {
                fraction: None,
                stage: "Opening your saved data".into(),
            },
            workspace: Workspace::default(),
            datasets: Vec::new(),
            storage_problems: Vec::new(),
            bytes_used: 0,
            progress: None,
            error: None,
            summary_options: SummaryOptions::default(),
            storage_unavailable: None,
            failed: None,
        }
    }
}

/// State changes.
pub enum Action {
    /// Start-up finished (or failed).
    Booted(Load<()>),
    /// The saved datasets were listed.
    Listed {
        /// Datasets.
        datasets: Vec<DatasetMeta>,
        /// Records that failed to decode.
        problems: Vec<String>,
        /// Bytes used.
        bytes: u64,
    },
    /// A dataset became active for its kind.
    Activate(Source),
    /// The active dataset of a kind was removed.
    Deactivate(DataKind),
    /// Worker progress.
    Progress(Option<Progress>),
    /// An error to show (None clears it).
    Error(Option<String>),
    /// New summary options.
    SummaryOptions(SummaryOptions),
    /// Storage could not be opened.
    StorageUnavailable(String),
    /// A dataset could not be read (None clears it).
    Failed(Option<FailedImport>),
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Booted(b) => s.boot = b,
            Action::Listed {
                datasets,
                problems,
                bytes,
            } => {
                s.datasets = datasets;
                s.storage_problems = problems;
                s.bytes_used = bytes;
            }
            Action::Activate(src) => {
                let kind = src.meta.kind;
                if s.failed.as_ref().is_some_and(|f| f.meta.id == src.meta.id) {
                    s.failed = None;
                }
                *s.workspace.slot(kind) = Some(src);
                s.error = None;
            }
            Action::Deactivate(kind) => *s.workspace.slot(kind) = None,
            Action::Progress(p) => s.progress = p,
            Action::Error(e) => s.error = e,
            Action::SummaryOptions(o) => s.summary_options = o,
            Action::StorageUnavailable(m) => s.storage_unavailable = Some(m),
            Action::Failed(f) => s.failed = f,
        }
        Rc::new(s)
    }
}

/// Performs effects and dispatches their results.
pub struct Controller {
    dispatch: UseReducerDispatcher<AppState>,
    /// The worker client.
    pub worker: WorkerClient,
    repo: RefCell<Option<Rc<Repository<IdbStore>>>>,
    options: RefCell<SummaryOptions>,
    remembered: RefCell<Vec<Mapping>>,
    cache: RefCell<std::collections::HashMap<String, Rc<Output>>>,
    /// Datasets open for this session only (storage refused them).
    unsaved: RefCell<std::collections::HashSet<String>>,
    /// New files whose bytes are being saved, with their metadata once imported.
    saving: RefCell<std::collections::HashMap<String, Option<DatasetMeta>>>,
    /// The kept log whose dataset is being read again (see [`Controller::log_gone`]).
    reloading: std::cell::Cell<u32>,
}

/// A dataset that could not be read with its current settings: shown with the error and the
/// settings so the user can fix them.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedImport {
    /// The dataset (its bytes are saved).
    pub meta: DatasetMeta,
    /// What went wrong, in plain words.
    pub message: String,
    /// The settings that failed.
    pub settings: ImportSettings,
}

impl PartialEq for Controller {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

/// What pages get from the context.
#[derive(Clone, PartialEq)]
pub struct AppContext {
    /// The state.
    pub state: UseReducerHandle<AppState>,
    /// The controller.
    pub ctl: Rc<Controller>,
}

fn now_iso() -> String {
    js_sys::Date::new_0()
        .to_iso_string()
        .as_string()
        .unwrap_or_default()
}

fn new_id() -> String {
    format!(
        "d{}-{:06}",
        js_sys::Date::now() as u64,
        (js_sys::Math::random() * 1e6) as u32
    )
}

/// Bytes this site uses in browser storage, as the browser counts them (cheap: no reading).
async fn storage_estimate() -> Option<u64> {
    estimate().await.map(|(usage, _)| usage)
}

/// (bytes used, bytes the browser lets this site use) in browser storage.
async fn estimate() -> Option<(u64, u64)> {
    let storage = web_sys::window()?.navigator().storage();
    let promise = storage.estimate().ok()?;
    let est: web_sys::StorageEstimate = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .ok()?
        .into();
    Some((est.get_usage()? as u64, est.get_quota()? as u64))
}

/// How a task's error begins when the dataset is being read again because the worker lost
/// its copy of the log (see [`Controller::log_gone`]): pages show it as work in progress, and
/// ask again once the dataset is active afresh.
pub const RELOADING: &str = "Reading the purchases again from storage:";

/// The name a project file is saved under.
pub const PROJECT_FILE_NAME: &str = "customer-analytics.crmproject";

/// Progress of work on storage (no worker job: job 0, which has no cancel button).
fn storage_progress(stage: &str, done: u64, total: u64) -> Progress {
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
/// The first slice sent to the worker (a little more than detection reads).
const FIRST_SLICE_BYTES: u64 = 2 << 20;
/// Slices in flight between the page and the worker.
const AHEAD: u64 = 2 * FILE_CHUNK_BYTES as u64;

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
enum SliceSource {
    /// A file the user chose; its slices are saved as they are read when `save` is set.
    File { file: web_sys::File, save: bool },
    /// A saved dataset, read back chunk by chunk.
    Saved,
}

/// Reads slice `index` (of [`FILE_CHUNK_BYTES`]) of a file.
async fn read_slice(
    file: &web_sys::File,
    meta: &DatasetMeta,
    index: u32,
) -> Result<Vec<u8>, String> {
    let start = u64::from(index) * FILE_CHUNK_BYTES as u64;
    read_range(
        file,
        start,
        (start + FILE_CHUNK_BYTES as u64).min(meta.size_bytes),
    )
    .await
}

/// The byte ranges a new file is sent to the worker in: a small first slice, so the worker
/// starts (and detects the format) while the page reads on, then [`FILE_CHUNK_BYTES`] slices.
fn send_ranges(size: u64) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut len = FIRST_SLICE_BYTES;
    while start < size || out.is_empty() {
        let end = (start + len).min(size);
        out.push((start, end));
        start = end;
        len = FILE_CHUNK_BYTES as u64;
    }
    out
}

/// Reads bytes `start..end` of a file.
async fn read_range(file: &web_sys::File, start: u64, end: u64) -> Result<Vec<u8>, String> {
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

fn active_key(kind: DataKind) -> String {
    let slot = match kind {
        DataKind::Transactions | DataKind::Summary => "transactions",
        DataKind::Survey => "survey",
        DataKind::Cohort => "cohort",
    };
    format!("active/{slot}")
}

impl Controller {
    /// A controller dispatching to `dispatch`.
    pub fn new(dispatch: UseReducerDispatcher<AppState>) -> Rc<Self> {
        let d = dispatch.clone();
        Rc::new(Controller {
            dispatch,
            worker: WorkerClient::new(Callback::from(move |p| d.dispatch(Action::Progress(p)))),
            repo: RefCell::new(None),
            options: RefCell::new(SummaryOptions::default()),
            remembered: RefCell::new(Vec::new()),
            cache: RefCell::new(std::collections::HashMap::new()),
            unsaved: RefCell::new(std::collections::HashSet::new()),
            saving: RefCell::new(std::collections::HashMap::new()),
            reloading: std::cell::Cell::new(0),
        })
    }

    fn repo(&self) -> Option<Rc<Repository<IdbStore>>> {
        self.repo.borrow().clone()
    }

    /// Opens storage, then loads the saved datasets, or the built-in sample on a first visit.
    pub fn boot(self: &Rc<Self>) {
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match IdbStore::open().await {
                Ok(store) => {
                    let repo = Rc::new(Repository::new(store));
                    *this.repo.borrow_mut() = Some(repo.clone());
                    if let Ok(Some(list)) =
                        repo.setting::<Vec<Mapping>>("remembered-mappings").await
                    {
                        *this.remembered.borrow_mut() = list;
                    }
                    if let Ok(Some(o)) = repo.setting::<SummaryOptions>("summary-options").await {
                        *this.options.borrow_mut() = o.clone();
                        this.dispatch.dispatch(Action::SummaryOptions(o));
                    }
                    let listing = this.refresh().await;
                    if listing.is_empty() {
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

    async fn refresh(&self) -> Vec<DatasetMeta> {
        let Some(repo) = self.repo() else {
            return Vec::new();
        };
        match repo.list().await {
            Ok(l) => {
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
        self.worker.run(
            Task::Sample {
                n_customers: 2000,
                seed: 42,
            },
            move |r| match r {
                Ok(Output::Sample {
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
                Ok(_) => {}
                Err(e) => this.dispatch.dispatch(Action::Booted(Load::Failed(e))),
            },
        );
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
        let task = Task::Import {
            file_name: meta.file_name.clone(),
            bytes,
            settings,
            summary: self.options.borrow().clone(),
        };
        self.worker.run(task, self.on_imported(meta, stored));
    }

    /// What to do with an import's result (see [`Self::import`]).
    fn on_imported(
        self: &Rc<Self>,
        meta: DatasetMeta,
        stored: ImportSettings,
    ) -> impl FnOnce(Result<Output, String>) + 'static {
        let this = self.clone();
        move |r| match r {
            Ok(Output::Imported(data)) => {
                web_sys::console::debug_1(
                    &format!(
                        "page: import of {} shown at {:.0} ms",
                        meta.file_name,
                        js_sys::Date::now() % 1e6
                    )
                    .into(),
                );
                let mut meta = meta;
                meta.kind = data.kind;
                meta.import_settings = stored.clone();
                let mapping = data.mapping.clone();
                this.dispatch.dispatch(Action::Activate(Source {
                    meta: meta.clone(),
                    data: Rc::new(*data),
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
            Ok(_) => {}
            Err(e) if e == "Cancelled." => {
                this.dispatch.dispatch(Action::Error(Some(format!(
                    "Reading {} was cancelled; nothing of it was kept.",
                    meta.file_name
                ))));
            }
            Err(e) => {
                this.dispatch.dispatch(Action::Failed(Some(FailedImport {
                    meta,
                    message: e,
                    settings: stored,
                })));
            }
        }
    }

    /// Adds a file the user chose: read in slices of [`FILE_CHUNK_BYTES`], each sent to the
    /// worker and saved as it is read, with progress and a cancel button. A file too large
    /// for the browser is refused before anything is read; one larger than the storage the
    /// browser grants is analysed but not kept (the user is told).
    pub fn add_blob(self: &Rc<Self>, file: web_sys::File, kind: Option<DataKind>) {
        let name = file.name();
        let size = file.size() as u64;
        if let Some(reason) = refuse_reason(&name, size) {
            self.dispatch.dispatch(Action::Error(Some(reason)));
            return;
        }
        web_sys::console::debug_1(
            &format!("page: {name} chosen at {:.0} ms", js_sys::Date::now() % 1e6).into(),
        );
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

    /// Sends a dataset's bytes to the worker slice by slice (see [`Self::add_blob`]). A new
    /// file is saved once its import is shown (or has failed), so saving never delays the
    /// result; its metadata is written last, so storage never lists a half-saved dataset.
    async fn stream(
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
        if save {
            self.saving.borrow_mut().insert(meta.id.clone(), None);
        }
        let chunks = match &source {
            SliceSource::File { .. } => meta.chunks.max(1),
            SliceSource::Saved => Repository::<IdbStore>::chunk_count(&meta),
        };
        let ranges = send_ranges(meta.size_bytes);
        let sends = match &source {
            SliceSource::File { .. } => u32::try_from(ranges.len()).unwrap_or(u32::MAX),
            SliceSource::Saved => chunks,
        };
        let job = self.worker.begin_import(
            &meta.file_name,
            meta.size_bytes,
            settings,
            self.options.borrow().clone(),
            self.on_imported(meta.clone(), stored),
        );
        for i in 0..sends {
            if !self.worker.room(job, AHEAD).await {
                break; // cancelled, or the worker could not read the file
            }
            let read = match (&source, &repo) {
                (SliceSource::File { file, .. }, _) => {
                    let (a, b) = ranges.get(i as usize).copied().unwrap_or((0, 0));
                    read_range(file, a, b).await
                }
                (SliceSource::Saved, Some(repo)) => {
                    repo.file_chunk(&meta, i).await.map_err(|e| e.to_string())
                }
                (SliceSource::Saved, None) => Err("browser storage is unavailable".into()),
            };
            match read {
                Ok(bytes) => self.worker.send_slice(job, bytes),
                Err(e) => {
                    self.worker.cancel();
                    self.dispatch
                        .dispatch(Action::Error(Some(format!("{}: {e}", meta.file_name))));
                    break;
                }
            }
        }
        self.worker.end_import(job);
        let (SliceSource::File { file, .. }, true, Some(repo)) = (&source, save, &repo) else {
            return;
        };
        // Save once the result is in (or the import failed: the user then corrects the
        // settings and reads the saved file again).
        while self.worker.importing(job) {
            gloo::timers::future::TimeoutFuture::new(20).await;
        }
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
            let bytes = match read_slice(file, &meta, i).await {
                Ok(b) => b,
                Err(e) => {
                    self.dispatch
                        .dispatch(Action::Error(Some(format!("{}: {e}", meta.file_name))));
                    ok = false;
                    break;
                }
            };
            if let Err(e) = repo.save_chunk(&meta.id, i, bytes).await {
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

    /// A key naming a dataset as currently read: its id plus a hash of its import settings and
    /// the summary options, so cached results are never reused for different data.
    pub fn data_key(&self, source: &Source) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let opts = serde_json::to_string(&*self.options.borrow()).unwrap_or_default();
        let settings =
            crate::io::import::pipeline::settings_fingerprint(&source.meta.import_settings);
        for b in settings.bytes().chain(opts.bytes()) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        format!("{}/{h:016x}", source.meta.id)
    }

    /// Runs `task` for `source` unless a result under `key` is cached (in memory, then in
    /// IndexedDB); results are cached in both. Pages share results through the same key (for
    /// instance the default lifetime-value fit is used by the Segments and Strategy pages).
    pub fn run_cached(
        self: &Rc<Self>,
        source: &Source,
        key: &str,
        task: Task,
        done: impl FnOnce(Result<Rc<Output>, String>) + 'static,
    ) {
        self.run_keyed(source, key, task, false, done);
    }

    /// As [`Controller::run_cached`], but always runs the task (the user asked to compute again),
    /// replacing the cached result.
    pub fn run_fresh(
        self: &Rc<Self>,
        source: &Source,
        key: &str,
        task: Task,
        done: impl FnOnce(Result<Rc<Output>, String>) + 'static,
    ) {
        self.run_keyed(source, key, task, true, done);
    }

    fn run_keyed(
        self: &Rc<Self>,
        source: &Source,
        key: &str,
        task: Task,
        fresh: bool,
        done: impl FnOnce(Result<Rc<Output>, String>) + 'static,
    ) {
        let full = format!("{}/{key}", self.data_key(source));
        if let Some(hit) = self.cache.borrow().get(&full).cloned().filter(|_| !fresh) {
            done(Ok(hit));
            return;
        }
        let (this, source) = (self.clone(), source.clone());
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(repo) = this.repo().filter(|_| !fresh) {
                if let Ok(Some(bytes)) = repo.result_bytes(&full, "result").await {
                    if let Ok(out) = bincode::deserialize::<Output>(&bytes) {
                        let out = Rc::new(out);
                        this.cache.borrow_mut().insert(full, out.clone());
                        done(Ok(out));
                        return;
                    }
                }
            }
            let this2 = this.clone();
            this.worker.run(task, move |r| match r {
                Ok(out) => {
                    let out = Rc::new(out);
                    this2.cache.borrow_mut().insert(full.clone(), out.clone());
                    if let (Some(repo), Ok(bytes)) = (this2.repo(), bincode::serialize(&*out)) {
                        wasm_bindgen_futures::spawn_local(async move {
                            let _ = repo.put_result_bytes(&full, "result", &bytes).await;
                        });
                    }
                    done(Ok(out));
                }
                Err(e) if e == LOG_GONE => done(Err(this2.log_gone(&source))),
                Err(e) => done(Err(e)),
            });
        });
    }

    /// One customer's purchases, in date order, from the log the worker kept for `source`.
    pub fn history(
        self: &Rc<Self>,
        source: &Source,
        customer: &str,
        done: impl FnOnce(Result<Vec<(chrono::NaiveDate, f64)>, String>) + 'static,
    ) {
        let task = Task::History {
            log_key: source.data.log_key,
            customer: customer.to_string(),
        };
        let (this, source) = (self.clone(), source.clone());
        self.worker.run_quiet(task, move |r| match r {
            Ok(Output::History { days, amounts }) => done(Ok(days
                .iter()
                .zip(amounts)
                .filter_map(|(&d, a)| Some((chrono::NaiveDate::from_num_days_from_ce_opt(d)?, a)))
                .collect())),
            Ok(_) => done(Err("the worker answered with something else".into())),
            Err(e) if e == LOG_GONE => done(Err(this.log_gone(&source))),
            Err(e) => done(Err(e)),
        });
    }

    /// The worker no longer holds `source`'s transaction log (it was restarted after a
    /// cancel): reads the dataset again from storage, once, which activates it afresh so the
    /// pages ask again. Returns what to tell the user meanwhile.
    fn log_gone(self: &Rc<Self>, source: &Source) -> String {
        let saved = self.repo().is_some() && !self.unsaved.borrow().contains(&source.meta.id);
        if !saved {
            return format!(
                "The purchases of {} are no longer in memory (the work was cancelled) and the file was not kept in this browser: add it again.",
                source.meta.file_name
            );
        }
        if self.reloading.replace(source.data.log_key) != source.data.log_key {
            self.open(source.meta.clone());
        }
        format!("{RELOADING} {}…", source.meta.file_name)
    }

    /// A cached result, if one is already in memory (no work started).
    pub fn cached(&self, source: &Source, key: &str) -> Option<Rc<Output>> {
        self.cache
            .borrow()
            .get(&format!("{}/{key}", self.data_key(source)))
            .cloned()
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
                this.refresh().await;
            }
            if was_active {
                this.dispatch.dispatch(Action::Deactivate(meta.kind));
            }
        });
    }

    /// Downloads a project file with every dataset and setting.
    pub fn export_project(self: &Rc<Self>) {
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let Some(repo) = this.repo() else { return };
            // The file is built as a blob, part by part: the browser holds it, not the page.
            let opts = web_sys::BlobPropertyBag::new();
            opts.set_type("application/octet-stream");
            let mut blob: Option<web_sys::Blob> = None;
            let d = this.dispatch.clone();
            let r = repo
                .export_project_parts(|part, done, total| {
                    let parts = js_sys::Array::new();
                    if let Some(b) = &blob {
                        parts.push(b);
                    }
                    parts.push(&js_sys::Uint8Array::from(part.as_slice()));
                    blob =
                        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts).ok();
                    d.dispatch(Action::Progress(Some(storage_progress(
                        "Writing the project file",
                        done,
                        total,
                    ))));
                })
                .await;
            d.dispatch(Action::Progress(None));
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
            let d = this.dispatch.clone();
            let size = file.size() as u64;
            let r = repo
                .import_project_from(
                    size,
                    |a, b| {
                        let file = file.clone();
                        async move { read_range(&file, a, b).await }
                    },
                    |done, total| {
                        d.dispatch(Action::Progress(Some(storage_progress(
                            "Reading the project file",
                            done,
                            total,
                        ))));
                    },
                )
                .await;
            d.dispatch(Action::Progress(None));
            match r {
                Ok(metas) => {
                    this.refresh().await;
                    for m in metas {
                        this.open(m);
                    }
                }
                Err(e) => {
                    this.refresh().await;
                    d.dispatch(Action::Error(Some(format!("{}: {e}", file.name()))));
                }
            }
        });
    }

    /// Deletes every saved dataset and setting.
    pub fn clear_all(self: &Rc<Self>) {
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let Some(repo) = this.repo() else { return };
            if let Ok(l) = repo.list().await {
                for m in l.datasets {
                    let _ = repo.delete(&m.id).await;
                }
            }
            for k in [DataKind::Transactions, DataKind::Survey, DataKind::Cohort] {
                this.dispatch.dispatch(Action::Deactivate(k));
            }
            this.refresh().await;
        });
    }

    // --- Page settings (the Segments page's choices and edited maps). ---

    /// Reads a page's settings from the settings store; `done` gets `None` when storage is
    /// unavailable, the key is unset or the record cannot be read. Kept there, they persist
    /// across reloads and travel in the project file.
    pub fn page_setting<T: serde::de::DeserializeOwned + 'static>(
        self: &Rc<Self>,
        key: &str,
        done: impl FnOnce(Option<T>) + 'static,
    ) {
        let (this, key) = (self.clone(), key.to_string());
        wasm_bindgen_futures::spawn_local(async move {
            let value = match this.repo() {
                Some(repo) => repo.setting::<T>(&key).await.ok().flatten(),
                None => None,
            };
            done(value);
        });
    }

    /// Saves a page's settings in the settings store (a failure is shown to the user).
    pub fn set_page_setting<T: serde::Serialize + 'static>(self: &Rc<Self>, key: &str, value: T) {
        let (this, key) = (self.clone(), key.to_string());
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(repo) = this.repo() {
                if let Err(e) = repo.set_setting(&key, &value).await {
                    this.dispatch.dispatch(Action::Error(Some(e.to_string())));
                }
            }
        });
    }
}
