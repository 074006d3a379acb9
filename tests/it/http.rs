use serde_json::Value;

use crate::harness::serve;

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[test]
fn the_demo_town_answers_people_and_programs() {
    let data = tempfile::tempdir().unwrap();
    let server = serve(data.path());
    let c = client();

    let home = c.get(&server.url).send().unwrap();
    assert_eq!(home.status(), 200);
    let html = home.text().unwrap();
    assert!(
        html.contains("<title>Ville de Sambreville</title>"),
        "{html}"
    );
    assert!(html.contains("Services communaux"));
    assert!(html.contains("Aller au contenu"));

    let css = c
        .get(format!("{}/++resource++beffroi/style.css", server.url))
        .send()
        .unwrap();
    assert_eq!(css.status(), 200);
    assert!(css.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));

    let services: Value = c
        .get(format!("{}/services-communaux", server.url))
        .header("accept", "application/json")
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(services["@type"], "Folder");
    assert_eq!(services["items_total"], 4);
    let first = services["items"][0]["@id"].as_str().unwrap().to_owned();
    let page: Value = c
        .get(first.replace(&server.url, &format!("{}/++api++", server.url)))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(page["@type"], "Document");
    assert!(page["text"]
        .as_str()
        .unwrap()
        .contains("Heures d'ouverture"));

    let nl = c
        .get(format!("{}/agenda/conseil-communal", server.url))
        .header("accept-language", "nl-BE,nl;q=0.9")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(nl.contains("<html lang=\"nl\">"));
    assert!(nl.contains("Wanneer"), "event labels in Dutch");

    let missing = c.get(format!("{}/nulle-part", server.url)).send().unwrap();
    assert_eq!(missing.status(), 404);
    assert!(missing.text().unwrap().contains("Page introuvable"));
    let tricky = c
        .get(format!("{}/a%00b/..%5c..%5cetc", server.url))
        .send()
        .unwrap();
    assert_eq!(tricky.status(), 400);
    let post = c
        .post(format!("{}/actualites", server.url))
        .body("{not json")
        .send()
        .unwrap();
    assert_eq!(post.status(), 401, "visitors may not add content");
}

#[test]
fn content_survives_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let news = |url: &str| -> Value {
        client()
            .get(format!("{url}/++api++/actualites"))
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    let uid = news(&serve(data.path()).url)["UID"]
        .as_str()
        .unwrap()
        .to_owned();
    let v = news(&serve(data.path()).url);
    assert_eq!(
        v["UID"], uid,
        "the second start reuses the site, it does not recreate it"
    );
    assert_eq!(v["items_total"], 12, "the demo's dozen news items");
}
