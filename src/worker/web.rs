//! The gloo worker that runs [`super::tasks`] off the main thread, and the report of its panic
//! to the page (see [`super::protocol::crash_channel_name`]).

use super::datasets::Datasets;
use super::error::WorkerError;
use super::outbox::{Outbox, PARTS_AHEAD};
use super::protocol::{Request, Response, CUSTOMERS_PER_PART};
use super::tasks::{ImportJob, Output};
use gloo_worker::{HandlerId, Registrable, Worker, WorkerScope};
use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;

/// The analysis worker. A [`Request::Run`] runs to completion; an import by address
/// ([`Request::ImportUrl`]) is read here slice by slice (see [`super::reader`]) while other
/// messages are answered, and the page cancels it with [`Request::Cancel`]; other jobs are
/// cancelled by dropping the worker. Imported logs and summaries stay here ([`Datasets`],
/// under the page's dataset id): later requests name the dataset.
#[derive(Default)]
pub struct AnalysisWorker {
    /// Imports being read: their dataset id and cancel flag.
    reading: HashMap<u32, (String, Rc<Cell<bool>>)>,
    /// Finished jobs whose customers are still going out, with who asked.
    sending: HashMap<u32, (HandlerId, Outbox)>,
    datasets: Datasets,
    /// The page is of another release: only pings are answered.
    wrong_release: bool,
    /// Panics are reported to the page (see [`report_panics`]).
    reporting: bool,
}

/// A progress callback that reports `job`'s progress to the page.
fn reporter<'a>(
    scope: &'a WorkerScope<AnalysisWorker>,
    id: HandlerId,
    job: u32,
) -> impl FnMut(f64, &str) + 'a {
    move |fraction, stage| {
        scope.respond(
            id,
            Response::Progress {
                job,
                fraction,
                stage: stage.to_string(),
            },
        );
    }
}

/// What the worker tells itself.
pub enum Note {
    /// An import by address was read (or failed): finish it and answer.
    Read {
        /// Job id.
        job: u32,
        /// Who asked.
        id: HandlerId,
        /// The job, ready to finish, or why reading failed.
        result: Result<ImportJob, WorkerError>,
    },
}

impl AnalysisWorker {
    /// Starts reading an import at `url` (see [`super::reader`]); the result comes back as a
    /// [`Note::Read`].
    fn start_reading(
        &mut self,
        scope: &WorkerScope<Self>,
        id: HandlerId,
        job: u32,
        dataset: String,
        url: String,
        j: ImportJob,
    ) {
        let cancelled = Rc::new(Cell::new(false));
        self.reading.insert(job, (dataset, cancelled.clone()));
        let scope = scope.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let file_name = j.file_name().to_string();
            let s = scope.clone();
            let mut on_slice = move |j: &ImportJob| {
                s.respond(
                    id,
                    Response::Received {
                        job,
                        consumed: j.consumed(),
                        rows: j.rows(),
                    },
                );
            };
            let read = super::reader::read(&url, &file_name, j, &cancelled, &mut on_slice).await;
            if let Some(result) = read {
                scope.send_message(Note::Read { job, id, result });
            }
        });
    }

    /// Finishes an import whose bytes were all read, holds its dataset and answers.
    fn finish_import(
        &mut self,
        scope: &WorkerScope<Self>,
        id: HandlerId,
        job: u32,
        dataset: &str,
        j: ImportJob,
    ) {
        let started = js_sys::Date::now();
        let mut progress = reporter(scope, id, job);
        let datasets = &mut self.datasets;
        let mut moved = false;
        let result = j
            .finish(&mut progress)
            .map(|mut i| {
                moved = datasets.hold_import(dataset, &mut i, CUSTOMERS_PER_PART);
                Output::Imported(Box::new(i))
            })
            .map_err(WorkerError::from);
        super::log::debug(|| {
            format!(
                "worker: job {job} finished in {:.0} ms (started at {:.0}); wasm memory {:.0} MB",
                js_sys::Date::now() - started,
                started % 1e6,
                super::log::wasm_mb()
            )
        });
        match result {
            Ok(output) if moved => {
                // The records stay here; the page gets copies of them, a few parts at a time.
                let total = self.datasets.records(dataset).len();
                let outbox = Outbox::held(dataset, total, output);
                self.send_parts(scope, id, job, outbox, PARTS_AHEAD);
            }
            result => self.reply(scope, id, job, result),
        }
    }

    /// Sends up to `parts` of `outbox`'s customers, then its result once every part is out;
    /// an outbox with parts left waits for the page's [`Request::More`].
    fn send_parts(
        &mut self,
        scope: &WorkerScope<Self>,
        id: HandlerId,
        job: u32,
        mut outbox: Outbox,
        parts: usize,
    ) {
        for _ in 0..parts {
            let t = js_sys::Date::now();
            let (response, last) = outbox.step(&self.datasets).into_response(job);
            scope.respond(id, response);
            super::log::sent(job, t);
            if last {
                super::log::debug(|| {
                    format!(
                        "worker: job {job} result sent at {:.0}; wasm memory {:.0} MB",
                        js_sys::Date::now() % 1e6,
                        super::log::wasm_mb()
                    )
                });
                return;
            }
        }
        self.sending.insert(job, (id, outbox));
    }

    /// Answers a finished job. A large customer summary goes ahead in parts, each a short step
    /// for the page to decode.
    fn reply(
        &mut self,
        scope: &WorkerScope<Self>,
        id: HandlerId,
        job: u32,
        result: Result<Output, WorkerError>,
    ) {
        match result.map(Outbox::owned) {
            Ok(Ok(outbox)) => self.send_parts(scope, id, job, outbox, PARTS_AHEAD),
            Ok(Err(output)) => scope.respond(id, Response::Done { job, output }),
            Err(error) => scope.respond(id, Response::Failed { job, error }),
        }
    }
}

impl Worker for AnalysisWorker {
    type Message = Note;
    type Input = Request;
    type Output = Response;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        AnalysisWorker::default()
    }

    fn update(&mut self, scope: &WorkerScope<Self>, msg: Self::Message) {
        let Note::Read { job, id, result } = msg;
        let Some((dataset, _)) = self.reading.remove(&job) else {
            return; // cancelled meanwhile
        };
        match result {
            Ok(j) => self.finish_import(scope, id, job, &dataset, j),
            Err(error) => scope.respond(id, Response::Failed { job, error }),
        }
    }

    fn received(&mut self, scope: &WorkerScope<Self>, msg: Self::Input, id: HandlerId) {
        if let Request::Ping { job, release, page } = &msg {
            self.wrong_release = super::protocol::check_release(release).is_err();
            if page.ends_with(super::protocol::DEBUG_SUFFIX) {
                super::log::set_enabled(true);
            }
            if !self.reporting && !page.is_empty() {
                report_panics(super::protocol::crash_channel_name(page));
                self.reporting = true;
            }
            let release = super::protocol::release();
            scope.respond(id, Response::Pong { job: *job, release });
            return;
        }
        if self.wrong_release {
            return;
        }
        match msg {
            Request::Ping { .. } => {}
            Request::Run { job, task } => {
                let mut progress = reporter(scope, id, job);
                let started = js_sys::Date::now();
                let result = super::tasks::run_with(task, &mut self.datasets, &mut progress);
                super::log::debug(|| {
                    format!(
                        "worker: job {job} computed in {:.0} ms",
                        js_sys::Date::now() - started
                    )
                });
                self.reply(scope, id, job, result);
            }
            Request::ImportUrl {
                job,
                dataset,
                file_name,
                url,
                total_bytes,
                settings,
                summary,
            } => {
                let j = ImportJob::new(&file_name, total_bytes, settings, summary);
                self.start_reading(scope, id, job, dataset, url, j);
            }
            Request::Cancel { job } => {
                if let Some((_, cancelled)) = self.reading.remove(&job) {
                    cancelled.set(true);
                }
                self.sending.remove(&job);
            }
            Request::Forget { dataset } => self.datasets.forget(dataset.as_deref()),
            Request::More { job } => {
                if let Some((id, outbox)) = self.sending.remove(&job) {
                    self.send_parts(scope, id, job, outbox, 1);
                }
            }
        }
    }
}

/// Reports a panic to the page before the worker aborts (the release build has
/// `panic = "abort"`, and gloo-worker's bridge does not pass on the worker's error event): the
/// panic's message goes out on the broadcast channel `name`, where the page fails the pending
/// jobs and starts a fresh worker for the next one. The worker then closes itself: the page
/// cannot end its thread (gloo-worker's bridge has no terminate), and a panicked worker left
/// open would linger until the tab closes.
fn report_panics(name: String) {
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let why = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "an internal error".into());
        web_sys::console::error_1(&format!("analysis worker: {info}").into());
        if let Ok(channel) = web_sys::BroadcastChannel::new(&name) {
            let _ = channel.post_message(&why.into());
        }
        // `self.close()`: the message above is already queued for the page; nothing this
        // worker still holds is worth keeping after a panic.
        let scope = js_sys::global();
        if let Ok(close) = js_sys::Reflect::get(&scope, &"close".into())
            .and_then(JsCast::dyn_into::<js_sys::Function>)
        {
            let _ = close.call0(&scope);
        }
    }));
}

/// Registers the worker (called by the worker binary); its panics are reported to the page
/// once the page's first ping names the channel.
pub fn register() {
    super::log::init_from_location();
    AnalysisWorker::registrar().register();
}
