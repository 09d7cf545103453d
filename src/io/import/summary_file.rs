//! Precomputed customer summaries (one row per customer: x, t_x, T, m, optional id), as any SQL
//! engine produces with one GROUP BY, loaded into a [`CustomerSummary`]. Column names follow the
//! `lifetimes` conventions (`frequency`, `recency`, `T`, `monetary_value`) or the short ones
//! (`x`, `t_x`, `T`, `m`).

use super::mapping::normalise_header;
use super::numbers::parse_number;
use super::validate::{Issue, IssueKind, ValidationReport};
use super::{ImportError, ParsedTable};
use crate::domain::customers::{CustomerRecord, CustomerSummary, TimeUnit};

const X: &[&str] = &["x", "frequency", "freq", "repeat purchases"];
const TX: &[&str] = &["t x", "tx", "recency", "t_x"];
const T: &[&str] = &["t", "age", "t cal", "big t"];
/// The number of periods of a discrete-time grouped summary (lifetimes' donations file:
/// `frequency, recency, periods, weights`), read as T; only with a count column.
const PERIODS: &[&str] = &["periods", "n periods", "opportunities"];
const M: &[&str] = &[
    "m",
    "monetary value",
    "monetary",
    "mean spend",
    "avg spend",
    "zbar",
    "m bar",
    "mean value",
];
const ID: &[&str] = &[
    "id",
    "customer id",
    "customer",
    "client",
    "cust id",
    "customerid",
];

fn find(table: &ParsedTable, names: &[&str]) -> Option<usize> {
    table
        .headers
        .iter()
        .position(|h| names.contains(&normalise_header(h).as_str()))
}

/// The T column: T by name, or the periods column of a grouped discrete summary.
fn find_t(table: &ParsedTable) -> Option<usize> {
    find(table, T).or_else(|| find(table, super::grouped::COUNT).and_then(|_| find(table, PERIODS)))
}

/// Whether a table looks like a customer summary (has x and T columns, by name; or x, periods
/// and a count column: a grouped discrete summary, whose periods are read as T).
pub fn is_summary(table: &ParsedTable) -> bool {
    table.detection.has_header && find(table, X).is_some() && find_t(table).is_some()
}

/// Reads a customer summary. Without an id column, ids are the 1-based row numbers.
///
/// # Errors
/// [`ImportError::WrongShape`] when the x, t_x or T column is missing. Bad cells are in the
/// report; their rows are left out.
pub fn load_summary(
    table: &ParsedTable,
    time_unit: TimeUnit,
    max_issues: u32,
) -> Result<(CustomerSummary, ValidationReport), ImportError> {
    let missing = |what: &str| ImportError::WrongShape {
        reason: format!(
            "not a customer summary: no {what} column among {}",
            table.headers.join(", ")
        ),
    };
    let cx = find(table, X).ok_or_else(|| missing("x (frequency)"))?;
    let ctx = find(table, TX).ok_or_else(|| missing("t_x (recency)"))?;
    let ct = find_t(table).ok_or_else(|| missing("T (age)"))?;
    let cm = find(table, M);
    let cid = find(table, ID);
    // A grouped summary (no id, a count column): each row is that many identical customers.
    let cn = if cid.is_none() {
        find(table, super::grouped::COUNT)
    } else {
        None
    };
    let decimal = table.detection.decimal;
    let mut report = ValidationReport {
        max_issues,
        ..Default::default()
    };
    let mut customers = Vec::new();
    for i in 0..table.row_count() as usize {
        let (Some(r), Some(line)) = (table.row(i), table.line(i)) else {
            continue;
        };
        report.rows_read += 1;
        let mut bad = false;
        let mut get = |c: usize, report: &mut ValidationReport| -> f64 {
            let t = r.get(c).unwrap_or("");
            match parse_number(t, decimal).filter(|v| *v >= 0.0) {
                Some(v) => v,
                None => {
                    bad = true;
                    report.push_issue(Issue {
                        row: i as u64 + 1,
                        line,
                        column: table.headers.get(c).cloned().unwrap_or_default(),
                        kind: if t.is_empty() {
                            IssueKind::Missing
                        } else {
                            IssueKind::BadNumber
                        },
                        expected: "a number of at least 0".into(),
                        found: t.to_string(),
                        rejected: true,
                    });
                    0.0
                }
            }
        };
        let x = get(cx, &mut report);
        let tx = get(ctx, &mut report);
        let t = get(ct, &mut report);
        let m = cm.map_or(0.0, |c| get(c, &mut report));
        let weight = cn.map_or(1.0, |c| get(c, &mut report));
        if cn.is_some() && !bad && (weight < 1.0 || weight.fract() != 0.0) {
            bad = true;
            report.push_issue(Issue {
                row: i as u64 + 1,
                line,
                column: cn
                    .and_then(|c| table.headers.get(c))
                    .cloned()
                    .unwrap_or_default(),
                kind: IssueKind::BadNumber,
                expected: "a whole number of customers, at least 1".into(),
                found: r.get(cn.unwrap_or(0)).unwrap_or("").to_string(),
                rejected: true,
            });
        }
        if bad {
            report.reject(i as u64 + 1);
            continue;
        }
        let id = cid
            .and_then(|c| r.get(c))
            .filter(|s| !s.is_empty())
            .map_or_else(|| (i + 1).to_string(), str::to_string);
        report.rows_used += 1;
        let mut c = CustomerRecord::from_stats(id, x, tx, t, m);
        c.weight = weight;
        customers.push(c);
    }
    if customers.is_empty() {
        return Err(ImportError::WrongShape {
            reason: "the customer summary has no usable rows".into(),
        });
    }
    Ok((
        CustomerSummary {
            time_unit,
            observation_end: None,
            calibration_end: None,
            holdout_length: 0.0,
            customers,
            returns_rows: 0,
            excluded: Vec::new(),
        },
        report,
    ))
}
