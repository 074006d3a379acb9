//! The demo binary loads a run-time module that a `site.toml` names, serves
//! its type, and refuses a library built by another compiler in one line.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::harness::{binary, run, serve_with, stderr, stdout};

/// The core's fixture libraries (`core/tests/fixtures/dynamic/notice`),
/// built with this test's cargo: `target/debug/examples/`.
fn fixtures() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(build_fixtures)
}

fn build_fixtures() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let status = Command::new(env!("CARGO"))
        .args(["build", "-q", "-p", "beffroi-fixture-notice", "--examples"])
        .current_dir(root)
        .status()
        .unwrap();
    assert!(status.success(), "the fixture libraries did not build");
    // target/<profile>/deps/it-… → target
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().join("debug/examples")
}

fn lib(name: &str) -> String {
    format!(
        "{}{name}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

/// A town folder: `site.toml` naming `library` for `[modules.notice]`,
/// and `modules/` holding it.
fn town(example: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("modules")).unwrap();
    std::fs::copy(
        fixtures().join(lib(example)),
        dir.path().join("modules").join(lib(example)),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("site.toml"),
        format!(
            "id = \"ville\"\ntitle = \"Ville\"\nhosts = [\"127.0.0.1\"]\ndefault = true\n\
             languages = [\"fr\", \"en\"]\ndemo_content = true\n\
             [modules.website]\n[modules.notice]\nlibrary = \"{}\"\n",
            lib(example)
        ),
    )
    .unwrap();
    dir
}

#[test]
fn the_demo_binary_loads_a_run_time_module_and_serves_its_type() {
    let dir = town("notice");
    let config = dir.path().join("site.toml");
    let config = config.to_str().unwrap();
    let data = dir.path().join("data");
    let out = run(&data, &["--site-config", config, "check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(
        said.contains("run-time module notice: loaded from"),
        "{said}"
    );
    assert!(
        said.contains("this binary loads libraries built for plugin API 1"),
        "{said}"
    );

    let server = serve_with(binary(), &data, &["--site-config", config]);
    let c = reqwest::blocking::Client::new();
    let page = c
        .get(format!("{}/notice-demo", server.url))
        .header("accept-language", "fr")
        .send()
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().unwrap().contains("En bref :"));
    let add = |title: &str| {
        c.post(&server.url)
            .basic_auth("admin", Some("Demo-password-2026"))
            .header("accept", "application/json")
            .json(&serde_json::json!({"@type": "Notice", "title": title, "summary": "x"}))
            .send()
            .unwrap()
    };
    assert_eq!(add("Road works").status(), 201);
    let refused = add("Forbidden parking");
    assert_eq!(refused.status(), 409);
    assert!(refused.text().unwrap().contains("may not say “forbidden”"));
    drop(server);

    let out = run(&data, &["--site-config", config, "modules"]);
    let said = stdout(&out);
    assert!(said.contains("run-time module, loaded from"), "{said}");
}

#[test]
fn a_library_built_by_another_compiler_stops_the_start_with_what_to_do() {
    let dir = town("other_rustc");
    let config = dir.path().join("site.toml");
    let out = run(
        &dir.path().join("data"),
        &[
            "--site-config",
            config.to_str().unwrap(),
            "serve",
            "--bind",
            "127.0.0.1:0",
        ],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("was built for plugin API 1 with rustc 1.0.0"),
        "{err}"
    );
    assert!(err.contains("rebuild the module"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
}
