//! The web surface: one axum application for every site, chosen by host
//! name. Every item answers at its path: HTML through its view template,
//! or JSON in plone.restapi's shape with `Accept: application/json` or under
//! `/++api++/`. Named services (`@search`, `@workflow`…) slot in at
//! `route_service` as later releases add them.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::item::Item;
use crate::schema::FieldKind;
use crate::security::Principal;
use crate::site::Site;
use crate::store::BlobRef;

mod admin;
pub(crate) mod assets;
mod auth;
mod caching;
mod content;
mod edit;
mod i18n;
mod multipart;
mod nav;
mod openapi;
mod redirect;
mod search;
mod setup;
mod theme;
mod types;
mod views;
mod workflow;

/// The sites one process serves.
pub struct Sites {
    sites: Vec<Arc<Site>>,
    by_host: HashMap<String, usize>,
    default: usize,
    /// When each page's current `ETag` was first served (`Last-Modified`).
    seen: caching::Seen,
    /// Visitors' answers of the last few seconds.
    recent: caching::Recent,
}

impl std::fmt::Debug for Sites {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.sites.iter().map(|s| s.id()))
            .finish()
    }
}

impl Sites {
    /// Groups sites for serving. The default site is the one marked
    /// `default = true`, else the first. Two sites claiming one host is an error.
    pub fn new(sites: Vec<Arc<Site>>) -> Result<Self> {
        if sites.is_empty() {
            return Err(Error::Config {
                file: "site.toml".into(),
                message: "no site to serve".into(),
            });
        }
        let mut by_host = HashMap::new();
        for (i, s) in sites.iter().enumerate() {
            for h in &s.config().hosts {
                if let Some(j) = by_host.insert(h.clone(), i) {
                    return Err(Error::Config {
                        file: "site.toml".into(),
                        message: format!(
                            "host `{h}` is claimed by sites `{}` and `{}`",
                            sites[j].id(),
                            s.id()
                        ),
                    });
                }
            }
        }
        let default = sites.iter().position(|s| s.config().default).unwrap_or(0);
        Ok(Self {
            sites,
            by_host,
            default,
            seen: caching::Seen::default(),
            recent: caching::Recent::default(),
        })
    }

    /// The site answering for `host` (port ignored), else the default.
    pub fn for_host(&self, host: &str) -> &Arc<Site> {
        let name = host.rsplit_once(':').map_or(host, |(h, p)| {
            if p.chars().all(|c| c.is_ascii_digit()) {
                h
            } else {
                host
            }
        });
        let i = self
            .by_host
            .get(&name.to_ascii_lowercase())
            .copied()
            .unwrap_or(self.default);
        &self.sites[i]
    }

    /// Every site.
    pub fn all(&self) -> &[Arc<Site>] {
        &self.sites
    }
}

/// The application: give it to `axum::serve`, or drive it with `oneshot` in tests.
///
/// Answers are compressed (brotli or gzip, as the client accepts) when
/// they are text of some size: pages, JSON, stylesheets, scripts, SVG,
/// feeds. Pictures, PDFs and archives are compressed already, and files
/// served with byte ranges are sent as stored.
pub fn app(sites: Arc<Sites>) -> Router {
    use tower_http::compression::predicate::{Predicate, SizeAbove};
    use tower_http::compression::{CompressionLayer, CompressionLevel};
    let compress = SizeAbove::new(256).and(
        |_: StatusCode, _: axum::http::Version, h: &HeaderMap, _: &axum::http::Extensions| {
            !h.contains_key(header::ACCEPT_RANGES)
                && h.get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(compressible)
        },
    );
    Router::new()
        .fallback(handle)
        .with_state(sites)
        // Level 4: most of the gain for little of the time, as a page is
        // compressed anew each time it is made.
        .layer(
            CompressionLayer::new()
                .quality(CompressionLevel::Precise(4))
                .compress_when(compress),
        )
        .layer(axum::middleware::map_response(|r: Response| async move {
            caching::weaken_compressed(r)
        }))
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

/// Whether answers of this media type are worth compressing: text.
fn compressible(content_type: &str) -> bool {
    let t = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    t.starts_with("text/")
        || t.ends_with("+json")
        || t.ends_with("+xml")
        || matches!(
            t.as_str(),
            "application/json" | "application/javascript" | "application/xml"
        )
}

/// How the caller wants the answer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Html,
    Json,
}

/// How the request proved who it comes from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Via {
    Nobody,
    Cookie,
    Bearer,
    Basic,
}

struct Req<'a> {
    site: &'a Site,
    /// The same site, for work handed to a blocking thread.
    arc: Arc<Site>,
    base: String,
    lang: String,
    mode: Mode,
    headers: &'a HeaderMap,
    query: Option<&'a str>,
    who: Principal,
    via: Via,
    /// The login token the request carried (cookie or bearer).
    token: Option<String>,
    /// The client's address.
    address: Option<String>,
    /// Whether cookies must be `Secure`.
    https: bool,
    /// The path asked for, to come back to after logging in.
    asked: String,
    /// The browser's CSRF seed: its `beffroi_csrf` cookie, or a new one to set.
    csrf_seed: std::sync::OnceLock<(String, bool)>,
}

impl Req<'_> {
    /// The CSRF token for this browser's forms; makes the cookie if needed.
    fn csrf(&self) -> String {
        let (seed, _) =
            self.csrf_seed
                .get_or_init(|| match auth::cookie(self.headers, auth::CSRF_COOKIE) {
                    // Only seeds of the shape this server makes: a CSRF
                    // token must never sign a value of the browser's choosing.
                    Some(c) if crate::text::is_uid(&c) => (c, false),
                    _ => (crate::text::new_uid(), true),
                });
        self.site.csrf_token(seed).unwrap_or_default()
    }

    fn reader(&self) -> crate::access::Reader<'_> {
        self.site.reader(&self.who)
    }
}

async fn handle(State(sites): State<Arc<Sites>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let method = parts.method.clone();
    let uri = parts.uri.clone();
    let headers = parts.headers.clone();
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_owned();
    let site = Arc::clone(sites.for_host(&host));
    // A proxy's word on the scheme is taken from a proxy on this machine
    // only (or in-process calls, which have no peer).
    let trusted_proxy = peer.is_none_or(|p| p.ip().is_loopback());
    let forwarded_proto = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| trusted_proxy && (*p == "https" || *p == "http"));
    let scheme = forwarded_proto.unwrap_or("http");
    let base = format!("{scheme}://{}", sanitize_host(&host));
    let address = auth::client_address(peer, &headers);
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    let raw_path = uri.path().to_owned();
    let (api, rest) = match raw_path.strip_prefix("/++api++") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => (true, rest.to_owned()),
        _ => (false, raw_path.clone()),
    };
    let mode = if api || wants_json {
        Mode::Json
    } else {
        Mode::Html
    };
    // Who is asking. A broken cookie counts as no cookie (it is cleared);
    // a broken bearer token or Basic password is refused. Checking a
    // password (Basic) takes tens of milliseconds of argon2: on a blocking
    // thread. A token or a cookie is a signature and a read or two (about
    // 15 µs): here, which spares most requests a trip to another thread.
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|v| v.starts_with("Basic "));
    let authenticated = if basic {
        let site_for_auth = Arc::clone(&site);
        let headers_for_auth = headers.clone();
        let address_for_auth = address.clone();
        tokio::task::spawn_blocking(move || {
            auth::authenticate(
                &site_for_auth,
                &headers_for_auth,
                address_for_auth.as_deref(),
            )
        })
        .await
        .unwrap_or_else(|_| Err(Error::Unauthorized("authentication failed".into())))
    } else {
        auth::authenticate(&site, &headers, address.as_deref())
    };
    let (who, via, token, clear_cookie, refused) = match authenticated {
        Ok((who, via, token, clear)) => (who, via, token, clear, None),
        Err(e) => (Principal::anonymous(), Via::Nobody, None, false, Some(e)),
    };
    let lang = i18n::request_language(&site, &headers, &who);
    let req = Req {
        site: &site,
        arc: Arc::clone(&site),
        base,
        lang,
        mode,
        headers: &headers,
        query: uri.query(),
        who,
        via,
        token,
        address,
        https: scheme == "https" || site.config().security.https,
        asked: raw_path.clone(),
        csrf_seed: std::sync::OnceLock::new(),
    };
    // A visitor's answer made since the last write, a moment ago, is
    // given again. The generation is read before anything is: what is made
    // from here on is at least that recent.
    let recent = refused
        .is_none()
        .then(|| caching::recent_key(&req, &method))
        .flatten();
    let generation = site.generation.load(std::sync::atomic::Ordering::SeqCst);
    if let Some(r) = recent.and_then(|k| sites.recent.get(k, generation)) {
        return caching::finish(&req, &sites.seen, &method, r).await;
    }
    let mut response = match refused {
        Some(e) => error_from(&req, e, &raw_path),
        None => {
            let mut response = route(&req, &method, &raw_path, &rest, body).await;
            edit::finish(&req, &mut response);
            if clear_cookie {
                if let Ok(v) =
                    HeaderValue::from_str(&auth::expired_cookie(auth::SESSION_COOKIE, req.https))
                {
                    response.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            response
        }
    };
    if let Some((seed, true)) = req.csrf_seed.get() {
        if let Ok(v) = HeaderValue::from_str(&auth::csrf_cookie(seed, req.https)) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    if let Some(k) = recent {
        response = sites.recent.keep(k, generation, response).await;
    }
    caching::finish(&req, &sites.seen, &method, response).await
}

async fn route(req: &Req<'_>, method: &Method, raw_path: &str, rest: &str, body: Body) -> Response {
    if rest.starts_with("/++api++") {
        // One `++api++` only; repeated adjacent segments collapse (plone.rest).
        let collapsed = format!("/++api++{}", rest.trim_start_matches("/++api++"));
        return Response::builder()
            .status(StatusCode::MOVED_PERMANENTLY)
            .header(header::LOCATION, collapsed)
            .body(Body::empty())
            .unwrap_or_default();
    }
    if let Some((module, file)) = rest
        .strip_prefix("/++resource++")
        .and_then(|r| r.split_once('/'))
    {
        return assets::serve(req.site.modules(), module, file).unwrap_or_else(|| {
            error_response(req, StatusCode::NOT_FOUND, "not-found", &req.asked)
        });
    }
    if let Some(file) = rest.strip_prefix("/++theme++/") {
        return theme::serve(req, file);
    }
    let path = match decode_path(rest) {
        Ok(p) => p,
        Err(()) => return error_response(req, StatusCode::BAD_REQUEST, "bad-request", raw_path),
    };
    if path.split('/').any(|s| s == "++api++") {
        return error_response(req, StatusCode::NOT_FOUND, "not-found", raw_path);
    }
    let (item_path, service) = split_service(&path);
    let (name, rest) = match &service {
        Some(s) => match s.split_once('/') {
            Some((n, r)) => (Some(n.to_owned()), Some(r.to_owned())),
            None => (Some(s.clone()), None),
        },
        None => (None, None),
    };
    let reading = *method == Method::GET || *method == Method::HEAD;
    let body = if reading {
        Vec::new()
    } else {
        if let Err(e) = auth::check_origin(req) {
            return error_from(req, e, raw_path);
        }
        match read_body(req, body).await {
            Ok(bytes) => bytes,
            Err(r) => return r,
        }
    };
    let call = Call {
        method: method.clone(),
        path: item_path,
        name,
        rest,
        body,
    };
    let response = match dispatch(req, &call).await {
        Some(Ok(r)) => r,
        Some(Err(e)) => error_from(req, e, raw_path),
        None if call.name.is_some() => error_from(
            req,
            Error::NotFound(format!(
                "{}/{}",
                call.path,
                service.as_deref().unwrap_or_default()
            )),
            raw_path,
        ),
        None => {
            let mut r = error_response(
                req,
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                raw_path,
            );
            r.headers_mut().insert(
                header::ALLOW,
                HeaderValue::from_static("GET, HEAD, POST, PATCH, DELETE"),
            );
            r
        }
    };
    if response.status() == StatusCode::NOT_FOUND {
        // Not here: perhaps it moved (plone.app.redirector).
        let api = raw_path.starts_with("/++api++");
        if let Some(r) = redirect::moved(req, method, &call.path, service.as_deref(), api) {
            return r;
        }
    }
    response
}

/// One request, as the services see it: the method, the item's path, the
/// service's name (`@search`, `@@edit`) and what follows it
/// (`@workflow/publish` → `publish`), and the body already read.
pub(super) struct Call {
    method: Method,
    path: String,
    name: Option<String>,
    rest: Option<String>,
    body: Vec<u8>,
}

impl Call {
    fn is(&self, method: &Method, name: &str) -> bool {
        (self.method == *method || (*method == Method::GET && self.method == Method::HEAD))
            && self.name.as_deref() == Some(name)
    }

    fn rest(&self) -> Option<&str> {
        self.rest.as_deref()
    }
}

/// Asks each part of the web layer in turn whether the call is theirs.
async fn dispatch(req: &Req<'_>, call: &Call) -> Option<Result<Response>> {
    if let Some(r) = auth::dispatch(req, call).await {
        return Some(r);
    }
    if let Some(r) = workflow::dispatch(req, call) {
        return Some(r);
    }
    // The editing pages first: their addresses (`++add++Type`) are not items.
    if let Some(r) = edit::dispatch(req, call).await {
        return Some(r);
    }
    // Modules' views (`@@events`): their names are theirs.
    if let Some(r) = views::dispatch(req, call) {
        return Some(r);
    }
    if let Some(r) = content::dispatch(req, call).await {
        return Some(r);
    }
    if let Some(r) = nav::dispatch(req, call) {
        return Some(r);
    }
    if let Some(r) = search::dispatch(req, call) {
        return Some(r);
    }
    if let Some(r) = admin::dispatch(req, call).await {
        return Some(r);
    }
    if let Some(r) = setup::dispatch(req, call).await {
        return Some(r);
    }
    if let Some(r) = i18n::dispatch(req, call) {
        return Some(r);
    }
    match (&call.method, &call.name) {
        (&Method::GET | &Method::HEAD, None) => {
            if let Some(r) = views::root_file(req, &call.path) {
                return Some(r);
            }
            Some(show(req, &call.path))
        }
        _ => None,
    }
}

/// A JSON answer.
fn json_response(status: StatusCode, v: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_vec_pretty(v).unwrap_or_default(),
    )
        .into_response()
}

/// "See other": where a form goes after it has done its work.
fn redirect(to: &str) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, to)
        .body(Body::empty())
        .unwrap_or_default()
}

/// The largest request body accepted outside uploads.
const MAX_BODY: usize = 256 * 1024;

/// Reads a request's body: small for anonymous callers, up to the site's
/// upload limit (plus base64's overhead) for authenticated ones.
async fn read_body(req: &Req<'_>, body: Body) -> std::result::Result<Vec<u8>, Response> {
    let limit = if req.who.is_authenticated() {
        let upload = req.site.config().max_upload_mb.saturating_mul(1024 * 1024) as usize;
        upload.saturating_add(upload / 3).saturating_add(MAX_BODY)
    } else {
        MAX_BODY
    };
    match axum::body::to_bytes(body, limit).await {
        Ok(b) => Ok(b.to_vec()),
        Err(_) => Err(error_response(
            req,
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            "",
        )),
    }
}

/// Maps a core error to its status and page or JSON answer.
fn error_from(req: &Req<'_>, e: Error, raw_path: &str) -> Response {
    match e {
        Error::NotFound(_) => error_response(req, StatusCode::NOT_FOUND, "not-found", raw_path),
        Error::Forbidden(m) | Error::Unauthorized(m) if !req.who.is_authenticated() => {
            let mut r = error_detail(req, StatusCode::UNAUTHORIZED, "unauthorized", &m, &[]);
            if req.via == Via::Basic || req.headers.contains_key(header::AUTHORIZATION) {
                r.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"Beffroi\", charset=\"UTF-8\""),
                );
            }
            r
        }
        Error::Forbidden(m) | Error::Unauthorized(m) => {
            error_detail(req, StatusCode::FORBIDDEN, "forbidden", &m, &[])
        }
        Error::Throttled(secs) => {
            let mut r = error_detail(
                req,
                StatusCode::TOO_MANY_REQUESTS,
                "throttled",
                &format!("too many failed logins; try again in {secs} s"),
                &[],
            );
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        Error::Invalid(errors) => {
            let m = errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ");
            error_detail(req, StatusCode::BAD_REQUEST, "invalid", &m, &errors)
        }
        Error::NotAllowed(m) => error_detail(req, StatusCode::BAD_REQUEST, "invalid", &m, &[]),
        Error::Conflict(m) => error_detail(req, StatusCode::CONFLICT, "conflict", &m, &[]),
        Error::Vetoed { message, .. } => {
            error_detail(req, StatusCode::CONFLICT, "conflict", &message, &[])
        }
        Error::Closed(closed) => {
            let args: Vec<(&str, String)> = closed
                .args
                .iter()
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect();
            let m = req
                .site
                .renderer()
                .catalog()
                .message(&req.lang, &closed.message, &args);
            error_detail(req, StatusCode::CONFLICT, "conflict", &m, &[])
        }
        e => {
            tracing::error!(site = req.site.id(), path = %raw_path, error = %e, "request failed");
            error_response(
                req,
                StatusCode::INTERNAL_SERVER_ERROR,
                "server-error",
                raw_path,
            )
        }
    }
}

fn sanitize_host(host: &str) -> String {
    host.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        .collect()
}

/// Percent-decodes a path and refuses tricks: invalid UTF-8, control
/// characters, `.` and `..` segments, backslashes.
fn decode_path(raw: &str) -> std::result::Result<String, ()> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(())?;
            let s = std::str::from_utf8(hex).map_err(|_| ())?;
            out.push(u8::from_str_radix(s, 16).map_err(|_| ())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let s = String::from_utf8(out).map_err(|_| ())?;
    if s.chars().any(|c| c.is_control() || c == '\\') {
        return Err(());
    }
    let segments: Vec<&str> = s.split('/').filter(|seg| !seg.is_empty()).collect();
    if segments.iter().any(|seg| *seg == "." || *seg == "..") {
        return Err(());
    }
    Ok(format!("/{}", segments.join("/")))
}

/// Splits `/a/b/@@download/file` or `/a/@search` into the item path and the service.
fn split_service(path: &str) -> (String, Option<String>) {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segments.iter().position(|s| s.starts_with('@')) {
        Some(i) => (
            format!("/{}", segments[..i].join("/")),
            Some(segments[i..].join("/")),
        ),
        None => (path.to_owned(), None),
    }
}

fn item_url(base: &str, path: &str) -> String {
    if path == "/" {
        base.to_owned()
    } else {
        format!("{base}{}", encode_path(path))
    }
}

fn encode_path(path: &str) -> String {
    path.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn show(req: &Req<'_>, path: &str) -> Result<Response> {
    let item = req.reader().must_get(path)?;
    let (body, content_type) = match req.mode {
        Mode::Json => {
            let v = serialize_item(req, &item)?;
            (
                serde_json::to_vec_pretty(&v).unwrap_or_default(),
                "application/json",
            )
        }
        Mode::Html => (
            match default_page(req, &item)? {
                Some(page) => render_item(req, &page, Some(&item))?,
                None => render_item(req, &item, None)?,
            }
            .into_bytes(),
            "text/html; charset=utf-8",
        ),
    };
    // The revision first: `If-Match` compares it alone (`content.rs`).
    // `Vary`, `Cache-Control` and the 304 for `If-None-Match` come with
    // every answer from `caching::finish`.
    let etag = format!("\"{}-{}\"", item.revision, short_hash(&body));
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ETAG, etag)
        .header(header::CONTENT_LANGUAGE, req.lang.as_str())
        .body(Body::from(body))
        .unwrap_or_default())
}

/// The page a container shows in its place (Plone's default page): the
/// child its `default_page` field names, when the reader may view it.
fn default_page(req: &Req<'_>, item: &Item) -> Result<Option<Item>> {
    let Some(uid) = item.field("default_page").and_then(Value::as_str) else {
        return Ok(None);
    };
    Ok(req
        .reader()
        .get_by_uid(uid)?
        .filter(|page| page.parent.as_deref() == Some(item.uid.as_str())))
}

fn short_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn summary(req: &Req<'_>, item: &Item) -> Value {
    json!({
        "@id": item_url(&req.base, &item.path),
        "@type": item.type_name,
        "UID": item.uid,
        "title": item.title(),
        "description": item.description(),
        "review_state": item.review_state,
    })
}

/// The plone.restapi shape of an item, with the components `expand` names inlined.
fn serialize_item(req: &Req<'_>, item: &Item) -> Result<Value> {
    serialize_with(req, item, true)
}

/// The plone.restapi shape of an item, its components as links only (for
/// items inside another answer: `fullobjects`, `@navroot`).
fn serialize_plain(req: &Req<'_>, item: &Item) -> Result<Value> {
    serialize_with(req, item, false)
}

fn serialize_with(req: &Req<'_>, item: &Item, expand: bool) -> Result<Value> {
    let site = req.site;
    let ty = site.schema().get(&item.type_name);
    let url = item_url(&req.base, &item.path);
    let mut out = Map::new();
    out.insert("@id".into(), json!(url));
    out.insert("@type".into(), json!(item.type_name));
    out.insert("UID".into(), json!(item.uid));
    out.insert(
        "id".into(),
        json!(if item.path == "/" {
            site.id()
        } else {
            item.id.as_str()
        }),
    );
    out.insert("title".into(), json!(item.title()));
    out.insert("description".into(), json!(item.description()));
    out.insert("created".into(), json!(item.created.to_rfc3339()));
    out.insert("modified".into(), json!(item.modified.to_rfc3339()));
    out.insert("review_state".into(), json!(item.review_state));
    out.insert(
        "language".into(),
        json!(item
            .language
            .clone()
            .unwrap_or_else(|| site.config().default_language.clone())),
    );
    out.insert("version".into(), json!(item.revision));
    out.insert(
        "@components".into(),
        nav::components(req, item, &url, expand)?,
    );
    // A type's title in the asked language, its name when it has none.
    let type_title = |type_name: &str| -> String {
        site.schema()
            .get(type_name)
            .map(|t| t.title.get(&req.lang).to_owned())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| type_name.to_owned())
    };
    let with_type_title = |mut v: Value, of: &Item| -> Value {
        if let Some(o) = v.as_object_mut() {
            o.insert("type_title".into(), json!(type_title(&of.type_name)));
        }
        v
    };
    let parent = match item.parent_path() {
        Some(p) => match req.reader().get(p)? {
            Some(parent) => with_type_title(summary(req, &parent), &parent),
            None => json!({}),
        },
        None => json!({}),
    };
    out.insert("parent".into(), parent);
    out.insert("lock".into(), content::lock_info(req, item)?);
    for (name, value) in &visible_fields(req, item)? {
        if name == "title" || name == "description" {
            continue;
        }
        let kind = ty.and_then(|t| t.field(name)).map(|f| f.kind);
        let v = match kind {
            Some(FieldKind::Reference) => match value.as_str() {
                Some(uid) => match req.reader().get_by_uid(uid)? {
                    Some(target) => summary(req, &target),
                    None => Value::Null,
                },
                None => Value::Null,
            },
            Some(k @ (FieldKind::File | FieldKind::Image)) => {
                match serde_json::from_value::<BlobRef>(value.clone()) {
                    Ok(b) => {
                        let mut file = json!({
                            "download": format!("{url}/@@download/{name}"),
                            "filename": b.filename,
                            "content-type": b.content_type,
                            "size": b.size,
                        });
                        if let (FieldKind::Image, Some(o)) = (k, file.as_object_mut()) {
                            o.extend(content::images::image_members(req, &url, name, &b));
                        }
                        file
                    }
                    Err(_) => Value::Null,
                }
            }
            _ => value.clone(),
        };
        out.insert(name.clone(), v);
    }
    // plone.restapi's Dublin Core and view members, from what the core
    // keeps: the dates a transition (or a type's own fields) set, the
    // item's creator, its subjects, its type's title and default view.
    out.entry("effective").or_insert(Value::Null);
    out.entry("expires").or_insert(Value::Null);
    out.entry("creators")
        .or_insert_with(|| json!([item.creator]));
    if !out.contains_key("subjects") {
        let subjects: Vec<&str> = match item.field("subject") {
            Some(Value::String(s)) if !s.is_empty() => vec![s.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        out.insert("subjects".into(), json!(subjects));
    }
    out.insert(
        "layout".into(),
        json!(ty.map_or("item_view", |t| t.default_view.as_str())),
    );
    out.insert("type_title".into(), json!(type_title(&item.type_name)));
    let folderish = ty.is_some_and(|t| t.container);
    out.insert("is_folderish".into(), json!(folderish));
    if folderish {
        let q = req_query(req);
        let start = q.b_start;
        let size = q.b_size;
        let (children, total) = match indexed_children(req, item, start, size)? {
            Some(found) => found,
            None => {
                let (children, total) = req.reader().children_page(&item.path, start, size)?;
                let children = children
                    .iter()
                    .map(|c| with_type_title(summary(req, c), c))
                    .collect();
                (children, total)
            }
        };
        out.insert("items".into(), Value::Array(children));
        out.insert("items_total".into(), json!(total));
        if total > size {
            let link = |s: usize| format!("{url}?b_start={s}&b_size={size}");
            let last = (total - 1) / size * size;
            let mut batching = Map::new();
            batching.insert("@id".into(), json!(link(start)));
            batching.insert("first".into(), json!(link(0)));
            batching.insert("last".into(), json!(link(last)));
            if start.saturating_add(size) < total {
                batching.insert("next".into(), json!(link(start + size)));
            }
            if start > 0 {
                batching.insert("prev".into(), json!(link(start.saturating_sub(size))));
            }
            out.insert("batching".into(), Value::Object(batching));
        }
    }
    Ok(Value::Object(out))
}

/// A batch of a container's children as the reader may view them, in
/// their order, with their count, from the index of a module that answers
/// searches (the catalog): one index read whatever the folder's size,
/// where reading them from the store decodes and checks every child.
/// `None` without such a module (or when it cannot answer).
fn indexed_children(
    req: &Req<'_>,
    item: &Item,
    start: usize,
    size: usize,
) -> Result<Option<(Vec<Value>, usize)>> {
    let q = crate::search::Query {
        path: Some(crate::search::PathQuery {
            path: item.path.clone(),
            depth: Some(1),
        }),
        sort_on: Some("position".into()),
        b_start: start,
        b_size: size,
        ..crate::search::Query::default()
    };
    let q = req.site.query_for(&req.who, &q)?;
    let Some(answer) = req
        .site
        .modules()
        .iter()
        .find_map(|m| m.search(req.site, &req.who, &q))
    else {
        return Ok(None);
    };
    let results = answer?;
    let items = results
        .items
        .iter()
        .map(|h| {
            let type_title = req
                .site
                .schema()
                .get(&h.type_name)
                .map(|t| t.title.get(&req.lang).to_owned())
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| h.type_name.clone());
            json!({
                "@id": item_url(&req.base, &h.path),
                "@type": h.type_name,
                "UID": h.uid,
                "title": h.title,
                "description": h.description,
                "review_state": (!h.review_state.is_empty()).then_some(&h.review_state),
                "type_title": type_title,
            })
        })
        .collect();
    Ok(Some((items, results.total)))
}

struct Batch {
    b_start: usize,
    b_size: usize,
}

/// Reads `b_start` and `b_size` (plone.restapi's batching; 25 by default,
/// at most 1000). Unreadable values fall back to the defaults.
fn req_query(req: &Req<'_>) -> Batch {
    let mut b = Batch {
        b_start: 0,
        b_size: 25,
    };
    for pair in req.query.unwrap_or("").split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match (k, v.parse::<usize>()) {
            ("b_start", Ok(n)) => b.b_start = n,
            ("b_size", Ok(n)) if n > 0 => b.b_size = n.min(1000),
            _ => {}
        }
    }
    b
}

fn site_context(req: &Req<'_>, current: Option<&Item>) -> Result<tera::Context> {
    let site = req.site;
    let settings = site.settings_or_config();
    let mut ctx = tera::Context::new();
    ctx.insert("lang", &req.lang);
    ctx.insert(
        "site",
        &json!({
            "id": site.id(),
            "title": settings.title,
            "url": req.base,
            "languages": settings.languages,
        }),
    );
    let top = current
        .map(|c| c.path.split('/').nth(1).unwrap_or("").to_owned())
        .unwrap_or_default();
    let reader = req.reader();
    let nav: Vec<Value> = reader
        .children("/")
        .unwrap_or_default()
        .iter()
        .filter(|c| !nav::excluded(c))
        .map(|c| json!({"url": item_url(&req.base, &c.path), "title": c.title(), "current": c.id == top}))
        .collect();
    ctx.insert("nav", &nav);
    let mut crumbs = Vec::new();
    if let Some(item) = current {
        let mut p = String::new();
        for seg in item.path.split('/').filter(|s| !s.is_empty()) {
            p.push('/');
            p.push_str(seg);
            if let Some(it) = reader.get(&p)? {
                crumbs.push(json!({"url": item_url(&req.base, &it.path), "title": it.title()}));
            }
        }
    }
    ctx.insert("breadcrumbs", &crumbs);
    i18n::insert_context(req, current, &mut ctx)?;
    theme::insert_context(req, &mut ctx);
    let came_from = match current {
        Some(c) => item_url(&req.base, &c.path),
        None if req.asked.contains("@@login") || req.asked.contains("@@reset-password") => {
            String::new()
        }
        None => format!("{}{}", req.base, req.asked),
    };
    ctx.insert(
        "user",
        &json!({
            "authenticated": req.who.is_authenticated(),
            "login": req.who.login(),
            "fullname": req.who.fullname(),
            "login_url": format!("{}/@@login{}", req.base, if came_from.is_empty() { String::new() } else { format!("?came_from={}", encode_query(&came_from)) }),
        }),
    );
    if req.who.is_authenticated() {
        ctx.insert("csrf", &req.csrf());
    }
    setup::insert_link(req, &mut ctx);
    edit::decorate(req, current, &mut ctx);
    views::decorate(req, current, &mut ctx);
    Ok(ctx)
}

/// Percent-encodes a query value.
fn encode_query(v: &str) -> String {
    form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

/// An item for templates: its fields (references the reader may not view
/// blanked), and ready-made display forms of dates and sizes.
fn item_value(req: &Req<'_>, item: &Item) -> Result<Value> {
    let site = req.site;
    let lang = req.lang.as_str();
    let ty = site.schema().get(&item.type_name);
    let url = item_url(&req.base, &item.path);
    let modified_display = site.renderer().catalog().format_date(
        lang,
        item.modified.date_naive(),
        crate::i18n::DateStyle::Long,
    );
    let mut item_v = json!({
        "url": url,
        "uid": item.uid,
        "id": item.id,
        "path": item.path,
        "type": item.type_name,
        "type_title": ty.map(|t| t.title.get(lang)).unwrap_or(""),
        "title": item.title(),
        "description": item.description(),
        "modified": item.modified.to_rfc3339(),
        "modified_display": modified_display,
        "review_state": item.review_state,
    });
    if let Some(obj) = item_v.as_object_mut() {
        obj.insert("created".into(), json!(item.created.to_rfc3339()));
        obj.insert(
            "created_display".into(),
            json!(site.renderer().catalog().format_date(
                lang,
                item.created.date_naive(),
                crate::i18n::DateStyle::Long
            )),
        );
        for (k, v) in &visible_fields(req, item)? {
            if k != "title" && k != "description" {
                obj.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        // Ready-made display forms of dates and file sizes for templates.
        for f in ty.map(|t| t.fields.as_slice()).unwrap_or_default() {
            let Some(v) = item.field(&f.name) else {
                continue;
            };
            match f.kind {
                FieldKind::Url => {
                    if let Some(u) = v.as_str() {
                        obj.insert(
                            f.name.clone(),
                            json!(crate::text::resolve_url(u, &req.base)),
                        );
                    }
                }
                FieldKind::Date | FieldKind::Datetime => {
                    let (text, _, _) = display_value(req, f.kind, None, &url, &f.name, v);
                    obj.insert(format!("{}_display", f.name), json!(text));
                }
                FieldKind::File | FieldKind::Image => {
                    let size = v.get("size").and_then(Value::as_u64).unwrap_or(0);
                    obj.insert(format!("{}_size_display", f.name), json!(human_size(size)));
                    if f.kind == FieldKind::Image {
                        // `item.<field>_scales.preview`: the scales' addresses.
                        obj.insert(
                            format!("{}_scales", f.name),
                            Value::Object(content::images::scale_urls(&url, &f.name)),
                        );
                    }
                }
                _ => {}
            }
        }
    }
    Ok(item_v)
}

/// The page of `item`; `shown_for` is the container it stands in for as
/// its default page (its URL is the page's canonical address, and the
/// site root's home page is titled with the site's name).
fn render_item(req: &Req<'_>, item: &Item, shown_for: Option<&Item>) -> Result<String> {
    let site = req.site;
    let lang = req.lang.as_str();
    let mut ctx = site_context(req, Some(item))?;
    if let Some(c) = shown_for {
        ctx.insert(
            "shown_for",
            &json!({"path": c.path, "url": item_url(&req.base, &c.path), "title": c.title()}),
        );
        edit::default_page_toolbar(req, item, c, &mut ctx);
    }
    let ty = site.schema().get(&item.type_name);
    let url = item_url(&req.base, &item.path);
    ctx.insert("item", &item_value(req, item)?);
    workflow::insert_menu(req, item, &url, &mut ctx)?;
    let mut fields = Vec::new();
    if let Some(ty) = ty {
        for f in ty
            .fields
            .iter()
            .filter(|f| f.name != "title" && f.name != "description")
        {
            let Some(value) = item.field(&f.name) else {
                continue;
            };
            let (text, html, link) =
                display_value(req, f.kind, f.vocabulary.as_deref(), &url, &f.name, value);
            if text.is_empty() {
                continue;
            }
            fields.push(json!({
                "name": f.name,
                "label": f.title.get(lang),
                "kind": f.kind,
                "value": text,
                "html": html,
                "url": link,
            }));
        }
    }
    ctx.insert("fields", &fields);
    if ty.is_some_and(|t| t.container) {
        let mut items: Vec<Value> = Vec::new();
        for c in req.reader().children(&item.path)? {
            items.push(json!({
                "url": item_url(&req.base, &c.path),
                "title": c.title(),
                "description": c.description(),
                "type": c.type_name,
                "fields": visible_fields(req, &c)?,
            }));
        }
        ctx.insert("items", &items);
    }
    let view = ty.map(|t| t.default_view.as_str()).unwrap_or("item_view");
    site.renderer().render(&format!("{view}.html"), &ctx)
}

/// An item's fields with references the reader may not view blanked out,
/// so not even a uid of a hidden item reaches a page or an answer.
fn visible_fields(req: &Req<'_>, item: &Item) -> Result<Map<String, Value>> {
    let mut out = item.fields.clone();
    if let Some(ty) = req.site.schema().get(&item.type_name) {
        // Addresses inside the site (`${portal_url}/…`) are given whole,
        // as plone.restapi gives a Link's.
        for f in ty
            .fields
            .iter()
            .filter(|f| matches!(f.kind, FieldKind::Url))
        {
            if let Some(u) = out.get(&f.name).and_then(Value::as_str) {
                let resolved = crate::text::resolve_url(u, &req.base);
                out.insert(f.name.clone(), Value::String(resolved));
            }
        }
        for f in ty
            .fields
            .iter()
            .filter(|f| matches!(f.kind, FieldKind::Reference))
        {
            if let Some(uid) = out.get(&f.name).and_then(Value::as_str) {
                if req.reader().get_by_uid(uid)?.is_none() {
                    out.insert(f.name.clone(), Value::Null);
                }
            }
        }
    }
    Ok(out)
}

fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
        b if b >= 1024 => format!("{} kB", b / 1024),
        b => format!("{b} B"),
    }
}

fn display_value(
    req: &Req<'_>,
    kind: FieldKind,
    vocabulary: Option<&str>,
    url: &str,
    name: &str,
    value: &Value,
) -> (String, bool, Option<String>) {
    let site = req.site;
    let lang = req.lang.as_str();
    let term = |v: &str| -> String {
        vocabulary
            .and_then(|n| site.schema().vocabulary(n))
            .and_then(|voc| voc.terms.iter().find(|t| t.value == v))
            .map(|t| t.title.get(lang).to_owned())
            .unwrap_or_else(|| v.to_owned())
    };
    let s = value.as_str().unwrap_or("");
    match kind {
        FieldKind::Richtext => (s.to_owned(), true, None),
        FieldKind::Bool => {
            let key = if value.as_bool() == Some(true) {
                "yes"
            } else {
                "no"
            };
            (
                site.renderer().catalog().message(lang, key, &[]),
                false,
                None,
            )
        }
        FieldKind::Choice => (term(s), false, None),
        FieldKind::MultiChoice => (
            value
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(term)
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default(),
            false,
            None,
        ),
        FieldKind::Email => (s.to_owned(), false, Some(format!("mailto:{s}"))),
        FieldKind::Url => {
            let resolved = crate::text::resolve_url(s, &req.base);
            (resolved.clone(), false, Some(resolved))
        }
        FieldKind::Phone => (
            s.to_owned(),
            false,
            Some(format!(
                "tel:{}",
                s.chars()
                    .filter(|c| c.is_ascii_digit() || *c == '+')
                    .collect::<String>()
            )),
        ),
        FieldKind::Datetime | FieldKind::Date => (
            site.renderer()
                .catalog()
                .format_date_value(lang, s, crate::i18n::DateStyle::Long),
            false,
            None,
        ),
        FieldKind::File | FieldKind::Image => {
            let filename = value
                .get("filename")
                .and_then(Value::as_str)
                .unwrap_or("file");
            (
                filename.to_owned(),
                false,
                Some(format!("{url}/@@download/{name}")),
            )
        }
        FieldKind::Address => {
            let get = |k: &str| {
                value
                    .get(k)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned()
            };
            let line = [
                get("street"),
                format!("{} {}", get("postcode"), get("locality"))
                    .trim()
                    .to_owned(),
            ]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
            (line, false, None)
        }
        FieldKind::Reference => match req.reader().get_by_uid(s) {
            Ok(Some(target)) => (
                target.title().to_owned(),
                false,
                Some(item_url(&req.base, &target.path)),
            ),
            _ => (String::new(), false, None),
        },
        FieldKind::Integer | FieldKind::Decimal => (
            site.renderer()
                .catalog()
                .format_number(lang, &value.to_string()),
            false,
            None,
        ),
        FieldKind::Text | FieldKind::Textarea => (s.to_owned(), false, None),
    }
}

fn error_response(req: &Req<'_>, status: StatusCode, key: &str, raw_path: &str) -> Response {
    let detail = if status == StatusCode::NOT_FOUND {
        format!("Resource not found: {}{}", req.base, encode_path(raw_path))
    } else {
        req.site
            .renderer()
            .catalog()
            .message(&req.lang, &format!("{key}-message"), &[])
    };
    error_detail(req, status, key, &detail, &[])
}

/// An error answer: JSON `{type, message, errors}` for programs (the
/// message in English, or translated for guards), a translated page for people.
fn error_detail(
    req: &Req<'_>,
    status: StatusCode,
    key: &str,
    detail: &str,
    errors: &[crate::error::FieldError],
) -> Response {
    let catalog = req.site.renderer().catalog();
    let heading = catalog.message(&req.lang, &format!("{key}-title"), &[]);
    let message = catalog.message(&req.lang, &format!("{key}-message"), &[]);
    match req.mode {
        Mode::Json => {
            let kind = match status {
                StatusCode::NOT_FOUND => "NotFound",
                StatusCode::BAD_REQUEST => "BadRequest",
                StatusCode::UNAUTHORIZED => "Unauthorized",
                StatusCode::FORBIDDEN => "Forbidden",
                StatusCode::CONFLICT => "Conflict",
                StatusCode::TOO_MANY_REQUESTS => "TooManyRequests",
                StatusCode::PAYLOAD_TOO_LARGE => "PayloadTooLarge",
                StatusCode::METHOD_NOT_ALLOWED => "MethodNotAllowed",
                _ => "InternalServerError",
            };
            let mut body = json!({"type": kind, "message": detail, "context": req.base});
            if !errors.is_empty() {
                body["errors"] = json!(errors);
            }
            json_response(status, &body)
        }
        Mode::Html => {
            let html = site_context(req, None).and_then(|mut ctx| {
                ctx.insert("heading", &heading);
                ctx.insert("message", &message);
                let errors: Vec<String> = errors
                    .iter()
                    .map(|e| {
                        let label = catalog.message(&req.lang, &format!("error-{}", e.code), &[]);
                        format!("{}: {label}", e.field)
                    })
                    .collect();
                ctx.insert("errors", &errors);
                if key == "conflict" {
                    ctx.insert("detail", detail);
                }
                req.site.renderer().render("error.html", &ctx)
            });
            match html {
                Ok(h) => (
                    status,
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    h,
                )
                    .into_response(),
                Err(e) => {
                    tracing::error!(error = %e, "cannot render the error page");
                    (status, heading).into_response()
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_decoded_and_tricks_refused() {
        assert_eq!(
            decode_path("/services/%C3%A9tat"),
            Ok("/services/état".into())
        );
        assert_eq!(decode_path("//a///b/"), Ok("/a/b".into()));
        assert_eq!(decode_path("/a/../b"), Err(()));
        assert_eq!(decode_path("/a/%2e%2e/b"), Err(()));
        assert_eq!(decode_path("/a%00b"), Err(()));
        assert_eq!(decode_path("/a%ZZ"), Err(()));
        assert_eq!(decode_path("/a%5c..%5cb"), Err(()));
    }

    #[test]
    fn services_split_from_paths() {
        assert_eq!(
            split_service("/a/b/@@download/file"),
            ("/a/b".into(), Some("@@download/file".into()))
        );
        assert_eq!(
            split_service("/@search"),
            ("/".into(), Some("@search".into()))
        );
        assert_eq!(split_service("/a"), ("/a".into(), None));
    }
}
