//! `crm satisfaction`: NPS, CSAT and CES with their intervals from a survey file (read like
//! the app reads it), as text or JSON. Columns and scales are found as the Satisfaction page
//! finds them ([`crm::analysis::satisfaction::detect`]) unless given, and the scores are the
//! page's headline ([`crm::analysis::satisfaction::headline`]).

use crm::analysis::satisfaction::{detect, headline, question};
use crm::domain::satisfaction::ces::CesScore;
use crm::domain::satisfaction::{CsatScore, NpsScore, Question};
use crm::io::import::survey::{read_survey, SurveyTable};
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
    /// Top of the CSAT scale (default: detected from the answers, as the app does: 5, 7 or 10).
    #[arg(long)]
    pub csat_max: Option<i32>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Reads a survey with the importer the app uses (CSV with any separator, decimal commas,
/// spreadsheets).
fn load_input(path: &std::path::Path, sheet: Option<String>) -> Result<SurveyTable, String> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("{name}: {e}"))?;
    let opts = ImportOptions {
        sheet,
        ..Default::default()
    };
    let table = read_table(&bytes, &name, &opts).map_err(|e| format!("{name}: {e}"))?;
    read_survey(&table).map_err(|e| format!("{name}: {e}"))
}

/// The survey's column named `given` (case ignored).
fn column(s: &SurveyTable, given: &str) -> Result<String, String> {
    s.items
        .iter()
        .find(|i| i.name.eq_ignore_ascii_case(given))
        .map(|i| i.name.clone())
        .ok_or_else(|| {
            let names: Vec<&str> = s.items.iter().map(|i| i.name.as_str()).collect();
            format!("column {given:?} not found; columns: {names:?}")
        })
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
    let mut st = detect(&survey, &args.file.display().to_string());
    if let Some(c) = &args.nps {
        st.nps = Some(column(&survey, c)?);
    }
    if let Some(c) = &args.csat {
        st.csat = Some(question(&survey, &column(&survey, c)?, (1, 5)));
    }
    if let (Some(max), Some(q)) = (args.csat_max, st.csat.as_mut()) {
        *q = Question::new(q.name.clone(), q.min, max);
    }
    if let Some(c) = &args.ces {
        // The CES question as the page sets it: 1–7 agreement.
        st.ces = Some(Question {
            name: column(&survey, c)?,
            ..crm::domain::satisfaction::ces::ces_question()
        });
    }
    let h = headline(&survey, &st);
    let named = |name: Option<String>| name.unwrap_or_default();
    let report = Report {
        nps: h.nps.transpose()?.map(|s| (named(st.nps.clone()), s)),
        csat: h
            .csat
            .transpose()?
            .map(|s| (named(st.csat.as_ref().map(|q| q.name.clone())), s)),
        ces: h
            .ces
            .transpose()?
            .map(|s| (named(st.ces.as_ref().map(|q| q.name.clone())), s)),
    };
    if report.nps.is_none() && report.csat.is_none() && report.ces.is_none() {
        return Err(format!(
            "no NPS, CSAT or CES column found; columns: {:?} (use --nps, --csat or --ces)",
            survey
                .items
                .iter()
                .map(|i| i.name.as_str())
                .collect::<Vec<_>>()
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
