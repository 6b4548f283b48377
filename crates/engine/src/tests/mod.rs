//! The engine against Sentry's stand-in and real files: tests that need its inner parts (the
//! receiver, a polling cycle, the action queue, the enricher), so they live inside the crate.

mod action_queue;
mod environments;
mod issue_state;
mod mute_for_me;
mod mute_preview;
mod ownership_live;
mod polling;
mod protocol;
mod receiver;
mod release_database;
mod releases;
mod servers;
mod service_hooks;
// File modes and the privacy they give are Unix things.
#[cfg(unix)]
mod storage;
mod tester;
mod weekly_summary;
mod workflow;

use crate::settings::Settings;

/// Settings whose environment account (no keyring needed) is `acme` at `url` with `token`,
/// with the data in `dir`.
pub(crate) fn sentry_at(url: &str, token: &str, dir: &std::path::Path) -> Settings {
    Settings::in_folder(dir).with_account(url, "acme", token)
}
