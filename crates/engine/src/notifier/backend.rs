//! The system's notification service, one per system behind the same few calls: show a
//! notification (replacing one), close it, wait for the user's answer. Each backend escapes
//! the texts for its own format, so callers pass plain text only. Freedesktop notifications over
//! D-Bus on Linux and the BSDs (`freedesktop`), toasts on Windows with the tray's balloon where
//! toasts are missing (`windows`), macOS's notification centre (`macos`).

use std::time::Duration;

/// How loud a notification is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    Low,
    Normal,
    Critical,
}

/// A notification to show.
pub struct Note<'a> {
    /// The notification it takes the place of, if one is on screen.
    pub replaces: Option<u32>,
    pub summary: &'a str,
    /// Plain text: the backend escapes it for its format (freedesktop markup, toast XML).
    pub body: &'a str,
    /// A freedesktop icon name (toasts and the notification centre show the app's icon).
    #[cfg_attr(not(all(unix, not(target_os = "macos"))), allow(dead_code))]
    pub icon: &'a str,
    pub urgency: Urgency,
    /// `None`: it stays until the user acts on it.
    pub expires: Option<Duration>,
    /// A freedesktop category hint.
    #[cfg_attr(not(all(unix, not(target_os = "macos"))), allow(dead_code))]
    pub category: Option<&'a str>,
    pub sound: Option<&'a str>,
    /// (key, label); the key `default` is what clicking the body chooses.
    pub actions: &'a [(&'a str, &'a str)],
}

impl Note<'_> {
    /// The actions shown as buttons: all but `default`, which is the click on the body.
    #[cfg_attr(all(unix, not(target_os = "macos"), not(test)), allow(dead_code))]
    pub fn buttons(&self) -> impl Iterator<Item = &(&str, &str)> {
        self.actions.iter().filter(|(key, _)| *key != "default")
    }
}

/// What the user did with a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    Action(String),
    /// The body was clicked.
    Default,
    /// Closed, expired or replaced.
    Gone,
}

#[cfg(all(unix, not(target_os = "macos")))]
#[path = "backend/freedesktop.rs"]
mod system;

#[cfg(windows)]
#[path = "backend/windows.rs"]
mod system;

#[cfg(target_os = "macos")]
#[path = "backend/macos.rs"]
mod system;

#[cfg(windows)]
pub use system::set_balloon;
pub use system::{Shown, show};
