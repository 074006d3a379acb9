//! The editing pages: add and edit forms generated from the schema
//! (`edit_form.rs`), folder contents and its actions (`edit_contents.rs`),
//! the delete, history and sharing pages (`edit_pages.rs`); and, here, what
//! they share: the toolbar above every item, the status messages shown once
//! on the next page (a signed, short-lived cookie, as Plone's
//! statusmessages), and the routing of `++add++Type`, `@@edit`,
//! `@@folder_contents` and the other `@@` pages.
//!
//! Everything works without JavaScript: every action is a form or a link;
//! `editor.js` only adds the rich-text editor and "select all".

use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{json, Value};

use super::{encode_query, item_url, redirect, Call, Mode, Req};
use crate::error::Result;
use crate::item::Item;
use crate::security;

#[path = "edit_contents.rs"]
mod contents;
#[path = "edit_form.rs"]
mod form;
#[path = "edit_pages.rs"]
mod pages;

/// The cookie carrying the next page's status message.
pub(super) const STATUS_COOKIE: &str = "beffroi_status";

/// Answers the calls that are this part's, `None` for the others.
pub(super) async fn dispatch(req: &Req<'_>, call: &Call) -> Option<Result<Response>> {
    if req.mode == Mode::Json {
        return None;
    }
    let reading = call.method == Method::GET || call.method == Method::HEAD;
    let posting = call.method == Method::POST;
    // `/folder/++add++Type` is not a service to the router (no `@`): the
    // last segment of the path says it.
    if call.name.is_none() {
        let (parent, last) = call.path.rsplit_once('/')?;
        let parent = if parent.is_empty() { "/" } else { parent };
        if reading && ALIASES.contains(&last) {
            return alias(req, parent, last);
        }
        let type_name = last.strip_prefix("++add++")?;
        if !(reading || posting) {
            return None;
        }
        if let Some(r) = login_first(req, reading) {
            return Some(Ok(r));
        }
        return Some(if posting {
            form::post_add(req, parent, type_name, call).await
        } else {
            form::get_add(req, parent, type_name)
        });
    }
    let name = call.name.as_deref()?;
    let page = matches!(
        name,
        "@@add"
            | "@@edit"
            | "@@folder_contents"
            | "@@folder_delete"
            | "@@folder_rename"
            | "@@delete_confirmation"
            | "@@history"
            | "@@sharing"
    );
    if !page || call.rest().is_some() || !(reading || posting) {
        return None;
    }
    if let Some(r) = login_first(req, reading) {
        return Some(Ok(r));
    }
    let path = call.path.as_str();
    Some(match (name, posting) {
        ("@@add", false) => form::get_add_query(req, path),
        ("@@edit", false) => form::get_edit(req, path),
        ("@@edit", true) => form::post_edit(req, path, call).await,
        ("@@folder_contents", false) => contents::get_contents(req, path),
        ("@@folder_contents", true) => contents::post_contents(req, path, &call.body),
        ("@@folder_delete", false) => contents::get_folder_delete(req, path),
        ("@@folder_delete", true) => contents::post_folder_delete(req, path, &call.body),
        ("@@folder_rename", false) => contents::get_folder_rename(req, path),
        ("@@folder_rename", true) => contents::post_folder_rename(req, path, &call.body),
        ("@@delete_confirmation", false) => pages::get_delete(req, path),
        ("@@delete_confirmation", true) => pages::post_delete(req, path, &call.body),
        ("@@history", false) => pages::get_history(req, path),
        ("@@sharing", false) => pages::get_sharing(req, path),
        ("@@sharing", true) => pages::post_sharing(req, path, &call.body),
        _ => return None,
    })
}

/// Pages Plone also answers without `@@` (`/folder/folder_contents`).
const ALIASES: &[&str] = &["edit", "folder_contents", "sharing", "delete_confirmation"];

/// `/folder/folder_contents` goes to `/folder/@@folder_contents`, unless an
/// item is called so: content comes before views, as in Plone.
fn alias(req: &Req<'_>, parent: &str, view: &str) -> Option<Result<Response>> {
    match req.reader().get(&crate::site::join_path(parent, view)) {
        Ok(None) => {}
        Ok(Some(_)) => return None,
        Err(e) => return Some(Err(e)),
    }
    let url = item_url(&req.base, parent);
    let query = req.query.map(|q| format!("?{q}")).unwrap_or_default();
    Some(Ok(redirect(&format!("{url}/@@{view}{query}"))))
}

/// A visitor asking for an editing page is sent to the login form, to come
/// back here after; a visitor's post is refused by the write itself (401).
fn login_first(req: &Req<'_>, reading: bool) -> Option<Response> {
    if req.who.is_authenticated() || !reading {
        return None;
    }
    let came_from = match req.query {
        Some(q) => format!("{}{}?{q}", req.base, req.asked),
        None => format!("{}{}", req.base, req.asked),
    };
    Some(redirect(&format!(
        "{}/@@login?came_from={}",
        req.base,
        encode_query(&came_from)
    )))
}

/// Puts the toolbar and the pending status message in a page's context.
/// Called for every page by `site_context`.
pub(super) fn decorate(req: &Req<'_>, current: Option<&Item>, ctx: &mut tera::Context) {
    if let Some(message) = read_status(req) {
        ctx.insert("status_message", &message);
    }
    ctx.insert("toolbar_active", "view");
    if let Some(item) = current {
        // The editing pages' templates name the item they are about; an
        // item's own view replaces this with its full form.
        ctx.insert(
            "item",
            &json!({
                "title": item.title(),
                "url": item_url(&req.base, &item.path),
                "path": item.path,
                "id": item.id,
            }),
        );
        match toolbar(req, item) {
            Ok(Some(t)) => ctx.insert("toolbar", &t),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "cannot build the toolbar"),
        }
    }
}

/// The toolbar of a default page shown for `container`: the page is
/// edited, shared and moved through its workflow as itself, while "add"
/// and "contents" are the container's, as Plone's toolbar has them.
pub(super) fn default_page_toolbar(
    req: &Req<'_>,
    page: &Item,
    container: &Item,
    ctx: &mut tera::Context,
) {
    let Ok(Some(outer)) = toolbar(req, container) else {
        return;
    };
    let mut merged = match toolbar(req, page) {
        Ok(Some(t)) => t,
        _ => json!({"view": outer["view"]}),
    };
    if let Some(m) = merged.as_object_mut() {
        m.insert("add".into(), outer["add"].clone());
        m.insert("contents".into(), outer["contents"].clone());
    }
    ctx.insert("toolbar", &merged);
}

/// What the toolbar offers on `item` to this user; `None` when they may
/// change nothing here.
fn toolbar(req: &Req<'_>, item: &Item) -> Result<Option<Value>> {
    if !req.who.is_authenticated() {
        return Ok(None);
    }
    let reader = req.reader();
    let url = item_url(&req.base, &item.path);
    let schema = req.site.schema();
    let ty = schema.get(&item.type_name);
    let may_edit = reader.can(item, security::MODIFY)?;
    let may_delete = item.parent.is_some() && reader.can(item, security::DELETE)?;
    let may_share = reader.can(item, security::SHARE)?;
    let may_history = reader.can(item, security::VIEW_HISTORY)?;
    let mut addable = Vec::new();
    if let Some(ty) = ty.filter(|t| t.container) {
        for child in schema.types() {
            if schema.allows(ty, child)
                && reader.can(item, &security::add_permission(&child.name))?
            {
                addable.push(json!({
                    "name": child.name,
                    "title": child.title.get(&req.lang),
                    "url": format!("{url}/++add++{}", encode_segment(&child.name)),
                }));
            }
        }
    }
    addable.sort_by_key(|a| a["title"].as_str().unwrap_or_default().to_lowercase());
    let folderish = ty.is_some_and(|t| t.container);
    let contents = folderish && (may_edit || !addable.is_empty());
    let transitions = if item.review_state.is_some() {
        reader
            .transitions(item)?
            .iter()
            .filter(|t| t.closed.is_none())
            .count()
    } else {
        0
    };
    if !(may_edit || may_delete || may_share || contents || transitions > 0) {
        return Ok(None);
    }
    let state = item.review_state.is_some().then(|| state_title(req, item));
    Ok(Some(json!({
        "view": url,
        "edit": may_edit.then(|| format!("{url}/@@edit")),
        "contents": contents.then(|| format!("{url}/@@folder_contents")),
        "add": addable,
        "delete": may_delete.then(|| format!("{url}/@@delete_confirmation")),
        "history": may_history.then(|| format!("{url}/@@history")),
        "sharing": may_share.then(|| format!("{url}/@@sharing")),
        "state": item.review_state,
        "state_title": state,
        "workflow": (transitions > 0).then(|| format!("{url}#workflow-heading")),
    })))
}

/// Percent-encodes one path segment (a type's name may hold a space).
fn encode_segment(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'+') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A status message for the next page: one of this area's message keys
/// (`edit-status-…`) with its arguments.
pub(super) struct Status<'a> {
    pub(super) key: &'a str,
    pub(super) args: Vec<(&'a str, String)>,
}

impl<'a> Status<'a> {
    pub(super) fn new(key: &'a str) -> Self {
        Self {
            key,
            args: Vec::new(),
        }
    }

    pub(super) fn arg(mut self, name: &'a str, value: impl Into<String>) -> Self {
        self.args.push((name, value.into()));
        self
    }
}

/// Signs `payload` with the site's secret.
fn sign(req: &Req<'_>, purpose: &str, payload: &str) -> String {
    req.site.seal(purpose, payload).unwrap_or_default()
}

/// A signed cookie value: base64url payload, a dot, its signature.
fn sealed(req: &Req<'_>, purpose: &str, payload: &str) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload);
    format!("{b64}.{}", sign(req, purpose, payload))
}

/// The payload of a signed cookie, when the signature holds.
fn unseal(req: &Req<'_>, purpose: &str, value: &str) -> Option<String> {
    let (b64, sig) = value.split_once('.')?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(b64)
        .ok()?;
    let payload = String::from_utf8(bytes).ok()?;
    let ok = req.site.check_seal(purpose, &payload, sig).unwrap_or(false);
    ok.then_some(payload)
}

fn cookie_header(req: &Req<'_>, name: &str, value: &str, max_age: u32) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if req.https { "; Secure" } else { "" }
    ))
    .ok()
}

/// Adds the status message to a response (usually a redirect).
pub(super) fn with_status(req: &Req<'_>, mut response: Response, status: &Status<'_>) -> Response {
    let payload: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("key", status.key)
        .extend_pairs(status.args.iter().map(|(k, v)| (*k, v.as_str())))
        .finish();
    // A message is for the next page: a few minutes is plenty.
    if let Some(v) = cookie_header(req, STATUS_COOKIE, &sealed(req, "status", &payload), 300) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// Redirects to `to` with a status message.
pub(super) fn redirect_with(req: &Req<'_>, to: &str, status: &Status<'_>) -> Response {
    with_status(req, redirect(to), status)
}

/// The answer to a form's Cancel button (`cancel`, its value, is not
/// empty): back to `back`, saying it was cancelled. `None` otherwise.
pub(super) fn cancelled(req: &Req<'_>, cancel: &str, back: &str) -> Option<Response> {
    (!cancel.is_empty()).then(|| redirect_with(req, back, &Status::new("edit-status-cancelled")))
}

/// The status message the request carries, translated; only keys of this
/// area are shown, so the cookie cannot make the site say anything else.
fn read_status(req: &Req<'_>) -> Option<String> {
    let raw = super::auth::cookie(req.headers, STATUS_COOKIE)?;
    let payload = unseal(req, "status", &raw)?;
    let pairs: Vec<(String, String)> = form_urlencoded::parse(payload.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let key = pairs
        .iter()
        .find(|(k, _)| k == "key")
        .map(|(_, v)| v.clone())?;
    if !key.starts_with("edit-status-") {
        return None;
    }
    let args: Vec<(&str, String)> = pairs
        .iter()
        .filter(|(k, _)| k != "key")
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    Some(
        req.site
            .renderer()
            .catalog()
            .message(&req.lang, &key, &args),
    )
}

/// Once a page has shown the status message, the cookie goes: the next
/// page is quiet. Called for every response by `handle`.
pub(super) fn finish(req: &Req<'_>, response: &mut Response) {
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|c| c.starts_with("text/html"));
    let sets_status = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .any(|c| c.starts_with(&format!("{STATUS_COOKIE}=")));
    if html && !sets_status && super::auth::cookie(req.headers, STATUS_COOKIE).is_some() {
        if let Some(v) = cookie_header(req, STATUS_COOKIE, "", 0) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
}

/// An HTML page of a form or a listing: renders `template` with `ctx`,
/// never to be cached (forms carry a per-browser token). The editing
/// pages, site setup and log-in pages all answer through it.
pub(super) fn page(
    req: &Req<'_>,
    status: StatusCode,
    template: &str,
    ctx: &tera::Context,
) -> Result<Response> {
    let html = req.site.renderer().render(template, ctx)?;
    Ok((
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response())
}

/// A page of this area about `item`: its toolbar showing `active`, and
/// `data` under `key` for `template`.
pub(super) fn item_page(
    req: &Req<'_>,
    item: &Item,
    active: &str,
    template: &str,
    key: &'static str,
    data: &(impl serde::Serialize + ?Sized),
) -> Result<Response> {
    let mut ctx = super::site_context(req, Some(item))?;
    ctx.insert("toolbar_active", active);
    ctx.insert(key, data);
    page(req, StatusCode::OK, template, &ctx)
}

/// A message of the site's catalog in the user's language.
fn t(req: &Req<'_>, key: &str, args: &[(&str, String)]) -> String {
    req.site.renderer().catalog().message(&req.lang, key, args)
}

/// The title of an item's state, in the user's language.
fn state_title(req: &Req<'_>, item: &Item) -> String {
    let Some(s) = item.review_state.as_deref() else {
        return String::new();
    };
    req.site
        .workflow_for(&item.type_name)
        .and_then(|w| w.state(s))
        .map(|st| st.title.get(&req.lang).to_owned())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| s.to_owned())
}

/// The title of a type, in the user's language.
fn type_title(req: &Req<'_>, type_name: &str) -> String {
    req.site
        .schema()
        .get(type_name)
        .map(|t| t.title.get(&req.lang).to_owned())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| type_name.to_owned())
}

/// Says why an action failed, in the user's language, for per-item reports.
fn explain(req: &Req<'_>, e: &crate::error::Error) -> String {
    use crate::error::Error;
    match e {
        Error::Invalid(errors) => errors
            .iter()
            .map(|fe| format!("{}: {}", fe.field, field_error_text(req, fe)))
            .collect::<Vec<_>>()
            .join("; "),
        Error::Forbidden(_) | Error::Unauthorized(_) => t(req, "edit-reason-forbidden", &[]),
        Error::NotFound(_) => t(req, "edit-reason-not-found", &[]),
        Error::Closed(c) => {
            let args: Vec<(&str, String)> = c
                .args
                .iter()
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect();
            t(req, &c.message, &args)
        }
        Error::Vetoed { message, .. } => message.clone(),
        Error::Conflict(m) | Error::NotAllowed(m) => m.clone(),
        other => {
            tracing::error!(error = %other, "an editing action failed");
            t(req, "server-error-message", &[])
        }
    }
}

/// A field error in the user's language: this area's message for its code,
/// else the core's, else the English sentence.
fn field_error_text(req: &Req<'_>, fe: &crate::error::FieldError) -> String {
    // Limits (`at most 5 characters`) are the number the core's sentence holds.
    let limit: String = fe
        .message
        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .find(|w| w.parse::<f64>().is_ok())
        .unwrap_or_default()
        .to_owned();
    let args = [("limit", limit)];
    for key in [
        format!("edit-error-{}", fe.code),
        format!("error-{}", fe.code),
    ] {
        let m = t(req, &key, &args);
        if m != key {
            return m;
        }
    }
    fe.message.clone()
}

/// The values of a repeated form field (`paths=a&paths=b`).
fn all<'a>(form: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    form.iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// The query string's pairs.
fn query_pairs(req: &Req<'_>) -> Vec<(String, String)> {
    form_urlencoded::parse(req.query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}
