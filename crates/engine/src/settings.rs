//! Where the app's connection to Sentry comes from: the keyring and settings, with the
//! environment variables `sentry-cli` users already know taking precedence.

use crate::secrets::{SecretError, SecretKind, Secrets, Source};
use crate::store::{Store, StoreError};

pub const DEFAULT_URL: &str = "https://sentry.io";
pub const KEY_URL: &str = "account.url";
pub const KEY_ORG: &str = "account.org";
pub const KEY_PAUSED: &str = "notifications.paused";

/// The Sentry account the app acts with.
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    pub url: String,
    pub org: Option<String>,
    pub token: String,
    pub token_source: Source,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("url", &self.url)
            .field("org", &self.org)
            .field("token", &"<redacted>")
            .field("token_source", &self.token_source)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The configured account, or `None` when no token is configured anywhere.
pub fn account(store: &Store, secrets: &Secrets) -> Result<Option<Account>, AccountError> {
    let Some((token, token_source)) = secrets.get(SecretKind::AuthToken)? else {
        return Ok(None);
    };
    let url = match env("SENTRY_URL") {
        Some(url) => url,
        None => store.setting(KEY_URL)?.unwrap_or_else(|| DEFAULT_URL.to_owned()),
    };
    let org = match env("SENTRY_ORG") {
        Some(org) => Some(org),
        None => store.setting(KEY_ORG)?,
    };
    Ok(Some(Account { url, org, token, token_source }))
}
