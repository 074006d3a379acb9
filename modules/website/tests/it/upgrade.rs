//! A site that ran the module under its former name, `contenttypes`,
//! switches to `website`: its content is kept and its events get the type
//! 0.3.0 requires.

use std::sync::Arc;

use beffroi::prelude::*;
use beffroi::store::{SledStore, Store};
use beffroi::{CoreModule, Registry, SiteConfig};

/// The former module, as it stored events: no `event_type`.
struct Former;

const FOLDER: &str = r#"
name = "Folder"
container = true
title = { en = "Folder" }
"#;

const EVENT: &str = r#"
name = "Event"
title = { en = "Event" }

[[field]]
name = "start"
kind = "datetime"
required = true
"#;

impl Module for Former {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "contenttypes",
            version: "0.2.1",
            title: "The former base types",
            core: "*",
            types: &[("types/folder.toml", FOLDER), ("types/event.toml", EVENT)],
            ..Manifest::EMPTY
        }
    }
}

static FORMER: Former = Former;

fn open(
    dir: &std::path::Path,
    store: &Arc<dyn Store>,
    module: &'static dyn Module,
    name: &str,
) -> Site {
    let registry =
        Registry::from_modules([&CoreModule as &'static dyn beffroi::Module, module]).unwrap();
    let toml = format!(
        "id = \"town\"\ntitle = \"Ville\"\nlanguages = [\"fr\"]\ndemo_content = true\n[modules.{name}]\n"
    );
    let config = SiteConfig::parse("site.toml", &toml, dir).unwrap();
    Site::open(config, Arc::clone(store), &registry).unwrap()
}

#[test]
fn a_contenttypes_site_becomes_a_website_keeping_its_content() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&dir.path().join("data")).unwrap());
    let admin = Principal::system("admin");
    {
        let site = open(dir.path(), &store, &FORMER, "contenttypes");
        site.create(Some("Hotel-de-ville-2026")).unwrap();
        site.write(&admin, |w| {
            w.add_with(
                "/",
                "Folder",
                json!({"title": "Services communaux"})
                    .as_object()
                    .unwrap()
                    .clone(),
                AddOptions {
                    id: Some("services-communaux".into()),
                    ..AddOptions::default()
                },
            )?;
            w.add(
                "/",
                "Event",
                json!({"title": "Conseil communal", "start": "2026-12-14T19:30:00+01:00"})
                    .as_object()
                    .unwrap()
                    .clone(),
            )
        })
        .unwrap();
    }
    // What the binary does at start: create (nothing to do), then install
    // the modules `site.toml` enables and the site has not installed.
    let site = open(dir.path(), &store, beffroi_website::module(), "website");
    assert_eq!(site.create(None).unwrap(), None);
    assert_eq!(site.install_new_modules().unwrap(), ["website"]);
    let event = site.get("/conseil-communal").unwrap().unwrap();
    assert_eq!(event.field("event_type"), Some(&json!("event")));
    assert_eq!(event.title(), "Conseil communal");
    // The town's content is kept; no demo town is added on top of it.
    assert!(site.get("/services-communaux").unwrap().is_some());
    assert!(site.get("/accueil").unwrap().is_none());
    assert!(site.get("/actualites").unwrap().is_none());
}
