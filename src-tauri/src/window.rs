//! The settings window. It is destroyed when closed (an idle tray app keeps no WebKit process)
//! and created again when opened.

use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder};

pub const LABEL: &str = "main";

pub fn open(app: &AppHandle) -> tauri::Result<()> {
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
