//! Events over HTTP: writing them (with their rules checked), the agenda
//! `@@events`, iCalendar files parsed back, the event's page, and who
//! sees what.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Brussels;
use icalendar::parser::{read_calendar, unfold};
use serde_json::{json, Value};

use super::common::*;

/// `days` from today in Brussels at `h:m`, as the API takes it.
fn at(days: i64, h: u32, m: u32) -> String {
    let today = Utc::now().with_timezone(&Brussels).date_naive();
    on(today + Duration::days(days), h, m)
}

/// A day at `h:m` in Brussels.
fn on(day: NaiveDate, h: u32, m: u32) -> String {
    Brussels
        .from_local_datetime(&day.and_hms_opt(h, m, 0).unwrap())
        .earliest()
        .unwrap()
        .to_rfc3339()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A town with an `/agenda` folder, published.
async fn agenda() -> Town {
    let t = town(false);
    create(
        &t,
        "admin",
        "/",
        json!({"@type": "Folder", "title": "Agenda"}),
    )
    .await;
    transition(&t, "admin", "/agenda", "publish").await;
    t
}

/// Adds an event as `who` in `/agenda` and publishes it (as admin); its path.
async fn published(t: &Town, who: &str, fields: Value) -> String {
    let path = event(t, who, fields).await;
    transition(t, "admin", &path, "publish").await;
    path
}

/// Adds an event as `who` in `/agenda`; its path.
async fn event(t: &Town, who: &str, mut fields: Value) -> String {
    fields["@type"] = json!("Event");
    create(t, who, "/agenda", fields).await
}

/// The agenda as JSON for `who`.
async fn listing(t: &Town, uri: &str, who: Option<&str>) -> Value {
    let r = get_json(t, uri, who).await;
    assert!(r["items"].is_array(), "{uri}: {r}");
    r
}

fn titles(listing: &Value) -> Vec<String> {
    listing["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect()
}

/// A property parsed back: name, value (unescaped), parameters.
type Prop = (String, String, Vec<(String, String)>);

/// A VEVENT parsed back: its properties.
struct VEvent(Vec<Prop>);

impl VEvent {
    fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|p| p.0 == name).map(|p| p.1.as_str())
    }

    fn prop(&self, name: &str) -> &str {
        self.get(name).unwrap_or("")
    }

    fn param(&self, name: &str, key: &str) -> Option<&str> {
        let p = self.0.iter().find(|p| p.0 == name)?;
        p.2.iter().find(|kv| kv.0 == key).map(|kv| kv.1.as_str())
    }
}

/// The VEVENTs of an iCalendar answer, after checking its lines (CRLF
/// endings, at most 75 octets each) and that each VEVENT has what RFC
/// 5545 requires.
fn vevents(body: &str) -> Vec<VEvent> {
    assert!(body.starts_with("BEGIN:VCALENDAR\r\n"), "{body}");
    assert!(body.ends_with("END:VCALENDAR\r\n"), "{body}");
    for line in body.split_terminator("\r\n") {
        assert!(
            !line.contains('\n') && !line.contains('\r'),
            "bare line end in {line:?}"
        );
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
    let unfolded = unfold(body);
    let cal = read_calendar(&unfolded).unwrap_or_else(|e| panic!("{e}\n{body}"));
    let events: Vec<VEvent> = cal
        .components
        .iter()
        .filter(|c| c.name == "VEVENT")
        .map(|c| {
            VEvent(
                c.properties
                    .iter()
                    .map(|p| {
                        let params = p
                            .params
                            .iter()
                            .map(|kv| {
                                (
                                    kv.key.to_string(),
                                    kv.val.as_ref().map(ToString::to_string).unwrap_or_default(),
                                )
                            })
                            .collect();
                        (p.name.to_string(), p.val.to_string(), params)
                    })
                    .collect(),
            )
        })
        .collect();
    for e in &events {
        for name in ["UID", "DTSTART", "SUMMARY", "DTSTAMP"] {
            assert!(e.get(name).is_some(), "a VEVENT without {name}: {body}");
        }
    }
    events
}

fn summary<'a>(events: &'a [VEvent], title: &str) -> &'a VEvent {
    events
        .iter()
        .find(|e| e.prop("SUMMARY") == title)
        .unwrap_or_else(|| panic!("no VEVENT {title}"))
}

/// A page in another language than the helpers' French.
async fn get_in(t: &Town, uri: &str, lang: &str) -> String {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;
    let req = Request::get(uri)
        .header("host", "town.test")
        .header("accept-language", lang)
        .body(Body::empty())
        .unwrap();
    let res = t.app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), 200, "{uri}");
    let body = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    String::from_utf8_lossy(&body).into_owned()
}

#[tokio::test]
async fn an_event_is_added_edited_and_shown_with_its_details() {
    let t = agenda().await;
    let path = event(
        &t,
        "carla",
        json!({
            "title": "Concert de jazz",
            "description": "Un quartet au kiosque.",
            "start": at(1, 20, 0),
            "end": at(1, 22, 30),
            "event_type": "event",
            "event_categories": ["concert"],
            "topics": ["culture"],
            "location": "Kiosque du parc",
            "address": {"street": "Rue du Parc 1", "postcode": "5060", "locality": "Sambreville"},
            "latitude": 50.4447,
            "longitude": 4.6157,
            "contact_name": "Centre culturel",
            "contact_email": "info@centre.test",
            "ticket_url": "https://tickets.example/jazz",
            "reduced_mobility": true,
            "text": "<p>Avec la fanfare.</p>",
        }),
    )
    .await;
    assert_eq!(path, "/agenda/concert-de-jazz");
    let r = call(
        &t,
        "PATCH",
        &path,
        Some("carla"),
        Some(json!({"title": "Concert de jazz au parc", "free_entry": true})),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text());

    // Private: its author sees its page, visitors do not.
    assert_eq!(get(&t, &path, None).await.status, 404);
    let r = get(&t, &path, Some("carla")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let html = r.text();
    assert_eq!(html.matches("<h1").count(), 1, "{html}");
    assert!(html.contains("Concert de jazz au parc"));
    // When, in French, with its hours.
    assert!(html.contains("de 20:00 à 22:30"), "{html}");
    // Where, with a map link to OpenStreetMap and no embedded map.
    assert!(html.contains("Kiosque du parc") && html.contains("Rue du Parc 1, 5060 Sambreville"));
    assert!(
        html.contains("https://www.openstreetmap.org/?mlat=50.4447&amp;mlon=4.6157"),
        "{html}"
    );
    assert!(!html.contains("<iframe"));
    // Organiser, entry, access.
    assert!(html.contains("Centre culturel") && html.contains("mailto:info@centre.test"));
    assert!(html.contains("Entrée gratuite"), "{html}");
    assert!(html.contains("https://tickets.example/jazz"));
    assert!(html.contains("Accessible aux personnes à mobilité réduite"));
    // Categories and topics lead to the agenda, filtered.
    assert!(
        html.contains(r#"href="http://town.test/@@events?category=concert""#),
        "{html}"
    );
    assert!(html.contains(r#"href="http://town.test/@@events?topic=culture""#));
    assert!(html.contains(r#"href="http://town.test/agenda/concert-de-jazz/@@ical""#));
    assert!(html.contains("Ajouter à mon agenda"));
    assert!(html.contains("Avec la fanfare."));

    transition(&t, "admin", &path, "publish").await;
    let r = get(&t, &path, None).await;
    assert_eq!(r.status, 200);
    // In another language.
    let html = get_in(&t, &path, "en").await;
    assert!(html.contains("Add to my calendar"), "{html}");
}

#[tokio::test]
async fn a_weekly_market_appears_once_per_saturday_at_eight() {
    let t = agenda().await;
    let path = published(
        &t,
        "admin",
        json!({
            "title": "Marché hebdomadaire",
            "start": "2026-01-03T08:00:00+01:00",
            "end": "2026-01-03T13:00:00+01:00",
            "recurrence": "FREQ=WEEKLY;BYDAY=SA",
            "event_categories": ["market"],
        }),
    )
    .await;
    // March and April 2030: the clocks change on 31 March.
    let l = listing(&t, "/@@events?from=2030-03-01&to=2030-04-30", None).await;
    let items = l["items"].as_array().unwrap();
    assert_eq!(l["items_total"], 9, "{l}");
    assert_eq!(items.len(), 9);
    let mut days = Vec::new();
    for i in items {
        assert_eq!(i["title"], "Marché hebdomadaire");
        assert_eq!(i["recurring"], true);
        let start = DateTime::parse_from_rfc3339(i["start"].as_str().unwrap())
            .unwrap()
            .with_timezone(&Brussels);
        let end = DateTime::parse_from_rfc3339(i["end"].as_str().unwrap())
            .unwrap()
            .with_timezone(&Brussels);
        assert_eq!(start.weekday(), Weekday::Sat, "{i}");
        assert_eq!(start.format("%H:%M").to_string(), "08:00", "{i}");
        assert_eq!(end.format("%H:%M").to_string(), "13:00", "{i}");
        days.push(start.date_naive());
    }
    assert_eq!(days[0], day("2030-03-02"));
    assert_eq!(days[8], day("2030-04-27"));
    assert!(days.windows(2).all(|w| w[1] - w[0] == Duration::days(7)));
    // The page says how it repeats, and lists its next dates.
    let html = get(&t, &path, None).await.text();
    assert!(html.contains("Récurrence : chaque samedi"), "{html}");
    assert!(html.contains("Prochaines dates"));
    let html = get_in(&t, &path, "nl").await;
    assert!(html.contains("elke zaterdag"), "{html}");
    // Without an end to the window, a rule without end gives a year of
    // Saturdays, not an endless list.
    let l = listing(&t, "/@@events", None).await;
    let total = l["items_total"].as_u64().unwrap();
    assert!((52..=54).contains(&total), "{total}");
}

#[tokio::test]
async fn a_fair_that_started_yesterday_is_current_and_a_past_event_is_not() {
    let t = agenda().await;
    published(
        &t,
        "admin",
        json!({"title": "Foire agricole", "start": at(-1, 10, 0), "end": at(1, 18, 0)}),
    )
    .await;
    published(
        &t,
        "admin",
        json!({"title": "Brocante passée", "start": at(-3, 8, 0), "end": at(-3, 16, 0)}),
    )
    .await;
    published(
        &t,
        "admin",
        json!({"title": "Journée du patrimoine", "start": at(0, 0, 0), "whole_day": true}),
    )
    .await;
    published(
        &t,
        "admin",
        json!({"title": "Conférence", "start": at(7, 19, 0), "open_end": true}),
    )
    .await;
    let l = listing(&t, "/agenda/@@events", None).await;
    // Sorted by start: the fair started yesterday; the past one is gone.
    assert_eq!(
        titles(&l),
        ["Foire agricole", "Journée du patrimoine", "Conférence"]
    );
    let by_title = |title: &str| {
        l["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["title"] == title)
            .unwrap()
            .clone()
    };
    assert_eq!(by_title("Foire agricole")["current"], true);
    assert_eq!(by_title("Journée du patrimoine")["current"], true);
    assert_eq!(by_title("Conférence")["current"], false);
    // The page marks what runs now.
    let html = get(&t, "/agenda/@@events", None).await.text();
    assert_eq!(html.matches("<h1").count(), 1);
    assert!(html.contains("En cours"), "{html}");
    assert!(!html.contains("Brocante passée"));
    // Asked from three days ago, the past one is there.
    let from = (Utc::now().with_timezone(&Brussels).date_naive() - Duration::days(3)).to_string();
    let l = listing(&t, &format!("/agenda/@@events?from={from}"), None).await;
    assert!(titles(&l).contains(&"Brocante passée".to_owned()), "{l}");
}

#[tokio::test]
async fn filters_and_pagination() {
    let t = agenda().await;
    for n in 0..25 {
        let mut fields = json!({
            "title": format!("Atelier {n:02}"),
            "start": at(2 + n, 14, 0),
            "end": at(2 + n, 16, 0),
            "event_type": if n % 5 == 0 { "activity" } else { "event" },
            "event_categories": if n % 2 == 0 { json!(["concert"]) } else { json!(["course"]) },
            "topics": if n == 3 { json!(["sports"]) } else { json!(["culture"]) },
        });
        if n % 3 == 0 {
            fields["free_entry"] = json!(true);
        }
        if n == 4 {
            fields["reduced_mobility"] = json!(true);
        }
        published(&t, "admin", fields).await;
    }
    // Twenty to a page, with a link to the next.
    let l = listing(&t, "/@@events", None).await;
    assert_eq!(l["items_total"], 25);
    assert_eq!(l["items"].as_array().unwrap().len(), 20);
    assert_eq!(titles(&l)[0], "Atelier 00");
    assert_eq!(l["batching"]["prev"], Value::Null);
    let next = l["batching"]["next"].as_str().unwrap();
    assert_eq!(next, "http://town.test/@@events?b_start=20");
    let l = listing(&t, "/@@events?b_start=20", None).await;
    assert_eq!(
        titles(&l),
        (20..25).map(|n| format!("Atelier {n}")).collect::<Vec<_>>()
    );
    assert_eq!(l["batching"]["prev"], "http://town.test/@@events");
    assert_eq!(l["batching"]["next"], Value::Null);
    // The page's links, as links with text.
    let html = get(&t, "/@@events", None).await.text();
    assert!(
        html.contains(
            r#"<a href="http://town.test/@@events?b_start=20" rel="next">Événements suivants</a>"#
        ),
        "{html}"
    );
    assert!(html.contains("Événements 1 à 20 sur 25"));
    let html = get(&t, "/@@events?b_start=20", None).await.text();
    assert!(html.contains(r#"rel="prev">Événements précédents</a>"#));

    // Filters, alone and together; the batch links keep them.
    let l = listing(&t, "/@@events?category=concert", None).await;
    assert_eq!(l["items_total"], 13);
    let l = listing(&t, "/@@events?category=course&event_type=activity", None).await;
    assert_eq!(titles(&l), ["Atelier 05", "Atelier 15"]);
    let l = listing(&t, "/@@events?topic=sports", None).await;
    assert_eq!(titles(&l), ["Atelier 03"]);
    let l = listing(&t, "/@@events?free_entry=1", None).await;
    assert_eq!(l["items_total"], 9);
    let l = listing(&t, "/@@events?reduced_mobility=on", None).await;
    assert_eq!(titles(&l), ["Atelier 04"]);
    let today = Utc::now().with_timezone(&Brussels).date_naive();
    let (from, to) = (today + Duration::days(4), today + Duration::days(6));
    let l = listing(&t, &format!("/@@events?from={from}&to={to}"), None).await;
    assert_eq!(titles(&l), ["Atelier 02", "Atelier 03", "Atelier 04"]);
    let html = get(&t, "/@@events?category=concert&free_entry=1", None)
        .await
        .text();
    assert!(
        html.contains(r#"<option value="concert" selected>"#),
        "{html}"
    );
    assert!(html.contains(r#"name="free_entry" value="1" checked"#));
    let to = today + Duration::days(60);
    let l = listing(&t, &format!("/@@events?category=concert&to={to}"), None).await;
    assert_eq!(l["items_total"], 13);
    let l = listing(
        &t,
        &format!("/@@events?category=concert&free_entry=1&to={to}&b_start=0"),
        None,
    )
    .await;
    assert_eq!(l["items_total"], 5, "{l}");
    let l = listing(&t, "/@@events?event_type=event&b_start=0", None).await;
    assert_eq!(l["items_total"], 20);
    let l = listing(&t, "/@@events?event_type=event", None).await;
    assert_eq!(l["batching"]["next"], Value::Null);
    let l = listing(&t, "/@@events?category=course", None).await;
    assert_eq!(l["items_total"], 12);
    // With a page of them: the link carries the filters.
    for n in 0..10 {
        published(
            &t,
            "admin",
            json!({"title": format!("Concert {n}"), "start": at(40 + n, 20, 0), "event_categories": ["concert"]}),
        )
        .await;
    }
    let l = listing(&t, "/@@events?category=concert", None).await;
    assert_eq!(l["items_total"], 23);
    assert_eq!(
        l["batching"]["next"],
        "http://town.test/@@events?category=concert&b_start=20"
    );

    // Wrong values are a 400 that names them, as a page and as JSON.
    for bad in [
        "/@@events?from=2026-13-45",
        "/@@events?to=demain",
        "/@@events?from=2026-06-10&to=2026-06-01",
        "/@@events?category=nothing",
        "/@@events?b_start=-3",
    ] {
        let r = get(&t, bad, None).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text());
        assert!(r.text().contains("<h1>"), "{bad}");
    }
    let r = get(&t, "/@@events?from=2026-02-30", None).await;
    assert!(
        r.text()
            .contains("from: donnez une date au format AAAA-MM-JJ"),
        "{}",
        r.text()
    );
    let r = get_json(&t, "/@@events?from=yesterday", None).await;
    assert_eq!(r["type"], "BadRequest", "{r}");
}

#[tokio::test]
async fn a_bad_rule_and_an_end_before_the_start_are_refused_and_nothing_is_stored() {
    let t = agenda().await;
    let add = |fields: Value| {
        let mut fields = fields;
        fields["@type"] = json!("Event");
        call(&t, "POST", "/agenda", Some("carla"), Some(fields))
    };
    let r =
        add(json!({"title": "Rien", "start": at(1, 10, 0), "recurrence": "FREQ=SOMETIMES"})).await;
    assert_eq!(r.status, 409, "{}", r.text());
    let message = r.json()["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("La récurrence n’est pas valable"),
        "{message}"
    );
    assert!(message.contains("FREQ"), "{message}");
    let r =
        add(json!({"title": "Rien", "start": at(1, 10, 0), "recurrence": "FREQ=WEEKLY;BYDAY=1SA"}))
            .await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.json()["message"].as_str().unwrap().contains("1SA"));
    let r = add(json!({"title": "Rien", "start": at(1, 10, 0), "end": at(1, 9, 0)})).await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("La fin de l’événement est avant son début"));
    assert!(
        t.site.children("/agenda").unwrap().is_empty(),
        "nothing stored"
    );

    // An edit is refused the same way, and the event stays as it was.
    let path = event(
        &t,
        "carla",
        json!({"title": "Marché", "start": at(1, 8, 0), "recurrence": "FREQ=WEEKLY;BYDAY=SA"}),
    )
    .await;
    let r = call(
        &t,
        "PATCH",
        &path,
        Some("carla"),
        Some(json!({"recurrence": "FREQ=WEEKLY;UNTIL=20200101"})),
    )
    .await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("UNTIL"));
    let r = call(
        &t,
        "PATCH",
        &path,
        Some("carla"),
        Some(json!({"end": at(0, 8, 0)})),
    )
    .await;
    assert_eq!(r.status, 409, "{}", r.text());
    let stored = t.site.get(&path).unwrap().unwrap();
    assert_eq!(
        stored.field("recurrence"),
        Some(&json!("FREQ=WEEKLY;BYDAY=SA"))
    );
    assert_eq!(stored.field("end"), None);
    assert_eq!(stored.revision, 1);
    // A good rule with numbered days passes.
    let r = call(
        &t,
        "PATCH",
        &path,
        Some("carla"),
        Some(json!({"recurrence": "RRULE:FREQ=MONTHLY;BYDAY=1SA,-1FR"})),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text());
}

#[tokio::test]
async fn icalendar_for_one_event_and_for_the_agenda() {
    let t = agenda().await;
    let long = "Concert, jazz; \"blues\" \\ et musique du monde — une soirée très, très longue au kiosque du parc communal";
    let market = published(
        &t,
        "admin",
        json!({
            "title": "Marché hebdomadaire",
            "start": "2026-01-03T08:00:00+01:00",
            "end": "2026-01-03T13:00:00+01:00",
            "recurrence": "RRULE:FREQ=WEEKLY;BYDAY=SA\nEXDATE:20260815",
            "location": "Place communale",
            "latitude": 50.4447,
            "longitude": 4.6157,
            "event_categories": ["market"],
        }),
    )
    .await;
    published(
        &t,
        "admin",
        json!({
            "title": long,
            "description": "Première ligne\nSeconde ligne; avec, des signes",
            "start": at(3, 20, 0),
            "end": at(3, 23, 0),
        }),
    )
    .await;
    published(
        &t,
        "admin",
        json!({"title": "Fête de la musique", "start": at(10, 0, 0), "end": at(11, 0, 0), "whole_day": true}),
    )
    .await;

    // One event.
    let r = get(&t, &format!("{market}/@@ical"), None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), "text/calendar; charset=utf-8");
    assert!(
        r.header("content-disposition")
            .contains("marche-hebdomadaire.ics"),
        "{}",
        r.header("content-disposition")
    );
    let body = r.text();
    let events = vevents(&body);
    assert_eq!(events.len(), 1);
    let e = &events[0];
    let uid = t.site.get(&market).unwrap().unwrap().uid;
    assert_eq!(e.prop("UID"), format!("{uid}@town.test"));
    assert_eq!(e.prop("RRULE"), "FREQ=WEEKLY;BYDAY=SA");
    assert_eq!(e.prop("DTSTART"), "20260103T080000");
    assert_eq!(e.param("DTSTART", "TZID"), Some("Europe/Brussels"));
    assert_eq!(e.prop("DTEND"), "20260103T130000");
    assert_eq!(e.prop("EXDATE"), "20260815T080000");
    assert_eq!(e.prop("GEO"), "50.4447;4.6157");
    assert_eq!(e.prop("URL"), "http://town.test/agenda/marche-hebdomadaire");
    assert!(e.get("LAST-MODIFIED").is_some());
    assert!(body.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Brussels\r\n"));

    // The agenda: every visible event, folded and escaped.
    let r = get(&t, "/@@ical", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), "text/calendar; charset=utf-8");
    assert!(r.header("content-disposition").contains("agenda.ics"));
    let body = r.text();
    let events = vevents(&body);
    assert_eq!(events.len(), 3, "{body}");
    assert_eq!(
        summary(&events, "Marché hebdomadaire").prop("RRULE"),
        "FREQ=WEEKLY;BYDAY=SA"
    );
    // The long title is folded on the wire and whole once unfolded.
    assert!(
        body.contains("SUMMARY:Concert\\, jazz\\; \"blues\" \\\\ et musique"),
        "{body}"
    );
    let concert = summary(&events, long);
    assert_eq!(
        concert.prop("DESCRIPTION"),
        "Première ligne\nSeconde ligne; avec, des signes"
    );
    assert!(concert.get("RRULE").is_none());
    let fete = summary(&events, "Fête de la musique");
    assert_eq!(fete.param("DTSTART", "VALUE"), Some("DATE"));
    let first = Utc::now().with_timezone(&Brussels).date_naive() + Duration::days(10);
    assert_eq!(fete.prop("DTSTART"), first.format("%Y%m%d").to_string());
    assert_eq!(
        fete.prop("DTEND"),
        (first + Duration::days(2)).format("%Y%m%d").to_string()
    );
    // Below a folder too.
    let r = get(&t, "/agenda/@@ical", None).await;
    assert_eq!(vevents(&r.text()).len(), 3);
}

#[tokio::test]
async fn a_private_event_is_seen_by_its_author_only() {
    let t = agenda().await;
    published(
        &t,
        "admin",
        json!({"title": "Public", "start": at(2, 10, 0)}),
    )
    .await;
    let secret = event(
        &t,
        "carla",
        json!({"title": "Brouillon", "start": at(2, 11, 0)}),
    )
    .await;
    let uid = t.site.get(&secret).unwrap().unwrap().uid;

    // Visitors: not in the agenda, the calendars, nor as a page.
    assert_eq!(titles(&listing(&t, "/@@events", None).await), ["Public"]);
    assert_eq!(
        titles(&listing(&t, "/agenda/@@events", None).await),
        ["Public"]
    );
    assert!(!get(&t, "/@@events", None)
        .await
        .text()
        .contains("Brouillon"));
    let ical = get(&t, "/@@ical", None).await.text();
    assert!(!ical.contains(&uid) && !ical.contains("Brouillon"));
    assert_eq!(vevents(&ical).len(), 1);
    assert_eq!(get(&t, &format!("{secret}/@@ical"), None).await.status, 404);
    assert_eq!(
        get(&t, &format!("{secret}/@@events"), None).await.status,
        404
    );
    assert_eq!(get(&t, &secret, None).await.status, 404);
    // Nor another user who may not see it.
    assert_eq!(
        titles(&listing(&t, "/@@events", Some("rita")).await),
        ["Public"]
    );

    // Its author sees it everywhere.
    assert_eq!(
        titles(&listing(&t, "/@@events", Some("carla")).await),
        ["Public", "Brouillon"]
    );
    let ical = get(&t, "/@@ical", Some("carla")).await.text();
    assert_eq!(vevents(&ical).len(), 2);
    let r = get(&t, &format!("{secret}/@@ical"), Some("carla")).await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains(&uid));
}

#[tokio::test]
async fn an_event_published_for_later_is_invisible_to_visitors() {
    let t = agenda().await;
    let later = published(
        &t,
        "admin",
        json!({"title": "Annonce future", "start": at(5, 10, 0), "effective": "2200-01-01T00:00:00Z"}),
    )
    .await;
    published(
        &t,
        "admin",
        json!({"title": "Maintenant", "start": at(5, 11, 0)}),
    )
    .await;
    for uri in ["/@@events", "/agenda/@@events"] {
        assert_eq!(
            titles(&listing(&t, uri, None).await),
            ["Maintenant"],
            "{uri}"
        );
        assert!(!get(&t, uri, None).await.text().contains("Annonce future"));
    }
    for uri in ["/@@ical", "/agenda/@@ical"] {
        let ical = get(&t, uri, None).await.text();
        assert!(!ical.contains("Annonce future"), "{uri}");
        assert_eq!(vevents(&ical).len(), 1);
    }
    assert_eq!(get(&t, &format!("{later}/@@ical"), None).await.status, 404);
    assert_eq!(get(&t, &later, None).await.status, 404);
    // The site's editors see it.
    assert_eq!(
        titles(&listing(&t, "/@@events", Some("admin")).await),
        ["Annonce future", "Maintenant"]
    );
    assert_eq!(
        get(&t, &format!("{later}/@@ical"), Some("admin"))
            .await
            .status,
        200
    );
}
