//! Every lifetime-value model on degenerate data: one customer, nobody repeats, everyone buys
//! every day, all amounts zero, all amounts equal, purchases after the observation end,
//! impossible records (t_x > T), a single day of data, and degenerate sBG cohorts. Each case
//! must give a finite result or a clear error, never NaN or infinity, and finish quickly.

// Test helpers may panic on broken fixtures: that is a test failure, not a time bomb.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use crm::domain::clv::{
    predict_customers, BtydParams, ClvError, ClvSettings, FittedModel, GammaGammaParams, ModelKind,
    SbgParams,
};
use crm::domain::customers::{CustomerRecord, SummaryOptions, TimeUnit, TxColumns};
use std::sync::mpsc;
use std::time::Duration;

/// Seconds a case may take before it counts as a hang.
const LIMIT: u64 = 20;

/// Runs `f` on its own thread: its first failure, or a hang after `seconds`.
fn within(
    seconds: u64,
    what: &str,
    f: impl FnOnce() -> Result<(), String> + Send + 'static,
) -> Result<(), String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(Duration::from_secs(seconds)) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            Err(format!("{what}: no answer within {seconds} s"))
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(format!("{what}: panicked")),
    }
}

fn finite(what: &str, name: &str, v: f64) -> Result<(), String> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(format!("{what}: {name} = {v}"))
    }
}

/// An error must say something (name a parameter, a record or the data problem).
fn clear(what: &str, e: &ClvError) -> Result<(), String> {
    let s = e.to_string();
    if s.len() < 20 || s.contains("NaN") || s.contains("inf") {
        return Err(format!("{what}: unclear error {s:?}"));
    }
    Ok(())
}

/// Fails with every problem found.
fn all_ok(results: Vec<Result<(), String>>) {
    let bad: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

fn settings(unit: TimeUnit) -> ClvSettings {
    ClvSettings::monthly(unit, 12, 0.01, 0.3)
}

/// Every BTYD model, Gamma-Gamma and the CLV computation on `recs`: finite or a clear error.
fn every_model(case: &str, recs: Vec<CustomerRecord>, unit: TimeUnit) {
    every_model_but(case, recs, unit, &[]);
}

/// As [`every_model`], leaving out the BTYD models in `skip` (known failures, reported).
fn every_model_but(case: &str, recs: Vec<CustomerRecord>, unit: TimeUnit, skip: &[ModelKind]) {
    let mut results = Vec::new();
    for kind in ModelKind::ALL.into_iter().filter(|k| !skip.contains(k)) {
        let recs = recs.clone();
        let what = format!("{case}, {}", kind.name());
        let w = what.clone();
        results.push(within(LIMIT, &what, move || {
            check_btyd(&w, kind, &recs, unit)
        }));
    }
    let what = format!("{case}, Gamma-Gamma");
    let w = what.clone();
    results.push(within(LIMIT, &what, move || gamma_gamma(&w, &recs)));
    all_ok(results);
}

fn gamma_gamma(w: &str, recs: &[CustomerRecord]) -> Result<(), String> {
    match GammaGammaParams::default().fit(recs, &mut |_| {}) {
        Ok(f) => {
            for (n, v) in [
                ("p", f.params.p),
                ("q", f.params.q),
                ("gamma", f.params.gamma),
                ("log-likelihood", f.log_likelihood),
                ("correlation", f.frequency_spend_correlation),
                ("population mean", f.population_mean().value),
                ("population mean (params)", f.params.population_mean()),
            ] {
                finite(w, n, v)?;
            }
            for c in recs {
                finite(w, "expected spend", f.spend_estimate(c.x, c.monetary).value)?;
                finite(
                    w,
                    "expected spend (params)",
                    f.params.expected_spend(c.x, c.monetary),
                )?;
            }
            Ok(())
        }
        Err(e) => clear(w, &e),
    }
}

fn check_btyd(
    what: &str,
    kind: ModelKind,
    recs: &[CustomerRecord],
    unit: TimeUnit,
) -> Result<(), String> {
    let fit = BtydParams::new(kind)
        .check()
        .unwrap()
        .fit_records(recs, unit, &mut |_| {});
    let model: FittedModel = match fit {
        Ok(m) => m,
        Err(e) => return clear(what, &e),
    };
    finite(what, "log-likelihood", model.log_likelihood)?;
    for p in &model.params {
        finite(what, &p.name, p.value)?;
    }
    let spend = GammaGammaParams::default().fit(recs, &mut |_| {}).ok();
    let preds = predict_customers(&model, spend.as_ref(), recs, &settings(unit))
        .map_err(|e| format!("{what}: predictions: {e}"))?;
    for p in &preds {
        finite(what, "P(alive)", p.p_alive)?;
        finite(what, "expected purchases", p.expected_purchases)?;
        finite(what, "expected spend", p.expected_spend)?;
        finite(what, "CLV", p.clv)?;
    }
    finite(what, "E[X(52)]", model.expected_purchases(52.0))
}

fn rec(id: usize, x: f64, t_x: f64, t: f64, m: f64) -> CustomerRecord {
    CustomerRecord::from_stats(id.to_string(), x, t_x, t, m)
}

#[test]
fn one_customer() {
    every_model_but(
        "one customer",
        vec![rec(0, 2.0, 5.0, 10.0, 20.0)],
        TimeUnit::Week,
        &[ModelKind::ParetoNbd],
    );
}

#[test]
fn one_customer_without_repeat_purchases() {
    every_model(
        "one new customer",
        vec![rec(0, 0.0, 0.0, 10.0, 0.0)],
        TimeUnit::Week,
    );
}

#[test]
fn nobody_repeats() {
    let recs = (0..200)
        .map(|i| rec(i, 0.0, 0.0, 1.0 + (i % 40) as f64, 0.0))
        .collect();
    every_model("nobody repeats", recs, TimeUnit::Week);
}

#[test]
fn everyone_buys_every_day() {
    every_model_but(
        "everyone buys every day",
        every_day(),
        TimeUnit::Day,
        &[ModelKind::ParetoNbd],
    );
}

/// x = T = t_x in days: a purchase every day since the first.
fn every_day() -> Vec<CustomerRecord> {
    (0..200)
        .map(|i| {
            let t = 10.0 + (i % 50) as f64;
            rec(i, t, t, t, 15.0 + (i % 7) as f64)
        })
        .collect()
}

#[test]
fn all_amounts_zero() {
    every_model_but(
        "all amounts zero",
        amounts(0.0),
        TimeUnit::Week,
        &[ModelKind::ParetoNbd],
    );
}

/// x = 0..4 repeat purchases at every 3rd week, T = 20 weeks, every repeat worth `amount`.
fn amounts(amount: f64) -> Vec<CustomerRecord> {
    (0..200)
        .map(|i| {
            let x = (i % 5) as f64;
            let m = if x > 0.0 { amount } else { 0.0 };
            rec(i, x, 3.0 * x, 20.0, m)
        })
        .collect()
}

#[test]
fn all_amounts_equal() {
    every_model_but(
        "all amounts equal",
        amounts(25.0),
        TimeUnit::Week,
        &[ModelKind::ParetoNbd],
    );
}

#[test]
fn purchases_after_the_observation_end_are_ignored() {
    every_model_but(
        "purchases after the end",
        after_the_end(),
        TimeUnit::Day,
        &[ModelKind::BgNbd, ModelKind::ParetoNbd],
    );
}

/// 60 customers over 20 days of January (half buy twice), each with a purchase of 99 on the
/// 28th, after the observation end (the 20th): the summary must leave it out.
fn after_the_end() -> Vec<CustomerRecord> {
    let day = |d: u32| NaiveDate::from_ymd_opt(2024, 1, d).unwrap();
    let mut cols = TxColumns::default();
    for i in 0..60u32 {
        let id = format!("c{i}");
        cols.push(&id, day(1 + i % 10), 10.0 + f64::from(i % 4), None);
        if i % 2 == 0 {
            cols.push(&id, day(12 + i % 8), 12.0, None);
        }
        // After the end: must not count.
        cols.push(&id, day(28), 99.0, None);
    }
    let s = cols
        .summarize(&SummaryOptions {
            time_unit: TimeUnit::Day,
            observation_end: Some(day(20)),
            ..Default::default()
        })
        .unwrap();
    for c in &s.customers {
        assert!(c.t_x <= c.t && c.t <= 19.0, "{c:?}");
        assert!(c.monetary < 99.0, "{c:?}");
    }
    s.customers
}

#[test]
fn an_observation_end_before_every_purchase_is_a_clear_error() {
    let mut cols = TxColumns::default();
    cols.push(
        "a",
        NaiveDate::from_ymd_opt(2024, 5, 1).unwrap(),
        10.0,
        None,
    );
    let e = cols
        .summarize(&SummaryOptions {
            observation_end: Some(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()),
            ..Default::default()
        })
        .unwrap_err();
    assert!(e.to_string().contains("before the first purchase"), "{e}");
}

#[test]
fn a_last_purchase_after_the_end_of_observation_is_rejected_by_every_model() {
    let recs = vec![rec(0, 1.0, 2.0, 10.0, 5.0), rec(1, 2.0, 12.0, 10.0, 5.0)];
    for kind in ModelKind::ALL {
        let e = BtydParams::new(kind)
            .check()
            .unwrap()
            .fit_records(&recs, TimeUnit::Week, &mut |_| {})
            .unwrap_err();
        assert!(e.to_string().contains("field t_x"), "{e}");
    }
    let e = GammaGammaParams::default()
        .fit(&recs, &mut |_| {})
        .unwrap_err();
    assert!(e.to_string().contains("field t_x"), "{e}");
}

#[test]
fn a_single_day_of_data() {
    let day = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
    let mut cols = TxColumns::default();
    for i in 0..50 {
        cols.push(&format!("c{i}"), day, 5.0 + f64::from(i), None);
    }
    let s = cols.summarize(&SummaryOptions::default()).unwrap();
    assert!(s.customers.iter().all(|c| c.x == 0.0 && c.t == 0.0));
    every_model("a single day of data", s.customers, TimeUnit::Day);
}

/// sBG on degenerate cohorts: finite or a clear error, quickly.
fn sbg_case(what: &str, survivors: Vec<f64>) -> Result<(), String> {
    let w = what.to_string();
    within(LIMIT, what, move || {
        match SbgParams::default().fit(&survivors, &mut |_| {}) {
            Ok(f) => {
                finite(&w, "alpha", f.params.alpha)?;
                finite(&w, "beta", f.params.beta)?;
                finite(&w, "log-likelihood", f.log_likelihood)?;
                for (t, s) in f.projected_survivors(24).iter().enumerate() {
                    finite(&w, &format!("survivors at {t}"), *s)?;
                }
                for t in 1..24 {
                    finite(&w, "retention", f.params.retention(t))?;
                }
                finite(&w, "DERL", f.params.derl(0.1, 1))
            }
            Err(e) => clear(&w, &e),
        }
    })
}

#[test]
fn sbg_on_degenerate_cohorts() {
    all_ok(vec![
        sbg_case("nobody churns", vec![100.0, 100.0, 100.0, 100.0]),
        sbg_case("everyone churns in period 1", vec![100.0, 0.0, 0.0]),
        sbg_case("one customer who stays", vec![1.0, 1.0]),
        sbg_case("one customer who leaves", vec![1.0, 0.0]),
        sbg_case("an empty cohort", vec![0.0, 0.0, 0.0]),
        sbg_case(
            "constant retention",
            vec![1000.0, 500.0, 250.0, 125.0, 62.5],
        ),
        sbg_case("one value", vec![100.0]),
    ]);
}

/// A deterministic uniform in [0, 1).
fn lcg(seed: &mut u64) -> f64 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*seed >> 11) as f64 / (1u64 << 53) as f64
}

/// 127,000 repeaters, x = 1..20, every transaction drawn by `draw` with one distribution for
/// everyone: no spread across customers beyond each customer's own noise.
fn no_spread_data(draw: &mut dyn FnMut() -> f64) -> Vec<CustomerRecord> {
    (0..127_000usize)
        .map(|i| {
            let x = 1 + i % 20;
            let m = (0..x).map(|_| draw()).sum::<f64>() / x as f64;
            rec(i, x as f64, 1.0, 50.0, m)
        })
        .collect()
}

#[test]
fn gamma_gamma_without_spread_on_127_000_distinct_pairs_is_fast_and_finite() {
    let mut seed = 11u64;
    let recs = no_spread_data(&mut || 5.0 + 95.0 * lcg(&mut seed));
    let started = std::time::Instant::now();
    let f = GammaGammaParams::default().fit(&recs, &mut |_| {}).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    eprintln!("Gamma-Gamma without spread, 127,000 distinct (x, m): {seconds:.3} s");
    assert!(f.no_spread, "{f:?}");
    gamma_gamma("uniform spends", &recs).unwrap();
    // Was 4.3 s (release) before the boundary check; a test build on a shared machine is
    // allowed a margin.
    assert!(seconds < 3.0, "{seconds} s");
}

#[test]
#[ignore = "timing record: cargo test --release --test degenerate -- --ignored --nocapture"]
fn timing_near_the_boundary_with_gamma_distributed_transactions() {
    // Every transaction Gamma(3, 1/10) with one ν for everyone: the model's own no-spread
    // case, where the score at q → ∞ is zero up to noise (either branch may run).
    for seed0 in [1u64, 2, 3, 4] {
        let mut seed = seed0;
        let recs =
            no_spread_data(&mut || (0..3).map(|_| -10.0 * (1.0 - lcg(&mut seed)).ln()).sum());
        let started = std::time::Instant::now();
        let f = GammaGammaParams::default().fit(&recs, &mut |_| {}).unwrap();
        eprintln!(
            "seed {seed0}: {:.3} s, no_spread {}, {:?}, {}",
            started.elapsed().as_secs_f64(),
            f.no_spread,
            f.params,
            f.convergence.reason
        );
        gamma_gamma("Gamma(3) spends", &recs).unwrap();
    }
}

// Former failures (hangs over 20 s, NaN P(alive), LL = +inf), each one model on one case:
// fixed by the bounded search with non-finite likelihoods rejected (`BtydParams::fit_records`).

fn known(case: &str, recs: Vec<CustomerRecord>, unit: TimeUnit, kind: ModelKind) {
    let what = format!("{case}, {}", kind.name());
    let w = what.clone();
    all_ok(vec![within(LIMIT, &what, move || {
        check_btyd(&w, kind, &recs, unit)
    })]);
}

#[test]
fn pareto_nbd_on_one_customer() {
    known(
        "one customer",
        vec![rec(0, 2.0, 5.0, 10.0, 20.0)],
        TimeUnit::Week,
        ModelKind::ParetoNbd,
    );
}

#[test]
fn pareto_nbd_when_everyone_buys_every_day() {
    known(
        "everyone buys every day",
        every_day(),
        TimeUnit::Day,
        ModelKind::ParetoNbd,
    );
}

#[test]
fn pareto_nbd_on_regular_buyers() {
    known(
        "all amounts zero",
        amounts(0.0),
        TimeUnit::Week,
        ModelKind::ParetoNbd,
    );
}

#[test]
fn bg_nbd_on_a_short_day_log() {
    known(
        "purchases after the end",
        after_the_end(),
        TimeUnit::Day,
        ModelKind::BgNbd,
    );
}

#[test]
fn pareto_nbd_on_a_short_day_log() {
    known(
        "purchases after the end",
        after_the_end(),
        TimeUnit::Day,
        ModelKind::ParetoNbd,
    );
}
