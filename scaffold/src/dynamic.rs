//! `beffroi-scaffold module NAME --dynamic`: a module crate built as a
//! shared library that a site loads at run time, with `beffroi-plugin`.
//!
//! It is always a crate of its own (its own `[workspace]`), never a member
//! of a Beffroi workspace: it is built apart from the site, by the town,
//! and copied into the site's modules folder. It goes to `./<name>` (or
//! `--dir`). It depends on `beffroi-plugin` by path when the SDK is found
//! beside the core (`BEFFROI_CORE_PATH`, the workspace's core, or the core
//! this tool was built from), else by version from the registry.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::module::{escape, fill, rustfmt, write_files, Core, Workspace};
use crate::names;

/// The files of a new run-time module: (path in the crate, template).
/// The type, workflow, view and catalogs are those of compiled modules.
const FILES: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        include_str!("../templates/dynamic/Cargo.toml"),
    ),
    ("README.md", include_str!("../templates/dynamic/README.md")),
    (
        "CHANGELOG.md",
        include_str!("../templates/dynamic/CHANGELOG.md"),
    ),
    (
        "src/lib.rs",
        include_str!("../templates/dynamic/src/lib.rs"),
    ),
    (
        "types/notice.toml",
        include_str!("../templates/module/types/notice.toml"),
    ),
    (
        "workflows/publication.toml",
        include_str!("../templates/module/workflows/publication.toml"),
    ),
    (
        "templates/notice_view.html",
        include_str!("../templates/module/templates/notice_view.html"),
    ),
    (
        "locales/de.ftl",
        include_str!("../templates/module/locales/de.ftl"),
    ),
    (
        "locales/en.ftl",
        include_str!("../templates/module/locales/en.ftl"),
    ),
    (
        "locales/es.ftl",
        include_str!("../templates/module/locales/es.ftl"),
    ),
    (
        "locales/fr.ftl",
        include_str!("../templates/module/locales/fr.ftl"),
    ),
    (
        "locales/nl.ftl",
        include_str!("../templates/module/locales/nl.ftl"),
    ),
];

/// The SDK's `Cargo.toml` this tool was built with: its version is the one
/// new crates ask for when no SDK folder is known.
const BUILT_PLUGIN_MANIFEST: &str = include_str!("../../plugin/Cargo.toml");

/// The `beffroi-plugin = …` line: by path beside the core when there is
/// one, else by version.
fn plugin_dependency(core: &Core) -> anyhow::Result<String> {
    let dir = core
        .dir
        .as_ref()
        .map(|d| d.join("../plugin"))
        .filter(|d| d.join("Cargo.toml").is_file());
    let manifest = match &dir {
        Some(d) => std::fs::read_to_string(d.join("Cargo.toml"))
            .with_context(|| format!("cannot read {}/Cargo.toml", d.display()))?,
        None => BUILT_PLUGIN_MANIFEST.to_owned(),
    };
    let version = manifest
        .parse::<toml::Table>()
        .ok()
        .and_then(|t| {
            t.get("package")?
                .get("version")?
                .as_str()
                .map(str::to_owned)
        })
        .context("beffroi-plugin's Cargo.toml has no package.version")?;
    Ok(match dir {
        Some(d) => {
            let d = std::fs::canonicalize(&d).unwrap_or(d);
            format!(
                "beffroi-plugin = {{ path = \"{}\", version = \"{version}\" }}",
                escape(&d.to_string_lossy())
            )
        }
        None => format!("beffroi-plugin = \"{version}\""),
    })
}

/// The library's file name on this system: `libbeffroi_notices.so`.
fn library_file(ident: &str) -> String {
    format!(
        "{}{ident}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

/// Runs the command.
pub(crate) fn run(name: &str, dir: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let n = names::module(name)?;
    let cwd = std::env::current_dir().context("cannot read the current folder")?;
    let target = match dir {
        Some(d) => cwd.join(d),
        None => cwd.join(&n.name),
    };
    if target.exists() {
        bail!(
            "{} already exists; it is left untouched (choose another name or --dir)",
            target.display()
        );
    }
    let core = Core::locate(Workspace::find(&cwd).as_ref())?;
    let plugin = plugin_dependency(&core)?;
    let type_name = format!("{} Notice", n.words_title);
    let title_esc = escape(&n.title);
    let type_esc = escape(&type_name);
    let slug = n.name.replace('_', "-");
    let strukt: String = n.words_title.split_whitespace().collect();
    let range = core.range();
    let libfile = library_file(&n.ident);
    let values: Vec<(&str, &str)> = vec![
        ("NAME", &n.name),
        ("SLUG", &slug),
        ("CRATE", &n.crate_name),
        ("STRUCT", &strukt),
        ("TITLE", &n.title),
        ("TITLE_ESC", &title_esc),
        ("TITLE_DOC", &n.title),
        ("TYPE", &type_name),
        ("TYPE_ESC", &type_esc),
        ("CORE_REQ", &range),
        ("PLUGIN_DEP", &plugin),
        ("LIBFILE", &libfile),
    ];
    let files = FILES
        .iter()
        .map(|(path, tpl)| Ok(((*path).to_owned(), fill(tpl, &values, path)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    write_files(&target, &files)?;
    rustfmt(&target, &files);

    println!(
        "created the run-time module `{}` (crate {}, “{}”) in {}",
        n.name,
        n.crate_name,
        n.title,
        target.display()
    );
    println!(
        "it depends on {}",
        plugin.trim_start_matches("beffroi-plugin = ")
    );
    println!(
        "next: cd {} && cargo build --release, then copy target/release/{libfile} into the site's \
         modules folder and add to its site.toml:\n\n[modules.{}]\nlibrary = \"{libfile}\"\n",
        target.display(),
        n.name
    );
    Ok(ExitCode::SUCCESS)
}
