//! Results cache: task results kept in memory and in IndexedDB under a key naming the data
//! as read, shared by the pages; and the worker's kept transaction logs (purchase histories).

use super::{Controller, Source};
use crate::worker::error::WorkerError;
use crate::worker::tasks::{Output, Task};
use std::rc::Rc;

impl Controller {
    /// A key naming a dataset as currently read: its id plus a hash of its import settings and
    /// the summary options, so cached results are never reused for different data.
    pub fn data_key(&self, source: &Source) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let opts = serde_json::to_string(&*self.options.borrow()).unwrap_or_default();
        let settings =
            crate::io::import::pipeline::settings_fingerprint(&source.meta.import_settings);
        for b in settings.bytes().chain(opts.bytes()) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        format!("{}/{h:016x}", source.meta.id)
    }

    /// Runs `task` for `source` unless a result under `key` is cached (in memory, then in
    /// IndexedDB); results are cached in both. Pages share results through the same key (for
    /// instance the default lifetime-value fit is used by the Segments and Strategy pages).
    pub fn run_cached(
        self: &Rc<Self>,
        source: &Source,
        key: &str,
        task: Task,
        done: impl FnOnce(Result<Rc<Output>, WorkerError>) + 'static,
    ) {
        self.run_keyed(source, key, task, false, done);
    }

    /// As [`Controller::run_cached`], but always runs the task (the user asked to compute again),
    /// replacing the cached result.
    pub fn run_fresh(
        self: &Rc<Self>,
        source: &Source,
        key: &str,
        task: Task,
        done: impl FnOnce(Result<Rc<Output>, WorkerError>) + 'static,
    ) {
        self.run_keyed(source, key, task, true, done);
    }

    fn run_keyed(
        self: &Rc<Self>,
        source: &Source,
        key: &str,
        task: Task,
        fresh: bool,
        done: impl FnOnce(Result<Rc<Output>, WorkerError>) + 'static,
    ) {
        let full = format!("{}/{key}", self.data_key(source));
        if let Some(hit) = self.cache.borrow().get(&full).cloned().filter(|_| !fresh) {
            done(Ok(hit));
            return;
        }
        let (this, source) = (self.clone(), source.clone());
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(repo) = this.repo().filter(|_| !fresh) {
                if let Ok(Some(bytes)) = repo.result_bytes(&full, "result").await {
                    if let Ok(out) = bincode::deserialize::<Output>(&bytes) {
                        let out = Rc::new(out);
                        this.cache.borrow_mut().insert(full, out.clone());
                        done(Ok(out));
                        return;
                    }
                }
            }
            let this2 = this.clone();
            this.worker.run(task, move |r| match r {
                Ok(out) => {
                    let out = Rc::new(out);
                    this2.cache.borrow_mut().insert(full.clone(), out.clone());
                    if let (Some(repo), Ok(bytes)) = (this2.repo(), bincode::serialize(&*out)) {
                        wasm_bindgen_futures::spawn_local(async move {
                            let _ = repo.put_result_bytes(&full, "result", &bytes).await;
                        });
                    }
                    done(Ok(out));
                }
                // A kept log (numbered) is gone; a segmentation's summary is re-sent by its page.
                Err(WorkerError::NotHeld { dataset }) if dataset.parse::<u32>().is_ok() => {
                    done(Err(this2.log_gone(&source)))
                }
                Err(e) => done(Err(e)),
            });
        });
    }

    /// One customer's purchases, in date order, from the log the worker kept for `source`.
    pub fn history(
        self: &Rc<Self>,
        source: &Source,
        customer: &str,
        done: impl FnOnce(Result<Vec<(chrono::NaiveDate, f64)>, WorkerError>) + 'static,
    ) {
        let task = Task::History {
            log_key: source.data.log_key,
            customer: customer.to_string(),
        };
        let (this, source) = (self.clone(), source.clone());
        self.worker.run_quiet(task, move |r| match r {
            Ok(Output::History { days, amounts }) => done(Ok(days
                .iter()
                .zip(amounts)
                .filter_map(|(&d, a)| Some((chrono::NaiveDate::from_num_days_from_ce_opt(d)?, a)))
                .collect())),
            Ok(_) => done(Err(WorkerError::Unexpected)),
            Err(WorkerError::NotHeld { .. }) => done(Err(this.log_gone(&source))),
            Err(e) => done(Err(e)),
        });
    }

    /// The worker no longer holds `source`'s transaction log (it was restarted after a
    /// cancel): reads the dataset again from storage, once, which activates it afresh so the
    /// pages ask again. Returns what to tell the user meanwhile: [`WorkerError::Resending`]
    /// (pages show work in progress), or [`WorkerError::Lost`] when the file was not kept.
    fn log_gone(self: &Rc<Self>, source: &Source) -> WorkerError {
        let file_name = source.meta.file_name.clone();
        let saved = self.repo().is_some() && !self.unsaved.borrow().contains(&source.meta.id);
        if !saved {
            return WorkerError::Lost { file_name };
        }
        if self.reloading.replace(source.data.log_key) != source.data.log_key {
            self.open(source.meta.clone());
        }
        WorkerError::Resending { file_name }
    }

    /// A cached result, if one is already in memory (no work started).
    pub fn cached(&self, source: &Source, key: &str) -> Option<Rc<Output>> {
        self.cache
            .borrow()
            .get(&format!("{}/{key}", self.data_key(source)))
            .cloned()
    }
}
