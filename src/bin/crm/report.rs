//! `crm report`: the report of the whole analysis as one XLSX workbook, the same workbook the
//! app's "Download report (XLSX)" writes: the Overview, customers with CLV, segments, the model
//! fit, satisfaction (with `--survey`), settings, data quality and the methods appendix. Files
//! are read with the app's import pipeline and detection; the figures come from
//! [`crm::analysis::overview::compute`] and the workbook from [`crm::io::report`].

use crm::io::import::{import_bytes, ImportSettings, Imported};

/// Arguments of `crm report`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The transaction log (CSV, TSV, .xlsx, .xls or .ods), read as the app reads it.
    pub file: std::path::PathBuf,
    /// A survey file (NPS, CSAT and value at risk), read as the app reads it.
    #[arg(long)]
    pub survey: Option<std::path::PathBuf>,
    /// Where to write the workbook.
    #[arg(long, short)]
    pub output: std::path::PathBuf,
}

fn import(path: &std::path::Path) -> Result<Imported, String> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("{name}: {e}"))?;
    let file_name = path
        .file_name()
        .map_or_else(|| name.clone(), |n| n.to_string_lossy().into_owned());
    import_bytes(
        &file_name,
        &bytes,
        &ImportSettings::default(),
        &Default::default(),
        &mut |_, _| {},
    )
    .map_err(|e| format!("{name}: {e}"))
}

/// Runs `crm report`.
///
/// # Errors
/// A message when a file cannot be read, holds no customers, or the workbook cannot be written.
pub fn run(args: &Args) -> Result<(), String> {
    let name = args.file.display().to_string();
    let imp = import(&args.file)?;
    let summary = imp.summary.as_ref().ok_or_else(|| {
        format!("{name}: no customer summary was read (is it a transaction log?)")
    })?;
    let survey = match &args.survey {
        Some(p) => {
            let s = import(p)?;
            Some(
                s.survey
                    .ok_or_else(|| format!("{}: no survey answers were read", p.display()))?,
            )
        }
        None => None,
    };
    let c = crm::analysis::overview::compute(summary, survey.as_ref(), &mut |_, _| {});
    let bytes = crm::io::report::workbook(&crm::io::report::ReportInput {
        dataset: &name,
        summary,
        overview: &c.overview,
        clv: c.clv.as_ref().ok(),
        segments: c.segments.as_ref().ok(),
        survey: c.survey.as_ref(),
        validation: imp.report.as_ref(),
    })?;
    std::fs::write(&args.output, bytes).map_err(|e| format!("{}: {e}", args.output.display()))?;
    for n in &c.overview.notes {
        eprintln!("note: {n}");
    }
    eprintln!(
        "wrote {} ({} customers, {} recommended actions)",
        args.output.display(),
        summary.customers.len(),
        c.overview.actions.len()
    );
    Ok(())
}
