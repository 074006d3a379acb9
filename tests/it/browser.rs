//! Pages in a real headless Chromium. `.ci/run` installs Chromium and sets
//! `BEFFROI_REQUIRE_BROWSER=1`, so there a missing browser fails the run; on
//! a developer's machine without Chromium these tests say so and pass.

use std::path::PathBuf;
use std::process::Command;

use crate::harness::serve;

fn chromium() -> Option<PathBuf> {
    let found = [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var("BEFFROI_REQUIRE_BROWSER").is_err(),
            "BEFFROI_REQUIRE_BROWSER is set but no Chromium was found"
        );
        eprintln!("note: no Chromium found; browser tests skipped (install the `chromium` package to run them)");
    }
    found
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
