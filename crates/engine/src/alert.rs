//! The one normalized shape every source hands on: an [`Alert`].

use sentry_api::Issue;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
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
    /// The body as received, kept so later stages (and "why") can read what Sentry said.
    pub payload: String,
}

impl Alert {
    /// An alert from an `issue.*` webhook. `fallback_org` is the configured organization, used
    /// when the payload's URLs do not name one.
    pub fn from_issue_webhook(
        action: &str,
        issue: &Issue,
        request_id: Option<&str>,
        fallback_org: Option<&str>,
        body: &[u8],
    ) -> Alert {
        let kind = format!("issue.{action}");
        let seen = issue.last_seen.as_deref().or(issue.first_seen.as_deref()).unwrap_or("");
        Alert {
            dedupe_key: format!("{kind}:{}:{seen}", issue.id),
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
            payload: String::from_utf8_lossy(body).into_owned(),
        }
    }

    /// The name people know the issue by: its short id, else its number.
    pub fn label(&self) -> &str {
        self.short_id.as_deref().unwrap_or(&self.issue_id)
    }
}
