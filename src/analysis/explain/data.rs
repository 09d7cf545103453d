//! Explanations of the Data page's counts: rows read and used, customers kept and left out
//! (by reason), the span of the data in the time unit, and one customer's x, tₓ and T worked out
//! from their purchase dates. Every value is the import's or the summary's own figure.

use super::{filled, Filled};
use crate::analysis::numfmt::NumberFormat;
use crate::domain::customers::{excluded_total, CustomerRecord, CustomerSummary};
use crate::io::import::ValidationReport;

/// Rows used = rows read − rows that could not be used (with the reasons and their counts).
pub fn rows_used(r: &ValidationReport, nf: &NumberFormat) -> Filled {
    let kinds: Vec<String> = r
        .by_kind
        .iter()
        .map(|k| format!("{}: {}", k.kind.name(), nf.count(k.count)))
        .collect();
    let why = if kinds.is_empty() {
        String::new()
    } else {
        format!("\nnot used, by reason: {}", kinds.join("; "))
    };
    filled(
        "rows-used",
        "rows used = rows read − rows that could not be used",
        format!(
            "rows used = {} − {} = {}{why}",
            nf.count(r.rows_read),
            nf.count(r.rows_rejected),
            nf.count(r.rows_used)
        ),
        r.rows_used as f64,
    )
}

/// Customers in the summary = distinct ids in the log − customers left out (by reason).
pub fn customers(s: &CustomerSummary, nf: &NumberFormat) -> Filled {
    let n = s.customers.len() as u64;
    let left = excluded_total(&s.excluded);
    let reasons: Vec<String> = s
        .excluded
        .iter()
        .filter(|e| e.count > 0)
        .map(|e| format!("{} {}", nf.count(e.count), e.reason.describe()))
        .collect();
    let (all, shown) = (nf.count(n + left), nf.count(n));
    let text = if left == 0 {
        format!("{shown} distinct ids − 0 left out = {shown}")
    } else {
        format!(
            "{all} distinct ids − {} left out ({}) = {shown}",
            nf.count(left),
            reasons.join(", ")
        )
    };
    filled(
        "customers",
        "customers = distinct ids in the log − customers left out",
        text,
        n as f64,
    )
}

/// The time the summary covers, from the first purchase in it to the end of (calibration)
/// observation, in the time unit: the largest T any customer can have.
pub fn span(s: &CustomerSummary, nf: &NumberFormat) -> Option<Filled> {
    let first = s.customers.iter().filter_map(|c| c.first).min()?;
    let end = s.calibration_end.or(s.observation_end)?;
    let days = (end - first).num_days() as f64;
    let unit = s.time_unit;
    let value = days / unit.days();
    Some(filled(
        "time-unit",
        "span = (end − first purchase) in days / days per unit",
        format!(
            "{first} to {end}: {days_0} days / {} days per {} = {} {}s",
            nf.fixed(unit.days(), 4),
            unit.name(),
            nf.fixed(value, 2),
            unit.name(),
            days_0 = nf.number(days, 0)
        ),
        value,
    ))
}

/// One customer's x, tₓ and T worked out from their purchase dates (None when the dates are
/// not known, as in a summary loaded from elsewhere). `end`: the summary's (calibration) end.
pub fn customer_times(
    c: &CustomerRecord,
    s: &CustomerSummary,
    nf: &NumberFormat,
) -> Option<[Filled; 3]> {
    let (first, last) = (c.first?, c.last?);
    let end = s.calibration_end.or(s.observation_end)?;
    let unit = s.time_unit;
    let per = nf.fixed(unit.days(), 4);
    let u = unit.name();
    let x = f64::from(c.occasions.saturating_sub(1));
    let tx_days = (last - first).num_days() as f64;
    let t_days = (end - first).num_days() as f64;
    let tx = tx_days / unit.days();
    let t = t_days / unit.days();
    Some([
        filled(
            "frequency-x",
            "x = purchase occasions − 1",
            format!(
                "customer {}: {} purchase days − 1 = {x_0}",
                c.id,
                nf.count(c.occasions.into()),
                x_0 = nf.fixed(x, 0)
            ),
            x,
        ),
        filled(
            "recency-tx",
            "tₓ = (last purchase − first purchase) in days / days per unit",
            format!(
                "customer {}: ({last} − {first}) = {tx_days_0} days / {per} = {} {u}s",
                c.id,
                nf.fixed(tx, 2),
                tx_days_0 = nf.number(tx_days, 0)
            ),
            tx,
        ),
        filled(
            "age-t",
            "T = (end of data − first purchase) in days / days per unit",
            format!(
                "customer {}: ({end} − {first}) = {t_days_0} days / {per} = {} {u}s",
                c.id,
                nf.fixed(t, 2),
                t_days_0 = nf.number(t_days, 0)
            ),
            t,
        ),
    ])
}

/// Repeat buyers: the customers in the summary with at least one repeat purchase (x > 0), with
/// their share.
pub fn repeat_buyers(s: &CustomerSummary, nf: &NumberFormat) -> Filled {
    let n = s.customers.len();
    let repeat = s.customers.iter().filter(|c| c.x > 0.0).count();
    let share = if n == 0 {
        String::new()
    } else {
        format!(
            " ({}% of them)",
            nf.fixed(100.0 * repeat as f64 / n as f64, 1)
        )
    };
    filled(
        "frequency-x",
        "repeat buyers = customers with x > 0 (at least one purchase after their first)",
        format!(
            "{} of the {} customers have x > 0{share}; the other {} bought on one day only",
            nf.count(repeat as u64),
            nf.count(n as u64),
            nf.count((n - repeat) as u64)
        ),
        repeat as f64,
    )
}
