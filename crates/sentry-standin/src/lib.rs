//! A stand-in for Sentry's REST API on loopback, for tests. It answers the calls the app makes
//! the way Sentry does (shapes from Sentry's OpenAPI examples), records every request, and can
//! fail on purpose.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use serde_json::{json, Value};

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
}

#[derive(Default)]
struct Shared {
    token: String,
    requests: Mutex<Vec<Recorded>>,
    failures: Mutex<VecDeque<Failure>>,
}

pub struct StandIn {
    addr: SocketAddr,
    shared: Arc<Shared>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl StandIn {
    /// Starts on a free loopback port; requests must carry `Bearer {token}`.
    pub async fn start(token: &str) -> StandIn {
        let shared = Arc::new(Shared { token: token.to_owned(), ..Default::default() });
        let app = Router::new()
            .route("/api/0/", get(index))
            .route("/api/0/organizations/{org}/issues/{id}/", get(issue).put(update_issue))
            .fallback(any(not_found))
            .layer(axum::middleware::from_fn_with_state(shared.clone(), record))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        StandIn { addr, shared, _stop: stop }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().unwrap().clone()
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
        authorization: parts.headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_owned),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    let authorized = recorded.authorization.as_deref() == Some(&format!("Bearer {}", shared.token));
    shared.requests.lock().unwrap().push(recorded);
    if let Some(failure) = shared.failures.lock().unwrap().pop_front() {
        return match failure {
            Failure::Status(code) => {
                let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                (status, Json(json!({"detail": format!("stand-in failure {code}")}))).into_response()
            }
            Failure::RateLimited { reset_in_secs } => {
                let reset = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + reset_in_secs;
                let mut response = (
                    StatusCode::TOO_MANY_REQUESTS,
                    Json(json!("You are attempting to use this endpoint too frequently. Limit is 40 requests in 1 seconds")),
                )
                    .into_response();
                response.headers_mut().insert("x-sentry-rate-limit-reset", reset.into());
                response
            }
        };
    }
    if !authorized {
        return (StatusCode::UNAUTHORIZED, Json(json!({"detail": "Invalid token"}))).into_response();
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(body))).await
}

async fn index() -> Json<Value> {
    Json(json!({
        "version": "0",
        "auth": {"scopes": ["org:read", "project:read", "event:read", "event:write"]},
        "user": {"id": "1", "username": "jane", "email": "jane@example.com", "name": "Jane Doe"}
    }))
}

fn issue_json(org: &str, id: &str) -> Value {
    json!({
        "id": id, "shortId": "FRONT-END-9", "title": "ReferenceError: blooopy is not defined",
        "culprit": "?(runner)", "level": "error", "status": "unresolved", "substatus": "new",
        "permalink": format!("https://{org}.sentry.io/issues/{id}/"),
        "project": {"id": "1", "name": "front-end", "slug": "front-end"}, "assignedTo": null
    })
}

async fn issue(Path((org, id)): Path<(String, String)>) -> Json<Value> {
    Json(issue_json(&org, &id))
}

async fn update_issue(Path((org, id)): Path<(String, String)>, Json(change): Json<Value>) -> Response {
    let Value::Object(change) = change else {
        return (StatusCode::BAD_REQUEST, Json(json!({"detail": "expected an object"}))).into_response();
    };
    let mut issue = issue_json(&org, &id);
    for (key, value) in change {
        issue[key] = value;
    }
    Json(issue).into_response()
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Json(json!({"detail": "The requested resource does not exist"}))).into_response()
}
