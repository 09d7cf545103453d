//! `crm satisfaction`: NPS, CSAT and CES with their intervals from a survey file (read like the app reads it), as text or
//! JSON. Columns are found by name (nps / recommend, csat / satisfaction, ces / effort) unless
//! given.

use crm::domain::satisfaction::ces::{ces, ces_question, CesScore};
use crm::domain::satisfaction::stats::MeanInterval;
use crm::domain::satisfaction::{csat, nps, CsatScore, NpsScore, Question};
use crm::io::import::survey::read_survey;
use crm::io::import::{read_table, ImportOptions};
use serde::Serialize;

/// Arguments of `crm satisfaction`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The input file: survey answers with a header (CSV, TSV, .xlsx, .xls or .ods).
    pub file: std::path::PathBuf,
    /// Sheet name for spreadsheets (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// NPS column (0–10).
    #[arg(long)]
    pub nps: Option<String>,
    /// CSAT column.
    #[arg(long)]
    pub csat: Option<String>,
    /// CES column (1–7).
    #[arg(long)]
    pub ces: Option<String>,
    /// Top of the CSAT scale (the scale is 1..=this).
    #[arg(long, default_value_t = 5)]
    pub csat_max: i32,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// A survey: the numeric question columns and, per column, the answers (None when blank).
struct Survey {
    headers: Vec<String>,
    columns: Vec<Vec<Option<f64>>>,
}

/// Reads a survey with the importer the app uses (CSV with any separator, decimal commas,
/// spreadsheets), keeping its numeric question columns.
fn load_input(path: &std::path::Path, sheet: Option<String>) -> Result<Survey, String> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("{name}: {e}"))?;
    let opts = ImportOptions {
        sheet,
        ..Default::default()
    };
    let table = read_table(&bytes, &name, &opts).map_err(|e| format!("{name}: {e}"))?;
    let survey = read_survey(&table).map_err(|e| format!("{name}: {e}"))?;
    Ok(Survey {
        headers: survey.items.iter().map(|i| i.name.clone()).collect(),
        columns: survey.items.into_iter().map(|i| i.values).collect(),
    })
}

impl Survey {
    fn find(&self, given: Option<&str>, keys: &[&str]) -> Result<Option<usize>, String> {
        if let Some(g) = given {
            return self
                .headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(g))
                .map(Some)
                .ok_or_else(|| format!("column {g:?} not found; columns: {:?}", self.headers));
        }
        Ok(self.headers.iter().position(|h| {
            let h = h.to_ascii_lowercase();
            keys.iter().any(|k| h.contains(k))
        }))
    }

    fn values(&self, j: usize) -> Vec<f64> {
        self.columns
            .get(j)
            .map(|c| c.iter().flatten().copied().collect())
            .unwrap_or_default()
    }
}

#[derive(Serialize)]
struct Report {
    nps: Option<(String, NpsScore)>,
    csat: Option<(String, CsatScore)>,
    ces: Option<(String, CesScore)>,
}

/// Runs `crm satisfaction`.
pub fn run(args: &Args) -> Result<(), String> {
    let survey = load_input(&args.file, args.sheet.clone())?;
    let nps_col = survey.find(args.nps.as_deref(), &["nps", "recommend"])?;
    let csat_col = survey.find(args.csat.as_deref(), &["csat", "satisf"])?;
    let ces_col = survey.find(args.ces.as_deref(), &["ces", "effort"])?;
    let name = |j: usize| survey.headers.get(j).cloned().unwrap_or_default();
    let report = Report {
        nps: nps_col
            .map(|j| nps(&survey.values(j)).map(|s| (name(j), s)))
            .transpose()
            .map_err(|e| e.to_string())?,
        csat: csat_col
            .map(|j| {
                csat(
                    &survey.values(j),
                    &Question::new(name(j), 1, args.csat_max),
                    2,
                )
                .map(|s| (name(j), s))
            })
            .transpose()
            .map_err(|e| e.to_string())?,
        ces: ces_col
            .map(|j| {
                let q = Question {
                    name: name(j),
                    ..ces_question()
                };
                ces(&survey.values(j), &q, MeanInterval::StudentT).map(|s| (name(j), s))
            })
            .transpose()
            .map_err(|e| e.to_string())?,
    };
    if report.nps.is_none() && report.csat.is_none() && report.ces.is_none() {
        return Err(format!(
            "no NPS, CSAT or CES column found; columns: {:?} (use --nps, --csat or --ces)",
            survey.headers
        ));
    }
    if args.json {
        let s = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        println!("{s}");
        return Ok(());
    }
    if let Some((c, s)) = &report.nps {
        println!(
            "NPS ({c}): {:.1}  95% CI [{:.1}, {:.1}]  SE {:.2}  n={} (promoters {}, passives {}, detractors {}; invalid {})",
            s.nps, s.ci_low, s.ci_high, s.se, s.n, s.promoters, s.passives, s.detractors, s.invalid
        );
        if let Some(m) = &s.caution {
            println!("  caution: {m}");
        }
    }
    if let Some((c, s)) = &report.csat {
        println!(
            "CSAT ({c}, top-{} box on {}-{}): {:.1}%  95% Wilson CI [{:.1}%, {:.1}%]  mean {:.2}  n={} (invalid {})",
            s.top_boxes,
            s.question.min,
            s.question.max,
            100.0 * s.share,
            100.0 * s.ci_low,
            100.0 * s.ci_high,
            s.mean,
            s.n,
            s.invalid
        );
        if let Some(m) = &s.caution {
            println!("  caution: {m}");
        }
    }
    if let Some((c, s)) = &report.ces {
        println!(
            "CES ({c}, 1-7): mean {:.2}  95% CI [{:.2}, {:.2}]  agree (5-7) {:.1}%  net (6-7 minus 1-3) {:+.1}  n={} (invalid {})",
            s.mean,
            s.ci_low,
            s.ci_high,
            100.0 * s.agree,
            100.0 * s.net,
            s.n,
            s.invalid
        );
        if let Some(m) = &s.caution {
            println!("  caution: {m}");
        }
    }
    Ok(())
}
