//! Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves"):
//! a customer's transaction values are Gamma(p, ν) with ν ~ Gamma(q, γ) across customers. Fitted
//! on repeaters only (x > 0, m > 0), on the mean repeat value m.
//!
//! Its key assumption is that spend per transaction is independent of purchase frequency; the
//! fit reports the Pearson correlation between x and m among repeaters and raises a warning
//! flag when |corr| > 0.3.

use super::optim::{self, Convergence, FitOptions};
use super::ClvError;
use crate::domain::customers::CustomerRecord;
use serde::{Deserialize, Serialize};
use statrs::function::gamma::ln_gamma;

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

    /// Expected mean transaction value of a customer: p(γ + x·m)/(p·x + q − 1); the population
    /// mean pγ/(q − 1) when x = 0. NaN when q ≤ 1 (the mean does not exist).
    pub fn expected_spend(&self, x: f64, m: f64) -> f64 {
        let GammaGamma { p, q, gamma } = *self;
        if q <= 1.0 {
            return f64::NAN;
        }
        if x <= 0.0 {
            return p * gamma / (q - 1.0);
        }
        p * (gamma + x * m) / (p * x + q - 1.0)
    }

    /// Population mean transaction value pγ/(q − 1).
    pub fn population_mean(&self) -> f64 {
        self.expected_spend(0.0, 0.0)
    }
}

/// The fitted Gamma-Gamma model with its diagnostics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedGammaGamma {
    /// Estimates.
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
}

/// Settings of the Gamma-Gamma fit (linfa style: `check` then `fit`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GammaGammaParams {
    /// Search options.
    #[serde(default)]
    pub options: FitOptions,
}

impl GammaGammaParams {
    /// Validates the options.
    ///
    /// # Errors
    /// [`ClvError::InvalidParameter`] naming the bad option.
    pub fn check(&self) -> Result<&Self, ClvError> {
        super::check_options(&self.options)?;
        Ok(self)
    }

    /// Fits on the repeaters (x > 0 and m > 0) of `customers`.
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
        let grouped = {
            let mut map: std::collections::HashMap<(u64, u64), usize> = Default::default();
            let mut g: Vec<(f64, f64, f64)> = Vec::new();
            for (x, m, w) in rows.iter().copied() {
                let k = (x.to_bits(), m.to_bits());
                match map.get(&k) {
                    Some(&i) => {
                        if let Some(e) = g.get_mut(i) {
                            e.2 += w;
                        }
                    }
                    None => {
                        map.insert(k, g.len());
                        g.push((x, m, w));
                    }
                }
            }
            g
        };
        let nll = |th: &[f64]| -> f64 {
            let [lp, lq, lg] = th else { return f64::NAN };
            let gg = GammaGamma {
                p: lp.exp(),
                q: lq.exp(),
                gamma: lg.exp(),
            };
            -grouped
                .iter()
                .map(|&(x, m, w)| w * gg.log_likelihood(x, m))
                .sum::<f64>()
        };
        let m = optim::minimize(&nll, &[0.0, 0.0, 0.0], &self.options, progress);
        let [lp, lq, lg] = m.theta.as_slice() else {
            return Err(ClvError::NotEnoughData {
                reason: String::from("internal: wrong parameter count"),
            });
        };
        let params = GammaGamma {
            p: lp.exp(),
            q: lq.exp(),
            gamma: lg.exp(),
        };
        let se = optim::standard_errors(&nll, &m.theta);
        let corr = weighted_correlation(&rows);
        Ok(FittedGammaGamma {
            params,
            std_errors: [
                se.first().copied().flatten(),
                se.get(1).copied().flatten(),
                se.get(2).copied().flatten(),
            ],
            log_likelihood: -m.value,
            convergence: m.convergence,
            n_customers: rows.iter().map(|r| r.2).sum::<f64>().round() as u64,
            frequency_spend_correlation: corr,
            correlation_warning: corr.abs() > CORRELATION_WARNING,
        })
    }
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
}
