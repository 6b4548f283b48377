//! What the window (over the control socket) may ask of the engine. Each command is a short call
//! into it; the answers are what the window shows.

use std::sync::Arc;

use engine::Daemon;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use engine::control::View;

use crate::autostart;
use crate::window::Window;

#[derive(Clone)]
pub struct Commands {
    pub daemon: Arc<Daemon>,
    pub window: Window,
    /// Something the tray shows changed.
    pub refresh: tokio::sync::mpsc::UnboundedSender<()>,
}

/// One named parameter of a call.
fn arg<T: DeserializeOwned>(params: &Value, name: &str) -> Result<T, String> {
    serde_json::from_value(params.get(name).cloned().unwrap_or(Value::Null))
        .map_err(|e| format!("parameter `{name}`: {e}"))
}

fn answer(value: impl serde::Serialize) -> Result<Value, String> {
    serde_json::to_value(value).map_err(|e| e.to_string())
}

impl Commands {
    pub async fn call(&self, method: &str, params: Value) -> Result<Value, String> {
        let daemon = &self.daemon;
        match method {
            "status" => self.status().await,
            "set_paused" => {
                daemon.set_paused(arg(&params, "paused")?).map_err(|e| e.to_string())?;
                let _ = self.refresh.send(());
                self.status().await
            }
            "set_autostart" => answer(autostart::set(arg(&params, "enabled")?)?),
            "open_window" => answer(
                self.window
                    .open(arg::<Option<View>>(&params, "view")?.unwrap_or_default())?,
            ),
            "inbox" => {
                let alerts = daemon.store().recent_alerts(50).map_err(|e| e.to_string())?;
                answer(
                    alerts
                        .into_iter()
                        .map(engine::store::InboxEntry::from)
                        .collect::<Vec<_>>(),
                )
            }
            "actions" => answer(daemon.actions().recent(20).map_err(|e| e.to_string())?),
            "retry_action" => answer(daemon.actions().retry(arg(&params, "id")?).map_err(|e| e.to_string())?),
            "act_on_alert" => self.act_on_alert(arg(&params, "alert")?, &arg::<String>(&params, "action")?),
            "add_account" => {
                let added = engine::accounts::add(
                    daemon.engine(),
                    &arg::<String>(&params, "url")?,
                    &arg::<String>(&params, "org")?,
                    &arg::<String>(&params, "token")?,
                )
                .await
                .map_err(|e| e.to_string())?;
                let _ = self.refresh.send(());
                answer(added)
            }
            "remove_account" => {
                let (engine, org) = (daemon.engine().clone(), arg::<String>(&params, "org")?);
                blocking(move || engine::accounts::remove(&engine, &org).map_err(|e| e.to_string())).await?;
                let _ = self.refresh.send(());
                answer(())
            }
            "projects" => answer(
                engine::accounts::projects(daemon.engine())
                    .await
                    .map_err(|e| e.to_string())?,
            ),
            "set_preference" => {
                let (project, org) = (
                    arg::<String>(&params, "project")?,
                    arg::<Option<String>>(&params, "org")?,
                );
                let store = daemon.store();
                let mut preferences = store.preferences(&project, org.as_deref()).map_err(|e| e.to_string())?;
                preferences
                    .set(&arg::<String>(&params, "key")?, &arg::<String>(&params, "value")?)
                    .map_err(|e| e.to_string())?;
                store
                    .set_preferences(&project, &preferences)
                    .map_err(|e| e.to_string())?;
                answer(preferences)
            }
            "assignees" => self.assignees().await,
            other => Err(format!("the app has no command `{other}`")),
        }
    }

    /// The engine's status, and whether the app starts at login.
    async fn status(&self) -> Result<Value, String> {
        // The status reads the keyring over D-Bus: keep it off the async threads.
        let reader = self.daemon.status_reader();
        let status = blocking(move || Ok(reader.read())).await?;
        let mut value = answer(status)?;
        value["autostart"] = json!(autostart::enabled());
        Ok(value)
    }

    /// Queues an action on an inbox alert's issue: `resolve`, `ignore[=MINUTES|forever]`,
    /// `assign[=WHO]`.
    fn act_on_alert(&self, alert: i64, action: &str) -> Result<Value, String> {
        let daemon = &self.daemon;
        let found = daemon
            .store()
            .recent_alerts(200)
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|a| a.id == alert);
        let alert = found.ok_or_else(|| format!("alert {alert} is no longer in the inbox"))?;
        let request = engine::actions::Request::parse(action).map_err(|e| e.to_string())?;
        let label = alert.short_id.clone().unwrap_or_else(|| alert.issue_id.clone());
        answer(
            daemon
                .actions()
                .enqueue(
                    alert.org.as_deref(),
                    &alert.issue_id,
                    &request,
                    None,
                    &label,
                    &alert.title,
                )
                .map_err(|e| e.to_string())?,
        )
    }

    /// Whom issues can be assigned to: each account's members and the teams I am on, as
    /// `(assignee, label)` pairs the engine's `assign=` takes.
    async fn assignees(&self) -> Result<Value, String> {
        let mut people = Vec::new();
        for (account, token) in engine::accounts::with_tokens(self.daemon.engine())
            .await
            .map_err(|e| e.to_string())?
        {
            let client = engine::sentry_api::Client::new(&account.url, &token).map_err(|e| e.to_string())?;
            people.extend(
                client
                    .members(&account.org)
                    .await
                    .map_err(|e| format!("{}: {e}", account.org))?,
            );
            people.extend(
                client
                    .my_teams(&account.org)
                    .await
                    .unwrap_or_default()
                    .into_iter()
                    .map(|t| (format!("team:{t}"), format!("#{t}"))),
            );
        }
        people.sort();
        people.dedup();
        answer(people)
    }
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T, String> + Send + 'static) -> Result<T, String> {
    tokio::task::spawn_blocking(work).await.map_err(|e| e.to_string())?
}
