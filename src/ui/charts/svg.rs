//! Rendering a [`Chart`] to a standalone SVG document: the frame, axes, legend and each kind.

use super::{esc, fmt_tick, fmt_tick_step, ticks, Chart, Dot, Dots, Kind, Point, Series, PALETTE};
use std::fmt::Write as _;

pub(super) const W: f64 = 760.0;
pub(super) const H: f64 = 400.0;
pub(super) const ML: f64 = 70.0;
pub(super) const MR: f64 = 20.0;
const MT: f64 = 40.0;
const MB: f64 = 70.0;

pub(super) fn range(values: impl Iterator<Item = f64>, include_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if include_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if hi - lo < 1e-12 {
        hi = lo + 1.0;
    }
    (lo, hi)
}

struct Frame {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

impl Frame {
    fn sx(&self, x: f64) -> f64 {
        ML + (x - self.x0) / (self.x1 - self.x0) * (W - ML - MR)
    }
    fn sy(&self, y: f64) -> f64 {
        H - MB - (y - self.y0) / (self.y1 - self.y0) * (H - MT - MB)
    }
}

fn axes(out: &mut String, f: &Frame, chart: &Chart, xticks: bool) {
    let yt = ticks(f.y0, f.y1, 5);
    let ystep = yt.get(1).zip(yt.first()).map_or(0.0, |(b, a)| b - a);
    for t in &yt {
        let y = f.sy(*t);
        let _ = write!(
            out,
            r##"<line x1="{ML}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#e3e7ee"/><text x="{}" y="{:.1}" text-anchor="end" font-size="11" fill="#5b6675">{}</text>"##,
            W - MR,
            ML - 6.0,
            y + 4.0,
            fmt_tick_step(*t, ystep)
        );
    }
    if xticks {
        let xt = ticks(f.x0, f.x1, 8);
        let xstep = xt.get(1).zip(xt.first()).map_or(0.0, |(b, a)| b - a);
        for t in xt {
            let x = f.sx(t);
            let _ = write!(
                out,
                r##"<text x="{x:.1}" y="{}" text-anchor="middle" font-size="11" fill="#5b6675">{}</text>"##,
                H - MB + 16.0,
                fmt_tick_step(t, xstep)
            );
        }
    }
    let _ = write!(
        out,
        r##"<line x1="{ML}" x2="{}" y1="{}" y2="{}" stroke="#8a94a3"/><line x1="{ML}" x2="{ML}" y1="{MT}" y2="{}" stroke="#8a94a3"/>"##,
        W - MR,
        H - MB,
        H - MB,
        H - MB
    );
    let _ = write!(
        out,
        r##"<text x="{}" y="{}" text-anchor="middle" font-size="12" fill="#1b2430">{}</text><text transform="translate(16 {}) rotate(-90)" text-anchor="middle" font-size="12" fill="#1b2430">{}</text>"##,
        (ML + W - MR) / 2.0,
        H - 30.0,
        esc(&chart.x_label),
        (MT + H - MB) / 2.0,
        esc(&chart.y_label)
    );
}

pub(super) fn legend(out: &mut String, names: &[String]) {
    if names.len() < 2 {
        return;
    }
    let mut x = ML;
    for (i, n) in names.iter().enumerate() {
        let c = PALETTE[i % PALETTE.len()];
        let _ = write!(
            out,
            r##"<rect x="{x:.0}" y="{}" width="10" height="10" fill="{c}"/><text x="{:.0}" y="{}" font-size="11" fill="#1b2430">{}</text>"##,
            H - 16.0,
            x + 14.0,
            H - 7.0,
            esc(n)
        );
        x += 24.0 + 7.0 * n.chars().count() as f64;
    }
}

/// Average width of a character of the 11 px axis labels (system sans-serif), in SVG units.
pub(super) const LABEL_CHAR_W: f64 = 6.2;

/// How many characters of an axis label fit in `room` SVG units (at least 3).
fn label_chars(room: f64) -> usize {
    (((room - 4.0) / LABEL_CHAR_W).floor().max(3.0)) as usize
}

/// The label as shown in at most `max` characters (cut with "…"), and whether it was cut.
pub fn fit_label(label: &str, max: usize) -> (String, bool) {
    if label.chars().count() <= max {
        return (label.to_string(), false);
    }
    let keep: String = label.chars().take(max.saturating_sub(1)).collect();
    (format!("{}…", keep.trim_end()), true)
}

/// A scatter point's radius: smaller when there are many.
fn dot_radius(points: usize) -> f64 {
    if points > 2000 {
        1.5
    } else {
        4.0
    }
}

/// A scatter point's opacity.
const DOT_OPACITY: f64 = 0.7;

fn heat_colour(t: f64) -> String {
    // White to brand blue.
    let t = t.clamp(0.0, 1.0);
    let r = (247.0 - t * (247.0 - 31.0)) as u8;
    let g = (251.0 - t * (251.0 - 78.0)) as u8;
    let b = (255.0 - t * (255.0 - 121.0)) as u8;
    format!("#{r:02x}{g:02x}{b:02x}")
}

impl Chart {
    /// Renders the chart as a standalone SVG document.
    pub fn to_svg(&self) -> String {
        self.render(None)
    }

    /// The chart as an SVG document and, for a scatter plot of more than
    /// [`CANVAS_POINTS`](super::CANVAS_POINTS) unlabelled points, its points apart (the SVG
    /// then draws everything but them): a page draws those on a canvas over the SVG, since the
    /// browser parses and lays out thousands of SVG circles in one long task.
    pub fn layers(&self) -> (String, Option<Dots>) {
        match &self.kind {
            Kind::Scatter { points, .. }
                if points.len() > super::CANVAS_POINTS
                    && points.iter().all(|p| p.label.is_none()) =>
            {
                let mut dots = Dots {
                    width: W,
                    height: H,
                    radius: dot_radius(points.len()),
                    opacity: DOT_OPACITY,
                    dots: Vec::with_capacity(points.len()),
                };
                let svg = self.render(Some(&mut dots.dots));
                (svg, Some(dots))
            }
            _ => (self.render(None), None),
        }
    }

    /// The SVG document; a scatter plot's points go to `dots` instead when given.
    fn render(&self, dots: Option<&mut Vec<Dot>>) -> String {
        let mut out = format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" font-family="system-ui, sans-serif" role="img" aria-label="{t}"><rect width="{W}" height="{H}" fill="#ffffff"/><text x="{ML}" y="22" font-size="14" font-weight="600" fill="#1b2430">{t}</text>"##,
            t = esc(&self.title)
        );
        match &self.kind {
            Kind::Bars { categories, series } => self.bars(&mut out, categories, series),
            Kind::Lines(series) => self.lines(&mut out, series),
            Kind::Scatter {
                points,
                groups,
                crosshair,
                quadrants,
            } => self.scatter(
                &mut out,
                points,
                groups,
                (*crosshair, quadrants.as_ref()),
                dots,
            ),
            Kind::Heatmap {
                rows,
                cols,
                values,
                text,
            } => self.heatmap(&mut out, rows, cols, values, text),
        }
        out.push_str("</svg>");
        out
    }

    fn bars(&self, out: &mut String, categories: &[String], series: &[(String, Vec<f64>)]) {
        let (y0, y1) = range(series.iter().flat_map(|(_, v)| v.iter().copied()), true);
        let f = Frame {
            x0: 0.0,
            x1: 1.0,
            y0,
            y1: y1 * 1.05,
        };
        axes(out, &f, self, false);
        let n = categories.len().max(1) as f64;
        let band = (W - ML - MR) / n;
        let k = series.len().max(1) as f64;
        let bw = (band * 0.8 / k).max(1.0);
        // Every `stride`-th category is labelled; each label has `stride` bands of room.
        let stride = if categories.len() <= 24 {
            1
        } else {
            (categories.len() / 12).max(1)
        };
        let max_chars = label_chars(band * stride as f64);
        for (ci, cat) in categories.iter().enumerate() {
            let bx = ML + band * ci as f64 + band * 0.1;
            for (si, (name, vals)) in series.iter().enumerate() {
                let v = vals.get(ci).copied().unwrap_or(0.0);
                if !v.is_finite() {
                    continue;
                }
                let (ya, yb) = (f.sy(v.max(0.0)), f.sy(v.min(0.0)));
                let _ = write!(
                    out,
                    r##"<rect x="{:.1}" y="{ya:.1}" width="{bw:.1}" height="{:.1}" fill="{}"><title>{}: {} = {}</title></rect>"##,
                    bx + bw * si as f64,
                    (yb - ya).max(0.5),
                    PALETTE[si % PALETTE.len()],
                    esc(name),
                    esc(cat),
                    fmt_tick(v)
                );
            }
            if ci % stride == 0 {
                // A label longer than its room is cut with an ellipsis; the full text is the
                // tooltip, so neighbouring labels never overlap.
                let (shown, cut) = fit_label(cat, max_chars);
                let tip = if cut {
                    format!("<title>{}</title>", esc(cat))
                } else {
                    String::new()
                };
                let _ = write!(
                    out,
                    r##"<text x="{:.1}" y="{}" text-anchor="middle" font-size="11" fill="#5b6675">{tip}{}</text>"##,
                    bx + band * 0.4,
                    H - MB + 16.0,
                    esc(&shown)
                );
            }
        }
        legend(
            out,
            &series.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
        );
    }

    fn lines(&self, out: &mut String, series: &[Series]) {
        let (x0, x1) = range(
            series.iter().flat_map(|s| s.points.iter().map(|p| p.0)),
            false,
        );
        let (y0, y1) = range(
            series.iter().flat_map(|s| s.points.iter().map(|p| p.1)),
            true,
        );
        let f = Frame {
            x0,
            x1,
            y0,
            y1: y1 * 1.05,
        };
        axes(out, &f, self, true);
        for (i, s) in series.iter().enumerate() {
            let d: Vec<String> = s
                .points
                .iter()
                .filter(|p| p.0.is_finite() && p.1.is_finite())
                .map(|p| format!("{:.1},{:.1}", f.sx(p.0), f.sy(p.1)))
                .collect();
            let _ = write!(
                out,
                r##"<polyline fill="none" stroke="{}" stroke-width="2" {} points="{}"><title>{}</title></polyline>"##,
                PALETTE[i % PALETTE.len()],
                if s.dashed {
                    r#"stroke-dasharray="6 4""#
                } else {
                    ""
                },
                d.join(" "),
                esc(&s.name)
            );
        }
        legend(
            out,
            &series.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
        );
    }

    fn scatter(
        &self,
        out: &mut String,
        points: &[Point],
        groups: &[String],
        (crosshair, quadrants): (Option<(f64, f64)>, Option<&[String; 4]>),
        mut dots: Option<&mut Vec<Dot>>,
    ) {
        let (x0, x1) = range(
            points.iter().map(|p| p.x).chain(crosshair.map(|c| c.0)),
            false,
        );
        let (y0, y1) = range(
            points.iter().map(|p| p.y).chain(crosshair.map(|c| c.1)),
            false,
        );
        let px = (x1 - x0) * 0.06;
        let py = (y1 - y0) * 0.06;
        let f = Frame {
            x0: x0 - px,
            x1: x1 + px,
            y0: y0 - py,
            y1: y1 + py,
        };
        axes(out, &f, self, true);
        if let Some((cx, cy)) = crosshair {
            let _ = write!(
                out,
                r##"<line x1="{:.1}" x2="{:.1}" y1="{MT}" y2="{}" stroke="#8a94a3" stroke-dasharray="4 4"/><line x1="{ML}" x2="{}" y1="{:.1}" y2="{:.1}" stroke="#8a94a3" stroke-dasharray="4 4"/>"##,
                f.sx(cx),
                f.sx(cx),
                H - MB,
                W - MR,
                f.sy(cy),
                f.sy(cy)
            );
        }
        if let Some(q) = quadrants {
            let spots = [
                (ML + 8.0, MT + 14.0, "start"),
                (W - MR - 8.0, MT + 14.0, "end"),
                (ML + 8.0, H - MB - 8.0, "start"),
                (W - MR - 8.0, H - MB - 8.0, "end"),
            ];
            for (label, (x, y, anchor)) in q.iter().zip(spots) {
                let _ = write!(
                    out,
                    r##"<text x="{x}" y="{y}" text-anchor="{anchor}" font-size="12" font-style="italic" fill="#8a94a3">{}</text>"##,
                    esc(label)
                );
            }
        }
        let r = dot_radius(points.len());
        for p in points.iter().filter(|p| p.x.is_finite() && p.y.is_finite()) {
            let c = PALETTE[p.group % PALETTE.len()];
            if let Some(d) = dots.as_deref_mut() {
                d.push(Dot {
                    x: f.sx(p.x),
                    y: f.sy(p.y),
                    colour: c,
                });
                continue;
            }
            let _ = write!(
                out,
                r##"<circle cx="{:.1}" cy="{:.1}" r="{r}" fill="{c}" fill-opacity="{DOT_OPACITY}"/>"##,
                f.sx(p.x),
                f.sy(p.y)
            );
            if let Some(l) = &p.label {
                let _ = write!(
                    out,
                    r##"<text x="{:.1}" y="{:.1}" font-size="11" fill="#1b2430">{}</text>"##,
                    f.sx(p.x) + 6.0,
                    f.sy(p.y) - 6.0,
                    esc(l)
                );
            }
        }
        legend(out, groups);
    }

    fn heatmap(
        &self,
        out: &mut String,
        rows: &[String],
        cols: &[String],
        values: &[Vec<f64>],
        text: &[Vec<String>],
    ) {
        let nr = rows.len().max(1) as f64;
        let nc = cols.len().max(1) as f64;
        let cw = (W - ML - MR) / nc;
        let ch = (H - MT - MB) / nr;
        let max = values
            .iter()
            .flatten()
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        for (ri, rl) in rows.iter().enumerate() {
            let y = MT + ch * ri as f64;
            let _ = write!(
                out,
                r##"<text x="{}" y="{:.1}" text-anchor="end" font-size="12" fill="#1b2430">{}</text>"##,
                ML - 6.0,
                y + ch / 2.0 + 4.0,
                esc(rl)
            );
            for ci in 0..cols.len() {
                let v = values
                    .get(ri)
                    .and_then(|r| r.get(ci))
                    .copied()
                    .unwrap_or(0.0);
                let t = if max > 0.0 { v / max } else { 0.0 };
                let x = ML + cw * ci as f64;
                let ink = if t > 0.55 { "#ffffff" } else { "#1b2430" };
                let label = text
                    .get(ri)
                    .and_then(|r| r.get(ci))
                    .cloned()
                    .unwrap_or_default();
                let _ = write!(
                    out,
                    r##"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{}" stroke="#ffffff"/><text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11" fill="{ink}">{}</text>"##,
                    cw,
                    ch,
                    heat_colour(t),
                    x + cw / 2.0,
                    y + ch / 2.0 + 4.0,
                    esc(&label)
                );
            }
        }
        for (ci, cl) in cols.iter().enumerate() {
            let _ = write!(
                out,
                r##"<text x="{:.1}" y="{}" text-anchor="middle" font-size="12" fill="#1b2430">{}</text>"##,
                ML + cw * ci as f64 + cw / 2.0,
                H - MB + 16.0,
                esc(cl)
            );
        }
        let _ = write!(
            out,
            r##"<text x="{}" y="{}" text-anchor="middle" font-size="12" fill="#1b2430">{}</text><text transform="translate(16 {}) rotate(-90)" text-anchor="middle" font-size="12" fill="#1b2430">{}</text>"##,
            (ML + W - MR) / 2.0,
            H - 30.0,
            esc(&self.x_label),
            (MT + H - MB) / 2.0,
            esc(&self.y_label)
        );
    }

    /// A file-name-safe slug of the title.
    pub fn file_stem(&self) -> String {
        let s: String = self
            .title
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        let s = s
            .split('-')
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        if s.is_empty() {
            "chart".into()
        } else {
            s
        }
    }
}
