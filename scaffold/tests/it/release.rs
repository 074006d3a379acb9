//! `check`, `release` and `index` on a fixture module (`parking`, in
//! `tests/fixtures/release`) copied into a fresh git repository, released
//! once as 0.1.0 (tag `beffroi-parking-v0.1.0`), each test giving it one
//! kind of problem.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_beffroi-scaffold");
const MODULE: &str = "modules/parking";

struct Repo {
    dir: tempfile::TempDir,
}

fn copy_fixture(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            copy_fixture(&path, &to.join(&name));
        } else {
            // Cargo.toml.txt: kept out of cargo's sight in this repository.
            let name = name.strip_suffix(".txt").unwrap_or(&name).to_owned();
            fs::copy(&path, to.join(name)).unwrap();
        }
    }
}

impl Repo {
    /// The fixture, changed by `before` then committed and tagged 0.1.0.
    fn released(before: impl FnOnce(&Repo)) -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().unwrap(),
        };
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/release");
        copy_fixture(&fixture, repo.path());
        before(&repo);
        repo.git(&["init", "-q", "-b", "main"]);
        repo.commit("parking 0.1.0");
        repo.git(&["tag", "beffroi-parking-v0.1.0"]);
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn file(&self, rel: &str) -> PathBuf {
        self.path().join(MODULE).join(rel)
    }

    fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.file(rel)).unwrap()
    }

    fn write(&self, rel: &str, text: &str) {
        fs::write(self.file(rel), text).unwrap();
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} has no {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(self.path())
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    fn run(&self, args: &[&str]) -> (bool, String) {
        let out: Output = Command::new(BIN)
            .args(args)
            .current_dir(self.path().join(MODULE))
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }

    /// Adds a changelog entry under `## Unreleased`.
    fn unreleased(&self, entry: &str) {
        self.edit(
            "CHANGELOG.md",
            "## 0.1.0",
            &format!("## Unreleased\n\n- {entry}\n\n## 0.1.0"),
        );
    }

    /// Changes the `plate` field's kind: stored data changes.
    fn change_field(&self) {
        self.edit(
            "types/permit.toml",
            "name = \"plate\"\nkind = \"text\"",
            "name = \"plate\"\nkind = \"textarea\"",
        );
    }

    fn add_step(&self, to: &str) {
        self.edit(
            "src/lib.rs",
            "// STEPS",
            &format!(
                "UpgradeStep {{\n                to: \"{to}\",\n                title: \"Plates become text areas\",\n                run: |_| Ok(()),\n            }},"
            ),
        );
    }
}

fn line<'a>(out: &'a str, mark: &str, topic: &str) -> Option<&'a str> {
    let want = format!("{mark} {topic}:");
    out.lines().find(|l| l.trim_start().starts_with(&want))
}

#[test]
fn a_clean_module_passes_every_check() {
    let repo = Repo::released(|_| {});
    let (ok, out) = repo.run(&["check"]);
    assert!(ok, "{out}");
    for topic in [
        "changelog",
        "version",
        "stored data",
        "translations",
        "metadata",
    ] {
        assert!(line(&out, "✓", topic).is_some(), "no ✓ {topic}:\n{out}");
    }
    assert!(!out.contains('✗'), "{out}");
    // By folder, crate or manifest name, from any folder of the workspace.
    let (ok, out) = repo.run(&["check", "beffroi-parking"]);
    assert!(ok, "{out}");
    let (ok, out) = repo.run(&["check", "nosuch"]);
    assert!(!ok);
    assert!(
        out.contains("no module `nosuch`") && out.contains("parking"),
        "{out}"
    );
    repo.git(&["mv", "modules/parking", "modules/parking-permits"]);
    repo.git(&["commit", "-q", "-m", "Move"]);
    let moved = Command::new(BIN)
        .args(["check", "parking"])
        .current_dir(repo.path().join("modules"))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&moved.stdout);
    // Found by its manifest name (the move itself is a change since the tag).
    assert!(
        out.contains("beffroi-parking 0.1.0 (modules/parking-permits)"),
        "{out}"
    );
}

#[test]
fn a_missing_changelog_entry_is_reported() {
    let repo = Repo::released(|r| {
        r.write(
            "CHANGELOG.md",
            "# Changelog — beffroi-parking\n\n## 0.0.9 — 2026-10-01\n\n- Old.\n",
        );
    });
    let (ok, out) = repo.run(&["check", "parking"]);
    assert!(!ok, "{out}");
    let l = line(&out, "✗", "changelog").unwrap_or_else(|| panic!("{out}"));
    assert!(l.contains("no entry for 0.1.0"), "{l}");
    assert!(out.contains("`## Unreleased`"), "{out}");
    assert!(line(&out, "✓", "version").is_some(), "{out}");
}

#[test]
fn a_change_without_a_version_bump_is_reported() {
    let repo = Repo::released(|_| {});
    repo.unreleased("The permit page shows the plate.");
    repo.write("templates/permit_view.html", "<p>{{ item.plate }}</p>\n");
    repo.commit("Show the plate");
    let (ok, out) = repo.run(&["check"]);
    assert!(!ok, "{out}");
    let l = line(&out, "✗", "version").unwrap_or_else(|| panic!("{out}"));
    assert!(
        l.contains("still 0.1.0") && l.contains("beffroi-parking-v0.1.0"),
        "{l}"
    );
    assert!(
        l.contains("modules/parking/templates/permit_view.html"),
        "{l}"
    );
    assert!(
        out.contains("beffroi-scaffold release parking --patch"),
        "{out}"
    );
    assert!(line(&out, "✓", "changelog").is_some(), "{out}");
}

#[test]
fn a_changed_field_needs_an_upgrade_step_to_the_new_version() {
    let repo = Repo::released(|_| {});
    repo.unreleased("A plate may be written on several lines.");
    repo.change_field();
    repo.edit("Cargo.toml", "version = \"0.1.0\"", "version = \"0.2.0\"");
    let (ok, out) = repo.run(&["check"]);
    assert!(!ok, "{out}");
    let l = line(&out, "✗", "upgrade step").unwrap_or_else(|| panic!("{out}"));
    assert!(l.contains("field `plate` kind text → textarea"), "{l}");
    assert!(out.contains("UpgradeStep { to: \"0.2.0\""), "{out}");
    assert!(line(&out, "✓", "version bump").is_some(), "{out}");

    // A commented-out example does not count, nor a step to another
    // version; one to 0.2.0 does.
    repo.edit(
        "src/lib.rs",
        "// STEPS",
        "// STEPS\n            // UpgradeStep { to: \"0.2.0\", title: \"example\", run: |_| Ok(()) },",
    );
    let (ok, out) = repo.run(&["check"]);
    assert!(!ok, "{out}");
    assert!(line(&out, "✗", "upgrade step").is_some(), "{out}");
    repo.add_step("0.1.5");
    let (ok, _) = repo.run(&["check"]);
    assert!(!ok);
    repo.edit("src/lib.rs", "to: \"0.1.5\"", "to: \"0.2.0\"");
    let (ok, out) = repo.run(&["check"]);
    assert!(ok, "{out}");
    assert!(line(&out, "✓", "upgrade step").is_some(), "{out}");
}

#[test]
fn a_patch_is_too_small_for_a_changed_field_and_a_removed_type_is_major_from_1_0() {
    let repo = Repo::released(|_| {});
    repo.unreleased("A plate may be written on several lines.");
    repo.change_field();
    repo.add_step("0.1.1");
    repo.edit("Cargo.toml", "version = \"0.1.0\"", "version = \"0.1.1\"");
    let (ok, out) = repo.run(&["check"]);
    assert!(!ok, "{out}");
    let l = line(&out, "✗", "version bump").unwrap_or_else(|| panic!("{out}"));
    assert!(
        l.contains("patch bump") && l.contains("at least minor"),
        "{l}"
    );

    // From 1.0 on, removing a type needs a major release.
    let repo = Repo::released(|r| {
        r.edit("Cargo.toml", "version = \"0.1.0\"", "version = \"1.0.0\"");
        r.edit(
            "release/snapshot.json",
            "\"version\": \"0.1.0\"",
            "\"version\": \"1.0.0\"",
        );
    });
    repo.git(&["tag", "beffroi-parking-v1.0.0"]);
    repo.unreleased("Permits are gone.");
    fs::remove_file(repo.file("types/permit.toml")).unwrap();
    repo.add_step("1.1.0");
    repo.commit("Remove the permits");
    let (ok, out) = repo.run(&["release", "parking", "--minor", "--dry-run"]);
    assert!(!ok, "{out}");
    let l = line(&out, "✗", "version bump").unwrap_or_else(|| panic!("{out}"));
    assert!(
        l.contains("type `Parking Permit` removed") && l.contains("at least major"),
        "{l}"
    );
}

#[test]
fn a_missing_translation_key_is_reported() {
    let repo = Repo::released(|r| {
        r.write("locales/nl.ftl", "parking-plate = Nummerplaat\n");
        r.write(
            "locales/de.ftl",
            "parking-plate = Kennzeichen\nparking-valid = Gültig\nparking-extra = Mehr\n",
        );
    });
    let (ok, out) = repo.run(&["check"]);
    assert!(!ok, "{out}");
    let l = line(&out, "✗", "translations").unwrap_or_else(|| panic!("{out}"));
    assert!(l.contains("nl lacks parking-valid"), "{l}");
    assert!(l.contains("de has keys en.ftl lacks: parking-extra"), "{l}");
}

#[test]
fn missing_package_metadata_is_reported() {
    let repo = Repo::released(|r| {
        r.edit(
            "Cargo.toml",
            "description = \"Parking permits for residents: a request, its review, and the permit.\"\n",
            "",
        );
        r.edit("Cargo.toml", "repository.workspace = true\n", "");
        fs::remove_file(r.file("README.md")).unwrap();
    });
    let (ok, out) = repo.run(&["check"]);
    assert!(!ok, "{out}");
    let l = line(&out, "✗", "metadata").unwrap_or_else(|| panic!("{out}"));
    assert!(l.contains("description"), "{l}");
    assert!(l.contains("repository (or `publish = false`)"), "{l}");
    assert!(l.contains("readme"), "{l}");
    assert!(!l.contains("license"), "{l}");
}

#[test]
fn a_module_without_snapshot_is_told_to_write_one() {
    let repo = Repo::released(|r| fs::remove_file(r.file("release/snapshot.json")).unwrap());
    let (ok, out) = repo.run(&["check"]);
    assert!(!ok, "{out}");
    let l = line(&out, "✗", "stored data").unwrap_or_else(|| panic!("{out}"));
    assert!(l.contains("no snapshot"), "{l}");
    assert!(out.contains("beffroi-scaffold index"), "{out}");
}

/// The fixture with a changed field, its upgrade step and changelog entry, committed.
fn ready_for_minor() -> Repo {
    let repo = Repo::released(|_| {});
    repo.unreleased("A plate may be written on several lines.");
    repo.change_field();
    repo.add_step("0.2.0");
    repo.commit("Plates on several lines");
    repo
}

fn snapshot_of(repo: &Repo) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![repo.path().to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn release_dry_run_shows_everything_and_changes_nothing() {
    let repo = ready_for_minor();
    let before = snapshot_of(&repo);
    let (ok, out) = repo.run(&["release", "parking", "--minor", "--dry-run"]);
    assert!(ok, "{out}");
    assert!(out.contains("beffroi-parking 0.1.0 → 0.2.0"), "{out}");
    assert!(
        out.contains("would change modules/parking/Cargo.toml: version 0.1.0 → 0.2.0"),
        "{out}"
    );
    assert!(
        out.contains("would change Cargo.toml: [workspace.dependencies]"),
        "{out}"
    );
    assert!(out.contains("would change Cargo.lock"), "{out}");
    assert!(
        out.contains("would change modules/parking/CHANGELOG.md"),
        "{out}"
    );
    assert!(out.contains("## 0.2.0 — 20"), "{out}");
    assert!(
        out.contains("- A plate may be written on several lines."),
        "{out}"
    );
    assert!(
        out.contains("would change modules/parking/release/snapshot.json"),
        "{out}"
    );
    assert!(out.contains("tag beffroi-parking-v0.2.0"), "{out}");
    assert_eq!(before, snapshot_of(&repo), "a dry run changed files");
    assert!(repo.git(&["status", "--porcelain"]).is_empty());
    assert!(!repo.git(&["tag", "--list"]).contains("v0.2.0"));
}

#[test]
fn release_minor_bumps_moves_the_changelog_writes_the_snapshot_and_tags() {
    let repo = ready_for_minor();
    // A patch is too small for a changed field.
    let (ok, out) = repo.run(&["release", "parking", "--patch"]);
    assert!(!ok, "{out}");
    assert!(out.contains("cannot be released"), "{out}");
    assert!(repo.git(&["status", "--porcelain"]).is_empty());

    let (ok, out) = repo.run(&["release", "parking", "--minor"]);
    assert!(ok, "{out}");
    let cargo = repo.read("Cargo.toml");
    assert!(cargo.contains("version = \"0.2.0\""), "{cargo}");
    let root = fs::read_to_string(repo.path().join("Cargo.toml")).unwrap();
    assert!(
        root.contains("beffroi-parking = { path = \"modules/parking\", version = \"0.2.0\" }"),
        "{root}"
    );
    assert!(
        root.contains("beffroi = { path = \"core\", version = \"0.3.0\" }"),
        "{root}"
    );
    let lock = fs::read_to_string(repo.path().join("Cargo.lock")).unwrap();
    assert!(
        lock.contains("name = \"beffroi-parking\"\nversion = \"0.2.0\""),
        "{lock}"
    );
    let log = repo.read("CHANGELOG.md");
    assert!(!log.contains("## Unreleased"), "{log}");
    let at = log.find("## 0.2.0 — 20").unwrap_or_else(|| panic!("{log}"));
    let entry = log
        .find("- A plate may be written on several lines.")
        .unwrap();
    assert!(at < entry && entry < log.find("## 0.1.0").unwrap(), "{log}");
    let snap: serde_json::Value =
        serde_json::from_str(&repo.read("release/snapshot.json")).unwrap();
    assert_eq!(snap["version"], "0.2.0");
    assert_eq!(
        snap["types"]["Parking Permit"]["fields"]["plate"]["kind"],
        "textarea"
    );
    assert!(repo
        .git(&["tag", "--list"])
        .contains("beffroi-parking-v0.2.0"));
    assert!(repo.git(&["status", "--porcelain"]).is_empty());
    assert!(repo
        .git(&["log", "-1", "--format=%s"])
        .contains("Release beffroi-parking 0.2.0"));
    // Released: nothing is missing any more.
    let (ok, out) = repo.run(&["check"]);
    assert!(ok, "{out}");
}

#[test]
fn release_refuses_a_dirty_worktree_and_missing_unreleased_entries() {
    let repo = ready_for_minor();
    repo.write("README.md", "Changed, not committed.\n");
    let (ok, out) = repo.run(&["release", "parking", "--minor"]);
    assert!(!ok, "{out}");
    assert!(out.contains("uncommitted changes"), "{out}");

    let repo = Repo::released(|_| {});
    repo.write("templates/permit_view.html", "<p>{{ item.plate }}</p>\n");
    repo.commit("Without a changelog entry");
    let (ok, out) = repo.run(&["release", "parking", "--patch", "--dry-run"]);
    assert!(!ok, "{out}");
    let l = line(&out, "✗", "changelog").unwrap_or_else(|| panic!("{out}"));
    assert!(l.contains("no `## Unreleased` entries"), "{l}");
}

#[test]
fn index_lists_the_modules_and_check_catches_a_stale_one() {
    let repo = Repo::released(|_| {});
    let index = repo.path().join("docs/modules-index.md");
    let (ok, out) = repo.run(&["index", "--check"]);
    assert!(!ok, "a missing index passes --check: {out}");
    let (ok, out) = repo.run(&["index"]);
    assert!(ok, "{out}");
    let text = fs::read_to_string(&index).unwrap();
    for want in [
        "| [parking](#parking) | `beffroi-parking` | 0.1.0 | `^0.3` | contenttypes ^0.2 |",
        "Parking permits for residents: a request, its review, and the permit.",
        "- content types: `Parking Permit`",
        "- workflows: `permit_review`",
        "- templates: `parking/permit_view.html`",
        "- languages: de, en, es, fr, nl",
        "- crate dependencies: `beffroi`",
    ] {
        assert!(text.contains(want), "no {want:?} in\n{text}");
    }
    let (ok, out) = repo.run(&["index", "--check"]);
    assert!(ok, "{out}");

    repo.edit("Cargo.toml", "version = \"0.1.0\"", "version = \"0.1.1\"");
    let (ok, out) = repo.run(&["index", "--check"]);
    assert!(!ok, "{out}");
    assert!(out.contains("not up to date"), "{out}");
    assert_eq!(
        fs::read_to_string(&index).unwrap(),
        text,
        "--check wrote the index"
    );

    // A module without a snapshot gets its first one from `index`.
    fs::remove_file(repo.file("release/snapshot.json")).unwrap();
    repo.run(&["index"]);
    let snap: serde_json::Value =
        serde_json::from_str(&repo.read("release/snapshot.json")).unwrap();
    assert_eq!(snap["version"], "0.1.1");
    assert_eq!(
        snap["workflows"]["permit_review"]["states"],
        serde_json::json!(["requested", "granted"])
    );
}
