//! The communal website: Plone's content types (Folder, Document, News
//! Item, Event, File, Image, Link, under Plone's names so Plone's clients
//! find them) and the town's own (Procedure, the page sections, Alert,
//! collaborative Subsite), with the public side a town shows its citizens:
//! home page, listings of news and events, iCalendar, feeds, sitemap,
//! search with facets, topic and audience pages.
#![forbid(unsafe_code)]

use beffroi::prelude::*;
use beffroi::view::{Decorations, Page, View};

mod alerts;
mod demo;
mod events;
mod meta;
mod notify;
mod public;
mod sections;
mod subsite;

/// The module.
pub struct Website;

/// The module's name in `site.toml`.
pub const NAME: &str = "website";

const TYPES: &[(&str, &str)] = &[
    ("types/folder.toml", include_str!("../types/folder.toml")),
    (
        "types/document.toml",
        include_str!("../types/document.toml"),
    ),
    (
        "types/news_item.toml",
        include_str!("../types/news_item.toml"),
    ),
    ("types/event.toml", include_str!("../types/event.toml")),
    ("types/file.toml", include_str!("../types/file.toml")),
    ("types/image.toml", include_str!("../types/image.toml")),
    ("types/link.toml", include_str!("../types/link.toml")),
    (
        "types/procedure.toml",
        include_str!("../types/procedure.toml"),
    ),
    ("types/alert.toml", include_str!("../types/alert.toml")),
    ("types/subsite.toml", include_str!("../types/subsite.toml")),
    (
        "types/text_section.toml",
        include_str!("../types/text_section.toml"),
    ),
    (
        "types/files_section.toml",
        include_str!("../types/files_section.toml"),
    ),
    (
        "types/gallery_section.toml",
        include_str!("../types/gallery_section.toml"),
    ),
    (
        "types/links_section.toml",
        include_str!("../types/links_section.toml"),
    ),
    (
        "types/map_section.toml",
        include_str!("../types/map_section.toml"),
    ),
    (
        "types/contact_section.toml",
        include_str!("../types/contact_section.toml"),
    ),
    (
        "types/query_section.toml",
        include_str!("../types/query_section.toml"),
    ),
    (
        "types/video_section.toml",
        include_str!("../types/video_section.toml"),
    ),
];

const VOCABULARIES: &[(&str, &str)] = &[
    (
        "vocabularies/topics.toml",
        include_str!("../vocabularies/topics.toml"),
    ),
    (
        "vocabularies/audiences.toml",
        include_str!("../vocabularies/audiences.toml"),
    ),
    (
        "vocabularies/page_categories.toml",
        include_str!("../vocabularies/page_categories.toml"),
    ),
    (
        "vocabularies/procedure_categories.toml",
        include_str!("../vocabularies/procedure_categories.toml"),
    ),
    (
        "vocabularies/news_categories.toml",
        include_str!("../vocabularies/news_categories.toml"),
    ),
    (
        "vocabularies/event_types.toml",
        include_str!("../vocabularies/event_types.toml"),
    ),
    (
        "vocabularies/event_categories.toml",
        include_str!("../vocabularies/event_categories.toml"),
    ),
    (
        "vocabularies/listing_layouts.toml",
        include_str!("../vocabularies/listing_layouts.toml"),
    ),
    (
        "vocabularies/alert_levels.toml",
        include_str!("../vocabularies/alert_levels.toml"),
    ),
    (
        "vocabularies/procedure_buttons.toml",
        include_str!("../vocabularies/procedure_buttons.toml"),
    ),
    (
        "vocabularies/query_types.toml",
        include_str!("../vocabularies/query_types.toml"),
    ),
];

const TEMPLATES: &[(&str, &str)] = &[
    (
        "website/document_view.html",
        include_str!("../templates/document_view.html"),
    ),
    (
        "website/news_item_view.html",
        include_str!("../templates/news_item_view.html"),
    ),
    (
        "website/event_view.html",
        include_str!("../templates/event_view.html"),
    ),
    (
        "website/file_view.html",
        include_str!("../templates/file_view.html"),
    ),
    (
        "website/image_view.html",
        include_str!("../templates/image_view.html"),
    ),
    (
        "website/link_view.html",
        include_str!("../templates/link_view.html"),
    ),
    (
        "website/folder_view.html",
        include_str!("../templates/folder_view.html"),
    ),
    (
        "website/procedure_view.html",
        include_str!("../templates/procedure_view.html"),
    ),
    (
        "website/alert_view.html",
        include_str!("../templates/alert_view.html"),
    ),
    (
        "website/alert_banner.html",
        include_str!("../templates/alert_banner.html"),
    ),
    (
        "website/sections.html",
        include_str!("../templates/sections.html"),
    ),
    (
        "website/events.html",
        include_str!("../templates/events.html"),
    ),
    ("website/news.html", include_str!("../templates/news.html")),
    (
        "website/search.html",
        include_str!("../templates/search.html"),
    ),
    (
        "website/topic.html",
        include_str!("../templates/topic.html"),
    ),
    (
        "website/banner.html",
        include_str!("../templates/banner.html"),
    ),
    (
        "website/subsite_menu.html",
        include_str!("../templates/subsite_menu.html"),
    ),
];

impl Module for Website {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: NAME,
            version: env!("CARGO_PKG_VERSION"),
            title: "The communal website: pages, news, events, procedures, alerts",
            core: "^0.3",
            types: TYPES,
            vocabularies: VOCABULARIES,
            templates: TEMPLATES,
            translations: beffroi::translations!("../locales"),
            ..Manifest::EMPTY
        }
    }

    fn assets(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        &[(
            "website.css",
            "text/css; charset=utf-8",
            include_str!("../assets/website.css"),
        )]
    }

    /// A site that ran the module under its former name (`contenttypes`)
    /// installs it afresh: its events get their type here too.
    fn install(&self, w: &mut Writer<'_>) -> Result<()> {
        upgrade_event_types(w)
    }

    fn upgrade_steps(&self) -> Vec<UpgradeStep> {
        vec![UpgradeStep {
            to: "0.3.0",
            title: "events get a type (one-off event) where they have none",
            run: upgrade_event_types,
        }]
    }

    fn demo_content(&self, w: &mut Writer<'_>) -> Result<()> {
        demo::add(w)
    }

    fn subscribers(&self) -> Vec<Subscriber> {
        [
            alerts::subscribers(),
            events::subscribers(),
            meta::subscribers(),
            notify::subscribers(),
            public::subscribers(),
            sections::subscribers(),
            subsite::subscribers(),
        ]
        .concat()
    }

    fn views(&self) -> Vec<View> {
        [
            alerts::views(),
            events::views(),
            meta::views(),
            notify::views(),
            public::views(),
            sections::views(),
            subsite::views(),
        ]
        .concat()
    }

    fn decorate(&self, page: &Page<'_>, item: Option<&Item>, out: &mut Decorations) -> Result<()> {
        meta::decorate(page, item, out)?;
        alerts::decorate(page, item, out)?;
        sections::decorate(page, item, out)?;
        subsite::decorate(page, item, out)?;
        events::decorate(page, item, out)?;
        notify::decorate(page, item, out)?;
        public::decorate(page, item, out)?;
        Ok(())
    }
}

/// 0.3.0 made an event's type required: events stored before it are
/// one-off events.
fn upgrade_event_types(w: &mut Writer<'_>) -> Result<()> {
    for item in w.site().walk()? {
        if item.type_name == "Event" && item.field("event_type").is_none_or(Value::is_null) {
            let mut data = Map::new();
            data.insert("event_type".into(), json!("event"));
            w.update(&item.path, data, None)?;
        }
    }
    Ok(())
}

beffroi::register_module!(Website);

/// The module, for `beffroi::main!`: naming it links the crate.
pub fn module() -> &'static dyn Module {
    &Website
}
