//! The classroom simulator: a customer base generated from a model with known parameters
//! ([`crate::domain::sample`]), read through the same import path as a user's file, fitted with
//! the engine's own models, and the recovered parameters set against the truth with their
//! standard errors, for growing numbers of customers (how much data a model needs). The page's
//! simulator, its worker task and `crm simulate` use these functions.

use crate::analysis::clv::{fit_model, fit_spend};
use crate::domain::clv::SbgParams;
use crate::domain::customers::{SummaryOptions, TimeUnit};
use crate::domain::sample::{self, SampleParams, SimModel};
use crate::io::import::{import_bytes, DataKind, ImportSettings};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// What to simulate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimRequest {
    /// The model and its true parameters.
    pub model: SimModel,
    /// Customers (sBG: the cohort size) of the largest base.
    pub customers: u32,
    /// Seed: the same seed gives the same bytes.
    pub seed: u64,
    /// Weeks observed from the start (purchase models); periods (sBG).
    pub periods: u32,
    /// Weeks over which customers make their first purchase (purchase models).
    pub acquisition_weeks: u32,
    /// Also fit Gamma-Gamma spend (purchase models), against its true parameters.
    pub spend: bool,
    /// True Gamma-Gamma spend parameters p, q, γ of the amounts (purchase models).
    pub gamma_gamma: [f64; 3],
    /// First day of a simulated log.
    pub start: NaiveDate,
}

impl Default for SimRequest {
    fn default() -> Self {
        SimRequest {
            model: SimModel::Purchases(SampleParams::default().purchase),
            customers: 5_000,
            seed: 42,
            periods: 39,
            acquisition_weeks: 12,
            spend: true,
            gamma_gamma: {
                let d = SampleParams::default();
                [d.gg_p, d.gg_q, d.gg_gamma]
            },
            start: SampleParams::default().start,
        }
    }
}

impl SimRequest {
    /// The request for what a user typed: a model name, its parameters as `name=value, …`
    /// (see [`sample::parse_sim_model`]), a number of customers and a seed; 39 weeks observed
    /// (12 periods for sBG), other settings at their defaults.
    ///
    /// # Errors
    /// A sentence naming the bad input.
    pub fn from_inputs(
        model: &str,
        params: &str,
        customers: f64,
        seed: f64,
    ) -> Result<Self, String> {
        let model = sample::parse_sim_model(model, params)?;
        if !(customers.fract() == 0.0 && (1.0..=f64::from(MAX_CUSTOMERS)).contains(&customers)) {
            return Err(format!(
                "customers must be a whole number from 1 to {MAX_CUSTOMERS} (it is {customers})"
            ));
        }
        if !(seed.fract() == 0.0 && (0.0..=9.0e15).contains(&seed)) {
            return Err(format!(
                "the seed must be a whole number, 0 or more (it is {seed})"
            ));
        }
        let req = SimRequest {
            model,
            customers: customers as u32,
            seed: seed as u64,
            periods: if matches!(model, SimModel::Sbg { .. }) {
                12
            } else {
                39
            },
            ..Default::default()
        };
        check(&req)?;
        Ok(req)
    }
}

/// Most customers the simulator generates (a classroom tool, not a load test).
pub const MAX_CUSTOMERS: u32 = 200_000;
/// Fewest customers of a recovery step.
pub const MIN_STEP: u32 = 100;

/// A generated file, ready to open like an uploaded one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimFile {
    /// Suggested file name (model, size and seed in it).
    pub file_name: String,
    /// What the file holds.
    pub kind: DataKind,
    /// The CSV bytes.
    pub bytes: Vec<u8>,
    /// Observation end of a log (the last simulated day), to summarise it as simulated.
    pub observation_end: Option<NaiveDate>,
}

/// One parameter: truth, estimate, standard error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recovered {
    /// Model ("BG/NBD", "Gamma-Gamma", "sBG").
    pub model: String,
    /// Parameter name as in the papers.
    pub name: String,
    /// The true value.
    pub truth: f64,
    /// The fitted value.
    pub estimate: f64,
    /// Its standard error (None when the Hessian was not usable).
    pub std_error: Option<f64>,
}

impl Recovered {
    /// (estimate − truth) / standard error.
    pub fn z(&self) -> Option<f64> {
        self.std_error
            .filter(|s| *s > 0.0)
            .map(|s| (self.estimate - self.truth) / s)
    }
}

/// The fits at one size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoveryStep {
    /// Customers simulated.
    pub customers: u32,
    /// Every parameter of every model fitted.
    pub params: Vec<Recovered>,
    /// Why a model could not be fitted at this size (nothing silent).
    pub notes: Vec<String>,
}

impl RecoveryStep {
    /// Adds a model's parameters: (name, truth), estimate and standard error, in one order.
    fn add<const N: usize>(
        &mut self,
        model: &str,
        truth: [(&str, f64); N],
        estimates: [f64; N],
        std_errors: [Option<f64>; N],
    ) {
        for (((name, truth), estimate), std_error) in
            truth.into_iter().zip(estimates).zip(std_errors)
        {
            self.params.push(Recovered {
                model: model.into(),
                name: name.into(),
                truth,
                estimate,
                std_error,
            });
        }
    }
}

/// The recovery at growing sizes, the largest last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recovery {
    /// One step per size.
    pub steps: Vec<RecoveryStep>,
}

fn check(req: &SimRequest) -> Result<(), String> {
    if !(1..=MAX_CUSTOMERS).contains(&req.customers) {
        return Err(format!(
            "customers must be between 1 and {MAX_CUSTOMERS} (it is {})",
            req.customers
        ));
    }
    if req.periods == 0 {
        return Err("the number of weeks (or periods) observed must be at least 1".into());
    }
    if matches!(req.model, SimModel::Purchases(_)) && req.acquisition_weeks > req.periods {
        return Err(format!(
            "customers are acquired over {} weeks but observed for only {}",
            req.acquisition_weeks, req.periods
        ));
    }
    Ok(())
}

fn sample_params(req: &SimRequest, customers: u32) -> Option<SampleParams> {
    match req.model {
        SimModel::Purchases(purchase) => Some(SampleParams {
            n_customers: customers,
            seed: req.seed,
            acquisition_days: req.acquisition_weeks.max(1) * 7,
            observation_days: req.periods * 7,
            purchase,
            gg_p: req.gamma_gamma[0],
            gg_q: req.gamma_gamma[1],
            gg_gamma: req.gamma_gamma[2],
            start: req.start,
        }),
        SimModel::Sbg { .. } => None,
    }
}

/// Generates the base of `customers` customers as a file.
///
/// # Errors
/// A sentence naming the bad setting or parameter.
pub fn generate(req: &SimRequest, customers: u32) -> Result<SimFile, String> {
    check(&SimRequest {
        customers,
        ..req.clone()
    })?;
    match (req.model, sample_params(req, customers)) {
        (SimModel::Purchases(m), Some(p)) => {
            let log = sample::transaction_log(&p).map_err(|e| e.to_string())?;
            Ok(SimFile {
                file_name: format!(
                    "simulated-{}-{customers}-seed{}.csv",
                    m.kind().code(),
                    req.seed
                ),
                kind: DataKind::Transactions,
                bytes: log.csv.into_bytes(),
                observation_end: Some(p.start + Duration::days(i64::from(p.observation_days) - 1)),
            })
        }
        (SimModel::Sbg { alpha, beta }, _) => Ok(SimFile {
            file_name: format!("simulated-sbg-{customers}-seed{}.csv", req.seed),
            kind: DataKind::Cohort,
            bytes: sample::cohort(customers, alpha, beta, req.periods, req.seed).into_bytes(),
            observation_end: None,
        }),
        (SimModel::Purchases(_), None) => Err("no purchase model".into()),
    }
}

/// The sizes of the recovery steps: halving from `customers` down to [`MIN_STEP`], at most
/// A generated transaction log read through the app's own import path, as an uploaded file
/// would be: its customer summary in weeks, observed to the log's end.
///
/// # Errors
/// The log cannot be read or gives no customer summary (in words).
pub fn read_log(file: &SimFile) -> Result<crate::domain::customers::CustomerSummary, String> {
    let options = SummaryOptions {
        time_unit: TimeUnit::Week,
        observation_end: file.observation_end,
        ..Default::default()
    };
    import_bytes(
        &file.file_name,
        &file.bytes,
        &ImportSettings::default(),
        &options,
        &mut |_, _| {},
    )
    .map_err(|e| format!("the simulated log could not be read: {e}"))?
    .summary
    .ok_or_else(|| "the simulated log gave no customer summary".to_string())
}

/// six, ascending.
pub fn steps(customers: u32) -> Vec<u32> {
    let mut v = vec![customers];
    while v.len() < 6 {
        let next = v[v.len() - 1] / 2;
        if next < MIN_STEP {
            break;
        }
        v.push(next);
    }
    v.reverse();
    v
}

/// Simulates at each size of [`steps`], reads each base through the import path, fits the
/// model (and Gamma-Gamma when asked) and sets the estimates against the truth.
///
/// # Errors
/// A bad request, or a generated file that cannot be read (a bug: reported, not hidden).
pub fn recovery(req: &SimRequest, progress: &mut dyn FnMut(f64, &str)) -> Result<Recovery, String> {
    check(req)?;
    let sizes = steps(req.customers);
    let total: f64 = sizes.iter().map(|&n| f64::from(n)).sum();
    let mut done = 0.0;
    let mut out = Vec::with_capacity(sizes.len());
    for &n in &sizes {
        progress(
            done / total,
            &format!("Simulating and fitting {n} customers"),
        );
        let file = generate(req, n)?;
        let mut step = RecoveryStep {
            customers: n,
            params: Vec::new(),
            notes: Vec::new(),
        };
        match req.model {
            SimModel::Sbg { alpha, beta } => {
                // Read like an uploaded cohort file (the period column is recognised).
                let settings = ImportSettings {
                    kind: Some(DataKind::Cohort),
                    ..Default::default()
                };
                let imported = import_bytes(
                    &file.file_name,
                    &file.bytes,
                    &settings,
                    &SummaryOptions::default(),
                    &mut |_, _| {},
                )
                .map_err(|e| format!("the simulated cohort could not be read: {e}"))?;
                let survivors = imported
                    .cohort
                    .and_then(|t| t.cohorts.into_iter().next())
                    .ok_or("the simulated file gave no cohort")?
                    .active;
                match SbgParams::default().fit(&survivors, &mut |_| {}) {
                    Ok(f) => step.add(
                        "sBG",
                        [("alpha", alpha), ("beta", beta)],
                        [f.params.alpha, f.params.beta],
                        f.std_errors,
                    ),
                    Err(e) => step.notes.push(format!("sBG not fitted: {e}")),
                }
            }
            SimModel::Purchases(truth) => {
                let summary = read_log(&file)?;
                let kind = truth.kind();
                match fit_model(kind, &summary, &mut |_| {}) {
                    Ok(fit) => {
                        for (p, t) in fit.params.iter().zip(truth.to_array()) {
                            step.params.push(Recovered {
                                model: kind.name().into(),
                                name: p.name.clone(),
                                truth: t,
                                estimate: p.value,
                                std_error: p.std_error,
                            });
                        }
                    }
                    Err(e) => step.notes.push(format!("{} not fitted: {e}", kind.name())),
                }
                if req.spend {
                    let [gp, gq, gg] = req.gamma_gamma;
                    match fit_spend(&summary.customers) {
                        Ok(g) => step.add(
                            "Gamma-Gamma",
                            [("p", gp), ("q", gq), ("gamma", gg)],
                            [g.params.p, g.params.q, g.params.gamma],
                            g.std_errors,
                        ),
                        Err(e) => step.notes.push(format!("Gamma-Gamma not fitted: {e}")),
                    }
                }
            }
        }
        done += f64::from(n);
        out.push(step);
    }
    progress(1.0, "Done");
    Ok(Recovery { steps: out })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clv::{BtydModel, ModelKind};

    #[test]
    fn typed_inputs_become_a_request_or_a_plain_error() {
        let r = SimRequest::from_inputs("sbg", "alpha=0.7, beta=1.2", 1000.0, 7.0).unwrap();
        assert_eq!((r.customers, r.seed, r.periods), (1000, 7, 12));
        let r = SimRequest::from_inputs("pnbd", "r=1,alpha=2,s=3,beta=4", 50.0, 0.0).unwrap();
        assert_eq!(r.periods, 39);
        let e = |c: f64, s: f64| {
            SimRequest::from_inputs("bgnbd", "r=1,alpha=2,a=3,b=4", c, s).unwrap_err()
        };
        assert!(e(0.0, 1.0).contains("customers must be a whole number"));
        assert!(e(10.5, 1.0).contains("customers"));
        assert!(e(1e9, 1.0).contains("200000"));
        assert!(e(10.0, -1.0).contains("seed"));
        assert!(e(10.0, 0.5).contains("seed"));
    }

    #[test]
    fn steps_halve_down_to_the_smallest_and_ascend() {
        assert_eq!(steps(5000), vec![156, 312, 625, 1250, 2500, 5000]);
        assert_eq!(steps(300), vec![150, 300]);
        assert_eq!(steps(50), vec![50]);
    }

    #[test]
    fn recovery_narrows_with_more_customers_and_centres_on_the_truth() {
        let req = SimRequest {
            customers: 8000,
            seed: 3,
            ..Default::default()
        };
        let r = recovery(&req, &mut |_, _| {}).unwrap();
        assert_eq!(r.steps.len(), 6);
        let last = r.steps.last().unwrap();
        assert_eq!(last.params.len(), 7, "{:?}", last.notes);
        for p in &last.params {
            let z = p.z().unwrap();
            assert!(z.abs() < 3.0, "{} {}: z = {z}", p.model, p.name);
        }
        // Standard errors shrink about as 1/√n: 8000 vs 250 customers, r's error at least 3×.
        let se = |s: &RecoveryStep| s.params[0].std_error.unwrap();
        assert!(se(&r.steps[0]) > 3.0 * se(last));
    }

    #[test]
    fn the_same_request_generates_the_same_bytes_and_bad_requests_are_named() {
        let req = SimRequest {
            model: SimModel::Purchases(BtydModel::from_array(
                ModelKind::ParetoNbd,
                [0.55, 10.5, 0.6, 11.7],
            )),
            ..Default::default()
        };
        let a = generate(&req, 400).unwrap();
        assert_eq!(a, generate(&req, 400).unwrap());
        assert_eq!(a.file_name, "simulated-pnbd-400-seed42.csv");
        assert!(generate(&req, 0).unwrap_err().contains("between 1 and"));
        let bad = SimRequest {
            acquisition_weeks: 50,
            ..req
        };
        assert!(generate(&bad, 10)
            .unwrap_err()
            .contains("observed for only 39"));
        let sbg = SimRequest {
            model: SimModel::Sbg {
                alpha: 0.7,
                beta: 1.2,
            },
            periods: 8,
            ..Default::default()
        };
        let f = generate(&sbg, 1000).unwrap();
        assert_eq!(f.kind, DataKind::Cohort);
        let r = recovery(&sbg, &mut |_, _| {}).unwrap();
        assert_eq!(r.steps.last().unwrap().params.len(), 2);
    }
}
