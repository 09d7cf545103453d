//! How the app writes numbers, amounts and percentages: one place for every page and chart,
//! each function writing with the user's [`NumberFormat`] (chosen once on the Data page, kept
//! in the settings store under [`SETTING_KEY`]), and how a typed number is read back
//! ([`parse_number`], used by the form kit in `ui::components::form`).
//!
//! The chosen format is held in a thread-local ([`set_current`], [`current`]) rather than
//! passed through a context: some seventy call sites in pages, charts and tables format
//! numbers, many in plain functions far from any component, and threading a format argument
//! through all of them would touch every page for no gain. The root component owns the
//! choice: `AppState::number_format` is the source of truth, the reducer writes it here when
//! it changes, and the app shell keys the routed page on the format so that every page (and
//! every chart inside it) is rendered again with the new format. The wasm app has one thread,
//! so the thread-local is the app's single current format. The writing itself is
//! [`crate::analysis::numfmt`], shared with the report workbook and `crm report`.

pub use crate::analysis::numfmt::{NumberFormat, Preset, MISSING};
use std::cell::RefCell;

/// The settings-store key of the chosen number format.
pub const SETTING_KEY: &str = "number-format";

thread_local! {
    static CURRENT: RefCell<NumberFormat> = RefCell::new(NumberFormat::default());
}

/// Makes `f` the format every function here writes with.
pub fn set_current(f: &NumberFormat) {
    CURRENT.with(|c| {
        if *c.borrow() != *f {
            *c.borrow_mut() = f.clone();
        }
    });
}

/// The format in use.
pub fn current() -> NumberFormat {
    CURRENT.with(|c| c.borrow().clone())
}

fn with<T>(f: impl FnOnce(&NumberFormat) -> T) -> T {
    CURRENT.with(|c| f(&c.borrow()))
}

/// `v` with exactly `decimals` decimals and the chosen decimal separator (`fixed(2.0, 2)` is
/// `"2.00"`).
pub fn fixed(v: f64, decimals: usize) -> String {
    with(|f| f.fixed(v, decimals))
}

/// `v` with `decimals` decimals, grouped by thousands with the chosen separators
/// (`thousands(1234567.891, 2)` is `"1,234,567.89"` in the default format).
pub fn thousands(v: f64, decimals: usize) -> String {
    with(|f| f.number(v, decimals))
}

/// A count of things (customers, rows) grouped by thousands in the chosen format
/// (`count(198597)` is `"198,597"` in the default format).
pub fn count<N: TryInto<u64>>(n: N) -> String {
    // Counts are never negative; one that does not fit a u64 would be a bug, shown as 0.
    let n = n.try_into().unwrap_or(0);
    with(|f| f.count(n))
}

/// A share (0.25) as a percentage with `decimals` decimals (`"25.0%"` for 1).
pub fn percent(share: f64, decimals: usize) -> String {
    with(|f| f.percent(share, decimals))
}

/// An amount with the chosen symbol, separators and money decimals (`"-$1,234.50"`).
pub fn money(v: f64) -> String {
    with(|f| f.money(v))
}

/// An amount with the chosen symbol and separators, with `decimals` decimals.
pub fn money_with(v: f64, decimals: usize) -> String {
    with(|f| f.money_with(v, decimals))
}

/// A value in a few characters, for ticks and tight table cells (1.2k, 35k, 3.4M, 0.25).
pub fn compact(v: f64) -> String {
    with(|f| f.compact(v))
}

/// An amount for tables of customer value, with the symbol: money decimals below 10,000,
/// then `12.3 k`, then `1.23 M`.
pub fn compact_money(v: f64) -> String {
    with(|f| f.compact_money(v))
}

/// The CSV delimiter that goes with the chosen format (`;` with a decimal comma).
pub fn csv_delimiter() -> u8 {
    with(NumberFormat::csv_delimiter)
}

/// A number for a CSV cell: the chosen decimal separator, no grouping, empty when not finite.
pub fn csv_number(v: f64, decimals: usize) -> String {
    with(|f| f.csv_number(v, decimals))
}

/// A size in bytes in the chosen number format (`"950 bytes"`, `"12 kB"`, `"3.4 MB"`,
/// `"1.25 GB"`; `"3,4 MB"` with a decimal comma).
pub fn bytes(b: u64) -> String {
    let b = b as f64;
    if b >= 1e9 {
        format!("{} GB", thousands(b / 1e9, 2))
    } else if b >= 1e6 {
        format!("{} MB", thousands(b / 1e6, 1))
    } else if b >= 1e3 {
        format!("{} kB", thousands(b / 1e3, 0))
    } else {
        format!("{} bytes", thousands(b, 0))
    }
}

/// A number as typed in a field, read with the chosen format: surrounding spaces, the
/// thousands separator and the symbol ignored, the chosen decimal separator (with a decimal
/// point format a comma is read as a decimal only when it is not the thousands separator);
/// `None` when it is not a finite number.
pub fn parse_number(text: &str) -> Option<f64> {
    with(|f| f.parse(text))
}

/// A whole number as typed in a field (`" 12 "` is 12); `None` for decimals, signs or text.
pub fn parse_whole(text: &str) -> Option<u32> {
    text.trim().parse::<u32>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `check` with a German-style format (1.234,5), then puts the format back.
    fn with_decimal_comma(check: impl FnOnce()) {
        let before = current();
        set_current(&NumberFormat {
            thousands: Some('.'),
            decimal: ',',
            ..NumberFormat::default()
        });
        check();
        set_current(&before);
    }

    #[test]
    fn counts_are_grouped_in_the_chosen_format() {
        assert_eq!(count(0), "0");
        assert_eq!(count(2000), "2,000");
        assert_eq!(count(198_597), "198,597");
        with_decimal_comma(|| assert_eq!(count(1_577_216), "1.577.216"));
    }

    #[test]
    fn parse_number_accepts_a_decimal_comma_and_rejects_non_finite() {
        assert_eq!(parse_number(" 0,5 "), Some(0.5));
        assert_eq!(parse_number("-12.25"), Some(-12.25));
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number(""), None);
    }

    #[test]
    fn parse_whole_rejects_decimals_and_signs() {
        assert_eq!(parse_whole(" 12 "), Some(12));
        assert_eq!(parse_whole("1.5"), None);
        assert_eq!(parse_whole("-3"), None);
    }

    #[test]
    fn fixed_rounds_to_the_asked_decimals() {
        assert_eq!(fixed(2.0, 2), "2.00");
        assert_eq!(fixed(2.345, 1), "2.3");
        assert_eq!(fixed(7.6, 0), "8");
    }

    #[test]
    fn thousands_groups_the_whole_part_only() {
        assert_eq!(thousands(1_234_567.891, 2), "1,234,567.89");
        assert_eq!(thousands(999.0, 0), "999");
        assert_eq!(thousands(1000.0, 0), "1,000");
        assert_eq!(thousands(-12_345.0, 1), "-12,345.0");
        assert_eq!(thousands(0.5, 3), "0.500");
        assert_eq!(thousands(f64::NAN, 2), MISSING);
    }

    #[test]
    fn percent_scales_a_share() {
        assert_eq!(percent(0.25, 1), "25.0%");
        assert_eq!(percent(0.123_45, 2), "12.35%");
        assert_eq!(percent(1.0, 0), "100%");
    }

    #[test]
    fn every_function_writes_with_the_current_format() {
        let de = Preset::De.format().with_currency("€");
        set_current(&de);
        assert_eq!(current(), de);
        assert_eq!(money(-1234.5), "-1.234,50\u{a0}€");
        assert_eq!(thousands(1234.5, 1), "1.234,5");
        assert_eq!(percent(0.25, 1), "25,0%");
        assert_eq!(compact(1234.0), "1,2k");
        assert_eq!(parse_number("1.234,5"), Some(1234.5));
        assert_eq!(csv_delimiter(), b';');
        assert_eq!(csv_number(0.5, 2), "0,50");
        set_current(&NumberFormat::default());
        assert_eq!(money(-1234.5), "-1,234.50");
        assert_eq!(csv_delimiter(), b',');
    }

    #[test]
    fn compact_uses_k_and_m_suffixes() {
        assert_eq!(compact(0.0), "0");
        assert_eq!(compact(0.25), "0.25");
        assert_eq!(compact(2.5), "2.5");
        assert_eq!(compact(250.0), "250");
        assert_eq!(compact(1234.0), "1.2k");
        assert_eq!(compact(35_000.0), "35k");
        assert_eq!(compact(-3_400_000.0), "-3.4M");
    }

    #[test]
    fn compact_money_keeps_cents_below_ten_thousand() {
        assert_eq!(compact_money(12.5), "12.50");
        assert_eq!(compact_money(12_345.0), "12.3\u{a0}k");
        assert_eq!(compact_money(1_234_567.0), "1.23\u{a0}M");
    }

    #[test]
    fn bytes_picks_a_unit() {
        assert_eq!(bytes(950), "950 bytes");
        assert_eq!(bytes(12_000), "12 kB");
        assert_eq!(bytes(3_400_000), "3.4 MB");
        assert_eq!(bytes(1_250_000_000), "1.25 GB");
        assert_eq!(bytes(4_321_000_000_000), "4,321.00 GB");
        with_decimal_comma(|| {
            assert_eq!(bytes(3_400_000), "3,4 MB");
            assert_eq!(bytes(1_250_000_000), "1,25 GB");
        });
    }
}
