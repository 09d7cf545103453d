//! Results cache: analysis results kept in memory (shared as `Rc`, never copied on a read) and
//! in IndexedDB under a key naming the data as read, shared by the pages; and the purchase
//! histories the worker answers from the datasets it holds.

use super::{Controller, Source};
use crate::ui::hooks::WorkerClient;
use crate::worker::clv::{ClvRequest, ClvResult, ValidationOutcome};
use crate::worker::error::WorkerError;
use crate::worker::segment::{SegmentAnswer, SegmentQuery, SegmentRequest, SegmentResult};
use serde::{de::DeserializeOwned, Serialize};
use std::rc::Rc;

/// A cached result.
#[derive(Clone)]
pub(super) enum Cached {
    /// A lifetime-value fit.
    Clv(Rc<ClvResult>),
    /// A lifetime-value fit's calibration/holdout check.
    Validation(Rc<ValidationOutcome>),
    /// A segmentation.
    Segment(Rc<SegmentResult>),
}

/// How long after a result is shown it is encoded for storage (its own task, after the page
/// was drawn).
const STORE_AFTER_MS: u32 = 250;

type Answer<T> = Box<dyn FnOnce(Result<T, WorkerError>)>;

/// An analysis whose results are cached: its request, how it is run and how it is kept.
trait Analysis: Serialize + DeserializeOwned + Sized + 'static {
    /// What the page asks for.
    type Request: 'static;
    /// The IndexedDB record name of its results (one per type, so a record is never decoded
    /// as another type).
    const RECORD: &'static str;
    fn wrap(r: Rc<Self>) -> Cached;
    fn unwrap(c: &Cached) -> Option<Rc<Self>>;
    /// Runs it in the worker; `key` names the result (the worker keeps a segmentation's whole
    /// result under it).
    fn run(worker: &WorkerClient, dataset: &str, key: &str, req: Self::Request, done: Answer<Self>);
}

impl Analysis for ClvResult {
    type Request = ClvRequest;
    const RECORD: &'static str = "clv";
    fn wrap(r: Rc<Self>) -> Cached {
        Cached::Clv(r)
    }
    fn unwrap(c: &Cached) -> Option<Rc<Self>> {
        match c {
            Cached::Clv(r) => Some(r.clone()),
            _ => None,
        }
    }
    fn run(worker: &WorkerClient, dataset: &str, _: &str, req: ClvRequest, done: Answer<Self>) {
        worker.clv(dataset, req, done);
    }
}

impl Analysis for ValidationOutcome {
    type Request = ClvRequest;
    const RECORD: &'static str = "clv-validation";
    fn wrap(r: Rc<Self>) -> Cached {
        Cached::Validation(r)
    }
    fn unwrap(c: &Cached) -> Option<Rc<Self>> {
        match c {
            Cached::Validation(r) => Some(r.clone()),
            _ => None,
        }
    }
    fn run(worker: &WorkerClient, dataset: &str, _: &str, req: ClvRequest, done: Answer<Self>) {
        worker.clv_validation(dataset, req, done);
    }
}

impl Analysis for SegmentResult {
    /// The request and the number of customers (whether its k-means search is split across
    /// workers depends on it).
    type Request = (SegmentRequest, usize);
    const RECORD: &'static str = "segment";
    fn wrap(r: Rc<Self>) -> Cached {
        Cached::Segment(r)
    }
    fn unwrap(c: &Cached) -> Option<Rc<Self>> {
        match c {
            Cached::Segment(r) => Some(r.clone()),
            _ => None,
        }
    }
    fn run(
        worker: &WorkerClient,
        dataset: &str,
        key: &str,
        req: Self::Request,
        done: Answer<Self>,
    ) {
        worker.segment_split(dataset, key, req.0, req.1, done);
    }
}

impl Controller {
    /// A key naming a dataset as currently read: its id plus a hash of its import settings and
    /// the summary options, so cached results are never reused for different data.
    pub fn data_key(&self, source: &Source) -> String {
        let opts = serde_json::to_string(&*self.options.borrow()).unwrap_or_default();
        let settings =
            crate::io::import::pipeline::settings_fingerprint(&source.meta.import_settings);
        let h = crate::io::key::stable_hash(settings.bytes().chain(opts.bytes()));
        format!("{}/{h:016x}", source.meta.id)
    }

    /// Fits a lifetime-value model on `source` (the worker holds its customers: the request's
    /// summary is not sent to it) unless a result under `key` is cached (in memory, then in
    /// IndexedDB); results are cached in both. Pages share results through the same key (the
    /// default fit is used by the Segments and Strategy pages). `fresh`: always fit (the user
    /// asked to compute again), replacing the cached result.
    pub fn clv(
        self: &Rc<Self>,
        source: &Source,
        key: &str,
        req: ClvRequest,
        fresh: bool,
        done: impl FnOnce(Result<Rc<ClvResult>, WorkerError>) + 'static,
    ) {
        self.run_keyed(source, key, req, fresh, Box::new(done));
    }

    /// The calibration/holdout check of a lifetime-value fit on `source`'s log (held by the
    /// worker), cached as [`Self::clv`] under its own key: asked after the fit, so the page
    /// shows the parameters first, and a new calibration end checks again without fitting the
    /// whole model again.
    pub fn clv_validation(
        self: &Rc<Self>,
        source: &Source,
        key: &str,
        req: ClvRequest,
        fresh: bool,
        done: impl FnOnce(Result<Rc<ValidationOutcome>, WorkerError>) + 'static,
    ) {
        self.run_keyed(source, key, req, fresh, Box::new(done));
    }

    /// Segments `source`'s customers (held by the worker), cached as [`Self::clv`]; a k-means
    /// search is split across workers when it pays ([`WorkerClient::segment_split`]). The
    /// page gets the result's view (no per-customer columns: the worker keeps the whole result
    /// and answers [`Self::segment_query`]); the request is remembered, so a result the worker
    /// no longer holds is computed again when a page asks about its customers.
    pub fn segment(
        self: &Rc<Self>,
        source: &Source,
        key: &str,
        req: SegmentRequest,
        done: impl FnOnce(Result<Rc<SegmentResult>, WorkerError>) + 'static,
    ) {
        let customers = source
            .data
            .summary
            .as_ref()
            .map_or(0, |s| s.customers.len());
        let full = format!("{}/{key}", self.data_key(source));
        self.segment_requests
            .borrow_mut()
            .insert(full, (req.clone(), customers));
        self.run_keyed(source, key, (req, customers), false, Box::new(done));
    }

    /// Asks the worker about the customers of the segmentation whose view is `view` (a
    /// segment's customers a page at a time, the cross-tab, the survey's answers per segment).
    pub fn segment_query(
        self: &Rc<Self>,
        source: &Source,
        view: &SegmentResult,
        query: SegmentQuery,
        done: impl FnOnce(Result<SegmentAnswer, WorkerError>) + 'static,
    ) {
        let (worker, key) = (self.worker.clone(), view.held.clone());
        let attempt = Rc::new(move |done: Answer<SegmentAnswer>| {
            worker.segment_query(&key, query.clone(), done);
        });
        self.with_segments(source, attempt, Box::new(done));
    }

    /// Runs `attempt`; when the worker no longer holds the segmentation it names (it was
    /// restarted, newer results replaced it, or the view came from storage), segments again
    /// with the request [`Self::segment`] remembered and runs `attempt` once more.
    fn with_segments<T: 'static>(
        self: &Rc<Self>,
        source: &Source,
        attempt: Rc<dyn Fn(Answer<T>)>,
        done: Answer<T>,
    ) {
        let (this, src, again) = (self.clone(), source.clone(), attempt.clone());
        attempt(Box::new(move |r: Result<T, WorkerError>| match r {
            Err(WorkerError::SegmentsGone { key }) => {
                let remembered = this.segment_requests.borrow().get(&key).cloned();
                let Some((req, customers)) = remembered else {
                    return done(Err(WorkerError::SegmentsGone { key }));
                };
                let (this2, dataset) = (this.clone(), src.meta.id.clone());
                this.worker
                    .segment_split(&dataset, &key, req, customers, move |r| match r {
                        Ok(_) => again(done),
                        Err(WorkerError::NotHeld { .. }) => done(Err(this2.not_held(&src))),
                        Err(e) => done(Err(e)),
                    });
            }
            Err(WorkerError::NotHeld { .. }) => done(Err(this.not_held(&src))),
            r => done(r),
        }));
    }

    /// Writes a workbook in the worker (the report reads each customer's segment from the
    /// segmentation the worker holds: see [`Self::with_segments`]).
    pub fn workbook(
        self: &Rc<Self>,
        source: &Source,
        task: crate::worker::workbook::WorkbookTask,
        done: impl FnOnce(Result<Vec<u8>, WorkerError>) + 'static,
    ) {
        let worker = self.worker.clone();
        let attempt = Rc::new(move |done: Answer<Vec<u8>>| worker.workbook(task.clone(), done));
        self.with_segments(source, attempt, Box::new(done));
    }

    fn run_keyed<T: Analysis>(
        self: &Rc<Self>,
        source: &Source,
        key: &str,
        req: T::Request,
        fresh: bool,
        done: Answer<Rc<T>>,
    ) {
        let full = format!("{}/{key}", self.data_key(source));
        let hit = self.cache.borrow().get(&full).and_then(T::unwrap);
        if let Some(hit) = hit.filter(|_| !fresh) {
            done(Ok(hit));
            return;
        }
        let (this, source) = (self.clone(), source.clone());
        let cancels = self.worker.cancels();
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(repo) = this.repo().filter(|_| !fresh) {
                if let Ok(Some(bytes)) = repo.result_bytes(&full, T::RECORD).await {
                    if let Ok(out) = bincode::deserialize::<T>(&bytes) {
                        let out = Rc::new(out);
                        this.cache.borrow_mut().insert(full, T::wrap(out.clone()));
                        done(Ok(out));
                        return;
                    }
                }
            }
            // Cancel pressed while the stored result was looked up: the work is not sent.
            if this.worker.cancels() != cancels {
                done(Err(WorkerError::Cancelled));
                return;
            }
            let (this2, dataset, key_full) = (this.clone(), source.meta.id.clone(), full.clone());
            let answer: Answer<T> = Box::new(move |r| match r {
                Ok(out) => {
                    let out = Rc::new(out);
                    this2
                        .cache
                        .borrow_mut()
                        .insert(full.clone(), T::wrap(out.clone()));
                    // Drawn in a task of its own: decoding the fit of a million-row log and
                    // drawing its page in one task kept the main thread busy 110-120 ms.
                    let shown = out.clone();
                    gloo::timers::callback::Timeout::new(0, move || done(Ok(shown))).forget();
                    // Kept in storage from a later task: encoding a fit of a million customers
                    // takes a while, and the page shows the result first (a task of its own,
                    // after the browser has drawn the page).
                    if let Some(repo) = this2.repo() {
                        gloo::timers::callback::Timeout::new(STORE_AFTER_MS, move || {
                            // Into a growing buffer: `bincode::serialize` first walks the
                            // whole result to size it, packing every column twice.
                            let mut bytes = Vec::new();
                            if bincode::serialize_into(&mut bytes, &*out).is_ok() {
                                // Handed to IndexedDB (two copies of the bytes) in a task of
                                // its own too: with the encoding, 60 ms in one task.
                                gloo::timers::callback::Timeout::new(0, move || {
                                    wasm_bindgen_futures::spawn_local(async move {
                                        let _ =
                                            repo.put_result_bytes(&full, T::RECORD, &bytes).await;
                                    });
                                })
                                .forget();
                            }
                        })
                        .forget();
                    }
                }
                Err(WorkerError::NotHeld { .. }) => done(Err(this2.not_held(&source))),
                Err(e) => done(Err(e)),
            });
            T::run(&this.worker, &dataset, &key_full, req, answer);
        });
    }

    /// One customer's purchases, in date order, from the log the worker holds for `source`.
    pub fn history(
        self: &Rc<Self>,
        source: &Source,
        customer: &str,
        done: impl FnOnce(Result<Vec<(chrono::NaiveDate, f64)>, WorkerError>) + 'static,
    ) {
        let (this, src) = (self.clone(), source.clone());
        self.worker
            .history(&source.meta.id, customer, move |r| match r {
                Ok(h) => done(Ok(h
                    .days
                    .iter()
                    .zip(h.amounts)
                    .filter_map(|(&d, a)| {
                        Some((chrono::NaiveDate::from_num_days_from_ce_opt(d)?, a))
                    })
                    .collect())),
                Err(WorkerError::NotHeld { .. }) => done(Err(this.not_held(&src))),
                Err(e) => done(Err(e)),
            });
    }

    /// The worker no longer holds `source` (it was restarted after a cancel or a crash, or
    /// newer imports replaced it): sends the dataset again, once, by reading it from storage,
    /// which activates it afresh so the pages ask again. Returns what to tell the user
    /// meanwhile: [`WorkerError::Resending`] (pages show work in progress), or
    /// [`WorkerError::Lost`] when the file was not kept in this browser.
    fn not_held(self: &Rc<Self>, source: &Source) -> WorkerError {
        let file_name = source.meta.file_name.clone();
        let saved = self.repo().is_some() && !self.unsaved.borrow().contains(&source.meta.id);
        if !saved {
            return WorkerError::Lost { file_name };
        }
        // Once per import of the dataset (each import is a new `Imported`).
        let this_import = source.import_id();
        if self.resending.replace(this_import) != this_import {
            self.open(source.meta.clone());
        }
        WorkerError::Resending { file_name }
    }

    /// The lifetime-value fit cached under `key`, if one is already in memory (no work
    /// started).
    pub fn cached_clv(&self, source: &Source, key: &str) -> Option<Rc<ClvResult>> {
        self.cache
            .borrow()
            .get(&format!("{}/{key}", self.data_key(source)))
            .and_then(ClvResult::unwrap)
    }

    /// Segment movement on `source` (held by the worker); not cached (it answers quickly and
    /// depends on the dates the user picks).
    pub fn movement(
        self: &Rc<Self>,
        source: &Source,
        req: crate::worker::movement::MovementRequest,
        done: impl FnOnce(Result<crate::worker::movement::MovementResult, WorkerError>) + 'static,
    ) {
        let (this, src) = (self.clone(), source.clone());
        self.worker
            .movement(&source.meta.id, req, move |r| match r {
                Err(WorkerError::NotHeld { .. }) => done(Err(this.not_held(&src))),
                r => done(r),
            });
    }

    /// New-customer value and cohorts of `source` (the worker holds its customers).
    pub fn cohorts(
        self: &Rc<Self>,
        source: &Source,
        req: crate::analysis::cohort::CohortRequest,
        done: impl FnOnce(Result<crate::analysis::cohort::CohortReport, WorkerError>) + 'static,
    ) {
        let (this, src) = (self.clone(), source.clone());
        self.worker.cohorts(&source.meta.id, req, move |r| match r {
            Err(WorkerError::NotHeld { .. }) => done(Err(this.not_held(&src))),
            r => done(r),
        });
    }

    /// A survey's analyses (see [`crate::worker::satisfaction`]), linked to the customers of
    /// `source` when there is one (the worker holds them; the request names the dataset).
    pub fn satisfaction(
        self: &Rc<Self>,
        source: Option<&Source>,
        mut req: crate::worker::satisfaction::SatisfactionRequest,
        done: impl FnOnce(Result<crate::worker::satisfaction::SatisfactionOutput, WorkerError>)
            + 'static,
    ) {
        req.dataset = source.map(|s| s.meta.id.clone());
        let Some(src) = source else {
            return self.worker.satisfaction(req, done);
        };
        let worker = self.worker.clone();
        let attempt = Rc::new(
            move |done: Answer<crate::worker::satisfaction::SatisfactionOutput>| {
                worker.satisfaction(req.clone(), done)
            },
        );
        self.with_segments(src, attempt, Box::new(done));
    }
}
