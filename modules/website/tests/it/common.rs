//! A test town running the website module, and HTTP helpers.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use base64::Engine;
use beffroi::prelude::*;
use beffroi::store::{SledStore, Store};
use beffroi::{CoreModule, Registry, SiteConfig};
use tower::ServiceExt;

/// The password of every test account.
pub(crate) const PASSWORD: &str = "Hotel-de-ville-2026";

/// A town with the website module (demo content when `demo`), and the
/// accounts a town's communication team has: `admin` (Manager),
/// `carla` (a contributor who writes news and events), `rita` (a
/// reviewer who publishes), all with [`PASSWORD`].
pub(crate) struct Town {
    pub(crate) _dir: tempfile::TempDir,
    pub(crate) site: Arc<Site>,
    pub(crate) app: Router,
}

pub(crate) fn town(demo: bool) -> Town {
    let dir = tempfile::tempdir().expect("tmp");
    let registry = Registry::from_modules([
        &CoreModule as &'static dyn beffroi::Module,
        beffroi_website::module(),
    ])
    .expect("registry");
    let toml = format!(
        "id = \"town\"\ntitle = \"Ville de Test\"\nlanguages = [\"fr\", \"nl\", \"de\", \"en\", \"es\"]\nhosts = [\"town.test\"]\nurl = \"http://town.test\"\ndemo_content = {demo}\n[modules.website]\n"
    );
    let config = SiteConfig::parse("site.toml", &toml, dir.path()).expect("config");
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&dir.path().join("data")).expect("store"));
    let site = Arc::new(Site::open(config, store, &registry).expect("site"));
    site.create(Some(PASSWORD)).expect("create");
    site.write(&Principal::system("admin"), |w| {
        w.add_user(
            "carla",
            "Carla Contributrice",
            Some("carla@town.test"),
            PASSWORD,
            &["Contributor".to_owned()],
        )?;
        w.add_user(
            "rita",
            "Rita Relectrice",
            Some("rita@town.test"),
            PASSWORD,
            &["Reviewer".to_owned()],
        )?;
        Ok(())
    })
    .expect("accounts");
    let app = beffroi::web::app(Arc::new(
        beffroi::web::Sites::new(vec![Arc::clone(&site)]).expect("sites"),
    ));
    Town {
        _dir: dir,
        site,
        app,
    }
}

/// The system, with every permission.
pub(crate) fn system() -> Principal {
    Principal::system("admin")
}

/// An answer, read whole.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub(crate) fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }
}

/// Basic auth for a test account.
pub(crate) fn auth(login: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{login}:{PASSWORD}"))
    )
}

/// Sends one request, as `who` (`None`: a visitor), to `town.test`.
pub(crate) async fn call(
    t: &Town,
    method: &str,
    uri: &str,
    who: Option<&str>,
    body: Option<Value>,
) -> Answer {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "town.test")
        .header(header::ACCEPT_LANGUAGE, "fr");
    if let Some(login) = who {
        req = req.header(header::AUTHORIZATION, auth(login));
    }
    let body = match body {
        Some(v) => {
            req = req
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::ACCEPT, "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    let res = t
        .app
        .clone()
        .oneshot(req.body(body).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = axum::body::to_bytes(res.into_body(), 1 << 26)
        .await
        .unwrap()
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

/// `GET` as a visitor or a user.
pub(crate) async fn get(t: &Town, uri: &str, who: Option<&str>) -> Answer {
    call(t, "GET", uri, who, None).await
}

/// `GET` with `Accept: application/json`.
pub(crate) async fn get_json(t: &Town, uri: &str, who: Option<&str>) -> Value {
    let mut req = Request::builder()
        .uri(uri)
        .header(header::HOST, "town.test")
        .header(header::ACCEPT, "application/json");
    if let Some(login) = who {
        req = req.header(header::AUTHORIZATION, auth(login));
    }
    let res = t
        .app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 26)
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// Creates an item over the API as `who` in `parent`; its path.
pub(crate) async fn create(t: &Town, who: &str, parent: &str, body: Value) -> String {
    let r = call(t, "POST", parent, Some(who), Some(body)).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let id = r.json()["@id"].as_str().unwrap().to_owned();
    id.trim_start_matches("http://town.test").to_owned()
}

/// Fires a transition over the API as `who`.
pub(crate) async fn transition(t: &Town, who: &str, path: &str, name: &str) {
    let r = call(
        t,
        "POST",
        &format!("{path}/@workflow/{name}"),
        Some(who),
        Some(json!({})),
    )
    .await;
    assert_eq!(r.status, 200, "{name} on {path}: {}", r.text());
}
