//! Bodies of API writes, with their files: JSON (file fields as
//! plone.restapi's `{"data", "encoding", "filename", "content-type"}`) or
//! `multipart/form-data` (one part per field, file parts become blobs);
//! and downloads of stored files, with byte ranges.

use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::Response;
use base64::Engine;
use serde_json::{Map, Value};

use super::super::auth::{check_form_csrf, check_json_csrf, json_body};
use super::super::multipart::{self, Part};
use super::super::{Call, Req, Via};
use crate::error::{Error, FieldError, Result};
use crate::schema::{FieldKind, TypeDef, WriteMode};
use crate::store::BlobRef;

/// The field error code of a file past the site's upload limit (413).
pub(super) const TOO_LARGE: &str = "upload_too_large";

/// A write's body before its files are stored.
pub(super) struct Input {
    /// The members or form fields.
    pub(super) data: Map<String, Value>,
    /// File parts of a multipart body.
    files: Vec<Part>,
    /// Whether the values came as form text (multipart), to be read by
    /// each field's kind.
    form: bool,
}

/// Reads a write's body: a JSON object, or a multipart form. A browser's
/// cookie-authenticated multipart body (which another site's form could
/// send) must carry the CSRF token, as `X-CSRF-Token` or `_authenticator`.
pub(super) async fn read_input(req: &Req<'_>, call: &Call) -> Result<Input> {
    if !multipart::is_multipart(req.headers) {
        check_json_csrf(req)?;
        let v: Value = json_body(req, &call.body)?;
        return match v {
            Value::Object(data) => Ok(Input {
                data,
                files: Vec::new(),
                form: false,
            }),
            _ => Err(Error::Invalid(vec![FieldError::new(
                "body",
                "bad_json",
                "the body must be a JSON object",
            )])),
        };
    }
    let parts = multipart::parse(req.headers, &call.body).await?;
    if req.via == Via::Cookie && check_json_csrf(req).is_err() {
        let fields: Vec<(String, String)> = parts
            .iter()
            .filter(|p| p.filename.is_none())
            .map(|p| (p.name.clone(), p.text()))
            .collect();
        check_form_csrf(req, &fields)?;
    }
    let mut data = Map::new();
    let mut files = Vec::new();
    for p in parts {
        if p.name == "_authenticator" {
            continue;
        }
        if p.filename.is_some() {
            files.push(p);
        } else {
            data.insert(p.name.clone(), Value::String(p.text()));
        }
    }
    Ok(Input {
        data,
        files,
        form: true,
    })
}

/// Kinds whose form text is read as JSON (numbers, booleans, lists,
/// addresses); the others take the text as it is.
fn takes_json(kind: FieldKind) -> bool {
    matches!(
        kind,
        FieldKind::Integer
            | FieldKind::Decimal
            | FieldKind::Bool
            | FieldKind::MultiChoice
            | FieldKind::Address
    )
}

/// One file to store: the field, its bytes, its media type and name.
struct Upload {
    field: String,
    data: Vec<u8>,
    content_type: String,
    filename: String,
}

/// Turns the body into field values for the type `ty`: form text read by
/// kind, files stored as blobs. A file field sent back as the API showed
/// it (`{"download", …}`, no `data`) is left unchanged. Every problem is
/// reported at once, and nothing is stored unless all files are fine.
pub(super) fn resolve(
    req: &Req<'_>,
    ty: &TypeDef,
    input: Input,
    mode: WriteMode,
) -> Result<Map<String, Value>> {
    let max = req.site.config().max_upload_mb.saturating_mul(1024 * 1024);
    let mut data = input.data;
    let mut errors = Vec::new();
    let mut uploads = Vec::new();
    let mut unchanged = Vec::new();
    for (name, v) in data.iter_mut() {
        let Some(f) = ty.field(name) else { continue };
        if input.form {
            let text = v.as_str().unwrap_or("").to_owned();
            if f.kind.is_blob() && text.trim().is_empty() {
                // An empty file input: the file stays as it is.
                unchanged.push(name.clone());
            } else if takes_json(f.kind) {
                *v = if text.trim().is_empty() {
                    Value::Null
                } else {
                    match serde_json::from_str(&text) {
                        Ok(j) => j,
                        Err(_) => {
                            errors.push(FieldError::new(
                                name,
                                "wrong_type",
                                "expected a number, true or false, or a JSON list or object",
                            ));
                            continue;
                        }
                    }
                };
            }
            continue;
        }
        if !f.kind.is_blob() {
            continue;
        }
        let Some(obj) = v.as_object() else { continue };
        if obj.contains_key("sha256") {
            // A stored file's reference names its content by hash: taking
            // one from a caller would let anyone who learnt a hash attach
            // (and then download) a file they may not read.
            errors.push(FieldError::new(
                name,
                "wrong_type",
                "send a file as {\"data\", \"encoding\", \"filename\", \"content-type\"}, or as the API showed it to keep it",
            ));
            continue;
        }
        if !obj.contains_key("data") {
            if obj.contains_key("download") {
                unchanged.push(name.clone());
            }
            continue;
        }
        match decode_upload(name, obj) {
            Ok(u) => uploads.push(u),
            Err(e) => errors.push(e),
        }
    }
    for name in unchanged {
        data.remove(&name);
    }
    for p in input.files {
        match ty.field(&p.name) {
            Some(f) if f.kind.is_blob() => uploads.push(Upload {
                field: p.name.clone(),
                content_type: p
                    .content_type
                    .clone()
                    .unwrap_or_else(|| "application/octet-stream".into()),
                filename: clean_filename(p.filename.as_deref().unwrap_or("")),
                data: p.data,
            }),
            Some(_) => errors.push(FieldError::new(
                &p.name,
                "wrong_type",
                "this field does not take a file",
            )),
            None => errors.push(FieldError::new(
                &p.name,
                "unknown_field",
                format!("`{}` has no field `{}`", ty.name, p.name),
            )),
        }
    }
    for u in &uploads {
        if u.data.len() as u64 > max {
            errors.push(FieldError::new(
                &u.field,
                TOO_LARGE,
                format!(
                    "files are limited to {} MiB",
                    req.site.config().max_upload_mb
                ),
            ));
        }
        if !valid_media_type(&u.content_type) {
            errors.push(FieldError::new(
                &u.field,
                "bad_content_type",
                "expected a media type such as application/pdf",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    // Every other field is checked before a file is stored: a write the
    // schema refuses leaves no file behind. Each upload stands in as a
    // reference with its media type (an image field checks that).
    let mut candidate = data.clone();
    for u in &uploads {
        let stand_in = BlobRef {
            sha256: "0".repeat(64),
            size: u.data.len() as u64,
            content_type: u.content_type.clone(),
            filename: u.filename.clone(),
            width: None,
            height: None,
        };
        candidate.insert(
            u.field.clone(),
            serde_json::to_value(stand_in).unwrap_or(Value::Null),
        );
    }
    req.site
        .schema()
        .validate(ty, &candidate, mode)
        .map_err(Error::Invalid)?;
    for u in uploads {
        let blob = req
            .site
            .put_blob(&mut u.data.as_slice(), &u.content_type, &u.filename)?;
        data.insert(u.field, serde_json::to_value(blob).unwrap_or(Value::Null));
    }
    Ok(data)
}

/// plone.restapi's file object: `data` in `encoding` (`base64`, or text
/// as `utf-8`, the default), `filename`, `content-type`.
fn decode_upload(field: &str, obj: &Map<String, Value>) -> std::result::Result<Upload, FieldError> {
    let text = |k: &str| obj.get(k).and_then(Value::as_str);
    let Some(raw) = text("data") else {
        return Err(FieldError::new(field, "wrong_type", "`data` must be text"));
    };
    let data = match text("encoding").unwrap_or("utf-8") {
        "base64" => {
            let compact: String = raw.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact)
                .map_err(|_| FieldError::new(field, "bad_base64", "`data` is not valid base64"))?
        }
        "utf-8" | "utf8" | "UTF-8" => raw.as_bytes().to_vec(),
        other => {
            return Err(FieldError::new(
                field,
                "bad_encoding",
                format!("unknown encoding `{other}` (use base64)"),
            ))
        }
    };
    Ok(Upload {
        field: field.to_owned(),
        data,
        content_type: text("content-type")
            .unwrap_or("application/octet-stream")
            .trim()
            .to_ascii_lowercase(),
        filename: clean_filename(text("filename").unwrap_or("")),
    })
}

/// The last segment of a client's file name, without control characters,
/// at most 200 characters; `file` when nothing is left.
pub(in crate::web) fn clean_filename(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last.chars().filter(|c| !c.is_control()).take(200).collect();
    let clean = clean.trim();
    if clean.is_empty() || clean == "." || clean == ".." {
        "file".into()
    } else {
        clean.to_owned()
    }
}

pub(in crate::web) fn valid_media_type(t: &str) -> bool {
    let t = t.split(';').next().unwrap_or("").trim();
    let token = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
    };
    t.len() <= 100 && t.split_once('/').is_some_and(|(a, b)| token(a) && token(b))
}

/// What a `Range` header asks of a file of `size` bytes.
#[derive(Debug, PartialEq, Eq)]
enum Range {
    /// No usable range: the whole file (a malformed or multi-range header
    /// is ignored, as RFC 9110 allows).
    Full,
    /// Bytes `start..=end`.
    Part(u64, u64),
    /// Nothing of the file matches (416).
    Unsatisfiable,
}

fn parse_range(header: Option<&str>, size: u64) -> Range {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Range::Full;
    };
    if spec.contains(',') {
        return Range::Full;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return Range::Full;
    };
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        // The last `b` bytes.
        return match b.parse::<u64>() {
            Ok(0) => Range::Unsatisfiable,
            Ok(_) if size == 0 => Range::Unsatisfiable,
            Ok(n) => Range::Part(size.saturating_sub(n), size - 1),
            Err(_) => Range::Full,
        };
    }
    let Ok(start) = a.parse::<u64>() else {
        return Range::Full;
    };
    let end = if b.is_empty() {
        None
    } else {
        match b.parse::<u64>() {
            Ok(e) if e >= start => Some(e),
            _ => return Range::Full,
        }
    };
    if start >= size {
        return Range::Unsatisfiable;
    }
    Range::Part(start, end.map_or(size - 1, |e| e.min(size - 1)))
}

/// `Content-Disposition` with an ASCII `filename` for old clients and the
/// exact name as `filename*=UTF-8''…` (RFC 6266).
fn disposition(kind: &str, filename: &str) -> String {
    let ascii: String = filename
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '))
        .collect();
    let encoded: String = filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// `GET /item/@@download/{field}`: the stored file, always as an
/// attachment (`@@images` shows images inline, see `images.rs`).
pub(super) fn download(req: &Req<'_>, path: &str, field: &str) -> Result<Response> {
    let blob = field_blob(req, path, field, false)?;
    send_blob(req, &blob, false)
}

/// The file in `field` of the item at `path`, as `@@download` (any file
/// field) or `@@images` (image fields only) may serve it: the item is read
/// through the request's [`Reader`](crate::access::Reader), so what the
/// caller may not view is missing (404), like an unknown or empty field.
pub(in crate::web) fn field_blob(
    req: &Req<'_>,
    path: &str,
    field: &str,
    images: bool,
) -> Result<BlobRef> {
    let missing = || Error::NotFound(format!("{path}/@@download/{field}"));
    let item = req.reader().must_get(path)?;
    let kind = req
        .site
        .schema()
        .get(&item.type_name)
        .and_then(|t| t.field(field))
        .map(|f| f.kind)
        .filter(|k| k.is_blob())
        .ok_or_else(missing)?;
    if images && kind != FieldKind::Image {
        return Err(missing());
    }
    item.field(field)
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .ok_or_else(missing)
}

/// Streams a stored file: its media type, `ETag` (its hash; 304 on
/// `If-None-Match`), byte ranges, and `Content-Disposition` (inline for
/// `inline` images other than SVG). An SVG, which can carry script, also
/// gets a `Content-Security-Policy` that runs none, should a browser
/// show it on its own.
pub(in crate::web) fn send_blob(req: &Req<'_>, blob: &BlobRef, inline: bool) -> Result<Response> {
    let etag = format!("\"{}\"", blob.sha256);
    let svg = blob.content_type.starts_with("image/svg");
    if req
        .headers
        .get(header::IF_NONE_MATCH)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|v| crate::web::caching::etag_matches(v, &etag))
    {
        return Ok(Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .header(header::ETAG, etag)
            .body(Body::empty())
            .unwrap_or_default());
    }
    let range_header = req.headers.get(header::RANGE).and_then(|h| h.to_str().ok());
    // A range is only for the version the client has (If-Range).
    let same_version = req
        .headers
        .get(header::IF_RANGE)
        .and_then(|h| h.to_str().ok())
        .is_none_or(|v| v.trim() == etag);
    let range = if same_version {
        parse_range(range_header, blob.size)
    } else {
        Range::Full
    };
    if range == Range::Unsatisfiable {
        return Ok(Response::builder()
            .status(StatusCode::RANGE_NOT_SATISFIABLE)
            .header(header::CONTENT_RANGE, format!("bytes */{}", blob.size))
            .header(header::ACCEPT_RANGES, "bytes")
            .body(Body::empty())
            .unwrap_or_default());
    }
    let (status, start, len) = match range {
        Range::Part(s, e) => (StatusCode::PARTIAL_CONTENT, s, e - s + 1),
        _ => (StatusCode::OK, 0, blob.size),
    };
    let reader = req
        .site
        .store()
        .open_blob(&blob.sha256)
        .map_err(|e| match e.kind {
            crate::store::StoreErrorKind::NotFound => Error::NotFound(blob.sha256.clone()),
            _ => Error::Store(e),
        })?;
    // Stream the file in chunks from a blocking thread: never held whole.
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Vec<u8>>>(4);
    tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let mut reader = reader;
        if let Err(e) = std::io::copy(&mut (&mut reader).take(start), &mut std::io::sink()) {
            let _ = tx.blocking_send(Err(e));
            return;
        }
        let mut reader = reader.take(len);
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if tx.blocking_send(Ok(buf[..n].to_vec())).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    break;
                }
            }
        }
    });
    let stream =
        futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) });
    let inline = inline && blob.content_type.starts_with("image/") && !svg;
    let mut builder = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, blob.content_type.as_str())
        .header(header::CONTENT_LENGTH, len)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::ETAG, etag)
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(
            header::CONTENT_DISPOSITION,
            disposition(if inline { "inline" } else { "attachment" }, &blob.filename),
        );
    if svg {
        builder = builder.header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'",
        );
    }
    if status == StatusCode::PARTIAL_CONTENT {
        builder = builder.header(
            header::CONTENT_RANGE,
            format!("bytes {start}-{}/{}", start + len - 1, blob.size),
        );
    }
    Ok(builder.body(Body::from_stream(stream)).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_rfc_9110() {
        assert_eq!(parse_range(None, 10), Range::Full);
        assert_eq!(parse_range(Some("bytes=0-3"), 10), Range::Part(0, 3));
        assert_eq!(parse_range(Some("bytes=4-"), 10), Range::Part(4, 9));
        assert_eq!(parse_range(Some("bytes=-3"), 10), Range::Part(7, 9));
        assert_eq!(parse_range(Some("bytes=-30"), 10), Range::Part(0, 9));
        assert_eq!(parse_range(Some("bytes=5-100"), 10), Range::Part(5, 9));
        assert_eq!(parse_range(Some("bytes=10-"), 10), Range::Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=-0"), 10), Range::Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=0-1,4-5"), 10), Range::Full);
        assert_eq!(parse_range(Some("bytes=5-2"), 10), Range::Full);
        assert_eq!(parse_range(Some("items=0-1"), 10), Range::Full);
        assert_eq!(parse_range(Some("bytes=x-1"), 10), Range::Full);
    }

    #[test]
    fn file_names_keep_their_last_segment() {
        assert_eq!(clean_filename("C:\\Users\\a\\PV été.pdf"), "PV été.pdf");
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename(".."), "file");
        assert_eq!(
            disposition("attachment", "PV été.pdf"),
            "attachment; filename=\"PV t.pdf\"; filename*=UTF-8''PV%20%C3%A9t%C3%A9.pdf"
        );
        assert!(valid_media_type("application/pdf"));
        assert!(!valid_media_type("text/html\r\nX: y"));
    }
}
