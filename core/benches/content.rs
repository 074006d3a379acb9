//! Core operations on a site of 100,000 items: add, get by path, update,
//! listing a folder's children, moving a folder of 1,000 items, a workflow
//! transition, permission checks, logins, and whole pages and JSON answers
//! made by the web application (rendering included, no network). Run with
//! `cargo bench -p beffroi`.

use std::sync::Arc;

use beffroi::prelude::*;
use beffroi::store::{SledStore, Store};
use beffroi::{CoreModule, Registry, SiteConfig};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use tower::ServiceExt;

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
                // Pages with Plone's publication workflow, for transitions.
                (
                    "news.toml",
                    "name = \"News\"\nworkflow = \"simple_publication\"\n",
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
    c.bench_function(
        "permission check: may a local editor modify an item (100k items)",
        |b| {
            let item = site
                .get("/folder-7/page-500")
                .ok()
                .flatten()
                .unwrap_or_else(|| panic!("no page"));
            b.iter(|| {
                site.reader(&claire)
                    .can(&item, beffroi::security::MODIFY)
                    .unwrap_or_else(|e| panic!("{e}"))
            })
        },
    );

    // A folder of 1,000 pages moved into another folder and back: every
    // path below it rewritten, its old addresses remembered for redirects.
    c.bench_function("move a folder of 1,000 items, flushed (100k items)", |b| {
        let system = Principal::system("bench");
        let mut inside = false;
        b.iter(|| {
            let moved = if inside {
                site.write(&system, |w| w.move_to("/folder-11/folder-10", "/"))
            } else {
                site.write(&system, |w| w.move_to("/folder-10", "/folder-11"))
            };
            inside = !inside;
            moved.unwrap_or_else(|e| panic!("{e}"))
        })
    });

    // Publishing and retracting a news item, in turn.
    let news = site
        .add(
            &Principal::system("bench"),
            "/folder-2",
            "News",
            data(json!({"title": "Conseil communal"})),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    c.bench_function("fire a workflow transition, flushed (100k items)", |b| {
        let system = Principal::system("bench");
        let mut published = false;
        b.iter(|| {
            let t = if published { "retract" } else { "publish" };
            published = !published;
            site.write(&system, |w| w.transition(&news.path, t, ""))
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });

    // Whole answers of the web application, driven in process: the page
    // (navigation, breadcrumbs, the item's template) and the JSON.
    let site = Arc::new(site);
    let app = beffroi::web::app(Arc::new(
        beffroi::web::Sites::new(vec![Arc::clone(&site)]).unwrap_or_else(|e| panic!("{e}")),
    ));
    let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let answer = |uri: &str, json: bool| {
        let mut req = axum::http::Request::get(uri).header("host", "localhost");
        if json {
            req = req.header("accept", "application/json");
        }
        let req = req
            .body(axum::body::Body::empty())
            .unwrap_or_else(|e| panic!("{e}"));
        rt.block_on(async {
            let r = app
                .clone()
                .oneshot(req)
                .await
                .unwrap_or_else(|e| match e {});
            assert_eq!(r.status(), 200);
            axum::body::to_bytes(r.into_body(), 1 << 24)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        })
    };
    c.bench_function(
        "render an item's page as a visitor (web app, 100k items)",
        |b| b.iter(|| answer("/folder-7/page-500", false)),
    );
    c.bench_function("an item's JSON as a visitor (web app, 100k items)", |b| {
        b.iter(|| answer("/folder-7/page-500", true))
    });

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
