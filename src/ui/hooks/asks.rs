//! A page's asks for a computation the user can cancel and ask for again (Segments,
//! Satisfaction): the ask counter goes into the effect's deps, so "Compute again" with unchanged
//! settings still asks; the ask the user cancelled stays cancelled when the effect's other deps
//! change under it (after a cancel lets the worker go, another question has the dataset sent
//! again to a fresh worker, and the source changes), until the next ask.

use super::WorkerClient;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// The page's current ask and the one the user cancelled.
#[derive(Clone)]
pub struct Asks {
    attempt: UseStateHandle<u32>,
    cancelled: Rc<RefCell<Option<u32>>>,
}

/// The asks of the calling component (the first ask is 0).
#[hook]
pub fn use_asks() -> Asks {
    Asks {
        attempt: use_state(|| 0u32),
        cancelled: use_mut_ref(|| None::<u32>),
    }
}

impl Asks {
    /// The current ask, as of this render: an effect's dep.
    pub fn current(&self) -> u32 {
        *self.attempt
    }

    /// Whether the user cancelled ask `ask` (its effect then asks nothing).
    pub fn is_cancelled(&self, ask: u32) -> bool {
        *self.cancelled.borrow() == Some(ask)
    }

    /// Whether the user cancelled the current ask.
    pub fn cancelled_now(&self) -> bool {
        self.is_cancelled(self.current())
    }

    /// Cancels the current ask: remembered, and every job under way cancelled.
    pub fn cancel(&self, worker: &WorkerClient) {
        *self.cancelled.borrow_mut() = Some(self.current());
        worker.cancel();
    }

    /// A new ask (a click on "Compute again", or new settings).
    pub fn again(&self) {
        self.attempt.set(self.current().wrapping_add(1));
    }
}
