//! Cross-tabulation of two segmentations of the same customers (counts and row shares).

use serde::{Deserialize, Serialize};

/// Counts of customers by (row segment, column segment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossTab {
    /// Row labels (first segmentation), in order of first appearance.
    pub rows: Vec<String>,
    /// Column labels (second segmentation), in order of first appearance.
    pub cols: Vec<String>,
    /// counts[row][col].
    pub counts: Vec<Vec<u64>>,
    /// Each count divided by its row total.
    pub row_shares: Vec<Vec<f64>>,
    /// Row totals.
    pub row_totals: Vec<u64>,
    /// Column totals.
    pub col_totals: Vec<u64>,
}

/// The two label lists have different lengths.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossTabError {
    /// Length of the first list.
    pub a: u64,
    /// Length of the second list.
    pub b: u64,
}

impl std::fmt::Display for CrossTabError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "segmentations: expected the same customers, found {} and {} labels",
            self.a, self.b
        )
    }
}

impl std::error::Error for CrossTabError {}

fn index_of(list: &mut Vec<String>, s: &str) -> usize {
    match list.iter().position(|x| x == s) {
        Some(i) => i,
        None => {
            list.push(s.to_string());
            list.len() - 1
        }
    }
}

/// [`index_of`], remembering each label's address (start and length) with its index.
fn index_by_address(
    seen: &mut Vec<(usize, usize, usize)>,
    list: &mut Vec<String>,
    s: &str,
) -> usize {
    let key = (s.as_ptr() as usize, s.len());
    if let Some(&(_, _, i)) = seen.iter().find(|&&(p, l, _)| (p, l) == key) {
        return i;
    }
    let i = index_of(list, s);
    if seen.len() < 64 {
        seen.push((key.0, key.1, i));
    }
    i
}

/// Cross-tabulates two segmentations given as labels per customer, in the same customer order.
///
/// # Errors
/// [`CrossTabError`] when the lists differ in length.
pub fn cross_tab<A: AsRef<str>, B: AsRef<str>>(
    a: &[A],
    b: &[B],
) -> Result<CrossTab, CrossTabError> {
    if a.len() != b.len() {
        return Err(CrossTabError {
            a: a.len() as u64,
            b: b.len() as u64,
        });
    }
    let mut rows = Vec::new();
    let mut cols = Vec::new();
    // Labels are usually a few names referred to a million times (the page passes `&str`s into
    // its segment names): a label whose address was seen before takes that index without
    // comparing text, which made a million customers' table 100 ms of the page's thread.
    let (mut seen_a, mut seen_b) = (Vec::new(), Vec::new());
    let mut pairs = Vec::with_capacity(a.len());
    for (x, y) in a.iter().zip(b) {
        pairs.push((
            index_by_address(&mut seen_a, &mut rows, x.as_ref()),
            index_by_address(&mut seen_b, &mut cols, y.as_ref()),
        ));
    }
    let mut counts = vec![vec![0u64; cols.len()]; rows.len()];
    for (r, c) in pairs {
        counts[r][c] += 1;
    }
    let row_totals: Vec<u64> = counts.iter().map(|r| r.iter().sum()).collect();
    let col_totals: Vec<u64> = (0..cols.len())
        .map(|c| counts.iter().map(|r| r[c]).sum())
        .collect();
    let row_shares = counts
        .iter()
        .zip(&row_totals)
        .map(|(r, &t)| {
            r.iter()
                .map(|&c| if t > 0 { c as f64 / t as f64 } else { 0.0 })
                .collect()
        })
        .collect();
    Ok(CrossTab {
        rows,
        cols,
        counts,
        row_shares,
        row_totals,
        col_totals,
    })
}
