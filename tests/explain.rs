//! Explain every number: each filled-in formula's value is the engine's own figure (on the
//! built-in sample, 2000 customers, seed 42, and on cases worked out by hand), and every
//! glossary id referenced anywhere in the app exists.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use support::sample_overview;

use crm::analysis::explain;
use crm::analysis::glossary;
use crm::domain::clv::{BgNbd, BtydModel};
use crm::domain::satisfaction::{csat, nps, Question};
use crm::domain::segmentation::rfm::RfmParams;
use std::path::Path;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

#[test]
fn every_overview_figure_is_explained_with_its_own_value() {
    let (o, _) = sample_overview();
    for id in [
        "customers",
        "active",
        "equity",
        "concentration",
        "nps",
        "csat",
    ] {
        let f = o.figure(id).unwrap();
        let e = f
            .explain
            .as_ref()
            .unwrap_or_else(|| panic!("{id} unexplained"));
        assert!(close(e.value, f.value.unwrap(), 1e-12), "{id}: {e:?}");
        assert!(glossary::term(&e.term).is_some(), "{id}: {}", e.term);
        assert!(!e.formula_filled.is_empty());
    }
    // The NPS explain shows its interval, as the card does.
    let nps = o.figure("nps").unwrap();
    let (lo, hi) = nps.range.unwrap();
    let text = &nps.explain.as_ref().unwrap().formula_filled;
    assert!(text.contains(&format!("{lo:.1} to {hi:.1}")), "{text}");
}

#[test]
fn customer_explains_equal_the_fits_per_customer_figures() {
    let (_, summary) = sample_overview();
    let fit = crm::analysis::clv::analyze(
        &crm::analysis::clv::default_request(summary.clone()),
        None,
        &mut |_, _| {},
        &|| 0.0,
    )
    .unwrap();
    let model = &fit.model.as_ref().unwrap().model;
    let s = fit.settings.as_ref().unwrap();
    let mut zero_seen = false;
    for (i, c) in summary.customers.iter().enumerate().take(300) {
        zero_seen |= c.x == 0.0;
        let p = explain::p_alive(model, c.x, c.t_x, c.t, &nf());
        assert!(close(p.value, fit.p_alive[i], 1e-12), "customer {i}");
        let e =
            explain::expected_purchases(model, s.purchase_horizon, c.x, c.t_x, c.t, "week", &nf());
        assert!(
            close(e.value, fit.expected_purchases[i], 1e-12),
            "customer {i}"
        );
        let sp = explain::expected_spend(
            fit.spend.as_ref(),
            c.x,
            c.monetary,
            fit.expected_spend[i],
            &nf(),
        );
        assert!(
            close(sp.value, fit.expected_spend[i], 1e-12),
            "customer {i}"
        );
        let v = explain::clv(model, c.x, c.t_x, c.t, fit.expected_spend[i], s, &nf());
        assert!(
            close(v.value, fit.clv[i], 1e-9),
            "customer {i}: {} {}",
            v.value,
            fit.clv[i]
        );
        if c.x > 0.0 {
            assert!(p.formula_filled.contains(&format!("{:.2}", c.t_x)));
        }
    }
    assert!(zero_seen);
    let eq = explain::customer_equity(&fit, &nf());
    assert!(close(eq.value, fit.equity, 1e-12));
    assert!(close(eq.value, fit.clv.iter().sum::<f64>(), 1e-9));
}

#[test]
fn bgnbd_p_alive_is_filled_with_the_customers_numbers() {
    // Published BG/NBD fit on CDNOW (Fader, Hardie & Lee 2005).
    let m = BgNbd {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    };
    let e = explain::p_alive_bgnbd(&m, 2.0, 30.43, 38.86, &nf());
    let odds = 0.793 / (2.426 + 1.0) * ((4.414f64 + 38.86) / (4.414 + 30.43)).powf(2.243);
    assert!(close(e.value, 1.0 / (1.0 + odds), 1e-12));
    assert!(
        e.formula_filled.contains("(2.4260 + 2 − 1)"),
        "{}",
        e.formula_filled
    );
    assert!(e.formula_filled.contains(&format!("= {:.4}", e.value)));
    let zero = explain::p_alive(&BtydModel::BgNbd(m), 0.0, 0.0, 10.0, &nf());
    assert_eq!(zero.value, 1.0);
}

#[test]
fn nps_and_csat_explains_are_worked_out_by_hand() {
    // 5 promoters, 3 passives, 2 detractors: p = 0.5, d = 0.2, NPS = 30.
    let answers = [10.0, 9.0, 9.0, 10.0, 9.0, 7.0, 8.0, 7.0, 3.0, 6.0];
    let s = nps(&answers).unwrap();
    let e = explain::nps(&s, &nf());
    assert!(close(e.value, 30.0, 1e-12));
    let se = 100.0 * ((0.5 + 0.2 - 0.09f64) / 10.0).sqrt();
    assert!(e
        .formula_filled
        .contains(&format!("SE = 100 × √(0.6100/10) = {se:.2}")));
    let q = Question::new("sat", 1, 5);
    let c = csat(&[5.0, 4.0, 3.0, 2.0], &q, 2).unwrap();
    let e = explain::csat(&c, &nf());
    assert!(close(e.value, 0.5, 1e-12));
    assert!(e.formula_filled.contains("= 2 / 4 = 0.5000"));
}

#[test]
fn rfm_score_and_top_share_explains_match_the_engine() {
    let (_, summary) = sample_overview();
    let r = RfmParams::default().fit(&summary).unwrap();
    for sc in r.scores.iter().take(200) {
        let e = explain::rfm_score(sc, &r.cut_points, &nf());
        assert_eq!(
            e.value,
            f64::from(sc.r) * 100.0 + f64::from(sc.f) * 10.0 + f64::from(sc.m)
        );
        assert!(e.formula_filled.ends_with(&format!("RFM = {}", sc.code())));
        // The reversed recency arithmetic shown is the engine's.
        let raw = crm::domain::segmentation::rfm::bin_of(sc.recency_days, &r.cut_points.recency);
        assert_eq!(r.cut_points.recency.len() as u8 + 2 - raw, sc.r);
    }
    let t = explain::top_share(&[100.0, 50.0, 30.0, 20.0, 0.0], 0.2, &nf()).unwrap();
    assert!(close(t.value, 0.5, 1e-12));
    assert!(t.formula_filled.contains("= 1 customers"));
    let seg = explain::segment_share("Champions", 50.0, 200.0, 3, &nf());
    assert!(close(seg.value, 0.25, 1e-12));
}

/// Glossary ids referenced in a source text: `term=ID`, `term="ID"`, `term={"ID"}`,
/// `filled("ID"` and `"term": "ID"` / `term: "ID"`.
fn referenced(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for pat in [
        "term=",
        "filled(",
        "term: ",
        "\"term\": ",
        "glossary::href(",
    ] {
        let mut rest = text;
        while let Some(i) = rest.find(pat) {
            rest = rest[i + pat.len()..].trim_start();
            let t = rest.trim_start_matches(['{', '"', '\'']);
            let id: String = t
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
                .collect();
            let quoted = rest.trim_start_matches('{').starts_with(['"', '\''])
                || (pat == "term=" && rest.starts_with(|c: char| c.is_ascii_lowercase()));
            if quoted && !id.is_empty() && id != "term" {
                out.push(id);
            }
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "node_modules") {
                walk(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "rs" || x == "mjs") {
            out.push(p);
        }
    }
}

#[test]
fn every_glossary_id_referenced_anywhere_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    walk(&root.join("src"), &mut files);
    walk(&root.join("tests/e2e"), &mut files);
    let mut checked = 0;
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        if !(text.contains("glossary") || text.contains("explain") || text.contains("Explain")) {
            continue;
        }
        for id in referenced(&text) {
            checked += 1;
            assert!(
                glossary::term(&id).is_some(),
                "{} refers to the unknown glossary term {id:?}",
                f.display()
            );
        }
    }
    assert!(checked > 10, "only {checked} references found");
    for t in glossary::TERMS {
        for r in t.related {
            assert!(glossary::term(r).is_some(), "{} -> {r}", t.id);
        }
    }
}

fn nf() -> crm::analysis::numfmt::NumberFormat {
    crm::analysis::numfmt::NumberFormat::default()
}

#[test]
fn data_counts_are_explained_with_the_imports_own_figures() {
    let (tx, _) = support::sample_imports();
    let r = tx.report.as_ref().unwrap();
    let e = explain::data::rows_used(r, &nf());
    assert_eq!(e.value, r.rows_used as f64);
    assert_eq!(r.rows_read - r.rows_rejected, r.rows_used);
    // Counts are grouped in the user's format, as on the page around the panel.
    let n = |v: u64| nf().count(v);
    assert!(r.rows_read >= 1000, "{}", r.rows_read);
    assert!(e.formula_filled.starts_with(&format!(
        "rows used = {} − {} = {}",
        n(r.rows_read),
        n(r.rows_rejected),
        n(r.rows_used)
    )));
    let s = tx.summary.as_ref().unwrap();
    let c = explain::data::customers(s, &nf());
    assert_eq!(c.value, s.customers.len() as f64);
    assert_eq!(s.customers.len(), 2000);
    assert!(
        c.formula_filled.ends_with("= 2,000"),
        "{}",
        c.formula_filled
    );
    let german = crm::analysis::numfmt::NumberFormat {
        thousands: Some('.'),
        decimal: ',',
        ..nf()
    };
    let de = explain::data::customers(s, &german);
    assert!(
        de.formula_filled.ends_with("= 2.000"),
        "{}",
        de.formula_filled
    );
    // The span is the largest T: the customer who bought on the first day of the data.
    let span = explain::data::span(s, &nf()).unwrap();
    let max_t = s.customers.iter().map(|c| c.t).fold(0.0, f64::max);
    assert!(close(span.value, max_t, 1e-12), "{span:?} {max_t}");
    let mut repeaters = 0;
    for c in &s.customers {
        let [x, tx, t] = explain::data::customer_times(c, s, &nf()).unwrap();
        assert_eq!(x.value, c.x, "{}", c.id);
        assert!(close(tx.value, c.t_x, 1e-12), "{}", c.id);
        assert!(close(t.value, c.t, 1e-12), "{}", c.id);
        assert!(tx.formula_filled.ends_with(&format!("{:.2} weeks", c.t_x)));
        repeaters += usize::from(c.x > 0.0);
    }
    assert!(repeaters > 100);
    // Repeat buyers: the customers with x > 0, counted above one by one.
    let rb = explain::data::repeat_buyers(s, &nf());
    assert_eq!(rb.value, repeaters as f64);
    assert!(rb.formula_filled.starts_with(&format!(
        "{} of the 2,000 customers have x > 0",
        n(repeaters as u64)
    )));
    for e in [e, c, span, rb] {
        assert!(glossary::term(&e.term).is_some(), "{}", e.term);
    }
}

fn sample_fit_with_log() -> (
    crm::io::import::Imported,
    crm::analysis::clv::ClvResult,
    crm::domain::customers::CustomerSummary,
) {
    let (tx, _) = support::sample_imports();
    let summary = tx.summary.clone().unwrap();
    let req = crm::analysis::clv::ClvRequest {
        transactions: tx.transactions.clone(),
        ..crm::analysis::clv::default_request(summary.clone())
    };
    let fit = crm::analysis::clv::analyze(&req, None, &mut |_, _| {}, &|| 0.0).unwrap();
    (tx, fit, summary)
}

#[test]
fn model_parameters_holdout_and_discounting_are_the_fits_own_figures() {
    let (_, fit, _) = sample_fit_with_log();
    let m = fit.model.as_ref().unwrap();
    assert_eq!(m.params.len(), 4);
    for p in &m.params {
        let e = explain::model::param(p, &nf());
        assert_eq!(e.value, p.value);
        assert!(glossary::term(&e.term).is_some(), "{}", p.name);
        assert_ne!(e.term, "bgnbd", "{} has its own term", p.name);
        assert!(e
            .formula_filled
            .contains(&format!("{} = {:.4}", p.name, p.value)));
        let se = p.std_error.unwrap();
        assert!(e.formula_filled.contains(&format!(
            "{:.4} to {:.4}",
            p.value - 1.96 * se,
            p.value + 1.96 * se
        )));
    }
    // Every parameter of every model has its own glossary term.
    for name in [
        "r", "alpha", "α", "a", "b", "s", "beta", "β", "p", "q", "gamma", "γ",
    ] {
        let id = explain::model::param_term(name);
        assert!(
            id.starts_with("param-") && glossary::term(id).is_some(),
            "{name}"
        );
    }
    let g = fit.spend.as_ref().unwrap();
    let [p, q, gm] = explain::model::spend_params(g, &nf());
    assert_eq!(
        (p.value, q.value, gm.value),
        (g.params.p, g.params.q, g.params.gamma)
    );
    assert_eq!(gm.term, "param-gamma");
    // The holdout error is the page's predicted / actual − 1.
    let v = fit.validation.as_ref().expect(&fit.validation_note);
    let h = explain::model::holdout(v, &nf());
    assert!(close(
        h.value,
        v.holdout_predicted / v.holdout_actual - 1.0,
        1e-12
    ));
    assert!(h.formula_filled.contains(&format!(
        "{:.1} / {:.1} − 1",
        v.holdout_predicted, v.holdout_actual
    )));
    // Month 12's discount factor is the one the CLV schedule divides by.
    let s = fit.settings.as_ref().unwrap();
    let d = explain::model::discounting(s, &nf());
    assert!(close(
        d.value,
        (1.0 + s.discount_rate).powi(12) - 1.0,
        1e-12
    ));
    for e in [h, d] {
        assert!(glossary::term(&e.term).is_some(), "{}", e.term);
    }
}

#[test]
fn comparison_aic_and_bic_are_the_rows_ll_k_and_n_filled_in() {
    let (tx, _, summary) = sample_fit_with_log();
    let c = crm::analysis::compare::compare(
        &crm::analysis::compare::CompareRequest {
            summary,
            transactions: tx.transactions.clone(),
            summary_options: Default::default(),
            calibration_end: None,
            period: None,
        },
        &mut |_, _| {},
    )
    .unwrap();
    assert!(c.models.len() >= 3);
    for m in &c.models {
        let e = explain::model::information_criteria(m, c.n_customers, &nf()).unwrap();
        assert_eq!(e.value, m.bic);
        let (k, n, ll) = (f64::from(m.k), c.n_customers as f64, m.log_likelihood);
        assert!(close(2.0 * k - 2.0 * ll, m.aic, 1e-12), "{}", m.name);
        assert!(close(k * n.ln() - 2.0 * ll, m.bic, 1e-12), "{}", m.name);
        assert!(e
            .formula_filled
            .contains(&format!("AIC = 2 × {} − 2 × ({ll:.2}) = {:.2}", m.k, m.aic)));
        assert!(e.formula_filled.ends_with(&format!("= {:.2}", m.bic)));
        let mae = explain::model::holdout_mae(m, &nf()).unwrap();
        assert_eq!(mae.value, m.holdout.as_ref().unwrap().customer_mae);
    }
}

#[test]
fn cohort_cluster_tier_and_driver_explains_are_the_engines_figures() {
    let (tx, fit, summary) = sample_fit_with_log();
    // Cohorts: value per customer = realised + predicted; CLV/CAC = value / cost.
    let inputs = crm::analysis::cohort::CohortInputs::default();
    let r = crm::analysis::cohort::analyze(&summary, &fit, &inputs).unwrap();
    assert!(!r.cohorts.is_empty());
    for c in &r.cohorts {
        let e = explain::groups::cohort_value(c, inputs.acquisition_cost, &nf());
        assert_eq!(e.value, c.value_per_customer);
        assert!(close(
            c.realised_per_customer + c.predicted_per_customer,
            c.value_per_customer,
            1e-12
        ));
        if let Some(ratio) = c.clv_to_cac {
            assert!(close(
                c.value_per_customer / inputs.acquisition_cost,
                ratio,
                1e-12
            ));
            assert!(e.formula_filled.ends_with(&format!("= {ratio:.2}")));
        }
    }
    // k-means and tiers on the sample's RFM.
    let req = crm::analysis::segment::SegmentRequest {
        cluster: Some(Default::default()),
        ..crm::analysis::segment::default_request(summary.clone())
    };
    let seg = crm::analysis::segment::segment(&summary, &req, &mut |_, _| {}).unwrap();
    let km = &seg.cluster.as_ref().unwrap().model;
    for (i, p) in km.profiles.iter().enumerate() {
        let e = explain::groups::cluster(km, i, &nf()).unwrap();
        assert!(close(e.value, p.share, 1e-12), "cluster {i}");
        assert_eq!(
            km.labels.iter().filter(|&&l| l as usize == i).count() as u64,
            p.size
        );
        // The centre back in original units is the model's own.
        let (z, m, sd) = (
            km.centroids[i][0],
            km.transform.means[0],
            km.transform.sds[0],
        );
        assert!(close(
            (z * sd + m).exp_m1(),
            km.centroids_original[i][0],
            1e-9
        ));
        assert!(e
            .formula_filled
            .contains(&format!("= {:.2}", km.centroids_original[i][0])));
    }
    // The chosen k has the highest mean silhouette of the search's curve.
    let search = &seg.cluster.as_ref().unwrap().search;
    let bk = explain::groups::best_k(search, &nf()).unwrap();
    let top = search
        .curve
        .iter()
        .map(|p| p.silhouette)
        .fold(f64::NEG_INFINITY, f64::max);
    assert_eq!(bk.value, top);
    assert!(bk.formula_filled.ends_with(&format!(
        "best k = {} (mean silhouette {top:.3})",
        search.best_k
    )));
    assert!(glossary::term(&bk.term).is_some());
    // Both tier tables: the pyramid and heavy / medium / light.
    for pyr in [seg.pyramid.as_ref().unwrap(), seg.hml.as_ref().unwrap()] {
        let total: f64 = pyr.summary.iter().map(|s| s.value).sum();
        for (i, s) in pyr.summary.iter().enumerate() {
            let e = explain::groups::tier(pyr, i, &nf()).unwrap();
            assert!(close(e.value, s.value_share, 1e-12), "{}", s.tier);
            assert!(close(s.value / total, s.value_share, 1e-12));
        }
    }
    // Drivers of overall satisfaction: weights add up to R²; the interval is the engine's.
    let (_, survey) = support::sample_imports();
    let st = crm::analysis::satisfaction::detect(&survey, "");
    let d = crm::analysis::drivers::drivers(
        &survey,
        &st,
        &crm::analysis::satisfaction::Outcomes::default(),
    );
    let t = d.overall.unwrap().unwrap();
    let w = &t.weights;
    assert!(close(w.weights.iter().sum::<f64>(), w.r2, 1e-9));
    for i in 0..t.names.len() {
        let e = explain::groups::driver(&t, i, &nf()).unwrap();
        assert_eq!(e.value, w.weights[i]);
        let (lo, hi) = w.intervals[i];
        assert!(e.formula_filled.contains(&format!("{lo:.3} to {hi:.3}")));
        assert!(glossary::term(&e.term).is_some());
    }
    let _ = tx;
}

#[test]
fn nps_difference_return_on_customer_and_simple_clv_are_worked_out_by_hand() {
    // a: p = 0.5, d = 0.2 (NPS 30); b: 3 promoters, 1 detractor of 4 (NPS 50).
    let a = nps(&[10.0, 9.0, 9.0, 10.0, 9.0, 7.0, 8.0, 7.0, 3.0, 6.0]).unwrap();
    let b = nps(&[10.0, 10.0, 9.0, 2.0]).unwrap();
    let t = crm::analysis::satisfaction::NpsTest {
        label: "two groups".into(),
        a: ("A".into(), a.clone()),
        b: ("B".into(), b.clone()),
        diff: crm::domain::satisfaction::nps_difference(&a, &b),
    };
    let e = explain::groups::nps_difference(&t, &nf());
    assert!(close(e.value, 20.0, 1e-12));
    let se = (a.se * a.se + b.se * b.se).sqrt();
    assert!(close(t.diff.se, se, 1e-12));
    assert!(e.formula_filled.contains(&format!(
        "= {:.1} to {:.1}",
        20.0 - 1.96 * se,
        20.0 + 1.96 * se
    )));
    assert!(glossary::term(&e.term).is_some());
    // ROC = (cash + end − start) / start; simple CLV = m·r/(1 + d − r).
    let roc = explain::value::return_on_customer(100.0, 1000.0, 950.0, &nf()).unwrap();
    assert!(close(roc.value, 0.05, 1e-12));
    assert!(roc.formula_filled.contains("= 0.0500 (5.0%)"));
    assert!(explain::value::return_on_customer(1.0, 0.0, 1.0, &nf()).is_none());
    let clv = explain::value::simple_clv(100.0, 0.8, 0.1, &nf()).unwrap();
    assert!(close(clv.value, 80.0 / 0.3, 1e-12));
    assert!(clv
        .formula_filled
        .ends_with(&format!("= {:.2}", 80.0 / 0.3)));
    assert!(glossary::term(&clv.term).is_some() && glossary::term(&roc.term).is_some());
}

#[test]
fn sbg_explains_are_the_models_own_figures_on_the_published_regular_cohort() {
    // Fader & Hardie (2007), the "regular" cohort: α 0.704, β 1.182.
    let survivors = [1000.0, 631.0, 468.0, 382.0, 326.0, 289.0, 262.0, 241.0];
    let f = crm::domain::clv::SbgParams::default()
        .fit(&survivors, &mut |_| {})
        .unwrap();
    let (a, b) = (f.params.alpha, f.params.beta);
    assert!(
        close(a, 0.704, 1e-3) && close(b, 1.182, 1e-3),
        "α {a}, β {b}"
    );
    let [ea, eb] = explain::model::sbg_params(&f, &nf());
    assert_eq!((ea.value, eb.value), (a, b));
    assert_eq!(ea.term, "sbg");
    // P(T = 1) = α/(α + β), by hand and as the engine's prob_churn(1), in percent.
    let churn = explain::model::sbg_first_churn(&f.params, &nf());
    assert!(close(churn.value, 100.0 * a / (a + b), 1e-12));
    assert!(close(churn.value, 100.0 * f.params.prob_churn(1), 1e-12));
    // Retention in period 2 = (β + 1)/(α + β + 1).
    let ret = explain::model::sbg_retention(&f.params, 2, &nf());
    assert!(close(ret.value, 100.0 * (b + 1.0) / (a + b + 1.0), 1e-12));
    assert!(close(ret.value, 100.0 * f.params.retention(2), 1e-12));
    assert_eq!(ret.term, "retention-rate");
    // α < 1: the expected lifetime is unbounded, so there is no filled formula.
    assert!(explain::model::sbg_lifetime(&f.params, &nf()).is_none());
    let m = crm::domain::clv::Sbg {
        alpha: 2.0,
        beta: 3.0,
    };
    let l = explain::model::sbg_lifetime(&m, &nf()).unwrap();
    assert!(close(l.value, 3.0, 1e-12));
    assert!(
        l.formula_filled.ends_with("= 3.0000 periods"),
        "{}",
        l.formula_filled
    );
}

#[test]
fn firm_value_is_worked_out_by_hand() {
    // 100 new customers a period for 2 periods, each worth 50 − 20 = 30, at 10%:
    // future = 100 · 30 · (1/1.1 + 1/1.21) = 3000 · 1.735537… = 5206.61; firm = 1000 + 5206.61.
    let i = crm::domain::value::FirmValueInputs {
        current_equity: 1000.0,
        new_per_period: 100.0,
        clv_new: 50.0,
        acquisition_cost: 20.0,
        discount: 0.1,
        periods: 2,
    };
    let e = explain::value::firm_value(&i, &nf()).unwrap();
    let future = 3000.0 * (1.0 / 1.1 + 1.0 / 1.21);
    assert!(close(e.value, 1000.0 + future, 1e-9), "{}", e.value);
    assert!(close(future, 5206.611570247934, 1e-9));
    assert!(
        e.formula_filled
            .ends_with("firm value = 1000.00 + 5206.61 = 6206.61"),
        "{}",
        e.formula_filled
    );
    assert!(e.formula_filled.contains("× 1.7355 ="));
    assert!(glossary::term(&e.term).is_some());
    // A discount of −1 or less is refused by the engine: no explanation.
    let bad = crm::domain::value::FirmValueInputs {
        discount: -1.0,
        ..i
    };
    assert!(explain::value::firm_value(&bad, &nf()).is_none());
}

#[test]
fn budget_gain_is_the_allocations_own_figure_worked_out_by_hand() {
    let seg = |name: &str, v: f64, k: f64| crm::domain::value::SegmentEconomics {
        name: name.into(),
        customers: 100.0,
        value_at_stake: v,
        saturation_spend: k,
    };
    let econ = [
        seg("A", 10_000.0, 2_000.0),
        seg("B", 4_000.0, 1_000.0),
        seg("C", 100.0, 5_000.0),
    ];
    let allocs = crm::domain::value::allocate_budget(&econ, 3_000.0).unwrap();
    let mut funded = Vec::new();
    for (a, e) in allocs.iter().zip(&econ) {
        let f = explain::value::budget_gain(e, a, &nf());
        assert_eq!(f.value, a.expected_gain);
        let (v, k, s) = (e.value_at_stake, e.saturation_spend, a.spend);
        assert!(
            close(v * (1.0 - (-s / k).exp()), a.expected_gain, 1e-9),
            "{}",
            e.name
        );
        if s > 0.0 {
            funded.push(v / k * (-s / k).exp());
        }
    }
    // The marginal returns of the funded segments are equal (the optimum); C is not funded.
    assert!(
        funded.len() == 2 && close(funded[0], funded[1], 1e-6),
        "{funded:?}"
    );
    assert_eq!(allocs[2].spend, 0.0);
    assert!(glossary::term("budget-split").is_some());
}

#[test]
fn firm_value_without_equity_names_the_equity_as_still_to_come_never_zero() {
    // The same inputs as above with no equity yet: only the future customers are worked out.
    let i = crm::domain::value::FirmValueInputs {
        current_equity: f64::NAN,
        new_per_period: 100.0,
        clv_new: 50.0,
        acquisition_cost: 20.0,
        discount: 0.1,
        periods: 2,
    };
    let e = explain::value::firm_value_without_equity(&i, &nf()).unwrap();
    assert!(close(e.value, 5206.611570247934, 1e-9), "{}", e.value);
    assert!(
        e.formula_filled
            .contains("firm value = customer equity (still being computed) + 5206.61"),
        "{}",
        e.formula_filled
    );
    assert!(!e.formula_filled.contains("0.00 +"), "{}", e.formula_filled);
    let v = crm::domain::value::future_customers_value(&i).unwrap();
    assert!(close(v, e.value, 1e-12));
}
