//! Security over HTTP: logins (JWT, cookie form, Basic), forged and expired
//! tokens, throttling, disabled accounts, CSRF, private items by path, uid,
//! listing and download, workflow and sharing requests one may not make,
//! the audit log, password reset through the mail queue.

use axum::http::{header, StatusCode};
use axum::Router;
use base64::Engine;
use beffroi::prelude::*;

use crate::common::{
    admin, bearer, data, json_token, request as call, serve, town, Answer, Town, JSON, PASSWORD,
    SEND_JSON,
};

const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

/// A town with a published folder holding a public page and a private
/// page, and a contributor, an editor and a site administrator.
fn secured() -> Town {
    let t = town();
    let s = &t.site;
    s.write(&admin(), |w| {
        w.add_user(
            "claire",
            "Claire Dubois",
            Some("claire@example.org"),
            PASSWORD,
            &[],
        )?;
        w.add_user("eddy", "Eddy Editor", None, PASSWORD, &[])?;
        w.add_user(
            "sam",
            "Sam Admin",
            None,
            PASSWORD,
            &["Site Administrator".into()],
        )?;
        w.add("/", "Folder", data(json!({"title": "Services"})))?;
        w.add("/services", "Page", data(json!({"title": "Public page"})))?;
        w.set_local_roles("/services", "eddy", &["Editor".into()])?;
        Ok(())
    })
    .unwrap();
    // A private item: the simple publication workflow on a Folder here.
    s.write(&admin(), |w| {
        w.set_local_roles("/services", "claire", &["Contributor".into()])
    })
    .unwrap();
    let claire = s.principal("claire").unwrap();
    let private = s
        .write(&claire, |w| {
            w.add_with(
                "/services",
                "Secret",
                data(json!({"title": "Brouillon confidentiel"})),
                AddOptions {
                    id: Some("brouillon".into()),
                    ..AddOptions::default()
                },
            )
        })
        .unwrap();
    assert_eq!(private.review_state.as_deref(), Some("private"));
    t
}

async fn login(app: &Router, login: &str, password: &str) -> Answer {
    call(
        app,
        "POST",
        "/@login",
        &[JSON, SEND_JSON],
        &json!({"login": login, "password": password}).to_string(),
    )
    .await
}

#[tokio::test]
async fn private_items_do_not_exist_for_those_who_may_not_see_them() {
    let t = secured();
    let app = serve(&t);
    let uid = t.site.get("/services/brouillon").unwrap().unwrap().uid;

    // By path, as a page and as JSON: 404, with the login offered.
    let r = call(&app, "GET", "/services/brouillon", &[], "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("/@@login?came_from="), "{}", r.body);
    let r = call(&app, "GET", "/++api++/services/brouillon", &[], "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["type"], "NotFound");
    let r = call(&app, "GET", "/services/brouillon/@workflow", &[JSON], "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = call(&app, "GET", "/services/brouillon/@history", &[JSON], "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Through the listing and the navigation.
    let r = call(&app, "GET", "/++api++/services", &[], "").await;
    let listing = r.json();
    assert_eq!(listing["items_total"], 1);
    assert!(!r.body.contains(&uid));
    assert!(!r.body.contains("Brouillon"));
    let r = call(&app, "GET", "/services", &[], "").await;
    assert!(!r.body.contains("Brouillon confidentiel"));

    // Its author sees it, with a bearer token.
    let tok = json_token(&app, "claire").await;
    let bearer = format!("Bearer {tok}");
    let r = call(
        &app,
        "GET",
        "/++api++/services/brouillon",
        &[("authorization", &bearer)],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["review_state"], "private");
    assert_eq!(r.headers[header::CACHE_CONTROL], "private, no-cache");
    let r = call(
        &app,
        "GET",
        "/++api++/services",
        &[("authorization", &bearer)],
        "",
    )
    .await;
    assert_eq!(r.json()["items_total"], 2);
    // Another user does not.
    let other = crate::common::bearer(&app, "sam").await;
    let r = call(
        &app,
        "GET",
        "/++api++/services/brouillon",
        &[("authorization", &other)],
        "",
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "a site administrator sees everything"
    );
    let t2 = json_token(&app, "eddy").await;
    let r = call(
        &app,
        "GET",
        "/++api++/services/brouillon",
        &[("authorization", &format!("Bearer {t2}"))],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "an editor of the folder sees it");
}

#[tokio::test]
async fn tokens_forged_expired_or_logged_out_are_refused() {
    let t = secured();
    let app = serve(&t);

    let r = login(&app, "claire", "wrong").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"]["type"], "Invalid credentials");
    let r = login(&app, "nobody", PASSWORD).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = call(
        &app,
        "POST",
        "/@login",
        &[JSON, SEND_JSON],
        "{\"login\": 3}",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = call(&app, "POST", "/@login", &[JSON, SEND_JSON], "{not json").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    let tok = json_token(&app, "claire").await;
    let private = "/++api++/services/brouillon";
    let ok = call(
        &app,
        "GET",
        private,
        &[("authorization", &format!("Bearer {tok}"))],
        "",
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);

    // Signed with another key.
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = tok.split('.').collect();
    let claims: Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(b"not the site's secret at all, no"),
    )
    .unwrap();
    // `alg: none`, and a role smuggled into the claims.
    let none_header = b64.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let mut escalated = claims.clone();
    escalated["sub"] = json!("admin");
    let none = format!("{none_header}.{}.", b64.encode(escalated.to_string()));
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        b64.encode(escalated.to_string()),
        parts[2]
    );
    for bad in [forged.as_str(), none.as_str(), tampered.as_str(), "garbage"] {
        let r = call(
            &app,
            "GET",
            private,
            &[JSON, ("authorization", &format!("Bearer {bad}"))],
            "",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{bad}: {}", r.body);
    }
    // Expired, though signed with the site's own key; the same claims with
    // a future `exp` pass, so the key is right and only the date refuses it.
    let secret = t.site.store().get(b"s/town/secret").unwrap().unwrap();
    let sign = |c: &Value| {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            c,
            &jsonwebtoken::EncodingKey::from_secret(&secret),
        )
        .unwrap()
    };
    let mut old = claims.clone();
    old["exp"] = json!(chrono::Utc::now().timestamp() - 5);
    let r = call(
        &app,
        "GET",
        private,
        &[JSON, ("authorization", &format!("Bearer {}", sign(&old)))],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "expired: {}", r.body);
    let r = call(
        &app,
        "GET",
        private,
        &[
            JSON,
            ("authorization", &format!("Bearer {}", sign(&claims))),
        ],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "the same claims, not expired");
    // Even signed right, a token naming another account's session is refused.
    let mut other = claims.clone();
    other["sub"] = json!("sam");
    let r = call(
        &app,
        "GET",
        private,
        &[JSON, ("authorization", &format!("Bearer {}", sign(&other)))],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // Renewing ends the old session; logging out ends the new one.
    let r = call(
        &app,
        "POST",
        "/@login-renew",
        &[JSON, ("authorization", &format!("Bearer {tok}"))],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let renewed = r.json()["token"].as_str().unwrap().to_owned();
    let r = call(
        &app,
        "GET",
        private,
        &[JSON, ("authorization", &format!("Bearer {tok}"))],
        "",
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "the renewed-from token is over"
    );
    let r = call(
        &app,
        "POST",
        "/@logout",
        &[JSON, ("authorization", &format!("Bearer {renewed}"))],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = call(
        &app,
        "GET",
        private,
        &[JSON, ("authorization", &format!("Bearer {renewed}"))],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // A broken session cookie is no login, and is cleared.
    let r = call(&app, "GET", "/services", &[("cookie", "__ac=forged")], "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.cookie("__ac").as_deref(), Some(""));

    // A disabled account cannot log in, and its open sessions stop.
    let tok = json_token(&app, "claire").await;
    t.site
        .write(&admin(), |w| w.set_user_enabled("claire", false))
        .unwrap();
    let r = call(
        &app,
        "GET",
        private,
        &[JSON, ("authorization", &format!("Bearer {tok}"))],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        login(&app, "claire", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    let audit = t.site.audit_log(&admin(), 0, 100).unwrap().0;
    assert!(audit.iter().any(|e| e.event == "login_failed"
        && e.target == "claire"
        && e.detail == "account disabled"));
}

#[tokio::test]
async fn failed_logins_are_throttled_per_account() {
    let t = secured();
    let app = serve(&t);
    for _ in 0..5 {
        assert_eq!(
            login(&app, "eddy", "guess").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    // Locked: even the right password waits.
    let r = login(&app, "eddy", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    let wait: u64 = r.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait > 0 && wait <= 900);
    // Basic auth is throttled alike.
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("eddy:{PASSWORD}"))
    );
    let r = call(
        &app,
        "GET",
        "/++api++/services",
        &[("authorization", &basic)],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Other accounts are not affected.
    assert_eq!(login(&app, "sam", PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn basic_auth_serves_scripts() {
    let t = secured();
    let app = serve(&t);
    let basic = |pw: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("claire:{pw}"))
        )
    };
    let r = call(
        &app,
        "GET",
        "/++api++/services/brouillon",
        &[("authorization", &basic(PASSWORD))],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = call(
        &app,
        "GET",
        "/++api++/services/brouillon",
        &[("authorization", &basic("nope"))],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.headers.contains_key(header::WWW_AUTHENTICATE));
    let r = call(
        &app,
        "GET",
        "/++api++/",
        &[("authorization", "Digest x")],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_workflow_over_http_refuses_what_one_may_not_do() {
    let t = secured();
    let app = serve(&t);
    let claire = bearer(&app, "claire").await;
    let eddy = bearer(&app, "eddy").await;

    let r = call(
        &app,
        "GET",
        "/services/brouillon/@workflow",
        &[JSON, ("authorization", &claire)],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let wf = r.json();
    assert_eq!(wf["state"]["id"], "private");
    let open: Vec<&str> = wf["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["@id"].as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    assert_eq!(open, ["submit"]);
    assert!(wf["closed"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == "publish"));

    // Publishing is the reviewer's: refused, nothing changes.
    let r = call(
        &app,
        "POST",
        "/services/brouillon/@workflow/publish",
        &[JSON, SEND_JSON, ("authorization", &claire)],
        "{}",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = call(
        &app,
        "POST",
        "/services/brouillon/@workflow/publish",
        &[JSON, SEND_JSON],
        "{}",
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "a visitor learns nothing");
    let r = call(
        &app,
        "POST",
        "/services/@sharing",
        &[JSON, SEND_JSON],
        "{\"entries\": []}",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    let r = call(
        &app,
        "POST",
        "/services/brouillon/@workflow/fly",
        &[JSON, SEND_JSON, ("authorization", &claire)],
        "{}",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = call(
        &app,
        "POST",
        "/services/brouillon/@workflow/submit",
        &[JSON, SEND_JSON, ("authorization", &claire)],
        "{\"comment\": 5}",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = call(
        &app,
        "POST",
        "/services/brouillon/@workflow/submit",
        &[JSON, SEND_JSON, ("authorization", &claire)],
        "{\"comment\": \"<script>x</script>\"}",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        t.site
            .get("/services/brouillon")
            .unwrap()
            .unwrap()
            .review_state
            .as_deref(),
        Some("private")
    );

    let r = call(
        &app,
        "POST",
        "/services/brouillon/@workflow/submit",
        &[JSON, SEND_JSON, ("authorization", &claire)],
        "{\"comment\": \"À relire\"}",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let done = r.json();
    assert_eq!(done["review_state"], "pending");
    assert_eq!(done["actor"], "claire");
    assert_eq!(done["comments"], "À relire");
    // Pending: the editor of the folder (not a reviewer) may not publish either.
    let r = call(
        &app,
        "POST",
        "/services/brouillon/@workflow/publish",
        &[JSON, ("authorization", &eddy)],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = call(
        &app,
        "GET",
        "/services/brouillon/@workflow",
        &[JSON, ("authorization", &claire)],
        "",
    )
    .await;
    let history = r.json()["history"].clone();
    assert_eq!(history[0]["action"], "submit");
    assert_eq!(history[0]["comments"], "À relire");
    assert_eq!(history[0]["review_state"], "pending");
}

#[tokio::test]
async fn sharing_cannot_hand_out_roles_one_does_not_hold() {
    let t = secured();
    let app = serve(&t);
    let eddy = bearer(&app, "eddy").await;
    let claire = bearer(&app, "claire").await;
    let before = t.site.get("/services").unwrap().unwrap();

    for roles in [
        json!({"Manager": true}),
        json!({"Reviewer": true}),
        json!({"Site Administrator": true}),
    ] {
        let body =
            json!({"entries": [{"id": "claire", "type": "user", "roles": roles}]}).to_string();
        let r = call(
            &app,
            "POST",
            "/services/@sharing",
            &[JSON, SEND_JSON, ("authorization", &eddy)],
            &body,
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{roles}: {}", r.body);
    }
    // A contributor may not share at all.
    let body = json!({"entries": [{"id": "claire", "roles": {"Editor": true}}]}).to_string();
    let r = call(
        &app,
        "POST",
        "/services/@sharing",
        &[JSON, SEND_JSON, ("authorization", &claire)],
        &body,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Malformed requests.
    let r = call(
        &app,
        "POST",
        "/services/@sharing",
        &[JSON, SEND_JSON, ("authorization", &eddy)],
        "{\"entries\": 1}",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let body = json!({"entries": [{"id": "ghost", "roles": {"Reader": true}}]}).to_string();
    let r = call(
        &app,
        "POST",
        "/services/@sharing",
        &[JSON, SEND_JSON, ("authorization", &eddy)],
        &body,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        t.site.get("/services").unwrap().unwrap().local_roles,
        before.local_roles
    );

    // What the editor holds, the editor may grant.
    let body = json!({"entries": [{"id": "claire", "type": "user", "roles": {"Editor": true}}]})
        .to_string();
    let r = call(
        &app,
        "POST",
        "/services/@sharing",
        &[JSON, SEND_JSON, ("authorization", &eddy)],
        &body,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = call(
        &app,
        "GET",
        "/services/@sharing",
        &[JSON, ("authorization", &eddy)],
        "",
    )
    .await;
    let sharing = r.json();
    let entry = sharing["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "claire")
        .unwrap()
        .clone();
    assert_eq!(entry["roles"]["Editor"], true);
    assert_eq!(entry["roles"]["Contributor"], true);
    assert_eq!(entry["type"], "user");
    let audit = t.site.audit_log(&admin(), 0, 100).unwrap().0;
    assert!(audit
        .iter()
        .any(|e| e.event == "local_roles" && e.actor == "eddy" && e.detail.contains("Editor")));
}

#[tokio::test]
async fn browsers_log_in_with_a_form_protected_against_csrf() {
    let t = secured();
    let app = serve(&t);
    let page = call(
        &app,
        "GET",
        "/@@login?came_from=/services/brouillon",
        &[],
        "",
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    let seed = page.cookie("beffroi_csrf").expect("a CSRF cookie");
    let token = page
        .body
        .split("name=\"_authenticator\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    assert!(page.body.contains("<label for=\"login\">"));
    let cookie = format!("beffroi_csrf={seed}");

    // Without the token, or with another browser's: refused.
    let body = format!("login=claire&password={PASSWORD}");
    let r = call(
        &app,
        "POST",
        "/@@login",
        &[FORM, ("cookie", &cookie)],
        &body,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.cookie("__ac").is_none());
    let r = call(
        &app,
        "POST",
        "/@@login",
        &[FORM, ("cookie", "beffroi_csrf=0123456789abcdef0123")],
        &format!("{body}&_authenticator={token}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // A wrong password shows the form again.
    let r = call(
        &app,
        "POST",
        "/@@login",
        &[FORM, ("cookie", &cookie)],
        &format!("login=claire&password=nope&_authenticator={token}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("role=\"alert\""));

    // The right one logs in and goes back where it came from, on this site only.
    let r = call(
        &app,
        "POST",
        "/@@login",
        &[FORM, ("cookie", &cookie)],
        &format!("{body}&_authenticator={token}&came_from=%2Fservices%2Fbrouillon"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.headers[header::LOCATION],
        "http://town.test/services/brouillon"
    );
    let set = r.headers[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    let session = r.cookie("__ac").unwrap();
    let cookies = format!("{cookie}; __ac={session}");
    let r = call(
        &app,
        "GET",
        "/services/brouillon",
        &[("cookie", &cookies)],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Claire Dubois"));
    assert!(r.body.contains("/@workflow/submit"), "the workflow menu");
    let r = call(
        &app,
        "POST",
        "/@@login",
        &[FORM, ("cookie", &cookie)],
        &format!("{body}&_authenticator={token}&came_from=https%3A%2F%2Fevil.example%2F"),
    )
    .await;
    assert_eq!(r.headers[header::LOCATION], "http://town.test/");

    // A JSON write riding on the cookie needs the CSRF header.
    let r = call(
        &app,
        "POST",
        "/services/brouillon/@workflow/submit",
        &[JSON, SEND_JSON, ("cookie", &cookies)],
        "{}",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The menu's form, with the token, fires it and comes back.
    let r = call(
        &app,
        "POST",
        "/services/brouillon/@workflow/submit",
        &[FORM, ("cookie", &cookies)],
        &format!("_authenticator={token}&comment=ok"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        t.site
            .get("/services/brouillon")
            .unwrap()
            .unwrap()
            .review_state
            .as_deref(),
        Some("pending")
    );

    // Logging out needs the token too, then ends the session.
    let r = call(&app, "POST", "/@@logout", &[FORM, ("cookie", &cookies)], "").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = call(
        &app,
        "POST",
        "/@@logout",
        &[FORM, ("cookie", &cookies)],
        &format!("_authenticator={token}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = call(
        &app,
        "GET",
        "/services/brouillon",
        &[("cookie", &cookies)],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_audit_log_and_exports_are_for_site_administrators() {
    let t = secured();
    let app = serve(&t);
    let _ = login(&app, "claire", "wrong").await;
    let claire = bearer(&app, "claire").await;
    let sam = bearer(&app, "sam").await;
    assert_eq!(
        call(&app, "GET", "/@audit", &[JSON], "").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call(
            &app,
            "GET",
            "/@audit",
            &[JSON, ("authorization", &claire)],
            ""
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let r = call(&app, "GET", "/@audit", &[JSON, ("authorization", &sam)], "").await;
    assert_eq!(r.status, StatusCode::OK);
    let log = r.json();
    let events: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert!(
        events.contains(&"login_failed") && events.contains(&"login"),
        "{events:?}"
    );
    let r = call(
        &app,
        "GET",
        "/@audit?format=csv",
        &[("authorization", &sam)],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r
        .body
        .starts_with("time,actor,event,target,detail,address\r\n"));
    assert!(r.body.contains("\"login_failed\",\"claire\""));

    // Diagrams are for them too.
    let r = call(
        &app,
        "GET",
        "/@@workflow-diagram/simple_publication",
        &[("authorization", &sam)],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.starts_with("<svg"));
    let r = call(
        &app,
        "GET",
        "/@@workflow-diagram/simple_publication",
        &[("authorization", &claire)],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Exporting holds private items and accounts: administrators only.
    let out = t.dir.path().join("export");
    let claire_p = t.site.principal("claire").unwrap();
    let refused = beffroi::export::export_site(&t.site, &claire_p, &out, &mut |_, _| {});
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");
    assert!(!out.exists());
    let sam_p = t.site.principal("sam").unwrap();
    beffroi::export::export_site(&t.site, &sam_p, &out, &mut |_, _| {}).unwrap();
    assert!(out.join("security.jsonl").exists());
}

#[tokio::test]
async fn passwords_are_reset_by_a_link_sent_through_the_mail_queue() {
    let t = secured();
    let app = serve(&t);
    // Unknown accounts get the same answer, and no mail.
    let r = call(&app, "POST", "/@users/nobody/reset-password", &[JSON], "").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(t.site.mails().unwrap().is_empty());
    let r = call(&app, "POST", "/@users/claire/reset-password", &[JSON], "").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let mails = t.site.mails().unwrap();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, "claire@example.org");
    assert!(mails[0].sent.is_none());
    let link = mails[0]
        .body
        .split_whitespace()
        .find(|w| w.contains("/@@reset-password/"))
        .unwrap()
        .to_owned();
    let reset_token = link.rsplit('/').next().unwrap().to_owned();
    // The page behind the link shows the form.
    let path = link.trim_start_matches("http://town.test");
    let r = call(&app, "GET", path, &[], "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("name=\"confirm\""));

    // Too weak: refused, the old password still works.
    let body = json!({"reset_token": reset_token, "new_password": "short"}).to_string();
    let r = call(
        &app,
        "POST",
        "/@users/claire/reset-password",
        &[JSON, SEND_JSON],
        &body,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["errors"][0]["code"], "weak_password");
    assert_eq!(login(&app, "claire", PASSWORD).await.status, StatusCode::OK);
    // A forged token: refused.
    let body = json!({"reset_token": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJjbGFpcmUifQ.", "new_password": "Another-good-pass-7"}).to_string();
    let r = call(
        &app,
        "POST",
        "/@users/claire/reset-password",
        &[JSON, SEND_JSON],
        &body,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    let body =
        json!({"reset_token": reset_token, "new_password": "Another-good-pass-7"}).to_string();
    let r = call(
        &app,
        "POST",
        "/@users/claire/reset-password",
        &[JSON, SEND_JSON],
        &body,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        login(&app, "claire", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login(&app, "claire", "Another-good-pass-7").await.status,
        StatusCode::OK
    );
    // The link works once.
    let body =
        json!({"reset_token": reset_token, "new_password": "Yet-another-pass-8"}).to_string();
    let r = call(
        &app,
        "POST",
        "/@users/claire/reset-password",
        &[JSON, SEND_JSON],
        &body,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[test]
fn failed_logins_are_throttled_per_address_and_escalation_is_refused() {
    let t = secured();
    let s = &t.site;
    // Guessing different accounts from one address: the address is locked,
    // even for a right password; another address is not.
    for login in ["a1", "a2", "a3", "a4", "a5"] {
        let r = s.check_credentials(login, "guess", Some("203.0.113.7"));
        assert!(matches!(r, Err(Error::Unauthorized(_))), "{r:?}");
    }
    let r = s.check_credentials("sam", PASSWORD, Some("203.0.113.7"));
    assert!(matches!(r, Err(Error::Throttled(_))), "{r:?}");
    assert!(s
        .check_credentials("sam", PASSWORD, Some("198.51.100.1"))
        .is_ok());

    // A site administrator manages users but cannot make anyone Manager.
    let sam = s.principal("sam").unwrap();
    let r = s.write(&sam, |w| w.set_user_roles("sam", &["Manager".into()]));
    assert!(matches!(r, Err(Error::Forbidden(_))), "{r:?}");
    let r = s.write(&sam, |w| {
        w.add_group("bosses", "Bosses", &["Manager".into()])
    });
    assert!(matches!(r, Err(Error::Forbidden(_))), "{r:?}");
    let r = s.write(&sam, |w| {
        w.set_group_members("Administrators", &["sam".into()], &[])
    });
    assert!(matches!(r, Err(Error::Forbidden(_))), "{r:?}");
    assert!(!s
        .principal("sam")
        .unwrap()
        .global_roles()
        .contains("Manager"));
    // What they may do, they do: add a reviewer.
    s.write(&sam, |w| {
        w.set_group_members("Reviewers", &["eddy".into()], &[])
    })
    .unwrap();
    assert!(s
        .principal("eddy")
        .unwrap()
        .global_roles()
        .contains("Reviewer"));
    // Others may not manage users at all.
    let claire = s.principal("claire").unwrap();
    let r = s.write(&claire, |w| {
        w.set_group_members("Reviewers", &["claire".into()], &[])
    });
    assert!(matches!(r, Err(Error::Forbidden(_))), "{r:?}");
    let r = s.write(&claire, |w| w.set_password("sam", "Taken-over-pass-9"));
    assert!(matches!(r, Err(Error::Forbidden(_))), "{r:?}");
    // HTML in a name, a bad login, a weak password: all refused at once.
    let r = s.write(&admin(), |w| {
        w.add_user("x y", "<b>X</b>", Some("not-mail"), "abc", &[])
    });
    assert!(matches!(r, Err(Error::Invalid(_))), "{r:?}");
    let r = s.write(&admin(), |w| {
        w.add_user("xy", "<b>X</b>", Some("not-mail"), "abc", &[])
    });
    let Err(Error::Invalid(errors)) = r else {
        panic!("{r:?}")
    };
    let codes: Vec<&str> = errors.iter().map(|e| e.code).collect();
    assert_eq!(codes, ["weak_password", "bad_email", "html_not_allowed"]);
}

/// A minimal SMTP server that accepts one message and returns it.
fn fake_smtp() -> (u16, std::thread::JoinHandle<String>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut out = stream.try_clone().unwrap();
        let mut lines = BufReader::new(stream);
        let mut data = String::new();
        out.write_all(b"220 fake ESMTP\r\n").unwrap();
        let mut in_data = false;
        loop {
            let mut line = String::new();
            if lines.read_line(&mut line).unwrap() == 0 {
                break;
            }
            if in_data {
                if line == ".\r\n" {
                    in_data = false;
                    out.write_all(b"250 queued\r\n").unwrap();
                } else {
                    data.push_str(&line);
                }
                continue;
            }
            let upper = line.to_ascii_uppercase();
            if upper.starts_with("EHLO") {
                out.write_all(b"250-fake\r\n250 8BITMIME\r\n").unwrap();
            } else if upper.starts_with("DATA") {
                in_data = true;
                out.write_all(b"354 go on\r\n").unwrap();
            } else if upper.starts_with("QUIT") {
                out.write_all(b"221 bye\r\n").unwrap();
                break;
            } else {
                out.write_all(b"250 ok\r\n").unwrap();
            }
        }
        data
    });
    (port, handle)
}

#[test]
fn queued_mail_goes_out_through_the_configured_relay() {
    let (port, server) = fake_smtp();
    let dir = tempfile::tempdir().unwrap();
    let toml = format!(
        "{}[mail]\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {port}\nfrom = \"commune@town.test\"\n",
        crate::common::SITE_TOML
    );
    let site = crate::common::open_site(dir.path(), &toml, &crate::common::registry(&[])).unwrap();
    site.create(Some("Hotel-de-ville-2026")).unwrap();
    site.write(&admin(), |w| {
        w.add_user(
            "claire",
            "Claire",
            Some("claire@example.org"),
            PASSWORD,
            &[],
        )
        .map(drop)
    })
    .unwrap();
    site.request_password_reset("claire@example.org", "http://town.test")
        .unwrap();
    assert_eq!(site.send_queued_mail().unwrap(), 1);
    let message = server.join().unwrap();
    assert!(message.contains("To: claire@example.org"), "{message}");
    assert!(message.contains("From: commune@town.test"), "{message}");
    assert!(message.contains("reset-password"), "{message}");
    let mails = site.mails().unwrap();
    assert!(mails[0].sent.is_some() && mails[0].error.is_none());
    // Sent mail is not sent again.
    assert_eq!(site.send_queued_mail().unwrap(), 0);
}

#[tokio::test]
async fn password_changes_end_sessions_and_managers_are_protected() {
    let t = secured();
    let app = serve(&t);
    let s = &t.site;
    let private = "/++api++/services/brouillon";
    let tok = json_token(&app, "claire").await;
    let bearer = format!("Bearer {tok}");
    assert_eq!(
        call(&app, "GET", private, &[("authorization", &bearer)], "")
            .await
            .status,
        StatusCode::OK
    );
    s.write(&admin(), |w| w.set_password("claire", "Brand-new-pass-11"))
        .unwrap();
    assert_eq!(
        call(
            &app,
            "GET",
            private,
            &[JSON, ("authorization", &bearer)],
            ""
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED,
        "a changed password ends open sessions"
    );
    // A site administrator may not take over the Manager's account.
    let sam = s.principal("sam").unwrap();
    let r = s.write(&sam, |w| w.set_password("admin", "Taken-over-pass-9"));
    assert!(matches!(r, Err(Error::Forbidden(_))), "{r:?}");
    let r = s.write(&sam, |w| w.set_user_enabled("admin", false));
    assert!(matches!(r, Err(Error::Forbidden(_))), "{r:?}");
    s.write(&admin(), |w| {
        w.set_group_members("Administrators", &["eddy".into()], &[])
    })
    .unwrap();
    let r = s.write(&sam, |w| w.set_password("eddy", "Taken-over-pass-9"));
    assert!(
        matches!(r, Err(Error::Forbidden(_))),
        "a Manager through a group: {r:?}"
    );
    s.write(&sam, |w| w.set_password("claire", "Set-by-sam-2026"))
        .unwrap();
}

#[tokio::test]
async fn reset_links_are_bound_to_their_account_and_host_and_rationed() {
    let t = secured();
    let app = serve(&t);
    let s = &t.site;
    s.write(&admin(), |w| {
        w.add_user("dora", "Dora", Some("dora@example.org"), PASSWORD, &[])
            .map(drop)
    })
    .unwrap();
    // A forged Host header does not reach the mail: the site's own host does.
    let r = call(
        &app,
        "POST",
        "/@users/claire/reset-password",
        &[JSON, ("host", "evil.example")],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let mail = s.mails().unwrap().pop().unwrap();
    assert!(
        mail.body.contains("http://town.test/@@reset-password/"),
        "{}",
        mail.body
    );
    assert!(!mail.body.contains("evil"), "{}", mail.body);
    let link = mail
        .body
        .split_whitespace()
        .find(|w| w.contains("/@@reset-password/"))
        .unwrap()
        .to_owned();
    let claire_token = link.rsplit('/').next().unwrap().to_owned();
    // Claire's link cannot reset Dora's password.
    let body =
        json!({"reset_token": claire_token, "new_password": "Another-good-pass-7"}).to_string();
    let r = call(
        &app,
        "POST",
        "/@users/dora/reset-password",
        &[JSON, SEND_JSON],
        &body,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(login(&app, "dora", PASSWORD).await.status, StatusCode::OK);
    // At most three mails per account in a quarter of an hour.
    for _ in 0..5 {
        call(&app, "POST", "/@users/dora/reset-password", &[JSON], "").await;
    }
    let to_dora = s
        .mails()
        .unwrap()
        .iter()
        .filter(|m| m.to == "dora@example.org")
        .count();
    assert_eq!(to_dora, 3);
}

#[tokio::test]
async fn other_sites_cannot_borrow_a_browsers_credentials() {
    let t = secured();
    let app = serve(&t);
    let claire = bearer(&app, "claire").await;
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("claire:{PASSWORD}"))
    );
    let url = "/services/brouillon/@workflow/submit";
    // A page elsewhere posting with the browser's cached Basic credentials.
    for headers in [
        vec![
            ("authorization", basic.as_str()),
            ("origin", "https://evil.example"),
            SEND_JSON,
        ],
        vec![
            ("authorization", basic.as_str()),
            ("sec-fetch-site", "cross-site"),
            SEND_JSON,
        ],
        vec![
            ("authorization", basic.as_str()),
            ("origin", "null"),
            SEND_JSON,
        ],
    ] {
        let mut h = headers.clone();
        h.push(JSON);
        let r = call(&app, "POST", url, &h, "{}").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{headers:?}: {}", r.body);
    }
    // A form can only send text/plain, not JSON: refused as not JSON.
    let r = call(
        &app,
        "POST",
        url,
        &[
            JSON,
            ("authorization", &basic),
            ("content-type", "text/plain"),
        ],
        "{\"comment\": \"x\"}",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        t.site
            .get("/services/brouillon")
            .unwrap()
            .unwrap()
            .review_state
            .as_deref(),
        Some("private")
    );
    // The same site's own page (same origin) and programs (no origin) pass.
    let r = call(
        &app,
        "POST",
        url,
        &[
            JSON,
            SEND_JSON,
            ("authorization", &claire),
            ("origin", "http://town.test"),
        ],
        "{}",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn references_to_hidden_items_do_not_leak_their_uid() {
    let t = secured();
    let app = serve(&t);
    let hidden = t.site.get("/services/brouillon").unwrap().unwrap();
    let public = t.site.get("/services/public-page").unwrap().unwrap();
    t.site
        .write(&admin(), |w| {
            w.add_with(
                "/",
                "Page",
                data(json!({"title": "Liens", "related": hidden.uid})),
                AddOptions {
                    id: Some("liens".into()),
                    ..AddOptions::default()
                },
            )?;
            w.add_with(
                "/",
                "Page",
                data(json!({"title": "Liens publics", "related": public.uid})),
                AddOptions {
                    id: Some("liens-publics".into()),
                    ..AddOptions::default()
                },
            )
        })
        .unwrap();
    let r = call(&app, "GET", "/++api++/liens", &[], "").await;
    assert_eq!(r.json()["related"], Value::Null);
    assert!(!r.body.contains(&hidden.uid));
    let r = call(&app, "GET", "/liens", &[], "").await;
    assert!(!r.body.contains(&hidden.uid));
    let r = call(&app, "GET", "/", &[], "").await;
    assert!(!r.body.contains(&hidden.uid), "nor in the folder listing");
    let r = call(&app, "GET", "/++api++/liens-publics", &[], "").await;
    assert_eq!(r.json()["related"]["title"], "Public page");
    // Writing a reference to an item one may not view: it does not exist.
    t.site
        .write(&admin(), |w| {
            w.add_user("dora", "Dora", None, PASSWORD, &[])?;
            w.add_with(
                "/",
                "Folder",
                data(json!({"title": "Dépôt"})),
                AddOptions {
                    id: Some("depot".into()),
                    ..AddOptions::default()
                },
            )?;
            w.set_local_roles("/depot", "dora", &["Contributor".into()])
                .map(drop)
        })
        .unwrap();
    let dora = t.site.principal("dora").unwrap();
    assert!(t
        .site
        .add(
            &dora,
            "/depot",
            "Page",
            data(json!({"title": "ok", "related": public.uid}))
        )
        .is_ok());
    let r = t.site.add(
        &dora,
        "/depot",
        "Page",
        data(json!({"title": "x", "related": hidden.uid})),
    );
    assert!(
        matches!(r, Err(Error::Invalid(ref e)) if e[0].code == "bad_reference"),
        "{r:?}"
    );
}
