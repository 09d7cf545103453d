//! Transactions and the customer summary (x, t_x, T, mean spend) that every model reads.
//!
//! Definitions (Fader & Hardie): purchases on the same day are merged into one purchase
//! occasion; x is the number of *repeat* occasions (the first is not counted); t_x is the time
//! from the first to the last occasion; T is the time from the first occasion to the end of
//! observation; m is the mean value of the repeat occasions (0 when x = 0). Times are expressed
//! in the chosen [`TimeUnit`].

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

/// Dates as text ("2024-03-05") in human-readable formats (JSON), as day numbers in binary
/// ones (bincode: the worker's wire format), where formatting and parsing 400,000 dates
/// would cost more than the rest of a summary.
mod day_number {
    use chrono::{Datelike, NaiveDate};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            d.serialize(s)
        } else {
            d.map(|d| d.num_days_from_ce()).serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        if d.is_human_readable() {
            Option::<NaiveDate>::deserialize(d)
        } else {
            Ok(Option::<i32>::deserialize(d)?.and_then(NaiveDate::from_num_days_from_ce_opt))
        }
    }
}

/// Customer records as a list of objects in human-readable formats (JSON), as packed columns
/// in binary ones (bincode, the worker's wire format): 200,000 records then cross in a few
/// block copies instead of three million field writes and reads.
mod record_columns {
    use super::{packed, CustomerRecord};
    use chrono::{Datelike, NaiveDate};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize, Default)]
    struct Columns {
        ids: String,
        #[serde(with = "packed")]
        id_ends: Vec<u32>,
        #[serde(with = "packed")]
        x: Vec<f64>,
        #[serde(with = "packed")]
        t_x: Vec<f64>,
        #[serde(with = "packed")]
        t: Vec<f64>,
        #[serde(with = "packed")]
        monetary: Vec<f64>,
        #[serde(with = "packed")]
        weight: Vec<f64>,
        #[serde(with = "packed")]
        total_spend: Vec<f64>,
        #[serde(with = "packed")]
        first: Vec<i32>,
        #[serde(with = "packed")]
        last: Vec<i32>,
        #[serde(with = "packed")]
        occasions: Vec<u32>,
        #[serde(with = "packed")]
        total_margin: Vec<f64>,
        #[serde(with = "packed")]
        holdout_x: Vec<f64>,
        #[serde(with = "packed")]
        holdout_spend: Vec<f64>,
        /// Per record, which optional fields are present (bit 0 first, 1 last, 2 total
        /// margin, 3 holdout x, 4 holdout spend).
        #[serde(with = "packed")]
        present: Vec<u8>,
    }

    pub fn serialize<S: Serializer>(v: &[CustomerRecord], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            return v.serialize(s);
        }
        let mut c = Columns::default();
        for r in v {
            c.ids.push_str(&r.id);
            c.id_ends
                .push(u32::try_from(c.ids.len()).unwrap_or(u32::MAX));
            c.x.push(r.x);
            c.t_x.push(r.t_x);
            c.t.push(r.t);
            c.monetary.push(r.monetary);
            c.weight.push(r.weight);
            c.total_spend.push(r.total_spend);
            c.first.push(r.first.map_or(0, |d| d.num_days_from_ce()));
            c.last.push(r.last.map_or(0, |d| d.num_days_from_ce()));
            c.occasions.push(r.occasions);
            c.total_margin.push(r.total_margin.unwrap_or(0.0));
            c.holdout_x.push(r.holdout_x.unwrap_or(0.0));
            c.holdout_spend.push(r.holdout_spend.unwrap_or(0.0));
            c.present.push(
                u8::from(r.first.is_some())
                    | u8::from(r.last.is_some()) << 1
                    | u8::from(r.total_margin.is_some()) << 2
                    | u8::from(r.holdout_x.is_some()) << 3
                    | u8::from(r.holdout_spend.is_some()) << 4,
            );
        }
        c.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<CustomerRecord>, D::Error> {
        if d.is_human_readable() {
            return Vec::<CustomerRecord>::deserialize(d);
        }
        let c = Columns::deserialize(d)?;
        let n = c.id_ends.len();
        let at = |v: &Vec<f64>, i: usize| v.get(i).copied().unwrap_or(0.0);
        let mut out = Vec::with_capacity(n);
        let mut start = 0usize;
        for i in 0..n {
            let end = c.id_ends.get(i).map_or(start, |&e| e as usize);
            let id = c.ids.get(start..end).unwrap_or("").to_string();
            start = end;
            let p = c.present.get(i).copied().unwrap_or(0);
            let day = |v: &Vec<i32>| {
                v.get(i)
                    .and_then(|&d| NaiveDate::from_num_days_from_ce_opt(d))
            };
            out.push(CustomerRecord {
                id,
                x: at(&c.x, i),
                t_x: at(&c.t_x, i),
                t: at(&c.t, i),
                monetary: at(&c.monetary, i),
                weight: at(&c.weight, i),
                first: if p & 1 != 0 { day(&c.first) } else { None },
                last: if p & 2 != 0 { day(&c.last) } else { None },
                occasions: c.occasions.get(i).copied().unwrap_or(0),
                total_spend: at(&c.total_spend, i),
                total_margin: (p & 4 != 0).then(|| at(&c.total_margin, i)),
                holdout_x: (p & 8 != 0).then(|| at(&c.holdout_x, i)),
                holdout_spend: (p & 16 != 0).then(|| at(&c.holdout_spend, i)),
            });
        }
        Ok(out)
    }
}

/// Number columns serialized as one block of little-endian bytes: bincode copies a block at
/// memory speed where it would write and read a million numbers one by one.
mod packed {
    use serde::{Deserializer, Serializer};

    /// A number with a fixed little-endian width.
    pub trait Le: Sized + Copy {
        const N: usize;
        fn put(self, out: &mut Vec<u8>);
        fn get(b: &[u8]) -> Option<Self>;
    }

    macro_rules! le {
        ($t:ty, $n:expr) => {
            impl Le for $t {
                const N: usize = $n;
                fn put(self, out: &mut Vec<u8>) {
                    out.extend_from_slice(&self.to_le_bytes());
                }
                fn get(b: &[u8]) -> Option<Self> {
                    Some(<$t>::from_le_bytes(b.try_into().ok()?))
                }
            }
        };
    }
    le!(u8, 1);
    le!(u32, 4);
    le!(i32, 4);
    le!(f64, 8);

    pub fn serialize<T: Le, S: Serializer>(v: &[T], s: S) -> Result<S::Ok, S::Error> {
        let mut out = Vec::with_capacity(v.len() * T::N);
        for &x in v {
            x.put(&mut out);
        }
        s.serialize_bytes(&out)
    }

    pub fn deserialize<'de, T: Le, D: Deserializer<'de>>(d: D) -> Result<Vec<T>, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Le> serde::de::Visitor<'de> for V<T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("packed little-endian numbers")
            }
            fn visit_bytes<E: serde::de::Error>(self, b: &[u8]) -> Result<Vec<T>, E> {
                if !b.len().is_multiple_of(T::N) {
                    return Err(E::invalid_length(b.len(), &self));
                }
                Ok(b.chunks_exact(T::N).filter_map(T::get).collect())
            }
            fn visit_byte_buf<E: serde::de::Error>(self, b: Vec<u8>) -> Result<Vec<T>, E> {
                self.visit_bytes(&b)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Vec<T>, A::Error> {
                let mut b = Vec::new();
                while let Some(x) = a.next_element::<u8>()? {
                    b.push(x);
                }
                self.visit_bytes(&b)
            }
        }
        d.deserialize_byte_buf(V(std::marker::PhantomData))
    }
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

/// The unit in which model times (t_x, T, horizons) are expressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    /// One calendar day.
    Day,
    /// Seven days.
    #[default]
    Week,
    /// 365.25 / 12 = 30.4375 days.
    Month,
}

impl TimeUnit {
    /// Length of the unit in days.
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Day => 1.0,
            TimeUnit::Week => 7.0,
            TimeUnit::Month => 365.25 / 12.0,
        }
    }

    /// Plain name, singular ("week").
    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Day => "day",
            TimeUnit::Week => "week",
            TimeUnit::Month => "month",
        }
    }

    /// Parses "day", "week" or "month" (also plural and single-letter forms).
    pub fn parse(s: &str) -> Option<TimeUnit> {
        match s.trim().to_ascii_lowercase().as_str() {
            "d" | "day" | "days" | "daily" => Some(TimeUnit::Day),
            "w" | "week" | "weeks" | "weekly" => Some(TimeUnit::Week),
            "m" | "month" | "months" | "monthly" => Some(TimeUnit::Month),
            _ => None,
        }
    }
}

/// What to do with negative amounts (returns, refunds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ReturnsPolicy {
    /// Net returns against purchases of the same customer and day (the default).
    #[default]
    Net,
    /// Drop negative rows entirely.
    Drop,
    /// Keep negative rows as they are (each counts as an occasion with a negative value).
    Keep,
}

/// Options for building a customer summary from a transaction log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SummaryOptions {
    /// Unit of t_x and T.
    #[serde(default)]
    pub time_unit: TimeUnit,
    /// Last day of observation (inclusive). Default: the last date in the data.
    #[serde(default)]
    pub observation_end: Option<NaiveDate>,
    /// Optional end of the calibration period (inclusive); later purchases form the holdout.
    #[serde(default)]
    pub calibration_end: Option<NaiveDate>,
    /// Treatment of negative amounts.
    #[serde(default)]
    pub returns: ReturnsPolicy,
}

/// The sufficient statistics of one customer, plus the descriptive figures the pages show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerRecord {
    /// Customer id (text).
    pub id: String,
    /// Repeat purchase occasions in the (calibration) period.
    pub x: f64,
    /// Time of the last occasion, from the first, in the summary's unit.
    pub t_x: f64,
    /// Time from the first occasion to the end of (calibration) observation.
    pub t: f64,
    /// Mean value of the repeat occasions (0 when x = 0).
    pub monetary: f64,
    /// Weight: how many customers this row stands for (1 for a row per customer).
    #[serde(default = "one")]
    pub weight: f64,
    /// First purchase day, when known (absent for summaries loaded from elsewhere).
    #[serde(default, with = "day_number")]
    pub first: Option<NaiveDate>,
    /// Last purchase day in the (calibration) period, when known.
    #[serde(default, with = "day_number")]
    pub last: Option<NaiveDate>,
    /// All purchase occasions in the (calibration) period, first included (RFM frequency).
    #[serde(default)]
    pub occasions: u32,
    /// Total spend in the (calibration) period, first purchase included.
    #[serde(default)]
    pub total_spend: f64,
    /// Total margin in the (calibration) period when the log had a margin column.
    #[serde(default)]
    pub total_margin: Option<f64>,
    /// Repeat occasions in the holdout period (only with a calibration split).
    #[serde(default)]
    pub holdout_x: Option<f64>,
    /// Spend in the holdout period (only with a calibration split).
    #[serde(default)]
    pub holdout_spend: Option<f64>,
}

fn one() -> f64 {
    1.0
}

impl CustomerRecord {
    /// A record from (x, t_x, T, m) alone, as loaded from a precomputed summary.
    pub fn from_stats(id: impl Into<String>, x: f64, t_x: f64, t: f64, monetary: f64) -> Self {
        CustomerRecord {
            id: id.into(),
            x,
            t_x,
            t,
            monetary,
            weight: 1.0,
            first: None,
            last: None,
            occasions: (x.max(0.0) as u32).saturating_add(1),
            total_spend: monetary * (x + 1.0),
            total_margin: None,
            holdout_x: None,
            holdout_spend: None,
        }
    }
}

/// The customer summary: one record per customer and the settings that made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerSummary {
    /// Unit of t_x, T and every model horizon built on this summary.
    pub time_unit: TimeUnit,
    /// Last day of observation (calibration end when split), when built from a log.
    #[serde(default)]
    pub observation_end: Option<NaiveDate>,
    /// Calibration end, when a holdout split was made.
    #[serde(default)]
    pub calibration_end: Option<NaiveDate>,
    /// Length of the holdout period in the summary's unit (0 without a split).
    #[serde(default)]
    pub holdout_length: f64,
    /// One record per customer, sorted by id.
    #[serde(with = "record_columns")]
    pub customers: Vec<CustomerRecord>,
    /// Rows dropped or netted by the returns policy (for the report).
    #[serde(default)]
    pub returns_rows: u64,
}

/// A run of customer records on their own, with the summary's compact binary form (the worker
/// sends a large summary to the page in parts of these).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Records(#[serde(with = "record_columns")] pub Vec<CustomerRecord>);

/// Why a summary could not be built.
#[derive(Debug, Clone, PartialEq)]
pub enum SummaryError {
    /// There were no usable transactions.
    NoTransactions,
    /// The observation end lies before the first purchase in the data.
    EndBeforeData {
        /// The requested end.
        end: NaiveDate,
        /// The first date in the data.
        first: NaiveDate,
    },
    /// The calibration end is not before the observation end.
    CalibrationNotBeforeEnd {
        /// The requested calibration end.
        calibration_end: NaiveDate,
        /// The observation end.
        end: NaiveDate,
    },
}

impl std::fmt::Display for SummaryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SummaryError::NoTransactions => {
                write!(f, "there are no usable transactions to summarise")
            }
            SummaryError::EndBeforeData { end, first } => write!(
                f,
                "the observation end {end} is before the first purchase in the data ({first})"
            ),
            SummaryError::CalibrationNotBeforeEnd {
                calibration_end,
                end,
            } => write!(
                f,
                "the calibration end {calibration_end} must be before the observation end {end}"
            ),
        }
    }
}

impl std::error::Error for SummaryError {}

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

/// An open-addressing table from id text to its index in [`TxLog::ids`]. Ids of up to 16
/// bytes (nearly all) are kept inside the slot, so finding one reads one cache line and
/// allocates nothing; longer ones are compared with the stored id.
#[derive(Debug, Clone, Default)]
struct Interner {
    slots: Vec<Slot>,
    len: usize,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    hash: u64,
    key: [u8; 16],
    /// Index + 1 into the ids (0: empty slot).
    index: u32,
    len: u32,
}

const EMPTY: Slot = Slot {
    hash: 0,
    key: [0; 16],
    index: 0,
    len: 0,
};

fn hash_id(id: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = IdHasher(id.len() as u64);
    h.write(id);
    h.finish()
}

fn inline_key(id: &[u8]) -> [u8; 16] {
    let mut k = [0u8; 16];
    if let (Some(dst), Some(src)) = (k.get_mut(..id.len().min(16)), id.get(..id.len().min(16))) {
        dst.copy_from_slice(src);
    }
    k
}

impl Interner {
    /// The index of `id` in `ids`, adding it when new.
    fn intern(&mut self, id: &str, ids: &mut Vec<String>) -> u32 {
        if self.len * 2 >= self.slots.len() {
            self.grow();
        }
        let b = id.as_bytes();
        let hash = hash_id(b);
        let key = inline_key(b);
        let mask = self.slots.len() - 1;
        let mut i = (hash as usize) & mask;
        loop {
            let Some(slot) = self.slots.get_mut(i) else {
                return 0;
            };
            if slot.index == 0 {
                let index = u32::try_from(ids.len()).unwrap_or(u32::MAX);
                *slot = Slot {
                    hash,
                    key,
                    index: index.saturating_add(1),
                    len: u32::try_from(b.len()).unwrap_or(u32::MAX),
                };
                ids.push(id.to_string());
                self.len += 1;
                return index;
            }
            if slot.hash == hash
                && slot.len as usize == b.len()
                && slot.key == key
                && (b.len() <= 16
                    || ids.get(slot.index as usize - 1).map(String::as_str) == Some(id))
            {
                return slot.index - 1;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(1024);
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; size]);
        let mask = size - 1;
        for s in old.into_iter().filter(|s| s.index != 0) {
            let mut i = (s.hash as usize) & mask;
            while self.slots.get(i).is_some_and(|x| x.index != 0) {
                i = (i + 1) & mask;
            }
            if let Some(x) = self.slots.get_mut(i) {
                *x = s;
            }
        }
    }
}

/// A fast hash for interning ids (FxHash-style: multiply and rotate per 8 bytes, then a
/// finaliser). Ids come from the user's own file, so flooding resistance buys nothing.
#[derive(Debug, Clone, Copy)]
struct IdHasher(u64);

impl IdHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for IdHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            if let Some(dst) = w.get_mut(..rest.len()) {
                dst.copy_from_slice(rest);
            }
            self.add(u64::from_le_bytes(w));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn finish(&self) -> u64 {
        // Mix high bits into low ones (murmur3's finaliser): the table indexes by low bits.
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x
    }
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

/// Builds the customer summary from a transaction log.
///
/// Purchases of one customer on the same day are merged into one occasion (amounts summed).
/// Transactions after the observation end are ignored. Customers whose first purchase falls
/// after the calibration end are left out of a split summary (they were not yet customers).
///
/// # Errors
/// [`SummaryError`] when there is nothing to summarise or the dates are inconsistent.
pub fn summarize(
    transactions: &[Transaction],
    options: &SummaryOptions,
) -> Result<CustomerSummary, SummaryError> {
    let mut cols = TxColumns::default();
    for t in transactions {
        cols.push(&t.customer_id, t.date, t.amount, t.margin);
    }
    cols.summarize(options)
}

/// [`summarize`] on a log in columns; `margin` is per row, or empty when the log has none.
/// Customers are ranked once by id and rows sorted by (rank, day, row) as integers, so no id
/// is compared per row.
///
/// # Errors
/// As [`summarize`].
pub fn summarize_columns(
    log: &TxLog,
    margin: &[Option<f64>],
    options: &SummaryOptions,
) -> Result<CustomerSummary, SummaryError> {
    let n = log.customer.len().min(log.day.len()).min(log.amount.len());
    let (Some(&lo), Some(&hi)) = (
        log.day.get(..n).and_then(|d| d.iter().min()),
        log.day.get(..n).and_then(|d| d.iter().max()),
    ) else {
        return Err(SummaryError::NoTransactions);
    };
    let as_date = |d: i32| NaiveDate::from_num_days_from_ce_opt(d).unwrap_or_default();
    let (first_date, last_date) = (as_date(lo), as_date(hi));
    let end = options.observation_end.unwrap_or(last_date);
    if end < first_date {
        return Err(SummaryError::EndBeforeData {
            end,
            first: first_date,
        });
    }
    if let Some(c) = options.calibration_end {
        if c >= end {
            return Err(SummaryError::CalibrationNotBeforeEnd {
                calibration_end: c,
                end,
            });
        }
    }
    let cal_end = options.calibration_end.unwrap_or(end);
    let (end_day, cal_day) = {
        use chrono::Datelike;
        (end.num_days_from_ce(), cal_end.num_days_from_ce())
    };

    // Rank the distinct ids in their final (natural) order, once: (plain number?, its
    // length, text) orders them as `natural_id_cmp` does.
    let mut order: Vec<(bool, usize, &str, u32)> = log
        .ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let num = is_plain_number(id);
            (!num, if num { id.len() } else { 0 }, id.as_str(), i as u32)
        })
        .collect();
    order.sort_unstable();
    let order: Vec<u32> = order.into_iter().map(|o| o.3).collect();
    let mut rank = vec![0u32; log.ids.len()];
    for (r, &c) in order.iter().enumerate() {
        if let Some(x) = rank.get_mut(c as usize) {
            *x = r as u32;
        }
    }

    // Usable rows as (rank, day, row) packed in integers; sorting them groups each
    // customer's days in order (file order within a day, so sums are reproducible).
    let mut returns_rows = 0u64;
    let mut keys: Vec<(u64, u32)> = Vec::with_capacity(n);
    for i in 0..n {
        let (Some(&c), Some(&d), Some(&a)) =
            (log.customer.get(i), log.day.get(i), log.amount.get(i))
        else {
            continue;
        };
        if d > end_day {
            continue;
        }
        if a < 0.0 {
            returns_rows += 1;
            if options.returns == ReturnsPolicy::Drop {
                continue;
            }
        }
        let r = rank.get(c as usize).copied().unwrap_or(0);
        let key = (u64::from(r) << 32) | u64::from((d - lo) as u32);
        keys.push((key, i as u32));
    }
    sort_keys(&mut keys);

    let unit = options.time_unit.days();
    let split = options.calibration_end.is_some();
    let mut customers = Vec::new();
    let mut days: Vec<(i32, f64, Option<f64>)> = Vec::new();
    let mut start = 0;
    while start < keys.len() {
        let r = keys.get(start).map_or(0, |k| k.0 >> 32);
        let mut stop = start;
        days.clear();
        while let Some(&(key, row)) = keys.get(stop) {
            if key >> 32 != r {
                break;
            }
            let row = row as usize;
            let d = log.day.get(row).copied().unwrap_or(0);
            let a = log.amount.get(row).copied().unwrap_or(0.0);
            let m = margin.get(row).copied().flatten();
            match days.last_mut() {
                Some(last) if last.0 == d => {
                    last.1 += a;
                    if let Some(m) = m {
                        last.2 = Some(last.2.unwrap_or(0.0) + m);
                    }
                }
                _ => days.push((d, a, m)),
            }
            stop += 1;
        }
        start = stop;
        if options.returns == ReturnsPolicy::Net {
            // A day whose purchases are fully returned is not an occasion.
            days.retain(|(_, a, _)| *a > 0.0);
        }
        let Some(&(first, first_amount, _)) = days.first() else {
            continue;
        };
        if first > cal_day {
            continue;
        }
        let id = order
            .get(r as usize)
            .and_then(|&c| log.ids.get(c as usize))
            .cloned()
            .unwrap_or_default();
        let n_cal = days.iter().take_while(|(d, _, _)| *d <= cal_day).count();
        let (cal, hold) = days.split_at(n_cal);
        let last = cal.last().map_or(first, |(d, _, _)| *d);
        let x = cal.len().saturating_sub(1) as f64;
        let repeat_total: f64 = cal.iter().skip(1).map(|(_, a, _)| *a).sum();
        let monetary = if x > 0.0 { repeat_total / x } else { 0.0 };
        let has_margin = cal.iter().any(|(_, _, m)| m.is_some());
        let total_margin = has_margin.then(|| cal.iter().filter_map(|(_, _, m)| *m).sum());
        customers.push(CustomerRecord {
            id,
            x,
            t_x: f64::from(last - first) / unit,
            t: f64::from(cal_day - first) / unit,
            monetary,
            weight: 1.0,
            first: Some(as_date(first)),
            last: Some(as_date(last)),
            occasions: cal.len() as u32,
            total_spend: first_amount + repeat_total,
            total_margin,
            holdout_x: split.then_some(hold.len() as f64),
            holdout_spend: split.then(|| hold.iter().map(|(_, a, _)| *a).sum()),
        });
    }
    if customers.is_empty() {
        return Err(SummaryError::NoTransactions);
    }
    Ok(CustomerSummary {
        time_unit: options.time_unit,
        observation_end: Some(cal_end),
        calibration_end: options.calibration_end,
        holdout_length: if options.calibration_end.is_some() {
            (end - cal_end).num_days() as f64 / unit
        } else {
            0.0
        },
        customers,
        returns_rows,
    })
}

/// Sorts (key, row) pairs whose rows are ascending, as `sort_unstable` would: an LSD radix
/// sort on the key (stable, so rows stay ascending within a key) when keys fit 32 bits.
fn sort_keys(keys: &mut [(u64, u32)]) {
    let max = keys.iter().map(|k| k.0).max().unwrap_or(0);
    let Ok(max) = u32::try_from(max) else {
        keys.sort_unstable();
        return;
    };
    let bits = 32 - max.leading_zeros();
    let mut a: Vec<u64> = keys
        .iter()
        .map(|&(k, r)| (k << 32) | u64::from(r))
        .collect();
    let mut b = vec![0u64; a.len()];
    let mut shift = 32;
    while shift < 32 + bits {
        let mut count = [0usize; 257];
        for &x in &a {
            let digit = ((x >> shift) & 0xff) as usize;
            if let Some(c) = count.get_mut(digit + 1) {
                *c += 1;
            }
        }
        for i in 1..count.len() {
            let prev = count.get(i - 1).copied().unwrap_or(0);
            if let Some(c) = count.get_mut(i) {
                *c += prev;
            }
        }
        for &x in &a {
            let digit = ((x >> shift) & 0xff) as usize;
            if let Some(c) = count.get_mut(digit) {
                if let Some(slot) = b.get_mut(*c) {
                    *slot = x;
                }
                *c += 1;
            }
        }
        std::mem::swap(&mut a, &mut b);
        shift += 8;
    }
    for (k, x) in keys.iter_mut().zip(a) {
        *k = (x >> 32, x as u32);
    }
}

fn is_plain_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()) && (s.len() == 1 || !s.starts_with('0'))
}

/// A total order on ids: plain numbers (no leading zero) first, in numeric order, then all
/// other ids as text, so "2" sorts before "10" and "007" stays text.
pub fn natural_id_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let is_num = is_plain_number;
    match (is_num(a), is_num(b)) {
        (true, true) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        (false, false) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn tx(id: &str, date: &str, amount: f64) -> Transaction {
        Transaction {
            customer_id: id.into(),
            date: d(date),
            amount,
            margin: None,
            quantity: None,
            channel: None,
            product: None,
        }
    }

    #[test]
    fn same_day_purchases_merge_and_first_is_not_a_repeat() {
        let log = vec![
            tx("007", "2020-01-01", 10.0),
            tx("007", "2020-01-08", 5.0),
            tx("007", "2020-01-08", 7.0),
            tx("007", "2020-01-15", 30.0),
            tx("2", "2020-01-10", 4.0),
        ];
        let opts = SummaryOptions {
            observation_end: Some(d("2020-01-29")),
            ..Default::default()
        };
        let s = summarize(&log, &opts).unwrap();
        assert_eq!(s.customers.len(), 2);
        let c = s.customers.iter().find(|c| c.id == "007").unwrap();
        assert_eq!(c.x, 2.0);
        assert!((c.t_x - 2.0).abs() < 1e-12);
        assert!((c.t - 4.0).abs() < 1e-12);
        assert!((c.monetary - 21.0).abs() < 1e-12);
        assert_eq!(c.occasions, 3);
        let c2 = s.customers.iter().find(|c| c.id == "2").unwrap();
        assert_eq!(c2.x, 0.0);
        assert_eq!(c2.monetary, 0.0);
    }

    #[test]
    fn calibration_split_counts_holdout_and_excludes_late_customers() {
        let log = vec![
            tx("a", "2020-01-01", 10.0),
            tx("a", "2020-01-05", 10.0),
            tx("a", "2020-02-05", 10.0),
            tx("b", "2020-02-10", 10.0),
        ];
        let opts = SummaryOptions {
            time_unit: TimeUnit::Day,
            observation_end: Some(d("2020-02-29")),
            calibration_end: Some(d("2020-01-31")),
            ..Default::default()
        };
        let s = summarize(&log, &opts).unwrap();
        assert_eq!(s.customers.len(), 1);
        assert_eq!(s.customers[0].x, 1.0);
        assert_eq!(s.customers[0].holdout_x, Some(1.0));
        assert!((s.holdout_length - 29.0).abs() < 1e-12);
        assert!((s.customers[0].t - 30.0).abs() < 1e-12);
    }

    #[test]
    fn returns_are_netted_by_default_and_dropped_on_request() {
        let log = vec![
            tx("a", "2020-01-01", 10.0),
            tx("a", "2020-01-02", 10.0),
            tx("a", "2020-01-02", -10.0),
        ];
        let net = summarize(&log, &SummaryOptions::default()).unwrap();
        assert_eq!(net.customers[0].x, 0.0);
        assert_eq!(net.returns_rows, 1);
        let drop = summarize(
            &log,
            &SummaryOptions {
                returns: ReturnsPolicy::Drop,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(drop.customers[0].x, 1.0);
    }

    #[test]
    fn compact_log_gives_back_each_row() {
        let log = vec![
            tx("007", "2020-01-01", 10.0),
            tx("2", "2020-01-05", 3.5),
            tx("007", "2020-02-01", -1.0),
        ];
        let c = TxLog::from_transactions(&log);
        assert_eq!(c.len(), 3);
        assert_eq!(c.ids, vec!["007".to_string(), "2".to_string()]);
        assert_eq!(c.to_vec(), log);
        assert_eq!(c.rows_of("007").collect::<Vec<_>>(), vec![0, 2]);
        assert!(c.rows_of("nobody").next().is_none());
    }

    #[test]
    fn empty_log_is_an_error() {
        assert_eq!(
            summarize(&[], &SummaryOptions::default()),
            Err(SummaryError::NoTransactions)
        );
    }

    #[test]
    fn ids_sort_naturally() {
        let mut v = vec!["10", "2", "007", "b", "1", "0"];
        v.sort_by(|a, b| natural_id_cmp(a, b));
        assert_eq!(v, vec!["0", "1", "2", "10", "007", "b"]);
    }
}

#[cfg(test)]
mod wire_tests {
    use super::*;

    #[test]
    fn dates_are_text_in_json_and_columns_survive_both_formats() {
        let log = vec![
            Transaction {
                customer_id: "a".into(),
                date: NaiveDate::from_ymd_opt(2024, 3, 5).unwrap(),
                amount: 12.5,
                margin: None,
                quantity: None,
                channel: None,
                product: None,
            },
            Transaction {
                customer_id: "a".into(),
                date: NaiveDate::from_ymd_opt(2024, 4, 5).unwrap(),
                amount: -1.25,
                margin: Some(3.0),
                quantity: None,
                channel: None,
                product: None,
            },
        ];
        let s = summarize(&log, &SummaryOptions::default()).unwrap();
        let split = summarize(
            &log,
            &SummaryOptions {
                calibration_end: NaiveDate::from_ymd_opt(2024, 3, 20),
                returns: ReturnsPolicy::Keep,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(split.customers[0].holdout_x.is_some());
        #[cfg(not(target_arch = "wasm32"))]
        {
            let bin = bincode::serialize(&split).unwrap();
            assert_eq!(
                bincode::deserialize::<CustomerSummary>(&bin).unwrap(),
                split
            );
        }
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains("\"first\":\"2024-03-05\""), "{json}");
        assert_eq!(serde_json::from_str::<CustomerSummary>(&json).unwrap(), s);
        let tx = TxLog::from_transactions(&log);
        let json = serde_json::to_string(&tx).unwrap();
        assert_eq!(serde_json::from_str::<TxLog>(&json).unwrap(), tx);
        #[cfg(not(target_arch = "wasm32"))]
        {
            let bin = bincode::serialize(&(&s, &tx)).unwrap();
            let back: (CustomerSummary, TxLog) = bincode::deserialize(&bin).unwrap();
            assert_eq!((back.0, back.1), (s, tx));
        }
    }
}
