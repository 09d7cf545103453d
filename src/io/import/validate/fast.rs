//! The usual row checked without the general path's issue bookkeeping: the row has the
//! header's width, no optional column is mapped, the customer cell is not empty, and the date
//! and the amount parse. A date text other than the last one parsed is parsed here and counted
//! in the report's first and last dates (logs sorted by customer, or not sorted at all, change
//! the date on almost every row). Anything else goes to the general path
//! ([`Validator::check`]), which gives such a row exactly this result.

use super::{parse_date, parse_number, Row, Valid, Validator};
use chrono::NaiveDate;

impl Validator {
    /// The row's [`Valid`] and its counts when it is usual; `None`, having changed nothing,
    /// otherwise.
    #[inline]
    pub(super) fn check_plain<'r>(&mut self, cells: &Row<'r>) -> Option<Valid<'r>> {
        if !self.plain || cells.len() != self.width {
            return None;
        }
        let customer = cells.get(self.customer).filter(|c| !c.is_empty())?;
        let text = cells.get(self.date)?;
        let amount = parse_number(cells.get(self.amount)?, self.decimal)?;
        let date = if text == self.last_date.0 {
            let d = self.last_date.1?;
            if !self.last_date_used {
                self.count_date(d);
            }
            d
        } else {
            // Nothing is changed when the text is not a date: the general path reports it.
            let d = match self.dates.get(text) {
                Some(d) => d,
                None => {
                    let d = parse_date(text, &self.date_format)?;
                    self.dates.put(text, d);
                    d
                }
            };
            self.last_date.0.clear();
            self.last_date.0.push_str(text);
            self.last_date.1 = Some(d);
            self.count_date(d);
            d
        };
        self.report.rows_read += 1;
        self.report.rows_used += 1;
        if amount < 0.0 {
            self.report.negative_amounts += 1;
        }
        Some(Valid {
            customer,
            date,
            amount,
            margin: None,
            quantity: None,
            channel: None,
            product: None,
        })
    }
}

/// Slots of the [`DateCache`]: 4,096 (128 KB), so the dates of a few years fit with few
/// collisions (with 64 slots a year's dates in random order mostly missed, and the lookups
/// cost more than they saved).
const SLOT_BITS: u32 = 12;

/// Date texts parsed lately and their dates, by a hash of the text (texts of up to 15 bytes):
/// a log sorted by customer, or not at all, repeats a few hundred dates in no order, and
/// parsing one (`YYYY-MM-DD` through chrono's calendar checks) costs about 140 instructions
/// against about 20 for a lookup. Parsing is a pure function of the text, so a hit is
/// exactly what parsing gives; only dates are kept (a text that is no date is not cached).
#[derive(Debug, Clone)]
pub(super) struct DateCache {
    /// (the text as a key, its date); key 0 is an empty slot.
    slots: Vec<(u128, NaiveDate)>,
}

impl Default for DateCache {
    fn default() -> Self {
        DateCache {
            slots: vec![(0, NaiveDate::MIN); 1 << SLOT_BITS],
        }
    }
}

impl DateCache {
    /// The text as a key: its bytes and its length (never 0 for a text that has one).
    fn key(text: &str) -> Option<u128> {
        let b = text.as_bytes();
        // `YYYY-MM-DD` in two loads; other lengths byte by byte.
        if let (Some(head), Some(&[t0, t1])) = (b.first_chunk::<8>(), b.get(8..)) {
            let tail = u128::from(u16::from_le_bytes([t0, t1]));
            return Some(u128::from(u64::from_le_bytes(*head)) | tail << 64 | 10 << 120);
        }
        if b.is_empty() || b.len() > 15 {
            return None;
        }
        let mut k = [0u8; 16];
        k.get_mut(..b.len())?.copy_from_slice(b);
        k[15] = b.len() as u8;
        Some(u128::from_le_bytes(k))
    }

    fn slot(k: u128) -> usize {
        ((k as u64 ^ (k >> 64) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SLOT_BITS))
            as usize
    }

    /// The date of `text` if it was parsed lately.
    #[inline]
    pub(super) fn get(&self, text: &str) -> Option<NaiveDate> {
        let k = Self::key(text)?;
        self.slots
            .get(Self::slot(k))
            .filter(|s| s.0 == k)
            .map(|s| s.1)
    }

    /// Remembers that `text` is the date `d`.
    pub(super) fn put(&mut self, text: &str, d: NaiveDate) {
        if let Some(k) = Self::key(text) {
            if let Some(s) = self.slots.get_mut(Self::slot(k)) {
                *s = (k, d);
            }
        }
    }
}

impl Validator {
    /// A used row has date `d` (the cached one): the report's first and last dates include it.
    #[inline]
    pub(super) fn count_date(&mut self, d: NaiveDate) {
        self.report.first_date = Some(self.report.first_date.map_or(d, |x| x.min(d)));
        self.report.last_date = Some(self.report.last_date.map_or(d, |x| x.max(d)));
        self.last_date_used = true;
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::{guess_mapping, read_table, ImportOptions};
    use super::*;

    /// Every row through `check`, with the fast path on and off: the rows, values and report
    /// of each, and how many rows the fast path took.
    fn both(text: &str) -> (String, String, usize) {
        let table = read_table(text.as_bytes(), "t.csv", &ImportOptions::default()).unwrap();
        let mapping = guess_mapping(&table);
        let run = |plain: bool| {
            let mut v = Validator::new(&table, &mapping, &ImportOptions::default()).unwrap();
            v.plain &= plain;
            let mut out = String::new();
            let mut fast = 0;
            for i in 0..table.row_count() as usize {
                let (Some(r), Some(line)) = (table.row(i), table.line(i)) else {
                    continue;
                };
                if plain && v.clone().check_plain(&r).is_some() {
                    fast += 1;
                }
                out.push_str(&format!("{:?}\n", v.check(i as u64 + 1, line, r)));
            }
            (format!("{out}{:?}", v.report), fast)
        };
        let ((with, fast), (without, _)) = (run(true), run(false));
        (with, without, fast)
    }

    #[test]
    fn the_fast_path_gives_what_the_general_path_gives() {
        let logs = [
            // Repeated dates with awkward cells between them.
            "customer,date,amount\nC1,2024-01-02,10.50\nC2,2024-01-02,\"1,234.50\"\nC3,2024-01-02,-3\n,2024-01-02,4\nC4,2024-01-02,\nC5,2024-01-02,n/a\nC6,2024-01-02,€5\nC7,2024-01-02,5 EUR\nC8,2024-01-02,(7)\nC9,2024-01-02,+2\nC10,2024-01-02,1e3\n\"C,11\",2024-01-02,2.5\nCé,2024-01-02,3\r\nC12,2024-01-02,4,extra\nC13,2024-01-02\nC14,2024-01-01,1\nC15,2024-01-01, 6 \nC16,2024-01-03,1.5\nC17,2024-01-03,-0\nC18,2024-01-03,12.50-\n",
            // A bad date repeated: its rows are never used, the next good one is.
            "customer,date,amount\nA,2024-02-01,1\nB,2024-13-01,2\nC,2024-13-01,3\nD,2024-02-02,4\nE,2024-02-02,5\nF,,6\nG,2024-02-02,7\n",
            // A bad amount on a new date: the date is not counted until a used row has it.
            "customer,date,amount\nA,2024-03-05,x\nB,2024-03-05,2\nC,2024-03-01,y\nD,2024-03-01,3\nE,2024-03-09,4\n",
            // Sorted by customer: the date changes on almost every row, goes back and forth,
            // and bad, empty and padded dates sit between good ones.
            "customer,date,amount\nA,2024-05-03,1\nA,2024-01-09,2\nA,2024-05-03,3\nB,2023-12-31,4\nB,2024-02-30,5\nB,2024-02-28,6\nC,,7\nC, 2024-02-28,8\nC,2024-02-28,x\nD,2024-06-01,9\nD,2024-06-01,10\nE,2024-06-02,\nE,2024-06-03,11\n",
            // Semicolons and a decimal comma.
            "kunde;datum;betrag\nK1;01.02.2024;12,50\nK2;01.02.2024;1.234,50\nK3;01.02.2024;-3\nK4;01.02.2024;\"7,25\"\nK5;02.02.2024;9\n",
        ];
        let mut fast = Vec::new();
        for log in logs {
            let (with, without, n) = both(log);
            assert_eq!(with, without, "{log}");
            fast.push(n);
        }
        // Every row with the header's width, a customer, a date and an amount that parse:
        // the first log's 15 (not the empty customer, the missing or unreadable amounts, the
        // ragged rows), the second's A-D-E-G, the third's B-D-E, the fourth's 9, the fifth's 5.
        assert_eq!(fast, [15, 4, 3, 9, 5], "rows the fast path took");
    }

    #[test]
    fn the_date_cache_gives_what_parsing_gives() {
        let mut c = DateCache::default();
        let f = super::super::DateFormat::Ymd;
        // Every day of 16 years (more dates than slots, so texts evict each other), plus
        // texts that share a prefix or differ only in length or padding; looked up in a
        // window of 80 texts sliding over the list in a pseudo-random order, then in no order.
        let mut texts: Vec<String> = (0..6000)
            .map(|i| {
                (NaiveDate::from_ymd_opt(2010, 1, 1).unwrap() + chrono::Days::new(i)).to_string()
            })
            .collect();
        texts.extend(
            [
                "2024-01-0",
                "2024-01-01 ",
                " 2024-01-01",
                "20240101",
                "2024-1-1",
                "2024-01-01T10:00",
                "2024-13-01",
                "2024-02-30",
            ]
            .map(String::from),
        );
        let (mut hits, mut seed) = (0, 7u64);
        for i in 0..40_000usize {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let r = (seed >> 33) as usize;
            let at = if i < 20_000 {
                r % 80 + i * texts.len() / 20_000
            } else {
                r
            };
            let t = &texts[at % texts.len()];
            let parsed = parse_date(t, &f);
            match c.get(t) {
                Some(d) => {
                    hits += 1;
                    assert_eq!(Some(d), parsed, "{t}");
                }
                None => {
                    if let Some(d) = parsed {
                        c.put(t, d);
                    }
                }
            }
            assert_eq!(
                c.get(t),
                parsed.filter(|_| t.len() <= 15),
                "{t} right after"
            );
        }
        assert!(hits > 10_000, "hits: {hits}");
        assert_eq!(c.get(""), None);
    }

    #[test]
    fn the_fast_path_would_be_caught_if_it_skipped_the_first_and_last_dates() {
        // The first use of a date must be counted in the report's range: a fast path that
        // skipped it would leave the report's last date behind.
        let (with, _, _) = both("customer,date,amount\nA,2024-01-01,1\nB,2024-01-01,2\nC,2024-05-01,3\nD,2024-05-01,4\n");
        assert!(with.contains("2024-05-01"), "{with}");
    }
}
