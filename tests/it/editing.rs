//! The editing pages in headless Chromium, as a town's editor uses them:
//! log in with the form, add a page with the add form (typing into the
//! rich-text editor), publish it from the workflow menu, log out, and find
//! it as a visitor.

use crate::harness::serve;
use crate::webdriver::{Browser, Options};

#[test]
fn an_editor_adds_and_publishes_a_page_that_visitors_then_see() {
    let options = Options {
        lang: Some("en".into()),
        ..Options::default()
    };
    let Some(browser) = Browser::start(&options) else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let server = serve(data.path());
    let url = &server.url;

    // Log in with the form.
    browser.goto(&format!("{url}/@@login"));
    browser.find("#login").send_keys("admin");
    browser.find("#password").send_keys("Demo-password-2026");
    browser.find(".login-form button[type=submit]").click();
    assert!(browser.try_find(".user-menu form").is_some(), "logged in");

    // The toolbar's add menu leads to the add form.
    browser.goto(&format!("{url}/"));
    let add = browser.find(".edit-toolbar a[href$='/++add++Document']");
    browser.goto(&add.attr("href").unwrap());
    assert_eq!(browser.find("h1").text(), "Add Page");
    browser.find("#f-title").send_keys("Horaires de la piscine");
    // editor.js turned the rich-text textarea into an editor.
    let area = browser.find(".rich-editor .rich-area");
    area.click();
    area.send_keys("Ouvert le lundi");
    browser
        .find(".rich-buttons button[aria-label='Bold']")
        .click();
    browser.find("button[name=_save]").click();

    assert_eq!(
        browser.current_url(),
        format!("{url}/horaires-de-la-piscine")
    );
    assert_eq!(
        browser.find(".status-message[role=status]").text(),
        "“Horaires de la piscine” was created."
    );
    assert!(browser.source().contains("Ouvert le lundi"));
    assert_eq!(browser.find(".toolbar-state .state").text(), "Private");

    // Publish it from the workflow menu, with a comment.
    browser
        .find("form[action$='/@workflow/publish'] textarea")
        .send_keys("Summer opening hours");
    browser
        .find("form[action$='/@workflow/publish'] button")
        .click();
    assert_eq!(
        browser.find(".status-message[role=status]").text(),
        "The state is now: Published."
    );
    // The message was for that page only.
    browser.goto(&format!("{url}/horaires-de-la-piscine"));
    assert!(browser.try_find(".status-message").is_none());

    // Log out: a visitor sees the page, without the toolbar.
    browser.find(".user-menu form button").click();
    browser.goto(&format!("{url}/horaires-de-la-piscine"));
    assert_eq!(browser.find("h1").text(), "Horaires de la piscine");
    assert!(browser.source().contains("Ouvert le lundi"));
    assert!(browser.try_find(".edit-toolbar").is_none());
    assert!(browser.try_find(".user-menu a[href*='@@login']").is_some());
}
