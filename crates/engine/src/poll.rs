//! Polling Sentry's API: per organization per cycle one request for issues (plus pages),
//! incremental by the newest `lastSeen` already seen, and one for its activity feed (comments,
//! assignments, status changes), with rate limits honoured and backoff while Sentry is away.
//!
//! Webhooks from an internal integration are tried once and lost when the app was offline, so
//! polling also catches up on what webhooks missed; both meet in the store, stored once.

use std::time::Duration;

use sentry_api::{ApiError, Client, Issue};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::accounts::{self, Account};
use crate::alert::{Alert, Source};
use crate::api::Engine;
use crate::policy::AlertKind;
use crate::receiver::now;
use crate::store::{Store, Stored};

/// Pages read in one cycle at most; the rest waits for the next cycle.
const MAX_PAGES: usize = 10;
/// Issues notified in the last day whose state is checked each cycle (resolved or archived
/// elsewhere closes their notification); a bounded number of small requests.
const WATCHED: usize = 10;
const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);

/// How an account's polling stands, as the window and tray show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case", tag = "state", content = "detail")]
pub enum AccountState {
    Ok,
    Offline(String),
    TokenRejected,
    RateLimited(String),
    Error(String),
}

impl AccountState {
    /// A word or two, for the tray's tooltip.
    pub fn brief(&self) -> &'static str {
        match self {
            AccountState::Ok => "ok",
            AccountState::Offline(_) => "offline",
            AccountState::TokenRejected => "token rejected",
            AccountState::RateLimited(_) => "rate limited",
            AccountState::Error(_) => "error",
        }
    }
}

impl std::fmt::Display for AccountState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AccountState::Ok => f.write_str("ok"),
            AccountState::TokenRejected => f.write_str("token rejected: add the account again with a new token"),
            AccountState::Offline(detail) | AccountState::RateLimited(detail) | AccountState::Error(detail) => {
                write!(f, "{}: {detail}", self.brief())
            }
        }
    }
}

/// How `account`'s polling stood after its last cycle (`None`: not polled yet).
pub(crate) fn state(store: &Store, account: &Account) -> Option<AccountState> {
    serde_json::from_str(&store.setting(&state_key(account)).ok()??).ok()
}

/// What one cycle did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cycle {
    pub requests: usize,
    pub new_alerts: usize,
}

fn watermark_key(account: &Account) -> String {
    format!("poll.{}.watermark", account.key())
}

fn state_key(account: &Account) -> String {
    format!("poll.{}.state", account.key())
}

/// The alert a polled issue stands for, if it is news since `since`: new issues (first seen
/// since), regressions and escalations. Ongoing issues with more events are not news. An issue
/// the app last knew as resolved or ignored that is open again with events since is a
/// regression, whether or not the server says so (GlitchTip has no `substatus`).
fn news(issue: &Issue, since: &str, account: &Account, store: &Store) -> Option<Alert> {
    let first_seen = issue.first_seen.as_deref().unwrap_or("");
    let last_seen = issue.last_seen.as_deref().unwrap_or("");
    let reopened = || {
        issue.status.as_deref().is_none_or(|s| s == "unresolved")
            && last_seen > since
            && store.known_closed(&account.key(), &issue.id).unwrap_or(false)
    };
    let mut issue = std::borrow::Cow::Borrowed(issue);
    let action = if first_seen > since {
        "created"
    } else if matches!(issue.substatus.as_deref(), Some("regressed" | "escalating")) {
        "unresolved"
    } else if reopened() {
        issue.to_mut().substatus.get_or_insert_with(|| "regressed".to_owned());
        "unresolved"
    } else {
        return None;
    };
    let body = serde_json::to_vec(&*issue).unwrap_or_default();
    let mut alert =
        Alert::from_issue_webhook(action, &issue, None, Some(&account.org), &body).of_account(&account.key());
    alert.source = Source::Poll;
    Some(alert)
}

/// One cycle for one account: reads what changed since the last cycle, stores what is news and
/// hands new alerts on. The first cycle only sets the mark, so a new account does not replay
/// every open issue.
pub async fn cycle(
    client: &Client,
    store: &Store,
    account: &Account,
    deliver: &mpsc::UnboundedSender<(i64, Alert)>,
) -> Result<Cycle, ApiError> {
    let key = watermark_key(account);
    let since = store.setting(&key).ok().flatten();
    // Where the server cannot search by last seen, the newest-first list is read down to the mark.
    let search = client.profile().last_seen_search;
    let query = match &since {
        Some(since) if search => format!("is:unresolved lastSeen:>{since}"),
        _ => "is:unresolved".to_owned(),
    };
    let mut reached_mark = false;
    let mut outcome = Cycle::default();
    let mut newest = since.clone();
    let mut cursor = None;
    for _ in 0..MAX_PAGES {
        let (issues, next) = client
            .organization_issues(&account.org, &query, cursor.as_deref())
            .await?;
        outcome.requests += 1;
        for issue in &issues {
            if let (Some(since), Some(seen)) = (since.as_deref(), issue.last_seen.as_deref())
                && !search
                && seen <= since
            {
                reached_mark = true;
                break;
            }
            if let Some(seen) = issue.last_seen.as_deref()
                && newest.as_deref().is_none_or(|n| seen > n)
            {
                newest = Some(seen.to_owned());
            }
            let Some(since) = since.as_deref() else { continue };
            if let Some(alert) = news(issue, since, account, store)
                && hand_on(store, alert, deliver)
            {
                outcome.new_alerts += 1;
            }
        }
        match next {
            Some(next) if !issues.is_empty() && !reached_mark => cursor = Some(next),
            _ => break,
        }
    }
    // An organization with nothing open still needs a mark, or its first issue would be taken
    // for old news. A few minutes back, for clocks that differ; the store drops repeats.
    let newest = newest.or_else(|| {
        Some(
            (chrono::Utc::now() - chrono::Duration::minutes(5))
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string(),
        )
    });
    if let Some(newest) = newest
        && let Err(e) = store.set_setting(&key, &newest)
    {
        tracing::warn!(error = %e, "could not record how far polling got");
    }
    outcome.new_alerts += watch(client, store, account, deliver, &mut outcome.requests).await?;
    outcome.new_alerts += workflow(client, store, account, deliver, &mut outcome.requests).await?;
    outcome.new_alerts += releases(client, store, account, deliver, &mut outcome.requests).await?;
    Ok(outcome)
}

/// What the poller reads: everything, or (running on webhooks, which carry no releases) only
/// the releases that notifications of them and mutes until the next one need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    Everything,
    ReleasesOnly,
}

fn hears_of_releases(store: &Store) -> bool {
    store
        .any_hears(&[AlertKind::Release, AlertKind::Deploy])
        .unwrap_or(false)
}

/// Whether anything needs `account`'s releases read: a project hears of them, or an issue
/// waits for its next release.
fn needs_releases(store: &Store, account: &Account) -> bool {
    hears_of_releases(store) || store.muted_until_release(&account.key()).is_ok_and(|w| !w.is_empty())
}

/// The newest releases one look reads: more than a busy organization makes between cycles.
const RELEASES_READ: usize = 25;

/// New releases and deploys, from one request for the organization's newest releases, made
/// only where a project hears of them or an issue is muted until its project's next release.
/// A release made after such a mute ends it; new ones (and each release's newest deploy) become
/// alerts of each of their projects. The first look only sets the marks.
async fn releases(
    client: &Client,
    store: &Store,
    account: &Account,
    deliver: &mpsc::UnboundedSender<(i64, Alert)>,
    requests: &mut usize,
) -> Result<usize, ApiError> {
    if !client.profile().releases {
        return Ok(0);
    }
    let key = account.key();
    let waiting = store.muted_until_release(&key).unwrap_or_default();
    let heard = store
        .any_hears(&[AlertKind::Release, AlertKind::Deploy])
        .unwrap_or(false);
    if waiting.is_empty() && !heard {
        return Ok(0);
    }
    let list = match client.organization_releases(&account.org, RELEASES_READ).await {
        Ok(list) => list,
        Err(e) if e.is_transient() => return Err(e),
        Err(e) => {
            *requests += 1;
            tracing::debug!(error = %e, "the releases could not be read");
            return Ok(0);
        }
    };
    *requests += 1;
    let made = |release: &sentry_api::Release| {
        let text = release.date_created.as_deref()?;
        chrono::DateTime::parse_from_rfc3339(text).ok().map(|t| t.to_utc())
    };
    // Oldest first: the first release after a mute is the one that ends it.
    for release in list.iter().rev() {
        let Some(at) = made(release) else { continue };
        for (org, project, since) in &waiting {
            if at > *since && release.projects.iter().any(|p| p.slug == *project) {
                match store.end_mutes_by_release(&key, org, project, release.label(), at) {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(
                        project,
                        release = release.label(),
                        mutes = n,
                        "mutes for me ended by a release"
                    ),
                    Err(e) => tracing::warn!(error = %e, "could not end the mutes a release ended"),
                }
            }
        }
    }
    if !heard {
        return Ok(0);
    }
    let release_key = format!("poll.{key}.releases");
    let deploy_key = format!("poll.{key}.deploys");
    let release_mark = store.setting(&release_key).ok().flatten();
    let release_mark = release_mark.and_then(|m| chrono::DateTime::parse_from_rfc3339(&m).ok().map(|t| t.to_utc()));
    let deploy_mark: u64 = store
        .setting(&deploy_key)
        .ok()
        .flatten()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    let deploy_id = |release: &sentry_api::Release| release.last_deploy.as_ref()?.id.parse::<u64>().ok();
    // An organization without releases yet still gets a mark: its first release is news.
    let newest_release = list
        .iter()
        .filter_map(made)
        .max()
        .max(release_mark)
        .unwrap_or_else(chrono::Utc::now);
    let newest_deploy = list.iter().filter_map(deploy_id).max().unwrap_or(0).max(deploy_mark);
    if Some(newest_release) != release_mark {
        let _ = store.set_setting(&release_key, &newest_release.to_rfc3339());
    }
    if newest_deploy != deploy_mark {
        let _ = store.set_setting(&deploy_key, &newest_deploy.to_string());
    }
    let Some(release_mark) = release_mark else { return Ok(0) };
    let mut new = 0;
    for release in list.iter().rev() {
        let project_alerts = |alert: &dyn Fn(&sentry_api::ReleaseProject) -> Alert| {
            release.projects.iter().map(alert).collect::<Vec<_>>()
        };
        let mut alerts = Vec::new();
        if made(release).is_some_and(|at| at > release_mark) {
            alerts.extend(project_alerts(&|p| {
                Alert::from_release(release, p, &account.org, &account.url)
            }));
        }
        if let (Some(id), Some(deploy)) = (deploy_id(release), &release.last_deploy)
            && id > deploy_mark
            && client.profile().deploys
        {
            alerts.extend(project_alerts(&|p| {
                Alert::from_deploy(release, deploy, p, &account.org, &account.url)
            }));
        }
        for alert in alerts {
            if hand_on(store, alert.of_account(&key), deliver) {
                new += 1;
            }
        }
    }
    Ok(new)
}

/// What people did since the last cycle, from the organization's activity feed: one request,
/// newest first, whose issues come as Sentry shows them to me (assignee, `isSubscribed`), so a
/// changed issue costs nothing more. Comments, assignments and status changes become the alerts
/// their webhooks would be, and meet them in the store. The first look only sets the mark; a
/// server without the feed is not asked.
async fn workflow(
    client: &Client,
    store: &Store,
    account: &Account,
    deliver: &mpsc::UnboundedSender<(i64, Alert)>,
    requests: &mut usize,
) -> Result<usize, ApiError> {
    if !client.profile().activity {
        return Ok(0);
    }
    let activities = match client.organization_activity(&account.org).await {
        Ok(activities) => activities,
        Err(e) if e.is_transient() => return Err(e),
        // Refused (a token without the member's view, say): the rest of polling goes on.
        Err(e) => {
            *requests += 1;
            tracing::debug!(error = %e, "the activity feed could not be read");
            return Ok(0);
        }
    };
    *requests += 1;
    let key = format!("poll.{}.activity", account.key());
    let mark: Option<u64> = store.setting(&key).ok().flatten().and_then(|m| m.parse().ok());
    let id = |activity: &sentry_api::Activity| activity.id.parse::<u64>().ok();
    let newest = activities.iter().filter_map(id).max();
    let new_mark = newest.max(mark).unwrap_or(0);
    if mark != Some(new_mark)
        && let Err(e) = store.set_setting(&key, &new_mark.to_string())
    {
        tracing::warn!(error = %e, "could not record how far the activity feed was read");
    }
    let Some(mark) = mark else { return Ok(0) };
    let mut changed = 0;
    for activity in activities.iter().rev().filter(|a| id(a).is_some_and(|id| id > mark)) {
        let Some(alert) = Alert::from_activity(activity, &account.org) else {
            continue;
        };
        if hand_on(store, alert.of_account(&account.key()), deliver) {
            changed += 1;
        }
    }
    Ok(changed)
}

/// Changes made elsewhere to issues the user was told about: resolved, archived or assigned in
/// Sentry (by someone else, or the user in the browser). Each becomes an alert, which closes the
/// issue's notification and meets the webhook of the same change in the store.
async fn watch(
    client: &Client,
    store: &Store,
    account: &Account,
    deliver: &mpsc::UnboundedSender<(i64, Alert)>,
    requests: &mut usize,
) -> Result<usize, ApiError> {
    let watched = store
        .issues_to_watch(&account.key(), now() - 24 * 3600, WATCHED)
        .unwrap_or_default();
    let mut changed = 0;
    for issue_id in watched {
        let issue = match client.issue(&account.org, &issue_id).await {
            Ok(issue) => issue,
            // Deleted, or moved out of the token's reach: nothing to tell.
            Err(ApiError::NotFound(_)) => continue,
            Err(e) => return Err(e),
        };
        *requests += 1;
        let body = serde_json::to_vec(&issue).unwrap_or_default();
        // Assignments: compared with what the previous look saw (none on the first look).
        let assignee = issue.assignee().unwrap_or_default();
        let seen_key = format!("poll.{}.assignee.{issue_id}", account.key());
        let before = store.setting(&seen_key).ok().flatten();
        if before.as_deref() != Some(assignee.as_str()) {
            let _ = store.set_setting(&seen_key, &assignee);
        }
        let reassigned = before.is_some_and(|b| b != assignee) && !assignee.is_empty();
        let action = match issue.status.as_deref() {
            Some("resolved") => "resolved",
            Some("ignored") => "ignored",
            _ if reassigned => "assigned",
            _ => continue,
        };
        let mut alert =
            Alert::from_issue_webhook(action, &issue, None, Some(&account.org), &body).of_account(&account.key());
        alert.source = Source::Poll;
        if hand_on(store, alert, deliver) {
            changed += 1;
        }
    }
    Ok(changed)
}

/// Stores a polled alert and hands it on when it is news (not stored before, by a webhook or
/// an earlier cycle); whether it was.
fn hand_on(store: &Store, alert: Alert, deliver: &mpsc::UnboundedSender<(i64, Alert)>) -> bool {
    match store.insert_alert(&alert, now()) {
        Ok(Stored::New(id)) => {
            let _ = deliver.send((id, alert));
            true
        }
        Ok(Stored::Duplicate(_)) => false,
        Err(e) => {
            tracing::error!(error = %e, issue = %alert.issue_id, "could not store a polled alert");
            false
        }
    }
}

/// Polls every account forever: `interval` apart (with jitter), backing off on failures.
pub async fn run(engine: Engine, deliver: mpsc::UnboundedSender<(i64, Alert)>, interval: Duration, reads: Reads) {
    let store = engine.store();
    let mut failures: u32 = 0;
    let mut learned = std::collections::HashSet::new();
    loop {
        let mut wait = jitter(interval);
        let listed = {
            let engine = engine.clone();
            tokio::task::spawn_blocking(move || -> Vec<(Account, Option<String>)> {
                let accounts = accounts::list(&engine).unwrap_or_default();
                accounts
                    .into_iter()
                    .map(|a| {
                        let token = accounts::token(&engine, &a).ok().flatten();
                        (a, token)
                    })
                    .collect()
            })
            .await
            .unwrap_or_default()
        };
        let mut failed = false;
        for (account, token) in listed {
            let Some(token) = token else { continue };
            // On webhooks alone, Sentry is not asked anything (not even what it offers) unless
            // releases are needed.
            if reads == Reads::ReleasesOnly && !needs_releases(store, &account) {
                continue;
            }
            let client = crate::servers::client(store, &account, &token);
            // What the server offers is learned once a run (the account's first cycle that
            // reaches it), not tried anew on every request.
            let client = match client {
                Ok(client) if !learned.contains(&account.key()) => {
                    match crate::servers::learn(store, &account, &client).await {
                        Ok(profile) => {
                            learned.insert(account.key());
                            Ok(client.with_profile(profile))
                        }
                        Err(e) => {
                            tracing::debug!(account = %account.key(), error = %e, "server not learned yet");
                            Ok(client)
                        }
                    }
                }
                other => other,
            };
            let state = match &client {
                Err(e) => AccountState::Error(e.to_string()),
                Ok(client) if reads == Reads::ReleasesOnly => {
                    let mut requests = 0;
                    if let Err(e) = releases(client, store, &account, &deliver, &mut requests).await {
                        tracing::debug!(account = %account.key(), error = %e, "releases not read");
                    }
                    // Not polling: the account's polling state stays as it was (none).
                    continue;
                }
                Ok(client) => match cycle(client, store, &account, &deliver).await {
                    Ok(done) => {
                        tracing::debug!(account = %account.key(), requests = done.requests, new = done.new_alerts, "polled");
                        AccountState::Ok
                    }
                    Err(ApiError::Unauthorized) => AccountState::TokenRejected,
                    Err(ApiError::RateLimited { retry_after }) => {
                        let pause = retry_after.unwrap_or(interval).max(Duration::from_secs(1));
                        wait = wait.max(pause);
                        AccountState::RateLimited(format!("Sentry asked to wait {} s", pause.as_secs()))
                    }
                    Err(e) if e.is_transient() => {
                        failed = true;
                        AccountState::Offline(e.to_string())
                    }
                    Err(e) => AccountState::Error(e.to_string()),
                },
            };
            if state != AccountState::Ok {
                tracing::warn!(account = %account.key(), ?state, "polling failed");
            }
            // Sentry said the rate-limit window is spent: wait for its reset.
            if let Some(pause) = client.ok().and_then(|c| c.rate_limit_wait()) {
                wait = wait.max(pause);
            }
            let _ = store.set_setting(&state_key(&account), &serde_json::to_string(&state).unwrap_or_default());
        }
        failures = if failed { failures.saturating_add(1) } else { 0 };
        if failures > 0 {
            wait = wait.max(backoff(interval, failures));
        }
        tokio::time::sleep(wait).await;
    }
}

/// Exponential backoff from `base`, capped.
fn backoff(base: Duration, failures: u32) -> Duration {
    base.saturating_mul(1u32 << failures.min(8)).min(MAX_BACKOFF)
}

/// ±10 %, so many clients do not poll in step.
fn jitter(interval: Duration) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let factor = 0.9 + (nanos % 1000) as f64 / 5000.0;
    interval.mul_f64(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stops_growing() {
        let base = Duration::from_secs(60);
        assert_eq!(backoff(base, 1), Duration::from_secs(120));
        assert_eq!(backoff(base, 3), Duration::from_secs(480));
        assert_eq!(backoff(base, 30), MAX_BACKOFF);
    }

    #[test]
    fn jitter_stays_within_ten_percent() {
        for _ in 0..100 {
            let j = jitter(Duration::from_secs(100));
            assert!(j >= Duration::from_secs(90) && j <= Duration::from_secs(110), "{j:?}");
        }
    }
}
