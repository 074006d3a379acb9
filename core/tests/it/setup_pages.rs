//! The site setup pages over HTTP, as a browser without JavaScript uses
//! them: who may open them, forms with their CSRF token, status messages,
//! errors next to the fields with what was typed kept.

use axum::http::StatusCode;
use axum::Router;

use crate::common::{
    admin, basic, form_token, location, request as call, serve, staffed, Answer, PASSWORD,
};

const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

/// A browser logged in by Basic auth, keeping its CSRF cookie.
struct Browser {
    app: Router,
    auth: String,
    cookie: String,
}

impl Browser {
    async fn open(app: &Router, who: &str) -> Self {
        let auth = basic(who);
        let r = call(
            app,
            "GET",
            "/@@overview-controlpanel",
            &[("authorization", &auth)],
            "",
        )
        .await;
        let seed = r.cookie("beffroi_csrf").unwrap_or_default();
        Self {
            app: app.clone(),
            auth,
            cookie: format!("beffroi_csrf={seed}"),
        }
    }

    async fn get(&self, uri: &str) -> Answer {
        call(
            &self.app,
            "GET",
            uri,
            &[
                ("authorization", &self.auth),
                ("cookie", &self.cookie),
                ("accept-language", "en"),
            ],
            "",
        )
        .await
    }

    /// Posts a form on `uri` with the token its page carries.
    async fn post(&self, uri: &str, fields: &[(&str, &str)]) -> Answer {
        let page = self.get(uri.split('?').next().unwrap()).await;
        let token = form_token(&page.body);
        let mut body = form_urlencoded::Serializer::new(String::new());
        body.append_pair("_authenticator", &token);
        for (k, v) in fields {
            body.append_pair(k, v);
        }
        call(
            &self.app,
            "POST",
            uri,
            &[
                ("authorization", &self.auth),
                ("cookie", &self.cookie),
                ("accept-language", "en"),
                FORM,
            ],
            &body.finish(),
        )
        .await
    }
}

#[tokio::test]
async fn only_site_administrators_open_the_setup_pages() {
    let t = staffed();
    let app = serve(&t);
    for page in [
        "/@@overview-controlpanel",
        "/@@usergroup-userprefs",
        "/@@usergroup-groupprefs",
        "/@@prefs_install_products_form",
        "/@@site-controlpanel",
        "/@@workflow-controlpanel",
        "/@@audit-log",
    ] {
        let r = call(&app, "GET", page, &[], "").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{page}");
        assert_eq!(
            location(&r),
            format!(
                "http://town.test/@@login?came_from=http%3A%2F%2Ftown.test%2F%40%40{}",
                &page[3..]
            )
        );
        let r = call(&app, "GET", page, &[("authorization", &basic("eddy"))], "").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{page}");
        assert!(r.body.contains("<html"), "{page}: a page, not JSON");
        let r = call(&app, "GET", page, &[("authorization", &basic("sam"))], "").await;
        assert_eq!(r.status, StatusCode::OK, "{page}: {}", r.body);
        assert!(r.body.contains("<h1>"));
    }
    // The overview links every page.
    let r = call(
        &app,
        "GET",
        "/@@overview-controlpanel",
        &[("authorization", &basic("sam")), ("accept-language", "fr")],
        "",
    )
    .await;
    assert!(r.body.contains("Configuration du site"));
    for link in [
        "@@usergroup-userprefs",
        "@@site-controlpanel",
        "@@audit-log",
        "@@workflow-controlpanel",
    ] {
        assert!(r.body.contains(link), "{link}");
    }
    // Not a JSON service, and only at the root.
    let r = call(
        &app,
        "GET",
        "/@@usergroup-userprefs",
        &[
            ("authorization", &basic("sam")),
            ("accept", "application/json"),
        ],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn users_are_added_and_edited_from_the_pages() {
    let t = staffed();
    let app = serve(&t);
    let b = Browser::open(&app, "sam").await;
    let r = b
        .post(
            "/@@usergroup-userprefs",
            &[
                ("username", "noam"),
                ("fullname", "Noam Chomsky"),
                ("email", "noam@example.org"),
                ("password", "Colorless-green-1"),
                ("roles", "Editor"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        location(&r),
        "http://town.test/@@usergroup-userprefs?status=user-added"
    );
    let r = b.get("/@@usergroup-userprefs?status=user-added").await;
    assert!(r.body.contains("role=\"status\">The user was added."));
    assert!(r.body.contains("Noam Chomsky"));
    assert_eq!(t.site.user("noam").unwrap().unwrap().roles, ["Editor"]);
    // Search narrows the list.
    let r = b.get("/@@usergroup-userprefs?search=chomsky").await;
    assert!(r.body.contains("noam"));
    assert!(!r.body.contains("claire@example.org"));

    // A weak password: the page again, the error by the field, the rest kept.
    let r = b
        .post(
            "/@@usergroup-userprefs",
            &[
                ("username", "zoe"),
                ("fullname", "Zoé Martin"),
                ("password", "weak"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("id=\"password-error\""));
    assert!(r.body.contains("value=\"Zoé Martin\""));
    assert!(t.site.user("zoe").unwrap().is_none());
    // A taken login, and Manager from a site administrator.
    let r = b
        .post(
            "/@@usergroup-userprefs",
            &[("username", "claire"), ("password", "Colorless-green-1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("This name is already taken."));
    let r = b
        .post(
            "/@@usergroup-userprefs",
            &[
                ("username", "boss"),
                ("password", "Colorless-green-1"),
                ("roles", "Manager"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("id=\"roles-error\""));
    assert!(t.site.user("boss").unwrap().is_none());
    // Without the token: refused, nothing stored.
    let r = call(
        &app,
        "POST",
        "/@@usergroup-userprefs",
        &[("authorization", &basic("sam")), FORM],
        "username=sneaky&password=Colorless-green-1",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(t.site.user("sneaky").unwrap().is_none());
    // With a reset link instead of a password.
    let r = b
        .post(
            "/@@usergroup-userprefs",
            &[
                ("username", "ines"),
                ("email", "ines@example.org"),
                ("send_reset", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(t
        .site
        .mails()
        .unwrap()
        .iter()
        .any(|m| m.to == "ines@example.org"));

    // Editing: profile, language, disabling.
    let r = b.get("/@@user-information/claire").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("value=\"Claire Dubois\""));
    let r = b
        .post("/@@user-information/claire", &[("action", "reset")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(location(&r).ends_with("?status=reset-sent"));
    assert!(t
        .site
        .mails()
        .unwrap()
        .iter()
        .any(|m| m.to == "claire@example.org"));
    let r = b
        .post(
            "/@@user-information/claire",
            &[
                ("action", "save"),
                ("fullname", "Claire Durand"),
                ("email", "claire@example.org"),
                ("language", "nl"),
                ("roles", "Reviewer"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let u = t.site.user("claire").unwrap().unwrap();
    assert_eq!(u.fullname, "Claire Durand");
    assert_eq!(u.language.as_deref(), Some("nl"));
    assert_eq!(u.roles, ["Reviewer"]);
    assert!(!u.enabled);
    let r = b
        .post(
            "/@@user-information/claire",
            &[
                ("action", "save"),
                ("fullname", "Claire"),
                ("email", "not-an-address"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("id=\"email-error\""));
    assert!(r.body.contains("value=\"not-an-address\""));
    assert!(!t.site.user("claire").unwrap().unwrap().enabled);
    // A Manager's account is out of a site administrator's reach.
    let r = b
        .post(
            "/@@user-information/admin",
            &[
                ("action", "save"),
                ("fullname", "Pwned"),
                ("enabled", "on"),
                ("roles", "Manager"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        t.site.user("admin").unwrap().unwrap().fullname,
        "Administrator"
    );
    let r = b.get("/@@user-information/ghost").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn groups_and_their_members_are_managed_from_the_pages() {
    let t = staffed();
    let app = serve(&t);
    let b = Browser::open(&app, "sam").await;
    let r = b
        .post(
            "/@@usergroup-groupprefs",
            &[
                ("groupname", "council"),
                ("title", "Town council"),
                ("description", "Elected"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = b.get("/@@usergroup-groupprefs?status=group-added").await;
    assert!(r.body.contains("The group was added."));
    assert!(r.body.contains("Town council"));
    let r = b
        .post("/@@usergroup-groupprefs", &[("groupname", "bad/id")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("id=\"groupname-error\""));
    let r = b
        .post(
            "/@@usergroup-groupmembership/council",
            &[("action", "add"), ("login", "claire")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(t
        .site
        .groups_of("claire")
        .unwrap()
        .contains(&"council".to_owned()));
    let r = b
        .get("/@@usergroup-groupmembership/council?status=members-saved")
        .await;
    assert!(r.body.contains("Claire Dubois (claire)"));
    assert!(r.body.contains("The members were saved."));
    let r = b
        .post(
            "/@@usergroup-groupmembership/council",
            &[("action", "remove"), ("remove", "claire")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(t.site.groups_of("claire").unwrap().is_empty());
    let r = b
        .post(
            "/@@usergroup-groupmembership/council",
            &[("action", "add"), ("login", "ghost")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = b
        .post(
            "/@@usergroup-groupmembership/Administrators",
            &[("action", "add"), ("login", "sam")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(t.site.groups_of("sam").unwrap().is_empty());
    let r = b.get("/@@usergroup-groupmembership/ghosts").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn settings_change_the_pages_at_once() {
    let t = staffed();
    let app = serve(&t);
    let b = Browser::open(&app, "sam").await;
    let r = b.get("/@@site-controlpanel").await;
    assert!(r.body.contains("value=\"Test Town\""));
    let r = b
        .post(
            "/@@site-controlpanel",
            &[
                ("title", "Ville de Test"),
                ("languages", "fr"),
                ("languages", "nl"),
                ("languages", "de"),
                ("default_language", "nl"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let s = t.site.settings().unwrap();
    assert_eq!(s.title, "Ville de Test");
    assert_eq!(s.languages, ["fr", "nl", "de"]);
    assert_eq!(s.default_language, "nl");
    // Every page shows the new title; the default language is negotiated.
    let r = call(&app, "GET", "/", &[], "").await;
    assert!(r.body.contains("Ville de Test"));
    assert!(r.body.contains("<html lang=\"nl\">"));
    // A language `site.toml` did not offer is offered now, translated.
    let r = call(&app, "GET", "/", &[("accept-language", "de")], "").await;
    assert!(r.body.contains("<html lang=\"de\">"));
    assert!(r.body.contains("Zum Inhalt springen"));
    // Wrong input: errors by the fields, what was typed kept, nothing stored.
    let r = b
        .post(
            "/@@site-controlpanel",
            &[("title", "<b>Pwned</b>"), ("default_language", "es")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("id=\"title-error\""));
    assert!(r.body.contains("id=\"languages-error\""));
    assert!(
        r.body.contains("value=\"&lt;b&gt;Pwned&lt;&#x2F;b&gt;\"")
            || r.body.contains("&lt;b&gt;Pwned")
    );
    assert_eq!(t.site.settings().unwrap().title, "Ville de Test");
    let r = b
        .post(
            "/@@site-controlpanel",
            &[
                ("title", "Ville"),
                ("languages", "fr"),
                ("default_language", "en"),
                ("theme", "../etc"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("id=\"default_language-error\""));
    assert!(r.body.contains("id=\"theme-error\""));
    // An editor cannot.
    let editor = Browser::open(&app, "eddy").await;
    let r = call(
        &app,
        "POST",
        "/@@site-controlpanel",
        &[
            ("authorization", &editor.auth),
            ("cookie", &editor.cookie),
            FORM,
        ],
        "title=Editor+town&languages=fr&default_language=fr",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(t.site.settings().unwrap().title, "Ville de Test");
    // The audit log has it.
    assert!(t
        .site
        .audit_log(&admin(), 0, 5)
        .unwrap()
        .0
        .iter()
        .any(|e| e.event == "settings_changed"));
}

#[tokio::test]
async fn modules_workflows_and_the_audit_log_have_their_pages() {
    let t = staffed();
    let app = serve(&t);
    let b = Browser::open(&app, "sam").await;
    let r = b.get("/@@prefs_install_products_form").await;
    assert!(r.body.contains("testing"));
    assert!(r.body.contains("takes effect at the next start"));
    // Each module offers the actions it allows: the linked `testing` may
    // be uninstalled, the core may not.
    assert!(
        r.body
            .contains(r#"name="action" value="uninstall">Uninstall"#),
        "{}",
        r.body
    );
    assert!(!r.body.contains(r#"value="install">Install"#), "{}", r.body);
    let r = b
        .post(
            "/@@prefs_install_products_form",
            &[("action", "uninstall"), ("module", "testing")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = b.get(&location(&r).replace("http://town.test", "")).await;
    assert!(r.body.contains("will be uninstalled at the next start"));
    assert!(r.body.contains("Uninstalled at the next start"));
    assert!(
        r.body.contains(r#"name="action" value="install">Install"#),
        "{}",
        r.body
    );
    let r = b
        .post(
            "/@@prefs_install_products_form",
            &[("action", "install"), ("module", "nothing")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("not linked"));
    let r = b
        .post(
            "/@@prefs_install_products_form",
            &[("action", "uninstall"), ("module", "beffroi")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    let r = b.get("/@@workflow-controlpanel").await;
    assert!(r.body.contains("simple_publication"));
    assert!(r.body.contains("/@@workflow-diagram/simple_publication"));

    // Paging through the audit log.
    for i in 0..3 {
        t.site
            .write(&admin(), |w| {
                w.add_user(&format!("u{i}"), "U", None, PASSWORD, &[])
                    .map(drop)
            })
            .unwrap();
    }
    let r = b.get("/@@audit-log?b_size=2").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("/@audit?format=csv"));
    assert!(r.body.contains("user_added"));
    assert!(r.body.contains("b_start=2&amp;b_size=2") || r.body.contains("b_start=2&b_size=2"));
    assert!(!r.body.contains("rel=\"prev\""));
    let r = b.get("/@@audit-log?b_start=2&b_size=2").await;
    assert!(r.body.contains("rel=\"prev\""));
}
