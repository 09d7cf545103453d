//! Validation: a table and a mapping become transactions plus a [`ValidationReport`] that
//! locates every problem ("row 12 (line 13), column "amount": expected a number, found "n/a""),
//! groups problems by kind, lists at most `max_issues` of them and counts the rest. Rows that
//! cannot be used are listed, never dropped silently; the caller chooses to skip them or fail.

use super::dates::{parse_date, DateFormat};
use super::mapping::{Mapping, Role};
use super::numbers::{parse_number, DecimalSep};
use super::{ImportError, ImportOptions, ParsedTable, Row};
use crate::domain::customers::{Transaction, TxColumns};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What went wrong in one cell or row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    /// A required cell is empty or the row is too short to have it.
    Missing,
    /// Not a date in the column's format.
    BadDate,
    /// Not a number.
    BadNumber,
    /// The row has more or fewer fields than the header (the row may still be usable).
    Ragged,
}

impl IssueKind {
    /// Plain name for grouped counts.
    pub fn name(self) -> &'static str {
        match self {
            IssueKind::Missing => "missing values",
            IssueKind::BadDate => "unreadable dates",
            IssueKind::BadNumber => "unreadable numbers",
            IssueKind::Ragged => "rows with a different number of fields",
        }
    }
}

/// One located problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Issue {
    /// 1-based data row (header excluded).
    pub row: u64,
    /// 1-based file line (or sheet row) where the row starts.
    pub line: u64,
    /// Column name ("column 3" without a header).
    pub column: String,
    /// What kind of problem.
    pub kind: IssueKind,
    /// What was expected, in words ("a date (day/month/year)").
    pub expected: String,
    /// What was found (the cell text).
    pub found: String,
    /// Whether the row was rejected because of it.
    pub rejected: bool,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "row {} (line {}), column \"{}\": expected {}, found \"{}\"",
            self.row, self.line, self.column, self.expected, self.found
        )?;
        if !self.rejected {
            write!(f, " (row kept)")?;
        }
        Ok(())
    }
}

/// How many issues of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindCount {
    /// The kind.
    pub kind: IssueKind,
    /// How many.
    pub count: u64,
}

/// Everything validation found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ValidationReport {
    /// Data rows read.
    pub rows_read: u64,
    /// Rows that became transactions.
    pub rows_used: u64,
    /// Rows that could not be used.
    pub rows_rejected: u64,
    /// Issues, in file order, at most `max_issues`.
    pub issues: Vec<Issue>,
    /// Issues found beyond those listed.
    pub issues_not_shown: u64,
    /// Issue counts per kind (all issues, listed or not).
    pub by_kind: Vec<KindCount>,
    /// 1-based rows rejected (at most `max_issues`).
    pub rejected_rows: Vec<u64>,
    /// Transactions with a negative amount (returns).
    pub negative_amounts: u64,
    /// First and last date of the usable transactions.
    #[serde(default)]
    pub first_date: Option<NaiveDate>,
    /// Last date of the usable transactions.
    #[serde(default)]
    pub last_date: Option<NaiveDate>,
    /// Cap on listed issues.
    pub max_issues: u32,
    /// The first issue that rejected a row, kept even beyond the cap, so a refused file's error
    /// always names where.
    #[serde(default)]
    pub first_rejected: Option<Issue>,
}

impl ValidationReport {
    /// Fails when any row was rejected and the policy is [`BadRows::Fail`].
    ///
    /// # Errors
    /// [`ImportError::InvalidRows`] naming the first problem.
    pub fn check(&self, policy: BadRows) -> Result<(), ImportError> {
        if policy == BadRows::Fail && self.rows_rejected > 0 {
            let first = self
                .issues
                .iter()
                .find(|i| i.rejected)
                .or(self.first_rejected.as_ref())
                .map_or_else(String::new, Issue::to_string);
            return Err(ImportError::InvalidRows {
                rejected: self.rows_rejected,
                total: self.rows_read,
                first,
            });
        }
        Ok(())
    }

    /// Adds an issue (counted by kind; listed while under the cap).
    pub fn push_issue(&mut self, issue: Issue) {
        self.record(issue);
    }

    /// Marks a row as rejected.
    pub fn reject(&mut self, row: u64) {
        self.rows_rejected += 1;
        if self.rejected_rows.len() < self.max_issues as usize {
            self.rejected_rows.push(row);
        }
    }

    fn record(&mut self, issue: Issue) {
        if issue.rejected && self.first_rejected.is_none() {
            self.first_rejected = Some(issue.clone());
        }
        match self.by_kind.iter_mut().find(|k| k.kind == issue.kind) {
            Some(k) => k.count += 1,
            None => self.by_kind.push(KindCount {
                kind: issue.kind,
                count: 1,
            }),
        }
        if self.issues.len() < self.max_issues as usize {
            self.issues.push(issue);
        } else {
            self.issues_not_shown += 1;
        }
    }

    /// The report as plain text lines (for the CLI and logs).
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "{} rows read, {} used, {} rejected",
            self.rows_read, self.rows_used, self.rows_rejected
        );
        if self.negative_amounts > 0 {
            s.push_str(&format!(
                ", {} negative amounts (returns)",
                self.negative_amounts
            ));
        }
        if let (Some(a), Some(b)) = (self.first_date, self.last_date) {
            s.push_str(&format!("; dates {a} to {b}"));
        }
        s.push('\n');
        let mut kinds = self.by_kind.clone();
        kinds.sort_by_key(|k| k.kind);
        for k in &kinds {
            s.push_str(&format!("  {}: {}\n", k.kind.name(), k.count));
        }
        for i in &self.issues {
            s.push_str(&format!("  {i}\n"));
        }
        if self.issues_not_shown > 0 {
            s.push_str(&format!(
                "  ... and {} more issues\n",
                self.issues_not_shown
            ));
        }
        if !self.rejected_rows.is_empty() {
            let list: Vec<String> = self.rejected_rows.iter().map(u64::to_string).collect();
            let more = self.rows_rejected - self.rejected_rows.len() as u64;
            s.push_str(&format!("  rejected rows: {}", list.join(", ")));
            if more > 0 {
                s.push_str(&format!(" and {more} more"));
            }
            s.push('\n');
        }
        s
    }
}

/// What to do with rows that cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum BadRows {
    /// Leave them out (they are listed in the report).
    #[default]
    Skip,
    /// Refuse the whole file.
    Fail,
}

/// Validates rows one at a time; shared by [`transactions`] and the streaming parser.
#[derive(Debug, Clone)]
pub(crate) struct Validator {
    customer: usize,
    date: usize,
    amount: usize,
    optional: [Option<usize>; 5], // quantity, cost, margin, channel, product
    names: Vec<String>,
    width: usize,
    date_format: DateFormat,
    date_words: String,
    decimal: DecimalSep,
    /// The last date text parsed and its date: logs list many rows of one day in a row, so
    /// most rows reuse it (parsing is a pure function of the text).
    last_date: (String, Option<NaiveDate>),
    /// Whether a used row had `last_date`'s date since it was parsed (so the report's first
    /// and last dates already include it).
    last_date_used: bool,
    /// Dates parsed lately by [`Self::check_plain`].
    dates: fast::DateCache,
    /// No optional column mapped: rows may take [`Self::check_plain`].
    plain: bool,
    pub(crate) report: ValidationReport,
}

mod fast;

fn need(m: &Mapping, role: Role, headers: &[String]) -> Result<usize, ImportError> {
    m.get(role)
        .map(|c| c as usize)
        .filter(|&c| c < headers.len())
        .ok_or_else(|| ImportError::MissingColumn {
            role,
            available: headers.to_vec(),
        })
}

impl Validator {
    pub(crate) fn new(
        table: &ParsedTable,
        mapping: &Mapping,
        opts: &ImportOptions,
    ) -> Result<Self, ImportError> {
        let h = &table.headers;
        let customer = need(mapping, Role::Customer, h)?;
        let date = need(mapping, Role::Date, h)?;
        let amount = need(mapping, Role::Amount, h)?;
        let date_format = opts
            .date_format
            .clone()
            .or_else(|| {
                table
                    .detection
                    .columns
                    .get(date)
                    .and_then(|c| c.date_format.clone())
            })
            .or_else(|| table.detection.date_format.clone())
            .unwrap_or(DateFormat::Ymd);
        let opt = |r: Role| mapping.get(r).map(|c| c as usize).filter(|&c| c < h.len());
        let optional = [
            opt(Role::Quantity),
            opt(Role::Cost),
            opt(Role::Margin),
            opt(Role::Channel),
            opt(Role::Product),
        ];
        Ok(Validator {
            customer,
            date,
            amount,
            optional,
            plain: optional.iter().all(Option::is_none),
            names: h.clone(),
            width: (table.detection.fields as usize).max(1),
            date_words: format!("a date ({})", date_format.describe()),
            date_format,
            decimal: opts.decimal.unwrap_or(table.detection.decimal),
            last_date: (String::new(), None),
            last_date_used: false,
            dates: fast::DateCache::default(),
            report: ValidationReport {
                max_issues: opts.max_issues,
                ..Default::default()
            },
        })
    }

    fn issue(
        &mut self,
        (row, line): (u64, u64),
        col: usize,
        kind: IssueKind,
        expected: &str,
        found: &str,
        rejected: bool,
    ) {
        self.report.record(Issue {
            row,
            line,
            column: self
                .names
                .get(col)
                .cloned()
                .unwrap_or_else(|| format!("column {}", col + 1)),
            kind,
            expected: expected.to_string(),
            found: found.to_string(),
            rejected,
        });
    }

    /// Validates one row (`row` is 1-based).
    pub(crate) fn push(&mut self, row: u64, line: u64, cells: Row<'_>) -> Option<Transaction> {
        self.check(row, line, cells).map(Valid::into_transaction)
    }

    /// Validates one row (`row` is 1-based) without copying its text.
    pub(crate) fn check<'r>(&mut self, row: u64, line: u64, cells: Row<'r>) -> Option<Valid<'r>> {
        if let Some(v) = self.check_plain(&cells) {
            return Some(v);
        }
        self.report.rows_read += 1;
        let mut ok = true;
        let cid = cells.get(self.customer).unwrap_or("");
        let date_text = cells.get(self.date).unwrap_or("");
        let amount_text = cells.get(self.amount).unwrap_or("");
        if cells.len() != self.width {
            self.issue(
                (row, line),
                cells.len().min(self.width.saturating_sub(1)),
                IssueKind::Ragged,
                &format!("{} fields", self.width),
                &format!("{} fields", cells.len()),
                false,
            );
        }
        if cid.is_empty() {
            self.issue(
                (row, line),
                self.customer,
                IssueKind::Missing,
                "a customer id",
                cid,
                true,
            );
            ok = false;
        }
        let date = if date_text.is_empty() {
            self.issue(
                (row, line),
                self.date,
                IssueKind::Missing,
                "a date",
                "",
                true,
            );
            None
        } else {
            let d = if self.last_date.0 == date_text {
                self.last_date.1
            } else {
                let d = parse_date(date_text, &self.date_format);
                self.last_date.0.clear();
                self.last_date.0.push_str(date_text);
                self.last_date.1 = d;
                self.last_date_used = false;
                d
            };
            if d.is_none() {
                let words = self.date_words.clone();
                self.issue(
                    (row, line),
                    self.date,
                    IssueKind::BadDate,
                    &words,
                    date_text,
                    true,
                );
            }
            d
        };
        let amount = if amount_text.is_empty() {
            self.issue(
                (row, line),
                self.amount,
                IssueKind::Missing,
                "an amount",
                "",
                true,
            );
            None
        } else {
            let a = parse_number(amount_text, self.decimal);
            if a.is_none() {
                self.issue(
                    (row, line),
                    self.amount,
                    IssueKind::BadNumber,
                    "a number",
                    amount_text,
                    true,
                );
            }
            a
        };
        let num = |this: &mut Self, col: Option<usize>| -> Option<f64> {
            let c = col?;
            let t = cells.get(c).filter(|t| !t.is_empty())?;
            let v = parse_number(t, this.decimal);
            if v.is_none() {
                this.issue((row, line), c, IssueKind::BadNumber, "a number", t, false);
            }
            v
        };
        let [q, cost, margin, channel, product] = self.optional;
        // Most logs map no optional column: skip their three lookups.
        let (quantity, cost, margin) = if q.is_none() && cost.is_none() && margin.is_none() {
            (None, None, None)
        } else {
            (num(self, q), num(self, cost), num(self, margin))
        };
        let (Some(date), Some(amount), true) = (date, amount, ok) else {
            self.report.rows_rejected += 1;
            if self.report.rejected_rows.len() < self.report.max_issues as usize {
                self.report.rejected_rows.push(row);
            }
            return None;
        };
        let text = |c: Option<usize>| c.and_then(|c| cells.get(c)).filter(|t| !t.is_empty());
        self.report.rows_used += 1;
        if amount < 0.0 {
            self.report.negative_amounts += 1;
        }
        // `date` is `last_date.1` (every non-empty date text goes through the cache).
        self.count_date(date);
        Some(Valid {
            customer: cid,
            date,
            amount,
            margin: margin.or_else(|| cost.map(|c| amount - c)),
            quantity,
            channel: text(channel),
            product: text(product),
        })
    }
}

/// A usable row, borrowing its text from the table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Valid<'r> {
    pub(crate) customer: &'r str,
    pub(crate) date: NaiveDate,
    pub(crate) amount: f64,
    pub(crate) margin: Option<f64>,
    pub(crate) quantity: Option<f64>,
    pub(crate) channel: Option<&'r str>,
    pub(crate) product: Option<&'r str>,
}

impl Valid<'_> {
    /// The row as an owned transaction.
    pub(crate) fn into_transaction(self) -> Transaction {
        Transaction {
            customer_id: self.customer.to_string(),
            date: self.date,
            amount: self.amount,
            margin: self.margin,
            quantity: self.quantity,
            channel: self.channel.map(str::to_string),
            product: self.product.map(str::to_string),
        }
    }
}

/// Turns a table into transactions with a report of every problem.
///
/// # Errors
/// [`ImportError::MissingColumn`] when the mapping lacks a customer, date or amount column.
/// Bad rows are not errors here: they are in the report (see [`ValidationReport::check`]).
pub fn transactions(
    table: &ParsedTable,
    mapping: &Mapping,
    opts: &ImportOptions,
) -> Result<(Vec<Transaction>, ValidationReport), ImportError> {
    let mut v = Validator::new(table, mapping, opts)?;
    let n = table.row_count() as usize;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (Some(r), Some(line)) = (table.row(i), table.line(i)) else {
            continue;
        };
        if let Some(t) = v.push(i as u64 + 1, line, r) {
            out.push(t);
        }
    }
    Ok((out, v.report))
}

/// As [`transactions`], collected straight into columns (ids interned, no allocation per
/// row): what the import pipeline keeps.
///
/// # Errors
/// As [`transactions`].
pub fn transaction_columns(
    table: &ParsedTable,
    mapping: &Mapping,
    opts: &ImportOptions,
) -> Result<(TxColumns, ValidationReport), ImportError> {
    let mut v = Validator::new(table, mapping, opts)?;
    let n = table.row_count() as usize;
    let mut out = TxColumns::default();
    for i in 0..n {
        let (Some(r), Some(line)) = (table.row(i), table.line(i)) else {
            continue;
        };
        if let Some(t) = v.check(i as u64 + 1, line, r) {
            out.push_batched(t.customer, t.date, t.amount, t.margin);
        }
    }
    out.flush();
    Ok((out, v.report))
}
