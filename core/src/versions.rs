//! Versions of items, as plone.app.versioningbehavior keeps them: every
//! addition and every change of fields stores a snapshot of the item's
//! field values, numbered from 0 per item, under its own keys. `@history`
//! lists them, `@history/{n}` shows one and a revert writes one back.
//!
//! The snapshots are taken by a subscriber of the core module, inside the
//! write's transaction, so no path that changes fields can skip them.
//! Items made before versions existed get their version 0 (the values
//! they had) at their first change.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::Result;
use crate::hooks::{Event, Phase, Subscriber, Veto};
use crate::item::Item;
use crate::site::{decode, encode, Keys, Site, Writer};

/// One stored version of an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    /// Its number: 0 for the first, then one more for each change.
    pub version: u64,
    /// The item's revision it was taken at.
    pub revision: u64,
    /// When the item reached it.
    pub time: DateTime<Utc>,
    /// Who made it.
    pub actor: String,
    /// The item's field values then.
    pub fields: Map<String, Value>,
}

impl Version {
    /// The item as it was at this version: its place and identity today,
    /// its fields, date and revision then.
    pub fn apply(&self, item: &Item) -> Item {
        Item {
            fields: self.fields.clone(),
            modified: self.time,
            revision: self.revision,
            ..item.clone()
        }
    }
}

impl Keys<'_> {
    pub(crate) fn versions(&self, uid: &str) -> Vec<u8> {
        format!("s/{}/ver/{uid}/", self.0).into_bytes()
    }
    pub(crate) fn version(&self, uid: &str, n: u64) -> Vec<u8> {
        format!("s/{}/ver/{uid}/{n:016x}", self.0).into_bytes()
    }
}

/// Every version of the item with `uid`, oldest first.
pub fn list(site: &Site, uid: &str) -> Result<Vec<Version>> {
    site.store()
        .scan_prefix(&site.keys().versions(uid))?
        .iter()
        .map(|(k, v)| decode(k, v))
        .collect()
}

/// Version `n` of the item with `uid`.
pub fn get(site: &Site, uid: &str, n: u64) -> Result<Option<Version>> {
    let key = site.keys().version(uid, n);
    site.store()
        .get(&key)?
        .map(|b| decode(&key, &b))
        .transpose()
}

/// The core module's subscriber that keeps versions.
pub(crate) fn subscriber() -> Subscriber {
    Subscriber {
        name: "versions",
        phase: Phase::After,
        order: 0,
        handler: keep,
    }
}

fn keep(w: &mut Writer<'_>, event: &Event<'_>) -> Result<(), Veto> {
    let done = match event {
        Event::ItemAdded(item) => save(w, item, w.actor().to_owned()),
        Event::ItemModified { item, previous } => match last(w, &item.uid) {
            Ok(None) => save(w, previous, previous.creator.clone())
                .and_then(|()| save(w, item, w.actor().to_owned())),
            Ok(Some(_)) => save(w, item, w.actor().to_owned()),
            Err(e) => Err(e),
        },
        Event::ItemRemoved(item) => w
            .raw_delete_prefix(&w.site().keys().versions(&item.uid))
            .map(|_| ()),
        _ => Ok(()),
    };
    done.map_err(|e| Veto(format!("versions could not be kept: {e}")))
}

/// The number of the item's last version, as this write sees it.
fn last(w: &Writer<'_>, uid: &str) -> Result<Option<u64>> {
    let key = w.site().keys().versions(uid);
    match w.tx.last_with_prefix(&key)? {
        Some((k, v)) => Ok(Some(decode::<Version>(&k, &v)?.version)),
        None => Ok(None),
    }
}

fn save(w: &mut Writer<'_>, item: &Item, actor: String) -> Result<()> {
    let n = last(w, &item.uid)?.map_or(0, |n| n + 1);
    let v = Version {
        version: n,
        revision: item.revision,
        time: item.modified,
        actor,
        fields: item.fields.clone(),
    };
    let key = w.site().keys().version(&item.uid, n);
    w.raw_put(&key, encode(&v));
    Ok(())
}
