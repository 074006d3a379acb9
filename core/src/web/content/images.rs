//! `@@images/{field}` and `@@images/{field}/{scale}` (plone.namedfile): an
//! image field shown inline, whole or at one of Plone's scales
//! ([`crate::images`]), read with the same check as its `@@download`; and
//! the scales' addresses for the JSON answers and the pages.

use std::sync::Arc;

use axum::http::{header, HeaderValue};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::files::{field_blob, send_blob};
use crate::error::{Error, Result};
use crate::images::{self, SCALES};
use crate::store::BlobRef;
use crate::web::Req;

/// How long shared caches may keep a scale. Its address stays the same
/// when the image is replaced, so not for ever.
const SCALE_CACHE: &str = "public, max-age=86400";

/// `GET @@images/{field}[/{scale}]`. `rest` is what follows `@@images/`.
pub(super) async fn serve(req: &Req<'_>, path: &str, rest: &str) -> Result<Response> {
    let missing = || Error::NotFound(format!("{path}/@@images/{rest}"));
    let mut segments = rest.split('/');
    let field = segments.next().unwrap_or_default();
    let scale = segments.next();
    if segments.next().is_some() {
        return Err(missing());
    }
    let original = field_blob(req, path, field, true)?;
    let Some(scale) = scale else {
        return send_blob(req, &original, true);
    };
    if images::scale(scale).is_none() {
        return Err(missing());
    }
    let site = Arc::clone(&req.arc);
    let (blob, name) = (original.clone(), scale.to_owned());
    let made = tokio::task::spawn_blocking(move || site.image_scale(&blob, &name))
        .await
        .map_err(|e| {
            Error::Store(crate::store::StoreError::new(
                crate::store::StoreErrorKind::Unavailable,
                format!("the image scale was not made: {e}"),
            ))
        })??;
    let served = made.map_or(original, |s| s.blob);
    let mut response = send_blob(req, &served, true)?;
    // A logged-in user's answers are made private after this, like all.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(SCALE_CACHE));
    Ok(response)
}

/// An image field's members beyond the file's (plone.restapi): `width`,
/// `height` and `scales`, each scale with its `download` address and the
/// size it has. An image whose size is unknown (SVG, unreadable) has no
/// `width`/`height`; it and one too large to scale have empty `scales`.
pub(in crate::web) fn image_members(
    req: &Req<'_>,
    url: &str,
    field: &str,
    blob: &BlobRef,
) -> Map<String, Value> {
    let mut out = Map::new();
    let mut scales = Map::new();
    if let Some((w, h)) = req.site.image_dimensions(blob) {
        out.insert("width".into(), json!(w));
        out.insert("height".into(), json!(h));
        let scalable = u64::from(w) * u64::from(h) <= images::MAX_PIXELS;
        for s in SCALES.iter().filter(|_| scalable) {
            let (sw, sh) = s.fit(w, h);
            scales.insert(
                s.name.into(),
                json!({
                    "download": format!("{url}/@@images/{field}/{}", s.name),
                    "width": sw,
                    "height": sh,
                }),
            );
        }
    }
    out.insert("scales".into(), Value::Object(scales));
    out
}

/// Every scale's address, by name, for the pages (`item.<field>_scales`):
/// each answers for any image, the original standing in when it cannot
/// be scaled.
pub(in crate::web) fn scale_urls(url: &str, field: &str) -> Map<String, Value> {
    SCALES
        .iter()
        .map(|s| {
            (
                s.name.to_owned(),
                json!(format!("{url}/@@images/{field}/{}", s.name)),
            )
        })
        .collect()
}
