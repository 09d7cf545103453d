//! Relationship levels (Kotler: basic, reactive, accountable, proactive, partnership) and the
//! customer portfolio: Kotler's grid (number of customers × margin → recommended level), and
//! which level pays for which segment when each level has a cost per customer per year and a
//! retention it earns: the lifetime value at a level is the engine's
//! [`simple_clv`](crate::domain::value::simple_clv) of (margin − cost), retention and discount.
//! The app's own strategy rules are the engine's ([`strategy::suggest`]); their text is read
//! from that module's documentation, not copied.

use super::LessonError;
use crate::domain::segmentation::strategy::{self, RelationshipLevel, SegmentFigures, Suggestion};
use crate::domain::value;

/// The five levels, in order.
pub const LEVELS: [RelationshipLevel; 5] = [
    RelationshipLevel::Basic,
    RelationshipLevel::Reactive,
    RelationshipLevel::Accountable,
    RelationshipLevel::Proactive,
    RelationshipLevel::Partnership,
];

/// Kotler's grid: rows many / medium / few customers, columns high / medium / low margin.
pub fn kotler_grid() -> [[&'static str; 3]; 3] {
    [
        ["Accountable", "Reactive", "Basic or reactive"],
        ["Proactive", "Accountable", "Reactive"],
        ["Partnership", "Proactive", "Accountable"],
    ]
}

/// What one level costs and earns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LevelEconomics {
    /// Cost per customer per year.
    pub cost: f64,
    /// Retention per year the level earns.
    pub retention: f64,
}

/// The lesson's default costs and retentions per level (basic to partnership).
pub fn default_levels() -> [LevelEconomics; 5] {
    let l = |cost, retention| LevelEconomics { cost, retention };
    [
        l(0.0, 0.50),
        l(2.0, 0.55),
        l(10.0, 0.65),
        l(50.0, 0.75),
        l(200.0, 0.85),
    ]
}

/// A segment of the lesson's portfolio.
#[derive(Debug, Clone, PartialEq)]
pub struct PortfolioSegment {
    /// Name.
    pub name: String,
    /// Customers.
    pub customers: u64,
    /// Margin per customer per year (before the level's cost).
    pub margin: f64,
    /// Mean days since the last purchase (for the app's rules).
    pub mean_recency_days: f64,
    /// Mean purchase occasions (for the app's rules).
    pub mean_occasions: f64,
}

/// The lesson's default portfolio: many low-margin, a middle group, few key accounts.
pub fn default_segments() -> Vec<PortfolioSegment> {
    let s = |name: &str, customers, margin, rec, occ| PortfolioSegment {
        name: name.into(),
        customers,
        margin,
        mean_recency_days: rec,
        mean_occasions: occ,
    };
    vec![
        s("Mass market", 5000, 20.0, 120.0, 1.2),
        s("Regulars", 800, 120.0, 45.0, 4.0),
        s("Key accounts", 40, 1500.0, 20.0, 15.0),
    ]
}

/// One segment's lifetime value at every level and the level that pays best.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentLevels {
    /// CLV per customer at each level (basic to partnership).
    pub clv: [f64; 5],
    /// Index of the best level (the first on a tie).
    pub best: usize,
}

/// CLV per customer of a segment at each level: simple_clv(margin − cost, retention, d).
///
/// # Errors
/// [`LessonError`] when a level's retention or the discount is refused by the engine.
pub fn levels_for(
    margin: f64,
    levels: &[LevelEconomics; 5],
    discount: f64,
) -> Result<SegmentLevels, LessonError> {
    let mut clv = [0.0; 5];
    for (i, l) in levels.iter().enumerate() {
        clv[i] =
            value::simple_clv(margin - l.cost, l.retention, discount).map_err(|e| LessonError {
                input: format!("{} level: {e}", LEVELS[i].name()),
                expected: "a retention in [0, 1) and a discount above retention − 1".into(),
                found: l.retention,
            })?;
    }
    let mut best = 0;
    for (i, v) in clv.iter().enumerate() {
        if *v > clv[best] {
            best = i;
        }
    }
    Ok(SegmentLevels { clv, best })
}

/// The app's own suggestion for each segment ([`strategy::suggest`]), with revenue = customers
/// × margin.
pub fn app_suggestions(segments: &[PortfolioSegment]) -> Vec<Suggestion> {
    let figures: Vec<SegmentFigures> = segments
        .iter()
        .map(|s| SegmentFigures {
            segment: s.name.clone(),
            customers: s.customers,
            revenue: s.customers as f64 * s.margin,
            mean_recency_days: s.mean_recency_days,
            mean_occasions: s.mean_occasions,
            mean_p_alive: None,
            mean_clv: None,
        })
        .collect();
    strategy::suggest(&figures)
}

/// The app's strategy rules, as written in the engine's module documentation (the numbered
/// list under "# Rules" in `src/domain/segmentation/strategy.rs`), one rule per item, after
/// the sentence that introduces them.
pub fn app_rules() -> Vec<String> {
    const SOURCE: &str = include_str!("../../domain/segmentation/strategy.rs");
    let mut rules: Vec<String> = Vec::new();
    let mut inside = false;
    for line in SOURCE.lines() {
        let Some(doc) = line.strip_prefix("//!") else {
            if inside {
                break;
            }
            continue;
        };
        let doc = doc.trim();
        if doc == "# Rules" {
            inside = true;
            continue;
        }
        if !inside {
            continue;
        }
        if doc.is_empty() && !rules.is_empty() {
            break;
        }
        let numbered = doc
            .split_once(". ")
            .filter(|(n, _)| n.parse::<u32>().is_ok());
        match (numbered, rules.last_mut()) {
            (Some(_), _) | (None, None) => rules.push(doc.to_string()),
            (None, Some(last)) => {
                last.push(' ');
                last.push_str(doc);
            }
        }
    }
    rules
        .into_iter()
        .map(|r| r.replace(['*', '`'], ""))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_that_pays_matches_hand_computation() {
        // d = 0.1. Margin 20: basic 20·0.5/0.6 = 16.67, reactive 18·0.55/0.55 = 18.00,
        // accountable 10·0.65/0.45 = 14.44 → reactive.
        // Margin 120: accountable 110·0.65/0.45 = 158.89, proactive 70·0.75/0.35 = 150.00 →
        // accountable. Margin 1500: partnership 1300·0.85/0.25 = 4420 → partnership.
        let l = default_levels();
        let a = levels_for(20.0, &l, 0.1).unwrap();
        assert!((a.clv[1] - 18.0).abs() < 1e-9);
        assert_eq!(a.best, 1);
        let b = levels_for(120.0, &l, 0.1).unwrap();
        assert!((b.clv[2] - 158.888_889).abs() < 1e-5);
        assert_eq!(b.best, 2);
        let c = levels_for(1500.0, &l, 0.1).unwrap();
        assert!((c.clv[4] - 4420.0).abs() < 1e-9);
        assert_eq!(c.best, 4);
    }

    #[test]
    fn the_rules_are_read_from_the_engine() {
        let r = app_rules();
        // The preamble (what "value index" means), then the six numbered rules.
        assert_eq!(r.len(), 7, "{r:?}");
        assert!(r[0].starts_with("With value index"));
        assert!(r[1].starts_with("1. Lapsed"));
        assert!(r[5].contains("Retain"));
    }

    #[test]
    fn the_app_suggests_by_its_own_rules() {
        // Revenue 100000, 96000, 60000 (total 256000) over 5840 customers: key accounts hold
        // 0.68 % of customers and 23.4 % of revenue: value index 34 → Retain, Partnership.
        // Mass market: mean occasions 1.2 → Convert (recency 120 < 1.5 × overall mean 109.4?
        // overall = (5000·120 + 800·45 + 40·20)/5840 = 109.04; 120 < 163.6: active).
        let s = app_suggestions(&default_segments());
        assert_eq!(s[2].level, RelationshipLevel::Partnership);
        assert_eq!(s[0].strategy, strategy::Strategy::Convert);
    }
}
