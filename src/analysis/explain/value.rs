//! Explanations of the Value & strategy page's own figures: return on customer, the simple
//! CLV of the retention what-if, firm value and the budget split, each computed by
//! [`crate::domain::value`] and filled in here with the page's inputs.

use super::{filled, Filled};
use crate::analysis::numfmt::NumberFormat;
use crate::domain::value;

/// Return on customer from the cash flow and the equity at the start and end (None when the
/// engine cannot compute it: no positive starting equity).
pub fn return_on_customer(cash: f64, start: f64, end: f64, nf: &NumberFormat) -> Option<Filled> {
    let v = value::return_on_customer(cash, start, end).ok()?;
    Some(filled(
        "return-on-customer",
        "ROC = (cash flow + equity at the end − equity at the start) / equity at the start",
        format!(
            "ROC = ({} + {} − {}) / {} = {} ({}%)",
            nf.fixed(cash, 2),
            nf.fixed(end, 2),
            nf.fixed(start, 2),
            nf.fixed(start, 2),
            nf.fixed(v, 4),
            nf.fixed(100.0 * v, 1)
        ),
        v,
    ))
}

/// The teaching CLV m · r / (1 + d − r) (None when the engine refuses the inputs).
pub fn simple_clv(margin: f64, retention: f64, discount: f64, nf: &NumberFormat) -> Option<Filled> {
    let v = value::simple_clv(margin, retention, discount).ok()?;
    Some(filled(
        "simple-clv",
        "CLV = m · r / (1 + d − r)",
        format!(
            "CLV = {} × {} / (1 + {} − {}) = {} / {} = {}",
            nf.fixed(margin, 2),
            nf.fixed(retention, 2),
            nf.fixed(discount, 2),
            nf.fixed(retention, 2),
            nf.fixed(margin * retention, 4),
            nf.fixed(1.0 + discount - retention, 4),
            nf.fixed(v, 2)
        ),
        v,
    ))
}

const FIRM_VALUE: &str = "firm value = CE + Σ_{t=1..P} N · (CLV_new − CAC) / (1 + d)^t";

/// The line working out the future customers' part of firm value.
fn future_line(i: &value::FirmValueInputs, future: f64, nf: &NumberFormat) -> String {
    format!(
        "future customers = {} × ({} − {}) × Σ_{{t=1..{}}} 1/(1 + {})^t = {} × {} × {} = {}",
        nf.fixed(i.new_per_period, 0),
        nf.fixed(i.clv_new, 2),
        nf.fixed(i.acquisition_cost, 2),
        i.periods,
        nf.fixed(i.discount, 4),
        nf.fixed(i.new_per_period, 0),
        nf.fixed(i.clv_new - i.acquisition_cost, 2),
        nf.fixed(value::annuity_factor(i.discount, i.periods), 4),
        nf.fixed(future, 2),
    )
}

/// Firm value = current customer equity + the discounted net value of the customers still to
/// be acquired (None when the engine refuses the inputs).
pub fn firm_value(i: &value::FirmValueInputs, nf: &NumberFormat) -> Option<Filled> {
    let f = value::firm_value(i).ok()?;
    Some(filled(
        "firm-value",
        FIRM_VALUE,
        format!(
            "{}\nfirm value = {} + {} = {}",
            future_line(i, f.future, nf),
            nf.fixed(f.current, 2),
            nf.fixed(f.future, 2),
            nf.fixed(f.total, 2)
        ),
        f.total,
    ))
}

/// Firm value while the current customers' equity is not computed yet: only the future
/// customers' part is worked out (its value is that part), and the equity is named as still
/// to come, never put in as 0 (`i.current_equity` is not read). None when the engine refuses
/// the inputs.
pub fn firm_value_without_equity(i: &value::FirmValueInputs, nf: &NumberFormat) -> Option<Filled> {
    let future = value::future_customers_value(i).ok()?;
    Some(filled(
        "firm-value",
        FIRM_VALUE,
        format!(
            "{}\nfirm value = customer equity (still being computed) + {}: it follows once the lifetime values are in",
            future_line(i, future, nf),
            nf.fixed(future, 2),
        ),
        future,
    ))
}

/// A segment's expected gain from its share of the budget, gain = V · (1 − exp(−s/k)), and the
/// marginal return V/k · exp(−s/k) at which the split stopped (the same for every funded
/// segment). The value is the engine's expected gain.
pub fn budget_gain(
    e: &value::SegmentEconomics,
    a: &value::Allocation,
    nf: &NumberFormat,
) -> Filled {
    let (v, k, s) = (e.value_at_stake.max(0.0), e.saturation_spend, a.spend);
    let kept = (-s / k).exp();
    filled(
        "budget-split",
        "gain = V · (1 − exp(−s / k)); the split gives each segment spend s until its marginal return V/k · exp(−s / k) is the same for all funded segments",
        format!(
            "{}: gain = {} × (1 − exp(−{} / {})) = {} × {} = {}\nmarginal return = {} / {} × exp(−{} / {}) = {}",
            e.name,
            nf.fixed(v, 2),
            nf.fixed(s, 2),
            nf.fixed(k, 2),
            nf.fixed(v, 2),
            nf.fixed(1.0 - kept, 4),
            nf.fixed(a.expected_gain, 2),
            nf.fixed(v, 2),
            nf.fixed(k, 2),
            nf.fixed(s, 2),
            nf.fixed(k, 2),
            nf.fixed(a.marginal_return, 4)
        ),
        a.expected_gain,
    )
}
