//! The writes of the workflow and security engine: firing transitions,
//! granting local roles, counters for reference numbers.

use std::collections::BTreeSet;

use chrono::{Datelike, Utc};
use serde::{Deserialize, Serialize};

use crate::access::Checker;
use crate::error::{Error, FieldError, Result};
use crate::hooks::{Event, Phase};
use crate::item::{HistoryEntry, Item, WorkflowStep};
use crate::security::{self, MANAGER, SITE_ADMINISTRATOR};
use crate::site::{encode, Writer};

#[derive(Serialize, Deserialize)]
struct CounterValue {
    year: i32,
    last: u64,
}

impl Writer<'_> {
    /// Fires the transition `transition` on the item at `path`: checks who
    /// may, the guard and the comment, runs `before` hooks (which may veto),
    /// changes the state, records history, recomputes the state's local
    /// roles, runs `after` hooks — all in this write.
    pub fn transition(&mut self, path: &str, transition: &str, comment: &str) -> Result<Item> {
        let previous = self.must_get(path)?;
        self.require(&previous, security::VIEW)?;
        let site = self.site;
        let Some(wf) = site.security.workflow_for(&previous.type_name) else {
            return Err(Error::Invalid(vec![FieldError::new(
                "transition",
                "no_workflow",
                format!("a {} has no workflow", previous.type_name),
            )]));
        };
        let state = previous.review_state.clone().unwrap_or_default();
        let Some(t) = wf
            .transition(transition)
            .filter(|t| t.from.contains(&state))
        else {
            let open: Vec<&str> = wf.leaving(&state).map(|t| t.id.as_str()).collect();
            return Err(Error::Invalid(vec![FieldError::new(
                "transition",
                "bad_transition",
                format!(
                    "`{transition}` cannot be fired from the state `{state}` (possible: {})",
                    open.join(", ")
                ),
            )]));
        };
        let who = self.who().clone();
        if !self.is_unrestricted() {
            let checker = Checker::new(site, &who);
            if !checker.may_fire(&previous, t, self)? {
                return Err(Error::Forbidden(format!(
                    "{} may not fire `{transition}` on {path}",
                    who.name()
                )));
            }
        }
        // Guards are the procedure's own conditions: they hold for everyone.
        if let Err(closed) = Checker::new(site, &who).guard(&previous, t) {
            return Err(Error::Closed(closed));
        }
        let comment = comment.trim();
        if t.comment_required && comment.is_empty() {
            return Err(Error::Invalid(vec![FieldError::new(
                "comment",
                "required",
                format!("`{transition}` needs a comment"),
            )]));
        }
        if crate::schema::looks_like_html(comment) {
            return Err(Error::Invalid(vec![FieldError::new(
                "comment",
                "html_not_allowed",
                "the comment is plain text",
            )]));
        }
        let mut item = previous.clone();
        item.review_state = Some(t.to.clone());
        item.workflow_roles = site.security.workflow_roles(&item);
        item.revision += 1;
        item.modified = Utc::now();
        let event = Event::ItemTransitioned {
            item: &item,
            previous: &previous,
            transition,
            comment,
        };
        self.fire(Phase::Before, &event)?;
        self.store_item(&item);
        // What is inside may take its permissions from this state.
        self.touch_below(&item.uid)?;
        let entry = HistoryEntry {
            revision: item.revision,
            action: "transition".into(),
            actor: who.name().to_owned(),
            time: item.modified,
            changed: Vec::new(),
            note: None,
            workflow: Some(WorkflowStep {
                transition: transition.to_owned(),
                from: state.clone(),
                to: t.to.clone(),
                comment: comment.to_owned(),
            }),
        };
        self.tx.put(
            &site.keys().history_entry(&item.uid, item.revision),
            encode(&entry),
        );
        self.audit(
            "transition",
            &item.path,
            &format!("{transition}: {state} → {}", t.to),
        );
        let event = Event::ItemTransitioned {
            item: &item,
            previous: &previous,
            transition,
            comment,
        };
        self.fire(Phase::After, &event)?;
        Ok(item)
    }

    /// Puts the item at `path` back in its workflow's initial state: the
    /// way out for items left in a state their workflow no longer has
    /// (after `site.toml` changed a type's workflow or switched an
    /// adaptation off). Needs `Manage site`; recorded in history and audit.
    pub fn reset_workflow_state(&mut self, path: &str) -> Result<Item> {
        let root = self.must_get("/")?;
        if !self.can(&root, security::MANAGE_SITE)? {
            return Err(Error::Forbidden(
                "resetting a workflow state needs the permission `Manage site`".into(),
            ));
        }
        let previous = self.must_get(path)?;
        let site = self.site;
        let Some(wf) = site.security.workflow_for(&previous.type_name) else {
            return Err(Error::Invalid(vec![FieldError::new(
                "transition",
                "no_workflow",
                format!("a {} has no workflow", previous.type_name),
            )]));
        };
        let from = previous.review_state.clone().unwrap_or_default();
        let mut item = previous.clone();
        item.review_state = Some(wf.initial.clone());
        item.workflow_roles = site.security.workflow_roles(&item);
        item.revision += 1;
        item.modified = Utc::now();
        self.store_item(&item);
        self.touch_below(&item.uid)?;
        let entry = HistoryEntry {
            revision: item.revision,
            action: "transition".into(),
            actor: self.actor().to_owned(),
            time: item.modified,
            changed: Vec::new(),
            note: None,
            workflow: Some(WorkflowStep {
                transition: "reset".into(),
                from: from.clone(),
                to: wf.initial.clone(),
                comment: String::new(),
            }),
        };
        self.tx.put(
            &site.keys().history_entry(&item.uid, item.revision),
            encode(&entry),
        );
        self.audit(
            "workflow_reset",
            &item.path,
            &format!("{from} → {}", wf.initial),
        );
        Ok(item)
    }

    /// Grants `roles` on the item at `path` to `principal` (a login or a
    /// group id), replacing what they had there; no roles removes the grant.
    /// One may only grant roles one holds on the item; Manager and Site
    /// Administrator are never granted locally.
    pub fn set_local_roles(
        &mut self,
        path: &str,
        principal: &str,
        roles: &[String],
    ) -> Result<Item> {
        let mut item = self.must_get(path)?;
        self.require(&item, security::SHARE)?;
        let site = self.site;
        if self.load_user(principal).is_err()
            && self.load_group(principal)?.is_none()
            && principal != security::AUTHENTICATED_USERS
        {
            return Err(Error::Invalid(vec![FieldError::new(
                "principal",
                "unknown_principal",
                format!("no user or group is called `{principal}`"),
            )]));
        }
        let wanted: BTreeSet<String> = roles.iter().cloned().collect();
        let held = if self.is_unrestricted() {
            site.roles().clone()
        } else {
            Checker::new(site, self.who()).roles_on(&item, self)?
        };
        let before = item.local_roles.get(principal).cloned().unwrap_or_default();
        // Roles added or removed must be the writer's to give; roles left
        // as they were need nothing.
        for r in wanted.symmetric_difference(&before) {
            if !site.roles().contains(r) {
                return Err(Error::Invalid(vec![FieldError::new(
                    "roles",
                    "unknown_role",
                    format!("no role is called `{r}`"),
                )]));
            }
            let global_only = matches!(
                r.as_str(),
                MANAGER
                    | SITE_ADMINISTRATOR
                    | security::ANONYMOUS
                    | security::AUTHENTICATED
                    | security::OWNER
            );
            if global_only || (!held.contains(r) && !held.contains(MANAGER)) {
                return Err(Error::Forbidden(format!(
                    "{} may not grant the role `{r}` on {path}",
                    self.who().name()
                )));
            }
        }
        if before == wanted {
            return Ok(item);
        }
        if wanted.is_empty() {
            item.local_roles.remove(principal);
        } else {
            item.local_roles
                .insert(principal.to_owned(), wanted.clone());
        }
        item.revision += 1;
        item.modified = Utc::now();
        self.store_item(&item);
        self.touch_below(&item.uid)?;
        self.record(&item, "sharing", Vec::new(), Some(principal.to_owned()));
        let list: Vec<&str> = wanted.iter().map(String::as_str).collect();
        self.audit(
            "local_roles",
            &item.path,
            &format!("{principal}: [{}]", list.join(", ")),
        );
        Ok(item)
    }

    /// Stops (or resumes) the inheritance of local roles granted above the
    /// item at `path`.
    pub fn set_block_inheritance(&mut self, path: &str, block: bool) -> Result<Item> {
        let mut item = self.must_get(path)?;
        self.require(&item, security::SHARE)?;
        if item.block_inheritance == block {
            return Ok(item);
        }
        item.block_inheritance = block;
        item.revision += 1;
        item.modified = Utc::now();
        self.store_item(&item);
        self.touch_below(&item.uid)?;
        self.record(
            &item,
            "sharing",
            Vec::new(),
            Some(format!("inherit: {}", !block)),
        );
        self.audit(
            "block_inheritance",
            &item.path,
            if block { "blocked" } else { "inherited" },
        );
        Ok(item)
    }

    /// The next reference number of the counter `name`, formatted. The
    /// counter moves in this write's transaction: a write that fails gives
    /// its number back, and writes are serialised, so no number is given twice.
    pub fn next_number(&mut self, name: &str) -> Result<String> {
        let Some((format, yearly)) = self.site.security.counters.get(name).cloned() else {
            return Err(Error::NotFound(format!("counter `{name}`")));
        };
        let key = self.site.keys().counter(name);
        let today = Utc::now().date_naive();
        let mut value = match self.tx.get(&key)? {
            Some(b) => crate::site::decode::<CounterValue>(&key, &b)?,
            None => CounterValue {
                year: today.year(),
                last: 0,
            },
        };
        if yearly && value.year != today.year() {
            value = CounterValue {
                year: today.year(),
                last: 0,
            };
        }
        value.year = today.year();
        value.last += 1;
        self.tx.put(&key, encode(&value));
        Ok(crate::workflow::format_number(&format, value.last, today))
    }
}
