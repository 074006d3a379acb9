use beffroi::prelude::*;

use crate::common::{admin, data, town};

fn titles(items: &[Item]) -> Vec<&str> {
    items.iter().map(Item::title).collect()
}

#[test]
fn ids_are_unique_slugs_and_children_keep_their_order() {
    let t = town();
    let s = &t.site;
    let folder = s
        .add(&admin(), "/", "Folder", data(json!({"title": "Services"})))
        .unwrap();
    for title in ["Écoles", "Écoles", "Crèches", "Écoles!"] {
        s.add(
            &admin(),
            &folder.path,
            "Page",
            data(json!({"title": title})),
        )
        .unwrap();
    }
    let children = s.children("/services").unwrap();
    let ids: Vec<&str> = children.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, vec!["ecoles", "ecoles-1", "creches", "ecoles-2"]);
    assert_eq!(
        s.get("/services/creches").unwrap().unwrap().title(),
        "Crèches"
    );
    let by_uid = s.get_by_uid(&children[2].uid).unwrap().unwrap();
    assert_eq!(by_uid.path, "/services/creches");

    s.write(&admin(), |w| w.reorder("/services", "creches", 0))
        .unwrap();
    assert_eq!(
        titles(&s.children("/services").unwrap()),
        vec!["Crèches", "Écoles", "Écoles", "Écoles!"]
    );
    s.write(&admin(), |w| w.reorder("/services", "ecoles", 99))
        .unwrap();
    assert_eq!(
        s.children("/services")
            .unwrap()
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>(),
        vec!["creches", "ecoles-1", "ecoles-2", "ecoles"]
    );
    let (page, total) = s.children_page("/services", 1, 2).unwrap();
    assert_eq!(total, 4);
    assert_eq!(
        page.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        vec!["ecoles-1", "ecoles-2"]
    );
}

#[test]
fn chosen_ids_are_checked() {
    let t = town();
    let s = &t.site;
    let add = |id: &str| {
        s.write(&admin(), |w| {
            w.add_with(
                "/",
                "Page",
                data(json!({"title": "x"})),
                AddOptions {
                    id: Some(id.into()),
                    ..Default::default()
                },
            )
        })
    };
    add("contact").unwrap();
    assert!(matches!(add("contact"), Err(Error::Conflict(_))));
    for bad in ["", "../etc", "Capital", "a/b", "@search", "++api++"] {
        assert!(matches!(add(bad), Err(Error::Invalid(_))), "{bad}");
    }
}

#[test]
fn types_go_only_where_allowed() {
    let t = town();
    let s = &t.site;
    // `Box` is not globally addable, and only takes pages.
    assert!(matches!(
        s.add(&admin(), "/", "Box", data(json!({"title": "b"}))),
        Err(Error::NotAllowed(_))
    ));
    let f = s
        .add(&admin(), "/", "Folder", data(json!({"title": "f"})))
        .unwrap();
    let page = s
        .add(&admin(), "/", "Page", data(json!({"title": "p"})))
        .unwrap();
    assert!(matches!(
        s.add(&admin(), &page.path, "Page", data(json!({"title": "x"}))),
        Err(Error::NotAllowed(_))
    ));
    assert!(matches!(
        s.add(&admin(), &f.path, "Nope", data(json!({"title": "x"}))),
        Err(Error::NotAllowed(_))
    ));
    assert!(matches!(
        s.add(&admin(), "/missing", "Page", data(json!({"title": "x"}))),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn updates_are_partial_and_stale_revisions_refused() {
    let t = town();
    let s = &t.site;
    let p = s
        .add(
            &admin(),
            "/",
            "Page",
            data(json!({"title": "Horaires", "count": 2})),
        )
        .unwrap();
    assert_eq!(p.revision, 1);
    let p2 = s
        .update(
            &admin(),
            "/horaires",
            data(json!({"description": "Été"})),
            Some(1),
        )
        .unwrap();
    assert_eq!(p2.revision, 2);
    assert_eq!(p2.field("count"), Some(&json!(2)), "untouched fields stay");
    assert_eq!(p2.description(), "Été");
    let stale = s
        .update(&admin(), "/horaires", data(json!({"count": 5})), Some(1))
        .unwrap_err();
    assert!(matches!(stale, Error::Conflict(_)), "{stale}");
    assert_eq!(
        s.get("/horaires").unwrap().unwrap().field("count"),
        Some(&json!(2))
    );
    let bad = s
        .update(&admin(), "/horaires", data(json!({"title": null})), None)
        .unwrap_err();
    assert!(matches!(bad, Error::Invalid(_)));
    let cleared = s
        .update(&admin(), "/horaires", data(json!({"count": null})), None)
        .unwrap();
    assert_eq!(cleared.field("count"), None);
    let history = s.history("/horaires").unwrap();
    assert_eq!(
        history
            .iter()
            .map(|h| h.action.as_str())
            .collect::<Vec<_>>(),
        vec!["added", "modified", "modified"]
    );
    assert_eq!(history[1].changed, vec!["description".to_string()]);
}

#[test]
fn move_rename_copy_and_delete_keep_the_tree_consistent() {
    let t = town();
    let s = &t.site;
    s.add(&admin(), "/", "Folder", data(json!({"title": "A"})))
        .unwrap();
    s.add(&admin(), "/a", "Folder", data(json!({"title": "Sub"})))
        .unwrap();
    let leaf = s
        .add(&admin(), "/a/sub", "Page", data(json!({"title": "Leaf"})))
        .unwrap();
    s.add(&admin(), "/", "Folder", data(json!({"title": "B"})))
        .unwrap();

    let moved = s.write(&admin(), |w| w.move_to("/a/sub", "/b")).unwrap();
    assert_eq!(moved.path, "/b/sub");
    assert!(s.get("/a/sub").unwrap().is_none());
    let leaf_now = s.get_by_uid(&leaf.uid).unwrap().unwrap();
    assert_eq!(leaf_now.path, "/b/sub/leaf", "paths below follow");
    assert_eq!(s.get("/b/sub/leaf").unwrap().unwrap().uid, leaf.uid);
    assert!(s.children("/a").unwrap().is_empty());

    let renamed = s.write(&admin(), |w| w.rename("/b/sub", "annexe")).unwrap();
    assert_eq!(renamed.path, "/b/annexe");
    assert_eq!(
        s.get_by_uid(&leaf.uid).unwrap().unwrap().path,
        "/b/annexe/leaf"
    );
    assert!(matches!(
        s.write(&admin(), |w| w.move_to("/b", "/b/annexe")),
        Err(Error::NotAllowed(_))
    ));

    let copy = s.write(&admin(), |w| w.copy("/b/annexe", "/b")).unwrap();
    assert_eq!(copy.path, "/b/annexe-1");
    let copied_leaf = s.get("/b/annexe-1/leaf").unwrap().unwrap();
    assert_ne!(copied_leaf.uid, leaf.uid);
    assert_eq!(copied_leaf.title(), "Leaf");

    s.delete(&admin(), "/b", None).unwrap();
    assert!(s.get("/b").unwrap().is_none());
    assert!(s.get("/b/annexe/leaf").unwrap().is_none());
    assert!(s.get_by_uid(&leaf.uid).unwrap().is_none());
    assert!(s.get_by_uid(&copied_leaf.uid).unwrap().is_none());
    assert_eq!(titles(&s.children("/").unwrap()), vec!["A"]);
    assert!(matches!(
        s.delete(&admin(), "/", None),
        Err(Error::NotAllowed(_))
    ));
}

#[test]
fn references_and_blobs_must_exist() {
    let t = town();
    let s = &t.site;
    let target = s
        .add(&admin(), "/", "Page", data(json!({"title": "Target"})))
        .unwrap();
    let ghost = "0123456789abcdef0123456789abcdef";
    let err = s
        .add(
            &admin(),
            "/",
            "Page",
            data(json!({"title": "r", "related": ghost})),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Invalid(_)));
    s.add(
        &admin(),
        "/",
        "Page",
        data(json!({"title": "r", "related": target.uid})),
    )
    .unwrap();

    let blob = s
        .put_blob(&mut &b"%PDF-1.4 minutes"[..], "application/pdf", "pv.pdf")
        .unwrap();
    assert_eq!(blob.size, 16);
    let err = s
        .add(
            &admin(),
            "/",
            "Page",
            data(json!({"title": "i", "photo": serde_json::to_value(&blob).unwrap()})),
        )
        .unwrap_err();
    assert!(
        matches!(err, Error::Invalid(ref e) if e[0].code == "not_an_image"),
        "{err}"
    );
    let mut fake = blob.clone();
    fake.sha256 = "f".repeat(64);
    let err = s
        .add(
            &admin(),
            "/",
            "Page",
            data(json!({"title": "f", "attachment": serde_json::to_value(&fake).unwrap()})),
        )
        .unwrap_err();
    assert!(
        matches!(err, Error::Invalid(ref e) if e[0].code == "bad_blob"),
        "{err}"
    );
    s.add(
        &admin(),
        "/",
        "Page",
        data(json!({"title": "f", "attachment": serde_json::to_value(&blob).unwrap()})),
    )
    .unwrap();
}

#[test]
fn uploads_past_the_limit_are_refused() {
    let t = town();
    let mut big = std::io::Read::take(std::io::repeat(b'x'), 51 * 1024 * 1024);
    let err = t
        .site
        .put_blob(&mut big, "text/plain", "big.txt")
        .unwrap_err();
    assert!(
        matches!(err, Error::Invalid(ref e) if e[0].code == "too_large"),
        "{err}"
    );
}
