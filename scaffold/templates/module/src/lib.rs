//! @TITLE_DOC@: a Beffroi module. It brings the content type “@TYPE@”, its
//! view and workflow, a hook that refuses a notice without a summary,
//! translations in the five languages Beffroi ships, and demo content.
#![forbid(unsafe_code)]

use beffroi::prelude::*;

mod demo;
mod upgrades;

/// The module.
pub struct @STRUCT@;

/// The module's name in `site.toml`.
pub const NAME: &str = "@NAME@";

/// The example content type's name.
pub const NOTICE: &str = "@TYPE_ESC@";

impl Module for @STRUCT@ {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: NAME,
            version: env!("CARGO_PKG_VERSION"),
            title: "@TITLE_ESC@",
            core: "@CORE_REQ@",
            types: &[("types/notice.toml", include_str!("../types/notice.toml"))],
            workflows: &[(
                "workflows/publication.toml",
                include_str!("../workflows/publication.toml"),
            )],
            templates: &[(
                "@NAME@/notice_view.html",
                include_str!("../templates/notice_view.html"),
            )],
            // Embeds locales/{de,en,es,fr,nl}.ftl; a missing language does not compile.
            translations: beffroi::translations!("../locales"),
            ..Manifest::EMPTY
        }
    }

    fn demo_content(&self, w: &mut Writer<'_>) -> Result<()> {
        demo::add(w)
    }

    fn upgrade_steps(&self) -> Vec<UpgradeStep> {
        upgrades::steps()
    }

    fn subscribers(&self) -> Vec<Subscriber> {
        vec![Subscriber {
            name: "@NAME@-notice-needs-a-summary",
            phase: Phase::Before,
            order: 0,
            handler: notice_needs_a_summary,
        }]
    }
}

/// A hook: refuses to store a notice whose summary is empty, when it is
/// added or changed. The message reaches the person who wrote it.
fn notice_needs_a_summary(_w: &mut Writer<'_>, event: &Event<'_>) -> Result<(), Veto> {
    let item = match event {
        Event::ItemAdded(item) | Event::ItemModified { item, .. } => item,
        _ => return Ok(()),
    };
    if item.type_name != NOTICE {
        return Ok(());
    }
    let summary = item.field("summary").and_then(Value::as_str).unwrap_or("");
    if summary.trim().is_empty() {
        return Err(Veto(
            "A notice needs a summary: say in one or two sentences what it is about.".into(),
        ));
    }
    Ok(())
}

beffroi::register_module!(@STRUCT@);

/// The module, for `beffroi::main!`: naming it links the crate.
pub fn module() -> &'static dyn Module {
    &@STRUCT@
}
