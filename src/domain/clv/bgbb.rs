//! BG/BB (Fader, Hardie & Shang 2010, "Customer-base analysis in a discrete-time noncontractual
//! setting", Marketing Science 29(6)): for opportunities that come in discrete periods (annual
//! donations, events attended). While alive, a customer transacts in each period with
//! probability p ~ Beta(α, β); at the start of each period after the first a customer dies with
//! probability θ ~ Beta(γ, δ), for good.
//!
//! A customer's history is (x, t_x, n): x periods with a transaction out of n, the last in
//! period t_x (t_x = 0 when x = 0). With B the Beta function (eq. 5 of the paper):
//!
//! L = B(α+x, β+n−x)/B(α,β) · B(γ, δ+n)/B(γ,δ)
//!   + Σ_{i=0}^{n−t_x−1} B(α+x, β+t_x−x+i)/B(α,β) · B(γ+1, δ+t_x+i)/B(γ,δ)
//!
//! evaluated in log space: the first term of the sum through `ln_beta`, the others by the ratio
//! B(a, b+1)/B(a, b) = b/(a+b) (every ratio is below 1, so the sum never overflows).
//!
//! Predictions (the paper's numbering): P(alive in period n+m) (eq. 11 for m = 1),
//! E[X(n)] for a new customer (eq. 9), the conditional expectation E[X(n, n+n*) | x, t_x, n]
//! (eq. 13) and the discounted expected residual transactions (eq. 14)
//!
//! DERT(d) = B(α+x+1, β+n−x)/B(α,β) · B(γ, δ+n+1)/B(γ,δ) / (1+d)
//!           · ₂F₁(1, δ+n+1; γ+δ+n+1; 1/(1+d)) / L
//!
//! (a transaction in period n+i discounted by (1+d)^−i; the tests check it against the
//! discounted sum of the per-period expectations).
//!
//! The fit is maximum likelihood on groups of identical (x, t_x, n) weighted by their count
//! (exact), on log-parameters, with the shared search of [`super::optim`] (several starts,
//! Nelder–Mead then BFGS with numeric gradients: the data are a few hundred groups at most for
//! yearly or quarterly periods) and standard errors from the Hessian.

use super::optim::{self, Convergence, FitOptions};
use super::special::{hyp2f1, log_add_exp};
use super::{ClvError, ParamEstimate};
use crate::domain::customers::DiscreteSummary;
use serde::{Deserialize, Serialize};
use statrs::function::beta::ln_beta;
use statrs::function::gamma::ln_gamma;
use std::collections::BTreeMap;

/// BG/BB parameters (names as in the paper).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BgBb {
    /// First shape of the Beta distribution of the per-period transaction probability p.
    pub alpha: f64,
    /// Second shape of the Beta distribution of p.
    pub beta: f64,
    /// First shape of the Beta distribution of the per-period drop-out probability θ.
    pub gamma: f64,
    /// Second shape of the Beta distribution of θ.
    pub delta: f64,
}

/// One group of identical discrete-time customers: x periods with a transaction out of n, the
/// last in period t_x, and how many customers share that history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BgBbGroup {
    /// Number of periods with a transaction (after the first, which defines the customer).
    pub x: u32,
    /// The period of the last transaction (0 when x = 0).
    pub t_x: u32,
    /// Number of transaction opportunities (periods) observed.
    pub n: u32,
    /// Number of customers with this history.
    pub count: u64,
}

impl BgBbGroup {
    /// Checks the history: x ≤ t_x ≤ n, t_x = 0 exactly when x = 0, count ≥ 1. `index` is the
    /// group's position, used in the message.
    ///
    /// # Errors
    /// [`ClvError::InvalidRecord`] naming the field.
    pub fn check(&self, index: usize) -> Result<(), ClvError> {
        let bad = |field: &str, value: u64, reason: &str| ClvError::InvalidRecord {
            index: index as u64,
            id: format!("x={} t_x={} n={}", self.x, self.t_x, self.n),
            field: field.to_string(),
            value: value as f64,
            reason: reason.to_string(),
        };
        if self.t_x > self.n {
            return Err(bad(
                "t_x",
                u64::from(self.t_x),
                "the last transaction period must be at most n",
            ));
        }
        if self.x > self.t_x {
            return Err(bad(
                "x",
                u64::from(self.x),
                "more periods with a transaction than the last such period (x must be ≤ t_x)",
            ));
        }
        if self.x == 0 && self.t_x != 0 {
            return Err(bad("t_x", u64::from(self.t_x), "must be 0 when x = 0"));
        }
        if self.count == 0 {
            return Err(bad("count", 0, "must be ≥ 1"));
        }
        Ok(())
    }
}

/// Merges identical (x, t_x, n) histories, summing their counts (exact: the log-likelihood of a
/// group is count × that of one member). Sorted by (n, x, t_x).
pub fn group_histories(groups: impl IntoIterator<Item = BgBbGroup>) -> Vec<BgBbGroup> {
    let mut map: BTreeMap<(u32, u32, u32), u64> = BTreeMap::new();
    for g in groups {
        *map.entry((g.n, g.x, g.t_x)).or_insert(0) += g.count;
    }
    map.into_iter()
        .map(|((n, x, t_x), count)| BgBbGroup { x, t_x, n, count })
        .collect()
}

/// The histories of a [`DiscreteSummary`] grouped by (x, t_x, n) with their counts.
pub fn groups_of(summary: &DiscreteSummary) -> Vec<BgBbGroup> {
    group_histories(summary.customers.iter().map(|c| BgBbGroup {
        x: c.x,
        t_x: c.t_x,
        n: c.n,
        count: 1,
    }))
}

impl BgBb {
    /// Parameters from log-parameters [ln α, ln β, ln γ, ln δ].
    pub fn from_log(theta: &[f64]) -> Option<BgBb> {
        match theta {
            [a, b, g, d] => Some(BgBb {
                alpha: a.exp(),
                beta: b.exp(),
                gamma: g.exp(),
                delta: d.exp(),
            }),
            _ => None,
        }
    }

    /// The parameters as [α, β, γ, δ].
    pub fn to_array(&self) -> [f64; 4] {
        [self.alpha, self.beta, self.gamma, self.delta]
    }

    /// Log-likelihood of one customer with history (x, t_x, n) (eq. 5, in log space).
    pub fn log_likelihood(&self, x: u32, t_x: u32, n: u32) -> f64 {
        let BgBb {
            alpha,
            beta,
            gamma,
            delta,
        } = *self;
        let (xf, txf, nf) = (f64::from(x), f64::from(t_x), f64::from(n));
        let lb_ab = ln_beta(alpha, beta);
        let lb_gd = ln_beta(gamma, delta);
        let alive =
            ln_beta(alpha + xf, beta + nf - xf) - lb_ab + ln_beta(gamma, delta + nf) - lb_gd;
        if t_x >= n {
            return alive;
        }
        // Died after period t_x + i (i = 0 .. n − t_x − 1).
        let first = ln_beta(alpha + xf, beta + txf - xf) - lb_ab
            + ln_beta(gamma + 1.0, delta + txf)
            - lb_gd;
        let mut term = 1.0;
        let mut sum = 1.0;
        for i in 1..(n - t_x) {
            let j = f64::from(i - 1);
            term *= (beta + txf - xf + j) / (alpha + beta + txf + j) * (delta + txf + j)
                / (gamma + 1.0 + delta + txf + j);
            sum += term;
        }
        log_add_exp(alive, first + sum.ln())
    }

    /// Total log-likelihood of groups (count-weighted).
    pub fn log_likelihood_groups(&self, groups: &[BgBbGroup]) -> f64 {
        groups
            .iter()
            .map(|g| g.count as f64 * self.log_likelihood(g.x, g.t_x, g.n))
            .sum()
    }

    /// ln of the part of the likelihood that a future transaction needs (alive through n,
    /// with one more success): B(α+x+1, β+n−x)/B(α,β) − L, in logs.
    fn ln_future_factor(&self, x: u32, t_x: u32, n: u32) -> f64 {
        let (xf, nf) = (f64::from(x), f64::from(n));
        ln_beta(self.alpha + xf + 1.0, self.beta + nf - xf)
            - ln_beta(self.alpha, self.beta)
            - self.log_likelihood(x, t_x, n)
    }

    /// P(alive in period n + m | x, t_x, n) (eq. 11 of the paper is m = 1; m = 0 is "alive in
    /// the last observed period", lifetimes' `conditional_probability_alive(0, ...)`).
    pub fn p_alive_at(&self, m: u32, x: u32, t_x: u32, n: u32) -> f64 {
        let (xf, nf, mf) = (f64::from(x), f64::from(n), f64::from(m));
        (ln_beta(self.alpha + xf, self.beta + nf - xf) - ln_beta(self.alpha, self.beta)
            + ln_beta(self.gamma, self.delta + nf + mf)
            - ln_beta(self.gamma, self.delta)
            - self.log_likelihood(x, t_x, n))
        .exp()
    }

    /// P(alive in the next period, n + 1 | x, t_x, n) (eq. 11).
    pub fn p_alive(&self, x: u32, t_x: u32, n: u32) -> f64 {
        self.p_alive_at(1, x, t_x, n)
    }

    /// E[X(n)]: expected number of periods with a transaction in the first `n` opportunities
    /// of a new customer (eq. 9).
    pub fn expected_transactions(&self, n: u32) -> f64 {
        let BgBb {
            alpha,
            beta,
            gamma,
            delta,
        } = *self;
        let mean_p = alpha / (alpha + beta);
        // Σ_{i=1..n} P(alive in period i) = Σ B(γ, δ+i)/B(γ, δ), by the ratio recursion.
        let mut s = 0.0;
        let mut alive = 1.0;
        for i in 0..n {
            let j = f64::from(i);
            alive *= (delta + j) / (gamma + delta + j);
            s += alive;
        }
        mean_p * s
    }

    /// E[X(n, n+n*) | x, t_x, n]: expected number of periods with a transaction in the next
    /// `n_star` periods (eq. 13), summed period by period (exact, and free of the 1/(γ−1)
    /// cancellation of the closed form near γ = 1).
    pub fn conditional_expected_transactions(&self, n_star: u32, x: u32, t_x: u32, n: u32) -> f64 {
        let (gamma, delta) = (self.gamma, self.delta);
        let nf = f64::from(n);
        let ln_first = self.ln_future_factor(x, t_x, n) + ln_beta(gamma, delta + nf + 1.0)
            - ln_beta(gamma, delta);
        // Σ_{i=1..n*} B(γ, δ+n+i)/B(γ, δ+n+1).
        let mut s = 0.0;
        let mut r = 1.0;
        for i in 0..n_star {
            if i > 0 {
                let b = delta + nf + f64::from(i);
                r *= b / (gamma + b);
            }
            s += r;
        }
        ln_first.exp() * s
    }

    /// Discounted expected residual transactions (eq. 14) at discount rate `d` per period
    /// (d > 0): the expected number of future periods with a transaction, the one in period
    /// n + i discounted by (1 + d)^−i. Multiply by the value of a transaction for a money
    /// value. NaN when d ≤ 0.
    pub fn dert(&self, d: f64, x: u32, t_x: u32, n: u32) -> f64 {
        if !(d > 0.0 && d.is_finite()) {
            return f64::NAN;
        }
        let (gamma, delta) = (self.gamma, self.delta);
        let b = delta + f64::from(n) + 1.0;
        let ln_first = self.ln_future_factor(x, t_x, n) + ln_beta(gamma, b)
            - ln_beta(gamma, delta)
            - d.ln_1p();
        ln_first.exp() * hyp2f1(1.0, b, gamma + b, 1.0 / (1.0 + d))
    }

    /// P(X(n) = x) for a new customer: the probability of exactly `x` periods with a
    /// transaction in the first `n` opportunities (eq. 7).
    pub fn prob_transactions(&self, x: u32, n: u32) -> f64 {
        if x > n {
            return 0.0;
        }
        let BgBb {
            alpha,
            beta,
            gamma,
            delta,
        } = *self;
        let xf = f64::from(x);
        let ln_choose =
            |a: f64, k: f64| ln_gamma(a + 1.0) - ln_gamma(k + 1.0) - ln_gamma(a - k + 1.0);
        let (lb_ab, lb_gd) = (ln_beta(alpha, beta), ln_beta(gamma, delta));
        let nf = f64::from(n);
        let mut p = (ln_choose(nf, xf) + ln_beta(alpha + xf, beta + nf - xf) - lb_ab
            + ln_beta(gamma, delta + nf)
            - lb_gd)
            .exp();
        for i in x..n {
            let i = f64::from(i);
            p += (ln_choose(i, xf) + ln_beta(alpha + xf, beta + i - xf) - lb_ab
                + ln_beta(gamma + 1.0, delta + i)
                - lb_gd)
                .exp();
        }
        p
    }
}

/// A fitted BG/BB model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedBgBb {
    /// The parameters (for predictions).
    pub model: BgBb,
    /// Estimates with standard errors and descriptions: alpha, beta, gamma, delta.
    pub params: Vec<ParamEstimate>,
    /// Log-likelihood at the estimates (the true one, not divided by the number of customers).
    pub log_likelihood: f64,
    /// How the search ended.
    pub convergence: Convergence,
    /// Number of customers (sum of counts).
    pub n_customers: u64,
    /// Number of distinct (x, t_x, n) groups.
    pub n_groups: u64,
}

impl FittedBgBb {
    /// Estimate of a parameter by name.
    pub fn param(&self, name: &str) -> Option<f64> {
        self.params.iter().find(|p| p.name == name).map(|p| p.value)
    }

    /// Predictions for each group (count kept, so totals are count-weighted sums).
    pub fn predict(&self, groups: &[BgBbGroup], n_star: u32, d: f64) -> Vec<BgBbPrediction> {
        groups
            .iter()
            .map(|g| BgBbPrediction {
                group: *g,
                p_alive: self.model.p_alive(g.x, g.t_x, g.n),
                expected: self
                    .model
                    .conditional_expected_transactions(n_star, g.x, g.t_x, g.n),
                dert: self.model.dert(d, g.x, g.t_x, g.n),
            })
            .collect()
    }
}

/// Per-group BG/BB predictions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BgBbPrediction {
    /// The group (its count is the number of customers the figures apply to, each).
    pub group: BgBbGroup,
    /// P(alive in period n + 1).
    pub p_alive: f64,
    /// Expected periods with a transaction in the next n* periods, per customer.
    pub expected: f64,
    /// Discounted expected residual transactions, per customer.
    pub dert: f64,
}

/// The parameter names in paper order.
pub const BGBB_PARAMETER_NAMES: [&str; 4] = ["alpha", "beta", "gamma", "delta"];

/// Plain-language description of a BG/BB parameter.
pub fn parameter_description(name: &str) -> &'static str {
    match name {
        "alpha" => "first shape of the chance of a transaction in a period while alive; alpha/(alpha+beta) is its mean",
        "beta" => "second shape of the chance of a transaction in a period while alive",
        "gamma" => "first shape of the chance of dropping out before a period; gamma/(gamma+delta) is its mean",
        "delta" => "second shape of the chance of dropping out before a period",
        _ => "",
    }
}

/// Settings of a BG/BB fit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BgBbParams {
    /// Search options.
    #[serde(default)]
    pub options: FitOptions,
}

/// Bound on |ln p| during the search, as for the other models.
const LN_PARAM_BOUND: f64 = 9.0;

impl BgBbParams {
    /// Fits on grouped histories (identical groups are merged first).
    ///
    /// # Errors
    /// [`ClvError::InvalidParameter`] for bad options, [`ClvError::InvalidRecord`] for an
    /// impossible history (with its position), [`ClvError::NotEnoughData`] when there are no
    /// customers or nobody has more than one opportunity.
    pub fn fit(
        &self,
        groups: &[BgBbGroup],
        progress: &mut dyn FnMut(f64),
    ) -> Result<FittedBgBb, ClvError> {
        super::check_options(&self.options)?;
        for (i, g) in groups.iter().enumerate() {
            g.check(i)?;
        }
        let groups = group_histories(groups.iter().copied());
        if groups.is_empty() {
            return Err(ClvError::NotEnoughData {
                reason: String::from("there are no customers"),
            });
        }
        if groups.iter().all(|g| g.n == 0) {
            return Err(ClvError::NotEnoughData {
                reason: String::from(
                    "no customer has a transaction opportunity after the first: BG/BB needs at least one later period",
                ),
            });
        }
        let nll = |th: &[f64]| -> f64 {
            if th.iter().any(|v| v.abs() > LN_PARAM_BOUND) {
                return f64::NAN;
            }
            let v = BgBb::from_log(th).map_or(f64::NAN, |m| -m.log_likelihood_groups(&groups));
            if v.is_finite() {
                v
            } else {
                f64::NAN
            }
        };
        let mut min = optim::minimize(&nll, &[0.0; 4], &self.options, progress);
        if min.theta.iter().any(|t| t.abs() >= LN_PARAM_BOUND - 0.05) {
            min.convergence.converged = false;
            min.convergence.reason = String::from(
                "did not converge: a parameter ran to the edge of the search range (the data do \
                 not pin the model down)",
            );
        }
        let se = optim::standard_errors(&nll, &min.theta);
        let model = BgBb::from_log(&min.theta).unwrap_or(BgBb {
            alpha: f64::NAN,
            beta: f64::NAN,
            gamma: f64::NAN,
            delta: f64::NAN,
        });
        let values = model.to_array();
        let params = BGBB_PARAMETER_NAMES
            .iter()
            .zip(values)
            .enumerate()
            .map(|(i, (name, value))| ParamEstimate {
                name: (*name).to_string(),
                value,
                std_error: se.get(i).copied().flatten(),
                description: parameter_description(name).to_string(),
            })
            .collect();
        Ok(FittedBgBb {
            model,
            params,
            log_likelihood: -min.value,
            convergence: min.convergence,
            n_customers: groups.iter().map(|g| g.count).sum(),
            n_groups: groups.len() as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: BgBb = BgBb {
        alpha: 1.204,
        beta: 0.750,
        gamma: 0.657,
        delta: 2.783,
    };

    #[test]
    fn history_probabilities_sum_to_one() {
        // Over every possible history in n periods, the likelihoods (times the number of
        // sequences with that (x, t_x)) sum to 1.
        let n = 6u32;
        let mut total = 0.0;
        for t_x in 0..=n {
            for x in 0..=t_x {
                if (x == 0) != (t_x == 0) {
                    continue;
                }
                // Sequences with x successes, the last at t_x: C(t_x − 1, x − 1).
                let ways = if x == 0 {
                    1.0
                } else {
                    (1..x).fold(1.0, |acc, k| {
                        acc * f64::from(t_x - 1 - (k - 1)) / f64::from(k)
                    })
                };
                total += ways * P.log_likelihood(x, t_x, n).exp();
            }
        }
        assert!((total - 1.0).abs() < 1e-12, "{total}");
    }

    #[test]
    fn transaction_count_distribution_sums_to_one_with_the_model_mean() {
        let n = 6;
        let (mut s, mut m) = (0.0, 0.0);
        for x in 0..=n {
            let p = P.prob_transactions(x, n);
            s += p;
            m += f64::from(x) * p;
        }
        assert!((s - 1.0).abs() < 1e-12, "{s}");
        assert!((m - P.expected_transactions(n)).abs() < 1e-12, "{m}");
    }

    #[test]
    fn conditional_expectation_matches_the_closed_form_of_the_paper() {
        let BgBb {
            alpha,
            beta,
            gamma,
            delta,
        } = P;
        for (x, t_x, n, ns) in [(0, 0, 6, 5), (3, 4, 6, 5), (6, 6, 6, 10), (1, 1, 6, 1)] {
            let (xf, nf, nsf) = (f64::from(x), f64::from(n), f64::from(ns));
            let closed = (ln_beta(alpha + xf + 1.0, beta + nf - xf)
                - ln_beta(alpha, beta)
                - P.log_likelihood(x, t_x, n))
            .exp()
                * delta
                / (gamma - 1.0)
                * (ln_gamma(gamma + delta) - ln_gamma(1.0 + delta)).exp()
                * ((ln_gamma(1.0 + delta + nf) - ln_gamma(gamma + delta + nf)).exp()
                    - (ln_gamma(1.0 + delta + nf + nsf) - ln_gamma(gamma + delta + nf + nsf))
                        .exp());
            let got = P.conditional_expected_transactions(ns, x, t_x, n);
            assert!(
                (got - closed).abs() < 1e-10,
                "{x},{t_x},{n}: {got} vs {closed}"
            );
        }
    }

    #[test]
    fn dert_is_the_discounted_sum_of_expected_transactions() {
        let d = 0.1;
        for (x, t_x, n) in [(0, 0, 6), (3, 4, 6), (6, 6, 6), (2, 5, 6)] {
            let mut sum = 0.0;
            let mut prev = 0.0;
            for i in 1..=3000u32 {
                let e = P.conditional_expected_transactions(i, x, t_x, n);
                sum += (e - prev) / (1.0f64 + d).powi(i as i32);
                prev = e;
            }
            let got = P.dert(d, x, t_x, n);
            assert!((got - sum).abs() < 1e-9, "{x},{t_x},{n}: {got} vs {sum}");
        }
        assert!(P.dert(0.0, 1, 1, 6).is_nan());
    }

    #[test]
    fn a_new_customer_is_alive_in_the_first_period() {
        // Nothing observed (n = 0): alive in period 1 with the prior chance E[(1 − θ)].
        let want = P.delta / (P.gamma + P.delta);
        assert!((P.p_alive(0, 0, 0) - want).abs() < 1e-14);
        assert!(
            (P.conditional_expected_transactions(6, 0, 0, 0) - P.expected_transactions(6)).abs()
                < 1e-12
        );
    }

    #[test]
    fn impossible_histories_are_rejected_with_their_position() {
        let e = BgBbParams::default()
            .fit(
                &[
                    BgBbGroup {
                        x: 1,
                        t_x: 2,
                        n: 6,
                        count: 3,
                    },
                    BgBbGroup {
                        x: 3,
                        t_x: 2,
                        n: 6,
                        count: 1,
                    },
                ],
                &mut |_| {},
            )
            .unwrap_err();
        assert!(e.to_string().contains("customer 1"), "{e}");
        assert!(e.to_string().contains("field x"), "{e}");
    }
}
