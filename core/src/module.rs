//! Modules: the `Module` trait, its manifest, compile-time registration with
//! `inventory`, and the registry that resolves what a site enables.
//!
//! A crate that the source never names is not linked, and its registrations
//! vanish silently; so a site names its modules once in
//! [`main!`](crate::main), and [`Registry::check`] verifies every declared
//! dependency against what is registered before anything starts.

use std::collections::{BTreeMap, BTreeSet};

use semver::{Version, VersionReq};

use crate::error::{Error, Result};
use crate::hooks::Subscriber;
use crate::item::Item;
use crate::site::Writer;

/// The core's own version, which modules' `core` ranges are checked against.
pub const CORE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// What a module is and brings. Files are embedded with `include_str!` and
/// named by their path in the module, so errors can point at them.
#[derive(Debug, Clone, Copy)]
pub struct Manifest {
    /// The module's name (`website`, `directory`…), unique in a binary.
    pub name: &'static str,
    /// Its version: its crate's version, `env!("CARGO_PKG_VERSION")`.
    pub version: &'static str,
    /// A one-line title for people.
    pub title: &'static str,
    /// The core versions it works with (a semver range such as `^0.1`).
    pub core: &'static str,
    /// Other modules it needs, with their version ranges.
    pub requires: &'static [(&'static str, &'static str)],
    /// Content type declarations: (file name, TOML).
    pub types: &'static [(&'static str, &'static str)],
    /// Vocabulary declarations: (file name, TOML).
    pub vocabularies: &'static [(&'static str, &'static str)],
    /// Templates: (name, Tera source). Named `<module>/<file>.html` by convention.
    pub templates: &'static [(&'static str, &'static str)],
    /// Fluent message catalogs: (language, FTL source).
    pub translations: &'static [(&'static str, &'static str)],
    /// Workflow declarations: (file name, TOML).
    pub workflows: &'static [(&'static str, &'static str)],
    /// Roles the module adds to the core's.
    pub roles: &'static [&'static str],
    /// Permissions the module adds, each with the roles that hold it by default.
    pub permissions: &'static [(&'static str, &'static [&'static str])],
    /// Functions of the town's services that the module needs (`creators`,
    /// `reviewers`…): each service × function is a group.
    pub functions: &'static [&'static str],
    /// Counters for reference numbers.
    pub counters: &'static [crate::workflow::CounterDef],
}

impl Manifest {
    /// A manifest with nothing in it, to fill with struct update syntax.
    pub const EMPTY: Manifest = Manifest {
        name: "",
        version: "0.0.0",
        title: "",
        core: "*",
        requires: &[],
        types: &[],
        vocabularies: &[],
        templates: &[],
        translations: &[],
        workflows: &[],
        roles: &[],
        permissions: &[],
        functions: &[],
        counters: &[],
    };
}

/// One step that brings a site's data from an older version of a module to
/// `to`. Steps run in version order, each in its own transaction.
#[derive(Clone, Copy)]
pub struct UpgradeStep {
    /// The version the step brings the data to.
    pub to: &'static str,
    /// What it does, for `upgrade --dry-run`.
    pub title: &'static str,
    /// The step itself.
    pub run: fn(&mut Writer<'_>) -> Result<()>,
}

impl std::fmt::Debug for UpgradeStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UpgradeStep({} → {})", self.title, self.to)
    }
}

/// A capability: one crate, registered with [`register_module!`](crate::register_module).
pub trait Module: Send + Sync + 'static {
    /// What the module is and brings.
    fn manifest(&self) -> Manifest;

    /// Runs when a site enables the module, in one transaction with the
    /// stored installed version.
    fn install(&self, _w: &mut Writer<'_>) -> Result<()> {
        Ok(())
    }

    /// Adds demonstration content, when the site asks for it on creation.
    fn demo_content(&self, _w: &mut Writer<'_>) -> Result<()> {
        Ok(())
    }

    /// Steps from older versions of the module's data, in any order.
    fn upgrade_steps(&self) -> Vec<UpgradeStep> {
        Vec::new()
    }

    /// The module's hook subscribers.
    fn subscribers(&self) -> Vec<Subscriber> {
        Vec::new()
    }

    /// The module's workflow guards, named by its workflows' `guard = "…"`.
    fn guards(&self) -> Vec<crate::workflow::Guard> {
        Vec::new()
    }

    /// Files the module serves at `/++resource++<module>/<file>` (its
    /// CSS, scripts, icons): (file name, content type, content). Served by
    /// the binary itself, never from elsewhere.
    fn assets(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        &[]
    }

    /// The views the module adds to the web surface (`@@events`,
    /// `sitemap.xml`…): see [`crate::view`].
    fn views(&self) -> Vec<crate::view::View> {
        Vec::new()
    }

    /// Adds to a page of the site's layout about `item` (`None` for pages
    /// about no item, such as the login form): a banner, tags in the
    /// head, values for the module's templates. Runs for every such page,
    /// so keep it cheap; an error is logged and the page shown without
    /// the module's additions.
    fn decorate(
        &self,
        _page: &crate::view::Page<'_>,
        _item: Option<&Item>,
        _out: &mut crate::view::Decorations,
    ) -> Result<()> {
        Ok(())
    }

    /// Whether the module follows the site's change journal: when one
    /// enabled module does, every write records the uids it touched (in
    /// the write's own transaction), and [`Module::committed`] runs after
    /// each commit. The module removes the entries it has applied with
    /// [`Site::clear_journal`](crate::Site::clear_journal).
    fn follows_journal(&self) -> bool {
        false
    }

    /// Runs after a write is committed (outside its transaction), for
    /// modules that follow the journal. Errors are the module's to log.
    fn committed(&self, _site: &crate::Site) {}

    /// Runs when a site is served (and by `reindex`), after it is created
    /// and its modules installed: a module checks its own files here (the
    /// catalog rebuilds a missing or broken index).
    fn opened(&self, _site: &crate::Site) -> Result<()> {
        Ok(())
    }

    /// Rebuilds what the module derives from the content (the catalog's
    /// indexes); `progress` is told (done, total). `None` when the module
    /// keeps nothing derived.
    fn reindex(
        &self,
        _site: &crate::Site,
        _progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Option<u64>> {
        Ok(None)
    }

    /// Answers a search of the site, for a module that indexes the content
    /// (the catalog). `None` leaves it to the next module, and in the end to
    /// the core's own walk through the site ([`Site::search`](crate::Site::search)).
    /// Results hold only what `who` may view.
    fn search(
        &self,
        _site: &crate::Site,
        _who: &crate::security::Principal,
        _q: &crate::search::Query,
    ) -> Option<Result<crate::search::Results>> {
        None
    }
}

/// A module's entry in the compile-time registry. Built by
/// [`register_module!`](crate::register_module); module authors never name it.
pub struct Registration(pub &'static dyn Module);

inventory::collect!(Registration);

/// The modules a binary holds, by name.
#[derive(Clone)]
pub struct Registry {
    modules: BTreeMap<&'static str, &'static dyn Module>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.modules.keys()).finish()
    }
}

impl Registry {
    /// Every module registered in this binary.
    pub fn global() -> Result<Self> {
        Self::from_modules(inventory::iter::<Registration>.into_iter().map(|r| r.0))
    }

    /// A registry of exactly these modules (tests, tools).
    pub fn from_modules(modules: impl IntoIterator<Item = &'static dyn Module>) -> Result<Self> {
        let mut map: BTreeMap<&'static str, &'static dyn Module> = BTreeMap::new();
        for m in modules {
            let man = m.manifest();
            if let Some(old) = map.insert(man.name, m) {
                return Err(Error::Modules(format!(
                    "module `{}` is registered twice (versions {} and {})",
                    man.name,
                    old.manifest().version,
                    man.version
                )));
            }
        }
        Ok(Self { modules: map })
    }

    /// This registry with `extra` modules added (run-time modules); a
    /// name already registered is refused.
    pub fn with(&self, extra: impl IntoIterator<Item = &'static dyn Module>) -> Result<Self> {
        let mut out = self.clone();
        for m in extra {
            let man = m.manifest();
            if let Some(old) = out.modules.insert(man.name, m) {
                return Err(Error::Modules(format!(
                    "module `{}` is registered twice (versions {} and {})",
                    man.name,
                    old.manifest().version,
                    man.version
                )));
            }
        }
        Ok(out)
    }

    /// The module called `name`.
    pub fn get(&self, name: &str) -> Result<&'static dyn Module> {
        self.modules.get(name).copied().ok_or_else(|| {
            Error::Modules(format!(
                "unknown module `{name}`; this binary holds: {}",
                self.names().join(", ")
            ))
        })
    }

    /// The registered modules' names, sorted.
    pub fn names(&self) -> Vec<&'static str> {
        self.modules.keys().copied().collect()
    }

    /// Every registered module, sorted by name.
    pub fn modules(&self) -> impl Iterator<Item = &'static dyn Module> + '_ {
        self.modules.values().copied()
    }

    /// Checks every module's manifest: versions parse, the core's version is
    /// in range, and every required module is registered in a matching
    /// version. The error names the modules and versions involved.
    pub fn check(&self) -> Result<()> {
        let core = Version::parse(CORE_VERSION).map_err(|e| Error::Modules(e.to_string()))?;
        let mut problems = Vec::new();
        for m in self.modules.values() {
            let man = m.manifest();
            if Version::parse(man.version).is_err() {
                problems.push(format!(
                    "module `{}` has an invalid version `{}`",
                    man.name, man.version
                ));
                continue;
            }
            match VersionReq::parse(man.core) {
                Ok(req) if !req.matches(&core) => problems.push(format!(
                    "module `{}` {} needs beffroi {}, but this binary has beffroi {CORE_VERSION}",
                    man.name, man.version, man.core
                )),
                Ok(_) => {}
                Err(e) => problems.push(format!(
                    "module `{}`: bad core range `{}`: {e}",
                    man.name, man.core
                )),
            }
            for (dep, range) in man.requires {
                let req = match VersionReq::parse(range) {
                    Ok(r) => r,
                    Err(e) => {
                        problems.push(format!(
                            "module `{}`: bad range `{range}` for `{dep}`: {e}",
                            man.name
                        ));
                        continue;
                    }
                };
                match self.modules.get(dep) {
                    None => problems.push(format!(
                        "module `{}` {} requires module `{dep}` {range}, which is not linked into this binary \
                         (add its crate to the site's Cargo.toml and name it in `beffroi::main!`)",
                        man.name, man.version
                    )),
                    Some(d) => {
                        let dv = d.manifest().version;
                        if !Version::parse(dv).is_ok_and(|v| req.matches(&v)) {
                            problems.push(format!(
                                "module `{}` {} requires `{dep}` {range}, but this binary has `{dep}` {dv}",
                                man.name, man.version
                            ));
                        }
                    }
                }
            }
        }
        if problems.is_empty() {
            self.order(
                &self
                    .names()
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect::<Vec<_>>(),
            )
            .map(|_| ())
        } else {
            Err(Error::Modules(problems.join("; ")))
        }
    }

    /// The modules a site enables plus what they require, dependencies
    /// first (the core always leads). Unknown modules and cycles are errors.
    pub fn resolve(&self, enabled: &[String]) -> Result<Vec<&'static dyn Module>> {
        let mut wanted: BTreeSet<String> = BTreeSet::new();
        let mut stack: Vec<String> = enabled.to_vec();
        stack.push(crate::core_module::NAME.to_owned());
        while let Some(name) = stack.pop() {
            if wanted.insert(name.clone()) {
                let m = self.get(&name)?;
                stack.extend(m.manifest().requires.iter().map(|(d, _)| (*d).to_owned()));
            }
        }
        self.order(&wanted.into_iter().collect::<Vec<_>>())
    }

    fn order(&self, names: &[String]) -> Result<Vec<&'static dyn Module>> {
        // Depth-first topological sort; the path on the stack names a cycle.
        fn visit(
            reg: &Registry,
            name: &str,
            done: &mut BTreeSet<String>,
            path: &mut Vec<String>,
            out: &mut Vec<&'static dyn Module>,
        ) -> Result<()> {
            if done.contains(name) {
                return Ok(());
            }
            if let Some(i) = path.iter().position(|p| p == name) {
                let mut cycle = path[i..].to_vec();
                cycle.push(name.to_owned());
                return Err(Error::Modules(format!(
                    "modules depend on each other in a cycle: {}",
                    cycle.join(" → ")
                )));
            }
            let m = reg.get(name)?;
            path.push(name.to_owned());
            let mut deps: Vec<&str> = m.manifest().requires.iter().map(|(d, _)| *d).collect();
            if name != crate::core_module::NAME {
                deps.insert(0, crate::core_module::NAME);
            }
            for d in deps {
                visit(reg, d, done, path, out)?;
            }
            path.pop();
            done.insert(name.to_owned());
            out.push(m);
            Ok(())
        }
        let mut done = BTreeSet::new();
        let mut out = Vec::new();
        for n in names {
            visit(self, n, &mut done, &mut Vec::new(), &mut out)?;
        }
        Ok(out)
    }

    /// Checks that the modules a site binary names are exactly registered.
    pub fn check_linked(&self, linked: &[&'static dyn Module]) -> Result<()> {
        for m in linked {
            self.get(m.manifest().name)?;
        }
        self.check()
    }
}

/// Registers a module with the binary that links its crate.
///
/// ```
/// use beffroi::prelude::*;
///
/// pub struct Website;
///
/// impl Module for Website {
///     fn manifest(&self) -> Manifest {
///         Manifest { name: "website", version: "0.1.0", core: "^0.2", ..Manifest::EMPTY }
///     }
/// }
///
/// beffroi::register_module!(Website);
/// ```
#[macro_export]
macro_rules! register_module {
    ($module:expr) => {
        $crate::__private::inventory::submit! {
            $crate::module::Registration(&$module)
        }
    };
}

/// Embeds a module's Fluent catalogs for the five languages Beffroi ships
/// (`de`, `en`, `es`, `fr`, `nl`), read from `<dir>/<lang>.ftl` relative to
/// the calling file. A missing language is a compile error, so a module
/// cannot ship without one.
///
/// ```text
/// translations: beffroi::translations!("../locales"),
/// ```
#[macro_export]
macro_rules! translations {
    ($($dir:literal),+ $(,)?) => {
        &[
            $(
            ("de", include_str!(concat!($dir, "/de.ftl"))),
            ("en", include_str!(concat!($dir, "/en.ftl"))),
            ("es", include_str!(concat!($dir, "/es.ftl"))),
            ("fr", include_str!(concat!($dir, "/fr.ftl"))),
            ("nl", include_str!(concat!($dir, "/nl.ftl"))),
            )+
        ]
    };
}

/// Writes a site binary's `main`: names the module crates it links (so none
/// is dropped by the linker), embeds the site's `site.toml`, and runs the
/// command line. Each named crate must export `pub fn module() -> &'static dyn beffroi::Module`.
///
/// ```text
/// // examples/sambreville/src/main.rs
/// beffroi::main!(beffroi_website, beffroi_catalog);
/// ```
#[macro_export]
macro_rules! main {
    ($($module:ident),* $(,)?) => {
        /// The module crates this site links, as named in `beffroi::main!`.
        #[allow(dead_code)] // Used by the site crate's own tests.
        pub fn linked_modules() -> ::std::vec::Vec<&'static dyn $crate::Module> {
            ::std::vec![$($module::module()),*]
        }

        fn main() -> ::std::process::ExitCode {
            $crate::run($crate::Launch {
                linked: linked_modules(),
                site_toml: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/site.toml")),
                site_dir: env!("CARGO_MANIFEST_DIR"),
            })
        }
    };
}
