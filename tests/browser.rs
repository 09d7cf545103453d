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
        import_settings: String::new(),
        sample: false,
    }
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
