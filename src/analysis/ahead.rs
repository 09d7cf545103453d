//! Looking ahead: per customer, P(alive) at a future date and the probability of at least one
//! purchase in the next `t` time units, and the two lists a marketer acts on ("likely to buy
//! next month", "likely lost"), exportable as CSV.
//!
//! What is computed, per model, for a customer with history (x, t_x, T) and horizon t. In each
//! model, given that the customer is alive at T, the posterior purchase rate is
//! λ ~ Gamma(r + x, α + T); write A(u) = ((α + T)/(α + T + u))^(r+x) = P(no purchase in the
//! next u | alive at T, no drop-out before then) averaged over λ.
//! - **P(alive at T + t)** = P(alive at T) × P(no drop-out in (T, T + t] | alive at T). This
//!   is the probability the customer has not left by T + t, *whether or not they buy
//!   meanwhile*.
//!   - Pareto/NBD (drop-out in time): given alive at T, μ ~ Gamma(s, β + T), so the second
//!     factor is S(t) = ((β + T)/(β + T + t))^s. Exact.
//!   - BG/NBD and MBG/NBD (drop-out only right after a purchase): while alive, purchases come at
//!     rate λ and each ends the relationship with probability p, so the drop-out time after T
//!     is Exp(λp). Given alive at T, p ~ Beta(a, b + x) (BG/NBD) or Beta(a, b + x + 1)
//!     (MBG/NBD, whose first purchase is also a chance to leave), and the factor is
//!     E_p[((α + T)/(α + T + p·t))^(r+x)], one integral over p (computed numerically, split at
//!     ½ with substitutions that remove the Beta density's end-point singularities). A customer
//!     who buys nothing in (T, T + t] stays alive in these models.
//! - **P(at least one purchase in (T, T + t])** = P(alive at T) × (1 − P(no purchase | alive)).
//!   - BG/NBD and MBG/NBD: the next purchase comes at rate λ whatever p is (drop-out happens
//!     only at a purchase), so P(no purchase | alive) = A(t). Closed form.
//!   - Pareto/NBD: the customer may die at τ after T (Lomax: P(τ > u) = S(u)); no purchase
//!     before min(τ, t): S(t)·A(t) + ∫₀ᵗ A(u)·f(u) du with f = −S′, integrated numerically
//!     (Simpson, 512 steps).
//!
//! At T = 0 with x = 0 these reduce to the models' own P(X(t) = 0) for a new customer (a
//! test pins that), and a simulation test checks both figures on customers with no repeat
//! purchase.

use crate::domain::clv::{BtydModel, FittedModel};
use crate::domain::customers::CustomerRecord;
use serde::{Deserialize, Serialize};

/// Simpson's rule on [lo, hi] with `n` (even) steps.
fn simpson(f: &dyn Fn(f64) -> f64, lo: f64, hi: f64, n: usize) -> f64 {
    let h = (hi - lo) / n as f64;
    let mut s = f(lo) + f(hi);
    for i in 1..n {
        let w = if i % 2 == 1 { 4.0 } else { 2.0 };
        s += w * f(lo + h * i as f64);
    }
    s * h / 3.0
}

/// E[g(p)] for p ~ Beta(a, b), with the end points' singularities removed by substitution
/// (p = v^(1/a) on [0, ½], 1 − p = w^(1/b) on [½, 1]); self-normalised.
fn beta_expectation(g: &dyn Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    const N: usize = 400;
    // Left half: density ∝ p^(a−1)(1−p)^(b−1) dp = (1/a)(1−p)^(b−1) dv.
    let left_end = 0.5f64.powf(a);
    let left = |v: f64, with_g: bool| {
        let p = v.powf(1.0 / a).min(0.5);
        let d = (1.0 - p).powf(b - 1.0) / a;
        if with_g {
            d * g(p)
        } else {
            d
        }
    };
    let right_end = 0.5f64.powf(b);
    let right = |w: f64, with_g: bool| {
        let q = w.powf(1.0 / b).min(0.5);
        let d = (1.0 - q).powf(a - 1.0) / b;
        if with_g {
            d * g(1.0 - q)
        } else {
            d
        }
    };
    let num = simpson(&|v| left(v, true), 0.0, left_end, N)
        + simpson(&|w| right(w, true), 0.0, right_end, N);
    let den = simpson(&|v| left(v, false), 0.0, left_end, N)
        + simpson(&|w| right(w, false), 0.0, right_end, N);
    num / den
}

/// One customer looking ahead.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Outlook {
    /// P(alive) now (at T).
    pub p_alive_now: f64,
    /// P(alive at T + t): not dropped out by then (see the module docs).
    pub p_alive_then: f64,
    /// P(at least one purchase in (T, T + t]).
    pub p_purchase: f64,
}

/// P(alive now), P(alive at T + `t`) and P(at least one purchase in the next `t`) for one
/// customer (x, t_x, T) under `model` (see the module docs for the formulas).
pub fn outlook(model: &BtydModel, x: f64, t_x: f64, tt: f64, t: f64) -> Outlook {
    let p_now = model.p_alive(x, t_x, tt).clamp(0.0, 1.0);
    let t = t.max(0.0);
    let [r, alpha, c, d] = model.to_array();
    let a_of = |u: f64| ((r + x) * ((alpha + tt) / (alpha + tt + u)).ln()).exp();
    let (survive, no_buy) = match model {
        BtydModel::ParetoNbd(_) => {
            let (s, beta) = (c, d);
            let s_of = |u: f64| (s * ((beta + tt) / (beta + tt + u)).ln()).exp();
            let f_of = |u: f64| s / (beta + tt + u) * s_of(u);
            let integral = if t > 0.0 {
                simpson(&|u| a_of(u) * f_of(u), 0.0, t, 512)
            } else {
                0.0
            };
            (s_of(t), s_of(t) * a_of(t) + integral)
        }
        BtydModel::BgNbd(_) | BtydModel::MbgNbd(_) => {
            let extra = if matches!(model, BtydModel::MbgNbd(_)) {
                1.0
            } else {
                0.0
            };
            let surv = beta_expectation(
                &|p| ((r + x) * ((alpha + tt) / (alpha + tt + p * t)).ln()).exp(),
                c,
                d + x + extra,
            );
            (surv, a_of(t))
        }
    };
    Outlook {
        p_alive_now: p_now,
        p_alive_then: (p_now * survive).clamp(0.0, 1.0),
        p_purchase: (p_now * (1.0 - no_buy)).clamp(0.0, 1.0),
    }
}

/// One customer in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AheadRow {
    /// Customer id.
    pub id: String,
    /// Repeat purchases so far.
    pub x: f64,
    /// Time since the last purchase (T − t_x), in model time units.
    pub since_last: f64,
    /// Spend to date.
    pub past_value: f64,
    /// P(alive) now.
    pub p_alive_now: f64,
    /// P(alive) at the end of the horizon.
    pub p_alive_then: f64,
    /// P(at least one purchase within the horizon).
    pub p_purchase: f64,
}

/// The two lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AheadLists {
    /// Horizon in model time units.
    pub horizon: f64,
    /// Model used.
    pub model: String,
    /// Highest P(at least one purchase) first (at most `limit`).
    pub likely_to_buy: Vec<AheadRow>,
    /// P(alive now) below the threshold, highest past value first (at most `limit`).
    pub likely_lost: Vec<AheadRow>,
    /// Threshold on P(alive now) for "likely lost".
    pub lost_below: f64,
    /// Customers who qualified for "likely lost" in all (the list may be capped).
    pub lost_count: u64,
    /// Customers in all.
    pub n_customers: u64,
}

/// Default threshold on P(alive now) for "likely lost".
pub const DEFAULT_LOST_BELOW: f64 = 0.3;

/// Builds the two lists for `horizon` (model time units): "likely to buy" (top `limit` by
/// P(at least one purchase)) and "likely lost" (P(alive now) < `lost_below`, highest past value
/// first, top `limit`). Ties are broken by id, so the lists are stable.
pub fn lists(
    model: &FittedModel,
    customers: &[CustomerRecord],
    horizon: f64,
    lost_below: f64,
    limit: usize,
) -> AheadLists {
    let rows: Vec<AheadRow> = customers
        .iter()
        .map(|c| {
            let o = outlook(&model.model, c.x, c.t_x, c.t, horizon);
            AheadRow {
                id: c.id.clone(),
                x: c.x,
                since_last: c.t - c.t_x,
                past_value: c.total_spend,
                p_alive_now: o.p_alive_now,
                p_alive_then: o.p_alive_then,
                p_purchase: o.p_purchase,
            }
        })
        .collect();
    let mut buy = rows.clone();
    buy.sort_by(|a, b| b.p_purchase.total_cmp(&a.p_purchase).then(a.id.cmp(&b.id)));
    buy.truncate(limit);
    let mut lost: Vec<AheadRow> = rows
        .into_iter()
        .filter(|r| r.p_alive_now < lost_below)
        .collect();
    let lost_count = lost.len() as u64;
    lost.sort_by(|a, b| b.past_value.total_cmp(&a.past_value).then(a.id.cmp(&b.id)));
    lost.truncate(limit);
    AheadLists {
        horizon,
        model: model.kind.name().to_string(),
        likely_to_buy: buy,
        likely_lost: lost,
        lost_below,
        lost_count,
        n_customers: customers.len() as u64,
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A list as CSV (header, one row per customer), with the horizon and the time unit named in
/// the column headers.
pub fn to_csv(rows: &[AheadRow], horizon: f64, unit: &str) -> String {
    let mut s = format!(
        "customer_id,repeat_purchases,{unit}s_since_last_purchase,past_value,p_alive_now,p_alive_in_{h}_{unit}s,p_purchase_in_{h}_{unit}s\n",
        h = horizon
    );
    for r in rows {
        s.push_str(&format!(
            "{},{},{},{:.2},{:.4},{:.4},{:.4}\n",
            csv_field(&r.id),
            r.x,
            r.since_last,
            r.past_value,
            r.p_alive_now,
            r.p_alive_then,
            r.p_purchase
        ));
    }
    s
}

#[cfg(test)]
#[path = "ahead_tests.rs"]
mod tests;
