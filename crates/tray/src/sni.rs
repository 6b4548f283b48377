//! The tray on Linux and the BSDs: a StatusNotifierItem with a dbusmenu over D-Bus (ksni, no
//! GTK), drawing [`Snapshot`].

use tokio::sync::mpsc;

use crate::icons;
use crate::menu::{Choice, Entry, Look, Snapshot};
use engine::control::View;
use ksni::TrayMethods;
use ksni::menu::{MenuItem, StandardItem, SubMenu};

/// The desktop session the tray lives in: the D-Bus session bus, reached when the tray starts.
pub struct Desktop;

impl Desktop {
    /// Shows the icon. A panel that starts after the app (or restarts) still gets it: ksni
    /// registers with the StatusNotifierWatcher whenever one appears.
    pub async fn tray(&self, snapshot: Snapshot, choices: mpsc::UnboundedSender<Choice>) -> anyhow::Result<Tray> {
        let handle = SniTray {
            snapshot,
            choices,
            icons: Icons::decode(),
        }
        .assume_sni_available(true)
        .spawn()
        .await
        .map_err(|e| anyhow::anyhow!("cannot show the tray icon on the desktop's D-Bus session bus: {e}"))?;
        Ok(Tray(handle))
    }
}

/// The icon on the panel; it leaves with the process's bus connection.
pub struct Tray(ksni::Handle<SniTray>);

impl Tray {
    pub async fn update(&self, snapshot: Snapshot) {
        self.0.update(|tray| tray.snapshot = snapshot).await;
    }
}

pub struct SniTray {
    snapshot: Snapshot,
    choices: mpsc::UnboundedSender<Choice>,
    icons: Icons,
}

impl ksni::Tray for SniTray {
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
        self.icons.of(self.snapshot.look().0)
    }

    fn tool_tip(&self) -> ksni::ToolTip {
        ksni::ToolTip {
            title: "Sentry Tray".into(),
            description: self.snapshot.look().1,
            ..Default::default()
        }
    }

    /// A click on the icon opens the window, as panels without menus on click expect.
    fn activate(&mut self, _x: i32, _y: i32) {
        let _ = self.choices.send(Choice::Open(View::Inbox));
    }

    fn menu(&self) -> Vec<MenuItem<Self>> {
        items(self.snapshot.entries())
    }
}

fn items(entries: Vec<Entry>) -> Vec<MenuItem<SniTray>> {
    entries
        .into_iter()
        .map(|entry| match entry {
            Entry::Separator => MenuItem::Separator,
            // dbusmenu reads `_` as a mnemonic mark; a literal one is doubled.
            Entry::Submenu { label, entries } => SubMenu {
                label: label.replace('_', "__"),
                submenu: items(entries),
                ..Default::default()
            }
            .into(),
            Entry::Item { label, enabled, choice } => StandardItem {
                label: label.replace('_', "__"),
                enabled,
                activate: Box::new(move |tray: &mut SniTray| {
                    if let Some(choice) = choice {
                        let _ = tray.choices.send(choice);
                    }
                }),
                ..Default::default()
            }
            .into(),
        })
        .collect()
}

/// The icons as StatusNotifierItem pixmaps (ARGB, big-endian).
struct Icons {
    normal: Vec<ksni::Icon>,
    paused: Vec<ksni::Icon>,
    error: Vec<ksni::Icon>,
    unread: Vec<ksni::Icon>,
}

impl Icons {
    fn decode() -> Icons {
        Icons {
            normal: pixmap(Look::Normal),
            paused: pixmap(Look::Paused),
            error: pixmap(Look::Error),
            unread: pixmap(Look::Unread),
        }
    }

    fn of(&self, look: Look) -> Vec<ksni::Icon> {
        match look {
            Look::Normal => &self.normal,
            Look::Paused => &self.paused,
            Look::Error => &self.error,
            Look::Unread => &self.unread,
        }
        .clone()
    }
}

fn pixmap(look: Look) -> Vec<ksni::Icon> {
    icons::decode(look)
        .map(|icon| ksni::Icon {
            width: icon.width as i32,
            height: icon.height as i32,
            data: icon
                .pixels
                .chunks_exact(4)
                .flat_map(|p| [p[3], p[0], p[1], p[2]])
                .collect(),
        })
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_icons_are_argb_pixmaps_alpha_first() {
        let icons = Icons::decode();
        for icon in [&icons.normal, &icons.paused, &icons.error, &icons.unread] {
            assert_eq!(icon.len(), 1);
            assert_eq!(icon[0].data.len(), 64 * 64 * 4);
            assert!(
                icon[0].data.chunks_exact(4).any(|p| p[0] == 255),
                "some pixel is opaque"
            );
        }
    }
}
