//! Explanations of the Lifetime value page's model figures: each estimated parameter (what it
//! means, its estimate and standard error as the tables show them), a comparison row's AIC and
//! BIC from its log-likelihood, k and n, the holdout check (predicted against actual) and the
//! discounting and margin the CLV uses. Values are the engine's own figures.

use super::{filled, Filled};
use crate::analysis::clv::Validation;
use crate::analysis::compare::ModelRow;
use crate::analysis::numfmt::NumberFormat;
use crate::domain::clv::{ClvSettings, FittedGammaGamma, ParamEstimate};

/// The glossary id of a model parameter by its name as the tables show it (`alpha`, `α`).
pub fn param_term(name: &str) -> &'static str {
    match name {
        "r" => "param-r",
        "alpha" | "α" => "param-alpha",
        "a" => "param-a",
        "b" => "param-b",
        "s" => "param-s",
        "beta" | "β" => "param-beta",
        "p" => "param-p",
        "q" => "param-q",
        "gamma" | "γ" => "param-gamma",
        _ => "bgnbd",
    }
}

fn param_text(name: &str, value: f64, se: Option<f64>, meaning: &str, nf: &NumberFormat) -> String {
    let est = nf.fixed(value, 4);
    let se_text = match se {
        Some(s) if s.is_finite() => format!(
            "standard error {}: roughly 95% of plausible values lie in {est} ± 1.96 × {} = {} to {}",
            nf.fixed(s, 4),
            nf.fixed(s, 4),
            nf.fixed(value - 1.96 * s, 4),
            nf.fixed(value + 1.96 * s, 4)
        ),
        _ => "no standard error (the curvature of the likelihood could not be inverted)".into(),
    };
    let meaning = if meaning.is_empty() {
        String::new()
    } else {
        format!("{meaning}\n")
    };
    format!("{meaning}{name} = {est} (the value that makes the data most likely)\n{se_text}")
}

/// A purchase model's parameter with its standard error, as the parameter table shows it.
pub fn param(p: &ParamEstimate, nf: &NumberFormat) -> Filled {
    filled(
        param_term(&p.name),
        "estimate = the value that maximises the log-likelihood; about 95% within estimate ± 1.96 × standard error",
        param_text(&p.name, p.value, p.std_error, &p.description, nf),
        p.value,
    )
}

/// The Gamma-Gamma parameters p, q, γ with their standard errors (table order).
pub fn spend_params(g: &FittedGammaGamma, nf: &NumberFormat) -> [Filled; 3] {
    let f = |name: &str, v: f64, se: Option<f64>, meaning: &str| {
        filled(
            param_term(name),
            "estimate = the value that maximises the log-likelihood; about 95% within estimate ± 1.96 × standard error",
            param_text(name, v, se, meaning, nf),
            v,
        )
    };
    let [sp, sq, sg] = g.std_errors;
    [
        f("p", g.params.p, sp, "Shape of each purchase's spend around the customer's own mean: larger p, steadier spend."),
        f("q", g.params.q, sq, "Shape of how mean spends differ across customers: larger q, more alike."),
        f("γ", g.params.gamma, sg, "Scale of mean spends across customers: with p and q it sets the average spend pγ/(q − 1)."),
    ]
}

/// A comparison row's AIC and BIC from its log-likelihood `LL`, `k` parameters and `n`
/// customers (value: the row's BIC). None for a row without them (BG/BB's likelihood is on
/// other data).
pub fn information_criteria(m: &ModelRow, n: u64, nf: &NumberFormat) -> Option<Filled> {
    if !(m.aic.is_finite() && m.bic.is_finite()) {
        return None;
    }
    let nn = (n as f64).max(1.0);
    let ll = nf.fixed(m.log_likelihood, 2);
    let text = format!(
        "{}: LL = {ll}, k = {}, n = {n}\nAIC = 2 × {} − 2 × ({ll}) = {}\nBIC = {} × ln({n}) − 2 × ({ll}) = {} × {} + {} = {}",
        m.name,
        m.k,
        m.k,
        nf.fixed(m.aic, 2),
        m.k,
        m.k,
        nf.fixed(nn.ln(), 4),
        nf.fixed(-2.0 * m.log_likelihood, 2),
        nf.fixed(m.bic, 2)
    );
    Some(filled(
        "bic",
        "AIC = 2k − 2·LL; BIC = k·ln(n) − 2·LL (lower is better)",
        text,
        m.bic,
    ))
}

/// A comparison row's holdout error per customer: mean |predicted − actual| holdout purchases.
pub fn holdout_mae(m: &ModelRow, nf: &NumberFormat) -> Option<Filled> {
    let h = m.holdout.as_ref()?;
    Some(filled(
        "holdout-error",
        "holdout error per customer = Σ |predicted − actual holdout purchases| / customers",
        format!(
            "{}: predicted {} and actual {} purchases in the holdout in all; the customers' absolute differences average {}",
            m.name,
            nf.fixed(h.total_predicted, 1),
            nf.fixed(h.total_actual, 1),
            nf.fixed(h.customer_mae, 4)
        ),
        h.customer_mae,
    ))
}

/// The calibration/holdout check: predicted against actual holdout purchases (value: the
/// relative error, predicted / actual − 1, as the page's percentage shows it).
pub fn holdout(v: &Validation, nf: &NumberFormat) -> Filled {
    let value = if v.holdout_actual > 0.0 {
        v.holdout_predicted / v.holdout_actual - 1.0
    } else {
        0.0
    };
    filled(
        "holdout-error",
        "error = predicted holdout purchases / actual holdout purchases − 1",
        format!(
            "fitted on {} to {}, asked for the {} customers' purchases to {}\nerror = {} / {} − 1 = {} ({}%)",
            v.first_date,
            v.calibration_end,
            v.n_customers,
            v.observation_end,
            nf.fixed(v.holdout_predicted, 1),
            nf.fixed(v.holdout_actual, 1),
            nf.fixed(value, 4),
            nf.fixed(100.0 * value, 1)
        ),
        value,
    )
}

/// The discounting the CLV uses: the monthly rate and what it makes of a year (value: the
/// yearly rate (1 + d)¹² − 1), with the margin applied to spend.
pub fn discounting(s: &ClvSettings, nf: &NumberFormat) -> Filled {
    let d = s.discount_rate;
    let value = (1.0 + d).powi(12) - 1.0;
    filled(
        "discount-rate",
        "yearly rate = (1 + d)¹² − 1; month i's value is divided by (1 + d)^i and multiplied by the margin",
        format!(
            "d = {} per month: (1 + {})¹² − 1 = {} ({}% a year)\nmonth 12's value × 1 / {}¹² = × {}\nmargin = {}: profit = {} × spend",
            nf.fixed(d, 4),
            nf.fixed(d, 4),
            nf.fixed(value, 4),
            nf.fixed(100.0 * value, 1),
            nf.fixed(1.0 + d, 4),
            nf.fixed((1.0 + d).powi(-12), 4),
            nf.fixed(s.margin_rate, 2),
            nf.fixed(s.margin_rate, 2)
        ),
        value,
    )
}

/// The sBG parameters α and β with their standard errors, as the subscription table shows them.
pub fn sbg_params(f: &crate::domain::clv::FittedSbg, nf: &NumberFormat) -> [Filled; 2] {
    let one = |name: &str, v: f64, se: Option<f64>, meaning: &str| {
        filled(
            "sbg",
            "estimate = the value that maximises the log-likelihood of the survivor counts; about 95% within estimate ± 1.96 × standard error",
            param_text(name, v, se, meaning, nf),
            v,
        )
    };
    let [sa, sb] = f.std_errors;
    [
        one("α", f.params.alpha, sa, "With β, the spread of the subscribers' chances of cancelling (a Beta distribution): the mean chance is α/(α + β)."),
        one("β", f.params.beta, sb, "Larger β (against α): lower chances of cancelling."),
    ]
}

/// The sBG chance of cancelling in the first period, P(T = 1) = α/(α + β), in percent.
pub fn sbg_first_churn(m: &crate::domain::clv::Sbg, nf: &NumberFormat) -> Filled {
    let p = m.prob_churn(1);
    filled(
        "sbg",
        "P(T = 1) = α / (α + β)",
        format!(
            "P(T = 1) = {} / ({} + {}) = {} = {}%",
            nf.fixed(m.alpha, 4),
            nf.fixed(m.alpha, 4),
            nf.fixed(m.beta, 4),
            nf.fixed(p, 4),
            nf.fixed(100.0 * p, 1)
        ),
        100.0 * p,
    )
}

/// The sBG retention rate in period `t`: r_t = (β + t − 1)/(α + β + t − 1), in percent.
pub fn sbg_retention(m: &crate::domain::clv::Sbg, t: u32, nf: &NumberFormat) -> Filled {
    let r = m.retention(t);
    let t = t.max(1);
    filled(
        "retention-rate",
        "retention in period t = (β + t − 1) / (α + β + t − 1)",
        format!(
            "retention in period {t} = ({} + {t} − 1) / ({} + {} + {t} − 1) = {} = {}%",
            nf.fixed(m.beta, 4),
            nf.fixed(m.alpha, 4),
            nf.fixed(m.beta, 4),
            nf.fixed(r, 4),
            nf.fixed(100.0 * r, 1)
        ),
        100.0 * r,
    )
}

/// The expected remaining lifetime of a new subscriber, (β + n − 1)/(α − 1) with n = 1, in
/// periods; `None` when α ≤ 1 (unbounded).
pub fn sbg_lifetime(m: &crate::domain::clv::Sbg, nf: &NumberFormat) -> Option<Filled> {
    let v = m.expected_remaining_lifetime(1)?;
    Some(filled(
        "sbg",
        "expected remaining lifetime = (β + n − 1) / (α − 1), n = 1 for a new subscriber (unbounded when α ≤ 1)",
        format!(
            "({} + 1 − 1) / ({} − 1) = {} periods",
            nf.fixed(m.beta, 4),
            nf.fixed(m.alpha, 4),
            nf.fixed(v, 4)
        ),
        v,
    ))
}
