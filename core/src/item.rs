//! Items: the instances of content types, placed in a site's tree.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::security::LocalRoles;

/// One piece of content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// A unique, never reused identifier: 32 hexadecimal digits.
    pub uid: String,
    /// The content type's name.
    #[serde(rename = "type")]
    pub type_name: String,
    /// The last segment of its path; empty for the site root.
    pub id: String,
    /// Its path from the site root: `/` for the root, `/services/etat-civil` below.
    pub path: String,
    /// The uid of its container; `None` for the root.
    pub parent: Option<String>,
    /// Its place among its siblings.
    pub position: u64,
    /// Field values, `title` and `description` included.
    pub fields: Map<String, Value>,
    /// When it was added.
    pub created: DateTime<Utc>,
    /// When it last changed.
    pub modified: DateTime<Utc>,
    /// Who added it.
    pub creator: String,
    /// Its workflow state, once the workflow engine sets one.
    pub review_state: Option<String>,
    /// Its language, when it is not the site's default.
    pub language: Option<String>,
    /// Increases with every change; a write naming an older one is refused.
    pub revision: u64,
    /// Local roles granted here by hand (sharing): principal → roles.
    #[serde(default, skip_serializing_if = "LocalRoles::is_empty")]
    pub local_roles: LocalRoles,
    /// Local roles the workflow state grants here, recomputed at each
    /// transition and when the fields they come from change.
    #[serde(default, skip_serializing_if = "LocalRoles::is_empty")]
    pub workflow_roles: LocalRoles,
    /// Whether local roles granted on containers stop here.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub block_inheritance: bool,
}

impl Item {
    /// The item's title.
    pub fn title(&self) -> &str {
        self.text("title")
    }

    /// The item's summary.
    pub fn description(&self) -> &str {
        self.text("description")
    }

    /// A field's value, or `None` when unset.
    pub fn field(&self, name: &str) -> Option<&Value> {
        self.fields.get(name).filter(|v| !v.is_null())
    }

    fn text(&self, name: &str) -> &str {
        self.fields.get(name).and_then(Value::as_str).unwrap_or("")
    }

    /// The path of the item's container; `None` for the root.
    pub fn parent_path(&self) -> Option<&str> {
        if self.path == "/" {
            return None;
        }
        match self.path.rfind('/') {
            Some(0) => Some("/"),
            Some(i) => Some(&self.path[..i]),
            None => None,
        }
    }
}

/// One line of an item's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The revision this change produced.
    pub revision: u64,
    /// What happened: `added`, `modified`, `moved`, `copied`, `reordered`.
    pub action: String,
    /// Who did it.
    pub actor: String,
    /// When.
    pub time: DateTime<Utc>,
    /// The fields that changed, for `modified`.
    #[serde(default)]
    pub changed: Vec<String>,
    /// A note: where it moved from, what it was copied from.
    #[serde(default)]
    pub note: Option<String>,
    /// For a workflow transition: which, from where to where, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow: Option<WorkflowStep>,
}

/// A workflow transition in an item's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowStep {
    /// The transition fired.
    pub transition: String,
    /// The state it left.
    pub from: String,
    /// The state it reached.
    pub to: String,
    /// The comment given.
    #[serde(default)]
    pub comment: String,
}

/// Whether `item` is within its publication dates at `now` (seconds since
/// the epoch): its `effective` date, if set, has come, and its `expires`
/// date, if set, has not. Items without dates are always active.
pub fn active_at(item: &Item, now: i64) -> bool {
    let date = |name: &str| {
        item.field(name)
            .and_then(serde_json::Value::as_str)
            .and_then(crate::search::timestamp)
    };
    date("effective").is_none_or(|from| from <= now)
        && date("expires").is_none_or(|until| until > now)
}
