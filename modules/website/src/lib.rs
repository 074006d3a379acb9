//! Beffroi's base content types, named as Plone names them so Plone's
//! clients recognise them: Folder, Document, News Item, Event, File, Image
//! and Link, with their views, translations and a demo town's content.
#![forbid(unsafe_code)]

use beffroi::prelude::*;

mod demo;

/// The module.
pub struct Website;

/// The module's name in `site.toml`.
pub const NAME: &str = "website";

impl Module for Website {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: NAME,
            version: env!("CARGO_PKG_VERSION"),
            title: "Base content types (pages, folders, news, events, files, images, links)",
            core: "^0.3",
            types: &[
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
            ],
            templates: &[
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
            ],
            translations: beffroi::translations!("../locales"),
            ..Manifest::EMPTY
        }
    }

    fn demo_content(&self, w: &mut Writer<'_>) -> Result<()> {
        demo::add(w)
    }
}

beffroi::register_module!(Website);

/// The module, for `beffroi::main!`: naming it links the crate.
pub fn module() -> &'static dyn Module {
    &Website
}
