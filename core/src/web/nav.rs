//! Navigation and site services: `@breadcrumbs`, `@navigation`,
//! `@contextnavigation`, `@navroot`, `@actions`, `@site`, and the
//! `@components` of an item with `expand` (plone.restapi). Types and
//! vocabularies are in [`super::types`].
//!
//! Everything here reads through the [`Reader`](crate::access::Reader):
//! navigation lists a container's children only when its reader may view
//! the container, so what one may not see never shows, not even as a title.

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::{item_url, json_response, Call, Req};
use crate::error::{Error, FieldError, Result};
use crate::item::Item;
use crate::security::{self, MANAGE_SITE};

/// Answers the calls that are this part's, `None` for the others.
pub(super) fn dispatch(req: &Req<'_>, call: &Call) -> Option<Result<Response>> {
    if let Some(r) = super::types::dispatch(req, call) {
        return Some(r);
    }
    let name = call.name.as_deref()?;
    let reading = call.method == Method::GET || call.method == Method::HEAD;
    if !reading || call.rest().is_some() {
        return None;
    }
    let path = call.path.as_str();
    let answer = match name {
        "@breadcrumbs" => breadcrumbs(req, path),
        "@navigation" => navigation_depth(req).and_then(|d| navigation(req, path, d)),
        "@contextnavigation" => context_navigation(req, path),
        "@navroot" => navroot(req, path),
        "@actions" => actions(req, path),
        "@site" => site_settings(req),
        _ => return None,
    };
    Some(answer.map(|v| json_response(StatusCode::OK, &v)))
}

/// The query's pairs, decoded.
pub(super) fn pairs(req: &Req<'_>) -> Vec<(String, String)> {
    form_urlencoded::parse(req.query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// A 400 naming the parameter at fault.
pub(super) fn bad_param(name: &str, message: String) -> Error {
    Error::Invalid(vec![FieldError::new(name, "bad_query", message)])
}

/// A translated message of the core.
pub(super) fn message(req: &Req<'_>, key: &str) -> String {
    req.site.renderer().catalog().message(&req.lang, key, &[])
}

/// The names `expand` asks to inline, comma-separated or repeated.
fn expanded(req: &Req<'_>) -> Vec<String> {
    pairs(req)
        .into_iter()
        .filter(|(k, _)| k == "expand" || k == "expand:list")
        .flat_map(|(_, v)| {
            v.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// `expand.navigation.depth`: 1 by default, 1 to 10.
fn navigation_depth(req: &Req<'_>) -> Result<usize> {
    let key = "expand.navigation.depth";
    match pairs(req)
        .into_iter()
        .find(|(k, _)| k == key || k.strip_suffix(":int") == Some(key))
    {
        None => Ok(1),
        Some((_, v)) => match v.parse::<usize>() {
            Ok(n) if (1..=10).contains(&n) => Ok(n),
            _ => Err(bad_param(
                key,
                format!("`{v}` is not a depth: give a whole number from 1 to 10"),
            )),
        },
    }
}

/// The components every item links to (and inlines with `expand`).
const COMPONENTS: &[&str] = &[
    "actions",
    "breadcrumbs",
    "contextnavigation",
    "navigation",
    "navroot",
    "types",
    "workflow",
    "history",
    "sharing",
];

/// An item's `@components`: a link to each, the ones `expand` names inlined
/// (unknown names are ignored, as plone.restapi does).
pub(super) fn components(req: &Req<'_>, item: &Item, url: &str, inline: bool) -> Result<Value> {
    let wanted = if inline { expanded(req) } else { Vec::new() };
    let mut out = Map::new();
    for name in COMPONENTS {
        let link = json!({"@id": format!("{url}/@{name}")});
        let value = if wanted.iter().any(|w| w == name) {
            match *name {
                "actions" => actions(req, &item.path)?,
                "breadcrumbs" => breadcrumbs(req, &item.path)?,
                "contextnavigation" => context_navigation(req, &item.path)?,
                "navigation" => navigation(req, &item.path, navigation_depth(req)?)?,
                "navroot" => navroot(req, &item.path)?,
                "types" => super::types::types_list(req, item)?,
                "workflow" => super::workflow::workflow_json(req, &item.path)?,
                _ => link,
            }
        } else {
            link
        };
        out.insert((*name).to_owned(), value);
    }
    Ok(Value::Object(out))
}

/// `@breadcrumbs`: the item's containers and itself, the site root left
/// out; containers the reader may not view are skipped.
fn breadcrumbs(req: &Req<'_>, path: &str) -> Result<Value> {
    let reader = req.reader();
    let item = reader.must_get(path)?;
    let url = item_url(&req.base, &item.path);
    let mut items = Vec::new();
    let mut p = String::new();
    for seg in item.path.split('/').filter(|s| !s.is_empty()) {
        p.push('/');
        p.push_str(seg);
        if let Some(it) = reader.get(&p)? {
            items.push(json!({"@id": item_url(&req.base, &it.path), "title": it.title()}));
        }
    }
    Ok(json!({
        "@id": format!("{url}/@breadcrumbs"),
        "items": items,
        "root": req.base,
    }))
}

/// Whether the item asks to stay out of menus (a type's `exclude_from_nav`).
pub(super) fn excluded(item: &Item) -> bool {
    item.field("exclude_from_nav").and_then(Value::as_bool) == Some(true)
}

/// The viewable, not excluded, children of `path`, `depth` levels deep.
fn tree(req: &Req<'_>, path: &str, depth: usize) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    for c in req.reader().children(path)? {
        if excluded(&c) {
            continue;
        }
        let items = if depth > 1 {
            tree(req, &c.path, depth - 1)?
        } else {
            Vec::new()
        };
        out.push(json!({
            "@id": item_url(&req.base, &c.path),
            "title": c.title(),
            "description": c.description(),
            "review_state": c.review_state,
            "items": items,
        }));
    }
    Ok(out)
}

/// `@navigation`: Home, then the site's top level, `depth` levels deep.
fn navigation(req: &Req<'_>, path: &str, depth: usize) -> Result<Value> {
    let item = req.reader().must_get(path)?;
    let url = item_url(&req.base, &item.path);
    let mut items = vec![json!({
        "@id": req.base,
        "title": message(req, "nav-home"),
        "description": "",
        "review_state": Value::Null,
        "items": [],
    })];
    if req.reader().get("/")?.is_some() {
        items.extend(tree(req, "/", depth)?);
    }
    Ok(json!({"@id": format!("{url}/@navigation"), "items": items}))
}

/// One level of the context navigation: every viewable child, opened along
/// the path to the item and below the item itself.
fn context_level(req: &Req<'_>, parent: &str, current: &str) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    for c in req.reader().children(parent)? {
        if excluded(&c) {
            continue;
        }
        let is_current = c.path == current;
        let in_path = is_current || current.starts_with(&format!("{}/", c.path));
        let folderish = req
            .site
            .schema()
            .get(&c.type_name)
            .is_some_and(|t| t.container);
        let items = if in_path && folderish {
            context_level(req, &c.path, current)?
        } else {
            Vec::new()
        };
        let url = item_url(&req.base, &c.path);
        out.push(json!({
            "@id": url,
            "href": url,
            "title": c.title(),
            "description": c.description(),
            "icon": "",
            "thumb": "",
            "type": crate::text::slugify(&c.type_name),
            "normalized_id": c.id,
            "is_current": is_current,
            "is_folderish": folderish,
            "is_in_path": in_path,
            "review_state": c.review_state,
            "items": items,
        }));
    }
    Ok(out)
}

/// `@contextnavigation`: the portlet's tree from the site root, opened
/// along the way to the item.
fn context_navigation(req: &Req<'_>, path: &str) -> Result<Value> {
    let item = req.reader().must_get(path)?;
    let url = item_url(&req.base, &item.path);
    let items = if req.reader().get("/")?.is_some() {
        context_level(req, "/", &item.path)?
    } else {
        Vec::new()
    };
    Ok(json!({
        "@id": format!("{url}/@contextnavigation"),
        "available": true,
        "has_custom_name": false,
        "title": message(req, "nav-contextnavigation-title"),
        "url": req.base,
        "items": items,
    }))
}

/// `@navroot`: the navigation root (the site's root: one tree per site).
fn navroot(req: &Req<'_>, path: &str) -> Result<Value> {
    let item = req.reader().must_get(path)?;
    let url = item_url(&req.base, &item.path);
    let root = req.reader().must_get("/")?;
    Ok(json!({
        "@id": format!("{url}/@navroot"),
        "navroot": super::serialize_plain(req, &root)?,
    }))
}

fn action(req: &Req<'_>, id: &str, key: &str) -> Value {
    json!({"id": id, "title": message(req, key), "icon": ""})
}

/// `@actions`: what the caller may do here, for a client's toolbar; each
/// action is present only when the caller holds its permission.
fn actions(req: &Req<'_>, path: &str) -> Result<Value> {
    let reader = req.reader();
    let item = reader.must_get(path)?;
    let folderish = req
        .site
        .schema()
        .get(&item.type_name)
        .is_some_and(|t| t.container);
    let is_root = item.path == "/";
    let may_modify = reader.can(&item, security::MODIFY)?;
    let may_delete = !is_root && reader.can(&item, security::DELETE)?;
    let may_add = folderish && !super::types::addable_types(req, &item)?.is_empty();
    let mut object = vec![action(req, "view", "nav-action-view")];
    if may_modify {
        object.push(action(req, "edit", "nav-action-edit"));
    }
    if folderish && (may_modify || may_add) {
        object.push(action(req, "folderContents", "nav-action-folder-contents"));
    }
    if reader.can(&item, security::VIEW_HISTORY)? {
        object.push(action(req, "history", "nav-action-history"));
    }
    if reader.can(&item, security::SHARE)? {
        object.push(action(req, "local_roles", "nav-action-local-roles"));
    }
    let mut buttons = Vec::new();
    if may_delete {
        buttons.push(action(req, "cut", "nav-action-cut"));
    }
    if req.who.is_authenticated() && !is_root {
        buttons.push(action(req, "copy", "nav-action-copy"));
    }
    if may_add {
        buttons.push(action(req, "paste", "nav-action-paste"));
    }
    if may_delete {
        buttons.push(action(req, "delete", "nav-action-delete"));
    }
    if may_modify && !is_root && req.who.is_authenticated() {
        buttons.push(action(req, "rename", "nav-action-rename"));
    }
    let mut user = Vec::new();
    if req.who.is_authenticated() {
        let manages = match req.site.get("/")? {
            Some(root) => reader.can(&root, MANAGE_SITE)?,
            None => false,
        };
        if manages {
            user.push(action(req, "plone_setup", "nav-action-plone-setup"));
        }
        user.push(action(req, "logout", "nav-action-logout"));
    } else {
        user.push(action(req, "login", "nav-action-login"));
    }
    Ok(json!({
        "object": object,
        "object_buttons": buttons,
        "user": user,
        "document_actions": [],
        "portal_tabs": [],
        "site_actions": [],
    }))
}

/// `@site`: what a client reads at start-up.
fn site_settings(req: &Req<'_>) -> Result<Value> {
    let config = req.site.config();
    Ok(json!({
        "@id": format!("{}/@site", req.base),
        "features": {
            "multilingual": config.languages.len() > 1,
            "filter_aliases_by_date": false,
        },
        "plone.site_title": config.title,
        "plone.site_logo": Value::Null,
        "plone.default_language": config.default_language,
        "plone.available_languages": config.languages,
        "plone.portal_timezone": config.timezone,
        "plone.allowed_sizes": crate::images::allowed_sizes(),
    }))
}
