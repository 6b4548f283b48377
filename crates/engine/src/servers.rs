//! What each account's server offers (`sentry_api::ServerProfile`), learned when the account is
//! added and once per run of the app, kept in the settings table, and used for every client of
//! that account: which paths, which sort, whether to search by last seen.

use sentry_api::{ApiError, Client, ServerProfile};

use crate::accounts::Account;
use crate::store::Store;

fn key(account: &Account) -> String {
    format!("server.{}", account.key())
}

/// What `account`'s server was last found to offer (`None`: not learned yet).
pub(crate) fn known(store: &Store, account: &Account) -> Option<ServerProfile> {
    serde_json::from_str(&store.setting(&key(account)).ok()??).ok()
}

/// A client of `account`, using what its server is known to offer.
pub(crate) fn client(store: &Store, account: &Account, token: &str) -> Result<Client, ApiError> {
    let client = Client::new(&account.url, token)?;
    Ok(match known(store, account) {
        Some(profile) => client.with_profile(profile),
        None => client,
    })
}

/// Asks the server what it offers and keeps the answer; when it cannot answer now, what was
/// known stays (and the caller tries again later).
pub(crate) async fn learn(store: &Store, account: &Account, client: &Client) -> Result<ServerProfile, ApiError> {
    let profile = client.discover(&account.org).await?;
    if known(store, account).as_ref() != Some(&profile) {
        tracing::info!(account = %account.key(), server = %profile, paging = profile.paging(),
            organization_issue_paths = profile.organization_issue_paths, "learned what the server offers");
    }
    let text = serde_json::to_string(&profile).unwrap_or_default();
    if let Err(e) = store.set_setting(&key(account), &text) {
        tracing::warn!(error = %e, "could not keep what the server offers");
    }
    Ok(profile)
}
