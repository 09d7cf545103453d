//! BG/BB on discrete periods, end to end: the histories of a held dataset (its transaction log
//! cut into a chosen period, or a customer summary whose numbers are whole periods, as
//! lifetimes' `frequency, recency, periods, weights` file), the weighted fit, and per history
//! P(alive), expected periods with a transaction in the next N periods, DERT and its value
//! (DERT × mean spend per period with a transaction × margin), with totals. The worker's
//! BG/BB task and `crm fit/predict --model bgbb` both call [`histories`] and [`run`].
//!
//! Also the BG/BB row of the model comparison ([`compare_row`]): its likelihood is on period
//! data, so it is compared with the continuous-time models on the holdout only.

use super::compare::{holdout_accuracy, CompareRequest, Comparison, ModelRow};
use crate::domain::clv::bgbb::{group_histories, groups_of};
use crate::domain::clv::{BgBbGroup, BgBbParams, FittedBgBb};
use crate::domain::customers::{
    discrete_histories, CustomerRecord, CustomerSummary, Period, TxLog,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What to fit and predict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiscreteRequest {
    /// The period a log is cut into (not used for a summary in whole periods).
    pub period: Period,
    /// End of observation (None: the log's last date).
    pub observation_end: Option<NaiveDate>,
    /// Horizon of the expected transactions, in periods.
    pub horizon: u32,
    /// Discount rate per period for DERT (above 0).
    pub discount: f64,
    /// Margin on spend (0..=1).
    pub margin: f64,
    /// Spend per period with a transaction (None: the mean from the data).
    pub spend: Option<f64>,
}

impl Default for DiscreteRequest {
    fn default() -> Self {
        DiscreteRequest {
            period: Period::Year,
            observation_end: None,
            horizon: 5,
            discount: 0.1,
            margin: 1.0,
            spend: None,
        }
    }
}

/// The BG/BB histories of a dataset and where they came from.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Histories {
    /// Distinct (x, t_x, n) histories with their counts.
    pub groups: Vec<BgBbGroup>,
    /// Where they came from, in plain words.
    pub source: String,
    /// "year", "month", ... or "period" for a summary in whole periods.
    pub period_name: String,
    /// Mean spend per period with a transaction (None: the data has no amounts).
    pub mean_spend: Option<f64>,
    /// What was left out and why.
    pub notes: Vec<String>,
}

/// The histories of a log cut into `period`s up to `end`.
pub fn from_log(log: &TxLog, period: Period, end: Option<NaiveDate>) -> Histories {
    let d = discrete_histories(log, period, end);
    let end = d.observation_end;
    let mut spend = 0.0;
    for (day, amount) in log.day.iter().zip(&log.amount) {
        let date = NaiveDate::from_num_days_from_ce_opt(*day);
        if *amount >= 0.0 && date.is_some_and(|dt| end.is_none_or(|e| dt <= e)) {
            spend += amount;
        }
    }
    let active: f64 = d.customers.iter().map(|c| f64::from(c.x) + 1.0).sum();
    let mut notes = Vec::new();
    if d.negative_rows > 0 {
        notes.push(format!(
            "{} rows with a negative amount are not counted as transactions",
            d.negative_rows
        ));
    }
    if d.rows_after_end > 0 {
        notes.push(format!(
            "{} rows after the observation end left out",
            d.rows_after_end
        ));
    }
    Histories {
        groups: groups_of(&d),
        source: format!(
            "transaction log cut into {}s: {} customers, observation end {}",
            period.name(),
            d.customers.len(),
            end.map_or_else(|| "-".into(), |e| e.to_string())
        ),
        period_name: period.name().to_string(),
        mean_spend: (active > 0.0 && spend > 0.0).then(|| spend / active),
        notes,
    }
}

/// The histories of a customer summary read as whole periods (x, t_x and T = n whole numbers;
/// the weight is the count).
///
/// # Errors
/// A message naming the first customer whose numbers are not whole periods.
pub fn from_summary(summary: &CustomerSummary) -> Result<Histories, String> {
    let whole = |v: f64| v >= 0.0 && v.fract() == 0.0 && v <= 1e9;
    let mut groups = Vec::with_capacity(summary.customers.len());
    let (mut spend, mut active) = (0.0, 0.0);
    for c in &summary.customers {
        if !(whole(c.x) && whole(c.t_x) && whole(c.t) && whole(c.weight)) {
            return Err(format!(
                "customer {}: x {}, t_x {}, T {} are not whole periods: BG/BB needs a summary in whole periods (frequency, recency, periods) or a transaction log",
                c.id, c.x, c.t_x, c.t
            ));
        }
        groups.push(BgBbGroup {
            x: c.x as u32,
            t_x: c.t_x as u32,
            n: c.t as u32,
            count: c.weight as u64,
        });
        if c.monetary > 0.0 {
            spend += c.weight * c.monetary * c.x.max(1.0);
            active += c.weight * c.x.max(1.0);
        }
    }
    let n: u64 = groups.iter().map(|g| g.count).sum();
    Ok(Histories {
        groups: group_histories(groups),
        source: format!(
            "customer summary read as whole periods: {} rows, {n} customers",
            summary.customers.len()
        ),
        period_name: String::from("period"),
        mean_spend: (active > 0.0).then(|| spend / active),
        notes: Vec::new(),
    })
}

/// The histories of a held dataset: its log cut into the request's period, or (no log) its
/// summary read as whole periods.
///
/// # Errors
/// As [`from_summary`].
pub fn histories(
    log: &TxLog,
    summary: &CustomerSummary,
    req: &DiscreteRequest,
) -> Result<Histories, String> {
    if log.is_empty() {
        from_summary(summary)
    } else {
        Ok(from_log(log, req.period, req.observation_end))
    }
}

/// One history's figures, each per customer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DiscreteRow {
    /// Periods with a transaction after the first.
    pub x: u32,
    /// The last of them (0 when x = 0).
    pub t_x: u32,
    /// Transaction opportunities after the first.
    pub n: u32,
    /// Customers with this history.
    pub count: u64,
    /// P(alive in the next period).
    pub p_alive: f64,
    /// Expected periods with a transaction in the next `horizon` periods.
    pub expected: f64,
    /// Discounted expected residual transactions.
    pub dert: f64,
    /// DERT × spend × margin (None without a spend).
    pub value: Option<f64>,
}

/// A BG/BB fit with predictions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiscreteResult {
    /// The fit (parameters with standard errors, LL, convergence).
    pub fit: FittedBgBb,
    /// Where the histories came from.
    pub source: String,
    /// Period name ("year", or "period" for a summary).
    pub period_name: String,
    /// Horizon in periods.
    pub horizon: u32,
    /// Discount rate per period.
    pub discount: f64,
    /// Margin.
    pub margin: f64,
    /// Spend per period with a transaction used for the value (the request's or the data's).
    pub spend: Option<f64>,
    /// One row per distinct history, most customers first.
    pub rows: Vec<DiscreteRow>,
    /// Expected customers alive next period (sum over customers).
    pub total_alive: f64,
    /// Expected periods with a transaction in the horizon, all customers.
    pub total_expected: f64,
    /// DERT, all customers.
    pub total_dert: f64,
    /// Value, all customers (None without a spend).
    pub total_value: Option<f64>,
    /// What was left out and why.
    pub notes: Vec<String>,
}

/// Fits BG/BB on the histories and predicts per history.
///
/// # Errors
/// A message for the user: bad settings, impossible histories, too little data.
pub fn run(
    h: &Histories,
    req: &DiscreteRequest,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<DiscreteResult, String> {
    if !(req.discount > 0.0 && req.discount.is_finite()) {
        return Err(format!(
            "discount {}: the discount rate per period must be above 0",
            req.discount
        ));
    }
    if !(0.0..=1.0).contains(&req.margin) {
        return Err(format!("margin {}: must be between 0 and 1", req.margin));
    }
    if req.spend.is_some_and(|s| !(s >= 0.0 && s.is_finite())) {
        return Err(String::from(
            "spend per transaction: must be a number of at least 0",
        ));
    }
    let stage = format!("Fitting BG/BB on {} histories", h.groups.len());
    progress(0.02, &stage);
    let fit = BgBbParams::default()
        .fit(&h.groups, &mut |f| progress(0.02 + 0.9 * f, &stage))
        .map_err(|e| e.to_string())?;
    progress(0.93, "Predicting per history");
    let mut notes = h.notes.clone();
    if !fit.convergence.converged {
        notes.push(format!(
            "The fit did not converge ({}): read the figures with care.",
            fit.convergence.reason
        ));
    }
    let spend = req.spend.or(h.mean_spend);
    if spend.is_none() {
        notes.push(String::from(
            "No spend in the data: the value column is left empty (enter a spend per transaction).",
        ));
    }
    let groups = group_histories(h.groups.iter().copied());
    let mut rows: Vec<DiscreteRow> = fit
        .predict(&groups, req.horizon, req.discount)
        .into_iter()
        .map(|p| DiscreteRow {
            x: p.group.x,
            t_x: p.group.t_x,
            n: p.group.n,
            count: p.group.count,
            p_alive: p.p_alive,
            expected: p.expected,
            dert: p.dert,
            value: spend.map(|s| p.dert * s * req.margin),
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.count));
    let sum =
        |f: &dyn Fn(&DiscreteRow) -> f64| rows.iter().map(|r| r.count as f64 * f(r)).sum::<f64>();
    let total_alive = sum(&|r| r.p_alive);
    let total_expected = sum(&|r| r.expected);
    let total_dert = sum(&|r| r.dert);
    let total_value = spend.map(|s| total_dert * s * req.margin);
    progress(1.0, "Done");
    Ok(DiscreteResult {
        fit,
        source: h.source.clone(),
        period_name: h.period_name.clone(),
        horizon: req.horizon,
        discount: req.discount,
        margin: req.margin,
        spend,
        rows,
        total_alive,
        total_expected,
        total_dert,
        total_value,
        notes,
    })
}

fn summary_of(customers: Vec<CustomerRecord>, holdout_length: f64) -> CustomerSummary {
    CustomerSummary {
        time_unit: crate::domain::customers::TimeUnit::default(),
        observation_end: None,
        calibration_end: None,
        holdout_length,
        customers,
        returns_rows: 0,
        excluded: Vec::new(),
    }
}

/// Name of the BG/BB row in a comparison.
pub const COMPARE_NAME: &str = "BG/BB";

/// Adds a BG/BB row to a comparison of the continuous-time models: fitted on the calibration
/// log cut into `period`s, scored on the holdout (periods with a transaction after the
/// calibration end). Its log-likelihood is on period data: AIC and BIC are left empty (NaN) and
/// the recommendation is not changed; a note says so. Nothing is added (a note says why) when
/// there is no log or no calibration end.
pub fn add_to_comparison(
    cmp: &mut Comparison,
    req: &CompareRequest,
    period: Period,
    progress: &mut dyn FnMut(f64, &str),
) {
    match compare_row(cmp, req, period, progress) {
        Ok(row) => {
            cmp.models.push(row);
            cmp.notes.push(format!(
                "BG/BB is fitted on the log cut into {0}s: its log-likelihood is on that period data, not on the same data as the other models, so its AIC/BIC are not shown and it is not ranked by them. Its holdout error counts {0}s with a purchase (several purchases in one {0} count once), not purchases: compare it with the others on the holdout with that in mind.",
                period.name()
            ));
        }
        Err(why) => cmp.notes.push(format!("BG/BB was not compared: {why}")),
    }
}

/// The BG/BB comparison row (see [`add_to_comparison`]).
///
/// # Errors
/// A message: no log, no calibration end, or the fit failed.
pub fn compare_row(
    cmp: &Comparison,
    req: &CompareRequest,
    period: Period,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<ModelRow, String> {
    let log = &req.transactions;
    let (Some(cal_end), Some((_, last))) = (cmp.calibration_end, log.date_range()) else {
        return Err(String::from(
            "it needs a transaction log with a calibration/holdout split",
        ));
    };
    let end = req.summary_options.observation_end.unwrap_or(last);
    let cal = discrete_histories(log, period, Some(cal_end));
    let holdout_periods = period.index(end) - period.index(cal_end);
    if holdout_periods < 1 {
        return Err(format!("the holdout is shorter than one {}", period.name()));
    }
    // Holdout periods with a transaction per customer id.
    let mut hold: std::collections::HashMap<&str, std::collections::BTreeSet<i64>> =
        std::collections::HashMap::new();
    let cal_idx = period.index(cal_end);
    let end_idx = period.index(end);
    for ((c, day), amount) in log.customer.iter().zip(&log.day).zip(&log.amount) {
        let Some(date) = NaiveDate::from_num_days_from_ce_opt(*day) else {
            continue;
        };
        let i = period.index(date);
        if *amount >= 0.0 && i > cal_idx && i <= end_idx {
            if let Some(id) = log.ids.get(*c as usize) {
                hold.entry(id.as_str()).or_default().insert(i);
            }
        }
    }
    let stage = format!("Fitting BG/BB on {}s", period.name());
    progress(0.93, &stage);
    let fit = BgBbParams::default()
        .fit(&groups_of(&cal), &mut |_| {})
        .map_err(|e| e.to_string())?;
    let customers: Vec<CustomerRecord> = cal
        .customers
        .iter()
        .map(|c| {
            let mut r = CustomerRecord::from_stats(
                c.id.clone(),
                f64::from(c.x),
                f64::from(c.t_x),
                f64::from(c.n),
                0.0,
            );
            r.holdout_x = Some(hold.get(c.id.as_str()).map_or(0, |s| s.len()) as f64).into();
            r
        })
        .collect();
    let n = customers.len() as f64;
    let summary = summary_of(customers, holdout_periods as f64);
    let model = fit.model;
    let mut row = ModelRow::build(
        COMPARE_NAME,
        None,
        fit.log_likelihood,
        4,
        n,
        fit.convergence.converged,
        &fit.convergence.reason,
        fit.params.clone(),
    );
    row.aic = f64::NAN;
    row.bic = f64::NAN;
    row.convergence_note = format!(
        "{} (log-likelihood on {} data: not comparable with the other rows)",
        fit.convergence.reason,
        period.name()
    );
    row.holdout = holdout_accuracy(&summary, &|h, x, tx, t| {
        model.conditional_expected_transactions(h as u32, x as u32, tx as u32, t as u32)
    });
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn donations() -> CustomerSummary {
        // Fader, Hardie & Shang (2010), the 1995 cohort: frequency, recency, periods, weights.
        let text = include_str!("../../tests/fixtures/bgbb/donations.csv");
        let customers = text
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .enumerate()
            .map(|(i, l)| {
                let v: Vec<f64> = l.split(',').map(|c| c.trim().parse().unwrap()).collect();
                let mut r = CustomerRecord::from_stats(format!("{i}"), v[0], v[1], v[2], 0.0);
                r.weight = v[3];
                r
            })
            .collect();
        summary_of(customers, 0.0)
    }

    #[test]
    fn donations_summary_reproduces_the_published_fit() {
        let h = histories(&TxLog::default(), &donations(), &DiscreteRequest::default()).unwrap();
        assert_eq!(h.groups.iter().map(|g| g.count).sum::<u64>(), 11104);
        let r = run(&h, &DiscreteRequest::default(), &mut |_, _| {}).unwrap();
        for (name, want) in [
            ("alpha", 1.204),
            ("beta", 0.750),
            ("gamma", 0.657),
            ("delta", 2.783),
        ] {
            let got = r.fit.param(name).unwrap();
            assert!((got - want).abs() < 0.002, "{name}: {got} vs {want}");
        }
        assert!((r.fit.log_likelihood + 33225.6).abs() < 0.1);
        assert!(r.fit.params.iter().all(|p| p.std_error.is_some()));
        assert_eq!(r.rows.len(), 22);
        assert_eq!(r.rows[0].count, 3464);
        assert!(r.spend.is_none() && r.total_value.is_none());
        assert!(r.total_alive > 0.0 && r.total_alive < 11104.0);
    }

    #[test]
    fn a_summary_with_fractional_times_is_refused_with_the_customer() {
        let mut s = donations();
        s.customers[3].t_x = 2.5;
        let e = from_summary(&s).unwrap_err();
        assert!(e.starts_with("customer 3:"), "{e}");
    }

    #[test]
    fn value_is_dert_times_spend_times_margin() {
        let h = from_summary(&donations()).unwrap();
        let req = DiscreteRequest {
            spend: Some(50.0),
            margin: 0.5,
            ..DiscreteRequest::default()
        };
        let r = run(&h, &req, &mut |_, _| {}).unwrap();
        let row = r.rows[0];
        assert!((row.value.unwrap() - row.dert * 25.0).abs() < 1e-9);
        assert!((r.total_value.unwrap() - r.total_dert * 25.0).abs() < 1e-6);
    }

    #[test]
    fn mean_spend_from_a_log_is_per_period_with_a_transaction() {
        let d = |y, m, dd| {
            NaiveDate::from_ymd_opt(y, m, dd)
                .unwrap()
                .num_days_from_ce()
        };
        use chrono::Datelike;
        let log = TxLog {
            ids: vec!["a".into(), "b".into()],
            customer: vec![0, 0, 0, 1],
            day: vec![d(2020, 1, 1), d(2020, 6, 1), d(2021, 3, 1), d(2020, 2, 1)],
            amount: vec![10.0, 20.0, 30.0, 40.0],
        };
        let h = from_log(&log, Period::Year, None);
        // a: years 2020, 2021 (x = 1), b: 2020 (x = 0): 3 active periods, 100 spent.
        assert!((h.mean_spend.unwrap() - 100.0 / 3.0).abs() < 1e-9);
        assert_eq!(h.groups.iter().map(|g| g.count).sum::<u64>(), 2);
    }
}
