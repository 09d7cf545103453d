//! Charts as data → SVG. A page builds a [`Chart`] from results; [`Chart::to_svg`] renders it to
//! a standalone SVG document (shown inline and exported as .svg or, via a canvas, .png).
//! Pure and native-testable: no browser types here. The description lives here, the
//! rendering in [`svg`].

mod svg;

pub use svg::fit_label;
use svg::range;

/// Palette used for series and groups (colour-blind friendly, Okabe–Ito).
pub const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
];

/// A named series of (x, y) points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend label.
    pub name: String,
    /// Points in x order.
    pub points: Vec<(f64, f64)>,
    /// Draw as dashed line.
    pub dashed: bool,
}

/// A labelled point of a scatter plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// X value.
    pub x: f64,
    /// Y value.
    pub y: f64,
    /// Group index (colour).
    pub group: usize,
    /// Optional text drawn next to the point.
    pub label: Option<String>,
}

/// What to draw.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// Grouped vertical bars: one value per category per series.
    Bars {
        /// Category labels along x.
        categories: Vec<String>,
        /// (series name, values per category).
        series: Vec<(String, Vec<f64>)>,
    },
    /// Lines over a numeric x axis.
    Lines(Vec<Series>),
    /// Points, coloured by group; optional crosshair lines (x, y) and quadrant labels.
    Scatter {
        /// The points.
        points: Vec<Point>,
        /// Group names (legend).
        groups: Vec<String>,
        /// Crosshair position, e.g. the means in an importance–performance chart.
        crosshair: Option<(f64, f64)>,
        /// Quadrant labels: top-left, top-right, bottom-left, bottom-right.
        quadrants: Option<[String; 4]>,
    },
    /// A grid of cells with a value (colour) and a text per cell.
    Heatmap {
        /// Row labels, top to bottom.
        rows: Vec<String>,
        /// Column labels, left to right.
        cols: Vec<String>,
        /// values[row][col].
        values: Vec<Vec<f64>>,
        /// text[row][col] (empty for none).
        text: Vec<Vec<String>>,
    },
}

/// Above this many points a scatter plot's points are drawn on a canvas (see
/// [`Chart::layers`]); the exported SVG keeps every point as a circle.
pub const CANVAS_POINTS: usize = 1000;

/// A scatter point placed in the chart's SVG units.
#[derive(Debug, Clone, PartialEq)]
pub struct Dot {
    /// X in SVG units.
    pub x: f64,
    /// Y in SVG units.
    pub y: f64,
    /// Fill colour.
    pub colour: &'static str,
}

/// A scatter plot's points apart from its SVG, in the SVG's coordinates (`width` × `height`).
#[derive(Debug, Clone, PartialEq)]
pub struct Dots {
    /// The SVG's width.
    pub width: f64,
    /// The SVG's height.
    pub height: f64,
    /// Each point's radius.
    pub radius: f64,
    /// Each point's opacity.
    pub opacity: f64,
    /// The points, in drawing order.
    pub dots: Vec<Dot>,
}

/// A chart: a title, axis labels and what to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Title, also used for the exported file name.
    pub title: String,
    /// X axis label.
    pub x_label: String,
    /// Y axis label.
    pub y_label: String,
    /// The drawing.
    pub kind: Kind,
}

/// Escapes text for SVG.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Formats a tick value compactly (1.2k, 3.4M, 0.25).
pub fn fmt_tick(v: f64) -> String {
    crate::ui::format::compact(v)
}

/// Formats a tick with enough decimals to tell neighbouring ticks `step` apart.
pub fn fmt_tick_step(v: f64, step: f64) -> String {
    if step > 0.0 && step < 1.0 && v.abs() < 1e3 {
        let decimals = (-step.log10()).ceil().clamp(1.0, 6.0) as usize;
        crate::ui::format::fixed(v, decimals)
    } else {
        fmt_tick(v)
    }
}

/// Nice tick positions covering [lo, hi].
pub fn ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return vec![lo];
    }
    let raw = (hi - lo) / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let start = (lo / step).floor() * step;
    let mut v = Vec::new();
    let mut t = start;
    while t <= hi + step * 1e-9 && v.len() < 50 {
        v.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
        t += step;
    }
    v
}

/// A histogram: bin edges and counts of finite values (equal-width bins).
pub fn histogram(values: &[f64], bins: usize) -> (Vec<f64>, Vec<f64>) {
    let (lo, hi) = range(values.iter().copied(), false);
    let bins = bins.max(1);
    let w = (hi - lo) / bins as f64;
    let mut counts = vec![0.0; bins];
    for v in values.iter().filter(|v| v.is_finite()) {
        let i = (((v - lo) / w).floor() as usize).min(bins - 1);
        if let Some(c) = counts.get_mut(i) {
            *c += 1.0;
        }
    }
    let edges = (0..=bins).map(|i| lo + w * i as f64).collect();
    (edges, counts)
}

#[cfg(test)]
mod tests {
    use super::svg::{H, LABEL_CHAR_W, ML, MR, W};
    use super::*;

    #[test]
    fn bar_chart_is_valid_svg_with_escaped_text() {
        let c = Chart {
            title: "Spend <by> segment & tier".into(),
            x_label: "segment".into(),
            y_label: "revenue".into(),
            kind: Kind::Bars {
                categories: vec!["A".into(), "B".into()],
                series: vec![("s".into(), vec![1.0, 3.0])],
            },
        };
        let svg = c.to_svg();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains("Spend &lt;by&gt; segment &amp; tier"));
        assert_eq!(svg.matches("<rect x=").count(), 2);
        assert_eq!(c.file_stem(), "spend-by-segment-tier");
    }

    #[test]
    fn long_bar_labels_are_cut_to_their_room_with_the_full_text_as_tooltip() {
        let names = [
            "Champions",
            "Loyal Customers",
            "Potential Loyalists",
            "New Customers",
            "Promising",
            "Need Attention",
            "About to Sleep",
            "At Risk",
            "Can't Lose Them",
            "Hibernating",
            "Others",
        ];
        let c = Chart {
            title: "Customers per segment".into(),
            x_label: "segment".into(),
            y_label: "customers".into(),
            kind: Kind::Bars {
                categories: names.iter().map(|s| s.to_string()).collect(),
                series: vec![("customers".into(), vec![1.0; names.len()])],
            },
        };
        let svg = c.to_svg();
        let band = (W - ML - MR) / names.len() as f64;
        let labels: Vec<&str> = svg
            .split(r##"fill="#5b6675">"##)
            .skip(1)
            .map(|t| t.split("</text>").next().unwrap_or(""))
            .filter(|t| !t.chars().next().is_some_and(|c| c.is_ascii_digit()))
            .collect();
        assert_eq!(labels.len(), names.len(), "{labels:?}");
        for (label, name) in labels.iter().zip(names) {
            let shown = label.rsplit("</title>").next().unwrap_or(label);
            let width = shown.chars().count() as f64 * LABEL_CHAR_W;
            assert!(
                width <= band,
                "{shown:?} is {width} wide in a band of {band}"
            );
            if shown != esc(name) {
                assert!(shown.ends_with('…'), "{shown:?}");
                assert!(label.starts_with(&format!("<title>{}</title>", esc(name))));
            }
        }
        assert!(svg.contains("<title>Potential Loyalists</title>Potentia…"));
        assert_eq!(fit_label("Champions", 9), ("Champions".into(), false));
        assert_eq!(fit_label("At Risk now", 8), ("At Risk…".into(), true));
    }

    #[test]
    fn ticks_are_round_steps_from_below_the_range() {
        assert_eq!(ticks(0.0, 10.0, 5), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        let t = ticks(0.13, 0.87, 4);
        let want = [0.0, 0.2, 0.4, 0.6, 0.8];
        assert_eq!(t.len(), want.len());
        assert!(t.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-12));
    }

    #[test]
    fn close_ticks_keep_distinct_labels() {
        let t = ticks(0.775, 0.79, 5);
        let step = t[1] - t[0];
        let labels: Vec<String> = t.iter().map(|v| fmt_tick_step(*v, step)).collect();
        let mut unique = labels.clone();
        unique.dedup();
        assert_eq!(labels, unique, "{labels:?}");
        assert_eq!(fmt_tick_step(1500.0, 500.0), "1.5k");
    }

    #[test]
    fn histogram_counts_every_finite_value() {
        let (edges, counts) = histogram(&[0.0, 1.0, 2.0, 3.0, f64::NAN, 4.0], 4);
        assert_eq!(edges.len(), 5);
        assert_eq!(counts.iter().sum::<f64>(), 5.0);
        assert_eq!(counts[3], 2.0);
    }

    #[test]
    fn many_scatter_points_are_layered_apart_from_the_svg() {
        let scatter = |n: usize, label: bool| Chart {
            title: "Clusters".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            kind: Kind::Scatter {
                points: (0..n)
                    .map(|i| Point {
                        x: i as f64,
                        y: (i % 7) as f64,
                        group: i % 3,
                        label: label.then(|| format!("p{i}")),
                    })
                    .collect(),
                groups: vec!["a".into(), "b".into(), "c".into()],
                crosshair: None,
                quadrants: None,
            },
        };
        let many = scatter(CANVAS_POINTS + 1, false);
        let full = many.to_svg();
        assert_eq!(full.matches("<circle").count(), CANVAS_POINTS + 1);
        let (svg, dots) = many.layers();
        let dots = dots.expect("points apart");
        assert_eq!(svg.matches("<circle").count(), 0);
        assert_eq!(dots.dots.len(), CANVAS_POINTS + 1);
        assert_eq!((dots.width, dots.height), (W, H));
        // The same frame, axes and legend; the same places as the SVG's circles.
        let mut stripped = full.clone();
        while let Some(a) = stripped.find("<circle") {
            let b = a + stripped[a..].find("/>").expect("closed") + 2;
            stripped.replace_range(a..b, "");
        }
        assert_eq!(stripped, svg);
        let first = format!(
            r#"<circle cx="{:.1}" cy="{:.1}" r="{}" fill="{}""#,
            dots.dots[0].x, dots.dots[0].y, dots.radius, dots.dots[0].colour
        );
        assert!(full.contains(&first), "{first}");
        assert!(full.contains(r#">c</text>"#) && svg.contains(r#">c</text>"#));
        // Few points, or labelled points, stay in the SVG.
        assert!(scatter(10, false).layers().1.is_none());
        assert!(scatter(CANVAS_POINTS + 1, true).layers().1.is_none());
        assert_eq!(scatter(10, false).layers().0, scatter(10, false).to_svg());
    }

    #[test]
    fn heatmap_draws_one_cell_per_value() {
        let c = Chart {
            title: "RF".into(),
            x_label: "F".into(),
            y_label: "R".into(),
            kind: Kind::Heatmap {
                rows: vec!["5".into(), "4".into()],
                cols: vec!["1".into(), "2".into(), "3".into()],
                values: vec![vec![1.0, 2.0, 3.0], vec![0.0, 0.0, 9.0]],
                text: vec![vec!["1".into(); 3], vec!["".into(); 3]],
            },
        };
        assert_eq!(c.to_svg().matches("<rect x=").count(), 6);
    }
}
