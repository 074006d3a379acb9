//! A site's own look: the files in its theme's `static/` folder (its
//! stylesheet, its logo, pictures, fonts) served at `/++theme++/{file}`,
//! and linked from `base.html` when present (`style.css`, `logo.svg`).

use std::path::{Path, PathBuf};

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Req;

/// Where the theme's served files live, inside the theme folder.
const STATIC_DIR: &str = "static";

/// The stylesheet and logo a theme may bring, linked from every page.
const STYLESHEET: &str = "style.css";
const LOGO: &str = "logo.svg";

/// The media types of the files a theme may serve; anything else is 404.
const TYPES: &[(&str, &str)] = &[
    ("css", "text/css; charset=utf-8"),
    ("svg", "image/svg+xml"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("webp", "image/webp"),
    ("ico", "image/x-icon"),
    ("woff2", "font/woff2"),
];

fn static_dir(req: &Req<'_>) -> Option<PathBuf> {
    req.site.config().theme.as_ref().map(|t| t.join(STATIC_DIR))
}

/// Adds `theme` to a page's context: the addresses of the theme's
/// stylesheet and logo, when it has them (from the host's root, like the
/// core's own files).
pub(super) fn insert_context(req: &Req<'_>, ctx: &mut tera::Context) {
    let dir = static_dir(req);
    let url = |name: &str| {
        dir.as_ref()
            .filter(|d| d.join(name).is_file())
            .map(|_| format!("/++theme++/{name}"))
    };
    ctx.insert("theme", &json!({"css": url(STYLESHEET), "logo": url(LOGO)}));
}

/// Serves `/++theme++/{file}` from the theme's `static/` folder. Names are
/// plain (letters, digits, `-`, `_`, `.`, folders with `/`); a hidden
/// file, `..`, an encoded character or a link leading outside is refused
/// as not found.
pub(super) fn serve(req: &Req<'_>, file: &str) -> Response {
    match find(req, file) {
        Some((path, content_type)) => match std::fs::read(&path) {
            Ok(body) => {
                let mut r = (
                    [
                        (header::CONTENT_TYPE, content_type),
                        (header::CACHE_CONTROL, "public, max-age=3600"),
                        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
                        // An SVG opened on its own runs no script.
                        (
                            header::CONTENT_SECURITY_POLICY,
                            "default-src 'none'; style-src 'unsafe-inline'",
                        ),
                    ],
                    body,
                )
                    .into_response();
                // The same for everyone, logged in or not.
                r.extensions_mut().insert(super::caching::Shared);
                r
            }
            Err(_) => StatusCode::NOT_FOUND.into_response(),
        },
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn find(req: &Req<'_>, file: &str) -> Option<(PathBuf, &'static str)> {
    let dir = static_dir(req)?;
    let plain = |seg: &str| {
        !seg.is_empty()
            && !seg.starts_with('.')
            && seg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    if !file.split('/').all(plain) {
        return None;
    }
    let ext = Path::new(file).extension()?.to_str()?.to_ascii_lowercase();
    let content_type = TYPES.iter().find(|(e, _)| *e == ext).map(|(_, t)| *t)?;
    let root = dir.canonicalize().ok()?;
    let path = root.join(file).canonicalize().ok()?;
    (path.starts_with(&root) && path.is_file()).then_some((path, content_type))
}
