//! The editing pages in headless Chromium, as a town's editor uses them:
//! log in with the form, add a page with the add form (typing into the
//! rich-text editor), publish it from the workflow menu, log out, and find
//! it as a visitor.

use std::time::Duration;

use serde_json::Value;

use crate::harness::serve;
use crate::webdriver::{Browser, Options};

/// The WCAG 2.1 A and AA violations axe-core finds on the page shown, when
/// `BEFFROI_AXE_JS` names axe-core's script (`.ci/run` fetches it); `None`
/// when it does not.
fn axe_violations(browser: &Browser) -> Option<Vec<String>> {
    let path = std::env::var("BEFFROI_AXE_JS")
        .ok()
        .filter(|p| !p.is_empty())?;
    let source = std::fs::read_to_string(&path).unwrap();
    browser.execute(&source, &[]);
    browser.set_script_timeout(Duration::from_secs(60));
    let found = browser.execute_async(
        "var done = arguments[arguments.length - 1];
         axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
            .then(function (r) {
              done(r.violations.map(function (v) {
                return v.id + ': ' + v.nodes.map(function (n) { return n.target.join(' '); }).join(', ');
              }));
            }, function (e) { done(['axe failed: ' + e]); });",
        &[],
    );
    Some(
        found
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
    )
}

/// The text of the first element matching `selector`, once the page that
/// a click opened has loaded and shows `expected` there (a click that
/// submits a form may return before the next page is in).
fn text_once_loaded(browser: &Browser, selector: &str, expected: &str) -> String {
    let script = "var e = document.querySelector(arguments[0]);
                  return document.readyState === 'complete' && e ? e.textContent.trim() : null;";
    let mut last = Value::Null;
    for _ in 0..200 {
        last = browser.execute(script, &[Value::from(selector)]);
        if last.as_str() == Some(expected) {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    last.as_str().unwrap_or_default().to_owned()
}

/// Fails the test when axe-core finds WCAG 2.1 AA problems on the page.
fn assert_accessible(browser: &Browser, page: &str) {
    match axe_violations(browser) {
        Some(v) => assert!(v.is_empty(), "{page}: {v:#?}"),
        None => eprintln!("note: BEFFROI_AXE_JS not set; {page} not checked with axe-core"),
    }
}

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
    assert_eq!(
        text_once_loaded(&browser, ".user-menu span", "Logged in as Administrator"),
        "Logged in as Administrator"
    );

    // The toolbar's add menu leads to the add form.
    browser.goto(&format!("{url}/"));
    let add = browser.find(".edit-toolbar a[href$='/++add++Document']");
    browser.goto(&add.attr("href").unwrap());
    assert_eq!(browser.find("h1").text(), "Add Page");
    assert_accessible(&browser, "the add form");
    browser.find("#f-title").send_keys("Horaires de la piscine");
    // editor.js turned the rich-text textarea into an editor.
    let area = browser.find(".rich-editor .rich-area");
    area.click();
    area.send_keys("Ouvert le lundi");
    browser.find(".rich-buttons button[title='Bold']").click();
    browser.find("button[name=_save]").click();
    assert_eq!(
        text_once_loaded(
            &browser,
            ".status-message[role=status]",
            "“Horaires de la piscine” was created."
        ),
        "“Horaires de la piscine” was created."
    );
    assert_eq!(
        browser.current_url(),
        format!("{url}/horaires-de-la-piscine")
    );
    assert!(browser.source().contains("Ouvert le lundi"));
    assert_eq!(browser.find(".toolbar-state .state").text(), "Private");
    assert_accessible(&browser, "the page with the toolbar and a status message");

    // Publish it from the workflow menu, with a comment.
    browser
        .find("form[action$='/@workflow/publish'] textarea")
        .send_keys("Summer opening hours");
    browser
        .find("form[action$='/@workflow/publish'] button")
        .click();
    assert_eq!(
        text_once_loaded(
            &browser,
            ".status-message[role=status]",
            "The state is now: Published."
        ),
        "The state is now: Published."
    );
    // The message was for that page only.
    browser.goto(&format!("{url}/horaires-de-la-piscine"));
    assert!(browser.try_find(".status-message").is_none());

    // The other editing pages pass the accessibility check too.
    for page in [
        "/@@folder_contents",
        "/horaires-de-la-piscine/@@edit",
        "/horaires-de-la-piscine/@@history",
        "/horaires-de-la-piscine/@@sharing?search=admin",
        "/horaires-de-la-piscine/@@delete_confirmation",
    ] {
        browser.goto(&format!("{url}{page}"));
        assert!(browser.try_find(".edit-toolbar").is_some(), "{page}");
        assert_accessible(&browser, page);
    }
    browser.goto(&format!("{url}/horaires-de-la-piscine"));

    // Log out: a visitor sees the page, without the toolbar.
    browser.find(".user-menu form button").click();
    assert_eq!(
        text_once_loaded(&browser, ".user-menu a", "Log in"),
        "Log in"
    );
    browser.goto(&format!("{url}/horaires-de-la-piscine"));
    assert_eq!(browser.find("h1").text(), "Horaires de la piscine");
    assert!(browser.source().contains("Ouvert le lundi"));
    assert!(browser.try_find(".edit-toolbar").is_none());
    assert!(browser.try_find(".user-menu a[href*='@@login']").is_some());
}
