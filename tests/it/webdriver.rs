//! A small WebDriver client for the browser tests: it starts `chromedriver`
//! as a child process, opens a session on headless Chromium with a private
//! profile, and speaks the W3C protocol with the blocking `reqwest` client.
//!
//! ```ignore
//! let Some(browser) = Browser::start(&Options::default()) else { return };
//! browser.goto(&format!("{}/@@login", server.url));
//! browser.find("#login").send_keys("admin");
//! browser.find("button[type=submit]").click();
//! assert_eq!(browser.find("h1").text(), "Accueil");
//! ```
//!
//! When Chromium or chromedriver is missing, [`Browser::start`] prints a
//! note and returns `None` (the test then passes without running), unless
//! `BEFFROI_REQUIRE_BROWSER` is set, as `.ci/run` does: then it fails.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

/// The key under which W3C WebDriver returns an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How the browser starts.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// The browser's interface language and `Accept-Language`, e.g. `nl`.
    pub(crate) lang: Option<String>,
    /// Window size in CSS pixels; 1280×900 when unset.
    pub(crate) window: Option<(u32, u32)>,
}

/// Whether a missing browser must fail the run (`.ci/run` sets it).
pub(crate) fn browser_required() -> bool {
    std::env::var("BEFFROI_REQUIRE_BROWSER").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Skips (returns `None`, with a note) or fails, as [`browser_required`] says.
pub(crate) fn missing<T>(what: &str, hint: &str) -> Option<T> {
    assert!(
        !browser_required(),
        "BEFFROI_REQUIRE_BROWSER is set but {what} was not found ({hint})"
    );
    eprintln!("note: {what} not found; browser test skipped ({hint})");
    None
}

/// The Chromium binary, if installed.
pub(crate) fn chromium() -> Option<PathBuf> {
    find_program(&[
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ])
}

/// The chromedriver binary, if installed.
pub(crate) fn chromedriver() -> Option<PathBuf> {
    find_program(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"])
}

fn find_program(candidates: &[&str]) -> Option<PathBuf> {
    candidates.iter().map(PathBuf::from).find(|p| p.exists())
}

/// A running chromedriver, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser session: a headless Chromium driven over WebDriver. Dropping
/// it closes the browser, stops chromedriver and removes the profile.
pub(crate) struct Browser {
    http: reqwest::blocking::Client,
    session: String,
    // Field order matters for drop: the session is deleted in `Drop`, then
    // the driver is killed, then the profile folder removed.
    driver: Driver,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium, or returns `None` when
    /// either is missing (see the module's documentation).
    pub(crate) fn start(options: &Options) -> Option<Self> {
        let Some(chrome) = chromium() else {
            return missing("Chromium", "install the `chromium` package");
        };
        let Some(driver_bin) = chromedriver() else {
            return missing("chromedriver", "install the `chromium-driver` package");
        };
        let port = free_port();
        let child = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .unwrap();
        wait_ready(&http, &driver.url);
        let profile = tempfile::tempdir().unwrap();
        let (w, h) = options.window.unwrap_or((1280, 900));
        let mut args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            format!("--window-size={w},{h}"),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut chrome_options = json!({ "binary": chrome, "args": [] });
        if let Some(lang) = &options.lang {
            args.push(format!("--lang={lang}"));
            args.push(format!("--accept-lang={lang}"));
            chrome_options["prefs"] = json!({ "intl.accept_languages": lang });
        }
        chrome_options["args"] = json!(args);
        let caps = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": chrome_options,
                }
            }
        });
        let answer = send(
            &http,
            reqwest::Method::POST,
            &format!("{}/session", driver.url),
            Some(&caps),
        );
        let session = answer["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session id in {answer}"))
            .to_owned();
        Some(Self {
            http,
            session,
            driver,
            _profile: profile,
        })
    }

    fn command(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.driver.url, self.session);
        send(&self.http, method, &url, body)
    }

    /// Opens `url` and waits for the page to load.
    pub(crate) fn goto(&self, url: &str) {
        self.command(reqwest::Method::POST, "/url", Some(&json!({ "url": url })));
    }

    /// The address of the page shown.
    pub(crate) fn current_url(&self) -> String {
        self.command(reqwest::Method::GET, "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The page's title.
    pub(crate) fn title(&self) -> String {
        self.command(reqwest::Method::GET, "/title", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The page's source, as the browser has it now.
    pub(crate) fn source(&self) -> String {
        self.command(reqwest::Method::GET, "/source", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The first element matching the CSS `selector`; fails the test when none does.
    pub(crate) fn find(&self, selector: &str) -> Element<'_> {
        self.try_find(selector)
            .unwrap_or_else(|| panic!("no element matches `{selector}` in {}", self.source()))
    }

    /// The first element matching the CSS `selector`, if any.
    pub(crate) fn try_find(&self, selector: &str) -> Option<Element<'_>> {
        self.find_all(selector).into_iter().next()
    }

    /// Every element matching the CSS `selector`, in document order.
    pub(crate) fn find_all(&self, selector: &str) -> Vec<Element<'_>> {
        let found = self.command(
            reqwest::Method::POST,
            "/elements",
            Some(&json!({ "using": "css selector", "value": selector })),
        );
        found
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e[ELEMENT_KEY].as_str())
                    .map(|id| Element {
                        browser: self,
                        id: id.to_owned(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Runs `script` in the page (a function body; `arguments` holds
    /// `args`) and returns what it returns.
    pub(crate) fn execute(&self, script: &str, args: &[Value]) -> Value {
        self.command(
            reqwest::Method::POST,
            "/execute/sync",
            Some(&json!({ "script": script, "args": args })),
        )
    }

    /// Runs `script` in the page; it ends by calling the callback given as
    /// its last argument (`arguments[arguments.length - 1]`), whose value is
    /// returned.
    pub(crate) fn execute_async(&self, script: &str, args: &[Value]) -> Value {
        self.command(
            reqwest::Method::POST,
            "/execute/async",
            Some(&json!({ "script": script, "args": args })),
        )
    }

    /// Sets how long asynchronous scripts may run before WebDriver gives up.
    pub(crate) fn set_script_timeout(&self, timeout: Duration) {
        let ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        self.command(
            reqwest::Method::POST,
            "/timeouts",
            Some(&json!({ "script": ms })),
        );
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let url = format!("{}/session/{}", self.driver.url, self.session);
        let _ = self.http.delete(url).send();
    }
}

/// An element of the page shown.
pub(crate) struct Element<'a> {
    browser: &'a Browser,
    id: String,
}

impl Element<'_> {
    fn command(&self, method: reqwest::Method, what: &str, body: Option<&Value>) -> Value {
        self.browser
            .command(method, &format!("/element/{}{what}", self.id), body)
    }

    /// Its rendered text.
    pub(crate) fn text(&self) -> String {
        self.command(reqwest::Method::GET, "/text", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// An attribute's value, if set.
    pub(crate) fn attr(&self, name: &str) -> Option<String> {
        self.command(reqwest::Method::GET, &format!("/attribute/{name}"), None)
            .as_str()
            .map(str::to_owned)
    }

    /// A DOM property's value (`value` of a field as typed, `checked`…).
    pub(crate) fn property(&self, name: &str) -> Value {
        self.command(reqwest::Method::GET, &format!("/property/{name}"), None)
    }

    /// Types `text` into it.
    pub(crate) fn send_keys(&self, text: &str) {
        self.command(
            reqwest::Method::POST,
            "/value",
            Some(&json!({ "text": text })),
        );
    }

    /// Empties a form field.
    pub(crate) fn clear(&self) {
        self.command(reqwest::Method::POST, "/clear", Some(&json!({})));
    }

    /// Clicks it (and waits for a page it opens to load).
    pub(crate) fn click(&self) {
        self.command(reqwest::Method::POST, "/click", Some(&json!({})));
    }
}

fn send(
    http: &reqwest::blocking::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<&Value>,
) -> Value {
    let mut request = http.request(method.clone(), url);
    if let Some(b) = body {
        request = request.json(b);
    }
    let response = request
        .send()
        .unwrap_or_else(|e| panic!("WebDriver {method} {url}: {e}"));
    let status = response.status();
    let answer: Value = response.json().unwrap_or(Value::Null);
    let value = answer.get("value").cloned().unwrap_or(Value::Null);
    assert!(
        status.is_success(),
        "WebDriver {method} {url} answered {status}: {} — {}",
        value["error"],
        value["message"]
    );
    value
}

/// A port nobody listens on now.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Waits until chromedriver answers `/status` with `ready`.
fn wait_ready(http: &reqwest::blocking::Client, url: &str) {
    for _ in 0..200 {
        let ready = http
            .get(format!("{url}/status"))
            .send()
            .ok()
            .and_then(|r| r.json::<Value>().ok())
            .is_some_and(|v| v["value"]["ready"] == json!(true));
        if ready {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("chromedriver did not start at {url}");
}
