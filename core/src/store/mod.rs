//! Storage: the `Store` trait every backend implements, and the embedded
//! sled backend. Only `Store` implementations touch the storage engine.
//!
//! A write is one [`Transaction`]: everything it puts or deletes (item, path
//! index, children, history, hooks' own writes) is applied together or not at
//! all, and [`Transaction::commit`] returns only once the write is durable
//! against a killed process. Blobs are streamed to the store before the
//! transaction that references them, content-addressed by their SHA-256, so a
//! failed transaction leaves at worst an unreferenced blob, never a dangling
//! reference.

use std::io::Read;

use serde::{Deserialize, Serialize};

mod sled_store;

pub use sled_store::SledStore;

/// The version of the stored data's layout. A release that changes the
/// layout bumps it and ships a migration; a binary refuses newer data.
pub const FORMAT_VERSION: u32 = 1;

/// A key and its value.
pub type Pair = (Vec<u8>, Vec<u8>);

/// Key and value pairs, as returned by prefix scans.
pub type Pairs = Vec<Pair>;

/// The portable kinds of storage failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreErrorKind {
    /// The thing asked for is not there.
    NotFound,
    /// The backend cannot be reached or failed to write.
    Unavailable,
    /// Stored data cannot be read back (corruption, newer format).
    Corrupt,
    /// The backend cannot do this.
    NotSupported,
}

/// A storage failure: a portable kind and the backend's own explanation.
#[derive(Debug, thiserror::Error)]
#[error("storage ({kind:?}): {message}")]
pub struct StoreError {
    /// What kind of failure it is.
    pub kind: StoreErrorKind,
    /// The backend's explanation.
    pub message: String,
}

impl StoreError {
    /// Builds a storage error.
    pub fn new(kind: StoreErrorKind, message: impl std::fmt::Display) -> Self {
        Self {
            kind,
            message: message.to_string(),
        }
    }
}

/// A stored file: what a `file` or `image` field holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlobRef {
    /// The SHA-256 of the content, in hexadecimal; also its key.
    pub sha256: String,
    /// The size in bytes.
    pub size: u64,
    /// The media type given on upload.
    pub content_type: String,
    /// The file name given on upload.
    pub filename: String,
    /// An image's width in pixels (as shown, after its EXIF orientation),
    /// read from its header when it was stored; absent for other files,
    /// for images whose header could not be read, and for images stored
    /// before 0.3.0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// An image's height in pixels; see `width`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

/// A storage backend.
pub trait Store: Send + Sync {
    /// Reads one key.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;
    /// Reads every key under `prefix`, in key order.
    fn scan_prefix(&self, prefix: &[u8]) -> Result<Pairs, StoreError>;
    /// Starts a write. Writes are serialised: one transaction at a time.
    fn begin(&self) -> Result<Box<dyn Transaction + '_>, StoreError>;
    /// Streams a blob in, hashing and counting it on the way.
    fn put_blob(
        &self,
        content: &mut dyn Read,
        content_type: &str,
        filename: &str,
        max_size: u64,
    ) -> Result<BlobRef, StoreError>;
    /// Opens a stored blob for reading.
    fn open_blob(&self, sha256: &str) -> Result<Box<dyn Read + Send>, StoreError>;
    /// Whether a blob is stored.
    fn has_blob(&self, sha256: &str) -> Result<bool, StoreError>;
    /// The folder the store keeps its files in, for modules that keep
    /// files beside it (the catalog's full-text index). `None` for a store
    /// without one.
    fn data_dir(&self) -> Option<&std::path::Path> {
        None
    }
}

/// One write in progress. Reads see the transaction's own writes.
pub trait Transaction {
    /// Reads one key.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;
    /// Reads every key under `prefix`, in key order.
    fn scan_prefix(&self, prefix: &[u8]) -> Result<Pairs, StoreError>;
    /// The last key under `prefix`, with its value.
    fn last_with_prefix(&self, prefix: &[u8]) -> Result<Option<Pair>, StoreError>;
    /// Writes one key.
    fn put(&mut self, key: &[u8], value: Vec<u8>);
    /// Deletes one key.
    fn delete(&mut self, key: &[u8]);
    /// Applies every write at once and makes it durable before returning.
    fn commit(self: Box<Self>) -> Result<(), StoreError>;
}
