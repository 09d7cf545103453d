//! Customers of a log that are not in its summary, counted by reason and listed (capped), so
//! nobody leaves the summary silently.

use serde::{Deserialize, Serialize};

/// How many ids are listed per reason; the rest are counted.
pub const EXCLUDED_IDS_LISTED: usize = 1000;

/// Why a customer of the log is not in the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionReason {
    /// Every purchase day in the period nets to a negative amount (returns policy "net"), or
    /// every row in the period is a return (policy "drop").
    OnlyReturns,
    /// The first purchase falls after the calibration end (not yet a customer then).
    FirstAfterCalibration,
    /// Every purchase falls after the observation end.
    AfterObservationEnd,
}

impl ExclusionReason {
    /// Plain words, to follow a count ("5 only returned goods").
    pub fn describe(self) -> &'static str {
        match self {
            ExclusionReason::OnlyReturns => "only returned goods",
            ExclusionReason::FirstAfterCalibration => "first bought after the calibration end",
            ExclusionReason::AfterObservationEnd => "bought only after the observation end",
        }
    }
}

/// The customers left out for one reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExcludedCustomers {
    /// Why they are left out.
    pub reason: ExclusionReason,
    /// How many customers (all of them, listed or not).
    pub count: u64,
    /// Their ids in natural order, at most [`EXCLUDED_IDS_LISTED`].
    pub ids: Vec<String>,
}

impl ExcludedCustomers {
    /// Ids counted but not listed.
    pub fn not_listed(&self) -> u64 {
        self.count.saturating_sub(self.ids.len() as u64)
    }
}

/// Total customers left out over all reasons.
pub fn excluded_total(excluded: &[ExcludedCustomers]) -> u64 {
    excluded.iter().map(|e| e.count).sum()
}

/// One sentence for the report ("8 customers left out: 5 only returned goods, 3 first bought
/// after the calibration end"), or `None` when nobody was left out.
pub fn excluded_sentence(excluded: &[ExcludedCustomers]) -> Option<String> {
    excluded_sentence_in(excluded, |n| n.to_string())
}

/// [`excluded_sentence`] with the counts written by `count` (the page groups them in the
/// user's number format: "1,005 customers left out: …").
pub fn excluded_sentence_in(
    excluded: &[ExcludedCustomers],
    count: impl Fn(u64) -> String,
) -> Option<String> {
    let total = excluded_total(excluded);
    if total == 0 {
        return None;
    }
    let parts: Vec<String> = excluded
        .iter()
        .filter(|e| e.count > 0)
        .map(|e| format!("{} {}", count(e.count), e.reason.describe()))
        .collect();
    let noun = if total == 1 { "customer" } else { "customers" };
    Some(format!(
        "{} {noun} left out: {}",
        count(total),
        parts.join(", ")
    ))
}

/// Collects reasons per customer and builds the capped lists, in reason order.
#[derive(Debug, Default)]
pub(super) struct ExcludedBuilder {
    lists: Vec<ExcludedCustomers>,
}

impl ExcludedBuilder {
    /// Records one customer (call in natural id order so the lists come out sorted).
    pub(super) fn push(&mut self, reason: ExclusionReason, id: &str) {
        let pos = match self.lists.iter().position(|e| e.reason == reason) {
            Some(p) => p,
            None => {
                self.lists.push(ExcludedCustomers {
                    reason,
                    count: 0,
                    ids: Vec::new(),
                });
                self.lists.len() - 1
            }
        };
        if let Some(e) = self.lists.get_mut(pos) {
            e.count += 1;
            if e.ids.len() < EXCLUDED_IDS_LISTED {
                e.ids.push(id.to_string());
            }
        }
    }

    /// The lists, ordered by reason.
    pub(super) fn finish(mut self) -> Vec<ExcludedCustomers> {
        self.lists.sort_by_key(|e| e.reason);
        self.lists
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentence_counts_each_reason_and_caps_the_ids() {
        let mut b = ExcludedBuilder::default();
        for i in 0..(EXCLUDED_IDS_LISTED + 4) {
            b.push(ExclusionReason::FirstAfterCalibration, &i.to_string());
        }
        b.push(ExclusionReason::OnlyReturns, "r");
        let e = b.finish();
        assert_eq!(e[0].reason, ExclusionReason::OnlyReturns);
        assert_eq!(e[1].ids.len(), EXCLUDED_IDS_LISTED);
        assert_eq!(e[1].not_listed(), 4);
        assert_eq!(
            excluded_sentence(&e).as_deref(),
            Some("1005 customers left out: 1 only returned goods, 1004 first bought after the calibration end")
        );
        // Any count format (the page passes the user's; here a stand-in that marks each count).
        assert_eq!(
            excluded_sentence_in(&e, |n| format!("<{n}>")).as_deref(),
            Some("<1005> customers left out: <1> only returned goods, <1004> first bought after the calibration end")
        );
        assert_eq!(excluded_sentence(&[]), None);
    }
}
