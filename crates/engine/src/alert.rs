//! The one normalized shape every source hands on: an [`Alert`].

use sentry_api::models::org_from_url;
use sentry_api::webhook::{Comment, EventPayload, MetricAlert, Payload, PayloadError};
use sentry_api::{Activity, Deploy, Issue, Release, ReleaseProject, release_url};

use crate::mutes::IssueKey;
use crate::policy::{AlertKind, Facts, Level, Me, Subscription, assignment_of, mention};

/// What Sentry reported, as `resource.action` on the wire and in the database.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, ts_rs::TS)]
pub enum Kind {
    #[default]
    IssueCreated,
    IssueResolved,
    IssueUnresolved,
    IssueAssigned,
    /// Sentry's older name for archiving.
    IssueIgnored,
    IssueArchived,
    /// Every event of an issue (stored, never a notification of its own).
    ErrorCreated,
    EventAlertTriggered,
    /// A legacy service hook's alert.
    EventAlert,
    MetricAlertCritical,
    MetricAlertWarning,
    MetricAlertResolved,
    CommentCreated,
    CommentUpdated,
    CommentDeleted,
    /// Regressed in a release, as the activity feed says (`set_regression` with a version):
    /// our name, no webhook sends it.
    IssueRegressed,
    /// A new release, and a release deployed, as polling reads them (no webhook sends either).
    ReleaseCreated,
    DeployCreated,
    /// A resource's action this build does not know, kept as Sentry named it.
    Other(String),
}

impl Kind {
    const KNOWN: [(Kind, &'static str); 18] = [
        (Kind::IssueCreated, "issue.created"),
        (Kind::IssueResolved, "issue.resolved"),
        (Kind::IssueUnresolved, "issue.unresolved"),
        (Kind::IssueAssigned, "issue.assigned"),
        (Kind::IssueIgnored, "issue.ignored"),
        (Kind::IssueArchived, "issue.archived"),
        (Kind::ErrorCreated, "error.created"),
        (Kind::EventAlertTriggered, "event_alert.triggered"),
        (Kind::EventAlert, "event.alert"),
        (Kind::MetricAlertCritical, "metric_alert.critical"),
        (Kind::MetricAlertWarning, "metric_alert.warning"),
        (Kind::MetricAlertResolved, "metric_alert.resolved"),
        (Kind::CommentCreated, "comment.created"),
        (Kind::CommentUpdated, "comment.updated"),
        (Kind::CommentDeleted, "comment.deleted"),
        (Kind::IssueRegressed, "issue.regressed"),
        (Kind::ReleaseCreated, "release.created"),
        (Kind::DeployCreated, "deploy.created"),
    ];

    /// `resource.action` as Sentry names it; the one decoder of the stored text.
    pub fn parse(text: &str) -> Kind {
        Kind::KNOWN
            .iter()
            .find(|(_, name)| *name == text)
            .map(|(kind, _)| kind.clone())
            .unwrap_or_else(|| Kind::Other(text.to_owned()))
    }

    /// The kind of `resource` (`issue`, `metric_alert`, `comment`) with Sentry's `action`.
    pub fn of(resource: &str, action: &str) -> Kind {
        Kind::parse(&format!("{resource}.{action}"))
    }

    pub fn as_str(&self) -> &str {
        match self {
            Kind::Other(text) => text,
            known => Kind::KNOWN
                .iter()
                .find(|(kind, _)| kind == known)
                .map_or("", |(_, name)| name),
        }
    }

    pub fn is_metric_alert(&self) -> bool {
        self.resource() == "metric_alert"
    }

    pub fn is_comment(&self) -> bool {
        self.resource() == "comment"
    }

    /// Whether it is about an issue the user can act on (resolve, ignore, assign).
    pub fn is_about_an_issue(&self) -> bool {
        self.has_issue() && !self.is_comment()
    }

    /// Whether it is of an issue at all (a metric incident, a release or a deploy is not).
    pub fn has_issue(&self) -> bool {
        !self.is_metric_alert() && !matches!(self, Kind::ReleaseCreated | Kind::DeployCreated)
    }

    /// Whether an open notification of the alert's thread is moot once this arrives.
    pub fn closes_thread(&self) -> bool {
        matches!(
            self,
            Kind::MetricAlertResolved | Kind::IssueResolved | Kind::IssueIgnored | Kind::IssueArchived
        )
    }

    /// The kinds after which an issue is no longer open.
    pub const CLOSING_ISSUE: [Kind; 3] = [Kind::IssueResolved, Kind::IssueIgnored, Kind::IssueArchived];

    /// The kinds whose `issue_id` is not an issue's (an incident's, a release's).
    pub const NOT_OF_ISSUES: [Kind; 5] = [
        Kind::MetricAlertCritical,
        Kind::MetricAlertWarning,
        Kind::MetricAlertResolved,
        Kind::ReleaseCreated,
        Kind::DeployCreated,
    ];

    fn resource(&self) -> &str {
        self.as_str().split_once('.').map_or("", |(resource, _)| resource)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Kind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Kind, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(Kind::parse(&text))
    }
}

/// How the alert reached the app.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    #[default]
    Webhook,
    Poll,
    /// Sentry's answer to one of the user's own actions, kept as the issue's state: not an alert.
    Action,
}

/// An issue's status in Sentry, as the app last heard it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum IssueStatus {
    Unresolved,
    Resolved,
    /// Ignored or archived (Sentry's newer word), for a while or for good.
    Ignored,
}

impl IssueStatus {
    /// Sentry's `status` field (`resolvedInNextRelease` and the like are resolved too).
    fn parse(status: &str) -> Option<IssueStatus> {
        Some(match status {
            "unresolved" | "reprocessing" => IssueStatus::Unresolved,
            s if s.starts_with("resolved") => IssueStatus::Resolved,
            "ignored" | "archived" | "muted" => IssueStatus::Ignored,
            _ => return None,
        })
    }

    /// What an `issue.*` change leaves the issue in, when its body does not say.
    fn after(kind: &Kind) -> Option<IssueStatus> {
        Some(match kind {
            Kind::IssueCreated | Kind::IssueUnresolved => IssueStatus::Unresolved,
            Kind::IssueResolved => IssueStatus::Resolved,
            Kind::IssueIgnored | Kind::IssueArchived => IssueStatus::Ignored,
            _ => return None,
        })
    }
}

/// Who an issue is assigned to, where the body said.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Assignment {
    /// `user:<id>` or `team:<slug>`; `None`: nobody.
    pub to: Option<String>,
    /// The assignee as people read it.
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Alert {
    /// Same key, same alert: a repeated webhook or an overlapping poll is a no-op in the store.
    pub dedupe_key: String,
    /// The account (`server|organization`) it came from, when known; part of its identity, so
    /// the same issue id from two servers is two alerts.
    pub account: Option<String>,
    pub source: Source,
    pub kind: Kind,
    pub org: Option<String>,
    pub issue_id: String,
    pub short_id: Option<String>,
    pub project: Option<String>,
    /// The project's name as people know it, where Sentry sent it (issues carry it, events not).
    pub project_name: Option<String>,
    pub title: String,
    pub culprit: Option<String>,
    /// The exception's value or the logged message, for `mute_message`.
    pub message: Option<String>,
    pub level: Option<Level>,
    pub web_url: Option<String>,
    pub environment: Option<String>,
    pub substatus: Option<String>,
    /// `user:<id>` or `team:<slug>`, as the policy compares it.
    pub assigned_to: Option<String>,
    /// The Sentry user who caused this (for "changed by someone else"), when a user did.
    pub actor_user_id: Option<String>,
    pub tags: Vec<(String, String)>,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// Events in the issue so far.
    pub count: Option<String>,
    /// Users who saw it so far.
    pub user_count: Option<String>,
    /// The issue's status, where the body says (issues do, events not).
    pub status: Option<IssueStatus>,
    /// Its assignment, where the body says (GlitchTip and an update's answer may not).
    pub assignment: Option<Assignment>,
    /// The body as received, kept so later stages (and "why") can read what Sentry said.
    pub payload: String,
}

impl Alert {
    /// An alert from an `issue.*` webhook. `fallback_org` is the configured organization, used
    /// when the payload's URLs do not name one.
    pub fn from_issue_webhook(
        action: &str,
        issue: &Issue,
        actor_user_id: Option<String>,
        fallback_org: Option<&str>,
        body: &[u8],
    ) -> Alert {
        let kind = Kind::of("issue", action);
        // One alert per change, whichever way Sentry told us (webhook or polling): an issue is
        // created once, assigned once per assignee; other changes recur with new events.
        let dedupe_key = match kind {
            Kind::IssueCreated => format!("{kind}:{}", issue.id),
            Kind::IssueAssigned => format!("{kind}:{}:{}", issue.id, issue.assignee().unwrap_or_default()),
            _ => {
                let seen = issue.last_seen.as_deref().or(issue.first_seen.as_deref()).unwrap_or("");
                format!("{kind}:{}:{seen}", issue.id)
            }
        };
        Alert {
            dedupe_key,
            account: None,
            source: Source::Webhook,
            org: issue.organization_slug().or_else(|| fallback_org.map(str::to_owned)),
            issue_id: issue.id.clone(),
            short_id: issue.short_id.clone(),
            project: project_slug(issue),
            project_name: project_name(issue),
            title: issue.title.clone(),
            culprit: issue.culprit.clone().filter(|c| !c.is_empty()),
            message: issue.message(),
            level: issue.level.as_deref().and_then(Level::parse),
            web_url: issue.browser_url().map(str::to_owned),
            environment: None,
            substatus: issue.substatus.clone(),
            assigned_to: issue.assignee(),
            actor_user_id,
            tags: Vec::new(),
            first_seen: issue.first_seen.clone(),
            last_seen: issue.last_seen.clone(),
            count: issue.count.clone(),
            user_count: issue.user_count.clone(),
            status: issue
                .status
                .as_deref()
                .and_then(IssueStatus::parse)
                .or_else(|| IssueStatus::after(&kind)),
            assignment: issue.assigned_to.as_ref().map(|_| Assignment {
                to: issue.assignee(),
                name: issue.assignee_name(),
            }),
            kind,
            payload: String::from_utf8_lossy(body).into_owned(),
        }
    }

    /// An alert from an event Sentry sent: `error.created`, `event_alert.triggered`, or a
    /// legacy service hook's `event.alert`.
    pub fn from_event(event: &EventPayload, fallback_org: Option<&str>, body: &[u8]) -> Alert {
        let rule = event.rule.as_deref().unwrap_or("");
        Alert {
            dedupe_key: format!("{}:{}:{}:{rule}", event.kind, event.issue_id, event.event_id),
            source: Source::Webhook,
            kind: Kind::parse(&event.kind),
            org: event
                .web_url
                .as_deref()
                .and_then(org_from_url)
                .or_else(|| fallback_org.map(str::to_owned)),
            issue_id: event.issue_id.clone(),
            short_id: None,
            project: event.project.clone(),
            title: event.title.clone(),
            culprit: event.culprit.clone(),
            message: event.message.clone(),
            level: event.level.as_deref().and_then(Level::parse),
            web_url: event.web_url.clone(),
            environment: event.environment.clone(),
            tags: event.tags.clone(),
            payload: String::from_utf8_lossy(body).into_owned(),
            ..Alert::default()
        }
    }

    /// An alert from a metric alert webhook; `issue_id` holds the incident's id.
    pub fn from_metric_alert(alert: &MetricAlert, fallback_org: Option<&str>, body: &[u8]) -> Alert {
        let kind = Kind::of("metric_alert", &alert.action);
        let level = Some(if kind == Kind::MetricAlertCritical {
            Level::Fatal
        } else {
            Level::Warning
        });
        Alert {
            dedupe_key: format!("{kind}:{}", alert.id),
            source: Source::Webhook,
            kind,
            org: alert
                .web_url
                .as_deref()
                .and_then(org_from_url)
                .or_else(|| fallback_org.map(str::to_owned)),
            issue_id: alert.id.clone(),
            title: alert.title.clone(),
            culprit: Some(alert.description.clone()).filter(|d| !d.is_empty()),
            message: Some(alert.description.clone()).filter(|d| !d.is_empty()),
            level,
            web_url: alert.web_url.clone(),
            payload: String::from_utf8_lossy(body).into_owned(),
            ..Alert::default()
        }
    }

    /// An alert from a comment webhook.
    pub fn from_comment(comment: &Comment, fallback_org: Option<&str>, body: &[u8]) -> Alert {
        let kind = Kind::of("comment", &comment.action);
        let by = comment.actor_name.as_deref().unwrap_or("Someone");
        Alert {
            dedupe_key: format!("{kind}:{}", comment.comment_id),
            source: Source::Webhook,
            kind,
            org: fallback_org.map(str::to_owned),
            issue_id: comment.issue_id.clone(),
            project: comment.project.clone(),
            title: format!("{by} commented: {}", comment.text),
            message: Some(comment.text.clone()).filter(|t| !t.is_empty()),
            actor_user_id: comment.actor_user_id.clone(),
            payload: String::from_utf8_lossy(body).into_owned(),
            ..Alert::default()
        }
    }

    /// The alert a polled activity stands for, as its webhook says it (so both meet in the
    /// store): a comment (`note`), an assignment, a resolve, an ignore or a reopen; `None` for
    /// the rest (merges, first seen, …). `org` is the account's organization.
    pub fn from_activity(activity: &Activity, org: &str) -> Option<Alert> {
        let issue = activity.issue.as_ref()?;
        let body = serde_json::to_vec(activity).unwrap_or_default();
        let action = match activity.kind.as_str() {
            "note" => {
                let by = activity.user_name();
                let text = activity.text().unwrap_or_default();
                return Some(Alert {
                    // The comment webhook's `comment_id` is the activity's id.
                    dedupe_key: format!("{}:{}", Kind::CommentCreated, activity.id),
                    source: Source::Poll,
                    kind: Kind::CommentCreated,
                    org: Some(org.to_owned()),
                    issue_id: issue.id.clone(),
                    short_id: issue.short_id.clone(),
                    project: project_slug(issue),
                    project_name: project_name(issue),
                    title: format!("{} commented: {text}", by.as_deref().unwrap_or("Someone")),
                    message: Some(text.to_owned()).filter(|t| !t.is_empty()),
                    web_url: issue.browser_url().map(str::to_owned),
                    assigned_to: issue.assignee(),
                    actor_user_id: activity.user_id(),
                    payload: String::from_utf8_lossy(&body).into_owned(),
                    ..Alert::default()
                });
            }
            "assigned" => "assigned",
            "set_resolved"
            | "set_resolved_in_release"
            | "set_resolved_in_commit"
            | "set_resolved_in_pull_request"
            | "set_resolved_by_age" => "resolved",
            "set_ignored" => "ignored",
            "set_unresolved" => "unresolved",
            // Sentry writes the release it came back in where it knows one.
            "set_regression" => {
                let version = activity.data.get("version")?.as_str().filter(|v| !v.is_empty())?;
                let mut alert = Alert::from_issue_webhook("unresolved", issue, None, Some(org), &body);
                alert.kind = Kind::IssueRegressed;
                alert.dedupe_key = format!("{}:{}", Kind::IssueRegressed, activity.id);
                alert.substatus = Some("regressed".into());
                alert.tags.retain(|(key, _)| key != "release");
                alert.tags.push(("release".into(), version.to_owned()));
                alert.source = Source::Poll;
                return Some(alert);
            }
            _ => return None,
        };
        let mut alert = Alert::from_issue_webhook(action, issue, activity.user_id(), Some(org), &body);
        alert.source = Source::Poll;
        Some(alert)
    }

    /// A new release of `project` (one alert per project of the release), as polling reads it.
    pub fn from_release(release: &Release, project: &ReleaseProject, org: &str, web: &str) -> Alert {
        Alert {
            dedupe_key: format!("{}:{}:{}", Kind::ReleaseCreated, release.version, project.slug),
            source: Source::Poll,
            kind: Kind::ReleaseCreated,
            org: Some(org.to_owned()),
            issue_id: release.version.clone(),
            project: Some(project.slug.clone()),
            project_name: project.name.clone(),
            title: format!("Release {}", release.label()),
            web_url: Some(release_url(web, org, &release.version)),
            tags: vec![("release".into(), release.version.clone())],
            payload: serde_json::to_string(release).unwrap_or_default(),
            ..Alert::default()
        }
    }

    /// The release's latest deploy, for `project`.
    pub fn from_deploy(release: &Release, deploy: &Deploy, project: &ReleaseProject, org: &str, web: &str) -> Alert {
        let to = deploy.environment.as_deref().unwrap_or("an environment");
        Alert {
            dedupe_key: format!("{}:{}:{}", Kind::DeployCreated, deploy.id, project.slug),
            kind: Kind::DeployCreated,
            environment: deploy.environment.clone(),
            title: format!("Deployed {} to {to}", release.label()),
            ..Alert::from_release(release, project, org, web)
        }
    }

    /// The alert a webhook stands for; `None` for resources the app does not act on.
    pub fn from_payload(payload: &Payload, fallback_org: Option<&str>, body: &[u8]) -> Option<Alert> {
        Some(match payload {
            Payload::Issue {
                action,
                issue,
                actor_user_id,
            } => Alert::from_issue_webhook(action, issue, actor_user_id.clone(), fallback_org, body),
            Payload::Event(event) => Alert::from_event(event, fallback_org, body),
            Payload::MetricAlert(alert) => Alert::from_metric_alert(alert, fallback_org, body),
            Payload::Comment(comment) => Alert::from_comment(comment, fallback_org, body),
            Payload::Other { .. } => return None,
        })
    }

    /// The same alert as `account`'s (`server|organization`): its identity says whose it is.
    pub fn of_account(mut self, account: &str) -> Alert {
        if self.account.is_none() {
            self.dedupe_key = format!("{account}#{}", self.dedupe_key);
            self.account = Some(account.to_owned());
        }
        self
    }

    /// Which notification this alert belongs to: one per issue (of its account), one per metric
    /// incident.
    pub fn thread_key(&self) -> String {
        let account = self.account.as_deref().unwrap_or("");
        if self.is_metric_alert() {
            format!("metric:{account}:{}", self.issue_id)
        } else if !self.kind.has_issue() {
            format!("release:{account}:{}", self.issue_id)
        } else {
            format!("issue:{account}:{}", self.issue_id)
        }
    }

    pub fn is_metric_alert(&self) -> bool {
        self.kind.is_metric_alert()
    }

    /// Whether this alert means an open notification of its thread is now moot.
    pub fn closes_thread(&self) -> bool {
        self.kind.closes_thread()
    }

    /// An alert from a file: an `issue.*` webhook body, or an issue as the API returns it.
    pub fn from_json_file(body: &[u8]) -> Result<Alert, PayloadError> {
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| PayloadError::NotJson(e.to_string()))?;
        if value.get("action").is_some() {
            // A webhook body saved without its headers: its shape names the resource.
            let payload = sentry_api::webhook::parse(None, body)?;
            return Alert::from_payload(&payload, None, body).ok_or(PayloadError::MissingField("data.issue"));
        }
        if value.get("event").is_some() {
            let payload = sentry_api::webhook::parse(Some("event"), body)?;
            return Alert::from_payload(&payload, None, body).ok_or(PayloadError::MissingField("event"));
        }
        let issue: Issue = serde_json::from_value(value).map_err(|e| PayloadError::WrongShape {
            field: "issue",
            detail: e.to_string(),
        })?;
        let action = match issue.substatus.as_deref() {
            Some("regressed" | "escalating") => "unresolved",
            _ => "created",
        };
        Ok(Alert::from_issue_webhook(action, &issue, None, None, body))
    }

    /// What the policy reads from this alert, seen by `me`.
    pub fn facts<'a>(&'a self, me: &Me) -> Facts<'a> {
        let assigned_to_mine = assignment_of(self.assigned_to.as_deref(), me).is_mine();
        let mention = match self.kind {
            Kind::CommentCreated => self.message.as_deref().and_then(|text| mention(text, me)),
            _ => None,
        };
        let kind = match (&self.kind, self.substatus.as_deref()) {
            (Kind::IssueCreated, _) => Some(AlertKind::NewIssue),
            (Kind::IssueUnresolved, Some("escalating")) => Some(AlertKind::Escalating),
            (Kind::IssueUnresolved, Some("regressed")) => Some(AlertKind::Regression),
            (Kind::IssueRegressed, _) => Some(AlertKind::RegressedInRelease),
            (Kind::ReleaseCreated, _) => Some(AlertKind::Release),
            (Kind::DeployCreated, _) => Some(AlertKind::Deploy),
            (Kind::IssueAssigned, _) if assigned_to_mine => Some(AlertKind::AssignedToMe),
            (
                Kind::IssueUnresolved
                | Kind::IssueAssigned
                | Kind::IssueResolved
                | Kind::IssueIgnored
                | Kind::IssueArchived,
                _,
            ) => Some(AlertKind::StateChanged),
            (Kind::EventAlertTriggered | Kind::EventAlert, _) => Some(AlertKind::EventAlert),
            (Kind::MetricAlertCritical | Kind::MetricAlertWarning, _) => Some(AlertKind::MetricAlert),
            (Kind::CommentCreated, _) if mention.is_some() => Some(AlertKind::Mentioned),
            (Kind::CommentCreated, _) => Some(AlertKind::CommentOnMyIssue),
            // error.created fires for every event: stored, never a notification of its own.
            _ => None,
        };
        Facts {
            kind,
            project: self.project.as_deref().unwrap_or("(unknown project)"),
            level: self.level,
            environment: self.environment.as_deref(),
            environment_unknown: None,
            title: &self.title,
            culprit: self.culprit.as_deref(),
            message: self.message.as_deref(),
            tags: &self.tags,
            assigned_to: self.assigned_to.as_deref(),
            by_me: !me.user_id.is_empty() && self.actor_user_id.as_deref() == Some(me.user_id.as_str()),
            mention,
            subscription: Subscription::Unknown,
            critical: self.kind == Kind::MetricAlertCritical,
            mute_for_me: None,
        }
    }

    /// The issue it is of, for its mute for me (`None`: not of an issue, or of no known org).
    pub fn issue_key(&self) -> Option<IssueKey<'_>> {
        let org = self
            .org
            .as_deref()
            .filter(|_| self.kind.has_issue() && !self.issue_id.is_empty())?;
        Some(IssueKey {
            account: self.account.as_deref(),
            org,
            issue_id: &self.issue_id,
        })
    }

    /// The name people know the issue by: its short id, else its number.
    pub fn label(&self) -> &str {
        self.short_id.as_deref().unwrap_or(&self.issue_id)
    }
}

/// The issue's project as the app keys it: its slug, else its name.
fn project_slug(issue: &Issue) -> Option<String> {
    let project = issue.project.as_ref()?;
    project.slug.clone().or_else(|| project.name.clone())
}

/// The issue's project as people know it, where Sentry sent its name.
fn project_name(issue: &Issue) -> Option<String> {
    issue.project.as_ref()?.name.clone().filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assigned(to: &str, last_seen: &str) -> Alert {
        let issue: Issue = serde_json::from_value(serde_json::json!({
            "id": "5", "title": "t", "lastSeen": last_seen, "assignedTo": {"type": "user", "id": to}
        }))
        .unwrap();
        Alert::from_issue_webhook("assigned", &issue, None, Some("acme"), b"{}")
    }

    fn example(name: &str) -> Vec<u8> {
        let path = format!("{}/../../testdata/sentry/{name}", env!("CARGO_MANIFEST_DIR"));
        let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        serde_json::to_vec(&doc["body"]).unwrap()
    }

    #[test]
    fn every_source_carries_the_alerts_message_and_mute_message_mutes_it() {
        use crate::policy::{Deliver, History, Preferences, decide};
        let webhook = Alert::from_json_file(&example("webhook.issue.created.json")).unwrap();
        let event = Alert::from_json_file(&example("webhook.error.created.json")).unwrap();
        let rule = Alert::from_json_file(&example("webhook.event_alert.triggered.json")).unwrap();
        let issue: serde_json::Value = serde_json::from_slice(&example("webhook.issue.created.json")).unwrap();
        let polled = Alert::from_json_file(&serde_json::to_vec(&issue["data"]["issue"]).unwrap()).unwrap();
        for (source, alert, message) in [
            ("issue webhook", &webhook, "blooopy is not defined"),
            ("error webhook", &event, "blooopy is not defined"),
            ("alert rule webhook", &rule, "heck is not defined"),
            ("polled issue", &polled, "blooopy is not defined"),
        ] {
            assert_eq!(alert.message.as_deref(), Some(message), "{source}");
        }
        let mut prefs = Preferences::default();
        prefs.set("mute_message", "*is not defined").unwrap();
        let me = Me::default();
        let decided = decide(
            &webhook.facts(&me),
            &prefs,
            None,
            &me,
            chrono::Utc::now(),
            History::default(),
        );
        assert_eq!(decided.deliver, Deliver::Suppress);
        assert_eq!(
            decided.why().last().unwrap(),
            "muted by rule 1: message matches \"*is not defined\""
        );
    }

    #[test]
    fn an_assignment_is_one_alert_however_it_arrives() {
        // The webhook comes when it happens; polling sees it later, after more events.
        let by_webhook = assigned("7", "2026-11-25T10:00:00Z");
        let by_polling = assigned("7", "2026-11-25T10:30:00Z");
        assert_eq!(by_webhook.dedupe_key, by_polling.dedupe_key);
        assert_ne!(
            by_webhook.dedupe_key,
            assigned("8", "2026-11-25T10:30:00Z").dedupe_key,
            "a new assignee is news"
        );
    }
}
