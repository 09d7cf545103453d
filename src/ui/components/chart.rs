//! A chart card: the SVG inline (an image whose label summarises it; a scatter plot of many
//! points draws them on a canvas over it), with buttons to export it as SVG or PNG, and its data as a table behind a "Show as table" disclosure: the chart's
//! text alternative.

use crate::ui::charts::{esc, Chart, Dots, Kind};
use crate::ui::format;
use base64::Engine as _;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Props of [`ChartCard`].
#[derive(Properties, PartialEq)]
pub struct ChartCardProps {
    /// The chart.
    pub chart: Rc<Chart>,
    /// Test id of the card.
    #[prop_or_default]
    pub testid: AttrValue,
    /// Explanation under the chart.
    #[prop_or_default]
    pub note: Option<AttrValue>,
}

fn export_png(svg: &str, name: String) {
    let data = format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg.as_bytes())
    );
    let Ok(img) = web_sys::HtmlImageElement::new() else {
        return;
    };
    let img2 = img.clone();
    let onload = Closure::once(move || {
        let doc = gloo::utils::document();
        let Ok(el) = doc.create_element("canvas") else {
            return;
        };
        let Ok(canvas) = el.dyn_into::<web_sys::HtmlCanvasElement>() else {
            return;
        };
        let scale = 2u32;
        canvas.set_width(img2.natural_width() * scale);
        canvas.set_height(img2.natural_height() * scale);
        let Ok(Some(ctx)) = canvas.get_context("2d") else {
            return;
        };
        let Ok(ctx) = ctx.dyn_into::<web_sys::CanvasRenderingContext2d>() else {
            return;
        };
        let _ = ctx.scale(f64::from(scale), f64::from(scale));
        let _ = ctx.draw_image_with_html_image_element(&img2, 0.0, 0.0);
        if let Ok(url) = canvas.to_data_url_with_type("image/png") {
            super::download::url_as(&name, &url);
        }
    });
    img.set_onload(Some(onload.as_ref().unchecked_ref()));
    onload.forget();
    img.set_src(&data);
}

/// The most rows the data table of one chart shows (the rest are counted under it).
const MAX_ROWS: usize = 500;

/// A number in a chart's data table: whole numbers with thousands separators, others with
/// up to four significant decimals.
fn cell(v: f64) -> String {
    if !v.is_finite() {
        "–".into()
    } else if v.fract() == 0.0 {
        format::thousands(v, 0)
    } else if v.abs() >= 100.0 {
        format::thousands(v, 1)
    } else if v.abs() >= 1.0 {
        format::fixed(v, 2)
    } else {
        format::fixed(v, 4)
    }
}

/// A chart's data as table headers and rows (every row, uncapped).
pub fn data_table(c: &Chart) -> (Vec<String>, Vec<Vec<String>>) {
    let or = |s: &str, d: &str| {
        if s.is_empty() {
            d.to_string()
        } else {
            s.to_string()
        }
    };
    match &c.kind {
        Kind::Bars { categories, series } => {
            let mut h = vec![or(&c.x_label, "Category")];
            h.extend(series.iter().map(|(n, _)| or(n, &or(&c.y_label, "Value"))));
            let rows = categories
                .iter()
                .enumerate()
                .map(|(i, cat)| {
                    let mut r = vec![cat.clone()];
                    r.extend(
                        series
                            .iter()
                            .map(|(_, v)| v.get(i).map_or("–".into(), |v| cell(*v))),
                    );
                    r
                })
                .collect();
            (h, rows)
        }
        Kind::Lines(series) => {
            let h = vec!["Series".into(), or(&c.x_label, "x"), or(&c.y_label, "y")];
            let rows = series
                .iter()
                .flat_map(|s| {
                    s.points
                        .iter()
                        .map(|(x, y)| vec![s.name.clone(), cell(*x), cell(*y)])
                })
                .collect();
            (h, rows)
        }
        Kind::Scatter { points, groups, .. } => {
            let h = vec![
                "Point".into(),
                "Group".into(),
                or(&c.x_label, "x"),
                or(&c.y_label, "y"),
            ];
            let rows = points
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    vec![
                        p.label.clone().unwrap_or_else(|| (i + 1).to_string()),
                        groups.get(p.group).cloned().unwrap_or_default(),
                        cell(p.x),
                        cell(p.y),
                    ]
                })
                .collect();
            (h, rows)
        }
        Kind::Heatmap {
            rows,
            cols,
            values,
            text,
        } => {
            let mut h = vec![or(&c.y_label, "Row")];
            h.extend(cols.iter().cloned());
            let body = rows
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let mut r = vec![name.clone()];
                    r.extend((0..cols.len()).map(|j| {
                        match text.get(i).and_then(|t| t.get(j)).filter(|t| !t.is_empty()) {
                            Some(t) => t.clone(),
                            None => values
                                .get(i)
                                .and_then(|v| v.get(j))
                                .map_or("–".into(), |v| cell(*v)),
                        }
                    }));
                    r
                })
                .collect();
            (h, body)
        }
    }
}

/// One sentence summarising a chart for a screen reader (the SVG's label).
pub fn summary(c: &Chart) -> String {
    let axes = match (c.y_label.is_empty(), c.x_label.is_empty()) {
        (false, false) => format!("{} by {}", c.y_label, c.x_label),
        (false, true) => c.y_label.clone(),
        (true, false) => c.x_label.clone(),
        (true, true) => String::new(),
    };
    let axes = if axes.is_empty() {
        String::new()
    } else {
        format!(" of {axes}")
    };
    let what = match &c.kind {
        Kind::Bars { categories, series } => format!(
            "bar chart{axes}: {} categories, {} series ({})",
            categories.len(),
            series.len(),
            series
                .iter()
                .map(|s| s.0.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Kind::Lines(s) => format!(
            "line chart{axes}: {} lines ({})",
            s.len(),
            s.iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Kind::Scatter { points, groups, .. } => {
            format!(
                "scatter plot{axes}: {} points in {} groups",
                points.len(),
                groups.len().max(1)
            )
        }
        Kind::Heatmap { rows, cols, .. } => {
            format!(
                "heat map{axes}: {} rows by {} columns",
                rows.len(),
                cols.len()
            )
        }
    };
    format!(
        "{}. A {what}. The data is in the table below the chart.",
        c.title
    )
}

/// The chart's data behind a "Show as table" disclosure; the rows are built only once it is
/// opened.
#[derive(Properties, PartialEq)]
struct ChartTableProps {
    chart: Rc<Chart>,
    id: AttrValue,
}

#[component]
fn ChartTable(p: &ChartTableProps) -> Html {
    let open = use_state(|| false);
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let table = (*open).then(|| {
        let (h, rows) = data_table(&p.chart);
        let total = rows.len();
        html! { <>
            <div class="table-wrap">
                <table class="data" id={p.id.clone()} data-testid="chart-data">
                    <caption class="sr-only">{ format!("Data of the chart {}", p.chart.title) }</caption>
                    <thead><tr>{ for h.iter().map(|h| html! { <th scope="col">{ h }</th> }) }</tr></thead>
                    <tbody>{ for rows.into_iter().take(MAX_ROWS).map(|r| html! {
                        <tr>{ for r.into_iter().map(|c| html! { <td>{ c }</td> }) }</tr>
                    }) }</tbody>
                </table>
            </div>
            if total > MAX_ROWS { <p class="note">{ format!("The first {MAX_ROWS} of {total} rows; the SVG export holds every point.") }</p> }
        </> }
    });
    html! {
        <details class="chart-table" data-testid="chart-table">
            <summary onclick={toggle}>{ "Show as table" }</summary>
            { table.unwrap_or_default() }
        </details>
    }
}

/// The SVG as shown inline: the image's label summarises the chart (the exported file keeps its
/// title).
fn inline_svg(c: &Chart, svg: String) -> String {
    let label = format!("aria-label=\"{}\"", esc(&c.title));
    if svg.contains(&label) {
        svg.replacen(&label, &format!("aria-label=\"{}\"", esc(&summary(c))), 1)
    } else {
        svg.replacen(
            "<svg ",
            &format!("<svg role=\"img\" aria-label=\"{}\" ", esc(&summary(c))),
            1,
        )
    }
}

/// Draws a scatter plot's points on the canvas laid over its SVG (same coordinates).
fn draw_dots(canvas: &NodeRef, d: &Dots) {
    let Some(canvas) = canvas.cast::<web_sys::HtmlCanvasElement>() else {
        return;
    };
    let scale = gloo::utils::window().device_pixel_ratio().clamp(1.0, 3.0);
    // Setting the size clears the canvas.
    canvas.set_width((d.width * scale).round() as u32);
    canvas.set_height((d.height * scale).round() as u32);
    let Ok(Some(ctx)) = canvas.get_context("2d") else {
        return;
    };
    let Ok(ctx) = ctx.dyn_into::<web_sys::CanvasRenderingContext2d>() else {
        return;
    };
    let _ = ctx.scale(scale, scale);
    ctx.set_global_alpha(d.opacity);
    let mut colour = "";
    for dot in &d.dots {
        if dot.colour != colour {
            colour = dot.colour;
            ctx.set_fill_style_str(colour);
        }
        ctx.begin_path();
        let _ = ctx.arc(dot.x, dot.y, d.radius, 0.0, std::f64::consts::TAU);
        ctx.fill();
    }
}

/// A chart with SVG and PNG export and its data as a table. A scatter plot of many points
/// draws them on a canvas over its SVG (axes, legend and label stay in the SVG); the exports
/// are made when asked for, with every point in the SVG.
#[component]
pub fn ChartCard(p: &ChartCardProps) -> Html {
    let layers = use_memo(p.chart.clone(), |c| {
        let (svg, dots) = c.layers();
        (inline_svg(c, svg), dots)
    });
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        use_effect_with(layers.clone(), move |l| {
            if let Some(d) = &l.1 {
                draw_dots(&canvas, d);
            }
        });
    }
    let table_id: AttrValue = format!("chart-data-{}", p.chart.file_stem()).into();
    let stem = p.chart.file_stem();
    let on_svg = {
        let (chart, stem) = (p.chart.clone(), stem.clone());
        Callback::from(move |_| {
            super::download::bytes(
                &format!("{stem}.svg"),
                "image/svg+xml",
                chart.to_svg().as_bytes(),
            )
        })
    };
    let on_png = {
        let (chart, stem) = (p.chart.clone(), stem.clone());
        Callback::from(move |_| export_png(&chart.to_svg(), format!("{stem}.png")))
    };
    let svg = Html::from_html_unchecked(AttrValue::from(layers.0.clone()));
    html! {
        <div class="card chart-card" data-testid={p.testid.clone()}>
            <figure>
                <figcaption>
                    <span>{ &p.chart.title }</span>
                    <span class="row">
                        <button class="secondary" onclick={on_svg} aria-label={format!("Download {} as SVG", p.chart.title)} data-testid="export-svg">{ "SVG" }</button>
                        <button class="secondary" onclick={on_png} aria-label={format!("Download {} as PNG", p.chart.title)} data-testid="export-png">{ "PNG" }</button>
                    </span>
                </figcaption>
                if layers.1.is_some() {
                    <div class="chart-plot">{ svg }<canvas ref={canvas} aria-hidden="true" data-testid="chart-dots"></canvas></div>
                } else {
                    { svg }
                }
            </figure>
            <ChartTable chart={p.chart.clone()} id={table_id} />
            if let Some(n) = &p.note { <p class="note">{ n }</p> }
        </div>
    }
}
