//! What the release tools (`check`, `release`, `index`) read of a module:
//! its Cargo.toml, changelog, types and workflows (and their snapshot),
//! translations, sources, and its release tags in git.
//!
//! The workspace root is the nearest folder, from the current one upwards,
//! whose `Cargo.toml` has a `[workspace]` table; modules are the folders
//! under `modules/` that hold a `Cargo.toml`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, bail, Context, Result};
use semver::Version;
use serde::{Deserialize, Serialize};

/// The languages every module ships (as `beffroi::translations!` embeds them).
pub(crate) const LANGUAGES: [&str; 5] = ["de", "en", "es", "fr", "nl"];

/// Where a module keeps the snapshot of its last released types and workflows.
pub(crate) const SNAPSHOT: &str = "release/snapshot.json";

/// The workspace root: the nearest folder from the current one upwards whose
/// `Cargo.toml` has a `[workspace]` table.
pub(crate) fn workspace_root() -> Result<PathBuf> {
    let cwd = std::env::current_dir().context("reading the current folder")?;
    for dir in cwd.ancestors() {
        if let Ok(text) = fs::read_to_string(dir.join("Cargo.toml")) {
            if text
                .parse::<toml::Table>()
                .is_ok_and(|t| t.contains_key("workspace"))
            {
                return Ok(dir.to_path_buf());
            }
        }
    }
    bail!(
        "no Cargo workspace in {} or above: run this inside the Beffroi workspace",
        cwd.display()
    )
}

/// One module crate of the workspace.
#[derive(Debug)]
pub(crate) struct ModuleInfo {
    /// Its folder's name under `modules/` (`contenttypes`).
    pub(crate) name: String,
    /// Its folder.
    pub(crate) dir: PathBuf,
    /// Its folder relative to the root, with `/` (`modules/contenttypes`).
    pub(crate) rel: String,
    /// Its crate's name (`beffroi-contenttypes`).
    pub(crate) crate_name: String,
    /// Its crate's version.
    pub(crate) version: Version,
    /// Its `Cargo.toml`.
    pub(crate) cargo: toml::Table,
    /// Its `src/lib.rs`.
    pub(crate) lib: String,
    /// Every `.rs` file under `src/`, one after the other, without its
    /// `//` comment lines (so a commented example is no upgrade step).
    pub(crate) sources: String,
}

impl ModuleInfo {
    /// The `[package]` table of its Cargo.toml.
    pub(crate) fn package(&self) -> Option<&toml::Table> {
        self.cargo.get("package").and_then(|p| p.as_table())
    }

    /// The git tag of one of its releases.
    pub(crate) fn tag(&self, version: &Version) -> String {
        format!("{}-v{version}", self.crate_name)
    }
}

/// Reads one module folder.
pub(crate) fn read_module(root: &Path, dir: &Path) -> Result<ModuleInfo> {
    let manifest = dir.join("Cargo.toml");
    let text =
        fs::read_to_string(&manifest).with_context(|| format!("reading {}", manifest.display()))?;
    let cargo: toml::Table = text
        .parse()
        .with_context(|| format!("parsing {}", manifest.display()))?;
    let package = cargo
        .get("package")
        .and_then(|p| p.as_table())
        .ok_or_else(|| anyhow!("{} has no [package]", manifest.display()))?;
    let crate_name = package
        .get("name")
        .and_then(|n| n.as_str())
        .ok_or_else(|| anyhow!("{} has no package name", manifest.display()))?
        .to_owned();
    let version = package
        .get("version")
        .and_then(|n| n.as_str())
        .ok_or_else(|| anyhow!("{} has no package version", manifest.display()))?;
    let version = Version::parse(version)
        .with_context(|| format!("{}: version `{version}`", manifest.display()))?;
    let lib = fs::read_to_string(dir.join("src/lib.rs")).unwrap_or_default();
    let mut sources = String::new();
    for file in files_with(&dir.join("src"), "rs")? {
        let text = fs::read_to_string(&file).unwrap_or_default();
        for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
            sources.push_str(line);
            sources.push('\n');
        }
    }
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let rel = dir
        .strip_prefix(root)
        .unwrap_or(dir)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    Ok(ModuleInfo {
        name,
        dir: dir.to_path_buf(),
        rel,
        crate_name,
        version,
        cargo,
        lib,
        sources,
    })
}

/// The workspace's modules, by folder name; `wanted` (folder, crate or
/// manifest names) picks some, and an unknown name is an error.
pub(crate) fn modules(root: &Path, wanted: &[String]) -> Result<Vec<ModuleInfo>> {
    let base = root.join("modules");
    let mut all = Vec::new();
    if base.is_dir() {
        let mut dirs: Vec<PathBuf> = fs::read_dir(&base)
            .with_context(|| format!("reading {}", base.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join("Cargo.toml").is_file())
            .collect();
        dirs.sort();
        for d in dirs {
            all.push(read_module(root, &d)?);
        }
    }
    if wanted.is_empty() {
        return Ok(all);
    }
    let known: Vec<String> = all.iter().map(|m| m.name.clone()).collect();
    let mut picked = Vec::new();
    let mut remaining = all;
    for w in wanted {
        let Some(i) = remaining.iter().position(|m| {
            &m.name == w || &m.crate_name == w || literal_after(&m.lib, "name").as_ref() == Some(w)
        }) else {
            bail!(
                "no module `{w}` under {}: the modules are {}",
                base.display(),
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            );
        };
        picked.push(remaining.remove(i));
    }
    Ok(picked)
}

/// The files under `dir` (recursively) ending in `.ext`, sorted.
pub(crate) fn files_with(dir: &Path, ext: &str) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

// ---------------------------------------------------------------- snapshot

/// A module's types and workflows as stored data sees them: what a release
/// records in `release/snapshot.json`, and what the next one is compared with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Snapshot {
    /// The module's folder name.
    pub(crate) module: String,
    /// The version this snapshot is of.
    pub(crate) version: String,
    /// Content types by name.
    pub(crate) types: BTreeMap<String, TypeSnap>,
    /// Workflows by name.
    pub(crate) workflows: BTreeMap<String, WorkflowSnap>,
}

/// A content type in a snapshot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct TypeSnap {
    /// The workflow its items follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) workflow: Option<String>,
    /// Whether its items hold children.
    #[serde(default)]
    pub(crate) container: bool,
    /// Its fields by name.
    pub(crate) fields: BTreeMap<String, FieldSnap>,
}

/// A field in a snapshot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct FieldSnap {
    /// Its kind (`text`, `datetime`…).
    pub(crate) kind: String,
    /// Whether a value is required.
    #[serde(default)]
    pub(crate) required: bool,
    /// Its vocabulary, for choices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) vocabulary: Option<String>,
}

/// A workflow in a snapshot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct WorkflowSnap {
    /// Its initial state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) initial: Option<String>,
    /// Its states' ids, in order.
    pub(crate) states: Vec<String>,
    /// Its transitions by id.
    pub(crate) transitions: BTreeMap<String, TransitionSnap>,
}

/// A transition in a snapshot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct TransitionSnap {
    /// The states it leaves from.
    pub(crate) from: Vec<String>,
    /// The state it leads to.
    pub(crate) to: String,
}

fn str_of<'a>(t: &'a toml::Table, key: &str) -> Option<&'a str> {
    t.get(key).and_then(|v| v.as_str())
}

fn tables<'a>(t: &'a toml::Table, key: &str) -> Vec<&'a toml::Table> {
    t.get(key)
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|v| v.as_table()).collect())
        .unwrap_or_default()
}

fn parse_toml(path: &Path) -> Result<toml::Table> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.parse()
        .with_context(|| format!("parsing {}", path.display()))
}

/// The snapshot of a module's current `types/*.toml` and `workflows/*.toml`.
pub(crate) fn current_snapshot(m: &ModuleInfo, version: &Version) -> Result<Snapshot> {
    let mut snap = Snapshot {
        module: m.name.clone(),
        version: version.to_string(),
        ..Snapshot::default()
    };
    for file in files_with(&m.dir.join("types"), "toml")? {
        let t = parse_toml(&file)?;
        let name = str_of(&t, "name").ok_or_else(|| anyhow!("{} has no `name`", file.display()))?;
        let mut ty = TypeSnap {
            workflow: str_of(&t, "workflow").map(str::to_owned),
            container: t
                .get("container")
                .and_then(|v| v.as_bool())
                .unwrap_or(false),
            fields: BTreeMap::new(),
        };
        for f in tables(&t, "field") {
            let fname = str_of(f, "name")
                .ok_or_else(|| anyhow!("{}: a field has no `name`", file.display()))?;
            ty.fields.insert(
                fname.to_owned(),
                FieldSnap {
                    kind: str_of(f, "kind").unwrap_or_default().to_owned(),
                    required: f.get("required").and_then(|v| v.as_bool()).unwrap_or(false),
                    vocabulary: str_of(f, "vocabulary").map(str::to_owned),
                },
            );
        }
        snap.types.insert(name.to_owned(), ty);
    }
    for file in files_with(&m.dir.join("workflows"), "toml")? {
        let t = parse_toml(&file)?;
        let name = str_of(&t, "name").ok_or_else(|| anyhow!("{} has no `name`", file.display()))?;
        let mut wf = WorkflowSnap {
            initial: str_of(&t, "initial").map(str::to_owned),
            ..WorkflowSnap::default()
        };
        for s in tables(&t, "state") {
            if let Some(id) = str_of(s, "id") {
                wf.states.push(id.to_owned());
            }
        }
        for tr in tables(&t, "transition") {
            let Some(id) = str_of(tr, "id") else { continue };
            let from = match tr.get("from") {
                Some(toml::Value::Array(a)) => a
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
                Some(toml::Value::String(s)) => vec![s.clone()],
                _ => Vec::new(),
            };
            wf.transitions.insert(
                id.to_owned(),
                TransitionSnap {
                    from,
                    to: str_of(tr, "to").unwrap_or_default().to_owned(),
                },
            );
        }
        snap.workflows.insert(name.to_owned(), wf);
    }
    Ok(snap)
}

/// The module's stored snapshot, if it has one.
pub(crate) fn stored_snapshot(m: &ModuleInfo) -> Result<Option<Snapshot>> {
    let path = m.dir.join(SNAPSHOT);
    if !path.is_file() {
        return Ok(None);
    }
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let snap =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    Ok(Some(snap))
}

/// The snapshot as written to `release/snapshot.json`.
pub(crate) fn snapshot_text(snap: &Snapshot) -> Result<String> {
    let mut text = serde_json::to_string_pretty(snap)?;
    text.push('\n');
    Ok(text)
}

/// Writes the module's snapshot.
pub(crate) fn write_snapshot(m: &ModuleInfo, snap: &Snapshot) -> Result<()> {
    let path = m.dir.join(SNAPSHOT);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    fs::write(&path, snapshot_text(snap)?).with_context(|| format!("writing {}", path.display()))
}

/// How much a change weighs for a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    /// Something added (a type, an optional field, a state) or a changed
    /// transition: stored data stays valid.
    Addition,
    /// A changed or removed field, state or workflow: stored data must be
    /// upgraded by a step.
    Data,
    /// A removed type: its items can no longer be read.
    Breaking,
}

impl Level {
    /// Whether stored data needs an upgrade step.
    pub(crate) fn needs_step(self) -> bool {
        self >= Level::Data
    }
}

/// One difference between two snapshots.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    pub(crate) level: Level,
    pub(crate) what: String,
}

fn change(out: &mut Vec<Change>, level: Level, what: String) {
    out.push(Change { level, what });
}

/// What changed from `old` to `new`, types first.
pub(crate) fn diff(old: &Snapshot, new: &Snapshot) -> Vec<Change> {
    use Level::{Addition, Breaking, Data};
    let mut out = Vec::new();
    for (name, o) in &old.types {
        let Some(n) = new.types.get(name) else {
            change(&mut out, Breaking, format!("type `{name}` removed"));
            continue;
        };
        if o.workflow != n.workflow {
            change(
                &mut out,
                Data,
                format!(
                    "type `{name}`: workflow {} → {}",
                    o.workflow.as_deref().unwrap_or("none"),
                    n.workflow.as_deref().unwrap_or("none")
                ),
            );
        }
        if o.container && !n.container {
            change(
                &mut out,
                Data,
                format!("type `{name}` is no longer a container"),
            );
        } else if !o.container && n.container {
            change(
                &mut out,
                Addition,
                format!("type `{name}` became a container"),
            );
        }
        for (f, of) in &o.fields {
            match n.fields.get(f) {
                None => change(
                    &mut out,
                    Data,
                    format!("type `{name}`: field `{f}` removed"),
                ),
                Some(nf) => {
                    if of.kind != nf.kind {
                        change(
                            &mut out,
                            Data,
                            format!("type `{name}`: field `{f}` kind {} → {}", of.kind, nf.kind),
                        );
                    }
                    if of.vocabulary != nf.vocabulary {
                        change(
                            &mut out,
                            Data,
                            format!("type `{name}`: field `{f}` has another vocabulary"),
                        );
                    }
                    if !of.required && nf.required {
                        change(
                            &mut out,
                            Data,
                            format!("type `{name}`: field `{f}` became required"),
                        );
                    }
                }
            }
        }
        for (f, nf) in &n.fields {
            if !o.fields.contains_key(f) {
                if nf.required {
                    change(
                        &mut out,
                        Data,
                        format!("type `{name}`: required field `{f}` added (existing items have no value)"),
                    );
                } else {
                    change(
                        &mut out,
                        Addition,
                        format!("type `{name}`: field `{f}` added"),
                    );
                }
            }
        }
    }
    for name in new.types.keys() {
        if !old.types.contains_key(name) {
            change(&mut out, Addition, format!("type `{name}` added"));
        }
    }
    for (name, o) in &old.workflows {
        let Some(n) = new.workflows.get(name) else {
            change(&mut out, Data, format!("workflow `{name}` removed"));
            continue;
        };
        for s in &o.states {
            if !n.states.contains(s) {
                change(
                    &mut out,
                    Data,
                    format!("workflow `{name}`: state `{s}` removed"),
                );
            }
        }
        for s in &n.states {
            if !o.states.contains(s) {
                change(
                    &mut out,
                    Addition,
                    format!("workflow `{name}`: state `{s}` added"),
                );
            }
        }
        if o.initial != n.initial {
            change(
                &mut out,
                Addition,
                format!("workflow `{name}`: new items start in another state"),
            );
        }
        let ids: BTreeSet<&String> = o.transitions.keys().chain(n.transitions.keys()).collect();
        for id in ids {
            match (o.transitions.get(id), n.transitions.get(id)) {
                (Some(_), None) => change(
                    &mut out,
                    Addition,
                    format!("workflow `{name}`: transition `{id}` removed"),
                ),
                (None, Some(_)) => change(
                    &mut out,
                    Addition,
                    format!("workflow `{name}`: transition `{id}` added"),
                ),
                (Some(a), Some(b)) if a != b => change(
                    &mut out,
                    Addition,
                    format!("workflow `{name}`: transition `{id}` changed"),
                ),
                _ => {}
            }
        }
    }
    for name in new.workflows.keys() {
        if !old.workflows.contains_key(name) {
            change(&mut out, Addition, format!("workflow `{name}` added"));
        }
    }
    out
}

/// A part of the version a release bumps, smallest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Part {
    Patch,
    Minor,
    Major,
}

impl Part {
    pub(crate) fn flag(self) -> &'static str {
        match self {
            Part::Patch => "--patch",
            Part::Minor => "--minor",
            Part::Major => "--major",
        }
    }

    /// `v` bumped by this part.
    pub(crate) fn apply(self, v: &Version) -> Version {
        match self {
            Part::Patch => Version::new(v.major, v.minor, v.patch + 1),
            Part::Minor => Version::new(v.major, v.minor + 1, 0),
            Part::Major => Version::new(v.major + 1, 0, 0),
        }
    }
}

/// The smallest bump from `from` that changes of this level need.
///
/// From 1.0 on: a removed type is major, any other change of types or
/// workflows minor, nothing else patch. Before 1.0, as Cargo reads 0.x
/// versions (the minor number is the breaking one): a removed type or a
/// changed or removed field or state is minor, an addition patch.
pub(crate) fn required_part(level: Option<Level>, from: &Version) -> Part {
    let zero = from.major == 0;
    match level {
        None => Part::Patch,
        Some(Level::Addition) if zero => Part::Patch,
        Some(Level::Addition | Level::Data) => Part::Minor,
        Some(Level::Breaking) if zero => Part::Minor,
        Some(Level::Breaking) => Part::Major,
    }
}

/// The part that differs between two versions (`to` > `from`).
pub(crate) fn part_between(from: &Version, to: &Version) -> Part {
    if to.major != from.major {
        Part::Major
    } else if to.minor != from.minor {
        Part::Minor
    } else {
        Part::Patch
    }
}

/// Whether the module's sources hold an upgrade step to `version`: an
/// `UpgradeStep { to: "<version>", … }`.
pub(crate) fn has_upgrade_step(sources: &str, version: &Version) -> bool {
    let want = format!("to:\"{version}\"");
    sources.match_indices("UpgradeStep").any(|(i, _)| {
        let window: String = sources[i..]
            .chars()
            .take(400)
            .filter(|c| !c.is_whitespace())
            .collect();
        let window = window
            .get("UpgradeStep".len()..)
            .map(|w| w.split("UpgradeStep").next().unwrap_or(w))
            .unwrap_or("");
        window.contains(&want)
    })
}

// ---------------------------------------------------------------- changelog

/// A `## ` section of a changelog.
#[derive(Debug, Clone)]
pub(crate) struct Section {
    /// Its heading, without `## `.
    pub(crate) heading: String,
    /// The version it names, if it starts with one.
    pub(crate) version: Option<Version>,
    /// `## Unreleased`.
    pub(crate) unreleased: bool,
    /// Its `- ` entries.
    pub(crate) entries: usize,
    /// The line of its heading.
    pub(crate) line: usize,
}

/// The `## ` sections of a changelog.
pub(crate) fn sections(text: &str) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(h) = line.strip_prefix("## ") {
            let heading = h.trim().to_owned();
            let first = heading.split_whitespace().next().unwrap_or("");
            out.push(Section {
                version: Version::parse(first.trim_start_matches('v')).ok(),
                unreleased: first.eq_ignore_ascii_case("unreleased")
                    || first.eq_ignore_ascii_case("[unreleased]"),
                heading,
                entries: 0,
                line: i,
            });
        } else if line.starts_with("- ") || line.starts_with("* ") {
            if let Some(s) = out.last_mut() {
                s.entries += 1;
            }
        }
    }
    out
}

// ---------------------------------------------------------------- git

/// Runs git in `root`, and gives its standard output.
pub(crate) fn git(root: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .with_context(|| format!("running git {}", args.join(" ")))?;
    if !out.status.success() {
        bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The module's last release tag and its version.
pub(crate) fn last_tag(root: &Path, m: &ModuleInfo) -> Result<Option<(String, Version)>> {
    let prefix = format!("{}-v", m.crate_name);
    let list = git(root, &["tag", "--list", &format!("{prefix}*")])?;
    Ok(list
        .lines()
        .filter_map(|t| {
            let v = Version::parse(t.trim().strip_prefix(&prefix)?).ok()?;
            Some((t.trim().to_owned(), v))
        })
        .max_by(|a, b| a.1.cmp(&b.1)))
}

/// The module's files that differ from `tag` (committed or not) or that
/// git does not track yet.
pub(crate) fn changed_since(root: &Path, tag: &str, m: &ModuleInfo) -> Result<Vec<String>> {
    let mut files: BTreeSet<String> = git(root, &["diff", "--name-only", tag, "--", &m.rel])?
        .lines()
        .map(str::to_owned)
        .collect();
    files.extend(
        git(
            root,
            &["ls-files", "--others", "--exclude-standard", "--", &m.rel],
        )?
        .lines()
        .map(str::to_owned),
    );
    Ok(files.into_iter().collect())
}

// ---------------------------------------------------------------- sources

/// The string literal after `key:` in Rust source (`core: "^0.3"`).
pub(crate) fn literal_after(source: &str, key: &str) -> Option<String> {
    let pat = format!("{key}:");
    for (i, _) in source.match_indices(&pat) {
        // Only a field name, not the end of a longer one.
        if source[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            continue;
        }
        let rest = source[i + pat.len()..].trim_start();
        if let Some(lit) = rest.strip_prefix('"') {
            return lit.split('"').next().map(str::to_owned);
        }
    }
    None
}

/// The `requires: &[("module", "range"), …]` pairs of a manifest.
pub(crate) fn requires(source: &str) -> Vec<(String, String)> {
    let Some(i) = source.find("requires:") else {
        return Vec::new();
    };
    let rest = &source[i + "requires:".len()..];
    let Some(open) = rest.find('[') else {
        return Vec::new();
    };
    let body = &rest[open + 1..];
    let body = &body[..body.find(']').unwrap_or(body.len())];
    let literals: Vec<&str> = body.split('"').skip(1).step_by(2).collect();
    literals
        .chunks(2)
        .filter(|c| c.len() == 2)
        .map(|c| (c[0].to_owned(), c[1].to_owned()))
        .collect()
}

/// The message ids of a Fluent file (messages and `-terms`).
pub(crate) fn ftl_keys(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic() || c == '-'))
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_owned()))
        .filter(|k| !k.is_empty())
        .collect()
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub(crate) fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // Howard Hinnant's days-to-civil.
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}
