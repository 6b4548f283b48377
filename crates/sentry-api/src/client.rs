//! Sentry's REST API, the calls the app makes with the user's token.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::models::{Activity, Issue, Release, ServiceHook, text};
use crate::server::{IssueSort, ServerProfile};

/// How a call to Sentry failed. Messages never contain the token.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("`{0}` is not a usable Sentry URL (expected e.g. https://sentry.io)")]
    InvalidUrl(String),
    #[error("could not reach Sentry at {url}: {detail}")]
    Unreachable { url: String, detail: String },
    #[error("Sentry rejected the token (401): create a new auth token and add the account again")]
    Unauthorized,
    #[error("the token may not do this (403): {0}")]
    Forbidden(String),
    /// Sentry's `error_type: unavailable_feature` (403): the organization or project lacks a
    /// feature flag (service hooks, on sentry.io).
    #[error("this Sentry does not offer that here (403, a feature not enabled): {0}")]
    FeatureUnavailable(String),
    #[error("Sentry does not know this (404): {0}")]
    NotFound(String),
    #[error("Sentry asks us to slow down (429){}", retry_after.map(|d| format!("; retry in {} s", d.as_secs())).unwrap_or_default())]
    RateLimited { retry_after: Option<Duration> },
    #[error("Sentry had an error ({status}): {detail}")]
    Server { status: u16, detail: String },
    /// A web page where a JSON answer was due: the server's own error page, or a login page
    /// (a proxy or single sign-on in front of the server).
    #[error("{}", if *login { format!("the server answered {status} with a login page (a proxy or single sign-on in front of it?)") } else { format!("the server answered {status} with its error page instead of JSON") })]
    ErrorPage { status: u16, login: bool },
    #[error("Sentry refused the request ({status}): {detail}")]
    Rejected { status: u16, detail: String },
    #[error("Sentry's answer could not be read: {0}")]
    Decode(String),
    #[error("the TLS connection to {url} failed: {detail}")]
    Tls { url: String, detail: String },
    #[error("this token belongs to no user (an integration token?): a personal auth token is needed")]
    NoUser,
}

/// Who a token belongs to, and what it may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WhoAmI {
    pub id: String,
    pub username: String,
    pub email: String,
    pub name: String,
    /// `None` when the server does not say (some Sentry-compatible servers).
    pub scopes: Option<Vec<String>>,
}

impl ApiError {
    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ApiError::Unreachable { .. } | ApiError::RateLimited { .. } | ApiError::Server { .. }
        ) || matches!(self, ApiError::ErrorPage { status: 500..=599, .. })
    }
}

/// A change to an issue, as `PUT …/issues/{id}/` takes it: only the fields set are sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub substatus: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_details: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
}

impl IssueUpdate {
    pub fn resolve() -> Self {
        IssueUpdate {
            status: Some("resolved".into()),
            ..Default::default()
        }
    }

    /// Sentry's default "Archive": until the issue escalates.
    pub fn ignore_until_escalating() -> Self {
        IssueUpdate {
            status: Some("ignored".into()),
            substatus: Some("archived_until_escalating".into()),
            status_details: Some(Value::Object(Default::default())),
            ..Default::default()
        }
    }

    /// Archived for `minutes`, then back.
    pub fn ignore_for(minutes: u32) -> Self {
        IssueUpdate {
            status: Some("ignored".into()),
            status_details: Some(serde_json::json!({"ignoreDuration": minutes})),
            ..Default::default()
        }
    }

    pub fn ignore_forever() -> Self {
        IssueUpdate {
            status: Some("ignored".into()),
            substatus: Some("archived_forever".into()),
            ..Default::default()
        }
    }

    /// Open again (after a resolve or an ignore).
    pub fn unresolve() -> Self {
        IssueUpdate {
            status: Some("unresolved".into()),
            ..Default::default()
        }
    }

    /// Assigned to nobody: Sentry takes an empty assignee for that.
    pub fn unassign() -> Self {
        IssueUpdate {
            assigned_to: Some(String::new()),
            ..Default::default()
        }
    }

    pub fn assign(to: &str) -> Self {
        IssueUpdate {
            assigned_to: Some(to.to_owned()),
            ..Default::default()
        }
    }
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
    /// When Sentry said the rate-limit window is spent (`X-Sentry-Rate-Limit-Remaining: 0`),
    /// the moment it resets.
    spent_until: std::sync::Arc<std::sync::Mutex<Option<std::time::SystemTime>>>,
    /// What the server offers (learned by `discover`): which paths and parameters to use.
    profile: ServerProfile,
}

/// One page of the issue list.
#[derive(Debug, Clone, Default)]
pub struct IssuePage {
    pub issues: Vec<Issue>,
    /// The next page's cursor, when there are more.
    pub next: Option<String>,
    /// Whether the server pages with cursors at all.
    pub cursors: bool,
}

/// What a response's `Link` header says about paging.
#[derive(Debug, Clone, Default)]
pub(crate) struct Paging {
    next: Option<String>,
    cursors: bool,
}

/// One HTTP client per timeout for the whole process, whatever the account: its connections
/// are kept between polls and alerts, and the TLS setup (the system's certificates) is made
/// once, not for every `Client` made per poll cycle or per alert.
fn shared_http(timeout: Duration) -> Result<reqwest::Client, reqwest::Error> {
    static SHARED: std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<Duration, reqwest::Client>>> =
        std::sync::OnceLock::new();
    let mut shared = SHARED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some(http) = shared.get(&timeout) {
        return Ok(http.clone());
    }
    // reqwest is built without a bundled crypto provider (it would pull in aws-lc).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .user_agent(concat!("sentry-tray/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10).min(timeout))
        .timeout(timeout)
        .build()?;
    shared.insert(timeout, http.clone());
    Ok(http)
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .field("token", &"<redacted>")
            .finish()
    }
}

impl Client {
    pub fn new(base_url: &str, token: &str) -> Result<Self, ApiError> {
        Client::with_timeout(base_url, token, Duration::from_secs(30))
    }

    /// A client whose requests give up after `timeout` (a slow server counts as unreachable).
    pub fn with_timeout(base_url: &str, token: &str, timeout: Duration) -> Result<Self, ApiError> {
        let base = base_url.trim().trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) || base.len() < 10 {
            return Err(ApiError::InvalidUrl(base_url.to_owned()));
        }
        let http = shared_http(timeout).map_err(|e| ApiError::InvalidUrl(format!("{base_url} ({e})")))?;
        Ok(Client {
            http,
            base,
            token: token.to_owned(),
            spent_until: Default::default(),
            profile: ServerProfile::default(),
        })
    }

    /// The same client, using what the server is known to offer.
    pub fn with_profile(mut self, profile: ServerProfile) -> Self {
        self.profile = profile;
        self
    }

    pub fn profile(&self) -> &ServerProfile {
        &self.profile
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// How long to wait before the next request because the rate-limit window is spent.
    pub fn rate_limit_wait(&self) -> Option<Duration> {
        let until = (*self.spent_until.lock().unwrap_or_else(|p| p.into_inner()))?;
        until.duration_since(std::time::SystemTime::now()).ok()
    }

    /// Notes `X-Sentry-Rate-Limit-Remaining` and `-Reset` from any answer.
    fn note_rate_limit(&self, headers: &reqwest::header::HeaderMap) {
        *self.spent_until.lock().unwrap_or_else(|p| p.into_inner()) = spent_until(headers);
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<(Value, Paging), ApiError> {
        let response = request
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        self.note_rate_limit(response.headers());
        let links: Vec<&str> = response
            .headers()
            .get_all("link")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let paging = Paging {
            next: links.iter().find_map(|link| crate::pagination::next_cursor(link)),
            cursors: links.iter().any(|link| crate::pagination::has_cursors(link)),
        };
        Ok((read_json(response).await?, paging))
    }

    /// `GET /api/0/organizations/`: the organizations the token can see (slug, name).
    pub async fn organizations(&self) -> Result<Vec<(String, String)>, ApiError> {
        let (value, _) = self.get("/api/0/organizations/").await?;
        let items = value
            .as_array()
            .ok_or_else(|| ApiError::Decode("expected a list of organizations".into()))?;
        Ok(items
            .iter()
            .filter_map(|o| Some((text(&o["slug"])?, text(&o["name"]).unwrap_or_default())))
            .collect())
    }

    /// `PUT /api/0/organizations/{org}/issues/{id}/` (the older `/api/0/issues/{id}/` where a
    /// server lacks the former): returns the issue as Sentry now has it.
    pub async fn update_issue(&self, org: &str, issue_id: &str, update: &IssueUpdate) -> Result<Value, ApiError> {
        let legacy = format!("{}/api/0/issues/{}/", self.base, seg(issue_id));
        if !self.profile.organization_issue_paths {
            return Ok(self.send(self.http.put(&legacy).json(update)).await?.0);
        }
        let scoped = format!(
            "{}/api/0/organizations/{}/issues/{}/",
            self.base,
            seg(org),
            seg(issue_id)
        );
        match self.send(self.http.put(&scoped).json(update)).await {
            Err(ApiError::NotFound(_)) => Ok(self.send(self.http.put(&legacy).json(update)).await?.0),
            other => Ok(other?.0),
        }
    }

    /// `GET /api/0/organizations/{org}/issues/{id}/` (or the older `/api/0/issues/{id}/`).
    pub async fn issue(&self, org: &str, issue_id: &str) -> Result<Issue, ApiError> {
        let legacy = format!("/api/0/issues/{}/", seg(issue_id));
        let value = if self.profile.organization_issue_paths {
            match self
                .get(&format!("/api/0/organizations/{}/issues/{}/", seg(org), seg(issue_id)))
                .await
            {
                Err(ApiError::NotFound(_)) => self.get(&legacy).await?.0,
                other => other?.0,
            }
        } else {
            self.get(&legacy).await?.0
        };
        serde_json::from_value(value).map_err(|e| ApiError::Decode(e.to_string()))
    }

    /// The user the token belongs to and the token's scopes (`GET /api/0/`).
    pub async fn whoami(&self) -> Result<WhoAmI, ApiError> {
        let (value, _) = self.get("/api/0/").await?;
        let user = &value["user"];
        // GlitchTip answers an invalid token with neither user nor auth, where Sentry says 401.
        if user.is_null() && value["auth"].is_null() {
            return Err(ApiError::Unauthorized);
        }
        let scopes = value["auth"]["scopes"]
            .as_array()
            .map(|s| s.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect());
        if !user.is_object() {
            return Err(ApiError::NoUser);
        }
        Ok(WhoAmI {
            id: text(&user["id"]).ok_or_else(|| ApiError::Decode("the user has no id".into()))?,
            username: text(&user["username"]).unwrap_or_default(),
            email: text(&user["email"]).unwrap_or_default(),
            name: text(&user["name"]).unwrap_or_default(),
            scopes,
        })
    }

    /// `GET /api/0/organizations/{org}/`: the organization's name, or why it cannot be read.
    pub async fn organization_name(&self, org: &str) -> Result<String, ApiError> {
        let (value, _) = self.get(&format!("/api/0/organizations/{}/", seg(org))).await?;
        Ok(text(&value["name"]).unwrap_or_else(|| org.to_owned()))
    }

    /// `GET /api/0/organizations/{org}/user-teams/`: the slugs of the teams the user is on.
    pub async fn my_teams(&self, org: &str) -> Result<Vec<String>, ApiError> {
        let (value, _) = self
            .get(&format!("/api/0/organizations/{}/user-teams/", seg(org)))
            .await?;
        let teams = value
            .as_array()
            .ok_or_else(|| ApiError::Decode("expected a list of teams".into()))?;
        Ok(teams
            .iter()
            .filter(|t| t["isMember"].as_bool().unwrap_or(true))
            .filter_map(|t| text(&t["slug"]))
            .collect())
    }

    /// `GET /api/0/organizations/{org}/members/`, every page: the people an issue can be assigned
    /// to, as `(user:<id>, name)` (pending invitations, which have no user yet, are left out).
    pub async fn members(&self, org: &str) -> Result<Vec<(String, String)>, ApiError> {
        self.every_page(&format!("/api/0/organizations/{}/members/", seg(org)), "members", |m| {
            let id = text(&m["user"]["id"])?;
            let name = text(&m["name"])
                .filter(|n| !n.is_empty())
                .or_else(|| text(&m["email"]))
                .unwrap_or_else(|| id.clone());
            Some((format!("user:{id}"), name))
        })
        .await
    }

    /// `GET /api/0/organizations/{org}/projects/`, every page: the projects' slugs and names.
    pub async fn projects(&self, org: &str) -> Result<Vec<(String, String)>, ApiError> {
        let projects = self.project_ids(org).await?;
        Ok(projects.into_iter().map(|(_, slug, name)| (slug, name)).collect())
    }

    /// The same list with each project's id: `(id, slug, name)`.
    pub async fn project_ids(&self, org: &str) -> Result<Vec<(String, String, String)>, ApiError> {
        self.every_page(
            &format!("/api/0/organizations/{}/projects/", seg(org)),
            "projects",
            |p| {
                let slug = text(&p["slug"])?;
                Some((
                    text(&p["id"]).unwrap_or_default(),
                    slug,
                    text(&p["name"]).unwrap_or_default(),
                ))
            },
        )
        .await
    }

    /// `GET /api/0/organizations/{org}/`: the organization's id.
    pub async fn organization_id(&self, org: &str) -> Result<String, ApiError> {
        let (value, _) = self.get(&format!("/api/0/organizations/{}/", seg(org))).await?;
        text(&value["id"]).ok_or_else(|| ApiError::Decode("the organization has no id".into()))
    }

    /// My notification settings of `kind` (`workflow`, `deploy`, …) in Sentry:
    /// `GET /api/0/users/me/notification-options/?type=KIND` (private, not in the published
    /// spec), as `(scopeType, scopeIdentifier, value)` rows. Older releases name the type
    /// `notificationType`; rows of another type are left out.
    pub async fn notification_options(&self, kind: &str) -> Result<Vec<(String, String, String)>, ApiError> {
        let (value, _) = self
            .get(&format!("/api/0/users/me/notification-options/?type={}", seg(kind)))
            .await?;
        let rows = value
            .as_array()
            .ok_or_else(|| ApiError::Decode("expected a list of notification settings".into()))?;
        Ok(rows
            .iter()
            .filter(|row| text(&row["type"]).or_else(|| text(&row["notificationType"])).as_deref() == Some(kind))
            .filter_map(|row| {
                Some((
                    text(&row["scopeType"])?,
                    text(&row["scopeIdentifier"])?,
                    text(&row["value"])?,
                ))
            })
            .collect())
    }

    /// The project's environments, by name (hidden ones left out; Sentry answers only the
    /// visible ones by default and GlitchTip marks them the same way).
    pub async fn environments(&self, org: &str, project: &str) -> Result<Vec<String>, ApiError> {
        self.every_page(
            &format!("/api/0/projects/{}/{}/environments/", seg(org), seg(project)),
            "environments",
            |e| {
                let hidden = e["isHidden"].as_bool().unwrap_or(false);
                text(&e["name"]).filter(|_| !hidden)
            },
        )
        .await
    }

    /// Every page of a list (at most 50), each item read by `read` (unreadable ones skipped).
    async fn every_page<T>(
        &self,
        path: &str,
        what: &str,
        read: impl Fn(&Value) -> Option<T>,
    ) -> Result<Vec<T>, ApiError> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..50 {
            let page = match &cursor {
                Some(c) => format!("{path}?cursor={}", seg(c)),
                None => path.to_owned(),
            };
            let (value, Paging { next, .. }) = self.get(&page).await?;
            let list = value
                .as_array()
                .ok_or_else(|| ApiError::Decode(format!("expected a list of {what}")))?;
            items.extend(list.iter().filter_map(&read));
            match next {
                Some(next) if !list.is_empty() => cursor = Some(next),
                _ => break,
            }
        }
        Ok(items)
    }

    /// One page of `GET /api/0/organizations/{org}/issues/` (every project the token sees),
    /// newest first by last seen: the issues and the next page's cursor.
    pub async fn organization_issues(
        &self,
        org: &str,
        query: &str,
        cursor: Option<&str>,
    ) -> Result<(Vec<Issue>, Option<String>), ApiError> {
        let page = self
            .issues_from(org, self.profile.issue_sort, query, 100, cursor)
            .await?;
        Ok((page.issues, page.next))
    }

    /// One page of at most `limit` issues, sorted as the server names "last seen" (`sort`).
    pub(crate) async fn issue_page(
        &self,
        org: &str,
        sort: IssueSort,
        query: &str,
        limit: usize,
    ) -> Result<IssuePage, ApiError> {
        self.issues_from(org, sort, query, limit, None).await
    }

    async fn issues_from(
        &self,
        org: &str,
        sort: IssueSort,
        query: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<IssuePage, ApiError> {
        let mut path = format!(
            "/api/0/organizations/{}/issues/?limit={limit}&sort={}&query={}",
            seg(org),
            sort.param(),
            seg(query)
        );
        if let Some(cursor) = cursor {
            path.push_str(&format!("&cursor={}", seg(cursor)));
        }
        let (value, paging) = self.get(&path).await?;
        let items = value
            .as_array()
            .ok_or_else(|| ApiError::Decode("expected a list of issues".into()))?;
        // One odd issue must not hide the others.
        let issues = items.iter().filter_map(|item| Issue::deserialize(item).ok()).collect();
        Ok(IssuePage {
            issues,
            next: paging.next,
            cursors: paging.cursors,
        })
    }

    /// The newest page of `GET /api/0/organizations/{org}/activity/` (not in Sentry's published
    /// spec; its `OrganizationActivityEndpoint`): what people did to the organization's issues
    /// in the projects of my teams, newest first. One odd entry does not hide the others.
    pub async fn organization_activity(&self, org: &str) -> Result<Vec<Activity>, ApiError> {
        let (value, _) = self
            .get(&format!("/api/0/organizations/{}/activity/?per_page=100", seg(org)))
            .await?;
        let items = value
            .as_array()
            .ok_or_else(|| ApiError::Decode("expected a list of activities".into()))?;
        Ok(items
            .iter()
            .filter_map(|item| Activity::deserialize(item).ok())
            .collect())
    }

    /// The newest `per_page` releases of the organization, each with its projects and latest
    /// deploy, newest first. One odd entry does not hide the others.
    pub async fn organization_releases(&self, org: &str, per_page: usize) -> Result<Vec<Release>, ApiError> {
        let (value, _) = self
            .get(&format!(
                "/api/0/organizations/{}/releases/?per_page={per_page}",
                seg(org)
            ))
            .await?;
        let items = value
            .as_array()
            .ok_or_else(|| ApiError::Decode("expected a list of releases".into()))?;
        Ok(items
            .iter()
            .filter_map(|item| Release::deserialize(item).ok())
            .collect())
    }

    /// `POST /api/0/projects/{org}/{project}/hooks/`: a service hook posting the project's
    /// alerts (`event.alert`: an alert rule fired) to `url`, answered with its id and secret.
    /// Needs `project:write` and, on sentry.io, the `projects:servicehooks` feature.
    pub async fn create_service_hook(&self, org: &str, project: &str, url: &str) -> Result<ServiceHook, ApiError> {
        let path = format!("{}/api/0/projects/{}/{}/hooks/", self.base, seg(org), seg(project));
        let body = serde_json::json!({"url": url, "events": ["event.alert"]});
        let (value, _) = self.send(self.http.post(&path).json(&body)).await?;
        serde_json::from_value(value).map_err(|e| ApiError::Decode(e.to_string()))
    }

    /// `DELETE /api/0/projects/{org}/{project}/hooks/{hook_id}/`.
    pub async fn delete_service_hook(&self, org: &str, project: &str, hook_id: &str) -> Result<(), ApiError> {
        let path = format!(
            "{}/api/0/projects/{}/{}/hooks/{}/",
            self.base,
            seg(org),
            seg(project),
            seg(hook_id)
        );
        self.send(self.http.delete(&path)).await.map(drop)
    }

    /// `GET /api/0/projects/{org}/{project}/hooks/{hook_id}/`: whether Sentry still has the hook
    /// (a deleted project's hooks go with it).
    pub async fn service_hook_exists(&self, org: &str, project: &str, hook_id: &str) -> Result<bool, ApiError> {
        let path = format!("/api/0/projects/{}/{}/hooks/{}/", seg(org), seg(project), seg(hook_id));
        match self.get(&path).await {
            Ok(_) => Ok(true),
            Err(ApiError::NotFound(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// `GET /api/0/projects/{org}/{project}/ownership/`: the ownership rules' text.
    pub async fn project_ownership(&self, org: &str, project: &str) -> Result<String, ApiError> {
        let (value, _) = self
            .get(&format!("/api/0/projects/{}/{}/ownership/", seg(org), seg(project)))
            .await?;
        Ok(text(&value["raw"]).unwrap_or_default())
    }

    /// The issue's latest event: the organization-scoped path, else the older `/api/0/issues/`
    /// path that servers without the former still have.
    pub async fn latest_event(&self, org: &str, issue_id: &str) -> Result<Value, ApiError> {
        let legacy = format!("/api/0/issues/{}/events/latest/", seg(issue_id));
        if !self.profile.organization_issue_paths {
            return Ok(self.get(&legacy).await?.0);
        }
        let scoped = format!(
            "/api/0/organizations/{}/issues/{}/events/latest/",
            seg(org),
            seg(issue_id)
        );
        match self.get(&scoped).await {
            Ok((value, _)) => Ok(value),
            Err(ApiError::NotFound(_)) => Ok(self
                .get(&format!("/api/0/issues/{}/events/latest/", seg(issue_id)))
                .await?
                .0),
            Err(e) => Err(e),
        }
    }

    pub(crate) async fn get(&self, path: &str) -> Result<(Value, Paging), ApiError> {
        self.send(self.http.get(format!("{}{path}", self.base))).await
    }

    fn unreachable(&self, e: reqwest::Error) -> ApiError {
        // reqwest's Display names the URL, never headers, so the token cannot leak through it.
        let mut chain = Vec::new();
        let mut tls = false;
        let mut source: Option<&dyn std::error::Error> = Some(&e);
        while let Some(err) = source {
            chain.push(err.to_string());
            tls |= is_tls(err);
            source = err.source();
        }
        let detail = chain.last().cloned().unwrap_or_default();
        let all = chain.join(": ").to_lowercase();
        if tls || ["certificate", "tls", "handshake"].iter().any(|w| all.contains(w)) {
            return ApiError::Tls {
                url: self.base.clone(),
                detail,
            };
        }
        ApiError::Unreachable {
            url: self.base.clone(),
            detail,
        }
    }
}

/// Whether `err` is rustls' own, or I/O errors wrapping it (the connector nests them, and an
/// I/O error's `source` skips its inner error).
fn is_tls(err: &(dyn std::error::Error + 'static)) -> bool {
    if err.downcast_ref::<rustls::Error>().is_some() {
        return true;
    }
    err.downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
        .is_some_and(|inner| is_tls(inner))
}

/// Percent-encodes one path segment, so an odd slug cannot change the path.
pub(crate) fn seg(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn read_json(response: reqwest::Response) -> Result<Value, ApiError> {
    let status = response.status().as_u16();
    let retry_after = retry_after(response.headers());
    let body = response.bytes().await.map_err(|e| ApiError::Decode(e.to_string()))?;
    if (200..300).contains(&status) {
        if body.is_empty() {
            return Ok(Value::Null);
        }
        return serde_json::from_slice(&body).map_err(|e| ApiError::Decode(e.to_string()));
    }
    let detail = detail(&body);
    let page = web_page(&body);
    Err(match (status, page) {
        (401, _) => ApiError::Unauthorized,
        (403, None) if unavailable_feature(&body) => ApiError::FeatureUnavailable(detail),
        (403, None) => ApiError::Forbidden(detail),
        (404, _) => ApiError::NotFound(detail),
        (429, _) => ApiError::RateLimited { retry_after },
        (_, Some(login)) => ApiError::ErrorPage { status, login },
        (500..=599, None) => ApiError::Server { status, detail },
        (_, None) => ApiError::Rejected { status, detail },
    })
}

/// Whether a refusal's body is Sentry's `{"error_type": "unavailable_feature", …}`.
fn unavailable_feature(body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(body).is_ok_and(|v| v["error_type"] == "unavailable_feature")
}

/// When the rate-limit window Sentry says is spent (`X-Sentry-Rate-Limit-Remaining: 0`) resets,
/// from `X-Sentry-Rate-Limit-Reset` (epoch seconds). Any header value is read without a panic:
/// a reset too far away, negative or not a number is no reset time.
pub fn spent_until(headers: &reqwest::header::HeaderMap) -> Option<std::time::SystemTime> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let spent = text("x-sentry-rate-limit-remaining")
        .and_then(|r| r.parse::<i64>().ok())
        .is_some_and(|r| r <= 0);
    let reset = text("x-sentry-rate-limit-reset").and_then(|r| r.parse::<f64>().ok())?;
    if !spent {
        return None;
    }
    Duration::try_from_secs_f64(reset)
        .ok()
        .and_then(|reset| std::time::UNIX_EPOCH.checked_add(reset))
}

/// How long to wait before trying again: `Retry-After` from a proxy, else Sentry's own
/// `X-Sentry-Rate-Limit-Reset` (epoch seconds). Any header value is read without a panic.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(secs) = text("retry-after").and_then(|v| v.parse::<u64>().ok()) {
        return Some(Duration::from_secs(secs));
    }
    let reset = text("x-sentry-rate-limit-reset").and_then(|v| v.parse::<f64>().ok())?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs_f64();
    Duration::try_from_secs_f64((reset - now).max(0.0)).ok()
}

/// Whether `body` is a web page rather than JSON: `Some(true)` for a login page.
fn web_page(body: &[u8]) -> Option<bool> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim_start();
    if !text.starts_with('<') {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    Some(
        lower.contains("type=\"password\"")
            || lower.contains("type='password'")
            || lower.contains("<title>log in")
            || lower.contains("<title>sign in"),
    )
}

/// Sentry's `{"detail": …}`, a bare JSON string (429), or the start of whatever a proxy sent.
fn detail(body: &[u8]) -> String {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => match map.get("detail") {
            Some(Value::String(s)) => s.clone(),
            _ => Value::Object(map).to_string(),
        },
        Ok(Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            if text.starts_with('<') {
                "a web page instead of JSON".to_owned()
            } else {
                text.chars().take(200).collect()
            }
        }
    }
    .chars()
    .take(300)
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_send_only_what_changes() {
        assert_eq!(
            serde_json::to_string(&IssueUpdate::resolve()).unwrap(),
            r#"{"status":"resolved"}"#
        );
        assert_eq!(
            serde_json::to_string(&IssueUpdate::ignore_until_escalating()).unwrap(),
            r#"{"status":"ignored","substatus":"archived_until_escalating","statusDetails":{}}"#
        );
        assert_eq!(
            serde_json::to_string(&IssueUpdate::assign("user:1")).unwrap(),
            r#"{"assignedTo":"user:1"}"#
        );
    }

    #[test]
    fn error_details_are_read_from_every_shape_sentry_and_proxies_send() {
        assert_eq!(detail(br#"{"detail":"Invalid token"}"#), "Invalid token");
        assert_eq!(
            detail(br#""You are attempting to use this endpoint too frequently""#),
            "You are attempting to use this endpoint too frequently"
        );
        assert_eq!(
            detail(b"<html><body>502 Bad Gateway</body></html>"),
            "a web page instead of JSON"
        );
        assert!(detail(&[0xff, 0x00]).len() <= 300);
    }

    #[test]
    fn a_web_page_is_the_servers_error_page_unless_it_asks_to_log_in() {
        let error = web_page(b"<!doctype html><html><title>Server Error (500)</title></html>");
        assert_eq!(error, Some(false));
        let login = web_page(b"<html><title>Log in</title><form><input type=\"password\"></form></html>");
        assert_eq!(login, Some(true));
        assert_eq!(web_page(br#"{"detail": "nope"}"#), None);
        assert_eq!(
            ApiError::ErrorPage {
                status: 500,
                login: false
            }
            .to_string(),
            "the server answered 500 with its error page instead of JSON"
        );
        assert!(
            ApiError::ErrorPage {
                status: 502,
                login: false
            }
            .is_transient()
        );
        assert!(
            !ApiError::ErrorPage {
                status: 400,
                login: true
            }
            .is_transient()
        );
    }

    #[test]
    fn bad_urls_are_refused_and_the_token_is_never_shown() {
        assert!(matches!(Client::new("sentry.io", "t"), Err(ApiError::InvalidUrl(_))));
        let c = Client::new("https://sentry.io/", "sntrys_secret").unwrap();
        assert_eq!(c.base_url(), "https://sentry.io");
        assert!(!format!("{c:?}").contains("sntrys_secret"));
    }

    #[test]
    fn waits_come_from_retry_after_or_sentrys_reset() {
        let mut headers = reqwest::header::HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        let reset = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 30;
        headers.insert("x-sentry-rate-limit-reset", reset.into());
        let from_reset = retry_after(&headers).unwrap();
        assert!(
            from_reset.as_secs() >= 28 && from_reset.as_secs() <= 30,
            "{from_reset:?}"
        );
        // A proxy's Retry-After wins over Sentry's reset.
        headers.insert("retry-after", "7".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
    }

    #[test]
    fn rate_limit_and_retry_headers_of_any_value_never_panic() {
        let values = [
            "1e30",
            "inf",
            "-inf",
            "NaN",
            "-5",
            "18446744073709551616",
            "garbage",
            "",
            "0x10",
            "1.5",
        ];
        for reset in values {
            for retry in values {
                let mut headers = reqwest::header::HeaderMap::new();
                headers.insert("x-sentry-rate-limit-reset", reset.parse().unwrap());
                headers.insert("x-sentry-rate-limit-remaining", "0".parse().unwrap());
                headers.insert("retry-after", retry.parse().unwrap());
                // Read without a panic: that is the whole check for these.
                let _ = retry_after(&headers);
                let _ = spent_until(&headers);
                Client::new("https://sentry.io", "t").unwrap().note_rate_limit(&headers);
            }
        }
        // A reset no clock can hold is no wait at all.
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-sentry-rate-limit-reset", "1e30".parse().unwrap());
        headers.insert("x-sentry-rate-limit-remaining", "0".parse().unwrap());
        assert_eq!(spent_until(&headers), None);
        assert!(retry_after(&headers).is_none_or(|w| w.is_zero()));
    }

    #[test]
    fn path_segments_are_escaped() {
        assert_eq!(seg("acme"), "acme");
        assert_eq!(seg("a/../b"), "a%2F..%2Fb");
    }
}
