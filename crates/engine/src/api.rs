//! The engine's surface for the binaries (the CLI, the tray app, the window's host): one value,
//! [`Engine`], holding the database and the settings read at start, with one function for each
//! thing they do, so that every front end does it the same way.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sentry_api::ApiError;
use sentry_api::webhook::PayloadError;

use crate::accounts::{self, Account, AccountError, Project, ProjectPreferences};
use crate::actions::{ActionError, Actions};
use crate::alert::Alert;
use crate::daemon::{self, DaemonError};
use crate::enrich::Enricher;
use crate::inbox::{InboxEntry, InboxPage, InboxQuery};
use crate::mutes::{IssueKey, IssueMute};
use crate::policy::{
    Decision, Field, MuteRule, MuteUntil, PrefError, Preferences, Scope, SummarySchedule, Workflow, propose,
};
use crate::poll::{self, Cycle};
use crate::secrets::{Origin, SecretError, SecretKind, Secrets};
use crate::settings::Settings;
use crate::status::{self, Status};
use crate::store::{DEFAULT_PREFERENCES, Recent, Store, StoreError};
use crate::summary::WeeklySummary;

/// Whatever an engine function can fail with, each cause said once.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Action(#[from] ActionError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Preference(#[from] PrefError),
    #[error(transparent)]
    Daemon(#[from] DaemonError),
    #[error(transparent)]
    Alert(#[from] PayloadError),
    #[error(transparent)]
    Sentry(#[from] sentry_api::ApiError),
    #[error(transparent)]
    Hook(#[from] crate::hooks::HookError),
    #[error(
        "{project}: there are several accounts ({}), so say whose project it is with --org",
        orgs.join(", ")
    )]
    WhichAccount { project: String, orgs: Vec<String> },
    #[error("no alert {0} in the inbox (`sentry-tray-cli inbox` lists them)")]
    NoSuchAlert(i64),
    #[error("alert {0} is not of an issue (a metric alert or an organization-less one): there is nothing to mute")]
    NotAnIssue(i64),
    #[error("mute for me until what? `{0}` is not one of 1h, 30m, 2d (any number), tomorrow, release, escalates")]
    MuteSpan(String),
    #[error("weekly summary: {0}")]
    SummarySchedule(String),
}

impl Error {
    /// Whether what the user gave was wrong (the command line's exit code 2), rather than the
    /// machine, the keyring or Sentry.
    pub fn is_bad_input(&self) -> bool {
        match self {
            Error::Account(e) => e.is_bad_input(),
            Error::Action(e) => e.is_bad_input(),
            Error::Hook(e) => e.is_bad_input(),
            Error::Preference(_)
            | Error::Alert(_)
            | Error::WhichAccount { .. }
            | Error::NoSuchAlert(_)
            | Error::NotAnIssue(_)
            | Error::MuteSpan(_)
            | Error::SummarySchedule(_) => true,
            Error::Store(_) | Error::Secret(_) | Error::Daemon(_) | Error::Sentry(_) => false,
        }
    }
}

/// Someone issues can be assigned to: `assignee` as `assign=` takes it, and how to show them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct Assignee {
    pub assignee: String,
    pub label: String,
}

/// The settings rows of the weekly summary: when it is due, and the due time last shown.
const SUMMARY_SCHEDULE: &str = "summary.schedule";
const SUMMARY_SENT: &str = "summary.sent";

/// How many of the latest alerts the tray's "held back" count looks through.
const HELD_BACK_LOOKED_AT: usize = 1000;

/// How many of the latest alerts the mute preview looks through.
const MUTE_PREVIEW_ALERTS: usize = 500;

/// What mute rules would have done to recent alerts: of the `checked` latest alerts in scope,
/// the ones each rule (in the order asked) would have muted.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct MutePreview {
    pub checked: u32,
    pub matches: Vec<Vec<Recent>>,
}

#[derive(Clone, Debug)]
pub struct Engine {
    store: Store,
    settings: Arc<Settings>,
}

impl Engine {
    /// Opens (creating and migrating) the database the settings name, and gives the alerts that
    /// name no account their organization's account.
    pub fn open(settings: Settings) -> Result<Engine, Error> {
        let store = Store::open_with(&settings.database_path(), settings.synchronous())?;
        let engine = Engine::new(store, settings);
        let accounts: Vec<(String, String)> = engine.accounts()?.into_iter().map(|a| (a.key(), a.org)).collect();
        let (attributed, unattributed) = engine.store.attribute_accounts(&accounts)?;
        if attributed > 0 {
            tracing::info!(alerts = attributed, "alerts attributed to their accounts");
        }
        if unattributed > 0 {
            tracing::debug!(alerts = unattributed, "alerts of no single account kept as they were");
        }
        Ok(engine)
    }

    pub(crate) fn new(store: Store, settings: Settings) -> Engine {
        Engine {
            store,
            settings: Arc::new(settings),
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// What is configured and how it stands, read now. Blocking (the keyring over D-Bus).
    pub fn status(&self) -> Status {
        let secret = self.webhook_secret().map_err(|e| e.to_string());
        status::read(self, None, &secret)
    }

    /// The receiver's secret and where it came from: the settings' (`SENTRY_TRAY_WEBHOOK_SECRET`),
    /// else the keyring's. Blocking (keyring over D-Bus).
    pub fn webhook_secret(&self) -> Result<Option<(String, Origin)>, SecretError> {
        if let Some(secret) = self.settings.webhook_secret() {
            return Ok(Some((secret.to_owned(), Origin::Environment)));
        }
        Secrets.get(SecretKind::WebhookSecret)
    }

    /// Stores a webhook secret in the keyring: the receiver's global one, or (`org`) the one of
    /// that added account, whose webhooks are then known to be its. Blocking.
    pub fn set_webhook_secret(&self, org: Option<&str>, secret: &str) -> Result<(), Error> {
        Ok(Secrets.set(self.webhook_secret_kind(org)?, secret)?)
    }

    /// Removes a webhook secret (the global one, or `org`'s) from the keyring. Blocking.
    pub fn remove_webhook_secret(&self, org: Option<&str>) -> Result<(), Error> {
        Ok(Secrets.delete(self.webhook_secret_kind(org)?)?)
    }

    fn webhook_secret_kind(&self, org: Option<&str>) -> Result<SecretKind, Error> {
        let Some(org) = org else {
            return Ok(SecretKind::WebhookSecret);
        };
        let account = self.accounts()?.into_iter().find(|a| a.org == org && a.id.is_some());
        let id = account
            .and_then(|a| a.id)
            .ok_or_else(|| AccountError::NotFound(org.to_owned()))?;
        Ok(SecretKind::AccountWebhookSecret(id))
    }

    /// The webhook secrets of the added accounts that have one. Blocking (keyring).
    pub(crate) fn account_webhook_secrets(&self) -> Vec<crate::receiver::WebhookSecret> {
        let accounts = self.accounts().unwrap_or_default();
        let hooks = self.service_hook_secrets();
        accounts
            .into_iter()
            .filter_map(|account| {
                let id = account.id?;
                match Secrets.get(SecretKind::AccountWebhookSecret(id)) {
                    Ok(found) => found.map(|(secret, _)| crate::receiver::WebhookSecret {
                        account: Some(account.key()),
                        secret,
                    }),
                    Err(e) => {
                        tracing::warn!(account = %account.key(), error = %e, "the account's webhook secret is unavailable");
                        None
                    }
                }
            })
            .chain(hooks)
            .collect()
    }

    /// Every account: those added, then the environment's.
    pub fn accounts(&self) -> Result<Vec<Account>, Error> {
        Ok(accounts::list(self)?)
    }

    /// Checks the token against the server, then adds the account (the token to the keyring);
    /// `cancel` gives the check up (nothing is stored).
    pub async fn add_account(
        &self,
        url: &str,
        org: &str,
        token: &str,
        cancel: impl std::future::Future<Output = ()>,
    ) -> Result<Account, Error> {
        Ok(accounts::add(self, url, org, token, cancel).await?)
    }

    /// Removes the added account named `org` (or `url|org`) and its token. Blocking (keyring).
    pub fn remove_account(&self, name: &str) -> Result<Account, Error> {
        Ok(accounts::remove(self, name)?)
    }

    /// Every account's projects from Sentry, with their effective preferences.
    pub async fn projects(&self) -> Result<Vec<Project>, Error> {
        Ok(accounts::projects(self).await?)
    }

    /// My "workflow" notification setting in Sentry for the account of `org`, where the server
    /// offers it: what it proposes as the account's alert kinds, and the projects whose own
    /// setting differs. Four requests (the settings, the organization, its projects).
    pub async fn sentry_workflow(&self, org: &str) -> Result<SentryWorkflow, Error> {
        let (account, token) = accounts::of_org(self, org).await?;
        let in_org = |cause| AccountError::InOrganization {
            org: account.org.clone(),
            cause,
        };
        let client = crate::servers::client(&self.store, &account, &token).map_err(in_org)?;
        let rows = match client.notification_options("workflow").await {
            Ok(rows) => rows,
            Err(ApiError::NotFound(_) | ApiError::ErrorPage { .. } | ApiError::Rejected { status: 405, .. }) => {
                let url = account.url.clone();
                return Err(AccountError::NoNotificationSettings { url }.into());
            }
            Err(e) => return Err(in_org(e).into()),
        };
        let org_id = client.organization_id(&account.org).await.map_err(in_org)?;
        let projects: Vec<(String, String)> = client
            .project_ids(&account.org)
            .await
            .map_err(in_org)?
            .into_iter()
            .map(|(id, slug, _)| (id, slug))
            .collect();
        let rows: Vec<(Scope, Workflow)> = rows
            .iter()
            .filter_map(|(scope, id, value)| {
                let scope = match scope.as_str() {
                    "user" => Scope::User,
                    "organization" => Scope::Organization(id.clone()),
                    "project" => Scope::Project(id.clone()),
                    _ => Scope::Other,
                };
                Some((scope, Workflow::parse(value)?))
            })
            .collect();
        let (setting, projects) = propose(&rows, &org_id, &projects);
        Ok(SentryWorkflow {
            org: account.org.clone(),
            setting,
            projects,
        })
    }

    /// Makes `proposal` the app's: the account's kinds (`@org`) and each differing project's.
    pub fn apply_sentry_workflow(&self, proposal: &SentryWorkflow) -> Result<(), Error> {
        let defaults = format!("@{}", proposal.org);
        let scopes = std::iter::once((defaults.as_str(), proposal.setting))
            .chain(proposal.projects.iter().map(|(slug, w)| (slug.as_str(), *w)));
        for (scope, workflow) in scopes {
            let org = Some(proposal.org.as_str()).filter(|_| !scope.starts_with('@'));
            let current = self.store.preferences(scope, org)?;
            let kinds = workflow
                .kinds(&current.kinds)
                .iter()
                .filter_map(|k| serde_json::to_value(k).ok()?.as_str().map(str::to_owned))
                .collect::<Vec<_>>()
                .join(",");
            self.change_preferences(scope, org, &[("kinds".to_owned(), kinds)])?;
        }
        Ok(())
    }

    /// Whom issues can be assigned to: each account's members and the teams I am on.
    pub async fn assignees(&self) -> Result<Vec<Assignee>, Error> {
        let mut people = Vec::new();
        for (account, token) in accounts::with_tokens(self).await? {
            let in_org = |cause| AccountError::InOrganization {
                org: account.org.clone(),
                cause,
            };
            let client = crate::servers::client(&self.store, &account, &token).map_err(in_org)?;
            // Nobody can be assigned on a server without assignment.
            if !client.profile().assignment {
                continue;
            }
            let members = client.members(&account.org).await.map_err(in_org)?;
            people.extend(
                members
                    .into_iter()
                    .map(|(assignee, label)| Assignee { assignee, label }),
            );
            let teams = client.my_teams(&account.org).await.unwrap_or_default();
            people.extend(teams.into_iter().map(|t| Assignee {
                assignee: format!("team:{t}"),
                label: format!("#{t}"),
            }));
        }
        people.sort();
        people.dedup();
        Ok(people)
    }

    /// `project`'s environments in Sentry (of the account of `org`), to pick from.
    pub async fn environments(&self, org: &str, project: &str) -> Result<Vec<String>, Error> {
        let (account, token) = accounts::of_org(self, org).await?;
        let in_org = |cause| AccountError::InOrganization {
            org: account.org.clone(),
            cause,
        };
        let client = crate::servers::client(&self.store, &account, &token).map_err(in_org)?;
        let mut names = client.environments(org, project).await.map_err(in_org)?;
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// The ownership tester: rules (as typed, or the project's in Sentry) against an event (as
    /// pasted, or an issue's latest in Sentry).
    pub async fn test_ownership(&self, question: crate::tester::OwnershipQuestion) -> crate::tester::OwnershipAnswer {
        crate::tester::test(&Enricher::new(self.clone()), question).await
    }

    /// Which of the latest alerts of `project` (of `org`; `@org` for all of that account's,
    /// `*` for all) each of `rules` would have muted, newest first.
    pub fn mute_preview(&self, project: &str, org: Option<&str>, rules: &[MuteRule]) -> Result<MutePreview, Error> {
        let alerts = self.store.recent_payloads(MUTE_PREVIEW_ALERTS)?;
        let scope = |recent: &Recent| match project {
            crate::store::DEFAULT_PREFERENCES => true,
            defaults if defaults.starts_with('@') => recent.org.as_deref() == Some(&defaults[1..]),
            slug => recent.project.as_deref() == Some(slug) && (org.is_none() || recent.org.as_deref() == org),
        };
        let mut preview = MutePreview {
            checked: 0,
            matches: vec![Vec::new(); rules.len()],
        };
        for (recent, payload) in alerts.into_iter().filter(|(recent, _)| scope(recent)) {
            preview.checked += 1;
            // What the policy read from it: the body again (tags and message live only there),
            // else what the row keeps.
            let alert = Alert::from_json_file(payload.as_bytes()).unwrap_or_else(|_| Alert {
                title: recent.title.clone(),
                project: recent.project.clone(),
                ..Alert::default()
            });
            let facts = alert.facts(&crate::policy::Me::default());
            for (rule, matches) in rules.iter().zip(&mut preview.matches) {
                if crate::policy::muted(rule, &facts) {
                    matches.push(recent.clone());
                }
            }
        }
        Ok(preview)
    }

    /// One polling cycle of `org` at `url` with `token`, as the daemon runs for each account:
    /// what is news is stored (the daemon would notify it). For measuring polling.
    pub async fn poll_once(&self, url: &str, org: &str, token: &str) -> Result<Cycle, Error> {
        let client = sentry_api::Client::new(url, token)?;
        let (news, _) = tokio::sync::mpsc::unbounded_channel();
        Ok(poll::cycle(&client, &self.store, &Account::environment(url, org), &news).await?)
    }

    /// A page of the inbox: the alerts `query` asks for, newest first, each with what was decided
    /// and why and its issue's state as the app last heard it.
    pub fn inbox(&self, query: &InboxQuery) -> Result<InboxPage, Error> {
        // Alerts are read in batches and filtered here: "mine" and "held back" are the policy's
        // words, not columns. The first batch is just enough for an unfiltered page (reading
        // more cost the window a frame while it scrolled); a filter reads on in larger ones.
        const BATCH: usize = 500;
        let limit = query.limit();
        let mut batch_size = (limit + 1).min(BATCH);
        let mut preferences = HashMap::new();
        let mut names = HashMap::new();
        let mut entries = Vec::new();
        let mut before = query.before;
        loop {
            let batch = self.store.alerts_before(before, batch_size)?;
            let exhausted = batch.len() < batch_size;
            batch_size = BATCH;
            for alert in batch {
                before = Some(alert.id);
                let key = (alert.project.clone(), alert.org.clone());
                let found = preferences.entry(key.clone()).or_insert_with(|| match &alert.project {
                    // Unreadable preferences offer no fix; the alert is still listed.
                    Some(project) => self.store.preferences(project, alert.org.as_deref()).ok(),
                    None => None,
                });
                let mut entry = InboxEntry::new(alert, found.as_ref());
                let name = names.entry(key).or_insert_with(|| {
                    self.store
                        .project_name(entry.alert.org.as_deref(), entry.alert.project.as_deref())
                });
                if !query.wants(&entry, name.as_deref()) {
                    continue;
                }
                if entries.len() == limit {
                    return Ok(InboxPage { entries, more: true });
                }
                let alert = &entry.alert;
                entry.issue =
                    self.store
                        .issue_state(alert.account.as_deref(), alert.org.as_deref(), &alert.issue_id)?;
                entries.push(entry);
            }
            if exhausted {
                return Ok(InboxPage { entries, more: false });
            }
        }
    }

    /// The alert stored as `id`.
    pub fn alert(&self, id: i64) -> Result<Option<Recent>, Error> {
        Ok(self.store.alert(id)?)
    }

    /// Mutes the issue of the inbox's alert `alert` for me (`until`: `1h`, `tomorrow`,
    /// `release`, `escalates`, …): its alerts stop notifying here; Sentry is not told.
    pub fn mute_for_me(&self, alert: i64, until: &str) -> Result<IssueMute, Error> {
        let recent = self.store.alert(alert)?.ok_or(Error::NoSuchAlert(alert))?;
        let org = recent.org.clone().filter(|_| !recent.kind.is_metric_alert());
        let org = org.ok_or(Error::NotAnIssue(alert))?;
        let until = MuteUntil::parse(until, Utc::now(), daemon::tomorrow_morning())
            .ok_or_else(|| Error::MuteSpan(until.into()))?;
        let label = recent.short_id.clone().unwrap_or_else(|| recent.issue_id.clone());
        self.mute_issue(IssueMute {
            account: recent.account.unwrap_or_default(),
            org,
            issue_id: recent.issue_id,
            project: recent.project,
            label,
            title: recent.title,
            until,
            muted_at: Utc::now(),
            ended: None,
        })
    }

    pub(crate) fn mute_issue(&self, mute: IssueMute) -> Result<IssueMute, Error> {
        self.store.mute_for_me(&mute)?;
        tracing::info!(issue = %mute.issue_id, until = %mute.until, "muted for me");
        Ok(mute)
    }

    /// Lifts the mute for me of `org`'s issue `issue_id` (of `account`, where known); whether
    /// there was one.
    pub fn unmute_for_me(&self, key: IssueKey) -> Result<bool, Error> {
        Ok(self.store.unmute_for_me(key)?)
    }

    /// The issues muted for me, and those whose mute ended in the last day (with why).
    pub fn mutes(&self) -> Result<Vec<IssueMute>, Error> {
        Ok(self.store.mutes(Utc::now())?)
    }

    /// When the weekly summary is due (Monday 09:00 in the machine's zone unless changed).
    pub fn summary_schedule(&self) -> SummarySchedule {
        let stored = self.store.setting(SUMMARY_SCHEDULE).ok().flatten();
        stored.and_then(|s| SummarySchedule::parse(&s).ok()).unwrap_or_default()
    }

    /// Sets when the weekly summary is due (`mon 09:00`, `fri 16:30 Europe/Berlin`, `off`); a
    /// time already past this week is next week's, not one owed now.
    pub fn set_summary_schedule(&self, text: &str) -> Result<SummarySchedule, Error> {
        let schedule = SummarySchedule::parse(text).map_err(Error::SummarySchedule)?;
        self.store.set_setting(SUMMARY_SCHEDULE, &schedule.to_string())?;
        self.store
            .set_setting(SUMMARY_SENT, &Utc::now().timestamp().to_string())?;
        Ok(schedule)
    }

    /// The summary of the week ending at `to` (`None`: at the latest due time, as its
    /// notification said it; now when the summary is off).
    pub fn weekly_summary(&self, to: Option<DateTime<Utc>>) -> Result<WeeklySummary, Error> {
        let schedule = self.summary_schedule();
        let now = Utc::now();
        let to = to.or_else(|| schedule.last_due(now, &chrono::Local)).unwrap_or(now);
        let next = schedule.next_due(now, &chrono::Local);
        Ok(self.store.weekly_summary(to, schedule, next)?)
    }

    /// The due time a weekly summary is owed for now, if one is (one that fell due while the
    /// app was not running included). The first look only starts counting.
    pub(crate) fn summary_owed(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, Error> {
        let sent = self.store.setting(SUMMARY_SENT)?.and_then(|s| s.parse::<i64>().ok());
        let Some(sent) = sent.and_then(|s| DateTime::from_timestamp(s, 0)) else {
            self.store.set_setting(SUMMARY_SENT, &now.timestamp().to_string())?;
            return Ok(None);
        };
        Ok(self.summary_schedule().owed(sent, now, &chrono::Local))
    }

    /// Records that the summary due at `due` was shown.
    pub(crate) fn summary_sent(&self, due: DateTime<Utc>) -> Result<(), Error> {
        Ok(self.store.set_setting(SUMMARY_SENT, &due.timestamp().to_string())?)
    }

    /// The action queue (to queue, send, list and retry actions).
    pub fn actions(&self) -> Actions {
        Actions::new(self.clone(), None)
    }

    /// The preferences `project` of `org` is notified by: its own, else its account's (`@org`),
    /// else everyone's (`*`), else the built-in defaults.
    pub fn preferences(&self, project: &str, org: Option<&str>) -> Result<Preferences, Error> {
        Ok(self.store.preferences(project, org)?)
    }

    /// [`Engine::preferences`], and where each comes from.
    pub fn preferences_from(&self, project: &str, org: Option<&str>) -> Result<ProjectPreferences, Error> {
        let (preferences, from) = self.store.preferences_from(project, org)?;
        Ok(ProjectPreferences { preferences, from })
    }

    /// Removes `project`'s own preferences (all, or `only` these), so they follow its account's
    /// defaults again (or everyone's); answers what it follows now.
    pub fn reset_preferences(
        &self,
        project: &str,
        org: Option<&str>,
        only: Option<&[Field]>,
    ) -> Result<ProjectPreferences, Error> {
        self.store.reset_preferences(project, only)?;
        self.preferences_from(project, org)
    }

    /// Changes `project`'s preferences (`@org` for an account's defaults, `*` for everyone's):
    /// the effective ones, by the same fallback, with `changes` applied; the preferences changed
    /// are stored as its own, the others keep following their defaults.
    pub fn change_preferences(
        &self,
        project: &str,
        org: Option<&str>,
        changes: &[(String, String)],
    ) -> Result<ProjectPreferences, Error> {
        let mut preferences = self.store.preferences(project, org)?;
        let mut changed = std::collections::BTreeSet::new();
        for (key, value) in changes {
            preferences.set(key, value)?;
            changed.insert(Field::parse(key).ok_or_else(|| PrefError::UnknownKey(key.clone()))?);
        }
        if !changed.is_empty() {
            let stored = serde_json::to_value(&preferences).unwrap_or_default();
            let fields: Vec<_> = changed
                .into_iter()
                .map(|f| (f, stored.get(f.name()).cloned().unwrap_or_default()))
                .collect();
            self.store.set_preference_fields(project, &fields)?;
        }
        self.preferences_from(project, org)
    }

    /// Whose project `project` is when nobody said: none for the defaults rows (`*`, `@org`), the
    /// only account's organization, or [`Error::WhichAccount`] when there are several.
    pub fn org_of(&self, project: &str) -> Result<Option<String>, Error> {
        if project == DEFAULT_PREFERENCES || project.starts_with('@') {
            return Ok(None);
        }
        let mut orgs: Vec<String> = self.accounts()?.into_iter().map(|a| a.org).collect();
        orgs.dedup();
        match orgs.len() {
            0 => Ok(None),
            1 => Ok(orgs.pop()),
            _ => Err(Error::WhichAccount {
                project: project.to_owned(),
                orgs,
            }),
        }
    }

    /// The policy's decision for `alert` as if it arrived `at`, with every reason (the issue's
    /// ownership and who "me" is come from Sentry when the preferences need them).
    pub async fn explain(&self, alert: &Alert, at: DateTime<Utc>) -> Result<Decision, Error> {
        let enricher = Enricher::new(self.clone());
        Ok(daemon::decide_for(&enricher, alert, at).await?.decision)
    }

    /// Records that the window was opened now: what was notified before is no longer new.
    pub fn window_opened(&self) -> Result<(), Error> {
        Ok(self
            .store
            .set_setting(KEY_WINDOW_OPENED, &Utc::now().timestamp().to_string())?)
    }

    /// What the tray lists: the latest `limit` alerts that notified, the latest first, and how
    /// many of the alerts received since the window was last opened were held back (spike
    /// protection, the digest, quiet hours) rather than shown.
    pub fn tray_alerts(&self, limit: usize) -> Result<(Vec<Recent>, usize), Error> {
        // Read on every refresh of the tray: only the alerts that did not notify since then.
        let held = self
            .store
            .kept_back_since(self.window_opened_at()?, HELD_BACK_LOOKED_AT)?
            .into_iter()
            .filter(Recent::held_back)
            .count();
        Ok((self.store.notified_alerts(limit)?, held))
    }

    fn window_opened_at(&self) -> Result<i64, Error> {
        Ok(self
            .store
            .setting(KEY_WINDOW_OPENED)?
            .and_then(|s| s.parse().ok())
            .unwrap_or(0))
    }

    /// Alerts notified since the window was last opened.
    pub fn unseen(&self) -> Result<i64, Error> {
        Ok(self.store.notified_after(self.window_opened_at()?)?)
    }

    /// The issue's page on its account's own server: the permalink the server gives, else the
    /// page where that kind of server keeps issues. `org` may be left out when there is one
    /// account.
    pub async fn issue_link(&self, org: Option<&str>, issue: &str) -> Result<String, Error> {
        let accounts = self.accounts()?;
        let account = match org {
            Some(org) => accounts.into_iter().find(|a| a.org == org),
            None if accounts.len() <= 1 => accounts.into_iter().next(),
            None => {
                let orgs = accounts.into_iter().map(|a| a.org).collect();
                return Err(Error::WhichAccount {
                    project: format!("issue {issue}"),
                    orgs,
                });
            }
        };
        let Some(account) = account else {
            let org = org.ok_or_else(|| Error::WhichAccount {
                project: format!("issue {issue}"),
                orgs: Vec::new(),
            })?;
            return Ok(format!(
                "{}/organizations/{org}/issues/{issue}/",
                self.settings.sentry_url().trim_end_matches('/')
            ));
        };
        let base = account.url.trim_end_matches('/');
        let found = {
            let (engine, wanted) = (self.clone(), account.clone());
            tokio::task::spawn_blocking(move || accounts::token(&engine, &wanted))
                .await
                .ok()
                .and_then(Result::ok)
                .flatten()
        };
        if let Some(token) = found
            && let Ok(client) = crate::servers::client(&self.store, &account, &token)
            && let Ok(found) = client.issue(&account.org, issue).await
            && let Some(link) = found.browser_url()
        {
            return Ok(link.to_owned());
        }
        Ok(match crate::servers::known(&self.store, &account).map(|p| p.kind) {
            Some(sentry_api::ServerKind::GlitchTip) => format!("{base}/{}/issues/{issue}", account.org),
            _ => format!("{base}/organizations/{}/issues/{issue}/", account.org),
        })
    }
}

/// When the window was last opened: alerts notified since are "new".
const KEY_WINDOW_OPENED: &str = "window.last_opened";
/// My workflow setting in Sentry for one account, as `Engine::sentry_workflow` read it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct SentryWorkflow {
    pub org: String,
    /// The organization's value (else my user-wide one, else Sentry's default).
    pub setting: Workflow,
    /// Projects (by slug) whose own setting differs.
    pub projects: Vec<(String, Workflow)>,
}
