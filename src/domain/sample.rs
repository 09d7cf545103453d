//! Seeded generators of sample data with known parameters: a transaction log (BG/NBD purchases,
//! Gamma-Gamma spend), a survey linked to the same customers, and a subscription cohort (sBG).
//!
//! The app opens on these on a first visit, so every page shows real results before the user
//! uploads anything; educators can watch a model recover the true parameters. The generators
//! return CSV text so the sample goes through exactly the same import path as a user's file.

use crate::domain::clv::{BgNbd, BtydModel, ModelKind};
use chrono::{Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution, Exp, Gamma};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// True parameters of a simulated customer base (time unit: week).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleParams {
    /// Number of customers.
    pub n_customers: u32,
    /// Seed of the generator (the same seed gives the same data on every platform).
    pub seed: u64,
    /// First day of the simulated period.
    pub start: NaiveDate,
    /// Customers are acquired uniformly over this many days from the start.
    pub acquisition_days: u32,
    /// Length of observation in days from the start.
    pub observation_days: u32,
    /// The purchase process and its true parameters (time unit: week): BG/NBD (the default),
    /// MBG/NBD or Pareto/NBD.
    pub purchase: BtydModel,
    /// Gamma-Gamma p (shape of each transaction's value).
    pub gg_p: f64,
    /// Gamma-Gamma q (shape of the customer's mean-spend distribution).
    pub gg_q: f64,
    /// Gamma-Gamma gamma (scale of the customer's mean-spend distribution).
    pub gg_gamma: f64,
}

impl Default for SampleParams {
    /// The published CDNOW estimates (Fader, Hardie & Lee 2005), 2,000 customers, 39 weeks.
    fn default() -> Self {
        SampleParams {
            n_customers: 2000,
            seed: 42,
            start: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default(),
            acquisition_days: 84,
            observation_days: 273,
            purchase: BtydModel::BgNbd(BgNbd::CDNOW),
            gg_p: 6.25,
            gg_q: 3.74,
            gg_gamma: 15.44,
        }
    }
}

/// Why a sample could not be generated.
#[derive(Debug, Clone, PartialEq)]
pub enum SampleError {
    /// A parameter is out of its valid range.
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// Its value.
        value: f64,
    },
}

impl std::fmt::Display for SampleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SampleError::InvalidParameter { name, value } => {
                write!(f, "sample parameter {name} must be positive, got {value}")
            }
        }
    }
}

impl std::error::Error for SampleError {}

fn gamma(shape: f64, scale: f64, name: &'static str) -> Result<Gamma<f64>, SampleError> {
    Gamma::new(shape, scale).map_err(|_| SampleError::InvalidParameter { name, value: shape })
}

/// One simulated customer's hidden traits (kept to link the survey to behaviour).
#[derive(Debug, Clone, PartialEq)]
pub struct SimCustomer {
    /// Customer id.
    pub id: String,
    /// Purchase rate per week while alive.
    pub lambda: f64,
    /// Whether the customer is still alive at the end of observation.
    pub alive_at_end: bool,
    /// Number of purchases made.
    pub purchases: u32,
}

/// A simulated transaction log as CSV (`customer_id,date,amount`) plus the hidden truth.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleLog {
    /// The CSV text.
    pub csv: String,
    /// The customers' hidden traits, in id order.
    pub customers: Vec<SimCustomer>,
    /// Number of transaction rows.
    pub rows: u32,
}

/// Simulates a customer base with Gamma-Gamma spend under the purchase process of
/// `p.purchase`: purchases at exponential gaps with a Gamma(r, α) rate; BG/NBD customers drop
/// out after each repeat purchase with a Beta(a, b) probability, MBG/NBD customers after any
/// purchase (the first included), Pareto/NBD customers at an exponential lifetime with a
/// Gamma(s, β) rate. Each customer's first purchase falls uniformly in the acquisition days.
///
/// Ids are zero-padded ("C00042") so the sample also shows that ids stay text.
///
/// # Errors
/// [`SampleError::InvalidParameter`] when a shape or scale is not positive.
pub fn transaction_log(p: &SampleParams) -> Result<SampleLog, SampleError> {
    let names: [&'static str; 4] = match p.purchase {
        BtydModel::ParetoNbd(_) => ["r", "alpha", "s", "beta"],
        _ => ["r", "alpha", "a", "b"],
    };
    let [r, alpha, a, b] = p.purchase.to_array();
    for (name, value) in names.into_iter().zip([r, alpha, a, b]).chain([
        ("p", p.gg_p),
        ("q", p.gg_q),
        ("gamma", p.gg_gamma),
    ]) {
        if !(value > 0.0 && value.is_finite()) {
            return Err(SampleError::InvalidParameter { name, value });
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
    let rate = gamma(r, 1.0 / alpha, "r")?;
    // BG/NBD and MBG/NBD: the dropout probability's Beta(a, b); Pareto/NBD: the lifetime
    // rate's Gamma(s, β).
    let (drop, death_rate) = match p.purchase {
        BtydModel::ParetoNbd(_) => (None, Some(gamma(a, 1.0 / b, "s")?)),
        _ => (
            Some(Beta::new(a, b).map_err(|_| SampleError::InvalidParameter {
                name: "a",
                value: a,
            })?),
            None,
        ),
    };
    // MBG/NBD customers may leave after their first purchase too.
    let first_may_drop = matches!(p.purchase, BtydModel::MbgNbd(_));
    let nu_dist = gamma(p.gg_q, 1.0 / p.gg_gamma, "q")?;
    let end_week = f64::from(p.observation_days) / 7.0;
    let mut csv = String::from("customer_id,date,amount\n");
    let mut customers = Vec::with_capacity(p.n_customers as usize);
    let mut rows = 0u32;
    for i in 0..p.n_customers {
        let id = format!("C{:05}", i + 1);
        let lambda: f64 = rate.sample(&mut rng).max(1e-9);
        let death_p: f64 = drop.as_ref().map_or(0.0, |d| d.sample(&mut rng));
        let nu: f64 = nu_dist.sample(&mut rng).max(1e-9);
        let spend = gamma(p.gg_p, 1.0 / nu, "p")?;
        let birth = rng.gen_range(0..p.acquisition_days.max(1));
        let mut t = f64::from(birth) / 7.0;
        // Pareto/NBD: the customer is alive until this week.
        let death = death_rate.as_ref().map_or(f64::INFINITY, |g| {
            let mu: f64 = g.sample(&mut rng).max(1e-12);
            Exp::new(mu).map_or(f64::INFINITY, |e| t + e.sample(&mut rng))
        });
        let inter = Exp::new(lambda).map_err(|_| SampleError::InvalidParameter {
            name: "alpha",
            value: alpha,
        })?;
        let mut purchases = 0u32;
        let alive;
        loop {
            let amount: f64 = spend.sample(&mut rng);
            let day = (t * 7.0).floor() as i64;
            let date = p.start + Duration::days(day);
            let _ = writeln!(csv, "{id},{date},{:.2}", amount.max(0.01));
            rows += 1;
            purchases += 1;
            // After each repeat purchase the customer may drop out (BG/NBD: not after the first).
            if drop.is_some() && (purchases > 1 || first_may_drop) && rng.gen::<f64>() < death_p {
                alive = false;
                break;
            }
            let gap: f64 = inter.sample(&mut rng);
            t += gap;
            if t >= death.min(end_week) {
                alive = death >= end_week;
                break;
            }
        }
        customers.push(SimCustomer {
            id,
            lambda,
            alive_at_end: alive,
            purchases,
        });
    }
    Ok(SampleLog {
        csv,
        customers,
        rows,
    })
}

/// A model the simulator generates from, with its true parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum SimModel {
    /// A buy-till-you-die purchase process (a transaction log).
    Purchases(BtydModel),
    /// Shifted-beta-geometric renewals (a cohort's survivor counts).
    Sbg {
        /// First shape of the Beta distribution of churn probabilities.
        alpha: f64,
        /// Second shape.
        beta: f64,
    },
}

/// Parses a model name ("bgnbd", "mbgnbd", "pnbd", "sbg") and its parameters written
/// `name=value,name=value` (all of the model's parameters, each once: r, alpha, a, b for BG/NBD
/// and MBG/NBD; r, alpha, s, beta for Pareto/NBD; alpha, beta for sBG).
///
/// # Errors
/// A sentence naming the unknown model, the unknown, repeated, missing or non-positive
/// parameter.
pub fn parse_sim_model(model: &str, params: &str) -> Result<SimModel, String> {
    let is_sbg = model.trim().eq_ignore_ascii_case("sbg");
    let kind = if is_sbg {
        None
    } else {
        Some(ModelKind::parse(model).ok_or_else(|| {
            format!("unknown model \"{model}\": expected bgnbd, mbgnbd, pnbd or sbg")
        })?)
    };
    let names: &[&str] = match kind {
        None => &["alpha", "beta"],
        Some(ModelKind::ParetoNbd) => &["r", "alpha", "s", "beta"],
        Some(_) => &["r", "alpha", "a", "b"],
    };
    let mut values = [f64::NAN; 4];
    for part in params.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, value) = part
            .split_once('=')
            .ok_or_else(|| format!("\"{part}\" is not name=value"))?;
        let name = name.trim();
        let i = names.iter().position(|n| *n == name).ok_or_else(|| {
            format!(
                "unknown parameter \"{name}\": this model has {}",
                names.join(", ")
            )
        })?;
        if !values[i].is_nan() {
            return Err(format!("parameter {name} is given twice"));
        }
        let v: f64 = value
            .trim()
            .parse()
            .map_err(|_| format!("parameter {name}: \"{}\" is not a number", value.trim()))?;
        if !(v.is_finite() && v > 0.0) {
            return Err(format!(
                "parameter {name} must be a positive number (got {v})"
            ));
        }
        values[i] = v;
    }
    if let Some(missing) = names.iter().zip(values).find(|(_, v)| v.is_nan()) {
        return Err(format!(
            "parameter {} is missing (give {})",
            missing.0,
            names.join(", ")
        ));
    }
    Ok(match kind {
        None => SimModel::Sbg {
            alpha: values[0],
            beta: values[1],
        },
        Some(k) => SimModel::Purchases(BtydModel::from_array(k, values)),
    })
}

const ATTRIBUTES: [&str; 5] = ["price", "quality", "delivery", "service", "website"];
const FEATURES: [&str; 4] = ["free_returns", "live_chat", "loyalty_points", "gift_wrap"];
const KANO_WORDS: [&str; 5] = ["like", "expect", "neutral", "live with", "dislike"];

/// A survey of a share of the simulated customers, one row per response, as CSV.
///
/// Columns: `customer_id,date,nps,csat,ces,overall`, then `exp_*`, `perf_*`, `imp_*` (1-7) per
/// attribute, then `kano_func_*` / `kano_dys_*` per feature. Answers lean on each customer's
/// hidden purchase rate and survival, so satisfaction really goes with value in the sample.
pub fn survey(log: &SampleLog, params: &SampleParams, share: f64, seed: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut csv = String::from("customer_id,date,nps,csat,ces,overall");
    for a in ATTRIBUTES {
        let _ = write!(csv, ",exp_{a},perf_{a},imp_{a}");
    }
    for f in FEATURES {
        let _ = write!(csv, ",kano_func_{f},kano_dys_{f}");
    }
    csv.push('\n');
    // Kano profiles per feature: (functional, dysfunctional) most likely answers.
    let kano_profile: [(usize, usize); 4] = [(1, 4), (0, 2), (0, 2), (2, 2)];
    let att_bias = [-0.6, 0.3, -0.2, 0.5, 0.1];
    let importance = [6.2, 6.0, 5.1, 4.4, 3.2];
    for c in &log.customers {
        if rng.gen::<f64>() >= share {
            continue;
        }
        // Latent satisfaction: higher for frequent, surviving customers. ln λ is centred on its
        // mean under the Gamma prior (ψ(r) − ln α ≈ −6 here) and scaled by its spread (about 4).
        let lambda_z = (c.lambda.ln() + 6.0) / 4.0;
        let mood =
            0.9 * lambda_z + if c.alive_at_end { 0.5 } else { -0.5 } + 0.7 * normal(&mut rng);
        let answers = 1 + u32::from(rng.gen::<f64>() < 0.3);
        for k in 0..answers {
            let day = rng.gen_range(0..params.observation_days.max(1));
            let date = params.start + Duration::days(i64::from(day));
            let m = mood + 0.4 * normal(&mut rng) + f64::from(k) * 0.2;
            let nps = clamp_round(7.6 + 1.7 * m, 0.0, 10.0);
            let csat = clamp_round(3.8 + 0.8 * m, 1.0, 5.0);
            let ces = clamp_round(5.2 + 0.9 * m, 1.0, 7.0);
            let overall = clamp_round(5.0 + 1.0 * m, 1.0, 7.0);
            let _ = write!(csv, "{},{date},{nps},{csat},{ces},{overall}", c.id);
            for (i, _) in ATTRIBUTES.iter().enumerate() {
                let exp = clamp_round(5.0 + 0.8 * normal(&mut rng), 1.0, 7.0);
                let perf = clamp_round(
                    exp + att_bias[i] + 0.6 * m + 0.7 * normal(&mut rng),
                    1.0,
                    7.0,
                );
                let imp = clamp_round(importance[i] + 0.8 * normal(&mut rng), 1.0, 7.0);
                let _ = write!(csv, ",{exp},{perf},{imp}");
            }
            for (fi, _) in FEATURES.iter().enumerate() {
                let (f0, d0) = kano_profile[fi];
                let f = jitter(&mut rng, f0);
                let d = jitter(&mut rng, d0);
                let _ = write!(csv, ",{},{}", KANO_WORDS[f], KANO_WORDS[d]);
            }
            csv.push('\n');
        }
    }
    csv
}

fn jitter(rng: &mut ChaCha8Rng, base: usize) -> usize {
    let u: f64 = rng.gen();
    if u < 0.65 {
        base
    } else if u < 0.8 {
        (base + 1).min(4)
    } else if u < 0.95 {
        base.saturating_sub(1)
    } else {
        crate::domain::draw::index(rng, 5)
    }
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // Box-Muller from two uniforms; enough for sample data.
    let u1: f64 = rng.gen::<f64>().max(1e-12);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

fn clamp_round(v: f64, lo: f64, hi: f64) -> f64 {
    // Adding 0.0 turns -0 into 0 so no answer prints as "-0".
    v.round().clamp(lo, hi) + 0.0
}

/// A subscription cohort simulated from the shifted-beta-geometric model, as CSV
/// (`period,active`): period 0 is the cohort size.
pub fn cohort(size: u32, alpha: f64, beta: f64, periods: u32, seed: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut lifetimes = Vec::with_capacity(size as usize);
    let churn = Beta::new(alpha.max(1e-6), beta.max(1e-6)).ok();
    for _ in 0..size {
        let theta: f64 = churn.as_ref().map_or(0.5, |d| d.sample(&mut rng));
        let mut t = 1u32;
        while t <= periods && rng.gen::<f64>() >= theta {
            t += 1;
        }
        lifetimes.push(t);
    }
    let mut csv = String::from("period,active\n");
    for period in 0..=periods {
        let active = lifetimes.iter().filter(|&&l| l > period).count();
        let _ = writeln!(csv, "{period},{active}");
    }
    csv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_gives_same_log_and_ids_keep_zeros() {
        let p = SampleParams {
            n_customers: 200,
            ..Default::default()
        };
        let a = transaction_log(&p).unwrap();
        let b = transaction_log(&p).unwrap();
        assert_eq!(a, b);
        assert!(a.csv.starts_with("customer_id,date,amount\nC00001,"));
        assert!(a.rows >= 200);
    }

    #[test]
    fn simulator_models_and_parameters_are_parsed_with_plain_errors() {
        assert_eq!(
            parse_sim_model("bgnbd", "r=0.2, alpha=4,a=0.8,b=2.4"),
            Ok(SimModel::Purchases(BtydModel::from_array(
                ModelKind::BgNbd,
                [0.2, 4.0, 0.8, 2.4]
            )))
        );
        assert_eq!(
            parse_sim_model("pnbd", "beta=11,s=0.6,alpha=10,r=0.5"),
            Ok(SimModel::Purchases(BtydModel::from_array(
                ModelKind::ParetoNbd,
                [0.5, 10.0, 0.6, 11.0]
            )))
        );
        assert_eq!(
            parse_sim_model("SBG", "alpha=0.7,beta=1.2"),
            Ok(SimModel::Sbg {
                alpha: 0.7,
                beta: 1.2
            })
        );
        let err = |m: &str, p: &str| parse_sim_model(m, p).unwrap_err();
        assert!(err("gbnbd", "r=1").contains("unknown model"));
        assert!(err("bgnbd", "r=0.2,alpha=4,a=0.8").contains("b is missing"));
        assert!(err("bgnbd", "r=0.2,r=0.3").contains("twice"));
        assert!(err("pnbd", "r=0.2,alpha=4,a=1,b=2").contains("unknown parameter \"a\""));
        assert!(err("bgnbd", "r=-1,alpha=4,a=0.8,b=2").contains("positive"));
        assert!(err("bgnbd", "r=x").contains("not a number"));
        assert!(err("bgnbd", "r").contains("name=value"));
    }

    #[test]
    fn invalid_parameter_is_named() {
        let p = SampleParams {
            purchase: BtydModel::BgNbd(BgNbd {
                r: 0.243,
                alpha: 4.414,
                a: -1.0,
                b: 2.426,
            }),
            ..Default::default()
        };
        assert_eq!(
            transaction_log(&p).unwrap_err(),
            SampleError::InvalidParameter {
                name: "a",
                value: -1.0
            }
        );
    }

    #[test]
    fn survey_and_cohort_have_expected_shape() {
        let p = SampleParams {
            n_customers: 300,
            ..Default::default()
        };
        let log = transaction_log(&p).unwrap();
        let s = survey(&log, &p, 0.5, 7);
        let header = s.lines().next().unwrap();
        assert_eq!(header.split(',').count(), 6 + 15 + 8);
        assert!(s.lines().count() > 100);
        let c = cohort(1000, 0.704, 1.182, 12, 3);
        let lines: Vec<&str> = c.lines().collect();
        assert_eq!(lines[1], "0,1000");
        assert_eq!(lines.len(), 14);
    }
}

#[cfg(test)]
mod survey_shape {
    use super::*;

    #[test]
    fn sample_survey_is_plausible_and_tracks_behaviour() {
        let p = SampleParams::default();
        let log = transaction_log(&p).unwrap();
        let s = survey(&log, &p, 0.25, 43);
        let rows: Vec<Vec<&str>> = s.lines().skip(1).map(|l| l.split(',').collect()).collect();
        let nps: Vec<f64> = rows.iter().map(|r| r[2].parse().unwrap()).collect();
        let n = nps.len() as f64;
        let promoters = nps.iter().filter(|v| **v >= 9.0).count() as f64 / n;
        let detractors = nps.iter().filter(|v| **v <= 6.0).count() as f64 / n;
        let score = 100.0 * (promoters - detractors);
        // A believable mix: neither everyone detracting nor everyone promoting.
        assert!((-40.0..40.0).contains(&score), "NPS {score}");
        // (The page's sample, seed 42 + 1: 48.6% promoters, 14.8% detractors.)
        assert!(
            promoters > 0.10 && detractors > 0.10,
            "{promoters} {detractors}"
        );
    }
}
