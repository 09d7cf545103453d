//! IndexedDB backend (browser), on the browser's own API (`web_sys`). Values are stored as byte
//! arrays. Every write waits for its transaction to *complete*: Chromium reports a full quota as
//! a successful request followed by an aborted transaction, so a write is only done when the
//! transaction says so, and an abort becomes an error that names its cause
//! ([`StorageError::QuotaExceeded`], [`StorageError::Aborted`]).

use super::{Bucket, KeyValue, StorageError};
use js_sys::{Function, Promise};
use std::cell::RefCell;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DomException, Event, IdbDatabase, IdbObjectStore, IdbOpenDbRequest, IdbRequest, IdbTransaction,
    IdbTransactionMode,
};

/// Database name.
pub const DB_NAME: &str = "crm-analytics";
/// IndexedDB version (the object-store layout); record layouts are versioned separately.
pub const DB_VERSION: u32 = 1;

type Handler = Closure<dyn FnMut(Event)>;

/// A [`KeyValue`] store in the browser's IndexedDB.
pub struct IdbStore {
    db: IdbDatabase,
    /// Closes this connection when another tab upgrades or deletes the database.
    _on_version_change: Handler,
}

fn backend(e: JsValue) -> StorageError {
    StorageError::Backend(describe(&e))
}

/// The name and message of a DOMException (or whatever was thrown).
fn describe(e: &JsValue) -> String {
    match e.dyn_ref::<DomException>() {
        Some(d) => format!("{}: {}", d.name(), d.message()),
        None => e
            .as_string()
            .or_else(|| {
                e.dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
            })
            .unwrap_or_else(|| format!("{e:?}")),
    }
}

/// The error a failed write reports: a full quota by name, anything else with its reason.
fn write_failed(key: &str, cause: Option<DomException>) -> StorageError {
    match cause {
        Some(d) if d.name() == "QuotaExceededError" => StorageError::QuotaExceeded {
            key: key.to_string(),
        },
        Some(d) => StorageError::Aborted {
            key: key.to_string(),
            reason: format!("{}: {}", d.name(), d.message()),
        },
        None => StorageError::Aborted {
            key: key.to_string(),
            reason: "the browser cancelled the write".into(),
        },
    }
}

/// A promise with its resolve and reject functions.
fn deferred() -> Result<(Promise, Function, Function), StorageError> {
    let mut fns = None;
    let p = Promise::new(&mut |res, rej| fns = Some((res, rej)));
    let (res, rej) = fns.ok_or_else(|| StorageError::Backend("no promise".into()))?;
    Ok((p, res, rej))
}

/// Waits for a request's result (success) or its error.
async fn request(req: &IdbRequest) -> Result<JsValue, JsValue> {
    let (p, res, rej) = deferred().map_err(|e| JsValue::from_str(&e.to_string()))?;
    let r = req.clone();
    let ok: Handler = Closure::new(move |_| {
        let _ = res.call1(&JsValue::NULL, &r.result().unwrap_or(JsValue::UNDEFINED));
    });
    let r = req.clone();
    let bad: Handler = Closure::new(move |_| {
        let e = r.error().ok().flatten().map(JsValue::from);
        let _ = rej.call1(&JsValue::NULL, &e.unwrap_or(JsValue::NULL));
    });
    req.set_onsuccess(Some(ok.as_ref().unchecked_ref()));
    req.set_onerror(Some(bad.as_ref().unchecked_ref()));
    let out = JsFuture::from(p).await;
    req.set_onsuccess(None);
    req.set_onerror(None);
    out
}

/// Waits for a transaction to complete; an abort gives its cause (`None` when the browser
/// gives none).
async fn settle(tx: &IdbTransaction) -> Result<(), Option<DomException>> {
    let (p, res, rej) = deferred().map_err(|_| None)?;
    let ok: Handler = Closure::new(move |_| {
        let _ = res.call0(&JsValue::NULL);
    });
    let t = tx.clone();
    let bad: Handler = Closure::new(move |_| {
        let e = t.error().map(JsValue::from);
        let _ = rej.call1(&JsValue::NULL, &e.unwrap_or(JsValue::NULL));
    });
    tx.set_oncomplete(Some(ok.as_ref().unchecked_ref()));
    tx.set_onabort(Some(bad.as_ref().unchecked_ref()));
    let out = JsFuture::from(p).await;
    tx.set_oncomplete(None);
    tx.set_onabort(None);
    out.map(|_| ())
        .map_err(|e| e.dyn_into::<DomException>().ok())
}

impl IdbStore {
    /// Opens (creating or upgrading) the database.
    ///
    /// # Errors
    /// [`StorageError::Backend`] when IndexedDB is unavailable (for instance in some private modes).
    pub async fn open() -> Result<Self, StorageError> {
        Self::open_watching(|| {}, || {}).await
    }

    /// Opens the database; `on_blocked` is called when another tab holds an older version
    /// open (the open then waits for it), `on_closed` when another tab upgrades or deletes
    /// the database: this connection is then closed and the page should be reloaded.
    ///
    /// # Errors
    /// [`StorageError::Backend`] when IndexedDB is unavailable (for instance in some private modes).
    pub async fn open_watching(
        on_blocked: impl FnMut() + 'static,
        mut on_closed: impl FnMut() + 'static,
    ) -> Result<Self, StorageError> {
        let factory = web_sys::window()
            .ok_or_else(|| StorageError::Backend("no window".into()))?
            .indexed_db()
            .map_err(backend)?
            .ok_or_else(|| StorageError::Backend("IndexedDB is unavailable".into()))?;
        let open: IdbOpenDbRequest = factory
            .open_with_u32(DB_NAME, DB_VERSION)
            .map_err(backend)?;
        let o = open.clone();
        let upgrade: Handler = Closure::new(move |_| {
            let Ok(db) = o.result().and_then(|d| d.dyn_into::<IdbDatabase>()) else {
                return;
            };
            let names = db.object_store_names();
            for b in Bucket::ALL {
                if !names.contains(b.name()) {
                    let _ = db.create_object_store(b.name());
                }
            }
        });
        let on_blocked = RefCell::new(on_blocked);
        let blocked: Handler = Closure::new(move |_| (on_blocked.borrow_mut())());
        open.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
        open.set_onblocked(Some(blocked.as_ref().unchecked_ref()));
        let r = request(&open).await;
        open.set_onupgradeneeded(None);
        open.set_onblocked(None);
        let db: IdbDatabase = r.map_err(backend)?.dyn_into().map_err(backend)?;
        let d = db.clone();
        let on_version_change: Handler = Closure::new(move |_| {
            d.close();
            on_closed();
        });
        db.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
        Ok(IdbStore {
            db,
            _on_version_change: on_version_change,
        })
    }

    fn store(
        &self,
        bucket: Bucket,
        mode: IdbTransactionMode,
    ) -> Result<(IdbTransaction, IdbObjectStore), StorageError> {
        let tx = self
            .db
            .transaction_with_str_and_mode(bucket.name(), mode)
            .map_err(backend)?;
        let store = tx.object_store(bucket.name()).map_err(backend)?;
        Ok((tx, store))
    }

    /// Keeps `blob` (a slice of a file the user chose) under `key`: the browser copies its
    /// bytes into storage off the page's thread, where a byte array would first be copied on
    /// it (a 12 MB chunk blocked the page for over 100 ms). Read back as bytes by `get`.
    ///
    /// # Errors
    /// As [`KeyValue::put`].
    pub async fn put_blob(
        &self,
        bucket: Bucket,
        key: &str,
        blob: &web_sys::Blob,
    ) -> Result<(), StorageError> {
        self.write(bucket, key, |s| {
            s.put_with_key(blob, &JsValue::from_str(key))
        })
        .await
    }

    /// The value under `key` as a Blob, without reading it: a file's chunk kept as a Blob
    /// (see [`Self::put_blob`]) is handed back as it is, one kept as bytes is wrapped in one.
    ///
    /// # Errors
    /// [`StorageError::Backend`] when the browser refuses; [`StorageError::NotFound`] when
    /// nothing is kept under `key`.
    pub async fn get_blob(&self, bucket: Bucket, key: &str) -> Result<web_sys::Blob, StorageError> {
        let (_tx, store) = self.store(bucket, IdbTransactionMode::Readonly)?;
        let req = store.get(&JsValue::from_str(key)).map_err(backend)?;
        let v = request(&req).await.map_err(backend)?;
        if v.is_undefined() || v.is_null() {
            return Err(StorageError::NotFound(key.to_string()));
        }
        match v.dyn_into::<web_sys::Blob>() {
            Ok(blob) => Ok(blob),
            Err(bytes) => {
                let parts = js_sys::Array::of1(&bytes);
                web_sys::Blob::new_with_buffer_source_sequence(&parts).map_err(backend)
            }
        }
    }

    /// Runs one write in its own transaction and waits for the transaction to complete.
    async fn write(
        &self,
        bucket: Bucket,
        key: &str,
        op: impl FnOnce(&IdbObjectStore) -> Result<IdbRequest, JsValue>,
    ) -> Result<(), StorageError> {
        let what = format!("{}/{key}", bucket.name());
        let (tx, store) = self.store(bucket, IdbTransactionMode::Readwrite)?;
        if let Err(e) = op(&store) {
            let _ = tx.abort();
            return Err(match e.dyn_into::<DomException>() {
                Ok(d) => write_failed(&what, Some(d)),
                Err(e) => StorageError::Backend(describe(&e)),
            });
        }
        settle(&tx)
            .await
            .map_err(|cause| write_failed(&what, cause))
    }
}

impl Drop for IdbStore {
    fn drop(&mut self) {
        self.db.set_onversionchange(None);
    }
}

/// Values from this size on are kept as Blobs (see `put`).
const BLOB_FROM: u32 = 1 << 20;

impl KeyValue for IdbStore {
    async fn get(&self, bucket: Bucket, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        let (_tx, store) = self.store(bucket, IdbTransactionMode::Readonly)?;
        let req = store.get(&JsValue::from_str(key)).map_err(backend)?;
        let v = request(&req).await.map_err(backend)?;
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        // A file's chunk may be kept as a Blob (see [`IdbStore::put_blob`]).
        let v = match v.dyn_ref::<web_sys::Blob>() {
            Some(blob) => JsFuture::from(blob.array_buffer()).await.map_err(backend)?,
            None => v,
        };
        Ok(Some(js_sys::Uint8Array::new(&v).to_vec()))
    }

    async fn put(&self, bucket: Bucket, key: &str, value: Vec<u8>) -> Result<(), StorageError> {
        let arr = js_sys::Uint8Array::from(value.as_slice());
        drop(value);
        // A large value (a million customers' segmentation or fit, some 30 MB) is kept as a
        // Blob: the browser then stores it off the page's thread, where a byte array is
        // first cloned on it (100 ms for 30 MB). `get` reads both back as bytes.
        if arr.length() >= BLOB_FROM {
            let blob = web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&arr))
                .map_err(backend)?;
            drop(arr);
            return self.put_blob(bucket, key, &blob).await;
        }
        self.write(bucket, key, |s| {
            s.put_with_key(&arr, &JsValue::from_str(key))
        })
        .await
    }

    async fn delete(&self, bucket: Bucket, key: &str) -> Result<(), StorageError> {
        self.write(bucket, key, |s| s.delete(&JsValue::from_str(key)))
            .await
    }

    async fn clear(&self, bucket: Bucket) -> Result<(), StorageError> {
        self.write(bucket, "*", IdbObjectStore::clear).await
    }

    async fn keys(&self, bucket: Bucket) -> Result<Vec<String>, StorageError> {
        let (_tx, store) = self.store(bucket, IdbTransactionMode::Readonly)?;
        let req = store.get_all_keys().map_err(backend)?;
        let v = request(&req).await.map_err(backend)?;
        Ok(js_sys::Array::from(&v)
            .iter()
            .filter_map(|k| k.as_string())
            .collect())
    }
}
