//! `multipart/form-data` bodies: forms with file fields, and API uploads.

use axum::http::{header, HeaderMap};

use crate::error::{Error, FieldError, Result};

/// One part of a `multipart/form-data` body.
#[derive(Debug, Clone)]
pub(super) struct Part {
    /// The form field's name.
    pub(super) name: String,
    /// The file's name, for a file part.
    pub(super) filename: Option<String>,
    /// The part's media type, when given.
    pub(super) content_type: Option<String>,
    /// The part's bytes.
    pub(super) data: Vec<u8>,
}

impl Part {
    /// The part as text (a plain form field); invalid UTF-8 is replaced.
    pub(super) fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

/// Whether the request's body is `multipart/form-data`.
pub(super) fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|c| c.trim_start().starts_with("multipart/form-data"))
}

/// Splits a `multipart/form-data` body into its parts. A body that is not
/// well formed is a 400, naming what is wrong.
pub(super) async fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Vec<Part>> {
    let bad = |m: String| Error::Invalid(vec![FieldError::new("body", "bad_multipart", m)]);
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let boundary = multer::parse_boundary(content_type).map_err(|e| bad(e.to_string()))?;
    let bytes = bytes_of(body);
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(bytes) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut parts = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| bad(e.to_string()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field
            .file_name()
            .filter(|f| !f.is_empty())
            .map(str::to_owned);
        let content_type = field.content_type().map(ToString::to_string);
        let data = field.bytes().await.map_err(|e| bad(e.to_string()))?;
        parts.push(Part {
            name,
            filename,
            content_type,
            data: data.to_vec(),
        });
    }
    Ok(parts)
}

fn bytes_of(body: &[u8]) -> axum::body::Bytes {
    axum::body::Bytes::copy_from_slice(body)
}
