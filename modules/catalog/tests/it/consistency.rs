use beffroi::prelude::*;
use beffroi_catalog::{reindex, search, DateRange, Query};

use crate::common::{admin, open, open_with, published, text, TOML};

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
    // The next write, once applied, clears what the index holds.
    published(
        &s,
        "/",
        "Document",
        "apres",
        None,
        json!({"title": "Après"}),
    );
    assert!(s.journal_entries().unwrap().is_empty());
    assert_eq!(text(&s, &Principal::anonymous(), "apres"), ["/apres"]);
}

#[test]
fn a_lost_broken_or_half_built_index_is_rebuilt_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("data/catalog/town");
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
    std::fs::write(index.join("meta.json"), b"{ not json").unwrap();
    let s = open(dir.path());
    assert_eq!(count(&s), 3);
    assert_eq!(text(&s, &Principal::anonymous(), "premier"), ["/un"]);
    drop(s);
    // Half built: a build that never finished leaves no marker.
    std::fs::remove_file(index.join("beffroi-state.json")).unwrap();
    let s = open(dir.path());
    assert_eq!(count(&s), 3);
    drop(s);
    // Lost entirely.
    std::fs::remove_dir_all(&index).unwrap();
    let s = open(dir.path());
    assert_eq!(count(&s), 3);
}

#[test]
fn writes_made_while_the_catalog_was_disabled_are_not_missed() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = open(dir.path());
        published(&s, "/", "Document", "un", None, json!({"title": "Premier"}));
        assert_eq!(count(&s), 2);
    }
    {
        // The town switches the catalog off for a while.
        let s = open_with(dir.path(), &TOML.replace("[modules.catalog]\n", ""));
        let before = s.journal_entries().unwrap().len();
        published(
            &s,
            "/",
            "Document",
            "pendant",
            None,
            json!({"title": "Pendant la pause"}),
        );
        s.write(&admin(), |w| w.transition("/un", "retract", "").map(drop))
            .unwrap();
        assert_eq!(
            s.journal_entries().unwrap().len(),
            before,
            "nobody follows it"
        );
    }
    let s = open(dir.path());
    let anonymous = Principal::anonymous();
    assert_eq!(text(&s, &anonymous, "pause"), ["/pendant"]);
    assert!(
        text(&s, &anonymous, "premier").is_empty(),
        "retracted while it was off"
    );
}

#[test]
fn a_change_of_workflow_in_site_toml_reindexes_who_may_view() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = open(dir.path());
        s.add(
            &admin(),
            "/",
            "Document",
            crate::common::data(json!({"title": "Brouillon"})),
        )
        .unwrap();
        assert!(text(&s, &Principal::anonymous(), "brouillon").is_empty());
    }
    // Documents follow one_state now: View comes from the (public) root.
    let toml = format!("{TOML}[workflows.chain]\nDocument = \"one_state\"\n");
    let s = open_with(dir.path(), &toml);
    let anonymous = Principal::anonymous();
    let visible = s.reader(&anonymous).get("/brouillon").unwrap().is_some();
    assert_eq!(
        text(&s, &anonymous, "brouillon").len(),
        usize::from(visible)
    );
    drop(s);
    // And back: the item's `private` state is the workflow's again.
    let s = open(dir.path());
    assert!(text(&s, &anonymous, "brouillon").is_empty());
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
    // Dates: an empty range is no condition; a day as the upper end is the
    // whole day; dates the index cannot hold are refused.
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let q = |range: DateRange| {
        search(
            &s,
            &admin(),
            &Query {
                dates: [("created".to_owned(), range)].into(),
                b_size: 0,
                ..Default::default()
            },
        )
    };
    assert_eq!(q(DateRange::default()).unwrap().total, 31);
    assert_eq!(
        q(DateRange {
            min: Some(today.clone()),
            max: Some(today)
        })
        .unwrap()
        .total,
        31
    );
    for bad in ["0202-05-01", "9999-12-31"] {
        let e = q(DateRange {
            min: None,
            max: Some(bad.into()),
        })
        .unwrap_err();
        assert!(matches!(e, Error::Invalid(_)), "{bad}: {e}");
    }
}

const CHILD_ENV: &str = "BEFFROI_CATALOG_KILL_CHILD";

/// The child: writes published pages in a loop, each searched for once
/// its write returns, printing `ack <path>`; it is killed mid-loop.
fn child_write_loop(dir: &str) -> ! {
    let s = open(std::path::Path::new(dir));
    // Open the catalog, as `serve` does, so each write is indexed as it commits.
    let _ = count(&s);
    let mut n = 0u64;
    loop {
        let id = format!("page-{n}");
        published(
            &s,
            "/",
            "Document",
            &id,
            None,
            json!({"title": format!("Page tuée {n}")}),
        );
        println!("ack /{id}");
        n += 1;
    }
}

#[test]
fn a_killed_process_leaves_the_index_consistent_with_the_content() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    if let Ok(dir) = std::env::var(CHILD_ENV) {
        child_write_loop(&dir);
    }
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "consistency::a_killed_process_leaves_the_index_consistent_with_the_content",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut acked = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        if let Some(path) = line.unwrap().strip_prefix("ack ") {
            acked.push(path.to_owned());
            if acked.len() >= 40 {
                break;
            }
        }
    }
    child.kill().unwrap(); // SIGKILL: mid-write, mid-index, or between the two.
    child.wait().unwrap();
    assert_eq!(acked.len(), 40, "the child stopped early");

    let s = open(dir.path());
    let found = search(
        &s,
        &Principal::anonymous(),
        &Query {
            b_size: 1000,
            ..Default::default()
        },
    )
    .unwrap();
    let mut paths: Vec<String> = found.items.into_iter().map(|h| h.path).collect();
    paths.sort();
    // The index holds exactly what the content holds, what was
    // acknowledged included.
    let mut content: Vec<String> = s
        .walk()
        .unwrap()
        .into_iter()
        .filter(|i| {
            s.reader(&Principal::anonymous())
                .get(&i.path)
                .unwrap()
                .is_some()
        })
        .map(|i| i.path)
        .collect();
    content.sort();
    assert_eq!(paths, content);
    for p in &acked {
        assert!(paths.contains(p), "{p} was acknowledged but is not found");
    }
}

#[test]
fn an_import_is_seen_by_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    {
        let s = open(dir.path());
        published(
            &s,
            "/",
            "Document",
            "garde",
            None,
            json!({"title": "Gardée"}),
        );
        assert_eq!(count(&s), 2);
        beffroi::export::export_site(&s, &admin(), &out, &mut |_, _| {}).unwrap();
        published(
            &s,
            "/",
            "Document",
            "perdue",
            None,
            json!({"title": "Ajoutée après l'export"}),
        );
        assert_eq!(count(&s), 3);
        beffroi::export::import_site(&s, &out, &mut |_, _| {}).unwrap();
    }
    let s = open(dir.path());
    let anonymous = Principal::anonymous();
    assert!(text(&s, &anonymous, "ajoutee").is_empty());
    assert_eq!(text(&s, &anonymous, "gardee"), ["/garde"]);
    assert_eq!(count(&s), 2);
}
