//! Workflows as data: states with their permission → roles maps and the
//! local roles they grant to groups chosen by the item's own fields;
//! transitions with who may fire them, an optional guard, and whether a
//! comment is required; optional adaptations a site switches on. A checker
//! refuses broken ones at start-up, naming the file and the state.
//!
//! Firing a transition is [`Writer::transition`](crate::site::Writer::transition).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::item::Item;
use crate::schema::{Schema, Translated};
use crate::security::Principal;
use crate::site::Site;

/// A workflow, after the site's adaptations are applied.
#[derive(Debug, Clone, Serialize)]
pub struct Workflow {
    /// Its name, which types refer to.
    pub name: String,
    /// Its title, per language.
    pub title: Translated,
    /// What it is for, per language.
    pub description: Translated,
    /// The state new items start in.
    pub initial: String,
    /// Its states.
    pub states: Vec<State>,
    /// Its transitions.
    pub transitions: Vec<Transition>,
    /// The optional parts a site may switch on.
    pub adaptations: Vec<Adaptation>,
    /// The module that declared it.
    pub module: String,
    /// The file it was read from, `module/file`.
    pub source: String,
}

/// A state.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// Its id (`private`, `proposed`…).
    pub id: String,
    /// Its title, per language.
    #[serde(default)]
    pub title: Translated,
    /// Permission → the roles that hold it in this state. A permission not
    /// listed is taken from the container.
    #[serde(default)]
    pub permissions: BTreeMap<String, BTreeSet<String>>,
    /// Local roles this state grants, to groups chosen by the item's fields.
    #[serde(default)]
    pub local_roles: Vec<LocalRoleRule>,
    /// Whether items may rest here for good (nobody needs to leave it).
    #[serde(default, rename = "final")]
    pub is_final: bool,
    /// Present only when the site switches this adaptation on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adaptation: Option<String>,
    /// Present only when the site leaves this adaptation off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub without: Option<String>,
}

/// Who gets which roles on an item in a state. Exactly one of `group`,
/// `service`, `field` says who; with `service` or `field`, `function` says
/// which of the service's groups.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalRoleRule {
    /// A fixed group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// A fixed service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// A field of the item holding a service id (or a list of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The service's function whose group gets the roles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// The roles granted.
    pub roles: BTreeSet<String>,
}

/// A transition.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// Its id (`publish`, `propose`…), used in URLs.
    pub id: String,
    /// Its title, per language (the button's label).
    #[serde(default)]
    pub title: Translated,
    /// The states it leaves from.
    pub from: Vec<String>,
    /// The state it leads to.
    pub to: String,
    /// The permission needed to fire it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permission: Option<String>,
    /// Or: the roles that may fire it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// A guard a module registers under this name: it may close the
    /// transition with a reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guard: Option<String>,
    /// Whether firing it needs a comment.
    #[serde(default)]
    pub comment_required: bool,
    /// Present only when the site switches this adaptation on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adaptation: Option<String>,
    /// Present only when the site leaves this adaptation off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub without: Option<String>,
}

/// An optional part of a workflow.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adaptation {
    /// Its id, named in `site.toml`.
    pub id: String,
    /// What it does, per language.
    #[serde(default)]
    pub title: Translated,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkflow {
    name: String,
    #[serde(default)]
    title: Translated,
    #[serde(default)]
    description: Translated,
    initial: String,
    #[serde(default, rename = "state")]
    states: Vec<State>,
    #[serde(default, rename = "transition")]
    transitions: Vec<Transition>,
    #[serde(default, rename = "adaptation")]
    adaptations: Vec<Adaptation>,
}

/// Parses a workflow declaration, keeping every optional part.
pub fn parse(module: &str, file: &str, text: &str) -> Result<Workflow> {
    let raw: RawWorkflow = toml::from_str(text).map_err(|e| Error::Config {
        file: format!("{module}/{file}"),
        message: e.to_string(),
    })?;
    Ok(Workflow {
        name: raw.name,
        title: raw.title,
        description: raw.description,
        initial: raw.initial,
        states: raw.states,
        transitions: raw.transitions,
        adaptations: raw.adaptations,
        module: module.to_owned(),
        source: format!("{module}/{file}"),
    })
}

impl Workflow {
    /// The workflow with the given adaptations switched on: parts marked
    /// `adaptation` stay only if theirs is on, parts marked `without` only if
    /// theirs is off. Unknown adaptations are an error.
    pub fn adapted(&self, on: &[String]) -> Result<Workflow> {
        for a in on {
            if !self.adaptations.iter().any(|d| &d.id == a) {
                let known: Vec<&str> = self.adaptations.iter().map(|d| d.id.as_str()).collect();
                return Err(Error::Config {
                    file: "site.toml".into(),
                    message: format!(
                        "workflow `{}` has no adaptation `{a}` (it has: {})",
                        self.name,
                        if known.is_empty() {
                            "none".to_owned()
                        } else {
                            known.join(", ")
                        }
                    ),
                });
            }
        }
        let keep = |adaptation: &Option<String>, without: &Option<String>| {
            adaptation.as_ref().is_none_or(|a| on.contains(a))
                && without.as_ref().is_none_or(|a| !on.contains(a))
        };
        let mut w = self.clone();
        w.states.retain(|s| keep(&s.adaptation, &s.without));
        w.transitions.retain(|t| keep(&t.adaptation, &t.without));
        Ok(w)
    }

    /// The state called `id`.
    pub fn state(&self, id: &str) -> Option<&State> {
        self.states.iter().find(|s| s.id == id)
    }

    /// The transition called `id`.
    pub fn transition(&self, id: &str) -> Option<&Transition> {
        self.transitions.iter().find(|t| t.id == id)
    }

    /// The transitions that leave `state`, in declared order.
    pub fn leaving<'a>(&'a self, state: &'a str) -> impl Iterator<Item = &'a Transition> + 'a {
        self.transitions
            .iter()
            .filter(move |t| t.from.iter().any(|f| f == state))
    }
}

/// Refuses parts marked with an adaptation the workflow does not declare
/// (a typo would make them vanish silently).
pub(crate) fn check_adaptation_names(w: &Workflow) -> Result<()> {
    let known: BTreeSet<&str> = w.adaptations.iter().map(|a| a.id.as_str()).collect();
    let mut problems = Vec::new();
    let marks = w
        .states
        .iter()
        .map(|s| ("state", &s.id, &s.adaptation, &s.without))
        .chain(
            w.transitions
                .iter()
                .map(|t| ("transition", &t.id, &t.adaptation, &t.without)),
        );
    for (kind, id, adaptation, without) in marks {
        for a in [adaptation, without].into_iter().flatten() {
            if !known.contains(a.as_str()) {
                problems.push(format!(
                    "{kind} `{id}`: adaptation `{a}` is not declared in `[[adaptation]]`"
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Config {
            file: w.source.clone(),
            message: format!("workflow `{}`: {}", w.name, problems.join("; ")),
        })
    }
}

/// What the checker knows about the rest of the site.
pub(crate) struct CheckContext<'a> {
    pub(crate) roles: &'a BTreeSet<String>,
    pub(crate) permissions: &'a BTreeSet<String>,
    pub(crate) guards: &'a BTreeSet<String>,
    pub(crate) functions: &'a BTreeSet<String>,
    pub(crate) schema: &'a Schema,
    /// Type name → workflow name.
    pub(crate) chain: &'a BTreeMap<String, String>,
}

/// Checks one (adapted) workflow; every problem is reported, each naming
/// the file and the state or transition.
pub(crate) fn check(w: &Workflow, cx: &CheckContext<'_>) -> Result<()> {
    let mut problems: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    for s in &w.states {
        if !seen.insert(s.id.as_str()) {
            problems.push(format!("state `{}` is declared twice", s.id));
        }
    }
    if w.state(&w.initial).is_none() {
        problems.push(format!("the initial state `{}` is not declared", w.initial));
    }
    let types_using: Vec<&crate::schema::TypeDef> = cx
        .chain
        .iter()
        .filter(|(_, wf)| **wf == w.name)
        .filter_map(|(t, _)| cx.schema.get(t))
        .collect();
    for s in &w.states {
        for (perm, roles) in &s.permissions {
            if !known_permission(perm, cx) {
                problems.push(format!("state `{}`: unknown permission `{perm}`", s.id));
            }
            for r in roles {
                if !cx.roles.contains(r) {
                    problems.push(format!("state `{}`: unknown role `{r}` for `{perm}`", s.id));
                }
            }
        }
        for rule in &s.local_roles {
            let who = [&rule.group, &rule.service, &rule.field]
                .iter()
                .filter(|x| x.is_some())
                .count();
            if who != 1 {
                problems.push(format!(
                    "state `{}`: a local role rule names exactly one of `group`, `service`, `field`",
                    s.id
                ));
            }
            if (rule.service.is_some() || rule.field.is_some()) && rule.function.is_none() {
                problems.push(format!(
                    "state `{}`: a local role rule with `service` or `field` needs `function`",
                    s.id
                ));
            }
            if let Some(f) = &rule.function {
                if !cx.functions.contains(f) {
                    problems.push(format!("state `{}`: unknown function `{f}`", s.id));
                }
            }
            if let Some(field) = &rule.field {
                for t in &types_using {
                    if t.field(field).is_none() {
                        problems.push(format!(
                            "state `{}`: type `{}` has no field `{field}`",
                            s.id, t.name
                        ));
                    }
                }
            }
            for r in &rule.roles {
                if !cx.roles.contains(r) {
                    problems.push(format!("state `{}`: unknown role `{r}`", s.id));
                } else if matches!(
                    r.as_str(),
                    crate::security::MANAGER
                        | crate::security::SITE_ADMINISTRATOR
                        | crate::security::ANONYMOUS
                        | crate::security::AUTHENTICATED
                        | crate::security::OWNER
                ) {
                    problems.push(format!(
                        "state `{}`: `{r}` cannot be granted as a local role",
                        s.id
                    ));
                }
            }
        }
    }
    let mut tseen = BTreeSet::new();
    for t in &w.transitions {
        if !tseen.insert(t.id.as_str()) {
            problems.push(format!("transition `{}` is declared twice", t.id));
        }
        if t.from.is_empty() {
            problems.push(format!("transition `{}` leaves from no state", t.id));
        }
        for f in &t.from {
            if w.state(f).is_none() {
                problems.push(format!(
                    "transition `{}` leaves from unknown state `{f}`",
                    t.id
                ));
            }
        }
        if w.state(&t.to).is_none() {
            problems.push(format!(
                "transition `{}` leads to unknown state `{}`",
                t.id, t.to
            ));
        }
        match (&t.permission, t.roles.is_empty()) {
            (None, true) => problems.push(format!(
                "transition `{}` names neither `permission` nor `roles`: nobody could fire it",
                t.id
            )),
            (Some(p), _) if !known_permission(p, cx) => {
                problems.push(format!("transition `{}`: unknown permission `{p}`", t.id))
            }
            _ => {}
        }
        for r in &t.roles {
            if !cx.roles.contains(r) {
                problems.push(format!("transition `{}`: unknown role `{r}`", t.id));
            }
        }
        if let Some(g) = &t.guard {
            if !cx.guards.contains(g) {
                problems.push(format!("transition `{}`: unknown guard `{g}`", t.id));
            }
        }
    }
    if w.state(&w.initial).is_some() {
        // Reachability from the initial state.
        let mut reached = BTreeSet::from([w.initial.as_str()]);
        let mut queue = VecDeque::from([w.initial.as_str()]);
        while let Some(s) = queue.pop_front() {
            for t in w.leaving(s) {
                if reached.insert(t.to.as_str()) {
                    queue.push_back(t.to.as_str());
                }
            }
        }
        for s in &w.states {
            if !reached.contains(s.id.as_str()) {
                problems.push(format!(
                    "state `{}` cannot be reached from the initial state `{}`",
                    s.id, w.initial
                ));
            }
            if !s.is_final && w.leaving(&s.id).next().is_none() {
                problems.push(format!(
                    "state `{}`: no transition leaves it and it is not marked `final = true`",
                    s.id
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Config {
            file: w.source.clone(),
            message: format!("workflow `{}`: {}", w.name, problems.join("; ")),
        })
    }
}

fn known_permission(p: &str, cx: &CheckContext<'_>) -> bool {
    cx.permissions.contains(p)
        || p.strip_prefix("Add ")
            .is_some_and(|t| cx.schema.get(t).is_some())
}

/// Why a transition cannot be fired now: a message id of the site's
/// translations (with arguments), so each visitor reads it in their language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Closed {
    /// The Fluent message id (`guard-category-required`).
    pub message: String,
    /// Values for the message's variables.
    pub args: Vec<(String, String)>,
}

impl Closed {
    /// A reason without arguments.
    pub fn new(message: &str) -> Self {
        Self {
            message: message.to_owned(),
            args: Vec::new(),
        }
    }
}

/// What a guard sees.
pub struct GuardContext<'a> {
    /// The site.
    pub site: &'a Site,
    /// The item, as it is now.
    pub item: &'a Item,
    /// Who wants to fire the transition.
    pub who: &'a Principal,
    /// The transition's id.
    pub transition: &'a str,
}

/// A guard: code that may close a transition with a reason.
#[derive(Clone, Copy)]
pub struct Guard {
    /// The name workflows use in `guard = "…"`.
    pub name: &'static str,
    /// The check.
    pub check: fn(&GuardContext<'_>) -> std::result::Result<(), Closed>,
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Guard({})", self.name)
    }
}

/// A transition as one user sees it on one item.
#[derive(Debug, Clone, Serialize)]
pub struct Available {
    /// The transition's id.
    pub id: String,
    /// The state it leads to.
    pub to: String,
    /// Whether a comment is needed.
    pub comment_required: bool,
    /// `None` when the user may fire it now; else why not.
    pub closed: Option<Closed>,
}

/// A counter for reference numbers, declared by a module.
#[derive(Debug, Clone, Copy)]
pub struct CounterDef {
    /// Its name, unique on the site.
    pub name: &'static str,
    /// Its format: `{n}`, `{n:04}` (zero-padded), `{yyyy}`, `{yy}`, `{mm}`,
    /// `{dd}`, and any other text as is. `E{n:04}` gives `E0001`.
    pub format: &'static str,
    /// Whether it starts again at 1 each calendar year.
    pub yearly: bool,
}

/// Formats a counter's value.
pub fn format_number(format: &str, n: u64, date: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let mut out = String::new();
    let mut rest = format;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let token = &rest[start + 1..start + end];
        match token {
            "n" => out.push_str(&n.to_string()),
            "yyyy" => out.push_str(&format!("{:04}", date.year())),
            "yy" => out.push_str(&format!("{:02}", date.year() % 100)),
            "mm" => out.push_str(&format!("{:02}", date.month())),
            "dd" => out.push_str(&format!("{:02}", date.day())),
            t => match t.strip_prefix("n:").and_then(|w| w.parse::<usize>().ok()) {
                Some(width) => out.push_str(&format!("{n:0width$}")),
                None => out.push_str(&rest[start..=start + end]),
            },
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

/// Checks a counter format: known tokens only, and `{n}` present.
pub(crate) fn check_format(format: &str) -> std::result::Result<(), String> {
    let mut has_n = false;
    let mut rest = format;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else {
            return Err(format!("`{format}`: a `{{` is not closed"));
        };
        let token = &rest[start + 1..start + end];
        match token {
            "yyyy" | "yy" | "mm" | "dd" => {}
            "n" => has_n = true,
            t if t
                .strip_prefix("n:")
                .is_some_and(|w| w.parse::<usize>().is_ok_and(|w| w <= 12)) =>
            {
                has_n = true;
            }
            t => return Err(format!("`{format}`: unknown token `{{{t}}}`")),
        }
        rest = &rest[start + end + 1..];
    }
    if has_n {
        Ok(())
    } else {
        Err(format!("`{format}` has no `{{n}}`"))
    }
}

/// What firing a transition may carry besides the transition itself
/// (plone.restapi's `POST @workflow/{transition}` body).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TransitionOptions {
    /// Why; recorded in history.
    pub comment: String,
    /// The publication date to set on the item, in the same write.
    pub effective: Option<chrono::DateTime<chrono::Utc>>,
    /// The expiry date to set on the item, in the same write.
    pub expires: Option<chrono::DateTime<chrono::Utc>>,
    /// Also fire the transition on every descendant where the writer may
    /// fire it now; the others are skipped.
    pub include_children: bool,
}

/// Reads a publication or expiry date as clients send it: RFC 3339
/// (`2026-03-01T10:00:00+01:00`), a date and time without offset (taken as
/// UTC, as Volto's widgets send it), or a bare date (midnight UTC). Years
/// 1700 to 2200 only; `None` otherwise.
pub fn parse_publication_date(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::{NaiveDate, NaiveDateTime, Utc};
    let s = s.trim();
    let d = if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
        d.with_timezone(&Utc)
    } else if let Ok(d) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        d.and_utc()
    } else if let Ok(d) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M") {
        d.and_utc()
    } else {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()?
            .and_hms_opt(0, 0, 0)?
            .and_utc()
    };
    use chrono::Datelike;
    (1700..=2200).contains(&d.year()).then_some(d)
}
