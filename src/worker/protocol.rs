//! Requests the page sends to the worker and the responses it gets back.

use serde::{Deserialize, Serialize};

/// A request from the page. `job` ties progress and results to the request that caused them.
// Messages are built once and moved across the worker boundary: boxing would gain nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Health check: the worker answers [`Response::Pong`].
    Ping {
        /// Job id.
        job: u32,
    },
    /// Run a task.
    Run {
        /// Job id.
        job: u32,
        /// What to do.
        task: crate::worker::tasks::Task,
    },
}

/// A message from the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// Answer to [`Request::Ping`].
    Pong {
        /// Job id.
        job: u32,
    },
    /// Progress of a running job, 0..=1, with what it is doing in plain words.
    Progress {
        /// Job id.
        job: u32,
        /// Fraction done.
        fraction: f64,
        /// Stage in plain words ("Reading rows").
        stage: String,
    },
    /// The job finished.
    Done {
        /// Job id.
        job: u32,
        /// Its result.
        output: crate::worker::tasks::Output,
    },
    /// The job failed; the message is for the user.
    Failed {
        /// Job id.
        job: u32,
        /// What went wrong, in plain words.
        message: String,
    },
}
