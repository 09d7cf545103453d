//! Wide survey responses: one row per response, one column per item. Finds the numeric item
//! columns, an id column (by name, else a text column) and a date column, and returns a plain
//! [`SurveyTable`] for the satisfaction pages.

use super::dates::parse_date;
use super::mapping::{role_of_header, Role};
use super::numbers::parse_number;
use super::{ColumnType, ImportError, ParsedTable};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One survey item (question) and its answers, `None` where blank or unreadable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyItem {
    /// Column name.
    pub name: String,
    /// One value per response.
    pub values: Vec<Option<f64>>,
}

/// One survey item answered in words (for instance a Kano answer: "like", "expect", ...),
/// `None` where blank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyTextItem {
    /// Column name.
    pub name: String,
    /// One answer per response, trimmed.
    pub values: Vec<Option<String>>,
}

/// Survey responses in columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyTable {
    /// Respondent or customer id per response, when the file has an id column.
    pub ids: Option<Vec<String>>,
    /// Response date per response, when the file has a date column.
    pub dates: Option<Vec<Option<NaiveDate>>>,
    /// The numeric items.
    pub items: Vec<SurveyItem>,
    /// Name of the id column, when found.
    pub id_column: Option<String>,
    /// Name of the date column, when found.
    pub date_column: Option<String>,
    /// The items answered in words (every other text column but the id and the date).
    #[serde(default)]
    pub text_items: Vec<SurveyTextItem>,
}

/// Reads survey responses from a table.
///
/// # Errors
/// [`ImportError::WrongShape`] when no column holds numbers.
pub fn read_survey(table: &ParsedTable) -> Result<SurveyTable, ImportError> {
    let cols = &table.detection.columns;
    let n = table.row_count() as usize;
    let named_id = cols.iter().position(|c| {
        let norm = super::mapping::normalise_header(&c.name);
        role_of_header(&c.name) == Some(Role::Customer)
            || [
                "id",
                "respondent",
                "respondent id",
                "response id",
                "customer",
            ]
            .contains(&norm.as_str())
    });
    let id_col = named_id.or_else(|| cols.iter().position(|c| c.kind == ColumnType::Text));
    let date_col = cols.iter().position(|c| c.kind.is_date());
    let decimal = table.detection.decimal;
    let items: Vec<SurveyItem> = cols
        .iter()
        .enumerate()
        .filter(|(j, c)| Some(*j) != id_col && c.kind.is_numeric())
        .map(|(j, c)| SurveyItem {
            name: c.name.clone(),
            values: (0..n)
                .map(|i| table.cell(i, j).and_then(|t| parse_number(t, decimal)))
                .collect(),
        })
        .collect();
    if items.is_empty() {
        return Err(ImportError::WrongShape {
            reason: format!(
                "no column of numeric answers among {}",
                table.headers.join(", ")
            ),
        });
    }
    let ids = id_col.map(|j| {
        (0..n)
            .map(|i| table.cell(i, j).unwrap_or("").to_string())
            .collect()
    });
    let dates = date_col.map(|j| {
        let f = cols
            .get(j)
            .and_then(|c| c.date_format.clone())
            .unwrap_or(super::DateFormat::Ymd);
        (0..n)
            .map(|i| table.cell(i, j).and_then(|t| parse_date(t, &f)))
            .collect()
    });
    let text_items: Vec<SurveyTextItem> = cols
        .iter()
        .enumerate()
        .filter(|(j, c)| {
            Some(*j) != id_col && Some(*j) != date_col && !c.kind.is_numeric() && !c.kind.is_date()
        })
        .map(|(j, c)| SurveyTextItem {
            name: c.name.clone(),
            values: (0..n)
                .map(|i| {
                    table
                        .cell(i, j)
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_string)
                })
                .collect(),
        })
        .collect();
    let name = |j: Option<usize>| j.and_then(|j| table.headers.get(j).cloned());
    Ok(SurveyTable {
        ids,
        dates,
        items,
        id_column: name(id_col),
        date_column: name(date_col),
        text_items,
    })
}
