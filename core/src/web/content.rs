//! Content writes in the API, as plone.restapi answers them: create (POST
//! to a container), update (PATCH, with folder ordering and sorting),
//! delete; `@lock`; `@copy` and `@move`; `@linkintegrity`; versions under
//! `@history`; file uploads (base64 in JSON, or `multipart/form-data`) and
//! downloads with byte ranges.
//!
//! Every write goes through `site.write(&req.who, …)`, which checks the
//! permission; locks are checked inside the same transaction.

use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::auth::{check_json_csrf, json_body};
use super::{error_detail, item_url, json_response, serialize_item, summary, Call, Mode, Req};
use crate::error::{Error, FieldError, Result};
use crate::item::Item;
use crate::schema::{FieldKind, WriteMode};
use crate::security;
use crate::site::{join_path, AddOptions, Writer};

pub(super) mod files;
pub(super) mod images;
mod lock;

pub(super) use lock::info as lock_info;

/// Answers the calls that are this part's, `None` for the others.
pub(super) async fn dispatch(req: &Req<'_>, call: &Call) -> Option<Result<Response>> {
    let path = call.path.as_str();
    let reading = call.method == Method::GET || call.method == Method::HEAD;
    let writing = match (call.name.as_deref(), call.rest()) {
        (None | Some("@lock"), None) => {
            [Method::POST, Method::PATCH, Method::DELETE].contains(&call.method)
        }
        (Some("@copy" | "@move"), None) => call.method == Method::POST,
        (Some("@history"), None) => call.method == Method::PATCH,
        _ => false,
    };
    let r = match (call.name.as_deref(), call.rest()) {
        _ if writing && !req.who.is_authenticated() => {
            // These writes are for people who logged in, as plone.restapi
            // declares its services (`Add portal content`, `Modify portal
            // content` are never a visitor's): the item is found (404),
            // then the visitor asked to log in (401) before the body is read.
            req.reader()
                .must_get(path)
                .and_then(|_| Err(Error::Unauthorized("log in to change content".into())))
        }
        (None, None) if call.method == Method::POST => create(req, path, call).await,
        (None, None) if call.method == Method::PATCH => update(req, path, call).await,
        (None, None) if call.method == Method::DELETE => delete(req, path),
        (Some("@lock"), None) if reading => lock::get(req, path),
        (Some("@lock"), None) if call.method == Method::POST => lock::post(req, path, &call.body),
        (Some("@lock"), None) if call.method == Method::PATCH => lock::patch(req, path),
        (Some("@lock"), None) if call.method == Method::DELETE => {
            lock::delete(req, path, &call.body)
        }
        (Some("@copy"), None) if call.method == Method::POST => {
            copy_or_move(req, path, &call.body, false)
        }
        (Some("@move"), None) if call.method == Method::POST => {
            copy_or_move(req, path, &call.body, true)
        }
        (Some("@linkintegrity"), None) if reading => link_integrity(req, path),
        (Some("@history"), Some(n)) if reading => version(req, path, n),
        (Some("@history"), None) if call.method == Method::PATCH => revert(req, path, &call.body),
        (Some("@@download"), Some(field)) if reading => files::download(req, path, field),
        (Some("@@images"), Some(rest)) if reading => images::serve(req, path, rest).await,
        _ => return None,
    };
    Some(r.or_else(|e| refusal(req, e)))
}

/// Turns the refusals plone.restapi answers in its own words into
/// responses; the other errors go on to the common mapping.
fn refusal(req: &Req<'_>, e: Error) -> Result<Response> {
    match e {
        Error::Forbidden(m) if m == crate::locks::LOCKED_MESSAGE && req.who.is_authenticated() => {
            Ok(fail(
                req,
                StatusCode::FORBIDDEN,
                "Forbidden",
                "content-locked",
                &m,
            ))
        }
        Error::Invalid(errors) if errors.iter().any(|e| e.code == files::TOO_LARGE) => {
            let m = errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ");
            Ok(error_detail(
                req,
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                &m,
                &[],
            ))
        }
        Error::Invalid(errors) => Ok(invalid(req, &errors)),
        e => Err(e),
    }
}

/// A refusal decided by a service, in plone.restapi's service shape
/// `{"error": {"type", "message"}}`, or a translated page.
fn fail(req: &Req<'_>, status: StatusCode, kind: &str, key: &str, message: &str) -> Response {
    match req.mode {
        Mode::Json => json_response(
            status,
            &json!({"error": {"type": kind, "message": message}}),
        ),
        Mode::Html => error_detail(req, status, key, message, &[]),
    }
}

/// A 400 naming every field that is wrong. plone.restapi's message is
/// the list of `{field, message, error}` itself (Volto parses it); the
/// same list is given as `errors`, each with our stable `code`.
fn invalid(req: &Req<'_>, errors: &[FieldError]) -> Response {
    match req.mode {
        Mode::Json => {
            let list: Vec<Value> = errors
                .iter()
                .map(|e| {
                    json!({
                        "field": e.field,
                        "message": e.message,
                        "error": "ValidationError",
                        "code": e.code,
                    })
                })
                .collect();
            json_response(
                StatusCode::BAD_REQUEST,
                &json!({
                    "type": "BadRequest",
                    "message": Value::Array(list.clone()).to_string(),
                    "errors": list,
                    "context": req.base,
                }),
            )
        }
        Mode::Html => {
            let m = errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ");
            error_detail(req, StatusCode::BAD_REQUEST, "invalid", &m, errors)
        }
    }
}

fn bad_request(message: impl Into<String>) -> Error {
    Error::NotAllowed(message.into())
}

/// plone.restapi answers 403 when a type may not go in a container; the
/// core calls that `NotAllowed`.
fn forbid_not_allowed(e: Error) -> Error {
    match e {
        Error::NotAllowed(m) => Error::Forbidden(m),
        e => e,
    }
}

/// The token the request presents for a locked item (`Lock-Token`),
/// bare or in WebDAV's `<opaquelocktoken:…>` form.
fn lock_token(req: &Req<'_>) -> Option<String> {
    req.headers
        .get("lock-token")
        .and_then(|h| h.to_str().ok())
        .map(|t| {
            let t = t.trim().trim_start_matches('<').trim_end_matches('>');
            t.strip_prefix("opaquelocktoken:").unwrap_or(t).to_owned()
        })
        .filter(|t| !t.is_empty())
}

/// Compares `If-Match` with the item's current revision.
///
/// A JSON GET sends `ETag: "{revision}-{hash}"`; the hash covers the
/// rendering (language, batching), which differs between requests for the
/// same stored state, so only the revision before the first `-` is
/// compared. `*` matches any existing item; weak tags (`W/"…"`) compare
/// the same way; a list matches when one of its tags does. Returns the
/// revision to hand the core (which refuses the write with a conflict if
/// the item changed meanwhile), `None` without the header, and `Err` when
/// no tag names the current revision.
fn if_match(req: &Req<'_>, current: u64) -> std::result::Result<Option<u64>, ()> {
    let Some(value) = req
        .headers
        .get(header::IF_MATCH)
        .map(|h| h.to_str().unwrap_or(""))
    else {
        return Ok(None);
    };
    let matches = value.split(',').map(str::trim).any(|tag| {
        if tag == "*" {
            return true;
        }
        let tag = tag.strip_prefix("W/").unwrap_or(tag).trim_matches('"');
        let revision = tag.split('-').next().unwrap_or("");
        revision.parse::<u64>() == Ok(current)
    });
    if matches {
        Ok(Some(current))
    } else {
        Err(())
    }
}

fn precondition_failed(req: &Req<'_>, path: &str) -> Response {
    fail(
        req,
        StatusCode::PRECONDITION_FAILED,
        "PreconditionFailed",
        "content-stale",
        &format!("{path} changed since it was read (If-Match); reload it and try again"),
    )
}

/// Whether the client asked for the changed object back.
fn wants_representation(req: &Req<'_>) -> bool {
    req.headers
        .get_all("prefer")
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(','))
        .any(|p| p.trim() == "return=representation")
}

/// An optional string member (`id`, `language`): absent and `null` are
/// `None`, anything but a string is a 400.
fn take_string(data: &mut Map<String, Value>, key: &str) -> Result<Option<String>> {
    match data.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Error::Invalid(vec![FieldError::new(
            key,
            "wrong_type",
            "expected text",
        )])),
    }
}

/// `POST /container` `{"@type", "id"?, "language"?, …fields}` → 201, the
/// new item's address in `Location` and its serialisation.
async fn create(req: &Req<'_>, path: &str, call: &Call) -> Result<Response> {
    let mut input = files::read_input(req, call).await?;
    let type_name = match input.data.remove("@type") {
        Some(Value::String(t)) if !t.is_empty() => t,
        Some(Value::String(_) | Value::Null) | None => {
            return Ok(error_detail(
                req,
                StatusCode::BAD_REQUEST,
                "invalid",
                "Property '@type' is required",
                &[],
            ))
        }
        Some(_) => return Err(bad_request("Property '@type' must be a type's name")),
    };
    let ty = req
        .site
        .schema()
        .get(&type_name)
        .filter(|_| type_name != crate::site::ROOT_TYPE)
        .ok_or_else(|| bad_request(format!("Unknown content type `{type_name}`")))?;
    // Nothing (no file) is stored for someone who may not add here.
    let reader = req.reader();
    let container = reader.must_get(path)?;
    if !reader.can(&container, &security::add_permission(&type_name))? {
        return Err(Error::Forbidden(format!(
            "{} may not add a {type_name} in {path}",
            req.who.name()
        )));
    }
    let opts = AddOptions {
        id: take_string(&mut input.data, "id")?,
        language: take_string(&mut input.data, "language")?,
    };
    let data = files::resolve(req, ty, input, WriteMode::Add)?;
    let item = req
        .site
        .write(&req.who, |w| w.add_with(path, &type_name, data, opts))
        .map_err(forbid_not_allowed)?;
    let url = item_url(&req.base, &item.path);
    let body = serialize_item(req, &item)?;
    let mut r = json_response(StatusCode::CREATED, &body);
    if let Ok(v) = HeaderValue::from_str(&url) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

/// `PATCH /item`: changes only the fields given (`null` clears one);
/// `ordering` and `sort` rearrange a folder's children; `id` renames.
/// 204, or 200 and the item with `Prefer: return=representation`.
async fn update(req: &Req<'_>, path: &str, call: &Call) -> Result<Response> {
    let item = req.reader().must_get(path)?;
    let mut input = files::read_input(req, call).await?;
    let ordering = input.data.remove("ordering");
    let sort = input.data.remove("sort");
    if let Some(t) = input.data.remove("@type") {
        if t.as_str() != Some(item.type_name.as_str()) {
            return Err(bad_request("the type of an item cannot be changed"));
        }
    }
    let new_id = take_string(&mut input.data, "id")?;
    let ty = req
        .site
        .schema()
        .get(&item.type_name)
        .ok_or_else(|| bad_request(format!("Unknown content type `{}`", item.type_name)))?;
    let ordering: Option<Ordering> = ordering.map(parse_member).transpose()?;
    let sort: Option<Sort> = sort.map(parse_member).transpose()?;
    if (ordering.is_some() || sort.is_some()) && !ty.container {
        return Err(bad_request(format!("{path} is not a folder")));
    }
    let Ok(revision) = if_match(req, item.revision) else {
        return Ok(precondition_failed(req, path));
    };
    let token = lock_token(req);
    // Nothing (no file) is stored for someone who may not change the item.
    if !req.reader().can(&item, security::MODIFY)? {
        return Err(Error::Forbidden(format!(
            "{} may not change {path}",
            req.who.name()
        )));
    }
    crate::locks::check(req.site, &item, token.as_deref())?;
    let data = files::resolve(req, ty, input, WriteMode::Update)?;
    let changed = req.site.write(&req.who, |w| {
        let current = w.must_get(path)?;
        w.require(&current, security::MODIFY)?;
        w.check_lock(&current, token.as_deref())?;
        if let Some(r) = revision {
            if r != current.revision {
                return Err(Error::Conflict(format!(
                    "{path} changed since you loaded it; reload and try again"
                )));
            }
        }
        if let Some(o) = &ordering {
            apply_ordering(w, path, o)?;
        }
        if let Some(s) = &sort {
            apply_sort(w, path, s)?;
        }
        if !data.is_empty() {
            w.update(path, data, revision)?;
        }
        match new_id {
            Some(id) if id != current.id => Ok(w.rename(path, &id)?.path),
            _ => Ok(path.to_owned()),
        }
    })?;
    if wants_representation(req) {
        let item = req.reader().must_get(&changed)?;
        Ok(json_response(StatusCode::OK, &serialize_item(req, &item)?))
    } else {
        Ok(StatusCode::NO_CONTENT.into_response())
    }
}

fn parse_member<T: for<'de> Deserialize<'de>>(v: Value) -> Result<T> {
    serde_json::from_value(v).map_err(|e| {
        Error::Invalid(vec![FieldError::new(
            "body",
            "bad_json",
            format!("the body is not the JSON expected: {e}"),
        )])
    })
}

/// `{"ordering": {"obj_id", "delta", "subset_ids"}}` (plone.restapi).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Ordering {
    obj_id: String,
    #[serde(default = "Delta::default_top")]
    delta: Delta,
    #[serde(default)]
    subset_ids: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Delta {
    By(i64),
    Named(String),
}

impl Delta {
    fn default_top() -> Self {
        Delta::Named("top".into())
    }
}

/// `{"sort": {"on", "order"}}` (plone.restapi).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Sort {
    #[serde(default = "Sort::default_on")]
    on: String,
    #[serde(default)]
    order: Option<String>,
}

impl Sort {
    fn default_on() -> String {
        "id".into()
    }
}

/// Moves one child: to the top, the bottom, or by `delta` places. With
/// `subset_ids` (the order the client sees, e.g. one page of a listing),
/// the move counts places within that subset, and the subset must be in
/// the stored order, else the client's view is stale (400).
fn apply_ordering(w: &mut Writer<'_>, path: &str, o: &Ordering) -> Result<()> {
    let ids: Vec<String> = w.children(path)?.into_iter().map(|c| c.id).collect();
    let Some(from) = ids.iter().position(|i| *i == o.obj_id) else {
        return Err(bad_request(format!("{path} holds no `{}`", o.obj_id)));
    };
    let subset: Vec<String> = match &o.subset_ids {
        Some(s) => {
            let stored: Vec<&String> = ids.iter().filter(|i| s.contains(i)).collect();
            if stored.len() != s.len() || stored.iter().zip(s).any(|(a, b)| *a != b) {
                return Err(bad_request("Client/server ordering mismatch"));
            }
            s.clone()
        }
        None => ids.clone(),
    };
    let others: Vec<&String> = ids.iter().filter(|i| **i != o.obj_id).collect();
    let index = match &o.delta {
        Delta::Named(n) if n == "top" => 0,
        Delta::Named(n) if n == "bottom" => others.len(),
        Delta::Named(n) => return Err(bad_request(format!("unknown delta `{n}`"))),
        Delta::By(d) => {
            let Some(at) = subset.iter().position(|i| *i == o.obj_id) else {
                return Err(bad_request("obj_id is not among subset_ids"));
            };
            let last = subset.len().saturating_sub(1) as i64;
            let to = (at as i64).saturating_add(*d).clamp(0, last) as usize;
            if to == at {
                return Ok(());
            }
            let target = &subset[to];
            let t = others.iter().position(|i| *i == target).unwrap_or(from);
            // Moving down lands after the target, moving up before it.
            if to > at {
                t + 1
            } else {
                t
            }
        }
    };
    w.reorder(path, &o.obj_id, index)
}

/// Sorts every child by `on` (`id`, `title`, `created`, `modified` or a
/// field), ascending unless `order` is `descending` or `reverse`.
fn apply_sort(w: &mut Writer<'_>, path: &str, s: &Sort) -> Result<()> {
    let descending = match s.order.as_deref() {
        None | Some("ascending") => false,
        Some("descending" | "reverse") => true,
        Some(o) => return Err(bad_request(format!("unknown sort order `{o}`"))),
    };
    let mut children = w.children(path)?;
    let key = |c: &Item| -> String {
        match s.on.as_str() {
            "id" | "getId" => c.id.clone(),
            "title" | "sortable_title" => c.title().to_lowercase(),
            "created" => c.created.to_rfc3339(),
            "modified" => c.modified.to_rfc3339(),
            f => match c.field(f) {
                Some(Value::String(v)) => v.to_lowercase(),
                Some(Value::Number(n)) => format!("{:020.6}", n.as_f64().unwrap_or(0.0)),
                Some(v) => v.to_string(),
                None => String::new(),
            },
        }
    };
    children.sort_by_cached_key(key);
    if descending {
        children.reverse();
    }
    for (i, c) in children.iter().enumerate() {
        w.reorder(path, &c.id, i)?;
    }
    Ok(())
}

/// `DELETE /item` → 204; everything inside goes too.
fn delete(req: &Req<'_>, path: &str) -> Result<Response> {
    check_json_csrf(req)?;
    let item = req.reader().must_get(path)?;
    let Ok(revision) = if_match(req, item.revision) else {
        return Ok(precondition_failed(req, path));
    };
    let token = lock_token(req);
    req.site.write(&req.who, |w| {
        let current = w.must_get(path)?;
        w.require(&current, security::DELETE)?;
        w.check_lock(&current, token.as_deref())?;
        w.delete(path, revision)
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CopyBody {
    source: Sources,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Sources {
    One(String),
    Many(Vec<String>),
}

/// An item named by its address, its path or its uid, if the caller may
/// view it.
fn find_source(req: &Req<'_>, given: &str) -> Result<Option<Item>> {
    let reader = req.reader();
    if crate::text::is_uid(given) {
        return reader.get_by_uid(given);
    }
    let raw = match given.strip_prefix(&req.base) {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => rest,
        Some(_) => return Ok(None),
        None if given.starts_with('/') => given,
        None => return Ok(None),
    };
    let raw = raw.strip_prefix("/++api++").unwrap_or(raw);
    match super::decode_path(raw) {
        Ok(p) => reader.get(&p),
        Err(()) => Ok(None),
    }
}

/// The id a copy takes in `parent`: its own if free, else `copy_of_<id>`,
/// then `copy2_of_<id>`, `copy3_of_<id>`… (Zope's names).
fn copy_id(w: &Writer<'_>, parent: &str, id: &str) -> Result<String> {
    if w.get(&join_path(parent, id))?.is_none() {
        return Ok(id.to_owned());
    }
    let mut n = 1u32;
    loop {
        let candidate = if n == 1 {
            format!("copy_of_{id}")
        } else {
            format!("copy{n}_of_{id}")
        };
        if w.get(&join_path(parent, &candidate))?.is_none() {
            return Ok(candidate);
        }
        n += 1;
    }
}

/// `POST /target/@copy` or `@move` `{"source": url | path | uid | [...]}`
/// → `[{"source", "target"}]`. All sources go in one write: if one may not
/// be copied or moved, none is.
fn copy_or_move(req: &Req<'_>, target: &str, body: &[u8], moving: bool) -> Result<Response> {
    check_json_csrf(req)?;
    let b: CopyBody = json_body(req, body)?;
    let given = match b.source {
        Sources::One(s) => vec![s],
        Sources::Many(v) => v,
    };
    if given.is_empty() {
        return Err(bad_request("no source given"));
    }
    req.reader().must_get(target)?;
    let mut sources = Vec::new();
    for g in &given {
        match find_source(req, g)? {
            Some(item) => sources.push(item),
            None => return Err(bad_request(format!("Source object {g} does not exist"))),
        }
    }
    let token = lock_token(req);
    let done = req
        .site
        .write(&req.who, |w| {
            let mut out = Vec::new();
            for item in &sources {
                let placed = if moving {
                    let current = w.must_get(&item.path)?;
                    w.check_lock(&current, token.as_deref())?;
                    w.move_to(&item.path, target)?
                } else {
                    let id = copy_id(w, target, &item.id)?;
                    w.copy_as(&item.path, target, Some(&id))?
                };
                out.push((item.path.clone(), placed.path));
            }
            Ok(out)
        })
        .map_err(forbid_not_allowed)?;
    let answer: Vec<Value> = done
        .iter()
        .map(|(from, to)| {
            json!({"source": item_url(&req.base, from), "target": item_url(&req.base, to)})
        })
        .collect();
    Ok(json_response(StatusCode::OK, &Value::Array(answer)))
}

/// `GET /@linkintegrity?uids=…` (repeated, or `uids:list`): for each item,
/// the items whose reference fields point at it or at anything inside it
/// (`breaches`), and how many items it holds (`items_total`), all as the
/// caller sees them.
fn link_integrity(req: &Req<'_>, _path: &str) -> Result<Response> {
    let uids: Vec<String> = form_urlencoded::parse(req.query.unwrap_or("").as_bytes())
        .filter(|(k, _)| k == "uids" || k == "uids:list")
        .flat_map(|(_, v)| {
            v.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
        })
        .collect();
    if uids.is_empty() {
        return Err(bad_request("Missing parameter uids"));
    }
    let reader = req.reader();
    let mut targets = Vec::new();
    for uid in &uids {
        match reader.get_by_uid(uid)? {
            Some(item) => targets.push(item),
            None => return Err(bad_request(format!("Failed to find object with uid {uid}"))),
        }
    }
    let all = reader.walk()?;
    let schema = req.site.schema();
    let mut out = Vec::new();
    for target in &targets {
        let prefix = if target.path == "/" {
            "/".to_owned()
        } else {
            format!("{}/", target.path)
        };
        let inside: Vec<&Item> = all
            .iter()
            .filter(|i| i.path != target.path && i.path.starts_with(&prefix))
            .collect();
        let going: std::collections::BTreeSet<&str> = inside
            .iter()
            .map(|i| i.uid.as_str())
            .chain([target.uid.as_str()])
            .collect();
        let mut breaches = Vec::new();
        for source in all.iter().filter(|i| !going.contains(i.uid.as_str())) {
            let Some(ty) = schema.get(&source.type_name) else {
                continue;
            };
            let refers = ty
                .fields
                .iter()
                .filter(|f| f.kind == FieldKind::Reference)
                .filter_map(|f| source.field(&f.name).and_then(Value::as_str))
                .any(|uid| going.contains(uid));
            if refers {
                breaches.push(json!({
                    "@id": item_url(&req.base, &source.path),
                    "title": source.title(),
                    "uid": source.uid,
                }));
            }
        }
        let mut entry = summary(req, target);
        if let Some(obj) = entry.as_object_mut() {
            obj.insert("uid".into(), json!(target.uid));
            obj.insert("breaches".into(), Value::Array(breaches));
            obj.insert("items_total".into(), json!(inside.len()));
        }
        out.push(entry);
    }
    Ok(json_response(StatusCode::OK, &Value::Array(out)))
}

/// `GET /item/@history/{n}`: the item as it was at version `n`.
fn version(req: &Req<'_>, path: &str, n: &str) -> Result<Response> {
    let reader = req.reader();
    let item = reader.must_get(path)?;
    if !reader.can(&item, security::VIEW_HISTORY)? {
        return Err(Error::Forbidden(format!("the history of {path}")));
    }
    let v = n
        .parse::<u64>()
        .ok()
        .map(|n| crate::versions::get(req.site, &item.uid, n))
        .transpose()?
        .flatten()
        .ok_or_else(|| Error::NotFound(format!("{path}/@history/{n}")))?;
    let old = v.apply(&item);
    Ok(json_response(StatusCode::OK, &serialize_item(req, &old)?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevertBody {
    version: u64,
}

/// `PATCH /item/@history {"version": n}`: writes version `n`'s fields back
/// (a change like any other, so it makes a new version).
fn revert(req: &Req<'_>, path: &str, body: &[u8]) -> Result<Response> {
    check_json_csrf(req)?;
    let b: RevertBody = json_body(req, body)?;
    let item = req.reader().must_get(path)?;
    // Reverting shows the old content: it needs what reading it needs,
    // checked before anything about the versions is told.
    if !req.reader().can(&item, security::VIEW_HISTORY)?
        || !req.reader().can(&item, security::MODIFY)?
    {
        return Err(Error::Forbidden(format!("you may not revert {path}")));
    }
    let v = crate::versions::get(req.site, &item.uid, b.version)?
        .ok_or_else(|| bad_request(format!("{path} has no version {}", b.version)))?;
    let ty = req
        .site
        .schema()
        .get(&item.type_name)
        .ok_or_else(|| bad_request(format!("Unknown content type `{}`", item.type_name)))?;
    let mut data = Map::new();
    for f in &ty.fields {
        match v.fields.get(&f.name) {
            Some(value) => {
                data.insert(f.name.clone(), value.clone());
            }
            None if item.fields.contains_key(&f.name) => {
                data.insert(f.name.clone(), Value::Null);
            }
            None => {}
        }
    }
    let token = lock_token(req);
    let reverted = req.site.write(&req.who, |w| {
        let current = w.must_get(path)?;
        w.require(&current, security::MODIFY)?;
        w.check_lock(&current, token.as_deref())?;
        w.update(path, data, None)
    })?;
    let message = req.site.renderer().catalog().message(
        &req.lang,
        "content-reverted",
        &[
            ("title", reverted.title().to_owned()),
            ("version", b.version.to_string()),
        ],
    );
    Ok(json_response(
        StatusCode::OK,
        &json!({ "message": message }),
    ))
}
