//! Quiet hours: windows of local wall-clock time per weekday, in the user's time zone.
//!
//! A window that ends at or before it starts crosses midnight and belongs to the day it starts
//! on (Friday 22:00–07:00 covers Saturday morning). Local times that do not exist (the hour
//! skipped when clocks go forward) move forward to the first time that does.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Window {
    pub days: Vec<Weekday>,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct QuietHours {
    /// IANA time zone name, e.g. `Europe/Berlin`.
    pub time_zone: String,
    pub windows: Vec<Window>,
    /// Fatal issues and critical metric alerts notify anyway.
    pub breakthrough: bool,
}

/// The weekdays as the user writes them (quiet hours, the weekly summary).
pub(super) const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

fn day(name: &str) -> Option<Weekday> {
    DAYS.iter().find(|(n, _)| name.eq_ignore_ascii_case(n)).map(|(_, d)| *d)
}

fn days(spec: &str) -> Option<Vec<Weekday>> {
    if spec.eq_ignore_ascii_case("daily") {
        return Some(DAYS.iter().map(|(_, d)| *d).collect());
    }
    let mut out = Vec::new();
    for part in spec.split(',') {
        if let Some((from, to)) = part.split_once('-') {
            let (mut d, to) = (day(from)?, day(to)?);
            loop {
                out.push(d);
                if d == to {
                    break;
                }
                d = d.succ();
            }
        } else {
            out.push(day(part)?);
        }
    }
    Some(out)
}

impl QuietHours {
    /// `TIMEZONE DAYS HH:MM-HH:MM [DAYS HH:MM-HH:MM …] [breakthrough]`, e.g.
    /// `Europe/Berlin mon-fri 22:00-07:00 sat,sun 00:00-09:00 breakthrough`.
    pub fn parse(text: &str) -> Result<QuietHours, String> {
        let mut words = text.split_whitespace();
        let time_zone = words.next().ok_or("expected a time zone, days and hours")?.to_owned();
        time_zone
            .parse::<Tz>()
            .map_err(|_| format!("`{time_zone}` is not a time zone name (e.g. Europe/Berlin)"))?;
        let rest: Vec<&str> = words.collect();
        let breakthrough = rest.last() == Some(&"breakthrough");
        let pairs = &rest[..rest.len() - usize::from(breakthrough)];
        if pairs.is_empty() || !pairs.len().is_multiple_of(2) {
            return Err("expected DAYS HH:MM-HH:MM pairs, e.g. mon-fri 22:00-07:00".into());
        }
        let windows = pairs
            .chunks(2)
            .map(|pair| {
                let days =
                    days(pair[0]).ok_or_else(|| format!("`{}` is not days (mon-fri, sat,sun, daily)", pair[0]))?;
                let (start, end) = pair[1]
                    .split_once('-')
                    .ok_or_else(|| format!("`{}` is not HH:MM-HH:MM", pair[1]))?;
                let time = |t: &str| NaiveTime::parse_from_str(t, "%H:%M").map_err(|_| format!("`{t}` is not HH:MM"));
                Ok(Window {
                    days,
                    start: time(start)?,
                    end: time(end)?,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(QuietHours {
            time_zone,
            windows,
            breakthrough,
        })
    }

    /// When quiet hours active at `now` end (the latest end of the windows covering `now`), in
    /// the user's zone; `None` outside quiet hours.
    pub fn active_until(&self, now: DateTime<Utc>) -> Option<DateTime<Tz>> {
        let tz: Tz = self.time_zone.parse().ok()?;
        let today = now.with_timezone(&tz).date_naive();
        let mut until: Option<DateTime<Tz>> = None;
        for window in &self.windows {
            for start_day in [today.pred_opt()?, today] {
                if !window.days.contains(&start_day.weekday()) {
                    continue;
                }
                let (start, end) = window.span(start_day);
                let (start, end) = (instant(&tz, start), instant(&tz, end));
                if start <= now && now < end && until.is_none_or(|u| end > u) {
                    until = Some(end.with_timezone(&tz));
                }
            }
        }
        until
    }
}

impl Window {
    /// The window's local start and end when it starts on `day`.
    fn span(&self, day: NaiveDate) -> (NaiveDateTime, NaiveDateTime) {
        let start = day.and_time(self.start);
        let end_day = if self.end <= self.start {
            day + Duration::days(1)
        } else {
            day
        };
        (start, end_day.and_time(self.end))
    }
}

/// The instant of a local wall-clock time; a time skipped by a clock change moves forward.
fn instant(tz: &Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut probe = local;
    for _ in 0..4 {
        if let Some(t) = tz.from_local_datetime(&probe).earliest() {
            return t.with_timezone(&Utc);
        }
        probe += Duration::minutes(30);
    }
    Utc.from_utc_datetime(&local)
}
