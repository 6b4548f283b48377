//! What the window (over the control socket) may ask of the app: each [`Request`] is a short
//! call into the engine, its [`Reply`] what the window shows.

use std::sync::Arc;

use engine::control::{Failure, Reply, Request, View};
use engine::{ActionRequest, Daemon};

use crate::autostart;
use crate::window::Window;

#[derive(Clone)]
pub struct Commands {
    pub daemon: Arc<Daemon>,
    pub window: Window,
    /// Something the tray shows changed.
    pub refresh: tokio::sync::mpsc::UnboundedSender<()>,
    /// Gives up the account check in flight (the window's Cancel).
    pub checking: Arc<tokio::sync::Notify>,
}

impl Commands {
    pub async fn call(&self, request: Request) -> Result<Reply, Failure> {
        let daemon = &self.daemon;
        let engine = daemon.engine();
        let failed = Failure::from;
        Ok(match request {
            // The control socket answers subscriptions itself.
            Request::Subscribe {} => return Err("a subscription is not a call".into()),
            Request::Status {} => self.status().await?,
            Request::SetPaused { paused } => {
                daemon.set_paused(paused).map_err(|e| e.to_string())?;
                let _ = self.refresh.send(());
                self.status().await?
            }
            Request::SetAutostart { enabled } => Reply::Autostart(autostart::set(enabled)?),
            Request::OpenWindow { view } => {
                self.window.open(view.unwrap_or(View::Inbox))?;
                Reply::Done
            }
            Request::Inbox { query } => Reply::Inbox(engine.inbox(&query).map_err(failed)?),
            Request::Actions {} => Reply::Actions(engine.actions().recent(20).map_err(|e| e.to_string())?),
            Request::RetryAction { id } => {
                Reply::Action(Box::new(daemon.actions().retry(id).map_err(|e| e.to_string())?))
            }
            Request::UndoAction { id } => Reply::Queued(daemon.actions().undo(id).map_err(|e| e.to_string())?),
            Request::ActOnAlert { alert, action } => Reply::Queued(self.act_on_alert(alert, &action)?),
            Request::MuteForMe { alert, until } => {
                let mute = engine.mute_for_me(alert, &until).map_err(failed)?;
                let _ = self.refresh.send(());
                Reply::Mute(Box::new(mute))
            }
            Request::UnmuteForMe { account, org, issue_id } => {
                let key = engine::IssueKey {
                    account: Some(&account),
                    org: &org,
                    issue_id: &issue_id,
                };
                engine.unmute_for_me(key).map_err(failed)?;
                let _ = self.refresh.send(());
                Reply::Mutes(engine.mutes().map_err(failed)?)
            }
            Request::Mutes {} => Reply::Mutes(engine.mutes().map_err(failed)?),
            Request::SetUpServiceHook {
                org,
                project,
                url,
                token,
            } => {
                engine
                    .set_up_service_hook(&org, &project, &url, token.as_deref())
                    .await
                    .map_err(|e| failed(e.into()))?;
                self.reload_secrets().await;
                Reply::ServiceHooks(engine.service_hooks().map_err(|e| failed(e.into()))?)
            }
            Request::RemoveServiceHook { org, project } => {
                engine
                    .remove_service_hook(&org, &project)
                    .await
                    .map_err(|e| failed(e.into()))?;
                self.reload_secrets().await;
                Reply::ServiceHooks(engine.service_hooks().map_err(|e| failed(e.into()))?)
            }
            Request::ServiceHooks {} => Reply::ServiceHooks(engine.service_hooks().map_err(|e| failed(e.into()))?),
            Request::SentryWorkflow { org } => {
                Reply::SentryWorkflow(Box::new(engine.sentry_workflow(&org).await.map_err(failed)?))
            }
            Request::ApplySentryWorkflow { org } => {
                let proposal = engine.sentry_workflow(&org).await.map_err(failed)?;
                engine.apply_sentry_workflow(&proposal).map_err(failed)?;
                Reply::SentryWorkflow(Box::new(proposal))
            }
            Request::WeeklySummary { to } => Reply::WeeklySummary(Box::new(engine.weekly_summary(to).map_err(failed)?)),
            Request::SetSummarySchedule { schedule } => {
                engine.set_summary_schedule(&schedule).map_err(failed)?;
                Reply::WeeklySummary(Box::new(engine.weekly_summary(None).map_err(failed)?))
            }
            Request::AddAccount { url, org, token } => {
                let added = engine
                    .add_account(&url, &org, &token, self.checking.notified())
                    .await
                    .map_err(failed)?;
                let _ = self.refresh.send(());
                Reply::Account(Box::new(added))
            }
            Request::RemoveAccount { org } => {
                // Its service hooks go first, in Sentry too (while its token is there).
                for (project, e) in engine.remove_service_hooks_of(&org).await {
                    tracing::warn!(project, error = %e, "a service hook of the removed account stays in Sentry");
                }
                let engine = engine.clone();
                // The token leaves the keyring over D-Bus: off the async threads.
                blocking(move || engine.remove_account(&org).map_err(failed)).await?;
                let _ = self.refresh.send(());
                Reply::Done
            }
            Request::Projects {} => Reply::Projects(engine.projects().await.map_err(failed)?),
            Request::SetPreference {
                project,
                org,
                key,
                value,
            } => Reply::ProjectPreferences(Box::new(
                engine
                    .change_preferences(&project, org.as_deref(), &[(key, value)])
                    .map_err(failed)?,
            )),
            Request::SetWebhookSecret { secret, org } => {
                let secret = secret.trim().to_owned();
                if secret.is_empty() {
                    return Err("the webhook secret is empty: paste the integration's Client Secret".into());
                }
                let daemon = daemon.clone();
                // The keyring is a blocking D-Bus call: off the async threads.
                tokio::task::spawn_blocking(move || daemon.set_webhook_secret(org.as_deref(), &secret))
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(failed)?;
                self.status().await?
            }
            Request::ResetPreferences { project, org, only } => Reply::ProjectPreferences(Box::new(
                engine
                    .reset_preferences(&project, org.as_deref(), only.as_deref())
                    .map_err(failed)?,
            )),
            Request::Environments { project, org } => {
                Reply::Environments(engine.environments(&org, &project).await.map_err(failed)?)
            }
            Request::TestOwnership {
                project,
                org,
                rules,
                issue,
                event,
            } => {
                let question = engine::OwnershipQuestion {
                    project,
                    org,
                    rules,
                    issue,
                    event,
                };
                Reply::Ownership(Box::new(engine.test_ownership(question).await))
            }
            Request::MutePreview { project, org, rules } => {
                Reply::MutePreview(engine.mute_preview(&project, org.as_deref(), &rules).map_err(failed)?)
            }
            Request::CancelAccountCheck {} => {
                self.checking.notify_waiters();
                Reply::Done
            }
            Request::Assignees {} => Reply::Assignees(engine.assignees().await.map_err(failed)?),
            Request::PreferencesOf { projects } => Reply::PreferencesOf(
                projects
                    .iter()
                    .map(|p| engine.preferences_from(&p.slug, Some(&p.org)))
                    .collect::<Result<_, _>>()
                    .map_err(failed)?,
            ),
            Request::ActionQueued {} => {
                daemon.actions().wake();
                Reply::Done
            }
        })
    }

    /// The engine's status, and whether the app starts at login.
    async fn status(&self) -> Result<Reply, Failure> {
        // The status reads the keyring over D-Bus: keep it off the async threads.
        let reader = self.daemon.status_reader();
        let status = blocking(move || Ok(reader.read())).await?;
        Ok(Reply::Status {
            status: Box::new(status),
            autostart: autostart::enabled(),
        })
    }

    /// The receiver reads the webhook secrets again (the keyring is D-Bus: off the async threads).
    async fn reload_secrets(&self) {
        let daemon = self.daemon.clone();
        let _ = tokio::task::spawn_blocking(move || daemon.reload_webhook_secrets()).await;
    }

    /// Queues an action on an inbox alert's issue.
    fn act_on_alert(&self, alert: i64, action: &str) -> Result<i64, String> {
        let found = self.daemon.engine().alert(alert).map_err(|e| e.to_string())?;
        let alert = found.ok_or_else(|| format!("alert {alert} is no longer in the inbox"))?;
        let request = ActionRequest::parse(action).map_err(|e| e.to_string())?;
        let label = alert.short_id.clone().unwrap_or_else(|| alert.issue_id.clone());
        self.daemon
            .actions()
            .enqueue(
                alert.org.as_deref(),
                &alert.issue_id,
                &request,
                None,
                &label,
                &alert.title,
            )
            .map_err(|e| e.to_string())
    }
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T, Failure> + Send + 'static) -> Result<T, Failure> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Failure::from(e.to_string()))?
}
