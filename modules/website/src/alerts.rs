//! Site alert messages: a banner on every page between two dates (a storm
//! warning, roadworks, an office closed). An alert is shown while it is
//! published and within its `effective`/`expires` window, which the core's
//! search already decides for visitors.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use beffroi::prelude::*;
use beffroi::search::{Query, SortOrder};
use beffroi::view::{Decorations, Page, View};

/// The views of this part.
pub(crate) fn views() -> Vec<View> {
    Vec::new()
}

/// Its hook subscribers.
pub(crate) fn subscribers() -> Vec<Subscriber> {
    Vec::new()
}

/// The alerts shown now, per site: (write sequence, minute) → alerts.
/// Pages ask on every view; the answer changes only with a write or when
/// an alert's window opens or closes, so it is kept for the minute.
type Shown = (u64, i64, Vec<Map<String, Value>>);

fn cache() -> &'static Mutex<HashMap<String, Shown>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Shown>>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

/// The alerts a visitor sees now, newest first.
fn current(page: &Page<'_>) -> Result<Vec<Map<String, Value>>> {
    let site = page.site();
    let seq = site.write_sequence()?;
    let minute = chrono::Utc::now().timestamp() / 60;
    // The root's uid names this site's data, even among many sites of one
    // id (tests, a town's staging copy) in one process.
    let key = site.get("/")?.map(|r| r.uid).unwrap_or_default();
    if let Ok(c) = cache().lock() {
        if let Some((s, m, alerts)) = c.get(&key) {
            if *s == seq && *m == minute {
                return Ok(alerts.clone());
            }
        }
    }
    // Alerts are public: what an anonymous visitor sees, for everyone.
    let anonymous = Principal::anonymous();
    let found = site.search(
        &anonymous,
        &Query {
            types: vec!["Alert".into()],
            review_states: vec!["published".into()],
            sort_on: Some("effective".into()),
            sort_order: SortOrder::Descending,
            b_size: 5,
            ..Query::default()
        },
    )?;
    let reader = site.reader(&anonymous);
    let mut alerts = Vec::new();
    for hit in found.items {
        let Some(a) = reader.get(&hit.path)? else {
            continue;
        };
        let text = |k: &str| {
            a.field(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let mut m = Map::new();
        m.insert("title".into(), json!(a.title()));
        m.insert("message".into(), json!(text("message")));
        m.insert("link".into(), json!(text("link")));
        let level = text("level");
        m.insert(
            "level".into(),
            json!(if ["info", "warning", "danger"].contains(&level.as_str()) {
                level
            } else {
                "info".into()
            }),
        );
        alerts.push(m);
    }
    if let Ok(mut c) = cache().lock() {
        c.insert(key, (seq, minute, alerts.clone()));
    }
    Ok(alerts)
}

/// The banner of the current alerts, above every page's content.
pub(crate) fn decorate(page: &Page<'_>, _item: Option<&Item>, out: &mut Decorations) -> Result<()> {
    let mut alerts = current(page)?;
    if alerts.is_empty() {
        return Ok(());
    }
    // Links inside the site, for the address this request came by (the
    // alerts are kept for every address the site answers).
    for a in &mut alerts {
        if let Some(link) = a.get("link").and_then(Value::as_str) {
            let resolved = beffroi::text::resolve_url(link, page.base());
            a.insert("link".into(), json!(resolved));
        }
    }
    let mut values = Map::new();
    values.insert(
        "alerts".into(),
        Value::Array(alerts.into_iter().map(Value::Object).collect()),
    );
    out.above_content
        .push(page.fragment("website/alert_banner.html", &values)?);
    Ok(())
}
