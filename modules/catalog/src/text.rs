//! Turning files into text for the index (plain text and PDF), and titles
//! into sort keys. The rest of an item's text (HTML, choices, dates) is
//! the core's, in `beffroi::search`.

use std::io::Read;

use beffroi::prelude::*;

/// The most text taken from one file, in bytes.
const MAX_FILE_TEXT: usize = 2 * 1024 * 1024;

/// A key that sorts titles as people expect: case and accents ignored.
pub(crate) fn sort_key(title: &str) -> String {
    beffroi::text::slugify(title)
}

/// The text of a stored file: plain text as is, PDF through its text
/// layer; other kinds give nothing. Never fails: an unreadable file is
/// indexed without its text, with a log line.
pub(crate) fn file_text(site: &Site, value: &Value) -> String {
    let (Some(sha), Some(kind)) = (
        value.get("sha256").and_then(Value::as_str),
        value
            .get("content-type")
            .or_else(|| value.get("content_type"))
            .and_then(Value::as_str),
    ) else {
        return String::new();
    };
    let is_text = kind.starts_with("text/plain") || kind.starts_with("text/csv");
    let is_pdf = kind == "application/pdf";
    if !is_text && !is_pdf {
        return String::new();
    }
    let mut bytes = Vec::new();
    let read = site
        .store()
        .open_blob(sha)
        .map_err(|e| e.to_string())
        .and_then(|r| {
            r.take(if is_pdf {
                64 * 1024 * 1024
            } else {
                MAX_FILE_TEXT as u64
            })
            .read_to_end(&mut bytes)
            .map_err(|e| e.to_string())
        });
    if let Err(e) = read {
        tracing::warn!(site = site.id(), blob = sha, error = %e, "cannot read a file to index");
        return String::new();
    }
    if is_text {
        return String::from_utf8_lossy(&bytes).into_owned();
    }
    match pdf_text(&bytes) {
        Ok(mut t) => {
            t.truncate(floor_char_boundary(&t, MAX_FILE_TEXT));
            t
        }
        Err(e) => {
            tracing::warn!(site = site.id(), blob = sha, error = %e, "cannot read a PDF's text");
            String::new()
        }
    }
}

fn floor_char_boundary(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The text layer of a PDF. A PDF that makes the parser panic is treated
/// as unreadable.
pub(crate) fn pdf_text(bytes: &[u8]) -> Result<String, String> {
    std::panic::catch_unwind(|| {
        let doc = lopdf::Document::load_mem(bytes).map_err(|e| e.to_string())?;
        let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
        doc.extract_text(&pages).map_err(|e| e.to_string())
    })
    .unwrap_or_else(|_| Err("the PDF could not be parsed".into()))
}
