use serde_json::{json, Value};

use crate::harness::{run, run_with_input, serve, stderr, stdout};

fn ok(out: &std::process::Output) -> String {
    assert!(out.status.success(), "{}{}", stdout(out), stderr(out));
    stdout(out)
}

#[test]
fn accounts_groups_services_and_workflows_from_the_command_line() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    // Before the site exists, account commands say what to do.
    let out = run(d, &["users", "list"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("start it once with `serve`"),
        "{}",
        stderr(&out)
    );
    drop(serve(d));

    // A weak password is refused with the rule, in one line.
    let out = run_with_input(
        d,
        &[
            "users",
            "add",
            "claire",
            "--fullname",
            "Claire Dubois",
            "--email",
            "claire@sambreville.be",
            "--password-stdin",
        ],
        "claire2026\n",
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("password"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    let text = ok(&run_with_input(
        d,
        &[
            "users",
            "add",
            "claire",
            "--fullname",
            "Claire Dubois",
            "--email",
            "claire@sambreville.be",
            "--role",
            "Reviewer",
            "--password-stdin",
        ],
        "Sambre-et-Meuse-2026\n",
    ));
    assert!(text.contains("added claire"), "{text}");
    let text = ok(&run(
        d,
        &[
            "users",
            "add",
            "bob",
            "--fullname",
            "Bob Travaux",
            "--language",
            "nl",
        ],
    ));
    let generated = text
        .split("password: ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(generated.len(), 20);
    let out = run(d, &["users", "add", "bob", "--fullname", "Again"]);
    assert!(stderr(&out).contains("already taken"), "{}", stderr(&out));
    let out = run(
        d,
        &[
            "users",
            "add",
            "eve",
            "--fullname",
            "Eve",
            "--role",
            "Emperor",
        ],
    );
    assert!(
        stderr(&out).contains("no role is called `Emperor`"),
        "{}",
        stderr(&out)
    );

    ok(&run(
        d,
        &[
            "groups",
            "add",
            "redaction",
            "--title",
            "Rédaction",
            "--role",
            "Editor",
        ],
    ));
    let text = ok(&run(d, &["groups", "members", "redaction", "--add", "bob"]));
    assert_eq!(text.trim(), "bob");
    let out = run(d, &["groups", "members", "redaction", "--add", "ghost"]);
    assert!(stderr(&out).contains("user `ghost`"), "{}", stderr(&out));
    let text = ok(&run(d, &["groups", "list"]));
    assert!(
        text.contains("redaction") && text.contains("Reviewers"),
        "{text}"
    );
    ok(&run(
        d,
        &["services", "add", "travaux", "--title", "Travaux"],
    ));
    let text = ok(&run(d, &["services", "list"]));
    assert!(
        text.contains("travaux") && text.contains("Travaux"),
        "{text}"
    );

    let text = ok(&run(d, &["users", "list"]));
    assert!(
        text.contains("claire") && text.contains("Claire Dubois") && text.contains("Reviewer"),
        "{text}"
    );
    assert!(
        text.contains("redaction"),
        "bob's groups are listed: {text}"
    );
    let text = ok(&run(
        d,
        &[
            "users", "roles", "bob", "--role", "Reviewer", "--role", "Editor",
        ],
    ));
    assert_eq!(text.trim(), "bob: Reviewer, Editor");
    ok(&run(d, &["users", "disable", "claire"]));
    let text = ok(&run(d, &["users", "list"]));
    assert!(
        text.lines()
            .any(|l| l.starts_with("claire") && l.contains("disabled")),
        "{text}"
    );
    ok(&run_with_input(
        d,
        &["users", "passwd", "bob", "--password-stdin"],
        "Nouveau-mot-de-passe-7\n",
    ));

    let text = ok(&run(d, &["workflows", "list"]));
    assert!(
        text.contains("simple_publication (beffroi/workflows/simple_publication.toml)"),
        "{text}"
    );
    assert!(
        text.contains("publish: private|pending → published [Review]"),
        "{text}"
    );
    let svgs = d.join("diagrams");
    let text = ok(&run(
        d,
        &[
            "workflows",
            "diagram",
            "--out",
            svgs.to_str().unwrap(),
            "--lang",
            "nl",
        ],
    ));
    assert!(text.contains("simple_publication.svg"), "{text}");
    let svg = std::fs::read_to_string(svgs.join("simple_publication.svg")).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("Gepubliceerd"),
        "{svg}"
    );

    let text = ok(&run(d, &["reindex"]));
    assert!(
        text.contains("site sambreville: catalog reindexed"),
        "{text}"
    );
    let out = run(d, &["reindex", "--site", "elsewhere"]);
    assert!(
        stderr(&out).contains("no site `elsewhere`"),
        "{}",
        stderr(&out)
    );

    let csv = ok(&run(d, &["audit", "--format", "csv"]));
    for event in [
        "user_added",
        "group_members_added",
        "user_disabled",
        "password_changed",
    ] {
        assert!(csv.contains(event), "{event} missing: {csv}");
    }

    // The server sees all of it: the disabled account cannot log in, the
    // new password works, and the demo content is published for visitors.
    let server = serve(d);
    let c = reqwest::blocking::Client::new();
    let login = |who: &str, pw: &str| {
        c.post(format!("{}/@login", server.url))
            .header("accept", "application/json")
            .json(&json!({"login": who, "password": pw}))
            .send()
            .unwrap()
    };
    assert_eq!(login("claire", "Sambre-et-Meuse-2026").status(), 401);
    assert_eq!(login("bob", &generated).status(), 401);
    let r = login("bob", "Nouveau-mot-de-passe-7");
    assert_eq!(r.status(), 200);
    let token = r.json::<Value>().unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let news: Value = c
        .get(format!("{}/++api++/actualites", server.url))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(news["review_state"], "published");
    assert!(news["items_total"].as_u64().unwrap() >= 2, "{news}");
    let wf: Value = c
        .get(format!("{}/actualites/@workflow", server.url))
        .header("accept", "application/json")
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(wf["state"]["id"], "published");
    assert_eq!(wf["history"][0]["action"], "publish");
    // Bob chose Dutch: his pages are in Dutch whatever the browser says.
    let page = c
        .get(format!("{}/actualites", server.url))
        .header("accept-language", "fr")
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(page.headers()["content-language"], "nl");
}
