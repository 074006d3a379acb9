use beffroi::prelude::*;
use beffroi_catalog::{reindex, search, Query};

use crate::common::{open, published, text};

fn count(s: &Site) -> usize {
    search(
        s,
        &Principal::system("admin"),
        &Query {
            b_size: 0,
            ..Default::default()
        },
    )
    .unwrap()
    .total
}

#[test]
fn writes_made_while_the_index_is_closed_are_applied_from_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    {
        // The catalog is never opened here: writes only fill the journal,
        // as when a process dies between its commit and the index's.
        let s = open(dir.path());
        published(
            &s,
            "/",
            "Document",
            "avant",
            None,
            json!({"title": "Écrit avant l'arrêt"}),
        );
        assert!(!s.journal_entries().unwrap().is_empty());
    }
    let s = open(dir.path());
    assert_eq!(text(&s, &Principal::anonymous(), "ecrit arret"), ["/avant"]);
    assert!(
        s.journal_entries().unwrap().is_empty(),
        "applied, then cleared"
    );
}

#[test]
fn a_lost_or_broken_index_is_rebuilt_at_start() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = open(dir.path());
        published(&s, "/", "Document", "un", None, json!({"title": "Premier"}));
        published(
            &s,
            "/",
            "Document",
            "deux",
            None,
            json!({"title": "Second"}),
        );
        assert_eq!(count(&s), 3);
    }
    // Broken: the index's own metadata is garbage.
    let index = dir.path().join("data/catalog/town");
    std::fs::write(index.join("meta.json"), b"{ not json").unwrap();
    // A new process (a registry key the old one never used): the test
    // reopens under another folder name pointing at the same data.
    let moved = dir.path().join("moved");
    std::fs::create_dir_all(&moved).unwrap();
    std::fs::rename(dir.path().join("data"), moved.join("data")).unwrap();
    let s = open(&moved);
    assert_eq!(count(&s), 3);
    assert_eq!(text(&s, &Principal::anonymous(), "premier"), ["/un"]);
    drop(s);

    // Lost entirely: rebuilt too.
    std::fs::remove_dir_all(moved.join("data/catalog")).unwrap();
    let again = dir.path().join("again");
    std::fs::create_dir_all(&again).unwrap();
    std::fs::rename(moved.join("data"), again.join("data")).unwrap();
    let s = open(&again);
    assert_eq!(count(&s), 3);
}

#[test]
fn reindex_rebuilds_every_item_and_reports_progress() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path());
    for i in 0..30 {
        published(
            &s,
            "/",
            "Document",
            &format!("page-{i}"),
            None,
            json!({"title": format!("Page {i}")}),
        );
    }
    let mut last = (0, 0);
    let n = reindex(&s, &mut |done, total| last = (done, total)).unwrap();
    assert_eq!(n, 31);
    assert_eq!(last, (31, 31));
    assert_eq!(count(&s), 31);
}
