//! @TITLE_DOC@: a Beffroi module loaded at run time from a shared library.
//! It brings the content type “@TYPE@”, its view and workflow, a hook that
//! refuses a title written in capitals only, translations in the five
//! languages Beffroi ships, and demo content.
//!
//! Everything here is ordinary Rust: `beffroi_plugin::export!` writes the
//! C entry the site looks for, and catches panics so that a bug in a hook
//! fails that one write, not the site.
#![forbid(unsafe_code)]

use beffroi_plugin::{json, DemoItem, Event, EventKind, Hook, Manifest, Plugin};

/// The module.
#[derive(Default)]
pub struct @STRUCT@;

/// The module's name in `site.toml`: `[modules.@NAME@]`.
pub const NAME: &str = "@NAME@";

/// The example content type's name.
pub const NOTICE: &str = "@TYPE_ESC@";

impl Plugin for @STRUCT@ {
    fn manifest(&self) -> Manifest {
        Manifest::new(NAME, env!("CARGO_PKG_VERSION"))
            .title("@TITLE_ESC@")
            .core("@CORE_REQ@")
            .content_type("types/notice.toml", include_str!("../types/notice.toml"))
            .workflow(
                "workflows/publication.toml",
                include_str!("../workflows/publication.toml"),
            )
            .template(
                "@NAME@/notice_view.html",
                include_str!("../templates/notice_view.html"),
            )
            // Embeds locales/{de,en,es,fr,nl}.ftl; a missing language does not compile.
            .translations(beffroi_plugin::translations!("../locales"))
            // The events `on_event` hears: before a notice is stored.
            .hook(Hook::before(&[EventKind::ItemAdded, EventKind::ItemModified]))
            .demo_item(
                DemoItem::new(
                    "/",
                    NOTICE,
                    json!({
                        "id": "@SLUG@-exemple",
                        "title": "@TITLE_ESC@ : un exemple",
                        "summary": "Cet avis montre comment le module présente son contenu.",
                        "text": "<p>Remplacez cet exemple par le vrai contenu de votre commune.</p>",
                    }),
                )
                .transition("publish"),
            )
        // A release that changes stored data declares an upgrade step here,
        // `.upgrade_step("0.2.0", "What it does")`, and says in `upgrade`
        // (below `on_event`) which fields of each item change.
    }

    /// Refuses a notice whose title is written in capitals only. The
    /// message reaches the person who wrote it; nothing is stored.
    fn on_event(&self, event: &Event) -> Result<(), String> {
        let Some(item) = &event.item else {
            return Ok(());
        };
        if item.type_name() != NOTICE {
            return Ok(());
        }
        let title = item.title();
        let letters: Vec<char> = title.chars().filter(|c| c.is_alphabetic()).collect();
        if letters.len() > 3 && letters.iter().all(|c| c.is_uppercase()) {
            return Err(
                "Write the title of a notice in ordinary letters: capitals only read as shouting."
                    .into(),
            );
        }
        Ok(())
    }
}

beffroi_plugin::export!(@STRUCT@);

#[cfg(test)]
mod tests {
    use super::*;
    use beffroi_plugin::{Item, Phase};

    fn adding(title: &str) -> Event {
        let mut item = Item::default();
        item.0.insert("@type".into(), NOTICE.into());
        item.0.insert("title".into(), title.into());
        let mut event = Event::new(EventKind::ItemAdded, Phase::Before, "town", "marie");
        event.item = Some(item);
        event
    }

    #[test]
    fn a_title_in_capitals_is_refused() {
        assert!(@STRUCT@.on_event(&adding("ROAD CLOSED")).is_err());
        assert!(@STRUCT@.on_event(&adding("Road closed")).is_ok());
    }

    #[test]
    fn the_manifest_brings_every_language() {
        let m = @STRUCT@.manifest();
        assert_eq!(m.name, NAME);
        let languages: Vec<&str> = m.translations.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(languages, ["de", "en", "es", "fr", "nl"]);
    }
}
