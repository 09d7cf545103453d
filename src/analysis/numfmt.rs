//! How numbers and amounts are written for the user: one [`NumberFormat`] (currency symbol and
//! where it sits, decimal separator, thousands separator, decimals of money), chosen once and
//! used by every page, chart, table, CSV export, the report view and workbook, and `crm report`.
//!
//! It lives here, below the UI and beside the analyses, because three layers write numbers
//! with it: the analyses (the Overview's action sentences), `io::report` (the workbook's cell
//! number formats) and the UI (`ui::format`, which keeps the user's choice). Pure: no browser,
//! no clock; every preset is pinned by native tests.
//!
//! Non-finite values (NaN, infinity) are written as an en dash `–`, never as `NaN`.

use serde::{Deserialize, Serialize};

/// What a non-finite value is written as.
pub const MISSING: &str = "–";

/// The narrow no-break space (U+202F), the French thousands separator.
pub const NARROW_NBSP: char = '\u{202F}';

/// A way of writing numbers and amounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NumberFormat {
    /// The currency symbol (`$`, `€`, `CHF`; empty for none).
    pub symbol: String,
    /// The symbol after the figure (`12 €`) rather than before (`$12`).
    pub symbol_after: bool,
    /// A (no-break) space between the symbol and the figure.
    pub symbol_space: bool,
    /// The decimal separator: `.` or `,`.
    pub decimal: char,
    /// The thousands separator: `,` `.` a space, a narrow no-break space, `'`; `None` for none.
    pub thousands: Option<char>,
    /// Decimals of amounts of money (0–4).
    pub money_decimals: u8,
}

impl Default for NumberFormat {
    /// `1,234.56` with no currency symbol: how the app wrote numbers before a choice existed.
    fn default() -> Self {
        NumberFormat::default_en()
    }
}

/// The ready-made formats: separators and where a symbol goes, without a symbol (the symbol
/// is the user's currency, set on its own; [`Preset::apply`] keeps it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// `1,234.56` (a symbol before: `$1,234.56`)
    En,
    /// `1.234,56` (a symbol after, spaced: `1.234,56 €`)
    De,
    /// `1 234,56` with a narrow no-break space (a symbol after, spaced)
    Fr,
    /// `1'234.56` (a symbol before, spaced: `CHF 1'234.56`)
    Ch,
}

impl Preset {
    /// Every preset, in the order the settings panel shows them.
    pub const ALL: [Preset; 4] = [Preset::En, Preset::De, Preset::Fr, Preset::Ch];

    /// The preset's name (`"en"`, `"de"`, `"fr"`, `"ch"`).
    pub fn name(self) -> &'static str {
        match self {
            Preset::En => "en",
            Preset::De => "de",
            Preset::Fr => "fr",
            Preset::Ch => "ch",
        }
    }

    /// The preset named `name` (`en`, `de`, `fr`, `ch`, or its example such as `1.234,56`).
    pub fn parse(name: &str) -> Option<Preset> {
        let n = name.trim();
        Preset::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(n) || p.format().number(1234.56, 2) == n)
            .or(match n {
                "1 234,56" => Some(Preset::Fr),
                _ => None,
            })
    }

    /// The format, without a currency symbol.
    pub fn format(self) -> NumberFormat {
        self.apply(&NumberFormat {
            symbol: String::new(),
            ..NumberFormat::default_en()
        })
    }

    /// `f` with this preset's separators and symbol placement, keeping its symbol and its
    /// money decimals.
    pub fn apply(self, f: &NumberFormat) -> NumberFormat {
        let (symbol_after, decimal, thousands) = match self {
            Preset::En => (false, '.', Some(',')),
            Preset::De => (true, ',', Some('.')),
            Preset::Fr => (true, ',', Some(NARROW_NBSP)),
            Preset::Ch => (false, '.', Some('\'')),
        };
        NumberFormat {
            symbol: f.symbol.clone(),
            symbol_after,
            symbol_space: self != Preset::En,
            decimal,
            thousands,
            money_decimals: f.money_decimals,
        }
    }
}

/// Why a format was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// The decimal separator is neither `.` nor `,`.
    Decimal(char),
    /// The thousands separator is the decimal separator or not one of the accepted ones.
    Thousands(char),
    /// More than 4 money decimals.
    MoneyDecimals(u8),
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FormatError::Decimal(c) => write!(f, "decimal separator {c:?}: use . or ,"),
            FormatError::Thousands(c) => write!(
                f,
                "thousands separator {c:?}: use none, a comma, a point, a space or an apostrophe, other than the decimal separator"
            ),
            FormatError::MoneyDecimals(d) => write!(f, "money decimals {d}: use 0 to 4"),
        }
    }
}

impl std::error::Error for FormatError {}

/// The accepted thousands separators.
pub const THOUSANDS: [char; 6] = [',', '.', ' ', '\u{00A0}', NARROW_NBSP, '\''];

impl NumberFormat {
    fn default_en() -> NumberFormat {
        NumberFormat {
            symbol: String::new(),
            symbol_after: false,
            symbol_space: false,
            decimal: '.',
            thousands: Some(','),
            money_decimals: 2,
        }
    }

    /// `self` with the currency `symbol`.
    pub fn with_currency(mut self, symbol: &str) -> NumberFormat {
        self.symbol = symbol.trim().to_string();
        self
    }

    /// Checks the format (see [`FormatError`]).
    ///
    /// # Errors
    /// The first setting that does not work, naming it.
    pub fn check(&self) -> Result<(), FormatError> {
        if self.decimal != '.' && self.decimal != ',' {
            return Err(FormatError::Decimal(self.decimal));
        }
        if let Some(t) = self.thousands {
            if t == self.decimal || !THOUSANDS.contains(&t) {
                return Err(FormatError::Thousands(t));
            }
        }
        if self.money_decimals > 4 {
            return Err(FormatError::MoneyDecimals(self.money_decimals));
        }
        Ok(())
    }

    /// The preset whose separators and symbol placement this format has, if any.
    pub fn preset(&self) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.apply(self) == *self)
    }

    /// A short example of the format: 1234.56 as money (`"1.234,56 €"`).
    pub fn example(&self) -> String {
        self.money(1234.56)
    }

    /// `v` with `decimals` decimals, the format's decimal separator, no grouping.
    pub fn fixed(&self, v: f64, decimals: usize) -> String {
        self.write(v, decimals, false)
    }

    /// `v` with `decimals` decimals, grouped by thousands (`"1.234.567,89"` in German).
    pub fn number(&self, v: f64, decimals: usize) -> String {
        self.write(v, decimals, true)
    }

    /// A count of things (customers, rows, answers) grouped by thousands (`"198.597"` in
    /// German).
    pub fn count(&self, n: u64) -> String {
        self.number(n as f64, 0)
    }

    fn write(&self, v: f64, decimals: usize, group: bool) -> String {
        if !v.is_finite() {
            return MISSING.into();
        }
        let text = format!("{:.decimals$}", v.abs());
        let (whole, frac) = match text.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (text.as_str(), None),
        };
        // "-0.00" is written "0.00": a rounded-away sign says nothing.
        let negative = v < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0');
        let mut out = String::with_capacity(text.len() + text.len() / 3 + 1);
        if negative {
            out.push('-');
        }
        let sep = if group { self.thousands } else { None };
        let n = whole.len();
        for (i, c) in whole.chars().enumerate() {
            if let Some(s) = sep {
                if i > 0 && (n - i) % 3 == 0 {
                    out.push(s);
                }
            }
            out.push(c);
        }
        if let Some(f) = frac {
            out.push(self.decimal);
            out.push_str(f);
        }
        out
    }

    /// A share (0.25) as a percentage with `decimals` decimals (`"25,0%"`).
    pub fn percent(&self, share: f64, decimals: usize) -> String {
        if !share.is_finite() {
            return MISSING.into();
        }
        format!("{}%", self.number(100.0 * share, decimals))
    }

    /// Puts the currency symbol around an already written figure (the sign before all).
    pub fn with_symbol(&self, figure: &str) -> String {
        if self.symbol.is_empty() || figure == MISSING {
            return figure.into();
        }
        let (sign, body) = match figure.strip_prefix('-') {
            Some(b) => ("-", b),
            None => ("", figure),
        };
        let space = if self.symbol_space { "\u{00A0}" } else { "" };
        if self.symbol_after {
            format!("{sign}{body}{space}{}", self.symbol)
        } else {
            format!("{sign}{}{space}{body}", self.symbol)
        }
    }

    /// An amount with the symbol, grouped, with the format's money decimals
    /// (`"-$1,234.50"`, `"-1.234,50 €"`).
    pub fn money(&self, v: f64) -> String {
        self.with_symbol(&self.number(v, usize::from(self.money_decimals)))
    }

    /// An amount with the symbol and `decimals` decimals (whole amounts in headlines).
    pub fn money_with(&self, v: f64, decimals: usize) -> String {
        self.with_symbol(&self.number(v, decimals))
    }

    /// A value in a few characters, for ticks and tight cells (`1,2k`, `35k`, `3,4M`, `0,25`).
    pub fn compact(&self, v: f64) -> String {
        let a = v.abs();
        if !v.is_finite() {
            MISSING.into()
        } else if a >= 1e6 {
            format!("{}M", self.fixed(v / 1e6, 1))
        } else if a >= 1e4 {
            format!("{}k", self.fixed(v / 1e3, 0))
        } else if a >= 1e3 {
            format!("{}k", self.fixed(v / 1e3, 1))
        } else if a >= 10.0 || v == 0.0 {
            self.fixed(v, 0)
        } else if a >= 1.0 {
            self.fixed(v, 1)
        } else {
            self.fixed(v, 2)
        }
    }

    /// An amount of money in a tight cell, with the symbol: money decimals below 10,000, then
    /// `12,3 k`, then `1,23 M`.
    pub fn compact_money(&self, v: f64) -> String {
        let a = v.abs();
        let body = if !v.is_finite() {
            return MISSING.into();
        } else if a >= 1e6 {
            format!("{}\u{00A0}M", self.fixed(v / 1e6, 2))
        } else if a >= 1e4 {
            format!("{}\u{00A0}k", self.fixed(v / 1e3, 1))
        } else {
            self.number(v, usize::from(self.money_decimals))
        };
        self.with_symbol(&body)
    }

    /// A number as typed by the user: spaces, the thousands separator and the currency symbol
    /// ignored, the format's decimal separator (a `.` is accepted too when the format's
    /// thousands separator is not `.`). `None` when it is not a finite number.
    pub fn parse(&self, text: &str) -> Option<f64> {
        let mut t = text.trim().to_string();
        if !self.symbol.is_empty() {
            t = t.replace(self.symbol.as_str(), "");
        }
        // "0,5" typed with a comma-grouping format: a lone comma not followed by three digits
        // cannot be grouping, so it is read as the decimal mark.
        if self.thousands == Some(',') && !t.contains('.') {
            if let Some((_, after)) = t.rsplit_once(',') {
                if t.matches(',').count() == 1 && after.trim().len() != 3 {
                    t = t.replace(',', ".");
                }
            }
        }
        let t: String = t
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{202F}' && *c != '\u{00A0}')
            .filter(|c| Some(*c) != self.thousands || *c == self.decimal)
            .map(|c| if c == self.decimal { '.' } else { c })
            .map(|c| {
                if c == ',' && self.thousands != Some(',') {
                    '.'
                } else {
                    c
                }
            })
            .collect();
        if t.is_empty() {
            return None;
        }
        t.parse::<f64>().ok().filter(|x| x.is_finite())
    }

    /// The CSV delimiter that goes with the format: `;` with a decimal comma (as spreadsheets
    /// in those locales expect), otherwise `,`.
    pub fn csv_delimiter(&self) -> u8 {
        if self.decimal == ',' {
            b';'
        } else {
            b','
        }
    }

    /// A number written for a CSV file with this format's decimal separator and no grouping.
    pub fn csv_number(&self, v: f64, decimals: usize) -> String {
        if v.is_finite() {
            self.fixed(v, decimals)
        } else {
            String::new()
        }
    }

    /// A spreadsheet number-format code for amounts (`#,##0.00\ "€"`): the grouping and decimal
    /// marks are the spreadsheet's own (shown in the reader's locale), the symbol is text.
    pub fn sheet_money_code(&self) -> String {
        let body = self.sheet_number_code(usize::from(self.money_decimals));
        if self.symbol.is_empty() {
            return body;
        }
        let sym = format!("\"{}\"", self.symbol.replace('"', ""));
        let space = if self.symbol_space { "\\ " } else { "" };
        if self.symbol_after {
            format!("{body}{space}{sym}")
        } else {
            format!("{sym}{space}{body}")
        }
    }

    /// A spreadsheet number-format code with `decimals` decimals, grouped when the format
    /// groups (`#,##0.00` or `0.00`).
    pub fn sheet_number_code(&self, decimals: usize) -> String {
        let whole = if self.thousands.is_some() {
            "#,##0"
        } else {
            "0"
        };
        if decimals == 0 {
            whole.into()
        } else {
            format!("{whole}.{}", "0".repeat(decimals))
        }
    }
}

/// Currency signs recognised in imported amounts.
const SIGNS: [char; 8] = ['€', '$', '£', '¥', '₹', '₽', '₺', '₩'];

/// Currency codes recognised in imported amounts.
const CODES: [&str; 8] = ["EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN"];

/// The format an imported file suggests, from its decimal separator and example amounts
/// (`"12,50 €"`): a decimal comma gives the German separators (French ones when the amounts
/// are grouped by spaces), a currency sign or code gives the symbol and where it sits. `None`
/// when the file says nothing beyond the default (a decimal point and no symbol).
pub fn suggest<'a>(
    decimal: char,
    examples: impl IntoIterator<Item = &'a str>,
) -> Option<NumberFormat> {
    let mut symbol: Option<(String, bool, bool)> = None;
    let mut space_grouped = false;
    for e in examples {
        let t = e.trim();
        let digits = t.find(|c: char| c.is_ascii_digit());
        let Some(first) = digits else { continue };
        // A space between a digit and a group of three digits: "1 234,50".
        let cs: Vec<char> = t.chars().collect();
        if cs.windows(5).any(|w| {
            w[0].is_ascii_digit()
                && [' ', '\u{00A0}', NARROW_NBSP].contains(&w[1])
                && w[2..].iter().all(char::is_ascii_digit)
        }) {
            space_grouped = true;
        }
        if symbol.is_some() {
            continue;
        }
        let sign = t
            .char_indices()
            .find(|(_, c)| SIGNS.contains(c))
            .map(|(i, c)| (i, c.to_string()));
        let code = CODES.iter().find_map(|code| {
            t.to_ascii_uppercase()
                .find(code)
                .map(|i| (i, (*code).to_string()))
        });
        if let Some((i, sym)) = sign.or(code) {
            let after = i > first;
            let spaced = if after {
                t.get(..i).is_some_and(|h| h.ends_with(char::is_whitespace))
            } else {
                t.get(i + sym.len()..)
                    .is_some_and(|r| r.starts_with(char::is_whitespace))
            };
            symbol = Some((sym, after, spaced));
        }
    }
    if decimal != ',' && symbol.is_none() {
        return None;
    }
    let base = if decimal == ',' {
        if space_grouped {
            Preset::Fr.format()
        } else {
            Preset::De.format()
        }
    } else {
        Preset::En.format()
    };
    Some(match symbol {
        Some((sym, after, spaced)) => NumberFormat {
            symbol: sym,
            symbol_after: after,
            symbol_space: spaced,
            ..base
        },
        None => base,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The preset with its usual symbol (`$`, `€`, `€`, `CHF`).
    fn p(p: Preset) -> NumberFormat {
        let sym = match p {
            Preset::En => "$",
            Preset::De | Preset::Fr => "€",
            Preset::Ch => "CHF",
        };
        p.format().with_currency(sym)
    }

    #[test]
    fn every_preset_writes_its_example() {
        assert_eq!(p(Preset::En).number(1234.56, 2), "1,234.56");
        assert_eq!(p(Preset::De).number(1234.56, 2), "1.234,56");
        assert_eq!(p(Preset::Fr).number(1234.56, 2), "1\u{202F}234,56");
        assert_eq!(p(Preset::Ch).number(1234.56, 2), "1'234.56");
        assert_eq!(p(Preset::En).example(), "$1,234.56");
        assert_eq!(p(Preset::De).example(), "1.234,56\u{00A0}€");
        assert_eq!(p(Preset::Fr).example(), "1\u{202F}234,56\u{00A0}€");
        assert_eq!(p(Preset::Ch).example(), "CHF\u{00A0}1'234.56");
        assert_eq!(NumberFormat::default(), Preset::En.format());
        assert_eq!(NumberFormat::default().money(-1234.5), "-1,234.50");
        for pre in Preset::ALL {
            assert_eq!(pre.format().check(), Ok(()));
            assert_eq!(p(pre).preset(), Some(pre));
            assert_eq!(pre.format().preset(), Some(pre));
            assert_eq!(Preset::parse(pre.name()), Some(pre));
        }
        assert_eq!(Preset::parse("1.234,56"), Some(Preset::De));
        assert_eq!(Preset::parse("1 234,56"), Some(Preset::Fr));
        assert_eq!(Preset::parse("xx"), None);
    }

    #[test]
    fn negative_amounts_put_the_sign_before_the_symbol() {
        assert_eq!(p(Preset::En).money(-1234.5), "-$1,234.50");
        assert_eq!(p(Preset::De).money(-1234.5), "-1.234,50\u{00A0}€");
        assert_eq!(p(Preset::Fr).money(-0.5), "-0,50\u{00A0}€");
        assert_eq!(p(Preset::Ch).money(-1e6), "-CHF\u{00A0}1'000'000.00");
        assert_eq!(p(Preset::De).number(-12_345.0, 1), "-12.345,0");
    }

    #[test]
    fn rounding_away_a_small_negative_drops_the_sign() {
        for pre in Preset::ALL {
            let f = pre.format();
            assert_eq!(f.number(-0.001, 2), format!("0{}00", f.decimal));
            assert_eq!(f.fixed(7.6, 0), "8");
        }
        assert_eq!(p(Preset::De).fixed(2.345, 1), "2,3");
        assert_eq!(p(Preset::En).number(999.999, 2), "1,000.00");
        assert_eq!(p(Preset::De).number(999_999.5, 0), "1.000.000");
    }

    #[test]
    fn non_finite_values_are_a_dash_in_every_preset() {
        for pre in Preset::ALL {
            let f = pre.format();
            for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                assert_eq!(f.number(v, 2), MISSING);
                assert_eq!(f.money(v), MISSING);
                assert_eq!(f.percent(v, 1), MISSING);
                assert_eq!(f.compact(v), MISSING);
                assert_eq!(f.compact_money(v), MISSING);
                assert_eq!(f.csv_number(v, 2), "");
            }
        }
    }

    #[test]
    fn large_numbers_are_grouped_in_every_preset() {
        let v = 12_345_678_901.25;
        assert_eq!(p(Preset::En).number(v, 2), "12,345,678,901.25");
        assert_eq!(p(Preset::De).number(v, 2), "12.345.678.901,25");
        assert_eq!(
            p(Preset::Fr).number(v, 0),
            "12\u{202F}345\u{202F}678\u{202F}901"
        );
        assert_eq!(p(Preset::Ch).number(v, 0), "12'345'678'901");
        let none = NumberFormat {
            thousands: None,
            ..p(Preset::De)
        };
        assert_eq!(none.number(v, 2), "12345678901,25");
        assert_eq!(none.sheet_number_code(2), "0.00");
    }

    #[test]
    fn counts_are_grouped_and_fill_the_left_out_sentence() {
        assert_eq!(p(Preset::En).count(198_597), "198,597");
        assert_eq!(p(Preset::De).count(1_005), "1.005");
        assert_eq!(p(Preset::En).count(999), "999");
        use crate::domain::customers::{excluded_sentence_in, ExcludedCustomers, ExclusionReason};
        let left_out = |reason, count| ExcludedCustomers {
            reason,
            count,
            ids: Vec::new(),
        };
        let e = [
            left_out(ExclusionReason::OnlyReturns, 1),
            left_out(ExclusionReason::FirstAfterCalibration, 1_004),
        ];
        let en = p(Preset::En);
        assert_eq!(
            excluded_sentence_in(&e, |n| en.count(n)).as_deref(),
            Some("1,005 customers left out: 1 only returned goods, 1,004 first bought after the calibration end")
        );
    }

    #[test]
    fn percent_and_compact_use_the_decimal_separator() {
        assert_eq!(p(Preset::En).percent(0.25, 1), "25.0%");
        assert_eq!(p(Preset::De).percent(0.123_45, 2), "12,35%");
        assert_eq!(p(Preset::De).compact(1234.0), "1,2k");
        assert_eq!(p(Preset::De).compact(-3_400_000.0), "-3,4M");
        assert_eq!(p(Preset::En).compact(0.25), "0.25");
        assert_eq!(p(Preset::Fr).compact(35_000.0), "35k");
        assert_eq!(
            p(Preset::De).compact_money(12_345.0),
            "12,3\u{00A0}k\u{00A0}€"
        );
        assert_eq!(p(Preset::En).compact_money(12.5), "$12.50");
        assert_eq!(
            p(Preset::Ch).compact_money(1_234_567.0),
            "CHF\u{00A0}1.23\u{00A0}M"
        );
    }

    #[test]
    fn symbol_placement_follows_the_settings() {
        let mut f = p(Preset::En);
        f.symbol = "€".into();
        f.symbol_after = true;
        f.symbol_space = false;
        assert_eq!(f.money(5.0), "5.00€");
        f.symbol_after = false;
        f.symbol_space = true;
        assert_eq!(f.money(5.0), "€\u{00A0}5.00");
        f.symbol.clear();
        assert_eq!(f.money(5.0), "5.00");
        f.money_decimals = 0;
        assert_eq!(f.money(1234.5), "1,234");
    }

    #[test]
    fn typed_numbers_follow_the_decimal_separator() {
        let de = p(Preset::De);
        assert_eq!(de.parse("1.234,5"), Some(1234.5));
        assert_eq!(de.parse(" 0,5 "), Some(0.5));
        assert_eq!(de.parse("12 €"), Some(12.0));
        let en = p(Preset::En);
        assert_eq!(en.parse("1,234.5"), Some(1234.5));
        assert_eq!(en.parse("$-12.25"), Some(-12.25));
        assert_eq!(en.parse(" 0,5 "), Some(0.5));
        assert_eq!(en.parse("1,234"), Some(1234.0));
        let fr = p(Preset::Fr);
        assert_eq!(fr.parse("1\u{202F}234,5"), Some(1234.5));
        assert_eq!(fr.parse("0.5"), Some(0.5));
        assert_eq!(p(Preset::Ch).parse("1'234.5"), Some(1234.5));
        for f in [de, en, fr] {
            assert_eq!(f.parse("inf"), None);
            assert_eq!(f.parse("NaN"), None);
            assert_eq!(f.parse(""), None);
            assert_eq!(f.parse("abc"), None);
        }
    }

    #[test]
    fn csv_uses_a_semicolon_with_a_decimal_comma() {
        assert_eq!(p(Preset::En).csv_delimiter(), b',');
        assert_eq!(p(Preset::Ch).csv_delimiter(), b',');
        assert_eq!(p(Preset::De).csv_delimiter(), b';');
        assert_eq!(p(Preset::Fr).csv_delimiter(), b';');
        assert_eq!(p(Preset::De).csv_number(1234.5, 2), "1234,50");
    }

    #[test]
    fn sheet_codes_carry_the_symbol_and_leave_separators_to_the_spreadsheet() {
        assert_eq!(p(Preset::En).sheet_money_code(), "\"$\"#,##0.00");
        assert_eq!(p(Preset::De).sheet_money_code(), "#,##0.00\\ \"€\"");
        assert_eq!(p(Preset::Ch).sheet_money_code(), "\"CHF\"\\ #,##0.00");
    }

    #[test]
    fn check_names_the_bad_setting() {
        let mut f = p(Preset::De);
        f.thousands = Some(',');
        assert_eq!(f.check(), Err(FormatError::Thousands(',')));
        f.thousands = None;
        f.decimal = ';';
        assert_eq!(f.check(), Err(FormatError::Decimal(';')));
        f.decimal = ',';
        f.money_decimals = 9;
        assert!(f
            .check()
            .err()
            .is_some_and(|e| e.to_string().contains("money decimals 9")));
    }

    #[test]
    fn an_import_with_decimal_commas_and_euros_suggests_the_german_format() {
        let f = suggest(',', ["C001", "2024-01-05", "12,50 €"]);
        assert_eq!(
            f.as_ref().map(NumberFormat::example).as_deref(),
            Some("1.234,56\u{a0}€")
        );
        let fr = suggest(',', ["1 234,50"]);
        assert_eq!(fr.map(|f| f.thousands), Some(Some(NARROW_NBSP)));
        let usd = suggest('.', ["$12.00"]);
        assert_eq!(usd.map(|f| f.example()).as_deref(), Some("$1,234.56"));
        let chf = suggest('.', ["CHF 12.00"]);
        assert_eq!(
            chf.map(|f| f.example()).as_deref(),
            Some("CHF\u{a0}1,234.56")
        );
        assert_eq!(suggest('.', ["12.50", "C001"]), None);
    }

    #[test]
    fn a_stored_format_missing_fields_reads_as_the_default() {
        let f: NumberFormat = serde_json::from_str(r#"{"decimal":","}"#).unwrap_or_default();
        assert_eq!(f.decimal, ',');
        assert_eq!(f.symbol, "");
    }
}
