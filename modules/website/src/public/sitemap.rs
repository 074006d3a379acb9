//! `sitemap.xml` and `robots.txt`, for search engines.
//!
//! The sitemap lists what an anonymous visitor may see, whoever asks
//! (an editor asking gets the public map, not theirs): it reads the site
//! with [`Principal::anonymous`], so private items, items inside private
//! folders and items outside their publication dates are left out.

use beffroi::prelude::*;
use beffroi::view::{Answer, Page};
use chrono::SecondsFormat;

use super::{escape, item_url};

/// The most URLs one sitemap file may hold (sitemaps.org).
const MAX_URLS: usize = 50_000;

/// Types that are not pages of their own: a page's sections are shown
/// inside it, a link sends elsewhere.
const NOT_PAGES: &[&str] = &[
    "Link",
    "Text Section",
    "Files Section",
    "Gallery Section",
    "Links Section",
    "Map Section",
    "Contact Section",
    "Query Section",
    "Video Section",
];

/// `sitemap.xml`: every item an anonymous visitor may see, with the date
/// it last changed and its translations as alternates.
pub(super) fn sitemap(page: &Page<'_>, _root: &Item) -> Result<Answer> {
    let anonymous = Principal::anonymous();
    let reader = page.site().reader(&anonymous);
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    let listed = reader
        .walk()?
        .into_iter()
        .filter(|i| !NOT_PAGES.contains(&i.type_name.as_str()))
        .take(MAX_URLS);
    for item in listed {
        x.push_str("<url>\n");
        x.push_str(&format!(
            "<loc>{}</loc>\n<lastmod>{}</lastmod>\n",
            escape(&item_url(page, &item.path)),
            item.modified.to_rfc3339_opts(SecondsFormat::Secs, true)
        ));
        let translations = reader.translations(&item)?;
        if !translations.is_empty() {
            // Each URL names every version, itself included (as search
            // engines ask).
            let own = beffroi::translations::language_of(page.site(), &item);
            let mut all = vec![(own, item.path.clone())];
            all.extend(translations.into_iter().map(|(l, t)| (l, t.path)));
            for (lang, path) in all {
                x.push_str(&format!(
                    "<xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>\n",
                    escape(&lang),
                    escape(&item_url(page, &path))
                ));
            }
        }
        x.push_str("</url>\n");
    }
    x.push_str("</urlset>\n");
    Ok(Answer::bytes("application/xml; charset=utf-8", x))
}

/// The addresses robots are asked to leave alone: logging in, editing
/// and adding, site setup, the API, search results (endless) and the
/// language switch.
const DISALLOWED: &[&str] = &[
    "/@@login",
    "/@@logout",
    "/@@reset-password",
    "/@@set-language",
    "/@@overview-controlpanel",
    "/++api++",
    "/++add++",
    "/*/++add++",
    "/*@@edit",
    "/*@@folder_contents",
    "/*@@sharing",
    "/*@@history",
    "/*@@delete_confirmation",
    "/*@@search",
    "/*@search",
];

/// `robots.txt`: everything may be crawled but the editing addresses;
/// the sitemap is named by its absolute address.
pub(super) fn robots(page: &Page<'_>, _root: &Item) -> Result<Answer> {
    let mut t = String::from("User-agent: *\n");
    for path in DISALLOWED {
        t.push_str(&format!("Disallow: {path}\n"));
    }
    t.push_str("Allow: /\n\n");
    t.push_str(&format!("Sitemap: {}/sitemap.xml\n", page.base()));
    Ok(Answer::bytes("text/plain; charset=utf-8", t))
}
