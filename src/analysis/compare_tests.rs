//! Tests of the model comparison: the NBD boundary, the mixture p-value, the rule on made-up
//! rows, and the choice on data simulated from each model (with a holdout from a simulated
//! transaction log, and by fit alone on simulated summaries).

use super::*;
use crate::domain::clv::simulate::simulate_btyd;
use crate::domain::clv::BtydModel;
use crate::domain::customers::Transaction;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution, Exp, Gamma};

/// Days from 2020-01-01.
fn day(d: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Duration::days(d)
}

/// A transaction log simulated from `model` (rates per week): `n` customers acquired over the
/// first 12 weeks, watched for 78 weeks (purchase times rounded down to days).
pub(crate) fn simulated_log(model: &BtydModel, n: usize, seed: u64) -> TxLog {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let [r, alpha, c, d] = model.to_array();
    let rates = Gamma::new(r, 1.0 / alpha).unwrap();
    let end_day = 78 * 7;
    let mut txs = Vec::new();
    for i in 0..n {
        let birth = rng.gen_range(0..84i64);
        let span = (end_day - birth) as f64 / 7.0;
        let lambda: f64 = rates.sample(&mut rng);
        let gap = Exp::new(lambda).unwrap();
        let mut times = vec![0.0f64];
        match model {
            BtydModel::BgNbd(_) | BtydModel::MbgNbd(_) => {
                let p: f64 = Beta::new(c, d).unwrap().sample(&mut rng);
                let gone = matches!(model, BtydModel::MbgNbd(_)) && rng.gen::<f64>() < p;
                let mut now = if gone { f64::INFINITY } else { 0.0 };
                loop {
                    now += gap.sample(&mut rng);
                    if now > span {
                        break;
                    }
                    times.push(now);
                    if rng.gen::<f64>() < p {
                        break;
                    }
                }
            }
            BtydModel::ParetoNbd(_) => {
                let mu: f64 = Gamma::new(c, 1.0 / d).unwrap().sample(&mut rng);
                let life = Exp::new(mu).unwrap().sample(&mut rng);
                let mut now = 0.0;
                loop {
                    now += gap.sample(&mut rng);
                    if now > span.min(life) {
                        break;
                    }
                    times.push(now);
                }
            }
        }
        for t in times {
            txs.push(Transaction {
                customer_id: format!("c{i}"),
                date: day(birth + (t * 7.0).floor() as i64),
                amount: 10.0,
                margin: None,
                quantity: None,
                channel: None,
                product: None,
            });
        }
    }
    // The observation ends at week 78 even if nobody bought on the last day.
    let _ = end_day;
    TxLog::from_transactions(&txs)
}

fn request(log: TxLog) -> CompareRequest {
    let opts = SummaryOptions {
        time_unit: TimeUnit::Week,
        observation_end: Some(day(78 * 7)),
        ..Default::default()
    };
    let summary = customers::summarize_columns(&log, &[], &opts).unwrap();
    CompareRequest {
        summary,
        transactions: log,
        summary_options: opts,
        calibration_end: Some(day(39 * 7)),
        period: None,
    }
}

fn truth() -> [(ModelKind, [f64; 4]); 3] {
    [
        (ModelKind::BgNbd, [0.25, 4.0, 0.8, 2.5]),
        (ModelKind::MbgNbd, [0.25, 4.0, 0.8, 2.5]),
        (ModelKind::ParetoNbd, [0.8, 4.0, 0.5, 10.0]),
    ]
}

#[test]
fn nbd_is_the_no_dropout_limit_of_each_model() {
    let recs: Vec<CustomerRecord> = (0..300)
        .map(|i| {
            let x = f64::from(i % 6);
            let t = 20.0 + f64::from(i % 17);
            let tx = if x > 0.0 { t * 0.7 } else { 0.0 };
            CustomerRecord::from_stats(i.to_string(), x, tx, t, 0.0)
        })
        .collect();
    let nbd = fit_nbd(&recs).unwrap();
    let ll_at =
        |m: &BtydModel| -> f64 { recs.iter().map(|c| m.log_likelihood(c.x, c.t_x, c.t)).sum() };
    let nbd_ll: f64 = recs
        .iter()
        .map(|c| {
            ln_gamma(nbd.r + c.x) - ln_gamma(nbd.r) + nbd.r * nbd.alpha.ln()
                - (nbd.r + c.x) * (nbd.alpha + c.t).ln()
        })
        .sum();
    assert!((nbd_ll - nbd.log_likelihood).abs() < 1e-9 * nbd_ll.abs());
    for kind in [ModelKind::BgNbd, ModelKind::MbgNbd] {
        let m = BtydModel::from_array(kind, [nbd.r, nbd.alpha, 1e-9, 1.0]);
        assert!((ll_at(&m) - nbd.log_likelihood).abs() < 1e-5, "{kind:?}");
    }
    let m = BtydModel::from_array(ModelKind::ParetoNbd, [nbd.r, nbd.alpha, 1.0, 1e9]);
    assert!((ll_at(&m) - nbd.log_likelihood).abs() < 1e-3);
    // It is the maximum: nudging either parameter lowers the likelihood.
    for (dr, da) in [(1.01, 1.0), (0.99, 1.0), (1.0, 1.01), (1.0, 0.99)] {
        let (r, a) = (nbd.r * dr, nbd.alpha * da);
        let ll: f64 = recs
            .iter()
            .map(|c| ln_gamma(r + c.x) - ln_gamma(r) + r * a.ln() - (r + c.x) * (a + c.t).ln())
            .sum();
        assert!(ll < nbd.log_likelihood);
    }
}

#[test]
fn lr_test_uses_the_half_chi_square_boundary_mixture() {
    // P(χ²₁ > 2.7055) = 0.10, so the mixture gives 0.05.
    let t = lr_test(-1000.0 + 1.352_77, -1000.0).unwrap();
    assert!((t.statistic - 2.705_54).abs() < 1e-4);
    assert!((t.p_value - 0.05).abs() < 1e-4, "{}", t.p_value);
    assert_eq!(lr_test(-10.0, -9.0).unwrap().p_value, 1.0);
}

fn row(name: &str, kind: ModelKind, ll: f64, mae: Option<f64>, conv: bool) -> ModelRow {
    let mut r = ModelRow::build(name, Some(kind), ll, 4, 1000.0, conv, "ok", Vec::new());
    r.holdout = mae.map(|m| HoldoutAccuracy {
        customer_mae: m,
        tracking_mape: Some(m),
        total_predicted: 0.0,
        total_actual: 0.0,
        by_frequency: Vec::new(),
        tracking: Vec::new(),
    });
    r
}

#[test]
fn rule_picks_best_bic_and_lets_a_clearly_better_holdout_override() {
    let rows = vec![
        row("BG/NBD", ModelKind::BgNbd, -1000.0, Some(0.60), true),
        row("MBG/NBD", ModelKind::MbgNbd, -1000.5, Some(0.61), true),
        row("Pareto/NBD", ModelKind::ParetoNbd, -990.0, Some(0.55), true),
    ];
    let r = recommend(&rows);
    assert_eq!(r.model.as_deref(), Some("Pareto/NBD"));
    assert_eq!(r.verdict, Verdict::Clear);
    assert!(
        r.headline
            .starts_with("Pareto/NBD: best fit and best holdout error"),
        "{}",
        r.headline
    );
    assert!(
        r.headline.contains("MBG/NBD adds nothing here"),
        "{}",
        r.headline
    );
    // The fit prefers BG/NBD by a little, the holdout prefers Pareto/NBD by 10%: holdout wins.
    let rows = vec![
        row("BG/NBD", ModelKind::BgNbd, -989.0, Some(0.65), true),
        row("Pareto/NBD", ModelKind::ParetoNbd, -990.0, Some(0.55), true),
    ];
    let r = recommend(&rows);
    assert_eq!(r.model.as_deref(), Some("Pareto/NBD"));
    assert!(r.headline.contains("best holdout error"), "{}", r.headline);
}

#[test]
fn rule_says_indistinguishable_only_for_a_real_tie_and_nothing_without_convergence() {
    let rows = vec![
        row("BG/NBD", ModelKind::BgNbd, -1000.0, Some(0.600), true),
        row(
            "Pareto/NBD",
            ModelKind::ParetoNbd,
            -1000.4,
            Some(0.603),
            true,
        ),
    ];
    let r = recommend(&rows);
    assert_eq!(r.verdict, Verdict::Indistinguishable);
    assert_eq!(r.model.as_deref(), Some("BG/NBD"));
    assert!(
        r.headline.contains("cannot tell it from Pareto/NBD"),
        "{}",
        r.headline
    );
    // Same fit but a clear holdout gap (3%): not a tie.
    let rows = vec![
        row("BG/NBD", ModelKind::BgNbd, -1000.0, Some(0.600), true),
        row(
            "Pareto/NBD",
            ModelKind::ParetoNbd,
            -1000.4,
            Some(0.618),
            true,
        ),
    ];
    assert_eq!(recommend(&rows).verdict, Verdict::Clear);
    let rows = vec![row("BG/NBD", ModelKind::BgNbd, -1000.0, None, false)];
    let r = recommend(&rows);
    assert_eq!(r.verdict, Verdict::None);
    assert!(r.model.is_none());
    // A non-converged fit is never chosen, however good its likelihood.
    let rows = vec![
        row("BG/NBD", ModelKind::BgNbd, -900.0, None, false),
        row("Pareto/NBD", ModelKind::ParetoNbd, -1000.0, None, true),
    ];
    assert_eq!(recommend(&rows).model.as_deref(), Some("Pareto/NBD"));
}

#[test]
fn comparison_with_a_holdout_picks_the_generating_model() {
    for (i, (kind, p)) in truth().into_iter().enumerate() {
        let log = simulated_log(&BtydModel::from_array(kind, p), 20_000, 11 + i as u64);
        let c = compare(&request(log), &mut |_, _| {}).unwrap();
        assert_eq!(c.models.len(), 3);
        assert!(c.holdout_length > 38.0, "{}", c.holdout_length);
        for m in &c.models {
            let h = m.holdout.as_ref().unwrap();
            assert!(h.tracking_mape.is_some() && !h.tracking.is_empty());
            assert!(!h.by_frequency.is_empty());
            assert!(
                m.lr_vs_nbd.as_ref().unwrap().p_value < 1e-6,
                "drop-out is real"
            );
        }
        let rec = &c.recommendation;
        eprintln!("{kind:?}: {}", rec.headline);
        for m in &c.models {
            let h = m.holdout.as_ref().unwrap();
            eprintln!(
                "  {} LL {:.1} BIC {:.1} MAE {:.4} track {:.3}",
                m.name,
                m.log_likelihood,
                m.bic,
                h.customer_mae,
                h.tracking_mape.unwrap()
            );
        }
        assert_eq!(rec.model.as_deref(), Some(kind.name()), "{}", rec.headline);
    }
}

#[test]
fn comparison_on_summaries_alone_ranks_by_fit_and_picks_the_generating_model() {
    // Ages as in a shop acquiring customers over a year, watched for 18 months.
    let ages: Vec<f64> = (0..20_000).map(|i| 26.0 + f64::from(i % 52)).collect();
    for (i, (kind, p)) in truth().into_iter().enumerate() {
        let sim = simulate_btyd(&BtydModel::from_array(kind, p), &ages, 100 + i as u64).unwrap();
        let customers = sim
            .iter()
            .enumerate()
            .map(|(j, s)| {
                CustomerRecord::from_stats(j.to_string(), f64::from(s.x), s.t_x, s.t, 0.0)
            })
            .collect();
        let summary = CustomerSummary {
            time_unit: TimeUnit::Week,
            observation_end: None,
            calibration_end: None,
            holdout_length: 0.0,
            customers,
            returns_rows: 0,
            excluded: Vec::new(),
        };
        let req = CompareRequest {
            summary,
            transactions: TxLog::default(),
            summary_options: SummaryOptions::default(),
            calibration_end: None,
            period: None,
        };
        let c = compare(&req, &mut |_, _| {}).unwrap();
        assert!(c.models.iter().all(|m| m.holdout.is_none()));
        assert!(c.notes.iter().any(|n| n.contains("ranked by fit")));
        let rec = &c.recommendation;
        eprintln!("{kind:?}: {}", rec.headline);
        assert_eq!(rec.model.as_deref(), Some(kind.name()), "{}", rec.headline);
        assert_eq!(rec.verdict, Verdict::Clear, "{}", rec.headline);
    }
}
