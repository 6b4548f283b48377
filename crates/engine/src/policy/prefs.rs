//! Per-project preferences (with account-wide defaults), as the user sets them.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::digest::DigestTimes;
use super::quiet::QuietHours;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Debug,
    Info,
    Warning,
    Error,
    Fatal,
}

impl Level {
    pub const ALL: [Level; 5] = [Level::Debug, Level::Info, Level::Warning, Level::Error, Level::Fatal];

    /// Sentry's level names; `warn` and `critical` as some SDKs send them.
    pub fn parse(text: &str) -> Option<Level> {
        match text.to_ascii_lowercase().as_str() {
            "debug" | "sample" => Some(Level::Debug),
            "info" | "log" => Some(Level::Info),
            "warning" | "warn" => Some(Level::Warning),
            "error" => Some(Level::Error),
            "fatal" | "critical" => Some(Level::Fatal),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
            Level::Fatal => "fatal",
        }
    }
}

/// Read as [`Level::parse`] reads, wherever a level is read back (preferences, the store).
impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Level, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Level::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("`{text}` is not a level (debug, info, warning, error, fatal)"))
        })
    }
}

/// What happened, as the user chooses what to hear about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    NewIssue,
    Regression,
    Escalating,
    /// An issue alert rule fired (`event_alert.triggered`).
    EventAlert,
    MetricAlert,
    /// Assigned to me or one of my teams, by someone else.
    AssignedToMe,
    /// A comment that mentions me or one of my teams.
    Mentioned,
    /// A comment on an issue assigned to me (or my team) or that I am subscribed to.
    CommentOnMyIssue,
    /// Resolved, ignored, assigned or reopened by someone else, on an issue assigned to me (or my
    /// team) or that I am subscribed to.
    StateChanged,
    /// A new release of the project.
    Release,
    /// A release of the project deployed to an environment.
    Deploy,
    /// An issue resolved in a release came back in a later one ("regressed in release X").
    RegressedInRelease,
}

impl AlertKind {
    pub const ALL: [AlertKind; 12] = [
        AlertKind::NewIssue,
        AlertKind::Regression,
        AlertKind::Escalating,
        AlertKind::EventAlert,
        AlertKind::MetricAlert,
        AlertKind::AssignedToMe,
        AlertKind::Mentioned,
        AlertKind::CommentOnMyIssue,
        AlertKind::StateChanged,
        AlertKind::Release,
        AlertKind::Deploy,
        AlertKind::RegressedInRelease,
    ];

    /// What a new project or account hears of unless the user says otherwise: not others'
    /// changes, nor releases and deploys (news of the project, not of my issues).
    pub fn on_by_default(self) -> bool {
        !matches!(
            self,
            AlertKind::StateChanged | AlertKind::Release | AlertKind::Deploy | AlertKind::RegressedInRelease
        )
    }

    /// News of the project as a whole, with no issue for an audience to narrow.
    pub fn is_project_news(self) -> bool {
        matches!(self, AlertKind::Release | AlertKind::Deploy)
    }

    pub fn describe(self) -> &'static str {
        match self {
            AlertKind::NewIssue => "new issues",
            AlertKind::Regression => "regressions",
            AlertKind::Escalating => "escalating issues",
            AlertKind::EventAlert => "alert rules firing",
            AlertKind::MetricAlert => "metric alerts",
            AlertKind::AssignedToMe => "issues assigned to you or your teams",
            AlertKind::Mentioned => "mentions of you or your teams",
            AlertKind::CommentOnMyIssue => "comments on your issues",
            AlertKind::StateChanged => "changes made by others",
            AlertKind::Release => "new releases",
            AlertKind::Deploy => "deploys",
            AlertKind::RegressedInRelease => "regressions in a release",
        }
    }

    /// Sentry's "workflow" notifications: what people do to issues, not what the app does.
    pub fn is_workflow(self) -> bool {
        matches!(
            self,
            AlertKind::AssignedToMe | AlertKind::Mentioned | AlertKind::CommentOnMyIssue | AlertKind::StateChanged
        )
    }
}

/// Whose alerts to hear about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    #[default]
    Everything,
    /// Assigned to me or one of my teams.
    Assigned,
    /// Owned by me or my teams under the project's ownership rules.
    Owned,
    OwnedOrAssigned,
}

impl Audience {
    pub fn describe(self) -> &'static str {
        match self {
            Audience::Everything => "everything",
            Audience::Assigned => "assigned",
            Audience::Owned => "owned",
            Audience::OwnedOrAssigned => "owned or assigned",
        }
    }
}

/// Known noise: an alert matching any of these is not shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case", tag = "field", content = "value")]
pub enum MuteRule {
    /// Case-insensitive substring of the title, or a glob over all of it (`*ResizeObserver*`).
    Title(String),
    Culprit(String),
    Message(String),
    /// `key=value`, exact.
    Tag(String, String),
}

impl MuteRule {
    pub fn describe(&self) -> String {
        match self {
            MuteRule::Title(t) => format!("title {} \"{t}\"", verb(t)),
            MuteRule::Culprit(t) => format!("culprit {} \"{t}\"", verb(t)),
            MuteRule::Message(t) => format!("message {} \"{t}\"", verb(t)),
            MuteRule::Tag(k, v) => format!("tag {k}={v}"),
        }
    }
}

fn verb(pattern: &str) -> &'static str {
    if pattern.contains(['*', '?', '[']) {
        "matches"
    } else {
        "contains"
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct Preferences {
    pub enabled: bool,
    pub min_level: Level,
    /// Empty: every environment.
    pub environments: BTreeSet<String>,
    pub kinds: BTreeSet<AlertKind>,
    pub audience: Audience,
    pub quiet_hours: Option<QuietHours>,
    /// No notifications before this moment (pause / snooze).
    pub snoozed_until: Option<DateTime<Utc>>,
    /// At most this many notifications per project per hour; then one summary.
    pub spike_limit_per_hour: u32,
    /// Alerts at or below this level go into the digest instead of notifying.
    pub digest_up_to: Option<Level>,
    /// How often held alerts come out as one digest summary (0: at the next check).
    pub digest_every_hours: u32,
    /// Set times for the digest instead of an interval.
    pub digest_at: Option<DigestTimes>,
    /// Alerts at or above this level notify as urgent (critical metric alerts always do).
    pub urgent_from: Level,
    /// Urgent notifications play the desktop's alert sound.
    pub sound: bool,
    /// How long a notification that is not urgent stays on screen, in seconds, by its level
    /// (0, or a level not listed: until acted on). Urgent ones always stay.
    pub expire_after: BTreeMap<Level, u32>,
    pub mute: Vec<MuteRule>,
    /// Ownership rules (Sentry's text format) added on top of the project's rules in Sentry;
    /// being later, they win.
    pub local_rules: String,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            enabled: true,
            min_level: Level::Warning,
            environments: BTreeSet::new(),
            // Changes others make are news only to those who ask for them.
            kinds: AlertKind::ALL.into_iter().filter(|k| k.on_by_default()).collect(),
            audience: Audience::Everything,
            quiet_hours: None,
            snoozed_until: None,
            spike_limit_per_hour: 10,
            digest_up_to: None,
            digest_every_hours: 4,
            digest_at: None,
            urgent_from: Level::Fatal,
            sound: true,
            // Long enough to read and act on; an error longer than a warning.
            expire_after: [
                (Level::Debug, 10),
                (Level::Info, 10),
                (Level::Warning, 30),
                (Level::Error, 120),
            ]
            .into(),
            mute: Vec::new(),
            local_rules: String::new(),
        }
    }
}

/// One preference, as it is stored, inherited and reset on its own (its name is the field's in
/// [`Preferences`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Enabled,
    MinLevel,
    Environments,
    Kinds,
    Audience,
    QuietHours,
    SnoozedUntil,
    SpikeLimitPerHour,
    DigestUpTo,
    DigestEveryHours,
    DigestAt,
    UrgentFrom,
    Sound,
    ExpireAfter,
    Mute,
    LocalRules,
}

impl Field {
    pub const ALL: [Field; 16] = [
        Field::Enabled,
        Field::MinLevel,
        Field::Environments,
        Field::Kinds,
        Field::Audience,
        Field::QuietHours,
        Field::SnoozedUntil,
        Field::SpikeLimitPerHour,
        Field::DigestUpTo,
        Field::DigestEveryHours,
        Field::DigestAt,
        Field::UrgentFrom,
        Field::Sound,
        Field::ExpireAfter,
        Field::Mute,
        Field::LocalRules,
    ];

    /// The field's name in the stored JSON.
    pub fn name(self) -> &'static str {
        match self {
            Field::Enabled => "enabled",
            Field::MinLevel => "min_level",
            Field::Environments => "environments",
            Field::Kinds => "kinds",
            Field::Audience => "audience",
            Field::QuietHours => "quiet_hours",
            Field::SnoozedUntil => "snoozed_until",
            Field::SpikeLimitPerHour => "spike_limit_per_hour",
            Field::DigestUpTo => "digest_up_to",
            Field::DigestEveryHours => "digest_every_hours",
            Field::DigestAt => "digest_at",
            Field::UrgentFrom => "urgent_from",
            Field::Sound => "sound",
            Field::ExpireAfter => "expire_after",
            Field::Mute => "mute",
            Field::LocalRules => "local_rules",
        }
    }

    /// The field a stored name or a `prefs` key names (`spike_limit`, `mute_title`, …).
    pub fn parse(name: &str) -> Option<Field> {
        let key = match name {
            "spike_limit" => "spike_limit_per_hour",
            "digest_every" => "digest_every_hours",
            "snooze_until" => "snoozed_until",
            "mute_title" | "mute_culprit" | "mute_message" | "mute_tag" => "mute",
            other => other,
        };
        Field::ALL.into_iter().find(|f| f.name() == key)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrefError {
    #[error(
        "unknown preference `{0}` (known: enabled, min_level, environments, kinds, audience, spike_limit, digest_up_to, digest_every, digest_at, urgent_from, sound, expire_after, mute, mute_title, mute_culprit, mute_message, mute_tag, quiet_hours, snooze_until, local_rules)"
    )]
    UnknownKey(String),
    #[error("`{key}={value}`: {expected}")]
    BadValue {
        key: String,
        value: String,
        expected: String,
    },
}

impl Preferences {
    /// How long a notification of `level` stays on screen by itself; `None`: until acted on
    /// (urgent ones, and levels set to 0 or not set).
    pub fn expiry(&self, level: Option<Level>, urgent: bool) -> Option<std::time::Duration> {
        let seconds = *self.expire_after.get(&level?)?;
        (!urgent && seconds > 0).then(|| std::time::Duration::from_secs(seconds.into()))
    }

    /// Applies one `KEY=VALUE` as the command line and the window send it.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), PrefError> {
        let bad = |expected: &str| PrefError::BadValue {
            key: key.into(),
            value: value.into(),
            expected: expected.into(),
        };
        let list = || {
            value
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        match key {
            "enabled" => self.enabled = parse_bool(value).ok_or_else(|| bad("expected on/off"))?,
            "min_level" => self.min_level = Level::parse(value).ok_or_else(|| bad("expected debug, info, warning, error or fatal"))?,
            "environments" => self.environments = list().collect(),
            "kinds" => {
                self.kinds = list()
                    .map(|k| serde_json::from_value(serde_json::Value::String(k)).map_err(|_| bad("expected kinds among new_issue, regression, escalating, event_alert, metric_alert, assigned_to_me, mentioned, comment_on_my_issue, state_changed, release, deploy, regressed_in_release")))
                    .collect::<Result<_, _>>()?
            }
            "audience" => {
                self.audience = serde_json::from_value(serde_json::Value::String(value.into()))
                    .map_err(|_| bad("expected everything, assigned, owned or owned_or_assigned"))?
            }
            "spike_limit" => self.spike_limit_per_hour = value.parse().map_err(|_| bad("expected a whole number"))?,
            "digest_up_to" => {
                self.digest_up_to = match value {
                    "" | "off" | "none" => None,
                    v => Some(Level::parse(v).ok_or_else(|| bad("expected a level, or off"))?),
                }
            }
            "urgent_from" => self.urgent_from = Level::parse(value).ok_or_else(|| bad("expected debug, info, warning, error or fatal"))?,
            "sound" => self.sound = parse_bool(value).ok_or_else(|| bad("expected on/off"))?,
            // `warning=30,error=0`: only the levels given change.
            "expire_after" => {
                let expected = "expected LEVEL=SECONDS pairs, e.g. warning=30,error=0 (0: until acted on)";
                let mut expire = self.expire_after.clone();
                for pair in list() {
                    let (level, seconds) = pair.split_once('=').ok_or_else(|| bad(expected))?;
                    let level = Level::parse(level.trim()).ok_or_else(|| bad(expected))?;
                    let seconds: u32 = seconds.trim().trim_end_matches('s').parse().map_err(|_| bad(expected))?;
                    expire.insert(level, seconds);
                }
                self.expire_after = expire;
            }
            "digest_at" => {
                self.digest_at = match value {
                    "" | "off" | "none" => None,
                    v => Some(DigestTimes::parse(v).map_err(|e| bad(&e))?),
                }
            }
            "digest_every" => self.digest_every_hours = value.trim_end_matches('h').parse().map_err(|_| bad("expected hours, e.g. 4"))?,
            // The whole list at once (the window's edits, or `mute=` to clear it), as JSON.
            "mute" => {
                self.mute = match value.trim() {
                    "" | "off" | "none" => Vec::new(),
                    v => serde_json::from_str(v).map_err(|_| {
                        bad(r#"expected a JSON list of rules, e.g. [{"field":"title","value":"ResizeObserver"}], or nothing"#)
                    })?,
                }
            }
            "mute_title" => self.mute.push(MuteRule::Title(value.into())),
            "mute_culprit" => self.mute.push(MuteRule::Culprit(value.into())),
            "mute_message" => self.mute.push(MuteRule::Message(value.into())),
            "mute_tag" => {
                let (k, v) = value.split_once('=').ok_or_else(|| bad("expected mute_tag=KEY=VALUE"))?;
                self.mute.push(MuteRule::Tag(k.into(), v.into()));
            }
            "quiet_hours" => {
                self.quiet_hours = match value {
                    "" | "off" | "none" => None,
                    v => Some(QuietHours::parse(v).map_err(|e| bad(&e))?),
                }
            }
            "snooze_until" => {
                self.snoozed_until = match value {
                    "" | "off" | "none" => None,
                    v => Some(
                        DateTime::parse_from_rfc3339(v).map_err(|_| bad("expected an RFC 3339 time, e.g. 2026-12-01T08:00:00Z"))?.with_timezone(&Utc),
                    ),
                }
            }
            "local_rules" => {
                // One line on a command line: `\n` separates rules.
                let text = value.replace("\\n", "\n");
                ownership::parse(&text).map_err(|e| bad(&e.to_string()))?;
                self.local_rules = text;
            }
            other => return Err(PrefError::UnknownKey(other.into())),
        }
        Ok(())
    }
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" => Some(true),
        "off" | "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_read_from_key_value_pairs() {
        let mut p = Preferences::default();
        p.set("min_level", "error").unwrap();
        p.set("environments", "production, staging").unwrap();
        p.set("audience", "owned_or_assigned").unwrap();
        p.set("kinds", "new_issue,regression").unwrap();
        p.set("mute_tag", "browser=IE 11").unwrap();
        p.set("quiet_hours", "Europe/Berlin mon-fri 22:00-07:00 breakthrough")
            .unwrap();
        assert_eq!(p.min_level, Level::Error);
        assert_eq!(p.environments.len(), 2);
        assert_eq!(p.audience, Audience::OwnedOrAssigned);
        assert_eq!(p.kinds.len(), 2);
        assert_eq!(p.mute, vec![MuteRule::Tag("browser".into(), "IE 11".into())]);
        assert!(p.quiet_hours.is_some());
    }

    #[test]
    fn every_field_is_named_as_stored_and_every_key_names_its_field() {
        let stored = serde_json::to_value(Preferences::default()).unwrap();
        let names: Vec<&str> = stored.as_object().unwrap().keys().map(String::as_str).collect();
        let mut fields: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
        fields.sort_unstable();
        let mut names = names;
        names.sort_unstable();
        assert_eq!(names, fields);
        for field in Field::ALL {
            assert_eq!(serde_json::to_value(field).unwrap(), field.name());
        }
        assert_eq!(Field::parse("spike_limit"), Some(Field::SpikeLimitPerHour));
        assert_eq!(Field::parse("mute_tag"), Some(Field::Mute));
        assert_eq!(Field::parse("colour"), None);
    }

    #[test]
    fn notifications_expire_by_level_and_urgent_ones_stay() {
        let mut p = Preferences::default();
        assert_eq!(
            p.expiry(Some(Level::Warning), false),
            Some(std::time::Duration::from_secs(30))
        );
        assert_eq!(p.expiry(Some(Level::Warning), true), None, "urgent: until acted on");
        assert_eq!(p.expiry(Some(Level::Fatal), false), None, "no time set for fatal");
        p.set("expire_after", "warning=5, error=0").unwrap();
        assert_eq!(
            p.expiry(Some(Level::Warning), false),
            Some(std::time::Duration::from_secs(5))
        );
        assert_eq!(p.expiry(Some(Level::Error), false), None, "0: until acted on");
        assert_eq!(
            p.expiry(Some(Level::Info), false),
            Some(std::time::Duration::from_secs(10)),
            "others unchanged"
        );
        assert!(p.set("expire_after", "loud=5").is_err());
        assert!(p.set("expire_after", "warning").is_err());
    }

    #[test]
    fn the_mute_list_is_replaced_whole_or_cleared() {
        let mut p = Preferences::default();
        p.set("mute_title", "ResizeObserver").unwrap();
        p.set("mute", r#"[{"field":"tag","value":["browser","IE 11"]}]"#)
            .unwrap();
        assert_eq!(p.mute, vec![MuteRule::Tag("browser".into(), "IE 11".into())]);
        assert!(p.set("mute", "[{").is_err());
        p.set("mute", "").unwrap();
        assert!(p.mute.is_empty());
    }

    #[test]
    fn bad_settings_say_what_is_expected() {
        let mut p = Preferences::default();
        assert!(matches!(p.set("colour", "red"), Err(PrefError::UnknownKey(_))));
        let err = p.set("min_level", "loud").unwrap_err().to_string();
        assert!(err.contains("expected debug, info, warning, error or fatal"), "{err}");
        assert!(p.set("kinds", "new_issue,bogus").is_err());
        assert!(p.set("spike_limit", "-1").is_err());
        assert_eq!(p, Preferences::default(), "a refused setting changes nothing");
    }
}
