//! Tests of @CRATE@: a site with the module, driven over HTTP and through
//! the core's public API.
#![allow(clippy::unwrap_used, clippy::expect_used)] // A test fails loudly; that is its job.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use beffroi::prelude::*;
use beffroi::store::{SledStore, Store};
use beffroi::{CoreModule, Registry, SiteConfig};
use tower::ServiceExt;

const LANGS: [&str; 5] = ["fr", "nl", "de", "en", "es"];

/// A site with the core and this module, its demo content created.
fn demo_site(dir: &std::path::Path) -> Arc<Site> {
    let registry = Registry::from_modules([
        &CoreModule as &'static dyn beffroi::Module,
        @IDENT@::module(),
    ])
    .expect("registry");
    registry.check().expect("the module's manifest is valid");
    let config = SiteConfig::parse(
        "test.toml",
        "id = \"demo\"\ntitle = \"Ville de Demo\"\nlanguages = [\"fr\", \"nl\", \"de\", \"en\", \"es\"]\ndemo_content = true\n[modules.@NAME@]\n",
        dir,
    )
    .expect("config");
    let store: Arc<dyn Store> = Arc::new(SledStore::open(dir).expect("store"));
    let site = Site::open(config, store, &registry).expect("site");
    site.create(Some("Hotel-de-ville-2026")).expect("create");
    Arc::new(site)
}

async fn get(site: &Arc<Site>, path: &str, headers: &[(&str, &str)]) -> (StatusCode, String) {
    let app = beffroi::web::app(Arc::new(
        beffroi::web::Sites::new(vec![Arc::clone(site)]).expect("sites"),
    ));
    let mut req = Request::get(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = app
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 1 << 22)
        .await
        .expect("body");
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn example_path() -> String {
    format!("/{}", "@SLUG@-exemple")
}

#[tokio::test]
async fn the_example_notice_is_served_to_visitors_in_every_language() {
    let dir = tempfile::tempdir().expect("tmp");
    let site = demo_site(dir.path());
    let in_short = [
        ("fr", "En bref"),
        ("nl", "Kort gezegd"),
        ("de", "Kurz gesagt"),
        ("en", "In short"),
        ("es", "En resumen"),
    ];
    for (lang, words) in in_short {
        let (status, html) = get(&site, &example_path(), &[("accept-language", lang)]).await;
        assert_eq!(status, StatusCode::OK, "{lang}");
        assert!(html.contains(&format!("<html lang=\"{lang}\">")), "{lang}");
        assert!(html.contains("un exemple"), "{lang}: the title is shown");
        assert!(html.contains(words), "{lang}: the view's message `{words}`");
        assert!(html.contains("Cet avis montre"), "{lang}: the summary is shown");
    }
    let (status, json) = get(&site, &example_path(), &[("accept", "application/json")]).await;
    assert_eq!(status, StatusCode::OK);
    let json: Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(json["@type"], @IDENT@::NOTICE);
    assert_eq!(json["review_state"], "published");
}

#[tokio::test]
async fn a_draft_is_hidden_from_visitors_until_published() {
    let dir = tempfile::tempdir().expect("tmp");
    let site = demo_site(dir.path());
    let system = Principal::system("test");
    let data = match json!({"title": "Avis de test", "summary": "Un avis pour le test."}) {
        Value::Object(m) => m,
        _ => unreachable!(),
    };
    let notice = site.add(&system, "/", @IDENT@::NOTICE, data).expect("add");
    assert_eq!(notice.review_state.as_deref(), Some("draft"));
    let (status, _) = get(&site, &notice.path, &[]).await;
    assert_ne!(status, StatusCode::OK, "a draft is not shown to visitors");
    site.write(&system, |w| w.transition(&notice.path, "publish", "").map(|_| ()))
        .expect("publish");
    let (status, html) = get(&site, &notice.path, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Un avis pour le test."));
}

#[test]
fn the_hook_refuses_a_notice_without_a_summary() {
    let dir = tempfile::tempdir().expect("tmp");
    let site = demo_site(dir.path());
    let system = Principal::system("test");
    let data = match json!({"title": "Sans résumé", "summary": "   "}) {
        Value::Object(m) => m,
        _ => unreachable!(),
    };
    let err = site
        .add(&system, "/", @IDENT@::NOTICE, data)
        .expect_err("the hook refuses it");
    assert!(err.to_string().contains("summary"), "{err}");
}

#[test]
fn every_message_and_label_is_translated_in_every_language() {
    let dir = tempfile::tempdir().expect("tmp");
    let site = demo_site(dir.path());
    let catalog = site.renderer().catalog();
    let keys: Vec<&str> = include_str!("../../locales/en.ftl")
        .lines()
        .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim()))
        .collect();
    assert!(!keys.is_empty());
    for lang in LANGS {
        for key in &keys {
            assert!(catalog.has(lang, key), "`{key}` is missing in {lang}");
        }
    }
    let ty = site
        .schema()
        .types()
        .find(|t| t.name == @IDENT@::NOTICE)
        .expect("the type is registered");
    for lang in LANGS {
        assert!(ty.title.0.contains_key(lang), "no {lang} title");
        for f in &ty.fields {
            assert!(f.title.0.contains_key(lang), "{} has no {lang} label", f.name);
        }
    }
}

#[test]
fn the_module_registers_itself() {
    let registry = Registry::global().expect("registry");
    assert!(registry.names().contains(&@IDENT@::NAME));
    assert_eq!(@IDENT@::module().manifest().version, env!("CARGO_PKG_VERSION"));
}
