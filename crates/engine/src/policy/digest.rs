//! When a project's held alerts come out as one digest summary.

use chrono::{DateTime, Duration, Utc};

use super::prefs::Preferences;

/// Whether the held alerts are due now: never during quiet hours; as soon as quiet hours are
/// over for alerts they held back; otherwise once the oldest has waited `digest_every_hours`.
pub fn digest_due(preferences: &Preferences, oldest_held: DateTime<Utc>, held_for_quiet_hours: bool, now: DateTime<Utc>) -> bool {
    if preferences.quiet_hours.as_ref().is_some_and(|q| q.active_until(now).is_some()) {
        return false;
    }
    held_for_quiet_hours || now - oldest_held >= Duration::hours(i64::from(preferences.digest_every_hours))
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
        assert!(!digest_due(&p, at(1, 0), false, at(23, 0)), "nothing comes out during quiet hours");
        p.set("digest_every", "0").unwrap();
        p.set("quiet_hours", "off").unwrap();
        assert!(digest_due(&p, at(8, 0), false, at(8, 0)));
    }
}
