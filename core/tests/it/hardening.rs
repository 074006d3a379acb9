//! Defects a security review of the web layer found, each kept fixed.

use axum::http::StatusCode;
use base64::Engine;
use serde_json::json;

use crate::common::{admin, data, request, serve, town, Answer, Town};

const PASSWORD: &str = "Beffroi-Sambre-2026";

fn basic(login: &str) -> String {
    let pair = format!("{login}:{PASSWORD}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

async fn api(app: &axum::Router, method: &str, uri: &str, login: &str, body: &str) -> Answer {
    let auth = basic(login);
    request(
        app,
        method,
        uri,
        &[
            ("accept", "application/json"),
            ("content-type", "application/json"),
            ("authorization", &auth),
        ],
        body,
    )
    .await
}

fn office() -> Town {
    let t = town();
    t.site
        .write(&admin(), |w| {
            w.add_user(
                "sylvie",
                "Sylvie Admin",
                None,
                PASSWORD,
                &["Site Administrator".into()],
            )?;
            w.add_user(
                "jdupont",
                "Jean Dupont",
                Some("jean.dupont@mairie.test"),
                PASSWORD,
                &[],
            )?;
            w.add_user("rita", "Rita Reader", None, PASSWORD, &[])?;
            w.add("/", "Folder", data(json!({"title": "Services"})))?;
            w.set_local_roles("/services", "jdupont", &["Contributor".into()])?;
            w.set_local_roles("/services", "rita", &["Reader".into()])?;
            Ok(())
        })
        .unwrap();
    t
}

#[tokio::test]
async fn a_deleted_login_is_never_given_to_someone_else() {
    let t = office();
    let app = serve(&t);
    let jean = t.site.principal("jdupont").unwrap();
    t.site
        .write(&jean, |w| {
            w.add(
                "/services",
                "Page",
                data(json!({"title": "Brouillon de Jean"})),
            )
        })
        .unwrap();
    let r = api(&app, "DELETE", "/@users/jdupont", "sylvie", "").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = api(
        &app,
        "POST",
        "/@users",
        "sylvie",
        &json!({"username": "jdupont", "fullname": "Julie Dupont", "password": "Une-autre-personne-2026"})
            .to_string(),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("deleted account"), "{}", r.body);
    assert!(t.site.user("jdupont").unwrap().is_none());
}

#[tokio::test]
async fn a_csrf_token_never_signs_a_value_the_browser_chose() {
    let t = office();
    let app = serve(&t);
    // The seed of a CSRF token is the browser's cookie: one this server did
    // not make is replaced, so its token signs nothing of the caller's.
    let forged_seed = "clipboard:cut:0123456789abcdef0123456789abcdef";
    let r = request(
        &app,
        "GET",
        "/@@login",
        &[("cookie", &format!("beffroi_csrf={forged_seed}"))],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let fresh = r.cookie("beffroi_csrf").expect("a new CSRF cookie");
    assert_ne!(fresh, forged_seed);
    assert!(beffroi::text::is_uid(&fresh), "{fresh}");
    // And a token for a well-formed seed is not a seal of anything.
    let seed = "0123456789abcdef0123456789abcdef";
    let token = t.site.csrf_token(seed).unwrap();
    assert_ne!(t.site.seal("status", seed).unwrap(), token);
}

#[tokio::test]
async fn principals_do_not_reveal_email_addresses_to_other_users() {
    let t = office();
    let app = serve(&t);
    let r = api(&app, "GET", "/@principals?search=mairie.test", "rita", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(!r.body.contains("jdupont"), "{}", r.body);
    // A user manager finds people by address.
    let r = api(&app, "GET", "/@principals?search=mairie.test", "sylvie", "").await;
    assert!(r.body.contains("jdupont"), "{}", r.body);
}

#[tokio::test]
async fn reverting_is_refused_before_anything_about_versions_is_told() {
    let t = office();
    let app = serve(&t);
    let jean = t.site.principal("jdupont").unwrap();
    t.site
        .write(&jean, |w| {
            w.add("/services", "Page", data(json!({"title": "Horaires"})))
        })
        .unwrap();
    // Rita may read the page but not change it: the same 403 whether the
    // version exists or not.
    for version in [0, 999] {
        let r = api(
            &app,
            "PATCH",
            "/services/horaires/@history",
            "rita",
            &json!({ "version": version }).to_string(),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{version}: {}", r.body);
    }
}

#[tokio::test]
async fn site_wide_services_elsewhere_do_nothing() {
    let t = office();
    let app = serve(&t);
    let r = api(
        &app,
        "POST",
        "/services/@users",
        "sylvie",
        &json!({"username": "ghost", "fullname": "Ghost", "password": "Fantome-de-la-mairie-2026"})
            .to_string(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert!(
        t.site.user("ghost").unwrap().is_none(),
        "nothing was created"
    );
    let r = api(&app, "POST", "/services/@@reset-password", "sylvie", "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_huge_batch_start_is_an_empty_page_not_a_crash() {
    let t = office();
    let app = serve(&t);
    let r = request(
        &app,
        "GET",
        "/services/@@folder_contents?b_start=18446744073709551615",
        &[("authorization", &basic("sylvie"))],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = request(
        &app,
        "GET",
        "/@@audit-log?b_start=18446744073709551615",
        &[("authorization", &basic("sylvie"))],
        "",
    )
    .await;
    assert_ne!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn type_schemas_are_for_logged_in_users() {
    let t = office();
    let app = serve(&t);
    let r = request(
        &app,
        "GET",
        "/@types/Page",
        &[("accept", "application/json")],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = api(&app, "GET", "/@types/Page", "rita", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}
