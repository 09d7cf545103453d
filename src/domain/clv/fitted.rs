//! A fitted buy-till-you-die model: estimates with standard errors, the convergence report and
//! the per-customer predictions the pages and the command show.

use super::{BtydModel, Convergence, ModelKind};
use crate::domain::customers::TimeUnit;
use serde::{Deserialize, Serialize};

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
    /// Covariance of the log-parameters ln p (paper order, row-major, n × n): the inverse
    /// Hessian of the negative log-likelihood at the estimates. Intervals draw from the normal
    /// with this covariance. `None` when the Hessian is singular or not positive definite
    /// ([`FittedModel::covariance_note`] says why).
    #[serde(default)]
    pub log_covariance: Option<Vec<f64>>,
    /// Why [`FittedModel::log_covariance`] is missing (`None` when it is there).
    #[serde(default)]
    pub covariance_note: Option<String>,
}

impl FittedModel {
    /// A fit of `model` with no estimation behind it (weekly, no customers, no standard errors):
    /// what the tests of the per-customer formulas need.
    #[cfg(test)]
    pub(crate) fn of_model(model: BtydModel) -> FittedModel {
        FittedModel {
            kind: model.kind(),
            model,
            params: Vec::new(),
            log_likelihood: 0.0,
            convergence: Convergence {
                converged: true,
                iterations: 0,
                gradient_norm: 0.0,
                reason: String::new(),
            },
            n_customers: 0,
            n_groups: 0,
            time_unit: TimeUnit::Week,
            description: String::new(),
            log_covariance: None,
            covariance_note: None,
        }
    }

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
