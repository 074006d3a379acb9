//! Search over HTTP with the core's own search (no catalog): `@search`,
//! `@querystring`, `@querystring-search` — parameters, batching, errors,
//! and permissions (Plone's rule: an item is found by its own View).

use axum::http::StatusCode;

use crate::api_nav::{get, ids, nav_town};
use crate::common::*;
use crate::common::{basic, JSON};
use beffroi::prelude::*;

fn paths(v: &Value) -> Vec<String> {
    ids(&v["items"])
}

#[tokio::test]
async fn search_is_contextual_and_finds_only_what_one_may_view() {
    let t = nav_town();
    let app = serve(&t);
    let r = get(&app, "/news/@search", None, "en").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["@id"], "http://town.test/news/@search");
    assert_eq!(paths(&v), vec!["/news", "/news/first", "/news/hidden-menu"]);
    assert_eq!(v["items_total"], 3);
    assert!(v.get("batching").is_none());
    let r = get(&app, "/news/@search?path.depth=1", None, "en").await;
    assert_eq!(paths(&r.json()), vec!["/news/first", "/news/hidden-menu"]);
    let r = get(&app, "/news/@search?path.depth=1", Some("sam"), "en").await;
    assert_eq!(
        paths(&r.json()),
        vec!["/news/draft", "/news/first", "/news/hidden-menu"]
    );
    // Plone's rule: the published memo in the private intranet is found;
    // the page that follows its folder is not.
    let r = get(&app, "/@search?SearchableText=memo", None, "en").await;
    assert_eq!(paths(&r.json()), vec!["/intranet/memo"]);
    let r = get(&app, "/@search?SearchableText=memo", Some("sam"), "en").await;
    assert_eq!(paths(&r.json()), vec!["/intranet/memo", "/intranet/inner"]);
    // …while a search from inside the private folder is refused to visitors.
    let r = get(&app, "/intranet/@search", None, "en").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A private item's words find nothing.
    let r = get(&app, "/@search?SearchableText=secret", None, "en").await;
    assert_eq!(r.json()["items_total"], 0);
    let r = get(&app, "/@search?SearchableText=secret", Some("claire"), "en").await;
    assert_eq!(r.json()["items_total"], 0);
}

#[tokio::test]
async fn search_results_have_plone_restapis_summary_shape() {
    let t = nav_town();
    let app = serve(&t);
    let r = get(
        &app,
        "/@search?portal_type=Menu%20Page&sort_on=sortable_title",
        None,
        "fr",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    insta::assert_json_snapshot!("search_summary_fr", r.json());
    let r = get(
        &app,
        "/@search?portal_type=Menu%20Page&metadata_fields=UID&metadata_fields=created&metadata_fields=Subject&metadata_fields=unknown_column",
        None,
        "en",
    )
    .await;
    let v = r.json();
    let first = &v["items"][0];
    let uid = t.site.get("/news/first").unwrap().unwrap().uid;
    assert_eq!(first["UID"], uid);
    assert!(first["created"].as_str().unwrap().contains('T'));
    assert_eq!(first["Subject"], "roads");
    assert!(first.get("unknown_column").is_none());
    let r = get(
        &app,
        "/@search?portal_type=Menu%20Page&metadata_fields=_all",
        None,
        "en",
    )
    .await;
    let first = &r.json()["items"][0];
    for col in [
        "UID",
        "Creator",
        "getId",
        "getPath",
        "modified",
        "portal_type",
        "Type",
    ] {
        assert!(first.get(col).is_some(), "{col}");
    }
    let r = get(
        &app,
        "/@search?portal_type=Menu%20Page&fullobjects=1",
        None,
        "en",
    )
    .await;
    let first = &r.json()["items"][0];
    assert_eq!(first["UID"], uid);
    assert_eq!(
        first["@components"]["navigation"]["@id"],
        "http://town.test/news/first/@navigation"
    );
    assert_eq!(first["district"], "north");
}

#[tokio::test]
async fn search_filters_by_index() {
    let t = nav_town();
    let app = serve(&t);
    let found = |uri: &'static str, who: Option<&'static str>| {
        let app = app.clone();
        async move {
            let r = get(&app, uri, who, "en").await;
            assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
            paths(&r.json())
        }
    };
    assert_eq!(
        found("/@search?portal_type=Folder", Some("sam")).await,
        vec!["/intranet", "/news"]
    );
    // ZPublisher's suffixes.
    assert_eq!(
        found(
            "/@search?portal_type:list=Folder&portal_type:list=Page",
            None
        )
        .await,
        vec!["/about", "/news"]
    );
    assert_eq!(
        found(
            "/news/@search?path.depth:int=1&review_state=published",
            Some("sam")
        )
        .await,
        vec!["/news/first", "/news/hidden-menu"]
    );
    assert_eq!(
        found("/@search?path.query=/news&path.depth=0", None).await,
        vec!["/news"]
    );
    // A path with the site's id in front, as Plone's physical paths are.
    assert_eq!(
        found("/@search?path.query=/town/news&path.depth=1", None).await,
        vec!["/news/first", "/news/hidden-menu"]
    );
    assert_eq!(
        found("/@search?review_state=private", Some("sam")).await,
        // The page follows its folder's state: it has none of its own.
        vec!["/intranet", "/news/draft"]
    );
    assert_eq!(
        found("/@search?Subject=roads", None).await,
        vec!["/news/first"]
    );
    assert_eq!(
        found("/@search?Subject=roads&Subject=secret-plans", Some("sam")).await,
        vec!["/news/draft", "/news/first"]
    );
    assert_eq!(
        found(
            "/@search?Subject=roads&Subject=secret-plans&Subject.operator=and",
            Some("sam")
        )
        .await,
        Vec::<String>::new()
    );
    assert_eq!(
        found("/@search?district=south", None).await,
        vec!["/news/hidden-menu"]
    );
    assert_eq!(
        found("/@search?Creator=admin&portal_type=Page", None).await,
        vec!["/about"]
    );
    assert_eq!(
        found("/@search?Language=nl", None).await,
        Vec::<String>::new()
    );
    assert_eq!(
        found("/@search?SearchableText=ROADWORKS", None).await,
        vec!["/news/first"]
    );
    // Date ranges.
    assert_eq!(
        found(
            "/news/@search?created.query=2100-01-01&created.range=min",
            None
        )
        .await,
        Vec::<String>::new()
    );
    assert_eq!(
        found(
            "/news/@search?created.query=2000-01-01&created.range=min&path.depth=1",
            None
        )
        .await,
        vec!["/news/first", "/news/hidden-menu"]
    );
    assert_eq!(
        found("/news/@search?created.query:list=2000-01-01&created.query:list=2100-01-01&created.range=min:max&path.depth=1", None).await,
        vec!["/news/first", "/news/hidden-menu"]
    );
    assert_eq!(
        found(
            "/news/@search?modified.query=2000-01-01&modified.range=max",
            None
        )
        .await,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn search_sorts_limits_and_batches_keeping_parameters() {
    let t = nav_town();
    let app = serve(&t);
    let r = get(
        &app,
        "/@search?sort_on=sortable_title&portal_type:list=Menu%20Page&portal_type:list=Page",
        None,
        "en",
    )
    .await;
    assert_eq!(
        paths(&r.json()),
        vec!["/about", "/news/first", "/news/hidden-menu"]
    );
    let r = get(&app, "/@search?sort_on=sortable_title&sort_order=reverse&portal_type:list=Menu%20Page&portal_type:list=Page", None, "en").await;
    assert_eq!(
        paths(&r.json()),
        vec!["/news/hidden-menu", "/news/first", "/about"]
    );
    let r = get(&app, "/@search?sort_on=sortable_title&sort_limit=2&portal_type:list=Menu%20Page&portal_type:list=Page", None, "en").await;
    assert_eq!(paths(&r.json()), vec!["/about", "/news/first"]);
    assert_eq!(r.json()["items_total"], 2);
    let r = get(
        &app,
        "/@search?portal_type=Menu%20Page&sort_on=sortable_title&b_size=1&b_start=1",
        None,
        "en",
    )
    .await;
    let v = r.json();
    assert_eq!(paths(&v), vec!["/news/hidden-menu"]);
    assert_eq!(v["items_total"], 2);
    insta::assert_json_snapshot!("search_batching", v["batching"]);
    assert_eq!(
        v["@id"],
        "http://town.test/@search?portal_type=Menu+Page&sort_on=sortable_title"
    );
}

#[tokio::test]
async fn bad_search_parameters_get_clear_errors() {
    let t = nav_town();
    let app = serve(&t);
    for (uri, needle) in [
        ("/@search?nonsense=1", "Unknown index"),
        ("/@search?fullobjects=maybe", "not a boolean"),
        ("/@search?fullobjects:boolean=maybe", "not a boolean"),
        ("/@search?path.depth:int=deep", "not an integer"),
        ("/@search?sort_order=sideways", "sort order"),
        ("/@search?sort_on=colour", "cannot sort"),
        ("/@search?b_size=many", "whole number"),
        ("/@search?b_start=-1", "whole number"),
        (
            "/@search?created.query=yesterday&created.range=min",
            "not a date",
        ),
        (
            "/@search?created.query=2020-01-01&created.range=min:max",
            "min:max",
        ),
        ("/@search?portal_type:weird=Page", "suffix"),
        ("/@search?Language=fr&Language=nl", "one language"),
        ("/@search?path=/a&path=/b", "one path"),
        ("/@search?path=/a/../b", "not a path"),
        ("/@search?SearchableText=%20%2A%20", "at least one word"),
    ] {
        let r = get(&app, uri, None, "en").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}: {}", r.body);
        let v = r.json();
        assert_eq!(v["type"], "BadRequest", "{uri}");
        assert!(
            v["message"].as_str().unwrap().contains(needle),
            "{uri}: {}",
            v["message"]
        );
    }
}

#[tokio::test]
async fn querystring_describes_indexes_and_operations() {
    let t = nav_town();
    let app = serve(&t);
    let r = get(&app, "/@querystring", None, "fr").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    let pt = &v["indexes"]["portal_type"];
    assert_eq!(pt["title"], "Type");
    assert_eq!(
        pt["operators"]["plone.app.querystring.operation.selection.any"]["title"],
        "Correspond à l'un de"
    );
    assert_eq!(pt["values"]["Page"]["title"], "Page");
    assert_eq!(v["indexes"]["Subject"]["title"], "Mot-clé");
    assert_eq!(v["indexes"]["district"]["title"], "Quartier");
    assert!(v["indexes"]["created"]["operations"]
        .as_array()
        .unwrap()
        .contains(&json!("plone.app.querystring.operation.date.between")));
    assert_eq!(v["sortable_indexes"]["sortable_title"]["title"], "Titre");
    insta::assert_json_snapshot!("querystring_path_index_en", {
        let r = get(&app, "/@querystring", None, "en").await;
        r.json()["indexes"]["path"].clone()
    });
}

async fn qs(app: &axum::Router, path: &str, who: Option<&str>, body: Value) -> Answer {
    let auth = who.map(basic);
    let mut headers = vec![JSON, ("content-type", "application/json")];
    if let Some(a) = &auth {
        headers.push(("authorization", a.as_str()));
    }
    request(app, "POST", path, &headers, &body.to_string()).await
}

const ANY: &str = "plone.app.querystring.operation.selection.any";

#[tokio::test]
async fn querystring_search_runs_volto_criteria() {
    let t = nav_town();
    let app = serve(&t);
    let found = |r: Answer| {
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        paths(&r.json())
    };
    let r = qs(
        &app,
        "/@querystring-search",
        None,
        json!({"query": [{"i": "portal_type", "o": ANY, "v": ["Menu Page"]}], "sort_on": "sortable_title"}),
    )
    .await;
    assert_eq!(found(r), vec!["/news/first", "/news/hidden-menu"]);
    let r = qs(
        &app,
        "/@querystring-search",
        Some("sam"),
        json!({"query": [
            {"i": "portal_type", "o": ANY, "v": ["Menu Page", "Secret"]},
            {"i": "SearchableText", "o": "plone.app.querystring.operation.string.contains", "v": "memo"}
        ]}),
    )
    .await;
    assert_eq!(found(r), vec!["/intranet/memo"]);
    // Relative and absolute paths, with depth.
    let r = qs(
        &app,
        "/news/first/@querystring-search",
        None,
        json!({"query": [{"i": "path", "o": "plone.app.querystring.operation.string.relativePath", "v": "..::1"}]}),
    )
    .await;
    assert_eq!(found(r), vec!["/news/first", "/news/hidden-menu"]);
    let r = qs(
        &app,
        "/@querystring-search",
        None,
        json!({"query": [{"i": "path", "o": "plone.app.querystring.operation.string.absolutePath", "v": "/news::0"}]}),
    )
    .await;
    assert_eq!(found(r), vec!["/news"]);
    // Dates, sorting, batching and limit.
    let r = qs(
        &app,
        "/news/@querystring-search",
        None,
        json!({"query": [
            {"i": "created", "o": "plone.app.querystring.operation.date.largerThan", "v": "2000-01-01"},
            {"i": "portal_type", "o": ANY, "v": ["Menu Page"]}
        ], "sort_on": "sortable_title", "sort_order": "descending", "b_size": 1, "limit": 5}),
    )
    .await;
    let v = r.json();
    assert_eq!(paths(&v), vec!["/news/hidden-menu"]);
    assert_eq!(v["items_total"], 2);
    assert!(v["batching"]["next"]
        .as_str()
        .unwrap()
        .contains("b_start=1"));
    for (op, v, expect) in [
        ("date.today", json!(""), 2),
        // Plone's "before today" is before now.
        ("date.beforeToday", json!(""), 2),
        // Nothing is created after now (a day later, so the same second does not count).
        (
            "date.largerThan",
            json!((chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339()),
            0,
        ),
        ("date.lessThanRelativeDate", json!("7"), 2),
        ("date.moreThanRelativeDate", json!("7"), 0),
        ("date.between", json!(["2000-01-01", "2100-01-01"]), 2),
        ("date.lessThan", json!("2000-01-01"), 0),
    ] {
        let r = qs(
            &app,
            "/news/@querystring-search",
            None,
            json!({"query": [
                {"i": "created", "o": format!("plone.app.querystring.operation.{op}"), "v": v},
                {"i": "portal_type", "o": ANY, "v": ["Menu Page"]}
            ]}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{op}: {}", r.body);
        assert_eq!(r.json()["items_total"], expect, "{op}");
    }
    // Subjects: any and all.
    let r = qs(
        &app,
        "/@querystring-search",
        Some("sam"),
        json!({"query": [{"i": "Subject", "o": "plone.app.querystring.operation.selection.all", "v": ["roads"]}]}),
    )
    .await;
    assert_eq!(found(r), vec!["/news/first"]);
    // fullobjects and metadata.
    let r = qs(
        &app,
        "/@querystring-search",
        None,
        json!({"query": [{"i": "portal_type", "o": ANY, "v": ["Page"]}], "fullobjects": true}),
    )
    .await;
    assert_eq!(r.json()["items"][0]["kind"], "works");
    let r = qs(
        &app,
        "/@querystring-search",
        None,
        json!({"query": [{"i": "portal_type", "o": ANY, "v": ["Page"]}], "metadata_fields": "_all"}),
    )
    .await;
    assert_eq!(r.json()["items"][0]["getId"], "about");
    // The same search as GET, the body in `query`.
    let body = json!({"query": [{"i": "portal_type", "o": ANY, "v": ["Page"]}]}).to_string();
    let uri = format!(
        "/@querystring-search?query={}",
        form_urlencoded::byte_serialize(body.as_bytes()).collect::<String>()
    );
    let r = get(&app, &uri, None, "en").await;
    assert_eq!(found(r), vec!["/about"]);
    // Its batching links repeat the query and move the batch.
    let body = json!({"query": [{"i": "portal_type", "o": ANY, "v": ["Menu Page"]}], "sort_on": "sortable_title", "b_size": 1}).to_string();
    let uri = format!(
        "/news/@querystring-search?query={}",
        form_urlencoded::byte_serialize(body.as_bytes()).collect::<String>()
    );
    let r = get(&app, &uri, None, "en").await;
    let v = r.json();
    assert_eq!(paths(&v), vec!["/news/first"]);
    let next = v["batching"]["next"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://town.test");
    let r = get(&app, next, None, "en").await;
    assert_eq!(paths(&r.json()), vec!["/news/hidden-menu"]);
}

#[tokio::test]
async fn querystring_search_refuses_what_it_cannot_do() {
    let t = nav_town();
    let app = serve(&t);
    for body in [
        json!({"query": [{"i": "nonsense", "o": ANY, "v": ["x"]}]}),
        json!({"query": [{"i": "portal_type", "o": "plone.app.querystring.operation.string.teleport", "v": "x"}]}),
        json!({"query": [{"i": "portal_type", "o": "plone.app.querystring.operation.date.today", "v": ""}]}),
        json!({"query": [{"i": "created", "o": "plone.app.querystring.operation.date.between", "v": ["2020-01-01"]}]}),
        json!({"query": [{"i": "created", "o": "plone.app.querystring.operation.date.largerThan", "v": "soon"}]}),
        json!({"query": [{"i": "portal_type", "o": ANY, "v": [1]}]}),
        json!({"query": [{"i": "portal_type", "o": ANY, "v": ["Page"], "x": 1}]}),
        json!({"query": "portal_type"}),
        json!({"query": [], "b_size": "lots"}),
        json!({"query": [], "sort_order": 3}),
        json!({"query": [], "fullobjects": "perhaps"}),
    ] {
        let r = qs(&app, "/@querystring-search", None, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.body);
    }
    let r = request(
        &app,
        "POST",
        "/@querystring-search",
        &[JSON, ("content-type", "application/json")],
        "{not json",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = get(&app, "/@querystring-search?query=%7Bnope", None, "en").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Nothing private leaks.
    let r = qs(
        &app,
        "/@querystring-search",
        None,
        json!({"query": [{"i": "review_state", "o": ANY, "v": ["private"]}]}),
    )
    .await;
    assert_eq!(r.json()["items_total"], 0);
}
