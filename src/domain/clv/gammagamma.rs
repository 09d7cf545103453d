//! Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves"):
//! a customer's transaction values are Gamma(p, ν) with ν ~ Gamma(q, γ) across customers. Fitted
//! on repeaters only (x > 0, m > 0), on the mean repeat value m.
//!
//! Its key assumption is that spend per transaction is independent of purchase frequency; the
//! fit reports the Pearson correlation between x and m among repeaters and raises a warning
//! flag when |corr| > 0.3.
//!
//! Two edges of the model are handled explicitly, never as NaN:
//! - **Heavy-tailed spend** (a few very large customers) fits q ≤ 1: the population mean
//!   pγ/(q − 1) does not exist. The conditional mean p(γ + x·m)/(p·x + q − 1) still exists for
//!   every customer with p·x + q > 1; where it does not (customers without repeat purchases,
//!   or p·x + q ≤ 1) a stated fallback is used and flagged ([`SpendEstimate`],
//!   [`SpendFallback`]).
//! - **No spread across customers** (every customer's mean spend the same up to the noise the
//!   within-customer variance explains): the likelihood keeps rising as q → ∞ and has no finite
//!   maximum. The fit detects it before searching with the score test at the limit — the limit
//!   model (one ν for everyone) is fitted by a one-dimensional Newton search, and the boundary
//!   holds when Σ w [x²ν²(m − p/ν)² − p·x] ≤ 0, i.e. the spread of m across customers is no
//!   more than the within-customer variance p/(x·ν²) predicts — and then returns the limit
//!   model: the mean spend per transaction for everyone ([`FittedGammaGamma::no_spread`]).

use super::optim::{self, Convergence, FitOptions};
use super::ClvError;
use crate::domain::customers::CustomerRecord;
use serde::{Deserialize, Serialize};
use statrs::function::gamma::{digamma, ln_gamma};

/// Gamma-Gamma parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GammaGamma {
    /// Shape of each customer's transaction-value distribution.
    pub p: f64,
    /// Shape of the across-customer Gamma distribution.
    pub q: f64,
    /// Scale of the across-customer Gamma distribution.
    pub gamma: f64,
}

/// |correlation| between frequency and spend above which the independence warning is raised.
pub const CORRELATION_WARNING: f64 = 0.3;

/// Why a spend figure is not the model's conditional mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpendFallback {
    /// q ≤ 1 (heavy-tailed spend): the model's population mean is infinite, so a customer
    /// without repeat purchases gets the observed mean spend of the repeat customers (from
    /// the parameters alone: p·γ/q, the spend at the population's mean ν).
    NoPopulationMean,
    /// p·x + q ≤ 1: the model's expected spend of this customer is infinite; the customer's
    /// own mean repeat spend m is used.
    NoConditionalMean,
    /// Spend does not vary across customers (the likelihood is highest as q → ∞): everyone
    /// gets the mean spend per repeat transaction.
    NoSpread,
}

impl SpendFallback {
    /// The plain-language reason, for the page and the command line.
    pub fn message(self) -> &'static str {
        match self {
            SpendFallback::NoPopulationMean => "spend is heavy-tailed (a few very large customers: q ≤ 1), so the model has no average spend: customers without repeat purchases get the observed mean spend of the repeat customers",
            SpendFallback::NoConditionalMean => "the model gives this customer no finite expected spend (p·x + q ≤ 1): their own mean repeat spend is used",
            SpendFallback::NoSpread => "spend does not vary across customers: using the mean spend for everyone",
        }
    }
}

/// An expected spend per transaction and, when it is not the model's conditional mean (which
/// does not exist there), the fallback used instead. `value` is finite for finite inputs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SpendEstimate {
    /// Expected spend per transaction.
    pub value: f64,
    /// `None` when `value` is the model's conditional mean; otherwise why it is a fallback.
    pub fallback: Option<SpendFallback>,
}

impl GammaGamma {
    /// Log-likelihood of one repeater with x repeat purchases of mean value m.
    pub fn log_likelihood(&self, x: f64, m: f64) -> f64 {
        let GammaGamma { p, q, gamma } = *self;
        let px = p * x;
        ln_gamma(px + q) - ln_gamma(px) - ln_gamma(q)
            + q * gamma.ln()
            + (px - 1.0) * m.ln()
            + px * x.ln()
            - (px + q) * (x * m + gamma).ln()
    }

    /// Expected mean transaction value of a customer: p(γ + x·m)/(p·x + q − 1), or the
    /// population mean pγ/(q − 1) when x = 0. Never NaN for finite inputs: where the model's
    /// mean does not exist, the fallback of [`GammaGamma::spend_estimate`] (prefer that one:
    /// it says when a fallback was used).
    pub fn expected_spend(&self, x: f64, m: f64) -> f64 {
        self.spend_estimate(x, m).value
    }

    /// Expected mean transaction value with the reason when it is a fallback: x = 0 with
    /// q ≤ 1 gets p·γ/q (the spend at the population's mean ν), p·x + q ≤ 1 gets m.
    pub fn spend_estimate(&self, x: f64, m: f64) -> SpendEstimate {
        let GammaGamma { p, q, gamma } = *self;
        self.spend_estimate_or(x, m, p * gamma / q)
    }

    /// As [`GammaGamma::spend_estimate`], with `no_mean_fallback` for customers without repeat
    /// purchases when the population mean does not exist (q ≤ 1).
    pub fn spend_estimate_or(&self, x: f64, m: f64, no_mean_fallback: f64) -> SpendEstimate {
        let GammaGamma { p, q, gamma } = *self;
        let fallback = |value: f64, why: SpendFallback| SpendEstimate {
            value: if value.is_finite() { value } else { 0.0 },
            fallback: Some(why),
        };
        if x <= 0.0 {
            return match self.try_population_mean() {
                Some(value) => SpendEstimate {
                    value,
                    fallback: None,
                },
                None => fallback(no_mean_fallback, SpendFallback::NoPopulationMean),
            };
        }
        let denominator = p * x + q - 1.0;
        let value = p * (gamma + x * m) / denominator;
        if denominator > 0.0 && value.is_finite() {
            SpendEstimate {
                value,
                fallback: None,
            }
        } else {
            fallback(m, SpendFallback::NoConditionalMean)
        }
    }

    /// Population mean transaction value pγ/(q − 1); `None` when q ≤ 1 (heavy-tailed spend:
    /// the mean is infinite) or the figure is not finite.
    pub fn try_population_mean(&self) -> Option<f64> {
        let GammaGamma { p, q, gamma } = *self;
        let v = p * gamma / (q - 1.0);
        (q > 1.0 && v.is_finite()).then_some(v)
    }

    /// Population mean transaction value pγ/(q − 1); when it does not exist (q ≤ 1), the
    /// fallback p·γ/q (see [`GammaGamma::try_population_mean`] to tell the two apart).
    pub fn population_mean(&self) -> f64 {
        self.spend_estimate(0.0, 0.0).value
    }
}

/// The fitted Gamma-Gamma model with its diagnostics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedGammaGamma {
    /// Estimates. With [`FittedGammaGamma::no_spread`], q is a large finite stand-in for the
    /// limit q → ∞ (every customer's conditional mean is then the common mean spend).
    pub params: GammaGamma,
    /// Standard errors of p, q, γ (delta method from log-parameters).
    pub std_errors: [Option<f64>; 3],
    /// Log-likelihood at the estimates.
    pub log_likelihood: f64,
    /// How the search ended.
    pub convergence: Convergence,
    /// Number of repeaters used.
    pub n_customers: u64,
    /// Pearson correlation of x and m among repeaters.
    pub frequency_spend_correlation: f64,
    /// True when |correlation| > [`CORRELATION_WARNING`]: the independence assumption is doubtful.
    pub correlation_warning: bool,
    /// True when spend does not vary across customers (no finite maximum, q → ∞): the limit
    /// model was fitted and everyone gets the mean spend per transaction.
    #[serde(default)]
    pub no_spread: bool,
    /// Observed mean of m over the repeaters used (weighted): the expected spend of customers
    /// without repeat purchases when the model's population mean does not exist (q ≤ 1).
    #[serde(default)]
    pub repeater_mean_spend: f64,
    /// Covariance of (ln p, ln q, ln γ) (row-major, 3 × 3), the inverse Hessian of the negative
    /// log-likelihood at the estimates; `None` for the limit model and when the Hessian is
    /// singular or not positive definite ([`FittedGammaGamma::covariance_note`] says why).
    #[serde(default)]
    pub log_covariance: Option<Vec<f64>>,
    /// Why [`FittedGammaGamma::log_covariance`] is missing (`None` when it is there).
    #[serde(default)]
    pub covariance_note: Option<String>,
}

impl FittedGammaGamma {
    /// Expected spend per transaction of a customer with x repeat purchases of mean value m,
    /// with the reason when it is a fallback (see [`SpendFallback`]). Finite for finite input.
    pub fn spend_estimate(&self, x: f64, m: f64) -> SpendEstimate {
        if self.no_spread {
            let GammaGamma { p, q, gamma } = self.params;
            let common = p * gamma / q;
            return SpendEstimate {
                value: if common.is_finite() {
                    common
                } else {
                    self.repeater_mean_spend
                },
                fallback: Some(SpendFallback::NoSpread),
            };
        }
        self.params
            .spend_estimate_or(x, m, self.repeater_mean_spend)
    }

    /// The average spend per transaction to show for the population: pγ/(q − 1), or the
    /// stated fallback when it does not exist.
    pub fn population_mean(&self) -> SpendEstimate {
        self.spend_estimate(0.0, 0.0)
    }

    /// The model-wide caveat to show beside the figures: no spread across customers, or
    /// heavy-tailed spend (q ≤ 1); `None` when the model's means exist.
    pub fn fallback(&self) -> Option<SpendFallback> {
        if self.no_spread {
            Some(SpendFallback::NoSpread)
        } else if self.params.try_population_mean().is_none() {
            Some(SpendFallback::NoPopulationMean)
        } else {
            None
        }
    }
}

/// Settings of the Gamma-Gamma fit (linfa style: `check` then `fit`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GammaGammaParams {
    /// Search options.
    #[serde(default)]
    pub options: FitOptions,
}

/// A group of identical repeaters: x, m, ln m, weight.
type Row = (f64, f64, f64, f64);

/// Above this many distinct (x, m) groups the starting search runs on m rounded to a 1 % grid.
const COARSE_ABOVE: usize = 20_000;
/// Largest p of the limit model (p → ∞ when every transaction has the same value; the
/// common mean spend does not depend on p).
const P_MAX: f64 = 1e6;
/// Bound on |ln p|, |ln q|, |ln γ| during the search (e^50 ≈ 5·10²¹): beyond it the
/// likelihood is flat to machine precision and the search would only wander.
const LN_BOUND: f64 = 50.0;
/// A fitted q above this means no spread across customers (coefficient of variation of ν
/// below 0.01 %).
const Q_NO_SPREAD: f64 = 1e8;

impl GammaGammaParams {
    /// Validates the options.
    ///
    /// # Errors
    /// [`ClvError::InvalidParameter`] naming the bad option.
    pub fn check(&self) -> Result<&Self, ClvError> {
        super::check_options(&self.options)?;
        Ok(self)
    }

    /// Fits on the repeaters (x > 0 and m > 0) of `customers`. When spend does not vary
    /// across customers the result is the limit model, flagged [`FittedGammaGamma::no_spread`].
    ///
    /// # Errors
    /// [`ClvError::InvalidRecord`] for non-finite or negative statistics,
    /// [`ClvError::NotEnoughData`] with fewer than 2 repeaters.
    pub fn fit(
        &self,
        customers: &[CustomerRecord],
        progress: &mut dyn FnMut(f64),
    ) -> Result<FittedGammaGamma, ClvError> {
        self.check()?;
        let mut rows: Vec<(f64, f64, f64)> = Vec::new();
        for (i, c) in customers.iter().enumerate() {
            super::check_record(i, c)?;
            if c.x > 0.0 && c.monetary > 0.0 {
                rows.push((c.x, c.monetary, c.weight));
            }
        }
        if rows.len() < 2 {
            return Err(ClvError::NotEnoughData {
                reason: format!(
                    "the Gamma-Gamma model needs at least 2 repeat customers with positive spend; found {}",
                    rows.len()
                ),
            });
        }
        let grouped = group(rows.iter().map(|&(x, m, w)| (x, m, w)));
        let corr = weighted_correlation(&rows);
        let total_w: f64 = rows.iter().map(|r| r.2).sum();
        let repeater_mean_spend = rows.iter().map(|r| r.2 * r.1).sum::<f64>() / total_w;
        let n_customers = total_w.round() as u64;
        let finish =
            |params: GammaGamma,
             std_errors: [Option<f64>; 3],
             log_likelihood: f64,
             convergence: Convergence,
             no_spread: bool,
             log_covariance: Result<Vec<f64>, String>| FittedGammaGamma {
                params,
                std_errors,
                log_likelihood,
                convergence,
                n_customers,
                frequency_spend_correlation: corr,
                correlation_warning: corr.abs() > CORRELATION_WARNING,
                no_spread,
                repeater_mean_spend,
                covariance_note: log_covariance.as_ref().err().cloned(),
                log_covariance: log_covariance.ok(),
            };

        // The limit q → ∞ first: cheap, and it decides whether a finite maximum exists.
        let limit = fit_limit(&grouped);
        let limit_result = |why: &str| {
            let max_px = grouped.iter().fold(1.0f64, |a, r| a.max(limit.p * r.0));
            // q large enough that shrinkage towards the common mean is below 1e-9 for everyone.
            let q = 1e9 * max_px;
            finish(
                GammaGamma {
                    p: limit.p,
                    q,
                    gamma: q / limit.nu,
                },
                [limit.se_p, None, None],
                limit.log_likelihood,
                Convergence {
                    converged: limit.converged,
                    iterations: limit.iterations,
                    gradient_norm: limit.gradient_norm,
                    reason: format!(
                        "{why}: {}; the limit model (one mean spend for everyone) was fitted",
                        SpendFallback::NoSpread.message()
                    ),
                },
                true,
                Err(String::from(
                    "spend does not vary across customers (the limit model has no spread \
                     parameter), so spend is held at its estimate in intervals",
                )),
            )
        };
        if limit.score <= 0.0 {
            progress(1.0);
            return Ok(limit_result(
                "no finite maximum (the likelihood rises as q → ∞)",
            ));
        }

        // Spread exists: the full model, starting from the moment estimate of q at the limit.
        let mu = limit.p / limit.nu;
        let between = limit.score / limit.info;
        let q0 = (2.0 + mu * mu / between).clamp(1e-3, 1e6);
        let g0 = (q0 - 1.0).abs().max(1e-3) * mu / limit.p;
        // Searched on (ln p, ln q, ln(γ/q)): along the ridge towards large q, γ grows with q
        // (γ/q = 1/ν₀ stays put), so this decorrelates the two and keeps BFGS well scaled.
        let start = [limit.p.ln(), q0.ln(), g0.ln() - q0.ln()];
        let start = if start.iter().all(|v| v.is_finite()) {
            start
        } else {
            [0.0; 3]
        };
        let coarse = (grouped.len() > COARSE_ABOVE).then(|| coarsen(&grouped));
        let value_on = |data: &[Row], th: &[f64]| -> f64 {
            params_at(&from_search(th))
                .map_or(f64::INFINITY, |gg| -log_likelihood_rows(&gg, data, false).0)
        };
        let grad_on = |data: &[Row], th: &[f64]| -> (f64, Vec<f64>) {
            let Some(gg) = params_at(&from_search(th)) else {
                return (f64::INFINITY, vec![0.0; 3]);
            };
            let (ll, [dp, dq, dg]) = log_likelihood_rows(&gg, data, true);
            (-ll, vec![-dp, -(dq + dg), -dg])
        };
        let exact_v = |th: &[f64]| value_on(&grouped, th);
        let exact_g = |th: &[f64]| grad_on(&grouped, th);
        let exact = optim::Objective {
            value: &exact_v,
            value_grad: Some(&exact_g),
        };
        // The same likelihood on (ln p, ln q, ln γ), for the standard errors of p, q, γ.
        let natural_v = |th: &[f64]| {
            params_at(th).map_or(f64::INFINITY, |gg| {
                -log_likelihood_rows(&gg, &grouped, false).0
            })
        };
        let natural_g = |th: &[f64]| -> (f64, Vec<f64>) {
            let Some(gg) = params_at(th) else {
                return (f64::INFINITY, vec![0.0; 3]);
            };
            let (ll, g) = log_likelihood_rows(&gg, &grouped, true);
            (-ll, g.iter().map(|v| -v).collect())
        };
        let natural = optim::Objective {
            value: &natural_v,
            value_grad: Some(&natural_g),
        };
        let coarse_rows = coarse.unwrap_or_default();
        let coarse_v = |th: &[f64]| value_on(&coarse_rows, th);
        let coarse_g = |th: &[f64]| grad_on(&coarse_rows, th);
        let approx = optim::Objective {
            value: &coarse_v,
            value_grad: Some(&coarse_g),
        };
        let stages: Vec<&optim::Objective> = if coarse_rows.is_empty() {
            vec![&exact]
        } else {
            vec![&approx, &exact]
        };
        let m = optim::minimize_staged(&stages, &start, &self.options, progress);
        let theta = from_search(&m.theta);
        let Some(params) = params_at(&theta) else {
            return Ok(limit_result(
                "the search ran to the edge of the parameter space",
            ));
        };
        let log_likelihood = -m.value;
        if !(log_likelihood.is_finite() && params.q <= Q_NO_SPREAD)
            || log_likelihood < limit.log_likelihood
        {
            return Ok(limit_result(
                "the likelihood is highest as q → ∞ (no finite maximum)",
            ));
        }
        let unc = optim::uncertainty_of(&natural, &theta, None);
        let se = unc.std_errors;
        Ok(finish(
            params,
            [
                se.first().copied().flatten(),
                se.get(1).copied().flatten(),
                se.get(2).copied().flatten(),
            ],
            log_likelihood,
            m.convergence,
            false,
            unc.log_covariance,
        ))
    }
}

/// Log-likelihood of grouped rows (sorted by x) and, with `grad`, its gradient with respect to
/// (ln p, ln q, ln γ). The Gamma-function terms depend on x only and are computed once per
/// distinct x, so a row costs one logarithm.
fn log_likelihood_rows(gg: &GammaGamma, rows: &[Row], grad: bool) -> (f64, [f64; 3]) {
    let GammaGamma { p, q, gamma } = *gg;
    let (ln_g, lg_q, psi_q) = (gamma.ln(), ln_gamma(q), if grad { digamma(q) } else { 0.0 });
    // Per x: px, lnΓ(px + q) − lnΓ(px) + px ln x, ψ(px + q), ψ(px), ln x.
    let mut per_x = (f64::NAN, 0.0, 0.0, 0.0, 0.0, 0.0);
    let (mut ll, mut dp, mut dq, mut dg) = (0.0, 0.0, 0.0, 0.0);
    for &(x, m, ln_m, w) in rows {
        if x.to_bits() != per_x.0.to_bits() {
            let px = p * x;
            let ln_x = x.ln();
            let (psi_pq, psi_px) = if grad {
                (digamma(px + q), digamma(px))
            } else {
                (0.0, 0.0)
            };
            per_x = (
                x,
                px,
                ln_gamma(px + q) - ln_gamma(px) + px * ln_x,
                psi_pq,
                psi_px,
                ln_x,
            );
        }
        let (_, px, head, psi_pq, psi_px, ln_x) = per_x;
        let xm_g = x * m + gamma;
        let ln_xm_g = xm_g.ln();
        ll += w * (head - lg_q + q * ln_g + (px - 1.0) * ln_m - (px + q) * ln_xm_g);
        if grad {
            dp += w * x * (psi_pq - psi_px + ln_m + ln_x - ln_xm_g);
            dq += w * (psi_pq - psi_q + ln_g - ln_xm_g);
            dg += w * (q / gamma - (px + q) / xm_g);
        }
    }
    (ll, [p * dp, q * dq, gamma * dg])
}

/// (ln p, ln q, ln γ) from the search coordinates (ln p, ln q, ln(γ/q)).
fn from_search(th: &[f64]) -> Vec<f64> {
    match th {
        [a, b, c] => vec![*a, *b, b + c],
        _ => th.to_vec(),
    }
}

/// Parameters from log-parameters; `None` outside the search box or when not finite.
fn params_at(th: &[f64]) -> Option<GammaGamma> {
    let [lp, lq, lg] = <[f64; 3]>::try_from(th).ok()?;
    if ![lp, lq, lg]
        .iter()
        .all(|v| v.is_finite() && v.abs() <= LN_BOUND)
    {
        return None;
    }
    Some(GammaGamma {
        p: lp.exp(),
        q: lq.exp(),
        gamma: lg.exp(),
    })
}

/// Groups identical (x, m) rows, summing weights; keeps ln m.
fn group(rows: impl Iterator<Item = (f64, f64, f64)>) -> Vec<Row> {
    let mut keyed: Vec<([u64; 2], f64)> = rows
        .map(|(x, m, w)| ([x.to_bits(), m.to_bits()], w))
        .collect();
    // Positive floats order like their bit patterns.
    keyed.sort_unstable_by_key(|(k, _)| *k);
    let mut out: Vec<Row> = Vec::new();
    let mut last = None;
    for ([xb, mb], w) in keyed {
        if last == Some([xb, mb]) {
            if let Some(r) = out.last_mut() {
                r.3 += w;
            }
            continue;
        }
        last = Some([xb, mb]);
        let m = f64::from_bits(mb);
        out.push((f64::from_bits(xb), m, m.ln(), w));
    }
    out
}

/// m rounded to a 1 % grid (in log space) and regrouped: a cheap copy of large data for the
/// starting-point search.
fn coarsen(rows: &[Row]) -> Vec<Row> {
    group(rows.iter().map(|&(x, _, ln_m, w)| {
        let m = ((ln_m * 100.0).round() / 100.0).exp();
        (x, m, w)
    }))
}

/// The limit model q → ∞ with ν₀ = q/γ fixed (every customer has the same ν₀), its profile
/// fit, and the score of the full model towards finite q there.
#[derive(Debug, Clone, Copy)]
struct Limit {
    p: f64,
    nu: f64,
    log_likelihood: f64,
    se_p: Option<f64>,
    /// Σ w [x²ν²(m − p/ν)² − p·x]: > 0 when there is spread across customers.
    score: f64,
    /// Σ w x²ν²: turns the score into the between-customer variance of the mean spend.
    info: f64,
    converged: bool,
    iterations: u32,
    gradient_norm: f64,
}

/// Fits the limit model: m ~ Gamma(p·x, x·ν) with ν = p·A/B (A = Σ w x, B = Σ w x m) at the
/// optimum, so the profile log-likelihood is concave in p and one Newton search (on ln p,
/// safeguarded by bisection) finds it. p is capped at [`P_MAX`] (every value equal).
fn fit_limit(rows: &[Row]) -> Limit {
    let a: f64 = rows.iter().map(|r| r.3 * r.0).sum();
    let b: f64 = rows.iter().map(|r| r.3 * r.0 * r.1).sum();
    let ab = (a / b).ln();
    // Σ w x (ln x + ln m) does not depend on p, and the ψ terms depend on x only: the Newton
    // steps run over the distinct x (a few hundred) with their summed weights, not over every
    // customer (a million on a large log, with a ψ and a ψ' each per step).
    let fixed: f64 = rows.iter().map(|r| r.3 * r.0 * (r.0.ln() + r.2)).sum();
    let per_x = weights_by_x(rows);
    // f'(p) = Σ w x [ln x + ln m − ψ(px)] + A ln(p A / B); f''(p) = A/p − Σ w x² ψ'(px).
    let derivs = |p: f64| -> (f64, f64) {
        let (mut d1, mut d2) = (a * (p.ln() + ab) + fixed, a / p);
        for &(x, w) in &per_x {
            d1 -= w * x * digamma(p * x);
            d2 -= w * x * x * trigamma(p * x);
        }
        (d1, d2)
    };
    let (mut lo, mut hi) = (1e-8f64.ln(), P_MAX.ln());
    let mut u = 0.0f64;
    let mut iterations = 0u32;
    let mut converged = false;
    let mut grad = 0.0;
    let mut d2_at = -1.0;
    let (d_hi, d2_hi) = derivs(P_MAX);
    if d_hi >= 0.0 {
        // Increasing up to the cap: every transaction value the same.
        u = hi;
        converged = true;
        grad = d_hi;
        d2_at = d2_hi;
    } else {
        for _ in 0..100 {
            iterations += 1;
            let p = u.exp();
            let (d1, d2) = derivs(p);
            grad = d1;
            d2_at = d2;
            if d1 > 0.0 {
                lo = u;
            } else {
                hi = u;
            }
            // Newton on u = ln p: d/du f'(e^u) = p f''(p).
            let step = -d1 / (p * d2);
            let mut next = u + step;
            if !(next.is_finite() && next > lo && next < hi) {
                next = 0.5 * (lo + hi);
            }
            if (next - u).abs() < 1e-12 * (1.0 + u.abs()) || hi - lo < 1e-13 {
                u = next;
                converged = true;
                break;
            }
            u = next;
        }
    }
    let p = u.exp();
    let nu = p * a / b;
    let mut ll = 0.0;
    let (mut score, mut info) = (0.0, 0.0);
    // px ln(xν) − lnΓ(px) per distinct x (rows are sorted by x).
    let mut head = (f64::NAN, 0.0);
    for &(x, m, ln_m, w) in rows {
        let px = p * x;
        if x.to_bits() != head.0.to_bits() {
            head = (x, px * (x * nu).ln() - ln_gamma(px));
        }
        ll += w * (head.1 + (px - 1.0) * ln_m - x * nu * m);
        let z = x * nu;
        score += w * (z * z * (m - p / nu).powi(2) - px);
        info += w * z * z;
    }
    let se_p = (u < P_MAX.ln() && d2_at < 0.0)
        .then(|| (-1.0 / d2_at).sqrt())
        .filter(|v| v.is_finite());
    Limit {
        p,
        nu,
        log_likelihood: ll,
        se_p,
        score,
        info,
        converged,
        iterations,
        gradient_norm: if grad.is_finite() {
            grad.abs() * p
        } else {
            f64::MAX
        },
    }
}

/// The distinct x of rows sorted by x, each with the sum of its rows' weights.
fn weights_by_x(rows: &[Row]) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::new();
    for &(x, _, _, w) in rows {
        match out.last_mut() {
            Some(last) if last.0.to_bits() == x.to_bits() => last.1 += w,
            _ => out.push((x, w)),
        }
    }
    out
}

/// ψ'(z) for z > 0: the recurrence ψ'(z) = ψ'(z + 1) + 1/z² up to z ≥ 10, then the asymptotic
/// series (accurate to ~1e-14 relative).
fn trigamma(z: f64) -> f64 {
    let mut z = z;
    let mut acc = 0.0;
    while z < 10.0 {
        acc += 1.0 / (z * z);
        z += 1.0;
    }
    let i = 1.0 / z;
    let i2 = i * i;
    acc + i
        + 0.5 * i2
        + i * i2
            * (1.0 / 6.0
                - i2 * (1.0 / 30.0 - i2 * (1.0 / 42.0 - i2 * (1.0 / 30.0 - i2 * 5.0 / 66.0))))
}

fn weighted_correlation(rows: &[(f64, f64, f64)]) -> f64 {
    let w: f64 = rows.iter().map(|r| r.2).sum();
    let mx = rows.iter().map(|r| r.2 * r.0).sum::<f64>() / w;
    let my = rows.iter().map(|r| r.2 * r.1).sum::<f64>() / w;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for &(x, y, wi) in rows {
        sxy += wi * (x - mx) * (y - my);
        sxx += wi * (x - mx) * (x - mx);
        syy += wi * (y - my) * (y - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        0.0
    } else {
        sxy / (sxx * syy).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic uniform in [0, 1).
    fn lcg(seed: &mut u64) -> f64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*seed >> 11) as f64 / (1u64 << 53) as f64
    }

    #[test]
    fn expected_spend_shrinks_towards_the_population_mean() {
        let g = GammaGamma {
            p: 6.25,
            q: 3.74,
            gamma: 15.44,
        };
        let pop = g.population_mean();
        let one = g.expected_spend(1.0, 100.0);
        let many = g.expected_spend(50.0, 100.0);
        assert!(pop < one && one < many && many < 100.0);
        assert!((g.expected_spend(0.0, 0.0) - 6.25 * 15.44 / 2.74).abs() < 1e-12);
        assert_eq!(g.spend_estimate(3.0, 20.0).fallback, None);
    }

    #[test]
    fn correlated_data_raises_the_warning() {
        let recs: Vec<CustomerRecord> = (1..60)
            .map(|i| {
                CustomerRecord::from_stats(
                    i.to_string(),
                    (i % 10 + 1) as f64,
                    5.0,
                    10.0,
                    (i % 10 + 1) as f64 * 10.0 + (i % 3) as f64,
                )
            })
            .collect();
        let f = GammaGammaParams::default().fit(&recs, &mut |_| {}).unwrap();
        assert!(f.correlation_warning);
        assert!(f.frequency_spend_correlation > 0.9);
    }

    #[test]
    fn q_at_most_one_gives_finite_spend_with_a_stated_fallback() {
        let g = GammaGamma {
            p: 0.4,
            q: 0.5,
            gamma: 10.0,
        };
        // p·x + q > 1: the model's conditional mean exists.
        let e = g.spend_estimate(3.0, 50.0);
        assert!((e.value - 0.4 * (10.0 + 150.0) / 0.7).abs() < 1e-9);
        assert_eq!(e.fallback, None);
        // p·x + q ≤ 1: the customer's own mean.
        let e = g.spend_estimate(1.0, 50.0);
        assert_eq!(e.value, 50.0);
        assert_eq!(e.fallback, Some(SpendFallback::NoConditionalMean));
        // x = 0: no population mean.
        assert_eq!(g.try_population_mean(), None);
        let e = g.spend_estimate(0.0, 0.0);
        assert!((e.value - 0.4 * 10.0 / 0.5).abs() < 1e-12);
        assert_eq!(e.fallback, Some(SpendFallback::NoPopulationMean));
        assert!(g.expected_spend(0.0, 0.0).is_finite() && g.population_mean().is_finite());
        let e = g.spend_estimate_or(0.0, 0.0, 42.0);
        assert_eq!(
            (e.value, e.fallback),
            (42.0, Some(SpendFallback::NoPopulationMean))
        );
    }

    #[test]
    fn heavy_tailed_spend_fits_q_below_one_and_every_figure_is_finite() {
        // Pareto-tailed mean spends (tail index < 1): a few very large customers.
        let mut seed = 7u64;
        let recs: Vec<CustomerRecord> = (0..2000)
            .map(|i| {
                let x = f64::from(1 + i % 5);
                let m = 20.0 * lcg(&mut seed).max(1e-9).powf(-1.6);
                CustomerRecord::from_stats(i.to_string(), x, x, 40.0, m)
            })
            .collect();
        let f = GammaGammaParams::default().fit(&recs, &mut |_| {}).unwrap();
        assert!(f.params.q < 1.0, "{:?}", f.params);
        assert!(!f.no_spread);
        assert_eq!(f.fallback(), Some(SpendFallback::NoPopulationMean));
        let pop = f.population_mean();
        assert_eq!(pop.fallback, Some(SpendFallback::NoPopulationMean));
        assert!((pop.value - f.repeater_mean_spend).abs() < 1e-9 * pop.value);
        for c in &recs {
            let e = f.spend_estimate(c.x, c.monetary);
            assert!(e.value.is_finite() && e.value > 0.0, "{c:?}: {e:?}");
            assert!(f.params.expected_spend(c.x, c.monetary).is_finite());
        }
        assert!(f.log_likelihood.is_finite());
    }

    /// `n` repeaters whose transactions are all uniform on [5, 100): no spread across
    /// customers beyond the noise of their own purchases.
    fn uniform_spenders(n: u32) -> Vec<CustomerRecord> {
        let mut seed = 11u64;
        (0..n)
            .map(|i| {
                let x = 1 + i % 20;
                let m = (0..x).map(|_| 5.0 + 95.0 * lcg(&mut seed)).sum::<f64>() / f64::from(x);
                CustomerRecord::from_stats(i.to_string(), f64::from(x), 1.0, 50.0, m)
            })
            .collect()
    }

    #[test]
    fn spend_without_spread_across_customers_returns_the_common_mean_quickly() {
        // The timing is pinned in tests/degenerate.rs (the domain reads no clock).
        let recs = uniform_spenders(127_000);
        let f = GammaGammaParams::default().fit(&recs, &mut |_| {}).unwrap();
        assert!(f.no_spread, "{f:?}");
        assert!(f
            .convergence
            .reason
            .contains("does not vary across customers"));
        assert_eq!(f.fallback(), Some(SpendFallback::NoSpread));
        assert!(f.log_likelihood.is_finite());
        let [p, q, g] = [f.params.p, f.params.q, f.params.gamma];
        assert!(p.is_finite() && q.is_finite() && g.is_finite());
        // Everyone gets the mean spend per transaction, Σ x·m / Σ x.
        let want = recs.iter().map(|c| c.x * c.monetary).sum::<f64>()
            / recs.iter().map(|c| c.x).sum::<f64>();
        for c in recs.iter().take(50) {
            let e = f.spend_estimate(c.x, c.monetary);
            assert!((e.value - want).abs() < 1e-6 * want, "{e:?} vs {want}");
            assert_eq!(e.fallback, Some(SpendFallback::NoSpread));
            let raw = f.params.expected_spend(c.x, c.monetary);
            assert!((raw - want).abs() < 1e-6 * want, "{raw} vs {want}");
        }
    }

    #[test]
    fn equal_amounts_everywhere_fit_the_limit_with_that_amount() {
        let recs: Vec<CustomerRecord> = (0..40)
            .map(|i| {
                CustomerRecord::from_stats(i.to_string(), f64::from(1 + i % 4), 1.0, 9.0, 25.0)
            })
            .collect();
        let f = GammaGammaParams::default().fit(&recs, &mut |_| {}).unwrap();
        assert!(f.no_spread);
        let e = f.spend_estimate(2.0, 25.0);
        assert!((e.value - 25.0).abs() < 1e-9, "{e:?}");
        assert!(f.log_likelihood.is_finite());
        assert_eq!(f.std_errors[0], None);
    }

    #[test]
    fn trigamma_matches_known_values() {
        assert!((trigamma(1.0) - std::f64::consts::PI.powi(2) / 6.0).abs() < 1e-12);
        assert!((trigamma(0.5) - std::f64::consts::PI.powi(2) / 2.0).abs() < 1e-11);
    }

    #[test]
    fn old_results_without_the_new_fields_still_decode() {
        let f = GammaGammaParams::default()
            .fit(&uniform_spenders(50), &mut |_| {})
            .unwrap();
        let mut v = serde_json::to_value(&f).unwrap();
        let o = v.as_object_mut().unwrap();
        o.remove("no_spread");
        o.remove("repeater_mean_spend");
        let back: FittedGammaGamma = serde_json::from_value(v).unwrap();
        assert!(!back.no_spread);
    }
}
