//! When a project's held alerts come out as one digest summary.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::prefs::Preferences;

/// Set times of day for the digest, in the user's zone (`Europe/Berlin 09:00,17:00`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct DigestTimes {
    pub time_zone: String,
    pub times: Vec<NaiveTime>,
}

impl DigestTimes {
    pub fn parse(text: &str) -> Result<DigestTimes, String> {
        let (zone, times) = text
            .trim()
            .split_once(' ')
            .ok_or("expected a time zone and times, e.g. Europe/Berlin 09:00,17:00")?;
        zone.parse::<Tz>()
            .map_err(|_| format!("`{zone}` is not a time zone name (e.g. Europe/Berlin)"))?;
        let times = times
            .split(',')
            .map(|t| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| format!("`{}` is not HH:MM", t.trim())))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(DigestTimes {
            time_zone: zone.to_owned(),
            times,
        })
    }

    /// The first set time after `after`.
    fn first_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let tz: Tz = self.time_zone.parse().ok()?;
        let day = after.with_timezone(&tz).date_naive();
        (0..3)
            .filter_map(|d| day.checked_add_signed(Duration::days(d)))
            .flat_map(|day| self.times.iter().map(move |t| day.and_time(*t)))
            .filter_map(|local| tz.from_local_datetime(&local).earliest().map(|t| t.with_timezone(&Utc)))
            .filter(|t| *t > after)
            .min()
    }

    /// The latest set time at or before `now`.
    fn last_before(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let tz: Tz = self.time_zone.parse().ok()?;
        let today = now.with_timezone(&tz).date_naive();
        [today.pred_opt()?, today]
            .into_iter()
            .flat_map(|day| self.times.iter().map(move |t| day.and_time(*t)))
            .filter_map(|local| tz.from_local_datetime(&local).earliest().map(|t| t.with_timezone(&Utc)))
            .filter(|t| *t <= now)
            .max()
    }
}

/// Whether the held alerts are due now: never during quiet hours; as soon as quiet hours are
/// over for alerts they held back; at the set times when there are some (a set time passed since
/// the oldest was held); otherwise once the oldest has waited `digest_every_hours`.
pub fn digest_due(
    preferences: &Preferences,
    oldest_held: DateTime<Utc>,
    held_for_quiet_hours: bool,
    now: DateTime<Utc>,
) -> bool {
    if preferences
        .quiet_hours
        .as_ref()
        .is_some_and(|q| q.active_until(now).is_some())
    {
        return false;
    }
    if held_for_quiet_hours {
        return true;
    }
    match &preferences.digest_at {
        Some(times) => times.last_before(now).is_some_and(|t| t > oldest_held),
        None => now - oldest_held >= Duration::hours(i64::from(preferences.digest_every_hours)),
    }
}

/// When [`digest_due`] turns true for these held alerts, as far as `now` can tell: `now` when
/// it is already due; the end of quiet hours, to be asked again then; `None` when it never will
/// (set times in a zone that no longer parses).
pub fn digest_due_at(
    preferences: &Preferences,
    oldest_held: DateTime<Utc>,
    held_for_quiet_hours: bool,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if let Some(end) = preferences.quiet_hours.as_ref().and_then(|q| q.active_until(now)) {
        return Some(end.with_timezone(&Utc));
    }
    if held_for_quiet_hours {
        return Some(now);
    }
    let due = match &preferences.digest_at {
        Some(times) => times.first_after(oldest_held)?,
        None => oldest_held + Duration::hours(i64::from(preferences.digest_every_hours)),
    };
    Some(due.max(now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, h, m, 0).unwrap()
    }

    #[test]
    fn digests_wait_their_interval_and_quiet_hours() {
        let mut p = Preferences::default();
        p.set("digest_every", "4").unwrap();
        assert!(!digest_due(&p, at(8, 0), false, at(11, 59)));
        assert!(digest_due(&p, at(8, 0), false, at(12, 0)));
        // Quiet 22:00-07:00 in UTC: what quiet hours held comes out at 07:00, not before.
        p.set("quiet_hours", "UTC daily 22:00-07:00").unwrap();
        assert!(!digest_due(&p, at(1, 0), true, at(6, 59)));
        assert!(digest_due(&p, at(1, 0), true, at(7, 0)));
        assert!(
            !digest_due(&p, at(1, 0), false, at(23, 0)),
            "nothing comes out during quiet hours"
        );
        p.set("digest_every", "0").unwrap();
        p.set("quiet_hours", "off").unwrap();
        assert!(digest_due(&p, at(8, 0), false, at(8, 0)));
    }

    #[test]
    fn digests_at_set_times_in_the_users_zone() {
        let mut p = Preferences::default();
        // Berlin is UTC+1 in November: 09:00 and 17:00 there are 08:00 and 16:00 UTC.
        p.set("digest_at", "Europe/Berlin 09:00,17:00").unwrap();
        assert!(
            !digest_due(&p, at(8, 30), false, at(15, 59)),
            "held after 09:00, before 17:00"
        );
        assert!(digest_due(&p, at(8, 30), false, at(16, 0)), "17:00 Berlin");
        assert!(
            digest_due(&p, at(7, 0), false, at(8, 0)),
            "held before 09:00, due at 09:00"
        );
        // Held late yesterday: today's 09:00 is the next set time.
        let yesterday = Utc.with_ymd_and_hms(2026, 11, 23, 20, 0, 0).unwrap();
        assert!(!digest_due(&p, yesterday, false, at(7, 59)));
        assert!(digest_due(&p, yesterday, false, at(8, 0)));
        for bad in ["09:00", "Mars/Base 09:00", "Europe/Berlin 9am"] {
            assert!(p.set("digest_at", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_due_time_is_when_digest_due_turns_true() {
        let interval = {
            let mut p = Preferences::default();
            p.set("digest_every", "4").unwrap();
            p
        };
        let set_times = {
            let mut p = Preferences::default();
            p.set("digest_at", "Europe/Berlin 09:00,17:00").unwrap();
            p
        };
        let quiet = {
            let mut p = interval.clone();
            p.set("quiet_hours", "UTC daily 22:00-07:00").unwrap();
            p
        };
        let yesterday = Utc.with_ymd_and_hms(2026, 11, 23, 20, 0, 0).unwrap();
        let cases = [
            (&interval, at(8, 0), false, at(9, 0), at(12, 0)),
            (&set_times, at(8, 30), false, at(9, 0), at(16, 0)),
            (&set_times, at(7, 0), false, at(7, 10), at(8, 0)),
            (&set_times, yesterday, false, yesterday, at(8, 0)),
            // Quiet hours: asked again at their end, when what they held comes out.
            (&quiet, at(1, 0), true, at(2, 0), at(7, 0)),
            (
                &quiet,
                at(20, 0),
                false,
                at(23, 0),
                Utc.with_ymd_and_hms(2026, 11, 25, 7, 0, 0).unwrap(),
            ),
        ];
        for (p, oldest, for_quiet, now, due) in cases {
            assert_eq!(
                digest_due_at(p, oldest, for_quiet, now),
                Some(due),
                "held since {oldest}, asked at {now}"
            );
            assert!(digest_due(p, oldest, for_quiet, due), "due at {due}");
            assert!(
                !digest_due(p, oldest, for_quiet, due - Duration::minutes(1)),
                "not before {due}"
            );
        }
        // Already due: now.
        assert_eq!(digest_due_at(&interval, at(1, 0), false, at(9, 0)), Some(at(9, 0)));
    }
}
