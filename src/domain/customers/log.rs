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
    /// Customer, day and amount columns (ids in order of first appearance). Rows added with
    /// [`Self::push_batched`] reach it on [`Self::flush`] (or the next [`Self::push`]).
    pub log: TxLog,
    /// Per row margin (given, or amount − cost); empty while no row has one.
    pub margin: Vec<Option<f64>>,
    index: Interner,
    /// Boxed: keeps the struct small where it sits in enums beside plain vectors.
    pending: Box<Pending>,
}

/// Rows waiting to be interned together: their ids end to end with their hashes, and the
/// rest of each row.
#[derive(Debug, Clone, Default)]
struct Pending {
    text: String,
    ends: Vec<u32>,
    hashes: Vec<u64>,
    /// Days from the common era and amounts, ready for the columns.
    days: Vec<i32>,
    amounts: Vec<f64>,
    /// Margins from the batch's first row that has one on (empty while none has).
    margins: Vec<Option<f64>>,
    interned: Vec<u32>,
}

impl TxColumns {
    /// Appends one transaction to a small batch; every [`BATCH`](super::interner::BATCH) rows
    /// the batch's ids are interned together (their lookups overlap in memory, where one row
    /// at a time waits for each). Call [`Self::flush`] after the last row.
    pub fn push_batched(&mut self, id: &str, date: NaiveDate, amount: f64, margin: Option<f64>) {
        use chrono::Datelike;
        let p = &mut self.pending;
        p.hashes.push(super::interner::hash_id(id.as_bytes()));
        p.text.push_str(id);
        p.ends.push(u32::try_from(p.text.len()).unwrap_or(u32::MAX));
        p.days.push(date.num_days_from_ce());
        p.amounts.push(amount);
        if margin.is_some() || !p.margins.is_empty() {
            if p.margins.is_empty() {
                p.margins.resize(p.ends.len() - 1, None);
            }
            p.margins.push(margin);
        }
        if p.ends.len() >= super::interner::BATCH {
            self.flush();
        }
    }

    /// Makes room for `rows` more rows in the columns. A log whose size is known ahead (from
    /// the file's size) is then built without doubling its columns: in WebAssembly, where
    /// memory never shrinks, each doubling left the old column behind (19 million rows took
    /// 536 MB of columns for 304 MB of rows, plus the copies while they grew).
    pub fn reserve(&mut self, rows: usize) {
        self.log.customer.reserve(rows);
        self.log.day.reserve(rows);
        self.log.amount.reserve(rows);
    }

    /// Moves the rows of [`Self::push_batched`] into the columns.
    pub fn flush(&mut self) {
        if self.pending.ends.is_empty() {
            return;
        }
        let mut p = std::mem::take(&mut *self.pending);
        p.interned.clear();
        self.index.intern_batch(
            &p.text,
            &p.ends,
            &p.hashes,
            &mut self.log.ids,
            &mut p.interned,
        );
        // The batch's columns extended whole (what `push_interned` does row by row).
        let n = p.interned.len().min(p.days.len()).min(p.amounts.len());
        let before = self.log.customer.len();
        if !self.margin.is_empty() || !p.margins.is_empty() {
            // Margins start at the first row that has one (earlier rows: none); once they
            // have started, every row has an entry.
            let k = n.saturating_sub(p.margins.len());
            self.margin.resize(before + k, None);
            self.margin
                .extend_from_slice(p.margins.get(..n - k).unwrap_or(&[]));
        }
        self.log
            .customer
            .extend_from_slice(p.interned.get(..n).unwrap_or(&[]));
        self.log
            .day
            .extend_from_slice(p.days.get(..n).unwrap_or(&[]));
        self.log
            .amount
            .extend_from_slice(p.amounts.get(..n).unwrap_or(&[]));
        p.text.clear();
        p.ends.clear();
        p.hashes.clear();
        p.days.clear();
        p.amounts.clear();
        p.margins.clear();
        *self.pending = p;
    }

    /// Appends one transaction.
    pub fn push(&mut self, id: &str, date: NaiveDate, amount: f64, margin: Option<f64>) {
        self.flush();
        let c = self.index.intern(id, &mut self.log.ids);
        self.push_interned(c, date, amount, margin);
    }

    fn push_interned(&mut self, c: u32, date: NaiveDate, amount: f64, margin: Option<f64>) {
        use chrono::Datelike;
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

    /// Number of rows (those still in a batch included).
    pub fn len(&self) -> usize {
        self.log.len() + self.pending.ends.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Consumes the columns into the customer summary (see [`summarize`]) and the log, the
    /// import's last step. Every batched row is flushed, and the id table is dropped and the
    /// columns' spare room (reserved from the file size) given back *before* the summary is
    /// built, so the summary's memory can reuse theirs: on a file of 1,560,000 customers the
    /// table alone is 134 MB, and wasm memory never shrinks.
    ///
    /// # Errors
    /// As [`summarize`].
    pub fn into_summary(
        mut self,
        options: &SummaryOptions,
    ) -> Result<(CustomerSummary, TxLog), SummaryError> {
        self.flush();
        // Bound by name and dropped here: fields left to `..` would live on (as parts of
        // `self`) until this function returns, the id table with them, through the summary.
        let TxColumns {
            mut log,
            mut margin,
            index,
            pending,
        } = self;
        drop(index);
        drop(pending);
        log.customer.shrink_to_fit();
        log.day.shrink_to_fit();
        log.amount.shrink_to_fit();
        log.ids.shrink_to_fit();
        margin.shrink_to_fit();
        let summary = summarize_columns(&log, &margin, options)?;
        Ok((summary, log))
    }

    /// Builds the customer summary (see [`summarize`]) of the rows in [`Self::log`] (call
    /// [`Self::flush`] first after [`Self::push_batched`]).
    ///
    /// # Errors
    /// As [`summarize`].
    pub fn summarize(&self, options: &SummaryOptions) -> Result<CustomerSummary, SummaryError> {
        if !self.pending.ends.is_empty() {
            // Rows still in a batch are never left out: summarise a flushed copy.
            let mut all = self.clone();
            all.flush();
            return all.summarize(options);
        }
        summarize_columns(&self.log, &self.margin, options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows pushed in batches give the columns (margins included) that rows pushed one at a
    /// time give: margins that start mid-batch, in a later batch, or never.
    #[test]
    fn batched_rows_fill_the_columns_as_single_rows_do() {
        let day = |i: u32| NaiveDate::from_ymd_opt(2024, 1, 1 + i % 28).unwrap_or_default();
        for first_margin in [None, Some(0), Some(5), Some(63), Some(64), Some(130)] {
            let mut one = TxColumns::default();
            let mut many = TxColumns::default();
            for i in 0..300u32 {
                let id = format!("c{}", (i * 7) % 41);
                let margin = match first_margin {
                    Some(k) if i >= k && i % 3 != 1 => Some(f64::from(i) / 4.0),
                    _ => None,
                };
                one.push(&id, day(i), f64::from(i), margin);
                many.push_batched(&id, day(i), f64::from(i), margin);
            }
            many.flush();
            assert_eq!(many.log, one.log, "{first_margin:?}");
            assert_eq!(many.margin, one.margin, "{first_margin:?}");
            assert_eq!(one.margin.is_empty(), first_margin.is_none());
        }
    }
}
