//! The summary of a log whose days never go back (an export in date order, the usual case),
//! in one pass over the rows: each customer's purchase days are met in order, so they are
//! merged and counted as they come, with no grouping of the rows by customer, no sort and no
//! second read of the amounts. The same arithmetic in the same order as the general path
//! (same-day amounts added in file order, the days' amounts summed in day order from the
//! same start), so the same summary to the bit; pinned in `tests`.

use super::{CustomerRecord, Days, ExclusionReason, OptF64, ReturnsPolicy, Seen, TxLog};
use chrono::NaiveDate;

/// A day number no date has: "none" in [`Acc`]'s day fields.
const NO_DAY: i32 = i32::MIN;

/// One customer's purchase days so far: 56 bytes, one per distinct id, all alive while the
/// records are made (as `Option`s of tuples it was 72: 25 MB more at 1.6 million customers).
#[derive(Debug, Clone, Copy)]
struct Acc {
    /// The day being added up ([`NO_DAY`]: none), its amount so far, and whether it has a
    /// negative row.
    open_day: i32,
    open_amount: f64,
    open_negative: bool,
    /// A row of theirs was kept (in the period, not a dropped return).
    any_kept: bool,
    /// The first day kept as an occasion ([`NO_DAY`]: none yet) and its amount.
    first_day: i32,
    first_amount: f64,
    /// Occasions up to the calibration end (the first included), the last of them, and the
    /// sum of the amounts after the first.
    n_cal: u32,
    last_cal: i32,
    repeat: f64,
    /// Occasions after the calibration end and their amounts.
    n_hold: u32,
    hold: f64,
}

/// Builds the customers (in rank order `order`) and what the summary saw of each when the
/// log's days never decrease; returns false, having changed nothing, when they do.
#[allow(clippy::too_many_arguments)]
pub(super) fn summarize(
    log: &TxLog,
    n: usize,
    order: &[u32],
    span: &Days,
    returns: ReturnsPolicy,
    seen: &mut [Seen],
    customers: &mut Vec<CustomerRecord>,
    returns_rows: &mut u64,
) -> bool {
    let (Some(day), Some(customer), Some(amount)) =
        (log.day.get(..n), log.customer.get(..n), log.amount.get(..n))
    else {
        return false;
    };
    if !day.windows(2).all(|w| w.first() <= w.get(1)) {
        return false;
    }
    // The start of every sum, as `Iterator::sum` starts.
    let zero: f64 = std::iter::empty::<f64>().sum();
    let mut accs = vec![
        Acc {
            open_day: NO_DAY,
            open_amount: zero,
            open_negative: false,
            any_kept: false,
            first_day: NO_DAY,
            first_amount: zero,
            n_cal: 0,
            last_cal: 0,
            repeat: zero,
            n_hold: 0,
            hold: zero,
        };
        log.ids.len()
    ];
    // Per customer index, as the general path's first pass sets it per rank.
    let mut state = vec![Seen::Nothing; log.ids.len()];
    let close = |acc: &mut Acc| {
        if acc.open_day == NO_DAY {
            return;
        }
        let (d, a, negative) = (acc.open_day, acc.open_amount, acc.open_negative);
        acc.open_day = NO_DAY;
        // Net: a day whose returns outweigh its purchases, or cancel them in full, is not an
        // occasion; a day of zero-amount orders without returns still is.
        if returns == ReturnsPolicy::Net && !(a > 0.0 || (a == 0.0 && !negative)) {
            return;
        }
        if acc.first_day == NO_DAY {
            acc.first_day = d;
            acc.first_amount = a;
            if d <= span.cal_day {
                acc.n_cal = 1;
                acc.last_cal = d;
            }
        } else if d <= span.cal_day {
            acc.n_cal += 1;
            acc.last_cal = d;
            acc.repeat += a;
        } else {
            acc.n_hold += 1;
            acc.hold += a;
        }
    };
    for ((&c, &d), &a) in customer.iter().zip(day).zip(amount) {
        let (Some(acc), Some(s)) = (accs.get_mut(c as usize), state.get_mut(c as usize)) else {
            continue;
        };
        if d > span.end_day {
            if *s == Seen::Nothing {
                *s = Seen::AfterEnd;
            }
            continue;
        }
        *s = Seen::InPeriod;
        if a < 0.0 {
            *returns_rows += 1;
            if returns == ReturnsPolicy::Drop {
                continue;
            }
        }
        acc.any_kept = true;
        if acc.open_day == d {
            acc.open_amount += a;
            acc.open_negative |= a < 0.0;
        } else {
            close(acc);
            acc.open_day = d;
            acc.open_amount = a;
            acc.open_negative = a < 0.0;
        }
    }
    let as_date = |d: i32| NaiveDate::from_num_days_from_ce_opt(d).unwrap_or_default();
    for (r, &c) in order.iter().enumerate() {
        let (Some(acc), Some(s), Some(out)) = (
            accs.get_mut(c as usize),
            state.get(c as usize),
            seen.get_mut(r),
        ) else {
            continue;
        };
        *out = *s;
        if !acc.any_kept {
            continue;
        }
        close(acc);
        let (first, first_amount) = (acc.first_day, acc.first_amount);
        if first == NO_DAY {
            *out = Seen::Left(ExclusionReason::OnlyReturns);
            continue;
        }
        if first > span.cal_day {
            *out = Seen::Left(ExclusionReason::FirstAfterCalibration);
            continue;
        }
        *out = Seen::Kept;
        let x = f64::from(acc.n_cal.saturating_sub(1));
        customers.push(CustomerRecord {
            id: log.ids.get(c as usize).cloned().unwrap_or_default(),
            x,
            t_x: f64::from(acc.last_cal - first) / span.unit,
            t: f64::from(span.cal_day - first) / span.unit,
            monetary: if x > 0.0 { acc.repeat / x } else { 0.0 },
            weight: 1.0,
            first: Some(as_date(first)),
            last: Some(as_date(acc.last_cal)),
            occasions: acc.n_cal,
            total_spend: first_amount + acc.repeat,
            total_margin: OptF64::NONE,
            holdout_x: span.split.then_some(f64::from(acc.n_hold)).into(),
            holdout_spend: span.split.then_some(acc.hold).into(),
        });
    }
    true
}

#[cfg(test)]
mod tests {
    use super::super::summarize_columns;
    use crate::domain::customers::{ReturnsPolicy, SummaryOptions, TimeUnit, TxColumns};
    use chrono::NaiveDate;

    /// A log in date order: several rows a day per customer, zero and negative amounts (whole
    /// returns, partial returns, returns alone), customers seen once, late joiners.
    fn log(rows: u32, seed: u64) -> TxColumns {
        let mut x = seed;
        let mut next = |m: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % m
        };
        let mut cols = TxColumns::default();
        let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
        let mut day = 0u64;
        for _ in 0..rows {
            day += u64::from(next(5) == 0);
            let id = format!("C{}", next(40) + if day > 60 { 20 } else { 0 });
            let amount = match next(12) {
                0 => 0.0,
                1 => -(next(3000) as f64) / 100.0,
                2 => -12.5,
                _ => (next(5000) as f64) / 100.0 + 0.1,
            };
            let date = start + chrono::Days::new(day);
            cols.push(&id, date, amount, None);
        }
        cols
    }

    #[test]
    fn a_log_in_date_order_gives_what_the_general_path_gives() {
        let d = |m: u32, dd: u32| NaiveDate::from_ymd_opt(2024, m, dd);
        let mut compared = 0;
        for seed in 1..6u64 {
            let cols = log(3_000, seed);
            let none = vec![None; cols.log.len()];
            for returns in [ReturnsPolicy::Net, ReturnsPolicy::Drop, ReturnsPolicy::Keep] {
                for (observation_end, calibration_end) in [
                    (None, None),
                    (None, d(2, 1)),
                    (d(3, 1), d(2, 10)),
                    (d(1, 20), None),
                    (d(4, 30), d(4, 29)),
                ] {
                    for time_unit in [TimeUnit::Day, TimeUnit::Week] {
                        let options = SummaryOptions {
                            time_unit,
                            observation_end,
                            calibration_end,
                            returns,
                        };
                        // An empty margin column takes the one-pass path; a column of
                        // no margins (the same data) the general one.
                        let fast = summarize_columns(&cols.log, &[], &options);
                        let general = summarize_columns(&cols.log, &none, &options);
                        assert_eq!(
                            format!("{fast:?}"),
                            format!("{general:?}"),
                            "seed {seed}, {options:?}"
                        );
                        compared += 1;
                    }
                }
            }
        }
        assert_eq!(compared, 150);
    }

    #[test]
    fn what_is_held_per_customer_stays_small() {
        // One of each per distinct id, all alive at the summary's peak (1.6 million ids: 88
        // and 177 MB natively; in WebAssembly, where a String is 12 bytes, a record is 96).
        assert_eq!(std::mem::size_of::<super::Acc>(), 56);
        assert_eq!(
            std::mem::size_of::<crate::domain::customers::CustomerRecord>(),
            if cfg!(target_pointer_width = "64") {
                112
            } else {
                96
            }
        );
    }

    #[test]
    fn a_log_out_of_date_order_takes_the_general_path() {
        let mut cols = log(500, 7);
        let first = cols.log.day.first().copied().unwrap_or(0);
        cols.log.day.push(first);
        cols.log.customer.push(0);
        cols.log.amount.push(5.0);
        let (mut seen, mut customers, mut returns) = (Vec::new(), Vec::new(), 0);
        let span = super::Days {
            end_day: i32::MAX,
            cal_day: i32::MAX,
            unit: 1.0,
            split: false,
        };
        let n = cols.log.len();
        assert!(!super::summarize(
            &cols.log,
            n,
            &[],
            &span,
            ReturnsPolicy::Net,
            &mut seen,
            &mut customers,
            &mut returns
        ));
        assert!(customers.is_empty() && returns == 0);
    }
}
