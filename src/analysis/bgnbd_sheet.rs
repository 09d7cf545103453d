//! The BG/NBD model step by step, as Fader & Hardie's note "Implementing the BG/NBD model in
//! Excel" builds it: a small customer table (x, t_x, T), each customer's ln A1..A4 and
//! log-likelihood, the total log-likelihood, P(alive), and the expected purchases in the next
//! t weeks with the Gauss hypergeometric function ₂F₁ summed as a truncated series in helper
//! columns (their note "Computing conditional expectations in Excel").
//!
//! Every cell carries its value AND its spreadsheet formula (A1 references; the parameters are
//! the named cells `r_`, `alpha`, `a`, `b` and `horizon`: Excel reserves the name `r`), so the
//! lesson page shows the formulas and [`crate::io::workbook`] writes them as live formulas. The
//! values are computed here the way the formulas compute them (not by the engine), so the tests
//! can pin the sheet against the engine's own fit and predictions
//! ([`crate::domain::clv::BgNbd`]); the parameters come from the engine's fit ([`fit`]), never
//! from a second fitter.

use crate::analysis::simulator::{self, SimFile, SimRequest};
use crate::domain::clv::{BgNbd, BtydParams, FittedModel, ModelKind};
use crate::domain::customers::{CustomerRecord, CustomerSummary, TimeUnit};
use serde::{Deserialize, Serialize};
use statrs::function::gamma::ln_gamma;

/// Name of the worksheet holding the table.
pub const MAIN_SHEET: &str = "BGNBD";
/// Name of the worksheet holding the ₂F₁ series terms.
pub const SERIES_SHEET: &str = "Series";
/// Spreadsheet row (1-based) of the column headers; customers start on the next row.
pub const HEADER_ROW: u32 = 9;
/// Spreadsheet row (1-based) of the total log-likelihood.
pub const LL_ROW: u32 = 7;
/// Most ₂F₁ series terms the sheet writes.
pub const MAX_TERMS: u32 = 1000;
/// Customers in the lesson's table.
pub const LESSON_CUSTOMERS: u32 = 20;
/// Seed of the lesson's simulated customers (a base whose 20-customer fit converges).
pub const LESSON_SEED: u64 = 5;
/// Default horizon of the expected purchases (weeks).
pub const LESSON_HORIZON: f64 = 52.0;

/// One computed cell: its value and its formula (A1 references, without the leading `=`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// The value the formula gives.
    pub value: f64,
    /// The spreadsheet formula, without the leading `=`.
    pub formula: String,
}

/// A parameter cell (a named cell the class can change or let Solver change).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Param {
    /// The defined name used in formulas (`r_`, `alpha`, `a`, `b`, `horizon`).
    pub name: String,
    /// Label shown beside it.
    pub label: String,
    /// Its A1 reference on the main sheet (e.g. `B1`).
    pub cell: String,
    /// Its value.
    pub value: f64,
}

/// A computed column: its letter, header and what it holds in plain words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// Spreadsheet column letter.
    pub letter: String,
    /// Header text.
    pub header: String,
    /// What the column holds, in plain words (the notes sheet and the page's legend).
    pub note: String,
}

/// One customer's row: the data and the computed cells (in [`Sheet::columns`] order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetRow {
    /// Customer id.
    pub id: String,
    /// Repeat purchases.
    pub x: f64,
    /// Time of the last purchase (weeks from the first).
    pub t_x: f64,
    /// Time observed (weeks from the first purchase).
    pub t: f64,
    /// Computed cells, one per [`Sheet::columns`] entry.
    pub cells: Vec<Cell>,
    /// The ₂F₁ series terms u_0..u_{J−1} (on [`SERIES_SHEET`], same row).
    pub terms: Vec<Cell>,
}

/// The step-by-step sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sheet {
    /// r, α, a, b and the horizon, as named cells B1..B5.
    pub params: Vec<Param>,
    /// The total log-likelihood (cell B7).
    pub total_ll: Cell,
    /// The data columns (A..D) and computed columns (E..), in order.
    pub columns: Vec<Column>,
    /// One row per customer, from spreadsheet row [`HEADER_ROW`] + 1.
    pub rows: Vec<SheetRow>,
    /// Number of series terms per customer.
    pub terms: u32,
    /// Customers whose series had not converged at [`MAX_TERMS`] terms (their E[X(t)] is
    /// too low); empty when every series converged.
    pub unconverged: Vec<String>,
}

/// Index of each computed column in [`SheetRow::cells`].
pub mod col {
    /// ln A1.
    pub const LN_A1: usize = 0;
    /// ln A2.
    pub const LN_A2: usize = 1;
    /// ln A3.
    pub const LN_A3: usize = 2;
    /// ln A4.
    pub const LN_A4: usize = 3;
    /// The customer's log-likelihood.
    pub const LL: usize = 4;
    /// P(alive).
    pub const P_ALIVE: usize = 5;
    /// ₂F₁'s first argument r + x.
    pub const HA: usize = 6;
    /// ₂F₁'s second argument b + x.
    pub const HB: usize = 7;
    /// ₂F₁'s third argument a + b + x − 1.
    pub const HC: usize = 8;
    /// ₂F₁'s z = t/(α + T + t).
    pub const Z: usize = 9;
    /// ₂F₁ (the series' sum).
    pub const F21: usize = 10;
    /// Expected purchases in the next t weeks.
    pub const EXPECTED: usize = 11;
}

/// Spreadsheet column letters of a 0-based column index (0 → A, 26 → AA).
pub fn letters(mut i: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

const DATA_COLUMNS: [(&str, &str); 4] = [
    ("ID", "The customer's id."),
    (
        "x",
        "Repeat purchases in the observation period (all purchases minus the first).",
    ),
    (
        "t_x",
        "When the last purchase happened, in weeks after the first.",
    ),
    (
        "T",
        "How long the customer has been observed, in weeks after the first purchase.",
    ),
];

const COMPUTED_COLUMNS: [(&str, &str); 12] = [
    ("ln A1", "ln Γ(r + x) − ln Γ(r) + r·ln α: the purchase-rate (Gamma) part."),
    ("ln A2", "ln Γ(a + b) + ln Γ(b + x) − ln Γ(b) − ln Γ(a + b + x): the drop-out (Beta) part."),
    ("ln A3", "−(r + x)·ln(α + T): the customer is still active at T."),
    ("ln A4", "ln a − ln(b + x − 1) − (r + x)·ln(α + t_x) when x > 0, else 0: the customer dropped out just after the last purchase."),
    ("LL", "This customer's log-likelihood: ln A1 + ln A2 + ln(exp(ln A3) + δ(x > 0)·exp(ln A4)); the total LL (B7) is their sum."),
    ("P(alive)", "The chance the customer is still active: 1 / (1 + δ(x > 0)·A4/A3)."),
    ("2F1 a", "First argument of the hypergeometric function: r + x."),
    ("2F1 b", "Second argument: b + x."),
    ("2F1 c", "Third argument: a + b + x − 1."),
    ("z", "Its argument z = t / (α + T + t), with t the horizon (B5)."),
    ("2F1", "₂F₁(r + x, b + x; a + b + x − 1; z): the sum of the series terms on the Series sheet, each term u_j = u_{j−1}·(a'+j−1)(b'+j−1)/((c'+j−1)·j)·z, u_0 = 1."),
    ("E[X(t)]", "Expected purchases in the next t weeks: (a + b + x − 1)/(a − 1)·[1 − ((α + T)/(α + T + t))^(r + x)·₂F₁]·P(alive)."),
];

impl Sheet {
    /// The sheet for `customers` at parameters `p` with a horizon of `horizon` weeks.
    pub fn new(customers: &[CustomerRecord], p: BgNbd, horizon: f64) -> Sheet {
        let BgNbd { r, alpha, a, b } = p;
        let first = HEADER_ROW + 1;
        let last = HEADER_ROW + customers.len().max(1) as u32;
        // Terms: enough for every customer's series to reach rounding (u_j < 1e-17 Σ).
        let mut needed = 1u32;
        let mut unconverged = Vec::new();
        for c in customers {
            let (ha, hb, hc, z) = hyp_args(p, c, horizon);
            match terms_needed(ha, hb, hc, z) {
                Some(n) => needed = needed.max(n),
                None => unconverged.push(c.id.clone()),
            }
        }
        let terms = (needed.div_ceil(10) * 10).clamp(20, MAX_TERMS);
        let last_term_col = letters(terms); // column B is term 0
        let rows = customers
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let n = first + i as u32;
                let (x, tx, tt) = (c.x, c.t_x, c.t);
                let xs = |s: &str| s.replace('#', &n.to_string());
                let la1 = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln();
                let la2 = ln_gamma(a + b) + ln_gamma(b + x) - ln_gamma(b) - ln_gamma(a + b + x);
                let la3 = -(r + x) * (alpha + tt).ln();
                let la4 = if x > 0.0 {
                    a.ln() - (b + x - 1.0).ln() - (r + x) * (alpha + tx).ln()
                } else {
                    0.0
                };
                let delta = if x > 0.0 { 1.0 } else { 0.0 };
                let ll = la1 + la2 + (la3.exp() + delta * la4.exp()).ln();
                let p_alive = 1.0 / (1.0 + if x > 0.0 { (la4 - la3).exp() } else { 0.0 });
                let (ha, hb, hc, z) = hyp_args(p, c, horizon);
                let mut terms_v = Vec::with_capacity(terms as usize);
                let mut u = 1.0;
                terms_v.push(Cell {
                    value: 1.0,
                    formula: String::from("1"),
                });
                for j in 1..terms {
                    let jf = f64::from(j);
                    u = u * (ha + jf - 1.0) * (hb + jf - 1.0) / ((hc + jf - 1.0) * jf) * z;
                    let (prev, this) = (letters(j), letters(j + 1));
                    terms_v.push(Cell {
                        value: u,
                        formula: format!(
                            "{prev}{n}*({m}!$K{n}+{this}${h}-1)*({m}!$L{n}+{this}${h}-1)/(({m}!$M{n}+{this}${h}-1)*{this}${h})*{m}!$N{n}",
                            m = MAIN_SHEET,
                            h = HEADER_ROW
                        ),
                    });
                }
                let f21: f64 = terms_v.iter().map(|t| t.value).sum();
                let expected = (a + b + x - 1.0) / (a - 1.0)
                    * (1.0 - ((alpha + tt) / (alpha + tt + horizon)).powf(r + x) * f21)
                    * p_alive;
                let cell = |value: f64, f: &str| Cell {
                    value,
                    formula: xs(f),
                };
                SheetRow {
                    id: c.id.clone(),
                    x,
                    t_x: tx,
                    t: tt,
                    cells: vec![
                        cell(la1, "GAMMALN(r_+B#)-GAMMALN(r_)+r_*LN(alpha)"),
                        cell(la2, "GAMMALN(a+b)+GAMMALN(b+B#)-GAMMALN(b)-GAMMALN(a+b+B#)"),
                        cell(la3, "-(r_+B#)*LN(alpha+D#)"),
                        cell(la4, "IF(B#>0,LN(a)-LN(b+B#-1)-(r_+B#)*LN(alpha+C#),0)"),
                        cell(ll, "E#+F#+LN(EXP(G#)+IF(B#>0,1,0)*EXP(H#))"),
                        cell(p_alive, "1/(1+IF(B#>0,EXP(H#-G#),0))"),
                        cell(ha, "r_+B#"),
                        cell(hb, "b+B#"),
                        cell(hc, "a+b+B#-1"),
                        cell(z, "horizon/(alpha+D#+horizon)"),
                        cell(
                            f21,
                            &format!("SUM({SERIES_SHEET}!B#:{last_term_col}#)"),
                        ),
                        cell(
                            expected,
                            "(a+b+B#-1)/(a-1)*(1-((alpha+D#)/(alpha+D#+horizon))^(r_+B#)*O#)*J#",
                        ),
                    ],
                    terms: terms_v,
                }
            })
            .collect::<Vec<_>>();
        let total: f64 = rows.iter().map(|r| r.cells[col::LL].value).sum();
        let params = [
            ("r_", "r", r),
            ("alpha", "α (alpha)", alpha),
            ("a", "a", a),
            ("b", "b", b),
            ("horizon", "t (weeks ahead)", horizon),
        ]
        .iter()
        .enumerate()
        .map(|(i, (name, label, value))| Param {
            name: (*name).into(),
            label: (*label).into(),
            cell: format!("B{}", i + 1),
            value: *value,
        })
        .collect();
        let columns = DATA_COLUMNS
            .iter()
            .chain(COMPUTED_COLUMNS.iter())
            .enumerate()
            .map(|(i, (h, note))| Column {
                letter: letters(i as u32),
                header: (*h).into(),
                note: (*note).into(),
            })
            .collect();
        Sheet {
            params,
            total_ll: Cell {
                value: total,
                formula: format!("SUM(I{first}:I{last})"),
            },
            columns,
            rows,
            terms,
            unconverged,
        }
    }

    /// The parameters as a model.
    pub fn model(&self) -> BgNbd {
        let v = |i: usize| self.params.get(i).map_or(f64::NAN, |p| p.value);
        BgNbd {
            r: v(0),
            alpha: v(1),
            a: v(2),
            b: v(3),
        }
    }

    /// The computed columns (E onwards) in [`SheetRow::cells`] order.
    pub fn computed_columns(&self) -> &[Column] {
        self.columns.get(DATA_COLUMNS.len()..).unwrap_or(&[])
    }
}

fn hyp_args(p: BgNbd, c: &CustomerRecord, horizon: f64) -> (f64, f64, f64, f64) {
    (
        p.r + c.x,
        p.b + c.x,
        p.a + p.b + c.x - 1.0,
        horizon / (p.alpha + c.t + horizon),
    )
}

/// Terms until the series of ₂F₁(ha, hb; hc; z) reaches rounding; `None` when it does not
/// within [`MAX_TERMS`] (or its arguments make no series).
fn terms_needed(ha: f64, hb: f64, hc: f64, z: f64) -> Option<u32> {
    if !(hc > 0.0 && (0.0..1.0).contains(&z) && ha.is_finite() && hb.is_finite()) {
        return None;
    }
    let (mut u, mut sum) = (1.0f64, 1.0f64);
    for j in 1..MAX_TERMS {
        let jf = f64::from(j);
        u *= (ha + jf - 1.0) * (hb + jf - 1.0) / ((hc + jf - 1.0) * jf) * z;
        sum += u;
        if !sum.is_finite() {
            return None;
        }
        // Past the peak (the ratio is below 1) and below rounding.
        let ratio = (ha + jf) * (hb + jf) / ((hc + jf) * (jf + 1.0)) * z;
        if ratio < 1.0 && u.abs() < 1e-17 * sum.abs() {
            return Some(j + 1);
        }
    }
    None
}

/// The engine's BG/NBD fit of the sheet's customers (the app's own fitter).
///
/// # Errors
/// Why the model could not be fitted, in words.
pub fn fit(customers: &[CustomerRecord]) -> Result<FittedModel, String> {
    BtydParams::new(ModelKind::BgNbd)
        .check()
        .and_then(|p| p.fit_records(customers, TimeUnit::Week, &mut |_| {}))
        .map_err(|e| e.to_string())
}

/// A simulated customer base (BG/NBD purchases at the CDNOW estimates, Gamma-Gamma spend,
/// 39 weeks) read through the app's own import path: the generated file and its summary in
/// weeks.
///
/// # Errors
/// A bad size or seed, or a generated file that cannot be read.
pub fn simulated(customers: u32, seed: u64) -> Result<(SimFile, CustomerSummary), String> {
    let req = SimRequest {
        customers,
        seed,
        ..Default::default()
    };
    let file = simulator::generate(&req, customers)?;
    let summary = simulator::read_log(&file)?;
    Ok((file, summary))
}

/// The lesson's customers: the first [`LESSON_CUSTOMERS`] of the seeded simulated base.
///
/// # Errors
/// As [`simulated`].
pub fn lesson_customers() -> Result<Vec<CustomerRecord>, String> {
    let (_, summary) = simulated(LESSON_CUSTOMERS, LESSON_SEED)?;
    Ok(summary.customers)
}
