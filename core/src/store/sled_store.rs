//! The embedded backend: one sled database and a folder of blobs.
//!
//! Writes are serialised by a lock; a transaction collects its writes in an
//! overlay and applies them as one sled batch (atomic), then flushes. sled's
//! flush writes its log to the operating system and syncs it, so an
//! acknowledged write survives a killed process. What happens on power loss
//! depends on the disk honouring the sync; towns that need more use the
//! PostgreSQL backend.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use sha2::{Digest, Sha256};

use super::{BlobRef, Pair, Pairs, Store, StoreError, StoreErrorKind, Transaction, FORMAT_VERSION};

const FORMAT_KEY: &[u8] = b"beffroi:format";

/// The sled backend.
pub struct SledStore {
    tree: sled::Db,
    dir: PathBuf,
    blobs: PathBuf,
    write_lock: Mutex<()>,
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::new(StoreErrorKind::Unavailable, e)
}

impl SledStore {
    /// Opens (or creates) a store in `dir`: `dir/db` for sled, `dir/blobs` for files.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        fs::create_dir_all(dir.join("blobs")).map_err(|e| {
            unavailable(format!(
                "cannot create {}: {e}",
                dir.join("blobs").display()
            ))
        })?;
        // A store just dropped in this process lets go of its lock when
        // sled's flusher thread ends, a moment later: wait up to a second.
        let mut attempt = 0;
        let opened = loop {
            match sled::Config::new().path(dir.join("db")).open() {
                Err(e) if attempt < 20 && e.to_string().contains("lock") => {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                other => break other,
            }
        };
        let tree = opened
            .map_err(|e| {
                let hint = if e.to_string().contains("lock") {
                    " (another process, such as a running server, is using this data folder; stop it first)"
                } else {
                    ""
                };
                unavailable(format!("cannot open {}: {e}{hint}", dir.join("db").display()))
            })?;
        let store = Self {
            tree,
            dir: dir.to_owned(),
            blobs: dir.join("blobs"),
            write_lock: Mutex::new(()),
        };
        match store.tree.get(FORMAT_KEY).map_err(unavailable)? {
            None => {
                store
                    .tree
                    .insert(FORMAT_KEY, FORMAT_VERSION.to_string().as_bytes())
                    .map_err(unavailable)?;
                store.tree.flush().map_err(unavailable)?;
            }
            Some(v) => {
                let found: u32 = std::str::from_utf8(&v)
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| {
                        StoreError::new(StoreErrorKind::Corrupt, "unreadable data format number")
                    })?;
                if found > FORMAT_VERSION {
                    return Err(StoreError::new(
                        StoreErrorKind::Corrupt,
                        format!(
                            "the data in {} has format {found}, newer than this binary reads ({FORMAT_VERSION}); run a newer release",
                            dir.display()
                        ),
                    ));
                }
            }
        }
        Ok(store)
    }

    fn blob_path(&self, sha256: &str) -> Option<PathBuf> {
        if !crate::text::is_sha256(sha256) {
            return None;
        }
        Some(self.blobs.join(&sha256[..2]).join(sha256))
    }

    fn lock(&self) -> MutexGuard<'_, ()> {
        // A panic while holding the lock leaves no partial write (the batch is
        // applied whole or not at all), so a poisoned lock is safe to reuse.
        self.write_lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Store for SledStore {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.tree.get(key).map_err(unavailable)?.map(|v| v.to_vec()))
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Pairs, StoreError> {
        self.tree
            .scan_prefix(prefix)
            .map(|r| {
                r.map(|(k, v)| (k.to_vec(), v.to_vec()))
                    .map_err(unavailable)
            })
            .collect()
    }

    fn begin(&self) -> Result<Box<dyn Transaction + '_>, StoreError> {
        Ok(Box::new(SledTransaction {
            store: self,
            _guard: self.lock(),
            overlay: BTreeMap::new(),
        }))
    }

    fn put_blob(
        &self,
        content: &mut dyn Read,
        content_type: &str,
        filename: &str,
        max_size: u64,
    ) -> Result<BlobRef, StoreError> {
        let mut tmp = tempfile_in(&self.blobs)?;
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = content.read(&mut buf).map_err(unavailable)?;
            if n == 0 {
                break;
            }
            size += n as u64;
            if size > max_size {
                let _ = fs::remove_file(&tmp.1);
                return Err(StoreError::new(
                    StoreErrorKind::NotSupported,
                    format!("file larger than the limit of {max_size} bytes"),
                ));
            }
            hasher.update(&buf[..n]);
            tmp.0.write_all(&buf[..n]).map_err(unavailable)?;
        }
        tmp.0.sync_all().map_err(unavailable)?;
        let sha256 = hex(&hasher.finalize());
        let Some(path) = self.blob_path(&sha256) else {
            return Err(unavailable("bad hash"));
        };
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(unavailable)?;
        }
        fs::rename(&tmp.1, &path).map_err(unavailable)?;
        Ok(BlobRef {
            sha256,
            size,
            content_type: content_type.to_owned(),
            filename: filename.to_owned(),
            width: None,
            height: None,
        })
    }

    fn open_blob(&self, sha256: &str) -> Result<Box<dyn Read + Send>, StoreError> {
        let path = self
            .blob_path(sha256)
            .ok_or_else(|| StoreError::new(StoreErrorKind::NotFound, "no such blob"))?;
        match fs::File::open(path) {
            Ok(f) => Ok(Box::new(f)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StoreError::new(
                StoreErrorKind::NotFound,
                format!("no blob {sha256}"),
            )),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn has_blob(&self, sha256: &str) -> Result<bool, StoreError> {
        Ok(self.blob_path(sha256).is_some_and(|p| p.is_file()))
    }

    fn data_dir(&self) -> Option<&Path> {
        Some(&self.dir)
    }
}

fn tempfile_in(dir: &Path) -> Result<(fs::File, PathBuf), StoreError> {
    let path = dir.join(format!(".upload-{}", crate::text::new_uid()));
    let f = fs::File::create(&path).map_err(unavailable)?;
    Ok((f, path))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

struct SledTransaction<'a> {
    store: &'a SledStore,
    _guard: MutexGuard<'a, ()>,
    overlay: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
}

fn prefix_end(prefix: &[u8]) -> Bound<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Bound::Excluded(end);
        }
    }
    Bound::Unbounded
}

impl Transaction for SledTransaction<'_> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        match self.overlay.get(key) {
            Some(v) => Ok(v.clone()),
            None => self.store.get(key),
        }
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Pairs, StoreError> {
        let mut merged: BTreeMap<Vec<u8>, Vec<u8>> =
            self.store.scan_prefix(prefix)?.into_iter().collect();
        for (k, v) in self
            .overlay
            .range((Bound::Included(prefix.to_vec()), prefix_end(prefix)))
        {
            match v {
                Some(v) => merged.insert(k.clone(), v.clone()),
                None => merged.remove(k),
            };
        }
        Ok(merged.into_iter().collect())
    }

    fn last_with_prefix(&self, prefix: &[u8]) -> Result<Option<Pair>, StoreError> {
        let from_tree = self
            .store
            .tree
            .scan_prefix(prefix)
            .rev()
            .map(|r| r.map_err(unavailable))
            .find(|r| match r {
                Ok((k, _)) => !matches!(self.overlay.get(k.as_ref()), Some(None)),
                Err(_) => true,
            })
            .transpose()?
            .map(|(k, v)| (k.to_vec(), v.to_vec()));
        let from_overlay = self
            .overlay
            .range((Bound::Included(prefix.to_vec()), prefix_end(prefix)))
            .rev()
            .find_map(|(k, v)| v.as_ref().map(|v| (k.clone(), v.clone())));
        Ok(match (from_tree, from_overlay) {
            (Some(t), Some(o)) => Some(if o.0 >= t.0 { o } else { t }),
            (t, o) => t.or(o),
        })
    }

    fn put(&mut self, key: &[u8], value: Vec<u8>) {
        self.overlay.insert(key.to_vec(), Some(value));
    }

    fn delete(&mut self, key: &[u8]) {
        self.overlay.insert(key.to_vec(), None);
    }

    fn commit(self: Box<Self>) -> Result<(), StoreError> {
        if self.overlay.is_empty() {
            return Ok(());
        }
        let mut batch = sled::Batch::default();
        for (k, v) in &self.overlay {
            match v {
                Some(v) => batch.insert(k.as_slice(), v.as_slice()),
                None => batch.remove(k.as_slice()),
            }
        }
        self.store.tree.apply_batch(batch).map_err(unavailable)?;
        self.store.tree.flush().map_err(unavailable)?;
        Ok(())
    }
}
