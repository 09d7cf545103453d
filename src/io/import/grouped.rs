//! Grouped customer summaries: one row per distinct (x, t_x, T) with the number of customers
//! who share it, as a SQL engine gives with a second `GROUP BY x, t_x, T` over the summary.
//! Layouts: lifetimes' `frequency, recency, T` (or `periods` for discrete time) with `weights`,
//! or `x, t_x, T, count`; an optional mean-spend column (`m`, `monetary_value`).
//!
//! Each row stands for `count` identical customers, exactly: the fits take the count as the
//! weight, and totals multiply by it. A grouped file is an aggregate, so a bad row is never
//! skipped: every bad row is listed with its position (capped), and the file is refused.
//! Checks: counts are whole numbers ≥ 1; x, t_x and T are numbers ≥ 0 with t_x ≤ T; x is a
//! whole number, and t_x = 0 when x = 0; in the discrete layout (`periods`) t_x and n are
//! whole numbers and x ≤ t_x.

use super::mapping::normalise_header;
use super::numbers::parse_number;
use super::validate::{Issue, IssueKind, ValidationReport};
use super::{ImportError, ParsedTable};
use crate::domain::clv::BgBbGroup;
use crate::domain::customers::{CustomerRecord, CustomerSummary, TimeUnit};

const X: &[&str] = &["x", "frequency", "freq"];
const TX: &[&str] = &["t x", "tx", "recency"];
const T: &[&str] = &["t", "age", "t cal"];
const PERIODS: &[&str] = &["periods", "n periods", "n", "opportunities"];
/// Header names (normalised) of the count column.
pub(crate) const COUNT: &[&str] = &[
    "count",
    "weights",
    "weight",
    "n customers",
    "customers",
    "n custs",
    "custs",
];
const M: &[&str] = &["m", "monetary value", "monetary", "mean spend"];

fn find(table: &ParsedTable, names: &[&str]) -> Option<usize> {
    table
        .headers
        .iter()
        .position(|h| names.contains(&normalise_header(h).as_str()))
}

/// Whether a table looks like a grouped summary: x (frequency), t_x (recency), T or periods, and
/// a count column, by name.
pub fn is_grouped(table: &ParsedTable) -> bool {
    table.detection.has_header
        && find(table, X).is_some()
        && find(table, TX).is_some()
        && (find(table, T).is_some() || find(table, PERIODS).is_some())
        && find(table, COUNT).is_some()
}

/// One group as read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupedRow {
    /// Repeat purchases (or periods with a transaction).
    pub x: f64,
    /// Recency (or the last period with a transaction).
    pub t_x: f64,
    /// Age (or the number of periods).
    pub t: f64,
    /// Mean spend of the repeat purchases (0 without a spend column).
    pub m: f64,
    /// Customers in the group.
    pub count: u64,
    /// 1-based data row of the file.
    pub row: u64,
}

/// A grouped summary as read.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupedSummary {
    /// The groups, in file order.
    pub rows: Vec<GroupedRow>,
    /// True for the discrete-time layout (a `periods` column): the groups are (x, t_x, n)
    /// histories for BG/BB.
    pub discrete: bool,
    /// Whether the file had a spend column.
    pub has_spend: bool,
}

impl GroupedSummary {
    /// Total number of customers (sum of counts).
    pub fn n_customers(&self) -> u64 {
        self.rows.iter().map(|r| r.count).sum()
    }

    /// The groups as weighted customer records (weight = count; id "group N" with N the file
    /// row), for the continuous-time models.
    pub fn to_summary(&self, time_unit: TimeUnit) -> CustomerSummary {
        let customers = self
            .rows
            .iter()
            .map(|r| {
                let mut c =
                    CustomerRecord::from_stats(format!("group {}", r.row), r.x, r.t_x, r.t, r.m);
                c.weight = r.count as f64;
                c
            })
            .collect();
        CustomerSummary {
            time_unit,
            observation_end: None,
            calibration_end: None,
            holdout_length: 0.0,
            customers,
            returns_rows: 0,
            excluded: Vec::new(),
        }
    }

    /// The groups as discrete-time histories for BG/BB (x, t_x, n whole numbers, as checked
    /// when reading; T is taken as n in the continuous layout).
    pub fn to_bgbb_groups(&self) -> Vec<BgBbGroup> {
        self.rows
            .iter()
            .map(|r| BgBbGroup {
                x: r.x as u32,
                t_x: r.t_x as u32,
                n: r.t as u32,
                count: r.count,
            })
            .collect()
    }

    /// Whether every x, t_x and T is a whole number (the data can be read as discrete periods).
    pub fn all_whole(&self) -> bool {
        self.rows.iter().all(|r| {
            [r.x, r.t_x, r.t]
                .iter()
                .all(|v| v.fract() == 0.0 && *v <= 1e9)
        })
    }
}

/// Reads a grouped summary.
///
/// # Errors
/// [`ImportError::WrongShape`] when a column is missing or no row is left;
/// [`ImportError::InvalidRows`] naming the first bad row when any row is bad (the report lists
/// them all, up to `max_issues`, and is returned inside the error's text only for the first).
pub fn load_grouped(
    table: &ParsedTable,
    max_issues: u32,
) -> Result<(GroupedSummary, ValidationReport), ImportError> {
    let missing = |what: &str| ImportError::WrongShape {
        reason: format!(
            "not a grouped customer summary: no {what} column among {}",
            table.headers.join(", ")
        ),
    };
    let cx = find(table, X).ok_or_else(|| missing("x (frequency)"))?;
    let ctx = find(table, TX).ok_or_else(|| missing("t_x (recency)"))?;
    let (ct, discrete) = match (find(table, T), find(table, PERIODS)) {
        (Some(c), _) => (c, false),
        (None, Some(c)) => (c, true),
        (None, None) => return Err(missing("T (age) or periods")),
    };
    let cn = find(table, COUNT).ok_or_else(|| missing("count (weights)"))?;
    let cm = find(table, M);
    let decimal = table.detection.decimal;
    let mut report = ValidationReport {
        max_issues,
        ..Default::default()
    };
    let mut rows = Vec::new();
    for i in 0..table.row_count() as usize {
        let (Some(r), Some(line)) = (table.row(i), table.line(i)) else {
            continue;
        };
        report.rows_read += 1;
        let row = i as u64 + 1;
        let mut issues: Vec<Issue> = Vec::new();
        let mut issue = |c: usize, kind: IssueKind, expected: &str, found: String| {
            issues.push(Issue {
                row,
                line,
                column: table.headers.get(c).cloned().unwrap_or_default(),
                kind,
                expected: expected.to_string(),
                found,
                rejected: true,
            });
        };
        let get = |c: usize, whole: bool, issue: &mut dyn FnMut(usize, IssueKind, &str, String)| {
            let t = r.get(c).unwrap_or("").trim();
            let expected = if whole {
                "a whole number of at least 0"
            } else {
                "a number of at least 0"
            };
            match parse_number(t, decimal) {
                None => {
                    let kind = if t.is_empty() {
                        IssueKind::Missing
                    } else {
                        IssueKind::BadNumber
                    };
                    issue(c, kind, expected, t.to_string());
                    None
                }
                Some(v) if !(v.is_finite() && v >= 0.0) || (whole && v.fract() != 0.0) => {
                    issue(c, IssueKind::BadNumber, expected, t.to_string());
                    None
                }
                Some(v) => Some(v),
            }
        };
        let x = get(cx, true, &mut issue);
        let tx = get(ctx, discrete, &mut issue);
        let t = get(ct, discrete, &mut issue);
        let count = get(cn, true, &mut issue);
        let m = cm.map_or(Some(0.0), |c| get(c, false, &mut issue));
        if let (Some(x), Some(tx), Some(t), Some(count), Some(m)) = (x, tx, t, count, m) {
            if count < 1.0 {
                issue(
                    cn,
                    IssueKind::BadNumber,
                    "a count of at least 1",
                    format_num(count),
                );
            }
            if tx > t {
                issue(
                    ctx,
                    IssueKind::BadNumber,
                    &format!("a recency at most T ({})", format_num(t)),
                    format_num(tx),
                );
            }
            if x == 0.0 && tx != 0.0 {
                issue(ctx, IssueKind::BadNumber, "0 when x is 0", format_num(tx));
            }
            if discrete && x > tx {
                issue(
                    cx,
                    IssueKind::BadNumber,
                    &format!("at most the last period t_x ({})", format_num(tx)),
                    format_num(x),
                );
            }
            if issues.is_empty() {
                report.rows_used += 1;
                rows.push(GroupedRow {
                    x,
                    t_x: tx,
                    t,
                    m,
                    count: count as u64,
                    row,
                });
            }
        }
        if !issues.is_empty() {
            for is in issues {
                report.push_issue(is);
            }
            report.reject(row);
        }
    }
    if report.rows_rejected > 0 {
        let first = report
            .first_rejected
            .as_ref()
            .map_or_else(String::new, ToString::to_string);
        return Err(ImportError::InvalidRows {
            rejected: report.rows_rejected,
            total: report.rows_read,
            first,
        });
    }
    if rows.is_empty() {
        return Err(ImportError::WrongShape {
            reason: "the grouped customer summary has no rows".into(),
        });
    }
    Ok((
        GroupedSummary {
            rows,
            discrete,
            has_spend: cm.is_some(),
        },
        report,
    ))
}

fn format_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::import::read_table;

    fn table(text: &str) -> ParsedTable {
        read_table(text.as_bytes(), "t.csv", &Default::default()).unwrap()
    }

    #[test]
    fn lifetimes_layout_with_periods_and_weights_is_discrete() {
        let t = table("frequency,recency,periods,weights\n0,0,6,3464\n1,1,6,1091\n6,6,6,1203\n");
        assert!(is_grouped(&t));
        let (g, _) = load_grouped(&t, 10).unwrap();
        assert!(g.discrete);
        assert_eq!(g.n_customers(), 3464 + 1091 + 1203);
        let b = g.to_bgbb_groups();
        assert_eq!((b[2].x, b[2].t_x, b[2].n, b[2].count), (6, 6, 6, 1203));
    }

    #[test]
    fn short_layout_becomes_weighted_records() {
        let t = table("x,t_x,T,count,m\n0,0,38.5,120,0\n2,30.25,38.5,3,21.5\n");
        let (g, _) = load_grouped(&t, 10).unwrap();
        assert!(!g.discrete && g.has_spend);
        let s = g.to_summary(TimeUnit::Week);
        assert_eq!(s.customers[0].weight, 120.0);
        assert_eq!(s.customers[1].t_x, 30.25);
        assert_eq!(s.customers[1].id, "group 2");
    }

    #[test]
    fn bad_rows_are_refused_with_their_positions() {
        let t =
            table("frequency,recency,T,weights\n1,2,5,4\n1,9,5,2\n1.5,2,5,1\n1,2,5,-3\n0,1,5,2\n");
        let e = load_grouped(&t, 10).unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("4 of 5 rows"), "{msg}");
        assert!(
            msg.contains(
                "row 2 (line 3), column \"recency\": expected a recency at most T (5), found \"9\""
            ),
            "{msg}"
        );
        let cases = [
            (
                "frequency,recency,T,weights\n1.5,2,5,1\n",
                "column \"frequency\": expected a whole number of at least 0, found \"1.5\"",
            ),
            (
                "frequency,recency,T,weights\n1,2,5,-3\n",
                "column \"weights\": expected a whole number of at least 0, found \"-3\"",
            ),
            (
                "frequency,recency,T,weights\n1,2,5,0\n",
                "expected a count of at least 1, found \"0\"",
            ),
            (
                "frequency,recency,T,weights\n0,1,5,2\n",
                "expected 0 when x is 0, found \"1\"",
            ),
            (
                "frequency,recency,periods,weights\n3,2,6,2\n",
                "column \"frequency\": expected at most the last period t_x (2), found \"3\"",
            ),
            (
                "frequency,recency,periods,weights\n1,2.5,6,2\n",
                "column \"recency\": expected a whole number of at least 0, found \"2.5\"",
            ),
        ];
        for (text, want) in cases {
            let msg = load_grouped(&table(text), 10).unwrap_err().to_string();
            assert!(
                msg.contains("row 1 (line 2)") && msg.contains(want),
                "{msg}"
            );
        }
    }

    #[test]
    fn the_app_summary_reader_takes_the_count_as_the_weight() {
        let t = table("frequency,recency,T,weights\n0,0,10,7\n2,4,10,3\n");
        let (s, _) = crate::io::import::summary_file::load_summary(&t, TimeUnit::Week, 10).unwrap();
        let w: Vec<f64> = s.customers.iter().map(|c| c.weight).collect();
        assert_eq!(w, vec![7.0, 3.0]);
        let (_, rep) = crate::io::import::summary_file::load_summary(
            &table("frequency,recency,T,weights\n0,0,10,2.5\n1,1,10,1\n"),
            TimeUnit::Week,
            10,
        )
        .unwrap();
        assert_eq!(rep.rows_rejected, 1);
        assert!(
            rep.issues[0]
                .to_string()
                .contains("a whole number of customers"),
            "{:?}",
            rep.issues
        );
    }

    #[test]
    fn a_summary_without_a_count_column_is_not_grouped() {
        let t = table("frequency,recency,T,monetary_value\n1,2,5,10\n");
        assert!(!is_grouped(&t));
    }
}
