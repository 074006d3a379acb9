//! `@search` and `@querystring-search` over HTTP answer the same through
//! the catalog as through the core's own search, on the same content.

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use base64::Engine;
use tower::ServiceExt;

use crate::common::*;
use beffroi::prelude::*;

const WITHOUT_CATALOG: &str = "id = \"town\"\ntitle = \"Town\"\nlanguages = [\"fr\", \"nl\", \"en\", \"es\", \"de\"]\nhosts = [\"town.test\"]\n[modules.website]\n[modules.notices]\n";

/// The same town twice: the catalog answers searches in one, the core's
/// walk in the other.
fn towns(dir: &Path) -> (Site, Site) {
    let with = open(&dir.join("with"));
    let without = open_with(&dir.join("without"), WITHOUT_CATALOG);
    assert!(with
        .modules()
        .iter()
        .any(|m| m.manifest().name == "catalog"));
    assert!(!without
        .modules()
        .iter()
        .any(|m| m.manifest().name == "catalog"));
    for s in [&with, &without] {
        fill(s);
    }
    (with, without)
}

fn fill(s: &Site) {
    published(
        s,
        "/",
        "Folder",
        "actualites",
        None,
        json!({"title": "Actualités"}),
    );
    published(
        s,
        "/actualites",
        "Notice",
        "chantier",
        None,
        json!({"title": "Chantier rue Haute", "body": "<p>Fermeture de la chaussée</p>", "subjects": "routes", "category": "urbanisme", "start": "2026-03-01"}),
    );
    published(
        s,
        "/actualites",
        "Notice",
        "marche",
        None,
        json!({"title": "Marché de Noël", "body": "<p>Chalets sur la place</p>", "subjects": "fetes", "category": "culture", "start": "2026-12-01"}),
    );
    published(
        s,
        "/actualites",
        "Notice",
        "bibliotheque",
        Some("nl"),
        json!({"title": "Bibliotheek open", "body": "<p>Nieuwe uren</p>", "category": "culture"}),
    );
    // A private notice, and a published notice in a private folder.
    s.write(&admin(), |w| {
        w.add_with(
            "/actualites",
            "Notice",
            data(json!({"title": "Projet confidentiel", "subjects": "routes", "category": "urbanisme"})),
            AddOptions {
                id: Some("projet".into()),
                language: None,
            },
        )?;
        w.add_with(
            "/",
            "Folder",
            data(json!({"title": "Intranet"})),
            AddOptions {
                id: Some("intranet".into()),
                language: None,
            },
        )
    })
    .unwrap();
    published(
        s,
        "/intranet",
        "Notice",
        "note",
        None,
        json!({"title": "Note publique", "body": "<p>Chaussée fermée</p>", "category": "urbanisme"}),
    );
}

fn app(site: Site) -> axum::Router {
    beffroi::web::app(Arc::new(
        beffroi::web::Sites::new(vec![Arc::new(site)]).unwrap(),
    ))
}

async fn call(
    app: &axum::Router,
    method: &str,
    uri: &str,
    admin: bool,
    body: &str,
) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "town.test")
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_TYPE, "application/json");
    if admin {
        req = req.header(
            header::AUTHORIZATION,
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("admin:Hotel-de-ville-2026")
            ),
        );
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::from(body.to_owned())).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn search_through_the_catalog_answers_as_the_cores_walk() {
    let dir = tempfile::tempdir().unwrap();
    let (with, without) = towns(dir.path());
    let (with, without) = (app(with), app(without));
    let searches = [
        "/@search",
        "/@search?portal_type=Notice&sort_on=sortable_title",
        "/actualites/@search?path.depth=1",
        "/@search?SearchableText=chaussee&sort_on=path",
        "/@search?SearchableText=Chalets%20place&sort_on=path",
        "/@search?Subject=routes",
        "/@search?category=urbanisme",
        "/@search?Language=nl",
        "/@search?review_state=published&sort_on=sortable_title&sort_order=descending",
        "/@search?created.query=2000-01-01&created.range=min",
        "/@search?created.query=2100-01-01&created.range=min",
        "/@search?start.query:list=2026-01-01&start.query:list=2026-06-30&start.range=min:max",
        "/@search?sort_on=path&b_size=2&b_start=2",
        "/@search?portal_type=Notice&sort_on=sortable_title&metadata_fields=_all&fullobjects=0",
        "/@search?path.query=/town/actualites&path.depth=1&sort_on=sortable_title&sort_limit=2",
        "/@search?nonsense=1",
        "/@search?sort_on=colour",
    ];
    for admin in [false, true] {
        for uri in searches {
            let a = call(&with, "GET", uri, admin, "").await;
            let b = call(&without, "GET", uri, admin, "").await;
            assert_eq!(a.0, b.0, "{uri} (admin: {admin})");
            if a.0 == StatusCode::OK {
                let mut a = a.1;
                let mut b = b.1;
                // Metadata that differs between two sites: uids and times.
                for v in [&mut a, &mut b] {
                    for item in v["items"].as_array_mut().unwrap() {
                        for k in ["UID", "created", "modified", "effective"] {
                            item.as_object_mut().unwrap().remove(k);
                        }
                    }
                }
                assert_eq!(a, b, "{uri} (admin: {admin})");
            }
        }
    }
    // The catalog does answer: its stemming finds `chalet` in "Chalets",
    // which the core's whole-word walk does not.
    let (_, a) = call(&with, "GET", "/@search?SearchableText=chalet", false, "").await;
    let (_, b) = call(&without, "GET", "/@search?SearchableText=chalet", false, "").await;
    assert_eq!(a["items"][0]["@id"], "http://town.test/actualites/marche");
    assert_eq!(b["items_total"], 0);
    // What a visitor finds: Plone's rule, the published note in the
    // private intranet included; the private notice never.
    let (_, v) = call(
        &with,
        "GET",
        "/@search?portal_type=Notice&sort_on=path",
        false,
        "",
    )
    .await;
    let paths: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["@id"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        vec![
            "http://town.test/actualites/bibliotheque",
            "http://town.test/actualites/chantier",
            "http://town.test/actualites/marche",
            "http://town.test/intranet/note",
        ]
    );
    let any = "plone.app.querystring.operation.selection.any";
    let bodies = [
        json!({"query": [{"i": "portal_type", "o": any, "v": ["Notice"]}], "sort_on": "sortable_title"}),
        json!({"query": [{"i": "Subject", "o": "plone.app.querystring.operation.selection.all", "v": ["routes"]}]}),
        json!({"query": [{"i": "path", "o": "plone.app.querystring.operation.string.absolutePath", "v": "/actualites::1"}], "sort_on": "path", "b_size": 2}),
        json!({"query": [{"i": "start", "o": "plone.app.querystring.operation.date.largerThan", "v": "2026-06-01"}]}),
    ];
    for admin in [false, true] {
        for body in &bodies {
            let a = call(
                &with,
                "POST",
                "/@querystring-search",
                admin,
                &body.to_string(),
            )
            .await;
            let b = call(
                &without,
                "POST",
                "/@querystring-search",
                admin,
                &body.to_string(),
            )
            .await;
            assert_eq!(a.0, StatusCode::OK, "{body}: {}", a.1);
            assert_eq!(a, b, "{body} (admin: {admin})");
        }
    }
}
