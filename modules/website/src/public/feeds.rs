//! RSS 2.0 (`@@rss`) and Atom 1.0 (`@@atom`) feeds of a container: its
//! news by default, its upcoming events with `?type=events`. One view
//! name per format and a `type` parameter keep the names few; each feed
//! names its own address (`rel="self"`) with the parameter.
//!
//! News: the [`FEED_SIZE`] latest, newest first, in the listing's order.
//! Events: the [`FEED_SIZE`] next, by start, each dated by its
//! publication, its start written in its summary.

use beffroi::prelude::*;
use beffroi::view::{Answer, Page};
use chrono::{DateTime, SecondsFormat, Utc};

use super::listing::{date_display, news, upcoming_events};
use super::{date_field, escape, item_url, published, site_title};

/// How many entries a feed holds.
pub(crate) const FEED_SIZE: usize = 20;

/// A feed every page of the site advertises in its head.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Feed {
    /// The view.
    pub(crate) view: &'static str,
    /// Its query string, `""` for none.
    pub(crate) query: &'static str,
    /// Its media type.
    pub(crate) media_type: &'static str,
    /// The message naming it.
    pub(crate) title_key: &'static str,
}

/// The site's feeds, advertised on every page: news in both formats,
/// events in RSS.
pub(crate) const FEEDS: &[Feed] = &[
    Feed {
        view: "@@rss",
        query: "",
        media_type: "application/rss+xml",
        title_key: "website-feed-news-rss",
    },
    Feed {
        view: "@@atom",
        query: "",
        media_type: "application/atom+xml",
        title_key: "website-feed-news-atom",
    },
    Feed {
        view: "@@rss",
        query: "type=events",
        media_type: "application/rss+xml",
        title_key: "website-feed-events-rss",
    },
];

/// What a feed lists.
struct Channel {
    title: String,
    link: String,
    description: String,
    entries: Vec<Entry>,
}

struct Entry {
    uid: String,
    title: String,
    link: String,
    summary: String,
    published: DateTime<Utc>,
    updated: DateTime<Utc>,
    category: Option<String>,
}

/// The news (or, with `?type=events`, the upcoming events) below `item`.
fn channel(page: &Page<'_>, item: &Item) -> Result<Channel> {
    let events = page.param("type") == Some("events");
    let site = site_title(page);
    let place = if item.path == "/" {
        site.clone()
    } else {
        format!("{} — {site}", item.title())
    };
    let (title_key, items) = if events {
        (
            "website-feed-events-title",
            upcoming_events(page, &item.path, &[], FEED_SIZE)?,
        )
    } else {
        let mut all = news(page, &item.path, &[])?;
        all.truncate(FEED_SIZE);
        ("website-feed-news-title", all)
    };
    let entries = items
        .iter()
        .map(|i| {
            let mut summary = i.description().to_owned();
            if events {
                if let Some(start) = date_field(i, "start") {
                    summary = format!("{} — {summary}", date_display(page, start));
                }
            }
            Entry {
                uid: i.uid.clone(),
                title: i.title().to_owned(),
                link: item_url(page, &i.path),
                summary: summary.trim_end_matches([' ', '—']).to_owned(),
                published: published(i),
                updated: i.modified,
                category: i
                    .field("news_category")
                    .and_then(Value::as_str)
                    .and_then(|c| super::term_title(page, "news_categories", c)),
            }
        })
        .collect();
    Ok(Channel {
        title: page.t(title_key, &[("place", place)]),
        link: item_url(page, &item.path),
        description: if item.description().is_empty() {
            site
        } else {
            item.description().to_owned()
        },
        entries,
    })
}

/// The feed's own address: the view after the item, with `?type=events`
/// when that is what it lists.
fn self_url(page: &Page<'_>, item: &Item, view: &str) -> String {
    let mut url = format!(
        "{}/{view}",
        item_url(page, &item.path).trim_end_matches('/')
    );
    if page.param("type") == Some("events") {
        url.push_str("?type=events");
    }
    url
}

/// `@@rss`: RSS 2.0.
pub(super) fn rss(page: &Page<'_>, item: &Item) -> Result<Answer> {
    let c = channel(page, item)?;
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str("<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n");
    x.push_str(&format!(
        "<title>{}</title>\n<link>{}</link>\n<description>{}</description>\n<language>{}</language>\n",
        escape(&c.title),
        escape(&c.link),
        escape(&c.description),
        escape(page.lang()),
    ));
    x.push_str(&format!(
        "<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>\n",
        escape(&self_url(page, item, "@@rss"))
    ));
    if let Some(last) = c.entries.iter().map(|e| e.published).max() {
        x.push_str(&format!(
            "<lastBuildDate>{}</lastBuildDate>\n",
            last.to_rfc2822()
        ));
    }
    for e in &c.entries {
        x.push_str("<item>\n");
        x.push_str(&format!(
            "<title>{}</title>\n<link>{}</link>\n<guid isPermaLink=\"false\">{}</guid>\n<pubDate>{}</pubDate>\n",
            escape(&e.title),
            escape(&e.link),
            escape(&urn(&e.uid)),
            e.published.to_rfc2822(),
        ));
        if !e.summary.is_empty() {
            x.push_str(&format!(
                "<description>{}</description>\n",
                escape(&e.summary)
            ));
        }
        if let Some(cat) = &e.category {
            x.push_str(&format!("<category>{}</category>\n", escape(cat)));
        }
        x.push_str("</item>\n");
    }
    x.push_str("</channel>\n</rss>\n");
    Ok(Answer::bytes("application/rss+xml; charset=utf-8", x))
}

/// `@@atom`: Atom 1.0.
pub(super) fn atom(page: &Page<'_>, item: &Item) -> Result<Answer> {
    let c = channel(page, item)?;
    let me = self_url(page, item, "@@atom");
    let updated = c
        .entries
        .iter()
        .map(|e| e.updated)
        .max()
        .unwrap_or(item.modified);
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        escape(page.lang())
    ));
    x.push_str(&format!(
        "<id>{}</id>\n<title>{}</title>\n<subtitle>{}</subtitle>\n<updated>{}</updated>\n",
        escape(&me),
        escape(&c.title),
        escape(&c.description),
        rfc3339(updated),
    ));
    x.push_str(&format!(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape(&me),
        escape(&c.link),
    ));
    x.push_str(&format!(
        "<author><name>{}</name></author>\n",
        escape(&site_title(page))
    ));
    for e in &c.entries {
        x.push_str("<entry>\n");
        x.push_str(&format!(
            "<id>{}</id>\n<title>{}</title>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<published>{}</published>\n<updated>{}</updated>\n",
            escape(&urn(&e.uid)),
            escape(&e.title),
            escape(&e.link),
            rfc3339(e.published),
            rfc3339(e.updated.max(e.published)),
        ));
        if !e.summary.is_empty() {
            x.push_str(&format!("<summary>{}</summary>\n", escape(&e.summary)));
        }
        if let Some(cat) = &e.category {
            x.push_str(&format!("<category term=\"{}\"/>\n", escape(cat)));
        }
        x.push_str("</entry>\n");
    }
    x.push_str("</feed>\n");
    Ok(Answer::bytes("application/atom+xml; charset=utf-8", x))
}

fn rfc3339(d: DateTime<Utc>) -> String {
    d.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An item's lasting identifier: its uid as a UUID URN, so an entry keeps
/// its identity when the item moves.
fn urn(uid: &str) -> String {
    if uid.len() == 32 && uid.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!(
            "urn:uuid:{}-{}-{}-{}-{}",
            &uid[..8],
            &uid[8..12],
            &uid[12..16],
            &uid[16..20],
            &uid[20..]
        )
    } else {
        format!("urn:beffroi:{uid}")
    }
}

#[cfg(test)]
mod tests {
    use super::urn;

    #[test]
    fn uids_become_uuid_urns() {
        assert_eq!(
            urn("0123456789abcdef0123456789abcdef"),
            "urn:uuid:01234567-89ab-cdef-0123-456789abcdef"
        );
    }
}
