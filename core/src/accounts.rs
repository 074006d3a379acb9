//! Account and group changes beyond what `users.rs` offers, for the site
//! setup pages and the `@users`/`@groups` API: profiles, deleting accounts
//! and groups, a group's title, description and roles, and which groups may
//! be changed at all.
//!
//! Three kinds of groups exist. The built-in ones (`Administrators`, `Site
//! Administrators`, `Reviewers`) keep their title and roles and cannot be
//! deleted, since the security model counts on them; their members change.
//! A service's function groups (`{service}_{function}`) take their title
//! from the service and hold no global roles (workflows give them local
//! roles); only their members change. Groups made by the town may change
//! in every way.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, FieldError, Result};
use crate::security::{self, Group, BUILTIN_GROUPS, MANAGE_USERS};
use crate::site::{Site, Writer};

const OWNER: &str = "beffroi";

/// What kind of group a group is, which decides what may change in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// One of the groups every site has.
    Builtin,
    /// A service's function group.
    Function,
    /// A group made by the town.
    Local,
}

/// What a group carries besides its members and roles.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInfo {
    /// What the group is for.
    #[serde(default)]
    pub description: String,
    /// An address that reaches the group.
    #[serde(default)]
    pub email: Option<String>,
}

/// A change to a group: `None` leaves a value as it is.
#[derive(Debug, Clone, Default)]
pub struct GroupChange {
    /// A new title.
    pub title: Option<String>,
    /// A new description.
    pub description: Option<String>,
    /// A new address (`Some(None)` removes it).
    pub email: Option<Option<String>>,
    /// New global roles.
    pub roles: Option<Vec<String>>,
}

/// A change to an account's profile: `None` leaves a value as it is.
#[derive(Debug, Clone, Default)]
pub struct ProfileChange {
    /// A new full name.
    pub fullname: Option<String>,
    /// A new address (`Some(None)` removes it).
    pub email: Option<Option<String>>,
}

fn info_key(id: &str) -> String {
    format!("group-info/{id}")
}

/// The kind of the group `g`.
pub fn group_kind(g: &Group) -> GroupKind {
    if g.function.is_some() {
        GroupKind::Function
    } else if BUILTIN_GROUPS.iter().any(|(id, _, _)| *id == g.id) {
        GroupKind::Builtin
    } else {
        GroupKind::Local
    }
}

impl Site {
    /// Every group: the stored ones and every service's function groups,
    /// sorted by id.
    pub fn all_groups(&self) -> Result<Vec<Group>> {
        let mut out = self.groups()?;
        for s in self.services()? {
            for f in self.functions() {
                let id = security::function_group(&s.id, f);
                if !out.iter().any(|g| g.id == id) {
                    if let Some(g) = self.group(&id)? {
                        out.push(g);
                    }
                }
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// A group's description and address.
    pub fn group_info(&self, id: &str) -> Result<GroupInfo> {
        let key = self.keys().ext(OWNER, &info_key(id));
        Ok(match self.store().get(&key)? {
            Some(b) => {
                let v: Value = crate::site::decode(&key, &b)?;
                serde_json::from_value(v).unwrap_or_default()
            }
            None => GroupInfo::default(),
        })
    }
}

fn check_email(field: &str, email: Option<&str>, errors: &mut Vec<FieldError>) {
    if let Some(e) = email {
        if !crate::text::is_email(e) {
            errors.push(FieldError::new(field, "bad_email", "not an e-mail address"));
        }
    }
}

fn check_plain(field: &str, text: &str, max: usize, errors: &mut Vec<FieldError>) {
    if crate::schema::looks_like_html(text) {
        errors.push(FieldError::new(
            field,
            "html_not_allowed",
            "this is plain text",
        ));
    } else if text.chars().count() > max {
        errors.push(FieldError::new(
            field,
            "too_long",
            format!("at most {max} characters"),
        ));
    }
}

impl Writer<'_> {
    /// Changes an account's full name or address: the user themselves, or
    /// a user manager (a Manager's account only by a Manager).
    pub fn set_user_profile(&mut self, login: &str, change: &ProfileChange) -> Result<()> {
        if self.who().login() != Some(login) {
            self.require_site(MANAGE_USERS)?;
            self.protect_managers(login)?;
        }
        let mut user = self.load_user(login)?;
        let mut errors = Vec::new();
        if let Some(f) = &change.fullname {
            check_plain("fullname", f, 200, &mut errors);
        }
        if let Some(e) = &change.email {
            check_email("email", e.as_deref(), &mut errors);
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        if let Some(f) = &change.fullname {
            user.fullname = f.trim().to_owned();
        }
        if let Some(e) = &change.email {
            user.email = e.clone();
        }
        self.put_user(&user);
        Ok(())
    }

    /// Deletes an account: its memberships, sessions and the local roles
    /// granted to it go too. Its login is never given out again: what it
    /// created still names it, and a later account would own it. Nobody
    /// deletes their own account this way.
    pub fn delete_user(&mut self, login: &str) -> Result<()> {
        self.require_site(MANAGE_USERS)?;
        self.load_user(login)?;
        self.protect_managers(login)?;
        if self.who().login() == Some(login) {
            return Err(Error::NotAllowed(
                "you cannot delete your own account; ask another administrator".into(),
            ));
        }
        let prefix = self.site().keys().memberships(login);
        for (k, _) in self.tx.scan_prefix(&prefix)? {
            let group = String::from_utf8_lossy(&k[prefix.len()..]).into_owned();
            if let Some(mut g) = self.load_group(&group)? {
                g.members.remove(login);
                self.tx
                    .put(&self.site().keys().group(&group), crate::site::encode(&g));
            }
            self.tx.delete(&k);
        }
        self.end_sessions(login)?;
        self.forget_local_roles(login)?;
        self.tx.delete(&self.site().keys().user(login));
        // The login stays taken: content and locks still name their
        // creator by login, and a newcomer must not become their Owner.
        let tombstone = deleted_login_key(self.site(), login);
        self.tx.put(&tombstone, b"1".to_vec());
        self.audit("user_deleted", login, "");
        Ok(())
    }

    fn forget_local_roles(&mut self, principal: &str) -> Result<()> {
        for item in self.site().walk()? {
            if item.local_roles.contains_key(principal) {
                if let Some(mut it) = self.get_by_uid(&item.uid)? {
                    it.local_roles.remove(principal);
                    self.store_item(&it);
                }
            }
        }
        Ok(())
    }

    fn changeable_group(&self, id: &str) -> Result<Group> {
        self.load_group(id)?
            .ok_or_else(|| Error::NotFound(format!("group `{id}`")))
    }

    /// Adds a group made by the town, with its description and address.
    pub fn add_group_with(
        &mut self,
        id: &str,
        title: &str,
        roles: &[String],
        info: &GroupInfo,
    ) -> Result<Group> {
        let mut errors = Vec::new();
        check_plain("title", title, 200, &mut errors);
        check_plain("description", &info.description, 2000, &mut errors);
        check_email("email", info.email.as_deref(), &mut errors);
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let g = self.add_group(id, title.trim(), roles)?;
        if *info != GroupInfo::default() {
            let v = serde_json::to_value(info).unwrap_or(Value::Null);
            self.module_put(OWNER, &info_key(id), &v);
        }
        Ok(g)
    }

    /// Changes a group's title, description, address or roles. Built-in
    /// and function groups refuse it (their members change with
    /// [`Writer::set_group_members`]).
    pub fn update_group(&mut self, id: &str, change: &GroupChange) -> Result<Group> {
        self.require_site(MANAGE_USERS)?;
        let mut group = self.changeable_group(id)?;
        match group_kind(&group) {
            GroupKind::Builtin => {
                return Err(Error::NotAllowed(format!(
                    "`{id}` is a built-in group: its title and roles are fixed; only its members change"
                )))
            }
            GroupKind::Function => {
                return Err(Error::NotAllowed(format!(
                    "`{id}` is a service's function group: its title comes from the service and workflows give its roles; only its members change"
                )))
            }
            GroupKind::Local => {}
        }
        if group.roles.contains(security::MANAGER) {
            self.check_grantable(&[security::MANAGER.to_owned()])?;
        }
        let mut errors = Vec::new();
        if let Some(t) = &change.title {
            check_plain("title", t, 200, &mut errors);
        }
        if let Some(d) = &change.description {
            check_plain("description", d, 2000, &mut errors);
        }
        if let Some(e) = &change.email {
            check_email("email", e.as_deref(), &mut errors);
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        if let Some(roles) = &change.roles {
            self.check_grantable(roles)?;
            group.roles = roles.iter().cloned().collect::<BTreeSet<_>>();
            self.audit("group_roles_changed", id, &roles.join(", "));
        }
        if let Some(t) = &change.title {
            group.title = t.trim().to_owned();
        }
        self.tx
            .put(&self.site().keys().group(id), crate::site::encode(&group));
        if change.description.is_some() || change.email.is_some() {
            let mut info: GroupInfo = self
                .module_get(OWNER, &info_key(id))?
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default();
            if let Some(d) = &change.description {
                info.description = d.trim().to_owned();
            }
            if let Some(e) = &change.email {
                info.email = e.clone();
            }
            let v = serde_json::to_value(&info).unwrap_or(Value::Null);
            self.module_put(OWNER, &info_key(id), &v);
        }
        Ok(group)
    }

    /// Deletes a group made by the town, with its memberships and the
    /// local roles granted to it.
    pub fn delete_group(&mut self, id: &str) -> Result<()> {
        self.require_site(MANAGE_USERS)?;
        let group = self.changeable_group(id)?;
        match group_kind(&group) {
            GroupKind::Builtin => {
                return Err(Error::NotAllowed(format!(
                    "`{id}` is a built-in group and cannot be deleted"
                )))
            }
            GroupKind::Function => {
                return Err(Error::NotAllowed(format!(
                    "`{id}` belongs to the service `{}`: it goes when the service goes",
                    group.service.as_deref().unwrap_or_default()
                )))
            }
            GroupKind::Local => {}
        }
        if group.roles.contains(security::MANAGER) {
            self.check_grantable(&[security::MANAGER.to_owned()])?;
        }
        for login in &group.members {
            self.tx.delete(&self.site().keys().member(login, id));
        }
        self.forget_local_roles(id)?;
        self.tx.delete(&self.site().keys().group(id));
        let info = self.site().keys().ext(OWNER, &info_key(id));
        self.tx.delete(&info);
        self.audit("group_deleted", id, "");
        Ok(())
    }
}

/// Where a deleted account's login is remembered.
pub(crate) fn deleted_login_key(site: &crate::Site, login: &str) -> Vec<u8> {
    site.keys().ext("accounts", &format!("deleted/{login}"))
}
