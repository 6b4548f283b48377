//! Freedesktop notifications over D-Bus (notify-rust). The body is a markup subset where the
//! daemon says so (`body-markup`): then every text is escaped, or a title such as
//! `<a href=…>Click to re-login</a>` would become a hidden link. The summary is plain text by the
//! specification and never parsed.

use std::sync::Arc;

use tokio::sync::OnceCell;

use super::{Note, Response, Urgency};

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
    static MARKUP: OnceCell<bool> = OnceCell::const_new();
    let body = if *MARKUP.get_or_init(reads_markup).await {
        escape(note.body)
    } else {
        note.body.to_owned()
    };
    let mut n = Notification::new();
    if let Some(id) = note.replaces {
        n.id(id);
    }
    n.appname("Sentry Tray")
        .summary(note.summary)
        .body(&body)
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

/// Whether the daemon reads bodies as markup (freedesktop's `body-markup`); asked once a run.
async fn reads_markup() -> bool {
    tokio::task::spawn_blocking(notify_rust::get_capabilities)
        .await
        .ok()
        .and_then(Result::ok)
        // Unknown: escaped, as a daemon that shows markup as text shows less harm.
        .is_none_or(|caps| caps.iter().any(|c| c == "body-markup"))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_is_escaped_to_text() {
        assert_eq!(super::escape("<b>x</b> & y"), "&lt;b&gt;x&lt;/b&gt; &amp; y");
        assert_eq!(
            super::escape(r#"<a href="https://evil.example/'login'">re-login</a>"#),
            "&lt;a href=&quot;https://evil.example/&apos;login&apos;&quot;&gt;re-login&lt;/a&gt;"
        );
    }
}
