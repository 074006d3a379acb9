//! Run-time modules: shared libraries built with `beffroi-plugin` (the
//! fixture crate `core/tests/fixtures/dynamic/notice`, whose examples are
//! the libraries) loaded from a site's modules folder, used over HTTP, and
//! the libraries a site must refuse.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use axum::http::StatusCode;
use beffroi::prelude::*;
use beffroi::store::{SledStore, Store};
use beffroi::{CoreModule, Registry, SiteConfig};

use crate::common::{basic_auth, request, JSON, SEND_JSON};

const ADMIN_PASSWORD: &str = "Hotel-de-ville-2026";

/// The fixture's libraries, built once per test run with the same cargo
/// and target folder as this test: `target/debug/examples/lib*.so`.
fn built() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // target/debug/deps/it-… → target
        let exe = std::env::current_exe().unwrap();
        let target = exe.ancestors().nth(3).unwrap().to_owned();
        let status = Command::new(env!("CARGO"))
            .args(["build", "-q", "-p", "beffroi-fixture-notice", "--examples"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("CARGO_TARGET_DIR", &target)
            .status()
            .unwrap();
        assert!(status.success(), "the fixture libraries did not build");
        target.join("debug").join("examples")
    })
}

fn library(example: &str) -> String {
    format!(
        "{}{example}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

/// A site folder with a `modules/` holding copies of these fixture
/// libraries (by example name).
fn site_dir(examples: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let modules = dir.path().join("modules");
    std::fs::create_dir(&modules).unwrap();
    for e in examples {
        std::fs::copy(built().join(library(e)), modules.join(library(e))).unwrap();
    }
    dir
}

fn config(dir: &Path, modules: &str) -> beffroi::Result<SiteConfig> {
    SiteConfig::parse(
        "site.toml",
        &format!(
            "id = \"town\"\ntitle = \"Test Town\"\nlanguages = [\"en\", \"fr\"]\nhosts = [\"town.test\"]\n\
             demo_content = true\n{modules}"
        ),
        dir,
    )
}

fn core_only() -> Registry {
    Registry::from_modules([&CoreModule as &'static dyn Module]).unwrap()
}

/// Opens (and creates) a site whose `site.toml` ends with `modules`.
fn open(dir: &Path, modules: &str) -> beffroi::Result<Site> {
    let c = config(dir, modules)?;
    let registry = beffroi::dynamic::load(&core_only(), std::slice::from_ref(&c))?;
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&dir.join("data"))?);
    let site = Site::open(c, store, &registry)?;
    site.create(Some(ADMIN_PASSWORD))?;
    Ok(site)
}

/// What a site whose `site.toml` ends with `modules` says when it is
/// refused at start.
fn refusal(examples: &[&str], modules: &str) -> String {
    let dir = site_dir(examples);
    match open(dir.path(), modules) {
        Ok(_) => panic!("the site started with {modules}"),
        Err(e) => e.to_string(),
    }
}

fn app(site: Site) -> axum::Router {
    beffroi::web::app(Arc::new(
        beffroi::web::Sites::new(vec![Arc::new(site)]).unwrap(),
    ))
}

const NOTICE: &str = "[modules.notice]\nlibrary = \"libnotice.so\"\n";

#[tokio::test]
async fn a_run_time_module_brings_its_type_view_demo_and_veto() {
    let dir = site_dir(&["notice"]);
    let site = open(dir.path(), NOTICE).unwrap();
    assert!(site.modules().iter().any(|m| m.manifest().name == "notice"));
    let status = site.module_status(site.registry()).unwrap();
    let notice = status.iter().find(|s| s.name == "notice").unwrap();
    assert_eq!(notice.installed.as_deref(), Some("0.1.0"));
    assert!(notice.enabled);
    let app = app(site);
    let admin = basic_auth("admin", ADMIN_PASSWORD);
    let auth = ("authorization", admin.as_str());

    // Its demo item, published by its workflow, in its view and language.
    let r = request(
        &app,
        "GET",
        "/notice-demo",
        &[("accept-language", "fr")],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("En bref :"),
        "the module's template and catalog"
    );
    assert!(r.body.contains("From 8 to 12."), "{}", r.body);

    // Its type over HTTP.
    let r = request(
        &app,
        "POST",
        "/",
        &[auth, JSON, SEND_JSON],
        r#"{"@type": "Notice", "title": "Road works", "summary": "Rue Haute is closed."}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["review_state"], "draft");

    // Its hook refuses a title, with its own message; nothing is stored.
    let r = request(
        &app,
        "POST",
        "/",
        &[auth, JSON, SEND_JSON],
        r#"{"@type": "Notice", "title": "Forbidden parking", "summary": "x"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("may not say “forbidden”"), "{}", r.body);
    let r = request(&app, "GET", "/forbidden-parking", &[auth, JSON], "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // It is a module like the others in @addons.
    let r = request(&app, "GET", "/@addons", &[auth, JSON], "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("\"notice\""), "{}", r.body);
}

#[tokio::test]
async fn a_panicking_hook_fails_its_request_and_the_next_is_served() {
    let dir = site_dir(&["notice"]);
    let app = app(open(dir.path(), NOTICE).unwrap());
    let admin = basic_auth("admin", ADMIN_PASSWORD);
    let auth = ("authorization", admin.as_str());
    let r = request(
        &app,
        "POST",
        "/",
        &[auth, JSON, SEND_JSON],
        r#"{"@type": "Notice", "title": "Boom", "summary": "x"}"#,
    )
    .await;
    assert!(r.status.is_client_error(), "{} {}", r.status, r.body);
    let said = r.json()["message"].as_str().unwrap_or_default().to_owned();
    assert!(said.contains("“notice” failed"), "{said}");
    assert!(said.contains("exploded on purpose"), "{said}");
    let r = request(&app, "GET", "/boom", &[auth, JSON], "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "nothing stored");
    let r = request(
        &app,
        "POST",
        "/",
        &[auth, JSON, SEND_JSON],
        r#"{"@type": "Notice", "title": "Calm again", "summary": "x"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

#[test]
fn a_library_built_for_another_compiler_is_refused_saying_what_to_rebuild() {
    let said = refusal(
        &["other_rustc"],
        "[modules.notice]\nlibrary = \"libother_rustc.so\"\n",
    );
    assert!(
        said.contains("libother_rustc.so: was built for plugin API 1 with rustc 1.0.0"),
        "{said}"
    );
    let ours = beffroi_plugin_fingerprint();
    assert!(
        said.contains(&format!(
            "but this site runs plugin API 1 with rustc {ours}"
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!("cargo +{ours} build --release")),
        "{said}"
    );
}

/// This build's rustc version, from its fingerprint.
fn beffroi_plugin_fingerprint() -> String {
    let fp = beffroi::dynamic::fingerprint().unwrap();
    fp.split_whitespace()
        .find_map(|p| p.strip_prefix("rustc="))
        .unwrap()
        .to_owned()
}

#[test]
fn files_that_are_not_module_libraries_are_refused() {
    let said = refusal(
        &["no_entry"],
        "[modules.other]\nlibrary = \"libno_entry.so\"\n",
    );
    assert!(
        said.contains("is not a Beffroi module: it has no `beffroi_module_v1` entry"),
        "{said}"
    );

    let dir = site_dir(&[]);
    std::fs::write(dir.path().join("modules/libplain.so"), "not a library").unwrap();
    let said = open(dir.path(), "[modules.plain]\nlibrary = \"libplain.so\"\n")
        .err()
        .unwrap()
        .to_string();
    assert!(
        said.contains("libplain.so: cannot be loaded as a shared library"),
        "{said}"
    );

    let said = refusal(&[], "[modules.missing]\nlibrary = \"libmissing.so\"\n");
    assert!(
        said.contains("libmissing.so: cannot read the library of `[modules.missing]`"),
        "{said}"
    );
    assert!(said.contains("cargo build --release"), "{said}");
}

#[test]
fn libraries_are_named_by_file_name_in_the_modules_folder_only() {
    let dir = site_dir(&["notice"]);
    for bad in [
        "../modules/libnotice.so",
        "/tmp/libnotice.so",
        "sub/libnotice.so",
        "..",
        "",
    ] {
        let said = config(
            dir.path(),
            &format!("[modules.notice]\nlibrary = \"{bad}\"\n"),
        )
        .err()
        .unwrap_or_else(|| panic!("{bad:?} was accepted"))
        .to_string();
        assert!(said.contains("modules.notice.library"), "{bad}: {said}");
    }
    let said = config(dir.path(), "[modules.notice]\nlibrary = 3\n")
        .err()
        .unwrap()
        .to_string();
    assert!(said.contains("as a string"), "{said}");
    // Another folder, when site.toml says so.
    let other = dir.path().join("plugins");
    std::fs::rename(dir.path().join("modules"), &other).unwrap();
    open(
        dir.path(),
        &format!("modules_folder = \"plugins\"\n{NOTICE}"),
    )
    .unwrap();
}

#[test]
fn names_must_match_and_not_be_taken() {
    let said = refusal(&["notice"], "[modules.other]\nlibrary = \"libnotice.so\"\n");
    assert!(
        said.contains("holds the module `notice`, not `other`"),
        "{said}"
    );

    struct Taken;
    impl Module for Taken {
        fn manifest(&self) -> Manifest {
            Manifest {
                name: "notice",
                version: "1.0.0",
                ..Manifest::EMPTY
            }
        }
    }
    static TAKEN: Taken = Taken;
    let dir = site_dir(&["notice"]);
    let c = config(dir.path(), NOTICE).unwrap();
    let compiled = Registry::from_modules([&CoreModule as &'static dyn Module, &TAKEN]).unwrap();
    let said = beffroi::dynamic::load(&compiled, &[c])
        .unwrap_err()
        .to_string();
    assert!(said.contains("already has compiled in"), "{said}");

    let said = refusal(
        &["notice", "notice_v2"],
        "[modules.notice]\nlibrary = \"libnotice.so\"\n[modules.notice2]\nlibrary = \"libnotice_v2.so\"\n",
    );
    assert!(
        said.contains("holds the module `notice`, not `notice2`"),
        "{said}"
    );
}

#[test]
fn no_library_is_registered_when_one_is_refused() {
    let dir = site_dir(&["notice", "no_entry"]);
    let said = open(
        dir.path(),
        &format!("{NOTICE}[modules.other]\nlibrary = \"libno_entry.so\"\n"),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(said.contains("libno_entry.so"), "{said}");
    let here = std::fs::canonicalize(dir.path()).unwrap();
    assert!(
        !beffroi::dynamic::loaded()
            .iter()
            .any(|(_, f)| Path::new(f).starts_with(&here)
                || f.contains(&*dir.path().to_string_lossy())),
        "the good library was registered anyway"
    );
}

#[test]
fn an_invalid_workflow_is_refused_at_start_with_the_checkers_message() {
    let said = refusal(
        &["bad_workflow"],
        "[modules.notice]\nlibrary = \"libbad_workflow.so\"\n",
    );
    assert!(
        said.contains("notice/workflows/notice_publication.toml"),
        "{said}"
    );
    assert!(
        said.contains("the initial state `nowhere` is not declared"),
        "{said}"
    );
}

#[test]
fn upgrade_steps_run_in_the_library() {
    let dir = site_dir(&["notice", "notice_v2"]);
    {
        let site = open(dir.path(), NOTICE).unwrap();
        let system = Principal::system("test");
        site.add(
            &system,
            "/",
            "Notice",
            crate::common::data(json!({"title": "Market", "summary": "On Tuesdays."})),
        )
        .unwrap();
    }
    let v2 = "[modules.notice]\nlibrary = \"libnotice_v2.so\"\n";
    let site = open(dir.path(), v2).unwrap();
    let status = site.module_status(site.registry()).unwrap();
    let notice = status.iter().find(|s| s.name == "notice").unwrap();
    assert_eq!(notice.installed.as_deref(), Some("0.1.0"));
    assert_eq!(notice.linked.as_deref(), Some("0.2.0"));
    assert_eq!(
        notice.pending,
        vec![(
            "0.2.0".to_owned(),
            "Summaries say which version they come from".to_owned()
        )]
    );
    assert_eq!(site.upgrade(&mut |_, _| {}).unwrap(), 1);
    let market = site.get("/market").unwrap().unwrap();
    assert_eq!(
        market.field("summary"),
        Some(&json!("On Tuesdays. (since 0.2.0)"))
    );
    let demo = site.get("/notice-demo").unwrap().unwrap();
    assert_eq!(
        demo.field("summary"),
        Some(&json!("From 8 to 12. (since 0.2.0)"))
    );
    assert_eq!(
        site.installed_version("notice").unwrap().as_deref(),
        Some("0.2.0")
    );
}

/// The core's `unsafe` code is in one file, `dynamic/ffi.rs`, the only
/// module allowed it, and every block there says why it is sound.
#[test]
fn unsafe_code_lives_in_one_file_with_its_reasons() {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut allowing = Vec::new();
    let mut unsafe_in = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let rel = f
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if text.contains("allow(unsafe_code)") {
            allowing.push(rel.clone());
        }
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let code = l.split("//").next().unwrap_or("");
            if code.contains("unsafe {") || code.contains("unsafe impl") {
                unsafe_in.push(rel.clone());
                let reason = lines[i.saturating_sub(12)..i]
                    .iter()
                    .any(|p| p.trim_start().starts_with("// SAFETY:"));
                assert!(
                    reason,
                    "{rel}:{}: an unsafe block without a SAFETY comment",
                    i + 1
                );
            }
        }
    }
    unsafe_in.dedup();
    assert_eq!(allowing, vec!["dynamic/mod.rs"]);
    assert_eq!(unsafe_in, vec!["dynamic/ffi.rs"]);
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    assert!(lib.contains("#![deny(unsafe_code)]"));
}
