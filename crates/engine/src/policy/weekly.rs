//! When the weekly summary is due: a weekday and a wall-clock time in the user's time zone (the
//! machine's unless they name one), and which due time a summary is owed for, so one that fell
//! due while the machine was off is shown at the next start, and only once.

use std::fmt;

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::quiet::DAYS;

/// The weekly summary's time, or none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "weekly", rename_all = "snake_case")]
pub enum SummarySchedule {
    Off,
    At {
        day: Weekday,
        time: NaiveTime,
        /// IANA name; `None`: the machine's own zone.
        time_zone: Option<String>,
    },
}

impl Default for SummarySchedule {
    /// Monday 09:00 in the user's zone.
    fn default() -> Self {
        SummarySchedule::At {
            day: Weekday::Mon,
            time: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            time_zone: None,
        }
    }
}

impl SummarySchedule {
    /// `off`, or `DAY HH:MM [TIME_ZONE]`: `mon 09:00`, `fri 16:30 Europe/Berlin`.
    pub fn parse(text: &str) -> Result<SummarySchedule, String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let bad = || {
            format!(
                "`{text}`: expected off, or a day and a time such as `mon 09:00` (and a time zone, e.g. `mon 09:00 Europe/Berlin`)"
            )
        };
        match words.as_slice() {
            ["off"] => Ok(SummarySchedule::Off),
            [day, time, zone @ ..] if zone.len() <= 1 => {
                let day = DAYS
                    .iter()
                    .find(|(name, _)| day.get(..3).is_some_and(|d| d.eq_ignore_ascii_case(name)))
                    .map(|(_, d)| *d)
                    .ok_or_else(bad)?;
                let time = NaiveTime::parse_from_str(time, "%H:%M").map_err(|_| bad())?;
                let time_zone = match zone.first() {
                    Some(zone) => {
                        zone.parse::<Tz>()
                            .map_err(|_| format!("`{zone}` is not a time zone name (e.g. Europe/Berlin)"))?;
                        Some((*zone).to_owned())
                    }
                    None => None,
                };
                Ok(SummarySchedule::At { day, time, time_zone })
            }
            _ => Err(bad()),
        }
    }

    /// The latest due time at or before `now` (`None`: off). `local` is the machine's zone,
    /// used where the schedule names none.
    pub fn last_due<L: TimeZone>(&self, now: DateTime<Utc>, local: &L) -> Option<DateTime<Utc>> {
        let SummarySchedule::At { day, time, time_zone } = self else {
            return None;
        };
        match time_zone.as_deref().and_then(|z| z.parse::<Tz>().ok()) {
            Some(zone) => last_at(*day, *time, &zone, now),
            None => last_at(*day, *time, local, now),
        }
    }

    /// The due time a summary is owed for at `now`, if one is: the latest, when the last one
    /// shown (`sent`) was for an earlier one. Missed weeks are one summary, not several.
    pub fn owed<L: TimeZone>(&self, sent: DateTime<Utc>, now: DateTime<Utc>, local: &L) -> Option<DateTime<Utc>> {
        self.last_due(now, local).filter(|due| *due > sent)
    }

    /// The next due time after `now`.
    pub fn next_due<L: TimeZone>(&self, now: DateTime<Utc>, local: &L) -> Option<DateTime<Utc>> {
        // A week on from the latest (at most 8 days ahead, past a clock change), the first later.
        let last = self.last_due(now, local)?;
        (1..=8)
            .map(|days| self.last_due(last + Duration::days(days), local))
            .find_map(|due| due.filter(|d| *d > now))
    }
}

/// The latest `day` `time` in `zone` at or before `now`. A time the clocks skip that day is
/// taken as the first one after it.
fn last_at<Z: TimeZone>(day: Weekday, time: NaiveTime, zone: &Z, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let today = now.with_timezone(zone).date_naive();
    (0..=7).find_map(|back| {
        let date = today - Duration::days(back);
        if date.weekday() != day {
            return None;
        }
        let wall = date.and_time(time);
        let at = (0..=2).find_map(|hour| zone.from_local_datetime(&(wall + Duration::hours(hour))).earliest())?;
        let at = at.with_timezone(&Utc);
        (at <= now).then_some(at)
    })
}

impl fmt::Display for SummarySchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SummarySchedule::Off => f.write_str("off"),
            SummarySchedule::At { day, time, time_zone } => {
                let name = DAYS.iter().find(|(_, d)| d == day).map_or("mon", |(n, _)| *n);
                write!(f, "{name} {}", time.format("%H:%M"))?;
                match time_zone {
                    Some(zone) => write!(f, " {zone}"),
                    None => Ok(()),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn schedules_are_read_and_written_back() {
        for text in [
            "off",
            "mon 09:00",
            "fri 16:30 Europe/Berlin",
            "sun 00:00 America/New_York",
        ] {
            assert_eq!(SummarySchedule::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(SummarySchedule::parse("Monday 09:00").unwrap().to_string(), "mon 09:00");
        assert_eq!(SummarySchedule::default().to_string(), "mon 09:00");
        for bad in [
            "",
            "mon",
            "mon 25:00",
            "funday 09:00",
            "mon 09:00 Mars/Olympus",
            "mon 09:00 a b",
        ] {
            assert!(SummarySchedule::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_summary_is_owed_once_for_the_latest_due_time_even_after_weeks_off() {
        let berlin = SummarySchedule::parse("mon 09:00 Europe/Berlin").unwrap();
        // Monday 2026-11-30, 09:00 in Berlin is 08:00 UTC.
        let due = at("2026-11-30T08:00:00Z");
        assert_eq!(berlin.last_due(at("2026-12-03T12:00:00Z"), &Utc), Some(due));
        assert_eq!(berlin.last_due(due, &Utc), Some(due), "due at the minute");
        assert_eq!(
            berlin.last_due(due - Duration::seconds(1), &Utc),
            Some(at("2026-11-23T08:00:00Z"))
        );
        // Shown for last week: owed again on Monday; the machine off for three weeks, once.
        assert_eq!(
            berlin.owed(at("2026-11-23T08:00:00Z"), at("2026-11-30T08:00:01Z"), &Utc),
            Some(due)
        );
        assert_eq!(berlin.owed(due, at("2026-12-06T12:00:00Z"), &Utc), None);
        assert_eq!(
            berlin.owed(at("2026-11-09T08:00:00Z"), at("2026-12-01T07:00:00Z"), &Utc),
            Some(due)
        );
        assert_eq!(
            berlin.next_due(at("2026-12-03T12:00:00Z"), &Utc),
            Some(at("2026-12-07T08:00:00Z"))
        );
        assert_eq!(SummarySchedule::Off.owed(at("2026-11-01T00:00:00Z"), due, &Utc), None);
        // The machine's own zone where the schedule names none.
        let local = SummarySchedule::parse("mon 09:00").unwrap();
        let tokyo: Tz = "Asia/Tokyo".parse().unwrap();
        assert_eq!(
            local.last_due(at("2026-12-03T12:00:00Z"), &tokyo),
            Some(at("2026-11-30T00:00:00Z"))
        );
    }

    #[test]
    fn clock_changes_keep_the_wall_clock_time() {
        let sunday = SummarySchedule::parse("sun 02:30 Europe/Berlin").unwrap();
        // 2026-03-29: clocks go from 02:00 to 03:00 in Berlin; 02:30 does not exist that day.
        assert_eq!(
            sunday.last_due(at("2026-03-29T12:00:00Z"), &Utc),
            Some(at("2026-03-29T01:30:00Z"))
        );
        let monday = SummarySchedule::parse("mon 09:00 Europe/Berlin").unwrap();
        // Summer time: 09:00 is 07:00 UTC; the week across the change is a week of wall clock.
        assert_eq!(
            monday.last_due(at("2026-03-30T12:00:00Z"), &Utc),
            Some(at("2026-03-30T07:00:00Z"))
        );
        assert_eq!(
            monday.next_due(at("2026-03-27T12:00:00Z"), &Utc),
            Some(at("2026-03-30T07:00:00Z"))
        );
    }
}
