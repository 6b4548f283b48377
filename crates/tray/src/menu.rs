//! What the tray shows, the same on every system (each system's tray draws it: `sni`, `shell`):
//! the latest alerts (click opens one), pausing for an hour or until tomorrow and resuming, the
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
}

/// What the tray shows, read from the engine when something changed.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    unread: i64,
    /// The alerts that notified, the latest first: (alert id, label, has a link).
    recent: Vec<(i64, String, bool)>,
    /// Alerts held back (spike protection, digest) since the window was last opened.
    held_back: usize,
    paused: Option<Option<DateTime<Utc>>>,
    trouble: Option<String>,
}

/// One line of the menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Item {
        label: String,
        enabled: bool,
        choice: Option<Choice>,
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
                _ => return None,
            },
        })
    }
}

impl Snapshot {
    pub fn read(daemon: &Daemon) -> Snapshot {
        let engine = daemon.engine();
        let (recent, held_back) = engine.tray_alerts(RECENT).unwrap_or_default();
        Snapshot {
            unread: engine.unseen().unwrap_or(0),
            held_back,
            recent: recent
                .into_iter()
                .map(|a| {
                    let label = format!("{} · {}", a.short_id.as_deref().unwrap_or(&a.issue_id), a.title);
                    (a.id, label, a.web_url.is_some())
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
        for (id, label, has_link) in &s.recent {
            let mut text = label.clone();
            if text.chars().count() > 60 {
                text = text.chars().take(59).collect::<String>() + "…";
            }
            menu.push(item(text, *has_link, Some(Choice::Alert(*id))));
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
        ] {
            assert_eq!(Choice::from_key(&choice.key()), Some(choice));
        }
        assert_eq!(Choice::from_key("alert:x"), None);
        assert_eq!(Choice::from_key("open:nowhere"), None);
    }
}
