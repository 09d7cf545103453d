//! Offline-first customer analytics: segmentation, satisfaction and customer lifetime value.
//!
//! Layers, each a folder, each allowed to use only the ones above it:
//!
//! - [`domain`]: pure computation (customers, summaries, models, scores). No browser, no clock,
//!   no I/O. A test (`tests/layering.rs`) fails if it imports yew, web-sys, js-sys, gloo or
//!   wasm-bindgen.
//! - [`analysis`]: pure analyses built on the domain (segment tables, CLV grids and
//!   validation, satisfaction reports); what the worker, the page and `crm` show is computed here.
//! - [`io`]: bytes to domain and back (import with detection, export, storage).
//! - [`worker`]: the message protocol between the page and the analysis worker, and the thin
//!   task functions that run domain code on a request.
//! - [`ui`]: the Yew app (wasm32 only) and its charts (pure data → SVG, tested natively). It calls
//!   the domain; it holds no business rules.
//!
//! The same engine runs headless as the native `crm` command.

pub mod analysis;
pub mod domain;
pub mod io;
pub mod ui;
pub mod worker;
