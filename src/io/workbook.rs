//! The BG/NBD step-by-step sheet ([`crate::analysis::bgnbd_sheet`]) as an XLSX workbook the
//! class can continue in a spreadsheet: every computed cell holds its live formula with the
//! value as its cached result, the parameters r, α, a, b and the horizon are named cells (change
//! them, or let Solver maximise the total log-likelihood), the ₂F₁ series terms sit on their own
//! sheet, and a notes sheet explains each column. The lesson page's download and
//! `crm lesson bgnbd` both write it here.

use crate::analysis::bgnbd_sheet::{Cell, Sheet, HEADER_ROW, LL_ROW, MAIN_SHEET, SERIES_SHEET};
use rust_xlsxwriter::{Format, Formula, Workbook, Worksheet, XlsxError};

/// The workbook's file name.
pub const FILE_NAME: &str = "bgnbd.xlsx";
/// The notes sheet's name.
pub const NOTES_SHEET: &str = "Notes";

/// The sheet as XLSX bytes.
///
/// # Errors
/// A sentence when the writer fails (it does not on valid sheets).
pub fn bgnbd_workbook(sheet: &Sheet) -> Result<Vec<u8>, String> {
    build(sheet).map_err(|e| format!("The BG/NBD workbook could not be written: {e}"))
}

fn formula(ws: &mut Worksheet, row: u32, col: u16, c: &Cell) -> Result<(), XlsxError> {
    let f = Formula::new(format!("={}", c.formula)).set_result(format!("{}", c.value));
    ws.write_formula(row, col, f)?;
    Ok(())
}

fn build(sheet: &Sheet) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let h = HEADER_ROW - 1; // 0-based header row
    {
        let ws = wb.add_worksheet();
        ws.set_name(MAIN_SHEET)?;
        for (i, p) in sheet.params.iter().enumerate() {
            ws.write_string_with_format(i as u32, 0, &p.label, &bold)?;
            ws.write_number(i as u32, 1, p.value)?;
            ws.write_string(i as u32, 2, format!("named cell \"{}\"", p.name))?;
        }
        ws.write_string_with_format(LL_ROW - 1, 0, "LL (total)", &bold)?;
        formula(ws, LL_ROW - 1, 1, &sheet.total_ll)?;
        ws.write_string(
            LL_ROW - 1,
            2,
            "the sum of the customers' LL: maximise it by changing B1:B4 (Solver)",
        )?;
        for (c, column) in sheet.columns.iter().enumerate() {
            ws.write_string_with_format(h, c as u16, &column.header, &bold)?;
        }
        for (i, row) in sheet.rows.iter().enumerate() {
            let n = HEADER_ROW + i as u32; // 0-based row of customer i
            ws.write_string(n, 0, &row.id)?;
            ws.write_number(n, 1, row.x)?;
            ws.write_number(n, 2, row.t_x)?;
            ws.write_number(n, 3, row.t)?;
            for (c, cell) in row.cells.iter().enumerate() {
                formula(ws, n, 4 + c as u16, cell)?;
            }
        }
        ws.set_column_width(0, 16)?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name(SERIES_SHEET)?;
        ws.write_string_with_format(0, 0, "Terms u_j of 2F1(r + x, b + x; a + b + x − 1; z) for each customer (row as on the BGNBD sheet): u_0 = 1, u_j = u_(j−1)·(a'+j−1)(b'+j−1)/((c'+j−1)·j)·z. Their sum is column O there.", &bold)?;
        ws.write_string_with_format(h, 0, "ID \\ j", &bold)?;
        for j in 0..sheet.terms {
            ws.write_number_with_format(h, 1 + j as u16, f64::from(j), &bold)?;
        }
        for (i, row) in sheet.rows.iter().enumerate() {
            let n = HEADER_ROW + i as u32;
            ws.write_string(n, 0, &row.id)?;
            for (j, cell) in row.terms.iter().enumerate() {
                if j == 0 {
                    ws.write_number(n, 1, cell.value)?;
                } else {
                    formula(ws, n, 1 + j as u16, cell)?;
                }
            }
        }
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name(NOTES_SHEET)?;
        ws.set_column_width(0, 10)?;
        ws.set_column_width(1, 14)?;
        ws.set_column_width(2, 100)?;
        let intro = [
            "BG/NBD step by step, after Fader & Hardie, \"Implementing the BG/NBD model in Excel\" and \"Computing conditional expectations in Excel\".",
            "B1:B4 hold the parameters r, α, a, b (named r_, alpha, a, b: Excel reserves the name r); B5 the horizon t in weeks (named horizon). Change them and every cell follows.",
            "To fit: Data → Solver, set objective B7 (total LL) to Max by changing B1:B4, with B1:B4 ≥ 0.0001. The values delivered are the app's own fit.",
            "If the last term on the Series sheet is not close to 0 after you change the parameters, copy the last term column further to the right.",
        ];
        for (i, t) in intro.iter().enumerate() {
            ws.write_string(i as u32, 0, *t)?;
        }
        let start = intro.len() as u32 + 1;
        ws.write_string_with_format(start, 0, "Column", &bold)?;
        ws.write_string_with_format(start, 1, "Header", &bold)?;
        ws.write_string_with_format(start, 2, "What it holds", &bold)?;
        for (i, c) in sheet.columns.iter().enumerate() {
            let r = start + 1 + i as u32;
            ws.write_string(r, 0, &c.letter)?;
            ws.write_string(r, 1, &c.header)?;
            ws.write_string(r, 2, &c.note)?;
        }
    }
    for p in &sheet.params {
        let row = p.cell.trim_start_matches('B');
        wb.define_name(&p.name, &format!("={MAIN_SHEET}!$B${row}"))?;
    }
    wb.save_to_buffer()
}
