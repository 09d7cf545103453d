//! Storage, natively with the in-memory backend: writes that fail are failures and leave the
//! previous list intact, interrupted work is swept, "delete everything" leaves nothing, records
//! of every past schema still load (fixtures in `tests/fixtures/storage/`), and hostile project
//! files are refused with a clear error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crm::domain::customers::{ReturnsPolicy, SummaryOptions, TimeUnit};
use crm::io::import::{BadRows, DataKind, DecimalSep, ImportSettings, Mapping};
use crm::io::storage::{
    Bucket, DatasetMeta, KeyValue, MemoryStore, Repository, StorageError, FILE_CHUNK_BYTES,
};
use std::path::Path;
use support::block_on;

mod support;

fn meta(id: &str) -> DatasetMeta {
    DatasetMeta {
        id: id.into(),
        name: format!("data {id}"),
        file_name: format!("{id}.csv"),
        kind: DataKind::Transactions,
        size_bytes: 3,
        added: format!("2026-01-0{id}"),
        import_settings: ImportSettings::default(),
        sample: false,
        chunks: 1,
    }
}

fn fixture(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/storage")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn ids(repo: &Repository<MemoryStore>) -> Vec<String> {
    block_on(repo.list())
        .unwrap()
        .datasets
        .into_iter()
        .map(|m| m.id)
        .collect()
}

// --- Writes that fail are failures. ---

#[test]
fn a_refused_chunk_is_an_error_and_the_dataset_is_not_listed() {
    block_on(async {
        let repo = Repository::new(MemoryStore::default());
        repo.save_dataset(&meta("1"), b"a,b".to_vec())
            .await
            .unwrap();
        let big: Vec<u8> = vec![7; FILE_CHUNK_BYTES * 2 + 1];
        // The first chunk is written, the second is refused as a full quota would be.
        repo.kv().fail_puts_after(1);
        let err = repo.save_dataset(&meta("2"), big).await.unwrap_err();
        assert!(
            matches!(&err, StorageError::QuotaExceeded { key } if key == "files/2/000001"),
            "{err:?}"
        );
        assert!(err.to_string().contains("full"), "{err}");
        repo.kv().stop_failing();
        assert_eq!(ids(&repo), ["1"], "the half-saved dataset is not listed");
        // Its first chunk is an orphan: the next start sweeps it, and nothing else.
        assert_eq!(repo.sweep_orphans().await.unwrap(), 1);
        assert_eq!(repo.kv().keys(Bucket::Files).await.unwrap(), ["1/000000"]);
        assert_eq!(repo.file("1").await.unwrap(), b"a,b");
    });
}

#[test]
fn a_refused_metadata_write_lists_nothing_new() {
    block_on(async {
        let repo = Repository::new(MemoryStore::default());
        repo.kv().fail_puts_after(1); // the chunk, not the record
        assert!(repo.save_dataset(&meta("1"), b"x".to_vec()).await.is_err());
        repo.kv().stop_failing();
        assert!(ids(&repo).is_empty());
        assert_eq!(repo.sweep_orphans().await.unwrap(), 1);
        assert!(repo.kv().is_empty());
    });
}

#[test]
fn a_project_import_refused_midway_leaves_the_previous_list_intact() {
    block_on(async {
        let a = Repository::new(MemoryStore::default());
        for id in ["1", "2", "3"] {
            a.save_dataset(&meta(id), format!("data {id}").into_bytes())
                .await
                .unwrap();
        }
        let file = a.export_project().await.unwrap();
        let b = Repository::new(MemoryStore::default());
        b.save_dataset(&meta("9"), b"mine".to_vec()).await.unwrap();
        // Room for the first dataset's chunk and record, then for one chunk more.
        b.kv().fail_puts_after(3);
        let err = b.import_project(&file).await.unwrap_err();
        assert!(matches!(err, StorageError::QuotaExceeded { .. }), "{err:?}");
        b.kv().stop_failing();
        // What was fully written is listed whole; the rest is not listed at all.
        assert_eq!(ids(&b), ["1", "9"]);
        assert_eq!(b.file("1").await.unwrap(), b"data 1");
        assert_eq!(b.sweep_orphans().await.unwrap(), 1);
        assert_eq!(b.file("9").await.unwrap(), b"mine");
    });
}

#[test]
fn sweeping_keeps_every_piece_of_a_listed_dataset_and_drops_stray_results() {
    block_on(async {
        let repo = Repository::new(MemoryStore::default());
        repo.save_dataset(&meta("1"), vec![1; FILE_CHUNK_BYTES + 1])
            .await
            .unwrap();
        repo.put_result("1", "summary", &1.0).await.unwrap();
        repo.put_result("gone", "summary", &2.0).await.unwrap();
        repo.kv()
            .put(Bucket::Files, "gone/000000", b"x".to_vec())
            .await
            .unwrap();
        assert_eq!(repo.sweep_orphans().await.unwrap(), 2);
        assert_eq!(repo.file("1").await.unwrap().len(), FILE_CHUNK_BYTES + 1);
        assert_eq!(repo.result::<f64>("1", "summary").await.unwrap(), Some(1.0));
        assert_eq!(repo.sweep_orphans().await.unwrap(), 0);
    });
}

#[test]
fn delete_everything_leaves_no_stored_byte_in_any_bucket() {
    block_on(async {
        let repo = Repository::new(MemoryStore::default());
        repo.save_dataset(&meta("1"), b"a,b".to_vec())
            .await
            .unwrap();
        repo.set_setting("summary-options", &SummaryOptions::default())
            .await
            .unwrap();
        repo.put_result_bytes("1", "fit", &[1, 2, 3]).await.unwrap();
        repo.kv()
            .put(Bucket::Files, "stray", b"x".to_vec())
            .await
            .unwrap();
        repo.clear_all().await.unwrap();
        assert!(repo.kv().is_empty(), "{} values left", repo.kv().len());
        assert_eq!(repo.bytes_used().await.unwrap(), 0);
    });
}

// --- Old data still loads. ---

#[test]
fn dataset_records_of_schema_1_2_and_3_still_load() {
    block_on(async {
        let kv = MemoryStore::default();
        let csv = fixture("dataset_schema1.file");
        kv.put(Bucket::Datasets, "s1", fixture("dataset_schema1.json"))
            .await
            .unwrap();
        kv.put(Bucket::Files, "s1", csv.clone()).await.unwrap();
        for (id, name) in [
            ("s2", "dataset_schema2.json"),
            ("s3", "dataset_schema3.json"),
        ] {
            kv.put(Bucket::Datasets, id, fixture(name)).await.unwrap();
            kv.put(Bucket::Files, &format!("{id}/000000"), csv.clone())
                .await
                .unwrap();
        }
        let repo = Repository::new(kv);
        let l = repo.list().await.unwrap();
        assert_eq!(l.problems, vec![]);
        let [s1, s2, s3] = &l.datasets[..] else {
            panic!("{:?}", l.datasets)
        };
        assert_eq!(
            (s1.id.as_str(), s1.chunks, s1.kind),
            ("s1", 0, DataKind::default())
        );
        assert_eq!(s1.import_settings, ImportSettings::default());
        assert_eq!(s2.kind, DataKind::Survey);
        assert_eq!(s2.import_settings.kind, Some(DataKind::Survey));
        assert_eq!(s2.import_settings.options.decimal, Some(DecimalSep::Comma));
        assert_eq!(s2.import_settings.bad_rows, BadRows::Fail);
        assert_eq!((s3.kind, s3.sample), (DataKind::Cohort, true));
        assert_eq!(s3.import_settings.options.decimal, Some(DecimalSep::Dot));
        for m in [s1, s2, s3] {
            assert_eq!(repo.file(&m.id).await.unwrap(), csv, "{}", m.id);
        }
        // Nothing of them is an orphan.
        assert_eq!(repo.sweep_orphans().await.unwrap(), 0);
    });
}

#[test]
fn settings_records_of_schema_1_2_and_3_still_load() {
    for v in 1..=3 {
        block_on(async {
            let all: serde_json::Map<String, serde_json::Value> =
                serde_json::from_slice(&fixture(&format!("settings_schema{v}.json"))).unwrap();
            let kv = MemoryStore::default();
            for (k, record) in &all {
                kv.put(Bucket::Settings, k, serde_json::to_vec(record).unwrap())
                    .await
                    .unwrap();
            }
            let repo = Repository::new(kv);
            let o: SummaryOptions = repo.setting("summary-options").await.unwrap().unwrap();
            assert_eq!(
                (o.time_unit, o.returns),
                (TimeUnit::Month, ReturnsPolicy::Drop)
            );
            assert_eq!(
                o.observation_end.map(|d| d.to_string()).as_deref(),
                Some("2024-12-31")
            );
            let m: Vec<Mapping> = repo.setting("remembered-mappings").await.unwrap().unwrap();
            assert_eq!(
                (m[0].customer, m[0].amount),
                (Some(0), Some(2)),
                "schema {v}"
            );
            let active: String = repo.setting("active/transactions").await.unwrap().unwrap();
            assert_eq!(active, "s1");
        });
    }
}

#[test]
fn project_files_of_version_1_and_2_still_load() {
    block_on(async {
        let csv = fixture("dataset_schema1.file");
        let repo = Repository::new(MemoryStore::default());
        let got = repo
            .import_project(&fixture("project_v1.crmproject"))
            .await
            .unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(repo.file("p1").await.unwrap(), csv);
        let o: SummaryOptions = repo.setting("summary-options").await.unwrap().unwrap();
        assert_eq!(o.time_unit, TimeUnit::Day);

        let got = repo
            .import_project(&fixture("project_v2.crmproject"))
            .await
            .unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(repo.file("p2").await.unwrap(), csv);
        assert_eq!(
            repo.file("p3").await.unwrap(),
            b"respondent,score\nr1,9\nr2,7\n"
        );
        let l = repo.list().await.unwrap();
        assert_eq!(l.problems, vec![]);
        assert_eq!(l.datasets.len(), 3);
        let p3 = l.datasets.iter().find(|m| m.id == "p3").unwrap();
        assert_eq!(p3.import_settings.kind, Some(DataKind::Survey));
    });
}

// --- Hostile project files. ---

/// A version-2 project file with this header line and these bytes after it.
fn project_with(header: &serde_json::Value, data: &[u8]) -> Vec<u8> {
    let mut f = b"crm-analytics-project 2\n".to_vec();
    f.extend_from_slice(serde_json::to_string(header).unwrap().as_bytes());
    f.push(b'\n');
    f.extend_from_slice(data);
    f
}

fn header(datasets: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "format": "crm-analytics-project", "schema": 3,
        "datasets": datasets, "settings": [],
    })
}

fn entry(id: &str, offset: u64, length: u64) -> serde_json::Value {
    serde_json::json!({
        "meta": {"id": id, "name": "n", "file_name": "f.csv", "size_bytes": length},
        "offset": offset, "length": length,
    })
}

fn refused(file: &[u8], says: &str) {
    block_on(async {
        let repo = Repository::new(MemoryStore::default());
        let err = repo.import_project(file).await.unwrap_err();
        assert!(matches!(err, StorageError::BadProject(_)), "{err:?}");
        assert!(err.to_string().contains(says), "{err}");
        assert!(
            repo.kv().is_empty(),
            "nothing is written from a refused file"
        );
    });
}

#[test]
fn a_project_offset_that_overflows_is_refused_not_imported() {
    let f = project_with(
        &header(serde_json::json!([entry("a", u64::MAX - 2, 4)])),
        b"abcd",
    );
    refused(&f, "past the end");
    let f = project_with(
        &header(serde_json::json!([entry("a", 2, u64::MAX)])),
        b"abcd",
    );
    refused(&f, "over the 1000 MB");
}

#[test]
fn a_project_dataset_over_the_dropped_file_limit_is_refused() {
    let f = project_with(
        &header(serde_json::json!([entry("a", 0, 1_000_000_001)])),
        b"x",
    );
    refused(&f, "over the 1000 MB");
}

#[test]
fn project_dataset_ids_must_be_safe_short_and_distinct() {
    for (id, says) in [
        ("", "is empty"),
        ("../x", "characters other than"),
        ("a/000001", "characters other than"),
        (&"d".repeat(201)[..], "longer than 200"),
    ] {
        let f = project_with(&header(serde_json::json!([entry(id, 0, 1)])), b"x");
        refused(&f, says);
    }
    let f = project_with(
        &header(serde_json::json!([entry("a", 0, 1), entry("a", 1, 1)])),
        b"xy",
    );
    refused(&f, "appears twice");
    // A version-1 file is held to the same rules.
    let v1 = serde_json::json!({
        "format": "crm-analytics-project", "schema": 2, "settings": [],
        "datasets": [{"meta": {"id": "a b", "name": "n", "file_name": "f", "size_bytes": 1},
                      "bytes_base64": "eA=="}],
    });
    refused(&serde_json::to_vec(&v1).unwrap(), "characters other than");
}

#[test]
fn a_project_header_that_never_ends_is_refused_at_its_cap() {
    let mut f = b"crm-analytics-project 2\n{\"format\":\"".to_vec();
    f.resize(f.len() + (65 << 20), b'a');
    refused(&f, "header is over 64 MB");
}

#[test]
fn a_project_setting_with_an_unprintable_key_is_refused() {
    let mut h = header(serde_json::json!([]));
    h["settings"] = serde_json::json!([["bad\u{0}key", "{}"]]);
    refused(&project_with(&h, b""), "unprintable");
}
