//! The public side over HTTP: the news listing, the sitemap and
//! robots.txt, canonical and Open Graph tags, the search page, topic
//! pages; and nothing private or unpublished in any of them.

use serde_json::{json, Value};

use crate::common::{create, get, get_json, town, transition, Town};

/// A 1×1 PNG.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/// Creates an item as the admin and publishes it; its path.
async fn published(t: &Town, parent: &str, body: Value) -> String {
    let path = create(t, "admin", parent, body).await;
    transition(t, "admin", &path, "publish").await;
    path
}

/// The news folder, published.
async fn news_folder(t: &Town) -> String {
    published(t, "/", json!({"@type": "Folder", "title": "Actualités"})).await
}

/// The titles of the `<h2>` links of a listing, in order.
fn listed_titles(html: &str) -> Vec<String> {
    html.split("<h2><a href=")
        .skip(1)
        .filter_map(|s| {
            let s = s.split_once('>')?.1;
            Some(s.split_once("</a>")?.0.to_owned())
        })
        .collect()
}

#[tokio::test]
async fn news_is_listed_newest_first_filtered_and_paged() {
    let t = town(false);
    let folder = news_folder(&t).await;
    // Published by date: an old effective date, none (added now), a
    // recent effective date.
    published(
        &t,
        &folder,
        json!({"@type": "News Item", "title": "Ancienne", "effective": "2020-01-01T09:00:00Z",
               "news_category": "works", "topics": ["mobility"]}),
    )
    .await;
    published(
        &t,
        &folder,
        json!({"@type": "News Item", "title": "Du jour", "news_category": "press",
               "image": {"data": PNG, "encoding": "base64", "filename": "p.png", "content-type": "image/png"}}),
    )
    .await;
    published(
        &t,
        &folder,
        json!({"@type": "News Item", "title": "Récente", "effective": "2024-06-01T09:00:00Z",
               "news_category": "works", "topics": ["mobility", "culture"]}),
    )
    .await;
    // Outside the folder: only the root's listing has it.
    published(
        &t,
        "/",
        json!({"@type": "News Item", "title": "À la racine", "effective": "2019-01-01T00:00:00Z"}),
    )
    .await;

    let r = get(&t, &format!("{folder}/@@news"), None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let html = r.text();
    assert_eq!(listed_titles(&html), ["Du jour", "Récente", "Ancienne"]);
    assert_eq!(html.matches("<h1>").count(), 1);
    assert!(html.contains("<h1>Actualités</h1>"), "{html}");
    assert!(html.contains(r#"role="status""#), "{html}");
    // The thumbnail of the lead image, and the date.
    assert!(
        html.contains(r#"src="http://town.test/actualites/du-jour/@@images/image/thumb""#),
        "{html}"
    );
    assert!(
        html.contains(r#"<time datetime="2024-06-01T09:00:00+00:00">1 juin 2024</time>"#),
        "{html}"
    );
    // Every filter is labelled.
    for f in ["category", "topic", "audience"] {
        assert!(
            html.contains(&format!(r#"<label for="news-{f}">"#)),
            "{html}"
        );
    }
    let root = get(&t, "/@@news", None).await.text();
    assert_eq!(
        listed_titles(&root),
        ["Du jour", "Récente", "Ancienne", "À la racine"]
    );

    // Filters.
    let r = get(&t, &format!("{folder}/@@news?category=works"), None).await;
    assert_eq!(listed_titles(&r.text()), ["Récente", "Ancienne"]);
    let r = get(
        &t,
        &format!("{folder}/@@news?category=works&topic=culture"),
        None,
    )
    .await;
    assert_eq!(listed_titles(&r.text()), ["Récente"]);
    let r = get(&t, &format!("{folder}/@@news?topic=sports"), None).await;
    assert!(listed_titles(&r.text()).is_empty());
    assert!(r.text().contains("Aucune actualité."));

    // JSON.
    let v = get_json(&t, &format!("{folder}/@@news?category=works"), None).await;
    assert_eq!(v["items_total"], 2, "{v}");
    assert_eq!(v["items"][0]["title"], "Récente");
    assert_eq!(v["items"][0]["@id"], "http://town.test/actualites/recente");
    assert_eq!(v["items"][0]["date"], "2024-06-01T09:00:00+00:00");
    assert!(v["batching"]["next"].is_null());
}

#[tokio::test]
async fn news_is_paged_ten_at_a_time() {
    let t = town(false);
    let folder = news_folder(&t).await;
    for i in 1..=12 {
        published(
            &t,
            &folder,
            json!({"@type": "News Item", "title": format!("Nouvelle {i:02}"),
                   "effective": format!("2025-01-{i:02}T08:00:00Z"), "news_category": "life"}),
        )
        .await;
    }
    let first = get(&t, &format!("{folder}/@@news?category=life"), None)
        .await
        .text();
    let titles = listed_titles(&first);
    assert_eq!(titles.len(), 10);
    assert_eq!(titles[0], "Nouvelle 12");
    assert_eq!(titles[9], "Nouvelle 03");
    // An accessible pager that keeps the filter.
    assert!(
        first.contains(r#"<nav class="pagination" aria-label="Pages">"#),
        "{first}"
    );
    assert!(first.contains("Page 1 sur 2"), "{first}");
    let next = "http://town.test/actualites/@@news?category=life&amp;b_start=10";
    assert!(
        first.contains(&format!(r#"<a href="{next}" rel="next">"#)),
        "{first}"
    );
    assert!(!first.contains(r#"rel="prev""#));
    let second = get(
        &t,
        &format!("{folder}/@@news?category=life&b_start=10"),
        None,
    )
    .await
    .text();
    assert_eq!(listed_titles(&second), ["Nouvelle 02", "Nouvelle 01"]);
    assert!(second.contains(r#"rel="prev""#));
    assert!(!second.contains(r#"rel="next""#));
    let v = get_json(&t, &format!("{folder}/@@news?b_start=10"), None).await;
    assert_eq!(v["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        v["batching"]["previous"],
        "http://town.test/actualites/@@news"
    );
}

/// A page, published; one private; one whose publication date has not
/// come; one expired.
async fn mixed_site(t: &Town) {
    published(
        t,
        "/",
        json!({"@type": "Document", "title": "Publique", "topics": ["mobility"]}),
    )
    .await;
    create(
        t,
        "admin",
        "/",
        json!({"@type": "Document", "title": "Brouillon secret", "topics": ["mobility"]}),
    )
    .await;
    published(
        t,
        "/",
        json!({"@type": "Document", "title": "Future secrète", "topics": ["mobility"],
               "effective": "2200-01-01T00:00:00Z"}),
    )
    .await;
    published(
        t,
        "/",
        json!({"@type": "News Item", "title": "Expirée secrète", "topics": ["mobility"],
               "effective": "2000-01-01T00:00:00Z", "expires": "2001-01-01T00:00:00Z"}),
    )
    .await;
}

#[tokio::test]
async fn the_sitemap_lists_what_visitors_may_see() {
    let t = town(false);
    mixed_site(&t).await;
    // Asked by the admin, it is still the visitors' map.
    for who in [None, Some("admin")] {
        let r = get(&t, "/sitemap.xml", who).await;
        assert_eq!(r.status, 200);
        assert!(r.header("content-type").starts_with("application/xml"));
        let text = r.text();
        let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
        let ns = "http://www.sitemaps.org/schemas/sitemap/0.9";
        assert_eq!(doc.root_element().tag_name().name(), "urlset");
        assert_eq!(doc.root_element().tag_name().namespace(), Some(ns));
        let urls: Vec<(String, String)> = doc
            .descendants()
            .filter(|n| n.has_tag_name((ns, "url")))
            .map(|u| {
                let child = |name: &str| {
                    u.children()
                        .find(|c| c.has_tag_name((ns, name)))
                        .and_then(|c| c.text())
                        .unwrap_or_default()
                        .to_owned()
                };
                (child("loc"), child("lastmod"))
            })
            .collect();
        let locs: Vec<&str> = urls.iter().map(|(l, _)| l.as_str()).collect();
        assert!(locs.contains(&"http://town.test/"), "{locs:?}");
        assert!(locs.contains(&"http://town.test/publique"), "{locs:?}");
        for hidden in ["brouillon-secret", "future-secrete", "expiree-secrete"] {
            assert!(
                !locs.iter().any(|l| l.contains(hidden)),
                "{hidden} in {locs:?}"
            );
        }
        for (loc, lastmod) in &urls {
            assert!(
                chrono::DateTime::parse_from_rfc3339(lastmod).is_ok(),
                "{loc}: {lastmod}"
            );
        }
    }
    // Once published, the page is on the map.
    transition(&t, "admin", "/brouillon-secret", "publish").await;
    let text = get(&t, "/sitemap.xml", None).await.text();
    assert!(
        text.contains("<loc>http://town.test/brouillon-secret</loc>"),
        "{text}"
    );
}

#[tokio::test]
async fn robots_txt_keeps_robots_out_of_editing_and_names_the_sitemap() {
    let t = town(false);
    let r = get(&t, "/robots.txt", None).await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").starts_with("text/plain"));
    let text = r.text();
    assert!(text.starts_with("User-agent: *\n"), "{text}");
    for line in [
        "Disallow: /@@login",
        "Disallow: /++add++",
        "Disallow: /*@@edit",
        "Allow: /",
        "Sitemap: http://town.test/sitemap.xml",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} missing: {text}");
    }
}

#[tokio::test]
async fn pages_carry_canonical_description_and_open_graph_tags_escaped() {
    let t = town(false);
    let path = published(
        &t,
        "/",
        json!({"@type": "News Item", "title": "Tom & \"Jerry\" <3 >",
               "description": "L'été > \"chaud\" & <3",
               "image": {"data": PNG, "encoding": "base64", "filename": "p.png", "content-type": "image/png"}}),
    )
    .await;
    let html = get(&t, &format!("{path}?utm_source=x"), None).await.text();
    let url = format!("http://town.test{path}");
    for tag in [
        format!(r#"<link rel="canonical" href="{url}">"#),
        r#"<meta name="description" content="L&#39;été &gt; &quot;chaud&quot; &amp; &lt;3">"#.to_owned(),
        r#"<meta property="og:title" content="Tom &amp; &quot;Jerry&quot; &lt;3 &gt;">"#.to_owned(),
        r#"<meta property="og:description" content="L&#39;été &gt; &quot;chaud&quot; &amp; &lt;3">"#.to_owned(),
        format!(r#"<meta property="og:url" content="{url}">"#),
        r#"<meta property="og:type" content="article">"#.to_owned(),
        r#"<meta property="og:site_name" content="Ville de Test">"#.to_owned(),
        r#"<meta property="og:locale" content="fr_BE">"#.to_owned(),
        format!(r#"<meta property="og:image" content="{url}/@@images/image/large">"#),
    ] {
        assert!(html.contains(&tag), "{tag} missing:\n{html}");
    }
    assert!(!html.contains(r#"content="Tom & "#), "{html}");
    // The root is a website; without a lead image, no og:image.
    let home = get(&t, "/", None).await.text();
    assert!(
        home.contains(r#"<link rel="canonical" href="http://town.test/">"#),
        "{home}"
    );
    assert!(home.contains(r#"<meta property="og:type" content="website">"#));
    assert!(!home.contains("og:image"));
}

#[tokio::test]
async fn the_search_page_finds_marks_counts_and_escapes() {
    let t = town(false);
    let folder = news_folder(&t).await;
    published(
        &t,
        &folder,
        json!({"@type": "News Item", "title": "Marché de Noël à Tamines",
               "description": "Chalets et artisans.", "news_category": "life", "topics": ["culture"],
               "text": "<p>Le marché se tient sur la place.</p>"}),
    )
    .await;
    published(
        &t,
        "/",
        json!({"@type": "Document", "title": "Marchés hebdomadaires", "page_category": "notices",
               "topics": ["economics"], "description": "Chaque samedi, le MARCHE de Tamines."}),
    )
    .await;
    published(
        &t,
        "/",
        json!({"@type": "Document", "title": "Piscine", "description": "Horaires."}),
    )
    .await;

    let r = get(&t, "/@@search?q=marche", None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let html = r.text();
    assert_eq!(html.matches("<h1>").count(), 1);
    assert!(html.contains(r#"<label for="search-q">"#), "{html}");
    assert!(
        html.contains(r#"<p role="status" class="search-count">2 résultats.</p>"#),
        "{html}"
    );
    // Marked whatever the case and accents, in titles and snippets.
    assert!(
        html.contains("<mark>Marché</mark> de Noël à Tamines"),
        "{html}"
    );
    assert!(
        html.contains("<mark>Marchés</mark> hebdomadaires"),
        "{html}"
    );
    assert!(html.contains("le <mark>MARCHE</mark> de Tamines"), "{html}");
    assert!(!html.contains("Piscine</a></h3>"));
    // Facets: counted, each option labelled.
    assert!(
        html.contains(
            r#"<label for="facet-type-news-item">Actualité <span class="count">(1)</span></label>"#
        ),
        "{html}"
    );
    assert!(
        html.contains(
            r#"<label for="facet-type-document">Page <span class="count">(1)</span></label>"#
        ),
        "{html}"
    );
    assert!(
        html.contains(
            r#"<label for="facet-topics-culture">Culture <span class="count">(1)</span></label>"#
        ),
        "{html}"
    );
    assert!(
        html.contains(
            r#"<label for="facet-topics-economics">Économie <span class="count">(1)</span></label>"#
        ),
        "{html}"
    );

    // A facet chosen narrows the results and is checked; the other
    // topics still say what they would give.
    let html = get(&t, "/@@search?q=marche&topics=culture", None)
        .await
        .text();
    assert!(
        html.contains("1 résultat") || html.contains("Un résultat."),
        "{html}"
    );
    assert!(
        html.contains("Noël") && !html.contains("hebdomadaires</a></h3>"),
        "{html}"
    );
    assert!(
        html.contains(r#"id="facet-topics-culture" name="topics" value="culture" checked"#),
        "{html}"
    );
    assert!(
        html.contains(
            r#"<label for="facet-topics-economics">Économie <span class="count">(1)</span></label>"#
        ),
        "{html}"
    );
    let html = get(&t, "/@@search?q=marche&type=Document", None)
        .await
        .text();
    assert!(html.contains("Un résultat."), "{html}");
    assert!(html.contains(r#"value="Document" checked"#), "{html}");

    // The query comes back escaped; nothing found is said so.
    let html = get(&t, "/@@search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", None)
        .await
        .text();
    assert!(!html.contains("<script>alert(1)"), "{html}");
    assert!(
        html.contains(r#"value="&lt;script&gt;alert(1)&lt;&#x2F;script&gt;""#)
            || html.contains(r#"value="&lt;script&gt;alert(1)&lt;/script&gt;""#),
        "{html}"
    );
    assert!(html.contains("Aucun résultat."), "{html}");
    // A query of no word at all, or of words the search cannot read, is
    // no error.
    for q in ["%C2%AB%C2%BB", "%E5%8C%97%E4%BA%AC"] {
        let r = get(&t, &format!("/@@search?q={q}"), None).await;
        assert_eq!(r.status, 200, "{q}");
        assert!(r.text().contains("Aucun résultat."), "{q}");
    }
    // The bare page is a form.
    let html = get(&t, "/@@search", None).await.text();
    assert!(
        html.contains(r#"role="search""#) && !html.contains("role=\"status\""),
        "{html}"
    );
}

#[tokio::test]
async fn search_results_are_paged() {
    let t = town(false);
    for i in 1..=22 {
        published(
            &t,
            "/",
            json!({"@type": "Document", "title": format!("Règlement {i:02}")}),
        )
        .await;
    }
    let html = get(&t, "/@@search?q=reglement", None).await.text();
    assert!(html.contains("22 résultats."), "{html}");
    assert_eq!(html.matches("<h3>").count(), 20);
    assert!(
        html.contains(
            r#"<a href="http://town.test/@@search?q=reglement&amp;b_start=20" rel="next">"#
        ),
        "{html}"
    );
    let html = get(&t, "/@@search?q=reglement&b_start=20", None)
        .await
        .text();
    assert_eq!(html.matches("<h3>").count(), 2);
    assert!(
        html.contains(r#"<ol class="listing" start="21">"#),
        "{html}"
    );
}

#[tokio::test]
async fn topic_pages_gather_their_items_and_refuse_unknown_names() {
    let t = town(false);
    let folder = news_folder(&t).await;
    published(
        &t,
        "/",
        json!({"@type": "Document", "title": "Plan de mobilité", "topics": ["mobility"]}),
    )
    .await;
    published(&t, "/", json!({"@type": "Procedure", "title": "Carte de riverain", "topics": ["mobility"], "audiences": ["newcomer"]})).await;
    published(
        &t,
        &folder,
        json!({"@type": "News Item", "title": "Nouveau bus", "topics": ["mobility"]}),
    )
    .await;
    published(
        &t,
        "/",
        json!({"@type": "Event", "title": "Semaine de la mobilité", "topics": ["mobility"],
               "start": "2199-09-16T10:00:00Z", "end": "2199-09-22T18:00:00Z"}),
    )
    .await;
    published(
        &t,
        "/",
        json!({"@type": "Event", "title": "Vieille balade", "topics": ["mobility"],
               "start": "2001-09-16T10:00:00Z", "end": "2001-09-16T18:00:00Z"}),
    )
    .await;
    published(
        &t,
        "/",
        json!({"@type": "Document", "title": "Piscine", "topics": ["sports"]}),
    )
    .await;

    for url in ["/@@topic/mobility", "/@@topic?name=mobility"] {
        let r = get(&t, url, None).await;
        assert_eq!(r.status, 200, "{url}: {}", r.text());
        let html = r.text();
        assert!(html.contains("<h1>Mobilité</h1>"), "{html}");
        for title in [
            "Plan de mobilité",
            "Carte de riverain",
            "Nouveau bus",
            "Semaine de la mobilité",
        ] {
            assert!(
                html.contains(&format!(">{title}</a></h3>")),
                "{title}: {html}"
            );
        }
        assert!(!html.contains("Piscine</a></h3>"));
        assert!(
            !html.contains("Vieille balade</a></h3>"),
            "past events are not listed"
        );
        assert!(
            html.contains(r#"<h2 id="part-procedure">Démarches</h2>"#),
            "{html}"
        );
    }
    let r = get(&t, "/@@audience/newcomer", None).await;
    assert_eq!(r.status, 200);
    let html = r.text();
    assert!(
        html.contains("Carte de riverain</a></h3>") && !html.contains("Plan de mobilité</a></h3>"),
        "{html}"
    );
    // Unknown names are not found.
    assert_eq!(get(&t, "/@@topic/dragons", None).await.status, 404);
    assert_eq!(get(&t, "/@@audience/dragons", None).await.status, 404);
    // The index names every topic with its count.
    let html = get(&t, "/@@topic", None).await.text();
    assert!(html.contains("<h1>Thématiques</h1>"), "{html}");
    assert!(html.contains(r#"<a href="http://town.test/@@topic/mobility">Mobilité</a> <span class="count">(5)</span>"#), "{html}");
    assert!(html.contains(r#"<a href="http://town.test/@@topic/tourism">Tourisme</a> <span class="count">(0)</span>"#), "{html}");
}

#[tokio::test]
async fn nothing_private_or_unpublished_reaches_a_visitor() {
    let t = town(false);
    mixed_site(&t).await;
    let secret = |html: &str| {
        ["Brouillon secret", "Future secrète", "Expirée secrète"]
            .iter()
            .any(|s| html.contains(s))
    };
    for url in [
        "/@@news",
        "/@@rss",
        "/@@atom",
        "/sitemap.xml",
        "/@@search?q=secrete",
        "/@@search?q=brouillon",
        "/@@topic/mobility",
    ] {
        let html = get(&t, url, None).await.text();
        assert!(!secret(&html), "{url}:\n{html}");
    }
    // The site's managers see them where they may.
    let html = get(&t, "/@@search?q=secrete", Some("admin")).await.text();
    assert!(
        html.contains("Future") && html.contains("Expirée"),
        "{html}"
    );
    let html = get(&t, "/@@topic/mobility", Some("admin")).await.text();
    assert!(html.contains("Brouillon"), "{html}");
}
