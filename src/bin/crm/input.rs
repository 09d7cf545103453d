//! Options shared by every subcommand that reads a file, and loading a table or a customer
//! summary (from a log or a precomputed summary file) through the app's own import pipeline
//! (`crm::io::import::pipeline`): the same detection, mapping, validation and summary.

use clap::Args;
use crm::domain::customers::{CustomerSummary, ReturnsPolicy, SummaryOptions, TimeUnit};
use crm::io::import::mapping::resolve_column;
use crm::io::import::{
    guess_mapping, import_table, read_table, BadRows, DataKind, DateFormat, DecimalSep, Delimiter,
    ImportError, ImportJob, ImportOptions, ImportSettings, Imported, Mapping, ParsedTable, Role,
    ValidationReport,
};

/// How to read the input file and build the customer summary.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// The file to read (CSV, TSV, whitespace-separated text, .xlsx, .xls or .ods).
    pub file: std::path::PathBuf,
    /// Time unit of the summary: day, week or month.
    #[arg(long, default_value = "week")]
    pub time_unit: String,
    /// Last day of observation (default: the last date in the data).
    #[arg(long)]
    pub end: Option<String>,
    /// End of the calibration period; later purchases form the holdout.
    #[arg(long)]
    pub calibration_end: Option<String>,
    /// Customer id column (header name, or 1-based position).
    #[arg(long)]
    pub customer: Option<String>,
    /// Date column (header name, or 1-based position).
    #[arg(long)]
    pub date: Option<String>,
    /// Amount column (header name, or 1-based position).
    #[arg(long)]
    pub amount: Option<String>,
    /// Date format: dmy, mdy, ymd, yyyymmdd, excel, or a pattern such as %d/%m/%Y
    /// (default: detected).
    #[arg(long)]
    pub date_format: Option<String>,
    /// Sheet name for spreadsheets (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Returns: net, drop or keep.
    #[arg(long, default_value = "net")]
    pub returns: String,
    /// Field separator: comma, semicolon, tab, pipe or space (default: detected).
    #[arg(long)]
    pub delimiter: Option<String>,
    /// Whether the first row is a header: yes or no (default: detected).
    #[arg(long)]
    pub header: Option<String>,
    /// Decimal separator: dot or comma (default: detected).
    #[arg(long)]
    pub decimal: Option<String>,
    /// Fail when any row cannot be used (default: skip such rows and report them).
    #[arg(long)]
    pub strict: bool,
    /// Read the file in 4 MiB slices through the import job the web worker uses.
    #[arg(long)]
    pub chunked: bool,
    /// Print how long reading and validation took.
    #[arg(long)]
    pub timings: bool,
    /// Read the file whole into a table before checking its rows (as the app's whole-file
    /// import does; several times the memory). By default a file is read in slices as
    /// `--chunked` does, unless columns are named.
    #[arg(long)]
    pub whole: bool,
}

fn date_arg(s: &str, what: &str) -> Result<chrono::NaiveDate, String> {
    let f = DateFormat::Ymd;
    crm::io::import::dates::parse_date(s, &f)
        .ok_or_else(|| format!("--{what} {s}: expected a date as YYYY-MM-DD"))
}

/// The import options the arguments force.
///
/// # Errors
/// A message naming the option with a bad value.
pub fn import_options(args: &InputArgs) -> Result<ImportOptions, String> {
    let mut o = ImportOptions {
        sheet: args.sheet.clone(),
        ..Default::default()
    };
    if let Some(f) = &args.date_format {
        o.date_format = Some(DateFormat::parse(f).ok_or_else(|| {
            format!("--date-format {f}: expected dmy, mdy, ymd, yyyymmdd, excel or a %-pattern")
        })?);
    }
    if let Some(d) = &args.delimiter {
        o.delimiter = Some(Delimiter::parse(d).ok_or_else(|| {
            format!("--delimiter {d}: expected comma, semicolon, tab, pipe or space")
        })?);
    }
    if let Some(h) = &args.header {
        o.has_header = Some(match h.to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "1" => true,
            "no" | "n" | "false" | "0" => false,
            _ => return Err(format!("--header {h}: expected yes or no")),
        });
    }
    if let Some(d) = &args.decimal {
        o.decimal = Some(match d.to_ascii_lowercase().as_str() {
            "dot" | "." => DecimalSep::Dot,
            "comma" | "," => DecimalSep::Comma,
            _ => return Err(format!("--decimal {d}: expected dot or comma")),
        });
    }
    Ok(o)
}

/// Reads the file into a table; the text is the detection report.
///
/// # Errors
/// A message starting with the file name.
pub fn load_table(args: &InputArgs) -> Result<(ParsedTable, String), String> {
    let opts = import_options(args)?;
    let name = args.file.display().to_string();
    let bytes = std::fs::read(&args.file).map_err(|e| format!("{name}: {e}"))?;
    let table = read_table(&bytes, &name, &opts).map_err(|e| format!("{name}: {e}"))?;
    let report = format!(
        "{name}: {} rows, {}",
        table.row_count(),
        table.detection.to_text()
    );
    Ok((table, report))
}

/// The mapping: guessed, then the columns named on the command line.
///
/// # Errors
/// A message when a named column does not exist.
pub fn mapping(args: &InputArgs, table: &ParsedTable) -> Result<Mapping, String> {
    let mut m = guess_mapping(table);
    for (role, spec) in [
        (Role::Customer, &args.customer),
        (Role::Date, &args.date),
        (Role::Amount, &args.amount),
    ] {
        if let Some(s) = spec {
            let c = resolve_column(table, s).map_err(|e| e.to_string())?;
            for other in Role::ALL {
                if other != role && m.get(other) == Some(c) {
                    m.set(other, None);
                }
            }
            m.set(role, Some(c));
        }
    }
    Ok(m)
}

/// The summary options the arguments give.
///
/// # Errors
/// A message naming the option with a bad value.
pub fn summary_options(args: &InputArgs) -> Result<SummaryOptions, String> {
    let time_unit = TimeUnit::parse(&args.time_unit).ok_or_else(|| {
        format!(
            "--time-unit {}: expected day, week or month",
            args.time_unit
        )
    })?;
    let returns = match args.returns.to_ascii_lowercase().as_str() {
        "net" => ReturnsPolicy::Net,
        "drop" => ReturnsPolicy::Drop,
        "keep" => ReturnsPolicy::Keep,
        r => return Err(format!("--returns {r}: expected net, drop or keep")),
    };
    Ok(SummaryOptions {
        time_unit,
        observation_end: args
            .end
            .as_deref()
            .map(|s| date_arg(s, "end"))
            .transpose()?,
        calibration_end: args
            .calibration_end
            .as_deref()
            .map(|s| date_arg(s, "calibration-end"))
            .transpose()?,
        returns,
    })
}

/// Loads a customer summary with the app's import pipeline ([`import_table`], or
/// [`ImportJob`] under `--chunked`): a precomputed summary file (columns x/frequency,
/// t_x/recency, T/age, m/monetary_value) or one built from a transaction log, detected as the
/// app detects them. Columns named on the command line make it a transaction log. The text is
/// the report.
///
/// # Errors
/// A message for unreadable files, missing columns, bad rows under `--strict`, inconsistent
/// dates, or a file that holds survey answers or cohort counts.
pub fn load_summary(args: &InputArgs) -> Result<(CustomerSummary, String), String> {
    load_summary_with_log(args).map(|(s, _, r)| (s, r))
}

/// As [`load_summary`], also returning the transaction log (empty for a summary file).
///
/// # Errors
/// As [`load_summary`].
pub fn load_summary_with_log(
    args: &InputArgs,
) -> Result<(CustomerSummary, crm::domain::customers::TxLog, String), String> {
    let options = summary_options(args)?;
    let name = args.file.display().to_string();
    let started = std::time::Instant::now();
    let mut settings = ImportSettings {
        options: import_options(args)?,
        bad_rows: if args.strict {
            BadRows::Fail
        } else {
            BadRows::Skip
        },
        ..Default::default()
    };
    let named = args.customer.is_some() || args.date.is_some() || args.amount.is_some();
    let failed = |e: ImportError| format!("{name}: {e}");
    let (imp, mut report) = if args.chunked || !(named || args.whole) {
        if named {
            // Column names need the header: resolve them on the whole-table read.
            let (table, _) = load_table(args)?;
            settings.mapping = Some(mapping(args, &table)?);
            settings.kind = Some(DataKind::Transactions);
            settings.options.has_header = Some(table.detection.has_header);
        }
        let imp = read_in_slices(args, settings, options.clone())?;
        let mut report = if args.chunked {
            format!("{name}: read in slices, {}", imp.detection.to_text())
        } else {
            format!("{name}: {} rows, {}", imp.rows, imp.detection.to_text())
        };
        if args.timings {
            report.push_str(&format!(
                "timings: read, detect and validate {:.3} s\n",
                started.elapsed().as_secs_f64()
            ));
        }
        (imp, report)
    } else {
        let (table, mut report) = load_table(args)?;
        let read = started.elapsed();
        if named {
            settings.mapping = Some(mapping(args, &table)?);
            settings.kind = Some(DataKind::Transactions);
        }
        let imp = import_table(&table, &settings, &options, &mut |_, _| {}).map_err(failed)?;
        if args.timings {
            report.push_str(&format!(
                "timings: read and detect {:.3} s, validate {:.3} s\n",
                read.as_secs_f64(),
                (started.elapsed() - read).as_secs_f64()
            ));
        }
        (imp, report)
    };
    let rep = imp.report.as_ref().map(ValidationReport::to_text);
    match imp.kind {
        DataKind::Summary => report.push_str(&format!(
            "read as a precomputed customer summary (time unit assumed: {})\n",
            options.time_unit.name()
        )),
        DataKind::Transactions => {
            let name = |c: Option<u32>| {
                c.and_then(|c| imp.preview.headers.get(c as usize))
                    .map_or("-", String::as_str)
                    .to_string()
            };
            if let Some(m) = &imp.mapping {
                report.push_str(&format!(
                    "columns: customer \"{}\", date \"{}\", amount \"{}\"\n",
                    name(m.customer),
                    name(m.date),
                    name(m.amount)
                ));
            }
        }
        kind @ (DataKind::Survey | DataKind::Cohort) => {
            return Err(format!(
            "{name}: this file holds {} (as the app reads it), not purchases or a customer summary",
            kind.label().to_lowercase()
        ))
        }
    }
    report.push_str(&rep.unwrap_or_default());
    let s = imp
        .summary
        .ok_or_else(|| format!("{name}: no customer summary was read"))?;
    if imp.kind == DataKind::Transactions {
        report.push_str(&format!(
            "{} customers, time unit {}, observation end {}\n",
            s.customers.len(),
            s.time_unit.name(),
            s.observation_end
                .map_or_else(|| "-".into(), |d| d.to_string())
        ));
    }
    Ok((s, imp.transactions, report))
}

/// Reads the file in 4 MiB slices through an [`ImportJob`], as the web worker does.
fn read_in_slices(
    args: &InputArgs,
    settings: ImportSettings,
    options: SummaryOptions,
) -> Result<Imported, String> {
    use std::io::Read;
    let name = args.file.display().to_string();
    let mut file = std::fs::File::open(&args.file).map_err(|e| format!("{name}: {e}"))?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut job = ImportJob::new(&name, total, settings, options);
    let mut buf = vec![0u8; 4 << 20];
    loop {
        let n = file.read(&mut buf).map_err(|e| format!("{name}: {e}"))?;
        let Some(slice) = buf.get(..n).filter(|s| !s.is_empty()) else {
            break;
        };
        job.feed(slice).map_err(|e| format!("{name}: {e}"))?;
    }
    job.finish(&mut |_, _| {})
        .map_err(|e| format!("{name}: {e}"))
}
