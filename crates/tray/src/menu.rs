//! The tray icon and its menu, as a StatusNotifierItem with a dbusmenu over D-Bus (no GTK): the
//! latest alerts (click opens one), pausing for an hour or until tomorrow and resuming, the
//! window, Quit. The icon shows new alerts, paused and account trouble.

use chrono::{DateTime, Local, Utc};
use engine::Daemon;
use engine::control::View;
use ksni::menu::{MenuItem, StandardItem};
use tokio::sync::mpsc;

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
}

pub struct Tray {
    pub snapshot: Snapshot,
    choices: mpsc::UnboundedSender<Choice>,
    icons: Icons,
}

impl Tray {
    pub fn new(snapshot: Snapshot, choices: mpsc::UnboundedSender<Choice>) -> Tray {
        Tray {
            snapshot,
            choices,
            icons: Icons::decode(),
        }
    }

    fn item(&self, label: impl Into<String>, enabled: bool, choice: Option<Choice>) -> MenuItem<Tray> {
        StandardItem {
            // dbusmenu reads `_` as a mnemonic mark; a literal one is doubled.
            label: label.into().replace('_', "__"),
            enabled,
            activate: Box::new(move |tray: &mut Tray| {
                if let Some(choice) = choice {
                    let _ = tray.choices.send(choice);
                }
            }),
            ..Default::default()
        }
        .into()
    }

    fn state(&self) -> (&[ksni::Icon], String) {
        let s = &self.snapshot;
        match (&s.paused, &s.trouble) {
            (Some(_), _) => (&self.icons.paused, "Notifications paused".to_owned()),
            (None, Some(trouble)) => (&self.icons.error, trouble.clone()),
            (None, None) if s.unread > 0 => (&self.icons.unread, format!("{} new", s.unread)),
            (None, None) => (&self.icons.normal, String::new()),
        }
    }
}

impl ksni::Tray for Tray {
    fn id(&self) -> String {
        "sentry-tray".into()
    }

    fn title(&self) -> String {
        "Sentry Tray".into()
    }

    fn category(&self) -> ksni::Category {
        ksni::Category::ApplicationStatus
    }

    fn icon_pixmap(&self) -> Vec<ksni::Icon> {
        self.state().0.to_vec()
    }

    fn tool_tip(&self) -> ksni::ToolTip {
        let (_, description) = self.state();
        ksni::ToolTip {
            title: "Sentry Tray".into(),
            description,
            ..Default::default()
        }
    }

    /// A click on the icon opens the window, as panels without menus on click expect.
    fn activate(&mut self, _x: i32, _y: i32) {
        let _ = self.choices.send(Choice::Open(View::Inbox));
    }

    fn menu(&self) -> Vec<MenuItem<Self>> {
        let s = &self.snapshot;
        let mut menu = Vec::new();
        if s.unread > 0 {
            let label = if s.unread == 1 {
                "1 new alert".to_owned()
            } else {
                format!("{} new alerts", s.unread)
            };
            menu.push(self.item(label, false, None));
        }
        if s.recent.is_empty() {
            menu.push(self.item("No alerts yet", false, None));
        }
        if s.held_back > 0 {
            // Counted, not listed: they did not notify, and the inbox shows them with why.
            let label = match s.held_back {
                1 => "1 alert held back (in the inbox)".to_owned(),
                n => format!("{n} alerts held back (in the inbox)"),
            };
            menu.push(self.item(label, true, Some(Choice::Open(View::Inbox))));
        }
        for (id, label, has_link) in &s.recent {
            let mut text = label.clone();
            if text.chars().count() > 60 {
                text = text.chars().take(59).collect::<String>() + "…";
            }
            menu.push(self.item(text, *has_link, Some(Choice::Alert(*id))));
        }
        menu.push(MenuItem::Separator);
        match s.paused {
            Some(until) => {
                let when = match until {
                    Some(t) => format!("Paused until {}", t.with_timezone(&Local).format("%a %H:%M")),
                    None => "Paused".to_owned(),
                };
                menu.push(self.item(when, false, None));
                menu.push(self.item("Resume notifications", true, Some(Choice::Resume)));
            }
            None => {
                menu.push(self.item("Pause for 1 hour", true, Some(Choice::PauseHour)));
                menu.push(self.item("Pause until tomorrow", true, Some(Choice::PauseTomorrow)));
            }
        }
        menu.push(MenuItem::Separator);
        menu.push(self.item("Open inbox", true, Some(Choice::Open(View::Inbox))));
        menu.push(self.item("Settings…", true, Some(Choice::Open(View::Settings))));
        menu.push(self.item("Quit", true, Some(Choice::Quit)));
        menu
    }
}

/// The tray's icons as StatusNotifierItem pixmaps (ARGB, big-endian), decoded once.
struct Icons {
    normal: Vec<ksni::Icon>,
    paused: Vec<ksni::Icon>,
    error: Vec<ksni::Icon>,
    unread: Vec<ksni::Icon>,
}

impl Icons {
    fn decode() -> Icons {
        Icons {
            normal: pixmap(include_bytes!("../../../icons/tray.png")),
            paused: pixmap(include_bytes!("../../../icons/tray-paused.png")),
            error: pixmap(include_bytes!("../../../icons/tray-error.png")),
            unread: pixmap(include_bytes!("../../../icons/tray-unread.png")),
        }
    }
}

/// An RGBA PNG as one ARGB pixmap; a panel then shows the title instead of a broken icon.
fn pixmap(png_bytes: &[u8]) -> Vec<ksni::Icon> {
    let decoded = (|| -> Result<ksni::Icon, png::DecodingError> {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::ALPHA);
        let mut reader = decoder.read_info()?;
        let mut rgba = vec![0; reader.output_buffer_size().unwrap_or(0)];
        let info = reader.next_frame(&mut rgba)?;
        let data = rgba[..info.buffer_size()]
            .chunks_exact(4)
            .flat_map(|p| [p[3], p[0], p[1], p[2]])
            .collect();
        Ok(ksni::Icon {
            width: info.width as i32,
            height: info.height as i32,
            data,
        })
    })();
    match decoded {
        Ok(icon) => vec![icon],
        Err(e) => {
            tracing::warn!(error = %e, "a tray icon could not be decoded");
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_icons_decode_to_argb_pixmaps() {
        let icons = Icons::decode();
        for icon in [&icons.normal, &icons.paused, &icons.error, &icons.unread] {
            assert_eq!(icon.len(), 1);
            assert_eq!((icon[0].width, icon[0].height), (64, 64));
            assert_eq!(icon[0].data.len(), 64 * 64 * 4);
            assert!(
                icon[0].data.chunks_exact(4).any(|p| p[0] == 255),
                "some pixel is opaque (alpha first)"
            );
        }
        assert_ne!(icons.normal[0].data, icons.paused[0].data);
    }
}
