//! `beffroi-scaffold module`: a new module crate that builds, registers
//! itself and passes its own tests at once.
//!
//! Inside a Beffroi workspace (found by walking up from the current folder
//! to a `Cargo.toml` whose `[workspace]` has `core` among its members or
//! `beffroi` among its `[workspace.dependencies]`) the crate goes to
//! `modules/<name>`, joins the workspace's `members` and
//! `[workspace.dependencies]`, and takes its dependencies from the
//! workspace. Outside one, it is a workspace of its own that depends on the
//! core by path: `BEFFROI_CORE_PATH` if set, else the core next to the
//! workspace found, else the core this tool was built from; without any,
//! by version from the registry.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::names;

/// The files of a new module: (path in the crate, template).
const MODULE_FILES: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("../templates/module/Cargo.toml")),
    ("README.md", include_str!("../templates/module/README.md")),
    (
        "CHANGELOG.md",
        include_str!("../templates/module/CHANGELOG.md"),
    ),
    ("src/lib.rs", include_str!("../templates/module/src/lib.rs")),
    (
        "src/demo.rs",
        include_str!("../templates/module/src/demo.rs"),
    ),
    (
        "src/upgrades.rs",
        include_str!("../templates/module/src/upgrades.rs"),
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
    (
        "tests/it/main.rs",
        include_str!("../templates/module/tests/main.rs"),
    ),
];

/// The environment variable naming the core crate's folder, for crates
/// made outside a Beffroi workspace.
pub(crate) const CORE_PATH_VAR: &str = "BEFFROI_CORE_PATH";

/// The core's `Cargo.toml` this tool was built with: its version is the
/// one new crates ask for when no core folder is known.
const BUILT_CORE_MANIFEST: &str = include_str!("../../core/Cargo.toml");

/// Dev-dependencies of a module's tests, as the workspace declares them;
/// used when a workspace does not declare one.
const DEV_DEPS: &[(&str, &str)] = &[
    (
        "axum",
        r#"{ version = "0.8", default-features = false, features = ["http1", "json", "query", "tokio", "tower-log"] }"#,
    ),
    ("serde_json", r#""1""#),
    ("tempfile", r#""3""#),
    (
        "tokio",
        r#"{ version = "1", features = ["rt-multi-thread", "macros", "net", "signal", "sync", "time"] }"#,
    ),
    ("tower", r#"{ version = "0.5", features = ["util"] }"#),
];

/// A Beffroi workspace: its root folder and root manifest.
pub(crate) struct Workspace {
    /// The folder holding the workspace's `Cargo.toml`.
    pub(crate) root: PathBuf,
    manifest: toml::Table,
}

impl Workspace {
    /// The Beffroi workspace holding `start`, if any.
    pub(crate) fn find(start: &Path) -> Option<Workspace> {
        let mut dir = Some(start);
        while let Some(d) = dir {
            let path = d.join("Cargo.toml");
            if let Some(manifest) = fs::read_to_string(&path)
                .ok()
                .and_then(|t| t.parse::<toml::Table>().ok())
            {
                let ws = manifest.get("workspace").and_then(toml::Value::as_table);
                let has_core = ws
                    .and_then(|w| w.get("members"))
                    .and_then(toml::Value::as_array)
                    .is_some_and(|m| m.iter().any(|v| v.as_str() == Some("core")));
                let has_beffroi = ws
                    .and_then(|w| w.get("dependencies"))
                    .and_then(toml::Value::as_table)
                    .is_some_and(|d| d.contains_key("beffroi"));
                if has_core || has_beffroi {
                    return Some(Workspace {
                        root: d.to_owned(),
                        manifest,
                    });
                }
            }
            dir = d.parent();
        }
        None
    }

    fn workspace(&self) -> Option<&toml::Table> {
        self.manifest
            .get("workspace")
            .and_then(toml::Value::as_table)
    }

    fn dependencies(&self) -> Option<&toml::Table> {
        self.workspace()
            .and_then(|w| w.get("dependencies"))
            .and_then(toml::Value::as_table)
    }

    /// Whether `[workspace.dependencies]` declares `name`.
    pub(crate) fn has_dependency(&self, name: &str) -> bool {
        self.dependencies().is_some_and(|d| d.contains_key(name))
    }

    /// Whether `[workspace.package]` declares `key`.
    pub(crate) fn has_package_key(&self, key: &str) -> bool {
        self.workspace()
            .and_then(|w| w.get("package"))
            .and_then(toml::Value::as_table)
            .is_some_and(|p| p.contains_key(key))
    }

    /// Whether the workspace declares lints for its members.
    pub(crate) fn has_lints(&self) -> bool {
        self.workspace().is_some_and(|w| w.contains_key("lints"))
    }

    /// The folder of a dependency declared by path.
    pub(crate) fn dependency_dir(&self, name: &str) -> Option<PathBuf> {
        let path = self
            .dependencies()?
            .get(name)?
            .as_table()?
            .get("path")?
            .as_str()?;
        Some(self.root.join(path))
    }

    /// The module crates the workspace declares (`beffroi-*` in
    /// `[workspace.dependencies]`, but for the run-time modules' SDK):
    /// (module name, crate name).
    pub(crate) fn modules(&self) -> Vec<(String, String)> {
        self.dependencies()
            .map(|d| {
                let mut m: Vec<(String, String)> = d
                    .keys()
                    .filter(|k| k.starts_with("beffroi-") && *k != "beffroi-plugin")
                    .map(|k| (names::module_key(k), k.clone()))
                    .collect();
                m.sort();
                m
            })
            .unwrap_or_default()
    }

    fn manifest_path(&self) -> PathBuf {
        self.root.join("Cargo.toml")
    }

    /// Adds `member` (a path relative to the root) to `members`, and, for a
    /// library, `crate_name` to `[workspace.dependencies]`, editing the
    /// text so its comments and layout stay.
    pub(crate) fn add_member(&self, member: &str, dependency: Option<&str>) -> anyhow::Result<()> {
        let path = self.manifest_path();
        let text =
            fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut text = insert_member(&text, member)
            .with_context(|| format!("cannot find `members = [...]` in {}", path.display()))?;
        if let Some(crate_name) = dependency {
            text = insert_dependency(
                &text,
                &format!("{crate_name} = {{ path = \"{member}\", version = \"0.1.0\" }}"),
            )
            .with_context(|| {
                format!(
                    "cannot find `[workspace.dependencies]` in {}",
                    path.display()
                )
            })?;
        }
        fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
    }
}

/// `members = [ … ]` with `member` added last.
fn insert_member(text: &str, member: &str) -> Option<String> {
    let start = text.find("members")?;
    let open = start + text[start..].find('[')?;
    let close = open + text[open..].find(']')?;
    let inside = &text[open + 1..close];
    let mut out = String::with_capacity(text.len() + member.len() + 8);
    out.push_str(&text[..close]);
    if inside.contains('\n') {
        // One member a line: keep that, with the indentation of the last.
        let indent: String = inside
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map(|l| l.chars().take_while(|c| c.is_whitespace()).collect())
            .unwrap_or_else(|| "    ".into());
        let trimmed = out.trim_end().to_owned();
        out = trimmed;
        if !out.ends_with(',') && !out.ends_with('[') {
            out.push(',');
        }
        out.push('\n');
        out.push_str(&format!("{indent}\"{member}\",\n"));
    } else if inside.trim().is_empty() {
        out.push_str(&format!("\"{member}\""));
    } else {
        out.push_str(&format!(", \"{member}\""));
    }
    out.push_str(&text[close..]);
    Some(out)
}

/// `[workspace.dependencies]` with `line` added after its last `beffroi`
/// entry (or first, when there is none).
fn insert_dependency(text: &str, line: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let header = lines
        .iter()
        .position(|l| l.trim() == "[workspace.dependencies]")?;
    let mut at = header + 1;
    for (i, l) in lines.iter().enumerate().skip(header + 1) {
        if l.trim_start().starts_with('[') {
            break;
        }
        if l.trim_start().starts_with("beffroi") {
            at = i + 1;
        }
    }
    let mut out: Vec<&str> = lines[..at].to_vec();
    out.push(line);
    out.extend_from_slice(&lines[at..]);
    let mut s = out.join("\n");
    if text.ends_with('\n') {
        s.push('\n');
    }
    Some(s)
}

/// Quotes a value for inside a TOML basic string or a Rust string literal.
pub(crate) fn escape(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .flat_map(|c| match c {
            '\\' => vec!['\\', '\\'],
            '"' => vec!['\\', '"'],
            c => vec![c],
        })
        .collect()
}

/// Fills `@KEY@` placeholders; a placeholder left unfilled is a bug here.
pub(crate) fn fill(template: &str, values: &[(&str, &str)], file: &str) -> anyhow::Result<String> {
    let mut out = template.to_owned();
    for (k, v) in values {
        out = out.replace(&format!("@{k}@"), v);
    }
    for (i, _) in out.match_indices('@') {
        let rest = &out[i + 1..];
        let word: String = rest
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || *c == '_')
            .collect();
        if !word.is_empty() && rest[word.len()..].starts_with('@') {
            bail!("internal error: the template of {file} has no value for @{word}@");
        }
    }
    Ok(out)
}

/// The core version new crates ask for, and its folder when known.
pub(crate) struct Core {
    /// The core's folder, when one is known.
    pub(crate) dir: Option<PathBuf>,
    /// Its version (`0.3.0`).
    pub(crate) version: semver::Version,
}

impl Core {
    /// The core of `ws` if there is one, else `BEFFROI_CORE_PATH`, else the
    /// one this tool was built from, else only its version.
    pub(crate) fn locate(ws: Option<&Workspace>) -> anyhow::Result<Core> {
        let from_env = std::env::var_os(CORE_PATH_VAR).map(PathBuf::from);
        if let Some(dir) = &from_env {
            if !dir.join("Cargo.toml").is_file() {
                bail!(
                    "{CORE_PATH_VAR}={} holds no Cargo.toml; point it at Beffroi's `core` folder",
                    dir.display()
                );
            }
        }
        let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core");
        let dir = ws
            .and_then(|w| w.dependency_dir("beffroi"))
            .or(from_env)
            .or_else(|| built.join("Cargo.toml").is_file().then_some(built));
        let manifest = match &dir {
            Some(d) => fs::read_to_string(d.join("Cargo.toml"))
                .with_context(|| format!("cannot read {}/Cargo.toml", d.display()))?,
            None => BUILT_CORE_MANIFEST.to_owned(),
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
            .context("the core's Cargo.toml has no package.version")?;
        let version = semver::Version::parse(&version)
            .with_context(|| format!("the core's version `{version}` is not semver"))?;
        let dir = dir.map(|d| fs::canonicalize(&d).unwrap_or(d));
        Ok(Core { dir, version })
    }

    /// The range of core versions a new module works with: `^0.3`.
    pub(crate) fn range(&self) -> String {
        if self.version.major == 0 {
            format!("^0.{}", self.version.minor)
        } else {
            format!("^{}", self.version.major)
        }
    }

    /// The `beffroi = …` dependency line for a crate outside a workspace.
    pub(crate) fn dependency(&self) -> String {
        match &self.dir {
            Some(d) => format!(
                "beffroi = {{ path = \"{}\", version = \"{}\" }}",
                escape(&d.to_string_lossy()),
                self.version
            ),
            None => format!("beffroi = \"{}\"", self.range().trim_start_matches('^')),
        }
    }
}

/// Where a new crate goes and how it joins (or not) a workspace.
pub(crate) struct Placement {
    /// The crate's folder, absolute.
    pub(crate) target: PathBuf,
    /// The workspace it joins, with its path there.
    pub(crate) member_of: Option<(Workspace, String)>,
    /// The workspace found from the current folder (for its core and modules).
    pub(crate) found: Option<Workspace>,
}

/// Decides where a crate goes: `--dir`, else `<default_sub>/<folder>` in the
/// workspace, else `./<folder>`. Refuses an existing folder.
pub(crate) fn place(
    dir: Option<PathBuf>,
    default_sub: &str,
    folder: &str,
) -> anyhow::Result<Placement> {
    let cwd = std::env::current_dir().context("cannot read the current folder")?;
    let found = Workspace::find(&cwd);
    let target = match (&dir, &found) {
        (Some(d), _) => cwd.join(d),
        (None, Some(ws)) => ws.root.join(default_sub).join(folder),
        (None, None) => cwd.join(folder),
    };
    if target.exists() {
        bail!(
            "{} already exists; it is left untouched (choose another name or --dir)",
            target.display()
        );
    }
    let member_of = match found {
        Some(ref ws) if target.starts_with(&ws.root) => {
            let rel = target
                .strip_prefix(&ws.root)
                .map(|p| {
                    p.components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/")
                })
                .unwrap_or_default();
            Workspace::find(&ws.root).map(|w| (w, rel))
        }
        _ => None,
    };
    Ok(Placement {
        target,
        member_of,
        found,
    })
}

/// The `[package]` keys a crate takes from its workspace, or literal ones.
pub(crate) fn package_common(ws: Option<&Workspace>) -> String {
    let mut out = String::new();
    for (key, literal) in [
        ("edition", "\"2021\""),
        ("rust-version", "\"1.85\""),
        ("repository", ""),
    ] {
        match ws {
            Some(w) if w.has_package_key(key) => out.push_str(&format!("{key}.workspace = true\n")),
            _ if !literal.is_empty() => out.push_str(&format!("{key} = {literal}\n")),
            _ => {}
        }
    }
    out
}

/// The `[lints]` of a crate: the workspace's, or the same rules spelt out.
pub(crate) fn lints(ws: Option<&Workspace>) -> String {
    match ws {
        Some(w) if w.has_lints() => "[lints]\nworkspace = true\n".into(),
        _ => "[lints.rust]\nunsafe_code = \"forbid\"\n\n[lints.clippy]\nunwrap_used = \"warn\"\nexpect_used = \"warn\"\n\n\
              # A crate of its own, outside any workspace.\n[workspace]\n"
            .into(),
    }
}

/// Writes `files` under `target`, which must not exist yet.
pub(crate) fn write_files(target: &Path, files: &[(String, String)]) -> anyhow::Result<()> {
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    fs::create_dir(target).with_context(|| {
        format!(
            "cannot create {} (it is left untouched if it exists)",
            target.display()
        )
    })?;
    for (path, text) in files {
        let full = target.join(path);
        if let Some(parent) = full.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::write(&full, text).with_context(|| format!("cannot write {}", full.display()))?;
    }
    Ok(())
}

/// Formats the new crate's Rust files with `rustfmt`, whose layout depends
/// on the lengths of the names filled in. Without `rustfmt`, they stay as
/// written (they build the same).
pub(crate) fn rustfmt(target: &Path, files: &[(String, String)]) {
    let rs: Vec<PathBuf> = files
        .iter()
        .filter(|(p, _)| p.ends_with(".rs"))
        .map(|(p, _)| target.join(p))
        .collect();
    let _ = std::process::Command::new("rustfmt")
        .args(["--edition", "2021"])
        .args(&rs)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
}

fn camel(words_title: &str) -> String {
    words_title.split_whitespace().collect()
}

/// Runs the command.
pub(crate) fn run(name: &str, dir: Option<PathBuf>, dynamic: bool) -> anyhow::Result<ExitCode> {
    if dynamic {
        return crate::dynamic::run(name, dir);
    }
    let n = names::module(name)?;
    let placement = place(dir, "modules", &n.name)?;
    if let Some(ws) = &placement.found {
        if ws.has_dependency(&n.crate_name) {
            bail!(
                "the workspace already has a crate `{}`; choose another name",
                n.crate_name
            );
        }
    }
    let ws = placement.member_of.as_ref().map(|(w, _)| w);
    let core = Core::locate(placement.found.as_ref())?;

    let dep = |krate: &str, spec: &str| match ws {
        Some(w) if w.has_dependency(krate) => format!("{krate}.workspace = true"),
        _ => format!("{krate} = {spec}"),
    };
    let deps = match ws {
        Some(w) if w.has_dependency("beffroi") => "beffroi.workspace = true".to_owned(),
        _ => core.dependency(),
    };
    let dev_deps = DEV_DEPS
        .iter()
        .map(|(k, spec)| dep(k, spec))
        .collect::<Vec<_>>()
        .join("\n");
    let type_name = format!("{} Notice", n.words_title);
    let title_esc = escape(&n.title);
    let type_esc = escape(&type_name);
    let site_dep = match &placement.member_of {
        Some(_) => format!("{}.workspace = true", n.crate_name),
        None => format!(
            "{} = {{ path = \"{}\" }}",
            n.crate_name,
            escape(&placement.target.to_string_lossy())
        ),
    };
    let slug = n.name.replace('_', "-");
    let strukt = camel(&n.words_title);
    let common = package_common(ws);
    let lints = lints(ws);
    let range = core.range();
    let values: Vec<(&str, &str)> = vec![
        ("NAME", &n.name),
        ("SLUG", &slug),
        ("CRATE", &n.crate_name),
        ("IDENT", &n.ident),
        ("STRUCT", &strukt),
        ("TITLE", &n.title),
        ("TITLE_ESC", &title_esc),
        ("TITLE_DOC", &n.title),
        ("TYPE", &type_name),
        ("TYPE_ESC", &type_esc),
        ("PACKAGE_COMMON", &common),
        ("DEPS", &deps),
        ("DEV_DEPS", &dev_deps),
        ("LINTS", &lints),
        ("CORE_REQ", &range),
        ("SITE_DEP", &site_dep),
    ];
    let files = MODULE_FILES
        .iter()
        .map(|(path, tpl)| Ok(((*path).to_owned(), fill(tpl, &values, path)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    write_files(&placement.target, &files)?;
    rustfmt(&placement.target, &files);
    if let Some((w, rel)) = &placement.member_of {
        w.add_member(rel, Some(&n.crate_name))?;
    }

    println!(
        "created the module `{}` (crate {}, “{}”) in {}",
        n.name,
        n.crate_name,
        n.title,
        placement.target.display()
    );
    match &placement.member_of {
        Some((w, rel)) => {
            println!(
                "added `{rel}` to the workspace members and `{}` to [workspace.dependencies] in {}",
                n.crate_name,
                w.root.join("Cargo.toml").display()
            );
            println!("next: cargo test -p {}", n.crate_name);
        }
        None => {
            match &core.dir {
                Some(d) => println!("it depends on the core at {} by path", d.display()),
                None => println!("it depends on beffroi {} from the registry", core.range()),
            }
            println!("next: cd {} && cargo test", placement.target.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn members_are_added_in_the_files_layout() {
        let text = "[workspace]\nmembers = [\n    \"core\",\n    \"tests\",\n]\n";
        assert_eq!(
            insert_member(text, "modules/x").unwrap(),
            "[workspace]\nmembers = [\n    \"core\",\n    \"tests\",\n    \"modules/x\",\n]\n"
        );
        assert_eq!(
            insert_member("members = [\"a\"]\n", "b").unwrap(),
            "members = [\"a\", \"b\"]\n"
        );
        assert_eq!(
            insert_member("members = []\n", "b").unwrap(),
            "members = [\"b\"]\n"
        );
    }

    #[test]
    fn dependencies_go_after_the_last_beffroi_crate() {
        let text = "[workspace.dependencies]\nbeffroi = { path = \"core\" }\nbeffroi-catalog = { path = \"modules/catalog\" }\n\nanyhow = \"1\"\n";
        let out = insert_dependency(text, "beffroi-x = { path = \"modules/x\" }").unwrap();
        assert_eq!(
            out,
            "[workspace.dependencies]\nbeffroi = { path = \"core\" }\nbeffroi-catalog = { path = \"modules/catalog\" }\nbeffroi-x = { path = \"modules/x\" }\n\nanyhow = \"1\"\n"
        );
    }

    #[test]
    fn unfilled_placeholders_are_caught() {
        assert!(fill("a @NAME@ b", &[], "f").is_err());
        assert_eq!(
            fill("a @NAME@ b@", &[("NAME", "x")], "f").unwrap(),
            "a x b@"
        );
    }
}
