//! What modules add to the web surface: named views (`@@events`,
//! `@@ical`, `sitemap.xml`…) and decorations of every page (a banner, tags
//! in the page's head, data for their templates).
//!
//! A view is a plain function of a [`Page`] (who asks, in which language,
//! with which query) and the item it is called on; it answers with a page
//! in the site's layout, or with bytes of any type. The core finds the
//! item, checks that the caller may view it (else 404, as for every item),
//! and turns the answer into HTTP. Views read through [`Page::reader`] and
//! [`Page::search`], so they see only what the caller may see.

use serde_json::{Map, Value};

use crate::access::Reader;
use crate::error::Result;
use crate::item::Item;
use crate::search::{Query, Results};
use crate::security::Principal;
use crate::site::Site;

/// Where a view answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum On {
    /// After any item's path: `/news/@@rss`.
    Any,
    /// After the path of items of these types: `/agenda/market/@@ical`.
    Types(&'static [&'static str]),
    /// As a file at the site's root: `/sitemap.xml`, `/robots.txt` (an
    /// item of that name at the root wins).
    RootFile,
}

/// A view a module adds.
#[derive(Clone, Copy)]
pub struct View {
    /// Its name: `@@events` (called as `/path/@@events`), or a file name
    /// for [`On::RootFile`].
    pub name: &'static str,
    /// Where it answers.
    pub on: On,
    /// Builds the answer for the item it is called on (the root for root
    /// files).
    pub render: fn(&Page<'_>, &Item) -> Result<Answer>,
}

impl std::fmt::Debug for View {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("View")
            .field("name", &self.name)
            .field("on", &self.on)
            .finish()
    }
}

impl View {
    /// Whether the view answers on `item`.
    pub fn answers_on(&self, item: &Item) -> bool {
        match self.on {
            On::Any => true,
            On::Types(types) => types.contains(&item.type_name.as_str()),
            On::RootFile => item.path == "/",
        }
    }
}

/// What a view answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// A page in the site's layout: `template` (which extends `base.html`)
    /// rendered with the site's usual context for the item (navigation,
    /// breadcrumbs, toolbar, languages) plus `values`.
    Page {
        /// The template's name (`website/events.html`).
        template: String,
        /// Values for the template, each at the top of its context.
        values: Map<String, Value>,
    },
    /// Bytes of a type: a feed, a sitemap, an iCalendar file, JSON.
    Bytes {
        /// The `Content-Type`.
        content_type: String,
        /// The body.
        body: Vec<u8>,
        /// A file name to offer for download (`Content-Disposition`).
        filename: Option<String>,
    },
    /// Go elsewhere (303): a URL or a path of the site.
    Redirect(String),
}

impl Answer {
    /// A page of `template` with `values`.
    pub fn page(template: &str, values: Map<String, Value>) -> Self {
        Self::Page {
            template: template.to_owned(),
            values,
        }
    }

    /// Bytes of `content_type`.
    pub fn bytes(content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self::Bytes {
            content_type: content_type.to_owned(),
            body: body.into(),
            filename: None,
        }
    }
}

/// What a module adds to a page of the site's layout.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Decorations {
    /// HTML for the page's `<head>` (meta tags, links).
    pub head: Vec<String>,
    /// HTML shown above the page's content (banners, alerts).
    pub above_content: Vec<String>,
    /// HTML shown in the page's footer.
    pub footer: Vec<String>,
    /// Values for templates, under the module's name: the website module's
    /// `sections` are `{{ website.sections }}`.
    pub values: Map<String, Value>,
}

/// One request, as views and decorations see it.
pub struct Page<'a> {
    pub(crate) site: &'a Site,
    pub(crate) who: &'a Principal,
    pub(crate) lang: &'a str,
    pub(crate) base: &'a str,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) rest: Option<&'a str>,
    pub(crate) json: bool,
}

impl std::fmt::Debug for Page<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Page")
            .field("site", &self.site.id())
            .field("who", &self.who.name())
            .field("lang", &self.lang)
            .finish()
    }
}

impl<'a> Page<'a> {
    /// A request for `site` by `who` in `lang`, at `base` (the site's URL,
    /// without a trailing `/`) with `query` — for tests and for the core.
    pub fn new(
        site: &'a Site,
        who: &'a Principal,
        lang: &'a str,
        base: &'a str,
        query: Vec<(String, String)>,
    ) -> Self {
        Self {
            site,
            who,
            lang,
            base,
            query,
            rest: None,
            json: false,
        }
    }

    /// The site.
    pub fn site(&self) -> &'a Site {
        self.site
    }

    /// Who asks.
    pub fn who(&self) -> &'a Principal {
        self.who
    }

    /// The site as the caller sees it.
    pub fn reader(&self) -> Reader<'a> {
        self.site.reader(self.who)
    }

    /// A search answered with what the caller may see.
    pub fn search(&self, q: &Query) -> Result<Results> {
        self.site.search(self.who, q)
    }

    /// The page's language.
    pub fn lang(&self) -> &'a str {
        self.lang
    }

    /// The site's URL, without a trailing `/`.
    pub fn base(&self) -> &'a str {
        self.base
    }

    /// The URL of the item at `path`.
    pub fn url(&self, path: &str) -> String {
        if path == "/" {
            format!("{}/", self.base)
        } else {
            format!("{}{}", self.base, path)
        }
    }

    /// The query string's pairs, decoded.
    pub fn query(&self) -> &[(String, String)] {
        &self.query
    }

    /// The first value of the query parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of the query parameter `name`.
    pub fn params(&self, name: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// What follows the view's name in the path (`@@events/2026` → `2026`).
    pub fn rest(&self) -> Option<&'a str> {
        self.rest
    }

    /// Whether the caller asked for JSON (`Accept: application/json` or
    /// `/++api++/`).
    pub fn wants_json(&self) -> bool {
        self.json
    }

    /// A message of the site's catalog in the page's language.
    pub fn t(&self, key: &str, args: &[(&str, String)]) -> String {
        self.site.renderer().catalog().message(self.lang, key, args)
    }

    /// Renders a template fragment (not a whole page) with `values` and
    /// the page's language, for [`Decorations`].
    pub fn fragment(&self, template: &str, values: &Map<String, Value>) -> Result<String> {
        let mut ctx = tera::Context::new();
        ctx.insert("lang", self.lang);
        ctx.insert("site_url", self.base);
        for (k, v) in values {
            ctx.insert(k.clone(), v);
        }
        self.site.renderer().render(template, &ctx)
    }
}
