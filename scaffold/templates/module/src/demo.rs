//! Demo content: one published notice, added when a site is created with
//! `demo_content = true`.

use beffroi::prelude::*;

/// The example notice's id, at the site's root.
pub(crate) const EXAMPLE_ID: &str = "@SLUG@-exemple";

pub(crate) fn add(w: &mut Writer<'_>) -> Result<()> {
    let data = match json!({
        "title": "@TITLE_ESC@ : un exemple",
        "description": "Une page d'exemple du module @TITLE_ESC@.",
        "summary": "Cet avis montre comment le module présente son contenu.",
        "text": "<p>Remplacez cet exemple par le vrai contenu de votre commune.</p>",
    }) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let notice = w.add_with(
        "/",
        crate::NOTICE,
        data,
        AddOptions {
            id: Some(EXAMPLE_ID.into()),
            ..AddOptions::default()
        },
    )?;
    w.transition(&notice.path, "publish", "")?;
    Ok(())
}
