//! Named segment maps as plain data: rules over the R, F, M scores (or R and (F+M)/2) that name
//! a segment. The user picks a preset or edits one; a customer lands in exactly one segment:
//! the first matching rule ([`Precedence::FirstMatch`]) or the last ([`Precedence::LastMatch`],
//! as the R `rfm` package does), and the map's `fallback` ("Other") where no rule matches.
//! [`SegmentMap::coverage`] lists the gaps and overlaps over every score combination.

use super::rfm::RfmScore;
use serde::{Deserialize, Serialize};

/// Which scores the rules of a map read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MapAxes {
    /// R score × F score.
    RxF,
    /// R score × (F + M) / 2.
    RvsFmAvg,
    /// R, F and M ranges separately.
    Rfm,
}

/// Which rule wins when several match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Precedence {
    /// The first rule in the list wins.
    #[default]
    FirstMatch,
    /// The last rule in the list wins (the R `rfm` package's behaviour).
    LastMatch,
}

/// An inclusive range of scores.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScoreRange {
    /// Lowest score included.
    pub min: f64,
    /// Highest score included.
    pub max: f64,
}

impl ScoreRange {
    /// The range `min..=max`.
    pub fn new(min: f64, max: f64) -> Self {
        ScoreRange { min, max }
    }

    /// Whether `v` lies in the range (inclusive).
    pub fn contains(&self, v: f64) -> bool {
        v >= self.min - 1e-9 && v <= self.max + 1e-9
    }
}

/// One rule: a segment name and the ranges a customer's scores must fall in. A `None` range
/// matches anything.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// Segment name.
    pub segment: String,
    /// Range of the R score.
    pub r: ScoreRange,
    /// Range of the F score.
    #[serde(default)]
    pub f: Option<ScoreRange>,
    /// Range of the M score.
    #[serde(default)]
    pub m: Option<ScoreRange>,
    /// Range of (F + M) / 2.
    #[serde(default)]
    pub fm: Option<ScoreRange>,
    /// What the segment means and what to do about it.
    #[serde(default)]
    pub description: String,
}

impl Rule {
    /// Whether scores (r, f, m) match this rule.
    pub fn matches(&self, r: u8, f: u8, m: u8) -> bool {
        let fm = (f64::from(f) + f64::from(m)) / 2.0;
        self.r.contains(f64::from(r))
            && self.f.is_none_or(|x| x.contains(f64::from(f)))
            && self.m.is_none_or(|x| x.contains(f64::from(m)))
            && self.fm.is_none_or(|x| x.contains(fm))
    }
}

/// A named segment map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentMap {
    /// Map name.
    pub name: String,
    /// Which scores the rules read.
    pub axes: MapAxes,
    /// The rules, in order.
    pub rules: Vec<Rule>,
    /// Which rule wins when several match.
    #[serde(default)]
    pub precedence: Precedence,
    /// Segment of customers no rule matches.
    pub fallback: String,
    /// Where the map comes from and how it reads.
    #[serde(default)]
    pub description: String,
}

/// A score combination of a coverage check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreCell {
    /// R score.
    pub r: u8,
    /// F score.
    pub f: u8,
    /// M score.
    pub m: u8,
}

/// A score combination that several rules match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overlap {
    /// The combination.
    pub cell: ScoreCell,
    /// Every matching segment, in rule order.
    pub segments: Vec<String>,
    /// The one that wins under the map's precedence.
    pub winner: String,
}

/// Gaps and overlaps of a map over all score combinations 1..=bins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// Combinations checked (bins³).
    pub combinations: u32,
    /// Combinations no rule matches (they go to the fallback segment).
    pub gaps: Vec<ScoreCell>,
    /// Combinations more than one rule matches.
    pub overlaps: Vec<Overlap>,
}

impl Coverage {
    /// True when every combination is matched by exactly one rule.
    pub fn is_partition(&self) -> bool {
        self.gaps.is_empty() && self.overlaps.is_empty()
    }
}

fn rule(segment: &str, r: (f64, f64), other: (f64, f64), axes: MapAxes, description: &str) -> Rule {
    let range = ScoreRange::new(other.0, other.1);
    Rule {
        segment: segment.to_string(),
        r: ScoreRange::new(r.0, r.1),
        f: (axes == MapAxes::RxF).then_some(range),
        m: None,
        fm: (axes == MapAxes::RvsFmAvg).then_some(range),
        description: description.to_string(),
    }
}

impl SegmentMap {
    /// The segment of scores (r, f, m): the winning rule's name, or the fallback.
    pub fn assign(&self, r: u8, f: u8, m: u8) -> &str {
        let hit = match self.precedence {
            Precedence::FirstMatch => self.rules.iter().find(|x| x.matches(r, f, m)),
            Precedence::LastMatch => self.rules.iter().rev().find(|x| x.matches(r, f, m)),
        };
        hit.map_or(self.fallback.as_str(), |x| x.segment.as_str())
    }

    /// The segment of one RFM score.
    pub fn assign_score(&self, s: &RfmScore) -> &str {
        self.assign(s.r, s.f, s.m)
    }

    /// The description of a segment (empty when unknown).
    pub fn describe(&self, segment: &str) -> &str {
        self.rules
            .iter()
            .find(|r| r.segment == segment && !r.description.is_empty())
            .map_or("", |r| r.description.as_str())
    }

    /// Segment names in rule order, without repeats, then the fallback.
    pub fn segments(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in &self.rules {
            if !out.contains(&r.segment) {
                out.push(r.segment.clone());
            }
        }
        if !out.contains(&self.fallback) {
            out.push(self.fallback.clone());
        }
        out
    }

    /// Lists gaps and overlaps over all (r, f, m) in 1..=bins.
    pub fn coverage(&self, bins: u8) -> Coverage {
        let mut gaps = Vec::new();
        let mut overlaps = Vec::new();
        for r in 1..=bins {
            for f in 1..=bins {
                for m in 1..=bins {
                    let hits: Vec<String> = self
                        .rules
                        .iter()
                        .filter(|x| x.matches(r, f, m))
                        .map(|x| x.segment.clone())
                        .collect();
                    let cell = ScoreCell { r, f, m };
                    if hits.is_empty() {
                        gaps.push(cell);
                    } else if hits.len() > 1 {
                        overlaps.push(Overlap {
                            cell,
                            winner: self.assign(r, f, m).to_string(),
                            segments: hits,
                        });
                    }
                }
            }
        }
        Coverage {
            combinations: u32::from(bins).pow(3),
            gaps,
            overlaps,
        }
    }

    /// Every preset, default first.
    pub fn presets() -> Vec<SegmentMap> {
        vec![Self::rxf(), Self::r_vs_fm(), Self::rfm_package()]
    }

    /// A preset by name (case-insensitive; "rxf", "fm" / "r-vs-fm", "rfm" also accepted).
    pub fn preset(name: &str) -> Option<SegmentMap> {
        let key = name.trim().to_ascii_lowercase();
        let alias = match key.as_str() {
            "rxf" | "rf" | "default" | "common" => Some(Self::rxf()),
            "fm" | "r-vs-fm" | "rvsfm" | "11" | "eleven" => Some(Self::r_vs_fm()),
            "rfm" | "rfm-package" | "r-rfm" => Some(Self::rfm_package()),
            _ => None,
        };
        alias.or_else(|| {
            Self::presets()
                .into_iter()
                .find(|m| m.name.to_ascii_lowercase() == key)
        })
    }

    /// The common R × F map (5 × 5 scores), the default.
    pub fn rxf() -> SegmentMap {
        let a = MapAxes::RxF;
        SegmentMap {
            name: "R x F (common)".into(),
            axes: a,
            precedence: Precedence::FirstMatch,
            fallback: "Other".into(),
            description: "The most common map: R score by F score on 1-5 scores.".into(),
            rules: vec![
                rule(
                    "Champions",
                    (5., 5.),
                    (4., 5.),
                    a,
                    "Bought recently, buy often: reward them, ask for reviews and referrals.",
                ),
                rule(
                    "Loyal Customers",
                    (3., 4.),
                    (4., 5.),
                    a,
                    "Buy often and fairly recently: upsell, loyalty programme.",
                ),
                rule(
                    "Potential Loyalists",
                    (4., 5.),
                    (2., 3.),
                    a,
                    "Recent, a few purchases: offer membership, recommend more.",
                ),
                rule(
                    "New Customers",
                    (5., 5.),
                    (1., 1.),
                    a,
                    "Bought once, very recently: onboard them well.",
                ),
                rule(
                    "Promising",
                    (4., 4.),
                    (1., 1.),
                    a,
                    "Recent first-time buyers: build awareness, free trials.",
                ),
                rule(
                    "Need Attention",
                    (3., 3.),
                    (3., 3.),
                    a,
                    "Average recency and frequency: limited-time offers.",
                ),
                rule(
                    "About to Sleep",
                    (3., 3.),
                    (1., 2.),
                    a,
                    "Slipping away with few purchases: reconnect with relevant offers.",
                ),
                rule(
                    "At Risk",
                    (1., 2.),
                    (3., 4.),
                    a,
                    "Bought often, but long ago: personal win-back messages.",
                ),
                rule(
                    "Can't Lose Them",
                    (1., 2.),
                    (5., 5.),
                    a,
                    "Used to buy most often, not lately: win them back, talk to them.",
                ),
                rule(
                    "Hibernating",
                    (1., 2.),
                    (1., 2.),
                    a,
                    "Few purchases long ago: low-cost reactivation or let go.",
                ),
            ],
        }
    }

    /// The 11-segment map of R against (F + M) / 2 (half-step scores), including "Lost".
    pub fn r_vs_fm() -> SegmentMap {
        let a = MapAxes::RvsFmAvg;
        SegmentMap {
            name: "R vs (F+M)/2 (11 segments)".into(),
            axes: a,
            precedence: Precedence::FirstMatch,
            fallback: "Other".into(),
            description: "R score against the mean of the F and M scores; 11 segments.".into(),
            rules: vec![
                rule(
                    "Champions",
                    (5., 5.),
                    (4., 5.),
                    a,
                    "Recent, frequent, high spend.",
                ),
                rule(
                    "Loyal Customers",
                    (3., 4.),
                    (4., 5.),
                    a,
                    "Frequent, high spend, fairly recent.",
                ),
                rule(
                    "Potential Loyalists",
                    (4., 5.),
                    (2.5, 3.5),
                    a,
                    "Recent with average frequency and spend.",
                ),
                rule(
                    "Recent Customers",
                    (5., 5.),
                    (1., 2.),
                    a,
                    "Just bought, little so far.",
                ),
                rule(
                    "Promising",
                    (4., 4.),
                    (1., 2.),
                    a,
                    "Recent shoppers who have not spent much.",
                ),
                rule(
                    "Need Attention",
                    (3., 3.),
                    (2.5, 3.5),
                    a,
                    "Average on every score.",
                ),
                rule(
                    "About to Sleep",
                    (3., 3.),
                    (1., 2.),
                    a,
                    "Below average and fading.",
                ),
                rule(
                    "At Risk",
                    (2., 2.),
                    (2.5, 5.),
                    a,
                    "Spent well, but a while ago.",
                ),
                rule("Hibernating", (2., 2.), (1., 2.), a, "Low spend, long ago."),
                rule(
                    "Can't Lose Them",
                    (1., 1.),
                    (4., 5.),
                    a,
                    "Best customers once, gone for long.",
                ),
                rule(
                    "Lost",
                    (1., 1.),
                    (1., 3.5),
                    a,
                    "Lowest recency, low to average value.",
                ),
            ],
        }
    }

    /// The R `rfm` package's default ranges (`rfm_segment`): R, F and M ranges per segment;
    /// later rules overwrite earlier ones (last match wins) and unmatched customers are
    /// "Others", as in the package.
    pub fn rfm_package() -> SegmentMap {
        let names = [
            "Champions",
            "Loyal Customers",
            "Potential Loyalist",
            "New Customers",
            "Promising",
            "Need Attention",
            "About To Sleep",
            "At Risk",
            "Can't Lose Them",
            "Lost",
        ];
        let r_lo = [4., 2., 3., 4., 3., 2., 2., 1., 1., 1.];
        let r_hi = [5., 5., 5., 5., 4., 3., 3., 2., 1., 2.];
        let f_lo = [4., 3., 1., 1., 1., 2., 1., 2., 4., 1.];
        let f_hi = [5., 5., 3., 1., 1., 3., 2., 5., 5., 2.];
        let rules = names
            .iter()
            .zip(r_lo.iter().zip(r_hi))
            .zip(f_lo.iter().zip(f_hi))
            .map(|((name, (rl, rh)), (fl, fh))| Rule {
                segment: (*name).to_string(),
                r: ScoreRange::new(*rl, rh),
                f: Some(ScoreRange::new(*fl, fh)),
                m: Some(ScoreRange::new(*fl, fh)),
                fm: None,
                description: String::new(),
            })
            .collect();
        SegmentMap {
            name: "rfm package ranges".into(),
            axes: MapAxes::Rfm,
            precedence: Precedence::LastMatch,
            fallback: "Others".into(),
            description: "The default segment ranges of the R package rfm (rfm_segment): \
                          later segments overwrite earlier ones; the rest are Others."
                .into(),
            rules,
        }
    }
}
