//! The classroom simulator's promise: a customer base generated from a model with known
//! parameters, read through the same import path as a user's file and fitted, recovers every
//! parameter within three standard errors on 10,000 customers, for every model (BG/NBD,
//! MBG/NBD, Pareto/NBD, Gamma-Gamma spend, sBG); and the same seed gives the same bytes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, NaiveDate};
use crm::analysis::clv::{fit_model, fit_spend};
use crm::domain::clv::{BgNbd, BtydModel, MbgNbd, ModelKind, ParetoNbd, SbgParams};
use crm::domain::customers::{CustomerSummary, SummaryOptions, TimeUnit};
use crm::domain::sample::{self, SampleParams};
use crm::worker::tasks::{run, ImportSettings, Output, Task};

const CUSTOMERS: u32 = 10_000;

fn params(purchase: BtydModel, seed: u64) -> SampleParams {
    SampleParams {
        n_customers: CUSTOMERS,
        seed,
        purchase,
        ..Default::default()
    }
}

/// The log as a user's file: imported by the worker's import task, summarised in weeks up to
/// the last simulated day.
fn summary_of(p: &SampleParams) -> CustomerSummary {
    let log = sample::transaction_log(p).unwrap();
    let task = Task::Import {
        dataset: String::new(),
        file_name: "simulated.csv".into(),
        bytes: log.csv.into_bytes(),
        settings: ImportSettings::default(),
        summary: SummaryOptions {
            time_unit: TimeUnit::Week,
            observation_end: Some(p.start + Duration::days(i64::from(p.observation_days) - 1)),
            ..Default::default()
        },
    };
    match run(task, &mut |_, _| {}).unwrap() {
        Output::Imported(i) => i.summary.unwrap(),
        other => panic!("not an import: {other:?}"),
    }
}

fn within_three_se(what: &str, name: &str, truth: f64, estimate: f64, se: Option<f64>) {
    let se = se.unwrap_or_else(|| panic!("{what}: {name} has no standard error"));
    let z = (estimate - truth) / se;
    assert!(
        z.abs() < 3.0,
        "{what}: {name} estimated {estimate:.4} ± {se:.4}, truth {truth}, z = {z:.2}"
    );
    eprintln!("{what}: {name} truth {truth} estimate {estimate:.4} se {se:.4} z {z:+.2}");
}

fn recovers(purchase: BtydModel, seed: u64) -> CustomerSummary {
    let kind = purchase.kind();
    let summary = summary_of(&params(purchase, seed));
    assert_eq!(summary.customers.len(), CUSTOMERS as usize);
    let fit = fit_model(kind, &summary, &mut |_| {}).unwrap();
    let truth = purchase.to_array();
    for (p, t) in fit.params.iter().zip(truth) {
        within_three_se(kind.code(), &p.name, t, p.value, p.std_error);
    }
    summary
}

#[test]
fn bgnbd_and_gamma_gamma_are_recovered_from_a_simulated_log() {
    let truth = BtydModel::BgNbd(BgNbd {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    });
    let summary = recovers(truth, 11);
    let d = SampleParams::default();
    let gg = fit_spend(&summary.customers).unwrap();
    for ((name, t), (v, se)) in [("p", d.gg_p), ("q", d.gg_q), ("gamma", d.gg_gamma)]
        .into_iter()
        .zip(
            [gg.params.p, gg.params.q, gg.params.gamma]
                .into_iter()
                .zip(gg.std_errors),
        )
    {
        within_three_se("gamma-gamma", name, t, v, se);
    }
}

#[test]
fn mbgnbd_is_recovered_from_a_simulated_log() {
    recovers(
        BtydModel::MbgNbd(MbgNbd {
            r: 0.525,
            alpha: 6.183,
            a: 0.891,
            b: 1.614,
        }),
        12,
    );
}

#[test]
fn pareto_nbd_is_recovered_from_a_simulated_log() {
    recovers(
        BtydModel::ParetoNbd(ParetoNbd {
            r: 0.553,
            alpha: 10.58,
            s: 0.606,
            beta: 11.67,
        }),
        13,
    );
}

#[test]
fn sbg_is_recovered_from_a_simulated_cohort() {
    let (a, b) = (0.704, 1.182);
    let csv = sample::cohort(CUSTOMERS, a, b, 12, 14);
    let survivors: Vec<f64> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    let fit = SbgParams::default().fit(&survivors, &mut |_| {}).unwrap();
    within_three_se("sbg", "alpha", a, fit.params.alpha, fit.std_errors[0]);
    within_three_se("sbg", "beta", b, fit.params.beta, fit.std_errors[1]);
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_other_bytes() {
    for model in [ModelKind::BgNbd, ModelKind::MbgNbd, ModelKind::ParetoNbd] {
        let m = BtydModel::from_array(model, [0.5, 6.0, 0.8, 2.0]);
        let p = SampleParams {
            n_customers: 300,
            ..params(m, 5)
        };
        let a = sample::transaction_log(&p).unwrap().csv;
        assert_eq!(a, sample::transaction_log(&p).unwrap().csv);
        assert_ne!(
            a,
            sample::transaction_log(&SampleParams {
                seed: 6,
                ..p.clone()
            })
            .unwrap()
            .csv
        );
        assert!(a.starts_with("customer_id,date,amount\nC00001,2024-"));
        let last = a
            .lines()
            .skip(1)
            .filter_map(|l| NaiveDate::parse_from_str(l.split(',').nth(1)?, "%Y-%m-%d").ok())
            .max()
            .unwrap();
        assert!(last < p.start + Duration::days(i64::from(p.observation_days)));
    }
    assert_eq!(
        sample::cohort(500, 0.7, 1.2, 8, 3),
        sample::cohort(500, 0.7, 1.2, 8, 3)
    );
}
