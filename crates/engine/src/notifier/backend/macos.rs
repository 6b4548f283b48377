//! macOS's notification centre (UserNotifications, through the objc2 bindings): one category per
//! set of buttons, the answer through the centre's delegate while the app runs. Texts are plain
//! there: nothing to escape.
//!
//! The centre serves only an app bundle (`Sentry Tray.app`, whose identifier it files the
//! notifications under); a bare binary gets a clear error instead of the crash the centre gives.
//!
//! Only type-checked on this project's machines (no macOS to run it on; README, Platforms).
// The delegate is an Objective-C class defined here: objc2's `define_class!` needs `unsafe impl`.
#![allow(unsafe_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use block2::{DynBlock, RcBlock};
use objc2::rc::Retained;
use objc2::runtime::{Bool, NSObject, NSObjectProtocol, ProtocolObject};
use objc2::{AllocAnyThread, define_class, msg_send, sel};
use objc2_foundation::{NSArray, NSBundle, NSError, NSSet, NSString};
use objc2_user_notifications::{
    UNAuthorizationOptions, UNMutableNotificationContent, UNNotification, UNNotificationAction,
    UNNotificationActionOptions, UNNotificationCategory, UNNotificationCategoryOptions,
    UNNotificationDefaultActionIdentifier, UNNotificationDismissActionIdentifier, UNNotificationInterruptionLevel,
    UNNotificationPresentationOptions, UNNotificationRequest, UNNotificationResponse, UNNotificationSound,
    UNUserNotificationCenter, UNUserNotificationCenterDelegate,
};
use tokio::sync::{oneshot, watch};

use super::{Note, Response, Urgency};

static NEXT_ID: AtomicU32 = AtomicU32::new(1);

/// Who waits for each notification on screen, by its request identifier.
fn waiting() -> &'static Mutex<HashMap<String, watch::Sender<Option<Response>>>> {
    static WAITING: OnceLock<Mutex<HashMap<String, watch::Sender<Option<Response>>>>> = OnceLock::new();
    WAITING.get_or_init(Default::default)
}

/// The button sets registered as categories, by category identifier (the centre takes the
/// whole set each time).
fn categories() -> &'static Mutex<HashMap<String, Vec<(String, String)>>> {
    static CATEGORIES: OnceLock<Mutex<HashMap<String, Vec<(String, String)>>>> = OnceLock::new();
    CATEGORIES.get_or_init(Default::default)
}

define_class!(
    // SAFETY: NSObject has no subclassing requirements, and the class has no Drop.
    #[unsafe(super(NSObject))]
    #[name = "SentryTrayNotificationDelegate"]
    struct Delegate;

    unsafe impl NSObjectProtocol for Delegate {}

    unsafe impl UNUserNotificationCenterDelegate for Delegate {
        #[unsafe(method(userNotificationCenter:didReceiveNotificationResponse:withCompletionHandler:))]
        fn did_receive(
            &self,
            _center: &UNUserNotificationCenter,
            response: &UNNotificationResponse,
            done: &DynBlock<dyn Fn()>,
        ) {
            let id = response.notification().request().identifier().to_string();
            let action = response.actionIdentifier();
            // SAFETY: the framework's constant strings, alive for the process.
            let (default, dismiss) = unsafe {
                (
                    UNNotificationDefaultActionIdentifier,
                    UNNotificationDismissActionIdentifier,
                )
            };
            let answer = if &*action == default {
                Response::Default
            } else if &*action == dismiss {
                Response::Gone
            } else {
                Response::Action(action.to_string())
            };
            if let Some(waiting) = waiting().lock().unwrap_or_else(|e| e.into_inner()).remove(&id) {
                let _ = waiting.send(Some(answer));
            }
            done.call(());
        }

        /// Shown while the app is in front too (a menu-bar app nearly always is).
        #[unsafe(method(userNotificationCenter:willPresentNotification:withCompletionHandler:))]
        fn will_present(
            &self,
            _center: &UNUserNotificationCenter,
            _notification: &UNNotification,
            done: &DynBlock<dyn Fn(UNNotificationPresentationOptions)>,
        ) {
            done.call((UNNotificationPresentationOptions::Banner
                | UNNotificationPresentationOptions::List
                | UNNotificationPresentationOptions::Sound,));
        }
    }
);

impl Delegate {
    fn new() -> Retained<Delegate> {
        let this = Delegate::alloc().set_ivars(());
        // SAFETY: NSObject's designated initialiser, on a freshly allocated object.
        unsafe { msg_send![super(this), init] }
    }
}

/// A notification in the centre.
#[derive(Clone)]
pub struct Shown {
    id: u32,
    answer: watch::Receiver<Option<Response>>,
}

impl Shown {
    pub fn id(&self) -> u32 {
        self.id
    }

    pub async fn close(&self) {
        if let Some(center) = center() {
            let ids = NSArray::from_retained_slice(&[NSString::from_str(&self.id.to_string())]);
            center.removeDeliveredNotificationsWithIdentifiers(&ids);
        }
        waiting()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.id.to_string());
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

/// The centre, once set up (the delegate, the user asked once for permission); `None` outside an
/// app bundle.
fn center() -> Option<Retained<UNUserNotificationCenter>> {
    NSBundle::mainBundle().bundleIdentifier()?;
    Some(UNUserNotificationCenter::currentNotificationCenter())
}

/// Sets the centre up once a run: the delegate, and the user asked for permission. The
/// centre's objects stay on one side of each wait (they cannot move between threads).
async fn set_up() -> Result<(), String> {
    static ASKED: tokio::sync::OnceCell<Result<(), String>> = tokio::sync::OnceCell::const_new();
    ASKED
        .get_or_init(|| async {
            let granted = {
                let center = center().ok_or(
                    "macOS shows notifications only for the app bundle (Sentry Tray.app), not for a bare binary",
                )?;
                // The centre holds its delegate weakly: this one lives as long as the app.
                let delegate = Delegate::new();
                center.setDelegate(Some(ProtocolObject::from_ref(&*delegate)));
                std::mem::forget(delegate);
                let (told, granted) = oneshot::channel();
                let told = Mutex::new(Some(told));
                let answered = RcBlock::new(move |granted: Bool, _error: *mut NSError| {
                    if let Some(told) = told.lock().unwrap_or_else(|e| e.into_inner()).take() {
                        let _ = told.send(granted.as_bool());
                    }
                });
                center.requestAuthorizationWithOptions_completionHandler(
                    UNAuthorizationOptions::Alert | UNAuthorizationOptions::Sound,
                    &answered,
                );
                granted
            };
            match tokio::time::timeout(Duration::from_secs(120), granted).await {
                Ok(Ok(true)) => Ok(()),
                Ok(Ok(false)) => Err("notifications for Sentry Tray are off in System Settings → Notifications".into()),
                _ => Err("macOS did not answer whether Sentry Tray may notify".into()),
            }
        })
        .await
        .clone()
}

/// The category for this set of buttons, registered with the centre the first time it is used.
fn category(center: &UNUserNotificationCenter, note: &Note<'_>) -> Option<String> {
    let buttons: Vec<(String, String)> = note
        .buttons()
        .map(|(key, label)| ((*key).to_owned(), (*label).to_owned()))
        .collect();
    if buttons.is_empty() {
        return None;
    }
    let id = buttons
        .iter()
        .map(|(key, _)| key.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let mut known = categories().lock().unwrap_or_else(|e| e.into_inner());
    if known.insert(id.clone(), buttons).is_none() {
        let all: Vec<Retained<UNNotificationCategory>> = known
            .iter()
            .map(|(id, buttons)| {
                let actions: Vec<Retained<UNNotificationAction>> = buttons
                    .iter()
                    .map(|(key, label)| {
                        UNNotificationAction::actionWithIdentifier_title_options(
                            &NSString::from_str(key),
                            &NSString::from_str(label),
                            UNNotificationActionOptions::empty(),
                        )
                    })
                    .collect();
                UNNotificationCategory::categoryWithIdentifier_actions_intentIdentifiers_options(
                    &NSString::from_str(id),
                    &NSArray::from_retained_slice(&actions),
                    &NSArray::new(),
                    // The app hears a dismissal, and stops waiting.
                    UNNotificationCategoryOptions::CustomDismissAction,
                )
            })
            .collect();
        center.setNotificationCategories(&NSSet::from_retained_slice(&all));
    }
    Some(id)
}

pub async fn show(note: Note<'_>) -> Result<Shown, String> {
    set_up().await?;
    // The same identifier replaces a notification in place.
    let id = note.replaces.unwrap_or_else(|| NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let (answered, answer) = watch::channel(None);
    waiting()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id.to_string(), answered);
    let added = request(&note, id).ok_or("macOS's notification centre is not available")?;
    match tokio::time::timeout(Duration::from_secs(10), added).await {
        Ok(Ok(None)) => {
            let shown = Shown { id, answer };
            // Timed out as on other systems: taken out of the centre's list as well.
            if let Some(after) = note.expires {
                let expiring = shown.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(after).await;
                    if expiring.answer.borrow().is_none() {
                        expiring.close().await;
                    }
                });
            }
            Ok(shown)
        }
        Ok(Ok(Some(failed))) => Err(format!("macOS refused the notification: {failed}")),
        _ => Err("macOS did not answer whether it showed the notification".into()),
    }
}

/// Hands the notification to the centre; the answer says whether it took it (or why not).
fn request(note: &Note<'_>, id: u32) -> Option<oneshot::Receiver<Option<String>>> {
    let center = center()?;
    let content = UNMutableNotificationContent::new();
    content.setTitle(&NSString::from_str(note.summary));
    content.setBody(&NSString::from_str(note.body));
    if let Some(category) = category(&center, note) {
        content.setCategoryIdentifier(&NSString::from_str(&category));
    }
    if note.sound.is_some() {
        content.setSound(Some(&UNNotificationSound::defaultSound()));
    }
    // macOS 12 and later: urgent ones break through Focus, quiet ones wait in the list.
    if content.respondsToSelector(sel!(setInterruptionLevel:)) {
        content.setInterruptionLevel(match note.urgency {
            Urgency::Critical => UNNotificationInterruptionLevel::TimeSensitive,
            Urgency::Normal => UNNotificationInterruptionLevel::Active,
            Urgency::Low => UNNotificationInterruptionLevel::Passive,
        });
    }
    let request = UNNotificationRequest::requestWithIdentifier_content_trigger(
        &NSString::from_str(&id.to_string()),
        &content,
        None,
    );
    let (told, added) = oneshot::channel();
    let told = Mutex::new(Some(told));
    let done = RcBlock::new(move |error: *mut NSError| {
        // SAFETY: the centre passes a valid NSError or null.
        let failed = unsafe { error.as_ref() }.map(|e| e.localizedDescription().to_string());
        if let Some(told) = told.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = told.send(failed);
        }
    });
    center.addNotificationRequest_withCompletionHandler(&request, Some(&done));
    Some(added)
}
