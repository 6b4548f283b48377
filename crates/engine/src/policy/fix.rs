//! What the user could change so an alert like this one notifies: the preference that decided,
//! and, where one fits, the change (`KEY=VALUE`, as `prefs` and the window send it) with how to
//! say it. Pure: a reason and the preferences it was decided under.

use serde::{Deserialize, Serialize};

use super::prefs::{Audience, Field, Level, Preferences};
use super::reason::Reason;

/// One click that would have let an alert through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Fix {
    /// What the button says: "Notify me for staging too".
    pub label: String,
    pub key: String,
    pub value: String,
}

impl Reason {
    /// The preference this reason comes from, if one decided it.
    pub fn field(&self) -> Option<Field> {
        Some(match self {
            Reason::ProjectOff { .. } => Field::Enabled,
            Reason::Snoozed { .. } => Field::SnoozedUntil,
            Reason::KindOff { .. } => Field::Kinds,
            Reason::BelowMinimum { .. } => Field::MinLevel,
            Reason::EnvironmentWatched { .. }
            | Reason::EnvironmentNotWatched { .. }
            | Reason::EnvironmentUnknown { .. } => Field::Environments,
            Reason::Muted { .. } => Field::Mute,
            Reason::Everything { .. }
            | Reason::Assigned { .. }
            | Reason::Owned { .. }
            | Reason::NeitherAssignedNorOwned { .. } => Field::Audience,
            Reason::BreaksThroughQuietHours { .. } | Reason::QuietHours { .. } => Field::QuietHours,
            Reason::SpikeLimit { .. } => Field::SpikeLimitPerHour,
            Reason::DigestLevel { .. } => Field::DigestUpTo,
            _ => return None,
        })
    }

    /// The change that would have let this alert through, where this reason kept it back and
    /// the `preferences` as they are now still would (none once it was made). Quiet hours and a
    /// pause are meant; they offer none.
    pub fn fix(&self, preferences: &Preferences) -> Option<Fix> {
        let fix = |label: String, key: &str, value: String| Fix {
            label,
            key: key.to_owned(),
            value,
        };
        let p = preferences;
        match self {
            Reason::ProjectOff { project } if !p.enabled => {
                Some(fix(format!("Turn on {project}"), "enabled", "on".into()))
            }
            Reason::Snoozed { .. } if p.snoozed_until.is_some() => {
                Some(fix("Unsnooze".into(), "snooze_until", "off".into()))
            }
            Reason::KindOff { kind, .. } if !p.kinds.contains(kind) => {
                let mut kinds = preferences.kinds.clone();
                kinds.insert(*kind);
                let value = kinds
                    .iter()
                    .map(|k| serde_json::to_value(k).ok().and_then(|v| v.as_str().map(str::to_owned)))
                    .collect::<Option<Vec<_>>>()?
                    .join(",");
                Some(fix(format!("Notify me of {} too", kind.describe()), "kinds", value))
            }
            Reason::BelowMinimum { level, .. } if p.min_level > *level => Some(fix(
                format!("Notify from {} up", level.name()),
                "min_level",
                level.name().into(),
            )),
            Reason::EnvironmentNotWatched {
                environment: Some(environment),
                ..
            } if !p.environments.is_empty() && !p.environments.contains(environment) => {
                let mut all: Vec<String> = p.environments.iter().cloned().collect();
                all.push(environment.clone());
                Some(fix(
                    format!("Notify me for {environment} too"),
                    "environments",
                    all.join(","),
                ))
            }
            // Only while that rule is still the one at its place: the fix removes it, not another.
            Reason::Muted { rule, by } if p.mute.get(rule.wrapping_sub(1)) == Some(by) => {
                let left: Vec<_> = preferences
                    .mute
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i + 1 != *rule)
                    .map(|(_, r)| r.clone())
                    .collect();
                let value = serde_json::to_string(&left).ok()?;
                Some(fix(format!("Unmute ({})", by.describe()), "mute", value))
            }
            _ if self.field() == Some(Field::Audience) && p.audience == Audience::Everything => None,
            Reason::NeitherAssignedNorOwned { .. } => Some(everything()),
            Reason::Assigned { assignment } if !assignment.is_mine() => Some(everything()),
            Reason::Owned { ownership } if !ownership.is_mine() => Some(everything()),
            Reason::SpikeLimit { limit, .. } if p.spike_limit_per_hour <= *limit => {
                let more = limit.saturating_mul(2).max(1);
                Some(fix(format!("Allow {more} an hour"), "spike_limit", more.to_string()))
            }
            Reason::DigestLevel { level, .. } if p.digest_up_to.is_some_and(|up_to| up_to >= *level) => {
                // Below this level stays in the digest; this one and above notify.
                let below = Level::ALL.iter().rev().find(|l| **l < *level);
                let value = below.map_or("off", |l| l.name());
                Some(fix(
                    format!("Notify {} alerts at once", level.name()),
                    "digest_up_to",
                    value.into(),
                ))
            }
            _ => None,
        }
    }
}

fn everything() -> Fix {
    Fix {
        label: format!("Notify me of {} in this project", Audience::Everything.describe()),
        key: "audience".into(),
        value: "everything".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Assignment, MuteRule};

    #[test]
    fn each_reason_that_kept_an_alert_back_offers_the_change_that_lets_it_through() {
        let mut p = Preferences::default();
        p.set("environments", "production").unwrap();
        p.set("mute_title", "ResizeObserver").unwrap();
        p.set("mute_tag", "browser=IE 11").unwrap();
        let staging = Reason::EnvironmentNotWatched {
            environment: Some("staging".into()),
            watched: vec!["production".into()],
        };
        let fix = staging.fix(&p).unwrap();
        assert_eq!(
            (fix.label.as_str(), fix.key.as_str(), fix.value.as_str()),
            ("Notify me for staging too", "environments", "production,staging")
        );
        assert_eq!(staging.field(), Some(Field::Environments));
        let muted = Reason::Muted {
            rule: 1,
            by: MuteRule::Title("ResizeObserver".into()),
        };
        let fix = muted.fix(&p).unwrap();
        assert_eq!(fix.label, "Unmute (title contains \"ResizeObserver\")");
        let mut applied = p.clone();
        applied.set(&fix.key, &fix.value).unwrap();
        assert_eq!(
            applied.mute,
            vec![MuteRule::Tag("browser".into(), "IE 11".into())],
            "only that rule goes"
        );
        p.set("digest_up_to", "warning").unwrap();
        let low = Reason::DigestLevel {
            level: Level::Info,
            up_to: Level::Warning,
        };
        assert_eq!(low.fix(&p).unwrap().value, "debug");
        let debug = Reason::DigestLevel {
            level: Level::Debug,
            up_to: Level::Warning,
        };
        assert_eq!(debug.fix(&p).unwrap().value, "off");
        let others = Reason::Assigned {
            assignment: Assignment::Someone { user: "ann".into() },
        };
        assert_eq!(others.fix(&p), None, "everything is followed already");
        p.set("audience", "assigned").unwrap();
        assert_eq!(others.fix(&p).unwrap().value, "everything");
        let mine = Reason::Assigned {
            assignment: Assignment::You,
        };
        assert_eq!(mine.fix(&p), None, "a reason that let it through needs no fix");
        assert_eq!(Reason::Paused.fix(&p), None);
        // Every fix offered is a change the preferences take, after which it is not offered
        // again (a second click must not remove another mute rule).
        p.set("digest_up_to", "warning").unwrap();
        p.set("audience", "assigned").unwrap();
        for reason in [staging, muted, low, others] {
            let fix = reason.fix(&p).unwrap();
            let mut applied = p.clone();
            applied.set(&fix.key, &fix.value).unwrap();
            assert_eq!(reason.fix(&applied), None, "{reason:?} still offers {fix:?}");
        }
    }
}
