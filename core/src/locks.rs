//! Locks on items, as plone.locking keeps them: while one person edits an
//! item, the others' changes, moves, renames and deletions are refused
//! unless they present the lock's token. A lock lapses after its timeout
//! (600 s unless asked otherwise) and is kept under its own key, never in
//! the [`Item`].

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, FieldError, Result};
use crate::hooks::{Event, Phase, Subscriber, Veto};
use crate::item::Item;
use crate::site::{decode, encode, Keys, Site, Writer};

/// A lock's lifetime when the client does not choose one, in seconds.
pub const DEFAULT_TIMEOUT: u64 = 600;
/// The longest lifetime a client may ask for, in seconds (a day).
pub const MAX_TIMEOUT: u64 = 24 * 3600;
/// plone.restapi's message when a locked item refuses a change.
pub const LOCKED_MESSAGE: &str = "Resource is locked.";

/// A lock on one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    /// The secret the lock's holder presents in `Lock-Token`.
    pub token: String,
    /// The login of who took it.
    pub creator: String,
    /// When it was taken.
    pub created: DateTime<Utc>,
    /// When it was taken or last refreshed; it lapses `timeout` seconds later.
    pub time: DateTime<Utc>,
    /// Its lifetime in seconds.
    pub timeout: u64,
    /// Whether others with the right to edit may break it.
    pub stealable: bool,
}

impl Lock {
    /// Whether the lock has lapsed at `now`.
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        let secs = i64::try_from(self.timeout).unwrap_or(i64::MAX);
        now >= self.time + Duration::seconds(secs)
    }

    /// Whether `token` (from the request's `Lock-Token` header) opens it.
    pub fn opens(&self, token: Option<&str>) -> bool {
        token.is_some_and(|t| same(t.as_bytes(), self.token.as_bytes()))
    }
}

/// What the holder asks for when taking a lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockOptions {
    /// Lifetime in seconds, 1 to [`MAX_TIMEOUT`].
    pub timeout: u64,
    /// Whether others with the right to edit may break it.
    pub stealable: bool,
}

impl Default for LockOptions {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_TIMEOUT,
            stealable: true,
        }
    }
}

/// Compares secrets in time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Keys<'_> {
    pub(crate) fn lock(&self, uid: &str) -> Vec<u8> {
        format!("s/{}/lock/{uid}", self.0).into_bytes()
    }
}

/// The live lock on `item`, if any (a lapsed one counts as none).
pub fn get(site: &Site, item: &Item) -> Result<Option<Lock>> {
    let key = site.keys().lock(&item.uid);
    let lock: Option<Lock> = site
        .store()
        .get(&key)?
        .map(|b| decode(&key, &b))
        .transpose()?;
    Ok(lock.filter(|l| !l.expired(Utc::now())))
}

/// Refuses a change to `item` when someone holds a lock on it and `token`
/// (the request's `Lock-Token`) does not open it. Every path that changes,
/// moves, renames or deletes an item on behalf of a request calls this
/// first: the API, and the editing pages.
pub fn check(site: &Site, item: &Item, token: Option<&str>) -> Result<()> {
    match get(site, item)? {
        Some(lock) if !lock.opens(token) => Err(Error::Forbidden(LOCKED_MESSAGE.into())),
        _ => Ok(()),
    }
}

/// The core module's subscriber that forgets the locks of removed items.
pub(crate) fn subscriber() -> Subscriber {
    Subscriber {
        name: "locks",
        phase: Phase::After,
        order: 0,
        handler: forget,
    }
}

fn forget(w: &mut Writer<'_>, event: &Event<'_>) -> Result<(), Veto> {
    if let Event::ItemRemoved(item) = event {
        w.drop_lock(&item.uid);
    }
    Ok(())
}

impl Writer<'_> {
    /// Refuses a change to `item` when someone holds a lock on it that
    /// `token` does not open, as this write sees the locks; see [`check`].
    pub fn check_lock(&self, item: &Item, token: Option<&str>) -> Result<()> {
        match self.live_lock(item)? {
            Some(lock) if !lock.opens(token) => Err(Error::Forbidden(LOCKED_MESSAGE.into())),
            _ => Ok(()),
        }
    }

    /// For the editing pages, which carry no `Lock-Token`: a live lock
    /// taken by someone else refuses the change; one the acting user took
    /// does not.
    pub fn check_lock_of_others(&self, item: &Item) -> Result<()> {
        match self.live_lock(item)? {
            Some(lock) if lock.creator != self.actor() => {
                Err(Error::Forbidden(LOCKED_MESSAGE.into()))
            }
            _ => Ok(()),
        }
    }

    fn live_lock(&self, item: &Item) -> Result<Option<Lock>> {
        let key = self.site.keys().lock(&item.uid);
        let lock: Option<Lock> = self.tx.get(&key)?.map(|b| decode(&key, &b)).transpose()?;
        Ok(lock.filter(|l| !l.expired(Utc::now())))
    }

    /// Locks the item at `path` for the writer, who must be allowed to
    /// modify it. Locking again one's own lock refreshes it; someone
    /// else's live lock is refused with [`LOCKED_MESSAGE`].
    pub fn lock(&mut self, path: &str, opts: LockOptions) -> Result<Lock> {
        let item = self.must_get(path)?;
        self.require(&item, crate::security::MODIFY)?;
        if opts.timeout == 0 || opts.timeout > MAX_TIMEOUT {
            return Err(Error::Invalid(vec![FieldError::new(
                "timeout",
                "bad_timeout",
                format!("a lock lasts 1 to {MAX_TIMEOUT} seconds"),
            )]));
        }
        let now = Utc::now();
        let lock = match self.live_lock(&item)? {
            Some(mine) if mine.creator == self.actor() => Lock {
                time: now,
                timeout: opts.timeout,
                stealable: opts.stealable,
                ..mine
            },
            Some(_) => return Err(Error::Forbidden(LOCKED_MESSAGE.into())),
            None => Lock {
                token: crate::text::new_uid(),
                creator: self.actor().to_owned(),
                created: now,
                time: now,
                timeout: opts.timeout,
                stealable: opts.stealable,
            },
        };
        self.raw_put(&self.site.keys().lock(&item.uid), encode(&lock));
        Ok(lock)
    }

    /// Extends the lock on the item at `path` by its timeout, from now.
    /// Only its holder (by login or by token) may.
    pub fn refresh_lock(&mut self, path: &str, token: Option<&str>) -> Result<Lock> {
        let item = self.must_get(path)?;
        self.require(&item, crate::security::MODIFY)?;
        let Some(lock) = self.live_lock(&item)? else {
            return Err(Error::NotAllowed(format!("{path} is not locked")));
        };
        if lock.creator != self.actor() && !lock.opens(token) {
            return Err(Error::Forbidden(LOCKED_MESSAGE.into()));
        }
        let lock = Lock {
            time: Utc::now(),
            ..lock
        };
        self.raw_put(&self.site.keys().lock(&item.uid), encode(&lock));
        Ok(lock)
    }

    /// Removes the lock on the item at `path`. Its holder (by login or by
    /// token) may; with `force`, so may anyone allowed to modify the item
    /// when the lock is stealable, and site managers always.
    pub fn unlock(&mut self, path: &str, token: Option<&str>, force: bool) -> Result<()> {
        let item = self.must_get(path)?;
        self.require(&item, crate::security::MODIFY)?;
        let Some(lock) = self.live_lock(&item)? else {
            return Ok(());
        };
        let holder = lock.creator == self.actor() || lock.opens(token);
        let may_steal =
            force && (lock.stealable || self.can(&item, crate::security::MANAGE_SITE)?);
        if !holder && !may_steal {
            return Err(Error::Forbidden(LOCKED_MESSAGE.into()));
        }
        self.drop_lock(&item.uid);
        Ok(())
    }

    /// Forgets any lock on the item with `uid` (it is being deleted).
    pub(crate) fn drop_lock(&mut self, uid: &str) {
        let key = self.site.keys().lock(uid);
        self.tx.delete(&key);
    }
}
