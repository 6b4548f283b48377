//! Acting on issues in Sentry: what the user chose is queued in the store first, then sent,
//! and its outcome is recorded and shown.

use sentry_api::{ApiError, Client, IssueUpdate};

use crate::accounts;
use crate::notifier::{Chosen, Notifier, UserAction};
use crate::receiver::now;
use crate::secrets::{SecretError, Secrets};
use crate::settings::{self, AccountError};
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error("no Sentry auth token is configured: add an account in the window, or set SENTRY_AUTH_TOKEN")]
    NoAccount,
    #[error("the issue's organization is unknown: set the account's organization, or SENTRY_ORG")]
    NoOrganization,
    #[error("the issue has no link to open")]
    NoLink,
    #[error("opening an issue happens in the browser, not in Sentry")]
    NotAnUpdate,
    #[error("could not open the browser: {0}")]
    Browser(String),
    #[error("internal error: {0}")]
    Internal(String),
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<AccountError> for ActionError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Secret(e) => ActionError::Secret(e),
            AccountError::Store(e) => ActionError::Store(e),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Actions {
    store: Store,
    secrets: Secrets,
    notifier: Notifier,
}

impl Actions {
    pub fn new(store: Store, secrets: Secrets, notifier: Notifier) -> Actions {
        Actions { store, secrets, notifier }
    }

    /// Carries out a choice made on a notification and replaces the notification with the outcome.
    pub async fn handle(&self, chosen: Chosen) {
        let label = chosen.alert.label().to_owned();
        let outcome = match chosen.action {
            UserAction::Open => open(chosen.alert.web_url.as_deref()),
            action => self.perform(chosen.alert.org.as_deref(), &chosen.alert.issue_id, action).await,
        };
        let shown = match &outcome {
            Ok(()) => {
                tracing::info!(issue = %chosen.alert.issue_id, action = chosen.action.key(), "action done");
                self.notifier
                    .show_outcome(chosen.notification_id, &format!("{} {label}", chosen.action.done()), &chosen.alert.title, false)
                    .await
            }
            Err(e) => {
                tracing::warn!(issue = %chosen.alert.issue_id, action = chosen.action.key(), error = %e, "action failed");
                let summary = format!("Could not {} {label}", chosen.action.label().to_lowercase());
                self.notifier.show_outcome(chosen.notification_id, &summary, &e.to_string(), true).await
            }
        };
        if let Err(e) = shown {
            tracing::warn!(error = %e, "could not show the action's outcome");
        }
    }

    /// Queues `action` on the issue, sends it to Sentry and records the outcome.
    pub async fn perform(&self, org: Option<&str>, issue_id: &str, action: UserAction) -> Result<(), ActionError> {
        let (store, secrets, wanted) = (self.store.clone(), self.secrets.clone(), org.map(str::to_owned));
        let (url, token, org) = tokio::task::spawn_blocking(move || credentials(&store, &secrets, wanted.as_deref()))
            .await
            .map_err(|e| ActionError::Internal(e.to_string()))??;
        let queued = self.store.enqueue_action(&org, issue_id, action.key(), None, now())?;
        let result = send(&url, &token, &org, issue_id, action).await;
        let error = result.as_ref().err().map(ToString::to_string);
        self.store.finish_action(queued, error.as_deref().map_or(Ok(()), Err), now())?;
        result
    }
}

/// The URL, token and organization to act with: the added account of the issue's organization,
/// else the environment's (or the single legacy) token. Blocking (keyring).
fn credentials(store: &Store, secrets: &Secrets, org: Option<&str>) -> Result<(String, String, String), ActionError> {
    let added = accounts::list(store).map_err(|e| ActionError::Internal(e.to_string()))?;
    if let Some(account) = added.iter().find(|a| org.is_none_or(|o| o == a.org)) {
        if let Some(token) = accounts::token(account)? {
            return Ok((account.url.clone(), token, account.org.clone()));
        }
    }
    let account = settings::account(store, secrets)?.ok_or(ActionError::NoAccount)?;
    let org = org.map(str::to_owned).or(account.org.clone()).ok_or(ActionError::NoOrganization)?;
    Ok((account.url, account.token, org))
}

async fn send(url: &str, token: &str, org: &str, issue_id: &str, action: UserAction) -> Result<(), ActionError> {
    let client = Client::new(url, token)?;
    let update = match action {
        UserAction::Resolve => IssueUpdate::resolve(),
        UserAction::Ignore => IssueUpdate::ignore_until_escalating(),
        UserAction::AssignToMe => IssueUpdate::assign(&format!("user:{}", client.whoami().await?.id)),
        UserAction::Open => return Err(ActionError::NotAnUpdate),
    };
    client.update_issue(org, issue_id, &update).await?;
    Ok(())
}

fn open(url: Option<&str>) -> Result<(), ActionError> {
    let url = url.ok_or(ActionError::NoLink)?;
    webbrowser::open(url).map_err(|e| ActionError::Browser(e.to_string()))
}
