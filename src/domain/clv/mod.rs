//! Customer lifetime value: the teaching formula, historical CLV, the buy-till-you-die models
//! (BG/NBD, Pareto/NBD, MBG/NBD), Gamma-Gamma spend and the shifted-beta-geometric model.
//!
//! Shape (linfa style): [`BtydParams`] → [`BtydParams::check`] → [`ValidBtydParams::fit`] →
//! [`FittedModel`] with per-customer predictions ([`FittedModel::p_alive`],
//! [`FittedModel::conditional_expected_purchases`], [`predict_customers`]). Every result type is
//! serde-serialisable (it crosses to the UI through the web worker) and uses `u32`/`u64` for
//! counts. A fit that did not converge is a value ([`Convergence`]), never a panic or a NaN
//! passed on silently. Nothing here reads a clock, spawns a thread or touches I/O.

pub mod bgnbd;
pub mod gammagamma;
pub mod mbgnbd;
pub mod optim;
pub mod pnbd;
pub mod sbg;
pub mod simple;
pub mod special;
pub mod validation;

pub use bgnbd::BgNbd;
pub use gammagamma::{FittedGammaGamma, GammaGamma, GammaGammaParams};
pub use mbgnbd::MbgNbd;
pub use optim::{Convergence, FitOptions};
pub use pnbd::ParetoNbd;
pub use sbg::{FittedSbg, Sbg, SbgParams};

use crate::domain::customers::{CustomerRecord, CustomerSummary, TimeUnit};
use serde::{Deserialize, Serialize};

/// Errors of the lifetime-value models. Messages name the parameter or the record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ClvError {
    /// A setting or model parameter is out of range.
    InvalidParameter {
        /// Name of the parameter, as in the settings struct.
        name: String,
        /// The rejected value.
        value: f64,
        /// What is required.
        reason: String,
    },
    /// A customer record has impossible statistics.
    InvalidRecord {
        /// 0-based position in the list.
        index: u64,
        /// Customer id.
        id: String,
        /// The offending field (x, t_x, T, monetary, weight).
        field: String,
        /// Its value.
        value: f64,
        /// What is required.
        reason: String,
    },
    /// The data cannot support the model.
    NotEnoughData {
        /// Why, in plain language.
        reason: String,
    },
}

impl ClvError {
    pub(crate) fn invalid(name: &str, value: f64, reason: &str) -> ClvError {
        ClvError::InvalidParameter {
            name: name.to_string(),
            value,
            reason: reason.to_string(),
        }
    }
}

impl std::fmt::Display for ClvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClvError::InvalidParameter {
                name,
                value,
                reason,
            } => {
                write!(f, "parameter `{name}` = {value}: {reason}")
            }
            ClvError::InvalidRecord {
                index,
                id,
                field,
                value,
                reason,
            } => write!(
                f,
                "customer {index} (id \"{id}\"), field {field} = {value}: {reason}"
            ),
            ClvError::NotEnoughData { reason } => write!(f, "not enough data: {reason}"),
        }
    }
}

impl std::error::Error for ClvError {}

pub(crate) fn check_options(o: &FitOptions) -> Result<(), ClvError> {
    if !(o.gradient_tolerance > 0.0 && o.gradient_tolerance < 1.0) {
        return Err(ClvError::invalid(
            "gradient_tolerance",
            o.gradient_tolerance,
            "must be in (0, 1)",
        ));
    }
    if o.starts == 0 || o.starts > 50 {
        return Err(ClvError::invalid(
            "starts",
            f64::from(o.starts),
            "must be 1..=50",
        ));
    }
    if o.max_bfgs_iterations == 0 {
        return Err(ClvError::invalid("max_bfgs_iterations", 0.0, "must be ≥ 1"));
    }
    Ok(())
}

pub(crate) fn check_record(i: usize, c: &CustomerRecord) -> Result<(), ClvError> {
    let bad = |field: &str, value: f64, reason: &str| ClvError::InvalidRecord {
        index: i as u64,
        id: c.id.clone(),
        field: field.to_string(),
        value,
        reason: reason.to_string(),
    };
    if !(c.x.is_finite() && c.x >= 0.0) {
        return Err(bad("x", c.x, "must be a count ≥ 0"));
    }
    if !(c.t.is_finite() && c.t >= 0.0) {
        return Err(bad("T", c.t, "must be ≥ 0"));
    }
    if !(c.t_x.is_finite() && c.t_x >= 0.0 && c.t_x <= c.t * (1.0 + 1e-12) + 1e-12) {
        return Err(bad("t_x", c.t_x, "must be between 0 and T"));
    }
    if c.x == 0.0 && c.t_x != 0.0 {
        return Err(bad("t_x", c.t_x, "must be 0 when x = 0"));
    }
    if !(c.monetary.is_finite()) {
        return Err(bad("monetary", c.monetary, "must be finite"));
    }
    if !(c.weight.is_finite() && c.weight > 0.0) {
        return Err(bad("weight", c.weight, "must be > 0"));
    }
    Ok(())
}

/// Which buy-till-you-die model to fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// BG/NBD (Fader, Hardie & Lee 2005).
    BgNbd,
    /// Pareto/NBD (Schmittlein, Morrison & Colombo 1987). Serialised as "pnbd".
    #[serde(rename = "pnbd")]
    ParetoNbd,
    /// MBG/NBD (Batislam et al. 2007).
    MbgNbd,
}

impl ModelKind {
    /// All kinds, for pickers.
    pub const ALL: [ModelKind; 3] = [ModelKind::BgNbd, ModelKind::ParetoNbd, ModelKind::MbgNbd];

    /// Short name used on the command line ("bgnbd", "pnbd", "mbgnbd").
    pub fn code(self) -> &'static str {
        match self {
            ModelKind::BgNbd => "bgnbd",
            ModelKind::ParetoNbd => "pnbd",
            ModelKind::MbgNbd => "mbgnbd",
        }
    }

    /// Parses a short name (also "bg/nbd", "pareto", ...).
    pub fn parse(s: &str) -> Option<ModelKind> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['/', '-', '_'], "")
            .as_str()
        {
            "bgnbd" | "bg" => Some(ModelKind::BgNbd),
            "pnbd" | "paretonbd" | "pareto" => Some(ModelKind::ParetoNbd),
            "mbgnbd" | "mbg" => Some(ModelKind::MbgNbd),
            _ => None,
        }
    }

    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::BgNbd => "BG/NBD",
            ModelKind::ParetoNbd => "Pareto/NBD",
            ModelKind::MbgNbd => "MBG/NBD",
        }
    }

    /// Plain-language description of the model.
    pub fn description(self) -> &'static str {
        match self {
            ModelKind::BgNbd => "While active, each customer buys at their own steady random rate; rates differ across customers (a Gamma distribution). After every repeat purchase a customer may become inactive for good, with a probability that differs across customers (a Beta distribution). Customers with no repeat purchase are assumed still active.",
            ModelKind::ParetoNbd => "While active, each customer buys at their own steady random rate (Gamma across customers). Each customer stays active for a random, exponentially distributed lifetime whose rate also differs across customers (Gamma). Customers can become inactive at any moment, not only after a purchase.",
            ModelKind::MbgNbd => "Like BG/NBD, but a customer may also become inactive right after the first purchase, so customers without a repeat purchase are not assumed to be active.",
        }
    }

    /// Parameter names in paper order.
    pub fn parameter_names(self) -> [&'static str; 4] {
        match self {
            ModelKind::BgNbd | ModelKind::MbgNbd => ["r", "alpha", "a", "b"],
            ModelKind::ParetoNbd => ["r", "alpha", "s", "beta"],
        }
    }

    /// Plain-language description of a parameter.
    pub fn parameter_description(self, name: &str) -> &'static str {
        match (self, name) {
            (_, "r") => "shape of the spread of purchase rates across customers (small: very uneven buyers)",
            (_, "alpha") => "scale of the purchase rates, in model time units; r/alpha is the mean purchase rate per time unit",
            (ModelKind::ParetoNbd, "s") => "shape of the spread of drop-out rates across customers",
            (ModelKind::ParetoNbd, "beta") => "scale of the drop-out rates, in model time units; s/beta is the mean drop-out rate per time unit",
            (_, "a") => "first shape of the drop-out probability after a purchase; a/(a+b) is its mean",
            (_, "b") => "second shape of the drop-out probability after a purchase",
            _ => "",
        }
    }

    fn default_start(self) -> [f64; 4] {
        // Log of moderate values; the optimizer adds spread starts around it.
        [0.0, 0.0, 0.0, 0.0]
    }
}

/// The parameters of a fitted buy-till-you-die model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
// Externally tagged (serde's default): the worker's bincode codec cannot read internally tagged enums.
#[serde(rename_all = "lowercase")]
pub enum BtydModel {
    /// BG/NBD.
    BgNbd(BgNbd),
    /// Pareto/NBD (tag "pnbd").
    #[serde(rename = "pnbd")]
    ParetoNbd(ParetoNbd),
    /// MBG/NBD.
    MbgNbd(MbgNbd),
}

impl BtydModel {
    /// Builds a model of `kind` from [r, alpha, a|s, b|beta].
    pub fn from_array(kind: ModelKind, p: [f64; 4]) -> BtydModel {
        let [p0, p1, p2, p3] = p;
        match kind {
            ModelKind::BgNbd => BtydModel::BgNbd(BgNbd {
                r: p0,
                alpha: p1,
                a: p2,
                b: p3,
            }),
            ModelKind::ParetoNbd => BtydModel::ParetoNbd(ParetoNbd {
                r: p0,
                alpha: p1,
                s: p2,
                beta: p3,
            }),
            ModelKind::MbgNbd => BtydModel::MbgNbd(MbgNbd {
                r: p0,
                alpha: p1,
                a: p2,
                b: p3,
            }),
        }
    }

    /// Which model this is.
    pub fn kind(&self) -> ModelKind {
        match self {
            BtydModel::BgNbd(_) => ModelKind::BgNbd,
            BtydModel::ParetoNbd(_) => ModelKind::ParetoNbd,
            BtydModel::MbgNbd(_) => ModelKind::MbgNbd,
        }
    }

    /// Parameters in paper order.
    pub fn to_array(&self) -> [f64; 4] {
        match self {
            BtydModel::BgNbd(m) => m.to_array(),
            BtydModel::ParetoNbd(m) => m.to_array(),
            BtydModel::MbgNbd(m) => m.to_array(),
        }
    }

    /// Log-likelihood of one customer.
    pub fn log_likelihood(&self, x: f64, t_x: f64, t: f64) -> f64 {
        match self {
            BtydModel::BgNbd(m) => m.log_likelihood(x, t_x, t),
            BtydModel::ParetoNbd(m) => m.log_likelihood(x, t_x, t),
            BtydModel::MbgNbd(m) => m.log_likelihood(x, t_x, t),
        }
    }

    fn log_likelihood_prepared(&self, p: &optim::Prepared) -> f64 {
        match self {
            BtydModel::BgNbd(m) => m.log_likelihood_prepared(p),
            BtydModel::ParetoNbd(m) => m.log_likelihood_prepared(p),
            BtydModel::MbgNbd(m) => m.log_likelihood_prepared(p),
        }
    }

    /// Log-likelihood and its analytic gradient on log-parameters.
    fn log_likelihood_grad_prepared(&self, p: &optim::Prepared) -> (f64, [f64; 4]) {
        match self {
            BtydModel::BgNbd(m) => m.log_likelihood_grad_prepared(p),
            BtydModel::ParetoNbd(m) => m.log_likelihood_grad_prepared(p),
            BtydModel::MbgNbd(m) => m.log_likelihood_grad_prepared(p),
        }
    }

    /// P(alive | x, t_x, T).
    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        match self {
            BtydModel::BgNbd(m) => m.p_alive(x, t_x, t),
            BtydModel::ParetoNbd(m) => m.p_alive(x, t_x, t),
            BtydModel::MbgNbd(m) => m.p_alive(x, t_x, t),
        }
    }

    /// Expected purchases in the next `horizon` time units given (x, t_x, T).
    pub fn conditional_expected_purchases(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> f64 {
        match self {
            BtydModel::BgNbd(m) => m.conditional_expected_purchases(horizon, x, t_x, t),
            BtydModel::ParetoNbd(m) => m.conditional_expected_purchases(horizon, x, t_x, t),
            BtydModel::MbgNbd(m) => m.conditional_expected_purchases(horizon, x, t_x, t),
        }
    }

    /// E[X(t)] for a new customer.
    pub fn expected_purchases(&self, t: f64) -> f64 {
        match self {
            BtydModel::BgNbd(m) => m.expected_purchases(t),
            BtydModel::ParetoNbd(m) => m.expected_purchases(t),
            BtydModel::MbgNbd(m) => m.expected_purchases(t),
        }
    }

    /// P(X(t) = n) for a new customer.
    pub fn prob_purchases(&self, n: u32, t: f64) -> f64 {
        match self {
            BtydModel::BgNbd(m) => m.prob_purchases(n, t),
            BtydModel::ParetoNbd(m) => m.prob_purchases(n, t),
            BtydModel::MbgNbd(m) => m.prob_purchases(n, t),
        }
    }
}

/// One estimated parameter with its standard error and meaning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamEstimate {
    /// Name as in the papers (r, alpha, a, b, s, beta).
    pub name: String,
    /// Estimate.
    pub value: f64,
    /// Standard error (delta method from the Hessian on log-parameters); `None` when the
    /// Hessian was singular or not positive definite.
    pub std_error: Option<f64>,
    /// Plain-language meaning.
    pub description: String,
}

/// A fitted buy-till-you-die model: what the UI shows and predicts with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedModel {
    /// Which model.
    pub kind: ModelKind,
    /// The parameters (for predictions).
    pub model: BtydModel,
    /// Estimates with standard errors and descriptions, in paper order.
    pub params: Vec<ParamEstimate>,
    /// Log-likelihood at the estimates (the true one, not divided by n).
    pub log_likelihood: f64,
    /// How the search ended.
    pub convergence: Convergence,
    /// Number of customers (sum of weights).
    pub n_customers: u64,
    /// Number of distinct (x, t_x, T) groups the likelihood was evaluated on.
    pub n_groups: u64,
    /// Time unit of t_x, T and every horizon.
    pub time_unit: TimeUnit,
    /// Plain-language description of the model.
    pub description: String,
}

impl FittedModel {
    /// Estimate of a parameter by name.
    pub fn param(&self, name: &str) -> Option<f64> {
        self.params.iter().find(|p| p.name == name).map(|p| p.value)
    }

    /// P(alive | x, t_x, T).
    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        self.model.p_alive(x, t_x, t)
    }

    /// Expected purchases in the next `horizon` time units.
    pub fn conditional_expected_purchases(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> f64 {
        self.model
            .conditional_expected_purchases(horizon, x, t_x, t)
    }

    /// E[X(t)] for a new customer.
    pub fn expected_purchases(&self, t: f64) -> f64 {
        self.model.expected_purchases(t)
    }

    /// P(X(t) = n) for a new customer.
    pub fn prob_purchases(&self, n: u32, t: f64) -> f64 {
        self.model.prob_purchases(n, t)
    }
}

/// Settings of a buy-till-you-die fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BtydParams {
    /// Which model.
    pub kind: ModelKind,
    /// Search options.
    #[serde(default)]
    pub options: FitOptions,
}

/// Checked settings, ready to fit.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidBtydParams(BtydParams);

impl BtydParams {
    /// Default options for `kind`.
    pub fn new(kind: ModelKind) -> BtydParams {
        BtydParams {
            kind,
            options: FitOptions::default(),
        }
    }

    /// Validates the options.
    ///
    /// # Errors
    /// [`ClvError::InvalidParameter`] naming the bad option.
    pub fn check(&self) -> Result<ValidBtydParams, ClvError> {
        check_options(&self.options)?;
        Ok(ValidBtydParams(self.clone()))
    }
}

impl ValidBtydParams {
    /// Fits on a customer summary (identical rows grouped with weights first).
    ///
    /// # Errors
    /// [`ClvError::InvalidRecord`] for impossible statistics, [`ClvError::NotEnoughData`] for
    /// an empty summary.
    pub fn fit(
        &self,
        summary: &CustomerSummary,
        progress: &mut dyn FnMut(f64),
    ) -> Result<FittedModel, ClvError> {
        self.fit_records(&summary.customers, summary.time_unit, progress)
    }

    /// Fits on customer records whose times are in `time_unit`.
    ///
    /// # Errors
    /// As [`ValidBtydParams::fit`].
    pub fn fit_records(
        &self,
        customers: &[CustomerRecord],
        time_unit: TimeUnit,
        progress: &mut dyn FnMut(f64),
    ) -> Result<FittedModel, ClvError> {
        for (i, c) in customers.iter().enumerate() {
            check_record(i, c)?;
        }
        if customers.is_empty() {
            return Err(ClvError::NotEnoughData {
                reason: String::from("the summary has no customers"),
            });
        }
        let groups = optim::group_rows(customers.iter().map(|c| (c.x, c.t_x, c.t, c.weight)));
        let prepared = optim::Prepared::new(&groups);
        let kind = self.0.kind;
        let model_at = |th: &[f64]| -> Option<BtydModel> {
            let p = <[f64; 4]>::try_from(th).ok()?;
            Some(BtydModel::from_array(kind, p.map(f64::exp)))
        };
        let nll_on = |data: &optim::Prepared, th: &[f64]| -> f64 {
            model_at(th).map_or(f64::NAN, |m| -m.log_likelihood_prepared(data))
        };
        let nll_grad_on = |data: &optim::Prepared, th: &[f64]| -> (f64, Vec<f64>) {
            match model_at(th).map(|m| m.log_likelihood_grad_prepared(data)) {
                Some((ll, g)) => (-ll, g.iter().map(|v| -v).collect()),
                None => (f64::NAN, vec![f64::NAN; th.len()]),
            }
        };
        let nll = |th: &[f64]| nll_on(&prepared, th);
        let nll_grad = |th: &[f64]| nll_grad_on(&prepared, th);
        let exact = optim::Objective {
            value: &nll,
            value_grad: Some(&nll_grad),
        };
        // Large data: search for the basin on roughly coarsened times (a few hundred groups),
        // refine on finer coarsening (a few thousand), then finish on the exact grouped data
        // in a few passes, each stage starting with the previous one's curvature.
        let coarse: Vec<optim::Prepared> = if groups.len() > COARSE_ABOVE {
            // The rough grid is made from the fine one (its step is a multiple of the fine
            // step), so the million rows are regrouped only once.
            let fine = optim::coarsen(&groups, COARSE_BINS[1]);
            let rough = optim::coarsen(&fine, COARSE_BINS[0]);
            vec![optim::Prepared::new(&rough), optim::Prepared::new(&fine)]
        } else {
            Vec::new()
        };
        let values: Vec<_> = coarse
            .iter()
            .map(|c| move |th: &[f64]| nll_on(c, th))
            .collect();
        let grads: Vec<_> = coarse
            .iter()
            .map(|c| move |th: &[f64]| nll_grad_on(c, th))
            .collect();
        let approx: Vec<optim::Objective> = values
            .iter()
            .zip(&grads)
            .map(|(v, g)| optim::Objective {
                value: v,
                value_grad: Some(g),
            })
            .collect();
        let stages: Vec<&optim::Objective> = approx.iter().chain([&exact]).collect();
        let min = optim::minimize_staged(&stages, &kind.default_start(), &self.0.options, progress);
        let se = optim::standard_errors_of(&exact, &min.theta, Some(&min.gradient));
        let theta = <[f64; 4]>::try_from(min.theta.as_slice()).unwrap_or([f64::NAN; 4]);
        let model = BtydModel::from_array(kind, theta.map(f64::exp));
        let values = model.to_array();
        let params = kind
            .parameter_names()
            .iter()
            .enumerate()
            .map(|(i, n)| ParamEstimate {
                name: (*n).to_string(),
                value: values.get(i).copied().unwrap_or(f64::NAN),
                std_error: se.get(i).copied().flatten(),
                description: kind.parameter_description(n).to_string(),
            })
            .collect();
        Ok(FittedModel {
            kind,
            model,
            params,
            log_likelihood: -min.value,
            convergence: min.convergence,
            n_customers: prepared.total_weight.round() as u64,
            n_groups: groups.len() as u64,
            time_unit,
            description: kind.description().to_string(),
        })
    }
}

/// Above this many distinct (x, t_x, T) groups the start search runs on coarsened times.
const COARSE_ABOVE: usize = 20_000;
/// Grid steps over the largest T of the coarsened stages of the search, rough to fine.
const COARSE_BINS: [u32; 2] = [12, 60];

/// Settings of the per-customer CLV: all units explicit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClvSettings {
    /// Time unit of the model (t_x, T).
    pub model_time_unit: TimeUnit,
    /// Horizon of `expected_purchases`, in model time units (e.g. 52 weeks).
    pub purchase_horizon: f64,
    /// Number of discount periods in the CLV horizon (e.g. 12 months).
    pub periods: u32,
    /// Model time units per discount period (k; e.g. 4.345 weeks per month).
    pub units_per_period: f64,
    /// Discount rate per discount period (e.g. 0.01 per month).
    pub discount_rate: f64,
    /// Margin as a share of spend (1 = revenue).
    pub margin_rate: f64,
}

impl ClvSettings {
    /// Monthly discounting with the lifetimes convention: a month is 4.345 weeks, 30 days.
    pub fn monthly(
        model_time_unit: TimeUnit,
        months: u32,
        discount_rate: f64,
        margin_rate: f64,
    ) -> ClvSettings {
        let units_per_period = match model_time_unit {
            TimeUnit::Day => 30.0,
            TimeUnit::Week => 4.345,
            TimeUnit::Month => 1.0,
        };
        ClvSettings {
            model_time_unit,
            purchase_horizon: match model_time_unit {
                TimeUnit::Day => 365.0,
                TimeUnit::Week => 52.0,
                TimeUnit::Month => 12.0,
            },
            periods: months,
            units_per_period,
            discount_rate,
            margin_rate,
        }
    }

    /// Validates the settings.
    ///
    /// # Errors
    /// [`ClvError::InvalidParameter`] naming the field.
    pub fn check(&self) -> Result<&Self, ClvError> {
        if !(self.purchase_horizon.is_finite() && self.purchase_horizon >= 0.0) {
            return Err(ClvError::invalid(
                "purchase_horizon",
                self.purchase_horizon,
                "must be ≥ 0",
            ));
        }
        if self.periods == 0 || self.periods > 1200 {
            return Err(ClvError::invalid(
                "periods",
                f64::from(self.periods),
                "must be 1..=1200",
            ));
        }
        if !(self.units_per_period.is_finite() && self.units_per_period > 0.0) {
            return Err(ClvError::invalid(
                "units_per_period",
                self.units_per_period,
                "must be > 0",
            ));
        }
        if !(self.discount_rate.is_finite()
            && self.discount_rate > -1.0
            && self.discount_rate < 10.0)
        {
            return Err(ClvError::invalid(
                "discount_rate",
                self.discount_rate,
                "must be in (−1, 10)",
            ));
        }
        if !(self.margin_rate.is_finite() && self.margin_rate >= 0.0 && self.margin_rate <= 1.0) {
            return Err(ClvError::invalid(
                "margin_rate",
                self.margin_rate,
                "must be in [0, 1]",
            ));
        }
        Ok(self)
    }
}

/// Per-customer predictions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerPrediction {
    /// Customer id.
    pub id: String,
    /// Repeat purchases.
    pub x: f64,
    /// Recency.
    pub t_x: f64,
    /// Age.
    pub t: f64,
    /// P(alive).
    pub p_alive: f64,
    /// Expected purchases in the next `purchase_horizon` time units.
    pub expected_purchases: f64,
    /// Expected spend per purchase.
    pub expected_spend: f64,
    /// CLV over the horizon, discounted, times the margin rate.
    pub clv: f64,
}

/// CLV of one customer: Σ_{i=1..H} margin · spend · (E[X(ik)] − E[X((i−1)k)]) / (1+d)^i.
pub fn customer_clv(
    model: &BtydModel,
    x: f64,
    t_x: f64,
    t: f64,
    spend: f64,
    s: &ClvSettings,
) -> f64 {
    spend * clv_per_unit_spend(model, x, t_x, t, s)
}

/// CLV of a customer per unit of expected spend: Σᵢ m · (E[Y(i·k)] − E[Y((i−1)·k)]) / (1+d)ⁱ.
/// CLV is linear in spend, so customers with the same (x, t_x, T) share this factor.
fn clv_per_unit_spend(model: &BtydModel, x: f64, t_x: f64, t: f64, s: &ClvSettings) -> f64 {
    let mut total = 0.0;
    let mut prev = 0.0;
    let mut disc = 1.0;
    for i in 1..=s.periods {
        let e = model.conditional_expected_purchases(f64::from(i) * s.units_per_period, x, t_x, t);
        disc /= 1.0 + s.discount_rate;
        total += s.margin_rate * (e - prev) * disc;
        prev = e;
    }
    total
}

/// Predictions for every customer. Spend: the Gamma-Gamma conditional mean when `spend` is
/// given (population mean for x = 0); otherwise the customer's own mean repeat spend, or the
/// mean over repeaters for x = 0.
///
/// # Errors
/// [`ClvError::InvalidParameter`] for bad settings, [`ClvError::InvalidRecord`] for bad rows.
pub fn predict_customers(
    model: &FittedModel,
    spend: Option<&GammaGamma>,
    customers: &[CustomerRecord],
    settings: &ClvSettings,
) -> Result<Vec<CustomerPrediction>, ClvError> {
    settings.check()?;
    let repeaters: Vec<&CustomerRecord> = customers.iter().filter(|c| c.x > 0.0).collect();
    let fallback = if repeaters.is_empty() {
        0.0
    } else {
        repeaters.iter().map(|c| c.monetary).sum::<f64>() / repeaters.len() as f64
    };
    // Customers with the same (x, t_x, T) share P(alive), expected purchases and CLV per unit
    // of spend: each distinct triple is worked out once (summaries of dated logs repeat them a
    // lot).
    let mut memo: std::collections::HashMap<[u64; 3], (f64, f64, f64)> =
        std::collections::HashMap::new();
    customers
        .iter()
        .enumerate()
        .map(|(i, c)| {
            check_record(i, c)?;
            let sp = match spend {
                Some(g) => g.expected_spend(c.x, c.monetary),
                None if c.x > 0.0 => c.monetary,
                None => fallback,
            };
            let key = [c.x.to_bits(), c.t_x.to_bits(), c.t.to_bits()];
            let (p_alive, expected_purchases, clv_unit) = *memo.entry(key).or_insert_with(|| {
                (
                    model.p_alive(c.x, c.t_x, c.t),
                    model.conditional_expected_purchases(
                        settings.purchase_horizon,
                        c.x,
                        c.t_x,
                        c.t,
                    ),
                    clv_per_unit_spend(&model.model, c.x, c.t_x, c.t, settings),
                )
            });
            Ok(CustomerPrediction {
                id: c.id.clone(),
                x: c.x,
                t_x: c.t_x,
                t: c.t,
                p_alive,
                expected_purchases,
                expected_spend: sp,
                clv: sp * clv_unit,
            })
        })
        .collect()
}

/// Customer equity: the sum of the customers' CLVs (weighted by nothing: one row per customer).
pub fn customer_equity(predictions: &[CustomerPrediction]) -> f64 {
    predictions.iter().map(|p| p.clv).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_kinds_parse_and_serialise_with_cli_codes() {
        for k in ModelKind::ALL {
            assert_eq!(ModelKind::parse(k.code()), Some(k));
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.code())
            );
        }
        assert_eq!(ModelKind::parse("BG/NBD"), Some(ModelKind::BgNbd));
        assert_eq!(ModelKind::parse("gg"), None);
    }

    #[test]
    fn bad_settings_name_the_parameter() {
        let mut s = ClvSettings::monthly(TimeUnit::Week, 12, 0.01, 1.0);
        assert_eq!(s.units_per_period, 4.345);
        s.margin_rate = 1.5;
        assert!(s.check().unwrap_err().to_string().contains("margin_rate"));
        s.margin_rate = 1.0;
        s.periods = 0;
        assert!(s.check().unwrap_err().to_string().contains("periods"));
    }

    #[test]
    fn clv_is_the_discounted_sum_of_expected_purchase_increments() {
        let m = BtydModel::BgNbd(BgNbd {
            r: 0.243,
            alpha: 4.414,
            a: 0.793,
            b: 2.426,
        });
        let s = ClvSettings {
            model_time_unit: TimeUnit::Week,
            purchase_horizon: 52.0,
            periods: 3,
            units_per_period: 4.0,
            discount_rate: 0.1,
            margin_rate: 0.5,
        };
        let e = |t: f64| m.conditional_expected_purchases(t, 2.0, 20.0, 30.0);
        let want =
            0.5 * 40.0 * (e(4.0) / 1.1 + (e(8.0) - e(4.0)) / 1.21 + (e(12.0) - e(8.0)) / 1.331);
        let got = customer_clv(&m, 2.0, 20.0, 30.0, 40.0, &s);
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    }

    #[test]
    fn impossible_records_are_rejected_with_their_position() {
        let mut c = CustomerRecord::from_stats("c9", 2.0, 12.0, 10.0, 5.0);
        let e = BtydParams::new(ModelKind::BgNbd)
            .check()
            .unwrap()
            .fit_records(
                &[
                    CustomerRecord::from_stats("ok", 0.0, 0.0, 5.0, 0.0),
                    c.clone(),
                ],
                TimeUnit::Week,
                &mut |_| {},
            )
            .unwrap_err();
        assert!(
            e.to_string().contains("customer 1 (id \"c9\"), field t_x"),
            "{e}"
        );
        c.t_x = 5.0;
        c.weight = 0.0;
        assert!(check_record(0, &c).is_err());
    }

    #[test]
    fn analytic_gradients_match_central_differences() {
        // A spread of customers: x = 0, repeat buyers, t_x = T, fractional times, weights.
        let rows: Vec<(f64, f64, f64, f64)> = (0..60)
            .map(|i| {
                let f = f64::from(i);
                let x = f64::from(i % 7);
                let t = 10.0 + f64::from(i % 9) * 2.5;
                let t_x = if x > 0.0 { t * ((f * 0.61) % 1.0) } else { 0.0 };
                (x, t_x, t, 1.0 + f64::from(i % 3))
            })
            .collect();
        let groups = optim::group_rows(rows);
        let prepared = optim::Prepared::with_table_cap(&groups, usize::MAX);
        // The same data without shared tables (one entry per run, as for continuous times)
        // gives the same likelihood for every model.
        let flat = optim::Prepared::with_table_cap(&groups, 0);
        assert!(prepared.ts.len() < flat.ts.len());
        for kind in [ModelKind::BgNbd, ModelKind::MbgNbd, ModelKind::ParetoNbd] {
            let m = BtydModel::from_array(kind, [0.5, 3.0, 0.9, 2.0]);
            let (a, b) = (
                m.log_likelihood_prepared(&prepared),
                m.log_likelihood_prepared(&flat),
            );
            assert!((a - b).abs() < 1e-10 * a.abs(), "{kind:?}: {a} vs {b}");
        }
        for kind in [ModelKind::BgNbd, ModelKind::MbgNbd, ModelKind::ParetoNbd] {
            for p in [
                [0.24, 4.4, 0.79, 2.4],
                [1.3, 0.7, 2.5, 0.6],
                [0.55, 10.5, 0.6, 11.7],
            ] {
                let theta = p.map(f64::ln);
                let ll = |th: &[f64]| {
                    let q = <[f64; 4]>::try_from(th).unwrap().map(f64::exp);
                    BtydModel::from_array(kind, q).log_likelihood_prepared(&prepared)
                };
                let (value, grad) =
                    BtydModel::from_array(kind, p).log_likelihood_grad_prepared(&prepared);
                // The value against the per-customer likelihood (written separately).
                let m = BtydModel::from_array(kind, p);
                let direct: f64 = groups
                    .iter()
                    .map(|g| g.weight * m.log_likelihood(g.x, g.t_x, g.t))
                    .sum();
                assert!((value - direct).abs() < 1e-9 * value.abs(), "{kind:?}");
                let numeric = optim::gradient(&ll, &theta);
                for (a, n) in grad.iter().zip(&numeric) {
                    assert!(
                        (a - n).abs() < 1e-6 * (1.0 + n.abs()),
                        "{kind:?} {p:?}: analytic {grad:?} vs numeric {numeric:?}"
                    );
                }
            }
        }
    }
}
