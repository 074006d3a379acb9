//! Types and vocabularies over the web (plone.restapi): `@types` (what may
//! be added here), `@types/{name}` (a type as JSON Schema, which clients
//! build their forms from), `@types/{name}/{field}`, `@vocabularies` and
//! `@sources/{field}`. Types are declared in modules' TOML: editing them
//! over the web is refused with 405.

use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::nav::{bad_param, message, pairs};
use super::{error_response, item_url, json_response, Call, Req};
use crate::error::{Error, Result};
use crate::item::Item;
use crate::schema::{FieldDef, FieldKind, TypeDef};
use crate::security;

/// The vocabularies the core builds from the site itself, besides the
/// modules' own: Plone's names, so Plone's clients find them.
const TYPES_VOCABULARY: &str = "plone.app.vocabularies.ReallyUserFriendlyTypes";
const STATES_VOCABULARY: &str = "plone.app.vocabularies.WorkflowStates";
const LANGUAGES_VOCABULARY: &str = "plone.app.vocabularies.SupportedContentLanguages";
const KEYWORDS_VOCABULARY: &str = "plone.app.vocabularies.Keywords";
const BUILT_IN: &[&str] = &[
    KEYWORDS_VOCABULARY,
    TYPES_VOCABULARY,
    LANGUAGES_VOCABULARY,
    STATES_VOCABULARY,
];

/// Answers the calls that are this part's, `None` for the others.
pub(super) fn dispatch(req: &Req<'_>, call: &Call) -> Option<Result<Response>> {
    let name = call.name.as_deref()?;
    if !matches!(name, "@types" | "@vocabularies" | "@sources") {
        return None;
    }
    let reading = call.method == Method::GET || call.method == Method::HEAD;
    if !reading {
        // Types and vocabularies come from the modules' files.
        let mut r = error_response(
            req,
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            req.asked.as_str(),
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return Some(Ok(r));
    }
    let rest: Vec<&str> = call
        .rest()
        .map(|r| r.split('/').collect())
        .unwrap_or_default();
    let answer = match (name, rest.as_slice()) {
        ("@types", []) => req
            .reader()
            .must_get(&call.path)
            .and_then(|item| types_list(req, &item))
            .map(|v| json_response(StatusCode::OK, &v)),
        // A type's schema is for those who edit, as in plone.restapi.
        ("@types", [_, ..]) if !req.who.is_authenticated() => {
            Err(Error::Unauthorized("log in to read a type's schema".into()))
        }
        ("@types", [type_name]) => type_schema(req, type_name).map(schema_response),
        ("@types", [type_name, field]) => field_schema(req, type_name, field).map(schema_response),
        ("@vocabularies", []) => Ok(json_response(StatusCode::OK, &vocabulary_list(req))),
        ("@vocabularies", [vocabulary]) => {
            let url = format!("{}/@vocabularies/{vocabulary}", req.base);
            terms(req, vocabulary)
                .and_then(|t| batch_terms(req, &url, t))
                .map(|v| json_response(StatusCode::OK, &v))
        }
        ("@sources", [field]) => sources(req, &call.path, field),
        _ => Err(Error::NotFound(format!("{}/{name}", call.path))),
    };
    Some(answer)
}

fn schema_response(v: Value) -> Response {
    let mut r = json_response(StatusCode::OK, &v);
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json+schema"),
    );
    r
}

/// The types the reader may add in `item`: allowed there, and with the
/// `Add <type>` permission.
pub(super) fn addable_types(req: &Req<'_>, item: &Item) -> Result<Vec<String>> {
    let schema = req.site.schema();
    let Some(parent) = schema.get(&item.type_name) else {
        return Ok(Vec::new());
    };
    let reader = req.reader();
    let mut out = Vec::new();
    for t in schema.types() {
        if schema.allows(parent, t) && reader.can(item, &security::add_permission(&t.name))? {
            out.push(t.name.clone());
        }
    }
    Ok(out)
}

/// `@types`: a bare array of every type, by title, `addable` in `item`.
pub(super) fn types_list(req: &Req<'_>, item: &Item) -> Result<Value> {
    let addable = addable_types(req, item)?;
    let mut types: Vec<&TypeDef> = req.site.schema().types().collect();
    types.sort_by_key(|t| crate::text::slugify(t.title.get(&req.lang)));
    Ok(Value::Array(
        types
            .into_iter()
            .map(|t| {
                let may = addable.contains(&t.name);
                json!({
                    "@id": format!("{}/@types/{}", req.base, super::encode_path(&t.name)),
                    "id": t.name,
                    "title": t.title.get(&req.lang),
                    "addable": may,
                    "immediately_addable": may,
                })
            })
            .collect(),
    ))
}

fn find_type<'s>(req: &'s Req<'_>, name: &str) -> Result<&'s TypeDef> {
    req.site
        .schema()
        .get(name)
        .ok_or_else(|| Error::NotFound(format!("@types/{name}")))
}

/// `@types/{name}`: the type as JSON Schema.
fn type_schema(req: &Req<'_>, name: &str) -> Result<Value> {
    let ty = find_type(req, name)?;
    let mut properties = Map::new();
    for f in &ty.fields {
        properties.insert(f.name.clone(), field_property(req, f));
    }
    let required: Vec<&str> = ty
        .fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.name.as_str())
        .collect();
    Ok(json!({
        "title": ty.title.get(&req.lang),
        "description": ty.description.get(&req.lang),
        "type": "object",
        "required": required,
        "fieldsets": [{
            "id": "default",
            "title": message(req, "nav-fieldset-default"),
            "behavior": "plone",
            "fields": ty.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
        }],
        "layouts": [ty.default_view],
        "properties": properties,
    }))
}

/// `@types/{name}/{field}`: one field's JSON Schema.
fn field_schema(req: &Req<'_>, name: &str, field: &str) -> Result<Value> {
    let ty = find_type(req, name)?;
    let f = ty
        .field(field)
        .ok_or_else(|| Error::NotFound(format!("@types/{name}/{field}")))?;
    Ok(field_property(req, f))
}

/// A vocabulary's choices as `[[token, title]]`, translated.
fn choices(req: &Req<'_>, vocabulary: &str) -> Vec<(String, String)> {
    terms(req, vocabulary).unwrap_or_default()
}

fn field_property(req: &Req<'_>, f: &FieldDef) -> Value {
    let lang = req.lang.as_str();
    let mut p = Map::new();
    p.insert("title".into(), json!(f.title.get(lang)));
    p.insert("description".into(), json!(f.description.get(lang)));
    let (kind, factory, widget): (&str, &str, Option<&str>) = match f.kind {
        FieldKind::Text => ("string", "Text line (String)", None),
        FieldKind::Textarea => ("string", "Text", Some("textarea")),
        FieldKind::Richtext => ("string", "Rich Text", Some("richtext")),
        FieldKind::Integer => ("integer", "Integer", None),
        FieldKind::Decimal => ("number", "Floating-point number", None),
        FieldKind::Bool => ("boolean", "Yes/No", None),
        FieldKind::Date => ("string", "Date", Some("date")),
        FieldKind::Datetime => ("string", "Date/Time", Some("datetime")),
        FieldKind::Choice => ("string", "Choice", None),
        FieldKind::MultiChoice => ("array", "List", None),
        FieldKind::Email => ("string", "Email", Some("email")),
        FieldKind::Url => ("string", "URL", Some("url")),
        FieldKind::Phone => ("string", "Text line (String)", Some("phone")),
        FieldKind::File => ("object", "File Upload", Some("file")),
        FieldKind::Image => ("object", "Image", Some("image")),
        FieldKind::Reference => ("string", "Relation Choice", Some("object_browser")),
        FieldKind::Address => ("object", "Address", Some("address")),
    };
    p.insert("type".into(), json!(kind));
    p.insert("factory".into(), json!(factory));
    if let Some(w) = widget {
        p.insert("widget".into(), json!(w));
    }
    match f.kind {
        FieldKind::Date => {
            p.insert("format".into(), json!("date"));
        }
        FieldKind::Datetime => {
            p.insert("format".into(), json!("date-time"));
        }
        FieldKind::Email => {
            p.insert("format".into(), json!("email"));
        }
        FieldKind::Url => {
            p.insert("format".into(), json!("uri"));
        }
        FieldKind::Address => {
            p.insert("required".into(), json!(["street", "postcode", "locality"]));
            p.insert(
                "properties".into(),
                json!({
                    "street": {"type": "string"},
                    "postcode": {"type": "string"},
                    "locality": {"type": "string"},
                    "country": {"type": "string"},
                    "lat": {"type": "number"},
                    "lon": {"type": "number"},
                }),
            );
        }
        _ => {}
    }
    if let Some(m) = f.max_length {
        p.insert("maxLength".into(), json!(m));
    }
    if let Some(m) = f.min {
        p.insert("minimum".into(), json!(m));
    }
    if let Some(m) = f.max {
        p.insert("maximum".into(), json!(m));
    }
    if let Some(d) = &f.default {
        p.insert("default".into(), d.clone());
    }
    if let Some(voc) = &f.vocabulary {
        let link =
            json!({"@id": format!("{}/@vocabularies/{}", req.base, super::encode_path(voc))});
        let terms = choices(req, voc);
        let mut choice = Map::new();
        choice.insert("vocabulary".into(), link.clone());
        choice.insert(
            "choices".into(),
            json!(terms.iter().map(|(t, n)| [t, n]).collect::<Vec<_>>()),
        );
        choice.insert(
            "enum".into(),
            json!(terms.iter().map(|(t, _)| t).collect::<Vec<_>>()),
        );
        choice.insert(
            "enumNames".into(),
            json!(terms.iter().map(|(_, n)| n).collect::<Vec<_>>()),
        );
        if f.kind == FieldKind::MultiChoice {
            let mut items = choice;
            items.insert("type".into(), json!("string"));
            items.insert("factory".into(), json!("Choice"));
            p.insert("items".into(), Value::Object(items));
            p.insert("uniqueItems".into(), json!(true));
            p.insert("widgetOptions".into(), json!({"vocabulary": link}));
        } else {
            p.extend(choice);
        }
    }
    Value::Object(p)
}

/// `@vocabularies`: every vocabulary's name, as a bare array.
fn vocabulary_list(req: &Req<'_>) -> Value {
    let mut names: Vec<String> = BUILT_IN.iter().map(|n| (*n).to_owned()).collect();
    names.extend(req.site.schema().vocabularies().map(|v| v.name.clone()));
    names.sort();
    names.dedup();
    Value::Array(
        names
            .into_iter()
            .map(|n| {
                json!({
                    "@id": format!("{}/@vocabularies/{}", req.base, super::encode_path(&n)),
                    "title": n,
                })
            })
            .collect(),
    )
}

/// A vocabulary's terms as (token, title in the request's language).
fn terms(req: &Req<'_>, name: &str) -> Result<Vec<(String, String)>> {
    let lang = req.lang.as_str();
    let site = req.site;
    Ok(match name {
        TYPES_VOCABULARY => {
            let mut t: Vec<(String, String)> = site
                .schema()
                .types()
                .map(|t| (t.name.clone(), t.title.get(lang).to_owned()))
                .collect();
            t.sort_by_key(|(_, title)| crate::text::slugify(title));
            t
        }
        STATES_VOCABULARY => {
            let mut t: Vec<(String, String)> = Vec::new();
            for wf in site.workflows() {
                for s in &wf.states {
                    if !t.iter().any(|(id, _)| *id == s.id) {
                        t.push((s.id.clone(), s.title.get(lang).to_owned()));
                    }
                }
            }
            t
        }
        LANGUAGES_VOCABULARY => site
            .config()
            .languages
            .iter()
            .map(|l| {
                let key = format!("nav-language-{l}");
                let name = message(req, &key);
                // A language the core has no name for is shown by its code.
                (l.clone(), if name == key { l.clone() } else { name })
            })
            .collect(),
        KEYWORDS_VOCABULARY => {
            // The subjects of what the reader may find, nothing else.
            let q = crate::search::Query {
                b_size: 0,
                facets: vec!["subject".into()],
                ..Default::default()
            };
            site.search(&req.who, &q)?
                .facets
                .remove("subject")
                .unwrap_or_default()
                .into_keys()
                .map(|s| (s.clone(), s))
                .collect()
        }
        other => match site.schema().vocabulary(other) {
            Some(v) => v
                .terms
                .iter()
                .map(|t| (t.value.clone(), t.title.get(lang).to_owned()))
                .collect(),
            None => return Err(Error::NotFound(format!("@vocabularies/{other}"))),
        },
    })
}

/// A vocabulary as a batched collection, filtered by `title=` (part of the
/// title, any case), `token=` (exact) or `tokens=` (several, exact).
fn batch_terms(req: &Req<'_>, url: &str, all: Vec<(String, String)>) -> Result<Value> {
    let params = pairs(req);
    let get = |k: &str| {
        params
            .iter()
            .filter(|(n, _)| n == k || n.strip_suffix(":list") == Some(k))
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    };
    let title = get("title");
    let token = get("token");
    let tokens = get("tokens");
    let by_token = !token.is_empty() || !tokens.is_empty();
    if !title.is_empty() && by_token {
        return Err(bad_param(
            "title",
            "filter by title or by token, not both at once".into(),
        ));
    }
    let needle = title.first().map(|t| crate::text::slugify(t));
    let filtered: Vec<(String, String)> = all
        .into_iter()
        .filter(|(tok, ttl)| {
            needle
                .as_ref()
                .is_none_or(|n| crate::text::slugify(ttl).contains(n.as_str()))
                && (token.is_empty() || token.contains(tok))
                && (tokens.is_empty() || tokens.contains(tok))
        })
        .collect();
    let start = match get("b_start").first() {
        None => 0,
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| bad_param("b_start", format!("`{v}` is not a whole number")))?,
    };
    let size = match get("b_size").first().map(String::as_str) {
        None => 25,
        Some("-1") => usize::MAX,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => {
                return Err(bad_param(
                    "b_size",
                    format!("`{v}` is not a batch size (a positive number, or -1 for all)"),
                ))
            }
        },
    };
    let total = filtered.len();
    let items: Vec<Value> = filtered
        .into_iter()
        .skip(start)
        .take(size)
        .map(|(token, title)| json!({"token": token, "title": title}))
        .collect();
    let kept: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k != "b_start" && k != "b_size")
        .cloned()
        .collect();
    let mut out = json!({
        "@id": with_query(url, &kept),
        "items": items,
        "items_total": total,
    });
    if let Some(b) = super::search::batching(url, &kept, start, size, total) {
        out["batching"] = b;
    }
    Ok(out)
}

/// `url` with a query string made of `params`.
pub(super) fn with_query(url: &str, params: &[(String, String)]) -> String {
    if params.is_empty() {
        return url.to_owned();
    }
    let q: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .finish();
    format!("{url}?{q}")
}

/// `@sources/{field}`: the vocabulary of a field of the item's type.
fn sources(req: &Req<'_>, path: &str, field: &str) -> Result<Response> {
    let item = req.reader().must_get(path)?;
    let vocabulary = req
        .site
        .schema()
        .get(&item.type_name)
        .and_then(|t| t.field(field))
        .and_then(|f| f.vocabulary.clone())
        .ok_or_else(|| Error::NotFound(format!("{path}/@sources/{field}")))?;
    let url = format!("{}/@sources/{field}", item_url(&req.base, &item.path));
    let all = terms(req, &vocabulary)?;
    Ok(json_response(StatusCode::OK, &batch_terms(req, &url, all)?))
}
