//! Hooks: the worker client shared by all pages.

use crate::domain::customers::SummaryOptions;
use crate::worker::error::WorkerError;
use crate::worker::protocol::{Bytes, Request, Response};
use crate::worker::tasks::{ImportSettings, Output, Task};
use crate::worker::AnalysisWorker;
use gloo_worker::{Spawnable, WorkerBridge};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use yew::Callback;

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

/// An import whose slices are being sent.
struct Stream {
    total: u64,
    sent: u64,
    consumed: u64,
    /// The last slice was sent: the worker is summarising and cannot stop between slices.
    ended: bool,
}

struct Inner {
    bridge: RefCell<Option<WorkerBridge<AnalysisWorker>>>,
    pending: RefCell<HashMap<u32, Done>>,
    streams: RefCell<HashMap<u32, Stream>>,
    cancelled: RefCell<std::collections::HashSet<u32>>,
    /// Customers received ahead of an import's result (see [`Response::Customers`]).
    parts: RefCell<HashMap<u32, Vec<crate::domain::customers::CustomerRecord>>>,
    /// Jobs that show no progress (quick lookups while the user reads a page).
    quiet: RefCell<std::collections::HashSet<u32>>,
    next: Cell<u32>,
    on_progress: Callback<Option<Progress>>,
}

impl Inner {
    /// Starts job bookkeeping: a new id whose result goes to `done`.
    fn start(&self, done: impl FnOnce(Result<Output, WorkerError>) + 'static) -> u32 {
        let job = self.next.get();
        self.next.set(job.wrapping_add(1));
        self.pending.borrow_mut().insert(job, Box::new(done));
        job
    }

    /// Ends a job's bookkeeping (its slices, parts, progress) and hands back where its result
    /// goes (None when it was cancelled).
    fn settle(&self, job: u32) -> Option<Done> {
        self.streams.borrow_mut().remove(&job);
        self.parts.borrow_mut().remove(&job);
        let done = self.pending.borrow_mut().remove(&job);
        if !self.quiet.borrow_mut().remove(&job) {
            self.on_progress.emit(None);
        }
        done
    }
}

fn mb(b: u64) -> String {
    format!("{:.1}", b as f64 / 1e6)
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
                cancelled: RefCell::new(std::collections::HashSet::new()),
                quiet: RefCell::new(std::collections::HashSet::new()),
                parts: RefCell::new(HashMap::new()),
                next: Cell::new(1),
                on_progress,
            }),
        }
    }

    fn send(&self, req: Request) {
        if let Some(b) = self.inner.bridge.borrow().as_ref() {
            b.send(req);
            return;
        }
        let weak = Rc::downgrade(&self.inner);
        let bridge = AnalysisWorker::spawner()
            .callback(move |resp: Response| {
                let Some(inner) = weak.upgrade() else { return };
                match resp {
                    Response::Pong { .. } => {}
                    Response::Progress {
                        job,
                        fraction,
                        stage,
                    } => {
                        if !inner.quiet.borrow().contains(&job) {
                            inner.on_progress.emit(Some(Progress {
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
                        let total = {
                            let mut streams = inner.streams.borrow_mut();
                            let Some(st) = streams.get_mut(&job) else {
                                return;
                            };
                            st.consumed = consumed;
                            st.total
                        };
                        inner.on_progress.emit(Some(Progress {
                            job,
                            fraction: 0.95 * consumed as f64 / total.max(1) as f64,
                            stage: format!(
                                "Reading rows: {} of {} MB, {rows} purchases so far",
                                mb(consumed),
                                mb(total)
                            ),
                        }));
                    }
                    Response::Customers { job, total, part } => {
                        if !inner.pending.borrow().contains_key(&job) {
                            return; // cancelled
                        }
                        let got = {
                            let mut parts = inner.parts.borrow_mut();
                            let all = parts.entry(job).or_insert_with(|| {
                                Vec::with_capacity(usize::try_from(total).unwrap_or(0))
                            });
                            all.extend(part.0);
                            all.len()
                        };
                        inner.on_progress.emit(Some(Progress {
                            job,
                            fraction: 0.95 + 0.05 * got as f64 / total.max(1) as f64,
                            stage: format!("Receiving customers: {got} of {total}"),
                        }));
                    }
                    Response::Done { job, mut output } => {
                        if let Some(all) = inner.parts.borrow_mut().remove(&job) {
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
                        if let Some(done) = inner.settle(job) {
                            done(Ok(output));
                        }
                    }
                    Response::Failed { job, error } => {
                        if let Some(done) = inner.settle(job) {
                            done(Err(error));
                        }
                    }
                }
            })
            .spawn(if crate::worker::log::enabled() {
                // The worker writes its timing lines too (see `worker::log`).
                "worker.js?debug"
            } else {
                "worker.js"
            });
        bridge.send(req);
        *self.inner.bridge.borrow_mut() = Some(bridge);
    }

    /// Runs `task` in the worker; `done` gets the result (or why it failed).
    pub fn run(&self, task: Task, done: impl FnOnce(Result<Output, WorkerError>) + 'static) -> u32 {
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

    /// Runs a quick task with no progress shown (a lookup such as one customer's purchases).
    pub fn run_quiet(&self, task: Task, done: impl FnOnce(Result<Output, WorkerError>) + 'static) {
        let job = self.inner.start(done);
        self.inner.quiet.borrow_mut().insert(job);
        self.send(Request::Run { job, task });
    }

    /// Starts an import whose bytes follow in slices ([`Self::send_slice`], then
    /// [`Self::end_import`]); `done` gets the result. Returns the job id.
    pub fn begin_import(
        &self,
        file_name: &str,
        total_bytes: u64,
        settings: ImportSettings,
        summary: SummaryOptions,
        done: impl FnOnce(Result<Output, WorkerError>) + 'static,
    ) -> u32 {
        let job = self.inner.start(done);
        self.inner.streams.borrow_mut().insert(
            job,
            Stream {
                total: total_bytes,
                sent: 0,
                consumed: 0,
                ended: false,
            },
        );
        self.inner.on_progress.emit(Some(Progress {
            job,
            fraction: 0.0,
            stage: format!("Reading {file_name}"),
        }));
        self.send(Request::ImportBegin {
            job,
            file_name: file_name.to_string(),
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

    /// Whether an import is still under way (not cancelled, not failed).
    pub fn importing(&self, job: u32) -> bool {
        self.inner.streams.borrow().contains_key(&job)
    }

    /// Waits until the worker has processed all but `ahead` bytes of what was sent, so only a
    /// few slices wait in memory. False when the job was cancelled or failed meanwhile.
    pub async fn room(&self, job: u32, ahead: u64) -> bool {
        loop {
            match self.inner.streams.borrow().get(&job) {
                None => return false,
                Some(st) if st.sent.saturating_sub(st.consumed) <= ahead => return true,
                Some(_) => {}
            }
            gloo::timers::future::TimeoutFuture::new(2).await;
        }
    }

    /// Sends the next slice of an import.
    pub fn send_slice(&self, job: u32, bytes: Vec<u8>) {
        if let Some(st) = self.inner.streams.borrow_mut().get_mut(&job) {
            st.sent += bytes.len() as u64;
        } else {
            return;
        }
        self.send(Request::ImportChunk {
            job,
            bytes: Bytes(bytes),
        });
    }

    /// Says the last slice was sent: the worker finishes and answers.
    pub fn end_import(&self, job: u32) {
        if let Some(st) = self.inner.streams.borrow_mut().get_mut(&job) {
            st.ended = true;
        }
        if self.importing(job) {
            self.inner.on_progress.emit(Some(Progress {
                job,
                fraction: 0.95,
                stage: "Summarising customers".into(),
            }));
            self.send(Request::ImportEnd { job });
        }
    }

    /// Cancels every job under way, and each reports [`WorkerError::Cancelled`]. When only imports are still
    /// being sent slice by slice (and quick lookups), the worker drops them between slices and
    /// keeps what it holds (the active dataset's log and summary); otherwise the worker is let
    /// go, since a computation cannot be stopped midway (a fresh one is spawned for the next
    /// job, and pages read what they need again).
    pub fn cancel(&self) {
        let between_slices = {
            let streams = self.inner.streams.borrow();
            let quiet = self.inner.quiet.borrow();
            self.inner
                .pending
                .borrow()
                .keys()
                .all(|j| quiet.contains(j) || streams.get(j).is_some_and(|st| !st.ended))
        };
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
