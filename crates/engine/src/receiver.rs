//! The webhook receiver: a local HTTP server that takes Sentry's signed webhooks.
//!
//! Order matters: verify the signature over the exact bytes, parse, store durably, answer 2xx,
//! and only then hand the alert on. Anything refused is neither stored nor shown.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use tokio::sync::mpsc;

use sentry_api::webhook::{self, Payload, WebhookHeaders};

use crate::alert::Alert;
pub use crate::server::Limits;
use crate::store::Stored;
use crate::writer::Writer;

/// Sentry's payloads are a few kilobytes; anything over this is refused with 413.
pub const MAX_BODY: usize = 1024 * 1024;

/// A secret webhooks may be signed with, and the account (`server|organization`) whose it is
/// (`None`: the global secret, whose webhooks belong to their organization's account).
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret {
    pub account: Option<String>,
    pub secret: String,
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSecret")
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

/// Where the receiver gets the webhook secrets; they may change while the app runs.
pub trait SecretSource: Send + Sync + 'static {
    fn webhook_secrets(&self) -> Vec<WebhookSecret>;
    /// Called (on a blocking thread) when a signature fails or no secret is known, in case the
    /// secret was set or changed elsewhere.
    fn reload(&self) {}
}

/// Which account an organization's webhook belongs to.
pub type AccountOf = Arc<dyn Fn(Option<&str>) -> Option<String> + Send + Sync>;

pub struct ReceiverState {
    /// Stores deliveries (group commit), keyed by their account.
    pub writer: Writer,
    pub secret: Arc<dyn SecretSource>,
    pub fallback_org: Option<String>,
    pub deliver: mpsc::UnboundedSender<(i64, Alert)>,
    /// Deliveries whose `Sentry-Hook-Timestamp` is older than this are refused; `None` turns the
    /// check off.
    pub replay_window: Option<std::time::Duration>,
    /// Timeouts and the connection cap.
    pub limits: Limits,
}

/// Sentry answers within a second and retries within minutes: five minutes is generous.
pub const DEFAULT_REPLAY_WINDOW: std::time::Duration = std::time::Duration::from_secs(300);

fn router(state: Arc<ReceiverState>) -> Router {
    Router::new()
        .route("/webhook", post(webhook))
        .route("/health", get(health))
        .with_state(state)
}

/// Serves the receiver on `listener` until `stop` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<ReceiverState>,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.limits;
    crate::server::serve(listener, router(state), limits, stop).await
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok", "app": "sentry-tray", "version": env!("CARGO_PKG_VERSION")}))
}

fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    let message = message.into();
    tracing::warn!(status = status.as_u16(), %message, "webhook refused");
    (status, Json(json!({"error": message}))).into_response()
}

async fn webhook(State(state): State<Arc<ReceiverState>>, headers: HeaderMap, body: Body) -> Response {
    // A client that sends its body slowly holds a connection: it has the body timeout.
    let body = match tokio::time::timeout(state.limits.body_timeout, axum::body::to_bytes(body, MAX_BODY)).await {
        Ok(Ok(body)) => body,
        Ok(Err(_)) => {
            return refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the body is over {MAX_BODY} bytes or was cut off"),
            );
        }
        Err(_) => return refuse(StatusCode::REQUEST_TIMEOUT, "the body did not arrive in time"),
    };
    let hook = WebhookHeaders::read(|name| headers.get(name).and_then(|v| v.to_str().ok()));
    if hook.sender.is_none() {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "missing Sentry-Hook-Signature (or X-ServiceHook-Signature) header",
        );
    }
    let signature = hook.signature.as_deref();
    // Every secret is tried, each comparison in constant time: which one verified says whose
    // webhook it is.
    let verified = |secrets: &[WebhookSecret]| {
        let mut verified = None;
        for candidate in secrets {
            if sentry_api::verify(candidate.secret.as_bytes(), &body, signature).is_ok() && verified.is_none() {
                verified = Some(candidate.account.clone());
            }
        }
        verified
    };
    let mut secrets = state.secret.webhook_secrets();
    let mut account = verified(&secrets);
    if account.is_none() {
        // A secret may have been set or changed since (`webhook-secret set`): read them again,
        // off the async threads (the keyring is a blocking D-Bus call).
        let source = state.secret.clone();
        let _ = tokio::task::spawn_blocking(move || source.reload()).await;
        secrets = state.secret.webhook_secrets();
        account = verified(&secrets);
    }
    let Some(account) = account else {
        if secrets.is_empty() {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "this receiver has no webhook secret configured: run `sentry-tray-cli webhook-secret set`",
            );
        }
        let why = match signature {
            None => "no signature".to_owned(),
            Some(_) => "it matches none of the webhook secrets".to_owned(),
        };
        return refuse(StatusCode::UNAUTHORIZED, format!("bad signature: {why}"));
    };
    if let Some(window) = state.replay_window {
        // `NaN`, `inf` and the like parse as numbers but compare as no time at all.
        let sent = hook
            .timestamp
            .as_deref()
            .and_then(|t| t.trim().parse::<f64>().ok())
            .filter(|t| t.is_finite());
        let Some(sent) = sent else {
            return refuse(StatusCode::UNAUTHORIZED, "missing or unreadable Sentry-Hook-Timestamp");
        };
        // The timestamp is not signed, but a replayed body must also fall inside the window.
        let age = now() as f64 - sent;
        if age > window.as_secs_f64() || age < -60.0 {
            return refuse(
                StatusCode::UNAUTHORIZED,
                format!(
                    "stale delivery: sent {age:.0} s ago, outside the {} s window",
                    window.as_secs()
                ),
            );
        }
    }
    let resource = hook.resource.as_deref().unwrap_or("");
    let payload = match webhook::parse(hook.resource.as_deref(), &body) {
        Ok(p) => p,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, format!("malformed payload: {e}")),
    };
    let Some(alert) = Alert::from_payload(&payload, state.fallback_org.as_deref(), &body) else {
        // Acknowledged, not refused: Sentry disables receivers that keep failing.
        let (resource, action) = match &payload {
            Payload::Other { resource, action } => (resource.as_str(), action.as_str()),
            _ => (resource, ""),
        };
        tracing::info!(%resource, %action, "webhook acknowledged; this kind is not acted on");
        return (StatusCode::OK, Json(json!({"ignored": format!("{resource}.{action}")}))).into_response();
    };
    // Whose it is and storing it: the writer thread, one commit for the deliveries in flight.
    let stored = state.writer.store(alert, account, now()).await;
    match stored {
        Ok((Stored::New(id), alert)) => {
            tracing::info!(alert = id, kind = %alert.kind, issue = %alert.issue_id, request = ?hook.request_id, "webhook stored");
            let _ = state.deliver.send((id, alert));
            (StatusCode::CREATED, Json(json!({"stored": id}))).into_response()
        }
        Ok((Stored::Duplicate(id), _)) => {
            tracing::info!(alert = id, request = ?hook.request_id, "webhook repeated an alert already stored");
            (StatusCode::OK, Json(json!({"duplicate_of": id}))).into_response()
        }
        Err(e) => refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("could not store the alert: {e}"),
        ),
    }
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
