//! Searching over the web, as plone.restapi does: `@search` (a catalog
//! query in the query string, ZPublisher's `:list`, `:int`, `:boolean`,
//! `:record` suffixes honoured) here, `@querystring` and
//! `@querystring-search` (Volto's listing blocks) in [`querystring`]. All three run
//! [`Site::search`](crate::Site::search), which answers only with what the
//! caller may view.

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::auth::{check_json_csrf, json_body};
use super::nav::{bad_param, pairs};
use super::types::with_query;
use super::{item_url, json_response, Call, Req};
use crate::error::Result;
use crate::search::{DateRange, Hit, PathQuery, Query, Results, SortOrder, DATE_INDEXES};

mod querystring;

/// Answers the calls that are this part's, `None` for the others.
pub(super) fn dispatch(req: &Req<'_>, call: &Call) -> Option<Result<Response>> {
    let reading = call.method == Method::GET || call.method == Method::HEAD;
    match call.name.as_deref()? {
        "@search" if reading && call.rest().is_none() => Some(search(req, &call.path)),
        "@querystring" if reading && call.rest().is_none() => Some(
            req.reader()
                .must_get(&call.path)
                .map(|_| json_response(StatusCode::OK, &querystring::querystring(req, &call.path))),
        ),
        "@querystring-search" if call.rest().is_none() => {
            if reading {
                Some(querystring::querystring_search_get(req, &call.path))
            } else if call.method == Method::POST {
                Some(
                    check_json_csrf(req)
                        .and_then(|()| json_body::<querystring::QuerystringBody>(req, &call.body))
                        .and_then(|b| querystring::querystring_search(req, &call.path, b, &[])),
                )
            } else {
                None
            }
        }
        _ => None,
    }
}

/// plone.restapi 10's words for true and false; anything else is refused.
fn boolean(name: &str, v: &str) -> Result<bool> {
    match v {
        "" | "1" | "y" | "yes" | "t" | "true" | "True" | "active" | "enabled" | "on" => Ok(true),
        "0" | "n" | "no" | "f" | "false" | "False" | "inactive" | "disabled" | "off" => Ok(false),
        _ => Err(bad_param(
            name,
            format!("`{v}` is not a boolean (true, false, 1, 0, yes, no, on, off)"),
        )),
    }
}

fn whole(name: &str, v: &str) -> Result<usize> {
    v.parse::<usize>()
        .map_err(|_| bad_param(name, format!("`{v}` is not a whole number")))
}

/// The query string with ZPublisher's type suffixes stripped and checked:
/// `:int` must be a number, `:boolean` a boolean (given as `true`/`false`).
fn typed_pairs(req: &Req<'_>) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for (key, value) in pairs(req) {
        let mut parts = key.split(':');
        let name = parts.next().unwrap_or("").to_owned();
        let mut value = value;
        for suffix in parts {
            match suffix {
                "list" | "tuple" | "lines" | "tokens" | "record" | "records" | "string"
                | "text" | "ustring" | "utext" | "ulines" | "utokens" | "date" | "required"
                | "ignore_empty" => {}
                "int" | "long" => {
                    value
                        .trim()
                        .parse::<i64>()
                        .map_err(|_| bad_param(&name, format!("`{value}` is not an integer")))?;
                }
                "float" => {
                    value
                        .trim()
                        .parse::<f64>()
                        .map_err(|_| bad_param(&name, format!("`{value}` is not a number")))?;
                }
                "boolean" => value = boolean(&name, &value)?.to_string(),
                other => {
                    return Err(bad_param(
                        &name,
                        format!("unknown type suffix `:{other}` (list, tuple, int, float, boolean, record, string)"),
                    ))
                }
            }
        }
        out.push((name, value));
    }
    Ok(out)
}

/// What every search answer takes besides the query itself.
struct Shape {
    fullobjects: bool,
    metadata: Vec<String>,
    limit: Option<usize>,
}

/// The keyword indexes: (Plone's name, how it fills the query).
const KEYWORD_INDEXES: &[&str] = &[
    "portal_type",
    "review_state",
    "Creator",
    "Subject",
    "Language",
];

/// The metadata columns `metadata_fields` may add to each result.
const METADATA: &[&str] = &[
    "Creator",
    "Description",
    "Language",
    "Subject",
    "Title",
    "Type",
    "UID",
    "created",
    "effective",
    "end",
    "expires",
    "getId",
    "getPath",
    "getURL",
    "id",
    "is_folderish",
    "modified",
    "portal_type",
    "review_state",
    "start",
];

/// The fields some type indexes (`index = true`).
fn indexed_fields(req: &Req<'_>) -> Vec<String> {
    let mut out: Vec<String> = req
        .site
        .schema()
        .types()
        .flat_map(|t| t.fields.iter().filter(|f| f.index).map(|f| f.name.clone()))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A path a client gives: a URL of this site, a path with or without the
/// site's id in front (Plone's physical paths start with it).
fn site_path(req: &Req<'_>, raw: &str) -> Result<String> {
    let p = raw.strip_prefix(req.base.as_str()).unwrap_or(raw);
    if p.split('/').any(|s| s == ".." || s == ".") || p.contains('\\') {
        return Err(bad_param(
            "path",
            format!("`{raw}` is not a path of this site"),
        ));
    }
    let path = format!("/{}", p.trim_matches('/'));
    let prefix = format!("/{}", req.site.id());
    if let Some(rest) = path.strip_prefix(&prefix) {
        if (rest.is_empty() || rest.starts_with('/')) && req.reader().get(&path)?.is_none() {
            return Ok(if rest.is_empty() {
                "/".into()
            } else {
                rest.to_owned()
            });
        }
    }
    Ok(path)
}

fn sort_key(name: &str) -> String {
    match name {
        "sortable_title" | "Title" => "title".into(),
        "getObjPositionInParent" => "position".into(),
        other => other.to_owned(),
    }
}

fn sort_order(v: &str) -> Result<SortOrder> {
    match v {
        "ascending" | "asc" => Ok(SortOrder::Ascending),
        "descending" | "desc" | "reverse" => Ok(SortOrder::Descending),
        _ => Err(bad_param(
            "sort_order",
            format!("`{v}` is not a sort order (ascending, descending, reverse)"),
        )),
    }
}

/// Puts `values` of a keyword index in the query.
fn keyword(q: &mut Query, index: &str, values: Vec<String>, all: bool) -> Result<()> {
    let target = match index {
        "portal_type" => &mut q.types,
        "review_state" => &mut q.review_states,
        "Creator" => &mut q.creators,
        "Subject" if all => &mut q.all_subjects,
        "Subject" => &mut q.subjects,
        "Language" => {
            let mut distinct = values.clone();
            distinct.sort();
            distinct.dedup();
            if distinct.len() > 1 {
                return Err(bad_param(
                    index,
                    "an item has one language: give one".into(),
                ));
            }
            q.language = distinct.pop();
            return Ok(());
        }
        _ => return Err(bad_param(index, format!("Unknown index: {index}"))),
    };
    target.extend(values);
    Ok(())
}

/// `@search`: a catalog query in plone.restapi's parameters.
fn search(req: &Req<'_>, context: &str) -> Result<Response> {
    let item = req.reader().must_get(context)?;
    let params = typed_pairs(req)?;
    let mut grouped: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in &params {
        grouped.entry(k.clone()).or_default().push(v.clone());
    }
    let indexed = indexed_fields(req);
    let mut q = Query::default();
    let mut shape = Shape {
        fullobjects: false,
        metadata: Vec::new(),
        limit: None,
    };
    let mut path = Some(item.path.clone());
    let mut depth: Option<u32> = None;
    for (key, values) in &grouped {
        let (index, option) = match key.split_once('.') {
            Some((i, o)) => (i, Some(o)),
            None => (key.as_str(), None),
        };
        match (index, option) {
            ("b_start", None) => q.b_start = whole(key, &values[0])?,
            ("b_size", None) => q.b_size = whole(key, &values[0])?,
            ("sort_on", None) => q.sort_on = Some(sort_key(&values[0])),
            ("sort_order", None) => q.sort_order = sort_order(&values[0])?,
            ("sort_limit", None) => shape.limit = Some(whole(key, &values[0])?),
            ("metadata_fields", None) => shape.metadata.extend(values.iter().cloned()),
            ("fullobjects", None) => shape.fullobjects = boolean(key, &values[0])?,
            ("use_site_search_settings", None) => {
                boolean(key, &values[0])?;
            }
            ("expand", _) => {}
            ("SearchableText", None | Some("query")) => {
                q.text = Some(values.join(" "));
            }
            ("path", None | Some("query")) => {
                if values.len() > 1 {
                    return Err(bad_param("path", "give one path".into()));
                }
                path = Some(site_path(req, &values[0])?);
            }
            ("path", Some("depth")) => {
                let d: i64 = values[0].trim().parse().map_err(|_| {
                    bad_param("path.depth", format!("`{}` is not a depth", values[0]))
                })?;
                depth = u32::try_from(d).ok();
            }
            (i, None | Some("query")) if KEYWORD_INDEXES.contains(&i) => {
                let all = grouped
                    .get(&format!("{i}.operator"))
                    .and_then(|v| v.first())
                    .is_some_and(|o| o == "and");
                keyword(&mut q, i, values.clone(), all)?;
            }
            (i, Some("operator")) if KEYWORD_INDEXES.contains(&i) => match values[0].as_str() {
                "or" => {}
                "and" if i == "Subject" => {}
                other => {
                    return Err(bad_param(
                        key,
                        format!("operator `{other}` is not supported here (or; and for Subject)"),
                    ))
                }
            },
            (i, None | Some("query")) if DATE_INDEXES.contains(&i) => {
                let range = grouped
                    .get(&format!("{i}.range"))
                    .and_then(|v| v.first())
                    .map(String::as_str)
                    .unwrap_or("");
                let r = match (range, values.as_slice()) {
                    ("min", [v, ..]) => DateRange {
                        min: Some(v.clone()),
                        max: None,
                    },
                    ("max", [v, ..]) => DateRange {
                        min: None,
                        max: Some(v.clone()),
                    },
                    ("min:max" | "minmax", [a, b, ..]) => DateRange {
                        min: Some(a.clone()),
                        max: Some(b.clone()),
                    },
                    ("", [v]) => DateRange {
                        min: Some(v.clone()),
                        max: Some(v.clone()),
                    },
                    _ => {
                        return Err(bad_param(
                            &format!("{i}.range"),
                            format!("`{range}` with {} value(s): use min or max with one date, min:max with two", values.len()),
                        ))
                    }
                };
                q.dates.insert(i.to_owned(), r);
            }
            (i, Some("range")) if DATE_INDEXES.contains(&i) => {}
            (i, None | Some("query")) if indexed.iter().any(|f| f == i) => {
                if values.len() > 1 {
                    return Err(bad_param(i, format!("give one value for `{i}`")));
                }
                q.fields.insert(i.to_owned(), values[0].clone());
            }
            _ => {
                return Err(bad_param(
                    key,
                    format!("Unknown index: `{key}` (indexes: path, portal_type, review_state, SearchableText, Subject, Creator, Language, {}{}{})",
                        DATE_INDEXES.join(", "),
                        if indexed.is_empty() { "" } else { ", " },
                        indexed.join(", ")),
                ))
            }
        }
    }
    q.path = path.map(|p| PathQuery { path: p, depth });
    let url = format!("{}/@search", item_url(&req.base, &item.path));
    let kept: Vec<(String, String)> = pairs(req)
        .into_iter()
        .filter(|(k, _)| !k.starts_with("b_start") && !k.starts_with("b_size"))
        .collect();
    let shape_start = q.b_start;
    let shape_size = q.b_size;
    answer(req, &url, &kept, q, &shape, shape_start, shape_size)
}

/// Runs the query and answers the collection, batched.
fn answer(
    req: &Req<'_>,
    url: &str,
    kept: &[(String, String)],
    mut q: Query,
    shape: &Shape,
    start: usize,
    size: usize,
) -> Result<Response> {
    // A search returns at most 1,000 results at once: larger batches are
    // cut to that, and their links say so.
    let size = size.min(1000);
    q.b_size = q.b_size.min(1000);
    if let Some(limit) = shape.limit {
        // Only the first `limit` results exist for this answer.
        let end = start.saturating_add(size).min(limit);
        q.b_size = end.saturating_sub(start);
    }
    let results: Results = req.site.search(&req.who, &q)?;
    let total = shape.limit.map_or(results.total, |l| results.total.min(l));
    let mut items = Vec::new();
    for hit in &results.items {
        if shape.fullobjects {
            if let Some(item) = req.reader().get_by_uid(&hit.uid)? {
                items.push(super::serialize_plain(req, &item)?);
            }
        } else {
            items.push(hit_summary(req, hit, &shape.metadata)?);
        }
    }
    let mut out = json!({
        "@id": with_query(url, kept),
        "items": items,
        "items_total": total,
    });
    if let Some(b) = batching(url, kept, start, size, total) {
        out["batching"] = b;
    }
    Ok(json_response(StatusCode::OK, &out))
}

/// plone.restapi's `batching` links, kept parameters included; `None`
/// when everything fits in one page.
pub(super) fn batching(
    url: &str,
    kept: &[(String, String)],
    start: usize,
    size: usize,
    total: usize,
) -> Option<Value> {
    if size == 0 || total <= size {
        return None;
    }
    let link = |s: usize| {
        let mut p = kept.to_vec();
        p.push(("b_start".into(), s.to_string()));
        p.push(("b_size".into(), size.to_string()));
        with_query(url, &p)
    };
    let last = (total - 1) / size * size;
    let mut b = Map::new();
    b.insert("@id".into(), json!(link(start)));
    b.insert("first".into(), json!(link(0)));
    b.insert("last".into(), json!(link(last)));
    if start > 0 {
        b.insert("prev".into(), json!(link(start.saturating_sub(size))));
    }
    if start.saturating_add(size) < total {
        b.insert("next".into(), json!(link(start + size)));
    }
    Some(Value::Object(b))
}

/// One result in plone.restapi's summary shape, with the metadata asked.
fn hit_summary(req: &Req<'_>, hit: &Hit, metadata: &[String]) -> Result<Value> {
    let type_title = req
        .site
        .schema()
        .get(&hit.type_name)
        .map(|t| t.title.get(&req.lang).to_owned())
        .unwrap_or_default();
    let url = item_url(&req.base, &hit.path);
    let state = (!hit.review_state.is_empty()).then(|| hit.review_state.clone());
    let mut out = Map::new();
    out.insert("@id".into(), json!(url));
    out.insert("@type".into(), json!(hit.type_name));
    out.insert("description".into(), json!(hit.description));
    out.insert("review_state".into(), json!(state));
    out.insert("title".into(), json!(hit.title));
    out.insert("type_title".into(), json!(type_title));
    let wanted: Vec<&str> = if metadata.iter().any(|m| m == "_all") {
        METADATA.to_vec()
    } else {
        // Columns this server does not keep are left out, as Plone leaves
        // out the ones its catalog lacks.
        METADATA
            .iter()
            .copied()
            .filter(|m| metadata.iter().any(|x| x == m))
            .collect()
    };
    if wanted.is_empty() {
        return Ok(Value::Object(out));
    }
    let Some(item) = req.reader().get_by_uid(&hit.uid)? else {
        return Ok(Value::Object(out));
    };
    let date = |name: &str| -> Value {
        match name {
            "created" => json!(item.created.to_rfc3339()),
            "modified" => json!(item.modified.to_rfc3339()),
            other => item.field(other).cloned().unwrap_or(Value::Null),
        }
    };
    for m in wanted {
        let v = match m {
            "Creator" => json!(item.creator),
            "Description" => json!(item.description()),
            "Language" => json!(item.language.clone().unwrap_or_else(|| req
                .site
                .config()
                .default_language
                .clone())),
            "Subject" => item
                .field("subjects")
                .or_else(|| item.field("subject"))
                .cloned()
                .unwrap_or_else(|| json!([])),
            "Title" => json!(item.title()),
            "Type" => json!(type_title),
            "UID" => json!(item.uid),
            "getId" | "id" => json!(item.id),
            "getPath" => json!(item.path),
            "getURL" => json!(url),
            "is_folderish" => json!(req
                .site
                .schema()
                .get(&item.type_name)
                .is_some_and(|t| t.container)),
            "portal_type" => json!(item.type_name),
            "review_state" => json!(state),
            d => date(d),
        };
        out.insert(m.to_owned(), v);
    }
    Ok(Value::Object(out))
}
