//! Beffroi's catalog: every listing, search box, "latest news" block and
//! dashboard of a site is a catalog query. Plone's `portal_catalog` is the
//! model.
//!
//! - **Indexes**: path (subtree and depth), type, review state, creator,
//!   language, dates (created, modified, effective, expires, start, end),
//!   subjects, the fields a type marks `index = true`, and who may view
//!   each item ([`beffroi::Site::view_tokens`]).
//! - **Full text** with tantivy: per-language analysis (stemming for
//!   French, Dutch, English, Spanish and German, accents and case folded),
//!   titles weighted above the body, rich text as text, the text of plain
//!   text and PDF files for fields marked `searchable`.
//! - **Never leaks**: results, totals and facets are computed with the
//!   user's View filter inside the query.
//! - **Consistent**: every write records the uids it touched in the site's
//!   journal, in its own transaction; the catalog applies the journal after
//!   each commit and at start, so a killed process leaves nothing behind.
//!   A missing, broken or outdated index is rebuilt at start, with a log line.
#![forbid(unsafe_code)]

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use beffroi::prelude::*;

mod index;
mod query;
mod text;

// The query's types are the core's, so a site searches the same way with
// or without the catalog; they stay reachable here for the catalog's users.
pub use beffroi::search::{DateRange, Hit, PathQuery, Query, Results, SortOrder};

use index::SiteIndex;

/// The module's name in `site.toml`.
pub const NAME: &str = "catalog";

/// The module.
pub struct Catalog;

impl Module for Catalog {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: NAME,
            version: env!("CARGO_PKG_VERSION"),
            title: "Catalog: indexes and full-text search, filtered by permissions",
            core: "^0.3",
            ..Manifest::EMPTY
        }
    }

    fn follows_journal(&self) -> bool {
        true
    }

    fn committed(&self, site: &Site) {
        // Only once the index is open: until then the journal waits. A
        // failure (or a panic in a file's text extraction) is logged, never
        // turned into an error for a write that is already committed.
        let Some(idx) = opened(site) else { return };
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| catch_up(site, &idx, true)));
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::error!(site = site.id(), error = %e, "the catalog could not apply a write; it will retry");
                evict(site);
            }
            Err(_) => {
                tracing::error!(
                    site = site.id(),
                    "the catalog panicked applying a write; it will reopen"
                );
                evict(site);
            }
        }
    }

    fn opened(&self, site: &Site) -> Result<()> {
        // A broken catalog never stops the site: it is logged, and the next
        // query or write tries again.
        if let Err(e) = open(site) {
            tracing::error!(site = site.id(), error = %e, "the catalog cannot be opened; search is unavailable until it can");
        }
        Ok(())
    }

    fn reindex(&self, site: &Site, progress: &mut dyn FnMut(u64, u64)) -> Result<Option<u64>> {
        reindex(site, progress).map(Some)
    }

    fn search(&self, site: &Site, who: &Principal, q: &Query) -> Option<Result<Results>> {
        // A bad query is the caller's to hear about; a catalog that cannot
        // answer leaves the search to the core's walk, with a log line.
        match search(site, who, q) {
            Err(Error::Config { message, .. }) => {
                tracing::error!(site = site.id(), error = %message, "the catalog cannot search; the core's walk answers");
                None
            }
            answer => Some(answer),
        }
    }
}

beffroi::register_module!(Catalog);

/// The open indexes of this process, per site and data folder.
fn registry() -> &'static Mutex<HashMap<String, Arc<SiteIndex>>> {
    static OPEN: OnceLock<Mutex<HashMap<String, Arc<SiteIndex>>>> = OnceLock::new();
    OPEN.get_or_init(Mutex::default)
}

fn key(site: &Site) -> String {
    match index::folder(site) {
        Some(p) => p.display().to_string(),
        // A store without a folder (tests): the store's own address names it.
        None => format!(
            "memory:{}:{:p}",
            site.id(),
            site.store() as *const dyn beffroi::store::Store as *const u8
        ),
    }
}

fn opened(site: &Site) -> Option<Arc<SiteIndex>> {
    registry()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(&key(site))
        .cloned()
}

fn evict(site: &Site) {
    registry()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .remove(&key(site));
}

fn failure(e: impl std::fmt::Display) -> Error {
    Error::Config {
        file: "catalog".into(),
        message: e.to_string(),
    }
}

/// Whether the journal holds every write since the index's last one
/// (`applied`), up to the site's last write: if not, writes were made
/// while nothing followed the journal (the module was disabled).
fn complete(entries: &[beffroi::JournalEntry], applied: u64, last: u64) -> bool {
    let mut expected = applied + 1;
    for e in entries.iter().filter(|e| e.seq > applied) {
        if e.seq != expected {
            return false;
        }
        expected += 1;
    }
    expected == last + 1 || last <= applied
}

/// Opens the site's index (once per process). It is rebuilt from the
/// content when missing, broken, never completely built, built for other
/// workflows or field options, or when writes were made that it never saw;
/// otherwise the journal is applied. Opening only reads the site: it may
/// run anywhere, inside a write included.
fn open(site: &Site) -> Result<Arc<SiteIndex>> {
    let mut reg = registry()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let k = key(site);
    if let Some(idx) = reg.get(&k) {
        return Ok(Arc::clone(idx));
    }
    let dir = index::folder(site);
    let (idx, _) = match SiteIndex::open(dir.as_deref()) {
        Ok(x) => x,
        Err(e) => {
            tracing::warn!(site = site.id(), error = %e, "the catalog's index cannot be opened: rebuilding it");
            if let Some(d) = &dir {
                let _ = std::fs::remove_dir_all(d);
            }
            SiteIndex::open(dir.as_deref()).map_err(failure)?
        }
    };
    let entries = site.journal_entries()?;
    let reason = match idx.marker() {
        None => Some("it was missing or never completely built"),
        Some(m) if m.fingerprint != index::fingerprint(site) => {
            Some("workflows, permissions or field options changed")
        }
        Some(m) if !complete(&entries, m.applied, site.write_sequence()?) => {
            Some("writes were made while the catalog was not enabled")
        }
        Some(_) => None,
    };
    match reason {
        Some(why) => {
            let n = idx.rebuild(site, &mut |_, _| {}).map_err(failure)?;
            tracing::info!(
                site = site.id(),
                items = n,
                reason = why,
                "the catalog's index was rebuilt"
            );
        }
        None => idx.apply(site, &entries).map_err(failure)?,
    }
    let idx = Arc::new(idx);
    reg.insert(k, Arc::clone(&idx));
    Ok(idx)
}

/// Applies the journal's entries the index does not hold yet; with
/// `clear`, removes the entries it holds (this takes the store's write
/// lock: never from inside a write).
fn catch_up(site: &Site, idx: &SiteIndex, clear: bool) -> Result<()> {
    let entries = site.journal_entries()?;
    if entries.is_empty() {
        return Ok(());
    }
    idx.apply(site, &entries).map_err(failure)?;
    if clear {
        let applied = idx.marker().map_or(0, |m| m.applied);
        let done: Vec<Vec<u8>> = entries
            .into_iter()
            .filter(|e| e.seq <= applied)
            .map(|e| e.key)
            .collect();
        site.clear_journal(&done)?;
    }
    Ok(())
}

/// Forgets the site's open index in this process: the next use opens it
/// again, with every check of a start (tests, and tools that change a
/// site's configuration in place).
pub fn close(site: &Site) {
    evict(site);
}

/// Rebuilds the site's whole index from its content; returns the number
/// of items indexed. `progress` is told (done, total). Not from inside a
/// write.
pub fn reindex(site: &Site, progress: &mut dyn FnMut(u64, u64)) -> Result<u64> {
    let idx = open(site)?;
    let n = idx.rebuild(site, progress).map_err(failure)?;
    catch_up(site, &idx, true)?;
    Ok(n)
}

/// Runs a query as `who`: only items `who` may view are counted, faceted
/// and returned. It may be called anywhere, a guard or hook included.
pub fn search(site: &Site, who: &Principal, q: &Query) -> Result<Results> {
    let idx = open(site)?;
    // Writes another process made, or a catch-up that failed, are applied
    // first; the journal is left for `committed` to clear.
    catch_up(site, &idx, false)?;
    query::run(&idx, who, &site.query_for(who, q)?)
}

/// Counts per value of the facets `q` asks for; a shortcut for dashboards.
pub fn facets(
    site: &Site,
    who: &Principal,
    q: &Query,
) -> Result<BTreeMap<String, BTreeMap<String, u64>>> {
    let mut q = q.clone();
    q.b_size = 0;
    Ok(search(site, who, &q)?.facets)
}

/// The module, for [`beffroi::main!`]: naming it links the crate.
pub fn module() -> &'static dyn Module {
    &Catalog
}
