//! In-memory storage backend (tests and the native command).

use super::{Bucket, KeyValue, StorageError};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// A [`KeyValue`] store in memory.
#[derive(Debug, Default)]
pub struct MemoryStore {
    map: RefCell<BTreeMap<(&'static str, String), Vec<u8>>>,
}

impl KeyValue for MemoryStore {
    async fn get(&self, bucket: Bucket, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self
            .map
            .borrow()
            .get(&(bucket.name(), key.to_string()))
            .cloned())
    }
    async fn put(&self, bucket: Bucket, key: &str, value: Vec<u8>) -> Result<(), StorageError> {
        self.map
            .borrow_mut()
            .insert((bucket.name(), key.to_string()), value);
        Ok(())
    }
    async fn delete(&self, bucket: Bucket, key: &str) -> Result<(), StorageError> {
        self.map
            .borrow_mut()
            .remove(&(bucket.name(), key.to_string()));
        Ok(())
    }
    async fn keys(&self, bucket: Bucket) -> Result<Vec<String>, StorageError> {
        Ok(self
            .map
            .borrow()
            .keys()
            .filter(|(b, _)| *b == bucket.name())
            .map(|(_, k)| k.clone())
            .collect())
    }
}
