//! Languages and themes of the example towns: complete catalogs for every
//! module they link, Sambreville's translated pages, and two towns that
//! look different.

use serde_json::Value;

use crate::harness::{eupen_binary, run, serve, serve_binary, stderr, stdout};

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn get(url: &str) -> (u16, String) {
    let r = client().get(url).send().unwrap();
    (r.status().as_u16(), r.text().unwrap())
}

/// The value of the first `attr="…"` after `marker` in `html`.
fn attr_after(html: &str, marker: &str, attr: &str) -> Option<String> {
    let rest = &html[html.find(marker)?..];
    let start = rest.find(&format!("{attr}=\""))? + attr.len() + 2;
    Some(rest[start..].split('"').next()?.to_owned())
}

#[test]
fn every_module_of_the_demo_town_speaks_every_language_it_offers() {
    let data = tempfile::tempdir().unwrap();
    let out = run(data.path(), &["check"]);
    assert!(
        out.status.success(),
        "check failed:\n{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(!stderr(&out).contains("incomplete"), "{}", stderr(&out));
}

#[test]
fn sambreville_links_its_pages_across_languages() {
    let data = tempfile::tempdir().unwrap();
    let server = serve(data.path());
    let c = client();
    let v: Value = c
        .get(format!("{}/++api++/accueil/@translations", server.url))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let langs: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["language"].as_str().unwrap())
        .collect();
    assert_eq!(langs, vec!["de", "nl"], "{v}");
    let (_, html) = get(&format!("{}/accueil", server.url));
    assert!(
        html.contains(&format!(
            "<link rel=\"alternate\" hreflang=\"nl\" href=\"{}/nl/welkom\">",
            server.url
        )),
        "{html}"
    );
    // The switcher remembers the choice and lands on the Dutch page.
    let r = c
        .get(format!(
            "{}/@@set-language?lang=nl&came_from={}/accueil",
            server.url, server.url
        ))
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        format!("{}/nl/welkom", server.url)
    );
    let r = c
        .get(format!(
            "{}/@@set-language?lang=nl&came_from=https://elsewhere.example/",
            server.url
        ))
        .send()
        .unwrap();
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        format!("{}/", server.url)
    );
}

#[test]
fn the_two_example_towns_look_different() {
    let data = tempfile::tempdir().unwrap();
    let sambreville = serve(data.path());
    let data = tempfile::tempdir().unwrap();
    let eupen = serve_binary(eupen_binary(), data.path());

    let (_, s_home) = get(&sambreville.url);
    let (_, e_home) = get(&eupen.url);
    assert!(s_home.contains("<html lang=\"fr\""));
    assert!(e_home.contains("<html lang=\"de\""), "{e_home}");
    assert!(e_home.contains("Zum Inhalt springen"));
    assert!(e_home.contains("<title>Stadt Eupen</title>"));

    // Each links its own stylesheet and logo, served from its theme.
    let mut looks = Vec::new();
    for (server, home) in [(&sambreville, &s_home), (&eupen, &e_home)] {
        let css = attr_after(home, "++theme++/style.css", "href")
            .map(|_| format!("{}/++theme++/style.css", server.url));
        let css = css.unwrap_or_else(|| panic!("no theme stylesheet in {home}"));
        let logo = attr_after(home, "class=\"site-logo\"", "src")
            .unwrap_or_else(|| panic!("no logo in {home}"));
        assert_eq!(logo, "/++theme++/logo.svg");
        let logo = format!("{}{logo}", server.url);
        let (status, css_body) = get(&css);
        assert_eq!(status, 200);
        let (status, logo_body) = get(&logo);
        assert_eq!(status, 200);
        assert!(logo_body.starts_with("<svg"), "{logo_body}");
        looks.push((css_body, logo_body));
    }
    assert_ne!(looks[0].0, looks[1].0, "the same stylesheet");
    assert_ne!(looks[0].1, looks[1].1, "the same logo");
    assert!(looks[0].0.contains("#00535c"));
    assert!(looks[1].0.contains("#7a1029"));

    // Eupen overrides the folder listing: cards.
    let (_, e_folder) = get(&format!("{}/services-communaux", eupen.url));
    let (_, s_folder) = get(&format!("{}/services-communaux", sambreville.url));
    assert!(e_folder.contains("<ul class=\"cards\">"), "{e_folder}");
    assert!(!s_folder.contains("class=\"cards\""));
    assert!(s_folder.contains("<ul class=\"listing\">"));

    // Path tricks stay inside the theme.
    for trick in [
        "/++theme++/../site.toml",
        "/++theme++/%2e%2e/site.toml",
        "/++theme++/website/folder_view.html",
    ] {
        let (status, _) = get(&format!("{}{trick}", eupen.url));
        assert_eq!(status, 404, "{trick}");
    }
}
