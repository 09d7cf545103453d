//! In-memory storage backend (tests and the native command). It can be told to refuse writes
//! after a number of them, to test what a full quota or an interrupted write leaves behind.

use super::{Bucket, KeyValue, StorageError};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

/// A [`KeyValue`] store in memory.
#[derive(Debug, Default)]
pub struct MemoryStore {
    map: RefCell<BTreeMap<(&'static str, String), Vec<u8>>>,
    /// Writes still allowed before every write fails (`None`: no limit).
    puts_left: Cell<Option<u64>>,
}

impl MemoryStore {
    /// Lets `n` more writes succeed, then refuses every later write as a full quota would.
    pub fn fail_puts_after(&self, n: u64) {
        self.puts_left.set(Some(n));
    }

    /// Accepts every write again.
    pub fn stop_failing(&self) {
        self.puts_left.set(None);
    }

    /// How many values the store holds, across buckets.
    pub fn len(&self) -> usize {
        self.map.borrow().len()
    }

    /// Whether the store holds nothing at all.
    pub fn is_empty(&self) -> bool {
        self.map.borrow().is_empty()
    }
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
        match self.puts_left.get() {
            Some(0) => {
                return Err(StorageError::QuotaExceeded {
                    key: format!("{}/{key}", bucket.name()),
                })
            }
            Some(n) => self.puts_left.set(Some(n - 1)),
            None => {}
        }
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
    async fn clear(&self, bucket: Bucket) -> Result<(), StorageError> {
        self.map
            .borrow_mut()
            .retain(|(b, _), _| *b != bucket.name());
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

#[cfg(test)]
mod tests {
    use super::super::tests::block_on;
    use super::super::{decode_setting, encode_setting, Repository, StorageError};
    use super::MemoryStore;

    #[test]
    fn settings_written_and_read_as_bytes_match_the_typed_calls() {
        block_on(async {
            let repo = Repository::new(MemoryStore::default());
            let v = vec![("k".to_string(), 3.5_f64)];
            // Bytes written through `encode_setting` read back typed, and the reverse.
            repo.set_setting_bytes("a", encode_setting(&v).unwrap())
                .await
                .unwrap();
            assert_eq!(
                repo.setting::<Vec<(String, f64)>>("a").await.unwrap(),
                Some(v.clone())
            );
            repo.set_setting("b", &v).await.unwrap();
            let b = repo.setting_bytes("b").await.unwrap().unwrap();
            assert_eq!(decode_setting::<Vec<(String, f64)>>("b", &b).unwrap(), v);
            assert_eq!(repo.setting_bytes("missing").await.unwrap(), None);
            // A damaged record names its key, as the typed read does.
            repo.set_setting_bytes("bad", b"{".to_vec()).await.unwrap();
            let bad = repo.setting_bytes("bad").await.unwrap().unwrap();
            assert!(matches!(
                decode_setting::<u32>("bad", &bad),
                Err(StorageError::Corrupt { key, .. }) if key == "bad"
            ));
        });
    }
}
