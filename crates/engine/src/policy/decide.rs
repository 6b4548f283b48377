//! The decision itself.

use chrono::{DateTime, Utc};
use ownership::{Evaluation, Owner};
use serde::Serialize;

use super::prefs::{AlertKind, Audience, Level, MuteRule, Preferences};

/// What the policy knows about an alert.
#[derive(Debug, Clone, Default)]
pub struct Facts<'a> {
    pub kind: Option<AlertKind>,
    pub project: &'a str,
    pub level: Option<Level>,
    pub environment: Option<&'a str>,
    pub title: &'a str,
    pub culprit: Option<&'a str>,
    pub message: Option<&'a str>,
    pub tags: &'a [(String, String)],
    /// Sentry's `assignedTo`: a user id (`"42"` or `"user:42"`), an e-mail, or `"team:<slug>"`.
    pub assigned_to: Option<&'a str>,
    /// Whether I made the change this alert reports.
    pub by_me: bool,
    /// A critical metric alert.
    pub critical: bool,
}

/// Who "me" is, as Sentry knows me.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Me {
    pub user_id: String,
    pub email: String,
    pub username: String,
    /// My teams' slugs.
    pub teams: Vec<String>,
}

/// What was delivered lately for the alert's project.
#[derive(Debug, Clone, Copy, Default)]
pub struct History {
    pub notified_last_hour: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
    pub reasons: Vec<String>,
}

impl Decision {
    fn end(deliver: Deliver, mut reasons: Vec<String>, last: String) -> Decision {
        reasons.push(last);
        Decision { deliver, reasons }
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
    let project = facts.project;
    if !prefs.enabled {
        return Decision::end(
            Deliver::Suppress,
            reasons,
            format!("notifications for {project} are off"),
        );
    }
    if let Some(until) = prefs.snoozed_until.filter(|u| *u > now) {
        return Decision::end(
            Deliver::Suppress,
            reasons,
            format!("snoozed until {}", until.format("%Y-%m-%d %H:%M UTC")),
        );
    }
    let Some(kind) = facts.kind else {
        return Decision::end(Deliver::Suppress, reasons, "not a kind of alert that notifies".into());
    };
    if !prefs.kinds.contains(&kind) {
        return Decision::end(
            Deliver::Suppress,
            reasons,
            format!("{} are turned off for {project}", kind.describe()),
        );
    }
    if matches!(kind, AlertKind::StateChanged | AlertKind::CommentOnMyIssue) && facts.by_me {
        return Decision::end(Deliver::Suppress, reasons, "you made this change yourself".into());
    }
    // Metric alerts carry no event level; their severity is critical/warning.
    if kind != AlertKind::MetricAlert {
        let level = facts.level.unwrap_or(Level::Error);
        if level < prefs.min_level {
            return Decision::end(
                Deliver::Suppress,
                reasons,
                format!(
                    "level {} is below the minimum {} for {project}",
                    level.name(),
                    prefs.min_level.name()
                ),
            );
        }
    }
    if !prefs.environments.is_empty() {
        match facts.environment {
            Some(env) if prefs.environments.contains(env) => reasons.push(format!("environment {env} is watched")),
            other => {
                let env = other.unwrap_or("(none)");
                let watched: Vec<&str> = prefs.environments.iter().map(String::as_str).collect();
                return Decision::end(
                    Deliver::Suppress,
                    reasons,
                    format!("environment {env} is not watched (only {})", watched.join(", ")),
                );
            }
        }
    }
    if let Some((index, rule)) = prefs.mute.iter().enumerate().find(|(_, rule)| muted(rule, facts)) {
        return Decision::end(
            Deliver::Suppress,
            reasons,
            format!("muted by rule {}: {}", index + 1, rule.describe()),
        );
    }
    if kind == AlertKind::CommentOnMyIssue {
        match assigned(facts, me) {
            Ok(_) => reasons.push("a comment on your issue".into()),
            Err(why) => {
                return Decision::end(
                    Deliver::Suppress,
                    reasons,
                    format!("a comment on an issue that is not yours ({why})"),
                );
            }
        }
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
            reasons.push(format!(
                "{} breaks through quiet hours",
                if facts.critical { "critical" } else { "fatal" }
            ));
        } else {
            return Decision::end(
                Deliver::Digest,
                reasons,
                format!("quiet hours until {}", until.format("%H:%M")),
            );
        }
    }
    if history.notified_last_hour >= prefs.spike_limit_per_hour && !urgent {
        return Decision::end(
            Deliver::Digest,
            reasons,
            format!(
                "spike limit {}/h reached for {project}: into the summary",
                prefs.spike_limit_per_hour
            ),
        );
    }
    if let Some(up_to) = prefs.digest_up_to {
        let level = facts.level.unwrap_or(Level::Error);
        if kind != AlertKind::MetricAlert && level <= up_to {
            return Decision::end(
                Deliver::Digest,
                reasons,
                format!("{} goes into the digest (up to {})", level.name(), up_to.name()),
            );
        }
    }
    Decision::end(Deliver::Now, reasons, format!("{} in {project}", kind.describe()))
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

fn muted(rule: &MuteRule, facts: &Facts) -> bool {
    match rule {
        MuteRule::Title(t) => contains(Some(facts.title), t),
        MuteRule::Culprit(t) => contains(facts.culprit, t),
        MuteRule::Message(t) => contains(facts.message, t),
        MuteRule::Tag(k, v) => facts.tags.iter().any(|(key, value)| key == k && value == v),
    }
}

/// Whether the alert is mine by assignment: the reason either way.
fn assigned(facts: &Facts, me: &Me) -> Result<String, String> {
    let Some(to) = facts.assigned_to.filter(|a| !a.is_empty()) else {
        return Err("it is assigned to nobody".into());
    };
    if let Some(team) = to.strip_prefix("team:") {
        return if me.teams.iter().any(|t| t == team) {
            Ok(format!("assigned to your team #{team}"))
        } else {
            Err(format!("assigned to #{team}, not one of your teams"))
        };
    }
    let user = to.strip_prefix("user:").unwrap_or(to);
    if user == me.user_id || user.eq_ignore_ascii_case(&me.email) || user.eq_ignore_ascii_case(&me.username) {
        Ok("assigned to you".into())
    } else {
        Err(format!("assigned to {user}, not you"))
    }
}

/// Whether the alert is mine by the ownership rules: the reason either way.
fn owned(ownership: Option<&Evaluation>, me: &Me) -> Result<String, String> {
    let Some(evaluation) = ownership else {
        return Err("the project's ownership rules are not known".into());
    };
    for m in evaluation.matches.iter().rev() {
        for owner in &m.owners {
            let mine = match owner {
                Owner::Team(slug) => me.teams.iter().any(|t| t == slug),
                Owner::User(user) => user.eq_ignore_ascii_case(&me.email) || user.eq_ignore_ascii_case(&me.username),
            };
            if mine {
                return Ok(format!("owned by {owner} via rule {}: {}", m.line, m.text));
            }
        }
    }
    match evaluation.owners.first() {
        Some(owner) => Err(format!("owned by {owner}, not you or your teams")),
        None => Err("no ownership rule matches it".into()),
    }
}

fn audience(
    facts: &Facts,
    kind: AlertKind,
    audience: Audience,
    ownership: Option<&Evaluation>,
    me: &Me,
) -> Result<String, String> {
    if kind == AlertKind::AssignedToMe {
        return Ok("assigned to you".into());
    }
    match audience {
        Audience::Everything => Ok(format!("you follow everything in {}", facts.project)),
        Audience::Assigned => assigned(facts, me),
        Audience::Owned => owned(ownership, me),
        Audience::OwnedOrAssigned => assigned(facts, me)
            .or_else(|not_assigned| owned(ownership, me).map_err(|not_owned| format!("{not_assigned}; {not_owned}"))),
    }
}
