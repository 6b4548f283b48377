//! The one normalized shape every source hands on: an [`Alert`].

use sentry_api::webhook::{Payload, PayloadError};
use sentry_api::Issue;

use crate::policy::{AlertKind, Facts, Level, Me};

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Alert {
    /// Same key, same alert: a repeated webhook or an overlapping poll is a no-op in the store.
    pub dedupe_key: String,
    /// The webhook delivery's `Request-ID`, when there is one.
    pub request_id: Option<String>,
    /// `webhook` or `poll`.
    pub source: String,
    /// `issue.created`, `issue.resolved`, …
    pub kind: String,
    pub org: Option<String>,
    pub issue_id: String,
    pub short_id: Option<String>,
    pub project: Option<String>,
    pub title: String,
    pub culprit: Option<String>,
    pub level: Option<String>,
    pub web_url: Option<String>,
    pub environment: Option<String>,
    pub substatus: Option<String>,
    /// `user:<id>` or `team:<slug>`, as the policy compares it.
    pub assigned_to: Option<String>,
    /// The Sentry user who caused this (for "changed by someone else"), when a user did.
    pub actor_user_id: Option<String>,
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
        request_id: Option<&str>,
        fallback_org: Option<&str>,
        body: &[u8],
    ) -> Alert {
        let kind = format!("issue.{action}");
        // An issue is created once, whichever way Sentry told us; other changes recur.
        let dedupe_key = if kind == "issue.created" {
            format!("{kind}:{}", issue.id)
        } else {
            let seen = issue.last_seen.as_deref().or(issue.first_seen.as_deref()).unwrap_or("");
            format!("{kind}:{}:{seen}", issue.id)
        };
        Alert {
            dedupe_key,
            request_id: request_id.map(str::to_owned),
            source: "webhook".into(),
            kind,
            org: issue.organization_slug().or_else(|| fallback_org.map(str::to_owned)),
            issue_id: issue.id.clone(),
            short_id: issue.short_id.clone(),
            project: issue.project.as_ref().and_then(|p| p.slug.clone().or_else(|| p.name.clone())),
            title: issue.title.clone(),
            culprit: issue.culprit.clone().filter(|c| !c.is_empty()),
            level: issue.level.clone(),
            web_url: issue.browser_url().map(str::to_owned),
            environment: None,
            substatus: issue.substatus.clone(),
            assigned_to: issue.assignee(),
            actor_user_id,
            payload: String::from_utf8_lossy(body).into_owned(),
        }
    }

    /// An alert from a file: an `issue.*` webhook body, or an issue as the API returns it.
    pub fn from_json_file(body: &[u8]) -> Result<Alert, PayloadError> {
        let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| PayloadError::NotJson(e.to_string()))?;
        if value.get("action").is_some() {
            return match sentry_api::webhook::parse("issue", body)? {
                Payload::Issue { action, issue, actor_user_id } => Ok(Alert::from_issue_webhook(&action, &issue, actor_user_id, None, None, body)),
                Payload::Other { .. } => Err(PayloadError::MissingField("data.issue")),
            };
        }
        let issue: Issue = serde_json::from_value(value)
            .map_err(|e| PayloadError::WrongShape { field: "issue", detail: e.to_string() })?;
        let action = match issue.substatus.as_deref() {
            Some("regressed" | "escalating") => "unresolved",
            _ => "created",
        };
        Ok(Alert::from_issue_webhook(action, &issue, None, None, None, body))
    }

    /// What the policy reads from this alert, seen by `me`.
    pub fn facts<'a>(&'a self, me: &Me) -> Facts<'a> {
        let assigned_to_me = self.assigned_to.as_deref() == Some(&format!("user:{}", me.user_id));
        let kind = match (self.kind.as_str(), self.substatus.as_deref()) {
            ("issue.created", _) => Some(AlertKind::NewIssue),
            ("issue.unresolved", Some("escalating")) => Some(AlertKind::Escalating),
            ("issue.unresolved", Some("regressed")) => Some(AlertKind::Regression),
            ("issue.assigned", _) if assigned_to_me => Some(AlertKind::AssignedToMe),
            ("issue.unresolved" | "issue.assigned" | "issue.resolved" | "issue.ignored" | "issue.archived", _) => {
                Some(AlertKind::StateChanged)
            }
            _ => None,
        };
        Facts {
            kind,
            project: self.project.as_deref().unwrap_or("(unknown project)"),
            level: self.level.as_deref().and_then(Level::parse),
            environment: self.environment.as_deref(),
            title: &self.title,
            culprit: self.culprit.as_deref(),
            message: None,
            tags: &[],
            assigned_to: self.assigned_to.as_deref(),
            by_me: !me.user_id.is_empty() && self.actor_user_id.as_deref() == Some(me.user_id.as_str()),
            critical: false,
        }
    }

    /// The name people know the issue by: its short id, else its number.
    pub fn label(&self) -> &str {
        self.short_id.as_deref().unwrap_or(&self.issue_id)
    }
}
