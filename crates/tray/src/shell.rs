//! The tray on Windows and macOS: the `tray-icon` crate (Shell_NotifyIcon on Windows, an
//! NSStatusItem on macOS; no WebKit), drawing [`Snapshot`]. Both systems want the icon made and
//! its events pumped on one thread with a native event loop (the main thread, on macOS): `run`
//! keeps that loop (tao's) on the main thread and the engine on a thread of its own, and the two
//! talk through [`Desktop`].
//!
//! On Windows, where toasts are missing (Windows before 10, Wine) notifications show as the
//! icon's balloon (`engine::set_balloon`).

use std::collections::HashMap;
use std::sync::Mutex;

use engine::control::View;
use tao::event::Event;
use tao::event_loop::{ControlFlow, EventLoopBuilder, EventLoopProxy};
use tao::platform::run_return::EventLoopExtRunReturn;
use tokio::sync::{mpsc, oneshot};
use tray_icon::menu::{IsMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu};
use tray_icon::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};

use crate::icons;
use crate::menu::{Choice, Entry, Look, Snapshot};

enum Call {
    /// Shows the icon (the first time) or redraws it; answers whether it is shown.
    Show(Snapshot, Option<oneshot::Sender<Result<(), String>>>),
    #[cfg(windows)]
    Balloon(String, String, std::sync::mpsc::SyncSender<Result<(), String>>),
    /// The engine's thread is done: the loop ends, and the icon goes with it.
    Quit,
}

/// The native event loop's side, reached from the engine's thread.
pub struct Desktop {
    proxy: Mutex<EventLoopProxy<Call>>,
}

/// Runs `app` on a thread of its own while the main thread keeps the native event loop; ends
/// when `app` does, with its result.
pub fn run<F>(app: F) -> anyhow::Result<()>
where
    F: FnOnce(Desktop) -> anyhow::Result<()> + Send + 'static,
{
    #[allow(unused_mut)] // macOS sets its activation policy on it
    let mut event_loop = EventLoopBuilder::<Call>::with_user_event().build();
    #[cfg(target_os = "macos")]
    {
        use tao::platform::macos::{ActivationPolicy, EventLoopExtMacOS};
        // A menu-bar app: no Dock icon, no app menu.
        event_loop.set_activation_policy(ActivationPolicy::Accessory);
    }
    let proxy = event_loop.create_proxy();
    let desktop = Desktop {
        proxy: Mutex::new(proxy.clone()),
    };
    let engine = std::thread::Builder::new().name("engine".into()).spawn(move || {
        let ran = app(desktop);
        let _ = proxy.send_event(Call::Quit);
        ran
    })?;
    let mut tray: Option<TrayIcon> = None;
    // Decoded once per look, not at each redraw.
    let mut icons: HashMap<Look, Option<tray_icon::Icon>> = HashMap::new();
    event_loop.run_return(|event, _, flow| {
        *flow = ControlFlow::Wait;
        let Event::UserEvent(call) = event else { return };
        match call {
            Call::Show(snapshot, shown) => {
                let drawn = draw(&mut tray, &mut icons, &snapshot);
                if let Err(e) = &drawn {
                    tracing::error!(error = %e, "could not draw the tray icon");
                }
                if let Some(shown) = shown {
                    let _ = shown.send(drawn);
                }
            }
            #[cfg(windows)]
            Call::Balloon(title, body, shown) => {
                let _ = shown.send(match &tray {
                    Some(tray) => balloon::show(tray.window_handle(), &title, &body),
                    None => Err("the tray icon is not shown yet".into()),
                });
            }
            Call::Quit => {
                tray = None;
                *flow = ControlFlow::Exit;
            }
        }
    });
    engine
        .join()
        .map_err(|_| anyhow::anyhow!("the engine's thread panicked"))?
}

impl Desktop {
    fn send(&self, call: Call) -> Result<(), String> {
        self.proxy
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .send_event(call)
            .map_err(|_| "the tray's event loop has ended".to_owned())
    }

    /// Shows the icon; the user's picks (menu, a click on the icon) arrive on `choices`.
    pub async fn tray(self, snapshot: Snapshot, choices: mpsc::UnboundedSender<Choice>) -> anyhow::Result<Tray> {
        let menu_choices = choices.clone();
        MenuEvent::set_event_handler(Some(move |event: MenuEvent| {
            if let Some(choice) = Choice::from_key(event.id().as_ref()) {
                let _ = menu_choices.send(choice);
            }
        }));
        TrayIconEvent::set_event_handler(Some(move |event: TrayIconEvent| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                let _ = choices.send(Choice::Open(View::Inbox));
            }
        }));
        let (shown, drawn) = oneshot::channel();
        self.send(Call::Show(snapshot, Some(shown)))
            .map_err(anyhow::Error::msg)?;
        drawn
            .await
            .map_err(|_| anyhow::anyhow!("the tray's event loop has ended"))?
            .map_err(|e| anyhow::anyhow!("cannot show the tray icon: {e}"))?;
        let desktop = std::sync::Arc::new(self);
        #[cfg(windows)]
        {
            let desktop = desktop.clone();
            // Called from async code: a std channel, whose short wait (the loop answers at once)
            // a runtime allows, where tokio's blocking receive would panic.
            engine::set_balloon(move |title, body| {
                let (shown, answer) = std::sync::mpsc::sync_channel(1);
                desktop.send(Call::Balloon(title.to_owned(), body.to_owned(), shown))?;
                answer
                    .recv_timeout(std::time::Duration::from_secs(2))
                    .map_err(|_| "the tray's event loop did not answer".to_owned())?
            });
        }
        tracing::info!("tray icon shown");
        Ok(Tray(desktop))
    }
}

/// The icon in the notification area (Windows) or the menu bar (macOS).
pub struct Tray(std::sync::Arc<Desktop>);

impl Tray {
    pub async fn update(&self, snapshot: Snapshot) {
        if let Err(e) = self.0.send(Call::Show(snapshot, None)) {
            tracing::warn!(error = %e, "could not redraw the tray icon");
        }
    }
}

/// Makes or redraws the icon. On the event loop's thread.
fn draw(
    tray: &mut Option<TrayIcon>,
    icons: &mut HashMap<Look, Option<tray_icon::Icon>>,
    snapshot: &Snapshot,
) -> Result<(), String> {
    let (look, line) = snapshot.look();
    let tooltip = if line.is_empty() {
        "Sentry Tray".to_owned()
    } else {
        format!("Sentry Tray: {line}")
    };
    let icon = icons
        .entry(look)
        .or_insert_with(|| {
            icons::decode(look).and_then(|i| tray_icon::Icon::from_rgba(i.pixels, i.width, i.height).ok())
        })
        .clone();
    let menu = menu(snapshot).map_err(|e| e.to_string())?;
    match tray {
        Some(tray) => {
            tray.set_icon(icon).map_err(|e| e.to_string())?;
            tray.set_tooltip(Some(tooltip)).map_err(|e| e.to_string())?;
            tray.set_menu(Some(Box::new(menu)));
        }
        None => {
            let mut builder = TrayIconBuilder::new()
                .with_tooltip(tooltip)
                .with_menu(Box::new(menu))
                // A click opens the window, the menu is on the other button (as on Linux).
                .with_menu_on_left_click(false);
            if let Some(icon) = icon {
                builder = builder.with_icon(icon);
            }
            *tray = Some(builder.build().map_err(|e| e.to_string())?);
        }
    }
    Ok(())
}

fn menu(snapshot: &Snapshot) -> tray_icon::menu::Result<Menu> {
    let menu = Menu::new();
    let mut n = 0;
    for entry in snapshot.entries() {
        append(&entry, &mut n, &|item| menu.append(item))?;
    }
    Ok(menu)
}

/// Appends `entry` through `to` (a menu's or a submenu's append); `n` numbers the entries
/// that choose nothing, whose ids must still differ.
fn append(
    entry: &Entry,
    n: &mut usize,
    to: &dyn Fn(&dyn IsMenuItem) -> tray_icon::menu::Result<()>,
) -> tray_icon::menu::Result<()> {
    *n += 1;
    // `&` marks a mnemonic; a literal one (in an alert's title) is doubled.
    match entry {
        Entry::Separator => to(&PredefinedMenuItem::separator()),
        Entry::Item { label, enabled, choice } => {
            let id = choice.map_or_else(|| format!("label:{n}"), Choice::key);
            to(&MenuItem::with_id(
                id,
                label.replace('&', "&&"),
                *enabled && choice.is_some(),
                None,
            ))
        }
        Entry::Submenu { label, entries } => {
            let submenu = Submenu::new(label.replace('&', "&&"), true);
            for entry in entries {
                append(entry, n, &|item| submenu.append(item))?;
            }
            to(&submenu)
        }
    }
}

#[cfg(windows)]
mod balloon {
    use windows_sys::Win32::Foundation::HWND;
    use windows_sys::Win32::UI::Shell::{NIF_INFO, NIIF_INFO, NIM_MODIFY, NOTIFYICONDATAW, Shell_NotifyIconW};

    /// tray-icon does not say which number it gave the icon (a small one, from a counter it
    /// shares with other ids), but each of its icons has a window of its own: the one number the
    /// shell accepts for that window is the icon's. A wrong one changes nothing.
    const ICON_IDS: std::ops::RangeInclusive<u32> = 1..=64;

    /// The icon's balloon: a title and a text, no buttons.
    #[allow(unsafe_code)]
    pub fn show(window: HWND, title: &str, body: &str) -> Result<(), String> {
        // SAFETY: NOTIFYICONDATAW is plain data (integers, arrays, a handle); all zeros is a
        // valid value that the fields below complete.
        let mut data: NOTIFYICONDATAW = unsafe { std::mem::zeroed() };
        data.cbSize = size_of::<NOTIFYICONDATAW>() as u32;
        data.hWnd = window;
        data.uFlags = NIF_INFO;
        data.dwInfoFlags = NIIF_INFO;
        fill(&mut data.szInfoTitle, title);
        fill(&mut data.szInfo, body);
        for id in ICON_IDS {
            data.uID = id;
            // SAFETY: `data` is initialised and sized, and `window` is the live icon's window
            // (the caller holds the icon, on the thread that made it).
            if unsafe { Shell_NotifyIconW(NIM_MODIFY, &data) } != 0 {
                return Ok(());
            }
        }
        Err("Windows refused the tray icon's balloon".into())
    }

    /// `text` as UTF-16 into `field`, cut to fit with its terminating zero.
    pub fn fill(field: &mut [u16], text: &str) {
        let room = field.len() - 1;
        let mut wide: Vec<u16> = text.encode_utf16().take(room).collect();
        // Half a surrogate pair would show as a broken character.
        if wide.last().is_some_and(|u| (0xD800..0xDC00).contains(u)) {
            wide.pop();
        }
        field[..wide.len()].copy_from_slice(&wide);
        field[wide.len()] = 0;
    }
}
