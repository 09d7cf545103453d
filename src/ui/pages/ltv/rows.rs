//! The Lifetime value page's customer table, built on demand: a row's cells are made only when
//! the row is shown (or the table is sorted, searched or exported), so a fit of a million
//! customers is on screen without building a million rows first.

use super::ranges;
use crate::ui::components::{Cell, RowSource};
use crate::worker::clv::ClvResult;
use crate::worker::intervals::ValueRanges;
use crate::worker::tasks::Imported;
use std::rc::Rc;

/// One row per customer of the summary: the summary's figures, the fit's and (when computed)
/// the ranges'.
pub struct ClvRows {
    /// The import holding the summary.
    pub data: Rc<Imported>,
    /// The fit.
    pub result: Rc<ClvResult>,
    /// The ranges, when computed.
    pub ranges: Option<Rc<ValueRanges>>,
}

impl RowSource for ClvRows {
    fn len(&self) -> usize {
        self.data.summary.as_ref().map_or(0, |s| s.customers.len())
    }

    fn row(&self, i: usize) -> Vec<Cell> {
        (0..9 + if self.ranges.is_some() { 6 } else { 0 })
            .filter_map(|col| self.cell(i, col))
            .collect()
    }

    fn cell(&self, i: usize, col: usize) -> Option<Cell> {
        let c = self.data.summary.as_ref()?.customers.get(i)?;
        let r = &self.result;
        let g = |v: &Vec<f64>| v.get(i).copied().unwrap_or(f64::NAN);
        Some(match col {
            0 => Cell::Text(c.id.clone()),
            1 => Cell::Num(c.x, 0),
            2 => Cell::Num(c.t_x, 2),
            3 => Cell::Num(c.t, 2),
            4 => Cell::Num(c.monetary, 2),
            5 => Cell::Num(g(&r.p_alive), 3),
            6 => Cell::Num(g(&r.expected_purchases), 3),
            7 => Cell::Num(g(&r.expected_spend), 2),
            8 => Cell::Num(g(&r.clv), 2),
            k => ranges::cells(self.ranges.as_deref()?, i)
                .into_iter()
                .nth(k - 9)?,
        })
    }
}
