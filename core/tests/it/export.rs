use beffroi::export::{export_site, import_site};
use beffroi::prelude::*;

use crate::common::{admin, data, open_site, registry, town, SITE_TOML};

#[test]
fn an_import_of_an_export_gives_back_the_same_site() {
    let t = town();
    let s = &t.site;
    let folder = s
        .add(&admin(), "/", "Folder", data(json!({"title": "Démarches"})))
        .unwrap();
    let blob = s
        .put_blob(
            &mut &b"\x89PNG fake image bytes"[..],
            "image/png",
            "blason.png",
        )
        .unwrap();
    for i in 0..5 {
        s.add(
            &admin(),
            &folder.path,
            "Page",
            data(json!({"title": format!("Fiche {i}"), "count": i, "photo": serde_json::to_value(&blob).unwrap()})),
        )
        .unwrap();
    }
    s.update(
        &admin(),
        "/demarches/fiche-2",
        data(json!({"description": "Modifiée"})),
        None,
    )
    .unwrap();
    s.write(&admin(), |w| w.reorder("/demarches", "fiche-4", 0))
        .unwrap();

    let first = t.dir.path().join("export-1");
    let summary = export_site(s, &admin(), &first, &mut |_, _| {}).unwrap();
    assert_eq!(summary.items, 7);
    assert_eq!(summary.blobs, 1);
    assert_eq!(summary.users, 1);
    let again = export_site(s, &admin(), &first, &mut |_, _| {});
    assert!(
        matches!(again, Err(Error::Conflict(_))),
        "never overwrites an export"
    );

    let other = tempfile::tempdir().unwrap();
    let copy = open_site(other.path(), SITE_TOML, &registry(&[])).unwrap();
    let imported = import_site(&copy, &first, &mut |_, _| {}).unwrap();
    assert_eq!(imported.items, 7);

    let a = s.walk().unwrap();
    let b = copy.walk().unwrap();
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y, "item {} differs", x.path);
        assert_eq!(s.history(&x.path).unwrap(), copy.history(&y.path).unwrap());
    }
    assert_eq!(s.users().unwrap(), copy.users().unwrap());
    assert!(copy
        .user("admin")
        .unwrap()
        .unwrap()
        .check_password("Hotel-de-ville-2026"));
    assert_eq!(
        copy.installed_version("testing").unwrap().as_deref(),
        Some("1.0.0")
    );
    assert_eq!(
        copy.write(&admin(), |w| w.module_get("testing", "added"))
            .unwrap(),
        s.write(&admin(), |w| w.module_get("testing", "added"))
            .unwrap()
    );
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut copy.store().open_blob(&blob.sha256).unwrap(),
        &mut bytes,
    )
    .unwrap();
    assert_eq!(bytes, b"\x89PNG fake image bytes");

    let second = t.dir.path().join("export-2");
    export_site(&copy, &admin(), &second, &mut |_, _| {}).unwrap();
    for file in ["items.jsonl", "users.jsonl", "module_data.jsonl"] {
        assert_eq!(
            std::fs::read_to_string(first.join(file)).unwrap(),
            std::fs::read_to_string(second.join(file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn a_broken_export_changes_nothing() {
    let t = town();
    let s = &t.site;
    s.add(&admin(), "/", "Page", data(json!({"title": "Keep me"})))
        .unwrap();
    let out = t.dir.path().join("export");
    export_site(s, &admin(), &out, &mut |_, _| {}).unwrap();
    let items = std::fs::read_to_string(out.join("items.jsonl")).unwrap();
    std::fs::write(
        out.join("items.jsonl"),
        items.replace("\"Page\"", "\"Unknown Type\""),
    )
    .unwrap();
    let err = import_site(s, &out, &mut |_, _| {}).unwrap_err();
    assert!(err.to_string().contains("Unknown Type"), "{err}");
    std::fs::write(out.join("items.jsonl"), "{not json").unwrap();
    let err = import_site(s, &out, &mut |_, _| {}).unwrap_err();
    assert!(err.to_string().contains("items.jsonl:1"), "{err}");
    assert!(s.get("/keep-me").unwrap().is_some());
}
