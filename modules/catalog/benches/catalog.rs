//! The catalog on 100,000 items of generated French text: a full
//! reindex (timed once, printed), a full-text query returning the first 20
//! of ~5,000 hits, a filtered and sorted listing of a folder of 10,000
//! children, and a facet count. Run with `cargo bench -p beffroi-catalog`.

use std::sync::Arc;
use std::time::Instant;

use beffroi::prelude::*;
use beffroi::store::{SledStore, Store};
use beffroi::{CoreModule, Registry, SiteConfig};
use beffroi_catalog::{search, PathQuery, Query, SortOrder};
use criterion::{criterion_group, criterion_main, Criterion};

struct Bench;

const PAGE: &str = r#"
name = "Page"
workflow = "simple_publication"
[[field]]
name = "text"
kind = "richtext"
[[field]]
name = "subjects"
kind = "text"
"#;

const FOLDER: &str = "name = \"Folder\"\ncontainer = true\nworkflow = \"one_state\"\n";

impl Module for Bench {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "bench",
            version: "1.0.0",
            types: &[("folder.toml", FOLDER), ("page.toml", PAGE)],
            ..Manifest::EMPTY
        }
    }
}

static BENCH: Bench = Bench;

const FOLDERS: usize = 10;
const PER_FOLDER: usize = 10_000;

const WORDS: &[&str] = &[
    "commune",
    "service",
    "travaux",
    "voirie",
    "école",
    "enfants",
    "parents",
    "horaires",
    "ouverture",
    "fermeture",
    "permis",
    "urbanisme",
    "environnement",
    "déchets",
    "collecte",
    "population",
    "carte",
    "identité",
    "passeport",
    "mariage",
    "naissance",
    "cimetière",
    "subsides",
    "associations",
    "sport",
    "culture",
    "bibliothèque",
    "marché",
    "commerce",
    "police",
    "sécurité",
    "stationnement",
    "parking",
    "bus",
    "gare",
    "vélo",
    "piétons",
    "quartier",
    "rue",
    "place",
    "église",
    "château",
    "rivière",
    "Sambre",
    "pont",
    "chantier",
    "budget",
    "taxe",
    "règlement",
    "enquête",
    "publique",
    "avis",
    "réunion",
    "citoyens",
];

const SUBJECTS: &[&str] = &["travaux", "culture", "sport", "social", "environnement"];

/// A deterministic pseudo-random sentence generator (xorshift).
struct Text(u64);

impl Text {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn words(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| WORDS[(self.next() % WORDS.len() as u64) as usize])
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn data(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn site(dir: &std::path::Path) -> Site {
    let registry = Registry::from_modules([
        &CoreModule as &'static dyn Module,
        &beffroi_catalog::Catalog,
        &BENCH,
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    let config = SiteConfig::parse(
        "bench.toml",
        "id = \"bench\"\ntitle = \"Bench\"\n[modules.bench]\n[modules.catalog]\n",
        dir,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let store: Arc<dyn Store> = Arc::new(SledStore::open(dir).unwrap_or_else(|e| panic!("{e}")));
    let site = Site::open(config, store, &registry).unwrap_or_else(|e| panic!("{e}"));
    site.create(Some("Hotel-de-ville-2026"))
        .unwrap_or_else(|e| panic!("{e}"));
    site
}

fn populate(site: &Site) {
    let mut text = Text(0x2545_f491_4f6c_dd1d);
    let system = Principal::system("bench");
    for f in 0..FOLDERS {
        site.write(&system, |w| {
            let folder = w.add(
                "/",
                "Folder",
                data(json!({"title": format!("Dossier {f}")})),
            )?;
            for i in 0..PER_FOLDER {
                // One page in twenty speaks of deliberations: ~5,000 hits.
                let topic = if i % 20 == 5 {
                    "délibérations du conseil"
                } else {
                    "informations"
                };
                let body = format!(
                    "<p>{} {topic} {}</p><p>{}</p>",
                    text.words(12),
                    text.words(12),
                    text.words(20)
                );
                let item = w.add(
                    &folder.path,
                    "Page",
                    data(json!({
                        "title": format!("{} {i}", text.words(4)),
                        "description": text.words(15),
                        "text": body,
                        "subjects": SUBJECTS[i % SUBJECTS.len()],
                    })),
                )?;
                // Most pages are published; one in ten stays private.
                if i % 10 != 0 {
                    w.transition(&item.path, "publish", "")?;
                }
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    }
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let site = site(dir.path());
    let started = Instant::now();
    populate(&site);
    eprintln!(
        "populated {} items (written, journaled, indexed after each folder's transaction) in {:.1} s",
        FOLDERS * PER_FOLDER + FOLDERS + 1,
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let n = beffroi_catalog::reindex(&site, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "reindex of {n} items: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let visitor = Principal::anonymous();

    c.bench_function(
        "full text, first 20 of ~5,000 hits, as a visitor (100k items)",
        |b| {
            let q = Query {
                text: Some("délibération".into()),
                b_size: 20,
                ..Default::default()
            };
            b.iter(|| {
                let r = search(&site, &visitor, &q).unwrap_or_else(|e| panic!("{e}"));
                assert!(r.total > 4_000 && r.items.len() == 20);
                r
            })
        },
    );
    c.bench_function(
        "folder of 10,000: published pages on one subject, by title, 25 (100k items)",
        |b| {
            let q = Query {
                path: Some(PathQuery {
                    path: "/dossier-3".into(),
                    depth: Some(1),
                }),
                review_states: vec!["published".into()],
                subjects: vec!["culture".into()],
                sort_on: Some("title".into()),
                sort_order: SortOrder::Ascending,
                b_size: 25,
                ..Default::default()
            };
            b.iter(|| {
                let r = search(&site, &visitor, &q).unwrap_or_else(|e| panic!("{e}"));
                assert!(r.total > 1_000);
                r
            })
        },
    );
    c.bench_function(
        "folder of 10,000 by modification date, 25, as a visitor (100k items)",
        |b| {
            let q = Query {
                path: Some(PathQuery {
                    path: "/dossier-5".into(),
                    depth: Some(1),
                }),
                sort_on: Some("modified".into()),
                sort_order: SortOrder::Descending,
                b_size: 25,
                ..Default::default()
            };
            b.iter(|| search(&site, &visitor, &q).unwrap_or_else(|e| panic!("{e}")))
        },
    );
    c.bench_function(
        "facet counts per type, state and subject over the site (100k items)",
        |b| {
            let q = Query {
                facets: vec!["type".into(), "review_state".into(), "subject".into()],
                b_size: 0,
                ..Default::default()
            };
            let admin = Principal::system("admin");
            b.iter(|| {
                let r = search(&site, &admin, &q).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(
                    r.facets["review_state"]["private"],
                    (FOLDERS * PER_FOLDER / 10) as u64
                );
                r
            })
        },
    );
    c.bench_function(
        "one write with its catalog update (add a page, 100k items)",
        |b| {
            let system = Principal::system("bench");
            b.iter(|| {
                site.add(
                    &system,
                    "/dossier-1",
                    "Page",
                    data(json!({"title": "Nouvelle page", "text": "<p>Travaux rue Haute</p>"})),
                )
                .unwrap_or_else(|e| panic!("{e}"))
            })
        },
    );
}

criterion_group! {
    name = catalog;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(5));
    targets = benches
}
criterion_main!(catalog);
