//! Start at login: an autostart entry that starts this binary in the tray (`--hidden`), through
//! the `auto-launch` crate (what Tauri's autostart plugin uses underneath).

use auto_launch::{AutoLaunch, AutoLaunchBuilder};

fn launcher() -> Result<AutoLaunch, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot tell where this app is: {e}"))?;
    AutoLaunchBuilder::new()
        .set_app_name("Sentry Tray")
        .set_app_path(&exe.to_string_lossy())
        .set_args(&["--hidden"])
        .build()
        .map_err(|e| format!("start at login is not available: {e}"))
}

pub fn enabled() -> bool {
    launcher()
        .and_then(|l| l.is_enabled().map_err(|e| e.to_string()))
        .unwrap_or(false)
}

/// Turns start at login on or off; answers whether it is on now.
pub fn set(enabled: bool) -> Result<bool, String> {
    let launcher = launcher()?;
    let changed = if enabled { launcher.enable() } else { launcher.disable() };
    changed.map_err(|e| format!("could not change start at login: {e}"))?;
    launcher.is_enabled().map_err(|e| e.to_string())
}
