//! Navigation, site, types and vocabularies over HTTP (plone.restapi):
//! `@components` and `expand`, `@breadcrumbs`, `@navigation`,
//! `@contextnavigation`, `@navroot`, `@actions`, `@site`, `@types`,
//! `@vocabularies`, `@sources` — and what each hides from those who may
//! not view it.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::Router;

use crate::common::*;
use beffroi::prelude::*;

/// A module with a type that has Plone's `exclude_from_nav` and `subjects`.
pub(crate) struct NavTypes;

const MENU_PAGE: &str = r#"
name = "Menu Page"
title = { en = "Menu page", fr = "Page de menu" }
workflow = "simple_publication"

[[field]]
name = "exclude_from_nav"
kind = "bool"

[[field]]
name = "subjects"
kind = "text"

[[field]]
name = "district"
kind = "text"
index = true
title = { en = "District", fr = "Quartier" }
"#;

impl Module for NavTypes {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "navtypes",
            version: "1.0.0",
            core: "*",
            types: &[("types/menu_page.toml", MENU_PAGE)],
            ..Manifest::EMPTY
        }
    }
}

pub(crate) static NAV_TYPES: NavTypes = NavTypes;

/// A town whose folders follow the simple publication workflow:
///
/// - `/news` (published folder): `first` (published, subject `roads`),
///   `draft` (private, subject `secret-plans`), `hidden-menu` (published,
///   excluded from navigation);
/// - `/about` (a Page: always public);
/// - `/intranet` (private folder): `memo` (published: found by search, as
///   in Plone), `inner` (a Page: private like its folder);
/// - users `claire` (member), `sam` (Site Administrator).
pub(crate) fn nav_town() -> Town {
    let dir = tempfile::tempdir().unwrap();
    let toml = format!(
        "{SITE_TOML}[modules.navtypes]\n[workflows.chain]\nFolder = \"simple_publication\"\n"
    );
    let site = open_site(dir.path(), &toml, &registry(&[&NAV_TYPES])).unwrap();
    site.create(Some("Hotel-de-ville-2026")).unwrap();
    let add = |w: &mut Writer<'_>, parent: &str, ty: &str, id: &str, v: Value| {
        w.add_with(
            parent,
            ty,
            data(v),
            AddOptions {
                id: Some(id.into()),
                ..AddOptions::default()
            },
        )
    };
    site.write(&admin(), |w| {
        w.add_user("claire", "Claire Dubois", None, PASSWORD, &[])?;
        w.add_user(
            "sam",
            "Sam Admin",
            None,
            PASSWORD,
            &["Site Administrator".into()],
        )?;
        add(
            w,
            "/",
            "Folder",
            "news",
            json!({"title": "News", "description": "What happens"}),
        )?;
        w.transition("/news", "publish", "")?;
        add(
            w,
            "/news",
            "Menu Page",
            "first",
            json!({"title": "First roadworks", "subjects": "roads", "district": "north"}),
        )?;
        w.transition("/news/first", "publish", "")?;
        add(
            w,
            "/news",
            "Menu Page",
            "draft",
            json!({"title": "Secret draft", "subjects": "secret-plans", "district": "north"}),
        )?;
        add(
            w,
            "/news",
            "Menu Page",
            "hidden-menu",
            json!({"title": "Zebra crossing", "exclude_from_nav": true, "district": "south"}),
        )?;
        w.transition("/news/hidden-menu", "publish", "")?;
        add(
            w,
            "/",
            "Page",
            "about",
            json!({"title": "About us", "kind": "works"}),
        )?;
        add(w, "/", "Folder", "intranet", json!({"title": "Intranet"}))?;
        add(
            w,
            "/intranet",
            "Secret",
            "memo",
            json!({"title": "Public memo", "description": "memo for everyone"}),
        )?;
        w.transition("/intranet/memo", "publish", "")?;
        add(
            w,
            "/intranet",
            "Page",
            "inner",
            json!({"title": "Inner page memo"}),
        )?;
        Ok(())
    })
    .unwrap();
    Town {
        dir,
        site: Arc::new(site),
    }
}

/// GET as JSON, as `who` (`None`: anonymous), in `lang`.
pub(crate) async fn get(app: &Router, uri: &str, who: Option<&str>, lang: &str) -> Answer {
    let auth = who.map(basic);
    let mut headers = vec![JSON, ("accept-language", lang)];
    if let Some(a) = &auth {
        headers.push(("authorization", a.as_str()));
    }
    request(app, "GET", uri, &headers, "").await
}

pub(crate) fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|i| {
            i["@id"]
                .as_str()
                .unwrap()
                .trim_start_matches("http://town.test")
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn components_are_linked_and_expanded_on_demand() {
    let t = nav_town();
    let app = serve(&t);
    let r = get(&app, "/news/first", None, "en").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let c = &r.json()["@components"];
    for name in [
        "actions",
        "breadcrumbs",
        "contextnavigation",
        "navigation",
        "navroot",
        "types",
        "workflow",
        "history",
        "sharing",
    ] {
        assert_eq!(
            c[name],
            json!({"@id": format!("http://town.test/news/first/@{name}")}),
            "{name}"
        );
    }
    // Comma-separated and repeated, unknown names ignored.
    let r = get(
        &app,
        "/++api++/news/first?expand=breadcrumbs,navigation,bogus&expand=actions&expand=workflow&expand.navigation.depth=2",
        None,
        "en",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let c = &r.json()["@components"];
    assert_eq!(
        ids(&c["breadcrumbs"]["items"]),
        vec!["/news", "/news/first"]
    );
    let nav = &c["navigation"]["items"];
    assert_eq!(ids(nav), vec!["", "/news", "/about"]);
    assert_eq!(ids(&nav[1]["items"]), vec!["/news/first"]);
    assert_eq!(c["actions"]["user"][0]["id"], "login");
    assert_eq!(c["workflow"]["state"]["id"], "published");
    assert_eq!(c["types"]["@id"], "http://town.test/news/first/@types");
    assert!(c.get("bogus").is_none());
    let r = get(
        &app,
        "/news/first?expand=breadcrumbs,actions,contextnavigation",
        None,
        "nl",
    )
    .await;
    insta::assert_json_snapshot!("item_expanded_nl", r.json(), {
        ".UID" => "[uid]",
        ".parent.UID" => "[uid]",
        ".created" => "[date]",
        ".modified" => "[date]",
        ".version" => "[revision]",
    });
    // The navigation root inside an expansion is not expanded again.
    let r = get(&app, "/news?expand=navroot,types", Some("sam"), "en").await;
    let c = &r.json()["@components"];
    assert_eq!(c["navroot"]["navroot"]["@id"], "http://town.test");
    assert_eq!(
        c["navroot"]["navroot"]["@components"]["navroot"],
        json!({"@id": "http://town.test/@navroot"})
    );
    assert!(c["types"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"] == "Page" && t["addable"] == true));
    // A bad depth is the caller's mistake.
    let r = get(
        &app,
        "/news?expand=navigation&expand.navigation.depth=deep",
        None,
        "en",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
}

#[tokio::test]
async fn breadcrumbs_skip_what_one_may_not_view() {
    let t = nav_town();
    let app = serve(&t);
    let r = get(&app, "/news/first/@breadcrumbs", None, "en").await;
    assert_eq!(r.status, StatusCode::OK);
    insta::assert_json_snapshot!("breadcrumbs", r.json());
    // A published memo in a private folder: its folder is not named.
    let r = get(&app, "/intranet/memo/@breadcrumbs", None, "en").await;
    assert_eq!(ids(&r.json()["items"]), vec!["/intranet/memo"]);
    let r = get(&app, "/intranet/memo/@breadcrumbs", Some("sam"), "en").await;
    assert_eq!(ids(&r.json()["items"]), vec!["/intranet", "/intranet/memo"]);
    // A private item has no breadcrumbs for visitors.
    let r = get(&app, "/news/draft/@breadcrumbs", None, "en").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = get(&app, "/news/draft/@breadcrumbs", Some("claire"), "en").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn navigation_lists_what_one_may_view_to_the_depth_asked() {
    let t = nav_town();
    let app = serve(&t);
    let r = get(&app, "/@navigation", None, "fr").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["@id"], "http://town.test/@navigation");
    assert_eq!(v["items"][0]["title"], "Accueil");
    assert_eq!(ids(&v["items"]), vec!["", "/news", "/about"]);
    assert_eq!(v["items"][1]["items"], json!([]));
    let r = get(
        &app,
        "/news/@navigation?expand.navigation.depth=2",
        None,
        "en",
    )
    .await;
    let v = r.json();
    insta::assert_json_snapshot!("navigation_depth_2", v);
    // Excluded from navigation and private items stay out; the admin sees
    // the private folder and the draft.
    let r = get(
        &app,
        "/@navigation?expand.navigation.depth=3",
        Some("sam"),
        "en",
    )
    .await;
    let v = r.json();
    assert_eq!(ids(&v["items"]), vec!["", "/news", "/about", "/intranet"]);
    assert_eq!(
        ids(&v["items"][1]["items"]),
        vec!["/news/first", "/news/draft"]
    );
    assert_eq!(
        ids(&v["items"][3]["items"]),
        vec!["/intranet/memo", "/intranet/inner"]
    );
    for bad in ["0", "11", "-1", "x"] {
        let r = get(
            &app,
            &format!("/@navigation?expand.navigation.depth={bad}"),
            None,
            "en",
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(r.json()["type"], "BadRequest");
    }
    let r = get(&app, "/intranet/@navigation", None, "en").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn context_navigation_opens_along_the_path() {
    let t = nav_town();
    let app = serve(&t);
    let r = get(&app, "/news/first/@contextnavigation", None, "en").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    insta::assert_json_snapshot!("contextnavigation", v);
    let news = &v["items"][0];
    assert_eq!(news["is_in_path"], true);
    assert_eq!(news["is_current"], false);
    assert_eq!(ids(&news["items"]), vec!["/news/first"]);
    assert_eq!(news["items"][0]["is_current"], true);
    // Elsewhere, the news folder stays closed.
    let r = get(&app, "/about/@contextnavigation", None, "en").await;
    let v = r.json();
    assert_eq!(v["items"][0]["items"], json!([]));
    assert_eq!(v["items"][1]["is_current"], true);
}

#[tokio::test]
async fn the_navigation_root_is_the_site() {
    let t = nav_town();
    let app = serve(&t);
    let r = get(&app, "/news/first/@navroot", None, "en").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["@id"], "http://town.test/news/first/@navroot");
    assert_eq!(v["navroot"]["@id"], "http://town.test");
    assert_eq!(v["navroot"]["@type"], "Plone Site");
    assert_eq!(v["navroot"]["title"], "Test Town");
    // Its items are what the visitor may view.
    assert_eq!(ids(&v["navroot"]["items"]), vec!["/news", "/about"]);
}

#[tokio::test]
async fn actions_are_the_callers_permission_hints() {
    let t = nav_town();
    let app = serve(&t);
    let names = |v: &Value, cat: &str| -> Vec<String> {
        v[cat]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let r = get(&app, "/news/@actions", None, "en").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(names(&v, "object"), vec!["view"]);
    assert_eq!(names(&v, "object_buttons"), Vec::<String>::new());
    assert_eq!(names(&v, "user"), vec!["login"]);
    let r = get(&app, "/news/@actions", Some("claire"), "en").await;
    let v = r.json();
    assert_eq!(names(&v, "object"), vec!["view"]);
    assert_eq!(names(&v, "object_buttons"), vec!["copy"]);
    assert_eq!(names(&v, "user"), vec!["logout"]);
    let r = get(&app, "/news/@actions", Some("sam"), "fr").await;
    let v = r.json();
    insta::assert_json_snapshot!("actions_site_administrator_fr", v);
    assert_eq!(
        names(&v, "object"),
        vec!["view", "edit", "folderContents", "history", "local_roles"]
    );
    assert_eq!(
        names(&v, "object_buttons"),
        vec!["cut", "copy", "paste", "delete", "rename"]
    );
    assert_eq!(names(&v, "user"), vec!["plone_setup", "logout"]);
    assert_eq!(v["object"][1]["title"], "Modifier");
    // The root cannot be cut, deleted or renamed.
    let r = get(&app, "/@actions", Some("sam"), "en").await;
    assert_eq!(names(&r.json(), "object_buttons"), vec!["paste"]);
    let r = get(&app, "/news/draft/@actions", None, "en").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_site_tells_clients_its_settings() {
    let t = nav_town();
    let app = serve(&t);
    let r = get(&app, "/@site", None, "en").await;
    assert_eq!(r.status, StatusCode::OK);
    insta::assert_json_snapshot!("site", r.json());
}

#[tokio::test]
async fn types_say_what_may_be_added_here() {
    let t = nav_town();
    let app = serve(&t);
    let r = get(&app, "/@types", None, "en").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert!(v.is_array());
    assert!(v.as_array().unwrap().iter().all(|t| t["addable"] == false));
    let r = get(&app, "/@types", Some("sam"), "en").await;
    let v = r.json();
    insta::assert_json_snapshot!("types_at_root_site_administrator", v);
    let addable = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .filter(|t| t["addable"] == true)
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(addable(&v).contains(&"Page".to_owned()));
    assert!(!addable(&v).contains(&"Box".to_owned()));
    assert!(!addable(&v).contains(&"Plone Site".to_owned()));
    // In a Page nothing may be added; in a folder what it allows.
    let r = get(&app, "/about/@types", Some("sam"), "en").await;
    assert_eq!(addable(&r.json()), Vec::<String>::new());
    let r = get(&app, "/news/@types", Some("sam"), "en").await;
    assert_eq!(
        addable(&r.json()),
        vec!["Folder", "Menu Page", "Page", "Secret"]
    );
    // A member may add nothing at the root.
    let r = get(&app, "/@types", Some("claire"), "en").await;
    assert_eq!(addable(&r.json()), Vec::<String>::new());
}

#[tokio::test]
async fn a_type_is_a_json_schema() {
    let t = nav_town();
    let app = serve(&t);
    let r = get(&app, "/@types/Page", Some("sam"), "fr").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.headers.get("content-type").unwrap(),
        "application/json+schema"
    );
    let v = r.json();
    insta::assert_json_snapshot!("type_page_fr", v);
    assert_eq!(v["type"], "object");
    assert_eq!(v["required"], json!(["title"]));
    assert_eq!(v["properties"]["title"]["title"], "Titre");
    assert_eq!(v["properties"]["count"]["type"], "integer");
    assert_eq!(v["properties"]["count"]["maximum"], 10.0);
    assert_eq!(v["properties"]["code"]["maxLength"], 5);
    assert_eq!(v["properties"]["status"]["default"], "new");
    assert_eq!(v["properties"]["text"]["widget"], "richtext");
    assert_eq!(
        v["properties"]["kind"]["vocabulary"]["@id"],
        "http://town.test/@vocabularies/kinds"
    );
    assert_eq!(
        v["properties"]["kind"]["choices"],
        json!([["civil", "État civil"], ["works", "Travaux"]])
    );
    assert_eq!(v["properties"]["tags"]["type"], "array");
    assert_eq!(
        v["properties"]["tags"]["items"]["enum"],
        json!(["civil", "works"])
    );
    let r = get(&app, "/@types/Page/kind", Some("sam"), "en").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["factory"], "Choice");
    assert_eq!(r.json()["choices"][1], json!(["works", "Public works"]));
    let r = get(&app, "/@types/Menu%20Page", Some("sam"), "en").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json()["properties"]["exclude_from_nav"]["type"],
        "boolean"
    );
    for missing in [
        "/@types/Nope",
        "/@types/Page/nope",
        "/@types/Page/kind/more",
    ] {
        let r = get(&app, missing, Some("sam"), "en").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{missing}");
    }
    // Types come from modules: not edited over the web.
    let r = request(
        &app,
        "PATCH",
        "/@types/Page",
        &[
            JSON,
            ("content-type", "application/json"),
            ("authorization", &basic("sam")),
        ],
        "{}",
    )
    .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn vocabularies_are_listed_filtered_and_batched() {
    let t = nav_town();
    let app = serve(&t);
    let r = get(&app, "/@vocabularies", None, "en").await;
    assert_eq!(r.status, StatusCode::OK);
    let names: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["title"].as_str().unwrap().to_owned())
        .collect();
    assert!(names.contains(&"kinds".to_owned()));
    assert!(names.contains(&"plone.app.vocabularies.ReallyUserFriendlyTypes".to_owned()));
    let r = get(&app, "/@vocabularies/kinds", None, "fr").await;
    insta::assert_json_snapshot!("vocabulary_kinds_fr", r.json());
    let r = get(&app, "/@vocabularies/kinds?title=trav", None, "fr").await;
    assert_eq!(
        r.json()["items"],
        json!([{"token": "works", "title": "Travaux"}])
    );
    let r = get(&app, "/@vocabularies/kinds?token=civil", None, "en").await;
    assert_eq!(
        r.json()["items"],
        json!([{"token": "civil", "title": "Civil status"}])
    );
    let r = get(
        &app,
        "/@vocabularies/kinds?tokens=civil&tokens=works",
        None,
        "en",
    )
    .await;
    assert_eq!(r.json()["items_total"], 2);
    let r = get(&app, "/@vocabularies/kinds?b_size=1&b_start=1", None, "en").await;
    let v = r.json();
    assert_eq!(
        v["items"],
        json!([{"token": "works", "title": "Public works"}])
    );
    assert_eq!(v["items_total"], 2);
    assert_eq!(
        v["batching"]["prev"],
        "http://town.test/@vocabularies/kinds?b_start=0&b_size=1"
    );
    let r = get(&app, "/@vocabularies/kinds?b_size=-1", None, "en").await;
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 2);
    assert!(r.json().get("batching").is_none());
    let r = get(
        &app,
        "/@vocabularies/plone.app.vocabularies.WorkflowStates",
        None,
        "nl",
    )
    .await;
    assert!(r.json()["items"]
        .as_array()
        .unwrap()
        .contains(&json!({"token": "published", "title": "Gepubliceerd"})));
    // Subjects in use: only those of what the caller may view.
    let r = get(
        &app,
        "/@vocabularies/plone.app.vocabularies.Keywords",
        None,
        "en",
    )
    .await;
    assert_eq!(
        r.json()["items"],
        json!([{"token": "roads", "title": "roads"}])
    );
    let r = get(
        &app,
        "/@vocabularies/plone.app.vocabularies.Keywords",
        Some("sam"),
        "en",
    )
    .await;
    assert_eq!(r.json()["items_total"], 2);
    for (uri, status) in [
        ("/@vocabularies/nope", StatusCode::NOT_FOUND),
        (
            "/@vocabularies/kinds?title=a&token=civil",
            StatusCode::BAD_REQUEST,
        ),
        ("/@vocabularies/kinds?b_size=0", StatusCode::BAD_REQUEST),
        ("/@vocabularies/kinds?b_start=x", StatusCode::BAD_REQUEST),
    ] {
        let r = get(&app, uri, None, "en").await;
        assert_eq!(r.status, status, "{uri}: {}", r.body);
    }
}

#[tokio::test]
async fn sources_are_the_vocabulary_of_a_field_here() {
    let t = nav_town();
    let app = serve(&t);
    let r = get(&app, "/about/@sources/kind", None, "fr").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["@id"], "http://town.test/about/@sources/kind");
    assert_eq!(v["items_total"], 2);
    assert_eq!(
        v["items"][0],
        json!({"token": "civil", "title": "État civil"})
    );
    // A field without a vocabulary, an unknown field, a private item.
    for uri in [
        "/about/@sources/title",
        "/about/@sources/nope",
        "/intranet/inner/@sources/kind",
    ] {
        let r = get(&app, uri, None, "en").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
    }
    let r = get(&app, "/intranet/inner/@sources/kind", Some("sam"), "en").await;
    assert_eq!(r.status, StatusCode::OK);
}
