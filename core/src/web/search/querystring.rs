//! Volto's listings: `@querystring` (the indexes and operations this
//! server supports, titles translated) and `@querystring-search` (a list
//! of `{i, o, v}` criteria, by POST or by GET with `?query=`), turned into
//! one [`Query`] and answered like `@search`.

use axum::response::Response;
use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::super::nav::{bad_param, message, pairs};
use super::super::{item_url, Req};
use super::{
    answer, boolean, indexed_fields, keyword, site_path, sort_key, sort_order, whole, Shape,
    KEYWORD_INDEXES,
};
use crate::error::Result;
use crate::search::{DateRange, PathQuery, Query, SortOrder, DATE_INDEXES};

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
pub(super) fn querystring(req: &Req<'_>, context: &str) -> Value {
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
            for l in &req.site.settings_or_config().languages {
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
pub(super) struct QuerystringBody {
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
pub(super) fn querystring_search_get(req: &Req<'_>, context: &str) -> Result<Response> {
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
pub(super) fn querystring_search(
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
