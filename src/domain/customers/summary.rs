//! The customer summary (x, t_x, T, mean spend) and how it is built from a log: same-day
//! purchases merged, returns netted or dropped, a calibration/holdout split, ids in natural
//! order.

use super::excluded::{ExcludedBuilder, ExcludedCustomers, ExclusionReason};
use super::wire::{day_number, record_columns};
use super::{OptF64, ReturnsPolicy, SummaryOptions, TimeUnit, Transaction, TxColumns, TxLog};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

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
    pub total_margin: OptF64,
    /// Repeat occasions in the holdout period (only with a calibration split).
    #[serde(default)]
    pub holdout_x: OptF64,
    /// Spend in the holdout period (only with a calibration split).
    #[serde(default)]
    pub holdout_spend: OptF64,
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
            total_margin: OptF64::NONE,
            holdout_x: OptF64::NONE,
            holdout_spend: OptF64::NONE,
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
    /// Customers of the log who are not in [`Self::customers`], by reason (ids capped).
    #[serde(default)]
    pub excluded: Vec<ExcludedCustomers>,
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

/// Builds the customer summary from a transaction log.
///
/// Purchases of one customer on the same day are merged into one occasion (amounts summed);
/// a day of zero-amount orders is still an occasion (returns policy "net" drops only days
/// whose returns outweigh or cancel their purchases). Transactions after the observation end are
/// ignored. Customers whose first purchase falls after the calibration end are left out of a
/// split summary (they were not yet customers). Everyone left out is counted and listed by
/// reason in [`CustomerSummary::excluded`].
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

    // Rank the distinct ids in their final (natural) order, once: (plain numbers first, by
    // length; then the text) orders them as `natural_id_cmp` does. The text's first 8 bytes
    // as one big-endian integer decide nearly every comparison without comparing strings (a
    // text sort of 164,503 ids compared strings 2.8 million times); equal prefixes fall back
    // to the whole text.
    let mut order: Vec<(u64, u64, &str, u32)> = log
        .ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let class = if is_plain_number(id) {
                id.len() as u64
            } else {
                u64::MAX
            };
            (class, id_prefix(id), id.as_str(), i as u32)
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

    let unit = options.time_unit.days();
    let split = options.calibration_end.is_some();
    let mut returns_rows = 0u64;
    // Per customer rank, what the summary saw of them (to say why anyone is left out).
    let mut seen = vec![Seen::Nothing; log.ids.len()];
    // Sized once: at most one record per distinct id. Grown by doubling, the records (about
    // 130 bytes each) were copied at every doubling, and WebAssembly's allocator held the old
    // and the new block at once: 400 MB at 1.6 million customers, on top of the log.
    let mut customers = Vec::with_capacity(log.ids.len());
    let span = Days {
        end_day,
        cal_day,
        unit,
        split,
    };
    if !(margin.is_empty()
        && in_order::summarize(
            log,
            n,
            &order,
            &span,
            options.returns,
            &mut seen,
            &mut customers,
            &mut returns_rows,
        ))
    {
        // Usable rows grouped by customer rank with a counting sort (two passes over the rows:
        // count, then place), each customer's rows then sorted by (day, row) as one integer: file
        // order within a day, so sums are reproducible. A comparison sort of all (rank, day, row)
        // keys took twice as long on 2,000,000 rows.
        // Rows kept per rank, then (prefix sums) where each rank's rows start.
        let mut starts = vec![0u32; log.ids.len() + 1];
        let kept =
            |d: i32, a: f64| d <= end_day && !(a < 0.0 && options.returns == ReturnsPolicy::Drop);
        for i in 0..n {
            let (Some(&c), Some(&d), Some(&a)) =
                (log.customer.get(i), log.day.get(i), log.amount.get(i))
            else {
                continue;
            };
            let r = rank.get(c as usize).copied().unwrap_or(0);
            let state = seen.get_mut(r as usize);
            if d > end_day {
                if let Some(s) = state {
                    if *s == Seen::Nothing {
                        *s = Seen::AfterEnd;
                    }
                }
                continue;
            }
            if let Some(s) = state {
                *s = Seen::InPeriod;
            }
            if a < 0.0 {
                returns_rows += 1;
            }
            if kept(d, a) {
                if let Some(x) = starts.get_mut(r as usize + 1) {
                    *x += 1;
                }
            }
        }
        for i in 1..starts.len() {
            let before = starts.get(i - 1).copied().unwrap_or(0);
            if let Some(x) = starts.get_mut(i) {
                *x += before;
            }
        }
        // (day − first day) << 32 | row, grouped by rank.
        let mut keys: Vec<u64> = vec![0; starts.last().copied().unwrap_or(0) as usize];
        {
            let mut next = starts.clone();
            for i in 0..n {
                let (Some(&c), Some(&d), Some(&a)) =
                    (log.customer.get(i), log.day.get(i), log.amount.get(i))
                else {
                    continue;
                };
                if !kept(d, a) {
                    continue;
                }
                let r = rank.get(c as usize).copied().unwrap_or(0) as usize;
                if let Some(at) = next.get_mut(r) {
                    if let Some(k) = keys.get_mut(*at as usize) {
                        *k = (u64::from((d - lo) as u32) << 32) | i as u64;
                    }
                    *at += 1;
                }
            }
        }

        // Ids first seen in id order (a log sorted by customer) are cloned as the records are
        // made, in the order they are stored; otherwise afterwards (see `attach_ids`).
        let ids_in_rank_order =
            order.windows(2).filter(|w| w.first() < w.get(1)).count() * 2 >= order.len();
        let mut days: Vec<(i32, f64, Option<f64>)> = Vec::new();
        // Days (in order) on which the customer has a negative row.
        let mut returned: Vec<i32> = Vec::new();
        for (r, w) in starts.windows(2).enumerate() {
            let (&[a, b], r) = (w, r as u64) else {
                continue;
            };
            let Some(rows) = keys.get_mut(a as usize..b as usize) else {
                continue;
            };
            if rows.is_empty() {
                continue;
            }
            rows.sort_unstable();
            days.clear();
            returned.clear();
            for &key in rows.iter() {
                let row = (key & u64::from(u32::MAX)) as usize;
                let d = lo + (key >> 32) as i32;
                let a = log.amount.get(row).copied().unwrap_or(0.0);
                let m = margin.get(row).copied().flatten();
                if a < 0.0 && returned.last() != Some(&d) {
                    returned.push(d);
                }
                match days.last_mut() {
                    Some(last) if last.0 == d => {
                        last.1 += a;
                        if let Some(m) = m {
                            last.2 = Some(last.2.unwrap_or(0.0) + m);
                        }
                    }
                    _ => days.push((d, a, m)),
                }
            }
            if options.returns == ReturnsPolicy::Net {
                // A day whose returns outweigh its purchases, or cancel them in full, is not an
                // occasion; a day of zero-amount orders without returns (free orders) still is.
                days.retain(|(d, a, _)| {
                    *a > 0.0 || (*a == 0.0 && returned.binary_search(d).is_err())
                });
            }
            let state = seen.get_mut(r as usize);
            let Some(&(first, first_amount, _)) = days.first() else {
                if let Some(s) = state {
                    *s = Seen::Left(ExclusionReason::OnlyReturns);
                }
                continue;
            };
            if first > cal_day {
                if let Some(s) = state {
                    *s = Seen::Left(ExclusionReason::FirstAfterCalibration);
                }
                continue;
            }
            if let Some(s) = state {
                *s = Seen::Kept;
            }
            let n_cal = days.iter().take_while(|(d, _, _)| *d <= cal_day).count();
            let (cal, hold) = days.split_at(n_cal);
            let last = cal.last().map_or(first, |(d, _, _)| *d);
            let x = cal.len().saturating_sub(1) as f64;
            let repeat_total: f64 = cal.iter().skip(1).map(|(_, a, _)| *a).sum();
            let monetary = if x > 0.0 { repeat_total / x } else { 0.0 };
            let has_margin = cal.iter().any(|(_, _, m)| m.is_some());
            let total_margin = has_margin.then(|| cal.iter().filter_map(|(_, _, m)| *m).sum());
            customers.push(CustomerRecord {
                id: if ids_in_rank_order {
                    order
                        .get(r as usize)
                        .and_then(|&c| log.ids.get(c as usize))
                        .cloned()
                        .unwrap_or_default()
                } else {
                    String::new()
                },
                x,
                t_x: f64::from(last - first) / unit,
                t: f64::from(cal_day - first) / unit,
                monetary,
                weight: 1.0,
                first: Some(as_date(first)),
                last: Some(as_date(last)),
                occasions: cal.len() as u32,
                total_spend: first_amount + repeat_total,
                total_margin: total_margin.into(),
                holdout_x: split.then_some(hold.len() as f64).into(),
                holdout_spend: split.then(|| hold.iter().map(|(_, a, _)| *a).sum()).into(),
            });
        }
        if !ids_in_rank_order {
            attach_ids(&mut customers, &order, &seen, &log.ids);
        }
    }
    if customers.is_empty() {
        return Err(SummaryError::NoTransactions);
    }
    let mut excluded = ExcludedBuilder::default();
    for (r, state) in seen.iter().enumerate() {
        let reason = match state {
            Seen::Nothing | Seen::Kept => continue,
            Seen::AfterEnd => ExclusionReason::AfterObservationEnd,
            // In the period, but every row a dropped return (policy "drop").
            Seen::InPeriod => ExclusionReason::OnlyReturns,
            Seen::Left(reason) => *reason,
        };
        let id = order
            .get(r)
            .and_then(|&c| log.ids.get(c as usize))
            .map_or("", String::as_str);
        excluded.push(reason, id);
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
        excluded: excluded.finish(),
    })
}

/// Gives each record of the general path its id. The records are made in rank (id) order
/// while the ids are stored in first-seen order, each text a block of its own: cloned as each
/// record was made, every clone read a block far from the last, the one jump in a loop that
/// otherwise reads in order (43 ms of a 1,000,000-row import's 300 in WebAssembly, 11.6 % of
/// its profile). Cloned here in the order they are stored, the reads follow memory and only
/// the small writes into the records jump: the summary of the 1,000,000-row random-order log
/// took 90–128 ms against 116–144 ms in V8 (six interleaved runs). Not used where the ids were
/// first seen in id order (the clones already follow memory), nor by the date-order path (its
/// loop already jumps to each customer's sums, and the extra pass cost it 15 ms). `seen` (per
/// rank) marks the ranks that have a record, in the order the records were pushed.
fn attach_ids(customers: &mut [CustomerRecord], order: &[u32], seen: &[Seen], ids: &[String]) {
    // Per stored id, its record (u32::MAX: none).
    let mut record = vec![u32::MAX; ids.len()];
    let kept = seen
        .iter()
        .zip(order)
        .filter(|(s, _)| **s == Seen::Kept)
        .map(|(_, &c)| c);
    for (k, c) in kept.enumerate() {
        if let Some(slot) = record.get_mut(c as usize) {
            *slot = k as u32;
        }
    }
    for (id, &k) in ids.iter().zip(&record) {
        if let Some(r) = customers.get_mut(k as usize) {
            r.id = id.clone();
        }
    }
}

/// The days a summary is built over (days from the common era) and its time unit.
struct Days {
    /// The observation end: later rows are left out.
    end_day: i32,
    /// The calibration end (the observation end without a split).
    cal_day: i32,
    /// Days per time unit.
    unit: f64,
    /// Whether there is a holdout period.
    split: bool,
}

mod in_order;

/// What the summary saw of one customer (by rank), to say why they are not in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// No row at all.
    Nothing,
    /// Rows only after the observation end.
    AfterEnd,
    /// Rows in the period (none kept yet).
    InPeriod,
    /// In the summary.
    Kept,
    /// Left out for this reason.
    Left(ExclusionReason),
}

/// The first 8 bytes of `id`, zero-padded, as a big-endian integer: ordered as the texts are
/// wherever the prefixes differ.
fn id_prefix(id: &str) -> u64 {
    let mut k = [0u8; 8];
    for (d, s) in k.iter_mut().zip(id.as_bytes()) {
        *d = *s;
    }
    u64::from_be_bytes(k)
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
            tx("a", "2020-01-02", -12.0),
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
    fn a_zero_amount_day_is_a_purchase_occasion() {
        let log = vec![
            tx("free", "2020-01-01", 0.0),
            tx("free", "2020-01-05", 0.0),
            tx("a", "2020-01-01", 10.0),
            tx("a", "2020-01-03", 5.0),
            tx("a", "2020-01-03", -5.0),
        ];
        for returns in [ReturnsPolicy::Net, ReturnsPolicy::Drop, ReturnsPolicy::Keep] {
            let s = summarize(
                &log,
                &SummaryOptions {
                    returns,
                    ..Default::default()
                },
            )
            .unwrap();
            assert_eq!(s.customers.len(), 2, "{returns:?}");
            let free = s.customers.iter().find(|c| c.id == "free").unwrap();
            assert_eq!(free.x, 1.0);
            assert_eq!(free.occasions, 2);
            assert!(s.excluded.is_empty());
        }
        let net = summarize(&log, &SummaryOptions::default()).unwrap();
        let a = net.customers.iter().find(|c| c.id == "a").unwrap();
        assert_eq!(
            a.x, 0.0,
            "a day bought and returned in full is not an occasion"
        );
    }

    #[test]
    fn everyone_left_out_is_listed_with_the_reason() {
        let log = vec![
            tx("kept", "2020-01-01", 10.0),
            tx("kept", "2020-03-01", 10.0),
            tx("returns", "2020-01-02", 10.0),
            tx("returns", "2020-01-02", -15.0),
            tx("refund", "2020-01-03", -4.0),
            tx("late", "2020-02-10", 8.0),
            tx("later", "2020-04-10", 8.0),
        ];
        let opts = SummaryOptions {
            time_unit: TimeUnit::Day,
            observation_end: Some(d("2020-03-31")),
            calibration_end: Some(d("2020-01-31")),
            ..Default::default()
        };
        let s = summarize(&log, &opts).unwrap();
        assert_eq!(s.customers.len(), 1);
        let by = |r: ExclusionReason| {
            s.excluded
                .iter()
                .find(|e| e.reason == r)
                .map(|e| (e.count, e.ids.clone()))
        };
        assert_eq!(
            by(ExclusionReason::OnlyReturns),
            Some((2, vec!["refund".to_string(), "returns".to_string()]))
        );
        assert_eq!(
            by(ExclusionReason::FirstAfterCalibration),
            Some((1, vec!["late".to_string()]))
        );
        assert_eq!(
            by(ExclusionReason::AfterObservationEnd),
            Some((1, vec!["later".to_string()]))
        );
        assert_eq!(
            crate::domain::customers::excluded_sentence(&s.excluded).as_deref(),
            Some(
                "4 customers left out: 2 only returned goods, 1 first bought after the \
                 calibration end, 1 bought only after the observation end"
            )
        );
        let dropped = summarize(
            &log,
            &SummaryOptions {
                returns: ReturnsPolicy::Drop,
                ..opts
            },
        )
        .unwrap();
        let only = dropped
            .excluded
            .iter()
            .find(|e| e.reason == ExclusionReason::OnlyReturns)
            .unwrap();
        assert_eq!(only.ids, vec!["refund".to_string()]);
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

    /// Both ways the general path gives records their ids: ids first seen in id order (cloned
    /// as the records are made) and in another order (attached afterwards), with customers left
    /// out between kept ones. Each record must carry its own id: its amounts say whose it is.
    #[test]
    fn every_record_gets_its_own_id_whatever_order_the_ids_came_in() {
        let n = 200u32;
        let id = |i: u32| format!("K{i:04}");
        for shuffled in [false, true] {
            let mut rows = Vec::new();
            for j in 0..n {
                // The identity, or a permutation of 0..n (103 is coprime with 200) under which
                // the next id in id order was mostly seen earlier, not later.
                let i = if shuffled { (j * 103 + 13) % n } else { j };
                // Customer i buys i + 1 on two days, in reverse date order (the general path);
                // every seventh has only a return (left out).
                let amount = if i % 7 == 3 { -5.0 } else { f64::from(i) + 1.0 };
                rows.push(tx(&id(i), "2024-03-01", amount));
                rows.push(tx(&id(i), "2024-01-01", amount));
            }
            let s = summarize(&rows, &SummaryOptions::default()).unwrap();
            let kept: Vec<u32> = (0..n).filter(|i| i % 7 != 3).collect();
            assert_eq!(s.customers.len(), kept.len());
            for (r, &i) in s.customers.iter().zip(&kept) {
                assert_eq!(r.id, id(i), "shuffled {shuffled}");
                assert_eq!(r.total_spend, 2.0 * (f64::from(i) + 1.0), "{}", r.id);
            }
            let left = s.excluded.iter().map(|e| e.count).sum::<u64>();
            assert_eq!(left, u64::from(n) - kept.len() as u64);
        }
    }

    #[test]
    fn ids_sort_naturally() {
        let mut v = vec!["10", "2", "007", "b", "1", "0"];
        v.sort_by(|a, b| natural_id_cmp(a, b));
        assert_eq!(v, vec!["0", "1", "2", "10", "007", "b"]);
    }

    #[test]
    fn the_summary_lists_customers_in_natural_id_order() {
        // Ids that tie on their first 8 bytes, prefixes of each other (with and without a
        // zero byte after), numbers of several lengths, leading zeros, non-ASCII text.
        let mut ids: Vec<String> = vec![
            "customer",
            "customer\u{0}",
            "customer-1",
            "customer-10",
            "customer-2",
            "custome",
            "c",
            "C",
            "",
            "0",
            "00",
            "9",
            "10",
            "18446744073709551616",
            "99999999999999999999",
            "é",
            "e\u{301}",
            "zzzzzzzzzzzzzzzz",
            "zzzzzzzzzzzzzzzy",
            "ab\u{0}\u{0}",
            "ab\u{0}",
            "ab",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        let mut x: u64 = 7;
        for _ in 0..3000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ids.push(match x >> 62 {
                0 => format!("{}", x >> (30 + (x >> 58) % 30)),
                1 => format!("CUST{:07}", (x >> 20) % 10_000_000),
                2 => format!("customer-{}", (x >> 33) % 5000),
                _ => format!("{:0w$}", (x >> 40) % 1000, w = ((x >> 12) % 6) as usize),
            });
        }
        ids.retain(|id| !id.is_empty());
        let mut log = Vec::new();
        for id in &ids {
            log.push(tx(id, "2020-01-01", 1.0));
        }
        let got: Vec<String> = summarize(&log, &SummaryOptions::default())
            .unwrap()
            .customers
            .into_iter()
            .map(|c| c.id)
            .collect();
        let mut want = ids.clone();
        want.sort_by(|a, b| natural_id_cmp(a, b));
        want.dedup();
        assert_eq!(got, want);
    }
}
