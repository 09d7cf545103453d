//! Options shared by every subcommand that reads a file, and loading a table, a transaction
//! log or a customer summary (from a log or a precomputed summary file) with the same
//! detection and report the browser app uses.

use clap::Args;
use crm::domain::customers::{
    summarize, CustomerSummary, ReturnsPolicy, SummaryOptions, TimeUnit, Transaction,
};
use crm::io::import::mapping::resolve_column;
use crm::io::import::{
    guess_mapping, read_table, summary_file, transactions, BadRows, DateFormat, DecimalSep,
    Delimiter, ImportOptions, Mapping, ParsedTable, Role, TransactionParser,
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
    /// Read the file in 4 MiB slices through the streaming parser (as the web worker does).
    #[arg(long)]
    pub chunked: bool,
    /// Print how long reading and validation took.
    #[arg(long)]
    pub timings: bool,
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

/// Reads a transaction log: table, mapping, validation. The text is the full report.
///
/// # Errors
/// A message for unreadable files, missing columns, or bad rows under `--strict`.
pub fn load_transactions(args: &InputArgs) -> Result<(Vec<Transaction>, String), String> {
    if args.chunked {
        return load_chunked(args);
    }
    let started = std::time::Instant::now();
    let (table, report) = load_table(args)?;
    transactions_from(args, &table, report, started)
}

/// Validates an already read table into transactions (see [`load_transactions`]).
fn transactions_from(
    args: &InputArgs,
    table: &ParsedTable,
    mut report: String,
    started: std::time::Instant,
) -> Result<(Vec<Transaction>, String), String> {
    let read = started.elapsed();
    let m = mapping(args, table)?;
    let opts = import_options(args)?;
    let (txs, rep) = transactions(table, &m, &opts).map_err(|e| e.to_string())?;
    if args.timings {
        report.push_str(&format!(
            "timings: read and detect {:.3} s, validate {:.3} s\n",
            read.as_secs_f64(),
            (started.elapsed() - read).as_secs_f64()
        ));
    }
    let name = |c: Option<u32>| {
        c.and_then(|c| table.headers.get(c as usize))
            .map_or("-", String::as_str)
            .to_string()
    };
    report.push_str(&format!(
        "columns: customer \"{}\", date \"{}\", amount \"{}\"\n",
        name(m.customer),
        name(m.date),
        name(m.amount)
    ));
    report.push_str(&rep.to_text());
    let policy = if args.strict {
        BadRows::Fail
    } else {
        BadRows::Skip
    };
    rep.check(policy)
        .map_err(|e| format!("{report}{}: {e}", args.file.display()))?;
    Ok((txs, report))
}

/// Reads a transaction log in slices through [`TransactionParser`].
fn load_chunked(args: &InputArgs) -> Result<(Vec<Transaction>, String), String> {
    let started = std::time::Instant::now();
    let name = args.file.display().to_string();
    let mut opts = import_options(args)?;
    let mut file = std::fs::File::open(&args.file).map_err(|e| format!("{name}: {e}"))?;
    let total = file.metadata().map(|m| m.len()).ok();
    if args.customer.is_some() || args.date.is_some() || args.amount.is_some() {
        // Column names need the header: resolve them on the whole-table path's detection.
        let (table, _) = load_table(args)?;
        let m = mapping(args, &table)?;
        opts.has_header = Some(table.detection.has_header);
        return run_parser(args, &mut file, total, Some(m), opts, started);
    }
    run_parser(args, &mut file, total, None, opts, started)
}

fn run_parser(
    args: &InputArgs,
    file: &mut std::fs::File,
    total: Option<u64>,
    mapping: Option<Mapping>,
    opts: ImportOptions,
    started: std::time::Instant,
) -> Result<(Vec<Transaction>, String), String> {
    use std::io::Read;
    let name = args.file.display().to_string();
    let mut p = TransactionParser::new(&name, total, mapping, opts);
    let mut buf = vec![0u8; 4 << 20];
    loop {
        let n = file.read(&mut buf).map_err(|e| format!("{name}: {e}"))?;
        let Some(slice) = buf.get(..n).filter(|s| !s.is_empty()) else {
            break;
        };
        p.feed(slice).map_err(|e| format!("{name}: {e}"))?;
    }
    let r = p.finish().map_err(|e| format!("{name}: {e}"))?;
    let mut report = format!("{name}: read in slices, {}", r.detection.to_text());
    report.push_str(&r.report.to_text());
    if args.timings {
        report.push_str(&format!(
            "timings: read, detect and validate {:.3} s\n",
            started.elapsed().as_secs_f64()
        ));
    }
    let policy = if args.strict {
        BadRows::Fail
    } else {
        BadRows::Skip
    };
    r.report
        .check(policy)
        .map_err(|e| format!("{report}{name}: {e}"))?;
    Ok((r.transactions, report))
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

/// Loads a customer summary: from a precomputed summary file (columns x/frequency, t_x/recency,
/// T/age, m/monetary_value) or built from a transaction log. The text is the report.
///
/// # Errors
/// A message for unreadable files, missing columns, bad rows under `--strict`, or
/// inconsistent dates.
pub fn load_summary(args: &InputArgs) -> Result<(CustomerSummary, String), String> {
    let opts = summary_options(args)?;
    if args.chunked {
        // Slices are for transaction logs; a summary file is small enough to read whole.
        let (txs, report) = load_transactions(args)?;
        return finish_summary(args, &txs, &opts, report);
    }
    let started = std::time::Instant::now();
    let (table, report) = load_table(args)?;
    if summary_file::is_summary(&table) {
        let (s, rep) = summary_file::load_summary(&table, opts.time_unit, 100)
            .map_err(|e| format!("{}: {e}", args.file.display()))?;
        let mut report = report;
        report.push_str(&format!(
            "read as a precomputed customer summary (time unit assumed: {})\n",
            opts.time_unit.name()
        ));
        report.push_str(&rep.to_text());
        return Ok((s, report));
    }
    let (txs, report) = transactions_from(args, &table, report, started)?;
    finish_summary(args, &txs, &opts, report)
}

fn finish_summary(
    args: &InputArgs,
    txs: &[Transaction],
    opts: &SummaryOptions,
    mut report: String,
) -> Result<(CustomerSummary, String), String> {
    let s = summarize(txs, opts).map_err(|e| format!("{}: {e}", args.file.display()))?;
    report.push_str(&format!(
        "{} customers, time unit {}, observation end {}\n",
        s.customers.len(),
        s.time_unit.name(),
        s.observation_end
            .map_or_else(|| "-".into(), |d| d.to_string())
    ));
    Ok((s, report))
}
