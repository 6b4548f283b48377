//! What the tray shows, the same on every system (each system's tray draws it: `sni`, `shell`):
//! the latest alerts (each opens, or mutes its issue for me), pausing for an hour or until tomorrow and resuming, the
//! window, Quit. The icon shows new alerts, paused and account trouble.

use chrono::{DateTime, Local, Utc};
use engine::Daemon;
use engine::control::View;

const RECENT: usize = 10;

/// What the user picked in the menu; the app's main loop carries it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Open(View),
    PauseHour,
    PauseTomorrow,
    Resume,
    Quit,
    Alert(i64),
    /// Mute the issue of this alert for me, for so long.
    Mute(i64, MuteSpan),
}

/// The spans the menu offers for a mute for me, as the engine reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MuteSpan {
    Hour,
    Tomorrow,
    NextRelease,
    Escalates,
}

impl MuteSpan {
    const ALL: [MuteSpan; 4] = [
        MuteSpan::Hour,
        MuteSpan::Tomorrow,
        MuteSpan::NextRelease,
        MuteSpan::Escalates,
    ];

    /// As [`engine::Engine::mute_for_me`] takes it.
    pub fn key(self) -> &'static str {
        match self {
            MuteSpan::Hour => "1h",
            MuteSpan::Tomorrow => "tomorrow",
            MuteSpan::NextRelease => "release",
            MuteSpan::Escalates => "escalates",
        }
    }

    fn label(self) -> &'static str {
        match self {
            MuteSpan::Hour => "Mute for me for 1 hour",
            MuteSpan::Tomorrow => "Mute for me until tomorrow",
            MuteSpan::NextRelease => "Mute for me until its next release",
            MuteSpan::Escalates => "Mute for me until it escalates",
        }
    }
}

/// What the tray shows, read from the engine when something changed.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    unread: i64,
    /// The alerts that notified, the latest first.
    recent: Vec<RecentAlert>,
    /// Alerts held back (spike protection, digest) since the window was last opened.
    held_back: usize,
    paused: Option<Option<DateTime<Utc>>>,
    trouble: Option<String>,
}

#[derive(Debug, Clone, Default)]
struct RecentAlert {
    id: i64,
    label: String,
    has_link: bool,
    /// Of an issue (not a metric alert), so it can be muted.
    is_issue: bool,
}

/// One line of the menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Item {
        label: String,
        enabled: bool,
        choice: Option<Choice>,
    },
    Submenu {
        label: String,
        entries: Vec<Entry>,
    },
    Separator,
}

/// Which icon the tray shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Look {
    Normal,
    Paused,
    Error,
    Unread,
}

impl Choice {
    /// The choice as a menu entry's id, for trays whose menus carry strings.
    #[cfg_attr(not(any(windows, target_os = "macos")), allow(dead_code))]
    pub fn key(self) -> String {
        match self {
            Choice::Open(view) => format!("open:{}", view.as_str()),
            Choice::PauseHour => "pause-hour".into(),
            Choice::PauseTomorrow => "pause-tomorrow".into(),
            Choice::Resume => "resume".into(),
            Choice::Quit => "quit".into(),
            Choice::Alert(id) => format!("alert:{id}"),
            Choice::Mute(id, span) => format!("mute:{}:{id}", span.key()),
        }
    }

    #[cfg_attr(not(any(windows, target_os = "macos")), allow(dead_code))]
    pub fn from_key(key: &str) -> Option<Choice> {
        Some(match key {
            "pause-hour" => Choice::PauseHour,
            "pause-tomorrow" => Choice::PauseTomorrow,
            "resume" => Choice::Resume,
            "quit" => Choice::Quit,
            _ => match key.split_once(':')? {
                ("open", view) => Choice::Open(view.parse().ok()?),
                ("alert", id) => Choice::Alert(id.parse().ok()?),
                ("mute", rest) => {
                    let (span, id) = rest.split_once(':')?;
                    let span = MuteSpan::ALL.into_iter().find(|s| s.key() == span)?;
                    Choice::Mute(id.parse().ok()?, span)
                }
                _ => return None,
            },
        })
    }
}

impl Snapshot {
    pub fn read(daemon: &Daemon) -> Snapshot {
        let engine = daemon.engine();
        let (recent, held_back) = engine.tray_alerts(RECENT).unwrap_or_default();
        let mutes = engine.mutes().unwrap_or_default();
        let muted = |org: Option<&str>, issue: &str| {
            mutes
                .iter()
                .any(|m| m.ended.is_none() && Some(m.org.as_str()) == org && m.issue_id == issue)
        };
        Snapshot {
            unread: engine.unseen().unwrap_or(0),
            held_back,
            recent: recent
                .into_iter()
                .map(|a| RecentAlert {
                    id: a.id,
                    label: format!(
                        "{}{} · {}",
                        if muted(a.org.as_deref(), &a.issue_id) {
                            "(muted) "
                        } else {
                            ""
                        },
                        a.short_id.as_deref().unwrap_or(&a.issue_id),
                        a.title
                    ),
                    has_link: a.web_url.is_some(),
                    is_issue: a.org.is_some() && !a.kind.is_metric_alert(),
                })
                .collect(),
            paused: daemon.paused_until(),
            trouble: daemon.status_reader().account_trouble(),
        }
    }

    /// The icon and the tooltip's line.
    pub fn look(&self) -> (Look, String) {
        match (&self.paused, &self.trouble) {
            (Some(_), _) => (Look::Paused, "Notifications paused".to_owned()),
            (None, Some(trouble)) => (Look::Error, trouble.clone()),
            (None, None) if self.unread > 0 => (Look::Unread, format!("{} new", self.unread)),
            (None, None) => (Look::Normal, String::new()),
        }
    }

    pub fn entries(&self) -> Vec<Entry> {
        let s = self;
        let mut menu = Vec::new();
        if s.unread > 0 {
            let label = if s.unread == 1 {
                "1 new alert".to_owned()
            } else {
                format!("{} new alerts", s.unread)
            };
            menu.push(item(label, false, None));
        }
        if s.recent.is_empty() {
            menu.push(item("No alerts yet", false, None));
        }
        if s.held_back > 0 {
            // Counted, not listed: they did not notify, and the inbox shows them with why.
            let label = match s.held_back {
                1 => "1 alert held back (in the inbox)".to_owned(),
                n => format!("{n} alerts held back (in the inbox)"),
            };
            menu.push(item(label, true, Some(Choice::Open(View::Inbox))));
        }
        for alert in &s.recent {
            let mut text = alert.label.clone();
            if text.chars().count() > 60 {
                text = text.chars().take(59).collect::<String>() + "…";
            }
            let open = Choice::Alert(alert.id);
            if !alert.is_issue {
                menu.push(item(text, alert.has_link, Some(open)));
                continue;
            }
            let mut entries = vec![item("Open in Sentry", alert.has_link, Some(open)), Entry::Separator];
            for span in MuteSpan::ALL {
                entries.push(item(span.label(), true, Some(Choice::Mute(alert.id, span))));
            }
            menu.push(Entry::Submenu { label: text, entries });
        }
        menu.push(Entry::Separator);
        match s.paused {
            Some(until) => {
                let when = match until {
                    Some(t) => format!("Paused until {}", t.with_timezone(&Local).format("%a %H:%M")),
                    None => "Paused".to_owned(),
                };
                menu.push(item(when, false, None));
                menu.push(item("Resume notifications", true, Some(Choice::Resume)));
            }
            None => {
                menu.push(item("Pause for 1 hour", true, Some(Choice::PauseHour)));
                menu.push(item("Pause until tomorrow", true, Some(Choice::PauseTomorrow)));
            }
        }
        menu.push(Entry::Separator);
        menu.push(item("Open inbox", true, Some(Choice::Open(View::Inbox))));
        menu.push(item("Settings…", true, Some(Choice::Open(View::Settings))));
        menu.push(item("Quit", true, Some(Choice::Quit)));
        menu
    }
}

fn item(label: impl Into<String>, enabled: bool, choice: Option<Choice>) -> Entry {
    Entry::Item {
        label: label.into(),
        enabled,
        choice,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_choice_survives_its_menu_key() {
        for choice in [
            Choice::Open(View::Inbox),
            Choice::Open(View::Settings),
            Choice::PauseHour,
            Choice::PauseTomorrow,
            Choice::Resume,
            Choice::Quit,
            Choice::Alert(42),
            Choice::Mute(42, MuteSpan::Hour),
            Choice::Mute(7, MuteSpan::Tomorrow),
            Choice::Mute(7, MuteSpan::NextRelease),
            Choice::Mute(7, MuteSpan::Escalates),
        ] {
            assert_eq!(Choice::from_key(&choice.key()), Some(choice));
        }
        assert_eq!(Choice::from_key("alert:x"), None);
        assert_eq!(Choice::from_key("open:nowhere"), None);
        assert_eq!(Choice::from_key("mute:forever:7"), None);
    }
}
