//! A loaded library as a [`Module`]: its manifest leaked once as
//! `'static` data, its hooks and upgrade steps forwarded to the library as
//! JSON.
//!
//! Hook handlers and upgrade steps are plain `fn` pointers, which cannot
//! capture which library they belong to. So each library gets a slot
//! number when it is registered, and the handlers are functions generic
//! over that number (`before::<3>`, `after::<3>`, `step::<3>`): each is a
//! distinct `fn` that finds its library in the slot table.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use beffroi_plugin::{EventKind, Request, Response};
use serde_json::{Map, Value};

use super::ffi;
use crate::error::{Error, Result};
use crate::hooks::{Event, Handler, Phase, Subscriber, Veto};
use crate::item::Item;
use crate::module::{Manifest, Module, UpgradeStep};
use crate::site::Writer;
use crate::workflow::CounterDef;

/// How many run-time modules one process can hold.
pub(super) const SLOTS: usize = 32;

static TABLE: [OnceLock<&'static DynamicModule>; SLOTS] = [const { OnceLock::new() }; SLOTS];
static NEXT: AtomicUsize = AtomicUsize::new(0);

macro_rules! per_slot {
    ($f:ident) => {
        [
            $f::<0>, $f::<1>, $f::<2>, $f::<3>, $f::<4>, $f::<5>, $f::<6>, $f::<7>, $f::<8>,
            $f::<9>, $f::<10>, $f::<11>, $f::<12>, $f::<13>, $f::<14>, $f::<15>, $f::<16>,
            $f::<17>, $f::<18>, $f::<19>, $f::<20>, $f::<21>, $f::<22>, $f::<23>, $f::<24>,
            $f::<25>, $f::<26>, $f::<27>, $f::<28>, $f::<29>, $f::<30>, $f::<31>,
        ]
    };
}

type Step = fn(&mut Writer<'_>) -> Result<()>;

static BEFORE: [Handler; SLOTS] = per_slot!(before);
static AFTER: [Handler; SLOTS] = per_slot!(after);
static STEPS: [Step; SLOTS] = per_slot!(step);

fn before<const SLOT: usize>(w: &mut Writer<'_>, e: &Event<'_>) -> Result<(), Veto> {
    match TABLE[SLOT].get() {
        Some(m) => m.hook(beffroi_plugin::Phase::Before, w, e),
        None => Err(Veto(format!("no run-time module in slot {SLOT}"))),
    }
}

fn after<const SLOT: usize>(w: &mut Writer<'_>, e: &Event<'_>) -> Result<(), Veto> {
    match TABLE[SLOT].get() {
        Some(m) => m.hook(beffroi_plugin::Phase::After, w, e),
        None => Err(Veto(format!("no run-time module in slot {SLOT}"))),
    }
}

fn step<const SLOT: usize>(w: &mut Writer<'_>) -> Result<()> {
    match TABLE[SLOT].get() {
        Some(m) => m.upgrade(w),
        None => Err(Error::Modules(format!("no run-time module in slot {SLOT}"))),
    }
}

/// How many more libraries can be registered.
pub(super) fn free_slots() -> usize {
    SLOTS.saturating_sub(NEXT.load(Ordering::SeqCst))
}

/// A module whose code is in a shared library.
pub(super) struct DynamicModule {
    file: PathBuf,
    library: ffi::Library,
    manifest: Manifest,
    /// The hooks, each with its subscriber's name (made once).
    hooks: Vec<(beffroi_plugin::Hook, &'static str)>,
    steps: Vec<(&'static str, &'static str)>,
    demo: Vec<beffroi_plugin::DemoItem>,
    types: BTreeSet<String>,
    slot: usize,
}

impl std::fmt::Debug for DynamicModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamicModule")
            .field("name", &self.manifest.name)
            .field("file", &self.file)
            .field("slot", &self.slot)
            .finish()
    }
}

/// Gives a checked library its slot and its `'static` module. Its
/// manifest's strings are leaked once: a library is never unloaded, and
/// neither is what describes it.
pub(super) fn register(
    path: &Path,
    library: ffi::Library,
    m: beffroi_plugin::Manifest,
) -> std::result::Result<&'static DynamicModule, String> {
    let slot = NEXT.fetch_add(1, Ordering::SeqCst);
    if slot >= SLOTS {
        return Err(format!(
            "too many run-time modules: one process loads at most {SLOTS}"
        ));
    }
    let types = m
        .types
        .iter()
        .filter_map(|(f, t)| crate::schema::parse_type(&m.name, f, t).ok())
        .map(|t| t.name)
        .collect();
    let manifest = Manifest {
        name: leak(m.name),
        version: leak(m.version),
        title: leak(m.title),
        core: leak(if m.core.is_empty() {
            "*".into()
        } else {
            m.core
        }),
        requires: leak_pairs(m.requires),
        types: leak_pairs(m.types),
        vocabularies: leak_pairs(m.vocabularies),
        templates: leak_pairs(m.templates),
        translations: leak_pairs(m.translations),
        workflows: leak_pairs(m.workflows),
        roles: leak_list(m.roles),
        permissions: Box::leak(
            m.permissions
                .into_iter()
                .map(|(p, roles)| (leak(p), leak_list(roles)))
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        ),
        functions: leak_list(m.functions),
        counters: Box::leak(
            m.counters
                .into_iter()
                .map(|c| CounterDef {
                    name: leak(c.name),
                    format: leak(c.format),
                    yearly: c.yearly,
                })
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        ),
    };
    let steps = m
        .upgrade_steps
        .into_iter()
        .map(|s| (leak(s.to), leak(s.title)))
        .collect();
    let hooks = m
        .hooks
        .into_iter()
        .map(|h| {
            let word = match h.phase {
                beffroi_plugin::Phase::Before => "before",
                beffroi_plugin::Phase::After => "after",
            };
            let name = leak(format!("{} (run-time module, {word})", manifest.name));
            (h, name)
        })
        .collect();
    let module: &'static DynamicModule = Box::leak(Box::new(DynamicModule {
        file: path.to_owned(),
        library,
        manifest,
        hooks,
        steps,
        demo: m.demo_content,
        types,
        slot,
    }));
    TABLE[slot]
        .set(module)
        .map_err(|_| format!("slot {slot} is taken twice"))?;
    Ok(module)
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn leak_pairs(v: Vec<(String, String)>) -> &'static [(&'static str, &'static str)] {
    Box::leak(
        v.into_iter()
            .map(|(a, b)| (leak(a), leak(b)))
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    )
}

fn leak_list(v: Vec<String>) -> &'static [&'static str] {
    Box::leak(
        v.into_iter()
            .map(leak)
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    )
}

impl DynamicModule {
    pub(super) fn name(&self) -> &'static str {
        self.manifest.name
    }

    pub(super) fn file(&self) -> &Path {
        &self.file
    }

    fn ask(&self, request: &Request) -> std::result::Result<Response, String> {
        let bytes = serde_json::to_vec(request).map_err(|e| e.to_string())?;
        let answer = self.library.call(&bytes)?;
        serde_json::from_slice(&answer)
            .map_err(|e| format!("the module's answer is not one the site understands ({e})"))
    }

    fn hook(
        &self,
        phase: beffroi_plugin::Phase,
        w: &mut Writer<'_>,
        e: &Event<'_>,
    ) -> Result<(), Veto> {
        let kind = kind_of(e);
        let wanted = self
            .hooks
            .iter()
            .any(|(h, _)| h.phase == phase && h.events.contains(&kind));
        if !wanted {
            return Ok(());
        }
        let event = plugin_event(kind, phase, w, e);
        match self.ask(&Request::Event {
            event: Box::new(event),
        }) {
            Ok(Response::Ok | Response::Fields { .. }) => Ok(()),
            Ok(Response::Veto { message }) => Err(Veto(message)),
            Ok(Response::Error { message }) | Err(message) => {
                tracing::error!(
                    module = self.name(),
                    library = %self.file.display(),
                    error = %message,
                    "a run-time module's hook failed"
                );
                Err(Veto(format!(
                    "The module “{}” failed, so nothing was saved: {message}",
                    self.name()
                )))
            }
        }
    }

    /// The upgrade step that runs now: the first one after the installed
    /// version (each step is its own write, after which the installed
    /// version is the step's). For every item of the module's types, the
    /// library says which fields change.
    fn upgrade(&self, w: &mut Writer<'_>) -> Result<()> {
        let installed = w
            .site()
            .installed_version(self.name())?
            .unwrap_or_else(|| "0.0.0".into());
        let Some(to) = crate::site::pending_steps(self, &installed)
            .first()
            .map(|s| s.to)
        else {
            return Ok(());
        };
        let mut stack = w.children("/")?;
        while let Some(item) = stack.pop() {
            stack.extend(w.children(&item.path)?);
            if !self.types.contains(&item.type_name) {
                continue;
            }
            let request = Request::Upgrade {
                to: to.to_owned(),
                item: plugin_item(&item),
            };
            let failed = |message: String| Error::Library {
                file: self.file.display().to_string(),
                message: format!(
                    "the upgrade step to {to} failed on {}: {message}",
                    item.path
                ),
            };
            match self.ask(&request) {
                Ok(Response::Ok) => {}
                Ok(Response::Fields { fields }) => {
                    w.update(&item.path, fields, None)?;
                }
                Ok(Response::Veto { message } | Response::Error { message }) | Err(message) => {
                    return Err(failed(message))
                }
            }
        }
        Ok(())
    }
}

impl Module for DynamicModule {
    fn manifest(&self) -> Manifest {
        self.manifest
    }

    fn demo_content(&self, w: &mut Writer<'_>) -> Result<()> {
        for d in &self.demo {
            // `id` and `language` are options of the addition, not fields.
            let mut fields = d.fields.clone();
            let text = |v: Option<Value>| v.and_then(|v| v.as_str().map(str::to_owned));
            let opts = crate::site::AddOptions {
                id: text(fields.remove("id")),
                language: text(fields.remove("language")),
            };
            let item = w.add_with(&d.parent, &d.type_name, fields, opts)?;
            for t in &d.transitions {
                w.transition(&item.path, t, "")?;
            }
        }
        Ok(())
    }

    fn upgrade_steps(&self) -> Vec<UpgradeStep> {
        self.steps
            .iter()
            .map(|(to, title)| UpgradeStep {
                to,
                title,
                run: STEPS[self.slot],
            })
            .collect()
    }

    fn subscribers(&self) -> Vec<Subscriber> {
        self.hooks
            .iter()
            .map(|(h, name)| {
                let (phase, handler) = match h.phase {
                    beffroi_plugin::Phase::Before => (Phase::Before, BEFORE[self.slot]),
                    beffroi_plugin::Phase::After => (Phase::After, AFTER[self.slot]),
                };
                Subscriber {
                    name,
                    phase,
                    order: h.order,
                    handler,
                }
            })
            .collect()
    }
}

/// An item as plone.restapi shapes it, without addresses (a hook runs
/// outside any request): metadata, then every field at the top level.
fn plugin_item(item: &Item) -> beffroi_plugin::Item {
    let mut m = Map::new();
    m.insert("@type".into(), Value::from(item.type_name.as_str()));
    m.insert("UID".into(), Value::from(item.uid.as_str()));
    m.insert("id".into(), Value::from(item.id.as_str()));
    m.insert("path".into(), Value::from(item.path.as_str()));
    m.insert(
        "parent".into(),
        item.parent.as_deref().map_or(Value::Null, Value::from),
    );
    m.insert(
        "review_state".into(),
        item.review_state
            .as_deref()
            .map_or(Value::Null, Value::from),
    );
    m.insert("created".into(), Value::from(item.created.to_rfc3339()));
    m.insert("modified".into(), Value::from(item.modified.to_rfc3339()));
    m.insert("creators".into(), Value::from(vec![item.creator.as_str()]));
    m.insert(
        "language".into(),
        item.language.as_deref().map_or(Value::Null, Value::from),
    );
    m.insert("revision".into(), Value::from(item.revision));
    for (k, v) in &item.fields {
        m.entry(k.clone()).or_insert_with(|| v.clone());
    }
    beffroi_plugin::Item(m)
}

fn kind_of(e: &Event<'_>) -> EventKind {
    match e {
        Event::ItemAdded(_) => EventKind::ItemAdded,
        Event::ItemModified { .. } => EventKind::ItemModified,
        Event::ItemMoved { .. } => EventKind::ItemMoved,
        Event::ItemTransitioned { .. } => EventKind::ItemTransitioned,
        Event::UserLoggedIn { .. } => EventKind::UserLoggedIn,
        Event::ItemRemoved(_) => EventKind::ItemRemoved,
        Event::ModuleInstalled { .. } => EventKind::ModuleInstalled,
        Event::ModuleUpgraded { .. } => EventKind::ModuleUpgraded,
        Event::SiteCreated { .. } => EventKind::SiteCreated,
    }
}

fn plugin_event(
    kind: EventKind,
    phase: beffroi_plugin::Phase,
    w: &Writer<'_>,
    e: &Event<'_>,
) -> beffroi_plugin::Event {
    let mut out = beffroi_plugin::Event::new(kind, phase, w.site().id(), w.actor());
    match *e {
        Event::ItemAdded(item) | Event::ItemRemoved(item) => out.item = Some(plugin_item(item)),
        Event::ItemModified { item, previous } => {
            out.item = Some(plugin_item(item));
            out.previous = Some(plugin_item(previous));
        }
        Event::ItemMoved { item, from } => {
            out.item = Some(plugin_item(item));
            out.from = Some(from.to_owned());
        }
        Event::ItemTransitioned {
            item,
            previous,
            transition,
            comment,
        } => {
            out.item = Some(plugin_item(item));
            out.previous = Some(plugin_item(previous));
            out.transition = Some(transition.to_owned());
            out.comment = Some(comment.to_owned());
        }
        Event::UserLoggedIn { login } => out.login = Some(login.to_owned()),
        Event::ModuleInstalled { module, version } => {
            out.module = Some(module.to_owned());
            out.version = Some(version.to_owned());
        }
        Event::ModuleUpgraded { module, from, to } => {
            out.module = Some(module.to_owned());
            out.from = Some(from.to_owned());
            out.to = Some(to.to_owned());
        }
        Event::SiteCreated { .. } => {}
    }
    out
}
