//! Exercises that check themselves: questions per lesson on a seeded exercise set, each with
//! the answer computed by the engine (the teaching CLV formula, the RFM segmentation, the BG/NBD
//! fit on a simulated base), a stated tolerance and a worked solution (the formula filled in
//! with the numbers of that customer or segment). The same seed gives the same questions.
//!
//! Lesson keys: "clv", "retention", "satisfaction", "perceived-value", "share-of-wallet",
//! "rfm", "relationships", "bgnbd". The data questions (rfm, bgnbd) use a simulated base of
//! [`EXERCISE_CUSTOMERS`] customers ([`crate::analysis::bgnbd_sheet::simulated`]), the same
//! file an instructor hands out with the set.

use crate::analysis::bgnbd_sheet;
use crate::analysis::lessons;
use crate::analysis::segment;
use crate::domain::clv::BtydModel;
use crate::domain::value::simple_clv;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Customers in an exercise set's simulated base.
pub const EXERCISE_CUSTOMERS: u32 = 500;
/// The seed of the exercise set the app starts with.
pub const DEFAULT_SEED: u64 = 2026;
/// The setting key an exercise set is stored under (it travels in the project file).
pub const SETTING_KEY: &str = "exercise-set";
/// The lesson keys.
pub const LESSONS: [&str; 8] = [
    "clv",
    "retention",
    "satisfaction",
    "perceived-value",
    "share-of-wallet",
    "rfm",
    "relationships",
    "bgnbd",
];

/// An exercise set: its seed, whether students may open the worked solutions, and whether
/// this copy is the instructor's own.
///
/// The instructor's copy ([`ExerciseSet::teacher_copy`]) stays in their browser (and in a
/// project file they save for themselves) and always shows the worked solutions. "Save for
/// students" writes [`ExerciseSet::student_file`] into the file instead: the seed and the
/// students' choice only. No copy holds an answer or a worked solution: both are computed from
/// the seed by [`questions`], which is also how a student's answer is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExerciseSet {
    /// Seed of the questions and of the simulated base.
    pub seed: u64,
    /// Whether students may open the worked solutions (answers are checked either way).
    #[serde(default = "yes")]
    pub include_solutions: bool,
    /// The instructor's own copy: worked solutions shown to them whatever the student file
    /// says. Never written into a student file (absent means false).
    #[serde(default, skip_serializing_if = "is_false")]
    pub teacher: bool,
}

fn yes() -> bool {
    true
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Default for ExerciseSet {
    fn default() -> Self {
        ExerciseSet {
            seed: DEFAULT_SEED,
            include_solutions: true,
            teacher: false,
        }
    }
}

impl ExerciseSet {
    /// The instructor's copy of the set of `seed`: worked solutions visible to them.
    pub fn teacher_copy(seed: u64) -> Self {
        ExerciseSet {
            seed,
            include_solutions: true,
            teacher: true,
        }
    }

    /// The copy written into the students' file: the seed and whether worked solutions may be
    /// opened, nothing else (no teacher mark, no answers).
    pub fn student_file(self, include_solutions: bool) -> Self {
        ExerciseSet {
            seed: self.seed,
            include_solutions,
            teacher: false,
        }
    }

    /// Whether this copy lets its reader open the worked solutions.
    pub fn shows_solutions(self) -> bool {
        self.teacher || self.include_solutions
    }
}

/// How close a typed number must be.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Tolerance {
    /// |typed − answer| ≤ this.
    Absolute(f64),
    /// |typed − answer| ≤ this · |answer|.
    Relative(f64),
}

impl Tolerance {
    /// Whether `typed` is within the tolerance of `answer`.
    pub fn accepts(self, typed: f64, answer: f64) -> bool {
        let d = (typed - answer).abs();
        match self {
            Tolerance::Absolute(t) => d <= t * (1.0 + 1e-12),
            Tolerance::Relative(t) => d <= t * answer.abs() * (1.0 + 1e-12),
        }
    }

    /// The tolerance in words ("within ±0.005", "within 1%").
    pub fn describe(self) -> String {
        match self {
            Tolerance::Absolute(0.0) => String::from("exactly"),
            Tolerance::Absolute(t) => format!("within ±{t}"),
            Tolerance::Relative(t) => format!("within {}%", t * 100.0),
        }
    }
}

/// The answer of a question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    /// A number, with its tolerance.
    Number {
        /// The engine's value.
        value: f64,
        /// How close a typed number must be.
        tolerance: Tolerance,
    },
    /// A text: any of these, compared case-insensitively with spaces trimmed.
    Text(Vec<String>),
}

/// One question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Stable id within the lesson ("bgnbd-1").
    pub id: String,
    /// The question.
    pub prompt: String,
    /// The answer.
    pub answer: Answer,
    /// The worked solution: the formula filled in with this question's numbers.
    pub solution: String,
}

/// The verdict on a typed answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Within the tolerance (or the accepted text).
    Right,
    /// Outside it.
    Wrong,
    /// The question wants a number and the text is not one.
    NotANumber,
}

/// A typed number: spaces dropped; a comma is a decimal point unless there is also a point
/// (then it separates thousands).
pub fn parse_typed(text: &str) -> Option<f64> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let t = if t.contains('.') {
        t.replace(',', "")
    } else {
        t.replace(',', ".")
    };
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

impl Question {
    /// Checks a typed answer.
    pub fn check(&self, typed: &str) -> Verdict {
        match &self.answer {
            Answer::Number { value, tolerance } => match parse_typed(typed) {
                Some(v) if tolerance.accepts(v, *value) => Verdict::Right,
                Some(_) => Verdict::Wrong,
                None => Verdict::NotANumber,
            },
            Answer::Text(accepted) => {
                let t = typed.trim().to_lowercase();
                if accepted.iter().any(|a| a.trim().to_lowercase() == t) {
                    Verdict::Right
                } else {
                    Verdict::Wrong
                }
            }
        }
    }

    /// What the check accepts, in words.
    pub fn tolerance_text(&self) -> String {
        match &self.answer {
            Answer::Number { tolerance, .. } => {
                format!(
                    "Answers {} of the exact value count as right.",
                    tolerance.describe()
                )
            }
            Answer::Text(_) => String::from("Type the name; capitals do not matter."),
        }
    }

    /// The right answer, as text.
    pub fn answer_text(&self) -> String {
        match &self.answer {
            // Six significant digits: well inside every stated tolerance.
            Answer::Number { value, .. } => {
                let digits = (5 - value.abs().max(1e-300).log10().floor() as i32).clamp(0, 12);
                format!("{value:.*}", digits as usize)
            }
            Answer::Text(a) => a.first().cloned().unwrap_or_default(),
        }
    }
}

fn rng(seed: u64, lesson: &str) -> ChaCha8Rng {
    // Each lesson draws from its own stream, so adding a question to one leaves the others.
    let salt = lesson.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    ChaCha8Rng::seed_from_u64(seed ^ salt)
}

/// `v` rounded to a multiple of `step`, printed without binary noise (0.7, not 0.7000000000000001).
fn round_to(v: f64, step: f64) -> f64 {
    if step >= 1.0 {
        (v / step).round() * step
    } else {
        let k = (1.0 / step).round();
        (v * k).round() / k
    }
}

/// Whether a lesson's questions need the simulated base (and the engine's fits on it).
pub fn needs_data(lesson: &str) -> bool {
    matches!(lesson, "rfm" | "bgnbd")
}

/// The questions of `lesson` for exercise set `seed`.
///
/// # Errors
/// An unknown lesson key, or the simulated base could not be made or fitted (in words).
pub fn questions(lesson: &str, seed: u64) -> Result<Vec<Question>, String> {
    let mut g = rng(seed, lesson);
    let q = |n: u32, prompt: String, answer: Answer, solution: String| Question {
        id: format!("{lesson}-{n}"),
        prompt,
        answer,
        solution,
    };
    let money = |v: f64| Answer::Number {
        value: v,
        tolerance: Tolerance::Absolute(0.5),
    };
    match lesson {
        "clv" => {
            let m = round_to(g.gen_range(50.0..200.0), 5.0);
            let r = round_to(g.gen_range(0.6..0.9), 0.05);
            let d = round_to(g.gen_range(0.05..0.15), 0.01);
            let clv = simple_clv(m, r, d).map_err(|e| e.to_string())?;
            let r2 = r + 0.05;
            let clv2 = simple_clv(m, r2, d).map_err(|e| e.to_string())?;
            Ok(vec![
                q(1, format!("A customer brings a margin of {m} per year, stays each year with probability {r} and the discount rate is {d}. What is the customer's lifetime value (margins at the ends of the years, for ever)?"),
                  money(clv),
                  format!("CLV = m · r / (1 + d − r) = {m} · {r} / (1 + {d} − {r}) = {:.4} / {:.4} = {clv:.4}", m * r, 1.0 + d - r)),
                q(2, format!("Same customer, but retention rises by 5 points to {r2:.2}. By how much does the lifetime value grow?"),
                  money(clv2 - clv),
                  format!("CLV at {r2:.2} = {m} · {r2:.2} / (1 + {d} − {r2:.2}) = {clv2:.4}; growth = {clv2:.4} − {clv:.4} = {:.4}", clv2 - clv)),
            ])
        }
        "retention" => {
            let r = round_to(g.gen_range(0.6..0.95), 0.05);
            let life = 1.0 / (1.0 - r);
            Ok(vec![q(1, format!("Customers stay from one year to the next with probability {r:.2}. How many years does a customer stay on average (the year of acquisition counted)?"),
                Answer::Number { value: life, tolerance: Tolerance::Absolute(0.05) },
                format!("Expected lifetime = 1 / (1 − r) = 1 / (1 − {r:.2}) = {life:.4} years"))])
        }
        "satisfaction" => {
            let n = 200u32;
            let promoters = g.gen_range(60..110u32);
            let detractors = g.gen_range(20..60u32);
            // The engine's NPS (the Satisfaction page's), from the counts.
            let nps = crate::domain::satisfaction::nps::nps_from_counts(
                u64::from(promoters),
                u64::from(n - promoters - detractors),
                u64::from(detractors),
                0,
            )
            .map_err(|e| e.to_string())?
            .nps;
            Ok(vec![q(1, format!("Of {n} answers to \"How likely are you to recommend us (0–10)?\", {promoters} are 9 or 10 and {detractors} are 0 to 6. What is the Net Promoter Score?"),
                Answer::Number { value: nps, tolerance: Tolerance::Absolute(0.5) },
                format!("NPS = 100 · (promoters − detractors) / answers = 100 · ({promoters} − {detractors}) / {n} = {nps:.1}"))])
        }
        "perceived-value" => {
            let benefits: [f64; 4] =
                std::array::from_fn(|_| round_to(g.gen_range(20.0..80.0), 5.0));
            let costs: [f64; 4] = std::array::from_fn(|_| round_to(g.gen_range(5.0..40.0), 5.0));
            // The perceived-value lesson's own sums.
            let v = lessons::perceived::value_of(&lessons::perceived::Offer {
                name: "offer".into(),
                product: benefits[0],
                service: benefits[1],
                personnel: benefits[2],
                image: benefits[3],
                money: costs[0],
                time: costs[1],
                energy: costs[2],
                psychic: costs[3],
            });
            let (tv, tc) = (v.total_value, v.total_cost);
            Ok(vec![q(1, format!("An offer's benefits are worth product {}, service {}, personnel {}, image {}; its costs are money {}, time {}, energy {}, psychic {}. What is the customer's perceived value (total value minus total cost)?", benefits[0], benefits[1], benefits[2], benefits[3], costs[0], costs[1], costs[2], costs[3]),
                money(v.perceived),
                format!("Perceived value = ({} + {} + {} + {}) − ({} + {} + {} + {}) = {tv} − {tc} = {}", benefits[0], benefits[1], benefits[2], benefits[3], costs[0], costs[1], costs[2], costs[3], v.perceived))])
        }
        "share-of-wallet" => {
            let total = round_to(g.gen_range(500.0..2000.0), 10.0);
            let ours = round_to(g.gen_range(0.1..0.6) * total, 10.0);
            // The share-of-wallet lesson's own share.
            let share = lessons::wallet::shares(
                &[lessons::wallet::WalletRow {
                    customer: "customer".into(),
                    ours,
                    category: total,
                }],
                0.0,
                0.0,
            )
            .map_err(|e| e.to_string())?
            .mean_share;
            Ok(vec![q(1, format!("A customer spends {total} a year in the category, {ours} of it with us. What is our share of wallet (a share between 0 and 1)?"),
                Answer::Number { value: share, tolerance: Tolerance::Absolute(0.005) },
                format!("Share of wallet = spend with us / category spend = {ours} / {total} = {share:.4}"))])
        }
        "relationships" => {
            // The answer is the relationships lesson's own grid (Kotler's table): rows many /
            // medium / few customers, columns high / medium / low margin.
            let grid = lessons::relationships::kotler_grid();
            let (prompt, cell, why) = if g.gen_bool(0.5) {
                ("A firm has very many customers and a low margin on each. Which relationship level (basic, reactive, accountable, proactive, partnership) pays?", grid[0][2],
                 "Many customers × low margin: the cost of contact must stay near zero")
            } else {
                ("A firm has few customers and a high margin on each. Which relationship level (basic, reactive, accountable, proactive, partnership) pays?", grid[2][0],
                 "Few customers × high margin: each is worth a continuous joint effort")
            };
            let accepted: Vec<String> = cell.split(" or ").map(str::to_lowercase).collect();
            Ok(vec![q(
                1,
                prompt.into(),
                Answer::Text(accepted),
                format!("{why}, so Kotler's table gives: {cell}."),
            )])
        }
        "rfm" => {
            let (_, summary) = bgnbd_sheet::simulated(EXERCISE_CUSTOMERS, seed)?;
            let req = segment::default_request(summary.clone());
            let seg = segment::segment(&summary, &req, &mut |_, _| {})?;
            let top = seg
                .table
                .iter()
                .max_by(|a, b| a.revenue.total_cmp(&b.revenue))
                .ok_or("no segments")?;
            let mut ranked: Vec<_> = seg.table.iter().collect();
            ranked.sort_by(|a, b| b.revenue.total_cmp(&a.revenue));
            let listing: Vec<String> = ranked
                .iter()
                .take(3)
                .map(|s| {
                    format!(
                        "{} {:.2} ({:.1}%)",
                        s.name,
                        s.revenue,
                        100.0 * s.revenue_share
                    )
                })
                .collect();
            let rfm = seg.rfm.as_ref().ok_or("no RFM scores")?;
            let i = crate::domain::draw::index(&mut g, summary.customers.len());
            let (c, s) = (
                summary.customers.get(i).ok_or("no customer")?,
                rfm.scores.get(i).ok_or("no score")?,
            );
            Ok(vec![
                q(1, "Segment the exercise data with RFM quintiles and the R×F map. Which RFM segment holds the most value (total spend)?".to_string(),
                  Answer::Text(vec![top.name.clone()]),
                  format!("Sum each segment's total spend and take the largest: {} (of {:.2} in all).", listing.join(", "), seg.table.iter().map(|s| s.revenue).sum::<f64>())),
                q(2, format!("What is customer {}'s recency score R (1–5, 5 = most recent)?", c.id),
                  Answer::Number { value: f64::from(s.r), tolerance: Tolerance::Absolute(0.0) },
                  format!("{} last bought {:.0} days before the analysis date; ranked among all {} customers by days since the last purchase (fewer is better), that falls in quintile R = {}.", c.id, s.recency_days, summary.customers.len(), s.r)),
            ])
        }
        "bgnbd" => {
            let (_, summary) = bgnbd_sheet::simulated(EXERCISE_CUSTOMERS, seed)?;
            let fit = bgnbd_sheet::fit(&summary.customers)?;
            let BtydModel::BgNbd(p) = fit.model else {
                return Err("the fit is not BG/NBD".into());
            };
            let repeaters: Vec<_> = summary.customers.iter().filter(|c| c.x > 0.0).collect();
            if repeaters.len() < 2 {
                return Err("the exercise data has too few repeat buyers".into());
            }
            let c = repeaters[crate::domain::draw::index(&mut g, repeaters.len())];
            let d = repeaters[crate::domain::draw::index(&mut g, repeaters.len())];
            let pa = p.p_alive(c.x, c.t_x, c.t);
            let odds =
                p.a / (p.b + c.x - 1.0) * ((p.alpha + c.t) / (p.alpha + c.t_x)).powf(p.r + c.x);
            let h = 52.0;
            let e = p.conditional_expected_purchases(h, d.x, d.t_x, d.t);
            let pad = p.p_alive(d.x, d.t_x, d.t);
            let z = h / (p.alpha + d.t + h);
            let f =
                crate::domain::clv::special::hyp2f1(p.r + d.x, p.b + d.x, p.a + p.b + d.x - 1.0, z);
            let params = format!(
                "r = {:.4}, α = {:.4}, a = {:.4}, b = {:.4}",
                p.r, p.alpha, p.a, p.b
            );
            Ok(vec![
                q(1, format!("Fit BG/NBD to the exercise data (weeks). What is customer {}'s P(alive)? (x = {}, t_x = {:.2}, T = {:.2}; a number between 0 and 1)", c.id, c.x, c.t_x, c.t),
                  Answer::Number { value: pa, tolerance: Tolerance::Absolute(0.005) },
                  format!("Fitted {params}. P(alive) = 1 / (1 + a/(b + x − 1) · ((α + T)/(α + t_x))^(r + x)) = 1 / (1 + {:.4}/({:.4} + {} − 1) · (({:.4} + {:.2})/({:.4} + {:.2}))^({:.4} + {})) = 1 / (1 + {odds:.4}) = {pa:.4}", p.a, p.b, c.x, p.alpha, c.t, p.alpha, c.t_x, p.r, c.x)),
                q(2, format!("With the same fit, how many purchases do you expect from customer {} in the next 52 weeks? (x = {}, t_x = {:.2}, T = {:.2})", d.id, d.x, d.t_x, d.t),
                  Answer::Number { value: e, tolerance: Tolerance::Relative(0.01) },
                  format!("Fitted {params}. E[X(t)] = (a + b + x − 1)/(a − 1) · [1 − ((α + T)/(α + T + t))^(r + x) · ₂F₁(r + x, b + x; a + b + x − 1; z)] · P(alive), z = t/(α + T + t) = 52/({:.4} + {:.2} + 52) = {z:.4}, ₂F₁ = {f:.4}, P(alive) = {pad:.4}: ({:.4} + {:.4} + {} − 1)/({:.4} − 1) · [1 − ({:.4}/{:.4})^{:.4} · {f:.4}] · {pad:.4} = {e:.4}", p.alpha, d.t, p.a, p.b, d.x, p.a, p.alpha + d.t, p.alpha + d.t + h, p.r + d.x)),
                q(3, "In the same fit, what is the estimate of r (the shape of the purchase-rate distribution)?".into(),
                  Answer::Number { value: p.r, tolerance: Tolerance::Relative(0.01) },
                  format!("Maximise the total log-likelihood Σ ln L(r, α, a, b | x, t_x, T) over the {} customers (the BG/NBD lesson's sheet does it for 20): LL = {:.4} at {params}.", summary.customers.len(), fit.log_likelihood)),
            ])
        }
        other => Err(format!("there are no exercises for the lesson \"{other}\"")),
    }
}
