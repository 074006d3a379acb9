//! Events: recurrence, current and upcoming listings, iCalendar.
//!
//! - A write of an Event whose end is before its start, or whose
//!   recurrence is not a rule this site can follow, is refused before it
//!   is stored ([`recurrence`], [`schedule`]).
//! - `@@events` on any item is the agenda of the events below it
//!   ([`listing`]); `@@ical` is the same as an iCalendar file, or one
//!   event's ([`ical`]).
//! - An event's page shows when (in words, with its next dates), where
//!   (with a map link), who organises, tickets and access ([`words`] and
//!   [`decorate`], which gives the page `website.event`).
//!
//! Dates are handled in the site's time zone (`timezone` in `site.toml`).

use chrono::Utc;

use beffroi::prelude::*;
use beffroi::view::{Decorations, On, Page, View};

mod ical;
mod listing;
mod recurrence;
mod schedule;
mod words;

use schedule::{timezone, Schedule};

/// How many next dates an event's page shows.
const NEXT_DATES: usize = 5;

/// The views of this part.
pub(crate) fn views() -> Vec<View> {
    vec![
        View {
            name: "@@events",
            on: On::Any,
            render: listing::view,
        },
        // The first view of a name that answers wins: an Event's own
        // calendar before the agenda's.
        View {
            name: "@@ical",
            on: On::Types(&["Event"]),
            render: ical::event,
        },
        View {
            name: "@@ical",
            on: On::Any,
            render: ical::agenda,
        },
    ]
}

/// Its hook subscribers.
pub(crate) fn subscribers() -> Vec<Subscriber> {
    vec![Subscriber {
        name: "website.events.check",
        phase: Phase::Before,
        order: 0,
        handler: check,
    }]
}

/// Refuses an Event whose end is before its start or whose recurrence
/// cannot be followed, with a message in the site's language.
fn check(w: &mut Writer<'_>, event: &Event<'_>) -> std::result::Result<(), Veto> {
    let item = match event {
        Event::ItemAdded(item) | Event::ItemModified { item, .. } => *item,
        _ => return Ok(()),
    };
    if item.type_name != "Event" {
        return Ok(());
    }
    let site = w.site();
    let Err(problem) = Schedule::read(item, timezone(site)) else {
        return Ok(());
    };
    let catalog = site.renderer().catalog();
    let lang = &site.config().default_language;
    let args: Vec<(&str, String)> = problem.args.clone();
    let reason = catalog.message(lang, problem.key, &args);
    let message = if problem.key.starts_with("website-rrule-") {
        catalog.message(lang, "website-event-bad-recurrence", &[("reason", reason)])
    } else {
        reason
    };
    Err(Veto(message))
}

/// What it adds to pages: on an Event's page, `website.event` (when,
/// where, links) for `event_view.html`.
pub(crate) fn decorate(page: &Page<'_>, item: Option<&Item>, out: &mut Decorations) -> Result<()> {
    let Some(item) = item.filter(|i| i.type_name == "Event") else {
        return Ok(());
    };
    out.values.insert("event".into(), event_values(page, item));
    Ok(())
}

/// What an Event's page shows besides its fields.
fn event_values(page: &Page<'_>, item: &Item) -> Value {
    let tz = timezone(page.site());
    let now = Utc::now();
    let url = page.url(&item.path);
    let text = |name: &str| {
        item.field(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or("")
            .to_owned()
    };
    let mut v = json!({
        "ical_url": format!("{url}/@@ical"),
        "location": text("location"),
        "map_url": coordinates(item).map(|(lat, lon)| format!(
            "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
        )),
        "event_type": term(page, "event_types", &text("event_type")),
        "categories": links(page, "event_categories", "event_categories", "category", item),
        "topics": links(page, "topics", "topics", "topic", item),
        "free_entry": item.field("free_entry").and_then(Value::as_bool).unwrap_or(false),
        "reduced_mobility": item.field("reduced_mobility").and_then(Value::as_bool).unwrap_or(false),
    });
    if let Some(address) = item.field("address") {
        let part = |k: &str| address.get(k).and_then(Value::as_str).unwrap_or("").trim();
        let town = format!("{} {}", part("postcode"), part("locality"));
        let line: Vec<&str> = [part("street"), town.trim()]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect();
        v["address"] = json!(line.join(", "));
    }
    let Some(s) = Schedule::of(item, tz) else {
        return v;
    };
    let first = s.first();
    v["when"] = json!(words::when(page, &s, &first));
    v["start"] = json!(first.start.to_rfc3339());
    v["end"] = json!(first.end.to_rfc3339());
    v["current"] = json!(first.is_current(now));
    if let Some(r) = &s.recurrence {
        v["rule"] = json!(words::rule(page, r, s.start));
        let next: Vec<Value> = s
            .occurrences(now, None, NEXT_DATES)
            .iter()
            .map(|o| {
                json!({
                    "start": o.start.to_rfc3339(),
                    "when": words::when(page, &s, o),
                    "current": o.is_current(now),
                })
            })
            .collect();
        v["over"] = json!(next.is_empty());
        v["next"] = json!(next);
    } else {
        v["over"] = json!(first.end <= now);
    }
    v
}

/// The title of a vocabulary's term in the page's language (the value
/// itself when the term is unknown).
fn term(page: &Page<'_>, vocabulary: &str, value: &str) -> String {
    page.site()
        .schema()
        .vocabulary(vocabulary)
        .and_then(|v| v.terms.iter().find(|t| t.value == value))
        .map_or_else(|| value.to_owned(), |t| t.title.get(page.lang()).to_owned())
}

/// A multiple choice's terms, each a link to the site's agenda filtered
/// on it.
fn links(page: &Page<'_>, field: &str, vocabulary: &str, param: &str, item: &Item) -> Vec<Value> {
    beffroi::search::strings(item.field(field))
        .iter()
        .map(|value| {
            json!({
                "title": term(page, vocabulary, value),
                "url": listing::with_query(
                    &format!("{}@@events", page.url("/")),
                    &[(param, value.clone())],
                ),
            })
        })
        .collect()
}

/// An event's coordinates: its latitude and longitude fields, else those
/// of its address.
fn coordinates(item: &Item) -> Option<(f64, f64)> {
    let number = |v: Option<&Value>| v.and_then(Value::as_f64);
    match (
        number(item.field("latitude")),
        number(item.field("longitude")),
    ) {
        (Some(lat), Some(lon)) => Some((lat, lon)),
        _ => {
            let a = item.field("address")?;
            Some((number(a.get("lat"))?, number(a.get("lon"))?))
        }
    }
}
