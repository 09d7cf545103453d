//! Model comparison: BG/NBD, MBG/NBD and Pareto/NBD fitted on the same customers (the
//! calibration period when a transaction log is given), side by side, with a plain-language
//! recommendation. The Lifetime value page, the worker and `crm compare` all show this table.
//!
//! Per model: log-likelihood, number of parameters k, AIC = 2k − 2LL, BIC = k ln n − 2LL (n =
//! customers), convergence; with a holdout period: the per-customer mean absolute error of
//! holdout purchases, the aggregate tracking error (mean absolute % error of cumulative
//! predicted vs actual repeat purchases, one point per time unit of the holdout) and the
//! calibration-vs-holdout table by calibration frequency.
//!
//! **Nesting.** BG/NBD, MBG/NBD and Pareto/NBD do not nest in one another (no parameter values
//! turn one into another), so no likelihood-ratio test is run between them. Each of them does
//! contain the NBD without drop-out as a boundary case (BG/NBD and MBG/NBD as the mean drop-out
//! probability a/(a + b) → 0, Pareto/NBD as the mean drop-out rate s/β → 0). Against that NBD
//! the likelihood-ratio statistic LR = 2(LL_model − LL_NBD) is referred to the boundary mixture
//! ½χ²₀ + ½χ²₁ (p = ½·P(χ²₁ > LR)). The p-value is approximate: at the boundary the other
//! drop-out parameter is not identified, so read it as a guide ("is there drop-out at all?").
//!
//! **The recommendation rule** ([`recommend`]), on converged fits only:
//! 1. Rank by BIC (all three models have k = 4, so this is the likelihood ranking). The
//!    likelihood uses every customer's whole history and is the most powerful test of which
//!    process generated the data.
//! 2. With a holdout: if the BIC choice's per-customer holdout MAE is more than
//!    [`HOLDOUT_OVERRIDE`] (10%; the absolute error is noisy and rewards cautious predictions,
//!    so only a clear gap outweighs the likelihood) above the best model's *and* its tracking error is also higher,
//!    the holdout winner is recommended instead (the fit prefers one model, the future another:
//!    trust the future).
//! 3. "Indistinguishable" when the runner-up is within [`BIC_TIE`] (2) of the best BIC (Kass &
//!    Raftery: "not worth more than a bare mention") and, with a holdout, within
//!    [`HOLDOUT_TIE`] (1%) on MAE: the recommendation then still names a default (the best BIC)
//!    and says the data cannot tell the models apart.
//!
//! **Extension point (BG/BB).** Every row is built by [`ModelRow::build`] from a name, the
//! likelihood, k, convergence, the parameter table and a conditional-expectation function; a
//! discrete-time model (BG/BB, for data in periods) adds itself to [`Comparison::models`] with
//! the same call and is then ranked by the same rule. Nothing here depends on it.

use crate::analysis::clv::{calibration_split, cumulative, fit_model, CalibrationSplit};
use crate::domain::clv::validation::{self, HoldoutRow, TOP_BIN};
use crate::domain::clv::{FittedModel, ModelKind, ParamEstimate};
use crate::domain::customers::{
    self, CustomerRecord, CustomerSummary, SummaryOptions, TimeUnit, TxLog,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};
use statrs::function::gamma::ln_gamma;

/// A runner-up within this BIC of the best is "not worth more than a bare mention".
pub const BIC_TIE: f64 = 2.0;
/// Per-customer holdout MAE within this relative gap counts as equal.
pub const HOLDOUT_TIE: f64 = 0.01;
/// The holdout overrides the BIC choice when the BIC choice's MAE is worse by more than this.
pub const HOLDOUT_OVERRIDE: f64 = 0.10;

/// What to compare.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareRequest {
    /// The customer summary (used as is when there is no transaction log).
    pub summary: CustomerSummary,
    /// The transaction log (empty: compare on the summary by fit only, unless the summary
    /// carries its own holdout counts).
    pub transactions: TxLog,
    /// How the summary was built (time unit, observation end, returns).
    pub summary_options: SummaryOptions,
    /// End of the calibration period (None with a log: 2/3 of the observed period).
    pub calibration_end: Option<NaiveDate>,
    /// Also fit BG/BB on the log cut into this period, scored on the holdout only
    /// ([`crate::analysis::discrete::add_to_comparison`]); None: the three continuous-time
    /// models only.
    #[serde(default)]
    pub period: Option<customers::Period>,
}

/// Holdout accuracy of one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoldoutAccuracy {
    /// Mean over customers of |predicted − actual holdout purchases|.
    pub customer_mae: f64,
    /// Mean absolute % error of cumulative predicted vs actual repeat purchases over the
    /// holdout, one point per time unit (None without a log: it needs dates).
    pub tracking_mape: Option<f64>,
    /// Total predicted holdout purchases.
    pub total_predicted: f64,
    /// Total actual holdout purchases.
    pub total_actual: f64,
    /// Predicted vs actual by calibration frequency 0..=7+.
    pub by_frequency: Vec<HoldoutRow>,
    /// Cumulative repeat purchases since the calibration end, per time unit.
    pub tracking: Vec<TrackingPoint>,
}

/// One time unit of the holdout: cumulative repeat purchases since the calibration end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackingPoint {
    /// Time units since the calibration end.
    pub t: f64,
    /// Actual.
    pub actual: f64,
    /// Expected by the model.
    pub expected: f64,
}

/// Likelihood-ratio test of a model against the NBD without drop-out (its boundary case).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LrTest {
    /// LR = 2(LL_model − LL_NBD), at least 0.
    pub statistic: f64,
    /// p = ½·P(χ²₁ > LR) (boundary mixture ½χ²₀ + ½χ²₁; approximate, see the module docs).
    pub p_value: f64,
}

/// One model's row of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRow {
    /// Display name ("BG/NBD").
    pub name: String,
    /// Which continuous-time model (None for a model outside [`ModelKind`], e.g. BG/BB).
    pub kind: Option<ModelKind>,
    /// Log-likelihood at the estimates.
    pub log_likelihood: f64,
    /// Number of estimated parameters.
    pub k: u32,
    /// AIC = 2k − 2LL.
    pub aic: f64,
    /// BIC = k ln n − 2LL.
    pub bic: f64,
    /// Whether the search converged (only converged fits are recommended).
    pub converged: bool,
    /// How the search ended, in words.
    pub convergence_note: String,
    /// The estimates.
    pub params: Vec<ParamEstimate>,
    /// Against the NBD without drop-out.
    pub lr_vs_nbd: Option<LrTest>,
    /// Holdout accuracy (with a holdout).
    pub holdout: Option<HoldoutAccuracy>,
}

/// The NBD without drop-out (Poisson purchases, Gamma rates): the boundary case every model
/// here contains.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NbdFit {
    /// Shape of the purchase rates.
    pub r: f64,
    /// Scale of the purchase rates.
    pub alpha: f64,
    /// Log-likelihood.
    pub log_likelihood: f64,
}

/// How sure the recommendation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// One model is best.
    Clear,
    /// The best models cannot be told apart; a default is named.
    Indistinguishable,
    /// No fit converged.
    None,
}

/// The recommendation with its reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    /// The recommended model's name (None when nothing converged).
    pub model: Option<String>,
    /// How sure.
    pub verdict: Verdict,
    /// One line: "Pareto/NBD: best fit and best holdout error; BG/NBD close (+2%); ...".
    pub headline: String,
    /// One reason per model.
    pub reasons: Vec<String>,
    /// The rule, in words.
    pub rule: String,
}

/// The comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Customers the models were fitted on.
    pub n_customers: u64,
    /// Time unit of every figure.
    pub time_unit: TimeUnit,
    /// Calibration end when a log was split (None: the whole summary).
    pub calibration_end: Option<NaiveDate>,
    /// Holdout length in time units (0 without a holdout).
    pub holdout_length: f64,
    /// One row per model, in [`ModelKind::ALL`] order (then any extension).
    pub models: Vec<ModelRow>,
    /// The NBD without drop-out (None when it could not be fitted).
    pub nbd: Option<NbdFit>,
    /// The recommendation.
    pub recommendation: Recommendation,
    /// Notes: what was left out and why.
    pub notes: Vec<String>,
}

impl ModelRow {
    /// Builds a row from a fit: `predict(h, x, t_x, T)` is the model's expected purchases in
    /// the next `h` time units; `holdout` (when given) is filled from it. The extension point
    /// for models outside [`ModelKind`].
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        name: &str,
        kind: Option<ModelKind>,
        log_likelihood: f64,
        k: u32,
        n: f64,
        converged: bool,
        convergence_note: &str,
        params: Vec<ParamEstimate>,
    ) -> ModelRow {
        let kf = f64::from(k);
        ModelRow {
            name: name.to_string(),
            kind,
            log_likelihood,
            k,
            aic: 2.0 * kf - 2.0 * log_likelihood,
            bic: kf * n.max(1.0).ln() - 2.0 * log_likelihood,
            converged: converged && log_likelihood.is_finite(),
            convergence_note: convergence_note.to_string(),
            params,
            lr_vs_nbd: None,
            holdout: None,
        }
    }
}

/// Per-customer holdout MAE and the table by frequency for any model's conditional
/// expectation `predict(h, x, t_x, T)`. None when a customer has no holdout count.
pub fn holdout_accuracy(
    cal: &CustomerSummary,
    predict: &dyn Fn(f64, f64, f64, f64) -> f64,
) -> Option<HoldoutAccuracy> {
    let h = cal.holdout_length;
    if !(h.is_finite() && h > 0.0) || cal.customers.is_empty() {
        return None;
    }
    let bins = TOP_BIN as usize + 1;
    let (mut n, mut act, mut pred) = (vec![0.0; bins], vec![0.0; bins], vec![0.0; bins]);
    let (mut abs, mut w_all, mut tp, mut ta) = (0.0, 0.0, 0.0, 0.0);
    for c in &cal.customers {
        let actual = c.holdout_x.get()?;
        let p = predict(h, c.x, c.t_x, c.t);
        let b = (c.x.max(0.0).round() as usize).min(bins - 1);
        if let (Some(nb), Some(ab), Some(pb)) = (n.get_mut(b), act.get_mut(b), pred.get_mut(b)) {
            *nb += c.weight;
            *ab += c.weight * actual;
            *pb += c.weight * p;
        }
        abs += c.weight * (p - actual).abs();
        w_all += c.weight;
        tp += c.weight * p;
        ta += c.weight * actual;
    }
    let by_frequency = (0..bins)
        .filter(|&b| n[b] > 0.0)
        .map(|b| HoldoutRow {
            calibration_x: b as u32,
            n_customers: n[b].round() as u64,
            actual: act[b] / n[b],
            predicted: pred[b] / n[b],
        })
        .collect();
    Some(HoldoutAccuracy {
        customer_mae: abs / w_all.max(f64::MIN_POSITIVE),
        tracking_mape: None,
        total_predicted: tp,
        total_actual: ta,
        by_frequency,
        tracking: Vec::new(),
    })
}

/// Cumulative repeat purchases since the calibration end (per time unit of the holdout) and
/// their mean absolute % error (points with no actual purchases yet are skipped).
fn tracking(
    model: &FittedModel,
    cal: &CustomerSummary,
    log: &TxLog,
    first: NaiveDate,
    cal_end: NaiveDate,
    end: NaiveDate,
) -> (Vec<TrackingPoint>, Option<f64>) {
    let pts = cumulative(model, cal, log, first, end);
    let cal_t = (cal_end - first).num_days() as f64 / cal.time_unit.days();
    let Some(base) = pts.iter().rev().find(|p| p.t <= cal_t + 1e-9) else {
        return (Vec::new(), None);
    };
    let out: Vec<TrackingPoint> = pts
        .iter()
        .filter(|p| p.t > cal_t + 1e-9)
        .map(|p| TrackingPoint {
            t: p.t - base.t,
            actual: p.actual - base.actual,
            expected: p.expected - base.expected,
        })
        .collect();
    let errs: Vec<f64> = out
        .iter()
        .filter(|p| p.actual > 0.0)
        .map(|p| (p.expected - p.actual).abs() / p.actual)
        .collect();
    let mape = (!errs.is_empty()).then(|| errs.iter().sum::<f64>() / errs.len() as f64);
    (out, mape)
}

/// Fits the NBD without drop-out: LL_i = ln Γ(r + x) − ln Γ(r) + r ln α − (r + x) ln(α + T),
/// the limit of every model here as drop-out vanishes. Profile likelihood: α solves the score
/// equation for each r (bisection), r by golden section on ln r.
pub fn fit_nbd(customers: &[CustomerRecord]) -> Option<NbdFit> {
    let rows: Vec<(f64, f64, f64)> = customers
        .iter()
        .filter(|c| c.x.is_finite() && c.t.is_finite() && c.t > 0.0 && c.weight > 0.0)
        .map(|c| (c.x, c.t, c.weight))
        .collect();
    if !rows.iter().any(|r| r.0 > 0.0) {
        return None;
    }
    let ll = |r: f64, alpha: f64| -> f64 {
        rows.iter()
            .map(|&(x, t, w)| {
                w * (ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln() - (r + x) * (alpha + t).ln())
            })
            .sum()
    };
    let alpha_for = |r: f64| -> f64 {
        let score = |la: f64| {
            let a = la.exp();
            rows.iter()
                .map(|&(x, t, w)| w * (r / a - (r + x) / (a + t)))
                .sum::<f64>()
        };
        let (mut lo, mut hi) = (-25.0f64, 25.0f64);
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if score(mid) > 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        (0.5 * (lo + hi)).exp()
    };
    let profile = |lr: f64| {
        let r = lr.exp();
        ll(r, alpha_for(r))
    };
    let (mut a, mut b) = (-12.0f64, 8.0f64);
    let g = 0.5 * (5f64.sqrt() - 1.0);
    let (mut c, mut d) = (b - g * (b - a), a + g * (b - a));
    let (mut fc, mut fd) = (profile(c), profile(d));
    for _ in 0..80 {
        if fc > fd {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = profile(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = profile(d);
        }
    }
    let r = (0.5 * (a + b)).exp();
    let alpha = alpha_for(r);
    let log_likelihood = ll(r, alpha);
    log_likelihood.is_finite().then_some(NbdFit {
        r,
        alpha,
        log_likelihood,
    })
}

/// The likelihood-ratio test of a model against the NBD (boundary mixture ½χ²₀ + ½χ²₁).
pub fn lr_test(ll_model: f64, ll_nbd: f64) -> Option<LrTest> {
    let statistic = (2.0 * (ll_model - ll_nbd)).max(0.0);
    if !statistic.is_finite() {
        return None;
    }
    let p_value = if statistic <= 0.0 {
        1.0
    } else {
        0.5 * ChiSquared::new(1.0).ok()?.sf(statistic)
    };
    Some(LrTest { statistic, p_value })
}

fn words_for_bic(d: f64) -> &'static str {
    if d < BIC_TIE {
        "no real difference in fit"
    } else if d < 6.0 {
        "positive evidence against it"
    } else if d < 10.0 {
        "strong evidence against it"
    } else {
        "very strong evidence against it"
    }
}

/// The recommendation rule (see the module docs), on the rows as given.
pub fn recommend(models: &[ModelRow]) -> Recommendation {
    let rule = format!(
        "Only converged fits count. Rank by BIC (with k = 4 for all three models this is the \
         likelihood ranking). With a holdout, the holdout winner replaces the BIC choice when the \
         BIC choice's per-customer error is more than {:.0}% worse and its tracking error is also \
         worse. \"Indistinguishable\" when the runner-up is within {BIC_TIE} BIC of the best and \
         (with a holdout) within {:.0}% on per-customer error.",
        HOLDOUT_OVERRIDE * 100.0,
        HOLDOUT_TIE * 100.0
    );
    let ok: Vec<&ModelRow> = models.iter().filter(|m| m.converged).collect();
    let Some(by_bic) = ok.iter().copied().min_by(|a, b| a.bic.total_cmp(&b.bic)) else {
        return Recommendation {
            model: None,
            verdict: Verdict::None,
            headline: String::from("No recommendation: no model's fit converged on these data."),
            reasons: models
                .iter()
                .map(|m| format!("{}: {}", m.name, m.convergence_note))
                .collect(),
            rule,
        };
    };
    let mae = |m: &ModelRow| m.holdout.as_ref().map(|h| h.customer_mae);
    let track = |m: &ModelRow| m.holdout.as_ref().and_then(|h| h.tracking_mape);
    let with_holdout = ok.iter().all(|m| mae(m).is_some());
    let by_mae = if with_holdout {
        ok.iter().copied().min_by(|a, b| {
            mae(a)
                .unwrap_or(f64::MAX)
                .total_cmp(&mae(b).unwrap_or(f64::MAX))
        })
    } else {
        None
    };
    let rel = |m: &ModelRow, best: f64| mae(m).map(|v| (v - best) / best.max(f64::MIN_POSITIVE));
    let mut chosen = by_bic;
    let mut overridden = false;
    if let Some(hw) = by_mae {
        let best = mae(hw).unwrap_or(f64::MAX);
        let worse_mae = rel(by_bic, best).is_some_and(|g| g > HOLDOUT_OVERRIDE);
        let worse_track = match (track(by_bic), track(hw)) {
            (Some(a), Some(b)) => a > b,
            _ => true,
        };
        if !std::ptr::eq(hw, by_bic) && worse_mae && worse_track {
            chosen = hw;
            overridden = true;
        }
    }
    let best_mae = by_mae.and_then(mae);
    // Ties with the chosen model.
    let tied: Vec<&ModelRow> = ok
        .iter()
        .copied()
        .filter(|m| !std::ptr::eq(*m, chosen))
        .filter(|m| {
            (m.bic - chosen.bic).abs() < BIC_TIE
                && match (mae(m), mae(chosen)) {
                    (Some(a), Some(b)) => (a - b).abs() <= HOLDOUT_TIE * b.max(f64::MIN_POSITIVE),
                    _ => true,
                }
        })
        .collect();
    let verdict = if !overridden && !tied.is_empty() {
        Verdict::Indistinguishable
    } else {
        Verdict::Clear
    };
    let mut reasons = Vec::new();
    let mut parts = Vec::new();
    let best_bic = by_bic.bic;
    for m in models {
        let d = m.bic - best_bic;
        let gap = best_mae.and_then(|b| rel(m, b));
        let hold = gap.map_or(String::new(), |g| {
            if g <= 0.0 {
                String::from("; best holdout error")
            } else {
                format!("; holdout error +{:.1}%", 100.0 * g)
            }
        });
        if !m.converged {
            reasons.push(format!(
                "{}: not considered, its fit did not converge ({})",
                m.name, m.convergence_note
            ));
            parts.push(format!("{} did not converge", m.name));
            continue;
        }
        if std::ptr::eq(m, chosen) {
            let fit = if d <= 0.0 {
                String::from("best fit (BIC)")
            } else {
                format!("BIC +{d:.1}")
            };
            reasons.push(format!("{}: recommended; {fit}{hold}", m.name));
            continue;
        }
        reasons.push(format!(
            "{}: BIC {}{:.1} ({}){hold}",
            m.name,
            if d >= 0.0 { "+" } else { "" },
            d,
            if d >= 0.0 {
                words_for_bic(d)
            } else {
                "better fit, but worse on the holdout"
            }
        ));
        let close = if tied.iter().any(|t| std::ptr::eq(*t, m)) {
            String::from("indistinguishable")
        } else {
            match gap {
                Some(g) if g <= 0.0 => {
                    format!("has the best holdout error but a worse fit (BIC +{d:.1})")
                }
                Some(g) if g <= HOLDOUT_OVERRIDE && d < 10.0 => {
                    format!("close (+{:.0}% holdout error)", 100.0 * g)
                }
                Some(g) if g <= HOLDOUT_OVERRIDE => {
                    format!("fits worse (BIC +{d:.0}), holdout error +{:.0}%", 100.0 * g)
                }
                Some(g) => format!("worse (+{:.0}% holdout error)", 100.0 * g),
                None if d < 6.0 => format!("close (BIC +{d:.1})"),
                None => format!("worse (BIC +{d:.0})"),
            }
        };
        let adds_nothing = m.kind == Some(ModelKind::MbgNbd)
            && models
                .iter()
                .any(|o| o.kind == Some(ModelKind::BgNbd) && o.converged && o.bic <= m.bic);
        parts.push(if adds_nothing {
            format!("{} adds nothing here", m.name)
        } else {
            format!("{} {close}", m.name)
        });
    }
    let why = match (overridden, best_mae, verdict) {
        (true, _, _) => String::from("best holdout error (the fit preferred another model)"),
        (false, Some(_), _) if by_mae.is_some_and(|h| std::ptr::eq(h, chosen)) => {
            String::from("best fit and best holdout error")
        }
        (false, Some(_), _) => {
            String::from("best fit; its holdout error is within the tolerance of the best")
        }
        (false, None, _) => String::from("best fit (BIC); no holdout to check it against"),
    };
    let lead = if verdict == Verdict::Indistinguishable {
        format!(
            "{}, but the data cannot tell it from {}: {why}",
            chosen.name,
            tied.iter()
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>()
                .join(" and ")
        )
    } else {
        format!("{}: {why}", chosen.name)
    };
    let headline = if parts.is_empty() {
        lead
    } else {
        format!("{lead}; {}", parts.join("; "))
    };
    Recommendation {
        model: Some(chosen.name.clone()),
        verdict,
        headline,
        reasons,
        rule,
    }
}

/// The calibration summary (and the dates) when the request carries a log: the same split as
/// the Lifetime value page's validation.
fn split(req: &CompareRequest) -> Result<Option<CalibrationSplit>, String> {
    calibration_split(
        &req.transactions,
        req.calibration_end,
        &req.summary_options,
        req.summary.time_unit,
    )
}

/// Fits the three models on the same customers and compares them (see the module docs).
///
/// # Errors
/// A message for the user: a calibration end outside the data, too little data to fit.
pub fn compare(
    req: &CompareRequest,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<Comparison, String> {
    progress(0.01, "Preparing the calibration period");
    let sp = split(req)?;
    let mut notes = Vec::new();
    let cal = sp.as_ref().map_or(&req.summary, |s| &s.cal);
    let gate = validation::data_gate(&cal.customers);
    if !gate.enough {
        return Err(format!(
            "not enough data to compare models: {}",
            gate.reasons.join("; ")
        ));
    }
    let n = cal.customers.iter().map(|c| c.weight).sum::<f64>();
    let has_holdout =
        cal.holdout_length > 0.0 && cal.customers.iter().all(|c| c.holdout_x.is_some());
    if !has_holdout {
        notes.push(String::from(
            "No holdout period (a customer summary without its transaction log): the models are \
             ranked by fit (BIC) only.",
        ));
    }
    let mut models = Vec::new();
    let total = ModelKind::ALL.len() as f64;
    for (i, kind) in [ModelKind::BgNbd, ModelKind::MbgNbd, ModelKind::ParetoNbd]
        .into_iter()
        .enumerate()
    {
        let stage = format!(
            "Fitting {} on {} customers",
            kind.name(),
            cal.customers.len()
        );
        let base = 0.05 + 0.85 * i as f64 / total;
        let fitted = match fit_model(kind, cal, &mut |f| {
            progress(base + 0.85 * f / total, &stage)
        }) {
            Ok(m) => m,
            Err(e) => {
                notes.push(format!("{} could not be fitted: {e}", kind.name()));
                continue;
            }
        };
        let mut row = ModelRow::build(
            kind.name(),
            Some(kind),
            fitted.log_likelihood,
            fitted.params.len() as u32,
            n,
            fitted.convergence.converged,
            &fitted.convergence.reason,
            fitted.params.clone(),
        );
        if has_holdout {
            let m = &fitted;
            row.holdout = holdout_accuracy(cal, &|h, x, tx, t| {
                m.conditional_expected_purchases(h, x, tx, t)
            });
            if let (Some(h), Some(s)) = (row.holdout.as_mut(), sp.as_ref()) {
                let (pts, mape) = tracking(m, cal, &req.transactions, s.first, s.cal_end, s.end);
                h.tracking = pts;
                h.tracking_mape = mape;
            }
        }
        models.push(row);
    }
    // BG/BB (discrete time) joins here through `ModelRow::build` when it exists.
    progress(0.92, "Fitting the NBD without drop-out");
    let nbd = fit_nbd(&cal.customers);
    if let Some(b) = &nbd {
        for m in &mut models {
            m.lr_vs_nbd = lr_test(m.log_likelihood, b.log_likelihood);
        }
    } else {
        notes.push(String::from(
            "The NBD without drop-out could not be fitted: no likelihood-ratio tests.",
        ));
    }
    notes.push(String::from(
        "BG/NBD, MBG/NBD and Pareto/NBD do not nest in one another: no likelihood-ratio test \
         between them (compare AIC/BIC and the holdout instead). Each is tested against the NBD \
         without drop-out, its boundary case (p-value from ½χ²₀ + ½χ²₁, approximate).",
    ));
    let recommendation = recommend(&models);
    let mut c = Comparison {
        n_customers: n.round() as u64,
        time_unit: cal.time_unit,
        calibration_end: sp.as_ref().map(|s| s.cal_end),
        holdout_length: if has_holdout { cal.holdout_length } else { 0.0 },
        models,
        nbd,
        recommendation,
        notes,
    };
    if let Some(p) = req.period {
        progress(0.95, &format!("Fitting BG/BB on {}s", p.name()));
        crate::analysis::discrete::add_to_comparison(&mut c, req, p, &mut |_, _| {});
    }
    progress(1.0, "Done");
    Ok(c)
}

#[cfg(test)]
#[path = "compare_tests.rs"]
mod tests;
