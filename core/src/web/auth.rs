//! Logging in and out over the web: plone.restapi's `@login`,
//! `@login-renew`, `@logout` for programs; the `@@login` form, `__ac`
//! session cookie and `@@logout` for browsers; HTTP Basic for scripts;
//! password reset pages; CSRF checks on every form.

use std::net::SocketAddr;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::Deserialize;
use serde_json::json;

use super::edit::page;
use super::{json_response, redirect, site_context, Mode, Req, Via};
use crate::error::{Error, FieldError, Result};
use crate::security::Principal;
use crate::site::Site;

/// The session cookie; Plone's name, so Plone-aware tools recognise it.
pub(super) const SESSION_COOKIE: &str = "__ac";
/// The browser's random CSRF seed.
pub(super) const CSRF_COOKIE: &str = "beffroi_csrf";
/// The form field carrying the CSRF token (plone.protect's name).
const CSRF_FIELD: &str = "_authenticator";

/// A cookie's value from the request.
pub(super) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"').to_owned())
}

fn session_cookie(token: &str, https: bool, max_age: u64) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if https { "; Secure" } else { "" }
    )
}

/// A cookie that deletes `name`.
pub(super) fn expired_cookie(name: &str, https: bool) -> String {
    format!(
        "{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if https { "; Secure" } else { "" }
    )
}

/// The CSRF seed cookie.
pub(super) fn csrf_cookie(seed: &str, https: bool) -> String {
    format!(
        "{CSRF_COOKIE}={seed}; Path=/; HttpOnly; SameSite=Strict{}",
        if https { "; Secure" } else { "" }
    )
}

/// The client's address: the peer's, or, behind a proxy on this machine,
/// the last address `X-Forwarded-For` names.
pub(super) fn client_address(peer: Option<SocketAddr>, headers: &HeaderMap) -> Option<String> {
    let peer = peer?;
    if peer.ip().is_loopback() {
        if let Some(fwd) = headers
            .get("x-forwarded-for")
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.rsplit(',').next())
            .map(str::trim)
            .filter(|a| a.parse::<std::net::IpAddr>().is_ok())
        {
            return Some(fwd.to_owned());
        }
    }
    Some(peer.ip().to_string())
}

/// Who the request comes from, how it proved it, the token it carried, and
/// whether a broken session cookie must be cleared.
pub(super) fn authenticate(
    site: &Site,
    headers: &HeaderMap,
    address: Option<&str>,
) -> Result<(Principal, Via, Option<String>, bool)> {
    if let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
    {
        if let Some(token) = value.strip_prefix("Bearer ") {
            let token = token.trim();
            let (who, _) = site.authenticate_token(token)?;
            return Ok((who, Via::Bearer, Some(token.to_owned()), false));
        }
        if let Some(encoded) = value.strip_prefix("Basic ") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| Error::Unauthorized("malformed Basic credentials".into()))?;
            let (login, password) = decoded
                .split_once(':')
                .ok_or_else(|| Error::Unauthorized("malformed Basic credentials".into()))?;
            let who = site.check_credentials(login, password, address)?;
            return Ok((who, Via::Basic, None, false));
        }
        return Err(Error::Unauthorized(
            "unsupported Authorization scheme (use Bearer or Basic)".into(),
        ));
    }
    if let Some(token) = cookie(headers, SESSION_COOKIE).filter(|t| !t.is_empty()) {
        return Ok(match site.authenticate_token(&token) {
            Ok((who, _)) => (who, Via::Cookie, Some(token), false),
            // An ended or forged session: carry on as a visitor, and clear it.
            Err(_) => (Principal::anonymous(), Via::Nobody, None, true),
        });
    }
    Ok((Principal::anonymous(), Via::Nobody, None, false))
}

/// Parses a form body into (name, value) pairs.
pub(super) fn form(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub(super) fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// Whether the request body is a form (not JSON).
pub(super) fn is_form(req: &Req<'_>) -> bool {
    req.headers
        .get(header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
}

/// Refuses a form whose CSRF token does not match the browser's cookie.
pub(super) fn check_form_csrf(req: &Req<'_>, form: &[(String, String)]) -> Result<()> {
    let seed = cookie(req.headers, CSRF_COOKIE).unwrap_or_default();
    if req.site.check_csrf(&seed, field(form, CSRF_FIELD))? {
        Ok(())
    } else {
        Err(Error::Invalid(vec![FieldError::new(
            CSRF_FIELD,
            "csrf",
            "the form is stale or was not sent from this site; reload the page and try again",
        )]))
    }
}

/// A JSON write authenticated by the session cookie must carry the CSRF
/// token in `X-CSRF-Token`: a cookie is sent by the browser on its own,
/// a bearer token or a password is not.
pub(super) fn check_json_csrf(req: &Req<'_>) -> Result<()> {
    if req.via != Via::Cookie {
        return Ok(());
    }
    let seed = cookie(req.headers, CSRF_COOKIE).unwrap_or_default();
    let token = req
        .headers
        .get("x-csrf-token")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if req.site.check_csrf(&seed, token)? {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "a write with the session cookie needs the X-CSRF-Token header".into(),
        ))
    }
}

/// Refuses a POST a browser sent from another site: `Sec-Fetch-Site:
/// cross-site`, or an `Origin` that is not this host. Programs send
/// neither and are not affected; browsers always send them on such POSTs,
/// so credentials a browser holds (cookie or cached Basic) cannot be
/// borrowed by another site's page.
pub(super) fn check_origin(req: &Req<'_>) -> Result<()> {
    let header = |name: &str| req.headers.get(name).and_then(|h| h.to_str().ok());
    if header("sec-fetch-site") == Some("cross-site") {
        return Err(Error::Forbidden("a request from another site".into()));
    }
    if let Some(origin) = header("origin") {
        let host = req.base.split_once("://").map_or("", |(_, h)| h);
        let origin_host = origin.split_once("://").map_or("", |(_, h)| h);
        if origin_host != host {
            return Err(Error::Forbidden(format!("a request from {origin}")));
        }
    }
    Ok(())
}

/// Parses a JSON body into `T`, with a clear 400 when it is not. The body
/// must say it is JSON: a cross-site form cannot send that type.
pub(super) fn json_body<T: for<'de> Deserialize<'de>>(req: &Req<'_>, body: &[u8]) -> Result<T> {
    let is_json = req
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json"));
    if !is_json {
        return Err(Error::Invalid(vec![FieldError::new(
            "body",
            "bad_json",
            "send the body as JSON, with `Content-Type: application/json`",
        )]));
    }
    serde_json::from_slice(body).map_err(|e| {
        Error::Invalid(vec![FieldError::new(
            "body",
            "bad_json",
            format!("the body is not the JSON expected: {e}"),
        )])
    })
}

/// The site's address for links sent by mail: `url` from `site.toml`, else
/// the request's host if it is one of the site's, else its first host. A
/// forged `Host` header never ends up in a mail.
pub(super) fn public_base(req: &Req<'_>) -> String {
    let config = req.site.config();
    if let Some(url) = &config.url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = req
        .base
        .split_once("://")
        .map_or("", |(_, h)| h)
        .rsplit_once(':')
        .map_or_else(
            || req.base.split_once("://").map_or("", |(_, h)| h),
            |(h, _)| h,
        );
    if config.hosts.iter().any(|h| h == host) {
        return req.base.clone();
    }
    match config.hosts.first() {
        Some(h) => format!("{}://{h}", if req.https { "https" } else { "http" }),
        // Nothing configured: no address can be trusted, so none is given
        // and the core sends no link.
        None => String::new(),
    }
}

/// Only addresses on this site are followed after a login.
fn safe_came_from(req: &Req<'_>, came_from: &str) -> String {
    if came_from.starts_with(&format!("{}/", req.base)) || came_from == req.base {
        came_from.to_owned()
    } else if came_from.starts_with('/') && !came_from.starts_with("//") {
        format!("{}{came_from}", req.base)
    } else {
        format!("{}/", req.base)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    login: String,
    password: String,
}

/// Checks a password on a blocking thread: argon2 takes tens of
/// milliseconds, which the async workers must not spend.
async fn blocking_login(
    req: &Req<'_>,
    login: String,
    password: String,
) -> Result<crate::auth::Login> {
    let site = std::sync::Arc::clone(&req.arc);
    let address = req.address.clone();
    tokio::task::spawn_blocking(move || site.login(&login, &password, address.as_deref()))
        .await
        .map_err(|_| Error::Unauthorized("the login could not be checked".into()))?
}

/// `POST /@login` `{login, password}` → `{token}` (plone.restapi).
pub(super) async fn api_login(req: &Req<'_>, body: &[u8]) -> Result<Response> {
    let b: LoginBody = json_body(req, body)?;
    match blocking_login(req, b.login, b.password).await {
        Ok(l) => Ok(json_response(StatusCode::OK, &json!({"token": l.token}))),
        Err(Error::Unauthorized(_)) => Ok(json_response(
            StatusCode::UNAUTHORIZED,
            &json!({"error": {"type": "Invalid credentials", "message": "Wrong login and/or password."}}),
        )),
        Err(e) => Err(e),
    }
}

/// `POST /@login-renew` with a bearer token → a new `{token}`.
pub(super) fn api_renew(req: &Req<'_>) -> Result<Response> {
    let token = req
        .token
        .as_deref()
        .ok_or_else(|| Error::Unauthorized("no token to renew".into()))?;
    check_json_csrf(req)?;
    let l = req.site.renew(token)?;
    Ok(json_response(StatusCode::OK, &json!({"token": l.token})))
}

/// `POST /@logout`: ends the session.
pub(super) fn api_logout(req: &Req<'_>) -> Result<Response> {
    let token = req
        .token
        .as_deref()
        .ok_or_else(|| Error::Unauthorized("not logged in".into()))?;
    check_json_csrf(req)?;
    req.site.logout(token)?;
    let mut r = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&expired_cookie(SESSION_COOKIE, req.https)) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(r)
}

fn query_param(req: &Req<'_>, name: &str) -> String {
    form_urlencoded::parse(req.query.unwrap_or("").as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// The login page, with an optional error (translated message key).
pub(super) fn login_page(
    req: &Req<'_>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response> {
    if req.mode == Mode::Json {
        return Err(Error::NotFound("@@login".into()));
    }
    let mut ctx = site_context(req, None)?;
    ctx.insert("csrf", &req.csrf());
    ctx.insert("came_from", &query_param(req, "came_from"));
    ctx.insert("error", &error);
    page(req, status, "login.html", &ctx)
}

/// `POST /@@login` from the login form: sets the session cookie.
pub(super) async fn form_login(req: &Req<'_>, body: &[u8]) -> Result<Response> {
    let f = form(body);
    if check_form_csrf(req, &f).is_err() {
        let msg = req
            .site
            .renderer()
            .catalog()
            .message(&req.lang, "csrf-failed", &[]);
        return login_page(req, Some(msg), StatusCode::BAD_REQUEST);
    }
    let catalog = req.site.renderer().catalog();
    match req.site.login(
        field(&f, "login"),
        field(&f, "password"),
        req.address.as_deref(),
    ) {
        Ok(l) => {
            let to = safe_came_from(req, field(&f, "came_from"));
            let mut r = redirect(&to);
            let max_age = req.site.config().security.session_hours * 3600;
            if let Ok(v) = HeaderValue::from_str(&session_cookie(&l.token, req.https, max_age)) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            Ok(r)
        }
        Err(Error::Unauthorized(_)) => login_page(
            req,
            Some(catalog.message(&req.lang, "login-failed", &[])),
            StatusCode::UNAUTHORIZED,
        ),
        Err(Error::Throttled(secs)) => {
            let mut r = login_page(
                req,
                Some(catalog.message(
                    &req.lang,
                    "login-throttled",
                    &[("minutes", secs.div_ceil(60).to_string())],
                )),
                StatusCode::TOO_MANY_REQUESTS,
            )?;
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

/// `POST /@@logout` from the logout button.
pub(super) fn form_logout(req: &Req<'_>, body: &[u8]) -> Result<Response> {
    let f = form(body);
    check_form_csrf(req, &f)?;
    if let Some(token) = &req.token {
        req.site.logout(token)?;
    }
    let mut r = redirect(&format!("{}/", req.base));
    if let Ok(v) = HeaderValue::from_str(&expired_cookie(SESSION_COOKIE, req.https)) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(r)
}

/// The page asking for a login or address to send a reset link to.
pub(super) fn reset_request_page(req: &Req<'_>) -> Result<Response> {
    if req.mode == Mode::Json {
        return Err(Error::NotFound("@@reset-password".into()));
    }
    let mut ctx = site_context(req, None)?;
    ctx.insert("csrf", &req.csrf());
    page(req, StatusCode::OK, "reset_request.html", &ctx)
}

/// `POST /@@reset-password`: queues the mail if the account exists, and
/// says the same either way.
pub(super) fn form_reset_request(req: &Req<'_>, body: &[u8]) -> Result<Response> {
    let f = form(body);
    check_form_csrf(req, &f)?;
    req.site
        .request_password_reset(field(&f, "login").trim(), &public_base(req))?;
    let mut ctx = site_context(req, None)?;
    let catalog = req.site.renderer().catalog();
    ctx.insert("heading", &catalog.message(&req.lang, "reset-title", &[]));
    ctx.insert("message", &catalog.message(&req.lang, "reset-sent", &[]));
    page(req, StatusCode::OK, "message.html", &ctx)
}

/// The page to choose a new password with a reset link.
pub(super) fn reset_form_page(req: &Req<'_>, token: &str) -> Result<Response> {
    if req.mode == Mode::Json {
        return Err(Error::NotFound("@@reset-password".into()));
    }
    let mut ctx = site_context(req, None)?;
    ctx.insert("csrf", &req.csrf());
    ctx.insert("token", token);
    ctx.insert("error", &Option::<String>::None);
    page(req, StatusCode::OK, "reset_form.html", &ctx)
}

/// `POST /@@reset-password/{token}`: sets the new password.
pub(super) fn form_reset(req: &Req<'_>, token: &str, body: &[u8]) -> Result<Response> {
    let f = form(body);
    check_form_csrf(req, &f)?;
    let catalog = req.site.renderer().catalog();
    let password = field(&f, "password");
    let error = if password != field(&f, "confirm") {
        Some(catalog.message(&req.lang, "passwords-differ", &[]))
    } else {
        match req.site.reset_password(None, token, password) {
            Ok(()) => None,
            Err(Error::Invalid(_)) => Some(catalog.message(&req.lang, "error-weak_password", &[])),
            Err(Error::Unauthorized(_)) => Some(catalog.message(&req.lang, "reset-invalid", &[])),
            Err(e) => return Err(e),
        }
    };
    let mut ctx = site_context(req, None)?;
    match error {
        Some(e) => {
            ctx.insert("csrf", &req.csrf());
            ctx.insert("token", token);
            ctx.insert("error", &e);
            page(req, StatusCode::BAD_REQUEST, "reset_form.html", &ctx)
        }
        None => {
            ctx.insert("heading", &catalog.message(&req.lang, "reset-title", &[]));
            ctx.insert("message", &catalog.message(&req.lang, "reset-done", &[]));
            ctx.insert("link", &format!("{}/@@login", req.base));
            page(req, StatusCode::OK, "message.html", &ctx)
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ResetBody {
    reset_token: Option<String>,
    new_password: Option<String>,
}

/// `POST /@users/{login}/reset-password` (plone.restapi): without a body,
/// sends the reset mail; with `{reset_token, new_password}`, sets it.
pub(super) fn api_reset(req: &Req<'_>, login: &str, body: &[u8]) -> Result<Response> {
    let b: ResetBody = if body.iter().all(u8::is_ascii_whitespace) {
        ResetBody::default()
    } else {
        json_body(req, body)?
    };
    match (b.reset_token, b.new_password) {
        (Some(token), Some(password)) => {
            req.site.reset_password(Some(login), &token, &password)?;
        }
        (None, None) => req.site.request_password_reset(login, &public_base(req))?,
        _ => {
            return Err(Error::Invalid(vec![FieldError::new(
                "body",
                "bad_json",
                "send both reset_token and new_password, or neither",
            )]))
        }
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The login, logout and password-reset services, in the API and as pages.
pub(super) async fn dispatch(req: &Req<'_>, call: &super::Call) -> Option<Result<Response>> {
    use axum::http::Method;
    let body = &call.body;
    let name = call.name.as_deref()?;
    // Logging in and resetting passwords happen at the root only: refused
    // elsewhere before anything runs (or a mail is sent).
    if call.path != "/"
        && matches!(
            name,
            "@@login" | "@@logout" | "@@reset-password" | "@login" | "@login-renew" | "@logout"
        )
        || (call.path != "/" && name == "@users" && call.method == Method::POST)
    {
        return Some(Err(Error::NotFound(format!("{}/{name}", call.path))));
    }
    Some(match (call.method.clone(), name, call.rest()) {
        (Method::GET | Method::HEAD, "@@login", None) => login_page(req, None, StatusCode::OK),
        (Method::GET | Method::HEAD, "@@reset-password", None) => reset_request_page(req),
        (Method::GET | Method::HEAD, "@@reset-password", Some(token)) => {
            reset_form_page(req, token)
        }
        (Method::POST, "@login", None) => api_login(req, body).await,
        (Method::POST, "@login-renew", None) => api_renew(req),
        (Method::POST, "@logout", None) => api_logout(req),
        (Method::POST, "@@login", None) => form_login(req, body).await,
        (Method::POST, "@@logout", None) => form_logout(req, body),
        (Method::POST, "@@reset-password", None) => form_reset_request(req, body),
        (Method::POST, "@@reset-password", Some(token)) => form_reset(req, token, body),
        (Method::POST, "@users", Some(rest)) => match rest.split_once('/') {
            Some((login, "reset-password")) => api_reset(req, login, body),
            _ => return None,
        },
        _ => return None,
    })
}
