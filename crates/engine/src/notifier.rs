//! Native desktop notifications, through the system's backend (`backend`: freedesktop D-Bus on
//! Linux): one per alert with the actions the user can take, replaced by the outcome once they
//! chose.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use backend::{Note, Response, Shown, Urgency};
use tokio::sync::mpsc;

use crate::alert::{Alert, Kind};
use crate::control::View;
use crate::policy::{Level, Preferences};
use crate::summary::WeeklySummary;

mod backend;
#[cfg(any(windows, test))]
mod toast;

#[cfg(windows)]
pub use backend::set_balloon;

/// What a user can do from a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum UserAction {
    Resolve,
    Ignore,
    #[serde(rename = "assign")]
    AssignToMe,
    Open,
    /// Open again: what undoes a resolve or an ignore.
    Unresolve,
    /// Assigned to nobody: what undoes an assignment of an unassigned issue.
    Unassign,
    /// Muted on this desktop for an hour (Sentry unchanged): never queued.
    #[serde(rename = "mute")]
    MuteForMe,
}

impl UserAction {
    pub const ALL: [UserAction; 7] = [
        UserAction::Resolve,
        UserAction::Ignore,
        UserAction::AssignToMe,
        UserAction::Open,
        UserAction::Unresolve,
        UserAction::Unassign,
        UserAction::MuteForMe,
    ];

    /// The buttons of an issue's notification.
    pub const ON_NOTIFICATIONS: [UserAction; 5] = [
        UserAction::Resolve,
        UserAction::Ignore,
        UserAction::AssignToMe,
        UserAction::MuteForMe,
        UserAction::Open,
    ];

    /// The action's key on the wire (D-Bus action id, queue row, command line).
    pub fn key(self) -> &'static str {
        match self {
            UserAction::Resolve => "resolve",
            UserAction::Ignore => "ignore",
            UserAction::AssignToMe => "assign",
            UserAction::Open => "open",
            UserAction::Unresolve => "unresolve",
            UserAction::Unassign => "unassign",
            UserAction::MuteForMe => "mute",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            UserAction::Resolve => "Resolve",
            UserAction::Ignore => "Ignore",
            UserAction::AssignToMe => "Assign to me",
            UserAction::Open => "Open",
            UserAction::Unresolve => "Unresolve",
            UserAction::Unassign => "Unassign",
            UserAction::MuteForMe => "Mute 1 h for me",
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
    /// For a mute for me, until when (`tomorrow`, `release`, `escalates`); `None`: an hour.
    pub until: Option<String>,
}

/// The longer mutes a muted issue's confirmation offers: (action key, button).
pub const MUTE_LONGER: [(&str, &str); 3] = [
    ("mute=tomorrow", "Until tomorrow"),
    ("mute=release", "Until its next release"),
    ("mute=escalates", "Until it escalates"),
];

#[derive(Debug, thiserror::Error)]
#[error("could not show a desktop notification (is a notification daemon running?): {0}")]
pub struct NotifyError(String);

/// A notification on screen: its id, its handle (to close it), and the task waiting for the
/// user's choice (stopped when the notification is replaced, so a choice is reported once).
struct Open {
    id: u32,
    handle: Shown,
    /// `None` for notifications without actions.
    waiting: Option<tokio::task::AbortHandle>,
    /// How many alerts of the thread it stands for, since when.
    fired: u32,
    since: std::time::Instant,
}

impl Open {
    fn stop_waiting(&self) {
        if let Some(waiting) = &self.waiting {
            waiting.abort();
        }
    }
}

/// Shows notifications and reports the actions chosen on them. One notification per thread
/// (an issue, a metric incident): a new alert of the thread replaces it.
#[derive(Clone)]
pub struct Notifier {
    chosen: mpsc::UnboundedSender<Chosen>,
    /// "Open inbox" chosen on a summary: the app opens its window.
    open_view: tokio::sync::broadcast::Sender<View>,
    open: Arc<Mutex<HashMap<String, Open>>>,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier").finish_non_exhaustive()
    }
}

impl Notifier {
    pub fn new(chosen: mpsc::UnboundedSender<Chosen>, open_view: tokio::sync::broadcast::Sender<View>) -> Notifier {
        Notifier {
            chosen,
            open_view,
            open: Arc::default(),
        }
    }

    /// Shows a summary (spike, digest, the week) in its thread, replacing the previous one, with
    /// an action that opens `view` of the window.
    async fn show_summary_notification(
        &self,
        thread: String,
        summary: &str,
        body: &str,
        (urgency, icon): (Urgency, &str),
        view: View,
    ) -> Result<u32, NotifyError> {
        let replaces = self.open().remove(&thread).map(|previous| {
            previous.stop_waiting();
            previous.id
        });
        let handle = backend::show(Note {
            replaces,
            summary,
            body,
            icon,
            urgency,
            expires: None,
            category: None,
            sound: None,
            actions: &[("default", view.label()), (view.as_str(), view.label())],
        })
        .await
        .map_err(NotifyError)?;
        let id = handle.id();
        let (waiting_on, open_view, open, key) = (
            handle.clone(),
            self.open_view.clone(),
            self.open.clone(),
            thread.clone(),
        );
        let waiting = tokio::spawn(async move {
            let chosen = waiting_on.answer().await != Response::Gone;
            {
                let mut open = open.lock().unwrap_or_else(|p| p.into_inner());
                if open.get(&key).is_some_and(|o| o.id == id) {
                    open.remove(&key);
                }
            }
            if chosen && open_view.send(view).is_err() {
                tracing::info!(
                    view = view.as_str(),
                    "this is in the app's window (or `sentry-tray-cli`)"
                );
            }
        })
        .abort_handle();
        self.open().insert(
            thread,
            Open {
                id,
                handle,
                waiting: Some(waiting),
                fired: 1,
                since: std::time::Instant::now(),
            },
        );
        Ok(id)
    }

    fn open(&self) -> std::sync::MutexGuard<'_, HashMap<String, Open>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Closes the thread's notification, if one is on screen.
    pub async fn close(&self, thread: &str) {
        let open = self.open().remove(thread);
        if let Some(open) = open {
            open.stop_waiting();
            open.handle.close().await;
            tracing::info!(thread, notification = open.id, "notification closed");
        }
    }

    /// Shows `alert` and, in the background, waits for the user's choice. Returns the id the
    /// notification daemon gave it.
    /// How loud: urgency from the level (critical metric alerts are always urgent), and whether
    /// urgent ones play a sound.
    /// How long it stays: urgent ones until acted on, others as `expire_after` says for their
    /// level.
    /// `note` is a line put first (why an issue muted for me is back).
    pub async fn show_alert(
        &self,
        alert: &Alert,
        loudness: &Preferences,
        note: Option<&str>,
    ) -> Result<u32, NotifyError> {
        let level = alert.level;
        let urgent = alert.kind == Kind::MetricAlertCritical || level.is_some_and(|l| l >= loudness.urgent_from);
        let sound = loudness.sound;
        let expires = loudness.expiry(level, urgent);
        let urgency = match level {
            _ if urgent => Urgency::Critical,
            Some(Level::Debug | Level::Info) => Urgency::Low,
            _ => Urgency::Normal,
        };
        let thread = alert.thread_key();
        let (mut fired, mut since, mut replaces) = (1, std::time::Instant::now(), None);
        if let Some(previous) = self.open().remove(&thread) {
            previous.stop_waiting();
            (fired, since, replaces) = (previous.fired + 1, previous.since, Some(previous.id));
        }
        let mut text = body_plain(alert);
        if let Some(note) = note {
            text = format!("{note}\n{text}");
        }
        if fired > 1 {
            // Fired again while on screen: one notification that says how often.
            let minutes = since.elapsed().as_secs() / 60;
            let span = if minutes < 1 {
                "under a minute".to_owned()
            } else {
                format!("{minutes} min")
            };
            text.push_str(&format!("\n{fired} alerts in {span}"));
        }
        // A metric incident, a release or a deploy is not an issue: it can only be looked at.
        let offered: &[UserAction] = if !alert.kind.has_issue() {
            &[UserAction::Open]
        } else {
            &UserAction::ON_NOTIFICATIONS
        };
        // "default" is what clicking the body invokes.
        let actions: Vec<(&str, &str)> = std::iter::once(("default", "View"))
            .chain(offered.iter().map(|action| (action.key(), action.label())))
            .collect();
        let handle = backend::show(Note {
            replaces,
            summary: &summary(alert),
            body: &text,
            icon: "dialog-warning",
            urgency,
            expires,
            category: Some("im.received"),
            sound: (urgent && sound).then_some("dialog-warning"),
            actions: &actions,
        })
        .await
        .map_err(NotifyError)?;
        let id = handle.id();
        let chosen = self.chosen.clone();
        let alert = alert.clone();
        let waiting_on = handle.clone();
        let open = self.open.clone();
        let key = thread.clone();
        let waiting = tokio::spawn(async move {
            let picked = match waiting_on.answer().await {
                Response::Action(key) => UserAction::from_key(&key),
                Response::Default => Some(UserAction::Open),
                Response::Gone => None,
            };
            // Answered or dismissed: the thread has no open notification any more.
            {
                let mut open = open.lock().unwrap_or_else(|p| p.into_inner());
                if open.get(&key).is_some_and(|o| o.id == id) {
                    open.remove(&key);
                }
            }
            if let Some(action) = picked {
                let _ = chosen.send(Chosen {
                    alert,
                    action,
                    notification_id: id,
                    until: None,
                });
            }
        })
        .abort_handle();
        self.open().insert(
            thread,
            Open {
                id,
                handle,
                waiting: Some(waiting),
                fired,
                since,
            },
        );
        Ok(id)
    }

    /// One summary per project for what spike protection held back this hour, replaced as the
    /// count grows.
    pub async fn show_summary(&self, project: &str, held_back: u32, latest: &str) -> Result<u32, NotifyError> {
        let more = if held_back == 1 {
            "1 more alert".to_owned()
        } else {
            format!("{held_back} more alerts")
        };
        let body = format!("Latest: {latest}\nSpike protection holds the rest back; they are in the inbox.");
        self.show_summary_notification(
            format!("summary:{project}"),
            &format!("{project}: {more} this hour"),
            &body,
            (Urgency::Normal, "dialog-warning"),
            View::Inbox,
        )
        .await
    }

    /// One digest summary per project: how many alerts were held, and the first few.
    pub async fn show_digest(&self, project: &str, titles: &[String]) -> Result<u32, NotifyError> {
        let mut lines: Vec<String> = titles.iter().take(3).map(|t| format!("• {t}")).collect();
        if titles.len() > 3 {
            lines.push(format!("and {} more in the inbox", titles.len() - 3));
        }
        let count = if titles.len() == 1 {
            "1 alert".to_owned()
        } else {
            format!("{} alerts", titles.len())
        };
        self.show_summary_notification(
            format!("digest:{project}"),
            &format!("{project} digest: {count}"),
            &lines.join("\n"),
            (Urgency::Low, "dialog-information"),
            View::Inbox,
        )
        .await
    }

    /// The weekly summary: the week's numbers in a few lines, opening its page in the window.
    pub async fn show_weekly(&self, summary: &WeeklySummary) -> Result<u32, NotifyError> {
        self.show_summary_notification(
            "weekly".into(),
            "Your week in Sentry",
            &weekly_text(summary),
            (Urgency::Low, "dialog-information"),
            View::Summary,
        )
        .await
    }

    /// Replaces notification `id` with the confirmation that `alert`'s issue is muted for me for
    /// an hour, offering to mute it longer from there ([`MUTE_LONGER`]).
    pub async fn show_muted(&self, id: u32, alert: &Alert, summary: &str, body: &str) -> Result<(), NotifyError> {
        let handle = backend::show(Note {
            replaces: Some(id),
            summary,
            body,
            icon: "emblem-ok-symbolic",
            urgency: Urgency::Low,
            expires: Some(std::time::Duration::from_secs(15)),
            category: None,
            sound: None,
            actions: &MUTE_LONGER,
        })
        .await
        .map_err(NotifyError)?;
        let (chosen, alert) = (self.chosen.clone(), alert.clone());
        tokio::spawn(async move {
            if let Response::Action(key) = handle.answer().await
                && let Some(until) = key.strip_prefix("mute=")
            {
                let _ = chosen.send(Chosen {
                    alert,
                    action: UserAction::MuteForMe,
                    notification_id: handle.id(),
                    until: Some(until.to_owned()),
                });
            }
        });
        Ok(())
    }

    /// Replaces notification `id` with a short message (an action's outcome).
    pub async fn show_outcome(&self, id: u32, summary: &str, body: &str, failed: bool) -> Result<(), NotifyError> {
        backend::show(Note {
            replaces: Some(id),
            summary,
            body,
            icon: if failed { "dialog-error" } else { "emblem-ok-symbolic" },
            urgency: if failed { Urgency::Normal } else { Urgency::Low },
            expires: Some(std::time::Duration::from_millis(if failed { 15_000 } else { 5_000 })),
            category: None,
            sound: None,
            actions: &[],
        })
        .await
        .map(drop)
        .map_err(NotifyError)
    }
}

/// The weekly summary as a notification says it.
fn weekly_text(week: &WeeklySummary) -> String {
    let sum = |f: fn(&crate::summary::ProjectWeek) -> u32| week.projects.iter().map(f).sum::<u32>();
    let projects = match week.projects.len() {
        1 => "in 1 project".to_owned(),
        n => format!("in {n} projects"),
    };
    let mut lines = vec![if week.projects.is_empty() {
        "Nothing new, regressed or resolved".to_owned()
    } else {
        format!(
            "{} new · {} regressed · {} resolved {projects}",
            sum(|p| p.new),
            sum(|p| p.regressed),
            sum(|p| p.resolved)
        )
    }];
    let (held, hidden): (u32, u32) = week
        .kept_back
        .iter()
        .fold((0, 0), |(h, n), k| (h + k.held, n + k.not_shown));
    if held + hidden > 0 {
        lines.push(format!("{held} held for digests, {hidden} not shown"));
    }
    if !week.unassigned_mine.is_empty() {
        lines.push(format!("{} of yours unassigned", week.unassigned_mine.len()));
    }
    if let Some(median) = week.weeks.last().and_then(|w| w.to_first_action) {
        lines.push(format!("Median {} to your first action", span(median)));
    }
    lines.join("\n")
}

/// Seconds as people say them: "40 s", "14 min", "3 h 5 min", "2 d 4 h".
pub(crate) fn span(seconds: u32) -> String {
    let (m, h, d) = (seconds / 60, seconds / 3600, seconds / 86_400);
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{m} min"),
        3600..86_400 if m % 60 == 0 => format!("{h} h"),
        3600..86_400 => format!("{h} h {} min", m % 60),
        _ if h % 24 == 0 => format!("{d} d"),
        _ => format!("{d} d {} h", h % 24),
    }
}

fn summary(alert: &Alert) -> String {
    let regressed_in;
    let what = match alert.kind {
        Kind::IssueRegressed => {
            let release = alert.tags.iter().find(|(k, _)| k == "release").map(|(_, v)| v.as_str());
            regressed_in = format!("Regressed in {}", release.unwrap_or("a release"));
            regressed_in.as_str()
        }
        Kind::ReleaseCreated => "New release",
        Kind::DeployCreated => "Deploy",
        Kind::IssueCreated => "New issue",
        Kind::IssueUnresolved => match alert.substatus.as_deref() {
            Some("escalating") => "Escalating",
            Some("regressed") => "Regression",
            _ => "Issue back",
        },
        Kind::IssueAssigned => "Issue assigned",
        Kind::IssueResolved => "Issue resolved",
        Kind::IssueIgnored | Kind::IssueArchived => "Issue archived",
        Kind::EventAlertTriggered | Kind::EventAlert => "Alert",
        Kind::MetricAlertCritical => "Critical",
        Kind::MetricAlertWarning => "Warning",
        Kind::CommentCreated => "Comment",
        _ => "Sentry",
    };
    let project = alert
        .project_name
        .as_deref()
        .or(alert.project.as_deref())
        .unwrap_or("Sentry");
    cut(&format!("{what} in {project}: {}", alert.title), SUMMARY_CHARS)
}

/// About two lines of a notification: a longer title is whole in the window, not here.
const SUMMARY_CHARS: usize = 80;

/// `text` on one line (Sentry's titles may hold newlines), cut to `max` characters with "…".
fn cut(text: &str, max: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        return line;
    }
    let kept: String = line.chars().take(max - 1).collect();
    format!("{}…", kept.trim_end())
}

fn body_plain(alert: &Alert) -> String {
    body_at(alert, chrono::Utc::now(), &chrono::Local)
}

/// The notification's text: what, where, and how much, as of `now` on the clock of `zone`.
/// Times are the clock's, not "5 min ago", which a notification left on screen would keep
/// saying.
fn body_at<Z: chrono::TimeZone>(alert: &Alert, now: chrono::DateTime<chrono::Utc>, zone: &Z) -> String
where
    Z::Offset: std::fmt::Display,
{
    let first = [
        Some(alert.label()),
        alert.level.map(Level::name),
        alert.environment.as_deref(),
    ];
    let mut lines = vec![first.into_iter().flatten().collect::<Vec<_>>().join(" · ")];
    if let Some(culprit) = &alert.culprit {
        lines.push(culprit.clone());
    }
    let ago = |t: &Option<String>| {
        let t = chrono::DateTime::parse_from_rfc3339(t.as_deref()?).ok()?;
        Some(clock(t.with_timezone(&chrono::Utc), now, zone))
    };
    let events = alert
        .count
        .as_deref()
        .and_then(|c| c.parse::<u64>().ok())
        .map(|n| match n {
            1 => "1 event".to_owned(),
            n => format!("{n} events"),
        });
    let seen = [
        events,
        ago(&alert.first_seen).map(|a| format!("first seen {a}")),
        ago(&alert.last_seen)
            .filter(|_| alert.last_seen != alert.first_seen)
            .map(|a| format!("last seen {a}")),
    ];
    let seen: Vec<String> = seen.into_iter().flatten().collect();
    if !seen.is_empty() {
        lines.push(seen.join(" · "));
    }
    lines.join("\n")
}

/// "14:02" today, "Tue 14:02" within the week, "25 Nov" before, "25 Nov 2025" in another year.
fn clock<Z: chrono::TimeZone>(at: chrono::DateTime<chrono::Utc>, now: chrono::DateTime<chrono::Utc>, zone: &Z) -> String
where
    Z::Offset: std::fmt::Display,
{
    use chrono::Datelike;
    let (at, now) = (at.with_timezone(zone), now.with_timezone(zone));
    let days = now.date_naive().signed_duration_since(at.date_naive()).num_days();
    let format = match days {
        0 => "%H:%M",
        1..=6 => "%a %H:%M",
        _ if at.year() == now.year() => "%-d %b",
        _ => "%-d %b %Y",
    };
    at.format(format).to_string()
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
        // The queue stores the same words (serde) as the notification's action ids (key).
        for action in UserAction::ALL {
            assert_eq!(crate::stored::encode(&action).unwrap(), action.key());
        }
    }

    #[test]
    fn bodies_are_plain_text_for_the_backend_to_escape() {
        let alert = Alert {
            dedupe_key: String::new(),
            source: crate::alert::Source::Webhook,
            kind: Kind::IssueCreated,
            org: None,
            issue_id: "1".into(),
            short_id: Some("WEB-1".into()),
            project: Some("web".into()),
            title: "t".into(),
            culprit: Some("<b>x</b> & y".into()),
            level: Some(Level::Fatal),
            ..Alert::default()
        };
        assert_eq!(body_plain(&alert), "WEB-1 · fatal\n<b>x</b> & y");
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let busy = Alert {
            environment: Some("production".into()),
            count: Some("42".into()),
            first_seen: Some("2026-11-25T09:00:00Z".into()),
            last_seen: Some("2026-11-25T11:55:00Z".into()),
            ..alert.clone()
        };
        let berlin = chrono::FixedOffset::east_opt(3600).unwrap();
        assert_eq!(
            body_at(&busy, now, &berlin),
            "WEB-1 · fatal · production\n<b>x</b> & y\n42 events · first seen 10:00 · last seen 12:55"
        );
        let older = Alert {
            first_seen: Some("2026-11-21T09:00:00Z".into()),
            last_seen: Some("2026-01-02T09:00:00Z".into()),
            ..busy.clone()
        };
        assert!(body_at(&older, now, &berlin).ends_with("first seen Sat 10:00 · last seen 2 Jan"));
        let last_year = Alert {
            first_seen: Some("2025-11-02T09:00:00Z".into()),
            last_seen: None,
            ..busy
        };
        assert!(body_at(&last_year, now, &berlin).ends_with("first seen 2 Nov 2025"));
        assert_eq!(summary(&alert), "New issue in web: t");
        let named = Alert {
            project_name: Some("Web shop".into()),
            title: format!("TypeError:\n{}", "x".repeat(500)),
            ..alert
        };
        let cut = summary(&named);
        assert!(cut.starts_with("New issue in Web shop: TypeError: xxx"), "{cut}");
        assert_eq!(cut.chars().count(), SUMMARY_CHARS);
        assert!(cut.ends_with('…') && !cut.contains('\n'));
    }
}
