//! "Mute for me": one issue silenced on this desktop only (Sentry, and everyone else's
//! notifications, unchanged) until a moment, the project's next release or the issue escalating.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How long an issue stays muted for me.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "until", rename_all = "snake_case")]
pub enum MuteUntil {
    /// Until a moment (an hour from now, tomorrow morning).
    Time { at: DateTime<Utc> },
    /// Until the issue's project has a release made after the mute.
    NextRelease,
    /// Until Sentry marks the issue escalating.
    Escalates,
}

/// Why a mute for me ended by itself: the note the issue comes back with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "ended", rename_all = "snake_case")]
pub enum MuteEnd {
    TimeUp { at: DateTime<Utc> },
    Released { version: String },
    Escalated,
}

/// An issue's mute for me as the policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MuteState {
    InForce(MuteUntil),
    /// Ended by itself, and no alert of the issue has said so yet.
    Ended(MuteEnd),
}

impl MuteState {
    /// The state at `now` for an alert that is (`escalating`) or is not an escalation: a mute
    /// whose moment passed, or that waited for this escalation, has ended.
    pub fn at(&self, now: DateTime<Utc>, escalating: bool) -> MuteState {
        match self {
            MuteState::InForce(MuteUntil::Time { at }) if *at <= now => MuteState::Ended(MuteEnd::TimeUp { at: *at }),
            MuteState::InForce(MuteUntil::Escalates) if escalating => MuteState::Ended(MuteEnd::Escalated),
            other => other.clone(),
        }
    }
}

impl MuteUntil {
    /// "for an hour" and the like, as the user picks it: `1h`, `tomorrow`, `release`, `escalates`.
    pub fn parse(text: &str, now: DateTime<Utc>, tomorrow_morning: DateTime<Utc>) -> Option<MuteUntil> {
        Some(match text.trim() {
            "release" | "next-release" => MuteUntil::NextRelease,
            "escalates" | "escalating" => MuteUntil::Escalates,
            "tomorrow" => MuteUntil::Time { at: tomorrow_morning },
            other => {
                let (number, unit) = other.split_at(other.find(|c: char| !c.is_ascii_digit())?);
                let n: i64 = number.parse().ok().filter(|n| *n > 0)?;
                let span = match unit {
                    "m" | "min" => chrono::Duration::minutes(n),
                    "h" => chrono::Duration::hours(n),
                    "d" => chrono::Duration::days(n),
                    _ => return None,
                };
                MuteUntil::Time {
                    at: now.checked_add_signed(span)?,
                }
            }
        })
    }
}

impl fmt::Display for MuteUntil {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MuteUntil::Time { at } => write!(f, "until {}", at.format("%Y-%m-%d %H:%M UTC")),
            MuteUntil::NextRelease => f.write_str("until its project's next release"),
            MuteUntil::Escalates => f.write_str("until it escalates"),
        }
    }
}

impl fmt::Display for MuteEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MuteEnd::TimeUp { at } => write!(f, "your mute ended at {}", at.format("%Y-%m-%d %H:%M UTC")),
            MuteEnd::Released { version } => write!(f, "your mute ended with release {version}"),
            MuteEnd::Escalated => f.write_str("your mute ended: it escalated"),
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
    fn the_spans_a_user_picks_are_read() {
        let now = at("2026-12-03T10:00:00Z");
        let morning = at("2026-12-04T08:00:00Z");
        let read = |t| MuteUntil::parse(t, now, morning);
        assert_eq!(
            read("1h"),
            Some(MuteUntil::Time {
                at: at("2026-12-03T11:00:00Z")
            })
        );
        assert_eq!(
            read("30m"),
            Some(MuteUntil::Time {
                at: at("2026-12-03T10:30:00Z")
            })
        );
        assert_eq!(read("tomorrow"), Some(MuteUntil::Time { at: morning }));
        assert_eq!(read("release"), Some(MuteUntil::NextRelease));
        assert_eq!(read("escalates"), Some(MuteUntil::Escalates));
        for bad in ["", "0h", "h", "1y", "-1h", "99999999999999999999h", "soon"] {
            assert_eq!(read(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_mute_ends_when_its_moment_passes_or_the_issue_escalates() {
        let now = at("2026-12-03T10:00:00Z");
        let hour = MuteState::InForce(MuteUntil::Time {
            at: at("2026-12-03T11:00:00Z"),
        });
        assert_eq!(hour.at(now, true), hour);
        assert_eq!(
            hour.at(at("2026-12-03T11:00:00Z"), false),
            MuteState::Ended(MuteEnd::TimeUp {
                at: at("2026-12-03T11:00:00Z")
            })
        );
        let escalates = MuteState::InForce(MuteUntil::Escalates);
        assert_eq!(escalates.at(now, false), escalates);
        assert_eq!(escalates.at(now, true), MuteState::Ended(MuteEnd::Escalated));
        let release = MuteState::InForce(MuteUntil::NextRelease);
        assert_eq!(release.at(now, true), release);
    }
}
