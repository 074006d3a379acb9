//! `POST @workflow/{transition}` with plone.restapi's whole body
//! (`comment`, `effective`, `expires`, `include_children`), and the
//! plone.restapi members a content GET serialises (dates, creators,
//! subjects, layout, type titles).

use std::sync::Arc;

use axum::http::StatusCode;
use axum::Router;
use base64::Engine;
use beffroi::prelude::*;

use crate::common::{admin, data, open_site, registry, request as call, serve};

const PASSWORD: &str = "Correct-horse-42";
const JSON: (&str, &str) = ("accept", "application/json");
const SEND_JSON: (&str, &str) = ("content-type", "application/json");
const EN: (&str, &str) = ("accept-language", "en");

const DOSSIER: &str = r#"
name = "Dossier"
container = true
title = { en = "Case file", fr = "Dossier" }
default_view = "dossier_view"
workflow = "simple_publication"
"#;

const NOTE: &str = r#"
name = "Note"
title = { en = "Note", fr = "Note de service" }
default_view = "note_view"
workflow = "simple_publication"

[[field]]
name = "subjects"
kind = "text"
"#;

const MEMO: &str = r#"
name = "Memo"
title = { en = "Memo" }
workflow = "one_state"
"#;

/// Its publication date is a date field of its own.
const NOTICE: &str = r#"
name = "Notice"
title = { en = "Notice" }
workflow = "simple_publication"

[[field]]
name = "effective"
kind = "date"
"#;

/// Its `expires` field is text: it cannot take an expiry date.
const OFFER: &str = r#"
name = "Offer"
title = { en = "Offer" }
workflow = "simple_publication"

[[field]]
name = "expires"
kind = "text"
"#;

struct Records;

impl Module for Records {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "records",
            version: "1.0.0",
            core: "^0.2",
            types: &[
                ("types/dossier.toml", DOSSIER),
                ("types/note.toml", NOTE),
                ("types/memo.toml", MEMO),
                ("types/notice.toml", NOTICE),
                ("types/offer.toml", OFFER),
            ],
            ..Manifest::EMPTY
        }
    }
}

static RECORDS: Records = Records;

const SITE: &str = "id = \"town\"\ntitle = \"Test Town\"\nlanguages = [\"fr\", \"en\"]\nhosts = [\"town.test\"]\n[modules.testing]\n[modules.records]\n";

struct Town {
    _dir: tempfile::TempDir,
    site: Arc<Site>,
    app: Router,
}

/// A town where claire contributes at the root and rita reviews.
fn town() -> Town {
    let dir = tempfile::tempdir().unwrap();
    let site = Arc::new(open_site(dir.path(), SITE, &registry(&[&RECORDS])).unwrap());
    site.create(Some("Hotel-de-ville-2026")).unwrap();
    site.write(&admin(), |w| {
        w.add_user("claire", "Claire", None, PASSWORD, &[])?;
        w.add_user("rita", "Rita", None, PASSWORD, &["Reviewer".into()])?;
        w.set_local_roles("/", "claire", &["Contributor".into()])?;
        Ok(())
    })
    .unwrap();
    let app = serve(&crate::common::Town {
        dir: tempfile::tempdir().unwrap(),
        site: Arc::clone(&site),
    });
    Town {
        _dir: dir,
        site,
        app,
    }
}

fn basic(login: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{login}:{PASSWORD}"))
    )
}

/// claire adds an item (with the id given) in `parent`.
fn add(t: &Town, parent: &str, type_name: &str, id: &str) -> Item {
    let claire = t.site.principal("claire").unwrap();
    t.site
        .write(&claire, |w| {
            w.add_with(
                parent,
                type_name,
                data(json!({"title": id})),
                AddOptions {
                    id: Some(id.into()),
                    ..AddOptions::default()
                },
            )
        })
        .unwrap()
}

fn submit(t: &Town, path: &str) {
    let claire = t.site.principal("claire").unwrap();
    t.site
        .write(&claire, |w| w.transition(path, "submit", ""))
        .unwrap();
}

fn state(t: &Town, path: &str) -> String {
    t.site
        .get(path)
        .unwrap()
        .unwrap()
        .review_state
        .unwrap_or_default()
}

async fn fire(
    t: &Town,
    who: Option<&str>,
    path: &str,
    transition: &str,
    body: &str,
) -> crate::common::Answer {
    let auth = who.map(basic);
    let mut headers = vec![JSON, SEND_JSON, EN];
    if let Some(a) = &auth {
        headers.push(("authorization", a.as_str()));
    }
    call(
        &t.app,
        "POST",
        &format!("{path}/@workflow/{transition}"),
        &headers,
        body,
    )
    .await
}

#[tokio::test]
async fn a_transition_sets_the_publication_dates_in_the_same_change() {
    let t = town();
    add(&t, "/", "Note", "note");
    submit(&t, "/note");
    let before = t.site.get("/note").unwrap().unwrap();

    let r = fire(
        &t,
        Some("rita"),
        "/note",
        "publish",
        r#"{"comment": "Bon pour publication", "effective": "2026-03-01T10:00:00+01:00", "expires": "2027-01-01"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let entry = r.json();
    assert_eq!(entry["action"], "publish");
    assert_eq!(entry["actor"], "rita");
    assert_eq!(entry["comments"], "Bon pour publication");
    assert_eq!(entry["review_state"], "published");
    assert_eq!(entry["title"], "Published");

    let item = t.site.get("/note").unwrap().unwrap();
    assert_eq!(item.review_state.as_deref(), Some("published"));
    assert_eq!(item.fields["effective"], "2026-03-01T09:00:00+00:00");
    assert_eq!(item.fields["expires"], "2027-01-01T00:00:00+00:00");
    // One change: the state and the dates together.
    assert_eq!(item.revision, before.revision + 1);
    let last = t.site.history("/note").unwrap().pop().unwrap();
    assert_eq!(last.workflow.unwrap().transition, "publish");
    assert_eq!(last.changed, ["effective", "expires"]);

    // The content API serialises them where plone.restapi does.
    let r = call(&t.app, "GET", "/note", &[JSON], "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["effective"], "2026-03-01T09:00:00+00:00");
    assert_eq!(v["expires"], "2027-01-01T00:00:00+00:00");

    // A date without offset is UTC; a type with a date field keeps a date.
    add(&t, "/", "Notice", "notice");
    let r = fire(
        &t,
        Some("claire"),
        "/notice",
        "submit",
        r#"{"effective": "2026-05-04T08:30"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let notice = t.site.get("/notice").unwrap().unwrap();
    assert_eq!(notice.review_state.as_deref(), Some("pending"));
    assert_eq!(notice.fields["effective"], "2026-05-04");

    // A type whose `expires` is not a date: 400 naming it, nothing changes.
    let offer = add(&t, "/", "Offer", "offer");
    let r = fire(
        &t,
        Some("claire"),
        "/offer",
        "submit",
        r#"{"expires": "2027-01-01"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("expires"), "{}", r.body);
    assert_eq!(t.site.get("/offer").unwrap().unwrap(), offer);

    // An empty body and an empty date are fine: the dates stay as they are.
    let r = fire(
        &t,
        Some("rita"),
        "/note",
        "reject",
        r#"{"comment": "Trop tôt", "effective": ""}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let item = t.site.get("/note").unwrap().unwrap();
    assert_eq!(item.review_state.as_deref(), Some("private"));
    assert_eq!(item.fields["effective"], "2026-03-01T09:00:00+00:00");
}

#[tokio::test]
async fn include_children_publishes_a_tree_and_skips_what_is_not_available() {
    let t = town();
    add(&t, "/", "Dossier", "dossier");
    add(&t, "/dossier", "Note", "ready");
    add(&t, "/dossier", "Note", "draft");
    add(&t, "/dossier", "Memo", "memo");
    add(&t, "/dossier", "Dossier", "sub");
    add(&t, "/dossier/sub", "Note", "deep");
    add(&t, "/dossier/sub", "Note", "hidden");
    add(&t, "/", "Note", "outside");
    for p in [
        "/dossier",
        "/dossier/ready",
        "/dossier/sub",
        "/dossier/sub/deep",
        "/outside",
    ] {
        submit(&t, p);
    }
    let memo_before = t.site.get("/dossier/memo").unwrap().unwrap();

    let r = fire(
        &t,
        Some("rita"),
        "/dossier",
        "publish",
        r#"{"comment": "Tout le dossier", "effective": "2026-04-01", "include_children": true}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The answer is the folder's own history entry.
    let entry = r.json();
    assert_eq!(entry["action"], "publish");
    assert_eq!(entry["review_state"], "published");
    assert_eq!(entry["comments"], "Tout le dossier");

    for p in [
        "/dossier",
        "/dossier/ready",
        "/dossier/sub",
        "/dossier/sub/deep",
    ] {
        assert_eq!(state(&t, p), "published", "{p}");
        let item = t.site.get(p).unwrap().unwrap();
        assert_eq!(item.fields["effective"], "2026-04-01T00:00:00+00:00", "{p}");
        let last = t.site.history(p).unwrap().pop().unwrap();
        let step = last.workflow.unwrap();
        assert_eq!(step.transition, "publish", "{p}");
        assert_eq!(step.comment, "Tout le dossier", "{p}");
        assert_eq!(last.actor, "rita", "{p}");
    }
    // Private drafts the reviewer cannot see, a one-state memo with no
    // `publish`: skipped, untouched. Outside the folder: untouched.
    assert_eq!(state(&t, "/dossier/draft"), "private");
    assert_eq!(state(&t, "/dossier/sub/hidden"), "private");
    assert!(t
        .site
        .get("/dossier/draft")
        .unwrap()
        .unwrap()
        .field("effective")
        .is_none());
    assert_eq!(t.site.get("/dossier/memo").unwrap().unwrap(), memo_before);
    assert_eq!(state(&t, "/outside"), "pending");

    // Without include_children only the item moves.
    add(&t, "/", "Dossier", "other");
    add(&t, "/other", "Note", "inside");
    submit(&t, "/other");
    submit(&t, "/other/inside");
    let r = fire(&t, Some("rita"), "/other", "publish", "{}").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(state(&t, "/other"), "published");
    assert_eq!(state(&t, "/other/inside"), "pending");
}

#[tokio::test]
async fn bad_bodies_and_unknown_transitions_are_refused_and_change_nothing() {
    let t = town();
    add(&t, "/", "Dossier", "dossier");
    add(&t, "/dossier", "Note", "note");
    // The owner submits the folder and what is in it, dated.
    let r = fire(
        &t,
        Some("claire"),
        "/dossier",
        "submit",
        r#"{"effective": "2026-03-01", "include_children": true, "expires": null}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(state(&t, "/dossier/note"), "pending");
    let before: Vec<Item> = ["/dossier", "/dossier/note"]
        .iter()
        .map(|p| t.site.get(p).unwrap().unwrap())
        .collect();
    assert_eq!(before[1].fields["effective"], "2026-03-01T00:00:00+00:00");

    let bad = [
        (
            r#"{"effective": "yesterday", "include_children": true}"#,
            "effective",
        ),
        (r#"{"expires": "2026-02-30"}"#, "expires"),
        (
            r#"{"effective": "2026-03-01", "expires": "2026-02-01"}"#,
            "expires",
        ),
        (r#"{"effective": 20260301}"#, "effective"),
        (r#"{"include_children": "yes"}"#, "include_children"),
        (r#"{"comment": ["a"]}"#, "comment"),
        (r#"{"publish_date": "2026-03-01"}"#, "publish_date"),
        (r#"{"effective": "3026-01-01"}"#, "effective"),
        ("[]", "body"),
        ("not json", "body"),
    ];
    for (body, named) in bad {
        let r = fire(&t, Some("rita"), "/dossier", "publish", body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.body);
        assert!(r.body.contains(named), "{body} names {named}: {}", r.body);
    }
    // An expiry before the publication date the item already has.
    let r = fire(
        &t,
        Some("rita"),
        "/dossier",
        "reject",
        r#"{"comment": "non", "expires": "2026-01-01", "include_children": true}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("expires"), "{}", r.body);

    // A transition the workflow does not have, or not from this state: 400.
    for name in ["fly", "submit"] {
        let r = fire(&t, Some("rita"), "/dossier", name, "{}").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name}: {}", r.body);
        assert!(r.body.contains(name), "{}", r.body);
    }
    // A comment the transition needs: 400 without it.
    let r = fire(&t, Some("rita"), "/dossier", "reject", "{}").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let after: Vec<Item> = ["/dossier", "/dossier/note"]
        .iter()
        .map(|p| t.site.get(p).unwrap().unwrap())
        .collect();
    assert_eq!(after, before);
}

#[tokio::test]
async fn visitors_must_log_in_and_users_need_the_permission() {
    let t = town();
    add(&t, "/", "Note", "note");
    submit(&t, "/note");
    let r = fire(&t, Some("rita"), "/note", "publish", "{}").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let published = t.site.get("/note").unwrap().unwrap();

    // A visitor sees the published note but may fire nothing: 401.
    let r = fire(&t, None, "/note", "retract", "{}").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    // The reviewer may not retract (the owner's transition): 403.
    let r = fire(&t, Some("rita"), "/note", "retract", "{}").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(t.site.get("/note").unwrap().unwrap(), published);

    // The owner may retract a pending note but not date it there (Modify
    // is the reviewer's while it waits): 403, nothing changes.
    add(&t, "/", "Note", "waiting");
    submit(&t, "/waiting");
    let waiting = t.site.get("/waiting").unwrap().unwrap();
    let r = fire(
        &t,
        Some("claire"),
        "/waiting",
        "retract",
        r#"{"effective": "2026-03-01"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(t.site.get("/waiting").unwrap().unwrap(), waiting);
    let r = fire(&t, Some("claire"), "/waiting", "retract", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(state(&t, "/waiting"), "private");
}

#[tokio::test]
async fn content_carries_plone_restapi_dublin_core_and_type_members() {
    let t = town();
    add(&t, "/", "Dossier", "dossier");
    let note = add(&t, "/dossier", "Note", "note");
    let claire = t.site.principal("claire").unwrap();
    t.site
        .write(&claire, |w| {
            w.update("/dossier/note", data(json!({"subjects": "voirie"})), None)
        })
        .unwrap();
    let auth = basic("claire");

    let r = call(
        &t.app,
        "GET",
        "/dossier/note",
        &[JSON, EN, ("authorization", &auth)],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["UID"], note.uid);
    assert_eq!(v["effective"], Value::Null);
    assert_eq!(v["expires"], Value::Null);
    assert_eq!(v["creators"], json!(["claire"]));
    assert_eq!(v["subjects"], "voirie", "a type's own field wins");
    assert_eq!(v["is_folderish"], false);
    assert_eq!(v["review_state"], "private");
    assert_eq!(v["layout"], "note_view");
    assert_eq!(v["type_title"], "Note");
    assert_eq!(v["parent"]["@type"], "Dossier");
    assert_eq!(v["parent"]["type_title"], "Case file");

    // In French; a folder lists its items with their type's title.
    let r = call(
        &t.app,
        "GET",
        "/dossier",
        &[JSON, ("accept-language", "fr"), ("authorization", &auth)],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["type_title"], "Dossier");
    assert_eq!(v["layout"], "dossier_view");
    assert_eq!(v["is_folderish"], true);
    assert_eq!(v["subjects"], json!([]));
    assert_eq!(v["items"][0]["type_title"], "Note de service");
    assert_eq!(v["parent"]["type_title"], "Site");
    assert_eq!(v["parent"]["@type"], "Plone Site");

    // The root has no parent; a visitor sees no private item at all.
    let r = call(&t.app, "GET", "/", &[JSON, EN], "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["parent"], json!({}));
    assert_eq!(v["type_title"], "Site");
    assert_eq!(v["layout"], "folder_listing");
    assert_eq!(v["creators"], json!(["admin"]));
    assert_eq!(v["items_total"], 0);
    let r = call(&t.app, "GET", "/dossier/note", &[JSON, EN], "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
