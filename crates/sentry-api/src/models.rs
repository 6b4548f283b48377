//! The parts of Sentry's JSON the app reads. Sentry and Sentry-compatible servers disagree on
//! small things (ids as strings or numbers, missing fields), so every field is read tolerantly.

use serde::{Deserialize, Deserializer, Serialize};

/// An issue ("group") as the API and the `issue` webhooks serialize it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Issue {
    #[serde(deserialize_with = "string_or_number")]
    pub id: String,
    #[serde(default)]
    pub short_id: Option<String>,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub culprit: Option<String>,
    #[serde(default)]
    pub level: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub substatus: Option<String>,
    #[serde(default)]
    pub first_seen: Option<String>,
    #[serde(default)]
    pub last_seen: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub count: Option<String>,
    /// How many users saw it (a number on sentry.io, a string on some servers).
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub user_count: Option<String>,
    #[serde(default)]
    pub project: Option<ProjectRef>,
    /// `{type: "user"|"team", id, name, email?}`, `Some(null)` when unassigned, `None` when the
    /// server did not say (GlitchTip, an update's partial answer).
    #[serde(default, deserialize_with = "present")]
    pub assigned_to: Option<serde_json::Value>,
    #[serde(default)]
    pub permalink: Option<String>,
    /// Present in webhook payloads: the API URL of the issue.
    #[serde(default)]
    pub url: Option<String>,
    /// Present in webhook payloads: the issue's page in Sentry's web UI.
    #[serde(default, rename = "web_url")]
    pub web_url: Option<String>,
    /// `{type, value, filename, …}` for errors, `{title}` for messages.
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
    /// Whether the user asking gets the issue's workflow notifications; `None` when the server
    /// did not say. A webhook's copy speaks for the integration, not for a person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_subscribed: Option<bool>,
    /// `{reason: "commented" | "assigned" | …}`, `{disabled: true}`, or null.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_details: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectRef {
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub slug: Option<String>,
}

impl Issue {
    /// The organization slug, read from the issue's URLs (`…/organizations/{org}/issues/…`).
    pub fn organization_slug(&self) -> Option<String> {
        [&self.url, &self.web_url, &self.permalink]
            .into_iter()
            .flatten()
            .find_map(|url| org_from_url(url))
    }

    /// The issue's message: the exception's value, else the logged message.
    pub fn message(&self) -> Option<String> {
        let metadata = self.metadata.as_ref()?;
        ["value", "message", "title"]
            .into_iter()
            .find_map(|field| metadata.get(field).and_then(text))
            .filter(|m| !m.is_empty())
    }

    /// The assignee as `user:<id>` or `team:<slug>`.
    pub fn assignee(&self) -> Option<String> {
        let a = self.assigned_to.as_ref()?;
        let id = match &a["id"] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => return None,
        };
        match a["type"].as_str()? {
            "user" => Some(format!("user:{id}")),
            "team" => Some(format!(
                "team:{}",
                a["name"].as_str().or(a["slug"].as_str()).unwrap_or(&id)
            )),
            _ => None,
        }
    }

    /// The assignee as people read it: the user's name or e-mail, the team's name.
    pub fn assignee_name(&self) -> Option<String> {
        let a = self.assigned_to.as_ref()?;
        ["name", "email", "username", "slug"]
            .iter()
            .find_map(|f| a[f].as_str().filter(|v| !v.is_empty()))
            .map(str::to_owned)
    }

    /// Why the user is subscribed, as Sentry words it (`commented`, `assigned`, `bookmarked`,
    /// `changed_status`, `mentioned`; `unknown` or absent when it does not say).
    pub fn subscription_reason(&self) -> Option<&str> {
        self.subscription_details.as_ref()?.get("reason")?.as_str()
    }

    /// The best link for a person to open in a browser.
    pub fn browser_url(&self) -> Option<&str> {
        self.web_url.as_deref().or(self.permalink.as_deref())
    }
}

/// One entry of an organization's activity feed (`GET /api/0/organizations/{org}/activity/`):
/// what someone did to an issue, newest first. `kind` is Sentry's `type` (`note`, `assigned`,
/// `set_resolved`, …); the issue is serialized for the user asking, so its `isSubscribed` is
/// theirs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    #[serde(deserialize_with = "string_or_number")]
    pub id: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    /// `{id, name, email, …}`, or null for Sentry's own changes.
    #[serde(default)]
    pub user: Option<serde_json::Value>,
    /// A note's `{text}`; an assignment's `{assignee, assigneeType, …}`.
    #[serde(default)]
    pub data: serde_json::Value,
    #[serde(default)]
    pub date_created: Option<String>,
    #[serde(default)]
    pub issue: Option<Issue>,
}

impl Activity {
    /// Who did it: their user id, where a person did.
    pub fn user_id(&self) -> Option<String> {
        self.user.as_ref().and_then(|u| text(&u["id"]))
    }

    /// Who did it, as people read it.
    pub fn user_name(&self) -> Option<String> {
        let user = self.user.as_ref()?;
        ["name", "username", "email"]
            .iter()
            .find_map(|f| user[f].as_str().filter(|v| !v.is_empty()))
            .map(str::to_owned)
    }

    /// A note's text.
    pub fn text(&self) -> Option<&str> {
        self.data.get("text")?.as_str()
    }
}

/// A release as `GET /api/0/organizations/{org}/releases/` lists it (GlitchTip's has no
/// `lastDeploy`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Release {
    pub version: String,
    #[serde(default)]
    pub short_version: Option<String>,
    #[serde(default)]
    pub date_created: Option<String>,
    #[serde(default)]
    pub projects: Vec<ReleaseProject>,
    #[serde(default)]
    pub last_deploy: Option<Deploy>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReleaseProject {
    pub slug: String,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deploy {
    #[serde(deserialize_with = "string_or_number")]
    pub id: String,
    #[serde(default)]
    pub environment: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub date_finished: Option<String>,
}

/// A service hook as Sentry answers its creation: its secret signs each delivery
/// (`X-ServiceHook-Signature`).
#[derive(Clone, PartialEq, Deserialize)]
pub struct ServiceHook {
    #[serde(deserialize_with = "string_or_number")]
    pub id: String,
    pub secret: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

impl std::fmt::Debug for ServiceHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceHook")
            .field("id", &self.id)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// Where the release `version` of `org` is shown on the server at `web`.
pub fn release_url(web: &str, org: &str, version: &str) -> String {
    use crate::client::seg;
    format!(
        "{}/organizations/{}/releases/{}/",
        web.trim_end_matches('/'),
        seg(org),
        seg(version)
    )
}

impl Release {
    /// The version as people read it (Sentry's `shortVersion`: `1.4.2` of `app@1.4.2+build`).
    pub fn label(&self) -> &str {
        self.short_version
            .as_deref()
            .filter(|v| !v.is_empty())
            .unwrap_or(&self.version)
    }
}

/// The organization slug in a Sentry URL (`…/organizations/{org}/…`).
pub fn org_from_url(url: &str) -> Option<String> {
    let mut parts = url.split('/');
    parts.find(|p| *p == "organizations")?;
    parts.next().filter(|s| !s.is_empty()).map(str::to_owned)
}

/// A JSON string or number as text: Sentry sends ids either way.
pub(crate) fn text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum StringOrNumber {
    S(String),
    N(serde_json::Number),
}

impl From<StringOrNumber> for String {
    fn from(v: StringOrNumber) -> Self {
        match v {
            StringOrNumber::S(s) => s,
            StringOrNumber::N(n) => n.to_string(),
        }
    }
}

fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    StringOrNumber::deserialize(d).map(String::from)
}

/// A field that is there, even as `null` (absent fields take the default, `None`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(d).map(Some)
}

fn opt_string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::<StringOrNumber>::deserialize(d).map(|v| v.map(String::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unassigned_issue_is_told_apart_from_one_whose_assignee_is_not_said() {
        let unassigned: Issue = serde_json::from_str(r#"{"id": "1", "assignedTo": null}"#).unwrap();
        assert_eq!(unassigned.assigned_to, Some(serde_json::Value::Null));
        assert_eq!(unassigned.assignee(), None);
        let unsaid: Issue = serde_json::from_str(r#"{"id": "1"}"#).unwrap();
        assert_eq!(unsaid.assigned_to, None);
        let team: Issue = serde_json::from_str(
            r#"{"id": "1", "assignedTo": {"type": "team", "id": "4", "name": "backend"}, "userCount": 3}"#,
        )
        .unwrap();
        assert_eq!(team.assignee_name().as_deref(), Some("backend"));
        assert_eq!(team.user_count.as_deref(), Some("3"));
    }

    #[test]
    fn ids_and_counts_may_be_numbers_or_strings() {
        let issue: Issue =
            serde_json::from_str(r#"{"id": 42, "title": "t", "count": 7, "project": {"id": 3}}"#).unwrap();
        assert_eq!(issue.id, "42");
        assert_eq!(issue.count.as_deref(), Some("7"));
        assert_eq!(issue.project.unwrap().id.as_deref(), Some("3"));
    }

    #[test]
    fn organization_is_read_from_the_issue_urls() {
        let issue: Issue = serde_json::from_str(
            r#"{"id":"1","title":"t","web_url":"https://acme.sentry.io/organizations/acme/issues/1/"}"#,
        )
        .unwrap();
        assert_eq!(issue.organization_slug().as_deref(), Some("acme"));
        let bare: Issue = serde_json::from_str(r#"{"id":"1","title":"t"}"#).unwrap();
        assert_eq!(bare.organization_slug(), None);
    }
}
