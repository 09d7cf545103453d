//! `crm report`: the report of the whole analysis as one XLSX workbook, the same workbook the
//! app's "Download report (XLSX)" writes: the Overview, customers with CLV, segments, the model
//! fit, satisfaction (with `--survey`), settings, data quality and the methods appendix. Files
//! are read with the app's import pipeline and detection; the figures come from
//! [`crm::analysis::overview::compute`] and the workbook from [`crm::io::report`]. Amounts
//! are written in the number format the flags choose (`--number-format de`, or
//! `--currency € --decimal , --thousands .`): money cells carry the symbol in their number
//! format and stay numbers.

use crm::analysis::numfmt::{NumberFormat, Preset, NARROW_NBSP};
use crm::io::import::{import_bytes, ImportSettings, Imported};

/// Arguments of `crm report`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Number formats: amounts are written as the app writes them by default (1,234.56, no symbol).\n  crm report log.csv -o report.xlsx --number-format de --currency €     (1.234,56 €)\n  crm report log.csv -o report.xlsx --currency € --decimal , --thousands .\n  crm report log.csv -o report.xlsx --number-format ch --currency CHF   (CHF 1'234.56)\nIn the workbook, money cells carry the symbol in their number format and stay numbers; the\nspreadsheet shows them with its own decimal and thousands marks."
)]
pub struct Args {
    /// The transaction log (CSV, TSV, .xlsx, .xls or .ods), read as the app reads it.
    pub file: std::path::PathBuf,
    /// A survey file (NPS, CSAT and value at risk), read as the app reads it.
    #[arg(long)]
    pub survey: Option<std::path::PathBuf>,
    /// Where to write the workbook.
    #[arg(long, short)]
    pub output: std::path::PathBuf,
    /// A ready-made number format: en (1,234.56), de (1.234,56), fr (1 234,56 with a narrow
    /// no-break space) or ch (1'234.56); the flags below change single settings of it.
    #[arg(long, value_name = "PRESET")]
    pub number_format: Option<String>,
    /// The currency symbol of amounts, e.g. € or CHF (money cells carry it; they stay numbers).
    #[arg(long, value_name = "SYMBOL")]
    pub currency: Option<String>,
    /// Where the symbol goes: before, before-space, after or after-space.
    #[arg(long, value_name = "WHERE")]
    pub symbol: Option<String>,
    /// The decimal separator: . or , (the workbook's cells use the spreadsheet's own; this
    /// sets the action sentences).
    #[arg(long, value_name = "CHAR")]
    pub decimal: Option<char>,
    /// The thousands separator: none, space, nnbsp (narrow no-break space), or a character
    /// such as , . or '.
    #[arg(long, value_name = "SEP")]
    pub thousands: Option<String>,
    /// Decimals of amounts of money (0 to 4; default 2).
    #[arg(long, value_name = "N")]
    pub money_decimals: Option<u8>,
}

/// The number format the flags ask for (starting from the preset, or the default).
///
/// # Errors
/// A message naming the flag whose value is not understood.
pub fn number_format(args: &Args) -> Result<NumberFormat, String> {
    let mut f = match &args.number_format {
        Some(p) => Preset::parse(p)
            .ok_or_else(|| format!("--number-format {p:?}: use en, de, fr or ch"))?
            .format(),
        None => NumberFormat::default(),
    };
    if let Some(c) = &args.currency {
        f.symbol = c.trim().to_string();
        if args.number_format.is_none() && args.symbol.is_none() && f.symbol.chars().count() > 1 {
            f.symbol_space = true;
        }
    }
    if let Some(w) = &args.symbol {
        (f.symbol_after, f.symbol_space) = match w.as_str() {
            "before" => (false, false),
            "before-space" => (false, true),
            "after" => (true, false),
            "after-space" => (true, true),
            _ => {
                return Err(format!(
                    "--symbol {w:?}: use before, before-space, after or after-space"
                ))
            }
        };
    }
    if let Some(d) = args.decimal {
        f.decimal = d;
        if f.thousands == Some(d) && args.thousands.is_none() {
            f.thousands = Some(if d == ',' { '.' } else { ',' });
        }
    }
    if let Some(t) = &args.thousands {
        f.thousands = match t.as_str() {
            "none" | "" => None,
            "space" | " " => Some(' '),
            "nnbsp" => Some(NARROW_NBSP),
            s if s.chars().count() == 1 => s.chars().next(),
            _ => {
                return Err(format!(
                    "--thousands {t:?}: use none, space, nnbsp or one character"
                ))
            }
        };
    }
    if let Some(d) = args.money_decimals {
        f.money_decimals = d;
    }
    f.check().map_err(|e| format!("number format: {e}"))?;
    Ok(f)
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
    let number_format = number_format(args)?;
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
    let c = crm::analysis::overview::compute_with(
        summary,
        survey.as_ref(),
        &number_format,
        &mut |_, _| {},
    );
    let bytes = crm::io::report::workbook(&crm::io::report::ReportInput {
        dataset: &name,
        summary,
        overview: &c.overview,
        clv: c.clv.as_ref().ok(),
        segments: c.segments.as_ref().ok(),
        survey: c.survey.as_ref(),
        validation: imp.report.as_ref(),
        number_format: &number_format,
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
