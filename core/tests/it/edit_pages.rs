//! The editing pages over HTTP, as a browser uses them: forms with the
//! CSRF token, redirects with a status message shown once, folder contents
//! actions reporting per item.

use axum::http::{header, StatusCode};
use axum::Router;
use serde_json::json;

use crate::common::*;
use beffroi::prelude::*;

const PASSWORD: &str = "Beffroi-Sambre-2026";
const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

/// A town with `/services` (pages `a`, `b`, `c`), `/archive`, and three
/// users: `eddy` edits and adds in `/services`, `rita` only reads,
/// `claire` is someone to share with.
fn office() -> Town {
    let t = town();
    t.site
        .write(&admin(), |w| {
            w.add_user("eddy", "Eddy Editor", None, PASSWORD, &[])?;
            w.add_user("rita", "Rita Reader", None, PASSWORD, &[])?;
            w.add_user("claire", "Claire Dubois", None, PASSWORD, &[])?;
            w.add("/", "Folder", data(json!({"title": "Services"})))?;
            w.add("/", "Folder", data(json!({"title": "Archive"})))?;
            for (id, title) in [("a", "Alpha"), ("b", "Bravo"), ("c", "Charlie")] {
                w.add_with(
                    "/services",
                    "Page",
                    data(json!({"title": title})),
                    AddOptions {
                        id: Some(id.into()),
                        ..AddOptions::default()
                    },
                )?;
            }
            w.set_local_roles(
                "/services",
                "eddy",
                &["Editor".into(), "Contributor".into()],
            )?;
            w.set_local_roles("/archive", "eddy", &["Editor".into(), "Contributor".into()])?;
            Ok(())
        })
        .unwrap();
    t
}

/// A logged-in browser: its cookies and its forms' CSRF token.
struct Browser {
    cookies: String,
    token: String,
}

impl Browser {
    fn with(&self, extra: &str) -> String {
        format!("{}; {extra}", self.cookies)
    }
}

async fn log_in(app: &Router, login: &str) -> Browser {
    let password = if login == "admin" {
        ADMIN_PASSWORD
    } else {
        PASSWORD
    };
    let page = request(app, "GET", "/@@login", &[], "").await;
    let seed = page.cookie("beffroi_csrf").expect("a CSRF cookie");
    let token = form_token(&page.body);
    let csrf = format!("beffroi_csrf={seed}");
    let r = request(
        app,
        "POST",
        "/@@login",
        &[FORM, ("cookie", &csrf)],
        &format!("login={login}&password={password}&_authenticator={token}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let session = r.cookie("__ac").expect("a session");
    Browser {
        cookies: format!("{csrf}; __ac={session}"),
        token,
    }
}

async fn get(app: &Router, b: &Browser, uri: &str) -> Answer {
    request(app, "GET", uri, &[("cookie", &b.cookies)], "").await
}

async fn post(app: &Router, b: &Browser, uri: &str, body: &str) -> Answer {
    let body = format!("_authenticator={}&{body}", b.token);
    request(app, "POST", uri, &[FORM, ("cookie", &b.cookies)], &body).await
}

/// Follows a redirect with the status cookie it set, and returns the page.
async fn follow(app: &Router, b: &Browser, r: &Answer) -> Answer {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let to = location(r).replace("http://town.test", "");
    let cookies = match r.cookie("beffroi_status") {
        Some(s) => b.with(&format!("beffroi_status={s}")),
        None => b.cookies.clone(),
    };
    request(app, "GET", &to, &[("cookie", &cookies)], "").await
}

/// The text of the status message on a page.
fn status_message(page: &Answer) -> Option<String> {
    page.body
        .split("<div class=\"status-message\" role=\"status\">")
        .nth(1)
        .and_then(|s| s.split("</div>").next())
        .map(str::to_owned)
}

/// One part of a multipart body: name, (file name, media type) for a file, content.
type Part<'a> = (&'a str, Option<(&'a str, &'a str)>, &'a str);

fn multipart(boundary: &str, parts: &[Part<'_>]) -> String {
    let mut out = String::new();
    for (name, file, value) in parts {
        out.push_str(&format!("--{boundary}\r\n"));
        match file {
            Some((filename, ctype)) => out.push_str(&format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: {ctype}\r\n\r\n"
            )),
            None => out.push_str(&format!(
                "Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"
            )),
        }
        out.push_str(value);
        out.push_str("\r\n");
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    out
}

#[tokio::test]
async fn editing_pages_are_for_those_who_may_edit() {
    let t = office();
    let app = serve(&t);
    let eddy = log_in(&app, "eddy").await;
    let rita = log_in(&app, "rita").await;
    let pages = [
        "/services/++add++Page",
        "/services/@@add?type=Page",
        "/services/a/@@edit",
        "/services/@@folder_contents",
        "/services/a/@@delete_confirmation",
        "/services/a/@@history",
        "/services/a/@@sharing",
    ];
    for uri in pages {
        let r = request(&app, "GET", uri, &[], "").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{uri} for a visitor");
        assert!(
            location(&r).starts_with("http://town.test/@@login?came_from="),
            "{uri}: {}",
            location(&r)
        );
        let r = get(&app, &rita, uri).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri} for a reader");
        let r = get(&app, &eddy, uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri} for an editor: {}", r.body);
        assert!(r.body.contains("class=\"edit-toolbar\""), "{uri}");
    }
    // Plone's addresses without `@@` lead to the same pages, unless an item
    // has that name.
    let r = get(&app, &eddy, "/services/folder_contents?sort_on=title").await;
    assert_eq!(
        location(&r),
        "http://town.test/services/@@folder_contents?sort_on=title"
    );
    let r = get(&app, &eddy, "/services/a/edit").await;
    assert_eq!(location(&r), "http://town.test/services/a/@@edit");
    t.site
        .write(&admin(), |w| {
            w.add("/services", "Page", data(json!({"title": "Edit"})))
        })
        .unwrap();
    let r = get(&app, &eddy, "/services/edit").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("<h1>Edit</h1>"));
    t.site.delete(&admin(), "/services/edit", None).unwrap();
    // A visitor posting is refused, and nothing changes.
    let r = request(
        &app,
        "POST",
        "/services/++add++Page",
        &[FORM],
        "title=Sneaky",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(t.site.children("/services").unwrap().len(), 3);
    // Types that may not go here, or do not exist, are refused.
    let r = get(&app, &eddy, "/services/++add++Nothing").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = get(&app, &eddy, "/services/a/++add++Page").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // The toolbar: what the editor may do here, the types they may add
    // (translated), and nothing for the reader.
    let r = get(&app, &eddy, "/services").await;
    assert!(
        r.body.contains("aria-label=\"Outils d’édition\""),
        "{}",
        r.body
    );
    assert!(r
        .body
        .contains("http://town.test/services/@@folder_contents"));
    assert!(r.body.contains("http://town.test/services/++add++Page"));
    assert!(r.body.contains("http://town.test/services/++add++Secret"));
    assert!(
        !r.body.contains("++add++Box"),
        "a Box is not addable globally"
    );
    let r = get(&app, &rita, "/services").await;
    assert!(!r.body.contains("edit-toolbar"));
}

#[tokio::test]
async fn the_add_form_is_made_from_the_schema_and_creates_the_item() {
    let t = office();
    let app = serve(&t);
    let eddy = log_in(&app, "eddy").await;
    let r = request(
        &app,
        "GET",
        "/services/++add++Page",
        &[("cookie", &eddy.cookies), ("accept-language", "en")],
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let form = &r.body;
    // A widget per kind, labelled.
    for needle in [
        "enctype=\"multipart/form-data\"",
        "<label for=\"f-title\">Title <span class=\"required-mark\"",
        "<textarea id=\"f-text\" name=\"text\" rows=\"10\" class=\"richtext\"",
        "type=\"number\" inputmode=\"numeric\" id=\"f-count\" name=\"count\" value=\"\" step=\"1\" min=\"0\" max=\"10\"",
        "type=\"checkbox\" id=\"f-open\" name=\"open\"",
        "type=\"date\" id=\"f-day\"",
        "type=\"datetime-local\" id=\"f-at\"",
        "<option value=\"civil\">Civil status</option>",
        "name=\"tags\" value=\"works\"",
        "type=\"email\" id=\"f-email\"",
        "type=\"url\" id=\"f-website\"",
        "type=\"tel\" id=\"f-phone\"",
        "type=\"file\" id=\"f-attachment\"",
        "type=\"file\" id=\"f-photo\" name=\"photo\" accept=\"image/*\"",
        "name=\"where.locality\"",
        "name=\"_search.related\"",
        "maxlength=\"5\"",
        "value=\"new\"",
        "name=\"_id\"",
        "name=\"_cancel\"",
        // The script at its fingerprinted address (`editor.<hash>.js`).
        "/++resource++beffroi/editor.",
    ] {
        assert!(form.contains(needle), "missing {needle}");
    }
    // The reference chooser offers what the user may view.
    assert!(form.contains("Alpha (/services/a)"));
    // Its search filters on the server, without saving.
    let r = post(
        &app,
        &eddy,
        "/services/++add++Page",
        "title=Kept&_search=related&_search.related=brav",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Bravo (/services/b)"));
    assert!(!r.body.contains("Alpha (/services/a)"));
    assert!(r.body.contains("value=\"Kept\""));
    assert_eq!(t.site.children("/services").unwrap().len(), 3);

    // Without the CSRF token: refused, nothing added.
    let r = request(
        &app,
        "POST",
        "/services/++add++Page",
        &[FORM, ("cookie", &eddy.cookies)],
        "title=Forged",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(t.site.children("/services").unwrap().len(), 3);

    let b_uid = t.site.get("/services/b").unwrap().unwrap().uid;
    let r = post(
        &app,
        &eddy,
        "/services/++add++Page",
        &format!(
            "title=Horaires+d%27%C3%A9t%C3%A9&_id=horaires&count=4&price=2%2C5&open=on&day=2026-07-01\
             &at=2026-07-01T09%3A30&at._offset=%2B02%3A00&kind=works&tags=civil&tags=works\
             &email=info%40example.be&text=%3Cp%3EBonjour%3Cscript%3Ex%3C%2Fscript%3E%3C%2Fp%3E\
             &related={b_uid}&where.street=Grand-Place+1&where.postcode=5060&where.locality=Sambreville\
             &status=new"
        ),
    )
    .await;
    assert_eq!(location(&r), "http://town.test/services/horaires");
    let item = t.site.get("/services/horaires").unwrap().unwrap();
    assert_eq!(item.title(), "Horaires d'été");
    assert_eq!(item.field("count"), Some(&json!(4)));
    assert_eq!(item.field("price"), Some(&json!(2.5)));
    assert_eq!(item.field("open"), Some(&json!(true)));
    assert_eq!(item.field("at"), Some(&json!("2026-07-01T09:30:00+02:00")));
    assert_eq!(item.field("tags"), Some(&json!(["civil", "works"])));
    assert_eq!(item.field("text"), Some(&json!("<p>Bonjour</p>")));
    assert_eq!(item.field("related"), Some(&json!(b_uid)));
    assert_eq!(item.field("where").unwrap()["locality"], "Sambreville");
    assert_eq!(item.creator, "eddy");

    // The status message shows on the next page, once, announced.
    let page = follow(&app, &eddy, &r).await;
    assert_eq!(
        status_message(&page).as_deref(),
        Some("« Horaires d&#39;été » a été créé.")
    );
    let cleared = page
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|c| c.to_str().unwrap().starts_with("beffroi_status=;"));
    assert!(cleared, "the message is read once");
    let again = get(&app, &eddy, "/services/horaires").await;
    assert_eq!(status_message(&again), None);
    // A forged message is not shown.
    let forged = request(
        &app,
        "GET",
        "/services",
        &[(
            "cookie",
            &eddy.with("beffroi_status=a2V5PWVkaXQtc3RhdHVzLWFkZGVk.00"),
        )],
        "",
    )
    .await;
    assert_eq!(status_message(&forged), None);

    // Without an id, one is made from the title; cancel adds nothing.
    let r = post(
        &app,
        &eddy,
        "/services/++add++Page",
        "title=Plan+de+mobilit%C3%A9",
    )
    .await;
    assert_eq!(location(&r), "http://town.test/services/plan-de-mobilite");
    let r = post(&app, &eddy, "/services/++add++Page", "title=Nope&_cancel=1").await;
    assert_eq!(location(&r), "http://town.test/services");
    assert!(t.site.get("/services/nope").unwrap().is_none());
    let page = follow(&app, &eddy, &r).await;
    assert_eq!(
        status_message(&page).as_deref(),
        Some("Rien n’a été modifié.")
    );
}

#[tokio::test]
async fn validation_errors_name_each_field_and_keep_what_was_typed() {
    let t = office();
    let app = serve(&t);
    let eddy = log_in(&app, "eddy").await;
    let r = post(
        &app,
        &eddy,
        "/services/++add++Page",
        "title=&description=%3Cb%3Ebold%3C%2Fb%3E&count=99&price=abc&email=not-an-email\
         &website=ftp%3A%2F%2Fx&code=abcdefgh&where.street=Rue+haute&_id=Bad+Id",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let body = &r.body;
    // A summary at the top, linking to each field.
    assert!(body.contains("class=\"error-summary\" role=\"alert\""));
    for field in [
        "title",
        "description",
        "count",
        "price",
        "email",
        "website",
        "code",
        "where",
    ] {
        assert!(
            body.contains(&format!("href=\"#f-{field}\"")),
            "summary links {field}"
        );
        assert!(
            body.contains(&format!("id=\"f-{field}-error\"")),
            "error next to {field}"
        );
    }
    // Errors are described to assistive technologies and translated.
    assert!(body.contains("aria-describedby=\"f-count-error\" aria-invalid=\"true\""));
    assert!(body.contains("trop grand : au plus 10"));
    assert!(body.contains("trop long : 5 caractères au plus"));
    // What was typed is kept.
    for kept in [
        "value=\"99\"",
        "value=\"abc\"",
        "value=\"not-an-email\"",
        "value=\"abcdefgh\"",
        "value=\"Rue haute\"",
        "&lt;b&gt;bold&lt;",
    ] {
        assert!(body.contains(kept), "kept {kept}");
    }
    assert_eq!(t.site.children("/services").unwrap().len(), 3);

    // A file sent with a form that fails is kept for the next try.
    let boundary = "KeepIt";
    let ctype = format!("multipart/form-data; boundary={boundary}");
    let body = multipart(
        boundary,
        &[
            ("_authenticator", None, &eddy.token),
            ("title", None, "With a file"),
            ("count", None, "11"),
            (
                "attachment",
                Some(("notes.txt", "text/plain")),
                "kept notes",
            ),
        ],
    );
    let r = request(
        &app,
        "POST",
        "/services/++add++Page",
        &[("content-type", &ctype), ("cookie", &eddy.cookies)],
        &body,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Reçu : notes.txt."));
    let kept = r
        .body
        .split("name=\"attachment._kept\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    // A forged reference is ignored; the kept one is saved.
    let r = post(
        &app,
        &eddy,
        "/services/++add++Page",
        "title=Forged+file&attachment._kept=bm90ZXM.00",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(t
        .site
        .get("/services/forged-file")
        .unwrap()
        .unwrap()
        .field("attachment")
        .is_none());
    let r = post(
        &app,
        &eddy,
        "/services/++add++Page",
        &format!("title=With+a+file&count=1&attachment._kept={kept}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = request(
        &app,
        "GET",
        "/services/with-a-file/@@download/attachment",
        &[],
        "",
    )
    .await;
    assert_eq!(r.body, "kept notes");

    // A taken id is named next to the id field.
    let r = post(
        &app,
        &eddy,
        "/services/++add++Page",
        "title=Alpha+bis&_id=a",
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("already holds an item called"));
    assert!(r.body.contains("value=\"Alpha bis\""));
}

#[tokio::test]
async fn the_edit_form_saves_changes_and_uploads_files() {
    let t = office();
    let app = serve(&t);
    let eddy = log_in(&app, "eddy").await;
    let r = get(&app, &eddy, "/services/a/@@edit").await;
    assert!(r.body.contains("value=\"Alpha\""));
    assert!(r.body.contains("name=\"_revision\" value=\"1\""));

    let boundary = "XyZbeffroi";
    let body = multipart(
        boundary,
        &[
            ("_authenticator", None, &eddy.token),
            ("_revision", None, "1"),
            ("title", None, "Alpha 2"),
            ("status", None, "new"),
            (
                "attachment",
                Some(("plan.txt", "text/plain")),
                "the town plan",
            ),
            ("photo", Some(("", "application/octet-stream")), ""),
        ],
    );
    let ctype = format!("multipart/form-data; boundary={boundary}");
    let r = request(
        &app,
        "POST",
        "/services/a/@@edit",
        &[("content-type", &ctype), ("cookie", &eddy.cookies)],
        &body,
    )
    .await;
    assert_eq!(location(&r), "http://town.test/services/a");
    let page = follow(&app, &eddy, &r).await;
    assert_eq!(
        status_message(&page).as_deref(),
        Some("Vos modifications de « Alpha 2 » ont été enregistrées.")
    );
    let item = t.site.get("/services/a").unwrap().unwrap();
    assert_eq!(item.title(), "Alpha 2");
    assert_eq!(item.field("attachment").unwrap()["filename"], "plan.txt");
    assert!(item.field("photo").is_none());
    let r = request(&app, "GET", "/services/a/@@download/attachment", &[], "").await;
    assert_eq!(r.body, "the town plan");
    // Only what changed is recorded.
    let last = t.site.history("/services/a").unwrap().pop().unwrap();
    assert_eq!(last.changed, ["attachment", "title"]);

    // The form shows the current file with keep / replace / remove.
    let r = get(&app, &eddy, "/services/a/@@edit").await;
    assert!(r.body.contains(">plan.txt</a>"));
    assert!(r
        .body
        .contains("name=\"attachment._action\" value=\"keep\" checked"));
    assert!(r
        .body
        .contains("name=\"attachment._action\" value=\"remove\""));
    // A text file is not an image.
    let body = multipart(
        boundary,
        &[
            ("_authenticator", None, &eddy.token),
            ("title", None, "Alpha 2"),
            ("photo", Some(("photo.txt", "text/plain")), "not an image"),
        ],
    );
    let r = request(
        &app,
        "POST",
        "/services/a/@@edit",
        &[("content-type", &ctype), ("cookie", &eddy.cookies)],
        &body,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("id=\"f-photo-error\""));
    // Keeping the file leaves it; removing it removes it.
    let r = post(
        &app,
        &eddy,
        "/services/a/@@edit",
        "title=Alpha+2&attachment._action=keep",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(t
        .site
        .get("/services/a")
        .unwrap()
        .unwrap()
        .field("attachment")
        .is_some());
    let r = post(
        &app,
        &eddy,
        "/services/a/@@edit",
        "title=Alpha+2&attachment._action=remove",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(t
        .site
        .get("/services/a")
        .unwrap()
        .unwrap()
        .field("attachment")
        .is_none());

    // A stale form is refused with what was typed kept.
    let r = post(
        &app,
        &eddy,
        "/services/a/@@edit",
        "title=Old+tab&_revision=1",
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("value=\"Old tab\""));
    assert_eq!(
        t.site.get("/services/a").unwrap().unwrap().title(),
        "Alpha 2"
    );
}

/// The ids of `/services`' children, in order.
fn order(t: &Town, path: &str) -> Vec<String> {
    t.site
        .children(path)
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect()
}

#[tokio::test]
async fn folder_contents_sorts_reorders_cuts_copies_pastes_and_renames() {
    let t = office();
    let app = serve(&t);
    let eddy = log_in(&app, "eddy").await;
    let r = request(
        &app,
        "GET",
        "/services/@@folder_contents",
        &[("cookie", &eddy.cookies), ("accept-language", "en")],
        "",
    )
    .await;
    assert!(r.body.contains("Items 1 to 3 of 3"));
    assert!(r.body.contains("name=\"paths\" value=\"a\""));
    assert!(r.body.contains("value=\"c:top\""));
    let pos = |body: &str, s: &str| body.find(s).unwrap();
    let r = get(
        &app,
        &eddy,
        "/services/@@folder_contents?sort_on=title&sort_order=reverse",
    )
    .await;
    assert!(pos(&r.body, ">Charlie<") < pos(&r.body, ">Alpha<"));
    assert!(r.body.contains("aria-sort=\"descending\""));
    let r = get(
        &app,
        &eddy,
        "/services/@@folder_contents?b_size=2&b_start=2",
    )
    .await;
    assert!(r.body.contains(">Charlie<") && !r.body.contains(">Alpha<"));
    assert!(r.body.contains("rel=\"prev\""));
    let r = get(&app, &eddy, "/services/@@folder_contents?select=all").await;
    assert!(r.body.contains("value=\"b\" id=\"select-b\" checked"));

    // Reorder.
    let r = post(&app, &eddy, "/services/@@folder_contents", "_move=c%3Atop").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(order(&t, "/services"), ["c", "a", "b"]);
    post(&app, &eddy, "/services/@@folder_contents", "_move=c%3Adown").await;
    assert_eq!(order(&t, "/services"), ["a", "c", "b"]);
    post(
        &app,
        &eddy,
        "/services/@@folder_contents",
        "_move=a%3Abottom",
    )
    .await;
    assert_eq!(order(&t, "/services"), ["c", "b", "a"]);

    // Nothing selected: said, nothing done.
    let r = post(&app, &eddy, "/services/@@folder_contents", "_action=cut").await;
    let page = follow(&app, &eddy, &r).await;
    assert_eq!(
        status_message(&page).as_deref(),
        Some("Sélectionnez d’abord au moins un élément.")
    );

    // Cut a, paste into /archive: moved.
    let r = post(
        &app,
        &eddy,
        "/services/@@folder_contents",
        "_action=cut&paths=a",
    )
    .await;
    let clip = r.cookie("beffroi_clipboard").expect("a clipboard");
    let with_clip = Browser {
        cookies: eddy.with(&format!("beffroi_clipboard={clip}")),
        token: eddy.token.clone(),
    };
    let r = get(&app, &with_clip, "/archive/@@folder_contents").await;
    assert!(r.body.contains("value=\"paste\""));
    let r = post(
        &app,
        &with_clip,
        "/archive/@@folder_contents",
        "_action=paste",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.cookie("beffroi_clipboard").as_deref(), Some(""));
    assert_eq!(order(&t, "/archive"), ["a"]);
    assert_eq!(order(&t, "/services"), ["c", "b"]);

    // Copy b, paste into /archive twice: two copies, the original stays.
    let r = post(
        &app,
        &eddy,
        "/services/@@folder_contents",
        "_action=copy&paths=b",
    )
    .await;
    let clip = r.cookie("beffroi_clipboard").unwrap();
    let with_clip = Browser {
        cookies: eddy.with(&format!("beffroi_clipboard={clip}")),
        token: eddy.token.clone(),
    };
    let r = post(
        &app,
        &with_clip,
        "/archive/@@folder_contents",
        "_action=paste",
    )
    .await;
    let page = follow(&app, &eddy, &r).await;
    assert_eq!(status_message(&page).as_deref(), Some("1 éléments collés."));
    post(
        &app,
        &with_clip,
        "/archive/@@folder_contents",
        "_action=paste",
    )
    .await;
    assert_eq!(order(&t, "/archive"), ["a", "b", "b-1"]);
    assert_eq!(order(&t, "/services"), ["c", "b"]);
    // A tampered clipboard is empty.
    let forged = Browser {
        cookies: eddy.with("beffroi_clipboard=Y3V0Ong.00"),
        token: eddy.token.clone(),
    };
    let r = post(
        &app,
        &forged,
        "/services/@@folder_contents",
        "_action=paste",
    )
    .await;
    let page = follow(&app, &eddy, &r).await;
    assert_eq!(
        status_message(&page).as_deref(),
        Some("Il n’y a rien à coller.")
    );

    // Rename: a form per selected item, then new ids and titles.
    let r = post(
        &app,
        &eddy,
        "/services/@@folder_contents",
        "_action=rename&paths=c&paths=b",
    )
    .await;
    assert_eq!(
        location(&r),
        "http://town.test/services/@@folder_rename?paths=c&paths=b"
    );
    let r = get(&app, &eddy, "/services/@@folder_rename?paths=c&paths=b").await;
    assert!(r.body.contains("name=\"id.0\" value=\"c\""));
    assert!(r.body.contains("name=\"title.1\" value=\"Bravo\""));
    // One good, one with an id already taken: the good one is done, the
    // other is left as it was and the page says why.
    let r = post(
        &app,
        &eddy,
        "/services/@@folder_rename",
        "old.0=c&id.0=charlie&title.0=Charlie+renamed&old.1=b&id.1=charlie&title.1=Bravo+2",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("1 fait(s), 1 non fait(s)."), "{}", r.body);
    assert!(r.body.contains("already holds an item called `charlie`"));
    assert_eq!(order(&t, "/services"), ["charlie", "b"]);
    let b = t.site.get("/services/b").unwrap().unwrap();
    assert_eq!(b.title(), "Bravo", "the failed rename changed nothing");
    assert_eq!(
        t.site.get("/services/charlie").unwrap().unwrap().title(),
        "Charlie renamed"
    );
}

#[tokio::test]
async fn deleting_confirms_and_names_what_refers_to_the_item() {
    let t = office();
    let app = serve(&t);
    let eddy = log_in(&app, "eddy").await;
    let c_uid = t.site.get("/services/c").unwrap().unwrap().uid;
    t.site
        .write(&admin(), |w| {
            w.add(
                "/archive",
                "Page",
                data(json!({"title": "Points to C", "related": c_uid})),
            )
        })
        .unwrap();
    // From folder contents: a confirmation page listing what goes.
    let r = post(
        &app,
        &eddy,
        "/services/@@folder_contents",
        "_action=delete&paths=c&paths=a",
    )
    .await;
    let to = location(&r).replace("http://town.test", "");
    let r = get(&app, &eddy, &to).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(">Charlie</a>") && r.body.contains(">Alpha</a>"));
    assert!(r.body.contains(">Points to C</a>"), "the referrer is named");
    assert_eq!(order(&t, "/services"), ["a", "b", "c"]);
    // Cancel changes nothing; confirming deletes.
    let r = post(
        &app,
        &eddy,
        "/services/@@folder_delete",
        "paths=c&_cancel=1",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(order(&t, "/services"), ["a", "b", "c"]);
    let r = post(&app, &eddy, "/services/@@folder_delete", "paths=c&paths=a").await;
    let page = follow(&app, &eddy, &r).await;
    assert_eq!(
        status_message(&page).as_deref(),
        Some("Fait pour 2 éléments.")
    );
    assert_eq!(order(&t, "/services"), ["b"]);

    // From the item itself.
    let r = get(&app, &eddy, "/services/b/@@delete_confirmation").await;
    assert!(r.body.contains("class=\"danger\""));
    let r = post(&app, &eddy, "/services/b/@@delete_confirmation", "").await;
    assert_eq!(location(&r), "http://town.test/services");
    let page = follow(&app, &eddy, &r).await;
    assert_eq!(
        status_message(&page).as_deref(),
        Some("« Bravo » a été supprimé.")
    );
    assert!(t.site.get("/services/b").unwrap().is_none());
    // The root cannot be deleted.
    let admin_b = log_in(&app, "admin").await;
    let r = get(&app, &admin_b, "/@@delete_confirmation").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn workflow_from_the_page_and_in_bulk_reports_each_item() {
    let t = office();
    let app = serve(&t);
    let admin_b = log_in(&app, "admin").await;
    for title in ["Draft one", "Draft two"] {
        t.site
            .write(&admin(), |w| {
                w.add("/services", "Secret", data(json!({"title": title})))
            })
            .unwrap();
    }
    // The menu on the page: a form with a comment, then a status message.
    let r = post(
        &app,
        &admin_b,
        "/services/draft-one/@workflow/publish",
        "comment=Ready",
    )
    .await;
    assert_eq!(location(&r), "http://town.test/services/draft-one");
    let page = follow(&app, &admin_b, &r).await;
    assert_eq!(
        status_message(&page).as_deref(),
        Some("L’état est maintenant : Publié.")
    );
    assert!(page.body.contains("class=\"state state-published\""));

    // In bulk: "publish" is open to draft two only.
    let r = get(&app, &admin_b, "/services/@@folder_contents").await;
    assert!(r
        .body
        .contains("<option value=\"publish\">Publier</option>"));
    let r = post(
        &app,
        &admin_b,
        "/services/@@folder_contents",
        "_action=transition&transition=publish&comment=All+out&paths=draft-one&paths=draft-two",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("1 fait(s), 1 non fait(s)."), "{}", r.body);
    assert!(r.body.contains("<strong>Draft two</strong> —\n    fait"));
    assert!(r
        .body
        .contains("<strong>Draft one</strong> —\n    non fait"));
    let two = t.site.get("/services/draft-two").unwrap().unwrap();
    assert_eq!(two.review_state.as_deref(), Some("published"));

    // The history page tells it, with the comment.
    let r = get(&app, &admin_b, "/services/draft-two/@@history").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Publier (Privé → Publié)"), "{}", r.body);
    assert!(r
        .body
        .contains("<blockquote class=\"comment\">All out</blockquote>"));
    assert!(r.body.contains(": Créé"));
}

#[tokio::test]
async fn the_sharing_page_searches_and_grants_roles() {
    let t = office();
    let app = serve(&t);
    let eddy = log_in(&app, "eddy").await;
    let r = get(&app, &eddy, "/services/@@sharing").await;
    assert!(r.body.contains("Eddy Editor"));
    assert!(!r.body.contains("Claire Dubois"));
    let r = get(&app, &eddy, "/services/@@sharing?search=clai").await;
    assert!(r.body.contains("Claire Dubois"));
    assert!(r.body.contains("name=\"role.claire\" value=\"Reader\""));
    let r = post(
        &app,
        &eddy,
        "/services/@@sharing",
        "principal=claire&role.claire=Contributor&principal=eddy&role.eddy=Editor&role.eddy=Contributor&_inherit_shown=1&inherit=on",
    )
    .await;
    let page = follow(&app, &eddy, &r).await;
    assert_eq!(
        status_message(&page).as_deref(),
        Some("Les rôles ont été enregistrés.")
    );
    let item = t.site.get("/services").unwrap().unwrap();
    assert!(item.local_roles["claire"].contains("Contributor"));
    assert!(item.local_roles["eddy"].contains("Editor"));
    assert!(!item.block_inheritance);
    // The grid shows what is granted; blocking inheritance is a checkbox.
    assert!(page
        .body
        .contains("name=\"role.claire\" value=\"Contributor\" checked"));
    post(
        &app,
        &eddy,
        "/services/@@sharing",
        "principal=claire&principal=eddy&role.eddy=Editor&role.eddy=Contributor&_inherit_shown=1",
    )
    .await;
    let item = t.site.get("/services").unwrap().unwrap();
    assert!(item.local_roles["eddy"].contains("Editor"));
    assert!(!item
        .local_roles
        .get("claire")
        .is_some_and(|r| r.contains("Contributor")));
    assert!(item.block_inheritance);
    // Roles one does not hold here cannot be handed out.
    let r = post(
        &app,
        &eddy,
        "/services/@@sharing",
        "principal=claire&role.claire=Reviewer",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Without the token: refused.
    let r = request(
        &app,
        "POST",
        "/services/@@sharing",
        &[FORM, ("cookie", &eddy.cookies)],
        "principal=claire&role.claire=Editor",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_add_form_markup_is_stable() {
    let t = office();
    let app = serve(&t);
    let eddy = log_in(&app, "eddy").await;
    let r = request(
        &app,
        "GET",
        "/services/++add++Page",
        &[("cookie", &eddy.cookies), ("accept-language", "en")],
        "",
    )
    .await;
    let start = r.body.find("<h1>").unwrap();
    let end = r.body[start..].find("</form>").unwrap() + start + "</form>".len();
    let mut form = r.body[start..end].replace(&eddy.token, "[csrf]");
    for item in t.site.walk().unwrap() {
        form = form.replace(&item.uid, &format!("[uid {}]", item.path));
    }
    insta::assert_snapshot!("add_form_page", form);
}

#[tokio::test]
async fn a_lock_taken_by_someone_else_stops_the_forms() {
    let t = office();
    let app = serve(&t);
    let eddy = log_in(&app, "eddy").await;
    // Claire edits through the API and holds a lock on Alpha.
    t.site
        .write(&admin(), |w| {
            w.set_local_roles("/services", "claire", &["Editor".into()])
        })
        .unwrap();
    let claire = t.site.principal("claire").unwrap();
    t.site
        .write(&claire, |w| {
            w.lock("/services/a", beffroi::locks::LockOptions::default())
        })
        .unwrap();
    let r = post(
        &app,
        &eddy,
        "/services/a/@@edit",
        &format!(
            "_authenticator={}&_revision=1&title=Overwritten",
            eddy.token
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(t.site.get("/services/a").unwrap().unwrap().title(), "Alpha");
    let r = post(
        &app,
        &eddy,
        "/services/a/@@delete_confirmation",
        &format!("_authenticator={}", eddy.token),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(t.site.get("/services/a").unwrap().is_some());
    // Claire herself still edits with the form.
    let claire_browser = log_in(&app, "claire").await;
    let r = post(
        &app,
        &claire_browser,
        "/services/a/@@edit",
        &format!(
            "_authenticator={}&_revision=1&title=Alpha+revu",
            claire_browser.token
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        t.site.get("/services/a").unwrap().unwrap().title(),
        "Alpha revu"
    );
}

#[tokio::test]
async fn form_uploads_keep_only_the_files_own_name_and_a_sound_type() {
    let t = office();
    let app = serve(&t);
    let eddy = log_in(&app, "eddy").await;
    let boundary = "XyZbeffroi";
    let body = multipart(
        boundary,
        &[
            ("_authenticator", None, &eddy.token),
            ("_revision", None, "1"),
            ("title", None, "Alpha"),
            (
                "attachment",
                Some(("../../etc/plan.txt", "not a type")),
                "the town plan",
            ),
        ],
    );
    let ctype = format!("multipart/form-data; boundary={boundary}");
    let r = request(
        &app,
        "POST",
        "/services/a/@@edit",
        &[("content-type", &ctype), ("cookie", &eddy.cookies)],
        &body,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let item = t.site.get("/services/a").unwrap().unwrap();
    let file = item.field("attachment").unwrap();
    assert_eq!(file["filename"], "plan.txt");
    assert_eq!(file["content_type"], "application/octet-stream");
}
