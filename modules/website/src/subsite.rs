//! Collaborative sections, as CommunesPlone wanted them: the town gives a
//! communal service, an association or a local business its own part of
//! the site. Its members (the `members` field, one login per line) may add
//! and edit there; publishing stays with the town's reviewers, so nothing
//! reaches the public without the town's review. The section has its own
//! banner and menu, and stays inside the town's site, navigation and
//! search.

use beffroi::prelude::*;
use beffroi::view::{Decorations, Page, View};

/// The type of a collaborative section.
pub(crate) const SUBSITE: &str = "Subsite";

/// What its members hold there: they add, edit and see drafts, and
/// submit for review; they do not publish.
const MEMBER_ROLES: &[&str] = &["Contributor", "Editor", "Reader"];

/// The views of this part.
pub(crate) fn views() -> Vec<View> {
    Vec::new()
}

/// Its hook subscribers.
pub(crate) fn subscribers() -> Vec<Subscriber> {
    vec![
        Subscriber {
            name: "website-subsite-members-exist",
            phase: Phase::Before,
            order: 0,
            handler: check_members,
        },
        Subscriber {
            name: "website-subsite-members",
            phase: Phase::After,
            order: 0,
            handler: grant_members,
        },
    ]
}

/// The logins a `members` field lists.
fn members(item: &Item) -> Vec<String> {
    item.field("members")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .split(['\n', ',', ';'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn check_members(w: &mut Writer<'_>, e: &Event<'_>) -> std::result::Result<(), Veto> {
    let item = match e {
        Event::ItemAdded(item) | Event::ItemModified { item, .. } => item,
        _ => return Ok(()),
    };
    if item.type_name != SUBSITE {
        return Ok(());
    }
    for login in members(item) {
        if w.site()
            .user(&login)
            .map_err(|e| Veto(e.to_string()))?
            .is_none()
        {
            return Err(Veto(format!(
                "no account is called `{login}`: list the members by their login, one per line"
            )));
        }
    }
    Ok(())
}

fn grant_members(w: &mut Writer<'_>, e: &Event<'_>) -> std::result::Result<(), Veto> {
    let (item, before) = match e {
        Event::ItemAdded(item) => (*item, Vec::new()),
        Event::ItemModified { item, previous } => (*item, members(previous)),
        _ => return Ok(()),
    };
    if item.type_name != SUBSITE {
        return Ok(());
    }
    let now = members(item);
    if now == before {
        return Ok(());
    }
    let path = item.path.clone();
    let roles: Vec<String> = MEMBER_ROLES.iter().map(|r| (*r).to_owned()).collect();
    // Granting is the town's decision, taken by whoever may edit the
    // section's settings; the grant itself needs no Share permission.
    w.unrestricted(|w| {
        for gone in before.iter().filter(|l| !now.contains(l)) {
            w.set_local_roles(&path, gone, &[])?;
        }
        for login in &now {
            w.set_local_roles(&path, login, &roles)?;
        }
        Ok(())
    })
    .map_err(|e| Veto(e.to_string()))
}

/// The nearest collaborative section holding `item` (or `item` itself).
fn enclosing(page: &Page<'_>, item: &Item) -> Result<Option<Item>> {
    let reader = page.reader();
    let mut cur = Some(item.clone());
    while let Some(node) = cur {
        if node.type_name == SUBSITE {
            return Ok(Some(node));
        }
        cur = match node.parent.as_deref() {
            Some(uid) => reader.get_by_uid(uid)?,
            None => None,
        };
    }
    Ok(None)
}

/// A collaborative section's own menu, above the content of every page
/// inside it.
pub(crate) fn decorate(page: &Page<'_>, item: Option<&Item>, out: &mut Decorations) -> Result<()> {
    let Some(item) = item else {
        return Ok(());
    };
    let Some(sub) = enclosing(page, item)? else {
        return Ok(());
    };
    let current_top = item
        .path
        .strip_prefix(&format!("{}/", sub.path))
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default()
        .to_owned();
    let menu: Vec<Value> = page
        .reader()
        .children(&sub.path)?
        .iter()
        .filter(|c| c.field("exclude_from_nav").and_then(Value::as_bool) != Some(true))
        .filter(|c| !crate::sections::SECTIONS.iter().any(|(t, _)| *t == c.type_name))
        .map(|c| json!({"url": page.url(&c.path), "title": c.title(), "current": c.id == current_top}))
        .collect();
    let mut values = Map::new();
    values.insert("subsite_title".into(), json!(sub.title()));
    values.insert("subsite_url".into(), json!(page.url(&sub.path)));
    values.insert("menu".into(), Value::Array(menu));
    out.above_content
        .push(page.fragment("website/subsite_menu.html", &values)?);
    out.values.insert(
        "subsite".into(),
        json!({"title": sub.title(), "url": page.url(&sub.path)}),
    );
    Ok(())
}
