//! An import fed slice by slice ([`ImportJob`]), with exactly the result of
//! [`super::pipeline::import_bytes`] on the whole file: a transaction log is detected on its
//! first slices and checked row by row as later slices arrive; anything else (a workbook, a
//! survey, a cohort or summary file) is gathered and read whole by the pipeline.

use super::pipeline::{import_bytes, DataKind, ImportSettings, Imported};
use super::{read_table, ImportError, TransactionParser};
use crate::domain::customers::SummaryOptions;

/// Files that cannot be read in slices (workbooks; survey, cohort and summary files) are
/// gathered whole; beyond this size they are refused ([`ImportError::FileTooLarge`]).
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

/// An import fed slice by slice, with the same result as [`import_bytes`] on the whole
/// file. The web worker keeps one per job between messages; `crm --chunked` uses one too.
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
            let candidates = settings.candidates().cloned().collect();
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

    /// The file's name.
    pub fn file_name(&self) -> &str {
        &self.file_name
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
    /// [`ImportError::BinaryFile`] at the first slice of a binary file; the error of a
    /// transaction log that cannot be read (no customer, date or amount column...);
    /// [`ImportError::FileTooLarge`] when a file read whole passes [`MAX_WHOLE_BYTES`].
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), ImportError> {
        self.consumed += chunk.len() as u64;
        let mode = std::mem::replace(&mut self.mode, Mode::Whole(Vec::new()));
        self.mode = match mode {
            Mode::Probe(mut p, mut kept) => {
                kept.extend_from_slice(chunk);
                match p.feed(chunk) {
                    Err(ImportError::BinaryFile) => return Err(ImportError::BinaryFile),
                    // A transaction log that cannot be read says so now; anything else (a
                    // survey, a summary...) is read whole, as what it is.
                    Err(e) => {
                        let kind = read_table(&kept, &self.file_name, &self.settings.options)
                            .ok()
                            .map(|t| self.settings.kind_of(&t));
                        if kind == Some(DataKind::Transactions) {
                            return Err(e);
                        }
                        Mode::Whole(kept)
                    }
                    Ok(()) if p.is_whole() => Mode::Whole(kept),
                    Ok(()) => match p.sample() {
                        None => Mode::Probe(p, kept),
                        Some(table) => {
                            if self.settings.kind_of(table) == DataKind::Transactions {
                                Mode::Stream(p)
                            } else {
                                Mode::Whole(kept)
                            }
                        }
                    },
                }
            }
            Mode::Stream(mut p) => {
                p.feed(chunk)?;
                Mode::Stream(p)
            }
            Mode::Whole(mut v) => {
                v.extend_from_slice(chunk);
                Mode::Whole(v)
            }
        };
        if let Mode::Whole(v) = &self.mode {
            if v.len() as u64 > MAX_WHOLE_BYTES {
                return Err(ImportError::FileTooLarge {
                    name: self.file_name.clone(),
                    limit_mb: MAX_WHOLE_BYTES >> 20,
                });
            }
        }
        Ok(())
    }

    /// Finishes the import.
    ///
    /// # Errors
    /// As [`import_bytes`] gives for the whole file.
    pub fn finish(self, progress: &mut dyn FnMut(f64, &str)) -> Result<Imported, ImportError> {
        match self.mode {
            Mode::Probe(_, bytes) | Mode::Whole(bytes) => import_bytes(
                &self.file_name,
                &bytes,
                &self.settings,
                &self.summary,
                progress,
            ),
            Mode::Stream(p) => {
                progress(0.9, "Checking the last rows");
                let r = p.finish()?;
                r.report.check(self.settings.bad_rows)?;
                progress(0.95, "Summarising customers");
                let (summary, log) = r
                    .columns
                    .unwrap_or_default()
                    .into_summary(&self.summary)
                    .map_err(ImportError::Summary)?;
                progress(1.0, "Done");
                Ok(Imported {
                    kind: DataKind::Transactions,
                    detection: r.detection,
                    preview: r.preview,
                    mapping: Some(r.mapping),
                    layout: r.layout,
                    report: Some(r.report),
                    purchases: log.len() as u64,
                    transactions: log,
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

    fn whole(bytes: &[u8], name: &str) -> Result<Imported, ImportError> {
        import_bytes(
            name,
            bytes,
            &ImportSettings::default(),
            &SummaryOptions::default(),
            &mut |_, _| {},
        )
    }

    fn sliced(bytes: &[u8], name: &str, size: usize) -> Result<Imported, ImportError> {
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
        assert_eq!(err, ImportError::BinaryFile);
        assert!(err.to_string().contains("not text"), "{err}");
    }

    #[test]
    fn a_survey_too_large_to_read_whole_is_refused_in_plain_words() {
        let settings = ImportSettings {
            kind: Some(DataKind::Survey),
            ..Default::default()
        };
        let mut job = ImportJob::new(
            "big.csv",
            MAX_WHOLE_BYTES + 2,
            settings,
            SummaryOptions::default(),
        );
        let slice = vec![b'1'; 1 << 20];
        let mut fed = 0u64;
        let err = loop {
            match job.feed(&slice) {
                Ok(()) => fed += slice.len() as u64,
                Err(e) => break e,
            }
            assert!(fed <= MAX_WHOLE_BYTES, "never refused");
        };
        assert_eq!(
            err,
            ImportError::FileTooLarge {
                name: "big.csv".into(),
                limit_mb: 512
            }
        );
        assert!(err
            .to_string()
            .starts_with("big.csv is larger than 512 MB and is not a transaction log"));
    }
}
