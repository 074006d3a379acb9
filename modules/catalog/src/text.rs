//! Turning field values into text for the index: HTML to text, files to
//! text (plain text and PDF), vocabulary terms to their titles, dates to
//! timestamps.

use std::io::Read;

use beffroi::prelude::*;

/// The most text taken from one file, in bytes.
const MAX_FILE_TEXT: usize = 2 * 1024 * 1024;

/// A key that sorts titles as people expect: case and accents ignored.
pub(crate) fn sort_key(title: &str) -> String {
    beffroi::text::slugify(title)
}

/// The dates the index holds: 1700 to 2200 (its clock counts nanoseconds
/// in 64 bits, which spans 1677 to 2262).
const YEARS: std::ops::RangeInclusive<i64> = -8_520_336_000..=7_258_118_400;

/// Seconds since the epoch for an RFC 3339 date-time or a `YYYY-MM-DD`
/// date, within 1700–2200; `None` otherwise.
pub(crate) fn timestamp(s: &str) -> Option<i64> {
    let secs = match chrono::DateTime::parse_from_rfc3339(s) {
        Ok(d) => d.timestamp(),
        Err(_) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc().timestamp())?,
    };
    YEARS.contains(&secs).then_some(secs)
}

/// Whether `s` is a date without a time (`YYYY-MM-DD`).
pub(crate) fn is_date_only(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// The strings in a value: itself, the items of a list, the values of an
/// object (an address), numbers written out.
pub(crate) fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) if !s.is_empty() => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().flat_map(|x| strings(Some(x))).collect(),
        Some(Value::Object(o)) => o.values().flat_map(|x| strings(Some(x))).collect(),
        Some(Value::Number(n)) => vec![n.to_string()],
        Some(Value::Bool(b)) => vec![b.to_string()],
        _ => Vec::new(),
    }
}

/// The text of an HTML fragment: tags dropped, common entities decoded.
pub(crate) fn strip_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&nbsp;", " ")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A choice's value and its titles in the item's language.
pub(crate) fn terms(site: &Site, vocabulary: Option<&str>, value: &Value, lang: &str) -> String {
    let mut out = Vec::new();
    for v in strings(Some(value)) {
        if let Some(term) = vocabulary
            .and_then(|n| site.schema().vocabulary(n))
            .and_then(|voc| voc.terms.iter().find(|t| t.value == v))
        {
            out.push(term.title.get(lang).to_owned());
        }
        out.push(v);
    }
    out.join(" ")
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
