//! Coverage of the parameter-draw intervals on simulated data with known parameters: simulate
//! a customer base from BG/NBD, fit, draw 200 parameter sets, and check how often the nominal
//! 90 % range of a population figure (the expected purchases of a new customer over 52 weeks,
//! and P(alive) of a fixed customer profile) covers its value under the true parameters.
//!
//! 200 repetitions of 1,000 customers by default (about 10–20 s in the test profile);
//! `INTERVAL_COVERAGE_REPS=N` and `INTERVAL_COVERAGE_N=M` change them.

use crm::domain::clv::intervals::{draw_parameter_sets, quantile_range, IntervalSettings};
use crm::domain::clv::simulate::simulate_btyd;
use crm::domain::clv::{BtydModel, BtydParams, ModelKind};
use crm::domain::customers::{CustomerRecord, TimeUnit};

fn env_u32(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn nominal_90_percent_parameter_intervals_cover_the_truth_about_90_percent_of_the_time() {
    let reps = env_u32("INTERVAL_COVERAGE_REPS", 200);
    let n = env_u32("INTERVAL_COVERAGE_N", 1000);
    let truth = BtydModel::from_array(ModelKind::BgNbd, [0.25, 4.0, 0.8, 2.5]);
    let true_new = truth.expected_purchases(52.0);
    let true_alive = truth.p_alive(2.0, 20.0, 40.0);
    let ages: Vec<f64> = (0..n).map(|i| 20.0 + f64::from(i % 41)).collect();
    let (mut covered_new, mut covered_alive, mut used) = (0u32, 0u32, 0u32);
    let mut no_covariance = 0u32;
    for rep in 0..reps {
        let sim = simulate_btyd(&truth, &ages, 1000 + u64::from(rep)).expect("valid parameters");
        let customers: Vec<CustomerRecord> = sim
            .iter()
            .enumerate()
            .map(|(i, c)| {
                CustomerRecord::from_stats(format!("c{i}"), f64::from(c.x), c.t_x, c.t, 0.0)
            })
            .collect();
        let fit = BtydParams::new(ModelKind::BgNbd)
            .check()
            .expect("default options")
            .fit_records(&customers, TimeUnit::Week, &mut |_| {})
            .expect("fits");
        let settings = IntervalSettings {
            seed: 7 + u64::from(rep),
            ..IntervalSettings::default()
        };
        let Ok((sets, _)) = draw_parameter_sets(&fit, None, &settings) else {
            no_covariance += 1;
            continue;
        };
        let mut new: Vec<f64> = sets
            .iter()
            .map(|s| s.model.expected_purchases(52.0))
            .collect();
        let mut alive: Vec<f64> = sets
            .iter()
            .map(|s| s.model.p_alive(2.0, 20.0, 40.0))
            .collect();
        let (Some(r_new), Some(r_alive)) = (
            quantile_range(&mut new, settings.level),
            quantile_range(&mut alive, settings.level),
        ) else {
            continue;
        };
        used += 1;
        covered_new += u32::from(r_new.contains(true_new));
        covered_alive += u32::from(r_alive.contains(true_alive));
    }
    let share = |c: u32| f64::from(c) / f64::from(used.max(1));
    println!(
        "coverage of nominal 90%: E[X(52)] of a new customer {:.1}% ({covered_new}/{used}), \
         P(alive | x=2, t_x=20, T=40) {:.1}% ({covered_alive}/{used}); {no_covariance} fits \
         without covariance; {reps} repetitions of {n} customers",
        100.0 * share(covered_new),
        100.0 * share(covered_alive)
    );
    assert!(
        used >= reps * 9 / 10,
        "only {used} of {reps} repetitions usable"
    );
    if reps >= 100 {
        for (what, c) in [("new customer", covered_new), ("P(alive)", covered_alive)] {
            let s = share(c);
            assert!((0.82..=0.97).contains(&s), "{what}: coverage {s}");
        }
    }
}
