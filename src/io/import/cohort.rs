//! Subscription cohorts: the number of customers still active at each period since the start,
//! written as one column, one row, or several cohorts side by side as columns. A leading
//! period column (0, 1, 2, ...) is recognised and skipped.

use super::numbers::parse_number;
use super::{ImportError, ParsedTable};
use serde::{Deserialize, Serialize};

/// One cohort's survivor counts, period 0 first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cohort {
    /// Column name, or "cohort 1"...
    pub name: String,
    /// Customers still active at the start of each period (blank trailing periods removed).
    pub active: Vec<f64>,
}

/// Cohorts read from a file, with notes on what looked odd.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortTable {
    /// The cohorts.
    pub cohorts: Vec<Cohort>,
    /// Plain-words warnings (a count that rises, a period column skipped).
    pub notes: Vec<String>,
}

fn is_period_column(values: &[Option<f64>]) -> bool {
    values.len() > 1
        && values
            .iter()
            .enumerate()
            .all(|(i, v)| *v == Some(i as f64) || *v == Some(i as f64 + 1.0))
}

/// Reads survivor counts.
///
/// # Errors
/// [`ImportError::WrongShape`] when there are no counts, a count is negative or unreadable.
pub fn read_cohorts(table: &ParsedTable) -> Result<CohortTable, ImportError> {
    let decimal = table.detection.decimal;
    let n = table.row_count() as usize;
    let width = table.headers.len();
    let mut notes = Vec::new();
    let mut columns: Vec<(String, Vec<Option<f64>>)> = Vec::new();
    for j in 0..width {
        let mut vals = Vec::with_capacity(n);
        for i in 0..n {
            let t = table.cell(i, j).unwrap_or("");
            if t.is_empty() {
                vals.push(None);
                continue;
            }
            match parse_number(t, decimal) {
                Some(v) if v >= 0.0 => vals.push(Some(v)),
                _ if i == 0 && !table.detection.has_header => vals.push(None),
                _ => {
                    return Err(ImportError::WrongShape {
                        reason: format!(
                            "row {} (line {}), column \"{}\": expected a count of customers, found \"{t}\"",
                            i + 1,
                            table.line(i).unwrap_or(0),
                            table.headers.get(j).map_or("", String::as_str)
                        ),
                    })
                }
            }
        }
        columns.push((table.headers.get(j).cloned().unwrap_or_default(), vals));
    }
    // One row of numbers: a single cohort across the columns.
    if n == 1 && width > 1 {
        let active: Vec<f64> = columns
            .iter()
            .filter_map(|(_, v)| v.first().copied().flatten())
            .collect();
        return finish(
            vec![Cohort {
                name: "cohort 1".into(),
                active,
            }],
            notes,
        );
    }
    if columns.len() > 1 && columns.first().is_some_and(|(_, v)| is_period_column(v)) {
        let (name, _) = columns.remove(0);
        notes.push(format!(
            "column \"{name}\" read as the period number and skipped"
        ));
    }
    let cohorts = columns
        .into_iter()
        .enumerate()
        .map(|(k, (name, v))| {
            let mut active: Vec<f64> = v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect();
            while active.last().is_some_and(|x| x.is_nan()) {
                active.pop();
            }
            Cohort {
                name: if table.detection.has_header {
                    name
                } else {
                    format!("cohort {}", k + 1)
                },
                active,
            }
        })
        .collect();
    finish(cohorts, notes)
}

fn finish(cohorts: Vec<Cohort>, mut notes: Vec<String>) -> Result<CohortTable, ImportError> {
    if cohorts.iter().all(|c| c.active.is_empty()) {
        return Err(ImportError::WrongShape {
            reason: "no survivor counts found".into(),
        });
    }
    for c in &cohorts {
        if c.active.iter().any(|x| x.is_nan()) {
            return Err(ImportError::WrongShape {
                reason: format!("cohort \"{}\" has a blank period between counts", c.name),
            });
        }
        if let Some(i) = c.active.windows(2).position(|w| w.get(1) > w.first()) {
            notes.push(format!(
                "cohort \"{}\": the count rises at period {} (survivor counts should not rise)",
                c.name,
                i + 1
            ));
        }
    }
    Ok(CohortTable { cohorts, notes })
}
