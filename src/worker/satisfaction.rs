//! Worker task: the Satisfaction page's analyses ([`crate::analysis::satisfaction::analyse`] and
//! [`crate::analysis::drivers::drivers`]) and the Overview's survey part
//! ([`crate::analysis::overview::survey_part_with`]), so the page's download holds none of the
//! survey statistics (intervals, relative weights and their bootstrap, Kano, importance).
//!
//! The customers are the held dataset's summary; the lifetime-value fit's per-customer results
//! come with the request, in the summary's order (they live on the page); each customer's
//! segment is read from the segmentation the worker holds.

use super::datasets::Datasets;
use super::error::WorkerError;
use super::tasks::Output;
use crate::analysis::drivers::Drivers;
use crate::analysis::overview::SurveyPart;
use crate::analysis::satisfaction::{Analysis, Fit, Outcomes, Settings};
use crate::io::import::survey::SurveyTable;
use serde::{Deserialize, Serialize};

/// The lifetime-value fit's and the segmentation's per-customer results, in the held summary's
/// order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Linked {
    /// P(alive) and CLV per customer, when the fit answered.
    pub fit: Option<(Vec<f64>, Vec<f64>)>,
    /// The key under which the worker holds the segmentation ([`super::segment`]), when it
    /// answered: each customer's segment is read there.
    pub segments: Option<String>,
}

impl Linked {
    /// The per-customer columns of a fit and a segmentation that answered (either may not
    /// have): what the Satisfaction page and the Overview send with their requests.
    pub fn of(
        fit: Option<&super::clv::ClvResult>,
        segments: Option<&super::segment::SegmentResult>,
    ) -> Linked {
        Linked {
            fit: fit.map(|r| (r.p_alive.clone(), r.clv.clone())),
            segments: segments.filter(|r| r.is_view()).map(|r| r.held.clone()),
        }
    }
}

/// What the page asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SatisfactionAsk {
    /// The Satisfaction page under these settings: every figure and the drivers.
    Page(Box<Settings>),
    /// The Overview's survey part (columns detected by name).
    Overview,
}

/// A survey's analysis request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SatisfactionRequest {
    /// The held dataset whose customers the answers are linked to (None: no transaction log).
    pub dataset: Option<String>,
    /// The survey responses.
    pub survey: SurveyTable,
    /// The fit's and the segmentation's results (read only with a dataset).
    pub linked: Linked,
    /// What to compute.
    pub ask: SatisfactionAsk,
}

/// The answer to a [`SatisfactionRequest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SatisfactionOutput {
    /// The Satisfaction page's figures and drivers.
    Page(Box<Analysis>, Box<Drivers>),
    /// The Overview's survey part.
    Overview(Box<SurveyPart>),
}

/// Runs `req` on the held dataset's summary ([`Output::Satisfaction`]).
///
/// # Errors
/// [`WorkerError::NotHeld`] when the request names a dataset the worker does not hold.
pub fn run(
    req: &SatisfactionRequest,
    datasets: &Datasets,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<Output, WorkerError> {
    progress(0.05, "Linking the answers to the customers");
    let summary = match &req.dataset {
        Some(d) => Some(&datasets.get(d)?.summary),
        None => None,
    };
    let ids: Vec<String> = summary
        .map(|s| s.customers.iter().map(|c| c.id.clone()).collect())
        .unwrap_or_default();
    let fit = summary
        .and(req.linked.fit.as_ref())
        .map(|(p_alive, clv)| Fit {
            ids: &ids,
            p_alive,
            clv,
        });
    let segments = match &req.linked.segments {
        Some(key) if summary.is_some() => {
            let held = &datasets.segments.get(key)?.result;
            Some((held.segment_names.as_slice(), held.segment_of.as_slice()))
        }
        _ => None,
    };
    let o = Outcomes::from_parts(summary, fit, segments);
    progress(0.2, "Computing the satisfaction scores");
    let out = match &req.ask {
        SatisfactionAsk::Page(st) => {
            let a = crate::analysis::satisfaction::analyse(&req.survey, st, &o);
            progress(0.6, "Weighing the satisfaction drivers");
            let d = crate::analysis::drivers::drivers(&req.survey, st, &o);
            SatisfactionOutput::Page(Box::new(a), Box::new(d))
        }
        SatisfactionAsk::Overview => SatisfactionOutput::Overview(Box::new(
            crate::analysis::overview::survey_part_with(&req.survey, &o),
        )),
    };
    progress(1.0, "Done");
    Ok(Output::Satisfaction(Box::new(out)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::clv::ClvResult;
    use crate::analysis::segment::SegmentResult;
    use crate::domain::customers::CustomerSummary;
    use crate::worker::datasets::Held;

    fn import(bytes: &[u8], name: &str) -> crate::io::import::Imported {
        crate::io::import::import_bytes(
            name,
            bytes,
            &crate::io::import::ImportSettings::default(),
            &crate::domain::customers::SummaryOptions::default(),
            &mut |_, _| {},
        )
        .unwrap_or_else(|e| panic!("{name} imports: {e}"))
    }

    /// The built-in sample's survey and customers (the survey's respondents are its customers).
    fn sample() -> (SurveyTable, CustomerSummary) {
        let files = crate::worker::sample::sample_files(300, 7, &mut |_, _| {})
            .unwrap_or_else(|e| panic!("the sample is made: {e}"));
        let survey = import(&files.survey, "survey.csv").survey;
        let summary = import(&files.transactions, "transactions.csv").summary;
        match (survey, summary) {
            (Some(s), Some(c)) => (s, c),
            _ => panic!("the sample gives a survey and a summary"),
        }
    }

    /// The worker's answer equals what the page computed itself from the whole results
    /// (`Outcomes::new`), for the page's analyses and for the Overview's survey part.
    #[test]
    fn same_figures_as_from_the_whole_results() {
        let (survey, summary) = sample();
        let n = summary.customers.len();
        let clv = ClvResult {
            ids: summary.customers.iter().map(|c| c.id.clone()).collect(),
            p_alive: (0..n).map(|i| 0.2 + 0.1 * i as f64).collect(),
            clv: (0..n).map(|i| 10.0 * i as f64 + 3.0).collect(),
            ..Default::default()
        };
        let seg = SegmentResult {
            segment_names: vec!["A".into(), "B".into()],
            segment_of: (0..n).map(|i| (i % 2) as u16).collect(),
            ..Default::default()
        };
        let mut datasets = Datasets::default();
        datasets.segments.keep(
            "d/seg",
            crate::worker::segment::HeldSegment {
                dataset: "d".into(),
                result: seg.clone(),
                clv: None,
                p_alive: None,
            },
        );
        datasets.keep(
            "d",
            Held {
                log: Default::default(),
                summary: summary.clone(),
            },
        );
        let linked = Linked {
            fit: Some((clv.p_alive.clone(), clv.clv.clone())),
            segments: Some("d/seg".into()),
        };
        let o = Outcomes::new(Some(&summary), Some(&clv), Some(&seg));
        let st = crate::analysis::satisfaction::detect(&survey, "s");
        let ask = |ask| SatisfactionRequest {
            dataset: Some("d".into()),
            survey: survey.clone(),
            linked: linked.clone(),
            ask,
        };
        let page = run(
            &ask(SatisfactionAsk::Page(Box::new(st.clone()))),
            &datasets,
            &mut |_, _| {},
        );
        let Ok(Output::Satisfaction(page)) = page else {
            panic!("the page's task answers");
        };
        let a = crate::analysis::satisfaction::analyse(&survey, &st, &o);
        let d = crate::analysis::drivers::drivers(&survey, &st, &o);
        assert!(!a.by_segment.is_empty() && !a.link_nps.is_empty());
        assert_eq!(*page, SatisfactionOutput::Page(Box::new(a), Box::new(d)));
        let ov = run(&ask(SatisfactionAsk::Overview), &datasets, &mut |_, _| {});
        let Ok(Output::Satisfaction(ov)) = ov else {
            panic!("the overview's task answers");
        };
        let part =
            crate::analysis::overview::survey_part(&survey, &summary, Some(&clv), Some(&seg));
        assert_eq!(*ov, SatisfactionOutput::Overview(Box::new(part)));
        // A dataset the worker does not hold is said so.
        let mut gone = ask(SatisfactionAsk::Overview);
        gone.dataset = Some("gone".into());
        assert!(matches!(
            run(&gone, &datasets, &mut |_, _| {}),
            Err(WorkerError::NotHeld { .. })
        ));
        // A segmentation the worker no longer holds is said so (the page computes it again).
        let mut gone = ask(SatisfactionAsk::Overview);
        gone.linked.segments = Some("d/old".into());
        assert!(matches!(
            run(&gone, &datasets, &mut |_, _| {}),
            Err(WorkerError::SegmentsGone { .. })
        ));
        // The answer crosses the worker boundary unchanged.
        let bytes = bincode::serialize(&*ov).unwrap_or_default();
        let back: Result<SatisfactionOutput, _> = bincode::deserialize(&bytes);
        assert_eq!(back.ok().as_ref(), Some(&*ov));
    }
}
