//! The writes of the workflow and security engine: firing transitions,
//! granting local roles, counters for reference numbers.

use std::collections::BTreeSet;

use chrono::{Datelike, Utc};
use serde::{Deserialize, Serialize};

use crate::access::Checker;
use crate::error::{Error, FieldError, Result};
use crate::hooks::{Event, Phase};
use crate::item::{HistoryEntry, Item, WorkflowStep};
use crate::schema::FieldKind;
use crate::security::{self, MANAGER, SITE_ADMINISTRATOR};
use crate::site::{encode, Writer};
use crate::workflow::{parse_publication_date, TransitionOptions};
use serde_json::Value;

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
        self.transition_with(
            path,
            transition,
            &TransitionOptions {
                comment: comment.to_owned(),
                ..TransitionOptions::default()
            },
        )
    }

    /// Fires `transition` on the item at `path` as [`Writer::transition`]
    /// does, and with `options`: sets its publication and expiry dates in
    /// the same change (they need `Modify` on the item; a type that
    /// declares no such fields keeps them as RFC 3339 strings under
    /// `effective` and `expires`, where search and the content API read
    /// them; a type whose field of that name is not a date or date-time
    /// refuses them), and with `include_children` fires it on every
    /// descendant, containers before their contents, where the writer may
    /// fire it now with this comment and these dates, skipping the others
    /// (as Plone does). Anything refused on the item itself, and a hook's
    /// veto on any of them, refuses the whole write. Answers the item.
    pub fn transition_with(
        &mut self,
        path: &str,
        transition: &str,
        options: &TransitionOptions,
    ) -> Result<Item> {
        let item = self.fire_one(path, transition, options)?;
        if options.include_children {
            let mut stack: Vec<Item> = self.children(&item.path)?;
            stack.reverse();
            while let Some(child) = stack.pop() {
                if self.may_fire_now(&child, transition, options)? {
                    self.fire_one(&child.path, transition, options)?;
                }
                let mut below = self.children(&child.path)?;
                below.reverse();
                stack.extend(below);
            }
        }
        Ok(item)
    }

    /// Whether `transition` would fire on `item` now, for this writer,
    /// with these options: what `include_children` asks of a descendant.
    fn may_fire_now(
        &self,
        item: &Item,
        transition: &str,
        options: &TransitionOptions,
    ) -> Result<bool> {
        if !self.can(item, security::VIEW)? {
            return Ok(false);
        }
        let site = self.site;
        let Some(wf) = site.security.workflow_for(&item.type_name) else {
            return Ok(false);
        };
        let state = item.review_state.clone().unwrap_or_default();
        let Some(t) = wf
            .transition(transition)
            .filter(|t| t.from.contains(&state))
        else {
            return Ok(false);
        };
        let who = self.who();
        if !self.is_unrestricted() && !Checker::new(site, who).may_fire(item, t, self)? {
            return Ok(false);
        }
        if Checker::new(site, who).guard(item, t).is_err() {
            return Ok(false);
        }
        if t.comment_required && options.comment.trim().is_empty() {
            return Ok(false);
        }
        if options.effective.is_some() || options.expires.is_some() {
            if !self.can(item, security::MODIFY)? {
                return Ok(false);
            }
            if self.publication_fields(item, options).is_err() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The `effective` and `expires` values `options` sets on `item`, as
    /// its type stores them; refused when a type's field of that name is
    /// not a date, or when the item would expire before it is published.
    fn publication_fields(
        &self,
        item: &Item,
        options: &TransitionOptions,
    ) -> Result<Vec<(String, Value)>> {
        let ty = self.site.schema().get(&item.type_name);
        let mut out = Vec::new();
        let mut errors = Vec::new();
        for (name, date) in [
            ("effective", options.effective),
            ("expires", options.expires),
        ] {
            let Some(d) = date else { continue };
            let v = match ty.and_then(|t| t.field(name)).map(|f| f.kind) {
                None | Some(FieldKind::Datetime) => Value::String(d.to_rfc3339()),
                Some(FieldKind::Date) => Value::String(d.format("%Y-%m-%d").to_string()),
                Some(_) => {
                    errors.push(FieldError::new(
                        name,
                        "not_a_date",
                        format!("the field `{name}` of a {} is not a date", item.type_name),
                    ));
                    continue;
                }
            };
            out.push((name.to_owned(), v));
        }
        if !out.is_empty() {
            let stored = |name: &str| {
                item.field(name)
                    .and_then(Value::as_str)
                    .and_then(parse_publication_date)
            };
            let effective = options.effective.or_else(|| stored("effective"));
            let expires = options.expires.or_else(|| stored("expires"));
            if let (Some(from), Some(until)) = (effective, expires) {
                if until < from {
                    errors.push(FieldError::new(
                        "expires",
                        "expires_before_effective",
                        "the expiry date comes before the publication date",
                    ));
                }
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(Error::Invalid(errors))
        }
    }

    /// Fires `transition` on the item at `path` alone.
    fn fire_one(
        &mut self,
        path: &str,
        transition: &str,
        options: &TransitionOptions,
    ) -> Result<Item> {
        let comment = options.comment.as_str();
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
        let dates = if options.effective.is_some() || options.expires.is_some() {
            if !self.can(&previous, security::MODIFY)? {
                return Err(Error::Forbidden(format!(
                    "{} may not set the publication dates of {path}",
                    who.name()
                )));
            }
            self.publication_fields(&previous, options)?
        } else {
            Vec::new()
        };
        let mut item = previous.clone();
        let mut changed = Vec::new();
        for (name, value) in dates {
            if item.fields.get(&name) != Some(&value) {
                changed.push(name.clone());
                item.fields.insert(name, value);
            }
        }
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
            changed,
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
