//! `sentry-tray`: the desktop app at rest. It runs the engine (polling, the webhook receiver,
//! notifications, actions), shows the system's tray icon (`sni` on Linux and the BSDs, `shell`
//! on Windows and macOS), and starts the window as a process of its own when the user opens it.
//! Nothing here loads GTK or WebKit.
// A release build on Windows opens no console window (debug builds keep it for their logs).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod autostart;
mod commands;
mod icons;
mod menu;
#[cfg(any(windows, target_os = "macos"))]
mod shell;
#[cfg(all(unix, not(target_os = "macos")))]
mod sni;
mod window;

#[cfg(any(windows, target_os = "macos"))]
use shell as platform;
#[cfg(all(unix, not(target_os = "macos")))]
use sni as platform;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use engine::control::{self, ControlError, Event, Request, View};
use engine::{Daemon, DaemonConfig, Engine, Settings};
use tokio::sync::{broadcast, mpsc};

use crate::commands::Commands;
use crate::menu::{Choice, Snapshot};
use crate::window::Window;

#[derive(Parser)]
#[command(name = "sentry-tray", version, about = "Sentry alerts on your desktop")]
struct Args {
    /// Where the webhook receiver listens.
    #[arg(long, env = "SENTRY_TRAY_LISTEN", default_value = engine::DEFAULT_LISTEN)]
    listen: SocketAddr,
    /// Start in the tray without opening the window.
    #[arg(long)]
    hidden: bool,
    /// Seconds between polls of each Sentry account.
    #[arg(long, env = "SENTRY_TRAY_POLL_INTERVAL", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    poll_interval: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    engine::private::restrict_new_files();
    let settings = Settings::from_env();
    let _log = init_logging(settings.log_dir());
    if let Err(message) = check_display() {
        eprintln!("error: {message}");
        return ExitCode::FAILURE;
    }
    let app = move |desktop: platform::Desktop| -> anyhow::Result<()> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| anyhow::anyhow!("cannot start: {e}"))?;
        let result = runtime.block_on(run(args, settings, desktop));
        // A keyring or SQLite call may still be on a blocking thread; do not wait for it long.
        runtime.shutdown_timeout(Duration::from_secs(2));
        result
    };
    // Windows and macOS keep their native event loop on the main thread, the engine beside it.
    #[cfg(any(windows, target_os = "macos"))]
    let result = shell::run(app);
    #[cfg(all(unix, not(target_os = "macos")))]
    let result = app(sni::Desktop);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "could not start");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs to stderr and to a daily file in the log folder (`Settings::log_dir`). The guard flushes the
/// file when the app ends.
fn init_logging(dir: &std::path::Path) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = || tracing_subscriber::EnvFilter::try_from_env("SENTRY_TRAY_LOG").unwrap_or_else(|_| "info".into());
    let stderr = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    // Logs name projects and issues: private, including files an older version left readable.
    let file = engine::private::folder(dir).ok().and_then(|_| {
        let _ = engine::private::files_in(dir);
        tracing_appender::rolling::Builder::new()
            .filename_prefix("sentry-tray")
            .filename_suffix("log")
            .max_log_files(7)
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .build(dir)
            .ok()
    });
    match file {
        Some(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let file = tracing_subscriber::fmt::layer().with_ansi(false).with_writer(writer);
            tracing_subscriber::registry()
                .with(filter())
                .with(stderr)
                .with(file)
                .init();
            Some(guard)
        }
        None => {
            tracing_subscriber::registry().with(filter()).with(stderr).init();
            tracing::warn!(dir = %dir.display(), "cannot write logs there; logging to stderr only");
            None
        }
    }
}

/// A tray and a window need a desktop; without one, say what to run instead.
fn check_display() -> Result<(), String> {
    if cfg!(target_os = "linux")
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        return Err(
            "Sentry Tray needs a graphical desktop session, and neither DISPLAY nor WAYLAND_DISPLAY is set. \
On a machine without a display, run `sentry-tray-cli daemon` instead."
                .into(),
        );
    }
    Ok(())
}

async fn run(args: Args, settings: Settings, desktop: platform::Desktop) -> anyhow::Result<()> {
    let socket = settings.control_socket();
    let listener = match control::bind(&socket).await {
        Ok(listener) => listener,
        // A second launch: the first app opens its window (unless this one was to start hidden).
        Err(ControlError::AlreadyRunning) => {
            if !args.hidden {
                control::Client::new(socket)
                    .call(&Request::OpenWindow {
                        view: Some(View::Inbox),
                    })
                    .await?;
            }
            eprintln!(
                "Sentry Tray is already running{}.",
                if args.hidden { "" } else { "; its window is open" }
            );
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    let ran = serve(args, settings, listener, desktop).await;
    let _ = std::fs::remove_file(&socket);
    ran
}

async fn serve(
    args: Args,
    settings: Settings,
    listener: control::Listener,
    desktop: platform::Desktop,
) -> anyhow::Result<()> {
    let engine = Engine::open(settings)?;
    let config = DaemonConfig {
        listen: args.listen,
        poll: true,
        poll_interval: Duration::from_secs(args.poll_interval),
    };
    let daemon = Arc::new(Daemon::start(config, engine.clone()).await?);
    let (events, _) = broadcast::channel(16);
    let (refresh, mut refreshes) = mpsc::unbounded_channel();
    let window = Window::new(engine, events.clone(), refresh.clone());
    let commands = Commands {
        daemon: daemon.clone(),
        window: window.clone(),
        refresh,
        checking: Default::default(),
    };
    let (calls, mut incoming) = mpsc::channel(16);
    tokio::spawn(control::serve(listener, calls, events.clone()));

    let (choices, mut chosen) = mpsc::unbounded_channel();
    let tray = desktop.tray(Snapshot::read(&daemon), choices).await?;
    if !args.hidden {
        open_window(&window, View::Inbox);
    }

    let mut changes = daemon.subscribe();
    let mut open_requests = daemon.open_requests();
    // Asked to end (Ctrl-C, a logout, the system shutting down): quit as from the menu.
    let ended = asked_to_end();
    tokio::pin!(ended);
    loop {
        // A timed pause ends without anyone touching the app: the only timer, none otherwise.
        let pause_ends = match daemon.paused_until() {
            Some(Some(until)) => (until - chrono::Utc::now()).to_std().unwrap_or_default() + Duration::from_secs(1),
            _ => Duration::from_secs(24 * 3600),
        };
        tokio::select! {
            Some(call) = incoming.recv() => {
                let commands = commands.clone();
                tokio::spawn(async move {
                    let answer = commands.call(call.request).await;
                    let _ = call.reply.send(answer);
                });
                continue;
            }
            Some(choice) = chosen.recv() => {
                if choice == Choice::Quit {
                    break;
                }
                on_choice(&daemon, &window, choice);
            }
            changed = changes.recv() => {
                if let Err(broadcast::error::RecvError::Closed) = changed {
                    break;
                }
            }
            Some(()) = refreshes.recv() => {}
            Ok(view) = open_requests.recv() => open_window(&window, view),
            _ = tokio::time::sleep(pause_ends) => {}
            asked = &mut ended => {
                asked?;
                break;
            }
        }
        // A burst of alerts is one refresh.
        while changes.try_recv().is_ok() || refreshes.try_recv().is_ok() {}
        let snapshot = Snapshot::read(&daemon);
        tray.update(snapshot).await;
        let _ = events.send(Event::Changed);
    }
    tracing::info!("Sentry Tray quits");
    Ok(())
}

#[cfg(unix)]
async fn asked_to_end() -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let (mut interrupt, mut terminate, mut hangup) = (
        signal(SignalKind::interrupt())?,
        signal(SignalKind::terminate())?,
        signal(SignalKind::hangup())?,
    );
    tokio::select! {
        _ = interrupt.recv() => {}
        _ = terminate.recv() => {}
        _ = hangup.recv() => {}
    }
    Ok(())
}

#[cfg(windows)]
async fn asked_to_end() -> std::io::Result<()> {
    use tokio::signal::windows::{ctrl_c, ctrl_close, ctrl_logoff, ctrl_shutdown};
    let (mut interrupt, mut close, mut logoff, mut shutdown) =
        (ctrl_c()?, ctrl_close()?, ctrl_logoff()?, ctrl_shutdown()?);
    tokio::select! {
        _ = interrupt.recv() => {}
        _ = close.recv() => {}
        _ = logoff.recv() => {}
        _ = shutdown.recv() => {}
    }
    Ok(())
}

fn open_window(window: &Window, view: View) {
    if let Err(e) = window.open(view) {
        tracing::error!(error = %e, "could not open the window");
    }
}

fn on_choice(daemon: &Daemon, window: &Window, choice: Choice) {
    let done: Result<(), String> = match choice {
        Choice::Open(view) => window.open(view),
        Choice::PauseHour => daemon
            .pause_until(Some(chrono::Utc::now() + chrono::Duration::hours(1)))
            .map_err(|e| e.to_string()),
        Choice::PauseTomorrow => daemon
            .pause_until(Some(engine::tomorrow_morning()))
            .map_err(|e| e.to_string()),
        Choice::Resume => daemon.set_paused(false).map_err(|e| e.to_string()),
        Choice::Alert(id) => open_alert(daemon, id),
        Choice::Mute(id, span) => daemon
            .engine()
            .mute_for_me(id, span.key())
            .map(drop)
            .map_err(|e| e.to_string()),
        Choice::Quit => Ok(()),
    };
    if let Err(e) = done {
        tracing::error!(entry = ?choice, error = %e, "tray menu action failed");
    }
}

fn open_alert(daemon: &Daemon, id: i64) -> Result<(), String> {
    let alert = daemon.engine().alert(id).map_err(|e| e.to_string())?;
    let url = alert.and_then(|a| a.web_url).ok_or("the alert has no link to open")?;
    engine::open_in_browser(&url).map_err(|e| e.to_string())
}
