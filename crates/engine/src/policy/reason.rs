//! Why the policy decided as it did: typed, with the data each reason needs, so the engine acts
//! on what a reason is (spike limit, quiet hours) and people read it as text ([`Display`]) only
//! where they see it (the command line, the window, logs).

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::mute_for_me::{MuteEnd, MuteUntil};
use super::prefs::{AlertKind, Level, MuteRule};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    ProjectOff {
        project: String,
    },
    Snoozed {
        until: DateTime<Utc>,
    },
    /// `error.created` and the like: stored, never a notification of their own.
    NotNotifiable,
    KindOff {
        kind: AlertKind,
        project: String,
    },
    /// I made the change the alert reports.
    ByYou,
    BelowMinimum {
        level: Level,
        minimum: Level,
        project: String,
    },
    EnvironmentWatched {
        environment: String,
    },
    EnvironmentNotWatched {
        environment: Option<String>,
        watched: Vec<String>,
    },
    /// Only some environments are watched and this alert's could not be learned: it notifies
    /// rather than being lost.
    EnvironmentUnknown {
        why: EnvironmentUnknown,
    },
    Muted {
        /// 1-based, as the user counts their rules.
        rule: usize,
        by: MuteRule,
    },
    /// The user muted this issue for themselves ("mute for me").
    MutedForYou {
        until: MuteUntil,
    },
    /// The issue's mute for me ended by itself; this alert is the first since.
    MuteEnded {
        why: MuteEnd,
    },
    /// What releases up to 2026-12 stored for a comment on an issue assigned to me (now
    /// [`Reason::Involved`]): read, never made.
    CommentOnYourIssue,
    /// What releases up to 2026-12 stored for a comment on someone else's issue (now
    /// [`Reason::NotInvolved`]): read, never made.
    CommentNotOnYourIssue {
        assignment: Assignment,
    },
    /// A comment that mentions me or one of my teams.
    Mentioned {
        mention: Mention,
    },
    /// A comment or a change by someone else on an issue assigned to me (or my team) or one I
    /// am subscribed to in Sentry.
    Involved {
        assignment: Assignment,
        subscription: Subscription,
    },
    /// The same on an issue that is neither.
    NotInvolved {
        assignment: Assignment,
        subscription: Subscription,
    },
    /// A release or deploy: news of the whole project, heard whoever the audience is.
    ProjectNews {
        project: String,
    },
    /// The user follows everything in the project.
    Everything {
        project: String,
    },
    Assigned {
        assignment: Assignment,
    },
    Owned {
        ownership: Ownership,
    },
    /// The audience is "owned or assigned", and it is neither.
    NeitherAssignedNorOwned {
        assignment: Assignment,
        ownership: Ownership,
    },
    /// A critical metric alert (`critical`) or a fatal event breaks through quiet hours.
    BreaksThroughQuietHours {
        critical: bool,
    },
    /// Held for the digest until quiet hours end, at `until` in the quiet hours' time zone.
    QuietHours {
        until: String,
    },
    /// Held back by spike protection: one summary instead.
    SpikeLimit {
        limit: u32,
        project: String,
    },
    /// A level the user reads in the digest.
    DigestLevel {
        level: Level,
        up_to: Level,
    },
    Notify {
        kind: AlertKind,
        project: String,
    },
    Paused,
    /// A metric incident resolved: its notification was closed instead.
    IncidentResolved,
    /// The preferences could not be read; the alert notifies rather than being lost.
    PreferencesUnreadable {
        detail: String,
    },
    /// A reason stored as text by a release before reasons were typed (commit 9dc7468 and
    /// earlier): shown as it was written, never acted on.
    #[serde(untagged)]
    Text(String),
}

impl Reason {
    /// Whether this reason makes the alert mine (the inbox's "mine"): assigned to or owned by me
    /// or my team, a mention of either, or a comment or change on an issue I am involved in.
    pub fn is_mine(&self) -> bool {
        match self {
            Reason::Assigned { assignment } => assignment.is_mine(),
            Reason::Owned { ownership } => ownership.is_mine(),
            Reason::Mentioned { .. } | Reason::Involved { .. } | Reason::CommentOnYourIssue => true,
            _ => false,
        }
    }

    /// What kind of reason kept an alert back, as the weekly summary groups them ("muted by a
    /// rule", "quiet hours"); `None` for reasons that keep nothing back (they let it through,
    /// the alert was never a notification, or it told me of my own change).
    pub fn group(&self) -> Option<&'static str> {
        Some(match self {
            Reason::ProjectOff { .. } => "project turned off",
            Reason::Snoozed { .. } => "snoozed",
            Reason::Paused => "paused",
            Reason::KindOff { .. } => "kind turned off",
            Reason::BelowMinimum { .. } => "below the minimum level",
            Reason::EnvironmentNotWatched { .. } => "environment not watched",
            Reason::Muted { .. } => "muted by a rule",
            Reason::MutedForYou { .. } => "muted for you",
            Reason::CommentNotOnYourIssue { .. }
            | Reason::NotInvolved { .. }
            | Reason::NeitherAssignedNorOwned { .. } => "not yours",
            Reason::Assigned { assignment } if !assignment.is_mine() => "not yours",
            Reason::Owned { ownership } if !ownership.is_mine() => "not yours",
            Reason::QuietHours { .. } => "quiet hours",
            Reason::SpikeLimit { .. } => "spike protection",
            Reason::DigestLevel { .. } => "digest (low level)",
            _ => return None,
        })
    }
}

/// Why an alert's environment is not known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum EnvironmentUnknown {
    /// Sentry could not be asked for the issue's latest event.
    Unreachable,
    /// No account has a token to ask Sentry with (webhooks alone carry no environment).
    NoAccount,
}

/// Whose an issue is by assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum Assignment {
    Nobody,
    You,
    YourTeam { team: String },
    OtherTeam { team: String },
    Someone { user: String },
}

impl Assignment {
    pub fn is_mine(&self) -> bool {
        matches!(self, Assignment::You | Assignment::YourTeam { .. })
    }
}

/// Whether Sentry sends me the issue's workflow notifications (its `isSubscribed`), and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "subscribed", rename_all = "snake_case")]
pub enum Subscription {
    /// Sentry could not be asked (no token, unreachable) or did not say (GlitchTip).
    #[default]
    Unknown,
    No,
    Yes {
        because: Option<SubscriptionReason>,
    },
}

/// Why Sentry subscribed me to an issue (its `subscriptionDetails.reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionReason {
    Commented,
    Assigned,
    Bookmarked,
    ChangedStatus,
    Mentioned,
}

impl SubscriptionReason {
    /// Sentry's word (`SUBSCRIPTION_REASON_MAP` in its group serializer); `unknown` and words
    /// of later releases have none.
    pub fn parse(word: &str) -> Option<SubscriptionReason> {
        Some(match word {
            "commented" => SubscriptionReason::Commented,
            "assigned" => SubscriptionReason::Assigned,
            "bookmarked" => SubscriptionReason::Bookmarked,
            "changed_status" => SubscriptionReason::ChangedStatus,
            "mentioned" => SubscriptionReason::Mentioned,
            _ => return None,
        })
    }
}

/// Who a comment mentions, of me and my teams.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "who", rename_all = "snake_case")]
pub enum Mention {
    You,
    YourTeam { team: String },
}

/// Whose an issue is by the project's ownership rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Ownership {
    /// The rules could not be read (Sentry unreachable, no token).
    Unknown,
    NoRuleMatches,
    /// Owned by `owner` (me or one of my teams) through rule `line`.
    Yours {
        owner: String,
        line: usize,
        rule: String,
    },
    Others {
        owner: String,
    },
}

impl Ownership {
    pub fn is_mine(&self) -> bool {
        matches!(self, Ownership::Yours { .. })
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::ProjectOff { project } => write!(f, "notifications for {project} are off"),
            Reason::Snoozed { until } => write!(f, "snoozed until {}", until.format("%Y-%m-%d %H:%M UTC")),
            Reason::NotNotifiable => f.write_str("not a kind of alert that notifies"),
            Reason::KindOff { kind, project } => write!(f, "{} are turned off for {project}", kind.describe()),
            Reason::ByYou => f.write_str("you made this change yourself"),
            Reason::BelowMinimum {
                level,
                minimum,
                project,
            } => write!(
                f,
                "level {} is below the minimum {} for {project}",
                level.name(),
                minimum.name()
            ),
            Reason::EnvironmentWatched { environment } => write!(f, "environment {environment} is watched"),
            Reason::EnvironmentNotWatched { environment, watched } => write!(
                f,
                "environment {} is not watched (only {})",
                environment.as_deref().unwrap_or("(none)"),
                watched.join(", ")
            ),
            Reason::EnvironmentUnknown {
                why: EnvironmentUnknown::Unreachable,
            } => f.write_str("environment unknown (Sentry unreachable)"),
            Reason::EnvironmentUnknown {
                why: EnvironmentUnknown::NoAccount,
            } => f.write_str("environment unknown: it is read from Sentry, and no account has a token to read it with"),
            Reason::Muted { rule, by } => write!(f, "muted by rule {rule}: {}", by.describe()),
            Reason::MutedForYou { until } => write!(f, "muted for you {until}"),
            Reason::MuteEnded { why } => write!(f, "back: {why}"),
            Reason::CommentOnYourIssue => f.write_str("a comment on your issue"),
            Reason::CommentNotOnYourIssue { assignment } => {
                write!(f, "a comment on an issue that is not yours ({assignment})")
            }
            Reason::Mentioned { mention } => mention.fmt(f),
            Reason::Involved {
                assignment,
                subscription,
            } => {
                if assignment.is_mine() {
                    assignment.fmt(f)
                } else {
                    subscription.fmt(f)
                }
            }
            Reason::NotInvolved {
                assignment,
                subscription,
            } => write!(
                f,
                "not an issue of yours: {assignment}, and {}",
                match subscription {
                    Subscription::Unknown => "whether you are subscribed to it could not be read from Sentry",
                    _ => "you are not subscribed to it",
                }
            ),
            Reason::Everything { project } => write!(f, "you follow everything in {project}"),
            Reason::ProjectNews { project } => write!(f, "news of {project} as a whole"),
            Reason::Assigned { assignment } => assignment.fmt(f),
            Reason::Owned { ownership } => ownership.fmt(f),
            Reason::NeitherAssignedNorOwned { assignment, ownership } => write!(f, "{assignment}; {ownership}"),
            Reason::BreaksThroughQuietHours { critical } => write!(
                f,
                "{} breaks through quiet hours",
                if *critical { "critical" } else { "fatal" }
            ),
            Reason::QuietHours { until } => write!(f, "quiet hours until {until}"),
            Reason::SpikeLimit { limit, project } => {
                write!(f, "spike limit {limit}/h reached for {project}: into the summary")
            }
            Reason::DigestLevel { level, up_to } => {
                write!(f, "{} goes into the digest (up to {})", level.name(), up_to.name())
            }
            Reason::Notify { kind, project } => write!(f, "{} in {project}", kind.describe()),
            Reason::Paused => f.write_str("notifications are paused"),
            Reason::IncidentResolved => f.write_str("the incident is resolved: its notification was closed"),
            Reason::PreferencesUnreadable { detail } => write!(f, "preferences unreadable: {detail}"),
            Reason::Text(text) => f.write_str(text),
        }
    }
}

impl fmt::Display for Assignment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Assignment::Nobody => f.write_str("it is assigned to nobody"),
            Assignment::You => f.write_str("assigned to you"),
            Assignment::YourTeam { team } => write!(f, "assigned to your team #{team}"),
            Assignment::OtherTeam { team } => write!(f, "assigned to #{team}, not one of your teams"),
            Assignment::Someone { user } => write!(f, "assigned to {user}, not you"),
        }
    }
}

impl fmt::Display for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let because = match self {
            Subscription::Unknown => return f.write_str("whether you are subscribed could not be read from Sentry"),
            Subscription::No => return f.write_str("you are not subscribed to it"),
            Subscription::Yes { because: None } => return f.write_str("you are subscribed to it in Sentry"),
            Subscription::Yes { because: Some(why) } => match why {
                SubscriptionReason::Commented => "you commented on it",
                SubscriptionReason::Assigned => "you were assigned to it",
                SubscriptionReason::Bookmarked => "you bookmarked it",
                SubscriptionReason::ChangedStatus => "you changed its status",
                SubscriptionReason::Mentioned => "you were mentioned in it",
            },
        };
        write!(f, "you are subscribed to it in Sentry ({because})")
    }
}

impl fmt::Display for Mention {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mention::You => f.write_str("it mentions you"),
            Mention::YourTeam { team } => write!(f, "it mentions your team #{team}"),
        }
    }
}

impl fmt::Display for Ownership {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ownership::Unknown => f.write_str("the project's ownership rules are not known"),
            Ownership::NoRuleMatches => f.write_str("no ownership rule matches it"),
            Ownership::Yours { owner, line, rule } => write!(f, "owned by {owner} via rule {line}: {rule}"),
            Ownership::Others { owner } => write!(f, "owned by {owner}, not you or your teams"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_and_involvement_make_an_alert_mine_and_their_absence_does_not() {
        let involved = |subscription| Reason::Involved {
            assignment: Assignment::Nobody,
            subscription,
        };
        assert!(involved(Subscription::Yes { because: None }).is_mine());
        assert!(Reason::Mentioned { mention: Mention::You }.is_mine());
        assert!(
            Reason::Mentioned {
                mention: Mention::YourTeam { team: "web".into() }
            }
            .is_mine()
        );
        assert!(
            !Reason::NotInvolved {
                assignment: Assignment::Someone { user: "7".into() },
                subscription: Subscription::No,
            }
            .is_mine()
        );
        assert!(!Reason::Everything { project: "web".into() }.is_mine());
    }

    #[test]
    fn reasons_round_trip_and_old_text_reads_as_text() {
        let typed = vec![
            Reason::SpikeLimit {
                limit: 10,
                project: "web".into(),
            },
            Reason::QuietHours { until: "07:00".into() },
            Reason::Involved {
                assignment: Assignment::YourTeam { team: "web".into() },
                subscription: Subscription::Yes {
                    because: Some(SubscriptionReason::Commented),
                },
            },
            Reason::Mentioned { mention: Mention::You },
            Reason::Owned {
                ownership: Ownership::Yours {
                    owner: "#payments".into(),
                    line: 1,
                    rule: "path:src/* #payments".into(),
                },
            },
        ];
        let stored = serde_json::to_string(&typed).unwrap();
        assert_eq!(serde_json::from_str::<Vec<Reason>>(&stored).unwrap(), typed);
        // What the release at 9dc7468 stored: an array of strings.
        let old: Vec<Reason> = serde_json::from_str(
            r#"["you follow everything in web","spike limit 1/h reached for web: into the summary"]"#,
        )
        .unwrap();
        assert_eq!(
            old[1],
            Reason::Text("spike limit 1/h reached for web: into the summary".into())
        );
        assert_eq!(old[0].to_string(), "you follow everything in web");
    }
}
