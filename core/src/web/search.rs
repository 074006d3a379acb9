//! Searching over the web, as plone.restapi does: `@search` (a catalog
//! query in the query string, ZPublisher's `:list`, `:int`, `:boolean`,
//! `:record` suffixes honoured), `@querystring` (the indexes and operations
//! this server supports) and `@querystring-search` (Volto's listing
//! blocks: a list of `{i, o, v}` criteria). All three run
//! [`Site::search`](crate::Site::search), which answers only with what the
//! caller may view.

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::auth::{check_json_csrf, json_body};
use super::nav::{bad_param, message, pairs};
use super::types::with_query;
use super::{item_url, json_response, Call, Req};
use crate::error::Result;
use crate::search::{DateRange, Hit, PathQuery, Query, Results, SortOrder, DATE_INDEXES};

/// Answers the calls that are this part's, `None` for the others.
pub(super) fn dispatch(req: &Req<'_>, call: &Call) -> Option<Result<Response>> {
    let reading = call.method == Method::GET || call.method == Method::HEAD;
    match call.name.as_deref()? {
        "@search" if reading && call.rest().is_none() => Some(search(req, &call.path)),
        "@querystring" if reading && call.rest().is_none() => Some(
            req.reader()
                .must_get(&call.path)
                .map(|_| json_response(StatusCode::OK, &querystring(req, &call.path))),
        ),
        "@querystring-search" if call.rest().is_none() => {
            if reading {
                Some(querystring_search_get(req, &call.path))
            } else if call.method == Method::POST {
                Some(
                    check_json_csrf(req)
                        .and_then(|()| json_body::<QuerystringBody>(req, &call.body))
                        .and_then(|b| querystring_search(req, &call.path, b, &[])),
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
        if (rest.is_empty() || rest.starts_with('/')) && req.site.get(&path)?.is_none() {
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

// ---- @querystring and @querystring-search ----

const OP: &str = "plone.app.querystring.operation.";

/// The operations, each with its title's message key and its widget.
const OPERATIONS: &[(&str, &str, Option<&str>)] = &[
    (
        "selection.any",
        "nav-op-any",
        Some("MultipleSelectionWidget"),
    ),
    (
        "selection.all",
        "nav-op-all",
        Some("MultipleSelectionWidget"),
    ),
    ("string.is", "nav-op-is", Some("StringWidget")),
    ("string.contains", "nav-op-contains", Some("StringWidget")),
    ("date.lessThan", "nav-op-less-than", Some("DateWidget")),
    ("date.largerThan", "nav-op-larger-than", Some("DateWidget")),
    ("date.between", "nav-op-between", Some("DateRangeWidget")),
    ("date.today", "nav-op-today", None),
    ("date.afterToday", "nav-op-after-today", None),
    ("date.beforeToday", "nav-op-before-today", None),
    (
        "date.lessThanRelativeDate",
        "nav-op-less-than-relative",
        Some("RelativeDateWidget"),
    ),
    (
        "date.moreThanRelativeDate",
        "nav-op-more-than-relative",
        Some("RelativeDateWidget"),
    ),
    (
        "string.absolutePath",
        "nav-op-absolute-path",
        Some("ReferenceWidget"),
    ),
    (
        "string.relativePath",
        "nav-op-relative-path",
        Some("RelativePathWidget"),
    ),
    ("string.path", "nav-op-path", Some("ReferenceWidget")),
];

const SELECTION_OPS: &[&str] = &["selection.any", "selection.all", "string.is"];
const DATE_OPS: &[&str] = &[
    "date.lessThan",
    "date.largerThan",
    "date.between",
    "date.today",
    "date.afterToday",
    "date.beforeToday",
    "date.lessThanRelativeDate",
    "date.moreThanRelativeDate",
];
const PATH_OPS: &[&str] = &["string.absolutePath", "string.relativePath", "string.path"];

/// An index `@querystring` describes: its name, its title's message key
/// (empty: a field's own label), its group, operations and vocabulary.
type IndexInfo = (
    String,
    String,
    &'static str,
    Vec<&'static str>,
    Option<&'static str>,
);

/// The indexes `@querystring` describes.
fn indexes(req: &Req<'_>) -> Vec<IndexInfo> {
    let mut out = vec![
        (
            "portal_type".to_owned(),
            "nav-index-portal-type".to_owned(),
            "Metadata",
            SELECTION_OPS.to_vec(),
            Some("plone.app.vocabularies.ReallyUserFriendlyTypes"),
        ),
        (
            "review_state".into(),
            "nav-index-review-state".into(),
            "Metadata",
            SELECTION_OPS.to_vec(),
            Some("plone.app.vocabularies.WorkflowStates"),
        ),
        (
            "Subject".into(),
            "nav-index-subject".into(),
            "Text",
            SELECTION_OPS.to_vec(),
            Some("plone.app.vocabularies.Keywords"),
        ),
        (
            "Creator".into(),
            "nav-index-creator".into(),
            "Metadata",
            vec!["string.is", "selection.any"],
            None,
        ),
        (
            "Language".into(),
            "nav-index-language".into(),
            "Metadata",
            vec!["selection.any", "string.is"],
            Some("plone.app.vocabularies.SupportedContentLanguages"),
        ),
        (
            "SearchableText".into(),
            "nav-index-searchable-text".into(),
            "Text",
            vec!["string.contains"],
            None,
        ),
        (
            "path".into(),
            "nav-index-path".into(),
            "Metadata",
            PATH_OPS.to_vec(),
            None,
        ),
    ];
    for d in DATE_INDEXES {
        out.push((
            (*d).to_owned(),
            format!("nav-index-{d}"),
            "Dates",
            DATE_OPS.to_vec(),
            None,
        ));
    }
    for f in indexed_fields(req) {
        out.push((
            f,
            String::new(),
            "Fields",
            vec!["string.is", "selection.any"],
            None,
        ));
    }
    out
}

/// The title of an indexed field: its label in the first type declaring it.
fn field_title(req: &Req<'_>, name: &str) -> String {
    req.site
        .schema()
        .types()
        .find_map(|t| t.field(name).filter(|f| f.index))
        .map(|f| f.title.get(&req.lang).to_owned())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| name.to_owned())
}

/// `@querystring`: what `@querystring-search` understands, titles translated.
fn querystring(req: &Req<'_>, context: &str) -> Value {
    let mut indexes_out = Map::new();
    for (name, key, group, ops, vocabulary) in indexes(req) {
        let title = if key.is_empty() {
            field_title(req, &name)
        } else {
            message(req, &key)
        };
        let mut operators = Map::new();
        for op in &ops {
            if let Some((_, k, widget)) = OPERATIONS.iter().find(|(o, _, _)| o == op) {
                operators.insert(
                    format!("{OP}{op}"),
                    json!({
                        "title": message(req, k),
                        "description": "",
                        "operation": format!("{OP}{op}"),
                        "widget": widget,
                    }),
                );
            }
        }
        let mut entry = json!({
            "title": title,
            "description": "",
            "enabled": true,
            "sortable": DATE_INDEXES.contains(&name.as_str()),
            "group": group,
            "operations": ops.iter().map(|o| format!("{OP}{o}")).collect::<Vec<_>>(),
            "operators": operators,
            "vocabulary": vocabulary,
            "fetch_vocabulary": vocabulary.is_some(),
            "values": {},
        });
        if let Some(v) = vocabulary {
            entry["values"] = vocabulary_values(req, v);
        }
        indexes_out.insert(name, entry);
    }
    let mut sortable = Map::new();
    let sorts: Vec<(String, String)> = [
        ("sortable_title", "nav-sort-title"),
        ("getObjPositionInParent", "nav-sort-position"),
        ("path", "nav-index-path"),
        ("relevance", "nav-sort-relevance"),
    ]
    .iter()
    .map(|(n, k)| ((*n).to_owned(), message(req, k)))
    .chain(
        DATE_INDEXES
            .iter()
            .map(|d| ((*d).to_owned(), message(req, &format!("nav-index-{d}")))),
    )
    .collect();
    for (name, title) in sorts {
        sortable.insert(
            name,
            json!({"title": title, "description": "", "enabled": true, "sortable": true}),
        );
    }
    json!({
        "@id": format!("{}/@querystring", item_url(&req.base, context)),
        "indexes": indexes_out,
        "sortable_indexes": sortable,
    })
}

/// A built-in vocabulary's terms as `{token: {title}}`.
fn vocabulary_values(req: &Req<'_>, name: &str) -> Value {
    let mut out = Map::new();
    let lang = req.lang.as_str();
    match name {
        "plone.app.vocabularies.ReallyUserFriendlyTypes" => {
            for t in req.site.schema().types() {
                out.insert(t.name.clone(), json!({"title": t.title.get(lang)}));
            }
        }
        "plone.app.vocabularies.WorkflowStates" => {
            for wf in req.site.workflows() {
                for s in &wf.states {
                    out.insert(s.id.clone(), json!({"title": s.title.get(lang)}));
                }
            }
        }
        "plone.app.vocabularies.SupportedContentLanguages" => {
            for l in &req.site.config().languages {
                out.insert(
                    l.clone(),
                    json!({"title": message(req, &format!("nav-language-{l}"))}),
                );
            }
        }
        // Subjects depend on who asks: fetched from the vocabulary.
        _ => {}
    }
    Value::Object(out)
}

/// One criterion of `@querystring-search`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Criterion {
    i: String,
    o: String,
    #[serde(default)]
    v: Value,
}

/// The body of `@querystring-search` (other members clients send are ignored).
#[derive(Deserialize, Default)]
struct QuerystringBody {
    #[serde(default)]
    query: Vec<Criterion>,
    #[serde(default)]
    sort_on: Option<String>,
    #[serde(default)]
    sort_order: Option<Value>,
    #[serde(default)]
    b_start: Option<Value>,
    #[serde(default)]
    b_size: Option<Value>,
    #[serde(default)]
    limit: Option<Value>,
    #[serde(default)]
    fullobjects: Option<Value>,
    #[serde(default)]
    metadata_fields: Option<Value>,
}

/// `GET @querystring-search?query=<the body as JSON>`.
fn querystring_search_get(req: &Req<'_>, context: &str) -> Result<Response> {
    let raw = pairs(req)
        .into_iter()
        .find(|(k, _)| k == "query")
        .map(|(_, v)| v)
        .unwrap_or_else(|| "{}".into());
    // Batching links repeat the query, without the batch it asked.
    let kept = [("query".to_owned(), raw.clone())];
    let value: Value =
        serde_json::from_str(&raw).map_err(|e| bad_param("query", format!("not JSON: {e}")))?;
    // A bare list of criteria is the query alone.
    let value = if value.is_array() {
        json!({"query": value})
    } else {
        value
    };
    let mut body: QuerystringBody = serde_json::from_value(value)
        .map_err(|e| bad_param("query", format!("not a querystring search: {e}")))?;
    // The batch asked in the address (the batching links) wins.
    for (k, v) in pairs(req) {
        match k.as_str() {
            "b_start" => body.b_start = Some(Value::String(v)),
            "b_size" => body.b_size = Some(Value::String(v)),
            _ => {}
        }
    }
    querystring_search(req, context, body, &kept)
}

/// A number given as a number or a string.
fn number(name: &str, v: &Option<Value>) -> Result<Option<usize>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .map(|n| Some(n as usize))
            .ok_or_else(|| bad_param(name, format!("`{n}` is not a whole number"))),
        Some(Value::String(s)) => whole(name, s).map(Some),
        Some(other) => Err(bad_param(name, format!("`{other}` is not a whole number"))),
    }
}

fn strings_of(name: &str, v: &Value) -> Result<Vec<String>> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(a) => a
            .iter()
            .map(|x| match x {
                Value::String(s) => Ok(s.clone()),
                other => Err(bad_param(name, format!("`{other}` is not a string"))),
            })
            .collect(),
        Value::Null => Ok(Vec::new()),
        other => Err(bad_param(
            name,
            format!("`{other}` is not a string or a list of strings"),
        )),
    }
}

fn one_string(name: &str, v: &Value) -> Result<String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(bad_param(name, format!("`{other}` is not a single value"))),
    }
}

/// A path criterion's value: `path::depth` (or a uid), relative ones from the context.
fn path_criterion(req: &Req<'_>, context: &str, op: &str, v: &Value) -> Result<PathQuery> {
    let raw = one_string("path", v)?;
    let (p, depth) = match raw.split_once("::") {
        Some((p, d)) => {
            let d: i64 = d
                .trim()
                .parse()
                .map_err(|_| bad_param("path", format!("`{d}` is not a depth")))?;
            (p.to_owned(), u32::try_from(d).ok())
        }
        None => (raw.clone(), None),
    };
    let path = if op == "string.relativePath" {
        let mut at: Vec<String> = context
            .split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        for seg in p.split('/').filter(|s| !s.is_empty()) {
            match seg {
                "." => {}
                ".." => {
                    at.pop();
                }
                s => at.push(s.to_owned()),
            }
        }
        format!("/{}", at.join("/"))
    } else if crate::text::is_uid(&p) {
        match req.reader().get_by_uid(&p)? {
            Some(item) => item.path,
            None => return Err(bad_param("path", format!("no item with uid `{p}`"))),
        }
    } else {
        site_path(req, &p)?
    };
    Ok(PathQuery { path, depth })
}

/// `POST @querystring-search`: Volto's criteria turned into a search.
fn querystring_search(
    req: &Req<'_>,
    context: &str,
    body: QuerystringBody,
    kept: &[(String, String)],
) -> Result<Response> {
    let item = req.reader().must_get(context)?;
    let mut q = Query::default();
    let mut nothing = false;
    let today = Utc::now().date_naive();
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let now = Utc::now().to_rfc3339();
    let indexed = indexed_fields(req);
    for c in &body.query {
        let op = c.o.strip_prefix(OP).unwrap_or(&c.o);
        if !OPERATIONS.iter().any(|(o, _, _)| *o == op) {
            return Err(bad_param(
                "query",
                format!("unknown operation `{}` on `{}`", c.o, c.i),
            ));
        }
        let index = c.i.as_str();
        if index == "path" {
            if !PATH_OPS.contains(&op) {
                return Err(bad_param(
                    "query",
                    format!("`{}` does not apply to path", c.o),
                ));
            }
            q.path = Some(path_criterion(req, &item.path, op, &c.v)?);
        } else if index == "SearchableText" {
            if op != "string.contains" && op != "string.is" {
                return Err(bad_param(
                    "query",
                    format!("`{}` does not apply to SearchableText", c.o),
                ));
            }
            q.text = Some(one_string(index, &c.v)?);
        } else if DATE_INDEXES.contains(&index) {
            let value = |v: &Value| one_string(index, v);
            let range = match op {
                "date.lessThan" => DateRange {
                    min: None,
                    max: Some(value(&c.v)?),
                },
                "date.largerThan" => DateRange {
                    min: Some(value(&c.v)?),
                    max: None,
                },
                "date.between" => {
                    let v = strings_of(index, &c.v)?;
                    match v.as_slice() {
                        [a, b] => DateRange {
                            min: (!a.is_empty()).then(|| a.clone()),
                            max: (!b.is_empty()).then(|| b.clone()),
                        },
                        _ => return Err(bad_param(index, "between takes two dates".into())),
                    }
                }
                "date.today" => DateRange {
                    min: Some(day(today)),
                    max: Some(day(today)),
                },
                "date.afterToday" => DateRange {
                    min: Some(now.clone()),
                    max: None,
                },
                "date.beforeToday" => DateRange {
                    min: None,
                    max: Some(now.clone()),
                },
                "date.lessThanRelativeDate" | "date.moreThanRelativeDate" => {
                    let n: i64 = value(&c.v)?.trim().parse().map_err(|_| {
                        bad_param(index, format!("`{}` is not a number of days", c.v))
                    })?;
                    let n = n.clamp(-100_000, 100_000);
                    let other = today + Duration::days(n);
                    if op == "date.lessThanRelativeDate" {
                        let (a, b) = if n < 0 {
                            (other, today)
                        } else {
                            (today, other)
                        };
                        DateRange {
                            min: Some(day(a)),
                            max: Some(day(b)),
                        }
                    } else {
                        DateRange {
                            min: Some(day(other)),
                            max: None,
                        }
                    }
                }
                _ => {
                    return Err(bad_param(
                        "query",
                        format!("`{}` does not apply to dates", c.o),
                    ))
                }
            };
            q.dates.insert(index.to_owned(), range);
        } else if KEYWORD_INDEXES.contains(&index) || indexed.iter().any(|f| f == index) {
            if !SELECTION_OPS.contains(&op) {
                return Err(bad_param(
                    "query",
                    format!("`{}` does not apply to {index}", c.o),
                ));
            }
            let values = strings_of(index, &c.v)?;
            let all = op == "selection.all";
            if indexed.iter().any(|f| f == index) && !KEYWORD_INDEXES.contains(&index) {
                let mut distinct = values.clone();
                distinct.sort();
                distinct.dedup();
                match distinct.as_slice() {
                    [v] => {
                        q.fields.insert(index.to_owned(), v.clone());
                    }
                    [] => {}
                    _ if all => nothing = true,
                    _ => return Err(bad_param(index, format!("give one value for `{index}`"))),
                }
            } else if all && index != "Subject" {
                // A single-valued index holds all of several values never.
                let mut distinct = values.clone();
                distinct.sort();
                distinct.dedup();
                if distinct.len() > 1 {
                    nothing = true;
                }
                keyword(&mut q, index, distinct, false)?;
            } else {
                keyword(&mut q, index, values, all)?;
            }
        } else {
            return Err(bad_param("query", format!("Unknown index: `{index}`")));
        }
    }
    if let Some(s) = &body.sort_on {
        q.sort_on = Some(sort_key(s));
    }
    match &body.sort_order {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => q.sort_order = sort_order(s)?,
        Some(Value::Bool(true)) => q.sort_order = SortOrder::Descending,
        Some(Value::Bool(false)) => {}
        Some(other) => {
            return Err(bad_param(
                "sort_order",
                format!("`{other}` is not a sort order"),
            ))
        }
    }
    q.b_start = number("b_start", &body.b_start)?.unwrap_or(0);
    q.b_size = number("b_size", &body.b_size)?.unwrap_or(25);
    let fullobjects = match &body.fullobjects {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_u64() == Some(1),
        Some(Value::String(s)) => boolean("fullobjects", s)?,
        Some(other) => {
            return Err(bad_param(
                "fullobjects",
                format!("`{other}` is not a boolean"),
            ))
        }
    };
    let metadata = match &body.metadata_fields {
        None => Vec::new(),
        Some(v) => strings_of("metadata_fields", v)?,
    };
    let shape = Shape {
        fullobjects,
        metadata,
        limit: number("limit", &body.limit)?,
    };
    let url = format!("{}/@querystring-search", item_url(&req.base, &item.path));
    let (start, size) = (q.b_start, q.b_size);
    if nothing {
        let mut q = q;
        q.b_size = 0;
        let shape = Shape {
            limit: Some(0),
            ..shape
        };
        return answer(req, &url, kept, q, &shape, start, size);
    }
    answer(req, &url, kept, q, &shape, start, size)
}
