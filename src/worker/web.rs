//! The gloo worker that runs [`super::tasks`] off the main thread.

use super::protocol::{Request, Response};
use gloo_worker::{HandlerId, Registrable, Worker, WorkerScope};

/// The analysis worker. Each request runs to completion; the page cancels a job by dropping
/// the worker and spawning a new one.
pub struct AnalysisWorker;

impl Worker for AnalysisWorker {
    type Message = ();
    type Input = Request;
    type Output = Response;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        AnalysisWorker
    }

    fn update(&mut self, _scope: &WorkerScope<Self>, _msg: Self::Message) {}

    fn received(&mut self, scope: &WorkerScope<Self>, msg: Self::Input, id: HandlerId) {
        match msg {
            Request::Ping { job } => scope.respond(id, Response::Pong { job }),
            Request::Run { job, task } => {
                let mut progress = |fraction: f64, stage: &str| {
                    scope.respond(
                        id,
                        Response::Progress {
                            job,
                            fraction,
                            stage: stage.to_string(),
                        },
                    );
                };
                let started = js_sys::Date::now();
                let result = super::tasks::run(task, &mut progress);
                web_sys::console::debug_1(
                    &format!(
                        "worker: job {job} computed in {:.0} ms",
                        js_sys::Date::now() - started
                    )
                    .into(),
                );
                let reply = match result {
                    Ok(output) => Response::Done { job, output },
                    Err(message) => Response::Failed { job, message },
                };
                scope.respond(id, reply);
            }
        }
    }
}

/// Registers the worker (called by the worker binary).
pub fn register() {
    AnalysisWorker::registrar().register();
}
