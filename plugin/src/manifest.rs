//! A run-time module's manifest: what it is and brings, sent to the site
//! as JSON when the site starts.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::event::{EventKind, Phase};

/// What a module is and brings, as a compiled-in module's `Manifest` says
/// it, plus its hooks, upgrade steps and demo content. Files are given as
/// (file name, text), embedded with `include_str!`; the file names appear
/// in the site's error messages as `<module>/<file>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Manifest {
    /// The module's name, unique in a site: `[modules.<name>]` in `site.toml`.
    pub name: String,
    /// Its version: `env!("CARGO_PKG_VERSION")`.
    pub version: String,
    /// A one-line title for people.
    pub title: String,
    /// The core versions it works with, as a semver range (`^0.3`).
    pub core: String,
    /// Other modules it needs: (name, version range).
    pub requires: Vec<(String, String)>,
    /// Content types: (file name, TOML), as in compiled modules.
    pub types: Vec<(String, String)>,
    /// Vocabularies: (file name, TOML).
    pub vocabularies: Vec<(String, String)>,
    /// Templates: (name, Tera source), named `<module>/<file>.html`.
    pub templates: Vec<(String, String)>,
    /// Fluent catalogs: (language, FTL source).
    pub translations: Vec<(String, String)>,
    /// Workflows: (file name, TOML).
    pub workflows: Vec<(String, String)>,
    /// Roles the module adds.
    pub roles: Vec<String>,
    /// Permissions the module adds, each with the roles that hold it.
    pub permissions: Vec<(String, Vec<String>)>,
    /// Functions of the town's services the module needs.
    pub functions: Vec<String>,
    /// Counters for reference numbers.
    pub counters: Vec<Counter>,
    /// The events the module handles, at most one hook per phase.
    pub hooks: Vec<Hook>,
    /// Upgrade steps, by the version they bring the data to.
    pub upgrade_steps: Vec<UpgradeStep>,
    /// Items added when a site is created with `demo_content = true`.
    pub demo_content: Vec<DemoItem>,
}

/// A hook: the events of these kinds reach [`Plugin::on_event`](crate::Plugin::on_event).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hook {
    /// Before or after the write.
    pub phase: Phase,
    /// Lower runs first among all modules' hooks of the phase.
    #[serde(default)]
    pub order: i32,
    /// The kinds of events handled.
    pub events: Vec<EventKind>,
}

impl Hook {
    /// A hook that runs before the write and may refuse it.
    pub fn before(events: &[EventKind]) -> Self {
        Hook {
            phase: Phase::Before,
            order: 0,
            events: events.to_vec(),
        }
    }

    /// A hook that runs after the write, in its transaction.
    pub fn after(events: &[EventKind]) -> Self {
        Hook {
            phase: Phase::After,
            order: 0,
            events: events.to_vec(),
        }
    }

    /// Sets the order (lower first; ties run in module order).
    pub fn order(mut self, order: i32) -> Self {
        self.order = order;
        self
    }
}

/// An upgrade step: for each item of the module's types, the site calls
/// [`Plugin::upgrade`](crate::Plugin::upgrade) with `to` and stores the
/// fields it returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpgradeStep {
    /// The version the step brings the data to.
    pub to: String,
    /// What it does, for `upgrade --dry-run`.
    pub title: String,
}

/// A counter for reference numbers (see the core's workflows guide).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Counter {
    /// Its name, unique on the site.
    pub name: String,
    /// Its format (`E{n:04}`).
    pub format: String,
    /// Whether it starts again each year.
    #[serde(default)]
    pub yearly: bool,
}

/// One demonstration item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoItem {
    /// The container's path (`/`).
    pub parent: String,
    /// The content type.
    #[serde(rename = "@type")]
    pub type_name: String,
    /// Its fields (`title` included), and `id` to choose its id and
    /// `language` when it is not the site's default.
    pub fields: Map<String, Value>,
    /// Workflow transitions fired after it is added (`publish`).
    #[serde(default)]
    pub transitions: Vec<String>,
}

impl DemoItem {
    /// An item of `type_name` in `parent`, with `fields` (a JSON object;
    /// anything else gives no fields).
    pub fn new(parent: &str, type_name: &str, fields: Value) -> Self {
        DemoItem {
            parent: parent.to_owned(),
            type_name: type_name.to_owned(),
            fields: match fields {
                Value::Object(m) => m,
                _ => Map::new(),
            },
            transitions: Vec::new(),
        }
    }

    /// Fires `transition` after adding it.
    pub fn transition(mut self, transition: &str) -> Self {
        self.transitions.push(transition.to_owned());
        self
    }
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_owned(), b.to_owned())
}

impl Manifest {
    /// A manifest with a name and a version, accepting any core version.
    pub fn new(name: &str, version: &str) -> Self {
        Manifest {
            name: name.to_owned(),
            version: version.to_owned(),
            core: "*".into(),
            ..Manifest::default()
        }
    }

    /// Sets the title.
    pub fn title(mut self, title: &str) -> Self {
        self.title = title.to_owned();
        self
    }

    /// Sets the range of core versions (`^0.3`).
    pub fn core(mut self, range: &str) -> Self {
        self.core = range.to_owned();
        self
    }

    /// Requires another module in a version range.
    pub fn requires(mut self, module: &str, range: &str) -> Self {
        self.requires.push(pair(module, range));
        self
    }

    /// Adds a content type: (file name, TOML).
    pub fn content_type(mut self, file: &str, toml: &str) -> Self {
        self.types.push(pair(file, toml));
        self
    }

    /// Adds a vocabulary: (file name, TOML).
    pub fn vocabulary(mut self, file: &str, toml: &str) -> Self {
        self.vocabularies.push(pair(file, toml));
        self
    }

    /// Adds a template: (`<module>/<file>.html`, Tera source).
    pub fn template(mut self, name: &str, source: &str) -> Self {
        self.templates.push(pair(name, source));
        self
    }

    /// Adds a Fluent catalog: (language, FTL source).
    pub fn translation(mut self, language: &str, ftl: &str) -> Self {
        self.translations.push(pair(language, ftl));
        self
    }

    /// Adds several catalogs, as [`translations!`](crate::translations) gives them.
    pub fn translations<'a>(
        mut self,
        catalogs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        self.translations
            .extend(catalogs.into_iter().map(|(l, t)| pair(l, t)));
        self
    }

    /// Adds a workflow: (file name, TOML).
    pub fn workflow(mut self, file: &str, toml: &str) -> Self {
        self.workflows.push(pair(file, toml));
        self
    }

    /// Adds a role.
    pub fn role(mut self, role: &str) -> Self {
        self.roles.push(role.to_owned());
        self
    }

    /// Adds a permission held by these roles by default.
    pub fn permission(mut self, permission: &str, roles: &[&str]) -> Self {
        self.permissions.push((
            permission.to_owned(),
            roles.iter().map(|r| (*r).to_owned()).collect(),
        ));
        self
    }

    /// Needs a function of the town's services (`creators`).
    pub fn function(mut self, function: &str) -> Self {
        self.functions.push(function.to_owned());
        self
    }

    /// Adds a counter.
    pub fn counter(mut self, name: &str, format: &str, yearly: bool) -> Self {
        self.counters.push(Counter {
            name: name.to_owned(),
            format: format.to_owned(),
            yearly,
        });
        self
    }

    /// Handles events with a hook.
    pub fn hook(mut self, hook: Hook) -> Self {
        self.hooks.push(hook);
        self
    }

    /// Declares an upgrade step to `to`.
    pub fn upgrade_step(mut self, to: &str, title: &str) -> Self {
        self.upgrade_steps.push(UpgradeStep {
            to: to.to_owned(),
            title: title.to_owned(),
        });
        self
    }

    /// Adds a demonstration item.
    pub fn demo_item(mut self, item: DemoItem) -> Self {
        self.demo_content.push(item);
        self
    }
}
