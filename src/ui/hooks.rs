//! Hooks: the worker client shared by all pages. Each task has its own method and result type
//! (`clv` answers a [`ClvResult`], `history` a [`History`] …), and every failure is a
//! [`WorkerError`], matched by variant.
//!
//! The client watches its worker. A fresh worker is first sent a handshake ping with the
//! page's release (requests wait until it answers; a worker of another release fails every job
//! with [`WorkerError::WrongRelease`]). A worker that panics reports it on a broadcast channel
//! named in that ping. While jobs are pending the client pings again every
//! [`HEARTBEAT_MS`]: a worker that answers has finished every job sent before the ping, so a
//! job still pending then was lost; a worker silent for [`SILENT_MS`] (no progress, no answer)
//! or, with nothing to do, not answering within [`HEARTBEAT_MS`], is dead. A lost worker fails
//! its jobs with [`WorkerError::WorkerCrashed`] and is let go: the next job starts a fresh one.

use crate::domain::customers::SummaryOptions;
use crate::ui::format;
use crate::worker::clv::{ClvRequest, ClvResult, ValidationOutcome};
use crate::worker::error::WorkerError;
use crate::worker::protocol::{self, Request, Response};
use crate::worker::segment::{SegmentRequest, SegmentResult};
use crate::worker::tasks::{History, ImportSettings, Imported, Output, SampleFiles, Task};
use crate::worker::AnalysisWorker;
use gloo_worker::{Spawnable, WorkerBridge};
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use watch::{crash_channel, later, watch, CrashChannel, Ping};
use yew::Callback;

mod tasks;
mod watch;

pub mod asks;
pub mod kpool;
pub mod pool;

/// How often the client checks on a worker with pending jobs.
pub const HEARTBEAT_MS: u32 = 5_000;
/// How long a busy worker may stay silent (no progress message) before it is taken for dead.
pub const SILENT_MS: f64 = 60_000.0;

type Done = Box<dyn FnOnce(Result<Output, WorkerError>)>;

/// Progress of the job under way, shared with the page that started it.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// Job id.
    pub job: u32,
    /// 0..=1.
    pub fraction: f64,
    /// Plain-words stage.
    pub stage: String,
}

/// An import the worker is reading (see [`WorkerClient::import_url`]).
struct Stream {
    total: u64,
    consumed: u64,
    /// The worker has read the whole file: it is summarising and cannot stop between slices.
    ended: bool,
}

struct Inner {
    bridge: RefCell<Option<WorkerBridge<AnalysisWorker>>>,
    /// The worker answered the handshake: requests go straight to it.
    ready: Cell<bool>,
    /// Requests waiting for the handshake.
    queue: RefCell<Vec<Request>>,
    /// The worker's release when it is not the page's: every job fails at once.
    outdated: RefCell<Option<String>>,
    /// The liveness ping under way.
    ping: RefCell<Option<Ping>>,
    /// When the worker was last heard from (page clock, ms).
    last_heard: Cell<f64>,
    /// The watchdog loop is running.
    watching: Cell<bool>,
    crash_channel: RefCell<Option<CrashChannel>>,
    /// This page's name for its workers (with a count of the workers started).
    nonce: String,
    spawned: Cell<u32>,
    pending: RefCell<HashMap<u32, Done>>,
    streams: RefCell<HashMap<u32, Stream>>,
    cancelled: RefCell<HashSet<u32>>,
    /// Customers received ahead of an import's result (see [`Response::Customers`]).
    parts: RefCell<HashMap<u32, Vec<crate::domain::customers::CustomerRecord>>>,
    /// Jobs that show no progress (quick lookups while the user reads a page).
    quiet: RefCell<HashSet<u32>>,
    /// Jobs never sent that stand for work on other workers (a split k-means search, see
    /// [`kpool`]): Cancel and the worker's loss fail them, the liveness ping does not.
    standing: RefCell<HashSet<u32>>,
    next: Cell<u32>,
    /// How many times the user pressed Cancel: work asked for before a cancel and not yet
    /// sent (a cached result being looked up first) is dropped, not sent after it.
    cancels: Cell<u32>,
    on_progress: Callback<Option<Progress>>,
}

impl Inner {
    /// Starts job bookkeeping: a new id whose result goes to `done`.
    fn start(&self, done: Done) -> u32 {
        let job = self.next.get();
        self.next.set(job.wrapping_add(1));
        self.pending.borrow_mut().insert(job, done);
        job
    }

    /// Ends a job's bookkeeping (its slices, parts, progress) and hands back where its result
    /// goes (None when it was cancelled).
    fn settle(&self, job: u32) -> Option<Done> {
        self.streams.borrow_mut().remove(&job);
        self.parts.borrow_mut().remove(&job);
        let done = self.pending.borrow_mut().remove(&job);
        self.standing.borrow_mut().remove(&job);
        if !self.quiet.borrow_mut().remove(&job) {
            self.on_progress.emit(None);
        }
        done
    }

    /// Handles one message from the worker.
    fn received(self: &Rc<Self>, resp: Response) {
        self.last_heard.set(js_sys::Date::now());
        match resp {
            Response::Pong { job, release } => self.pong(job, release),
            Response::Progress {
                job,
                fraction,
                stage,
            } => {
                if !self.quiet.borrow().contains(&job) {
                    self.on_progress.emit(Some(Progress {
                        job,
                        fraction,
                        stage,
                    }));
                }
            }
            Response::Received {
                job,
                consumed,
                rows,
            } => {
                let (total, ended) = {
                    let mut streams = self.streams.borrow_mut();
                    let Some(st) = streams.get_mut(&job) else {
                        return;
                    };
                    st.consumed = consumed;
                    st.ended = consumed >= st.total;
                    (st.total, st.ended)
                };
                self.on_progress.emit(Some(Progress {
                    job,
                    fraction: 0.95 * consumed as f64 / total.max(1) as f64,
                    stage: if ended {
                        format!(
                            "Summarising customers ({} purchases)",
                            format::thousands(rows as f64, 0)
                        )
                    } else {
                        format!(
                            "Reading rows: {} of {} MB, {} purchases so far",
                            mb(consumed),
                            mb(total),
                            format::thousands(rows as f64, 0)
                        )
                    },
                }));
            }
            Response::Customers { job, total, part } => {
                if !self.pending.borrow().contains_key(&job) {
                    return; // cancelled
                }
                // This part is decoded: the worker sends the next (or the result), so only a
                // few parts wait in the page's queue (see `worker::outbox`).
                if let Some(b) = self.bridge.borrow().as_ref() {
                    b.send(Request::More { job });
                }
                let got = {
                    let mut parts = self.parts.borrow_mut();
                    let all = parts
                        .entry(job)
                        .or_insert_with(|| Vec::with_capacity(usize::try_from(total).unwrap_or(0)));
                    all.extend(part.0);
                    all.len()
                };
                crate::worker::log::debug(|| {
                    format!(
                        "page: job {job} has {got} of {total} customers at {:.0} ms",
                        js_sys::Date::now() % 1e6
                    )
                });
                self.on_progress.emit(Some(Progress {
                    job,
                    fraction: 0.95 + 0.05 * got as f64 / total.max(1) as f64,
                    stage: format!(
                        "Receiving customers: {} of {}",
                        format::thousands(got as f64, 0),
                        format::thousands(total as f64, 0)
                    ),
                }));
            }
            Response::Done { job, mut output } => {
                if let Some(all) = self.parts.borrow_mut().remove(&job) {
                    if let Output::Imported(imp) = &mut output {
                        if let Some(s) = imp.summary.as_mut() {
                            s.customers = all;
                        }
                    }
                }
                crate::worker::log::debug(|| {
                    format!(
                        "page: job {job} result received at {:.0} ms",
                        js_sys::Date::now() % 1e6
                    )
                });
                if let Some(done) = self.settle(job) {
                    done(Ok(output));
                }
            }
            Response::Failed { job, error } => {
                if let Some(done) = self.settle(job) {
                    done(Err(error));
                }
            }
        }
    }
}

/// Megabytes with one decimal, in the user's number format.
fn mb(b: u64) -> String {
    format::fixed(b as f64 / 1e6, 1)
}

/// `done` for a task whose output is `unpack`ed: another kind of output (a bug) is
/// [`WorkerError::Unexpected`], here rather than in every page.
fn typed<T: 'static>(
    unpack: fn(Output) -> Option<T>,
    done: impl FnOnce(Result<T, WorkerError>) + 'static,
) -> Done {
    Box::new(move |r: Result<Output, WorkerError>| {
        done(r.and_then(|o| unpack(o).ok_or(WorkerError::Unexpected)))
    })
}

fn imported(o: Output) -> Option<Imported> {
    match o {
        Output::Imported(i) => Some(*i),
        _ => None,
    }
}

/// A client of the analysis worker: run a task, get progress and the result; cancel a job by
/// terminating the worker (a fresh one is spawned for the next job).
#[derive(Clone)]
pub struct WorkerClient {
    inner: Rc<Inner>,
}

impl PartialEq for WorkerClient {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

impl WorkerClient {
    /// A client reporting progress through `on_progress` (None when idle).
    pub fn new(on_progress: Callback<Option<Progress>>) -> Self {
        WorkerClient {
            inner: Rc::new(Inner {
                bridge: RefCell::new(None),
                pending: RefCell::new(HashMap::new()),
                streams: RefCell::new(HashMap::new()),
                cancelled: RefCell::new(HashSet::new()),
                cancels: Cell::new(0),
                ready: Cell::new(false),
                queue: RefCell::new(Vec::new()),
                outdated: RefCell::new(None),
                ping: RefCell::new(None),
                last_heard: Cell::new(0.0),
                watching: Cell::new(false),
                crash_channel: RefCell::new(None),
                nonce: format!(
                    "{:08x}",
                    (js_sys::Math::random() * f64::from(u32::MAX)) as u32
                ),
                spawned: Cell::new(0),
                quiet: RefCell::new(HashSet::new()),
                standing: RefCell::new(HashSet::new()),
                parts: RefCell::new(HashMap::new()),
                next: Cell::new(1),
                on_progress,
            }),
        }
    }

    fn send(&self, req: Request) {
        let inner = &self.inner;
        if let Some(worker) = inner.outdated.borrow().clone() {
            // The app was updated: no job can run until the page is reloaded.
            later(inner, move |inner| {
                inner.let_go(&WorkerError::WrongRelease { worker });
            });
            return;
        }
        if !inner.watching.replace(true) {
            wasm_bindgen_futures::spawn_local(watch(Rc::downgrade(inner)));
        }
        if let Some(b) = inner.bridge.borrow().as_ref() {
            if inner.ready.get() {
                b.send(req);
            } else {
                inner.queue.borrow_mut().push(req);
            }
            return;
        }
        // A worker started from an object URL cannot read its own address's `?debug`: the
        // page's name tells it (see `worker::log`).
        let debug = if crate::worker::log::enabled() {
            protocol::DEBUG_SUFFIX
        } else {
            ""
        };
        let page = format!("{}-{}{debug}", inner.nonce, inner.spawned.get());
        inner.spawned.set(inner.spawned.get().wrapping_add(1));
        *inner.crash_channel.borrow_mut() = crash_channel(inner, &page);
        let weak = Rc::downgrade(inner);
        let bridge = AnalysisWorker::spawner()
            .callback(move |resp: Response| {
                if let Some(inner) = weak.upgrade() {
                    inner.received(resp);
                }
            })
            .spawn(if crate::worker::log::enabled() {
                // The worker writes its timing lines too (see `worker::log`).
                "worker.js?debug"
            } else {
                "worker.js"
            });
        let id = inner.next.get();
        inner.next.set(id.wrapping_add(1));
        // The handshake: nothing else is sent until the worker answers it.
        bridge.send(Request::Ping {
            job: id,
            release: protocol::release(),
            page,
        });
        inner.ready.set(false);
        inner.queue.borrow_mut().push(req);
        inner.last_heard.set(js_sys::Date::now());
        *inner.bridge.borrow_mut() = Some(bridge);
    }

    /// Runs `task` with progress shown; `done` gets its output.
    fn run(&self, task: Task, done: Done) -> u32 {
        let job = self.inner.start(done);
        self.inner.on_progress.emit(Some(Progress {
            job,
            fraction: 0.0,
            stage: "Starting".into(),
        }));
        crate::worker::log::debug(|| {
            format!(
                "page: job {job} sent at {:.0} ms",
                js_sys::Date::now() % 1e6
            )
        });
        self.send(Request::Run { job, task });
        job
    }

    /// Generates the built-in sample files.
    pub fn sample(
        &self,
        n_customers: u32,
        seed: u64,
        done: impl FnOnce(Result<SampleFiles, WorkerError>) + 'static,
    ) {
        let unpack = |o| match o {
            Output::Sample(s) => Some(s),
            _ => None,
        };
        self.run(Task::Sample { n_customers, seed }, typed(unpack, done));
    }

    /// Imports a whole file; the worker holds its log and summary under `dataset`.
    pub fn import(
        &self,
        dataset: &str,
        file_name: &str,
        bytes: Vec<u8>,
        settings: ImportSettings,
        summary: SummaryOptions,
        done: impl FnOnce(Result<Imported, WorkerError>) + 'static,
    ) {
        let task = Task::Import {
            dataset: dataset.to_string(),
            file_name: file_name.to_string(),
            bytes,
            settings,
            summary,
        };
        self.run(task, typed(imported, done));
    }

    /// Fits a lifetime-value model on the dataset the worker holds.
    pub fn clv(
        &self,
        dataset: &str,
        request: ClvRequest,
        done: impl FnOnce(Result<ClvResult, WorkerError>) + 'static,
    ) {
        let unpack = |o| match o {
            Output::Clv(r) => Some(*r),
            _ => None,
        };
        let task = Task::Clv {
            dataset: dataset.to_string(),
            request: Box::new(request),
        };
        self.run(task, typed(unpack, done));
    }

    /// The calibration/holdout check of a lifetime-value fit, on the log the worker holds.
    pub fn clv_validation(
        &self,
        dataset: &str,
        request: ClvRequest,
        done: impl FnOnce(Result<ValidationOutcome, WorkerError>) + 'static,
    ) {
        let unpack = |o| match o {
            Output::ClvValidation(r) => Some(*r),
            _ => None,
        };
        let task = Task::ClvValidation {
            dataset: dataset.to_string(),
            request: Box::new(request),
        };
        self.run(task, typed(unpack, done));
    }

    /// Segments the customers of the dataset the worker holds; the worker keeps the whole
    /// result under `key` and answers its view (no per-customer columns).
    pub fn segment(
        &self,
        dataset: &str,
        key: &str,
        request: SegmentRequest,
        done: impl FnOnce(Result<SegmentResult, WorkerError>) + 'static,
    ) {
        let unpack = |o| match o {
            Output::Segment(r) => Some(*r),
            _ => None,
        };
        let task = Task::Segment {
            dataset: dataset.to_string(),
            key: key.to_string(),
            request: Box::new(request),
        };
        self.run(task, typed(unpack, done));
    }

    /// A question about the customers of the segmentation the worker holds under `key`: a
    /// quick lookup, with no progress shown.
    pub fn segment_query(
        &self,
        key: &str,
        query: crate::worker::segment::SegmentQuery,
        done: impl FnOnce(Result<crate::worker::segment::SegmentAnswer, WorkerError>) + 'static,
    ) {
        let unpack = |o| match o {
            Output::SegmentAnswer(a) => Some(*a),
            _ => None,
        };
        let job = self.inner.start(typed(unpack, done));
        self.inner.quiet.borrow_mut().insert(job);
        let task = Task::SegmentQuery {
            key: key.to_string(),
            query: Box::new(query),
        };
        self.send(Request::Run { job, task });
    }

    /// One customer's purchases from the dataset the worker holds: a quick lookup, with no
    /// progress shown.
    pub fn history(
        &self,
        dataset: &str,
        customer: &str,
        done: impl FnOnce(Result<History, WorkerError>) + 'static,
    ) {
        let unpack = |o| match o {
            Output::History(h) => Some(h),
            _ => None,
        };
        let job = self.inner.start(typed(unpack, done));
        self.inner.quiet.borrow_mut().insert(job);
        let task = Task::History {
            dataset: dataset.to_string(),
            customer: customer.to_string(),
        };
        self.send(Request::Run { job, task });
    }

    /// Starts an import that the worker reads itself from `url` (an object URL of the file;
    /// the caller revokes it once [`Self::importing`] turns false); the worker holds its log
    /// and summary under `dataset`, and `done` gets the result. Returns the job id.
    #[allow(clippy::too_many_arguments)]
    pub fn import_url(
        &self,
        dataset: &str,
        file_name: &str,
        url: &str,
        total_bytes: u64,
        settings: ImportSettings,
        summary: SummaryOptions,
        done: impl FnOnce(Result<Imported, WorkerError>) + 'static,
    ) -> u32 {
        let job = self.inner.start(typed(imported, done));
        self.inner.streams.borrow_mut().insert(
            job,
            Stream {
                total: total_bytes,
                consumed: 0,
                ended: false,
            },
        );
        self.inner.on_progress.emit(Some(Progress {
            job,
            fraction: 0.0,
            stage: format!("Reading {file_name}"),
        }));
        crate::worker::log::debug(|| {
            format!(
                "page: job {job} sent at {:.0} ms",
                js_sys::Date::now() % 1e6
            )
        });
        self.send(Request::ImportUrl {
            job,
            dataset: dataset.to_string(),
            file_name: file_name.to_string(),
            url: url.to_string(),
            total_bytes,
            settings,
            summary,
        });
        job
    }

    /// Whether the user cancelled an import (as opposed to the worker failing on it).
    pub fn was_cancelled(&self, job: u32) -> bool {
        self.inner.cancelled.borrow().contains(&job)
    }

    /// Whether an import is still under way (not done, cancelled or failed).
    pub fn importing(&self, job: u32) -> bool {
        self.inner.streams.borrow().contains_key(&job)
    }

    /// Segment movement between two dates on the dataset the worker holds.
    pub fn movement(
        &self,
        dataset: &str,
        request: crate::worker::movement::MovementRequest,
        done: impl FnOnce(Result<crate::worker::movement::MovementResult, WorkerError>) + 'static,
    ) {
        let unpack = |o| match o {
            Output::Movement(r) => Some(*r),
            _ => None,
        };
        let task = Task::Movement {
            dataset: dataset.to_string(),
            request: Box::new(request),
        };
        self.run(task, typed(unpack, done));
    }

    /// Tells the worker to forget a deleted dataset (`None`: every dataset), so its memory
    /// goes to the next import; a worker not started holds nothing.
    pub fn forget(&self, dataset: Option<String>) {
        if self.inner.bridge.borrow().is_some() {
            self.send(Request::Forget { dataset });
        }
    }

    /// How many times Cancel was pressed: a caller that waits before sending work compares it
    /// with the count when the work was asked for.
    pub fn cancels(&self) -> u32 {
        self.inner.cancels.get()
    }

    /// Cancels every job under way, and each reports [`WorkerError::Cancelled`]. When only
    /// imports are still being read slice by slice (and quick lookups), the worker drops them
    /// between slices and keeps the datasets it holds; otherwise the worker is let go, since a
    /// computation cannot be stopped midway (a fresh one is spawned for the next job, and pages
    /// send the datasets they need again).
    pub fn cancel(&self) {
        self.inner
            .cancels
            .set(self.inner.cancels.get().wrapping_add(1));
        let between_slices = {
            let streams = self.inner.streams.borrow();
            let quiet = self.inner.quiet.borrow();
            self.inner
                .pending
                .borrow()
                .keys()
                .all(|j| quiet.contains(j) || streams.get(j).is_some_and(|st| !st.ended))
        };
        // A worker silent while it should be reading may be dead: let it go rather than keep it.
        let heard = js_sys::Date::now() - self.inner.last_heard.get() < f64::from(HEARTBEAT_MS);
        let reading = self.inner.streams.borrow().values().any(|st| !st.ended);
        let between_slices = between_slices && (heard || !reading);
        let streams: Vec<u32> = self
            .inner
            .streams
            .borrow_mut()
            .drain()
            .map(|(j, _)| j)
            .collect();
        let alive = self.inner.bridge.borrow().is_some();
        for job in streams {
            if alive {
                self.send(Request::Cancel { job });
            }
            self.inner.cancelled.borrow_mut().insert(job);
        }
        if !between_slices {
            self.inner.bridge.borrow_mut().take();
            self.inner.crash_channel.borrow_mut().take();
            self.inner.ready.set(false);
            self.inner.queue.borrow_mut().clear();
            self.inner.ping.borrow_mut().take();
            self.inner.quiet.borrow_mut().clear();
        }
        self.inner.parts.borrow_mut().clear();
        // Quick lookups still answer when the worker stays.
        let pending: Vec<Done> = {
            let mut pending = self.inner.pending.borrow_mut();
            let quiet = self.inner.quiet.borrow();
            let jobs: Vec<u32> = pending
                .keys()
                .filter(|j| !quiet.contains(j))
                .copied()
                .collect();
            jobs.iter().filter_map(|j| pending.remove(j)).collect()
        };
        self.inner.on_progress.emit(None);
        for d in pending {
            d(Err(WorkerError::Cancelled));
        }
    }
}
