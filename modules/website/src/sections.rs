//! Pages made of sections (text, files, gallery, links, map, contact,
//! latest items, video), folders' banners inherited below them, and the
//! home page's entry points ("I am", topics, search).
//!
//! Sections are items inside their page, in the page's order, so they are
//! added, edited, reordered and translated like any content; the page's
//! view reads them here and hands them to `website/sections.html`.

use beffroi::prelude::*;
use beffroi::search::{DateRange, Query, SortOrder};
use beffroi::view::{Decorations, Page, View};

/// The section types, with the kind their template shows.
pub(crate) const SECTIONS: &[(&str, &str)] = &[
    ("Text Section", "text"),
    ("Files Section", "files"),
    ("Gallery Section", "gallery"),
    ("Links Section", "links"),
    ("Map Section", "map"),
    ("Contact Section", "contact"),
    ("Query Section", "query"),
    ("Video Section", "video"),
];

/// The types whose banner image is shown on them and below them.
const BANNER_TYPES: &[&str] = &["Folder", "Subsite"];

/// The views of this part.
pub(crate) fn views() -> Vec<View> {
    Vec::new()
}

/// Its hook subscribers.
pub(crate) fn subscribers() -> Vec<Subscriber> {
    Vec::new()
}

/// A page's sections, an inherited banner, and the home page's entry
/// points.
pub(crate) fn decorate(page: &Page<'_>, item: Option<&Item>, out: &mut Decorations) -> Result<()> {
    out.head.push(format!(
        r#"<link rel="stylesheet" href="{}/++resource++website/website.css">"#,
        page.base()
    ));
    let Some(item) = item else {
        return Ok(());
    };
    if item.type_name == "Document" {
        out.values
            .insert("sections".into(), Value::Array(sections(page, item)?));
        if is_home(page, item)? {
            out.values.insert("home".into(), home(page));
        }
    }
    out.values.insert("labels".into(), labels(page, item));
    if item.type_name == "Procedure" {
        out.values.insert("procedure".into(), procedure(page, item));
    }
    if let Some(banner) = banner(page, item)? {
        out.above_content
            .push(page.fragment("website/banner.html", &banner)?);
    }
    Ok(())
}

/// Whether `item` is the page the site's root shows.
fn is_home(page: &Page<'_>, item: &Item) -> Result<bool> {
    Ok(page
        .site()
        .get("/")?
        .and_then(|root| {
            root.field("default_page")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .is_some_and(|uid| uid == item.uid))
}

fn text(item: &Item, name: &str) -> String {
    item.field(name)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// The term of a vocabulary in the page's language, for links and labels.
fn terms(page: &Page<'_>, vocabulary: &str) -> Vec<Value> {
    page.site()
        .schema()
        .vocabulary(vocabulary)
        .map(|v| {
            v.terms
                .iter()
                .map(|t| json!({"value": t.value, "title": t.title.get(page.lang())}))
                .collect()
        })
        .unwrap_or_default()
}

/// The home page's entry points: "I am" audiences and topics.
fn home(page: &Page<'_>) -> Value {
    json!({
        "audiences": terms(page, "audiences"),
        "topics": terms(page, "topics"),
    })
}

/// The sections of the page `item`, in order, as its template shows them.
fn sections(page: &Page<'_>, item: &Item) -> Result<Vec<Value>> {
    let reader = page.reader();
    let mut out = Vec::new();
    for s in reader.children(&item.path)? {
        let Some((_, kind)) = SECTIONS.iter().find(|(t, _)| *t == s.type_name) else {
            continue;
        };
        let url = page.url(&s.path);
        let mut v = json!({
            "kind": kind,
            "id": s.id,
            "url": url,
            "title": s.title(),
            "description": s.description(),
            "hide_title": s.field("hide_title").and_then(Value::as_bool).unwrap_or(false),
        });
        let extra = match *kind {
            "text" => json!({"text": text(&s, "text")}),
            "files" => json!({"items": reader.children(&s.path)?.iter().map(|f| {
                let file = f.field("file");
                json!({
                    "title": f.title(),
                    "description": f.description(),
                    "url": format!("{}/@@download/file", page.url(&f.path)),
                    "filename": file.and_then(|v| v.get("filename")).and_then(Value::as_str).unwrap_or_default(),
                    "content_type": file.and_then(|v| v.get("content_type")).and_then(Value::as_str).unwrap_or_default(),
                    "size": human_size(file.and_then(|v| v.get("size")).and_then(Value::as_u64).unwrap_or(0)),
                })
            }).collect::<Vec<_>>()}),
            "gallery" => json!({"items": reader.children(&s.path)?.iter().map(|i| {
                let u = page.url(&i.path);
                json!({
                    "title": i.title(),
                    "description": i.description(),
                    "url": u,
                    "thumb": format!("{u}/@@images/image/preview"),
                    "large": format!("{u}/@@images/image/large"),
                })
            }).collect::<Vec<_>>()}),
            "links" => json!({"items": reader.children(&s.path)?.iter().map(|l| json!({
                "title": l.title(),
                "description": l.description(),
                "url": beffroi::text::resolve_url(&text(l, "remote_url"), page.base()),
            })).collect::<Vec<_>>()}),
            "map" => map(&s),
            "contact" => contact(page, &s)?,
            "query" => latest(page, &s)?,
            "video" => json!({"video_url": text(&s, "video_url")}),
            _ => Value::Null,
        };
        if let (Some(o), Value::Object(e)) = (v.as_object_mut(), extra) {
            o.extend(e);
        }
        out.push(v);
    }
    Ok(out)
}

/// A map section: its address on one line, and a link to OpenStreetMap
/// (a link, never an embed: the page calls nobody).
fn map(s: &Item) -> Value {
    let address = s
        .field("address")
        .map(|a| {
            ["street", "postcode", "locality", "country"]
                .iter()
                .filter_map(|k| a.get(*k).and_then(Value::as_str))
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let lat = s.field("latitude").and_then(Value::as_f64);
    let lon = s.field("longitude").and_then(Value::as_f64);
    let osm = match (lat, lon) {
        (Some(la), Some(lo)) => {
            format!("https://www.openstreetmap.org/?mlat={la}&mlon={lo}#map=17/{la}/{lo}")
        }
        _ if !address.is_empty() => format!(
            "https://www.openstreetmap.org/search?query={}",
            form_urlencoded::byte_serialize(address.as_bytes()).collect::<String>()
        ),
        _ => String::new(),
    };
    json!({"address": address, "latitude": lat, "longitude": lon, "osm_url": osm})
}

/// A contact section: the card of the item it names, when the reader may
/// see it (a directory contact once that module exists; any item today).
fn contact(page: &Page<'_>, s: &Item) -> Result<Value> {
    let Some(uid) = s.field("contact").and_then(Value::as_str) else {
        return Ok(json!({"contact": null}));
    };
    let Some(c) = page.reader().get_by_uid(uid)? else {
        return Ok(json!({"contact": null}));
    };
    let get = |k: &str| text(&c, k);
    Ok(json!({"contact": {
        "title": c.title(),
        "description": c.description(),
        "url": page.url(&c.path),
        "email": get("email"),
        "phone": get("phone"),
        "website": get("website"),
        "address": map(&c)["address"],
    }}))
}

/// A query section: the latest items of its types, topic and category.
fn latest(page: &Page<'_>, s: &Item) -> Result<Value> {
    let types: Vec<String> = s
        .field("query_types")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let limit = s
        .field("query_limit")
        .and_then(Value::as_u64)
        .unwrap_or(3)
        .clamp(1, 24) as usize;
    let mut q = Query {
        types: types.clone(),
        b_size: limit,
        ..Query::default()
    };
    let topic = text(s, "query_topic");
    if !topic.is_empty() {
        q.fields.insert("topics".into(), topic.clone());
    }
    let category = text(s, "query_category");
    if !category.is_empty() {
        q.fields.insert("news_category".into(), category);
    }
    let events_only = types.iter().all(|t| t == "Event") && !types.is_empty();
    if events_only {
        // Upcoming: what has not ended yet, soonest first.
        let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
        q.dates.insert(
            "end".into(),
            DateRange {
                min: Some(today),
                max: None,
            },
        );
        q.sort_on = Some("start".into());
        q.sort_order = SortOrder::Ascending;
    } else {
        q.sort_on = Some("effective".into());
        q.sort_order = SortOrder::Descending;
    }
    let found = page.search(&q)?;
    let reader = page.reader();
    let mut items = Vec::new();
    for hit in found.items {
        let Some(it) = reader.get(&hit.path)? else {
            continue;
        };
        let url = page.url(&it.path);
        let date = if events_only {
            text(&it, "start")
        } else {
            text(&it, "effective")
        };
        items.push(json!({
            "title": it.title(),
            "description": it.description(),
            "url": url,
            "type": it.type_name,
            "date": date.get(..10).unwrap_or_default(),
            "image": it.field("image").is_some_and(|v| !v.is_null()).then(|| format!("{url}/@@images/image/thumb")),
        }));
    }
    let mut more = match types.as_slice() {
        [t] if t == "Event" => page.url("/@@events"),
        [t] if t == "News Item" => page.url("/@@news"),
        _ => String::new(),
    };
    if !more.is_empty() && !topic.is_empty() {
        more.push_str(&format!(
            "?topic={}",
            form_urlencoded::byte_serialize(topic.as_bytes()).collect::<String>()
        ));
    }
    Ok(json!({"items": items, "more_url": more, "topic": topic}))
}

/// The titles of an item's category and topics in the page's language,
/// for its page's links to the listings.
fn labels(page: &Page<'_>, item: &Item) -> Value {
    let title = |vocabulary: &str, value: &str| {
        page.site()
            .schema()
            .vocabulary(vocabulary)
            .and_then(|v| v.terms.iter().find(|t| t.value == value))
            .map(|t| t.title.get(page.lang()).to_owned())
    };
    let mut out = Map::new();
    for (field, vocabulary) in [
        ("news_category", "news_categories"),
        ("page_category", "page_categories"),
        ("procedure_category", "procedure_categories"),
    ] {
        if let Some(t) = item
            .field(field)
            .and_then(Value::as_str)
            .and_then(|v| title(vocabulary, v))
        {
            out.insert(field.into(), json!(t));
        }
    }
    let topics: Vec<Value> = item
        .field("topics")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter_map(|v| title("topics", v).map(|t| json!({"value": v, "title": t})))
                .collect()
        })
        .unwrap_or_default();
    out.insert("topics".into(), Value::Array(topics));
    Value::Object(out)
}

/// A procedure's button: to its e-guichet form when that module is
/// enabled (it answers `/@@eguichet-form/{form}`), else to the procedure's
/// own address; none when neither is given.
fn procedure(page: &Page<'_>, item: &Item) -> Value {
    let form = text(item, "eguichet_form");
    let eguichet = page
        .site()
        .modules()
        .iter()
        .any(|m| m.manifest().name == "eguichet");
    let url = if eguichet && !form.is_empty() {
        page.url(&format!(
            "/@@eguichet-form/{}",
            form_urlencoded::byte_serialize(form.as_bytes()).collect::<String>()
        ))
    } else {
        beffroi::text::resolve_url(&text(item, "procedure_url"), page.base())
    };
    let button = text(item, "button_label");
    let label = page
        .site()
        .schema()
        .vocabulary("procedure_buttons")
        .and_then(|v| v.terms.iter().find(|t| t.value == button))
        .map(|t| t.title.get(page.lang()).to_owned())
        .unwrap_or_else(|| page.t("website-procedure-start", &[]));
    json!({"url": url, "label": label})
}

/// The banner of the nearest folder (or the item itself) that has one.
fn banner(page: &Page<'_>, item: &Item) -> Result<Option<Map<String, Value>>> {
    let reader = page.reader();
    let mut cur = Some(item.clone());
    while let Some(node) = cur {
        if BANNER_TYPES.contains(&node.type_name.as_str())
            && node.field("banner").is_some_and(|b| !b.is_null())
        {
            let mut m = Map::new();
            m.insert(
                "banner_url".into(),
                json!(format!("{}/@@images/banner/huge", page.url(&node.path))),
            );
            m.insert("banner_title".into(), json!(node.title()));
            return Ok(Some(m));
        }
        cur = match node.parent.as_deref() {
            Some(uid) => reader.get_by_uid(uid)?,
            None => None,
        };
    }
    Ok(None)
}

fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
        b if b >= 1024 => format!("{} kB", b / 1024),
        b => format!("{b} B"),
    }
}
