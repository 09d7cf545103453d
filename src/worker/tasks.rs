//! The tasks the worker runs: thin functions from a request to domain results. They are plain
//! functions, so the same code runs natively in tests and in the browser's worker.

use crate::domain::customers::{CustomerSummary, SummaryOptions, TxColumns, TxLog};
use crate::io::import::cohort::{self, CohortTable};
use crate::io::import::survey::{self, SurveyTable};
use crate::io::import::{
    guess_mapping, mapping, read_table, summary_file, transactions, BadRows, Detection,
    ImportError, ImportOptions, Mapping, ParsedTable, Preview, TransactionParser, ValidationReport,
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
    /// One customer's purchases from a transaction log the worker kept (see [`KeptLogs`]).
    History {
        /// The kept log ([`Imported::log_key`]).
        log_key: u32,
        /// The customer's id.
        customer: String,
    },
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
    /// Transactions in compact columns (transaction logs only). The web worker keeps them and
    /// sends this empty, with [`Self::log_key`] naming its copy, so a 19-million-row log is
    /// never decoded on the page.
    pub transactions: TxLog,
    /// Purchase rows in the log (also when [`Self::transactions`] stays in the worker).
    pub purchases: u64,
    /// The worker's key for its copy of the log (0: none; see [`KeptLogs`]).
    pub log_key: u32,
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
    /// One customer's purchases, in date order.
    History {
        /// Days since 0001-01-01 (chrono's "days from CE").
        days: Vec<i32>,
        /// Amounts.
        amounts: Vec<f64>,
    },
}

/// What the worker answers when a task names a transaction log it no longer holds (the worker
/// was restarted after a cancel, or a newer import replaced it). The page then reads the
/// dataset again from storage.
pub const LOG_GONE: &str = "The purchases of this dataset are no longer in the worker's memory.";

/// Transaction logs the worker keeps after importing them, by key (the import's job id), so
/// the page holds only the customer summary: the newest [`KeptLogs::CAPACITY`] are kept.
#[derive(Debug, Default)]
pub struct KeptLogs {
    logs: Vec<(u32, TxLog)>,
}

impl KeptLogs {
    /// How many logs are kept (the active one, and the one it replaced while pages still ask
    /// for it).
    pub const CAPACITY: usize = 2;

    /// Keeps `log` under `key`, forgetting the oldest beyond [`Self::CAPACITY`].
    pub fn keep(&mut self, key: u32, log: TxLog) {
        self.logs.retain(|(k, _)| *k != key);
        self.logs.push((key, log));
        while self.logs.len() > Self::CAPACITY {
            self.logs.remove(0);
        }
    }

    /// The log kept under `key`.
    pub fn get(&self, key: u32) -> Option<&TxLog> {
        self.logs.iter().find(|(k, _)| *k == key).map(|(_, l)| l)
    }

    /// Moves an import's transaction log into the keep under `key`, leaving the import with
    /// its row count and [`Imported::log_key`] only. Outputs other than a transaction log are
    /// left as they are.
    pub fn take_from(&mut self, key: u32, out: &mut Output) {
        if let Output::Imported(imp) = out {
            if !imp.transactions.is_empty() && key != 0 {
                self.keep(key, std::mem::take(&mut imp.transactions));
                imp.log_key = key;
            }
        }
    }
}

/// Runs a task, reporting progress through `progress(fraction, stage)`.
///
/// # Errors
/// A message for the user when the task cannot be done.
pub fn run(task: Task, progress: &mut dyn FnMut(f64, &str)) -> Result<Output, String> {
    run_with(task, &KeptLogs::default(), progress)
}

/// [`run`] with the transaction logs the worker kept: a task naming one (by `log_key`) reads it
/// there, and fails with [`LOG_GONE`] when it is not.
///
/// # Errors
/// As [`run`].
pub fn run_with(
    task: Task,
    logs: &KeptLogs,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<Output, String> {
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
        Task::Clv(req) => {
            let kept = match req.log_key {
                0 => None,
                key => Some(logs.get(key).ok_or(LOG_GONE)?),
            };
            super::clv::run_with_log(*req, kept, progress).map(|r| Output::Clv(Box::new(r)))
        }
        Task::History { log_key, customer } => {
            let log = logs.get(log_key).ok_or(LOG_GONE)?;
            let mut rows: Vec<(i32, f64)> = log
                .rows_of(&customer)
                .filter_map(|i| Some((*log.day.get(i)?, *log.amount.get(i)?)))
                .collect();
            rows.sort_by_key(|r| r.0);
            Ok(Output::History {
                days: rows.iter().map(|r| r.0).collect(),
                amounts: rows.iter().map(|r| r.1).collect(),
            })
        }
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
        purchases: 0,
        log_key: 0,
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
            let mut cols = TxColumns::default();
            for t in &txs {
                cols.push(&t.customer_id, t.date, t.amount, t.margin);
            }
            out.summary = Some(cols.summarize(options).map_err(|e| e.to_string())?);
            out.purchases = cols.len() as u64;
            out.transactions = cols.log;
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

/// Files that cannot be read in slices (workbooks; survey, cohort and summary files) are
/// gathered whole; beyond this size they are refused with a plain message.
pub const MAX_WHOLE_BYTES: u64 = 512 << 20;

enum Mode {
    /// Reading the first slices: the parser detects; the raw bytes are kept until what the
    /// file holds is known (a survey or a workbook is then read whole).
    Probe(Box<TransactionParser>, Vec<u8>),
    /// A transaction log, read slice by slice.
    Stream(Box<TransactionParser>),
    /// Gathered whole, read on [`ImportJob::finish`].
    Whole(Vec<u8>),
}

/// An import fed slice by slice, with the same result as [`Task::Import`] on the whole
/// file. The web worker keeps one per job between messages.
pub struct ImportJob {
    file_name: String,
    settings: ImportSettings,
    summary: SummaryOptions,
    total: u64,
    consumed: u64,
    mode: Mode,
}

impl ImportJob {
    /// A job for a file of `total_bytes`.
    pub fn new(
        file_name: &str,
        total_bytes: u64,
        settings: ImportSettings,
        summary: SummaryOptions,
    ) -> Self {
        let streamable = matches!(settings.kind, None | Some(DataKind::Transactions));
        let mode = if streamable {
            let candidates = settings
                .mapping
                .iter()
                .chain(settings.remembered.iter())
                .cloned()
                .collect();
            let parser = TransactionParser::new(
                file_name,
                Some(total_bytes),
                None,
                settings.options.clone(),
            )
            .with_candidates(candidates)
            .in_columns();
            Mode::Probe(Box::new(parser), Vec::new())
        } else {
            Mode::Whole(Vec::new())
        };
        ImportJob {
            file_name: file_name.to_string(),
            settings,
            summary,
            total: total_bytes,
            consumed: 0,
            mode,
        }
    }

    /// Bytes received so far.
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// Usable rows read so far (transaction logs read in slices).
    pub fn rows(&self) -> u64 {
        match &self.mode {
            Mode::Probe(p, _) | Mode::Stream(p) => p.transactions_so_far(),
            Mode::Whole(_) => 0,
        }
    }

    /// Share of the file received, 0..=1.
    pub fn progress(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            (self.consumed as f64 / self.total as f64).min(1.0)
        }
    }

    /// Feeds the next slice.
    ///
    /// # Errors
    /// A message for the user when the file cannot be read (a binary file, a file too large
    /// to read whole, a transaction log without the needed columns).
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), String> {
        self.consumed += chunk.len() as u64;
        let mode = std::mem::replace(&mut self.mode, Mode::Whole(Vec::new()));
        self.mode = match mode {
            Mode::Probe(mut p, mut kept) => {
                kept.extend_from_slice(chunk);
                match p.feed(chunk) {
                    Err(ImportError::BinaryFile) => return Err(ImportError::BinaryFile.to_string()),
                    // A transaction log that cannot be read says so now; anything else (a
                    // survey, a summary...) is read whole, as what it is.
                    Err(e) => {
                        let kind = read_table(&kept, &self.file_name, &self.settings.options)
                            .ok()
                            .map(|t| self.settings.kind.unwrap_or_else(|| detect_kind(&t)));
                        if kind == Some(DataKind::Transactions) {
                            return Err(e.to_string());
                        }
                        Mode::Whole(kept)
                    }
                    Ok(()) if p.is_whole() => Mode::Whole(kept),
                    Ok(()) => match p.sample() {
                        None => Mode::Probe(p, kept),
                        Some(table) => {
                            let kind = self.settings.kind.unwrap_or_else(|| detect_kind(table));
                            if kind == DataKind::Transactions {
                                Mode::Stream(p)
                            } else {
                                Mode::Whole(kept)
                            }
                        }
                    },
                }
            }
            Mode::Stream(mut p) => {
                p.feed(chunk).map_err(|e| e.to_string())?;
                Mode::Stream(p)
            }
            Mode::Whole(mut v) => {
                v.extend_from_slice(chunk);
                Mode::Whole(v)
            }
        };
        if let Mode::Whole(v) = &self.mode {
            if v.len() as u64 > MAX_WHOLE_BYTES {
                return Err(format!(
                    "{} is larger than {} MB and is not a transaction log read row by row (a workbook, survey, cohort or summary file): it cannot be read whole in the browser. Save it as CSV, or split it",
                    self.file_name,
                    MAX_WHOLE_BYTES >> 20
                ));
            }
        }
        Ok(())
    }

    /// Finishes the import.
    ///
    /// # Errors
    /// A message for the user, as [`Task::Import`] gives for the whole file.
    pub fn finish(self, progress: &mut dyn FnMut(f64, &str)) -> Result<Imported, String> {
        match self.mode {
            Mode::Probe(_, bytes) | Mode::Whole(bytes) => import(
                &self.file_name,
                &bytes,
                &self.settings,
                &self.summary,
                progress,
            ),
            Mode::Stream(p) => {
                progress(0.9, "Checking the last rows");
                let r = p.finish().map_err(|e| e.to_string())?;
                r.report
                    .check(self.settings.bad_rows)
                    .map_err(|e| e.to_string())?;
                progress(0.95, "Summarising customers");
                let cols = r.columns.unwrap_or_default();
                let summary = cols.summarize(&self.summary).map_err(|e| e.to_string())?;
                progress(1.0, "Done");
                Ok(Imported {
                    kind: DataKind::Transactions,
                    detection: r.detection,
                    preview: r.preview,
                    mapping: Some(r.mapping),
                    layout: r.layout,
                    report: Some(r.report),
                    purchases: cols.len() as u64,
                    transactions: cols.log,
                    log_key: 0,
                    summary: Some(summary),
                    survey: None,
                    cohort: None,
                    rows: r.rows,
                })
            }
        }
    }
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

#[cfg(test)]
mod job_tests {
    use super::*;

    fn whole(bytes: &[u8], name: &str) -> Result<Imported, String> {
        let task = Task::Import {
            file_name: name.into(),
            bytes: bytes.to_vec(),
            settings: ImportSettings::default(),
            summary: SummaryOptions::default(),
        };
        match run(task, &mut |_, _| {})? {
            Output::Imported(i) => Ok(*i),
            _ => Err("not an import".into()),
        }
    }

    fn sliced(bytes: &[u8], name: &str, size: usize) -> Result<Imported, String> {
        let mut job = ImportJob::new(
            name,
            bytes.len() as u64,
            ImportSettings::default(),
            SummaryOptions::default(),
        );
        for c in bytes.chunks(size) {
            job.feed(c)?;
        }
        assert!((job.progress() - 1.0).abs() < 1e-12 || bytes.is_empty());
        job.finish(&mut |_, _| {})
    }

    #[test]
    fn an_import_in_slices_equals_the_whole_file_import() {
        let mut log = String::from("customer;date;amount\n");
        for i in 0..45_000 {
            log.push_str(&format!(
                "C{};{:02}.0{}.2024;{},50\n",
                i % 1234,
                i % 28 + 1,
                i % 9 + 1,
                i % 300
            ));
        }
        log.push_str("C1;nope;1\n");
        let survey = "respondent,nps,csat\n1,9,4\n2,3,2\n3,10,5\n";
        for (name, bytes) in [
            ("log.csv", log.as_bytes()),
            ("survey.csv", survey.as_bytes()),
        ] {
            let want = whole(bytes, name);
            for size in [1000, 65_536, 1 << 20] {
                assert_eq!(
                    sliced(bytes, name, size),
                    want,
                    "{name} in slices of {size}"
                );
            }
        }
        let imp = whole(log.as_bytes(), "log.csv").unwrap();
        assert_eq!(imp.rows, 45_001);
        assert_eq!(imp.report.as_ref().map(|r| r.rows_rejected), Some(1));
        assert_eq!(imp.summary.as_ref().map(|s| s.customers.len()), Some(1234));
    }

    #[test]
    fn a_binary_file_is_refused_at_the_first_slice() {
        let mut job = ImportJob::new(
            "x.png",
            20_000,
            ImportSettings::default(),
            SummaryOptions::default(),
        );
        let err = job.feed(&[0u8; 10_000]).unwrap_err();
        assert!(err.contains("not text"), "{err}");
    }

    #[test]
    fn the_worker_keeps_the_log_and_answers_from_it() {
        let log = "customer,date,amount\nA,2024-01-05,10\nB,2024-01-06,7\nA,2024-01-02,3\nA,2024-02-01,4.5\n";
        let mut out = Output::Imported(Box::new(whole(log.as_bytes(), "log.csv").unwrap()));
        let mut logs = KeptLogs::default();
        logs.take_from(7, &mut out);
        let Output::Imported(imp) = &out else {
            panic!("not an import")
        };
        // The page gets the count and a key, not the rows.
        assert!(imp.transactions.is_empty());
        assert_eq!((imp.purchases, imp.log_key), (4, 7));
        assert_eq!(logs.get(7).map(TxLog::len), Some(4));
        let history = |logs: &KeptLogs, key, id: &str| {
            run_with(
                Task::History {
                    log_key: key,
                    customer: id.into(),
                },
                logs,
                &mut |_, _| {},
            )
        };
        use chrono::Datelike;
        let day = |y, m, d| {
            chrono::NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .num_days_from_ce()
        };
        assert_eq!(
            history(&logs, 7, "A").unwrap(),
            Output::History {
                days: vec![day(2024, 1, 2), day(2024, 1, 5), day(2024, 2, 1)],
                amounts: vec![3.0, 10.0, 4.5],
            }
        );
        assert_eq!(
            history(&logs, 7, "nobody").unwrap(),
            Output::History {
                days: vec![],
                amounts: vec![]
            }
        );
        // Only the newest two logs are kept; a forgotten one says so in plain words.
        logs.keep(8, TxLog::default());
        logs.keep(9, TxLog::default());
        assert!(logs.get(7).is_none() && logs.get(8).is_some() && logs.get(9).is_some());
        assert_eq!(history(&logs, 7, "A").unwrap_err(), LOG_GONE);
        let mut clv = super::super::clv::default_request(imp.summary.clone().unwrap());
        clv.log_key = 7;
        assert_eq!(
            run_with(Task::Clv(Box::new(clv)), &logs, &mut |_, _| {}).unwrap_err(),
            LOG_GONE
        );
        // Other outputs pass through untouched.
        let mut sample = Output::History {
            days: vec![1],
            amounts: vec![2.0],
        };
        logs.take_from(10, &mut sample);
        assert!(logs.get(10).is_none());
    }

    #[test]
    fn validation_reads_the_kept_log_as_it_would_the_sent_one() {
        let Output::Sample { transactions, .. } = run(
            Task::Sample {
                n_customers: 400,
                seed: 3,
            },
            &mut |_, _| {},
        )
        .unwrap() else {
            panic!("not a sample")
        };
        let imp = whole(&transactions, "sample.csv").unwrap();
        let mut logs = KeptLogs::default();
        logs.keep(3, imp.transactions.clone());
        let summary = imp.summary.unwrap();
        let sent = super::super::clv::ClvRequest {
            transactions: imp.transactions,
            ..super::super::clv::default_request(summary.clone())
        };
        let kept = super::super::clv::ClvRequest {
            log_key: 3,
            ..super::super::clv::default_request(summary)
        };
        let fit = |req| match run_with(Task::Clv(Box::new(req)), &logs, &mut |_, _| {}) {
            Ok(Output::Clv(r)) => r.validation,
            other => panic!("{other:?}"),
        };
        let (a, b) = (fit(sent), fit(kept));
        assert!(a.is_some());
        assert_eq!(
            a.map(|v| (v.holdout, v.n_customers)),
            b.map(|v| (v.holdout, v.n_customers))
        );
    }
}
