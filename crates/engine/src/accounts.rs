//! Sentry accounts: several at once, each a server URL, an organization and a token in the
//! keyring. Adding one checks the token against the server first and says precisely what is
//! wrong. The environment (`SENTRY_AUTH_TOKEN`, `SENTRY_URL`, `SENTRY_ORG`) adds one more.

use rusqlite::params;
use sentry_api::{ApiError, Client};
use serde::Serialize;

use crate::api::Engine;
use crate::policy::Preferences;
use crate::receiver::now;
use crate::secrets::{Origin, SecretError, SecretKind, Secrets};
use crate::store::Origins;
use crate::store::StoreError;

/// What the app needs a token to do: read issues and events, and act on them.
pub const REQUIRED_SCOPES: [&str; 4] = ["org:read", "project:read", "event:read", "event:write"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct Account {
    /// `None` for the environment's account.
    pub id: Option<i64>,
    pub url: String,
    pub org: String,
    pub org_name: Option<String>,
    pub user_id: Option<String>,
    pub username: Option<String>,
    /// The name Sentry shows for the user (accounts added before it was kept: `None`).
    pub name: Option<String>,
    pub email: Option<String>,
    pub teams: Vec<String>,
    pub token_source: Origin,
}

impl Account {
    /// The account the environment names (`SENTRY_URL`, `SENTRY_ORG`, `SENTRY_AUTH_TOKEN`): no
    /// row, no identity until Sentry is asked.
    pub fn environment(url: &str, org: &str) -> Account {
        Account {
            id: None,
            url: url.trim_end_matches('/').to_owned(),
            org: org.to_owned(),
            org_name: None,
            user_id: None,
            username: None,
            name: None,
            email: None,
            teams: Vec::new(),
            token_source: Origin::Environment,
        }
    }

    /// A key naming the account in settings and logs (never the token).
    pub fn key(&self) -> String {
        format!("{}|{}", self.url, self.org)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("the check of the token was cancelled; nothing was added")]
    Cancelled,
    #[error("{0} is not a Sentry URL (expected e.g. https://sentry.io or https://sentry.example.com)")]
    InvalidUrl(String),
    #[error("could not reach {url}: {detail}")]
    Unreachable { url: String, detail: String },
    #[error("the secure connection to {url} failed: {detail}")]
    Tls { url: String, detail: String },
    #[error("Sentry rejected the token (401): check that it was copied whole and has not been revoked")]
    TokenRejected,
    #[error("the token lacks the scopes {}: create a token with {} (Settings → Auth Tokens)", .0.join(", "), REQUIRED_SCOPES.join(", "))]
    MissingScopes(Vec<String>),
    #[error("this token cannot see the organization `{org}`: check its slug (the part after /organizations/ in Sentry's URLs){}", if visible.is_empty() { String::new() } else { format!("; it sees {}", visible.join(", ")) })]
    UnknownOrganization { org: String, visible: Vec<String> },
    #[error("{0}")]
    Api(ApiError),
    #[error("an account for {org} on {url} exists already")]
    Exists { url: String, org: String },
    #[error("no account for {0}")]
    NotFound(String),
    #[error("the token of {0} is missing from the keyring: remove the account and add it again")]
    TokenMissing(String),
    #[error("{org}: {cause}")]
    InOrganization { org: String, cause: ApiError },
    #[error("{url} does not offer Sentry's personal notification settings: the app's own defaults stand")]
    NoNotificationSettings { url: String },
    #[error("the app is shutting down")]
    ShuttingDown,
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AccountError {
    /// The field of the account form this is about, where it is about one.
    pub fn field(&self) -> Option<crate::control::InputField> {
        use crate::control::InputField;
        match self {
            AccountError::InvalidUrl(_) | AccountError::Unreachable { .. } | AccountError::Tls { .. } => {
                Some(InputField::Url)
            }
            AccountError::TokenRejected | AccountError::MissingScopes(_) => Some(InputField::Token),
            AccountError::UnknownOrganization { .. } | AccountError::Exists { .. } => Some(InputField::Organization),
            _ => None,
        }
    }

    /// What the user gave was wrong: the URL, the organization, the token or its scopes, or an
    /// account that is (or is not) there.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            AccountError::InvalidUrl(_)
                | AccountError::TokenRejected
                | AccountError::MissingScopes(_)
                | AccountError::UnknownOrganization { .. }
                | AccountError::Exists { .. }
                | AccountError::NotFound(_)
        )
    }
}

impl From<ApiError> for AccountError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::InvalidUrl(url) => AccountError::InvalidUrl(url),
            ApiError::Unreachable { url, detail } => AccountError::Unreachable { url, detail },
            ApiError::Tls { url, detail } => AccountError::Tls { url, detail },
            ApiError::Unauthorized => AccountError::TokenRejected,
            other => AccountError::Api(other),
        }
    }
}

/// Checks `token` against the server, then stores the account (token in the keyring).
/// Checks the token against the server, then adds the account (the token to the keyring). Until
/// the check is done `cancel` gives it up (nothing is stored); once storing begins it finishes.
pub async fn add(
    engine: &Engine,
    url: &str,
    org: &str,
    token: &str,
    cancel: impl std::future::Future<Output = ()>,
) -> Result<Account, AccountError> {
    let store = engine.store();
    let url = url.trim().trim_end_matches('/').to_owned();
    let org = org.trim().to_owned();
    let checked = async {
        let client = Client::new(&url, token)?;
        let me = client.whoami().await?;
        if let Some(scopes) = &me.scopes {
            let missing: Vec<String> = REQUIRED_SCOPES
                .iter()
                .filter(|s| !scopes.iter().any(|have| have == *s))
                .map(|s| s.to_string())
                .collect();
            if !missing.is_empty() {
                return Err(AccountError::MissingScopes(missing));
            }
        }
        let org_name = match client.organization_name(&org).await {
            Ok(name) => name,
            Err(ApiError::NotFound(_)) => {
                // Discovery: name the organizations the token does see.
                let visible = client
                    .organizations()
                    .await
                    .map(|orgs| orgs.into_iter().map(|(slug, _)| slug).collect())
                    .unwrap_or_default();
                return Err(AccountError::UnknownOrganization {
                    org: org.clone(),
                    visible,
                });
            }
            Err(ApiError::Forbidden(_)) => return Err(AccountError::MissingScopes(vec!["org:read".into()])),
            Err(e) => return Err(e.into()),
        };
        // What the server offers decides how it is polled and acted on; when it cannot say now,
        // polling learns it at the next start.
        let offers = match crate::servers::learn(store, &Account::environment(&url, &org), &client).await {
            Ok(profile) => Some(profile),
            Err(e) => {
                tracing::warn!(error = %e, "could not learn what the server offers yet");
                None
            }
        };
        // Teams feed "owned by my team"; a server without the endpoint only loses that.
        let teams = match offers.as_ref().is_none_or(|p| p.teams) {
            false => Vec::new(),
            true => match client.my_teams(&org).await {
                Ok(teams) => teams,
                Err(e) => {
                    tracing::warn!(error = %e, "could not read your teams; team ownership will not match");
                    Vec::new()
                }
            },
        };
        Ok::<_, AccountError>((me, org_name, teams))
    };
    let (me, org_name, teams) = tokio::select! {
        checked = checked => checked?,
        () = cancel => return Err(AccountError::Cancelled),
    };
    let id = {
        let conn = store.conn();
        let inserted = conn.execute(
            "INSERT INTO accounts (url, org, org_name, user_id, username, email, teams, added_at, name)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                url,
                org,
                org_name,
                me.id,
                me.username,
                me.email,
                serde_json::to_string(&teams).unwrap_or_default(),
                now(),
                me.name,
            ],
        );
        match inserted {
            Ok(_) => conn.last_insert_rowid(),
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
                return Err(AccountError::Exists { url, org });
            }
            Err(e) => return Err(store.err(e).into()),
        }
    };
    let stored = {
        let token = token.to_owned();
        tokio::task::spawn_blocking(move || Secrets.set(SecretKind::AccountToken(id), &token)).await
    };
    if let Err(e) = stored.unwrap_or_else(|e| {
        Err(SecretError::Platform {
            what: "the Sentry auth token",
            detail: e.to_string(),
        })
    }) {
        // Nothing half-added: an account without its token is useless.
        let _ = store.conn().execute("DELETE FROM accounts WHERE id = ?1", [id]);
        return Err(e.into());
    }
    Ok(Account {
        id: Some(id),
        url,
        org,
        org_name: Some(org_name),
        user_id: Some(me.id),
        username: Some(me.username),
        name: Some(me.name),
        email: Some(me.email),
        teams,
        token_source: Origin::Keyring,
    })
}

/// The accounts added in the app, then the environment's, if it names an organization.
pub fn list(engine: &Engine) -> Result<Vec<Account>, AccountError> {
    let store = engine.store();
    let mut accounts: Vec<Account> = {
        let conn = store.conn();
        let mut stmt = conn
            .prepare("SELECT id, url, org, org_name, user_id, username, email, teams, name FROM accounts ORDER BY id")
            .map_err(|e| store.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                let teams: String = r.get(7)?;
                Ok(Account {
                    id: Some(r.get(0)?),
                    url: r.get(1)?,
                    org: r.get(2)?,
                    org_name: r.get(3)?,
                    user_id: r.get(4)?,
                    username: r.get(5)?,
                    name: r.get(8)?,
                    email: r.get(6)?,
                    teams: serde_json::from_str(&teams).unwrap_or_default(),
                    token_source: Origin::Keyring,
                })
            })
            .map_err(|e| store.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| store.err(e))?
    };
    if let Some(org) = engine
        .settings()
        .environment()
        .and_then(|env| Some(Account::environment(&env.url, &env.org?)))
        && !accounts.iter().any(|a| a.url == org.url && a.org == org.org)
    {
        accounts.push(org);
    }
    Ok(accounts)
}

/// The account's token: the environment's for its own account, else the keyring's.
/// Blocking (keyring over D-Bus).
pub fn token(engine: &Engine, account: &Account) -> Result<Option<String>, SecretError> {
    match account.id {
        Some(id) => Secrets
            .get(SecretKind::AccountToken(id))
            .map(|t| t.map(|(token, _)| token)),
        None => Ok(engine.settings().auth_token().map(str::to_owned)),
    }
}

/// Removes the account named `org` (or `url|org`) and its token.
pub fn remove(engine: &Engine, name: &str) -> Result<Account, AccountError> {
    let store = engine.store();
    let account = list(engine)?
        .into_iter()
        .filter(|a| a.id.is_some())
        .find(|a| a.org == name || a.key() == name)
        .ok_or_else(|| AccountError::NotFound(name.to_owned()))?;
    let id = account.id.expect("filtered to added accounts");
    Secrets.delete(SecretKind::AccountToken(id))?;
    Secrets.delete(SecretKind::AccountWebhookSecret(id))?;
    store
        .conn()
        .execute("DELETE FROM accounts WHERE id = ?1", [id])
        .map_err(|e| store.err(e))?;
    Ok(account)
}

/// The account (and its token) to use for `org`: the added account of that organization, else
/// the first one, else the environment's. Blocking (keyring).
pub fn for_org(engine: &Engine, org: Option<&str>) -> Result<Option<(Account, String)>, AccountError> {
    let accounts = list(engine)?;
    let preferred = accounts
        .iter()
        .filter(|a| org.is_none_or(|o| a.org == o))
        .chain(accounts.iter());
    for account in preferred {
        if let Some(token) = token(engine, account)? {
            return Ok(Some((account.clone(), token)));
        }
    }
    Ok(None)
}

/// Every account with its token (read on a blocking thread: the keyring is D-Bus).
/// The account of `org` with its token, and only its: another account's missing token does not
/// matter here. The keyring is read off the async threads.
pub async fn of_org(engine: &Engine, org: &str) -> Result<(Account, String), AccountError> {
    let (engine, org) = (engine.clone(), org.to_owned());
    off_async_threads(move || {
        let account = list(&engine)?
            .into_iter()
            .find(|a| a.org == org)
            .ok_or_else(|| AccountError::NotFound(org.clone()))?;
        let token = token(&engine, &account)?.ok_or(AccountError::TokenMissing(org))?;
        Ok((account, token))
    })
    .await
}

/// `work` (the keyring: blocking D-Bus calls) on a blocking thread; its panic goes on.
async fn off_async_threads<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AccountError> + Send + 'static,
) -> Result<T, AccountError> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|e| match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(_) => Err(AccountError::ShuttingDown),
        })
}

pub async fn with_tokens(engine: &Engine) -> Result<Vec<(Account, String)>, AccountError> {
    let engine = engine.clone();
    off_async_threads(move || {
        list(&engine)?
            .into_iter()
            .map(|account| match token(&engine, &account)? {
                Some(token) => Ok((account, token)),
                None => Err(AccountError::TokenMissing(account.org)),
            })
            .collect()
    })
    .await
}

/// One project of an account, as `projects` and the window list it.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct Project {
    pub org: String,
    pub slug: String,
    pub name: String,
    #[serde(flatten)]
    #[ts(flatten)]
    pub settings: ProjectPreferences,
}

/// A project's effective preferences and where each comes from.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct ProjectPreferences {
    pub preferences: Preferences,
    pub from: Origins,
}

/// Every account's projects from Sentry, with their effective preferences.
pub async fn projects(engine: &Engine) -> Result<Vec<Project>, AccountError> {
    let store = engine.store();
    let mut rows = Vec::new();
    for (account, token) in with_tokens(engine).await? {
        let in_org = |cause| AccountError::InOrganization {
            org: account.org.clone(),
            cause,
        };
        let projects = Client::new(&account.url, &token)
            .map_err(in_org)?
            .projects(&account.org)
            .await
            .map_err(in_org)?;
        store.remember_project_names(&account.org, &projects)?;
        engine.forget_gone_hooks(&account, &token, &projects).await;
        for (slug, name) in projects {
            let (preferences, from) = store.preferences_from(&slug, Some(&account.org))?;
            rows.push(Project {
                org: account.org.clone(),
                slug,
                name,
                settings: ProjectPreferences { preferences, from },
            });
        }
    }
    Ok(rows)
}
