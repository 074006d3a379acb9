use std::sync::Mutex;

use beffroi::prelude::*;
use beffroi::{CoreModule, Registry};

use crate::common::{open_site, registry, SITE_TOML};

/// Registered through the macro, like a real module: it requires a module
/// that is not linked into this test binary.
struct NeedsGhost;

impl Module for NeedsGhost {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "needs-ghost",
            version: "0.3.0",
            core: "^0.2",
            requires: &[("ghost", "^1.2")],
            ..Manifest::EMPTY
        }
    }
}

beffroi::register_module!(NeedsGhost);

#[test]
fn a_dependency_that_is_not_linked_stops_the_start() {
    let registry = Registry::global().unwrap();
    assert!(
        registry.names().contains(&"needs-ghost"),
        "registered by the macro"
    );
    assert!(
        registry.names().contains(&"beffroi"),
        "the core registers itself"
    );
    let err = registry.check().unwrap_err().to_string();
    assert!(
        err.contains("`needs-ghost` 0.3.0 requires module `ghost` ^1.2"),
        "{err}"
    );
    assert!(err.contains("not linked"), "{err}");
}

struct Versioned {
    name: &'static str,
    version: &'static str,
    core: &'static str,
    requires: &'static [(&'static str, &'static str)],
}

impl Module for Versioned {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: self.name,
            version: self.version,
            core: self.core,
            requires: self.requires,
            ..Manifest::EMPTY
        }
    }
}

fn leak(m: impl Module) -> &'static dyn Module {
    Box::leak(Box::new(m))
}

#[test]
fn version_ranges_and_cycles_are_named() {
    let old_dep = Registry::from_modules([
        &CoreModule as &'static dyn Module,
        leak(Versioned {
            name: "agenda",
            version: "1.0.0",
            core: "^0.2",
            requires: &[("website", ">=2.0")],
        }),
        leak(Versioned {
            name: "website",
            version: "1.4.0",
            core: "^0.2",
            requires: &[],
        }),
    ])
    .unwrap();
    let err = old_dep.check().unwrap_err().to_string();
    assert!(
        err.contains(
            "`agenda` 1.0.0 requires `website` >=2.0, but this binary has `website` 1.4.0"
        ),
        "{err}"
    );

    let wrong_core = Registry::from_modules([
        &CoreModule as &'static dyn Module,
        leak(Versioned {
            name: "future",
            version: "1.0.0",
            core: "^9",
            requires: &[],
        }),
    ])
    .unwrap();
    let err = wrong_core.check().unwrap_err().to_string();
    assert!(err.contains("`future` 1.0.0 needs beffroi ^9"), "{err}");

    let cycle = Registry::from_modules([
        &CoreModule as &'static dyn Module,
        leak(Versioned {
            name: "a",
            version: "1.0.0",
            core: "*",
            requires: &[("b", "*")],
        }),
        leak(Versioned {
            name: "b",
            version: "1.0.0",
            core: "*",
            requires: &[("a", "*")],
        }),
    ])
    .unwrap();
    let err = cycle.check().unwrap_err().to_string();
    assert!(err.contains("cycle: a → b → a"), "{err}");

    let dup = Registry::from_modules([
        leak(Versioned {
            name: "a",
            version: "1.0.0",
            core: "*",
            requires: &[],
        }),
        leak(Versioned {
            name: "a",
            version: "2.0.0",
            core: "*",
            requires: &[],
        }),
    ]);
    assert!(dup
        .unwrap_err()
        .to_string()
        .contains("`a` is registered twice (versions 1.0.0 and 2.0.0)"));
}

#[test]
fn resolution_orders_dependencies_first_and_rejects_unknown_modules() {
    let reg = Registry::from_modules([
        &CoreModule as &'static dyn Module,
        leak(Versioned {
            name: "deliberations",
            version: "1.0.0",
            core: "*",
            requires: &[("website", "*")],
        }),
        leak(Versioned {
            name: "website",
            version: "1.0.0",
            core: "*",
            requires: &[],
        }),
    ])
    .unwrap();
    let order: Vec<&str> = reg
        .resolve(&["deliberations".into()])
        .unwrap()
        .iter()
        .map(|m| m.manifest().name)
        .collect();
    assert_eq!(order, vec!["beffroi", "website", "deliberations"]);
    let err = reg
        .resolve(&["mail-register".into()])
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("unknown module `mail-register`"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let err = open_site(
        dir.path(),
        "id = \"x\"\ntitle = \"X\"\n[modules.nope]\n",
        &reg,
    )
    .unwrap_err();
    assert!(err.to_string().contains("unknown module `nope`"), "{err}");
}

static STEPS_RUN: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());

struct Upgradable(&'static str);

fn to_110(w: &mut Writer<'_>) -> Result<()> {
    STEPS_RUN.lock().unwrap().push("1.1.0");
    w.module_put("upgradable", "schema", &json!("1.1"));
    Ok(())
}

fn to_120(w: &mut Writer<'_>) -> Result<()> {
    STEPS_RUN.lock().unwrap().push("1.2.0");
    let before = w.module_get("upgradable", "schema")?;
    assert_eq!(before, Some(json!("1.1")), "steps run in order");
    w.module_put("upgradable", "schema", &json!("1.2"));
    Ok(())
}

fn too_old(_w: &mut Writer<'_>) -> Result<()> {
    STEPS_RUN.lock().unwrap().push("0.9.0");
    Ok(())
}

impl Module for Upgradable {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "upgradable",
            version: self.0,
            core: "*",
            ..Manifest::EMPTY
        }
    }

    fn install(&self, w: &mut Writer<'_>) -> Result<()> {
        w.module_put("upgradable", "schema", &json!("1.0"));
        Ok(())
    }

    fn upgrade_steps(&self) -> Vec<UpgradeStep> {
        // Declared out of order on purpose.
        vec![
            UpgradeStep {
                to: "1.2.0",
                title: "Split opening hours by day",
                run: to_120,
            },
            UpgradeStep {
                to: "0.9.0",
                title: "Already applied",
                run: too_old,
            },
            UpgradeStep {
                to: "1.1.0",
                title: "Add a service code",
                run: to_110,
            },
        ]
    }
}

#[test]
fn enabling_installs_and_newer_code_lists_then_runs_upgrade_steps() {
    let dir = tempfile::tempdir().unwrap();
    let v1: &'static dyn Module = leak(Upgradable("1.0.0"));
    let toml = format!("{SITE_TOML}[modules.upgradable]\n");
    let site = open_site(dir.path(), &toml, &registry(&[v1])).unwrap();
    site.create(Some("Hotel-de-ville-2026")).unwrap();
    assert_eq!(
        site.installed_version("upgradable").unwrap().as_deref(),
        Some("1.0.0")
    );
    assert!(site.outdated_modules().unwrap().is_empty());
    drop(site);

    let v2: &'static dyn Module = leak(Upgradable("1.2.0"));
    let reg = registry(&[v2]);
    let site = open_site(dir.path(), &toml, &reg).unwrap();
    let status = site.module_status(&reg).unwrap();
    let up = status.iter().find(|s| s.name == "upgradable").unwrap();
    assert_eq!(up.installed.as_deref(), Some("1.0.0"));
    assert_eq!(up.linked.as_deref(), Some("1.2.0"));
    assert_eq!(
        up.pending,
        vec![
            ("1.1.0".to_string(), "Add a service code".to_string()),
            (
                "1.2.0".to_string(),
                "Split opening hours by day".to_string()
            )
        ]
    );
    let mut seen = Vec::new();
    let n = site
        .upgrade(&mut |m, title| seen.push(format!("{m}: {title}")))
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(*STEPS_RUN.lock().unwrap(), vec!["1.1.0", "1.2.0"]);
    assert_eq!(seen.len(), 2);
    assert_eq!(
        site.installed_version("upgradable").unwrap().as_deref(),
        Some("1.2.0")
    );
    assert!(site.outdated_modules().unwrap().is_empty());
    drop(site);

    // Disabling keeps the data and says so.
    let site = open_site(dir.path(), SITE_TOML, &reg).unwrap();
    let status = site.module_status(&reg).unwrap();
    let up = status.iter().find(|s| s.name == "upgradable").unwrap();
    assert!(!up.enabled);
    assert_eq!(up.installed.as_deref(), Some("1.2.0"));
}

#[test]
fn the_core_upgrade_puts_items_made_before_workflows_in_their_initial_state() {
    let t = crate::common::town();
    let s = &t.site;
    let who = crate::common::admin();
    let page = s
        .add(
            &who,
            "/",
            "Secret",
            crate::common::data(json!({"title": "Old page"})),
        )
        .unwrap();
    // Make the data look as a 0.1.0 site left it: no state, no groups, no secret.
    let store = s.store();
    let key = format!("s/town/i/{}", page.uid).into_bytes();
    let mut raw: Value = serde_json::from_slice(&store.get(&key).unwrap().unwrap()).unwrap();
    raw["review_state"] = Value::Null;
    let mut tx = store.begin().unwrap();
    tx.put(&key, serde_json::to_vec(&raw).unwrap());
    tx.put(b"s/town/m/beffroi", b"0.1.0".to_vec());
    tx.delete(b"s/town/secret");
    tx.delete(b"s/town/g/Reviewers");
    tx.commit().unwrap();
    assert_eq!(s.get("/old-page").unwrap().unwrap().review_state, None);

    let outdated: Vec<String> = s
        .outdated_modules()
        .unwrap()
        .iter()
        .map(|(m, from)| format!("{} {from}", m.manifest().name))
        .collect();
    assert_eq!(outdated, ["beffroi 0.1.0"]);
    let mut titles = Vec::new();
    let n = s
        .upgrade(&mut |m, title| titles.push(format!("{m}: {title}")))
        .unwrap();
    assert_eq!(n, 1);
    assert!(
        titles[0].starts_with("beffroi: Workflows and security"),
        "{titles:?}"
    );
    assert_eq!(
        s.get("/old-page").unwrap().unwrap().review_state.as_deref(),
        Some("private")
    );
    assert!(s.group("Reviewers").unwrap().is_some());
    assert_eq!(
        s.installed_version("beffroi").unwrap().as_deref(),
        Some(beffroi::module::CORE_VERSION)
    );
    // Private now: a visitor no longer sees it.
    let anonymous = Principal::anonymous();
    assert!(s.reader(&anonymous).get("/old-page").unwrap().is_none());
    // Logins work again: the secret was made.
    s.write(&who, |w| {
        w.add_user("claire", "Claire", None, "Correct-horse-42", &[])
            .map(drop)
    })
    .unwrap();
    assert!(s.login("claire", "Correct-horse-42", None).is_ok());
}
