//! App state (a `Reducible` shared through a context) and the controller that performs
//! effects: storage, the worker, the sample data.

use crate::domain::customers::SummaryOptions;
use crate::io::import::Mapping;
use crate::io::storage::{DataKind, DatasetMeta, IdbStore, Repository};
use crate::ui::components::Load;
use crate::ui::hooks::{Progress, WorkerClient};
use crate::worker::tasks::{ImportSettings, Imported, Output, Task};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// A dataset loaded into the workspace: its metadata and what the import produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// Saved metadata.
    pub meta: DatasetMeta,
    /// Import result.
    pub data: Rc<Imported>,
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
    let storage = web_sys::window()?.navigator().storage();
    let promise = storage.estimate().ok()?;
    let est: web_sys::StorageEstimate = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .ok()?
        .into();
    est.get_usage().map(|u| u as u64)
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
            import_settings: String::new(),
            sample,
        };
        // Saved first, so nothing is lost even when the file needs different settings to read.
        if let Some(repo) = self.repo() {
            if let Err(e) = repo.save_dataset(&meta, bytes.clone()).await {
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
        let settings: ImportSettings =
            serde_json::from_str(&meta.import_settings).unwrap_or_default();
        self.reimport(meta, settings);
    }

    /// Re-reads a saved dataset with new import settings (format overrides, mapping, kind,
    /// bad-row policy); the settings are stored with it once they work.
    pub fn reimport(self: &Rc<Self>, meta: DatasetMeta, settings: ImportSettings) {
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let Some(repo) = this.repo() else { return };
            match repo.file(&meta.id).await {
                Ok(bytes) => this.import(meta, bytes, settings),
                Err(e) => this.dispatch.dispatch(Action::Error(Some(e.to_string()))),
            }
        });
    }

    /// Imports bytes in the worker. On success the dataset becomes active with the kind found,
    /// its settings are stored, and a transaction mapping is remembered for files of the same
    /// layout. On failure the dataset is shown with the error and its settings, to fix.
    fn import(self: &Rc<Self>, meta: DatasetMeta, bytes: Vec<u8>, mut settings: ImportSettings) {
        let this = self.clone();
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
        self.worker.run(task, move |r| match r {
            Ok(Output::Imported(data)) => {
                let mut meta = meta;
                meta.kind = data.kind;
                meta.import_settings = serde_json::to_string(&stored).unwrap_or_default();
                let mapping = data.mapping.clone();
                this.dispatch.dispatch(Action::Activate(Source {
                    meta: meta.clone(),
                    data: Rc::new(*data),
                }));
                let this2 = this.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let Some(repo) = this2.repo() else { return };
                    let _ = repo.update_meta(&meta).await;
                    let _ = repo.set_setting(&active_key(meta.kind), &meta.id).await;
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
            Err(e) => {
                let settings: ImportSettings = stored;
                this.dispatch.dispatch(Action::Failed(Some(FailedImport {
                    meta,
                    message: e,
                    settings,
                })));
            }
        });
    }

    /// A key naming a dataset as currently read: its id plus a hash of its import settings and
    /// the summary options, so cached results are never reused for different data.
    pub fn data_key(&self, source: &Source) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let opts = serde_json::to_string(&*self.options.borrow()).unwrap_or_default();
        for b in source.meta.import_settings.bytes().chain(opts.bytes()) {
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
        let this = self.clone();
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
                Err(e) => done(Err(e)),
            });
        });
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
            match repo.export_project().await {
                Ok(bytes) => crate::ui::components::download::bytes(
                    "customer-analytics-project.json",
                    "application/json",
                    &bytes,
                ),
                Err(e) => this.dispatch.dispatch(Action::Error(Some(e.to_string()))),
            }
        });
    }

    /// Imports a project file and opens its datasets.
    pub fn import_project(self: &Rc<Self>, bytes: Vec<u8>) {
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let Some(repo) = this.repo() else { return };
            match repo.import_project(&bytes).await {
                Ok(metas) => {
                    this.refresh().await;
                    for m in metas {
                        this.open(m);
                    }
                }
                Err(e) => this.dispatch.dispatch(Action::Error(Some(e.to_string()))),
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
