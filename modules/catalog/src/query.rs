//! Catalog queries: any combination of the indexes, full text, path,
//! date ranges, sorting, batching and facets — filtered by View first.

use std::collections::BTreeMap;
use std::ops::Bound;

use beffroi::prelude::*;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, QueryParser, RangeQuery, TermQuery,
};
use tantivy::schema::{Facet, IndexRecordOption, Value as _};
use tantivy::{DateTime, DocAddress, Order, TantivyDocument, Term};

use crate::index::SiteIndex;
use crate::{Hit, Query, Results, SortOrder};

fn bad(field: &str, message: String) -> Error {
    Error::Invalid(vec![FieldError::new(field, "bad_query", message)])
}

fn any_of(field: tantivy::schema::Field, values: &[String]) -> Box<dyn tantivy::query::Query> {
    let clauses: Vec<(Occur, Box<dyn tantivy::query::Query>)> = values
        .iter()
        .map(|v| {
            (
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_text(field, v),
                    IndexRecordOption::Basic,
                )) as Box<dyn tantivy::query::Query>,
            )
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

fn date_bound(
    field: tantivy::schema::Field,
    s: &Option<String>,
    name: &str,
    upper: bool,
) -> Result<Bound<Term>> {
    match s {
        None => Ok(Bound::Unbounded),
        Some(s) => {
            let secs = beffroi::search::timestamp(s).ok_or_else(|| {
                bad(
                    &format!("dates.{name}"),
                    format!("`{s}` is not a date between 1700 and 2200 (YYYY-MM-DD or RFC 3339)"),
                )
            })?;
            // A day as the upper end includes the whole day.
            if upper && beffroi::search::is_date_only(s) {
                return Ok(Bound::Excluded(Term::from_field_date_for_search(
                    field,
                    DateTime::from_timestamp_secs(secs + 86_400),
                )));
            }
            Ok(Bound::Included(Term::from_field_date_for_search(
                field,
                DateTime::from_timestamp_secs(secs),
            )))
        }
    }
}

/// A filter: it decides what matches, never how results rank.
fn filter(q: Box<dyn tantivy::query::Query>) -> (Occur, Box<dyn tantivy::query::Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0)))
}

/// Builds and runs the query.
pub(crate) fn run(idx: &SiteIndex, who: &Principal, q: &Query) -> Result<Results> {
    let f = &idx.fields;
    let mut must: Vec<(Occur, Box<dyn tantivy::query::Query>)> = Vec::new();
    // Who may view: the first condition, so nothing else can see past it.
    if let Some(tokens) = who.view_tokens() {
        must.push(filter(any_of(f.allowed, &tokens)));
    }
    let mut scored = false;
    if let Some(text) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        if text.chars().count() > 500 {
            return Err(bad("text", "at most 500 characters".into()));
        }
        let mut fields = Vec::new();
        for (_, title, body) in &f.text {
            fields.push(*title);
            fields.push(*body);
        }
        let mut parser = QueryParser::for_index(&idx.index, fields);
        parser.set_conjunction_by_default();
        for (_, title, _) in &f.text {
            parser.set_field_boost(*title, 3.0);
        }
        // Words only: quotes, colons, signs in a search box are not query
        // syntax (and never an error); every word must be present.
        let words: String = text
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect();
        if words.trim().is_empty() {
            return Err(bad("text", "give at least one word".into()));
        }
        let (parsed, _) = parser.parse_query_lenient(&words);
        must.push((Occur::Must, parsed));
        scored = true;
    }
    if !q.types.is_empty() {
        must.push(filter(any_of(f.type_name, &q.types)));
    }
    if !q.review_states.is_empty() {
        must.push(filter(any_of(f.review_state, &q.review_states)));
    }
    if !q.creators.is_empty() {
        must.push(filter(any_of(f.creator, &q.creators)));
    }
    if !q.subjects.is_empty() {
        must.push(filter(any_of(f.subject, &q.subjects)));
    }
    for subject in &q.all_subjects {
        must.push(filter(any_of(f.subject, std::slice::from_ref(subject))));
    }
    if let Some(lang) = &q.language {
        must.push(filter(any_of(f.language, std::slice::from_ref(lang))));
    }
    for (name, value) in &q.fields {
        must.push(filter(any_of(f.indexed, &[format!("{name}={value}")])));
    }
    if let Some(p) = &q.path {
        // `/a/b/`, `a/b` and `/a/b` are the same place.
        let path = format!("/{}", p.path.trim_matches('/'));
        must.push(filter(any_of(f.ancestors, std::slice::from_ref(&path))));
        let base = path.split('/').filter(|s| !s.is_empty()).count() as u64;
        if let Some(depth) = p.depth {
            let (lo, hi) = if depth == 0 {
                (base, base)
            } else {
                (base + 1, base + u64::from(depth))
            };
            must.push(filter(Box::new(RangeQuery::new(
                Bound::Included(Term::from_field_u64(f.depth, lo)),
                Bound::Included(Term::from_field_u64(f.depth, hi)),
            ))));
        }
    }
    for (name, range) in &q.dates {
        let field = f
            .date(name)
            .ok_or_else(|| bad("dates", format!("no date index `{name}`")))?;
        if range.min.is_none() && range.max.is_none() {
            continue;
        }
        must.push(filter(Box::new(RangeQuery::new(
            date_bound(field, &range.min, name, false)?,
            date_bound(field, &range.max, name, true)?,
        ))));
    }
    if let Some(now) = q.active_at {
        let now = DateTime::from_timestamp_secs(now);
        must.push(filter(Box::new(RangeQuery::new(
            Bound::Unbounded,
            Bound::Included(Term::from_field_date_for_search(f.active_from, now)),
        ))));
        must.push(filter(Box::new(RangeQuery::new(
            Bound::Excluded(Term::from_field_date_for_search(f.active_until, now)),
            Bound::Unbounded,
        ))));
    }
    let query: Box<dyn tantivy::query::Query> = if must.is_empty() {
        Box::new(AllQuery)
    } else {
        Box::new(BooleanQuery::new(must))
    };
    let searcher = idx.reader.searcher();
    let search_err = |e: tantivy::TantivyError| Error::Config {
        file: "catalog".into(),
        message: e.to_string(),
    };

    let mut facet_collector = FacetCollector::for_field("facets");
    let mut facet_names = Vec::new();
    for name in &q.facets {
        // The core checked the names: the three built-in facets, else an
        // indexed field's values.
        let path: Vec<&str> = match name.as_str() {
            "type" | "review_state" | "subject" => vec![name.as_str()],
            field => vec!["field", field],
        };
        facet_collector.add_facet(Facet::from_path(path.clone()));
        facet_names.push((name.clone(), path));
    }
    let (total, facet_counts) = searcher
        .search(&query, &(Count, facet_collector))
        .map_err(search_err)?;
    let mut facets = BTreeMap::new();
    for (name, path) in facet_names {
        let counts: BTreeMap<String, u64> = facet_counts
            .get(Facet::from_path(path))
            .map(|(facet, count)| {
                let value = facet
                    .to_path()
                    .last()
                    .map(|s| (*s).to_owned())
                    .unwrap_or_default();
                (value, count)
            })
            .collect();
        facets.insert(name, counts);
    }

    let size = q.b_size.min(1000);
    let mut items = Vec::new();
    if size > 0 && q.b_start < total {
        let top = TopDocs::with_limit(size).and_offset(q.b_start);
        let order = match q.sort_order {
            SortOrder::Ascending => Order::Asc,
            SortOrder::Descending => Order::Desc,
        };
        let sort_on = q.sort_on.clone().unwrap_or_else(|| {
            if scored {
                "relevance".into()
            } else {
                "path".into()
            }
        });
        let addresses: Vec<DocAddress> = match sort_on.as_str() {
            "relevance" => searcher
                .search(&query, &top)
                .map_err(search_err)?
                .into_iter()
                .map(|(_, a)| a)
                .collect(),
            "title" => searcher
                .search(&query, &top.order_by_string_fast_field("sortable_title", order))
                .map_err(search_err)?
                .into_iter()
                .map(|(_, a)| a)
                .collect(),
            "path" => searcher
                .search(&query, &top.order_by_string_fast_field("path", order))
                .map_err(search_err)?
                .into_iter()
                .map(|(_, a)| a)
                .collect(),
            "position" => searcher
                .search(&query, &top.order_by_fast_field::<u64>("position", order))
                .map_err(search_err)?
                .into_iter()
                .map(|(_, a)| a)
                .collect(),
            date if f.date(date).is_some() => searcher
                .search(&query, &top.order_by_fast_field::<DateTime>(date, order))
                .map_err(search_err)?
                .into_iter()
                .map(|(_, a)| a)
                .collect(),
            other => {
                return Err(bad(
                    "sort_on",
                    format!("cannot sort on `{other}` (relevance, title, path, position, created, modified, effective, expires, start, end)"),
                ))
            }
        };
        for a in addresses {
            let doc: TantivyDocument = searcher.doc(a).map_err(search_err)?;
            let text = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            };
            let modified = f
                .date("modified")
                .and_then(|field| doc.get_first(field))
                .and_then(|v| v.as_datetime())
                .and_then(|d| chrono::DateTime::from_timestamp(d.into_timestamp_secs(), 0))
                .map(|d| d.to_rfc3339());
            items.push(Hit {
                uid: text(f.uid),
                path: text(f.path),
                type_name: text(f.type_name),
                title: text(f.title),
                description: text(f.description),
                review_state: text(f.review_state),
                modified,
            });
        }
    }
    Ok(Results {
        items,
        total,
        facets,
    })
}
