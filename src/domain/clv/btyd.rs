//! The buy-till-you-die models behind one trait, [`Btyd`], and [`BtydModel`]: the fitted
//! parameters of any of them (serialisable), dispatching to the trait in one place.

use super::optim::Prepared;
use super::{BgNbd, MbgNbd, ModelKind, ParetoNbd};
use serde::{Deserialize, Serialize};

/// What every buy-till-you-die model provides: its parameters, its likelihood (per customer
/// and over prepared groups, with the analytic gradient on log-parameters) and the
/// per-customer predictions. [`BtydModel`] and [`super::FittedModel`] dispatch through it.
pub trait Btyd {
    /// Which model this is.
    fn kind(&self) -> ModelKind;
    /// Parameters in paper order.
    fn to_array(&self) -> [f64; 4];
    /// Log-likelihood of one customer.
    fn log_likelihood(&self, x: f64, t_x: f64, t: f64) -> f64;
    /// Log-likelihood of the prepared groups (weighted sum).
    fn log_likelihood_prepared(&self, p: &Prepared) -> f64;
    /// Log-likelihood of the prepared groups and its analytic gradient on log-parameters.
    fn log_likelihood_grad_prepared(&self, p: &Prepared) -> (f64, [f64; 4]);
    /// P(alive | x, t_x, T).
    fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64;
    /// Expected purchases in the next `horizon` time units given (x, t_x, T).
    fn conditional_expected_purchases(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> f64;
    /// E[X(t)] for a new customer.
    fn expected_purchases(&self, t: f64) -> f64;
    /// P(X(t) = n) for a new customer.
    fn prob_purchases(&self, n: u32, t: f64) -> f64;
}

/// Implements [`Btyd`] by the model's own inherent methods of the same names.
macro_rules! impl_btyd {
    ($t:ty, $kind:expr) => {
        impl Btyd for $t {
            fn kind(&self) -> ModelKind {
                $kind
            }
            fn to_array(&self) -> [f64; 4] {
                <$t>::to_array(self)
            }
            fn log_likelihood(&self, x: f64, t_x: f64, t: f64) -> f64 {
                <$t>::log_likelihood(self, x, t_x, t)
            }
            fn log_likelihood_prepared(&self, p: &Prepared) -> f64 {
                <$t>::log_likelihood_prepared(self, p)
            }
            fn log_likelihood_grad_prepared(&self, p: &Prepared) -> (f64, [f64; 4]) {
                <$t>::log_likelihood_grad_prepared(self, p)
            }
            fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
                <$t>::p_alive(self, x, t_x, t)
            }
            fn conditional_expected_purchases(
                &self,
                horizon: f64,
                x: f64,
                t_x: f64,
                t: f64,
            ) -> f64 {
                <$t>::conditional_expected_purchases(self, horizon, x, t_x, t)
            }
            fn expected_purchases(&self, t: f64) -> f64 {
                <$t>::expected_purchases(self, t)
            }
            fn prob_purchases(&self, n: u32, t: f64) -> f64 {
                <$t>::prob_purchases(self, n, t)
            }
        }
    };
}

impl_btyd!(BgNbd, ModelKind::BgNbd);
impl_btyd!(ParetoNbd, ModelKind::ParetoNbd);
impl_btyd!(MbgNbd, ModelKind::MbgNbd);

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

    /// The model behind the trait (the one place that matches on the variant).
    pub fn as_btyd(&self) -> &dyn Btyd {
        match self {
            BtydModel::BgNbd(m) => m,
            BtydModel::ParetoNbd(m) => m,
            BtydModel::MbgNbd(m) => m,
        }
    }

    /// Which model this is.
    pub fn kind(&self) -> ModelKind {
        self.as_btyd().kind()
    }

    /// Parameters in paper order.
    pub fn to_array(&self) -> [f64; 4] {
        self.as_btyd().to_array()
    }

    /// Log-likelihood of one customer.
    pub fn log_likelihood(&self, x: f64, t_x: f64, t: f64) -> f64 {
        self.as_btyd().log_likelihood(x, t_x, t)
    }

    pub(crate) fn log_likelihood_prepared(&self, p: &Prepared) -> f64 {
        self.as_btyd().log_likelihood_prepared(p)
    }

    /// Log-likelihood and its analytic gradient on log-parameters.
    pub(crate) fn log_likelihood_grad_prepared(&self, p: &Prepared) -> (f64, [f64; 4]) {
        self.as_btyd().log_likelihood_grad_prepared(p)
    }

    /// P(alive | x, t_x, T).
    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        self.as_btyd().p_alive(x, t_x, t)
    }

    /// Expected purchases in the next `horizon` time units given (x, t_x, T).
    pub fn conditional_expected_purchases(&self, horizon: f64, x: f64, t_x: f64, t: f64) -> f64 {
        self.as_btyd()
            .conditional_expected_purchases(horizon, x, t_x, t)
    }

    /// E[X(t)] for a new customer.
    pub fn expected_purchases(&self, t: f64) -> f64 {
        self.as_btyd().expected_purchases(t)
    }

    /// The part of [`Self::conditional_expected_purchases`] that does not depend on t_x (the
    /// costly one: the hypergeometric term of BG/NBD and MBG/NBD). With
    /// [`Self::conditional_weight`] and [`Self::conditional_combine`] it gives the same number,
    /// bit for bit: customers sharing (x, T) share it.
    pub(crate) fn conditional_factor(&self, horizon: f64, x: f64, t: f64) -> f64 {
        match self {
            BtydModel::BgNbd(m) => m.conditional_numerator(horizon, x, t),
            BtydModel::MbgNbd(m) => m.conditional_numerator(horizon, x, t),
            BtydModel::ParetoNbd(m) => m.conditional_if_alive(horizon, x, t),
        }
    }

    /// [`Self::conditional_factor`] at several horizons (into `out`, as long as `horizons`):
    /// the same values, bit for bit, computed together (BG/NBD and MBG/NBD sum their
    /// hypergeometric series at once).
    pub(crate) fn conditional_factors(&self, horizons: &[f64], x: f64, t: f64, out: &mut [f64]) {
        match self {
            BtydModel::BgNbd(m) => m.conditional_numerators(horizons, x, t, out),
            BtydModel::MbgNbd(m) => m.conditional_numerators(horizons, x, t, out),
            BtydModel::ParetoNbd(m) => {
                for (&h, o) in horizons.iter().zip(out.iter_mut()) {
                    *o = m.conditional_if_alive(h, x, t);
                }
            }
        }
    }

    /// The part of [`Self::conditional_expected_purchases`] that does not depend on the
    /// horizon (P(alive) for Pareto/NBD).
    pub(crate) fn conditional_weight(&self, x: f64, t_x: f64, t: f64) -> f64 {
        match self {
            BtydModel::BgNbd(m) => m.conditional_denominator(x, t_x, t),
            BtydModel::MbgNbd(m) => m.conditional_denominator(x, t_x, t),
            BtydModel::ParetoNbd(m) => m.p_alive(x, t_x, t),
        }
    }

    /// [`Self::conditional_expected_purchases`] from its two parts.
    pub(crate) fn conditional_combine(&self, factor: f64, weight: f64) -> f64 {
        match self {
            BtydModel::ParetoNbd(_) => factor * weight,
            BtydModel::BgNbd(_) | BtydModel::MbgNbd(_) => factor / weight,
        }
    }

    /// P(X(t) = n) for a new customer.
    pub fn prob_purchases(&self, n: u32, t: f64) -> f64 {
        self.as_btyd().prob_purchases(n, t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clv::optim;

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
