use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use beffroi::prelude::*;
use beffroi::web::{app, Sites};
use tower::ServiceExt;

use crate::common::{admin, data, open_site, registry, request, serve, town, Answer, Town};

async fn call(app: &Router, method: &str, uri: &str, headers: &[(&str, &str)]) -> Answer {
    request(app, method, uri, headers, "").await
}

fn populated() -> Town {
    let t = town();
    let s = &t.site;
    s.add(&admin(), "/", "Folder", data(json!({"title": "Services"})))
        .unwrap();
    s.add(
        &admin(),
        "/services",
        "Page",
        data(json!({"title": "État civil", "description": "Naissances & mariages", "kind": "civil", "open": true,
                    "text": "<p>Guichet <em>ouvert</em></p>"})),
    )
    .unwrap();
    t
}

#[tokio::test]
async fn items_answer_as_html_and_as_plone_restapi_json() {
    let t = populated();
    let app = serve(&t);
    let html = call(&app, "GET", "/services/etat-civil", &[]).await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(html.body.contains("<html lang=\"fr\">"));
    assert!(html.body.contains("<h1>État civil</h1>"));
    assert!(
        html.body.contains("Naissances &amp; mariages"),
        "text is escaped"
    );
    assert!(
        html.body.contains("<p>Guichet <em>ouvert</em></p>"),
        "rich text is not"
    );
    assert!(
        html.body.contains("État civil</dd>"),
        "choice shows its term title in French"
    );
    assert!(
        html.body.contains("Aller au contenu"),
        "skip link translated"
    );

    let en = call(
        &app,
        "GET",
        "/services/etat-civil",
        &[("accept-language", "en-GB,en;q=0.9")],
    )
    .await;
    assert!(en.body.contains("<html lang=\"en\">"));
    assert!(en.body.contains("Civil status</dd>"));
    assert!(en.body.contains("Skip to content"));

    let json = call(
        &app,
        "GET",
        "/services/etat-civil",
        &[("accept", "application/json")],
    )
    .await;
    assert_eq!(json.status, StatusCode::OK);
    let v = json.json();
    assert_eq!(v["@id"], "http://town.test/services/etat-civil");
    assert_eq!(v["@type"], "Page");
    assert_eq!(v["id"], "etat-civil");
    assert_eq!(v["title"], "État civil");
    assert_eq!(v["kind"], "civil");
    assert_eq!(v["parent"]["@id"], "http://town.test/services");
    assert_eq!(v["UID"].as_str().unwrap().len(), 32);

    let api = call(&app, "GET", "/++api++/services", &[]).await;
    let folder = api.json();
    assert_eq!(
        folder["@id"], "http://town.test/services",
        "++api++ is not in @id"
    );
    assert_eq!(folder["items_total"], 1);
    assert_eq!(folder["items"][0]["title"], "État civil");
    assert_eq!(folder["is_folderish"], true);

    let root = call(&app, "GET", "/++api++", &[]).await.json();
    assert_eq!(root["@type"], "Plone Site");
    assert_eq!(root["id"], "town");
    assert_eq!(root["items"][0]["@id"], "http://town.test/services");
}

#[tokio::test]
async fn large_folders_are_batched() {
    let t = town();
    t.site
        .add(&admin(), "/", "Folder", data(json!({"title": "News"})))
        .unwrap();
    t.site
        .write(&admin(), |w| {
            for i in 0..30 {
                w.add("/news", "Page", data(json!({"title": format!("News {i}")})))?;
            }
            Ok(())
        })
        .unwrap();
    let app = serve(&t);
    let first = call(&app, "GET", "/++api++/news", &[]).await.json();
    assert_eq!(first["items_total"], 30);
    assert_eq!(first["items"].as_array().unwrap().len(), 25);
    assert_eq!(
        first["batching"]["next"],
        "http://town.test/news?b_start=25&b_size=25"
    );
    let second = call(&app, "GET", "/++api++/news?b_start=25", &[])
        .await
        .json();
    assert_eq!(second["items"].as_array().unwrap().len(), 5);
    assert_eq!(second["items"][0]["title"], "News 25");
}

#[tokio::test]
async fn unknown_paths_tricks_and_methods_get_clear_errors() {
    let t = populated();
    let app = serve(&t);
    let missing = call(&app, "GET", "/nowhere", &[("accept", "application/json")]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        missing.json(),
        json!({"type": "NotFound", "message": "Resource not found: http://town.test/nowhere", "context": "http://town.test"})
    );
    let page = call(&app, "GET", "/nowhere", &[]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("<h1>Page introuvable</h1>"));
    assert!(page.body.contains("<html lang=\"fr\">"));

    for trick in [
        "/services/../services",
        "/services/%2e%2e/x",
        "/a%00b",
        "/%ZZ",
        "/a%5c..%5cb",
    ] {
        let r = call(&app, "GET", trick, &[("accept", "application/json")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{trick}");
        assert_eq!(r.json()["type"], "BadRequest");
    }
    let r = call(&app, "GET", "/++api++/services/++api++", &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = call(&app, "GET", "/++api++/++api++/services", &[]).await;
    assert_eq!(r.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(r.headers[header::LOCATION], "/++api++/services");

    let put = call(&app, "PUT", "/services", &[("accept", "application/json")]).await;
    assert_eq!(put.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(put.headers[header::ALLOW], "GET, HEAD, POST, PATCH, DELETE");
    let unknown_service = call(
        &app,
        "GET",
        "/services/@nothing",
        &[("accept", "application/json")],
    )
    .await;
    assert_eq!(unknown_service.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn etags_let_clients_revalidate() {
    let t = populated();
    let app = serve(&t);
    let first = call(
        &app,
        "GET",
        "/services/etat-civil",
        &[("accept", "application/json")],
    )
    .await;
    let etag = first.headers[header::ETAG].to_str().unwrap().to_owned();
    let again = call(
        &app,
        "GET",
        "/services/etat-civil",
        &[("accept", "application/json"), ("if-none-match", &etag)],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    t.site
        .update(
            &admin(),
            "/services/etat-civil",
            data(json!({"description": "Changé"})),
            None,
        )
        .unwrap();
    let changed = call(
        &app,
        "GET",
        "/services/etat-civil",
        &[("accept", "application/json"), ("if-none-match", &etag)],
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_ne!(changed.headers[header::ETAG].to_str().unwrap(), etag);
}

#[tokio::test]
async fn files_download_streamed_with_their_type() {
    let t = town();
    let content: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let blob = t
        .site
        .put_blob(&mut content.as_slice(), "application/pdf", "pv-conseil.pdf")
        .unwrap();
    t.site
        .add(
            &admin(),
            "/",
            "Page",
            data(json!({"title": "PV", "attachment": serde_json::to_value(&blob).unwrap()})),
        )
        .unwrap();
    let app = serve(&t);
    let v = call(&app, "GET", "/++api++/pv", &[]).await.json();
    assert_eq!(
        v["attachment"]["download"],
        "http://town.test/pv/@@download/attachment"
    );
    assert_eq!(v["attachment"]["size"], 300_000);
    let res = app
        .clone()
        .oneshot(
            Request::get("/pv/@@download/attachment")
                .header(header::HOST, "town.test")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/pdf");
    assert!(res.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains("pv-conseil.pdf"));
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    assert_eq!(bytes.as_ref(), content.as_slice());
    let missing = call(&app, "GET", "/pv/@@download/title", &[]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_site_theme_overrides_templates() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("theme")).unwrap();
    std::fs::write(
        dir.path().join("theme/item_view.html"),
        "{% extends \"base.html\" %}{% block content %}<h1 class=\"themed\">{{ item.title }}</h1>{% endblock content %}",
    )
    .unwrap();
    let toml = format!(
        "{}theme = \"theme\"\n",
        crate::common::SITE_TOML.replace("[modules.testing]\n", "")
    );
    let toml = format!("{toml}[modules.testing]\n");
    let themed = open_site(dir.path(), &toml, &registry(&[])).unwrap();
    themed.create(Some("Hotel-de-ville-2026")).unwrap();
    themed
        .add(&admin(), "/", "Page", data(json!({"title": "Avec thème"})))
        .unwrap();
    let themed = Arc::new(themed);
    let app = app(Arc::new(Sites::new(vec![themed]).unwrap()));
    let r = call(&app, "GET", "/avec-theme", &[]).await;
    assert!(
        r.body.contains("<h1 class=\"themed\">Avec thème</h1>"),
        "{}",
        r.body
    );

    let plain = populated();
    let r = call(&serve(&plain), "GET", "/services/etat-civil", &[]).await;
    assert!(!r.body.contains("themed"));
    assert!(r.body.contains("<h1>État civil</h1>"));
}

#[tokio::test]
async fn sites_are_chosen_by_host_name() {
    let a = town();
    let dir = tempfile::tempdir().unwrap();
    let b = open_site(
        dir.path(),
        "id = \"other\"\ntitle = \"Other Town\"\nhosts = [\"other.test\"]\ndefault = true\n[modules.testing]\n",
        &registry(&[]),
    )
    .unwrap();
    b.create(Some("Hotel-de-ville-2026")).unwrap();
    let app = app(Arc::new(
        Sites::new(vec![Arc::clone(&a.site), Arc::new(b)]).unwrap(),
    ));
    let title = |host: &'static str| {
        let app = app.clone();
        async move {
            let res = app
                .oneshot(
                    Request::get("/++api++/")
                        .header(header::HOST, host)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await
                .unwrap();
            let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
                .await
                .unwrap();
            serde_json::from_slice::<Value>(&bytes).unwrap()["title"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    assert_eq!(title("town.test:8080").await, "Test Town");
    assert_eq!(title("other.test").await, "Other Town");
    assert_eq!(
        title("unknown.test").await,
        "Other Town",
        "the default site"
    );
}
