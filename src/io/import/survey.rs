//! Wide survey responses: one row per response, one column per item. Finds the numeric item
//! columns, an id column (by name, else a text column) and a date column, and returns a plain
//! [`SurveyTable`] for the satisfaction pages.
//!
//! It also owns the one rule that recognises survey columns by their header ([`role_of`],
//! [`SurveyColumns::find`]): import detection, the satisfaction and segment pages and the
//! `crm` command all ask it, so "which column is the NPS" has one answer.

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

/// What a survey column measures, recognised from its header by [`role_of`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SurveyRole {
    /// Likelihood to recommend, 0–10 (Net Promoter Score).
    Nps,
    /// Customer satisfaction (CSAT).
    Csat,
    /// Customer effort (CES).
    Ces,
    /// An overall evaluation (for instance "overall satisfaction").
    Overall,
    /// Expectation of an attribute (the attribute's name, words joined by `_`).
    Expectation(String),
    /// Performance of an attribute.
    Performance(String),
    /// Importance of an attribute.
    Importance(String),
    /// Kano: the answer to the functional question about a feature.
    KanoFunctional(String),
    /// Kano: the answer to the dysfunctional question about a feature.
    KanoDysfunctional(String),
}

/// The words of a header: camelCase split ("npsScore" → "nps score"), then
/// [`super::mapping::normalise_header`] (lower case, accents folded, any run of other
/// characters one space).
fn header_words(header: &str) -> Vec<String> {
    let mut split = String::with_capacity(header.len() + 4);
    let mut prev_lower = false;
    for c in header.chars() {
        if c.is_uppercase() && prev_lower {
            split.push(' ');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        split.push(c);
    }
    super::mapping::normalise_header(&split)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The survey role of a column, from its header. The rule, on the header's words (camelCase
/// split, lower case, accents folded, punctuation and `_` as spaces), first match wins:
///
/// 1. An attribute prefix — the first word (after an optional `kano`) is `exp`/`expectation`,
///    `perf`/`performance`, `imp`/`importance`, `func`/`functional` or `dys`/`dysfunctional`,
///    followed by at least one word, which name the attribute or feature: `perf_price` is
///    [`SurveyRole::Performance`] of `price`, `kano_func_live_chat` is
///    [`SurveyRole::KanoFunctional`] of `live_chat`.
/// 2. [`SurveyRole::Nps`]: a word `nps`, or a word starting with `recommend`.
/// 3. [`SurveyRole::Ces`]: a word `ces`, or a word starting with `effort`.
/// 4. [`SurveyRole::Overall`]: a word `overall` ("overall satisfaction" is the overall
///    evaluation, not the CSAT question).
/// 5. [`SurveyRole::Csat`]: a word `csat`, or a word starting with `satisf`.
///
/// Short codes must be whole words, so "services", "prices" or "process" are not CES and
/// "expected delivery" is no expectation.
pub fn role_of(header: &str) -> Option<SurveyRole> {
    let words = header_words(header);
    let body = match words.split_first() {
        Some((first, rest)) if first == "kano" => rest,
        _ => &words[..],
    };
    if let Some((first, rest)) = body.split_first() {
        if !rest.is_empty() {
            let name = rest.join("_");
            let role = match first.as_str() {
                "exp" | "expectation" => Some(SurveyRole::Expectation(name)),
                "perf" | "performance" => Some(SurveyRole::Performance(name)),
                "imp" | "importance" => Some(SurveyRole::Importance(name)),
                "func" | "functional" => Some(SurveyRole::KanoFunctional(name)),
                "dys" | "dysfunctional" => Some(SurveyRole::KanoDysfunctional(name)),
                _ => None,
            };
            if role.is_some() {
                return role;
            }
        }
    }
    let any = |exact: &str, stem: &str| words.iter().any(|w| w == exact || w.starts_with(stem));
    if any("nps", "recommend") {
        Some(SurveyRole::Nps)
    } else if any("ces", "effort") {
        Some(SurveyRole::Ces)
    } else if words.iter().any(|w| w == "overall") {
        Some(SurveyRole::Overall)
    } else if any("csat", "satisf") {
        Some(SurveyRole::Csat)
    } else {
        None
    }
}

/// One attribute's columns for importance–performance analysis (by position in the headers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeColumns {
    /// The attribute's name (words joined by `_`).
    pub name: String,
    /// Its performance column.
    pub performance: usize,
    /// Its expectation column, when there is one.
    pub expectation: Option<usize>,
    /// Its importance column, when there is one.
    pub importance: Option<usize>,
}

/// One Kano feature's pair of columns (by position in the headers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KanoColumns {
    /// The feature's name (words joined by `_`).
    pub feature: String,
    /// The functional question's column.
    pub functional: usize,
    /// The dysfunctional question's column.
    pub dysfunctional: usize,
}

/// The survey columns found among some headers by [`role_of`], by position (0-based).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SurveyColumns {
    /// The first NPS column.
    pub nps: Option<usize>,
    /// The first CSAT column.
    pub csat: Option<usize>,
    /// The first CES column.
    pub ces: Option<usize>,
    /// The first overall-evaluation column.
    pub overall: Option<usize>,
    /// Attributes with a performance column, in the order of those columns.
    pub attributes: Vec<AttributeColumns>,
    /// Kano features with both questions, in the order of the functional columns.
    pub kano: Vec<KanoColumns>,
}

impl SurveyColumns {
    /// Finds the survey columns among `headers` (pass a survey's numeric items for the scores
    /// and attributes, its text items for Kano pairs, or every header).
    pub fn find<S: AsRef<str>>(headers: &[S]) -> Self {
        let roles: Vec<Option<SurveyRole>> = headers.iter().map(|h| role_of(h.as_ref())).collect();
        let first = |want: SurveyRole| roles.iter().position(|r| r.as_ref() == Some(&want));
        let position = |want: &dyn Fn(&SurveyRole) -> bool| {
            roles.iter().position(|r| r.as_ref().is_some_and(want))
        };
        let mut out = SurveyColumns {
            nps: first(SurveyRole::Nps),
            csat: first(SurveyRole::Csat),
            ces: first(SurveyRole::Ces),
            overall: first(SurveyRole::Overall),
            ..Default::default()
        };
        for (j, role) in roles.iter().enumerate() {
            match role {
                Some(SurveyRole::Performance(a)) => out.attributes.push(AttributeColumns {
                    name: a.clone(),
                    performance: j,
                    expectation: position(&|r| *r == SurveyRole::Expectation(a.clone())),
                    importance: position(&|r| *r == SurveyRole::Importance(a.clone())),
                }),
                Some(SurveyRole::KanoFunctional(f)) => {
                    if let Some(d) = position(&|r| *r == SurveyRole::KanoDysfunctional(f.clone())) {
                        out.kano.push(KanoColumns {
                            feature: f.clone(),
                            functional: j,
                            dysfunctional: d,
                        });
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Whether these columns make a survey: an NPS, CSAT or CES column, an attribute's
    /// performance column or a Kano pair (an overall, expectation or importance column alone
    /// does not: "expected total" or "overall amount" may head a column of purchases).
    pub fn is_survey(&self) -> bool {
        self.nps.is_some()
            || self.csat.is_some()
            || self.ces.is_some()
            || !self.attributes.is_empty()
            || !self.kano.is_empty()
    }
}

#[cfg(test)]
mod matcher_tests {
    use super::*;

    #[test]
    fn scores_are_recognised_by_whole_words_or_stems() {
        assert_eq!(role_of("NPS"), Some(SurveyRole::Nps));
        assert_eq!(role_of("npsScore"), Some(SurveyRole::Nps));
        assert_eq!(role_of("Likelihood to recommend"), Some(SurveyRole::Nps));
        assert_eq!(role_of("CSAT (1-5)"), Some(SurveyRole::Csat));
        assert_eq!(role_of("Satisfaction"), Some(SurveyRole::Csat));
        assert_eq!(role_of("ces_score"), Some(SurveyRole::Ces));
        assert_eq!(role_of("Customer effort"), Some(SurveyRole::Ces));
        assert_eq!(role_of("overall"), Some(SurveyRole::Overall));
        assert_eq!(role_of("Overall satisfaction"), Some(SurveyRole::Overall));
    }

    #[test]
    fn words_that_merely_contain_a_code_are_not_survey_columns() {
        for h in [
            "services",
            "prices",
            "process",
            "expected delivery",
            "performance",
            "importance",
            "customer",
            "amount",
            "invoices",
        ] {
            assert_eq!(role_of(h), None, "{h}");
        }
    }

    #[test]
    fn attribute_and_kano_prefixes_name_the_attribute() {
        assert_eq!(
            role_of("perf_price"),
            Some(SurveyRole::Performance("price".into()))
        );
        assert_eq!(
            role_of("Importance - Delivery speed"),
            Some(SurveyRole::Importance("delivery_speed".into()))
        );
        assert_eq!(
            role_of("exp_effort"),
            Some(SurveyRole::Expectation("effort".into()))
        );
        assert_eq!(
            role_of("kano_func_live_chat"),
            Some(SurveyRole::KanoFunctional("live_chat".into()))
        );
        assert_eq!(
            role_of("dysfunctional live chat"),
            Some(SurveyRole::KanoDysfunctional("live_chat".into()))
        );
    }

    #[test]
    fn columns_are_found_and_paired_by_attribute() {
        let headers = [
            "customer_id",
            "date",
            "nps",
            "csat",
            "ces",
            "overall",
            "exp_price",
            "perf_price",
            "imp_price",
            "perf_speed",
            "kano_func_live_chat",
            "kano_dys_live_chat",
            "kano_func_lonely",
        ];
        let c = SurveyColumns::find(&headers);
        assert_eq!(
            (c.nps, c.csat, c.ces, c.overall),
            (Some(2), Some(3), Some(4), Some(5))
        );
        assert_eq!(
            c.attributes,
            vec![
                AttributeColumns {
                    name: "price".into(),
                    performance: 7,
                    expectation: Some(6),
                    importance: Some(8)
                },
                AttributeColumns {
                    name: "speed".into(),
                    performance: 9,
                    expectation: None,
                    importance: None
                }
            ]
        );
        assert_eq!(
            c.kano,
            vec![KanoColumns {
                feature: "live_chat".into(),
                functional: 10,
                dysfunctional: 11
            }]
        );
        assert!(c.is_survey());
    }

    #[test]
    fn a_purchase_log_is_not_a_survey() {
        let c = SurveyColumns::find(&["customer", "date", "amount", "services", "overall total"]);
        assert_eq!(c.overall, Some(4));
        assert!(!c.is_survey());
    }
}
