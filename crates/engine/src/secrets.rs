//! Tokens and webhook secrets: in the OS keyring (service `sentry-tray`) only; the settings'
//! environment variables take precedence for headless use where they apply. Nothing here ever
//! formats a secret's value.

use keyring::Entry;

pub const SERVICE: &str = "sentry-tray";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretKind {
    /// The webhook receiver's secret (the integration's client secret).
    WebhookSecret,
    /// The token of an account added in the app (its row id).
    AccountToken(i64),
    /// The webhook secret of an account added in the app (its row id): its webhooks are its.
    AccountWebhookSecret(i64),
    /// A service hook's secret, verifying its deliveries; named by its account and Sentry's id
    /// for the hook, which no other data folder or recreated database reuses.
    ServiceHookSecret(HookName),
    /// The token with `project:write` a service hook was created with, when it was not the
    /// account's own: what removes the hook again.
    ServiceHookToken(HookName),
}

/// A service hook as its keyring entries name it: `server|organization|hook id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookName(pub String);

impl SecretKind {
    /// The environment variable named in messages as the way around the keyring (an added
    /// account's token is not overridden by it: `SENTRY_AUTH_TOKEN` is the environment's own
    /// account, `settings::environment`).
    pub fn env_var(&self) -> &'static str {
        match self {
            SecretKind::AccountToken(_) | SecretKind::ServiceHookToken(_) => "SENTRY_AUTH_TOKEN",
            SecretKind::WebhookSecret | SecretKind::AccountWebhookSecret(_) | SecretKind::ServiceHookSecret(_) => {
                "SENTRY_TRAY_WEBHOOK_SECRET"
            }
        }
    }

    fn keyring_user(&self) -> String {
        match self {
            SecretKind::WebhookSecret => "webhook-secret".into(),
            SecretKind::AccountToken(id) => format!("account-{id}-token"),
            SecretKind::AccountWebhookSecret(id) => format!("account-{id}-webhook-secret"),
            SecretKind::ServiceHookSecret(hook) => format!("service-hook-{}-secret", hook.0),
            SecretKind::ServiceHookToken(hook) => format!("service-hook-{}-token", hook.0),
        }
    }

    fn what(&self) -> &'static str {
        match self {
            SecretKind::AccountToken(_) => "the Sentry auth token",
            SecretKind::WebhookSecret => "the webhook secret",
            SecretKind::AccountWebhookSecret(_) => "the account's webhook secret",
            SecretKind::ServiceHookSecret(_) => "the service hook's secret",
            SecretKind::ServiceHookToken(_) => "the service hook's token",
        }
    }
}

/// Where a secret was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Environment,
    Keyring,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error(
        "the keyring is locked, so {what} cannot be read or stored: unlock your login keyring (log in to the desktop, or `echo -n PASSWORD | gnome-keyring-daemon --unlock`), or set {env}"
    )]
    Locked { what: &'static str, env: &'static str },
    #[error(
        "no keyring is available to hold {what}: start a Secret Service (gnome-keyring or KeePassXC) in your desktop session, or set {env}"
    )]
    NoKeyring { what: &'static str, env: &'static str },
    #[error("the keyring failed while handling {what}: {detail}")]
    Platform { what: &'static str, detail: String },
    #[error("{what} is empty")]
    Empty { what: &'static str },
}

/// Access to the secrets in the keyring.
#[derive(Debug, Clone, Default)]
pub struct Secrets;

impl Secrets {
    /// The secret from the keyring, or `None` when it is not there (the environment's
    /// overrides are the settings', `Engine::webhook_secret`). Blocking (D-Bus): in async code,
    /// better called from a blocking thread.
    pub fn get(&self, kind: SecretKind) -> Result<Option<(String, Origin)>, SecretError> {
        match off_runtime(|| entry(&kind).map(|entry| entry.get_password()))? {
            Ok(value) => Ok(Some((value, Origin::Keyring))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_err(&kind, e)),
        }
    }

    /// Stores the secret in the keyring (never in the database).
    pub fn set(&self, kind: SecretKind, value: &str) -> Result<(), SecretError> {
        let value = value.trim();
        if value.is_empty() {
            return Err(SecretError::Empty { what: kind.what() });
        }
        off_runtime(|| entry(&kind)?.set_password(value).map_err(|e| map_err(&kind, e)))
    }

    /// Removes the secret from the keyring; removing what is not there is not an error.
    pub fn delete(&self, kind: SecretKind) -> Result<(), SecretError> {
        match off_runtime(|| entry(&kind).map(|entry| entry.delete_credential()))? {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_err(&kind, e)),
        }
    }
}

/// Runs a keyring call where blocking is allowed. The keyring's blocking D-Bus API runs on a
/// tokio runtime of zbus's own (its tokio backend is on in this workspace), and tokio refuses
/// to start one on a thread that drives async tasks: there the call gets a thread of its own.
fn off_runtime<T: Send>(call: impl FnOnce() -> T + Send) -> T {
    if tokio::runtime::Handle::try_current().is_err() {
        return call();
    }
    std::thread::scope(|scope| scope.spawn(call).join()).unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

fn entry(kind: &SecretKind) -> Result<Entry, SecretError> {
    Entry::new(SERVICE, &kind.keyring_user()).map_err(|e| map_err(kind, e))
}

fn map_err(kind: &SecretKind, e: keyring::Error) -> SecretError {
    let (what, env) = (kind.what(), kind.env_var());
    match e {
        keyring::Error::NoStorageAccess(_) => SecretError::Locked { what, env },
        keyring::Error::NoDefaultStore => SecretError::NoKeyring { what, env },
        keyring::Error::PlatformFailure(p) => {
            let detail = p.to_string();
            // Without a Secret Service on the bus, zbus reports the missing name or bus.
            if [
                "ServiceUnknown",
                "org.freedesktop.secrets",
                "No such file",
                "DBUS_SESSION_BUS_ADDRESS",
                "Connection refused",
            ]
            .iter()
            .any(|needle| detail.contains(needle))
            {
                SecretError::NoKeyring { what, env }
            } else {
                SecretError::Platform { what, detail }
            }
        }
        // These variants carry the stored bytes: never format them.
        keyring::Error::BadEncoding(_) | keyring::Error::BadDataFormat(..) => SecretError::Platform {
            what,
            detail: "the stored value is not readable text".into(),
        },
        other => SecretError::Platform {
            what,
            detail: other.to_string(),
        },
    }
}
