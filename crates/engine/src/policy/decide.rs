//! The decision itself.

use chrono::{DateTime, Utc};
use ownership::{Evaluation, Owner};
use serde::{Deserialize, Serialize};

use super::mute_for_me::MuteState;
use super::prefs::{AlertKind, Audience, Level, MuteRule, Preferences};
use super::reason::{Assignment, EnvironmentUnknown, Mention, Ownership, Reason, Subscription};

/// What the policy knows about an alert.
#[derive(Debug, Clone, Default)]
pub struct Facts<'a> {
    pub kind: Option<AlertKind>,
    pub project: &'a str,
    pub level: Option<Level>,
    pub environment: Option<&'a str>,
    /// Why `environment` is `None` when it could not be learned (rather than the event having none).
    pub environment_unknown: Option<EnvironmentUnknown>,
    pub title: &'a str,
    pub culprit: Option<&'a str>,
    pub message: Option<&'a str>,
    pub tags: &'a [(String, String)],
    /// Sentry's `assignedTo`: a user id (`"42"` or `"user:42"`), an e-mail, or `"team:<slug>"`.
    pub assigned_to: Option<&'a str>,
    /// Whether I made the change this alert reports.
    pub by_me: bool,
    /// Whom of me and my teams a comment mentions.
    pub mention: Option<Mention>,
    /// Whether Sentry has me subscribed to the issue (read for comments and changes by others).
    pub subscription: Subscription,
    /// A critical metric alert.
    pub critical: bool,
    /// The issue's mute for me, if it has one in force or one that ended unsaid.
    pub mute_for_me: Option<MuteState>,
}

/// Who "me" is, as Sentry knows me.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Me {
    pub user_id: String,
    pub email: String,
    pub username: String,
    /// My name as people write it (Sentry's comment box mentions me by it).
    pub name: String,
    /// My teams' slugs.
    pub teams: Vec<String>,
}

/// What was delivered lately for the alert's project.
#[derive(Debug, Clone, Copy, Default)]
pub struct History {
    pub notified_last_hour: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Deliver {
    Now,
    Digest,
    Suppress,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub deliver: Deliver,
    /// Why, in the order the checks ran; the last one decided.
    pub reasons: Vec<Reason>,
}

impl Decision {
    pub fn new(deliver: Deliver, reason: Reason) -> Decision {
        Decision {
            deliver,
            reasons: vec![reason],
        }
    }

    fn end(deliver: Deliver, mut reasons: Vec<Reason>, last: Reason) -> Decision {
        reasons.push(last);
        Decision { deliver, reasons }
    }

    /// The reason that decided.
    pub fn decisive(&self) -> Option<&Reason> {
        self.reasons.last()
    }

    /// The reasons as a person reads them.
    pub fn why(&self) -> Vec<String> {
        self.reasons.iter().map(ToString::to_string).collect()
    }
}

pub fn decide(
    facts: &Facts,
    prefs: &Preferences,
    ownership: Option<&Evaluation>,
    me: &Me,
    now: DateTime<Utc>,
    history: History,
) -> Decision {
    let mut reasons = Vec::new();
    let project = || facts.project.to_owned();
    if !prefs.enabled {
        return Decision::end(Deliver::Suppress, reasons, Reason::ProjectOff { project: project() });
    }
    if let Some(until) = prefs.snoozed_until.filter(|u| *u > now) {
        return Decision::end(Deliver::Suppress, reasons, Reason::Snoozed { until });
    }
    let Some(kind) = facts.kind else {
        return Decision::end(Deliver::Suppress, reasons, Reason::NotNotifiable);
    };
    let Some(kind) = heard_as(kind, prefs) else {
        return Decision::end(
            Deliver::Suppress,
            reasons,
            Reason::KindOff {
                kind,
                project: project(),
            },
        );
    };
    match facts
        .mute_for_me
        .as_ref()
        .map(|m| m.at(now, kind == AlertKind::Escalating))
    {
        Some(MuteState::InForce(until)) => {
            return Decision::end(Deliver::Suppress, reasons, Reason::MutedForYou { until });
        }
        Some(MuteState::Ended(why)) => reasons.push(Reason::MuteEnded { why }),
        None => {}
    }
    if kind.is_workflow() && facts.by_me {
        return Decision::end(Deliver::Suppress, reasons, Reason::ByYou);
    }
    // Metric alerts carry no event level (their severity is critical/warning), nor do releases.
    if kind != AlertKind::MetricAlert && !kind.is_project_news() {
        let level = facts.level.unwrap_or(Level::Error);
        if level < prefs.min_level {
            let minimum = prefs.min_level;
            return Decision::end(
                Deliver::Suppress,
                reasons,
                Reason::BelowMinimum {
                    level,
                    minimum,
                    project: project(),
                },
            );
        }
    }
    // A release is of every environment; a deploy is to one, and filtered by it.
    if !prefs.environments.is_empty() && kind != AlertKind::Release {
        match (facts.environment, facts.environment_unknown) {
            (Some(env), _) if prefs.environments.contains(env) => reasons.push(Reason::EnvironmentWatched {
                environment: env.to_owned(),
            }),
            (None, Some(why)) => reasons.push(Reason::EnvironmentUnknown { why }),
            (other, _) => {
                let watched = prefs.environments.iter().cloned().collect();
                let environment = other.map(str::to_owned);
                return Decision::end(
                    Deliver::Suppress,
                    reasons,
                    Reason::EnvironmentNotWatched { environment, watched },
                );
            }
        }
    }
    if let Some((index, rule)) = prefs.mute.iter().enumerate().find(|(_, rule)| muted(rule, facts)) {
        let by = rule.clone();
        return Decision::end(Deliver::Suppress, reasons, Reason::Muted { rule: index + 1, by });
    }
    match audience(facts, kind, prefs.audience, ownership, me) {
        Ok(reason) => reasons.push(reason),
        Err(reason) => return Decision::end(Deliver::Suppress, reasons, reason),
    }
    let urgent = facts.critical || facts.level == Some(Level::Fatal);
    if let Some(quiet) = &prefs.quiet_hours
        && let Some(until) = quiet.active_until(now)
    {
        if quiet.breakthrough && urgent {
            reasons.push(Reason::BreaksThroughQuietHours {
                critical: facts.critical,
            });
        } else {
            let until = until.format("%H:%M").to_string();
            return Decision::end(Deliver::Digest, reasons, Reason::QuietHours { until });
        }
    }
    if history.notified_last_hour >= prefs.spike_limit_per_hour && !urgent {
        let limit = prefs.spike_limit_per_hour;
        return Decision::end(
            Deliver::Digest,
            reasons,
            Reason::SpikeLimit {
                limit,
                project: project(),
            },
        );
    }
    if let Some(up_to) = prefs.digest_up_to {
        let level = facts.level.unwrap_or(Level::Error);
        if kind != AlertKind::MetricAlert && level <= up_to {
            return Decision::end(Deliver::Digest, reasons, Reason::DigestLevel { level, up_to });
        }
    }
    Decision::end(
        Deliver::Now,
        reasons,
        Reason::Notify {
            kind,
            project: project(),
        },
    )
}

/// What an alert of `kind` is heard as under `prefs`, if it is heard at all. A mention is a
/// comment too: with mentions off it is heard as one where comments are on.
pub fn heard_as(kind: AlertKind, prefs: &Preferences) -> Option<AlertKind> {
    if prefs.kinds.contains(&kind) {
        Some(kind)
    } else if kind == AlertKind::Mentioned && prefs.kinds.contains(&AlertKind::CommentOnMyIssue) {
        Some(AlertKind::CommentOnMyIssue)
    } else {
        None
    }
}

/// A mute pattern: a glob over the whole text when it has `*`, `?` or `[`, else a substring;
/// both ignore case.
fn contains(haystack: Option<&str>, pattern: &str) -> bool {
    let Some(text) = haystack else { return false };
    if pattern.contains(['*', '?', '[']) {
        ownership::glob_matches(pattern, text)
    } else {
        text.to_lowercase().contains(&pattern.to_lowercase())
    }
}

/// Whether `rule` mutes the alert `facts` describe (the decision's check, and the window's preview).
pub fn muted(rule: &MuteRule, facts: &Facts) -> bool {
    match rule {
        MuteRule::Title(t) => contains(Some(facts.title), t),
        MuteRule::Culprit(t) => contains(facts.culprit, t),
        MuteRule::Message(t) => contains(facts.message, t),
        MuteRule::Tag(k, v) => facts.tags.iter().any(|(key, value)| key == k && value == v),
    }
}

fn assignment(facts: &Facts, me: &Me) -> Assignment {
    assignment_of(facts.assigned_to, me)
}

/// Whose an issue assigned to `assigned_to` (Sentry's `assignedTo`) is.
pub fn assignment_of(assigned_to: Option<&str>, me: &Me) -> Assignment {
    let Some(to) = assigned_to.filter(|a| !a.is_empty()) else {
        return Assignment::Nobody;
    };
    if let Some(team) = to.strip_prefix("team:") {
        let team = team.to_owned();
        return if me.teams.contains(&team) {
            Assignment::YourTeam { team }
        } else {
            Assignment::OtherTeam { team }
        };
    }
    let user = to.strip_prefix("user:").unwrap_or(to);
    if user == me.user_id || user.eq_ignore_ascii_case(&me.email) || user.eq_ignore_ascii_case(&me.username) {
        Assignment::You
    } else {
        Assignment::Someone { user: user.to_owned() }
    }
}

/// Whose the alert is by the ownership rules.
fn ownership(evaluation: Option<&Evaluation>, me: &Me) -> Ownership {
    let Some(evaluation) = evaluation else {
        return Ownership::Unknown;
    };
    for m in evaluation.matches.iter().rev() {
        for owner in &m.owners {
            let mine = match owner {
                Owner::Team(slug) => me.teams.iter().any(|t| t == slug),
                Owner::User(user) => user.eq_ignore_ascii_case(&me.email) || user.eq_ignore_ascii_case(&me.username),
            };
            if mine {
                return Ownership::Yours {
                    owner: owner.to_string(),
                    line: m.line,
                    rule: m.text.clone(),
                };
            }
        }
    }
    match evaluation.owners.first() {
        Some(owner) => Ownership::Others {
            owner: owner.to_string(),
        },
        None => Ownership::NoRuleMatches,
    }
}

/// Whether the alert is for this audience: the reason either way.
fn audience(
    facts: &Facts,
    kind: AlertKind,
    audience: Audience,
    evaluation: Option<&Evaluation>,
    me: &Me,
) -> Result<Reason, Reason> {
    // Workflow alerts are personal by their kind: being mine is what they are about, so the
    // project's audience (everything, owned, assigned) does not narrow them further.
    match kind {
        AlertKind::AssignedToMe => {
            return Ok(Reason::Assigned {
                assignment: assignment(facts, me),
            });
        }
        AlertKind::Mentioned => {
            let mention = facts.mention.clone().unwrap_or(Mention::You);
            return Ok(Reason::Mentioned { mention });
        }
        AlertKind::CommentOnMyIssue | AlertKind::StateChanged => {
            let assignment = assignment(facts, me);
            let subscription = facts.subscription;
            return if assignment.is_mine() || matches!(subscription, Subscription::Yes { .. }) {
                Ok(Reason::Involved {
                    assignment,
                    subscription,
                })
            } else {
                Err(Reason::NotInvolved {
                    assignment,
                    subscription,
                })
            };
        }
        kind if kind.is_project_news() => {
            return Ok(Reason::ProjectNews {
                project: facts.project.to_owned(),
            });
        }
        _ => {}
    }
    let assigned = || {
        let assignment = assignment(facts, me);
        (assignment.is_mine(), Reason::Assigned { assignment })
    };
    let owned = || {
        let ownership = ownership(evaluation, me);
        (ownership.is_mine(), Reason::Owned { ownership })
    };
    let (mine, reason) = match audience {
        Audience::Everything => (
            true,
            Reason::Everything {
                project: facts.project.to_owned(),
            },
        ),
        Audience::Assigned => assigned(),
        Audience::Owned => owned(),
        Audience::OwnedOrAssigned => {
            let assignment = assignment(facts, me);
            let ownership = ownership(evaluation, me);
            if assignment.is_mine() {
                (true, Reason::Assigned { assignment })
            } else if ownership.is_mine() {
                (true, Reason::Owned { ownership })
            } else {
                (false, Reason::NeitherAssignedNorOwned { assignment, ownership })
            }
        }
    };
    if mine { Ok(reason) } else { Err(reason) }
}
