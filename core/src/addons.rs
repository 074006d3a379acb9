//! Turning modules on and off and upgrading them while the site runs, for
//! the `@addons` and `@upgrade` API and the modules setup page.
//!
//! A site's types, templates, workflows and security model are built when
//! it opens, from the modules it enables. So turning a module on or off is
//! recorded in the database at once (in [`ModuleChoices`], over
//! `site.toml`'s list) and **takes effect at the next start**, where a
//! newly enabled module is installed and a turned-off one stops being
//! loaded, its data kept (as the command line's disable does). Upgrades
//! run at once: their steps are writes on the running site.

use std::collections::BTreeSet;

use crate::error::{Error, FieldError, Result};
use crate::hooks::{Event, Phase};
use crate::module::Module;
use crate::security::{Principal, MANAGE_SITE};
use crate::settings::ModuleChoices;
use crate::site::{pending_steps, Site};

/// One pending upgrade step of a module.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PendingStep {
    /// The module.
    pub module: String,
    /// The version the data is at before the step.
    pub from: String,
    /// The version the step brings it to.
    pub to: String,
    /// What the step does.
    pub title: String,
}

fn invalid(field: &str, code: &'static str, message: String) -> Error {
    Error::Invalid(vec![FieldError::new(field, code, message)])
}

impl Site {
    fn require_manage_site(&self, who: &Principal) -> Result<()> {
        let reader = self.reader(who);
        let root = reader.must_get("/")?;
        if reader.can(&root, MANAGE_SITE)? {
            Ok(())
        } else {
            Err(Error::Forbidden(format!(
                "{} does not have the permission `{MANAGE_SITE}`",
                who.name()
            )))
        }
    }

    /// The modules the site will enable at its next start, dependencies
    /// included, as names.
    pub fn modules_at_next_start(&self) -> Result<BTreeSet<String>> {
        let choices = self.module_choices()?;
        let wanted: Vec<String> = choices
            .apply(self.config())
            .into_iter()
            .filter(|n| self.registry().get(n).is_ok())
            .collect();
        Ok(self
            .registry()
            .resolve(&wanted)?
            .iter()
            .map(|m| m.manifest().name.to_owned())
            .collect())
    }

    /// Turns a module linked into this binary on, from the next start.
    /// Returns whether anything changed.
    pub fn enable_module(&self, who: &Principal, name: &str) -> Result<bool> {
        self.require_manage_site(who)?;
        if self.registry().get(name).is_err() {
            return Err(invalid(
                "id",
                "unknown_module",
                format!(
                    "the module `{name}` is not linked into this binary; it can be installed once the site's binary includes it"
                ),
            ));
        }
        if self.modules_at_next_start()?.contains(name) {
            return Ok(false);
        }
        let mut choices = self.module_choices()?;
        choices.disabled.remove(name);
        if !self.config().enabled().iter().any(|n| n == name) {
            choices.enabled.insert(name.to_owned());
        }
        // Its own requirements must be linked too.
        let wanted = choices.apply(self.config());
        self.registry()
            .resolve(&wanted)
            .map_err(|e| invalid("id", "unmet_requirement", e.to_string()))?;
        self.write(who, |w| {
            w.put_module_choices(&choices)?;
            w.audit("module_enabled", name, "from the next start");
            Ok(())
        })?;
        Ok(true)
    }

    /// Turns a module off from the next start; its data is kept. Refused
    /// for the core and for a module another enabled module needs.
    pub fn disable_module(&self, who: &Principal, name: &str) -> Result<bool> {
        self.require_manage_site(who)?;
        if name == crate::core_module::NAME {
            return Err(invalid(
                "id",
                "required_module",
                "the core cannot be uninstalled".into(),
            ));
        }
        let next = self.modules_at_next_start()?;
        if !next.contains(name) {
            if self.registry().get(name).is_err() && self.installed_version(name)?.is_none() {
                return Err(Error::NotFound(format!("module `{name}`")));
            }
            return Ok(false);
        }
        let needed_by: Vec<String> = next
            .iter()
            .filter(|n| *n != name)
            .filter_map(|n| self.registry().get(n).ok())
            .filter(|m| m.manifest().requires.iter().any(|(d, _)| *d == name))
            .map(|m| m.manifest().name.to_owned())
            .collect();
        if !needed_by.is_empty() {
            return Err(invalid(
                "id",
                "required_module",
                format!(
                    "`{name}` cannot be uninstalled: {} needs it",
                    needed_by.join(", ")
                ),
            ));
        }
        let mut choices: ModuleChoices = self.module_choices()?;
        choices.enabled.remove(name);
        if self.config().enabled().iter().any(|n| n == name) {
            choices.disabled.insert(name.to_owned());
        }
        self.write(who, |w| {
            w.put_module_choices(&choices)?;
            w.audit("module_disabled", name, "from the next start; data kept");
            Ok(())
        })?;
        Ok(true)
    }

    /// The upgrade steps waiting to run, module by module, in order.
    pub fn pending_upgrades(&self) -> Result<Vec<PendingStep>> {
        let mut out = Vec::new();
        for (m, from) in self.outdated_modules()? {
            let mut at = from.clone();
            for s in pending_steps(m, &from) {
                out.push(PendingStep {
                    module: m.manifest().name.to_owned(),
                    from: at.clone(),
                    to: s.to.to_owned(),
                    title: s.title.to_owned(),
                });
                at = s.to.to_owned();
            }
        }
        Ok(out)
    }

    /// Runs one module's pending upgrade steps (those holding `Manage
    /// site`), each in its own transaction. Returns the steps run.
    pub fn upgrade_module(&self, who: &Principal, name: &str) -> Result<Vec<PendingStep>> {
        self.require_manage_site(who)?;
        let Some((m, from)) = self
            .outdated_modules()?
            .into_iter()
            .find(|(m, _)| m.manifest().name == name)
        else {
            if self.modules().iter().any(|m| m.manifest().name == name) {
                return Ok(Vec::new());
            }
            return Err(invalid(
                "id",
                "not_installed",
                format!("the module `{name}` is not installed on this site"),
            ));
        };
        self.run_upgrade(who, m, &from)
    }

    /// Runs every pending upgrade step (those holding `Manage site`).
    pub fn upgrade_all(&self, who: &Principal) -> Result<Vec<PendingStep>> {
        self.require_manage_site(who)?;
        let mut done = Vec::new();
        for (m, from) in self.outdated_modules()? {
            done.extend(self.run_upgrade(who, m, &from)?);
        }
        Ok(done)
    }

    fn run_upgrade(
        &self,
        who: &Principal,
        m: &'static dyn Module,
        from: &str,
    ) -> Result<Vec<PendingStep>> {
        let man = m.manifest();
        let system = Principal::system(who.name());
        let mut done = Vec::new();
        let mut at = from.to_owned();
        for step in pending_steps(m, from) {
            self.write(&system, |w| {
                (step.run)(w)?;
                w.tx.put(
                    &w.site().keys().module(man.name),
                    step.to.as_bytes().to_vec(),
                );
                Ok(())
            })?;
            done.push(PendingStep {
                module: man.name.to_owned(),
                from: at.clone(),
                to: step.to.to_owned(),
                title: step.title.to_owned(),
            });
            at = step.to.to_owned();
        }
        self.write(&system, |w| {
            w.tx.put(
                &w.site().keys().module(man.name),
                man.version.as_bytes().to_vec(),
            );
            w.audit(
                "module_upgraded",
                man.name,
                &format!("{from} → {}", man.version),
            );
            w.fire(
                Phase::After,
                &Event::ModuleUpgraded {
                    module: man.name,
                    from,
                    to: man.version,
                },
            )
        })?;
        Ok(done)
    }
}
