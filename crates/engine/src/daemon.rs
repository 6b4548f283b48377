//! The running engine: the webhook receiver, delivery of alerts as notifications, and the
//! actions chosen on them. The tray app (`sentry-tray`) and `sentry-tray-cli daemon` both run one.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use tokio::sync::{broadcast, mpsc, oneshot};

use crate::actions::Actions;
use crate::alert::{Alert, Kind};
use crate::api::Engine;
use crate::control::View;
use crate::enrich::Enricher;
use crate::notifier::Notifier;
use crate::policy::{
    AlertKind, Audience, Decision, Deliver, EnvironmentUnknown, History, Preferences, Reason, Subscription, decide,
    heard_as,
};
use crate::receiver::{self, ReceiverState, SecretSource, WebhookSecret, now};
use crate::secrets::Origin;
use crate::status::Status;
use crate::store::{Store, StoreError};

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8787";
/// Until when notifications are paused (epoch seconds; `i64::MAX` until resumed).
pub(crate) const KEY_PAUSED: &str = "notifications.paused";
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(60);
/// How long an alert's decision waits for Sentry to tell its environment, trying again every
/// `ENRICH_RETRY`; then it is decided without (and notifies, saying so).
const ENRICH_PATIENCE: Duration = Duration::from_secs(5 * 60);
const ENRICH_RETRY: Duration = Duration::from_secs(30);
/// A newly held alert waits this long before due digests go out, so a burst makes one digest.
const DIGEST_SETTLE: Duration = Duration::from_secs(1);
/// The longest the digest sender sleeps while alerts are held: preferences changed by another
/// process (`sentry-tray-cli prefs`) are seen by then.
const DIGEST_RECHECK: Duration = Duration::from_secs(3600);
/// The weekly summary's schedule is looked at again at least this often.
const WEEKLY_RECHECK: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone)]
pub struct DaemonConfig {
    pub listen: SocketAddr,
    /// `false` runs on webhooks alone.
    pub poll: bool,
    pub poll_interval: Duration,
}

impl Default for DaemonConfig {
    fn default() -> Self {
        DaemonConfig {
            listen: DEFAULT_LISTEN.parse().expect("valid default address"),
            poll: true,
            poll_interval: DEFAULT_POLL_INTERVAL,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(
        "cannot listen for webhooks on {addr}: {cause} (is another Sentry Tray running? choose another address with --listen)"
    )]
    Bind { addr: SocketAddr, cause: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Writer(#[from] crate::writer::StartError),
}

/// The webhook secret, read from the keyring once and again when a signature fails or the
/// window asks for the status (at most every few seconds), so `webhook-secret set` takes effect
/// without a restart. It also answers where the secret came from, or why it could not be read.
struct CachedSecret {
    engine: Engine,
    /// What was found (or why nothing could be read), and when it was last read again.
    found: Mutex<(Found, Option<Instant>)>,
}

/// The global secret (or why it could not be read), and the accounts' own.
type Found = (Global, Vec<WebhookSecret>);
type Global = Result<Option<(String, Origin)>, String>;

impl CachedSecret {
    /// Blocking (keyring over D-Bus).
    fn load(engine: Engine) -> CachedSecret {
        let found = Mutex::new((CachedSecret::read(&engine), None));
        CachedSecret { engine, found }
    }

    fn read(engine: &Engine) -> Found {
        let global = engine.webhook_secret().map_err(|e| {
            tracing::warn!(error = %e, "webhook secret unavailable");
            e.to_string()
        });
        (global, engine.account_webhook_secrets())
    }

    /// Reads the secrets again now, whenever they were last read: after this app changed one.
    /// Blocking (keyring over D-Bus).
    fn read_now(&self) {
        let found = CachedSecret::read(&self.engine);
        *self.found.lock().unwrap_or_else(|p| p.into_inner()) = (found, Some(Instant::now()));
    }

    /// The global secret as last read (or why it could not be read).
    fn found(&self) -> Global {
        self.found.lock().unwrap_or_else(|p| p.into_inner()).0.0.clone()
    }
}

impl SecretSource for CachedSecret {
    fn webhook_secrets(&self) -> Vec<WebhookSecret> {
        let (global, accounts) = self.found.lock().unwrap_or_else(|p| p.into_inner()).0.clone();
        let global = global
            .ok()
            .flatten()
            .map(|(secret, _)| WebhookSecret { account: None, secret });
        global.into_iter().chain(accounts).collect()
    }

    fn reload(&self) {
        let mut guard = self.found.lock().unwrap_or_else(|p| p.into_inner());
        if guard.1.is_some_and(|at| at.elapsed() < Duration::from_secs(5)) {
            return;
        }
        // A blocking D-Bus call (made on a blocking thread), rare by the throttle above.
        *guard = (CachedSecret::read(&self.engine), Some(Instant::now()));
    }
}

pub struct Daemon {
    engine: Engine,
    local_addr: SocketAddr,
    paused: Arc<AtomicI64>,
    secret: Arc<CachedSecret>,
    changed: broadcast::Sender<()>,
    actions: Actions,
    open_view: broadcast::Sender<View>,
    shutdown: Option<oneshot::Sender<()>>,
}

/// Which account an organization's webhook belongs to, from the accounts as listed at most a few
/// seconds ago: listing them reads the database (and the environment's account), too slow to do
/// per delivery, and an account added meanwhile is seen within that time.
fn account_of(engine: Engine) -> receiver::AccountOf {
    const FRESH: Duration = Duration::from_secs(5);
    /// When listed, and each account's organization and key.
    type Listed = Option<(std::time::Instant, Vec<(String, String)>)>;
    let listed: std::sync::Mutex<Listed> = std::sync::Mutex::new(None);
    Arc::new(move |org: Option<&str>| {
        let mut listed = listed.lock().unwrap_or_else(|p| p.into_inner());
        if listed.as_ref().is_none_or(|(at, _)| at.elapsed() > FRESH) {
            let accounts = crate::accounts::list(&engine).ok()?;
            *listed = Some((
                std::time::Instant::now(),
                accounts.into_iter().map(|a| (a.org.clone(), a.key())).collect(),
            ));
        }
        let (_, accounts) = listed.as_ref()?;
        let mut owners = accounts.iter().filter(|(o, _)| Some(o.as_str()) == org);
        match (owners.next(), owners.next()) {
            (Some((_, only)), None) => Some(only.clone()),
            _ => None,
        }
    })
}

impl Daemon {
    /// Binds the receiver and starts delivery. Must run inside a tokio runtime.
    pub async fn start(config: DaemonConfig, engine: Engine) -> Result<Daemon, DaemonError> {
        let store = engine.store().clone();
        crate::server::raise_open_file_limit();
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|cause| DaemonError::Bind {
                addr: config.listen,
                cause,
            })?;
        let local_addr = listener.local_addr().map_err(|cause| DaemonError::Bind {
            addr: config.listen,
            cause,
        })?;
        let paused = Arc::new(AtomicI64::new(
            store
                .setting(KEY_PAUSED)?
                .and_then(|until| until.parse().ok())
                .unwrap_or(0),
        ));

        let secret = Arc::new(
            tokio::task::spawn_blocking({
                let engine = engine.clone();
                move || CachedSecret::load(engine)
            })
            .await
            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic())),
        );
        let fallback_org = engine.settings().environment().and_then(|env| env.org);

        let (deliver_tx, deliver_rx) = mpsc::unbounded_channel();
        let (chosen_tx, chosen_rx) = mpsc::unbounded_channel();
        let (open_view, _) = broadcast::channel(4);
        let notifier = Notifier::new(chosen_tx, open_view.clone());
        let actions = Actions::new(engine.clone(), Some(notifier.clone()));
        tokio::spawn(actions.clone().run());
        let held = Arc::new(tokio::sync::Notify::new());
        tokio::spawn(digests(store.clone(), notifier.clone(), held.clone()));
        tokio::spawn(weekly(engine.clone(), notifier.clone()));
        let (changed, _) = broadcast::channel(16);
        tokio::spawn(watch_other_writers(store.clone(), changed.clone()));
        let writer = crate::writer::Writer::start(store.clone(), account_of(engine.clone()))?;
        tokio::spawn(deliver(
            deliver_rx,
            deliver_tx.clone(),
            Outlets {
                writer: writer.clone(),
                notifier,
                changed: changed.clone(),
                held,
            },
            engine.clone(),
            paused.clone(),
        ));
        tokio::spawn(act(chosen_rx, actions.clone()));

        let polled = deliver_tx.clone();
        let state = Arc::new(ReceiverState {
            writer,
            secret: secret.clone(),
            fallback_org,
            deliver: deliver_tx,
            replay_window: Some(receiver::DEFAULT_REPLAY_WINDOW),
            limits: receiver::Limits::default(),
        });
        let (shutdown, stop) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let served = receiver::serve(listener, state, async {
                let _ = stop.await;
            })
            .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "webhook receiver stopped");
            }
        });
        let reads = if config.poll {
            crate::poll::Reads::Everything
        } else {
            tracing::info!("polling is off; running on webhooks alone (releases are still read where needed)");
            crate::poll::Reads::ReleasesOnly
        };
        tokio::spawn(crate::poll::run(engine.clone(), polled, config.poll_interval, reads));
        tracing::info!(%local_addr, database = %store.path().display(), "Sentry Tray engine running");
        Ok(Daemon {
            engine,
            local_addr,
            paused,
            secret,
            changed,
            actions,
            open_view,
            shutdown: Some(shutdown),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    fn store(&self) -> &Store {
        self.engine.store()
    }

    /// Stores a webhook secret in the keyring (the global one, or `org`'s account's), and the
    /// receiver takes webhooks signed with it from now on. Blocking (keyring over D-Bus).
    pub fn set_webhook_secret(&self, org: Option<&str>, secret: &str) -> Result<(), crate::Error> {
        self.engine.set_webhook_secret(org, secret)?;
        self.secret.read_now();
        Ok(())
    }

    /// Reads the webhook secrets again now (a service hook was set up or removed here).
    /// Blocking (keyring).
    pub fn reload_webhook_secrets(&self) {
        self.secret.read_now();
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Fires when the user chose "Open inbox" (or "Open summary") on a summary notification.
    pub fn open_requests(&self) -> broadcast::Receiver<View> {
        self.open_view.subscribe()
    }

    /// The action queue (to list actions and retry failed ones).
    pub fn actions(&self) -> &Actions {
        &self.actions
    }

    /// Fires whenever what [`Status`] reports may have changed (an alert arrived).
    pub fn subscribe(&self) -> broadcast::Receiver<()> {
        self.changed.subscribe()
    }

    /// When the pause ends (`None`: not paused; `Some(None)`: until resumed).
    pub fn paused_until(&self) -> Option<Option<DateTime<Utc>>> {
        match self.paused.load(Ordering::SeqCst) {
            until if until <= now() => None,
            i64::MAX => Some(None),
            until => Some(DateTime::from_timestamp(until, 0)),
        }
    }

    /// Pauses notifications until `until` (`None`: until resumed). Alerts keep being stored.
    pub fn pause_until(&self, until: Option<DateTime<Utc>>) -> Result<(), StoreError> {
        let until = until.map_or(i64::MAX, |u| u.timestamp());
        self.store().set_setting(KEY_PAUSED, &until.to_string())?;
        self.paused.store(until, Ordering::SeqCst);
        tracing::info!(until, "notifications paused");
        let _ = self.changed.send(());
        Ok(())
    }

    /// Pauses (until resumed) or resumes notifications; alerts keep being stored meanwhile.
    /// Survives restarts.
    pub fn set_paused(&self, paused: bool) -> Result<(), StoreError> {
        if paused {
            return self.pause_until(None);
        }
        self.store().set_setting(KEY_PAUSED, "0")?;
        self.paused.store(0, Ordering::SeqCst);
        tracing::info!("notifications resumed");
        let _ = self.changed.send(());
        Ok(())
    }

    /// A handle that reads the status away from the daemon (e.g. on a blocking thread).
    pub fn status_reader(&self) -> StatusReader {
        StatusReader {
            engine: self.engine.clone(),
            local_addr: self.local_addr,
            secret: self.secret.clone(),
        }
    }

    /// Stops the receiver; what was stored stays stored.
    pub fn shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// 08:00 tomorrow in the machine's time zone: when "pause until tomorrow" ends.
pub fn tomorrow_morning() -> DateTime<Utc> {
    let local = chrono::Local::now();
    let morning = (local.date_naive() + chrono::Duration::days(1))
        .and_hms_opt(8, 0, 0)
        .unwrap_or_default();
    morning
        .and_local_timezone(chrono::Local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc::now() + chrono::Duration::hours(12))
}

/// Reads the [`Status`]; cheap to clone and `'static`.
#[derive(Clone)]
pub struct StatusReader {
    engine: Engine,
    local_addr: SocketAddr,
    secret: Arc<CachedSecret>,
}

impl StatusReader {
    /// The first account whose polling is in trouble, said briefly (for the tray).
    pub fn account_trouble(&self) -> Option<String> {
        crate::status::account_trouble(&self.engine)
    }

    /// Blocking (at most every few seconds, the keyring over D-Bus): call from a blocking
    /// thread in async code.
    pub fn read(&self) -> Status {
        self.secret.reload();
        crate::status::read(&self.engine, Some(self.local_addr), &self.secret.found())
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// How often the database is asked whether another process wrote to it.
const WATCH_EVERY: Duration = Duration::from_millis(400);

/// Tells the window and tray when another process changed the database (`sentry-tray-cli
/// prefs`, say), so an open window shows it within a second without being reloaded.
async fn watch_other_writers(store: Store, changed: broadcast::Sender<()>) {
    let mut seen = store.data_version().ok();
    let mut tick = tokio::time::interval(WATCH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let now = store.data_version().ok();
        if now != seen {
            seen = now;
            let _ = changed.send(());
        }
    }
}

/// Where the delivery loop's results go: the database (through the writer), the screen, the
/// window and tray (`changed`), and the digest task (`held`).
struct Outlets {
    writer: crate::writer::Writer,
    notifier: Notifier,
    changed: broadcast::Sender<()>,
    held: Arc<tokio::sync::Notify>,
}

async fn deliver(
    mut rx: mpsc::UnboundedReceiver<(i64, Alert)>,
    again: mpsc::UnboundedSender<(i64, Alert)>,
    outlets: Outlets,
    engine: Engine,
    paused: Arc<AtomicI64>,
) {
    let Outlets {
        writer,
        notifier,
        changed,
        held,
    } = outlets;
    let store = engine.store().clone();
    let enricher = Enricher::new(engine);
    // Per project: alerts held back by spike protection, and the hour they count in.
    let mut held_back: std::collections::HashMap<String, (u32, i64)> = std::collections::HashMap::new();
    // Alerts whose decision waits for Sentry to answer (their environment), since when.
    let mut waiting: std::collections::HashMap<i64, Instant> = std::collections::HashMap::new();
    while let Some((id, alert)) = rx.recv().await {
        if alert.closes_thread() {
            notifier.close(&alert.thread_key()).await;
            if alert.kind == Kind::MetricAlertResolved {
                if let Err(e) = writer
                    .decide(id, Decision::new(Deliver::Suppress, Reason::IncidentResolved))
                    .await
                {
                    tracing::warn!(error = %e, "could not record the decision");
                }
                let _ = changed.send(());
                continue;
            }
        }
        let mut loudness = Preferences::default();
        let decision = if now() < paused.load(Ordering::SeqCst) {
            Decision::new(Deliver::Suppress, Reason::Paused)
        } else {
            match decide_for(&enricher, &alert, Utc::now()).await {
                Ok(decided)
                    if decided.unsure && waiting.entry(id).or_insert_with(Instant::now).elapsed() < ENRICH_PATIENCE =>
                {
                    // Stored already; decided once Sentry answers, or without it after a while.
                    let again = again.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(ENRICH_RETRY).await;
                        let _ = again.send((id, alert));
                    });
                    continue;
                }
                Ok(decided) => {
                    waiting.remove(&id);
                    loudness = decided.preferences;
                    decided.decision
                }
                Err(e) => {
                    // Unreadable preferences must not swallow alerts: notify, and say why.
                    tracing::warn!(error = %e, "preferences unreadable; notifying");
                    Decision::new(Deliver::Now, Reason::PreferencesUnreadable { detail: e.to_string() })
                }
            }
        };
        if let Err(e) = writer.decide(id, decision.clone()).await {
            tracing::warn!(error = %e, "could not record the decision");
        }
        let back = decision.reasons.iter().find_map(|r| match r {
            Reason::MuteEnded { why } => Some(why.clone()),
            _ => None,
        });
        if let (Some(why), Some(key)) = (&back, alert.issue_key())
            && let Err(e) = store.end_mute(key, why, Utc::now(), true)
        {
            tracing::warn!(error = %e, "could not record that a mute for me ended");
        }
        // The tray and an open window show the alert with its decision (nobody listening is fine).
        let _ = changed.send(());
        if decision.deliver == Deliver::Digest {
            held.notify_one();
        }
        if decision.deliver != Deliver::Now {
            tracing::info!(alert = id, deliver = ?decision.deliver, reasons = ?decision.why(), "not notified");
            if let Some(Reason::SpikeLimit { .. }) = decision.decisive() {
                let project = alert.project.clone().unwrap_or_default();
                let hour = now() / 3600;
                let entry = held_back.entry(project.clone()).or_insert((0, hour));
                if entry.1 != hour {
                    *entry = (0, hour);
                }
                entry.0 += 1;
                if let Err(e) = notifier.show_summary(&project, entry.0, &alert.title).await {
                    tracing::warn!(error = %e, "could not show the spike summary");
                }
            }
            continue;
        }
        let mut alert = alert;
        if alert.project_name.is_none() {
            // Events name their project by slug alone: the name as the projects list last said.
            alert.project_name = store.project_name(alert.org.as_deref(), alert.project.as_deref());
        }
        let note = back.map(|why| format!("Back: {why}"));
        match notifier.show_alert(&alert, &loudness, note.as_deref()).await {
            Ok(notification) => {
                tracing::info!(alert = id, notification, reasons = ?decision.why(), "notified");
                if let Err(e) = writer.notified(id, now()).await {
                    tracing::warn!(error = %e, "could not record the notification");
                }
                // Now it counts as shown (the tray's "new alerts").
                let _ = changed.send(());
            }
            Err(e) => tracing::error!(alert = id, error = %e, "alert stored but not shown"),
        }
    }
}

/// What was decided for an alert, under which preferences, and whether it should be decided
/// again shortly (its environment could not be read from Sentry yet).
pub struct Decided {
    pub decision: Decision,
    pub preferences: Preferences,
    pub unsure: bool,
}

/// The policy's decision for an alert: the project's preferences, recent history, who "me" is
/// and, when the preferences need them, the alert's environment and the ownership result (from
/// Sentry, cached).
pub async fn decide_for(enricher: &Enricher, alert: &Alert, at: DateTime<Utc>) -> Result<Decided, StoreError> {
    let store = enricher.store();
    let project = alert.project.as_deref().unwrap_or("");
    let preferences = store.preferences(project, alert.org.as_deref())?;
    let history = History {
        notified_last_hour: store.notified_since(project, at.timestamp() - 3600)?,
    };
    let me = enricher.me(alert).await;
    let mut alert = alert.clone();
    // Comments and others' changes notify on my issues only: whose it is and whether I am
    // subscribed, read from Sentry only where such an alert would be heard at all.
    let heard = alert.facts(&me).kind.and_then(|kind| heard_as(kind, &preferences));
    let mut subscription = Subscription::Unknown;
    if matches!(heard, Some(AlertKind::CommentOnMyIssue | AlertKind::StateChanged)) {
        (alert.assigned_to, subscription) = enricher.involvement(&alert).await;
    }
    // Issue webhooks and polled issues carry no environment: the issue's latest event has it.
    let mut unknown = None;
    if !preferences.environments.is_empty() {
        match enricher.environment(&alert).await {
            Ok(environment) => alert.environment = environment,
            Err(why) => unknown = Some(why),
        }
    }
    let alert = &alert;
    let ownership = match preferences.audience {
        Audience::Owned | Audience::OwnedOrAssigned => enricher.ownership(alert, &preferences).await,
        Audience::Everything | Audience::Assigned => None,
    };
    let mut facts = alert.facts(&me);
    facts.environment_unknown = unknown;
    facts.subscription = subscription;
    if let Some(key) = alert.issue_key() {
        facts.mute_for_me = store.mute_state(key)?;
    }
    let decision = decide(&facts, &preferences, ownership.as_ref(), &me, at, history);
    let unsure = unknown == Some(EnvironmentUnknown::Unreachable);
    Ok(Decided {
        decision,
        preferences,
        unsure,
    })
}

/// Shows the weekly summary when it is due, and at start one that fell due while the app was
/// not running. Sleeps until the next due time, looking again at least hourly (the schedule
/// may change, the machine may sleep).
async fn weekly(engine: Engine, notifier: Notifier) {
    loop {
        let mut wait = WEEKLY_RECHECK;
        if let Some(due) = engine.summary_owed(Utc::now()).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "could not tell whether the weekly summary is due");
            None
        }) {
            let shown = match engine.weekly_summary(Some(due)) {
                Ok(summary) => notifier.show_weekly(&summary).await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match shown.and_then(|_| engine.summary_sent(due).map_err(|e| e.to_string())) {
                Ok(()) => tracing::info!(%due, "weekly summary shown"),
                Err(e) => {
                    tracing::warn!(error = %e, "the weekly summary was not shown; trying again in a minute");
                    wait = Duration::from_secs(60);
                }
            }
        }
        if let Some(next) = engine.summary_schedule().next_due(Utc::now(), &chrono::Local) {
            // A second past the due time, so the next look finds it owed.
            let until = (next - Utc::now()).to_std().unwrap_or_default() + Duration::from_secs(1);
            wait = wait.min(until);
        }
        tokio::time::sleep(wait).await;
    }
}

/// Sends each project's held alerts as one digest summary when due. No timer runs while nothing
/// is held: it sleeps until an alert is, then until the earliest digest is due.
async fn digests(store: Store, notifier: Notifier, held: Arc<tokio::sync::Notify>) {
    loop {
        let next = send_due_digests(&store, &notifier).await;
        let sleep = async {
            match next {
                Some(wait) => tokio::time::sleep(wait.min(DIGEST_RECHECK)).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = held.notified() => tokio::time::sleep(DIGEST_SETTLE).await,
            _ = sleep => {}
        }
    }
}

/// Sends the digests that are due; answers how long until the next one is (`None`: none held).
async fn send_due_digests(store: &Store, notifier: &Notifier) -> Option<Duration> {
    let groups = match store.undigested() {
        Ok(groups) => groups,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the alerts held for the digest");
            return Some(DIGEST_RECHECK);
        }
    };
    let mut next: Option<DateTime<Utc>> = None;
    for (project, held) in groups {
        let org = held.first().and_then(|a| a.org.clone());
        let Ok(preferences) = store.preferences(&project, org.as_deref()) else {
            continue;
        };
        let oldest = held
            .iter()
            .map(|a| a.received_at)
            .min()
            .and_then(|t| DateTime::from_timestamp(t, 0))
            .unwrap_or_else(Utc::now);
        let for_quiet = held
            .iter()
            .any(|a| matches!(a.reasons.last(), Some(Reason::QuietHours { .. })));
        let now = Utc::now();
        if !crate::policy::digest_due(&preferences, oldest, for_quiet, now) {
            if let Some(due) = crate::policy::digest_due_at(&preferences, oldest, for_quiet, now) {
                next = Some(next.map_or(due, |n| n.min(due)));
            }
            continue;
        }
        let titles: Vec<String> = held.iter().map(|a| a.title.clone()).collect();
        match notifier.show_digest(&project, &titles).await {
            Ok(_) => {
                let ids: Vec<i64> = held.iter().map(|a| a.id).collect();
                if let Err(e) = store.mark_digested(&ids, now.timestamp()) {
                    tracing::warn!(error = %e, "could not record the digest");
                }
                tracing::info!(project, alerts = ids.len(), "digest sent");
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not show the digest; trying again in a minute");
                let again = now + chrono::Duration::minutes(1);
                next = Some(next.map_or(again, |n| n.min(again)));
            }
        }
    }
    // A second past the due time, so the next look finds it due.
    next.map(|t| (t - Utc::now()).to_std().unwrap_or_default() + Duration::from_secs(1))
}

async fn act(mut rx: mpsc::UnboundedReceiver<crate::notifier::Chosen>, actions: Actions) {
    while let Some(chosen) = rx.recv().await {
        let actions = actions.clone();
        tokio::spawn(async move { actions.handle(chosen).await });
    }
}
