//! Exercises that check themselves: the answers are the engine's values, the tolerance logic
//! accepts what it states and nothing more, and the same seed gives the same questions.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use crm::analysis::bgnbd_sheet;
use crm::analysis::exercises::{
    parse_typed, questions, Answer, ExerciseSet, Question, Tolerance, Verdict, DEFAULT_SEED,
    EXERCISE_CUSTOMERS, LESSONS, SETTING_KEY,
};
use crm::analysis::segment;
use crm::domain::clv::BtydModel;
use crm::io::import::{DataKind, ImportSettings};
use crm::io::storage::{DatasetMeta, MemoryStore, Repository};
use support::block_on;

fn number(q: &Question) -> (f64, Tolerance) {
    match q.answer {
        Answer::Number { value, tolerance } => (value, tolerance),
        Answer::Text(_) => panic!("{} is not a number question", q.id),
    }
}

fn customer_of(prompt: &str) -> String {
    let i = prompt.find('C').expect("a customer id in the prompt");
    prompt[i..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect()
}

#[test]
fn every_lesson_has_questions_and_clv_rfm_bgnbd_have_at_least_two() {
    for lesson in LESSONS {
        let qs = questions(lesson, DEFAULT_SEED).expect(lesson);
        let want = if matches!(lesson, "clv" | "rfm" | "bgnbd") {
            2
        } else {
            1
        };
        assert!(qs.len() >= want, "{lesson}: {}", qs.len());
        for q in &qs {
            assert!(!q.solution.is_empty() && !q.prompt.is_empty());
        }
    }
    assert!(questions("nonsense", 1).is_err());
}

#[test]
fn same_seed_same_questions_other_seed_other_questions() {
    for lesson in ["clv", "bgnbd"] {
        assert_eq!(
            questions(lesson, 11).unwrap(),
            questions(lesson, 11).unwrap()
        );
        assert_ne!(
            questions(lesson, 11).unwrap(),
            questions(lesson, 12).unwrap()
        );
    }
}

#[test]
fn bgnbd_answers_are_the_engines_p_alive_and_expected_purchases() {
    let seed = 31;
    let (_, summary) = bgnbd_sheet::simulated(EXERCISE_CUSTOMERS, seed).unwrap();
    let fit = bgnbd_sheet::fit(&summary.customers).unwrap();
    let BtydModel::BgNbd(p) = fit.model else {
        panic!()
    };
    let qs = questions("bgnbd", seed).unwrap();
    let find = |id: &str| summary.customers.iter().find(|c| c.id == id).unwrap();
    let c = find(&customer_of(&qs[0].prompt));
    let (v, _) = number(&qs[0]);
    assert!((v - p.p_alive(c.x, c.t_x, c.t)).abs() < 1e-12);
    assert!(qs[0].solution.contains(&format!("{v:.4}")));
    let d = find(&customer_of(&qs[1].prompt));
    let (e, _) = number(&qs[1]);
    assert!((e - p.conditional_expected_purchases(52.0, d.x, d.t_x, d.t)).abs() < 1e-12);
    assert!(qs[1].solution.contains(&format!("{e:.4}")));
    assert_eq!(number(&qs[2]).0, p.r);
}

#[test]
fn rfm_answer_is_the_segment_with_the_most_spend() {
    let seed = DEFAULT_SEED;
    let (_, summary) = bgnbd_sheet::simulated(EXERCISE_CUSTOMERS, seed).unwrap();
    let req = segment::default_request(summary.clone());
    let seg = segment::segment(&summary, &req, &mut |_, _| {}).unwrap();
    let top = seg
        .table
        .iter()
        .max_by(|a, b| a.revenue.total_cmp(&b.revenue))
        .unwrap();
    let qs = questions("rfm", seed).unwrap();
    assert_eq!(qs[0].check(&top.name.to_uppercase()), Verdict::Right);
    assert_eq!(qs[0].check(&format!("  {}  ", top.name)), Verdict::Right);
    assert_eq!(qs[0].check("no such segment"), Verdict::Wrong);
}

#[test]
fn clv_answer_is_the_teaching_formula() {
    let q = &questions("clv", 5).unwrap()[0];
    let (v, t) = number(q);
    assert_eq!(t, Tolerance::Absolute(0.5));
    // The prompt's numbers, filled into m·r/(1 + d − r), give the answer.
    let nums: Vec<f64> = q
        .prompt
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|s| s.trim_end_matches('.').parse().ok())
        .collect();
    let (m, r, d) = (nums[0], nums[1], nums[2]);
    assert!((v - m * r / (1.0 + d - r)).abs() < 1e-9, "{nums:?}");
}

#[test]
fn tolerance_accepts_what_it_states_and_nothing_more() {
    let q = Question {
        id: "t".into(),
        prompt: String::new(),
        answer: Answer::Number {
            value: 0.5,
            tolerance: Tolerance::Absolute(0.005),
        },
        solution: String::new(),
    };
    assert_eq!(q.check("0.505"), Verdict::Right);
    assert_eq!(q.check("0,497"), Verdict::Right);
    assert_eq!(q.check("0.506"), Verdict::Wrong);
    assert_eq!(q.check("half"), Verdict::NotANumber);
    assert!(Tolerance::Relative(0.01).accepts(101.0, 100.0));
    assert!(!Tolerance::Relative(0.01).accepts(101.2, 100.0));
    assert_eq!(parse_typed("1,234.5"), Some(1234.5));
    assert_eq!(Tolerance::Relative(0.01).describe(), "within 1%");
}

#[test]
fn the_shown_answer_passes_its_own_check() {
    for lesson in LESSONS {
        for q in questions(lesson, 99).unwrap() {
            assert_eq!(q.check(&q.answer_text()), Verdict::Right, "{}", q.id);
        }
    }
}

/// The settings of a project file's header, each as its stored value.
fn file_settings(file: &[u8]) -> Vec<(String, serde_json::Value)> {
    let text = String::from_utf8_lossy(file);
    let header: serde_json::Value = serde_json::from_str(text.lines().nth(1).unwrap()).unwrap();
    header["settings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|kv| {
            let stored: serde_json::Value = serde_json::from_str(kv[1].as_str().unwrap()).unwrap();
            (kv[0].as_str().unwrap().to_string(), stored["value"].clone())
        })
        .collect()
}

#[test]
fn a_student_file_holds_the_seed_and_data_but_no_answer_or_solution_and_the_teacher_keeps_hers() {
    block_on(async {
        let seed = 4242;
        let teacher = Repository::new(MemoryStore::default());
        let mine = ExerciseSet::teacher_copy(seed);
        assert!(mine.shows_solutions());
        teacher.set_setting(SETTING_KEY, &mine).await.unwrap();
        let (data, _) = bgnbd_sheet::simulated(EXERCISE_CUSTOMERS, seed).unwrap();
        let meta = DatasetMeta {
            id: "exercise-data".into(),
            name: data.file_name.clone(),
            file_name: data.file_name.clone(),
            kind: DataKind::Transactions,
            size_bytes: data.bytes.len() as u64,
            added: String::new(),
            import_settings: ImportSettings::default(),
            sample: false,
            chunks: 0,
        };
        teacher
            .save_dataset(&meta, data.bytes.clone())
            .await
            .unwrap();
        for include in [false, true] {
            let student = mine.student_file(include);
            let mut file = Vec::new();
            teacher
                .export_project_parts_replacing(
                    &[(SETTING_KEY.into(), serde_json::to_value(student).unwrap())],
                    |part, _, _| file.extend(part),
                )
                .await
                .unwrap();
            // The teacher's own copy is untouched.
            assert_eq!(
                teacher.setting::<ExerciseSet>(SETTING_KEY).await.unwrap(),
                Some(mine)
            );
            // The file's set is the seed and the students' choice, nothing else.
            let settings = file_settings(&file);
            let sets: Vec<_> = settings.iter().filter(|(k, _)| k == SETTING_KEY).collect();
            assert_eq!(sets.len(), 1);
            assert_eq!(
                sets[0].1,
                serde_json::json!({ "seed": seed, "include_solutions": include })
            );
            // No worked solution anywhere in the file, no answer in its header.
            let text = String::from_utf8_lossy(&file);
            let header = text.lines().nth(1).unwrap();
            for lesson in LESSONS {
                for q in questions(lesson, seed).unwrap() {
                    assert!(!text.contains(&q.solution), "{} solution in the file", q.id);
                    let answer = q.answer_text();
                    if answer.len() >= 3 {
                        assert!(!header.contains(&answer), "{} answer {answer}", q.id);
                    }
                }
            }
            assert!(!header.contains("teacher"));
            // A student opens it: the same seed and data; solutions only when included.
            let pupil = Repository::new(MemoryStore::default());
            pupil.import_project(&file).await.unwrap();
            let got = pupil
                .setting::<ExerciseSet>(SETTING_KEY)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(got.seed, seed);
            assert!(!got.teacher);
            assert_eq!(got.shows_solutions(), include);
            let listed = pupil.list().await.unwrap().datasets;
            assert_eq!(listed.len(), 1);
            assert_eq!(listed[0].size_bytes, data.bytes.len() as u64);
        }
    });
}
