//! Sentry Tray's engine: everything the app does, without a window.
//!
//! The binaries hold an [`Engine`] (the database and the [`Settings`] read at start) and call
//! its functions, run a [`Daemon`] (the webhook receiver, polling, notifications and the action
//! queue), and talk to a running app over the [`control`] socket. The [`policy`] is a pure
//! function, public for its tests and benchmarks. See ARCHITECTURE.md for the flow.

mod accounts;
mod actions;
mod alert;
mod api;
pub mod control;
mod daemon;
mod enrich;
mod hooks;
mod inbox;
mod mutes;
mod notifier;
pub mod policy;
mod poll;
pub mod private;
mod receiver;
mod secrets;
mod server;
mod servers;
mod settings;
mod status;
mod store;
mod store_error;
mod stored;
mod summary;
mod tester;
#[cfg(test)]
mod tests;
mod writer;

pub use accounts::{Account, AccountError, Project, ProjectPreferences};
pub use actions::{ActionError, ActionState, Actions, Queued, Request as ActionRequest, open_in_browser};
pub use alert::{Alert, Assignment, IssueStatus, Kind, Source};
pub use api::{Assignee, Engine, Error, MutePreview, SentryWorkflow};
pub use daemon::{DEFAULT_LISTEN, Daemon, DaemonConfig, DaemonError, StatusReader, tomorrow_morning};
pub use hooks::{HookError, ServiceHookRow};
pub use inbox::{InboxEntry, InboxFilter, InboxPage, InboxQuery, IssueState, MAX_PAGE as MAX_INBOX_PAGE};
pub use mutes::{IssueKey, IssueMute, MuteEnding};
pub use notifier::UserAction;
#[cfg(windows)]
pub use notifier::set_balloon;
pub use poll::{AccountState, Cycle};
pub use secrets::{Origin, SERVICE as KEYRING_SERVICE, SecretError};
pub use server::raise_open_file_limit;
pub use settings::{DEFAULT_URL, Environment, Settings, Synchronous};
pub use status::{AccountStatus, PolledAccount, Status};
pub use store::{Origins, PreferencesFrom};
pub use store::{Recent, StoreError};
pub use summary::{KeptBack, ProjectWeek, ResponseWeek, SummaryIssue, WeeklySummary};
pub use tester::{MatchedRule, OwnershipAnswer, OwnershipQuestion, RulesError};
