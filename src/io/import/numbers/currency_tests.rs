//! Pins [`super::strip_currency`]'s skip (no currency code at either end: the 14 comparisons
//! are not made) against the loop that always compares.

use super::*;

/// `strip_currency` without the skip: every code compared at both ends.
fn reference(s: &str) -> &str {
    strip_currency_codes(s, true)
}

#[test]
fn the_skip_strips_exactly_what_comparing_every_code_strips() {
    let ends = [
        "", "EUR", "eur", "EUR ", " usd", "Usd ", "US$", "$", "€ ", " ", "CHF", "Chf", "czk",
        "C01", "EU", "X", "XYZ", "EURO", "CZK€", "JPY¥", "é", "ÉUR", "-", "(", ")", "USD EUR ",
        " GBP GBP",
    ];
    let bodies = [
        "12",
        "1,234.50",
        "C0134900",
        "CUST0001",
        "2023-01-01",
        "-5",
        "(3)",
        "",
        "é12",
        "EURO",
        "EUR",
        "12 ",
        "1 234,5",
        "CAD",
        "ab",
        "N/A",
    ];
    let mut tried = 0;
    for a in ends {
        for body in bodies {
            for z in ends {
                for t in [
                    format!("{a}{body}{z}"),
                    format!("{z}{body}{a}"),
                    format!("{a}{z}{body}"),
                    format!("{body}{a}{z}"),
                ] {
                    assert_eq!(strip_currency(&t), reference(&t), "{t:?}");
                    tried += 1;
                }
            }
        }
    }
    assert!(tried > 40_000);
    // The cases that need the comparisons still get them.
    assert_eq!(strip_currency("EUR 12"), "12");
    assert_eq!(strip_currency("12,00 eur"), "12,00");
    assert_eq!(strip_currency("CHF 3 usd"), "3");
    assert_eq!(strip_currency("C0134900"), "C0134900");
    assert!(is_code(Some(b"cZk")) && !is_code(Some(b"CZ")) && !is_code(Some(b"C01")));
    for code in CURRENCY_CODES {
        assert!(is_code(Some(code.as_bytes())), "{code}");
    }
}
