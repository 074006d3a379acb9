//! Recurrence rules as editors write them in an event's `recurrence`
//! field: an RFC 5545 `RRULE` (`FREQ=WEEKLY;BYDAY=SA`, with or without
//! the `RRULE:` prefix), optionally followed by `EXDATE` lines for the
//! dates that are cancelled.
//!
//! The rule is read here, part by part, so that a mistake gets a message
//! an editor understands (in the site's languages), and so the rule can
//! be written back canonically in iCalendar files. Its dates are then
//! produced by the `rrule` crate, in the town's wall-clock time: a
//! market at 8:00 stays at 8:00 when the clocks change.

use chrono::{DateTime, Duration, Month, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use rrule::{Frequency, NWeekday, RRule, RRuleSet, Unvalidated};

/// A recurrence: one rule and its exceptions.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Recurrence {
    /// How often: daily, weekly, monthly, yearly.
    pub(crate) freq: Frequency,
    /// Every how many periods (1: every one).
    pub(crate) interval: u16,
    /// How many occurrences in all, the event's start included.
    pub(crate) count: Option<u32>,
    /// The last possible start.
    pub(crate) until: Option<Until>,
    /// Days of the week, numbered within the month or year or not.
    pub(crate) by_day: Vec<NWeekday>,
    /// Days of the month (negative: from its end).
    pub(crate) by_month_day: Vec<i8>,
    /// Months, 1 to 12.
    pub(crate) by_month: Vec<u8>,
    /// Which of the period's dates to keep (1: the first, -1: the last).
    pub(crate) by_set_pos: Vec<i32>,
    /// The first day of the week, for weekly rules every few weeks.
    pub(crate) week_start: Option<Weekday>,
    /// Cancelled occurrences.
    pub(crate) exdates: Vec<Moment>,
}

/// A date or a date and time as a rule writes them: `20271231`,
/// `20271231T080000` (the town's time) or `20271231T070000Z` (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Moment {
    /// A whole day.
    Date(NaiveDate),
    /// A time in the town's time zone.
    Local(NaiveDateTime),
    /// A time in UTC.
    Utc(DateTime<Utc>),
}

/// `UNTIL` is a [`Moment`]: a day includes the whole day.
pub(crate) type Until = Moment;

/// Why a rule is refused: a message of the module's catalog and its
/// arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// The message's key (`website-rrule-…`).
    pub(crate) key: &'static str,
    /// Its arguments.
    pub(crate) args: Vec<(&'static str, String)>,
}

impl Problem {
    fn new(key: &'static str) -> Self {
        Self {
            key,
            args: Vec::new(),
        }
    }

    fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    fn bad(part: &str, value: &str) -> Self {
        Self::new("website-rrule-bad-value")
            .with("part", part)
            .with("value", value)
    }
}

/// The most occurrences a rule may ask for with `COUNT`.
const MAX_COUNT: u32 = 5000;
/// The most cancelled dates.
const MAX_EXDATES: usize = 200;

impl Recurrence {
    /// Reads the text of a `recurrence` field; `Ok(None)` when it is blank.
    pub(crate) fn parse(text: &str) -> Result<Option<Self>, Problem> {
        let mut rule: Option<Self> = None;
        let mut exdates = Vec::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (name, value) = match line.split_once(':') {
                Some((head, value)) => {
                    let name = head.split(';').next().unwrap_or("").trim();
                    (name.to_ascii_uppercase(), value.trim())
                }
                None => ("RRULE".to_owned(), line),
            };
            match name.as_str() {
                "RRULE" => {
                    if rule.is_some() {
                        return Err(Problem::new("website-rrule-one-rule"));
                    }
                    rule = Some(Self::parse_rule(value)?);
                }
                "EXDATE" => {
                    for v in value.split(',').map(str::trim).filter(|v| !v.is_empty()) {
                        exdates.push(moment(v).ok_or_else(|| Problem::bad("EXDATE", v))?);
                    }
                }
                _ => {
                    return Err(Problem::new("website-rrule-unknown-line").with("line", name));
                }
            }
        }
        if exdates.len() > MAX_EXDATES {
            return Err(Problem::new("website-rrule-too-many")
                .with("part", "EXDATE")
                .with("max", MAX_EXDATES.to_string()));
        }
        match rule {
            Some(mut r) => {
                r.exdates = exdates;
                Ok(Some(r))
            }
            None if exdates.is_empty() => Ok(None),
            None => Err(Problem::new("website-rrule-one-rule")),
        }
    }

    fn parse_rule(text: &str) -> Result<Self, Problem> {
        let mut seen: Vec<String> = Vec::new();
        let mut freq = None;
        let mut r = Self {
            freq: Frequency::Daily,
            interval: 1,
            count: None,
            until: None,
            by_day: Vec::new(),
            by_month_day: Vec::new(),
            by_month: Vec::new(),
            by_set_pos: Vec::new(),
            week_start: None,
            exdates: Vec::new(),
        };
        for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = part
                .split_once('=')
                .map(|(n, v)| (n.trim().to_ascii_uppercase(), v.trim()))
                .ok_or_else(|| Problem::new("website-rrule-unknown-part").with("part", part))?;
            if seen.contains(&name) {
                return Err(Problem::new("website-rrule-twice").with("part", name));
            }
            seen.push(name.clone());
            let list = || value.split(',').map(str::trim);
            match name.as_str() {
                "FREQ" => {
                    freq = Some(match value.to_ascii_uppercase().as_str() {
                        "DAILY" => Frequency::Daily,
                        "WEEKLY" => Frequency::Weekly,
                        "MONTHLY" => Frequency::Monthly,
                        "YEARLY" => Frequency::Yearly,
                        _ => return Err(Problem::new("website-rrule-freq").with("value", value)),
                    });
                }
                "INTERVAL" => {
                    r.interval = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=1000).contains(n))
                        .ok_or_else(|| Problem::bad(&name, value))?;
                }
                "COUNT" => {
                    let n: u32 = value
                        .parse()
                        .ok()
                        .filter(|n| *n >= 1)
                        .ok_or_else(|| Problem::bad(&name, value))?;
                    if n > MAX_COUNT {
                        return Err(Problem::new("website-rrule-too-many")
                            .with("part", name)
                            .with("max", MAX_COUNT.to_string()));
                    }
                    r.count = Some(n);
                }
                "UNTIL" => r.until = Some(moment(value).ok_or_else(|| Problem::bad(&name, value))?),
                "BYDAY" => {
                    for v in list() {
                        r.by_day
                            .push(n_weekday(v).ok_or_else(|| Problem::bad(&name, v))?);
                    }
                }
                "BYMONTHDAY" => {
                    for v in list() {
                        r.by_month_day.push(
                            v.parse()
                                .ok()
                                .filter(|d: &i8| *d != 0 && (-31..=31).contains(d))
                                .ok_or_else(|| Problem::bad(&name, v))?,
                        );
                    }
                }
                "BYMONTH" => {
                    for v in list() {
                        r.by_month.push(
                            v.parse()
                                .ok()
                                .filter(|m| (1..=12).contains(m))
                                .ok_or_else(|| Problem::bad(&name, v))?,
                        );
                    }
                }
                "BYSETPOS" => {
                    for v in list() {
                        r.by_set_pos.push(
                            v.parse()
                                .ok()
                                .filter(|p: &i32| *p != 0 && (-366..=366).contains(p))
                                .ok_or_else(|| Problem::bad(&name, v))?,
                        );
                    }
                }
                "WKST" => {
                    r.week_start = Some(weekday(value).ok_or_else(|| Problem::bad(&name, value))?);
                }
                _ => return Err(Problem::new("website-rrule-unknown-part").with("part", name)),
            }
        }
        r.freq = freq.ok_or_else(|| Problem::new("website-rrule-freq").with("value", ""))?;
        if r.count.is_some() && r.until.is_some() {
            return Err(Problem::new("website-rrule-count-and-until"));
        }
        let numbered = r.by_day.iter().any(|d| matches!(d, NWeekday::Nth(..)));
        match r.freq {
            Frequency::Monthly | Frequency::Yearly => {}
            _ if numbered => return Err(Problem::new("website-rrule-numbered-day")),
            _ => {}
        }
        // A numbered day counts within the month, or within the year
        // when a yearly rule names no month.
        let max_nth: u16 = if r.freq == Frequency::Yearly && r.by_month.is_empty() {
            53
        } else {
            5
        };
        if let Some(NWeekday::Nth(n, d)) = r
            .by_day
            .iter()
            .find(|d| matches!(d, NWeekday::Nth(n, _) if n.unsigned_abs() > max_nth))
        {
            return Err(Problem::bad("BYDAY", &format!("{n}{}", weekday_code(*d))));
        }
        if r.freq == Frequency::Weekly && !r.by_month_day.is_empty() {
            return Err(Problem::new("website-rrule-monthday-weekly"));
        }
        if !r.by_set_pos.is_empty()
            && r.by_day.is_empty()
            && r.by_month_day.is_empty()
            && r.by_month.is_empty()
        {
            return Err(Problem::new("website-rrule-setpos"));
        }
        Ok(r)
    }

    /// Checks the rule against the event's first start: `UNTIL` is not
    /// before it, the `rrule` crate accepts it, and it gives at least one
    /// date besides the start.
    pub(crate) fn check(&self, start: DateTime<Tz>) -> Result<(), Problem> {
        if let Some(until) = self.until_instant(start.timezone()) {
            if until < start.with_timezone(&Utc) {
                return Err(Problem::new("website-rrule-until-before-start"));
            }
        }
        let set = self.set(start)?;
        if set.limit().into_iter().next().is_none() && self.count != Some(1) {
            return Err(Problem::new("website-rrule-no-date"));
        }
        Ok(())
    }

    /// The starts of the occurrences, in order, beginning with `start`
    /// (the event's own start, which RFC 5545 counts as the first
    /// occurrence), cancelled ones left out. Rules the `rrule` crate
    /// refuses give the start alone.
    pub(crate) fn starts(&self, start: DateTime<Tz>) -> impl Iterator<Item = DateTime<Tz>> + '_ {
        let tz = start.timezone();
        let mut generated = self
            .set(start)
            .map(|s| s.limit().into_iter())
            .ok()
            .into_iter()
            .flatten()
            .map(move |d| d.with_timezone(&tz))
            .peekable();
        // When the start is not one of the rule's dates, it still counts
        // towards COUNT.
        let synchronised = generated.peek() == Some(&start);
        let rest = match self.count {
            Some(c) if !synchronised => c.saturating_sub(1) as usize,
            _ => usize::MAX,
        };
        std::iter::once(start)
            .chain(generated.filter(move |d| *d != start).take(rest))
            .filter(move |d| !self.cancelled(*d))
    }

    fn cancelled(&self, at: DateTime<Tz>) -> bool {
        self.exdates.iter().any(|x| match x {
            Moment::Date(d) => at.date_naive() == *d,
            Moment::Local(n) => at.naive_local() == *n,
            Moment::Utc(u) => at.with_timezone(&Utc) == *u,
        })
    }

    /// The last possible start as an instant: a day `UNTIL` includes the
    /// whole day in the town's time.
    pub(crate) fn until_instant(&self, tz: Tz) -> Option<DateTime<Utc>> {
        self.until.map(|u| match u {
            Moment::Date(d) => {
                local(tz, (d + Duration::days(1)).and_time(chrono::NaiveTime::MIN))
                    .with_timezone(&Utc)
                    - Duration::seconds(1)
            }
            Moment::Local(n) => local(tz, n).with_timezone(&Utc),
            Moment::Utc(u) => u,
        })
    }

    fn set(&self, start: DateTime<Tz>) -> Result<RRuleSet, Problem> {
        let tz = start.timezone();
        let mut r: RRule<Unvalidated> = RRule::new(self.freq).interval(self.interval);
        if let Some(c) = self.count {
            r = r.count(c);
        }
        if let Some(u) = self.until_instant(tz) {
            r = r.until(u.with_timezone(&rrule::Tz::UTC));
        }
        if !self.by_day.is_empty() {
            r = r.by_weekday(self.by_day.clone());
        }
        if !self.by_month_day.is_empty() {
            r = r.by_month_day(self.by_month_day.clone());
        }
        if !self.by_month.is_empty() {
            let months: Vec<Month> = self
                .by_month
                .iter()
                .filter_map(|m| Month::try_from(*m).ok())
                .collect();
            r = r.by_month(&months);
        }
        if !self.by_set_pos.is_empty() {
            r = r.by_set_pos(self.by_set_pos.clone());
        }
        if let Some(w) = self.week_start {
            r = r.week_start(w);
        }
        r.build(start.with_timezone(&rrule::Tz::Tz(tz)))
            .map_err(|e| Problem::new("website-rrule-other").with("detail", e.to_string()))
    }

    /// The rule as an iCalendar `RRULE` value for an event starting at
    /// `start`: `UNTIL` as a date for whole-day events, else in UTC, as
    /// RFC 5545 asks when the start names its time zone.
    pub(crate) fn to_ical(&self, start: DateTime<Tz>, whole_day: bool) -> String {
        let mut parts = vec![format!("FREQ={}", self.freq)];
        if self.interval != 1 {
            parts.push(format!("INTERVAL={}", self.interval));
        }
        if let Some(c) = self.count {
            parts.push(format!("COUNT={c}"));
        }
        if let Some(u) = self.until_instant(start.timezone()) {
            if whole_day {
                let day = u.with_timezone(&start.timezone()).date_naive();
                parts.push(format!("UNTIL={}", day.format("%Y%m%d")));
            } else {
                parts.push(format!("UNTIL={}", u.format("%Y%m%dT%H%M%SZ")));
            }
        }
        if !self.by_day.is_empty() {
            let days: Vec<String> = self.by_day.iter().map(|d| n_weekday_code(*d)).collect();
            parts.push(format!("BYDAY={}", days.join(",")));
        }
        let join = |v: &[String]| v.join(",");
        if !self.by_month_day.is_empty() {
            let v: Vec<String> = self.by_month_day.iter().map(ToString::to_string).collect();
            parts.push(format!("BYMONTHDAY={}", join(&v)));
        }
        if !self.by_month.is_empty() {
            let v: Vec<String> = self.by_month.iter().map(ToString::to_string).collect();
            parts.push(format!("BYMONTH={}", join(&v)));
        }
        if !self.by_set_pos.is_empty() {
            let v: Vec<String> = self.by_set_pos.iter().map(ToString::to_string).collect();
            parts.push(format!("BYSETPOS={}", join(&v)));
        }
        if let Some(w) = self.week_start {
            parts.push(format!("WKST={}", weekday_code(w)));
        }
        parts.join(";")
    }

    /// The cancelled starts, in the town's time, for an event starting at
    /// `start` (a cancelled day of a timed event is that day at the
    /// event's time).
    pub(crate) fn exdate_times(&self, start: DateTime<Tz>) -> Vec<NaiveDateTime> {
        let tz = start.timezone();
        self.exdates
            .iter()
            .map(|x| match x {
                Moment::Date(d) => d.and_time(start.time()),
                Moment::Local(n) => *n,
                Moment::Utc(u) => u.with_timezone(&tz).naive_local(),
            })
            .collect()
    }
}

/// The instant of a wall-clock time in `tz`: the earlier one when the
/// clocks go back, and the first time after the gap when they go forward.
pub(crate) fn local(tz: Tz, at: NaiveDateTime) -> DateTime<Tz> {
    let mut t = at;
    for _ in 0..4 {
        if let Some(d) = tz.from_local_datetime(&t).earliest() {
            return d;
        }
        t += Duration::minutes(30);
    }
    tz.from_utc_datetime(&at)
}

/// Reads `20271231`, `20271231T080000` or `20271231T070000Z`.
fn moment(s: &str) -> Option<Moment> {
    if s.len() == 8 {
        return NaiveDate::parse_from_str(s, "%Y%m%d")
            .ok()
            .map(Moment::Date);
    }
    if let Some(utc) = s.strip_suffix('Z').or_else(|| s.strip_suffix('z')) {
        return NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S")
            .ok()
            .map(|n| Moment::Utc(n.and_utc()));
    }
    NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S")
        .ok()
        .map(Moment::Local)
}

fn weekday(s: &str) -> Option<Weekday> {
    Some(match s.to_ascii_uppercase().as_str() {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

/// `MO`…`SU`.
pub(crate) fn weekday_code(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

/// `SA`, `1SA`, `-1FR`.
pub(crate) fn n_weekday_code(d: NWeekday) -> String {
    match d {
        NWeekday::Every(w) => weekday_code(w).to_owned(),
        NWeekday::Nth(n, w) => format!("{n}{}", weekday_code(w)),
    }
}

/// Reads `SA`, `1SA`, `+2MO`, `-1FR`.
fn n_weekday(s: &str) -> Option<NWeekday> {
    let split = s.len().checked_sub(2)?;
    let (n, day) = (s.get(..split)?, s.get(split..)?);
    let day = weekday(day)?;
    if n.is_empty() {
        return Some(NWeekday::Every(day));
    }
    let digits = n.strip_prefix(['+', '-']).unwrap_or(n);
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i16 = n.strip_prefix('+').unwrap_or(n).parse().ok()?;
    (n != 0).then_some(NWeekday::Nth(n, day))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    const BRUSSELS: Tz = chrono_tz::Europe::Brussels;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Tz> {
        local(
            BRUSSELS,
            NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(h, min, 0)
                .unwrap(),
        )
    }

    fn rule(s: &str) -> Recurrence {
        Recurrence::parse(s).unwrap().unwrap()
    }

    fn key(s: &str) -> &'static str {
        Recurrence::parse(s).unwrap_err().key
    }

    fn dates(r: &Recurrence, start: DateTime<Tz>, n: usize) -> Vec<String> {
        r.starts(start)
            .take(n)
            .map(|d| d.format("%Y-%m-%d %H:%M %:z").to_string())
            .collect()
    }

    #[test]
    fn blank_is_no_recurrence() {
        assert_eq!(Recurrence::parse("  \n ").unwrap(), None);
    }

    #[test]
    fn a_weekly_market_stays_at_eight_across_the_change_of_time() {
        // The clocks go forward on 29 March 2026 and back on 25 October.
        let r = rule("FREQ=WEEKLY;BYDAY=SA");
        let got = dates(&r, at(2026, 3, 21, 8, 0), 3);
        assert_eq!(
            got,
            [
                "2026-03-21 08:00 +01:00",
                "2026-03-28 08:00 +01:00",
                "2026-04-04 08:00 +02:00"
            ]
        );
        let got = dates(&r, at(2026, 10, 17, 8, 0), 3);
        assert_eq!(got[2], "2026-10-31 08:00 +01:00");
        assert!(r
            .starts(at(2026, 3, 21, 8, 0))
            .take(60)
            .all(|d| d.hour() == 8));
    }

    #[test]
    fn count_and_until_end_the_rule() {
        let r = rule("RRULE:FREQ=DAILY;COUNT=3");
        assert_eq!(r.starts(at(2026, 5, 1, 10, 0)).count(), 3);
        // UNTIL as a day includes that day.
        let r = rule("FREQ=WEEKLY;BYDAY=SA;UNTIL=20260516");
        let got = dates(&r, at(2026, 5, 2, 8, 0), 10);
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(got[2].starts_with("2026-05-16"));
        // UNTIL in UTC.
        let r = rule("FREQ=DAILY;UNTIL=20260503T075959Z");
        assert_eq!(r.starts(at(2026, 5, 1, 10, 0)).count(), 2);
    }

    #[test]
    fn numbered_days_of_the_month() {
        let r = rule("FREQ=MONTHLY;BYDAY=1SA");
        assert_eq!(
            dates(&r, at(2026, 1, 3, 9, 0), 3),
            [
                "2026-01-03 09:00 +01:00",
                "2026-02-07 09:00 +01:00",
                "2026-03-07 09:00 +01:00"
            ]
        );
        let r = rule("FREQ=MONTHLY;BYDAY=-1FR;COUNT=3");
        assert_eq!(
            dates(&r, at(2026, 1, 30, 20, 0), 5),
            [
                "2026-01-30 20:00 +01:00",
                "2026-02-27 20:00 +01:00",
                "2026-03-27 20:00 +01:00"
            ]
        );
        let r = rule("FREQ=MONTHLY;BYMONTHDAY=15;INTERVAL=2");
        assert_eq!(
            dates(&r, at(2026, 1, 15, 9, 0), 2),
            ["2026-01-15 09:00 +01:00", "2026-03-15 09:00 +01:00"]
        );
        let r = rule("FREQ=YEARLY;BYMONTH=7;BYDAY=3SU");
        assert_eq!(
            dates(&r, at(2026, 7, 19, 14, 0), 2),
            ["2026-07-19 14:00 +02:00", "2027-07-18 14:00 +02:00"]
        );
    }

    #[test]
    fn the_start_counts_as_the_first_occurrence() {
        // A start on a Friday for a Saturday rule: the Friday, then the
        // Saturdays, three in all.
        let r = rule("FREQ=WEEKLY;BYDAY=SA;COUNT=3");
        let got = dates(&r, at(2026, 5, 1, 8, 0), 10);
        assert_eq!(
            got,
            [
                "2026-05-01 08:00 +02:00",
                "2026-05-02 08:00 +02:00",
                "2026-05-09 08:00 +02:00"
            ]
        );
    }

    #[test]
    fn cancelled_dates_are_left_out() {
        let r = rule("RRULE:FREQ=WEEKLY;BYDAY=SA\nEXDATE:20260509,20260516T080000");
        let got = dates(&r, at(2026, 5, 2, 8, 0), 3);
        assert_eq!(
            got,
            [
                "2026-05-02 08:00 +02:00",
                "2026-05-23 08:00 +02:00",
                "2026-05-30 08:00 +02:00"
            ]
        );
    }

    #[test]
    fn mistakes_are_named() {
        assert_eq!(key("BYDAY=SA"), "website-rrule-freq");
        assert_eq!(key("FREQ=HOURLY"), "website-rrule-freq");
        assert_eq!(key("FREQ=WEEKLY;BYDAY=XX"), "website-rrule-bad-value");
        assert_eq!(key("FREQ=WEEKLY;BYDAY=1SA"), "website-rrule-numbered-day");
        assert_eq!(key("FREQ=MONTHLY;BYDAY=6SA"), "website-rrule-bad-value");
        assert_eq!(
            key("FREQ=WEEKLY;COUNT=2;UNTIL=20270101"),
            "website-rrule-count-and-until"
        );
        assert_eq!(key("FREQ=WEEKLY;FREQ=DAILY"), "website-rrule-twice");
        assert_eq!(key("FREQ=DAILY;BYHOUR=8"), "website-rrule-unknown-part");
        assert_eq!(key("FREQ=DAILY;INTERVAL=0"), "website-rrule-bad-value");
        assert_eq!(key("FREQ=DAILY;COUNT=99999"), "website-rrule-too-many");
        assert_eq!(
            key("FREQ=DAILY;UNTIL=2027-01-01"),
            "website-rrule-bad-value"
        );
        assert_eq!(key("FREQ=MONTHLY;BYMONTHDAY=32"), "website-rrule-bad-value");
        assert_eq!(
            key("FREQ=WEEKLY;BYMONTHDAY=3"),
            "website-rrule-monthday-weekly"
        );
        assert_eq!(key("FREQ=DAILY;BYSETPOS=1"), "website-rrule-setpos");
        assert_eq!(key("FREQ=DAILY\nFREQ=WEEKLY"), "website-rrule-one-rule");
        assert_eq!(key("RDATE:20260101"), "website-rrule-unknown-line");
        assert_eq!(key("EXDATE:20260101"), "website-rrule-one-rule");
        assert_eq!(key("FREQ=DAILY;garbage"), "website-rrule-unknown-part");
    }

    #[test]
    fn checks_against_the_start() {
        let start = at(2026, 5, 2, 8, 0);
        assert!(rule("FREQ=WEEKLY;BYDAY=SA").check(start).is_ok());
        assert_eq!(
            rule("FREQ=WEEKLY;UNTIL=20260101")
                .check(start)
                .unwrap_err()
                .key,
            "website-rrule-until-before-start"
        );
        // The 30th of February never comes.
        assert_eq!(
            rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30")
                .check(start)
                .unwrap_err()
                .key,
            "website-rrule-no-date"
        );
    }

    #[test]
    fn written_back_for_icalendar() {
        let r = rule("freq=weekly;byday=sa;until=20261231");
        let start = at(2026, 5, 2, 8, 0);
        assert_eq!(
            r.to_ical(start, false),
            "FREQ=WEEKLY;UNTIL=20261231T225959Z;BYDAY=SA"
        );
        assert_eq!(
            r.to_ical(at(2026, 5, 2, 0, 0), true),
            "FREQ=WEEKLY;UNTIL=20261231;BYDAY=SA"
        );
        // A first Saturday stays numbered (`1SA`, not `SA`).
        let r = rule("FREQ=MONTHLY;BYDAY=1SA,-1SU;WKST=MO");
        assert_eq!(
            r.to_ical(start, false),
            "FREQ=MONTHLY;BYDAY=1SA,-1SU;WKST=MO"
        );
        let r = rule("FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR;COUNT=4");
        assert_eq!(
            r.to_ical(start, false),
            "FREQ=MONTHLY;INTERVAL=2;COUNT=4;BYDAY=-1FR"
        );
    }

    #[test]
    fn a_rule_without_end_is_not_expanded_forever() {
        let r = rule("FREQ=DAILY");
        let start = at(2026, 1, 1, 9, 0);
        let horizon = start + Duration::days(30);
        let n = r.starts(start).take_while(|d| *d < horizon).count();
        assert_eq!(n, 30);
    }
}
