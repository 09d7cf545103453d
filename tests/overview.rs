//! The Overview's figures and actions: pinned on a five-customer case checked by hand, and on
//! the built-in sample (2000 customers, seed 42) through the worker's Overview task, against
//! the analyses it reads (one engine: the same equity as the lifetime-value fit).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use support::sample_overview;

use crm::analysis::clv::IntervalRequest;
use crm::analysis::drivers::{RiskRow, ValueAtRisk};
use crm::analysis::overview::{build, Inputs, SurveyPart, Unit};
use crm::analysis::satisfaction::Headline;
use crm::analysis::segment::{SegmentResult, SegmentRow};
use crm::domain::clv::intervals::{Range, Total};
use crm::domain::customers::{CustomerRecord, CustomerSummary};
use crm::worker::clv::ClvResult;

fn customer(id: &str, spend: f64) -> CustomerRecord {
    CustomerRecord {
        id: id.into(),
        x: 1.0,
        t_x: 1.0,
        t: 2.0,
        monetary: spend,
        weight: 1.0,
        first: None,
        last: None,
        occasions: 2,
        total_spend: spend,
        total_margin: crm::domain::customers::OptF64::NONE,
        holdout_x: crm::domain::customers::OptF64::NONE,
        holdout_spend: crm::domain::customers::OptF64::NONE,
    }
}

fn row(name: &str, customers: u64, revenue: f64, clv: f64, p: f64) -> SegmentRow {
    SegmentRow {
        name: name.into(),
        description: String::new(),
        customers,
        customer_share: customers as f64 / 5.0,
        revenue,
        revenue_share: revenue / 200.0,
        mean_recency: 0.0,
        mean_frequency: 0.0,
        mean_monetary: 0.0,
        mean_clv: Some(clv),
        mean_p_alive: Some(p),
    }
}

/// Five customers: spend 100, 50, 30, 20, 0; CLV 300, 100, 50, 10, 0; P(alive) 0.9, 0.6,
/// 0.5, 0.2, 0.1. Champions = the first two, Promising = the third, At risk = the last two.
fn hand_case() -> (CustomerSummary, ClvResult, SegmentResult, SurveyPart) {
    let spend = [100.0, 50.0, 30.0, 20.0, 0.0];
    let summary = CustomerSummary {
        customers: (0..5)
            .map(|i| customer(&format!("c{i}"), spend[i]))
            .collect(),
        time_unit: crm::domain::customers::TimeUnit::Week,
        observation_end: None,
        calibration_end: None,
        holdout_length: 0.0,
        returns_rows: 0,
        excluded: Vec::new(),
    };
    let clv = ClvResult {
        ids: (0..5).map(|i| format!("c{i}")).collect(),
        p_alive: vec![0.9, 0.6, 0.5, 0.2, 0.1],
        clv: vec![300.0, 100.0, 50.0, 10.0, 0.0],
        equity: 460.0,
        totals: crm::domain::clv::BaseTotals {
            customers: 5.0,
            equity: 460.0,
            expected_purchases: 0.0,
            expected_active: 2.3,
        },
        ..ClvResult::default()
    };
    let seg = SegmentResult {
        table: vec![
            row("Champions", 2, 150.0, 200.0, 0.75),
            row("At risk", 2, 20.0, 5.0, 0.15),
            row("Promising", 1, 30.0, 50.0, 0.5),
        ],
        ..SegmentResult::default()
    };
    // Answers 10, 9, 8, 5, 0: 2 promoters, 2 detractors: NPS 0.
    let nps = crm::domain::satisfaction::nps(&[10.0, 9.0, 8.0, 5.0, 0.0]).unwrap();
    let risk_row = |group: &str, n: u64, v: f64| RiskRow {
        group: group.into(),
        customers: 5,
        clv: 0.0,
        detractors: (n, v),
        dissatisfied: Vec::new(),
    };
    let survey = SurveyPart {
        headline: Headline {
            nps: Some(Ok(nps)),
            csat: None,
            ces: None,
        },
        risk: Some(ValueAtRisk {
            attributes: Vec::new(),
            skipped: Vec::new(),
            rows: vec![
                risk_row("All customers", 2, 110.0),
                risk_row("Champions", 1, 100.0),
                risk_row("At risk", 1, 10.0),
            ],
            has_nps: true,
            unmatched: 0,
        }),
        notes: Vec::new(),
    };
    (summary, clv, seg, survey)
}

#[test]
fn hand_case_figures_and_actions_are_the_ones_worked_out_by_hand() {
    let (summary, clv, seg, survey) = hand_case();
    let equity = Total {
        estimate: 460.0,
        range: Range {
            lower: 400.0,
            upper: 520.0,
        },
    };
    let ir = IntervalRequest::default();
    let o = build(&Inputs {
        summary: &summary,
        clv: Ok(&clv),
        equity: Some(Ok(&equity)),
        intervals: &ir,
        segments: Ok(&seg),
        survey: Ok(&survey),
        number_format: &Default::default(),
    });
    let v = |id: &str| o.figure(id).unwrap().value.unwrap();
    assert_eq!(v("customers"), 5.0);
    // 0.9, 0.6 and 0.5 reach the 0.5 threshold.
    assert_eq!(v("active"), 3.0);
    assert!((v("equity") - 460.0).abs() < 1e-9);
    assert_eq!(o.figure("equity").unwrap().range, Some((400.0, 520.0)));
    // Top 20% of 5 = 1 customer: 100 of 200.
    assert!((v("concentration") - 0.5).abs() < 1e-12);
    assert!(v("nps").abs() < 1e-9);
    let csat = o.figure("csat").unwrap();
    assert!(csat.value.is_none() && csat.missing.contains("no satisfaction column"));
    assert_eq!(o.figure("equity").unwrap().source.route, "/lifetime-value");
    assert_eq!(o.figure("nps").unwrap().source.route, "/satisfaction");
    // Value by CLV: Champions 2 × 200 = 400 of 460.
    assert_eq!(o.top_value[0].name, "Champions");
    assert!((o.top_value[0].share - 400.0 / 460.0).abs() < 1e-12);
    assert_eq!(o.top_risk[0].name, "Champions");
    assert!((o.top_risk[0].share - 100.0 / 110.0).abs() < 1e-12);
    let ids: Vec<&str> = o.actions.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["protect", "recover", "develop", "satisfaction"]);
    let hrefs: Vec<String> = o.actions.iter().map(|a| a.link.href()).collect();
    assert_eq!(
        hrefs,
        [
            "#/segments?segment=Champions",
            "#/segments?segment=At%20risk",
            "#/segments?segment=Promising",
            "#/satisfaction",
        ]
    );
    assert_eq!(o.actions[1].customers, 1);
    assert!((o.actions[1].value - 10.0).abs() < 1e-12);
    assert_eq!(o.actions[2].unit, Unit::Money);
    assert!(o.actions[2].because.contains("worth 50 each against 92"));
}

#[test]
fn without_a_fit_or_a_survey_the_figures_left_out_say_why() {
    let (summary, _, seg, _) = hand_case();
    let ir = IntervalRequest::default();
    let o = build(&Inputs {
        summary: &summary,
        clv: Err("the fit failed"),
        equity: None,
        intervals: &ir,
        segments: Ok(&seg),
        survey: Err("no survey is loaded"),
        number_format: &Default::default(),
    });
    assert!(o
        .figure("active")
        .unwrap()
        .missing
        .contains("the fit failed"));
    assert!(o.figure("equity").unwrap().value.is_none());
    assert!(o
        .figure("nps")
        .unwrap()
        .missing
        .contains("no survey is loaded"));
    assert!(o.risk_missing.contains("no survey is loaded"));
    // Without a fit the segments are ranked by historical revenue.
    assert_eq!(o.value_basis, "historical revenue");
    assert!((o.top_value[0].share - 150.0 / 200.0).abs() < 1e-12);
    assert!(o.notes.iter().any(|n| n.contains("No NPS")));
    assert!(o.notes.iter().any(|n| n.contains("recommended action")));
}

#[test]
fn sample_overview_matches_the_analyses_it_reads() {
    let (o, summary) = sample_overview();
    let v = |id: &str| o.figure(id).unwrap().value.unwrap();
    assert_eq!(v("customers"), summary.customers.len() as f64);
    // One engine: the equity is the default fit's.
    let fit = crm::analysis::clv::analyze(
        &crm::analysis::clv::default_request(summary.clone()),
        None,
        &mut |_, _| {},
        &|| 0.0,
    )
    .unwrap();
    assert!((v("equity") - fit.equity).abs() <= 1e-9 * fit.equity);
    let active = fit.p_alive.iter().filter(|&&p| p >= 0.5).count();
    assert_eq!(v("active"), active as f64);
    let (lo, hi) = o.figure("equity").unwrap().range.unwrap();
    assert!(lo < v("equity") && v("equity") < hi);
    let (lo, hi) = o.figure("nps").unwrap().range.unwrap();
    assert!(lo < v("nps") && v("nps") < hi);
    assert!(o.figure("csat").unwrap().value.is_some());
    assert!(v("concentration") > 0.2 && v("concentration") < 1.0);
    assert!(!o.top_value.is_empty() && !o.top_risk.is_empty());
    assert!((3..=5).contains(&o.actions.len()), "{:?}", o.actions);
    for a in &o.actions {
        assert!(a.link.route == "/segments" || a.link.route == "/satisfaction");
        if a.link.route == "/segments" {
            assert!(a.link.query.starts_with("segment="));
            assert!(a.customers > 0);
        }
    }
    assert_eq!(o.settings.model, "BG/NBD");
    // Pinned on the sample (2000 customers, seed 42).
    assert_eq!(v("active"), 1670.0);
    assert!((v("equity") - 58103.46).abs() < 0.5);
    assert!((v("concentration") - 0.6075).abs() < 1e-3);
    // As the page shows it: 321 promoters and 98 detractors among 661 answers.
    assert!((v("nps") - 100.0 * (321.0 - 98.0) / 661.0).abs() < 1e-9);
    assert_eq!(o.top_value[0].name, "Champions");
    assert_eq!(o.actions[0].link.href(), "#/segments?segment=Champions");
}

/// FNV-1a (64 bits) of some bytes: a fingerprint the browser test pins too.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn the_sample_files_are_the_bytes_the_browser_makes() {
    // tests/browser.rs pins the same fingerprints in WebAssembly: the page's sample and `crm`'s
    // are the same files (an index draw once took 64 bits natively and 32 in the browser).
    let crm::worker::tasks::Output::Sample(files) = crm::worker::tasks::run(
        crm::worker::tasks::Task::Sample {
            n_customers: 2000,
            seed: 42,
        },
        &mut |_, _| {},
    )
    .unwrap() else {
        panic!("not a sample")
    };
    let got = (
        fnv1a(&files.transactions),
        fnv1a(&files.survey),
        fnv1a(&files.cohort),
    );
    assert_eq!(got, SAMPLE_FINGERPRINTS);
}

/// The sample's (transactions, survey, cohort) fingerprints, the same in tests/browser.rs.
const SAMPLE_FINGERPRINTS: (u64, u64, u64) = (
    0x3d08_8148_c895_2d2d,
    0x151a_21b9_9531_30a9,
    0x0aa8_afe6_6a0f_e6a6,
);
