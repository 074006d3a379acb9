//! Redirects after a move or rename (plone.app.redirector, as plone.restapi
//! clients expect): 301 for GET and HEAD, 308 for other methods, the
//! service and query kept, descendants and chains followed, a new item at
//! an old address wins, private and deleted items stay 404.

use axum::http::{header, StatusCode};
use axum::Router;
use base64::Engine;
use beffroi::export::{export_site, import_site};
use beffroi::prelude::*;

use crate::common::{admin, data, open_site, registry, request as call, serve, town, Answer, Town};

const JSON: (&str, &str) = ("accept", "application/json");
const SEND_JSON: (&str, &str) = ("content-type", "application/json");

fn admin_basic() -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("admin:Hotel-de-ville-2026")
    )
}

/// A town with a folder of services holding a page and a sub-folder with
/// a page in it.
fn services() -> Town {
    let t = town();
    t.site
        .write(&admin(), |w| {
            w.add("/", "Folder", data(json!({"title": "Services"})))?;
            w.add("/services", "Page", data(json!({"title": "Horaires"})))?;
            w.add("/services", "Folder", data(json!({"title": "Etat civil"})))?;
            w.add(
                "/services/etat-civil",
                "Page",
                data(json!({"title": "Mariages"})),
            )?;
            w.add("/", "Folder", data(json!({"title": "Archives"})))?;
            Ok(())
        })
        .unwrap();
    t
}

fn location(r: &Answer) -> &str {
    r.headers
        .get(header::LOCATION)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_else(|| panic!("no Location ({}): {}", r.status, r.body))
}

async fn moved_to(app: &Router, uri: &str, headers: &[(&str, &str)]) -> String {
    let r = call(app, "GET", uri, headers, "").await;
    assert_eq!(r.status, StatusCode::MOVED_PERMANENTLY, "{uri}: {}", r.body);
    location(&r).to_owned()
}

#[tokio::test]
async fn a_renamed_item_answers_301_at_its_old_address() {
    let t = services();
    let app = serve(&t);
    t.site
        .write(&admin(), |w| w.rename("/services/horaires", "heures"))
        .unwrap();

    // HTML, JSON by Accept, and under ++api++ (the prefix kept).
    assert_eq!(
        moved_to(&app, "/services/horaires", &[]).await,
        "http://town.test/services/heures"
    );
    assert_eq!(
        moved_to(&app, "/services/horaires", &[JSON]).await,
        "http://town.test/services/heures"
    );
    assert_eq!(
        moved_to(&app, "/++api++/services/horaires", &[]).await,
        "http://town.test/++api++/services/heures"
    );
    // A service and the query follow.
    assert_eq!(
        moved_to(
            &app,
            "/++api++/services/horaires/@workflow?expand=x&b=1",
            &[]
        )
        .await,
        "http://town.test/++api++/services/heures/@workflow?expand=x&b=1"
    );
    assert_eq!(
        moved_to(
            &app,
            "/services/horaires/@@edit?lang=fr",
            &[("authorization", &admin_basic())]
        )
        .await,
        "http://town.test/services/heures/@@edit?lang=fr"
    );
    // HEAD too.
    let r = call(&app, "HEAD", "/services/horaires", &[], "").await;
    assert_eq!(r.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(location(&r), "http://town.test/services/heures");

    // The new address answers.
    let r = call(&app, "GET", "/++api++/services/heures", &[], "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["title"], "Horaires");
    // An address never used is still a plain 404.
    let r = call(&app, "GET", "/++api++/services/nothing", &[], "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.headers.get(header::LOCATION).is_none());
}

#[tokio::test]
async fn other_methods_at_an_old_address_answer_308() {
    let t = services();
    let app = serve(&t);
    t.site
        .write(&admin(), |w| w.rename("/services/horaires", "heures"))
        .unwrap();
    let auth = admin_basic();
    let headers = [JSON, SEND_JSON, ("authorization", auth.as_str())];
    let body = json!({"description": "Ouvert le lundi"}).to_string();
    let r = call(&app, "PATCH", "/++api++/services/horaires", &headers, &body).await;
    assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT, "{}", r.body);
    let to = location(&r).to_owned();
    assert_eq!(to, "http://town.test/++api++/services/heures");
    // Nothing was written at the old address; the client repeats the
    // same request at the new one.
    assert_eq!(
        t.site
            .get("/services/heures")
            .unwrap()
            .unwrap()
            .description(),
        ""
    );
    let path = to.trim_start_matches("http://town.test");
    let r = call(&app, "PATCH", path, &headers, &body).await;
    assert!(r.status.is_success(), "{}: {}", r.status, r.body);
    assert_eq!(
        t.site
            .get("/services/heures")
            .unwrap()
            .unwrap()
            .description(),
        "Ouvert le lundi"
    );
    // A service called with POST follows the same way.
    let r = call(
        &app,
        "POST",
        "/++api++/services/horaires/@lock",
        &headers,
        "{}",
    )
    .await;
    assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT, "{}", r.body);
    assert_eq!(
        location(&r),
        "http://town.test/++api++/services/heures/@lock"
    );
    // DELETE too.
    let r = call(&app, "DELETE", "/services/horaires", &headers, "").await;
    assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT, "{}", r.body);
    assert!(t.site.get("/services/heures").unwrap().is_some());
}

#[tokio::test]
async fn what_was_inside_a_moved_folder_redirects() {
    let t = services();
    let app = serve(&t);
    t.site
        .write(&admin(), |w| w.move_to("/services", "/archives"))
        .unwrap();
    assert_eq!(
        moved_to(&app, "/services/etat-civil/mariages", &[]).await,
        "http://town.test/archives/services/etat-civil/mariages"
    );
    assert_eq!(
        moved_to(&app, "/++api++/services/etat-civil/@navigation", &[]).await,
        "http://town.test/++api++/archives/services/etat-civil/@navigation"
    );
    // An item added since: its address under the old one follows the
    // folder's redirect.
    t.site
        .add(
            &admin(),
            "/archives/services",
            "Page",
            data(json!({"title": "Naissances"})),
        )
        .unwrap();
    let auth = admin_basic();
    assert_eq!(
        moved_to(
            &app,
            "/services/naissances/@@edit",
            &[("authorization", &auth)]
        )
        .await,
        "http://town.test/archives/services/naissances/@@edit"
    );
    // An adding form's address follows its container; a missing item's
    // address below a moved folder is a plain 404.
    assert_eq!(
        moved_to(
            &app,
            "/services/++add++Page?x=1",
            &[("authorization", &auth)]
        )
        .await,
        "http://town.test/archives/services/++add++Page?x=1"
    );
    let r = call(&app, "GET", "/services/deces", &[], "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.headers.get(header::LOCATION).is_none());
    // Moving a folder holding moved items keeps the older redirects working.
    t.site
        .write(&admin(), |w| w.rename("/archives", "anciens"))
        .unwrap();
    assert_eq!(
        moved_to(&app, "/services/etat-civil/mariages", &[]).await,
        "http://town.test/anciens/services/etat-civil/mariages"
    );
    assert_eq!(
        moved_to(&app, "/archives/services/naissances", &[]).await,
        "http://town.test/anciens/services/naissances"
    );
}

#[tokio::test]
async fn chains_lead_to_the_current_place_and_a_new_item_at_an_old_address_wins() {
    let t = services();
    let app = serve(&t);
    let s = &t.site;
    s.write(&admin(), |w| w.rename("/services/horaires", "heures"))
        .unwrap();
    s.write(&admin(), |w| w.move_to("/services/heures", "/archives"))
        .unwrap();
    assert_eq!(
        moved_to(&app, "/services/horaires", &[]).await,
        "http://town.test/archives/heures"
    );
    assert_eq!(
        moved_to(&app, "/services/heures", &[]).await,
        "http://town.test/archives/heures"
    );
    // Back where it was: its old address is its own again, the others
    // lead there.
    s.write(&admin(), |w| {
        w.move_to("/archives/heures", "/services")?;
        w.rename("/services/heures", "horaires")
    })
    .unwrap();
    let r = call(&app, "GET", "/++api++/services/horaires", &[], "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(s.redirect_uid("/services/horaires").unwrap().is_none());
    assert_eq!(
        moved_to(&app, "/archives/heures", &[]).await,
        "http://town.test/services/horaires"
    );

    // A new item at an old address wins, and the redirect is forgotten.
    s.add(
        &admin(),
        "/archives",
        "Page",
        data(json!({"title": "Heures"})),
    )
    .unwrap();
    let r = call(&app, "GET", "/++api++/archives/heures", &[], "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["title"], "Heures");
    assert!(s.redirect_uid("/archives/heures").unwrap().is_none());
    // A missing address below a new item at an old folder's address is
    // not sent on to the old folder's new place.
    s.write(&admin(), |w| w.rename("/services/etat-civil", "civil"))
        .unwrap();
    s.add(
        &admin(),
        "/services",
        "Folder",
        data(json!({"title": "Etat civil"})),
    )
    .unwrap();
    let r = call(&app, "GET", "/services/etat-civil/deces", &[], "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // …while an old address remembered for itself still is.
    assert_eq!(
        moved_to(&app, "/services/etat-civil/mariages", &[]).await,
        "http://town.test/services/civil/mariages"
    );
}

#[tokio::test]
async fn a_private_item_moved_away_stays_hidden_and_a_deleted_one_is_gone() {
    let t = services();
    let app = serve(&t);
    let s = &t.site;
    s.write(&admin(), |w| {
        w.add_with(
            "/services",
            "Secret",
            data(json!({"title": "Brouillon"})),
            AddOptions {
                id: Some("brouillon".into()),
                ..AddOptions::default()
            },
        )?;
        w.rename("/services/brouillon", "projet")
    })
    .unwrap();
    let before = call(&app, "GET", "/++api++/services/never-was", &[], "").await;
    let r = call(&app, "GET", "/++api++/services/brouillon", &[], "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.headers.get(header::LOCATION).is_none());
    assert!(!r.body.contains("projet"), "{}", r.body);
    assert_eq!(
        r.body.replace("brouillon", "never-was"),
        before.body,
        "the same 404 as an address never used"
    );
    let r = call(&app, "GET", "/services/brouillon", &[], "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.headers.get(header::LOCATION).is_none());
    let r = call(
        &app,
        "PATCH",
        "/++api++/services/brouillon",
        &[SEND_JSON],
        "{}",
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.headers.get(header::LOCATION).is_none());
    // Those who may view it are sent there.
    let auth = admin_basic();
    assert_eq!(
        moved_to(
            &app,
            "/++api++/services/brouillon",
            &[("authorization", &auth)]
        )
        .await,
        "http://town.test/++api++/services/projet"
    );
    // Below a public folder's old address, a private item is not pointed to.
    s.write(&admin(), |w| w.rename("/services", "mairie"))
        .unwrap();
    let r = call(&app, "GET", "/++api++/services/projet", &[], "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.headers.get(header::LOCATION).is_none());
    assert_eq!(
        moved_to(
            &app,
            "/++api++/services/projet",
            &[("authorization", &auth)]
        )
        .await,
        "http://town.test/++api++/mairie/projet"
    );

    // Deleted: its redirects go with it.
    s.delete(&admin(), "/mairie/horaires", None).unwrap();
    assert!(s.redirect_uid("/services/horaires").unwrap().is_none());
    let r = call(&app, "GET", "/services/horaires", &[], "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.headers.get(header::LOCATION).is_none());
    // A deleted folder takes those of everything in it.
    s.delete(&admin(), "/mairie", None).unwrap();
    assert!(s.redirects().unwrap().is_empty(), "{:?}", s.redirects());
    let r = call(&app, "GET", "/services/etat-civil/mariages", &[JSON], "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[test]
fn redirects_travel_in_an_export() {
    let t = services();
    let s = &t.site;
    s.write(&admin(), |w| w.rename("/services/horaires", "heures"))
        .unwrap();
    let out = t.dir.path().join("export");
    export_site(s, &admin(), &out, &mut |_, _| {}).unwrap();
    let other = tempfile::tempdir().unwrap();
    let copy = open_site(other.path(), crate::common::SITE_TOML, &registry(&[])).unwrap();
    import_site(&copy, &out, &mut |_, _| {}).unwrap();
    assert_eq!(copy.redirects().unwrap(), s.redirects().unwrap());
    let uid = copy.redirect_uid("/services/horaires").unwrap().unwrap();
    assert_eq!(
        copy.get_by_uid(&uid).unwrap().unwrap().path,
        "/services/heures"
    );
}

#[tokio::test]
async fn moves_and_renames_over_the_api_leave_redirects() {
    let t = services();
    let app = serve(&t);
    let auth = admin_basic();
    let headers = [JSON, SEND_JSON, ("authorization", auth.as_str())];
    // Renamed with `PATCH {"id"}`.
    let r = call(
        &app,
        "PATCH",
        "/++api++/services/horaires",
        &headers,
        &json!({"id": "heures"}).to_string(),
    )
    .await;
    assert!(r.status.is_success(), "{}: {}", r.status, r.body);
    assert_eq!(
        moved_to(&app, "/++api++/services/horaires", &[]).await,
        "http://town.test/++api++/services/heures"
    );
    // Moved with `@move`.
    let r = call(
        &app,
        "POST",
        "/++api++/archives/@move",
        &headers,
        &json!({"source": "/services/etat-civil"}).to_string(),
    )
    .await;
    assert!(r.status.is_success(), "{}: {}", r.status, r.body);
    assert_eq!(
        moved_to(&app, "/services/etat-civil/mariages", &[JSON]).await,
        "http://town.test/archives/etat-civil/mariages"
    );
    let r = call(&app, "GET", "/archives/etat-civil/mariages", &[JSON], "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}
