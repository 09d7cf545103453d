//! Intervals for every value figure: per customer P(alive), expected purchases and CLV, and in
//! total customer equity and expected purchases, from the uncertainty of the fitted parameters.
//!
//! Two ways to get plausible parameter sets, one way to turn them into ranges:
//! - **Parameter draws** ([`draw_parameter_sets`], as CLVTools does): K sets from the
//!   asymptotic normal distribution of the log-parameters (mean: the estimates; covariance: the
//!   inverse Hessian kept on the fit, [`FittedModel::log_covariance`]), by a Cholesky factor and
//!   a seeded ChaCha8 stream. The Gamma-Gamma spend parameters are drawn too when spend is
//!   modelled (independently: the two models are fitted separately).
//! - **Parametric bootstrap** (`super::bootstrap`): simulate from the fit, refit.
//!
//! [`ranges_from_sets`] recomputes the figures under each set and reports the central
//! `level` range (the (1 − level)/2 and (1 + level)/2 quantiles, linear interpolation).
//! It works per distinct (x, t_x, T): customers sharing them share P(alive), expected purchases
//! and CLV per unit of spend under every set, so the model is evaluated K times per distinct
//! triple, not per customer. Memory stays O(customers + K): each triple's K values are held
//! only while its customers are done, and the totals are accumulated per set as it goes.

use super::optim::cholesky;
use super::params::check_record;
use super::value::clv_per_unit_spend;
use super::{BtydModel, ClvError, ClvSettings, FittedGammaGamma, FittedModel, GammaGamma};
use crate::domain::customers::CustomerRecord;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Default interval level (90 %).
pub const DEFAULT_LEVEL: f64 = 0.9;
/// Default number of parameter draws.
pub const DEFAULT_DRAWS: u32 = 200;
/// Default number of bootstrap refits.
pub const DEFAULT_BOOTSTRAP: u32 = 100;
/// Default seed of the draws and the bootstrap.
pub const DEFAULT_SEED: u64 = 20_261_201;

/// Settings of the intervals from parameter draws.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntervalSettings {
    /// Central probability of each range (0.9: from the 5th to the 95th percentile).
    pub level: f64,
    /// Number of parameter sets drawn.
    pub draws: u32,
    /// Seed of the draws (stored with the result).
    pub seed: u64,
}

impl Default for IntervalSettings {
    fn default() -> Self {
        IntervalSettings {
            level: DEFAULT_LEVEL,
            draws: DEFAULT_DRAWS,
            seed: DEFAULT_SEED,
        }
    }
}

impl IntervalSettings {
    /// Validates the settings.
    ///
    /// # Errors
    /// [`ClvError::InvalidParameter`] naming `level` or `draws`.
    pub fn check(&self) -> Result<&Self, ClvError> {
        check_level(self.level)?;
        if !(2..=100_000).contains(&self.draws) {
            return Err(ClvError::invalid(
                "draws",
                f64::from(self.draws),
                "must be 2..=100000",
            ));
        }
        Ok(self)
    }
}

/// Checks an interval level (strictly between 0 and 1).
///
/// # Errors
/// [`ClvError::InvalidParameter`] naming `level`.
pub fn check_level(level: f64) -> Result<(), ClvError> {
    if level.is_finite() && level > 0.0 && level < 1.0 {
        Ok(())
    } else {
        Err(ClvError::invalid(
            "level",
            level,
            "must be between 0 and 1 (e.g. 0.9)",
        ))
    }
}

/// A range [lower, upper].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Range {
    /// Lower end.
    pub lower: f64,
    /// Upper end.
    pub upper: f64,
}

impl Range {
    /// True when `v` lies in the range (ends included).
    pub fn contains(&self, v: f64) -> bool {
        self.lower <= v && v <= self.upper
    }
}

/// The ranges of one customer's figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CustomerRanges {
    /// P(alive).
    pub p_alive: Range,
    /// Expected purchases over the settings' purchase horizon.
    pub expected_purchases: Range,
    /// CLV over the settings' horizon.
    pub clv: Range,
}

/// A total with its estimate and range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Total {
    /// The figure under the fitted parameters.
    pub estimate: f64,
    /// Its range at the report's level.
    pub range: Range,
}

/// Where the parameter sets came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntervalMethod {
    /// Draws from the asymptotic normal distribution of the log-parameters.
    ParameterDraws,
    /// Parametric bootstrap: refits on data simulated from the fit.
    Bootstrap,
}

impl IntervalMethod {
    /// Plain-language description, for the page and the command line.
    pub fn describe(self) -> &'static str {
        match self {
            IntervalMethod::ParameterDraws => "parameter draws: plausible parameter sets drawn from the fitted parameters' uncertainty (their estimated spread and correlation), each figure recomputed under every set",
            IntervalMethod::Bootstrap => "parametric bootstrap: customer bases simulated from the fitted model with your customers' ages, the model refitted on each, each figure recomputed under every refit",
        }
    }
}

/// One plausible set of parameters: the purchase model and, when spend is modelled, the
/// Gamma-Gamma parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ParameterSet {
    /// Purchase model.
    pub model: BtydModel,
    /// Spend model (`None`: spend held at its estimate).
    pub spend: Option<GammaGamma>,
}

/// The intervals of a fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntervalReport {
    /// Where the parameter sets came from.
    pub method: IntervalMethod,
    /// Central probability of every range.
    pub level: f64,
    /// Parameter sets used.
    pub sets: u32,
    /// Seed of the draws or simulations.
    pub seed: u64,
    /// Per customer, in the order of the input.
    pub customers: Vec<CustomerRanges>,
    /// Customer equity (sum of CLVs, rows weighted by their weight).
    pub equity: Total,
    /// Total expected purchases over the purchase horizon.
    pub total_purchases: Total,
    /// True when spend varied with the sets (Gamma-Gamma uncertainty included).
    pub spend_varied: bool,
    /// Distinct (x, t_x, T) the figures were computed for.
    pub distinct_groups: u64,
    /// Everything left out or held fixed, with the reason.
    pub notes: Vec<String>,
}

/// Draws `draws` parameter sets from the asymptotic normal distribution of the fitted
/// log-parameters (and of the Gamma-Gamma ones when `spend` is given and has a covariance).
/// Returns the sets and notes on what was held fixed.
///
/// # Errors
/// [`ClvError::NotEnoughData`] when the purchase model has no usable covariance (the reason
/// is the fit's own), [`ClvError::InvalidParameter`] for bad settings.
pub fn draw_parameter_sets(
    model: &FittedModel,
    spend: Option<&FittedGammaGamma>,
    settings: &IntervalSettings,
) -> Result<(Vec<ParameterSet>, Vec<String>), ClvError> {
    settings.check()?;
    let no_cov = |note: &Option<String>| ClvError::NotEnoughData {
        reason: note
            .clone()
            .unwrap_or_else(|| String::from("the fit has no covariance of its parameters")),
    };
    let cov = model
        .log_covariance
        .as_ref()
        .ok_or_else(|| no_cov(&model.covariance_note))?;
    let theta: Vec<f64> = model.model.to_array().iter().map(|v| v.ln()).collect();
    let l = cholesky(cov, theta.len()).ok_or_else(|| no_cov(&model.covariance_note))?;
    let mut notes = Vec::new();
    let spend_draw = match spend {
        Some(g) => match (&g.log_covariance, g.no_spread) {
            (Some(c), false) => {
                let th = [g.params.p.ln(), g.params.q.ln(), g.params.gamma.ln()];
                match cholesky(c, 3) {
                    Some(lg) => Some((th, lg)),
                    None => {
                        notes.push(String::from(
                            "spend held at its estimate: its parameters' covariance is not usable",
                        ));
                        None
                    }
                }
            }
            _ => {
                notes.push(format!(
                    "spend held at its estimate: {}",
                    g.covariance_note
                        .as_deref()
                        .unwrap_or("the spend model has no covariance of its parameters")
                ));
                None
            }
        },
        None => None,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
    let sets = (0..settings.draws)
        .map(|_| {
            let p = correlated_normal(&mut rng, &theta, &l);
            let p4 = [p[0], p[1], p[2], p[3]].map(f64::exp);
            let spend = match &spend_draw {
                Some((th, lg)) => {
                    let q = correlated_normal(&mut rng, th, lg);
                    Some(GammaGamma {
                        p: q[0].exp(),
                        q: q[1].exp(),
                        gamma: q[2].exp(),
                    })
                }
                None => None,
            };
            ParameterSet {
                model: BtydModel::from_array(model.kind, p4),
                spend,
            }
        })
        .collect();
    Ok((sets, notes))
}

/// θ̂ + L·z with z standard normal (L lower triangular, row-major).
fn correlated_normal(rng: &mut ChaCha8Rng, mean: &[f64], l: &[f64]) -> Vec<f64> {
    let n = mean.len();
    let z: Vec<f64> = (0..n).map(|_| StandardNormal.sample(rng)).collect();
    (0..n)
        .map(|i| mean[i] + (0..=i).map(|j| l[i * n + j] * z[j]).sum::<f64>())
        .collect()
}

/// Intervals from parameter draws: [`draw_parameter_sets`] then [`ranges_from_sets`].
///
/// # Errors
/// As [`draw_parameter_sets`] and [`ranges_from_sets`].
pub fn parameter_intervals(
    model: &FittedModel,
    spend: Option<&FittedGammaGamma>,
    customers: &[CustomerRecord],
    clv: &ClvSettings,
    settings: &IntervalSettings,
    progress: &mut dyn FnMut(f64),
) -> Result<IntervalReport, ClvError> {
    let (sets, notes) = draw_parameter_sets(model, spend, settings)?;
    let mut report = ranges_from_sets(
        model,
        spend,
        customers,
        clv,
        &sets,
        settings.level,
        progress,
    )?;
    report.method = IntervalMethod::ParameterDraws;
    report.seed = settings.seed;
    report.notes.splice(0..0, notes);
    Ok(report)
}

/// The expected spend per transaction under spend parameters `params`, with the fitted
/// model's fallbacks (the same rule as the point prediction).
pub(crate) fn spend_under(base: &FittedGammaGamma, params: GammaGamma, x: f64, m: f64) -> f64 {
    if base.no_spread {
        return base.spend_estimate(x, m).value;
    }
    params
        .spend_estimate_or(x, m, base.repeater_mean_spend)
        .value
}

/// The central `level` range of `v` (non-finite values ignored); `None` when fewer than two
/// finite values remain. Reorders `v`.
pub fn quantile_range(v: &mut Vec<f64>, level: f64) -> Option<Range> {
    v.retain(|x| x.is_finite());
    let n = v.len();
    if n < 2 {
        return None;
    }
    let tail = (1.0 - level) / 2.0;
    let lower = quantile_in_place(v, tail);
    let upper = quantile_in_place(v, 1.0 - tail);
    Some(Range { lower, upper })
}

/// Type-7 quantile (linear interpolation between order statistics) by selection: O(n).
fn quantile_in_place(v: &mut [f64], q: f64) -> f64 {
    let n = v.len();
    let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let i = (h.floor() as usize).min(n - 1);
    let frac = h - i as f64;
    let (_, a, rest) = v.select_nth_unstable_by(i, f64::total_cmp);
    let a = *a;
    if frac <= 0.0 || rest.is_empty() {
        return a;
    }
    let b = rest.iter().copied().fold(f64::INFINITY, f64::min);
    a + frac * (b - a)
}

/// Recomputes every figure under each parameter set and reports the central `level` ranges
/// per customer (in the order of `customers`) and for the totals. The estimates of the totals
/// are those of `model` and `spend` (the point predictions of [`super::predict_customers`],
/// rows weighted by their weight). A set under which a total is not finite is left out of the
/// totals and counted in the notes.
///
/// # Errors
/// [`ClvError::InvalidParameter`] for bad settings or fewer than 2 sets,
/// [`ClvError::InvalidRecord`] for bad rows.
pub fn ranges_from_sets(
    model: &FittedModel,
    spend: Option<&FittedGammaGamma>,
    customers: &[CustomerRecord],
    clv: &ClvSettings,
    sets: &[ParameterSet],
    level: f64,
    progress: &mut dyn FnMut(f64),
) -> Result<IntervalReport, ClvError> {
    clv.check()?;
    check_level(level)?;
    if sets.len() < 2 {
        return Err(ClvError::invalid(
            "sets",
            sets.len() as f64,
            "at least 2 parameter sets are needed for a range",
        ));
    }
    for (i, c) in customers.iter().enumerate() {
        check_record(i, c)?;
    }
    let k = sets.len();
    let spend_varied =
        spend.is_some_and(|g| !g.no_spread) && sets.iter().any(|s| s.spend.is_some());
    // Point spend: the rule of `predict_customers`.
    let repeaters: Vec<f64> = customers
        .iter()
        .filter(|c| c.x > 0.0)
        .map(|c| c.monetary)
        .collect();
    let fallback = if repeaters.is_empty() {
        0.0
    } else {
        repeaters.iter().sum::<f64>() / repeaters.len() as f64
    };
    let point_spend = |c: &CustomerRecord| match spend {
        Some(g) => g.spend_estimate(c.x, c.monetary).value,
        None if c.x > 0.0 => c.monetary,
        None => fallback,
    };

    // Distinct (x, t_x, T), and the customers of each in one array (counting sort).
    let mut ids: HashMap<[u64; 3], u32> = HashMap::new();
    let group_of: Vec<u32> = customers
        .iter()
        .map(|c| {
            let next = ids.len() as u32;
            *ids.entry([c.x.to_bits(), c.t_x.to_bits(), c.t.to_bits()])
                .or_insert(next)
        })
        .collect();
    let n_groups = ids.len();
    drop(ids);
    let mut start = vec![0u32; n_groups + 1];
    for &g in &group_of {
        start[g as usize + 1] += 1;
    }
    for i in 0..n_groups {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut order = vec![0u32; customers.len()];
    for (i, &g) in group_of.iter().enumerate() {
        order[fill[g as usize] as usize] = i as u32;
        fill[g as usize] += 1;
    }
    drop(fill);
    drop(group_of);

    let empty = Range {
        lower: f64::NAN,
        upper: f64::NAN,
    };
    let mut out = vec![
        CustomerRanges {
            p_alive: empty,
            expected_purchases: empty,
            clv: empty,
        };
        customers.len()
    ];
    let mut purchases_k = vec![0.0f64; k];
    let mut equity_k = vec![0.0f64; k];
    let (mut purchases_hat, mut equity_hat) = (0.0f64, 0.0f64);
    let (mut pa, mut ep, mut cu) = (vec![0.0; k], vec![0.0; k], vec![0.0; k]);
    let mut scratch = Vec::with_capacity(k);
    let mut clv_k = vec![0.0; k];
    let mut missing_ranges = 0u64;
    // Groups in (x, T) order: the costly part of the conditional expectation does not depend
    // on t_x (see `BtydModel::conditional_factor`), so it is computed once per set, (x, T) and
    // month and reused for every t_x; the figures are the same, bit for bit.
    let first_of = |g: usize| &customers[order[start[g] as usize] as usize];
    let mut by_xt: Vec<u32> = (0..n_groups as u32).collect();
    by_xt.sort_unstable_by(|&a, &b| {
        let (ca, cb) = (first_of(a as usize), first_of(b as usize));
        ca.x.total_cmp(&cb.x).then(ca.t.total_cmp(&cb.t))
    });
    let periods = clv.periods as usize;
    // Per set: the factor at the end of each month, then at the purchase horizon.
    let mut factors = vec![0.0f64; k * (periods + 1)];
    let mut cached: Option<(u64, u64)> = None;
    let step = (n_groups / 100).max(1);
    for (done, &g) in by_xt.iter().enumerate() {
        if done % step == 0 {
            progress(done as f64 / n_groups as f64);
        }
        let g = g as usize;
        let members = &order[start[g] as usize..start[g + 1] as usize];
        let Some(&first) = members.first() else {
            continue;
        };
        let c0 = &customers[first as usize];
        let (x, t_x, t) = (c0.x, c0.t_x, c0.t);
        if cached != Some((x.to_bits(), t.to_bits())) {
            for (s, f) in sets.iter().zip(factors.chunks_exact_mut(periods + 1)) {
                for (i, v) in f.iter_mut().take(periods).enumerate() {
                    let h = (i + 1) as f64 * clv.units_per_period;
                    *v = s.model.conditional_factor(h, x, t);
                }
                f[periods] = s.model.conditional_factor(clv.purchase_horizon, x, t);
            }
            cached = Some((x.to_bits(), t.to_bits()));
        }
        for (j, (s, f)) in sets
            .iter()
            .zip(factors.chunks_exact(periods + 1))
            .enumerate()
        {
            let m = &s.model;
            let w = m.conditional_weight(x, t_x, t);
            pa[j] = match m {
                BtydModel::ParetoNbd(_) => w,
                _ => m.p_alive(x, t_x, t),
            };
            ep[j] = m.conditional_combine(f[periods], w);
            // The sum of `clv_per_unit_spend`, term by term.
            let (mut total, mut prev, mut disc) = (0.0, 0.0, 1.0);
            for &fi in &f[..periods] {
                let e = m.conditional_combine(fi, w);
                disc /= 1.0 + clv.discount_rate;
                total += clv.margin_rate * (e - prev) * disc;
                prev = e;
            }
            cu[j] = total;
        }
        let ep_hat = model
            .model
            .conditional_expected_purchases(clv.purchase_horizon, x, t_x, t);
        let cu_hat = clv_per_unit_spend(&model.model, x, t_x, t, clv);
        let range_of = |v: &[f64], scratch: &mut Vec<f64>| {
            scratch.clear();
            scratch.extend_from_slice(v);
            quantile_range(scratch, level)
        };
        let pa_r = range_of(&pa, &mut scratch);
        let ep_r = range_of(&ep, &mut scratch);
        let cu_r = range_of(&cu, &mut scratch);
        for &i in members {
            let c = &customers[i as usize];
            let w = c.weight;
            let sp = point_spend(c);
            purchases_hat += w * ep_hat;
            equity_hat += w * sp * cu_hat;
            for j in 0..k {
                purchases_k[j] += w * ep[j];
            }
            let clv_r = if spend_varied {
                for (j, s) in sets.iter().enumerate() {
                    let spj = match (spend, s.spend) {
                        (Some(base), Some(p)) => spend_under(base, p, c.x, c.monetary),
                        _ => sp,
                    };
                    clv_k[j] = spj * cu[j];
                    equity_k[j] += w * clv_k[j];
                }
                range_of(&clv_k, &mut scratch)
            } else {
                for j in 0..k {
                    equity_k[j] += w * sp * cu[j];
                }
                cu_r.map(|r| {
                    let (a, b) = (sp * r.lower, sp * r.upper);
                    Range {
                        lower: a.min(b),
                        upper: a.max(b),
                    }
                })
            };
            if pa_r.is_none() || ep_r.is_none() || clv_r.is_none() {
                missing_ranges += 1;
            }
            out[i as usize] = CustomerRanges {
                p_alive: pa_r.unwrap_or(empty),
                expected_purchases: ep_r.unwrap_or(empty),
                clv: clv_r.unwrap_or(empty),
            };
        }
    }
    progress(1.0);
    let mut notes = Vec::new();
    let finite_sets = purchases_k
        .iter()
        .zip(&equity_k)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .count();
    if finite_sets < k {
        notes.push(format!(
            "{} of {k} parameter sets gave a total that is not a finite number and were left out of the totals",
            k - finite_sets
        ));
    }
    if missing_ranges > 0 {
        notes.push(format!(
            "{missing_ranges} customers have no range (fewer than 2 parameter sets gave finite figures for them)"
        ));
    }
    let total = |estimate: f64, v: &mut Vec<f64>| Total {
        estimate,
        range: quantile_range(v, level).unwrap_or(empty),
    };
    Ok(IntervalReport {
        method: IntervalMethod::ParameterDraws,
        level,
        sets: k as u32,
        seed: 0,
        customers: out,
        equity: total(equity_hat, &mut equity_k),
        total_purchases: total(purchases_hat, &mut purchases_k),
        spend_varied,
        distinct_groups: n_groups as u64,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clv::{predict_customers, BtydParams, ModelKind};
    use crate::domain::customers::TimeUnit;

    #[test]
    fn quantile_range_interpolates_like_type_7() {
        let mut v: Vec<f64> = (0..=100).map(f64::from).rev().collect();
        let r = quantile_range(&mut v, 0.9).unwrap();
        assert!((r.lower - 5.0).abs() < 1e-12 && (r.upper - 95.0).abs() < 1e-12);
        let mut v = vec![1.0, f64::NAN, 3.0];
        let r = quantile_range(&mut v, 0.5).unwrap();
        assert!(
            (r.lower - 1.5).abs() < 1e-12 && (r.upper - 2.5).abs() < 1e-12,
            "{r:?}"
        );
        assert!(quantile_range(&mut vec![1.0], 0.9).is_none());
    }

    fn cdnow_like() -> Vec<CustomerRecord> {
        let model = BtydModel::from_array(ModelKind::BgNbd, [0.25, 4.0, 0.8, 2.5]);
        let ages: Vec<f64> = (0..3000).map(|i| 30.0 + f64::from(i % 40)).collect();
        let sim = super::super::simulate::simulate_btyd(&model, &ages, 3).unwrap();
        sim.iter()
            .enumerate()
            .map(|(i, c)| {
                let x = f64::from(c.x);
                CustomerRecord::from_stats(
                    format!("c{i}"),
                    x,
                    (c.t_x * 7.0).round() / 7.0,
                    c.t,
                    if c.x > 0 {
                        20.0 + f64::from(i as u32 % 13)
                    } else {
                        0.0
                    },
                )
            })
            .collect()
    }

    #[test]
    fn every_point_prediction_lies_in_its_range_and_totals_bracket_the_estimate() {
        let customers = cdnow_like();
        let fit = BtydParams::new(ModelKind::BgNbd)
            .check()
            .unwrap()
            .fit_records(&customers, TimeUnit::Week, &mut |_| {})
            .unwrap();
        assert!(fit.log_covariance.is_some(), "{:?}", fit.covariance_note);
        let s = ClvSettings::monthly(TimeUnit::Week, 12, 0.01, 1.0);
        let report = parameter_intervals(
            &fit,
            None,
            &customers,
            &s,
            &IntervalSettings::default(),
            &mut |_| {},
        )
        .unwrap();
        let preds = predict_customers(&fit, None, &customers, &s).unwrap();
        assert_eq!(report.customers.len(), customers.len());
        let mut outside = 0;
        for (p, r) in preds.iter().zip(&report.customers) {
            assert!(r.p_alive.lower <= r.p_alive.upper);
            if !(r.expected_purchases.contains(p.expected_purchases) && r.clv.contains(p.clv)) {
                outside += 1;
            }
        }
        // The estimate is the centre of the draws; it can fall just outside a narrow range
        // only rarely.
        assert!(outside < customers.len() / 50, "{outside} outside");
        assert!(
            report.equity.range.contains(report.equity.estimate),
            "{report:?}"
        );
        assert!(report
            .total_purchases
            .range
            .contains(report.total_purchases.estimate));
        let eq: f64 = preds.iter().map(|p| p.clv).sum();
        assert!((eq - report.equity.estimate).abs() < 1e-6 * eq);
        // Same seed, same ranges.
        let again = parameter_intervals(
            &fit,
            None,
            &customers,
            &s,
            &IntervalSettings::default(),
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(again.equity, report.equity);
    }

    #[test]
    fn ranges_reuse_the_t_x_free_factor_without_changing_a_figure() {
        let customers = cdnow_like();
        let s = ClvSettings::monthly(TimeUnit::Week, 12, 0.01, 1.0);
        for kind in [ModelKind::BgNbd, ModelKind::MbgNbd, ModelKind::ParetoNbd] {
            let fit = BtydParams::new(kind)
                .check()
                .unwrap()
                .fit_records(&customers, TimeUnit::Week, &mut |_| {})
                .unwrap();
            let settings = IntervalSettings {
                draws: 20,
                ..Default::default()
            };
            let (sets, _) = draw_parameter_sets(&fit, None, &settings).unwrap();
            let r = ranges_from_sets(&fit, None, &customers, &s, &sets, 0.9, &mut |_| {}).unwrap();
            for (c, got) in customers.iter().zip(&r.customers).step_by(37) {
                let mut v: Vec<f64> = sets
                    .iter()
                    .map(|p| clv_per_unit_spend(&p.model, c.x, c.t_x, c.t, &s))
                    .collect();
                let cu = quantile_range(&mut v, 0.9).unwrap();
                if c.x > 0.0 {
                    let sp = c.monetary;
                    assert!((got.clv.lower - sp * cu.lower).abs() <= 1e-12 * sp * cu.upper.abs());
                    assert!((got.clv.upper - sp * cu.upper).abs() <= 1e-12 * sp * cu.upper.abs());
                }
                let mut e: Vec<f64> = sets
                    .iter()
                    .map(|p| {
                        p.model
                            .conditional_expected_purchases(s.purchase_horizon, c.x, c.t_x, c.t)
                    })
                    .collect();
                assert_eq!(
                    quantile_range(&mut e, 0.9).unwrap(),
                    got.expected_purchases,
                    "{kind:?}"
                );
                let mut a: Vec<f64> = sets
                    .iter()
                    .map(|p| p.model.p_alive(c.x, c.t_x, c.t))
                    .collect();
                assert_eq!(
                    quantile_range(&mut a, 0.9).unwrap(),
                    got.p_alive,
                    "{kind:?}"
                );
            }
        }
    }

    #[test]
    fn a_fit_without_covariance_says_why() {
        let customers = cdnow_like();
        let mut fit = BtydParams::new(ModelKind::BgNbd)
            .check()
            .unwrap()
            .fit_records(&customers, TimeUnit::Week, &mut |_| {})
            .unwrap();
        fit.log_covariance = None;
        fit.covariance_note = Some(String::from("singular"));
        let e = draw_parameter_sets(&fit, None, &IntervalSettings::default()).unwrap_err();
        assert!(e.to_string().contains("singular"), "{e}");
    }
}
