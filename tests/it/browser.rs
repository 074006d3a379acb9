//! Pages in a real headless Chromium. `.ci/run` installs Chromium and sets
//! `BEFFROI_REQUIRE_BROWSER=1`, so there a missing browser fails the run; on
//! a developer's machine without Chromium these tests say so and pass.

use std::path::PathBuf;
use std::process::Command;

use crate::harness::serve;
use crate::webdriver::{self, Browser, Options};

fn chromium() -> Option<PathBuf> {
    match webdriver::chromium() {
        Some(p) => Some(p),
        None => webdriver::missing("Chromium", "install the `chromium` package"),
    }
}

fn dump_dom(browser: &PathBuf, url: &str, lang: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--lang={lang}"),
            &format!("--accept-lang={lang}"),
            &format!("--user-data-dir={}", profile.path().display()),
            "--dump-dom",
            url,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn pages_render_in_chromium_with_their_landmarks() {
    let Some(browser) = chromium() else { return };
    let data = tempfile::tempdir().unwrap();
    let server = serve(data.path());
    let dom = dump_dom(
        &browser,
        &format!("{}/agenda/conseil-communal", server.url),
        "fr",
    );
    assert!(dom.contains("<h1>Conseil communal</h1>"), "{dom}");
    assert!(
        dom.contains("<main id=\"content\""),
        "a main landmark the skip link targets"
    );
    assert!(dom.contains("href=\"#content\""), "a skip link");
    assert!(
        dom.contains("aria-label=\"Fil d'Ariane\"") || dom.contains("aria-label=\"Vous êtes ici\""),
        "{dom}"
    );
    assert!(
        dom.contains("aria-current=\"page\""),
        "the current page is marked"
    );
    assert!(dom.contains("Grand-Place, 5060 Sambreville"));
    // Nothing the page needs comes from outside: every stylesheet and script is ours.
    for attr in ["src=\"http", "href=\"https://cdn", "//fonts."] {
        assert!(!dom.contains(attr), "outside resource: {attr}");
    }
}

#[test]
fn the_login_page_is_translated_labelled_and_protected() {
    let Some(browser) = chromium() else { return };
    let data = tempfile::tempdir().unwrap();
    let server = serve(data.path());
    let dom = dump_dom(&browser, &format!("{}/@@login", server.url), "nl");
    assert!(dom.contains("<html lang=\"nl\""), "{dom}");
    assert!(dom.contains("<h1>Aanmelden</h1>"), "{dom}");
    // Every field has its label, and the form carries a CSRF token.
    assert!(
        dom.contains("<label for=\"login\">Gebruikersnaam</label>"),
        "{dom}"
    );
    assert!(
        dom.contains("<label for=\"password\">Wachtwoord</label>"),
        "{dom}"
    );
    assert!(dom.contains("autocomplete=\"current-password\""));
    let token = dom
        .split("name=\"_authenticator\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("");
    assert_eq!(token.len(), 64, "{dom}");
    // A private address answers 404 and offers the login.
    let dom = dump_dom(&browser, &format!("{}/nothing-here", server.url), "fr");
    assert!(dom.contains("/@@login?came_from="), "{dom}");
    assert!(
        dom.contains("Se connecter") || dom.contains("Connexion"),
        "{dom}"
    );
}

#[test]
fn webdriver_drives_a_page_forms_and_scripts() {
    let data = tempfile::tempdir().unwrap();
    let server = serve(data.path());
    let Some(browser) = Browser::start(&Options {
        lang: Some("nl".into()),
        ..Options::default()
    }) else {
        return;
    };
    browser.goto(&format!("{}/@@login", server.url));
    assert!(browser.current_url().ends_with("/@@login"));
    assert_eq!(browser.find("h1").text(), "Aanmelden");
    assert_eq!(
        browser.find("#login").attr("autocomplete").as_deref(),
        Some("username")
    );
    let field = browser.find("#login");
    field.send_keys("someone");
    assert_eq!(
        browser.execute("return document.getElementById('login').value;", &[]),
        serde_json::json!("someone")
    );
    field.clear();
    assert_eq!(
        browser.execute("return document.getElementById('login').value;", &[]),
        serde_json::json!("")
    );
    browser.set_script_timeout(std::time::Duration::from_secs(30));
    let sum = browser.execute_async(
        "const done = arguments[arguments.length - 1]; setTimeout(() => done(arguments[0] + 1), 10);",
        &[serde_json::json!(41)],
    );
    assert_eq!(sum, serde_json::json!(42));
    assert!(browser.try_find("#no-such-element").is_none());
    assert!(!browser.find_all("label").is_empty());
    // A wrong password keeps the visitor on the login page with an error.
    browser.find("#login").send_keys("admin");
    browser.find("#password").send_keys("not-the-password");
    browser.find("button[type=submit]").click();
    assert!(
        browser.find(".error").text().len() > 3,
        "{}",
        browser.source()
    );
}
