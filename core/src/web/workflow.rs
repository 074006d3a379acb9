//! Workflow and security over the web: `@workflow` (read, fire),
//! `@history`, `@sharing` (read, grant), the audit log and the workflow
//! diagrams; and the workflow menu on item pages.

use std::collections::BTreeMap;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::{check_form_csrf, check_json_csrf, field, form, is_form, json_body};
use super::{item_url, json_response, Mode, Req};
use crate::error::{Error, FieldError, Result};
use crate::item::Item;
use crate::security::{self, MANAGE_SITE};
use crate::workflow::{parse_publication_date, TransitionOptions};

fn state_title(req: &Req<'_>, item: &Item, state: &str) -> String {
    req.site
        .workflow_for(&item.type_name)
        .and_then(|w| w.state(state))
        .map(|s| s.title.get(&req.lang).to_owned())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| state.to_owned())
}

fn transition_title(req: &Req<'_>, item: &Item, id: &str) -> String {
    req.site
        .workflow_for(&item.type_name)
        .and_then(|w| w.transition(id))
        .map(|t| t.title.get(&req.lang).to_owned())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| id.to_owned())
}

fn reason(req: &Req<'_>, closed: &crate::workflow::Closed) -> String {
    let args: Vec<(&str, String)> = closed
        .args
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    req.site
        .renderer()
        .catalog()
        .message(&req.lang, &closed.message, &args)
}

/// Puts the item's state and the user's transitions in a page's context.
/// Visitors who cannot fire anything see no menu.
pub(super) fn insert_menu(
    req: &Req<'_>,
    item: &Item,
    url: &str,
    ctx: &mut tera::Context,
) -> Result<()> {
    let Some(state) = item.review_state.as_deref() else {
        return Ok(());
    };
    if !req.who.is_authenticated() {
        return Ok(());
    }
    let reader = req.reader();
    let transitions = reader.transitions(item)?;
    let may_edit = reader.can(item, security::MODIFY)?;
    let open: Vec<Value> = transitions
        .iter()
        .filter(|t| t.closed.is_none())
        .map(|t| {
            json!({
                "id": t.id,
                "title": transition_title(req, item, &t.id),
                "action": format!("{url}/@workflow/{}", t.id),
                "comment_required": t.comment_required,
            })
        })
        .collect();
    // Reasons are shown to those who work on the item; a closed door on a
    // page one only reads is noise.
    let closed: Vec<Value> = if may_edit || !open.is_empty() {
        transitions
            .iter()
            .filter_map(|t| t.closed.as_ref().map(|c| (t, c)))
            .filter(|(_, c)| c.message != "transition-not-permitted")
            .map(|(t, c)| json!({"title": transition_title(req, item, &t.id), "reason": reason(req, c)}))
            .collect()
    } else {
        Vec::new()
    };
    ctx.insert(
        "workflow",
        &json!({
            "state": state,
            "state_title": state_title(req, item, state),
            "open": open,
            "closed": closed,
        }),
    );
    Ok(())
}

/// `GET /path/@workflow`: the history and the transitions (plone.restapi),
/// plus the closed ones with their reasons.
pub(super) fn get_workflow(req: &Req<'_>, path: &str) -> Result<Response> {
    Ok(json_response(StatusCode::OK, &workflow_json(req, path)?))
}

/// What `@workflow` answers, also inlined by `expand=workflow`.
pub(super) fn workflow_json(req: &Req<'_>, path: &str) -> Result<Value> {
    let reader = req.reader();
    let item = reader.must_get(path)?;
    let url = item_url(&req.base, &item.path);
    let transitions = reader.transitions(&item)?;
    let history: Vec<Value> = if reader.can(&item, security::VIEW_HISTORY)? {
        req.site
            .history(path)?
            .into_iter()
            .filter_map(|h| {
                h.workflow.map(|w| {
                    json!({
                        "action": w.transition,
                        "actor": h.actor,
                        "comments": w.comment,
                        "review_state": w.to,
                        "title": state_title(req, &item, &w.to),
                        "time": h.time.to_rfc3339(),
                    })
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let state = item.review_state.clone().unwrap_or_default();
    Ok(json!({
            "@id": format!("{url}/@workflow"),
            "state": {"id": state, "title": state_title(req, &item, &state)},
            "history": history,
            "transitions": transitions.iter().filter(|t| t.closed.is_none()).map(|t| json!({
                "@id": format!("{url}/@workflow/{}", t.id),
                "title": transition_title(req, &item, &t.id),
                "comment_required": t.comment_required,
            })).collect::<Vec<_>>(),
            "closed": transitions.iter().filter_map(|t| t.closed.as_ref().map(|c| json!({
                "id": t.id,
                "title": transition_title(req, &item, &t.id),
                "reason": reason(req, c),
            }))).collect::<Vec<_>>(),
    }))
}

/// Reads plone.restapi's transition body `{comment, effective, expires,
/// include_children}` (each optional, `null` as absent); anything else, a
/// value of the wrong type or a date that cannot be read is a 400 naming
/// its member.
fn transition_options(body: &Value) -> Result<TransitionOptions> {
    let Some(members) = body.as_object() else {
        return Err(Error::Invalid(vec![FieldError::new(
            "body",
            "bad_json",
            "the body is a JSON object: {comment, effective, expires, include_children}",
        )]));
    };
    let mut options = TransitionOptions::default();
    let mut errors = Vec::new();
    for (name, value) in members {
        if value.is_null() {
            continue;
        }
        match (name.as_str(), value) {
            ("comment", Value::String(s)) => options.comment.clone_from(s),
            ("include_children", Value::Bool(b)) => options.include_children = *b,
            ("effective" | "expires", Value::String(s)) if s.trim().is_empty() => {}
            ("effective" | "expires", Value::String(s)) => match parse_publication_date(s) {
                Some(d) if name == "effective" => options.effective = Some(d),
                Some(d) => options.expires = Some(d),
                None => errors.push(FieldError::new(
                    name,
                    "bad_datetime",
                    format!("`{s}` is not a date such as 2026-03-01T10:00:00+01:00 or 2026-03-01"),
                )),
            },
            ("comment" | "effective" | "expires", other) => errors.push(FieldError::new(
                name,
                "bad_type",
                format!("`{name}` is a string, not {other}"),
            )),
            ("include_children", other) => errors.push(FieldError::new(
                name,
                "bad_type",
                format!("`{name}` is true or false, not {other}"),
            )),
            _ => errors.push(FieldError::new(
                name,
                "unknown_member",
                format!("`{name}` is not one of comment, effective, expires, include_children"),
            )),
        }
    }
    if errors.is_empty() {
        Ok(options)
    } else {
        Err(Error::Invalid(errors))
    }
}

/// `POST /path/@workflow/{transition}`: fires it. JSON for programs
/// (plone.restapi's `{comment, effective, expires, include_children}`,
/// answering the item's new history entry), a form for the page's menu
/// (`comment` only, redirecting back to the item).
pub(super) fn post_workflow(
    req: &Req<'_>,
    path: &str,
    transition: &str,
    body: &[u8],
) -> Result<Response> {
    let form_post = is_form(req);
    let options = if form_post {
        let f = form(body);
        check_form_csrf(req, &f)?;
        TransitionOptions {
            comment: field(&f, "comment").to_owned(),
            ..TransitionOptions::default()
        }
    } else {
        check_json_csrf(req)?;
        if body.iter().all(u8::is_ascii_whitespace) {
            TransitionOptions::default()
        } else {
            transition_options(&json_body::<Value>(req, body)?)?
        }
    };
    let item = req
        .site
        .write(&req.who, |w| w.transition_with(path, transition, &options))?;
    let comment = options.comment.trim();
    let url = item_url(&req.base, &item.path);
    if form_post && req.mode == Mode::Html {
        // Back to the item, or home if the user may no longer see it.
        let to = if req.reader().get(&item.path)?.is_some() {
            url
        } else {
            format!("{}/", req.base)
        };
        let state = item.review_state.as_deref().unwrap_or_default();
        let status = super::edit::Status::new("edit-status-transitioned")
            .arg("state", state_title(req, &item, state));
        return Ok(super::edit::redirect_with(req, &to, &status));
    }
    let state = item.review_state.clone().unwrap_or_default();
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "action": transition,
            "actor": req.who.name(),
            "comments": comment,
            "review_state": state,
            "title": state_title(req, &item, &state),
            "time": item.modified.to_rfc3339(),
        }),
    ))
}

/// `GET /path/@history`: changes and transitions, for those who may see them.
pub(super) fn get_history(req: &Req<'_>, path: &str) -> Result<Response> {
    let reader = req.reader();
    let item = reader.must_get(path)?;
    // Versions (content/versions) are found by the revision they were taken at.
    let versions = crate::versions::list(req.site, &item.uid)?;
    let may_revert = reader.can(&item, security::MODIFY)?;
    let url = item_url(&req.base, &item.path);
    let entries: Vec<Value> = reader
        .history(path)?
        .into_iter()
        .rev()
        .map(|h| match h.workflow {
            Some(w) => json!({
                "type": "workflow",
                "action": w.transition,
                "transition_title": transition_title(req, &item, &w.transition),
                "prev_state": w.from,
                "review_state": w.to,
                "comments": w.comment,
                "actor": {"id": h.actor},
                "time": h.time.to_rfc3339(),
            }),
            None => {
                let version = versions
                    .iter()
                    .find(|v| v.revision == h.revision)
                    .map(|v| v.version);
                json!({
                "@id": version.map(|n| format!("{url}/@history/{n}")),
                "type": "versioning",
                "action": h.action,
                "version": version,
                "may_revert": may_revert && version.is_some(),
                "changed": h.changed,
                "comments": h.note.unwrap_or_default(),
                "actor": {"id": h.actor},
                "time": h.time.to_rfc3339(),
                })
            }
        })
        .collect();
    Ok(json_response(StatusCode::OK, &Value::Array(entries)))
}

/// `GET /path/@sharing`: who holds which local role here (plone.restapi's
/// shape: each entry's roles map says `true` (granted here), `false`, or
/// `"acquired"` (from a container, or from the workflow state)).
pub(super) fn get_sharing(req: &Req<'_>, path: &str) -> Result<Response> {
    Ok(json_response(StatusCode::OK, &sharing(req, path)?))
}

/// The `@sharing` answer's body; the sharing page draws it too.
pub(super) fn sharing(req: &Req<'_>, path: &str) -> Result<Value> {
    let reader = req.reader();
    let item = reader.must_get(path)?;
    if !reader.can(&item, security::SHARE)? {
        return Err(Error::Forbidden(format!("sharing of {path}")));
    }
    let delegable: Vec<&str> = ["Reader", "Contributor", "Editor", "Reviewer"]
        .into_iter()
        .chain(
            req.site
                .roles()
                .iter()
                .map(String::as_str)
                .filter(|r| !security::CORE_ROLES.contains(r)),
        )
        .collect();
    // Roles inherited from containers, per principal.
    let mut acquired: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if !item.block_inheritance {
        let mut cur = item.parent.clone();
        while let Some(uid) = cur {
            let Some(p) = req.site.get_by_uid(&uid)? else {
                break;
            };
            for grants in [&p.local_roles, &p.workflow_roles] {
                for (who, roles) in grants {
                    acquired
                        .entry(who.clone())
                        .or_default()
                        .extend(roles.iter().cloned());
                }
            }
            if p.block_inheritance {
                break;
            }
            cur = p.parent.clone();
        }
    }
    let mut principals: Vec<String> = item
        .local_roles
        .keys()
        .chain(item.workflow_roles.keys())
        .chain(acquired.keys())
        .cloned()
        .collect();
    principals.sort();
    principals.dedup();
    let mut entries = Vec::new();
    for p in principals {
        let (kind, title) = match req.site.user(&p)? {
            Some(u) => ("user", u.fullname),
            None => (
                "group",
                req.site
                    .group(&p)?
                    .map(|g| g.title)
                    .unwrap_or_else(|| p.clone()),
            ),
        };
        let mut roles = serde_json::Map::new();
        for r in &delegable {
            let own = item.local_roles.get(&p).is_some_and(|s| s.contains(*r));
            let wf = item.workflow_roles.get(&p).is_some_and(|s| s.contains(*r));
            let acq = acquired.get(&p).is_some_and(|s| s.iter().any(|x| x == r));
            let v = if own {
                json!(true)
            } else if wf || acq {
                json!("acquired")
            } else {
                json!(false)
            };
            roles.insert((*r).to_owned(), v);
        }
        entries.push(json!({"id": p, "title": title, "type": kind, "roles": roles}));
    }
    Ok(json!({
        "available_roles": delegable.iter().map(|r| json!({"id": r, "title": r})).collect::<Vec<_>>(),
        "entries": entries,
        "inherit": !item.block_inheritance,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SharingEntry {
    id: String,
    roles: BTreeMap<String, bool>,
    #[serde(default, rename = "type")]
    _kind: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SharingBody {
    #[serde(default)]
    entries: Vec<SharingEntry>,
    #[serde(default)]
    inherit: Option<bool>,
}

/// `POST /path/@sharing` `{entries: [{id, roles: {Role: bool}}], inherit}`:
/// grants and removes local roles, all in one write. One may only grant
/// roles one holds here.
pub(super) fn post_sharing(req: &Req<'_>, path: &str, body: &[u8]) -> Result<Response> {
    check_json_csrf(req)?;
    let b: SharingBody = json_body(req, body)?;
    let entries: Vec<(String, BTreeMap<String, bool>)> =
        b.entries.into_iter().map(|e| (e.id, e.roles)).collect();
    apply_sharing(req, path, &entries, b.inherit)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Grants and removes local roles (`(principal, {role: on})`) and sets
/// inheritance, all in one write: for `@sharing` and the sharing page.
pub(super) fn apply_sharing(
    req: &Req<'_>,
    path: &str,
    entries: &[(String, BTreeMap<String, bool>)],
    inherit: Option<bool>,
) -> Result<()> {
    req.site.write(&req.who, |w| {
        let item = w.must_get(path)?;
        w.require(&item, security::SHARE)?;
        for (id, wanted) in entries {
            let mut roles: std::collections::BTreeSet<String> =
                item.local_roles.get(id).cloned().unwrap_or_default();
            for (r, on) in wanted {
                if *on {
                    roles.insert(r.clone());
                } else {
                    roles.remove(r);
                }
            }
            let roles: Vec<String> = roles.into_iter().collect();
            w.set_local_roles(path, id, &roles)?;
        }
        if let Some(inherit) = inherit {
            w.set_block_inheritance(path, !inherit)?;
        }
        Ok(())
    })
}

/// `GET /@audit`: the audit log, newest first, batched; `?format=csv`
/// downloads it. Site administrators only.
pub(super) fn get_audit(req: &Req<'_>) -> Result<Response> {
    let q = super::req_query(req);
    let csv = req
        .query
        .unwrap_or("")
        .split('&')
        .any(|p| p == "format=csv");
    if csv {
        let (entries, _) = req.site.audit_log(&req.who, 0, usize::MAX)?;
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"audit.csv\"",
                ),
            ],
            crate::audit::to_csv(&entries),
        )
            .into_response());
    }
    let (entries, total) = req.site.audit_log(&req.who, q.b_start, q.b_size)?;
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "@id": format!("{}/@audit", req.base),
            "items": entries,
            "items_total": total,
        }),
    ))
}

/// `GET /@@workflow-diagram/{name}`: the workflow drawn as SVG.
pub(super) fn get_diagram(req: &Req<'_>, name: &str) -> Result<Response> {
    let reader = req.reader();
    let root = reader.must_get("/")?;
    if !reader.can(&root, MANAGE_SITE)? {
        return Err(Error::Forbidden("workflow diagrams".into()));
    }
    let name = name.trim_end_matches(".svg");
    let w = req
        .site
        .workflows()
        .find(|w| w.name == name)
        .ok_or_else(|| Error::NotFound(format!("workflow `{name}`")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        crate::diagram::svg(w, &req.lang),
    )
        .into_response())
}

/// `@workflow`, `@history`, `@sharing`, `@audit` and the workflow diagrams.
pub(super) fn dispatch(req: &Req<'_>, call: &super::Call) -> Option<Result<Response>> {
    use axum::http::Method;
    let path = call.path.as_str();
    let at_root = path == "/";
    Some(
        match (call.method.clone(), call.name.as_deref()?, call.rest()) {
            (Method::GET | Method::HEAD, "@workflow", None) => get_workflow(req, path),
            (Method::GET | Method::HEAD, "@history", None) => get_history(req, path),
            (Method::GET | Method::HEAD, "@sharing", None) => get_sharing(req, path),
            (Method::GET | Method::HEAD, "@audit", None) if at_root => get_audit(req),
            (Method::GET | Method::HEAD, "@@workflow-diagram", Some(name)) if at_root => {
                get_diagram(req, name)
            }
            (Method::POST, "@workflow", Some(transition)) => {
                post_workflow(req, path, transition, &call.body)
            }
            (Method::POST, "@sharing", None) => post_sharing(req, path, &call.body),
            _ => return None,
        },
    )
}
