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

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use beffroi::prelude::*;

mod index;
mod query;
mod text;

pub use query::{DateRange, Hit, PathQuery, Query, Results, SortOrder};

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
            core: "^0.2",
            ..Manifest::EMPTY
        }
    }

    fn follows_journal(&self) -> bool {
        true
    }

    fn committed(&self, site: &Site) {
        // Only once the index is open: until then the journal waits.
        if let Some(idx) = opened(site) {
            if let Err(e) = catch_up(site, &idx) {
                tracing::error!(site = site.id(), error = %e, "the catalog could not apply a write; it will retry at the next one");
            }
        }
    }

    fn opened(&self, site: &Site) -> Result<()> {
        open(site).map(drop)
    }

    fn reindex(&self, site: &Site, progress: &mut dyn FnMut(u64, u64)) -> Result<Option<u64>> {
        reindex(site, progress).map(Some)
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
        None => format!("memory:{}:{:p}", site.id(), site as *const Site),
    }
}

fn opened(site: &Site) -> Option<Arc<SiteIndex>> {
    registry()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(&key(site))
        .cloned()
}

fn failure(e: impl std::fmt::Display) -> Error {
    Error::Config {
        file: "catalog".into(),
        message: e.to_string(),
    }
}

/// Opens the site's index (once per process): creates or rebuilds it when
/// it is missing, broken or of an older version, and applies what the
/// journal holds.
fn open(site: &Site) -> Result<Arc<SiteIndex>> {
    let mut reg = registry()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let k = key(site);
    if let Some(idx) = reg.get(&k) {
        return Ok(Arc::clone(idx));
    }
    let dir = index::folder(site);
    let (idx, fresh) = match SiteIndex::open(dir.as_deref()) {
        Ok(x) => x,
        Err(e) => {
            tracing::warn!(site = site.id(), error = %e, "the catalog's index cannot be opened: rebuilding it");
            if let Some(d) = &dir {
                let _ = std::fs::remove_dir_all(d);
            }
            SiteIndex::open(dir.as_deref()).map_err(failure)?
        }
    };
    let idx = Arc::new(idx);
    if fresh {
        let journal = site.journal_entries()?;
        let n = idx.rebuild(site, &mut |_, _| {}).map_err(failure)?;
        site.clear_journal(&journal.into_iter().map(|(k, _)| k).collect::<Vec<_>>())?;
        if n > 1 {
            tracing::info!(
                site = site.id(),
                items = n,
                "the catalog's index was missing: rebuilt"
            );
        }
    } else {
        catch_up(site, &idx)?;
    }
    reg.insert(k, Arc::clone(&idx));
    Ok(idx)
}

/// Applies the journal's entries to the index, then clears them.
fn catch_up(site: &Site, idx: &SiteIndex) -> Result<()> {
    let entries = site.journal_entries()?;
    if entries.is_empty() {
        return Ok(());
    }
    let uids: BTreeSet<String> = entries
        .iter()
        .flat_map(|(_, u)| u.iter().cloned())
        .collect();
    idx.apply(site, &uids).map_err(failure)?;
    site.clear_journal(&entries.into_iter().map(|(k, _)| k).collect::<Vec<_>>())
}

/// Rebuilds the site's whole index from its content; returns the number
/// of items indexed. `progress` is told (done, total).
pub fn reindex(site: &Site, progress: &mut dyn FnMut(u64, u64)) -> Result<u64> {
    let idx = open(site)?;
    let journal = site.journal_entries()?;
    let n = idx.rebuild(site, progress).map_err(failure)?;
    site.clear_journal(&journal.into_iter().map(|(k, _)| k).collect::<Vec<_>>())?;
    Ok(n)
}

/// Runs a query as `who`: only items `who` may view are counted, faceted
/// and returned.
pub fn search(site: &Site, who: &Principal, q: &Query) -> Result<Results> {
    let idx = open(site)?;
    // Writes from another process, or a failed catch-up, are applied first.
    catch_up(site, &idx)?;
    let results = query::run(&idx, who, q)?;
    Ok(results)
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
