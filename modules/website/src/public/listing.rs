//! The news listing (`@@news`) and the two reads every public list
//! shares: a container's news, newest first, and its upcoming events.
//!
//! News is ordered by the date it was published: its `effective` date
//! (set by an editor, or by this module at the first publication), else
//! when it was added — drafts an editor sees have no `effective`, and a
//! search sorted on it would put them last. The listing therefore reads
//! the newest [`WINDOW`] news items found by the search (sorted on
//! `created`) and orders them itself.

use beffroi::prelude::*;
use beffroi::search::{DateRange, PathQuery, Query, SortOrder};
use beffroi::view::{Answer, Page};
use chrono::{DateTime, Duration, SecondsFormat, Utc};

use super::{b_start, choices, item_url, pager, published, term_title, with_query};

/// How many news items a listing orders at most: the newest by the date
/// they were added. Older ones are not listed (a town's news page is
/// not its archive; search finds them).
pub(crate) const WINDOW: usize = 1000;

/// News items per page of `@@news`.
const PAGE_SIZE: usize = 10;

/// The filters `@@news` takes: query parameter → indexed field.
const FILTERS: &[(&str, &str, &str)] = &[
    ("category", "news_category", "news_categories"),
    ("topic", "topics", "topics"),
    ("audience", "audiences", "audiences"),
];

/// The news items below `path` the caller may see, whose indexed
/// `fields` have these values, newest first (see the module's doc).
pub(crate) fn news(page: &Page<'_>, path: &str, fields: &[(&str, &str)]) -> Result<Vec<Item>> {
    let q = Query {
        types: vec!["News Item".into()],
        path: Some(PathQuery {
            path: path.to_owned(),
            depth: None,
        }),
        fields: fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        sort_on: Some("created".into()),
        sort_order: SortOrder::Descending,
        b_size: WINDOW,
        ..Query::default()
    };
    let reader = page.reader();
    let mut out = Vec::new();
    for hit in page.search(&q)?.items {
        if let Some(item) = reader.get(&hit.path)? {
            out.push(item);
        }
    }
    out.sort_by(|a, b| {
        published(b)
            .cmp(&published(a))
            .then_with(|| a.path.cmp(&b.path))
    });
    Ok(out)
}

/// The events below `path` the caller may see, whose indexed `fields`
/// have these values, that have not ended: those under way (begun
/// before today, ending later), then those starting today or later, by
/// start; at most `limit`. Recurrences are the events part's business:
/// an event counts here by its own start and end.
pub(crate) fn upcoming_events(
    page: &Page<'_>,
    path: &str,
    fields: &[(&str, &str)],
    limit: usize,
) -> Result<Vec<Item>> {
    let now = Utc::now();
    let today = now
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map_or(now, |d| d.and_utc());
    let query = |dates: &[Bounds<'_>]| Query {
        types: vec!["Event".into()],
        path: Some(PathQuery {
            path: path.to_owned(),
            depth: None,
        }),
        fields: fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        dates: dates
            .iter()
            .map(|(name, min, max)| {
                (
                    (*name).to_owned(),
                    DateRange {
                        min: min.map(|d| d.to_rfc3339()),
                        max: max.map(|d| d.to_rfc3339()),
                    },
                )
            })
            .collect(),
        sort_on: Some("start".into()),
        b_size: limit,
        ..Query::default()
    };
    let under_way = query(&[
        ("start", None, Some(today - Duration::seconds(1))),
        ("end", Some(now), None),
    ]);
    let coming = query(&[("start", Some(today), None)]);
    let reader = page.reader();
    let mut out: Vec<Item> = Vec::new();
    for q in [under_way, coming] {
        for hit in page.search(&q)?.items {
            if out.len() >= limit || out.iter().any(|i| i.uid == hit.uid) {
                continue;
            }
            if let Some(item) = reader.get(&hit.path)? {
                out.push(item);
            }
        }
    }
    Ok(out)
}

/// A date index with its bounds.
type Bounds<'a> = (&'a str, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// `@@news`: the news below the item (the whole site's on the root),
/// newest first, ten a page (`b_start`), filtered by `category`, `topic`
/// and `audience`; JSON for JSON callers.
pub(super) fn news_view(page: &Page<'_>, item: &Item) -> Result<Answer> {
    let mut chosen: Vec<(&str, &str, String)> = Vec::new();
    for (param, field, vocabulary) in FILTERS {
        let v = page.param(param).unwrap_or("").trim();
        // An unknown value filters nothing out rather than everything.
        if !v.is_empty() && term_title(page, vocabulary, v).is_some() {
            chosen.push((param, field, v.to_owned()));
        }
    }
    let fields: Vec<(&str, &str)> = chosen.iter().map(|(_, f, v)| (*f, v.as_str())).collect();
    let all = news(page, &item.path, &fields)?;
    let total = all.len();
    let start = b_start(page).min(total.saturating_sub(1) / PAGE_SIZE * PAGE_SIZE);
    let here = format!(
        "{}/@@news",
        item_url(page, &item.path).trim_end_matches('/')
    );
    let pairs: Vec<(&str, String)> = chosen.iter().map(|(p, _, v)| (*p, v.clone())).collect();
    let pager = pager(&here, &pairs, start, PAGE_SIZE, total);
    let entries: Vec<Value> = all
        .iter()
        .skip(start)
        .take(PAGE_SIZE)
        .map(|n| entry(page, n))
        .collect();
    if page.wants_json() {
        let body = json!({
            "@id": with_query(&here, &pairs),
            "items": entries,
            "items_total": total,
            "b_start": start,
            "b_size": PAGE_SIZE,
            "batching": {"previous": pager["previous"], "next": pager["next"]},
        });
        return Ok(Answer::bytes("application/json", body.to_string()));
    }
    let selected = |param: &str| {
        chosen
            .iter()
            .find(|(p, _, _)| *p == param)
            .map_or("", |(_, _, v)| v.as_str())
    };
    // On the news folder itself (`Actualités`), its title says it all.
    let news_word = page.t("website-news-heading", &[]);
    let heading = if item.path == "/"
        || beffroi::text::slugify(item.title()) == beffroi::text::slugify(&news_word)
    {
        news_word
    } else {
        page.t("website-news-in", &[("place", item.title().to_owned())])
    };
    let feed = item_url(page, &item.path).trim_end_matches('/').to_owned();
    let mut values = Map::new();
    values.insert("heading".into(), json!(heading));
    values.insert("entries".into(), json!(entries));
    values.insert("total".into(), json!(total));
    values.insert("pager".into(), pager);
    values.insert("action".into(), json!(here));
    values.insert(
        "filters".into(),
        json!([
            {"name": "category", "label": page.t("website-news-filter-category", &[]),
             "choices": choices(page, "news_categories", selected("category"))},
            {"name": "topic", "label": page.t("website-news-filter-topic", &[]),
             "choices": choices(page, "topics", selected("topic"))},
            {"name": "audience", "label": page.t("website-news-filter-audience", &[]),
             "choices": choices(page, "audiences", selected("audience"))},
        ]),
    );
    values.insert(
        "feeds".into(),
        json!({"rss": format!("{feed}/@@rss"), "atom": format!("{feed}/@@atom")}),
    );
    Ok(Answer::page("website/news.html", values))
}

/// A day as the page's language writes it: `27 novembre 2026`.
pub(crate) fn date_display(page: &Page<'_>, at: DateTime<Utc>) -> String {
    page.site().renderer().catalog().format_date(
        page.lang(),
        at.date_naive(),
        beffroi::i18n::DateStyle::Long,
    )
}

/// A news item as the listing shows it.
fn entry(page: &Page<'_>, n: &Item) -> Value {
    let url = item_url(page, &n.path);
    let category = n
        .field("news_category")
        .and_then(Value::as_str)
        .and_then(|c| term_title(page, "news_categories", c));
    json!({
        "@id": url,
        "url": url,
        "title": n.title(),
        "description": n.description(),
        "date": published(n).to_rfc3339_opts(SecondsFormat::Secs, false),
        "date_display": date_display(page, published(n)),
        "category": category,
        "news_category": n.field("news_category"),
        "topics": n.field("topics"),
        "image": n.field("image").map(|_| format!("{url}/@@images/image/thumb")),
    })
}
