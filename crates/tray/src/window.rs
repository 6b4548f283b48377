//! The settings window is a process of its own (`sentry-tray-window`, the Tauri app beside this
//! binary), started when the user opens it and gone when they close it: the tray app itself never
//! loads GTK or WebKit, so at rest it holds no WebKit process and little memory.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use engine::Engine;
use engine::control::{Event, View};
use tokio::sync::broadcast;

pub const BINARY: &str = "sentry-tray-window";

#[derive(Clone)]
pub struct Window {
    binary: PathBuf,
    /// Whether a window process is running now.
    running: Arc<Mutex<bool>>,
    events: broadcast::Sender<Event>,
    engine: Engine,
    refresh: tokio::sync::mpsc::UnboundedSender<()>,
}

impl Window {
    /// `refresh` hears each opening: the tray stops counting what the window shows as new.
    pub fn new(
        engine: Engine,
        events: broadcast::Sender<Event>,
        refresh: tokio::sync::mpsc::UnboundedSender<()>,
    ) -> Window {
        let binary = std::env::current_exe()
            .map(|exe| exe.with_file_name(format!("{BINARY}{}", std::env::consts::EXE_SUFFIX)))
            .unwrap_or_else(|_| PathBuf::from(BINARY));
        Window {
            binary,
            running: Arc::new(Mutex::new(false)),
            events,
            engine,
            refresh,
        }
    }

    /// Brings the open window forward showing `view`, or starts it so. Must run inside the
    /// tokio runtime.
    pub fn open(&self, view: View) -> Result<(), String> {
        if let Err(e) = self.engine.window_opened() {
            tracing::warn!(error = %e, "could not record that the window was opened");
        }
        let _ = self.refresh.send(());
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        // A window started another way (from a menu entry, by WebDriver) listens too.
        if *running || self.events.receiver_count() > 0 {
            let _ = self.events.send(Event::Show { view });
            return Ok(());
        }
        // The flag tells a window that finds the app gone (it quit meanwhile) not to restart it.
        let mut child = tokio::process::Command::new(&self.binary)
            .args(["--opened-by-app", "--view", view.as_str()])
            .spawn()
            .map_err(|e| format!("cannot start the window ({}): {e}", self.binary.display()))?;
        *running = true;
        tracing::info!(pid = child.id(), "window opened");
        let flag = self.running.clone();
        tokio::spawn(async move {
            match child.wait().await {
                Ok(status) if status.success() => tracing::info!("window closed"),
                Ok(status) => tracing::error!(%status, "the window ended with an error (its message is above)"),
                Err(e) => tracing::error!(error = %e, "lost track of the window"),
            }
            *flag.lock().unwrap_or_else(|e| e.into_inner()) = false;
        });
        Ok(())
    }
}
