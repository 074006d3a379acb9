//! Content writes through the plone.restapi-shaped API: create, update,
//! delete, folder ordering, stale revisions, `@lock`, `@copy`/`@move`,
//! `@linkintegrity`, uploads and ranged downloads, versions.

use std::sync::Arc;

use axum::http::{header, StatusCode};
use axum::Router;
use base64::Engine;
use beffroi::prelude::*;

use crate::common::{
    admin, bearer, data, open_site, registry, request as call, serve, Answer, Town, JSON, PASSWORD,
    SEND_JSON,
};

/// A container that takes only pages and may go in any folder (the common
/// `Box` may go nowhere).
struct Binders;

impl Module for Binders {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "binders",
            version: "1.0.0",
            title: "Binders",
            core: "*",
            types: &[(
                "types/binder.toml",
                "name = \"Binder\"\ncontainer = true\nallowed = [\"Page\"]\ntitle = { en = \"Binder\" }\n",
            )],
            ..Manifest::EMPTY
        }
    }
}

static BINDERS: Binders = Binders;

/// A town with a folder of services holding one page and a box that
/// takes only pages, an editor of the services (eddy, who may also add there),
/// a second editor (edith) and a member with no role (rita). Uploads are
/// limited to 1 MiB.
fn town() -> Town {
    let dir = tempfile::tempdir().unwrap();
    let toml = "id = \"town\"\ntitle = \"Test Town\"\nlanguages = [\"fr\", \"en\", \"nl\"]\nhosts = [\"town.test\"]\nmax_upload_mb = 1\n[modules.testing]\n[modules.binders]\n";
    let site = open_site(dir.path(), toml, &registry(&[&BINDERS])).unwrap();
    site.create(Some("Hotel-de-ville-2026")).unwrap();
    site.write(&admin(), |w| {
        w.add_user("eddy", "Eddy Editor", None, PASSWORD, &[])?;
        w.add_user("edith", "Edith Editor", None, PASSWORD, &[])?;
        w.add_user("rita", "Rita Reader", None, PASSWORD, &[])?;
        w.add("/", "Folder", data(json!({"title": "Services"})))?;
        w.add(
            "/services",
            "Page",
            data(json!({"title": "Horaires", "description": "Ouvert le lundi"})),
        )?;
        w.add("/services", "Binder", data(json!({"title": "Box"})))?;
        let roles = ["Editor".to_owned(), "Contributor".to_owned()];
        w.set_local_roles("/services", "eddy", &roles)?;
        w.set_local_roles("/services", "edith", &roles)?;
        w.set_local_roles("/services/box", "eddy", &roles)?;
        Ok(())
    })
    .unwrap();
    Town {
        dir,
        site: Arc::new(site),
    }
}

/// A JSON request as `auth` (a bearer header value, or "" for a visitor).
async fn api(app: &Router, method: &str, uri: &str, auth: &str, body: &Value) -> Answer {
    api_with(app, method, uri, auth, &[], body).await
}

/// Each request (method, address, auth, body) answers its status.
async fn expect_statuses(app: &Router, cases: &[(&str, &str, &str, &Value, StatusCode)]) {
    for (method, uri, auth, body, status) in cases {
        let r = api(app, method, uri, auth, body).await;
        assert_eq!(r.status, *status, "{method} {uri}: {}", r.body);
    }
}

async fn api_with(
    app: &Router,
    method: &str,
    uri: &str,
    auth: &str,
    extra: &[(&str, &str)],
    body: &Value,
) -> Answer {
    let mut headers = vec![JSON, SEND_JSON];
    if !auth.is_empty() {
        headers.push(("authorization", auth));
    }
    headers.extend_from_slice(extra);
    let body = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    call(app, method, uri, &headers, &body).await
}

fn titles(t: &Town, path: &str) -> Vec<String> {
    t.site
        .children(path)
        .unwrap()
        .iter()
        .map(|c| c.id.clone())
        .collect()
}

#[tokio::test]
async fn post_creates_an_item_answering_201_with_location_and_the_full_object() {
    let t = town();
    let app = serve(&t);
    let eddy = bearer(&app, "eddy").await;
    let r = api(
        &app,
        "POST",
        "/services",
        &eddy,
        &json!({"@type": "Page", "title": "État civil", "description": "Naissances",
                "count": 3, "kind": "civil", "open": true, "text": "<p>Guichet<script>x</script></p>"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        r.headers[header::LOCATION],
        "http://town.test/services/etat-civil"
    );
    let v = r.json();
    insta::assert_json_snapshot!("create_response", v, {
        ".UID" => "[uid]",
        ".created" => "[date]",
        ".modified" => "[date]",
        ".parent.UID" => "[uid]",
    });
    let stored = t.site.get("/services/etat-civil").unwrap().unwrap();
    assert_eq!(stored.creator, "eddy");
    assert_eq!(stored.field("count"), Some(&json!(3)));

    // A chosen id; the same title again gets a fresh id.
    let r = api(
        &app,
        "POST",
        "/++api++/services",
        &eddy,
        &json!({"@type": "Page", "id": "ec", "title": "État civil"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["@id"], "http://town.test/services/ec");
    let r = api(
        &app,
        "POST",
        "/services",
        &eddy,
        &json!({"@type": "Page", "title": "État civil"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json()["id"], "etat-civil-1");
}

#[tokio::test]
async fn post_refuses_what_it_cannot_create_and_stores_nothing() {
    let t = town();
    let app = serve(&t);
    let eddy = bearer(&app, "eddy").await;
    let rita = bearer(&app, "rita").await;
    let before = titles(&t, "/services");

    let r = api(&app, "POST", "/services", &eddy, &json!({"title": "x"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["type"], "BadRequest");
    assert_eq!(r.json()["message"], "Property '@type' is required");

    let r = api(
        &app,
        "POST",
        "/services",
        &eddy,
        &json!({"@type": "Spaceship", "title": "x"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("Unknown content type"));

    // Visitors are asked to log in; members without the right are refused.
    let page = json!({"@type": "Page", "title": "x"});
    let r = api(&app, "POST", "/services", "", &page).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["type"], "Unauthorized");
    let r = api(&app, "POST", "/services", &rita, &page).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["type"], "Forbidden");

    // A folder may not go in a box, which takes pages only.
    let r = api(
        &app,
        "POST",
        "/services/box",
        &eddy,
        &json!({"@type": "Folder", "title": "x"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // Every field error at once, in plone.restapi's shape.
    let r = api(
        &app,
        "POST",
        "/services",
        &eddy,
        &json!({"@type": "Page", "title": "<b>Bold</b>", "count": "three", "code": "toolong", "nothing": 1}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let v = r.json();
    assert_eq!(v["type"], "BadRequest");
    let errors = v["errors"].as_array().unwrap();
    let fields: Vec<&str> = errors
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in ["title", "count", "code", "nothing"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    assert!(errors.iter().all(|e| e["error"] == "ValidationError"));
    let listed: Value = serde_json::from_str(v["message"].as_str().unwrap()).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), errors.len());
    assert!(errors
        .iter()
        .any(|e| e["field"] == "title" && e["code"] == "html_not_allowed"));

    // Bodies that are not a JSON object.
    let r = call(
        &app,
        "POST",
        "/services",
        &[JSON, SEND_JSON, ("authorization", &eddy)],
        "{not json",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = api(&app, "POST", "/services", &eddy, &json!(["Page"])).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = call(
        &app,
        "POST",
        "/services",
        &[JSON, ("authorization", &eddy)],
        "title=x",
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "a body must say it is JSON"
    );

    let r = api(&app, "POST", "/nowhere", &eddy, &page).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(titles(&t, "/services"), before, "nothing was stored");
}

#[tokio::test]
async fn patch_changes_only_the_given_fields() {
    let t = town();
    let app = serve(&t);
    let eddy = bearer(&app, "eddy").await;
    let rita = bearer(&app, "rita").await;
    let r = api(
        &app,
        "PATCH",
        "/services/horaires",
        &eddy,
        &json!({"title": "Heures d'ouverture", "count": 4}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert!(r.body.is_empty());
    let item = t.site.get("/services/horaires").unwrap().unwrap();
    assert_eq!(item.title(), "Heures d'ouverture");
    assert_eq!(item.description(), "Ouvert le lundi", "untouched");
    assert_eq!(item.field("count"), Some(&json!(4)));

    // `null` clears; `Prefer: return=representation` answers the object.
    let r = api_with(
        &app,
        "PATCH",
        "/services/horaires",
        &eddy,
        &[("prefer", "return=representation")],
        &json!({"count": null, "description": null}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["@id"], "http://town.test/services/horaires");
    assert_eq!(v["description"], "");
    assert!(v.get("count").is_none());

    // A required field cannot be cleared; wrong types and HTML are refused.
    for bad in [
        json!({"title": null}),
        json!({"count": "four"}),
        json!({"count": 11}),
        json!({"description": "<script>alert(1)</script>"}),
        json!({"open": "yes"}),
        json!({"@type": "Folder"}),
        json!({"unknown": 1}),
    ] {
        let r = api(&app, "PATCH", "/services/horaires", &eddy, &bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
    }
    expect_statuses(
        &app,
        &[
            (
                "PATCH",
                "/services/horaires",
                "",
                &json!({"title": "x"}),
                StatusCode::UNAUTHORIZED,
            ),
            (
                "PATCH",
                "/services/horaires",
                &rita,
                &json!({"title": "x"}),
                StatusCode::FORBIDDEN,
            ),
            (
                "PATCH",
                "/services/nowhere",
                &eddy,
                &json!({"title": "x"}),
                StatusCode::NOT_FOUND,
            ),
        ],
    )
    .await;
    assert_eq!(
        t.site.get("/services/horaires").unwrap().unwrap().title(),
        "Heures d'ouverture"
    );

    // `id` renames.
    let r = api(
        &app,
        "PATCH",
        "/services/horaires",
        &eddy,
        &json!({"id": "heures"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert!(t.site.get("/services/heures").unwrap().is_some());
}

#[tokio::test]
async fn if_match_refuses_stale_writes_with_412() {
    let t = town();
    let app = serve(&t);
    let eddy = bearer(&app, "eddy").await;
    let r = api(&app, "GET", "/services/horaires", &eddy, &Value::Null).await;
    let etag = r.headers[header::ETAG].to_str().unwrap().to_owned();
    let r = api_with(
        &app,
        "PATCH",
        "/services/horaires",
        &eddy,
        &[("if-match", &etag)],
        &json!({"title": "Nouveau"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // The same tag again: the item changed since.
    let r = api_with(
        &app,
        "PATCH",
        "/services/horaires",
        &eddy,
        &[("if-match", &etag)],
        &json!({"title": "Perdu"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{}", r.body);
    assert_eq!(r.json()["error"]["type"], "PreconditionFailed");
    let r = api_with(
        &app,
        "DELETE",
        "/services/horaires",
        &eddy,
        &[("if-match", &etag)],
        &Value::Null,
    )
    .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(
        t.site.get("/services/horaires").unwrap().unwrap().title(),
        "Nouveau"
    );
    // A fresh tag, or `*`, passes.
    let r = api(&app, "GET", "/services/horaires", &eddy, &Value::Null).await;
    let fresh = r.headers[header::ETAG].to_str().unwrap().to_owned();
    let r = api_with(
        &app,
        "PATCH",
        "/services/horaires",
        &eddy,
        &[("if-match", &format!("\"0-x\", {fresh}"))],
        &json!({"title": "Encore"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = api_with(
        &app,
        "DELETE",
        "/services/horaires",
        &eddy,
        &[("if-match", "*")],
        &Value::Null,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn folders_reorder_and_sort_their_children() {
    let t = town();
    let app = serve(&t);
    let eddy = bearer(&app, "eddy").await;
    let r = api(
        &app,
        "POST",
        "/services",
        &eddy,
        &json!({"@type": "Folder", "title": "Liste"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    for title in ["Delta", "Bravo", "Alpha", "Charlie"] {
        let r = api(
            &app,
            "POST",
            "/services/liste",
            &eddy,
            &json!({"@type": "Page", "title": title}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    assert_eq!(
        titles(&t, "/services/liste"),
        ["delta", "bravo", "alpha", "charlie"]
    );
    let order = |body: Value| {
        let app = app.clone();
        let eddy = eddy.clone();
        async move { api(&app, "PATCH", "/services/liste", &eddy, &body).await }
    };
    let r = order(json!({"ordering": {"obj_id": "charlie", "delta": "top"}})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        titles(&t, "/services/liste"),
        ["charlie", "delta", "bravo", "alpha"]
    );
    let r = order(json!({"ordering": {"obj_id": "charlie", "delta": 2}})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        titles(&t, "/services/liste"),
        ["delta", "bravo", "charlie", "alpha"]
    );
    let r = order(json!({"ordering": {"obj_id": "alpha", "delta": -1,
                                      "subset_ids": ["bravo", "charlie", "alpha"]}}))
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        titles(&t, "/services/liste"),
        ["delta", "bravo", "alpha", "charlie"]
    );
    let r = order(json!({"ordering": {"obj_id": "delta", "delta": "bottom"}})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        titles(&t, "/services/liste"),
        ["bravo", "alpha", "charlie", "delta"]
    );
    // A client whose view is stale, or names nothing there, is refused.
    let r = order(json!({"ordering": {"obj_id": "alpha", "delta": 1,
                                      "subset_ids": ["alpha", "bravo"]}}))
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = order(json!({"ordering": {"obj_id": "zulu", "delta": 1}})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = order(json!({"ordering": {"obj_id": "alpha", "delta": "sideways"}})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    let r = order(json!({"sort": {"on": "title", "order": "ascending"}})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        titles(&t, "/services/liste"),
        ["alpha", "bravo", "charlie", "delta"]
    );
    let r = order(json!({"sort": {"on": "id", "order": "descending"}})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        titles(&t, "/services/liste"),
        ["delta", "charlie", "bravo", "alpha"]
    );
    let r = api(
        &app,
        "PATCH",
        "/services/horaires",
        &eddy,
        &json!({"sort": {"on": "id"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a page has no children");
    let rita = bearer(&app, "rita").await;
    let r = api(
        &app,
        "PATCH",
        "/services/liste",
        &rita,
        &json!({"sort": {"on": "id"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn delete_removes_an_item_and_what_it_holds() {
    let t = town();
    let app = serve(&t);
    let eddy = bearer(&app, "eddy").await;
    let rita = bearer(&app, "rita").await;
    expect_statuses(
        &app,
        &[
            (
                "DELETE",
                "/services",
                "",
                &Value::Null,
                StatusCode::UNAUTHORIZED,
            ),
            (
                "DELETE",
                "/services",
                &rita,
                &Value::Null,
                StatusCode::FORBIDDEN,
            ),
            (
                "DELETE",
                "/nowhere",
                &eddy,
                &Value::Null,
                StatusCode::NOT_FOUND,
            ),
        ],
    )
    .await;
    assert!(t.site.get("/services/horaires").unwrap().is_some());
    let r = api(&app, "DELETE", "/services", &eddy, &Value::Null).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert!(t.site.get("/services").unwrap().is_none());
    assert!(t.site.get("/services/horaires").unwrap().is_none());
}

#[tokio::test]
async fn a_locked_item_refuses_changes_without_its_token() {
    let t = town();
    let app = serve(&t);
    let eddy = bearer(&app, "eddy").await;
    let edith = bearer(&app, "edith").await;
    let r = api(&app, "GET", "/services/horaires/@lock", &eddy, &Value::Null).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["locked"], false);

    let r = api(
        &app,
        "POST",
        "/services/horaires/@lock",
        &eddy,
        &Value::Null,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let lock = r.json();
    assert_eq!(lock["locked"], true);
    assert_eq!(lock["creator"], "eddy");
    assert_eq!(lock["creator_name"], "Eddy Editor");
    assert_eq!(lock["timeout"], 600);
    let lock_token = lock["token"].as_str().unwrap().to_owned();

    // Everyone sees it is locked; only its holder sees the token.
    let v = api(&app, "GET", "/services/horaires", &edith, &Value::Null)
        .await
        .json();
    assert_eq!(v["lock"]["locked"], true);
    assert_eq!(v["lock"]["stealable"], true);
    assert!(v["lock"].get("token").is_none());
    let v = api(&app, "GET", "/services/horaires", "", &Value::Null)
        .await
        .json();
    assert_eq!(v["lock"], json!({"locked": true, "stealable": false}));

    // Without the token: refused, even for its holder (plone.restapi).
    let locked = json!({"error": {"type": "Forbidden", "message": "Resource is locked."}});
    for who in [&edith, &eddy] {
        let r = api(
            &app,
            "PATCH",
            "/services/horaires",
            who,
            &json!({"title": "x"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(r.json(), locked);
    }
    let r = api(&app, "DELETE", "/services/horaires", &edith, &Value::Null).await;
    assert_eq!(r.json(), locked);
    let page = call(
        &app,
        "PATCH",
        "/services/horaires",
        &[SEND_JSON, ("authorization", &edith)],
        r#"{"title": "x"}"#,
    )
    .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(
        page.body.contains("En cours de modification"),
        "a page in French"
    );
    let r = api(
        &app,
        "POST",
        "/@move",
        &edith,
        &json!({"source": "/services/horaires"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json(), locked);
    let r = api(
        &app,
        "POST",
        "/services/horaires/@lock",
        &edith,
        &Value::Null,
    )
    .await;
    assert_eq!(r.json(), locked, "someone else's lock is not taken over");
    let r = api(
        &app,
        "DELETE",
        "/services/horaires/@lock",
        &edith,
        &Value::Null,
    )
    .await;
    assert_eq!(r.json(), locked, "nor released without force");
    assert_eq!(
        t.site.get("/services/horaires").unwrap().unwrap().title(),
        "Horaires"
    );

    // With the token.
    let r = api_with(
        &app,
        "PATCH",
        "/services/horaires",
        &eddy,
        &[("lock-token", &lock_token)],
        &json!({"title": "Horaires d'été"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = api_with(
        &app,
        "PATCH",
        "/services/horaires/@lock",
        &eddy,
        &[("lock-token", &lock_token)],
        &Value::Null,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json()["token"],
        lock_token.as_str(),
        "refreshed, same lock"
    );

    // Another editor may break a stealable lock with force.
    let r = api(
        &app,
        "DELETE",
        "/services/horaires/@lock",
        &edith,
        &json!({"force": true}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["locked"], false);
    let r = api(
        &app,
        "PATCH",
        "/services/horaires",
        &edith,
        &json!({"title": "Libre"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);

    // A lock that may not be stolen; bad bodies; visitors.
    let r = api(
        &app,
        "POST",
        "/services/horaires/@lock",
        &eddy,
        &json!({"stealable": false, "timeout": 60}),
    )
    .await;
    assert_eq!(r.json()["timeout"], 60);
    let r = api(
        &app,
        "DELETE",
        "/services/horaires/@lock",
        &edith,
        &json!({"force": true}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = api(
        &app,
        "DELETE",
        "/services/horaires/@lock",
        &eddy,
        &Value::Null,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "its holder releases it");
    expect_statuses(
        &app,
        &[
            (
                "POST",
                "/services/horaires/@lock",
                &eddy,
                &json!({"timeout": 0}),
                StatusCode::BAD_REQUEST,
            ),
            (
                "POST",
                "/services/horaires/@lock",
                &eddy,
                &json!({"colour": "red"}),
                StatusCode::BAD_REQUEST,
            ),
            (
                "POST",
                "/services/horaires/@lock",
                "",
                &Value::Null,
                StatusCode::UNAUTHORIZED,
            ),
        ],
    )
    .await;
    let rita = bearer(&app, "rita").await;
    let r = api(
        &app,
        "POST",
        "/services/horaires/@lock",
        &rita,
        &Value::Null,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn copy_and_move_answer_source_and_target() {
    let t = town();
    let app = serve(&t);
    let eddy = bearer(&app, "eddy").await;
    let uid = t.site.get("/services/horaires").unwrap().unwrap().uid;
    // Copied into its own folder: copy_of_, then copy2_of_.
    let r = api(
        &app,
        "POST",
        "/services/@copy",
        &eddy,
        &json!({"source": "http://town.test/services/horaires"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.json(),
        json!([{"source": "http://town.test/services/horaires",
                "target": "http://town.test/services/copy_of_horaires"}])
    );
    let r = api(
        &app,
        "POST",
        "/services/@copy",
        &eddy,
        &json!({"source": [uid]}),
    )
    .await;
    assert_eq!(
        r.json()[0]["target"],
        "http://town.test/services/copy2_of_horaires"
    );
    // Into a box, keeping its id; then moved by path.
    let r = api(
        &app,
        "POST",
        "/services/box/@copy",
        &eddy,
        &json!({"source": "/services/copy_of_horaires"}),
    )
    .await;
    assert_eq!(
        r.json()[0]["target"],
        "http://town.test/services/box/copy_of_horaires"
    );
    let r = api(
        &app,
        "POST",
        "/services/box/@move",
        &eddy,
        &json!({"source": ["/services/copy2_of_horaires"]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.json(),
        json!([{"source": "http://town.test/services/copy2_of_horaires",
                "target": "http://town.test/services/box/copy2_of_horaires"}])
    );
    assert!(t.site.get("/services/copy2_of_horaires").unwrap().is_none());

    // Refusals: unknown source, a folder into a box, no right to add.
    expect_statuses(
        &app,
        &[
            (
                "POST",
                "/services/box/@copy",
                &eddy,
                &json!({"source": "/services/nowhere"}),
                StatusCode::BAD_REQUEST,
            ),
            (
                "POST",
                "/services/box/@copy",
                &eddy,
                &json!({"source": "https://elsewhere.test/services/horaires"}),
                StatusCode::BAD_REQUEST,
            ),
            (
                "POST",
                "/services/box/@move",
                &eddy,
                &json!({"source": "/services"}),
                StatusCode::FORBIDDEN,
            ),
        ],
    )
    .await;
    let r = api(
        &app,
        "POST",
        "/@copy",
        &eddy,
        &json!({"source": "/services/horaires"}),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "eddy may not add at the root"
    );
    expect_statuses(
        &app,
        &[
            (
                "POST",
                "/@copy",
                &eddy,
                &json!({"from": "/services"}),
                StatusCode::BAD_REQUEST,
            ),
            (
                "POST",
                "/@copy",
                "",
                &json!({"source": "/services/horaires"}),
                StatusCode::UNAUTHORIZED,
            ),
        ],
    )
    .await;
    assert_eq!(titles(&t, "/"), ["services"]);
}

#[tokio::test]
async fn linkintegrity_lists_what_refers_to_an_item() {
    let t = town();
    let app = serve(&t);
    let eddy = bearer(&app, "eddy").await;
    let target = t.site.get("/services/horaires").unwrap().unwrap();
    let services = t.site.get("/services").unwrap().unwrap();
    t.site
        .add(
            &admin(),
            "/",
            "Page",
            data(json!({"title": "Voir les horaires", "related": target.uid})),
        )
        .unwrap();
    let r = api(
        &app,
        "GET",
        &format!("/@linkintegrity?uids={}", target.uid),
        &eddy,
        &Value::Null,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v[0]["@id"], "http://town.test/services/horaires");
    assert_eq!(v[0]["uid"], target.uid.as_str());
    assert_eq!(v[0]["items_total"], 0);
    assert_eq!(
        v[0]["breaches"][0]["@id"],
        "http://town.test/voir-les-horaires"
    );
    assert_eq!(v[0]["breaches"][0]["title"], "Voir les horaires");

    // The folder: what refers to anything inside counts; `uids:list` too.
    let r = api(
        &app,
        "GET",
        &format!(
            "/@linkintegrity?uids:list={}&uids:list={}",
            services.uid,
            t.site.get("/services/box").unwrap().unwrap().uid
        ),
        &eddy,
        &Value::Null,
    )
    .await;
    let v = r.json();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[0]["items_total"], 2);
    assert_eq!(v[0]["breaches"].as_array().unwrap().len(), 1);
    assert_eq!(v[1]["items_total"], 0);
    assert_eq!(
        v[1]["breaches"],
        json!([]),
        "nothing outside refers into the box"
    );

    expect_statuses(
        &app,
        &[
            (
                "GET",
                "/@linkintegrity",
                &eddy,
                &Value::Null,
                StatusCode::BAD_REQUEST,
            ),
            (
                "GET",
                "/@linkintegrity?uids=0123456789abcdef0123456789abcdef",
                &eddy,
                &Value::Null,
                StatusCode::BAD_REQUEST,
            ),
        ],
    )
    .await;
}

fn pdf(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn files_upload_as_base64_or_multipart_and_download_in_ranges() {
    let t = town();
    let app = serve(&t);
    let eddy = bearer(&app, "eddy").await;
    let content = pdf(1000);
    let r = api(
        &app,
        "POST",
        "/services",
        &eddy,
        &json!({"@type": "Page", "title": "PV du conseil",
                "attachment": {"data": b64(&content), "encoding": "base64",
                               "filename": "PV conseil été.pdf", "content-type": "application/pdf"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    insta::assert_json_snapshot!("item_with_file", r.json(), {
        ".UID" => "[uid]",
        ".created" => "[date]",
        ".modified" => "[date]",
        ".parent.UID" => "[uid]",
    });

    let url = "/services/pv-du-conseil/@@download/attachment";
    let r = call(&app, "GET", url, &[], "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(r.headers[header::ACCEPT_RANGES], "bytes");
    assert_eq!(
        r.headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"PV conseil t.pdf\"; filename*=UTF-8''PV%20conseil%20%C3%A9t%C3%A9.pdf"
    );
    assert_eq!(r.headers[header::CONTENT_LENGTH], "1000");
    let r = call(&app, "GET", url, &[("range", "bytes=10-19")], "").await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.headers[header::CONTENT_RANGE], "bytes 10-19/1000");
    assert_eq!(r.headers[header::CONTENT_LENGTH], "10");

    // A stored file's reference (its hash) is not accepted as a value:
    // knowing a hash must not be a way to attach someone else's file.
    let stored = t.site.get("/services/pv-du-conseil").unwrap().unwrap();
    let blob = stored.field("attachment").unwrap().clone();
    assert!(blob.get("sha256").is_some());
    let copy = api(
        &app,
        "POST",
        "/services",
        &eddy,
        &json!({"@type": "Page", "title": "Copie", "attachment": blob}),
    )
    .await;
    assert_eq!(copy.status, StatusCode::BAD_REQUEST, "{}", copy.body);
    assert!(copy.body.contains("attachment"), "{}", copy.body);
    assert!(t.site.get("/services/copie").unwrap().is_none());
    assert_eq!(r.body.as_bytes(), &content[10..20]);
    let r = call(&app, "GET", url, &[("range", "bytes=-5")], "").await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.headers[header::CONTENT_RANGE], "bytes 995-999/1000");
    let r = call(&app, "GET", url, &[("range", "bytes=1000-")], "").await;
    assert_eq!(r.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(r.headers[header::CONTENT_RANGE], "bytes */1000");
    let r = call(
        &app,
        "GET",
        url,
        &[("range", "bytes=0-1"), ("if-range", "\"other\"")],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "another version: the whole file");
    let r = call(
        &app,
        "GET",
        "/services/pv-du-conseil/@@images/attachment",
        &[],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "a file is not an image");

    // An image, in a multipart body: shown inline at @@images.
    let boundary = "XyZ";
    let png = [0x89u8, b'P', b'N', b'G', 1, 2, 3];
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nPlan\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"count\"\r\n\r\n2\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"plan.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes());
    body.extend_from_slice(&png);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let multipart = format!("multipart/form-data; boundary={boundary}");
    let send = |body: Vec<u8>, ct: String| {
        let app = app.clone();
        let eddy = eddy.clone();
        async move {
            use tower::ServiceExt;
            let res = app
                .oneshot(
                    axum::http::Request::patch("/services/pv-du-conseil")
                        .header(header::HOST, "town.test")
                        .header(header::ACCEPT, "application/json")
                        .header(header::CONTENT_TYPE, ct)
                        .header(header::AUTHORIZATION, eddy)
                        .body(axum::body::Body::from(body))
                        .unwrap(),
                )
                .await
                .unwrap();
            let status = res.status();
            let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
                .await
                .unwrap();
            (status, String::from_utf8_lossy(&bytes).into_owned())
        }
    };
    let (status, text) = send(body, multipart.clone()).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{text}");
    let item = t.site.get("/services/pv-du-conseil").unwrap().unwrap();
    assert_eq!(item.title(), "Plan");
    assert_eq!(item.field("count"), Some(&json!(2)));
    assert_eq!(item.field("photo").unwrap()["filename"], "plan.png");
    assert!(item.field("attachment").is_some(), "the file stays");
    let r = call(
        &app,
        "GET",
        "/services/pv-du-conseil/@@images/photo",
        &[],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_TYPE], "image/png");
    assert!(r.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("inline;"));

    // A file sent back as the API showed it is left as it is.
    let shown = api(&app, "GET", "/services/pv-du-conseil", &eddy, &Value::Null)
        .await
        .json();
    let r = api(
        &app,
        "PATCH",
        "/services/pv-du-conseil",
        &eddy,
        &json!({"attachment": shown["attachment"], "title": "PV"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);

    // Refusals: not an image, bad base64, a file for a text field.
    for bad in [
        json!({"photo": {"data": b64(b"%PDF"), "encoding": "base64", "filename": "x.pdf", "content-type": "application/pdf"}}),
        json!({"attachment": {"data": "***", "encoding": "base64", "filename": "x.pdf"}}),
        json!({"attachment": {"data": "x", "encoding": "rot13"}}),
        json!({"attachment": {"data": "x", "content-type": "text/html\nX: y"}}),
    ] {
        let r = api(&app, "PATCH", "/services/pv-du-conseil", &eddy, &bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
    }
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"title\"; filename=\"t.txt\"\r\n\r\nabc\r\n--{boundary}--\r\n").as_bytes());
    let (status, _) = send(body, multipart.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = send(b"--nope".to_vec(), multipart.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A write the schema refuses stores no file.
    let orphan = b"never stored".to_vec();
    let r = api(
        &app,
        "POST",
        "/services",
        &eddy,
        &json!({"@type": "Page", "title": "<b>x</b>",
                "attachment": {"data": b64(&orphan), "encoding": "base64", "filename": "o.txt",
                               "content-type": "text/plain"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let sha: String = {
        use sha2::Digest;
        sha2::Sha256::digest(&orphan)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    assert!(!t.site.store().has_blob(&sha).unwrap());

    // Past the site's 1 MiB: 413, nothing stored.
    let big = pdf(1024 * 1024 + 10);
    let r = api(
        &app,
        "POST",
        "/services",
        &eddy,
        &json!({"@type": "Page", "title": "Trop gros",
                "attachment": {"data": b64(&big), "encoding": "base64", "filename": "big.pdf",
                               "content-type": "application/pdf"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!(r.json()["type"], "PayloadTooLarge");
    assert!(t.site.get("/services/trop-gros").unwrap().is_none());
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"big.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes());
    body.extend_from_slice(&big);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let (status, _) = send(body, multipart).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let item = t.site.get("/services/pv-du-conseil").unwrap().unwrap();
    assert_eq!(item.field("attachment").unwrap()["size"], 1000);
}

#[tokio::test]
async fn versions_are_kept_shown_and_reverted() {
    let t = town();
    let app = serve(&t);
    let eddy = bearer(&app, "eddy").await;
    let rita = bearer(&app, "rita").await;
    for title in ["Horaires d'été", "Horaires d'hiver"] {
        let r = api(
            &app,
            "PATCH",
            "/services/horaires",
            &eddy,
            &json!({"title": title}),
        )
        .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
    }
    let r = api(
        &app,
        "GET",
        "/services/horaires/@history",
        &eddy,
        &Value::Null,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let versions: Vec<Value> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "versioning")
        .cloned()
        .collect();
    let numbers: Vec<Value> = versions.iter().map(|e| e["version"].clone()).collect();
    assert_eq!(numbers, [json!(2), json!(1), json!(0)], "newest first");
    assert!(versions.iter().all(|e| e["may_revert"] == true));
    assert_eq!(
        versions[2]["@id"],
        "http://town.test/services/horaires/@history/0"
    );

    let r = api(
        &app,
        "GET",
        "/services/horaires/@history/0",
        &eddy,
        &Value::Null,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["title"], "Horaires");
    assert_eq!(r.json()["@id"], "http://town.test/services/horaires");
    let r = api(
        &app,
        "GET",
        "/services/horaires/@history/1",
        &eddy,
        &Value::Null,
    )
    .await;
    assert_eq!(r.json()["title"], "Horaires d'été");
    for missing in ["9", "x"] {
        let r = api(
            &app,
            "GET",
            &format!("/services/horaires/@history/{missing}"),
            &eddy,
            &Value::Null,
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }

    expect_statuses(
        &app,
        &[
            (
                "PATCH",
                "/services/horaires/@history",
                &rita,
                &json!({"version": 0}),
                StatusCode::FORBIDDEN,
            ),
            (
                "PATCH",
                "/services/horaires/@history",
                &eddy,
                &json!({"version": "zero"}),
                StatusCode::BAD_REQUEST,
            ),
        ],
    )
    .await;
    let r = api_with(
        &app,
        "PATCH",
        "/services/horaires/@history",
        &eddy,
        &[("accept-language", "en")],
        &json!({"version": 0}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.json(),
        json!({"message": "Horaires has been reverted to revision 0."})
    );
    let item = t.site.get("/services/horaires").unwrap().unwrap();
    assert_eq!(item.title(), "Horaires");
    assert_eq!(item.description(), "Ouvert le lundi");
    // The revert is a change like another: version 3.
    let r = api(
        &app,
        "GET",
        "/services/horaires/@history/3",
        &eddy,
        &Value::Null,
    )
    .await;
    assert_eq!(r.json()["title"], "Horaires");

    // An item made before versions existed (the root) gets its version 0,
    // the values it had, at its first change.
    let admin = bearer(&app, "admin").await;
    let r = api(&app, "PATCH", "/", &admin, &json!({"title": "Ville"})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = api(&app, "GET", "/@history/0", &admin, &Value::Null).await;
    assert_eq!(r.json()["title"], "Test Town");
    let r = api(&app, "GET", "/@history/1", &admin, &Value::Null).await;
    assert_eq!(r.json()["title"], "Ville");
}

#[tokio::test]
async fn writes_riding_on_the_session_cookie_need_the_csrf_token() {
    let t = town();
    let app = serve(&t);
    let page = call(&app, "GET", "/@@login", &[], "").await;
    let seed = page.cookie("beffroi_csrf").unwrap();
    let csrf = page
        .body
        .split("name=\"_authenticator\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let r = call(
        &app,
        "POST",
        "/@@login",
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("cookie", &format!("beffroi_csrf={seed}")),
        ],
        &format!("login=eddy&password={PASSWORD}&_authenticator={csrf}"),
    )
    .await;
    let session = r.cookie("__ac").unwrap();
    let cookies = format!("beffroi_csrf={seed}; __ac={session}");
    let change = json!({"title": "Par cookie"}).to_string();

    let r = call(
        &app,
        "PATCH",
        "/services/horaires",
        &[JSON, SEND_JSON, ("cookie", &cookies)],
        &change,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = call(
        &app,
        "DELETE",
        "/services/horaires",
        &[JSON, ("cookie", &cookies)],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = call(
        &app,
        "PATCH",
        "/services/horaires",
        &[
            JSON,
            SEND_JSON,
            ("cookie", &cookies),
            ("x-csrf-token", &csrf),
        ],
        &change,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);

    // A multipart body (which another site's form could send) needs the
    // token too, as a header or an `_authenticator` part.
    let form = |extra: &str| {
        format!(
            "--B\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nFormulaire\r\n{extra}--B--\r\n"
        )
    };
    let multipart = ("content-type", "multipart/form-data; boundary=B");
    let r = call(
        &app,
        "PATCH",
        "/services/horaires",
        &[JSON, multipart, ("cookie", &cookies)],
        &form(""),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(
        t.site.get("/services/horaires").unwrap().unwrap().title(),
        "Par cookie"
    );
    let r = call(
        &app,
        "PATCH",
        "/services/horaires",
        &[JSON, multipart, ("cookie", &cookies)],
        &form(&format!(
            "--B\r\nContent-Disposition: form-data; name=\"_authenticator\"\r\n\r\n{csrf}\r\n"
        )),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        t.site.get("/services/horaires").unwrap().unwrap().title(),
        "Formulaire"
    );
}
