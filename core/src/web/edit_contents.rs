//! Folder contents (`{folder}/@@folder_contents`): the children in a
//! table, sorted, batched and reordered, and actions on a selection: cut,
//! copy and paste (through a signed clipboard cookie), delete (after a
//! confirmation page naming what refers to each), rename, and workflow
//! transitions. Each item is one write: an item is changed wholly or not at
//! all, and the report says which succeeded and why the others did not.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::header;
use axum::response::Response;
use serde_json::{json, Value};

use super::super::auth::{check_form_csrf, field, form};
use super::super::{encode_query, item_url, Req};
use super::{
    all, cancelled, cookie_header, explain, item_page, query_pairs, redirect_with, sealed,
    state_title, t, type_title, unseal, Status,
};
use crate::error::{Error, Result};
use crate::item::Item;
use crate::schema::FieldKind;
use crate::security;

/// The cookie holding what was cut or copied.
const CLIPBOARD_COOKIE: &str = "beffroi_clipboard";
/// Rows per page of folder contents, unless `b_size` says otherwise.
const PAGE: usize = 50;

/// The folder, if the user may manage what it holds: change it, or add
/// something in it.
fn managed_folder(req: &Req<'_>, path: &str) -> Result<Item> {
    let reader = req.reader();
    let folder = reader.must_get(path)?;
    let schema = req.site.schema();
    let Some(ty) = schema.get(&folder.type_name).filter(|t| t.container) else {
        return Err(Error::NotFound(format!("{path}/@@folder_contents")));
    };
    if reader.can(&folder, security::MODIFY)? {
        return Ok(folder);
    }
    for child in schema.types() {
        if schema.allows(ty, child)
            && reader.can(&folder, &security::add_permission(&child.name))?
        {
            return Ok(folder);
        }
    }
    Err(Error::Forbidden(format!("the contents of {path}")))
}

/// What the clipboard holds: whether it was cut, and the uids.
fn clipboard(req: &Req<'_>) -> Option<(bool, Vec<String>)> {
    let raw = super::super::auth::cookie(req.headers, CLIPBOARD_COOKIE)?;
    let payload = unseal(req, "clipboard", &raw)?;
    let (op, uids) = payload.split_once(':')?;
    let uids: Vec<String> = uids
        .split(',')
        .filter(|u| crate::text::is_uid(u))
        .map(str::to_owned)
        .collect();
    (!uids.is_empty()).then_some((op == "cut", uids))
}

/// `GET {folder}/@@folder_contents`.
pub(super) fn get_contents(req: &Req<'_>, path: &str) -> Result<Response> {
    let folder = managed_folder(req, path)?;
    let reader = req.reader();
    let url = item_url(&req.base, &folder.path);
    let q = query_pairs(req);
    let sort_on = match field(&q, "sort_on") {
        s @ ("title" | "type" | "state" | "modified") => s,
        _ => "position",
    };
    let reverse = field(&q, "sort_order") == "reverse";
    let select_all = field(&q, "select") == "all";
    let b_start = field(&q, "b_start").parse::<usize>().unwrap_or(0);
    let b_size = field(&q, "b_size")
        .parse::<usize>()
        .ok()
        .filter(|n| *n > 0)
        .unwrap_or(PAGE)
        .min(1000);
    let mut children = reader.children(&folder.path)?;
    let key = |c: &Item| -> String {
        match sort_on {
            "title" => c.title().to_lowercase(),
            "type" => type_title(req, &c.type_name).to_lowercase(),
            "state" => state_title(req, c).to_lowercase(),
            "modified" => c.modified.to_rfc3339(),
            _ => String::new(),
        }
    };
    if sort_on != "position" {
        children.sort_by_key(|c| key(c));
    }
    if reverse {
        children.reverse();
    }
    let total = children.len();
    let may_reorder = sort_on == "position" && !reverse && reader.can(&folder, security::MODIFY)?;
    // Transitions that at least one child may take now, for the bulk menu.
    let mut transitions: BTreeMap<String, String> = BTreeMap::new();
    for c in &children {
        if c.review_state.is_none() {
            continue;
        }
        for tr in reader.transitions(c)?.iter().filter(|t| t.closed.is_none()) {
            let title = req
                .site
                .workflow_for(&c.type_name)
                .and_then(|w| w.transition(&tr.id))
                .map(|x| x.title.get(&req.lang).to_owned())
                .unwrap_or_else(|| tr.id.clone());
            transitions.entry(tr.id.clone()).or_insert(title);
        }
    }
    let rows: Vec<Value> = children
        .iter()
        .enumerate()
        .skip(b_start)
        .take(b_size)
        .map(|(i, c)| {
            json!({
                "id": c.id,
                "url": item_url(&req.base, &c.path),
                "title": if c.title().is_empty() { c.id.as_str() } else { c.title() },
                "type": type_title(req, &c.type_name),
                "state": state_title(req, c),
                "review_state": c.review_state,
                "modified": c.modified.to_rfc3339(),
                "modified_display": c.modified.format("%d/%m/%Y %H:%M").to_string(),
                "first": i == 0,
                "last": i + 1 == total,
                "checked": select_all,
            })
        })
        .collect();
    let sort_link = |col: &str| {
        let rev = col == sort_on && !reverse;
        format!(
            "{url}/@@folder_contents?sort_on={col}{}",
            if rev { "&sort_order=reverse" } else { "" }
        )
    };
    let columns: Vec<Value> = [
        ("title", "edit-col-title"),
        ("type", "edit-col-type"),
        ("state", "edit-col-state"),
        ("modified", "edit-col-modified"),
    ]
    .iter()
    .map(|(col, key)| {
        json!({
            "label": t(req, key, &[]),
            "url": sort_link(col),
            "sort": if *col == sort_on { if reverse { "descending" } else { "ascending" } } else { "none" },
        })
    })
    .collect();
    let keep = format!(
        "sort_on={sort_on}{}&b_size={b_size}",
        if reverse { "&sort_order=reverse" } else { "" }
    );
    let batch_link = |start: usize| format!("{url}/@@folder_contents?{keep}&b_start={start}");
    item_page(
        req,
        &folder,
        "contents",
        "folder_contents.html",
        "contents",
        &json!({
            "action": format!("{url}/@@folder_contents"),
            "rows": rows,
            "total": total,
            "columns": columns,
            "may_reorder": may_reorder,
            "transitions": transitions.iter().map(|(id, title)| json!({"id": id, "title": title})).collect::<Vec<_>>(),
            "clipboard": clipboard(req).map(|(_, u)| u.len()),
            "select_all_url": format!("{url}/@@folder_contents?{keep}&b_start={b_start}&select=all"),
            "prev": (b_start > 0).then(|| batch_link(b_start.saturating_sub(b_size))),
            "next": (b_start.saturating_add(b_size) < total).then(|| batch_link(b_start + b_size)),
            "from": if total == 0 { 0 } else { b_start.saturating_add(1).min(total) },
            "to": b_start.saturating_add(b_size).min(total),
        }),
    )
}

/// `POST {folder}/@@folder_contents`: one of the actions on the selection,
/// or moving one row.
pub(super) fn post_contents(req: &Req<'_>, path: &str, body: &[u8]) -> Result<Response> {
    let folder = managed_folder(req, path)?;
    let f = form(body);
    check_form_csrf(req, &f)?;
    let url = item_url(&req.base, &folder.path);
    let back = format!("{url}/@@folder_contents");
    let selected: Vec<String> = all(&f, "paths").into_iter().map(str::to_owned).collect();
    let moving = field(&f, "_move");
    if let Some((id, how)) = moving.rsplit_once(':') {
        let id = id.to_owned();
        let how = how.to_owned();
        req.site.write(&req.who, |w| {
            let ids: Vec<String> = w
                .children(&folder.path)?
                .into_iter()
                .map(|c| c.id)
                .collect();
            let Some(at) = ids.iter().position(|i| *i == id) else {
                return Err(Error::NotFound(format!("{}/{id}", folder.path)));
            };
            let to = match how.as_str() {
                "top" => 0,
                "up" => at.saturating_sub(1),
                "down" => at + 1,
                _ => usize::MAX,
            };
            w.reorder(&folder.path, &id, to)
        })?;
        return Ok(redirect_with(req, &back, &Status::new("edit-status-moved")));
    }
    let action = field(&f, "_action");
    if action == "paste" {
        return paste(req, &folder, &back);
    }
    if selected.is_empty() {
        return Ok(redirect_with(
            req,
            &back,
            &Status::new("edit-status-nothing-selected"),
        ));
    }
    let ids_query: String = selected
        .iter()
        .map(|id| format!("paths={}", encode_query(id)))
        .collect::<Vec<_>>()
        .join("&");
    match action {
        "cut" | "copy" => {
            let reader = req.reader();
            let mut uids = Vec::new();
            for id in &selected {
                if let Some(c) = reader.get(&crate::site::join_path(&folder.path, id))? {
                    uids.push(c.uid);
                }
            }
            let payload = format!("{action}:{}", uids.join(","));
            let key = if action == "cut" {
                "edit-status-cut"
            } else {
                "edit-status-copied"
            };
            let mut r = redirect_with(
                req,
                &back,
                &Status::new(key).arg("count", uids.len().to_string()),
            );
            if let Some(v) = cookie_header(
                req,
                CLIPBOARD_COOKIE,
                &sealed(req, "clipboard", &payload),
                86400,
            ) {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            Ok(r)
        }
        "delete" => Ok(super::super::redirect(&format!(
            "{url}/@@folder_delete?{ids_query}"
        ))),
        "rename" => Ok(super::super::redirect(&format!(
            "{url}/@@folder_rename?{ids_query}"
        ))),
        "transition" => {
            let transition = field(&f, "transition");
            let comment = field(&f, "comment");
            if transition.is_empty() {
                return Ok(redirect_with(
                    req,
                    &back,
                    &Status::new("edit-status-no-transition"),
                ));
            }
            let reader = req.reader();
            let mut results = Vec::new();
            for id in &selected {
                let child_path = crate::site::join_path(&folder.path, id);
                let title = reader
                    .get(&child_path)?
                    .map(|c| c.title().to_owned())
                    .unwrap_or_else(|| id.clone());
                let r = req
                    .site
                    .write(&req.who, |w| w.transition(&child_path, transition, comment));
                results.push((title, r.map(|_| ()).map_err(|e| explain(req, &e))));
            }
            report(req, &folder, "edit-report-transition", results)
        }
        _ => Err(Error::Invalid(vec![crate::error::FieldError::new(
            "_action",
            "unknown_action",
            format!("`{action}` is not an action of folder contents"),
        )])),
    }
}

/// Pastes the clipboard here: moves what was cut, copies what was copied.
fn paste(req: &Req<'_>, folder: &Item, back: &str) -> Result<Response> {
    let Some((cut, uids)) = clipboard(req) else {
        return Ok(redirect_with(
            req,
            back,
            &Status::new("edit-status-clipboard-empty"),
        ));
    };
    let reader = req.reader();
    let mut results = Vec::new();
    for uid in &uids {
        let Some(source) = reader.get_by_uid(uid)? else {
            results.push((uid.clone(), Err(t(req, "edit-reason-not-found", &[]))));
            continue;
        };
        let r = req.site.write(&req.who, |w| {
            if cut {
                w.check_lock_of_others(&source)?;
                w.move_to(&source.path, &folder.path)
            } else {
                w.copy(&source.path, &folder.path)
            }
        });
        results.push((
            source.title().to_owned(),
            r.map(|_| ()).map_err(|e| explain(req, &e)),
        ));
    }
    let all_ok = results.iter().all(|(_, r)| r.is_ok());
    let mut response = if all_ok {
        redirect_with(
            req,
            back,
            &Status::new("edit-status-pasted").arg("count", results.len().to_string()),
        )
    } else {
        report(req, folder, "edit-report-paste", results)?
    };
    // What was cut is now here: pasting it again would move nothing.
    if cut && all_ok {
        if let Some(v) = cookie_header(req, CLIPBOARD_COOKIE, "", 0) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(response)
}

/// The page reporting an action on several items: what succeeded, and why
/// the others did not. Every item succeeding goes back to the contents
/// with a status message instead.
fn report(
    req: &Req<'_>,
    folder: &Item,
    heading_key: &str,
    results: Vec<(String, std::result::Result<(), String>)>,
) -> Result<Response> {
    let url = item_url(&req.base, &folder.path);
    let back = format!("{url}/@@folder_contents");
    let failed = results.iter().filter(|(_, r)| r.is_err()).count();
    if failed == 0 {
        return Ok(redirect_with(
            req,
            &back,
            &Status::new("edit-status-done").arg("count", results.len().to_string()),
        ));
    }
    item_page(
        req,
        folder,
        "contents",
        "edit_report.html",
        "report",
        &json!({
            "heading": t(req, heading_key, &[]),
            "summary": t(req, "edit-report-summary", &[
                ("done", (results.len() - failed).to_string()),
                ("failed", failed.to_string()),
            ]),
            "items": results.iter().map(|(title, r)| json!({
                "title": title,
                "ok": r.is_ok(),
                "reason": r.as_ref().err(),
            })).collect::<Vec<_>>(),
            "back": back,
        }),
    )
}

/// The selected children named by `paths`, each as the user sees it.
fn selection(req: &Req<'_>, folder: &Item, ids: &[&str]) -> Result<Vec<Item>> {
    let reader = req.reader();
    let mut out = Vec::new();
    for id in ids {
        if let Some(c) = reader.get(&crate::site::join_path(&folder.path, id))? {
            out.push(c);
        }
    }
    Ok(out)
}

/// Items the user may view whose reference fields point at `item` or at
/// something inside it.
pub(super) fn referrers(req: &Req<'_>, item: &Item) -> Result<Vec<Value>> {
    let reader = req.reader();
    let every = reader.walk()?;
    let inside = format!("{}/", item.path);
    let targets: BTreeSet<&str> = every
        .iter()
        .filter(|i| i.uid == item.uid || i.path.starts_with(&inside))
        .map(|i| i.uid.as_str())
        .collect();
    let mut out = Vec::new();
    for it in &every {
        if targets.contains(it.uid.as_str()) {
            continue;
        }
        let Some(ty) = req.site.schema().get(&it.type_name) else {
            continue;
        };
        let refers = ty
            .fields
            .iter()
            .filter(|f| f.kind == FieldKind::Reference)
            .filter_map(|f| it.field(&f.name).and_then(Value::as_str))
            .any(|uid| targets.contains(uid));
        if refers {
            out.push(json!({"title": it.title(), "url": item_url(&req.base, &it.path)}));
        }
    }
    Ok(out)
}

/// How many items are inside `item` (for the confirmation's "and N inside").
fn inside_count(req: &Req<'_>, item: &Item) -> Result<usize> {
    let mut n = 0;
    let mut stack = vec![item.path.clone()];
    let reader = req.reader();
    while let Some(p) = stack.pop() {
        for c in reader.children(&p)? {
            n += 1;
            stack.push(c.path);
        }
    }
    Ok(n)
}

/// What a delete confirmation shows of one item.
pub(super) fn doomed(req: &Req<'_>, item: &Item) -> Result<Value> {
    Ok(json!({
        "id": item.id,
        "title": item.title(),
        "url": item_url(&req.base, &item.path),
        "type": type_title(req, &item.type_name),
        "inside": inside_count(req, item)?,
        "referrers": referrers(req, item)?,
    }))
}

/// `GET {folder}/@@folder_delete?paths=…`: what would go, and what refers to it.
pub(super) fn get_folder_delete(req: &Req<'_>, path: &str) -> Result<Response> {
    let folder = managed_folder(req, path)?;
    let q = query_pairs(req);
    let items = selection(req, &folder, &all(&q, "paths"))?;
    let url = item_url(&req.base, &folder.path);
    let mut list = Vec::new();
    for it in &items {
        list.push(doomed(req, it)?);
    }
    item_page(
        req,
        &folder,
        "contents",
        "delete_confirmation.html",
        "confirm",
        &json!({
            "action": format!("{url}/@@folder_delete"),
            "cancel": format!("{url}/@@folder_contents"),
            "items": list,
        }),
    )
}

/// A confirmed folder form (the folder, the fields) or the answer to Cancel.
type Confirmed = std::result::Result<(Item, Vec<(String, String)>), Response>;

/// The folder and the form sent from one of its confirmation pages, its
/// CSRF token checked; or, when the form was cancelled, the answer that
/// goes back to the folder's contents.
fn confirmed_form(req: &Req<'_>, path: &str, body: &[u8]) -> Result<Confirmed> {
    let folder = managed_folder(req, path)?;
    let f = form(body);
    let back = format!("{}/@@folder_contents", item_url(&req.base, &folder.path));
    if let Some(r) = cancelled(req, field(&f, "_cancel"), &back) {
        return Ok(Err(r));
    }
    check_form_csrf(req, &f)?;
    Ok(Ok((folder, f)))
}

/// `POST {folder}/@@folder_delete`: deletes each confirmed item.
pub(super) fn post_folder_delete(req: &Req<'_>, path: &str, body: &[u8]) -> Result<Response> {
    let (folder, f) = match confirmed_form(req, path, body)? {
        Ok(sent) => sent,
        Err(cancel) => return Ok(cancel),
    };
    let mut results = Vec::new();
    for id in all(&f, "paths") {
        let child = crate::site::join_path(&folder.path, id);
        let title = req
            .reader()
            .get(&child)?
            .map(|c| c.title().to_owned())
            .unwrap_or_else(|| id.to_owned());
        let r = req.site.write(&req.who, |w| {
            w.check_lock_of_others(&w.must_get(&child)?)?;
            w.delete(&child, None)
        });
        results.push((title, r.map_err(|e| explain(req, &e))));
    }
    report(req, &folder, "edit-report-delete", results)
}

/// `GET {folder}/@@folder_rename?paths=…`: a new id and title for each.
pub(super) fn get_folder_rename(req: &Req<'_>, path: &str) -> Result<Response> {
    let folder = managed_folder(req, path)?;
    let q = query_pairs(req);
    let items = selection(req, &folder, &all(&q, "paths"))?;
    let url = item_url(&req.base, &folder.path);
    item_page(
        req,
        &folder,
        "contents",
        "rename_form.html",
        "rename",
        &json!({
            "action": format!("{url}/@@folder_rename"),
            "cancel": format!("{url}/@@folder_contents"),
            "items": items.iter().enumerate().map(|(i, it)| json!({
                "n": i,
                "id": it.id,
                "title": it.title(),
            })).collect::<Vec<_>>(),
        }),
    )
}

/// `POST {folder}/@@folder_rename`: renames each item and changes its
/// title, both in one write per item.
pub(super) fn post_folder_rename(req: &Req<'_>, path: &str, body: &[u8]) -> Result<Response> {
    let (folder, f) = match confirmed_form(req, path, body)? {
        Ok(sent) => sent,
        Err(cancel) => return Ok(cancel),
    };
    let mut results = Vec::new();
    for n in 0.. {
        let old = field(&f, &format!("old.{n}"));
        if old.is_empty() {
            break;
        }
        let new_id = field(&f, &format!("id.{n}")).trim();
        let new_title = field(&f, &format!("title.{n}")).trim();
        let child = crate::site::join_path(&folder.path, old);
        let r = req.site.write(&req.who, |w| {
            w.check_lock_of_others(&w.must_get(&child)?)?;
            let mut at = child.clone();
            if !new_id.is_empty() && new_id != old {
                at = w.rename(&child, new_id)?.path;
            }
            let mut data = serde_json::Map::new();
            data.insert("title".into(), Value::String(new_title.to_owned()));
            w.update(&at, data, None)?;
            Ok(())
        });
        let shown = if new_title.is_empty() { old } else { new_title };
        results.push((shown.to_owned(), r.map_err(|e| explain(req, &e))));
    }
    report(req, &folder, "edit-report-rename", results)
}
