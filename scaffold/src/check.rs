//! `beffroi-scaffold check`: what a release of each module needs, and what
//! is missing. Read-only; the exit code is non-zero when anything is.

use std::fs;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use semver::Version;

use crate::release::model::{self, Level, ModuleInfo, Part};

/// One line of a module's report.
#[derive(Debug)]
pub(crate) struct Line {
    /// Whether this part is ready.
    pub(crate) ok: bool,
    /// What was checked.
    pub(crate) topic: &'static str,
    /// What was found.
    pub(crate) found: String,
    /// What to do about it.
    pub(crate) todo: Option<String>,
}

impl Line {
    fn ok(topic: &'static str, found: String) -> Self {
        Line {
            ok: true,
            topic,
            found,
            todo: None,
        }
    }

    fn missing(topic: &'static str, found: String, todo: String) -> Self {
        Line {
            ok: false,
            topic,
            found,
            todo: Some(todo),
        }
    }
}

/// A module's report.
#[derive(Debug)]
pub(crate) struct Report {
    pub(crate) lines: Vec<Line>,
}

impl Report {
    pub(crate) fn ok(&self) -> bool {
        self.lines.iter().all(|l| l.ok)
    }

    /// Prints it under a heading naming the module and `version`.
    pub(crate) fn print(&self, m: &ModuleInfo, version: &Version) {
        println!("{} {version} ({})", m.crate_name, m.rel);
        for l in &self.lines {
            println!(
                "  {} {}: {}",
                if l.ok { "✓" } else { "✗" },
                l.topic,
                l.found
            );
            if let Some(todo) = &l.todo {
                println!("      → {todo}");
            }
        }
    }
}

/// A release being prepared: the version it will be.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) version: Version,
}

/// Checks one module. Without a plan, the module's current version is the
/// one to release; with one (from `release`), the planned version.
pub(crate) fn evaluate(root: &Path, m: &ModuleInfo, plan: Option<&Plan>) -> Result<Report> {
    let target = plan.map_or(&m.version, |p| &p.version);
    let mut lines = vec![changelog(m, plan.is_some(), target)];
    lines.push(version(root, m, plan));
    lines.extend(data(m, target)?);
    lines.push(translations(m));
    lines.push(metadata(root, m));
    Ok(Report { lines })
}

fn changelog(m: &ModuleInfo, releasing: bool, target: &Version) -> Line {
    const TOPIC: &str = "changelog";
    let path = m.dir.join("CHANGELOG.md");
    let Ok(text) = fs::read_to_string(&path) else {
        return Line::missing(
            TOPIC,
            "no CHANGELOG.md".into(),
            format!(
                "write {}/CHANGELOG.md with a `## Unreleased` section listing the changes (`- …`)",
                m.rel
            ),
        );
    };
    let sections = model::sections(&text);
    let unreleased = sections.iter().find(|s| s.unreleased);
    let current = sections.iter().find(|s| s.version.as_ref() == Some(target));
    let todo = format!(
        "add the changes, for the towns, as `- …` lines under `## Unreleased` in {}/CHANGELOG.md",
        m.rel
    );
    if let Some(u) = unreleased.filter(|u| u.entries > 0) {
        return Line::ok(
            TOPIC,
            format!("`## {}` has {}", u.heading, entries(u.entries)),
        );
    }
    match current {
        Some(c) if c.entries > 0 && !releasing => Line::ok(
            TOPIC,
            format!("`## {}` has {}", c.heading, entries(c.entries)),
        ),
        Some(c) if c.entries > 0 && c.heading.to_lowercase().contains("unreleased") => Line::ok(
            TOPIC,
            format!("`## {}` has {}", c.heading, entries(c.entries)),
        ),
        _ if releasing => {
            Line::missing(TOPIC, "no `## Unreleased` entries to release".into(), todo)
        }
        _ => Line::missing(
            TOPIC,
            format!("no entry for {target} and no `## Unreleased` entries"),
            todo,
        ),
    }
}

fn entries(n: usize) -> String {
    if n == 1 {
        "1 entry".to_owned()
    } else {
        format!("{n} entries")
    }
}

fn version(root: &Path, m: &ModuleInfo, plan: Option<&Plan>) -> Line {
    const TOPIC: &str = "version";
    let tag = match model::last_tag(root, m) {
        Ok(t) => t,
        Err(e) => {
            return Line::missing(
                TOPIC,
                format!("cannot read the release tags: {e:#}"),
                "run this inside the workspace's git checkout".into(),
            )
        }
    };
    let Some((tag, tagged)) = tag else {
        let found = match plan {
            Some(p) => format!(
                "{} → {} (no release tag `{}-v*` yet; this one will be `{}`)",
                m.version,
                p.version,
                m.crate_name,
                m.tag(&p.version)
            ),
            None => format!(
                "{} (no release tag `{}-v*` yet; the next release bumps from {})",
                m.version, m.crate_name, m.version
            ),
        };
        return Line::ok(TOPIC, found);
    };
    if let Some(p) = plan {
        return if p.version > tagged {
            Line::ok(TOPIC, format!("{tagged} ({tag}) → {}", p.version))
        } else {
            Line::missing(
                TOPIC,
                format!("{} is not above the last release {tagged}", p.version),
                "pick a larger bump".into(),
            )
        };
    }
    if m.version < tagged {
        return Line::missing(
            TOPIC,
            format!("{} is below the last release {tagged} ({tag})", m.version),
            format!(
                "set the version in {}/Cargo.toml back to at least {tagged}",
                m.rel
            ),
        );
    }
    if m.version > tagged {
        return Line::ok(
            TOPIC,
            format!("bumped from {tagged} ({tag}) to {}", m.version),
        );
    }
    match model::changed_since(root, &tag, m) {
        Err(e) => Line::missing(
            TOPIC,
            format!("cannot compare with {tag}: {e:#}"),
            "check the git checkout".into(),
        ),
        Ok(files) if files.is_empty() => {
            Line::ok(TOPIC, format!("{} (unchanged since {tag})", m.version))
        }
        Ok(files) => {
            let mut shown: Vec<String> = files.iter().take(5).cloned().collect();
            if files.len() > 5 {
                shown.push(format!("and {} more", files.len() - 5));
            }
            Line::missing(
                TOPIC,
                format!(
                    "still {} although {} file(s) changed since {tag}: {}",
                    m.version,
                    files.len(),
                    shown.join(", ")
                ),
                format!(
                    "release a new version: `beffroi-scaffold release {} --patch` (or --minor, --major)",
                    m.name
                ),
            )
        }
    }
}

/// The snapshot comparison: stored data changes, their upgrade steps, and
/// whether the version bump is large enough.
fn data(m: &ModuleInfo, target: &Version) -> Result<Vec<Line>> {
    const TOPIC: &str = "stored data";
    let Some(old) = model::stored_snapshot(m)? else {
        return Ok(vec![Line::missing(
            TOPIC,
            format!(
                "no snapshot {}/{} of the released types and workflows",
                m.rel,
                model::SNAPSHOT
            ),
            "run `beffroi-scaffold index`: it writes a first snapshot for a module that has none"
                .into(),
        )]);
    };
    let new = model::current_snapshot(m, target)?;
    let changes = model::diff(&old, &new);
    if changes.is_empty() {
        return Ok(vec![Line::ok(
            TOPIC,
            format!(
                "{} types and {} workflows, unchanged since {}",
                new.types.len(),
                new.workflows.len(),
                old.version
            ),
        )]);
    }
    let listed = changes
        .iter()
        .map(|c| c.what.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let level = changes.iter().map(|c| c.level).max();
    let mut lines = Vec::new();
    let Ok(from) = Version::parse(&old.version) else {
        lines.push(Line::missing(
            TOPIC,
            format!("the snapshot's version `{}` is not semver", old.version),
            format!("fix {}/{}", m.rel, model::SNAPSHOT),
        ));
        return Ok(lines);
    };
    let needed = model::required_part(level, &from);
    if *target <= from {
        lines.push(Line::missing(
            TOPIC,
            format!("changed since {from}: {listed}"),
            format!(
                "release a new version (at least `beffroi-scaffold release {} {}`){}",
                m.name,
                needed.flag(),
                if level.is_some_and(Level::needs_step) {
                    " with an upgrade step to it"
                } else {
                    ""
                }
            ),
        ));
        return Ok(lines);
    }
    let done = model::part_between(&from, target);
    if done < needed {
        lines.push(Line::missing(
            "version bump",
            format!(
                "{from} → {target} is a {} bump, but {listed} needs at least {}",
                name(done),
                name(needed)
            ),
            format!(
                "release with {} (the versioning rules are in docs/modules.md)",
                needed.flag()
            ),
        ));
    } else {
        lines.push(Line::ok(
            "version bump",
            format!(
                "{from} → {target} ({} bump, {} needed)",
                name(done),
                name(needed)
            ),
        ));
    }
    if level.is_some_and(Level::needs_step) {
        let what = changes
            .iter()
            .filter(|c| c.level.needs_step())
            .map(|c| c.what.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        if model::has_upgrade_step(&m.sources, target) {
            lines.push(Line::ok(
                "upgrade step",
                format!("`UpgradeStep {{ to: \"{target}\" }}` for: {what}"),
            ));
        } else {
            lines.push(Line::missing(
                "upgrade step",
                format!("stored data changes ({what}) and no upgrade step to {target}"),
                format!(
                    "add `UpgradeStep {{ to: \"{target}\", title: \"…\", run: … }}` to `upgrade_steps()` in {}/src, bringing existing items up to date",
                    m.rel
                ),
            ));
        }
    } else {
        lines.push(Line::ok(
            TOPIC,
            format!("only additions since {from}: {listed}"),
        ));
    }
    Ok(lines)
}

fn name(p: Part) -> &'static str {
    match p {
        Part::Patch => "patch",
        Part::Minor => "minor",
        Part::Major => "major",
    }
}

fn translations(m: &ModuleInfo) -> Line {
    const TOPIC: &str = "translations";
    let dir = m.dir.join("locales");
    if !dir.is_dir() {
        return Line::ok(
            TOPIC,
            "no locales/ folder (the module has no messages)".into(),
        );
    }
    let read = |lang: &str| fs::read_to_string(dir.join(format!("{lang}.ftl"))).ok();
    let Some(en) = read("en") else {
        return Line::missing(
            TOPIC,
            "no locales/en.ftl, the reference catalog".into(),
            format!("write {}/locales/en.ftl", m.rel),
        );
    };
    let reference = model::ftl_keys(&en);
    let mut langs: Vec<String> = model::LANGUAGES.iter().map(|l| (*l).to_owned()).collect();
    if let Ok(files) = model::files_with(&dir, "ftl") {
        for f in files {
            if let Some(stem) = f.file_stem() {
                let s = stem.to_string_lossy().into_owned();
                if !langs.contains(&s) {
                    langs.push(s);
                }
            }
        }
    }
    let mut problems = Vec::new();
    for lang in langs.iter().filter(|l| *l != "en") {
        let Some(text) = read(lang) else {
            problems.push(format!("locales/{lang}.ftl is missing"));
            continue;
        };
        let keys = model::ftl_keys(&text);
        let missing: Vec<&str> = reference.difference(&keys).map(String::as_str).collect();
        let extra: Vec<&str> = keys.difference(&reference).map(String::as_str).collect();
        if !missing.is_empty() {
            problems.push(format!("{lang} lacks {}", missing.join(", ")));
        }
        if !extra.is_empty() {
            problems.push(format!(
                "{lang} has keys en.ftl lacks: {}",
                extra.join(", ")
            ));
        }
    }
    if problems.is_empty() {
        Line::ok(
            TOPIC,
            format!("{} keys in each of {}", reference.len(), langs.join(", ")),
        )
    } else {
        Line::missing(
            TOPIC,
            problems.join("; "),
            format!(
                "give every language the same keys as {}/locales/en.ftl",
                m.rel
            ),
        )
    }
}

fn metadata(root: &Path, m: &ModuleInfo) -> Line {
    const TOPIC: &str = "metadata";
    let empty = toml::Table::new();
    let package = m.package().unwrap_or(&empty);
    let workspace_package = fs::read_to_string(root.join("Cargo.toml"))
        .ok()
        .and_then(|t| t.parse::<toml::Table>().ok())
        .and_then(|t| {
            t.get("workspace")
                .and_then(|w| w.get("package"))
                .and_then(|p| p.as_table())
                .cloned()
        })
        .unwrap_or_default();
    // A key set in the package, or inherited (`key.workspace = true`) from a
    // workspace that sets it.
    let has = |key: &str| match package.get(key) {
        Some(toml::Value::String(s)) => !s.trim().is_empty(),
        Some(toml::Value::Table(t)) => {
            t.get("workspace").and_then(|w| w.as_bool()) == Some(true)
                && workspace_package
                    .get(key)
                    .and_then(|v| v.as_str())
                    .is_some_and(|s| !s.trim().is_empty())
        }
        _ => false,
    };
    let unpublished = package.get("publish").and_then(|p| p.as_bool()) == Some(false);
    let mut missing = Vec::new();
    if !has("description") {
        missing.push("description");
    }
    if !has("license") && !has("license-file") {
        missing.push("license");
    }
    if !unpublished && !has("repository") {
        missing.push("repository (or `publish = false`)");
    }
    let readme_ok = match package.get("readme") {
        Some(toml::Value::String(r)) => m.dir.join(r).is_file(),
        Some(toml::Value::Boolean(false)) => false,
        Some(toml::Value::Table(_)) => has("readme"),
        _ => m.dir.join("README.md").is_file(),
    };
    if !readme_ok {
        missing.push("readme (README.md)");
    }
    if missing.is_empty() {
        Line::ok(
            TOPIC,
            "description, license, repository and readme are set".into(),
        )
    } else {
        Line::missing(
            TOPIC,
            format!("missing for `cargo package`: {}", missing.join(", ")),
            format!("complete [package] in {}/Cargo.toml", m.rel),
        )
    }
}

/// Runs the command.
pub(crate) fn run(modules: &[String]) -> Result<ExitCode> {
    let root = model::workspace_root()?;
    let mods = model::modules(&root, modules)?;
    if mods.is_empty() {
        anyhow::bail!("no module under {}", root.join("modules").display());
    }
    let mut failing = Vec::new();
    for (i, m) in mods.iter().enumerate() {
        if i > 0 {
            println!();
        }
        let report = evaluate(&root, m, None)?;
        report.print(m, &m.version);
        if !report.ok() {
            failing.push(m.name.clone());
        }
    }
    println!();
    if failing.is_empty() {
        println!("{} module(s) checked: all ready to release.", mods.len());
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "{} module(s) checked; something is missing in: {}",
            mods.len(),
            failing.join(", ")
        );
        Ok(ExitCode::FAILURE)
    }
}
