//! What the policy needs and an alert lacks, fetched from Sentry and cached in SQLite: who "me"
//! is in the alert's organization (with my teams), the project's ownership rules, and the
//! issue's latest event to match them against. Failures degrade: the policy is told ownership is
//! unknown and says so, it never blocks an alert.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ownership::{Evaluation, Event, Ruleset};
use sentry_api::{ApiError, Client, Issue};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::accounts::{self, Account};
use crate::alert::{Alert, Source};
use crate::api::Engine;
use crate::policy::{EnvironmentUnknown, Me, Preferences, Subscription, SubscriptionReason};
use crate::receiver::now;
use crate::store::Store;

const IDENTITY_TTL: i64 = 24 * 3600;
const OWNERSHIP_TTL: i64 = 3600;
const EVENT_TTL: i64 = 600;
/// Short: commenting on an issue subscribes me to it.
const INVOLVEMENT_TTL: i64 = 60;

/// What [`Enricher::involvement`] keeps of an issue.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Involvement {
    assignee: Option<String>,
    subscription: Subscription,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Identity {
    id: String,
    email: String,
    username: String,
    /// Cached before names were kept: none.
    #[serde(default)]
    name: String,
    teams: Vec<String>,
}

/// How long an account looked up for an organization is reused: the lookup reads the keyring
/// over D-Bus, too slow to do for every alert of a burst.
const ACCOUNT_TTL: Duration = Duration::from_secs(60);

type AccountCache = HashMap<Option<String>, (Instant, Option<(Account, String)>)>;

/// Long-lived: one per running engine, so its account cache spans alerts.
#[derive(Debug, Clone)]
pub struct Enricher {
    engine: Engine,
    accounts: Arc<Mutex<AccountCache>>,
}

impl Enricher {
    pub fn new(engine: Engine) -> Enricher {
        Enricher {
            engine,
            accounts: Arc::default(),
        }
    }

    pub fn store(&self) -> &Store {
        self.engine.store()
    }

    async fn account(&self, alert: &Alert) -> Option<(Account, Client)> {
        self.account_of(&alert.org).await
    }

    /// The account of `org` (the only one, when `None`) and a client of its server.
    async fn account_of(&self, org: &Option<String>) -> Option<(Account, Client)> {
        let cached = {
            let cache = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
            cache
                .get(org)
                .filter(|(at, _)| at.elapsed() < ACCOUNT_TTL)
                .map(|(_, found)| found.clone())
        };
        let found = match cached {
            Some(found) => found,
            None => {
                let (engine, wanted) = (self.engine.clone(), org.clone());
                let looked_up = match tokio::task::spawn_blocking(move || accounts::for_org(&engine, wanted.as_deref()))
                    .await
                    .ok()?
                {
                    Ok(found) => found,
                    Err(e) => {
                        tracing::warn!(error = %e, "no account to enrich alerts with");
                        None
                    }
                };
                let mut cache = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
                cache.insert(org.clone(), (Instant::now(), looked_up.clone()));
                looked_up
            }
        };
        let (account, token) = found?;
        let client = crate::servers::client(self.store(), &account, &token).ok()?;
        Some((account, client))
    }

    /// A cached value, else `fetch`'s answer (then cached); a failed fetch falls back to a stale
    /// cached value, else `None`.
    async fn cached<F, Fut>(&self, key: &str, ttl: i64, fetch: F) -> Option<String>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<String, ApiError>>,
    {
        if let Ok(Some(hit)) = self.store().cached(key, ttl, now()) {
            return Some(hit);
        }
        match fetch().await {
            Ok(value) => {
                let _ = self.store().cache(key, &value, now());
                Some(value)
            }
            Err(e) => {
                tracing::warn!(key, error = %e, "could not fetch what the policy needs");
                self.store().cached(key, i64::MAX / 2, now()).ok().flatten()
            }
        }
    }

    /// Who "me" is in the alert's organization.
    pub async fn me(&self, alert: &Alert) -> Me {
        let Some((account, client)) = self.account(alert).await else {
            return Me::default();
        };
        // Accounts added before names were kept ask Sentry once a day, for the name.
        if let (Some(id), Some(email), Some(name)) = (&account.user_id, &account.email, &account.name) {
            return Me {
                user_id: id.clone(),
                email: email.clone(),
                username: account.username.clone().unwrap_or_default(),
                name: name.clone(),
                teams: account.teams,
            };
        }
        let key = format!("identity.{}", account.key());
        let org = account.org.clone();
        let fetched = self
            .cached(&key, IDENTITY_TTL, || async {
                let me = client.whoami().await?;
                // A server without teams (GlitchTip) is not asked for them.
                let teams = match client.profile().teams {
                    true => client.my_teams(&org).await.unwrap_or_default(),
                    false => Vec::new(),
                };
                let identity = Identity {
                    id: me.id,
                    email: me.email,
                    username: me.username,
                    name: me.name,
                    teams,
                };
                Ok(serde_json::to_string(&identity).unwrap_or_default())
            })
            .await;
        match fetched.and_then(|text| serde_json::from_str::<Identity>(&text).ok()) {
            Some(i) => Me {
                user_id: i.id,
                email: i.email,
                username: i.username,
                name: i.name,
                teams: i.teams,
            },
            None => Me::default(),
        }
    }

    /// Whom the alert's issue is assigned to (`user:<id>` / `team:<slug>`) and whether I am
    /// subscribed to it, as Sentry says to me: what a comment or someone else's change needs to
    /// be judged mine. A polled issue says both (it was read with my token); a webhook's copy
    /// speaks for the integration, so the issue is read, once a minute at most.
    pub async fn involvement(&self, alert: &Alert) -> (Option<String>, Subscription) {
        if alert.source == Source::Poll
            && let Some(issue) = polled_issue(&alert.payload)
        {
            return (
                alert.assigned_to.clone().or_else(|| issue.assignee()),
                subscription_of(&issue),
            );
        }
        let Some((account, client)) = self.account(alert).await else {
            return (alert.assigned_to.clone(), Subscription::Unknown);
        };
        let key = format!("involvement.{}.{}", account.key(), alert.issue_id);
        let org = account.org.clone();
        let fetched = self
            .cached(&key, INVOLVEMENT_TTL, || async {
                let issue = client.issue(&org, &alert.issue_id).await?;
                let seen = Involvement {
                    assignee: issue.assignee(),
                    subscription: subscription_of(&issue),
                };
                Ok(serde_json::to_string(&seen).unwrap_or_default())
            })
            .await
            .and_then(|text| serde_json::from_str::<Involvement>(&text).ok());
        match fetched {
            Some(seen) => (alert.assigned_to.clone().or(seen.assignee), seen.subscription),
            None => (alert.assigned_to.clone(), Subscription::Unknown),
        }
    }

    /// The ownership result for the alert: the project's rules in Sentry plus the local rules,
    /// against the alert's event (or the issue's latest event).
    pub async fn ownership(&self, alert: &Alert, preferences: &Preferences) -> Option<Evaluation> {
        let project = alert.project.as_deref()?;
        let account = self.account(alert).await;
        let mut rules = String::new();
        if let Some((account, client)) = account.as_ref()
            && let Ok(raw) = self.rules_on(account, client, project).await
        {
            rules.push_str(&raw);
        }
        if !preferences.local_rules.trim().is_empty() {
            rules.push('\n');
            rules.push_str(&preferences.local_rules);
        }
        let parsed = match ownership::parse(&rules) {
            Ok(parsed) => parsed,
            Err(e) => {
                tracing::warn!(project, error = %e, "ownership rules unreadable; using the local rules alone");
                ownership::parse(&preferences.local_rules).ok()?
            }
        };
        let event = match event_in_payload(alert) {
            Some(event) => event,
            None => {
                let (account, client) = account.as_ref()?;
                self.latest_event_on(account, client, &alert.issue_id).await?
            }
        };
        let event = Event::from_json(&event).ok()?;
        let ruleset = Ruleset::compile(parsed).ok()?;
        Some(ruleset.evaluate(&event))
    }
}

impl Enricher {
    /// The project's ownership rules in Sentry, as its text.
    pub async fn project_rules(&self, org: &str, project: &str) -> Result<String, RulesUnavailable> {
        let (account, client) = self
            .account_of(&Some(org.to_owned()))
            .await
            .ok_or_else(|| RulesUnavailable::NoAccount(org.to_owned()))?;
        self.rules_on(&account, &client, project).await
    }

    async fn rules_on(&self, account: &Account, client: &Client, project: &str) -> Result<String, RulesUnavailable> {
        // A server without ownership rules (GlitchTip) is not asked: only the local rules count.
        if !client.profile().ownership_rules {
            return Err(RulesUnavailable::NotOffered);
        }
        let key = format!("ownership.{}.{project}", account.key());
        let org = account.org.clone();
        self.cached(&key, OWNERSHIP_TTL, || async {
            client.project_ownership(&org, project).await
        })
        .await
        .ok_or(RulesUnavailable::Unreachable)
    }

    /// The issue's latest event in Sentry (cached as the policy caches it).
    pub async fn latest_event(&self, org: &str, issue: &str) -> Option<Value> {
        let (account, client) = self.account_of(&Some(org.to_owned())).await?;
        self.latest_event_on(&account, &client, issue).await
    }

    async fn latest_event_on(&self, account: &Account, client: &Client, issue: &str) -> Option<Value> {
        let key = format!("event.{}.{issue}", account.key());
        let org = account.org.clone();
        let text = self
            .cached(&key, EVENT_TTL, || async {
                client.latest_event(&org, issue).await.map(|v| v.to_string())
            })
            .await?;
        serde_json::from_str(&text).ok()
    }
}

/// Why a project's ownership rules could not be read from Sentry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesUnavailable {
    #[error("no account for {0}")]
    NoAccount(String),
    #[error("this server has no ownership rules (GlitchTip): paste them")]
    NotOffered,
    #[error("Sentry could not be asked for the rules")]
    Unreachable,
}

impl Enricher {
    /// The environment of the alert's event: as the alert says, else the event it carries, else
    /// the issue's latest event in Sentry (the one that made the alert), cached with the rest.
    pub async fn environment(&self, alert: &Alert) -> Result<Option<String>, EnvironmentUnknown> {
        if let Some(environment) = &alert.environment {
            return Ok(Some(environment.clone()));
        }
        if let Some(event) = event_in_payload(alert) {
            return Ok(environment_of(&event));
        }
        let Some((account, client)) = self.account(alert).await else {
            return Err(EnvironmentUnknown::NoAccount);
        };
        let key = format!("event.{}.{}", account.key(), alert.issue_id);
        if let Ok(Some(hit)) = self.store().cached(&key, EVENT_TTL, now()) {
            return Ok(serde_json::from_str(&hit).ok().and_then(|event| environment_of(&event)));
        }
        match client.latest_event(&account.org, &alert.issue_id).await {
            Ok(event) => {
                let _ = self.store().cache(&key, &event.to_string(), now());
                Ok(environment_of(&event))
            }
            // An older event of the issue may be of another environment: better unknown.
            Err(e) if e.is_transient() => {
                tracing::warn!(issue = %alert.issue_id, error = %e, "the issue's environment cannot be read now");
                Err(EnvironmentUnknown::Unreachable)
            }
            Err(e) => {
                tracing::warn!(issue = %alert.issue_id, error = %e, "the issue's latest event cannot be read");
                Ok(None)
            }
        }
    }
}

/// An event's environment: its own field, else its `environment` tag.
/// Whether I am subscribed to `issue`, as Sentry serialized it for the user asking.
fn subscription_of(issue: &Issue) -> Subscription {
    match issue.is_subscribed {
        None => Subscription::Unknown,
        Some(false) => Subscription::No,
        Some(true) => Subscription::Yes {
            because: issue.subscription_reason().and_then(SubscriptionReason::parse),
        },
    }
}

/// The issue a polled alert's body holds, as Sentry serialized it for me: the body itself (a
/// listed or watched issue) or an activity's `issue`.
fn polled_issue(payload: &str) -> Option<Issue> {
    let mut body: Value = serde_json::from_str(payload).ok()?;
    let issue = match body.get_mut("issue").map(Value::take) {
        Some(issue @ Value::Object(_)) => issue,
        _ => body,
    };
    serde_json::from_value(issue).ok()
}

fn environment_of(event: &Value) -> Option<String> {
    let tagged = || {
        event["tags"].as_array()?.iter().find_map(|tag| match tag {
            Value::Array(pair) if pair.first()?.as_str()? == "environment" => pair.get(1)?.as_str(),
            Value::Object(o) if o.get("key")?.as_str()? == "environment" => o.get("value")?.as_str(),
            _ => None,
        })
    };
    event["environment"]
        .as_str()
        .or_else(tagged)
        .filter(|e| !e.is_empty())
        .map(str::to_owned)
}

/// Event-based webhooks carry the event itself.
fn event_in_payload(alert: &Alert) -> Option<Value> {
    let body: Value = serde_json::from_str(&alert.payload).ok()?;
    for candidate in [&body["data"]["error"], &body["data"]["event"], &body["event"]] {
        if candidate.is_object() {
            return Some(candidate.clone());
        }
    }
    None
}
