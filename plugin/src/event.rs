//! What a site sends a module library and what it answers, as JSON.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The kinds of events a module's hooks can handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// An item is added (a copy counts as an addition): `item`.
    ItemAdded,
    /// An item's fields change: `item` with its new values, `previous`.
    ItemModified,
    /// An item moves or is renamed: `item` at its new place, `from` its old path.
    ItemMoved,
    /// A workflow transition is fired: `item` in its new state, `previous`,
    /// `transition`, `comment`.
    ItemTransitioned,
    /// An item is removed: `item`.
    ItemRemoved,
    /// A user logged in: `login`.
    UserLoggedIn,
    /// A module is installed on the site: `module`, `version`.
    ModuleInstalled,
    /// A module's upgrade steps ran: `module`, `from`, `to`.
    ModuleUpgraded,
    /// The site was created.
    SiteCreated,
}

/// When a hook runs relative to the write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Before the write is stored; an error refuses it.
    Before,
    /// After it is stored, still inside its transaction; an error undoes it.
    After,
}

/// An item as plone.restapi shapes it: `@type`, `UID`, `id`, `path`,
/// `review_state`, `created`, `modified`, `creators`, `language`,
/// `revision`, and every field (`title`, `description`…) at the top level.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Item(pub Map<String, Value>);

impl Item {
    /// The content type's name.
    pub fn type_name(&self) -> &str {
        self.text("@type")
    }

    /// The item's title.
    pub fn title(&self) -> &str {
        self.text("title")
    }

    /// Its path from the site's root (`/actualites/brocante`).
    pub fn path(&self) -> &str {
        self.text("path")
    }

    /// Its unique id.
    pub fn uid(&self) -> &str {
        self.text("UID")
    }

    /// Its workflow state, if it has one.
    pub fn review_state(&self) -> Option<&str> {
        self.0.get("review_state").and_then(Value::as_str)
    }

    /// A field's value, `None` when unset.
    pub fn field(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    /// A text field's value, empty when unset or not text.
    pub fn text(&self, name: &str) -> &str {
        self.0.get(name).and_then(Value::as_str).unwrap_or("")
    }
}

/// Something that happened in a site, as a hook sees it. Which members are
/// set depends on `kind` (see [`EventKind`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// Whether the write is about to be stored, or stored.
    pub phase: Phase,
    /// The site's id.
    pub site: String,
    /// Who writes (a login, or a system name).
    pub actor: String,
    /// The item concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<Item>,
    /// The item as it was (modified, transitioned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Item>,
    /// The old path (moved) or the old version (module upgraded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The new version (module upgraded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The transition's id (transitioned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transition: Option<String>,
    /// The comment given with the transition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The login (user logged in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<String>,
    /// The module (installed, upgraded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    /// The version installed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

impl Event {
    /// An event of `kind` in `phase`, with nothing else set: the site fills
    /// in the rest (and tests build events this way).
    pub fn new(kind: EventKind, phase: Phase, site: &str, actor: &str) -> Self {
        Event {
            kind,
            phase,
            site: site.to_owned(),
            actor: actor.to_owned(),
            item: None,
            previous: None,
            from: None,
            to: None,
            transition: None,
            comment: None,
            login: None,
            module: None,
            version: None,
        }
    }
}

/// A call from the site into the library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum Request {
    /// A hook: [`Plugin::on_event`](crate::Plugin::on_event).
    Event {
        /// The event.
        event: Box<Event>,
    },
    /// One item in an upgrade step: [`Plugin::upgrade`](crate::Plugin::upgrade).
    Upgrade {
        /// The version the step brings the data to.
        to: String,
        /// The item.
        item: Item,
    },
}

/// The library's answer to a [`Request`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Response {
    /// Done, nothing to say.
    Ok,
    /// The hook refuses the write, with a message for the user.
    Veto {
        /// The message.
        message: String,
    },
    /// The fields an upgrade step changes on the item.
    Fields {
        /// Field name → new value.
        fields: Map<String, Value>,
    },
    /// The call failed (a panic, a request the library cannot read).
    Error {
        /// What went wrong.
        message: String,
    },
}
