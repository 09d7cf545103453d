//! Segment movement: the customers' RFM segments at two dates (default: the calibration end,
//! 2/3 of the way through the observed period, and the end of observation), the transition
//! matrix with counts and value, and the customers behind every flow. The summaries at each
//! date are the ordinary customer summary with that observation end; RFM cut points are the
//! quantiles at each date (a segment is relative to the customers of its date). Customers who
//! had not bought by the first date are "Not yet a customer" there.

use crate::analysis::clv::default_calibration_end;
use crate::analysis::numfmt::NumberFormat;
use crate::analysis::segment::assign_segments;
use crate::domain::customers::{self, CustomerSummary, SummaryOptions, TxLog};
use crate::domain::segmentation::{RfmParams, SegmentMap};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The row of customers who had not bought by the first date.
pub const NOT_YET: &str = "Not yet a customer";

/// What to compare.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MovementRequest {
    /// First date (None: 2/3 of the way from the first to the last date).
    pub from: Option<NaiveDate>,
    /// Second date (None: the last date in the data).
    pub to: Option<NaiveDate>,
    /// RFM settings (bins, monetary; the analysis date is the day after each date).
    pub rfm: RfmParams,
    /// The segment map.
    pub map: SegmentMap,
    /// CLV per customer of the held summary, in its order (the value of a flow); None: value
    /// is the revenue between the two dates.
    pub clv: Option<Vec<f64>>,
}

impl Default for MovementRequest {
    fn default() -> Self {
        MovementRequest {
            from: None,
            to: None,
            rfm: RfmParams::default(),
            map: SegmentMap::rxf(),
            clv: None,
        }
    }
}

/// The transition matrix and the customers behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct MovementResult {
    /// First date.
    pub from: NaiveDate,
    /// Second date.
    pub to: NaiveDate,
    /// What `values` measure ("CLV" or "revenue between the dates").
    pub value_kind: String,
    /// Segments at the first date (rows), [`NOT_YET`] last when anyone joined later.
    pub from_segments: Vec<String>,
    /// Segments at the second date (columns).
    pub to_segments: Vec<String>,
    /// counts\[row]\[col]: customers moving from row to column.
    pub counts: Vec<Vec<u64>>,
    /// values\[row]\[col]: their value.
    pub values: Vec<Vec<f64>>,
    /// Customer ids (customers at the second date, in its summary's order).
    pub ids: Vec<String>,
    /// Each customer's row.
    pub from_of: Vec<u16>,
    /// Each customer's column.
    pub to_of: Vec<u16>,
    /// Each customer's value.
    pub value: Vec<f64>,
    /// Customers in the same segment at both dates.
    pub stayed: u64,
    /// Customers whose segment changed (new customers not counted).
    pub moved: u64,
    /// Customers who joined between the dates.
    pub joined: u64,
    /// Customers with no CLV (not in the fitted summary): value 0, counted here.
    pub without_value: u64,
}

impl MovementResult {
    /// The customers of one flow: (id, value).
    pub fn flow(&self, row: u16, col: u16) -> Vec<(&str, f64)> {
        self.ids
            .iter()
            .zip(&self.from_of)
            .zip(&self.to_of)
            .zip(&self.value)
            .filter(|(((_, &f), &t), _)| f == row && t == col)
            .map(|(((id, _), _), &v)| (id.as_str(), v))
            .collect()
    }

    /// The customers of one flow as CSV: a header, then one line per customer, written by the
    /// app's one CSV writer ([`crate::io::export::write_csv_with`]: quoting, ids neutralised
    /// against formulas) with `nf`'s delimiter and decimal separator.
    pub fn flow_csv(&self, row: u16, col: u16, nf: &NumberFormat) -> String {
        let name = |v: &[String], i: u16| v.get(usize::from(i)).cloned().unwrap_or_default();
        let (from, to) = (name(&self.from_segments, row), name(&self.to_segments, col));
        let headers = [
            "customer_id".to_string(),
            format!("segment_{}", self.from),
            format!("segment_{}", self.to),
            if self.value_kind == "CLV" {
                "clv"
            } else {
                "revenue"
            }
            .to_string(),
        ];
        let rows: Vec<[String; 4]> = self
            .flow(row, col)
            .into_iter()
            .map(|(id, v)| {
                [
                    id.to_string(),
                    from.clone(),
                    to.clone(),
                    nf.csv_number(v, 2),
                ]
            })
            .collect();
        crate::io::export::write_csv_with(&headers, &rows, nf.csv_delimiter())
    }
}

fn summary_at(
    log: &TxLog,
    base: &SummaryOptions,
    end: NaiveDate,
) -> Result<CustomerSummary, String> {
    let opts = SummaryOptions {
        observation_end: Some(end),
        calibration_end: None,
        ..base.clone()
    };
    customers::summarize_columns(log, &[], &opts).map_err(|e| e.to_string())
}

fn segments_at(
    summary: &CustomerSummary,
    req: &MovementRequest,
    date: NaiveDate,
) -> Result<(Vec<String>, Vec<u16>), String> {
    let params = RfmParams {
        analysis_date: date.succ_opt(),
        ..req.rfm.clone()
    };
    let rfm = params.fit(summary).map_err(|e| e.to_string())?;
    Ok(assign_segments(&req.map, &rfm))
}

/// The movement between the request's two dates on `log`; `held` is the summary the CLV
/// vector follows (the dataset's own).
///
/// # Errors
/// A sentence for the user: dates outside the data or in the wrong order, no customers.
pub fn analyze(
    log: &TxLog,
    base: &SummaryOptions,
    held: &CustomerSummary,
    req: &MovementRequest,
    progress: &mut dyn FnMut(f64, &str),
) -> Result<MovementResult, String> {
    let (first, last) = log
        .date_range()
        .ok_or("The dataset has no transactions (a summary cannot show movement).")?;
    let to = req.to.unwrap_or(last);
    let from = match req.from {
        Some(d) => d,
        None => default_calibration_end(first, to)
            .ok_or("The data covers fewer than 3 days: there is no earlier date to compare.")?,
    };
    if from >= to {
        return Err(format!(
            "The first date ({from}) must be before the second ({to})."
        ));
    }
    if from < first {
        return Err(format!(
            "The first date ({from}) is before the first purchase in the data ({first})."
        ));
    }
    progress(0.1, "Summarising at the first date");
    let a = summary_at(log, base, from)?;
    progress(0.4, "Summarising at the second date");
    let b = summary_at(log, base, to)?;
    progress(0.7, "Scoring RFM at both dates");
    let (from_names, from_seg) = segments_at(&a, req, from)?;
    let (to_names, to_seg) = segments_at(&b, req, to)?;
    let mut from_segments = req
        .map
        .segments()
        .into_iter()
        .filter(|s| from_names.contains(s))
        .collect::<Vec<_>>();
    from_segments.extend(
        from_names
            .iter()
            .filter(|n| !from_segments.contains(n))
            .cloned()
            .collect::<Vec<_>>(),
    );
    let mut to_segments = req
        .map
        .segments()
        .into_iter()
        .filter(|s| to_names.contains(s))
        .collect::<Vec<_>>();
    to_segments.extend(
        to_names
            .iter()
            .filter(|n| !to_segments.contains(n))
            .cloned()
            .collect::<Vec<_>>(),
    );
    let pos = |v: &[String], n: &str| v.iter().position(|s| s == n).unwrap_or(0) as u16;
    let from_index: Vec<u16> = from_names.iter().map(|n| pos(&from_segments, n)).collect();
    let to_index: Vec<u16> = to_names.iter().map(|n| pos(&to_segments, n)).collect();
    let at_from: HashMap<&str, (u16, f64)> = a
        .customers
        .iter()
        .zip(&from_seg)
        .map(|(c, &g)| {
            let row = from_index.get(usize::from(g)).copied().unwrap_or(0);
            (c.id.as_str(), (row, c.total_spend))
        })
        .collect();
    let clv: Option<HashMap<&str, f64>> = req.clv.as_ref().map(|v| {
        held.customers
            .iter()
            .zip(v)
            .map(|(c, &x)| (c.id.as_str(), x))
            .collect()
    });
    let joined_any = b
        .customers
        .iter()
        .any(|c| !at_from.contains_key(c.id.as_str()));
    let not_yet = from_segments.len() as u16;
    if joined_any {
        from_segments.push(NOT_YET.to_string());
    }
    let (nr, nc) = (from_segments.len(), to_segments.len());
    let mut out = MovementResult {
        from,
        to,
        value_kind: if clv.is_some() {
            "CLV".into()
        } else {
            "revenue between the dates".into()
        },
        counts: vec![vec![0; nc]; nr],
        values: vec![vec![0.0; nc]; nr],
        ..MovementResult::default()
    };
    for (c, &g) in b.customers.iter().zip(&to_seg) {
        let col = to_index.get(usize::from(g)).copied().unwrap_or(0);
        let (row, spend_before) = at_from
            .get(c.id.as_str())
            .copied()
            .unwrap_or((not_yet, 0.0));
        let value = match &clv {
            Some(m) => match m.get(c.id.as_str()) {
                Some(&v) => v,
                None => {
                    out.without_value += 1;
                    0.0
                }
            },
            None => c.total_spend - spend_before,
        };
        if let Some(cell) = out
            .counts
            .get_mut(usize::from(row))
            .and_then(|r| r.get_mut(usize::from(col)))
        {
            *cell += 1;
        }
        if let Some(cell) = out
            .values
            .get_mut(usize::from(row))
            .and_then(|r| r.get_mut(usize::from(col)))
        {
            *cell += value;
        }
        if row == not_yet {
            out.joined += 1;
        } else if from_segments.get(usize::from(row)) == to_segments.get(usize::from(col)) {
            out.stayed += 1;
        } else {
            out.moved += 1;
        }
        out.ids.push(c.id.clone());
        out.from_of.push(row);
        out.to_of.push(col);
        out.value.push(value);
    }
    out.from_segments = from_segments;
    out.to_segments = to_segments;
    progress(1.0, "Done");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::customers::{Transaction, TxLog};

    fn tx(id: &str, d: &str, amount: f64) -> Transaction {
        Transaction {
            customer_id: id.into(),
            date: NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap(),
            amount,
            margin: None,
            quantity: None,
            channel: None,
            product: None,
        }
    }

    /// Two bins, R × F map "Champions" for recent frequent buyers (R 2, F 2) and others.
    fn small() -> (TxLog, CustomerSummary) {
        let txs = vec![
            // a: buys early and often, then stops: from a top segment to a low one.
            tx("a", "2024-01-01", 10.0),
            tx("a", "2024-03-01", 10.0),
            tx("a", "2024-05-01", 10.0),
            // b: one early purchase, then buys a lot late.
            tx("b", "2024-01-10", 5.0),
            tx("b", "2024-08-01", 20.0),
            tx("b", "2024-09-01", 20.0),
            tx("b", "2024-09-20", 20.0),
            // c: early, once.
            tx("c", "2024-02-01", 7.0),
            // d: joins late.
            tx("d", "2024-09-25", 30.0),
        ];
        let log = TxLog::from_transactions(&txs);
        let held = customers::summarize_columns(&log, &[], &SummaryOptions::default()).unwrap();
        (log, held)
    }

    #[test]
    fn flows_count_every_customer_once_and_new_customers_join_from_not_yet() {
        let (log, held) = small();
        let req = MovementRequest {
            from: NaiveDate::from_ymd_opt(2024, 6, 30),
            rfm: RfmParams {
                bins: 2,
                ..RfmParams::default()
            },
            ..MovementRequest::default()
        };
        let r = analyze(
            &log,
            &SummaryOptions::default(),
            &held,
            &req,
            &mut |_, _| {},
        )
        .unwrap();
        assert_eq!(r.to, NaiveDate::from_ymd_opt(2024, 9, 25).unwrap());
        let total: u64 = r.counts.iter().flatten().sum();
        assert_eq!(total, 4);
        assert_eq!(r.joined, 1);
        assert_eq!(r.stayed + r.moved + r.joined, 4);
        assert_eq!(r.from_segments.last().map(String::as_str), Some(NOT_YET));
        // Revenue between the dates: b 60, d 30, a and c 0.
        let value: f64 = r.values.iter().flatten().sum();
        assert!((value - 90.0).abs() < 1e-9);
        let d_row = (r.from_segments.len() - 1) as u16;
        let d_col = r.to_of[r.ids.iter().position(|i| i == "d").unwrap()];
        assert_eq!(r.flow(d_row, d_col), vec![("d", 30.0)]);
        let csv = r.flow_csv(d_row, d_col, &NumberFormat::default());
        assert!(csv.starts_with("customer_id,segment_2024-06-30,segment_2024-09-25,revenue\n"));
        assert!(csv.contains(&format!("d,{NOT_YET},")) && csv.ends_with(",30.00\n"));
        // With a decimal comma: `;` between columns, the comma in the number.
        let de = crate::analysis::numfmt::Preset::De.format();
        let csv = r.flow_csv(d_row, d_col, &de);
        assert!(csv.contains(&format!("d;{NOT_YET};")) && csv.ends_with(";30,00\n"));
        // With CLV, a flow's value is the sum of its customers' CLV.
        let clv: Vec<f64> = held.customers.iter().map(|c| c.total_spend * 2.0).collect();
        let req = MovementRequest {
            clv: Some(clv),
            ..req
        };
        let r = analyze(
            &log,
            &SummaryOptions::default(),
            &held,
            &req,
            &mut |_, _| {},
        )
        .unwrap();
        let value: f64 = r.values.iter().flatten().sum();
        assert!((value - 2.0 * (30.0 + 65.0 + 7.0 + 30.0)).abs() < 1e-9);
        assert_eq!(r.value_kind, "CLV");
    }

    #[test]
    fn dates_in_the_wrong_order_are_refused_in_words() {
        let (log, held) = small();
        let req = MovementRequest {
            from: NaiveDate::from_ymd_opt(2024, 9, 1),
            to: NaiveDate::from_ymd_opt(2024, 8, 1),
            ..MovementRequest::default()
        };
        let e = analyze(
            &log,
            &SummaryOptions::default(),
            &held,
            &req,
            &mut |_, _| {},
        )
        .unwrap_err();
        assert!(e.contains("must be before"), "{e}");
    }

    #[test]
    fn default_dates_are_two_thirds_and_the_end() {
        let (log, held) = small();
        let req = MovementRequest::default();
        let r = analyze(
            &log,
            &SummaryOptions::default(),
            &held,
            &req,
            &mut |_, _| {},
        )
        .unwrap();
        assert_eq!(
            Some(r.from),
            default_calibration_end(
                NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
                NaiveDate::from_ymd_opt(2024, 9, 25).unwrap()
            )
        );
    }
}
