//! The news and events feeds, parsed back: RSS 2.0 and Atom 1.0,
//! well-formed, absolute links, dates that parse, text escaped; and the
//! feeds advertised in every page's head.

use serde_json::{json, Value};

use crate::common::{create, get, town, transition, Town};

const ATOM: &str = "http://www.w3.org/2005/Atom";

async fn published(t: &Town, parent: &str, body: Value) -> String {
    let path = create(t, "admin", parent, body).await;
    transition(t, "admin", &path, "publish").await;
    path
}

/// A news folder with a news item whose title needs escaping, an older
/// one, and a private one.
async fn news_town() -> Town {
    let t = town(false);
    let folder = published(&t, "/", json!({"@type": "Folder", "title": "Actualités"})).await;
    published(
        &t,
        &folder,
        json!({"@type": "News Item", "title": "Ancienne", "effective": "2020-03-01T10:00:00Z"}),
    )
    .await;
    published(
        &t,
        &folder,
        json!({"@type": "News Item", "title": "Tom & Jerry <3 \"concert\" >",
               "description": "Entrée libre & gratuite", "news_category": "life"}),
    )
    .await;
    create(
        &t,
        "admin",
        &folder,
        json!({"@type": "News Item", "title": "Brouillon"}),
    )
    .await;
    t
}

/// The text of the child `name` of `node`; `""` as namespace for none.
fn text_of<'a>(node: roxmltree::Node<'a, 'a>, name: (&str, &str)) -> &'a str {
    node.children()
        .find(|c| c.tag_name().name() == name.1 && c.tag_name().namespace().unwrap_or("") == name.0)
        .and_then(|c| c.text())
        .unwrap_or_else(|| panic!("no {name:?} in {node:?}"))
}

#[tokio::test]
async fn rss_parses_back_with_items_absolute_links_and_dates() {
    let t = news_town().await;
    let r = get(&t, "/actualites/@@rss", None).await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").starts_with("application/rss+xml"));
    let text = r.text();
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let rss = doc.root_element();
    assert_eq!(rss.tag_name().name(), "rss");
    assert_eq!(rss.attribute("version"), Some("2.0"));
    let channel = rss
        .children()
        .find(|c| c.has_tag_name("channel"))
        .expect("channel");
    assert_eq!(
        text_of(channel, ("", "link")),
        "http://town.test/actualites"
    );
    let me = channel
        .children()
        .find(|c| c.has_tag_name((ATOM, "link")))
        .expect("atom:link");
    assert_eq!(me.attribute("rel"), Some("self"));
    assert_eq!(
        me.attribute("href"),
        Some("http://town.test/actualites/@@rss")
    );
    let items: Vec<_> = channel
        .children()
        .filter(|c| c.has_tag_name("item"))
        .collect();
    assert_eq!(items.len(), 2, "the private one is left out: {text}");
    // Newest first; the text is the editor's, escaped and read back whole.
    assert_eq!(
        text_of(items[0], ("", "title")),
        "Tom & Jerry <3 \"concert\" >"
    );
    assert_eq!(
        text_of(items[0], ("", "description")),
        "Entrée libre & gratuite"
    );
    assert_eq!(text_of(items[1], ("", "title")), "Ancienne");
    for item in &items {
        assert!(text_of(*item, ("", "link")).starts_with("http://town.test/actualites/"));
        let date = text_of(*item, ("", "pubDate"));
        assert!(chrono::DateTime::parse_from_rfc2822(date).is_ok(), "{date}");
        assert!(!text_of(*item, ("", "guid")).is_empty());
    }
    assert_eq!(
        chrono::DateTime::parse_from_rfc2822(text_of(items[1], ("", "pubDate")))
            .unwrap()
            .to_rfc3339(),
        "2020-03-01T10:00:00+00:00"
    );
}

#[tokio::test]
async fn atom_parses_back_with_entries_absolute_links_and_dates() {
    let t = news_town().await;
    let r = get(&t, "/actualites/@@atom", None).await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").starts_with("application/atom+xml"));
    let text = r.text();
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let feed = doc.root_element();
    assert!(feed.has_tag_name((ATOM, "feed")));
    let links: Vec<_> = feed
        .children()
        .filter(|c| c.has_tag_name((ATOM, "link")))
        .collect();
    assert!(links.iter().any(|l| l.attribute("rel") == Some("self")
        && l.attribute("href") == Some("http://town.test/actualites/@@atom")));
    assert!(chrono::DateTime::parse_from_rfc3339(text_of(feed, (ATOM, "updated"))).is_ok());
    assert!(!text_of(feed, (ATOM, "id")).is_empty());
    let entries: Vec<_> = feed
        .children()
        .filter(|c| c.has_tag_name((ATOM, "entry")))
        .collect();
    assert_eq!(entries.len(), 2, "{text}");
    assert_eq!(
        text_of(entries[0], (ATOM, "title")),
        "Tom & Jerry <3 \"concert\" >"
    );
    for e in &entries {
        let link = e
            .children()
            .find(|c| c.has_tag_name((ATOM, "link")))
            .and_then(|l| l.attribute("href"))
            .unwrap_or_default();
        assert!(link.starts_with("http://town.test/actualites/"), "{link}");
        for d in ["published", "updated"] {
            let date = text_of(*e, (ATOM, d));
            assert!(chrono::DateTime::parse_from_rfc3339(date).is_ok(), "{date}");
        }
        assert!(text_of(*e, (ATOM, "id")).starts_with("urn:uuid:"));
    }
    assert_eq!(
        text_of(entries[1], (ATOM, "published")),
        "2020-03-01T10:00:00Z"
    );
    // The root's feed holds the whole site's news.
    let text = get(&t, "/@@atom", None).await.text();
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name((ATOM, "entry")))
            .count(),
        2
    );
}

#[tokio::test]
async fn the_events_feed_lists_coming_events_by_start() {
    let t = town(false);
    for (title, start) in [
        ("Plus tard", "2199-05-02T10:00:00Z"),
        ("Bientôt", "2199-05-01T10:00:00Z"),
        ("Passé", "2001-05-01T10:00:00Z"),
    ] {
        published(
            &t,
            "/",
            json!({"@type": "Event", "title": title, "start": start, "description": "Sur la place"}),
        )
        .await;
    }
    for view in ["@@rss", "@@atom"] {
        let r = get(&t, &format!("/{view}?type=events"), None).await;
        assert_eq!(r.status, 200);
        let text = r.text();
        let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
        let titles: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("item") || n.has_tag_name((ATOM, "entry")))
            .map(|n| {
                n.children()
                    .find(|c| c.tag_name().name() == "title")
                    .and_then(|c| c.text())
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(titles, ["Bientôt", "Plus tard"], "{text}");
        // It names itself with its parameter.
        assert!(
            text.contains(&format!("href=\"http://town.test/{view}?type=events\"")),
            "{text}"
        );
        // The start is in the summary.
        assert!(text.contains("1 mai 2199 — Sur la place"), "{text}");
    }
}

#[tokio::test]
async fn every_page_advertises_the_feeds() {
    let t = news_town().await;
    for url in ["/", "/actualites", "/actualites/ancienne", "/@@search"] {
        let html = get(&t, url, None).await.text();
        for tag in [
            r#"<link rel="alternate" type="application/rss+xml" title="Actualités de Ville de Test (RSS)" href="http://town.test/@@rss">"#,
            r#"<link rel="alternate" type="application/atom+xml" title="Actualités de Ville de Test (Atom)" href="http://town.test/@@atom">"#,
            r#"<link rel="alternate" type="application/rss+xml" title="Agenda de Ville de Test (RSS)" href="http://town.test/@@rss?type=events">"#,
        ] {
            assert!(html.contains(tag), "{url}: {tag} missing:\n{html}");
        }
    }
}
