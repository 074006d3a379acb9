//! Languages: complete catalogs, negotiation order, the switcher, content
//! translations (`@translations`, `@translation-locator`, alternate links),
//! dates and numbers per language, and a theme's own files.

use std::sync::Arc;

use axum::http::StatusCode;
use chrono::NaiveDate;

use beffroi::i18n::{check_catalogs, DateStyle};
use beffroi::prelude::*;
use beffroi::web::{app, Sites};
use beffroi::CoreModule;

use crate::common::{
    admin, basic, data, open_site, registry, request, serve, town, Answer, Town, JSON, PASSWORD,
    SEND_JSON,
};

/// A town in fr (default), en and nl: a folder `/actualites` with a
/// French page, its Dutch translation folder `/nieuws` with a Dutch page,
/// an English page not linked to anything, and a private page.
fn translated() -> Town {
    let t = town();
    t.site
        .write(&admin(), |w| {
            w.add_user("edith", "Edith", None, PASSWORD, &["Editor".into()])?;
            w.add_user("nora", "Nora", None, PASSWORD, &[])?;
            w.set_user_language("nora", Some("nl"))?;
            w.add("/", "Folder", data(json!({"title": "Actualités"})))?;
            w.add("/", "Folder", data(json!({"title": "Nieuws"})))?;
            w.set_language("/nieuws", Some("nl"))?;
            w.link_translation("/actualites", "/nieuws")?;
            w.add("/actualites", "Page", data(json!({"title": "Marché"})))?;
            w.add("/actualites", "Page", data(json!({"title": "Fête"})))?;
            w.add("/nieuws", "Page", data(json!({"title": "Markt"})))?;
            w.set_language("/nieuws/markt", Some("nl"))?;
            w.add("/", "Page", data(json!({"title": "Market"})))?;
            w.set_language("/market", Some("en"))?;
            w.add("/", "Secret", data(json!({"title": "Geheim"})))?;
            w.set_language("/geheim", Some("nl"))?;
            Ok(())
        })
        .unwrap();
    t
}

async fn get(app: &axum::Router, uri: &str, headers: &[(&str, &str)]) -> Answer {
    request(app, "GET", uri, headers, "").await
}

fn html_lang(a: &Answer) -> &str {
    a.body
        .split("<html lang=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("")
}

#[test]
fn every_core_message_exists_in_every_language() {
    let languages: Vec<String> = beffroi::config::LANGUAGES
        .iter()
        .map(|l| l.to_string())
        .collect();
    let check = check_catalogs(&[&CoreModule], &languages);
    assert!(check.is_complete(), "incomplete catalogs:\n{check}");
}

#[test]
fn the_check_finds_missing_extra_and_unknown_keys() {
    struct Sloppy;
    impl Module for Sloppy {
        fn manifest(&self) -> Manifest {
            Manifest {
                name: "sloppy",
                translations: &[
                    ("en", "sloppy-a = A\nsloppy-b = B\n"),
                    ("fr", "sloppy-a = A\nsloppy-c = C\n"),
                ],
                templates: &[("sloppy/x.html", "{{ t(key=\"sloppy-zzz\") }}")],
                ..Manifest::EMPTY
            }
        }
    }
    static SLOPPY: Sloppy = Sloppy;
    let check = check_catalogs(&[&CoreModule, &SLOPPY], &["fr".into(), "nl".into()]);
    assert!(!check.is_complete());
    let fr = check
        .gaps
        .iter()
        .find(|g| g.module == "sloppy" && g.language == "fr")
        .unwrap();
    assert_eq!(fr.missing, vec!["sloppy-b"]);
    assert_eq!(fr.extra, vec!["sloppy-c"]);
    let nl = check
        .gaps
        .iter()
        .find(|g| g.module == "sloppy" && g.language == "nl")
        .unwrap();
    assert_eq!(nl.missing, vec!["sloppy-a", "sloppy-b"]);
    assert_eq!(check.unknown.len(), 1);
    assert_eq!(check.unknown[0].key, "sloppy-zzz");
    assert!(check.to_string().contains("sloppy-zzz"));
}

#[tokio::test]
async fn the_language_comes_from_the_choice_then_the_user_then_the_browser() {
    let t = translated();
    let app = serve(&t);
    // Nothing said: the site's default.
    assert_eq!(html_lang(&get(&app, "/", &[]).await), "fr");
    // The browser's wish, among the site's languages.
    let r = get(
        &app,
        "/",
        &[("accept-language", "de-DE, nl;q=0.8, en;q=0.5")],
    )
    .await;
    assert_eq!(html_lang(&r), "nl");
    // A logged-in user's stored language beats the browser.
    let nora = basic("nora");
    let r = get(
        &app,
        "/",
        &[("accept-language", "en"), ("authorization", &nora)],
    )
    .await;
    assert_eq!(html_lang(&r), "nl");
    // The explicit choice beats both.
    let r = get(
        &app,
        "/",
        &[
            ("accept-language", "nl"),
            ("authorization", &nora),
            ("cookie", "I18N_LANGUAGE=en"),
        ],
    )
    .await;
    assert_eq!(html_lang(&r), "en");
    // A choice the site does not offer is passed over.
    let r = get(
        &app,
        "/",
        &[("accept-language", "nl"), ("cookie", "I18N_LANGUAGE=ja")],
    )
    .await;
    assert_eq!(html_lang(&r), "nl");
    // Strings follow the language, and caches are told the cookie counts.
    let r = get(&app, "/", &[("cookie", "I18N_LANGUAGE=nl")]).await;
    assert!(r.body.contains("Naar de inhoud"), "{}", r.body);
    assert_eq!(r.headers["content-language"], "nl");
    assert!(r.headers["vary"].to_str().unwrap().contains("Cookie"));
}

#[tokio::test]
async fn the_switcher_remembers_the_choice_and_goes_to_the_translation() {
    let t = translated();
    let app = serve(&t);
    let r = get(
        &app,
        "/@@set-language?lang=nl&came_from=http%3A%2F%2Ftown.test%2Factualites",
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers["location"], "http://town.test/nieuws");
    assert_eq!(r.cookie("I18N_LANGUAGE").as_deref(), Some("nl"));
    // An untranslated page: the nearest translated container.
    let r = get(
        &app,
        "/@@set-language?lang=nl&came_from=/actualites/fete",
        &[],
    )
    .await;
    assert_eq!(r.headers["location"], "http://town.test/nieuws");
    // Nothing translated on the way: the site root.
    let r = get(&app, "/@@set-language?lang=nl&came_from=/market", &[]).await;
    assert_eq!(r.headers["location"], "http://town.test/");
    // A page already in the language stays, query included.
    let r = get(
        &app,
        "/@@set-language?lang=fr&came_from=/actualites%3Fb_start%3D0",
        &[],
    )
    .await;
    assert_eq!(
        r.headers["location"],
        "http://town.test/actualites?b_start=0"
    );
    // Another site's address is never followed.
    for foreign in [
        "https%3A%2F%2Fevil.example%2F",
        "%2F%2Fevil.example%2Fx",
        "http%3A%2F%2Ftown.test.evil.example%2F",
        "%2F%5Cevil.example",
        "javascript%3Aalert(1)",
    ] {
        let r = get(
            &app,
            &format!("/@@set-language?lang=en&came_from={foreign}"),
            &[],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{foreign}");
        assert_eq!(r.headers["location"], "http://town.test/", "{foreign}");
    }
    // Only the site's languages.
    let r = get(&app, "/@@set-language?lang=ja&came_from=/", &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.cookie("I18N_LANGUAGE").is_none());
    let r = get(&app, "/@@set-language", &[JSON]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["type"], "BadRequest");
}

#[tokio::test]
async fn pages_offer_the_switcher_and_their_translations() {
    let t = translated();
    let app = serve(&t);
    let r = get(&app, "/actualites", &[]).await;
    let body = &r.body;
    assert!(
        body.contains("<link rel=\"alternate\" hreflang=\"nl\" href=\"http://town.test/nieuws\">"),
        "{body}"
    );
    assert!(body
        .contains("<link rel=\"alternate\" hreflang=\"fr\" href=\"http://town.test/actualites\">"));
    assert!(body.contains("<nav class=\"language-switcher\" aria-label=\"Langue\">"));
    assert!(body.contains(
        "href=\"http://town.test/@@set-language?lang=nl&amp;came_from=http%3A%2F%2Ftown.test%2Fnieuws\" hreflang=\"nl\" lang=\"nl\">Nederlands</a>"
    ), "{body}");
    assert!(body.contains("hreflang=\"fr\" lang=\"fr\" aria-current=\"true\">Français</a>"));
    // Read with a Dutch interface, the French content says it is French.
    let r = get(&app, "/actualites/marche", &[("accept-language", "nl")]).await;
    assert!(r.body.contains("<html lang=\"nl\""));
    assert!(r.body.contains("<article lang=\"fr\">"), "{}", r.body);
    let r = get(&app, "/actualites", &[("accept-language", "nl")]).await;
    assert!(
        r.body.contains("<div class=\"folder\" lang=\"fr\">"),
        "{}",
        r.body
    );
    let r = get(&app, "/actualites/marche", &[]).await;
    assert!(r.body.contains("<article>"));
    // A page without translations has no alternates.
    let r = get(&app, "/market", &[]).await;
    assert!(!r.body.contains("rel=\"alternate\""));
}

#[tokio::test]
async fn translations_are_listed_linked_and_unlinked_over_the_api() {
    let t = translated();
    let app = serve(&t);
    let edith = basic("edith");
    let r = get(&app, "/actualites/@translations", &[JSON]).await;
    assert_eq!(r.status, StatusCode::OK);
    insta::assert_json_snapshot!("translations_get", r.json());

    // Link the French page and the Dutch one, by address.
    let r = request(
        &app,
        "POST",
        "/actualites/marche/@translations",
        &[JSON, SEND_JSON, ("authorization", &edith)],
        r#"{"id": "http://town.test/nieuws/markt"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.headers["location"], "http://town.test/nieuws/markt");
    assert_eq!(r.json()["language"], "nl");
    // By uid and by path too: the English page joins the group.
    let uid = t.site.get("/market").unwrap().unwrap().uid;
    let r = request(
        &app,
        "POST",
        "/nieuws/markt/@translations",
        &[JSON, SEND_JSON, ("authorization", &edith)],
        &format!(r#"{{"id": "{uid}"}}"#),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = get(&app, "/actualites/marche/@translations", &[JSON]).await;
    let listed = r.json();
    let langs: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["language"].as_str().unwrap())
        .collect();
    assert_eq!(langs, vec!["en", "nl"]);

    // A second French page cannot join: French is taken.
    let r = request(
        &app,
        "POST",
        "/actualites/marche/@translations",
        &[JSON, SEND_JSON, ("authorization", &edith)],
        r#"{"id": "/actualites/fete"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.json()["message"].as_str().unwrap().contains("`fr`"));
    insta::assert_json_snapshot!("translations_same_language", r.json());
    // Unknown targets, missing or malformed ids, malformed JSON.
    for body in [
        r#"{"id": "/nowhere"}"#,
        r#"{"id": "https://evil.example/nieuws"}"#,
        r#"{"id": ""}"#,
        r#"{"id": 12}"#,
        r#"{}"#,
        "{not json",
    ] {
        let r = request(
            &app,
            "POST",
            "/actualites/fete/@translations",
            &[JSON, SEND_JSON, ("authorization", &edith)],
            body,
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.body);
        assert_eq!(r.json()["type"], "BadRequest");
    }
    // An unknown source is 404.
    let r = request(
        &app,
        "POST",
        "/nowhere/@translations",
        &[JSON, SEND_JSON, ("authorization", &edith)],
        r#"{"id": "/market"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Visitors and users without the right to modify cannot link.
    let r = request(
        &app,
        "POST",
        "/actualites/fete/@translations",
        &[JSON, SEND_JSON],
        r#"{"id": "/nieuws"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = request(
        &app,
        "POST",
        "/actualites/fete/@translations",
        &[JSON, SEND_JSON, ("authorization", &basic("nora"))],
        r#"{"id": "/nieuws"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Unlink English.
    let r = request(
        &app,
        "DELETE",
        "/actualites/marche/@translations",
        &[JSON, SEND_JSON, ("authorization", &edith)],
        r#"{"language": "en"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = get(&app, "/market/@translations", &[JSON]).await;
    assert_eq!(r.json()["items"], json!([]));
    for body in [r#"{"language": "en"}"#, r#"{"language": "es"}"#, "{}"] {
        let r = request(
            &app,
            "DELETE",
            "/actualites/marche/@translations",
            &[JSON, SEND_JSON, ("authorization", &edith)],
            body,
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
    }
    let r = request(
        &app,
        "DELETE",
        "/actualites/marche/@translations",
        &[JSON, SEND_JSON],
        r#"{"language": "nl"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_translation_the_reader_may_not_view_is_not_named() {
    let t = translated();
    t.site
        .write(&admin(), |w| {
            w.add("/", "Secret", data(json!({"title": "Secret FR"})))?;
            w.link_translation("/secret-fr", "/geheim")
        })
        .unwrap();
    let app = serve(&t);
    // Anonymous: the Dutch page is private, so it is not found.
    let r = get(&app, "/geheim/@translations", &[JSON]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = get(
        &app,
        "/geheim/@translations",
        &[JSON, ("authorization", &basic("edith"))],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["items"][0]["@id"], "http://town.test/secret-fr");
    // A public page linked to a private one shows no link to visitors.
    t.site
        .write(&admin(), |w| {
            w.add("/", "Page", data(json!({"title": "Public EN"})))?;
            w.set_language("/public-en", Some("en"))?;
            w.link_translation("/public-en", "/geheim")
        })
        .unwrap();
    let r = get(&app, "/public-en/@translations", &[JSON]).await;
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 0, "{}", r.body);
    let r = get(&app, "/public-en", &[]).await;
    assert!(!r.body.contains("geheim"));
}

#[tokio::test]
async fn the_locator_finds_the_nearest_translation() {
    let t = translated();
    let app = serve(&t);
    let locate =
        |path: &str, lang: &str| format!("{path}/@translation-locator?target_language={lang}");
    let r = get(&app, &locate("/actualites", "nl"), &[JSON]).await;
    assert_eq!(r.json()["@id"], "http://town.test/nieuws");
    let r = get(&app, &locate("/actualites/fete", "nl"), &[JSON]).await;
    assert_eq!(r.json()["@id"], "http://town.test/nieuws");
    let r = get(&app, &locate("/market", "nl"), &[JSON]).await;
    assert_eq!(r.json()["@id"], "http://town.test");
    let r = get(&app, &locate("/market", "en"), &[JSON]).await;
    assert_eq!(r.json()["@id"], "http://town.test/market");
    let r = get(&app, &locate("/market", "ja"), &[JSON]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = get(&app, "/market/@translation-locator", &[JSON]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = get(&app, &locate("/nowhere", "nl"), &[JSON]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[test]
fn links_follow_moves_and_go_with_deletions() {
    let t = translated();
    let s = &t.site;
    let nl = s.get("/nieuws").unwrap().unwrap();
    s.write(&admin(), |w| {
        w.add("/", "Folder", data(json!({"title": "Archief"})))?;
        w.move_to("/nieuws", "/archief")?;
        Ok(())
    })
    .unwrap();
    let group = s
        .translation_group(&s.get("/actualites").unwrap().unwrap().uid)
        .unwrap();
    assert_eq!(group.get("nl"), Some(&nl.uid));
    let who = admin();
    let fr = s.get("/actualites").unwrap().unwrap();
    let found = s.reader(&who).locate_translation(&fr, "nl").unwrap();
    assert_eq!(found.path, "/archief/nieuws");
    // Deleting the Dutch folder takes it out of the group.
    s.delete(&admin(), "/archief", None).unwrap();
    assert!(s.translation_group(&fr.uid).unwrap().is_empty());
    assert!(s.translation_group(&nl.uid).unwrap().is_empty());
}

#[test]
fn a_group_holds_one_item_per_language() {
    let t = translated();
    let s = &t.site;
    // Changing the language to one the group has is refused.
    let err = s
        .write(&admin(), |w| w.set_language("/nieuws", Some("fr")))
        .unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err}");
    // Not a language of the site.
    let err = s
        .write(&admin(), |w| w.set_language("/market", Some("es")))
        .unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err}");
    // An item is not its own translation, nor linked twice.
    let err = s
        .write(&admin(), |w| w.link_translation("/market", "/market"))
        .unwrap_err();
    assert!(matches!(err, Error::Invalid(_)));
    let err = s
        .write(&admin(), |w| w.link_translation("/nieuws", "/actualites"))
        .unwrap_err();
    assert!(matches!(err, Error::Invalid(_)));
    // Changing to a free language moves its place in the group.
    s.write(&admin(), |w| {
        w.set_language("/nieuws", Some("en")).map(drop)
    })
    .unwrap();
    let fr = s.get("/actualites").unwrap().unwrap();
    let group = s.translation_group(&fr.uid).unwrap();
    assert_eq!(group.keys().collect::<Vec<_>>(), vec!["en", "fr"]);
    // The item's language shows in the API.
    let item = s.get("/nieuws").unwrap().unwrap();
    assert_eq!(item.language.as_deref(), Some("en"));
}

#[test]
fn dates_and_numbers_are_written_per_language() {
    let t = town();
    let cat = t.site.renderer().catalog();
    let day = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let long = |l: &str| cat.format_date(l, day, DateStyle::Long);
    assert_eq!(long("fr"), "27 novembre 2026");
    assert_eq!(long("nl"), "27 november 2026");
    assert_eq!(long("en"), "27 November 2026");
    // The town offers fr, en, nl: other languages come from a site that has them.
    let all = crate::common::SITE_TOML.replace(
        "languages = [\"fr\", \"en\", \"nl\"]",
        "languages = [\"fr\", \"en\", \"nl\", \"de\", \"es\"]",
    );
    let dir = tempfile::tempdir().unwrap();
    let site = open_site(dir.path(), &all, &registry(&[])).unwrap();
    let cat = site.renderer().catalog();
    assert_eq!(
        cat.format_date("de", day, DateStyle::Long),
        "27. November 2026"
    );
    assert_eq!(
        cat.format_date("es", day, DateStyle::Long),
        "27 de noviembre de 2026"
    );
    assert_eq!(
        cat.format_date("fr", day, DateStyle::Full),
        "vendredi 27 novembre 2026"
    );
    assert_eq!(
        cat.format_date("de", day, DateStyle::Full),
        "Freitag, 27. November 2026"
    );
    assert_eq!(cat.format_date("nl", day, DateStyle::Short), "27-11-2026");
    assert_eq!(cat.format_date("de", day, DateStyle::Short), "27.11.2026");
    assert_eq!(
        cat.format_date_value("fr", "2026-11-27T14:05:00+01:00", DateStyle::Long),
        "27 novembre 2026 à 14:05"
    );
    assert_eq!(
        cat.format_date_value("en", "not a date", DateStyle::Long),
        "not a date"
    );
    assert_eq!(cat.format_number("fr", "1234.5"), "1\u{202f}234,5");
    assert_eq!(cat.format_number("nl", "-1234567.25"), "-1.234.567,25");
    assert_eq!(cat.format_number("de", "12.5"), "12,5");
    assert_eq!(cat.format_number("en", "1234.5"), "1,234.5");
    assert_eq!(cat.format_number("es", "1234"), "1234");
    assert_eq!(cat.format_number("es", "12345,6"), "12345,6");
    assert_eq!(cat.format_number("es", "12345.6"), "12.345,6");
    assert_eq!(cat.format_number("en", "7"), "7");
}

#[tokio::test]
async fn pages_show_dates_and_numbers_in_the_page_language() {
    let t = town();
    t.site
        .add(
            &admin(),
            "/",
            "Page",
            data(json!({"title": "Marché", "day": "2026-11-27", "price": 1234.5})),
        )
        .unwrap();
    let app = serve(&t);
    let fr = get(&app, "/marche", &[]).await;
    assert!(fr.body.contains("27 novembre 2026"), "{}", fr.body);
    assert!(fr.body.contains("1\u{202f}234,5"), "{}", fr.body);
    let en = get(&app, "/marche", &[("accept-language", "en")]).await;
    assert!(en.body.contains("27 November 2026"), "{}", en.body);
    assert!(en.body.contains("1,234.5"));
    // The byline's date too.
    let today = chrono::Utc::now().date_naive();
    let cat = t.site.renderer().catalog();
    let byline = cat.format_date("nl", today, DateStyle::Long);
    let nl = get(&app, "/marche", &[("accept-language", "nl")]).await;
    assert!(nl.body.contains(&byline), "{}", nl.body);
}

#[tokio::test]
async fn a_theme_brings_its_stylesheet_and_logo_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let theme = dir.path().join("theme/static");
    std::fs::create_dir_all(theme.join("img")).unwrap();
    std::fs::write(theme.join("style.css"), "body { color: #123456; }").unwrap();
    std::fs::write(
        theme.join("logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .unwrap();
    std::fs::write(theme.join("img/flag.png"), [137u8, 80, 78, 71]).unwrap();
    std::fs::write(theme.join(".secret.css"), "hidden").unwrap();
    std::fs::write(theme.join("notes.txt"), "not served").unwrap();
    std::fs::write(dir.path().join("outside.css"), "outside").unwrap();
    let toml = crate::common::SITE_TOML.replace(
        "[modules.testing]\n",
        "theme = \"theme\"\n[modules.testing]\n",
    );
    let site = open_site(dir.path(), &toml, &registry(&[])).unwrap();
    site.create(Some("Hotel-de-ville-2026")).unwrap();
    let app = app(Arc::new(Sites::new(vec![Arc::new(site)]).unwrap()));
    let r = get(&app, "/", &[]).await;
    assert!(
        r.body
            .contains("<link rel=\"stylesheet\" href=\"/++theme++/style.css\">"),
        "{}",
        r.body
    );
    assert!(r.body.contains("src=\"/++theme++/logo.svg\""));
    let css = get(&app, "/++theme++/style.css", &[]).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.headers["content-type"], "text/css; charset=utf-8");
    assert!(css.body.contains("#123456"));
    let svg = get(&app, "/++theme++/logo.svg", &[]).await;
    assert_eq!(svg.headers["content-type"], "image/svg+xml");
    assert_eq!(svg.headers["x-content-type-options"], "nosniff");
    assert_eq!(
        get(&app, "/++theme++/img/flag.png", &[]).await.status,
        StatusCode::OK
    );
    for trick in [
        "/++theme++/../outside.css",
        "/++theme++/%2e%2e/outside.css",
        "/++theme++/img/../../outside.css",
        "/++theme++/.secret.css",
        "/++theme++/notes.txt",
        "/++theme++/",
        "/++theme++/nothing.css",
        "/++theme++//etc/passwd",
        "/++theme++/..%2Foutside.css",
    ] {
        let r = get(&app, trick, &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{trick}");
        assert!(
            !r.body.contains("outside") && !r.body.contains("hidden"),
            "{trick}"
        );
    }
    // A site without a theme links no theme files.
    let plain = town();
    let r = get(&serve(&plain), "/", &[]).await;
    assert!(!r.body.contains("++theme++"));
    let r = get(&serve(&plain), "/++theme++/style.css", &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn pages_list_the_other_languages() {
    let t = translated();
    t.site
        .write(&admin(), |w| {
            w.link_translation("/actualites/marche", "/nieuws/markt")
        })
        .unwrap();
    let app = serve(&t);
    let r = get(&app, "/actualites/marche", &[]).await;
    assert!(
        r.body
            .contains("<h2 id=\"translations-heading\">Cette page dans d’autres langues</h2>"),
        "{}",
        r.body
    );
    assert!(r.body.contains(
        "<li><a href=\"http://town.test/nieuws/markt\" hreflang=\"nl\" lang=\"nl\">Nederlands</a></li>"
    ));
    // Not itself, and nothing on a page without translations.
    assert!(!r
        .body
        .contains("hreflang=\"fr\" lang=\"fr\">Français</a></li>\n    </ul>\n  </aside>"));
    let r = get(&app, "/actualites/fete", &[]).await;
    assert!(!r.body.contains("translations-heading"));
}

#[tokio::test]
async fn templates_format_dates_and_numbers_with_filters() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("theme")).unwrap();
    std::fs::write(
        dir.path().join("theme/item_view.html"),
        "{% extends \"base.html\" %}{% block content %}\
         <p id=\"d\">{{ item.day | date }}</p>\
         <p id=\"s\">{{ item.day | date(style=\"short\") }}</p>\
         <p id=\"f\">{{ item.day | date(lang=\"de\", style=\"full\") }}</p>\
         <p id=\"n\">{{ item.price | number }}</p>\
         {% endblock content %}",
    )
    .unwrap();
    let toml = crate::common::SITE_TOML.replace(
        "[modules.testing]\n",
        "theme = \"theme\"\n[modules.testing]\n",
    );
    let toml = toml.replace(
        "[\"fr\", \"en\", \"nl\"]",
        "[\"fr\", \"en\", \"nl\", \"de\"]",
    );
    let site = open_site(dir.path(), &toml, &registry(&[])).unwrap();
    site.create(Some("Hotel-de-ville-2026")).unwrap();
    site.add(
        &admin(),
        "/",
        "Page",
        data(json!({"title": "Foire", "day": "2026-11-27", "price": 98765.25})),
    )
    .unwrap();
    let app = app(Arc::new(Sites::new(vec![Arc::new(site)]).unwrap()));
    let fr = get(&app, "/foire", &[]).await;
    assert!(
        fr.body.contains("<p id=\"d\">27 novembre 2026</p>"),
        "{}",
        fr.body
    );
    assert!(fr.body.contains("<p id=\"s\">27/11/2026</p>"));
    assert!(fr
        .body
        .contains("<p id=\"f\">Freitag, 27. November 2026</p>"));
    assert!(fr.body.contains("<p id=\"n\">98\u{202f}765,25</p>"));
    let nl = get(&app, "/foire", &[("accept-language", "nl")]).await;
    assert!(
        nl.body.contains("<p id=\"d\">27 november 2026</p>"),
        "{}",
        nl.body
    );
    assert!(nl.body.contains("<p id=\"s\">27-11-2026</p>"));
    assert!(nl.body.contains("<p id=\"n\">98.765,25</p>"));
}

#[test]
fn an_export_keeps_the_translation_links() {
    let t = translated();
    let out = t.dir.path().join("export");
    beffroi::export::export_site(&t.site, &admin(), &out, &mut |_, _| {}).unwrap();
    let other = tempfile::tempdir().unwrap();
    let copy = open_site(other.path(), crate::common::SITE_TOML, &registry(&[])).unwrap();
    beffroi::export::import_site(&copy, &out, &mut |_, _| {}).unwrap();
    let fr = copy.get("/actualites").unwrap().unwrap();
    let nl = copy.get("/nieuws").unwrap().unwrap();
    let group = copy.translation_group(&fr.uid).unwrap();
    assert_eq!(group.get("nl"), Some(&nl.uid));
    assert_eq!(nl.language.as_deref(), Some("nl"));
}

#[tokio::test]
async fn the_site_setup_chooses_a_theme_for_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    for (folder, colour) in [("theme", "#123456"), ("themes/winter", "#0a3d62")] {
        let s = dir.path().join(folder).join("static");
        std::fs::create_dir_all(&s).unwrap();
        std::fs::write(s.join("style.css"), format!("body {{ color: {colour}; }}")).unwrap();
    }
    let toml = crate::common::SITE_TOML.replace(
        "[modules.testing]\n",
        "theme = \"theme\"\n[themes]\nwinter = \"themes/winter\"\n[modules.testing]\n",
    );
    let css_after_start = |choice: Option<&str>| {
        let toml = toml.clone();
        let dir = dir.path().to_owned();
        let choice = choice.map(str::to_owned);
        async move {
            let site = open_site(&dir, &toml, &registry(&[])).unwrap();
            site.create(Some("Hotel-de-ville-2026")).unwrap();
            if let Some(choice) = choice {
                let change = beffroi::settings::SettingsChange {
                    theme: Some(choice),
                    ..Default::default()
                };
                site.write(&admin(), |w| w.set_settings(&change)).unwrap();
            }
            drop(site);
            let site = open_site(&dir, &toml, &registry(&[])).unwrap();
            let app = app(Arc::new(Sites::new(vec![Arc::new(site)]).unwrap()));
            let home = get(&app, "/", &[]).await;
            let css = get(&app, "/++theme++/style.css", &[]).await;
            (home.body.contains("/++theme++/style.css"), css.body)
        }
    };
    let (linked, css) = css_after_start(None).await;
    assert!(linked);
    assert!(css.contains("#123456"), "{css}");
    let (linked, css) = css_after_start(Some("winter")).await;
    assert!(linked);
    assert!(css.contains("#0a3d62"), "{css}");
    let (linked, _) = css_after_start(Some("default")).await;
    assert!(!linked, "the core's own look links no theme stylesheet");

    // A name site.toml does not declare is refused, naming the choices.
    let site = open_site(dir.path(), &toml, &registry(&[])).unwrap();
    let change = beffroi::settings::SettingsChange {
        theme: Some("summer".into()),
        ..Default::default()
    };
    let err = site
        .write(&admin(), |w| w.set_settings(&change))
        .unwrap_err();
    assert!(err.to_string().contains("winter"), "{err}");
}
