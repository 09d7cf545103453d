//! The report of the whole analysis: a print view (`#/report`: the overview, each page's key
//! tables and charts as SVG, the settings used, the data quality report and the methods
//! appendix, one section per printed page; the browser saves it as PDF) and the same report
//! as one XLSX workbook ([`crate::io::report`], the workbook `crm report` writes; the worker
//! writes it, [`crate::worker::workbook`]).

use super::overview::{assemble, overview_view, use_gathered, use_survey_part, Gathered};
use crate::analysis::overview::{Overview, SurveyPart};
use crate::io::report::METHODS;
use crate::ui::charts::{fmt_tick, Chart, Kind};
use crate::ui::components::{download, Load};
use crate::ui::format;
use crate::ui::state::{AppContext, Source};
use crate::worker::workbook::{report_bytes, ReportRef, WorkbookTask};
use std::rc::Rc;
use yew::prelude::*;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The report's inputs as the worker reads them ([`crate::worker::workbook::ReportRef`]).
fn report_task(
    ctx: &AppContext,
    tx: &Source,
    g: &Gathered,
    o: &Overview,
) -> Result<WorkbookTask, String> {
    let summary = tx
        .data
        .summary
        .as_ref()
        .ok_or("This dataset has no customer summary.")?;
    let survey = ctx
        .state
        .workspace
        .survey
        .as_ref()
        .and_then(|s| s.data.survey.as_ref());
    report_bytes(&ReportRef {
        dataset: &tx.meta.name,
        summary,
        overview: o,
        clv: g.clv.as_ref().and_then(|r| r.as_ref().ok()).map(|r| &**r),
        segments: g.segments.ready().map(|s| &**s),
        survey,
        validation: tx.data.report.as_ref(),
        number_format: &crate::ui::format::current(),
    })
    .map(WorkbookTask::Report)
}

/// The "Download report (XLSX)" button: the worker writes the workbook from the results the
/// page has. A failure to write it shows in `failed`.
pub fn download_button(
    ctx: &AppContext,
    tx: &Source,
    g: &Gathered,
    sp: &Load<Rc<SurveyPart>>,
    failed: &UseStateHandle<Option<String>>,
) -> Html {
    let ready = assemble(tx, g, sp).is_some();
    let onclick = {
        let (ctx, tx, g, sp, failed) = (
            ctx.clone(),
            tx.clone(),
            g.clone(),
            sp.clone(),
            failed.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let Some(o) = assemble(&tx, &g, &sp) else {
                return;
            };
            match report_task(&ctx, &tx, &g, &o) {
                Ok(task) => {
                    failed.set(None);
                    let failed = failed.clone();
                    ctx.ctl.workbook(&tx, task, move |r| match r {
                        Ok(bytes) => download::bytes("report.xlsx", XLSX, &bytes),
                        Err(e) => failed.set(Some(e.to_string())),
                    });
                }
                Err(e) => failed.set(Some(e)),
            }
        })
    };
    html! {
        <>
            <button onclick={onclick} disabled={!ready} data-testid="download-report">{ "Download report (XLSX)" }</button>
            if let Some(e) = &**failed { <span class="error" data-testid="report-failed">{ e }</span> }
        </>
    }
}

fn svg(chart: &Chart) -> Html {
    html! {
        <figure class="report-chart" data-testid="report-chart">
            { Html::from_html_unchecked(AttrValue::from(chart.to_svg())) }
            <figcaption>{ &chart.title }</figcaption>
        </figure>
    }
}

fn table(testid: &str, headers: &[&str], rows: Vec<Vec<String>>) -> Html {
    html! {
        <table class="report-table" data-testid={testid.to_string()}>
            <thead><tr>{ for headers.iter().map(|h| html! { <th>{ *h }</th> }) }</tr></thead>
            <tbody>{ for rows.into_iter().map(|r| html! { <tr>{ for r.into_iter().map(|c| html! { <td>{ c }</td> }) }</tr> }) }</tbody>
        </table>
    }
}

fn section(id: &str, title: &str, body: Html) -> Html {
    html! {
        <section class="report-section" data-testid={format!("report-{id}")}>
            <h2>{ title }</h2>
            { body }
        </section>
    }
}

fn num(v: f64, d: usize) -> String {
    if v.is_finite() {
        format::thousands(v, d)
    } else {
        "–".into()
    }
}

fn body(tx: &Source, g: &Gathered, sp: Option<&SurveyPart>, o: &Overview) -> Html {
    let clv = g.clv.as_ref().and_then(|r| r.as_ref().ok());
    let seg = g.segments.ready();
    let segments = match seg {
        Some(s) => {
            let rows = s
                .table
                .iter()
                .map(|t| {
                    vec![
                        t.name.clone(),
                        t.customers.to_string(),
                        format::percent(t.customer_share, 1),
                        num(t.revenue, 0),
                        format::percent(t.revenue_share, 1),
                        t.mean_clv.map_or_else(|| "–".into(), |c| num(c, 1)),
                        t.mean_p_alive
                            .map_or_else(|| "–".into(), |p| format::fixed(p, 2)),
                    ]
                })
                .collect();
            let chart = Chart {
                title: "Customers and revenue by segment".into(),
                x_label: "Segment".into(),
                y_label: "Share".into(),
                kind: Kind::Bars {
                    categories: s.table.iter().map(|t| t.name.clone()).collect(),
                    series: vec![
                        (
                            "Customers".into(),
                            s.table.iter().map(|t| t.customer_share).collect(),
                        ),
                        (
                            "Revenue".into(),
                            s.table.iter().map(|t| t.revenue_share).collect(),
                        ),
                    ],
                },
            };
            html! { <>
                { table("report-segments-table", &["Segment", "Customers", "Share", "Revenue", "Share of revenue", "Mean CLV", "Mean P(alive)"], rows) }
                { svg(&chart) }
            </> }
        }
        None => html! { <p>{ "No segmentation: it gave no result." }</p> },
    };
    let model = match clv.and_then(|c| c.model.as_ref().map(|m| (c, m))) {
        Some((c, m)) => {
            let rows = m
                .params
                .iter()
                .map(|p| {
                    vec![
                        p.name.clone(),
                        format::fixed(p.value, 4),
                        p.std_error
                            .map_or_else(|| "–".into(), |s| format::fixed(s, 4)),
                        p.description.clone(),
                    ]
                })
                .collect();
            let chart = Chart {
                title: "Customers by lifetime value".into(),
                x_label: "CLV".into(),
                y_label: "Customers".into(),
                kind: Kind::Bars {
                    categories: c.histogram.iter().map(|b| fmt_tick(b.lo)).collect(),
                    series: vec![(
                        "Customers".into(),
                        c.histogram.iter().map(|b| b.count as f64).collect(),
                    )],
                },
            };
            html! { <>
                <p>{ format!("{} fitted on {} customers; log-likelihood {}. {}", m.kind.name(), format::count(m.n_customers), format::fixed(m.log_likelihood, 2), c.spend_note) }</p>
                { table("report-model-table", &["Parameter", "Estimate", "Standard error", "Meaning"], rows) }
                { svg(&chart) }
            </> }
        }
        None => html! { <p>{ "No lifetime-value model: the data could not support a fit." }</p> },
    };
    let satisfaction = match sp {
        Some(sv) => {
            let mut rows = Vec::new();
            // A score the survey could not give is listed with the reason, not left out.
            let absent =
                |name: &str, why: &str| vec![name.into(), "–".into(), why.into(), "–".into()];
            if let Some(Err(e)) = &sv.headline.nps {
                rows.push(absent("NPS", e));
            }
            if let Some(Err(e)) = &sv.headline.csat {
                rows.push(absent("CSAT", e));
            }
            if let Some(Ok(n)) = &sv.headline.nps {
                rows.push(vec![
                    "NPS".into(),
                    format::fixed(n.nps, 1),
                    format!(
                        "{} to {}",
                        format::fixed(n.ci_low, 1),
                        format::fixed(n.ci_high, 1)
                    ),
                    n.n.to_string(),
                ]);
            }
            if let Some(Ok(c)) = &sv.headline.csat {
                rows.push(vec![
                    "CSAT".into(),
                    format::percent(c.share, 1),
                    format!(
                        "{} to {}",
                        format::percent(c.ci_low, 1),
                        format::percent(c.ci_high, 1)
                    ),
                    c.n.to_string(),
                ]);
            }
            table(
                "report-satisfaction-table",
                &["Score", "Value", "95% interval", "Answers"],
                rows,
            )
        }
        None => {
            html! { <p>{ "No survey is loaded: NPS, CSAT and value at risk are left out." }</p> }
        }
    };
    let st = &o.settings;
    let settings = table(
        "report-settings-table",
        &["Setting", "Value"],
        vec![
            vec!["Time unit".into(), st.time_unit.clone()],
            vec![
                "Observation end".into(),
                st.observation_end
                    .map_or_else(|| "the last date in the data".into(), |d| d.to_string()),
            ],
            vec!["Purchase model".into(), st.model.clone()],
            vec!["Spend model".into(), st.spend_model.clone()],
            vec![
                "CLV horizon (months)".into(),
                st.horizon_periods.to_string(),
            ],
            vec![
                "Discount rate per month".into(),
                st.discount_rate.to_string(),
            ],
            vec!["Margin (share of spend)".into(), st.margin_rate.to_string()],
            vec!["Segment map".into(), st.segment_map.clone()],
        ],
    );
    let mut quality = Vec::new();
    if let Some(v) = &tx.data.report {
        quality.push(vec!["Rows read".into(), v.rows_read.to_string()]);
        quality.push(vec!["Rows used".into(), v.rows_used.to_string()]);
        quality.push(vec!["Rows excluded".into(), v.rows_rejected.to_string()]);
    }
    if let Some(s) = &tx.data.summary {
        quality.push(vec!["Return rows".into(), s.returns_rows.to_string()]);
        for e in &s.excluded {
            quality.push(vec![
                format!("Customers excluded: {}", e.reason.describe()),
                e.count.to_string(),
            ]);
        }
    }
    let methods = html! {
        <dl class="methods">
            { for METHODS.iter().map(|(t, w, f)| html! { <>
                <dt>{ *t }</dt><dd>{ *w }<br /><code>{ *f }</code></dd>
            </> }) }
        </dl>
    };
    html! { <>
        { section("overview", "Overview", overview_view(o)) }
        { section("segments", "Segments", segments) }
        { section("model", "Lifetime value model", model) }
        { section("satisfaction", "Satisfaction", satisfaction) }
        { section("settings", "Settings used", settings) }
        { section("quality", "Data quality", table("report-quality-table", &["What", "Count"], quality)) }
        { section("methods", "Methods", methods) }
    </> }
}

/// The print view of the report.
#[component]
pub fn ReportPage() -> Html {
    let ctx = use_context::<AppContext>();
    let tx = ctx
        .as_ref()
        .and_then(|c| c.state.workspace.transactions.clone());
    let g = use_gathered(ctx.clone(), tx.clone());
    let sp = use_survey_part(ctx.clone(), tx.clone(), &g);
    let failed = use_state(|| None::<String>);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let Some(tx) = tx else {
        return if ctx.state.boot.ready().is_some() {
            super::needs_data("a transaction log")
        } else {
            super::booting()
        };
    };
    let print = Callback::from(|_: MouseEvent| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    });
    let content = match assemble(&tx, &g, &sp) {
        Some(o) => body(&tx, &g, sp.ready().map(|p| &**p), &o),
        None => super::booting(),
    };
    html! {
        <article class="report" data-testid="report">
            <h1>{ format!("Customer analytics report: {}", tx.meta.name) }</h1>
            <p class="no-print">
                <button onclick={print} data-testid="print-report">{ "Print or save as PDF" }</button>
                { " " }
                { download_button(&ctx, &tx, &g, &sp, &failed) }
                { " " }
                <a href="#/overview">{ "Back to the Overview" }</a>
            </p>
            { content }
        </article>
    }
}
