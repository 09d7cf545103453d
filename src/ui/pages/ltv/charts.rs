//! Chart descriptions for the Lifetime value page: pure functions from worker results to
//! [`Chart`]s (rendered and exported by `ChartCard`).

use crate::domain::clv::validation::TOP_BIN;
use crate::ui::charts::{fmt_tick, Chart, Kind, Series};
use crate::worker::clv::{ClvResult, FreqRecencyGrid, Validation};

fn bin_label(x: u32) -> String {
    if x >= TOP_BIN {
        format!("{TOP_BIN}+")
    } else {
        x.to_string()
    }
}

/// Predicted vs actual mean holdout purchases by calibration frequency.
pub fn holdout(v: &Validation, unit: &str) -> Chart {
    Chart {
        title: "Holdout purchases: predicted vs actual".into(),
        x_label: "Repeat purchases in the calibration period".into(),
        y_label: format!(
            "Mean purchases in the holdout ({:.0} {unit}s)",
            v.holdout_length
        ),
        kind: Kind::Bars {
            categories: v
                .holdout
                .iter()
                .map(|r| bin_label(r.calibration_x))
                .collect(),
            series: vec![
                (
                    "Actual".into(),
                    v.holdout.iter().map(|r| r.actual).collect(),
                ),
                (
                    "Model".into(),
                    v.holdout.iter().map(|r| r.predicted).collect(),
                ),
            ],
        },
    }
}

/// Cumulative expected vs actual repeat purchases over time.
pub fn cumulative(v: &Validation, unit: &str) -> Chart {
    Chart {
        title: "Cumulative repeat purchases over time".into(),
        x_label: format!("{unit}s since the first date ({})", v.first_date),
        y_label: "Repeat purchases (cumulative)".into(),
        kind: Kind::Lines(vec![
            Series {
                name: "Actual".into(),
                points: v.cumulative.iter().map(|p| (p.t, p.actual)).collect(),
                dashed: false,
            },
            Series {
                name: "Model (fitted on the calibration period)".into(),
                points: v.cumulative.iter().map(|p| (p.t, p.expected)).collect(),
                dashed: true,
            },
            Series {
                name: "Calibration end".into(),
                points: {
                    let days =
                        crate::domain::customers::TimeUnit::parse(unit).map_or(7.0, |u| u.days());
                    let t = (v.calibration_end - v.first_date).num_days() as f64 / days;
                    let top = v
                        .cumulative
                        .iter()
                        .map(|p| p.actual.max(p.expected))
                        .fold(0.0, f64::max);
                    vec![(t, 0.0), (t, top)]
                },
                dashed: true,
            },
        ]),
    }
}

/// Model vs data distribution of repeat purchases.
pub fn repeat(r: &ClvResult) -> Chart {
    Chart {
        title: "Customers by number of repeat purchases: model vs data".into(),
        x_label: "Repeat purchases".into(),
        y_label: "Customers".into(),
        kind: Kind::Bars {
            categories: r.repeat.iter().map(|b| bin_label(b.x)).collect(),
            series: vec![
                (
                    "Data".into(),
                    r.repeat.iter().map(|b| b.observed as f64).collect(),
                ),
                (
                    "Model".into(),
                    r.repeat.iter().map(|b| b.expected).collect(),
                ),
            ],
        },
    }
}

/// A frequency × recency heat map of P(alive) (`alive`) or expected purchases.
pub fn heatmap(g: &FreqRecencyGrid, alive: bool, unit: &str) -> Chart {
    let values = if alive { &g.p_alive } else { &g.expected };
    let text = values
        .iter()
        .map(|row| {
            row.iter()
                .map(|v| {
                    if alive {
                        format!("{}%", crate::ui::format::fixed(v * 100.0, 0))
                    } else {
                        crate::ui::format::fixed(*v, 1)
                    }
                })
                .collect()
        })
        .collect();
    Chart {
        title: if alive {
            "P(alive) by frequency and recency".into()
        } else {
            format!(
                "Expected purchases in the next {:.0} {unit}s by frequency and recency",
                g.horizon
            )
        },
        x_label: format!(
            "Recency: {unit}s from first to last purchase (customer age {:.0} {unit}s)",
            g.t
        ),
        y_label: "Repeat purchases".into(),
        kind: Kind::Heatmap {
            rows: g.frequencies.iter().map(|f| f.to_string()).collect(),
            cols: g.recencies.iter().map(|r| fmt_tick(*r)).collect(),
            values: values.clone(),
            text,
        },
    }
}

/// The CLV distribution.
pub fn histogram(r: &ClvResult) -> Chart {
    Chart {
        title: "Distribution of customer lifetime value".into(),
        x_label: "CLV (from)".into(),
        y_label: "Customers".into(),
        kind: Kind::Bars {
            categories: r.histogram.iter().map(|b| fmt_tick(b.lo)).collect(),
            series: vec![(
                "Customers".into(),
                r.histogram.iter().map(|b| b.count as f64).collect(),
            )],
        },
    }
}
