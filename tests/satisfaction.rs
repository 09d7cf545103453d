//! Satisfaction scores pinned against hand-computed values (the arithmetic is in the comments).

use chrono::NaiveDate;
use crm::domain::satisfaction::ces::{ces, ces_question};
use crm::domain::satisfaction::cumulative::{
    compare_predictors, cumulative, CustomerSatisfaction, DatedAnswer,
};
use crm::domain::satisfaction::disconfirmation::{
    disconfirmation, Disconfirmation, ExpectationAnswer,
};
use crm::domain::satisfaction::ipa::{ipa, Crosshair, ImportanceMethod, Quadrant};
use crm::domain::satisfaction::kano::{
    classify, kano_feature, kano_feature_text, KanoAnswer, KanoCategory,
};
use crm::domain::satisfaction::link::{link_outcomes, match_respondents, Classing};
use crm::domain::satisfaction::nps::nps_from_counts;
use crm::domain::satisfaction::stats::{spearman, MeanInterval};
use crm::domain::satisfaction::trends::{mean_trend, nps_trend, Period};
use crm::domain::satisfaction::{csat, nps, nps_difference, Direction, Question, MIN_N};
use std::collections::HashMap;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() < tol
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
}

#[test]
fn nps_score_interval_and_invalid_answers() {
    // 5 promoters (10,9,9,10,9), 3 passives (7,8,8), 2 detractors (3,6); n = 10.
    // p = .5, d = .2, NPS = 30; V = .5 + .2 − .3² = .61; SE = 100·√(.61/10) = 24.698178;
    // CI = 30 ± 1.96·24.698178 = [−18.408429, 78.408429]. 11, −1, 7.5 and NaN are invalid.
    let a = [
        10.0,
        9.0,
        9.0,
        10.0,
        9.0,
        7.0,
        8.0,
        8.0,
        3.0,
        6.0,
        11.0,
        -1.0,
        7.5,
        f64::NAN,
    ];
    let s = nps(&a).unwrap();
    assert_eq!(
        (s.n, s.promoters, s.passives, s.detractors, s.invalid),
        (10, 5, 3, 2, 4)
    );
    assert!(close(s.nps, 30.0, 1e-9));
    assert!(close(s.variance, 0.61, 1e-12));
    assert!(close(s.se, 24.698_178, 1e-5));
    assert!(close(s.ci_low, -18.408_429, 1e-5));
    assert!(close(s.ci_high, 78.408_429, 1e-5));
    assert!(s.too_few);
    assert!(s.caution.unwrap().contains("only 10 answers"));
    assert!(nps(&[11.0]).is_err());
}

#[test]
fn nps_difference_of_independent_groups() {
    // a: NPS 30, SE 24.698178 (SE² = 610). b: 24 promoters, 8 passives, 8 detractors of 40:
    // p = .6, d = .2, NPS = 40, V = .8 − .16 = .64, SE = 100·√(.64/40) = 12.649111 (SE² = 160).
    // Difference 10, SE = √770 = 27.748874, z = 0.360375, p = 2(1 − Φ(z)) = 0.718567.
    let a = nps_from_counts(5, 3, 2, 0).unwrap();
    let b = nps_from_counts(24, 8, 8, 0).unwrap();
    assert!(close(b.se, 12.649_111, 1e-5));
    assert!(!b.too_few && b.n >= MIN_N);
    let d = nps_difference(&a, &b);
    assert!(close(d.difference, 10.0, 1e-9));
    assert!(close(d.se, 27.748_874, 1e-5));
    assert!(close(d.z.unwrap(), 0.360_375, 1e-5));
    assert!(close(d.p_value.unwrap(), 0.718_567, 1e-5));
    assert!(close(d.ci_low, 10.0 - 1.96 * 27.748_874, 1e-4));
    assert!(d.too_few);
}

#[test]
fn csat_top_two_box_with_wilson_interval() {
    // 1–5 scale: 5,5,4,4,4,4,4,4,3,2 → 8 of 10 in 4–5, share .8.
    // Wilson (z = 1.96): centre (.8 + 1.9208/10)/1.38416 = .716738,
    // half 1.96/1.38416·√(.016 + .009604) = .226581 → [.490157, .943319].
    let a = [
        5.0, 5.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 3.0, 2.0, 0.0, 6.0, 4.5,
    ];
    let s = csat(&a, &Question::new("csat", 1, 5), 2).unwrap();
    assert_eq!((s.n, s.top, s.invalid), (10, 8, 3));
    assert!(close(s.share, 0.8, 1e-12));
    assert!(close(s.ci_low, 0.490_157, 1e-6));
    assert!(close(s.ci_high, 0.943_319, 1e-6));
    assert!(close(s.mean, 3.9, 1e-12)); // (5+5+6·4+3+2)/10
                                        // Top-1 box: only the two 5s.
    assert_eq!(csat(&a, &Question::new("csat", 1, 5), 1).unwrap().top, 2);
    // Lower is better: 1–2 are the top boxes.
    let q = Question {
        direction: Direction::LowerIsBetter,
        ..Question::new("wait", 1, 5)
    };
    assert_eq!(csat(&[1.0, 2.0, 3.0, 5.0], &q, 2).unwrap().top, 2);
    let e = csat(&a, &Question::new("csat", 1, 5), 5).unwrap_err();
    assert!(e.to_string().starts_with("top_boxes"));
}

#[test]
fn ces_mean_agree_and_net() {
    // 7,6,5,5,4,3,2,1,7,7: mean 47/10 = 4.7; sd 2.162817; t(9, .975) = 2.262157;
    // CI 4.7 ± 2.262157·2.162817/√10 = [3.152814, 6.247186].
    // Agree 5–7: 7,6,5,5,7,7 = 6/10. Net: 6–7 (7,6,7,7 = .4) − 1–3 (3,2,1 = .3) = .1.
    let a = [7.0, 6.0, 5.0, 5.0, 4.0, 3.0, 2.0, 1.0, 7.0, 7.0];
    let s = ces(&a, &ces_question(), MeanInterval::StudentT).unwrap();
    assert!(close(s.mean, 4.7, 1e-12));
    assert!(close(s.sd, 2.162_817, 1e-6));
    assert!(close(s.ci_low, 3.152_814, 1e-5));
    assert!(close(s.ci_high, 6.247_186, 1e-5));
    assert!(close(s.agree, 0.6, 1e-12));
    assert!(close(s.net, 0.1, 1e-12));
    assert_eq!((s.question.min, s.question.max), (1, 7));
    let n = ces(&a, &ces_question(), MeanInterval::Normal).unwrap();
    assert!(close(
        n.ci_high,
        4.7 + 1.96 * 2.162_817 / 10f64.sqrt(),
        1e-5
    ));
}

#[test]
fn the_full_kano_table() {
    use KanoAnswer::*;
    use KanoCategory::*;
    let answers = [Like, Expect, Neutral, LiveWith, Dislike];
    let table = [
        [Q, A, A, A, O],
        [R, I, I, I, M],
        [R, I, I, I, M],
        [R, I, I, I, M],
        [R, R, R, R, Q],
    ];
    for (f, row) in answers.iter().zip(table) {
        for (d, want) in answers.iter().zip(row) {
            assert_eq!(classify(*f, *d), want, "{f:?} × {d:?}");
        }
    }
}

#[test]
fn kano_feature_counts_category_better_and_worse() {
    use KanoAnswer::*;
    // O ×3 (like/dislike), A ×2 (like/neutral), M ×2 (neutral/dislike), I ×1, R ×1, Q ×1.
    // Better = (2+3)/(2+3+2+1) = .625; Worse = −(3+2)/8 = −.625; Q rate 1/10.
    let mut pairs = vec![(Like, Dislike); 3];
    pairs.extend([(Like, Neutral); 2]);
    pairs.extend([(Neutral, Dislike); 2]);
    pairs.extend([(Neutral, Neutral), (Dislike, Like), (Like, Like)]);
    let k = kano_feature("dark mode", &pairs, 0);
    assert_eq!(
        (k.counts.a, k.counts.o, k.counts.m, k.counts.i, k.counts.r, k.counts.q),
        (2, 3, 2, 1, 1, 1)
    );
    assert_eq!(k.category, Some(KanoCategory::O));
    assert!(k.tied.is_empty());
    assert!(close(k.better.unwrap(), 0.625, 1e-12));
    assert!(close(k.worse.unwrap(), -0.625, 1e-12));
    assert!(close(k.questionable_rate, 0.1, 1e-12));
    // A tie between A and O is flagged.
    let k = kano_feature("x", &[(Like, Neutral), (Like, Dislike)], 0);
    assert_eq!(k.category, Some(KanoCategory::A));
    assert_eq!(k.tied, vec![KanoCategory::A, KanoCategory::O]);
}

#[test]
fn kano_answers_parse_common_wordings_and_codes() {
    assert_eq!(KanoAnswer::parse("I like it"), Some(KanoAnswer::Like));
    assert_eq!(
        KanoAnswer::parse("It must be that way"),
        Some(KanoAnswer::Expect)
    );
    assert_eq!(KanoAnswer::parse("I expect it"), Some(KanoAnswer::Expect));
    assert_eq!(KanoAnswer::parse("I am neutral"), Some(KanoAnswer::Neutral));
    assert_eq!(
        KanoAnswer::parse("I can tolerate it"),
        Some(KanoAnswer::LiveWith)
    );
    assert_eq!(
        KanoAnswer::parse("I can live with it"),
        Some(KanoAnswer::LiveWith)
    );
    assert_eq!(
        KanoAnswer::parse("I dislike it that way"),
        Some(KanoAnswer::Dislike)
    );
    assert_eq!(KanoAnswer::parse(" 4 "), Some(KanoAnswer::LiveWith));
    assert_eq!(KanoAnswer::parse("maybe"), None);
    let k = kano_feature_text("f", &[("like", "dislike"), ("1", "5"), ("??", "5")]);
    assert_eq!((k.n, k.invalid, k.counts.o), (2, 1, 2));
}

#[test]
fn disconfirmation_classes_with_a_tolerance() {
    // D = −2 → dissatisfied; 0, ±0.5 (at the tolerance) → satisfied; 1, 3 → delighted.
    let ds = [
        (-2.0, "g1"),
        (0.0, "g1"),
        (0.5, "g1"),
        (1.0, "g2"),
        (-0.5, "g2"),
        (3.0, "g2"),
    ];
    let answers: Vec<ExpectationAnswer> = ds
        .iter()
        .enumerate()
        .map(|(i, (d, g))| ExpectationAnswer {
            customer_id: i.to_string(),
            attribute: if i < 3 {
                "speed".into()
            } else {
                "price".into()
            },
            expectation: 4.0,
            performance: 4.0 + d,
            group: Some((*g).to_string()),
        })
        .collect();
    let r = disconfirmation(&answers, 0.5);
    let classes: Vec<Disconfirmation> = r.classes.iter().map(|c| c.3).collect();
    use Disconfirmation::*;
    assert_eq!(
        classes,
        vec![
            Dissatisfied,
            Satisfied,
            Satisfied,
            Delighted,
            Satisfied,
            Delighted
        ]
    );
    let speed = &r.by_attribute[0];
    assert_eq!(speed.name, "speed");
    assert_eq!(
        (speed.dissatisfied, speed.satisfied, speed.delighted),
        (1, 2, 0)
    );
    assert!(close(speed.mean_d, -0.5, 1e-12)); // (−2 + 0 + .5)/3
    assert!(close(r.by_group[1].delighted_share, 2.0 / 3.0, 1e-12));
}

#[test]
fn cumulative_satisfaction_is_an_exponentially_weighted_average() {
    // a: 4 (Jan), 2 (Feb), 5 (Mar), given out of order; w = .3:
    // c1 = 4; c2 = .3·2 + .7·4 = 3.4; c3 = .3·5 + .7·3.4 = 3.88; latest 5.
    let ans = |id: &str, d: &str, s: f64| DatedAnswer {
        customer_id: id.into(),
        date: day(d),
        score: s,
    };
    let a = [
        ans("a", "2024-03-01", 5.0),
        ans("a", "2024-01-01", 4.0),
        ans("b", "2024-01-05", 3.0),
        ans("a", "2024-02-01", 2.0),
    ];
    let c = cumulative(&a, 0.3).unwrap();
    assert_eq!(c[0].customer_id, "a");
    assert!(close(c[0].cumulative, 3.88, 1e-12));
    assert!(close(c[0].latest, 5.0, 1e-12));
    assert_eq!(c[0].answers, 3);
    assert!(close(c[1].cumulative, 3.0, 1e-12));
    assert!(cumulative(&a, 0.0)
        .unwrap_err()
        .to_string()
        .contains("weight_newest"));
}

#[test]
fn the_better_predictor_has_the_higher_correlation() {
    // Cumulative 1,2,3,4 tracks the outcome 10..40 exactly (r = 1); latest 4,1,3,2 gives r = −0.4.
    let s: Vec<CustomerSatisfaction> = [(1.0, 4.0), (2.0, 1.0), (3.0, 3.0), (4.0, 2.0)]
        .iter()
        .enumerate()
        .map(|(i, &(c, l))| CustomerSatisfaction {
            customer_id: i.to_string(),
            answers: 2,
            cumulative: c,
            latest: l,
            latest_date: day("2024-01-01"),
        })
        .collect();
    let outcomes: HashMap<String, f64> = (0..4)
        .map(|i| (i.to_string(), 10.0 * f64::from(i + 1)))
        .collect();
    let r = compare_predictors(&s, &outcomes);
    assert_eq!(r.n, 4);
    assert!(close(r.pearson_cumulative.unwrap(), 1.0, 1e-12));
    assert!(close(r.pearson_latest.unwrap(), -0.4, 1e-12));
    assert_eq!(r.better.as_deref(), Some("cumulative"));
    assert!(r.too_few);
    // Spearman with ties uses average ranks: ranks of 1,1,2 are 1.5,1.5,3.
    assert!(close(
        spearman(&[1.0, 1.0, 2.0], &[1.0, 2.0, 3.0]).unwrap(),
        0.866_025,
        1e-6
    ));
}

#[test]
fn ipa_quadrants_around_the_means_with_stated_importance() {
    // Importance 5,1,3,1 (mean 2.5); performance means 2,4,5,1 (mean 3).
    let names: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
    let perf = vec![vec![1.0, 4.0, 5.0, 1.0], vec![3.0, 4.0, 5.0, 1.0]];
    let r = ipa(
        &names,
        &perf,
        None,
        &ImportanceMethod::Stated(vec![5.0, 1.0, 3.0, 1.0]),
        Crosshair::Means,
    )
    .unwrap();
    assert!(close(r.crosshair_importance, 2.5, 1e-12));
    assert!(close(r.crosshair_performance, 3.0, 1e-12));
    let q: Vec<Quadrant> = r.points.iter().map(|p| p.quadrant).collect();
    use Quadrant::*;
    assert_eq!(
        q,
        vec![
            ConcentrateHere,
            PossibleOverkill,
            KeepUpTheGoodWork,
            LowPriority
        ]
    );
    assert_eq!(ConcentrateHere.name(), "Concentrate here");
    // A fixed crosshair moves the lines.
    let r = ipa(
        &names,
        &perf,
        None,
        &ImportanceMethod::Stated(vec![5.0, 1.0, 3.0, 1.0]),
        Crosshair::Fixed {
            importance: 4.0,
            performance: 0.0,
        },
    )
    .unwrap();
    assert_eq!(r.points[2].quadrant, PossibleOverkill);
}

#[test]
fn derived_importance_by_correlation_and_standardized_regression() {
    // overall = 2·x1 + x2 exactly. x1 = 1..6, x2 = 2,1,3,1,2,4.
    // β*_j = b_j·sd(x_j)/sd(y): β*1 = 2·1.870829/4.446722 = 0.841584, β*2 = 1.169045/4.446722 = 0.262945.
    // r(x1, y) = 0.973833, r(x2, y) = 0.686222.
    let names: Vec<String> = vec!["x1".into(), "x2".into()];
    let x1 = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let x2 = [2.0, 1.0, 3.0, 1.0, 2.0, 4.0];
    let perf: Vec<Vec<f64>> = x1.iter().zip(&x2).map(|(a, b)| vec![*a, *b]).collect();
    let y: Vec<f64> = x1.iter().zip(&x2).map(|(a, b)| 2.0 * a + b).collect();
    let r = ipa(
        &names,
        &perf,
        Some(&y),
        &ImportanceMethod::Regression,
        Crosshair::Means,
    )
    .unwrap();
    assert!(close(r.points[0].importance, 0.841_583_7, 1e-6));
    assert!(close(r.points[1].importance, 0.262_944_8, 1e-6));
    let r = ipa(
        &names,
        &perf,
        Some(&y),
        &ImportanceMethod::Correlation,
        Crosshair::Means,
    )
    .unwrap();
    assert!(close(r.points[0].importance, 0.973_832_5, 1e-6));
    assert!(close(r.points[1].importance, 0.686_221_8, 1e-6));
    assert!(ipa(
        &names,
        &perf,
        None,
        &ImportanceMethod::Correlation,
        Crosshair::Means
    )
    .is_err());
    // Collinear attributes are reported, not NaN.
    let col: Vec<Vec<f64>> = x1.iter().map(|a| vec![*a, 2.0 * a]).collect();
    let e = ipa(
        &names,
        &col,
        Some(&y),
        &ImportanceMethod::Regression,
        Crosshair::Means,
    )
    .unwrap_err();
    assert!(e.to_string().contains("collinear"));
}

#[test]
fn trends_group_by_month_and_quarter() {
    let a = [
        (day("2024-01-03"), 10.0),
        (day("2024-01-20"), 0.0),
        (day("2024-02-01"), 9.0),
        (day("2024-04-30"), 8.0),
    ];
    let m = mean_trend(&a, Period::Month);
    let labels: Vec<&str> = m.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(labels, vec!["2024-01", "2024-02", "2024-04"]);
    assert!(close(m[0].value.unwrap(), 5.0, 1e-12));
    let q = nps_trend(&a, Period::Quarter);
    assert_eq!(q[0].label, "2024-Q1");
    assert_eq!(q[0].n, 3);
    // Q1: promoters 10, 9; detractor 0 → NPS = 100·(2/3 − 1/3) = 33.33.
    assert!(close(q[0].value.as_ref().unwrap().nps, 100.0 / 3.0, 1e-9));
    assert_eq!(q[1].start, day("2024-04-01"));
    assert!(q[1].too_few);
}

#[test]
fn respondents_match_customers_and_satisfaction_links_to_outcomes() {
    let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let m = match_respondents(
        &ids(&["1", "2", "3", "2", "x"]),
        &ids(&["1", "2", "3", "4"]),
    );
    assert_eq!((m.respondents, m.matched), (4, 3));
    assert!(close(m.match_rate, 0.75, 1e-12));
    assert_eq!(m.unmatched_examples, vec!["x"]);
    // NPS 10, 9, 7, 3, 0 with P(alive) .9, .7, .5, .2, .1:
    // Promoters mean (.9 + .7)/2 = .8; Passive .5; Detractors (.2 + .1)/2 = .15; r = 0.973027.
    let sat: HashMap<String, f64> = [("a", 10.0), ("b", 9.0), ("c", 7.0), ("d", 3.0), ("e", 0.0)]
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect();
    let pa: HashMap<String, f64> = [
        ("a", 0.9),
        ("b", 0.7),
        ("c", 0.5),
        ("d", 0.2),
        ("e", 0.1),
        ("z", 1.0),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), *v))
    .collect();
    let l = link_outcomes(&sat, &[("P(alive)".into(), pa)], &Classing::Nps);
    assert_eq!(l[0].n, 5);
    let means: Vec<(&str, f64)> = l[0]
        .by_class
        .iter()
        .map(|c| (c.class.as_str(), c.mean))
        .collect();
    assert_eq!(means.len(), 3);
    assert_eq!(means[0].0, "Detractor");
    assert!(close(means[0].1, 0.15, 1e-12));
    assert!(close(means[1].1, 0.5, 1e-12));
    assert!(close(means[2].1, 0.8, 1e-12));
    assert!(close(l[0].pearson.unwrap(), 0.973_027, 1e-6));
}
