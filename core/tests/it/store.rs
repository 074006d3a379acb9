use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use beffroi::prelude::*;

use crate::common::{admin, data, open_site, registry, SITE_TOML};

const CHILD_ENV: &str = "BEFFROI_TEST_KILL_DIR";

/// Run as a child: add items forever, printing each uid once `add` returned.
fn child_write_loop(dir: &str) -> ! {
    let site = open_site(std::path::Path::new(dir), SITE_TOML, &registry(&[])).unwrap();
    site.create(Some("Hotel-de-ville-2026")).unwrap();
    let mut n = 0u64;
    loop {
        let item = site
            .add(
                &admin(),
                "/",
                "Page",
                data(json!({"title": format!("Write {n}"), "count": n % 10})),
            )
            .unwrap();
        println!("ack {}", item.uid);
        n += 1;
    }
}

#[test]
fn a_killed_writer_loses_no_acknowledged_write() {
    if let Ok(dir) = std::env::var(CHILD_ENV) {
        child_write_loop(&dir);
    }
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "store::a_killed_writer_loses_no_acknowledged_write",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut acked = Vec::new();
    let stdout = child.stdout.take().unwrap();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(uid) = line.strip_prefix("ack ") {
            acked.push(uid.to_owned());
            if acked.len() >= 300 {
                break;
            }
        }
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no flush, mid-write.
    child.wait().unwrap();
    assert_eq!(acked.len(), 300, "the child stopped early");

    let site = open_site(dir.path(), SITE_TOML, &registry(&[])).unwrap();
    for uid in &acked {
        let item = site.get_by_uid(uid).unwrap();
        assert!(item.is_some(), "acknowledged write {uid} was lost");
        let item = item.unwrap();
        assert_eq!(
            site.get(&item.path).unwrap().map(|i| i.uid),
            Some(uid.clone()),
            "path index of {uid}"
        );
    }
    let children = site.children("/").unwrap();
    assert!(children.len() >= acked.len());
    // The tree is consistent: every child listed resolves by path.
    for c in &children {
        assert!(site.get(&c.path).unwrap().is_some());
    }
}

#[test]
fn a_failed_write_changes_nothing() {
    let t = crate::common::town();
    let s = &t.site;
    let err = s
        .write(&admin(), |w| {
            w.add("/", "Page", data(json!({"title": "First"})))?;
            w.add("/", "Page", data(json!({"title": "Second", "count": 99})))
        })
        .unwrap_err();
    assert!(matches!(err, Error::Invalid(_)));
    assert!(
        s.get("/first").unwrap().is_none(),
        "the first add was rolled back"
    );
    assert!(s.children("/").unwrap().is_empty());
}

#[test]
fn a_newer_data_format_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = beffroi::store::SledStore::open(dir.path()).unwrap();
        let mut tx = beffroi::store::Store::begin(&store).unwrap();
        tx.put(b"beffroi:format", b"999".to_vec());
        tx.commit().unwrap();
    }
    let err = beffroi::store::SledStore::open(dir.path()).err().unwrap();
    assert!(err.to_string().contains("newer than this binary"), "{err}");
}
