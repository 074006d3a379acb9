//! Site administration over the API: `@users`, `@groups`, `@principals`,
//! `@roles`, `@userschema`, `@addons`, `@upgrade` and `@openapi`, with who
//! may do what and the error answers.

use std::sync::Arc;

use axum::http::{header, StatusCode};
use axum::Router;
use beffroi::prelude::*;

use crate::common::{
    admin, basic_auth, open_site, registry, request as call, serve, staffed, town, Answer,
    ADMIN_PASSWORD, JSON, PASSWORD, SEND_JSON,
};

async fn as_user(
    app: &Router,
    who: Option<&str>,
    method: &str,
    uri: &str,
    body: Option<Value>,
) -> Answer {
    let auth = who.map(|w| {
        let pw = if w == "admin" {
            ADMIN_PASSWORD
        } else {
            PASSWORD
        };
        basic_auth(w, pw)
    });
    let mut headers = vec![JSON];
    if let Some(a) = &auth {
        headers.push(("authorization", a.as_str()));
    }
    let text = match &body {
        Some(b) => {
            headers.push(SEND_JSON);
            b.to_string()
        }
        None => String::new(),
    };
    call(app, method, uri, &headers, &text).await
}

/// A request (who, method, address, body) and the status it must answer.
type Case<'a> = (Option<&'a str>, &'a str, &'a str, Option<Value>, StatusCode);

/// Each request answers its status.
async fn expect_statuses(app: &Router, cases: &[Case<'_>]) {
    for (who, method, uri, body, status) in cases {
        let r = as_user(app, *who, method, uri, body.clone()).await;
        assert_eq!(r.status, *status, "{who:?} {method} {uri}: {}", r.body);
    }
}

#[tokio::test]
async fn users_are_created_listed_changed_and_deleted() {
    let t = staffed();
    let app = serve(&t);
    let r = as_user(
        &app,
        Some("sam"),
        "POST",
        "/@users",
        Some(json!({
            "username": "noam",
            "fullname": "Noam Chomsky",
            "email": "noam@example.org",
            "password": "Colorless-green-1",
            "roles": ["Editor"],
            "groups": ["Reviewers"],
            "language": "nl",
        })),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        r.headers.get(header::LOCATION).unwrap(),
        "http://town.test/@users/noam"
    );
    insta::assert_json_snapshot!("user_created", r.json());

    // The list is a batched collection; filters narrow it.
    let r = as_user(&app, Some("sam"), "GET", "/@users?b_size=2", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["items_total"], 5);
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        v["batching"]["next"],
        "http://town.test/@users?b_start=2&b_size=2"
    );
    let r = as_user(&app, Some("sam"), "GET", "/@users?query=cla", None).await;
    let ids: Vec<String> = r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["claire"]);
    // `query` matches logins only; `search` also names and addresses.
    let r = as_user(&app, Some("sam"), "GET", "/@users?query=chomsky", None).await;
    assert_eq!(r.json()["items_total"], 0);
    let r = as_user(&app, Some("sam"), "GET", "/@users?search=chomsky", None).await;
    assert_eq!(r.json()["items"][0]["id"], "noam");
    let r = as_user(
        &app,
        Some("sam"),
        "GET",
        "/@users?groups-filter:list=Reviewers",
        None,
    )
    .await;
    assert_eq!(r.json()["items_total"], 1);
    assert_eq!(r.json()["items"][0]["id"], "noam");

    // CSV export.
    let auth = basic_auth("sam", PASSWORD);
    let r = call(
        &app,
        "GET",
        "/@users",
        &[("accept", "text/csv"), ("authorization", &auth)],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(r.body.starts_with("username,fullname,email"));
    assert!(r
        .body
        .contains("\"noam\",\"Noam Chomsky\",\"noam@example.org\",\"Editor\",\"Reviewers\""));

    // PATCH: profile, roles as Plone's map, disabling.
    let r = as_user(
        &app,
        Some("sam"),
        "PATCH",
        "/@users/noam",
        Some(json!({"fullname": "Avram Noam Chomsky", "email": null, "roles": {"Editor": false, "Reviewer": true}, "enabled": false})),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let u = t.site.user("noam").unwrap().unwrap();
    assert_eq!(u.fullname, "Avram Noam Chomsky");
    assert_eq!(u.email, None);
    assert_eq!(u.roles, ["Reviewer"]);
    assert!(!u.enabled);

    // DELETE: the account, its memberships and local roles go.
    t.site
        .write(&admin(), |w| {
            w.add(
                "/",
                "Folder",
                crate::common::data(json!({"title": "Services"})),
            )?;
            w.set_local_roles("/services", "noam", &["Editor".into()])
        })
        .unwrap();
    let r = as_user(&app, Some("sam"), "DELETE", "/@users/noam", None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert!(t.site.user("noam").unwrap().is_none());
    assert!(!t
        .site
        .group("Reviewers")
        .unwrap()
        .unwrap()
        .members
        .contains("noam"));
    assert!(!t
        .site
        .get("/services")
        .unwrap()
        .unwrap()
        .local_roles
        .contains_key("noam"));
    let r = as_user(&app, Some("sam"), "GET", "/@users/noam", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn user_management_refuses_what_it_must() {
    let t = staffed();
    let app = serve(&t);
    let new = |roles: &[&str]| json!({"username": "zoe", "fullname": "Zoé", "password": "Colorless-green-1", "roles": roles});
    // Anonymous: 401; an editor: 403.
    expect_statuses(
        &app,
        &[
            (None, "GET", "/@users", None, StatusCode::UNAUTHORIZED),
            (Some("eddy"), "GET", "/@users", None, StatusCode::FORBIDDEN),
            (
                Some("eddy"),
                "POST",
                "/@users",
                Some(new(&[])),
                StatusCode::FORBIDDEN,
            ),
            (
                None,
                "POST",
                "/@users",
                Some(new(&[])),
                StatusCode::UNAUTHORIZED,
            ),
        ],
    )
    .await;
    // A site administrator cannot grant Manager, nor touch a Manager.
    expect_statuses(
        &app,
        &[
            (
                Some("sam"),
                "POST",
                "/@users",
                Some(new(&["Manager"])),
                StatusCode::FORBIDDEN,
            ),
            (
                Some("sam"),
                "PATCH",
                "/@users/sam",
                Some(json!({"roles": ["Manager"]})),
                StatusCode::FORBIDDEN,
            ),
            (
                Some("sam"),
                "PATCH",
                "/@users/admin",
                Some(json!({"fullname": "Pwned"})),
                StatusCode::FORBIDDEN,
            ),
            (
                Some("sam"),
                "DELETE",
                "/@users/admin",
                None,
                StatusCode::FORBIDDEN,
            ),
        ],
    )
    .await;
    assert!(t.site.user("admin").unwrap().is_some());
    // A Manager can.
    let r = as_user(
        &app,
        Some("admin"),
        "POST",
        "/@users",
        Some(new(&["Manager"])),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // Duplicate: 409.
    let r = as_user(&app, Some("admin"), "POST", "/@users", Some(new(&[]))).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // Bad JSON, unknown fields, weak password, HTML: 400, nothing stored.
    let auth = basic_auth("sam", PASSWORD);
    let r = call(
        &app,
        "POST",
        "/@users",
        &[JSON, SEND_JSON, ("authorization", &auth)],
        "{\"username\": ",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["type"], "BadRequest");
    let r = as_user(
        &app,
        Some("sam"),
        "POST",
        "/@users",
        Some(json!({"username": "x1", "password": "Colorless-green-1", "is_admin": true})),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = as_user(
        &app,
        Some("sam"),
        "POST",
        "/@users",
        Some(json!({"username": "weak", "password": "short"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["errors"][0]["field"], "password");
    assert_eq!(r.json()["errors"][0]["code"], "weak_password");
    expect_statuses(
        &app,
        &[
            (Some("sam"), "POST", "/@users", Some(json!({"username": "html", "fullname": "<b>x</b>", "password": "Colorless-green-1"})), StatusCode::BAD_REQUEST),
            (Some("sam"), "POST", "/@users", Some(json!({"username": "nopass"})), StatusCode::BAD_REQUEST),
        ],
    )
    .await;
    for login in ["weak", "html", "nopass", "x1"] {
        assert!(t.site.user(login).unwrap().is_none());
    }
    // Unknown accounts: 404.
    expect_statuses(
        &app,
        &[
            (
                Some("sam"),
                "GET",
                "/@users/ghost",
                None,
                StatusCode::NOT_FOUND,
            ),
            (
                Some("sam"),
                "PATCH",
                "/@users/ghost",
                Some(json!({"fullname": "G"})),
                StatusCode::NOT_FOUND,
            ),
            (
                Some("sam"),
                "DELETE",
                "/@users/ghost",
                None,
                StatusCode::NOT_FOUND,
            ),
        ],
    )
    .await;
    // Nobody deletes or disables their own account.
    expect_statuses(
        &app,
        &[
            (
                Some("sam"),
                "DELETE",
                "/@users/sam",
                None,
                StatusCode::BAD_REQUEST,
            ),
            (
                Some("sam"),
                "PATCH",
                "/@users/sam",
                Some(json!({"enabled": false})),
                StatusCode::BAD_REQUEST,
            ),
        ],
    )
    .await;
    assert!(t.site.user("sam").unwrap().unwrap().enabled);
}

#[tokio::test]
async fn users_change_their_own_profile_and_password() {
    let t = staffed();
    let app = serve(&t);
    expect_statuses(
        &app,
        &[
            (
                Some("claire"),
                "GET",
                "/@users/claire",
                None,
                StatusCode::OK,
            ),
            (
                Some("claire"),
                "GET",
                "/@users/eddy",
                None,
                StatusCode::FORBIDDEN,
            ),
            (
                Some("claire"),
                "PATCH",
                "/@users/claire",
                Some(json!({"fullname": "Claire Durand", "language": "en"})),
                StatusCode::NO_CONTENT,
            ),
        ],
    )
    .await;
    let u = t.site.user("claire").unwrap().unwrap();
    assert_eq!(u.fullname, "Claire Durand");
    assert_eq!(u.language.as_deref(), Some("en"));
    // Not her own roles, nor another's profile.
    expect_statuses(
        &app,
        &[
            (
                Some("claire"),
                "PATCH",
                "/@users/claire",
                Some(json!({"roles": ["Editor"]})),
                StatusCode::FORBIDDEN,
            ),
            (
                Some("claire"),
                "PATCH",
                "/@users/eddy",
                Some(json!({"fullname": "E"})),
                StatusCode::FORBIDDEN,
            ),
        ],
    )
    .await;
    // A language the site does not offer.
    let r = as_user(
        &app,
        Some("claire"),
        "PATCH",
        "/@users/claire",
        Some(json!({"language": "de"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Her password: only with the current one.
    let r = as_user(
        &app,
        Some("claire"),
        "PATCH",
        "/@users/claire",
        Some(json!({"password": "Another-secret-9"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["errors"][0]["field"], "old_password");
    expect_statuses(
        &app,
        &[
            (
                Some("claire"),
                "PATCH",
                "/@users/claire",
                Some(json!({"password": "Another-secret-9", "old_password": "wrong-one-AAA1"})),
                StatusCode::BAD_REQUEST,
            ),
            (
                Some("claire"),
                "PATCH",
                "/@users/claire",
                Some(json!({"password": "weak", "old_password": PASSWORD})),
                StatusCode::BAD_REQUEST,
            ),
            (
                Some("claire"),
                "PATCH",
                "/@users/claire",
                Some(json!({"password": "Another-secret-9", "old_password": PASSWORD})),
                StatusCode::NO_CONTENT,
            ),
        ],
    )
    .await;
    assert!(t
        .site
        .user("claire")
        .unwrap()
        .unwrap()
        .check_password("Another-secret-9"));
}

#[tokio::test]
async fn a_new_user_can_get_a_reset_link_instead_of_a_password() {
    let t = staffed();
    let app = serve(&t);
    let r = as_user(
        &app,
        Some("sam"),
        "POST",
        "/@users",
        Some(json!({"username": "ines", "email": "ines@example.org", "sendPasswordReset": true})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let mails = t.site.mails().unwrap();
    assert!(mails.iter().any(|m| m.to == "ines@example.org"));
    // A one-letter login still gets an account (the unknown password never
    // contains it).
    let r = as_user(
        &app,
        Some("sam"),
        "POST",
        "/@users",
        Some(json!({"username": "a", "email": "a@example.org", "sendPasswordReset": true})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // Both, or a reset without an address: 400.
    expect_statuses(
        &app,
        &[
            (Some("sam"), "POST", "/@users", Some(json!({"username": "joe", "sendPasswordReset": true})), StatusCode::BAD_REQUEST),
            (Some("sam"), "POST", "/@users", Some(json!({"username": "joe", "email": "joe@example.org", "password": "Colorless-green-1", "sendPasswordReset": true})), StatusCode::BAD_REQUEST),
        ],
    )
    .await;
}

#[tokio::test]
async fn groups_are_managed_and_built_in_ones_protected() {
    let t = staffed();
    t.site
        .write(&admin(), |w| {
            w.add_service("population", "Population", None).map(drop)
        })
        .unwrap();
    let app = serve(&t);
    let r = as_user(&app, Some("sam"), "GET", "/@groups", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let ids: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(ids.contains(&"Administrators".to_owned()));
    let r = as_user(
        &app,
        Some("sam"),
        "POST",
        "/@groups",
        Some(json!({"groupname": "council", "title": "Town council", "description": "Elected members", "email": "council@example.org", "roles": ["Reader"], "users": ["claire"]})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        r.headers.get(header::LOCATION).unwrap(),
        "http://town.test/@groups/council"
    );
    insta::assert_json_snapshot!("group_created", r.json());
    let r = as_user(
        &app,
        Some("sam"),
        "PATCH",
        "/@groups/council",
        Some(json!({"title": "Conseil communal", "users": {"eddy": true, "claire": false}})),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = as_user(&app, Some("sam"), "GET", "/@groups/council", None).await;
    let g = r.json();
    assert_eq!(g["title"], "Conseil communal");
    assert_eq!(g["members"]["items"], json!(["eddy"]));
    assert_eq!(g["description"], "Elected members");
    // Built-in and function groups: members change, nothing else.
    let r = as_user(
        &app,
        Some("sam"),
        "PATCH",
        "/@groups/Reviewers",
        Some(json!({"users": {"claire": true}})),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = as_user(
        &app,
        Some("sam"),
        "PATCH",
        "/@groups/Reviewers",
        Some(json!({"title": "Relecteurs"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["message"].as_str().unwrap().contains("built-in"));
    let r = as_user(&app, Some("sam"), "DELETE", "/@groups/Reviewers", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // A site administrator cannot put anyone in the Managers' group.
    expect_statuses(
        &app,
        &[
            (
                Some("sam"),
                "PATCH",
                "/@groups/Administrators",
                Some(json!({"users": {"sam": true}})),
                StatusCode::FORBIDDEN,
            ),
            (
                Some("sam"),
                "POST",
                "/@groups",
                Some(json!({"groupname": "bosses", "roles": ["Manager"]})),
                StatusCode::FORBIDDEN,
            ),
        ],
    )
    .await;
    // Errors.
    expect_statuses(
        &app,
        &[
            (Some("eddy"), "GET", "/@groups", None, StatusCode::FORBIDDEN),
            (None, "GET", "/@groups", None, StatusCode::UNAUTHORIZED),
            (
                Some("sam"),
                "GET",
                "/@groups/ghosts",
                None,
                StatusCode::NOT_FOUND,
            ),
            (
                Some("sam"),
                "POST",
                "/@groups",
                Some(json!({"groupname": "council"})),
                StatusCode::CONFLICT,
            ),
            (
                Some("sam"),
                "POST",
                "/@groups",
                Some(json!({"groupname": "x", "title": "<script>x</script>"})),
                StatusCode::BAD_REQUEST,
            ),
        ],
    )
    .await;
    assert!(t.site.group("x").unwrap().is_none());
    let r = as_user(
        &app,
        Some("sam"),
        "PATCH",
        "/@groups/council",
        Some(json!({"users": {"ghost": true}})),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Deleting a town's group.
    let r = as_user(&app, Some("sam"), "DELETE", "/@groups/council", None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(t.site.group("council").unwrap().is_none());
    assert!(t.site.groups_of("eddy").unwrap().is_empty());
}

#[tokio::test]
async fn principals_roles_and_the_user_schema() {
    let t = staffed();
    let app = serve(&t);
    for uri in ["/@principals?search=cla", "/@roles", "/@userschema"] {
        let r = as_user(&app, None, "GET", uri, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{uri}");
    }
    let r = as_user(&app, Some("eddy"), "GET", "/@principals?search=re", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert!(v["users"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["id"] == "claire"));
    // Addresses only for user managers.
    assert!(v["users"][0].get("email").is_none());
    assert!(v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["id"] == "Reviewers"));
    let r = as_user(&app, Some("eddy"), "GET", "/@principals", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = as_user(&app, Some("eddy"), "GET", "/@roles", None).await;
    let roles: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(roles.contains(&"Manager".to_owned()));
    assert!(!roles.contains(&"Anonymous".to_owned()));
    let r = as_user(&app, Some("eddy"), "GET", "/@userschema", None).await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["type"], "object");
    assert_eq!(
        v["properties"]["language"]["enum"],
        json!(["fr", "en", "nl"])
    );
}

// ------------------------------------------------------------ modules

struct Extra;
impl Module for Extra {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "extra",
            version: "1.0.0",
            title: "Extra module",
            ..Manifest::EMPTY
        }
    }
    fn install(&self, w: &mut Writer<'_>) -> Result<()> {
        w.module_put("extra", "installed", &json!(true));
        Ok(())
    }
}
static EXTRA: Extra = Extra;

struct Base;
impl Module for Base {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "base",
            version: "1.0.0",
            title: "Base module",
            ..Manifest::EMPTY
        }
    }
}
static BASE: Base = Base;

struct Needy;
impl Module for Needy {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "needy",
            version: "2.0.0",
            title: "Needs the base",
            requires: &[("base", "^1")],
            ..Manifest::EMPTY
        }
    }
}
static NEEDY: Needy = Needy;

/// The same module, a version later, with a step.
struct NeedyNext;
impl Module for NeedyNext {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "needy",
            version: "2.1.0",
            title: "Needs the base",
            requires: &[("base", "^1")],
            ..Manifest::EMPTY
        }
    }
    fn upgrade_steps(&self) -> Vec<UpgradeStep> {
        vec![UpgradeStep {
            to: "2.1.0",
            title: "Numbers every file",
            run: |w| {
                w.module_put("needy", "numbered", &json!(true));
                Ok(())
            },
        }]
    }
}
static NEEDY_NEXT: NeedyNext = NeedyNext;

const MODULES_TOML: &str = "id = \"town\"\ntitle = \"Test Town\"\nlanguages = [\"fr\", \"en\"]\nhosts = [\"town.test\"]\n[modules.testing]\n[modules.needy]\n";

fn modular(dir: &std::path::Path, needy: &'static dyn Module) -> Arc<Site> {
    let reg = registry(&[&EXTRA, &BASE, needy]);
    let site = open_site(dir, MODULES_TOML, &reg).unwrap();
    site.create(Some(ADMIN_PASSWORD)).unwrap();
    site.install_new_modules().unwrap();
    site.write(&admin(), |w| {
        w.add_user(
            "sam",
            "Sam Admin",
            None,
            PASSWORD,
            &["Site Administrator".into()],
        )?;
        w.add_user("eddy", "Eddy Editor", None, PASSWORD, &["Editor".into()])
            .map(drop)
    })
    .unwrap();
    Arc::new(site)
}

fn app_for(site: &Arc<Site>) -> Router {
    beffroi::web::app(Arc::new(
        beffroi::web::Sites::new(vec![Arc::clone(site)]).unwrap(),
    ))
}

#[tokio::test]
async fn modules_are_listed_installed_and_uninstalled_from_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let site = modular(dir.path(), &NEEDY);
    let app = app_for(&site);
    let r = as_user(&app, Some("sam"), "GET", "/@addons", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    insta::assert_json_snapshot!("addons", r.json(), {
        ".items[].version" => "[version]",
        ".items[].installed_version" => "[version]",
        ".items[].upgrade_info.installedVersion" => "[version]",
        ".items[].upgrade_info.newVersion" => "[version]",
    });
    let r = as_user(&app, Some("sam"), "GET", "/@addons/extra", None).await;
    assert_eq!(r.json()["is_installed"], false);
    let r = as_user(&app, Some("sam"), "GET", "/@addons/nothing", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Who may.
    expect_statuses(
        &app,
        &[
            (None, "GET", "/@addons", None, StatusCode::UNAUTHORIZED),
            (Some("eddy"), "GET", "/@addons", None, StatusCode::FORBIDDEN),
            (
                Some("eddy"),
                "POST",
                "/@addons/extra/install",
                None,
                StatusCode::FORBIDDEN,
            ),
        ],
    )
    .await;

    // Refusals: not linked; needed by another; the core.
    let r = as_user(&app, Some("sam"), "POST", "/@addons/nothing/install", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["message"].as_str().unwrap().contains("not linked"));
    let r = as_user(&app, Some("sam"), "POST", "/@addons/base/uninstall", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("needy needs it"));
    let r = as_user(
        &app,
        Some("sam"),
        "POST",
        "/@addons/beffroi/uninstall",
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // Install with `Prefer`: 200 and the list, saying a restart is needed.
    let auth = basic_auth("sam", PASSWORD);
    let r = call(
        &app,
        "POST",
        "/@addons/extra/install",
        &[
            JSON,
            ("authorization", &auth),
            ("prefer", "return=representation"),
        ],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.headers["x-beffroi-restart-required"], "true");
    let extra = r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "extra")
        .cloned()
        .unwrap();
    assert_eq!(extra["is_installed"], true);
    assert_eq!(extra["restart_required"], true);
    // Uninstall without `Prefer`: 204.
    let r = as_user(&app, Some("sam"), "POST", "/@addons/needy/uninstall", None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert!(site
        .audit_log(&admin(), 0, 10)
        .unwrap()
        .0
        .iter()
        .any(|e| e.event == "module_disabled" && e.target == "needy"));

    // The next start: extra installed, needy off with its data kept.
    drop(app);
    drop(site);
    let reg = registry(&[&EXTRA, &BASE, &NEEDY]);
    let site = open_site(dir.path(), MODULES_TOML, &reg).unwrap();
    site.install_new_modules().unwrap();
    let names: Vec<&str> = site.modules().iter().map(|m| m.manifest().name).collect();
    assert!(names.contains(&"extra"));
    assert!(!names.contains(&"needy"));
    assert_eq!(
        site.installed_version("needy").unwrap().as_deref(),
        Some("2.0.0")
    );
    let v = site
        .write(&admin(), |w| w.module_get("extra", "installed"))
        .unwrap();
    assert_eq!(v, Some(json!(true)));
    // And a choice naming a module the binary no longer links is skipped.
    drop(site);
    let reg = registry(&[&BASE, &NEEDY]);
    let site = open_site(dir.path(), MODULES_TOML, &reg).unwrap();
    assert!(!site.modules().iter().any(|m| m.manifest().name == "extra"));
}

#[tokio::test]
async fn upgrades_are_listed_dry_run_and_run() {
    let dir = tempfile::tempdir().unwrap();
    drop(modular(dir.path(), &NEEDY));
    let reg = registry(&[&EXTRA, &BASE, &NEEDY_NEXT]);
    let site = Arc::new(open_site(dir.path(), MODULES_TOML, &reg).unwrap());
    let app = app_for(&site);
    let r = as_user(&app, Some("eddy"), "GET", "/@upgrade", None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = as_user(&app, Some("sam"), "GET", "/@upgrade", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    insta::assert_json_snapshot!("upgrade_pending", r.json(), {
        ".versions" => "[core versions]",
        ".modules.beffroi" => "[core versions]",
    });
    let r = as_user(&app, Some("sam"), "GET", "/@addons/needy", None).await;
    assert_eq!(r.json()["upgrade_info"]["required"], true);
    let r = as_user(
        &app,
        Some("sam"),
        "POST",
        "/@upgrade",
        Some(json!({"dry_run": true})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["upgraded"], false);
    assert!(v["report"]
        .as_str()
        .unwrap()
        .contains("would run: needy 2.0.0 → 2.1.0: Numbers every file"));
    assert_eq!(
        site.installed_version("needy").unwrap().as_deref(),
        Some("2.0.0")
    );
    let r = as_user(
        &app,
        Some("sam"),
        "POST",
        "/@upgrade",
        Some(json!({"dry_run": "yes please"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = as_user(
        &app,
        Some("sam"),
        "POST",
        "/@upgrade",
        Some(json!({"dry_run": false})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["upgraded"], true);
    assert_eq!(
        site.installed_version("needy").unwrap().as_deref(),
        Some("2.1.0")
    );
    let numbered = site
        .write(&admin(), |w| w.module_get("needy", "numbered"))
        .unwrap();
    assert_eq!(numbered, Some(json!(true)));
    let r = as_user(&app, Some("sam"), "GET", "/@upgrade", None).await;
    assert_eq!(r.json()["upgrade_steps"], json!({}));
}

#[tokio::test]
async fn one_module_is_upgraded_through_its_addon() {
    let dir = tempfile::tempdir().unwrap();
    drop(modular(dir.path(), &NEEDY));
    let reg = registry(&[&EXTRA, &BASE, &NEEDY_NEXT]);
    let site = Arc::new(open_site(dir.path(), MODULES_TOML, &reg).unwrap());
    let app = app_for(&site);
    let r = as_user(&app, Some("sam"), "POST", "/@addons/needy/upgrade", None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        site.installed_version("needy").unwrap().as_deref(),
        Some("2.1.0")
    );
    let r = as_user(&app, Some("sam"), "POST", "/@addons/extra/upgrade", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_openapi_document_describes_every_service() {
    let t = town();
    let app = serve(&t);
    let r = call(&app, "GET", "/@openapi", &[JSON], "").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], "http://town.test");
    let paths = doc["paths"].as_object().unwrap();
    for name in [
        "@workflow",
        "@search",
        "@types",
        "@login",
        "@login-renew",
        "@logout",
        "@users",
        "@groups",
        "@sharing",
        "@history",
        "@navigation",
        "@breadcrumbs",
        "@vocabularies",
        "@addons",
        "@upgrade",
        "@site",
        "@actions",
        "@navroot",
        "@contextnavigation",
        "@querystring",
        "@querystring-search",
        "@lock",
        "@linkintegrity",
        "@copy",
        "@move",
        "@translations",
        "@openapi",
        "@@download",
        "@principals",
        "@roles",
        "@userschema",
    ] {
        assert!(
            paths.keys().any(|p| p.split('/').any(|s| s == name)),
            "{name} missing"
        );
    }
    let content = &paths["/{path}"];
    for m in ["get", "post", "patch", "delete"] {
        assert!(content.get(m).is_some(), "content {m}");
    }
    assert!(paths["/@users"]["post"]["responses"].get("409").is_some());
    assert!(doc["components"]["schemas"]["User"].is_object());
    insta::assert_json_snapshot!("openapi", doc, {".info.version" => "[version]"});
}
