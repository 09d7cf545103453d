//! Workbooks (.xlsx, .xls, .xlsb, .ods) from bytes through calamine: the sheet list, picking a
//! sheet, and turning cells into text the same detection reads. Date-formatted cells become
//! ISO dates (`2024-03-05`, or `2024-03-05 14:30:00` with a time); numbers print without a
//! spurious `.0`.

use super::dates::excel_serial_to_date;
use super::{ImportError, RawRows};
use calamine::{open_workbook_auto_from_rs, Data, Reader};
use std::io::Cursor;

/// One sheet read into rows.
pub(crate) struct Grid {
    pub(crate) rows: RawRows,
    pub(crate) name: String,
    pub(crate) sheets: Vec<String>,
    pub(crate) notes: Vec<String>,
}

/// The names of the sheets of a workbook, in order.
///
/// # Errors
/// [`ImportError::UnreadableSpreadsheet`] when the bytes are not a workbook calamine reads.
pub fn sheet_names(bytes: &[u8]) -> Result<Vec<String>, ImportError> {
    let wb = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        ImportError::UnreadableSpreadsheet {
            reason: e.to_string(),
        }
    })?;
    Ok(wb.sheet_names())
}

/// Text of one cell.
pub fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                format!("{f}")
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            let v = dt.as_f64();
            if dt.is_datetime() {
                match excel_serial_to_date(v) {
                    Some(date) => {
                        let secs = ((v - v.floor()) * 86_400.0).round() as u32;
                        if secs == 0 {
                            date.format("%Y-%m-%d").to_string()
                        } else {
                            format!(
                                "{} {:02}:{:02}:{:02}",
                                date.format("%Y-%m-%d"),
                                secs / 3600 % 24,
                                secs / 60 % 60,
                                secs % 60
                            )
                        }
                    }
                    None => format!("{v}"),
                }
            } else {
                format!("{v}")
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e}"),
    }
}

/// Reads one sheet (by name, case-insensitive; default the first non-empty sheet).
pub(crate) fn read_sheet(bytes: &[u8], wanted: Option<&str>) -> Result<Grid, ImportError> {
    let mut wb = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        ImportError::UnreadableSpreadsheet {
            reason: e.to_string(),
        }
    })?;
    let sheets = wb.sheet_names();
    let mut notes = Vec::new();
    let candidates: Vec<String> = match wanted {
        Some(w) => {
            let found = sheets
                .iter()
                .find(|s| s.as_str() == w)
                .or_else(|| sheets.iter().find(|s| s.eq_ignore_ascii_case(w)));
            match found {
                Some(s) => vec![s.clone()],
                None => {
                    return Err(ImportError::NoSuchSheet {
                        name: w.to_string(),
                        available: sheets,
                    })
                }
            }
        }
        None => sheets.clone(),
    };
    for name in &candidates {
        let range = wb
            .worksheet_range(name)
            .map_err(|e| ImportError::UnreadableSpreadsheet {
                reason: format!("sheet \"{name}\": {e}"),
            })?;
        let base = range.start().map_or(0, |(r, _)| u64::from(r));
        let mut rows = RawRows::new();
        let mut cells: Vec<String> = Vec::new();
        for (i, r) in range.rows().enumerate() {
            cells.clear();
            cells.extend(r.iter().map(cell_text));
            while cells.last().is_some_and(String::is_empty) {
                cells.pop();
            }
            if cells.is_empty() {
                continue;
            }
            if !rows.push(cells.iter().map(String::as_str), base + i as u64 + 1) {
                return Err(ImportError::TooLarge);
            }
        }
        if rows.len() > 0 || wanted.is_some() {
            if wanted.is_none() && sheets.len() > 1 {
                notes.push(format!(
                    "read sheet \"{name}\" of {}: {}",
                    sheets.len(),
                    sheets.join(", ")
                ));
            }
            return Ok(Grid {
                rows,
                name: name.clone(),
                sheets,
                notes,
            });
        }
    }
    Err(ImportError::EmptyFile)
}
