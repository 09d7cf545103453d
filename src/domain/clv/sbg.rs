//! Shifted-beta-geometric (sBG) model for contractual settings (Fader & Hardie 2007, "How to
//! project customer retention"): each customer churns at the end of a period with constant
//! probability θ ~ Beta(α, β). Fitted on a cohort's survivor counts n₀ (cohort size), n₁, ...:
//!
//! LL = Σ_{t=1..n} (n_{t−1} − n_t) ln P(T = t) + n_n ln S(n)   (the last term: the survivors)
//!
//! with P(T = 1) = α/(α+β), P(T = t) = (β+t−2)/(α+β+t−1) P(T = t−1), S(t) = B(α, β+t)/B(α, β).
//! Retention r_t = (β+t−1)/(α+β+t−1) rises with t (sorting, not changing customers).
//!
//! Discounted expected residual lifetime (Fader & Hardie 2010) of a customer who has made
//! n − 1 renewals: DERL = (β+n−1)/(α+β+n−1) · 2F1(1, β+n; α+β+n; 1/(1+d)).

use super::optim::{self, Convergence, FitOptions};
use super::special::hyp2f1;
use super::ClvError;
use serde::{Deserialize, Serialize};
use statrs::function::beta::ln_beta;

/// sBG parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sbg {
    /// First shape of the Beta distribution of churn probabilities.
    pub alpha: f64,
    /// Second shape of the Beta distribution of churn probabilities.
    pub beta: f64,
}

impl Sbg {
    /// P(T = t): churn at the end of period t (t ≥ 1).
    pub fn prob_churn(&self, t: u32) -> f64 {
        if t == 0 {
            return 0.0;
        }
        let tf = f64::from(t);
        (ln_beta(self.alpha + 1.0, self.beta + tf - 1.0) - ln_beta(self.alpha, self.beta)).exp()
    }

    /// S(t): share of the cohort still active after t periods.
    pub fn survival(&self, t: u32) -> f64 {
        (ln_beta(self.alpha, self.beta + f64::from(t)) - ln_beta(self.alpha, self.beta)).exp()
    }

    /// Retention rate r_t = S(t)/S(t−1) (t ≥ 1).
    pub fn retention(&self, t: u32) -> f64 {
        let tf = f64::from(t.max(1));
        (self.beta + tf - 1.0) / (self.alpha + self.beta + tf - 1.0)
    }

    /// Log-likelihood of survivor counts (first value = cohort size).
    pub fn log_likelihood(&self, survivors: &[f64]) -> f64 {
        let mut ll = 0.0;
        let mut prev = match survivors.first() {
            Some(v) => *v,
            None => return 0.0,
        };
        let mut t = 0u32;
        for &n in survivors.iter().skip(1) {
            t += 1;
            let lost = prev - n;
            if lost > 0.0 {
                ll += lost * self.prob_churn(t).ln();
            }
            prev = n;
        }
        if prev > 0.0 {
            ll += prev * self.survival(t).ln();
        }
        ll
    }

    /// Discounted expected residual lifetime (in payments, the next one undiscounted) of a
    /// customer who has made `n − 1` renewals (n ≥ 1), at discount rate `d` per period.
    pub fn derl(&self, d: f64, n: u32) -> f64 {
        let nf = f64::from(n.max(1));
        let (a, b) = (self.alpha, self.beta);
        (b + nf - 1.0) / (a + b + nf - 1.0) * hyp2f1(1.0, b + nf, a + b + nf, 1.0 / (1.0 + d))
    }

    /// Expected remaining payments without discounting, (β+n−1)/(α−1); `None` when α ≤ 1 (the
    /// expectation is infinite).
    pub fn expected_remaining_lifetime(&self, n: u32) -> Option<f64> {
        (self.alpha > 1.0).then(|| (self.beta + f64::from(n.max(1)) - 1.0) / (self.alpha - 1.0))
    }
}

/// A fitted sBG model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedSbg {
    /// Estimates.
    pub params: Sbg,
    /// Standard errors of α and β (delta method from log-parameters).
    pub std_errors: [Option<f64>; 2],
    /// Log-likelihood at the estimates.
    pub log_likelihood: f64,
    /// How the search ended.
    pub convergence: Convergence,
    /// Cohort size n₀.
    pub n_customers: u64,
    /// Number of observed periods.
    pub periods: u32,
}

impl FittedSbg {
    /// Projected survivors for periods 0..=`horizon` (cohort size × S(t)).
    pub fn projected_survivors(&self, horizon: u32) -> Vec<f64> {
        (0..=horizon)
            .map(|t| self.n_customers as f64 * self.params.survival(t))
            .collect()
    }
}

/// Settings of the sBG fit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SbgParams {
    /// Search options.
    #[serde(default)]
    pub options: FitOptions,
}

impl SbgParams {
    /// Fits on survivor counts: `survivors[0]` is the cohort size, `survivors[t]` the number
    /// still active after t periods.
    ///
    /// # Errors
    /// [`ClvError::InvalidParameter`] naming `survivors` when there are fewer than two values,
    /// a negative or non-finite count, or a count above the previous one;
    /// [`ClvError::NotEnoughData`] for an empty cohort, a cohort where nobody churned, or one
    /// where everybody churned in the first period (the likelihood then has no maximum: the
    /// parameters would run off to 0 or infinity).
    pub fn fit(
        &self,
        survivors: &[f64],
        progress: &mut dyn FnMut(f64),
    ) -> Result<FittedSbg, ClvError> {
        super::check_options(&self.options)?;
        if survivors.len() < 2 {
            return Err(ClvError::invalid(
                "survivors",
                survivors.len() as f64,
                "needs the cohort size and at least one later count",
            ));
        }
        let mut prev = f64::INFINITY;
        for (i, &n) in survivors.iter().enumerate() {
            if !(n.is_finite() && n >= 0.0) {
                return Err(ClvError::invalid(
                    "survivors",
                    n,
                    &format!("period {i}: must be a count ≥ 0"),
                ));
            }
            if n > prev {
                return Err(ClvError::invalid(
                    "survivors",
                    n,
                    &format!("period {i}: more customers than the period before ({prev})"),
                ));
            }
            prev = n;
        }
        check_informative(survivors)?;
        let nll = |th: &[f64]| -> f64 {
            let [a, b] = th else { return f64::NAN };
            -Sbg {
                alpha: a.exp(),
                beta: b.exp(),
            }
            .log_likelihood(survivors)
        };
        let m = optim::minimize(&nll, &[0.0, 0.0], &self.options, progress);
        let se = optim::standard_errors(&nll, &m.theta);
        let (a, b) = match m.theta.as_slice() {
            [a, b] => (a.exp(), b.exp()),
            _ => (f64::NAN, f64::NAN),
        };
        Ok(FittedSbg {
            params: Sbg { alpha: a, beta: b },
            std_errors: [se.first().copied().flatten(), se.get(1).copied().flatten()],
            log_likelihood: -m.value,
            convergence: m.convergence,
            n_customers: survivors.first().copied().unwrap_or(0.0).round() as u64,
            periods: (survivors.len() - 1) as u32,
        })
    }
}

/// Rejects cohorts whose likelihood has no finite maximum.
fn check_informative(survivors: &[f64]) -> Result<(), ClvError> {
    let n0 = survivors.first().copied().unwrap_or(0.0);
    let n1 = survivors.get(1).copied().unwrap_or(n0);
    let last = survivors.last().copied().unwrap_or(n0);
    let reason = if n0 <= 0.0 {
        "the cohort is empty (size 0): there is nobody to estimate retention on"
    } else if last >= n0 {
        "no customer churned in the observed periods: retention is 100% in the data and the sBG model cannot estimate how it would fall"
    } else if n1 <= 0.0 {
        "every customer churned in the first period: retention is 0% in the data and the sBG model cannot estimate how it varies"
    } else {
        return Ok(());
    };
    Err(ClvError::NotEnoughData {
        reason: reason.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const REGULAR: [f64; 8] = [1000.0, 631.0, 468.0, 382.0, 326.0, 289.0, 262.0, 241.0];
    const HIGH_END: [f64; 8] = [1000.0, 869.0, 743.0, 653.0, 593.0, 551.0, 517.0, 491.0];

    #[test]
    fn reproduces_fader_hardie_2007_estimates() {
        let f = SbgParams::default().fit(&REGULAR, &mut |_| {}).unwrap();
        assert!(f.convergence.converged);
        assert!((f.params.alpha - 0.704).abs() < 5e-4, "{:?}", f.params);
        assert!((f.params.beta - 1.182).abs() < 5e-4, "{:?}", f.params);
        let h = SbgParams::default().fit(&HIGH_END, &mut |_| {}).unwrap();
        assert!((h.params.alpha - 0.668).abs() < 5e-4, "{:?}", h.params);
        assert!((h.params.beta - 3.806).abs() < 5e-3, "{:?}", h.params);
    }

    #[test]
    fn derl_equals_the_discounted_survival_sum() {
        let m = Sbg {
            alpha: 0.704,
            beta: 1.182,
        };
        for n in [1u32, 5] {
            let d = 0.1;
            let s0 = m.survival(n - 1);
            let mut sum = 0.0;
            for k in 1..5000u32 {
                sum += m.survival(n - 1 + k) / s0 / (1.0f64 + d).powi(k as i32 - 1);
            }
            assert!(
                (m.derl(d, n) - sum).abs() < 1e-6,
                "{} vs {sum}",
                m.derl(d, n)
            );
        }
    }

    #[test]
    fn retention_rises_and_survival_is_its_product() {
        let m = Sbg {
            alpha: 0.704,
            beta: 1.182,
        };
        let mut s = 1.0;
        for t in 1..10 {
            s *= m.retention(t);
            assert!((s - m.survival(t)).abs() < 1e-12);
            assert!(m.retention(t + 1) > m.retention(t));
        }
    }

    #[test]
    fn increasing_counts_are_rejected() {
        let e = SbgParams::default()
            .fit(&[100.0, 120.0], &mut |_| {})
            .unwrap_err();
        assert!(e.to_string().contains("survivors"));
    }

    #[test]
    fn cohorts_without_a_finite_maximum_are_clear_errors() {
        for (survivors, words) in [
            (&[0.0, 0.0][..], "cohort is empty"),
            (&[100.0, 100.0, 100.0][..], "no customer churned"),
            (&[1.0, 1.0][..], "no customer churned"),
            (
                &[100.0, 0.0, 0.0][..],
                "every customer churned in the first period",
            ),
            (
                &[1.0, 0.0][..],
                "every customer churned in the first period",
            ),
        ] {
            let e = SbgParams::default()
                .fit(survivors, &mut |_| {})
                .unwrap_err();
            assert!(e.to_string().contains(words), "{survivors:?}: {e}");
        }
    }
}
