//! Sambreville's own demo content: its pages for Dutch- and
//! German-speaking visitors, each linked to the French page it translates,
//! so the language switcher has somewhere to go.

use beffroi::prelude::*;

/// The town's site module: nothing but demo content.
pub(crate) struct Sambreville;

impl Module for Sambreville {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "sambreville",
            version: env!("CARGO_PKG_VERSION"),
            title: "Sambreville: the town's pages in Dutch and German",
            core: "^0.3",
            requires: &[("website", "*")],
            ..Manifest::EMPTY
        }
    }

    fn demo_content(&self, w: &mut Writer<'_>) -> Result<()> {
        add(w)
    }
}

beffroi::register_module!(Sambreville);

/// One language's root folder and its pages: (id, language, folder
/// title, folder description, [(id, French original, title, description, text)]).
type Language<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a [(&'a str, &'a str, &'a str, &'a str, &'a str)],
);

const LANGUAGES: &[Language<'static>] = &[
    (
        "nl",
        "nl",
        "Nederlands",
        "De stad Sambreville voor Nederlandstalige bezoekers.",
        &[
            (
                "welkom",
                "/accueil",
                "Welkom in Sambreville",
                "De officiële website van de stad Sambreville: formaliteiten, nieuws en agenda.",
                "<p>Sambreville omvat Auvelais, Arsimont, Falisolle, Keumiée, Moignelée, Tamines en Velaine-sur-Sambre.</p>",
            ),
            (
                "bevolking-en-burgerlijke-stand",
                "/services-communaux/population-et-etat-civil",
                "Bevolking en burgerlijke stand",
                "Identiteitskaarten, paspoorten, rijbewijzen, inschrijvingen, geboorten, huwelijken en overlijdens.",
                "<p>Maak een afspraak via <strong>071 26 02 11</strong>.</p>",
            ),
        ],
    ),
    (
        "de",
        "de",
        "Deutsch",
        "Die Stadt Sambreville für deutschsprachige Besucher.",
        &[
            (
                "willkommen",
                "/accueil",
                "Willkommen in Sambreville",
                "Die offizielle Website der Stadt Sambreville: Behördengänge, Neuigkeiten und Termine.",
                "<p>Zu Sambreville gehören Auvelais, Arsimont, Falisolle, Keumiée, Moignelée, Tamines und Velaine-sur-Sambre.</p>",
            ),
            (
                "bevoelkerung-und-standesamt",
                "/services-communaux/population-et-etat-civil",
                "Bevölkerung und Standesamt",
                "Personalausweise, Reisepässe, Führerscheine, Anmeldungen, Geburten, Eheschließungen und Sterbefälle.",
                "<p>Vereinbaren Sie einen Termin unter <strong>071 26 02 11</strong>.</p>",
            ),
        ],
    ),
];

fn fields(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn add(w: &mut Writer<'_>) -> Result<()> {
    for (id, lang, title, description, pages) in LANGUAGES {
        let root = w.add_with(
            "/",
            "Folder",
            fields(json!({"title": title, "description": description})),
            AddOptions {
                id: Some((*id).into()),
                language: Some((*lang).into()),
            },
        )?;
        // The language folder is the site root's translation: switching
        // language from a page nobody translated lands there.
        w.link_translation("/", &root.path)?;
        w.transition(&root.path, "publish", "")?;
        for (page, original, title, description, text) in *pages {
            let item = w.add_with(
                &root.path,
                "Document",
                fields(json!({"title": title, "description": description, "text": text})),
                AddOptions {
                    id: Some((*page).into()),
                    language: Some((*lang).into()),
                },
            )?;
            w.link_translation(original, &item.path)?;
            w.transition(&item.path, "publish", "")?;
        }
    }
    Ok(())
}
