//! The one import pipeline: bytes → table → what the file holds → mapping → validation →
//! customer summary (or survey, or cohorts). The worker's whole-file task, its slice-by-slice
//! [`super::job::ImportJob`] and the `crm` command all call it, so a file reads the same
//! everywhere.

use super::cohort::{self, CohortTable};
use super::survey::{self, SurveyColumns, SurveyTable};
use super::{
    guess_mapping, mapping, read_table, summary_file, transaction_columns, BadRows, Detection,
    ImportError, ImportOptions, Mapping, ParsedTable, Preview, ValidationReport,
};
use crate::domain::customers::{CustomerSummary, SummaryOptions, TxLog};
use serde::{Deserialize, Serialize};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DataKind {
    /// A transaction log (one row per purchase).
    #[default]
    Transactions,
    /// A customer summary computed elsewhere (x, t_x, T, m).
    Summary,
    /// Survey responses (one row per response).
    Survey,
    /// Subscription cohort counts.
    Cohort,
}

impl DataKind {
    /// Plain name.
    pub fn label(self) -> &'static str {
        match self {
            DataKind::Transactions => "Transaction log",
            DataKind::Summary => "Customer summary",
            DataKind::Survey => "Survey responses",
            DataKind::Cohort => "Subscription cohort",
        }
    }
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

impl ImportSettings {
    /// The mappings to try, in order: the forced one, then the remembered ones.
    pub fn candidates(&self) -> impl Iterator<Item = &Mapping> {
        self.mapping.iter().chain(self.remembered.iter())
    }

    /// What `table` holds: the forced kind, else [`detect_kind`].
    pub fn kind_of(&self, table: &ParsedTable) -> DataKind {
        self.kind.unwrap_or_else(|| detect_kind(table))
    }
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
    /// Transactions in compact columns (transaction logs only). The web worker holds them
    /// under the dataset's id and sends this empty, so a 19-million-row log is never decoded
    /// on the page.
    pub transactions: TxLog,
    /// Purchase rows in the log (also when [`Self::transactions`] stays in the worker).
    pub purchases: u64,
    /// Customer summary (transaction logs and summaries).
    pub summary: Option<CustomerSummary>,
    /// Survey (survey files only).
    pub survey: Option<SurveyTable>,
    /// Cohorts (cohort files only).
    pub cohort: Option<CohortTable>,
    /// Data rows read.
    pub rows: u64,
}

impl Imported {
    /// An import of `kind` with nothing read yet beyond the table's shape.
    fn of_table(kind: DataKind, table: &ParsedTable) -> Self {
        Imported {
            kind,
            detection: table.detection.clone(),
            preview: table.preview(20),
            mapping: None,
            layout: mapping::layout_signature(table),
            report: None,
            transactions: TxLog::default(),
            purchases: 0,
            summary: None,
            survey: None,
            cohort: None,
            rows: table.row_count(),
        }
    }
}

/// Guesses what a table holds, in this order: a customer summary (x and T columns by name);
/// survey responses ([`SurveyColumns::is_survey`]); a transaction log (customer, date and
/// amount columns); cohort counts (at most 30 columns, all numeric); else a transaction log.
pub fn detect_kind(table: &ParsedTable) -> DataKind {
    if summary_file::is_summary(table) {
        return DataKind::Summary;
    }
    if SurveyColumns::find(&table.headers).is_survey() {
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

/// Imports one file's bytes whole: reads the table, then [`import_table`].
///
/// # Errors
/// The [`ImportError`] of reading the table, or of [`import_table`].
pub fn import_bytes(
    file_name: &str,
    bytes: &[u8],
    settings: &ImportSettings,
    options: &SummaryOptions,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<Imported, ImportError> {
    progress(0.05, "Reading the file");
    let table = read_table(bytes, file_name, &settings.options)?;
    import_table(&table, settings, options, progress)
}

/// Imports a table already read: what it holds ([`ImportSettings::kind_of`]), then for a
/// transaction log the mapping (forced, else a remembered one whose layout fits, else
/// matched from the header names), validation and the customer summary; for a summary file
/// its records; for a survey or cohort file their tables. Bad rows are then checked against
/// [`ImportSettings::bad_rows`].
///
/// # Errors
/// [`ImportError::MissingColumn`] and the other errors of validation,
/// [`ImportError::InvalidRows`] when rows are unusable and the settings refuse them,
/// [`ImportError::WrongShape`] for a summary, survey or cohort file that lacks what it needs,
/// [`ImportError::Summary`] when the customer summary cannot be built.
pub fn import_table(
    table: &ParsedTable,
    settings: &ImportSettings,
    options: &SummaryOptions,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<Imported, ImportError> {
    progress(0.4, "Checking every row");
    let kind = settings.kind_of(table);
    let mut out = Imported::of_table(kind, table);
    match kind {
        DataKind::Transactions => {
            let m = settings
                .candidates()
                .find(|m| m.fits(table))
                .cloned()
                .unwrap_or_else(|| guess_mapping(table));
            let (cols, report) = transaction_columns(table, &m, &settings.options)?;
            report.check(settings.bad_rows)?;
            progress(0.75, "Summarising customers");
            let (summary, log) = cols.into_summary(options).map_err(ImportError::Summary)?;
            out.summary = Some(summary);
            out.purchases = log.len() as u64;
            out.transactions = log;
            out.mapping = Some(m);
            out.report = Some(report);
        }
        DataKind::Summary => {
            let (summary, report) =
                summary_file::load_summary(table, options.time_unit, settings.options.max_issues)?;
            report.check(settings.bad_rows)?;
            out.summary = Some(summary);
            out.report = Some(report);
        }
        DataKind::Survey => out.survey = Some(survey::read_survey(table)?),
        DataKind::Cohort => out.cohort = Some(cohort::read_cohorts(table)?),
    }
    progress(1.0, "Done");
    Ok(out)
}

/// The settings as JSON, for a stable fingerprint of how a dataset was read (cache keys).
pub fn settings_fingerprint(settings: &ImportSettings) -> String {
    serde_json::to_string(settings).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> ParsedTable {
        read_table(text.as_bytes(), "t.csv", &ImportOptions::default()).unwrap()
    }

    #[test]
    fn kinds_are_detected_from_names_and_types() {
        let kind = |t: &str| detect_kind(&table(t));
        assert_eq!(
            kind("customer,date,amount\nA,2024-01-05,10\nB,2024-01-06,7\n"),
            DataKind::Transactions
        );
        assert_eq!(
            kind("respondent,nps,csat\n1,9,4\n2,3,2\n"),
            DataKind::Survey
        );
        assert_eq!(
            kind("customer_id,frequency,recency,T,monetary_value\nA,1,2,3,4.5\n"),
            DataKind::Summary
        );
        assert_eq!(
            kind("period,2022,2023\n0,1000,800\n1,631,520\n"),
            DataKind::Cohort
        );
    }

    #[test]
    fn a_transaction_log_with_a_services_or_prices_column_is_not_a_survey() {
        // The former rule matched "ces" inside any word.
        let t = "customer,date,amount,services,prices\nA,2024-01-05,10,x,y\nB,2024-01-06,7,x,y\n";
        assert_eq!(detect_kind(&table(t)), DataKind::Transactions);
    }

    #[test]
    fn a_forced_kind_wins_over_detection() {
        let settings = ImportSettings {
            kind: Some(DataKind::Transactions),
            ..Default::default()
        };
        let t = "customer,date,amount,nps\nA,2024-01-05,10,9\nB,2024-01-06,7,3\n";
        let imp = import_bytes(
            "t.csv",
            t.as_bytes(),
            &settings,
            &SummaryOptions::default(),
            &mut |_, _| {},
        )
        .unwrap();
        assert_eq!(imp.kind, DataKind::Transactions);
        assert_eq!(imp.summary.map(|s| s.customers.len()), Some(2));
        let detected = import_bytes(
            "t.csv",
            t.as_bytes(),
            &ImportSettings::default(),
            &SummaryOptions::default(),
            &mut |_, _| {},
        )
        .unwrap();
        assert_eq!(detected.kind, DataKind::Survey);
    }

    #[test]
    fn an_impossible_summary_is_a_typed_error_in_plain_words() {
        let options = SummaryOptions {
            observation_end: chrono::NaiveDate::from_ymd_opt(2020, 1, 1),
            ..Default::default()
        };
        let err = import_bytes(
            "t.csv",
            b"customer,date,amount\nA,2024-01-05,10\n",
            &ImportSettings::default(),
            &options,
            &mut |_, _| {},
        )
        .unwrap_err();
        assert!(matches!(err, ImportError::Summary(_)), "{err:?}");
        assert_eq!(
            err.to_string(),
            "the observation end 2020-01-01 is before the first purchase in the data (2024-01-05)"
        );
    }
}
