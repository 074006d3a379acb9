//! iCalendar (RFC 5545): `@@ical` on an Event gives that event, on any
//! other item the agenda of the events below it that the caller may see.
//!
//! Times are written in the town's time zone (`DTSTART;TZID=…`) with a
//! `VTIMEZONE` describing it, so that a repeating event keeps its hour
//! across changes of time in the calendar that imports it; whole-day
//! events are dates (`VALUE=DATE`). Lines end with CRLF and are folded
//! at 75 octets; text is escaped.

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc, Weekday,
};
use chrono_tz::{OffsetName, Tz};

use beffroi::prelude::*;
use beffroi::view::{Answer, Page};

use super::listing::events_below;
use super::schedule::{timezone, Schedule};

/// The `Content-Type` of what this serves.
const CALENDAR: &str = "text/calendar; charset=utf-8";

/// `@@ical` on an Event: that event alone.
pub(crate) fn event(page: &Page<'_>, item: &Item) -> Result<Answer> {
    Ok(calendar(page, item, std::slice::from_ref(item)))
}

/// `@@ical` on any other item: every event below it the caller may see.
pub(crate) fn agenda(page: &Page<'_>, container: &Item) -> Result<Answer> {
    let events = events_below(page, &container.path, &[])?;
    Ok(calendar(page, container, &events))
}

fn calendar(page: &Page<'_>, about: &Item, events: &[Item]) -> Answer {
    let tz = timezone(page.site());
    let host = host(page.base());
    let now = Utc::now();
    let mut body = Lines::default();
    let mut zoned = false;
    for item in events {
        let Some(s) = Schedule::of(item, tz) else {
            continue;
        };
        zoned |= !s.whole_day;
        vevent(&mut body, page, item, &s, &host, now);
    }
    let mut out = Lines::default();
    out.line("BEGIN:VCALENDAR");
    out.line("VERSION:2.0");
    out.prop(
        "PRODID",
        &format!(
            "-//Beffroi//beffroi-website {}//EN",
            env!("CARGO_PKG_VERSION")
        ),
    );
    out.line("CALSCALE:GREGORIAN");
    out.line("METHOD:PUBLISH");
    let name = if about.path == "/" {
        page.site().config().title.clone()
    } else {
        about.title().to_owned()
    };
    out.text("X-WR-CALNAME", &name);
    out.prop("X-WR-TIMEZONE", tz.name());
    if zoned {
        vtimezone(&mut out, tz, now.year());
    }
    out.0.push_str(&body.0);
    out.line("END:VCALENDAR");
    let id = if about.id.is_empty() {
        "agenda"
    } else {
        &about.id
    };
    Answer::Bytes {
        content_type: CALENDAR.into(),
        body: out.0.into_bytes(),
        filename: Some(format!("{id}.ics")),
    }
}

fn vevent(
    out: &mut Lines,
    page: &Page<'_>,
    item: &Item,
    s: &Schedule,
    host: &str,
    now: DateTime<Utc>,
) {
    let tz = s.start.timezone();
    let text = |name: &str| {
        item.field(name)
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
    };
    out.line("BEGIN:VEVENT");
    out.prop("UID", &format!("{}@{host}", item.uid));
    out.prop("DTSTAMP", &utc(now));
    out.prop("CREATED", &utc(item.created));
    out.prop("LAST-MODIFIED", &utc(item.modified));
    out.text("SUMMARY", item.title());
    let first = s.first();
    if s.whole_day {
        out.prop("DTSTART;VALUE=DATE", &date(first.start.date_naive()));
        out.prop("DTEND;VALUE=DATE", &date(first.end.date_naive()));
    } else {
        let zone = format!("TZID={}", tz.name());
        out.prop(&format!("DTSTART;{zone}"), &wall(first.start.naive_local()));
        // An open end has no end time: the event is its start (RFC 5545
        // 3.6.1), though listings keep it all its day.
        if let (Some(_), false) = (s.end, s.open_end) {
            out.prop(&format!("DTEND;{zone}"), &wall(first.end.naive_local()));
        }
    }
    if let Some(r) = &s.recurrence {
        out.prop("RRULE", &r.to_ical(s.start, s.whole_day));
        let cancelled = r.exdate_times(s.start);
        if !cancelled.is_empty() {
            if s.whole_day {
                let days: Vec<String> = cancelled.iter().map(|d| date(d.date())).collect();
                out.prop("EXDATE;VALUE=DATE", &days.join(","));
            } else {
                let times: Vec<String> = cancelled.iter().map(|d| wall(*d)).collect();
                out.prop(&format!("EXDATE;TZID={}", tz.name()), &times.join(","));
            }
        }
    }
    let mut description = item.description().trim().to_owned();
    let body = beffroi::search::strip_html(text("text"));
    let body = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    if !body.is_empty() {
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        description.push_str(&body);
    }
    if !description.is_empty() {
        out.text("DESCRIPTION", &description);
    }
    let address = item.field("address");
    let part = |k: &str| {
        address
            .and_then(|a| a.get(k))
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_owned()
    };
    let town = format!("{} {}", part("postcode"), part("locality"))
        .trim()
        .to_owned();
    let place: Vec<String> = [text("location").to_owned(), part("street"), town]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    if !place.is_empty() {
        out.text("LOCATION", &place.join(", "));
    }
    if let Some((lat, lon)) = super::coordinates(item) {
        out.prop("GEO", &format!("{lat};{lon}"));
    }
    out.prop("URL", &page.url(&item.path));
    let categories: Vec<String> = beffroi::search::strings(item.field("event_categories"))
        .iter()
        .map(|c| escape(&super::term(page, "event_categories", c)))
        .collect();
    if !categories.is_empty() {
        out.prop("CATEGORIES", &categories.join(","));
    }
    let contact: Vec<&str> = ["contact_name", "contact_email", "contact_phone"]
        .into_iter()
        .map(text)
        .filter(|c| !c.is_empty())
        .collect();
    if !contact.is_empty() {
        out.text("CONTACT", &contact.join(", "));
    }
    out.line("END:VEVENT");
}

/// The time zone's current rules as a `VTIMEZONE`: each change of the
/// year `year` as a yearly rule ("the last Sunday of March"), from 1970;
/// a zone without changes as one standard time.
fn vtimezone(out: &mut Lines, tz: Tz, year: i32) {
    out.line("BEGIN:VTIMEZONE");
    out.prop("TZID", tz.name());
    let changes = transitions(tz, year);
    if changes.len() == 2 {
        for c in &changes {
            let kind = if c.to > c.from {
                "DAYLIGHT"
            } else {
                "STANDARD"
            };
            // The change happens at this wall-clock time, before it.
            let wall_at = c.at.naive_utc() + Duration::seconds(i64::from(c.from));
            let (month, weekday) = (wall_at.month(), wall_at.weekday());
            let days_in_month = days_in_month(wall_at.year(), month);
            let nth: i32 = if wall_at.day() + 7 > days_in_month {
                -1
            } else {
                i32::try_from((wall_at.day() - 1) / 7 + 1).unwrap_or(1)
            };
            let first = nth_weekday(1970, month, weekday, nth)
                .map_or(wall_at, |d| d.and_time(wall_at.time()));
            out.line(&format!("BEGIN:{kind}"));
            out.prop("TZOFFSETFROM", &offset(c.from));
            out.prop("TZOFFSETTO", &offset(c.to));
            if !c.name.is_empty() {
                out.prop("TZNAME", &c.name);
            }
            out.prop("DTSTART", &wall(first));
            out.prop(
                "RRULE",
                &format!(
                    "FREQ=YEARLY;BYMONTH={month};BYDAY={nth}{}",
                    super::recurrence::weekday_code(weekday)
                ),
            );
            out.line(&format!("END:{kind}"));
        }
    } else {
        let o = tz.offset_from_utc_datetime(&Utc::now().naive_utc());
        let seconds = o.fix().local_minus_utc();
        out.line("BEGIN:STANDARD");
        out.prop("TZOFFSETFROM", &offset(seconds));
        out.prop("TZOFFSETTO", &offset(seconds));
        if let Some(name) = o.abbreviation() {
            out.prop("TZNAME", name);
        }
        out.prop("DTSTART", "19700101T000000");
        out.line("END:STANDARD");
    }
    out.line("END:VTIMEZONE");
}

/// A change of a zone's offset.
struct Transition {
    at: DateTime<Utc>,
    from: i32,
    to: i32,
    name: String,
}

/// The changes of offset of `tz` in `year`, found day by day and then to
/// the second.
fn transitions(tz: Tz, year: i32) -> Vec<Transition> {
    let offset_at = |t: i64| {
        DateTime::from_timestamp(t, 0).map_or(0, |d| {
            tz.offset_from_utc_datetime(&d.naive_utc())
                .fix()
                .local_minus_utc()
        })
    };
    let Some(start) = NaiveDate::from_ymd_opt(year, 1, 1) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut t = start.and_time(chrono::NaiveTime::MIN).and_utc().timestamp();
    for _ in 0..366 {
        let next = t + 86_400;
        let (a, b) = (offset_at(t), offset_at(next));
        if a != b {
            let (mut lo, mut hi) = (t, next);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if offset_at(mid) == a {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let name = DateTime::from_timestamp(hi, 0)
                .and_then(|d| {
                    tz.offset_from_utc_datetime(&d.naive_utc())
                        .abbreviation()
                        .map(str::to_owned)
                })
                .unwrap_or_default();
            if let Some(at) = DateTime::from_timestamp(hi, 0) {
                out.push(Transition {
                    at,
                    from: a,
                    to: b,
                    name,
                });
            }
        }
        t = next;
    }
    out
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    next.and_then(|n| n.pred_opt()).map_or(28, |d| d.day())
}

/// The `nth` (or last, -1) `weekday` of a month.
fn nth_weekday(year: i32, month: u32, weekday: Weekday, nth: i32) -> Option<NaiveDate> {
    if nth == -1 {
        let last = NaiveDate::from_ymd_opt(year, month, days_in_month(year, month))?;
        let back = (7 + last.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
        return last.checked_sub_signed(Duration::days(i64::from(back)));
    }
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let ahead = (7 + weekday.num_days_from_monday() - first.weekday().num_days_from_monday()) % 7;
    let n = u32::try_from(nth - 1).ok()?;
    first.checked_add_signed(Duration::days(i64::from(ahead + 7 * n)))
}

fn offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    if s % 60 == 0 {
        format!("{sign}{:02}{:02}", s / 3600, s % 3600 / 60)
    } else {
        format!("{sign}{:02}{:02}{:02}", s / 3600, s % 3600 / 60, s % 60)
    }
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn wall(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%S").to_string()
}

fn date(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// The host of the site's URL, for UIDs.
fn host(base: &str) -> String {
    let rest = base.split_once("://").map_or(base, |(_, r)| r);
    let host = rest.split(['/', ':']).next().unwrap_or("");
    if host.is_empty() {
        "beffroi.invalid".into()
    } else {
        host.to_owned()
    }
}

/// Escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma,
/// new lines; other control characters are dropped.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Content lines: CRLF endings, folded at 75 octets.
#[derive(Default)]
struct Lines(String);

impl Lines {
    /// A line as is (folded).
    fn line(&mut self, line: &str) {
        fold(&mut self.0, line);
    }

    /// `NAME:value`, the value as is.
    fn prop(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{value}"));
    }

    /// `NAME:value`, the value escaped as text.
    fn text(&mut self, name: &str, value: &str) {
        self.prop(name, &escape(value));
    }
}

/// Appends `line` folded: at most 75 octets a line, never inside a
/// character, each continuation starting with a space.
pub(crate) fn fold(out: &mut String, line: &str) {
    let mut room = 75;
    let mut used = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > room {
            out.push_str("\r\n ");
            // The space counts.
            room = 74;
            used = 0;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("Marché; fruits, légumes\\bio\nSamedi\r\n"),
            "Marché\\; fruits\\, légumes\\\\bio\\nSamedi\\n"
        );
    }

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let mut out = String::new();
        let line = format!("SUMMARY:{}", "é".repeat(100));
        fold(&mut out, &line);
        let physical: Vec<&str> = out.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert!(physical.len() > 2);
        assert!(physical.iter().all(|l| l.len() <= 75), "{physical:?}");
        assert!(physical[1..].iter().all(|l| l.starts_with(' ')));
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{line}\r\n"));
    }

    #[test]
    fn brussels_changes_time_on_the_last_sundays_of_march_and_october() {
        let mut out = Lines::default();
        vtimezone(&mut out, chrono_tz::Europe::Brussels, 2026);
        let expected = "BEGIN:VTIMEZONE\r\nTZID:Europe/Brussels\r\n\
            BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n\
            DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n\
            BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n\
            DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n\
            END:VTIMEZONE\r\n";
        assert_eq!(out.0, expected);
    }

    #[test]
    fn a_zone_without_summer_time_is_one_standard_time() {
        let mut out = Lines::default();
        vtimezone(&mut out, chrono_tz::Asia::Tokyo, 2026);
        assert!(out.0.contains("TZOFFSETTO:+0900\r\n"));
        assert!(!out.0.contains("DAYLIGHT"));
    }

    #[test]
    fn hosts_are_read_from_the_site_url() {
        assert_eq!(host("https://www.sambreville.be"), "www.sambreville.be");
        assert_eq!(host("http://town.test:8080/sub"), "town.test");
    }
}
