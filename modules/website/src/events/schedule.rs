//! When an event takes place: its first occurrence, read from its fields
//! in the town's time zone, and the occurrences its recurrence adds.
//!
//! An occurrence runs from its start to its end. A whole-day event runs
//! from midnight on its first day to midnight after its last; an event
//! with an open end (or with no end given) runs until the midnight that
//! ends its start day, so that it stays listed all that day.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use beffroi::prelude::*;

use super::recurrence::{local, Problem, Recurrence};

/// How far ahead a rule without end is expanded when the window asked
/// has no end.
pub(crate) const RULE_HORIZON_DAYS: i64 = 366;

/// An event's dates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Schedule {
    /// Its start, in the town's time (midnight of its first day for a
    /// whole-day event).
    pub(crate) start: DateTime<Tz>,
    /// Its end as given, in the town's time.
    pub(crate) end: Option<DateTime<Tz>>,
    /// It lasts whole days.
    pub(crate) whole_day: bool,
    /// It has no end time.
    pub(crate) open_end: bool,
    /// How it repeats.
    pub(crate) recurrence: Option<Recurrence>,
}

/// One occurrence of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Occurrence {
    /// When it starts.
    pub(crate) start: DateTime<Tz>,
    /// When it ends (see the module's documentation).
    pub(crate) end: DateTime<Tz>,
}

impl Occurrence {
    /// Whether it runs at `now`.
    pub(crate) fn is_current(&self, now: DateTime<Utc>) -> bool {
        self.start <= now && now < self.end
    }
}

impl Schedule {
    /// The schedule of an Event, leniently: `None` without a readable
    /// start; a recurrence that cannot be read is ignored (the hook keeps
    /// such rules out; this only guards data written before it).
    pub(crate) fn of(item: &Item, tz: Tz) -> Option<Self> {
        let start = datetime(item, "start", tz)?;
        let recurrence = item
            .field("recurrence")
            .and_then(Value::as_str)
            .and_then(|t| Recurrence::parse(t).ok().flatten());
        Some(Self::new(item, tz, start, recurrence))
    }

    /// The schedule of an Event as a write gives it, strictly: the end is
    /// not before the start, and the recurrence is a valid rule.
    pub(crate) fn read(item: &Item, tz: Tz) -> Result<Option<Self>, Problem> {
        let Some(start) = datetime(item, "start", tz) else {
            return Ok(None);
        };
        let recurrence = match item.field("recurrence").and_then(Value::as_str) {
            Some(text) => Recurrence::parse(text)?,
            None => None,
        };
        let s = Self::new(item, tz, start, recurrence);
        if let Some(end) = datetime(item, "end", tz) {
            let before = if s.whole_day {
                end.date_naive() < start.date_naive()
            } else {
                end < start
            };
            if before {
                return Err(Problem {
                    key: "website-event-end-before-start",
                    args: Vec::new(),
                });
            }
        }
        if let Some(r) = &s.recurrence {
            r.check(s.start)?;
        }
        Ok(Some(s))
    }

    fn new(item: &Item, tz: Tz, start: DateTime<Tz>, recurrence: Option<Recurrence>) -> Self {
        let flag = |name: &str| item.field(name).and_then(Value::as_bool) == Some(true);
        let whole_day = flag("whole_day");
        let start = if whole_day {
            midnight(tz, start.date_naive())
        } else {
            start
        };
        Self {
            start,
            end: datetime(item, "end", tz),
            whole_day,
            open_end: flag("open_end"),
            recurrence,
        }
    }

    /// Whether it repeats.
    pub(crate) fn is_recurring(&self) -> bool {
        self.recurrence.is_some()
    }

    /// How many days a whole-day occurrence lasts (at least one).
    pub(crate) fn days(&self) -> i64 {
        let last = self.end.map_or(self.start.date_naive(), |e| e.date_naive());
        (last - self.start.date_naive()).num_days().max(0) + 1
    }

    /// The first occurrence: the event's own dates.
    pub(crate) fn first(&self) -> Occurrence {
        self.at(self.start)
    }

    /// The occurrence starting at `start`, lasting as the first does (in
    /// wall-clock time, so an event from 8:00 to 13:00 keeps those hours
    /// on the day the clocks change).
    pub(crate) fn at(&self, start: DateTime<Tz>) -> Occurrence {
        let tz = start.timezone();
        let day = start.date_naive();
        let end = if self.whole_day {
            midnight(tz, day + Duration::days(self.days()))
        } else {
            match self.end {
                Some(end) if !self.open_end => {
                    let length = end.naive_local() - self.start.naive_local();
                    local(tz, start.naive_local() + length.max(Duration::zero()))
                }
                _ => midnight(tz, day + Duration::days(1)),
            }
        };
        Occurrence { start, end }
    }

    /// The occurrences still running at `from` or starting after it, and
    /// starting before `to`, at most `cap` of them, in order. A rule
    /// without end is expanded up to `to`, or [`RULE_HORIZON_DAYS`] after
    /// `from` when there is no `to`.
    pub(crate) fn occurrences(
        &self,
        from: DateTime<Utc>,
        to: Option<DateTime<Utc>>,
        cap: usize,
    ) -> Vec<Occurrence> {
        let Some(rule) = &self.recurrence else {
            let o = self.first();
            let inside = o.end > from && to.is_none_or(|t| o.start < t);
            return if inside { vec![o] } else { Vec::new() };
        };
        let horizon = to.unwrap_or(from + Duration::days(RULE_HORIZON_DAYS));
        let mut out = Vec::new();
        for start in rule.starts(self.start) {
            if start >= horizon || out.len() >= cap {
                break;
            }
            let o = self.at(start);
            if o.end > from {
                out.push(o);
            }
        }
        out
    }
}

/// Midnight starting `day` in `tz`.
pub(crate) fn midnight(tz: Tz, day: NaiveDate) -> DateTime<Tz> {
    local(tz, day.and_time(NaiveTime::MIN))
}

/// A datetime field in the town's time.
fn datetime(item: &Item, name: &str, tz: Tz) -> Option<DateTime<Tz>> {
    item.field(name)
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&tz))
}

/// The site's time zone (`timezone` in `site.toml`), Brussels when it
/// names none this build knows.
pub(crate) fn timezone(site: &Site) -> Tz {
    site.config()
        .timezone
        .parse()
        .unwrap_or(chrono_tz::Europe::Brussels)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TZ: Tz = chrono_tz::Europe::Brussels;

    fn event(fields: Value) -> Item {
        let now = Utc::now();
        Item {
            uid: "0".repeat(32),
            type_name: "Event".into(),
            id: "e".into(),
            path: "/e".into(),
            parent: None,
            position: 0,
            fields: match fields {
                Value::Object(m) => m,
                _ => Map::new(),
            },
            created: now,
            modified: now,
            creator: "admin".into(),
            review_state: None,
            language: None,
            revision: 1,
            local_roles: Default::default(),
            workflow_roles: Default::default(),
            block_inheritance: false,
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn a_fair_over_three_days_runs_until_its_end() {
        let s = Schedule::of(
            &event(
                json!({"start": "2026-06-05T10:00:00+02:00", "end": "2026-06-07T18:00:00+02:00"}),
            ),
            TZ,
        )
        .unwrap();
        let o = s.first();
        assert!(o.is_current(utc("2026-06-06T12:00:00Z")));
        assert!(!o.is_current(utc("2026-06-07T17:00:00Z")));
        assert_eq!(
            s.occurrences(utc("2026-06-06T00:00:00Z"), None, 10),
            vec![o]
        );
        assert!(s
            .occurrences(utc("2026-06-08T00:00:00Z"), None, 10)
            .is_empty());
    }

    #[test]
    fn a_whole_day_event_lasts_until_midnight_in_the_town() {
        let s = Schedule::of(
            &event(json!({"start": "2026-06-05T09:00:00+02:00", "whole_day": true})),
            TZ,
        )
        .unwrap();
        let o = s.first();
        assert_eq!(o.start.to_rfc3339(), "2026-06-05T00:00:00+02:00");
        assert_eq!(o.end.to_rfc3339(), "2026-06-06T00:00:00+02:00");
        // 23:30 in Brussels is 21:30 UTC: still on.
        assert!(o.is_current(utc("2026-06-05T21:30:00Z")));
        let s = Schedule::of(
            &event(json!({"start": "2026-06-05T00:00:00+02:00", "end": "2026-06-07T00:00:00+02:00", "whole_day": true})),
            TZ,
        )
        .unwrap();
        assert_eq!(s.days(), 3);
        assert_eq!(s.first().end.to_rfc3339(), "2026-06-08T00:00:00+02:00");
    }

    #[test]
    fn an_open_end_counts_as_the_start_day() {
        let s = Schedule::of(
            &event(json!({"start": "2026-06-05T20:00:00+02:00", "end": "2026-06-05T21:00:00+02:00", "open_end": true})),
            TZ,
        )
        .unwrap();
        assert_eq!(s.first().end.to_rfc3339(), "2026-06-06T00:00:00+02:00");
    }

    #[test]
    fn occurrences_keep_their_hours_and_stay_in_the_window() {
        let s = Schedule::of(
            &event(json!({
                "start": "2026-03-21T08:00:00+01:00",
                "end": "2026-03-21T13:00:00+01:00",
                "recurrence": "FREQ=WEEKLY;BYDAY=SA"
            })),
            TZ,
        )
        .unwrap();
        let got = s.occurrences(
            utc("2026-03-25T00:00:00Z"),
            Some(utc("2026-04-12T00:00:00Z")),
            100,
        );
        let text: Vec<String> = got
            .iter()
            .map(|o| format!("{} {}", o.start.to_rfc3339(), o.end.format("%H:%M")))
            .collect();
        assert_eq!(
            text,
            [
                "2026-03-28T08:00:00+01:00 13:00",
                "2026-04-04T08:00:00+02:00 13:00",
                "2026-04-11T08:00:00+02:00 13:00"
            ]
        );
        // Without an end to the window, a rule is expanded a year ahead.
        let year = s.occurrences(utc("2026-03-25T00:00:00Z"), None, 1000);
        assert!((52..=53).contains(&year.len()), "{}", year.len());
        // And never more than asked.
        assert_eq!(s.occurrences(utc("2026-03-25T00:00:00Z"), None, 5).len(), 5);
    }

    #[test]
    fn writes_are_checked() {
        let bad = |v: Value| Schedule::read(&event(v), TZ).unwrap_err().key;
        assert_eq!(
            bad(json!({"start": "2026-06-05T10:00:00+02:00", "end": "2026-06-05T09:00:00+02:00"})),
            "website-event-end-before-start"
        );
        assert_eq!(
            bad(json!({"start": "2026-06-05T10:00:00+02:00", "recurrence": "FREQ=SOMETIMES"})),
            "website-rrule-freq"
        );
        // A whole-day event may end on its start day, whatever the hours.
        assert!(Schedule::read(
            &event(json!({"start": "2026-06-05T10:00:00+02:00", "end": "2026-06-05T00:00:00+02:00", "whole_day": true})),
            TZ
        )
        .is_ok());
    }
}
