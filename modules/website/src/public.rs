//! The public side: the news listing (`@@news`), the news and events
//! feeds (`@@rss`, `@@atom`), `sitemap.xml` and `robots.txt`, the search
//! page (`@@search`) and the topic and audience pages (`@@topic`,
//! `@@audience`).
//!
//! Everything here reads as the caller ([`Page::reader`],
//! [`Page::search`]), except the sitemap, which reads as an anonymous
//! visitor whoever asks: it is what search engines are told exists.

use beffroi::prelude::*;
use beffroi::view::{Decorations, On, Page, View};
use chrono::{DateTime, Utc};

mod feeds;
mod listing;
mod search;
mod sitemap;
mod topics;

pub(crate) use feeds::FEEDS;

/// The views of this part.
pub(crate) fn views() -> Vec<View> {
    vec![
        View {
            name: "@@news",
            on: On::Any,
            render: listing::news_view,
        },
        View {
            name: "@@rss",
            on: On::Any,
            render: feeds::rss,
        },
        View {
            name: "@@atom",
            on: On::Any,
            render: feeds::atom,
        },
        View {
            name: "sitemap.xml",
            on: On::RootFile,
            render: sitemap::sitemap,
        },
        View {
            name: "robots.txt",
            on: On::RootFile,
            render: sitemap::robots,
        },
        View {
            name: "@@search",
            on: On::Any,
            render: search::search,
        },
        View {
            name: "@@topic",
            on: On::Any,
            render: topics::topic,
        },
        View {
            name: "@@audience",
            on: On::Any,
            render: topics::audience,
        },
    ]
}

/// Its hook subscribers.
pub(crate) fn subscribers() -> Vec<Subscriber> {
    Vec::new()
}

/// What it adds to pages: nothing; the feeds are advertised with the
/// other head tags by [`crate::meta`].
pub(crate) fn decorate(
    _page: &Page<'_>,
    _item: Option<&Item>,
    _out: &mut Decorations,
) -> Result<()> {
    Ok(())
}

/// Text made safe for HTML and XML, in content and in attribute values
/// (the core's [`beffroi::text::escape_xml`]).
pub(crate) fn escape(s: &str) -> String {
    beffroi::text::escape_xml(s)
}

/// The absolute URL of the item at `path`, its path percent-encoded
/// where it needs to be; the root's ends with `/`.
pub(crate) fn item_url(page: &Page<'_>, path: &str) -> String {
    let mut out = String::from(page.base());
    if path == "/" {
        out.push('/');
        return out;
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `url` with a query string made of `pairs` (empty values left out).
pub(crate) fn with_query(url: &str, pairs: &[(&str, String)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        q.append_pair(k, v);
    }
    let q = q.finish();
    if q.is_empty() {
        url.to_owned()
    } else {
        format!("{url}?{q}")
    }
}

/// The site's title, as its settings say.
pub(crate) fn site_title(page: &Page<'_>) -> String {
    page.site().settings_or_config().title
}

/// A date field of an item (RFC 3339 or `YYYY-MM-DD`), in UTC.
pub(crate) fn date_field(item: &Item, name: &str) -> Option<DateTime<Utc>> {
    item.field(name)
        .and_then(Value::as_str)
        .and_then(beffroi::search::timestamp)
        .and_then(|secs| DateTime::from_timestamp(secs, 0))
}

/// When an item was published, for listings and feeds: its `effective`
/// date when set, else when it was added.
pub(crate) fn published(item: &Item) -> DateTime<Utc> {
    date_field(item, "effective").unwrap_or(item.created)
}

/// The title in the page's language of `value` in the vocabulary
/// `vocabulary`, `None` when it is not one of its terms.
pub(crate) fn term_title(page: &Page<'_>, vocabulary: &str, value: &str) -> Option<String> {
    page.site()
        .schema()
        .vocabulary(vocabulary)?
        .terms
        .iter()
        .find(|t| t.value == value)
        .map(|t| t.title.get(page.lang()).to_owned())
}

/// A vocabulary's terms as choices for a form: value, title in the
/// page's language, and whether it is `selected`.
pub(crate) fn choices(page: &Page<'_>, vocabulary: &str, selected: &str) -> Vec<Value> {
    page.site()
        .schema()
        .vocabulary(vocabulary)
        .map(|v| {
            v.terms
                .iter()
                .map(|t| {
                    json!({
                        "value": t.value,
                        "title": t.title.get(page.lang()),
                        "selected": t.value == selected,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The first result asked for (`b_start`), 0 when absent or not a number.
pub(crate) fn b_start(page: &Page<'_>) -> usize {
    page.param("b_start")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Previous and next links of a batch of `size` starting at `start` out
/// of `total`, for the templates' pagers: `url` with `pairs` and the
/// batch's `b_start`.
pub(crate) fn pager(
    url: &str,
    pairs: &[(&str, String)],
    start: usize,
    size: usize,
    total: usize,
) -> Value {
    let link = |b: usize| {
        let mut p = pairs.to_vec();
        if b > 0 {
            p.push(("b_start", b.to_string()));
        }
        with_query(url, &p)
    };
    let pages = total.div_ceil(size.max(1));
    json!({
        "previous": (start > 0).then(|| link(start.saturating_sub(size))),
        "next": (start + size < total).then(|| link(start + size)),
        "current": start / size.max(1) + 1,
        "pages": pages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_quotes_and_forbidden_characters() {
        assert_eq!(
            escape("<a href=\"x\">Tom & 'Jerry'</a>\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("ligne\nsuivante"), "ligne\nsuivante");
    }

    #[test]
    fn query_strings_leave_out_empty_values_and_encode_the_others() {
        assert_eq!(
            with_query(
                "http://t/@@news",
                &[("category", "".into()), ("topic", "vie & mort".into())]
            ),
            "http://t/@@news?topic=vie+%26+mort"
        );
        assert_eq!(with_query("http://t/", &[]), "http://t/");
    }

    #[test]
    fn pagers_link_to_the_neighbouring_batches() {
        let p = pager("u", &[], 10, 10, 25);
        assert_eq!(p["previous"], "u");
        assert_eq!(p["next"], "u?b_start=20");
        assert_eq!(p["current"], 2);
        assert_eq!(p["pages"], 3);
        let p = pager("u", &[], 0, 10, 5);
        assert!(p["previous"].is_null() && p["next"].is_null());
    }
}
