//! Content translations, in plone.app.multilingual's model: items in
//! different languages are linked in a translation group, at most one item
//! per language in a group.
//!
//! Groups are stored by uid under the core's own keys (`translations/…`),
//! not in [`Item`]: an item keeps its links when it moves or is renamed,
//! and a subscriber to `ItemRemoved` takes a deleted item out of its group.
//! Every read goes through a [`Reader`], so a translation the reader may
//! not view is never named.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::access::Reader;
use crate::error::{Error, FieldError, Result};
use crate::hooks::{Event, Phase, Subscriber, Veto};
use crate::item::Item;
use crate::site::{Site, Writer};

/// Under which module name the groups are stored.
const STORE: &str = "beffroi-translations";

/// A translation group: language → uid.
pub type Group = BTreeMap<String, String>;

fn member_key(uid: &str) -> String {
    format!("member/{uid}")
}

fn group_key(id: &str) -> String {
    format!("group/{id}")
}

/// The language an item is in: its own, else the site's default.
pub fn language_of(site: &Site, item: &Item) -> String {
    item.language
        .clone()
        .unwrap_or_else(|| site.config().default_language.clone())
}

impl Site {
    fn ext_get(&self, key: &str) -> Result<Option<Value>> {
        let k = self.keys().ext(STORE, key);
        self.store()
            .get(&k)?
            .map(|b| crate::site::decode(&k, &b))
            .transpose()
    }

    /// The translation group of the item with `uid` (language → uid),
    /// itself included; empty when it has no translations. Not filtered by
    /// permissions: use [`Reader::translations`] for what a user may see.
    pub fn translation_group(&self, uid: &str) -> Result<Group> {
        let Some(id) = self
            .ext_get(&member_key(uid))?
            .and_then(|v| v.as_str().map(str::to_owned))
        else {
            return Ok(Group::new());
        };
        Ok(self
            .ext_get(&group_key(&id))?
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default())
    }
}

impl Reader<'_> {
    /// The translations of `item` that this reader may view, by language,
    /// the item itself left out.
    pub fn translations(&self, item: &Item) -> Result<BTreeMap<String, Item>> {
        let mut out = BTreeMap::new();
        for (lang, uid) in self.site().translation_group(&item.uid)? {
            if uid == item.uid {
                continue;
            }
            if let Some(t) = self.get_by_uid(&uid)? {
                out.insert(lang, t);
            }
        }
        Ok(out)
    }

    /// Where a visitor of `item` who wants `lang` should go: the item
    /// itself when it is in `lang`, else its translation in `lang`, else the
    /// nearest container that is in `lang` or translated into it (the site
    /// root's translation, a language folder, counts), else the site root
    /// (plone.app.multilingual's translation locator).
    pub fn locate_translation(&self, item: &Item, lang: &str) -> Result<Item> {
        let site = self.site();
        if language_of(site, item) == lang {
            return Ok(item.clone());
        }
        if let Some(t) = self.translations(item)?.remove(lang) {
            return Ok(t);
        }
        let mut path = item.parent_path().map(str::to_owned);
        while let Some(p) = path {
            let Some(parent) = self.get(&p)? else { break };
            if let Some(t) = self.translations(&parent)?.remove(lang) {
                return Ok(t);
            }
            if parent.parent.is_some() && language_of(site, &parent) == lang {
                return Ok(parent);
            }
            path = parent.parent_path().map(str::to_owned);
        }
        self.must_get("/")
    }
}

impl Writer<'_> {
    fn ext_delete(&mut self, key: &str) {
        let k = self.site().keys().ext(STORE, key);
        self.tx.delete(&k);
    }

    fn group_of(&self, uid: &str) -> Result<(Option<String>, Group)> {
        let Some(id) = self
            .module_get(STORE, &member_key(uid))?
            .and_then(|v| v.as_str().map(str::to_owned))
        else {
            return Ok((None, Group::new()));
        };
        let group = self
            .module_get(STORE, &group_key(&id))?
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        Ok((Some(id), group))
    }

    fn save_group(&mut self, id: &str, group: &Group) {
        if group.len() < 2 {
            // A group of one links nothing: forget it.
            for uid in group.values() {
                self.ext_delete(&member_key(uid));
            }
            self.ext_delete(&group_key(id));
            return;
        }
        self.module_put(STORE, &group_key(id), &json!(group));
        for uid in group.values() {
            self.module_put(STORE, &member_key(uid), &json!(id));
        }
    }

    /// Links the item at `target` as a translation of the item at `path`.
    /// Both must be in different languages from every item of the other's
    /// group; the writer must be allowed to modify both.
    pub fn link_translation(&mut self, path: &str, target: &str) -> Result<()> {
        let item = self.must_get(path)?;
        let other = self.must_get(target)?;
        self.require(&item, crate::security::MODIFY)?;
        self.require(&other, crate::security::MODIFY)?;
        if item.uid == other.uid {
            return Err(bad("id", "an item cannot be its own translation"));
        }
        let site = self.site();
        let (id, mut group) = self.group_of(&item.uid)?;
        let (other_id, other_group) = self.group_of(&other.uid)?;
        if id.is_some() && id == other_id {
            return Err(bad(
                "id",
                "these items are already translations of each other",
            ));
        }
        let mut incoming = other_group;
        if incoming.is_empty() {
            incoming.insert(language_of(site, &other), other.uid.clone());
        }
        if group.is_empty() {
            group.insert(language_of(site, &item), item.uid.clone());
        }
        for lang in incoming.keys() {
            if group.contains_key(lang) {
                return Err(bad(
                    "id",
                    &format!("already translated into language `{lang}`"),
                ));
            }
        }
        group.extend(incoming);
        if let Some(old) = &other_id {
            self.ext_delete(&group_key(old));
        }
        let id = id.unwrap_or_else(crate::text::new_uid);
        self.save_group(&id, &group);
        Ok(())
    }

    /// Unlinks the translation in `lang` from the group of the item at `path`.
    pub fn unlink_translation(&mut self, path: &str, lang: &str) -> Result<()> {
        let item = self.must_get(path)?;
        self.require(&item, crate::security::MODIFY)?;
        let (id, mut group) = self.group_of(&item.uid)?;
        let (Some(id), Some(uid)) = (id, group.get(lang).cloned()) else {
            return Err(bad(
                "language",
                &format!("{path} has no translation in language `{lang}`"),
            ));
        };
        if let Some(other) = self.get_by_uid(&uid)? {
            self.require(&other, crate::security::MODIFY)?;
        }
        group.remove(lang);
        self.ext_delete(&member_key(&uid));
        self.save_group(&id, &group);
        Ok(())
    }

    /// Sets the language of the item at `path` (`None`: the site's
    /// default). It must be one of the site's languages, and not one its
    /// translations already have.
    pub fn set_language(&mut self, path: &str, lang: Option<&str>) -> Result<Item> {
        let previous = self.must_get(path)?;
        self.require(&previous, crate::security::MODIFY)?;
        let site = self.site();
        if let Some(l) = lang {
            if !site.settings_or_config().languages.iter().any(|x| x == l) {
                return Err(bad(
                    "language",
                    &format!("`{l}` is not one of the site's languages"),
                ));
            }
        }
        let mut item = previous.clone();
        item.language = lang.map(str::to_owned);
        let new_lang = language_of(site, &item);
        let old_lang = language_of(site, &previous);
        if new_lang != old_lang {
            let (id, mut group) = self.group_of(&item.uid)?;
            if let Some(id) = id {
                if group.contains_key(&new_lang) {
                    return Err(bad(
                        "language",
                        &format!("a translation in `{new_lang}` already exists"),
                    ));
                }
                group.remove(&old_lang);
                group.insert(new_lang, item.uid.clone());
                self.save_group(&id, &group);
            }
        }
        if item.language == previous.language {
            return Ok(previous);
        }
        item.revision += 1;
        item.modified = chrono::Utc::now();
        let event = |item| Event::ItemModified {
            item,
            previous: &previous,
        };
        self.fire(Phase::Before, &event(&item))?;
        self.store_item(&item);
        self.record(&item, "modified", vec!["language".into()], None);
        self.fire(Phase::After, &event(&item))?;
        Ok(item)
    }

    fn forget_translation(&mut self, item: &Item) -> Result<()> {
        let (Some(id), mut group) = self.group_of(&item.uid)? else {
            return Ok(());
        };
        group.retain(|_, uid| *uid != item.uid);
        self.ext_delete(&member_key(&item.uid));
        self.save_group(&id, &group);
        Ok(())
    }
}

fn bad(field: &str, message: &str) -> Error {
    Error::Invalid(vec![FieldError::new(field, "translation", message)])
}

/// Takes a deleted item out of its translation group.
fn on_removed(w: &mut Writer<'_>, event: &Event<'_>) -> std::result::Result<(), Veto> {
    if let Event::ItemRemoved(item) = event {
        w.forget_translation(item)
            .map_err(|e| Veto(format!("cannot unlink the translations: {e}")))?;
    }
    Ok(())
}

/// The core's subscribers that keep translation groups in step.
pub(crate) fn subscribers() -> Vec<Subscriber> {
    vec![Subscriber {
        name: "translations-forget-removed",
        phase: Phase::After,
        order: 0,
        handler: on_removed,
    }]
}
