//! `crm summarize`: read a transaction log (any supported export), print the detection and
//! validation report to stderr, and write the customer summary as CSV.

use crate::input::{load_summary, InputArgs};
use crm::io::export::write_csv;

/// Arguments of `crm summarize`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Input file and how to read it (boxed: it is large, and `Command` holds it by value).
    #[command(flatten)]
    pub input: Box<InputArgs>,
    /// Write the summary here instead of standard output.
    #[arg(long, short)]
    pub output: Option<std::path::PathBuf>,
}

/// Runs `crm summarize`.
///
/// # Errors
/// A message when the file cannot be read, has no usable rows, or the output cannot be written.
pub fn run(args: &Args) -> Result<(), String> {
    let (summary, report) = load_summary(&args.input)?;
    eprint!("{report}");
    if let Some(sentence) = crm::domain::customers::excluded_sentence(&summary.excluded) {
        eprintln!("{sentence}.");
        // The first ids of each reason; the page lists up to 1,000.
        const SHOWN: usize = 20;
        for e in &summary.excluded {
            let shown = e.ids.get(..SHOWN).unwrap_or(&e.ids);
            let more = match e.count.saturating_sub(shown.len() as u64) {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            eprintln!("  {}: {}{more}", e.reason.describe(), shown.join(", "));
        }
    }
    let split = summary.calibration_end.is_some();
    let mut headers = vec![
        "id",
        "x",
        "t_x",
        "T",
        "monetary",
        "occasions",
        "total_spend",
    ];
    if split {
        headers.extend(["holdout_x", "holdout_spend"]);
    }
    let rows: Vec<Vec<String>> = summary
        .customers
        .iter()
        .map(|c| {
            let mut r = vec![
                c.id.clone(),
                num(c.x),
                num(c.t_x),
                num(c.t),
                num(c.monetary),
                c.occasions.to_string(),
                num(c.total_spend),
            ];
            if split {
                r.push(num(c.holdout_x.unwrap_or(0.0)));
                r.push(num(c.holdout_spend.unwrap_or(0.0)));
            }
            r
        })
        .collect();
    let csv = write_csv(&headers, &rows);
    match &args.output {
        Some(p) => std::fs::write(p, csv).map_err(|e| format!("{}: {e}", p.display())),
        None => {
            use std::io::Write;
            std::io::stdout()
                .write_all(csv.as_bytes())
                .map_err(|e| format!("standard output: {e}"))
        }
    }
}

/// A number with at most 6 decimals, trailing zeros removed.
fn num(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}
