//! HTTP caching, as plone.app.caching sets it up for Plone: validators
//! (`ETag`, `Last-Modified`) on every answer a GET makes, `304 Not
//! Modified` for `If-None-Match` and `If-Modified-Since`, and one policy
//! for `Cache-Control` and `Vary`, applied in one place after the answer is
//! made, so no handler can forget it.
//!
//! The policy:
//!
//! - Anything for a logged-in user is `private, no-cache`: theirs alone,
//!   revalidated each time. So is an answer that sets a cookie. Forms
//!   (`no-store`) stay `no-store`.
//! - What a visitor may read answers `public, max-age=0, must-revalidate`: a
//!   shared cache may keep it but must ask again each time, which costs one
//!   `304` when nothing changed. Errors and redirects answer `no-store` (a
//!   private item's 404 must not outlive its publication).
//! - Every answer about content varies with `Accept` (HTML or JSON at one
//!   address), `Accept-Language`, `Cookie` and `Authorization`, so a cache
//!   never hands one person's page to another (and with `Accept-Encoding`).
//! - The core's and modules' files are the same for everyone: their
//!   addresses carry a hash of their content and never change meaning, so
//!   they are `immutable` for a year, even for a logged-in user (`assets.rs`).
//!
//! A visitor's answers are also kept in memory a few seconds ([`Recent`],
//! plone.app.caching's RAM cache): when a storm alert brings the whole
//! town to one page, it is made once, not once per visitor. A kept answer
//! is used only while no write has been committed to the site since it was
//! made, so an edited page is never served from it; what changes without a
//! write (an item reaching its publication date) shows within
//! [`KEPT_FOR`].
//!
//! The `ETag` is a hash of the body as made for this request (language,
//! user, batching and all), so a page whose navigation, listing or
//! template changed gets a new one even if its item did not. Pages cannot
//! know their own modification date (the navigation, other items, a
//! publication date reached, a new release of the templates all change
//! them), so `Last-Modified` is the time this process first served the
//! current `ETag` for this exact request, rounded up to the next second:
//! never earlier than the content's last change, which is what
//! `If-Modified-Since` needs.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};

use super::{short_hash, Mode, Req};

/// Marks an answer that is the same for everyone (the core's and modules'
/// files, a theme's files): its `Cache-Control` is kept even for a
/// logged-in user, and it does not vary with who asks.
#[derive(Clone, Copy, Debug)]
pub(super) struct Shared;

/// What anonymous, public answers may be kept for: by anyone, but
/// revalidated before each use.
pub(super) const PUBLIC: &str = "public, max-age=0, must-revalidate";

/// A logged-in user's answers.
const PRIVATE: &str = "private, no-cache";

/// What every answer about content varies with. `Accept-Encoding` is the
/// compression layer's, named here too for the 304s it does not see.
const VARY: [&str; 5] = [
    "Accept",
    "Accept-Language",
    "Cookie",
    "Authorization",
    "Accept-Encoding",
];

/// The largest body given an `ETag` by hashing it (pages and JSON answers
/// are far smaller; files have their own `ETag`).
const MAX_HASHED: usize = 8 * 1024 * 1024;

/// How many requests' validators are remembered before starting afresh.
/// Forgetting is safe: a forgotten page counts as changed now.
const MAX_SEEN: usize = 100_000;

/// When each request's current `ETag` was first served: for each request
/// (site, address, language, format, who), the `ETag` and the second from
/// which it counts as modified.
#[derive(Default)]
pub(super) struct Seen {
    map: Mutex<HashMap<u64, (u64, i64)>>,
}

impl Seen {
    /// The second from which `etag` counts as modified for `request`:
    /// kept while the `ETag` stays the same, moved to the next second when
    /// it changes (or was never seen).
    fn since(&self, request: u64, etag: &str, now: i64) -> i64 {
        let tag = hash_of(&etag);
        let Ok(mut map) = self.map.lock() else {
            return now + 1;
        };
        match map.get(&request) {
            Some(&(t, since)) if t == tag => since,
            _ => {
                if map.len() >= MAX_SEEN {
                    map.clear();
                }
                map.insert(request, (tag, now + 1));
                now + 1
            }
        }
    }
}

impl std::fmt::Debug for Seen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Seen").finish_non_exhaustive()
    }
}

/// How long a visitor's answer is kept at most: the delay with which
/// what changes without a write (publication and expiry dates reached)
/// shows.
pub(super) const KEPT_FOR: std::time::Duration = std::time::Duration::from_secs(5);

/// How many bytes of answers are kept before starting afresh.
const MAX_KEPT: usize = 32 * 1024 * 1024;

/// The largest answer kept.
const MAX_KEPT_ONE: usize = 1024 * 1024;

/// Visitors' answers made in the last few seconds, by request.
#[derive(Default)]
pub(super) struct Recent {
    map: Mutex<(HashMap<u64, Kept>, usize)>,
}

impl std::fmt::Debug for Recent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recent").finish_non_exhaustive()
    }
}

struct Kept {
    /// The site's write generation when it was made.
    generation: u64,
    made: std::time::Instant,
    status: StatusCode,
    headers: HeaderMap,
    /// Whether it was marked [`Shared`].
    shared: bool,
    body: axum::body::Bytes,
}

/// What a visitor's request is, for [`Recent`]: `None` for requests whose
/// answers are not kept (another method, someone logged in, a status
/// message to show and clear).
pub(super) fn recent_key(req: &Req<'_>, method: &Method) -> Option<u64> {
    let reading = *method == Method::GET || *method == Method::HEAD;
    if !reading
        || req.who.is_authenticated()
        || super::auth::cookie(req.headers, super::edit::STATUS_COOKIE).is_some()
    {
        return None;
    }
    let mut h = std::hash::DefaultHasher::new();
    req.site.id().hash(&mut h);
    req.base.hash(&mut h);
    req.asked.hash(&mut h);
    req.query.hash(&mut h);
    req.lang.hash(&mut h);
    (req.mode == Mode::Json).hash(&mut h);
    Some(h.finish())
}

impl Recent {
    /// The answer kept for `key`, if it was made at `generation` (no write
    /// since) less than [`KEPT_FOR`] ago.
    pub(super) fn get(&self, key: u64, generation: u64) -> Option<Response> {
        let map = self.map.lock().ok()?;
        let kept = map.0.get(&key)?;
        if kept.generation != generation || kept.made.elapsed() >= KEPT_FOR {
            return None;
        }
        let mut r = Response::new(Body::from(kept.body.clone()));
        *r.status_mut() = kept.status;
        *r.headers_mut() = kept.headers.clone();
        if kept.shared {
            r.extensions_mut().insert(Shared);
        }
        Some(r)
    }

    /// Keeps `response`, made at `generation`, when it may serve other
    /// visitors: a whole `200` that sets no cookie and that its handler
    /// did not mark `no-store` or `private`. Gives the response back.
    pub(super) async fn keep(&self, key: u64, generation: u64, response: Response) -> Response {
        use axum::body::HttpBody;
        let headers = response.headers();
        let personal = headers.contains_key(header::SET_COOKIE)
            || headers
                .get(header::CACHE_CONTROL)
                .and_then(|h| h.to_str().ok())
                .is_some_and(|c| c.contains("no-store") || c.contains("private"));
        let whole = response
            .body()
            .size_hint()
            .exact()
            .is_some_and(|n| n <= MAX_KEPT_ONE as u64);
        if response.status() != StatusCode::OK || personal || !whole {
            return response;
        }
        let (parts, body) = response.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, MAX_KEPT_ONE).await else {
            return Response::from_parts(parts, Body::empty());
        };
        if let Ok(mut map) = self.map.lock() {
            if map.1 + bytes.len() > MAX_KEPT {
                map.0.clear();
                map.1 = 0;
            }
            map.1 += bytes.len();
            let kept = Kept {
                generation,
                made: std::time::Instant::now(),
                status: parts.status,
                headers: parts.headers.clone(),
                shared: parts.extensions.get::<Shared>().is_some(),
                body: bytes.clone(),
            };
            if let Some(old) = map.0.insert(key, kept) {
                map.1 -= old.body.len();
            }
        }
        Response::from_parts(parts, Body::from(bytes))
    }
}

/// Applies the caching policy to `response`, the answer to `req`: the
/// validators, a `304` when the client's copy is current, `Cache-Control`
/// and `Vary`.
pub(super) async fn finish(
    req: &Req<'_>,
    seen: &Seen,
    method: &Method,
    response: Response,
) -> Response {
    let reading = *method == Method::GET || *method == Method::HEAD;
    let shared = response.extensions().get::<Shared>().is_some();
    let mut response = if reading {
        validate(req, seen, response, shared).await
    } else {
        response
    };
    let status = response.status();
    let headers = response.headers_mut();
    let sets_cookie = headers.contains_key(header::SET_COOKIE);
    let given = headers
        .get(header::CACHE_CONTROL)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned);
    let no_store = given.as_deref().is_some_and(|c| c.contains("no-store"));
    let policy = if no_store || (shared && !sets_cookie) {
        // Nothing keeps a `no-store` answer (forms with their tokens).
        None
    } else if req.who.is_authenticated() || sets_cookie {
        Some(PRIVATE)
    } else if given.is_some() {
        None
    } else if reading
        && matches!(
            status,
            StatusCode::OK | StatusCode::PARTIAL_CONTENT | StatusCode::NOT_MODIFIED
        )
    {
        Some(PUBLIC)
    } else {
        Some("no-store")
    };
    if let Some(p) = policy {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(p));
    }
    if shared {
        add_vary(headers, &VARY[4..]);
    } else {
        add_vary(headers, &VARY);
    }
    response
}

/// Gives a GET's answer its validators and turns it into a `304` when the
/// client's copy is current.
async fn validate(req: &Req<'_>, seen: &Seen, response: Response, shared: bool) -> Response {
    let status = response.status();
    if !matches!(status, StatusCode::OK | StatusCode::NOT_MODIFIED) {
        return response;
    }
    let response = if response.headers().contains_key(header::ETAG) {
        response
    } else {
        match with_etag(response).await {
            Ok(r) => r,
            Err(r) => return r,
        }
    };
    let Some(etag) = response
        .headers()
        .get(header::ETAG)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
    else {
        return response;
    };
    let now = Utc::now().timestamp();
    let since = seen.since(request_key(req, shared), &etag, now);
    let last_modified = http_date(since.min(now));
    let current = match req.headers.get(header::IF_NONE_MATCH) {
        // `If-None-Match` wins over `If-Modified-Since` (RFC 9110, 13.2.2).
        Some(v) => v.to_str().is_ok_and(|v| etag_matches(v, &etag)),
        None => req
            .headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|h| h.to_str().ok())
            .and_then(parse_http_date)
            // A date later than now was not given by this server: ignored.
            .is_some_and(|d| d <= now && d >= since),
    };
    let mut response = if current && status == StatusCode::OK {
        not_modified(response)
    } else {
        response
    };
    if let Some(v) = last_modified.and_then(|d| HeaderValue::from_str(&d).ok()) {
        response.headers_mut().insert(header::LAST_MODIFIED, v);
    }
    response
}

/// Whether an `If-None-Match` list names `etag` (weak comparison: `W/`
/// is ignored on both sides, as a compressed answer's tag is weak).
pub(super) fn etag_matches(list: &str, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let etag = bare(etag);
    list.split(',').any(|t| t.trim() == "*" || bare(t) == etag)
}

/// The same answer as `304 Not Modified`: no body, but the headers a
/// `200` would carry that caches need (RFC 9110, 15.4.5).
fn not_modified(response: Response) -> Response {
    let (mut parts, _) = response.into_parts();
    parts.status = StatusCode::NOT_MODIFIED;
    for h in [
        header::CONTENT_LENGTH,
        header::CONTENT_TYPE,
        header::CONTENT_DISPOSITION,
        header::ACCEPT_RANGES,
    ] {
        parts.headers.remove(h);
    }
    Response::from_parts(parts, Body::empty())
}

/// Adds an `ETag` hashed from the body, when the body is whole in memory
/// and not too large; streams (files) are left alone.
async fn with_etag(response: Response) -> std::result::Result<Response, Response> {
    use axum::body::HttpBody;
    let whole = response
        .body()
        .size_hint()
        .exact()
        .is_some_and(|n| n <= MAX_HASHED as u64);
    if !whole {
        return Ok(response);
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_HASHED).await else {
        parts.status = StatusCode::INTERNAL_SERVER_ERROR;
        return Err(Response::from_parts(parts, Body::empty()));
    };
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", short_hash(&bytes))) {
        parts.headers.insert(header::ETAG, v);
    }
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

/// Which request this is, for [`Seen`]: the same key for requests that
/// get the same answer.
fn request_key(req: &Req<'_>, shared: bool) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    req.site.id().hash(&mut h);
    req.asked.hash(&mut h);
    req.query.hash(&mut h);
    if !shared {
        req.lang.hash(&mut h);
        (req.mode == Mode::Json).hash(&mut h);
        req.who.name().hash(&mut h);
    }
    h.finish()
}

fn hash_of(v: &impl Hash) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    v.hash(&mut h);
    h.finish()
}

/// Adds the names in `names` to `Vary`, once each.
fn add_vary(headers: &mut HeaderMap, names: &[&str]) {
    let present: Vec<String> = headers
        .get_all(header::VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_ascii_lowercase())
        .collect();
    let missing: Vec<&str> = names
        .iter()
        .filter(|n| !present.iter().any(|p| *p == n.to_ascii_lowercase()))
        .copied()
        .collect();
    if missing.is_empty() {
        return;
    }
    if let Ok(v) = HeaderValue::from_str(&missing.join(", ")) {
        headers.append(header::VARY, v);
    }
}

/// `Fri, 27 Nov 2026 08:49:37 GMT` (IMF-fixdate) for seconds since 1970.
fn http_date(seconds: i64) -> Option<String> {
    DateTime::<Utc>::from_timestamp(seconds, 0)
        .map(|d| d.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
}

/// Reads an HTTP date (IMF-fixdate; the obsolete forms are ignored, as
/// RFC 9110 allows a recipient to).
fn parse_http_date(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc2822(s.trim())
        .ok()
        .map(|d| d.timestamp())
}

/// Weakens the `ETag` of a compressed answer: its bytes are not those the
/// tag was made from (as nginx does). Runs outside the compression layer.
pub(super) fn weaken_compressed(mut response: Response) -> Response {
    let headers = response.headers_mut();
    if headers.contains_key(header::CONTENT_ENCODING) {
        let strong = headers
            .get(header::ETAG)
            .and_then(|h| h.to_str().ok())
            .filter(|t| t.starts_with('"'))
            .map(|t| format!("W/{t}"));
        if let Some(v) = strong.and_then(|t| HeaderValue::from_str(&t).ok()) {
            headers.insert(header::ETAG, v);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_round_trip() {
        let d = http_date(1_795_769_377).unwrap_or_default();
        assert_eq!(d, "Fri, 27 Nov 2026 08:49:37 GMT");
        assert_eq!(parse_http_date(&d), Some(1_795_769_377));
        assert_eq!(parse_http_date("yesterday"), None);
    }

    #[test]
    fn etags_compare_weakly() {
        assert!(etag_matches("\"a\"", "\"a\""));
        assert!(etag_matches("W/\"a\"", "\"a\""));
        assert!(etag_matches("\"b\", W/\"a\"", "W/\"a\""));
        assert!(etag_matches("*", "\"a\""));
        assert!(!etag_matches("\"b\"", "\"a\""));
    }

    #[test]
    fn a_changed_etag_moves_the_date_on() {
        let seen = Seen::default();
        assert_eq!(seen.since(1, "\"a\"", 100), 101);
        assert_eq!(seen.since(1, "\"a\"", 105), 101);
        assert_eq!(seen.since(1, "\"b\"", 106), 107);
        // Back to an earlier body: still a change, dated now.
        assert_eq!(seen.since(1, "\"a\"", 108), 109);
        assert_eq!(seen.since(2, "\"a\"", 108), 109);
    }
}
