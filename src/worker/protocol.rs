//! Requests the page sends to the worker and the responses it gets back.
//!
//! A file is imported by address: [`Request::ImportUrl`] names an object URL of the File (or of
//! a saved dataset's stored pieces), and the worker reads it itself, slice by slice, answering
//! [`Response::Received`] after each; [`Request::Cancel`] drops the job between slices. The
//! file's bytes never pass through the page's thread or a message. (Files the page already
//! holds, such as generated samples, still travel whole in [`crate::worker::tasks::Task::Import`].)
//!
//! The first message to a fresh worker is a [`Request::Ping`] carrying the page's
//! [`release`]; the worker answers [`Response::Pong`] with its own. Both are the first variant
//! of their enum and keep their shape, so the handshake decodes across releases: a page and a
//! worker of different releases (the app was updated while a tab was open) never exchange
//! anything else. The page pings again while a job is pending, to see that the worker is alive
//! (a worker that answers a ping has finished every job sent before it).

use crate::domain::customers::SummaryOptions;
use crate::worker::tasks::ImportSettings;
use serde::{Deserialize, Serialize};

/// The version of this message protocol: raise it when a message changes shape.
pub const PROTOCOL_VERSION: u32 = 3;

/// This build's release as the handshake compares it: the protocol version and the crate
/// version ("1 0.1.0").
pub fn release() -> String {
    format!("{PROTOCOL_VERSION} {}", env!("CARGO_PKG_VERSION"))
}

/// The worker's answer to a page of release `page`: `Ok` when it is this release.
///
/// # Errors
/// [`crate::worker::error::WorkerError::WrongRelease`] naming this (the worker's) release.
pub fn check_release(page: &str) -> Result<(), crate::worker::error::WorkerError> {
    if page == release() {
        Ok(())
    } else {
        Err(crate::worker::error::WorkerError::WrongRelease { worker: release() })
    }
}

/// The broadcast channel on which a worker reports its panic to the page that named itself
/// `page` in its first [`Request::Ping`] (gloo-worker's bridge does not pass on the worker's
/// error event, and the worker's own address is a loader's: the page's name travels in the
/// handshake).
pub fn crash_channel_name(nonce: &str) -> String {
    format!("crm-worker-{nonce}")
}

/// Ends the page's name in its first [`Request::Ping`] when the page writes timing lines: the
/// worker then writes its own (see [`crate::worker::log`]).
pub const DEBUG_SUFFIX: &str = "-debug";

/// A request from the page. `job` ties progress and results to the request that caused them.
// Messages are built once and moved across the worker boundary: boxing would gain nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Handshake and health check: the worker answers [`Response::Pong`]. Keep it the first
    /// variant, with this shape, so every release decodes it.
    Ping {
        /// Ping id.
        job: u32,
        /// The page's [`release`].
        release: String,
        /// The page's name for this worker: the worker reports a panic on
        /// [`crash_channel_name`] of it.
        page: String,
    },
    /// Run a task.
    Run {
        /// Job id.
        job: u32,
        /// What to do.
        task: crate::worker::tasks::Task,
    },
    /// Import a file the worker reads itself, from `url`: an object URL (`blob:`) the page
    /// made of the File the user chose, or of a saved dataset's stored pieces. The worker
    /// answers [`Response::Received`] as it reads, then [`Response::Done`] or
    /// [`Response::Failed`]; the page revokes the URL when the job ends.
    ImportUrl {
        /// Job id.
        job: u32,
        /// The page's id of the dataset: the worker holds the imported log and summary under
        /// it (see [`crate::worker::datasets`]).
        dataset: String,
        /// Original file name (used to recognise spreadsheets, and in messages).
        file_name: String,
        /// Where the worker reads the file (a same-origin `blob:` URL).
        url: String,
        /// Size of the whole file (for progress).
        total_bytes: u64,
        /// Import settings.
        settings: ImportSettings,
        /// Summary options.
        summary: SummaryOptions,
    },
    /// Drop the job (nothing is answered).
    Cancel {
        /// Job id.
        job: u32,
    },
    /// Forget a dataset the page deleted (`None`: every dataset, after "Delete everything"),
    /// with its segmentations (nothing is answered).
    Forget {
        /// The page's id of the dataset.
        dataset: Option<String>,
    },
    /// The page has decoded a part of the job's customers ([`Response::Customers`]) and asks
    /// for the next (see [`crate::worker::outbox`]).
    More {
        /// Job id.
        job: u32,
    },
}

/// A message from the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// Answer to [`Request::Ping`]. Keep it the first variant, with this shape, so every
    /// release decodes it.
    Pong {
        /// Ping id.
        job: u32,
        /// The worker's [`release`]: when it is not the page's, the worker ignores everything
        /// but pings and the page reports [`crate::worker::error::WorkerError::WrongRelease`].
        release: String,
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
    /// A slice of an import was processed.
    Received {
        /// Job id.
        job: u32,
        /// Bytes of the file processed so far.
        consumed: u64,
        /// Usable rows read so far.
        rows: u64,
    },
    /// Part of a finished import's customer summary, sent ahead of [`Response::Done`] (whose
    /// summary then holds no customers) so the page decodes a large summary in several short
    /// steps instead of one long freeze; a few at a time, the next when the page asks for it
    /// with [`Request::More`] (see [`crate::worker::outbox`]).
    Customers {
        /// Job id.
        job: u32,
        /// Customers in the whole summary.
        total: u64,
        /// The next customers, in summary order.
        part: crate::domain::customers::Records,
    },
    /// The job finished.
    Done {
        /// Job id.
        job: u32,
        /// Its result.
        output: crate::worker::tasks::Output,
    },
    /// The job failed.
    Failed {
        /// Job id.
        job: u32,
        /// What went wrong (its text is for the user).
        error: crate::worker::error::WorkerError,
    },
}

/// Customers per [`Response::Customers`] part: about 2 MB, decoded on the page in some 10–25 ms
/// (parts of 100,000 blocked the page 60–110 ms each). Each part is a message of its own, so
/// the page handles it in a task of its own and draws in between.
pub const CUSTOMERS_PER_PART: usize = 20_000;

/// Bytes that serialize as one block (bincode writes the length and copies them), not as a
/// sequence of numbers (`serde_bytes`; a sequence of numbers, as JSON writes, is read too).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Bytes(#[serde(with = "serde_bytes")] pub Vec<u8>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handshake_accepts_only_this_release_and_decodes_as_the_first_variant() {
        assert_eq!(check_release(&release()), Ok(()));
        let other = format!("{} 0.0.0-old", PROTOCOL_VERSION + 1);
        assert_eq!(
            check_release(&other),
            Err(crate::worker::error::WorkerError::WrongRelease { worker: release() })
        );
        assert!(
            crate::worker::error::WorkerError::WrongRelease { worker: release() }
                .to_string()
                .contains("reload the page")
        );
        // Ping and Pong are variant 0: a u32 tag 0, the id, then the release as a string.
        let ping = bincode::serialize(&Request::Ping {
            job: 3,
            release: other.clone(),
            page: "p1".into(),
        })
        .unwrap();
        assert_eq!(&ping[..8], &[0, 0, 0, 0, 3, 0, 0, 0]);
        let pong = bincode::serialize(&Response::Pong {
            job: 3,
            release: other,
        })
        .unwrap();
        assert!(ping.starts_with(&pong));
        assert_eq!(crash_channel_name("p1"), "crm-worker-p1");
    }

    #[test]
    fn bytes_cross_bincode_as_one_block_and_an_import_names_its_url() {
        let wire = bincode::serialize(&Bytes(vec![1, 2, 3, 250])).unwrap();
        // length (8) + the bytes themselves.
        assert_eq!(wire.len(), 8 + 4);
        assert_eq!(
            bincode::deserialize::<Bytes>(&wire).unwrap(),
            Bytes(vec![1, 2, 3, 250])
        );
        let json = serde_json::to_string(&Bytes(vec![9, 8])).unwrap();
        assert_eq!(
            serde_json::from_str::<Bytes>(&json).unwrap(),
            Bytes(vec![9, 8])
        );
        let req = Request::ImportUrl {
            job: 7,
            dataset: "d1".into(),
            file_name: "log.csv".into(),
            url: "blob:http://127.0.0.1/0c4e".into(),
            total_bytes: 1 << 30,
            settings: ImportSettings::default(),
            summary: SummaryOptions::default(),
        };
        let wire = bincode::serialize(&req).unwrap();
        assert_eq!(bincode::deserialize::<Request>(&wire).unwrap(), req);
    }
}
