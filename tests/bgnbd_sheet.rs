//! The BG/NBD step-by-step sheet against the engine: its log-likelihood at the engine's fitted
//! parameters, each ln A term against a hand-computed case, P(alive) and the expected purchases
//! (₂F₁ as a truncated series) against the engine's own predictions, and the XLSX workbook read
//! back with calamine (formulas in the cells, cached values equal to the engine's).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use calamine::{Data, Reader, Xlsx};
use crm::analysis::bgnbd_sheet::{self, col, Sheet, LESSON_HORIZON, MAIN_SHEET, SERIES_SHEET};
use crm::domain::clv::{BgNbd, BtydModel};
use crm::domain::customers::CustomerRecord;
use crm::io::workbook::bgnbd_workbook;
use std::io::Cursor;

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!(
        rel(a, b) <= tol || (a - b).abs() <= 1e-15,
        "{what}: sheet {a} vs engine {b}"
    );
}

fn fitted() -> (Vec<CustomerRecord>, crm::domain::clv::FittedModel, BgNbd) {
    let customers = bgnbd_sheet::lesson_customers().expect("lesson data");
    let fit = bgnbd_sheet::fit(&customers).expect("engine fit");
    let BtydModel::BgNbd(p) = fit.model else {
        panic!("not a BG/NBD fit");
    };
    (customers, fit, p)
}

#[test]
fn lesson_fit_converges_on_twenty_customers() {
    let (customers, fit, _) = fitted();
    assert_eq!(customers.len(), 20);
    assert!(fit.convergence.converged, "{:?}", fit.convergence);
    assert!(customers.iter().any(|c| c.x == 0.0) && customers.iter().any(|c| c.x > 1.0));
}

#[test]
fn sheet_log_likelihood_at_the_engine_fit_is_the_engine_log_likelihood() {
    let (customers, fit, p) = fitted();
    let sheet = Sheet::new(&customers, p, LESSON_HORIZON);
    close(sheet.total_ll.value, fit.log_likelihood, 1e-9, "total LL");
    for (row, c) in sheet.rows.iter().zip(&customers) {
        close(
            row.cells[col::LL].value,
            p.log_likelihood(c.x, c.t_x, c.t),
            1e-9,
            &format!("LL of {}", c.id),
        );
    }
    assert_eq!(sheet.total_ll.formula, "SUM(I10:I29)");
}

#[test]
fn sheet_p_alive_and_expected_purchases_are_the_engines() {
    let (customers, _, p) = fitted();
    let sheet = Sheet::new(&customers, p, LESSON_HORIZON);
    assert!(sheet.unconverged.is_empty());
    for (row, c) in sheet.rows.iter().zip(&customers) {
        close(
            row.cells[col::P_ALIVE].value,
            p.p_alive(c.x, c.t_x, c.t),
            1e-12,
            &format!("P(alive) of {}", c.id),
        );
        close(
            row.cells[col::F21].value,
            crm::domain::clv::special::hyp2f1(
                p.r + c.x,
                p.b + c.x,
                p.a + p.b + c.x - 1.0,
                LESSON_HORIZON / (p.alpha + c.t + LESSON_HORIZON),
            ),
            1e-10,
            &format!("2F1 of {}", c.id),
        );
        close(
            row.cells[col::EXPECTED].value,
            p.conditional_expected_purchases(LESSON_HORIZON, c.x, c.t_x, c.t),
            1e-9,
            &format!("E[X(t)] of {}", c.id),
        );
    }
}

fn record(x: f64, t_x: f64, t: f64) -> CustomerRecord {
    CustomerRecord {
        id: "C1".into(),
        x,
        t_x,
        t,
        monetary: 0.0,
        weight: 1.0,
        first: None,
        last: None,
        occasions: 0,
        total_spend: 0.0,
        ..bgnbd_sheet::lesson_customers().expect("data")[0].clone()
    }
}

#[test]
fn each_term_matches_a_hand_computed_case() {
    // CDNOW estimates; x = 2, so Γ(r + 2)/Γ(r) = r(r + 1) and
    // Γ(a + b)Γ(b + 2)/(Γ(b)Γ(a + b + 2)) = b(b + 1)/((a + b)(a + b + 1)).
    let (r, alpha, a, b) = (0.243, 4.414, 0.793, 2.426);
    let (x, tx, t) = (2.0, 30.43, 38.86);
    let sheet = Sheet::new(&[record(x, tx, t)], BgNbd { r, alpha, a, b }, 52.0);
    let c = &sheet.rows[0].cells;
    let la1 = (r * (r + 1.0)).ln() + r * alpha.ln();
    let la2 = (b * (b + 1.0) / ((a + b) * (a + b + 1.0))).ln();
    let la3 = -(r + x) * (alpha + t).ln();
    let la4 = a.ln() - (b + x - 1.0).ln() - (r + x) * (alpha + tx).ln();
    close(c[col::LN_A1].value, la1, 1e-12, "ln A1");
    close(c[col::LN_A2].value, la2, 1e-12, "ln A2");
    close(c[col::LN_A3].value, la3, 1e-14, "ln A3");
    close(c[col::LN_A4].value, la4, 1e-14, "ln A4");
    let ll = la1 + la2 + (la3.exp() + la4.exp()).ln();
    close(c[col::LL].value, ll, 1e-12, "LL");
    close(
        c[col::P_ALIVE].value,
        1.0 / (1.0 + (la4 - la3).exp()),
        1e-14,
        "P(alive)",
    );
    assert_eq!(
        c[col::LN_A1].formula,
        "GAMMALN(r_+B10)-GAMMALN(r_)+r_*LN(alpha)"
    );
    assert_eq!(
        c[col::LL].formula,
        "E10+F10+LN(EXP(G10)+IF(B10>0,1,0)*EXP(H10))"
    );
    // x = 0: ln A4 is 0 and drops out of the likelihood; P(alive) is 1.
    let zero = Sheet::new(&[record(0.0, 0.0, 20.0)], BgNbd { r, alpha, a, b }, 52.0);
    let z = &zero.rows[0].cells;
    assert_eq!(z[col::LN_A4].value, 0.0);
    close(
        z[col::LL].value,
        z[col::LN_A1].value + z[col::LN_A2].value + z[col::LN_A3].value,
        1e-14,
        "LL x=0",
    );
    assert_eq!(z[col::P_ALIVE].value, 1.0);
}

#[test]
fn workbook_holds_live_formulas_with_the_engines_values() {
    let (customers, fit, p) = fitted();
    let sheet = Sheet::new(&customers, p, LESSON_HORIZON);
    let bytes = bgnbd_workbook(&sheet).expect("workbook");
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("readable xlsx");
    let formulas = wb.worksheet_formula(MAIN_SHEET).expect("formulas");
    let values = wb.worksheet_range(MAIN_SHEET).expect("values");
    let f_at = |r: u32, c: u32| -> String {
        formulas
            .get_value((r, c))
            .cloned()
            .unwrap_or_default()
            .trim_start_matches('=')
            .to_string()
    };
    let v_at = |r: u32, c: u32| -> f64 {
        match values.get_value((r, c)) {
            Some(Data::Float(f)) => *f,
            Some(Data::Int(i)) => *i as f64,
            other => panic!("no number at ({r}, {c}): {other:?}"),
        }
    };
    // Parameters are plain numbers (named cells), the total LL a formula.
    for (i, v) in p.to_array().iter().enumerate() {
        assert_eq!(v_at(i as u32, 1), *v);
    }
    assert_eq!(f_at(6, 1), "SUM(I10:I29)");
    close(v_at(6, 1), fit.log_likelihood, 1e-9, "cached total LL");
    for (i, c) in customers.iter().enumerate() {
        let r = 9 + i as u32;
        let n = r + 1;
        assert_eq!(
            f_at(r, 4),
            format!("GAMMALN(r_+B{n})-GAMMALN(r_)+r_*LN(alpha)")
        );
        assert_eq!(f_at(r, 9), format!("1/(1+IF(B{n}>0,EXP(H{n}-G{n}),0))"));
        assert!(f_at(r, 14).starts_with(&format!("SUM({SERIES_SHEET}!B{n}:")));
        close(
            v_at(r, 8),
            p.log_likelihood(c.x, c.t_x, c.t),
            1e-9,
            "cached LL",
        );
        close(
            v_at(r, 9),
            p.p_alive(c.x, c.t_x, c.t),
            1e-12,
            "cached P(alive)",
        );
        close(
            v_at(r, 15),
            p.conditional_expected_purchases(LESSON_HORIZON, c.x, c.t_x, c.t),
            1e-9,
            "cached E[X(t)]",
        );
    }
    let series = wb.worksheet_formula(SERIES_SHEET).expect("series formulas");
    let second = series.get_value((9, 2)).cloned().unwrap_or_default();
    assert!(second.contains("BGNBD!$N10"), "{second}");
    let names: Vec<String> = wb.defined_names().iter().map(|(n, _)| n.clone()).collect();
    for n in ["r_", "alpha", "a", "b", "horizon"] {
        assert!(names.iter().any(|m| m == n), "{n} missing from {names:?}");
    }
}
