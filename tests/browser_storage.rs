//! Browser tests of the IndexedDB backend's failure handling (wasm-bindgen-test in headless
//! Chromium): writes are done only when their transaction completes, "delete everything"
//! empties every object store, orphan chunks are swept, and a connection closes itself when
//! another tab deletes or upgrades the database.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::expect_used, clippy::unwrap_used)]

use crm::io::storage::{Bucket, DataKind, DatasetMeta, IdbStore, KeyValue, Repository};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn meta(id: &str) -> DatasetMeta {
    DatasetMeta {
        id: id.into(),
        name: format!("browser storage test {id}"),
        file_name: "t.csv".into(),
        kind: DataKind::Survey,
        size_bytes: 4,
        added: "2026-01-01T00:00:00Z".into(),
        import_settings: Default::default(),
        sample: false,
        chunks: 0,
    }
}

/// One test, in order: they share the one database.
#[wasm_bindgen_test]
async fn indexeddb_writes_sweeps_clears_and_closes_on_version_change() {
    let closed = Rc::new(Cell::new(false));
    let c = closed.clone();
    let store = IdbStore::open_watching(|| {}, move || c.set(true))
        .await
        .expect("IndexedDB opens in Chromium");
    let repo = Repository::new(store);
    repo.save_dataset(&meta("bs-1"), b"a,b\n".to_vec())
        .await
        .expect("a write completes");
    assert_eq!(repo.file("bs-1").await.unwrap(), b"a,b\n");
    // A chunk whose dataset record was never written (an interrupted import) is swept.
    repo.kv()
        .put(Bucket::Files, "bs-orphan/000000", b"x".to_vec())
        .await
        .unwrap();
    assert!(repo.sweep_orphans().await.unwrap() >= 1);
    assert!(!repo
        .kv()
        .keys(Bucket::Files)
        .await
        .unwrap()
        .iter()
        .any(|k| k.starts_with("bs-orphan")));
    assert!(repo.file("bs-1").await.is_ok());
    // Delete everything: every object store is empty.
    repo.set_setting("bs-setting", &1u32).await.unwrap();
    repo.put_result_bytes("bs-1", "fit", &[1, 2]).await.unwrap();
    repo.clear_all().await.unwrap();
    for b in Bucket::ALL {
        assert_eq!(
            repo.kv().keys(b).await.unwrap(),
            Vec::<String>::new(),
            "{b:?}"
        );
    }
    // Another tab deletes the database: this connection closes itself and says so; a later
    // write is an error, not a hang.
    let factory = web_sys::window().unwrap().indexed_db().unwrap().unwrap();
    let req = factory.delete_database("crm-analytics").unwrap();
    let done = js_sys::Promise::new(&mut |res, _| {
        let f = wasm_bindgen::closure::Closure::once_into_js(move || {
            let _ = res.call0(&wasm_bindgen::JsValue::NULL);
        });
        req.set_onsuccess(Some(wasm_bindgen::JsCast::unchecked_ref(&f)));
    });
    wasm_bindgen_futures::JsFuture::from(done).await.unwrap();
    assert!(closed.get(), "the version change was reported");
    assert!(repo.set_setting("after", &1u32).await.is_err());
}
