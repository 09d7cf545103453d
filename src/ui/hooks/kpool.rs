//! The Segments page's k-means search split across workers, the bootstrap pool's way
//! ([`super::pool`]): the worker holding the customers draws the search's sample
//! ([`KSearchTask::Sample`], a few tens of thousands of rows whatever the customers), each
//! value of k is fitted on that sample by one of the workers (the main one and
//! [`pool_size`] extra ones, largest k first, the next k handed out when one comes back), the
//! fits are merged in any order ([`KSearchPart::merge`]: the same result as one run) and the
//! holding worker finishes the segmentation with them ([`KSearchTask::Finish`]: every
//! customer's inertia and the chosen k's refinement, the segment tables, the tiers).
//!
//! Progress is one line for the whole search; Cancel (the app's, on the main worker) stops it
//! and lets the extra workers go; a worker that dies fails the segmentation with a plain
//! message. When the split does not pay ([`split_pays`]: too few customers or too few cores)
//! the segmentation runs in the main worker alone. The benchmark's knob `localStorage["crm-split"]` = "always" (split whatever
//! the customers) or "never" overrides that rule.
//!
//! The search's state ([`Run`]) is held by the stand-in job's answer alone (in the main
//! worker's pending jobs until the search ends); everything else refers to it weakly, so a
//! search whose page is gone ends with its workers.

use super::pool::pool_size;
use super::{typed, Progress, WorkerClient};
use crate::analysis::segment::split_pays;
use crate::domain::segmentation::{KSearchPart, KSearchSample};
use crate::worker::error::WorkerError;
use crate::worker::protocol::Request;
use crate::worker::segment::{KSearchTask, SegmentRequest, SegmentResult};
use crate::worker::tasks::{Output, Task};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use yew::Callback;

type Finished = Box<dyn FnOnce(Result<KSearchPart, WorkerError>)>;

struct Run {
    /// Worker 0 is the main one (not let go here); the others are the pool's.
    clients: Vec<WorkerClient>,
    /// Per worker: the k under way and its share done.
    running: Vec<Option<(u32, f64)>>,
    /// Values of k not handed out yet (the largest last: handed out first).
    todo: Vec<u32>,
    total: u32,
    merged: KSearchPart,
    sample: Rc<KSearchSample>,
    /// The job on the main worker standing for the whole search: it carries the progress,
    /// and the app's Cancel (or the main worker's death) fails it, which stops the search.
    watch: u32,
    over: bool,
    done: Option<Finished>,
}

impl Run {
    fn progress(&self) -> Progress {
        let under_way: f64 = self.running.iter().flatten().map(|(_, f)| f).sum();
        let fitted = self.merged.fits.len();
        let w = self.clients.len();
        Progress {
            job: self.watch,
            fraction: 0.1 + 0.8 * (fitted as f64 + under_way) / f64::from(self.total.max(1)),
            stage: format!(
                "k-means: {fitted} of {} values of k fitted on {w} worker{}",
                self.total,
                if w == 1 { "" } else { "s" }
            ),
        }
    }
}

impl WorkerClient {
    /// Segments the customers of the dataset the worker holds (`customers` of them), with the
    /// k-means search split across workers when it pays; the same result as
    /// [`WorkerClient::segment`].
    pub fn segment_split(
        &self,
        dataset: &str,
        key: &str,
        request: SegmentRequest,
        customers: usize,
        done: impl FnOnce(Result<SegmentResult, WorkerError>) + 'static,
    ) {
        // The benchmark's knob first ("always": whatever the customers; "never"), else the
        // measured rule (see tests/bench/LIMITS.md, "Session 13 (par2)").
        let split = match bench_override() {
            Some(true) => split_pays(
                &request,
                customers.max(crate::analysis::segment::SPLIT_FROM),
                crate::analysis::segment::SPLIT_WORKERS,
            ),
            Some(false) => false,
            None => split_pays(&request, customers, pool_size()),
        };
        if !split {
            return self.segment(dataset, key, request, done);
        }
        let unpack = |o| match o {
            Output::KSearchSample(s) => Some(*s),
            _ => None,
        };
        let task = Task::KSearch(Box::new(KSearchTask::Sample {
            dataset: dataset.to_string(),
            request: Box::new(request.clone()),
        }));
        let (main, dataset, key) = (self.clone(), dataset.to_string(), key.to_string());
        let got_sample = move |r: Result<KSearchSample, WorkerError>| {
            let sample = match r {
                Ok(s) => s,
                Err(e) => return done(Err(e)),
            };
            let main2 = main.clone();
            let fitted = move |r: Result<KSearchPart, WorkerError>| match r {
                Ok(part) => main2.finish_split(&dataset, &key, request, part, done),
                Err(e) => done(Err(e)),
            };
            search(&main, sample, Box::new(fitted));
        };
        self.run(task, typed(unpack, got_sample));
    }
}

/// The benchmark's choice (tests/bench/segment_pool.mjs): `localStorage["crm-split"]` set to
/// "always" splits every k-means search over two or more values of k, whatever the customers.
fn bench_override() -> Option<bool> {
    let v = web_sys::window()?
        .local_storage()
        .ok()??
        .get_item("crm-split")
        .ok()??;
    match v.as_str() {
        "always" => Some(true),
        "never" => Some(false),
        _ => None,
    }
}

impl WorkerClient {
    /// The segmentation with every k's fits merged.
    fn finish_split(
        &self,
        dataset: &str,
        key: &str,
        request: SegmentRequest,
        part: KSearchPart,
        done: impl FnOnce(Result<SegmentResult, WorkerError>) + 'static,
    ) {
        let unpack = |o| match o {
            Output::Segment(r) => Some(*r),
            _ => None,
        };
        let task = Task::KSearch(Box::new(KSearchTask::Finish {
            dataset: dataset.to_string(),
            key: key.to_string(),
            request: Box::new(request),
            part: Box::new(part),
        }));
        self.run(task, typed(unpack, done));
    }

    /// Fits k = `k` on the sample as a job without progress of its own (the search shows
    /// one line for all workers).
    fn fit_k(&self, sample: &KSearchSample, k: u32, quiet: bool, done: super::Done) {
        let task = Task::KSearch(Box::new(KSearchTask::Part {
            sample: Box::new(sample.clone()),
            first: k,
            last: k,
        }));
        if quiet {
            let job = self.inner.start(done);
            self.inner.quiet.borrow_mut().insert(job);
            self.send(Request::Run { job, task });
        } else {
            self.run(task, done);
        }
    }
}

/// Fits every k of `sample` on the main worker and a fresh pool; `done` gets the merged fits,
/// the first failure, or [`WorkerError::Cancelled`].
fn search(main: &WorkerClient, sample: KSearchSample, done: Finished) {
    let ks: Vec<u32> = (sample.params.k_min..=sample.k_max).collect();
    let total = ks.len() as u32;
    let extra = pool_size().min(total.saturating_sub(1));
    let run = Rc::new(RefCell::new(Run {
        clients: vec![main.clone()],
        running: vec![None; 1 + extra as usize],
        todo: ks,
        total,
        merged: KSearchPart::default(),
        sample: Rc::new(sample),
        watch: 0,
        over: false,
        done: Some(done),
    }));
    // The stand-in job's answer holds the search: every other reference to it is weak (the
    // workers' answers, their progress), so without this one the search was dropped as soon as
    // this function returned, the pool workers closed with it and each k that came back found
    // nothing to merge into (the page waited for ever). The job is settled when the search ends
    // (`returned`, `stop`) or failed by Cancel and the main worker's loss, which lets it go.
    let holder = run.clone();
    let watch = main
        .inner
        .start(Box::new(move |r: Result<Output, WorkerError>| {
            if let Err(e) = r {
                stop(&holder, e);
            }
        }));
    main.inner.standing.borrow_mut().insert(watch);
    run.borrow_mut().watch = watch;
    for w in 1..=extra as usize {
        let weak = Rc::downgrade(&run);
        let client = WorkerClient::new(Callback::from(move |p: Option<Progress>| {
            let (Some(run), Some(p)) = (weak.upgrade(), p) else {
                return;
            };
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
                (r.clients.first().cloned(), r.progress())
            };
            if let (Some(main), p) = report {
                main.inner.on_progress.emit(Some(p));
            }
        }));
        run.borrow_mut().clients.push(client);
    }
    let first = run.borrow().progress();
    main.inner.on_progress.emit(Some(first));
    for w in 0..=extra as usize {
        dispatch(&run, w);
    }
}

/// Hands worker `w` the next k (nothing when all are handed out).
fn dispatch(run: &Rc<RefCell<Run>>, w: usize) {
    let (client, sample, k) = {
        let mut r = run.borrow_mut();
        if r.over {
            return;
        }
        let Some(client) = r.clients.get(w).cloned() else {
            return;
        };
        let Some(k) = r.todo.pop() else {
            return;
        };
        if let Some(slot) = r.running.get_mut(w) {
            *slot = Some((k, 0.0));
        }
        (client, r.sample.clone(), k)
    };
    let weak = Rc::downgrade(run);
    let unpack = |o| match o {
        Output::KSearchPart(p) => Some(*p),
        _ => None,
    };
    let done = typed(unpack, move |res| returned(&weak, w, res));
    // The main worker's own k shows no progress line: the search's line covers it.
    client.fit_k(&sample, k, w == 0, done);
}

/// Worker `w` returned its k.
fn returned(weak: &Weak<RefCell<Run>>, w: usize, res: Result<KSearchPart, WorkerError>) {
    let Some(run) = weak.upgrade() else { return };
    let part = match res {
        Ok(p) => p,
        Err(e) => return stop(&run, e),
    };
    let (main, progress, complete) = {
        let mut r = run.borrow_mut();
        if r.over {
            return;
        }
        if let Some(slot) = r.running.get_mut(w) {
            *slot = None;
        }
        r.merged.merge(part);
        let complete = r.merged.fits.len() as u32 >= r.total;
        (r.clients.first().cloned(), r.progress(), complete)
    };
    if !complete {
        if let Some(main) = &main {
            main.inner.on_progress.emit(Some(progress));
        }
        return dispatch(&run, w);
    }
    let (clients, done, merged, watch) = {
        let mut r = run.borrow_mut();
        r.over = true;
        (
            std::mem::take(&mut r.clients),
            r.done.take(),
            std::mem::take(&mut r.merged),
            r.watch,
        )
    };
    // The stand-in job ends (its answer is dropped); idle pool workers close once their
    // client is dropped.
    if let Some(main) = clients.first() {
        drop(main.inner.settle(watch));
    }
    drop(clients);
    if let Some(d) = done {
        d(Ok(merged));
    }
}

/// Ends the search with `error`: the pool's workers are let go (the main one stays; a Cancel
/// has already let it go).
fn stop(run: &Rc<RefCell<Run>>, error: WorkerError) {
    let (clients, done, watch) = {
        let Ok(mut r) = run.try_borrow_mut() else {
            return;
        };
        if r.over {
            return;
        }
        r.over = true;
        (std::mem::take(&mut r.clients), r.done.take(), r.watch)
    };
    let mut clients = clients.into_iter();
    if let Some(main) = clients.next() {
        drop(main.inner.settle(watch));
    }
    for c in clients {
        c.cancel();
    }
    if let Some(d) = done {
        d(Err(match error {
            WorkerError::Cancelled => WorkerError::Cancelled,
            e => WorkerError::Segment(format!("The k-means search stopped: {e}")),
        }));
    }
}
