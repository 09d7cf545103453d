//! MBG/NBD (Batislam, Denizel & Filiztekin 2007; Wagner & Hoppe 2008), as in the Python
//! package lifetimes' `ModifiedBetaGeoFitter`: like BG/NBD, but a customer may also drop out
//! right after the first purchase, so customers with x = 0 are not certainly alive.

use super::bgnbd::nudge_from_one;
use super::optim::Prepared;
use super::special::{hyp2f1, hyp2f1_many, log_add_exp};
use serde::{Deserialize, Serialize};
use statrs::function::beta::ln_beta;
use statrs::function::gamma::{digamma, ln_gamma};

/// MBG/NBD parameters (same roles as in BG/NBD).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MbgNbd {
    /// Shape of the Gamma distribution of purchase rates.
    pub r: f64,
    /// Scale of the Gamma distribution of purchase rates.
    pub alpha: f64,
    /// First shape of the Beta distribution of the drop-out probability.
    pub a: f64,
    /// Second shape of the Beta distribution of the drop-out probability.
    pub b: f64,
}

impl MbgNbd {
    /// Parameters from log-parameters [ln r, ln α, ln a, ln b].
    pub fn from_log(theta: &[f64]) -> Option<MbgNbd> {
        match theta {
            [r, alpha, a, b] => Some(MbgNbd {
                r: r.exp(),
                alpha: alpha.exp(),
                a: a.exp(),
                b: b.exp(),
            }),
            _ => None,
        }
    }

    /// The parameters as [r, α, a, b].
    pub fn to_array(&self) -> [f64; 4] {
        [self.r, self.alpha, self.a, self.b]
    }

    /// Log-likelihood of one customer.
    pub fn log_likelihood(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let MbgNbd { r, alpha, a, b } = *self;
        let a1 = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln();
        let a2 = ln_gamma(a + b) + ln_gamma(b + x + 1.0) - ln_gamma(b) - ln_gamma(a + b + x + 1.0);
        let a3 = -(r + x) * (alpha + t).ln();
        let a4 = a.ln() - (b + x).ln() + (r + x) * ((alpha + t).ln() - (alpha + t_x).ln());
        a1 + a2 + a3 + log_add_exp(a4, 0.0)
    }

    /// Total log-likelihood over prepared (grouped) data (the value of the gradient pass,
    /// so value and gradient can never disagree).
    pub fn log_likelihood_prepared(&self, p: &Prepared) -> f64 {
        self.log_likelihood_grad_prepared(p).0
    }

    /// Total log-likelihood over prepared data and its gradient with respect to the
    /// log-parameters [ln r, ln α, ln a, ln b] (analytic).
    pub fn log_likelihood_grad_prepared(&self, p: &Prepared) -> (f64, [f64; 4]) {
        let MbgNbd { r, alpha, a, b } = *self;
        let (lgr, lgb, lgab, lna, lnal) = (
            ln_gamma(r),
            ln_gamma(b),
            ln_gamma(a + b),
            a.ln(),
            alpha.ln(),
        );
        let (dgr, dgb, dgab) = (digamma(r), digamma(b), digamma(a + b));
        // Per x: constant, ln a − ln(b+x), r+x, d/dr, d/da, d/db of the constant, 1/(b+x).
        let per_x: Vec<[f64; 7]> =
            p.xs.iter()
                .map(|&x| {
                    let dgabx = digamma(a + b + x + 1.0);
                    [
                        ln_gamma(r + x) - lgr + r * lnal + lgab + ln_gamma(b + x + 1.0)
                            - lgb
                            - ln_gamma(a + b + x + 1.0),
                        lna - (b + x).ln(),
                        r + x,
                        digamma(r + x) - dgr + lnal,
                        dgab - dgabx,
                        dgab + digamma(b + x + 1.0) - dgb - dgabx,
                        1.0 / (b + x),
                    ]
                })
                .collect();
        let at = |ts: &[f64]| -> Vec<(f64, f64)> {
            ts.iter()
                .map(|t| ((alpha + t).ln(), 1.0 / (alpha + t)))
                .collect()
        };
        let (t_tab, tx_tab) = (at(&p.ts), at(&p.txs));
        let (mut total, mut gr, mut gal, mut ga, mut gb) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for row in &p.rows {
            let [c, c4, rx, dr, da, db, inv_b] = per_x[row.xi as usize];
            let (lt, it) = t_tab[row.ti as usize];
            let (ltx, itx) = tx_tab[row.txi as usize];
            let a4 = c4 + rx * (lt - ltx);
            // ln(1 + e^a4) and its derivative σ(a4).
            let (l, s4) = if a4 > 0.0 {
                let e = (-a4).exp();
                (a4 + e.ln_1p(), 1.0 / (1.0 + e))
            } else {
                let e = a4.exp();
                (e.ln_1p(), e / (1.0 + e))
            };
            let w = row.w;
            total += w * (c - rx * lt + l);
            gr += w * (dr - lt + s4 * (lt - ltx));
            gal += w * rx * (s4 * (it - itx) - it);
            ga += w * (da + s4 / a);
            gb += w * (db - s4 * inv_b);
        }
        gal += p.total_weight * r / alpha;
        (total, [gr * r, gal * alpha, ga * a, gb * b])
    }

    /// P(alive | x, t_x, T).
    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let MbgNbd { r, alpha, a, b } = *self;
        let ln_odds = a.ln() - (b + x).ln() + (r + x) * ((alpha + t).ln() - (alpha + t_x).ln());
        1.0 / (1.0 + ln_odds.exp())
    }

    /// E[X(t)] for a new customer.
    pub fn expected_purchases(&self, t: f64) -> f64 {
        let MbgNbd { r, alpha, a, b } = *self;
        let a = nudge_from_one(a);
        let hyp = hyp2f1(r, b + 1.0, a + b, t / (alpha + t));
        b / (a - 1.0) * (1.0 - hyp * (alpha / (alpha + t)).powf(r))
    }

    /// E[Y(t) | x, t_x, T].
    pub fn conditional_expected_purchases(&self, t: f64, x: f64, t_x: f64, tt: f64) -> f64 {
        self.conditional_numerator(t, x, tt) / self.conditional_denominator(x, t_x, tt)
    }

    /// The numerator of [`Self::conditional_expected_purchases`]: it holds the hypergeometric
    /// term and does not depend on t_x.
    pub(crate) fn conditional_numerator(&self, t: f64, x: f64, tt: f64) -> f64 {
        let MbgNbd { r, alpha, a, b } = *self;
        let a = nudge_from_one(a);
        let hyp = hyp2f1(r + x, b + x + 1.0, a + b + x, t / (alpha + tt + t));
        let first = (a + b + x) / (a - 1.0);
        let second = 1.0 - hyp * ((r + x) * ((alpha + tt) / (alpha + t + tt)).ln()).exp();
        first * second
    }

    /// [`Self::conditional_numerator`] at several horizons `ts` (into `out`, as long): the same
    /// values, bit for bit, with the hypergeometric series summed together.
    pub(crate) fn conditional_numerators(&self, ts: &[f64], x: f64, tt: f64, out: &mut [f64]) {
        let MbgNbd { r, alpha, a, b } = *self;
        let a = nudge_from_one(a);
        let zs: Vec<f64> = ts.iter().map(|&t| t / (alpha + tt + t)).collect();
        hyp2f1_many(r + x, b + x + 1.0, a + b + x, &zs, out);
        let first = (a + b + x) / (a - 1.0);
        for (&t, o) in ts.iter().zip(out.iter_mut()) {
            let hyp = *o;
            let second = 1.0 - hyp * ((r + x) * ((alpha + tt) / (alpha + t + tt)).ln()).exp();
            *o = first * second;
        }
    }

    /// The denominator of [`Self::conditional_expected_purchases`] (does not depend on the
    /// horizon).
    pub(crate) fn conditional_denominator(&self, x: f64, t_x: f64, tt: f64) -> f64 {
        let MbgNbd { r, alpha, a, b } = *self;
        let a = nudge_from_one(a);
        1.0 + a / (b + x) * ((r + x) * ((alpha + tt) / (alpha + t_x)).ln()).exp()
    }

    /// P(X(t) = n) for a new customer.
    pub fn prob_purchases(&self, n: u32, t: f64) -> f64 {
        let MbgNbd { r, alpha, a, b } = *self;
        let nf = f64::from(n);
        let lbab = ln_beta(a, b);
        let lp = (alpha / (alpha + t)).ln();
        let lq = (t / (alpha + t)).ln();
        let first =
            (ln_beta(a, b + nf + 1.0) - lbab + ln_gamma(r + nf) - ln_gamma(r) - ln_gamma(nf + 1.0)
                + r * lp
                + nf * lq)
                .exp();
        let mut sum = 0.0;
        for j in 0..n {
            let jf = f64::from(j);
            sum += (ln_gamma(r + jf) - ln_gamma(r) - ln_gamma(jf + 1.0) + jf * lq).exp();
        }
        let second = (ln_beta(a + 1.0, b + nf) - lbab).exp() * (1.0 - (r * lp).exp() * sum);
        first + second
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeat_distribution_sums_to_one_and_has_the_model_mean() {
        let m = MbgNbd {
            r: 0.52,
            alpha: 6.4,
            a: 0.99,
            b: 1.9,
        };
        let (mut s, mut mean) = (0.0, 0.0);
        for n in 0..500 {
            let p = m.prob_purchases(n, 39.0);
            s += p;
            mean += f64::from(n) * p;
        }
        assert!((s - 1.0).abs() < 1e-8, "{s}");
        assert!((mean - m.expected_purchases(39.0)).abs() < 1e-5, "{mean}");
    }
}
