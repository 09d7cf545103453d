//! App state, split by resource: the `Reducible` state pages read ([`reducer`]), and the
//! [`Controller`] that performs effects and dispatches their results, its methods grouped by
//! what they own: [`datasets`], import in slices ([`streaming`]), the results [`cache`] and the
//! [`project`] file.

mod cache;
mod datasets;
mod project;
mod reducer;
mod streaming;
mod theme;

pub use project::PROJECT_FILE_NAME;
pub use reducer::{Action, AppState, Source, Workspace};
pub use streaming::{refuse_reason, MAX_FILE_BYTES, MAX_WORKBOOK_BYTES};
pub use theme::Theme;

use crate::domain::customers::SummaryOptions;
use crate::io::import::Mapping;
use crate::io::storage::{DataKind, DatasetMeta, IdbStore, Repository, StorageError};
use crate::ui::hooks::{Progress, WorkerClient};
use crate::worker::tasks::ImportSettings;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// Performs effects and dispatches their results.
pub struct Controller {
    dispatch: UseReducerDispatcher<AppState>,
    /// The worker client.
    pub worker: WorkerClient,
    /// Reports the job under way (the [`ProgressContext`]).
    progress: Callback<Option<Progress>>,
    repo: RefCell<Option<Rc<Repository<IdbStore>>>>,
    options: RefCell<SummaryOptions>,
    remembered: RefCell<Vec<Mapping>>,
    cache: RefCell<std::collections::HashMap<String, cache::Cached>>,
    /// Datasets open for this session only (storage refused them).
    unsaved: RefCell<std::collections::HashSet<String>>,
    /// New files whose bytes are being saved, with their metadata once imported.
    saving: RefCell<std::collections::HashMap<String, Option<DatasetMeta>>>,
    /// The import being sent to the worker again (its address; see [`Controller::not_held`]).
    resending: std::cell::Cell<usize>,
    /// The request of each segmentation a page asked for, by its key (see
    /// [`Controller::segment`]): sent again when the worker no longer holds the result.
    segment_requests:
        RefCell<std::collections::HashMap<String, (crate::worker::segment::SegmentRequest, usize)>>,
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

/// The job under way, if any: a context of its own, apart from [`AppContext`]. A worker
/// reports progress many times a second; were it in the state, every page and section reading
/// the context would be drawn again each time (on the Lifetime value page of a million
/// customers, 50-100 ms each while the validation ran). Only what shows the progress
/// ([`use_progress`], [`crate::ui::components::status::JobStatus`]) is drawn again.
#[derive(Clone, PartialEq, Default)]
pub struct ProgressContext(pub Option<Progress>);

/// The job under way, if any (the calling component is drawn again when it moves).
#[hook]
pub fn use_progress() -> Option<Progress> {
    use_context::<ProgressContext>().and_then(|p| p.0)
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

fn active_key(kind: DataKind) -> String {
    let slot = match kind {
        DataKind::Transactions | DataKind::Summary => "transactions",
        DataKind::Survey => "survey",
        DataKind::Cohort => "cohort",
    };
    format!("active/{slot}")
}

impl Controller {
    /// A controller dispatching to `dispatch` and reporting the job under way to `progress`
    /// (the [`ProgressContext`], apart from the state: see there).
    pub fn new(
        dispatch: UseReducerDispatcher<AppState>,
        progress: Callback<Option<Progress>>,
    ) -> Rc<Self> {
        Rc::new(Controller {
            dispatch,
            worker: WorkerClient::new(progress.clone()),
            progress,
            repo: RefCell::new(None),
            options: RefCell::new(SummaryOptions::default()),
            remembered: RefCell::new(Vec::new()),
            cache: RefCell::new(std::collections::HashMap::new()),
            unsaved: RefCell::new(std::collections::HashSet::new()),
            saving: RefCell::new(std::collections::HashMap::new()),
            resending: std::cell::Cell::new(0),
            segment_requests: RefCell::default(),
        })
    }

    fn repo(&self) -> Option<Rc<Repository<IdbStore>>> {
        self.repo.borrow().clone()
    }

    /// Reads a page's settings from the settings store; `done` gets `None` when storage is
    /// unavailable, the key is unset or the record cannot be read. Kept there, they persist
    /// across reloads and travel in the project file.
    pub fn page_setting<T: serde::de::DeserializeOwned + 'static>(
        self: &Rc<Self>,
        key: &str,
        done: impl FnOnce(Option<T>) + 'static,
    ) {
        let k = key.to_string();
        self.setting_bytes(
            key,
            Box::new(move |b| {
                done(b.and_then(|b| crate::io::storage::decode_setting(&k, &b).ok()));
            }),
        );
    }

    /// Reads a setting's record for [`Self::page_setting`]: not generic, so the page holds one
    /// copy of this task for all its settings, not one per type.
    fn setting_bytes(self: &Rc<Self>, key: &str, done: Box<dyn FnOnce(Option<Vec<u8>>)>) {
        let (this, key) = (self.clone(), key.to_string());
        wasm_bindgen_futures::spawn_local(async move {
            let bytes = match this.repo() {
                Some(repo) => repo.setting_bytes(&key).await.ok().flatten(),
                None => None,
            };
            done(bytes);
        });
    }

    /// Reads the number format and the theme from the settings store and applies them (an
    /// unreadable or invalid record leaves the current choice).
    async fn read_display_settings(self: &Rc<Self>, repo: &Repository<IdbStore>) {
        use crate::ui::format::{NumberFormat, SETTING_KEY};
        use theme::THEME_KEY;
        if let Ok(Some(f)) = repo.setting::<NumberFormat>(SETTING_KEY).await {
            if f.check().is_ok() {
                self.dispatch.dispatch(Action::NumberFormat(f));
            }
        }
        if let Ok(Some(t)) = repo.setting::<Theme>(THEME_KEY).await {
            t.apply();
            self.dispatch.dispatch(Action::Theme(t));
        }
    }

    /// Makes `f` the number format of every page and saves it in the settings store.
    pub fn set_number_format(self: &Rc<Self>, f: crate::ui::format::NumberFormat) {
        self.set_page_setting(crate::ui::format::SETTING_KEY, f.clone());
        self.dispatch.dispatch(Action::NumberFormat(f));
    }

    /// Makes `t` the colour theme and saves it in the settings store.
    pub fn set_theme(self: &Rc<Self>, t: Theme) {
        t.apply();
        self.set_page_setting(theme::THEME_KEY, t);
        self.dispatch.dispatch(Action::Theme(t));
    }

    /// Saves a page's settings in the settings store (a failure is shown to the user).
    pub fn set_page_setting<T: serde::Serialize + 'static>(self: &Rc<Self>, key: &str, value: T) {
        // Encoded here, written by one task for all types (see `setting_bytes`).
        self.put_setting_bytes(key, crate::io::storage::encode_setting(&value));
    }

    fn put_setting_bytes(self: &Rc<Self>, key: &str, bytes: Result<Vec<u8>, StorageError>) {
        let (this, key) = (self.clone(), key.to_string());
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(repo) = this.repo() {
                let r = match bytes {
                    Ok(b) => repo.set_setting_bytes(&key, b).await,
                    Err(e) => Err(e),
                };
                if let Err(e) = r {
                    this.dispatch.dispatch(Action::Error(Some(e.to_string())));
                }
            }
        });
    }
}
