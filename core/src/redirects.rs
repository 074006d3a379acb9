//! Redirects after a move or rename, in plone.app.redirector's model: when
//! an item moves, its old path (and each old path below it) is remembered
//! with the item's uid, so a visitor of an old address is sent to where the
//! item is now.
//!
//! Stored by path under the core's own keys (`beffroi-redirects/at{path}` →
//! uid), with a reverse index by uid (`of/{uid}{path}`) so a deleted item's
//! redirects go with it. Since a redirect names a uid, chains (a → b → c)
//! resolve to the item's current place. An item added or moved to an old
//! path takes it over: that path's redirect is dropped. The keys are module
//! data, so exports carry them.
//!
//! Only [`Reader::redirect`] resolves a redirect, and only to an item the
//! reader may view: where a private item went is never told.

use serde_json::Value;

use crate::access::Reader;
use crate::error::Result;
use crate::hooks::{Event, Phase, Subscriber, Veto};
use crate::item::Item;
use crate::site::{join_path, Site, Writer};

/// Under which module name the redirects are stored.
const STORE: &str = "beffroi-redirects";

fn at_key(path: &str) -> String {
    format!("at{path}")
}

fn of_key(uid: &str, path: &str) -> String {
    format!("of/{uid}{path}")
}

/// Where an old address leads now.
#[derive(Debug, Clone)]
pub struct Redirect {
    /// The item the old address (or its nearest remembered ancestor) named.
    pub item: Item,
    /// What followed that ancestor in the address asked for (`""` when the
    /// address itself was remembered, else `/page` and deeper).
    pub rest: String,
}

impl Redirect {
    /// The path the old address now stands for: the item's current path
    /// plus the rest.
    pub fn path(&self) -> String {
        if self.rest.is_empty() {
            self.item.path.clone()
        } else if self.item.path == "/" {
            self.rest.clone()
        } else {
            format!("{}{}", self.item.path, self.rest)
        }
    }
}

impl Site {
    /// The uid remembered for the old `path`, unrestricted. Not filtered by
    /// permissions, nor by whether an item stands at `path` again: use
    /// [`Reader::redirect`] to follow an address.
    pub fn redirect_uid(&self, path: &str) -> Result<Option<String>> {
        let k = self.keys().ext(STORE, &at_key(path));
        Ok(self
            .store()
            .get(&k)?
            .map(|b| crate::site::decode::<Value>(&k, &b))
            .transpose()?
            .and_then(|v| v.as_str().map(str::to_owned)))
    }

    /// Every remembered old path with the uid it leads to, unrestricted.
    pub fn redirects(&self) -> Result<Vec<(String, String)>> {
        let prefix = self.keys().ext(STORE, "at/");
        let mut out = Vec::new();
        for (k, v) in self.store().scan_prefix(&prefix)? {
            // The prefix ends with the path's leading `/`: keep it.
            let path = String::from_utf8_lossy(&k[prefix.len() - 1..]).into_owned();
            if let Some(uid) = crate::site::decode::<Value>(&k, &v)?.as_str() {
                out.push((path, uid.to_owned()));
            }
        }
        Ok(out)
    }
}

impl Reader<'_> {
    /// Where the address `path` leads, when no item stands there: the item
    /// remembered for it or for its nearest ancestor that has moved, with
    /// the rest of the address. `None` when an item stands at `path` or at
    /// an ancestor on the way up (a new item at an old address wins), when
    /// nothing is remembered, when the item is gone, or when this reader may
    /// not view the item; through a moved ancestor, also when no item this
    /// reader may view stands at the address it leads to.
    pub fn redirect(&self, path: &str) -> Result<Option<Redirect>> {
        let site = self.site();
        let mut prefix = path.trim_end_matches('/').to_owned();
        if prefix.is_empty() {
            return Ok(None);
        }
        let mut rest = String::new();
        loop {
            if site.get(&prefix)?.is_some() {
                return Ok(None);
            }
            if let Some(uid) = site.redirect_uid(&prefix)? {
                let Some(item) = self.get_by_uid(&uid)? else {
                    return Ok(None);
                };
                let found = Redirect { item, rest };
                if !found.rest.is_empty() {
                    // Through a moved ancestor: only to an item this reader
                    // may view there (`++add++Type` and the like are
                    // addresses of their container, not items).
                    let target = found.path();
                    let item_part = match target.find("/++") {
                        Some(i) => &target[..i],
                        None => target.as_str(),
                    };
                    if self.get(item_part)?.is_none() {
                        return Ok(None);
                    }
                }
                return Ok(Some(found));
            }
            let Some((parent, last)) = prefix.rsplit_once('/') else {
                return Ok(None);
            };
            if parent.is_empty() {
                return Ok(None);
            }
            rest = format!("/{last}{rest}");
            prefix = parent.to_owned();
        }
    }
}

impl Writer<'_> {
    fn redirect_at(&self, path: &str) -> Result<Option<String>> {
        Ok(self
            .module_get(STORE, &at_key(path))?
            .and_then(|v| v.as_str().map(str::to_owned)))
    }

    /// Forgets the redirect at `path`, if any.
    fn drop_redirect(&mut self, path: &str) -> Result<()> {
        if let Some(uid) = self.redirect_at(path)? {
            let keys = self.site().keys();
            self.tx.delete(&keys.ext(STORE, &at_key(path)));
            self.tx.delete(&keys.ext(STORE, &of_key(&uid, path)));
        }
        Ok(())
    }

    /// Remembers that `path` now leads to `uid`.
    fn remember_redirect(&mut self, path: &str, uid: &str) -> Result<()> {
        self.drop_redirect(path)?;
        self.module_put(STORE, &at_key(path), &Value::String(uid.to_owned()));
        self.module_put(STORE, &of_key(uid, path), &Value::String(path.to_owned()));
        Ok(())
    }

    /// After `item` moved from `from`: each old path (its own and those
    /// below it) leads to the item that was there; the new paths are
    /// items' again.
    fn remember_move(&mut self, item: &Item, from: &str) -> Result<()> {
        let mut stack = vec![(item.clone(), from.to_owned())];
        while let Some((it, old)) = stack.pop() {
            self.drop_redirect(&it.path)?;
            self.remember_redirect(&old, &it.uid)?;
            for child in self.children(&it.path)? {
                let child_old = join_path(&old, &child.id);
                stack.push((child, child_old));
            }
        }
        Ok(())
    }

    /// Forgets every redirect to the item with `uid`.
    fn forget_redirects(&mut self, uid: &str) -> Result<()> {
        let keys = self.site().keys();
        let prefix = keys.ext(STORE, &of_key(uid, "/"));
        for (k, _) in self.tx.scan_prefix(&prefix)? {
            self.tx.delete(&k);
            let path = String::from_utf8_lossy(&k[prefix.len() - 1..]).into_owned();
            // Only if it still leads here (a later move may have taken it).
            if self.redirect_at(&path)?.as_deref() == Some(uid) {
                self.tx.delete(&keys.ext(STORE, &at_key(&path)));
            }
        }
        Ok(())
    }
}

fn on_event(w: &mut Writer<'_>, event: &Event<'_>) -> std::result::Result<(), Veto> {
    let done = match event {
        Event::ItemMoved { item, from } => w.remember_move(item, from),
        Event::ItemAdded(item) => w.drop_redirect(&item.path),
        Event::ItemRemoved(item) => w.forget_redirects(&item.uid),
        _ => Ok(()),
    };
    done.map_err(|e| Veto(format!("cannot keep the redirects: {e}")))
}

/// The core's subscriber that keeps the redirects in step with moves,
/// additions and deletions.
pub(crate) fn subscriber() -> Subscriber {
    Subscriber {
        name: "redirects",
        phase: Phase::After,
        order: 0,
        handler: on_event,
    }
}
