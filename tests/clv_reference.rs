//! Agreement with the Python package lifetimes 0.11.3 on the synthetic reference data, and
//! with published estimates (CDNOW: Fader, Hardie & Lee 2005; Fader & Hardie's Pareto/NBD note;
//! sBG: Fader & Hardie 2007).

// Test helpers may panic on broken fixtures: that is a test failure, not a time bomb.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use crm::domain::clv::{
    predict_customers, BtydParams, ClvSettings, FittedModel, GammaGammaParams, ModelKind,
};
use crm::domain::customers::{
    summarize, CustomerRecord, CustomerSummary, SummaryOptions, TimeUnit, Transaction,
};
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn reference_summary() -> CustomerSummary {
    let text = std::fs::read_to_string(format!("{FIXTURES}/reference/synth_1e4_transactions.csv"))
        .unwrap();
    let log: Vec<Transaction> = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
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
    summarize(
        &log,
        &SummaryOptions {
            time_unit: TimeUnit::Week,
            observation_end: Some(NaiveDate::from_ymd_opt(2020, 9, 29).unwrap()),
            ..Default::default()
        },
    )
    .unwrap()
}

fn fits() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{FIXTURES}/reference/synth_1e4_lifetimes_fits.json"
        ))
        .unwrap(),
    )
    .unwrap()
}

/// Customers "0".."4" (the json's first five rows).
fn first_five(s: &CustomerSummary) -> Vec<&CustomerRecord> {
    (0..5)
        .map(|i| s.customers.iter().find(|c| c.id == i.to_string()).unwrap())
        .collect()
}

fn rel(a: f64, b: f64) -> f64 {
    ((a - b) / b).abs()
}

fn fit(kind: ModelKind, customers: &[CustomerRecord]) -> FittedModel {
    BtydParams::new(kind)
        .check()
        .unwrap()
        .fit_records(customers, TimeUnit::Week, &mut |_| {})
        .unwrap()
}

fn first5(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn summary_matches_the_reference_summary() {
    let s = reference_summary();
    let j = fits();
    let d = &j["data_summary"];
    assert_eq!(s.customers.len(), 10_000);
    let sum_x: f64 = s.customers.iter().map(|c| c.x).sum();
    assert_eq!(sum_x, d["sum_frequency"].as_f64().unwrap());
    let c0 = s.customers.iter().find(|c| c.id == "0").unwrap();
    assert!((c0.t - 29.571428571428573).abs() < 1e-9);
    assert!((c0.t_x - 4.285714285714286).abs() < 1e-9);
}

fn check_btyd(kind: ModelKind, key: &str, exact_params: bool) {
    let s = reference_summary();
    let j = fits();
    let m = fit(kind, &s.customers);
    let r = &j["models"][key];
    assert!(m.convergence.converged, "{:?}", m.convergence);
    let ll_ref = r["log_likelihood"].as_f64().unwrap();
    println!(
        "{key}: {:?} LL {} (lifetimes {ll_ref}) {:?}",
        m.model, m.log_likelihood, m.convergence
    );
    if exact_params {
        for p in &m.params {
            let want = r["params"][&p.name].as_f64().unwrap();
            assert!(
                rel(p.value, want) < 5e-5,
                "{key} {}: {} vs {want}",
                p.name,
                p.value
            );
        }
        assert!(
            (m.log_likelihood - ll_ref).abs() < 1e-3,
            "{} vs {ll_ref}",
            m.log_likelihood
        );
    } else {
        assert!(
            m.log_likelihood >= ll_ref - 1e-6,
            "{} vs {ll_ref}",
            m.log_likelihood
        );
    }
    assert!(m
        .params
        .iter()
        .all(|p| p.std_error.is_some_and(|s| s > 0.0)));
    if exact_params {
        let pa = first5(&r["first5"]["p_alive"]);
        let ep = first5(&r["first5"]["expected_purchases_horizon"]);
        for (i, c) in first_five(&s).into_iter().enumerate() {
            let got_pa = m.p_alive(c.x, c.t_x, c.t);
            let got_ep = m.conditional_expected_purchases(52.0, c.x, c.t_x, c.t);
            assert!(
                rel(got_pa, pa[i]) < 1e-4,
                "{key} p_alive[{i}] {got_pa} vs {}",
                pa[i]
            );
            assert!(
                rel(got_ep, ep[i]) < 1e-4,
                "{key} E[purchases][{i}] {got_ep} vs {}",
                ep[i]
            );
        }
        let u = r["aggregate"]["unconditional_expected_purchases_horizon"]
            .as_f64()
            .unwrap();
        assert!(rel(m.expected_purchases(52.0), u) < 1e-4);
        // CLV with the lifetimes Gamma-Gamma fit.
        let gg = GammaGammaParams::default()
            .fit(&s.customers, &mut |_| {})
            .unwrap();
        let settings = ClvSettings::monthly(TimeUnit::Week, 12, 0.01, 1.0);
        let preds = predict_customers(&m, Some(&gg), &s.customers, &settings).unwrap();
        let clv = first5(&j["clv"][key]["first5"]);
        for (i, c) in first_five(&s).into_iter().enumerate() {
            let p = preds.iter().find(|p| p.id == c.id).unwrap();
            assert!(
                rel(p.clv, clv[i]) < 1e-4,
                "{key} clv[{i}] {} vs {}",
                p.clv,
                clv[i]
            );
        }
        let sum: f64 = preds.iter().map(|p| p.clv).sum();
        assert!(rel(sum, j["clv"][key]["sum"].as_f64().unwrap()) < 2e-4);
    }
}

#[test]
fn bgnbd_agrees_with_lifetimes() {
    check_btyd(ModelKind::BgNbd, "bgnbd", true);
}

#[test]
fn mbgnbd_agrees_with_lifetimes() {
    check_btyd(ModelKind::MbgNbd, "mbgnbd", true);
}

#[test]
fn pareto_nbd_reaches_at_least_the_lifetimes_likelihood() {
    check_btyd(ModelKind::ParetoNbd, "pnbd", false);
}

#[test]
fn gamma_gamma_agrees_with_lifetimes() {
    let s = reference_summary();
    let j = fits();
    let gg = GammaGammaParams::default()
        .fit(&s.customers, &mut |_| {})
        .unwrap();
    let p = &j["models"]["gg"]["params"];
    println!("{:?}", gg);
    assert!(gg.convergence.converged);
    assert!(rel(gg.params.p, p["p"].as_f64().unwrap()) < 5e-5);
    assert!(rel(gg.params.q, p["q"].as_f64().unwrap()) < 5e-5);
    assert!(rel(gg.params.gamma, p["gamma(v)"].as_f64().unwrap()) < 5e-5);
    assert!(
        (gg.log_likelihood - j["models"]["gg"]["log_likelihood"].as_f64().unwrap()).abs() < 1e-3
    );
    assert_eq!(gg.n_customers, 4060);
}

fn cdnow() -> Vec<CustomerRecord> {
    let text = std::fs::read_to_string(format!(
        "{FIXTURES}/cdnow_customers_summary_with_transactions.csv"
    ))
    .unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<f64> = l
                .split(',')
                .skip(1)
                .map(|v| v.trim().parse().unwrap())
                .collect();
            let id = l.split(',').next().unwrap().to_string();
            CustomerRecord::from_stats(id, f[0], f[1], f[2], f[3])
        })
        .collect()
}

/// The CDNOW 1/10 sample as a transaction log (`cdnow_sample_transactions.txt`, shipped by
/// lifetimes 0.11.3: master id, sample id, yyyymmdd, quantity, amount), summarised with the
/// default options on the published 39-week calibration period.
fn cdnow_from_log() -> CustomerSummary {
    let text =
        std::fs::read_to_string(format!("{FIXTURES}/cdnow_sample_transactions.txt")).unwrap();
    let log: Vec<Transaction> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Transaction {
                customer_id: f[1].trim_start_matches('0').to_string(),
                date: NaiveDate::parse_from_str(f[2], "%Y%m%d").unwrap(),
                amount: f[4].parse().unwrap(),
                margin: None,
                quantity: None,
                channel: None,
                product: None,
            }
        })
        .collect();
    summarize(
        &log,
        &SummaryOptions {
            time_unit: TimeUnit::Week,
            observation_end: NaiveDate::from_ymd_opt(1998, 6, 30),
            calibration_end: NaiveDate::from_ymd_opt(1997, 9, 30),
            ..Default::default()
        },
    )
    .unwrap()
}

#[test]
fn the_cdnow_log_keeps_every_customer_including_free_orders() {
    let s = cdnow_from_log();
    assert_eq!(s.customers.len(), 2357);
    assert!(s.excluded.is_empty(), "{:?}", s.excluded);
    // Every customer matches the published summary (two decimals) by id.
    let published = cdnow();
    for p in &published {
        let c = s.customers.iter().find(|c| c.id == p.id).unwrap();
        assert_eq!(c.x, p.x, "{}", p.id);
        assert!(
            (c.t_x - p.t_x).abs() < 0.006,
            "{}: {} vs {}",
            p.id,
            c.t_x,
            p.t_x
        );
        assert!((c.t - p.t).abs() < 0.006, "{}: {} vs {}", p.id, c.t, p.t);
    }
    let m = fit(ModelKind::BgNbd, &s.customers);
    assert_eq!(m.n_customers, 2357);
    assert!(
        (m.log_likelihood - -9582.4).abs() < 0.1,
        "{}",
        m.log_likelihood
    );
}

#[test]
fn bgnbd_reproduces_fader_hardie_lee_2005_on_cdnow() {
    let m = fit(ModelKind::BgNbd, &cdnow());
    println!("{:?} {}", m.model, m.log_likelihood);
    assert_eq!(m.n_customers, 2357);
    for (name, want) in [("r", 0.243), ("alpha", 4.414), ("a", 0.793), ("b", 2.426)] {
        let got = m.param(name).unwrap();
        assert!((got - want).abs() < 6e-4, "{name}: {got} vs {want}");
    }
    assert!(
        (m.log_likelihood - -9582.4).abs() < 0.05,
        "{}",
        m.log_likelihood
    );
}

#[test]
fn pareto_nbd_reproduces_the_published_cdnow_fit() {
    let m = fit(ModelKind::ParetoNbd, &cdnow());
    println!("{:?} {} {:?}", m.model, m.log_likelihood, m.convergence);
    assert!(m.convergence.converged);
    for (name, want) in [
        ("r", 0.553),
        ("alpha", 10.58),
        ("s", 0.606),
        ("beta", 11.67),
    ] {
        let got = m.param(name).unwrap();
        assert!(rel(got, want) < 2e-3, "{name}: {got} vs {want}");
    }
    assert!(
        (m.log_likelihood - -9594.98).abs() < 0.01,
        "{}",
        m.log_likelihood
    );
}

#[test]
fn gamma_gamma_reproduces_the_published_cdnow_fit() {
    let gg = GammaGammaParams::default()
        .fit(&cdnow(), &mut |_| {})
        .unwrap();
    println!("{:?}", gg);
    assert!((gg.params.p - 6.25).abs() < 0.006, "{:?}", gg.params);
    assert!((gg.params.q - 3.74).abs() < 0.006, "{:?}", gg.params);
    // Published to two decimals; the optimum is γ = 15.448 (lifetimes' docs print 15.45).
    assert!((gg.params.gamma - 15.44).abs() < 0.01, "{:?}", gg.params);
    assert_eq!(gg.n_customers, 946);
    assert!(!gg.correlation_warning);
}

#[test]
fn predictions_at_the_lifetimes_parameters_match_for_every_model() {
    use crm::domain::clv::BtydModel;
    let s = reference_summary();
    let j = fits();
    let gg = j["models"]["gg"]["params"].clone();
    let spend = crm::domain::clv::GammaGamma {
        p: gg["p"].as_f64().unwrap(),
        q: gg["q"].as_f64().unwrap(),
        gamma: gg["gamma(v)"].as_f64().unwrap(),
    };
    for (kind, key) in [
        (ModelKind::BgNbd, "bgnbd"),
        (ModelKind::ParetoNbd, "pnbd"),
        (ModelKind::MbgNbd, "mbgnbd"),
    ] {
        let r = &j["models"][key];
        let names = kind.parameter_names();
        let p = names.map(|n| r["params"][n].as_f64().unwrap());
        let model = BtydModel::from_array(kind, p);
        let pa = first5(&r["first5"]["p_alive"]);
        let ep = first5(&r["first5"]["expected_purchases_horizon"]);
        let clv = first5(&j["clv"][key]["first5"]);
        let settings = ClvSettings::monthly(TimeUnit::Week, 12, 0.01, 1.0);
        for (i, c) in first_five(&s).into_iter().enumerate() {
            assert!(
                rel(model.p_alive(c.x, c.t_x, c.t), pa[i]) < 1e-9,
                "{key} p_alive[{i}]"
            );
            let e = model.conditional_expected_purchases(52.0, c.x, c.t_x, c.t);
            assert!(rel(e, ep[i]) < 1e-9, "{key} E[{i}] {e} vs {}", ep[i]);
            let sp = spend.expected_spend(c.x, c.monetary);
            let v = crm::domain::clv::customer_clv(&model, c.x, c.t_x, c.t, sp, &settings);
            assert!(rel(v, clv[i]) < 1e-6, "{key} clv[{i}] {v} vs {}", clv[i]);
        }
        let u = r["aggregate"]["unconditional_expected_purchases_horizon"]
            .as_f64()
            .unwrap();
        assert!(
            rel(model.expected_purchases(52.0), u) < 1e-9,
            "{key} unconditional"
        );
        let ll: f64 = s
            .customers
            .iter()
            .map(|c| model.log_likelihood(c.x, c.t_x, c.t))
            .sum();
        assert!(
            (ll - r["log_likelihood"].as_f64().unwrap()).abs() < 1e-6,
            "{key} LL {ll}"
        );
    }
}

#[test]
fn model_vs_data_repeat_distribution_and_holdout_on_the_reference_log() {
    use crm::domain::clv::validation::{data_gate, holdout_by_frequency, repeat_distribution};
    let s = reference_summary();
    let gate = data_gate(&s.customers);
    assert!(gate.enough, "{:?}", gate.reasons);
    assert_eq!(gate.n_repeaters, 4060);
    let m = fit(ModelKind::BgNbd, &s.customers);
    let bins = repeat_distribution(&m, &s.customers);
    assert_eq!(bins.len(), 8);
    let obs: u64 = bins.iter().map(|b| b.observed).sum();
    let exp: f64 = bins.iter().map(|b| b.expected).sum();
    assert_eq!(obs, 10_000);
    assert!((exp - 10_000.0).abs() < 1e-6, "{exp}");
    // The model fits its own calibration data closely for zero repeaters.
    assert!(
        rel(bins[0].expected, bins[0].observed as f64) < 0.05,
        "{:?}",
        bins[0]
    );

    // Holdout: calibrate up to 2020-07-31, compare with August–September.
    let text = std::fs::read_to_string(format!("{FIXTURES}/reference/synth_1e4_transactions.csv"))
        .unwrap();
    let log: Vec<Transaction> = text
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
    let split = summarize(
        &log,
        &SummaryOptions {
            time_unit: TimeUnit::Week,
            observation_end: Some(NaiveDate::from_ymd_opt(2020, 9, 29).unwrap()),
            calibration_end: Some(NaiveDate::from_ymd_opt(2020, 7, 31).unwrap()),
            ..Default::default()
        },
    )
    .unwrap();
    let cal = fit(ModelKind::BgNbd, &split.customers);
    let rows = holdout_by_frequency(&cal, &split).unwrap();
    assert_eq!(rows.first().map(|r| r.calibration_x), Some(0));
    let n: u64 = rows.iter().map(|r| r.n_customers).sum();
    assert_eq!(n as usize, split.customers.len());
    // Aggregate holdout purchases: the model (simulated from BG/NBD) predicts within 10 %.
    let act: f64 = rows.iter().map(|r| r.actual * r.n_customers as f64).sum();
    let pred: f64 = rows
        .iter()
        .map(|r| r.predicted * r.n_customers as f64)
        .sum();
    assert!(rel(pred, act) < 0.1, "predicted {pred} vs actual {act}");
}

#[test]
fn fitted_models_round_trip_through_json_for_the_worker() {
    let m = fit(ModelKind::ParetoNbd, &cdnow());
    let text = serde_json::to_string(&m).unwrap();
    let back: FittedModel = serde_json::from_str(&text).unwrap();
    // serde_json may differ in the last bit of a float; compare to 1e-14.
    assert_eq!(back.kind, m.kind);
    assert_eq!(back.params.len(), 4);
    for (a, b) in back.params.iter().zip(&m.params) {
        assert_eq!(a.name, b.name);
        assert!(rel(a.value, b.value) < 1e-14);
    }
    assert!(rel(back.log_likelihood, m.log_likelihood) < 1e-14);
    assert_eq!(back.convergence.converged, m.convergence.converged);
    assert_eq!(back.n_customers, m.n_customers);
    let gg = GammaGammaParams::default()
        .fit(&cdnow(), &mut |_| {})
        .unwrap();
    let back: crm::domain::clv::FittedGammaGamma =
        serde_json::from_str(&serde_json::to_string(&gg).unwrap()).unwrap();
    // serde_json may differ in the last bit of a float; compare to 1e-14.
    assert!(rel(back.params.p, gg.params.p) < 1e-14);
    assert!(rel(back.params.gamma, gg.params.gamma) < 1e-14);
    assert_eq!(back.convergence.reason, gg.convergence.reason);
    assert_eq!(back.n_customers, gg.n_customers);
}

#[test]
fn progress_is_reported_from_zero_to_one() {
    let mut seen = Vec::new();
    BtydParams::new(ModelKind::BgNbd)
        .check()
        .unwrap()
        .fit_records(&cdnow(), TimeUnit::Week, &mut |f| seen.push(f))
        .unwrap();
    assert!(seen.len() > 3);
    assert!(seen.windows(2).all(|w| w[1] >= w[0]), "{seen:?}");
    assert_eq!(seen.last().copied(), Some(1.0));
}
