//! Where the app keeps its files.

use std::path::PathBuf;

/// The data folder: `SENTRY_TRAY_DATA_DIR`, else the XDG data dir (`~/.local/share/sentry-tray`).
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SENTRY_TRAY_DATA_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("io", "sentry-tray", "sentry-tray")
        .map(|p| p.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".sentry-tray"))
}

/// Where logs go: `<data dir>/logs` when `SENTRY_TRAY_DATA_DIR` is set, else the XDG state dir
/// (`~/.local/state/sentry-tray`).
pub fn log_dir() -> PathBuf {
    if std::env::var_os("SENTRY_TRAY_DATA_DIR").is_some_and(|d| !d.is_empty()) {
        return data_dir().join("logs");
    }
    directories::ProjectDirs::from("io", "sentry-tray", "sentry-tray")
        .and_then(|p| p.state_dir().map(|d| d.to_path_buf()))
        .unwrap_or_else(|| data_dir().join("logs"))
}

pub fn database_path() -> PathBuf {
    data_dir().join("sentry-tray.sqlite3")
}
