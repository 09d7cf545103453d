//! Customer lifetime value: the teaching formula, historical CLV, the buy-till-you-die models
//! (BG/NBD, Pareto/NBD, MBG/NBD), Gamma-Gamma spend and the shifted-beta-geometric model.
//!
//! Shape (linfa style): [`BtydParams`] → [`BtydParams::check`] → [`ValidBtydParams::fit`] →
//! [`FittedModel`] with per-customer predictions ([`FittedModel::p_alive`],
//! [`FittedModel::conditional_expected_purchases`], [`predict_customers`]). Every result type is
//! serde-serialisable (it crosses to the UI through the web worker) and uses `u32`/`u64` for
//! counts. A fit that did not converge is a value ([`Convergence`]), never a panic or a NaN
//! passed on silently. Nothing here reads a clock, spawns a thread or touches I/O.
//!
//! The three buy-till-you-die models implement one trait, [`Btyd`] (likelihood, gradient,
//! P(alive), expected purchases); [`BtydModel`] and [`FittedModel`] dispatch through it.
//! Files by responsibility: `kind` (which model), `btyd` (the trait and the model enum),
//! `params` (settings, checks, the fit), `fitted` (the fitted model), `value` (the CLV sum and
//! per-customer predictions), `errors`, `optim/` (the shared likelihood search); one file per
//! model (`bgnbd`, `pnbd`, `mbgnbd`, `gammagamma`, `sbg`).

pub mod bgbb;
pub mod bgnbd;
pub mod bootstrap;
mod btyd;
mod errors;
mod fitted;
pub mod gammagamma;
pub mod intervals;
mod kind;
pub mod mbgnbd;
pub mod optim;
mod params;
pub mod pnbd;
pub mod sbg;
pub mod simple;
pub mod simulate;
pub mod special;
pub mod validation;
mod value;

pub use bgbb::{BgBb, BgBbGroup, BgBbParams, BgBbPrediction, FittedBgBb};
pub use bgnbd::BgNbd;
pub use btyd::{Btyd, BtydModel};
pub use errors::ClvError;
pub use fitted::{FittedModel, ParamEstimate};
pub use gammagamma::{
    FittedGammaGamma, GammaGamma, GammaGammaParams, SpendEstimate, SpendFallback,
};
pub use kind::ModelKind;
pub use mbgnbd::MbgNbd;
pub use optim::{Convergence, FitOptions};
pub(crate) use params::{check_options, check_record};
pub use params::{BtydParams, ValidBtydParams};
pub use pnbd::ParetoNbd;
pub use sbg::{FittedSbg, Sbg, SbgParams};
pub use value::{
    base_totals, base_totals_columns, conditional_expected_each, customer_clv, predict_columns,
    predict_customers, BaseTotals, ClvSettings, CustomerPrediction, PredictionColumns,
};
pub mod newcustomer;
