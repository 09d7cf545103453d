//! Worker tasks of the parametric bootstrap split across workers. The page's pool of extra
//! workers each refit a range of replicates ([`BootstrapTask::Part`], computed by
//! [`crate::domain::clv::bootstrap::bootstrap_replicates`] from what the request carries: the
//! fit, the spend fit and the customers' ages and weights, so a pool worker holds no dataset);
//! the page merges the parts ([`BootstrapPart::merge`]) and sends the merged part to the worker
//! holding the customers ([`BootstrapTask::Intervals`]), which turns it into the same
//! [`ValueRanges`] the parameter draws give, with method `Bootstrap`.

use super::datasets::Datasets;
use super::error::WorkerError;
use super::intervals::ValueRanges;
use super::tasks::Output;
use crate::domain::clv::bootstrap::{bootstrap_intervals, bootstrap_replicates, BootstrapPart};
use crate::domain::clv::{ClvSettings, FittedGammaGamma, FittedModel};
use crate::domain::customers::CustomerRecord;
use serde::{Deserialize, Serialize};

/// What the bootstrap needs of the customers: each one's age T and weight, in summary order
/// (the replicates simulate customers of these ages, so the order matters for the seeds).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BootstrapColumns {
    /// Time from the first purchase to the end of observation, per customer.
    pub t: Vec<f64>,
    /// How many customers each row stands for.
    pub weight: Vec<f64>,
}

impl BootstrapColumns {
    /// The columns of `customers`.
    pub fn from_customers(customers: &[CustomerRecord]) -> Self {
        BootstrapColumns {
            t: customers.iter().map(|c| c.t).collect(),
            weight: customers.iter().map(|c| c.weight).collect(),
        }
    }

    /// Customers the bootstrap simulates (weights rounded, at least 1 per row, as the
    /// bootstrap counts them).
    pub fn simulated(&self) -> f64 {
        self.weight.iter().map(|w| w.round().max(1.0)).sum()
    }

    /// Records carrying only what the bootstrap reads (age and weight; no purchases).
    fn records(&self) -> Result<Vec<CustomerRecord>, WorkerError> {
        if self.t.len() != self.weight.len() {
            return Err(WorkerError::Clv(format!(
                "the bootstrap request is damaged: {} ages but {} weights",
                self.t.len(),
                self.weight.len()
            )));
        }
        Ok(self
            .t
            .iter()
            .zip(&self.weight)
            .map(|(&t, &w)| {
                let mut c = CustomerRecord::from_stats(String::new(), 0.0, 0.0, t, 0.0);
                c.weight = w;
                c
            })
            .collect())
    }
}

/// A bootstrap task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum BootstrapTask {
    /// Refit replicates `first..end` (replicate i seeded `seed + i`); answers
    /// [`Output::BootstrapPart`].
    Part {
        /// The fitted purchase model.
        model: Box<FittedModel>,
        /// The fitted spend model, if any.
        spend: Option<Box<FittedGammaGamma>>,
        /// The customers' ages and weights.
        columns: BootstrapColumns,
        /// First replicate.
        first: u32,
        /// One past the last replicate.
        end: u32,
        /// Seed of replicate 0.
        seed: u64,
    },
    /// Ranges from merged refits for a held dataset's customers; answers
    /// [`Output::Intervals`].
    Intervals {
        /// The dataset.
        dataset: String,
        /// The fitted purchase model.
        model: Box<FittedModel>,
        /// The fitted spend model, if any.
        spend: Option<Box<FittedGammaGamma>>,
        /// The fit's CLV settings.
        settings: Box<ClvSettings>,
        /// Central probability of every range.
        level: f64,
        /// Seed of replicate 0 (reported with the ranges).
        seed: u64,
        /// Every replicate's refit, merged.
        part: Box<BootstrapPart>,
    },
}

/// Runs a bootstrap task (a pool worker's part, or the ranges on the held customers).
///
/// # Errors
/// [`WorkerError::Clv`] in plain words (too many customers to simulate, a bad level, fewer
/// than 2 successful refits); [`WorkerError::NotHeld`] when the dataset is not held.
pub fn run(
    task: BootstrapTask,
    datasets: &Datasets,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<Output, WorkerError> {
    match task {
        BootstrapTask::Part {
            model,
            spend,
            columns,
            first,
            end,
            seed,
        } => part(
            &model,
            spend.as_deref(),
            &columns,
            first..end,
            seed,
            progress,
        )
        .map(|p| Output::BootstrapPart(Box::new(p))),
        BootstrapTask::Intervals {
            dataset,
            model,
            spend,
            settings,
            level,
            seed,
            part,
        } => intervals(
            &datasets.get(&dataset)?.summary.customers,
            &model,
            spend.as_deref(),
            &settings,
            level,
            seed,
            &part,
            progress,
        )
        .map(|v| Output::Intervals(Box::new(v))),
    }
}

/// Refits replicates `replicates` on customers of the columns' ages, reporting the share of
/// the range done.
///
/// # Errors
/// As [`bootstrap_replicates`], in words.
pub fn part(
    model: &FittedModel,
    spend: Option<&FittedGammaGamma>,
    columns: &BootstrapColumns,
    replicates: std::ops::Range<u32>,
    seed: u64,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<BootstrapPart, WorkerError> {
    let customers = columns.records()?;
    let n = replicates.len();
    bootstrap_replicates(model, spend, &customers, replicates, seed, &mut |f| {
        progress(f, &format!("Refitting {n} simulated customer bases"))
    })
    .map_err(|e| WorkerError::Clv(e.to_string()))
}

/// The ranges from merged refits for `customers` (the held summary's), packed as the page
/// receives them.
///
/// # Errors
/// A bad level or fewer than 2 successful refits, in words.
#[allow(clippy::too_many_arguments)]
pub fn intervals(
    customers: &[CustomerRecord],
    model: &FittedModel,
    spend: Option<&FittedGammaGamma>,
    settings: &ClvSettings,
    level: f64,
    seed: u64,
    part: &BootstrapPart,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<ValueRanges, WorkerError> {
    let clv_error = |e: crate::domain::clv::ClvError| WorkerError::Clv(e.to_string());
    crate::domain::clv::intervals::check_level(level).map_err(clv_error)?;
    progress(0.0, "Computing ranges from the refits");
    let mut report =
        bootstrap_intervals(model, spend, customers, settings, part, level, &mut |f| {
            progress(f, "Computing ranges for every customer")
        })
        .map_err(clv_error)?;
    report.seed = seed;
    progress(1.0, "Done");
    let mut v = ValueRanges::from_report(&report);
    v.refits = part.sets.iter().map(|(_, s)| *s).collect();
    Ok(v)
}
