//! BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): while active, a
//! customer buys as a Poisson process with rate λ ~ Gamma(r, α); after each purchase the
//! customer drops out with probability p ~ Beta(a, b).

use super::optim::Prepared;
use super::special::{hyp2f1, hyp2f1_many, log_add_exp};
use serde::{Deserialize, Serialize};
use statrs::function::beta::ln_beta;
use statrs::function::gamma::{digamma, ln_gamma};

/// BG/NBD parameters (names as in the paper).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BgNbd {
    /// Shape of the Gamma distribution of purchase rates.
    pub r: f64,
    /// Scale (in model time units) of the Gamma distribution of purchase rates.
    pub alpha: f64,
    /// First shape of the Beta distribution of the drop-out probability.
    pub a: f64,
    /// Second shape of the Beta distribution of the drop-out probability.
    pub b: f64,
}

impl BgNbd {
    /// The published CDNOW estimates (Fader, Hardie & Lee 2005, weeks), rounded to three
    /// decimals: the sample data's true parameters and the BG/NBD lesson's starting values.
    pub const CDNOW: BgNbd = BgNbd {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    };

    /// Parameters from log-parameters [ln r, ln α, ln a, ln b].
    pub fn from_log(theta: &[f64]) -> Option<BgNbd> {
        match theta {
            [r, alpha, a, b] => Some(BgNbd {
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

    /// Log-likelihood of one customer with statistics (x, t_x, T).
    pub fn log_likelihood(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let a1 = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln();
        let a2 = ln_gamma(a + b) + ln_gamma(b + x) - ln_gamma(b) - ln_gamma(a + b + x);
        let a3 = -(r + x) * (alpha + t).ln();
        let tail = if x > 0.0 {
            log_add_exp(
                a3,
                a.ln() - (b + x - 1.0).ln() - (r + x) * (alpha + t_x).ln(),
            )
        } else {
            a3
        };
        a1 + a2 + tail
    }

    /// Total log-likelihood over prepared (grouped) data (the value of the gradient pass,
    /// so value and gradient can never disagree).
    pub fn log_likelihood_prepared(&self, p: &Prepared) -> f64 {
        self.log_likelihood_grad_prepared(p).0
    }

    /// Total log-likelihood over prepared data and its gradient with respect to the
    /// log-parameters [ln r, ln α, ln a, ln b] (analytic: one pass instead of the eight of
    /// central differences).
    pub fn log_likelihood_grad_prepared(&self, p: &Prepared) -> (f64, [f64; 4]) {
        let BgNbd { r, alpha, a, b } = *self;
        let (lgr, lgb, lgab, lna, lnal) = (
            ln_gamma(r),
            ln_gamma(b),
            ln_gamma(a + b),
            a.ln(),
            alpha.ln(),
        );
        let (dgr, dgb, dgab) = (digamma(r), digamma(b), digamma(a + b));
        // Per distinct x: the constant, ln a − ln(b+x−1), r+x, and the constant's derivatives
        // in r, a and b (its α derivative r/α is the same for every x).
        let per_x: Vec<PerX> =
            p.xs.iter()
                .map(|&x| {
                    let dgabx = digamma(a + b + x);
                    PerX {
                        c: ln_gamma(r + x) - lgr + r * lnal + lgab + ln_gamma(b + x)
                            - lgb
                            - ln_gamma(a + b + x),
                        c4: if x > 0.0 {
                            lna - (b + x - 1.0).ln()
                        } else {
                            f64::NAN
                        },
                        rx: r + x,
                        dr: digamma(r + x) - dgr + lnal,
                        da: dgab - dgabx,
                        db: dgab + digamma(b + x) - dgb - dgabx,
                        inv_b: if x > 0.0 { 1.0 / (b + x - 1.0) } else { 0.0 },
                    }
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
            let px = &per_x[row.xi as usize];
            let (lt, it) = t_tab[row.ti as usize];
            let a3 = -px.rx * lt;
            let w = row.w;
            if px.c4.is_nan() {
                total += w * (px.c + a3);
                gr += w * (px.dr - lt);
                gal -= w * px.rx * it;
                ga += w * px.da;
                gb += w * px.db;
            } else {
                let (ltx, itx) = tx_tab[row.txi as usize];
                let a4 = px.c4 - px.rx * ltx;
                // L = ln(e^a3 + e^a4); w4 = e^a4 / (e^a3 + e^a4).
                let (l, w4) = if a3 >= a4 {
                    let e = (a4 - a3).exp();
                    (a3 + e.ln_1p(), e / (1.0 + e))
                } else {
                    let e = (a3 - a4).exp();
                    (a4 + e.ln_1p(), 1.0 / (1.0 + e))
                };
                let w3 = 1.0 - w4;
                total += w * (px.c + l);
                gr += w * (px.dr - w3 * lt - w4 * ltx);
                gal -= w * px.rx * (w3 * it + w4 * itx);
                ga += w * (px.da + w4 / a);
                gb += w * (px.db - w4 * px.inv_b);
            }
        }
        // The constant's α derivative is r/α for every customer.
        gal += p.total_weight * r / alpha;
        (total, [gr * r, gal * alpha, ga * a, gb * b])
    }

    /// P(alive | x, t_x, T).
    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        if x <= 0.0 {
            return 1.0;
        }
        let BgNbd { r, alpha, a, b } = *self;
        let ln_odds =
            a.ln() - (b + x - 1.0).ln() + (r + x) * ((alpha + t).ln() - (alpha + t_x).ln());
        1.0 / (1.0 + ln_odds.exp())
    }

    /// E[X(t)]: expected repeat purchases of a new customer in (0, t].
    pub fn expected_purchases(&self, t: f64) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let a = nudge_from_one(a);
        let z = t / (alpha + t);
        (a + b - 1.0) / (a - 1.0)
            * (1.0 - (alpha / (alpha + t)).powf(r) * hyp2f1(r, b, a + b - 1.0, z))
    }

    /// E[Y(t) | x, t_x, T]: expected purchases in the next `t` time units.
    pub fn conditional_expected_purchases(&self, t: f64, x: f64, t_x: f64, tt: f64) -> f64 {
        self.conditional_numerator(t, x, tt) / self.conditional_denominator(x, t_x, tt)
    }

    /// The numerator of [`Self::conditional_expected_purchases`]: it holds the hypergeometric
    /// term and does not depend on t_x.
    pub(crate) fn conditional_numerator(&self, t: f64, x: f64, tt: f64) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let a = nudge_from_one(a);
        let z = t / (alpha + tt + t);
        let hyp = hyp2f1(r + x, b + x, a + b + x - 1.0, z);
        let first = (a + b + x - 1.0) / (a - 1.0);
        let second = 1.0 - ((r + x) * ((alpha + tt) / (alpha + tt + t)).ln()).exp() * hyp;
        first * second
    }

    /// [`Self::conditional_numerator`] at several horizons `ts` (into `out`, as long): the same
    /// values, bit for bit, with the hypergeometric series summed together
    /// ([`super::special::hyp2f1_many`]).
    pub(crate) fn conditional_numerators(&self, ts: &[f64], x: f64, tt: f64, out: &mut [f64]) {
        let BgNbd { r, alpha, a, b } = *self;
        let a = nudge_from_one(a);
        let zs: Vec<f64> = ts.iter().map(|&t| t / (alpha + tt + t)).collect();
        hyp2f1_many(r + x, b + x, a + b + x - 1.0, &zs, out);
        let first = (a + b + x - 1.0) / (a - 1.0);
        for (&t, o) in ts.iter().zip(out.iter_mut()) {
            let hyp = *o;
            let second = 1.0 - ((r + x) * ((alpha + tt) / (alpha + tt + t)).ln()).exp() * hyp;
            *o = first * second;
        }
    }

    /// The denominator of [`Self::conditional_expected_purchases`] (does not depend on the
    /// horizon).
    pub(crate) fn conditional_denominator(&self, x: f64, t_x: f64, tt: f64) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let a = nudge_from_one(a);
        if x > 0.0 {
            1.0 + a / (b + x - 1.0) * ((r + x) * ((alpha + tt) / (alpha + t_x)).ln()).exp()
        } else {
            1.0
        }
    }

    /// P(X(t) = n): probability of exactly n repeat purchases in (0, t] for a new customer.
    pub fn prob_purchases(&self, n: u32, t: f64) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let nf = f64::from(n);
        let lbab = ln_beta(a, b);
        let lp = (alpha / (alpha + t)).ln();
        let lq = (t / (alpha + t)).ln();
        let first =
            (ln_beta(a, b + nf) - lbab + ln_gamma(r + nf) - ln_gamma(r) - ln_gamma(nf + 1.0)
                + r * lp
                + nf * lq)
                .exp();
        if n == 0 {
            return first;
        }
        let mut sum = 0.0;
        for j in 0..n {
            let jf = f64::from(j);
            sum += (ln_gamma(r + jf) - ln_gamma(r) - ln_gamma(jf + 1.0) + jf * lq).exp();
        }
        let second = (ln_beta(a + 1.0, b + nf - 1.0) - lbab).exp() * (1.0 - (r * lp).exp() * sum);
        first + second
    }
}

/// The expectation formulas have a removable singularity at a = 1.
pub(crate) fn nudge_from_one(a: f64) -> f64 {
    if (a - 1.0).abs() < 1e-7 {
        1.0 + 1e-7
    } else {
        a
    }
}

/// Per-x constants of the BG/NBD likelihood and their derivatives.
struct PerX {
    c: f64,
    c4: f64,
    rx: f64,
    dr: f64,
    da: f64,
    db: f64,
    inv_b: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: BgNbd = BgNbd {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    };

    #[test]
    fn repeat_distribution_sums_to_one_and_has_the_model_mean() {
        let t = 39.0;
        let mut s = 0.0;
        let mut m = 0.0;
        for n in 0..400 {
            let p = P.prob_purchases(n, t);
            s += p;
            m += f64::from(n) * p;
        }
        assert!((s - 1.0).abs() < 1e-9, "{s}");
        assert!((m - P.expected_purchases(t)).abs() < 1e-6, "{m}");
    }

    #[test]
    fn p_alive_matches_the_domain_formula() {
        let (x, tx, t) = (2.0, 30.43, 38.86);
        let want =
            1.0 / (1.0 + P.a / (P.b + x - 1.0) * ((P.alpha + t) / (P.alpha + tx)).powf(P.r + x));
        assert!((P.p_alive(x, tx, t) - want).abs() < 1e-14);
        assert_eq!(P.p_alive(0.0, 0.0, 10.0), 1.0);
    }

    #[test]
    fn conditional_expectation_of_a_new_customer_is_the_unconditional_one() {
        // A customer seen for T = 0 with x = 0 is a new customer.
        let e = P.conditional_expected_purchases(52.0, 0.0, 0.0, 0.0);
        assert!((e - P.expected_purchases(52.0)).abs() < 1e-10);
    }
}
