//! What the window may ask of the engine. Each command is a short call into it.

use engine::Status;
use tauri::State;

use crate::AppState;

#[tauri::command]
pub async fn status(state: State<'_, AppState>) -> Result<Status, String> {
    // The status reads the keyring over D-Bus: keep it off the UI thread.
    Ok(tauri::async_runtime::spawn_blocking({
        let status = state.daemon.status_reader();
        move || status.read()
    })
    .await
    .map_err(|e| e.to_string())?)
}

#[tauri::command]
pub async fn set_paused(app: tauri::AppHandle, state: State<'_, AppState>, paused: bool) -> Result<Status, String> {
    state.daemon.set_paused(paused).map_err(|e| e.to_string())?;
    crate::tray::refresh(&app);
    status(state).await
}
