//! Acting on issues in Sentry through a durable queue: what the user chose is written to SQLite
//! before anything is sent, then sent with retries and exponential backoff on network errors,
//! 5xx and 429, recorded, and confirmed to the user. The queue survives restarts and offline
//! spells; one worker claims a row at a time, so a choice is applied once.

use std::sync::Arc;
use std::time::Duration;

use rusqlite::{OptionalExtension, params};
use sentry_api::{ApiError, Issue, IssueUpdate};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::Notify;

use crate::accounts::{self, Account};
use crate::alert::{Alert, IssueStatus, Source};
use crate::api::Engine;
use crate::inbox::IssueState;
use crate::notifier::{Chosen, Notifier, UserAction};
use crate::receiver::now;
use crate::secrets::SecretError;
use crate::store::{Store, StoreError};

/// Tries while the server is in trouble (5xx, 429) before an action fails visibly: with backoff
/// from 2 s, the waits add up to about 8.5 minutes, within the 10 the user is promised.
pub(crate) const MAX_TROUBLED_ATTEMPTS: i64 = 9;
/// While the server cannot be reached at all, an action waits without a deadline, trying again
/// at least this often so it goes out soon after the network is back.
const OFFLINE_RETRY: Duration = Duration::from_secs(60);
const FIRST_RETRY: Duration = Duration::from_secs(2);
const MAX_RETRY: Duration = Duration::from_secs(600);
/// How long after Sentry confirmed an action it can be undone (seconds).
pub const UNDO_WINDOW: i64 = 30;
/// A claim older than this belongs to a process that died: the row is free again.
const CLAIM_TIMEOUT: i64 = 120;

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error("no Sentry auth token is configured: add an account in the window, or set SENTRY_AUTH_TOKEN")]
    NoAccount,
    #[error("the issue's organization is unknown: set the account's organization, or SENTRY_ORG")]
    NoOrganization,
    #[error("the issue has no link to open")]
    NoLink,
    #[error("{server} does not support {what}")]
    Unsupported { server: &'static str, what: &'static str },
    #[error("`{0}` is not an action (resolve, ignore[=MINUTES|forever], assign[=WHO], open, unresolve, unassign)")]
    Unknown(String),
    #[error("action {0} has not failed, so there is nothing to retry")]
    NotFailed(i64),
    #[error("action {0} cannot be undone (not done yet, undone already, or nothing reverses it)")]
    NoUndo(i64),
    #[error("action {0} was done more than {UNDO_WINDOW} seconds ago: change the issue in Sentry instead")]
    UndoExpired(i64),
    #[error("could not open the browser: {0}")]
    Browser(String),
    #[error("internal error: {0}")]
    Internal(String),
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ActionError {
    /// What the user asked for cannot be: an unknown action, or a retry of one that did not fail.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            ActionError::Unknown(_) | ActionError::NotFailed(_) | ActionError::NoUndo(_) | ActionError::UndoExpired(_)
        )
    }

    /// The server cannot be reached at all (no network, DNS, connection refused).
    fn is_offline(&self) -> bool {
        matches!(self, ActionError::Api(ApiError::Unreachable { .. }))
    }

    fn is_transient(&self) -> bool {
        matches!(self, ActionError::Api(e) if e.is_transient())
    }
}

/// Where an action of the queue stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ActionState {
    /// Written, not yet confirmed by Sentry (being sent, or waiting to be retried).
    Pending,
    Done,
    /// Given up, with Sentry's error; the user may retry it.
    Failed,
}

/// One row of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct Queued {
    pub id: i64,
    pub org: String,
    pub issue_id: String,
    pub kind: UserAction,
    pub argument: Option<String>,
    pub state: ActionState,
    pub attempts: i64,
    pub error: Option<String>,
    pub notification_id: Option<u32>,
    pub label: Option<String>,
    pub title: Option<String>,
    /// What the server did, once done ("Ignored WEB-1 for 30 min").
    pub outcome: Option<String>,
    /// Sent once without an answer: Sentry may have applied it already.
    #[serde(default)]
    pub maybe_sent: bool,
    /// Until when (Unix seconds) it can be undone, if it can.
    #[serde(default)]
    pub undo_until: Option<i64>,
}

/// What to do, as the queue stores it: `kind` and its optional argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub kind: UserAction,
    pub argument: Option<String>,
}

impl Request {
    /// `resolve`, `ignore`, `ignore=30`, `ignore=forever`, `assign`, `assign=user:42`, `open`.
    pub fn parse(text: &str) -> Result<Request, ActionError> {
        let (kind, argument) = match text.split_once('=') {
            Some((k, a)) => (k, Some(a.trim().to_owned()).filter(|a| !a.is_empty())),
            None => (text, None),
        };
        let kind = UserAction::from_key(kind.trim()).ok_or_else(|| ActionError::Unknown(text.to_owned()))?;
        let valid = match (&kind, argument.as_deref()) {
            (UserAction::Ignore, Some(a)) => a == "forever" || a.parse::<u32>().is_ok_and(|m| m > 0),
            (UserAction::Resolve | UserAction::Open | UserAction::Unresolve | UserAction::Unassign, Some(_)) => false,
            // Muting for me changes nothing in Sentry: it is not an action for the queue.
            (UserAction::MuteForMe, _) => false,
            _ => true,
        };
        if !valid {
            return Err(ActionError::Unknown(text.to_owned()));
        }
        Ok(Request { kind, argument })
    }

    /// What reverses this request on an issue now in `state`, if anything can: a resolve or an
    /// ignore of an open issue is reopened, an assignment goes back to the previous assignee (or
    /// nobody). Undoing an undo, or a change from a state the app does not know, is not offered.
    pub fn undo(&self, state: &IssueState) -> Option<Request> {
        let (kind, argument) = match self.kind {
            UserAction::Resolve | UserAction::Ignore => match state.status {
                Some(IssueStatus::Unresolved) | None => (UserAction::Unresolve, None),
                Some(IssueStatus::Resolved) if self.kind == UserAction::Ignore => (UserAction::Resolve, None),
                Some(_) => return None,
            },
            UserAction::AssignToMe => match &state.assigned_to {
                Some(to) => (UserAction::AssignToMe, Some(to.clone())),
                None if state.assignment_known => (UserAction::Unassign, None),
                None => return None,
            },
            UserAction::Open | UserAction::Unresolve | UserAction::Unassign | UserAction::MuteForMe => return None,
        };
        Some(Request { kind, argument })
    }

    /// The request as the queue and the command line write it (`ignore=30`).
    pub fn text(&self) -> String {
        match &self.argument {
            Some(a) => format!("{}={a}", self.kind.key()),
            None => self.kind.key().to_owned(),
        }
    }

    /// The queue's row as a request.
    fn of(row: &Queued) -> Result<Request, ActionError> {
        Request::parse(
            &Request {
                kind: row.kind,
                argument: row.argument.clone(),
            }
            .text(),
        )
    }

    /// What the server did to the issue called `label`, from its `answer`: what was asked,
    /// unless the answer shows otherwise (GlitchTip ignores for good when asked for minutes).
    pub fn outcome(&self, label: &str, answer: &Value) -> String {
        let duration_dropped = answer["status"] == "ignored" && answer["statusDetails"]["ignoreDuration"].is_null();
        match (&self.kind, self.argument.as_deref()) {
            (UserAction::Ignore, Some(minutes)) if minutes != "forever" && duration_dropped => {
                format!("Ignored {label} forever: the server does not ignore for {minutes} min")
            }
            _ => self.done(label),
        }
    }

    /// What was done to the issue called `label`, once Sentry confirmed it.
    pub fn done(&self, label: &str) -> String {
        match (&self.kind, self.argument.as_deref()) {
            (UserAction::Resolve, _) => format!("Resolved {label}"),
            (UserAction::Ignore, None) => format!("Ignored {label} until it escalates"),
            (UserAction::Ignore, Some("forever")) => format!("Ignored {label} forever"),
            (UserAction::Ignore, Some(minutes)) => format!("Ignored {label} for {minutes} min"),
            (UserAction::AssignToMe, None) => format!("Assigned {label} to you"),
            (UserAction::AssignToMe, Some(who)) => format!("Assigned {label} to {who}"),
            (UserAction::Open, _) => format!("Opened {label}"),
            (UserAction::Unresolve, _) => format!("Reopened {label}"),
            (UserAction::Unassign, _) => format!("Unassigned {label}"),
            (UserAction::MuteForMe, _) => format!("Muted {label} for you"),
        }
    }

    /// Whether `issue`, as Sentry has it now, already shows this change (`me`: the token's user).
    fn already_applied(&self, issue: &Issue, me: Option<&str>) -> bool {
        let status = issue.status.as_deref();
        let assigned = issue.assigned_to.as_ref().filter(|a| a.is_object());
        let field = |name: &str| assigned.and_then(|a| a[name].as_str()).map(str::to_owned);
        let assigned_type = field("type");
        match (&self.kind, self.argument.as_deref()) {
            (UserAction::Resolve, _) => status == Some("resolved"),
            (UserAction::Ignore, _) => status == Some("ignored"),
            (UserAction::AssignToMe, None) => {
                assigned_type.as_deref() == Some("user") && me.is_some() && field("id").as_deref() == me
            }
            (UserAction::AssignToMe, Some(who)) => match who.split_once(':') {
                Some(("user", id)) => assigned_type.as_deref() == Some("user") && field("id").as_deref() == Some(id),
                Some(("team", slug)) => {
                    assigned_type.as_deref() == Some("team")
                        && (field("slug").as_deref() == Some(slug) || field("name").as_deref() == Some(slug))
                }
                _ => ["email", "username", "name"]
                    .iter()
                    .any(|f| field(f).is_some_and(|v| v.eq_ignore_ascii_case(who))),
            },
            (UserAction::Open | UserAction::MuteForMe, _) => false,
            (UserAction::Unresolve, _) => status == Some("unresolved"),
            (UserAction::Unassign, _) => issue.assigned_to.as_ref().is_some_and(Value::is_null),
        }
    }

    fn update(&self, me: impl FnOnce() -> Option<String>) -> Option<IssueUpdate> {
        Some(match (&self.kind, self.argument.as_deref()) {
            (UserAction::Resolve, _) => IssueUpdate::resolve(),
            (UserAction::Ignore, None) => IssueUpdate::ignore_until_escalating(),
            (UserAction::Ignore, Some("forever")) => IssueUpdate::ignore_forever(),
            (UserAction::Ignore, Some(minutes)) => IssueUpdate::ignore_for(minutes.parse().ok()?),
            (UserAction::AssignToMe, Some(who)) => IssueUpdate::assign(who),
            (UserAction::AssignToMe, None) => IssueUpdate::assign(&format!("user:{}", me()?)),
            (UserAction::Unresolve, _) => IssueUpdate::unresolve(),
            (UserAction::Unassign, _) => IssueUpdate::unassign(),
            (UserAction::Open | UserAction::MuteForMe, _) => return None,
        })
    }
}

#[derive(Clone)]
pub struct Actions {
    engine: Engine,
    notifier: Option<Notifier>,
    wake: Arc<Notify>,
}

impl std::fmt::Debug for Actions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Actions")
            .field("store", self.store())
            .finish_non_exhaustive()
    }
}

impl Actions {
    /// `notifier`: where outcomes are shown (`None` from the command line).
    pub fn new(engine: Engine, notifier: Option<Notifier>) -> Actions {
        Actions {
            engine,
            notifier,
            wake: Arc::new(Notify::new()),
        }
    }

    fn store(&self) -> &Store {
        self.engine.store()
    }

    /// A choice made on a notification: opened at once, or queued and sent by the worker.
    pub async fn handle(&self, chosen: Chosen) {
        if chosen.action == UserAction::Open {
            let opened = chosen
                .alert
                .web_url
                .as_deref()
                .ok_or(ActionError::NoLink)
                .and_then(open_in_browser);
            if let Err(e) = opened {
                self.show(
                    Some(chosen.notification_id),
                    "Could not open the issue",
                    &e.to_string(),
                    true,
                )
                .await;
            } else if let Some(notifier) = &self.notifier {
                notifier.close(&chosen.alert.thread_key()).await;
            }
            return;
        }
        if chosen.action == UserAction::MuteForMe {
            self.mute_from_notification(&chosen).await;
            return;
        }
        let request = Request {
            kind: chosen.action,
            argument: None,
        };
        let label = chosen.alert.label().to_owned();
        match self.enqueue(
            chosen.alert.org.as_deref(),
            &chosen.alert.issue_id,
            &request,
            Some(chosen.notification_id),
            &label,
            &chosen.alert.title,
        ) {
            Ok(id) => {
                tracing::info!(action = id, issue = %chosen.alert.issue_id, kind = chosen.action.key(), "action queued")
            }
            Err(e) => {
                tracing::error!(error = %e, "could not queue the action");
                self.show(
                    Some(chosen.notification_id),
                    &format!("Could not {} {label}", chosen.action.label().to_lowercase()),
                    &e.to_string(),
                    true,
                )
                .await;
            }
        }
    }

    /// The notification's "Mute 1 h for me", and the longer mutes its confirmation offers: kept
    /// here, Sentry not told; the notification says until when.
    async fn mute_from_notification(&self, chosen: &Chosen) {
        let alert = &chosen.alert;
        let label = alert.label().to_owned();
        let now = chrono::Utc::now();
        let until = match chosen.until.as_deref() {
            None => Some(crate::policy::MuteUntil::Time {
                at: now + chrono::Duration::hours(1),
            }),
            Some(text) => crate::policy::MuteUntil::parse(text, now, crate::daemon::tomorrow_morning()),
        };
        let muted = alert.issue_key().zip(until).map(|(key, until)| {
            self.engine.mute_issue(crate::mutes::IssueMute {
                account: key.account.unwrap_or_default().to_owned(),
                org: key.org.to_owned(),
                issue_id: key.issue_id.to_owned(),
                project: alert.project.clone(),
                label: label.clone(),
                title: alert.title.clone(),
                until,
                muted_at: now,
                ended: None,
            })
        });
        let id = chosen.notification_id;
        match muted {
            Some(Ok(mute)) => {
                let only_here = "Only here: Sentry and everyone else are not affected.";
                match (&mute.until, &self.notifier) {
                    (crate::policy::MuteUntil::Time { at }, Some(notifier)) if chosen.until.is_none() => {
                        let back = at.with_timezone(&chrono::Local).format("%H:%M");
                        let body = format!("{only_here} Back at {back}, or mute it longer:");
                        let summary = format!("Muted {label} for you for 1 hour");
                        if let Err(e) = notifier.show_muted(id, alert, &summary, &body).await {
                            tracing::warn!(error = %e, "could not confirm the mute");
                        }
                    }
                    (until, _) => {
                        let until = match until {
                            crate::policy::MuteUntil::Time { at } => {
                                format!("until {}", at.with_timezone(&chrono::Local).format("%a %H:%M"))
                            }
                            other => other.to_string(),
                        };
                        self.show(Some(id), &format!("Muted {label} for you {until}"), only_here, false)
                            .await;
                    }
                }
            }
            Some(Err(e)) => {
                tracing::error!(error = %e, "could not mute the issue for me");
                self.show(Some(id), &format!("Could not mute {label}"), &e.to_string(), true)
                    .await;
            }
            None => {}
        }
    }

    /// Has the worker look at the queue now (an action was queued by another process).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Writes the action to the queue and wakes the worker.
    pub fn enqueue(
        &self,
        org: Option<&str>,
        issue_id: &str,
        request: &Request,
        notification_id: Option<u32>,
        label: &str,
        title: &str,
    ) -> Result<i64, ActionError> {
        // What reverses it is read from the issue's state before it changes.
        let state = self.store().issue_state(None, org, issue_id)?;
        let undo = request.undo(&state).map(|r| r.text());
        let conn = self.store().conn();
        conn.execute(
            "INSERT INTO actions (org, issue_id, kind, argument, state, created_at, updated_at, next_attempt_at, notification_id, label, title, undo)
             VALUES (?1, ?2, ?3, ?4, ?9, ?5, ?5, 0, ?6, ?7, ?8, ?10)",
            params![
                org.unwrap_or(""),
                issue_id,
                request.kind,
                request.argument,
                now(),
                notification_id,
                label,
                title,
                ActionState::Pending,
                undo
            ],
        )
        .map_err(|e| self.store().err(e))?;
        let id = conn.last_insert_rowid();
        drop(conn);
        self.wake.notify_one();
        Ok(id)
    }

    pub fn get(&self, id: i64) -> Result<Option<Queued>, ActionError> {
        Ok(self.rows("id = ?1", id)?.pop())
    }

    /// The latest actions, newest first: what was done, what waits, what failed and why.
    pub fn recent(&self, limit: usize) -> Result<Vec<Queued>, ActionError> {
        self.rows("1 = 1 ORDER BY id DESC LIMIT ?1", limit as i64)
    }

    /// Sends a failed action again, from its first try.
    pub fn retry(&self, id: i64) -> Result<Queued, ActionError> {
        let changed = self
            .store()
            .conn()
            .execute(
                "UPDATE actions SET state = ?3, attempts = 0, next_attempt_at = 0, claimed_at = NULL, claimed_by = NULL, updated_at = ?2
                 WHERE id = ?1 AND state = ?4",
                params![id, now(), ActionState::Pending, ActionState::Failed],
            )
            .map_err(|e| self.store().err(e))?;
        if changed == 0 {
            return Err(ActionError::NotFailed(id));
        }
        self.wake.notify_one();
        self.get(id)?.ok_or(ActionError::NotFailed(id))
    }

    /// Queues what reverses the done action `id` (within [`UNDO_WINDOW`] of its confirmation):
    /// once; answers the new action's id.
    pub fn undo(&self, id: i64) -> Result<i64, ActionError> {
        let row = self.get(id)?.ok_or(ActionError::NoUndo(id))?;
        let until = row.undo_until.ok_or(ActionError::NoUndo(id))?;
        if now() > until {
            return Err(ActionError::UndoExpired(id));
        }
        let undo: Option<String> = self
            .store()
            .conn()
            .query_row("SELECT undo FROM actions WHERE id = ?1", [id], |r| r.get(0))
            .map_err(|e| self.store().err(e))?;
        let request = Request::parse(&undo.ok_or(ActionError::NoUndo(id))?)?;
        // Taken first: a second Undo (another window, a double click) finds nothing to undo.
        let taken = self
            .store()
            .conn()
            .execute(
                "UPDATE actions SET undo = NULL WHERE id = ?1 AND undo IS NOT NULL",
                [id],
            )
            .map_err(|e| self.store().err(e))?;
        if taken == 0 {
            return Err(ActionError::NoUndo(id));
        }
        let org = Some(row.org.as_str()).filter(|o| !o.is_empty());
        let label = row.label.as_deref().unwrap_or(&row.issue_id);
        self.enqueue(
            org,
            &row.issue_id,
            &request,
            None,
            label,
            row.title.as_deref().unwrap_or(""),
        )
    }

    /// Rows matching `filter` (a fixed clause of this module, with one parameter).
    fn rows(&self, filter: &str, parameter: i64) -> Result<Vec<Queued>, ActionError> {
        let conn = self.store().conn();
        let sql = format!(
            "SELECT id, org, issue_id, kind, argument, state, attempts, error, notification_id, label, title, outcome,
                    maybe_sent, undo, updated_at
             FROM actions WHERE {filter}"
        );
        let mut stmt = conn.prepare(&sql).map_err(|e| self.store().err(e))?;
        let rows = stmt
            .query_map([parameter], |r| {
                Ok(Queued {
                    id: r.get(0)?,
                    org: r.get(1)?,
                    issue_id: r.get(2)?,
                    kind: r.get(3)?,
                    argument: r.get(4)?,
                    state: r.get(5)?,
                    attempts: r.get(6)?,
                    error: r.get(7)?,
                    notification_id: r.get(8)?,
                    label: r.get(9)?,
                    title: r.get(10)?,
                    outcome: r.get(11)?,
                    maybe_sent: r.get(12)?,
                    undo_until: match (r.get::<_, ActionState>(5)?, r.get::<_, Option<String>>(13)?) {
                        (ActionState::Done, Some(_)) => Some(r.get::<_, i64>(14)? + UNDO_WINDOW),
                        _ => None,
                    },
                })
            })
            .map_err(|e| self.store().err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.store().err(e).into())
    }

    /// Claims the next due row, if any: no other worker (another process) will run it meanwhile.
    fn claim_due(&self, only: Option<i64>) -> Result<Option<Queued>, ActionError> {
        let t = now();
        let candidate: Option<i64> = self
            .store()
            .conn()
            .query_row(
                "SELECT id FROM actions WHERE state = ?4 AND next_attempt_at <= ?1
                   AND (claimed_at IS NULL OR claimed_at < ?2) AND (?3 IS NULL OR id = ?3)
                 ORDER BY id LIMIT 1",
                params![t, t - CLAIM_TIMEOUT, only, ActionState::Pending],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.store().err(e))?;
        let Some(id) = candidate else { return Ok(None) };
        let claimed = self
            .store()
            .conn()
            .execute(
                "UPDATE actions SET claimed_at = ?2, claimed_by = ?4
                 WHERE id = ?1 AND state = ?5 AND (claimed_at IS NULL OR claimed_at < ?3)",
                params![id, t, t - CLAIM_TIMEOUT, std::process::id(), ActionState::Pending],
            )
            .map_err(|e| self.store().err(e))?;
        if claimed == 1 { self.get(id) } else { Ok(None) }
    }

    fn record(&self, id: i64, state: ActionState, said: Said, next_attempt_at: i64) -> Result<(), ActionError> {
        let (error, outcome) = match said {
            Said::Error(error) => (Some(error), None),
            Said::Outcome(outcome) => (None, Some(outcome)),
        };
        self.store()
            .conn()
            .execute(
                "UPDATE actions SET state = ?2, error = ?3, outcome = ?6, attempts = attempts + 1, updated_at = ?4,
                        next_attempt_at = ?5, claimed_at = NULL, claimed_by = NULL
                 WHERE id = ?1",
                params![id, state, error, now(), next_attempt_at, outcome],
            )
            .map(drop)
            .map_err(|e| self.store().err(e).into())
    }

    /// Runs the queue until the end of the process: what is due now, then sleeps until the next
    /// retry or a new action. Actions left pending by an earlier run go first.
    pub async fn run(self) {
        self.free_dead_claims();
        let _ = self.store().conn().execute(
            "UPDATE actions SET next_attempt_at = 0 WHERE state = ?1",
            [ActionState::Pending],
        );
        loop {
            loop {
                match self.claim_due(None) {
                    Ok(Some(row)) => self.execute(row).await,
                    Ok(None) => break,
                    Err(e) => {
                        tracing::error!(error = %e, "the action queue cannot be read");
                        break;
                    }
                }
            }
            let next: Option<i64> = self
                .store()
                .conn()
                .query_row(
                    "SELECT min(next_attempt_at) FROM actions WHERE state = ?1",
                    [ActionState::Pending],
                    |r| r.get(0),
                )
                .ok()
                .flatten();
            let wait = next.map(|t| (t - now()).clamp(1, 3600) as u64).unwrap_or(3600);
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(wait)) => {}
            }
        }
    }

    /// Frees the claims of processes that are gone (an app killed mid-send), so their actions
    /// are sent now rather than when the claims expire.
    fn free_dead_claims(&self) {
        let claims: Vec<(i64, u32)> = {
            let conn = self.store().conn();
            let Ok(mut stmt) =
                conn.prepare("SELECT id, claimed_by FROM actions WHERE state = ?1 AND claimed_by IS NOT NULL")
            else {
                return;
            };
            let rows = stmt.query_map([ActionState::Pending], |r| Ok((r.get(0)?, r.get(1)?)));
            rows.map(|rows| rows.flatten().collect()).unwrap_or_default()
        };
        for (id, pid) in claims {
            if pid != std::process::id() && !process_alive(pid) {
                let _ = self.store().conn().execute(
                    "UPDATE actions SET claimed_at = NULL, claimed_by = NULL WHERE id = ?1",
                    [id],
                );
            }
        }
    }

    /// Runs one queued row now if it is due (the command line's `act`); returns it as it stands.
    pub async fn run_one(&self, id: i64) -> Result<Option<Queued>, ActionError> {
        if let Some(row) = self.claim_due(Some(id))? {
            self.execute(row).await;
        }
        self.get(id)
    }

    async fn execute(&self, row: Queued) {
        let label = row.label.clone().unwrap_or_else(|| row.issue_id.clone());
        let verb = row.kind.label().to_lowercase();
        let result = self.send(&row, &label).await;
        let retry = result.as_ref().err().and_then(|e| retry_in(&row, e));
        let recorded = match (&result, retry) {
            (Ok(outcome), _) => self.record(row.id, ActionState::Done, Said::Outcome(outcome.clone()), 0),
            (Err(e), Some(wait)) => {
                tracing::warn!(action = row.id, error = %e, retry_in = wait.as_secs(), "action will be retried");
                if row.attempts == 0 {
                    let (summary, body) = if e.is_offline() {
                        let body = format!("{verb} {label} is kept and sent once the server can be reached ({e}).");
                        ("Queued: offline".to_owned(), body)
                    } else {
                        let body = format!("{e}. It is kept and will be sent when the server answers.");
                        (format!("Queued: {verb} {label}"), body)
                    };
                    self.show(row.notification_id, &summary, &body, true).await;
                }
                let next = now() + wait.as_secs().max(1) as i64;
                self.record(row.id, ActionState::Pending, Said::Error(e.to_string()), next)
            }
            (Err(e), None) => self.record(row.id, ActionState::Failed, Said::Error(e.to_string()), 0),
        };
        if let Err(e) = recorded {
            tracing::error!(action = row.id, error = %e, "could not record the action's outcome");
        }
        match (result, retry) {
            (Ok(outcome), _) => {
                tracing::info!(action = row.id, issue = %row.issue_id, kind = row.kind.key(), %outcome, "action done");
                self.show(row.notification_id, &outcome, row.title.as_deref().unwrap_or(""), false)
                    .await;
            }
            (Err(e), None) => {
                tracing::warn!(action = row.id, error = %e, "action failed");
                let summary = format!("Could not {verb} {label}");
                self.show(row.notification_id, &summary, &e.to_string(), true).await;
            }
            (Err(_), Some(_)) => {}
        }
    }

    /// Sends the row's action; answers what the server did, as the user is told it.
    async fn send(&self, row: &Queued, label: &str) -> Result<String, ActionError> {
        let request = Request::of(row)?;
        let (engine, wanted) = (self.engine.clone(), Some(row.org.clone()).filter(|o| !o.is_empty()));
        let (url, token, org) = tokio::task::spawn_blocking(move || credentials(&engine, wanted.as_deref()))
            .await
            .map_err(|e| ActionError::Internal(e.to_string()))??;
        let client = crate::servers::client(self.store(), &Account::environment(&url, &org), &token)?;
        let profile = client.profile();
        if matches!(request.kind, UserAction::AssignToMe | UserAction::Unassign) && !profile.assignment {
            let server = profile.kind.name();
            return Err(ActionError::Unsupported {
                server,
                what: "assigning issues",
            });
        }
        let me = if request.kind == UserAction::AssignToMe && request.argument.is_none() {
            Some(client.whoami().await?.id)
        } else {
            None
        };
        let account = Account::environment(&url, &org);
        if row.maybe_sent {
            // Sent before without an answer: Sentry may have made the change (and its effect,
            // such as a timed ignore, may be under way). Sent again only if it is not there.
            let issue = client.issue(&org, &row.issue_id).await?;
            if request.already_applied(&issue, me.as_deref()) {
                tracing::info!(action = row.id, issue = %row.issue_id, "Sentry already made this change (sent before without an answer); not sent again");
                self.set_maybe_sent(row.id, false)?;
                if let Ok(answer) = serde_json::to_value(&issue) {
                    self.keep_answer(row, request.kind, &account, answer);
                }
                return Ok(request.done(label));
            }
        }
        let update = request.update(|| me.clone()).ok_or(ActionError::NoLink)?;
        // Written before the update leaves: a kill or a dropped connection from here on leaves
        // the row saying the change may have been made.
        self.set_maybe_sent(row.id, true)?;
        let answer = client.update_issue(&org, &row.issue_id, &update).await;
        if !matches!(answer, Err(ApiError::Unreachable { .. } | ApiError::Tls { .. })) {
            // Sentry answered: it did or did not make the change, and said which.
            self.set_maybe_sent(row.id, false)?;
        }
        let answer = answer?;
        let outcome = request.outcome(label, &answer);
        self.keep_answer(row, request.kind, &account, answer);
        Ok(outcome)
    }

    fn set_maybe_sent(&self, id: i64, maybe: bool) -> Result<(), ActionError> {
        self.store()
            .conn()
            .execute("UPDATE actions SET maybe_sent = ?2 WHERE id = ?1", params![id, maybe])
            .map(drop)
            .map_err(|e| self.store().err(e).into())
    }

    /// Sentry's answer becomes the issue's state here: a row of the change (not an alert: the
    /// outcome notification said it), under the key the webhook and polling of the same change
    /// use, so that neither takes it for news from elsewhere.
    fn keep_answer(&self, row: &Queued, kind: UserAction, account: &Account, answer: Value) {
        let change = match kind {
            UserAction::Resolve => "resolved",
            UserAction::Ignore => "ignored",
            UserAction::AssignToMe | UserAction::Unassign => "assigned",
            UserAction::Unresolve => "unresolved",
            UserAction::Open | UserAction::MuteForMe => return,
        };
        // The issue as Sentry answered (its answer to an update may leave out the id).
        let mut issue = serde_json::json!({"id": row.issue_id});
        if let Value::Object(answered) = answer {
            for (field, value) in answered {
                issue[field] = value;
            }
        }
        let body = issue.to_string();
        let issue: Issue = match serde_json::from_value(issue) {
            Ok(issue) => issue,
            Err(e) => {
                tracing::warn!(action = row.id, error = %e, "Sentry's answer to the action is unreadable; the issue's state is not kept");
                return;
            }
        };
        let mut alert = Alert::from_issue_webhook(change, &issue, None, Some(&account.org), body.as_bytes())
            .of_account(&account.key());
        alert.source = Source::Action;
        if let Err(e) = self.store().insert_alert(&alert, now()) {
            tracing::warn!(action = row.id, error = %e, "the issue's state after the action is not kept");
        }
    }

    async fn show(&self, notification_id: Option<u32>, summary: &str, body: &str, failed: bool) {
        let (Some(notifier), Some(id)) = (&self.notifier, notification_id) else {
            return;
        };
        if let Err(e) = notifier.show_outcome(id, summary, body, failed).await {
            tracing::warn!(error = %e, "could not show the action's outcome");
        }
    }
}

/// Whether a process runs: a claim by a process that is gone is taken over at once.
#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid).ok().and_then(rustix::process::Pid::from_raw) else {
        return false;
    };
    // Signal 0 only asks: "no such process" is gone; "not permitted" is someone else's, alive.
    !matches!(rustix::process::test_kill_process(pid), Err(rustix::io::Errno::SRCH))
}

/// Whether a process runs: a claim by a process that is gone is taken over at once.
#[cfg(windows)]
#[allow(unsafe_code)]
fn process_alive(pid: u32) -> bool {
    use windows_sys::Win32::Foundation::{CloseHandle, STILL_ACTIVE};
    use windows_sys::Win32::System::Threading::{GetExitCodeProcess, OpenProcess, PROCESS_QUERY_LIMITED_INFORMATION};
    // SAFETY: the handle is checked before use and closed once; the exit code is written to a
    // local.
    unsafe {
        let handle = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
        if handle.is_null() {
            return false;
        }
        let mut code = 0u32;
        let read = GetExitCodeProcess(handle, &mut code);
        CloseHandle(handle);
        read != 0 && code == STILL_ACTIVE as u32
    }
}

/// What the queue records of a try: why it failed, or what the server did.
enum Said {
    Error(String),
    Outcome(String),
}

/// When to try `row` again after `error`, or `None` to fail it now: a server that cannot be
/// reached is waited for without a deadline; one in trouble (5xx, 429) for about 10 minutes;
/// anything else (a 4xx, a feature the server lacks) fails at once.
pub(crate) fn retry_in(row: &Queued, error: &ActionError) -> Option<Duration> {
    if error.is_offline() {
        return Some(retry_delay(row.attempts).min(OFFLINE_RETRY));
    }
    if !error.is_transient() || row.attempts + 1 >= MAX_TROUBLED_ATTEMPTS {
        return None;
    }
    Some(match error {
        ActionError::Api(ApiError::RateLimited {
            retry_after: Some(wait),
        }) => *wait,
        _ => retry_delay(row.attempts),
    })
}

fn retry_delay(attempts: i64) -> Duration {
    FIRST_RETRY
        .saturating_mul(1u32 << attempts.clamp(0, 16) as u32)
        .min(MAX_RETRY)
}

/// The URL, token and organization to act with: the account of the issue's organization, else
/// the environment's (or the single legacy) token. Blocking (keyring).
fn credentials(engine: &Engine, org: Option<&str>) -> Result<(String, String, String), ActionError> {
    if let Some((account, token)) = accounts::for_org(engine, org).map_err(|e| ActionError::Internal(e.to_string()))?
        && org.is_none_or(|o| o == account.org)
    {
        return Ok((account.url, token, account.org));
    }
    let account = engine.settings().environment().ok_or(ActionError::NoAccount)?;
    let org = org
        .map(str::to_owned)
        .or(account.org.clone())
        .ok_or(ActionError::NoOrganization)?;
    Ok((account.url, account.token, org))
}

/// Opens `url` in the user's browser (`$BROWSER` is honoured).
pub fn open_in_browser(url: &str) -> Result<(), ActionError> {
    webbrowser::open(url).map_err(|e| ActionError::Browser(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outcome_says_what_was_done() {
        let done = |text| Request::parse(text).unwrap().done("WEB-1");
        assert_eq!(done("resolve"), "Resolved WEB-1");
        assert_eq!(done("ignore"), "Ignored WEB-1 until it escalates");
        assert_eq!(done("ignore=30"), "Ignored WEB-1 for 30 min");
        assert_eq!(done("ignore=forever"), "Ignored WEB-1 forever");
        assert_eq!(done("assign"), "Assigned WEB-1 to you");
        assert_eq!(done("assign=team:payments"), "Assigned WEB-1 to team:payments");
    }

    #[test]
    fn requests_are_read_from_the_command_line_form() {
        assert_eq!(Request::parse("resolve").unwrap().kind, UserAction::Resolve);
        assert_eq!(Request::parse("ignore=30").unwrap().argument.as_deref(), Some("30"));
        assert_eq!(
            Request::parse("ignore=forever").unwrap().argument.as_deref(),
            Some("forever")
        );
        assert_eq!(
            Request::parse("assign=team:payments").unwrap().argument.as_deref(),
            Some("team:payments")
        );
        for bad in ["reopen", "ignore=soon", "ignore=0", "resolve=now", ""] {
            assert!(Request::parse(bad).is_err(), "{bad}");
        }
        let update = |text: &str| {
            serde_json::to_value(Request::parse(text).unwrap().update(|| Some("42".into())).unwrap()).unwrap()
        };
        assert_eq!(
            update("ignore=30"),
            serde_json::json!({"status": "ignored", "statusDetails": {"ignoreDuration": 30}})
        );
        assert_eq!(
            update("ignore=forever"),
            serde_json::json!({"status": "ignored", "substatus": "archived_forever"})
        );
        assert_eq!(update("assign"), serde_json::json!({"assignedTo": "user:42"}));
    }

    #[test]
    fn retries_back_off_to_a_ceiling() {
        assert_eq!(retry_delay(0), Duration::from_secs(2));
        assert_eq!(retry_delay(3), Duration::from_secs(16));
        assert_eq!(retry_delay(15), MAX_RETRY);
    }
}
