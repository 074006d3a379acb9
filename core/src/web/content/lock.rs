//! `@lock`: read, take, refresh and release an item's lock over the API,
//! and the `lock` member of every item's serialisation.

use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Value};

use super::super::auth::{check_json_csrf, json_body};
use super::super::{item_url, json_response, Req};
use super::lock_token;
use crate::error::Result;
use crate::item::Item;
use crate::locks::{LockOptions, DEFAULT_TIMEOUT};
use crate::security;

/// The lock on `item` as plone.restapi shows it: `locked` and
/// `stealable` (whether the caller could break it) for everyone; who holds
/// it and since when for those who may edit the item; the token for its
/// holder only.
pub(in crate::web) fn info(req: &Req<'_>, item: &Item) -> Result<Value> {
    let reader = req.reader();
    let may_edit = reader.can(item, security::MODIFY)?;
    let Some(lock) = crate::locks::get(req.site, item)? else {
        return Ok(json!({"locked": false, "stealable": may_edit}));
    };
    let mine = req.who.is_authenticated() && lock.creator == req.who.name();
    let stealable =
        mine || (may_edit && (lock.stealable || reader.can(item, security::MANAGE_SITE)?));
    if !may_edit {
        return Ok(json!({"locked": true, "stealable": false}));
    }
    let creator_name = req
        .site
        .user(&lock.creator)?
        .map(|u| u.fullname)
        .unwrap_or_else(|| lock.creator.clone());
    let mut v = json!({
        "locked": true,
        "stealable": stealable,
        "name": if lock.stealable { "plone.locking.stealable" } else { "plone.locking.nonstealable" },
        "creator": lock.creator,
        "creator_name": creator_name,
        "created": lock.created.to_rfc3339(),
        "time": lock.time.to_rfc3339(),
        "timeout": lock.timeout,
    });
    if mine {
        v["token"] = json!(lock.token);
    }
    Ok(v)
}

fn answer(req: &Req<'_>, path: &str) -> Result<Response> {
    let item = req.reader().must_get(path)?;
    let mut v = info(req, &item)?;
    v["@id"] = json!(format!("{}/@lock", item_url(&req.base, &item.path)));
    Ok(json_response(StatusCode::OK, &v))
}

/// `GET /item/@lock`.
pub(super) fn get(req: &Req<'_>, path: &str) -> Result<Response> {
    answer(req, path)
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct LockBody {
    #[serde(default)]
    stealable: Option<bool>,
    #[serde(default)]
    timeout: Option<u64>,
}

fn is_empty(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// `POST /item/@lock` `{"stealable"?, "timeout"?}`: takes the lock (or
/// refreshes one's own) → the lock, with its token.
pub(super) fn post(req: &Req<'_>, path: &str, body: &[u8]) -> Result<Response> {
    check_json_csrf(req)?;
    let b: LockBody = if is_empty(body) {
        LockBody::default()
    } else {
        json_body(req, body)?
    };
    let opts = LockOptions {
        timeout: b.timeout.unwrap_or(DEFAULT_TIMEOUT),
        stealable: b.stealable.unwrap_or(true),
    };
    req.site.write(&req.who, |w| w.lock(path, opts))?;
    answer(req, path)
}

/// `PATCH /item/@lock`: refreshes the lock (its holder, or the token).
pub(super) fn patch(req: &Req<'_>, path: &str) -> Result<Response> {
    check_json_csrf(req)?;
    let token = lock_token(req);
    req.site
        .write(&req.who, |w| w.refresh_lock(path, token.as_deref()))?;
    answer(req, path)
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct UnlockBody {
    #[serde(default)]
    force: bool,
}

/// `DELETE /item/@lock` `{"force"?}`: releases the lock; `force` breaks
/// someone else's when one may.
pub(super) fn delete(req: &Req<'_>, path: &str, body: &[u8]) -> Result<Response> {
    check_json_csrf(req)?;
    let b: UnlockBody = if is_empty(body) {
        UnlockBody::default()
    } else {
        json_body(req, body)?
    };
    let token = lock_token(req);
    req.site
        .write(&req.who, |w| w.unlock(path, token.as_deref(), b.force))?;
    answer(req, path)
}
