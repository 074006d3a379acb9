//! Languages on the web: which language a request gets, the language
//! switcher (`@@set-language`), and the links between an item and its
//! translations (plone.restapi's `@translations` and
//! `@translation-locator`, `<link rel="alternate" hreflang>` in pages).

use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{auth, item_url, json_response, redirect, Call, Req};
use crate::error::{Error, FieldError, Result};
use crate::item::Item;
use crate::security::Principal;
use crate::site::Site;
use crate::translations::language_of;

/// The cookie holding the visitor's explicit choice; Plone's name.
pub(super) const LANGUAGE_COOKIE: &str = "I18N_LANGUAGE";

/// Each language's name in itself, as the switcher shows it.
const ENDONYMS: &[(&str, &str)] = &[
    ("de", "Deutsch"),
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("nl", "Nederlands"),
];

/// The language of a request: the switcher's cookie, the user's stored
/// language, `Accept-Language`, the site's default, in that order.
pub(super) fn request_language(site: &Site, headers: &HeaderMap, who: &Principal) -> String {
    let cookie = auth::cookie(headers, LANGUAGE_COOKIE);
    let settings = site.settings_or_config();
    crate::i18n::choose_language(
        cookie.as_deref(),
        who.language(),
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|h| h.to_str().ok()),
        &settings.languages,
        &settings.default_language,
    )
}

/// Answers the calls that are this part's, `None` for the others.
pub(super) fn dispatch(req: &Req<'_>, call: &Call) -> Option<Result<Response>> {
    if call.is(&Method::GET, "@@set-language") {
        return Some(set_language(req));
    }
    if call.is(&Method::GET, "@translation-locator") {
        return Some(locator(req, &call.path));
    }
    if call.name.as_deref() != Some("@translations") || call.rest().is_some() {
        return None;
    }
    Some(match call.method {
        Method::GET | Method::HEAD => list(req, &call.path),
        Method::POST => link(req, &call.path, &call.body),
        Method::DELETE => unlink(req, &call.path, &call.body),
        _ => return None,
    })
}

/// Adds to a page's context the switcher (`languages`: code, name, url,
/// current) and the item with its translations (`alternates`: lang, name,
/// title, url, current), for `<link rel="alternate">` and the list of
/// other languages; and `content_lang`, the language the item is written in.
pub(super) fn insert_context(
    req: &Req<'_>,
    current: Option<&Item>,
    ctx: &mut tera::Context,
) -> Result<()> {
    let reader = req.reader();
    let translations = match current {
        Some(item) => reader.translations(item)?,
        None => Default::default(),
    };
    let mut languages = Vec::new();
    for code in &req.site.settings_or_config().languages {
        let target = match current {
            Some(item) => item_url(&req.base, &reader.locate_translation(item, code)?.path),
            None => format!("{}{}", req.base, req.asked),
        };
        languages.push(json!({
            "code": code,
            "name": endonym(code),
            "current": *code == req.lang,
            "url": format!(
                "{}/@@set-language?lang={code}&came_from={}",
                req.base,
                super::encode_query(&target)
            ),
        }));
    }
    ctx.insert("languages", &languages);
    let mut alternates = Vec::new();
    if let Some(item) = current.filter(|_| !translations.is_empty()) {
        let own = language_of(req.site, item);
        alternates.push(json!({
            "lang": own,
            "name": endonym(&own),
            "title": item.title(),
            "url": item_url(&req.base, &item.path),
            "current": true,
        }));
        for (lang, t) in &translations {
            alternates.push(json!({
                "lang": lang,
                "name": endonym(lang),
                "title": t.title(),
                "url": item_url(&req.base, &t.path),
                "current": false,
            }));
        }
    }
    ctx.insert("alternates", &alternates);
    // The language of the content itself, which may differ from the
    // page's (a French page read with an English interface): templates
    // mark the content with it (WCAG 3.1.2, language of parts).
    let content_lang = current.map_or_else(|| req.lang.clone(), |i| language_of(req.site, i));
    ctx.insert("content_lang", &content_lang);
    Ok(())
}

fn endonym(code: &str) -> &str {
    ENDONYMS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, name)| name)
}

fn query_value(req: &Req<'_>, name: &str) -> Option<String> {
    form_urlencoded::parse(req.query.unwrap_or("").as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn offered_language(req: &Req<'_>, field: &str, value: Option<String>) -> Result<String> {
    let lang = value.unwrap_or_default();
    if req.site.settings_or_config().languages.contains(&lang) {
        Ok(lang)
    } else {
        Err(Error::Invalid(vec![FieldError::new(
            field,
            "language",
            format!(
                "`{lang}` is not one of this site's languages ({})",
                req.site.settings_or_config().languages.join(", ")
            ),
        )]))
    }
}

/// `GET /@@set-language?lang=xx&came_from=…`: remembers the choice in a
/// cookie and goes back to `came_from` in that language (its translation,
/// or the nearest translated container, or the site root). Only addresses
/// of this site are followed.
fn set_language(req: &Req<'_>) -> Result<Response> {
    let lang = offered_language(req, "lang", query_value(req, "lang"))?;
    let came_from = query_value(req, "came_from").unwrap_or_default();
    let root = format!("{}/", req.base);
    let target = match local_path(req, &came_from) {
        Some((path, suffix)) => match super::decode_path(&path)
            .ok()
            .and_then(|p| req.reader().get(&p).ok().flatten())
        {
            Some(item) => {
                let t = req.reader().locate_translation(&item, &lang)?;
                if t.uid == item.uid {
                    format!("{}{path}{suffix}", req.base)
                } else if t.path == "/" {
                    root
                } else {
                    item_url(&req.base, &t.path)
                }
            }
            None => format!("{}{path}{suffix}", req.base),
        },
        None => root,
    };
    let mut r = redirect(&target);
    let cookie = format!(
        "{LANGUAGE_COOKIE}={lang}; Path=/; SameSite=Lax; Max-Age=31536000{}",
        if req.https { "; Secure" } else { "" }
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(r)
}

/// The path (and query) of `came_from` when it is an address of this
/// site: absolute under the site's base, or a path starting with one `/`.
fn local_path(req: &Req<'_>, came_from: &str) -> Option<(String, String)> {
    let rest = match came_from.strip_prefix(req.base.as_str()) {
        Some("") => "/",
        Some(r) if r.starts_with('/') || r.starts_with('?') => r,
        Some(_) => return None,
        None if came_from.starts_with('/') => came_from,
        None => return None,
    };
    if rest.starts_with("//") || rest.contains('\\') || rest.chars().any(char::is_control) {
        return None;
    }
    let split = rest.find(['?', '#']).unwrap_or(rest.len());
    let (path, suffix) = rest.split_at(split);
    let path = if path.is_empty() { "/" } else { path };
    Some((path.to_owned(), suffix.to_owned()))
}

fn one(item: &Item, req: &Req<'_>) -> Value {
    json!({
        "@id": item_url(&req.base, &item.path),
        "language": language_of(req.site, item),
    })
}

/// `GET {path}/@translations`: the item's translations the caller may
/// view, and each language's root.
fn list(req: &Req<'_>, path: &str) -> Result<Response> {
    let reader = req.reader();
    let item = reader.must_get(path)?;
    let items: Vec<Value> = reader
        .translations(&item)?
        .values()
        .map(|t| one(t, req))
        .collect();
    // Where each language starts (Volto's language roots): the site root
    // or its translation in that language.
    let site_root = reader.must_get("/")?;
    let mut root = serde_json::Map::new();
    for lang in &req.site.settings_or_config().languages {
        let found = reader.locate_translation(&site_root, lang)?;
        root.insert(lang.clone(), json!(item_url(&req.base, &found.path)));
    }
    Ok(json_response(
        StatusCode::OK,
        &json!({"@id": item_url(&req.base, &item.path), "items": items, "root": root}),
    ))
}

#[derive(Deserialize)]
struct LinkBody {
    id: Option<Value>,
}

#[derive(Deserialize)]
struct UnlinkBody {
    language: Option<Value>,
}

/// `POST {path}/@translations` with `{"id": url | path | uid}`: links that
/// item as a translation of this one. 201 with its address.
fn link(req: &Req<'_>, path: &str, body: &[u8]) -> Result<Response> {
    auth::check_json_csrf(req)?;
    let body: LinkBody = auth::json_body(req, body)?;
    let id = match body.id {
        Some(Value::String(s)) if !s.trim().is_empty() => s,
        _ => {
            return Err(bad(
                "id",
                "give the translation's address, path or uid as `id`",
            ))
        }
    };
    let reader = req.reader();
    // The source must exist for this caller first: a 404 says so.
    reader.must_get(path)?;
    let target =
        resolve(req, &id)?.ok_or_else(|| bad("id", &format!("no content found at `{id}`")))?;
    req.site
        .write(&req.who, |w| w.link_translation(path, &target.path))?;
    let url = item_url(&req.base, &target.path);
    let mut r = json_response(StatusCode::CREATED, &one(&target, req));
    if let Ok(v) = HeaderValue::from_str(&url) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

/// `DELETE {path}/@translations` with `{"language": "xx"}`: unlinks the
/// translation in that language. 204.
fn unlink(req: &Req<'_>, path: &str, body: &[u8]) -> Result<Response> {
    auth::check_json_csrf(req)?;
    let body: UnlinkBody = auth::json_body(req, body)?;
    let lang = match body.language {
        Some(Value::String(s)) if !s.is_empty() => s,
        _ => return Err(bad("language", "give the `language` to unlink")),
    };
    req.reader().must_get(path)?;
    req.site
        .write(&req.who, |w| w.unlink_translation(path, &lang))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET {path}/@translation-locator?target_language=xx`: where the item is
/// in that language (its translation, else the nearest translated
/// container, else the site root).
fn locator(req: &Req<'_>, path: &str) -> Result<Response> {
    let lang = offered_language(req, "target_language", query_value(req, "target_language"))?;
    let reader = req.reader();
    let item = reader.must_get(path)?;
    let found = reader.locate_translation(&item, &lang)?;
    Ok(json_response(
        StatusCode::OK,
        &json!({"@id": item_url(&req.base, &found.path)}),
    ))
}

/// Finds the item `id` names: an address on this site, a path, or a uid.
fn resolve(req: &Req<'_>, id: &str) -> Result<Option<Item>> {
    let reader = req.reader();
    let is_uid = id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit());
    if is_uid {
        return reader.get_by_uid(id);
    }
    let path = if id.starts_with("http://") || id.starts_with("https://") {
        match local_path(req, id) {
            Some((p, _)) => p,
            None => return Ok(None),
        }
    } else if id.starts_with('/') {
        id.to_owned()
    } else {
        format!("/{id}")
    };
    let path = path
        .strip_prefix("/++api++")
        .map(|p| if p.is_empty() { "/" } else { p })
        .unwrap_or(&path)
        .to_owned();
    match super::decode_path(&path) {
        Ok(p) => reader.get(&p),
        Err(()) => Ok(None),
    }
}

fn bad(field: &str, message: &str) -> Error {
    Error::Invalid(vec![FieldError::new(field, "translation", message)])
}
