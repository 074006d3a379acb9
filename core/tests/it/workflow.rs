//! Workflows and permissions through the core's API: the publication walk
//! as a contributor, a reviewer and a visitor; local roles from the item's
//! fields; adaptations; guards; hooks; counters; the checker; diagrams.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use beffroi::hooks::{Event, Phase, Subscriber, Veto};
use beffroi::prelude::*;
use beffroi::workflow::{Closed, CounterDef, Guard, GuardContext};
use beffroi::{CoreModule, Registry};

use crate::common::{admin, data, open_site, registry};

const ARTICLE: &str = r#"
name = "Article"
title = { en = "Article", fr = "Article" }
workflow = "simple_publication"
"#;

const SECTION: &str = r#"
name = "Section"
container = true
title = { en = "Section" }
workflow = "simple_publication"
"#;

const ATTACHMENT: &str = r#"
name = "Attachment"
title = { en = "Attachment" }
workflow = "one_state"
"#;

const PROPOSAL: &str = r#"
name = "Proposal"
title = { en = "Proposal", fr = "Projet de délibération" }
workflow = "proposal"

[[field]]
name = "service"
kind = "text"

[[field]]
name = "category"
kind = "text"

[[field]]
name = "reference"
kind = "text"
"#;

const PROPOSAL_WF: &str = r#"
name = "proposal"
initial = "draft"
title = { en = "Council proposal" }

[[adaptation]]
id = "refusal"
title = { en = "Proposals can be refused" }

[[state]]
id = "draft"
title = { en = "Draft", fr = "Brouillon" }
permissions.View = ["Manager", "Owner", "Editor", "Reader"]
permissions.Modify = ["Manager", "Owner", "Editor"]
[[state.local_roles]]
field = "service"
function = "creators"
roles = ["Editor"]

[[state]]
id = "proposed"
title = { en = "Proposed", fr = "Proposé" }
permissions.View = ["Manager", "Owner", "Reviewer", "Reader"]
permissions.Modify = ["Manager", "Reviewer"]
[[state.local_roles]]
field = "service"
function = "reviewers"
roles = ["Reviewer"]
[[state.local_roles]]
field = "service"
function = "creators"
roles = ["Reader"]

[[state]]
id = "validated"
title = { en = "Validated", fr = "Validé" }
final = true
permissions.View = ["Manager", "Editor", "Reader"]
permissions.Modify = ["Manager", "Editor"]
[[state.local_roles]]
service = "secretariat"
function = "creators"
roles = ["Editor"]
[[state.local_roles]]
field = "service"
function = "creators"
roles = ["Reader"]

[[state]]
id = "refused"
adaptation = "refusal"
final = true
permissions.View = ["Manager", "Owner"]

[[transition]]
id = "propose"
title = { en = "Propose" }
from = ["draft"]
to = "proposed"
roles = ["Owner", "Editor"]

[[transition]]
id = "validate"
title = { en = "Validate" }
from = ["proposed"]
to = "validated"
permission = "Review"
guard = "category_required"

[[transition]]
id = "send_back"
title = { en = "Send back" }
from = ["proposed"]
to = "draft"
permission = "Review"
comment_required = true

[[transition]]
id = "refuse"
title = { en = "Refuse" }
from = ["proposed"]
to = "refused"
permission = "Review"
adaptation = "refusal"
"#;

fn category_required(cx: &GuardContext<'_>) -> Result<(), Closed> {
    match cx.item.field("category").and_then(Value::as_str) {
        Some(c) if !c.is_empty() => Ok(()),
        _ => Err(Closed::new("guard-category-required")),
    }
}

fn no_validation_on_fridays(_w: &mut Writer<'_>, e: &Event<'_>) -> Result<(), Veto> {
    if let Event::ItemTransitioned {
        item, transition, ..
    } = e
    {
        if *transition == "validate" && item.title().contains("friday") {
            return Err(Veto("no validation on fridays".into()));
        }
    }
    Ok(())
}

fn number_on_proposal(w: &mut Writer<'_>, e: &Event<'_>) -> Result<(), Veto> {
    if let Event::ItemTransitioned {
        item, transition, ..
    } = e
    {
        if *transition == "propose" && item.field("reference").is_none() {
            let number = w.next_number("proposal").map_err(|e| Veto(e.to_string()))?;
            let path = item.path.clone();
            w.unrestricted(|w| w.update(&path, data(json!({ "reference": number })), None))
                .map_err(|e| Veto(e.to_string()))?;
        }
    }
    Ok(())
}

struct Council;

impl Module for Council {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "council",
            version: "1.0.0",
            core: "^0.2",
            types: &[
                ("types/article.toml", ARTICLE),
                ("types/section.toml", SECTION),
                ("types/proposal.toml", PROPOSAL),
                ("types/attachment.toml", ATTACHMENT),
            ],
            workflows: &[("workflows/proposal.toml", PROPOSAL_WF)],
            functions: &["creators", "reviewers"],
            counters: &[CounterDef {
                name: "proposal",
                format: "P{yyyy}/{n:04}",
                yearly: true,
            }],
            ..Manifest::EMPTY
        }
    }

    fn guards(&self) -> Vec<Guard> {
        vec![Guard {
            name: "category_required",
            check: category_required,
        }]
    }

    fn subscribers(&self) -> Vec<Subscriber> {
        vec![
            Subscriber {
                name: "no-fridays",
                phase: Phase::Before,
                order: 0,
                handler: no_validation_on_fridays,
            },
            Subscriber {
                name: "number",
                phase: Phase::After,
                order: 0,
                handler: number_on_proposal,
            },
        ]
    }
}

static COUNCIL: Council = Council;

const COUNCIL_TOML: &str =
    "id = \"town\"\ntitle = \"Test Town\"\nlanguages = [\"en\", \"fr\"]\n[modules.testing]\n[modules.council]\n";

struct Town {
    _dir: tempfile::TempDir,
    site: Arc<Site>,
}

fn council_town(extra_toml: &str) -> Town {
    let dir = tempfile::tempdir().unwrap();
    let site = open_site(
        dir.path(),
        &format!("{COUNCIL_TOML}{extra_toml}"),
        &registry(&[&COUNCIL]),
    )
    .unwrap();
    site.create(Some("Hotel-de-ville-2026")).unwrap();
    Town {
        _dir: dir,
        site: Arc::new(site),
    }
}

const PASSWORD: &str = "Correct-horse-42";

fn user(s: &Site, login: &str, roles: &[&str]) -> Principal {
    let roles: Vec<String> = roles.iter().map(|r| (*r).to_owned()).collect();
    s.write(&admin(), |w| {
        w.add_user(login, &login.to_uppercase(), None, PASSWORD, &roles)
    })
    .unwrap();
    s.principal(login).unwrap()
}

fn join(s: &Site, login: &str, group: &str) -> Principal {
    s.write(&admin(), |w| {
        w.set_group_members(group, &[login.to_owned()], &[])
    })
    .unwrap();
    s.principal(login).unwrap()
}

fn visible(s: &Site, who: &Principal, path: &str) -> bool {
    s.reader(who).get(path).unwrap().is_some()
}

fn child_ids(s: &Site, who: &Principal, path: &str) -> Vec<String> {
    s.reader(who)
        .children(path)
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect()
}

fn open_transitions(s: &Site, who: &Principal, path: &str) -> Vec<String> {
    let r = s.reader(who);
    let item = r.must_get(path).unwrap();
    r.transitions(&item)
        .unwrap()
        .into_iter()
        .filter(|t| t.closed.is_none())
        .map(|t| t.id)
        .collect()
}

#[test]
fn the_publication_workflow_as_contributor_reviewer_and_visitor() {
    let t = council_town("");
    let s = &t.site;
    let anonymous = Principal::anonymous();
    let claire = user(s, "claire", &[]);
    let rita = join(s, user(s, "rita", &[]).name(), "Reviewers");

    // The admin makes a news section, publishes it, and lets Claire write there.
    s.write(&admin(), |w| {
        w.add_with(
            "/",
            "Section",
            data(json!({"title": "Actualités"})),
            AddOptions {
                id: Some("actualites".into()),
                ..AddOptions::default()
            },
        )?;
        w.transition("/actualites", "publish", "")?;
        w.set_local_roles("/actualites", "claire", &["Contributor".into()])
    })
    .unwrap();
    assert!(visible(s, &anonymous, "/actualites"));

    // Nobody else may add there.
    let refused = s.add(&rita, "/actualites", "Article", data(json!({"title": "x"})));
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");
    let refused = s.add(
        &anonymous,
        "/actualites",
        "Article",
        data(json!({"title": "x"})),
    );
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");

    // Claire writes an article: private, seen by her only.
    let article = s
        .add(
            &claire,
            "/actualites",
            "Article",
            data(json!({"title": "Travaux rue Haute"})),
        )
        .unwrap();
    assert_eq!(article.review_state.as_deref(), Some("private"));
    assert_eq!(article.creator, "claire");
    let p = article.path.as_str();
    assert!(visible(s, &claire, p));
    assert!(!visible(s, &anonymous, p));
    assert!(
        !visible(s, &rita, p),
        "a reviewer does not see private work"
    );
    assert!(s
        .reader(&anonymous)
        .get_by_uid(&article.uid)
        .unwrap()
        .is_none());
    assert!(child_ids(s, &anonymous, "/actualites").is_empty());
    assert!(!s
        .reader(&anonymous)
        .walk()
        .unwrap()
        .iter()
        .any(|i| i.uid == article.uid));
    assert_eq!(child_ids(s, &claire, "/actualites"), ["travaux-rue-haute"]);

    // She may submit, not publish.
    assert_eq!(open_transitions(s, &claire, p), ["submit"]);
    let closed = s.reader(&claire).transitions(&article).unwrap();
    let publish = closed.iter().find(|t| t.id == "publish").unwrap();
    assert_eq!(
        publish.closed.as_ref().map(|c| c.message.as_str()),
        Some("transition-not-permitted")
    );
    let refused = s.write(&claire, |w| w.transition(p, "publish", ""));
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");
    assert_eq!(
        s.get(p).unwrap().unwrap().review_state.as_deref(),
        Some("private")
    );
    // A visitor firing anything on it learns nothing: it does not exist.
    let refused = s.write(&anonymous, |w| w.transition(p, "submit", ""));
    assert!(matches!(refused, Err(Error::NotFound(_))), "{refused:?}");

    s.write(&claire, |w| w.transition(p, "submit", "prête"))
        .unwrap();
    // Pending: her Modify is gone, the reviewer sees and may edit.
    let refused = s.update(&claire, p, data(json!({"title": "Changed"})), None);
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");
    assert_eq!(s.get(p).unwrap().unwrap().title(), "Travaux rue Haute");
    assert!(visible(s, &rita, p));
    assert!(!visible(s, &anonymous, p));
    assert_eq!(open_transitions(s, &rita, p), ["publish", "reject"]);
    assert_eq!(open_transitions(s, &claire, p), ["retract"]);

    // Published: everyone sees it, in listings too.
    s.write(&rita, |w| w.transition(p, "publish", "")).unwrap();
    assert!(visible(s, &anonymous, p));
    assert_eq!(
        child_ids(s, &anonymous, "/actualites"),
        ["travaux-rue-haute"]
    );
    assert!(s
        .reader(&anonymous)
        .get_by_uid(&article.uid)
        .unwrap()
        .is_some());
    let refused = s.update(&anonymous, p, data(json!({"title": "defaced"})), None);
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");

    // Another contributor of the section may neither retract it nor move it.
    let other = user(s, "other", &[]);
    s.write(&admin(), |w| {
        w.set_local_roles("/actualites", "other", &["Contributor".into()])
            .map(drop)
    })
    .unwrap();
    let refused = s.write(&other, |w| w.transition(p, "retract", ""));
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");
    let own = s
        .add(
            &other,
            "/actualites",
            "Section",
            data(json!({"title": "Mon dossier"})),
        )
        .unwrap();
    let refused = s.write(&other, |w| w.move_to("/actualites", &own.path));
    assert!(refused.is_err(), "{refused:?}");
    // Logins and group names share one namespace.
    let taken = s.write(&admin(), |w| {
        w.add_user("Reviewers", "x", None, PASSWORD, &[]).map(drop)
    });
    assert!(matches!(taken, Err(Error::Conflict(_))), "{taken:?}");
    let taken = s.write(&admin(), |w| {
        w.add_user("AuthenticatedUsers", "x", None, PASSWORD, &[])
            .map(drop)
    });
    assert!(matches!(taken, Err(Error::Conflict(_))), "{taken:?}");

    // Sending back needs a comment.
    let refused = s.write(&rita, |w| w.transition(p, "reject", "  "));
    assert!(
        matches!(refused, Err(Error::Invalid(ref e)) if e[0].field == "comment"),
        "{refused:?}"
    );
    s.write(&rita, |w| w.transition(p, "reject", "Photo manquante"))
        .unwrap();
    assert!(!visible(s, &anonymous, p));

    // A transition that does not leave this state is refused clearly.
    let refused = s.write(&admin(), |w| w.transition(p, "retract", ""));
    assert!(
        matches!(refused, Err(Error::Invalid(ref e)) if e[0].code == "bad_transition"),
        "{refused:?}"
    );

    // History keeps who, when, from, to and the comments.
    let steps: Vec<_> = s
        .reader(&claire)
        .history(p)
        .unwrap()
        .into_iter()
        .filter_map(|h| {
            h.workflow
                .map(|w| (h.actor, w.transition, w.from, w.to, w.comment))
        })
        .collect();
    assert_eq!(
        steps,
        [
            (
                "claire".into(),
                "submit".into(),
                "private".into(),
                "pending".into(),
                "prête".into()
            ),
            (
                "rita".into(),
                "publish".into(),
                "pending".into(),
                "published".into(),
                String::new()
            ),
            (
                "rita".into(),
                "reject".into(),
                "published".into(),
                "private".into(),
                "Photo manquante".into()
            ),
        ]
    );
    let audit = s.audit_log(&admin(), 0, 100).unwrap().0;
    assert!(audit
        .iter()
        .any(|e| e.event == "transition" && e.actor == "rita" && e.detail.contains("reject")));
    // The audit log is for site administrators.
    assert!(matches!(
        s.audit_log(&claire, 0, 10),
        Err(Error::Forbidden(_))
    ));
}

#[test]
fn local_roles_come_from_the_items_fields_and_follow_them() {
    let t = council_town("");
    let s = &t.site;
    s.write(&admin(), |w| {
        w.add_service("population", "Population", None)?;
        w.add_service("travaux", "Travaux", None)?;
        w.add_service("secretariat", "Secrétariat", None)?;
        w.add_with(
            "/",
            "Folder",
            data(json!({"title": "Projets"})),
            AddOptions {
                id: Some("projets".into()),
                ..AddOptions::default()
            },
        )?;
        w.set_local_roles("/projets", "population_creators", &["Contributor".into()])
    })
    .unwrap();
    let pierre = user(s, "pierre", &[]);
    let pierre = join(s, pierre.name(), "population_creators");
    let paula = user(s, "paula", &[]);
    let paula = join(s, paula.name(), "population_reviewers");
    let tom = user(s, "tom", &[]);
    let tom = join(s, tom.name(), "travaux_reviewers");
    let sec = user(s, "sec", &[]);
    let sec = join(s, sec.name(), "secretariat_creators");
    let colleague = user(s, "colleague", &[]);
    let colleague = join(s, colleague.name(), "population_creators");

    let item = s
        .add(
            &pierre,
            "/projets",
            "Proposal",
            data(json!({"title": "Achat de mobilier", "service": "population"})),
        )
        .unwrap();
    let p = item.path.as_str();
    assert_eq!(item.review_state.as_deref(), Some("draft"));
    // In draft, the service's creators edit together.
    assert!(visible(s, &colleague, p));
    s.update(
        &colleague,
        p,
        data(json!({"title": "Achat de mobilier scolaire"})),
        None,
    )
    .unwrap();
    assert!(!visible(s, &paula, p));

    s.write(&pierre, |w| w.transition(p, "propose", ""))
        .unwrap();
    // The hook numbered it, in the same write.
    let year = chrono::Utc::now().format("%Y").to_string();
    assert_eq!(
        s.get(p).unwrap().unwrap().field("reference"),
        Some(&json!(format!("P{year}/0001")))
    );
    // Proposed: the population reviewers review, the creators only read.
    assert!(visible(s, &paula, p));
    assert!(
        !visible(s, &tom, p),
        "another service's reviewers do not see it"
    );
    assert!(visible(s, &colleague, p));
    let refused = s.update(&colleague, p, data(json!({"category": "x"})), None);
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");

    // The guard closes `validate` with its reason until a category is set.
    let r = s.reader(&paula);
    let transitions = r.transitions(&r.must_get(p).unwrap()).unwrap();
    let validate = transitions.iter().find(|t| t.id == "validate").unwrap();
    assert_eq!(
        validate.closed.as_ref().map(|c| c.message.as_str()),
        Some("guard-category-required")
    );
    let refused = s.write(&paula, |w| w.transition(p, "validate", ""));
    assert!(
        matches!(refused, Err(Error::Closed(ref c)) if c.message == "guard-category-required"),
        "{refused:?}"
    );
    // Adaptation off: no refusal.
    assert!(!transitions.iter().any(|t| t.id == "refuse"));

    // The item moves to another service: the roles follow the field.
    s.update(&paula, p, data(json!({"service": "travaux"})), None)
        .unwrap();
    assert!(visible(s, &tom, p));
    assert!(!visible(s, &paula, p));
    assert!(!visible(s, &colleague, p));

    // Validated: the secretariat gets Editor, the proposing service reads.
    s.update(&tom, p, data(json!({"category": "Enseignement"})), None)
        .unwrap();
    s.write(&tom, |w| w.transition(p, "validate", "")).unwrap();
    assert!(visible(s, &sec, p));
    s.update(
        &sec,
        p,
        data(json!({"title": "Achat de mobilier (validé)"})),
        None,
    )
    .unwrap();
    let roles = s
        .reader(&sec)
        .roles_on(&s.get(p).unwrap().unwrap())
        .unwrap();
    assert!(roles.contains("Editor"), "{roles:?}");
    assert!(!visible(s, &paula, p));

    // The next proposal gets the next number, never the same.
    let second = s
        .add(
            &pierre,
            "/projets",
            "Proposal",
            data(json!({"title": "Deux", "service": "population"})),
        )
        .unwrap();
    s.write(&pierre, |w| w.transition(&second.path, "propose", ""))
        .unwrap();
    assert_eq!(
        s.get(&second.path).unwrap().unwrap().field("reference"),
        Some(&json!(format!("P{year}/0002")))
    );
}

#[test]
fn hooks_veto_transitions_and_nothing_changes() {
    let t = council_town("");
    let s = &t.site;
    let item = s
        .add(
            &admin(),
            "/",
            "Proposal",
            data(json!({"title": "friday item", "category": "x"})),
        )
        .unwrap();
    s.write(&admin(), |w| w.transition(&item.path, "propose", ""))
        .unwrap();
    let refused = s.write(&admin(), |w| w.transition(&item.path, "validate", ""));
    assert!(
        matches!(refused, Err(Error::Vetoed { ref message, .. }) if message == "no validation on fridays"),
        "{refused:?}"
    );
    let after = s.get(&item.path).unwrap().unwrap();
    assert_eq!(after.review_state.as_deref(), Some("proposed"));
    assert!(!s
        .history(&item.path)
        .unwrap()
        .iter()
        .any(|h| h.workflow.as_ref().is_some_and(|w| w.to == "validated")));
}

#[test]
fn adaptations_and_workflow_overrides_come_from_site_toml() {
    let t = council_town("[workflows.adaptations]\nproposal = [\"refusal\"]\n[workflows.chain]\nArticle = \"one_state\"\n");
    let s = &t.site;
    let item = s
        .add(&admin(), "/", "Proposal", data(json!({"title": "x"})))
        .unwrap();
    s.write(&admin(), |w| w.transition(&item.path, "propose", ""))
        .unwrap();
    assert!(open_transitions(s, &admin(), &item.path).contains(&"refuse".to_owned()));
    s.write(&admin(), |w| w.transition(&item.path, "refuse", ""))
        .unwrap();
    assert_eq!(
        s.get(&item.path).unwrap().unwrap().review_state.as_deref(),
        Some("refused")
    );
    // Articles follow one_state here: published at once.
    let a = s
        .add(&admin(), "/", "Article", data(json!({"title": "a"})))
        .unwrap();
    assert_eq!(a.review_state.as_deref(), Some("published"));
    assert!(visible(s, &Principal::anonymous(), &a.path));

    let dir = tempfile::tempdir().unwrap();
    let err = open_site(
        dir.path(),
        &format!("{COUNCIL_TOML}[workflows.adaptations]\nproposal = [\"flying\"]\n"),
        &registry(&[&COUNCIL]),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("workflow `proposal` has no adaptation `flying` (it has: refusal)"),
        "{err}"
    );
}

#[test]
fn counters_never_give_a_number_twice() {
    let t = council_town("[counters.proposal]\nformat = \"E{n:04}\"\n");
    let mut handles = Vec::new();
    for _ in 0..4 {
        let s = Arc::clone(&t.site);
        handles.push(std::thread::spawn(move || {
            (0..25)
                .map(|_| s.write(&admin(), |w| w.next_number("proposal")).unwrap())
                .collect::<Vec<_>>()
        }));
    }
    let mut all: Vec<String> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    all.sort();
    let expected: Vec<String> = (1..=100).map(|n| format!("E{n:04}")).collect();
    assert_eq!(all, expected);
    // A write that fails gives its number back.
    let failed: Result<()> = t.site.write(&admin(), |w| {
        w.next_number("proposal")?;
        Err(Error::Conflict("changed my mind".into()))
    });
    assert!(failed.is_err());
    assert_eq!(
        t.site
            .write(&admin(), |w| w.next_number("proposal"))
            .unwrap(),
        "E0101"
    );
    assert_eq!(
        beffroi::workflow::format_number(
            "Ref. {yyyy}{mm}{dd}/{n}",
            3,
            chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
        ),
        "Ref. 20261126/3"
    );
    let dir = tempfile::tempdir().unwrap();
    let err = open_site(
        dir.path(),
        &format!("{COUNCIL_TOML}[counters.proposal]\nformat = \"E{{x}}\"\n"),
        &registry(&[&COUNCIL]),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("unknown token `{x}`"), "{err}");
}

const TICKET: &str = r#"
name = "Ticket"
title = { en = "Ticket" }
workflow = "broken"
"#;

struct Broken {
    workflows: &'static [(&'static str, &'static str)],
}

impl Module for Broken {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "broken",
            version: "1.0.0",
            core: "^0.2",
            types: &[("types/ticket.toml", TICKET)],
            workflows: self.workflows,
            functions: &["creators"],
            ..Manifest::EMPTY
        }
    }
}

#[test]
fn the_checker_rejects_each_broken_workflow_naming_the_problem() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/workflows");
    let mut seen = 0;
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for path in files {
        let text: &'static str =
            Box::leak(std::fs::read_to_string(&path).unwrap().into_boxed_str());
        let expected = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{} lacks its `# expect:` line", path.display()));
        let name: &'static str = Box::leak(
            format!("workflows/{}", path.file_name().unwrap().to_string_lossy()).into_boxed_str(),
        );
        let workflows: &'static [(&'static str, &'static str)] =
            Box::leak(vec![(name, text)].into_boxed_slice());
        let module: &'static Broken = Box::leak(Box::new(Broken { workflows }));
        let reg = Registry::from_modules([
            &CoreModule as &'static dyn Module,
            module as &'static dyn Module,
        ])
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let toml = "id = \"t\"\ntitle = \"T\"\n[modules.broken]\n";
        let err = open_site(dir.path(), toml, &reg)
            .map(drop)
            .expect_err(&format!("{} should be refused", path.display()))
            .to_string();
        assert!(err.contains(expected), "{}: {err}", path.display());
        assert!(
            err.contains(&format!("broken/{name}")),
            "the file is named: {err}"
        );
        seen += 1;
    }
    assert!(seen >= 10, "only {seen} broken workflows");
}

#[test]
fn a_type_naming_an_unknown_workflow_is_refused() {
    let types: &'static [(&'static str, &'static str)] = &[("types/ticket.toml", TICKET)];
    struct Lone(&'static [(&'static str, &'static str)]);
    impl Module for Lone {
        fn manifest(&self) -> Manifest {
            Manifest {
                name: "lone",
                version: "1.0.0",
                types: self.0,
                ..Manifest::EMPTY
            }
        }
    }
    let module: &'static Lone = Box::leak(Box::new(Lone(types)));
    let reg = Registry::from_modules([&CoreModule as &'static dyn Module, module]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let err = open_site(
        dir.path(),
        "id = \"t\"\ntitle = \"T\"\n[modules.lone]\n",
        &reg,
    )
    .map(drop)
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("lone/types/ticket.toml: type `Ticket`: unknown workflow `broken`"),
        "{err}"
    );
}

#[test]
fn every_workflow_is_drawn() {
    let t = council_town("[workflows.adaptations]\nproposal = [\"refusal\"]\n");
    let names: BTreeSet<String> = t.site.workflows().map(|w| w.name.clone()).collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "one_state".into(),
            "proposal".into(),
            "simple_publication".into()
        ])
    );
    let w = t
        .site
        .workflows()
        .find(|w| w.name == "simple_publication")
        .unwrap();
    let svg = beffroi::diagram::svg(w, "fr");
    assert!(svg.starts_with("<svg"), "{svg}");
    for text in [
        "Privé",
        "En attente de relecture",
        "Publié",
        "Soumettre pour publication",
        "Publier",
        "Renvoyer",
        "Retirer",
        "Review",
        "Request review",
    ] {
        assert!(svg.contains(text), "{text} missing");
    }
    assert_eq!(svg.matches("<g").count(), svg.matches("</g>").count());
    let w = t.site.workflows().find(|w| w.name == "proposal").unwrap();
    let svg = beffroi::diagram::svg(w, "en");
    assert!(svg.contains("Refused") || svg.contains("refused"));
    assert!(svg.contains("category_required"));
}

#[test]
fn one_state_items_are_as_private_as_their_container() {
    let t = council_town("");
    let s = &t.site;
    let anonymous = Principal::anonymous();
    s.write(&admin(), |w| {
        w.add_with(
            "/",
            "Section",
            data(json!({"title": "Interne"})),
            AddOptions {
                id: Some("interne".into()),
                ..AddOptions::default()
            },
        )?;
        w.add_with(
            "/interne",
            "Attachment",
            data(json!({"title": "Budget"})),
            AddOptions {
                id: Some("budget".into()),
                ..AddOptions::default()
            },
        )
    })
    .unwrap();
    assert_eq!(
        s.get("/interne/budget")
            .unwrap()
            .unwrap()
            .review_state
            .as_deref(),
        Some("published")
    );
    assert!(
        !visible(s, &anonymous, "/interne/budget"),
        "inside a private section"
    );
    s.write(&admin(), |w| w.transition("/interne", "publish", ""))
        .unwrap();
    assert!(visible(s, &anonymous, "/interne/budget"));
}

#[test]
fn items_left_in_a_state_the_workflow_lost_are_for_managers_only() {
    let t = council_town("[workflows.adaptations]\nproposal = [\"refusal\"]\n");
    let item = t
        .site
        .add(&admin(), "/", "Proposal", data(json!({"title": "x"})))
        .unwrap();
    t.site
        .write(&admin(), |w| {
            w.add_user(
                "sam",
                "Sam",
                None,
                PASSWORD,
                &["Site Administrator".into(), "Reviewer".into()],
            )?;
            w.transition(&item.path, "propose", "")?;
            w.transition(&item.path, "refuse", "")
        })
        .unwrap();
    // The same data opened without the adaptation: `refused` is gone.
    let Town { _dir: dir, site } = t;
    drop(site);
    let site = open_site(dir.path(), COUNCIL_TOML, &registry(&[&COUNCIL])).unwrap();
    let sam = site.principal("sam").unwrap();
    assert!(site.reader(&sam).get(&item.path).unwrap().is_none());
    let admin_user = site.principal("admin").unwrap();
    assert!(site.reader(&admin_user).get(&item.path).unwrap().is_some());
    // The way out: a site administrator puts it back at the start.
    assert!(site
        .reader(&sam)
        .transitions(&site.get(&item.path).unwrap().unwrap())
        .unwrap()
        .is_empty());
    let reset = site
        .write(&sam, |w| w.reset_workflow_state(&item.path))
        .unwrap();
    assert_eq!(reset.review_state.as_deref(), Some("draft"));
    let nobody = Principal::anonymous();
    assert!(matches!(
        site.write(&nobody, |w| w.reset_workflow_state(&item.path)),
        Err(Error::Forbidden(_))
    ));
}
