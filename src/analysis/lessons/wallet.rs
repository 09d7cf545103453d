//! Share of wallet and share of customer: per customer, our spend / the customer's total spend
//! in the category; over the base, Σ our spend / Σ category spend (the spend-weighted share of
//! customer) beside the plain mean of the shares; and the value of growing each customer's
//! share by k points: extra spend = min(k/100 · category spend, category − ours), times the
//! margin rate.
//!
//! The import mapping has no category-spend column (its roles are customer, date, amount,
//! quantity, cost, margin, channel, product), so the lesson works on an editable example.

use super::{check, LessonError};

/// One customer's row.
#[derive(Debug, Clone, PartialEq)]
pub struct WalletRow {
    /// Customer id.
    pub customer: String,
    /// Our spend.
    pub ours: f64,
    /// The customer's total spend in the category.
    pub category: f64,
}

/// The figures of one customer.
#[derive(Debug, Clone, PartialEq)]
pub struct WalletShare {
    /// ours / category.
    pub share: f64,
    /// Extra spend from k more points of share (capped at the whole category).
    pub extra: f64,
}

/// The figures of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Wallet {
    /// Per row, same order.
    pub rows: Vec<WalletShare>,
    /// Σ ours / Σ category.
    pub share_of_customer: f64,
    /// Mean of the per-customer shares.
    pub mean_share: f64,
    /// Σ extra spend.
    pub extra_spend: f64,
    /// Σ extra spend · margin rate.
    pub extra_margin: f64,
}

/// The lesson's default table.
pub fn default_rows() -> Vec<WalletRow> {
    [
        ("C1", 200.0, 1000.0),
        ("C2", 450.0, 500.0),
        ("C3", 100.0, 800.0),
        ("C4", 300.0, 600.0),
    ]
    .into_iter()
    .map(|(c, o, t)| WalletRow {
        customer: c.into(),
        ours: o,
        category: t,
    })
    .collect()
}

/// Shares and the value of `points` more points of share at `margin_rate`.
///
/// # Errors
/// [`LessonError`] naming the row: category spend must be positive and our spend between 0 and
/// it; `points` between 0 and 100; the margin rate between 0 and 1; at least one row.
pub fn shares(rows: &[WalletRow], points: f64, margin_rate: f64) -> Result<Wallet, LessonError> {
    check(
        "points of share",
        points,
        (0.0..=100.0).contains(&points),
        "0 to 100",
    )?;
    check(
        "margin rate",
        margin_rate,
        (0.0..=1.0).contains(&margin_rate),
        "0 to 1",
    )?;
    check("rows", rows.len() as f64, !rows.is_empty(), "at least one")?;
    let mut out = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        check(
            &format!("row {}: category spend", i + 1),
            r.category,
            r.category > 0.0,
            "above 0",
        )?;
        check(
            &format!("row {}: our spend", i + 1),
            r.ours,
            r.ours >= 0.0 && r.ours <= r.category,
            "between 0 and the category spend",
        )?;
        out.push(WalletShare {
            share: r.ours / r.category,
            extra: (points / 100.0 * r.category).min(r.category - r.ours),
        });
    }
    let ours: f64 = rows.iter().map(|r| r.ours).sum();
    let cat: f64 = rows.iter().map(|r| r.category).sum();
    let extra_spend: f64 = out.iter().map(|s| s.extra).sum();
    Ok(Wallet {
        share_of_customer: ours / cat,
        mean_share: out.iter().map(|s| s.share).sum::<f64>() / out.len() as f64,
        extra_spend,
        extra_margin: extra_spend * margin_rate,
        rows: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_match_hand_computation() {
        // Shares: 200/1000 = 0.2, 450/500 = 0.9, 100/800 = 0.125, 300/600 = 0.5;
        // mean = 1.725 / 4 = 0.43125; share of customer = 1050 / 2900 = 0.362069.
        // 10 points: 100, min(50, 50) = 50, 80, 60 → 290; at 30 % margin: 87.
        let w = shares(&default_rows(), 10.0, 0.3).unwrap();
        assert!((w.rows[1].share - 0.9).abs() < 1e-12);
        assert!((w.mean_share - 0.43125).abs() < 1e-12);
        assert!((w.share_of_customer - 0.362_069).abs() < 1e-6);
        assert!((w.extra_spend - 290.0).abs() < 1e-9);
        assert!((w.extra_margin - 87.0).abs() < 1e-9);
    }

    #[test]
    fn growth_is_capped_at_the_whole_category() {
        // C2 has 50 left: 20 points would be 100, capped to 50.
        let w = shares(&default_rows(), 20.0, 0.3).unwrap();
        assert!((w.rows[1].extra - 50.0).abs() < 1e-12);
    }

    #[test]
    fn our_spend_above_the_category_is_refused_with_its_row() {
        let mut rows = default_rows();
        rows[2].ours = 900.0;
        let e = shares(&rows, 10.0, 0.3).unwrap_err();
        assert_eq!(e.input, "row 3: our spend");
    }
}
