//! The demo town's website in headless Chromium, as a visitor uses it: the
//! home page and its sections, the menu, the search box.

use crate::harness::serve;
use crate::webdriver::{Browser, Options};

fn french() -> Options {
    Options {
        lang: Some("fr".into()),
        ..Options::default()
    }
}

#[test]
fn the_home_page_shows_news_events_quick_links_and_the_alert() {
    let data = tempfile::tempdir().unwrap();
    let server = serve(data.path());
    let Some(browser) = Browser::start(&french()) else {
        return;
    };
    browser.goto(&format!("{}/", server.url));
    assert_eq!(browser.find("h1").text(), "Bienvenue à Sambreville");
    let headings: Vec<String> = browser
        .find_all("main section h2")
        .iter()
        .map(|h| h.text())
        .collect();
    for wanted in [
        "Actualités",
        "Agenda",
        "Accès rapides",
        "Je suis…",
        "Thématiques",
    ] {
        assert!(
            headings.iter().any(|h| h == wanted),
            "{wanted} in {headings:?}"
        );
    }
    // Three latest news, four coming events, the quick links.
    assert_eq!(browser.find_all("#actualites .latest li").len(), 3);
    assert_eq!(browser.find_all("#agenda .latest li").len(), 4);
    assert!(browser.find_all("#acces-rapides .links li").len() >= 4);
    // The roadworks alert, above the content, announced politely.
    let alert = browser.find(".site-alerts .alert-warning");
    assert!(
        alert.text().contains("rue de la Station"),
        "{}",
        alert.text()
    );
    assert_eq!(alert.attr("role").as_deref(), Some("status"));
    // The module's style sheet is served and applied.
    let colour = browser.execute(
        "return getComputedStyle(document.querySelector('.alert-warning')).borderLeftStyle;",
        &[],
    );
    assert_eq!(colour, serde_json::json!("solid"));
}

#[test]
fn a_visitor_finds_their_way_with_the_menu_and_the_search_box() {
    let data = tempfile::tempdir().unwrap();
    let server = serve(data.path());
    let Some(browser) = Browser::start(&french()) else {
        return;
    };
    browser.goto(&format!("{}/", server.url));
    // The menu: folders of the root, the home page itself left out.
    let menu: Vec<String> = browser
        .find_all("header nav .nav a")
        .iter()
        .map(|a| a.text())
        .collect();
    assert!(menu.iter().any(|m| m == "Vie communale"), "{menu:?}");
    assert!(
        !menu.iter().any(|m| m == "Bienvenue à Sambreville"),
        "{menu:?}"
    );
    assert!(
        !menu.iter().any(|m| m == "Travaux rue de la Station"),
        "{menu:?}"
    );
    browser
        .find("header nav .nav a[href$='/vie-communale']")
        .click();
    assert_eq!(browser.find("h1").text(), "Vie communale");
    assert_eq!(
        browser
            .find("header nav .nav a[aria-current='page']")
            .text(),
        "Vie communale"
    );
    browser
        .find("main a[href$='/vie-communale/le-conseil-communal']")
        .click();
    assert_eq!(browser.find("h1").text(), "Le conseil communal");
    let crumbs: Vec<String> = browser
        .find_all(".breadcrumbs li")
        .iter()
        .map(|l| l.text())
        .collect();
    assert_eq!(crumbs, ["Vie communale", "Le conseil communal"]);
    // The search box of the home page.
    browser.goto(&format!("{}/", server.url));
    browser.find("#home-search-text").send_keys("marché");
    browser.find("form.home-search button[type=submit]").click();
    assert!(
        browser.current_url().contains("@@search"),
        "{}",
        browser.current_url()
    );
    let source = browser.source();
    assert!(source.contains("hebdomadaire d'Auvelais"), "{source}");
    assert!(
        !browser.find_all("main mark").is_empty(),
        "matches are highlighted: {source}"
    );
}
