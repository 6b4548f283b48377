//! The engine as the binaries hold it: the database and the settings read at start, passed
//! together to everything that needs either.

use std::sync::Arc;

use crate::secrets::{SecretError, SecretKind, Secrets, Source};
use crate::settings::Settings;
use crate::store::{Store, StoreError};

#[derive(Clone, Debug)]
pub struct Engine {
    store: Store,
    settings: Arc<Settings>,
}

impl Engine {
    /// Opens (creating and migrating) the database the settings name.
    pub fn open(settings: Settings) -> Result<Engine, StoreError> {
        let store = Store::open(&settings.database_path())?;
        Ok(Engine::new(store, settings))
    }

    pub fn new(store: Store, settings: Settings) -> Engine {
        Engine {
            store,
            settings: Arc::new(settings),
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The receiver's secret and where it came from: the settings' (`SENTRY_TRAY_WEBHOOK_SECRET`),
    /// else the keyring's. Blocking (keyring over D-Bus).
    pub fn webhook_secret(&self) -> Result<Option<(String, Source)>, SecretError> {
        if let Some(secret) = self.settings.webhook_secret() {
            return Ok(Some((secret.to_owned(), Source::Environment)));
        }
        Secrets.get(SecretKind::WebhookSecret)
    }
}
