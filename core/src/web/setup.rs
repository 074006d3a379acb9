//! Site setup pages: users, groups, modules, settings, workflows and the
//! audit log, server-rendered and working without JavaScript, for Site
//! Administrators and Managers.
//!
//! Every form carries the CSRF token; after an action the browser is sent
//! back to the page with `?status=…`, which shows a translated message;
//! invalid input shows the page again (400) with each error next to its
//! field and what was typed kept. Visitors are sent to the login page,
//! users without the permission get the 403 page.

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde::Serialize;
use serde_json::json;

use super::admin::{blocking, grantable_roles, role_title};
use super::auth::{check_form_csrf, field, form};
use super::edit::page;
use super::{encode_path, encode_query, redirect, site_context, Call, Mode, Req};
use crate::accounts::{group_kind, GroupInfo, ProfileChange};
use crate::error::{Error, FieldError, Result};
use crate::security::{MANAGE_SITE, MANAGE_USERS};
use crate::settings::SettingsChange;

/// The pages: name, the permission they need, the title's message key.
const PAGES: &[(&str, &str, &str)] = &[
    (OVERVIEW, MANAGE_SITE, "setup-overview-title"),
    (USERS, MANAGE_USERS, "setup-users-title"),
    (USER, MANAGE_USERS, "setup-user-title"),
    (GROUPS, MANAGE_USERS, "setup-groups-title"),
    (GROUP, MANAGE_USERS, "setup-group-title"),
    (MODULES, MANAGE_SITE, "setup-modules-title"),
    (SETTINGS, MANAGE_SITE, "setup-settings-title"),
    (WORKFLOWS, MANAGE_SITE, "setup-workflows-title"),
    (AUDIT, MANAGE_SITE, "setup-audit-title"),
];

const OVERVIEW: &str = "@@overview-controlpanel";
const USERS: &str = "@@usergroup-userprefs";
const USER: &str = "@@user-information";
const GROUPS: &str = "@@usergroup-groupprefs";
const GROUP: &str = "@@usergroup-groupmembership";
const MODULES: &str = "@@prefs_install_products_form";
const SETTINGS: &str = "@@site-controlpanel";
const WORKFLOWS: &str = "@@workflow-controlpanel";
const AUDIT: &str = "@@audit-log";

/// Status messages a page may show after an action (`?status=KEY` shows
/// `setup-status-KEY`); anything else in the address is ignored.
const STATUSES: &[&str] = &[
    "user-added",
    "user-saved",
    "reset-sent",
    "group-added",
    "members-saved",
    "module-enabled",
    "module-disabled",
    "module-unchanged",
    "upgraded",
    "settings-saved",
];

/// Answers the calls that are this part's, `None` for the others.
pub(super) async fn dispatch(req: &Req<'_>, call: &Call) -> Option<Result<Response>> {
    let name = call.name.as_deref()?;
    let (_, perm, _) = PAGES.iter().find(|(n, _, _)| *n == name)?;
    if call.path != "/" || req.mode == Mode::Json {
        return Some(Err(Error::NotFound(format!("{}/{name}", call.path))));
    }
    if !req.who.is_authenticated() {
        let came_from = format!("{}{}", req.base, req.asked);
        return Some(Ok(redirect(&format!(
            "{}/@@login?came_from={}",
            req.base,
            encode_query(&came_from)
        ))));
    }
    let allowed = req
        .reader()
        .must_get("/")
        .and_then(|root| req.reader().can(&root, perm));
    match allowed {
        Ok(true) => {}
        Ok(false) => return Some(Err(Error::Forbidden(format!("{name} needs `{perm}`")))),
        Err(e) => return Some(Err(e)),
    }
    let get = call.method == Method::GET || call.method == Method::HEAD;
    let post = call.method == Method::POST;
    let rest = call.rest();
    let r = match (name, rest) {
        (OVERVIEW, None) if get => overview(req),
        (USERS, None) if get => users_page(req, Form::default(), StatusCode::OK),
        (USERS, None) if post => add_user(req, &call.body).await,
        (USER, Some(login)) if get => user_page(req, login, None, StatusCode::OK),
        (USER, Some(login)) if post => save_user(req, login, &call.body).await,
        (GROUPS, None) if get => groups_page(req, Form::default(), StatusCode::OK),
        (GROUPS, None) if post => add_group(req, &call.body),
        (GROUP, Some(id)) if get => group_page(req, id, None, StatusCode::OK),
        (GROUP, Some(id)) if post => save_members(req, id, &call.body),
        (MODULES, None) if get => modules_page(req, None, StatusCode::OK),
        (MODULES, None) if post => module_action(req, &call.body).await,
        (SETTINGS, None) if get => settings_page(req, None, StatusCode::OK),
        (SETTINGS, None) if post => save_settings(req, &call.body),
        (WORKFLOWS, None) if get => workflows_page(req),
        (AUDIT, None) if get => audit_page(req),
        _ => return None,
    };
    Some(r)
}

/// The "Site setup" link for the page header: `setup_url` is set in the
/// template context for those who may open the setup pages. The link is in
/// `setup_link.html`, to include in `base.html`'s user menu.
pub(super) fn insert_link(req: &Req<'_>, ctx: &mut tera::Context) {
    if !req.who.is_authenticated() {
        return;
    }
    let may = req
        .reader()
        .must_get("/")
        .and_then(|root| {
            Ok(req.reader().can(&root, MANAGE_SITE)? || req.reader().can(&root, MANAGE_USERS)?)
        })
        .unwrap_or(false);
    if may {
        ctx.insert("setup_url", &format!("{}/{OVERVIEW}", req.base));
    }
}

// ---------------------------------------------------------------- helpers

/// One form field as the templates draw it.
#[derive(Serialize, Default, Clone)]
struct Field {
    name: String,
    label: String,
    /// `text`, `email`, `password`, `select`, `checkboxes`, `checkbox`, `textarea`.
    kind: &'static str,
    value: String,
    error: String,
    help: String,
    required: bool,
    options: Vec<Opt>,
}

impl Field {
    /// A field `name` of `kind`, labelled by the message `label_key`, with
    /// `error` (empty for none); its value and options are the caller's.
    fn new(req: &Req<'_>, name: &str, label_key: &str, kind: &'static str, error: String) -> Field {
        Field {
            name: name.into(),
            label: t(req, label_key),
            kind,
            error,
            ..Field::default()
        }
    }

    /// A single checkbox `name` (sent as `on`), labelled by `label_key`.
    fn checkbox(req: &Req<'_>, name: &str, label_key: &str, checked: bool) -> Field {
        Field {
            value: "on".into(),
            options: vec![Opt {
                value: "on".into(),
                label: String::new(),
                checked,
            }],
            ..Field::new(req, name, label_key, "checkbox", String::new())
        }
    }
}

/// The site's possible languages as options, each named in the user's
/// language, checked where `checked` says.
fn language_options(req: &Req<'_>, checked: impl Fn(&str) -> bool) -> Vec<Opt> {
    crate::config::LANGUAGES
        .iter()
        .map(|l| Opt {
            value: (*l).to_owned(),
            label: language_name(req, l),
            checked: checked(l),
        })
        .collect()
}

#[derive(Serialize, Clone)]
struct Opt {
    value: String,
    label: String,
    checked: bool,
}

/// What was typed, and the errors found, to show a form again.
#[derive(Default)]
struct Form {
    values: Vec<(String, String)>,
    errors: BTreeMap<String, String>,
    /// An error about the whole form.
    general: Option<String>,
}

impl Form {
    fn value(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.values
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn has_values(&self) -> bool {
        !self.values.is_empty()
    }
}

fn t(req: &Req<'_>, key: &str) -> String {
    req.site.renderer().catalog().message(&req.lang, key, &[])
}

fn t_args(req: &Req<'_>, key: &str, args: &[(&str, String)]) -> String {
    req.site.renderer().catalog().message(&req.lang, key, args)
}

/// A field error for people: the setup area's message for its code, the
/// core's, or the English sentence.
fn error_text(req: &Req<'_>, e: &FieldError) -> String {
    for key in [
        format!("setup-error-{}", e.code),
        format!("error-{}", e.code),
    ] {
        let m = t(req, &key);
        if m != key {
            return m;
        }
    }
    e.message.clone()
}

/// Turns the errors a write may give into a form's errors; other errors
/// pass through. `Forbidden` (granting Manager) and `Conflict` (a taken
/// name) land on the field named.
fn form_errors(
    req: &Req<'_>,
    e: Error,
    forbidden_field: &str,
    conflict_field: &str,
) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    match e {
        Error::Invalid(errors) => {
            for fe in &errors {
                out.entry(fe.field.clone())
                    .or_insert_with(|| error_text(req, fe));
            }
        }
        Error::Forbidden(_) if req.who.is_authenticated() => {
            out.insert(forbidden_field.to_owned(), t(req, "setup-error-forbidden"));
        }
        Error::Conflict(_) => {
            out.insert(conflict_field.to_owned(), t(req, "setup-error-taken"));
        }
        Error::NotAllowed(m) => {
            out.insert(String::new(), m);
        }
        e => return Err(e),
    }
    Ok(out)
}

/// The first of two messages that is not empty.
fn either(a: String, b: String) -> String {
    if a.is_empty() {
        b
    } else {
        a
    }
}

fn status_message(req: &Req<'_>) -> Option<String> {
    let key = form_urlencoded::parse(req.query.unwrap_or("").as_bytes())
        .find(|(k, _)| k == "status")
        .map(|(_, v)| v.into_owned())?;
    STATUSES
        .contains(&key.as_str())
        .then(|| t(req, &format!("setup-status-{key}")))
}

fn page_url(req: &Req<'_>, page: &str) -> String {
    format!("{}/{page}", req.base)
}

fn done(req: &Req<'_>, page: &str, status: &str) -> Response {
    redirect(&format!("{}?status={status}", page_url(req, page)))
}

/// The context every setup page starts from: the site's, the CSRF token,
/// the setup pages' links, the status message.
fn context(req: &Req<'_>, title_key: &str) -> Result<tera::Context> {
    let mut ctx = site_context(req, None)?;
    ctx.insert("csrf", &req.csrf());
    ctx.insert("heading", &t(req, title_key));
    ctx.insert("status", &status_message(req));
    let links: Vec<serde_json::Value> = PAGES
        .iter()
        .filter(|(n, _, _)| *n != USER && *n != GROUP)
        .map(|(n, _, key)| {
            json!({
                "url": page_url(req, n),
                "title": t(req, key),
                "description": t(req, &key.replace("-title", "-description")),
            })
        })
        .collect();
    ctx.insert("setup_links", &links);
    ctx.insert("overview_url", &page_url(req, OVERVIEW));
    ctx.insert("modules_url", &page_url(req, MODULES));
    Ok(ctx)
}

fn role_options(req: &Req<'_>, checked: &[String]) -> Vec<Opt> {
    grantable_roles(req.site)
        .into_iter()
        .map(|r| Opt {
            label: role_title(req, &r),
            checked: checked.contains(&r),
            value: r,
        })
        .collect()
}

fn language_name(req: &Req<'_>, code: &str) -> String {
    let key = format!("setup-language-{code}");
    let m = t(req, &key);
    if m == key {
        code.to_owned()
    } else {
        m
    }
}

// ---------------------------------------------------------------- overview

fn overview(req: &Req<'_>) -> Result<Response> {
    let mut ctx = context(req, "setup-overview-title")?;
    let pending = req.site.pending_upgrades()?.len();
    ctx.insert(
        "pending_notice",
        &(pending > 0).then(|| {
            t_args(
                req,
                "setup-overview-pending",
                &[("count", pending.to_string())],
            )
        }),
    );
    page(req, StatusCode::OK, "setup_overview.html", &ctx)
}

// ---------------------------------------------------------------- users

fn users_page(req: &Req<'_>, form: Form, status: StatusCode) -> Result<Response> {
    let mut ctx = context(req, "setup-users-title")?;
    let search = form_urlencoded::parse(req.query.unwrap_or("").as_bytes())
        .find(|(k, _)| k == "search")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let users: Vec<serde_json::Value> = super::admin::filtered_users(
        req.site,
        None,
        Some(&search),
        &[],
        true,
    )?
    .iter()
    .map(|u| {
        json!({
            "login": u.login,
            "fullname": u.fullname,
            "email": u.email.clone().unwrap_or_default(),
            "roles": u.roles.iter().map(|r| role_title(req, r)).collect::<Vec<_>>().join(", "),
            "enabled": u.enabled,
            "url": format!("{}/{}", page_url(req, USER), encode_path(&u.login)),
        })
    })
    .collect();
    ctx.insert("search", &search);
    ctx.insert(
        "users_caption",
        &t_args(
            req,
            "setup-users-count",
            &[("count", users.len().to_string())],
        ),
    );
    ctx.insert("users", &users);
    let v = |n: &str| form.value(n).unwrap_or("").to_owned();
    let e = |n: &str| form.errors.get(n).cloned().unwrap_or_default();
    let fields = vec![
        Field {
            value: v("username"),
            help: t(req, "setup-field-username-help"),
            required: true,
            ..Field::new(
                req,
                "username",
                "setup-field-username",
                "text",
                either(e("username"), e("login")),
            )
        },
        Field {
            value: v("fullname"),
            ..Field::new(
                req,
                "fullname",
                "setup-field-fullname",
                "text",
                e("fullname"),
            )
        },
        Field {
            value: v("email"),
            ..Field::new(req, "email", "setup-field-email", "email", e("email"))
        },
        Field {
            help: t(req, "setup-field-password-help"),
            ..Field::new(
                req,
                "password",
                "setup-field-password",
                "password",
                e("password"),
            )
        },
        Field::checkbox(
            req,
            "send_reset",
            "setup-field-send-reset",
            form.value("send_reset").is_some(),
        ),
        Field {
            options: role_options(req, &form.all("roles")),
            ..Field::new(req, "roles", "setup-field-roles", "checkboxes", e("roles"))
        },
    ];
    ctx.insert("fields", &fields);
    ctx.insert("form_error", &form.general);
    ctx.insert("action", &page_url(req, USERS));
    page(req, status, "setup_users.html", &ctx)
}

async fn add_user(req: &Req<'_>, body: &[u8]) -> Result<Response> {
    let f = form(body);
    check_form_csrf(req, &f)?;
    let login = field(&f, "username").trim().to_owned();
    let fullname = field(&f, "fullname").trim().to_owned();
    let email = Some(field(&f, "email").trim().to_owned()).filter(|e| !e.is_empty());
    let send = !field(&f, "send_reset").is_empty();
    let roles: Vec<String> = f
        .iter()
        .filter(|(k, _)| k == "roles")
        .map(|(_, v)| v.clone())
        .collect();
    let typed = field(&f, "password").to_owned();
    let mut early = BTreeMap::new();
    if login.is_empty() {
        early.insert("username".to_owned(), t(req, "error-required"));
    }
    if send && email.is_none() {
        early.insert("email".to_owned(), t(req, "setup-error-reset-needs-email"));
    }
    if !send && typed.is_empty() {
        early.insert(
            "password".to_owned(),
            t(req, "setup-error-password-or-reset"),
        );
    }
    if !early.is_empty() {
        let form = Form {
            values: f,
            errors: early,
            general: None,
        };
        return users_page(req, form, StatusCode::BAD_REQUEST);
    }
    let password = if send && typed.is_empty() {
        super::admin::unknown_password(&login)
    } else {
        typed
    };
    let (l, e, r) = (login.clone(), email.clone(), roles.clone());
    let written = blocking(req, move |site, who| {
        site.write(who, |w| {
            w.add_user(&l, &fullname, e.as_deref(), &password, &r)
        })
    })
    .await;
    match written {
        Ok(_) => {
            if send {
                req.site
                    .request_password_reset(&login, &super::auth::public_base(req))?;
            }
            Ok(done(req, USERS, "user-added"))
        }
        Err(err) => {
            let errors = form_errors(req, err, "roles", "username")?;
            let form = Form {
                values: f,
                errors,
                general: None,
            };
            users_page(req, form, StatusCode::BAD_REQUEST)
        }
    }
}

fn user_page(
    req: &Req<'_>,
    login: &str,
    form: Option<Form>,
    status: StatusCode,
) -> Result<Response> {
    let user = req
        .site
        .user(login)?
        .ok_or_else(|| Error::NotFound(format!("user `{login}`")))?;
    let mut ctx = context(req, "setup-user-title")?;
    let form = form.unwrap_or_default();
    let typed = form.has_values();
    let v = |n: &str, stored: &str| {
        if typed {
            form.value(n).unwrap_or("").to_owned()
        } else {
            stored.to_owned()
        }
    };
    let e = |n: &str| form.errors.get(n).cloned().unwrap_or_default();
    let roles = if typed {
        form.all("roles")
    } else {
        user.roles.clone()
    };
    let language = v("language", user.language.as_deref().unwrap_or(""));
    let mut languages = vec![Opt {
        value: String::new(),
        label: t(req, "setup-field-language-browser"),
        checked: language.is_empty(),
    }];
    for l in req.site.settings()?.languages {
        languages.push(Opt {
            label: language_name(req, &l),
            checked: l == language,
            value: l,
        });
    }
    let enabled = if typed {
        form.value("enabled").is_some()
    } else {
        user.enabled
    };
    let fields = vec![
        Field {
            value: v("fullname", &user.fullname),
            ..Field::new(
                req,
                "fullname",
                "setup-field-fullname",
                "text",
                e("fullname"),
            )
        },
        Field {
            value: v("email", user.email.as_deref().unwrap_or("")),
            ..Field::new(req, "email", "setup-field-email", "email", e("email"))
        },
        Field {
            options: languages,
            ..Field::new(
                req,
                "language",
                "setup-field-language",
                "select",
                e("language"),
            )
        },
        Field::checkbox(req, "enabled", "setup-field-enabled", enabled),
        Field {
            options: role_options(req, &roles),
            ..Field::new(req, "roles", "setup-field-roles", "checkboxes", e("roles"))
        },
    ];
    ctx.insert("fields", &fields);
    ctx.insert(
        "form_error",
        &form.general.or_else(|| form.errors.get("").cloned()),
    );
    ctx.insert(
        "account",
        &json!({"login": user.login, "fullname": user.fullname, "email": user.email}),
    );
    ctx.insert(
        "action",
        &format!("{}/{}", page_url(req, USER), encode_path(login)),
    );
    ctx.insert("users_url", &page_url(req, USERS));
    page(req, status, "setup_user.html", &ctx)
}

async fn save_user(req: &Req<'_>, login: &str, body: &[u8]) -> Result<Response> {
    let f = form(body);
    check_form_csrf(req, &f)?;
    if req.site.user(login)?.is_none() {
        return Err(Error::NotFound(format!("user `{login}`")));
    }
    if field(&f, "action") == "reset" {
        req.site
            .request_password_reset(login, &super::auth::public_base(req))?;
        return Ok(redirect(&format!(
            "{}/{}?status=reset-sent",
            page_url(req, USER),
            encode_path(login)
        )));
    }
    let profile = ProfileChange {
        fullname: Some(field(&f, "fullname").to_owned()),
        email: Some(Some(field(&f, "email").trim().to_owned()).filter(|e| !e.is_empty())),
    };
    let language = Some(field(&f, "language").to_owned()).filter(|l| !l.is_empty());
    if let Some(l) = &language {
        if !req.site.settings()?.languages.contains(l) {
            let mut errors = BTreeMap::new();
            errors.insert(
                "language".to_owned(),
                error_text(req, &FieldError::new("language", "bad_language", "")),
            );
            return user_page(
                req,
                login,
                Some(Form {
                    values: f,
                    errors,
                    general: None,
                }),
                StatusCode::BAD_REQUEST,
            );
        }
    }
    let enabled = !field(&f, "enabled").is_empty();
    let roles: Vec<String> = f
        .iter()
        .filter(|(k, _)| k == "roles")
        .map(|(_, v)| v.clone())
        .collect();
    let written = req.site.write(&req.who, |w| {
        let user = w.load_user(login)?;
        w.set_user_profile(login, &profile)?;
        if user.language != language {
            w.set_user_language(login, language.as_deref())?;
        }
        if user.roles != roles {
            w.set_user_roles(login, &roles)?;
        }
        if user.enabled != enabled {
            if !enabled && w.who().login() == Some(login) {
                return Err(Error::NotAllowed(t(req, "setup-error-disable-self")));
            }
            w.set_user_enabled(login, enabled)?;
        }
        Ok(())
    });
    match written {
        Ok(()) => Ok(redirect(&format!(
            "{}/{}?status=user-saved",
            page_url(req, USER),
            encode_path(login)
        ))),
        Err(err) => {
            let errors = form_errors(req, err, "roles", "fullname")?;
            user_page(
                req,
                login,
                Some(Form {
                    values: f,
                    errors,
                    general: None,
                }),
                StatusCode::BAD_REQUEST,
            )
        }
    }
}

// ---------------------------------------------------------------- groups

fn kind_label(req: &Req<'_>, g: &crate::security::Group) -> String {
    let kind = match group_kind(g) {
        crate::accounts::GroupKind::Builtin => "builtin",
        crate::accounts::GroupKind::Function => "function",
        crate::accounts::GroupKind::Local => "local",
    };
    t(req, &format!("setup-group-kind-{kind}"))
}

fn groups_page(req: &Req<'_>, form: Form, status: StatusCode) -> Result<Response> {
    let mut ctx = context(req, "setup-groups-title")?;
    let groups: Vec<serde_json::Value> = req
        .site
        .all_groups()?
        .iter()
        .map(|g| {
            json!({
                "id": g.id,
                "title": g.title,
                "kind": kind_label(req, g),
                "roles": g.roles.iter().map(|r| role_title(req, r)).collect::<Vec<_>>().join(", "),
                "members": g.members.len(),
                "url": format!("{}/{}", page_url(req, GROUP), encode_path(&g.id)),
            })
        })
        .collect();
    ctx.insert("groups", &groups);
    let v = |n: &str| form.value(n).unwrap_or("").to_owned();
    let e = |n: &str| form.errors.get(n).cloned().unwrap_or_default();
    let fields = vec![
        Field {
            value: v("groupname"),
            help: t(req, "setup-field-groupname-help"),
            required: true,
            ..Field::new(
                req,
                "groupname",
                "setup-field-groupname",
                "text",
                either(e("groupname"), e("id")),
            )
        },
        Field {
            value: v("title"),
            ..Field::new(req, "title", "setup-field-title", "text", e("title"))
        },
        Field {
            value: v("description"),
            ..Field::new(
                req,
                "description",
                "setup-field-description",
                "textarea",
                e("description"),
            )
        },
        Field {
            options: role_options(req, &form.all("roles")),
            ..Field::new(req, "roles", "setup-field-roles", "checkboxes", e("roles"))
        },
    ];
    ctx.insert("fields", &fields);
    ctx.insert("form_error", &form.general);
    ctx.insert("action", &page_url(req, GROUPS));
    page(req, status, "setup_groups.html", &ctx)
}

fn add_group(req: &Req<'_>, body: &[u8]) -> Result<Response> {
    let f = form(body);
    check_form_csrf(req, &f)?;
    let id = field(&f, "groupname").trim().to_owned();
    let title = match field(&f, "title").trim() {
        "" => id.clone(),
        t => t.to_owned(),
    };
    let roles: Vec<String> = f
        .iter()
        .filter(|(k, _)| k == "roles")
        .map(|(_, v)| v.clone())
        .collect();
    let info = GroupInfo {
        description: field(&f, "description").trim().to_owned(),
        email: None,
    };
    match req
        .site
        .write(&req.who, |w| w.add_group_with(&id, &title, &roles, &info))
    {
        Ok(_) => Ok(done(req, GROUPS, "group-added")),
        Err(err) => {
            let errors = form_errors(req, err, "roles", "groupname")?;
            groups_page(
                req,
                Form {
                    values: f,
                    errors,
                    general: None,
                },
                StatusCode::BAD_REQUEST,
            )
        }
    }
}

fn group_page(
    req: &Req<'_>,
    id: &str,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response> {
    let g = req
        .site
        .group(id)?
        .ok_or_else(|| Error::NotFound(format!("group `{id}`")))?;
    let mut ctx = context(req, "setup-group-title")?;
    let info = req.site.group_info(id)?;
    let mut members = Vec::new();
    let mut others = Vec::new();
    for u in req.site.users()? {
        let row = json!({"login": u.login, "fullname": u.fullname});
        if g.members.contains(&u.login) {
            members.push(row);
        } else {
            others.push(row);
        }
    }
    ctx.insert(
        "group",
        &json!({
            "id": g.id,
            "title": g.title,
            "description": info.description,
            "kind": kind_label(req, &g),
            "roles": g.roles.iter().map(|r| role_title(req, r)).collect::<Vec<_>>().join(", "),
        }),
    );
    ctx.insert("members", &members);
    ctx.insert("others", &others);
    ctx.insert("form_error", &error);
    ctx.insert(
        "action",
        &format!("{}/{}", page_url(req, GROUP), encode_path(id)),
    );
    ctx.insert("groups_url", &page_url(req, GROUPS));
    page(req, status, "setup_group.html", &ctx)
}

fn save_members(req: &Req<'_>, id: &str, body: &[u8]) -> Result<Response> {
    let f = form(body);
    check_form_csrf(req, &f)?;
    let (add, remove): (Vec<String>, Vec<String>) = match field(&f, "action") {
        "add" => (
            Some(field(&f, "login").to_owned())
                .filter(|l| !l.is_empty())
                .into_iter()
                .collect(),
            Vec::new(),
        ),
        _ => (
            Vec::new(),
            f.iter()
                .filter(|(k, _)| k == "remove")
                .map(|(_, v)| v.clone())
                .collect(),
        ),
    };
    match req
        .site
        .write(&req.who, |w| w.set_group_members(id, &add, &remove))
    {
        Ok(_) => Ok(redirect(&format!(
            "{}/{}?status=members-saved",
            page_url(req, GROUP),
            encode_path(id)
        ))),
        Err(Error::NotFound(_)) if req.site.group(id)?.is_some() => group_page(
            req,
            id,
            Some(t(req, "setup-error-unknown-user")),
            StatusCode::BAD_REQUEST,
        ),
        Err(Error::Forbidden(_)) => group_page(
            req,
            id,
            Some(t(req, "setup-error-forbidden")),
            StatusCode::FORBIDDEN,
        ),
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------- modules

fn modules_page(req: &Req<'_>, error: Option<String>, status: StatusCode) -> Result<Response> {
    let mut ctx = context(req, "setup-modules-title")?;
    let next = req.site.modules_at_next_start()?;
    let mut rows = Vec::new();
    for s in req.site.module_status(req.site.registry())? {
        let man = req.site.registry().get(&s.name).ok().map(|m| m.manifest());
        let will = next.contains(&s.name);
        let state = match (s.enabled, will) {
            (true, true) => "setup-module-enabled",
            (false, false) if s.installed.is_some() => "setup-module-disabled",
            (false, false) => "setup-module-available",
            (false, true) => "setup-module-enabling",
            (true, false) => "setup-module-disabling",
        };
        // The buttons: an action's value and its label.
        let actions: Vec<serde_json::Value> = [
            ("install", !will && s.linked.is_some()),
            ("uninstall", will && s.name != "beffroi"),
            ("upgrade", !s.pending.is_empty()),
        ]
        .into_iter()
        .filter(|(_, offered)| *offered)
        .map(|(action, _)| {
            json!({
                "value": action,
                "label": t_args(req, &format!("setup-module-{action}"), &[("name", s.name.clone())]),
            })
        })
        .collect();
        rows.push(json!({
            "name": s.name,
            "title": man.map(|m| m.title).unwrap_or(""),
            "linked": s.linked.clone().unwrap_or_default(),
            "installed": s.installed.clone().unwrap_or_default(),
            "state": t(req, state),
            "actions": actions,
            "pending": s.pending.iter().map(|(to, title)| format!("{to}: {title}")).collect::<Vec<_>>(),
        }));
    }
    ctx.insert("modules", &rows);
    ctx.insert("any_pending", &!req.site.pending_upgrades()?.is_empty());
    ctx.insert("form_error", &error);
    ctx.insert("action", &page_url(req, MODULES));
    page(req, status, "setup_modules.html", &ctx)
}

async fn module_action(req: &Req<'_>, body: &[u8]) -> Result<Response> {
    let f = form(body);
    check_form_csrf(req, &f)?;
    let name = field(&f, "module").to_owned();
    let result = match field(&f, "action") {
        "install" => req.site.enable_module(&req.who, &name).map(|c| {
            if c {
                "module-enabled"
            } else {
                "module-unchanged"
            }
        }),
        "uninstall" => req.site.disable_module(&req.who, &name).map(|c| {
            if c {
                "module-disabled"
            } else {
                "module-unchanged"
            }
        }),
        "upgrade" => blocking(req, move |site, who| site.upgrade_module(who, &name))
            .await
            .map(|_| "upgraded"),
        "upgrade-all" => blocking(req, |site, who| site.upgrade_all(who))
            .await
            .map(|_| "upgraded"),
        _ => Err(Error::Invalid(vec![FieldError::new(
            "action",
            "required",
            "install, uninstall, upgrade or upgrade-all",
        )])),
    };
    match result {
        Ok(status) => Ok(done(req, MODULES, status)),
        Err(Error::Invalid(errors)) => {
            let message = errors
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("; ");
            modules_page(req, Some(message), StatusCode::BAD_REQUEST)
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------- settings

fn settings_page(req: &Req<'_>, form: Option<Form>, status: StatusCode) -> Result<Response> {
    let mut ctx = context(req, "setup-settings-title")?;
    let s = req.site.settings()?;
    let form = form.unwrap_or_default();
    let typed = form.has_values();
    let e = |n: &str| form.errors.get(n).cloned().unwrap_or_default();
    let title = if typed {
        form.value("title").unwrap_or("").to_owned()
    } else {
        s.title.clone()
    };
    let languages = if typed {
        form.all("languages")
    } else {
        s.languages.clone()
    };
    let default = if typed {
        form.value("default_language").unwrap_or("").to_owned()
    } else {
        s.default_language.clone()
    };
    let theme = if typed {
        form.value("theme").unwrap_or("").to_owned()
    } else {
        s.theme.clone().unwrap_or_default()
    };
    let fields = vec![
        Field {
            value: title,
            required: true,
            ..Field::new(req, "title", "setup-field-site-title", "text", e("title"))
        },
        Field {
            options: language_options(req, |l| languages.iter().any(|x| x == l)),
            ..Field::new(
                req,
                "languages",
                "setup-field-languages",
                "checkboxes",
                e("languages"),
            )
        },
        Field {
            options: language_options(req, |l| l == default),
            ..Field::new(
                req,
                "default_language",
                "setup-field-default-language",
                "select",
                e("default_language"),
            )
        },
        Field {
            value: theme,
            help: t(req, "setup-field-theme-help"),
            ..Field::new(req, "theme", "setup-field-theme", "text", e("theme"))
        },
    ];
    ctx.insert("fields", &fields);
    ctx.insert("form_error", &form.general);
    ctx.insert("action", &page_url(req, SETTINGS));
    page(req, status, "setup_settings.html", &ctx)
}

fn save_settings(req: &Req<'_>, body: &[u8]) -> Result<Response> {
    let f = form(body);
    check_form_csrf(req, &f)?;
    let change = SettingsChange {
        title: Some(field(&f, "title").to_owned()),
        languages: Some(
            f.iter()
                .filter(|(k, _)| k == "languages")
                .map(|(_, v)| v.clone())
                .collect(),
        ),
        default_language: Some(field(&f, "default_language").to_owned()),
        theme: Some(field(&f, "theme").trim().to_owned()),
    };
    match req.site.write(&req.who, |w| w.set_settings(&change)) {
        Ok(_) => Ok(done(req, SETTINGS, "settings-saved")),
        Err(err) => {
            let errors = form_errors(req, err, "title", "title")?;
            settings_page(
                req,
                Some(Form {
                    values: f,
                    errors,
                    general: None,
                }),
                StatusCode::BAD_REQUEST,
            )
        }
    }
}

// ---------------------------------------------------------------- workflows

fn workflows_page(req: &Req<'_>) -> Result<Response> {
    let mut ctx = context(req, "setup-workflows-title")?;
    let lang = req.lang.as_str();
    let mut list: Vec<serde_json::Value> = Vec::new();
    for w in req.site.workflows() {
        let state_title = |id: &str| {
            w.states
                .iter()
                .find(|s| s.id == id)
                .map(|s| s.title.get(lang).to_owned())
                .filter(|x| !x.is_empty())
                .unwrap_or_else(|| id.to_owned())
        };
        list.push(json!({
            "name": w.name,
            "title": w.title.get(lang),
            "description": w.description.get(lang),
            "initial": state_title(&w.initial),
            "states": w.states.iter().map(|s| json!({"id": s.id, "title": state_title(&s.id)})).collect::<Vec<_>>(),
            "transitions": w.transitions.iter().map(|tr| json!({
                "id": tr.id,
                "title": tr.title.get(lang),
                "from": tr.from.iter().map(|f| state_title(f)).collect::<Vec<_>>().join(", "),
                "to": state_title(&tr.to),
            })).collect::<Vec<_>>(),
            "diagram": format!("{}/@@workflow-diagram/{}", req.base, encode_path(&w.name)),
        }));
    }
    list.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    ctx.insert("workflows", &list);
    page(req, StatusCode::OK, "setup_workflows.html", &ctx)
}

// ---------------------------------------------------------------- audit

fn audit_page(req: &Req<'_>) -> Result<Response> {
    let mut ctx = context(req, "setup-audit-title")?;
    let q = super::req_query(req);
    let size = if req.query.unwrap_or("").contains("b_size=") {
        q.b_size
    } else {
        50
    };
    let (entries, total) = req.site.audit_log(&req.who, q.b_start, size)?;
    let rows: Vec<serde_json::Value> = entries
        .iter()
        .map(|e| {
            json!({
                "time": e.time.format("%d/%m/%Y %H:%M:%S").to_string(),
                "datetime": e.time.to_rfc3339(),
                "actor": e.actor,
                "event": e.event,
                "target": e.target,
                "detail": e.detail,
                "address": e.address.clone().unwrap_or_default(),
            })
        })
        .collect();
    let link = |start: usize| format!("{}?b_start={start}&b_size={size}", page_url(req, AUDIT));
    ctx.insert("entries", &rows);
    ctx.insert(
        "prev",
        &(q.b_start > 0).then(|| link(q.b_start.saturating_sub(size))),
    );
    ctx.insert(
        "next",
        &(q.b_start.saturating_add(size) < total).then(|| link(q.b_start + size)),
    );
    ctx.insert(
        "range",
        &t_args(
            req,
            "setup-audit-range",
            &[
                ("from", q.b_start.saturating_add(1).min(total).to_string()),
                ("to", q.b_start.saturating_add(rows.len()).to_string()),
                ("total", total.to_string()),
            ],
        ),
    );
    ctx.insert("csv_url", &format!("{}/@audit?format=csv", req.base));
    page(req, StatusCode::OK, "setup_audit.html", &ctx)
}
