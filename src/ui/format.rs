//! How the app writes numbers, amounts and percentages: one place for every page and chart
//! (thousands separators, fixed decimals, compact `1.2k` forms, percentages, money with a
//! symbol, byte sizes), and how a typed number is read back ([`parse_number`], used by the
//! form kit in `ui::components::form`). Pure and compiled natively, so it is unit-tested with
//! `cargo test`.

/// `v` with exactly `decimals` decimals (`fixed(2.0, 2)` is `"2.00"`).
pub fn fixed(v: f64, decimals: usize) -> String {
    format!("{v:.decimals$}")
}

/// `v` with `decimals` decimals and a comma between each group of three digits of the whole
/// part (`thousands(1234567.891, 2)` is `"1,234,567.89"`). Non-finite values as Rust writes them.
pub fn thousands(v: f64, decimals: usize) -> String {
    let text = fixed(v, decimals);
    if !v.is_finite() {
        return text;
    }
    let (sign, rest) = match text.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", text.as_str()),
    };
    let (whole, frac) = match rest.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (rest, None),
    };
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A share (0.25) as a percentage with `decimals` decimals (`"25.0%"` for 1).
pub fn percent(share: f64, decimals: usize) -> String {
    format!("{:.decimals$}%", 100.0 * share)
}

/// An amount with a currency symbol before it, thousands separators and two decimals
/// (`money(-1234.5, "$")` is `"-$1,234.50"`).
pub fn money(v: f64, symbol: &str) -> String {
    let body = thousands(v.abs(), 2);
    if v < 0.0 {
        format!("-{symbol}{body}")
    } else {
        format!("{symbol}{body}")
    }
}

/// A value in a few characters, for ticks and tight table cells (1.2k, 35k, 3.4M, 0.25).
pub fn compact(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 1e3 {
        format!("{:.1}k", v / 1e3)
    } else if a >= 10.0 || v == 0.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// An amount for tables of customer value: two decimals below 10,000, then `12.3 k`, then
/// `1.23 M` (a space before the unit).
pub fn compact_money(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.2} M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.1} k", v / 1e3)
    } else {
        format!("{v:.2}")
    }
}

/// A size in bytes (`"950 bytes"`, `"12 kB"`, `"3.4 MB"`, `"1.25 GB"`).
pub fn bytes(b: u64) -> String {
    let b = b as f64;
    if b >= 1e9 {
        format!("{:.2} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.0} kB", b / 1e3)
    } else {
        format!("{b:.0} bytes")
    }
}

/// A number as typed in a field: surrounding spaces ignored, a decimal comma accepted
/// (`"0,5"` is 0.5); `None` when it is not a finite number.
pub fn parse_number(text: &str) -> Option<f64> {
    text.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
}

/// A whole number as typed in a field (`" 12 "` is 12); `None` for decimals, signs or text.
pub fn parse_whole(text: &str) -> Option<u32> {
    text.trim().parse::<u32>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(thousands(f64::NAN, 2), "NaN");
    }

    #[test]
    fn percent_scales_a_share() {
        assert_eq!(percent(0.25, 1), "25.0%");
        assert_eq!(percent(0.123_45, 2), "12.35%");
        assert_eq!(percent(1.0, 0), "100%");
    }

    #[test]
    fn money_puts_the_sign_before_the_symbol() {
        assert_eq!(money(1234.5, "$"), "$1,234.50");
        assert_eq!(money(-1234.5, "€"), "-€1,234.50");
        assert_eq!(money(0.0, "£"), "£0.00");
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
        assert_eq!(compact_money(12_345.0), "12.3 k");
        assert_eq!(compact_money(1_234_567.0), "1.23 M");
    }

    #[test]
    fn bytes_picks_a_unit() {
        assert_eq!(bytes(950), "950 bytes");
        assert_eq!(bytes(12_000), "12 kB");
        assert_eq!(bytes(3_400_000), "3.4 MB");
        assert_eq!(bytes(1_250_000_000), "1.25 GB");
    }
}
