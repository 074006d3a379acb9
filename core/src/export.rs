//! Export and import: a full, portable dump of a site in a folder
//! (content with history, blobs, users, installed module versions, modules'
//! own data). Importing an export gives back the same site.

use std::fs;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::item::{HistoryEntry, Item};
use crate::security::Principal;
use crate::site::{decode, encode, Site, SiteMeta};
use crate::users::User;

/// The export layout's version.
pub const EXPORT_FORMAT: u32 = 1;

/// What an export or import moved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Items, the root included.
    pub items: usize,
    /// Accounts.
    pub users: usize,
    /// Distinct files.
    pub blobs: usize,
}

#[derive(Serialize, Deserialize)]
struct Manifest {
    beffroi_export: u32,
    site: String,
    title: String,
    core_version: String,
    exported: chrono::DateTime<chrono::Utc>,
    meta: SiteMeta,
    modules: std::collections::BTreeMap<String, String>,
}

#[derive(Serialize, Deserialize)]
struct ItemRecord {
    item: Item,
    history: Vec<HistoryEntry>,
}

#[derive(Serialize, Deserialize)]
struct ModuleData {
    module: String,
    key: String,
    value: Value,
}

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::Config {
        file: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Records of the security engine kept as they are stored: groups,
/// memberships, services, counters, the audit log.
const SECURITY_PREFIXES: &[&str] = &["g/", "gm/", "o/", "k/", "a/"];

#[derive(Serialize, Deserialize)]
struct RawRecord {
    key: String,
    value: Value,
}

/// Writes the site into `out`, which must not exist or be empty. `progress`
/// is called with (done, total) items. An export holds everything, private
/// items and accounts included: only those holding `Manage site` may make one.
pub fn export_site(
    site: &Site,
    who: &Principal,
    out: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Summary> {
    let root = site.reader(who).must_get("/")?;
    if !site.reader(who).can(&root, crate::security::MANAGE_SITE)? {
        return Err(Error::Forbidden(
            "exporting the site needs the permission `Manage site`".into(),
        ));
    }
    if out.exists() && fs::read_dir(out).map_err(|e| io(out, e))?.next().is_some() {
        return Err(Error::Conflict(format!(
            "{} is not empty; export into a new folder",
            out.display()
        )));
    }
    let meta = site
        .meta()?
        .ok_or_else(|| Error::NotFound(format!("site `{}` has not been created yet", site.id())))?;
    fs::create_dir_all(out.join("blobs")).map_err(|e| io(out, e))?;
    let store = site.store();
    let keys = site.keys();
    let modules = store
        .scan_prefix(&keys.modules())?
        .into_iter()
        .map(|(k, v)| {
            let k = String::from_utf8_lossy(&k).into_owned();
            (
                k.rsplit('/').next().unwrap_or_default().to_owned(),
                String::from_utf8_lossy(&v).into_owned(),
            )
        })
        .collect();
    let manifest = Manifest {
        beffroi_export: EXPORT_FORMAT,
        site: site.id().to_owned(),
        title: site.config().title.clone(),
        core_version: crate::module::CORE_VERSION.to_owned(),
        exported: chrono::Utc::now(),
        meta,
        modules,
    };
    let mpath = out.join("manifest.json");
    fs::write(
        &mpath,
        serde_json::to_vec_pretty(&manifest).unwrap_or_default(),
    )
    .map_err(|e| io(&mpath, e))?;

    let items = site.walk()?;
    let total = items.len() as u64;
    let ipath = out.join("items.jsonl");
    let mut w = BufWriter::new(fs::File::create(&ipath).map_err(|e| io(&ipath, e))?);
    let mut summary = Summary::default();
    let mut blobs = std::collections::BTreeSet::new();
    for (i, item) in items.iter().enumerate() {
        let history: Vec<HistoryEntry> = store
            .scan_prefix(&keys.history(&item.uid))?
            .iter()
            .map(|(k, v)| decode(k, v))
            .collect::<Result<_>>()?;
        for v in item.fields.values() {
            if let Some(sha) = v.get("sha256").and_then(Value::as_str) {
                if blobs.insert(sha.to_owned()) {
                    let dest = out.join("blobs").join(sha);
                    let mut reader = store.open_blob(sha)?;
                    let mut f = fs::File::create(&dest).map_err(|e| io(&dest, e))?;
                    std::io::copy(&mut reader, &mut f).map_err(|e| io(&dest, e))?;
                }
            }
        }
        let line = serde_json::to_string(&ItemRecord {
            item: item.clone(),
            history,
        })
        .unwrap_or_default();
        writeln!(w, "{line}").map_err(|e| io(&ipath, e))?;
        summary.items += 1;
        progress(i as u64 + 1, total);
    }
    w.flush().map_err(|e| io(&ipath, e))?;
    summary.blobs = blobs.len();

    let upath = out.join("users.jsonl");
    let mut w = BufWriter::new(fs::File::create(&upath).map_err(|e| io(&upath, e))?);
    for u in site.users()? {
        writeln!(w, "{}", serde_json::to_string(&u).unwrap_or_default())
            .map_err(|e| io(&upath, e))?;
        summary.users += 1;
    }
    w.flush().map_err(|e| io(&upath, e))?;

    let dpath = out.join("module_data.jsonl");
    let mut w = BufWriter::new(fs::File::create(&dpath).map_err(|e| io(&dpath, e))?);
    let prefix = keys.exts();
    for (k, v) in store.scan_prefix(&prefix)? {
        let rest = String::from_utf8_lossy(&k[prefix.len()..]).into_owned();
        let (module, key) = rest.split_once('/').unwrap_or((&rest, ""));
        let record = ModuleData {
            module: module.to_owned(),
            key: key.to_owned(),
            value: decode(&k, &v)?,
        };
        writeln!(w, "{}", serde_json::to_string(&record).unwrap_or_default())
            .map_err(|e| io(&dpath, e))?;
    }
    w.flush().map_err(|e| io(&dpath, e))?;

    let spath = out.join("security.jsonl");
    let mut w = BufWriter::new(fs::File::create(&spath).map_err(|e| io(&spath, e))?);
    let site_prefix = keys.site();
    for p in SECURITY_PREFIXES {
        let mut prefix = site_prefix.clone();
        prefix.extend_from_slice(p.as_bytes());
        for (k, v) in store.scan_prefix(&prefix)? {
            let value = if v.is_empty() {
                Value::Null
            } else {
                decode(&k, &v)?
            };
            let record = RawRecord {
                key: String::from_utf8_lossy(&k[site_prefix.len()..]).into_owned(),
                value,
            };
            writeln!(w, "{}", serde_json::to_string(&record).unwrap_or_default())
                .map_err(|e| io(&spath, e))?;
        }
    }
    w.flush().map_err(|e| io(&spath, e))?;
    Ok(summary)
}

fn read_lines<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>> {
    let f = fs::File::open(path).map_err(|e| io(path, e))?;
    let mut out = Vec::new();
    for (n, line) in BufReader::new(f).lines().enumerate() {
        let line = line.map_err(|e| io(path, e))?;
        if line.trim().is_empty() {
            continue;
        }
        out.push(serde_json::from_str(&line).map_err(|e| Error::Config {
            file: format!("{}:{}", path.display(), n + 1),
            message: e.to_string(),
        })?);
    }
    Ok(out)
}

/// Replaces the site's content, accounts and module data with the export in
/// `from`, in one transaction: on any error the site is left as it was.
/// Derived indexes (the catalog) are not rebuilt here: run each module's
/// `reindex` afterwards (the `import` command does); at the latest, the
/// next start rebuilds them.
pub fn import_site(
    site: &Site,
    from: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Summary> {
    let mpath = from.join("manifest.json");
    let text = fs::read(&mpath).map_err(|e| io(&mpath, e))?;
    let manifest: Manifest = serde_json::from_slice(&text).map_err(|e| Error::Config {
        file: mpath.display().to_string(),
        message: e.to_string(),
    })?;
    if manifest.beffroi_export > EXPORT_FORMAT {
        return Err(Error::Config {
            file: mpath.display().to_string(),
            message: format!(
                "export format {} is newer than this binary reads ({EXPORT_FORMAT})",
                manifest.beffroi_export
            ),
        });
    }
    let records: Vec<ItemRecord> = read_lines(&from.join("items.jsonl"))?;
    let users: Vec<User> = read_lines(&from.join("users.jsonl"))?;
    let data: Vec<ModuleData> = read_lines(&from.join("module_data.jsonl"))?;
    let spath = from.join("security.jsonl");
    let raw: Vec<RawRecord> = if spath.exists() {
        read_lines(&spath)?
    } else {
        Vec::new()
    };
    for r in &raw {
        if !SECURITY_PREFIXES.iter().any(|p| r.key.starts_with(p)) || r.key.contains("..") {
            return Err(Error::Config {
                file: spath.display().to_string(),
                message: format!("unexpected record `{}`", r.key),
            });
        }
    }
    for r in &records {
        if site.schema().get(&r.item.type_name).is_none() {
            return Err(Error::NotAllowed(format!(
                "{} is a `{}`, a type this site does not have; enable the module that brings it",
                r.item.path, r.item.type_name
            )));
        }
    }
    if !records
        .iter()
        .any(|r| r.item.path == "/" && r.item.uid == manifest.meta.root)
    {
        return Err(Error::Config {
            file: from.join("items.jsonl").display().to_string(),
            message: "the export has no site root".into(),
        });
    }
    // Blobs first: content-addressed, so a failed import leaves only unused files.
    let mut blobs = 0;
    let bdir = from.join("blobs");
    if bdir.is_dir() {
        for entry in fs::read_dir(&bdir).map_err(|e| io(&bdir, e))?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let mut f = fs::File::open(entry.path()).map_err(|e| io(&entry.path(), e))?;
            let stored =
                site.store()
                    .put_blob(&mut f, "application/octet-stream", &name, u64::MAX)?;
            if stored.sha256 != name {
                return Err(Error::Config {
                    file: entry.path().display().to_string(),
                    message: "the file's content does not match its name (checksum)".into(),
                });
            }
            blobs += 1;
        }
    }
    let total = records.len() as u64;
    site.write(&Principal::system("admin"), |w| {
        let keys = site.keys();
        // The signing secret stays; sessions and the mail queue do not (the
        // export holds neither): everyone logs in again.
        let secret = w.tx.get(&keys.secret())?;
        // The write number goes on (and jumps, with no journal entry): an
        // index built from the content before sees that it missed this.
        let seq = crate::site::read_u64(w.tx.get(&keys.sequence())?);
        w.raw_delete_prefix(&keys.site())?;
        if let Some(secret) = secret {
            w.raw_put(&keys.secret(), secret);
        }
        w.raw_put(&keys.sequence(), (seq + 1).to_be_bytes().to_vec());
        for r in &raw {
            let mut key = keys.site();
            key.extend_from_slice(r.key.as_bytes());
            let value = if r.value.is_null() {
                Vec::new()
            } else {
                encode(&r.value)
            };
            w.raw_put(&key, value);
        }
        w.raw_put(&keys.meta(), encode(&manifest.meta));
        for (name, version) in &manifest.modules {
            w.raw_put(&keys.module(name), version.as_bytes().to_vec());
        }
        for (i, r) in records.iter().enumerate() {
            let it = &r.item;
            w.raw_put(&keys.item(&it.uid), encode(it));
            w.raw_put(&keys.path(&it.path), it.uid.clone().into_bytes());
            if let Some(p) = &it.parent {
                w.raw_put(&keys.child(p, it.position), it.uid.clone().into_bytes());
            }
            for h in &r.history {
                w.raw_put(&keys.history_entry(&it.uid, h.revision), encode(h));
            }
            progress(i as u64 + 1, total);
        }
        for u in &users {
            w.put_user(u);
        }
        for d in &data {
            w.module_put(&d.module, &d.key, &d.value);
        }
        Ok(())
    })?;
    Ok(Summary {
        items: records.len(),
        users: users.len(),
        blobs,
    })
}
