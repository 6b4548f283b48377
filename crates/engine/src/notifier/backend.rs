//! The system's notification service, one per system behind the same few calls: show a
//! notification (replacing one), close it, wait for the user's answer, and say whether bodies
//! are read as markup. Freedesktop notifications over D-Bus on Linux and the BSDs.

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
    /// As the service must be sent it (see [`reads_markup`]).
    pub body: &'a str,
    /// A freedesktop icon name.
    pub icon: &'a str,
    pub urgency: Urgency,
    /// `None`: it stays until the user acts on it.
    pub expires: Option<Duration>,
    pub category: Option<&'a str>,
    pub sound: Option<&'a str>,
    /// (key, label); the key `default` is what clicking the body chooses.
    pub actions: &'a [(&'a str, &'a str)],
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

pub use system::{Shown, reads_markup, show};

#[cfg(all(unix, not(target_os = "macos")))]
mod system {
    use super::*;
    use std::sync::Arc;

    use notify_rust::{Hint, Notification, NotificationHandle, NotificationResponse, Timeout};

    /// A notification on screen.
    #[derive(Clone)]
    pub struct Shown(Arc<NotificationHandle>);

    impl Shown {
        pub fn id(&self) -> u32 {
            self.0.id()
        }

        pub async fn close(&self) {
            self.0.close_async().await;
        }

        /// Waits until the user answers or the notification goes.
        pub async fn answer(&self) -> Response {
            let mut answer = Response::Gone;
            self.0
                .wait_for_action_async(|response| {
                    answer = match response {
                        NotificationResponse::Action(key) => Response::Action(key.to_owned()),
                        NotificationResponse::Default => Response::Default,
                        _ => Response::Gone,
                    };
                })
                .await;
            answer
        }
    }

    pub async fn show(note: Note<'_>) -> Result<Shown, String> {
        let mut n = Notification::new();
        if let Some(id) = note.replaces {
            n.id(id);
        }
        n.appname(crate::notifier::APP_NAME)
            .summary(note.summary)
            .body(note.body)
            .icon(note.icon)
            .urgency(match note.urgency {
                Urgency::Low => notify_rust::Urgency::Low,
                Urgency::Normal => notify_rust::Urgency::Normal,
                Urgency::Critical => notify_rust::Urgency::Critical,
            })
            .timeout(match note.expires {
                Some(after) => Timeout::Milliseconds(u32::try_from(after.as_millis()).unwrap_or(u32::MAX)),
                None => Timeout::Never,
            });
        if let Some(category) = note.category {
            n.hint(Hint::Category(category.into()));
        }
        if let Some(sound) = note.sound {
            n.sound_name(sound);
        }
        for (key, label) in note.actions {
            n.action(key, label);
        }
        n.show_async()
            .await
            .map(|handle| Shown(Arc::new(handle)))
            .map_err(|e| e.to_string())
    }

    /// Whether the daemon reads bodies as markup (freedesktop's `body-markup`).
    pub async fn reads_markup() -> bool {
        tokio::task::spawn_blocking(notify_rust::get_capabilities)
            .await
            .ok()
            .and_then(Result::ok)
            // Unknown: escaped, as a daemon that shows markup as text shows less harm.
            .is_none_or(|caps| caps.iter().any(|c| c == "body-markup"))
    }
}

/// Windows' toasts and macOS's notification centre are not written yet (issue 16): showing
/// fails with that said, as on a Linux desktop without a notification daemon, and the alert
/// stays in the inbox.
#[cfg(not(all(unix, not(target_os = "macos"))))]
mod system {
    use super::*;

    #[derive(Clone)]
    pub enum Shown {}

    impl Shown {
        pub fn id(&self) -> u32 {
            match *self {}
        }

        pub async fn close(&self) {
            match *self {}
        }

        pub async fn answer(&self) -> Response {
            match *self {}
        }
    }

    pub async fn show(_: Note<'_>) -> Result<Shown, String> {
        Err(format!(
            "desktop notifications are not built for {} yet",
            std::env::consts::OS
        ))
    }

    pub async fn reads_markup() -> bool {
        false
    }
}
