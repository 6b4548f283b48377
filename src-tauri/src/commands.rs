//! What the window may ask of the engine. Each command is a short call into it.

use engine::Status;
use tauri::State;

use crate::AppState;

/// The engine's status, and whether the app starts at login.
#[derive(serde::Serialize)]
pub struct WindowStatus {
    #[serde(flatten)]
    status: Status,
    autostart: bool,
}

#[tauri::command]
pub async fn status(app: tauri::AppHandle, state: State<'_, AppState>) -> Result<WindowStatus, String> {
    use tauri_plugin_autostart::ManagerExt;
    let autostart = app.autolaunch().is_enabled().unwrap_or(false);
    // The status reads the keyring over D-Bus: keep it off the UI thread.
    let status = tauri::async_runtime::spawn_blocking({
        let status = state.daemon.status_reader();
        move || status.read()
    })
    .await
    .map_err(|e| e.to_string())?;
    Ok(WindowStatus { status, autostart })
}

#[tauri::command]
pub async fn set_paused(app: tauri::AppHandle, state: State<'_, AppState>, paused: bool) -> Result<WindowStatus, String> {
    state.daemon.set_paused(paused).map_err(|e| e.to_string())?;
    crate::tray::refresh(&app);
    status(app, state).await
}

/// Starts the app at login (in the tray, `--hidden`), or stops doing so.
#[tauri::command]
pub async fn set_autostart(app: tauri::AppHandle, enabled: bool) -> Result<bool, String> {
    use tauri_plugin_autostart::ManagerExt;
    let autostart = app.autolaunch();
    let changed = if enabled { autostart.enable() } else { autostart.disable() };
    changed.map_err(|e| format!("could not change start at login: {e}"))?;
    autostart.is_enabled().map_err(|e| e.to_string())
}

/// The latest alerts with what was decided for each and why.
#[tauri::command]
pub async fn inbox(state: State<'_, AppState>) -> Result<Vec<engine::store::Recent>, String> {
    state.daemon.store().recent_alerts(50).map_err(|e| e.to_string())
}

/// The latest actions, with their state and, for failed ones, Sentry's error.
#[tauri::command]
pub async fn actions(state: State<'_, AppState>) -> Result<Vec<engine::actions::Queued>, String> {
    state.daemon.actions().recent(20).map_err(|e| e.to_string())
}

/// Sends a failed action again.
#[tauri::command]
pub async fn retry_action(state: State<'_, AppState>, id: i64) -> Result<engine::actions::Queued, String> {
    state.daemon.actions().retry(id).map_err(|e| e.to_string())
}

/// Queues an action on an inbox alert's issue, chosen in the window: `resolve`,
/// `ignore[=MINUTES|forever]`, `assign[=WHO]`.
#[tauri::command]
pub async fn act_on_alert(state: State<'_, AppState>, alert: i64, action: String) -> Result<i64, String> {
    let daemon = &state.daemon;
    let found = daemon.store().recent_alerts(200).map_err(|e| e.to_string())?.into_iter().find(|a| a.id == alert);
    let alert = found.ok_or_else(|| format!("alert {alert} is no longer in the inbox"))?;
    let request = engine::actions::Request::parse(&action).map_err(|e| e.to_string())?;
    let label = alert.short_id.clone().unwrap_or_else(|| alert.issue_id.clone());
    daemon.actions().enqueue(alert.org.as_deref(), &alert.issue_id, &request, None, &label, &alert.title).map_err(|e| e.to_string())
}

/// Adds a Sentry account after checking the token against the server; the token goes to the
/// keyring and never comes back to the window.
#[tauri::command]
pub async fn add_account(app: tauri::AppHandle, state: State<'_, AppState>, url: String, org: String, token: String) -> Result<engine::accounts::Account, String> {
    let added = engine::accounts::add(state.daemon.store(), &url, &org, &token).await.map_err(|e| e.to_string())?;
    crate::tray::refresh(&app);
    Ok(added)
}

/// Removes an added account and its token.
#[tauri::command]
pub async fn remove_account(app: tauri::AppHandle, state: State<'_, AppState>, org: String) -> Result<(), String> {
    let store = state.daemon.store().clone();
    tauri::async_runtime::spawn_blocking(move || engine::accounts::remove(&store, &org))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    crate::tray::refresh(&app);
    Ok(())
}

/// One project as the window's settings list shows it.
#[derive(serde::Serialize)]
pub struct ProjectSettings {
    org: String,
    slug: String,
    name: String,
    preferences: engine::policy::Preferences,
}

/// Every account's projects from Sentry, with their effective preferences.
#[tauri::command]
pub async fn projects(state: State<'_, AppState>) -> Result<Vec<ProjectSettings>, String> {
    let store = state.daemon.store().clone();
    let accounts = {
        let store = store.clone();
        tauri::async_runtime::spawn_blocking(move || -> Result<Vec<(engine::accounts::Account, String)>, String> {
            let accounts = engine::accounts::list(&store).map_err(|e| e.to_string())?;
            let mut with_tokens = Vec::new();
            for account in accounts {
                if let Some(token) = engine::accounts::token(&account).map_err(|e| e.to_string())? {
                    with_tokens.push((account, token));
                }
            }
            Ok(with_tokens)
        })
        .await
        .map_err(|e| e.to_string())??
    };
    let mut rows = Vec::new();
    for (account, token) in accounts {
        let client = engine::sentry_api::Client::new(&account.url, &token).map_err(|e| e.to_string())?;
        let projects = client.projects(&account.org).await.map_err(|e| format!("{}: {e}", account.org))?;
        for (slug, name) in projects {
            let preferences = store.preferences(&slug, Some(&account.org)).map_err(|e| e.to_string())?;
            rows.push(ProjectSettings { org: account.org.clone(), slug, name, preferences });
        }
    }
    Ok(rows)
}

/// Changes one preference of a project (the same keys as `sentry-tray-cli prefs`).
#[tauri::command]
pub async fn set_preference(state: State<'_, AppState>, project: String, org: Option<String>, key: String, value: String) -> Result<engine::policy::Preferences, String> {
    let store = state.daemon.store();
    let mut preferences = store.preferences(&project, org.as_deref()).map_err(|e| e.to_string())?;
    preferences.set(&key, &value).map_err(|e| e.to_string())?;
    store.set_preferences(&project, &preferences).map_err(|e| e.to_string())?;
    Ok(preferences)
}

/// Whom issues can be assigned to: each account's members and the teams I am on, as
/// `(assignee, label)` pairs the engine's `assign=` takes.
#[tauri::command]
pub async fn assignees(state: State<'_, AppState>) -> Result<Vec<(String, String)>, String> {
    let store = state.daemon.store().clone();
    let accounts = tauri::async_runtime::spawn_blocking(move || -> Result<Vec<(engine::accounts::Account, String)>, String> {
        let mut with_tokens = Vec::new();
        for account in engine::accounts::list(&store).map_err(|e| e.to_string())? {
            if let Some(token) = engine::accounts::token(&account).map_err(|e| e.to_string())? {
                with_tokens.push((account, token));
            }
        }
        Ok(with_tokens)
    })
    .await
    .map_err(|e| e.to_string())??;
    let mut people = Vec::new();
    for (account, token) in accounts {
        let client = engine::sentry_api::Client::new(&account.url, &token).map_err(|e| e.to_string())?;
        people.extend(client.members(&account.org).await.map_err(|e| format!("{}: {e}", account.org))?);
        people.extend(client.my_teams(&account.org).await.unwrap_or_default().into_iter().map(|t| (format!("team:{t}"), format!("#{t}"))));
    }
    people.sort();
    people.dedup();
    Ok(people)
}
