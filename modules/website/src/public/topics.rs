//! Topic and audience landing pages: `@@topic/mobility` (or
//! `@@topic?name=mobility`) gathers the pages, procedures, news and
//! upcoming events of a topic, `@@audience/youth` those meant for an
//! audience; without a name, the index of every term. They cover what
//! lies below the item they are called on: the whole site on the root.
//! A name that is not a term of the vocabulary is not found (404).

use beffroi::prelude::*;
use beffroi::search::{PathQuery, Query};
use beffroi::view::{Answer, Page};
use chrono::SecondsFormat;

use super::listing::{date_display, news, upcoming_events};
use super::{date_field, item_url, published, term_title};

/// How many items each part of a landing page lists.
const PART_SIZE: usize = 50;

/// How many news items and events a landing page lists.
const RECENT: usize = 10;

/// A kind of landing page.
struct Kind {
    /// The view's name.
    view: &'static str,
    /// The indexed field it matches.
    field: &'static str,
    /// The vocabulary of its terms.
    vocabulary: &'static str,
    /// `@@news`'s parameter for the same filter.
    news_param: &'static str,
    /// The index page's heading.
    index_key: &'static str,
}

const TOPIC: Kind = Kind {
    view: "@@topic",
    field: "topics",
    vocabulary: "topics",
    news_param: "topic",
    index_key: "website-topics-heading",
};

const AUDIENCE: Kind = Kind {
    view: "@@audience",
    field: "audiences",
    vocabulary: "audiences",
    news_param: "audience",
    index_key: "website-audiences-heading",
};

/// `@@topic`.
pub(super) fn topic(page: &Page<'_>, item: &Item) -> Result<Answer> {
    landing(page, item, &TOPIC)
}

/// `@@audience`.
pub(super) fn audience(page: &Page<'_>, item: &Item) -> Result<Answer> {
    landing(page, item, &AUDIENCE)
}

fn landing(page: &Page<'_>, item: &Item, kind: &Kind) -> Result<Answer> {
    let here = format!(
        "{}/{}",
        item_url(page, &item.path).trim_end_matches('/'),
        kind.view
    );
    let name = page
        .rest()
        .or_else(|| page.param("name"))
        .map(|n| n.trim_matches('/').trim())
        .filter(|n| !n.is_empty());
    let mut values = Map::new();
    let Some(name) = name else {
        values.insert("heading".into(), json!(page.t(kind.index_key, &[])));
        values.insert("term".into(), Value::Null);
        values.insert("terms".into(), json!(index(page, item, kind, &here)?));
        return Ok(Answer::page("website/topic.html", values));
    };
    let Some(title) = term_title(page, kind.vocabulary, name) else {
        return Err(Error::NotFound(format!("{here}/{name}")));
    };
    let fields = [(kind.field, name)];
    let mut parts = Vec::new();
    for (key, ty) in [
        ("website-topic-pages", "Document"),
        ("website-topic-procedures", "Procedure"),
    ] {
        let q = Query {
            types: vec![ty.into()],
            path: Some(PathQuery {
                path: item.path.clone(),
                depth: None,
            }),
            fields: fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            sort_on: Some("title".into()),
            b_size: PART_SIZE,
            ..Query::default()
        };
        let entries: Vec<Value> = page
            .search(&q)?
            .items
            .into_iter()
            .map(|h| {
                json!({
                    "url": item_url(page, &h.path),
                    "title": h.title,
                    "description": h.description,
                })
            })
            .collect();
        parts.push(json!({"id": ty.to_lowercase(), "heading": page.t(key, &[]), "entries": entries, "more": null}));
    }
    let all_news = news(page, &item.path, &fields)?;
    let more_news = (all_news.len() > RECENT).then(|| {
        super::with_query(
            &format!(
                "{}/@@news",
                item_url(page, &item.path).trim_end_matches('/')
            ),
            &[(kind.news_param, name.to_owned())],
        )
    });
    let news_entries: Vec<Value> = all_news
        .iter()
        .take(RECENT)
        .map(|n| {
            json!({
                "url": item_url(page, &n.path),
                "title": n.title(),
                "description": n.description(),
                "date": published(n).to_rfc3339_opts(SecondsFormat::Secs, false),
                "date_display": date_display(page, published(n)),
            })
        })
        .collect();
    parts.push(json!({"id": "news", "heading": page.t("website-topic-news", &[]), "entries": news_entries, "more": more_news}));
    let event_entries: Vec<Value> = upcoming_events(page, &item.path, &fields, RECENT)?
        .iter()
        .map(|e| {
            let start = date_field(e, "start");
            json!({
                "url": item_url(page, &e.path),
                "title": e.title(),
                "description": e.description(),
                "date": start.map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, false)),
                "date_display": start.map(|d| date_display(page, d)),
            })
        })
        .collect();
    parts.push(json!({"id": "events", "heading": page.t("website-topic-events", &[]), "entries": event_entries, "more": null}));
    let empty = parts
        .iter()
        .all(|p| p["entries"].as_array().is_none_or(Vec::is_empty));
    values.insert("heading".into(), json!(title));
    values.insert("term".into(), json!(name));
    values.insert("parts".into(), json!(parts));
    values.insert("empty".into(), json!(empty));
    values.insert("index_url".into(), json!(here));
    values.insert("index_title".into(), json!(page.t(kind.index_key, &[])));
    Ok(Answer::page("website/topic.html", values))
}

/// Every term of the kind's vocabulary with how many items below `item`
/// the caller may see have it.
fn index(page: &Page<'_>, item: &Item, kind: &Kind, here: &str) -> Result<Vec<Value>> {
    let q = Query {
        path: Some(PathQuery {
            path: item.path.clone(),
            depth: None,
        }),
        facets: vec![kind.field.into()],
        b_size: 0,
        ..Query::default()
    };
    let counts = page
        .search(&q)?
        .facets
        .remove(kind.field)
        .unwrap_or_default();
    let Some(vocabulary) = page.site().schema().vocabulary(kind.vocabulary) else {
        return Ok(Vec::new());
    };
    Ok(vocabulary
        .terms
        .iter()
        .map(|t| {
            json!({
                "url": format!("{here}/{}", t.value),
                "title": t.title.get(page.lang()),
                "count": counts.get(&t.value).copied().unwrap_or(0),
            })
        })
        .collect())
}
