//! Worker task: ranges on every value figure of a lifetime-value fit (per customer P(alive),
//! expected purchases and CLV; customer equity and total expected purchases). The figures are
//! computed in [`crate::analysis::clv::value_intervals`] (the function `crm predict
//! --interval` calls); this task runs it on the worker's held customers and packs the
//! per-customer ranges compactly for the trip to the page.

use super::error::WorkerError;
use crate::analysis::clv::IntervalRequest;
use crate::domain::clv::intervals::{CustomerRanges, IntervalMethod, IntervalReport, Range, Total};
use crate::domain::clv::{ClvSettings, FittedGammaGamma, FittedModel};
use crate::domain::customers::CustomerRecord;
use serde::{Deserialize, Serialize};

/// Numbers per customer in [`ValueRanges::ranges`].
pub const PER_CUSTOMER: usize = 6;

/// The ranges of a fit, as the page receives them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueRanges {
    /// Where the parameter sets came from.
    pub method: IntervalMethod,
    /// Central probability of every range (0.9: a "90% range").
    pub level: f64,
    /// Parameter sets used.
    pub sets: u32,
    /// Seed of the draws.
    pub seed: u64,
    /// Per customer, in the summary's order, six numbers: P(alive) lower and upper, expected
    /// purchases lower and upper, CLV lower and upper (NaN when a customer has no range).
    pub ranges: Vec<f32>,
    /// Customer equity with its range.
    pub equity: Total,
    /// Total expected purchases over the purchase horizon with its range.
    pub total_purchases: Total,
    /// True when spend varied with the sets.
    pub spend_varied: bool,
    /// Distinct (x, tₓ, T) the figures were computed for.
    pub distinct_groups: u64,
    /// Everything left out or held fixed, with the reason.
    pub notes: Vec<String>,
    /// The bootstrap's refitted parameters, for a customer's CLV band (empty for draws: the
    /// band draws its own).
    #[serde(default)]
    pub refits: Vec<crate::domain::clv::intervals::ParameterSet>,
}

impl ValueRanges {
    /// Packs a report.
    pub fn from_report(r: &IntervalReport) -> Self {
        let mut ranges = Vec::with_capacity(r.customers.len() * PER_CUSTOMER);
        for c in &r.customers {
            for g in [c.p_alive, c.expected_purchases, c.clv] {
                ranges.push(g.lower as f32);
                ranges.push(g.upper as f32);
            }
        }
        ValueRanges {
            method: r.method,
            level: r.level,
            sets: r.sets,
            seed: r.seed,
            ranges,
            equity: r.equity,
            total_purchases: r.total_purchases,
            spend_varied: r.spend_varied,
            distinct_groups: r.distinct_groups,
            notes: r.notes.clone(),
            refits: Vec::new(),
        }
    }

    /// Customers with ranges.
    pub fn len(&self) -> usize {
        self.ranges.len() / PER_CUSTOMER
    }

    /// True when no customer has ranges.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Customer `i`'s ranges (None past the end).
    pub fn customer(&self, i: usize) -> Option<CustomerRanges> {
        let v = self.ranges.get(i * PER_CUSTOMER..(i + 1) * PER_CUSTOMER)?;
        let r = |k: usize| Range {
            lower: f64::from(v[2 * k]),
            upper: f64::from(v[2 * k + 1]),
        };
        Some(CustomerRanges {
            p_alive: r(0),
            expected_purchases: r(1),
            clv: r(2),
        })
    }

    /// The level in plain words ("90% range").
    pub fn label(&self) -> String {
        level_label(self.level)
    }
}

/// A level in plain words ("90% range").
pub fn level_label(level: f64) -> String {
    format!("{:.0}% range", level * 100.0)
}

/// Runs [`crate::analysis::clv::value_intervals`] on `customers` (the held summary's),
/// reporting the share of (x, tₓ, T) groups done.
///
/// # Errors
/// [`WorkerError::Clv`] with a message for the user (bad settings, a fit without a usable
/// covariance).
pub fn run_on(
    customers: &[CustomerRecord],
    model: &FittedModel,
    spend: Option<&FittedGammaGamma>,
    settings: &ClvSettings,
    request: &IntervalRequest,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<ValueRanges, WorkerError> {
    progress(0.0, "Computing ranges");
    let report = crate::analysis::clv::value_intervals(
        model,
        spend,
        customers,
        settings,
        request,
        &mut |f| progress(f, "Computing ranges for every customer"),
    )
    .map_err(WorkerError::Clv)?;
    progress(1.0, "Done");
    Ok(ValueRanges::from_report(&report))
}

#[cfg(test)]
mod tests {
    use crate::domain::clv::{BtydModel, BtydParams, ClvSettings, ModelKind};
    use crate::domain::customers::{CustomerRecord, TimeUnit};
    use crate::worker::datasets::Datasets;
    use crate::worker::tasks::{run_with, Output, Task};

    #[test]
    fn the_worker_computes_ranges_on_its_held_customers_with_progress() {
        let mut held = Datasets::default();
        let Ok(Output::Sample(files)) = run_with(
            Task::Sample {
                n_customers: 400,
                seed: 7,
            },
            &mut held,
            &mut |_, _| {},
        ) else {
            panic!("no sample")
        };
        let Ok(Output::Imported(imp)) = run_with(
            Task::Import {
                dataset: "d".into(),
                file_name: "sample.csv".into(),
                bytes: files.transactions,
                settings: Default::default(),
                summary: Default::default(),
            },
            &mut held,
            &mut |_, _| {},
        ) else {
            panic!("not imported")
        };
        let summary = imp.summary.clone().unwrap();
        let n = summary.customers.len();
        let req = crate::analysis::clv::default_request(summary);
        let Ok(Output::Clv(fit)) = run_with(
            Task::Clv {
                dataset: "d".into(),
                request: Box::new(req),
            },
            &mut held,
            &mut |_, _| {},
        ) else {
            panic!("no fit")
        };
        let mut fractions = Vec::new();
        let out = run_with(
            Task::Intervals {
                dataset: "d".into(),
                model: Box::new(fit.model.clone().unwrap()),
                spend: fit.spend.clone().map(Box::new),
                settings: Box::new(fit.settings.clone().unwrap()),
                request: crate::analysis::clv::IntervalRequest {
                    draws: 50,
                    ..Default::default()
                },
            },
            &mut held,
            &mut |f, _| fractions.push(f),
        )
        .unwrap();
        let bytes = bincode::serialize(&out).unwrap();
        let Output::Intervals(r) = bincode::deserialize::<Output>(&bytes).unwrap() else {
            panic!("not ranges")
        };
        assert_eq!(r.len(), n);
        assert!(fractions.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(fractions.last().copied(), Some(1.0));
        assert_eq!(r.label(), "90% range");
        assert!(r.equity.range.contains(r.equity.estimate), "{:?}", r.equity);
        assert!((r.equity.estimate - fit.equity).abs() < 1e-6 * fit.equity.abs().max(1.0));
        let mut inside = 0;
        for i in 0..n {
            let c = r.customer(i).unwrap();
            assert!(c.clv.lower <= c.clv.upper);
            let v = fit.clv[i];
            // f32 packing: a relative tolerance.
            if c.clv.lower - 1e-5 * v.abs() <= v && v <= c.clv.upper + 1e-5 * v.abs() {
                inside += 1;
            }
        }
        assert!(inside >= n * 95 / 100, "{inside} of {n}");
        assert!(r.customer(n).is_none());
    }

    /// Times the ranges on 100,000 simulated customers with day-resolution times (run with
    /// `cargo test --lib worker::intervals::tests::time_ -- --ignored --nocapture`).
    #[test]
    #[ignore = "timing, not a check"]
    fn time_ranges_on_100000_day_resolution_customers() {
        for kind in [ModelKind::BgNbd, ModelKind::ParetoNbd] {
            let truth = BtydModel::from_array(kind, [0.25, 4.0, 0.8, 2.5]);
            let ages: Vec<f64> = (0..100_000u32)
                .map(|i| f64::from(1 + (i * 7919) % 546) / 7.0)
                .collect();
            let sim = crate::domain::clv::simulate::simulate_btyd(&truth, &ages, 5).unwrap();
            let customers: Vec<CustomerRecord> = sim
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    CustomerRecord::from_stats(
                        format!("c{i}"),
                        f64::from(c.x),
                        (c.t_x * 7.0).round() / 7.0,
                        c.t,
                        if c.x > 0 { 25.0 } else { 0.0 },
                    )
                })
                .collect();
            let fit = BtydParams::new(kind)
                .check()
                .unwrap()
                .fit_records(&customers, TimeUnit::Week, &mut |_| {})
                .unwrap();
            let s = ClvSettings::monthly(TimeUnit::Week, 12, 0.01, 1.0);
            let started = std::time::Instant::now();
            let r = crate::domain::clv::intervals::parameter_intervals(
                &fit,
                None,
                &customers,
                &s,
                &crate::domain::clv::intervals::IntervalSettings::default(),
                &mut |_| {},
            )
            .unwrap();
            let now = started.elapsed().as_secs_f64();
            // Before: every figure evaluated directly per group and set (the former loop).
            let (sets, _) = crate::domain::clv::intervals::draw_parameter_sets(
                &fit,
                None,
                &crate::domain::clv::intervals::IntervalSettings::default(),
            )
            .unwrap();
            let groups: std::collections::HashSet<[u64; 3]> = customers
                .iter()
                .map(|c| [c.x.to_bits(), c.t_x.to_bits(), c.t.to_bits()])
                .collect();
            let started = std::time::Instant::now();
            let mut sink = 0.0;
            for g in &groups {
                let (x, t_x, t) = (
                    f64::from_bits(g[0]),
                    f64::from_bits(g[1]),
                    f64::from_bits(g[2]),
                );
                for p in &sets {
                    sink += p.model.p_alive(x, t_x, t)
                        + p.model
                            .conditional_expected_purchases(s.purchase_horizon, x, t_x, t)
                        + crate::domain::clv::customer_clv(&p.model, x, t_x, t, 1.0, &s);
                }
            }
            eprintln!(
                "{}: {} groups, {} draws: before (direct evaluation only) {:.2} s ({sink:.3e}); now (everything) {now:.2} s; equity {:.1} [{:.1}, {:.1}]",
                kind.name(),
                r.distinct_groups,
                r.sets,
                started.elapsed().as_secs_f64(),
                r.equity.estimate,
                r.equity.range.lower,
                r.equity.range.upper
            );
        }
    }
}
