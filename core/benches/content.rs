//! Core operations on a site of 100,000 items: add, get by path, update,
//! and listing a folder's children. Run with `cargo bench -p beffroi`.

use std::sync::Arc;

use beffroi::prelude::*;
use beffroi::store::{SledStore, Store};
use beffroi::{CoreModule, Registry, SiteConfig};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

struct Bench;

impl Module for Bench {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "bench",
            version: "1.0.0",
            types: &[
                ("folder.toml", "name = \"Folder\"\ncontainer = true\n"),
                (
                    "page.toml",
                    "name = \"Page\"\n[[field]]\nname = \"text\"\nkind = \"richtext\"\n[[field]]\nname = \"count\"\nkind = \"integer\"\n",
                ),
            ],
            ..Manifest::EMPTY
        }
    }
}

static BENCH: Bench = Bench;

const FOLDERS: usize = 100;
const PER_FOLDER: usize = 1_000;

fn data(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn site(dir: &std::path::Path) -> Site {
    let registry = Registry::from_modules([&CoreModule as &'static dyn Module, &BENCH])
        .unwrap_or_else(|e| panic!("{e}"));
    let config = SiteConfig::parse(
        "bench.toml",
        "id = \"bench\"\ntitle = \"Bench\"\n[modules.bench]\n",
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
    // Folders of 1,000 pages, each folder one transaction: 100,000 items.
    for f in 0..FOLDERS {
        site.write(&Principal::system("bench"), |w| {
            let folder = w.add("/", "Folder", data(json!({"title": format!("Folder {f}")})))?;
            for i in 0..PER_FOLDER {
                w.add(
                    &folder.path,
                    "Page",
                    data(json!({"title": format!("Page {i}"), "text": "<p>Horaires d'ouverture du service.</p>", "count": 1})),
                )?;
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    }
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let site = site(dir.path());
    populate(&site);
    let mut n = 0u64;

    c.bench_function("get by path (100k items)", |b| {
        b.iter(|| {
            n = (n + 7919) % (FOLDERS * PER_FOLDER) as u64;
            let path = format!(
                "/folder-{}/page-{}",
                n as usize / PER_FOLDER,
                n as usize % PER_FOLDER
            );
            site.get(&path).unwrap_or_else(|e| panic!("{e}"))
        })
    });
    c.bench_function("add one item, flushed (100k items)", |b| {
        b.iter(|| {
            site.add(
                &Principal::system("bench"),
                "/folder-3",
                "Page",
                data(json!({"title": "Nouvelle page", "count": 2})),
            )
            .unwrap_or_else(|e| panic!("{e}"))
        })
    });
    c.bench_function("update one field, flushed (100k items)", |b| {
        let mut i = 0u64;
        b.iter(|| {
            i += 1;
            site.update(
                &Principal::system("bench"),
                "/folder-5/page-10",
                data(json!({"count": i % 1000})),
                None,
            )
            .unwrap_or_else(|e| panic!("{e}"))
        })
    });
    c.bench_function("list 1,000 children (100k items)", |b| {
        b.iter_batched(
            || (),
            |_| site.children("/folder-7").unwrap_or_else(|e| panic!("{e}")),
            BatchSize::SmallInput,
        )
    });
    c.bench_function("list a batch of 25 children (100k items)", |b| {
        b.iter(|| {
            site.children_page("/folder-7", 500, 25)
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });

    // The same reads through the permission check, as a visitor and as a
    // logged-in user with a local role on the folder.
    let anonymous = Principal::anonymous();
    c.bench_function(
        "get by path as a visitor, permission-checked (100k items)",
        |b| {
            b.iter(|| {
                n = (n + 7919) % (FOLDERS * PER_FOLDER) as u64;
                let path = format!(
                    "/folder-{}/page-{}",
                    n as usize / PER_FOLDER,
                    n as usize % PER_FOLDER
                );
                site.reader(&anonymous)
                    .get(&path)
                    .unwrap_or_else(|e| panic!("{e}"))
            })
        },
    );
    site.write(&Principal::system("bench"), |w| {
        w.add_user("claire", "Claire", None, "Correct-horse-42", &[])?;
        w.set_local_roles("/folder-7", "claire", &["Editor".into()])
            .map(drop)
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let claire = site.principal("claire").unwrap_or_else(|e| panic!("{e}"));
    c.bench_function(
        "list a batch of 25 of 1,000 children as a visitor, permission-checked",
        |b| {
            b.iter(|| {
                site.reader(&anonymous)
                    .children_page("/folder-7", 500, 25)
                    .unwrap_or_else(|e| panic!("{e}"))
            })
        },
    );
    c.bench_function(
        "list a batch of 25 of 1,000 children as a local editor, permission-checked",
        |b| {
            b.iter(|| {
                site.reader(&claire)
                    .children_page("/folder-7", 500, 25)
                    .unwrap_or_else(|e| panic!("{e}"))
            })
        },
    );
    let login = site
        .login("claire", "Correct-horse-42", None)
        .unwrap_or_else(|e| panic!("{e}"));
    c.bench_function(
        "authenticate a bearer token (JWT, session, account, groups)",
        |b| {
            b.iter(|| {
                site.authenticate_token(&login.token)
                    .unwrap_or_else(|e| panic!("{e}"))
            })
        },
    );
    c.bench_function(
        "log in with a password (argon2, session written and flushed)",
        |b| {
            b.iter(|| {
                site.login("claire", "Correct-horse-42", None)
                    .unwrap_or_else(|e| panic!("{e}"))
            })
        },
    );
}

criterion_group! {
    name = content;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(5));
    targets = benches
}
criterion_main!(content);
