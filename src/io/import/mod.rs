//! Import: read CSV/TSV/pipe/whitespace text and Excel/OpenDocument sheets into a table, with
//! every setting detected and each one overridable; map columns to roles; validate into
//! transactions with every problem located by row, line and column.
//!
//! The pipeline, all pure functions over bytes (so it runs the same natively and in wasm):
//!
//! 1. [`read_table`]: bytes → [`ParsedTable`] with its [`Detection`] (encoding, delimiter,
//!    header, decimal separator, per-column [`ColumnType`] and [`dates::DateFormat`]).
//!    Each detected setting can be forced through [`ImportOptions`] (`None` = detect).
//! 2. [`mapping::guess_mapping`]: column roles from header names in seven languages, or from
//!    the column types when there is no header; [`mapping::Mapping::layout`] lets the UI
//!    remember a mapping per file layout.
//! 3. [`validate::transactions`]: table + mapping → transactions and a
//!    [`validate::ValidationReport`] (issues grouped by kind, capped, rejected rows listed).
//!
//! [`stream::TransactionParser`] does steps 1–3 on successive byte slices for very large files.
//! [`summary_file`], [`survey`] and [`cohort`] read the other data shapes of the domain.
//!
//! [`pipeline`] strings the steps together (what the file holds, mapping, validation, customer
//! summary) and [`job::ImportJob`] does the same slice by slice: the worker and the `crm`
//! command both call them, never the steps one by one.

pub mod cohort;
pub mod dates;
pub mod decode;
mod dense;
pub mod detect;
pub mod grouped;
pub mod job;
pub mod mapping;
pub mod numbers;
pub mod pipeline;
pub mod sheet;
pub mod stream;
pub mod summary_file;
pub mod survey;
pub mod validate;

use crate::domain::customers::SummaryError;
use serde::{Deserialize, Serialize};
use std::fmt;

pub use dates::DateFormat;
pub use decode::Encoding;
pub use detect::read_table;
pub use job::{ImportJob, MAX_WHOLE_BYTES};
pub use mapping::{guess_mapping, Mapping, Role};
pub use numbers::DecimalSep;
pub use pipeline::{detect_kind, import_bytes, import_table, DataKind, ImportSettings, Imported};
pub use stream::TransactionParser;
pub use validate::{
    transaction_columns, transactions, BadRows, Issue, IssueKind, ValidationReport,
};

/// The field separator of a text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Delimiter {
    /// `,`
    Comma,
    /// `;`
    Semicolon,
    /// A tab.
    Tab,
    /// `|`
    Pipe,
    /// One or more spaces or tabs (aligned text dumps); no quoting.
    Whitespace,
}

impl Delimiter {
    /// The single separator byte (`None` for runs of whitespace).
    pub fn byte(self) -> Option<u8> {
        match self {
            Delimiter::Comma => Some(b','),
            Delimiter::Semicolon => Some(b';'),
            Delimiter::Tab => Some(b'\t'),
            Delimiter::Pipe => Some(b'|'),
            Delimiter::Whitespace => None,
        }
    }

    /// Plain name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Delimiter::Comma => "comma",
            Delimiter::Semicolon => "semicolon",
            Delimiter::Tab => "tab",
            Delimiter::Pipe => "pipe",
            Delimiter::Whitespace => "runs of spaces",
        }
    }

    /// Parses `,` `;` `\t` `|` `tab` `space` `comma` ... as given on a command line.
    pub fn parse(s: &str) -> Option<Delimiter> {
        match s.trim().to_ascii_lowercase().as_str() {
            "," | "comma" => Some(Delimiter::Comma),
            ";" | "semicolon" => Some(Delimiter::Semicolon),
            "\\t" | "\t" | "tab" => Some(Delimiter::Tab),
            "|" | "pipe" => Some(Delimiter::Pipe),
            "" | " " | "space" | "spaces" | "whitespace" => Some(Delimiter::Whitespace),
            _ => None,
        }
    }
}

/// The inferred type of a column: a lattice `Empty < Integer < Decimal < Text` and
/// `Empty < Date < DateTime < Text`; a column takes the narrowest type that at least 90% of
/// its non-empty values fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    /// No values at all.
    Empty,
    /// Whole numbers without leading zeros.
    Integer,
    /// Numbers with a fraction, currency signs or thousands separators.
    Decimal,
    /// Calendar dates.
    Date,
    /// Dates with a time of day.
    DateTime,
    /// Anything else, including ids with leading zeros.
    Text,
}

impl ColumnType {
    /// Whether values of this type are numbers.
    pub fn is_numeric(self) -> bool {
        matches!(self, ColumnType::Integer | ColumnType::Decimal)
    }

    /// Whether values of this type are dates.
    pub fn is_date(self) -> bool {
        matches!(self, ColumnType::Date | ColumnType::DateTime)
    }

    /// Plain name.
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Empty => "empty",
            ColumnType::Integer => "integer",
            ColumnType::Decimal => "number",
            ColumnType::Date => "date",
            ColumnType::DateTime => "date and time",
            ColumnType::Text => "text",
        }
    }
}

/// What detection found about one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnInfo {
    /// Header name (or "column N" without a header).
    pub name: String,
    /// Inferred (or forced) type.
    pub kind: ColumnType,
    /// Non-empty values among the rows inspected.
    pub non_empty: u64,
    /// Of those, values that fit `kind`.
    pub conforming: u64,
    /// How the dates are written, for date columns.
    #[serde(default)]
    pub date_format: Option<DateFormat>,
    /// First non-empty value, for display.
    #[serde(default)]
    pub example: Option<String>,
}

/// Where the table came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// Delimited or whitespace-aligned text.
    #[default]
    Text,
    /// An .xlsx, .xls or .ods workbook.
    Spreadsheet,
}

/// Every setting detection chose (or the caller forced), for display and for overriding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Detection {
    /// Text or spreadsheet.
    pub source: SourceKind,
    /// Character encoding (text files).
    #[serde(default)]
    pub encoding: Option<Encoding>,
    /// Field separator (text files).
    #[serde(default)]
    pub delimiter: Option<Delimiter>,
    /// Whether the first row holds column names.
    pub has_header: bool,
    /// Decimal separator of the numbers.
    pub decimal: DecimalSep,
    /// Date format of the main date column, when there is one.
    #[serde(default)]
    pub date_format: Option<DateFormat>,
    /// Per-column findings.
    pub columns: Vec<ColumnInfo>,
    /// The sheet read (spreadsheets).
    #[serde(default)]
    pub sheet: Option<String>,
    /// All sheets of the workbook, in order (spreadsheets).
    #[serde(default)]
    pub sheets: Vec<String>,
    /// Rows whose number of fields differs from the header's (1-based data rows, capped).
    #[serde(default)]
    pub ragged_rows: Vec<u64>,
    /// Number of ragged rows in all.
    #[serde(default)]
    pub ragged_count: u64,
    /// Fields a row should have (the header's count, or the most common count).
    #[serde(default)]
    pub fields: u32,
    /// Types were inferred from this many rows (the first ones).
    pub rows_inspected: u64,
    /// Plain-words notes: what was assumed and why (ambiguous dates, blank rows skipped...).
    #[serde(default)]
    pub notes: Vec<String>,
}

impl Detection {
    /// The detected settings as plain text lines (for the CLI and logs).
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        match self.source {
            SourceKind::Spreadsheet => {
                s.push_str(&format!(
                    "spreadsheet, sheet \"{}\"",
                    self.sheet.as_deref().unwrap_or("")
                ));
            }
            SourceKind::Text => {
                s.push_str(&format!(
                    "text, {}, {} separated",
                    self.encoding.unwrap_or_default().name(),
                    self.delimiter.map_or("comma", Delimiter::name)
                ));
            }
        }
        s.push_str(if self.has_header {
            ", with a header"
        } else {
            ", no header"
        });
        s.push_str(match self.decimal {
            DecimalSep::Dot => ", decimal dot",
            DecimalSep::Comma => ", decimal comma",
        });
        if let Some(f) = &self.date_format {
            s.push_str(&format!(", dates {}", f.describe()));
        }
        s.push('\n');
        for c in &self.columns {
            s.push_str(&format!(
                "  {}: {} ({} of {} values fit)\n",
                c.name,
                c.kind.name(),
                c.conforming,
                c.non_empty
            ));
        }
        for n in &self.notes {
            s.push_str(&format!("  note: {n}\n"));
        }
        s
    }
}

/// A forced column type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnTypeOverride {
    /// 0-based column index.
    pub column: u32,
    /// The type to use.
    pub kind: ColumnType,
}

/// Import settings. Every `Option` is `None` for "detect"; the UI fills in what the user forces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportOptions {
    /// Character encoding of text files.
    pub encoding: Option<Encoding>,
    /// Field separator.
    pub delimiter: Option<Delimiter>,
    /// Whether the first row is a header.
    pub has_header: Option<bool>,
    /// Decimal separator.
    pub decimal: Option<DecimalSep>,
    /// Date format of every date column.
    pub date_format: Option<DateFormat>,
    /// Forced column types.
    pub column_types: Vec<ColumnTypeOverride>,
    /// Sheet to read from a workbook (default: the first non-empty one).
    pub sheet: Option<String>,
    /// Maximum number of issues listed in a report (the rest are counted).
    pub max_issues: u32,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            encoding: None,
            delimiter: None,
            has_header: None,
            decimal: None,
            date_format: None,
            column_types: Vec::new(),
            sheet: None,
            max_issues: 100,
        }
    }
}

/// A table read from a file: header names, rows of text cells, the file line of each row and
/// what detection found. Cells are stored in one buffer (no allocation per cell).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ParsedTable {
    /// Column names; "column 1", "column 2"... when the file has no header.
    pub headers: Vec<String>,
    /// Detected (or forced) settings.
    pub detection: Detection,
    text: String,
    cell_ends: Vec<u32>,
    row_starts: Vec<u32>,
    lines: Vec<u64>,
}

impl ParsedTable {
    /// Number of data rows (header excluded).
    pub fn row_count(&self) -> u64 {
        self.lines.len() as u64
    }

    /// Number of columns (of the header, or the widest row).
    pub fn column_count(&self) -> u32 {
        u32::try_from(self.headers.len()).unwrap_or(u32::MAX)
    }

    /// The 1-based file line (sheet row) where data row `row` (0-based) starts.
    pub fn line(&self, row: usize) -> Option<u64> {
        self.lines.get(row).copied()
    }

    /// The cells of data row `row` (0-based); `None` past the end.
    pub fn row(&self, row: usize) -> Option<Row<'_>> {
        let start = *self.row_starts.get(row)? as usize;
        let end = *self.row_starts.get(row + 1)? as usize;
        let ends = self.cell_ends.get(start..end)?;
        let first = if start == 0 {
            0
        } else {
            *self.cell_ends.get(start - 1)? as usize
        };
        Some(Row {
            text: &self.text,
            ends,
            first,
            gap: 0,
        })
    }

    /// Cell at (row, column), 0-based; `None` when the row is shorter.
    pub fn cell(&self, row: usize, col: usize) -> Option<&str> {
        self.row(row)?.get(col)
    }

    /// The first `n` rows as parsed, with the header and the type of each column.
    pub fn preview(&self, n: u32) -> Preview {
        let rows = (0..self.lines.len().min(n as usize))
            .filter_map(|i| self.row(i))
            .map(|r| r.iter().map(str::to_string).collect())
            .collect();
        Preview {
            headers: self.headers.clone(),
            types: self.detection.columns.iter().map(|c| c.kind).collect(),
            rows,
            lines: self.lines.iter().take(n as usize).copied().collect(),
        }
    }

    /// Builds a table from rows of cells (header included when `has_header`); used by tests,
    /// the sheet reader and callers that already hold cells.
    pub(crate) fn from_raw(raw: RawRows, headers: Vec<String>, detection: Detection) -> Self {
        ParsedTable {
            headers,
            detection,
            text: raw.text,
            cell_ends: raw.cell_ends,
            row_starts: raw.row_starts,
            lines: raw.lines,
        }
    }
}

/// The first rows of a table for display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Preview {
    /// Column names.
    pub headers: Vec<String>,
    /// Type of each column.
    pub types: Vec<ColumnType>,
    /// Cells as parsed.
    pub rows: Vec<Vec<String>>,
    /// File line of each row.
    pub lines: Vec<u64>,
}

/// One row's cells, borrowed from the table.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    text: &'a str,
    ends: &'a [u32],
    first: usize,
    /// Bytes between one cell's end and the next one's start: 0 for cells copied end to end,
    /// 1 for cells read in place from a line (a one-byte delimiter between them).
    gap: usize,
}

impl<'a> Row<'a> {
    /// Number of cells in this row.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the row has no cells.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Cell `col` (0-based).
    pub fn get(&self, col: usize) -> Option<&'a str> {
        let end = *self.ends.get(col)? as usize;
        let start = if col == 0 {
            self.first
        } else {
            *self.ends.get(col - 1)? as usize + self.gap
        };
        self.text.get(start..end)
    }

    /// All cells.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        (0..self.ends.len()).filter_map(move |i| self.get(i))
    }
}

/// Rows of cells in one text buffer, as collected by the readers.
#[derive(Debug, Default, Clone)]
pub(crate) struct RawRows {
    pub(crate) text: String,
    pub(crate) cell_ends: Vec<u32>,
    pub(crate) row_starts: Vec<u32>,
    pub(crate) lines: Vec<u64>,
}

impl RawRows {
    pub(crate) fn new() -> Self {
        RawRows {
            row_starts: vec![0],
            ..Default::default()
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.lines.len()
    }

    /// Appends one row; returns false when the buffer would exceed 4 GiB.
    pub(crate) fn push<'s>(&mut self, cells: impl Iterator<Item = &'s str>, line: u64) -> bool {
        for c in cells {
            self.text.push_str(c);
            let Ok(end) = u32::try_from(self.text.len()) else {
                return false;
            };
            self.cell_ends.push(end);
        }
        let Ok(n) = u32::try_from(self.cell_ends.len()) else {
            return false;
        };
        self.row_starts.push(n);
        self.lines.push(line);
        true
    }

    /// Removes the first row (the header) and returns its cells. The header's text stays in
    /// the buffer; only the row index moves, so this costs no copy of the data.
    pub(crate) fn split_first(mut self) -> (Vec<String>, RawRows) {
        let head: Vec<String> = self
            .row(0)
            .map(|r| r.iter().map(str::to_string).collect())
            .unwrap_or_default();
        if self.lines.is_empty() {
            return (head, self);
        }
        self.row_starts.remove(0);
        self.lines.remove(0);
        (head, self)
    }

    pub(crate) fn row(&self, i: usize) -> Option<Row<'_>> {
        let start = *self.row_starts.get(i)? as usize;
        let end = *self.row_starts.get(i + 1)? as usize;
        let ends = self.cell_ends.get(start..end)?;
        let first = if start == 0 {
            0
        } else {
            *self.cell_ends.get(start - 1)? as usize
        };
        Some(Row {
            text: &self.text,
            ends,
            first,
            gap: 0,
        })
    }
}

/// Why a file could not be read. Each message says what was wrong in plain words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ImportError {
    /// The file has no bytes, or only blank lines.
    EmptyFile,
    /// The file is neither text nor a spreadsheet.
    BinaryFile,
    /// There is a header row but no data under it.
    HeaderOnly {
        /// The header names found.
        headers: Vec<String>,
    },
    /// The workbook could not be opened or a sheet could not be read.
    UnreadableSpreadsheet {
        /// What the spreadsheet reader said.
        reason: String,
    },
    /// The requested sheet does not exist.
    NoSuchSheet {
        /// The name asked for.
        name: String,
        /// The sheets there are.
        available: Vec<String>,
    },
    /// A required column role could not be matched.
    MissingColumn {
        /// The role.
        role: Role,
        /// The column names there are.
        available: Vec<String>,
    },
    /// A column given by name or position does not exist.
    UnknownColumn {
        /// What was asked for.
        spec: String,
        /// The column names there are.
        available: Vec<String>,
    },
    /// Rows could not be used and the caller chose to fail on bad rows.
    InvalidRows {
        /// Rows rejected.
        rejected: u64,
        /// Rows read.
        total: u64,
        /// The first problem, in "where, then what" form.
        first: String,
    },
    /// A table lacks what a particular reader needs (summary, survey, cohort).
    WrongShape {
        /// What was expected and not found.
        reason: String,
    },
    /// The file is larger than one table can hold (4 GiB of text); read it in slices.
    TooLarge,
    /// A file that is read whole (a workbook; a survey, cohort or summary file) is larger
    /// than the browser can hold at once.
    FileTooLarge {
        /// The file's name.
        name: String,
        /// The largest size read whole, in MB.
        limit_mb: u64,
    },
    /// The rows were read but the customer summary cannot be built from them.
    Summary(#[serde(with = "SummaryErrorDef")] SummaryError),
}

/// Serde for the domain's [`SummaryError`] (which has none), so an import error crosses the
/// worker boundary whole. The compiler checks that it mirrors the domain enum.
#[derive(Serialize, Deserialize)]
#[serde(remote = "SummaryError")]
enum SummaryErrorDef {
    NoTransactions,
    EndBeforeData {
        end: chrono::NaiveDate,
        first: chrono::NaiveDate,
    },
    CalibrationNotBeforeEnd {
        calibration_end: chrono::NaiveDate,
        end: chrono::NaiveDate,
    },
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::EmptyFile => write!(f, "the file is empty"),
            ImportError::BinaryFile => write!(
                f,
                "the file is not text and not a spreadsheet (xlsx, xls, ods); export it as CSV"
            ),
            ImportError::HeaderOnly { headers } => write!(
                f,
                "the file has a header ({}) but no data rows",
                headers.join(", ")
            ),
            ImportError::UnreadableSpreadsheet { reason } => {
                write!(f, "the spreadsheet could not be read: {reason}")
            }
            ImportError::NoSuchSheet { name, available } => write!(
                f,
                "there is no sheet \"{name}\"; the sheets are: {}",
                available.join(", ")
            ),
            ImportError::MissingColumn { role, available } => write!(
                f,
                "no {} column found among: {}; name it with the column mapping",
                role.name(),
                available.join(", ")
            ),
            ImportError::UnknownColumn { spec, available } => write!(
                f,
                "column \"{spec}\" not found; give a header name or a 1-based position among: {}",
                available.join(", ")
            ),
            ImportError::InvalidRows {
                rejected,
                total,
                first,
            } => write!(
                f,
                "{rejected} of {total} rows could not be used (first: {first}); fix them or skip bad rows"
            ),
            ImportError::WrongShape { reason } => write!(f, "{reason}"),
            ImportError::TooLarge => write!(
                f,
                "the file is too large to read at once; it must be read in slices"
            ),
            ImportError::FileTooLarge { name, limit_mb } => write!(
                f,
                "{name} is larger than {limit_mb} MB and is not a transaction log read row by row (a workbook, survey, cohort or summary file): it cannot be read whole in the browser. Save it as CSV, or split it"
            ),
            ImportError::Summary(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ImportError {}
