//! Customer summaries simulated from a buy-till-you-die model with known parameters, and
//! Gamma-Gamma spend for them: the truth behind coverage tests, the parametric bootstrap
//! (simulate from the fit, refit), the model-choice checks and the classroom simulator.
//!
//! Each customer makes a first purchase at time 0 and is watched for `T` time units (the
//! caller gives every customer's age, e.g. the observed ages for a bootstrap). The processes
//! follow the papers (and `lifetimes`' generators):
//! - **BG/NBD**: λ ~ Gamma(r, α), p ~ Beta(a, b); purchases at Exp(λ) gaps; after each repeat
//!   purchase the customer drops out with probability p.
//! - **MBG/NBD**: as BG/NBD, but the customer may also drop out right after the first purchase.
//! - **Pareto/NBD**: λ ~ Gamma(r, α), μ ~ Gamma(s, β); lifetime τ ~ Exp(μ); purchases at Exp(λ)
//!   gaps while alive.
//!
//! Seeded with ChaCha8, so the same seed gives the same customers natively and in wasm.

use super::{BgNbd, BtydModel, MbgNbd, ParetoNbd};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution, Exp, Gamma};

/// One simulated customer: repeat purchases, recency and age, in model time units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimCustomer {
    /// Repeat purchases x.
    pub x: u32,
    /// Time of the last purchase t_x (0 without repeat purchases).
    pub t_x: f64,
    /// Age T (time from the first purchase to the end of observation).
    pub t: f64,
}

/// Why a simulation could not run.
#[derive(Debug, Clone, PartialEq)]
pub enum SimulateError {
    /// A parameter is not a positive finite number.
    BadParameter(&'static str, f64),
    /// An age is negative or not finite (its position in the list).
    BadAge(usize, f64),
}

impl std::fmt::Display for SimulateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SimulateError::BadParameter(name, v) => {
                write!(f, "parameter {name} must be a positive number (got {v})")
            }
            SimulateError::BadAge(i, v) => {
                write!(f, "customer {} has an impossible age {v}", i + 1)
            }
        }
    }
}

impl std::error::Error for SimulateError {}

/// Upper bound on purchases simulated for one customer (a guard against absurd rates; a
/// customer who hits it keeps the purchases made so far).
pub const MAX_PURCHASES_PER_CUSTOMER: u32 = 1_000_000;

fn gamma(shape: f64, rate: f64, name: &'static str) -> Result<Gamma<f64>, SimulateError> {
    if !(shape.is_finite() && shape > 0.0) {
        return Err(SimulateError::BadParameter(name, shape));
    }
    if !(rate.is_finite() && rate > 0.0) {
        return Err(SimulateError::BadParameter(name, rate));
    }
    Gamma::new(shape, 1.0 / rate).map_err(|_| SimulateError::BadParameter(name, shape))
}

fn beta(a: f64, b: f64) -> Result<Beta<f64>, SimulateError> {
    for (name, v) in [("a", a), ("b", b)] {
        if !(v.is_finite() && v > 0.0) {
            return Err(SimulateError::BadParameter(name, v));
        }
    }
    Beta::new(a, b).map_err(|_| SimulateError::BadParameter("a", a))
}

/// Purchases of a customer with rate `lambda` in (0, end]: (count, time of the last one).
/// `drop` is asked after every purchase whether the customer leaves.
fn purchases(
    rng: &mut ChaCha8Rng,
    lambda: f64,
    end: f64,
    mut drop: impl FnMut(&mut ChaCha8Rng) -> bool,
) -> (u32, f64) {
    let Ok(gap) = Exp::new(lambda) else {
        return (0, 0.0);
    };
    let (mut n, mut now, mut last) = (0u32, 0.0f64, 0.0f64);
    while n < MAX_PURCHASES_PER_CUSTOMER {
        now += gap.sample(rng);
        if now > end || now.is_nan() {
            break;
        }
        n += 1;
        last = now;
        if drop(rng) {
            break;
        }
    }
    (n, last)
}

/// Simulates one customer per age in `ages` from `model`.
///
/// # Errors
/// A parameter that is not positive and finite, or an age that is negative or not finite.
pub fn simulate_btyd(
    model: &BtydModel,
    ages: &[f64],
    seed: u64,
) -> Result<Vec<SimCustomer>, SimulateError> {
    if let Some((i, &t)) = ages
        .iter()
        .enumerate()
        .find(|(_, t)| !(t.is_finite() && **t >= 0.0))
    {
        return Err(SimulateError::BadAge(i, t));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(ages.len());
    match *model {
        BtydModel::BgNbd(BgNbd { r, alpha, a, b })
        | BtydModel::MbgNbd(MbgNbd { r, alpha, a, b }) => {
            let rates = gamma(r, alpha, "r / alpha")?;
            let drops = beta(a, b)?;
            let modified = matches!(model, BtydModel::MbgNbd(_));
            for &t in ages {
                let lambda = rates.sample(&mut rng);
                let p = drops.sample(&mut rng);
                let gone_at_once = modified && rng.gen::<f64>() < p;
                let (x, t_x) = if gone_at_once {
                    (0, 0.0)
                } else {
                    purchases(&mut rng, lambda, t, |rng| rng.gen::<f64>() < p)
                };
                out.push(SimCustomer { x, t_x, t });
            }
        }
        BtydModel::ParetoNbd(ParetoNbd { r, alpha, s, beta }) => {
            let rates = gamma(r, alpha, "r / alpha")?;
            let deaths = gamma(s, beta, "s / beta")?;
            for &t in ages {
                let lambda = rates.sample(&mut rng);
                let mu = deaths.sample(&mut rng);
                let tau = Exp::new(mu)
                    .map(|e| e.sample(&mut rng))
                    .unwrap_or(f64::INFINITY);
                let (x, t_x) = purchases(&mut rng, lambda, t.min(tau), |_| false);
                out.push(SimCustomer { x, t_x, t });
            }
        }
    }
    Ok(out)
}

/// Simulates each customer's mean repeat-purchase spend under Gamma-Gamma (p, q, γ): the
/// customer's mean ν⁻¹-scaled value ν ~ Gamma(q, γ), each transaction z ~ Gamma(p, ν), and the
/// mean of the customer's `x` transactions (0 for x = 0).
///
/// # Errors
/// A parameter that is not positive and finite.
pub fn simulate_spend(
    p: f64,
    q: f64,
    gamma_: f64,
    frequencies: &[u32],
    seed: u64,
) -> Result<Vec<f64>, SimulateError> {
    let nus = gamma(q, gamma_, "q / gamma")?;
    if !(p.is_finite() && p > 0.0) {
        return Err(SimulateError::BadParameter("p", p));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(frequencies.len());
    for &x in frequencies {
        let nu = nus.sample(&mut rng);
        if x == 0 {
            out.push(0.0);
            continue;
        }
        let z = gamma(p, nu, "p")?;
        let total: f64 = (0..x).map(|_| z.sample(&mut rng)).sum();
        out.push(total / f64::from(x));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clv::ModelKind;

    fn mean_x(sim: &[SimCustomer]) -> f64 {
        sim.iter().map(|c| f64::from(c.x)).sum::<f64>() / sim.len() as f64
    }

    #[test]
    fn mean_repeat_purchases_match_each_models_expectation() {
        let ages = vec![52.0; 40_000];
        for (kind, p) in [
            (ModelKind::BgNbd, [0.25, 4.0, 0.8, 2.5]),
            (ModelKind::MbgNbd, [0.25, 4.0, 0.8, 2.5]),
            (ModelKind::ParetoNbd, [0.55, 10.5, 0.6, 12.0]),
        ] {
            let model = BtydModel::from_array(kind, p);
            let sim = simulate_btyd(&model, &ages, 7).expect("valid parameters");
            let want = model.expected_purchases(52.0);
            let got = mean_x(&sim);
            assert!(
                (got - want).abs() < 0.05 * want.max(0.2),
                "{kind:?}: simulated mean {got}, model {want}"
            );
            assert!(sim
                .iter()
                .all(|c| c.t_x <= c.t && (c.x > 0 || c.t_x == 0.0)));
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_customers() {
        let model = BtydModel::from_array(ModelKind::BgNbd, [0.24, 4.4, 0.79, 2.4]);
        let ages: Vec<f64> = (0..500).map(|i| f64::from(i % 39) + 1.0).collect();
        let a = simulate_btyd(&model, &ages, 42).expect("valid");
        let b = simulate_btyd(&model, &ages, 42).expect("valid");
        assert_eq!(a, b);
        assert_ne!(a, simulate_btyd(&model, &ages, 43).expect("valid"));
    }

    #[test]
    fn bad_parameters_and_ages_are_errors() {
        let model = BtydModel::from_array(ModelKind::BgNbd, [0.0, 4.4, 0.79, 2.4]);
        assert!(simulate_btyd(&model, &[1.0], 1).is_err());
        let model = BtydModel::from_array(ModelKind::BgNbd, [0.2, 4.4, 0.79, 2.4]);
        assert_eq!(
            simulate_btyd(&model, &[1.0, -2.0], 1),
            Err(SimulateError::BadAge(1, -2.0))
        );
    }

    #[test]
    fn simulated_spend_has_the_gamma_gamma_mean() {
        let (p, q, g) = (6.25, 3.74, 15.44);
        let freqs = vec![3u32; 50_000];
        let spend = simulate_spend(p, q, g, &freqs, 5).expect("valid");
        let mean = spend.iter().sum::<f64>() / spend.len() as f64;
        let want = p * g / (q - 1.0);
        assert!((mean - want).abs() < 0.03 * want, "mean {mean} vs {want}");
    }
}
