//! Transaction logs: one [`Transaction`] as read, the compact [`TxLog`] columns that cross the
//! worker, and [`TxColumns`], the log being built row by row with ids interned.

use super::interner::Interner;
use super::wire::packed;
use super::{summarize_columns, CustomerSummary, SummaryError, SummaryOptions};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One purchase (or return, when `amount` is negative) as read from a transaction log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transaction {
    /// Customer id, always text (leading zeros are kept).
    pub customer_id: String,
    /// Calendar day of the purchase.
    pub date: NaiveDate,
    /// Amount paid (revenue). Negative for returns.
    pub amount: f64,
    /// Optional margin (profit) of the line; when absent a margin rate may be applied later.
    #[serde(default)]
    pub margin: Option<f64>,
    /// Optional quantity.
    #[serde(default)]
    pub quantity: Option<f64>,
    /// Optional channel (web, store, ...).
    #[serde(default)]
    pub channel: Option<String>,
    /// Optional product or category.
    #[serde(default)]
    pub product: Option<String>,
}

/// A transaction log in compact columns (no string per row): what crosses from the worker to
/// the page for customer histories and charts over time. Margin, quantity, channel and product
/// are not kept here (the summary already holds their totals).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TxLog {
    /// Distinct customer ids.
    pub ids: Vec<String>,
    /// Per row: index into `ids`.
    #[serde(with = "packed")]
    pub customer: Vec<u32>,
    /// Per row: days since 0001-01-01 (chrono's "days from CE").
    #[serde(with = "packed")]
    pub day: Vec<i32>,
    /// Per row: amount.
    #[serde(with = "packed")]
    pub amount: Vec<f64>,
}

impl TxLog {
    /// Packs transactions into columns.
    pub fn from_transactions(txs: &[Transaction]) -> TxLog {
        let mut cols = TxColumns::default();
        for t in txs {
            cols.push(&t.customer_id, t.date, t.amount, None);
        }
        cols.log
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.customer.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.customer.is_empty()
    }

    /// Row `i` as a transaction.
    pub fn get(&self, i: usize) -> Option<Transaction> {
        let id = self.ids.get(*self.customer.get(i)? as usize)?;
        Some(Transaction {
            customer_id: id.clone(),
            date: NaiveDate::from_num_days_from_ce_opt(*self.day.get(i)?)?,
            amount: *self.amount.get(i)?,
            margin: None,
            quantity: None,
            channel: None,
            product: None,
        })
    }

    /// All rows as transactions.
    pub fn iter(&self) -> impl Iterator<Item = Transaction> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// All rows as a vector of transactions.
    pub fn to_vec(&self) -> Vec<Transaction> {
        self.iter().collect()
    }

    /// Indices of one customer's rows, in file order (none when the id is not in the log).
    pub fn rows_of<'a>(&'a self, id: &str) -> impl Iterator<Item = usize> + 'a {
        let c = self.ids.iter().position(|x| x == id).map(|c| c as u32);
        self.customer
            .iter()
            .enumerate()
            .filter(move |(_, k)| Some(**k) == c)
            .map(|(i, _)| i)
    }

    /// The first and last dates in the log.
    pub fn date_range(&self) -> Option<(NaiveDate, NaiveDate)> {
        let lo = NaiveDate::from_num_days_from_ce_opt(*self.day.iter().min()?)?;
        let hi = NaiveDate::from_num_days_from_ce_opt(*self.day.iter().max()?)?;
        Some((lo, hi))
    }
}

/// A transaction log being built in columns: ids are interned as they arrive, so a row costs
/// no allocation (what the importer fills, row by row, for large files).
#[derive(Debug, Clone, Default)]
pub struct TxColumns {
    /// Customer, day and amount columns (ids in order of first appearance).
    pub log: TxLog,
    /// Per row margin (given, or amount − cost); empty while no row has one.
    pub margin: Vec<Option<f64>>,
    index: Interner,
}

impl TxColumns {
    /// Appends one transaction.
    pub fn push(&mut self, id: &str, date: NaiveDate, amount: f64, margin: Option<f64>) {
        use chrono::Datelike;
        let c = self.index.intern(id, &mut self.log.ids);
        if margin.is_some() && self.margin.len() < self.log.customer.len() {
            self.margin.resize(self.log.customer.len(), None);
        }
        if !self.margin.is_empty() || margin.is_some() {
            self.margin.push(margin);
        }
        self.log.customer.push(c);
        self.log.day.push(date.num_days_from_ce());
        self.log.amount.push(amount);
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.log.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.log.is_empty()
    }

    /// Builds the customer summary (see [`summarize`]).
    ///
    /// # Errors
    /// As [`summarize`].
    pub fn summarize(&self, options: &SummaryOptions) -> Result<CustomerSummary, SummaryError> {
        summarize_columns(&self.log, &self.margin, options)
    }
}
