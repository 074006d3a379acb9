//! The pages about one item: deleting it (after a confirmation naming
//! what refers to it), its history (`@@history`), and its sharing
//! (`@@sharing`: search users and groups, a checkbox per role, block
//! inheritance), which reads and writes through `@sharing`'s own code.

use std::collections::BTreeMap;

use axum::response::Response;
use serde_json::{json, Value};

use super::super::auth::{check_form_csrf, field, form};
use super::super::workflow::{apply_sharing, sharing};
use super::super::{item_url, Req};
use super::{all, cancelled, item_page, query_pairs, redirect_with, t, Status};
use crate::error::{Error, Result};
use crate::item::Item;
use crate::security;

/// The item, if the user may delete it.
fn deletable(req: &Req<'_>, path: &str) -> Result<Item> {
    let reader = req.reader();
    let item = reader.must_get(path)?;
    if item.parent.is_none() {
        return Err(Error::NotAllowed("the site root cannot be deleted".into()));
    }
    if !reader.can(&item, security::DELETE)? {
        return Err(Error::Forbidden(format!("deleting {path}")));
    }
    Ok(item)
}

/// `GET {item}/@@delete_confirmation`.
pub(super) fn get_delete(req: &Req<'_>, path: &str) -> Result<Response> {
    let item = deletable(req, path)?;
    let url = item_url(&req.base, &item.path);
    item_page(
        req,
        &item,
        "delete",
        "delete_confirmation.html",
        "confirm",
        &json!({
            "action": format!("{url}/@@delete_confirmation"),
            "cancel": url,
            "items": [super::contents::doomed(req, &item)?],
            "single": true,
        }),
    )
}

/// `POST {item}/@@delete_confirmation`: deletes it, then shows its container.
pub(super) fn post_delete(req: &Req<'_>, path: &str, body: &[u8]) -> Result<Response> {
    let item = deletable(req, path)?;
    let f = form(body);
    let url = item_url(&req.base, &item.path);
    if let Some(r) = cancelled(req, field(&f, "_cancel"), &url) {
        return Ok(r);
    }
    check_form_csrf(req, &f)?;
    let revision = item.revision;
    req.site.write(&req.who, |w| {
        w.check_lock_of_others(&item)?;
        w.delete(&item.path, Some(revision))
    })?;
    let parent = item.parent_path().unwrap_or("/");
    Ok(redirect_with(
        req,
        &item_url(&req.base, parent),
        &Status::new("edit-status-deleted").arg("title", item.title()),
    ))
}

/// A principal's name for people: a user's full name, a group's title.
fn display_name(req: &Req<'_>, id: &str) -> String {
    if let Ok(Some(u)) = req.site.user(id) {
        if !u.fullname.is_empty() {
            return u.fullname;
        }
    }
    id.to_owned()
}

/// `GET {item}/@@history`: edits and transitions, newest first.
pub(super) fn get_history(req: &Req<'_>, path: &str) -> Result<Response> {
    let reader = req.reader();
    let item = reader.must_get(path)?;
    let entries = reader.history(path)?;
    let ty = req.site.schema().get(&item.type_name);
    let wf = req.site.workflow_for(&item.type_name);
    let state = |s: &str| {
        wf.and_then(|w| w.state(s))
            .map(|st| st.title.get(&req.lang).to_owned())
            .filter(|x| !x.is_empty())
            .unwrap_or_else(|| s.to_owned())
    };
    let rows: Vec<Value> = entries
        .iter()
        .rev()
        .map(|h| {
            let what = match &h.workflow {
                Some(step) => {
                    let title = wf
                        .and_then(|w| w.transition(&step.transition))
                        .map(|x| x.title.get(&req.lang).to_owned())
                        .filter(|x| !x.is_empty())
                        .unwrap_or_else(|| step.transition.clone());
                    t(
                        req,
                        "edit-history-transition",
                        &[
                            ("transition", title),
                            ("from", state(&step.from)),
                            ("to", state(&step.to)),
                        ],
                    )
                }
                None => {
                    let key = match h.action.as_str() {
                        "added" => "edit-history-added",
                        "modified" => "edit-history-modified",
                        "moved" => "edit-history-moved",
                        "copied" => "edit-history-copied",
                        _ => "edit-history-other",
                    };
                    t(req, key, &[("action", h.action.clone())])
                }
            };
            let changed: Vec<String> = h
                .changed
                .iter()
                .map(|c| {
                    ty.and_then(|t| t.field(c))
                        .map(|f| f.title.get(&req.lang).to_owned())
                        .filter(|x| !x.is_empty())
                        .unwrap_or_else(|| c.clone())
                })
                .collect();
            json!({
                "time": h.time.to_rfc3339(),
                "time_display": h.time.format("%d/%m/%Y %H:%M").to_string(),
                "actor": display_name(req, &h.actor),
                "what": what,
                "changed": changed.join(", "),
                "comment": h.workflow.as_ref().map(|w| w.comment.clone()).filter(|c| !c.is_empty()),
                "note": h.note,
                "version": h.revision,
            })
        })
        .collect();
    item_page(req, &item, "history", "history_page.html", "history", &rows)
}

/// `GET {item}/@@sharing?search=…`: the roles grid, and the users and
/// groups the search found, to grant them roles.
pub(super) fn get_sharing(req: &Req<'_>, path: &str) -> Result<Response> {
    let item = req.reader().must_get(path)?;
    let data = sharing(req, path)?;
    let q = query_pairs(req);
    let search = field(&q, "search").trim().to_owned();
    let roles = role_ids(&data);
    let mut rows: Vec<Value> = Vec::new();
    let mut listed: Vec<String> = Vec::new();
    for e in data["entries"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let id = e["id"].as_str().unwrap_or_default().to_owned();
        rows.push(row(
            &id,
            e["title"].as_str().unwrap_or(&id),
            e["type"].as_str().unwrap_or("user"),
            &roles,
            &e["roles"],
        ));
        listed.push(id);
    }
    let mut found = 0;
    if !search.is_empty() {
        let needle = search.to_lowercase();
        let hit = |s: &str| s.to_lowercase().contains(&needle);
        for u in req.site.users()? {
            if (hit(&u.login) || hit(&u.fullname)) && !listed.contains(&u.login) {
                rows.push(row(&u.login, &u.fullname, "user", &roles, &Value::Null));
                listed.push(u.login);
                found += 1;
            }
        }
        for g in req.site.groups()? {
            if (hit(&g.id) || hit(&g.title)) && !listed.contains(&g.id) {
                rows.push(row(&g.id, &g.title, "group", &roles, &Value::Null));
                listed.push(g.id);
                found += 1;
            }
        }
    }
    let url = item_url(&req.base, &item.path);
    item_page(
        req,
        &item,
        "sharing",
        "sharing_page.html",
        "sharing",
        &json!({
            "action": format!("{url}/@@sharing"),
            "roles": roles,
            "rows": rows,
            "inherit": data["inherit"].as_bool().unwrap_or(true),
            "search": search,
            "found": found,
        }),
    )
}

/// The ids of the roles a sharing answer offers.
fn role_ids(data: &Value) -> Vec<String> {
    data["available_roles"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// One principal's line of the roles grid.
fn row(id: &str, title: &str, kind: &str, roles: &[String], granted: &Value) -> Value {
    json!({
        "id": id,
        "title": if title.is_empty() { id } else { title },
        "type": kind,
        "roles": roles.iter().map(|r| {
            let v = &granted[r.as_str()];
            json!({
                "id": r,
                "here": v.as_bool() == Some(true),
                "acquired": v.as_str() == Some("acquired"),
            })
        }).collect::<Vec<_>>(),
    })
}

/// `POST {item}/@@sharing`: the grid's checkboxes, through `@sharing`'s
/// write. Only the roles whose box changed are sent.
pub(super) fn post_sharing(req: &Req<'_>, path: &str, body: &[u8]) -> Result<Response> {
    let f = form(body);
    check_form_csrf(req, &f)?;
    let data = sharing(req, path)?;
    let roles = role_ids(&data);
    let current = |id: &str, role: &str| {
        data["entries"]
            .as_array()
            .and_then(|es| es.iter().find(|e| e["id"].as_str() == Some(id)))
            .is_some_and(|e| e["roles"][role].as_bool() == Some(true))
    };
    let mut entries = Vec::new();
    for id in all(&f, "principal") {
        let checked = all(&f, &format!("role.{id}"));
        let mut changes = BTreeMap::new();
        for r in &roles {
            let on = checked.contains(&r.as_str());
            if on != current(id, r) {
                changes.insert(r.clone(), on);
            }
        }
        if !changes.is_empty() {
            entries.push((id.to_owned(), changes));
        }
    }
    let inherit = if field(&f, "_inherit_shown").is_empty() {
        None
    } else {
        let wanted = !field(&f, "inherit").is_empty();
        (wanted != data["inherit"].as_bool().unwrap_or(true)).then_some(wanted)
    };
    apply_sharing(req, path, &entries, inherit)?;
    let url = item_url(&req.base, path);
    Ok(redirect_with(
        req,
        &format!("{url}/@@sharing"),
        &Status::new("edit-status-sharing-saved"),
    ))
}
