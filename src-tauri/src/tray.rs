//! The tray icon and its menu: the latest alerts (click opens one), pausing for an hour or
//! until tomorrow and resuming, the window, Quit. The icon shows paused and account trouble.

use chrono::{Local, Utc};
use engine::Daemon;
use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Emitter, Manager, Wry};

use crate::AppState;

const TRAY_ID: &str = "main";
const RECENT: usize = 10;
const ICON: &[u8] = include_bytes!("../../icons/tray.png");
const ICON_PAUSED: &[u8] = include_bytes!("../../icons/tray-paused.png");
const ICON_ERROR: &[u8] = include_bytes!("../../icons/tray-error.png");
const ICON_UNREAD: &[u8] = include_bytes!("../../icons/tray-unread.png");
/// When the window was last opened: alerts notified since are "new".
pub const KEY_SEEN: &str = "window.last_opened";

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let menu = menu(app)?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(Image::from_bytes(ICON)?)
        .tooltip("Sentry Tray")
        .menu(&menu)
        .on_menu_event(|app, event| on_menu(app, event.id().as_ref()))
        .build(app)?;
    refresh(app);
    Ok(())
}

fn on_menu(app: &AppHandle, id: &str) {
    let daemon = &app.state::<AppState>().daemon;
    let result: anyhow::Result<()> = match id {
        "open" => crate::window::open(app).map_err(Into::into),
        "pause-hour" => daemon.pause_until(Some(Utc::now() + chrono::Duration::hours(1))).map_err(Into::into),
        "pause-tomorrow" => daemon.pause_until(Some(engine::daemon::tomorrow_morning())).map_err(Into::into),
        "resume" => daemon.set_paused(false).map_err(Into::into),
        "quit" => {
            app.exit(0);
            Ok(())
        }
        other => match other.strip_prefix("alert:").and_then(|id| id.parse::<i64>().ok()) {
            Some(alert) => open_alert(daemon, alert),
            None => Ok(()),
        },
    };
    if let Err(e) = result {
        tracing::error!(entry = id, error = %e, "tray menu action failed");
    }
    refresh(app);
}

/// Alerts notified since the window was last opened.
fn unread(daemon: &Daemon) -> i64 {
    let seen = daemon.store().setting(KEY_SEEN).ok().flatten().and_then(|s| s.parse().ok()).unwrap_or(0);
    daemon.store().notified_after(seen).unwrap_or(0)
}

fn open_alert(daemon: &Daemon, id: i64) -> anyhow::Result<()> {
    let recent = daemon.store().recent_alerts(RECENT)?;
    let url = recent.iter().find(|a| a.id == id).and_then(|a| a.web_url.clone());
    let url = url.ok_or_else(|| anyhow::anyhow!("the alert has no link to open"))?;
    engine::actions::open_in_browser(&url)?;
    Ok(())
}

fn menu(app: &AppHandle) -> tauri::Result<Menu<Wry>> {
    let daemon = &app.state::<AppState>().daemon;
    let menu = Menu::new(app)?;
    let unread = unread(daemon);
    if unread > 0 {
        let label = if unread == 1 { "1 new alert".to_owned() } else { format!("{unread} new alerts") };
        menu.append(&MenuItem::with_id(app, "unread", label, false, None::<&str>)?)?;
    }
    let recent = daemon.store().recent_alerts(RECENT).unwrap_or_default();
    if recent.is_empty() {
        menu.append(&MenuItem::with_id(app, "none", "No alerts yet", false, None::<&str>)?)?;
    }
    for alert in &recent {
        let label = alert.short_id.as_deref().unwrap_or(&alert.issue_id);
        let mut text = format!("{label} · {}", alert.title);
        if text.chars().count() > 60 {
            text = text.chars().take(59).collect::<String>() + "…";
        }
        menu.append(&MenuItem::with_id(app, format!("alert:{}", alert.id), text, alert.web_url.is_some(), None::<&str>)?)?;
    }
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    match daemon.paused_until() {
        Some(until) => {
            let when = match until {
                Some(t) => format!("Paused until {}", t.with_timezone(&Local).format("%a %H:%M")),
                None => "Paused".to_owned(),
            };
            menu.append(&MenuItem::with_id(app, "paused", when, false, None::<&str>)?)?;
            menu.append(&MenuItem::with_id(app, "resume", "Resume notifications", true, None::<&str>)?)?;
        }
        None => {
            menu.append(&MenuItem::with_id(app, "pause-hour", "Pause for 1 hour", true, None::<&str>)?)?;
            menu.append(&MenuItem::with_id(app, "pause-tomorrow", "Pause until tomorrow", true, None::<&str>)?)?;
        }
    }
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    menu.append(&MenuItem::with_id(app, "open", "Open Sentry Tray", true, None::<&str>)?)?;
    menu.append(&MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?)?;
    Ok(menu)
}

/// Brings the menu, the icon and an open window in line with the engine (on the main thread,
/// where menus live).
pub fn refresh(app: &AppHandle) {
    let handle = app.clone();
    if let Err(e) = app.run_on_main_thread(move || refresh_now(&handle)) {
        tracing::warn!(error = %e, "could not update the tray");
    }
}

fn refresh_now(app: &AppHandle) {
    let Some(tray) = app.tray_by_id(TRAY_ID) else { return };
    let daemon = &app.state::<AppState>().daemon;
    let paused = daemon.is_paused();
    let trouble = daemon.status_reader().account_trouble();
    let unread = unread(daemon);
    let (icon, tooltip) = match (paused, &trouble) {
        (true, _) => (ICON_PAUSED, "Sentry Tray: notifications paused".to_owned()),
        (false, Some(trouble)) => (ICON_ERROR, format!("Sentry Tray: {trouble}")),
        (false, None) if unread > 0 => (ICON_UNREAD, format!("Sentry Tray: {unread} new")),
        (false, None) => (ICON, "Sentry Tray".to_owned()),
    };
    let updated = menu(app)
        .and_then(|menu| tray.set_menu(Some(menu)))
        .and_then(|_| Image::from_bytes(icon).and_then(|i| tray.set_icon(Some(i))))
        .and_then(|_| tray.set_tooltip(Some(tooltip)));
    if let Err(e) = updated {
        tracing::warn!(error = %e, "could not update the tray");
    }
    let _ = app.emit("status-changed", ());
}
