//! Tags in the head of every page: the site's feeds (`<link
//! rel="alternate">`), and on a page about an item its canonical address,
//! its description and its Open Graph card (title, description, address,
//! kind, site, locale, lead image).
//!
//! The canonical address of a view of an item (`/news/@@news?b_start=10`)
//! is the item's, without a query, as Plone's canonical tag has it. Every
//! value is escaped by [`crate::public::escape`]: titles and descriptions
//! are what editors typed.

use beffroi::prelude::*;
use beffroi::view::{Decorations, Page, View};

use crate::public::{escape, item_url, site_title, FEEDS};

/// The views of this part.
pub(crate) fn views() -> Vec<View> {
    Vec::new()
}

/// Its hook subscribers.
pub(crate) fn subscribers() -> Vec<Subscriber> {
    Vec::new()
}

/// What it adds to pages.
pub(crate) fn decorate(page: &Page<'_>, item: Option<&Item>, out: &mut Decorations) -> Result<()> {
    let site = site_title(page);
    for feed in FEEDS {
        let mut href = format!("{}/{}", page.base(), feed.view);
        if !feed.query.is_empty() {
            href.push('?');
            href.push_str(feed.query);
        }
        out.head.push(format!(
            r#"<link rel="alternate" type="{}" title="{}" href="{}">"#,
            feed.media_type,
            escape(&page.t(feed.title_key, &[("site", site.clone())])),
            escape(&href),
        ));
    }
    let Some(item) = item else {
        return Ok(());
    };
    // A default page is found at its container's address (Plone's
    // canonical tag says the same).
    let container = match item.parent.as_deref() {
        Some(uid) => page
            .reader()
            .get_by_uid(uid)?
            .filter(|c| c.field("default_page").and_then(Value::as_str) == Some(item.uid.as_str())),
        None => None,
    };
    let canonical_path = container
        .as_ref()
        .map_or(item.path.as_str(), |c| c.path.as_str());
    let url = item_url(page, canonical_path);
    let title = if canonical_path == "/" || item.title().is_empty() {
        site.as_str()
    } else {
        item.title()
    };
    let description = item.description().trim();
    let kind = if canonical_path == "/" || item.type_name == "Folder" {
        "website"
    } else {
        "article"
    };
    let lang = beffroi::translations::language_of(page.site(), item);
    let mut tags = vec![format!(r#"<link rel="canonical" href="{}">"#, escape(&url))];
    if !description.is_empty() {
        tags.push(format!(
            r#"<meta name="description" content="{}">"#,
            escape(description)
        ));
    }
    let mut og = vec![
        ("og:title", title.to_owned()),
        ("og:url", url.clone()),
        ("og:type", kind.to_owned()),
        ("og:site_name", site.clone()),
        ("og:locale", locale(&lang)),
    ];
    if !description.is_empty() {
        og.push(("og:description", description.to_owned()));
    }
    if item.field("image").is_some() {
        og.push(("og:image", format!("{url}/@@images/image/large")));
    }
    for (property, content) in og {
        tags.push(format!(
            r#"<meta property="{property}" content="{}">"#,
            escape(&content)
        ));
    }
    out.head.extend(tags);
    Ok(())
}

/// Open Graph's locale (`fr_BE`) for a language of the site. The towns
/// Beffroi serves first are Belgian, so the five shipped languages take
/// Belgium's forms where it has one; a language given with its region
/// (`fr-FR`) keeps it.
fn locale(lang: &str) -> String {
    if let Some((l, region)) = lang.split_once(['-', '_']) {
        return format!("{}_{}", l.to_lowercase(), region.to_uppercase());
    }
    match lang {
        "fr" => "fr_BE".into(),
        "nl" => "nl_BE".into(),
        "de" => "de_BE".into(),
        "en" => "en_GB".into(),
        "es" => "es_ES".into(),
        other => other.to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::locale;

    #[test]
    fn locales_take_a_region() {
        assert_eq!(locale("fr"), "fr_BE");
        assert_eq!(locale("fr-FR"), "fr_FR");
        assert_eq!(locale("pt"), "pt");
    }
}
