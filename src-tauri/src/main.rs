//! The desktop shell: a tray icon, a window, and Tauri commands that call the engine.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod tray;
mod window;

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use engine::store::Store;
use engine::{paths, Daemon, DaemonConfig};
use tauri::{Manager, RunEvent};

#[derive(Parser)]
#[command(name = "sentry-tray", version, about = "Sentry alerts on your desktop")]
struct Args {
    /// Where the webhook receiver listens.
    #[arg(long, env = "SENTRY_TRAY_LISTEN", default_value = engine::daemon::DEFAULT_LISTEN)]
    listen: SocketAddr,
    /// Start in the tray without opening the window.
    #[arg(long)]
    hidden: bool,
    /// Seconds between polls of each Sentry account.
    #[arg(long, env = "SENTRY_TRAY_POLL_INTERVAL", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    poll_interval: u64,
}

/// The engine, shared by the tray, the window's commands and the run loop.
pub struct AppState {
    pub daemon: Daemon,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let _log = init_logging();
    if let Err(message) = check_display() {
        eprintln!("error: {message}");
        return ExitCode::FAILURE;
    }
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs to stderr and to a daily file in the log folder (`paths::log_dir`). The guard flushes the
/// file when the app ends.
fn init_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = || tracing_subscriber::EnvFilter::try_from_env("SENTRY_TRAY_LOG").unwrap_or_else(|_| "info".into());
    let stderr = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let dir = paths::log_dir();
    let file = std::fs::create_dir_all(&dir)
        .ok()
        .and_then(|_| tracing_appender::rolling::Builder::new().filename_prefix("sentry-tray").filename_suffix("log").max_log_files(7).rotation(tracing_appender::rolling::Rotation::DAILY).build(&dir).ok());
    match file {
        Some(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let file = tracing_subscriber::fmt::layer().with_ansi(false).with_writer(writer);
            tracing_subscriber::registry().with(filter()).with(stderr).with(file).init();
            Some(guard)
        }
        None => {
            tracing_subscriber::registry().with(filter()).with(stderr).init();
            tracing::warn!(dir = %dir.display(), "cannot write logs there; logging to stderr only");
            None
        }
    }
}

/// GTK panics without a display; say what is wrong instead.
fn check_display() -> Result<(), String> {
    if cfg!(target_os = "linux") && std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        return Err("Sentry Tray needs a graphical desktop session, and neither DISPLAY nor WAYLAND_DISPLAY is set. \
On a machine without a display, run `sentry-tray-cli daemon` instead."
            .into());
    }
    Ok(())
}

/// Brings the tray and an open window up to date when the engine's state changes, and when a
/// timed pause ends (the only timer: none runs while nothing is paused).
fn forward_changes(app: &tauri::AppHandle) {
    let mut changes = app.state::<AppState>().daemon.subscribe();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            let pause_ends = match app.state::<AppState>().daemon.paused_until() {
                Some(Some(until)) => (until - chrono::Utc::now()).to_std().unwrap_or_default() + std::time::Duration::from_secs(1),
                _ => std::time::Duration::from_secs(24 * 3600),
            };
            tokio::select! {
                changed = changes.recv() => {
                    if let Err(tokio::sync::broadcast::error::RecvError::Closed) = changed {
                        return;
                    }
                }
                _ = tokio::time::sleep(pause_ends) => {}
            }
            tray::refresh(&app);
        }
    });
}

/// "Open inbox" on a summary notification opens the window.
fn open_inbox_on_request(app: &tauri::AppHandle) {
    let mut requests = app.state::<AppState>().daemon.open_inbox_requests();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        while let Ok(()) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) = requests.recv().await {
            let handle = app.clone();
            let _ = app.run_on_main_thread(move || {
                if let Err(e) = window::open(&handle) {
                    tracing::error!(error = %e, "could not open the inbox");
                }
            });
        }
    });
}

fn run(args: Args) -> anyhow::Result<()> {
    let store = Store::open(&paths::database_path())?;
    let config = DaemonConfig {
        listen: args.listen,
        poll: true,
        poll_interval: std::time::Duration::from_secs(args.poll_interval),
        digest_check: engine::daemon::digest_check_from_env(),
    };
    let hidden = args.hidden;
    let app = tauri::Builder::default()
        // First: a second launch focuses this instance's window and exits.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Err(e) = window::open(app) {
                tracing::error!(error = %e, "could not open the window for a second launch");
            }
        }))
        .plugin(tauri_plugin_autostart::init(tauri_plugin_autostart::MacosLauncher::LaunchAgent, Some(vec!["--hidden"])))

        .invoke_handler(tauri::generate_handler![commands::status, commands::set_paused, commands::set_autostart, commands::inbox, commands::actions, commands::retry_action, commands::act_on_alert, commands::add_account, commands::remove_account, commands::projects, commands::set_preference, commands::assignees])
        .setup(move |app| {
            // After the single-instance check, so a second launch never starts a second engine.
            // Tauri's async runtime is tokio; a port already taken ends the start with its error.
            let daemon = match tauri::async_runtime::block_on(Daemon::start(config, store)) {
                Ok(daemon) => daemon,
                Err(e) => {
                    // Said plainly, not as a panic from Tauri's setup.
                    eprintln!("error: {e}");
                    tracing::error!(error = %e, "could not start");
                    app.handle().exit(1);
                    return Ok(());
                }
            };
            app.manage(AppState { daemon });
            tray::create(app.handle())?;
            forward_changes(app.handle());
            open_inbox_on_request(app.handle());
            if !hidden {
                window::open(app.handle())?;
            }
            Ok(())
        })
        .build(tauri::generate_context!())?;
    app.run(|app, event| match event {
        // Closing the window keeps the tray app running; only Quit (an explicit exit code) ends it.
        RunEvent::ExitRequested { code: None, api, .. } => api.prevent_exit(),
        RunEvent::Exit => {
            if let Some(state) = app.try_state::<AppState>() {
                tracing::info!(alerts = state.daemon.store().alert_count().unwrap_or(0), "Sentry Tray quits");
            }
        }
        _ => {}
    });
    Ok(())
}
