use std::path::Path;
use std::sync::Arc;

use beffroi::prelude::*;
use beffroi::store::{SledStore, Store};
use beffroi::{CoreModule, Registry, SiteConfig};

pub(crate) struct Notices;

const NOTICE: &str = r#"
name = "Notice"
title = { en = "Notice" }
workflow = "simple_publication"

[[field]]
name = "body"
kind = "richtext"

[[field]]
name = "subjects"
kind = "text"

[[field]]
name = "category"
kind = "text"
index = true

[[field]]
name = "internal_note"
kind = "text"
searchable = false

[[field]]
name = "start"
kind = "date"
"#;

impl Module for Notices {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "notices",
            version: "1.0.0",
            core: "^0.2",
            types: &[("types/notice.toml", NOTICE)],
            ..Manifest::EMPTY
        }
    }
}

static NOTICES: Notices = Notices;

pub(crate) const TOML: &str = "id = \"town\"\ntitle = \"Town\"\nlanguages = [\"fr\", \"nl\", \"en\", \"es\", \"de\"]\nhosts = [\"town.test\"]\n[modules.catalog]\n[modules.website]\n[modules.notices]\n";

pub(crate) fn registry() -> Registry {
    Registry::from_modules([
        &CoreModule as &'static dyn Module,
        &beffroi_catalog::Catalog,
        &beffroi_website::Website,
        &NOTICES,
    ])
    .unwrap()
}

pub(crate) fn open(dir: &Path) -> Site {
    open_with(dir, TOML)
}

/// Opens the site in `dir` with another `site.toml`, as a restart would:
/// the catalog's index is opened afresh.
pub(crate) fn open_with(dir: &Path, toml: &str) -> Site {
    let config = SiteConfig::parse("site.toml", toml, dir).unwrap();
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&dir.join("data")).unwrap());
    let site = Site::open(config, store, &registry()).unwrap();
    site.create(Some("Hotel-de-ville-2026")).unwrap();
    beffroi_catalog::close(&site);
    site
}

pub(crate) fn admin() -> Principal {
    Principal::system("admin")
}

pub(crate) fn data(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("an object"),
    }
}

/// Adds an item with a chosen id and language, as the admin, and publishes it.
pub(crate) fn published(
    s: &Site,
    parent: &str,
    ty: &str,
    id: &str,
    lang: Option<&str>,
    v: Value,
) -> Item {
    s.write(&admin(), |w| {
        let item = w.add_with(
            parent,
            ty,
            data(v),
            AddOptions {
                id: Some(id.into()),
                language: lang.map(str::to_owned),
            },
        )?;
        if item.review_state.as_deref() == Some("private") {
            w.transition(&item.path, "publish", "")
        } else {
            Ok(item)
        }
    })
    .unwrap()
}

pub(crate) fn text(s: &Site, who: &Principal, words: &str) -> Vec<String> {
    let r = beffroi_catalog::search(
        s,
        who,
        &beffroi_catalog::Query {
            text: Some(words.into()),
            ..Default::default()
        },
    )
    .unwrap();
    r.items.into_iter().map(|h| h.path).collect()
}

pub(crate) fn user(s: &Site, login: &str) -> Principal {
    s.write(&admin(), |w| {
        w.add_user(login, login, None, "Correct-horse-42", &[])
            .map(drop)
    })
    .unwrap();
    s.principal(login).unwrap()
}
