//! Fit settings of the buy-till-you-die models, their checks (options and customer records)
//! and the fit itself: Params → check → fit, as in linfa.

use super::optim::{self, FitOptions};
use super::{BtydModel, ClvError, FittedModel, ModelKind, ParamEstimate};
use crate::domain::customers::{CustomerRecord, CustomerSummary, TimeUnit};
use serde::{Deserialize, Serialize};

pub(crate) fn check_options(o: &FitOptions) -> Result<(), ClvError> {
    if !(o.gradient_tolerance > 0.0 && o.gradient_tolerance < 1.0) {
        return Err(ClvError::invalid(
            "gradient_tolerance",
            o.gradient_tolerance,
            "must be in (0, 1)",
        ));
    }
    if o.starts == 0 || o.starts > 50 {
        return Err(ClvError::invalid(
            "starts",
            f64::from(o.starts),
            "must be 1..=50",
        ));
    }
    if o.max_bfgs_iterations == 0 {
        return Err(ClvError::invalid("max_bfgs_iterations", 0.0, "must be ≥ 1"));
    }
    Ok(())
}

pub(crate) fn check_record(i: usize, c: &CustomerRecord) -> Result<(), ClvError> {
    let bad = |field: &str, value: f64, reason: &str| ClvError::InvalidRecord {
        index: i as u64,
        id: c.id.clone(),
        field: field.to_string(),
        value,
        reason: reason.to_string(),
    };
    if !(c.x.is_finite() && c.x >= 0.0) {
        return Err(bad("x", c.x, "must be a count ≥ 0"));
    }
    if !(c.t.is_finite() && c.t >= 0.0) {
        return Err(bad("T", c.t, "must be ≥ 0"));
    }
    if !(c.t_x.is_finite() && c.t_x >= 0.0 && c.t_x <= c.t * (1.0 + 1e-12) + 1e-12) {
        return Err(bad("t_x", c.t_x, "must be between 0 and T"));
    }
    if c.x == 0.0 && c.t_x != 0.0 {
        return Err(bad("t_x", c.t_x, "must be 0 when x = 0"));
    }
    if !(c.monetary.is_finite()) {
        return Err(bad("monetary", c.monetary, "must be finite"));
    }
    if !(c.weight.is_finite() && c.weight > 0.0) {
        return Err(bad("weight", c.weight, "must be > 0"));
    }
    Ok(())
}

/// Settings of a buy-till-you-die fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BtydParams {
    /// Which model.
    pub kind: ModelKind,
    /// Search options.
    #[serde(default)]
    pub options: FitOptions,
}

/// Checked settings, ready to fit.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidBtydParams(BtydParams);

impl BtydParams {
    /// Default options for `kind`.
    pub fn new(kind: ModelKind) -> BtydParams {
        BtydParams {
            kind,
            options: FitOptions::default(),
        }
    }

    /// Validates the options.
    ///
    /// # Errors
    /// [`ClvError::InvalidParameter`] naming the bad option.
    pub fn check(&self) -> Result<ValidBtydParams, ClvError> {
        check_options(&self.options)?;
        Ok(ValidBtydParams(self.clone()))
    }
}

impl ValidBtydParams {
    /// Fits on a customer summary (identical rows grouped with weights first).
    ///
    /// # Errors
    /// [`ClvError::InvalidRecord`] for impossible statistics, [`ClvError::NotEnoughData`] for
    /// an empty summary.
    pub fn fit(
        &self,
        summary: &CustomerSummary,
        progress: &mut dyn FnMut(f64),
    ) -> Result<FittedModel, ClvError> {
        self.fit_records(&summary.customers, summary.time_unit, progress)
    }

    /// Fits on customer records whose times are in `time_unit`.
    ///
    /// # Errors
    /// As [`ValidBtydParams::fit`].
    pub fn fit_records(
        &self,
        customers: &[CustomerRecord],
        time_unit: TimeUnit,
        progress: &mut dyn FnMut(f64),
    ) -> Result<FittedModel, ClvError> {
        for (i, c) in customers.iter().enumerate() {
            check_record(i, c)?;
        }
        if customers.is_empty() {
            return Err(ClvError::NotEnoughData {
                reason: String::from("the summary has no customers"),
            });
        }
        let groups = optim::group_rows(customers.iter().map(|c| (c.x, c.t_x, c.t, c.weight)));
        let prepared = optim::Prepared::new(&groups);
        let kind = self.0.kind;
        // The search stays in a box of log-parameters (outside it, and wherever the likelihood
        // is not finite, the objective is NaN, which every step of the search rejects): beyond
        // it the likelihood is flat to rounding and the special functions slow to a crawl.
        let model_at = |th: &[f64]| -> Option<BtydModel> {
            let p = <[f64; 4]>::try_from(th).ok()?;
            if !p.iter().all(|v| v.abs() <= LN_PARAM_BOUND) {
                return None;
            }
            Some(BtydModel::from_array(kind, p.map(f64::exp)))
        };
        let nll_on = |data: &optim::Prepared, th: &[f64]| -> f64 {
            let v = model_at(th).map_or(f64::NAN, |m| -m.log_likelihood_prepared(data));
            if v.is_finite() {
                v
            } else {
                f64::NAN
            }
        };
        let nll_grad_on = |data: &optim::Prepared, th: &[f64]| -> (f64, Vec<f64>) {
            match model_at(th).map(|m| m.log_likelihood_grad_prepared(data)) {
                Some((ll, g)) if ll.is_finite() => (-ll, g.iter().map(|v| -v).collect()),
                _ => (f64::NAN, vec![f64::NAN; th.len()]),
            }
        };
        let nll = |th: &[f64]| nll_on(&prepared, th);
        let nll_grad = |th: &[f64]| nll_grad_on(&prepared, th);
        let exact = optim::Objective {
            value: &nll,
            value_grad: Some(&nll_grad),
        };
        // Large data: search for the basin on roughly coarsened times (a few hundred groups),
        // refine on finer coarsening (a few thousand), then finish on the exact grouped data
        // in a few passes, each stage starting with the previous one's curvature.
        let coarse: Vec<optim::Prepared> = if groups.len() > COARSE_ABOVE {
            // The rough grid is made from the fine one (its step is a multiple of the fine
            // step), so the million rows are regrouped only once.
            let fine = optim::coarsen(&groups, COARSE_BINS[1]);
            let rough = optim::coarsen(&fine, COARSE_BINS[0]);
            vec![optim::Prepared::new(&rough), optim::Prepared::new(&fine)]
        } else {
            Vec::new()
        };
        let values: Vec<_> = coarse
            .iter()
            .map(|c| move |th: &[f64]| nll_on(c, th))
            .collect();
        let grads: Vec<_> = coarse
            .iter()
            .map(|c| move |th: &[f64]| nll_grad_on(c, th))
            .collect();
        let approx: Vec<optim::Objective> = values
            .iter()
            .zip(&grads)
            .map(|(v, g)| optim::Objective {
                value: v,
                value_grad: Some(g),
            })
            .collect();
        let stages: Vec<&optim::Objective> = approx.iter().chain([&exact]).collect();
        let mut min =
            optim::minimize_staged(&stages, &kind.default_start(), &self.0.options, progress);
        if min.theta.iter().any(|t| t.abs() >= LN_PARAM_BOUND - 0.05) {
            min.convergence.converged = false;
            min.convergence.reason = String::from(
                "did not converge: a parameter ran to the edge of the search range (the data do \
                 not pin the model down, e.g. everyone buys at the same rate)",
            );
        }
        let unc = optim::uncertainty_of(&exact, &min.theta, Some(&min.gradient));
        let se = unc.std_errors;
        let theta = <[f64; 4]>::try_from(min.theta.as_slice()).unwrap_or([f64::NAN; 4]);
        let model = BtydModel::from_array(kind, theta.map(f64::exp));
        let values = model.to_array();
        let params = kind
            .parameter_names()
            .iter()
            .enumerate()
            .map(|(i, n)| ParamEstimate {
                name: (*n).to_string(),
                value: values.get(i).copied().unwrap_or(f64::NAN),
                std_error: se.get(i).copied().flatten(),
                description: kind.parameter_description(n).to_string(),
            })
            .collect();
        Ok(FittedModel {
            kind,
            model,
            params,
            log_likelihood: -min.value,
            convergence: min.convergence,
            n_customers: prepared.total_weight.round() as u64,
            n_groups: groups.len() as u64,
            time_unit,
            description: kind.description().to_string(),
            covariance_note: unc.log_covariance.as_ref().err().cloned(),
            log_covariance: unc.log_covariance.ok(),
        })
    }
}

/// Above this many distinct (x, t_x, T) groups the start search runs on coarsened times.
const COARSE_ABOVE: usize = 20_000;
/// Bound on |ln p| for every BTYD parameter during the search (e^9 ≈ 8,100): published fits
/// lie well inside (|ln p| < 3 on CDNOW); a fit that runs to the edge is reported as not
/// converged.
const LN_PARAM_BOUND: f64 = 9.0;
/// Grid steps over the largest T of the coarsened stages of the search, rough to fine.
const COARSE_BINS: [u32; 2] = [12, 60];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_records_are_rejected_with_their_position() {
        let mut c = CustomerRecord::from_stats("c9", 2.0, 12.0, 10.0, 5.0);
        let e = BtydParams::new(ModelKind::BgNbd)
            .check()
            .unwrap()
            .fit_records(
                &[
                    CustomerRecord::from_stats("ok", 0.0, 0.0, 5.0, 0.0),
                    c.clone(),
                ],
                TimeUnit::Week,
                &mut |_| {},
            )
            .unwrap_err();
        assert!(
            e.to_string().contains("customer 1 (id \"c9\"), field t_x"),
            "{e}"
        );
        c.t_x = 5.0;
        c.weight = 0.0;
        assert!(check_record(0, &c).is_err());
    }
}
