//! Native desktop notifications (freedesktop D-Bus through `notify-rust`): one per alert with
//! the actions the user can take, replaced by the outcome once they chose.

use notify_rust::{Hint, Notification, Timeout, Urgency};
use tokio::sync::mpsc;

use crate::alert::Alert;

pub const APP_NAME: &str = "Sentry Tray";

/// What a user can do from a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserAction {
    Resolve,
    Ignore,
    AssignToMe,
    Open,
}

impl UserAction {
    pub const ALL: [UserAction; 4] = [UserAction::Resolve, UserAction::Ignore, UserAction::AssignToMe, UserAction::Open];

    /// The action's key on the wire (D-Bus action id, queue row, command line).
    pub fn key(self) -> &'static str {
        match self {
            UserAction::Resolve => "resolve",
            UserAction::Ignore => "ignore",
            UserAction::AssignToMe => "assign",
            UserAction::Open => "open",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            UserAction::Resolve => "Resolve",
            UserAction::Ignore => "Ignore",
            UserAction::AssignToMe => "Assign to me",
            UserAction::Open => "Open",
        }
    }

    /// The past tense shown once Sentry confirmed.
    pub fn done(self) -> &'static str {
        match self {
            UserAction::Resolve => "Resolved",
            UserAction::Ignore => "Ignored until it escalates",
            UserAction::AssignToMe => "Assigned to you",
            UserAction::Open => "Opened",
        }
    }

    pub fn from_key(key: &str) -> Option<UserAction> {
        UserAction::ALL.into_iter().find(|a| a.key() == key)
    }
}

/// An action the user chose on a notification.
#[derive(Debug, Clone)]
pub struct Chosen {
    pub alert: Alert,
    pub action: UserAction,
    pub notification_id: u32,
}

#[derive(Debug, thiserror::Error)]
#[error("could not show a desktop notification (is a notification daemon running?): {0}")]
pub struct NotifyError(String);

/// Shows notifications and reports the actions chosen on them.
#[derive(Debug, Clone)]
pub struct Notifier {
    chosen: mpsc::UnboundedSender<Chosen>,
}

impl Notifier {
    pub fn new(chosen: mpsc::UnboundedSender<Chosen>) -> Notifier {
        Notifier { chosen }
    }

    /// Shows `alert` and, in the background, waits for the user's choice. Returns the id the
    /// notification daemon gave it.
    pub async fn show_alert(&self, alert: &Alert) -> Result<u32, NotifyError> {
        let mut n = Notification::new();
        n.appname(APP_NAME)
            .summary(&summary(alert))
            .body(&body(alert))
            .icon("dialog-warning")
            .urgency(urgency(alert.level.as_deref()))
            .timeout(Timeout::Never)
            .hint(Hint::Category("im.received".into()));
        // "default" is what clicking the body invokes.
        n.action("default", "View");
        for action in UserAction::ALL {
            n.action(action.key(), action.label());
        }
        let handle = n.show_async().await.map_err(|e| NotifyError(e.to_string()))?;
        let id = handle.id();
        let chosen = self.chosen.clone();
        let alert = alert.clone();
        tokio::spawn(async move {
            let mut picked = None;
            handle
                .wait_for_action_async(|response| {
                    if let notify_rust::NotificationResponse::Action(key) = response {
                        picked = UserAction::from_key(key);
                    } else if let notify_rust::NotificationResponse::Default = response {
                        picked = Some(UserAction::Open);
                    }
                })
                .await;
            if let Some(action) = picked {
                let _ = chosen.send(Chosen { alert, action, notification_id: id });
            }
        });
        Ok(id)
    }

    /// Replaces notification `id` with a short message (an action's outcome).
    pub async fn show_outcome(&self, id: u32, summary: &str, body: &str, failed: bool) -> Result<(), NotifyError> {
        let mut n = Notification::new();
        n.appname(APP_NAME)
            .id(id)
            .summary(summary)
            .body(body)
            .icon(if failed { "dialog-error" } else { "emblem-ok-symbolic" })
            .urgency(if failed { Urgency::Normal } else { Urgency::Low })
            .timeout(Timeout::Milliseconds(if failed { 15_000 } else { 5_000 }));
        n.show_async().await.map(drop).map_err(|e| NotifyError(e.to_string()))
    }
}

fn summary(alert: &Alert) -> String {
    let what = match alert.kind.as_str() {
        "issue.created" => "New issue",
        "issue.unresolved" => "Issue back",
        "issue.assigned" => "Issue assigned",
        "issue.resolved" => "Issue resolved",
        "issue.ignored" => "Issue ignored",
        _ => "Sentry",
    };
    format!("{what} in {}: {}", alert.project.as_deref().unwrap_or("Sentry"), alert.title)
}

fn body(alert: &Alert) -> String {
    let mut lines = vec![alert.label().to_owned()];
    if let Some(level) = &alert.level {
        lines[0].push_str(&format!(" · {level}"));
    }
    if let Some(culprit) = &alert.culprit {
        lines.push(culprit.clone());
    }
    // Notification bodies are a markup subset; the title and culprit are user data.
    lines.join("\n").replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn urgency(level: Option<&str>) -> Urgency {
    match level {
        Some("fatal") => Urgency::Critical,
        Some("debug" | "info") => Urgency::Low,
        _ => Urgency::Normal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_keys_round_trip() {
        for a in UserAction::ALL {
            assert_eq!(UserAction::from_key(a.key()), Some(a));
        }
        assert_eq!(UserAction::from_key("__closed"), None);
    }

    #[test]
    fn markup_in_user_data_is_escaped() {
        let alert = Alert {
            dedupe_key: String::new(),
            request_id: None,
            source: "webhook".into(),
            kind: "issue.created".into(),
            org: None,
            issue_id: "1".into(),
            short_id: Some("WEB-1".into()),
            project: Some("web".into()),
            title: "t".into(),
            culprit: Some("<b>x</b> & y".into()),
            level: Some("fatal".into()),
            ..Alert::default()
        };
        assert_eq!(body(&alert), "WEB-1 · fatal\n&lt;b&gt;x&lt;/b&gt; &amp; y");
        assert_eq!(summary(&alert), "New issue in web: t");
        assert_eq!(urgency(alert.level.as_deref()), Urgency::Critical);
    }
}
