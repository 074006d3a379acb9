//! The core's and modules' own files (stylesheets, scripts), served from
//! the binary at `/++resource++<module>/<file>`.
//!
//! Pages link them at a fingerprinted address, `style.<hash>.css`, whose
//! `<hash>` is the start of the SHA-256 of the content: a new release that
//! changes a file changes its address, so the file can be kept for a year
//! (`immutable`) and still never be stale. The plain address keeps
//! working (a module or a theme may write it by hand) with a short
//! lifetime; an old fingerprint (a page cached before an upgrade) gets the
//! current file, also with a short lifetime.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::caching::Shared;
use crate::module::Module;

/// The files of a module: (name, media type, content).
type Assets = &'static [(&'static str, &'static str, &'static str)];

/// How long a fingerprinted file may be kept: a year, without asking.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// How long a file at its plain address may be kept before asking again.
const SHORT: &str = "public, max-age=300";

/// How many hexadecimal digits of the hash the address carries.
const DIGITS: usize = 8;

/// The module name the core's own files are served under.
pub(crate) const CORE: &str = "beffroi";

/// The files `module` serves: the core's, or an enabled module's.
fn files_of(modules: &[&'static dyn Module], module: &str) -> Assets {
    if module == CORE {
        return crate::core_module::ASSETS;
    }
    modules
        .iter()
        .find(|m| m.manifest().name == module)
        .map(|m| m.assets())
        .unwrap_or(&[])
}

/// The fingerprinted address of `file` of `module` (`/++resource++beffroi/
/// style.1a2b3c4d.css`), or `None` if the module serves no such file.
pub(crate) fn url(modules: &[&'static dyn Module], module: &str, file: &str) -> Option<String> {
    let (_, _, content) = files_of(modules, module)
        .iter()
        .find(|(name, _, _)| *name == file)?;
    Some(format!(
        "/++resource++{module}/{}",
        fingerprinted(file, &fingerprint(content))
    ))
}

/// `style.css` with `hash` → `style.<hash>.css`.
fn fingerprinted(file: &str, hash: &str) -> String {
    match file.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}.{hash}.{ext}"),
        _ => format!("{file}.{hash}"),
    }
}

/// `style.<hash>.css` → (`style.css`, `hash`), when the name has that shape.
fn split_fingerprint(file: &str) -> Option<(String, &str)> {
    let is_hash = |h: &str| h.len() == DIGITS && h.bytes().all(|b| b.is_ascii_hexdigit());
    match file.rsplit_once('.') {
        Some((rest, ext)) => match rest.rsplit_once('.') {
            Some((stem, hash)) if is_hash(hash) => Some((format!("{stem}.{ext}"), hash)),
            _ if is_hash(ext) => Some((rest.to_owned(), ext)),
            _ => None,
        },
        None => None,
    }
}

/// The first [`DIGITS`] hexadecimal digits of the SHA-256 of `content`,
/// computed once per file for the life of the process.
fn fingerprint(content: &'static str) -> String {
    // Keyed by where the content lives: every file is a `&'static str`.
    static KNOWN: OnceLock<Mutex<HashMap<(usize, usize), String>>> = OnceLock::new();
    let key = (content.as_ptr() as usize, content.len());
    let known = KNOWN.get_or_init(Mutex::default);
    if let Some(h) = known.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return h;
    }
    let hash: String = Sha256::digest(content.as_bytes())
        .iter()
        .take(DIGITS / 2)
        .map(|b| format!("{b:02x}"))
        .collect();
    if let Ok(mut m) = known.lock() {
        m.insert(key, hash.clone());
    }
    hash
}

/// Serves `file` of `module` (`None` if there is no such file): at its
/// fingerprinted address for a year, at its plain address (or an old
/// fingerprint) for a few minutes.
pub(super) fn serve(modules: &[&'static dyn Module], module: &str, file: &str) -> Option<Response> {
    let files = files_of(modules, module);
    let find = |name: &str| files.iter().find(|(n, _, _)| *n == name);
    let (found, lifetime) = match find(file) {
        Some(f) => (f, SHORT),
        None => {
            let (plain, hash) = split_fingerprint(file)?;
            let f = find(&plain)?;
            let current = fingerprint(f.2) == hash;
            (f, if current { IMMUTABLE } else { SHORT })
        }
    };
    let (_, content_type, body) = *found;
    let mut response = (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static(lifetime)),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        body,
    )
        .into_response();
    response.extensions_mut().insert(Shared);
    Some(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_go_before_the_extension() {
        assert_eq!(fingerprinted("style.css", "0a1b2c3d"), "style.0a1b2c3d.css");
        assert_eq!(fingerprinted("LICENSE", "0a1b2c3d"), "LICENSE.0a1b2c3d");
        assert_eq!(
            split_fingerprint("style.0a1b2c3d.css"),
            Some(("style.css".into(), "0a1b2c3d"))
        );
        assert_eq!(
            split_fingerprint("LICENSE.0a1b2c3d"),
            Some(("LICENSE".into(), "0a1b2c3d"))
        );
        assert_eq!(split_fingerprint("style.css"), None);
        assert_eq!(split_fingerprint("jquery.min.js"), None);
    }

    #[test]
    fn the_core_files_have_addresses() {
        let style = url(&[], CORE, "style.css").unwrap_or_default();
        assert!(style.starts_with("/++resource++beffroi/style."), "{style}");
        assert!(style.ends_with(".css"));
        assert_eq!(url(&[], CORE, "missing.css"), None);
    }
}
