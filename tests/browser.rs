//! Browser tests (wasm-bindgen-test in headless Chromium): what needs a real browser —
//! IndexedDB storage and the storage repository on top of it, and the worker handshake and
//! panic channel as the browser encodes and delivers them, and the worker reading a file by its
//! object URL.
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

#[wasm_bindgen_test]
fn the_release_handshake_encodes_in_the_browser_as_natively() {
    use crm::worker::protocol::{check_release, release, Request, Response};
    assert_eq!(check_release(&release()), Ok(()));
    assert!(check_release("0 0.0.0").is_err());
    // Ping and Pong are variant 0 with a u32 id first, as on a 64-bit machine.
    let ping = bincode::serialize(&Request::Ping {
        job: 5,
        release: release(),
        page: "p".into(),
    })
    .expect("encodes");
    let pong = bincode::serialize(&Response::Pong {
        job: 5,
        release: release(),
    })
    .expect("encodes");
    assert_eq!(&ping[..8], &[0, 0, 0, 0, 5, 0, 0, 0]);
    assert!(ping.starts_with(&pong));
}

#[wasm_bindgen_test]
async fn a_panic_report_reaches_the_page_on_its_crash_channel() {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let name = crm::worker::protocol::crash_channel_name("browser-test");
    let page = web_sys::BroadcastChannel::new(&name).expect("a channel");
    let (tx, rx) = futures_channel::oneshot::channel::<String>();
    let tx = std::cell::RefCell::new(Some(tx));
    let handler =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            if let Some(tx) = tx.borrow_mut().take() {
                let _ = tx.send(e.data().as_string().unwrap_or_default());
            }
        });
    page.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    // What the worker's panic hook does.
    let worker = web_sys::BroadcastChannel::new(&name).expect("a channel");
    worker
        .post_message(&"index out of bounds".into())
        .expect("posted");
    assert_eq!(rx.await.expect("a report"), "index out of bounds");
    page.close();
    worker.close();
}

/// FNV-1a (64 bits), as tests/overview.rs computes it natively.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[wasm_bindgen_test]
fn the_sample_files_are_the_bytes_crm_makes() {
    // The same fingerprints as tests/overview.rs pins natively: the page's sample data and
    // `crm`'s are the same files (a seeded index draw once took 32 bits here and 64 natively).
    let crm::worker::tasks::Output::Sample(files) = crm::worker::tasks::run(
        crm::worker::tasks::Task::Sample {
            n_customers: 2000,
            seed: 42,
        },
        &mut |_, _| {},
    )
    .expect("the sample is made") else {
        panic!("not a sample")
    };
    assert_eq!(
        (
            fnv1a(&files.transactions),
            fnv1a(&files.survey),
            fnv1a(&files.cohort)
        ),
        (
            0x3d08_8148_c895_2d2d,
            0x151a_21b9_9531_30a9,
            0x0aa8_afe6_6a0f_e6a6
        )
    );
}

/// A log of `n` rows (about 26 bytes each).
fn log_text(n: usize) -> String {
    let mut s = String::from("customer,date,amount\n");
    for i in 0..n {
        s.push_str(&format!(
            "C{:05},2024-0{}-1{},{}.5\n",
            i % 7919,
            1 + i % 9,
            i % 10,
            i % 300
        ));
    }
    s
}

#[wasm_bindgen_test]
async fn the_worker_reads_a_saved_file_through_an_object_url_as_the_whole_file_imports() {
    use crm::domain::customers::SummaryOptions;
    use crm::io::import::{import_bytes, ImportJob, ImportSettings};
    use crm::worker::error::WorkerError;
    use std::cell::Cell;
    // Larger than one slice of the reader, kept in two chunks: one as bytes (as older
    // versions kept them), one as a Blob (as a chosen file's slice is kept now). Over twice
    // the reader's progress step (8 MiB) with room to spare: with 9.4 MB the browser could hand
    // over pieces that crossed the first step only at the end, and progress came once.
    let text = log_text(1_000_000);
    let bytes = text.as_bytes();
    assert!(bytes.len() > 20 << 20, "{}", bytes.len());
    let cut = bytes.len() / 3;
    let repo = Repository::new(IdbStore::open().await.expect("IndexedDB opens"));
    let mut m = meta("bt-url");
    m.chunks = 2;
    m.size_bytes = bytes.len() as u64;
    repo.save_chunk("bt-url", 0, bytes[..cut].to_vec())
        .await
        .expect("chunk 0");
    let tail = js_sys::Array::of1(&js_sys::Uint8Array::from(&bytes[cut..]));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&tail).expect("blob");
    repo.save_chunk_blob("bt-url", 1, &blob)
        .await
        .expect("chunk 1");
    let joined = repo.file_blob(&m).await.expect("joined");
    assert_eq!(joined.size() as usize, bytes.len());
    let url = web_sys::Url::create_object_url_with_blob(&joined).expect("url");
    let job = || {
        ImportJob::new(
            "log.csv",
            bytes.len() as u64,
            ImportSettings::default(),
            SummaryOptions::default(),
        )
    };
    let mut slices = Vec::new();
    let read = crm::worker::reader::read(
        &url,
        "log.csv",
        job(),
        &Cell::new(false),
        &mut |j: &ImportJob| slices.push(j.consumed()),
    )
    .await
    .expect("not cancelled")
    .expect("read");
    let got = read.finish(&mut |_, _| {}).expect("imported");
    let want = import_bytes(
        "log.csv",
        bytes,
        &ImportSettings::default(),
        &SummaryOptions::default(),
        &mut |_, _| {},
    )
    .expect("whole");
    assert_eq!(got, want);
    assert!(slices.len() >= 2, "{slices:?}");
    assert_eq!(slices.last().copied(), Some(bytes.len() as u64));
    // Cancelled: nothing comes back.
    let cancelled = Cell::new(true);
    assert!(
        crm::worker::reader::read(&url, "log.csv", job(), &cancelled, &mut |_: &ImportJob| {})
            .await
            .is_none()
    );
    // Once the page revokes the address, the file cannot be read and the user is told so.
    web_sys::Url::revoke_object_url(&url).expect("revoke");
    let err = crm::worker::reader::read(
        &url,
        "log.csv",
        job(),
        &Cell::new(false),
        &mut |_: &ImportJob| {},
    )
    .await
    .expect("not cancelled")
    .err();
    assert_eq!(
        err,
        Some(WorkerError::Unreadable {
            file_name: "log.csv".into()
        })
    );
    repo.delete("bt-url").await.expect("delete");
}
