//! Tests of the look-ahead figures: the new-customer identity, a simulation check, the lists.

use super::*;
use crate::domain::clv::ModelKind;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution, Exp, Gamma};

fn models() -> [BtydModel; 3] {
    [
        BtydModel::from_array(ModelKind::BgNbd, [0.25, 4.0, 0.8, 2.5]),
        BtydModel::from_array(ModelKind::MbgNbd, [0.4, 4.0, 0.6, 0.9]),
        BtydModel::from_array(ModelKind::ParetoNbd, [0.55, 10.5, 0.6, 12.0]),
    ]
}

#[test]
fn a_new_customer_has_the_models_own_chance_of_no_purchase() {
    for m in models() {
        for t in [1.0, 13.0, 52.0] {
            let o = outlook(&m, 0.0, 0.0, 0.0, t);
            let want = m.prob_purchases(0, t);
            assert!(
                ((1.0 - o.p_purchase) - want).abs() < 1e-6,
                "{:?} t {t}: {} vs {want}",
                m.kind(),
                1.0 - o.p_purchase
            );
            assert!(o.p_alive_then <= o.p_alive_now + 1e-12);
        }
    }
}

/// Simulates customers of age `tt`; among those with no repeat purchase by `tt`, the share who
/// buy in (tt, tt + t] and the share still alive at tt + t.
fn simulate_zero_repeaters(m: &BtydModel, tt: f64, t: f64, n: usize) -> (f64, f64, usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let [r, alpha, c, d] = m.to_array();
    let rates = Gamma::new(r, 1.0 / alpha).unwrap();
    let (mut kept, mut bought, mut alive) = (0usize, 0usize, 0usize);
    for _ in 0..n {
        let lambda: f64 = rates.sample(&mut rng);
        let gap = Exp::new(lambda).unwrap();
        // Purchase times over (0, tt + t] and the drop-out time.
        let mut times = Vec::new();
        let death;
        match m {
            BtydModel::ParetoNbd(_) => {
                let mu: f64 = Gamma::new(c, 1.0 / d).unwrap().sample(&mut rng);
                death = Exp::new(mu).unwrap().sample(&mut rng);
                let mut now = 0.0;
                loop {
                    now += gap.sample(&mut rng);
                    if now > (tt + t).min(death) {
                        break;
                    }
                    times.push(now);
                }
            }
            _ => {
                let p: f64 = Beta::new(c, d).unwrap().sample(&mut rng);
                let modified = matches!(m, BtydModel::MbgNbd(_));
                let mut now = 0.0;
                let mut dead_at = f64::INFINITY;
                if modified && rng.gen::<f64>() < p {
                    dead_at = 0.0;
                }
                while dead_at.is_infinite() {
                    now += gap.sample(&mut rng);
                    if now > tt + t {
                        break;
                    }
                    times.push(now);
                    if rng.gen::<f64>() < p {
                        dead_at = now;
                    }
                }
                death = dead_at;
            }
        }
        if times.iter().any(|&s| s <= tt) {
            continue;
        }
        kept += 1;
        if !times.is_empty() {
            bought += 1;
        }
        if death > tt + t {
            alive += 1;
        }
    }
    (
        bought as f64 / kept as f64,
        alive as f64 / kept as f64,
        kept,
    )
}

#[test]
fn future_figures_match_a_simulation_of_customers_without_repeat_purchases() {
    let (tt, t) = (30.0, 13.0);
    for m in models() {
        let (buy, alive, kept) = simulate_zero_repeaters(&m, tt, t, 400_000);
        let o = outlook(&m, 0.0, 0.0, tt, t);
        // Binomial standard error on `kept` customers; allow 4 of them.
        let tol = |p: f64| 4.0 * (p * (1.0 - p) / kept as f64).sqrt() + 1e-3;
        assert!(
            (o.p_purchase - buy).abs() < tol(buy),
            "{:?}: P(buy) model {} vs simulated {buy} ({kept} customers)",
            m.kind(),
            o.p_purchase
        );
        assert!(
            (o.p_alive_then - alive).abs() < tol(alive),
            "{:?}: P(alive then) model {} vs simulated {alive}",
            m.kind(),
            o.p_alive_then
        );
    }
}

#[test]
fn longer_horizons_raise_the_purchase_chance_and_lower_survival() {
    // Customers with exactly one repeat purchase in a narrow window of recency.
    let m = BtydModel::from_array(ModelKind::ParetoNbd, [0.8, 4.0, 0.5, 10.0]);
    let o = outlook(&m, 1.0, 20.0, 30.0, 13.0);
    assert!(o.p_purchase > 0.0 && o.p_purchase < o.p_alive_now);
    // Longer horizons: more chance to buy, less chance to be alive.
    let o2 = outlook(&m, 1.0, 20.0, 30.0, 26.0);
    assert!(o2.p_purchase > o.p_purchase && o2.p_alive_then < o.p_alive_then);
}

#[test]
fn lists_rank_buyers_by_chance_and_lost_customers_by_past_value_and_export_as_csv() {
    let m = FittedModel::of_model(models()[0]);
    let mut cs = vec![
        CustomerRecord::from_stats("frequent", 10.0, 29.0, 30.0, 20.0),
        CustomerRecord::from_stats("gone, big", 5.0, 2.0, 30.0, 100.0),
        CustomerRecord::from_stats("gone, small", 5.0, 2.0, 30.0, 5.0),
        CustomerRecord::from_stats("new", 0.0, 0.0, 30.0, 0.0),
    ];
    for c in &mut cs {
        c.total_spend = c.monetary * (c.x + 1.0);
    }
    let l = lists(&m, &cs, 4.345, DEFAULT_LOST_BELOW, 10);
    assert_eq!(l.likely_to_buy[0].id, "frequent");
    let lost: Vec<&str> = l.likely_lost.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(lost, ["gone, big", "gone, small"]);
    assert_eq!(l.lost_count, 2);
    let csv = to_csv(&l.likely_lost, 4.345, "week");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "customer_id,repeat_purchases,weeks_since_last_purchase,past_value,p_alive_now,p_alive_in_4.345_weeks,p_purchase_in_4.345_weeks"
    );
    assert!(lines
        .next()
        .unwrap()
        .starts_with("\"gone, big\",5,28,600.00,"));
    let capped = lists(&m, &cs, 4.345, DEFAULT_LOST_BELOW, 1);
    assert_eq!(capped.likely_lost.len(), 1);
    assert_eq!(
        capped.lost_count, 2,
        "the count says how many were left out"
    );
}
