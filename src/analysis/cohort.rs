//! New customers and acquisition cohorts: the expected value of a customer not yet acquired
//! (the fitted model's unconditional E\[X(t)] × the population's expected spend, discounted
//! month by month like every CLV here, times the margin), the customers grouped by the month or
//! quarter of their first purchase (size, realised value to date, predicted CLV, CLV/CAC,
//! payback against an acquisition cost) and firm value (customer equity + the customers still
//! to be acquired). Computed from the customer summary and the default lifetime-value fit; the
//! Value & strategy page shows it.

use crate::analysis::clv::ClvResult;
use crate::domain::clv::intervals::IntervalSettings;
use crate::domain::clv::newcustomer::{self, payback_month};
use crate::domain::clv::{ClvSettings, FittedGammaGamma, FittedModel};
use crate::domain::customers::CustomerSummary;
use crate::domain::value::{self, FirmValue, FirmValueInputs};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// How customers are grouped into acquisition cohorts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum CohortPeriod {
    /// Calendar month of the first purchase.
    #[default]
    Month,
    /// Calendar quarter of the first purchase.
    Quarter,
}

/// What the user enters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortInputs {
    /// Month or quarter of first purchase.
    pub period: CohortPeriod,
    /// Acquisition cost per customer (CAC).
    pub acquisition_cost: f64,
    /// Margin as a share of spend, applied to predicted spend (and to realised spend when the
    /// log has no margin column).
    pub margin_rate: f64,
    /// New customers acquired per month (firm value).
    pub new_per_month: f64,
    /// Months of acquisition counted in firm value.
    pub months: u32,
}

impl Default for CohortInputs {
    fn default() -> Self {
        CohortInputs {
            period: CohortPeriod::Month,
            acquisition_cost: 20.0,
            margin_rate: 0.3,
            new_per_month: 100.0,
            months: 12,
        }
    }
}

impl CohortInputs {
    /// Validates the inputs.
    ///
    /// # Errors
    /// A sentence naming the input and its bad value.
    pub fn check(&self) -> Result<&Self, String> {
        if !(self.acquisition_cost.is_finite() && self.acquisition_cost >= 0.0) {
            return Err(format!(
                "acquisition cost must be zero or more (it is {})",
                self.acquisition_cost
            ));
        }
        if !(self.margin_rate.is_finite() && (0.0..=1.0).contains(&self.margin_rate)) {
            return Err(format!(
                "margin rate must be between 0 and 1 (it is {})",
                self.margin_rate
            ));
        }
        if !(self.new_per_month.is_finite() && self.new_per_month >= 0.0) {
            return Err(format!(
                "new customers per month must be zero or more (it is {})",
                self.new_per_month
            ));
        }
        if self.months > 1200 {
            return Err(format!(
                "months of acquisition must be at most 1200 (it is {})",
                self.months
            ));
        }
        Ok(self)
    }
}

/// A range around a figure, from the parameter draws.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Lower end.
    pub lower: f64,
    /// Upper end.
    pub upper: f64,
    /// Nominal coverage, e.g. 0.9.
    pub level: f64,
}

/// The expected value of a customer not yet acquired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCustomerValue {
    /// Expected repeat purchases over the horizon, E\[X(H)] (the first purchase not counted).
    pub expected_purchases: f64,
    /// Expected spend per purchase (Gamma-Gamma population mean, or the stated fallback).
    pub expected_spend: f64,
    /// Why `expected_spend` is a fallback (None: the Gamma-Gamma population mean).
    pub spend_note: Option<String>,
    /// Discounted margin of each month of the horizon.
    pub monthly: Vec<f64>,
    /// The sum of `monthly`: the new customer's CLV.
    pub value: f64,
    /// value / CAC (None when the CAC is 0).
    pub clv_to_cac: Option<f64>,
    /// Months until the cumulative discounted margin reaches the CAC (None: not within the
    /// horizon).
    pub payback_months: Option<u32>,
    /// Interval on `value` from the parameter uncertainty (parameter draws).
    pub interval: Option<Interval>,
    /// Why there is no interval, or what was held fixed in it.
    #[serde(default)]
    pub interval_note: Option<String>,
}

/// When a cohort's customers pay back their acquisition cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Payback {
    /// Their realised margin to date already exceeds the cost.
    Already,
    /// After this many more months of predicted margin (from the end of observation).
    InMonths(u32),
    /// Not within the horizon.
    NotWithinHorizon,
}

impl Payback {
    /// The payback in plain words.
    pub fn describe(self) -> String {
        match self {
            Payback::Already => "paid back already".into(),
            Payback::InMonths(m) => format!("in {m} more months"),
            Payback::NotWithinHorizon => "not within the horizon".into(),
        }
    }
}

/// One acquisition cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortRow {
    /// "2024-03" or "2024 Q1".
    pub label: String,
    /// First day of the cohort's month or quarter.
    pub start: NaiveDate,
    /// Customers (sum of weights).
    pub customers: f64,
    /// Months from the cohort's start to the end of observation.
    pub age_months: f64,
    /// Mean realised margin per customer to date (first purchase included).
    pub realised_per_customer: f64,
    /// Mean predicted CLV per customer over the horizon.
    pub predicted_per_customer: f64,
    /// realised + predicted.
    pub value_per_customer: f64,
    /// value per customer / CAC (None when the CAC is 0).
    pub clv_to_cac: Option<f64>,
    /// Payback of the CAC.
    pub payback: Payback,
    /// Predicted CLV of the whole cohort.
    pub equity: f64,
}

/// Everything the cohorts section shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortReport {
    /// The customer not yet acquired.
    pub new_customer: NewCustomerValue,
    /// Cohorts, oldest first.
    pub cohorts: Vec<CohortRow>,
    /// Customer equity at the entered margin (sum of predicted CLV).
    pub equity: f64,
    /// Firm value: equity + new customers × (new-customer value − CAC), discounted monthly.
    pub firm: FirmValue,
    /// Customers left out of the cohorts because their first purchase date is unknown.
    pub without_first_date: f64,
    /// The settings used (horizon, discount, entered margin).
    pub settings: ClvSettings,
    /// Whether realised value came from the log's margin column.
    pub realised_from_margin_column: bool,
}

/// The cohort a date belongs to: its label and first day.
pub fn cohort_of(d: NaiveDate, period: CohortPeriod) -> (String, NaiveDate) {
    match period {
        CohortPeriod::Month => (
            format!("{}-{:02}", d.year(), d.month()),
            d.with_day(1).unwrap_or(d),
        ),
        CohortPeriod::Quarter => {
            let q = (d.month() - 1) / 3;
            let start = NaiveDate::from_ymd_opt(d.year(), q * 3 + 1, 1).unwrap_or(d);
            (format!("{} Q{}", d.year(), q + 1), start)
        }
    }
}

/// One customer's figures for the cohort table.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerValue {
    /// Weight (customers this row stands for).
    pub weight: f64,
    /// Realised margin to date.
    pub realised: f64,
    /// Predicted discounted margin per month of the horizon.
    pub schedule: Vec<f64>,
}

/// A cohort's running sums: customers, realised margin and predicted margin per month, each
/// weighted (no per-customer figures are kept: a million customers cost one row per cohort).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CohortSums {
    /// Customers (sum of weights).
    pub weight: f64,
    /// Σ weight · realised margin.
    pub realised: f64,
    /// Σ weight · predicted discounted margin, per month of the horizon.
    pub schedule: Vec<f64>,
}

impl CohortSums {
    /// Adds a customer standing for `weight` customers with its realised margin and its
    /// predicted margin per month (`spend` × `unit`).
    pub fn add(&mut self, weight: f64, realised: f64, spend: f64, unit: &[f64]) {
        self.weight += weight;
        self.realised += weight * realised;
        if self.schedule.len() < unit.len() {
            self.schedule.resize(unit.len(), 0.0);
        }
        for (m, u) in self.schedule.iter_mut().zip(unit) {
            *m += weight * spend * u;
        }
    }
}

/// Aggregates customers of one cohort: means per customer, CLV/CAC and payback (the cohort's
/// mean realised margin plus its mean predicted monthly margin against the CAC).
pub fn aggregate(
    label: String,
    start: NaiveDate,
    age_months: f64,
    customers: &[CustomerValue],
    cac: f64,
) -> CohortRow {
    let mut sums = CohortSums::default();
    for c in customers {
        sums.add(c.weight, c.realised, 1.0, &c.schedule);
    }
    aggregate_sums(label, start, age_months, sums, cac)
}

/// [`aggregate`] from a cohort's running sums.
pub fn aggregate_sums(
    label: String,
    start: NaiveDate,
    age_months: f64,
    sums: CohortSums,
    cac: f64,
) -> CohortRow {
    let n = sums.weight;
    let per = |v: f64| if n > 0.0 { v / n } else { 0.0 };
    let realised_pc = per(sums.realised);
    let mut mean_schedule = sums.schedule;
    mean_schedule.iter_mut().for_each(|v| *v = per(*v));
    let predicted_pc: f64 = mean_schedule.iter().sum();
    let value = realised_pc + predicted_pc;
    let payback = match payback_month(&mean_schedule, realised_pc, cac) {
        Some(0) => Payback::Already,
        Some(m) => Payback::InMonths(m),
        None => Payback::NotWithinHorizon,
    };
    CohortRow {
        label,
        start,
        customers: n,
        age_months,
        realised_per_customer: realised_pc,
        predicted_per_customer: predicted_pc,
        value_per_customer: value,
        clv_to_cac: (cac > 0.0).then(|| value / cac),
        payback,
        equity: predicted_pc * n,
    }
}

/// What the cohort analysis needs from a lifetime-value fit, with the user's inputs: what the
/// page sends the worker (which holds the customers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortRequest {
    /// The fitted purchase model.
    pub model: FittedModel,
    /// The fitted spend model, if any.
    pub spend: Option<FittedGammaGamma>,
    /// The fit's settings (the margin is replaced by the entered one).
    pub settings: ClvSettings,
    /// Expected spend per purchase per customer, in the summary's order (the fit's).
    pub expected_spend: Vec<f64>,
    /// What the user entered.
    pub inputs: CohortInputs,
}

impl CohortRequest {
    /// The request for fit `fit` with `inputs`.
    ///
    /// # Errors
    /// A sentence for the user when the fit has no model or settings.
    pub fn from_fit(fit: &ClvResult, inputs: &CohortInputs) -> Result<Self, String> {
        Ok(CohortRequest {
            model: fit
                .model
                .clone()
                .ok_or("No fitted lifetime-value model: fit one first.")?,
            spend: fit.spend.clone(),
            settings: fit
                .settings
                .clone()
                .ok_or("The lifetime-value fit has no settings.")?,
            expected_spend: fit.expected_spend.clone(),
            inputs: inputs.clone(),
        })
    }
}

/// The new-customer value, the cohorts and firm value from a summary and the lifetime-value
/// fit made on it (same customers, same order).
///
/// # Errors
/// A sentence for the user: bad inputs, no fitted model, or a fit of other customers.
pub fn analyze(
    summary: &CustomerSummary,
    fit: &ClvResult,
    inputs: &CohortInputs,
) -> Result<CohortReport, String> {
    let model = fit
        .model
        .as_ref()
        .ok_or("No fitted lifetime-value model: fit one first.")?;
    let settings = fit
        .settings
        .as_ref()
        .ok_or("The lifetime-value fit has no settings.")?;
    analyze_parts(
        summary,
        model,
        fit.spend.as_ref(),
        settings,
        &fit.expected_spend,
        inputs,
        &mut |_, _| {},
    )
}

/// [`analyze`] from a [`CohortRequest`] (the worker's task), reporting progress.
///
/// # Errors
/// As [`analyze`].
pub fn analyze_request(
    summary: &CustomerSummary,
    req: &CohortRequest,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<CohortReport, String> {
    analyze_parts(
        summary,
        &req.model,
        req.spend.as_ref(),
        &req.settings,
        &req.expected_spend,
        &req.inputs,
        progress,
    )
}

fn analyze_parts(
    summary: &CustomerSummary,
    model: &FittedModel,
    fit_spend: Option<&FittedGammaGamma>,
    fit_settings: &ClvSettings,
    expected_spend: &[f64],
    inputs: &CohortInputs,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<CohortReport, String> {
    inputs.check()?;
    let mut settings = fit_settings.clone();
    settings.margin_rate = inputs.margin_rate;
    settings.check().map_err(|e| e.to_string())?;
    let custs = &summary.customers;
    if expected_spend.len() != custs.len() {
        return Err(format!(
            "The lifetime-value fit covers {} customers but the data has {}: fit again.",
            expected_spend.len(),
            custs.len()
        ));
    }
    // Expected spend of a customer not yet acquired.
    let (spend, spend_note) = match fit_spend {
        Some(g) => {
            let e = g.spend_estimate(0.0, 0.0);
            (e.value, e.fallback.map(|f| f.message().to_string()))
        }
        None => {
            let (s, n) = custs
                .iter()
                .filter(|c| c.x > 0.0)
                .fold((0.0, 0.0), |(s, n), c| {
                    (s + c.weight * c.monetary, n + c.weight)
                });
            (
                if n > 0.0 { s / n } else { 0.0 },
                Some("Gamma-Gamma is off: the mean repeat spend of the repeat customers".into()),
            )
        }
    };
    let unit = newcustomer::new_customer_unit_schedule(&model.model, &settings);
    let monthly: Vec<f64> = unit.iter().map(|u| spend * u).collect();
    let value: f64 = monthly.iter().sum();
    let cac = inputs.acquisition_cost;
    let draws = IntervalSettings::default();
    let (interval, interval_note) =
        match newcustomer::new_customer_value_range(model, fit_spend, spend, &settings, &draws) {
            Ok((r, notes)) => (
                Some(Interval {
                    lower: r.lower,
                    upper: r.upper,
                    level: draws.level,
                }),
                (!notes.is_empty()).then(|| notes.join("; ")),
            ),
            Err(e) => (None, Some(format!("no range: {e}"))),
        };
    let new_customer = NewCustomerValue {
        expected_purchases: model
            .model
            .expected_purchases(f64::from(settings.periods) * settings.units_per_period),
        expected_spend: spend,
        spend_note,
        clv_to_cac: (cac > 0.0).then(|| value / cac),
        payback_months: payback_month(&monthly, 0.0, cac),
        monthly,
        value,
        interval,
        interval_note,
    };
    // Per customer: realised margin and predicted monthly margin, grouped by cohort.
    let end = summary
        .observation_end
        .or_else(|| custs.iter().filter_map(|c| c.last).max());
    let realised_from_margin_column = custs.iter().any(|c| c.total_margin.is_some());
    let mut memo: HashMap<[u64; 3], Vec<f64>> = HashMap::new();
    let mut groups: BTreeMap<NaiveDate, (String, CohortSums)> = BTreeMap::new();
    let mut equity = 0.0;
    let mut without_first_date = 0.0;
    let every = (custs.len() / 50).max(1);
    for (i, (c, sp)) in custs.iter().zip(expected_spend).enumerate() {
        if i % every == 0 {
            progress(i as f64 / custs.len() as f64, "Valuing the cohorts");
        }
        let key = [c.x.to_bits(), c.t_x.to_bits(), c.t.to_bits()];
        let unit = memo.entry(key).or_insert_with(|| {
            newcustomer::unit_schedule(
                |t| model.conditional_expected_purchases(t, c.x, c.t_x, c.t),
                &settings,
            )
        });
        equity += c.weight * sp * unit.iter().sum::<f64>();
        let Some(first) = c.first else {
            without_first_date += c.weight;
            continue;
        };
        let realised = c.total_margin.unwrap_or(c.total_spend * inputs.margin_rate);
        let (label, start) = cohort_of(first, inputs.period);
        groups
            .entry(start)
            .or_insert_with(|| (label, CohortSums::default()))
            .1
            .add(c.weight, realised, *sp, unit);
    }
    let cohorts = groups
        .into_iter()
        .map(|(start, (label, sums))| {
            let age = end.map_or(0.0, |e| (e - start).num_days().max(0) as f64 / 30.4375);
            aggregate_sums(label, start, age, sums, cac)
        })
        .collect();
    let firm = value::firm_value(&FirmValueInputs {
        current_equity: equity,
        new_per_period: inputs.new_per_month,
        clv_new: value,
        acquisition_cost: cac,
        discount: settings.discount_rate,
        periods: inputs.months,
    })
    .map_err(|e| e.to_string())?;
    Ok(CohortReport {
        new_customer,
        cohorts,
        equity,
        firm,
        without_first_date,
        settings,
        realised_from_margin_column,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::clv::{analyze as fit, default_request};
    use crate::domain::customers::{self, SummaryOptions, TimeUnit, Transaction, TxLog};
    use crate::domain::sample;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn cohorts_are_labelled_by_month_or_quarter() {
        assert_eq!(
            cohort_of(day(2024, 3, 17), CohortPeriod::Month),
            ("2024-03".into(), day(2024, 3, 1))
        );
        assert_eq!(
            cohort_of(day(2024, 8, 2), CohortPeriod::Quarter),
            ("2024 Q3".into(), day(2024, 7, 1))
        );
    }

    #[test]
    fn a_cohort_averages_realised_and_predicted_value_and_pays_back_by_hand() {
        // Two customers (weights 1 and 3): realised 10 and 2, schedules [4, 3, 2] and [2, 1, 1].
        // Per customer: realised (10 + 6) / 4 = 4; schedule [(4 + 6)/4, (3 + 3)/4, (2 + 3)/4] =
        // [2.5, 1.5, 1.25], predicted 5.25; value 9.25; CAC 5: CLV/CAC 1.85; payback: 4 + 2.5 =
        // 6.5 ≥ 5 after one month.
        let cs = [
            CustomerValue {
                weight: 1.0,
                realised: 10.0,
                schedule: vec![4.0, 3.0, 2.0],
            },
            CustomerValue {
                weight: 3.0,
                realised: 2.0,
                schedule: vec![2.0, 1.0, 1.0],
            },
        ];
        let r = aggregate("2024-01".into(), day(2024, 1, 1), 5.0, &cs, 5.0);
        assert_eq!(r.customers, 4.0);
        assert!((r.realised_per_customer - 4.0).abs() < 1e-12);
        assert!((r.predicted_per_customer - 5.25).abs() < 1e-12);
        assert!((r.value_per_customer - 9.25).abs() < 1e-12);
        assert!((r.clv_to_cac.unwrap() - 1.85).abs() < 1e-12);
        assert_eq!(r.payback, Payback::InMonths(1));
        assert!((r.equity - 21.0).abs() < 1e-12);
        assert_eq!(
            aggregate("x".into(), day(2024, 1, 1), 5.0, &cs, 3.0).payback,
            Payback::Already
        );
        assert_eq!(
            aggregate("x".into(), day(2024, 1, 1), 5.0, &cs, 9.5).payback,
            Payback::NotWithinHorizon
        );
        assert_eq!(
            aggregate("x".into(), day(2024, 1, 1), 5.0, &cs, 0.0).clv_to_cac,
            None
        );
    }

    /// The app's sample data (2,000 simulated customers, seed 42) as a weekly summary, with
    /// the default fit on it.
    pub(crate) fn sample_fit() -> (CustomerSummary, ClvResult) {
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
            time_unit: TimeUnit::Week,
            ..Default::default()
        };
        let summary = customers::summarize_columns(&log, &[], &opts).unwrap();
        let r = fit(
            &default_request(summary.clone()),
            None,
            &mut |_, _| {},
            &|| 0.0,
        )
        .unwrap();
        (summary, r)
    }

    #[test]
    fn equity_at_the_fits_margin_is_the_fits_equity_and_cohorts_cover_everyone() {
        let (summary, r) = sample_fit();
        let inputs = CohortInputs {
            margin_rate: 1.0,
            acquisition_cost: 30.0,
            new_per_month: 50.0,
            months: 6,
            ..Default::default()
        };
        let rep = analyze(&summary, &r, &inputs).unwrap();
        assert!((rep.equity - r.equity).abs() < 1e-6 * r.equity.abs().max(1.0));
        let n: f64 = rep.cohorts.iter().map(|c| c.customers).sum();
        assert_eq!(n + rep.without_first_date, summary.customers.len() as f64);
        let eq: f64 = rep.cohorts.iter().map(|c| c.equity).sum();
        assert!((eq - rep.equity).abs() < 1e-6 * rep.equity);
        // New customer: E[X(H)] × spend when undiscounted; the discounted value is smaller.
        let nc = &rep.new_customer;
        let m = r.model.as_ref().unwrap();
        let s = r.settings.as_ref().unwrap();
        let e = m.expected_purchases(f64::from(s.periods) * s.units_per_period);
        assert!((nc.expected_purchases - e).abs() < 1e-12);
        assert!(nc.value < e * nc.expected_spend && nc.value > 0.8 * e * nc.expected_spend);
        let iv = nc
            .interval
            .expect("the sample fit has a covariance: a range");
        assert!(
            iv.lower < nc.value && nc.value < iv.upper,
            "{iv:?} around {}",
            nc.value
        );
        assert!((iv.level - 0.9).abs() < 1e-12);
        // Firm value by hand: equity + Σ_{t=1..6} 50 (v − 30) / 1.01^t.
        let fut: f64 = (1..=6)
            .map(|t| 50.0 * (nc.value - 30.0) / 1.01f64.powi(t))
            .sum();
        assert!((rep.firm.total - (rep.equity + fut)).abs() < 1e-6 * rep.firm.total.abs());
    }

    #[test]
    fn the_new_customer_value_is_the_hand_sum_of_discounted_increments() {
        let (summary, r) = sample_fit();
        let inputs = CohortInputs {
            margin_rate: 0.5,
            ..Default::default()
        };
        let rep = analyze(&summary, &r, &inputs).unwrap();
        let m = &r.model.as_ref().unwrap().model;
        let s = r.settings.as_ref().unwrap();
        let spend = r.spend.as_ref().unwrap().params.population_mean();
        let mut want = 0.0;
        for i in 1..=s.periods {
            let (a, b) = (f64::from(i), f64::from(i - 1));
            let inc = m.expected_purchases(a * s.units_per_period)
                - m.expected_purchases(b * s.units_per_period);
            want += 0.5 * spend * inc / 1.01f64.powi(i as i32);
        }
        let nc = &rep.new_customer;
        assert!(
            (nc.value - want).abs() < 1e-9 * want,
            "{} vs {want}",
            nc.value
        );
        assert!((nc.clv_to_cac.unwrap() - want / 20.0).abs() < 1e-9);
    }

    #[test]
    fn bad_inputs_name_the_input() {
        let bad = CohortInputs {
            margin_rate: 2.0,
            ..Default::default()
        };
        assert!(bad.check().unwrap_err().contains("margin rate"));
    }
}
