//! The report of the whole analysis as one XLSX workbook: the Overview (figures with their
//! ranges and sources, the segments holding the most value and value at risk, the recommended
//! actions), every customer with their CLV and segment, the segment table, the model fit, the
//! satisfaction scores, the settings used, the data quality report and a methods appendix in
//! plain words with the formulas, each table on its own sheet. The page's "Download report
//! (XLSX)" and `crm report` both write it here, from the same results.

use crate::analysis::clv::ClvResult;
use crate::analysis::numfmt::NumberFormat;
use crate::analysis::overview::{Overview, SegmentValue, SurveyPart, Unit};
use crate::analysis::segment::SegmentResult;
use crate::domain::customers::CustomerSummary;
use crate::io::import::validate::ValidationReport;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

/// The sheets, in order (Satisfaction is always there: without a survey it says why).
pub const SHEETS: [&str; 10] = [
    "Overview",
    "Actions",
    "Customers",
    "Segments",
    "Model",
    "Satisfaction",
    "Settings",
    "Data quality",
    "Methods",
    "About",
];

/// What the report is written from.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    /// The dataset's name.
    pub dataset: &'a str,
    /// The customer summary.
    pub summary: &'a CustomerSummary,
    /// The overview.
    pub overview: &'a Overview,
    /// The default lifetime-value fit, when there is one.
    pub clv: Option<&'a ClvResult>,
    /// The default segmentation, when there is one.
    pub segments: Option<&'a SegmentResult>,
    /// The survey's part, when a survey is loaded.
    pub survey: Option<&'a SurveyPart>,
    /// The import's validation report, when known.
    pub validation: Option<&'a ValidationReport>,
    /// How amounts are shown: money cells carry its symbol in their number format (the
    /// grouping and decimal marks are the spreadsheet's own); every cell stays a number.
    pub number_format: &'a NumberFormat,
}

/// One entry of the methods appendix: topic, plain words, formula.
pub type Method = (&'static str, &'static str, &'static str);

/// The methods appendix: how each figure is computed, in plain words, with its formula.
pub const METHODS: [Method; 10] = [
    ("Customer summary", "Each customer is described by how many times they came back (x, repeat purchases), when they last bought (recency t_x) and how long we have known them (T), in the chosen time unit, up to the observation end.", "x = purchase occasions − 1; t_x = last − first; T = end − first"),
    ("BG/NBD purchase model", "While a customer is active they buy at their own steady rate; after each purchase there is a chance they drop out for good. Rates and drop-out chances vary between customers and are fitted to everyone's history by maximum likelihood.", "λ ~ Gamma(r, α); p ~ Beta(a, b); P(x, t_x, T) by Fader, Hardie & Lee (2005)"),
    ("P(alive) and active customers", "The chance that a customer has not dropped out, given their history. A customer is counted as active when this chance is at least 50%.", "P(alive) = 1 / (1 + [a/(b + x − 1)]·[(α + T)/(α + t_x)]^(r + x)) for x > 0; active ⇔ P(alive) ≥ 0.5"),
    ("Spend per purchase (Gamma-Gamma)", "Each customer's average spend is pulled towards the average of all customers, more so when they bought only a few times.", "E[spend] = (γ + m̄·x)/(p·x + q − 1) · p, with m̄ the customer's mean repeat spend"),
    ("Customer lifetime value (CLV)", "Expected purchases month by month, times the expected spend and the margin, each month discounted back to today, summed over the horizon.", "CLV = Σ_{m=1..M} margin · E[spend] · E[purchases in month m] / (1 + d)^m"),
    ("Customer equity and its range", "The sum of every current customer's CLV. Its range repeats the calculation with model parameters drawn from their estimated uncertainty and keeps the middle share of the results.", "Equity = Σ_i CLV_i; range = quantiles (1−L)/2 and (1+L)/2 over draws θ* ~ N(θ̂, Σ̂) on log parameters"),
    ("Revenue concentration", "The share of all revenue that comes from the 20% of customers who spent the most.", "share = Σ_{top ⌈0.2·n⌉} spend_i / Σ_i spend_i"),
    ("RFM segments", "Recency, frequency and monetary value are each scored 1–5 by quintiles (5 = best); a map of named segments assigns each combination of scores to a segment.", "score = quantile bin of the value among all customers; segment = map(R, F[, M])"),
    ("NPS and CSAT", "NPS is the share of promoters (9–10) minus the share of detractors (0–6) on the 0–10 recommend question. CSAT is the share of answers in the top boxes of the satisfaction scale. Both come with 95% intervals.", "NPS = 100·(p − d), SE = 100·√((p + d − (p − d)²)/n), NPS ± 1.96·SE; CSAT: Wilson interval (k + z²/2)/(n + z²) ± z·√(k(n − k)/n + z²/4)/(n + z²)"),
    ("Value at risk", "The lifetime value held by customers who answered the survey as detractors, summed per segment.", "risk_s = Σ_{i in s, NPS answer ≤ 6} CLV_i"),
];

fn err(e: XlsxError) -> String {
    format!("The report workbook could not be written: {e}")
}

struct Sheet<'w> {
    ws: &'w mut Worksheet,
    row: u32,
    bold: &'w Format,
    money: &'w Format,
}

impl Sheet<'_> {
    /// A header and one row per segment: name, customers, value, share.
    fn segments(&mut self, header: &[&str; 4], rows: &[SegmentValue]) -> Result<(), XlsxError> {
        self.header(header)?;
        for v in rows {
            self.cells(&[
                Cell::T(v.name.clone()),
                Cell::N(v.customers as f64),
                Cell::M(v.value),
                Cell::N(v.share),
            ])?;
        }
        Ok(())
    }

    fn header(&mut self, cells: &[&str]) -> Result<(), XlsxError> {
        for (c, h) in cells.iter().enumerate() {
            self.ws
                .write_string_with_format(self.row, c as u16, *h, self.bold)?;
        }
        self.row += 1;
        Ok(())
    }

    fn text(&mut self, cells: &[&str]) -> Result<(), XlsxError> {
        for (c, h) in cells.iter().enumerate() {
            self.ws.write_string(self.row, c as u16, *h)?;
        }
        self.row += 1;
        Ok(())
    }

    /// A row of cells, numbers written as numbers (non-finite: left empty).
    fn cells(&mut self, cells: &[Cell]) -> Result<(), XlsxError> {
        for (c, v) in cells.iter().enumerate() {
            let c = c as u16;
            match v {
                Cell::T(s) => {
                    self.ws.write_string(self.row, c, s)?;
                }
                Cell::N(x) if x.is_finite() => {
                    self.ws.write_number(self.row, c, *x)?;
                }
                Cell::M(x) if x.is_finite() => {
                    self.ws
                        .write_number_with_format(self.row, c, *x, self.money)?;
                }
                Cell::N(_) | Cell::M(_) => {}
            }
        }
        self.row += 1;
        Ok(())
    }
}

enum Cell {
    /// Text.
    T(String),
    /// A number.
    N(f64),
    /// An amount of money: a number with the money format.
    M(f64),
}

fn opt(v: Option<f64>) -> Cell {
    Cell::N(v.unwrap_or(f64::NAN))
}

fn opt_money(v: Option<f64>) -> Cell {
    Cell::M(v.unwrap_or(f64::NAN))
}

fn open<'w>(
    wb: &'w mut Workbook,
    (bold, money): (&'w Format, &'w Format),
    i: usize,
) -> Result<Sheet<'w>, XlsxError> {
    Ok(Sheet {
        ws: wb.worksheet_from_index(i)?,
        row: 0,
        bold,
        money,
    })
}

fn unit_name(u: Unit) -> &'static str {
    match u {
        Unit::Count => "customers",
        Unit::Money => "money",
        Unit::Share => "share (0–1)",
        Unit::Score => "score",
    }
}

/// Writes the report workbook.
///
/// # Errors
/// A message for the user when the workbook cannot be written.
pub fn workbook(r: &ReportInput) -> Result<Vec<u8>, String> {
    build(r).map_err(err)
}

fn build(r: &ReportInput) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format(r.number_format.sheet_money_code());
    let bold = (&bold, &money);
    let o = r.overview;
    let sheet = |wb: &mut Workbook, name: &str| -> Result<(), XlsxError> {
        wb.add_worksheet().set_name(name).map(|_| ())
    };
    for name in SHEETS {
        sheet(&mut wb, name)?;
    }
    // Overview.
    {
        let mut s = open(&mut wb, bold, 0)?;
        s.text(&[&format!("Overview of {}", r.dataset)])?;
        s.header(&[
            "Figure",
            "Value",
            "Lower",
            "Upper",
            "Range",
            "Unit",
            "How",
            "From page",
            "Left out because",
        ])?;
        for f in &o.figures {
            let v = if f.unit == Unit::Money {
                opt_money
            } else {
                opt
            };
            s.cells(&[
                Cell::T(f.label.clone()),
                v(f.value),
                v(f.range.map(|r| r.0)),
                v(f.range.map(|r| r.1)),
                Cell::T(f.range_note.clone()),
                Cell::T(unit_name(f.unit).into()),
                Cell::T(f.how.clone()),
                Cell::T(f.source.page.clone()),
                Cell::T(f.missing.clone()),
            ])?;
        }
        s.row += 1;
        s.text(&[&format!(
            "Segments holding the most value (by {})",
            o.value_basis
        )])?;
        s.segments(&["Segment", "Customers", "Value", "Share"], &o.top_value)?;
        s.row += 1;
        s.text(&["Segments with the most value at risk (lifetime value of detractors)"])?;
        if o.top_risk.is_empty() {
            s.text(&[&o.risk_missing])?;
        } else {
            s.segments(
                &["Segment", "Detractors", "Value at risk", "Share"],
                &o.top_risk,
            )?;
        }
        s.row += 1;
        s.text(&["Left out, and why"])?;
        for n in &o.notes {
            s.text(&[n])?;
        }
    }
    // Actions.
    {
        let mut s = open(&mut wb, bold, 1)?;
        s.header(&["Action", "Why", "Figure", "Segment", "Customers", "Page"])?;
        for a in &o.actions {
            s.cells(&[
                Cell::T(a.action.clone()),
                Cell::T(a.because.clone()),
                Cell::N(a.value),
                Cell::T(a.segment.clone()),
                Cell::N(a.customers as f64),
                Cell::T(a.link.href()),
            ])?;
        }
    }
    // Customers.
    {
        let mut s = open(&mut wb, bold, 2)?;
        s.header(&[
            "Customer",
            "Repeat purchases (x)",
            "Recency (t_x)",
            "Age (T)",
            "Total spend",
            "Segment",
            "P(alive)",
            "Expected purchases",
            "CLV",
        ])?;
        let clv = r.clv.filter(|c| c.clv.len() == r.summary.customers.len());
        for (i, c) in r.summary.customers.iter().enumerate() {
            let seg = r.segments.and_then(|s| s.segment_name(i)).unwrap_or("");
            s.cells(&[
                Cell::T(c.id.clone()),
                Cell::N(c.x),
                Cell::N(c.t_x),
                Cell::N(c.t),
                Cell::M(c.total_spend),
                Cell::T(seg.into()),
                opt(clv.and_then(|r| r.p_alive.get(i).copied())),
                opt(clv.and_then(|r| r.expected_purchases.get(i).copied())),
                opt_money(clv.and_then(|r| r.clv.get(i).copied())),
            ])?;
        }
    }
    // Segments.
    {
        let mut s = open(&mut wb, bold, 3)?;
        match r.segments {
            Some(seg) => {
                s.header(&[
                    "Segment",
                    "Description",
                    "Customers",
                    "Share of customers",
                    "Revenue",
                    "Share of revenue",
                    "Mean recency (days)",
                    "Mean frequency",
                    "Mean monetary",
                    "Mean CLV",
                    "Mean P(alive)",
                ])?;
                for t in &seg.table {
                    s.cells(&[
                        Cell::T(t.name.clone()),
                        Cell::T(t.description.clone()),
                        Cell::N(t.customers as f64),
                        Cell::N(t.customer_share),
                        Cell::M(t.revenue),
                        Cell::N(t.revenue_share),
                        Cell::N(t.mean_recency),
                        Cell::N(t.mean_frequency),
                        Cell::M(t.mean_monetary),
                        opt_money(t.mean_clv),
                        opt(t.mean_p_alive),
                    ])?;
                }
            }
            None => s.text(&["No segmentation: it gave no result."])?,
        }
    }
    // Model.
    {
        let mut s = open(&mut wb, bold, 4)?;
        match r.clv.and_then(|c| c.model.as_ref().map(|m| (c, m))) {
            Some((c, m)) => {
                s.text(&[&format!(
                    "{} fitted on {} customers",
                    m.kind.name(),
                    r.number_format.count(m.n_customers)
                )])?;
                s.cells(&[Cell::T("Log-likelihood".into()), Cell::N(m.log_likelihood)])?;
                s.cells(&[Cell::T("Customer equity".into()), Cell::M(c.equity)])?;
                s.header(&["Parameter", "Estimate", "Standard error", "Meaning"])?;
                for p in &m.params {
                    s.cells(&[
                        Cell::T(p.name.clone()),
                        Cell::N(p.value),
                        opt(p.std_error),
                        Cell::T(p.description.clone()),
                    ])?;
                }
                if let Some(g) = &c.spend {
                    s.row += 1;
                    s.text(&["Gamma-Gamma spend model"])?;
                    s.header(&["Parameter", "Estimate"])?;
                    for (n, v) in [("p", g.params.p), ("q", g.params.q), ("γ", g.params.gamma)] {
                        s.cells(&[Cell::T(n.into()), Cell::N(v)])?;
                    }
                } else if !c.spend_note.is_empty() {
                    s.text(&[&c.spend_note])?;
                }
            }
            None => s.text(&["No lifetime-value model: the data could not support a fit."])?,
        }
    }
    // Satisfaction.
    {
        let mut s = open(&mut wb, bold, 5)?;
        match r.survey {
            Some(sv) => {
                s.header(&["Score", "Value", "95% lower", "95% upper", "Answers"])?;
                match &sv.headline.nps {
                    Some(Ok(n)) => s.cells(&[
                        Cell::T("NPS".into()),
                        Cell::N(n.nps),
                        Cell::N(n.ci_low),
                        Cell::N(n.ci_high),
                        Cell::N(n.n as f64),
                    ])?,
                    Some(Err(e)) => s.text(&["NPS", &format!("not computed: {e}")])?,
                    None => s.text(&["NPS", "no recommend (0–10) column"])?,
                }
                match &sv.headline.csat {
                    Some(Ok(c)) => s.cells(&[
                        Cell::T("CSAT (top-box share)".into()),
                        Cell::N(c.share),
                        Cell::N(c.ci_low),
                        Cell::N(c.ci_high),
                        Cell::N(c.n as f64),
                    ])?,
                    Some(Err(e)) => s.text(&["CSAT", &format!("not computed: {e}")])?,
                    None => s.text(&["CSAT", "no satisfaction column"])?,
                }
                if let Some(risk) = &sv.risk {
                    s.row += 1;
                    s.text(&["Value at risk by segment"])?;
                    s.header(&[
                        "Group",
                        "Respondents with a CLV",
                        "Their CLV",
                        "Detractors",
                        "Detractors' CLV",
                    ])?;
                    for rr in &risk.rows {
                        s.cells(&[
                            Cell::T(rr.group.clone()),
                            Cell::N(rr.customers as f64),
                            Cell::M(rr.clv),
                            Cell::N(rr.detractors.0 as f64),
                            Cell::N(rr.detractors.1),
                        ])?;
                    }
                }
                for n in &sv.notes {
                    s.text(&[n])?;
                }
            }
            None => s.text(&["No survey is loaded: NPS, CSAT and value at risk are left out."])?,
        }
    }
    // Settings.
    {
        let mut s = open(&mut wb, bold, 6)?;
        let st = &o.settings;
        s.header(&["Setting", "Value"])?;
        let end = st.observation_end.map_or_else(
            || "the last date in the data".to_string(),
            |d| d.to_string(),
        );
        for (k, v) in [
            ("Time unit", st.time_unit.clone()),
            ("Observation end", end),
            ("Purchase model", st.model.clone()),
            ("Spend model", st.spend_model.clone()),
            ("CLV horizon (months)", st.horizon_periods.to_string()),
            ("Discount rate per month", st.discount_rate.to_string()),
            ("Margin (share of spend)", st.margin_rate.to_string()),
            ("Segment map", st.segment_map.clone()),
            (
                "Active customer",
                crate::analysis::overview::ACTIVE_RULE.to_string(),
            ),
        ] {
            s.text(&[k, &v])?;
        }
    }
    // Data quality.
    {
        let mut s = open(&mut wb, bold, 7)?;
        s.header(&["What", "Count", "Details"])?;
        if let Some(v) = r.validation {
            s.cells(&[
                Cell::T("Rows read".into()),
                Cell::N(v.rows_read as f64),
                Cell::T(String::new()),
            ])?;
            s.cells(&[
                Cell::T("Rows used".into()),
                Cell::N(v.rows_used as f64),
                Cell::T(String::new()),
            ])?;
            s.cells(&[
                Cell::T("Rows excluded".into()),
                Cell::N(v.rows_rejected as f64),
                Cell::T(
                    v.first_rejected
                        .as_ref()
                        .map(|i| format!("first: {i}"))
                        .unwrap_or_default(),
                ),
            ])?;
            for k in &v.by_kind {
                s.cells(&[
                    Cell::T(format!("Issue: {:?}", k.kind)),
                    Cell::N(k.count as f64),
                    Cell::T(String::new()),
                ])?;
            }
            s.cells(&[
                Cell::T("Negative amounts (returns)".into()),
                Cell::N(v.negative_amounts as f64),
                Cell::T(String::new()),
            ])?;
        } else {
            s.text(&[
                "Rows",
                "",
                "The import's row report is not available here; see the Data page.",
            ])?;
        }
        s.cells(&[
            Cell::T("Return rows".into()),
            Cell::N(r.summary.returns_rows as f64),
            Cell::T(String::new()),
        ])?;
        for e in &r.summary.excluded {
            s.cells(&[
                Cell::T(format!("Customers excluded: {}", e.reason.describe())),
                Cell::N(e.count as f64),
                Cell::T(e.ids.join(", ")),
            ])?;
        }
        if r.summary.excluded.is_empty() {
            s.text(&["Customers excluded", "0", "none"])?;
        }
    }
    // Methods.
    {
        let mut s = open(&mut wb, bold, 8)?;
        s.header(&["Topic", "In plain words", "Formula"])?;
        for (t, w, f) in METHODS {
            s.text(&[t, w, f])?;
        }
    }
    // About.
    {
        let mut s = open(&mut wb, bold, 9)?;
        s.text(&[
            "Customer Analytics report",
            &format!("version {}", env!("CARGO_PKG_VERSION")),
        ])?;
        s.text(&["Dataset", r.dataset])?;
        s.text(&[
            "Computed",
            "offline, on this computer; nothing was uploaded",
        ])?;
    }
    wb.save_to_buffer()
}
