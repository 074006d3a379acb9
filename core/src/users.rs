//! Accounts, groups and the town's services: stored per site, managed
//! through a [`Writer`] by those holding `Manage users`, and turned into a
//! [`Principal`] when someone logs in.

use std::collections::BTreeSet;

use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Argon2, PasswordHash, PasswordVerifier};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::error::{Error, FieldError, Result};
use crate::security::{self, Group, Principal, Service, MANAGER};
use crate::site::{decode, encode, Site, Writer};

/// A stored account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// The login name.
    pub login: String,
    /// The full name shown to others.
    pub fullname: String,
    /// Contact address.
    #[serde(default)]
    pub email: Option<String>,
    /// The argon2 hash of the password (PHC string).
    pub password_hash: String,
    /// Site-wide roles (`Manager`…).
    #[serde(default)]
    pub roles: Vec<String>,
    /// The language pages are shown in for this user, if chosen.
    #[serde(default)]
    pub language: Option<String>,
    /// A disabled account cannot log in, and its sessions stop working.
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

impl User {
    /// Makes an account with the password hashed.
    pub fn new(login: &str, fullname: &str, password: &str, roles: &[&str]) -> Self {
        Self {
            login: login.to_owned(),
            fullname: fullname.to_owned(),
            email: None,
            password_hash: hash_password(password),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            language: None,
            enabled: true,
        }
    }

    /// Whether `password` is this account's password.
    pub fn check_password(&self, password: &str) -> bool {
        PasswordHash::new(&self.password_hash).is_ok_and(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
    }

    /// Replaces the password.
    pub fn set_password(&mut self, password: &str) {
        self.password_hash = hash_password(password);
    }
}

fn hash_password(password: &str) -> String {
    let bytes: [u8; 16] = rand::rng().random();
    let Ok(salt) = SaltString::encode_b64(&bytes) else {
        return String::new();
    };
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        // Hashing with a fresh salt and default parameters does not fail;
        // an empty hash would refuse every password, which is the safe side.
        .unwrap_or_default()
}

/// A random password of 20 letters and digits, for a first admin account.
pub fn generate_password() -> String {
    const CHARS: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
        .collect()
}

/// The shortest password accepted.
pub const MIN_PASSWORD_LENGTH: usize = 10;

/// Checks a password's strength: at least 10 characters, from at least
/// three of lower case, upper case, digits and others (or 16 characters of
/// any kind), not containing the login, not one character repeated.
pub fn check_password_strength(login: &str, password: &str) -> std::result::Result<(), FieldError> {
    let weak = |m: &str| Err(FieldError::new("password", "weak_password", m));
    let len = password.chars().count();
    if len < MIN_PASSWORD_LENGTH {
        return weak("a password has at least 10 characters");
    }
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    if classes < 3 && len < 16 {
        return weak(
            "mix lower case, upper case, digits and signs (three kinds), or use 16 characters",
        );
    }
    if !login.is_empty() && password.to_lowercase().contains(&login.to_lowercase()) {
        return weak("a password does not contain the login");
    }
    let mut chars = password.chars();
    if let Some(first) = chars.next() {
        if chars.all(|c| c == first) {
            return weak("a password is not one character repeated");
        }
    }
    Ok(())
}

fn check_login(login: &str) -> Result<()> {
    let ok = !login.is_empty()
        && login.len() <= 64
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(vec![FieldError::new(
            "login",
            "bad_login",
            "a login is 1 to 64 letters, digits, `.`, `-`, `_` or `@`",
        )]))
    }
}

fn check_group_id(id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 100
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ' '));
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(vec![FieldError::new(
            "id",
            "bad_id",
            "a group id is letters, digits, `-`, `_` and spaces",
        )]))
    }
}

/// Reads one raw key: from the committed store, or through a write.
type RawGet<'a> = dyn Fn(&[u8]) -> Result<Option<Vec<u8>>> + 'a;

/// A stored group, or the function group `{service}_{function}` of an
/// existing service, read through `get` (the committed store, or a write's
/// transaction).
fn find_group(site: &Site, id: &str, get: &RawGet<'_>) -> Result<Option<Group>> {
    let key = site.keys().group(id);
    if let Some(b) = get(&key)? {
        return Ok(Some(decode(&key, &b)?));
    }
    for f in site.functions() {
        let Some(service) = id.strip_suffix(&format!("_{f}")) else {
            continue;
        };
        let skey = site.keys().service(service);
        if let Some(b) = get(&skey)? {
            let s: Service = decode(&skey, &b)?;
            return Ok(Some(Group {
                id: id.to_owned(),
                title: format!("{} ({f})", s.title),
                roles: BTreeSet::new(),
                members: BTreeSet::new(),
                service: Some(s.id),
                function: Some(f.clone()),
            }));
        }
    }
    Ok(None)
}

impl Site {
    /// The account called `login`.
    pub fn user(&self, login: &str) -> Result<Option<User>> {
        let key = self.keys().user(login);
        self.store()
            .get(&key)?
            .map(|b| decode(&key, &b))
            .transpose()
    }

    /// The site's accounts.
    pub fn users(&self) -> Result<Vec<User>> {
        self.store()
            .scan_prefix(&self.keys().users())?
            .iter()
            .map(|(k, v)| decode(k, v))
            .collect()
    }

    /// The group called `id`: a stored one, or a service's function group.
    pub fn group(&self, id: &str) -> Result<Option<Group>> {
        find_group(self, id, &|k| Ok(self.store().get(k)?))
    }

    /// Every stored group (function groups appear once they have members).
    pub fn groups(&self) -> Result<Vec<Group>> {
        self.store()
            .scan_prefix(&self.keys().groups())?
            .iter()
            .map(|(k, v)| decode(k, v))
            .collect()
    }

    /// The service called `id`.
    pub fn service(&self, id: &str) -> Result<Option<Service>> {
        let key = self.keys().service(id);
        self.store()
            .get(&key)?
            .map(|b| decode(&key, &b))
            .transpose()
    }

    /// The town's services.
    pub fn services(&self) -> Result<Vec<Service>> {
        self.store()
            .scan_prefix(&self.keys().services())?
            .iter()
            .map(|(k, v)| decode(k, v))
            .collect()
    }

    /// The groups `login` belongs to.
    pub fn groups_of(&self, login: &str) -> Result<Vec<String>> {
        let prefix = self.keys().memberships(login);
        Ok(self
            .store()
            .scan_prefix(&prefix)?
            .into_iter()
            .map(|(k, _)| String::from_utf8_lossy(&k[prefix.len()..]).into_owned())
            .collect())
    }

    /// The principal for an enabled account, with its groups and the roles
    /// they bring. A disabled or missing account is `Unauthorized`.
    pub fn principal(&self, login: &str) -> Result<Principal> {
        let user = self
            .user(login)?
            .filter(|u| u.enabled)
            .ok_or_else(|| Error::Unauthorized(format!("no enabled account `{login}`")))?;
        let groups = self.groups_of(login)?;
        let mut roles: BTreeSet<String> = user.roles.iter().cloned().collect();
        for g in &groups {
            if let Some(group) = self.group(g)? {
                roles.extend(group.roles);
            }
        }
        Ok(Principal::user(
            &user.login,
            &user.fullname,
            user.language.clone(),
            roles,
            groups,
        ))
    }
}

impl Writer<'_> {
    pub(crate) fn require_site(&self, perm: &str) -> Result<()> {
        if self.is_unrestricted() {
            return Ok(());
        }
        let root = self.must_get("/")?;
        if self.can(&root, perm)? {
            Ok(())
        } else {
            Err(Error::Forbidden(format!(
                "{} does not have the permission `{perm}`",
                self.who().name()
            )))
        }
    }

    /// Refuses to hand out Manager unless the writer is one: a Site
    /// Administrator manages users but cannot make themselves Manager.
    pub(crate) fn check_grantable(&self, roles: &[String]) -> Result<()> {
        for r in roles {
            if !self.site.roles().contains(r) {
                return Err(Error::Invalid(vec![FieldError::new(
                    "roles",
                    "unknown_role",
                    format!("no role is called `{r}`"),
                )]));
            }
            if matches!(
                r.as_str(),
                security::ANONYMOUS | security::AUTHENTICATED | security::OWNER
            ) {
                return Err(Error::Invalid(vec![FieldError::new(
                    "roles",
                    "automatic_role",
                    format!("`{r}` is given automatically, never granted"),
                )]));
            }
            if r == MANAGER && !self.is_unrestricted() {
                let root = self.must_get("/")?;
                let held =
                    crate::access::Checker::new(self.site, self.who()).roles_on(&root, self)?;
                if !held.contains(MANAGER) {
                    return Err(Error::Forbidden(format!(
                        "only a Manager may grant `{MANAGER}`"
                    )));
                }
            }
        }
        Ok(())
    }

    /// Adds an account. The password must be strong enough.
    pub fn add_user(
        &mut self,
        login: &str,
        fullname: &str,
        email: Option<&str>,
        password: &str,
        roles: &[String],
    ) -> Result<User> {
        self.require_site(security::MANAGE_USERS)?;
        check_login(login)?;
        let mut errors = Vec::new();
        if let Err(e) = check_password_strength(login, password) {
            errors.push(e);
        }
        if let Some(e) = email {
            if !crate::text::is_email(e) {
                errors.push(FieldError::new(
                    "email",
                    "bad_email",
                    "not an e-mail address",
                ));
            }
        }
        if crate::schema::looks_like_html(fullname) {
            errors.push(FieldError::new(
                "fullname",
                "html_not_allowed",
                "the full name is plain text",
            ));
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        self.check_grantable(roles)?;
        // Logins and group ids share one namespace: local roles name either.
        if self.tx.get(&self.site.keys().user(login))?.is_some()
            || self.load_group(login)?.is_some()
            || login == security::AUTHENTICATED_USERS
        {
            return Err(Error::Conflict(format!("`{login}` is already taken")));
        }
        let tombstone = crate::accounts::deleted_login_key(self.site, login);
        if self.tx.get(&tombstone)?.is_some() {
            return Err(Error::Conflict(format!(
                "`{login}` belonged to a deleted account, whose content still names it: choose another login"
            )));
        }
        let mut user = User::new(login, fullname, password, &[]);
        user.email = email.map(str::to_owned);
        user.roles = roles.to_vec();
        self.put_user(&user);
        self.audit("user_added", login, &roles.join(", "));
        Ok(user)
    }

    /// Sets a user's password (the user themselves, or a user manager;
    /// a Manager's only by a Manager). Their open sessions end.
    pub fn set_password(&mut self, login: &str, password: &str) -> Result<()> {
        if self.who().login() != Some(login) {
            self.require_site(security::MANAGE_USERS)?;
            self.protect_managers(login)?;
        }
        let mut user = self.load_user(login)?;
        check_password_strength(login, password).map_err(|e| Error::Invalid(vec![e]))?;
        user.set_password(password);
        self.put_user(&user);
        self.end_sessions(login)?;
        self.audit("password_changed", login, "");
        Ok(())
    }

    /// Only a Manager may act on a Manager's account (their own roles, or
    /// through a group).
    pub(crate) fn protect_managers(&self, login: &str) -> Result<()> {
        let user = self.load_user(login)?;
        let mut manager = user.roles.iter().any(|r| r == MANAGER);
        let prefix = self.site.keys().memberships(login);
        for (k, _) in self.tx.scan_prefix(&prefix)? {
            let group = String::from_utf8_lossy(&k[prefix.len()..]).into_owned();
            if let Some(g) = self.load_group(&group)? {
                manager |= g.roles.contains(MANAGER);
            }
        }
        if manager {
            self.check_grantable(&[MANAGER.to_owned()])?;
        }
        Ok(())
    }

    /// Ends every open session of `login`.
    pub(crate) fn end_sessions(&mut self, login: &str) -> Result<usize> {
        let prefix = self.site.keys().sessions();
        let mut ended = 0;
        for (k, v) in self.tx.scan_prefix(&prefix)? {
            let s: crate::auth::Session = decode(&k, &v)?;
            if s.login == login {
                self.tx.delete(&k);
                ended += 1;
            }
        }
        Ok(ended)
    }

    /// Enables or disables an account.
    pub fn set_user_enabled(&mut self, login: &str, enabled: bool) -> Result<()> {
        self.require_site(security::MANAGE_USERS)?;
        self.protect_managers(login)?;
        let mut user = self.load_user(login)?;
        user.enabled = enabled;
        self.put_user(&user);
        if !enabled {
            self.end_sessions(login)?;
        }
        self.audit(
            if enabled {
                "user_enabled"
            } else {
                "user_disabled"
            },
            login,
            "",
        );
        Ok(())
    }

    /// Sets the language pages are shown in for a user (the user
    /// themselves, or a user manager); `None` follows the browser.
    pub fn set_user_language(&mut self, login: &str, language: Option<&str>) -> Result<()> {
        if self.who().login() != Some(login) {
            self.require_site(security::MANAGE_USERS)?;
        }
        if let Some(l) = language {
            // The languages in force: the site settings' over `site.toml`'s.
            let offered = self.site.settings()?.languages;
            if !offered.iter().any(|x| x == l) {
                return Err(Error::Invalid(vec![FieldError::new(
                    "language",
                    "bad_language",
                    format!("the site offers {offered:?}"),
                )]));
            }
        }
        let mut user = self.load_user(login)?;
        user.language = language.map(str::to_owned);
        self.put_user(&user);
        Ok(())
    }

    /// Replaces a user's site-wide roles.
    pub fn set_user_roles(&mut self, login: &str, roles: &[String]) -> Result<()> {
        self.require_site(security::MANAGE_USERS)?;
        self.check_grantable(roles)?;
        self.protect_managers(login)?;
        let mut user = self.load_user(login)?;
        user.roles = roles.to_vec();
        self.put_user(&user);
        self.audit("roles_changed", login, &roles.join(", "));
        Ok(())
    }

    pub(crate) fn load_user(&self, login: &str) -> Result<User> {
        let key = self.site.keys().user(login);
        self.tx
            .get(&key)?
            .map(|b| decode(&key, &b))
            .transpose()?
            .ok_or_else(|| Error::NotFound(format!("user `{login}`")))
    }

    /// Stores an account as it is (no checks: for the system and imports).
    pub fn put_user(&mut self, user: &User) {
        let k = self.site.keys().user(&user.login);
        self.tx.put(&k, encode(user));
    }

    /// The group called `id`, as this write sees it.
    pub(crate) fn load_group(&self, id: &str) -> Result<Option<Group>> {
        find_group(self.site, id, &|k| Ok(self.tx.get(k)?))
    }

    /// Adds a group with site-wide roles.
    pub fn add_group(&mut self, id: &str, title: &str, roles: &[String]) -> Result<Group> {
        self.require_site(security::MANAGE_USERS)?;
        check_group_id(id)?;
        self.check_grantable(roles)?;
        if self.load_group(id)?.is_some()
            || self.tx.get(&self.site.keys().user(id))?.is_some()
            || id == security::AUTHENTICATED_USERS
        {
            return Err(Error::Conflict(format!("`{id}` is already taken")));
        }
        let group = Group {
            id: id.to_owned(),
            title: title.to_owned(),
            roles: roles.iter().cloned().collect(),
            members: BTreeSet::new(),
            service: None,
            function: None,
        };
        self.tx.put(&self.site.keys().group(id), encode(&group));
        self.audit("group_added", id, &roles.join(", "));
        Ok(group)
    }

    /// Adds and removes members of a group (a service's function group
    /// included).
    pub fn set_group_members(
        &mut self,
        id: &str,
        add: &[String],
        remove: &[String],
    ) -> Result<Group> {
        self.require_site(security::MANAGE_USERS)?;
        let mut group = self
            .load_group(id)?
            .ok_or_else(|| Error::NotFound(format!("group `{id}`")))?;
        if group.roles.contains(MANAGER) {
            self.check_grantable(&[MANAGER.to_owned()])?;
        }
        for login in add {
            self.load_user(login)?;
            group.members.insert(login.clone());
            self.tx.put(&self.site.keys().member(login, id), Vec::new());
        }
        for login in remove {
            group.members.remove(login);
            self.tx.delete(&self.site.keys().member(login, id));
        }
        self.tx.put(&self.site.keys().group(id), encode(&group));
        if !add.is_empty() {
            self.audit("group_members_added", id, &add.join(", "));
        }
        if !remove.is_empty() {
            self.audit("group_members_removed", id, &remove.join(", "));
        }
        Ok(group)
    }

    /// Adds one of the town's services; each function modules declare makes
    /// a group `{id}_{function}`.
    pub fn add_service(&mut self, id: &str, title: &str, parent: Option<&str>) -> Result<Service> {
        self.require_site(security::MANAGE_USERS)?;
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(Error::Invalid(vec![FieldError::new(
                "id",
                "bad_id",
                "a service id is lower-case letters, digits and `-`",
            )]));
        }
        if self.tx.get(&self.site.keys().service(id))?.is_some() {
            return Err(Error::Conflict(format!("service `{id}` exists already")));
        }
        for f in self.site.functions() {
            let group = security::function_group(id, f);
            if self.tx.get(&self.site.keys().user(&group))?.is_some()
                || self.tx.get(&self.site.keys().group(&group))?.is_some()
            {
                return Err(Error::Conflict(format!(
                    "the service's group `{group}` would share its name with an account or group"
                )));
            }
        }
        if let Some(p) = parent {
            if self.tx.get(&self.site.keys().service(p))?.is_none() {
                return Err(Error::Invalid(vec![FieldError::new(
                    "parent",
                    "unknown_service",
                    format!("no service is called `{p}`"),
                )]));
            }
        }
        let service = Service {
            id: id.to_owned(),
            title: title.to_owned(),
            parent: parent.map(str::to_owned),
        };
        self.tx.put(&self.site.keys().service(id), encode(&service));
        self.audit("service_added", id, title);
        Ok(service)
    }

    /// The built-in groups and the site's secret, made with the site.
    pub(crate) fn install_security_defaults(&mut self) -> Result<()> {
        for (id, title, role) in security::BUILTIN_GROUPS {
            let key = self.site.keys().group(id);
            if self.tx.get(&key)?.is_none() {
                let g = Group {
                    id: (*id).to_owned(),
                    title: (*title).to_owned(),
                    roles: BTreeSet::from([(*role).to_owned()]),
                    members: BTreeSet::new(),
                    service: None,
                    function: None,
                };
                self.tx.put(&key, encode(&g));
            }
        }
        let key = self.site.keys().secret();
        if self.tx.get(&key)?.is_none() {
            let secret: [u8; 32] = rand::rng().random();
            self.tx.put(&key, secret.to_vec());
        }
        Ok(())
    }
}
