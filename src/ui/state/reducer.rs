//! The app state pages read (a `Reducible` shared through a context) and its actions: the
//! workspace of active datasets, the saved-dataset listing, progress and errors.

use super::FailedImport;
use crate::domain::customers::SummaryOptions;
use crate::io::storage::{DataKind, DatasetMeta};
use crate::ui::components::Load;
use crate::worker::tasks::Imported;
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

impl Source {
    /// Which import this is: a new one each time the dataset is read (also when it is sent to
    /// a fresh worker again after a cancel or a crash). Effects that ask the worker about the
    /// dataset key on it as well as on the data key (which stays the same for the results
    /// cache), so they ask again once the dataset is held again.
    pub fn import_id(&self) -> usize {
        Rc::as_ptr(&self.data) as usize
    }
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
    /// The last error to show on the Data page.
    pub error: Option<String>,
    /// How transaction logs are summarised.
    pub summary_options: SummaryOptions,
    /// Set when storage is unavailable: work continues in memory.
    pub storage_unavailable: Option<String>,
    /// The last dataset that could not be read.
    pub failed: Option<FailedImport>,
    /// How numbers and amounts are written (the settings' "number-format").
    pub number_format: crate::ui::format::NumberFormat,
    /// The colour theme (the settings' "theme").
    pub theme: super::Theme,
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
            error: None,
            summary_options: SummaryOptions::default(),
            storage_unavailable: None,
            failed: None,
            number_format: Default::default(),
            theme: Default::default(),
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
    /// An error to show (None clears it).
    Error(Option<String>),
    /// New summary options.
    SummaryOptions(SummaryOptions),
    /// Storage could not be opened.
    StorageUnavailable(String),
    /// A dataset could not be read (None clears it).
    Failed(Option<FailedImport>),
    /// A new number format (every page is rendered again with it).
    NumberFormat(crate::ui::format::NumberFormat),
    /// A new colour theme.
    Theme(super::Theme),
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
            Action::Error(e) => s.error = e,
            Action::SummaryOptions(o) => s.summary_options = o,
            Action::StorageUnavailable(m) => s.storage_unavailable = Some(m),
            Action::Failed(f) => s.failed = f,
            Action::NumberFormat(f) => {
                crate::ui::format::set_current(&f);
                s.number_format = f;
            }
            Action::Theme(t) => s.theme = t,
        }
        Rc::new(s)
    }
}
