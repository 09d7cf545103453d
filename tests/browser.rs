//! Browser tests (wasm-bindgen-test in headless Chromium): what needs a real browser —
//! IndexedDB storage and the storage repository on top of it.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::expect_used)]

use crm::io::storage::{Bucket, DataKind, DatasetMeta, IdbStore, KeyValue, Repository};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn meta(id: &str) -> DatasetMeta {
    DatasetMeta {
        id: id.into(),
        name: format!("browser test {id}"),
        file_name: "t.csv".into(),
        kind: DataKind::Survey,
        size_bytes: 4,
        added: "2026-01-01T00:00:00Z".into(),
        import_settings: Default::default(),
        sample: false,
        chunks: 0,
    }
}

#[wasm_bindgen_test]
async fn indexeddb_keeps_a_file_in_chunks_and_reads_a_schema_1_record() {
    let store = IdbStore::open().await.expect("IndexedDB opens in Chromium");
    // A dataset saved before chunking: one record under its id.
    store
        .put(Bucket::Files, "bt-old", b"a,b".to_vec())
        .await
        .expect("put");
    store
        .put(
            Bucket::Datasets,
            "bt-old",
            br#"{"schema":1,"value":{"id":"bt-old","name":"o","file_name":"o.csv","size_bytes":3}}"#
                .to_vec(),
        )
        .await
        .expect("put");
    let repo = Repository::new(store);
    assert_eq!(repo.file("bt-old").await.expect("old file"), b"a,b");
    let mut m = meta("bt2");
    m.chunks = 2;
    repo.save_chunk("bt2", 0, vec![1, 2, 3])
        .await
        .expect("chunk 0");
    repo.save_chunk("bt2", 1, vec![4]).await.expect("chunk 1");
    repo.update_meta(&m).await.expect("meta");
    assert_eq!(repo.file_chunk(&m, 1).await.expect("chunk"), vec![4]);
    assert_eq!(repo.file("bt2").await.expect("file"), vec![1, 2, 3, 4]);
    repo.delete("bt2").await.expect("delete");
    repo.delete("bt-old").await.expect("delete");
    assert!(repo.file_chunk(&m, 0).await.is_err());
}

#[wasm_bindgen_test]
async fn indexeddb_keeps_bytes_and_metadata_and_reports_damaged_records() {
    let store = IdbStore::open().await.expect("IndexedDB opens in Chromium");
    store
        .put(Bucket::Datasets, "damaged", b"{oops".to_vec())
        .await
        .expect("put");
    let repo = Repository::new(store);
    repo.save_dataset(&meta("bt1"), vec![0, 1, 2, 255])
        .await
        .expect("save");
    let listing = repo.list().await.expect("list");
    assert!(listing.datasets.iter().any(|m| m.id == "bt1"));
    assert!(listing
        .problems
        .iter()
        .any(|p| p.to_string().contains("damaged")));
    assert_eq!(repo.file("bt1").await.expect("file"), vec![0, 1, 2, 255]);
    let project = repo.export_project().await.expect("export");
    repo.delete("bt1").await.expect("delete");
    assert!(repo.file("bt1").await.is_err());
    let back = repo.import_project(&project).await.expect("import");
    assert!(back.iter().any(|m| m.id == "bt1"));
    assert_eq!(
        repo.file("bt1").await.expect("file again"),
        vec![0, 1, 2, 255]
    );
    assert!(repo.bytes_used().await.expect("usage") > 0);
}

#[wasm_bindgen_test]
fn charts_render_in_the_page() {
    use crm::ui::charts::{Chart, Kind};
    let c = Chart {
        title: "t".into(),
        x_label: "x".into(),
        y_label: "y".into(),
        kind: Kind::Bars {
            categories: vec!["a".into()],
            series: vec![("s".into(), vec![1.0])],
        },
    };
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .expect("document");
    let div = doc.create_element("div").expect("div");
    div.set_inner_html(&c.to_svg());
    assert_eq!(div.query_selector_all("rect").expect("query").length(), 2);
}
