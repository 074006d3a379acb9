//! Opening and checking the libraries the sites name, all before any is
//! registered, and the messages that say what to do when one is refused.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use beffroi_plugin::{Fingerprint, ABI_VERSION};
use semver::Version;

use super::bridge::{self, DynamicModule};
use super::ffi::{self, Refusal};
use crate::error::{Error, Result};
use crate::module::{Module, Registry};

/// Libraries opened by this process, by canonical path: loading the same
/// file twice (a second registry, a test) gives the same module.
static OPENED: Mutex<Vec<(PathBuf, &'static DynamicModule)>> = Mutex::new(Vec::new());

fn refused(path: &Path, message: impl Into<String>) -> Error {
    Error::Library {
        file: path.display().to_string(),
        message: message.into(),
    }
}

/// See [`super::load`]. `wanted` is (module name in `site.toml`, path).
pub(super) fn load(registry: &Registry, wanted: &[(String, PathBuf)]) -> Result<Registry> {
    // One load at a time: the cache and the slots are process-wide.
    let mut opened = OPENED.lock().unwrap_or_else(|e| e.into_inner());

    // First, every library is found, opened and checked; nothing is
    // registered until all of them pass.
    let mut by_path: BTreeMap<PathBuf, (String, PathBuf)> = BTreeMap::new();
    for (name, path) in wanted {
        let canonical = std::fs::canonicalize(path).map_err(|e| {
            refused(
                path,
                format!(
                    "cannot read the library of `[modules.{name}]` ({e}): build the module \
                     (`cargo build --release`) and copy its `target/release/{}` into {}",
                    path.file_name()
                        .map(|f| f.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    path.parent()
                        .map(Path::display)
                        .map(|d| d.to_string())
                        .unwrap_or_default()
                ),
            )
        })?;
        if let Some((other, _)) = by_path.get(&canonical) {
            if other != name {
                return Err(refused(
                    path,
                    format!("named by both `[modules.{other}]` and `[modules.{name}]`: a library holds one module"),
                ));
            }
            continue;
        }
        by_path.insert(canonical, (name.clone(), path.clone()));
    }

    let mut ready: Vec<(PathBuf, &'static DynamicModule)> = Vec::new();
    let mut pending: Vec<(PathBuf, PathBuf, ffi::Library, beffroi_plugin::Manifest)> = Vec::new();
    for (canonical, (name, path)) in &by_path {
        if let Some((_, m)) = opened.iter().find(|(p, _)| p == canonical) {
            check_name(path, name, m.name())?;
            ready.push((canonical.clone(), m));
            continue;
        }
        let library = ffi::open(canonical).map_err(|r| refused(path, explain(&r)))?;
        let json = library
            .manifest()
            .map_err(|e| refused(path, format!("its manifest cannot be read: {e}")))?;
        let manifest: beffroi_plugin::Manifest = match serde_json::from_slice(&json) {
            Ok(m) => m,
            Err(e) => {
                let why = serde_json::from_slice::<beffroi_plugin::Response>(&json)
                    .ok()
                    .and_then(|r| match r {
                        beffroi_plugin::Response::Error { message } => Some(message),
                        _ => None,
                    })
                    .unwrap_or_else(|| e.to_string());
                return Err(refused(path, format!("its manifest cannot be read: {why}")));
            }
        };
        check_name(path, name, &manifest.name)?;
        check_manifest(path, &manifest)?;
        pending.push((canonical.clone(), path.clone(), library, manifest));
    }

    // Names: unique among the libraries, and not taken by a compiled-in module.
    let mut names: BTreeMap<String, PathBuf> = BTreeMap::new();
    let all_names = ready
        .iter()
        .map(|(_, m)| (m.name().to_owned(), m.file().to_owned()))
        .chain(
            pending
                .iter()
                .map(|(_, p, _, m)| (m.name.clone(), p.clone())),
        );
    for (name, path) in all_names {
        if registry.get(&name).is_ok() {
            return Err(refused(
                &path,
                format!(
                    "declares the module `{name}`, which this binary already has compiled in: \
                     a run-time module needs a name of its own"
                ),
            ));
        }
        if let Some(other) = names.insert(name.clone(), path.clone()) {
            return Err(refused(
                &path,
                format!(
                    "declares the module `{name}`, as {} does: name only one of them in site.toml",
                    other.display()
                ),
            ));
        }
    }
    if bridge::free_slots() < pending.len() {
        return Err(refused(
            &pending[0].1,
            format!(
                "too many run-time modules: one process loads at most {}",
                bridge::SLOTS
            ),
        ));
    }

    // Then, all being good, they are registered.
    for (canonical, path, library, manifest) in pending {
        let module = bridge::register(&path, library, manifest).map_err(|m| refused(&path, m))?;
        tracing::info!(module = module.name(), library = %path.display(), "run-time module loaded");
        opened.push((canonical.clone(), module));
        ready.push((canonical, module));
    }
    registry.with(ready.iter().map(|(_, m)| *m as &'static dyn Module))
}

/// Every module loaded by this process: (name, library).
pub(super) fn all() -> Vec<(&'static str, String)> {
    let opened = OPENED.lock().unwrap_or_else(|e| e.into_inner());
    opened
        .iter()
        .map(|(_, m)| (m.name(), m.file().display().to_string()))
        .collect()
}

fn check_name(path: &Path, wanted: &str, found: &str) -> Result<()> {
    if wanted == found {
        Ok(())
    } else {
        Err(refused(
            path,
            format!(
                "holds the module `{found}`, not `{wanted}`: enable it as `[modules.{found}]` \
                 (with this `library`) in site.toml"
            ),
        ))
    }
}

/// What can be checked in a manifest before the site opens: its name,
/// versions, hooks, and that its files parse. (Workflows and types are
/// checked against the whole site when it opens.)
fn check_manifest(path: &Path, m: &beffroi_plugin::Manifest) -> Result<()> {
    let bad = |message: String| Err(refused(path, message));
    if m.name.is_empty()
        || !m
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return bad(format!(
            "the module's name `{}` is not lower-case letters, digits and `_`",
            m.name
        ));
    }
    if Version::parse(&m.version).is_err() {
        return bad(format!(
            "the module `{}` has an invalid version `{}`",
            m.name, m.version
        ));
    }
    for phase in [beffroi_plugin::Phase::Before, beffroi_plugin::Phase::After] {
        if m.hooks.iter().filter(|h| h.phase == phase).count() > 1 {
            return bad(format!(
                "the module `{}` declares two {phase:?} hooks: declare one per phase, with every event kind it handles",
                m.name
            ));
        }
    }
    for s in &m.upgrade_steps {
        if Version::parse(&s.to).is_err() {
            return bad(format!(
                "the module `{}` declares an upgrade step to `{}`, which is not a version",
                m.name, s.to
            ));
        }
    }
    let parsed = m
        .types
        .iter()
        .try_for_each(|(f, t)| crate::schema::parse_type(&m.name, f, t).map(drop))
        .and_then(|()| {
            m.vocabularies
                .iter()
                .try_for_each(|(f, t)| crate::schema::parse_vocabulary(&m.name, f, t).map(drop))
        })
        .and_then(|()| {
            m.workflows
                .iter()
                .try_for_each(|(f, t)| crate::workflow::parse(&m.name, f, t).map(drop))
        });
    parsed.map_err(|e| refused(path, e.to_string()))
}

/// The refusal as a sentence that says what to rebuild with what.
pub(super) fn explain(r: &Refusal) -> String {
    let ours = Fingerprint::current();
    let rebuild = format!(
        "rebuild the module against beffroi-plugin {} (plugin API {ABI_VERSION}) with rustc {} \
         for {} and panic=unwind: `rustup toolchain install {}`, then `cargo +{} build --release`",
        beffroi_plugin::VERSION,
        ours.rustc,
        ours.target,
        ours.rustc,
        ours.rustc,
    );
    match r {
        Refusal::Unloadable(e) => format!(
            "cannot be loaded as a shared library ({e}): copy the `.so` (`.dylib`, `.dll`) that \
             `cargo build --release` made for {} into the modules folder",
            ours.target
        ),
        Refusal::NoEntry => format!(
            "is not a Beffroi module: it has no `{}` entry. A module library is a `cdylib` crate \
             that calls `beffroi_plugin::export!` (see `beffroi-scaffold module NAME --dynamic`)",
            beffroi_plugin::ENTRY
        ),
        Refusal::BadHeader(why) => format!("is not a usable Beffroi module: {why}; {rebuild}"),
        Refusal::Abi { found, fingerprint } => {
            let built = fingerprint
                .as_deref()
                .and_then(Fingerprint::parse)
                .map(|f| f.to_string())
                .unwrap_or_else(|| format!("plugin API {found}"));
            format!("was built for {built}, but this site runs {ours}: {rebuild}")
        }
        Refusal::Fingerprint(theirs) => match Fingerprint::parse(theirs) {
            // Only the panic strategy differs: say what to change.
            Some(t) if t.api == ours.api && t.rustc == ours.rustc && t.target == ours.target => {
                format!(
                    "was built for {t}, but this site runs {ours}: rebuild the module with                      panics unwinding, Rust's default: remove `panic = \"abort\"` from its \
                     Cargo.toml's profile (and `-C panic=abort` from RUSTFLAGS), then \
                     `cargo build --release`"
                )
            }
            Some(t) => format!("was built for {t}, but this site runs {ours}: {rebuild}"),
            None => format!("was built for `{theirs}`, but this site runs {ours}: {rebuild}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_say_what_to_rebuild_with_what() {
        let ours = Fingerprint::current();
        let said = explain(&Refusal::Fingerprint(
            "beffroi-plugin api=1 rustc=1.0.0 target=x86_64-unknown-linux-gnu panic=unwind".into(),
        ));
        assert!(said.starts_with("was built for plugin API 1 with rustc 1.0.0 on x86_64-unknown-linux-gnu (panic=unwind), but this site runs plugin API 1 with rustc "), "{said}");
        assert!(
            said.contains(&format!("cargo +{} build --release", ours.rustc)),
            "{said}"
        );
        let said = explain(&Refusal::Abi {
            found: 7,
            fingerprint: None,
        });
        assert!(
            said.starts_with("was built for plugin API 7, but this site runs plugin API 1"),
            "{said}"
        );
        assert!(said.contains("beffroi-plugin 0.1"), "{said}");
        assert!(explain(&Refusal::NoEntry).contains("beffroi_module_v1"));
        let abort = beffroi_plugin::FINGERPRINT.replace("panic=unwind", "panic=abort");
        let said = explain(&Refusal::Fingerprint(abort));
        assert!(said.contains("(panic=abort), but this site runs"), "{said}");
        assert!(said.contains("remove `panic = \"abort\"`"), "{said}");
    }
}
