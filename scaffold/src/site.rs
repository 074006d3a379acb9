//! `beffroi-scaffold site`: a town site crate that serves at once with
//! `cargo run`.
//!
//! Inside a Beffroi workspace it goes to `examples/<slug>`, joins the
//! workspace's `members`, and links modules the workspace declares in
//! `[workspace.dependencies]`. Outside one, it is a workspace of its own
//! that links by path the core (see [`crate::module`]) and modules found
//! beside it (`<core>/../modules/*`) or beside the new site (a module made
//! with `beffroi-scaffold module` in the same folder).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::bail;

use crate::module::{escape, fill, lints, package_common, place, rustfmt, write_files, Core};
use crate::names;

/// The files of a new site: (path in the crate, template).
const SITE_FILES: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("../templates/site/Cargo.toml")),
    ("README.md", include_str!("../templates/site/README.md")),
    ("site.toml", include_str!("../templates/site/site.toml")),
    ("src/main.rs", include_str!("../templates/site/src/main.rs")),
    (
        "theme/folder_listing.html",
        include_str!("../templates/site/theme/folder_listing.html"),
    ),
    (
        "theme/website/folder_view.html",
        include_str!("../templates/site/theme/website/folder_view.html"),
    ),
    (
        "theme/static/style.css",
        include_str!("../templates/site/theme/static/style.css"),
    ),
];

/// The languages a new site offers, the default first.
const LANGUAGES: &[&str] = &["fr", "nl", "de", "en", "es"];

/// The modules a site links when none is named, if available.
const DEFAULT_MODULES: &[&str] = &["website"];

/// A module a site can link.
struct Available {
    /// Its name in `site.toml` (`etat_civil`).
    name: String,
    /// Its crate (`beffroi-etat-civil`).
    crate_name: String,
    /// Its folder, for a site outside a workspace.
    dir: Option<PathBuf>,
}

/// The module crates in `modules_dir` (`<core>/../modules`).
fn modules_beside(modules_dir: &Path) -> Vec<Available> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(modules_dir) else {
        return out;
    };
    for e in entries.flatten() {
        let dir = e.path();
        let crate_name = fs::read_to_string(dir.join("Cargo.toml"))
            .ok()
            .and_then(|t| t.parse::<toml::Table>().ok())
            .and_then(|t| t.get("package")?.get("name")?.as_str().map(str::to_owned));
        if let Some(crate_name) = crate_name.filter(|c| c.starts_with("beffroi-")) {
            let dir = fs::canonicalize(&dir).unwrap_or(dir);
            out.push(Available {
                name: names::module_key(&crate_name),
                crate_name,
                dir: Some(dir),
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Runs the command.
pub(crate) fn run(
    name: &str,
    modules: &[String],
    dir: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let n = names::site(name)?;
    let placement = place(dir, "examples", &n.slug)?;
    if let Some(ws) = &placement.found {
        if ws.has_dependency(&n.slug) || ws.modules().iter().any(|(_, c)| *c == n.slug) {
            bail!(
                "the workspace already has a crate `{}`; choose another name",
                n.slug
            );
        }
    }
    let ws = placement.member_of.as_ref().map(|(w, _)| w);
    let core = Core::locate(placement.found.as_ref())?;

    let available: Vec<Available> = match ws {
        Some(w) => w
            .modules()
            .into_iter()
            .map(|(name, crate_name)| Available {
                name,
                crate_name,
                dir: None,
            })
            .collect(),
        None => {
            // The modules next to the core, then the ones made beside the
            // new site (`beffroi-scaffold module` in the same folder).
            let mut found = core
                .dir
                .as_ref()
                .and_then(|d| d.parent())
                .map(|root| modules_beside(&root.join("modules")))
                .unwrap_or_default();
            if let Some(parent) = placement.target.parent() {
                for m in modules_beside(parent) {
                    if !found.iter().any(|f| f.name == m.name) {
                        found.push(m);
                    }
                }
            }
            found
        }
    };
    let list = || {
        if available.is_empty() {
            "none".to_owned()
        } else {
            available
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }
    };

    // (as typed, module name)
    let wanted: Vec<(String, String)> = if modules.is_empty() {
        DEFAULT_MODULES
            .iter()
            .filter(|d| available.iter().any(|a| a.name == **d))
            .map(|d| ((*d).to_owned(), (*d).to_owned()))
            .collect()
    } else {
        modules
            .iter()
            .map(|m| m.trim())
            .filter(|m| !m.is_empty())
            .map(|m| (m.to_owned(), names::module_key(m)))
            .collect()
    };
    let mut chosen: Vec<&Available> = Vec::new();
    for (typed, key) in &wanted {
        match available.iter().find(|a| a.name == *key) {
            Some(a) if !chosen.iter().any(|c| c.name == a.name) => chosen.push(a),
            Some(_) => {}
            None => bail!(
                "unknown module `{typed}`; the modules available here are: {}",
                list()
            ),
        }
    }

    let mut deps = vec![match ws {
        Some(w) if w.has_dependency("beffroi") => "beffroi.workspace = true".to_owned(),
        _ => core.dependency(),
    }];
    deps.push("# beffroi-modules-inject: the scaffold adds new modules below this line.".into());
    for m in &chosen {
        deps.push(match &m.dir {
            None => format!("{}.workspace = true", m.crate_name),
            Some(d) => format!(
                "{} = {{ path = \"{}\" }}",
                m.crate_name,
                escape(&d.to_string_lossy())
            ),
        });
    }
    let deps = deps.join("\n");
    let main_args = chosen
        .iter()
        .map(|m| m.crate_name.replace('-', "_"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut registered: Vec<&str> = chosen.iter().map(|m| m.name.as_str()).collect();
    registered.push("beffroi");
    registered.sort_unstable();
    let registered = registered
        .iter()
        .map(|r| format!("\"{r}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let module_tables = if chosen.is_empty() {
        "# None yet: add `[modules.NAME]` tables here.".to_owned()
    } else {
        chosen
            .iter()
            .map(|m| format!("[modules.{}]", m.name))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let module_list = if chosen.is_empty() {
        "none yet (only the core)".to_owned()
    } else {
        chosen
            .iter()
            .map(|m| format!("`{}`", m.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let languages = LANGUAGES
        .iter()
        .map(|l| format!("\"{l}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let title_esc = escape(&n.title);
    let common = package_common(ws);
    let lints = lints(ws);
    let values: Vec<(&str, &str)> = vec![
        ("SLUG", &n.slug),
        ("TITLE", &n.title),
        ("TITLE_ESC", &title_esc),
        ("TITLE_DOC", &n.title),
        ("PACKAGE_COMMON", &common),
        ("DEPS", &deps),
        ("LINTS", &lints),
        ("MAIN_ARGS", &main_args),
        ("REGISTERED", &registered),
        ("LANGUAGES", &languages),
        ("DEFAULT_LANGUAGE", LANGUAGES[0]),
        ("MODULE_TABLES", &module_tables),
        ("MODULE_LIST", &module_list),
    ];
    let files = SITE_FILES
        .iter()
        .map(|(path, tpl)| Ok(((*path).to_owned(), fill(tpl, &values, path)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    write_files(&placement.target, &files)?;
    rustfmt(&placement.target, &files);
    if let Some((w, rel)) = &placement.member_of {
        w.add_member(rel, None)?;
    }

    println!(
        "created the site `{}` (“{}”) with the modules: {} in {}",
        n.slug,
        n.title,
        if chosen.is_empty() {
            "none".to_owned()
        } else {
            chosen
                .iter()
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        },
        placement.target.display()
    );
    match &placement.member_of {
        Some((w, rel)) => {
            println!(
                "added `{rel}` to the workspace members in {}",
                w.root.join("Cargo.toml").display()
            );
            println!("next: cargo run -p {}", n.slug);
        }
        None => {
            println!("next: cd {} && cargo run", placement.target.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
