//! Storage of datasets (original bytes and metadata), settings and results behind a small
//! key-value trait, with an in-memory backend (tests, native) and an IndexedDB backend (browser).
//!
//! Every record carries [`SCHEMA_VERSION`]; a record that fails to decode is reported with its
//! key instead of being dropped silently. Project files (one file: data, mappings, settings,
//! written and read in slices) move work between machines.

mod memory;
pub use memory::MemoryStore;

#[cfg(target_arch = "wasm32")]
mod idb;
#[cfg(target_arch = "wasm32")]
pub use idb::IdbStore;

use base64::Engine as _;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// Version of the stored record layout. Bump it and add a migration when a record changes.
///
/// - 1: a dataset's original bytes in one record keyed by its id.
/// - 2: the bytes in records of at most [`FILE_CHUNK_BYTES`] keyed `id/000000`, `id/000001`...
///   (a 500 MB file is never one value); [`DatasetMeta::chunks`] counts them. Records of
///   schema 1 are still read (`chunks` = 0 means the single record).
/// - 3: [`DatasetMeta::import_settings`] is a typed record, no longer a JSON string inside the
///   record; strings of schema 2 are still read.
pub const SCHEMA_VERSION: u32 = 3;

/// Largest record of a dataset's bytes, and the slice the page reads a file (or a project
/// file's dataset) in: 12 MiB.
pub const FILE_CHUNK_BYTES: usize = 12 << 20;

/// How many chunks hold a file of `size` bytes (at least one, even when empty).
pub fn chunks_for(size: u64) -> u32 {
    u32::try_from(size.div_ceil(FILE_CHUNK_BYTES as u64).max(1)).unwrap_or(u32::MAX)
}

/// The key of chunk `index` of dataset `id`'s bytes.
pub fn chunk_key(id: &str, index: u32) -> String {
    format!("{id}/{index:06}")
}

/// The object stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    /// Dataset metadata (JSON).
    Datasets,
    /// Original file bytes, keyed by dataset id.
    Files,
    /// Settings and remembered mappings (JSON).
    Settings,
    /// Computed results (JSON), keyed by dataset id and kind.
    Results,
}

impl Bucket {
    /// All buckets.
    pub const ALL: [Bucket; 4] = [
        Bucket::Datasets,
        Bucket::Files,
        Bucket::Settings,
        Bucket::Results,
    ];

    /// The object store name.
    pub fn name(self) -> &'static str {
        match self {
            Bucket::Datasets => "datasets",
            Bucket::Files => "files",
            Bucket::Settings => "settings",
            Bucket::Results => "results",
        }
    }
}

/// A storage failure, with the key it concerns.
#[derive(Debug, Clone, PartialEq)]
pub enum StorageError {
    /// The browser refused (quota, private mode, blocked database).
    Backend(String),
    /// A stored record could not be decoded.
    Corrupt {
        /// Its key.
        key: String,
        /// Why.
        reason: String,
    },
    /// A record was written by a newer version of the app.
    NewerSchema {
        /// Its key.
        key: String,
        /// Its schema version.
        version: u32,
    },
    /// A project file could not be read.
    BadProject(String),
    /// No such dataset.
    NotFound(String),
    /// The browser's storage for this site is full: the write of `key` was refused.
    QuotaExceeded {
        /// The record (`bucket/key`) that could not be written.
        key: String,
    },
    /// The browser cancelled a write (its transaction was aborted).
    Aborted {
        /// The record (`bucket/key`) that could not be written.
        key: String,
        /// The browser's reason.
        reason: String,
    },
}

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StorageError::Backend(m) => write!(f, "browser storage failed: {m}"),
            StorageError::Corrupt { key, reason } => write!(f, "stored record \"{key}\" is damaged: {reason}"),
            StorageError::NewerSchema { key, version } => write!(
                f,
                "stored record \"{key}\" was written by a newer version of the app (schema {version}); reload to update"
            ),
            StorageError::BadProject(m) => write!(f, "this is not a valid project file: {m}"),
            StorageError::NotFound(k) => write!(f, "no saved dataset \"{k}\""),
            StorageError::QuotaExceeded { key } => write!(
                f,
                "the browser's storage for this app is full: \"{key}\" could not be saved; delete datasets you no longer need, or export a project file first"
            ),
            StorageError::Aborted { key, reason } => {
                write!(f, "the browser did not save \"{key}\": {reason}")
            }
        }
    }
}

impl std::error::Error for StorageError {}

/// The minimal key-value interface a backend provides.
#[allow(async_fn_in_trait)]
pub trait KeyValue {
    /// Reads a value.
    ///
    /// # Errors
    /// [`StorageError::Backend`] when the backend fails.
    async fn get(&self, bucket: Bucket, key: &str) -> Result<Option<Vec<u8>>, StorageError>;
    /// Writes a value.
    ///
    /// # Errors
    /// [`StorageError::Backend`] when the backend fails (for instance, quota exceeded).
    async fn put(&self, bucket: Bucket, key: &str, value: Vec<u8>) -> Result<(), StorageError>;
    /// Deletes a value (no error when absent).
    ///
    /// # Errors
    /// [`StorageError::Backend`] when the backend fails.
    async fn delete(&self, bucket: Bucket, key: &str) -> Result<(), StorageError>;
    /// Deletes every value of a bucket.
    ///
    /// # Errors
    /// [`StorageError::Backend`] when the backend fails.
    async fn clear(&self, bucket: Bucket) -> Result<(), StorageError>;
    /// All keys of a bucket.
    ///
    /// # Errors
    /// [`StorageError::Backend`] when the backend fails.
    async fn keys(&self, bucket: Bucket) -> Result<Vec<String>, StorageError>;
}

/// What a dataset holds (defined by the import pipeline).
pub use crate::io::import::DataKind;
use crate::io::import::ImportSettings;

/// Metadata of a saved dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetMeta {
    /// Stable id (also the key of its file bytes).
    pub id: String,
    /// Name shown to the user (editable).
    pub name: String,
    /// Original file name.
    pub file_name: String,
    /// What the file holds.
    #[serde(default)]
    pub kind: DataKind,
    /// Size of the original bytes.
    pub size_bytes: u64,
    /// When it was added (ISO 8601, from the page's clock).
    #[serde(default)]
    pub added: String,
    /// Import settings and column mapping chosen for it. Schema 2 and earlier stored them as a
    /// JSON string; such a string is still read ([`legacy_settings`]).
    #[serde(default, deserialize_with = "legacy_settings::deserialize")]
    pub import_settings: ImportSettings,
    /// Whether this is the built-in sample.
    #[serde(default)]
    pub sample: bool,
    /// Records holding the original bytes (schema 2); 0 for one record under the id (schema 1).
    #[serde(default)]
    pub chunks: u32,
}

/// Reads [`DatasetMeta::import_settings`] in either form: the record itself (schema 3), or
/// the JSON text of one (schema 2 and earlier, empty for "detect everything").
pub mod legacy_settings {
    use crate::io::import::ImportSettings;
    use serde::de::{self, value, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

    /// Deserializes the record, or decodes the legacy JSON text.
    ///
    /// A visitor rather than an `untagged` enum: that buffers the value and links a third copy
    /// of the settings' decoder (over serde's buffered content) into the page.
    ///
    /// # Errors
    /// A legacy text that is not the JSON of import settings (the record is then reported as
    /// damaged, with its key).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ImportSettings, D::Error> {
        d.deserialize_any(Stored)
    }

    struct Stored;

    impl<'de> Visitor<'de> for Stored {
        type Value = ImportSettings;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("import settings, or their JSON text")
        }

        fn visit_str<E: de::Error>(self, t: &str) -> Result<ImportSettings, E> {
            if t.trim().is_empty() {
                return Ok(ImportSettings::default());
            }
            // From bytes like every other record: `from_str` would link a second copy of the
            // settings' JSON decoder into the page (a reader type of its own).
            serde_json::from_slice(t.as_bytes())
                .map_err(|e| E::custom(format!("import settings stored as text: {e}")))
        }

        fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<ImportSettings, A::Error> {
            ImportSettings::deserialize(value::MapAccessDeserializer::new(m))
        }

        fn visit_seq<A: SeqAccess<'de>>(self, s: A) -> Result<ImportSettings, A::Error> {
            ImportSettings::deserialize(value::SeqAccessDeserializer::new(s))
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Envelope<T> {
    schema: u32,
    value: T,
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StorageError> {
    serde_json::to_vec(&Envelope {
        schema: SCHEMA_VERSION,
        value,
    })
    .map_err(|e| StorageError::Backend(e.to_string()))
}

/// A setting's record, as [`Repository::set_setting`] writes it.
///
/// # Errors
/// A value JSON cannot hold ([`StorageError::Backend`]).
pub fn encode_setting<T: Serialize>(value: &T) -> Result<Vec<u8>, StorageError> {
    encode(value)
}

/// A setting read by [`Repository::setting_bytes`], decoded as [`Repository::setting`] does.
///
/// # Errors
/// [`StorageError::Corrupt`] (with `key`) or [`StorageError::NewerSchema`].
pub fn decode_setting<T: DeserializeOwned>(key: &str, bytes: &[u8]) -> Result<T, StorageError> {
    decode(key, bytes)
}

fn decode<T: DeserializeOwned>(key: &str, bytes: &[u8]) -> Result<T, StorageError> {
    #[derive(Deserialize)]
    struct Version {
        schema: u32,
    }
    let v: Version = serde_json::from_slice(bytes).map_err(|e| StorageError::Corrupt {
        key: key.to_string(),
        reason: e.to_string(),
    })?;
    if v.schema > SCHEMA_VERSION {
        return Err(StorageError::NewerSchema {
            key: key.to_string(),
            version: v.schema,
        });
    }
    let e: Envelope<T> = serde_json::from_slice(bytes).map_err(|e| StorageError::Corrupt {
        key: key.to_string(),
        reason: e.to_string(),
    })?;
    Ok(e.value)
}

/// Datasets listed from storage: the good ones and the ones that could not be read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Listing {
    /// Readable datasets, oldest first.
    pub datasets: Vec<DatasetMeta>,
    /// Records that failed to decode, with their keys.
    pub problems: Vec<StorageError>,
}

/// One saved file inside a project file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ProjectEntry {
    meta: DatasetMeta,
    bytes_base64: String,
}

/// The one-file project format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ProjectFile {
    format: String,
    schema: u32,
    datasets: Vec<ProjectEntry>,
    settings: Vec<(String, String)>,
}

const PROJECT_FORMAT: &str = "crm-analytics-project";

/// First line of a project file (version 2 of the container): the second line is a
/// [`ProjectHeader`] as one line of JSON, and the datasets' bytes follow as they are, one after
/// another. Written and read in slices, so a 500 MB dataset never becomes one string; version 1
/// (one JSON document with base64 bytes) is still read.
pub const PROJECT_MAGIC: &str = "crm-analytics-project 2";

/// Largest version-1 (all-JSON) project file read; such a file is read whole.
pub const MAX_JSON_PROJECT_BYTES: u64 = 512 << 20;

/// Largest header line of a project file read (its datasets' metadata and the settings).
pub const MAX_PROJECT_HEADER_BYTES: u64 = 64 << 20;

/// Largest dataset a project file may hold: the same limit as a file dropped on the page.
pub const MAX_DATASET_BYTES: u64 = 1_000_000_000;

/// Longest dataset id or setting key accepted from a project file.
pub const MAX_ID_CHARS: usize = 200;

/// A dataset id from a file: non-empty, at most [`MAX_ID_CHARS`] letters, digits, `-`, `_`
/// or `.` (an id is part of the keys of its chunks and results, `id/000001`).
///
/// # Errors
/// [`StorageError::BadProject`] naming the id and what is wrong with it.
pub fn check_id(id: &str) -> Result<(), StorageError> {
    let bad = |why: &str| {
        Err(StorageError::BadProject(format!(
            "dataset id \"{}\" {why}",
            id.chars().take(40).collect::<String>()
        )))
    };
    if id.is_empty() {
        return bad("is empty");
    }
    if id.chars().count() > MAX_ID_CHARS {
        return bad(&format!("is longer than {MAX_ID_CHARS} characters"));
    }
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return bad("has characters other than letters, digits, '-', '_' and '.'");
    }
    Ok(())
}

/// A setting key from a file: non-empty, at most [`MAX_ID_CHARS`] characters, no control
/// characters.
fn check_setting_key(key: &str) -> Result<(), StorageError> {
    if key.is_empty() || key.chars().count() > MAX_ID_CHARS || key.chars().any(char::is_control) {
        return Err(StorageError::BadProject(format!(
            "setting \"{}\" has an empty, overlong or unprintable name",
            key.chars().take(40).collect::<String>().escape_debug()
        )));
    }
    Ok(())
}

/// Checks a project file's datasets and settings before anything is written: ids valid and
/// distinct, sizes within [`MAX_DATASET_BYTES`], and (version 2) every dataset's bytes inside
/// the file, with checked arithmetic.
fn check_entries(
    metas: &[(&DatasetMeta, u64, u64)],
    settings: &[(String, String)],
    data_start: u64,
    size: u64,
) -> Result<(), StorageError> {
    let mut seen = std::collections::HashSet::new();
    for &(meta, offset, length) in metas {
        check_id(&meta.id)?;
        if !seen.insert(meta.id.as_str()) {
            return Err(StorageError::BadProject(format!(
                "dataset id \"{}\" appears twice",
                meta.id
            )));
        }
        if length > MAX_DATASET_BYTES {
            return Err(StorageError::BadProject(format!(
                "dataset \"{}\" announces {length} bytes, over the {} MB a dataset may hold",
                meta.name,
                MAX_DATASET_BYTES / 1_000_000
            )));
        }
        let end = data_start
            .checked_add(offset)
            .and_then(|a| a.checked_add(length));
        if end.is_none_or(|e| e > size) {
            return Err(StorageError::BadProject(format!(
                "the file is cut short or damaged: dataset \"{}\" lies at bytes {offset}+{length} after the header, past the end of a {size}-byte file",
                meta.name
            )));
        }
    }
    for (k, _) in settings {
        check_setting_key(k)?;
    }
    Ok(())
}

/// The second line of a project file: what it holds and where each dataset's bytes are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ProjectHeader {
    format: String,
    schema: u32,
    datasets: Vec<ProjectData>,
    settings: Vec<(String, String)>,
}

/// A dataset in a project file: its metadata and where its bytes lie after the header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ProjectData {
    meta: DatasetMeta,
    offset: u64,
    length: u64,
}

/// Typed operations on top of a [`KeyValue`] backend.
pub struct Repository<K: KeyValue> {
    kv: K,
}

impl<K: KeyValue> Repository<K> {
    /// Wraps a backend.
    pub fn new(kv: K) -> Self {
        Repository { kv }
    }

    /// The backend (tests read and write raw records through it).
    pub fn kv(&self) -> &K {
        &self.kv
    }

    /// Deletes stored pieces no dataset lists: file chunks and results whose dataset record is
    /// missing (left by an import or a deletion that was interrupted). A dataset's record is
    /// written after its chunks, so this runs only when no write is under way (at start-up).
    /// Returns how many records were deleted.
    ///
    /// # Errors
    /// A backend failure.
    pub async fn sweep_orphans(&self) -> Result<u64, StorageError> {
        let ids: std::collections::HashSet<String> =
            self.kv.keys(Bucket::Datasets).await?.into_iter().collect();
        let mut swept = 0u64;
        for bucket in [Bucket::Files, Bucket::Results] {
            for key in self.kv.keys(bucket).await? {
                // `id/000001` (chunks, results) or `id` (a schema-1 file).
                let owner = key.split_once('/').map_or(key.as_str(), |(id, _)| id);
                if !ids.contains(owner) {
                    self.kv.delete(bucket, &key).await?;
                    swept += 1;
                }
            }
        }
        Ok(swept)
    }

    /// Deletes every stored byte: datasets, their files, settings and results (every bucket).
    /// Dataset records go first, so an interruption leaves pieces the next start sweeps.
    ///
    /// # Errors
    /// A backend failure.
    pub async fn clear_all(&self) -> Result<(), StorageError> {
        for bucket in Bucket::ALL {
            self.kv.clear(bucket).await?;
        }
        Ok(())
    }

    /// Saves a dataset: its metadata and its original bytes.
    ///
    /// # Errors
    /// [`StorageError::Backend`] when the browser refuses (often: storage full).
    pub async fn save_dataset(
        &self,
        meta: &DatasetMeta,
        bytes: Vec<u8>,
    ) -> Result<(), StorageError> {
        let mut meta = meta.clone();
        meta.chunks = chunks_for(bytes.len() as u64);
        for i in 0..meta.chunks {
            let start = i as usize * FILE_CHUNK_BYTES;
            let part = bytes.get(start..bytes.len().min(start + FILE_CHUNK_BYTES));
            self.save_chunk(&meta.id, i, part.unwrap_or(&[]).to_vec())
                .await?;
        }
        self.kv
            .put(Bucket::Datasets, &meta.id, encode(&meta)?)
            .await
    }

    /// Saves chunk `index` of a dataset's bytes (a file saved as it is read); the metadata,
    /// with [`DatasetMeta::chunks`], is saved after the last one with [`Self::update_meta`].
    ///
    /// # Errors
    /// [`StorageError::Backend`] when the browser refuses (often: storage full).
    pub async fn save_chunk(
        &self,
        id: &str,
        index: u32,
        bytes: Vec<u8>,
    ) -> Result<(), StorageError> {
        self.kv
            .put(Bucket::Files, &chunk_key(id, index), bytes)
            .await
    }

    /// Chunk `index` of a dataset's bytes; a schema-1 dataset (`chunks` = 0) has one chunk,
    /// its whole file.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when it is missing.
    pub async fn file_chunk(
        &self,
        meta: &DatasetMeta,
        index: u32,
    ) -> Result<Vec<u8>, StorageError> {
        let key = if meta.chunks == 0 {
            meta.id.clone()
        } else {
            chunk_key(&meta.id, index)
        };
        self.kv
            .get(Bucket::Files, &key)
            .await?
            .ok_or(StorageError::NotFound(key))
    }

    /// How many chunks hold a dataset's bytes.
    pub fn chunk_count(meta: &DatasetMeta) -> u32 {
        meta.chunks.max(1)
    }

    /// Lists datasets; damaged records are reported, not dropped.
    ///
    /// # Errors
    /// [`StorageError::Backend`] when the backend fails.
    pub async fn list(&self) -> Result<Listing, StorageError> {
        let mut listing = Listing::default();
        for key in self.kv.keys(Bucket::Datasets).await? {
            if let Some(bytes) = self.kv.get(Bucket::Datasets, &key).await? {
                match decode::<DatasetMeta>(&key, &bytes) {
                    Ok(m) => listing.datasets.push(m),
                    Err(e) => listing.problems.push(e),
                }
            }
        }
        crate::domain::order::sort_by(&mut listing.datasets, |a, b| {
            a.added.cmp(&b.added).then_with(|| a.id.cmp(&b.id))
        });
        Ok(listing)
    }

    /// The original bytes of a dataset.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when there is no such dataset.
    pub async fn file(&self, id: &str) -> Result<Vec<u8>, StorageError> {
        let bytes = self
            .kv
            .get(Bucket::Datasets, id)
            .await?
            .ok_or_else(|| StorageError::NotFound(id.to_string()))?;
        let meta: DatasetMeta = decode(id, &bytes)?;
        let mut out = Vec::with_capacity(usize::try_from(meta.size_bytes).unwrap_or(0));
        for i in 0..Self::chunk_count(&meta) {
            out.extend_from_slice(&self.file_chunk(&meta, i).await?);
        }
        Ok(out)
    }

    /// Renames a dataset.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] or a backend failure.
    pub async fn rename(&self, id: &str, name: &str) -> Result<(), StorageError> {
        let bytes = self
            .kv
            .get(Bucket::Datasets, id)
            .await?
            .ok_or_else(|| StorageError::NotFound(id.to_string()))?;
        let mut meta: DatasetMeta = decode(id, &bytes)?;
        meta.name = name.trim().to_string();
        self.kv.put(Bucket::Datasets, id, encode(&meta)?).await
    }

    /// Updates a dataset's metadata (for instance its import settings).
    ///
    /// # Errors
    /// A backend failure.
    pub async fn update_meta(&self, meta: &DatasetMeta) -> Result<(), StorageError> {
        self.kv.put(Bucket::Datasets, &meta.id, encode(meta)?).await
    }

    /// Deletes a dataset, its bytes and its results.
    ///
    /// # Errors
    /// A backend failure.
    pub async fn delete(&self, id: &str) -> Result<(), StorageError> {
        self.kv.delete(Bucket::Datasets, id).await?;
        self.kv.delete(Bucket::Files, id).await?;
        let prefix = format!("{id}/");
        for key in self.kv.keys(Bucket::Files).await? {
            if key.starts_with(&prefix) {
                self.kv.delete(Bucket::Files, &key).await?;
            }
        }
        for key in self.kv.keys(Bucket::Results).await? {
            if key.starts_with(&format!("{id}/")) {
                self.kv.delete(Bucket::Results, &key).await?;
            }
        }
        Ok(())
    }

    /// Reads a setting (or remembered mapping) as a typed value.
    ///
    /// # Errors
    /// [`StorageError::Corrupt`] when it cannot be decoded.
    pub async fn setting<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StorageError> {
        match self.setting_bytes(key).await? {
            Some(bytes) => decode(key, &bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Reads a setting's record undecoded ([`decode_setting`] decodes it): the reading code is
    /// then one copy for every type of setting (the page's size).
    ///
    /// # Errors
    /// A backend failure.
    pub async fn setting_bytes(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        self.kv.get(Bucket::Settings, key).await
    }

    /// Writes a setting.
    ///
    /// # Errors
    /// A backend failure.
    pub async fn set_setting<T: Serialize>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<(), StorageError> {
        self.set_setting_bytes(key, encode(value)?).await
    }

    /// Writes a setting's record made by [`encode_setting`].
    ///
    /// # Errors
    /// A backend failure.
    pub async fn set_setting_bytes(&self, key: &str, bytes: Vec<u8>) -> Result<(), StorageError> {
        self.kv.put(Bucket::Settings, key, bytes).await
    }

    /// Stores a computed result for a dataset.
    ///
    /// # Errors
    /// A backend failure.
    pub async fn put_result<T: Serialize>(
        &self,
        dataset: &str,
        kind: &str,
        value: &T,
    ) -> Result<(), StorageError> {
        self.kv
            .put(
                Bucket::Results,
                &format!("{dataset}/{kind}"),
                encode(value)?,
            )
            .await
    }

    /// Reads a computed result.
    ///
    /// # Errors
    /// [`StorageError::Corrupt`] when it cannot be decoded.
    pub async fn result<T: DeserializeOwned>(
        &self,
        dataset: &str,
        kind: &str,
    ) -> Result<Option<T>, StorageError> {
        let key = format!("{dataset}/{kind}");
        match self.kv.get(Bucket::Results, &key).await? {
            Some(bytes) => decode(&key, &bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Stores a computed result as opaque bytes (for instance a binary-encoded model fit),
    /// prefixed with the schema version.
    ///
    /// # Errors
    /// A backend failure (often: storage full).
    pub async fn put_result_bytes(
        &self,
        dataset: &str,
        kind: &str,
        bytes: &[u8],
    ) -> Result<(), StorageError> {
        let mut v = SCHEMA_VERSION.to_le_bytes().to_vec();
        v.extend_from_slice(bytes);
        self.kv
            .put(Bucket::Results, &format!("{dataset}/{kind}"), v)
            .await
    }

    /// Reads a result stored with [`Repository::put_result_bytes`]; `None` when absent or
    /// written under another schema version.
    ///
    /// # Errors
    /// A backend failure.
    pub async fn result_bytes(
        &self,
        dataset: &str,
        kind: &str,
    ) -> Result<Option<Vec<u8>>, StorageError> {
        let Some(v) = self
            .kv
            .get(Bucket::Results, &format!("{dataset}/{kind}"))
            .await?
        else {
            return Ok(None);
        };
        match v.split_first_chunk::<4>() {
            Some((head, rest)) if u32::from_le_bytes(*head) == SCHEMA_VERSION => {
                Ok(Some(rest.to_vec()))
            }
            _ => Ok(None),
        }
    }

    /// Bytes used by datasets, files, settings and results.
    ///
    /// # Errors
    /// A backend failure.
    pub async fn bytes_used(&self) -> Result<u64, StorageError> {
        let mut total = 0u64;
        for b in Bucket::ALL {
            for k in self.kv.keys(b).await? {
                if let Some(v) = self.kv.get(b, &k).await? {
                    total += v.len() as u64;
                }
            }
        }
        Ok(total)
    }

    /// Exports every dataset (metadata and bytes) and every setting as one project file, in
    /// memory (see [`Self::export_project_parts`] for large data).
    ///
    /// # Errors
    /// As [`Self::export_project_parts`].
    pub async fn export_project(&self) -> Result<Vec<u8>, StorageError> {
        let mut out = Vec::new();
        self.export_project_parts(|part, _, _| out.extend_from_slice(&part))
            .await?;
        Ok(out)
    }

    /// Writes the project file as a sequence of parts given to `put(part, bytes so far,
    /// total bytes)`: the first two lines, then each stored chunk of each dataset, so no more
    /// than one chunk is in memory. Returns the file's size.
    ///
    /// # Errors
    /// A backend failure, or a dataset whose stored bytes do not match its recorded size.
    pub async fn export_project_parts(
        &self,
        put: impl FnMut(Vec<u8>, u64, u64),
    ) -> Result<u64, StorageError> {
        self.export_project_parts_replacing(&[], put).await
    }

    /// As [`Self::export_project_parts`], with the settings in `replace` written into the file
    /// instead of the stored ones (added when not stored); storage is left as it is. An
    /// instructor's student file is saved this way while the instructor keeps their own copy.
    ///
    /// # Errors
    /// As [`Self::export_project_parts`].
    pub async fn export_project_parts_replacing(
        &self,
        replace: &[(String, serde_json::Value)],
        mut put: impl FnMut(Vec<u8>, u64, u64),
    ) -> Result<u64, StorageError> {
        let metas = self.list().await?.datasets;
        let mut datasets = Vec::with_capacity(metas.len());
        let mut offset = 0u64;
        for meta in metas {
            // Every chunk but the last is full: the last one's length gives the size.
            let last = Self::chunk_count(&meta) - 1;
            let length = u64::from(last) * FILE_CHUNK_BYTES as u64
                + self.file_chunk(&meta, last).await?.len() as u64;
            datasets.push(ProjectData {
                meta,
                offset,
                length,
            });
            offset += length;
        }
        let mut settings = Vec::new();
        for key in self.kv.keys(Bucket::Settings).await? {
            if replace.iter().any(|(k, _)| *k == key) {
                continue;
            }
            if let Some(v) = self.kv.get(Bucket::Settings, &key).await? {
                settings.push((key, String::from_utf8_lossy(&v).into_owned()));
            }
        }
        for (key, value) in replace {
            settings.push((
                key.clone(),
                String::from_utf8_lossy(&encode(value)?).into_owned(),
            ));
        }
        let header = ProjectHeader {
            format: PROJECT_FORMAT.into(),
            schema: SCHEMA_VERSION,
            datasets,
            settings,
        };
        let mut head = format!("{PROJECT_MAGIC}\n").into_bytes();
        serde_json::to_writer(&mut head, &header)
            .map_err(|e| StorageError::Backend(e.to_string()))?;
        head.push(b'\n');
        let total = head.len() as u64 + offset;
        let mut written = head.len() as u64;
        put(head, written, total);
        for d in &header.datasets {
            let mut length = 0u64;
            for i in 0..Self::chunk_count(&d.meta) {
                let bytes = self.file_chunk(&d.meta, i).await?;
                length += bytes.len() as u64;
                written += bytes.len() as u64;
                put(bytes, written, total);
            }
            if length != d.length {
                return Err(StorageError::Corrupt {
                    key: d.meta.id.clone(),
                    reason: format!(
                        "its stored parts hold {} bytes where {} were expected",
                        length, d.length
                    ),
                });
            }
        }
        Ok(total)
    }

    /// Imports a project file held in memory (see [`Self::import_project_from`]).
    ///
    /// # Errors
    /// As [`Self::import_project_from`].
    pub async fn import_project(&self, bytes: &[u8]) -> Result<Vec<DatasetMeta>, StorageError> {
        let size = bytes.len() as u64;
        self.import_project_from(
            size,
            |a, b| {
                let part = usize::try_from(a)
                    .ok()
                    .zip(usize::try_from(b).ok())
                    .and_then(|(a, b)| bytes.get(a..b.min(bytes.len())))
                    .map(<[u8]>::to_vec)
                    .ok_or("read past the end of the file");
                std::future::ready(part)
            },
            |_, _| {},
        )
        .await
    }

    /// Imports a project file of `size` bytes read in slices by `read(start, end)`, adding (or
    /// replacing, by id) its datasets and settings, with `progress(bytes done, total)`. A
    /// dataset's metadata is written after its bytes, so a failed import lists nothing half
    /// read. Returns the datasets imported.
    ///
    /// # Errors
    /// [`StorageError::BadProject`] when the file is not a project file of a known schema or
    /// is cut short; a backend failure (often: storage full).
    pub async fn import_project_from<F, Fut, E>(
        &self,
        size: u64,
        mut read: F,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<Vec<DatasetMeta>, StorageError>
    where
        F: FnMut(u64, u64) -> Fut,
        Fut: std::future::Future<Output = Result<Vec<u8>, E>>,
        E: std::fmt::Display,
    {
        let bad = |e: E| StorageError::BadProject(e.to_string());
        let mut want = size.min(1 << 20);
        let mut head = read(0, want).await.map_err(bad)?;
        if head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
            // Version 1: one JSON document.
            if size > MAX_JSON_PROJECT_BYTES {
                return Err(StorageError::BadProject(format!(
                    "an old-style project file over {} MB cannot be read; export it again with this version",
                    MAX_JSON_PROJECT_BYTES >> 20
                )));
            }
            let all = read(0, size).await.map_err(bad)?;
            return self.import_json_project(&all).await;
        }
        let magic = format!("{PROJECT_MAGIC}\n");
        if !head.starts_with(magic.as_bytes()) {
            let known = head.starts_with(PROJECT_FORMAT.as_bytes());
            return Err(StorageError::BadProject(if known {
                "it was written by a newer version of the app".into()
            } else {
                "it does not start with the project file's first line".into()
            }));
        }
        // The header line ends at the second newline; read more until it is in.
        let end = loop {
            if let Some(i) = head
                .get(magic.len()..)
                .and_then(|h| h.iter().position(|&b| b == b'\n'))
            {
                break magic.len() + i;
            }
            if want >= size {
                return Err(StorageError::BadProject(
                    "the file ends inside its header".into(),
                ));
            }
            if want >= MAX_PROJECT_HEADER_BYTES {
                return Err(StorageError::BadProject(format!(
                    "its header is over {} MB",
                    MAX_PROJECT_HEADER_BYTES >> 20
                )));
            }
            want = size
                .min(want.saturating_mul(4))
                .min(MAX_PROJECT_HEADER_BYTES);
            head = read(0, want).await.map_err(bad)?;
        };
        let header: ProjectHeader =
            serde_json::from_slice(head.get(magic.len()..end).unwrap_or(&[]))
                .map_err(|e| StorageError::BadProject(e.to_string()))?;
        drop(head);
        check_project(&header.format, header.schema)?;
        let data_start = end as u64 + 1;
        let entries: Vec<_> = header
            .datasets
            .iter()
            .map(|d| (&d.meta, d.offset, d.length))
            .collect();
        check_entries(&entries, &header.settings, data_start, size)?;
        drop(entries);
        // Each length is at most MAX_DATASET_BYTES and lies inside the file: no overflow.
        let data_total: u64 = header.datasets.iter().map(|d| d.length).sum();
        let mut out = Vec::with_capacity(header.datasets.len());
        let mut done = 0u64;
        for d in header.datasets {
            let mut meta = d.meta;
            meta.chunks = chunks_for(d.length);
            meta.size_bytes = d.length;
            for i in 0..meta.chunks {
                let a = u64::from(i) * FILE_CHUNK_BYTES as u64;
                let b = d.length.min(a + FILE_CHUNK_BYTES as u64);
                let at = data_start.saturating_add(d.offset);
                let bytes = read(at + a, at + b).await.map_err(bad)?;
                if bytes.len() as u64 != b - a {
                    return Err(StorageError::BadProject(format!(
                        "dataset \"{}\" is cut short",
                        meta.name
                    )));
                }
                done += bytes.len() as u64;
                self.save_chunk(&meta.id, i, bytes).await?;
                progress(done, data_total);
            }
            self.kv
                .put(Bucket::Datasets, &meta.id, encode(&meta)?)
                .await?;
            out.push(meta);
        }
        for (k, v) in header.settings {
            self.kv.put(Bucket::Settings, &k, v.into_bytes()).await?;
        }
        Ok(out)
    }

    /// Imports a version-1 project file (one JSON document, bytes in base64).
    async fn import_json_project(&self, bytes: &[u8]) -> Result<Vec<DatasetMeta>, StorageError> {
        let p: ProjectFile =
            serde_json::from_slice(bytes).map_err(|e| StorageError::BadProject(e.to_string()))?;
        check_project(&p.format, p.schema)?;
        let entries: Vec<_> = p
            .datasets
            .iter()
            .map(|e| (&e.meta, 0, e.bytes_base64.len() as u64 / 4 * 3))
            .collect();
        check_entries(&entries, &p.settings, 0, u64::MAX)?;
        drop(entries);
        let engine = base64::engine::general_purpose::STANDARD;
        let mut out = Vec::new();
        for e in p.datasets {
            let bytes = engine.decode(e.bytes_base64.as_bytes()).map_err(|err| {
                StorageError::BadProject(format!("dataset \"{}\": {err}", e.meta.name))
            })?;
            self.save_dataset(&e.meta, bytes).await?;
            out.push(e.meta);
        }
        for (k, v) in p.settings {
            self.kv.put(Bucket::Settings, &k, v.into_bytes()).await?;
        }
        Ok(out)
    }
}

/// A project file's format name and schema are ones this version reads.
fn check_project(format: &str, schema: u32) -> Result<(), StorageError> {
    if format != PROJECT_FORMAT {
        return Err(StorageError::BadProject(format!(
            "unknown format \"{format}\""
        )));
    }
    if schema > SCHEMA_VERSION {
        return Err(StorageError::BadProject(format!(
            "it was written by a newer version of the app (schema {schema})"
        )));
    }
    Ok(())
}

#[cfg(target_arch = "wasm32")]
impl Repository<IdbStore> {
    /// Chunk `index` of a dataset's bytes: `blob`, a slice of the file the user chose, kept
    /// without copying it on the page's thread (see [`IdbStore::put_blob`]).
    ///
    /// # Errors
    /// As [`Self::save_chunk`].
    pub async fn save_chunk_blob(
        &self,
        id: &str,
        index: u32,
        blob: &web_sys::Blob,
    ) -> Result<(), StorageError> {
        self.kv
            .put_blob(Bucket::Files, &chunk_key(id, index), blob)
            .await
    }

    /// A dataset's whole file as one Blob joined from its stored chunks, without reading them
    /// (the worker reads it through an object URL).
    ///
    /// # Errors
    /// [`StorageError::NotFound`] when a chunk is missing; [`StorageError::Backend`] when the
    /// browser refuses.
    pub async fn file_blob(&self, meta: &DatasetMeta) -> Result<web_sys::Blob, StorageError> {
        let parts = js_sys::Array::new();
        for index in 0..Self::chunk_count(meta) {
            let key = if meta.chunks == 0 {
                meta.id.clone()
            } else {
                chunk_key(&meta.id, index)
            };
            let blob = self.kv.get_blob(Bucket::Files, &key).await?;
            parts.push(&blob);
        }
        web_sys::Blob::new_with_blob_sequence(&parts)
            .map_err(|_| StorageError::Backend("the browser could not join the file".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_files_are_saved_in_chunks_and_schema_1_records_still_read() {
        block_on(async {
            let kv = MemoryStore::default();
            // A dataset saved by schema 1: one record under its id, no chunk count.
            kv.put(Bucket::Files, "old", b"a,b\n1,2\n".to_vec())
                .await
                .unwrap();
            kv.put(
                Bucket::Datasets,
                "old",
                br#"{"schema":1,"value":{"id":"old","name":"old","file_name":"o.csv","size_bytes":8}}"#
                    .to_vec(),
            )
            .await
            .unwrap();
            let repo = Repository::new(kv);
            let l = repo.list().await.unwrap();
            assert_eq!(l.problems, vec![]);
            assert_eq!(l.datasets[0].chunks, 0);
            assert_eq!(repo.file("old").await.unwrap(), b"a,b\n1,2\n");
            assert_eq!(
                repo.file_chunk(&l.datasets[0], 0).await.unwrap(),
                b"a,b\n1,2\n"
            );
            let big: Vec<u8> = (0..FILE_CHUNK_BYTES * 2 + 5)
                .map(|i| (i % 251) as u8)
                .collect();
            let mut m = meta("2");
            m.size_bytes = big.len() as u64;
            repo.save_dataset(&m, big.clone()).await.unwrap();
            let saved = repo.list().await.unwrap().datasets;
            let m2 = saved.iter().find(|d| d.id == "2").unwrap();
            assert_eq!(m2.chunks, 3);
            assert_eq!(repo.file_chunk(m2, 2).await.unwrap().len(), 5);
            assert_eq!(repo.file("2").await.unwrap(), big);
            let project = repo.export_project().await.unwrap();
            let other = Repository::new(MemoryStore::default());
            other.import_project(&project).await.unwrap();
            assert_eq!(other.file("2").await.unwrap(), big);
            assert_eq!(other.file("old").await.unwrap(), b"a,b\n1,2\n");
            repo.delete("2").await.unwrap();
            assert!(repo
                .kv
                .keys(Bucket::Files)
                .await
                .unwrap()
                .iter()
                .all(|k| !k.starts_with("2")));
        });
    }

    /// Runs a future that never waits (the in-memory store's) to its end.
    pub(super) fn block_on<F: std::future::Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        loop {
            if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

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

    #[test]
    fn import_settings_stored_as_text_by_schema_2_are_still_read() {
        block_on(async {
            use crate::io::import::{BadRows, DecimalSep};
            let kv = MemoryStore::default();
            // Schema 2 kept the settings as JSON text inside the record ("" for defaults).
            let old = br#"{"schema":2,"value":{"id":"a","name":"a","file_name":"a.csv","size_bytes":3,"chunks":1,"import_settings":"{\"kind\":\"survey\",\"options\":{\"decimal\":\"comma\"},\"bad_rows\":\"fail\"}"}}"#;
            kv.put(Bucket::Datasets, "a", old.to_vec()).await.unwrap();
            let blank = br#"{"schema":2,"value":{"id":"b","name":"b","file_name":"b.csv","size_bytes":3,"chunks":1,"import_settings":""}}"#;
            kv.put(Bucket::Datasets, "b", blank.to_vec()).await.unwrap();
            let damaged = br#"{"schema":2,"value":{"id":"c","name":"c","file_name":"c.csv","size_bytes":3,"import_settings":"{not json"}}"#;
            kv.put(Bucket::Datasets, "c", damaged.to_vec())
                .await
                .unwrap();
            let repo = Repository::new(kv);
            let l = repo.list().await.unwrap();
            let a = &l.datasets[0].import_settings;
            assert_eq!(a.kind, Some(DataKind::Survey));
            assert_eq!(a.options.decimal, Some(DecimalSep::Comma));
            assert_eq!(
                a.options.max_issues, 100,
                "missing fields take their defaults"
            );
            assert_eq!(a.bad_rows, BadRows::Fail);
            assert_eq!(l.datasets[1].import_settings, ImportSettings::default());
            // A text that is not settings is reported with its key, not dropped silently.
            assert!(
                matches!(&l.problems[..], [StorageError::Corrupt { key, .. }] if key == "c"),
                "{:?}",
                l.problems
            );
            // Saved again, the settings are a record of the current schema.
            let mut m = l.datasets[0].clone();
            m.name = "renamed".into();
            repo.update_meta(&m).await.unwrap();
            let raw = repo.kv.get(Bucket::Datasets, "a").await.unwrap().unwrap();
            let text = String::from_utf8(raw).unwrap();
            assert!(
                text.starts_with(&format!("{{\"schema\":{SCHEMA_VERSION},")),
                "{text}"
            );
            assert!(
                text.contains(r#""import_settings":{"kind":"survey""#),
                "{text}"
            );
            assert_eq!(repo.list().await.unwrap().datasets[0], m);
        });
    }

    #[test]
    fn save_list_rename_delete_round_trip() {
        block_on(async {
            let repo = Repository::new(MemoryStore::default());
            repo.save_dataset(&meta("1"), b"a,b".to_vec())
                .await
                .unwrap();
            repo.save_dataset(&meta("2"), b"c,d".to_vec())
                .await
                .unwrap();
            repo.put_result("1", "summary", &vec![1.0, 2.0])
                .await
                .unwrap();
            repo.rename("1", " Shop export ").await.unwrap();
            let l = repo.list().await.unwrap();
            assert_eq!(l.datasets.len(), 2);
            assert_eq!(l.datasets[0].name, "Shop export");
            assert_eq!(repo.file("2").await.unwrap(), b"c,d");
            repo.delete("1").await.unwrap();
            assert_eq!(repo.list().await.unwrap().datasets.len(), 1);
            assert_eq!(repo.result::<Vec<f64>>("1", "summary").await.unwrap(), None);
            assert!(matches!(
                repo.file("1").await,
                Err(StorageError::NotFound(_))
            ));
        });
    }

    #[test]
    fn damaged_and_newer_records_are_reported_with_their_key() {
        block_on(async {
            let kv = MemoryStore::default();
            kv.put(Bucket::Datasets, "bad", b"{not json".to_vec())
                .await
                .unwrap();
            kv.put(
                Bucket::Datasets,
                "new",
                br#"{"schema":99,"value":{}}"#.to_vec(),
            )
            .await
            .unwrap();
            let repo = Repository::new(kv);
            repo.save_dataset(&meta("1"), b"x".to_vec()).await.unwrap();
            let l = repo.list().await.unwrap();
            assert_eq!(l.datasets.len(), 1);
            assert_eq!(l.problems.len(), 2);
            assert!(l
                .problems
                .iter()
                .any(|p| matches!(p, StorageError::Corrupt { key, .. } if key == "bad")));
            assert!(l
                .problems
                .iter()
                .any(|p| matches!(p, StorageError::NewerSchema { version: 99, .. })));
        });
    }

    #[test]
    fn project_export_then_import_restores_everything() {
        block_on(async {
            let a = Repository::new(MemoryStore::default());
            a.save_dataset(&meta("1"), vec![0, 159, 146, 150, 255])
                .await
                .unwrap();
            a.set_setting("mapping/abc", &"customer=1".to_string())
                .await
                .unwrap();
            let file = a.export_project().await.unwrap();
            let b = Repository::new(MemoryStore::default());
            let got = b.import_project(&file).await.unwrap();
            let got: Vec<DatasetMeta> = got
                .into_iter()
                .map(|m| DatasetMeta { chunks: 1, ..m })
                .collect();
            // The size is the bytes' own (the test's record said 3).
            assert_eq!(
                got,
                vec![DatasetMeta {
                    size_bytes: 5,
                    ..meta("1")
                }]
            );
            assert_eq!(b.file("1").await.unwrap(), vec![0, 159, 146, 150, 255]);
            assert_eq!(
                b.setting::<String>("mapping/abc").await.unwrap().as_deref(),
                Some("customer=1")
            );
            assert!(matches!(
                b.import_project(b"{}").await,
                Err(StorageError::BadProject(_))
            ));
        });
    }

    #[test]
    fn project_files_old_new_damaged_and_with_a_long_header() {
        block_on(async {
            let a = Repository::new(MemoryStore::default());
            a.save_dataset(&meta("1"), b"x,y\n1,2\n".to_vec())
                .await
                .unwrap();
            // Settings over the first megabyte read: the header is read further.
            let long = "z".repeat(3 << 20);
            a.set_setting("segments/settings", &long).await.unwrap();
            let file = a.export_project().await.unwrap();
            assert!(file.starts_with(b"crm-analytics-project 2\n{"));
            assert!(file.ends_with(b"x,y\n1,2\n"));
            let b = Repository::new(MemoryStore::default());
            b.import_project(&file).await.unwrap();
            assert_eq!(b.file("1").await.unwrap(), b"x,y\n1,2\n");
            assert_eq!(
                b.setting::<String>("segments/settings").await.unwrap(),
                Some(long)
            );
            // Cut short: refused, and nothing listed.
            let c = Repository::new(MemoryStore::default());
            let err = c.import_project(&file[..file.len() - 3]).await.unwrap_err();
            assert!(err.to_string().contains("cut short"), "{err}");
            assert!(c.list().await.unwrap().datasets.is_empty());
            // Not a project file, and one from a newer version.
            for (bytes, says) in [
                (&b"customer,date\n"[..], "first line"),
                (&b"crm-analytics-project 3\n{}\n"[..], "newer version"),
            ] {
                let err = c.import_project(bytes).await.unwrap_err();
                assert!(err.to_string().contains(says), "{err}");
            }
            // Version 1: one JSON document with base64 bytes.
            let v1 = serde_json::to_vec(&ProjectFile {
                format: PROJECT_FORMAT.into(),
                schema: 2,
                datasets: vec![ProjectEntry {
                    meta: meta("9"),
                    bytes_base64: "YSxiCjEsMgo=".into(),
                }],
                settings: vec![(
                    "k".into(),
                    String::from_utf8(encode(&"v".to_string()).unwrap()).unwrap(),
                )],
            })
            .unwrap();
            let got = c.import_project(&v1).await.unwrap();
            assert_eq!(got.len(), 1);
            assert_eq!(c.file("9").await.unwrap(), b"a,b\n1,2\n");
            assert_eq!(
                c.setting::<String>("k").await.unwrap().as_deref(),
                Some("v")
            );
        });
    }
}
