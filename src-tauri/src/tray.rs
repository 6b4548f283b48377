//! The tray icon and its menu: Open, Pause notifications, Quit.

use engine::Daemon;
use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Emitter, Manager, Wry};

use crate::AppState;

const TRAY_ID: &str = "main";
const ICON: &[u8] = include_bytes!("../../icons/tray.png");
const ICON_PAUSED: &[u8] = include_bytes!("../../icons/tray-paused.png");

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let paused = app.state::<AppState>().daemon.is_paused();
    let open = MenuItem::with_id(app, "open", "Open Sentry Tray", true, None::<&str>)?;
    let pause = CheckMenuItem::with_id(app, "pause", "Pause notifications", true, paused, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &pause, &PredefinedMenuItem::separator(app)?, &quit])?;
    let pause_item = pause.clone();
    app.manage(PauseItem(pause.clone()));
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(icon(paused)?)
        .tooltip(tooltip(paused))
        .menu(&menu)
        .on_menu_event(move |app, event| match event.id().as_ref() {
            "open" => {
                if let Err(e) = crate::window::open(app) {
                    tracing::error!(error = %e, "could not open the window");
                }
            }
            "pause" => {
                let want = pause_item.is_checked().unwrap_or(false);
                if let Err(e) = set_paused(app, &app.state::<AppState>().daemon, want) {
                    tracing::error!(error = %e, "could not change pause");
                }
            }
            "quit" => app.exit(0),
            _ => {}
        })
        .build(app)?;
    Ok(())
}

/// Pauses or resumes, and brings the tray and the window in line.
pub fn set_paused(app: &AppHandle, daemon: &Daemon, paused: bool) -> anyhow::Result<()> {
    daemon.set_paused(paused)?;
    if let Some(item) = app.try_state::<PauseItem>() {
        item.0.set_checked(paused)?;
    }
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        tray.set_icon(Some(icon(paused)?))?;
        tray.set_tooltip(Some(tooltip(paused)))?;
    }
    app.emit("status-changed", ())?;
    Ok(())
}

/// The menu's pause entry, kept so a change from the window shows in the menu too.
struct PauseItem(CheckMenuItem<Wry>);

fn icon(paused: bool) -> tauri::Result<Image<'static>> {
    Image::from_bytes(if paused { ICON_PAUSED } else { ICON })
}

fn tooltip(paused: bool) -> &'static str {
    if paused {
        "Sentry Tray: notifications paused"
    } else {
        "Sentry Tray"
    }
}
