//! Sentry Tray's engine: everything the app does, without a window.
//!
//! Sources hand [`alert::Alert`]s to the [`store::Store`]; the [`daemon`] wires the webhook
//! [`receiver`], the desktop [`notifier`] and the [`actions`] that act on issues in Sentry.
//! The tray app and the command-line daemon both run this same engine; the window reaches it
//! through the [`control`] socket.

pub mod accounts;
pub mod actions;
pub mod alert;
mod api;
#[cfg(unix)]
pub mod control;
pub mod daemon;
pub mod enrich;
pub mod notifier;
pub mod policy;
pub mod poll;
pub mod receiver;
pub mod secrets;
pub mod settings;
pub mod store;
mod stored;

pub use api::Engine;
pub use daemon::{Daemon, DaemonConfig, DaemonError, Status};
/// The API client the engine uses, for the binaries' direct calls.
pub use sentry_api;
pub use settings::Settings;
