//! `module` and `site`: what they generate builds, passes its own tests and
//! serves; names that cannot work, existing folders and unknown modules are
//! refused.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// This workspace's root (the scaffold's parent folder).
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// The target folder this test runs from: `target/debug/deps/it-…` → `target`.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .unwrap()
        .to_owned()
}

fn scaffold(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_beffroi-scaffold"))
        .args(args)
        .current_dir(cwd)
        .env_remove("BEFFROI_CORE_PATH")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A folder laid out like this workspace's manifest: the same
/// `[workspace.package]`, dependencies (Beffroi's crates by absolute path),
/// lints, profiles and lock file, and no members yet.
fn temp_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = repo();
    let mut manifest: toml::Table = std::fs::read_to_string(root.join("Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let ws = manifest
        .get_mut("workspace")
        .and_then(toml::Value::as_table_mut)
        .unwrap();
    ws.insert("members".into(), toml::Value::Array(Vec::new()));
    ws.remove("default-members");
    let deps = ws
        .get_mut("dependencies")
        .and_then(toml::Value::as_table_mut)
        .unwrap();
    for (_, spec) in deps.iter_mut() {
        if let Some(path) = spec
            .as_table_mut()
            .and_then(|t| t.get_mut("path"))
            .filter(|p| p.is_str())
        {
            let abs = root.join(path.as_str().unwrap());
            *path = toml::Value::String(abs.to_string_lossy().into_owned());
        }
    }
    std::fs::write(
        dir.path().join("Cargo.toml"),
        toml::to_string(&manifest).unwrap(),
    )
    .unwrap();
    for f in ["Cargo.lock", "clippy.toml"] {
        std::fs::copy(root.join(f), dir.path().join(f)).unwrap();
    }
    dir
}

fn cargo(ws: &Path, args: &[&str]) {
    let status = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(ws)
        .env("CARGO_TARGET_DIR", target_dir())
        .stdin(Stdio::null())
        .status()
        .unwrap();
    assert!(
        status.success(),
        "cargo {args:?} failed in {}",
        ws.display()
    );
}

/// A running site binary, stopped when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(bin: &Path, data: &Path) -> Server {
    let mut child = Command::new(bin)
        .arg("--data")
        .arg(data)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("BEFFROI_ADMIN_PASSWORD", "Demo-password-2026")
        .env("BEFFROI_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the site exited before listening")
            .unwrap();
        if let Some(url) = line.strip_prefix("listening on ") {
            break url
                .trim()
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Server { child, addr }
}

/// GET over plain HTTP/1.1: (status line, body).
fn get(addr: &str, path: &str) -> (String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: fr\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    (
        head.lines().next().unwrap_or("").to_owned(),
        body.to_owned(),
    )
}

#[test]
fn a_new_module_and_site_build_pass_their_tests_and_serve() {
    let ws = temp_workspace();
    let root = ws.path();

    let out = scaffold(root, &["module", "état civil"]);
    assert!(out.status.success(), "{}", text(&out));
    let module = root.join("modules/etat_civil");
    for f in [
        "Cargo.toml",
        "README.md",
        "CHANGELOG.md",
        "src/lib.rs",
        "src/demo.rs",
        "src/upgrades.rs",
        "types/notice.toml",
        "workflows/publication.toml",
        "templates/notice_view.html",
        "locales/de.ftl",
        "locales/en.ftl",
        "locales/es.ftl",
        "locales/fr.ftl",
        "locales/nl.ftl",
        "tests/it/main.rs",
    ] {
        assert!(module.join(f).is_file(), "{f} is missing");
    }
    let cargo_toml = std::fs::read_to_string(module.join("Cargo.toml")).unwrap();
    assert!(cargo_toml.contains("name = \"beffroi-etat-civil\""));
    assert!(cargo_toml.contains("version = \"0.1.0\""));
    assert!(cargo_toml.contains("license = \"GPL-2.0-or-later\""));
    assert!(cargo_toml.contains("beffroi.workspace = true"));
    let lib = std::fs::read_to_string(module.join("src/lib.rs")).unwrap();
    assert!(lib.contains("beffroi::register_module!(EtatCivil);"));
    assert!(lib.contains("title: \"État civil\""));
    assert!(std::fs::read_to_string(module.join("CHANGELOG.md"))
        .unwrap()
        .contains("## Unreleased"));
    assert!(std::fs::read_to_string(module.join("locales/nl.ftl"))
        .unwrap()
        .contains("etat_civil-in-short = Kort gezegd:"));
    let ws_toml = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(ws_toml.contains("\"modules/etat_civil\""), "{ws_toml}");
    assert!(
        ws_toml.contains("beffroi-etat-civil = { path = \"modules/etat_civil\""),
        "{ws_toml}"
    );

    // A field added to the type, as the guide says, is served at once.
    let mut notice = std::fs::read_to_string(module.join("types/notice.toml")).unwrap();
    notice.push_str(
        "\n[[field]]\nname = \"office\"\nkind = \"text\"\ndefault = \"Bureau 3, Hôtel de ville\"\ntitle = { en = \"Office\", fr = \"Bureau\", nl = \"Kantoor\", de = \"Büro\", es = \"Oficina\" }\n",
    );
    std::fs::write(module.join("types/notice.toml"), notice).unwrap();

    let out = scaffold(
        root,
        &["site", "Fosses-la-Ville", "--modules", "etat-civil,website"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let site = root.join("examples/fosses-la-ville");
    let site_toml = std::fs::read_to_string(site.join("site.toml")).unwrap();
    assert!(site_toml.contains("id = \"fosses-la-ville\""));
    assert!(site_toml.contains("title = \"Fosses-la-Ville\""));
    assert!(site_toml.contains("default_language = \"fr\""));
    assert!(site_toml.contains("[modules.etat_civil]"));
    assert!(site_toml.contains("[modules.website]"));
    let main = std::fs::read_to_string(site.join("src/main.rs")).unwrap();
    assert!(
        main.contains("beffroi::main!(beffroi_etat_civil, beffroi_website);"),
        "{main}"
    );
    let site_cargo = std::fs::read_to_string(site.join("Cargo.toml")).unwrap();
    assert!(site_cargo.contains("# beffroi-modules-inject"));
    assert!(site_cargo.contains("beffroi-etat-civil.workspace = true"));
    assert!(site.join("theme/folder_listing.html").is_file());
    assert!(site.join("theme/website/folder_view.html").is_file());
    assert!(site.join("theme/static/style.css").is_file());
    assert!(site.join("README.md").is_file());
    assert!(std::fs::read_to_string(root.join("Cargo.toml"))
        .unwrap()
        .contains("\"examples/fosses-la-ville\""));

    // The module's own tests start a site with it and fetch its pages.
    cargo(root, &["test", "-q", "-p", "beffroi-etat-civil"]);
    cargo(root, &["test", "-q", "-p", "fosses-la-ville"]);
    cargo(
        root,
        &[
            "build",
            "-q",
            "-p",
            "fosses-la-ville",
            "--bin",
            "fosses-la-ville",
        ],
    );

    // A private copy of the binary: the target folder is shared.
    let bin_dir = tempfile::tempdir().unwrap();
    let name = format!("fosses-la-ville{}", std::env::consts::EXE_SUFFIX);
    let bin = bin_dir.path().join(&name);
    std::fs::copy(target_dir().join("debug").join(&name), &bin).unwrap();
    let data = tempfile::tempdir().unwrap();
    let server = serve(&bin, data.path());

    let (status, body) = get(&server.addr, "/etat-civil-exemple");
    assert!(status.contains(" 200 "), "{status}\n{body}");
    assert!(body.contains("État civil : un exemple"), "{body}");
    assert!(body.contains("En bref"), "the module's view, in French");
    assert!(body.contains("Cet avis montre"), "the summary");
    assert!(
        body.contains("<dt>Bureau</dt>") && body.contains("Bureau 3, Hôtel de ville"),
        "the field added to the type: {body}"
    );
    let (status, body) = get(&server.addr, "/");
    assert!(status.contains(" 200 "), "{status}");
    assert!(body.contains("Fosses-la-Ville"));
    // The website's folders, laid out by the theme.
    let (status, body) = get(&server.addr, "/services-communaux");
    assert!(status.contains(" 200 "), "{status}");
    assert!(
        body.contains("<ul class=\"cards\">"),
        "the theme's folder view: {body}"
    );
    let (status, css) = get(&server.addr, "/++theme++/style.css");
    assert!(status.contains(" 200 "), "{status}");
    assert!(css.contains(".cards"));
}

#[test]
fn names_that_cannot_work_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    for (name, says) in [
        ("", "empty"),
        ("?!", "no letters or digits"),
        ("2e service", "starts with a digit"),
        ("type", "keyword"),
        ("Catalog", "already taken"),
        ("beffroi", "already taken"),
    ] {
        let out = scaffold(dir.path(), &["module", name]);
        assert!(!out.status.success(), "{name:?} was accepted");
        assert!(text(&out).contains(says), "{name:?}: {}", text(&out));
    }
    let out = scaffold(dir.path(), &["site", "1000 Bruxelles"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("starts with a digit"), "{}", text(&out));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn an_existing_folder_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let taken = dir.path().join("taken");
    std::fs::create_dir(&taken).unwrap();
    std::fs::write(taken.join("notes.txt"), "keep me").unwrap();
    for args in [
        &["module", "Parking-Permits", "--dir", "taken"][..],
        &["site", "Namur", "--dir", "taken"][..],
    ] {
        let out = scaffold(dir.path(), args);
        assert!(!out.status.success(), "{args:?} overwrote");
        assert!(text(&out).contains("already exists"), "{}", text(&out));
    }
    assert_eq!(
        std::fs::read_to_string(taken.join("notes.txt")).unwrap(),
        "keep me"
    );
    assert_eq!(std::fs::read_dir(&taken).unwrap().count(), 1);

    // In a workspace, the default folder of an existing module is refused too.
    let ws = temp_workspace();
    let out = scaffold(ws.path(), &["module", "Parking-Permits"]);
    assert!(out.status.success(), "{}", text(&out));
    let before = std::fs::read_to_string(ws.path().join("Cargo.toml")).unwrap();
    let out = scaffold(ws.path(), &["module", "parking permits"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("already exists"), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(ws.path().join("Cargo.toml")).unwrap(),
        before,
        "the workspace manifest is unchanged"
    );
}

#[test]
fn unknown_modules_are_refused_naming_the_available_ones() {
    let ws = temp_workspace();
    let out = scaffold(
        ws.path(),
        &["site", "Namur", "--modules", "website,parking"],
    );
    assert!(!out.status.success());
    let said = text(&out);
    assert!(said.contains("unknown module `parking`"), "{said}");
    assert!(said.contains("catalog, website"), "{said}");
    assert!(!ws.path().join("examples/namur").exists());
}

#[test]
fn a_new_run_time_module_builds_as_a_library_and_passes_its_tests() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_beffroi-scaffold"))
        .args(["module", "Avis de travaux", "--dynamic"])
        .current_dir(dir.path())
        .env("BEFFROI_CORE_PATH", repo().join("core"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("library = \"libbeffroi_avis_de_travaux.so\""),
        "{said}"
    );
    let module = dir.path().join("avis_de_travaux");
    for f in [
        "Cargo.toml",
        "README.md",
        "CHANGELOG.md",
        "src/lib.rs",
        "types/notice.toml",
        "workflows/publication.toml",
        "templates/notice_view.html",
        "locales/de.ftl",
        "locales/en.ftl",
        "locales/es.ftl",
        "locales/fr.ftl",
        "locales/nl.ftl",
    ] {
        assert!(module.join(f).is_file(), "{f} is missing");
    }
    let cargo_toml = std::fs::read_to_string(module.join("Cargo.toml")).unwrap();
    assert!(
        cargo_toml.contains("crate-type = [\"cdylib\"]"),
        "{cargo_toml}"
    );
    let plugin = std::fs::canonicalize(repo().join("plugin")).unwrap();
    assert!(
        cargo_toml.contains(&format!(
            "beffroi-plugin = {{ path = \"{}\"",
            plugin.display()
        )),
        "{cargo_toml}"
    );
    assert!(
        !cargo_toml.contains("beffroi ="),
        "no dependency on the core: {cargo_toml}"
    );
    assert!(cargo_toml.contains("\n[workspace]\n"), "a crate of its own");
    let lib = std::fs::read_to_string(module.join("src/lib.rs")).unwrap();
    assert!(
        lib.contains("beffroi_plugin::export!(AvisDeTravaux);"),
        "{lib}"
    );
    assert!(lib.contains("#![forbid(unsafe_code)]"));
    let readme = std::fs::read_to_string(module.join("README.md")).unwrap();
    assert!(readme.contains("cargo build --release"));
    assert!(
        readme.contains("library = \"libbeffroi_avis_de_travaux.so\""),
        "{readme}"
    );
    assert!(readme.contains("trusts it as it trusts"));

    // It builds into a shared library exporting the entry, and its own
    // tests (the hook, the manifest) pass; offline, with this lock file.
    std::fs::copy(repo().join("Cargo.lock"), module.join("Cargo.lock")).unwrap();
    cargo(&module, &["build", "-q", "--offline"]);
    let so = target_dir().join("debug").join(format!(
        "{}beffroi_avis_de_travaux{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    let bytes = std::fs::read(&so).unwrap();
    assert!(
        bytes.windows(17).any(|w| w == b"beffroi_module_v1"),
        "{} has no entry",
        so.display()
    );
    cargo(&module, &["test", "-q", "--offline"]);

    // Inside a workspace, it is still a crate of its own, not a member.
    let ws = temp_workspace();
    let before = std::fs::read_to_string(ws.path().join("Cargo.toml")).unwrap();
    let out = scaffold(ws.path(), &["module", "agenda", "--dynamic"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(ws.path().join("agenda/src/lib.rs").is_file());
    assert_eq!(
        std::fs::read_to_string(ws.path().join("Cargo.toml")).unwrap(),
        before
    );
}

#[test]
fn outside_a_workspace_crates_depend_on_the_core_by_path() {
    let dir = tempfile::tempdir().unwrap();
    let core = repo().join("core");
    let out = Command::new(env!("CARGO_BIN_EXE_beffroi-scaffold"))
        .args(["module", "Parking-Permits"])
        .current_dir(dir.path())
        .env("BEFFROI_CORE_PATH", &core)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let cargo_toml =
        std::fs::read_to_string(dir.path().join("parking_permits/Cargo.toml")).unwrap();
    let core = std::fs::canonicalize(core).unwrap();
    assert!(
        cargo_toml.contains(&format!("beffroi = {{ path = \"{}\"", core.display())),
        "{cargo_toml}"
    );
    assert!(cargo_toml.contains("\n[workspace]\n"), "a crate of its own");
    assert!(!cargo_toml.contains(".workspace = true"), "{cargo_toml}");
    let parsed: toml::Table = cargo_toml.parse().unwrap();
    assert_eq!(
        parsed["package"]["name"].as_str(),
        Some("beffroi-parking-permits")
    );

    let out = Command::new(env!("CARGO_BIN_EXE_beffroi-scaffold"))
        .args([
            "site",
            "Fosses-la-Ville",
            "--modules",
            "website,parking-permits",
        ])
        .current_dir(dir.path())
        .env("BEFFROI_CORE_PATH", &core)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let site_cargo =
        std::fs::read_to_string(dir.path().join("fosses-la-ville/Cargo.toml")).unwrap();
    let website = std::fs::canonicalize(repo().join("modules/website")).unwrap();
    assert!(
        site_cargo.contains(&format!(
            "beffroi-website = {{ path = \"{}\" }}",
            website.display()
        )),
        "{site_cargo}"
    );
    let permits = std::fs::canonicalize(dir.path().join("parking_permits")).unwrap();
    assert!(
        site_cargo.contains(&format!(
            "beffroi-parking-permits = {{ path = \"{}\" }}",
            permits.display()
        )),
        "the module made beside it: {site_cargo}"
    );
    assert!(site_cargo.contains("\n[workspace]\n"), "a crate of its own");
}
