//! The permission check, and [`Reader`]: the site as one principal sees it.
//!
//! Every read the web and API layers make goes through a `Reader`; every
//! write through a [`Writer`](crate::site::Writer) that knows who writes.
//! Both ask the same question (`Checker::allowed` inside): do the roles the
//! principal holds on this item meet the roles this permission needs here?

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::config::SiteConfig;
use crate::error::{Error, Result};
use crate::item::{HistoryEntry, Item};
use crate::module::Module;
use crate::schema::Schema;
use crate::security::{self, LocalRoles, Principal};
use crate::site::Site;
use crate::workflow::{self, Available, Closed, CounterDef, Guard, GuardContext, Workflow};

/// The site's roles, permissions, workflows, guards, functions and counters,
/// resolved and checked when the site opens.
#[derive(Debug)]
pub(crate) struct SecurityModel {
    pub(crate) workflows: BTreeMap<String, Workflow>,
    /// Type name → workflow name.
    pub(crate) chain: BTreeMap<String, String>,
    pub(crate) guards: BTreeMap<&'static str, Guard>,
    pub(crate) role_map: BTreeMap<String, BTreeSet<String>>,
    pub(crate) roles: BTreeSet<String>,
    pub(crate) permissions: BTreeSet<String>,
    pub(crate) functions: BTreeSet<String>,
    /// Counter name → (format, yearly).
    pub(crate) counters: BTreeMap<String, (String, bool)>,
}

impl SecurityModel {
    pub(crate) fn build(
        config: &SiteConfig,
        schema: &Schema,
        modules: &[&'static dyn Module],
    ) -> Result<Self> {
        let mut roles: BTreeSet<String> = security::CORE_ROLES
            .iter()
            .map(|r| (*r).to_owned())
            .collect();
        let mut permissions: BTreeSet<String> = security::CORE_PERMISSIONS
            .iter()
            .map(|p| (*p).to_owned())
            .collect();
        let mut role_map = security::default_role_map();
        let mut functions = BTreeSet::new();
        let mut guards = BTreeMap::new();
        let mut counters = BTreeMap::new();
        let mut declared: BTreeMap<String, Workflow> = BTreeMap::new();
        for m in modules {
            let man = m.manifest();
            roles.extend(man.roles.iter().map(|r| (*r).to_owned()));
            functions.extend(man.functions.iter().map(|f| (*f).to_owned()));
            for g in m.guards() {
                if guards.insert(g.name, g).is_some() {
                    return Err(Error::Config {
                        file: format!("{}/guards", man.name),
                        message: format!("guard `{}` is registered twice", g.name),
                    });
                }
            }
            for CounterDef {
                name,
                format,
                yearly,
            } in man.counters
            {
                workflow::check_format(format).map_err(|e| Error::Config {
                    file: format!("{}/counters", man.name),
                    message: format!("counter `{name}`: {e}"),
                })?;
                counters.insert((*name).to_owned(), ((*format).to_owned(), *yearly));
            }
        }
        for m in modules {
            let man = m.manifest();
            for (perm, holders) in man.permissions {
                permissions.insert((*perm).to_owned());
                for r in *holders {
                    if !roles.contains(*r) {
                        return Err(Error::Config {
                            file: format!("{}/permissions", man.name),
                            message: format!("permission `{perm}`: unknown role `{r}`"),
                        });
                    }
                }
                role_map.insert(
                    (*perm).to_owned(),
                    holders.iter().map(|r| (*r).to_owned()).collect(),
                );
            }
            for (file, text) in man.workflows {
                let w = workflow::parse(man.name, file, text)?;
                workflow::check_adaptation_names(&w)?;
                if let Some(old) = declared.get(&w.name) {
                    return Err(Error::Config {
                        file: w.source.clone(),
                        message: format!(
                            "workflow `{}` is already declared in {}",
                            w.name, old.source
                        ),
                    });
                }
                declared.insert(w.name.clone(), w);
            }
        }
        for (name, setting) in &config.counters {
            let Some(c) = counters.get_mut(name) else {
                return Err(Error::Config {
                    file: "site.toml".into(),
                    message: format!("counters.{name}: no module declares this counter"),
                });
            };
            if let Some(f) = &setting.format {
                c.0 = f.clone();
            }
            if let Some(y) = setting.yearly {
                c.1 = y;
            }
        }
        let mut chain = BTreeMap::new();
        for t in schema.types() {
            if let Some(w) = &t.workflow {
                chain.insert(t.name.clone(), w.clone());
            }
        }
        for (type_name, wf) in &config.workflows.chain {
            if schema.get(type_name).is_none() {
                return Err(Error::Config {
                    file: "site.toml".into(),
                    message: format!("workflows.chain: unknown type `{type_name}`"),
                });
            }
            chain.insert(type_name.clone(), wf.clone());
        }
        for (type_name, wf) in &chain {
            if !declared.contains_key(wf) {
                return Err(Error::Config {
                    file: schema
                        .get(type_name)
                        .map(|t| t.source.clone())
                        .unwrap_or_else(|| "site.toml".into()),
                    message: format!("type `{type_name}`: unknown workflow `{wf}`"),
                });
            }
        }
        for name in config.workflows.adaptations.keys() {
            if !declared.contains_key(name) {
                return Err(Error::Config {
                    file: "site.toml".into(),
                    message: format!("workflows.adaptations: unknown workflow `{name}`"),
                });
            }
        }
        let guard_names: BTreeSet<String> = guards.keys().map(|g| (*g).to_owned()).collect();
        let mut workflows = BTreeMap::new();
        for (name, w) in declared {
            let on = config
                .workflows
                .adaptations
                .get(&name)
                .cloned()
                .unwrap_or_default();
            let adapted = w.adapted(&on)?;
            workflow::check(
                &adapted,
                &workflow::CheckContext {
                    roles: &roles,
                    permissions: &permissions,
                    guards: &guard_names,
                    functions: &functions,
                    schema,
                    chain: &chain,
                },
            )?;
            workflows.insert(name, adapted);
        }
        Ok(Self {
            workflows,
            chain,
            guards,
            role_map,
            roles,
            permissions,
            functions,
            counters,
        })
    }

    /// The workflow items of `type_name` follow.
    pub(crate) fn workflow_for(&self, type_name: &str) -> Option<&Workflow> {
        self.chain
            .get(type_name)
            .and_then(|w| self.workflows.get(w))
    }

    /// The local roles a state grants on `item`.
    pub(crate) fn workflow_roles(&self, item: &Item) -> LocalRoles {
        let mut out = LocalRoles::new();
        let Some(state) = self
            .workflow_for(&item.type_name)
            .zip(item.review_state.as_deref())
            .and_then(|(w, s)| w.state(s))
        else {
            return out;
        };
        for rule in &state.local_roles {
            let mut who: Vec<String> = Vec::new();
            if let Some(g) = &rule.group {
                who.push(g.clone());
            }
            if let (Some(s), Some(f)) = (&rule.service, &rule.function) {
                who.push(security::function_group(s, f));
            }
            if let (Some(field), Some(f)) = (&rule.field, &rule.function) {
                match item.field(field) {
                    Some(serde_json::Value::String(s)) if !s.is_empty() => {
                        who.push(security::function_group(s, f));
                    }
                    Some(serde_json::Value::Array(a)) => {
                        for s in a.iter().filter_map(serde_json::Value::as_str) {
                            who.push(security::function_group(s, f));
                        }
                    }
                    _ => {}
                }
            }
            for w in who {
                out.entry(w).or_default().extend(rule.roles.iter().cloned());
            }
        }
        out
    }

    /// The fields whose values choose local roles in `item`'s current state.
    pub(crate) fn role_fields(&self, item: &Item) -> Vec<String> {
        self.workflow_for(&item.type_name)
            .zip(item.review_state.as_deref())
            .and_then(|(w, s)| w.state(s))
            .map(|s| {
                s.local_roles
                    .iter()
                    .filter_map(|r| r.field.clone())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Something that reads items by uid: the committed site, or a write in
/// progress that sees its own changes.
pub(crate) trait Lookup {
    fn by_uid(&self, uid: &str) -> Result<Option<Item>>;
}

impl Lookup for Site {
    fn by_uid(&self, uid: &str) -> Result<Option<Item>> {
        self.get_by_uid(uid)
    }
}

/// Computes roles and permissions for one principal, remembering what it
/// learned about containers so a listing walks each ancestor once.
pub(crate) struct Checker<'a> {
    site: &'a Site,
    who: &'a Principal,
    /// uid → roles inherited from that item and above (local roles, Owner).
    inherited: RefCell<HashMap<String, BTreeSet<String>>>,
    /// (uid, permission) → roles that hold it there.
    needed: RefCell<HashMap<(String, String), BTreeSet<String>>>,
}

impl<'a> Checker<'a> {
    pub(crate) fn new(site: &'a Site, who: &'a Principal) -> Self {
        Self {
            site,
            who,
            inherited: RefCell::default(),
            needed: RefCell::default(),
        }
    }

    /// Roles granted on this very item to the principal, from sharing, the
    /// workflow, and ownership.
    fn own_local(&self, item: &Item) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for grants in [&item.local_roles, &item.workflow_roles] {
            for (principal, roles) in grants {
                if self.who.matches(principal) {
                    out.extend(roles.iter().cloned());
                }
            }
        }
        if self.who.is_authenticated() && self.who.login() == Some(item.creator.as_str()) {
            out.insert(security::OWNER.to_owned());
        }
        out
    }

    fn inherited_from(&self, item: &Item, look: &dyn Lookup) -> Result<BTreeSet<String>> {
        if let Some(r) = self.inherited.borrow().get(&item.uid) {
            return Ok(r.clone());
        }
        let mut roles = self.own_local(item);
        if !item.block_inheritance {
            if let Some(Some(parent)) =
                item.parent.as_deref().map(|p| look.by_uid(p)).transpose()?
            {
                roles.extend(self.inherited_from(&parent, look)?);
            }
        }
        self.inherited
            .borrow_mut()
            .insert(item.uid.clone(), roles.clone());
        Ok(roles)
    }

    /// Every role the principal holds on `item`.
    pub(crate) fn roles_on(&self, item: &Item, look: &dyn Lookup) -> Result<BTreeSet<String>> {
        let mut roles = self.who.global_roles();
        // Local roles name users, groups or AuthenticatedUsers, never
        // anonymous visitors: for them there is nothing to walk.
        if self.who.is_authenticated() {
            roles.extend(self.inherited_from(item, look)?);
        }
        Ok(roles)
    }

    /// The roles that hold `perm` on `item`.
    pub(crate) fn needed(
        &self,
        item: &Item,
        perm: &str,
        look: &dyn Lookup,
    ) -> Result<BTreeSet<String>> {
        let key = (item.uid.clone(), perm.to_owned());
        if let Some(r) = self.needed.borrow().get(&key) {
            return Ok(r.clone());
        }
        let model = &self.site.security;
        let state = model
            .workflow_for(&item.type_name)
            .zip(item.review_state.as_deref())
            .map(|(w, s)| w.state(s));
        if let Some(None) = state {
            // A state the workflow no longer has (the site changed its
            // workflow or switched an adaptation off): only Managers, until
            // someone moves the item on.
            let roles = BTreeSet::from([security::MANAGER.to_owned()]);
            self.needed.borrow_mut().insert(key, roles.clone());
            return Ok(roles);
        }
        let from_state = state
            .flatten()
            .and_then(|s| s.permissions.get(perm))
            .cloned();
        let roles = match from_state {
            Some(r) => r,
            None => match item.parent.as_deref().map(|p| look.by_uid(p)).transpose()? {
                Some(Some(parent)) => self.needed(&parent, perm, look)?,
                _ => model
                    .role_map
                    .get(perm)
                    .or_else(|| {
                        perm.starts_with("Add ")
                            .then(|| model.role_map.get("Add"))
                            .flatten()
                    })
                    .cloned()
                    .unwrap_or_default(),
            },
        };
        self.needed.borrow_mut().insert(key, roles.clone());
        Ok(roles)
    }

    /// Whether the principal holds `perm` on `item`.
    pub(crate) fn allowed(&self, item: &Item, perm: &str, look: &dyn Lookup) -> Result<bool> {
        if self.who.is_system() {
            return Ok(true);
        }
        let roles = self.roles_on(item, look)?;
        if roles.contains(security::MANAGER) {
            return Ok(true);
        }
        let needed = self.needed(item, perm, look)?;
        if !needed.iter().any(|r| roles.contains(r)) {
            return Ok(false);
        }
        if perm == security::VIEW && !crate::item::active_at(item, chrono::Utc::now().timestamp()) {
            // Outside its publication dates: only for those who may see
            // inactive content there.
            let inactive = self.needed(item, security::ACCESS_INACTIVE, look)?;
            return Ok(inactive.iter().any(|r| roles.contains(r)));
        }
        Ok(true)
    }

    /// Whether the principal may fire `t` on `item` by permission or role
    /// (guards aside).
    pub(crate) fn may_fire(
        &self,
        item: &Item,
        t: &workflow::Transition,
        look: &dyn Lookup,
    ) -> Result<bool> {
        if self.who.is_system() {
            return Ok(true);
        }
        if let Some(p) = &t.permission {
            if self.allowed(item, p, look)? {
                return Ok(true);
            }
        }
        if !t.roles.is_empty() {
            let roles = self.roles_on(item, look)?;
            if roles.contains(security::MANAGER) || t.roles.iter().any(|r| roles.contains(r)) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The transitions leaving `item`'s state, each open or with the reason
    /// it is closed to this principal.
    pub(crate) fn transitions(&self, item: &Item, look: &dyn Lookup) -> Result<Vec<Available>> {
        let Some(w) = self.site.security.workflow_for(&item.type_name) else {
            return Ok(Vec::new());
        };
        let Some(state) = item.review_state.as_deref() else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for t in w.leaving(state) {
            let closed = if !self.may_fire(item, t, look)? {
                Some(Closed::new("transition-not-permitted"))
            } else {
                self.guard(item, t).err()
            };
            out.push(Available {
                id: t.id.clone(),
                to: t.to.clone(),
                comment_required: t.comment_required,
                closed,
            });
        }
        Ok(out)
    }

    pub(crate) fn guard(
        &self,
        item: &Item,
        t: &workflow::Transition,
    ) -> std::result::Result<(), Closed> {
        let Some(name) = &t.guard else {
            return Ok(());
        };
        match self.site.security.guards.get(name.as_str()) {
            Some(g) => (g.check)(&GuardContext {
                site: self.site,
                item,
                who: self.who,
                transition: &t.id,
            }),
            None => Err(Closed::new("transition-not-permitted")),
        }
    }
}

impl Site {
    /// Tokens naming who may view `item`, for an index that must filter by
    /// View without asking the check for each result: `role:R` for each
    /// role holding View there, `p:ID` for each user or group given such a
    /// role by a local grant (on the item or a container above it, up to a
    /// block), and `p:CREATOR` for the creators along that chain when
    /// Owner holds View. An item matches a principal when one of
    /// [`Principal::view_tokens`] is here: exactly when the check allows it.
    pub fn view_tokens(&self, item: &Item) -> Result<Vec<String>> {
        let nobody = Principal::anonymous();
        let needed = Checker::new(self, &nobody).needed(item, security::VIEW, self)?;
        let mut tokens: BTreeSet<String> = needed.iter().map(|r| format!("role:{r}")).collect();
        let owner_views = needed.contains(security::OWNER);
        let mut cur = Some(item.clone());
        while let Some(node) = cur {
            for grants in [&node.local_roles, &node.workflow_roles] {
                for (principal, roles) in grants {
                    // Manager holds every permission, wherever granted.
                    if roles
                        .iter()
                        .any(|r| needed.contains(r) || r == security::MANAGER)
                    {
                        tokens.insert(format!("p:{principal}"));
                    }
                }
            }
            if owner_views {
                tokens.insert(format!("p:{}", node.creator));
            }
            if node.block_inheritance {
                break;
            }
            cur = match node.parent.as_deref() {
                Some(p) => self.get_by_uid(p)?,
                None => None,
            };
        }
        Ok(tokens.into_iter().collect())
    }
}

impl Principal {
    /// What this principal matches in [`Site::view_tokens`]; `None` for
    /// the system and Managers, who see everything.
    pub fn view_tokens(&self) -> Option<Vec<String>> {
        let roles = self.global_roles();
        if self.is_system() || roles.contains(security::MANAGER) {
            return None;
        }
        let mut out: Vec<String> = roles.iter().map(|r| format!("role:{r}")).collect();
        if let Some(login) = self.login() {
            out.push(format!("p:{login}"));
            out.push(format!("p:{}", security::AUTHENTICATED_USERS));
            out.extend(self.groups().iter().map(|g| format!("p:{g}")));
        }
        Some(out)
    }
}

/// The site as one principal sees it: items they may not view do not exist.
pub struct Reader<'a> {
    site: &'a Site,
    checker: Checker<'a>,
}

impl std::fmt::Debug for Reader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("site", &self.site.id())
            .field("who", &self.checker.who.name())
            .finish()
    }
}

impl<'a> Reader<'a> {
    pub(crate) fn new(site: &'a Site, who: &'a Principal) -> Self {
        Self {
            site,
            checker: Checker::new(site, who),
        }
    }

    /// The site.
    pub fn site(&self) -> &'a Site {
        self.site
    }

    /// Who is reading.
    pub fn who(&self) -> &Principal {
        self.checker.who
    }

    fn visible(&self, item: Option<Item>) -> Result<Option<Item>> {
        match item {
            Some(i) if self.checker.allowed(&i, security::VIEW, self.site)? => Ok(Some(i)),
            _ => Ok(None),
        }
    }

    /// The item at `path`, if it exists and the principal may view it.
    pub fn get(&self, path: &str) -> Result<Option<Item>> {
        self.visible(self.site.get(path)?)
    }

    /// The item with this uid, if it exists and the principal may view it.
    pub fn get_by_uid(&self, uid: &str) -> Result<Option<Item>> {
        self.visible(self.site.get_by_uid(uid)?)
    }

    /// The item at `path`, or `NotFound` (also when it may not be viewed).
    pub fn must_get(&self, path: &str) -> Result<Item> {
        self.get(path)?
            .ok_or_else(|| Error::NotFound(path.to_owned()))
    }

    /// Whether the principal holds `perm` on `item`.
    pub fn can(&self, item: &Item, perm: &str) -> Result<bool> {
        self.checker.allowed(item, perm, self.site)
    }

    /// Every role the principal holds on `item`.
    pub fn roles_on(&self, item: &Item) -> Result<BTreeSet<String>> {
        self.checker.roles_on(item, self.site)
    }

    /// A batch of the viewable children of `path`, with their count.
    pub fn children_page(
        &self,
        path: &str,
        start: usize,
        size: usize,
    ) -> Result<(Vec<Item>, usize)> {
        let parent = self.must_get(path)?;
        let mut total = 0;
        let mut out = Vec::new();
        for child in self.site.children_of(&parent)? {
            if self.checker.allowed(&child, security::VIEW, self.site)? {
                if total >= start && out.len() < size {
                    out.push(child);
                }
                total += 1;
            }
        }
        Ok((out, total))
    }

    /// The viewable children of `path`.
    pub fn children(&self, path: &str) -> Result<Vec<Item>> {
        Ok(self.children_page(path, 0, usize::MAX)?.0)
    }

    /// The history of the item at `path`, for those who may see it.
    pub fn history(&self, path: &str) -> Result<Vec<HistoryEntry>> {
        let item = self.must_get(path)?;
        if !self.can(&item, security::VIEW_HISTORY)? {
            return Err(Error::Forbidden(format!("the history of {path}")));
        }
        self.site.history(path)
    }

    /// Every viewable item below the root, containers first. A container
    /// that may not be viewed hides what it holds.
    pub fn walk(&self) -> Result<Vec<Item>> {
        let mut out = Vec::new();
        let Some(root) = self.get("/")? else {
            return Ok(out);
        };
        let mut stack = vec![root];
        while let Some(item) = stack.pop() {
            let children = self.site.children_of(&item)?;
            out.push(item);
            for c in children.into_iter().rev() {
                if self.checker.allowed(&c, security::VIEW, self.site)? {
                    stack.push(c);
                }
            }
        }
        Ok(out)
    }

    /// The transitions of `item`'s workflow leaving its state, each open to
    /// this principal or with the reason it is closed.
    pub fn transitions(&self, item: &Item) -> Result<Vec<Available>> {
        self.checker.transitions(item, self.site)
    }
}
