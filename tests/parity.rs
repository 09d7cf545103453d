//! The app and the command compute the same figures: each analysis runs once through the
//! worker's task functions (what the page shows) and once through the `crm` command (the built
//! binary), on the same fixture, and the two must agree (to the last printed digit where the
//! command rounds its output, otherwise to 1e-12 relative).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crm::analysis::satisfaction::{detect, headline};
use crm::domain::clv::ModelKind;
use crm::domain::customers::{CustomerSummary, SummaryOptions, TimeUnit, TxLog};
use crm::worker::clv::{self as wclv, ClvRequest, ClvResult};
use crm::worker::segment::{self as wseg, ClusterRequest, SegmentResult};
use crm::worker::tasks::{self, Output, Task};
use std::collections::HashMap;
use std::process::Command;

const SYNTH: &str = "tests/fixtures/reference/synth_1e4_transactions.csv";
const CDNOW: &str = "tests/fixtures/cdnow_customers_summary_with_transactions.csv";
const SURVEY: &str = "tests/fixtures/import/survey.csv";

fn path(rel: &str) -> String {
    format!("{}/{rel}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs `crm` and returns its stdout (panics with its stderr when it fails).
fn crm(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_crm"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("crm did not run: {e}"));
    assert!(
        out.status.success(),
        "crm {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// CSV text as (header, rows).
fn csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn col(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap()
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    a == b || (a - b).abs() <= rel * a.abs().max(b.abs())
}

/// The file imported by the worker's import task, as the page imports it (weeks).
fn worker_import(rel: &str) -> (CustomerSummary, TxLog) {
    let bytes = std::fs::read(path(rel)).unwrap();
    let Ok(Output::Imported(imp)) = tasks::run(
        Task::Import {
            dataset: String::new(),
            file_name: rel.rsplit('/').next().unwrap().to_string(),
            bytes,
            settings: Default::default(),
            summary: SummaryOptions {
                time_unit: TimeUnit::Week,
                ..Default::default()
            },
        },
        &mut |_, _| {},
    ) else {
        panic!("{rel}: not imported")
    };
    let imp = *imp;
    (imp.summary.unwrap(), imp.transactions)
}

fn worker_segments(summary: &CustomerSummary, cluster: Option<ClusterRequest>) -> SegmentResult {
    let mut req = wseg::default_request(summary.clone());
    req.cluster = cluster;
    wseg::run(req, &mut |_, _| {}).unwrap()
}

fn worker_clv(summary: &CustomerSummary, model: ModelKind) -> ClvResult {
    let req = ClvRequest {
        model,
        ..wclv::default_request(summary.clone())
    };
    wclv::run(req, &mut |_, _| {}).unwrap()
}

#[test]
fn summary_of_the_command_equals_the_worker_import() {
    let (summary, _) = worker_import(SYNTH);
    let (h, rows) = csv(&crm(&["summarize", &path(SYNTH)]));
    assert_eq!(rows.len(), summary.customers.len());
    for (row, c) in rows.iter().zip(&summary.customers) {
        assert_eq!(row[col(&h, "id")], c.id);
        // The command prints 6 decimals.
        for (name, v) in [
            ("x", c.x),
            ("t_x", c.t_x),
            ("T", c.t),
            ("monetary", c.monetary),
            ("total_spend", c.total_spend),
        ] {
            let printed: f64 = row[col(&h, name)].parse().unwrap();
            assert!(
                (printed - v).abs() <= 5e-7,
                "{} {name}: {printed} vs {v}",
                c.id
            );
        }
    }
}

#[test]
fn rfm_scores_and_map_segments_agree() {
    let (summary, _) = worker_import(SYNTH);
    let seg = worker_segments(&summary, None);
    let rfm = seg.rfm.as_ref().unwrap();
    let (h, rows) = csv(&crm(&[
        "segment",
        &path(SYNTH),
        "--method",
        "rfm",
        "--map",
        "rxf",
    ]));
    assert_eq!(rows.len(), summary.customers.len());
    for (i, (row, c)) in rows.iter().zip(&summary.customers).enumerate() {
        let s = &rfm.scores[i];
        assert_eq!(row[col(&h, "id")], c.id);
        assert_eq!(
            row[col(&h, "recency_days")].parse::<f64>().unwrap(),
            s.recency_days
        );
        assert_eq!(row[col(&h, "frequency")], s.frequency.to_string());
        assert_eq!(
            (
                row[col(&h, "r")].as_str(),
                row[col(&h, "f")].as_str(),
                row[col(&h, "m")].as_str()
            ),
            (
                s.r.to_string().as_str(),
                s.f.to_string().as_str(),
                s.m.to_string().as_str()
            )
        );
        assert_eq!(Some(row[col(&h, "segment")].as_str()), seg.segment_name(i));
    }
}

#[test]
fn value_tiers_agree_and_rank_by_total_spend_whatever_the_monetary_option() {
    let (summary, _) = worker_import(SYNTH);
    let seg = worker_segments(&summary, None);
    assert_eq!(seg.tier_value, "historical spend");
    let pyramid = seg.pyramid.as_ref().unwrap();
    let names: Vec<&str> = pyramid.summary.iter().map(|t| t.tier.as_str()).collect();
    for monetary in ["total", "mean"] {
        let out = crm(&[
            "segment",
            &path(SYNTH),
            "--method",
            "tiers",
            "--monetary",
            monetary,
        ]);
        let (h, rows) = csv(&out);
        for (i, row) in rows.iter().enumerate() {
            let tier = names[usize::from(pyramid.tier_of[i])];
            assert_eq!(
                row[col(&h, "segment")],
                tier,
                "customer {i}, --monetary {monetary}"
            );
        }
    }
}

#[test]
fn kmeans_clusters_agree() {
    let (summary, _) = worker_import(SYNTH);
    let seg = worker_segments(&summary, Some(ClusterRequest::default()));
    let model = &seg.cluster.as_ref().unwrap().model;
    let (h, rows) = csv(&crm(&[
        "segment",
        &path(SYNTH),
        "--method",
        "kmeans",
        "--seed",
        "42",
    ]));
    assert_eq!(rows.len(), model.labels.len());
    for (row, &l) in rows.iter().zip(&model.labels) {
        assert_eq!(row[col(&h, "cluster")], (l + 1).to_string());
    }
}

/// `crm fit --json` parameters and `crm predict` per customer against the worker's fit.
fn clv_models_agree(rel: &str, with_spend: bool) {
    let (summary, _) = worker_import(rel);
    for kind in ModelKind::ALL {
        let res = worker_clv(&summary, kind);
        let fitted = res.model.as_ref().unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&crm(&["fit", &path(rel), "--model", kind.code(), "--json"]))
                .unwrap();
        for p in &fitted.params {
            let v = json["params"][&p.name].as_f64().unwrap();
            assert!(
                close(v, p.value, 1e-12),
                "{rel} {kind:?} {}: {v} vs {}",
                p.name,
                p.value
            );
        }
        let ll = json["log_likelihood"].as_f64().unwrap();
        assert!(
            close(ll, fitted.log_likelihood, 1e-12),
            "{rel} {kind:?} log-likelihood"
        );
        let (h, rows) = csv(&crm(&["predict", &path(rel), "--model", kind.code()]));
        assert_eq!(rows.len(), res.ids.len());
        let mut fields = vec![
            ("p_alive", &res.p_alive),
            ("expected_purchases", &res.expected_purchases),
        ];
        if with_spend {
            fields.push(("expected_spend", &res.expected_spend));
            fields.push(("clv", &res.clv));
        }
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row[col(&h, "id")], res.ids[i]);
            for (name, v) in &fields {
                let c: f64 = row[col(&h, name)].parse().unwrap();
                assert!(
                    close(c, v[i], 1e-12),
                    "{rel} {kind:?} {name} of {}: {c} vs {}",
                    res.ids[i],
                    v[i]
                );
            }
        }
    }
    if with_spend {
        let res = worker_clv(&summary, ModelKind::BgNbd);
        let gg = res.spend.as_ref().unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&crm(&["fit", &path(rel), "--model", "gg", "--json"])).unwrap();
        for (name, v) in [
            ("p", gg.params.p),
            ("q", gg.params.q),
            ("gamma", gg.params.gamma),
        ] {
            let c = json["params"][name].as_f64().unwrap();
            assert!(close(c, v, 1e-12), "{rel} gg {name}: {c} vs {v}");
        }
    }
}

#[test]
fn every_clv_model_and_its_predictions_agree_on_a_transaction_log() {
    clv_models_agree(SYNTH, true);
}

#[test]
fn every_clv_model_agrees_on_a_summary_file() {
    // The command also reads the CDNOW file's `zbar` spend column, which the app's summary
    // reader leaves out: only the purchase models are compared here.
    clv_models_agree(CDNOW, false);
}

#[test]
fn satisfaction_scores_of_the_command_equal_the_page() {
    let bytes = std::fs::read(path(SURVEY)).unwrap();
    let Ok(Output::Imported(imp)) = tasks::run(
        Task::Import {
            dataset: String::new(),
            file_name: "survey.csv".into(),
            bytes,
            settings: Default::default(),
            summary: Default::default(),
        },
        &mut |_, _| {},
    ) else {
        panic!("survey not imported")
    };
    let survey = imp.survey.clone().unwrap();
    let h = headline(&survey, &detect(&survey, "survey"));
    let json: serde_json::Value =
        serde_json::from_str(&crm(&["satisfaction", &path(SURVEY), "--json"])).unwrap();
    let nps = h.nps.unwrap().unwrap();
    let csat = h.csat.unwrap().unwrap();
    let ces = h.ces.unwrap().unwrap();
    let num = |v: &serde_json::Value| v.as_f64().unwrap();
    let pairs: HashMap<&str, (f64, f64)> = HashMap::from([
        ("nps", (num(&json["nps"][1]["nps"]), nps.nps)),
        ("nps se", (num(&json["nps"][1]["se"]), nps.se)),
        ("csat share", (num(&json["csat"][1]["share"]), csat.share)),
        (
            "csat ci_low",
            (num(&json["csat"][1]["ci_low"]), csat.ci_low),
        ),
        ("ces mean", (num(&json["ces"][1]["mean"]), ces.mean)),
        (
            "ces ci_high",
            (num(&json["ces"][1]["ci_high"]), ces.ci_high),
        ),
    ]);
    for (name, (a, b)) in pairs {
        assert!(close(a, b, 1e-12), "{name}: {a} vs {b}");
    }
    assert_eq!(json["nps"][1]["n"], nps.n);
    assert_eq!(json["csat"][1]["n"], csat.n);
}
