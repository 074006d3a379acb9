//! The add form (`{folder}/++add++{Type}`, or `{folder}/@@add?type=…`)
//! and the edit form (`{item}/@@edit`), both generated from the type's
//! schema: one widget per field kind. On a failed save the form comes back
//! with every error next to its field, a summary at the top, and what was
//! typed kept.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::super::auth::{check_form_csrf, field, form as parse_form};
use super::super::multipart;
use super::super::{item_url, site_context, Call, Req};
use super::{cancelled, field_error_text, page, redirect_with, t, type_title, Status};
use crate::error::{Error, FieldError, Result};
use crate::item::Item;
use crate::schema::{FieldDef, FieldKind, TypeDef, WriteMode};
use crate::security;
use crate::site::AddOptions;

/// How many items a reference chooser offers at most.
const MAX_CHOICES: usize = 200;

/// What a browser sent: the text fields, and the files of a multipart form.
struct Submitted {
    fields: Vec<(String, String)>,
    files: Vec<multipart::Part>,
}

impl Submitted {
    async fn read(req: &Req<'_>, call: &Call) -> Result<Self> {
        if multipart::is_multipart(req.headers) {
            let mut fields = Vec::new();
            let mut files = Vec::new();
            for p in multipart::parse(req.headers, &call.body).await? {
                if p.filename.is_some() {
                    files.push(p);
                } else {
                    fields.push((p.name.clone(), p.text()));
                }
            }
            Ok(Self { fields, files })
        } else {
            Ok(Self {
                fields: parse_form(&call.body),
                files: Vec::new(),
            })
        }
    }

    fn get(&self, name: &str) -> &str {
        field(&self.fields, name)
    }

    fn file(&self, name: &str) -> Option<&multipart::Part> {
        self.files
            .iter()
            .find(|p| p.name == name && !p.data.is_empty())
    }
}

/// Which form, on what.
enum Target<'a> {
    Add {
        container: &'a Item,
        ty: &'a TypeDef,
    },
    Edit {
        item: &'a Item,
        ty: &'a TypeDef,
    },
}

impl Target<'_> {
    fn ty(&self) -> &TypeDef {
        match self {
            Target::Add { ty, .. } | Target::Edit { ty, .. } => ty,
        }
    }

    fn item(&self) -> Option<&Item> {
        match self {
            Target::Add { .. } => None,
            Target::Edit { item, .. } => Some(item),
        }
    }
}

/// The container and type of an add form, checked: the type exists, is
/// allowed here, and the user may add it.
fn add_target<'r>(req: &'r Req<'_>, parent: &str, type_name: &str) -> Result<(Item, &'r TypeDef)> {
    let reader = req.reader();
    let container = reader.must_get(parent)?;
    let schema = req.site.schema();
    let ty = schema
        .get(type_name)
        .ok_or_else(|| Error::NotFound(format!("{parent}/++add++{type_name}")))?;
    let allowed = schema
        .get(&container.type_name)
        .is_some_and(|ct| schema.allows(ct, ty));
    if !allowed {
        return Err(Error::NotAllowed(format!(
            "a {type_name} cannot be added in {parent}"
        )));
    }
    if !reader.can(&container, &security::add_permission(type_name))? {
        return Err(Error::Forbidden(format!(
            "adding a {type_name} in {parent}"
        )));
    }
    Ok((container, ty))
}

fn edit_target<'r>(req: &'r Req<'_>, path: &str) -> Result<(Item, &'r TypeDef)> {
    let reader = req.reader();
    let item = reader.must_get(path)?;
    if !reader.can(&item, security::MODIFY)? {
        return Err(Error::Forbidden(format!("editing {path}")));
    }
    let ty = req
        .site
        .schema()
        .get(&item.type_name)
        .ok_or_else(|| Error::NotFound(path.to_owned()))?;
    Ok((item, ty))
}

/// `GET {folder}/++add++{Type}`.
pub(super) fn get_add(req: &Req<'_>, parent: &str, type_name: &str) -> Result<Response> {
    let (container, ty) = add_target(req, parent, type_name)?;
    let target = Target::Add {
        container: &container,
        ty,
    };
    render(
        req,
        &target,
        &initial_values(ty, None),
        &Errors::default(),
        None,
    )
}

/// `GET {folder}/@@add?type=…`: the same form.
pub(super) fn get_add_query(req: &Req<'_>, parent: &str) -> Result<Response> {
    let pairs = super::query_pairs(req);
    let type_name = field(&pairs, "type");
    if type_name.is_empty() {
        return Err(Error::Invalid(vec![FieldError::new(
            "type",
            "required",
            "name the type to add: @@add?type=Document",
        )]));
    }
    get_add(req, parent, type_name)
}

/// `GET {item}/@@edit`.
pub(super) fn get_edit(req: &Req<'_>, path: &str) -> Result<Response> {
    let (item, ty) = edit_target(req, path)?;
    let target = Target::Edit { item: &item, ty };
    render(
        req,
        &target,
        &initial_values(ty, Some(&item)),
        &Errors::default(),
        None,
    )
}

/// `POST {folder}/++add++{Type}`: adds the item, or shows the form again.
pub(super) async fn post_add(
    req: &Req<'_>,
    parent: &str,
    type_name: &str,
    call: &Call,
) -> Result<Response> {
    let (container, ty) = add_target(req, parent, type_name)?;
    let sent = Submitted::read(req, call).await?;
    let url = item_url(&req.base, &container.path);
    if let Some(r) = cancelled(req, sent.get("_cancel"), &url) {
        return Ok(r);
    }
    check_form_csrf(req, &sent.fields)?;
    let target = Target::Add {
        container: &container,
        ty,
    };
    let (input, mut errors) = read_input(req, ty, None, &sent)?;
    let values = submitted_values(req, ty, None, &sent, &input);
    if !sent.get("_search").is_empty() {
        return render(req, &target, &values, &Errors::default(), Some(&sent));
    }
    let id = sent.get("_id").trim().to_owned();
    if !errors.fields.is_empty() {
        errors.merge_validation(req, ty, &input, WriteMode::Add);
        return render_errors(req, &target, &values, &errors, &sent);
    }
    let opts = AddOptions {
        id: (!id.is_empty()).then_some(id),
        ..AddOptions::default()
    };
    let result = req
        .site
        .write(&req.who, |w| w.add_with(parent, type_name, input, opts));
    match result {
        Ok(item) => Ok(redirect_with(
            req,
            &item_url(&req.base, &item.path),
            &Status::new("edit-status-added").arg("title", item.title()),
        )),
        Err(e) => {
            errors.absorb(req, e)?;
            render_errors(req, &target, &values, &errors, &sent)
        }
    }
}

/// `POST {item}/@@edit`: saves the changes, or shows the form again.
pub(super) async fn post_edit(req: &Req<'_>, path: &str, call: &Call) -> Result<Response> {
    let (item, ty) = edit_target(req, path)?;
    let sent = Submitted::read(req, call).await?;
    let url = item_url(&req.base, &item.path);
    if let Some(r) = cancelled(req, sent.get("_cancel"), &url) {
        return Ok(r);
    }
    check_form_csrf(req, &sent.fields)?;
    let target = Target::Edit { item: &item, ty };
    let (input, mut errors) = read_input(req, ty, Some(&item), &sent)?;
    let values = submitted_values(req, ty, Some(&item), &sent, &input);
    if !sent.get("_search").is_empty() {
        return render(req, &target, &values, &Errors::default(), Some(&sent));
    }
    if !errors.fields.is_empty() {
        errors.merge_validation(req, ty, &input, WriteMode::Update);
        return render_errors(req, &target, &values, &errors, &sent);
    }
    let revision = sent.get("_revision").parse::<u64>().ok();
    match req.site.write(&req.who, |w| {
        w.check_lock_of_others(&w.must_get(path)?)?;
        w.update(path, input, revision)
    }) {
        Ok(saved) => Ok(redirect_with(
            req,
            &url,
            &Status::new("edit-status-saved").arg("title", saved.title()),
        )),
        Err(e) => {
            errors.absorb(req, e)?;
            render_errors(req, &target, &values, &errors, &sent)
        }
    }
}

/// The errors of one submission: per field, and for the whole form.
#[derive(Default)]
struct Errors {
    fields: Vec<FieldError>,
    general: Vec<String>,
    conflict: bool,
}

impl Errors {
    fn push(&mut self, e: FieldError) {
        if !self.fields.iter().any(|x| x.field == e.field) {
            self.fields.push(e);
        }
    }

    /// Adds what the core's validation says of the values that could be
    /// read, so the form names every problem at once.
    fn merge_validation(
        &mut self,
        req: &Req<'_>,
        ty: &TypeDef,
        input: &Map<String, Value>,
        mode: WriteMode,
    ) {
        if let Err(errs) = req.site.schema().validate(ty, input, mode) {
            for e in errs {
                self.push(e);
            }
        }
    }

    /// Turns a failed write into what the form shows; errors that are not
    /// the form's (permissions, the store) go on to the error page.
    fn absorb(&mut self, req: &Req<'_>, e: Error) -> Result<()> {
        match e {
            Error::Invalid(errs) => {
                for fe in errs {
                    self.push(fe);
                }
            }
            Error::Conflict(m) => {
                self.conflict = true;
                self.general.push(m);
            }
            Error::NotAllowed(m) => self.general.push(m),
            Error::Vetoed { message, .. } => self.general.push(message),
            Error::Closed(c) => self.general.push(super::explain(req, &Error::Closed(c))),
            other => return Err(other),
        }
        Ok(())
    }
}

/// Reads the submitted form into the input of a write, with the errors of
/// values that could not even be read (a number that is not one).
fn read_input(
    req: &Req<'_>,
    ty: &TypeDef,
    item: Option<&Item>,
    sent: &Submitted,
) -> Result<(Map<String, Value>, Errors)> {
    let mut input = Map::new();
    let mut errors = Errors::default();
    for f in &ty.fields {
        let raw = sent.get(&f.name);
        let text = |s: &str| {
            if s.trim().is_empty() {
                Value::Null
            } else {
                Value::String(s.to_owned())
            }
        };
        let value = match f.kind {
            FieldKind::Text
            | FieldKind::Email
            | FieldKind::Url
            | FieldKind::Phone
            | FieldKind::Date
            | FieldKind::Choice
            | FieldKind::Reference => text(raw),
            FieldKind::Textarea | FieldKind::Richtext => text(&raw.replace("\r\n", "\n")),
            FieldKind::Integer => match raw.trim() {
                "" => Value::Null,
                s => match s.parse::<i64>() {
                    Ok(n) => Value::from(n),
                    Err(_) => {
                        errors.push(FieldError::new(
                            &f.name,
                            "wrong_type",
                            "expected a whole number",
                        ));
                        continue;
                    }
                },
            },
            FieldKind::Decimal => match raw.trim() {
                "" => Value::Null,
                s => match s.replace(',', ".").parse::<f64>() {
                    Ok(n) if n.is_finite() => json!(n),
                    _ => {
                        errors.push(FieldError::new(
                            &f.name,
                            "wrong_type",
                            "expected a decimal number",
                        ));
                        continue;
                    }
                },
            },
            FieldKind::Bool => Value::Bool(!raw.is_empty()),
            FieldKind::Datetime => match raw.trim() {
                "" => Value::Null,
                s => match local_to_rfc3339(s, sent.get(&format!("{}._offset", f.name))) {
                    Some(v) => Value::String(v),
                    None => {
                        errors.push(FieldError::new(
                            &f.name,
                            "bad_datetime",
                            "expected a date and a time",
                        ));
                        continue;
                    }
                },
            },
            FieldKind::MultiChoice => Value::Array(
                super::all(&sent.fields, &f.name)
                    .into_iter()
                    .map(|v| Value::String(v.to_owned()))
                    .collect(),
            ),
            FieldKind::File | FieldKind::Image => {
                let action = sent.get(&format!("{}._action", f.name));
                if action == "remove" {
                    Value::Null
                } else if let Some(part) = sent.file(&f.name).filter(|_| action != "keep") {
                    // As the API does: a media type of the usual shape (else
                    // a plain download), the file's own name without a path.
                    let content_type = part
                        .content_type
                        .clone()
                        .filter(|c| crate::web::content::files::valid_media_type(c))
                        .unwrap_or_else(|| "application/octet-stream".into());
                    let filename = crate::web::content::files::clean_filename(
                        part.filename.as_deref().unwrap_or_default(),
                    );
                    let mut data = part.data.as_slice();
                    match req.site.put_blob(&mut data, &content_type, &filename) {
                        Ok(blob) => serde_json::to_value(blob).unwrap_or(Value::Null),
                        Err(Error::Invalid(errs)) => {
                            for mut e in errs {
                                e.field = f.name.clone();
                                errors.push(e);
                            }
                            continue;
                        }
                        Err(e) => return Err(e),
                    }
                } else if let Some(kept) = kept_upload(req, sent, &f.name, action) {
                    kept
                } else if item.is_none() && f.required {
                    Value::Null
                } else {
                    // Nothing new: the stored file stays.
                    continue;
                }
            }
            FieldKind::Address => {
                let part = |k: &str| sent.get(&format!("{}.{k}", f.name)).trim().to_owned();
                let (street, postcode, locality, country) = (
                    part("street"),
                    part("postcode"),
                    part("locality"),
                    part("country"),
                );
                let (lat, lon) = (part("lat"), part("lon"));
                if [&street, &postcode, &locality, &lat, &lon]
                    .iter()
                    .all(|s| s.is_empty())
                {
                    Value::Null
                } else {
                    let coord = |s: &str| -> std::result::Result<Option<f64>, ()> {
                        if s.is_empty() {
                            Ok(None)
                        } else {
                            s.replace(',', ".").parse::<f64>().map(Some).map_err(|_| ())
                        }
                    };
                    match (coord(&lat), coord(&lon)) {
                        (Ok(lat), Ok(lon)) => json!({
                            "street": street,
                            "postcode": postcode,
                            "locality": locality,
                            "country": if country.is_empty() { "BE".to_owned() } else { country },
                            "lat": lat,
                            "lon": lon,
                        }),
                        _ => {
                            errors.push(FieldError::new(
                                &f.name,
                                "bad_address",
                                "latitude and longitude are numbers",
                            ));
                            continue;
                        }
                    }
                }
            }
        };
        // On an edit, only what changed is sent: an unchanged field stays
        // out of the history's list of changes.
        if let Some(it) = item {
            // A form cannot tell "unset" from an unticked box or an empty
            // list: those stay unset.
            let empty = match &value {
                Value::Null => true,
                Value::Bool(b) => !b,
                Value::Array(a) => a.is_empty(),
                _ => false,
            };
            let same = match (&value, it.fields.get(&f.name)) {
                (_, None | Some(Value::Null)) if empty => true,
                (v, Some(old)) => v == old,
                _ => false,
            };
            if same {
                continue;
            }
        }
        input.insert(f.name.clone(), value);
    }
    Ok((input, errors))
}

/// A file uploaded with a form that failed, kept for the next try: the
/// form carries its reference back, signed so no other stored file can be
/// named this way.
fn kept_upload(req: &Req<'_>, sent: &Submitted, field: &str, action: &str) -> Option<Value> {
    if action == "keep" {
        return None;
    }
    let token = sent.get(&format!("{field}._kept"));
    let payload = super::unseal(req, "upload", token)?;
    let (name, blob) = payload.split_once('\n')?;
    (name == field)
        .then(|| serde_json::from_str::<Value>(blob).ok())
        .flatten()
}

/// The signed reference to a file just uploaded, for [`kept_upload`].
fn keep_upload(req: &Req<'_>, field: &str, blob: &Value) -> String {
    super::sealed(req, "upload", &format!("{field}\n{blob}"))
}

/// `2026-03-01T20:00` from a `datetime-local` input, with the offset the
/// stored value had (or the browser's, sent by `editor.js`), else UTC.
fn local_to_rfc3339(local: &str, offset: &str) -> Option<String> {
    let naive = chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    let offset = if offset.is_empty() { "+00:00" } else { offset };
    let text = format!("{}{offset}", naive.format("%Y-%m-%dT%H:%M:%S"));
    chrono::DateTime::parse_from_rfc3339(&text)
        .ok()
        .map(|d| d.to_rfc3339())
}

/// The values a form starts with: the item's, or the type's defaults.
fn initial_values(ty: &TypeDef, item: Option<&Item>) -> Map<String, Value> {
    let mut out = Map::new();
    for f in &ty.fields {
        let v = match item {
            Some(it) => it.field(&f.name).cloned(),
            None => f.default.clone(),
        };
        if let Some(v) = v {
            out.insert(f.name.clone(), v);
        }
    }
    out
}

/// The values a form shows again after a failed save: what was typed, and
/// the files received (`input` holds them).
fn submitted_values(
    req: &Req<'_>,
    ty: &TypeDef,
    item: Option<&Item>,
    sent: &Submitted,
    input: &Map<String, Value>,
) -> Map<String, Value> {
    let mut out = Map::new();
    for f in &ty.fields {
        let v = match f.kind {
            FieldKind::MultiChoice => json!(super::all(&sent.fields, &f.name)),
            FieldKind::Bool => json!(!sent.get(&f.name).is_empty()),
            FieldKind::Address => {
                let part = |k: &str| sent.get(&format!("{}.{k}", f.name)).to_owned();
                json!({
                    "street": part("street"), "postcode": part("postcode"),
                    "locality": part("locality"), "country": part("country"),
                    "lat": part("lat"), "lon": part("lon"),
                })
            }
            // A browser cannot be given a file back: a file received is
            // kept by reference, else the stored one shows.
            FieldKind::File | FieldKind::Image => match input.get(&f.name) {
                Some(blob) if blob.is_object() => json!({
                    "kept": keep_upload(req, &f.name, blob),
                    "kept_filename": blob.get("filename"),
                    "filename": item.and_then(|i| i.field(&f.name)).and_then(|v| v.get("filename")),
                }),
                _ => match item.and_then(|i| i.field(&f.name)) {
                    Some(v) => v.clone(),
                    None => continue,
                },
            },
            FieldKind::Datetime => json!({
                "local": sent.get(&f.name),
                "offset": sent.get(&format!("{}._offset", f.name)),
            }),
            _ => json!(sent.get(&f.name)),
        };
        out.insert(f.name.clone(), v);
    }
    out
}

fn render_errors(
    req: &Req<'_>,
    target: &Target<'_>,
    values: &Map<String, Value>,
    errors: &Errors,
    sent: &Submitted,
) -> Result<Response> {
    let mut r = render(req, target, values, errors, Some(sent))?;
    *r.status_mut() = if errors.conflict {
        StatusCode::CONFLICT
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok(r)
}

/// Renders the form.
fn render(
    req: &Req<'_>,
    target: &Target<'_>,
    values: &Map<String, Value>,
    errors: &Errors,
    sent: Option<&Submitted>,
) -> Result<Response> {
    let ty = target.ty();
    let lang = req.lang.as_str();
    let (current, action, heading, cancel_url) = match target {
        Target::Add { container, ty } => {
            let url = item_url(&req.base, &container.path);
            (
                *container,
                format!("{url}/++add++{}", super::encode_segment(&ty.name)),
                t(
                    req,
                    "edit-add-heading",
                    &[("type", type_title(req, &ty.name))],
                ),
                url,
            )
        }
        Target::Edit { item, .. } => {
            let url = item_url(&req.base, &item.path);
            (
                *item,
                format!("{url}/@@edit"),
                t(
                    req,
                    "edit-edit-heading",
                    &[("title", item.title().to_owned())],
                ),
                url,
            )
        }
    };
    let error_of = |name: &str| {
        errors
            .fields
            .iter()
            .find(|e| e.field == name)
            .map(|e| field_error_text(req, e))
    };
    let mut fields = Vec::new();
    for f in &ty.fields {
        let value = values.get(&f.name).cloned().unwrap_or(Value::Null);
        let search = sent
            .map(|s| s.get(&format!("_search.{}", f.name)).to_owned())
            .unwrap_or_default();
        fields.push(widget(req, target, f, &value, &search, error_of(&f.name))?);
    }
    // Errors that belong to no field on the form (a refused id goes with
    // the id's input).
    let mut summary = Vec::new();
    for e in &errors.fields {
        let on_form = ty.field(&e.field).is_some() || e.field == "id";
        let label = if e.field == "id" {
            t(req, "edit-id-label", &[])
        } else {
            ty.field(&e.field)
                .map(|f| label(f, lang))
                .unwrap_or_else(|| e.field.clone())
        };
        summary.push(json!({
            "label": label,
            "message": field_error_text(req, e),
            "anchor": on_form.then(|| if e.field == "id" { "f-_id".to_owned() } else { format!("f-{}", e.field) }),
        }));
    }
    let id_error = match target {
        Target::Add { .. } if ty.field("id").is_none() => error_of("id"),
        _ => None,
    };
    let mut ctx = site_context(req, Some(current))?;
    ctx.insert(
        "toolbar_active",
        if target.item().is_some() {
            "edit"
        } else {
            "add"
        },
    );
    ctx.insert(
        "form",
        &json!({
            "action": action,
            "heading": heading,
            "adding": target.item().is_none(),
            "cancel_url": cancel_url,
            "revision": target.item().map(|i| i.revision),
            "id_value": sent.map(|s| s.get("_id").to_owned()).unwrap_or_default(),
            "id_error": id_error,
            "multipart": ty.fields.iter().any(|f| f.kind.is_blob()),
            "fields": fields,
            "summary": summary,
            "general": errors.general,
        }),
    );
    let status = StatusCode::OK;
    page(req, status, "edit_form.html", &ctx)
}

/// A field's label: its title, or its name when the type gives none.
fn label(f: &FieldDef, lang: &str) -> String {
    match f.title.get(lang) {
        "" => f.name.clone(),
        title => title.to_owned(),
    }
}

/// One field's widget, as the template draws it.
fn widget(
    req: &Req<'_>,
    target: &Target<'_>,
    f: &FieldDef,
    value: &Value,
    search: &str,
    error: Option<String>,
) -> Result<Value> {
    let lang = req.lang.as_str();
    let as_text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let id = format!("f-{}", f.name);
    let help = f.description.get(lang);
    let describedby = [
        (!help.is_empty()).then(|| format!("{id}-help")),
        error.as_ref().map(|_| format!("{id}-error")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let number = |n: Option<f64>| n.map(|n| n.to_string()).unwrap_or_default();
    let mut w = json!({
        "name": f.name,
        "id": id,
        "describedby": describedby,
        "kind": f.kind,
        "label": label(f, lang),
        "help": help,
        "required": f.required,
        "error": error,
        "min": number(f.min),
        "max": number(f.max),
        "maxlength": f.max_length,
    });
    let obj = match w.as_object_mut() {
        Some(o) => o,
        None => return Ok(w),
    };
    match f.kind {
        FieldKind::Bool => {
            obj.insert("checked".into(), json!(value.as_bool() == Some(true)));
        }
        FieldKind::Choice | FieldKind::MultiChoice => {
            let chosen: Vec<String> = match value {
                Value::Array(a) => a.iter().map(as_text).collect(),
                Value::Null => Vec::new(),
                v => vec![as_text(v)],
            };
            let options: Vec<Value> = f
                .vocabulary
                .as_deref()
                .and_then(|n| req.site.schema().vocabulary(n))
                .map(|voc| {
                    voc.terms
                        .iter()
                        .map(|term| {
                            json!({
                                "value": term.value,
                                "title": term.title.get(lang),
                                "selected": chosen.contains(&term.value),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            obj.insert("options".into(), json!(options));
        }
        FieldKind::Datetime => {
            let (local, offset) = match value {
                Value::Object(o) => (
                    o.get("local").map(as_text).unwrap_or_default(),
                    o.get("offset").map(as_text).unwrap_or_default(),
                ),
                v => match chrono::DateTime::parse_from_rfc3339(&as_text(v)) {
                    Ok(d) => (
                        d.format("%Y-%m-%dT%H:%M").to_string(),
                        d.format("%:z").to_string(),
                    ),
                    Err(_) => (as_text(v), String::new()),
                },
            };
            obj.insert("value".into(), json!(local));
            obj.insert("offset".into(), json!(offset));
        }
        FieldKind::File | FieldKind::Image => {
            if let (Some(item), Some(filename)) =
                (target.item(), value.get("filename").and_then(Value::as_str))
            {
                obj.insert(
                    "current".into(),
                    json!({
                        "filename": filename,
                        "url": format!("{}/@@download/{}", item_url(&req.base, &item.path), f.name),
                    }),
                );
            }
            if let Some(token) = value.get("kept").and_then(Value::as_str) {
                obj.insert(
                    "kept".into(),
                    json!({"token": token, "filename": value.get("kept_filename")}),
                );
            }
            if f.kind == FieldKind::Image {
                obj.insert("accept".into(), json!("image/*"));
            }
        }
        FieldKind::Address => {
            let part = |k: &str| value.get(k).map(as_text).unwrap_or_default();
            obj.insert(
                "address".into(),
                json!({
                    "street": part("street"), "postcode": part("postcode"),
                    "locality": part("locality"), "country": part("country"),
                    "lat": part("lat"), "lon": part("lon"),
                }),
            );
        }
        FieldKind::Reference => {
            let chosen = as_text(value);
            obj.insert("value".into(), json!(chosen));
            obj.insert("search".into(), json!(search));
            obj.insert(
                "options".into(),
                json!(reference_choices(req, target.item(), &chosen, search)?),
            );
        }
        _ => {
            obj.insert("value".into(), json!(as_text(value)));
        }
    }
    Ok(w)
}

/// The items a reference may point at: those the user may view (but the
/// edited item itself), filtered by the search text, the chosen one first.
fn reference_choices(
    req: &Req<'_>,
    editing: Option<&Item>,
    chosen: &str,
    search: &str,
) -> Result<Vec<Value>> {
    let needle = search.trim().to_lowercase();
    let mut out = Vec::new();
    let mut selected_seen = false;
    for it in req.reader().walk()? {
        if it.parent.is_none() || editing.is_some_and(|e| e.uid == it.uid) {
            continue;
        }
        let selected = it.uid == chosen;
        let matches = needle.is_empty()
            || it.title().to_lowercase().contains(&needle)
            || it.path.to_lowercase().contains(&needle);
        if !selected && (!matches || out.len() >= MAX_CHOICES) {
            continue;
        }
        selected_seen |= selected;
        let entry = json!({
            "value": it.uid,
            "title": format!("{} ({})", it.title(), it.path),
            "selected": selected,
        });
        if selected {
            out.insert(0, entry);
        } else {
            out.push(entry);
        }
    }
    // A reference to an item the user may not view is kept as it is,
    // without saying what it is.
    if !chosen.is_empty() && !selected_seen {
        out.insert(
            0,
            json!({"value": chosen, "title": t(req, "edit-reference-hidden", &[]), "selected": true}),
        );
    }
    Ok(out)
}
