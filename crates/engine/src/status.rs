//! What `status`, the window and the tray show: what is configured and how it stands. One
//! reader for all of them; a running app adds where its receiver listens.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

use crate::accounts;
use crate::api::Engine;
use crate::poll::{self, AccountState};
use crate::receiver::now;
use crate::secrets::Origin;
use crate::servers;
use sentry_api::ServerProfile;

#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct Status {
    /// Where the running app's receiver listens (`None` when asked outside one).
    pub listen: Option<String>,
    pub webhook_url: Option<String>,
    /// The environment's account, if any (added accounts are in `accounts`).
    pub account: Option<AccountStatus>,
    pub webhook_secret: Option<Origin>,
    /// Why the webhook secret could not be read (a locked keyring, say).
    pub webhook_secret_error: Option<String>,
    pub paused: bool,
    pub alerts: i64,
    pub database: String,
    /// Every account polled, with how its polling stands.
    pub accounts: Vec<PolledAccount>,
    /// Why the accounts could not be listed.
    pub accounts_error: Option<String>,
    /// Accounts whose server sends no signed Sentry webhooks, said for the receiver's section.
    pub webhook_note: Option<String>,
    /// Preferences that filter by environment while no account can tell an alert's environment
    /// (webhooks carry none), said beside the environment setting.
    pub environment_note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct PolledAccount {
    /// `None` for the environment's account (it cannot be removed from the window).
    pub id: Option<i64>,
    pub org: String,
    pub url: String,
    pub token_source: Origin,
    /// `None` until the first poll.
    pub polling: Option<AccountState>,
    /// How polling stands, as a person reads it.
    pub polling_text: String,
    /// Polled, and not well.
    pub trouble: bool,
    /// What the account's server offers (`None` until learned).
    pub server: Option<ServerProfile>,
    /// The server's kind and what it lacks, and how its issues are read, as a person reads it.
    pub server_text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct AccountStatus {
    pub url: String,
    pub org: Option<String>,
    pub token_source: Origin,
}

/// The status now: `listen` is the running receiver's address, `secret` the webhook secret as
/// last read (or why it could not be).
pub(crate) fn read(
    engine: &Engine,
    listen: Option<SocketAddr>,
    secret: &Result<Option<(String, Origin)>, String>,
) -> Status {
    let store = engine.store();
    let (webhook_secret, webhook_secret_error) = match secret {
        Ok(found) => (found.as_ref().map(|(_, origin)| *origin), None),
        Err(e) => (None, Some(e.clone())),
    };
    let (accounts, accounts_error) = match polled(engine) {
        Ok(accounts) => (accounts, None),
        Err(e) => (Vec::new(), Some(e)),
    };
    let paused_until: i64 = store
        .setting(crate::daemon::KEY_PAUSED)
        .ok()
        .flatten()
        .and_then(|until| until.parse().ok())
        .unwrap_or(0);
    Status {
        listen: listen.map(|addr| addr.to_string()),
        webhook_url: listen.map(|addr| format!("http://{addr}/webhook")),
        account: engine.settings().environment().map(|a| AccountStatus {
            url: a.url,
            org: a.org,
            token_source: Origin::Environment,
        }),
        webhook_secret,
        webhook_secret_error,
        paused: now() < paused_until,
        alerts: store.alert_count().unwrap_or(0),
        database: store.path().display().to_string(),
        webhook_note: webhook_note(&accounts),
        environment_note: environment_note(engine, &accounts, accounts_error.is_some()),
        accounts,
        accounts_error,
    }
}

fn webhook_note(accounts: &[PolledAccount]) -> Option<String> {
    let polled_only: Vec<String> = accounts
        .iter()
        .filter_map(|a| {
            let server = a.server.as_ref().filter(|s| !s.webhooks)?;
            Some(format!("{} ({})", a.org, server.kind.name()))
        })
        .collect();
    (!polled_only.is_empty()).then(|| {
        format!(
            "{} sends no signed Sentry webhooks: polled only (the receiver refuses unsigned posts)",
            polled_only.join(", ")
        )
    })
}

fn environment_note(engine: &Engine, accounts: &[PolledAccount], unlisted: bool) -> Option<String> {
    if !accounts.is_empty() || unlisted {
        return None;
    }
    let filters = engine.store().environment_filters().ok()?;
    (!filters.is_empty()).then(|| {
        let whose: Vec<String> = filters
            .iter()
            .map(|key| match key.as_str() {
                crate::store::DEFAULT_PREFERENCES => "every project".to_owned(),
                key => key
                    .strip_prefix('@')
                    .map_or_else(|| key.to_owned(), |org| format!("{org}'s projects")),
            })
            .collect();
        format!(
            "The environment filter ({}) needs a token: webhooks carry no environment, so without an account \
             to ask Sentry with, alerts are notified with \"environment unknown\". Add an account.",
            whose.join(", ")
        )
    })
}

fn polled(engine: &Engine) -> Result<Vec<PolledAccount>, String> {
    let accounts = accounts::list(engine).map_err(|e| e.to_string())?;
    Ok(accounts
        .into_iter()
        .map(|a| {
            let polling = poll::state(engine.store(), &a);
            let server = servers::known(engine.store(), &a);
            PolledAccount {
                server_text: server.as_ref().map_or_else(
                    || "server not learned yet".to_owned(),
                    |s| format!("{s}; reads {}", s.paging()),
                ),
                server,
                polling_text: polling
                    .as_ref()
                    .map_or_else(|| "not polled yet".to_owned(), ToString::to_string),
                trouble: polling.as_ref().is_some_and(|p| *p != AccountState::Ok),
                polling,
                id: a.id,
                org: a.org,
                url: a.url,
                token_source: a.token_source,
            }
        })
        .collect())
}

/// The first account whose polling is in trouble, said briefly (for the tray).
pub(crate) fn account_trouble(engine: &Engine) -> Option<String> {
    let accounts = polled(engine).ok()?;
    let troubled = accounts.into_iter().find(|a| a.trouble)?;
    Some(format!("{}: {}", troubled.org, troubled.polling?.brief()))
}
