//! The publication workflow's mail: reviewers are told when something is
//! submitted for review (as iMio's content rule does for events proposed
//! by outside organisers), and a first publication dates the item.

use beffroi::prelude::*;
use beffroi::view::{Decorations, Page, View};

/// The views of this part.
pub(crate) fn views() -> Vec<View> {
    Vec::new()
}

/// Its hook subscribers.
pub(crate) fn subscribers() -> Vec<Subscriber> {
    vec![
        Subscriber {
            name: "website-notify-reviewers",
            phase: Phase::After,
            order: 0,
            handler: notify_reviewers,
        },
        Subscriber {
            name: "website-date-first-publication",
            phase: Phase::After,
            order: 1,
            handler: date_first_publication,
        },
    ]
}

/// What it adds to pages.
pub(crate) fn decorate(
    _page: &Page<'_>,
    _item: Option<&Item>,
    _out: &mut Decorations,
) -> Result<()> {
    Ok(())
}

/// The logins of those who may review `item`: global Reviewers, Site
/// Administrators and Managers, and whoever holds Reviewer on it or above.
fn reviewers(w: &Writer<'_>, item: &Item) -> Result<Vec<(String, String)>> {
    let site = w.site();
    let mut local = std::collections::BTreeSet::new();
    let mut cur = Some(item.clone());
    while let Some(node) = cur {
        for (principal, roles) in node.local_roles.iter().chain(node.workflow_roles.iter()) {
            if roles.iter().any(|r| r == "Reviewer") {
                local.insert(principal.clone());
            }
        }
        cur = match node.parent.as_deref() {
            Some(p) => site.get_by_uid(p)?,
            None => None,
        };
    }
    Ok(site
        .users()?
        .into_iter()
        .filter(|u| u.enabled)
        .filter(|u| {
            local.contains(&u.login)
                || u.roles
                    .iter()
                    .any(|r| r == "Reviewer" || r == "Site Administrator")
        })
        .filter_map(|u| u.email.map(|e| (u.login, e)))
        .collect())
}

fn notify_reviewers(w: &mut Writer<'_>, e: &Event<'_>) -> std::result::Result<(), Veto> {
    let Event::ItemTransitioned {
        item, transition, ..
    } = e
    else {
        return Ok(());
    };
    if item.review_state.as_deref() != Some("pending") {
        return Ok(());
    }
    let to = reviewers(w, item).map_err(|e| Veto(e.to_string()))?;
    if to.is_empty() {
        return Ok(());
    }
    let site = w.site();
    let base = site.config().url.clone().unwrap_or_else(|| {
        format!(
            "http://{}",
            site.config()
                .hosts
                .first()
                .map_or("localhost", |h| h.as_str())
        )
    });
    let url = format!("{}{}", base.trim_end_matches('/'), item.path);
    let by = match w.who().fullname() {
        "" => w.who().name().to_owned(),
        name => name.to_owned(),
    };
    let lang = site.config().default_language.clone();
    let catalog = site.renderer().catalog();
    let args = [
        ("title", item.title().to_owned()),
        ("by", by),
        ("url", url),
        ("transition", (*transition).to_owned()),
    ];
    let subject = catalog.message(&lang, "website-mail-submitted-subject", &args);
    let body = catalog.message(&lang, "website-mail-submitted-body", &args);
    for (_, email) in to {
        w.queue_mail(&email, &subject, &body);
    }
    Ok(())
}

/// A first publication without a publication date is dated now, as Plone
/// does: listings and feeds order by it.
fn date_first_publication(w: &mut Writer<'_>, e: &Event<'_>) -> std::result::Result<(), Veto> {
    let Event::ItemTransitioned { item, .. } = e else {
        return Ok(());
    };
    if item.review_state.as_deref() != Some("published") {
        return Ok(());
    }
    let has_field = w
        .site()
        .schema()
        .get(&item.type_name)
        .is_some_and(|t| t.field("effective").is_some());
    let dated = item.field("effective").is_some_and(|v| !v.is_null());
    if !has_field || dated {
        return Ok(());
    }
    let mut data = Map::new();
    data.insert(
        "effective".into(),
        json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
    );
    // The reviewer who publishes may not hold Modify: the date is the
    // workflow's doing, not theirs.
    let path = item.path.clone();
    w.unrestricted(|w| w.update(&path, data, None).map(|_| ()))
        .map_err(|e| Veto(e.to_string()))
}
