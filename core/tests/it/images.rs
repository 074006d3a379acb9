//! Image scales (`@@images/{field}/{scale}`, plone.namedfile): sizes,
//! formats, the original standing in, the cache of made scales, ETags,
//! permissions, the JSON `scales`, the pages' `<field>_scales` and
//! `@site`'s `plone.allowed_sizes`.

use std::io::Cursor;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use base64::Engine;
use beffroi::prelude::*;
use image::{DynamicImage, ImageBuffer, ImageFormat, Rgb};
use tower::ServiceExt;

use crate::common::{
    admin, bearer, data, open_site, registry, request, serve, Town, JSON, PASSWORD, SEND_JSON,
};

/// A module with a photo type: an image, a file and a caption, written
/// privately and published (simple_publication), shown by a template
/// that uses a scale.
struct Gallery;

impl Module for Gallery {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "gallery",
            version: "1.0.0",
            title: "Gallery",
            core: "*",
            types: &[(
                "types/photo.toml",
                r#"
name = "Photo"
title = { en = "Photo" }
workflow = "simple_publication"
default_view = "gallery/photo_view"

[[field]]
name = "image"
kind = "image"

[[field]]
name = "scan"
kind = "file"

[[field]]
name = "caption"
kind = "text"
"#,
            )],
            templates: &[(
                "gallery/photo_view.html",
                r#"<img src="{{ item.image_scales.preview }}" alt="{{ item.title }}"> <a href="{{ item.image_scales.huge }}">big</a>"#,
            )],
            ..Manifest::EMPTY
        }
    }
}

static GALLERY: Gallery = Gallery;

/// A town with an album where eddy (Editor, Contributor there) adds photos.
fn town() -> Town {
    let dir = tempfile::tempdir().unwrap();
    let toml = "id = \"town\"\ntitle = \"Test Town\"\nlanguages = [\"fr\", \"en\"]\nhosts = [\"town.test\"]\n[modules.testing]\n[modules.gallery]\n";
    let site = open_site(dir.path(), toml, &registry(&[&GALLERY])).unwrap();
    site.create(Some("Hotel-de-ville-2026")).unwrap();
    site.write(&admin(), |w| {
        w.add_user("eddy", "Eddy Editor", None, PASSWORD, &[])?;
        w.add_user("rita", "Rita Reader", None, PASSWORD, &[])?;
        w.add("/", "Folder", data(json!({"title": "Album"})))?;
        let roles = ["Editor".to_owned(), "Contributor".to_owned()];
        w.set_local_roles("/album", "eddy", &roles)?;
        Ok(())
    })
    .unwrap();
    Town {
        dir,
        site: Arc::new(site),
    }
}

/// A `width` × `height` picture with a gradient, in `format`.
fn picture(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let img = DynamicImage::ImageRgb8(ImageBuffer::from_fn(width, height, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    }));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// The CRC of a PNG chunk (its type and data).
fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xffff_ffff_u32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 == 1 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// A small PNG file whose header claims `width` × `height` pixels (a
/// decompression bomb's announcement, without the bomb).
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], body: &[u8]| {
        out.extend_from_slice(&(body.len() as u32).to_be_bytes());
        let mut typed = kind.to_vec();
        typed.extend_from_slice(body);
        out.extend_from_slice(&typed);
        out.extend_from_slice(&crc32(&typed).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(b"IEND", &[]);
    out
}

/// A JPEG whose EXIF says to turn it 90° clockwise to show it, as phones
/// write them.
fn sideways_jpeg(width: u32, height: u32) -> Vec<u8> {
    let jpeg = picture(width, height, ImageFormat::Jpeg);
    // Big-endian TIFF, one IFD entry: Orientation (0x0112), SHORT, 6.
    let mut exif = b"Exif\0\0MM\x00\x2a\x00\x00\x00\x08\x00\x01".to_vec();
    exif.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xff, 0xe1]);
    out.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// Adds a photo to the album as eddy, over the API; its path.
async fn add_photo(
    app: &Router,
    eddy: &str,
    title: &str,
    bytes: &[u8],
    content_type: &str,
    filename: &str,
) -> String {
    let body = json!({
        "@type": "Photo",
        "title": title,
        "caption": "Vue du beffroi",
        "image": {
            "data": base64::engine::general_purpose::STANDARD.encode(bytes),
            "encoding": "base64",
            "filename": filename,
            "content-type": content_type,
        },
        "scan": {"data": "%PDF-1.4", "filename": "scan.pdf", "content-type": "application/pdf"},
    });
    let r = request(
        app,
        "POST",
        "/album",
        &[JSON, SEND_JSON, ("authorization", eddy)],
        &body.to_string(),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["@id"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://town.test")
        .to_owned()
}

fn publish(t: &Town, path: &str) {
    t.site
        .write(&admin(), |w| w.transition(path, "publish", ""))
        .unwrap();
}

/// An answer with its body as bytes.
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
            .unwrap_or_else(|| panic!("no {name} header"))
    }

    fn image(&self) -> DynamicImage {
        image::load_from_memory(&self.body).expect("an image")
    }
}

async fn fetch(app: &Router, method: &str, uri: &str, headers: &[(&str, &str)]) -> Raw {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "town.test");
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
    let body = axum::body::to_bytes(res.into_body(), 1 << 26)
        .await
        .unwrap()
        .to_vec();
    Raw {
        status,
        headers,
        body,
    }
}

async fn get(app: &Router, uri: &str) -> Raw {
    fetch(app, "GET", uri, &[]).await
}

/// The stored original of a photo's image.
fn original(t: &Town, path: &str) -> beffroi::store::BlobRef {
    let item = t.site.get(path).unwrap().unwrap();
    serde_json::from_value(item.field("image").unwrap().clone()).unwrap()
}

#[tokio::test]
async fn every_scale_has_the_size_the_json_announces() {
    let t = town();
    let app = serve(&t);
    let eddy = bearer(&app, "eddy").await;
    let png = picture(1000, 500, ImageFormat::Png);
    let path = add_photo(&app, &eddy, "Plan", &png, "image/png", "plan.png").await;
    publish(&t, &path);

    // The size is read from the header when the file is stored.
    let stored = original(&t, &path);
    assert_eq!((stored.width, stored.height), (Some(1000), Some(500)));

    let v = request(&app, "GET", &format!("/++api++{path}"), &[], "")
        .await
        .json();
    let image = &v["image"];
    assert_eq!(image["width"], 1000);
    assert_eq!(image["height"], 500);
    assert_eq!(image["content-type"], "image/png");
    assert_eq!(
        image["scales"]["preview"],
        json!({"download": "http://town.test/album/plan/@@images/image/preview", "width": 400, "height": 200})
    );
    assert_eq!(image["scales"]["thumb"]["width"], 128);
    assert_eq!(image["scales"]["thumb"]["height"], 64);
    assert_eq!(
        image["scales"]["huge"]["width"], 1000,
        "never larger than the original"
    );
    assert!(v["scan"].get("scales").is_none(), "a file has no scales");
    let scales = image["scales"].as_object().unwrap();
    assert_eq!(scales.len(), 11);
    for (name, s) in scales {
        let url = s["download"]
            .as_str()
            .unwrap()
            .trim_start_matches("http://town.test");
        let r = get(&app, url).await;
        assert_eq!(r.status, StatusCode::OK, "{name}");
        assert_eq!(r.header(header::CONTENT_TYPE), "image/png", "{name}");
        assert!(r.header(header::CONTENT_DISPOSITION).starts_with("inline;"));
        let img = r.image();
        assert_eq!(
            (u64::from(img.width()), u64::from(img.height())),
            (s["width"].as_u64().unwrap(), s["height"].as_u64().unwrap()),
            "{name}"
        );
        if s["width"] == 1000 {
            assert_eq!(r.body, png, "{name}: the original, as it is");
        }
    }
    // The original, whole.
    let r = get(&app, &format!("{path}/@@images/image")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, png);

    // A JPEG stays a JPEG; a GIF's scale is a PNG.
    let jpeg = picture(1600, 1200, ImageFormat::Jpeg);
    let path = add_photo(&app, &eddy, "Place", &jpeg, "image/jpeg", "place.jpg").await;
    publish(&t, &path);
    let r = get(&app, &format!("{path}/@@images/image/preview")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header(header::CONTENT_TYPE), "image/jpeg");
    assert!(r.header(header::CONTENT_DISPOSITION).contains("place.jpg"));
    let img = r.image();
    assert_eq!((img.width(), img.height()), (400, 300));
    assert!(r.body.len() < jpeg.len());

    let gif = picture(300, 300, ImageFormat::Gif);
    let path = add_photo(&app, &eddy, "Logo", &gif, "image/gif", "logo.gif").await;
    publish(&t, &path);
    let r = get(&app, &format!("{path}/@@images/image/thumb")).await;
    assert_eq!(r.header(header::CONTENT_TYPE), "image/png");
    assert!(r.header(header::CONTENT_DISPOSITION).contains("logo.png"));
    assert_eq!(r.image().width(), 128);
    let r = get(&app, &format!("{path}/@@images/image/preview")).await;
    assert_eq!(r.header(header::CONTENT_TYPE), "image/gif", "it fits");
    assert_eq!(r.body, gif);
}

#[tokio::test]
async fn a_sideways_phone_photo_is_measured_and_scaled_upright() {
    let t = town();
    let app = serve(&t);
    let eddy = bearer(&app, "eddy").await;
    let jpeg = sideways_jpeg(400, 200);
    let path = add_photo(&app, &eddy, "Portrait", &jpeg, "image/jpeg", "p.jpg").await;
    publish(&t, &path);
    let stored = original(&t, &path);
    assert_eq!((stored.width, stored.height), (Some(200), Some(400)));
    let v = request(&app, "GET", &format!("/++api++{path}"), &[], "")
        .await
        .json();
    assert_eq!(v["image"]["scales"]["thumb"]["width"], 64);
    assert_eq!(v["image"]["scales"]["thumb"]["height"], 128);
    let r = get(&app, &format!("{path}/@@images/image/thumb")).await;
    let img = r.image();
    assert_eq!((img.width(), img.height()), (64, 128));
}

#[tokio::test]
async fn a_small_image_is_served_as_it_is_without_decoding() {
    let t = town();
    let app = serve(&t);
    let eddy = bearer(&app, "eddy").await;
    let png = picture(100, 80, ImageFormat::Png);
    let path = add_photo(&app, &eddy, "Icône", &png, "image/png", "icone.png").await;
    publish(&t, &path);
    let r = get(&app, &format!("{path}/@@images/image/preview")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, png);
    assert_eq!(
        r.header(header::ETAG),
        format!("\"{}\"", original(&t, &path).sha256)
    );
    assert_eq!(t.site.image_scalings(), 0, "the stored size was enough");
    let r = get(&app, &format!("{path}/@@images/image/tile")).await;
    assert_eq!(r.image().width(), 64);
    assert_eq!(t.site.image_scalings(), 1);
}

#[tokio::test]
async fn a_scale_is_made_once_then_read_from_the_store() {
    let t = town();
    let app = serve(&t);
    let eddy = bearer(&app, "eddy").await;
    let png = picture(1200, 900, ImageFormat::Png);
    let path = add_photo(&app, &eddy, "Marché", &png, "image/png", "marche.png").await;
    publish(&t, &path);
    let url = format!("{path}/@@images/image/preview");
    let sha = original(&t, &path).sha256;
    assert!(t.site.cached_scale(&sha, "preview").unwrap().is_none());

    let first = get(&app, &url).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(t.site.image_scalings(), 1);
    let cached = t.site.cached_scale(&sha, "preview").unwrap().unwrap();
    assert_eq!((cached.width, cached.height), (400, 300));
    assert_ne!(cached.blob.sha256, sha);
    assert!(t.site.store().has_blob(&cached.blob.sha256).unwrap());
    let etag = format!("\"{}\"", cached.blob.sha256);
    assert_eq!(first.header(header::ETAG), etag);
    assert_eq!(first.header(header::CACHE_CONTROL), "public, max-age=86400");

    // Again: the same file, from the store, not decoded again.
    let second = get(&app, &url).await;
    assert_eq!(second.body, first.body);
    assert_eq!(t.site.image_scalings(), 1);

    // Revalidation, HEAD, ranges.
    let r = fetch(&app, "GET", &url, &[("if-none-match", &etag)]).await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    assert!(r.body.is_empty());
    let r = fetch(&app, "GET", &url, &[("if-none-match", "\"other\"")]).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = fetch(&app, "HEAD", &url, &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.is_empty());
    assert_eq!(
        r.header(header::CONTENT_LENGTH),
        first.body.len().to_string()
    );
    let r = fetch(&app, "GET", &url, &[("range", "bytes=0-7")]).await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.body, &first.body[..8]);

    // The original keeps its own ETag; @@download too answers 304.
    let r = fetch(
        &app,
        "GET",
        &format!("{path}/@@download/image"),
        &[("if-none-match", &format!("\"{sha}\""))],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);

    // A logged-in user's answer is private, like every other.
    let r = fetch(&app, "GET", &url, &[("authorization", &eddy)]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header(header::CACHE_CONTROL), "private, no-cache");
    assert_eq!(t.site.image_scalings(), 1);

    // Simultaneous first requests wait for one another: one decode.
    let large = format!("{path}/@@images/image/large");
    let (a, b, c, d) = tokio::join!(
        get(&app, &large),
        get(&app, &large),
        get(&app, &large),
        get(&app, &large)
    );
    for r in [&a, &b, &c, &d] {
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body, a.body);
    }
    assert_eq!(a.image().width(), 800);
    assert_eq!(t.site.image_scalings(), 2);
}

#[tokio::test]
async fn a_private_image_is_scaled_only_for_who_may_view_it() {
    let t = town();
    let app = serve(&t);
    let eddy = bearer(&app, "eddy").await;
    let rita = bearer(&app, "rita").await;
    let png = picture(800, 600, ImageFormat::Png);
    let path = add_photo(&app, &eddy, "Brouillon", &png, "image/png", "b.png").await;
    for url in [
        format!("{path}/@@images/image/preview"),
        format!("{path}/@@images/image"),
        format!("{path}/@@download/image"),
    ] {
        assert_eq!(get(&app, &url).await.status, StatusCode::NOT_FOUND, "{url}");
        let r = fetch(&app, "GET", &url, &[("authorization", &rita)]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{url}");
        let r = fetch(&app, "GET", &url, &[("authorization", &eddy)]).await;
        assert_eq!(r.status, StatusCode::OK, "{url}");
    }
    assert_eq!(t.site.image_scalings(), 1, "only the owner's request");
    let r = fetch(
        &app,
        "GET",
        &format!("{path}/@@images/image/preview"),
        &[("authorization", &eddy)],
    )
    .await;
    assert_eq!(r.image().width(), 400);
}

#[tokio::test]
async fn unknown_scales_and_fields_that_are_not_images_are_missing() {
    let t = town();
    let app = serve(&t);
    let eddy = bearer(&app, "eddy").await;
    let png = picture(500, 500, ImageFormat::Png);
    let path = add_photo(&app, &eddy, "Tour", &png, "image/png", "tour.png").await;
    publish(&t, &path);
    for rest in [
        "image/enormous",
        "image/preview/more",
        "scan/preview",
        "scan",
        "caption/preview",
        "title/thumb",
        "nothing/preview",
    ] {
        let r = get(&app, &format!("{path}/@@images/{rest}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{rest}");
    }
    assert_eq!(
        get(&app, "/album/none/@@images/image/preview").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(t.site.image_scalings(), 0);
}

#[tokio::test]
async fn unreadable_and_oversized_images_serve_the_original() {
    let t = town();
    let app = serve(&t);
    let eddy = bearer(&app, "eddy").await;
    // Text in a file named .png.
    let text = b"this is not a picture at all".to_vec();
    let path = add_photo(&app, &eddy, "Faux", &text, "image/png", "faux.png").await;
    publish(&t, &path);
    let stored = original(&t, &path);
    assert_eq!(stored.width, None);
    let url = format!("{path}/@@images/image/preview");
    for _ in 0..2 {
        let r = get(&app, &url).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header(header::CONTENT_TYPE), "image/png");
        assert_eq!(r.body, text);
    }
    assert_eq!(t.site.image_scalings(), 1, "tried once, remembered");
    let v = request(&app, "GET", &format!("/++api++{path}"), &[], "")
        .await
        .json();
    assert_eq!(v["image"]["scales"], json!({}));
    assert!(v["image"].get("width").is_none());

    // A PNG whose header claims 100 megapixels is never decoded.
    let bomb = png_claiming(10_000, 10_000);
    let path = add_photo(&app, &eddy, "Bombe", &bomb, "image/png", "bombe.png").await;
    publish(&t, &path);
    let r = get(&app, &format!("{path}/@@images/image/large")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, bomb);
    let sha = original(&t, &path).sha256;
    let record = t.site.cached_scale(&sha, "large").unwrap().unwrap();
    assert_eq!(record.blob.sha256, sha, "recorded as not scalable");
    let v = request(&app, "GET", &format!("/++api++{path}"), &[], "")
        .await
        .json();
    assert_eq!(v["image"]["width"], 10_000);
    assert_eq!(v["image"]["scales"], json!({}));
}

#[tokio::test]
async fn svg_is_never_rasterised_and_runs_no_script() {
    let t = town();
    let app = serve(&t);
    let eddy = bearer(&app, "eddy").await;
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="900" height="900"><script>alert(1)</script></svg>"#;
    let path = add_photo(&app, &eddy, "Blason", svg, "image/svg+xml", "blason.svg").await;
    publish(&t, &path);
    for url in [
        format!("{path}/@@images/image/preview"),
        format!("{path}/@@images/image"),
        format!("{path}/@@download/image"),
    ] {
        let r = get(&app, &url).await;
        assert_eq!(r.status, StatusCode::OK, "{url}");
        assert_eq!(r.body, svg.to_vec());
        assert_eq!(r.header(header::CONTENT_TYPE), "image/svg+xml");
        assert_eq!(
            r.header(header::CONTENT_SECURITY_POLICY),
            "default-src 'none'; style-src 'unsafe-inline'"
        );
        assert_eq!(r.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert!(r
            .header(header::CONTENT_DISPOSITION)
            .starts_with("attachment;"));
    }
    assert_eq!(t.site.image_scalings(), 0);
}

#[tokio::test]
async fn pages_get_the_scales_addresses_and_the_site_lists_the_sizes() {
    let t = town();
    let app = serve(&t);
    let eddy = bearer(&app, "eddy").await;
    let png = picture(640, 480, ImageFormat::Png);
    let path = add_photo(&app, &eddy, "Kiosque", &png, "image/png", "k.png").await;
    publish(&t, &path);
    let html = request(&app, "GET", &path, &[], "").await;
    assert_eq!(html.status, StatusCode::OK, "{}", html.body);
    assert!(
        html.body.contains(
            "<img src=\"http://town.test/album/kiosque/@@images/image/preview\" alt=\"Kiosque\">"
        ),
        "{}",
        html.body
    );
    assert!(html
        .body
        .contains("href=\"http://town.test/album/kiosque/@@images/image/huge\""));

    let v = request(&app, "GET", "/@site", &[JSON], "").await.json();
    let sizes: Vec<&str> = v["plone.allowed_sizes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(
        sizes,
        [
            "huge 1600:65536",
            "great 1200:65536",
            "larger 1000:65536",
            "large 800:65536",
            "teaser 600:65536",
            "preview 400:65536",
            "mini 200:65536",
            "thumb 128:128",
            "tile 64:64",
            "icon 32:32",
            "listing 16:16",
        ]
    );
}
