//! The watch on the worker: the handshake's answer, liveness pings, the panic report channel,
//! and letting a lost worker go (see the parent module's documentation).

use super::{Done, Inner, HEARTBEAT_MS, SILENT_MS};
use crate::worker::error::WorkerError;
use crate::worker::protocol::{self, Request};
use std::rc::{Rc, Weak};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// A liveness ping awaiting its answer.
pub(super) struct Ping {
    pub(super) id: u32,
    pub(super) sent_at: f64,
    /// Jobs whose requests went before it: the worker finishes them before answering.
    pub(super) before: Vec<u32>,
}

/// The broadcast channel a worker reports its panic on, with its handler.
pub(super) struct CrashChannel {
    channel: web_sys::BroadcastChannel,
    _handler: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

impl Drop for CrashChannel {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}

impl Inner {
    /// Lets the worker go and fails every pending job with `error`; the next job starts a
    /// fresh worker.
    pub(super) fn let_go(&self, error: &WorkerError) {
        self.bridge.borrow_mut().take();
        self.crash_channel.borrow_mut().take();
        self.ready.set(false);
        self.queue.borrow_mut().clear();
        self.ping.borrow_mut().take();
        // Dropping a stream wakes its `room` waiter, which then stops sending.
        self.streams.borrow_mut().clear();
        self.parts.borrow_mut().clear();
        self.quiet.borrow_mut().clear();
        let pending: Vec<Done> = self.pending.borrow_mut().drain().map(|(_, d)| d).collect();
        self.on_progress.emit(None);
        for d in pending {
            d(Err(error.clone()));
        }
    }

    /// The worker stopped (`why`, in plain words).
    pub(super) fn crashed(&self, why: &str) {
        crate::worker::log::debug(|| format!("page: the worker stopped: {why}"));
        self.let_go(&WorkerError::WorkerCrashed(why.to_string()));
    }

    /// Handles the answer to a ping: the handshake, or a liveness check.
    pub(super) fn pong(self: &Rc<Self>, id: u32, release: String) {
        if !self.ready.get() {
            if protocol::check_release(&release).is_err() {
                let error = WorkerError::WrongRelease {
                    worker: release.clone(),
                };
                *self.outdated.borrow_mut() = Some(release);
                later(self, move |inner| inner.let_go(&error));
                return;
            }
            self.ready.set(true);
            let queued = std::mem::take(&mut *self.queue.borrow_mut());
            if let Some(b) = self.bridge.borrow().as_ref() {
                for req in queued {
                    b.send(req);
                }
            }
            return;
        }
        let lost = {
            let mut ping = self.ping.borrow_mut();
            match ping.as_ref() {
                Some(p) if p.id == id => {
                    let pending = self.pending.borrow();
                    let lost = p.before.iter().any(|j| pending.contains_key(j));
                    *ping = None;
                    lost
                }
                _ => false,
            }
        };
        if lost {
            later(self, |inner| {
                inner.crashed("it dropped a job without answering");
            });
        }
    }
}

/// Runs `f` once the current event is handled (the bridge is never dropped inside its own
/// callback).
pub(super) fn later(inner: &Rc<Inner>, f: impl FnOnce(&Rc<Inner>) + 'static) {
    let weak = Rc::downgrade(inner);
    wasm_bindgen_futures::spawn_local(async move {
        if let Some(inner) = weak.upgrade() {
            f(&inner);
        }
    });
}

/// Checks on the worker every [`HEARTBEAT_MS`] while jobs are pending (or a ping is
/// unanswered); see the module documentation.
pub(super) async fn watch(weak: Weak<Inner>) {
    loop {
        gloo::timers::future::TimeoutFuture::new(HEARTBEAT_MS).await;
        let Some(inner) = weak.upgrade() else { return };
        let idle = inner.pending.borrow().is_empty();
        if inner.bridge.borrow().is_none() || (idle && inner.ping.borrow().is_none()) {
            inner.watching.set(false);
            return;
        }
        let now = js_sys::Date::now();
        let unanswered = inner.ping.borrow().as_ref().map(|p| now - p.sent_at);
        match unanswered {
            // A busy worker answers after its job; only a long silence means it is gone.
            Some(_) if now - inner.last_heard.get() > SILENT_MS => {
                inner.crashed("it stopped answering");
            }
            // With nothing to do, it answers at once.
            Some(wait) if idle && wait > f64::from(HEARTBEAT_MS) => {
                inner.crashed("it stopped answering");
            }
            Some(_) => {}
            None if !inner.ready.get() => {
                // Still waiting for the handshake.
                if now - inner.last_heard.get() > SILENT_MS {
                    inner.crashed("it did not start");
                }
            }
            None => {
                let before: Vec<u32> = {
                    let streams = inner.streams.borrow();
                    inner
                        .pending
                        .borrow()
                        .keys()
                        // An import is read by the worker between messages (it answers pings
                        // meanwhile); a silent worker fails it after SILENT_MS.
                        // A stand-in for work on other workers is never sent, so never answered.
                        .filter(|j| {
                            !streams.contains_key(j) && !inner.standing.borrow().contains(j)
                        })
                        .copied()
                        .collect()
                };
                let id = inner.next.get();
                inner.next.set(id.wrapping_add(1));
                *inner.ping.borrow_mut() = Some(Ping {
                    id,
                    sent_at: now,
                    before,
                });
                if let Some(b) = inner.bridge.borrow().as_ref() {
                    b.send(Request::Ping {
                        job: id,
                        release: protocol::release(),
                        page: String::new(),
                    });
                }
            }
        }
    }
}

/// Listens for the panic report of the worker named `page`.
pub(super) fn crash_channel(inner: &Rc<Inner>, page: &str) -> Option<CrashChannel> {
    let channel = web_sys::BroadcastChannel::new(&protocol::crash_channel_name(page)).ok()?;
    let weak = Rc::downgrade(inner);
    let handler =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let why = e
                .data()
                .as_string()
                .unwrap_or_else(|| "an internal error".into());
            if let Some(inner) = weak.upgrade() {
                later(&inner, move |inner| inner.crashed(&why));
            }
        });
    channel.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    Some(CrashChannel {
        channel,
        _handler: handler,
    })
}
