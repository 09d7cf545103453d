//! Date parsing and date-format detection: ISO `2024-03-05` (also with `/` or `.`),
//! day-first `05/03/2024` and month-first `3/5/2024` with `/ . -`, compact `20240305`,
//! English month names (`05-Mar-2024`), optional times (`2024-03-05 14:30:00`,
//! `2024-03-05T14:30Z`, `3/5/2024 2:30 PM`), Excel serial numbers, or an explicit chrono
//! pattern. The time of day is read but not kept: the domain works in calendar days.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// How the dates of a column are written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateFormat {
    /// Year first: `2024-03-05`, `2024/03/05`.
    Ymd,
    /// Day first: `05/03/2024`, `5.3.24`, `05-03-2024`.
    Dmy,
    /// Month first: `3/5/2024`.
    Mdy,
    /// Eight digits without separators: `20240305`.
    Compact,
    /// Excel serial day numbers (days since 1899-12-30): `45356`.
    ExcelSerial,
    /// An explicit chrono pattern such as `%d/%m/%Y` or `%Y-%m-%d %H:%M`.
    Pattern(String),
}

impl DateFormat {
    /// A short human description (`day/month/year`).
    pub fn describe(&self) -> String {
        match self {
            DateFormat::Ymd => "year-month-day".into(),
            DateFormat::Dmy => "day/month/year".into(),
            DateFormat::Mdy => "month/day/year".into(),
            DateFormat::Compact => "YYYYMMDD".into(),
            DateFormat::ExcelSerial => "Excel serial day numbers".into(),
            DateFormat::Pattern(p) => format!("pattern {p}"),
        }
    }

    /// Parses a user-given format: `ymd`/`iso`, `dmy`, `mdy`, `yyyymmdd`, `excel`, or a
    /// chrono pattern containing `%`.
    pub fn parse(s: &str) -> Option<DateFormat> {
        let t = s.trim();
        if t.contains('%') {
            return Some(DateFormat::Pattern(t.to_string()));
        }
        let lower = t.to_ascii_lowercase();
        if lower == "yyyymmdd" || lower == "compact" {
            return Some(DateFormat::Compact);
        }
        match lower.replace(['/', '-', '.', ' '], "").as_str() {
            "ymd" | "iso" | "yyyymmdd" => Some(DateFormat::Ymd),
            "dmy" | "ddmmyyyy" | "ddmmyy" => Some(DateFormat::Dmy),
            "mdy" | "mmddyyyy" | "mmddyy" => Some(DateFormat::Mdy),
            "excel" | "serial" | "excelserial" => Some(DateFormat::ExcelSerial),
            _ => None,
        }
    }
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month_name(s: &str) -> Option<u32> {
    let l = s.get(..3)?.to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|m| *m == l)
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// The shape of one date text, before the day/month order is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Year first, or a month name: unambiguous.
    Exact(NaiveDate),
    /// Eight digits.
    Compact(NaiveDate),
    /// Two small numbers then a year: (first, second, year).
    Pair(u32, u32, i32),
}

/// Splits "date[ T]time" and checks the time part loosely.
fn split_time(s: &str) -> Option<(&str, bool)> {
    let s = s.trim();
    let cut = s.find([' ', 'T']);
    match cut {
        None => Some((s, false)),
        Some(i) => {
            let (d, rest) = (s.get(..i)?, s.get(i + 1..)?.trim());
            // "Mar 5, 2024" style: a space inside the date part.
            if d.chars().all(|c| c.is_ascii_alphabetic()) {
                return Some((s, false));
            }
            let time_ok = !rest.is_empty()
                && rest.chars().all(|c| {
                    c.is_ascii_digit()
                        || matches!(
                            c,
                            ':' | '.' | ' ' | 'Z' | '+' | '-' | 'A' | 'P' | 'M' | 'a' | 'p' | 'm'
                        )
                })
                && rest.starts_with(|c: char| c.is_ascii_digit())
                && rest.contains(':');
            time_ok.then_some((d, true))
        }
    }
}

fn year_of(s: &str) -> Option<i32> {
    if !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let y: i32 = s.parse().ok()?;
    match s.len() {
        2 => Some(if y < 70 { 2000 + y } else { 1900 + y }),
        4 => Some(y),
        _ => None,
    }
}

fn small(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 2 || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// [`shape_general`], with quick answers for the two common cells detection tries as dates:
/// `YYYY-MM-DD` and text that opens with a letter but no month name (ids such as "C0134900").
fn shape(s: &str) -> Option<(Shape, bool)> {
    if let Some(d) = iso_fast(s.as_bytes()) {
        return Some((Shape::Exact(d), false));
    }
    // Text opening with a letter is a date only as "Mar 5, 2024": its first part (up to a
    // separator, a space or a 'T') must begin with a month name's three letters. Without a
    // separator among the first three bytes, these are that part's first three.
    let t = s.trim();
    if t.as_bytes().first().is_some_and(u8::is_ascii_alphabetic) {
        if let Some(head) = t.get(..3) {
            if !head.contains([' ', ',', '-', '/', '.', 'T']) && month_name(head).is_none() {
                return None;
            }
        }
    }
    shape_general(s)
}

/// The shape of any date text (see [`Shape`]); `None` when it is not a date.
fn shape_general(s: &str) -> Option<(Shape, bool)> {
    let (d, has_time) = split_time(s)?;
    let b = d.as_bytes();
    if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
        let y: i32 = d.get(..4)?.parse().ok()?;
        let m: u32 = d.get(4..6)?.parse().ok()?;
        let dd: u32 = d.get(6..8)?.parse().ok()?;
        if !(1900..=2200).contains(&y) {
            return None;
        }
        return Some((Shape::Compact(NaiveDate::from_ymd_opt(y, m, dd)?), has_time));
    }
    // "Mar 5, 2024" / "March 5 2024"
    if b.first().is_some_and(u8::is_ascii_alphabetic) {
        let parts: Vec<&str> = d
            .split([' ', ',', '-', '/', '.'])
            .filter(|p| !p.is_empty())
            .collect();
        if let [m, dd, y] = parts.as_slice() {
            let date = NaiveDate::from_ymd_opt(year_of(y)?, month_name(m)?, small(dd)?)?;
            return Some((Shape::Exact(date), has_time));
        }
        return None;
    }
    let sep = d.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let mut it = d.split(sep);
    let (a, m, c) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() {
        return None;
    }
    if a.len() == 4 {
        let date = NaiveDate::from_ymd_opt(year_of(a)?, small(m)?, small(c)?)?;
        return Some((Shape::Exact(date), has_time));
    }
    let year = year_of(c)?;
    if let Some(mn) = month_name(m).filter(|_| m.len() >= 3) {
        let date = NaiveDate::from_ymd_opt(year, mn, small(a)?)?;
        return Some((Shape::Exact(date), has_time));
    }
    let (x, y) = (small(a)?, small(m)?);
    if x == 0 || y == 0 || (x > 12 && y > 12) || x > 31 || y > 31 {
        return None;
    }
    Some((Shape::Pair(x, y, year), has_time))
}

/// Converts an Excel serial day number (1900 system) to a date.
pub fn excel_serial_to_date(serial: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    base.checked_add_signed(Duration::days(serial.floor() as i64))
}

/// Parses one date under a known format. Returns `None` when the text is not a date in it.
pub fn parse_date(s: &str, format: &DateFormat) -> Option<NaiveDate> {
    let s = super::numbers::trim(s);
    if s.is_empty() {
        return None;
    }
    match format {
        DateFormat::Pattern(p) => NaiveDate::parse_from_str(s, p)
            .ok()
            .or_else(|| NaiveDateTime::parse_from_str(s, p).ok().map(|dt| dt.date())),
        DateFormat::ExcelSerial => {
            let v: f64 = s.parse().ok()?;
            excel_serial_to_date(v).or_else(|| parse_date(s, &DateFormat::Ymd))
        }
        _ => {
            if let Some(d) = iso_fast(s.as_bytes()) {
                return Some(d);
            }
            match shape(s)?.0 {
                Shape::Exact(d) => Some(d),
                Shape::Compact(d) => Some(d),
                Shape::Pair(a, b, y) => match format {
                    DateFormat::Mdy => NaiveDate::from_ymd_opt(y, a, b),
                    _ => NaiveDate::from_ymd_opt(y, b, a),
                },
            }
        }
    }
}

/// `YYYY-MM-DD` exactly, without the general machinery (the common case in large logs).
fn iso_fast(b: &[u8]) -> Option<NaiveDate> {
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *b else {
        return None;
    };
    let digit = |c: u8| c.is_ascii_digit().then(|| u32::from(c - b'0'));
    let y = digit(y0)? * 1000 + digit(y1)? * 100 + digit(y2)? * 10 + digit(y3)?;
    let m = digit(m0)? * 10 + digit(m1)?;
    let d = digit(d0)? * 10 + digit(d1)?;
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

/// What a scan of a column's values says about its dates.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DateScan {
    /// Values that are dates under some format.
    pub dates: u64,
    /// Of which carry a time of day.
    pub with_time: u64,
    /// Values in the `a/b/year` form.
    pub pairs: u64,
    /// Values that are eight-digit compact dates.
    pub compact: u64,
    /// First value whose first field exceeds 12 (so day-first), with its row index.
    pub day_first_witness: Option<(u64, String)>,
    /// First value whose second field exceeds 12 (so month-first), with its row index.
    pub month_first_witness: Option<(u64, String)>,
}

impl DateScan {
    /// Adds one non-empty value (row index for the witness).
    pub fn add(&mut self, row: u64, s: &str) {
        let Some((sh, t)) = shape(s) else { return };
        self.dates += 1;
        if t {
            self.with_time += 1;
        }
        match sh {
            Shape::Exact(_) => {}
            Shape::Compact(_) => self.compact += 1,
            Shape::Pair(a, b, _) => {
                self.pairs += 1;
                if a > 12 && self.day_first_witness.is_none() {
                    self.day_first_witness = Some((row, s.to_string()));
                }
                if b > 12 && self.month_first_witness.is_none() {
                    self.month_first_witness = Some((row, s.to_string()));
                }
            }
        }
    }

    /// The format to use and, when the day/month order could not be told from the data, a
    /// plain note saying what was assumed. `hint_day_first` says which order to assume
    /// (true unless the file shows US conventions).
    pub fn resolve(&self, hint_day_first: bool) -> (DateFormat, Option<String>) {
        if self.pairs == 0 {
            if self.compact > 0 && self.compact * 2 >= self.dates {
                return (DateFormat::Compact, None);
            }
            return (DateFormat::Ymd, None);
        }
        match (&self.day_first_witness, &self.month_first_witness) {
            (Some((r, v)), None) => (
                DateFormat::Dmy,
                Some(format!(
                    "dates read day-first: row {} has \"{v}\", whose first field is above 12",
                    r + 1
                )),
            ),
            (None, Some((r, v))) => (
                DateFormat::Mdy,
                Some(format!(
                    "dates read month-first: row {} has \"{v}\", whose second field is above 12",
                    r + 1
                )),
            ),
            (Some((r1, v1)), Some((r2, v2))) => (
                if hint_day_first {
                    DateFormat::Dmy
                } else {
                    DateFormat::Mdy
                },
                Some(format!(
                    "dates mix orders: row {} has \"{v1}\" (day-first) and row {} has \"{v2}\" \
                     (month-first); set the date format",
                    r1 + 1,
                    r2 + 1
                )),
            ),
            (None, None) => {
                let f = if hint_day_first {
                    DateFormat::Dmy
                } else {
                    DateFormat::Mdy
                };
                let note = format!(
                    "dates are ambiguous (no day above 12): assumed {}; set the date format if wrong",
                    f.describe()
                );
                (f, Some(note))
            }
        }
    }
}

/// Whether the text looks like a date in any supported written form (not Excel serials).
pub fn looks_like_date(s: &str) -> bool {
    shape(s).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, dd)
    }

    #[test]
    fn every_written_form_parses() {
        assert_eq!(parse_date("2024-03-05", &DateFormat::Ymd), d(2024, 3, 5));
        assert_eq!(parse_date("2024/3/5", &DateFormat::Dmy), d(2024, 3, 5));
        assert_eq!(parse_date("05.03.2024", &DateFormat::Dmy), d(2024, 3, 5));
        assert_eq!(parse_date("3/5/2024", &DateFormat::Mdy), d(2024, 3, 5));
        assert_eq!(parse_date("05-03-24", &DateFormat::Dmy), d(2024, 3, 5));
        assert_eq!(parse_date("20240305", &DateFormat::Compact), d(2024, 3, 5));
        assert_eq!(
            parse_date("2024-03-05T14:30:00Z", &DateFormat::Ymd),
            d(2024, 3, 5)
        );
        assert_eq!(
            parse_date("3/5/2024 2:30 PM", &DateFormat::Mdy),
            d(2024, 3, 5)
        );
        assert_eq!(parse_date("05-Mar-2024", &DateFormat::Dmy), d(2024, 3, 5));
        assert_eq!(parse_date("Mar 5, 2024", &DateFormat::Dmy), d(2024, 3, 5));
        assert_eq!(parse_date("45356", &DateFormat::ExcelSerial), d(2024, 3, 5));
        assert_eq!(
            parse_date("05|03|2024", &DateFormat::Pattern("%d|%m|%Y".into())),
            d(2024, 3, 5)
        );
    }

    #[test]
    fn bad_dates_are_rejected() {
        assert_eq!(parse_date("2024-02-30", &DateFormat::Ymd), None);
        assert_eq!(parse_date("13/13/2024", &DateFormat::Dmy), None);
        assert_eq!(parse_date("yesterday", &DateFormat::Dmy), None);
        assert_eq!(parse_date("12.5", &DateFormat::Dmy), None);
    }

    #[test]
    fn a_day_above_twelve_decides_the_order() {
        let mut s = DateScan::default();
        s.add(0, "01/02/2024");
        s.add(1, "13/02/2024");
        let (f, note) = s.resolve(false);
        assert_eq!(f, DateFormat::Dmy);
        assert!(note.unwrap_or_default().contains("row 2"));
        let mut s = DateScan::default();
        s.add(0, "01/02/2024");
        assert_eq!(s.resolve(true).0, DateFormat::Dmy);
        assert_eq!(s.resolve(false).0, DateFormat::Mdy);
    }
}

#[cfg(test)]
mod shape_tests;
