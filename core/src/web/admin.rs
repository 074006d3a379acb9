//! Site administration in the API, in plone.restapi's shapes: `@users`,
//! `@groups`, `@principals`, `@roles`, `@userschema`, `@addons`,
//! `@upgrade`, and the OpenAPI document at `@openapi`.
//!
//! Every write goes through the core ([`crate::accounts`],
//! [`crate::users`], [`crate::addons`]), which checks the permission:
//! `Manage users` for accounts and groups, `Manage site` for modules.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::auth::{check_json_csrf, json_body};
use super::{encode_path, json_response, req_query, Call, Req};
use crate::accounts::{group_kind, GroupChange, GroupInfo, ProfileChange};
use crate::error::{Error, FieldError, Result};
use crate::security::{self, Group, Principal, MANAGE_SITE, MANAGE_USERS};
use crate::site::Site;
use crate::users::User;

/// Answers the calls that are this part's, `None` for the others.
pub(super) async fn dispatch(req: &Req<'_>, call: &Call) -> Option<Result<Response>> {
    let name = call.name.as_deref()?;
    let get = call.method == Method::GET || call.method == Method::HEAD;
    let rest = call.rest();
    // Site-wide services live at the root only: refused elsewhere before
    // anything runs.
    if call.path != "/" && ROOT_SERVICES.contains(&name) {
        return Some(Err(Error::NotFound(format!("{}/{name}", call.path))));
    }
    Some(match (name, rest) {
        ("@users", None) if get => list_users(req),
        ("@users", None) if call.method == Method::POST => create_user(req, &call.body).await,
        ("@users", Some(id)) if !id.contains('/') => match call.method {
            Method::GET | Method::HEAD => get_user(req, id),
            Method::PATCH => patch_user(req, id, &call.body).await,
            Method::DELETE => delete_user(req, id),
            _ => return None,
        },
        ("@groups", None) if get => list_groups(req),
        ("@groups", None) if call.method == Method::POST => create_group(req, &call.body),
        ("@groups", Some(id)) if !id.contains('/') => match call.method {
            Method::GET | Method::HEAD => get_group(req, id),
            Method::PATCH => patch_group(req, id, &call.body),
            Method::DELETE => delete_group(req, id),
            _ => return None,
        },
        ("@principals", None) if get => principals(req),
        ("@roles", None) if get => roles(req),
        ("@userschema", None) if get => userschema(req),
        ("@addons", None) if get => list_addons(req),
        ("@addons", Some(id)) if get && !id.contains('/') => get_addon(req, id),
        ("@addons", Some(rest)) if call.method == Method::POST => match rest.split_once('/') {
            Some((id, action)) => addon_action(req, id, action),
            None => return None,
        },
        ("@upgrade", None) if get => get_upgrade(req),
        ("@upgrade", None) if call.method == Method::POST => post_upgrade(req, &call.body).await,
        ("@openapi", None) if get => Ok(json_response(
            StatusCode::OK,
            &super::openapi::document(&req.base),
        )),
        _ => return None,
    })
}

/// The services that exist at the site's root only.
const ROOT_SERVICES: &[&str] = &[
    "@users",
    "@groups",
    "@principals",
    "@roles",
    "@userschema",
    "@addons",
    "@upgrade",
    "@openapi",
];

/// Service names this part answers, for the OpenAPI document's test.
#[cfg(test)]
pub(super) const SERVICES: &[&str] = &[
    "@users",
    "@groups",
    "@principals",
    "@roles",
    "@userschema",
    "@addons",
    "@upgrade",
    "@openapi",
];

// ---------------------------------------------------------------- helpers

fn require(req: &Req<'_>, perm: &str) -> Result<()> {
    let reader = req.reader();
    let root = reader.must_get("/")?;
    if reader.can(&root, perm)? {
        Ok(())
    } else {
        Err(Error::Forbidden(format!(
            "{} does not have the permission `{perm}`",
            req.who.name()
        )))
    }
}

fn may(req: &Req<'_>, perm: &str) -> Result<bool> {
    let reader = req.reader();
    let root = reader.must_get("/")?;
    reader.can(&root, perm)
}

fn require_login(req: &Req<'_>) -> Result<()> {
    if req.who.is_authenticated() {
        Ok(())
    } else {
        Err(Error::Unauthorized("log in first".into()))
    }
}

fn bad(field: &str, code: &'static str, message: impl Into<String>) -> Error {
    Error::Invalid(vec![FieldError::new(field, code, message)])
}

/// The query's pairs, decoded.
fn query_pairs(req: &Req<'_>) -> Vec<(String, String)> {
    form_urlencoded::parse(req.query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn query_value(req: &Req<'_>, name: &str) -> Option<String> {
    query_pairs(req)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// A plone.restapi collection: `@id`, `items`, `items_total`, and
/// `batching` links (keeping the other query parameters) when there is
/// more than one page.
pub(super) fn collection(req: &Req<'_>, url: &str, all: Vec<Value>) -> Value {
    let q = req_query(req);
    let total = all.len();
    let items: Vec<Value> = all.into_iter().skip(q.b_start).take(q.b_size).collect();
    let others: Vec<(String, String)> = query_pairs(req)
        .into_iter()
        .filter(|(k, _)| k != "b_start" && k != "b_size")
        .collect();
    let link = |start: usize| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &others {
            s.append_pair(k, v);
        }
        s.append_pair("b_start", &start.to_string());
        s.append_pair("b_size", &q.b_size.to_string());
        format!("{url}?{}", s.finish())
    };
    let mut out = Map::new();
    out.insert("@id".into(), json!(url));
    out.insert("items".into(), json!(items));
    out.insert("items_total".into(), json!(total));
    if total > q.b_size {
        let last = (total - 1) / q.b_size * q.b_size;
        let mut b = Map::new();
        b.insert("@id".into(), json!(link(q.b_start)));
        b.insert("first".into(), json!(link(0)));
        b.insert("last".into(), json!(link(last)));
        if q.b_start.saturating_add(q.b_size) < total {
            b.insert("next".into(), json!(link(q.b_start + q.b_size)));
        }
        if q.b_start > 0 {
            b.insert(
                "prev".into(),
                json!(link(q.b_start.saturating_sub(q.b_size))),
            );
        }
        out.insert("batching".into(), Value::Object(b));
    }
    Value::Object(out)
}

/// Runs `f` on a blocking thread: password hashing takes tens of
/// milliseconds, which the async workers must not spend.
pub(super) async fn blocking<T: Send + 'static>(
    req: &Req<'_>,
    f: impl FnOnce(&Site, &Principal) -> Result<T> + Send + 'static,
) -> Result<T> {
    let site = Arc::clone(&req.arc);
    let who = req.who.clone();
    tokio::task::spawn_blocking(move || f(&site, &who))
        .await
        .map_err(|e| {
            Error::Store(crate::store::StoreError::new(
                crate::store::StoreErrorKind::Unavailable,
                format!("the write did not finish: {e}"),
            ))
        })?
}

/// A strong password nobody knows, for an account whose owner chooses
/// theirs from a reset link.
pub(super) fn unknown_password(login: &str) -> String {
    // Twenty random letters and digits pass the rules unless they happen
    // to contain a very short login: draw again then (bounded, though a
    // hundred misses in a row do not happen in practice).
    let mut p = crate::users::generate_password();
    for _ in 0..100 {
        if crate::users::check_password_strength(login, &p).is_ok() {
            break;
        }
        p = crate::users::generate_password();
    }
    p
}

fn created(location: String, body: &Value) -> Response {
    let mut r = json_response(StatusCode::CREATED, body);
    if let Ok(v) = HeaderValue::from_str(&location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// Quotes a CSV cell (RFC 4180); a cell starting with a formula sign is
/// prefixed so a spreadsheet does not run it.
fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

// ---------------------------------------------------------------- users

pub(super) fn user_url(base: &str, login: &str) -> String {
    format!("{base}/@users/{}", encode_path(login))
}

/// The plone.restapi shape of an account.
pub(super) fn user_json(req: &Req<'_>, u: &User) -> Result<Value> {
    let mut groups = Vec::new();
    for g in req.site.groups_of(&u.login)? {
        let title = req
            .site
            .group(&g)?
            .map(|x| x.title)
            .unwrap_or_else(|| g.clone());
        groups.push(json!({"id": g, "title": title}));
    }
    Ok(json!({
        "@id": user_url(&req.base, &u.login),
        "id": u.login,
        "username": u.login,
        "fullname": u.fullname,
        "email": u.email,
        "roles": u.roles,
        "groups": {
            "@id": format!("{}/@groups", req.base),
            "items_total": groups.len(),
            "items": groups,
        },
        "language": u.language,
        "enabled": u.enabled,
    }))
}

/// Accounts matching the query's `query`, `search` and `groups-filter:list`.
/// The users matching `query` (login), `search` (login, full name, and
/// the e-mail address when `by_email`: only for those who may see
/// addresses) and any of `groups`.
pub(super) fn filtered_users(
    site: &Site,
    query: Option<&str>,
    search: Option<&str>,
    groups: &[String],
    by_email: bool,
) -> Result<Vec<User>> {
    let query = query.map(str::to_lowercase).filter(|q| !q.is_empty());
    let search = search.map(str::to_lowercase).filter(|q| !q.is_empty());
    let mut out = Vec::new();
    for u in site.users()? {
        if let Some(q) = &query {
            if !u.login.to_lowercase().contains(q) {
                continue;
            }
        }
        if let Some(q) = &search {
            let hit = u.login.to_lowercase().contains(q)
                || u.fullname.to_lowercase().contains(q)
                || (by_email && u.email.as_deref().unwrap_or("").to_lowercase().contains(q));
            if !hit {
                continue;
            }
        }
        if !groups.is_empty() {
            let mine = site.groups_of(&u.login)?;
            if !groups.iter().any(|g| mine.contains(g)) {
                continue;
            }
        }
        out.push(u);
    }
    out.sort_by(|a, b| a.login.cmp(&b.login));
    Ok(out)
}

fn wants_csv(req: &Req<'_>) -> bool {
    req.headers
        .get(header::ACCEPT)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|a| a.contains("text/csv"))
}

/// `GET /@users`: a batched collection, or CSV with `Accept: text/csv`.
fn list_users(req: &Req<'_>) -> Result<Response> {
    require(req, MANAGE_USERS)?;
    let groups: Vec<String> = query_pairs(req)
        .into_iter()
        .filter(|(k, _)| k == "groups-filter:list" || k == "groups-filter")
        .map(|(_, v)| v)
        .collect();
    let users = filtered_users(
        req.site,
        query_value(req, "query").as_deref(),
        query_value(req, "search").as_deref(),
        &groups,
        true,
    )?;
    if wants_csv(req) {
        let mut out = String::from("username,fullname,email,roles,groups,language,enabled\r\n");
        for u in &users {
            let cells = [
                u.login.clone(),
                u.fullname.clone(),
                u.email.clone().unwrap_or_default(),
                u.roles.join(" "),
                req.site.groups_of(&u.login)?.join(" "),
                u.language.clone().unwrap_or_default(),
                u.enabled.to_string(),
            ];
            let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
            out.push_str(&line.join(","));
            out.push_str("\r\n");
        }
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"users.csv\"",
                ),
            ],
            out,
        )
            .into_response());
    }
    let items = users
        .iter()
        .map(|u| user_json(req, u))
        .collect::<Result<Vec<_>>>()?;
    Ok(json_response(
        StatusCode::OK,
        &collection(req, &format!("{}/@users", req.base), items),
    ))
}

/// `GET /@users/{id}`: the account, to a user manager or its owner.
fn get_user(req: &Req<'_>, login: &str) -> Result<Response> {
    if req.who.login() != Some(login) {
        require(req, MANAGE_USERS)?;
    }
    let u = req
        .site
        .user(login)?
        .ok_or_else(|| Error::NotFound(format!("user `{login}`")))?;
    Ok(json_response(StatusCode::OK, &user_json(req, &u)?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    username: Option<String>,
    email: Option<String>,
    fullname: Option<String>,
    password: Option<String>,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    groups: Vec<String>,
    language: Option<String>,
    #[serde(default, rename = "sendPasswordReset")]
    send_password_reset: bool,
}

/// `POST /@users`: 201, `Location` and the account.
async fn create_user(req: &Req<'_>, body: &[u8]) -> Result<Response> {
    check_json_csrf(req)?;
    let b: NewUser = json_body(req, body)?;
    let login = match (b.username.as_deref(), b.email.as_deref()) {
        (Some(u), _) if !u.trim().is_empty() => u.trim().to_owned(),
        (_, Some(e)) if !e.trim().is_empty() => e.trim().to_owned(),
        _ => return Err(bad("username", "required", "give a username")),
    };
    let password = match (b.password, b.send_password_reset) {
        (Some(_), true) => {
            return Err(bad(
                "password",
                "password_and_reset",
                "either set a password or send a reset link, not both",
            ))
        }
        (Some(p), false) => p,
        (None, true) => {
            if b.email.as_deref().is_none_or(str::is_empty) {
                return Err(bad(
                    "email",
                    "required",
                    "a reset link needs an e-mail address",
                ));
            }
            unknown_password(&login)
        }
        (None, false) => {
            return Err(bad(
                "password",
                "required",
                "give a password, or `sendPasswordReset: true`",
            ))
        }
    };
    let send = b.send_password_reset;
    let fullname = b.fullname.unwrap_or_default();
    let email = b.email.filter(|e| !e.is_empty());
    let (roles, groups, language) = (b.roles, b.groups, b.language);
    let l = login.clone();
    let user = blocking(req, move |site, who| {
        site.write(who, |w| {
            let u = w.add_user(&l, &fullname, email.as_deref(), &password, &roles)?;
            if language.is_some() {
                w.set_user_language(&l, language.as_deref())?;
            }
            for g in &groups {
                w.set_group_members(g, std::slice::from_ref(&l), &[])?;
            }
            Ok(u)
        })
    })
    .await?;
    if send {
        req.site
            .request_password_reset(&login, &super::auth::public_base(req))?;
    }
    let user = req.site.user(&user.login)?.unwrap_or(user);
    Ok(created(
        user_url(&req.base, &user.login),
        &user_json(req, &user)?,
    ))
}

/// Roles as a list (replacing) or as `{"Role": true|false}` (Plone's PATCH).
#[derive(Deserialize)]
#[serde(untagged)]
enum RolesChange {
    List(Vec<String>),
    Map(BTreeMap<String, bool>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserPatch {
    fullname: Option<String>,
    #[serde(default, with = "double_option")]
    email: Option<Option<String>>,
    roles: Option<RolesChange>,
    #[serde(default, with = "double_option")]
    language: Option<Option<String>>,
    enabled: Option<bool>,
    password: Option<String>,
    old_password: Option<String>,
}

/// `null` and absent differ: `null` removes the value.
mod double_option {
    use serde::{Deserialize, Deserializer};

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(d).map(Some)
    }
}

/// `PATCH /@users/{id}`: 204.
async fn patch_user(req: &Req<'_>, login: &str, body: &[u8]) -> Result<Response> {
    check_json_csrf(req)?;
    let b: UserPatch = json_body(req, body)?;
    let user = req
        .site
        .user(login)?
        .ok_or_else(|| Error::NotFound(format!("user `{login}`")))?;
    let own = req.who.login() == Some(login);
    if b.password.is_some() && own {
        match &b.old_password {
            None => {
                return Err(bad(
                    "old_password",
                    "required",
                    "give your current password to change it",
                ))
            }
            Some(old) => {
                let (u, old) = (user.clone(), old.clone());
                let ok = tokio::task::spawn_blocking(move || u.check_password(&old))
                    .await
                    .unwrap_or(false);
                if !ok {
                    return Err(bad(
                        "old_password",
                        "wrong_password",
                        "the current password is not right",
                    ));
                }
            }
        }
    }
    let roles = match b.roles {
        None => None,
        Some(RolesChange::List(l)) => Some(l),
        Some(RolesChange::Map(m)) => {
            let mut set: BTreeSet<String> = user.roles.iter().cloned().collect();
            for (r, on) in m {
                if on {
                    set.insert(r);
                } else {
                    set.remove(&r);
                }
            }
            Some(set.into_iter().collect::<Vec<_>>())
        }
    };
    let profile = ProfileChange {
        fullname: b.fullname,
        email: b.email.map(|e| e.filter(|x| !x.is_empty())),
    };
    let (language, enabled, password) = (b.language, b.enabled, b.password);
    let l = login.to_owned();
    blocking(req, move |site, who| {
        site.write(who, |w| {
            if profile.fullname.is_some() || profile.email.is_some() {
                w.set_user_profile(&l, &profile)?;
            }
            if let Some(lang) = &language {
                let lang = lang.as_deref().filter(|x| !x.is_empty());
                if let Some(x) = lang {
                    if !w.site().settings()?.languages.iter().any(|o| o == x) {
                        return Err(bad(
                            "language",
                            "bad_language",
                            format!("the site does not offer `{x}`"),
                        ));
                    }
                }
                w.set_user_language(&l, lang)?;
            }
            if let Some(r) = &roles {
                w.set_user_roles(&l, r)?;
            }
            if let Some(e) = enabled {
                if !e && w.who().login() == Some(l.as_str()) {
                    return Err(Error::NotAllowed(
                        "you cannot disable your own account".into(),
                    ));
                }
                w.set_user_enabled(&l, e)?;
            }
            if let Some(p) = &password {
                w.set_password(&l, p)?;
            }
            Ok(())
        })
    })
    .await?;
    Ok(no_content())
}

/// `DELETE /@users/{id}`: 204.
fn delete_user(req: &Req<'_>, login: &str) -> Result<Response> {
    check_json_csrf(req)?;
    req.site.write(&req.who, |w| w.delete_user(login))?;
    Ok(no_content())
}

// ---------------------------------------------------------------- groups

pub(super) fn group_url(base: &str, id: &str) -> String {
    format!("{base}/@groups/{}", encode_path(id))
}

/// The plone.restapi shape of a group.
pub(super) fn group_json(req: &Req<'_>, g: &Group) -> Result<Value> {
    let info = req.site.group_info(&g.id)?;
    let url = group_url(&req.base, &g.id);
    Ok(json!({
        "@id": url,
        "id": g.id,
        "groupname": g.id,
        "title": g.title,
        "description": info.description,
        "email": info.email,
        "roles": g.roles,
        "kind": group_kind(g),
        "service": g.service,
        "function": g.function,
        "members": {
            "@id": url,
            "items_total": g.members.len(),
            "items": g.members,
        },
    }))
}

/// `GET /@groups[?query=]`: a bare array, as plone.restapi answers.
fn list_groups(req: &Req<'_>) -> Result<Response> {
    require(req, MANAGE_USERS)?;
    let q = query_value(req, "query")
        .or_else(|| query_value(req, "search"))
        .map(|q| q.to_lowercase());
    let mut out = Vec::new();
    for g in req.site.all_groups()? {
        if let Some(q) = &q {
            if !g.id.to_lowercase().contains(q) && !g.title.to_lowercase().contains(q) {
                continue;
            }
        }
        out.push(group_json(req, &g)?);
    }
    Ok(json_response(StatusCode::OK, &Value::Array(out)))
}

fn get_group(req: &Req<'_>, id: &str) -> Result<Response> {
    require(req, MANAGE_USERS)?;
    let g = req
        .site
        .group(id)?
        .ok_or_else(|| Error::NotFound(format!("group `{id}`")))?;
    Ok(json_response(StatusCode::OK, &group_json(req, &g)?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewGroup {
    groupname: String,
    title: Option<String>,
    #[serde(default)]
    description: String,
    email: Option<String>,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    users: Vec<String>,
}

/// `POST /@groups`: 201, `Location` and the group.
fn create_group(req: &Req<'_>, body: &[u8]) -> Result<Response> {
    check_json_csrf(req)?;
    let b: NewGroup = json_body(req, body)?;
    let id = b.groupname.trim().to_owned();
    let title = b.title.unwrap_or_else(|| id.clone());
    let info = GroupInfo {
        description: b.description,
        email: b.email.filter(|e| !e.is_empty()),
    };
    let g = req.site.write(&req.who, |w| {
        w.add_group_with(&id, &title, &b.roles, &info)?;
        if b.users.is_empty() {
            w.load_group(&id)?
                .ok_or_else(|| Error::NotFound(format!("group `{id}`")))
        } else {
            w.set_group_members(&id, &b.users, &[])
        }
    })?;
    Ok(created(group_url(&req.base, &g.id), &group_json(req, &g)?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupPatch {
    title: Option<String>,
    description: Option<String>,
    #[serde(default, with = "double_option")]
    email: Option<Option<String>>,
    roles: Option<RolesChange>,
    users: Option<BTreeMap<String, bool>>,
}

/// `PATCH /@groups/{id}`: title, description, e-mail, roles, and
/// `users: {"login": true|false}` to add or remove members. 204.
fn patch_group(req: &Req<'_>, id: &str, body: &[u8]) -> Result<Response> {
    check_json_csrf(req)?;
    let b: GroupPatch = json_body(req, body)?;
    req.site.write(&req.who, |w| {
        let current = w
            .load_group(id)?
            .ok_or_else(|| Error::NotFound(format!("group `{id}`")))?;
        let roles = match b.roles {
            None => None,
            Some(RolesChange::List(l)) => Some(l),
            Some(RolesChange::Map(m)) => {
                let mut set = current.roles.clone();
                for (r, on) in m {
                    if on {
                        set.insert(r);
                    } else {
                        set.remove(&r);
                    }
                }
                Some(set.into_iter().collect())
            }
        };
        let change = GroupChange {
            title: b.title,
            description: b.description,
            email: b.email.map(|e| e.filter(|x| !x.is_empty())),
            roles,
        };
        if change.title.is_some()
            || change.description.is_some()
            || change.email.is_some()
            || change.roles.is_some()
        {
            w.update_group(id, &change)?;
        }
        if let Some(users) = &b.users {
            let add: Vec<String> = users
                .iter()
                .filter(|(_, on)| **on)
                .map(|(u, _)| u.clone())
                .collect();
            let remove: Vec<String> = users
                .iter()
                .filter(|(_, on)| !**on)
                .map(|(u, _)| u.clone())
                .collect();
            w.set_group_members(id, &add, &remove)?;
        }
        Ok(())
    })?;
    Ok(no_content())
}

fn delete_group(req: &Req<'_>, id: &str) -> Result<Response> {
    check_json_csrf(req)?;
    req.site.write(&req.who, |w| w.delete_group(id))?;
    Ok(no_content())
}

// ------------------------------------------------- principals, roles, schema

/// `GET /@principals?search=`: users and groups matching, for sharing
/// forms. Logged-in users only; e-mail addresses only for user managers.
fn principals(req: &Req<'_>) -> Result<Response> {
    require_login(req)?;
    let search = query_value(req, "search").unwrap_or_default();
    if search.trim().is_empty() {
        return Err(bad("search", "required", "give `search`"));
    }
    let managers = may(req, MANAGE_USERS)?;
    let users: Vec<Value> = filtered_users(req.site, None, Some(search.trim()), &[], managers)?
        .iter()
        .filter(|u| u.enabled)
        .map(|u| {
            let mut v = json!({
                "@id": user_url(&req.base, &u.login),
                "id": u.login,
                "fullname": u.fullname,
            });
            if managers {
                v["email"] = json!(u.email);
            }
            v
        })
        .collect();
    let q = search.trim().to_lowercase();
    let groups: Vec<Value> = req
        .site
        .all_groups()?
        .iter()
        .filter(|g| g.id.to_lowercase().contains(&q) || g.title.to_lowercase().contains(&q))
        .map(|g| {
            json!({
                "@id": group_url(&req.base, &g.id),
                "id": g.id,
                "title": g.title,
            })
        })
        .collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({"users": users, "groups": groups}),
    ))
}

/// The roles one may grant: every role but the automatic ones.
pub(super) fn grantable_roles(site: &Site) -> Vec<String> {
    site.roles()
        .iter()
        .filter(|r| {
            !matches!(
                r.as_str(),
                security::ANONYMOUS | security::AUTHENTICATED | security::OWNER
            )
        })
        .cloned()
        .collect()
}

/// A role's name for people, translated where the core knows it.
pub(super) fn role_title(req: &Req<'_>, role: &str) -> String {
    let key = format!("admin-role-{}", role.to_lowercase().replace(' ', "-"));
    let t = req.site.renderer().catalog().message(&req.lang, &key, &[]);
    if t == key {
        role.to_owned()
    } else {
        t
    }
}

/// `GET /@roles`.
fn roles(req: &Req<'_>) -> Result<Response> {
    require_login(req)?;
    let out: Vec<Value> = grantable_roles(req.site)
        .iter()
        .map(|r| {
            json!({
                "@id": format!("{}/@roles/{}", req.base, encode_path(r)),
                "@type": "role",
                "id": r,
                "title": role_title(req, r),
            })
        })
        .collect();
    Ok(json_response(StatusCode::OK, &Value::Array(out)))
}

/// `GET /@userschema`: the JSON schema of the member form.
fn userschema(req: &Req<'_>) -> Result<Response> {
    require_login(req)?;
    let catalog = req.site.renderer().catalog();
    let t = |k: &str| catalog.message(&req.lang, k, &[]);
    let languages = req.site.settings()?.languages;
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "type": "object",
            "fieldsets": [{
                "id": "default",
                "title": t("admin-schema-default"),
                "fields": ["fullname", "email", "language"],
            }],
            "properties": {
                "fullname": {
                    "type": "string",
                    "title": t("admin-schema-fullname"),
                    "description": t("admin-schema-fullname-help"),
                    "maxLength": 200,
                },
                "email": {
                    "type": "string",
                    "format": "email",
                    "title": t("admin-schema-email"),
                    "description": t("admin-schema-email-help"),
                },
                "language": {
                    "type": "string",
                    "title": t("admin-schema-language"),
                    "description": t("admin-schema-language-help"),
                    "enum": languages,
                },
            },
            "required": [],
        }),
    ))
}

// ---------------------------------------------------------------- add-ons

/// The plone.restapi shape of an add-on, for a module of this binary or
/// one only installed in the site's data.
pub(super) fn addon_json(req: &Req<'_>, status: &crate::site::ModuleStatus) -> Result<Value> {
    let next = req.site.modules_at_next_start()?;
    let module = req.site.registry().get(&status.name).ok();
    let man = module.map(|m| m.manifest());
    let will = next.contains(&status.name);
    let upgrade_info = match &status.installed {
        Some(inst) => json!({
            "required": !status.pending.is_empty(),
            "available": !status.pending.is_empty(),
            "hasProfile": true,
            "installedVersion": inst,
            "newVersion": status.linked.clone().unwrap_or_else(|| inst.clone()),
        }),
        None => json!({}),
    };
    Ok(json!({
        "@id": format!("{}/@addons/{}", req.base, encode_path(&status.name)),
        "id": status.name,
        "title": man.map(|m| m.title).unwrap_or(status.name.as_str()),
        "description": man.map(|m| m.title).unwrap_or(""),
        "version": status.linked,
        "is_installed": will,
        "profile_type": "default",
        "install_profile_id": format!("{}:default", status.name),
        // The core cannot be uninstalled: no uninstall profile, as Plone says it.
        "uninstall_profile_id": if status.name == crate::core_module::NAME {
            String::new()
        } else {
            format!("{}:uninstall", status.name)
        },
        "other_profiles": [],
        "upgrade_info": upgrade_info,
        "upgrade_profiles": {},
        "linked": status.linked.is_some(),
        "enabled": status.enabled,
        "installed_version": status.installed,
        "requires": man.map(|m| m.requires.iter().map(|(d, _)| *d).collect::<Vec<_>>()).unwrap_or_default(),
        "restart_required": will != status.enabled,
    }))
}

fn addons_list(req: &Req<'_>) -> Result<Value> {
    let mut items = Vec::new();
    for s in req.site.module_status(req.site.registry())? {
        items.push(addon_json(req, &s)?);
    }
    Ok(json!({
        "@id": format!("{}/@addons", req.base),
        "items_total": items.len(),
        "items": items,
    }))
}

/// `GET /@addons`.
fn list_addons(req: &Req<'_>) -> Result<Response> {
    require(req, MANAGE_SITE)?;
    Ok(json_response(StatusCode::OK, &addons_list(req)?))
}

/// `GET /@addons/{id}`.
fn get_addon(req: &Req<'_>, id: &str) -> Result<Response> {
    require(req, MANAGE_SITE)?;
    let s = req
        .site
        .module_status(req.site.registry())?
        .into_iter()
        .find(|s| s.name == id)
        .ok_or_else(|| Error::NotFound(format!("add-on `{id}`")))?;
    Ok(json_response(StatusCode::OK, &addon_json(req, &s)?))
}

/// `POST /@addons/{id}/install|uninstall|upgrade`: 204, or 200 and the
/// refreshed list with `Prefer: return=representation`. Installing and
/// uninstalling take effect at the next start, which the answer says
/// (`restart_required`, and the `X-Beffroi-Restart-Required` header).
fn addon_action(req: &Req<'_>, id: &str, action: &str) -> Result<Response> {
    check_json_csrf(req)?;
    let restart = match action {
        "install" => req.site.enable_module(&req.who, id)?,
        "uninstall" => req.site.disable_module(&req.who, id)?,
        "upgrade" => {
            req.site.upgrade_module(&req.who, id)?;
            false
        }
        _ => return Err(Error::NotFound(format!("@addons/{id}/{action}"))),
    };
    let restart = restart
        || req.site.modules().iter().any(|m| m.manifest().name == id)
            != req.site.modules_at_next_start()?.contains(id);
    let prefer = req
        .headers
        .get("prefer")
        .and_then(|h| h.to_str().ok())
        .is_some_and(|p| p.contains("return=representation"));
    let mut r = if prefer {
        json_response(StatusCode::OK, &addons_list(req)?)
    } else {
        no_content()
    };
    if restart && action != "upgrade" {
        r.headers_mut().insert(
            "x-beffroi-restart-required",
            HeaderValue::from_static("true"),
        );
    }
    Ok(r)
}

// ---------------------------------------------------------------- upgrade

fn step_id(step: &crate::addons::PendingStep) -> String {
    super::short_hash(format!("{}:{}:{}", step.module, step.to, step.title).as_bytes())
}

fn core_versions(site: &Site) -> Result<Value> {
    let core = crate::core_module::NAME;
    let fs = site
        .registry()
        .get(core)
        .map(|m| m.manifest().version)
        .unwrap_or(crate::module::CORE_VERSION);
    Ok(json!({"fs": fs, "instance": site.installed_version(core)?}))
}

fn module_versions(site: &Site) -> Result<Value> {
    let mut out = Map::new();
    for m in site.modules() {
        let name = m.manifest().name;
        out.insert(
            name.to_owned(),
            json!({"fs": m.manifest().version, "instance": site.installed_version(name)?}),
        );
    }
    Ok(Value::Object(out))
}

/// `GET /@upgrade`: pending steps grouped by module and versions.
fn get_upgrade(req: &Req<'_>) -> Result<Response> {
    require(req, MANAGE_SITE)?;
    let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for s in req.site.pending_upgrades()? {
        groups
            .entry(format!("{}:{}-{}", s.module, s.from, s.to))
            .or_default()
            .push(json!({"id": step_id(&s), "title": s.title}));
    }
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "@id": format!("{}/@upgrade", req.base),
            "upgrade_steps": groups,
            "versions": core_versions(req.site)?,
            "modules": module_versions(req.site)?,
        }),
    ))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct UpgradeBody {
    #[serde(default)]
    dry_run: bool,
}

/// `POST /@upgrade {"dry_run": bool}`: runs (or lists) every pending step.
async fn post_upgrade(req: &Req<'_>, body: &[u8]) -> Result<Response> {
    require(req, MANAGE_SITE)?;
    check_json_csrf(req)?;
    let b: UpgradeBody = if body.iter().all(u8::is_ascii_whitespace) {
        UpgradeBody::default()
    } else {
        json_body(req, body)?
    };
    let steps = if b.dry_run {
        req.site.pending_upgrades()?
    } else {
        blocking(req, |site, who| site.upgrade_all(who)).await?
    };
    let mut report = String::new();
    if steps.is_empty() {
        report.push_str("Nothing to upgrade.\n");
    }
    for s in &steps {
        report.push_str(&format!(
            "{}{} {} → {}: {}\n",
            if b.dry_run { "would run: " } else { "ran: " },
            s.module,
            s.from,
            s.to,
            s.title
        ));
    }
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "@id": format!("{}/@upgrade", req.base),
            "dry_run": b.dry_run,
            "report": report,
            "upgraded": !b.dry_run && !steps.is_empty(),
            "versions": core_versions(req.site)?,
        }),
    ))
}
