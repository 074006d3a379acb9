use beffroi::prelude::*;
use beffroi_catalog::{search, Query};

use crate::common::{admin, data, open, published, text, user};

#[test]
fn a_private_item_is_absent_from_results_totals_and_facets_for_visitors() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    let anonymous = Principal::anonymous();
    published(
        &s,
        "/",
        "Folder",
        "actualites",
        None,
        json!({"title": "Actualités"}),
    );
    let claire = user(&s, "claire");
    s.write(&admin(), |w| {
        w.set_local_roles("/actualites", "claire", &["Contributor".into()])
            .map(drop)
    })
    .unwrap();
    published(
        &s,
        "/actualites",
        "News Item",
        "fete",
        None,
        json!({"title": "Fête de la musique"}),
    );
    let draft = s
        .add(
            &claire,
            "/actualites",
            "News Item",
            data(json!({"title": "Délibérations du conseil", "text": "<p>Le budget communal</p>"})),
        )
        .unwrap();
    let q = Query {
        path: Some(beffroi_catalog::PathQuery {
            path: "/actualites".into(),
            depth: Some(1),
        }),
        facets: vec!["review_state".into(), "type".into()],
        ..Default::default()
    };
    let seen = search(&s, &anonymous, &q).unwrap();
    assert_eq!(seen.total, 1);
    assert_eq!(seen.items[0].path, "/actualites/fete");
    assert_eq!(seen.facets["review_state"].get("private"), None);
    assert_eq!(seen.facets["review_state"]["published"], 1);
    assert_eq!(seen.facets["type"]["News Item"], 1);
    assert!(text(&s, &anonymous, "délibérations").is_empty());
    assert!(
        text(&s, &anonymous, "budget").is_empty(),
        "nor through its body"
    );

    // Its owner finds it, counts it, facets it.
    let mine = search(&s, &claire, &q).unwrap();
    assert_eq!(mine.total, 2);
    assert_eq!(mine.facets["review_state"]["private"], 1);
    assert_eq!(
        text(&s, &claire, "deliberation"),
        std::slice::from_ref(&draft.path)
    );
    // A Manager sees everything.
    assert_eq!(search(&s, &admin(), &q).unwrap().total, 2);

    // Published: visitors find it at once.
    s.write(&admin(), |w| w.transition(&draft.path, "publish", ""))
        .unwrap();
    assert_eq!(
        text(&s, &anonymous, "délibérations"),
        std::slice::from_ref(&draft.path)
    );
    assert_eq!(search(&s, &anonymous, &q).unwrap().total, 2);
    // Deleted: gone from every result.
    s.delete(&admin(), &draft.path, None).unwrap();
    assert!(text(&s, &admin(), "délibérations").is_empty());
}

#[test]
fn local_roles_on_a_folder_change_what_search_finds_below_it() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    let bob = user(&s, "bob");
    s.write(&admin(), |w| {
        w.add_with(
            "/",
            "Folder",
            data(json!({"title": "Interne"})),
            AddOptions {
                id: Some("interne".into()),
                ..AddOptions::default()
            },
        )?;
        w.add_with(
            "/interne",
            "Folder",
            data(json!({"title": "Ressources humaines"})),
            AddOptions {
                id: Some("rh".into()),
                ..AddOptions::default()
            },
        )?;
        w.add(
            "/interne/rh",
            "Document",
            data(json!({"title": "Règlement de travail"})),
        )
        .map(drop)
    })
    .unwrap();
    assert!(text(&s, &bob, "règlement").is_empty());
    // Reader on the top folder: everything below becomes findable for him.
    s.write(&admin(), |w| {
        w.set_local_roles("/interne", "bob", &["Reader".into()])
            .map(drop)
    })
    .unwrap();
    assert_eq!(
        text(&s, &bob, "reglement"),
        ["/interne/rh/reglement-de-travail"]
    );
    // Blocked below: gone again.
    s.write(&admin(), |w| {
        w.set_block_inheritance("/interne/rh", true).map(drop)
    })
    .unwrap();
    assert!(text(&s, &bob, "reglement").is_empty());
    s.write(&admin(), |w| {
        w.set_block_inheritance("/interne/rh", false).map(drop)
    })
    .unwrap();
    assert_eq!(text(&s, &bob, "reglement").len(), 1);
    // Through a group too, and removed with the grant.
    s.write(&admin(), |w| {
        w.set_local_roles("/interne", "bob", &[])?;
        w.add_group("rh-team", "RH", &[])?;
        w.set_group_members("rh-team", &["bob".into()], &[])?;
        w.set_local_roles("/interne", "rh-team", &["Reader".into()])
            .map(drop)
    })
    .unwrap();
    let bob = s.principal("bob").unwrap();
    assert_eq!(text(&s, &bob, "reglement").len(), 1);
    s.write(&admin(), |w| {
        w.set_local_roles("/interne", "rh-team", &[]).map(drop)
    })
    .unwrap();
    assert!(text(&s, &bob, "reglement").is_empty());
    // A state change on the folder reaches what it holds: publishing it
    // makes the document's View (taken from the folder) public.
    let anonymous = Principal::anonymous();
    s.write(&admin(), |w| {
        w.transition("/interne", "publish", "")?;
        w.transition("/interne/rh", "publish", "")?;
        w.transition("/interne/rh/reglement-de-travail", "publish", "")
            .map(drop)
    })
    .unwrap();
    assert_eq!(text(&s, &anonymous, "reglement").len(), 1);
    s.write(&admin(), |w| {
        w.transition("/interne/rh", "retract", "").map(drop)
    })
    .unwrap();
    // The document is published, but the search still agrees with the
    // permission check, whatever that says.
    let visible = s
        .reader(&anonymous)
        .get("/interne/rh/reglement-de-travail")
        .unwrap()
        .is_some();
    assert_eq!(
        text(&s, &anonymous, "reglement").len(),
        usize::from(visible)
    );
}

#[test]
fn search_agrees_with_the_permission_check_for_every_user() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    let claire = user(&s, "claire");
    let bob = user(&s, "bob");
    let rita = user(&s, "rita");
    let sam = user(&s, "sam");
    let blob = s
        .put_blob(&mut "annexe".as_bytes(), "text/plain", "annexe.txt")
        .unwrap();
    s.write(&admin(), |w| {
        w.add_group("lecteurs", "Lecteurs", &[])?;
        w.set_group_members("lecteurs", &["bob".into()], &[])?;
        w.set_group_members("Reviewers", &["rita".into()], &[])?;
        w.set_user_roles("sam", &["Site Administrator".into()])?;
        let opts = |id: &str| AddOptions {
            id: Some(id.into()),
            ..AddOptions::default()
        };
        w.add_with(
            "/",
            "Folder",
            data(json!({"title": "Public"})),
            opts("public"),
        )?;
        w.transition("/public", "publish", "")?;
        w.add_with(
            "/public",
            "Document",
            data(json!({"title": "Page publique"})),
            opts("page"),
        )?;
        w.transition("/public/page", "publish", "")?;
        w.add_with(
            "/public",
            "Document",
            data(json!({"title": "Brouillon"})),
            opts("brouillon"),
        )?;
        w.add_with(
            "/",
            "Folder",
            data(json!({"title": "Interne"})),
            opts("interne"),
        )?;
        w.set_local_roles("/interne", "lecteurs", &["Reader".into()])?;
        w.set_local_roles("/interne", "claire", &["Contributor".into()])?;
        w.add_with(
            "/interne",
            "Document",
            data(json!({"title": "Note interne"})),
            opts("note"),
        )?;
        w.add_with(
            "/interne",
            "Folder",
            data(json!({"title": "Secret"})),
            opts("secret"),
        )?;
        w.set_block_inheritance("/interne/secret", true)?;
        w.add_with(
            "/interne/secret",
            "Document",
            data(json!({"title": "Très secret"})),
            opts("doc"),
        )?;
        w.add_with(
            "/interne",
            "Document",
            data(json!({"title": "En revue"})),
            opts("revue"),
        )?;
        w.transition("/interne/revue", "submit", "")?;
        w.add_with(
            "/interne",
            "File",
            data(json!({"title": "Annexe", "file": blob})),
            opts("annexe"),
        )
        .map(drop)
    })
    .unwrap();
    // Claire adds her own draft in the internal folder.
    let claire_draft = s
        .add(
            &claire,
            "/interne",
            "Document",
            data(json!({"title": "Mon brouillon"})),
        )
        .unwrap();
    let bob = s.principal(bob.name()).unwrap();
    let rita = s.principal(rita.name()).unwrap();
    let sam = s.principal(sam.name()).unwrap();
    for who in [Principal::anonymous(), claire, bob, rita, sam] {
        let mut expected: Vec<String> = s
            .walk()
            .unwrap()
            .into_iter()
            .filter(|i| s.reader(&who).get(&i.path).unwrap().is_some())
            .map(|i| i.path)
            .collect();
        expected.sort();
        let found = search(
            &s,
            &who,
            &Query {
                b_size: 1000,
                ..Default::default()
            },
        )
        .unwrap();
        let mut paths: Vec<String> = found.items.into_iter().map(|h| h.path).collect();
        paths.sort();
        assert_eq!(paths, expected, "as {}", who.name());
        assert_eq!(found.total, expected.len());
    }
    assert!(claire_draft.path.starts_with("/interne/"));
}
