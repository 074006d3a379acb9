use std::path::Path;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use base64::Engine;
use std::sync::Arc;
use tower::ServiceExt;

use beffroi::hooks::{Event, Phase, Subscriber, Veto};
use beffroi::prelude::*;
use beffroi::store::{SledStore, Store};
use beffroi::{CoreModule, Registry, SiteConfig};

pub(crate) struct Testing;

pub(crate) const TYPES: &str = r#"
name = "Page"
title = { en = "Page", fr = "Page" }
default_view = "item_view"

[[field]]
name = "text"
kind = "richtext"

[[field]]
name = "count"
kind = "integer"
min = 0
max = 10

[[field]]
name = "price"
kind = "decimal"

[[field]]
name = "open"
kind = "bool"

[[field]]
name = "day"
kind = "date"

[[field]]
name = "at"
kind = "datetime"

[[field]]
name = "kind"
kind = "choice"
vocabulary = "kinds"

[[field]]
name = "tags"
kind = "multi_choice"
vocabulary = "kinds"

[[field]]
name = "email"
kind = "email"

[[field]]
name = "website"
kind = "url"

[[field]]
name = "phone"
kind = "phone"

[[field]]
name = "attachment"
kind = "file"

[[field]]
name = "photo"
kind = "image"

[[field]]
name = "related"
kind = "reference"

[[field]]
name = "where"
kind = "address"

[[field]]
name = "code"
kind = "text"
max_length = 5

[[field]]
name = "status"
kind = "text"
default = "new"
"#;

pub(crate) const FOLDER: &str = r#"
name = "Folder"
container = true
title = { en = "Folder" }
"#;

pub(crate) const BOX: &str = r#"
name = "Box"
container = true
global_allow = false
allowed = ["Page"]
title = { en = "Box" }
"#;

pub(crate) const SECRET: &str = r#"
name = "Secret"
title = { en = "Secret page" }
workflow = "simple_publication"
"#;

pub(crate) const KINDS: &str = r#"
name = "kinds"
terms = [
  { value = "civil", title = { en = "Civil status", fr = "État civil" } },
  { value = "works", title = { en = "Public works", fr = "Travaux" } },
]
"#;

fn refuse_forbidden(_w: &mut Writer<'_>, e: &Event<'_>) -> Result<(), Veto> {
    if let Event::ItemAdded(item) = e {
        if item.title().contains("forbidden") {
            return Err(Veto("titles may not say forbidden".into()));
        }
    }
    Ok(())
}

fn count_additions(w: &mut Writer<'_>, e: &Event<'_>) -> Result<(), Veto> {
    if let Event::ItemAdded(_) = e {
        let n = w
            .module_get("testing", "added")
            .map_err(|e| Veto(e.to_string()))?
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
        w.module_put("testing", "added", &json!(n + 1));
    }
    Ok(())
}

fn refuse_when_count_is_three(w: &mut Writer<'_>, e: &Event<'_>) -> Result<(), Veto> {
    // Runs after `count_additions` (higher order): it sees the counter the
    // same transaction just wrote.
    if let Event::ItemAdded(item) = e {
        let n = w
            .module_get("testing", "added")
            .ok()
            .flatten()
            .and_then(|v| v.as_u64());
        if item.title() == "third check" && n == Some(3) {
            return Err(Veto("saw the counter at 3".into()));
        }
    }
    Ok(())
}

impl Module for Testing {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "testing",
            version: "1.0.0",
            title: "Test module",
            core: "^0.2",
            types: &[
                ("types/page.toml", TYPES),
                ("types/folder.toml", FOLDER),
                ("types/box.toml", BOX),
                ("types/secret.toml", SECRET),
            ],
            vocabularies: &[("vocabularies/kinds.toml", KINDS)],
            ..Manifest::EMPTY
        }
    }

    fn subscribers(&self) -> Vec<Subscriber> {
        vec![
            Subscriber {
                name: "refuse-forbidden",
                phase: Phase::Before,
                order: 0,
                handler: refuse_forbidden,
            },
            Subscriber {
                name: "count-additions",
                phase: Phase::After,
                order: 0,
                handler: count_additions,
            },
            Subscriber {
                name: "check-three",
                phase: Phase::After,
                order: 10,
                handler: refuse_when_count_is_three,
            },
        ]
    }
}

pub(crate) static TESTING: Testing = Testing;

pub(crate) fn registry(extra: &[&'static dyn Module]) -> Registry {
    let mut all: Vec<&'static dyn Module> = vec![&CoreModule, &TESTING];
    all.extend_from_slice(extra);
    Registry::from_modules(all).expect("registry")
}

pub(crate) const SITE_TOML: &str = "id = \"town\"\ntitle = \"Test Town\"\nlanguages = [\"fr\", \"en\", \"nl\"]\nhosts = [\"town.test\"]\n[modules.testing]\n";

pub(crate) fn open_site(dir: &Path, toml: &str, registry: &Registry) -> beffroi::Result<Site> {
    let config = SiteConfig::parse("site.toml", toml, dir)?;
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&dir.join("data"))?);
    Site::open(config, store, registry)
}

pub(crate) struct Town {
    pub dir: tempfile::TempDir,
    pub site: Arc<Site>,
}

pub(crate) fn town() -> Town {
    let dir = tempfile::tempdir().expect("tmp");
    let site = open_site(dir.path(), SITE_TOML, &registry(&[])).expect("site");
    site.create(Some("Hotel-de-ville-2026")).expect("create");
    Town {
        dir,
        site: Arc::new(site),
    }
}

pub(crate) fn data(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("data must be an object"),
    }
}

/// The system, as the admin: every permission.
pub(crate) fn admin() -> Principal {
    Principal::system("admin")
}

pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

impl Answer {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The value a `Set-Cookie` header gives `name`.
    pub(crate) fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|h| h.to_str().ok())
            .find_map(|h| {
                h.split(';')
                    .next()
                    .and_then(|kv| kv.split_once('='))
                    .filter(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_owned())
            })
    }
}

/// Sends one request to the app, as if to `town.test`.
pub(crate) async fn request(
    app: &Router,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "town.test");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::from(body.to_owned())).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// The HTTP app serving one test town.
pub(crate) fn serve(t: &Town) -> axum::Router {
    beffroi::web::app(Arc::new(
        beffroi::web::Sites::new(vec![Arc::clone(&t.site)]).unwrap(),
    ))
}

/// The password of the test users the helpers below log in.
pub(crate) const PASSWORD: &str = "Correct-horse-42";
/// The password of the town's `admin` account, in the tests that make one.
pub(crate) const ADMIN_PASSWORD: &str = "Hotel-de-ville-2026";
/// Asks for JSON.
pub(crate) const JSON: (&str, &str) = ("accept", "application/json");
/// Sends JSON.
pub(crate) const SEND_JSON: (&str, &str) = ("content-type", "application/json");

/// An `Authorization` header value for Basic auth.
pub(crate) fn basic_auth(login: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}"))
    )
}

/// Basic auth as `login` with [`PASSWORD`].
pub(crate) fn basic(login: &str) -> String {
    basic_auth(login, PASSWORD)
}

/// A town with a site administrator (sam), an editor (eddy) and a
/// citizen (claire, with an address), all with [`PASSWORD`].
pub(crate) fn staffed() -> Town {
    let t = town();
    t.site
        .write(&admin(), |w| {
            w.add_user(
                "sam",
                "Sam Admin",
                None,
                PASSWORD,
                &["Site Administrator".into()],
            )?;
            w.add_user("eddy", "Eddy Editor", None, PASSWORD, &["Editor".into()])?;
            w.add_user(
                "claire",
                "Claire Dubois",
                Some("claire@example.org"),
                PASSWORD,
                &[],
            )?;
            Ok(())
        })
        .unwrap();
    t
}

/// Where a redirect goes.
pub(crate) fn location(r: &Answer) -> String {
    r.headers[header::LOCATION].to_str().unwrap().to_owned()
}

/// The CSRF token of the (first) form on a page.
pub(crate) fn form_token(html: &str) -> String {
    html.split("name=\"_authenticator\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a form with a CSRF token")
        .to_owned()
}

/// A token from `POST /@login` as `who` (`admin` with [`ADMIN_PASSWORD`],
/// anyone else with [`PASSWORD`]).
pub(crate) async fn json_token(app: &Router, who: &str) -> String {
    let password = if who == "admin" {
        ADMIN_PASSWORD
    } else {
        PASSWORD
    };
    let r = request(
        app,
        "POST",
        "/@login",
        &[JSON, SEND_JSON],
        &serde_json::json!({"login": who, "password": password}).to_string(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["token"].as_str().unwrap().to_owned()
}

/// An `Authorization` header value with [`json_token`]'s token.
pub(crate) async fn bearer(app: &Router, who: &str) -> String {
    format!("Bearer {}", json_token(app, who).await)
}
