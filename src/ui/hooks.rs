//! Hooks: the worker client shared by all pages.

use crate::worker::protocol::{Request, Response};
use crate::worker::tasks::{Output, Task};
use crate::worker::AnalysisWorker;
use gloo_worker::{Spawnable, WorkerBridge};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use yew::Callback;

type Done = Box<dyn FnOnce(Result<Output, String>)>;

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

struct Inner {
    bridge: RefCell<Option<WorkerBridge<AnalysisWorker>>>,
    pending: RefCell<HashMap<u32, Done>>,
    next: Cell<u32>,
    on_progress: Callback<Option<Progress>>,
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
                        inner.on_progress.emit(Some(Progress {
                            job,
                            fraction,
                            stage,
                        }));
                    }
                    Response::Done { job, output } => {
                        web_sys::console::debug_1(
                            &format!(
                                "page: job {job} result received at {:.0} ms",
                                js_sys::Date::now() % 1e6
                            )
                            .into(),
                        );
                        let done = inner.pending.borrow_mut().remove(&job);
                        inner.on_progress.emit(None);
                        if let Some(done) = done {
                            done(Ok(output));
                        }
                    }
                    Response::Failed { job, message } => {
                        let done = inner.pending.borrow_mut().remove(&job);
                        inner.on_progress.emit(None);
                        if let Some(done) = done {
                            done(Err(message));
                        }
                    }
                }
            })
            .spawn("worker.js");
        bridge.send(req);
        *self.inner.bridge.borrow_mut() = Some(bridge);
    }

    /// Runs `task` in the worker; `done` gets the result (or a message for the user).
    pub fn run(&self, task: Task, done: impl FnOnce(Result<Output, String>) + 'static) -> u32 {
        let job = self.inner.next.get();
        self.inner.next.set(job.wrapping_add(1));
        self.inner.pending.borrow_mut().insert(job, Box::new(done));
        self.inner.on_progress.emit(Some(Progress {
            job,
            fraction: 0.0,
            stage: "Starting".into(),
        }));
        web_sys::console::debug_1(
            &format!(
                "page: job {job} sent at {:.0} ms",
                js_sys::Date::now() % 1e6
            )
            .into(),
        );
        self.send(Request::Run { job, task });
        job
    }

    /// Cancels every job under way: the worker is terminated and the jobs report "Cancelled".
    pub fn cancel(&self) {
        self.inner.bridge.borrow_mut().take();
        let pending: Vec<Done> = self
            .inner
            .pending
            .borrow_mut()
            .drain()
            .map(|(_, d)| d)
            .collect();
        self.inner.on_progress.emit(None);
        for d in pending {
            d(Err("Cancelled.".into()));
        }
    }
}
