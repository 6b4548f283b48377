//! The running app's control socket: how its window (a process of its own, started only while
//! it is open, so the tray app never holds WebKit) and a second launch reach the one engine.
//!
//! A local channel ([`channel`]: a Unix socket in the data folder, readable by the user alone; a
//! named pipe on Windows), one JSON object per line: a
//! request `{"method": …, "params": …}` is answered `{"ok": …}` or `{"error": "…"}`; the request
//! `{"method": "subscribe"}` turns the connection into a stream of [`Event`]s instead. Binding
//! the socket is also the single-instance check: a second app finds the first one answering.

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use channel::Listener;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::accounts::{Account, Project, ProjectPreferences};
use crate::actions::Queued;
use crate::api::{Assignee, MutePreview, SentryWorkflow};
use crate::hooks::{HookError, ServiceHookRow};
use crate::inbox::{InboxPage, InboxQuery};
use crate::mutes::IssueMute;
use crate::summary::WeeklySummary;

mod channel;
use crate::policy::{Field, MuteRule};
use crate::status::Status;
use crate::tester::OwnershipAnswer;

/// A request line longer than this is refused (the largest real one is an account's token).
const MAX_LINE: u64 = 1024 * 1024;
/// How long a call waits for the engine's answer; looking up projects in Sentry is the slowest.
const CALL_TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error("Sentry Tray is already running with this data folder")]
    AlreadyRunning,
    #[error("Sentry Tray is not running (nothing answers at {path})")]
    NotRunning { path: PathBuf },
    #[error("the control socket {path}: {cause}")]
    Io { path: PathBuf, cause: std::io::Error },
    #[error("the running app answered something unreadable: {0}")]
    Protocol(String),
    #[error("{0}")]
    Failed(Failure),
}

/// Why the app refused a call: the message, and the field of the request it concerns, when one
/// does (so the window says it beside that field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    pub message: String,
    pub field: Option<InputField>,
}

/// A field of a request the user typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum InputField {
    Url,
    Organization,
    Token,
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure { message, field: None }
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Failure {
        message.to_owned().into()
    }
}

impl From<crate::Error> for Failure {
    fn from(e: crate::Error) -> Failure {
        let field = match &e {
            crate::Error::Account(account) => account.field(),
            crate::Error::Hook(HookError::BadUrl(_)) => Some(InputField::Url),
            crate::Error::Hook(HookError::NeedsProjectWrite { .. }) => Some(InputField::Token),
            _ => None,
        };
        Failure {
            message: e.to_string(),
            field,
        }
    }
}

/// What the engine tells a subscribed window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// What the window shows may have changed.
    Changed,
    /// The user asked for the window (tray, second launch, "Open inbox"): bring it forward,
    /// showing `view`.
    Show { view: View },
}

/// The part of the window the user asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// Recent alerts and actions: what "Open inbox" and a click on the icon show.
    #[default]
    Inbox,
    /// Accounts, projects and preferences.
    Settings,
    /// The weekly summary.
    Summary,
}

impl View {
    pub fn as_str(self) -> &'static str {
        match self {
            View::Inbox => "inbox",
            View::Settings => "settings",
            View::Summary => "summary",
        }
    }

    /// What a button that opens it says.
    pub fn label(self) -> &'static str {
        match self {
            View::Inbox => "Open inbox",
            View::Settings => "Open settings",
            View::Summary => "Open summary",
        }
    }
}

impl std::str::FromStr for View {
    type Err = String;
    fn from_str(s: &str) -> Result<View, String> {
        match s {
            "inbox" => Ok(View::Inbox),
            "settings" => Ok(View::Settings),
            "summary" => Ok(View::Summary),
            other => Err(format!("no view `{other}` (inbox, settings, summary)")),
        }
    }
}

/// What the window (or a second launch) asks the running app: the method and its parameters,
/// `{"method": "set_paused", "params": {"paused": true}}` on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "method", content = "params", rename_all = "snake_case", deny_unknown_fields)]
pub enum Request {
    /// Turns the connection into a stream of [`Event`]s.
    Subscribe {},
    Status {},
    SetPaused {
        paused: bool,
    },
    SetAutostart {
        enabled: bool,
    },
    OpenWindow {
        view: Option<View>,
    },
    /// A page of the inbox.
    Inbox {
        #[serde(default)]
        query: InboxQuery,
    },
    Actions {},
    RetryAction {
        id: i64,
    },
    /// Queues what reverses the done action `id`, within 30 seconds of Sentry confirming it.
    UndoAction {
        id: i64,
    },
    /// Queues `action` (`resolve`, `ignore[=MINUTES|forever]`, `assign[=WHO]`) on the issue of
    /// the inbox's alert `alert`.
    ActOnAlert {
        alert: i64,
        action: String,
    },
    /// Mutes the issue of the inbox's alert `alert` for me, `until` as
    /// [`crate::Engine::mute_for_me`] reads it (`1h`, `tomorrow`, `release`, `escalates`).
    MuteForMe {
        alert: i64,
        until: String,
    },
    /// Lifts an issue's mute for me (`account` as the mute names it).
    UnmuteForMe {
        account: String,
        org: String,
        issue_id: String,
    },
    /// The issues muted for me, and those lately back.
    Mutes {},
    /// Creates a Sentry service hook posting `project`'s alerts to `url` (a public address of
    /// this app's receiver), with the account's token or, where that lacks `project:write`,
    /// `token`; answered with the hooks set up.
    SetUpServiceHook {
        org: String,
        project: String,
        url: String,
        token: Option<String>,
    },
    RemoveServiceHook {
        org: String,
        project: String,
    },
    ServiceHooks {},
    /// My "workflow" notification setting in Sentry for the account of `org`, and each
    /// project's that differs: what the app proposes as its alert kinds.
    SentryWorkflow {
        org: String,
    },
    /// Makes that proposal the app's preferences (`@org` and the projects that differ).
    ApplySentryWorkflow {
        org: String,
    },
    /// The weekly summary of the week ending at `to` (`None`: the latest one due).
    WeeklySummary {
        to: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// When the weekly summary is due (`mon 09:00`, `fri 16:30 Europe/Berlin`, `off`);
    /// answered with the latest summary under it.
    SetSummarySchedule {
        schedule: String,
    },
    AddAccount {
        url: String,
        org: String,
        token: String,
    },
    /// Stores the receiver's webhook secret in the keyring (`org`: that added account's), as
    /// `sentry-tray-cli webhook-secret set` does; answered with the status.
    SetWebhookSecret {
        secret: String,
        org: Option<String>,
    },
    /// Gives up the check of an `add_account` in flight (nothing is added).
    CancelAccountCheck {},
    RemoveAccount {
        org: String,
    },
    Projects {},
    /// Sets one preference of `project` of `org` (the same fallback as the command line's `prefs`).
    SetPreference {
        project: String,
        org: Option<String>,
        key: String,
        value: String,
    },
    Assignees {},
    /// The preferences of these projects as they are now, and where they come from (no request
    /// to Sentry): what an open window reads again when something changed them.
    PreferencesOf {
        projects: Vec<ProjectKey>,
    },
    /// Removes a project's own preferences (all, or `only` these): they follow its account's
    /// (or everyone's) again.
    ResetPreferences {
        project: String,
        org: Option<String>,
        only: Option<Vec<Field>>,
    },
    /// The project's environments in Sentry, to pick from.
    Environments {
        project: String,
        org: String,
    },
    /// The ownership tester ([`OwnershipQuestion`]'s fields).
    TestOwnership {
        project: String,
        org: String,
        rules: Option<String>,
        issue: Option<String>,
        event: Option<String>,
    },
    /// Which of the project's recent alerts each of `rules` would have muted (`project` may be
    /// `@org` or `*`: the account's or everyone's alerts).
    MutePreview {
        project: String,
        org: Option<String>,
        rules: Vec<MuteRule>,
    },
    /// Another process (`sentry-tray-cli act`) queued an action: send it now, not when the
    /// queue next wakes for its own reasons.
    ActionQueued {},
}

impl Request {
    /// The method's name, for logs (never the parameters: they may hold a token).
    pub fn method(&self) -> &'static str {
        match self {
            Request::Subscribe {} => "subscribe",
            Request::Status {} => "status",
            Request::SetPaused { .. } => "set_paused",
            Request::SetAutostart { .. } => "set_autostart",
            Request::OpenWindow { .. } => "open_window",
            Request::Inbox { .. } => "inbox",
            Request::Actions {} => "actions",
            Request::RetryAction { .. } => "retry_action",
            Request::UndoAction { .. } => "undo_action",
            Request::ActOnAlert { .. } => "act_on_alert",
            Request::MuteForMe { .. } => "mute_for_me",
            Request::UnmuteForMe { .. } => "unmute_for_me",
            Request::Mutes {} => "mutes",
            Request::WeeklySummary { .. } => "weekly_summary",
            Request::SentryWorkflow { .. } => "sentry_workflow",
            Request::SetUpServiceHook { .. } => "set_up_service_hook",
            Request::RemoveServiceHook { .. } => "remove_service_hook",
            Request::ServiceHooks {} => "service_hooks",
            Request::ApplySentryWorkflow { .. } => "apply_sentry_workflow",
            Request::SetSummarySchedule { .. } => "set_summary_schedule",
            Request::AddAccount { .. } => "add_account",
            Request::CancelAccountCheck {} => "cancel_account_check",
            Request::SetWebhookSecret { .. } => "set_webhook_secret",
            Request::RemoveAccount { .. } => "remove_account",
            Request::Projects {} => "projects",
            Request::SetPreference { .. } => "set_preference",
            Request::Assignees {} => "assignees",
            Request::PreferencesOf { .. } => "preferences_of",
            Request::ResetPreferences { .. } => "reset_preferences",
            Request::Environments { .. } => "environments",
            Request::MutePreview { .. } => "mute_preview",
            Request::TestOwnership { .. } => "test_ownership",
            Request::ActionQueued {} => "action_queued",
        }
    }
}

/// A project of an account, as [`Request::PreferencesOf`] names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ProjectKey {
    pub org: String,
    pub slug: String,
}

/// The app's answer to a [`Request`], `{"ok": {"inbox": [...]}}` on the wire.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Reply {
    /// The engine's status, and whether the app starts at login.
    Status {
        status: Box<Status>,
        autostart: bool,
    },
    Autostart(bool),
    Inbox(InboxPage),
    Actions(Vec<Queued>),
    Action(Box<Queued>),
    /// The id of the queued action.
    Queued(i64),
    Mute(Box<IssueMute>),
    Mutes(Vec<IssueMute>),
    WeeklySummary(Box<WeeklySummary>),
    SentryWorkflow(Box<SentryWorkflow>),
    ServiceHooks(Vec<ServiceHookRow>),
    Account(Box<Account>),
    Projects(Vec<Project>),
    Assignees(Vec<Assignee>),
    /// The preferences asked for, in the order asked.
    PreferencesOf(Vec<ProjectPreferences>),
    /// One project's preferences after a change.
    ProjectPreferences(Box<ProjectPreferences>),
    /// A project's environments in Sentry, by name.
    Environments(Vec<String>),
    MutePreview(MutePreview),
    Ownership(Box<OwnershipAnswer>),
    Done,
}

/// One request for the engine, with where its answer goes.
pub struct Call {
    pub request: Request,
    pub reply: oneshot::Sender<Result<Reply, Failure>>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Answer {
    Ok(Reply),
    Error(Failure),
}

/// Binds the socket, unless another app answers on it ([`ControlError::AlreadyRunning`]). A
/// socket file left by an app that was killed is replaced.
pub async fn bind(path: &Path) -> Result<Listener, ControlError> {
    if channel::connect(path).await.is_ok() {
        return Err(ControlError::AlreadyRunning);
    }
    channel::bind(path).map_err(|cause| ControlError::Io {
        path: path.to_owned(),
        cause,
    })
}

/// Answers connections until the listener's task is dropped: calls go to `calls`, subscribers
/// get `events`.
pub async fn serve(mut listener: Listener, calls: mpsc::Sender<Call>, events: broadcast::Sender<Event>) {
    loop {
        let stream = match listener.accept().await {
            Ok(stream) => stream,
            Err(e) => {
                tracing::warn!(error = %e, "control socket: cannot accept");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        tokio::spawn(connection(stream, calls.clone(), events.clone()));
    }
}

async fn connection(stream: channel::Stream, calls: mpsc::Sender<Call>, events: broadcast::Sender<Event>) {
    let (read, mut write) = tokio::io::split(stream);
    let mut lines = BufReader::new(read.take(MAX_LINE)).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let request = match serde_json::from_str::<Request>(&line) {
            Ok(request) => request,
            Err(e) => {
                let _ = send(&mut write, &Answer::Error(format!("not a request: {e}").into())).await;
                return;
            }
        };
        if request == (Request::Subscribe {}) {
            let mut receiver = events.subscribe();
            // Only the app's own sender keeps the stream open: when it goes, the window hears the end.
            drop(events);
            loop {
                let received = tokio::select! {
                    received = receiver.recv() => received,
                    // The window went away: stop counting it as open at once, not at the next event.
                    _ = lines.next_line() => return,
                };
                let event = match received {
                    Ok(event) => event,
                    // A window that fell behind only needs to know that something changed.
                    Err(broadcast::error::RecvError::Lagged(_)) => Event::Changed,
                    Err(broadcast::error::RecvError::Closed) => return,
                };
                if send(&mut write, &event).await.is_err() {
                    return;
                }
            }
        }
        let (reply, answer) = oneshot::channel();
        // The method is logged, never the parameters: they may hold a token.
        tracing::debug!(method = request.method(), "control call");
        let call = Call { request, reply };
        let answer = match calls.send(call).await {
            Ok(()) => answer.await.unwrap_or_else(|_| Err("the app is shutting down".into())),
            Err(_) => Err("the app is shutting down".into()),
        };
        let answer = match answer {
            Ok(value) => Answer::Ok(value),
            Err(failure) => Answer::Error(failure),
        };
        if send(&mut write, &answer).await.is_err() {
            return;
        }
    }
}

async fn send(write: &mut (impl AsyncWrite + Unpin), message: &impl Serialize) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(message).map_err(std::io::Error::other)?;
    line.push(b'\n');
    write.write_all(&line).await
}

/// The way into a running app.
#[derive(Debug, Clone)]
pub struct Client {
    path: PathBuf,
}

impl Client {
    pub fn new(path: PathBuf) -> Client {
        Client { path }
    }

    async fn connect(&self) -> Result<channel::Stream, ControlError> {
        channel::connect(&self.path).await.map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused => ControlError::NotRunning {
                path: self.path.clone(),
            },
            _ => ControlError::Io {
                path: self.path.clone(),
                cause: e,
            },
        })
    }

    /// Asks the running app; its error message comes back as [`ControlError::Failed`].
    pub async fn call(&self, request: &Request) -> Result<Reply, ControlError> {
        let method = request.method();
        let mut stream = self.connect().await?;
        let mut line = serde_json::to_vec(request).map_err(|e| ControlError::Protocol(e.to_string()))?;
        line.push(b'\n');
        let io = |cause| ControlError::Io {
            path: self.path.clone(),
            cause,
        };
        stream.write_all(&line).await.map_err(io)?;
        let mut answer = String::new();
        let read = tokio::time::timeout(
            CALL_TIMEOUT,
            BufReader::new(stream.take(MAX_LINE * 16)).read_line(&mut answer),
        )
        .await;
        match read {
            Err(_) => {
                return Err(ControlError::Failed(
                    format!("the app did not answer `{method}` within {} s", CALL_TIMEOUT.as_secs()).into(),
                ));
            }
            Ok(Err(e)) => return Err(io(e)),
            Ok(Ok(0)) => return Err(ControlError::Protocol("the connection closed before an answer".into())),
            Ok(Ok(_)) => {}
        }
        match serde_json::from_str::<Answer>(&answer).map_err(|e| ControlError::Protocol(e.to_string()))? {
            Answer::Ok(value) => Ok(value),
            Answer::Error(message) => Err(ControlError::Failed(message)),
        }
    }

    /// The app's events, until it quits (then `None`).
    pub async fn subscribe(&self) -> Result<Subscription, ControlError> {
        let mut stream = self.connect().await?;
        let mut line = serde_json::to_vec(&Request::Subscribe {}).map_err(|e| ControlError::Protocol(e.to_string()))?;
        line.push(b'\n');
        stream.write_all(&line).await.map_err(|cause| ControlError::Io {
            path: self.path.clone(),
            cause,
        })?;
        Ok(Subscription {
            lines: BufReader::new(stream).lines(),
        })
    }
}

pub struct Subscription {
    lines: tokio::io::Lines<BufReader<channel::Stream>>,
}

impl Subscription {
    pub async fn next(&mut self) -> Option<Event> {
        loop {
            let line = self.lines.next_line().await.ok()??;
            match serde_json::from_str(&line) {
                Ok(event) => return Some(event),
                Err(e) => tracing::warn!(error = %e, "control socket: an event this window does not know"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn engine(dir: &Path) -> (PathBuf, broadcast::Sender<Event>, tokio::task::JoinHandle<()>) {
        let path = dir.join("control.sock");
        let listener = bind(&path).await.unwrap();
        let (calls, mut incoming) = mpsc::channel::<Call>(8);
        let (events, _) = broadcast::channel(8);
        let server = tokio::spawn(serve(listener, calls, events.clone()));
        tokio::spawn(async move {
            while let Some(call) = incoming.recv().await {
                // A stand-in for the app: it knows whether it is paused, and nothing else.
                let answer = match call.request {
                    Request::SetPaused { paused } => Ok(Reply::Autostart(paused)),
                    Request::AddAccount { .. } => Err(Failure {
                        message: "Sentry rejected the token (401)".into(),
                        field: Some(InputField::Token),
                    }),
                    other => Err(format!("no `{}` here", other.method()).into()),
                };
                let _ = call.reply.send(answer);
            }
        });
        (path, events, server)
    }

    #[tokio::test]
    async fn calls_are_answered_and_errors_come_back_as_messages() {
        let dir = tempfile::tempdir().unwrap();
        let (path, _events, _server) = engine(dir.path()).await;
        let client = Client::new(path);
        let answered = client.call(&Request::SetPaused { paused: true }).await.unwrap();
        assert!(matches!(answered, Reply::Autostart(true)), "{answered:?}");
        let failed = client.call(&Request::Projects {}).await.unwrap_err();
        assert_eq!(failed.to_string(), "no `projects` here");
        // A refusal about a field the user typed names it, so the window shows it there.
        let add = Request::AddAccount {
            url: "https://sentry.io".into(),
            org: "acme".into(),
            token: "wrong".into(),
        };
        let Err(ControlError::Failed(refused)) = client.call(&add).await else {
            panic!("the refusal did not come back as one")
        };
        assert_eq!(refused.field, Some(InputField::Token));
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn the_socket_is_one_apps_and_a_dead_apps_socket_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let (path, _events, server) = engine(dir.path()).await;
        assert!(matches!(bind(&path).await, Err(ControlError::AlreadyRunning)));
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600,
            "only the user may connect"
        );
        // The first app is gone but its socket file stays, as after a crash.
        server.abort();
        let _ = server.await;
        assert!(path.exists());
        let again = bind(&path).await;
        assert!(again.is_ok(), "{:?}", again.err());
    }

    #[tokio::test]
    async fn a_subscriber_hears_events_and_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let (path, events, server) = engine(dir.path()).await;
        let mut subscription = Client::new(path.clone()).subscribe().await.unwrap();
        // The subscription is registered once the server has read its request.
        while events.receiver_count() == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        events.send(Event::Show { view: View::Settings }).unwrap();
        events.send(Event::Changed).unwrap();
        assert_eq!(subscription.next().await, Some(Event::Show { view: View::Settings }));
        assert_eq!(subscription.next().await, Some(Event::Changed));
        drop(events);
        server.abort();
        assert_eq!(subscription.next().await, None, "the app quit");
    }

    #[tokio::test]
    async fn a_subscriber_that_hangs_up_stops_listening_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let (path, events, _server) = engine(dir.path()).await;
        let subscription = Client::new(path).subscribe().await.unwrap();
        while events.receiver_count() == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        drop(subscription);
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while events.receiver_count() > 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "a closed window still counts as listening"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    #[tokio::test]
    async fn nobody_there_and_garbage_are_reported_plainly() {
        let dir = tempfile::tempdir().unwrap();
        let missing = Client::new(dir.path().join("control.sock"))
            .call(&Request::Status {})
            .await
            .unwrap_err();
        assert!(matches!(missing, ControlError::NotRunning { .. }), "{missing}");
        assert!(missing.to_string().starts_with("Sentry Tray is not running"));
        let (path, _events, _server) = engine(dir.path()).await;
        let mut raw = channel::connect(&path).await.unwrap();
        raw.write_all(b"this is not json\n").await.unwrap();
        let mut answer = String::new();
        BufReader::new(raw).read_line(&mut answer).await.unwrap();
        assert!(answer.contains("not a request"), "{answer}");
    }

    #[test]
    fn requests_are_the_windows_method_and_params_and_unknown_ones_are_refused() {
        let read = |line: &str| serde_json::from_str::<Request>(line);
        assert_eq!(
            read(
                r#"{"method":"set_preference","params":{"project":"web","org":"acme","key":"enabled","value":"off"}}"#
            )
            .unwrap(),
            Request::SetPreference {
                project: "web".into(),
                org: Some("acme".into()),
                key: "enabled".into(),
                value: "off".into()
            }
        );
        assert_eq!(
            read(r#"{"method":"inbox","params":{}}"#).unwrap(),
            Request::Inbox {
                query: InboxQuery::default()
            }
        );
        assert!(read(r#"{"method":"drop_tables","params":{}}"#).is_err());
        assert!(read(r#"{"method":"set_paused","params":{"paused":"yes"}}"#).is_err());
        let wire = serde_json::to_value(Request::OpenWindow {
            view: Some(View::Settings),
        })
        .unwrap();
        assert_eq!(
            wire,
            serde_json::json!({"method": "open_window", "params": {"view": "settings"}})
        );
    }
}
