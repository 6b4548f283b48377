//! Webhooks set up for the user: a Sentry service hook per project (`POST …/hooks/`), whose
//! secret goes to the keyring and verifies that hook's deliveries, removed again with the
//! project's account or from the window, and forgotten once Sentry deleted it with its
//! project. Where Sentry refuses (service hooks are a feature
//! flag on sentry.io; GlitchTip has none), the user is told to set up an internal integration.

use rusqlite::{OptionalExtension, params};
use sentry_api::ApiError;
use serde::{Deserialize, Serialize};

use crate::accounts::{self, Account, AccountError};
use crate::api::Engine;
use crate::secrets::{HookName, SecretError, SecretKind, Secrets};
use crate::store::StoreError;

/// A service hook the app created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ServiceHookRow {
    pub org: String,
    pub project: String,
    /// Where Sentry posts the project's alerts.
    pub url: String,
    pub hook_id: String,
}

#[derive(Debug, thiserror::Error)]
pub enum HookError {
    #[error(
        "`{0}` is not a public web address: Sentry must reach it, e.g. https://tray.example.com/webhook (a tunnel to this machine's receiver)"
    )]
    BadUrl(String),
    #[error(
        "creating a service hook needs a token with the project:write scope ({detail}): create one at {tokens} and paste it here; it is kept in the keyring to remove the hook again"
    )]
    NeedsProjectWrite { tokens: String, detail: String },
    #[error(
        "{server} does not offer service hooks here ({why}). Set up an internal integration instead: Settings → Developer Settings → New Internal Integration, webhook URL {url}, the issue resource on, then paste its Client Secret in the webhook step"
    )]
    NotOffered { server: String, why: String, url: String },
    #[error("no service hook of {project} was set up here")]
    NoHook { project: String },
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("Sentry refused to {doing}: {cause}")]
    Sentry { doing: &'static str, cause: ApiError },
}

impl HookError {
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            HookError::BadUrl(_) | HookError::NeedsProjectWrite { .. } | HookError::NoHook { .. }
        )
    }
}

/// A public URL Sentry can post to: http(s), a host, not this machine's loopback.
fn public_url(url: &str) -> Result<String, HookError> {
    let url = url.trim();
    let bad = || HookError::BadUrl(url.to_owned());
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(bad)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let name = host
        .strip_prefix('[')
        .and_then(|h| h.split_once(']'))
        .map_or_else(|| host.split(':').next().unwrap_or(""), |(h, _)| h);
    let local = name.is_empty()
        || name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified());
    if local || url.chars().any(char::is_whitespace) {
        return Err(bad());
    }
    Ok(url.to_owned())
}

impl Engine {
    /// Creates a service hook posting `project`'s alerts to `url`, with the account's token or,
    /// where that lacks `project:write`, `write_token` (kept in the keyring to remove the hook).
    pub async fn set_up_service_hook(
        &self,
        org: &str,
        project: &str,
        url: &str,
        write_token: Option<&str>,
    ) -> Result<ServiceHookRow, HookError> {
        let url = public_url(url)?;
        let (account, token) = accounts::of_org(self, org).await?;
        let write_token = write_token.map(str::trim).filter(|t| !t.is_empty());
        let client =
            crate::servers::client(self.store(), &account, write_token.unwrap_or(&token)).map_err(|cause| {
                HookError::Sentry {
                    doing: "create the hook",
                    cause,
                }
            })?;
        let hook = match client.create_service_hook(&account.org, project, &url).await {
            Ok(hook) => hook,
            Err(ApiError::Forbidden(detail)) => {
                let tokens = format!(
                    "{}/settings/account/api/auth-tokens/",
                    account.url.trim_end_matches('/')
                );
                return Err(HookError::NeedsProjectWrite { tokens, detail });
            }
            Err(e @ (ApiError::FeatureUnavailable(_) | ApiError::NotFound(_) | ApiError::ErrorPage { .. })) => {
                return Err(HookError::NotOffered {
                    server: account.url.clone(),
                    why: e.to_string(),
                    url,
                });
            }
            Err(cause) => {
                return Err(HookError::Sentry {
                    doing: "create the hook",
                    cause,
                });
            }
        };
        // Replacing an earlier hook of the project: that one goes first (in Sentry too).
        if self.hook_row(&account, project)?.is_some()
            && let Err(e) = self.remove_service_hook(&account.org, project).await
        {
            tracing::warn!(project, error = %e, "the project's earlier service hook could not be removed");
        }
        let store = self.store();
        let id = {
            let conn = store.conn();
            conn.execute(
                "INSERT INTO service_hooks (account, org, project, hook_id, url, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![account.key(), account.org, project, hook.id, url, chrono::Utc::now().timestamp()],
            )
            .map_err(|e| store.err(e))?;
            conn.last_insert_rowid()
        };
        let name = hook_name(&account.key(), &hook.id);
        if let Err(e) = Secrets
            .set(SecretKind::ServiceHookSecret(name.clone()), &hook.secret)
            .and_then(|()| match write_token {
                Some(token) => Secrets.set(SecretKind::ServiceHookToken(name.clone()), token),
                None => Ok(()),
            })
        {
            // Without its secret here the hook's deliveries could not be verified: undone.
            let _ = self.forget_hook(id, &name);
            let _ = client.delete_service_hook(&account.org, project, &hook.id).await;
            return Err(e.into());
        }
        tracing::info!(project, hook = %hook.id, "service hook created");
        Ok(ServiceHookRow {
            org: account.org,
            project: project.to_owned(),
            url,
            hook_id: hook.id,
        })
    }

    /// Removes the service hook of `project` in Sentry (gone already is fine) and here.
    pub async fn remove_service_hook(&self, org: &str, project: &str) -> Result<(), HookError> {
        let (account, token) = accounts::of_org(self, org).await?;
        let (id, hook_id) = self.hook_row(&account, project)?.ok_or_else(|| HookError::NoHook {
            project: project.to_owned(),
        })?;
        let name = hook_name(&account.key(), &hook_id);
        let token = Secrets
            .get(SecretKind::ServiceHookToken(name.clone()))?
            .map_or(token, |(t, _)| t);
        let client = crate::servers::client(self.store(), &account, &token).map_err(|cause| HookError::Sentry {
            doing: "remove the hook",
            cause,
        })?;
        match client.delete_service_hook(&account.org, project, &hook_id).await {
            Ok(()) | Err(ApiError::NotFound(_)) => {}
            Err(cause) => {
                return Err(HookError::Sentry {
                    doing: "remove the hook",
                    cause,
                });
            }
        }
        self.forget_hook(id, &name)?;
        tracing::info!(project, hook = %hook_id, "service hook removed");
        Ok(())
    }

    /// Forgets the hooks of `account`'s projects that Sentry no longer lists (`listed`) and no
    /// longer has: deleted with their project, or in Sentry's settings. A project merely
    /// missing from the list (renamed, out of the token's sight) keeps its hook: Sentry is
    /// asked for the hook itself, with the token that made it. Blocking (keyring).
    pub(crate) async fn forget_gone_hooks(&self, account: &Account, token: &str, listed: &[(String, String)]) {
        let store = self.store();
        let rows: Vec<(i64, String, String)> = {
            let conn = store.conn();
            let Ok(mut statement) =
                conn.prepare_cached("SELECT id, project, hook_id FROM service_hooks WHERE account = ?1")
            else {
                return;
            };
            statement
                .query_map([account.key()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .map(|rows| rows.filter_map(Result::ok).collect())
                .unwrap_or_default()
        };
        for (id, project, hook_id) in rows {
            if listed.iter().any(|(slug, _)| *slug == project) {
                continue;
            }
            let name = hook_name(&account.key(), &hook_id);
            let token = match Secrets.get(SecretKind::ServiceHookToken(name.clone())) {
                Ok(own) => own.map_or_else(|| token.to_owned(), |(t, _)| t),
                Err(e) => {
                    tracing::warn!(error = %e, %project, "cannot tell whether a service hook is still in Sentry");
                    continue;
                }
            };
            let exists = match crate::servers::client(store, account, &token) {
                Ok(client) => client.service_hook_exists(&account.org, &project, &hook_id).await,
                Err(e) => Err(e),
            };
            match exists {
                Ok(false) => match self.forget_hook(id, &name) {
                    Ok(()) => {
                        tracing::info!(%project, hook = %hook_id, "service hook forgotten: Sentry deleted it with its project")
                    }
                    Err(e) => tracing::warn!(error = %e, %project, "could not forget a service hook Sentry deleted"),
                },
                Ok(true) => {}
                Err(e) => tracing::warn!(error = %e, %project, "cannot tell whether a service hook is still in Sentry"),
            }
        }
    }

    /// The hook's secrets and row, here only.
    fn forget_hook(&self, id: i64, name: &HookName) -> Result<(), HookError> {
        Secrets.delete(SecretKind::ServiceHookSecret(name.clone()))?;
        Secrets.delete(SecretKind::ServiceHookToken(name.clone()))?;
        let store = self.store();
        store
            .conn()
            .execute("DELETE FROM service_hooks WHERE id = ?1", [id])
            .map_err(|e| store.err(e))?;
        Ok(())
    }

    /// Removes every service hook of the account of `org` (before the account goes): what
    /// Sentry refuses is said and the rest still removed.
    pub async fn remove_service_hooks_of(&self, org: &str) -> Vec<(String, HookError)> {
        let mut failed = Vec::new();
        for hook in self
            .service_hooks()
            .unwrap_or_default()
            .into_iter()
            .filter(|h| h.org == org)
        {
            if let Err(e) = self.remove_service_hook(org, &hook.project).await {
                failed.push((hook.project, e));
            }
        }
        failed
    }

    /// The service hooks the app created.
    pub fn service_hooks(&self) -> Result<Vec<ServiceHookRow>, HookError> {
        let store = self.store();
        let conn = store.conn();
        let mut statement = conn
            .prepare_cached("SELECT org, project, url, hook_id FROM service_hooks ORDER BY org, project")
            .map_err(|e| store.err(e))?;
        let rows = statement
            .query_map([], |r| {
                Ok(ServiceHookRow {
                    org: r.get(0)?,
                    project: r.get(1)?,
                    url: r.get(2)?,
                    hook_id: r.get(3)?,
                })
            })
            .map_err(|e| store.err(e))?;
        Ok(rows.collect::<Result<_, _>>().map_err(|e| store.err(e))?)
    }

    /// Each hook's secret with its account: the receiver takes a delivery signed with one as
    /// that account's. Blocking (keyring).
    pub(crate) fn service_hook_secrets(&self) -> Vec<crate::receiver::WebhookSecret> {
        let store = self.store();
        let rows: Vec<(String, String)> = {
            let conn = store.conn();
            let Ok(mut statement) = conn.prepare_cached("SELECT account, hook_id FROM service_hooks") else {
                return Vec::new();
            };
            statement
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .map(|rows| rows.filter_map(Result::ok).collect())
                .unwrap_or_default()
        };
        rows.into_iter()
            .filter_map(|(account, hook_id)| {
                match Secrets.get(SecretKind::ServiceHookSecret(hook_name(&account, &hook_id))) {
                    Ok(found) => found.map(|(secret, _)| crate::receiver::WebhookSecret {
                        account: Some(account),
                        secret,
                    }),
                    Err(e) => {
                        tracing::warn!(error = %e, "a service hook's secret is unavailable");
                        None
                    }
                }
            })
            .collect()
    }

    fn hook_row(&self, account: &Account, project: &str) -> Result<Option<(i64, String)>, StoreError> {
        let store = self.store();
        store
            .conn()
            .query_row(
                "SELECT id, hook_id FROM service_hooks WHERE account = ?1 AND project = ?2",
                params![account.key(), project],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| store.err(e))
    }
}

/// The keyring's name for a hook of the account keyed `account` (`server|organization`).
fn hook_name(account: &str, hook_id: &str) -> HookName {
    HookName(format!("{account}|{hook_id}"))
}

#[cfg(test)]
mod tests {
    use super::public_url;

    #[test]
    fn only_an_address_sentry_can_reach_is_taken() {
        for good in [
            "https://tray.example.com/webhook",
            "http://203.0.113.7:8787/webhook",
            "https://[2001:db8::1]/webhook",
        ] {
            assert_eq!(public_url(&format!(" {good} ")).unwrap(), good);
        }
        for bad in [
            "",
            "tray.example.com/webhook",
            "ftp://example.com/",
            "http://127.0.0.1:8787/webhook",
            "http://localhost:8787/webhook",
            "http://[::1]/webhook",
            "http://0.0.0.0/webhook",
            "https:///webhook",
            "https://exa mple.com/",
        ] {
            assert!(public_url(bad).is_err(), "{bad}");
        }
    }
}
