//! The lessons' engine work, run in the worker so the page's download holds none of it: the
//! BG/NBD lesson's sheet and fit on its simulated customers
//! ([`crate::analysis::bgnbd_sheet`]), and a lesson's exercise questions with their answers
//! ([`crate::analysis::exercises`]). Both make a simulated base through the full import, whose
//! readers (spreadsheets, CSV, encodings) then stay out of the page.

use super::error::WorkerError;
use super::tasks::Output;
use crate::analysis::bgnbd_sheet::{self, Sheet};
use crate::analysis::exercises::{self, Question};
use crate::domain::clv::{BgNbd, BtydModel, FittedModel};
use serde::{Deserialize, Serialize};

/// A lesson's engine work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum LessonTask {
    /// The BG/NBD lesson's sheet on its customers ([`bgnbd_sheet::lesson_customers`]) under
    /// `params` and `horizon`; with `fit`, the engine's fit on them first, and the sheet under
    /// the fitted parameters (a BG/NBD fit), or under `params` when the fit fails.
    Bgnbd {
        /// The parameters typed on the page.
        params: BgNbd,
        /// Weeks ahead (the sheet's t).
        horizon: f64,
        /// Fit first.
        fit: bool,
    },
    /// The questions of `lesson`'s exercises for exercise set `seed`.
    Exercises {
        /// The lesson key ("clv", "rfm", "bgnbd", …).
        lesson: String,
        /// The exercise set's seed.
        seed: u64,
    },
}

/// The BG/NBD lesson's sheet, and the fit when one was asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BgnbdLesson {
    /// The parameters the sheet is under.
    pub params: BgNbd,
    /// The sheet.
    pub sheet: Sheet,
    /// The engine's fit (`Err`: why it failed, in words), when asked for.
    pub fit: Option<Result<FittedModel, String>>,
}

/// A lesson's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum LessonOutput {
    /// The BG/NBD lesson's sheet (and fit).
    Bgnbd(Box<BgnbdLesson>),
    /// The exercise questions.
    Exercises(Vec<Question>),
}

/// The BG/NBD lesson's sheet under `params` (fitted first with `fit`).
///
/// # Errors
/// The lesson's customers could not be made (in words).
pub fn bgnbd(params: BgNbd, horizon: f64, fit: bool) -> Result<BgnbdLesson, String> {
    let customers = bgnbd_sheet::lesson_customers()?;
    let fit = fit.then(|| bgnbd_sheet::fit(&customers));
    let params = match &fit {
        Some(Ok(FittedModel {
            model: BtydModel::BgNbd(p),
            ..
        })) => *p,
        _ => params,
    };
    Ok(BgnbdLesson {
        params,
        sheet: Sheet::new(&customers, params, horizon),
        fit,
    })
}

/// Runs a lesson's task ([`Output::Lesson`]).
///
/// # Errors
/// The lesson's data could not be made, or the lesson is unknown (in words).
pub fn run(task: LessonTask, progress: &mut dyn FnMut(f64, &str)) -> Result<Output, WorkerError> {
    progress(0.1, "Working out the lesson");
    let out = match task {
        LessonTask::Bgnbd {
            params,
            horizon,
            fit,
        } => bgnbd(params, horizon, fit).map(|l| LessonOutput::Bgnbd(Box::new(l))),
        LessonTask::Exercises { lesson, seed } => {
            exercises::questions(&lesson, seed).map(LessonOutput::Exercises)
        }
    }
    .map_err(WorkerError::Sample)?;
    progress(1.0, "Done");
    Ok(Output::Lesson(Box::new(out)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::bgnbd_sheet::LESSON_HORIZON;
    use crate::worker::tasks::{self, Task};

    const START: BgNbd = BgNbd::CDNOW;

    fn lesson(task: LessonTask) -> LessonOutput {
        let task = Task::Lesson(Box::new(task));
        let bytes = bincode::serialize(&task).unwrap_or_default();
        let back: Task = bincode::deserialize(&bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, task);
        match tasks::run(back, &mut |_, _| {}) {
            Ok(Output::Lesson(l)) => {
                let bytes = bincode::serialize(&l).unwrap_or_default();
                let l2: LessonOutput =
                    bincode::deserialize(&bytes).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(l2, *l);
                *l
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn bgnbd_sheet_task_is_the_sheet_the_page_used_to_build() {
        let LessonOutput::Bgnbd(l) = lesson(LessonTask::Bgnbd {
            params: START,
            horizon: LESSON_HORIZON,
            fit: false,
        }) else {
            panic!("not a BG/NBD lesson");
        };
        let customers = bgnbd_sheet::lesson_customers().unwrap_or_default();
        assert_eq!(customers.len(), 20);
        assert_eq!(l.params, START);
        assert!(l.fit.is_none());
        assert_eq!(l.sheet, Sheet::new(&customers, START, LESSON_HORIZON));
    }

    #[test]
    fn bgnbd_fit_task_puts_the_sheet_under_the_fitted_parameters() {
        let LessonOutput::Bgnbd(l) = lesson(LessonTask::Bgnbd {
            params: START,
            horizon: LESSON_HORIZON,
            fit: true,
        }) else {
            panic!("not a BG/NBD lesson");
        };
        let customers = bgnbd_sheet::lesson_customers().unwrap_or_default();
        let direct = bgnbd_sheet::fit(&customers).unwrap_or_else(|e| panic!("{e}"));
        let Some(Ok(fit)) = &l.fit else {
            panic!("no fit");
        };
        assert_eq!(fit, &direct);
        let BtydModel::BgNbd(p) = direct.model else {
            panic!("not BG/NBD");
        };
        assert_eq!(l.params, p);
        assert!((l.sheet.total_ll.value - direct.log_likelihood).abs() < 1e-6);
    }

    #[test]
    fn exercises_task_answers_the_same_questions_as_the_analysis() {
        for key in ["clv", "rfm", "bgnbd"] {
            let LessonOutput::Exercises(qs) = lesson(LessonTask::Exercises {
                lesson: key.into(),
                seed: 11,
            }) else {
                panic!("not exercises");
            };
            assert_eq!(Ok(qs), exercises::questions(key, 11), "{key}");
        }
    }

    #[test]
    fn unknown_lesson_fails_in_words() {
        let r = tasks::run(
            Task::Lesson(Box::new(LessonTask::Exercises {
                lesson: "nope".into(),
                seed: 1,
            })),
            &mut |_, _| {},
        );
        assert!(
            matches!(r, Err(WorkerError::Sample(ref m)) if !m.is_empty()),
            "{r:?}"
        );
    }
}
