//! Options shared by every subcommand that reads a file, and loading a customer summary from
//! a transaction log or a precomputed summary file.

use clap::Args;

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
    /// Date format, e.g. %d/%m/%Y (default: detected).
    #[arg(long)]
    pub date_format: Option<String>,
    /// Sheet name for spreadsheets (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Returns: net, drop or keep.
    #[arg(long, default_value = "net")]
    pub returns: String,
}
