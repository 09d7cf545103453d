//! The tasks the worker runs: thin functions from a request to domain results. They are plain
//! functions, so the same code runs natively in tests and in the browser's worker.

use crate::domain::customers::{self, CustomerSummary, SummaryOptions, Transaction};
use crate::io::storage::DataKind;
use serde::{Deserialize, Serialize};

/// A unit of heavy work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Task {
    /// Generate the built-in sample data (transactions, survey, cohort) with this seed.
    Sample {
        /// Number of customers.
        n_customers: u32,
        /// Seed.
        seed: u64,
    },
    /// Import a file's bytes as the given kind of data.
    Import {
        /// What the file holds.
        kind: DataKind,
        /// Original file name (used to recognise spreadsheets).
        file_name: String,
        /// The file's bytes.
        bytes: Vec<u8>,
        /// Summary options (time unit, observation end, split).
        summary: SummaryOptions,
    },
}

/// A survey as columns: ids, optional dates, numeric items and text items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SurveyData {
    /// Respondent / customer id per response.
    pub ids: Vec<String>,
    /// Response date per response, as ISO text ("" when unknown).
    pub dates: Vec<String>,
    /// Numeric items: (column name, values; NaN when missing).
    pub numeric: Vec<(String, Vec<f64>)>,
    /// Text items (for instance Kano answers): (column name, values).
    pub text: Vec<(String, Vec<String>)>,
}

/// What an import produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Imported {
    /// What the file holds.
    pub kind: DataKind,
    /// The validation report, one line per problem group, in plain words.
    pub report: Vec<String>,
    /// Detected settings, as (what, value) pairs to show.
    pub detection: Vec<(String, String)>,
    /// Header and first rows as parsed.
    pub preview: Vec<Vec<String>>,
    /// Transactions (transaction logs only).
    pub transactions: Vec<Transaction>,
    /// Customer summary (transaction logs and summaries).
    pub summary: Option<CustomerSummary>,
    /// Survey (survey files only).
    pub survey: Option<SurveyData>,
    /// Customers still active per period, period 0 first (cohort files only).
    pub cohort: Option<Vec<f64>>,
    /// Rows read.
    pub rows: u64,
}

/// The result of a [`Task`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Output {
    /// The sample files as bytes, ready to import like a user's files.
    Sample {
        /// Transaction log CSV.
        transactions: Vec<u8>,
        /// Survey CSV.
        survey: Vec<u8>,
        /// Cohort CSV.
        cohort: Vec<u8>,
    },
    /// An imported file.
    Imported(Box<Imported>),
}

/// Runs a task, reporting progress through `progress(fraction, stage)`.
///
/// # Errors
/// A message for the user when the task cannot be done.
pub fn run(task: Task, progress: &mut dyn FnMut(f64, &str)) -> Result<Output, String> {
    match task {
        Task::Sample { n_customers, seed } => {
            use crate::domain::sample;
            progress(0.1, "Simulating customers");
            let params = sample::SampleParams {
                n_customers,
                seed,
                ..Default::default()
            };
            let log = sample::transaction_log(&params).map_err(|e| e.to_string())?;
            progress(0.6, "Simulating survey answers");
            let survey = sample::survey(&log, &params, 0.25, seed.wrapping_add(1));
            let cohort = sample::cohort(1000, 0.704, 1.182, 12, seed.wrapping_add(2));
            progress(1.0, "Done");
            Ok(Output::Sample {
                transactions: log.csv.into_bytes(),
                survey: survey.into_bytes(),
                cohort: cohort.into_bytes(),
            })
        }
        Task::Import {
            kind,
            file_name,
            bytes,
            summary,
        } => import(kind, &file_name, &bytes, &summary, progress)
            .map(|i| Output::Imported(Box::new(i))),
    }
}

/// Imports one file. Temporary minimal reader (header row, comma, ISO dates) until the full
/// importer with detection lands.
fn import(
    kind: DataKind,
    _file_name: &str,
    bytes: &[u8],
    options: &SummaryOptions,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<Imported, String> {
    progress(0.05, "Reading the file");
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(str::to_string)
        .collect();
    let rows: Vec<Vec<String>> = rdr
        .records()
        .filter_map(Result::ok)
        .map(|r| r.iter().map(str::to_string).collect())
        .collect();
    let preview: Vec<Vec<String>> = std::iter::once(headers.clone())
        .chain(rows.iter().take(10).cloned())
        .collect();
    let mut out = Imported {
        kind,
        report: Vec::new(),
        detection: vec![("Delimiter".into(), "comma".into())],
        preview,
        transactions: Vec::new(),
        summary: None,
        survey: None,
        cohort: None,
        rows: rows.len() as u64,
    };
    match kind {
        DataKind::Transactions => {
            for r in &rows {
                let (Some(id), Some(d), Some(a)) = (r.first(), r.get(1), r.get(2)) else {
                    continue;
                };
                let Ok(date) = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") else {
                    continue;
                };
                let Ok(amount) = a.parse::<f64>() else {
                    continue;
                };
                out.transactions.push(Transaction {
                    customer_id: id.clone(),
                    date,
                    amount,
                    margin: None,
                    quantity: None,
                    channel: None,
                    product: None,
                });
            }
            progress(0.7, "Summarising customers");
            out.summary =
                Some(customers::summarize(&out.transactions, options).map_err(|e| e.to_string())?);
        }
        DataKind::Summary => return Err("customer summaries need the full importer".into()),
        DataKind::Survey => {
            let mut s = SurveyData::default();
            for (ci, h) in headers.iter().enumerate() {
                let col: Vec<&str> = rows
                    .iter()
                    .map(|r| r.get(ci).map_or("", String::as_str))
                    .collect();
                match ci {
                    0 => s.ids = col.iter().map(|v| v.to_string()).collect(),
                    1 => s.dates = col.iter().map(|v| v.to_string()).collect(),
                    _ => {
                        let nums: Vec<f64> = col
                            .iter()
                            .map(|v| v.parse::<f64>().unwrap_or(f64::NAN))
                            .collect();
                        if nums.iter().any(|v| v.is_finite()) {
                            s.numeric.push((h.clone(), nums));
                        } else {
                            s.text
                                .push((h.clone(), col.iter().map(|v| v.to_string()).collect()));
                        }
                    }
                }
            }
            out.survey = Some(s);
        }
        DataKind::Cohort => {
            out.cohort = Some(
                rows.iter()
                    .filter_map(|r| r.get(1).and_then(|v| v.parse().ok()))
                    .collect(),
            );
        }
    }
    progress(1.0, "Done");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_task_reports_progress_and_returns_three_files() {
        let mut seen = Vec::new();
        let out = run(
            Task::Sample {
                n_customers: 50,
                seed: 1,
            },
            &mut |f, _| seen.push(f),
        )
        .unwrap();
        assert_eq!(seen.last(), Some(&1.0));
        let Output::Sample {
            transactions,
            survey,
            cohort,
        } = out
        else {
            panic!("not a sample")
        };
        assert!(transactions.starts_with(b"customer_id,date,amount"));
        assert!(!survey.is_empty() && !cohort.is_empty());
    }
}
