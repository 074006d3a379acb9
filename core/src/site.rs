//! A site (one town): its schema, modules and hooks, the reads of its tree,
//! and [`Writer`], through which every write goes as one transaction.

use std::io::Read;
use std::sync::Arc;

use chrono::Utc;
use semver::Version;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::config::SiteConfig;
use crate::error::{Error, FieldError, Result};
use crate::hooks::{Event, Phase, Subscriber};
use crate::item::{HistoryEntry, Item};
use crate::module::{Module, Registry};
use crate::render::Renderer;
use crate::schema::{FieldKind, Schema, TypeDef, WriteMode};
use crate::security::Principal;
use crate::store::{BlobRef, Store, StoreError, StoreErrorKind, Transaction};
use crate::users::User;

/// The type of every site's root.
pub const ROOT_TYPE: &str = "Plone Site";

/// Stored facts about a site.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SiteMeta {
    /// When the site was created.
    pub created: chrono::DateTime<Utc>,
    /// The root item's uid.
    pub root: String,
}

/// A module's state on a site, for `modules` and the upgrade screens.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleStatus {
    /// The module's name.
    pub name: String,
    /// The version linked in this binary, if it is.
    pub linked: Option<String>,
    /// The version installed on the site, if it was ever installed.
    pub installed: Option<String>,
    /// Whether `site.toml` enables it (or an enabled module requires it).
    pub enabled: bool,
    /// Upgrade steps waiting to run: (version, title).
    pub pending: Vec<(String, String)>,
}

/// One town's site.
pub struct Site {
    config: SiteConfig,
    store: Arc<dyn Store>,
    schema: Schema,
    modules: Vec<&'static dyn Module>,
    /// Every module linked into the binary, enabled or not.
    registry: Registry,
    subscribers: Vec<(&'static str, Subscriber)>,
    renderer: Renderer,
    pub(crate) security: crate::access::SecurityModel,
    pub(crate) auth: crate::auth::AuthState,
    /// The site settings as last read, with the write generation they were
    /// read at (pages ask for them several times a request).
    pub(crate) settings_cache: std::sync::RwLock<Option<(u64, crate::settings::Settings)>>,
    /// Counts committed writes: a cached reading older than the last one
    /// is read again.
    pub(crate) generation: std::sync::atomic::AtomicU64,
    /// Image scales being made, and how many were (`images.rs`).
    pub(crate) scaling: crate::images::Scaling,
}

impl std::fmt::Debug for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Site")
            .field("id", &self.config.id)
            .finish_non_exhaustive()
    }
}

pub(crate) struct Keys<'a>(pub(crate) &'a str);

impl Keys<'_> {
    pub(crate) fn site(&self) -> Vec<u8> {
        format!("s/{}/", self.0).into_bytes()
    }
    pub(crate) fn meta(&self) -> Vec<u8> {
        format!("s/{}/meta", self.0).into_bytes()
    }
    pub(crate) fn item(&self, uid: &str) -> Vec<u8> {
        format!("s/{}/i/{uid}", self.0).into_bytes()
    }
    pub(crate) fn path(&self, path: &str) -> Vec<u8> {
        format!("s/{}/p{path}", self.0).into_bytes()
    }
    pub(crate) fn children(&self, uid: &str) -> Vec<u8> {
        format!("s/{}/c/{uid}/", self.0).into_bytes()
    }
    pub(crate) fn child(&self, uid: &str, pos: u64) -> Vec<u8> {
        format!("s/{}/c/{uid}/{pos:016x}", self.0).into_bytes()
    }
    fn next_child(&self, uid: &str) -> Vec<u8> {
        format!("s/{}/n/{uid}", self.0).into_bytes()
    }
    pub(crate) fn history(&self, uid: &str) -> Vec<u8> {
        format!("s/{}/h/{uid}/", self.0).into_bytes()
    }
    pub(crate) fn history_entry(&self, uid: &str, rev: u64) -> Vec<u8> {
        format!("s/{}/h/{uid}/{rev:016x}", self.0).into_bytes()
    }
    pub(crate) fn module(&self, name: &str) -> Vec<u8> {
        format!("s/{}/m/{name}", self.0).into_bytes()
    }
    pub(crate) fn modules(&self) -> Vec<u8> {
        format!("s/{}/m/", self.0).into_bytes()
    }
    pub(crate) fn user(&self, login: &str) -> Vec<u8> {
        format!("s/{}/u/{login}", self.0).into_bytes()
    }
    pub(crate) fn users(&self) -> Vec<u8> {
        format!("s/{}/u/", self.0).into_bytes()
    }
    pub(crate) fn ext(&self, module: &str, key: &str) -> Vec<u8> {
        format!("s/{}/x/{module}/{key}", self.0).into_bytes()
    }
    pub(crate) fn exts(&self) -> Vec<u8> {
        format!("s/{}/x/", self.0).into_bytes()
    }
    pub(crate) fn group(&self, id: &str) -> Vec<u8> {
        format!("s/{}/g/{id}", self.0).into_bytes()
    }
    pub(crate) fn groups(&self) -> Vec<u8> {
        format!("s/{}/g/", self.0).into_bytes()
    }
    /// Membership index: one key per (login, group).
    pub(crate) fn member(&self, login: &str, group: &str) -> Vec<u8> {
        format!("s/{}/gm/{login}/{group}", self.0).into_bytes()
    }
    pub(crate) fn memberships(&self, login: &str) -> Vec<u8> {
        format!("s/{}/gm/{login}/", self.0).into_bytes()
    }
    pub(crate) fn service(&self, id: &str) -> Vec<u8> {
        format!("s/{}/o/{id}", self.0).into_bytes()
    }
    pub(crate) fn services(&self) -> Vec<u8> {
        format!("s/{}/o/", self.0).into_bytes()
    }
    pub(crate) fn counter(&self, name: &str) -> Vec<u8> {
        format!("s/{}/k/{name}", self.0).into_bytes()
    }
    pub(crate) fn audit(&self, stamp: &str) -> Vec<u8> {
        format!("s/{}/a/{stamp}", self.0).into_bytes()
    }
    pub(crate) fn audits(&self) -> Vec<u8> {
        format!("s/{}/a/", self.0).into_bytes()
    }
    pub(crate) fn session(&self, id: &str) -> Vec<u8> {
        format!("s/{}/z/{id}", self.0).into_bytes()
    }
    pub(crate) fn sessions(&self) -> Vec<u8> {
        format!("s/{}/z/", self.0).into_bytes()
    }
    pub(crate) fn mail(&self, stamp: &str) -> Vec<u8> {
        format!("s/{}/q/{stamp}", self.0).into_bytes()
    }
    pub(crate) fn mails(&self) -> Vec<u8> {
        format!("s/{}/q/", self.0).into_bytes()
    }
    pub(crate) fn journal(&self, stamp: &str) -> Vec<u8> {
        format!("s/{}/j/{stamp}", self.0).into_bytes()
    }
    pub(crate) fn sequence(&self) -> Vec<u8> {
        format!("s/{}/seq", self.0).into_bytes()
    }
    pub(crate) fn journals(&self) -> Vec<u8> {
        format!("s/{}/j/", self.0).into_bytes()
    }
    pub(crate) fn secret(&self) -> Vec<u8> {
        format!("s/{}/secret", self.0).into_bytes()
    }
}

pub(crate) fn decode<T: for<'de> Deserialize<'de>>(key: &[u8], bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| {
        Error::Store(StoreError::new(
            StoreErrorKind::Corrupt,
            format!("{}: {e}", String::from_utf8_lossy(key)),
        ))
    })
}

pub(crate) fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // Our stored types are plain data (strings, numbers, maps): serialising
    // them cannot fail.
    serde_json::to_vec(value).unwrap_or_default()
}

/// A stored big-endian counter; 0 when absent or malformed.
pub(crate) fn read_u64(bytes: Option<Vec<u8>>) -> u64 {
    bytes
        .and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok())
        .map_or(0, u64::from_be_bytes)
}

/// Joins a container's path and a child's id.
pub fn join_path(parent: &str, id: &str) -> String {
    if parent == "/" {
        format!("/{id}")
    } else {
        format!("{parent}/{id}")
    }
}

fn check_id(id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 100
        && id.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(vec![FieldError::new(
            "id",
            "bad_id",
            "an id is 1 to 100 lower-case letters, digits, `-`, `_` or `.`, starting with a letter or digit",
        )]))
    }
}

impl Site {
    /// Builds a site from its configuration: resolves its modules, loads
    /// their types, vocabularies, templates and translations, and checks them.
    pub fn open(
        mut config: SiteConfig,
        store: Arc<dyn Store>,
        registry: &Registry,
    ) -> Result<Self> {
        config.theme = crate::settings::chosen_theme(&config, store.as_ref())?;
        let modules = registry.resolve(&crate::settings::enabled_modules(
            &config,
            store.as_ref(),
            registry,
        )?)?;
        let mut schema = Schema::default();
        let mut subscribers = Vec::new();
        for m in &modules {
            let man = m.manifest();
            for (file, text) in man.types {
                schema.add_type(crate::schema::parse_type(man.name, file, text)?)?;
            }
            for (file, text) in man.vocabularies {
                let v = crate::schema::parse_vocabulary(man.name, file, text)?;
                schema.add_vocabulary(&format!("{}/{file}", man.name), v)?;
            }
            for s in m.subscribers() {
                subscribers.push((man.name, s));
            }
        }
        schema.check()?;
        // Stable: ties keep module order (dependencies first).
        subscribers.sort_by_key(|(_, s)| (s.phase, s.order));
        let renderer = Renderer::new(&config, &modules)?;
        let security = crate::access::SecurityModel::build(&config, &schema, &modules)?;
        Ok(Self {
            config,
            store,
            schema,
            modules,
            registry: registry.clone(),
            subscribers,
            renderer,
            security,
            auth: crate::auth::AuthState::default(),
            settings_cache: std::sync::RwLock::new(None),
            generation: std::sync::atomic::AtomicU64::new(0),
            scaling: crate::images::Scaling::default(),
        })
    }

    /// The site's id.
    pub fn id(&self) -> &str {
        &self.config.id
    }

    /// The site's configuration.
    pub fn config(&self) -> &SiteConfig {
        &self.config
    }

    /// The site's types and vocabularies.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The enabled modules, dependencies first.
    pub fn modules(&self) -> &[&'static dyn Module] {
        &self.modules
    }

    /// Every module linked into this binary, enabled on this site or not.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The site's templates and translations.
    pub fn renderer(&self) -> &Renderer {
        &self.renderer
    }

    /// The store the site lives in.
    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    pub(crate) fn keys(&self) -> Keys<'_> {
        Keys(&self.config.id)
    }

    /// The site's stored facts, once it is created.
    pub fn meta(&self) -> Result<Option<SiteMeta>> {
        let key = self.keys().meta();
        self.store.get(&key)?.map(|b| decode(&key, &b)).transpose()
    }

    /// Creates the site if it is not there yet: root folder, admin account,
    /// every enabled module installed (with demo content if configured).
    /// Returns the admin password when it was generated, to print once.
    pub fn create(&self, admin_password: Option<&str>) -> Result<Option<String>> {
        if self.meta()?.is_some() {
            return Ok(None);
        }
        let (password, generated) = match admin_password {
            Some(p) if !p.is_empty() => {
                crate::users::check_password_strength("admin", p).map_err(|mut e| {
                    e.field = "BEFFROI_ADMIN_PASSWORD".into();
                    Error::Invalid(vec![e])
                })?;
                (p.to_owned(), None)
            }
            _ => {
                let p = crate::users::generate_password();
                (p.clone(), Some(p))
            }
        };
        let admin = User::new("admin", "Administrator", &password, &["Manager"]);
        self.write(&Principal::system("admin"), |w| {
            let now = Utc::now();
            let mut fields = Map::new();
            fields.insert("title".into(), Value::String(w.site.config.title.clone()));
            let root = Item {
                uid: crate::text::new_uid(),
                type_name: ROOT_TYPE.into(),
                id: String::new(),
                path: "/".into(),
                parent: None,
                position: 0,
                fields,
                created: now,
                modified: now,
                creator: "admin".into(),
                review_state: None,
                language: None,
                revision: 1,
                local_roles: Default::default(),
                workflow_roles: Default::default(),
                block_inheritance: false,
            };
            let keys = w.site.keys();
            w.tx.put(&keys.item(&root.uid), encode(&root));
            w.tx.put(&keys.path("/"), root.uid.clone().into_bytes());
            w.tx.put(&keys.user("admin"), encode(&admin));
            w.install_security_defaults()?;
            w.tx.put(
                &keys.meta(),
                encode(&SiteMeta {
                    created: now,
                    root: root.uid.clone(),
                }),
            );
            for m in &w.site.modules {
                w.install_module(*m)?;
            }
            if w.site.config.demo_content {
                for m in &w.site.modules {
                    m.demo_content(w)?;
                }
            }
            let id = w.site.config.id.clone();
            w.fire(Phase::After, &Event::SiteCreated { site: &id })
        })?;
        Ok(generated)
    }

    /// Installs modules that `site.toml` enables but the site has not
    /// installed yet. Returns their names.
    pub fn install_new_modules(&self) -> Result<Vec<String>> {
        let mut installed = Vec::new();
        for m in &self.modules {
            let name = m.manifest().name;
            if self.installed_version(name)?.is_none() {
                self.write(&Principal::system("admin"), |w| w.install_module(*m))?;
                installed.push(name.to_owned());
            }
        }
        Ok(installed)
    }

    /// The version of `module` installed on the site.
    pub fn installed_version(&self, module: &str) -> Result<Option<String>> {
        Ok(self
            .store
            .get(&self.keys().module(module))?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    }

    /// Every module linked or installed, with its state on this site.
    pub fn module_status(&self, registry: &Registry) -> Result<Vec<ModuleStatus>> {
        let mut out: Vec<ModuleStatus> = Vec::new();
        let installed: Vec<(String, String)> = self
            .store
            .scan_prefix(&self.keys().modules())?
            .into_iter()
            .map(|(k, v)| {
                let k = String::from_utf8_lossy(&k).into_owned();
                let name = k.rsplit('/').next().unwrap_or_default().to_owned();
                (name, String::from_utf8_lossy(&v).into_owned())
            })
            .collect();
        for m in registry.modules() {
            let man = m.manifest();
            let inst = installed
                .iter()
                .find(|(n, _)| n == man.name)
                .map(|(_, v)| v.clone());
            let enabled = self.modules.iter().any(|e| e.manifest().name == man.name);
            let pending = match &inst {
                Some(v) if enabled => pending_steps(m, v)
                    .into_iter()
                    .map(|s| (s.to.to_owned(), s.title.to_owned()))
                    .collect(),
                _ => Vec::new(),
            };
            out.push(ModuleStatus {
                name: man.name.into(),
                linked: Some(man.version.into()),
                installed: inst,
                enabled,
                pending,
            });
        }
        for (name, v) in installed {
            if !out.iter().any(|s| s.name == name) {
                out.push(ModuleStatus {
                    name,
                    linked: None,
                    installed: Some(v),
                    enabled: false,
                    pending: Vec::new(),
                });
            }
        }
        Ok(out)
    }

    /// Modules whose linked version is newer than the installed one, with
    /// the installed version.
    pub fn outdated_modules(&self) -> Result<Vec<(&'static dyn Module, String)>> {
        let mut out = Vec::new();
        for m in &self.modules {
            let man = m.manifest();
            if let Some(inst) = self.installed_version(man.name)? {
                if newer(man.version, &inst) {
                    out.push((*m, inst));
                }
            }
        }
        Ok(out)
    }

    /// Runs every pending upgrade step, in order, each in its own
    /// transaction with the module's new installed version. `progress` is
    /// told each step as it starts. Returns the number of steps run.
    pub fn upgrade(&self, progress: &mut dyn FnMut(&str, &str)) -> Result<usize> {
        let mut count = 0;
        for (m, from) in self.outdated_modules()? {
            let man = m.manifest();
            for step in pending_steps(m, &from) {
                progress(man.name, step.title);
                self.write(&Principal::system("admin"), |w| {
                    (step.run)(w)?;
                    w.tx.put(&w.site.keys().module(man.name), step.to.as_bytes().to_vec());
                    Ok(())
                })?;
                count += 1;
            }
            self.write(&Principal::system("admin"), |w| {
                w.tx.put(
                    &w.site.keys().module(man.name),
                    man.version.as_bytes().to_vec(),
                );
                w.fire(
                    Phase::After,
                    &Event::ModuleUpgraded {
                        module: man.name,
                        from: &from,
                        to: man.version,
                    },
                )
            })?;
        }
        Ok(count)
    }

    /// Runs `f` as one write by `who`: everything it does is stored
    /// together, and made durable, or not at all. Every operation checks
    /// `who`'s permissions; `who` is recorded in history.
    pub fn write<T>(
        &self,
        who: &Principal,
        f: impl FnOnce(&mut Writer<'_>) -> Result<T>,
    ) -> Result<T> {
        let tx = self.store.begin()?;
        let mut w = Writer {
            site: self,
            tx,
            who: who.clone(),
            unrestricted: who.is_system(),
            depth: 0,
            touched: std::collections::BTreeSet::new(),
        };
        let out = f(&mut w)?;
        let journaling = self.modules.iter().any(|m| m.follows_journal());
        let touched = !w.touched.is_empty();
        if touched {
            // Every write that changes items is numbered, journal or not: a
            // module that follows the journal can tell it missed some
            // (while it was disabled) and rebuild.
            let seq_key = self.keys().sequence();
            let seq = read_u64(w.tx.get(&seq_key)?) + 1;
            w.tx.put(&seq_key, seq.to_be_bytes().to_vec());
            if journaling {
                // In the write's own transaction: what changed is never
                // lost, even if the process dies before the modules catch up.
                let uids: Vec<&String> = w.touched.iter().collect();
                let key = self.keys().journal(&format!("{seq:020}"));
                w.tx.put(&key, encode(&uids));
            }
        }
        w.tx.commit()?;
        // Any write may have changed the settings: readings cached before
        // it are stale.
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if journaling && touched {
            for m in self.modules.iter().filter(|m| m.follows_journal()) {
                m.committed(self);
            }
        }
        Ok(out)
    }

    /// The number of the last write that changed items (0 before any).
    pub fn write_sequence(&self) -> Result<u64> {
        Ok(read_u64(self.store.get(&self.keys().sequence())?))
    }

    /// The change journal: entries not yet cleared, oldest first, each with
    /// its write's number, its key, and the uids that write touched. Only
    /// kept while a module follows it.
    pub fn journal_entries(&self) -> Result<Vec<JournalEntry>> {
        let prefix = self.keys().journals();
        self.store
            .scan_prefix(&prefix)?
            .into_iter()
            .map(|(k, v)| {
                let uids: Vec<String> = decode(&k, &v)?;
                let seq = String::from_utf8_lossy(&k[prefix.len()..])
                    .parse()
                    .unwrap_or(0);
                Ok(JournalEntry { seq, key: k, uids })
            })
            .collect()
    }

    /// Removes journal entries a module has applied.
    pub fn clear_journal(&self, keys: &[Vec<u8>]) -> Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let mut tx = self.store.begin()?;
        for k in keys {
            tx.delete(k);
        }
        tx.commit()?;
        Ok(())
    }

    /// The site as `who` sees it: the read path of every view, listing,
    /// feed and API answer.
    pub fn reader<'a>(&'a self, who: &'a Principal) -> crate::access::Reader<'a> {
        crate::access::Reader::new(self, who)
    }

    /// The workflow that items of `type_name` follow on this site.
    pub fn workflow_for(&self, type_name: &str) -> Option<&crate::workflow::Workflow> {
        self.security.workflow_for(type_name)
    }

    /// Every workflow of the site, adaptations applied.
    pub fn workflows(&self) -> impl Iterator<Item = &crate::workflow::Workflow> {
        self.security.workflows.values()
    }

    /// The roles known on this site.
    pub fn roles(&self) -> &std::collections::BTreeSet<String> {
        &self.security.roles
    }

    /// The roles that hold each permission where no workflow state says
    /// otherwise (`Add` stands for every `Add <type>` not listed).
    pub fn role_map(
        &self,
    ) -> &std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
        &self.security.role_map
    }

    /// The permissions known on this site (besides `Add <type>`).
    pub fn permissions(&self) -> &std::collections::BTreeSet<String> {
        &self.security.permissions
    }

    /// The service functions modules declare.
    pub fn functions(&self) -> &std::collections::BTreeSet<String> {
        &self.security.functions
    }

    /// The children of `item` in stored order, unrestricted.
    pub(crate) fn children_of(&self, item: &Item) -> Result<Vec<Item>> {
        let mut out = Vec::new();
        for (_, uid) in self.store.scan_prefix(&self.keys().children(&item.uid))? {
            if let Some(c) = self.get_by_uid(&String::from_utf8_lossy(&uid))? {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// The item at `path` (`/` is the root).
    pub fn get(&self, path: &str) -> Result<Option<Item>> {
        let Some(uid) = self.store.get(&self.keys().path(path))? else {
            return Ok(None);
        };
        self.get_by_uid(&String::from_utf8_lossy(&uid))
    }

    /// The item with this uid.
    pub fn get_by_uid(&self, uid: &str) -> Result<Option<Item>> {
        let key = self.keys().item(uid);
        self.store.get(&key)?.map(|b| decode(&key, &b)).transpose()
    }

    /// The children of the item at `path`, in their stored order.
    pub fn children(&self, path: &str) -> Result<Vec<Item>> {
        Ok(self.children_page(path, 0, usize::MAX)?.0)
    }

    /// A batch of the children of `path`: `size` of them from `start`, with
    /// the total count.
    pub fn children_page(
        &self,
        path: &str,
        start: usize,
        size: usize,
    ) -> Result<(Vec<Item>, usize)> {
        let parent = self
            .get(path)?
            .ok_or_else(|| Error::NotFound(path.to_owned()))?;
        let entries = self.store.scan_prefix(&self.keys().children(&parent.uid))?;
        let total = entries.len();
        let mut out = Vec::new();
        for (_, uid) in entries.into_iter().skip(start).take(size) {
            if let Some(item) = self.get_by_uid(&String::from_utf8_lossy(&uid))? {
                out.push(item);
            }
        }
        Ok((out, total))
    }

    /// The history of the item at `path`, oldest first.
    pub fn history(&self, path: &str) -> Result<Vec<HistoryEntry>> {
        let item = self
            .get(path)?
            .ok_or_else(|| Error::NotFound(path.to_owned()))?;
        self.store
            .scan_prefix(&self.keys().history(&item.uid))?
            .iter()
            .map(|(k, v)| decode(k, v))
            .collect()
    }

    /// Every item of the site, each container before its children, children
    /// in their stored order.
    pub fn walk(&self) -> Result<Vec<Item>> {
        let mut out = Vec::new();
        let Some(root) = self.get("/")? else {
            return Ok(out);
        };
        let mut stack = vec![root];
        while let Some(item) = stack.pop() {
            let children = self.store.scan_prefix(&self.keys().children(&item.uid))?;
            out.push(item);
            for (_, uid) in children.into_iter().rev() {
                if let Some(c) = self.get_by_uid(&String::from_utf8_lossy(&uid))? {
                    stack.push(c);
                }
            }
        }
        Ok(out)
    }

    /// Streams a file into the store, refusing it past the site's upload
    /// limit. An image the core can scale gets its `width` and `height`,
    /// read from its header.
    pub fn put_blob(
        &self,
        content: &mut dyn Read,
        content_type: &str,
        filename: &str,
    ) -> Result<BlobRef> {
        let max = self.config.max_upload_mb * 1024 * 1024;
        let mut blob = self
            .store
            .put_blob(content, content_type, filename, max)
            .map_err(|e| match e.kind {
                StoreErrorKind::NotSupported => Error::Invalid(vec![FieldError::new(
                    "file",
                    "too_large",
                    format!("files are limited to {} MiB", self.config.max_upload_mb),
                )]),
                _ => Error::Store(e),
            })?;
        // An image's size, from its header only, for the scales' sizes.
        if let Some((w, h)) = self.image_dimensions(&blob) {
            blob.width = Some(w);
            blob.height = Some(h);
        }
        Ok(blob)
    }

    /// Adds an item in its own transaction; see [`Writer::add`].
    pub fn add(
        &self,
        actor: &Principal,
        parent: &str,
        type_name: &str,
        data: Map<String, Value>,
    ) -> Result<Item> {
        self.write(actor, |w| w.add(parent, type_name, data))
    }

    /// Updates an item in its own transaction; see [`Writer::update`].
    pub fn update(
        &self,
        actor: &Principal,
        path: &str,
        data: Map<String, Value>,
        revision: Option<u64>,
    ) -> Result<Item> {
        self.write(actor, |w| w.update(path, data, revision))
    }

    /// Deletes an item (and everything in it) in its own transaction.
    pub fn delete(&self, actor: &Principal, path: &str, revision: Option<u64>) -> Result<()> {
        self.write(actor, |w| w.delete(path, revision))
    }
}

fn newer(linked: &str, installed: &str) -> bool {
    match (Version::parse(linked), Version::parse(installed)) {
        (Ok(l), Ok(i)) => l > i,
        _ => false,
    }
}

pub(crate) fn pending_steps(m: &dyn Module, installed: &str) -> Vec<crate::module::UpgradeStep> {
    let Ok(from) = Version::parse(installed) else {
        return Vec::new();
    };
    let Ok(to) = Version::parse(m.manifest().version) else {
        return Vec::new();
    };
    let mut steps: Vec<_> = m
        .upgrade_steps()
        .into_iter()
        .filter(|s| Version::parse(s.to).is_ok_and(|v| v > from && v <= to))
        .collect();
    steps.sort_by_key(|s| Version::parse(s.to).ok());
    steps
}

/// One write's entry in the change journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// The write's number ([`Site::write_sequence`]).
    pub seq: u64,
    /// Its key, for [`Site::clear_journal`].
    pub key: Vec<u8>,
    /// The uids it touched.
    pub uids: Vec<String>,
}

/// Where an added item goes and what it is called.
#[derive(Debug, Clone, Default)]
pub struct AddOptions {
    /// The id to use instead of one made from the title; refused if taken.
    pub id: Option<String>,
    /// The item's language, when not the site's default.
    pub language: Option<String>,
}

/// One write in progress: every operation here lands in the same
/// transaction, and hooks run inside it.
pub struct Writer<'a> {
    pub(crate) site: &'a Site,
    pub(crate) tx: Box<dyn Transaction + 'a>,
    who: Principal,
    unrestricted: bool,
    depth: u8,
    /// Uids of the items this write changed, added or removed, or whose
    /// permissions may have changed: the journal entry.
    touched: std::collections::BTreeSet<String>,
}

impl crate::access::Lookup for Writer<'_> {
    fn by_uid(&self, uid: &str) -> Result<Option<Item>> {
        self.get_by_uid(uid)
    }
}

impl<'a> Writer<'a> {
    /// The site being written.
    pub fn site(&self) -> &'a Site {
        self.site
    }

    /// Who is writing, as recorded in history.
    pub fn actor(&self) -> &str {
        self.who.name()
    }

    /// Who is writing.
    pub fn who(&self) -> &Principal {
        &self.who
    }

    /// Runs `f` without permission checks, still recorded as the same
    /// actor: for what a module does on the system's behalf (a hook filing
    /// a record the user may not write themselves).
    pub fn unrestricted<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        let before = self.unrestricted;
        self.unrestricted = true;
        let out = f(self);
        self.unrestricted = before;
        out
    }

    /// Marks everything below `uid` as changed: its permissions may come
    /// from an item whose roles or state just changed.
    pub(crate) fn touch_below(&mut self, uid: &str) -> Result<()> {
        let mut stack = vec![uid.to_owned()];
        while let Some(u) = stack.pop() {
            for (_, child) in self.child_uids(&u)? {
                self.touched.insert(child.clone());
                stack.push(child);
            }
        }
        Ok(())
    }

    /// Whether permission checks are off (system writes, [`Writer::unrestricted`]).
    pub fn is_unrestricted(&self) -> bool {
        self.unrestricted
    }

    /// Whether the writer holds `perm` on `item`.
    pub fn can(&self, item: &Item, perm: &str) -> Result<bool> {
        if self.unrestricted {
            return Ok(true);
        }
        crate::access::Checker::new(self.site, &self.who).allowed(item, perm, self)
    }

    /// Refuses unless the writer holds `perm` on `item`; an item the writer
    /// may not view is reported missing, so its existence is not revealed.
    pub(crate) fn require(&self, item: &Item, perm: &str) -> Result<()> {
        if self.unrestricted {
            return Ok(());
        }
        let c = crate::access::Checker::new(self.site, &self.who);
        if !c.allowed(item, crate::security::VIEW, self)? {
            return Err(Error::NotFound(item.path.clone()));
        }
        if !c.allowed(item, perm, self)? {
            return Err(Error::Forbidden(format!(
                "{} does not have the permission `{perm}` on {}",
                self.who.name(),
                item.path
            )));
        }
        Ok(())
    }

    pub(crate) fn fire(&mut self, phase: Phase, event: &Event<'_>) -> Result<()> {
        if self.depth > 8 {
            return Err(Error::NotAllowed(
                "hooks triggered each other more than 8 levels deep".into(),
            ));
        }
        let site = self.site;
        self.depth += 1;
        for (module, s) in site.subscribers.iter().filter(|(_, s)| s.phase == phase) {
            if let Err(veto) = (s.handler)(self, event) {
                self.depth -= 1;
                return Err(Error::Vetoed {
                    module: (*module).to_owned(),
                    message: veto.0,
                });
            }
        }
        self.depth -= 1;
        Ok(())
    }

    fn install_module(&mut self, m: &'static dyn Module) -> Result<()> {
        let man = m.manifest();
        m.install(self)?;
        self.tx.put(
            &self.site.keys().module(man.name),
            man.version.as_bytes().to_vec(),
        );
        self.fire(
            Phase::After,
            &Event::ModuleInstalled {
                module: man.name,
                version: man.version,
            },
        )
    }

    /// The item at `path`, as this write sees it.
    pub fn get(&self, path: &str) -> Result<Option<Item>> {
        let Some(uid) = self.tx.get(&self.site.keys().path(path))? else {
            return Ok(None);
        };
        self.get_by_uid(&String::from_utf8_lossy(&uid))
    }

    /// The item with this uid, as this write sees it.
    pub fn get_by_uid(&self, uid: &str) -> Result<Option<Item>> {
        let key = self.site.keys().item(uid);
        self.tx.get(&key)?.map(|b| decode(&key, &b)).transpose()
    }

    pub(crate) fn must_get(&self, path: &str) -> Result<Item> {
        self.get(path)?
            .ok_or_else(|| Error::NotFound(path.to_owned()))
    }

    fn child_uids(&self, uid: &str) -> Result<Vec<(Vec<u8>, String)>> {
        Ok(self
            .tx
            .scan_prefix(&self.site.keys().children(uid))?
            .into_iter()
            .map(|(k, v)| (k, String::from_utf8_lossy(&v).into_owned()))
            .collect())
    }

    fn type_of(&self, name: &str) -> Result<&'a TypeDef> {
        self.site
            .schema
            .get(name)
            .ok_or_else(|| Error::NotAllowed(format!("unknown content type `{name}`")))
    }

    fn check_refs(&self, ty: &TypeDef, values: &Map<String, Value>) -> Result<()> {
        let mut errors = Vec::new();
        for (name, v) in values {
            let Some(f) = ty.field(name) else { continue };
            match f.kind {
                FieldKind::Reference => {
                    if let Some(uid) = v.as_str() {
                        // An item the writer may not view is as missing.
                        let visible = match self.get_by_uid(uid)? {
                            Some(target) => self.can(&target, crate::security::VIEW)?,
                            None => false,
                        };
                        if !visible {
                            errors.push(FieldError::new(
                                name,
                                "bad_reference",
                                format!("no item has uid {uid}"),
                            ));
                        }
                    }
                }
                FieldKind::File | FieldKind::Image => {
                    if let Some(sha) = v.get("sha256").and_then(Value::as_str) {
                        if !self.site.store.has_blob(sha)? {
                            errors.push(FieldError::new(
                                name,
                                "bad_blob",
                                "the file was not uploaded",
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(errors))
        }
    }

    fn unique_id(&self, parent: &str, wanted: &str) -> Result<String> {
        let mut id = wanted.to_owned();
        let mut n = 1;
        while self
            .tx
            .get(&self.site.keys().path(&join_path(parent, &id)))?
            .is_some()
        {
            id = format!("{wanted}-{n}");
            n += 1;
        }
        Ok(id)
    }

    /// The next free position among a container's children. A counter per
    /// container keeps this O(1); without one (an imported site), the last
    /// child's key says it.
    fn next_position(&mut self, parent_uid: &str) -> Result<u64> {
        let counter = self.site.keys().next_child(parent_uid);
        let next = match self.tx.get(&counter)?.filter(|b| b.len() == 8) {
            Some(b) => read_u64(Some(b)),
            None => match self
                .tx
                .last_with_prefix(&self.site.keys().children(parent_uid))?
            {
                Some((k, _)) => {
                    let k = String::from_utf8_lossy(&k);
                    let hexpos = k.rsplit('/').next().unwrap_or("0");
                    u64::from_str_radix(hexpos, 16).unwrap_or(0) + 1
                }
                None => 0,
            },
        };
        self.tx.put(&counter, (next + 1).to_be_bytes().to_vec());
        Ok(next)
    }

    pub(crate) fn record(
        &mut self,
        item: &Item,
        action: &str,
        changed: Vec<String>,
        note: Option<String>,
    ) {
        let entry = HistoryEntry {
            revision: item.revision,
            action: action.into(),
            actor: self.who.name().to_owned(),
            time: item.modified,
            changed,
            note,
            workflow: None,
        };
        self.tx.put(
            &self.site.keys().history_entry(&item.uid, item.revision),
            encode(&entry),
        );
    }

    pub(crate) fn store_item(&mut self, item: &Item) {
        self.touched.insert(item.uid.clone());
        self.tx.put(&self.site.keys().item(&item.uid), encode(item));
    }

    /// Adds an item of type `type_name` in the container at `parent`, with
    /// an id made from its title.
    pub fn add(&mut self, parent: &str, type_name: &str, data: Map<String, Value>) -> Result<Item> {
        self.add_with(parent, type_name, data, AddOptions::default())
    }

    /// Adds an item with options (a chosen id, a language).
    pub fn add_with(
        &mut self,
        parent: &str,
        type_name: &str,
        data: Map<String, Value>,
        opts: AddOptions,
    ) -> Result<Item> {
        let container = self.must_get(parent)?;
        self.require(&container, &crate::security::add_permission(type_name))?;
        let ty = self.type_of(type_name)?;
        let parent_ty = self.type_of(&container.type_name)?;
        if !self.site.schema.allows(parent_ty, ty) {
            return Err(Error::NotAllowed(format!(
                "a {} cannot be added in {} ({})",
                type_name, container.path, container.type_name
            )));
        }
        let fields = self
            .site
            .schema
            .validate(ty, &data, WriteMode::Add)
            .map_err(Error::Invalid)?;
        self.check_refs(ty, &fields)?;
        if let Some(lang) = &opts.language {
            if !self.site.config.languages.contains(lang) {
                return Err(Error::Invalid(vec![FieldError::new(
                    "language",
                    "bad_language",
                    format!("the site offers {:?}", self.site.config.languages),
                )]));
            }
        }
        let id = match opts.id {
            Some(id) => {
                check_id(&id)?;
                if self.get(&join_path(&container.path, &id))?.is_some() {
                    return Err(Error::Conflict(format!(
                        "{} already holds an item called `{id}`",
                        container.path
                    )));
                }
                id
            }
            None => {
                let title = fields.get("title").and_then(Value::as_str).unwrap_or("");
                self.unique_id(&container.path, &crate::text::slugify(title))?
            }
        };
        let now = Utc::now();
        let item = Item {
            uid: crate::text::new_uid(),
            type_name: type_name.to_owned(),
            path: join_path(&container.path, &id),
            id,
            parent: Some(container.uid.clone()),
            position: self.next_position(&container.uid)?,
            fields,
            created: now,
            modified: now,
            creator: self.who.name().to_owned(),
            review_state: None,
            language: opts.language,
            revision: 1,
            local_roles: Default::default(),
            workflow_roles: Default::default(),
            block_inheritance: false,
        };
        let mut item = item;
        if let Some(w) = self.site.security.workflow_for(type_name) {
            item.review_state = Some(w.initial.clone());
            item.workflow_roles = self.site.security.workflow_roles(&item);
        }
        self.fire(Phase::Before, &Event::ItemAdded(&item))?;
        self.insert(&item);
        self.record(&item, "added", Vec::new(), None);
        self.fire(Phase::After, &Event::ItemAdded(&item))?;
        Ok(item)
    }

    fn insert(&mut self, item: &Item) {
        let keys = self.site.keys();
        self.store_item(item);
        self.tx
            .put(&keys.path(&item.path), item.uid.clone().into_bytes());
        if let Some(parent) = &item.parent {
            self.tx.put(
                &keys.child(parent, item.position),
                item.uid.clone().into_bytes(),
            );
        }
    }

    /// Changes the given fields of the item at `path`. With `revision`, the
    /// write is refused if the item changed since that revision.
    pub fn update(
        &mut self,
        path: &str,
        data: Map<String, Value>,
        revision: Option<u64>,
    ) -> Result<Item> {
        let previous = self.must_get(path)?;
        self.require(&previous, crate::security::MODIFY)?;
        if let Some(r) = revision {
            if r != previous.revision {
                return Err(Error::Conflict(format!(
                    "{path} changed since you loaded it (revision {r}, now {}); reload and try again",
                    previous.revision
                )));
            }
        }
        let ty = self.type_of(&previous.type_name)?;
        let values = self
            .site
            .schema
            .validate(ty, &data, WriteMode::Update)
            .map_err(Error::Invalid)?;
        self.check_refs(ty, &values)?;
        let mut item = previous.clone();
        let mut changed = Vec::new();
        for (k, v) in values {
            if item.fields.get(&k) != Some(&v) {
                changed.push(k.clone());
                if v.is_null() {
                    item.fields.remove(&k);
                } else {
                    item.fields.insert(k, v);
                }
            }
        }
        if changed.is_empty() {
            return Ok(previous);
        }
        let role_fields = self.site.security.role_fields(&item);
        if changed.iter().any(|c| role_fields.contains(c)) {
            item.workflow_roles = self.site.security.workflow_roles(&item);
            self.touch_below(&item.uid)?;
        }
        item.revision += 1;
        item.modified = Utc::now();
        self.fire(
            Phase::Before,
            &Event::ItemModified {
                item: &item,
                previous: &previous,
            },
        )?;
        self.store_item(&item);
        self.record(&item, "modified", changed, None);
        self.fire(
            Phase::After,
            &Event::ItemModified {
                item: &item,
                previous: &previous,
            },
        )?;
        Ok(item)
    }

    /// Moves the item at `path` into the container at `new_parent`, keeping
    /// its id (made unique there). Everything below it follows.
    pub fn move_to(&mut self, path: &str, new_parent: &str) -> Result<Item> {
        let item = self.must_get(path)?;
        self.require(&item, crate::security::DELETE)?;
        // Moving takes everything inside away from where it was: the
        // writer must be one who could delete each of them.
        let mut stack = vec![item.uid.clone()];
        while let Some(uid) = stack.pop() {
            for (_, child_uid) in self.child_uids(&uid)? {
                if let Some(c) = self.get_by_uid(&child_uid)? {
                    if !self.can(&c, crate::security::DELETE)? {
                        return Err(Error::Forbidden(format!(
                            "{path} holds items you may not move"
                        )));
                    }
                    stack.push(c.uid);
                }
            }
        }
        let target = self.must_get(new_parent)?;
        self.require(&target, &crate::security::add_permission(&item.type_name))?;
        self.relocate(item, new_parent, None)
    }

    /// Renames the item at `path` to `new_id` in the same container.
    pub fn rename(&mut self, path: &str, new_id: &str) -> Result<Item> {
        let item = self.must_get(path)?;
        self.require(&item, crate::security::MODIFY)?;
        let parent = item.parent_path().unwrap_or("/").to_owned();
        check_id(new_id)?;
        self.relocate(item, &parent, Some(new_id))
    }

    fn relocate(&mut self, item: Item, new_parent: &str, new_id: Option<&str>) -> Result<Item> {
        if item.parent.is_none() {
            return Err(Error::NotAllowed("the site root cannot be moved".into()));
        }
        if new_parent == item.path || new_parent.starts_with(&format!("{}/", item.path)) {
            return Err(Error::NotAllowed(format!(
                "{} cannot be moved into itself",
                item.path
            )));
        }
        let container = self.must_get(new_parent)?;
        let same_parent = item.parent.as_deref() == Some(container.uid.as_str());
        if !same_parent {
            let ty = self.type_of(&item.type_name)?;
            let cty = self.type_of(&container.type_name)?;
            if !self.site.schema.allows(cty, ty) {
                return Err(Error::NotAllowed(format!(
                    "a {} cannot be placed in {} ({})",
                    item.type_name, container.path, container.type_name
                )));
            }
        }
        let id = match new_id {
            Some(id) if id == item.id && same_parent => return Ok(item),
            Some(id) => {
                if self.get(&join_path(&container.path, id))?.is_some() {
                    return Err(Error::Conflict(format!(
                        "{} already holds an item called `{id}`",
                        container.path
                    )));
                }
                id.to_owned()
            }
            None if same_parent => return Ok(item),
            None => self.unique_id(&container.path, &item.id)?,
        };
        let keys = self.site.keys();
        let from = item.path.clone();
        let mut moved = item.clone();
        moved.id = id;
        moved.path = join_path(&container.path, &moved.id);
        moved.revision += 1;
        moved.modified = Utc::now();
        if !same_parent {
            moved.parent = Some(container.uid.clone());
            moved.position = self.next_position(&container.uid)?;
        }
        self.fire(
            Phase::Before,
            &Event::ItemMoved {
                item: &moved,
                from: &from,
            },
        )?;
        if let Some(old_parent) = &item.parent {
            self.tx.delete(&keys.child(old_parent, item.position));
        }
        self.tx.delete(&keys.path(&from));
        self.insert(&moved);
        self.record(&moved, "moved", Vec::new(), Some(from.clone()));
        // Paths below follow: rewrite every descendant's path and index.
        let mut stack = vec![(moved.uid.clone(), moved.path.clone())];
        while let Some((uid, base)) = stack.pop() {
            for (_, child_uid) in self.child_uids(&uid)? {
                let Some(mut child) = self.get_by_uid(&child_uid)? else {
                    continue;
                };
                self.tx.delete(&keys.path(&child.path));
                child.path = join_path(&base, &child.id);
                self.tx
                    .put(&keys.path(&child.path), child.uid.clone().into_bytes());
                self.store_item(&child);
                stack.push((child.uid.clone(), child.path.clone()));
            }
        }
        self.fire(
            Phase::After,
            &Event::ItemMoved {
                item: &moved,
                from: &from,
            },
        )?;
        Ok(moved)
    }

    /// Copies the item at `path`, and everything in it, into `new_parent`.
    /// The copies get new uids; the top copy's id is made unique there.
    pub fn copy(&mut self, path: &str, new_parent: &str) -> Result<Item> {
        self.copy_as(path, new_parent, None)
    }

    /// Copies like [`Writer::copy`], naming the top copy `id` when given
    /// (refused if taken there).
    pub fn copy_as(&mut self, path: &str, new_parent: &str, id: Option<&str>) -> Result<Item> {
        let source = self.must_get(path)?;
        self.require(&source, crate::security::VIEW)?;
        if source.parent.is_none() {
            return Err(Error::NotAllowed("the site root cannot be copied".into()));
        }
        if new_parent == source.path || new_parent.starts_with(&format!("{}/", source.path)) {
            return Err(Error::NotAllowed(format!(
                "{} cannot be copied into itself",
                source.path
            )));
        }
        let container = self.must_get(new_parent)?;
        self.require(
            &container,
            &crate::security::add_permission(&source.type_name),
        )?;
        let ty = self.type_of(&source.type_name)?;
        let cty = self.type_of(&container.type_name)?;
        if !self.site.schema.allows(cty, ty) {
            return Err(Error::NotAllowed(format!(
                "a {} cannot be placed in {} ({})",
                source.type_name, container.path, container.type_name
            )));
        }
        let id = match id {
            Some(id) => {
                check_id(id)?;
                if self.get(&join_path(&container.path, id))?.is_some() {
                    return Err(Error::Conflict(format!(
                        "{} already holds an item called `{id}`",
                        container.path
                    )));
                }
                id.to_owned()
            }
            None => self.unique_id(&container.path, &source.id)?,
        };
        let top = self.copy_one(&source, &container, id)?;
        let mut stack = vec![(source.uid.clone(), top.clone())];
        while let Some((src_uid, dest)) = stack.pop() {
            for (_, child_uid) in self.child_uids(&src_uid)? {
                let Some(child) = self.get_by_uid(&child_uid)? else {
                    continue;
                };
                // What the writer may not see is not copied (nor revealed).
                if !self.can(&child, crate::security::VIEW)? {
                    continue;
                }
                let copy = self.copy_one(&child, &dest, child.id.clone())?;
                stack.push((child.uid.clone(), copy));
            }
        }
        Ok(top)
    }

    fn copy_one(&mut self, source: &Item, container: &Item, id: String) -> Result<Item> {
        let now = Utc::now();
        let item = Item {
            uid: crate::text::new_uid(),
            path: join_path(&container.path, &id),
            id,
            parent: Some(container.uid.clone()),
            position: self.next_position(&container.uid)?,
            created: now,
            modified: now,
            creator: self.who.name().to_owned(),
            revision: 1,
            // A copy starts its workflow again, with no hand-given roles.
            review_state: self
                .site
                .security
                .workflow_for(&source.type_name)
                .map(|w| w.initial.clone()),
            local_roles: Default::default(),
            workflow_roles: Default::default(),
            ..source.clone()
        };
        let mut item = item;
        item.workflow_roles = self.site.security.workflow_roles(&item);
        self.fire(Phase::Before, &Event::ItemAdded(&item))?;
        self.insert(&item);
        self.record(&item, "copied", Vec::new(), Some(source.path.clone()));
        self.fire(Phase::After, &Event::ItemAdded(&item))?;
        Ok(item)
    }

    /// Deletes the item at `path` and, for a container, everything in it.
    pub fn delete(&mut self, path: &str, revision: Option<u64>) -> Result<()> {
        let item = self.must_get(path)?;
        self.require(&item, crate::security::DELETE)?;
        if item.parent.is_none() {
            return Err(Error::NotAllowed("the site root cannot be deleted".into()));
        }
        if let Some(r) = revision {
            if r != item.revision {
                return Err(Error::Conflict(format!(
                    "{path} changed since you loaded it (revision {r}, now {}); reload and try again",
                    item.revision
                )));
            }
        }
        // Deepest first, so a subscriber sees each container still holding
        // nothing when it goes.
        let mut order = Vec::new();
        let mut stack = vec![item];
        while let Some(it) = stack.pop() {
            for (_, child_uid) in self.child_uids(&it.uid)? {
                if let Some(c) = self.get_by_uid(&child_uid)? {
                    stack.push(c);
                }
            }
            order.push(it);
        }
        order.reverse();
        for it in &order {
            if !self.can(it, crate::security::DELETE)? {
                return Err(Error::Forbidden(format!(
                    "{path} holds items you may not delete"
                )));
            }
        }
        for it in &order {
            self.fire(Phase::Before, &Event::ItemRemoved(it))?;
        }
        let keys = self.site.keys();
        for it in &order {
            self.touched.insert(it.uid.clone());
            self.tx.delete(&keys.item(&it.uid));
            self.tx.delete(&keys.path(&it.path));
            self.tx.delete(&keys.next_child(&it.uid));
            if let Some(p) = &it.parent {
                self.tx.delete(&keys.child(p, it.position));
            }
            for (k, _) in self.tx.scan_prefix(&keys.history(&it.uid))? {
                self.tx.delete(&k);
            }
        }
        for it in &order {
            self.fire(Phase::After, &Event::ItemRemoved(it))?;
        }
        Ok(())
    }

    /// Moves the child `child_id` of the container at `parent` to `index`
    /// among its siblings (0 is first; past the end means last).
    pub fn reorder(&mut self, parent: &str, child_id: &str, index: usize) -> Result<()> {
        let container = self.must_get(parent)?;
        self.require(&container, crate::security::MODIFY)?;
        let entries = self.child_uids(&container.uid)?;
        let mut items = Vec::new();
        for (k, uid) in &entries {
            self.tx.delete(k);
            if let Some(it) = self.get_by_uid(uid)? {
                items.push(it);
            }
        }
        let Some(from) = items.iter().position(|i| i.id == child_id) else {
            return Err(Error::NotFound(join_path(parent, child_id)));
        };
        let moving = items.remove(from);
        let index = index.min(items.len());
        items.insert(index, moving);
        let keys = self.site.keys();
        let count = items.len() as u64;
        self.tx.put(
            &keys.next_child(&container.uid),
            count.to_be_bytes().to_vec(),
        );
        for (pos, mut it) in items.into_iter().enumerate() {
            it.position = pos as u64;
            self.tx.put(
                &keys.child(&container.uid, it.position),
                it.uid.clone().into_bytes(),
            );
            self.store_item(&it);
        }
        Ok(())
    }

    /// The children of the item at `path`, as this write sees them.
    pub fn children(&self, path: &str) -> Result<Vec<Item>> {
        let container = self.must_get(path)?;
        let mut out = Vec::new();
        for (_, uid) in self.child_uids(&container.uid)? {
            if let Some(it) = self.get_by_uid(&uid)? {
                out.push(it);
            }
        }
        Ok(out)
    }

    /// Reads a value a module stored for itself.
    pub fn module_get(&self, module: &str, key: &str) -> Result<Option<Value>> {
        let k = self.site.keys().ext(module, key);
        self.tx.get(&k)?.map(|b| decode(&k, &b)).transpose()
    }

    /// Stores a value for a module, in this write's transaction.
    pub fn module_put(&mut self, module: &str, key: &str, value: &Value) {
        let k = self.site.keys().ext(module, key);
        self.tx.put(&k, encode(value));
    }

    pub(crate) fn raw_put(&mut self, key: &[u8], value: Vec<u8>) {
        self.tx.put(key, value);
    }

    pub(crate) fn raw_delete_prefix(&mut self, prefix: &[u8]) -> Result<usize> {
        let keys = self.tx.scan_prefix(prefix)?;
        for (k, _) in &keys {
            self.tx.delete(k);
        }
        Ok(keys.len())
    }
}
