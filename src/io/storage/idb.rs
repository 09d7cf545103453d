//! IndexedDB backend (browser), through the `rexie` wrapper. Values are stored as byte arrays.

use super::{Bucket, KeyValue, StorageError};
use rexie::{ObjectStore, Rexie, TransactionMode};
use wasm_bindgen::JsValue;

/// Database name.
pub const DB_NAME: &str = "crm-analytics";
/// IndexedDB version (the object-store layout); record layouts are versioned separately.
pub const DB_VERSION: u32 = 1;

/// A [`KeyValue`] store in the browser's IndexedDB.
pub struct IdbStore {
    db: Rexie,
}

fn err(e: impl std::fmt::Display) -> StorageError {
    StorageError::Backend(e.to_string())
}

impl IdbStore {
    /// Opens (creating or upgrading) the database.
    ///
    /// # Errors
    /// [`StorageError::Backend`] when IndexedDB is unavailable (for instance in some private modes).
    pub async fn open() -> Result<Self, StorageError> {
        let mut b = Rexie::builder(DB_NAME).version(DB_VERSION);
        for bucket in Bucket::ALL {
            b = b.add_object_store(ObjectStore::new(bucket.name()));
        }
        let db = b.build().await.map_err(err)?;
        Ok(IdbStore { db })
    }
}

impl KeyValue for IdbStore {
    async fn get(&self, bucket: Bucket, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        let tx = self
            .db
            .transaction(&[bucket.name()], TransactionMode::ReadOnly)
            .map_err(err)?;
        let store = tx.store(bucket.name()).map_err(err)?;
        let v = store.get(JsValue::from_str(key)).await.map_err(err)?;
        Ok(v.filter(|v| !v.is_undefined() && !v.is_null())
            .map(|v| js_sys::Uint8Array::new(&v).to_vec()))
    }

    async fn put(&self, bucket: Bucket, key: &str, value: Vec<u8>) -> Result<(), StorageError> {
        let tx = self
            .db
            .transaction(&[bucket.name()], TransactionMode::ReadWrite)
            .map_err(err)?;
        let store = tx.store(bucket.name()).map_err(err)?;
        let arr = js_sys::Uint8Array::from(value.as_slice());
        store
            .put(&arr.into(), Some(&JsValue::from_str(key)))
            .await
            .map_err(err)?;
        tx.done().await.map_err(err)?;
        Ok(())
    }

    async fn delete(&self, bucket: Bucket, key: &str) -> Result<(), StorageError> {
        let tx = self
            .db
            .transaction(&[bucket.name()], TransactionMode::ReadWrite)
            .map_err(err)?;
        let store = tx.store(bucket.name()).map_err(err)?;
        store.delete(JsValue::from_str(key)).await.map_err(err)?;
        tx.done().await.map_err(err)?;
        Ok(())
    }

    async fn keys(&self, bucket: Bucket) -> Result<Vec<String>, StorageError> {
        let tx = self
            .db
            .transaction(&[bucket.name()], TransactionMode::ReadOnly)
            .map_err(err)?;
        let store = tx.store(bucket.name()).map_err(err)?;
        let keys = store.get_all_keys(None, None).await.map_err(err)?;
        Ok(keys.into_iter().filter_map(|k| k.as_string()).collect())
    }
}
