//! A stand-in for Sentry's REST API on loopback, for tests. It answers the calls the app makes
//! the way each real server does (a [`Flavour`]: sentry.io's shapes from Sentry's OpenAPI
//! examples; an older self-hosted Sentry; GlitchTip as `shared/sentry/COMPAT.md` measured it),
//! records every request, and can fail on purpose.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use serde_json::{Value, json};

/// One request as the stand-in received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub body: Value,
}

/// A failure to answer the next request with.
#[derive(Debug, Clone)]
pub enum Failure {
    /// This status, with Sentry's `{"detail": …}` body.
    Status(u16),
    /// 429 as Sentry sends it: a bare JSON string and the rate-limit reset header.
    RateLimited { reset_in_secs: u64 },
    /// Answers normally, but only after this long.
    Slow(std::time::Duration),
    /// Closes the connection without an answer.
    Reset,
    /// Applies the request (an update is kept), then closes the connection without an answer:
    /// a client cannot tell whether its change was made.
    ApplyThenHangUp,
}

/// Which real server the stand-in answers as.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Flavour {
    /// sentry.io (and a current self-hosted Sentry).
    #[default]
    SentryIo,
    /// A self-hosted Sentry from before the organization-scoped issue paths: those answer 404,
    /// the older `/api/0/issues/{id}/…` paths work.
    SelfHosted,
    /// GlitchTip 5.1, request by request as `COMPAT.md` records it.
    GlitchTip,
}

impl Flavour {
    pub const ALL: [Flavour; 3] = [Flavour::SentryIo, Flavour::SelfHosted, Flavour::GlitchTip];
}

#[derive(Default)]
struct Shared {
    token: String,
    flavour: Flavour,
    requests: Mutex<Vec<Recorded>>,
    failures: Mutex<VecDeque<Failure>>,
    issues: Mutex<Vec<Value>>,
    /// Issues as updates left them, by id: what a later read of the issue answers.
    updated: Mutex<std::collections::HashMap<String, Value>>,
    page_size: Mutex<Option<usize>>,
    scopes: Mutex<Vec<String>>,
    ownership: Mutex<std::collections::HashMap<String, String>>,
    /// Each project's environments, `(name, hidden)`; unset: production and staging.
    environments: Mutex<std::collections::HashMap<String, Vec<(String, bool)>>>,
    events: Mutex<std::collections::HashMap<String, Value>>,
    legacy_only: Mutex<bool>,
    more_orgs: Mutex<Vec<String>>,
    /// Rate-limit headers on every answer: (remaining, reset in seconds).
    rate_limit: Mutex<Option<(i64, u64)>>,
    /// The organization's activity feed, newest first.
    activity: Mutex<Vec<Value>>,
    /// The user's notification settings, as Sentry's `NotificationSettingOption` rows.
    notification_options: Mutex<Vec<Value>>,
    /// The organization's releases, newest first, as the flavour's serializer writes them.
    releases: Mutex<Vec<Value>>,
    /// Tokens that may also write projects (`project:write`), beside the main one.
    write_tokens: Mutex<Vec<String>>,
    /// Whether the `projects:servicehooks` feature is on (off on sentry.io).
    service_hooks_on: Mutex<Option<bool>>,
    /// The service hooks made, with their project.
    hooks: Mutex<Vec<(String, Value)>>,
    /// Projects deleted in Sentry (gone from the list, their hooks with them).
    deleted_projects: Mutex<Vec<String>>,
}

impl Shared {
    fn knows(&self, org: &str) -> bool {
        org == ORG || self.more_orgs.lock().unwrap().iter().any(|o| o == org)
    }
}

/// The organization every stand-in knows; `add_organization` adds more.
const ORG: &str = "acme";

pub struct StandIn {
    addr: SocketAddr,
    shared: Arc<Shared>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl StandIn {
    /// Starts on a free loopback port as sentry.io; requests must carry `Bearer {token}`.
    pub async fn start(token: &str) -> StandIn {
        StandIn::start_as(token, Flavour::SentryIo).await
    }

    /// Starts on a free loopback port, answering as `flavour` does.
    pub async fn start_as(token: &str, flavour: Flavour) -> StandIn {
        StandIn::start_on_as(token, "127.0.0.1:0".parse().expect("loopback"), flavour).await
    }

    /// Starts on `addr` (e.g. where an app was told Sentry is, to bring "Sentry" back).
    pub async fn start_on(token: &str, addr: SocketAddr) -> StandIn {
        StandIn::start_on_as(token, addr, Flavour::SentryIo).await
    }

    async fn start_on_as(token: &str, addr: SocketAddr, flavour: Flavour) -> StandIn {
        let shared = Arc::new(Shared {
            token: token.to_owned(),
            flavour,
            legacy_only: Mutex::new(flavour == Flavour::SelfHosted),
            ..Default::default()
        });
        *shared.scopes.lock().unwrap() = [
            "org:read",
            "project:read",
            "event:read",
            "event:write",
            "team:read",
            "member:read",
        ]
        .map(String::from)
        .to_vec();
        let app = Router::new()
            .route("/api/0/", get(index))
            .route("/api/0/organizations/{org}/", get(organization))
            .route("/api/0/organizations/{org}/user-teams/", get(user_teams))
            .route("/api/0/organizations/{org}/projects/", get(projects))
            .route("/api/0/organizations/{org}/members/", get(members))
            .route("/api/0/organizations/{org}/issues/", get(list_issues))
            .route("/api/0/organizations/{org}/activity/", get(activity))
            .route("/api/0/organizations/{org}/releases/", get(releases))
            .route(
                "/api/0/projects/{org}/{project}/hooks/",
                axum::routing::post(create_hook),
            )
            .route(
                "/api/0/projects/{org}/{project}/hooks/{id}/",
                axum::routing::delete(delete_hook).get(get_hook),
            )
            .route("/api/0/users/me/notification-options/", get(notification_options))
            .route(
                "/api/0/organizations/{org}/issues/{id}/events/latest/",
                get(latest_event_scoped),
            )
            .route("/api/0/issues/{id}/events/latest/", get(latest_event_legacy))
            .route("/api/0/projects/{org}/{project}/ownership/", get(ownership))
            .route("/api/0/projects/{org}/{project}/environments/", get(environments))
            .route("/api/0/organizations/", get(organizations))
            .route("/api/0/organizations/{org}/issues/{id}/", get(issue).put(update_issue))
            .route("/api/0/issues/{id}/", get(legacy_issue).put(legacy_update_issue))
            .fallback(any(not_found))
            .layer(axum::middleware::from_fn_with_state(shared.clone(), record))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind(addr).await.expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        StandIn {
            addr,
            shared,
            _stop: stop,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn flavour(&self) -> Flavour {
        self.shared.flavour
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// The issues the organization `acme` has (Sentry's issue JSON), as its issue list shows them.
    pub fn set_issues(&self, issues: Vec<Value>) {
        *self.shared.issues.lock().unwrap() = issues;
    }

    /// Adds to the organization's activity feed what someone did, as Sentry's
    /// `OrganizationActivitySerializer` writes it (`{id, type, user, data, dateCreated, issue}`,
    /// the issue as the token's user sees it); the feed answers newest first.
    pub fn add_activity(&self, activity: Value) {
        self.shared.activity.lock().unwrap().insert(0, activity);
    }

    /// A new release of `projects`, made now, as the flavour lists it: Sentry's
    /// `ReleaseSerializer` (`id`, `version`, `shortVersion`, `dateCreated`, `projects` with ids and
    /// platforms, `lastDeploy`), GlitchTip's `ReleaseSchema` (no id, projects by name and slug,
    /// no deploys).
    pub fn add_release(&self, version: &str, projects: &[&str]) {
        let mut releases = self.shared.releases.lock().unwrap();
        let made = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let short = version.rsplit_once('@').map_or(version, |(_, v)| v);
        let release = match self.shared.flavour {
            Flavour::GlitchTip => json!({
                "url": null, "data": {}, "deployCount": 0, "version": version, "shortVersion": short,
                "dateCreated": made, "dateReleased": made, "ref": null,
                "projects": projects.iter().map(|p| json!({"name": p, "slug": p})).collect::<Vec<_>>(),
            }),
            _ => json!({
                "id": releases.len() + 1, "version": version, "shortVersion": short, "ref": null, "url": null,
                "dateCreated": made, "dateReleased": null, "dateStarted": null, "status": "open",
                "newGroups": 0, "commitCount": 0, "deployCount": 0, "lastDeploy": null, "lastCommit": null,
                "authors": [], "data": {}, "versionInfo": null, "owner": null,
                "projects": projects.iter().enumerate().map(|(n, p)| json!({
                    "id": n + 1, "slug": p, "name": p, "newGroups": 0, "platform": "python",
                    "platforms": ["python"], "hasHealthData": false
                })).collect::<Vec<_>>(),
            }),
        };
        releases.insert(0, release);
    }

    /// Sentry records a deploy (`id`) of the release `version` to `environment`: the release's
    /// `lastDeploy` from now on. GlitchTip has no deploys.
    pub fn add_deploy(&self, version: &str, id: u64, environment: &str) {
        let mut releases = self.shared.releases.lock().unwrap();
        let finished = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        if let Some(release) = releases.iter_mut().find(|r| r["version"] == version) {
            release["lastDeploy"] = json!({
                "id": id.to_string(), "environment": environment, "dateStarted": null,
                "dateFinished": finished, "name": null, "url": null
            });
            release["deployCount"] = json!(release["deployCount"].as_u64().unwrap_or(0) + 1);
        }
    }

    /// A second token of the same user, with `project:write` (what creating service hooks
    /// needs, and the main token lacks).
    pub fn add_write_token(&self, token: &str) {
        self.shared.write_tokens.lock().unwrap().push(token.to_owned());
    }

    /// Turns the `projects:servicehooks` feature on or off (by flavour: off on sentry.io, on in
    /// self-hosted Sentry, whose shipped configuration enables it).
    pub fn set_service_hooks(&self, on: bool) {
        *self.shared.service_hooks_on.lock().unwrap() = Some(on);
    }

    /// The service hooks made, as Sentry keeps them: `(project, hook)`, the hook with its
    /// `id`, `url`, `events` and `secret`.
    pub fn service_hooks(&self) -> Vec<(String, Value)> {
        self.shared.hooks.lock().unwrap().clone()
    }

    /// Deletes `project` of `acme` as Sentry does: gone from the list, its hooks with it.
    pub fn delete_project(&self, project: &str) {
        self.shared.deleted_projects.lock().unwrap().push(project.to_owned());
        self.shared.hooks.lock().unwrap().retain(|(p, _)| p != project);
    }

    /// The user's notification settings in Sentry, as its serializer writes each row
    /// (`{id, scopeType, scopeIdentifier, type, value, user_id, team_id}`).
    pub fn set_notification_options(&self, rows: Vec<Value>) {
        *self.shared.notification_options.lock().unwrap() = rows;
    }

    /// Pages of at most `size` issues, whatever `limit` asks.
    pub fn set_page_size(&self, size: usize) {
        *self.shared.page_size.lock().unwrap() = Some(size);
    }

    /// The scopes `GET /api/0/` reports for the token.
    pub fn set_scopes(&self, scopes: &[&str]) {
        *self.shared.scopes.lock().unwrap() = scopes.iter().map(|s| s.to_string()).collect();
    }

    /// The ownership rules' text of a project of `acme`.
    pub fn set_ownership(&self, project: &str, raw: &str) {
        self.shared
            .ownership
            .lock()
            .unwrap()
            .insert(project.to_owned(), raw.to_owned());
    }

    /// A project's environments, `(name, hidden)` (hidden ones are not listed, as Sentry's and
    /// GlitchTip's default `visibility=visible` answers).
    pub fn set_environments(&self, project: &str, environments: &[(&str, bool)]) {
        self.shared.environments.lock().unwrap().insert(
            project.to_owned(),
            environments.iter().map(|(n, h)| (n.to_string(), *h)).collect(),
        );
    }

    /// The latest event of an issue (Sentry's event JSON).
    pub fn set_latest_event(&self, issue_id: &str, event: Value) {
        self.shared.events.lock().unwrap().insert(issue_id.to_owned(), event);
    }

    /// Sends `X-Sentry-Rate-Limit-Remaining` and `-Reset` (seconds from now) on every answer.
    pub fn set_rate_limit(&self, remaining: i64, reset_in_secs: u64) {
        *self.shared.rate_limit.lock().unwrap() = Some((remaining, reset_in_secs));
    }

    /// Another organization, with the same issues and projects as `acme`.
    pub fn add_organization(&self, slug: &str) {
        self.shared.more_orgs.lock().unwrap().push(slug.to_owned());
    }

    /// Behave like an older server: no organization-scoped latest-event path.
    pub fn set_legacy_only(&self, legacy: bool) {
        *self.shared.legacy_only.lock().unwrap() = legacy;
    }

    /// Answers the next request with `failure` (queued: call again for several).
    pub fn fail_next(&self, failure: Failure) {
        self.shared.failures.lock().unwrap().push_back(failure);
    }
}

async fn record(State(shared): State<Arc<Shared>>, request: Request, next: axum::middleware::Next) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 16 * 1024 * 1024).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let recorded = Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path_and_query().map(|p| p.to_string()).unwrap_or_default(),
        authorization: parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    let bearer = |token: &str| recorded.authorization.as_deref() == Some(&format!("Bearer {token}"));
    let authorized = bearer(&shared.token) || shared.write_tokens.lock().unwrap().iter().any(|t| bearer(t));
    shared.requests.lock().unwrap().push(recorded);
    let failure = shared.failures.lock().unwrap().pop_front();
    if let Some(failure) = failure {
        return match failure {
            Failure::Slow(delay) => {
                tokio::time::sleep(delay).await;
                next.run(Request::from_parts(parts, axum::body::Body::from(body))).await
            }
            Failure::ApplyThenHangUp => {
                let _applied = next.run(Request::from_parts(parts, axum::body::Body::from(body))).await;
                Response::builder()
                    .status(200)
                    .body(axum::body::Body::from_stream(futures_stream_error()))
                    .unwrap_or_default()
            }
            Failure::Reset => {
                // A body that fails while being sent makes hyper drop the connection.
                let failing = futures_stream_error();
                Response::builder()
                    .status(200)
                    .body(axum::body::Body::from_stream(failing))
                    .unwrap_or_default()
            }
            Failure::Status(code) => {
                let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                (status, Json(json!({"detail": format!("stand-in failure {code}")}))).into_response()
            }
            Failure::RateLimited { reset_in_secs } => {
                let reset = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs()
                    + reset_in_secs;
                let mut response = (
                    StatusCode::TOO_MANY_REQUESTS,
                    Json(json!(
                        "You are attempting to use this endpoint too frequently. Limit is 40 requests in 1 seconds"
                    )),
                )
                    .into_response();
                response.headers_mut().insert("x-sentry-rate-limit-reset", reset.into());
                response
            }
        };
    }
    if !authorized {
        // GlitchTip's API root answers an invalid token with no user instead of 401.
        if shared.flavour == Flavour::GlitchTip && parts.uri.path() == "/api/0/" {
            return Json(json!({"version": "0", "user": null, "auth": null})).into_response();
        }
        return (StatusCode::UNAUTHORIZED, Json(json!({"detail": "Invalid token"}))).into_response();
    }
    let mut response = next.run(Request::from_parts(parts, axum::body::Body::from(body))).await;
    if let Some((remaining, reset_in)) = *shared.rate_limit.lock().unwrap() {
        let reset = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + reset_in;
        response.headers_mut().insert("x-sentry-rate-limit-limit", 40.into());
        response
            .headers_mut()
            .insert("x-sentry-rate-limit-remaining", remaining.into());
        response.headers_mut().insert("x-sentry-rate-limit-reset", reset.into());
    }
    response
}

/// A body stream whose first chunk is an error: the connection ends without an answer.
fn futures_stream_error() -> impl futures_core::Stream<Item = Result<axum::body::Bytes, std::io::Error>> + Send + 'static
{
    struct Failing;
    impl futures_core::Stream for Failing {
        type Item = Result<axum::body::Bytes, std::io::Error>;
        fn poll_next(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "stand-in reset",
            ))))
        }
    }
    Failing
}

async fn index(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let scopes = shared.scopes.lock().unwrap().clone();
    Json(json!({
        "version": "0",
        "auth": {"scopes": scopes},
        "user": {"id": "1", "username": "jane", "email": "jane@example.com", "name": "Jane Doe"}
    }))
}

fn issue_json(org: &str, id: &str) -> Value {
    json!({
        "id": id, "shortId": "FRONT-END-9", "title": "ReferenceError: blooopy is not defined",
        "culprit": "?(runner)", "level": "error", "status": "unresolved", "substatus": "new",
        "permalink": format!("https://{org}.sentry.io/issues/{id}/"),
        "project": {"id": "1", "name": "front-end", "slug": "front-end"}, "assignedTo": null,
        // Sentry says for the user asking whether they get the issue's workflow notifications.
        "isSubscribed": false, "subscriptionDetails": null
    })
}

fn issue_value(shared: &Shared, org: &str, id: &str) -> Value {
    let known = shared.issues.lock().unwrap().iter().find(|i| i["id"] == id).cloned();
    let known = known.or_else(|| shared.updated.lock().unwrap().get(id).cloned());
    as_flavour(shared.flavour, known.unwrap_or_else(|| issue_json(org, id)))
}

/// An issue as the flavour's server shows it: GlitchTip has no `substatus` and no
/// `assignedTo`, and its `count` is a string.
fn as_flavour(flavour: Flavour, mut issue: Value) -> Value {
    if flavour == Flavour::GlitchTip
        && let Value::Object(fields) = &mut issue
    {
        fields.remove("substatus");
        fields.remove("assignedTo");
        if let Some(count) = fields.get("count").filter(|c| c.is_number()).map(ToString::to_string) {
            fields.insert("count".into(), Value::String(count));
        }
    }
    issue
}

/// What Django answers when a view fails or is missing: an HTML page, not JSON.
fn html_page(status: StatusCode) -> Response {
    let page = format!(
        "<!doctype html><html><head><title>Server Error ({})</title></head><body><h1>Server Error</h1></body></html>",
        status.as_u16()
    );
    (status, [("content-type", "text/html; charset=utf-8")], page).into_response()
}

fn updated(shared: &Shared, org: &str, id: &str, change: Value) -> Response {
    let Value::Object(change) = change else {
        return (StatusCode::BAD_REQUEST, Json(json!({"detail": "expected an object"}))).into_response();
    };
    let mut issue = issue_value(shared, org, id);
    if shared.flavour == Flavour::GlitchTip {
        if change.contains_key("assignedTo") {
            return html_page(StatusCode::INTERNAL_SERVER_ERROR);
        }
        // GlitchTip applies the status and drops a timed ignore's duration: ignored forever.
        let mut change = change;
        change.remove("statusDetails");
        change.remove("substatus");
        for (key, value) in change {
            issue[key] = value;
        }
        keep(shared, id, &issue);
        return Json(issue).into_response();
    }
    for (key, value) in change {
        // Sentry takes `user:ID` or `team:SLUG` (or an e-mail) and answers with who it is.
        let value = match (key.as_str(), value.as_str().and_then(|v| v.split_once(':'))) {
            ("assignedTo", Some(("user", user))) => json!({"type": "user", "id": user, "name": format!("User {user}")}),
            ("assignedTo", Some(("team", team))) => json!({"type": "team", "id": "7", "name": team}),
            // Empty (or null) unassigns; Sentry answers null.
            ("assignedTo", _) if value.as_str().is_none_or(str::is_empty) => Value::Null,
            _ => value,
        };
        issue[key] = value;
    }
    keep(shared, id, &issue);
    Json(issue).into_response()
}

/// An update Sentry made stays made: a later read of the issue (and its list) shows it.
fn keep(shared: &Shared, id: &str, issue: &Value) {
    shared.updated.lock().unwrap().insert(id.to_owned(), issue.clone());
    for listed in shared.issues.lock().unwrap().iter_mut() {
        if listed["id"] == id {
            *listed = issue.clone();
        }
    }
}

/// An issue set with `set_issues`, else a default one; 404 on a "legacy only" server.
async fn issue(State(shared): State<Arc<Shared>>, Path((org, id)): Path<(String, String)>) -> Response {
    if shared.flavour == Flavour::GlitchTip {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            Json(json!({"detail": "Method Not Allowed"})),
        )
            .into_response();
    }
    if *shared.legacy_only.lock().unwrap() {
        return unknown_org();
    }
    Json(issue_value(&shared, &org, &id)).into_response()
}

async fn update_issue(
    State(shared): State<Arc<Shared>>,
    Path((org, id)): Path<(String, String)>,
    Json(change): Json<Value>,
) -> Response {
    if *shared.legacy_only.lock().unwrap() {
        return unknown_org();
    }
    updated(&shared, &org, &id, change)
}

async fn organizations(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let mut orgs = vec![json!({"id": "2", "slug": ORG, "name": "Acme Corp"})];
    orgs.extend(
        shared
            .more_orgs
            .lock()
            .unwrap()
            .iter()
            .map(|o| json!({"id": "3", "slug": o, "name": o})),
    );
    Json(Value::Array(orgs))
}

/// The older path some servers still have (and that `set_legacy_only` leaves as the only one).
async fn legacy_issue(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Json<Value> {
    Json(issue_value(&shared, ORG, &id))
}

async fn legacy_update_issue(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    Json(change): Json<Value>,
) -> Response {
    updated(&shared, ORG, &id, change)
}

async fn latest_event_scoped(State(shared): State<Arc<Shared>>, Path((org, id)): Path<(String, String)>) -> Response {
    if shared.flavour == Flavour::GlitchTip {
        return html_page(StatusCode::INTERNAL_SERVER_ERROR);
    }
    if !shared.knows(&org) || *shared.legacy_only.lock().unwrap() {
        return unknown_org();
    }
    latest_event(&shared, &id)
}

async fn latest_event_legacy(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    latest_event(&shared, &id)
}

fn latest_event(shared: &Shared, id: &str) -> Response {
    match shared.events.lock().unwrap().get(id) {
        Some(event) => Json(event.clone()).into_response(),
        None => unknown_org(),
    }
}

async fn ownership(State(shared): State<Arc<Shared>>, Path((org, project)): Path<(String, String)>) -> Response {
    if shared.flavour == Flavour::GlitchTip {
        return html_page(StatusCode::INTERNAL_SERVER_ERROR);
    }
    if !shared.knows(&org) {
        return unknown_org();
    }
    let raw = shared
        .ownership
        .lock()
        .unwrap()
        .get(&project)
        .cloned()
        .unwrap_or_default();
    Json(json!({"raw": raw, "fallthrough": false, "isActive": true, "autoAssignment": "Auto Assign to Issue Owner", "codeownersAutoSync": true}))
        .into_response()
}

async fn environments(State(shared): State<Arc<Shared>>, Path((org, project)): Path<(String, String)>) -> Response {
    if !shared.knows(&org) {
        return unknown_org();
    }
    let known = shared.environments.lock().unwrap().get(&project).cloned();
    let all = known.unwrap_or_else(|| vec![("production".into(), false), ("staging".into(), false)]);
    let listed: Vec<Value> = all
        .into_iter()
        .enumerate()
        .filter(|(_, (_, hidden))| !hidden)
        .map(|(i, (name, hidden))| {
            // GlitchTip's ids are numbers (a model's primary key), Sentry's strings.
            let id = if shared.flavour == Flavour::GlitchTip {
                json!(i + 1)
            } else {
                json!((i + 1).to_string())
            };
            json!({"id": id, "name": name, "isHidden": hidden})
        })
        .collect();
    Json(Value::Array(listed)).into_response()
}

fn unknown_org() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"detail": "The requested resource does not exist"})),
    )
        .into_response()
}

async fn organization(State(shared): State<Arc<Shared>>, Path(org): Path<String>) -> Response {
    if !shared.knows(&org) {
        return unknown_org();
    }
    let name = if org == ORG {
        "Acme Corp".to_owned()
    } else {
        org.clone()
    };
    Json(json!({"id": "2", "slug": org, "name": name, "status": {"id": "active", "name": "active"}})).into_response()
}

async fn projects(State(shared): State<Arc<Shared>>, Path(org): Path<String>) -> Response {
    if !shared.knows(&org) {
        return unknown_org();
    }
    let deleted = shared.deleted_projects.lock().unwrap();
    let projects: Vec<Value> = [
        json!({"id": "1", "slug": "front-end", "name": "Front End", "platform": "javascript"}),
        json!({"id": "2", "slug": "web", "name": "Web", "platform": "python"}),
    ]
    .into_iter()
    .filter(|p| !deleted.iter().any(|d| p["slug"] == d.as_str()))
    .collect();
    Json(Value::Array(projects)).into_response()
}

async fn members(State(shared): State<Arc<Shared>>, Path(org): Path<String>) -> Response {
    if !shared.knows(&org) {
        return unknown_org();
    }
    Json(json!([
        {"id": "11", "email": "jane@example.com", "name": "Jane Doe", "user": {"id": "1", "name": "Jane Doe"}, "pending": false},
        {"id": "12", "email": "sam@example.com", "name": "Sam Lee", "user": {"id": "7", "name": "Sam Lee"}, "pending": false},
        {"id": "13", "email": "new@example.com", "name": "", "user": null, "pending": true}
    ]))
    .into_response()
}

async fn user_teams(State(shared): State<Arc<Shared>>, Path(org): Path<String>) -> Response {
    if shared.flavour == Flavour::GlitchTip {
        return html_page(StatusCode::NOT_FOUND);
    }
    if !shared.knows(&org) {
        return unknown_org();
    }
    Json(json!([
        {"id": "1", "slug": "payments", "name": "Payments", "isMember": true},
        {"id": "2", "slug": "search", "name": "Search", "isMember": false}
    ]))
    .into_response()
}

/// The organization's issue list: `query` understands `lastSeen:>TIME`; sorted by last seen,
/// newest first; cursor pagination with Sentry's `Link` header.
/// My notification settings, filtered by `?type=` as Sentry does; GlitchTip has none.
async fn notification_options(
    State(shared): State<Arc<Shared>>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    if shared.flavour == Flavour::GlitchTip {
        return html_page(StatusCode::NOT_FOUND);
    }
    let kind = query
        .unwrap_or_default()
        .split('&')
        .find_map(|kv| kv.strip_prefix("type=").map(decode));
    let rows = shared.notification_options.lock().unwrap();
    let rows = rows
        .iter()
        .filter(|row| kind.as_deref().is_none_or(|k| row["type"] == k))
        .cloned()
        .collect();
    Json(Value::Array(rows)).into_response()
}

/// The activity feed; GlitchTip has none (its Django answers an error page).
async fn activity(State(shared): State<Arc<Shared>>, Path(org): Path<String>) -> Response {
    if shared.flavour == Flavour::GlitchTip {
        return html_page(StatusCode::NOT_FOUND);
    }
    if !shared.knows(&org) {
        return unknown_org();
    }
    let feed = shared.activity.lock().unwrap().iter().take(100).cloned().collect();
    Json(Value::Array(feed)).into_response()
}

/// `POST …/hooks/` as Sentry's `ProjectServiceHooksEndpoint` answers: the `project:write`
/// permission first (403 `detail`), then the feature (403 `error_type: unavailable_feature`),
/// then the hook with its secret (201). GlitchTip has no such path.
async fn create_hook(
    State(shared): State<Arc<Shared>>,
    Path((org, project)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if shared.flavour == Flavour::GlitchTip {
        return html_page(StatusCode::NOT_FOUND);
    }
    if !shared.knows(&org) {
        return unknown_org();
    }
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let may_write = shared.write_tokens.lock().unwrap().iter().any(|t| t == token)
        || shared
            .scopes
            .lock()
            .unwrap()
            .iter()
            .any(|s| s == "project:write" || s == "project:admin");
    if !may_write {
        let detail = json!({"detail": "You do not have permission to perform this action."});
        return (StatusCode::FORBIDDEN, Json(detail)).into_response();
    }
    let on = shared
        .service_hooks_on
        .lock()
        .unwrap()
        .unwrap_or(shared.flavour == Flavour::SelfHosted);
    if !on {
        let refusal = json!({"error_type": "unavailable_feature", "detail": ["You do not have that feature enabled"]});
        return (StatusCode::FORBIDDEN, Json(refusal)).into_response();
    }
    let Some(url) = body["url"].as_str().filter(|u| u.starts_with("http")) else {
        return (StatusCode::BAD_REQUEST, Json(json!({"url": ["Enter a valid URL."]}))).into_response();
    };
    let mut hooks = shared.hooks.lock().unwrap();
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let hook = json!({
        "id": format!("{:032x}", stamp ^ (hooks.len() as u128 + 1)),
        "secret": format!("{:032x}{:032x}", stamp, hooks.len() + 7),
        "url": url, "status": "active",
        "events": body["events"].as_array().cloned().unwrap_or_default(),
        "dateCreated": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    });
    hooks.push((project, hook.clone()));
    (StatusCode::CREATED, Json(hook)).into_response()
}

/// Sentry's `ProjectServiceHookDetailsEndpoint`: the hook, or 404 once it (or its project) is gone.
async fn get_hook(
    State(shared): State<Arc<Shared>>,
    Path((_org, project, id)): Path<(String, String, String)>,
) -> Response {
    let hooks = shared.hooks.lock().unwrap();
    match hooks
        .iter()
        .find(|(p, hook)| p == &project && hook["id"] == id.as_str())
    {
        Some((_, hook)) => Json(hook.clone()).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"detail": "The requested resource does not exist"})),
        )
            .into_response(),
    }
}

async fn delete_hook(
    State(shared): State<Arc<Shared>>,
    Path((_org, project, id)): Path<(String, String, String)>,
) -> Response {
    let mut hooks = shared.hooks.lock().unwrap();
    let before = hooks.len();
    hooks.retain(|(p, hook)| !(p == &project && hook["id"] == id.as_str()));
    if hooks.len() == before {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"detail": "The requested resource does not exist"})),
        )
            .into_response();
    }
    StatusCode::NO_CONTENT.into_response()
}

/// The organization's releases, newest first, `per_page` at a time (Sentry's default 100).
async fn releases(
    State(shared): State<Arc<Shared>>,
    Path(org): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    if !shared.knows(&org) {
        return unknown_org();
    }
    let per_page = query
        .unwrap_or_default()
        .split('&')
        .find_map(|kv| kv.strip_prefix("per_page=").and_then(|n| n.parse().ok()))
        .unwrap_or(100usize);
    let releases = shared.releases.lock().unwrap().iter().take(per_page).cloned().collect();
    Json(Value::Array(releases)).into_response()
}

async fn list_issues(
    State(shared): State<Arc<Shared>>,
    Path(org): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    if !shared.knows(&org) {
        return unknown_org();
    }
    let params: Vec<(String, String)> = query
        .unwrap_or_default()
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), decode(v)))
        .collect();
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    if shared.flavour == Flavour::GlitchTip {
        return glitchtip_issues(&shared, &org, param("sort"), param("query"));
    }
    let since = param("query").and_then(|q| {
        q.split_whitespace()
            .find_map(|term| term.strip_prefix("lastSeen:>").map(str::to_owned))
    });
    let mut issues: Vec<Value> = shared.issues.lock().unwrap().clone();
    if let Some(since) = since {
        issues.retain(|i| i["lastSeen"].as_str().is_some_and(|seen| seen > since.as_str()));
    }
    issues.sort_by(|a, b| b["lastSeen"].as_str().cmp(&a["lastSeen"].as_str()));
    let limit: usize = param("limit").and_then(|l| l.parse().ok()).unwrap_or(100);
    let size = shared.page_size.lock().unwrap().unwrap_or(limit).min(limit);
    let offset: usize = param("cursor")
        .and_then(|c| c.split(':').nth(1).and_then(|o| o.parse().ok()))
        .unwrap_or(0);
    let page: Vec<Value> = issues.iter().skip(offset).take(size).cloned().collect();
    let more = offset + size < issues.len();
    let next = format!("0:{}:0", offset + size);
    let link = format!(
        "<http://standin/api/0/organizations/{org}/issues/?cursor=0:{offset}:1>; rel=\"previous\"; results=\"{}\"; cursor=\"0:{offset}:1\", \
         <http://standin/api/0/organizations/{org}/issues/?cursor={next}>; rel=\"next\"; results=\"{more}\"; cursor=\"{next}\"",
        offset > 0
    );
    let mut response = Json(Value::Array(page)).into_response();
    if let Ok(value) = link.parse() {
        response.headers_mut().insert("link", value);
    }
    response
}

/// GlitchTip's issue list: `sort` must be one it knows (else 422), `lastSeen:>` is read as a
/// tag filter (so nothing matches), and the `Link` header is a Python set's text without
/// cursors: one page, newest first by last seen.
fn glitchtip_issues(shared: &Shared, org: &str, sort: Option<String>, query: Option<String>) -> Response {
    let sort = sort.unwrap_or_else(|| "last_seen".into());
    let sort = sort.trim_start_matches('-');
    if !["last_seen", "first_seen", "count", "priority"].contains(&sort) {
        let detail = json!([{
            "type": "literal_error", "loc": ["query", "sort"],
            "msg": "Input should be 'last_seen', 'first_seen', 'count' or 'priority'", "input": sort,
            "ctx": {"expected": "'last_seen', 'first_seen', 'count' or 'priority'"}
        }]);
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"detail": detail}))).into_response();
    }
    let tag_filter = query.is_some_and(|q| q.split_whitespace().any(|term| term.contains(":>")));
    let mut issues: Vec<Value> = if tag_filter {
        Vec::new()
    } else {
        shared.issues.lock().unwrap().clone()
    };
    let key = if sort == "first_seen" { "firstSeen" } else { "lastSeen" };
    issues.sort_by(|a, b| b[key].as_str().cmp(&a[key].as_str()));
    let size = shared.page_size.lock().unwrap().unwrap_or(100);
    let page: Vec<Value> = issues
        .into_iter()
        .take(size)
        .map(|i| as_flavour(Flavour::GlitchTip, i))
        .collect();
    let link = format!(
        "{{'<http://standin/api/0/organizations/{org}/issues/>; rel=\"previous\"; results=\"false\", <http://standin/api/0/organizations/{org}/issues/>; rel=\"next\"; results=\"false\"'}}"
    );
    let mut response = Json(Value::Array(page)).into_response();
    if let Ok(value) = link.parse() {
        response.headers_mut().insert("link", value);
    }
    response
}

fn decode(text: &str) -> String {
    sentry_api::pagination::percent_decode(&text.replace('+', " "))
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"detail": "The requested resource does not exist"})),
    )
        .into_response()
}
