//! The settings window. It is destroyed when closed (an idle tray app keeps no WebKit process)
//! and created again when opened.

use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder};

pub const LABEL: &str = "main";

pub fn open(app: &AppHandle) -> tauri::Result<()> {
    // What the window shows is now seen: the tray stops counting it as new.
    if let Some(state) = app.try_state::<crate::AppState>() {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        if let Err(e) = state.daemon.store().set_setting(crate::tray::KEY_SEEN, &now.to_string()) {
            tracing::warn!(error = %e, "could not record that the window was opened");
        }
        crate::tray::refresh(app);
    }
    if let Some(window) = app.get_webview_window(LABEL) {
        window.unminimize()?;
        window.show()?;
        return window.set_focus();
    }
    WebviewWindowBuilder::new(app, LABEL, WebviewUrl::App("index.html".into()))
        .title("Sentry Tray")
        .inner_size(700.0, 780.0)
        .min_inner_size(520.0, 420.0)
        .build()?;
    Ok(())
}
