//! The types load, the demo content is valid, every view renders in every
//! language, and every message is translated.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use beffroi::store::{SledStore, Store};
use beffroi::{CoreModule, Registry, Site, SiteConfig};
use serde_json::json;
use tower::ServiceExt;

const LANGS: [&str; 5] = ["fr", "nl", "de", "en", "es"];

fn demo_site(dir: &std::path::Path) -> Arc<Site> {
    let registry = Registry::from_modules([
        &CoreModule as &'static dyn beffroi::Module,
        beffroi_website::module(),
    ])
    .expect("registry");
    let config = SiteConfig::parse(
        "test.toml",
        "id = \"demo\"\ntitle = \"Ville de Demo\"\nlanguages = [\"fr\", \"nl\", \"de\", \"en\", \"es\"]\ndemo_content = true\n[modules.website]\n",
        dir,
    )
    .expect("config");
    let store: Arc<dyn Store> = Arc::new(SledStore::open(dir).expect("store"));
    let site = Site::open(config, store, &registry).expect("site");
    site.create(Some("Hotel-de-ville-2026")).expect("create");
    Arc::new(site)
}

#[test]
fn demo_content_builds_a_town() {
    let dir = tempfile::tempdir().expect("tmp");
    let site = demo_site(dir.path());
    let services = site.children("/services-communaux").expect("services");
    assert_eq!(services.len(), 4);
    assert!(services.iter().all(|s| s.type_name == "Document"));
    assert!(services[0]
        .field("text")
        .and_then(|t| t.as_str())
        .is_some_and(|t| t.contains("Heures d'ouverture")));
    let news = site.children("/actualites").expect("news");
    assert_eq!(news.len(), 12, "a dozen news items");
    assert!(news
        .iter()
        .all(|n| n.review_state.as_deref() == Some("published")));
    let events = site.children("/agenda").expect("agenda");
    assert_eq!(events.len(), 12, "a dozen events");
    assert!(events.iter().all(|e| e.type_name == "Event"));
    assert!(
        events
            .iter()
            .any(|e| e.field("recurrence") == Some(&json!("FREQ=WEEKLY;BYDAY=SA"))),
        "a weekly market"
    );
    assert!(site.children("/demarches").expect("procedures").len() >= 3);
    // The root shows the home page, made of sections.
    let root = site.get("/").expect("root").expect("root");
    let home = site.get("/accueil").expect("home").expect("home");
    assert_eq!(root.field("default_page"), Some(&json!(home.uid)));
    let sections: Vec<String> = site
        .children("/accueil")
        .expect("sections")
        .iter()
        .map(|s| s.type_name.clone())
        .collect();
    assert_eq!(
        sections,
        ["Query Section", "Query Section", "Links Section"]
    );
}

#[tokio::test]
async fn every_demo_page_renders_in_every_language() {
    let dir = tempfile::tempdir().expect("tmp");
    let site = demo_site(dir.path());
    let items = site.walk().expect("walk");
    assert!(items.len() > 10);
    let app = beffroi::web::app(Arc::new(
        beffroi::web::Sites::new(vec![Arc::clone(&site)]).expect("sites"),
    ));
    for lang in LANGS {
        for item in &items {
            let res = app
                .clone()
                .oneshot(
                    Request::get(item.path.as_str())
                        .header("accept-language", lang)
                        .body(Body::empty())
                        .expect("request"),
                )
                .await
                .expect("response");
            assert_eq!(res.status(), StatusCode::OK, "{} in {lang}", item.path);
            let body = axum::body::to_bytes(res.into_body(), 1 << 22)
                .await
                .expect("body");
            let html = String::from_utf8_lossy(&body);
            assert!(
                html.contains(&format!("<html lang=\"{lang}\">")),
                "{}",
                item.path
            );
            assert!(html.contains("<h1>"), "{} has no heading", item.path);
        }
    }
}

#[test]
fn every_message_is_translated_in_every_language() {
    let dir = tempfile::tempdir().expect("tmp");
    let site = demo_site(dir.path());
    let catalog = site.renderer().catalog();
    let keys: Vec<&str> = include_str!("../../locales/en.ftl")
        .lines()
        .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim()))
        .collect();
    assert!(keys.len() >= 4);
    for lang in LANGS {
        for key in &keys {
            assert!(catalog.has(lang, key), "`{key}` is missing in {lang}");
        }
    }
    for ty in site.schema().types() {
        for lang in LANGS {
            assert!(
                ty.title.0.contains_key(lang),
                "type {} has no {lang} title",
                ty.name
            );
            for f in &ty.fields {
                assert!(
                    f.title.0.contains_key(lang),
                    "{}.{} has no {lang} label",
                    ty.name,
                    f.name
                );
            }
        }
    }
}
