//! HTTP caching: validators and 304s, who may keep what (`Cache-Control`,
//! `Vary`), compression, and the fingerprinted addresses of the core's and
//! modules' files.

use std::io::Read;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use beffroi::prelude::*;
use beffroi::render::Renderer;
use beffroi::{CoreModule, SiteConfig};
use tower::ServiceExt;

use crate::common::{
    admin, basic, data, open_site, registry, serve, staffed, Town, JSON, SITE_TOML,
};

/// An answer with its body as bytes (compressed ones are not text).
struct Raw {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(&name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
}

async fn get(app: &Router, uri: &str, headers: &[(&str, &str)]) -> Raw {
    let mut req = Request::get(uri).header(header::HOST, "town.test");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap()
        .to_vec();
    Raw {
        status,
        headers,
        body,
    }
}

/// A staffed town (users sam, eddy, claire) with a public page at
/// `/services/etat-civil` and a private one at `/services/brouillon`.
fn town() -> Town {
    let t = staffed();
    let s = &t.site;
    s.add(&admin(), "/", "Folder", data(json!({"title": "Services"})))
        .unwrap();
    s.add(
        &admin(),
        "/services",
        "Page",
        data(json!({"title": "État civil", "text": "<p>Guichet ouvert le lundi. Les naissances, mariages et décès se déclarent ici, sur rendez-vous.</p>"})),
    )
    .unwrap();
    s.add(
        &admin(),
        "/services",
        "Secret",
        data(json!({"title": "Brouillon"})),
    )
    .unwrap();
    t
}

/// The check every test of the validators makes: the first answer, then
/// the same request with `If-None-Match` gets a 304 with the same
/// validators and no body.
async fn revalidates(app: &Router, uri: &str, headers: &[(&str, &str)]) -> String {
    let first = get(app, uri, headers).await;
    assert_eq!(first.status, StatusCode::OK, "{uri}");
    let etag = first.header(header::ETAG).to_owned();
    assert!(!etag.is_empty(), "{uri} has no ETag");
    assert!(!first.header(header::LAST_MODIFIED).is_empty(), "{uri}");
    let mut with = headers.to_vec();
    with.push(("if-none-match", &etag));
    let again = get(app, uri, &with).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{uri}");
    assert!(again.body.is_empty());
    assert_eq!(again.header(header::ETAG), etag);
    assert_eq!(
        again.header(header::CACHE_CONTROL),
        first.header(header::CACHE_CONTROL),
        "a 304 says what its 200 said"
    );
    etag
}

#[tokio::test]
async fn an_edited_page_is_never_served_stale() {
    let t = town();
    let app = serve(&t);
    let page = "/services/etat-civil";
    for (n, accept) in [None, Some(JSON)].into_iter().enumerate() {
        let headers: Vec<(&str, &str)> = accept.into_iter().collect();
        let etag = revalidates(&app, page, &headers).await;
        t.site
            .update(
                &admin(),
                page,
                data(json!({"title": format!("État civil, édition {n}")})),
                None,
            )
            .unwrap();
        let mut with = headers.clone();
        with.push(("if-none-match", &etag));
        let fresh = get(&app, page, &with).await;
        assert_eq!(fresh.status, StatusCode::OK);
        assert!(fresh.text().contains(&format!("État civil, édition {n}")));
        assert_ne!(fresh.header(header::ETAG), etag);
    }
    // A page shows more than its item: a new section in the navigation
    // changes it too, although the page's item did not change.
    let etag = revalidates(&app, page, &[]).await;
    t.site
        .add(&admin(), "/", "Folder", data(json!({"title": "Loisirs"})))
        .unwrap();
    let fresh = get(&app, page, &[("if-none-match", &etag)]).await;
    assert_eq!(fresh.status, StatusCode::OK);
    assert!(fresh.text().contains("Loisirs"));
}

#[tokio::test]
async fn unchanged_answers_are_not_sent_again() {
    let t = town();
    let app = serve(&t);
    // Pages, JSON, services and files all carry validators.
    revalidates(&app, "/services/etat-civil", &[]).await;
    revalidates(&app, "/services/etat-civil", &[JSON]).await;
    revalidates(&app, "/@navigation", &[JSON]).await;
    revalidates(&app, "/@search?SearchableText=civil", &[JSON]).await;
    let blob = t
        .site
        .put_blob(
            &mut &b"%PDF-1.4 ordre du jour"[..],
            "application/pdf",
            "odj.pdf",
        )
        .unwrap();
    t.site
        .add(
            &admin(),
            "/",
            "Page",
            data(json!({"title": "Conseil", "attachment": serde_json::to_value(&blob).unwrap()})),
        )
        .unwrap();
    revalidates(&app, "/conseil/@@download/attachment", &[]).await;

    // `If-Modified-Since`: a date this server gave, once that second has
    // passed (a page is dated from the second after it was first served).
    let first = get(&app, "/services/etat-civil", &[]).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let second = get(&app, "/services/etat-civil", &[]).await;
    let date = second.header(header::LAST_MODIFIED).to_owned();
    assert!(date.ends_with(" GMT"), "{date}");
    let r = get(
        &app,
        "/services/etat-civil",
        &[("if-modified-since", &date)],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    assert_eq!(r.header(header::LAST_MODIFIED), date);
    // The first answer's date was no later than that.
    assert!(!first.header(header::LAST_MODIFIED).is_empty());
    // After a change, the same date no longer matches.
    t.site
        .update(
            &admin(),
            "/services/etat-civil",
            data(json!({"description": "Changé"})),
            None,
        )
        .unwrap();
    let r = get(
        &app,
        "/services/etat-civil",
        &[("if-modified-since", &date)],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("Changé"));
    // A date in the future was not given by this server: ignored.
    let r = get(
        &app,
        "/services/etat-civil",
        &[("if-modified-since", "Fri, 01 Jan 2100 00:00:00 GMT")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    // The file too, dated once its second has passed.
    let r = get(&app, "/conseil/@@download/attachment", &[]).await;
    let date = r.header(header::LAST_MODIFIED).to_owned();
    let r = get(
        &app,
        "/conseil/@@download/attachment",
        &[("if-modified-since", &date)],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn a_visitors_public_answers_may_be_kept_and_vary_with_who_asks() {
    let t = town();
    let app = serve(&t);
    for headers in [vec![], vec![JSON]] {
        let r = get(&app, "/services/etat-civil", &headers).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            r.header(header::CACHE_CONTROL),
            "public, max-age=0, must-revalidate"
        );
        let vary: Vec<String> = r
            .headers
            .get_all(header::VARY)
            .iter()
            .flat_map(|v| v.to_str().unwrap().split(','))
            .map(|v| v.trim().to_ascii_lowercase())
            .collect();
        for name in ["accept", "accept-language", "cookie", "authorization"] {
            assert!(
                vary.iter().any(|v| v == name),
                "Vary lacks {name}: {vary:?}"
            );
        }
    }
    // Each language is its own answer: one's ETag is not the other's.
    let fr = get(&app, "/services/etat-civil", &[("accept-language", "fr")]).await;
    let en = get(
        &app,
        "/services/etat-civil",
        &[
            ("accept-language", "en"),
            ("if-none-match", fr.header(header::ETAG)),
        ],
    )
    .await;
    assert_eq!(en.status, StatusCode::OK);
    assert_ne!(en.header(header::ETAG), fr.header(header::ETAG));
}

#[tokio::test]
async fn a_logged_in_users_answers_are_theirs_alone() {
    let t = town();
    let app = serve(&t);
    let auth = basic("eddy");
    for uri in [
        "/services/etat-civil",
        "/services/brouillon",
        "/@navigation",
    ] {
        let r = get(&app, uri, &[JSON, ("authorization", &auth)]).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
        assert_eq!(
            r.header(header::CACHE_CONTROL),
            "private, no-cache",
            "{uri}"
        );
        // The 304 too.
        let etag = r.header(header::ETAG).to_owned();
        let r = get(
            &app,
            uri,
            &[JSON, ("authorization", &auth), ("if-none-match", &etag)],
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_MODIFIED, "{uri}");
        assert_eq!(
            r.header(header::CACHE_CONTROL),
            "private, no-cache",
            "{uri}"
        );
    }
    // The same page as a visitor sees it is not the editor's.
    let mine = get(&app, "/services/etat-civil", &[("authorization", &auth)]).await;
    let visitor = get(
        &app,
        "/services/etat-civil",
        &[("if-none-match", mine.header(header::ETAG))],
    )
    .await;
    assert_eq!(visitor.status, StatusCode::OK);
    assert!(!visitor.text().contains("Eddy Editor"));
    // Nor is the visitors' page, kept in memory, the editor's.
    let again = get(&app, "/services/etat-civil", &[("authorization", &auth)]).await;
    assert!(again.text().contains("Eddy Editor"));
    assert_eq!(again.header(header::CACHE_CONTROL), "private, no-cache");
}

#[tokio::test]
async fn a_private_items_404_is_not_kept() {
    let t = town();
    let app = serve(&t);
    for headers in [vec![], vec![JSON]] {
        let r = get(&app, "/services/brouillon", &headers).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.header(header::CACHE_CONTROL), "no-store");
        assert!(r.header(header::ETAG).is_empty());
    }
    // Once published, the visitor sees it at once.
    t.site
        .write(&admin(), |w| {
            w.transition("/services/brouillon", "publish", "")
        })
        .unwrap();
    let r = get(&app, "/services/brouillon", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn text_is_compressed_as_the_client_accepts() {
    let t = town();
    let app = serve(&t);
    let plain = get(&app, "/services/etat-civil", &[]).await;
    assert!(plain.header(header::CONTENT_ENCODING).is_empty());

    let gz = get(&app, "/services/etat-civil", &[("accept-encoding", "gzip")]).await;
    assert_eq!(gz.header(header::CONTENT_ENCODING), "gzip");
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(gz.body.as_slice())
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, plain.body);
    assert!(gz.body.len() < plain.body.len());
    // Its ETag is weak (the bytes differ) and still revalidates.
    let etag = gz.header(header::ETAG).to_owned();
    assert_eq!(etag, format!("W/{}", plain.header(header::ETAG)));
    let r = get(
        &app,
        "/services/etat-civil",
        &[("accept-encoding", "gzip"), ("if-none-match", &etag)],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    let vary = r
        .headers
        .get_all(header::VARY)
        .iter()
        .map(|v| v.to_str().unwrap().to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(",");
    assert!(vary.contains("accept-encoding"), "{vary}");

    let br = get(
        &app,
        "/services/etat-civil",
        &[JSON, ("accept-encoding", "br;q=1, gzip;q=0.5")],
    )
    .await;
    assert_eq!(br.header(header::CONTENT_ENCODING), "br");
    let mut unbrotli = Vec::new();
    brotli_decompressor::BrotliDecompress(&mut br.body.as_slice(), &mut unbrotli).unwrap();
    let json = get(&app, "/services/etat-civil", &[JSON]).await;
    assert_eq!(unbrotli, json.body);

    // Pictures are compressed already: sent as they are.
    let png = {
        let img = image::DynamicImage::ImageRgb8(image::ImageBuffer::from_fn(64, 64, |x, y| {
            image::Rgb([(x * 4) as u8, (y * 4) as u8, 128])
        }));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    let blob = t
        .site
        .put_blob(&mut &png[..], "image/png", "logo.png")
        .unwrap();
    t.site
        .add(
            &admin(),
            "/",
            "Page",
            data(json!({"title": "Logo", "photo": serde_json::to_value(&blob).unwrap()})),
        )
        .unwrap();
    let r = get(
        &app,
        "/logo/@@images/photo",
        &[("accept-encoding", "gzip, br")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header(header::CONTENT_ENCODING).is_empty());
    assert_eq!(r.body, png);
}

/// A module bringing a stylesheet, in two versions.
struct Styled(&'static [(&'static str, &'static str, &'static str)]);

const CSS_V1: &str = "body { color: #222; }";
static STYLED_V1: Styled = Styled(&[("styled.css", "text/css; charset=utf-8", CSS_V1)]);
static STYLED_V2: Styled = Styled(&[(
    "styled.css",
    "text/css; charset=utf-8",
    "body { color: #000; }",
)]);

impl Module for Styled {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "styled",
            version: "1.0.0",
            title: "Styled",
            core: "^0.2",
            templates: &[(
                "styled/link.html",
                r#"{{ resource_url(module="styled", file="styled.css") }}"#,
            )],
            ..Manifest::EMPTY
        }
    }

    fn assets(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        self.0
    }
}

fn styled_url(module: &'static Styled) -> String {
    let dir = tempfile::tempdir().unwrap();
    let config = SiteConfig::parse("site.toml", SITE_TOML, dir.path()).unwrap();
    let renderer = Renderer::new(&config, &[&CoreModule, module]).unwrap();
    renderer
        .render("styled/link.html", &tera::Context::new())
        .unwrap()
}

#[tokio::test]
async fn the_core_and_modules_files_have_addresses_that_change_with_them() {
    // The address carries the content's hash: the same for the same
    // content, another for another.
    let v1 = styled_url(&STYLED_V1);
    assert!(v1.starts_with("/++resource++styled/styled."), "{v1}");
    assert_eq!(v1, styled_url(&STYLED_V1));
    assert_ne!(v1, styled_url(&STYLED_V2));

    let dir = tempfile::tempdir().unwrap();
    let toml = format!("{SITE_TOML}[modules.styled]\n");
    let site = open_site(dir.path(), &toml, &registry(&[&STYLED_V1])).unwrap();
    site.create(None).unwrap();
    let t = Town {
        dir,
        site: Arc::new(site),
    };
    let app = serve(&t);
    let page = get(&app, "/", &[]).await.text();
    let style = page
        .split('"')
        .find(|s| s.starts_with("/++resource++beffroi/style."))
        .expect("the page links the fingerprinted style sheet")
        .to_owned();
    t.site
        .write(&admin(), |w| {
            w.add_user("sam", "Sam", None, crate::common::PASSWORD, &[])
        })
        .unwrap();
    let auth = basic("sam");
    for (uri, headers) in [
        (style.as_str(), vec![]),
        (v1.as_str(), vec![]),
        // Even for a logged-in user: the file is everyone's.
        (style.as_str(), vec![("authorization", auth.as_str())]),
    ] {
        let r = get(&app, uri, &headers).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
        assert_eq!(
            r.header(header::CACHE_CONTROL),
            "public, max-age=31536000, immutable",
            "{uri}"
        );
        assert!(!r.header(header::VARY).contains("Cookie"), "{uri}");
    }
    assert_eq!(get(&app, &v1, &[]).await.text(), CSS_V1);
    // The plain address, and an old one, still answer, for a short time.
    let old = "/++resource++styled/styled.00000000.css".to_owned();
    assert_ne!(old, v1);
    for uri in [
        "/++resource++beffroi/style.css",
        "/++resource++styled/styled.css",
        old.as_str(),
    ] {
        let r = get(&app, uri, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
        assert_eq!(
            r.header(header::CACHE_CONTROL),
            "public, max-age=300",
            "{uri}"
        );
    }
    assert_eq!(get(&app, &old, &[]).await.text(), CSS_V1);
    revalidates(&app, "/++resource++styled/styled.css", &[]).await;
}
