//! A pool of extra analysis workers for the parametric bootstrap: [`pool_size`] workers
//! (one fewer than the browser's cores, 1 to [`MAX_WORKERS`]), spawned when a bootstrap starts
//! and let go when it ends, fails or is cancelled. Each pool worker is a [`WorkerClient`] of
//! its own, so it is watched like the main one (handshake, liveness pings, panic report): a
//! worker that dies fails the whole bootstrap with a plain message, never a hang.
//!
//! The page only splits the replicates' index range into chunks (one chunk per worker at a
//! time, the next handed out when one comes back, so a cancelled worker stops after its
//! chunk), adds up the progress, and merges the parts
//! ([`crate::domain::clv::bootstrap::BootstrapPart::merge`], in any order: the same result as
//! one run). The merged part then goes to the main worker, which holds the customers
//! ([`WorkerClient::bootstrap_intervals`]).

use super::{typed, WorkerClient};
use crate::domain::clv::bootstrap::BootstrapPart;
use crate::domain::clv::{ClvSettings, FittedGammaGamma, FittedModel};
use crate::worker::bootstrap::{BootstrapColumns, BootstrapTask};
use crate::worker::error::WorkerError;
use crate::worker::intervals::ValueRanges;
use crate::worker::tasks::{Output, Task};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use yew::Callback;

/// Most workers in a pool.
pub const MAX_WORKERS: u32 = 8;
/// Most replicates handed to a worker at once (a cancelled worker finishes its chunk: the
/// page lets it go at once, and it closes when its chunk is done).
pub const MAX_CHUNK: u32 = 10;
/// Most replicates at once when each simulates more than [`LARGE`] customers (a refit then
/// takes seconds, and sending the ages again costs little beside it).
pub const MAX_CHUNK_LARGE: u32 = 2;
/// Simulated customers above which chunks are at most [`MAX_CHUNK_LARGE`].
pub const LARGE: f64 = 100_000.0;

/// Workers for a pool: the browser's logical cores less one (the page's), 1 to
/// [`MAX_WORKERS`].
pub fn pool_size() -> u32 {
    let cores = web_sys::window().map_or(2.0, |w| w.navigator().hardware_concurrency());
    let cores = if cores.is_finite() && cores >= 1.0 {
        cores as u32
    } else {
        2
    };
    cores.saturating_sub(1).clamp(1, MAX_WORKERS)
}

/// Where a pooled bootstrap stands.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolProgress {
    /// Refits finished (whole replicates, counting those under way by their share done).
    pub done: f64,
    /// Refits asked for.
    pub total: u32,
    /// Workers in the pool.
    pub workers: u32,
}

impl PoolProgress {
    /// Share done, 0..=1.
    pub fn fraction(&self) -> f64 {
        (self.done / f64::from(self.total.max(1))).clamp(0.0, 1.0)
    }

    /// In plain words: "Refit 37 of 200 on 3 workers".
    pub fn stage(&self) -> String {
        let w = self.workers;
        format!(
            "Refit {} of {} on {w} worker{}",
            self.done.floor() as u64,
            self.total,
            if w == 1 { "" } else { "s" }
        )
    }
}

type PartDone = Box<dyn FnOnce(Result<BootstrapPart, WorkerError>)>;

struct Run {
    clients: Vec<WorkerClient>,
    /// Per worker: the chunk under way (replicates, share done).
    running: Vec<Option<(u32, f64)>>,
    next: u32,
    total: u32,
    chunk: u32,
    finished: u32,
    merged: BootstrapPart,
    over: bool,
    model: FittedModel,
    spend: Option<FittedGammaGamma>,
    columns: BootstrapColumns,
    seed: u64,
    on_progress: Callback<PoolProgress>,
    done: Option<PartDone>,
}

impl Run {
    fn progress(&self) -> PoolProgress {
        let under_way: f64 = self
            .running
            .iter()
            .flatten()
            .map(|(n, f)| f64::from(*n) * f)
            .sum();
        PoolProgress {
            done: f64::from(self.finished) + under_way,
            total: self.total,
            workers: self.clients.len() as u32,
        }
    }
}

/// A bootstrap under way on a pool of workers; dropping it does not stop it ([`Pool::cancel`]
/// does).
#[derive(Clone)]
pub struct Pool {
    run: Rc<RefCell<Run>>,
}

impl PartialEq for Pool {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.run, &other.run)
    }
}

impl Pool {
    /// Starts refitting replicates `0..total` (replicate i seeded `seed + i`) on a fresh pool
    /// of [`pool_size`] workers; `on_progress` hears every step and `done` gets the merged
    /// part (or the first failure, or [`WorkerError::Cancelled`]).
    pub fn bootstrap(
        model: FittedModel,
        spend: Option<FittedGammaGamma>,
        columns: BootstrapColumns,
        total: u32,
        seed: u64,
        on_progress: Callback<PoolProgress>,
        done: impl FnOnce(Result<BootstrapPart, WorkerError>) + 'static,
    ) -> Pool {
        let workers = pool_size().min(total.max(1));
        let most = if columns.simulated() > LARGE {
            MAX_CHUNK_LARGE
        } else {
            MAX_CHUNK
        };
        let chunk = total.div_ceil(workers * 8).clamp(1, most);
        let run = Rc::new(RefCell::new(Run {
            clients: Vec::new(),
            running: vec![None; workers as usize],
            next: 0,
            total,
            chunk,
            finished: 0,
            merged: BootstrapPart::default(),
            over: false,
            model,
            spend,
            columns,
            seed,
            on_progress,
            done: Some(Box::new(done)),
        }));
        for w in 0..workers as usize {
            let weak = Rc::downgrade(&run);
            let client = WorkerClient::new(Callback::from(move |p: Option<super::Progress>| {
                let Some(run) = weak.upgrade() else { return };
                let Some(p) = p else { return };
                let report = {
                    let Ok(mut r) = run.try_borrow_mut() else {
                        return;
                    };
                    if r.over {
                        return;
                    }
                    match r.running.get_mut(w) {
                        Some(Some(c)) => c.1 = p.fraction.clamp(0.0, 1.0),
                        _ => return,
                    }
                    (r.on_progress.clone(), r.progress())
                };
                report.0.emit(report.1);
            }));
            run.borrow_mut().clients.push(client);
        }
        let pool = Pool { run };
        let first = pool.run.borrow().progress();
        pool.run.borrow().on_progress.emit(first);
        for w in 0..workers as usize {
            dispatch(&pool.run, w);
        }
        pool
    }

    /// Stops the bootstrap: every pool worker is let go at once and `done` gets
    /// [`WorkerError::Cancelled`].
    pub fn cancel(&self) {
        stop(&self.run, WorkerError::Cancelled);
    }

    /// True while the refits are under way.
    pub fn running(&self) -> bool {
        !self.run.borrow().over
    }
}

/// Hands worker `w` the next chunk of replicates (nothing when all are handed out).
fn dispatch(run: &Rc<RefCell<Run>>, w: usize) {
    let (client, task) = {
        let mut r = run.borrow_mut();
        if r.over || r.next >= r.total {
            return;
        }
        let Some(client) = r.clients.get(w).cloned() else {
            return;
        };
        let first = r.next;
        let end = first.saturating_add(r.chunk).min(r.total);
        r.next = end;
        if let Some(slot) = r.running.get_mut(w) {
            *slot = Some((end - first, 0.0));
        }
        let task = Task::Bootstrap(Box::new(BootstrapTask::Part {
            model: Box::new(r.model.clone()),
            spend: r.spend.clone().map(Box::new),
            columns: r.columns.clone(),
            first,
            end,
            seed: r.seed,
        }));
        (client, task)
    };
    let weak = Rc::downgrade(run);
    client.bootstrap_part(task, move |res| returned(&weak, w, res));
}

/// Worker `w` returned its chunk.
fn returned(weak: &Weak<RefCell<Run>>, w: usize, res: Result<BootstrapPart, WorkerError>) {
    let Some(run) = weak.upgrade() else { return };
    let part = match res {
        Ok(p) => p,
        Err(e) => return stop(&run, e),
    };
    let (report, complete) = {
        let mut r = run.borrow_mut();
        if r.over {
            return;
        }
        let n = r
            .running
            .get_mut(w)
            .and_then(Option::take)
            .map_or(0, |c| c.0);
        r.finished = r.finished.saturating_add(n);
        r.merged.merge(part);
        ((r.on_progress.clone(), r.progress()), r.finished >= r.total)
    };
    report.0.emit(report.1);
    if complete {
        let (clients, done, merged) = {
            let mut r = run.borrow_mut();
            r.over = true;
            (
                std::mem::take(&mut r.clients),
                r.done.take(),
                std::mem::take(&mut r.merged),
            )
        };
        // Idle workers close once their client (and its bridge) is dropped.
        drop(clients);
        if let Some(d) = done {
            d(Ok(merged));
        }
    } else {
        dispatch(&run, w);
    }
}

/// Ends the bootstrap with `error`: every pool worker is let go.
fn stop(run: &Rc<RefCell<Run>>, error: WorkerError) {
    let (clients, done) = {
        let Ok(mut r) = run.try_borrow_mut() else {
            return;
        };
        if r.over {
            return;
        }
        r.over = true;
        (std::mem::take(&mut r.clients), r.done.take())
    };
    for c in &clients {
        c.cancel();
    }
    drop(clients);
    if let Some(d) = done {
        d(Err(error));
    }
}

/// The bootstrap's tasks (Lifetime value page).
impl WorkerClient {
    /// One pool worker's chunk of refits.
    fn bootstrap_part(
        &self,
        task: Task,
        done: impl FnOnce(Result<BootstrapPart, WorkerError>) + 'static,
    ) {
        let unpack = |o| match o {
            Output::BootstrapPart(p) => Some(*p),
            _ => None,
        };
        self.run(task, typed(unpack, done));
    }

    /// Ranges from the merged refits `part` for the customers of the dataset the worker holds,
    /// the same figures as the parameter draws' with method `Bootstrap`; cancelled like any
    /// computation.
    #[allow(clippy::too_many_arguments)]
    pub fn bootstrap_intervals(
        &self,
        dataset: &str,
        model: FittedModel,
        spend: Option<FittedGammaGamma>,
        settings: ClvSettings,
        level: f64,
        seed: u64,
        part: BootstrapPart,
        done: impl FnOnce(Result<ValueRanges, WorkerError>) + 'static,
    ) {
        let unpack = |o| match o {
            Output::Intervals(r) => Some(*r),
            _ => None,
        };
        let task = Task::Bootstrap(Box::new(BootstrapTask::Intervals {
            dataset: dataset.to_string(),
            model: Box::new(model),
            spend: spend.map(Box::new),
            settings: Box::new(settings),
            level,
            seed,
            part: Box::new(part),
        }));
        self.run(task, typed(unpack, done));
    }
}
