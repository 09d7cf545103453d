//! Number parsing for real exports: decimal dot or comma, thousands separators (`.` `,` space,
//! no-break space, apostrophe), currency signs and ISO codes before or after the figure,
//! negatives as a leading minus, a trailing minus or parentheses.
//!
//! Pure functions over `&str`; nothing here allocates on the fast path (plain `123.45`).

use serde::{Deserialize, Serialize};

/// The decimal separator of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DecimalSep {
    /// `1,234.56` (English, Chinese, ...).
    #[default]
    Dot,
    /// `1.234,56` (most of continental Europe, Latin America).
    Comma,
}

impl DecimalSep {
    /// The separator character.
    pub fn as_char(self) -> char {
        match self {
            DecimalSep::Dot => '.',
            DecimalSep::Comma => ',',
        }
    }
}

const CURRENCY_CODES: [&str; 14] = [
    "EUR", "USD", "GBP", "CHF", "JPY", "CAD", "AUD", "SEK", "NOK", "DKK", "PLN", "BRL", "MXN",
    "CZK",
];

fn is_currency_sign(c: char) -> bool {
    matches!(c, '€' | '$' | '£' | '¥' | '₹' | '₽' | '₺' | '₩')
}

fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'' | '’')
}

/// Removes currency signs and codes at either end (`$12`, `12 €`, `EUR 12`, `12,00 EUR`,
/// `US$ 12`).
fn strip_currency(s: &str) -> &str {
    strip_currency_codes(s, false)
}

/// [`strip_currency`]; `always`: every code compared at both ends, without the skip below
/// (what the tests pin the skip against).
fn strip_currency_codes(s: &str, always: bool) -> &str {
    let mut s = s.trim();
    loop {
        let before = s.len();
        // Codes are three letters: unless one of them opens or closes the text, none matches
        // in this pass (and none is removed, so the text stays as it is), and the 14
        // comparisons at each end are skipped, as for plain numbers, ids ("C0134900") and
        // dates that detection tries as numbers.
        let b = s.as_bytes();
        let code_at_an_end = is_code(b.get(..3)) || is_code(b.get(b.len().saturating_sub(3)..));
        for code in CURRENCY_CODES.iter().filter(|_| always || code_at_an_end) {
            if let Some(rest) = strip_prefix_ci(s, code) {
                s = rest.trim_start();
            }
            if s.len() >= code.len() {
                if let Some(head) = s.get(..s.len() - code.len()) {
                    if s.get(s.len() - code.len()..)
                        .is_some_and(|t| t.eq_ignore_ascii_case(code))
                    {
                        s = head.trim_end();
                    }
                }
            }
        }
        s = s.trim_start_matches(is_currency_sign).trim_start();
        s = s.trim_end_matches(is_currency_sign).trim_end();
        if let Some(rest) = s.strip_prefix("US") {
            if rest.starts_with('$') {
                s = rest;
            }
        }
        if s.len() == before {
            return s;
        }
    }
}

/// Whether `b` is three bytes spelling one of [`CURRENCY_CODES`] in any case.
fn is_code(b: Option<&[u8]>) -> bool {
    let Some(&[x, y, z]) = b else {
        return false;
    };
    if !(x.is_ascii_alphabetic() && y.is_ascii_alphabetic() && z.is_ascii_alphabetic()) {
        return false;
    }
    let k = [
        x.to_ascii_uppercase(),
        y.to_ascii_uppercase(),
        z.to_ascii_uppercase(),
    ];
    CURRENCY_CODES.iter().any(|c| c.as_bytes() == k)
}

fn strip_prefix_ci<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    let head = s.get(..p.len())?;
    head.eq_ignore_ascii_case(p)
        .then(|| s.get(p.len()..))
        .flatten()
}

/// `s.trim()`, without its scan of characters when both ends are plainly not blank (a
/// printable ASCII byte at each end: the usual cell).
pub(crate) fn trim(s: &str) -> &str {
    let plain = |b: Option<&u8>| b.is_some_and(|&b| b > b' ' && b < 0x7f);
    let b = s.as_bytes();
    if plain(b.first()) && plain(b.last()) {
        s
    } else {
        s.trim()
    }
}

/// Parses a plain ASCII number quickly: optional sign, digits, optional `.` and digits.
fn fast_plain(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let body = match b.first() {
        Some(b'-') | Some(b'+') => b.get(1..)?,
        _ => b,
    };
    // Digits, then at most one dot and digits; anything else is not plain. Two tight loops
    // (no test for the dot inside them): a byte minus '0' above 9 is not a digit.
    // Up to 15 digits: the digits as an integer over a power of ten are both exact in an f64,
    // so one division gives the correctly rounded value, exactly what `parse` gives (longer
    // ones are left to `parse` below).
    let mut mantissa: u64 = 0;
    let mut i = digit_run(body, 0, &mut mantissa);
    let mut fraction = 0usize;
    let dot = body.get(i) == Some(&b'.');
    if dot {
        let from = i + 1;
        i = digit_run(body, from, &mut mantissa);
        fraction = i - from;
    }
    if i != body.len() {
        return None;
    }
    let digits = i - usize::from(dot);
    if digits > 15 {
        return s.parse().ok();
    }
    if digits == 0 {
        return None;
    }
    let v = mantissa as f64 / POW10.get(fraction).copied().unwrap_or(1.0);
    Some(if b.first() == Some(&b'-') { -v } else { v })
}

/// Accumulates the digits of `b` from `i` on into `mantissa` (wrapping); returns where they
/// end. A byte minus '0' above 9 is not a digit.
fn digit_run(b: &[u8], mut i: usize, mantissa: &mut u64) -> usize {
    while let Some(&c) = b.get(i) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        *mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
        i += 1;
    }
    i
}

const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

#[cfg(test)]
mod fast_tests {
    use super::*;

    #[test]
    fn the_fast_path_gives_exactly_what_parse_gives() {
        let mut x: u64 = 1;
        for _ in 0..200_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let int = (x >> 20) % 10u64.pow((x % 9) as u32 + 1);
            let frac_digits = ((x >> 8) % 7) as usize;
            let frac = (x >> 40) % 10u64.pow(frac_digits as u32);
            let text = if frac_digits == 0 {
                format!("{int}")
            } else {
                format!("{int}.{frac:0frac_digits$}")
            };
            for t in [
                text.clone(),
                format!("-{text}"),
                format!("+{text}"),
                format!("00{text}"),
            ] {
                let want: f64 = t.parse().unwrap();
                assert_eq!(
                    fast_plain(&t).map(f64::to_bits),
                    Some(want.to_bits()),
                    "{t}"
                );
            }
        }
        for t in ["5.", ".5", "-0", "-0.0", "123456789012345678.25"] {
            assert_eq!(
                fast_plain(t).map(f64::to_bits),
                t.parse::<f64>().ok().map(f64::to_bits),
                "{t}"
            );
        }
        assert_eq!(fast_plain("."), None);
        assert_eq!(fast_plain("-"), None);
        assert_eq!(fast_plain("1.2.3"), None);
        for t in [
            "", "1e5", "1,5", "--1", "+-1", "1 2", "..5", "5..", "1.-2", "12a", "a12", "/",
        ] {
            assert_eq!(fast_plain(t), None, "{t}");
        }
    }
}

/// Parses a number written the way people and spreadsheets export them.
///
/// Returns `None` for anything that is not a number under the given decimal separator
/// (including empty text). Thousands groups must have three digits, so `1.5` is not a
/// number when the decimal separator is a comma.
///
/// ```
/// use crm::io::import::numbers::{parse_number, DecimalSep};
/// assert_eq!(parse_number("1.234,50 €", DecimalSep::Comma), Some(1234.5));
/// assert_eq!(parse_number("($1,200.00)", DecimalSep::Dot), Some(-1200.0));
/// assert_eq!(parse_number("12.50-", DecimalSep::Dot), Some(-12.5));
/// assert_eq!(parse_number("n/a", DecimalSep::Dot), None);
/// ```
pub fn parse_number(s: &str, decimal: DecimalSep) -> Option<f64> {
    let s = trim(s);
    if decimal == DecimalSep::Dot {
        if let Some(v) = fast_plain(s) {
            return Some(v);
        }
    }
    if s.is_empty() {
        return None;
    }
    let mut neg = false;
    let mut t = s;
    if let Some(inner) = t.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        neg = true;
        t = inner;
    }
    t = strip_currency(t);
    if let Some(r) = t.strip_prefix('-').or_else(|| t.strip_prefix('−')) {
        neg = !neg;
        t = r;
    } else if let Some(r) = t.strip_suffix('-').or_else(|| t.strip_suffix('−')) {
        neg = !neg;
        t = r;
    } else if let Some(r) = t.strip_prefix('+') {
        t = r;
    }
    // A sign may also sit outside the currency sign: "-$12", "$-12".
    t = strip_currency(t.trim());
    if let Some(r) = t.strip_prefix('-') {
        neg = !neg;
        t = r;
    }
    let v = parse_unsigned(t.trim(), decimal)?;
    Some(if neg { -v } else { v })
}

fn parse_unsigned(t: &str, decimal: DecimalSep) -> Option<f64> {
    if t.is_empty() {
        return None;
    }
    // Scientific notation, plain form only.
    if decimal == DecimalSep::Dot && (t.contains('e') || t.contains('E')) {
        let v: f64 = t.parse().ok()?;
        return v.is_finite().then_some(v);
    }
    let dec = decimal.as_char();
    let group_char = match decimal {
        DecimalSep::Dot => ',',
        DecimalSep::Comma => '.',
    };
    let (int_part, frac_part) = match t.rfind(dec) {
        Some(i) => (t.get(..i)?, Some(t.get(i + dec.len_utf8()..)?)),
        None => (t, None),
    };
    if let Some(f) = frac_part {
        if !f.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
    }
    // Integer part: digits with optional 3-digit groups.
    let mut digits = String::with_capacity(int_part.len() + 8);
    let mut group_len: Option<usize> = None; // digits since the last separator
    let mut first_group = 0usize;
    let mut saw_sep = false;
    for c in int_part.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            match group_len.as_mut() {
                Some(n) => *n += 1,
                None => first_group += 1,
            }
        } else if c == group_char || is_group_space(c) {
            if let Some(n) = group_len {
                if n != 3 {
                    return None;
                }
            } else if first_group == 0 || first_group > 3 {
                return None;
            }
            saw_sep = true;
            group_len = Some(0);
        } else {
            return None;
        }
    }
    if saw_sep && group_len != Some(3) {
        return None;
    }
    if digits.is_empty() && frac_part.is_none_or(|f| f.is_empty()) {
        return None;
    }
    if digits.is_empty() {
        digits.push('0');
    }
    if let Some(f) = frac_part {
        digits.push('.');
        digits.push_str(f);
    }
    digits.parse().ok()
}

/// Whether the text looks like a number written with a decimal comma (`12,5`, `1.234,56`),
/// a decimal dot (`12.5`, `1,234.56`), or gives no evidence (`12`, `1,234`).
pub fn decimal_evidence(s: &str) -> Option<DecimalSep> {
    let t = strip_currency(s.trim().trim_matches(|c| c == '(' || c == ')' || c == '-'));
    let last_dot = t.rfind('.');
    let last_comma = t.rfind(',');
    let digits_after = |i: usize| t.get(i + 1..).map_or(0, |r| r.len());
    let all_numeric = t
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',' || is_group_space(c));
    if !all_numeric || t.is_empty() {
        return None;
    }
    match (last_dot, last_comma) {
        (Some(d), Some(c)) => Some(if d > c {
            DecimalSep::Dot
        } else {
            DecimalSep::Comma
        }),
        (Some(d), None) => {
            // "1.234" alone is ambiguous (a thousands group); other lengths are decimals,
            // and repeated dots ("1.234.567") are groups.
            if t.matches('.').count() > 1 {
                Some(DecimalSep::Comma)
            } else if digits_after(d) == 3 {
                None
            } else {
                Some(DecimalSep::Dot)
            }
        }
        (None, Some(c)) => {
            if t.matches(',').count() > 1 {
                Some(DecimalSep::Dot)
            } else if digits_after(c) == 3 {
                None
            } else {
                Some(DecimalSep::Comma)
            }
        }
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn european_and_english_forms_parse() {
        let c = DecimalSep::Comma;
        let d = DecimalSep::Dot;
        assert_eq!(parse_number("12,50", c), Some(12.5));
        assert_eq!(parse_number("1.234,56", c), Some(1234.56));
        assert_eq!(parse_number("1 234,56", c), Some(1234.56));
        assert_eq!(parse_number("1'234.56", d), Some(1234.56));
        assert_eq!(parse_number("1,234.56", d), Some(1234.56));
        assert_eq!(parse_number("$1,234", d), Some(1234.0));
        assert_eq!(parse_number("EUR 12.00", d), Some(12.0));
        assert_eq!(parse_number("12.00 usd", d), Some(12.0));
        assert_eq!(parse_number("-€5", d), Some(-5.0));
        assert_eq!(parse_number("£-5", d), Some(-5.0));
        assert_eq!(parse_number("(5.25)", d), Some(-5.25));
        assert_eq!(parse_number("5,25-", c), Some(-5.25));
        assert_eq!(parse_number(".5", d), Some(0.5));
        assert_eq!(parse_number("1e3", d), Some(1000.0));
    }

    #[test]
    fn malformed_numbers_are_rejected() {
        let d = DecimalSep::Dot;
        assert_eq!(parse_number("", d), None);
        assert_eq!(parse_number("abc", d), None);
        assert_eq!(parse_number("1,23,4", d), None);
        assert_eq!(parse_number("1.5", DecimalSep::Comma), None);
        assert_eq!(parse_number("12-05-2020", d), None);
        assert_eq!(parse_number("-", d), None);
        assert_eq!(parse_number("$", d), None);
    }

    #[test]
    fn evidence_points_to_the_decimal_separator() {
        assert_eq!(decimal_evidence("12,5"), Some(DecimalSep::Comma));
        assert_eq!(decimal_evidence("1.234,5"), Some(DecimalSep::Comma));
        assert_eq!(decimal_evidence("12.50"), Some(DecimalSep::Dot));
        assert_eq!(decimal_evidence("1,234"), None);
        assert_eq!(decimal_evidence("12"), None);
        assert_eq!(decimal_evidence("2020-01-01"), None);
    }
}

#[cfg(test)]
mod currency_tests;
