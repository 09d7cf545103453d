//! Explain every number: for a figure the app shows, its formula and the same formula filled in
//! with the customer's or segment's own numbers, with the value the engine computed. The UI
//! only displays these; the value of each [`Filled`] is the engine's own figure (pinned by
//! native tests), so what the explain panel says always matches the number beside it.

use crate::analysis::clv::{clv_schedule, ClvResult};
use crate::analysis::numfmt::NumberFormat;
use crate::analysis::overview;
use crate::domain::clv::{BgNbd, BtydModel, ClvSettings, FittedGammaGamma, SpendFallback};
use crate::domain::satisfaction::csat::CsatScore;
use crate::domain::satisfaction::nps::NpsScore;
use crate::domain::segmentation::rfm::{bin_of, RfmCutPoints, RfmScore};
use serde::{Deserialize, Serialize};

pub mod data;
pub mod groups;
pub mod model;
pub mod value;

/// A formula, filled in with one customer's or segment's numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Filled {
    /// The glossary term it explains (`p-alive`).
    pub term: String,
    /// The formula with symbols.
    pub formula: String,
    /// The formula with the numbers put in, ending with the result.
    pub formula_filled: String,
    /// The result: the engine's figure.
    pub value: f64,
}

fn filled(term: &str, formula: &str, formula_filled: String, value: f64) -> Filled {
    Filled {
        term: term.into(),
        formula: formula.into(),
        formula_filled,
        value,
    }
}

const P_ALIVE_BGNBD: &str =
    "P(alive) = 1 / (1 + [x > 0] · a/(b + x − 1) · ((α + T)/(α + tₓ))^(r + x))";

/// BG/NBD P(alive) of a customer with `x` repeat purchases, recency `t_x` and age `t`.
pub fn p_alive_bgnbd(m: &BgNbd, x: f64, t_x: f64, t: f64, nf: &NumberFormat) -> Filled {
    let value = m.p_alive(x, t_x, t);
    let BgNbd { r, alpha, a, b } = *m;
    let text = if x > 0.0 {
        let odds = a / (b + x - 1.0) * ((alpha + t) / (alpha + t_x)).powf(r + x);
        format!(
            "P(alive) = 1 / (1 + {a_4}/({b_4} + {x} − 1) · (({alpha_4} + {t_2})/({alpha_4} + {t_x_2}))^({r_4} + {x}))\n         = 1 / (1 + {odds_4})\n         = {value_4}"
        , a_4 = nf.fixed(a, 4), b_4 = nf.fixed(b, 4), alpha_4 = nf.fixed(alpha, 4), t_2 = nf.fixed(t, 2), t_x_2 = nf.fixed(t_x, 2), r_4 = nf.fixed(r, 4), odds_4 = nf.fixed(odds, 4), value_4 = nf.fixed(value, 4))
    } else {
        format!("x = 0: with BG/NBD a customer who never bought again cannot have dropped out yet, so P(alive) = {value_4}", value_4 = nf.fixed(value, 4))
    };
    filled("p-alive", P_ALIVE_BGNBD, text, value)
}

/// P(alive) under whichever purchase model was fitted.
pub fn p_alive(model: &BtydModel, x: f64, t_x: f64, t: f64, nf: &NumberFormat) -> Filled {
    match model {
        BtydModel::BgNbd(m) => p_alive_bgnbd(m, x, t_x, t, nf),
        BtydModel::MbgNbd(m) => {
            let value = model.p_alive(x, t_x, t);
            let f = "MBG/NBD: P(alive) = 1 / (1 + a/(b + x) · ((α + T)/(α + tₓ))^(r + x))";
            let text = format!(
                "P(alive) = 1 / (1 + {a}/({b} + {x}) · (({al} + {t_2})/({al} + {t_x_2}))^({r} + {x}))\n         = {value_4}",
                a = nf.fixed(m.a, 4),
                b = nf.fixed(m.b, 4),
                al = nf.fixed(m.alpha, 4),
                r = nf.fixed(m.r, 4), t_2 = nf.fixed(t, 2), t_x_2 = nf.fixed(t_x, 2), value_4 = nf.fixed(value, 4));
            filled("p-alive", f, text, value)
        }
        BtydModel::ParetoNbd(m) => {
            let value = model.p_alive(x, t_x, t);
            let f = "Pareto/NBD: P(alive) = 1 / (1 + (s/(r + s + x)) · (α + T)^(r + x) (β + T)^s · A₀), A₀ a ₂F₁ term";
            let text = format!(
                "with r = {}, α = {}, s = {}, β = {}, x = {x}, tₓ = {t_x_2}, T = {t_2}: P(alive) = {value_4}",
                nf.fixed(m.r, 4), nf.fixed(m.alpha, 4), nf.fixed(m.s, 4), nf.fixed(m.beta, 4)
            , t_x_2 = nf.fixed(t_x, 2), t_2 = nf.fixed(t, 2), value_4 = nf.fixed(value, 4));
            filled("p-alive", f, text, value)
        }
    }
}

const EXPECTED_BGNBD: &str = "E[Y(t) | x, tₓ, T] = (a + b + x − 1)/(a − 1) · [1 − ((α + T)/(α + T + t))^(r + x) · ₂F₁(r + x, b + x; a + b + x − 1; t/(α + T + t))] / (1 + [x > 0] · a/(b + x − 1) · ((α + T)/(α + tₓ))^(r + x))";

/// Expected purchases in the next `horizon` time units (`unit`: "week"...) of a customer.
pub fn expected_purchases(
    model: &BtydModel,
    horizon: f64,
    x: f64,
    t_x: f64,
    t: f64,
    unit: &str,
    nf: &NumberFormat,
) -> Filled {
    let value = model.conditional_expected_purchases(horizon, x, t_x, t);
    match model {
        BtydModel::BgNbd(m) => {
            let BgNbd { r, alpha, a, b } = *m;
            let z = horizon / (alpha + t + horizon);
            let hyp = crate::domain::clv::special::hyp2f1(r + x, b + x, a + b + x - 1.0, z);
            let den = if x > 0.0 {
                format!("(1 + {a_4}/({b_4} + {x} − 1) · (({alpha_4} + {t_2})/({alpha_4} + {t_x_2}))^({r_4} + {x}))", a_4 = nf.fixed(a, 4), b_4 = nf.fixed(b, 4), alpha_4 = nf.fixed(alpha, 4), t_2 = nf.fixed(t, 2), t_x_2 = nf.fixed(t_x, 2), r_4 = nf.fixed(r, 4))
            } else {
                "1".into()
            };
            let text = format!(
                "t = {horizon} {unit}s\nE[Y] = ({a_4} + {b_4} + {x} − 1)/({a_4} − 1) · [1 − (({alpha_4} + {t_2})/({alpha_4} + {t_2} + {horizon}))^({r_4} + {x}) · ₂F₁(…; z = {z_4})] / {den}\n     with ₂F₁(…) = {hyp_4}\n     = {value_4} purchases"
            , a_4 = nf.fixed(a, 4), b_4 = nf.fixed(b, 4), alpha_4 = nf.fixed(alpha, 4), t_2 = nf.fixed(t, 2), r_4 = nf.fixed(r, 4), z_4 = nf.fixed(z, 4), hyp_4 = nf.fixed(hyp, 4), value_4 = nf.fixed(value, 4));
            filled("expected-purchases", EXPECTED_BGNBD, text, value)
        }
        _ => filled(
            "expected-purchases",
            "E[Y(t) | x, tₓ, T]: the model's conditional expectation",
            format!(
                "{} with x = {x}, tₓ = {t_x_2}, T = {t_2}, t = {horizon} {unit}s: {value_4} purchases",
                model.kind().name()
            , t_x_2 = nf.fixed(t_x, 2), t_2 = nf.fixed(t, 2), value_4 = nf.fixed(value, 4)),
            value,
        ),
    }
}

const SPEND_GG: &str = "E[M | x, m] = p(γ + x·m) / (p·x + q − 1)";

/// Gamma-Gamma expected spend per purchase of a customer with `x` repeat purchases of mean `m`.
pub fn gamma_gamma_spend(g: &FittedGammaGamma, x: f64, m: f64, nf: &NumberFormat) -> Filled {
    let e = g.spend_estimate(x, m);
    let value = e.value;
    let (p, q, gm) = (g.params.p, g.params.q, g.params.gamma);
    let text = match e.fallback {
        Some(f) => format!("{}: expected spend = {value_2}", f.message(), value_2 = nf.fixed(value, 2)),
        None if x > 0.0 => format!(
            "E[M] = {p_4} × ({gm_4} + {x} × {m_2}) / ({p_4} × {x} + {q_4} − 1)\n     = {} / {}\n     = {value_2}",
            nf.fixed(p * (gm + x * m), 4),
            nf.fixed(p * x + q - 1.0, 4)
        , p_4 = nf.fixed(p, 4), gm_4 = nf.fixed(gm, 4), m_2 = nf.fixed(m, 2), q_4 = nf.fixed(q, 4), value_2 = nf.fixed(value, 2)),
        None => format!(
            "x = 0, so the population mean applies: pγ/(q − 1) = {p_4} × {gm_4} / ({q_4} − 1) = {value_2}"
        , p_4 = nf.fixed(p, 4), gm_4 = nf.fixed(gm, 4), q_4 = nf.fixed(q, 4), value_2 = nf.fixed(value, 2)),
    };
    filled("expected-spend", SPEND_GG, text, value)
}

/// The expected spend the engine used without a Gamma-Gamma fit: the customer's own mean repeat
/// spend, or `fallback` (the repeaters' average) for a customer without repeat purchases.
pub fn own_mean_spend(x: f64, m: f64, fallback: f64, nf: &NumberFormat) -> Filled {
    let (value, text) = if x > 0.0 {
        (
            m,
            format!(
                "No spend model: the customer's own mean repeat spend m = {m_2}",
                m_2 = nf.fixed(m, 2)
            ),
        )
    } else {
        (
            fallback,
            format!("No spend model and no repeat purchase: the average of the repeat buyers = {fallback_2}", fallback_2 = nf.fixed(fallback, 2)),
        )
    };
    filled(
        "expected-spend",
        "spend = m (own mean repeat spend)",
        text,
        value,
    )
}

/// The expected spend of a customer as the engine computed it: Gamma-Gamma when fitted.
pub fn expected_spend(
    spend: Option<&FittedGammaGamma>,
    x: f64,
    m: f64,
    engine: f64,
    nf: &NumberFormat,
) -> Filled {
    match spend {
        Some(g) => gamma_gamma_spend(g, x, m, nf),
        None => own_mean_spend(x, m, engine, nf),
    }
}

const CLV: &str = "CLV = Σ_{i=1..H} margin · spend · (E[X(i)] − E[X(i − 1)]) / (1 + d)^i";

/// A customer's CLV over the settings' horizon with expected spend `spend`.
pub fn clv(
    model: &BtydModel,
    x: f64,
    t_x: f64,
    t: f64,
    spend: f64,
    s: &ClvSettings,
    nf: &NumberFormat,
) -> Filled {
    let sch = clv_schedule(model, x, t_x, t, spend, s);
    let value = sch.total;
    let terms: Vec<String> = sch
        .months
        .iter()
        .take(3)
        .map(|m| {
            format!(
                "{} × {spend_2} × {} / {}^{}",
                s.margin_rate,
                nf.fixed(m.purchases, 4),
                nf.fixed(1.0 + s.discount_rate, 4),
                m.month,
                spend_2 = nf.fixed(spend, 2)
            )
        })
        .collect();
    let more = if sch.months.len() > 3 {
        format!(" + … ({} months in all)", nf.count(sch.months.len() as u64))
    } else {
        String::new()
    };
    let text = format!(
        "H = {} months, margin = {}, spend = {spend_2}, d = {} per month\nCLV = {}{more}\n    = {value_2}",
        s.periods,
        s.margin_rate,
        s.discount_rate,
        terms.join(" + ")
    , spend_2 = nf.fixed(spend, 2), value_2 = nf.fixed(value, 2));
    filled("clv", CLV, text, value)
}

/// Customer equity: the sum of every customer's CLV, as the engine added it up.
pub fn customer_equity(res: &ClvResult, nf: &NumberFormat) -> Filled {
    let value = res.equity;
    let shown: Vec<String> = res.clv.iter().take(3).map(|v| nf.fixed(*v, 2)).collect();
    let more = if res.clv.len() > 3 { " + …" } else { "" };
    let text = format!(
        "Σ CLV over {} customers = {}{more}\n                 = {value_2}",
        nf.number(res.totals.customers, 0),
        shown.join(" + "),
        value_2 = nf.fixed(value, 2)
    );
    filled(
        "customer-equity",
        "customer equity = Σ CLV over all customers",
        text,
        value,
    )
}

/// NPS with its 95% interval.
pub fn nps(s: &NpsScore, nf: &NumberFormat) -> Filled {
    let text = format!(
        "p = {} / {n} = {}, d = {} / {n} = {}\nNPS = 100 × ({} − {}) = {}\nV = {} + {} − ({})² = {}; SE = 100 × √({}/{n}) = {}\n95% interval = {} ± 1.96 × {} = {} to {}",
        nf.count(s.promoters),
        nf.fixed(s.p, 4),
        nf.count(s.detractors),
        nf.fixed(s.d, 4),
        nf.fixed(s.p, 4),
        nf.fixed(s.d, 4),
        nf.fixed(s.nps, 1),
        nf.fixed(s.p, 4),
        nf.fixed(s.d, 4),
        nf.fixed(s.p - s.d, 4),
        nf.fixed(s.variance, 4),
        nf.fixed(s.variance, 4),
        nf.fixed(s.se, 2),
        nf.fixed(s.nps, 1),
        nf.fixed(s.se, 2),
        nf.fixed(s.ci_low, 1),
        nf.fixed(s.ci_high, 1),
        n = nf.count(s.n)
    );
    filled(
        "nps",
        "NPS = 100 · (p − d); SE = 100 · √((p + d − (p − d)²)/n); interval = NPS ± 1.96 · SE",
        text,
        s.nps,
    )
}

/// CSAT: the top-box share.
pub fn csat(s: &CsatScore, nf: &NumberFormat) -> Filled {
    let text = format!(
        "CSAT = answers in the top {} boxes of {}–{} / valid answers = {} / {} = {} ({}%)\n95% interval (Wilson): {}% to {}%",
        s.top_boxes,
        s.question.min,
        s.question.max,
        nf.count(s.top),
        nf.count(s.n),
        nf.fixed(s.share, 4),
        nf.fixed(100.0 * s.share, 1),
        nf.fixed(100.0 * s.ci_low, 1),
        nf.fixed(100.0 * s.ci_high, 1)
    );
    filled(
        "csat",
        "CSAT = answers in the top boxes / valid answers",
        text,
        s.share,
    )
}

fn cuts_text(c: &[f64], nf: &NumberFormat) -> String {
    let v: Vec<String> = c.iter().map(|x| nf.fixed(*x, 2)).collect();
    format!("[{}]", v.join(", "))
}

/// One customer's RFM score (`value` = the three digits as a number, 545).
pub fn rfm_score(s: &RfmScore, cuts: &RfmCutPoints, nf: &NumberFormat) -> Filled {
    let raw = bin_of(s.recency_days, &cuts.recency);
    let value = f64::from(s.r) * 100.0 + f64::from(s.f) * 10.0 + f64::from(s.m);
    let text = format!(
        "R: recency {} days, cut points {} → bin {raw}, reversed: {} + 2 − {raw} = {}\nF: {} occasions, cut points {} → F = {}\nM: {}, cut points {} → M = {}\nRFM = {}",
        nf.fixed(s.recency_days, 0),
        cuts_text(&cuts.recency, nf),
        cuts.recency.len(),
        s.r,
        s.frequency,
        cuts_text(&cuts.frequency, nf),
        s.f,
        nf.fixed(s.monetary, 2),
        cuts_text(&cuts.monetary, nf),
        s.m,
        s.code()
    );
    filled(
        "rfm",
        "score = 1 + cut points below the value (recency reversed: cut points + 2 − that)",
        text,
        value,
    )
}

/// A segment of the RFM map: its customers' mean scores' cell and its share of revenue.
pub fn segment_share(
    name: &str,
    revenue: f64,
    total: f64,
    customers: u64,
    nf: &NumberFormat,
) -> Filled {
    let value = if total > 0.0 { revenue / total } else { 0.0 };
    let text = format!(
        "{name}: {count} customers spent {revenue_2} of {total_2} in all\nshare = {revenue_2} / {total_2} = {value_4} ({}%)",
        nf.fixed(100.0 * value, 1),
        count = nf.count(customers)
    , revenue_2 = nf.fixed(revenue, 2), total_2 = nf.fixed(total, 2), value_4 = nf.fixed(value, 4));
    filled(
        "rfm-segment",
        "segment share of revenue = revenue of the segment / revenue of all customers",
        text,
        value,
    )
}

/// Share of revenue from the top `share` of customers by spend (None when there is none).
pub fn top_share(spend: &[f64], share: f64, nf: &NumberFormat) -> Option<Filled> {
    let (value, k) = overview::top_share(spend, share)?;
    let total: f64 = spend.iter().filter(|v| v.is_finite()).sum();
    let top = value * total;
    let text = format!(
        "top {}% of {} customers = {} customers\nshare = {top_2} / {total_2} = {value_4} ({}%)",
        nf.fixed(100.0 * share, 0),
        nf.count(spend.len() as u64),
        nf.count(k),
        nf.fixed(100.0 * value, 1),
        top_2 = nf.fixed(top, 2),
        total_2 = nf.fixed(total, 2),
        value_4 = nf.fixed(value, 4)
    );
    Some(filled(
        "revenue-concentration",
        "top-20% share = revenue of the top ⌈0.2 · n⌉ customers / revenue of all n customers",
        text,
        value,
    ))
}

/// The explain of an Overview figure (by its id), from the overview's inputs.
pub fn overview_figure(id: &str, inp: &overview::Inputs) -> Option<Filled> {
    let n = inp.summary.customers.len();
    let fit = inp
        .clv
        .ok()
        .filter(|r| !r.p_alive.is_empty() && r.p_alive.len() == n);
    match id {
        "customers" => Some(filled(
            "customers",
            "customers = number of distinct ids",
            format!(
                "customers in the summary = {}",
                inp.number_format.count(n as u64)
            ),
            n as f64,
        )),
        "active" => fit.map(|r| {
            let k = r
                .p_alive
                .iter()
                .filter(|&&p| p >= overview::ACTIVE_P_ALIVE)
                .count();
            filled(
                "active-customers",
                "active = number of customers with P(alive) ≥ 0.5",
                format!(
                    "{k_} of {} customers have P(alive) ≥ {}\nactive = {k_}",
                    inp.number_format.count(n as u64),
                    overview::ACTIVE_P_ALIVE,
                    k_ = inp.number_format.count(k as u64)
                ),
                k as f64,
            )
        }),
        "equity" => fit.map(|r| customer_equity(r, inp.number_format)),
        "concentration" => top_share(
            &crate::analysis::segment::historical_spend(inp.summary),
            overview::TOP_SHARE,
            inp.number_format,
        ),
        "nps" => match inp.survey {
            Ok(sv) => match &sv.headline.nps {
                Some(Ok(s)) => Some(nps(s, inp.number_format)),
                _ => None,
            },
            Err(_) => None,
        },
        "csat" => match inp.survey {
            Ok(sv) => match &sv.headline.csat {
                Some(Ok(s)) => Some(csat(s, inp.number_format)),
                _ => None,
            },
            Err(_) => None,
        },
        _ => None,
    }
}

/// The fallback's reason, when spend was not the model's mean (for pages that say so).
pub fn spend_fallback_note(f: Option<SpendFallback>) -> &'static str {
    f.map_or("", SpendFallback::message)
}
