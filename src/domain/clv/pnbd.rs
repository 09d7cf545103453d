//! Pareto/NBD (Schmittlein, Morrison & Colombo 1987): while active, a customer buys as a
//! Poisson process with rate λ ~ Gamma(r, α); the unobserved lifetime is exponential with rate
//! μ ~ Gamma(s, β).
//!
//! The likelihood follows Fader & Hardie's "A note on deriving the Pareto/NBD model and related
//! expressions" (2005), eq. (22), written with 2F1 in log space:
//!
//! L = Γ(r+x) α^r β^s / Γ(r) · [ 1/((α+T)^(r+x) (β+T)^s) + s/(r+s+x) · A₀ ]
//!
//! with, for α ≥ β, A₀ = F(t_x) − F(T), F(y) = 2F1(r+s+x, s+1; r+s+x+1; (α−β)/(α+y)) / (α+y)^(r+s+x),
//! and for α < β, F(y) = 2F1(r+s+x, r+x; r+s+x+1; (β−α)/(β+y)) / (β+y)^(r+s+x).
//! Both branches are evaluated as logarithms; A₀ as a log-difference.

use super::optim::Prepared;
use super::special::{ln_hyp2f1, log_add_exp, log_sub_exp};
use serde::{Deserialize, Serialize};
use statrs::function::beta::ln_beta;
use statrs::function::gamma::{digamma, ln_gamma};

/// Pareto/NBD parameters (names as in the papers).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ParetoNbd {
    /// Shape of the Gamma distribution of purchase rates.
    pub r: f64,
    /// Scale of the Gamma distribution of purchase rates.
    pub alpha: f64,
    /// Shape of the Gamma distribution of drop-out rates.
    pub s: f64,
    /// Scale of the Gamma distribution of drop-out rates.
    pub beta: f64,
}

impl ParetoNbd {
    /// Parameters from log-parameters [ln r, ln α, ln s, ln β].
    pub fn from_log(theta: &[f64]) -> Option<ParetoNbd> {
        match theta {
            [r, alpha, s, beta] => Some(ParetoNbd {
                r: r.exp(),
                alpha: alpha.exp(),
                s: s.exp(),
                beta: beta.exp(),
            }),
            _ => None,
        }
    }

    /// The parameters as [r, α, s, β].
    pub fn to_array(&self) -> [f64; 4] {
        [self.r, self.alpha, self.s, self.beta]
    }

    /// ln F(y) of the module docs.
    fn ln_f(&self, x: f64, y: f64) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let rsx = r + s + x;
        if alpha >= beta {
            ln_hyp2f1(rsx, s + 1.0, rsx + 1.0, (alpha - beta) / (alpha + y))
                - rsx * (alpha + y).ln()
        } else {
            ln_hyp2f1(rsx, r + x, rsx + 1.0, (beta - alpha) / (beta + y)) - rsx * (beta + y).ln()
        }
    }

    fn ln_first(&self, x: f64, t: f64) -> f64 {
        -(self.r + x) * (self.alpha + t).ln() - self.s * (self.beta + t).ln()
    }

    fn ln_second(&self, x: f64, ln_a0: f64) -> f64 {
        (self.s / (self.r + self.s + x)).ln() + ln_a0
    }

    /// Log-likelihood of one customer.
    pub fn log_likelihood(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let c = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln() + s * beta.ln();
        let a0 = log_sub_exp(self.ln_f(x, t_x), self.ln_f(x, t));
        c + log_add_exp(self.ln_first(x, t), self.ln_second(x, a0))
    }

    /// Total log-likelihood over prepared (grouped) data.
    pub fn log_likelihood_prepared(&self, p: &Prepared) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let base = -ln_gamma(r) + r * alpha.ln() + s * beta.ln();
        let per_x: Vec<f64> = p.xs.iter().map(|&x| ln_gamma(r + x) + base).collect();
        let f_tx: Vec<f64> = p
            .x_tx
            .iter()
            .map(|&(xi, ti)| self.ln_f(p.xs[xi as usize], p.txs[ti as usize]))
            .collect();
        let f_t: Vec<(f64, f64)> = p
            .x_t
            .iter()
            .map(|&(xi, ti)| {
                let (x, t) = (p.xs[xi as usize], p.ts[ti as usize]);
                (self.ln_f(x, t), self.ln_first(x, t))
            })
            .collect();
        let mut total = 0.0;
        for row in &p.rows {
            let x = p.xs[row.xi as usize];
            let (ft, first) = f_t[row.xt as usize];
            let a0 = log_sub_exp(f_tx[row.xtx as usize], ft);
            total += row.w * (per_x[row.xi as usize] + log_add_exp(first, self.ln_second(x, a0)));
        }
        total
    }

    /// ln F(y) and its gradient with respect to the log-parameters [ln r, ln α, ln s, ln β].
    ///
    /// 2F1(a, b; a+1; z) = a · Σₖ (b)ₖ zᵏ / (k! (a+k)): the series and its derivatives in a, b
    /// and z are summed together, then chained to the parameters. Where the series would be
    /// slow (z > 0.85) or does not settle, the gradient is taken by central differences of the
    /// transformed (robust) ln F instead.
    fn ln_f_grad(&self, x: f64, y: f64) -> (f64, [f64; 4]) {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let a = r + s + x;
        let (m, other, b) = if alpha >= beta {
            (alpha, beta, s + 1.0)
        } else {
            (beta, alpha, r + x)
        };
        let z = (m - other) / (m + y);
        if let Some((ln_s, da, db, dz)) = series_with_derivatives(a, b, z) {
            let ln_my = (m + y).ln();
            let value = a.ln() + ln_s - a * ln_my;
            let d_a = 1.0 / a + da;
            // Chain rule: a = r+s+x; b = s+1 (α ≥ β) or r+x; z = (m − other)/(m + y).
            let (dz_dm, dz_do) = ((other + y) / ((m + y) * (m + y)), -1.0 / (m + y));
            let d_m = dz * dz_dm - a / (m + y);
            let d_o = dz * dz_do;
            let (gr, gs, gal, gbe) = if alpha >= beta {
                (d_a - ln_my, d_a + db - ln_my, d_m, d_o)
            } else {
                (d_a + db - ln_my, d_a - ln_my, d_o, d_m)
            };
            return (value, [gr * r, gal * alpha, gs * s, gbe * beta]);
        }
        let value = self.ln_f(x, y);
        let h = 1e-6;
        let mut g = [0.0; 4];
        let theta = [r.ln(), alpha.ln(), s.ln(), beta.ln()];
        for (i, gi) in g.iter_mut().enumerate() {
            let at = |d: f64| {
                let mut t = theta;
                t[i] += d;
                let q = t.map(f64::exp);
                ParetoNbd {
                    r: q[0],
                    alpha: q[1],
                    s: q[2],
                    beta: q[3],
                }
                .ln_f(x, y)
            };
            *gi = (at(h) - at(-h)) / (2.0 * h);
        }
        (value, g)
    }

    /// Total log-likelihood over prepared data and its analytic gradient with respect to the
    /// log-parameters [ln r, ln α, ln s, ln β].
    pub fn log_likelihood_grad_prepared(&self, p: &Prepared) -> (f64, [f64; 4]) {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let (lnal, lnbe) = (alpha.ln(), beta.ln());
        let base = -ln_gamma(r) + r * lnal + s * lnbe;
        let dgr = digamma(r);
        // Per x: constant, its r-derivative, ln(s/(r+s+x)) and 1/(r+s+x).
        let per_x: Vec<[f64; 4]> =
            p.xs.iter()
                .map(|&x| {
                    [
                        ln_gamma(r + x) + base,
                        digamma(r + x) - dgr + lnal,
                        (s / (r + s + x)).ln(),
                        1.0 / (r + s + x),
                    ]
                })
                .collect();
        let f_tx: Vec<(f64, [f64; 4])> = p
            .x_tx
            .iter()
            .map(|&(xi, ti)| self.ln_f_grad(p.xs[xi as usize], p.txs[ti as usize]))
            .collect();
        let f_t: Vec<(f64, [f64; 4], f64, [f64; 4])> = p
            .x_t
            .iter()
            .map(|&(xi, ti)| {
                let (x, t) = (p.xs[xi as usize], p.ts[ti as usize]);
                let (f, gf) = self.ln_f_grad(x, t);
                let (lat, lbt) = ((alpha + t).ln(), (beta + t).ln());
                let first = -(r + x) * lat - s * lbt;
                // d first / d[ln r, ln α, ln s, ln β].
                let g1 = [
                    -lat * r,
                    -(r + x) / (alpha + t) * alpha,
                    -lbt * s,
                    -s / (beta + t) * beta,
                ];
                (f, gf, first, g1)
            })
            .collect();
        let mut total = 0.0;
        let mut g = [0.0; 4];
        for row in &p.rows {
            let [c, dc_r, ln_sr, inv_rsx] = per_x[row.xi as usize];
            let (ftx, gtx) = &f_tx[row.xtx as usize];
            let (ft, gt, first, g1) = &f_t[row.xt as usize];
            let w = row.w;
            // ln A0 = ln(F(t_x) − F(T)) and its gradient.
            let ratio = (ft - ftx).exp();
            let (l, w2, ga0) = if ratio < 1.0 {
                let ln_a0 = ftx + (-ratio).ln_1p();
                let second = ln_sr + ln_a0;
                let l = log_add_exp(*first, second);
                let w2 = (second - l).exp();
                let k = 1.0 / (1.0 - ratio);
                let ga0: [f64; 4] = std::array::from_fn(|i| k * (gtx[i] - ratio * gt[i]));
                (l, w2, ga0)
            } else {
                // t_x = T: the second term vanishes.
                (*first, 0.0, [0.0; 4])
            };
            let w1 = 1.0 - w2;
            total += w * (c + l);
            // d ln(s/(r+s+x)) / d[ln r, ln s].
            let gsr_r = -inv_rsx * r;
            let gsr_s = (1.0 / s - inv_rsx) * s;
            g[0] += w * (dc_r * r + w1 * g1[0] + w2 * (gsr_r + ga0[0]));
            g[1] += w * (w1 * g1[1] + w2 * ga0[1]);
            g[2] += w * (w1 * g1[2] + w2 * (gsr_s + ga0[2]));
            g[3] += w * (w1 * g1[3] + w2 * ga0[3]);
        }
        // The constant's α, s and β derivatives are the same for every customer.
        g[1] += p.total_weight * r;
        g[2] += p.total_weight * lnbe * s;
        g[3] += p.total_weight * s;
        (total, g)
    }

    /// P(alive | x, t_x, T).
    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let a0 = log_sub_exp(self.ln_f(x, t_x), self.ln_f(x, t));
        let first = self.ln_first(x, t);
        (first - log_add_exp(first, self.ln_second(x, a0))).exp()
    }

    /// E[X(t)] for a new customer: rβ/(α(s−1)) · [1 − (β/(β+t))^(s−1)].
    pub fn expected_purchases(&self, t: f64) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        r * beta / alpha * one_minus_pow_over(s - 1.0, (beta / (beta + t)).ln())
    }

    /// E[Y(t) | x, t_x, T] = (r+x)(β+T)/((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^(s−1)] · P(alive).
    pub fn conditional_expected_purchases(&self, t: f64, x: f64, t_x: f64, tt: f64) -> f64 {
        self.conditional_if_alive(t, x, tt) * self.p_alive(x, t_x, tt)
    }

    /// [`Self::conditional_expected_purchases`] divided by P(alive): it does not depend on t_x.
    pub(crate) fn conditional_if_alive(&self, t: f64, x: f64, tt: f64) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        (r + x) * (beta + tt) / (alpha + tt)
            * one_minus_pow_over(s - 1.0, ((beta + tt) / (beta + tt + t)).ln())
    }

    /// P(X(t) = n) for a new customer (Fader & Hardie 2006, "Deriving an expression for
    /// P(X(t) = x) under the Pareto/NBD model").
    pub fn prob_purchases(&self, n: u32, t: f64) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let x = f64::from(n);
        let lg = |v: f64| ln_gamma(v);
        let first = (lg(r + x) - lg(r) - lg(x + 1.0)
            + r * (alpha / (alpha + t)).ln()
            + x * (t / (alpha + t)).ln()
            + s * (beta / (beta + t)).ln())
        .exp();
        let pre = r * alpha.ln() + s * beta.ln() + ln_beta(r + x, s + 1.0) - ln_beta(r, s);
        let c = r + s + x + 1.0;
        let (m, b2, ln_b1) = if alpha >= beta {
            let b1 = ln_hyp2f1(r + s, s + 1.0, c, (alpha - beta) / alpha) - (r + s) * alpha.ln();
            (alpha, s + 1.0, b1)
        } else {
            let b1 = ln_hyp2f1(r + s, r + x, c, (beta - alpha) / beta) - (r + s) * beta.ln();
            (beta, r + x, b1)
        };
        let z = (m - alpha.min(beta)) / (m + t);
        let mut bracket = (pre + ln_b1).exp();
        for j in 0..=n {
            let jf = f64::from(j);
            let ln_term = lg(r + s + jf) - lg(r + s) - lg(jf + 1.0)
                + if t > 0.0 { jf * t.ln() } else { 0.0 }
                + ln_hyp2f1(r + s + jf, b2, c, z)
                - (r + s + jf) * (m + t).ln();
            bracket -= (pre + ln_term).exp();
        }
        first + bracket
    }
}

/// For 0 ≤ z ≤ 0.85: (ln S, ∂ln S/∂a, ∂ln S/∂b, ∂ln S/∂z) where S = Σₖ (b)ₖ zᵏ / (k! (a+k)),
/// so 2F1(a, b; a+1; z) = a·S. `None` when z is out of range or the series does not settle.
fn series_with_derivatives(a: f64, b: f64, z: f64) -> Option<(f64, f64, f64, f64)> {
    if !(0.0..=0.85).contains(&z) || a <= 0.0 || b <= 0.0 {
        return None;
    }
    // v = (b)ₖ zᵏ / k!; u = v / (a+k); sums of u, −u/(a+k), u·Hₖ (Hₖ = Σ_{j<k} 1/(b+j)), u·k.
    let (mut v, mut h) = (1.0f64, 0.0f64);
    let (mut s, mut sa, mut sb, mut sz) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let mut ln_scale = 0.0f64;
    for k in 0..20_000u32 {
        let kf = f64::from(k);
        let inv = 1.0 / (a + kf);
        let u = v * inv;
        s += u;
        sa -= u * inv;
        sb += u * h;
        sz += u * kf;
        let ratio = (b + kf) * z / (kf + 1.0);
        if ratio < 1.0 && u * (1.0 + h + kf) <= 1e-17 * s {
            let ln_s = s.ln() + ln_scale;
            let dz = if z > 0.0 {
                sz / (z * s)
            } else {
                b / (a + 1.0) * a
            };
            return Some((ln_s, sa / s, sb / s, dz));
        }
        h += 1.0 / (b + kf);
        v *= ratio;
        if v > 1e200 {
            v *= 1e-200;
            s *= 1e-200;
            sa *= 1e-200;
            sb *= 1e-200;
            sz *= 1e-200;
            ln_scale += 200.0 * std::f64::consts::LN_10;
        }
    }
    None
}

/// [1 − e^(k·l)] / k, continuous at k = 0 (where it is −l).
fn one_minus_pow_over(k: f64, l: f64) -> f64 {
    if k.abs() < 1e-10 {
        -l
    } else {
        -(k * l).exp_m1() / k
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: ParetoNbd = ParetoNbd {
        r: 0.553,
        alpha: 10.58,
        s: 0.606,
        beta: 11.67,
    };

    #[test]
    fn both_branches_agree_where_alpha_meets_beta() {
        let lo = ParetoNbd {
            alpha: 10.0,
            beta: 10.0 + 1e-9,
            ..P
        };
        let hi = ParetoNbd {
            alpha: 10.0,
            beta: 10.0 - 1e-9,
            ..P
        };
        for &(x, tx, t) in &[(0.0, 0.0, 30.0), (3.0, 20.0, 38.0), (40.0, 37.0, 38.0)] {
            let d = lo.log_likelihood(x, tx, t) - hi.log_likelihood(x, tx, t);
            assert!(d.abs() < 1e-7, "{d}");
        }
    }

    #[test]
    fn repeat_distribution_sums_to_one_and_has_the_model_mean() {
        for p in [
            P,
            ParetoNbd {
                alpha: 12.0,
                beta: 3.0,
                ..P
            },
        ] {
            let t = 39.0;
            let (mut s, mut mean) = (0.0, 0.0);
            for n in 0..300 {
                let q = p.prob_purchases(n, t);
                s += q;
                mean += f64::from(n) * q;
            }
            assert!((s - 1.0).abs() < 1e-6, "{s}");
            assert!((mean - p.expected_purchases(t)).abs() < 1e-3, "{mean}");
        }
    }

    #[test]
    fn large_frequencies_stay_finite() {
        let ll = P.log_likelihood(100.0, 38.0, 39.0);
        assert!(ll.is_finite());
        let pa = P.p_alive(100.0, 38.0, 39.0);
        assert!(pa > 0.0 && pa <= 1.0);
    }

    #[test]
    fn ln_f_gradient_matches_central_differences_in_both_branches() {
        let cases = [
            // β > α: the series in z = (β−α)/(β+y).
            (P, 3.0, 20.0),
            (ParetoNbd { beta: 31.0, ..P }, 12.0, 0.0),
            // α > β.
            (
                ParetoNbd {
                    alpha: 12.0,
                    beta: 3.0,
                    ..P
                },
                0.0,
                5.0,
            ),
            // α ≫ β at y = 0: z = 0.95, the finite-difference fallback.
            (
                ParetoNbd {
                    alpha: 10.0,
                    beta: 0.5,
                    ..P
                },
                2.0,
                0.0,
            ),
        ];
        for (m, x, y) in cases {
            let (v, g) = m.ln_f_grad(x, y);
            assert!((v - m.ln_f(x, y)).abs() < 1e-10 * v.abs().max(1.0), "{m:?}");
            let theta = [m.r.ln(), m.alpha.ln(), m.s.ln(), m.beta.ln()];
            for i in 0..4 {
                let at = |d: f64| {
                    let mut t = theta;
                    t[i] += d;
                    let q = t.map(f64::exp);
                    ParetoNbd {
                        r: q[0],
                        alpha: q[1],
                        s: q[2],
                        beta: q[3],
                    }
                    .ln_f(x, y)
                };
                let n = (at(1e-5) - at(-1e-5)) / 2e-5;
                assert!(
                    (g[i] - n).abs() < 1e-6 * (1.0 + n.abs()),
                    "{m:?} x={x} y={y} i={i}: {} vs {n}",
                    g[i]
                );
            }
        }
    }
}
