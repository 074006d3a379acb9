//! The search page (`@@search`): a form, results with the words found
//! marked, facets that narrow them, and pagination. It searches below the
//! item it is called on (the whole site on the root) with
//! [`Page::search`], so it finds only what the caller may see. JSON
//! callers have the core's `@search`.
//!
//! Parameters: `q` (or Plone's `SearchableText`), `type` (several),
//! `topics`, `page_category`, `news_category` (one value each: the
//! search matches exact values), `b_start`.
//!
//! Each facet is counted with every filter but its own, so choosing a
//! topic still shows how many results the other topics would give.

use beffroi::prelude::*;
use beffroi::search::{strip_html, PathQuery, Query, Results};
use beffroi::view::{Answer, Page};

use super::{b_start, escape, item_url, pager, term_title};

/// Results per page.
const PAGE_SIZE: usize = 20;

/// The longest query the search takes, in characters.
const MAX_QUERY: usize = 500;

/// Words a snippet holds.
const SNIPPET_WORDS: usize = 36;

/// The fields faceted besides the type, with their vocabularies.
const FIELD_FACETS: &[(&str, &str)] = &[
    ("topics", "topics"),
    ("page_category", "page_categories"),
    ("news_category", "news_categories"),
];

/// What the query string asks.
#[derive(Debug, Default, Clone)]
struct Asked {
    text: Option<String>,
    types: Vec<String>,
    fields: Vec<(&'static str, String)>,
}

impl Asked {
    fn read(page: &Page<'_>) -> Self {
        let text = page
            .param("q")
            .or_else(|| page.param("SearchableText"))
            .map(|t| t.trim().chars().take(MAX_QUERY).collect::<String>())
            .filter(|t| !t.is_empty());
        let schema = page.site().schema();
        let types = page
            .params("type")
            .into_iter()
            .filter(|t| schema.get(t).is_some())
            .map(str::to_owned)
            .collect();
        let fields = FIELD_FACETS
            .iter()
            .filter_map(|(name, vocabulary)| {
                let v = page.param(name)?.trim();
                term_title(page, vocabulary, v).map(|_| (*name, v.to_owned()))
            })
            .collect();
        Self {
            text,
            types,
            fields,
        }
    }

    fn any(&self) -> bool {
        self.text.is_some() || !self.types.is_empty() || !self.fields.is_empty()
    }

    /// The query, without the filter of the facet `except`.
    fn query(&self, path: &str, except: Option<&str>) -> Query {
        Query {
            text: self.text.clone(),
            types: if except == Some("type") {
                Vec::new()
            } else {
                self.types.clone()
            },
            path: Some(PathQuery {
                path: path.to_owned(),
                depth: None,
            }),
            fields: self
                .fields
                .iter()
                .filter(|(n, _)| Some(*n) != except)
                .map(|(n, v)| ((*n).to_owned(), v.clone()))
                .collect(),
            sort_on: Some(if self.text.is_some() {
                "relevance".into()
            } else {
                "title".into()
            }),
            ..Query::default()
        }
    }

    /// The query string that asks this again.
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(t) = &self.text {
            out.push(("q", t.clone()));
        }
        for t in &self.types {
            out.push(("type", t.clone()));
        }
        for (n, v) in &self.fields {
            out.push((*n, v.clone()));
        }
        out
    }
}

/// `@@search`.
pub(super) fn search(page: &Page<'_>, item: &Item) -> Result<Answer> {
    let asked = Asked::read(page);
    let here = format!(
        "{}/@@search",
        item_url(page, &item.path).trim_end_matches('/')
    );
    let terms = asked.text.as_deref().map(query_terms).unwrap_or_default();
    let mut values = Map::new();
    values.insert("action".into(), json!(here));
    values.insert("q".into(), json!(asked.text.clone().unwrap_or_default()));
    values.insert("searched".into(), json!(asked.any()));
    // A query of no word at all (`«»`, `!!`) finds nothing: it is not an
    // error of the visitor's to report.
    let runnable = asked.any() && (asked.text.is_none() || !terms.is_empty());
    let facet_names: Vec<&str> = std::iter::once("type")
        .chain(FIELD_FACETS.iter().map(|(n, _)| *n))
        .collect();
    let (found, facets) = if runnable {
        let mut q = asked.query(&item.path, None);
        q.b_start = b_start(page);
        q.b_size = PAGE_SIZE;
        // Facets without a filter of their own are counted on the main
        // query; each of the others on the query without it.
        let active = |f: &str| {
            (f == "type" && !asked.types.is_empty()) || asked.fields.iter().any(|(n, _)| *n == f)
        };
        q.facets = facet_names
            .iter()
            .filter(|f| !active(f))
            .map(|f| (*f).to_owned())
            .collect();
        let mut found = run(page, &q)?;
        if found.items.is_empty() && found.total > 0 && q.b_start > 0 {
            // Past the end: the last page.
            q.b_start = (found.total - 1) / PAGE_SIZE * PAGE_SIZE;
            found = run(page, &q)?;
        }
        let mut facets = found.facets.clone();
        for f in facet_names.iter().filter(|f| active(f)) {
            let mut fq = asked.query(&item.path, Some(f));
            fq.b_size = 0;
            fq.facets = vec![(*f).to_owned()];
            facets.extend(run(page, &fq)?.facets);
        }
        let start = q.b_start;
        (Some((found, start)), facets)
    } else {
        (None, Default::default())
    };
    values.insert(
        "facets".into(),
        json!(facet_names
            .iter()
            .map(|f| facet(page, &asked, f, facets.get(*f)))
            .filter(|f| !f["options"].as_array().is_none_or(Vec::is_empty))
            .collect::<Vec<_>>()),
    );
    if let Some((found, start)) = found {
        let Results { items, total, .. } = found;
        let reader = page.reader();
        let mut results = Vec::new();
        for hit in items {
            let Some(it) = reader.get(&hit.path)? else {
                continue;
            };
            let body = format!(
                "{} {}",
                it.description(),
                strip_html(it.field("text").and_then(Value::as_str).unwrap_or(""))
            );
            results.push(json!({
                "url": item_url(page, &it.path),
                "title": highlight(it.title(), &terms),
                "type": page.site().schema().get(&it.type_name).map_or(it.type_name.as_str(), |t| t.title.get(page.lang())),
                "snippet": snippet(&body, &terms),
            }));
        }
        let count = match total {
            0 => page.t("website-search-none", &[]),
            1 => page.t("website-search-count-one", &[]),
            n => page.t("website-search-count", &[("count", n.to_string())]),
        };
        values.insert("count".into(), json!(count));
        values.insert("total".into(), json!(total));
        values.insert("results".into(), json!(results));
        values.insert("first".into(), json!(start + 1));
        values.insert(
            "pager".into(),
            pager(&here, &asked.pairs(), start, PAGE_SIZE, total),
        );
    } else if asked.any() {
        values.insert("count".into(), json!(page.t("website-search-none", &[])));
        values.insert("total".into(), json!(0));
        values.insert("results".into(), json!([]));
    }
    Ok(Answer::page("website/search.html", values))
}

/// Runs `q`; a query the search refuses (words it cannot read, such as
/// a script it does not fold) finds nothing rather than failing the page.
fn run(page: &Page<'_>, q: &Query) -> Result<Results> {
    match page.search(q) {
        Err(Error::Invalid(_)) => Ok(Results {
            items: Vec::new(),
            total: 0,
            facets: Default::default(),
        }),
        other => other,
    }
}

/// A facet for the form: its options with their counts, the chosen ones
/// checked. Types are checkboxes (several may be chosen), fields radio
/// buttons (one value each, or all).
fn facet(
    page: &Page<'_>,
    asked: &Asked,
    name: &str,
    counts: Option<&std::collections::BTreeMap<String, u64>>,
) -> Value {
    let chosen: Vec<&str> = if name == "type" {
        asked.types.iter().map(String::as_str).collect()
    } else {
        asked
            .fields
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    let mut options: Vec<Value> = Vec::new();
    let mut seen = Vec::new();
    for (value, count) in counts.into_iter().flatten() {
        seen.push(value.as_str());
        options.push(option(
            page,
            name,
            value,
            *count,
            chosen.contains(&value.as_str()),
        ));
    }
    for c in chosen.iter().filter(|c| !seen.contains(c)) {
        options.push(option(page, name, c, 0, true));
    }
    options.sort_by(|a, b| {
        a["title"]
            .as_str()
            .unwrap_or("")
            .to_lowercase()
            .cmp(&b["title"].as_str().unwrap_or("").to_lowercase())
    });
    let legend = match name {
        "type" => "website-search-facet-type",
        "topics" => "website-search-facet-topics",
        "page_category" => "website-search-facet-page-category",
        _ => "website-search-facet-news-category",
    };
    json!({
        "name": name,
        "legend": page.t(legend, &[]),
        "multiple": name == "type",
        "none_chosen": chosen.is_empty(),
        "options": options,
    })
}

fn option(page: &Page<'_>, facet: &str, value: &str, count: u64, checked: bool) -> Value {
    let title = if facet == "type" {
        page.site()
            .schema()
            .get(value)
            .map_or(value.to_owned(), |t| t.title.get(page.lang()).to_owned())
    } else {
        let vocabulary = FIELD_FACETS
            .iter()
            .find(|(n, _)| *n == facet)
            .map_or("", |(_, v)| *v);
        term_title(page, vocabulary, value).unwrap_or_else(|| value.to_owned())
    };
    json!({
        "value": value,
        "title": title,
        "count": count,
        "checked": checked,
        "id": format!("facet-{facet}-{}", beffroi::text::slugify(value)),
    })
}

/// A word folded for comparison: lower case, accents dropped.
fn fold(word: &str) -> String {
    let slug = beffroi::text::slugify(word);
    // `slugify` names a word it can keep nothing of `item`: other
    // scripts are compared in lower case.
    if slug == "item" && !word.eq_ignore_ascii_case("item") {
        word.to_lowercase()
    } else {
        slug.replace('-', "")
    }
}

/// The words of a query, folded, each once.
fn query_terms(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in words(text) {
        let f = fold(&text[w.0..w.1]);
        if !f.is_empty() && !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

/// The byte ranges of the words (runs of letters and digits) of `text`.
fn words(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// Whether a word of the text matches a query word: the same once
/// folded, or beginning with it for query words of three letters or
/// more (`marché` finds `marchés`, as the catalog's stemming does).
fn matches(word: &str, terms: &[String]) -> bool {
    let f = fold(word);
    terms
        .iter()
        .any(|t| f == *t || (t.chars().count() >= 3 && f.starts_with(t.as_str())))
}

/// `text` as HTML: escaped, the words matching `terms` in `<mark>`.
fn highlight(text: &str, terms: &[String]) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut last = 0;
    for (s, e) in words(text) {
        if matches(&text[s..e], terms) {
            out.push_str(&escape(&text[last..s]));
            out.push_str("<mark>");
            out.push_str(&escape(&text[s..e]));
            out.push_str("</mark>");
            last = e;
        }
    }
    out.push_str(&escape(&text[last..]));
    out
}

/// Some [`SNIPPET_WORDS`] words of `body` around the first word found,
/// as HTML with the words found marked; its start when none is.
fn snippet(body: &str, terms: &[String]) -> String {
    let body = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let ws = words(&body);
    if ws.is_empty() {
        return String::new();
    }
    let first = ws
        .iter()
        .position(|(s, e)| matches(&body[*s..*e], terms))
        .unwrap_or(0);
    let from = first.saturating_sub(SNIPPET_WORDS / 3);
    let to = (from + SNIPPET_WORDS).min(ws.len());
    let start = if from == 0 { 0 } else { ws[from].0 };
    let end = if to == ws.len() {
        body.len()
    } else {
        ws[to - 1].1
    };
    let mut out = String::new();
    if from > 0 {
        out.push_str("… ");
    }
    out.push_str(&highlight(&body[start..end], terms));
    if end < body.len() {
        out.push_str(" …");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlighting_escapes_first_and_ignores_case_and_accents() {
        let terms = query_terms("ETE <b>");
        assert_eq!(
            highlight("Fête de l'été <b>gras</b>", &terms),
            "Fête de l&#39;<mark>été</mark> &lt;<mark>b</mark>&gt;gras&lt;/<mark>b</mark>&gt;"
        );
        let terms = query_terms("marché");
        assert_eq!(
            highlight("Les MARCHES de Noël", &terms),
            "Les <mark>MARCHES</mark> de Noël"
        );
    }

    #[test]
    fn a_query_of_no_word_has_no_terms() {
        assert!(query_terms("«» !!").is_empty());
    }

    #[test]
    fn snippets_start_near_the_first_word_found() {
        let body = (1..=100)
            .map(|i| format!("mot{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let s = snippet(&body, &query_terms("mot50"));
        assert!(s.starts_with("… mot38 "), "{s}");
        assert!(s.contains("<mark>mot50</mark>"), "{s}");
        assert!(s.ends_with(" …"), "{s}");
        assert_eq!(snippet("court", &query_terms("x")), "court");
    }
}
