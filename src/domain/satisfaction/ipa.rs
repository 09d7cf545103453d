//! Importance–performance analysis: mean performance per attribute against its importance
//! (stated, or derived from overall satisfaction by Pearson correlation or by standardized
//! regression coefficients solved from the normal equations), in four quadrants around the
//! means or a chosen crosshair.

use super::stats::{mean, pearson, sd, solve};
use super::{caution, SatisfactionError};
use serde::{Deserialize, Serialize};

/// How importance is obtained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ImportanceMethod {
    /// Stated importance per attribute (e.g. mean of importance questions), in attribute order.
    Stated(Vec<f64>),
    /// Pearson correlation of each attribute with overall satisfaction.
    Correlation,
    /// Standardized coefficients of the least-squares regression of overall satisfaction on all
    /// attributes.
    Regression,
}

/// Where the quadrant lines cross.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub enum Crosshair {
    /// At the mean importance and mean performance over the attributes.
    #[default]
    Means,
    /// At chosen values.
    Fixed {
        /// Importance line.
        importance: f64,
        /// Performance line.
        performance: f64,
    },
}

/// The four quadrants (importance at or above the line counts as high, likewise performance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Quadrant {
    /// High importance, low performance.
    ConcentrateHere,
    /// High importance, high performance.
    KeepUpTheGoodWork,
    /// Low importance, low performance.
    LowPriority,
    /// Low importance, high performance.
    PossibleOverkill,
}

impl Quadrant {
    /// Plain name.
    pub fn name(self) -> &'static str {
        match self {
            Quadrant::ConcentrateHere => "Concentrate here",
            Quadrant::KeepUpTheGoodWork => "Keep up the good work",
            Quadrant::LowPriority => "Low priority",
            Quadrant::PossibleOverkill => "Possible overkill",
        }
    }
}

/// One attribute of the analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpaPoint {
    /// Attribute name.
    pub attribute: String,
    /// Importance (stated, r or β).
    pub importance: f64,
    /// Mean performance.
    pub performance: f64,
    /// Quadrant.
    pub quadrant: Quadrant,
}

/// The analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpaResult {
    /// Respondents.
    pub n: u64,
    /// "stated", "correlation" or "regression".
    pub method: String,
    /// Importance line.
    pub crosshair_importance: f64,
    /// Performance line.
    pub crosshair_performance: f64,
    /// One per attribute.
    pub points: Vec<IpaPoint>,
    /// n < 30.
    pub too_few: bool,
    /// Plain caution when too few.
    pub caution: Option<String>,
}

/// Runs the analysis. `performance[i]` is respondent i's scores in attribute order; `overall`
/// (one per respondent) is needed for derived importance.
///
/// # Errors
/// [`SatisfactionError::Shape`] for rows of the wrong length, a missing or mismatched
/// `overall`, too few respondents or a singular regression;
/// [`SatisfactionError::Param`] for stated importance of the wrong length.
pub fn ipa(
    attributes: &[String],
    performance: &[Vec<f64>],
    overall: Option<&[f64]>,
    method: &ImportanceMethod,
    crosshair: Crosshair,
) -> Result<IpaResult, SatisfactionError> {
    let a = attributes.len();
    let n = performance.len();
    if a == 0 || n == 0 {
        return Err(SatisfactionError::Shape(
            "importance-performance: no attributes or no respondents".into(),
        ));
    }
    if let Some(i) = performance.iter().position(|r| r.len() != a) {
        return Err(SatisfactionError::Shape(format!(
            "importance-performance: respondent {i} has {} scores, expected {a}",
            performance.get(i).map_or(0, Vec::len)
        )));
    }
    let cols: Vec<Vec<f64>> = (0..a)
        .map(|j| {
            performance
                .iter()
                .filter_map(|r| r.get(j).copied())
                .collect()
        })
        .collect();
    let perf: Vec<f64> = cols.iter().map(|c| mean(c).unwrap_or_default()).collect();
    let need_overall = || -> Result<&[f64], SatisfactionError> {
        match overall {
            Some(o) if o.len() == n => Ok(o),
            Some(o) => Err(SatisfactionError::Shape(format!(
                "importance-performance: {} overall scores for {n} respondents",
                o.len()
            ))),
            None => Err(SatisfactionError::Shape(
                "importance-performance: derived importance needs overall satisfaction".into(),
            )),
        }
    };
    let (imp, name): (Vec<f64>, &str) = match method {
        ImportanceMethod::Stated(v) => {
            if v.len() != a {
                return Err(SatisfactionError::Param {
                    name: "stated importance",
                    message: format!("expected {a} values, found {}", v.len()),
                });
            }
            (v.clone(), "stated")
        }
        ImportanceMethod::Correlation => {
            let y = need_overall()?;
            (
                cols.iter().map(|c| pearson(c, y).unwrap_or(0.0)).collect(),
                "correlation",
            )
        }
        ImportanceMethod::Regression => {
            let y = need_overall()?;
            (standardized_coefficients(&cols, y)?, "regression")
        }
    };
    let (ci, cp) = match crosshair {
        Crosshair::Means => (
            mean(&imp).unwrap_or_default(),
            mean(&perf).unwrap_or_default(),
        ),
        Crosshair::Fixed {
            importance,
            performance,
        } => (importance, performance),
    };
    let points = attributes
        .iter()
        .zip(imp.iter().zip(&perf))
        .map(|(name, (&i, &p))| IpaPoint {
            attribute: name.clone(),
            importance: i,
            performance: p,
            quadrant: match (i >= ci, p >= cp) {
                (true, false) => Quadrant::ConcentrateHere,
                (true, true) => Quadrant::KeepUpTheGoodWork,
                (false, false) => Quadrant::LowPriority,
                (false, true) => Quadrant::PossibleOverkill,
            },
        })
        .collect();
    let (too_few, caution) = caution(n as u64);
    Ok(IpaResult {
        n: n as u64,
        method: name.into(),
        crosshair_importance: ci,
        crosshair_performance: cp,
        points,
        too_few,
        caution,
    })
}

/// Standardized regression coefficients of y on the columns: z-score every column and y, then
/// solve (ZᵀZ) β = Zᵀy.
///
/// # Errors
/// [`SatisfactionError::Shape`] with fewer respondents than attributes + 1, a constant column,
/// or collinear attributes.
pub fn standardized_coefficients(
    cols: &[Vec<f64>],
    y: &[f64],
) -> Result<Vec<f64>, SatisfactionError> {
    let n = y.len();
    let a = cols.len();
    if n < a + 2 {
        return Err(SatisfactionError::Shape(format!(
            "regression: {n} respondents are too few for {a} attributes (need at least {})",
            a + 2
        )));
    }
    let z = |v: &[f64]| -> Option<Vec<f64>> {
        let m = mean(v)?;
        let s = sd(v)?;
        (s > 0.0).then(|| v.iter().map(|x| (x - m) / s).collect())
    };
    let zy = z(y).ok_or_else(|| {
        SatisfactionError::Shape("regression: overall satisfaction is constant".into())
    })?;
    let zx: Vec<Vec<f64>> = cols
        .iter()
        .enumerate()
        .map(|(j, c)| {
            z(c).ok_or_else(|| {
                SatisfactionError::Shape(format!("regression: attribute {j} is constant"))
            })
        })
        .collect::<Result<_, _>>()?;
    let dot = |u: &[f64], v: &[f64]| u.iter().zip(v).map(|(x, y)| x * y).sum::<f64>();
    let xtx: Vec<Vec<f64>> = zx
        .iter()
        .map(|u| zx.iter().map(|v| dot(u, v)).collect())
        .collect();
    let xty: Vec<f64> = zx.iter().map(|u| dot(u, &zy)).collect();
    solve(xtx, xty).ok_or_else(|| {
        SatisfactionError::Shape("regression: attributes are collinear (singular system)".into())
    })
}
