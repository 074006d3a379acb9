//! The communal website as its users live it: a communicator writes, a
//! reviewer publishes, visitors see it only then; pages made of sections;
//! alerts; collaborative sections; procedures.

use super::common::*;
use beffroi::prelude::*;

/// A 1×1 PNG.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

#[tokio::test]
async fn a_news_item_reaches_visitors_only_once_a_reviewer_publishes_it() {
    let t = town(true);
    let news = create(
        &t,
        "carla",
        "/actualites",
        json!({
            "@type": "News Item",
            "title": "Fermeture exceptionnelle de la piscine",
            "description": "La piscine est fermée lundi pour une panne de chauffage.",
            "text": "<p>Réouverture mardi à 7 h.</p>",
            "news_category": "press",
            "topics": ["sports"],
            "image": {"data": PNG, "encoding": "base64", "filename": "piscine.png", "content-type": "image/png"},
        }),
    )
    .await;
    // Nowhere for visitors while it is a draft.
    assert_eq!(get(&t, &news, None).await.status, 404);
    assert!(!get(&t, "/", None)
        .await
        .text()
        .contains("Fermeture exceptionnelle"));

    transition(&t, "carla", &news, "submit").await;
    // The reviewers are told, with the address to review.
    let mails = t.site.mails().unwrap();
    let to_rita: Vec<_> = mails.iter().filter(|m| m.to == "rita@town.test").collect();
    assert_eq!(to_rita.len(), 1, "{mails:?}");
    assert!(to_rita[0].subject.contains("Fermeture exceptionnelle"));
    assert!(to_rita[0].body.contains(&format!("http://town.test{news}")));
    assert!(!mails.iter().any(|m| m.to == "carla@town.test"));
    assert_eq!(get(&t, &news, None).await.status, 404);

    transition(&t, "rita", &news, "publish").await;
    let item = t.site.get(&news).unwrap().unwrap();
    assert!(
        item.field("effective").is_some(),
        "dated at first publication"
    );
    let page = get(&t, &news, None).await;
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").starts_with("text/html"));
    // The module's style, served by the binary itself.
    assert!(page.text().contains("/++resource++website/website.css"));
    let css = get(&t, "/++resource++website/website.css", None).await;
    assert_eq!(css.status, 200);
    assert!(css.text().contains(".alert-danger"));
    assert!(page.text().contains("Réouverture mardi"));
    // The home page's latest news lists it first.
    let home = get(&t, "/", None).await.text();
    assert!(
        home.contains(r#"<link rel="canonical" href="http://town.test/">"#),
        "the home page is found at the site's address"
    );
    let at = home
        .find("Fermeture exceptionnelle")
        .expect("on the home page");
    let older = home.find("Collecte des sapins").unwrap_or(usize::MAX);
    assert!(at < older, "newest first");
}

#[tokio::test]
async fn a_page_shows_its_sections_in_order() {
    let t = town(false);
    let page = create(
        &t,
        "admin",
        "/",
        json!({"@type": "Document", "title": "Déchets"}),
    )
    .await;
    create(
        &t,
        "admin",
        &page,
        json!({"@type": "Text Section", "title": "Les collectes", "text": "<p>Chaque lundi.</p>"}),
    )
    .await;
    let links = create(
        &t,
        "admin",
        &page,
        json!({"@type": "Links Section", "title": "Liens utiles"}),
    )
    .await;
    create(
        &t,
        "admin",
        &links,
        json!({"@type": "Link", "title": "Intradel", "remote_url": "https://www.intradel.be/"}),
    )
    .await;
    create(
        &t,
        "admin",
        &links,
        json!({"@type": "Link", "title": "Démarches", "remote_url": "${portal_url}/demarches"}),
    )
    .await;
    create(&t, "admin", &page, json!({"@type": "Map Section", "title": "Le recyparc", "latitude": 50.45, "longitude": 4.61})).await;
    create(&t, "admin", &page, json!({"@type": "Video Section", "title": "Bien trier", "hide_title": true, "video_url": "https://video.example/trier"})).await;
    // Sections only go in pages.
    let r = call(
        &t,
        "POST",
        "/",
        Some("admin"),
        Some(json!({"@type": "Text Section", "title": "Perdue", "text": "<p>x</p>"})),
    )
    .await;
    assert!(r.status.is_client_error(), "{}", r.text());
    // Published with what it holds (its links follow the publication
    // workflow; its sections are visible with their page).
    let r = call(
        &t,
        "POST",
        &format!("{page}/@workflow/publish"),
        Some("admin"),
        Some(json!({"include_children": true})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let html = get(&t, &page, None).await.text();
    let order: Vec<usize> = [
        "Les collectes",
        "Chaque lundi",
        "Intradel",
        "Le recyparc",
        "openstreetmap.org/?mlat=50.45",
        "https://video.example/trier",
    ]
    .iter()
    .map(|s| {
        html.find(s)
            .unwrap_or_else(|| panic!("{s} missing: {html}"))
    })
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert!(
        html.contains("href=\"http://town.test/demarches\""),
        "links inside the site resolve"
    );
    assert!(
        !html.contains("<h2 id=\"bien-trier-title\""),
        "a hidden title is not shown"
    );
    // The JSON of the page lists its sections as items, for Plone's clients.
    let json = get_json(&t, &page, None).await;
    assert_eq!(json["items_total"], 4);
}

#[tokio::test]
async fn an_alert_shows_on_every_page_between_its_dates() {
    let t = town(false);
    let now = chrono::Utc::now();
    let fmt =
        |d: chrono::DateTime<chrono::Utc>| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let current = create(&t, "admin", "/", json!({
        "@type": "Alert", "title": "Tempête", "message": "Vents violents : restez chez vous.", "level": "danger",
        "effective": fmt(now - chrono::Duration::hours(1)), "expires": fmt(now + chrono::Duration::days(1)),
    })).await;
    let past = create(&t, "admin", "/", json!({
        "@type": "Alert", "title": "Ancienne", "message": "Coupure d'eau terminée.",
        "effective": fmt(now - chrono::Duration::days(3)), "expires": fmt(now - chrono::Duration::days(2)),
    })).await;
    let page = create(
        &t,
        "admin",
        "/",
        json!({"@type": "Document", "title": "Contact"}),
    )
    .await;
    for p in [&current, &past, &page] {
        transition(&t, "admin", p, "publish").await;
    }
    t.site
        .update(
            &system(),
            &current,
            serde_json::from_value(json!({"link": "${portal_url}/contact"})).unwrap(),
            None,
        )
        .unwrap();
    for path in ["/", page.as_str(), "/@@login"] {
        let html = get(&t, path, None).await.text();
        assert!(html.contains("Vents violents"), "{path}: {html}");
        assert!(html.contains("role=\"alert\""), "{path}");
        assert!(!html.contains("Coupure d'eau"), "{path}");
        assert!(
            html.contains("href=\"http://town.test/contact\""),
            "{path}: {html}"
        );
    }
    // Retracted: gone at once.
    transition(&t, "admin", &current, "retract").await;
    assert!(!get(&t, &page, None).await.text().contains("Vents violents"));
}

#[tokio::test]
async fn a_collaborative_section_lets_its_members_write_and_the_town_publish() {
    let t = town(false);
    t.site
        .write(&system(), |w| {
            w.add_user(
                "marc",
                "Marc du Syndicat",
                Some("marc@si.test"),
                PASSWORD,
                &[],
            )?;
            Ok(())
        })
        .unwrap();
    // An unknown member is refused and nothing is made.
    let r = call(
        &t,
        "POST",
        "/",
        Some("admin"),
        Some(json!({"@type": "Subsite", "title": "Syndicat", "members": "personne"})),
    )
    .await;
    assert!(r.status.is_client_error(), "{}", r.text());
    assert!(t.site.get("/syndicat").unwrap().is_none());
    let sub = create(
        &t,
        "admin",
        "/",
        json!({"@type": "Subsite", "title": "Syndicat d'initiative", "members": "marc"}),
    )
    .await;
    transition(&t, "admin", &sub, "publish").await;
    // Marc writes inside, not outside.
    let page = create(
        &t,
        "marc",
        &sub,
        json!({"@type": "Document", "title": "Nos balades"}),
    )
    .await;
    let r = call(
        &t,
        "POST",
        "/",
        Some("marc"),
        Some(json!({"@type": "Document", "title": "Ailleurs"})),
    )
    .await;
    assert!(r.status.is_client_error());
    // He submits; he does not publish: the town does.
    transition(&t, "marc", &page, "submit").await;
    let r = call(
        &t,
        "POST",
        &format!("{page}/@workflow/publish"),
        Some("marc"),
        Some(json!({})),
    )
    .await;
    assert!(r.status.is_client_error(), "{}", r.text());
    assert_eq!(get(&t, &page, None).await.status, 404);
    transition(&t, "rita", &page, "publish").await;
    let html = get(&t, &page, None).await.text();
    // Its own menu, inside the town's site.
    assert!(html.contains("class=\"subsite-menu\""), "{html}");
    assert!(html.contains("aria-current=\"page\">Nos balades"), "{html}");
    assert!(html.contains("class=\"breadcrumbs\""));
    // Removed from the members: no more writing there.
    let r = call(
        &t,
        "PATCH",
        &sub,
        Some("admin"),
        Some(json!({"members": ""})),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let r = call(
        &t,
        "POST",
        &sub,
        Some("marc"),
        Some(json!({"@type": "Document", "title": "Encore"})),
    )
    .await;
    assert!(r.status.is_client_error());
}

#[tokio::test]
async fn a_page_with_a_future_publication_date_waits_for_it() {
    let t = town(true);
    let later = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    let page = create(
        &t,
        "admin",
        "/",
        json!({"@type": "Document", "title": "Résultats des élections", "effective": later}),
    )
    .await;
    transition(&t, "admin", &page, "publish").await;
    assert_eq!(get(&t, &page, None).await.status, 404);
    assert!(!get(&t, "/", None)
        .await
        .text()
        .contains("Résultats des élections"));
    let r = get_json(&t, "/@search?SearchableText=élections", None).await;
    assert_eq!(r["items_total"], 0, "{r}");
    assert_eq!(get(&t, &page, Some("admin")).await.status, 200);
    assert_eq!(get(&t, &page, Some("rita")).await.status, 200);
}

#[tokio::test]
async fn a_procedure_offers_its_button() {
    let t = town(true);
    let html = get(&t, "/demarches/demander-un-permis-d-urbanisme", None)
        .await
        .text();
    assert!(
        html.contains(
            "class=\"button procedure-button\" href=\"https://www.wallonie.be/fr/demarches\""
        ),
        "{html}"
    );
    assert!(html.contains("Plus d&#39;informations</a>"), "{html}");
}

/// The issue's "done means": a communicator creates a news item and an
/// event with an image, submits them, a reviewer publishes them, and they
/// appear on the home page, in the listings, the feeds, the sitemap and
/// the search, first, for anonymous visitors — and nowhere before.
#[tokio::test]
async fn news_and_an_event_appear_everywhere_once_published_and_nowhere_before() {
    let t = town(true);
    let image = json!({"data": PNG, "encoding": "base64", "filename": "photo.png", "content-type": "image/png"});
    let news = create(&t, "carla", "/actualites", json!({
        "@type": "News Item", "title": "Inauguration du parc Zéphyrin",
        "description": "Le nouveau parc ouvre ses portes.", "image": image, "topics": ["environment"],
    }))
    .await;
    let start = (chrono::Utc::now() + chrono::Duration::hours(3)).to_rfc3339();
    let end = (chrono::Utc::now() + chrono::Duration::hours(5)).to_rfc3339();
    let event = create(
        &t,
        "carla",
        "/agenda",
        json!({
            "@type": "Event", "title": "Fête du parc Zéphyrin", "start": start, "end": end,
            "event_type": "event", "image": image, "topics": ["environment"],
        }),
    )
    .await;
    // Its titles, or its address (the sitemap lists addresses only).
    let shows = |body: &str| {
        [
            "Inauguration du parc",
            "inauguration-du-parc",
            "Fête du parc",
            "fete-du-parc",
        ]
        .iter()
        .any(|m| body.contains(m))
    };
    let surfaces = [
        "/",
        "/actualites/@@news",
        "/agenda/@@events",
        "/@@rss",
        "/@@atom",
        "/@@rss?type=events",
        "/sitemap.xml",
        "/@@ical",
        "/@@search?SearchableText=Z%C3%A9phyrin",
        "/@@topic/environment",
    ];
    for stage in ["draft", "pending"] {
        for s in surfaces {
            let body = get(&t, s, None).await.text();
            assert!(!shows(&body), "{stage}: {s} shows it: {body}");
        }
        assert_eq!(get(&t, &news, None).await.status, 404);
        assert_eq!(get(&t, &event, None).await.status, 404);
        if stage == "draft" {
            transition(&t, "carla", &news, "submit").await;
            transition(&t, "carla", &event, "submit").await;
        }
    }
    transition(&t, "rita", &news, "publish").await;
    transition(&t, "rita", &event, "publish").await;
    for s in surfaces {
        let body = get(&t, s, None).await.text();
        assert!(shows(&body), "{s} misses it: {body}");
    }
    // First where order matters: the newest news, the soonest event.
    let listing = get(&t, "/actualites/@@news", None).await.text();
    let first_news = listing.find("Inauguration du parc").unwrap();
    assert!(listing
        .find("Collecte des sapins")
        .is_none_or(|o| first_news < o));
    let agenda = get(&t, "/agenda/@@events", None).await.text();
    let ours = agenda.find("Fête du parc Zéphyrin").unwrap();
    // Only events already under way (the fair, the market if today is a
    // Saturday) may come before one starting in three hours.
    for later in ["Concert de Noël", "Balade nature", "Jogging de la Sambre"] {
        assert!(
            agenda.find(later).is_none_or(|o| ours < o),
            "{later} before ours"
        );
    }
    let rss = get(&t, "/@@rss", None).await.text();
    let first_item = rss.find("<item>").unwrap();
    assert!(
        rss[first_item..].find("Inauguration").unwrap()
            < rss[first_item..].find("</item>").unwrap()
    );
    // The image is there, scaled for the listing.
    let thumb = get(&t, &format!("{news}/@@images/image/thumb"), None).await;
    assert_eq!(thumb.status, 200);
    assert_eq!(thumb.header("content-type"), "image/png");
}

/// Folders: a layout, a default page shown in their place, a banner shown
/// on them and below them.
#[tokio::test]
async fn folders_have_layouts_default_pages_and_banners_inherited_below() {
    let t = town(false);
    let image = json!({"data": PNG, "encoding": "base64", "filename": "banniere.png", "content-type": "image/png"});
    let folder = create(
        &t,
        "admin",
        "/",
        json!({"@type": "Folder", "title": "Loisirs", "layout": "cards", "banner": image}),
    )
    .await;
    let page = create(
        &t,
        "admin",
        &folder,
        json!({"@type": "Document", "title": "Piscine", "description": "Horaires et tarifs."}),
    )
    .await;
    let sub = create(
        &t,
        "admin",
        &folder,
        json!({"@type": "Folder", "title": "Sports"}),
    )
    .await;
    for p in [&folder, &page, &sub] {
        transition(&t, "admin", p, "publish").await;
    }
    let html = get(&t, &folder, None).await.text();
    assert!(html.contains("class=\"folder layout-cards\""), "{html}");
    assert!(
        html.contains("Horaires et tarifs."),
        "cards show descriptions"
    );
    // The banner, here and below.
    for p in [&folder, &page, &sub] {
        let html = get(&t, p, None).await.text();
        assert!(
            html.contains(&format!("http://town.test{folder}/@@images/banner/huge")),
            "{p}: {html}"
        );
    }
    assert_eq!(
        get(&t, &format!("{folder}/@@images/banner/huge"), None)
            .await
            .status,
        200
    );
    // A default page stands in for its folder.
    let uid = t.site.get(&page).unwrap().unwrap().uid;
    let r = call(
        &t,
        "PATCH",
        &folder,
        Some("admin"),
        Some(json!({"default_page": uid})),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let html = get(&t, &folder, None).await.text();
    assert!(html.contains("<h1>Piscine</h1>"), "{html}");
}

/// Files, gallery, contact and a topic's latest items, each from what the
/// visitor may see.
#[tokio::test]
async fn sections_show_files_images_a_contact_and_a_topics_latest_items() {
    let t = town(false);
    let page = create(
        &t,
        "admin",
        "/",
        json!({"@type": "Document", "title": "Mobilité"}),
    )
    .await;
    let files = create(
        &t,
        "admin",
        &page,
        json!({"@type": "Files Section", "title": "Documents"}),
    )
    .await;
    create(&t, "admin", &files, json!({"@type": "File", "title": "Plan communal de mobilité",
        "file": {"data": "UENNIGRlIFNhbWJyZXZpbGxl", "encoding": "base64", "filename": "pcm.txt", "content-type": "text/plain"}})).await;
    let gallery = create(
        &t,
        "admin",
        &page,
        json!({"@type": "Gallery Section", "title": "Photos"}),
    )
    .await;
    create(&t, "admin", &gallery, json!({"@type": "Image", "title": "La nouvelle gare", "description": "La gare d'Auvelais rénovée",
        "image": {"data": PNG, "encoding": "base64", "filename": "gare.png", "content-type": "image/png"}})).await;
    let contact = create(&t, "admin", "/", json!({"@type": "Document", "title": "Service Mobilité", "description": "Rue de la Gare 1"})).await;
    let hidden = create(
        &t,
        "admin",
        "/",
        json!({"@type": "Document", "title": "Brouillon secret"}),
    )
    .await;
    let uid = |p: &str| t.site.get(p).unwrap().unwrap().uid;
    create(
        &t,
        "admin",
        &page,
        json!({"@type": "Contact Section", "title": "Contact", "contact": uid(&contact)}),
    )
    .await;
    create(
        &t,
        "admin",
        &page,
        json!({"@type": "Contact Section", "title": "Caché", "contact": uid(&hidden)}),
    )
    .await;
    create(
        &t,
        "admin",
        &page,
        json!({"@type": "Query Section", "title": "Actualités mobilité",
        "query_types": ["News Item"], "query_topic": "mobility", "query_limit": 2}),
    )
    .await;
    // Out of the menu, so only the section shows their titles.
    let news = create(
        &t,
        "admin",
        "/",
        json!({"@type": "Folder", "title": "Actus", "exclude_from_nav": true}),
    )
    .await;
    transition(&t, "admin", &news, "publish").await;
    for (title, topic) in [
        ("Nouveau bus", "mobility"),
        ("Piste cyclable", "mobility"),
        ("Parking vélo", "mobility"),
        ("Concert", "culture"),
    ] {
        let n = create(
            &t,
            "admin",
            &news,
            json!({"@type": "News Item", "title": title, "topics": [topic]}),
        )
        .await;
        transition(&t, "admin", &n, "publish").await;
    }
    for p in [&page, &contact] {
        transition(&t, "admin", p, "publish").await;
    }
    let html = get(&t, &page, None).await.text();
    assert!(
        html.contains("Plan communal de mobilité</a> <span class=\"file-meta\">(pcm.txt, 18 B)"),
        "{html}"
    );
    assert!(
        html.contains("/la-nouvelle-gare/@@images/image/preview"),
        "{html}"
    );
    assert!(
        html.contains("alt=\"La gare d&#39;Auvelais rénovée\""),
        "{html}"
    );
    assert!(html.contains("Service Mobilité</a>"), "{html}");
    assert!(
        !html.contains("Brouillon secret"),
        "a contact the visitor may not see is not shown"
    );
    // Two of the three mobility news, none of the culture one.
    let shown = ["Nouveau bus", "Piste cyclable", "Parking vélo"]
        .iter()
        .filter(|t| html.contains(*t))
        .count();
    assert_eq!(shown, 2, "{html}");
    assert!(!html.contains("Concert"));
    assert!(
        html.contains("href=\"http://town.test/@@news?topic=mobility\""),
        "{html}"
    );
}

/// Every type of the module: its add form, created over the API, edited,
/// its page and its edit form shown.
#[tokio::test]
async fn every_type_is_added_edited_and_shown() {
    let t = town(false);
    let page = create(
        &t,
        "admin",
        "/",
        json!({"@type": "Document", "title": "Hôte"}),
    )
    .await;
    let image = json!({"data": PNG, "encoding": "base64", "filename": "i.png", "content-type": "image/png"});
    let file = json!({"data": "dGV4dGU=", "encoding": "base64", "filename": "f.txt", "content-type": "text/plain"});
    let soon = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let later = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    let cases: Vec<(&str, &str, Value)> = vec![
        ("/", "Folder", json!({})),
        ("/", "Document", json!({"text": "<p>Texte</p>"})),
        (
            "/",
            "News Item",
            json!({"text": "<p>Texte</p>", "image": image}),
        ),
        (
            "/",
            "Event",
            json!({"start": soon, "end": later, "event_type": "event"}),
        ),
        ("/", "File", json!({"file": file})),
        ("/", "Image", json!({"image": image})),
        (
            "/",
            "Link",
            json!({"remote_url": "https://www.wallonie.be/"}),
        ),
        (
            "/",
            "Procedure",
            json!({"procedure_category": "certificate"}),
        ),
        (
            "/",
            "Alert",
            json!({"message": "Attention", "effective": soon, "expires": later}),
        ),
        ("/", "Subsite", json!({})),
        (&page, "Text Section", json!({"text": "<p>Texte</p>"})),
        (&page, "Files Section", json!({})),
        (&page, "Gallery Section", json!({})),
        (&page, "Links Section", json!({})),
        (
            &page,
            "Map Section",
            json!({"latitude": 50.4, "longitude": 4.6}),
        ),
        (
            &page,
            "Contact Section",
            json!({"contact": t.site.get(&page).unwrap().unwrap().uid}),
        ),
        (
            &page,
            "Query Section",
            json!({"query_types": ["News Item"]}),
        ),
        (
            &page,
            "Video Section",
            json!({"video_url": "https://video.example/v"}),
        ),
    ];
    for (parent, ty, mut body) in cases {
        let form = get(
            &t,
            &format!(
                "{}/++add++{}",
                parent.trim_end_matches('/'),
                ty.replace(' ', "%20")
            ),
            Some("admin"),
        )
        .await;
        assert_eq!(form.status, 200, "{ty} add form: {}", form.text());
        assert!(form.text().contains("<form"), "{ty}");
        body["@type"] = json!(ty);
        body["title"] = json!(format!("Essai {ty}"));
        let path = create(&t, "admin", parent, body).await;
        let r = call(
            &t,
            "PATCH",
            &path,
            Some("admin"),
            Some(json!({"description": "Modifié"})),
        )
        .await;
        assert_eq!(r.status, 204, "{ty}: {}", r.text());
        let shown = get(&t, &path, Some("admin")).await;
        assert_eq!(shown.status, 200, "{ty}");
        assert!(
            shown.text().contains(&format!("Essai {ty}")) || ty == "Alert",
            "{ty}"
        );
        assert!(shown.text().contains("Modifié"), "{ty}: {}", shown.text());
        let edit = get(&t, &format!("{path}/@@edit"), Some("admin")).await;
        assert_eq!(edit.status, 200, "{ty} edit form");
    }
    // Sections go in pages only; a page's add menu offers them.
    let r = call(
        &t,
        "POST",
        "/",
        Some("admin"),
        Some(json!({"@type": "Map Section", "title": "Hors page"})),
    )
    .await;
    assert!(r.status.is_client_error(), "{}", r.text());
}
