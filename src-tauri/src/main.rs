//! `sentry-tray-window`: the settings window, a process of its own that the tray app
//! (`sentry-tray`) starts while the window is open, so that the app at rest holds no WebKit.
//! It shows what the running engine reports over its control socket and sends what the user
//! chose; it ends when its window is closed or the tray app quits.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

use engine::control::{Client, ControlError, Event, Failure, Reply, Request, Subscription, View};
use tauri::{AppHandle, Emitter, Manager, WebviewUrl, WebviewWindowBuilder};

const LABEL: &str = "main";
/// The argument the tray app starts this window with.
const OPENED_BY_APP: &str = "--opened-by-app";

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SENTRY_TRAY_LOG").unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    if cfg!(target_os = "linux")
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        eprintln!(
            "error: the Sentry Tray window needs a graphical desktop session, and neither DISPLAY nor WAYLAND_DISPLAY is set"
        );
        return ExitCode::FAILURE;
    }
    let client = Client::new(engine::Settings::from_env().control_socket());
    // Tauri's async runtime is tokio, which the control client needs.
    let events = match tauri::async_runtime::block_on(client.subscribe()) {
        Ok(events) => events,
        // Launched on its own (a menu entry, a script): the tray app starts and opens the window.
        // Opened by the app, which has quit meanwhile: nothing to show.
        Err(ControlError::NotRunning { .. }) if !std::env::args().any(|a| a == OPENED_BY_APP) => {
            return start_the_app();
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    // `--view settings`: the part of the window the user asked for (the inbox by default).
    let args: Vec<String> = std::env::args().collect();
    let view = match args
        .iter()
        .position(|a| a == "--view")
        .map(|i| args.get(i + 1).map(|v| v.parse::<View>()))
    {
        None => View::Inbox,
        Some(Some(Ok(view))) => view,
        Some(Some(Err(e))) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
        Some(None) => {
            eprintln!("error: --view needs a value (inbox, settings)");
            return ExitCode::from(2);
        }
    };
    match run(client, events, view) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Starts `sentry-tray` (beside this binary), which opens a window of its own.
fn start_the_app() -> ExitCode {
    let app =
        std::env::current_exe().map(|exe| exe.with_file_name(format!("sentry-tray{}", std::env::consts::EXE_SUFFIX)));
    // Detached from this short-lived process's output; the app logs to its file.
    let null = std::process::Stdio::null;
    match app.and_then(|app| {
        std::process::Command::new(&app)
            .stdin(null())
            .stdout(null())
            .stderr(null())
            .spawn()
            .map(|_| app)
    }) {
        Ok(app) => {
            eprintln!(
                "Sentry Tray was not running: started {}, which opens the window.",
                app.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: Sentry Tray is not running and could not be started: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The view the window opened with, which the page asks for once it has loaded.
struct InitialView(View);

fn run(client: Client, events: Subscription, view: View) -> tauri::Result<()> {
    tauri::Builder::default()
        // Each opening is a new process: the window comes back at the size and place it was left.
        .plugin(tauri_plugin_window_state::Builder::default().build())
        // Links to Sentry's pages open in the browser, not in this window.
        .plugin(tauri_plugin_opener::init())
        .manage(client)
        .manage(InitialView(view))
        .invoke_handler(tauri::generate_handler![engine, initial_view])
        .setup(move |app| {
            WebviewWindowBuilder::new(app, LABEL, WebviewUrl::App("index.html".into()))
                .title("Sentry Tray")
                .inner_size(700.0, 780.0)
                .min_inner_size(520.0, 420.0)
                .build()?;
            tauri::async_runtime::spawn(follow(app.handle().clone(), events));
            Ok(())
        })
        .run(tauri::generate_context!())
}

/// Every request the page makes goes to the engine, read as the protocol's [`Request`] (a
/// request the engine does not know is refused here); its reply, or its error message, comes back.
#[tauri::command]
async fn engine(client: tauri::State<'_, Client>, request: Request) -> Result<Reply, Failure> {
    client.call(&request).await.map_err(|e| match e {
        ControlError::Failed(failure) => failure,
        other => other.to_string().into(),
    })
}

#[tauri::command]
fn initial_view(view: tauri::State<'_, InitialView>) -> View {
    view.0
}

/// Tells the page when to refresh, comes forward when the user asks for the window again, and
/// ends with the tray app.
async fn follow(app: AppHandle, mut events: Subscription) {
    while let Some(event) = events.next().await {
        match event {
            Event::Changed => {
                let _ = app.emit("status-changed", ());
            }
            Event::Show { view } => {
                let _ = app.emit("show", view);
                if let Some(window) = app.get_webview_window(LABEL) {
                    let _ = window.unminimize();
                    let _ = window.show();
                    let _ = window.set_focus();
                }
            }
        }
    }
    tracing::info!("the tray app quit; so does its window");
    app.exit(0);
}
