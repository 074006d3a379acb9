//! Who may do what: roles, permissions, principals, and the one check every
//! read and write goes through.
//!
//! A permission is granted to roles. Which roles hold on an item is the
//! principal's global roles (its own and its groups'), `Anonymous` always,
//! `Authenticated` once logged in, `Owner` for the item's creator, and the
//! local roles granted on the item and its containers (inherited downwards
//! until a container blocks inheritance), workflow-computed ones included.
//! Which roles a permission needs on an item comes from its workflow state;
//! a permission the state does not map, and items without a workflow, take
//! it from the container, and at the root from the site's role map.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// The roles the core knows. Modules may declare more.
pub const CORE_ROLES: &[&str] = &[
    ANONYMOUS,
    AUTHENTICATED,
    OWNER,
    "Reader",
    "Contributor",
    "Editor",
    "Reviewer",
    SITE_ADMINISTRATOR,
    MANAGER,
];

/// Every visitor has this role.
pub const ANONYMOUS: &str = "Anonymous";
/// Every logged-in user has this role.
pub const AUTHENTICATED: &str = "Authenticated";
/// The creator of an item has this role on it.
pub const OWNER: &str = "Owner";
/// Runs the site: users, groups, settings, everything in the content.
pub const SITE_ADMINISTRATOR: &str = "Site Administrator";
/// Holds every permission everywhere.
pub const MANAGER: &str = "Manager";

/// See an item at all. Without it the item does not exist for the user.
pub const VIEW: &str = "View";
/// Change an item's fields.
pub const MODIFY: &str = "Modify";
/// Delete an item.
pub const DELETE: &str = "Delete";
/// Publish, reject: the reviewer's transitions.
pub const REVIEW: &str = "Review";
/// Submit for review, retract.
pub const REQUEST_REVIEW: &str = "Request review";
/// Grant local roles on an item (only roles one holds there oneself).
pub const SHARE: &str = "Share";
/// Read an item's history (who changed what, workflow comments).
pub const VIEW_HISTORY: &str = "View history";
/// Site settings, modules, upgrades, the audit log, exports.
pub const MANAGE_SITE: &str = "Manage site";
/// Users, groups, services and global roles.
pub const MANAGE_USERS: &str = "Manage users";
/// See items outside their publication dates (before `effective`, after
/// `expires`): Plone's "Access inactive portal content". Without it such
/// items do not exist for the user, in pages, listings, search and feeds.
pub const ACCESS_INACTIVE: &str = "Access inactive portal content";

/// The permissions the core knows, besides one `Add <type>` per content type.
pub const CORE_PERMISSIONS: &[&str] = &[
    VIEW,
    MODIFY,
    DELETE,
    REVIEW,
    REQUEST_REVIEW,
    SHARE,
    VIEW_HISTORY,
    MANAGE_SITE,
    MANAGE_USERS,
    ACCESS_INACTIVE,
];

/// The permission to add items of `type_name` in a container.
pub fn add_permission(type_name: &str) -> String {
    format!("Add {type_name}")
}

/// The roles that hold each permission where no workflow state says
/// otherwise (the site root, types without a workflow, permissions a state
/// does not map). Modules add their own permissions' defaults.
pub fn default_role_map() -> BTreeMap<String, BTreeSet<String>> {
    let set = |roles: &[&str]| roles.iter().map(|r| (*r).to_owned()).collect();
    let admins: &[&str] = &[MANAGER, SITE_ADMINISTRATOR];
    let with = |extra: &[&str]| {
        let mut v: Vec<&str> = admins.to_vec();
        v.extend_from_slice(extra);
        set(&v)
    };
    BTreeMap::from([
        (VIEW.to_owned(), set(&[ANONYMOUS])),
        (MODIFY.to_owned(), with(&[OWNER, "Editor"])),
        (DELETE.to_owned(), with(&[OWNER, "Editor"])),
        (REVIEW.to_owned(), with(&["Reviewer"])),
        (
            REQUEST_REVIEW.to_owned(),
            with(&[OWNER, "Editor", "Contributor"]),
        ),
        (SHARE.to_owned(), with(&[OWNER, "Editor"])),
        (
            VIEW_HISTORY.to_owned(),
            with(&[OWNER, "Editor", "Reviewer", "Reader", "Contributor"]),
        ),
        (MANAGE_SITE.to_owned(), with(&[])),
        (MANAGE_USERS.to_owned(), with(&[])),
        (
            ACCESS_INACTIVE.to_owned(),
            with(&[OWNER, "Editor", "Reviewer", "Contributor"]),
        ),
        // Every `Add <type>` not mapped otherwise.
        ("Add".to_owned(), with(&[OWNER, "Contributor"])),
    ])
}

/// Someone acting on a site: a visitor, a user with their groups, or the
/// system itself (installs, upgrades, command-line tools), which may do
/// everything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    login: Option<String>,
    system: bool,
    /// Site-wide roles, the user's own and their groups'.
    roles: BTreeSet<String>,
    /// The groups the user belongs to.
    groups: BTreeSet<String>,
    fullname: String,
    language: Option<String>,
}

impl Principal {
    /// A visitor who has not logged in.
    pub fn anonymous() -> Self {
        Self {
            login: None,
            system: false,
            roles: BTreeSet::new(),
            groups: BTreeSet::new(),
            fullname: String::new(),
            language: None,
        }
    }

    /// The system, recorded in history as `name`: may do everything.
    pub fn system(name: &str) -> Self {
        Self {
            login: Some(name.to_owned()),
            system: true,
            roles: BTreeSet::from([MANAGER.to_owned()]),
            groups: BTreeSet::new(),
            fullname: name.to_owned(),
            language: None,
        }
    }

    /// A logged-in user with their global roles and groups.
    pub fn user(
        login: &str,
        fullname: &str,
        language: Option<String>,
        roles: impl IntoIterator<Item = String>,
        groups: impl IntoIterator<Item = String>,
    ) -> Self {
        Self {
            login: Some(login.to_owned()),
            system: false,
            roles: roles.into_iter().collect(),
            groups: groups.into_iter().collect(),
            fullname: fullname.to_owned(),
            language,
        }
    }

    /// The login; `None` for an anonymous visitor.
    pub fn login(&self) -> Option<&str> {
        self.login.as_deref()
    }

    /// The name recorded in history: the login, or `Anonymous User`.
    pub fn name(&self) -> &str {
        self.login.as_deref().unwrap_or("Anonymous User")
    }

    /// The name shown to people.
    pub fn fullname(&self) -> &str {
        if self.fullname.is_empty() {
            self.name()
        } else {
            &self.fullname
        }
    }

    /// The user's preferred language, if they chose one.
    pub fn language(&self) -> Option<&str> {
        self.language.as_deref()
    }

    /// Whether this is the system.
    pub fn is_system(&self) -> bool {
        self.system
    }

    /// Whether the visitor has logged in.
    pub fn is_authenticated(&self) -> bool {
        self.login.is_some()
    }

    /// The groups the user is in.
    pub fn groups(&self) -> &BTreeSet<String> {
        &self.groups
    }

    /// The roles the principal holds everywhere: its global roles, plus
    /// `Anonymous`, plus `Authenticated` once logged in.
    pub fn global_roles(&self) -> BTreeSet<String> {
        let mut r = self.roles.clone();
        r.insert(ANONYMOUS.to_owned());
        if self.is_authenticated() {
            r.insert(AUTHENTICATED.to_owned());
        }
        r
    }

    /// Whether a local-role grant to `principal_id` (a login or a group id)
    /// applies to this principal.
    pub fn matches(&self, principal_id: &str) -> bool {
        self.login.as_deref() == Some(principal_id)
            || self.groups.contains(principal_id)
            || (principal_id == AUTHENTICATED_USERS && self.is_authenticated())
    }
}

/// The group every logged-in user is in, for local roles.
pub const AUTHENTICATED_USERS: &str = "AuthenticatedUsers";

/// Local roles: principal id (login or group id) → roles.
pub type LocalRoles = BTreeMap<String, BTreeSet<String>>;

/// A group of users: holds global roles, receives local roles, and for a
/// service's function is the unit workflows name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// Its id: `{service}_{function}` for a service's function.
    pub id: String,
    /// Its name for people.
    pub title: String,
    /// Site-wide roles its members hold.
    #[serde(default)]
    pub roles: BTreeSet<String>,
    /// Its members' logins.
    #[serde(default)]
    pub members: BTreeSet<String>,
    /// The service it belongs to, for a function group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The function it stands for, for a function group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
}

/// One of the town's services (Population, Secrétariat, Travaux…), possibly
/// inside another. Each service × function declared by modules is a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    /// Its id: lower-case letters, digits and `-`.
    pub id: String,
    /// Its name.
    pub title: String,
    /// The service it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// The group id of a service's function.
pub fn function_group(service: &str, function: &str) -> String {
    format!("{service}_{function}")
}

/// The built-in groups every site has, with their global roles.
pub const BUILTIN_GROUPS: &[(&str, &str, &str)] = &[
    ("Administrators", "Administrators", MANAGER),
    (
        "Site Administrators",
        "Site Administrators",
        SITE_ADMINISTRATOR,
    ),
    ("Reviewers", "Reviewers", "Reviewer"),
];
