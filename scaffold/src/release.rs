//! `beffroi-scaffold release`: checks a module, bumps its version (in its
//! Cargo.toml, the workspace's `[workspace.dependencies]` and Cargo.lock),
//! moves its `## Unreleased` changelog entries under the new version and
//! today's date, writes its snapshot, commits and tags
//! `beffroi-<module>-v<version>`. `--dry-run` prints it all and changes
//! nothing.

use std::fs;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use semver::Version;

#[path = "release_model.rs"]
pub(crate) mod model;

use crate::check::{self, Plan};
use model::{ModuleInfo, Part};

/// Which part of the version a release bumps.
#[derive(clap::Args, Debug, Clone, Copy)]
#[group(required = true, multiple = false)]
pub(crate) struct Bump {
    /// A removed type, or anything that breaks what depends on the module.
    #[arg(long)]
    pub(crate) major: bool,
    /// New or changed fields, states or types (with their upgrade steps).
    #[arg(long)]
    pub(crate) minor: bool,
    /// Fixes only.
    #[arg(long)]
    pub(crate) patch: bool,
}

impl Bump {
    fn part(self) -> Part {
        if self.major {
            Part::Major
        } else if self.minor {
            Part::Minor
        } else {
            Part::Patch
        }
    }
}

/// Runs the command.
pub(crate) fn run(module: &str, bump: Bump, dry_run: bool) -> Result<ExitCode> {
    let root = model::workspace_root()?;
    let mut found = model::modules(&root, &[module.to_owned()])?;
    let m = found.pop().ok_or_else(|| anyhow!("no module `{module}`"))?;
    if !dry_run {
        let dirty = model::git(&root, &["status", "--porcelain"])?;
        if !dirty.trim().is_empty() {
            bail!(
                "the worktree has uncommitted changes; commit or stash them first \
                 (a release commits only its own changes):\n{}",
                dirty.trim_end()
            );
        }
    }
    // The bump starts from the last release, or from the crate's version
    // before the first one.
    let base = match model::last_tag(&root, &m)? {
        Some((_, v)) if v >= m.version => v,
        Some((tag, v)) => {
            println!(
                "{}/Cargo.toml already says {} (last release {v}, {tag}); bumping from {v}",
                m.rel, m.version
            );
            v
        }
        None => m.version.clone(),
    };
    let new = bump.part().apply(&base);
    if new < m.version {
        bail!(
            "{}/Cargo.toml already says {}, more than {} {} gives ({new}); pick a larger bump",
            m.rel,
            m.version,
            base,
            bump.part().flag()
        );
    }
    let plan = Plan {
        version: new.clone(),
    };
    println!(
        "{}Releasing {} {base} → {new} ({})",
        if dry_run { "[dry run] " } else { "" },
        m.crate_name,
        bump.part().flag()
    );
    println!();
    let report = check::evaluate(&root, &m, Some(&plan))?;
    report.print(&m, &new);
    println!();
    if !report.ok() {
        bail!(
            "{} {new} cannot be released: fix what is marked ✗ above",
            m.crate_name
        );
    }

    let edits = prepare(&root, &m, &new)?;
    let tag = m.tag(&new);
    let message = format!("Release {} {new}", m.crate_name);
    for e in &edits {
        println!(
            "{} {}: {}",
            if dry_run { "would change" } else { "changes" },
            e.path_rel,
            e.what
        );
    }
    if let Some(section) = &edits.iter().find_map(|e| e.preview.as_ref()) {
        println!();
        println!("{section}");
    }
    println!();
    println!(
        "{} commit \"{message}\" and tag {tag}",
        if dry_run { "would" } else { "then" }
    );
    if dry_run {
        println!();
        println!("Dry run: nothing was changed.");
        return Ok(ExitCode::SUCCESS);
    }
    for e in &edits {
        fs::write(root.join(&e.path_rel), &e.text)
            .with_context(|| format!("writing {}", e.path_rel))?;
    }
    let mut add = vec!["add", "--"];
    add.extend(edits.iter().map(|e| e.path_rel.as_str()));
    model::git(&root, &add)?;
    model::git(&root, &["commit", "-q", "-m", &message])?;
    model::git(&root, &["tag", "-a", &tag, "-m", &message])?;
    println!();
    println!(
        "Released {} {new}: committed and tagged {tag}.",
        m.crate_name
    );
    println!("Push them with `git push --follow-tags`.");
    Ok(ExitCode::SUCCESS)
}

/// A file a release rewrites.
struct Edit {
    path_rel: String,
    text: String,
    what: String,
    preview: Option<String>,
}

/// Every file the release rewrites, with its new text.
fn prepare(root: &Path, m: &ModuleInfo, new: &Version) -> Result<Vec<Edit>> {
    let mut edits = Vec::new();
    let old = m.version.to_string();
    let new_s = new.to_string();

    // The module's Cargo.toml: `version` in [package].
    let cargo_rel = format!("{}/Cargo.toml", m.rel);
    let text = read(root, &cargo_rel)?;
    let bumped = set_package_version(&text, &new_s)
        .ok_or_else(|| anyhow!("{cargo_rel}: no `version = \"…\"` line in [package]"))?;
    let check: toml::Table = bumped
        .parse()
        .with_context(|| format!("{cargo_rel} after the bump"))?;
    if check
        .get("package")
        .and_then(|p| p.get("version"))
        .and_then(|v| v.as_str())
        != Some(new_s.as_str())
    {
        bail!("{cargo_rel}: could not set the version");
    }
    edits.push(Edit {
        path_rel: cargo_rel,
        text: bumped,
        what: format!("version {old} → {new}"),
        preview: None,
    });

    // The workspace's [workspace.dependencies] entry.
    let text = read(root, "Cargo.toml")?;
    if let Some(bumped) = set_workspace_dep(&text, &m.crate_name, &new_s) {
        if bumped != text {
            let _: toml::Table = bumped.parse().context("Cargo.toml after the bump")?;
            edits.push(Edit {
                path_rel: "Cargo.toml".into(),
                text: bumped,
                what: format!("[workspace.dependencies] {} version → {new}", m.crate_name),
                preview: None,
            });
        }
    }

    // Cargo.lock, so `--locked` builds keep working.
    if root.join("Cargo.lock").is_file() {
        let text = read(root, "Cargo.lock")?;
        let from = format!("name = \"{}\"\nversion = \"{old}\"\n", m.crate_name);
        let to = format!("name = \"{}\"\nversion = \"{new}\"\n", m.crate_name);
        if text.contains(&from) {
            edits.push(Edit {
                path_rel: "Cargo.lock".into(),
                text: text.replacen(&from, &to, 1),
                what: format!("{} {old} → {new}", m.crate_name),
                preview: None,
            });
        }
    }

    // The changelog.
    let log_rel = format!("{}/CHANGELOG.md", m.rel);
    let text = read(root, &log_rel)?;
    let heading = format!("## {new} — {}", model::today());
    let sections = model::sections(&text);
    let section = sections
        .iter()
        .find(|s| s.unreleased && s.entries > 0)
        .or_else(|| {
            sections.iter().find(|s| {
                s.version.as_ref() == Some(new)
                    && s.entries > 0
                    && s.heading.to_lowercase().contains("unreleased")
            })
        })
        .ok_or_else(|| anyhow!("{log_rel}: no `## Unreleased` entries"))?;
    let mut lines: Vec<&str> = text.lines().collect();
    lines[section.line] = &heading;
    let end = sections
        .iter()
        .find(|s| s.line > section.line)
        .map_or(lines.len(), |s| s.line);
    let preview = lines[section.line..end].join("\n").trim_end().to_owned();
    let mut moved = lines.join("\n");
    moved.push('\n');
    edits.push(Edit {
        path_rel: log_rel,
        text: moved,
        what: format!("`## {}` → `{heading}`", section.heading),
        preview: Some(preview),
    });

    // The snapshot.
    let snap = model::current_snapshot(m, new)?;
    edits.push(Edit {
        path_rel: format!("{}/{}", m.rel, model::SNAPSHOT),
        text: model::snapshot_text(&snap)?,
        what: format!(
            "snapshot of {} types and {} workflows at {new}",
            snap.types.len(),
            snap.workflows.len()
        ),
        preview: None,
    });
    Ok(edits)
}

fn read(root: &Path, rel: &str) -> Result<String> {
    fs::read_to_string(root.join(rel)).with_context(|| format!("reading {rel}"))
}

/// `text` with the `version = "…"` line of its `[package]` table set to `new`.
fn set_package_version(text: &str, new: &str) -> Option<String> {
    let mut in_package = false;
    let mut done = false;
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            in_package = t == "[package]";
        }
        if in_package
            && !done
            && t.starts_with("version")
            && t["version".len()..].trim_start().starts_with('=')
        {
            out.push(format!("version = \"{new}\""));
            done = true;
        } else {
            out.push(line.to_owned());
        }
    }
    done.then(|| out.join("\n") + "\n")
}

/// `text` with the `version = "…"` of `name`'s `[workspace.dependencies]`
/// entry set to `new`; `None` when there is no such entry with a version.
fn set_workspace_dep(text: &str, name: &str, new: &str) -> Option<String> {
    let mut section = String::new();
    let mut done = false;
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            section = t.to_owned();
        }
        let is_entry = section == "[workspace.dependencies]"
            && t.strip_prefix(name)
                .is_some_and(|r| r.trim_start().starts_with('='));
        if is_entry && !done {
            if let Some(i) = line.find("version = \"") {
                let start = i + "version = \"".len();
                let end = start + line[start..].find('"')?;
                out.push(format!("{}{new}{}", &line[..start], &line[end..]));
                done = true;
                continue;
            }
        }
        out.push(line.to_owned());
    }
    done.then(|| out.join("\n") + "\n")
}
