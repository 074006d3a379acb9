//! The views modules add ([`crate::view`]): found by name after an item's
//! path, or as files at the site's root; and the decorations they add to
//! every page of the site's layout.

use axum::body::Body;
use axum::http::{header, Method};
use axum::response::Response;
use serde_json::{json, Value};

use super::{Call, Mode, Req};
use crate::error::{Error, Result};
use crate::item::Item;
use crate::view::{Answer, Decorations, On, Page, View};

/// The request as views see it.
fn page<'a>(req: &'a Req<'a>, rest: Option<&'a str>) -> Page<'a> {
    let mut p = Page::new(
        req.site,
        &req.who,
        &req.lang,
        &req.base,
        super::nav::pairs(req),
    );
    p.rest = rest;
    p.json = req.mode == Mode::Json;
    p
}

/// The view of an enabled module named `name`, answering on `item`.
fn find(req: &Req<'_>, name: &str, item: &Item) -> Option<View> {
    req.site
        .modules()
        .iter()
        .flat_map(|m| m.views())
        .find(|v| v.name == name && v.on != On::RootFile && v.answers_on(item))
}

/// Answers `GET /path/@@name` when an enabled module has that view.
pub(super) fn dispatch(req: &Req<'_>, call: &Call) -> Option<Result<Response>> {
    if call.method != Method::GET && call.method != Method::HEAD {
        return None;
    }
    let name = call.name.as_deref()?;
    // Cheap refusal first: most calls are not a module's.
    let named = req
        .site
        .modules()
        .iter()
        .any(|m| m.views().iter().any(|v| v.name == name));
    if !named {
        return None;
    }
    let item = match req.reader().must_get(&call.path) {
        Ok(i) => i,
        Err(e) => return Some(Err(e)),
    };
    let view = find(req, name, &item)?;
    Some(run(req, &view, &item, call.rest()))
}

/// Answers `GET /name` for a module's root file when no item has that name.
pub(super) fn root_file(req: &Req<'_>, path: &str) -> Option<Result<Response>> {
    let name = path.strip_prefix('/').filter(|n| !n.contains('/'))?;
    let view = req
        .site
        .modules()
        .iter()
        .flat_map(|m| m.views())
        .find(|v| v.on == On::RootFile && v.name == name)?;
    match req.site.get(path) {
        Ok(Some(_)) => return None,
        Ok(None) => {}
        Err(e) => return Some(Err(e)),
    }
    let root = match req.reader().must_get("/") {
        Ok(r) => r,
        Err(e) => return Some(Err(e)),
    };
    Some(run(req, &view, &root, None))
}

fn run(req: &Req<'_>, view: &View, item: &Item, rest: Option<&str>) -> Result<Response> {
    let p = page(req, rest);
    match (view.render)(&p, item)? {
        Answer::Page { template, values } => {
            let mut ctx = super::site_context(req, Some(item))?;
            ctx.insert("item", &super::item_value(req, item)?);
            for (k, v) in &values {
                ctx.insert(k.clone(), v);
            }
            let html = req.site.renderer().render(&template, &ctx)?;
            Ok(Response::builder()
                .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
                .header(header::CONTENT_LANGUAGE, req.lang.as_str())
                .header(header::VARY, "Accept-Language, Cookie")
                .body(Body::from(html))
                .unwrap_or_default())
        }
        Answer::Bytes {
            content_type,
            body,
            filename,
        } => {
            let mut r = Response::builder()
                .header(header::CONTENT_TYPE, content_type)
                .header(header::VARY, "Accept-Language, Cookie");
            if let Some(f) = filename {
                r = r.header(
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"{}\"",
                        f.replace(
                            |c: char| !c.is_ascii_alphanumeric() && c != '.' && c != '-',
                            "_"
                        )
                    ),
                );
            }
            Ok(r.body(Body::from(body)).unwrap_or_default())
        }
        Answer::Redirect(to) => {
            let to = if to.starts_with('/') {
                format!("{}{}", req.base, to)
            } else {
                to
            };
            if !to.starts_with(&req.base) && !to.starts_with("https://") {
                return Err(Error::NotAllowed(format!("redirect to {to}")));
            }
            Ok(super::redirect(&to))
        }
    }
}

/// What the enabled modules add to a page about `current`: inserted in
/// the template context as `decorations` (head, above_content, footer:
/// lists of HTML) and each module's values under its name.
pub(super) fn decorate(req: &Req<'_>, current: Option<&Item>, ctx: &mut tera::Context) {
    let p = page(req, None);
    let mut all = Decorations::default();
    for m in req.site.modules() {
        let mut d = Decorations::default();
        match m.decorate(&p, current, &mut d) {
            Ok(()) => {
                all.head.append(&mut d.head);
                all.above_content.append(&mut d.above_content);
                all.footer.append(&mut d.footer);
                if !d.values.is_empty() {
                    ctx.insert(m.manifest().name, &Value::Object(d.values));
                }
            }
            Err(e) => {
                tracing::warn!(module = m.manifest().name, error = %e, "a module could not decorate the page");
            }
        }
    }
    ctx.insert(
        "decorations",
        &json!({"head": all.head, "above_content": all.above_content, "footer": all.footer}),
    );
}
