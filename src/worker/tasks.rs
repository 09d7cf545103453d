//! The tasks the worker runs: thin functions from a request to domain results. They are plain
//! functions, so the same code runs natively in tests and in the browser's worker.

use crate::domain::customers::{self, CustomerSummary, SummaryOptions, TxLog};
use crate::io::import::cohort::{self, CohortTable};
use crate::io::import::survey::{self, SurveyTable};
use crate::io::import::{
    guess_mapping, mapping, read_table, summary_file, transactions, BadRows, Detection,
    ImportOptions, Mapping, ParsedTable, Preview, ValidationReport,
};
use crate::io::storage::DataKind;
use serde::{Deserialize, Serialize};

/// A unit of heavy work.
// Messages are built once and moved across the worker boundary: boxing would gain nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Task {
    /// Generate the built-in sample data (transactions, survey, cohort) with this seed.
    Sample {
        /// Number of customers.
        n_customers: u32,
        /// Seed.
        seed: u64,
    },
    /// Import a file's bytes (detecting what the settings leave open).
    Import {
        /// Original file name (used to recognise spreadsheets).
        file_name: String,
        /// The file's bytes.
        bytes: Vec<u8>,
        /// Import settings: format overrides, column mapping, bad-row policy, kind.
        settings: ImportSettings,
        /// Summary options (time unit, observation end, split, returns).
        summary: SummaryOptions,
    },
    /// Fit a lifetime-value model and predict per customer.
    Clv(Box<super::clv::ClvRequest>),
    /// Segment customers.
    Segment(Box<super::segment::SegmentRequest>),
}

/// Everything the user can force about an import; stored with the dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ImportSettings {
    /// What the file holds (None: detect).
    pub kind: Option<DataKind>,
    /// Format overrides (None fields: detect).
    pub options: ImportOptions,
    /// Column roles (None: a remembered mapping that fits, else matched from the header names).
    pub mapping: Option<Mapping>,
    /// Mappings the user confirmed before, for other files; the first whose layout fits is used.
    pub remembered: Vec<Mapping>,
    /// Skip unusable rows (listed in the report) or refuse the file.
    pub bad_rows: BadRows,
}

/// What an import produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Imported {
    /// What the file holds.
    pub kind: DataKind,
    /// What detection found (or what was forced).
    pub detection: Detection,
    /// Header and first rows as parsed, with column types.
    pub preview: Preview,
    /// The column mapping used (transaction logs).
    pub mapping: Option<Mapping>,
    /// Signature of the file layout (to remember a mapping per layout).
    pub layout: String,
    /// The validation report (transaction logs and summaries).
    pub report: Option<ValidationReport>,
    /// Transactions in compact columns (transaction logs only).
    pub transactions: TxLog,
    /// Customer summary (transaction logs and summaries).
    pub summary: Option<CustomerSummary>,
    /// Survey (survey files only).
    pub survey: Option<SurveyTable>,
    /// Cohorts (cohort files only).
    pub cohort: Option<CohortTable>,
    /// Data rows read.
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
    /// A lifetime-value fit.
    Clv(Box<super::clv::ClvResult>),
    /// A segmentation.
    Segment(Box<super::segment::SegmentResult>),
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
            file_name,
            bytes,
            settings,
            summary,
        } => import(&file_name, &bytes, &settings, &summary, progress)
            .map(|i| Output::Imported(Box::new(i))),
        Task::Clv(req) => super::clv::run(*req, progress).map(|r| Output::Clv(Box::new(r))),
        Task::Segment(req) => {
            super::segment::run(*req, progress).map(|r| Output::Segment(Box::new(r)))
        }
    }
}

/// Guesses what a table holds from its header names and column types.
pub fn detect_kind(table: &ParsedTable) -> DataKind {
    if summary_file::is_summary(table) {
        return DataKind::Summary;
    }
    let names: Vec<String> = table
        .headers
        .iter()
        .map(|h| mapping::normalise_header(h))
        .collect();
    let survey_words = [
        "nps",
        "csat",
        "ces",
        "recommend",
        "kano",
        "satisf",
        "effort",
        "perf",
        "expect",
        "importance",
    ];
    if names
        .iter()
        .any(|n| survey_words.iter().any(|w| n.contains(w)))
    {
        return DataKind::Survey;
    }
    let m = guess_mapping(table);
    if m.customer.is_some() && m.date.is_some() && m.amount.is_some() {
        return DataKind::Transactions;
    }
    let cols = &table.detection.columns;
    if !cols.is_empty() && cols.iter().all(|c| c.kind.is_numeric()) && cols.len() <= 30 {
        return DataKind::Cohort;
    }
    DataKind::Transactions
}

/// Imports one file with the full importer: detection, mapping, validation, summary.
fn import(
    file_name: &str,
    bytes: &[u8],
    settings: &ImportSettings,
    options: &SummaryOptions,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<Imported, String> {
    progress(0.05, "Reading the file");
    let table = read_table(bytes, file_name, &settings.options).map_err(|e| e.to_string())?;
    progress(0.4, "Checking every row");
    let kind = settings.kind.unwrap_or_else(|| detect_kind(&table));
    let mut out = Imported {
        kind,
        detection: table.detection.clone(),
        preview: table.preview(20),
        mapping: None,
        layout: mapping::layout_signature(&table),
        report: None,
        transactions: TxLog::default(),
        summary: None,
        survey: None,
        cohort: None,
        rows: table.row_count(),
    };
    match kind {
        DataKind::Transactions => {
            let m = settings
                .mapping
                .iter()
                .chain(settings.remembered.iter())
                .find(|m| m.fits(&table))
                .cloned()
                .unwrap_or_else(|| guess_mapping(&table));
            let (txs, report) =
                transactions(&table, &m, &settings.options).map_err(|e| e.to_string())?;
            report.check(settings.bad_rows).map_err(|e| e.to_string())?;
            progress(0.75, "Summarising customers");
            out.summary = Some(customers::summarize(&txs, options).map_err(|e| e.to_string())?);
            out.transactions = TxLog::from_transactions(&txs);
            out.mapping = Some(m);
            out.report = Some(report);
        }
        DataKind::Summary => {
            let (summary, report) =
                summary_file::load_summary(&table, options.time_unit, settings.options.max_issues)
                    .map_err(|e| e.to_string())?;
            report.check(settings.bad_rows).map_err(|e| e.to_string())?;
            out.summary = Some(summary);
            out.report = Some(report);
        }
        DataKind::Survey => {
            out.survey = Some(survey::read_survey(&table).map_err(|e| e.to_string())?)
        }
        DataKind::Cohort => {
            out.cohort = Some(cohort::read_cohorts(&table).map_err(|e| e.to_string())?)
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
