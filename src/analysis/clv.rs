//! Lifetime-value analyses: fit a model on a customer summary and predict per customer, with
//! everything the Lifetime value page shows beside the fit (Gamma-Gamma spend, data gate,
//! calibration/holdout validation, cumulative tracking, repeat-purchase distribution, the
//! frequency × recency heat maps, the CLV histogram) and one customer's month-by-month CLV
//! schedule. The worker's CLV task, the page and `crm fit` / `crm predict` compute them here.
//!
//! The request and result types cross the worker boundary (the worker re-exports them) with
//! bincode: plain structs and externally tagged enums only (no `serde(tag)`, `untagged`,
//! `flatten` or `skip_serializing_if`).

use crate::domain::clv::gammagamma::{FittedGammaGamma, GammaGammaParams};
use crate::domain::clv::validation::{self, DataGate, HoldoutRow, RepeatBin};
use crate::domain::clv::{
    self, BtydModel, BtydParams, ClvSettings, CustomerPrediction, FittedModel, ModelKind,
};
use crate::domain::customers::{
    self, CustomerRecord, CustomerSummary, SummaryOptions, TimeUnit, TxLog,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What to fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClvRequest {
    /// The customer summary (every customer; results follow its order).
    pub summary: CustomerSummary,
    /// Which buy-till-you-die model.
    pub model: ModelKind,
    /// Fit Gamma-Gamma for spend (otherwise each customer's own mean repeat spend is used).
    pub gamma_gamma: bool,
    /// Horizon, discounting and margin.
    pub settings: ClvSettings,
    /// The transaction log, for the calibration/holdout validation and the cumulative
    /// purchases chart (empty: no validation; the worker validates with its held copy).
    pub transactions: TxLog,
    /// How the summary was built (time unit, observation end, returns); used to build the
    /// calibration summary.
    pub summary_options: SummaryOptions,
    /// End of the calibration period (None with transactions: 2/3 of the observed period).
    pub calibration_end: Option<NaiveDate>,
}

/// Cache key of the default fit (BG/NBD, Gamma-Gamma spend, 12 months): other pages (Segments,
/// Value & strategy, Satisfaction) read per-customer P(alive) and CLV from it.
pub const DEFAULT_KEY: &str = "clv/default";

/// Default horizon in months.
pub const DEFAULT_MONTHS: u32 = 12;
/// Default discount rate per month (1% a month, about 12.7% a year).
pub const DEFAULT_MONTHLY_DISCOUNT: f64 = 0.01;
/// Default margin rate: 1.0, so the default CLV is the discounted expected *revenue*; pages that
/// know the margin apply it (the Lifetime value page lets the user set it).
pub const DEFAULT_MARGIN_RATE: f64 = 1.0;

/// The default request: the fit other pages rely on. BG/NBD + Gamma-Gamma, 12 months, 1% per
/// month discount, margin rate 1.0 (revenue-based CLV), no validation.
pub fn default_request(summary: CustomerSummary) -> ClvRequest {
    let settings = ClvSettings::monthly(
        summary.time_unit,
        DEFAULT_MONTHS,
        DEFAULT_MONTHLY_DISCOUNT,
        DEFAULT_MARGIN_RATE,
    );
    ClvRequest {
        summary,
        model: ModelKind::BgNbd,
        gamma_gamma: true,
        settings,
        transactions: TxLog::default(),
        summary_options: SummaryOptions::default(),
        calibration_end: None,
    }
}

/// A grid of values by frequency (rows) and recency (columns) for a customer of age `t`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct FreqRecencyGrid {
    /// Customer age T used for every cell, in model time units.
    pub t: f64,
    /// Frequencies (repeat purchases), one per row, top row first.
    pub frequencies: Vec<u32>,
    /// Recencies t_x (time of the last purchase), one per column.
    pub recencies: Vec<f64>,
    /// P(alive)\[row]\[col].
    pub p_alive: Vec<Vec<f64>>,
    /// Expected purchases over the purchase horizon \[row]\[col].
    pub expected: Vec<Vec<f64>>,
    /// The horizon of `expected`, in model time units.
    pub horizon: f64,
}

/// One point of the cumulative repeat purchases chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CumulativePoint {
    /// Time since the first date in the data, in model time units.
    pub t: f64,
    /// Actual cumulative repeat purchases of the calibration customers.
    pub actual: f64,
    /// Model-expected cumulative repeat purchases (calibration fit).
    pub expected: f64,
}

/// The calibration/holdout check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Validation {
    /// Last day of the calibration period.
    pub calibration_end: NaiveDate,
    /// First and last dates in the data.
    pub first_date: NaiveDate,
    /// Last date of observation.
    pub observation_end: NaiveDate,
    /// Holdout length in model time units.
    pub holdout_length: f64,
    /// Customers in the calibration summary.
    pub n_customers: u64,
    /// The model fitted on the calibration period only.
    pub model: FittedModel,
    /// Predicted vs actual holdout purchases by calibration frequency.
    pub holdout: Vec<HoldoutRow>,
    /// Cumulative expected vs actual repeat purchases over time.
    pub cumulative: Vec<CumulativePoint>,
    /// Total actual holdout purchases.
    pub holdout_actual: f64,
    /// Total predicted holdout purchases.
    pub holdout_predicted: f64,
}

/// One bar of the CLV histogram.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistBin {
    /// Lower edge.
    pub lo: f64,
    /// Upper edge.
    pub hi: f64,
    /// Customers in \[lo, hi).
    pub count: u64,
}

/// What the fit produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ClvResult {
    /// Customer ids, in the summary's order. (Contract: other pages read these four vectors.)
    /// The per-customer columns cross to the page as packed blocks (see `wire::dense`).
    #[serde(with = "crate::domain::customers::wire::strings")]
    pub ids: Vec<String>,
    /// P(alive) per customer.
    #[serde(with = "crate::domain::customers::wire::dense")]
    pub p_alive: Vec<f64>,
    /// Expected purchases over the horizon per customer.
    #[serde(with = "crate::domain::customers::wire::dense")]
    pub expected_purchases: Vec<f64>,
    /// CLV per customer over the horizon (margin and discount applied).
    #[serde(with = "crate::domain::customers::wire::dense")]
    pub clv: Vec<f64>,
    /// Expected spend per purchase per customer (Gamma-Gamma, or own mean).
    #[serde(with = "crate::domain::customers::wire::dense")]
    pub expected_spend: Vec<f64>,
    /// The fitted purchase model (None only when the data gate refused).
    pub model: Option<FittedModel>,
    /// The Gamma-Gamma fit, when asked for and possible.
    pub spend: Option<FittedGammaGamma>,
    /// Why the Gamma-Gamma fit was not used (empty when it was).
    pub spend_note: String,
    /// The settings used (horizon, discount, margin, units).
    pub settings: Option<ClvSettings>,
    /// Whether the data can support a model, and why not.
    pub gate: Option<DataGate>,
    /// Customer equity: the sum of CLV (each row counted its weight times).
    pub equity: f64,
    /// Customers, expected purchases and expected active customers in total (weighted, as
    /// `equity`): the page shows these, it does not add up the vectors itself.
    #[serde(default)]
    pub totals: clv::BaseTotals,
    /// Model vs data distribution of repeat purchases.
    pub repeat: Vec<RepeatBin>,
    /// P(alive) and expected purchases by frequency × recency.
    pub grid: FreqRecencyGrid,
    /// CLV histogram.
    pub histogram: Vec<HistBin>,
    /// The calibration/holdout check, when transactions were sent.
    pub validation: Option<Validation>,
    /// Why there is no validation (empty when there is one, or none was asked for).
    pub validation_note: String,
    /// Seconds the purchase-model fit took (grouping, search and standard errors).
    pub fit_seconds: f64,
}

/// Default calibration end: 2/3 of the way from the first to the last date (None when they are
/// fewer than 3 days apart).
pub fn default_calibration_end(first: NaiveDate, last: NaiveDate) -> Option<NaiveDate> {
    let days = (last - first).num_days();
    if days < 3 {
        return None;
    }
    first.checked_add_signed(chrono::Duration::days(days * 2 / 3))
}

/// Fits the request's model and computes everything the Lifetime value page shows. The
/// calibration/holdout validation uses `log` when given, otherwise the request's own
/// transactions. `now_ms` reads a clock in milliseconds, only to report how long the fit took
/// (`fit_seconds`); it never changes a result.
///
/// # Errors
/// A message for the user (bad settings, a summary that cannot be fitted).
pub fn analyze(
    req: &ClvRequest,
    log: Option<&TxLog>,
    progress: &mut dyn FnMut(f64, &str),
    now_ms: &dyn Fn() -> f64,
) -> Result<ClvResult, String> {
    req.settings.check().map_err(|e| e.to_string())?;
    let custs = &req.summary.customers;
    progress(0.02, "Checking the data");
    let gate = validation::data_gate(custs);
    let mut out = ClvResult {
        ids: custs.iter().map(|c| c.id.clone()).collect(),
        settings: Some(req.settings.clone()),
        ..ClvResult::default()
    };
    if !gate.enough {
        out.gate = Some(gate);
        return Ok(out);
    }
    out.gate = Some(gate);
    let stage = format!("Fitting {} on {} customers", req.model.name(), custs.len());
    let started = now_ms();
    let model = fit_model(req.model, &req.summary, &mut |f| {
        progress(0.05 + 0.45 * f, &stage)
    })?;
    out.fit_seconds = (now_ms() - started) / 1e3;
    progress(0.5, "Fitting Gamma-Gamma spend");
    let spend = if req.gamma_gamma {
        match fit_spend(custs) {
            Ok(g) => Some(g),
            Err(e) => {
                out.spend_note = format!(
                    "Gamma-Gamma could not be fitted ({e}); each customer's own mean spend is used."
                );
                None
            }
        }
    } else {
        out.spend_note =
            String::from("Gamma-Gamma is off: each customer's own mean repeat spend is used.");
        None
    };
    progress(0.55, "Predicting every customer");
    let cols = clv::predict_columns(&model, spend.as_ref(), custs, &req.settings)
        .map_err(|e| e.to_string())?;
    out.totals = clv::base_totals_columns(&cols, custs);
    out.equity = out.totals.equity;
    out.p_alive = cols.p_alive;
    out.expected_purchases = cols.expected_purchases;
    out.expected_spend = cols.expected_spend;
    out.clv = cols.clv;
    progress(0.65, "Comparing the model with the data");
    out.repeat = validation::repeat_distribution(&model, custs);
    out.grid = grid(&model, &req.summary, req.settings.purchase_horizon);
    out.histogram = histogram(&out.clv, 30);
    out.spend = spend;
    let log = log.unwrap_or(&req.transactions);
    if !log.is_empty() {
        let v = validation_outcome(req, log, &mut |f, s| progress(0.7 + 0.28 * f, s));
        out.validation = v.validation;
        out.validation_note = v.note;
    }
    out.model = Some(model);
    progress(1.0, "Done");
    Ok(out)
}

/// Fits a buy-till-you-die model on a customer summary (the fit the page and `crm fit` show).
///
/// # Errors
/// The model's error in words (bad data, a fit that cannot start).
pub fn fit_model(
    kind: ModelKind,
    summary: &CustomerSummary,
    progress: &mut dyn FnMut(f64),
) -> Result<FittedModel, String> {
    BtydParams::new(kind)
        .check()
        .and_then(|p| p.fit(summary, progress))
        .map_err(|e| e.to_string())
}

/// Fits Gamma-Gamma spend on the customers (default settings, as the page and `crm` do).
///
/// # Errors
/// Why it could not be fitted, in words.
pub fn fit_spend(customers: &[CustomerRecord]) -> Result<FittedGammaGamma, String> {
    GammaGammaParams::default()
        .fit(customers, &mut |_| {})
        .map_err(|e| e.to_string())
}

/// Per-customer predictions (P(alive), expected purchases, expected spend, CLV) with the spend
/// model when given, else each customer's own mean repeat spend.
///
/// # Errors
/// Bad settings or a bad customer record, in words.
pub fn predict(
    model: &FittedModel,
    spend: Option<&FittedGammaGamma>,
    customers: &[CustomerRecord],
    settings: &ClvSettings,
) -> Result<Vec<CustomerPrediction>, String> {
    clv::predict_customers(model, spend, customers, settings).map_err(|e| e.to_string())
}

/// One month (discount period) of a customer's CLV sum.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleMonth {
    /// Month number, 1-based.
    pub month: u32,
    /// Expected purchases in the next `month` months, E\[X(i)].
    pub cumulative: f64,
    /// Expected purchases in this month, E\[X(i)] − E\[X(i − 1)].
    pub purchases: f64,
    /// Discount factor 1 / (1 + d)^i.
    pub discount: f64,
    /// Value of this month: margin × spend × purchases × discount.
    pub value: f64,
}

/// A customer's CLV worked out month by month.
#[derive(Debug, Clone, PartialEq)]
pub struct ClvSchedule {
    /// One row per month of the horizon.
    pub months: Vec<ScheduleMonth>,
    /// The CLV: the domain's sum (spend × Σ margin × purchases × discount, summed in the same
    /// order as [`crate::domain::clv::customer_clv`]), so it equals the CLV the model reports.
    pub total: f64,
}

/// The month-by-month CLV of one customer (x, t_x, T) with expected spend `spend`: the same
/// per-month expected purchases (the model's conditional expectation) and discounting as the
/// domain's CLV, so `total` is the customer's CLV.
pub fn clv_schedule(
    model: &BtydModel,
    x: f64,
    t_x: f64,
    t: f64,
    spend: f64,
    s: &ClvSettings,
) -> ClvSchedule {
    let mut prev = 0.0;
    let mut disc = 1.0;
    let mut per_unit = 0.0;
    let months = (1..=s.periods)
        .map(|i| {
            let e =
                model.conditional_expected_purchases(f64::from(i) * s.units_per_period, x, t_x, t);
            disc /= 1.0 + s.discount_rate;
            let inc = e - prev;
            prev = e;
            per_unit += s.margin_rate * inc * disc;
            ScheduleMonth {
                month: i,
                cumulative: e,
                purchases: inc,
                discount: disc,
                value: s.margin_rate * spend * inc * disc,
            }
        })
        .collect();
    ClvSchedule {
        months,
        total: spend * per_unit,
    }
}

/// The frequency × recency heat maps: P(alive) and expected purchases over `horizon` for a
/// customer of the oldest age in the summary, frequencies 0..=max x (at most 20) and 13
/// recencies from 0 to that age.
pub fn grid(model: &FittedModel, summary: &CustomerSummary, horizon: f64) -> FreqRecencyGrid {
    let t = summary
        .customers
        .iter()
        .map(|c| c.t)
        .fold(0.0f64, f64::max)
        .max(1.0);
    let max_x = summary
        .customers
        .iter()
        .map(|c| c.x)
        .fold(0.0f64, f64::max)
        .clamp(1.0, 20.0) as u32;
    let frequencies: Vec<u32> = (0..=max_x).rev().collect();
    let cols = 12u32;
    let recencies: Vec<f64> = (0..=cols)
        .map(|j| t * f64::from(j) / f64::from(cols))
        .collect();
    let cell = |x: u32, tx: f64| {
        // With no repeat purchase, recency is 0 by definition.
        let tx = if x == 0 { 0.0 } else { tx };
        (
            model.p_alive(f64::from(x), tx, t),
            model.conditional_expected_purchases(horizon, f64::from(x), tx, t),
        )
    };
    let mut p_alive = Vec::new();
    let mut expected = Vec::new();
    for &x in &frequencies {
        let (pa, ex): (Vec<f64>, Vec<f64>) = recencies.iter().map(|&r| cell(x, r)).unzip();
        p_alive.push(pa);
        expected.push(ex);
    }
    FreqRecencyGrid {
        t,
        frequencies,
        recencies,
        p_alive,
        expected,
        horizon,
    }
}

/// Equal-width histogram between the 0.5th and 99.5th percentiles (outliers pooled in the end
/// bins), so one very large customer does not squash the chart.
pub fn histogram(values: &[f64], bins: usize) -> Vec<HistBin> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() || bins == 0 {
        return Vec::new();
    }
    v.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let i = ((v.len() - 1) as f64 * q).round() as usize;
        v.get(i).copied().unwrap_or(0.0)
    };
    let lo = at(0.0).min(0.0);
    let mut hi = at(0.995);
    if hi <= lo {
        hi = lo + 1.0;
    }
    let w = (hi - lo) / bins as f64;
    let mut counts = vec![0u64; bins];
    for x in &v {
        let b = (((x - lo) / w).floor().max(0.0) as usize).min(bins - 1);
        if let Some(c) = counts.get_mut(b) {
            *c += 1;
        }
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(i, count)| HistBin {
            lo: lo + w * i as f64,
            hi: lo + w * (i + 1) as f64,
            count,
        })
        .collect()
}

/// The calibration/holdout check: the request's model fitted on the log up to the calibration
/// end (the request's, or [`default_calibration_end`]), its holdout predictions by calibration
/// frequency, and the cumulative repeat purchases over time.
///
/// # Errors
/// Why there is no validation, in words (too few days, a calibration end outside the data,
/// not enough data before it, a fit that fails).
pub fn validate(
    req: &ClvRequest,
    log: &TxLog,
    progress: &mut dyn FnMut(f64),
) -> Result<Validation, String> {
    let CalibrationSplit {
        cal,
        first,
        cal_end,
        end,
    } = calibration_split(
        log,
        req.calibration_end,
        &req.summary_options,
        req.summary.time_unit,
    )?
    .ok_or("no transactions")?;
    let gate = validation::data_gate(&cal.customers);
    if !gate.enough {
        return Err(format!(
            "not enough data before {cal_end}: {}",
            gate.reasons.join("; ")
        ));
    }
    let model = fit_model(req.model, &cal, progress)?;
    let holdout = validation::holdout_by_frequency(&model, &cal).map_err(|e| e.to_string())?;
    let weight = |r: &HoldoutRow| r.n_customers as f64;
    let holdout_actual = holdout.iter().map(|r| r.actual * weight(r)).sum();
    let holdout_predicted = holdout.iter().map(|r| r.predicted * weight(r)).sum();
    let cumulative = cumulative(&model, &cal, log, first, end);
    Ok(Validation {
        calibration_end: cal_end,
        first_date: first,
        observation_end: end,
        holdout_length: cal.holdout_length,
        n_customers: cal.customers.len() as u64,
        model,
        holdout,
        cumulative,
        holdout_actual,
        holdout_predicted,
    })
}

/// The calibration/holdout check as a page shows it: the validation, or why there is none.
/// The worker answers it on its own (after the fit's parameters), so the page can show the
/// parameters first and a new calibration end does not fit the whole model again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ValidationOutcome {
    /// The validation, when it could be made.
    pub validation: Option<Validation>,
    /// Why there is none, in words (empty when there is one).
    pub note: String,
}

/// [`validate`] on `log` as a [`ValidationOutcome`]: an empty log is a note (a customer
/// summary has no purchases to hold out), as is every reason the validation cannot be made.
pub fn validation_outcome(
    req: &ClvRequest,
    log: &TxLog,
    progress: &mut dyn FnMut(f64, &str),
) -> ValidationOutcome {
    if log.is_empty() {
        return ValidationOutcome {
            validation: None,
            note: String::from(
                "There are no transactions to hold out (the data is a customer summary), so the model cannot be checked against a later period.",
            ),
        };
    }
    let stage = "Fitting on the calibration period";
    progress(0.0, stage);
    let out = match validate(req, log, &mut |f| progress(f, stage)) {
        Ok(v) => ValidationOutcome {
            validation: Some(v),
            note: String::new(),
        },
        Err(note) => ValidationOutcome {
            validation: None,
            note,
        },
    };
    progress(1.0, stage);
    out
}

/// A log split at the calibration end: the calibration period's customer summary and the dates.
/// The Lifetime value page's validation and the model comparison both split with
/// [`calibration_split`], so they always agree on the period.
pub struct CalibrationSplit {
    /// Customers summarised over the calibration period, with their holdout purchases.
    pub cal: CustomerSummary,
    /// First date of the log.
    pub first: NaiveDate,
    /// End of the calibration period.
    pub cal_end: NaiveDate,
    /// End of observation (the options' end, or the log's last date).
    pub end: NaiveDate,
}

/// Splits `log` at `calibration_end` (by default 2/3 of the observed period, see
/// [`default_calibration_end`]) and summarises the calibration period with `options` in
/// `unit`. `Ok(None)` when the log has no transactions.
///
/// # Errors
/// Too few days to split, a calibration end outside the data, or a summary error, in words.
pub fn calibration_split(
    log: &TxLog,
    calibration_end: Option<NaiveDate>,
    options: &SummaryOptions,
    unit: TimeUnit,
) -> Result<Option<CalibrationSplit>, String> {
    let Some((first, last)) = log.date_range() else {
        return Ok(None);
    };
    let end = options.observation_end.unwrap_or(last);
    let cal_end = calibration_end
        .or_else(|| default_calibration_end(first, last))
        .ok_or("the data covers too few days for a calibration/holdout split")?;
    if cal_end <= first || cal_end >= end {
        return Err(format!(
            "the calibration end {cal_end} must lie between the first date ({first}) and the end of observation ({end})"
        ));
    }
    let opts = SummaryOptions {
        calibration_end: Some(cal_end),
        time_unit: unit,
        ..options.clone()
    };
    let cal = customers::summarize_columns(log, &[], &opts).map_err(|e| e.to_string())?;
    Ok(Some(CalibrationSplit {
        cal,
        first,
        cal_end,
        end,
    }))
}

/// Cumulative actual vs expected repeat purchases of the calibration customers, one point per
/// model time unit from the first date to the end of observation.
pub fn cumulative(
    model: &FittedModel,
    cal: &CustomerSummary,
    log: &TxLog,
    first: NaiveDate,
    end: NaiveDate,
) -> Vec<CumulativePoint> {
    use chrono::Datelike;
    let unit = cal.time_unit.days();
    let total_days = (end - first).num_days().max(0);
    // Actual: repeat occasions (distinct days after the customer's first day) per day offset.
    // Each calibration customer's first day, by the log's customer index.
    let index: rustc_hash::FxHashMap<&str, usize> = log
        .ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut first_day = vec![None::<i32>; log.ids.len()];
    for c in &cal.customers {
        if let (Some(d), Some(&i)) = (c.first, index.get(c.id.as_str())) {
            if let Some(slot) = first_day.get_mut(i) {
                *slot = Some(d.num_days_from_ce());
            }
        }
    }
    drop(index);
    let (day0, last_day) = (first.num_days_from_ce(), end.num_days_from_ce());
    // The repeat rows' customers grouped by day (a counting sort: count, then place), then
    // each day's distinct customers counted with a mark per customer (the last day it was
    // counted on): one occasion each. Linear in the rows; sorting every (customer, day) pair
    // took most of this function's time on a million rows.
    let day_of = |c: u32, d: i32| -> Option<usize> {
        let f = (*first_day.get(c as usize)?)?;
        (d > f && d <= last_day).then(|| (d - day0) as usize)
    };
    let days = total_days as usize + 1;
    let mut starts = vec![0u32; days + 1];
    for (&c, &d) in log.customer.iter().zip(&log.day) {
        if let Some(slot) = day_of(c, d).and_then(|k| starts.get_mut(k + 1)) {
            *slot += 1;
        }
    }
    for k in 1..starts.len() {
        let before = starts.get(k - 1).copied().unwrap_or(0);
        if let Some(x) = starts.get_mut(k) {
            *x += before;
        }
    }
    let mut by_day = vec![0u32; starts.last().copied().unwrap_or(0) as usize];
    {
        let mut next = starts.clone();
        for (&c, &d) in log.customer.iter().zip(&log.day) {
            if let Some(at) = day_of(c, d).and_then(|k| next.get_mut(k)) {
                if let Some(x) = by_day.get_mut(*at as usize) {
                    *x = c;
                }
                *at += 1;
            }
        }
    }
    let mut counted_on = vec![u32::MAX; log.ids.len()];
    let mut per_day = vec![0.0f64; days];
    for (k, (w, slot)) in starts.windows(2).zip(per_day.iter_mut()).enumerate() {
        let (&[a, b], k) = (w, k as u32) else {
            continue;
        };
        let mut n = 0u32;
        for &c in by_day.get(a as usize..b as usize).unwrap_or(&[]) {
            if let Some(mark) = counted_on.get_mut(c as usize) {
                if *mark != k {
                    *mark = k;
                    n += 1;
                }
            }
        }
        *slot = f64::from(n);
    }
    // Expected: customers grouped by their first day, in day order (the sum below then adds in
    // the same order on every run, so the chart's last bits do not change between runs).
    let mut births: std::collections::BTreeMap<i64, f64> = std::collections::BTreeMap::new();
    for c in &cal.customers {
        if let Some(d) = c.first {
            *births.entry((d - first).num_days()).or_insert(0.0) += c.weight;
        }
    }
    let steps = (total_days as f64 / unit).floor() as i64;
    // E[X(t)] at every whole number of days a customer can have been there (the sum below
    // asks for each many times).
    let by_days: Vec<f64> = (0..=total_days.max(0))
        .map(|d| model.expected_purchases(d as f64 / unit))
        .collect();
    let mut out = Vec::new();
    let mut actual = 0.0;
    let mut day = 0i64;
    for k in 0..=steps {
        let upto = ((k as f64) * unit).round() as i64;
        while day <= upto {
            actual += per_day.get(day as usize).copied().unwrap_or(0.0);
            day += 1;
        }
        let expected: f64 = births
            .range(..upto)
            .map(|(b, w)| {
                let d = upto - b;
                let e = usize::try_from(d)
                    .ok()
                    .and_then(|i| by_days.get(i).copied())
                    .unwrap_or_else(|| model.expected_purchases(d as f64 / unit));
                w * e
            })
            .sum();
        out.push(CumulativePoint {
            t: k as f64,
            actual,
            expected,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::customers::Transaction;
    use crate::domain::sample;

    /// The app's sample data (2,000 simulated customers, seed 42) as a log and a weekly summary.
    fn sample() -> (CustomerSummary, TxLog) {
        let params = sample::SampleParams {
            n_customers: 2000,
            seed: 42,
            ..Default::default()
        };
        let csv = sample::transaction_log(&params).unwrap().csv;
        let txs: Vec<Transaction> = csv
            .lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                Transaction {
                    customer_id: f[0].to_string(),
                    date: NaiveDate::parse_from_str(f[1], "%Y-%m-%d").unwrap(),
                    amount: f[2].parse().unwrap(),
                    margin: None,
                    quantity: None,
                    channel: None,
                    product: None,
                }
            })
            .collect();
        let log = TxLog::from_transactions(&txs);
        let opts = SummaryOptions {
            time_unit: customers::TimeUnit::Week,
            ..Default::default()
        };
        let summary = customers::summarize_columns(&log, &[], &opts).unwrap();
        (summary, log)
    }

    fn run(req: ClvRequest, progress: &mut dyn FnMut(f64, &str)) -> Result<ClvResult, String> {
        analyze(&req, None, progress, &|| 0.0)
    }

    #[test]
    fn totals_count_each_row_its_weight_times() {
        let (mut summary, _) = sample();
        // Weight 3 on every other row: the totals are Σ weight · figure.
        for (i, c) in summary.customers.iter_mut().enumerate() {
            c.weight = if i % 2 == 0 { 3.0 } else { 1.0 };
        }
        let r = run(default_request(summary.clone()), &mut |_, _| {}).unwrap();
        let w: Vec<f64> = summary.customers.iter().map(|c| c.weight).collect();
        let dot = |v: &[f64]| v.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>();
        let t = r.totals;
        assert!((t.customers - w.iter().sum::<f64>()).abs() < 1e-9);
        assert!((r.equity - dot(&r.clv)).abs() < 1e-6 * r.equity.abs());
        assert!((t.equity - r.equity).abs() < 1e-12);
        assert!(
            (t.expected_purchases - dot(&r.expected_purchases)).abs() < 1e-6 * t.expected_purchases
        );
        assert!((t.expected_active - dot(&r.p_alive)).abs() < 1e-6 * t.expected_active);
        assert!((t.average_clv() - r.equity / t.customers).abs() < 1e-12);
        assert!(r.equity > r.clv.iter().sum::<f64>());
    }

    #[test]
    fn default_fit_recovers_sample_parameters_and_keeps_summary_order() {
        let (summary, _) = sample();
        let n = summary.customers.len();
        let ids: Vec<String> = summary.customers.iter().map(|c| c.id.clone()).collect();
        let r = run(default_request(summary), &mut |_, _| {}).unwrap();
        assert_eq!(r.ids, ids);
        assert_eq!(r.p_alive.len(), n);
        assert_eq!(r.clv.len(), n);
        let m = r.model.as_ref().unwrap();
        let p = |k: &str| m.param(k).unwrap();
        assert!((0.15..0.4).contains(&p("r")), "r = {}", p("r"));
        assert!((2.5..7.0).contains(&p("alpha")), "alpha = {}", p("alpha"));
        assert!((0.3..2.0).contains(&p("a")), "a = {}", p("a"));
        assert!((1.0..6.0).contains(&p("b")), "b = {}", p("b"));
        assert!(m.convergence.converged);
        assert!(r.spend.is_some());
        assert!((r.equity - r.clv.iter().sum::<f64>()).abs() < 1e-6 * r.equity.abs().max(1.0));
        assert!(r.p_alive.iter().all(|p| (0.0..=1.0).contains(p)));
        assert_eq!(r.histogram.iter().map(|b| b.count).sum::<u64>(), n as u64);
    }

    /// The default request on the sample, with its log (so the validation runs).
    fn sample_request() -> ClvRequest {
        let (summary, txs) = sample();
        ClvRequest {
            transactions: txs,
            summary_options: SummaryOptions {
                time_unit: summary.time_unit,
                ..Default::default()
            },
            ..default_request(summary)
        }
    }

    #[test]
    fn validation_splits_at_two_thirds_and_predicts_holdout() {
        let req = sample_request();
        let r = run(req, &mut |_, _| {}).unwrap();
        let v = r.validation.expect(&r.validation_note);
        assert!(!v.holdout.is_empty());
        let ratio = v.holdout_predicted / v.holdout_actual;
        assert!((0.7..1.4).contains(&ratio), "predicted/actual = {ratio}");
        let last = v.cumulative.last().unwrap();
        assert!((last.expected / last.actual - 1.0).abs() < 0.3);
    }

    #[test]
    fn cumulative_expectation_adds_in_day_order_on_every_run() {
        let req = sample_request();
        let log = &req.transactions;
        let split = calibration_split(
            log,
            req.calibration_end,
            &req.summary_options,
            req.summary.time_unit,
        )
        .unwrap()
        .unwrap();
        let model = fit_model(req.model, &split.cal, &mut |_| {}).unwrap();
        let curve = |()| cumulative(&model, &split.cal, log, split.first, split.end);
        let first = curve(());
        assert!(first.len() > 10);
        for _ in 0..4 {
            let again = curve(());
            let bits = |v: &[CumulativePoint]| -> Vec<u64> {
                v.iter().map(|p| p.expected.to_bits()).collect()
            };
            assert_eq!(bits(&again), bits(&first));
        }
        // The expectation at each step: every customer born before it, E[X] over the days since,
        // added up in the order of the customers' first days.
        let unit = split.cal.time_unit.days();
        let mut births: Vec<(i64, f64)> = split
            .cal
            .customers
            .iter()
            .filter_map(|c| Some(((c.first? - split.first).num_days(), c.weight)))
            .collect();
        births.sort_by_key(|b| b.0);
        for p in first.iter().step_by(7) {
            let upto = (p.t * unit).round() as i64;
            let mut by_day: Vec<(i64, f64)> = Vec::new();
            for &(b, w) in births.iter().filter(|b| b.0 < upto) {
                match by_day.last_mut() {
                    Some(last) if last.0 == b => last.1 += w,
                    _ => by_day.push((b, w)),
                }
            }
            let want: f64 = by_day
                .iter()
                .map(|&(b, w)| w * model.expected_purchases((upto - b) as f64 / unit))
                .sum();
            assert_eq!(p.expected.to_bits(), want.to_bits(), "t = {}", p.t);
        }
    }

    #[test]
    fn cumulative_actual_counts_each_customers_distinct_later_days() {
        use chrono::Datelike;
        use std::collections::BTreeSet;
        // The sample's log with a third of its rows again, backwards: same-day repeats, and
        // rows out of date order.
        let (_, base) = sample();
        let mut log = base.clone();
        for i in (0..base.len()).rev().step_by(3) {
            log.customer.push(base.customer[i]);
            log.day.push(base.day[i]);
            log.amount.push(base.amount[i] * 0.5);
        }
        let opts = SummaryOptions {
            time_unit: customers::TimeUnit::Week,
            ..Default::default()
        };
        let split = calibration_split(&log, None, &opts, opts.time_unit)
            .unwrap()
            .unwrap();
        let model = fit_model(ModelKind::BgNbd, &split.cal, &mut |_| {}).unwrap();
        let curve = cumulative(&model, &split.cal, &log, split.first, split.end);
        // Brute force: the set of (customer, day) after the customer's first day.
        let first: std::collections::HashMap<&str, i32> = split
            .cal
            .customers
            .iter()
            .map(|c| (c.id.as_str(), c.first.unwrap().num_days_from_ce()))
            .collect();
        let (day0, last) = (split.first.num_days_from_ce(), split.end.num_days_from_ce());
        let pairs: BTreeSet<(u32, i32)> = log
            .customer
            .iter()
            .zip(&log.day)
            .filter(|(&c, &d)| {
                first
                    .get(log.ids[c as usize].as_str())
                    .is_some_and(|&f| d > f && d <= last)
            })
            .map(|(&c, &d)| (c, d))
            .collect();
        assert!(pairs.len() > 1000);
        let unit = split.cal.time_unit.days();
        for p in &curve {
            let upto = day0 + (p.t * unit).round() as i32;
            let want = pairs.iter().filter(|(_, d)| *d <= upto).count();
            assert_eq!(p.actual, want as f64, "t = {}", p.t);
        }
        // The curve's last whole unit ends at most a unit before the end of observation.
        let end_of_curve = day0 + (curve.last().unwrap().t * unit).round() as i32;
        assert!(f64::from(last - end_of_curve) < unit);
    }

    #[test]
    fn pareto_nbd_fits_the_sample() {
        let (summary, _) = sample();
        let req = ClvRequest {
            model: ModelKind::ParetoNbd,
            ..default_request(summary)
        };
        let r = run(req, &mut |_, _| {}).unwrap();
        let m = r.model.unwrap();
        assert!(m.log_likelihood.is_finite());
        assert!(r.clv.iter().all(|c| c.is_finite()));
    }

    #[test]
    fn not_enough_data_is_a_result_with_reasons() {
        let mut s = sample().0;
        s.customers.truncate(10);
        let r = run(default_request(s), &mut |_, _| {}).unwrap();
        let g = r.gate.unwrap();
        assert!(!g.enough && !g.reasons.is_empty());
        assert!(r.model.is_none());
    }

    #[test]
    fn schedule_total_is_the_model_clv() {
        let (summary, _) = sample();
        let r = run(default_request(summary.clone()), &mut |_, _| {}).unwrap();
        let (m, s) = (r.model.as_ref().unwrap(), r.settings.as_ref().unwrap());
        for (i, c) in summary.customers.iter().enumerate().step_by(97) {
            let sched = clv_schedule(&m.model, c.x, c.t_x, c.t, r.expected_spend[i], s);
            assert_eq!(sched.months.len(), s.periods as usize);
            let clv = r.clv[i];
            assert!(
                (sched.total - clv).abs() <= 1e-9 * clv.abs().max(1e-12),
                "{i}"
            );
            let by_rows: f64 = sched.months.iter().map(|m| m.value).sum();
            assert!((by_rows - clv).abs() <= 1e-9 * clv.abs().max(1e-12), "{i}");
        }
    }
}

/// What intervals to compute: the level, and either parameter draws or a parametric
/// bootstrap.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct IntervalRequest {
    /// Central probability of every range (e.g. 0.9).
    pub level: f64,
    /// Parameter draws (ignored with `bootstrap`).
    pub draws: u32,
    /// Bootstrap refits; `None` for parameter draws.
    pub bootstrap: Option<u32>,
    /// Seed of the draws or of replicate 0 (replicate i uses seed + i).
    pub seed: u64,
}

impl Default for IntervalRequest {
    fn default() -> Self {
        IntervalRequest {
            level: clv::intervals::DEFAULT_LEVEL,
            draws: clv::intervals::DEFAULT_DRAWS,
            bootstrap: None,
            seed: clv::intervals::DEFAULT_SEED,
        }
    }
}

/// Intervals on every value figure (per customer P(alive), expected purchases, CLV; customer
/// equity and total expected purchases), by parameter draws or, when asked, a parametric
/// bootstrap run here over all replicates (the page splits them across workers instead).
///
/// # Errors
/// Bad settings, a fit without a usable covariance, or too few successful refits, in words.
pub fn value_intervals(
    model: &FittedModel,
    spend: Option<&FittedGammaGamma>,
    customers: &[CustomerRecord],
    settings: &ClvSettings,
    request: &IntervalRequest,
    progress: &mut dyn FnMut(f64),
) -> Result<clv::intervals::IntervalReport, String> {
    match request.bootstrap {
        None => clv::intervals::parameter_intervals(
            model,
            spend,
            customers,
            settings,
            &clv::intervals::IntervalSettings {
                level: request.level,
                draws: request.draws,
                seed: request.seed,
            },
            progress,
        ),
        Some(b) => {
            clv::intervals::check_level(request.level).map_err(|e| e.to_string())?;
            let part = clv::bootstrap::bootstrap_replicates(
                model,
                spend,
                customers,
                0..b,
                request.seed,
                &mut |f| progress(0.9 * f),
            )
            .map_err(|e| e.to_string())?;
            clv::bootstrap::bootstrap_intervals(
                model,
                spend,
                customers,
                settings,
                &part,
                request.level,
                &mut |f| progress(0.9 + 0.1 * f),
            )
            .map(|mut r| {
                r.seed = request.seed;
                r
            })
        }
    }
    .map_err(|e| e.to_string())
}

/// One customer's CLV built up month by month (the cumulative value at the end of each month)
/// with its central `level` range over parameter draws, spend held at `spend` (the customer's
/// point estimate). Returns (month, estimate, range) per month.
///
/// # Errors
/// As [`clv::intervals::draw_parameter_sets`], in words.
pub fn cumulative_clv_band(
    model: &FittedModel,
    customer: &CustomerRecord,
    spend: f64,
    settings: &ClvSettings,
    request: &IntervalRequest,
) -> Result<Vec<(u32, f64, clv::intervals::Range)>, String> {
    let (sets, _) = clv::intervals::draw_parameter_sets(
        model,
        None,
        &clv::intervals::IntervalSettings {
            level: request.level,
            draws: request.draws,
            seed: request.seed,
        },
    )
    .map_err(|e| e.to_string())?;
    Ok(cumulative_clv_band_over(
        model,
        customer,
        spend,
        settings,
        &sets,
        request.level,
    ))
}

/// [`cumulative_clv_band`] over given parameter sets (a bootstrap's refits): the range at
/// each month is the central `level` of the sets' cumulative CLV.
pub fn cumulative_clv_band_over(
    model: &FittedModel,
    customer: &CustomerRecord,
    spend: f64,
    settings: &ClvSettings,
    sets: &[clv::intervals::ParameterSet],
    level: f64,
) -> Vec<(u32, f64, clv::intervals::Range)> {
    let (x, t_x, t) = (customer.x, customer.t_x, customer.t);
    let cumulate = |s: &ClvSchedule| {
        s.months
            .iter()
            .scan(0.0, |acc, m| {
                *acc += m.value;
                Some(*acc)
            })
            .collect::<Vec<f64>>()
    };
    let point = cumulate(&clv_schedule(&model.model, x, t_x, t, spend, settings));
    let drawn: Vec<Vec<f64>> = sets
        .iter()
        .map(|s| cumulate(&clv_schedule(&s.model, x, t_x, t, spend, settings)))
        .collect();
    let nan = clv::intervals::Range {
        lower: f64::NAN,
        upper: f64::NAN,
    };
    point
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let mut at: Vec<f64> = drawn.iter().filter_map(|d| d.get(i).copied()).collect();
            let r = clv::intervals::quantile_range(&mut at, level).unwrap_or(nan);
            (i as u32 + 1, v, r)
        })
        .collect()
}
