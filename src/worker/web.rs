//! The gloo worker that runs [`super::tasks`] off the main thread, and the report of its panic
//! to the page (see [`super::protocol::crash_channel_name`]).

use super::datasets::Datasets;
use super::error::WorkerError;
use super::protocol::{customer_parts, Request, Response};
use super::tasks::{ImportJob, Output};
use crate::domain::customers::Records;
use gloo_worker::{HandlerId, Registrable, Worker, WorkerScope};
use std::collections::HashMap;
use wasm_bindgen::JsCast;

/// The analysis worker. A [`Request::Run`] runs to completion; an import arriving in slices
/// keeps its [`ImportJob`] here between messages. The page cancels a slice-by-slice import by
/// sending [`Request::Cancel`] (and no more slices); other jobs by dropping the worker.
/// Imported logs and summaries stay here ([`Datasets`], under the page's dataset id): later
/// requests name the dataset.
#[derive(Default)]
pub struct AnalysisWorker {
    imports: HashMap<u32, (String, ImportJob)>,
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

impl AnalysisWorker {
    /// Answers a finished job. A large customer summary goes ahead in parts, each a short step
    /// for the page to decode.
    fn reply(
        &mut self,
        scope: &WorkerScope<Self>,
        id: HandlerId,
        job: u32,
        result: Result<Output, WorkerError>,
    ) {
        let reply = match result {
            Ok(mut output) => {
                let parts = customer_parts(&mut output);
                let total = parts.iter().map(Vec::len).sum::<usize>() as u64;
                for part in parts {
                    scope.respond(
                        id,
                        Response::Customers {
                            job,
                            total,
                            part: Records(part),
                        },
                    );
                }
                Response::Done { job, output }
            }
            Err(error) => Response::Failed { job, error },
        };
        scope.respond(id, reply);
    }
}

impl Worker for AnalysisWorker {
    type Message = ();
    type Input = Request;
    type Output = Response;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        AnalysisWorker::default()
    }

    fn update(&mut self, _scope: &WorkerScope<Self>, _msg: Self::Message) {}

    fn received(&mut self, scope: &WorkerScope<Self>, msg: Self::Input, id: HandlerId) {
        if let Request::Ping { job, release, page } = &msg {
            self.wrong_release = super::protocol::check_release(release).is_err();
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
            Request::ImportBegin {
                job,
                dataset,
                file_name,
                total_bytes,
                settings,
                summary,
            } => {
                let j = ImportJob::new(&file_name, total_bytes, settings, summary);
                self.imports.insert(job, (dataset, j));
            }
            Request::ImportChunk { job, bytes } => {
                let Some((_, j)) = self.imports.get_mut(&job) else {
                    return; // cancelled, or failed on an earlier slice
                };
                let started = js_sys::Date::now();
                match j.feed(&bytes.0) {
                    Ok(()) => {
                        super::log::debug(|| {
                            format!(
                            "worker: job {job} slice of {} bytes in {:.0} ms (started at {:.0})",
                            bytes.0.len(),
                            js_sys::Date::now() - started,
                            started % 1e6
                        )
                        });
                        scope.respond(
                            id,
                            Response::Received {
                                job,
                                consumed: j.consumed(),
                                rows: j.rows(),
                            },
                        );
                    }
                    Err(e) => {
                        self.imports.remove(&job);
                        let error = e.into();
                        scope.respond(id, Response::Failed { job, error });
                    }
                }
            }
            Request::ImportEnd { job } => {
                let Some((dataset, j)) = self.imports.remove(&job) else {
                    return;
                };
                let started = js_sys::Date::now();
                let mut progress = reporter(scope, id, job);
                let datasets = &mut self.datasets;
                let result = j
                    .finish(&mut progress)
                    .map(|mut i| {
                        datasets.take_import(&dataset, &mut i);
                        Output::Imported(Box::new(i))
                    })
                    .map_err(WorkerError::from);
                super::log::debug(|| {
                    format!(
                        "worker: job {job} finished in {:.0} ms (started at {:.0})",
                        js_sys::Date::now() - started,
                        started % 1e6
                    )
                });
                self.reply(scope, id, job, result);
                super::log::debug(|| {
                    format!(
                        "worker: job {job} result sent at {:.0}",
                        js_sys::Date::now() % 1e6
                    )
                });
            }
            Request::Cancel { job } => {
                self.imports.remove(&job);
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
