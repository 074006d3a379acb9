//! The core's own module: the site root type, the base templates and the
//! core's messages. Every site has it, first.

use crate::module::{Manifest, Module};

/// The core module's name.
pub(crate) const NAME: &str = "beffroi";

/// The core, as a module.
pub struct CoreModule;

impl Module for CoreModule {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: NAME,
            version: env!("CARGO_PKG_VERSION"),
            title: "Beffroi core",
            core: "*",
            types: &[("types/site.toml", include_str!("../types/site.toml"))],
            templates: &[
                ("base.html", include_str!("../templates/base.html")),
                (
                    "item_view.html",
                    include_str!("../templates/item_view.html"),
                ),
                (
                    "folder_listing.html",
                    include_str!("../templates/folder_listing.html"),
                ),
                ("error.html", include_str!("../templates/error.html")),
            ],
            translations: crate::translations!("../locales"),
            ..Manifest::EMPTY
        }
    }
}

crate::register_module!(CoreModule);

/// The core's stylesheet, served at `/++resource++beffroi/style.css`.
pub(crate) const STYLE_CSS: &str = include_str!("../assets/style.css");
