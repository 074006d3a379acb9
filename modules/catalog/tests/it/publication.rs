//! Publication dates and field facets through the catalog, as the
//! website's public pages ask them: a published item whose `effective`
//! date has not come, or whose `expires` date has passed, is neither found
//! nor counted for a visitor, and is for a Manager; facets on a field a
//! type indexes count its values among what the asker may see.

use beffroi::prelude::*;
use beffroi::search::{PathQuery, Query};

use crate::common::{admin, open, published};

fn news_query() -> Query {
    Query {
        types: vec!["News Item".into()],
        path: Some(PathQuery {
            path: "/actualites".into(),
            depth: None,
        }),
        facets: vec!["news_category".into(), "topics".into()],
        sort_on: Some("title".into()),
        ..Query::default()
    }
}

fn titles(r: &beffroi::search::Results) -> Vec<&str> {
    r.items.iter().map(|h| h.title.as_str()).collect()
}

#[test]
fn publication_dates_and_field_facets_decide_what_search_finds_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    published(
        &s,
        "/",
        "Folder",
        "actualites",
        None,
        json!({"title": "Actualités"}),
    );
    for (id, title, category, topics, effective, expires) in [
        (
            "courante",
            "Courante",
            "works",
            vec!["mobility"],
            None,
            None,
        ),
        (
            "annoncee",
            "Annoncée",
            "works",
            vec!["mobility", "culture"],
            Some("2200-01-01T00:00:00Z"),
            None,
        ),
        (
            "expiree",
            "Expirée",
            "press",
            vec!["culture"],
            Some("2000-01-01T00:00:00Z"),
            Some("2001-01-01T00:00:00Z"),
        ),
        (
            "en-cours",
            "En cours",
            "press",
            vec!["culture"],
            Some("2000-01-01T00:00:00Z"),
            Some("2199-01-01T00:00:00Z"),
        ),
    ] {
        let mut v = json!({"title": title, "news_category": category, "topics": topics});
        if let Some(e) = effective {
            v["effective"] = json!(e);
        }
        if let Some(e) = expires {
            v["expires"] = json!(e);
        }
        published(&s, "/actualites", "News Item", id, None, v);
    }

    // A visitor: only what is within its dates, in results, totals and facets.
    let visitor = Principal::anonymous();
    let seen = s.search(&visitor, &news_query()).unwrap();
    assert_eq!(titles(&seen), ["Courante", "En cours"]);
    assert_eq!(seen.total, 2);
    assert_eq!(seen.facets["news_category"]["works"], 1);
    assert_eq!(seen.facets["news_category"]["press"], 1);
    assert_eq!(seen.facets["topics"]["mobility"], 1);
    assert_eq!(seen.facets["topics"]["culture"], 1);
    // Nor by their words.
    let q = Query {
        text: Some("annoncée".into()),
        ..Query::default()
    };
    assert_eq!(s.search(&visitor, &q).unwrap().total, 0);
    // Filtering on a field's value.
    let mut q = news_query();
    q.fields.insert("topics".into(), "culture".into());
    assert_eq!(titles(&s.search(&visitor, &q).unwrap()), ["En cours"]);

    // A Manager: everything, counted.
    let manager = s.principal("admin").unwrap();
    let all = s.search(&manager, &news_query()).unwrap();
    assert_eq!(
        titles(&all),
        ["Annoncée", "Courante", "En cours", "Expirée"]
    );
    assert_eq!(all.facets["news_category"]["works"], 2);
    assert_eq!(all.facets["news_category"]["press"], 2);
    assert_eq!(all.facets["topics"]["culture"], 3);
    assert_eq!(s.search(&admin(), &q).unwrap().total, 3);
    let q = Query {
        text: Some("annoncée".into()),
        ..Query::default()
    };
    assert_eq!(titles(&s.search(&manager, &q).unwrap()), ["Annoncée"]);

    // At a time the asker gives: what was within its dates in June 2000.
    // "Courante" was dated when it was published (today), by the website
    // module, so it was not yet.
    let mut q = news_query();
    q.active_at = Some(
        chrono::DateTime::parse_from_rfc3339("2000-06-01T00:00:00Z")
            .unwrap()
            .timestamp(),
    );
    let then = beffroi_catalog::search(&s, &manager, &q).unwrap();
    assert_eq!(titles(&then), ["En cours", "Expirée"]);
}
