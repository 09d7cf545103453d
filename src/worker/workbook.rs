//! Workbooks written in the worker: the page sends what an XLSX workbook is written from and
//! gets its bytes back, to download. The XLSX writer (and its zip and deflate code) then stays
//! out of the page's download; the page only saves the bytes.
//!
//! The report's inputs travel as one block of bytes ([`report_bytes`]): the page serializes
//! its results from references (no copy of a million customers before sending), the worker
//! reads them back as owned values of the same shape.

use super::error::WorkerError;
use super::protocol::Bytes;
use super::tasks::Output;
use crate::analysis::bgnbd_sheet::Sheet;
use crate::analysis::clv::ClvResult;
use crate::analysis::numfmt::NumberFormat;
use crate::analysis::overview::{survey_part, Overview};
use crate::analysis::segment::SegmentResult;
use crate::domain::customers::CustomerSummary;
use crate::io::import::survey::SurveyTable;
use crate::io::import::validate::ValidationReport;
use crate::io::report::ReportInput;
use serde::{Deserialize, Serialize};

/// A workbook to write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WorkbookTask {
    /// The report of the whole analysis ([`crate::io::report`]): its inputs as
    /// [`report_bytes`] wrote them.
    Report(Bytes),
    /// The BG/NBD lesson's sheet with live formulas ([`crate::io::workbook`]).
    Bgnbd(Box<Sheet>),
}

/// What the report is written from, as the page holds it (borrowed). The survey travels as
/// its table: the worker works out its part of the report, as the Overview does.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ReportRef<'a> {
    /// The dataset's name.
    pub dataset: &'a str,
    /// The customer summary.
    pub summary: &'a CustomerSummary,
    /// The overview.
    pub overview: &'a Overview,
    /// The default lifetime-value fit, when there is one.
    pub clv: Option<&'a ClvResult>,
    /// The default segmentation, when there is one.
    pub segments: Option<&'a SegmentResult>,
    /// The loaded survey, when there is one.
    pub survey: Option<&'a SurveyTable>,
    /// The import's validation report, when known.
    pub validation: Option<&'a ValidationReport>,
    /// How amounts are shown.
    pub number_format: &'a NumberFormat,
}

/// [`ReportRef`] as the worker reads it back: the same fields in the same order, owned.
#[derive(Debug, Deserialize)]
struct ReportOwned {
    dataset: String,
    summary: CustomerSummary,
    overview: Overview,
    clv: Option<ClvResult>,
    segments: Option<SegmentResult>,
    survey: Option<SurveyTable>,
    validation: Option<ValidationReport>,
    number_format: NumberFormat,
}

/// The report's inputs as one block of bytes, for [`WorkbookTask::Report`].
///
/// # Errors
/// The inputs could not be serialized (in words).
pub fn report_bytes(input: &ReportRef<'_>) -> Result<Bytes, String> {
    bincode::serialize(input)
        .map(Bytes)
        .map_err(|e| format!("The report's inputs could not be packed: {e}"))
}

/// Writes the workbook and answers its bytes ([`Output::Workbook`]). A segmentation the page
/// sent is its view (see [`super::segment`]): its per-customer columns are read from the
/// whole result the worker holds (`held`).
///
/// # Errors
/// [`WorkerError::Sample`] with the reason when the inputs cannot be read or the workbook
/// cannot be written; [`WorkerError::SegmentsGone`] when the segmentation is no longer held.
pub fn run(
    task: WorkbookTask,
    held: &super::segment::HeldSegments,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<Output, WorkerError> {
    progress(0.1, "Writing the workbook");
    let bytes = match task {
        WorkbookTask::Report(b) => {
            let r: ReportOwned = bincode::deserialize(&b.0).map_err(|e| {
                WorkerError::Sample(format!("The report's inputs are damaged: {e}"))
            })?;
            let segments = match r.segments.as_ref() {
                Some(view) if view.is_view() => Some(&held.get(&view.held)?.result),
                s => s,
            };
            let sp = r
                .survey
                .as_ref()
                .map(|s| survey_part(s, &r.summary, r.clv.as_ref(), segments));
            crate::io::report::workbook(&ReportInput {
                dataset: &r.dataset,
                summary: &r.summary,
                overview: &r.overview,
                clv: r.clv.as_ref(),
                segments,
                survey: sp.as_ref(),
                validation: r.validation.as_ref(),
                number_format: &r.number_format,
            })
        }
        WorkbookTask::Bgnbd(sheet) => crate::io::workbook::bgnbd_workbook(&sheet),
    }
    .map_err(WorkerError::Sample)?;
    progress(1.0, "Done");
    Ok(Output::Workbook(Bytes(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::bgnbd_sheet::{lesson_customers, LESSON_HORIZON};
    use crate::domain::clv::BgNbd;

    #[test]
    fn the_bgnbd_workbook_written_in_the_worker_is_the_one_written_directly() {
        let rows = lesson_customers().unwrap();
        let p = BgNbd {
            r: 0.24,
            alpha: 4.41,
            a: 0.79,
            b: 2.43,
        };
        let sheet = Sheet::new(&rows, p, LESSON_HORIZON);
        let direct = crate::io::workbook::bgnbd_workbook(&sheet).unwrap();
        let out = run(
            WorkbookTask::Bgnbd(Box::new(sheet)),
            &Default::default(),
            &mut |_, _| {},
        )
        .unwrap();
        let Output::Workbook(b) = out else {
            panic!("not a workbook")
        };
        assert_eq!(b.0.len(), direct.len());
    }

    #[test]
    fn the_report_written_in_the_worker_has_the_sheets_written_directly() {
        use crate::domain::customers::SummaryOptions;
        use crate::io::import::{import_bytes, ImportSettings};
        let csv = "customer,date,amount\nA,2024-01-05,10\nA,2024-02-05,12\nB,2024-01-06,7\n";
        let imp = import_bytes(
            "t.csv",
            csv.as_bytes(),
            &ImportSettings::default(),
            &SummaryOptions::default(),
            &mut |_, _| {},
        )
        .unwrap();
        let summary = imp.summary.unwrap();
        let overview = Overview::default();
        let nf = NumberFormat::default();
        let input = ReportRef {
            dataset: "t",
            summary: &summary,
            overview: &overview,
            clv: None,
            segments: None,
            survey: None,
            validation: imp.report.as_ref(),
            number_format: &nf,
        };
        let direct = crate::io::report::workbook(&ReportInput {
            dataset: "t",
            summary: &summary,
            overview: &overview,
            clv: None,
            segments: None,
            survey: None,
            validation: imp.report.as_ref(),
            number_format: &nf,
        })
        .unwrap();
        let task = WorkbookTask::Report(report_bytes(&input).unwrap());
        let Output::Workbook(b) = run(task, &Default::default(), &mut |_, _| {}).unwrap() else {
            panic!("not a workbook")
        };
        assert!(b.0.starts_with(b"PK"));
        assert_eq!(b.0.len(), direct.len());
    }

    #[test]
    fn damaged_report_inputs_are_an_error_not_a_panic() {
        let err = run(
            WorkbookTask::Report(Bytes(vec![1, 2, 3])),
            &Default::default(),
            &mut |_, _| {},
        )
        .unwrap_err();
        assert!(err.to_string().contains("damaged"), "{err}");
    }
}
