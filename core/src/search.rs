//! Searching a site: the query every listing, search box and API search
//! asks ([`Query`]), what it finds ([`Results`]), and
//! [`Site::search`](crate::Site::search), which a module that indexes the
//! content answers (the catalog, through [`Module::search`](crate::Module::search))
//! and the core answers otherwise by walking the site.
//!
//! The rule for who finds what is Plone's: an item is found when its
//! reader may view *that item*, whatever its containers say. A published
//! page inside a private folder is found by search (its own View
//! permission is what the catalog indexes), while folder listings and
//! navigation, which go through the containers, do not show it to those
//! who may not view the folder.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, FieldError, Result};
use crate::item::Item;
use crate::schema::FieldKind;
use crate::security::{self, Principal};
use crate::site::Site;

/// A path condition: the item at `path` and everything below it, or with
/// `depth`, only what lies 1 to `depth` levels below (0: the item alone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathQuery {
    /// The path (`/actualites`).
    pub path: String,
    /// How deep below it; `None` for the whole subtree, the item included.
    #[serde(default)]
    pub depth: Option<u32>,
}

/// A date range; either end may be open. Inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DateRange {
    /// From (RFC 3339 or `YYYY-MM-DD`).
    #[serde(default)]
    pub min: Option<String>,
    /// Until (RFC 3339 or `YYYY-MM-DD`); a day includes the whole day.
    #[serde(default)]
    pub max: Option<String>,
}

/// Ascending or descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// Smallest, earliest, A first.
    #[default]
    Ascending,
    /// Largest, latest, Z first.
    Descending,
}

/// A search. Empty conditions match everything (that may be seen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Query {
    /// Words to find; all must be present (in any language's analysis).
    pub text: Option<String>,
    /// Any of these types.
    pub types: Vec<String>,
    /// Any of these review states.
    pub review_states: Vec<String>,
    /// Where.
    pub path: Option<PathQuery>,
    /// Whose.
    pub creators: Vec<String>,
    /// Any of these subjects.
    pub subjects: Vec<String>,
    /// Every one of these subjects.
    pub all_subjects: Vec<String>,
    /// In this language.
    pub language: Option<String>,
    /// Date ranges, by index: `created`, `modified`, `effective`,
    /// `expires`, `start`, `end`.
    pub dates: BTreeMap<String, DateRange>,
    /// Exact values of fields a type marks `index = true`: name → value.
    pub fields: BTreeMap<String, String>,
    /// Sort on `relevance` (the default with text), `title`, `path`
    /// (the default without text), `position`, or a date index.
    pub sort_on: Option<String>,
    /// The sort's direction.
    pub sort_order: SortOrder,
    /// The first result to return.
    pub b_start: usize,
    /// How many to return (0: none, only the total and facets; at most 1000).
    pub b_size: usize,
    /// Facets to count: `type`, `review_state`, `subject`, or the name of
    /// a field a type marks `index = true` (its values are counted).
    pub facets: Vec<String>,
    /// Only items within their publication dates at this time (seconds
    /// since the epoch): `effective` passed or unset, `expires` not yet or
    /// unset. [`Site::search`] sets it for whoever may not see inactive
    /// content ([`ACCESS_INACTIVE`](crate::security::ACCESS_INACTIVE)).
    pub active_at: Option<i64>,
}

impl Default for Query {
    fn default() -> Self {
        Self {
            text: None,
            types: Vec::new(),
            review_states: Vec::new(),
            path: None,
            creators: Vec::new(),
            subjects: Vec::new(),
            all_subjects: Vec::new(),
            language: None,
            dates: BTreeMap::new(),
            fields: BTreeMap::new(),
            sort_on: None,
            sort_order: SortOrder::Ascending,
            b_start: 0,
            b_size: 25,
            facets: Vec::new(),
            active_at: None,
        }
    }
}

/// One result: what a listing shows without reading the item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// The item's uid.
    pub uid: String,
    /// Its path.
    pub path: String,
    /// Its type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// Its title.
    pub title: String,
    /// Its summary.
    pub description: String,
    /// Its workflow state.
    pub review_state: String,
    /// When it last changed (RFC 3339).
    pub modified: Option<String>,
}

/// What a query found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Results {
    /// The requested batch.
    pub items: Vec<Hit>,
    /// How many matched, in all.
    pub total: usize,
    /// Facet → value → count.
    pub facets: BTreeMap<String, BTreeMap<String, u64>>,
}

/// The date indexes every search knows.
pub const DATE_INDEXES: &[&str] = &[
    "created",
    "modified",
    "effective",
    "expires",
    "start",
    "end",
];

/// The sort keys every search knows, besides the date indexes.
pub const SORT_KEYS: &[&str] = &["relevance", "title", "path", "position"];

/// The facets every search counts.
pub const FACETS: &[&str] = &["type", "review_state", "subject"];

impl Site {
    /// Runs `q` as `who`: only items `who` may view are counted, faceted
    /// and returned. The first enabled module that searches answers (the
    /// catalog); without one, the core walks the site, which gives the same
    /// items except that words are matched whole (case and accents
    /// ignored, no stemming), file contents are not searched, and
    /// `relevance` ranks by how many words the title and text hold.
    pub fn search(&self, who: &Principal, q: &Query) -> Result<Results> {
        let q = self.query_for(who, q)?;
        for m in self.modules() {
            if let Some(answer) = m.search(self, who, &q) {
                return answer;
            }
        }
        walk_search(self, who, &q)
    }

    /// `q` as `who` may run it: facets checked, and limited to items
    /// within their publication dates unless `who` may see inactive
    /// content. A module answering searches by another door than
    /// [`Site::search`] passes its queries through this first.
    pub fn query_for(&self, who: &Principal, q: &Query) -> Result<Query> {
        let mut q = q.clone();
        if q.active_at.is_none() && !self.sees_inactive(who) {
            q.active_at = Some(chrono::Utc::now().timestamp());
        }
        for name in &q.facets {
            if !FACETS.contains(&name.as_str()) && !self.is_indexed_field(name) {
                return Err(bad(
                    "facets",
                    format!("no facet `{name}` (type, review_state, subject, or an indexed field)"),
                ));
            }
        }
        Ok(q)
    }

    /// Whether `who` sees items outside their publication dates site-wide
    /// (by a global role holding
    /// [`ACCESS_INACTIVE`](crate::security::ACCESS_INACTIVE)).
    pub fn sees_inactive(&self, who: &Principal) -> bool {
        if who.is_system() {
            return true;
        }
        let roles = who.global_roles();
        roles.contains(security::MANAGER)
            || self
                .security
                .role_map
                .get(security::ACCESS_INACTIVE)
                .is_some_and(|allowed| allowed.iter().any(|r| roles.contains(r)))
    }

    /// Whether some type marks a field `name` with `index = true`.
    pub fn is_indexed_field(&self, name: &str) -> bool {
        self.schema()
            .types()
            .any(|t| t.fields.iter().any(|f| f.index && f.name == name))
    }
}

fn bad(field: &str, message: String) -> Error {
    Error::Invalid(vec![FieldError::new(field, "bad_query", message)])
}

/// The dates a search handles: 1700 to 2200.
const YEARS: std::ops::RangeInclusive<i64> = -8_520_336_000..=7_258_118_400;

/// Seconds since the epoch for an RFC 3339 date-time or a `YYYY-MM-DD`
/// date, within 1700–2200; `None` otherwise.
pub fn timestamp(s: &str) -> Option<i64> {
    let secs = match chrono::DateTime::parse_from_rfc3339(s) {
        Ok(d) => d.timestamp(),
        Err(_) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc().timestamp())?,
    };
    YEARS.contains(&secs).then_some(secs)
}

/// Whether `s` is a date without a time (`YYYY-MM-DD`).
pub fn is_date_only(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// The strings in a value: itself, the items of a list, the values of an
/// object (an address), numbers written out.
pub fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) if !s.is_empty() => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().flat_map(|x| strings(Some(x))).collect(),
        Some(Value::Object(o)) => o.values().flat_map(|x| strings(Some(x))).collect(),
        Some(Value::Number(n)) => vec![n.to_string()],
        Some(Value::Bool(b)) => vec![b.to_string()],
        _ => Vec::new(),
    }
}

/// The text of an HTML fragment: tags dropped (each leaves a space),
/// common entities decoded.
pub fn strip_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&nbsp;", " ")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A choice's values as searchable text: each value preceded by its
/// title in `lang` when `vocabulary` (a vocabulary of the site's schema)
/// has a term for it.
pub fn choice_text(site: &Site, vocabulary: Option<&str>, value: &Value, lang: &str) -> String {
    let mut out = Vec::new();
    for v in strings(Some(value)) {
        if let Some(term) = vocabulary
            .and_then(|n| site.schema().vocabulary(n))
            .and_then(|voc| voc.terms.iter().find(|t| t.value == v))
        {
            out.push(term.title.get(lang).to_owned());
        }
        out.push(v);
    }
    out.join(" ")
}

/// What a search finds in an item besides its title: see [`item_text`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemText {
    /// The searchable text: the description, then the text of each
    /// searchable field, one per line.
    pub body: String,
    /// The indexed values, as `field=value`, in the order of the fields.
    pub indexed: Vec<String>,
}

/// The searchable text and indexed values of an item, by its type's
/// fields (title and description excepted; the description starts the
/// body): rich text without its tags, choices with their titles in
/// `lang`, other values as their strings. The text of file and image
/// fields is what `binary` gives for the field's kind and value.
pub fn item_text(
    site: &Site,
    item: &Item,
    lang: &str,
    binary: impl Fn(FieldKind, &Value) -> String,
) -> ItemText {
    let mut out = ItemText {
        body: String::from(item.description()),
        indexed: Vec::new(),
    };
    let Some(ty) = site.schema().get(&item.type_name) else {
        return out;
    };
    for field in &ty.fields {
        if field.name == "title" || field.name == "description" {
            continue;
        }
        let Some(value) = item.field(&field.name) else {
            continue;
        };
        if field.index {
            for v in strings(Some(value)) {
                out.indexed.push(format!("{}={v}", field.name));
            }
        }
        if !field.searchable {
            continue;
        }
        let text = match field.kind {
            FieldKind::Richtext => strip_html(value.as_str().unwrap_or("")),
            FieldKind::File | FieldKind::Image => binary(field.kind, value),
            FieldKind::Choice | FieldKind::MultiChoice => {
                choice_text(site, field.vocabulary.as_deref(), value, lang)
            }
            _ => strings(Some(value)).join(" "),
        };
        out.body.push('\n');
        out.body.push_str(&text);
    }
    out
}

/// Words, case and accents folded. Letters the folding does not know
/// (other scripts) are dropped, as the slugs of ids drop them.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .flat_map(|w| {
            let slug = crate::text::slugify(w);
            // `slugify` names a word with nothing it can keep `item`.
            if slug == "item" && !w.eq_ignore_ascii_case("item") {
                Vec::new()
            } else {
                slug.split('-').map(str::to_owned).collect()
            }
        })
        .collect()
}

/// The date of an item for a date index, in seconds.
fn date_of(item: &Item, name: &str) -> Option<i64> {
    match name {
        "created" => Some(item.created.timestamp()),
        "modified" => Some(item.modified.timestamp()),
        _ => item.field(name).and_then(Value::as_str).and_then(timestamp),
    }
}

fn bound(s: &Option<String>, name: &str, upper: bool) -> Result<Option<i64>> {
    match s {
        None => Ok(None),
        Some(s) => {
            let secs = timestamp(s).ok_or_else(|| {
                bad(
                    &format!("dates.{name}"),
                    format!("`{s}` is not a date between 1700 and 2200 (YYYY-MM-DD or RFC 3339)"),
                )
            })?;
            // A day as the upper end includes the whole day.
            Ok(Some(if upper && is_date_only(s) {
                secs + 86_399
            } else {
                secs
            }))
        }
    }
}

/// One item as the walk sees it: its text words and its indexed values.
struct Candidate {
    item: Item,
    title_words: BTreeSet<String>,
    words: BTreeSet<String>,
    subjects: Vec<String>,
    indexed: BTreeSet<String>,
}

fn candidate(site: &Site, item: Item) -> Candidate {
    let lang = item
        .language
        .clone()
        .unwrap_or_else(|| site.config().default_language.clone());
    // File contents are the catalog's to read.
    let ItemText { body, indexed } = item_text(site, &item, &lang, |_, _| String::new());
    let indexed: BTreeSet<String> = indexed.into_iter().collect();
    let title_words: BTreeSet<String> = words(item.title()).into_iter().collect();
    let mut all: BTreeSet<String> = words(&body).into_iter().collect();
    all.extend(title_words.iter().cloned());
    let subjects = ["subjects", "subject"]
        .iter()
        .flat_map(|n| strings(item.field(n)))
        .collect();
    Candidate {
        item,
        title_words,
        words: all,
        subjects,
        indexed,
    }
}

/// The core's own search: every item the principal may view (by the item's
/// own View permission), filtered, sorted and batched in memory.
fn walk_search(site: &Site, who: &Principal, q: &Query) -> Result<Results> {
    let wanted: Vec<String> = match q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => {
            if text.chars().count() > 500 {
                return Err(bad("text", "at most 500 characters".into()));
            }
            let w = words(text);
            if w.is_empty() {
                return Err(bad("text", "give at least one word".into()));
            }
            w
        }
        None => Vec::new(),
    };
    let mut ranges = Vec::new();
    for (name, range) in &q.dates {
        if !DATE_INDEXES.contains(&name.as_str()) {
            return Err(bad("dates", format!("no date index `{name}`")));
        }
        ranges.push((
            name.as_str(),
            bound(&range.min, name, false)?,
            bound(&range.max, name, true)?,
        ));
    }
    let sort_on = q.sort_on.clone().unwrap_or_else(|| {
        if wanted.is_empty() {
            "path".into()
        } else {
            "relevance".into()
        }
    });
    if !SORT_KEYS.contains(&sort_on.as_str()) && !DATE_INDEXES.contains(&sort_on.as_str()) {
        return Err(bad(
            "sort_on",
            format!("cannot sort on `{sort_on}` (relevance, title, path, position, created, modified, effective, expires, start, end)"),
        ));
    }
    let path = q.path.as_ref().map(|p| {
        let path = format!("/{}", p.path.trim_matches('/'));
        let base = path.split('/').filter(|s| !s.is_empty()).count();
        (path, base, p.depth)
    });
    let reader = site.reader(who);
    let mut found = Vec::new();
    for item in site.walk()? {
        if let Some((path, base, depth)) = &path {
            let inside = path == "/"
                || item.path == *path
                || item
                    .path
                    .strip_prefix(path.as_str())
                    .is_some_and(|r| r.starts_with('/'));
            if !inside {
                continue;
            }
            let level = item.path.split('/').filter(|s| !s.is_empty()).count();
            match depth {
                Some(0) if level != *base => continue,
                Some(d) if *d > 0 && (level <= *base || level > base + *d as usize) => continue,
                _ => {}
            }
        }
        if !q.types.is_empty() && !q.types.contains(&item.type_name) {
            continue;
        }
        let state = item.review_state.clone().unwrap_or_default();
        if !q.review_states.is_empty() && !q.review_states.contains(&state) {
            continue;
        }
        if !q.creators.is_empty() && !q.creators.contains(&item.creator) {
            continue;
        }
        if let Some(lang) = &q.language {
            let own = item
                .language
                .as_deref()
                .unwrap_or(&site.config().default_language);
            if own != lang {
                continue;
            }
        }
        let mut in_range = true;
        for (name, min, max) in &ranges {
            if min.is_none() && max.is_none() {
                continue;
            }
            match date_of(&item, name) {
                Some(d) => {
                    if min.is_some_and(|m| d < m) || max.is_some_and(|m| d > m) {
                        in_range = false;
                    }
                }
                None => in_range = false,
            }
        }
        if !in_range {
            continue;
        }
        if q.active_at
            .is_some_and(|now| !crate::item::active_at(&item, now))
        {
            continue;
        }
        if !reader.can(&item, security::VIEW)? {
            continue;
        }
        let c = candidate(site, item);
        if !q.subjects.is_empty() && !c.subjects.iter().any(|s| q.subjects.contains(s)) {
            continue;
        }
        if q.all_subjects.iter().any(|s| !c.subjects.contains(s)) {
            continue;
        }
        if q.fields
            .iter()
            .any(|(name, value)| !c.indexed.contains(&format!("{name}={value}")))
        {
            continue;
        }
        if wanted.iter().any(|w| !c.words.contains(w)) {
            continue;
        }
        found.push(c);
    }
    let mut facets: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for name in &q.facets {
        let mut counts = BTreeMap::new();
        for c in &found {
            let values = match name.as_str() {
                "type" => vec![c.item.type_name.clone()],
                "review_state" => c.item.review_state.clone().into_iter().collect(),
                "subject" => c.subjects.clone(),
                field => c
                    .indexed
                    .iter()
                    .filter_map(|kv| kv.strip_prefix(field)?.strip_prefix('='))
                    .map(str::to_owned)
                    .collect(),
            };
            for v in values.into_iter().filter(|v| !v.is_empty()) {
                *counts.entry(v).or_insert(0) += 1;
            }
        }
        facets.insert(name.clone(), counts);
    }
    let score = |c: &Candidate| -> usize {
        wanted
            .iter()
            .map(|w| usize::from(c.words.contains(w)) + 3 * usize::from(c.title_words.contains(w)))
            .sum()
    };
    match sort_on.as_str() {
        // The best first whatever the order asked: a ranking has one sense.
        "relevance" => found.sort_by_key(|c| std::cmp::Reverse(score(c))),
        "title" => found.sort_by_cached_key(|c| crate::text::slugify(c.item.title())),
        "path" => found.sort_by(|a, b| a.item.path.cmp(&b.item.path)),
        "position" => found.sort_by_key(|c| c.item.position),
        date => found.sort_by_key(|c| date_of(&c.item, date)),
    }
    if q.sort_order == SortOrder::Descending && sort_on != "relevance" {
        found.reverse();
    }
    let total = found.len();
    let items = found
        .into_iter()
        .skip(q.b_start)
        .take(q.b_size.min(1000))
        .map(|c| {
            let (title, description) = (c.item.title().to_owned(), c.item.description().to_owned());
            let modified = Some(c.item.modified.to_rfc3339());
            Hit {
                uid: c.item.uid,
                path: c.item.path,
                type_name: c.item.type_name,
                title,
                description,
                review_state: c.item.review_state.unwrap_or_default(),
                modified,
            }
        })
        .collect();
    Ok(Results {
        items,
        total,
        facets,
    })
}
