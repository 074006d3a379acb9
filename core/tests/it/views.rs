//! What modules add to the web surface (`beffroi::view`): named views,
//! root files, page decorations; and publication dates deciding who sees
//! an item in pages, listings and search.

use super::common::*;
use beffroi::prelude::{json, Item, Manifest, Map, Module};
use beffroi::view::{Answer as ViewAnswer, Decorations, On, Page, View};

struct Viewing;

const SHOUT: &str = r#"{% extends "base.html" %}
{% block content %}<h1>{{ item.title | upper }}</h1><p class="shout">{{ loud }}</p>{% endblock content %}"#;

const NOTICE: &str = r#"
name = "Notice"
title = { en = "Notice" }
workflow = "simple_publication"

[[field]]
name = "effective"
kind = "datetime"

[[field]]
name = "expires"
kind = "datetime"
"#;

const BANNER: &str = r#"<p class="test-banner">{{ t(key="login-link") }}: {{ message }}</p>"#;

fn shout(page: &Page<'_>, item: &Item) -> beffroi::Result<ViewAnswer> {
    let mut values = Map::new();
    values.insert(
        "loud".into(),
        json!(format!("{}!", page.param("word").unwrap_or("hello"))),
    );
    let _ = item;
    Ok(ViewAnswer::page("viewing/shout.html", values))
}

/// Lists the titles of the pages the caller may see, one per line.
fn titles(page: &Page<'_>, _root: &Item) -> beffroi::Result<ViewAnswer> {
    let q = beffroi::search::Query {
        types: vec!["Notice".into()],
        sort_on: Some("title".into()),
        ..Default::default()
    };
    let found = page.search(&q)?;
    let text: Vec<String> = found.items.iter().map(|h| h.title.clone()).collect();
    Ok(ViewAnswer::bytes(
        "text/plain; charset=utf-8",
        text.join("\n"),
    ))
}

impl Module for Viewing {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "viewing",
            version: "1.0.0",
            title: "Views test module",
            core: ">=0.3",
            requires: &[("testing", "*")],
            types: &[("types/notice.toml", NOTICE)],
            templates: &[
                ("viewing/shout.html", SHOUT),
                ("viewing/banner.html", BANNER),
            ],
            ..Manifest::EMPTY
        }
    }

    fn assets(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        &[(
            "viewing.css",
            "text/css; charset=utf-8",
            ".shout { color: #900; }",
        )]
    }

    fn views(&self) -> Vec<View> {
        vec![
            View {
                name: "@@shout",
                on: On::Types(&["Page", "Notice"]),
                render: shout,
            },
            View {
                name: "titles.txt",
                on: On::RootFile,
                render: titles,
            },
        ]
    }

    fn decorate(
        &self,
        page: &Page<'_>,
        item: Option<&Item>,
        out: &mut Decorations,
    ) -> beffroi::Result<()> {
        let mut values = Map::new();
        values.insert(
            "message".into(),
            json!(item.map_or("no item".to_owned(), |i| format!("<{}>", i.title()))),
        );
        out.above_content
            .push(page.fragment("viewing/banner.html", &values)?);
        out.head
            .push(r#"<meta name="test-decoration" content="yes">"#.into());
        Ok(())
    }
}

static VIEWING: Viewing = Viewing;

fn viewing_town() -> Town {
    let dir = tempfile::tempdir().unwrap();
    let toml = format!("{SITE_TOML}[modules.viewing]\n");
    let site = open_site(dir.path(), &toml, &registry(&[&VIEWING])).unwrap();
    site.create(Some("Hotel-de-ville-2026")).unwrap();
    Town {
        dir,
        site: std::sync::Arc::new(site),
    }
}

#[tokio::test]
async fn a_modules_view_answers_on_its_types_only_and_in_the_layout() {
    let t = viewing_town();
    t.site
        .add(&admin(), "/", "Page", data(json!({"title": "Marché"})))
        .unwrap();
    t.site
        .add(&admin(), "/", "Folder", data(json!({"title": "Dossier"})))
        .unwrap();
    let app = serve(&t);
    let r = request(&app, "GET", "/marche/@@shout?word=bonjour", &[], "").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("<h1>MARCHÉ</h1>"), "{}", r.body);
    assert!(
        r.body.contains(r#"<p class="shout">bonjour!</p>"#),
        "{}",
        r.body
    );
    // In the site's layout: navigation and breadcrumbs are there.
    assert!(r.body.contains(r#"class="breadcrumbs""#), "{}", r.body);
    // Not a view of folders, nor of items that do not exist.
    assert_eq!(
        request(&app, "GET", "/dossier/@@shout", &[], "")
            .await
            .status,
        404
    );
    assert_eq!(
        request(&app, "GET", "/nowhere/@@shout", &[], "")
            .await
            .status,
        404
    );
    // Not for writing.
    assert_ne!(
        request(&app, "POST", "/marche/@@shout", &[], "")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_view_on_a_private_item_is_not_found_for_visitors() {
    let t = viewing_town();
    t.site
        .add(&admin(), "/", "Notice", data(json!({"title": "Brouillon"})))
        .unwrap();
    let app = serve(&t);
    let r = request(&app, "GET", "/brouillon/@@shout", &[], "").await;
    assert_eq!(r.status, 404);
    let admin_auth = basic_auth("admin", ADMIN_PASSWORD);
    let r = request(
        &app,
        "GET",
        "/brouillon/@@shout",
        &[("authorization", &admin_auth)],
        "",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn decorations_reach_every_page_of_the_layout_escaped_by_the_module() {
    let t = viewing_town();
    t.site
        .add(&admin(), "/", "Page", data(json!({"title": "Tom & Jerry"})))
        .unwrap();
    let app = serve(&t);
    let r = request(&app, "GET", "/tom-jerry", &[], "").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r
        .body
        .contains(r#"<meta name="test-decoration" content="yes">"#));
    // The fragment's template escaped the title the module put in it.
    assert!(
        r.body.contains(r#"<p class="test-banner">"#) && r.body.contains("&lt;Tom &amp; Jerry&gt;"),
        "{}",
        r.body
    );
    // Pages about no item are decorated too.
    let r = request(&app, "GET", "/@@login", &[], "").await;
    assert!(r.body.contains("no item"), "{}", r.body);
    // JSON answers are not pages.
    let r = request(&app, "GET", "/tom-jerry", &[JSON], "").await;
    assert!(!r.body.contains("test-banner"));
}

/// A published page whose `effective` date has not come, and one whose
/// `expires` date has passed: visitors see neither, anywhere; their
/// editors do.
#[tokio::test]
async fn publication_dates_decide_who_sees_an_item_everywhere() {
    let t = viewing_town();
    let publish = |path: &str, effective: Option<&str>, expires: Option<&str>| {
        t.site
            .write(&admin(), |w| {
                let opts = beffroi::workflow::TransitionOptions {
                    effective: effective
                        .map(|d| chrono::DateTime::parse_from_rfc3339(d).unwrap().to_utc()),
                    expires: expires
                        .map(|d| chrono::DateTime::parse_from_rfc3339(d).unwrap().to_utc()),
                    ..Default::default()
                };
                w.transition_with(path, "publish", &opts)
            })
            .unwrap();
    };
    for title in ["Demain", "Hier", "Maintenant"] {
        t.site
            .add(&admin(), "/", "Notice", data(json!({"title": title})))
            .unwrap();
    }
    publish("/demain", Some("2200-01-01T00:00:00Z"), None);
    publish(
        "/hier",
        Some("2000-01-01T00:00:00Z"),
        Some("2001-01-01T00:00:00Z"),
    );
    publish(
        "/maintenant",
        Some("2000-01-01T00:00:00Z"),
        Some("2199-01-01T00:00:00Z"),
    );
    let app = serve(&t);
    assert_eq!(request(&app, "GET", "/demain", &[], "").await.status, 404);
    assert_eq!(request(&app, "GET", "/hier", &[], "").await.status, 404);
    assert_eq!(
        request(&app, "GET", "/maintenant", &[], "").await.status,
        200
    );
    // Search (the core's walking search here) and a module's view.
    let r = request(&app, "GET", "/titles.txt", &[], "").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, "Maintenant");
    let r = request(&app, "GET", "/@search?portal_type=Notice", &[JSON], "").await;
    assert_eq!(r.json()["items_total"], 1, "{}", r.body);
    // The root's listing.
    let r = request(&app, "GET", "/", &[JSON], "").await;
    let listing = r.json();
    let ids: Vec<&str> = listing["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["@id"].as_str().unwrap())
        .collect();
    assert!(ids.iter().any(|i| i.ends_with("/maintenant")), "{ids:?}");
    assert!(
        !ids.iter()
            .any(|i| i.ends_with("/demain") || i.ends_with("/hier")),
        "{ids:?}"
    );
    // The site's managers see them all.
    let r = request(
        &app,
        "GET",
        "/titles.txt",
        &[("authorization", &basic_auth("admin", ADMIN_PASSWORD))],
        "",
    )
    .await;
    assert_eq!(r.body, "Demain\nHier\nMaintenant");
    let r = request(
        &app,
        "GET",
        "/demain",
        &[("authorization", &basic_auth("admin", ADMIN_PASSWORD))],
        "",
    )
    .await;
    assert_eq!(r.status, 200);
    // A root file of that name loses to an item of that name.
    assert_eq!(
        request(&app, "GET", "/nothing.txt", &[], "").await.status,
        404
    );
}

/// The root shows the page its `default_page` names (Plone's default
/// page), while the reader may view it; else its own listing.
#[tokio::test]
async fn the_root_shows_its_default_page_while_it_may_be_viewed() {
    let t = viewing_town();
    let home = t
        .site
        .add(&admin(), "/", "Notice", data(json!({"title": "Bienvenue"})))
        .unwrap();
    t.site
        .update(&admin(), "/", data(json!({"default_page": home.uid})), None)
        .unwrap();
    let app = serve(&t);
    // Private: the visitor gets the root's listing.
    let r = request(&app, "GET", "/", &[], "").await;
    assert_eq!(r.status, 200);
    assert!(!r.body.contains("<h1>Bienvenue</h1>"), "{}", r.body);
    t.site
        .write(&admin(), |w| w.transition("/bienvenue", "publish", ""))
        .unwrap();
    let r = request(&app, "GET", "/", &[], "").await;
    assert!(r.body.contains("<h1>Bienvenue</h1>"), "{}", r.body);
    // The home page is titled with the site's name.
    assert!(r.body.contains("<title>Test Town</title>"), "{}", r.body);
    // JSON still answers with the root itself.
    let r = request(&app, "GET", "/", &[JSON], "").await;
    assert_eq!(r.json()["@type"], "Plone Site");
}

/// A module's own files are served by the binary, under its name.
#[tokio::test]
async fn a_modules_assets_are_served_under_its_name() {
    let t = viewing_town();
    let app = serve(&t);
    let r = request(&app, "GET", "/++resource++viewing/viewing.css", &[], "").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], "text/css; charset=utf-8");
    assert_eq!(r.body, ".shout { color: #900; }");
    for missing in [
        "/++resource++viewing/other.css",
        "/++resource++viewing/../viewing.css",
        "/++resource++nobody/viewing.css",
        "/++resource++testing/viewing.css",
    ] {
        assert_eq!(
            request(&app, "GET", missing, &[], "").await.status,
            404,
            "{missing}"
        );
    }
}
