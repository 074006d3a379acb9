use crate::harness::{run, serve, stderr, stdout};

#[test]
fn check_reports_the_site_and_registered_modules() {
    let data = tempfile::tempdir().unwrap();
    let out = run(data.path(), &["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("site sambreville: ok (4 modules: beffroi, catalog, website, sambreville)"),
        "{text}"
    );
    assert!(
        text.contains("registered modules: beffroi, catalog, sambreville, website"),
        "{text}"
    );
}

#[test]
fn bad_configuration_is_one_clear_line_and_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("id = \"Bad Id\"\ntitle = \"x\"\n", "id `Bad Id`"),
        (
            "id = \"x\"\ntitle = \"x\"\n[modules.nope]\n",
            "unknown module `nope`",
        ),
        (
            "id = \"x\"\ntitle = \"x\"\nlanguages = [\"fr\"]\ndefault_language = \"nl\"\n",
            "default_language `nl`",
        ),
        ("id = \"x\"\ntitle = ", "TOML parse error"),
        ("id = \"x\"\ntitle = \"x\"\ncolour = \"red\"\n", "colour"),
    ];
    for (i, (toml, expected)) in cases.iter().enumerate() {
        let file = dir.path().join(format!("site-{i}.toml"));
        std::fs::write(&file, toml).unwrap();
        let out = run(
            &dir.path().join("data"),
            &["--site-config", file.to_str().unwrap(), "check"],
        );
        assert!(!out.status.success(), "{toml}");
        let err = stderr(&out);
        assert!(err.starts_with("error: "), "{err}");
        assert!(
            err.contains(expected),
            "`{err}` should mention `{expected}`"
        );
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn sites_modules_and_an_export_import_round_trip() {
    let data = tempfile::tempdir().unwrap();
    let out = run(data.path(), &["sites"]);
    assert!(stdout(&out).contains("not created yet"), "{}", stdout(&out));
    // The first start creates the site with its demo content.
    drop(serve(data.path()));
    let out = run(data.path(), &["sites"]);
    assert!(
        stdout(&out).contains("sambreville\tVille de Sambreville"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("created"));
    let out = run(data.path(), &["modules"]);
    let text = stdout(&out);
    assert!(text.contains("website"), "{text}");
    assert!(text.contains("enabled"), "{text}");
    let out = run(data.path(), &["upgrade", "--dry-run"]);
    assert!(
        stdout(&out).contains("site sambreville: up to date"),
        "{}",
        stdout(&out)
    );

    let export = data.path().join("export");
    let out = run(
        data.path(),
        &[
            "export",
            "--site",
            "sambreville",
            "--out",
            export.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("items"), "{}", stdout(&out));
    let out = run(
        data.path(),
        &["export", "--site", "nowhere", "--out", "/tmp/x"],
    );
    assert!(
        stderr(&out).contains("no site `nowhere`"),
        "{}",
        stderr(&out)
    );

    let other = tempfile::tempdir().unwrap();
    let out = run(
        other.path(),
        &[
            "import",
            "--site",
            "sambreville",
            "--from",
            export.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let again = other.path().join("export-again");
    let out = run(
        other.path(),
        &[
            "export",
            "--site",
            "sambreville",
            "--out",
            again.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    for file in ["items.jsonl", "users.jsonl", "module_data.jsonl"] {
        assert_eq!(
            std::fs::read_to_string(export.join(file)).unwrap(),
            std::fs::read_to_string(again.join(file)).unwrap(),
            "{file}"
        );
    }
}
