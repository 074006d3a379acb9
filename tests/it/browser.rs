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
    assert_eq!(browser.title(), "Aanmelden — Ville de Sambreville");
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
    assert_eq!(field.property("value"), serde_json::json!("someone"));
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

fn html_lang(browser: &Browser) -> String {
    browser
        .execute("return document.documentElement.lang;", &[])
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn the_language_switcher_changes_the_page_and_finds_the_translation() {
    let data = tempfile::tempdir().unwrap();
    let server = serve(data.path());
    let Some(browser) = Browser::start(&Options {
        lang: Some("fr".into()),
        ..Options::default()
    }) else {
        return;
    };
    browser.goto(&format!("{}/accueil", server.url));
    assert_eq!(html_lang(&browser), "fr");
    assert_eq!(
        browser.find(".skip-link").attr("href").as_deref(),
        Some("#content")
    );
    let current = browser.find(".language-switcher a[aria-current]");
    assert_eq!(current.attr("hreflang").as_deref(), Some("fr"));
    assert_eq!(current.text(), "Français");

    // To Dutch: the Dutch translation of the page, in Dutch.
    let dutch = browser.find(".language-switcher a[hreflang=nl]");
    assert_eq!(dutch.attr("lang").as_deref(), Some("nl"));
    dutch.click();
    assert_eq!(browser.current_url(), format!("{}/nl/welkom", server.url));
    assert_eq!(html_lang(&browser), "nl");
    assert_eq!(browser.find("h1").text(), "Welkom in Sambreville");
    assert_eq!(
        browser
            .find("nav.language-switcher")
            .attr("aria-label")
            .as_deref(),
        Some("Taal")
    );
    assert_eq!(
        browser
            .find(".language-switcher a[aria-current]")
            .attr("hreflang")
            .as_deref(),
        Some("nl")
    );
    // The choice stays: an untranslated page now speaks Dutch around its content.
    browser.goto(&format!("{}/services-communaux", server.url));
    assert_eq!(html_lang(&browser), "nl");
    assert!(browser.source().contains("Naar de inhoud"));

    // To German from an untranslated page: the German language folder.
    browser.find(".language-switcher a[hreflang=de]").click();
    assert_eq!(browser.current_url(), format!("{}/de", server.url));
    assert_eq!(html_lang(&browser), "de");
    assert_eq!(
        browser.execute(
            "return document.querySelector('.skip-link').textContent;",
            &[]
        ),
        serde_json::json!("Zum Inhalt springen")
    );

    // Back to French from the German page: the French original.
    browser.goto(&format!("{}/de/bevoelkerung-und-standesamt", server.url));
    browser.find(".language-switcher a[hreflang=fr]").click();
    assert_eq!(
        browser.current_url(),
        format!("{}/services-communaux/population-et-etat-civil", server.url)
    );
    assert_eq!(html_lang(&browser), "fr");
}

/// axe-core's script: `BEFFROI_AXE_JS`, else where `.ci/run` caches it.
fn axe_js() -> Option<String> {
    let mut candidates = Vec::new();
    if let Ok(p) = std::env::var("BEFFROI_AXE_JS") {
        candidates.push(PathBuf::from(p));
    }
    let cache = std::env::var("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .ok()
        .or_else(|| {
            std::env::var("HOME")
                .ok()
                .map(|h| PathBuf::from(h).join(".cache"))
        });
    if let Some(c) = cache {
        candidates.push(c.join("beffroi/axe-core/package/axe.min.js"));
    }
    match candidates.iter().find(|p| p.is_file()) {
        Some(p) => std::fs::read_to_string(p).ok(),
        None => webdriver::missing(
            "axe-core",
            "run .ci/run once, or set BEFFROI_AXE_JS to axe.min.js",
        ),
    }
}

/// Runs axe-core on the page shown and returns its violations.
fn axe_violations(browser: &Browser, axe: &str) -> Vec<serde_json::Value> {
    let kind = browser.execute(&format!("{axe}\n;return typeof axe;"), &[]);
    assert_eq!(kind, serde_json::json!("object"), "axe-core did not load");
    let result = browser.execute_async(
        "const done = arguments[arguments.length - 1];
         axe.run(document, { resultTypes: ['violations'] })
           .then(r => done({
               rules: r.passes.length + r.violations.length + r.incomplete.length,
               violations: r.violations.map(v => ({
                   id: v.id, impact: v.impact, help: v.help,
                   targets: v.nodes.map(n => n.target.join(' ')) })) }))
           .catch(e => done({ error: String(e) }));",
        &[],
    );
    assert!(result.get("error").is_none(), "axe-core failed: {result}");
    // A run that checked nothing would prove nothing.
    assert!(result["rules"].as_u64().unwrap_or(0) > 10, "{result}");
    result["violations"].as_array().cloned().unwrap_or_default()
}

#[test]
fn the_main_pages_have_no_serious_accessibility_violations() {
    let data = tempfile::tempdir().unwrap();
    let server = serve(data.path());
    let Some(axe) = axe_js() else { return };
    let Some(browser) = Browser::start(&Options::default()) else {
        return;
    };
    browser.set_script_timeout(std::time::Duration::from_secs(120));
    let mut pages: Vec<String> = [
        "/",
        "/services-communaux",
        "/services-communaux/population-et-etat-civil",
        "/agenda/conseil-communal",
        "/actualites",
        "/nl/welkom",
        "/@@login",
        "/nothing-here",
        "/vie-communale",
        "/vie-communale/le-conseil-communal",
        "/demarches/demander-un-permis-d-urbanisme",
        "/tourisme/balades",
        "/agenda/foire-agricole-de-tamines",
        "/agenda/marche-hebdomadaire-d-auvelais",
        "/agenda/@@events",
        "/actualites/@@news",
        "/@@search?SearchableText=march%C3%A9",
        "/@@topic/sports",
    ]
    .iter()
    .map(|p| p.to_string())
    .collect();
    let mut failures = Vec::new();
    let mut check = |browser: &Browser, page: &str| {
        browser.goto(&format!("{}{page}", server.url));
        let violations = axe_violations(browser, &axe);
        println!("{page}: {} violation(s)", violations.len());
        for v in violations {
            let impact = v["impact"].as_str().unwrap_or("");
            println!(
                "{page}: {} ({impact}) {} at {}",
                v["id"], v["help"], v["targets"]
            );
            if impact == "serious" || impact == "critical" {
                failures.push(format!(
                    "{page}: {} ({impact}) at {}",
                    v["id"], v["targets"]
                ));
            }
        }
    };
    for page in &pages {
        check(&browser, page);
    }
    // Logged in: the same pages with the user menu and workflow menu, and
    // the editing pages where this build has them.
    browser.goto(&format!("{}/@@login", server.url));
    browser.find("#login").send_keys("admin");
    browser.find("#password").send_keys("Demo-password-2026");
    browser.find("form.login-form button[type=submit]").click();
    browser.goto(&format!("{}/", server.url));
    assert!(
        browser.try_find("form[action$='@@logout']").is_some(),
        "logging in failed: {}",
        browser.source()
    );
    pages.retain(|p| p != "/@@login");
    let auth = reqwest::blocking::Client::new();
    for editing in [
        "/accueil/@@edit",
        "/services-communaux/@@folder_contents",
        "/services-communaux/folder_contents",
        "/services-communaux/@@add?type=Document",
        "/services-communaux/++add++Document",
        "/accueil/@@sharing",
        "/@@overview-controlpanel",
        "/@@usergroup-userprefs",
    ] {
        let status = auth
            .get(format!("{}{editing}", server.url))
            .basic_auth("admin", Some("Demo-password-2026"))
            .send()
            .map(|r| r.status().as_u16())
            .unwrap_or(0);
        if status == 200 {
            pages.push(editing.to_string());
        }
    }
    for page in &pages {
        check(&browser, page);
    }
    // The second town's theme keeps the bar too.
    drop(browser);
    let data = tempfile::tempdir().unwrap();
    let eupen = crate::harness::serve_binary(crate::harness::eupen_binary(), data.path());
    let Some(browser) = Browser::start(&Options::default()) else {
        return;
    };
    browser.set_script_timeout(std::time::Duration::from_secs(120));
    for page in ["/", "/services-communaux"] {
        browser.goto(&format!("{}{page}", eupen.url));
        for v in axe_violations(&browser, &axe) {
            let impact = v["impact"].as_str().unwrap_or("");
            println!("eupen {page}: {} ({impact}) at {}", v["id"], v["targets"]);
            if impact == "serious" || impact == "critical" {
                failures.push(format!(
                    "eupen {page}: {} ({impact}) at {}",
                    v["id"], v["targets"]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "serious or critical accessibility violations:\n{}",
        failures.join("\n")
    );
}
