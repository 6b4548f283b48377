//! Windows toasts (WinRT) with buttons, answered through their Activated event while the app
//! runs; where toasts are missing (Windows before 10, Wine) the tray app's icon shows a balloon
//! instead, without buttons (the alert is in the inbox and the tray menu).
//!
//! Windows shows toasts of an unpackaged app only under a registered AppUserModelID: the app
//! registers [`APP_ID`] for the user (`HKCU\Software\Classes\AppUserModelId`, what Windows' own
//! toolkit does for unpackaged apps), so toasts work from the zip too, without an installer's
//! Start-menu shortcut.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::sync::watch;
use windows::Data::Xml::Dom::XmlDocument;
use windows::Foundation::TypedEventHandler;
use windows::UI::Notifications::{
    ToastActivatedEventArgs, ToastDismissedEventArgs, ToastFailedEventArgs, ToastNotification,
    ToastNotificationManager, ToastNotificationPriority, ToastNotifier,
};
use windows::core::{HSTRING, IInspectable, Interface};

use super::{Note, Response, Urgency};

/// The bundle identifier (tauri.conf.json), which the installer's shortcut carries.
pub const APP_ID: &str = "io.sentry-tray.app";

type Balloon = Box<dyn Fn(&str, &str) -> Result<(), String> + Send + Sync>;
static BALLOON: OnceLock<Balloon> = OnceLock::new();
static NEXT_ID: AtomicU32 = AtomicU32::new(1);

/// Where toasts cannot be shown, `show` hands (summary, body) to the tray app's balloon.
pub fn set_balloon(show: impl Fn(&str, &str) -> Result<(), String> + Send + Sync + 'static) {
    let _ = BALLOON.set(Box::new(show));
}

/// A toast or balloon on screen.
#[derive(Clone)]
pub struct Shown {
    id: u32,
    /// `None` for a balloon.
    toast: Option<ToastNotification>,
    answer: watch::Receiver<Option<Response>>,
}

impl Shown {
    pub fn id(&self) -> u32 {
        self.id
    }

    pub async fn close(&self) {
        if let Some(toast) = &self.toast
            && let Err(e) = notifier().and_then(|n| n.Hide(toast))
        {
            tracing::debug!(error = %e, "could not take the toast down");
        }
    }

    /// Waits until the user answers or the notification goes.
    pub async fn answer(&self) -> Response {
        let mut answer = self.answer.clone();
        match answer.wait_for(Option::is_some).await {
            Ok(chosen) => chosen.clone().unwrap_or(Response::Gone),
            Err(_) => Response::Gone,
        }
    }
}

pub async fn show(note: Note<'_>) -> Result<Shown, String> {
    // The same tag replaces a toast in place.
    let id = note.replaces.unwrap_or_else(|| NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let toast_failed = match toast(&note, id) {
        Ok(shown) => return Ok(shown),
        Err(e) => e,
    };
    let Some(balloon) = BALLOON.get() else {
        return Err(format!("Windows could not show a toast: {toast_failed}"));
    };
    tracing::debug!(error = %toast_failed, "no toasts here; the tray's balloon instead");
    balloon(note.summary, note.body).map_err(|e| format!("neither a toast ({toast_failed}) nor a balloon ({e})"))?;
    // A balloon cannot be answered; it goes by itself.
    let (gone, answer) = watch::channel(None);
    let stays = note.expires.unwrap_or(Duration::from_secs(30));
    tokio::spawn(async move {
        tokio::time::sleep(stays).await;
        let _ = gone.send(Some(Response::Gone));
    });
    Ok(Shown {
        id,
        toast: None,
        answer,
    })
}

fn notifier() -> windows::core::Result<ToastNotifier> {
    ToastNotificationManager::CreateToastNotifierWithId(&HSTRING::from(APP_ID))
}

/// The name Windows shows on the app's toasts and in its notification settings.
fn register_app_id() -> windows_registry::Result<()> {
    let key = windows_registry::CURRENT_USER.create(format!(r"Software\Classes\AppUserModelId\{APP_ID}"))?;
    key.set_string("DisplayName", "Sentry Tray")
}

fn toast(note: &Note<'_>, id: u32) -> windows::core::Result<Shown> {
    static REGISTERED: OnceLock<()> = OnceLock::new();
    REGISTERED.get_or_init(|| match register_app_id() {
        Ok(()) => tracing::info!(app_id = APP_ID, "registered for toasts"),
        Err(e) => tracing::warn!(error = %e, "could not register the app for toasts; Windows may not show them"),
    });
    let document = XmlDocument::new()?;
    document.LoadXml(&HSTRING::from(crate::notifier::toast::xml(note)))?;
    let toast = ToastNotification::CreateToastNotification(&document)?;
    toast.SetTag(&HSTRING::from(id.to_string()))?;
    if note.urgency == Urgency::Critical {
        // Shown first where Windows holds toasts back (focus assist, a busy screen).
        toast.SetPriority(ToastNotificationPriority::High)?;
    }
    let (answered, answer) = watch::channel(None);
    let answered = Arc::new(answered);
    let on = answered.clone();
    toast.Activated(&TypedEventHandler::<ToastNotification, IInspectable>::new(
        move |_, args| {
            let key = args
                .as_ref()
                .and_then(|a| a.cast::<ToastActivatedEventArgs>().ok())
                .and_then(|a| a.Arguments().ok())
                .map(|a| a.to_string_lossy());
            let _ = on.send(Some(match key.as_deref() {
                None | Some("" | "default") => Response::Default,
                Some(key) => Response::Action(key.to_owned()),
            }));
            Ok(())
        },
    ))?;
    let on = answered.clone();
    toast.Dismissed(&TypedEventHandler::<ToastNotification, ToastDismissedEventArgs>::new(
        move |_, _| {
            let _ = on.send(Some(Response::Gone));
            Ok(())
        },
    ))?;
    toast.Failed(&TypedEventHandler::<ToastNotification, ToastFailedEventArgs>::new(
        move |_, _| {
            let _ = answered.send(Some(Response::Gone));
            Ok(())
        },
    ))?;
    notifier()?.Show(&toast)?;
    Ok(Shown {
        id,
        toast: Some(toast),
        answer,
    })
}
