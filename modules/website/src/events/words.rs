//! Event dates and rules in words, in the page's language: "samedi 6 juin
//! 2026, de 08:00 à 13:00", "du 5 au 7 juin", "chaque samedi".

use chrono::{DateTime, Datelike, Duration, NaiveDate, Weekday};
use chrono_tz::Tz;
use rrule::{Frequency, NWeekday};

use beffroi::i18n::DateStyle;
use beffroi::view::Page;

use super::recurrence::Recurrence;
use super::schedule::{Occurrence, Schedule};

/// When an occurrence of `s` takes place, in words.
pub(crate) fn when(page: &Page<'_>, s: &Schedule, o: &Occurrence) -> String {
    let day = |d: NaiveDate| full_date(page, d);
    let time = |t: DateTime<Tz>| t.format("%H:%M").to_string();
    if s.whole_day {
        let last = o.end.date_naive() - Duration::days(1);
        if last <= o.start.date_naive() {
            return page.t(
                "website-when-whole-day",
                &[("date", day(o.start.date_naive()))],
            );
        }
        return page.t(
            "website-when-days",
            &[("from", day(o.start.date_naive())), ("to", day(last))],
        );
    }
    let open = s.open_end || s.end.is_none();
    if open {
        return page.t(
            "website-when-from-time",
            &[("date", day(o.start.date_naive())), ("time", time(o.start))],
        );
    }
    if o.end.date_naive() == o.start.date_naive() {
        return page.t(
            "website-when-times",
            &[
                ("date", day(o.start.date_naive())),
                ("start", time(o.start)),
                ("end", time(o.end)),
            ],
        );
    }
    page.t(
        "website-when-span",
        &[
            ("from", day(o.start.date_naive())),
            ("start", time(o.start)),
            ("to", day(o.end.date_naive())),
            ("end", time(o.end)),
        ],
    )
}

/// A date with its weekday: "samedi 6 juin 2026".
pub(crate) fn full_date(page: &Page<'_>, d: NaiveDate) -> String {
    page.site()
        .renderer()
        .catalog()
        .format_date(page.lang(), d, DateStyle::Full)
}

/// A rule in words ("chaque samedi", "le premier samedi du mois,
/// jusqu'au 31 décembre 2027"), for the rules people write most; `None`
/// for the others, whose dates are listed anyway.
pub(crate) fn rule(page: &Page<'_>, r: &Recurrence, start: DateTime<Tz>) -> Option<String> {
    if !r.by_set_pos.is_empty() {
        return None;
    }
    let n = r.interval.to_string();
    let base = match r.freq {
        Frequency::Daily
            if r.by_day.is_empty() && r.by_month_day.is_empty() && r.by_month.is_empty() =>
        {
            if r.interval == 1 {
                page.t("website-rrule-daily", &[])
            } else {
                page.t("website-rrule-daily-n", &[("n", n)])
            }
        }
        Frequency::Weekly if r.by_month.is_empty() => {
            let days = if r.by_day.is_empty() {
                vec![start.weekday()]
            } else {
                r.by_day
                    .iter()
                    .map(|d| match d {
                        NWeekday::Every(w) | NWeekday::Nth(_, w) => *w,
                    })
                    .collect()
            };
            let days = list(page, days.into_iter().map(|w| weekday(page, w)).collect());
            if r.interval == 1 {
                page.t("website-rrule-weekly", &[("days", days)])
            } else {
                page.t("website-rrule-weekly-n", &[("days", days), ("n", n)])
            }
        }
        Frequency::Monthly if r.by_month.is_empty() => {
            let numbered: Vec<(i16, Weekday)> = r
                .by_day
                .iter()
                .filter_map(|d| match d {
                    NWeekday::Nth(k, w) => Some((*k, *w)),
                    NWeekday::Every(_) => None,
                })
                .collect();
            if r.by_day.is_empty() {
                let days: Vec<String> = if r.by_month_day.is_empty() {
                    vec![start.day().to_string()]
                } else if r.by_month_day.iter().all(|d| *d > 0) {
                    r.by_month_day.iter().map(ToString::to_string).collect()
                } else {
                    return None;
                };
                let days = list(page, days);
                if r.interval == 1 {
                    page.t("website-rrule-monthly-day", &[("days", days)])
                } else {
                    page.t("website-rrule-monthly-day-n", &[("days", days), ("n", n)])
                }
            } else if r.by_month_day.is_empty()
                && numbered.len() == r.by_day.len()
                && numbered
                    .iter()
                    .all(|(k, _)| (1..=5).contains(k) || *k == -1)
            {
                let days = list(
                    page,
                    numbered
                        .iter()
                        .map(|(k, w)| {
                            page.t(
                                "website-rrule-nth",
                                &[("nth", ordinal(page, *k)), ("day", weekday(page, *w))],
                            )
                        })
                        .collect(),
                );
                if r.interval == 1 {
                    page.t("website-rrule-monthly-nth", &[("days", days)])
                } else {
                    page.t("website-rrule-monthly-nth-n", &[("days", days), ("n", n)])
                }
            } else {
                return None;
            }
        }
        Frequency::Yearly
            if r.by_day.is_empty() && r.by_month_day.is_empty() && r.by_month.is_empty() =>
        {
            if r.interval == 1 {
                page.t("website-rrule-yearly", &[])
            } else {
                page.t("website-rrule-yearly-n", &[("n", n)])
            }
        }
        _ => return None,
    };
    let tz = start.timezone();
    Some(match (r.count, r.until_instant(tz)) {
        (Some(c), _) => page.t(
            "website-rrule-count",
            &[("rule", base), ("count", c.to_string())],
        ),
        (None, Some(u)) => page.t(
            "website-rrule-until",
            &[
                ("rule", base),
                ("date", full_date(page, u.with_timezone(&tz).date_naive())),
            ],
        ),
        (None, None) => base,
    })
}

/// "premier", "dernier"…, for the numbers a month's rule uses.
fn ordinal(page: &Page<'_>, k: i16) -> String {
    let key = match k {
        1 => "website-rrule-ordinal-1",
        2 => "website-rrule-ordinal-2",
        3 => "website-rrule-ordinal-3",
        4 => "website-rrule-ordinal-4",
        5 => "website-rrule-ordinal-5",
        _ => "website-rrule-ordinal-last",
    };
    page.t(key, &[])
}

/// A weekday's name: "samedi".
fn weekday(page: &Page<'_>, w: Weekday) -> String {
    page.t(&format!("i18n-weekday-{}", w.number_from_monday()), &[])
}

/// "a, b and c" in the page's language.
fn list(page: &Page<'_>, mut items: Vec<String>) -> String {
    match items.len() {
        0 => String::new(),
        1 => items.remove(0),
        _ => {
            let last = items.pop().unwrap_or_default();
            page.t(
                "website-list-and",
                &[("first", items.join(", ")), ("last", last)],
            )
        }
    }
}
