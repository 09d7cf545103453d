//! Kano classification of features from functional × dysfunctional answer pairs.
//!
//! | Functional \ Dysfunctional | Like | Expect | Neutral | Live with | Dislike |
//! |---|---|---|---|---|---|
//! | Like | Q | A | A | A | O |
//! | Expect | R | I | I | I | M |
//! | Neutral | R | I | I | I | M |
//! | Live with | R | I | I | I | M |
//! | Dislike | R | R | R | R | Q |
//!
//! Better = (A + O) / (A + O + M + I), Worse = −(O + M) / (A + O + M + I).

use super::caution;
use serde::{Deserialize, Serialize};

/// One Kano answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KanoAnswer {
    /// I like it (code 1).
    Like,
    /// I expect it / it must be that way (code 2).
    Expect,
    /// I am neutral (code 3).
    Neutral,
    /// I can live with it (code 4).
    LiveWith,
    /// I dislike it (code 5).
    Dislike,
}

impl KanoAnswer {
    /// Parses codes 1–5 and common wordings ("I like it", "must be", "indifferent",
    /// "can tolerate", "dislike"...).
    pub fn parse(s: &str) -> Option<KanoAnswer> {
        let t = s.trim().to_ascii_lowercase();
        let t = t.trim_end_matches(['.', '!']);
        match t {
            "1" | "1.0" => return Some(KanoAnswer::Like),
            "2" | "2.0" => return Some(KanoAnswer::Expect),
            "3" | "3.0" => return Some(KanoAnswer::Neutral),
            "4" | "4.0" => return Some(KanoAnswer::LiveWith),
            "5" | "5.0" => return Some(KanoAnswer::Dislike),
            _ => {}
        }
        if t.contains("dislike") || t.contains("don't like") || t.contains("do not like") {
            Some(KanoAnswer::Dislike)
        } else if t.contains("live with") || t.contains("tolerate") {
            Some(KanoAnswer::LiveWith)
        } else if t.contains("like") || t.contains("delight") || t.contains("enjoy") {
            Some(KanoAnswer::Like)
        } else if t.contains("expect") || t.contains("must") || t.contains("basic") {
            Some(KanoAnswer::Expect)
        } else if t.contains("neutral") || t.contains("indifferent") || t.contains("don't care") {
            Some(KanoAnswer::Neutral)
        } else {
            None
        }
    }

    fn index(self) -> usize {
        match self {
            KanoAnswer::Like => 0,
            KanoAnswer::Expect => 1,
            KanoAnswer::Neutral => 2,
            KanoAnswer::LiveWith => 3,
            KanoAnswer::Dislike => 4,
        }
    }
}

/// Kano categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KanoCategory {
    /// Attractive.
    A,
    /// One-dimensional.
    O,
    /// Must-be.
    M,
    /// Indifferent.
    I,
    /// Reverse.
    R,
    /// Questionable.
    Q,
}

impl KanoCategory {
    /// Plain name.
    pub fn name(self) -> &'static str {
        match self {
            KanoCategory::A => "Attractive",
            KanoCategory::O => "One-dimensional",
            KanoCategory::M => "Must-be",
            KanoCategory::I => "Indifferent",
            KanoCategory::R => "Reverse",
            KanoCategory::Q => "Questionable",
        }
    }
}

use KanoCategory::{A, I, M, O, Q, R};

/// The evaluation table, functional row × dysfunctional column.
pub const TABLE: [[KanoCategory; 5]; 5] = [
    [Q, A, A, A, O],
    [R, I, I, I, M],
    [R, I, I, I, M],
    [R, I, I, I, M],
    [R, R, R, R, Q],
];

/// Category of one answer pair.
pub fn classify(functional: KanoAnswer, dysfunctional: KanoAnswer) -> KanoCategory {
    TABLE[functional.index()][dysfunctional.index()]
}

/// Counts per category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct KanoCounts {
    /// Attractive.
    pub a: u64,
    /// One-dimensional.
    pub o: u64,
    /// Must-be.
    pub m: u64,
    /// Indifferent.
    pub i: u64,
    /// Reverse.
    pub r: u64,
    /// Questionable.
    pub q: u64,
}

impl KanoCounts {
    fn add(&mut self, c: KanoCategory) {
        match c {
            A => self.a += 1,
            O => self.o += 1,
            M => self.m += 1,
            I => self.i += 1,
            R => self.r += 1,
            Q => self.q += 1,
        }
    }

    fn get(&self, c: KanoCategory) -> u64 {
        match c {
            A => self.a,
            O => self.o,
            M => self.m,
            I => self.i,
            R => self.r,
            Q => self.q,
        }
    }
}

/// The result for one feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KanoFeature {
    /// Feature name.
    pub feature: String,
    /// Classified pairs.
    pub n: u64,
    /// Counts per category.
    pub counts: KanoCounts,
    /// Most frequent category (the first in A, O, M, I, R, Q order on ties); None when n = 0.
    pub category: Option<KanoCategory>,
    /// Every category sharing the top count when more than one does.
    pub tied: Vec<KanoCategory>,
    /// (A + O) / (A + O + M + I); None when the denominator is 0.
    pub better: Option<f64>,
    /// −(O + M) / (A + O + M + I); None when the denominator is 0.
    pub worse: Option<f64>,
    /// Q / n.
    pub questionable_rate: f64,
    /// Pairs with an answer that could not be read.
    pub invalid: u64,
    /// n < 30.
    pub too_few: bool,
    /// Plain caution when too few.
    pub caution: Option<String>,
}

/// Classifies parsed pairs of one feature.
pub fn kano_feature(
    feature: &str,
    pairs: &[(KanoAnswer, KanoAnswer)],
    invalid: u64,
) -> KanoFeature {
    let mut counts = KanoCounts::default();
    for &(f, d) in pairs {
        counts.add(classify(f, d));
    }
    let n = pairs.len() as u64;
    let order = [A, O, M, I, R, Q];
    let top = order.iter().map(|&c| counts.get(c)).max().unwrap_or(0);
    let leaders: Vec<KanoCategory> = order
        .iter()
        .copied()
        .filter(|&c| counts.get(c) == top)
        .collect();
    let denom = counts.a + counts.o + counts.m + counts.i;
    let (too_few, caution) = caution(n);
    KanoFeature {
        feature: feature.to_string(),
        n,
        counts,
        category: if n > 0 {
            leaders.first().copied()
        } else {
            None
        },
        tied: if n > 0 && leaders.len() > 1 {
            leaders
        } else {
            Vec::new()
        },
        better: (denom > 0).then(|| (counts.a + counts.o) as f64 / denom as f64),
        worse: (denom > 0).then(|| -((counts.o + counts.m) as f64) / denom as f64),
        questionable_rate: if n > 0 {
            counts.q as f64 / n as f64
        } else {
            0.0
        },
        invalid,
        too_few,
        caution,
    }
}

/// Parses text pairs and classifies them; unreadable pairs are counted as invalid.
pub fn kano_feature_text<S: AsRef<str>>(feature: &str, pairs: &[(S, S)]) -> KanoFeature {
    let mut ok = Vec::with_capacity(pairs.len());
    let mut invalid = 0;
    for (f, d) in pairs {
        match (KanoAnswer::parse(f.as_ref()), KanoAnswer::parse(d.as_ref())) {
            (Some(f), Some(d)) => ok.push((f, d)),
            _ => invalid += 1,
        }
    }
    kano_feature(feature, &ok, invalid)
}
