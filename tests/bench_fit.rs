//! Timing of the likelihood fits on 1,000,000 simulated customers (ignored by default):
//!
//! `cargo test --release --test bench_fit -- --ignored --nocapture`
//!
//! Customers are simulated with known parameters from a seeded ChaCha stream, at day
//! resolution (purchase days, summarised in weeks) as real logs are, so identical (x, t_x, T)
//! rows group as they do in practice.

use crm::domain::clv::{BtydParams, GammaGammaParams, ModelKind};
use crm::domain::customers::{CustomerRecord, TimeUnit};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution, Exp, Gamma};
use std::time::Instant;

const N: usize = 1_000_000;
const OBS_DAYS: u32 = 273;
const ACQ_DAYS: u32 = 84;

/// Purchase days → (x, t_x, T) in weeks.
fn record(i: usize, first: u32, mut days: Vec<u32>) -> CustomerRecord {
    days.sort_unstable();
    days.dedup();
    let x = days.len() as f64;
    let last = days.last().copied().unwrap_or(first);
    let t = f64::from(OBS_DAYS - first) / 7.0;
    let m = if x > 0.0 { 20.0 + (i % 40) as f64 } else { 0.0 };
    CustomerRecord::from_stats(i.to_string(), x, f64::from(last - first) / 7.0, t, m)
}

fn simulate(pareto: bool, seed: u64) -> Vec<CustomerRecord> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let lam = Gamma::<f64>::new(
        if pareto { 0.553 } else { 0.243 },
        1.0 / if pareto { 10.58 } else { 4.414 },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mu = Gamma::<f64>::new(0.606, 1.0 / 11.67).unwrap_or_else(|e| panic!("{e}"));
    let drop = Beta::<f64>::new(0.793, 2.426).unwrap_or_else(|e| panic!("{e}"));
    (0..N)
        .map(|i| {
            let first = rng.gen_range(0..ACQ_DAYS);
            let horizon = f64::from(OBS_DAYS - first) / 7.0;
            let l: f64 = lam.sample(&mut rng).max(1e-12);
            let gap = Exp::new(l).unwrap_or_else(|e| panic!("{e}"));
            let (p, death) = if pareto {
                let m: f64 = mu.sample(&mut rng).max(1e-12);
                (
                    0.0,
                    Exp::new(m)
                        .unwrap_or_else(|e| panic!("{e}"))
                        .sample(&mut rng),
                )
            } else {
                (drop.sample(&mut rng), f64::INFINITY)
            };
            let mut t = 0.0;
            let mut days = Vec::new();
            loop {
                t += gap.sample(&mut rng);
                if t > horizon || t > death {
                    break;
                }
                let d = first + (t * 7.0).floor() as u32;
                if d != first {
                    days.push(d);
                }
                if !pareto && rng.gen::<f64>() < p {
                    break;
                }
            }
            record(i, first, days)
        })
        .collect()
}

#[test]
#[ignore]
fn bench_fits_on_a_million_customers() {
    for (kind, pareto) in [
        (ModelKind::BgNbd, false),
        (ModelKind::MbgNbd, false),
        (ModelKind::ParetoNbd, true),
    ] {
        let customers = simulate(pareto, 42);
        let t0 = Instant::now();
        let groups = crm::domain::clv::optim::group_rows(
            customers.iter().map(|c| (c.x, c.t_x, c.t, c.weight)),
        );
        let prepared = crm::domain::clv::optim::Prepared::new(&groups);
        println!(
            "{:<10} grouping 1e6 rows into {} groups (+ index): {:.3} s",
            kind.name(),
            prepared.rows.len(),
            t0.elapsed().as_secs_f64()
        );
        let t0 = Instant::now();
        let f = BtydParams::new(kind)
            .check()
            .and_then(|p| p.fit_records(&customers, TimeUnit::Week, &mut |_| {}))
            .unwrap_or_else(|e| panic!("{e}"));
        let secs = t0.elapsed().as_secs_f64();
        let params: Vec<String> = f
            .params
            .iter()
            .map(|p| format!("{}={:.4}", p.name, p.value))
            .collect();
        println!(
            "{:<10} n={} groups={} fit {:.3} s  LL={:.2}  {}  converged={} ({} iterations)",
            kind.name(),
            f.n_customers,
            f.n_groups,
            secs,
            f.log_likelihood,
            params.join(" "),
            f.convergence.converged,
            f.convergence.iterations
        );
        if kind == ModelKind::BgNbd {
            let t0 = Instant::now();
            let g = GammaGammaParams::default()
                .fit(&customers, &mut |_| {})
                .unwrap_or_else(|e| panic!("{e}"));
            println!(
                "Gamma-Gamma repeaters={} fit {:.3} s",
                g.n_customers,
                t0.elapsed().as_secs_f64()
            );
        }
    }
}

/// The importer's id interner (through `TxColumns::push`) against the obvious
/// `FxHashMap<String, u32>` on 2,000,000 ids, one in four new. Figure in
/// `src/domain/customers/interner.rs`.
#[test]
#[ignore = "timing benchmark"]
fn id_interning_beats_a_hash_map() {
    use crm::domain::customers::TxColumns;
    let ids: Vec<String> = (0..2_000_000u64)
        .map(|i| match i % 4 {
            0 => format!("{}", (i * 7919) % 666_667),
            1 => format!("customer-{:012}", (i * 31) % 1_000_001),
            2 => format!("a-very-long-customer-identifier-{}", i % 977),
            _ => format!("C{:03}", i % 250),
        })
        .collect();
    let day = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
    let t = Instant::now();
    let mut cols = TxColumns::default();
    for id in &ids {
        cols.push(id, day, 1.0, None);
    }
    let ours = t.elapsed();
    let t = Instant::now();
    let mut map: rustc_hash::FxHashMap<String, u32> = rustc_hash::FxHashMap::default();
    let mut names: Vec<String> = Vec::new();
    let mut rows: Vec<u32> = Vec::with_capacity(ids.len());
    for id in &ids {
        let i = match map.get(id.as_str()) {
            Some(&i) => i,
            None => {
                let i = names.len() as u32;
                names.push(id.clone());
                map.insert(id.clone(), i);
                i
            }
        };
        rows.push(i);
    }
    let fx = t.elapsed();
    assert_eq!(cols.log.customer, rows);
    println!("2e6 ids: interner (TxColumns::push) {ours:?}, FxHashMap<String, u32> {fx:?}");
}
