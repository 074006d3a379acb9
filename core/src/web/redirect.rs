//! Answers for addresses of items that moved (plone.app.redirector, as
//! plone.restapi clients expect): `301 Moved Permanently` for `GET` and
//! `HEAD`, `308 Permanent Redirect` for other methods (the client repeats
//! the same method there), `Location` being the item's address now with
//! the service and the query kept. Only for a caller who may view the
//! item: anyone else gets the same 404 as before.

use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use axum::response::Response;

use super::Req;

/// The redirect for a request whose item was not found at `item_path`, if
/// the address is an old one of an item the caller may view.
pub(super) fn moved(
    req: &Req<'_>,
    method: &Method,
    item_path: &str,
    service: Option<&str>,
    api: bool,
) -> Option<Response> {
    let found = match req.reader().redirect(item_path) {
        Ok(found) => found?,
        Err(e) => {
            tracing::error!(site = req.site.id(), path = %item_path, error = %e, "cannot read the redirects");
            return None;
        }
    };
    let base = if api {
        format!("{}/++api++", req.base)
    } else {
        req.base.clone()
    };
    let mut location = format!("{base}{}", encode(&found.path()));
    if let Some(s) = service.filter(|s| !s.is_empty()) {
        location.push('/');
        location.push_str(&encode(s));
    }
    if let Some(q) = req.query.filter(|q| !q.is_empty()) {
        location.push('?');
        location.push_str(q);
    }
    let status = if *method == Method::GET || *method == Method::HEAD {
        StatusCode::MOVED_PERMANENTLY
    } else {
        StatusCode::PERMANENT_REDIRECT
    };
    Response::builder()
        .status(status)
        .header(header::LOCATION, location)
        .body(Body::empty())
        .ok()
}

/// Percent-encodes a path, a service and what follows it
/// (`@@download/file`, `++add++Page`), keeping the `@`, `+` and `:` that
/// names of services and traversers use.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric()
                || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~' | b'@' | b'+' | b':')
            {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
