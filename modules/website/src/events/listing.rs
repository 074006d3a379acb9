//! The agenda: `@@events` on any item lists the occurrences of the events
//! below it (the whole agenda at the root) from now on, each repeating
//! event once per date, sorted by start; filtered by category, topic,
//! type, audience, dates, free entry and access for people with reduced
//! mobility; twenty to a page; as a page or as JSON.
//!
//! Events come from the site's search, which answers only what the
//! caller may see (and, for visitors, only what is within its
//! publication dates); each is then read through the caller's reader.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use beffroi::prelude::*;
use beffroi::search::{PathQuery, Query};
use beffroi::view::{Answer, Page};

use super::schedule::{midnight, timezone, Occurrence, Schedule};
use super::words;

/// Occurrences on one page of the agenda.
pub(crate) const PAGE_SIZE: usize = 20;

/// The most occurrences one event adds to a listing.
const PER_EVENT: usize = 400;

/// The choice filters: query parameter, field, vocabulary.
const CHOICES: &[(&str, &str, &str)] = &[
    ("category", "event_categories", "event_categories"),
    ("topic", "topics", "topics"),
    ("event_type", "event_type", "event_types"),
    ("audience", "audiences", "audiences"),
];

/// The yes/no filters: query parameter and field.
const FLAGS: &[(&str, &str)] = &[
    ("free_entry", "free_entry"),
    ("reduced_mobility", "reduced_mobility"),
];

/// `@@events`.
pub(crate) fn view(page: &Page<'_>, container: &Item) -> Result<Answer> {
    let tz = timezone(page.site());
    let now = Utc::now();
    let f = Filters::read(page)?;
    let from = f.from.map_or(now, |d| midnight(tz, d).to_utc());
    let to = f.to.map(|d| midnight(tz, d + Duration::days(1)).to_utc());
    let events = events_below(page, &container.path, &f.choices)?;
    // Each event's schedule once; rows point at their event.
    let mut schedules: Vec<Option<Schedule>> = Vec::with_capacity(events.len());
    let mut rows: Vec<(Occurrence, usize)> = Vec::new();
    for (i, item) in events.iter().enumerate() {
        let wanted = f
            .flags
            .iter()
            .all(|field| item.field(field).and_then(Value::as_bool) == Some(true));
        let s = Schedule::of(item, tz).filter(|_| wanted);
        if let Some(s) = &s {
            rows.extend(
                s.occurrences(from, to, PER_EVENT)
                    .into_iter()
                    .map(|o| (o, i)),
            );
        }
        schedules.push(s);
    }
    rows.sort_by(|a, b| {
        (a.0.start, events[a.1].title(), &events[a.1].path).cmp(&(
            b.0.start,
            events[b.1].title(),
            &events[b.1].path,
        ))
    });
    let total = rows.len();
    let items: Vec<Value> = rows
        .iter()
        .skip(f.b_start)
        .take(PAGE_SIZE)
        .filter_map(|(o, i)| Some(row(page, &events[*i], schedules[*i].as_ref()?, o, now)))
        .collect();
    let base = format!(
        "{}/@@events",
        page.url(&container.path).trim_end_matches('/')
    );
    let link = |start: usize| {
        let mut pairs = f.pairs();
        if start > 0 {
            pairs.push(("b_start", start.to_string()));
        }
        with_query(&base, &pairs)
    };
    let prev = (f.b_start > 0).then(|| link(f.b_start.saturating_sub(PAGE_SIZE)));
    let next = (f.b_start + PAGE_SIZE < total).then(|| link(f.b_start + PAGE_SIZE));
    if page.wants_json() {
        let body = json!({
            "@id": link(f.b_start),
            "items": items,
            "items_total": total,
            "b_start": f.b_start,
            "b_size": PAGE_SIZE,
            "batching": {"prev": prev, "next": next},
        });
        return Ok(Answer::bytes(
            "application/json",
            serde_json::to_vec(&body).unwrap_or_default(),
        ));
    }
    let heading = if container.path == "/" {
        page.t("website-events-heading", &[])
    } else {
        page.t(
            "website-events-heading-in",
            &[("place", container.title().to_owned())],
        )
    };
    let shown_to = (f.b_start + items.len()).min(total);
    let mut values = Map::new();
    values.insert(
        "events".into(),
        json!({
            "heading": heading,
            "action": base,
            "items": items,
            "total": total,
            "count": if total == 0 {
                page.t("website-events-none", &[])
            } else {
                page.t("website-events-count", &[
                    ("first", (f.b_start + 1).min(total).to_string()),
                    ("last", shown_to.to_string()),
                    ("total", total.to_string()),
                ])
            },
            "prev": prev,
            "next": next,
            "filters": f.form(page),
            "ical_url": format!("{}/@@ical", page.url(&container.path).trim_end_matches('/')),
        }),
    );
    Ok(Answer::page("website/events.html", values))
}

/// The Events below `path` (and itself, if it is one) that the caller
/// may see, with these exact values of indexed fields.
pub(crate) fn events_below(
    page: &Page<'_>,
    path: &str,
    fields: &[(&'static str, String)],
) -> Result<Vec<Item>> {
    let mut q = Query {
        types: vec!["Event".into()],
        path: Some(PathQuery {
            path: path.to_owned(),
            depth: None,
        }),
        fields: fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
        sort_on: Some("path".into()),
        b_size: 1000,
        ..Default::default()
    };
    let reader = page.reader();
    let mut out = Vec::new();
    loop {
        let found = page.search(&q)?;
        for hit in &found.items {
            if let Some(item) = reader.get(&hit.path)? {
                out.push(item);
            }
        }
        q.b_start += found.items.len();
        if found.items.is_empty() || q.b_start >= found.total {
            break;
        }
    }
    Ok(out)
}

/// One occurrence, for the page and the JSON answer.
fn row(page: &Page<'_>, item: &Item, s: &Schedule, o: &Occurrence, now: DateTime<Utc>) -> Value {
    let site = page.site();
    let lang = page.lang();
    let term = |vocabulary: &str, value: &str| -> String {
        site.schema()
            .vocabulary(vocabulary)
            .and_then(|v| v.terms.iter().find(|t| t.value == value))
            .map_or_else(|| value.to_owned(), |t| t.title.get(lang).to_owned())
    };
    let text = |name: &str| item.field(name).and_then(Value::as_str).unwrap_or("");
    let categories: Vec<Value> = beffroi::search::strings(item.field("event_categories"))
        .iter()
        .map(|c| json!({"value": c, "title": term("event_categories", c)}))
        .collect();
    let url = page.url(&item.path);
    json!({
        "@id": url,
        "url": url,
        "uid": item.uid,
        "title": item.title(),
        "description": item.description(),
        "start": o.start.to_rfc3339(),
        "end": o.end.to_rfc3339(),
        "whole_day": s.whole_day,
        "open_end": s.open_end || s.end.is_none(),
        "current": o.is_current(now),
        "recurring": s.is_recurring(),
        "when": words::when(page, s, o),
        "location": text("location"),
        "locality": item.field("address").and_then(|a| a.get("locality")).and_then(Value::as_str).unwrap_or(""),
        "event_type": text("event_type"),
        "event_type_title": term("event_types", text("event_type")),
        "categories": categories,
        "free_entry": item.field("free_entry").and_then(Value::as_bool).unwrap_or(false),
        "reduced_mobility": item.field("reduced_mobility").and_then(Value::as_bool).unwrap_or(false),
    })
}

/// What the query string asks.
#[derive(Debug, Default)]
struct Filters {
    /// Choice parameters given, as (field, value).
    choices: Vec<(&'static str, String)>,
    /// Choice parameters given, as (parameter, value), for links.
    asked: Vec<(&'static str, String)>,
    /// Fields that must be true.
    flags: Vec<&'static str>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    b_start: usize,
}

impl Filters {
    /// Reads and checks the query string: a wrong value is a 400 that
    /// names the parameter.
    fn read(page: &Page<'_>) -> Result<Self> {
        let given = |name: &str| page.param(name).map(str::trim).filter(|v| !v.is_empty());
        let mut f = Self::default();
        let mut errors = Vec::new();
        for (param, field, vocabulary) in CHOICES {
            if let Some(v) = given(param) {
                let known = page
                    .site()
                    .schema()
                    .vocabulary(vocabulary)
                    .is_some_and(|voc| voc.contains(v));
                if known {
                    f.choices.push((field, v.to_owned()));
                    f.asked.push((param, v.to_owned()));
                } else {
                    errors.push(FieldError::new(
                        *param,
                        "website_bad_choice",
                        format!("`{v}` is not one of the values offered"),
                    ));
                }
            }
        }
        for (param, field) in FLAGS {
            if given(param).is_some_and(|v| !matches!(v, "0" | "false" | "off" | "no")) {
                f.flags.push(field);
            }
        }
        for (param, slot) in [("from", &mut f.from), ("to", &mut f.to)] {
            if let Some(v) = given(param) {
                match day(v) {
                    Some(d) => *slot = Some(d),
                    None => errors.push(FieldError::new(
                        param,
                        "website_bad_date",
                        format!("`{v}` is not a date (YYYY-MM-DD)"),
                    )),
                }
            }
        }
        if let (Some(from), Some(to)) = (f.from, f.to) {
            if to < from {
                errors.push(FieldError::new(
                    "to",
                    "website_bad_range",
                    "the end of the period is before its start",
                ));
            }
        }
        if let Some(v) = given("b_start") {
            match v.parse::<usize>() {
                Ok(n) if n <= 100_000 => f.b_start = n,
                _ => errors.push(FieldError::new(
                    "b_start",
                    "website_bad_number",
                    format!("`{v}` is not a position in the list"),
                )),
            }
        }
        if errors.is_empty() {
            Ok(f)
        } else {
            Err(Error::Invalid(errors))
        }
    }

    /// The filters as query pairs, for the batch links.
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = self.asked.clone();
        for (param, field) in FLAGS {
            if self.flags.contains(field) {
                out.push((param, "1".into()));
            }
        }
        if let Some(d) = self.from {
            out.push(("from", d.to_string()));
        }
        if let Some(d) = self.to {
            out.push(("to", d.to_string()));
        }
        out
    }

    /// The filter form's fields: each choice with its terms, the dates,
    /// the yes/no filters.
    fn form(&self, page: &Page<'_>) -> Value {
        let lang = page.lang();
        let mut choices = Vec::new();
        for (param, _, vocabulary) in CHOICES {
            let chosen = self
                .asked
                .iter()
                .find(|(p, _)| p == param)
                .map(|(_, v)| v.as_str());
            let terms: Vec<Value> = page
                .site()
                .schema()
                .vocabulary(vocabulary)
                .map(|voc| {
                    voc.terms
                        .iter()
                        .map(|t| {
                            json!({
                                "value": t.value,
                                "title": t.title.get(lang),
                                "selected": chosen == Some(t.value.as_str()),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            choices.push(json!({
                "name": param,
                "label": page.t(&format!("website-events-filter-{}", param.replace('_', "-")), &[]),
                "terms": terms,
            }));
        }
        json!({
            "choices": choices,
            "from": self.from.map(|d| d.to_string()).unwrap_or_default(),
            "to": self.to.map(|d| d.to_string()).unwrap_or_default(),
            "free_entry": self.flags.contains(&"free_entry"),
            "reduced_mobility": self.flags.contains(&"reduced_mobility"),
            "active": !self.pairs().is_empty(),
        })
    }
}

/// A day as `YYYY-MM-DD`, between 1900 and 2200.
fn day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|d| (1900..=2200).contains(&chrono::Datelike::year(d)))
}

/// `base` with a query string of `pairs`, percent-encoded.
pub(crate) fn with_query(base: &str, pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return base.to_owned();
    }
    let q: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    format!("{base}?{}", q.join("&"))
}

/// Percent-encodes a query value (RFC 3986 unreserved characters kept).
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            with_query(
                "/a/@@events",
                &[("category", "a b&c".into()), ("b_start", "20".into())]
            ),
            "/a/@@events?category=a%20b%26c&b_start=20"
        );
        assert_eq!(with_query("/x", &[]), "/x");
    }

    #[test]
    fn days_are_checked() {
        assert!(day("2026-02-28").is_some());
        assert!(day("2026-02-30").is_none());
        assert!(day("28/02/2026").is_none());
        assert!(day("9999-01-01").is_none());
    }
}
