//! RFM on a small table the student edits: each row is a customer with the days since the last
//! purchase, the number of purchases and the total spend. The scores, the quintile cut points
//! and the segment names are the engine's own ([`RfmParams`] and [`SegmentMap::rxf`]): this
//! module only turns the table into the engine's customer records.

use crate::domain::customers::{CustomerRecord, OptF64, TimeUnit};
use crate::domain::segmentation::{RfmParams, RfmResult, SegmentMap};
use chrono::NaiveDate;

/// One row of the student's table.
#[derive(Debug, Clone, PartialEq)]
pub struct RfmRow {
    /// Customer id.
    pub customer: String,
    /// Days since the last purchase (0 = the analysis day).
    pub days_ago: u32,
    /// Purchases, first included.
    pub purchases: u32,
    /// Total spend.
    pub spend: f64,
}

/// The scored table.
#[derive(Debug, Clone, PartialEq)]
pub struct RfmLesson {
    /// The engine's result (scores in row order, cut points, warnings).
    pub result: RfmResult,
    /// Segment of each row by the common R × F map.
    pub segments: Vec<String>,
}

/// The lesson's default table (ten customers).
pub fn default_rows() -> Vec<RfmRow> {
    [
        ("Ana", 5, 12, 1450.0),
        ("Ben", 40, 3, 210.0),
        ("Chloé", 200, 1, 35.0),
        ("Dev", 12, 8, 820.0),
        ("Emma", 90, 2, 95.0),
        ("Farid", 3, 1, 60.0),
        ("Grace", 300, 6, 640.0),
        ("Hugo", 25, 4, 380.0),
        ("Ines", 150, 2, 150.0),
        ("Jon", 60, 5, 500.0),
    ]
    .into_iter()
    .map(|(c, d, p, s)| RfmRow {
        customer: c.into(),
        days_ago: d,
        purchases: p,
        spend: s,
    })
    .collect()
}

/// The analysis day of the lesson: recency is counted back from it.
pub fn analysis_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default()
}

/// Scores the table with the engine (5 quintile bins, total spend).
///
/// # Errors
/// The engine's [`crate::domain::segmentation::RfmError`] (no rows, a spend that is not a
/// number).
pub fn score(rows: &[RfmRow]) -> Result<RfmLesson, crate::domain::segmentation::RfmError> {
    let day = analysis_day();
    let records: Vec<CustomerRecord> = rows
        .iter()
        .map(|r| {
            let last = day - chrono::Days::new(u64::from(r.days_ago));
            CustomerRecord {
                id: r.customer.clone(),
                x: f64::from(r.purchases.saturating_sub(1)),
                t_x: 0.0,
                t: f64::from(r.days_ago),
                monetary: 0.0,
                weight: 1.0,
                first: Some(last),
                last: Some(last),
                occasions: r.purchases.max(1),
                total_spend: r.spend,
                total_margin: OptF64::NONE,
                holdout_x: OptF64::NONE,
                holdout_spend: OptF64::NONE,
            }
        })
        .collect();
    let params = RfmParams {
        analysis_date: Some(day),
        ..RfmParams::default()
    };
    let result = params.check()?.fit_records(&records, TimeUnit::Day)?;
    let map = SegmentMap::rxf();
    let segments = result
        .scores
        .iter()
        .map(|s| map.assign_score(s).to_string())
        .collect();
    Ok(RfmLesson { result, segments })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_table_scores_by_quintile_with_the_engine() {
        // Recency days sorted: 3 5 12 25 40 60 90 150 200 300; cut j at rank ceil(2j) − 1:
        // ranks 1, 3, 5, 7 → 5, 25, 60, 150. Ana (5) is equal to the first cut: bin 1, R = 5;
        // Farid (3) R = 5; Dev (12) bin 2, R = 4; Grace (300) bin 5, R = 1.
        // Purchases sorted: 1 1 2 2 3 4 5 6 8 12 → cuts 1, 2, 4, 6: Ana (12) F = 5, Chloé (1) F = 1,
        // Jon (5) F = 4 (above 4, not above 6).
        // Spend sorted: 35 60 95 150 210 380 500 640 820 1450 → cuts 60, 150, 380, 640.
        let l = score(&default_rows()).unwrap();
        let c = &l.result.cut_points;
        assert_eq!(c.recency, vec![5.0, 25.0, 60.0, 150.0]);
        assert_eq!(c.frequency, vec![1.0, 2.0, 4.0, 6.0]);
        assert_eq!(c.monetary, vec![60.0, 150.0, 380.0, 640.0]);
        let s = &l.result.scores;
        assert_eq!((s[0].r, s[0].f, s[0].m), (5, 5, 5));
        assert_eq!((s[5].r, s[5].f), (5, 1));
        assert_eq!(s[3].r, 4);
        assert_eq!((s[6].r, s[6].f), (1, 4));
        assert_eq!(s[9].f, 4);
        // R × F map: Ana 5/5 Champions, Farid 5/1 New Customers, Grace 1/4 At Risk.
        assert_eq!(l.segments[0], "Champions");
        assert_eq!(l.segments[5], "New Customers");
        assert_eq!(l.segments[6], "At Risk");
    }

    #[test]
    fn editing_a_cell_rescores() {
        // Chloé bought 20 times instead of once: purchases sorted 1 2 2 3 4 5 6 8 12 20, cuts
        // 2, 3, 5, 8: Chloé F = 5; Farid, the only single buyer, F = 1.
        let mut rows = default_rows();
        rows[2].purchases = 20;
        let l = score(&rows).unwrap();
        assert_eq!(l.result.cut_points.frequency, vec![2.0, 3.0, 5.0, 8.0]);
        assert_eq!(l.result.scores[2].f, 5);
    }
}
