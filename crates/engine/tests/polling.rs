//! Accounts and polling against the local Sentry stand-in, over real HTTP on loopback, with a
//! real SQLite file (and the real keyring where tokens are stored).

use engine::accounts::{self, Account, AccountError};
use engine::poll;
use engine::secrets::Source;
use engine::store::{Store, Stored};
use sentry_api::{ApiError, Client};
use sentry_standin::{Failure, StandIn};
use serde_json::{json, Value};
use tokio::sync::mpsc;

const TOKEN: &str = "sntryu_poll_test_token";

fn issue(id: u32, project: &str, first_seen: &str, last_seen: &str, substatus: &str) -> Value {
    json!({
        "id": id.to_string(), "shortId": format!("{}-{id}", project.to_uppercase()), "title": format!("Error {id}"),
        "culprit": "app.main", "level": "error", "status": "unresolved", "substatus": substatus,
        "firstSeen": first_seen, "lastSeen": last_seen, "count": "3",
        "permalink": format!("https://acme.sentry.io/issues/{id}/"),
        "project": {"id": "1", "name": project, "slug": project}
    })
}

fn account(url: &str) -> Account {
    Account {
        id: None,
        url: url.into(),
        org: "acme".into(),
        org_name: None,
        user_id: None,
        username: None,
        email: None,
        teams: vec![],
        token_source: Source::Environment,
    }
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
    (dir, store)
}

#[tokio::test]
async fn polling_reads_every_page_with_one_organization_request_and_stores_news_once() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sentry = StandIn::start(TOKEN).await;
    sentry.set_page_size(100);
    // 250 open issues across three projects, all seen before the first poll.
    let mut issues: Vec<Value> = (0..250)
        .map(|i| issue(i, ["web", "api", "worker"][i as usize % 3], "2026-11-01T00:00:00Z", &format!("2026-11-20T10:{:02}:{:02}Z", i / 60, i % 60), "ongoing"))
        .collect();
    sentry.set_issues(issues.clone());
    let (_dir, store) = store();
    let client = Client::new(&sentry.url(), TOKEN).unwrap();
    let acct = account(&sentry.url());
    let (tx, mut rx) = mpsc::unbounded_channel();

    let first = poll::cycle(&client, &store, &acct, &tx).await.unwrap();
    assert_eq!((first.requests, first.new_alerts), (3, 0), "the first cycle reads every page and only sets the mark");
    assert!(sentry.requests().iter().all(|r| r.path.starts_with("/api/0/organizations/acme/issues/")), "no per-project requests");

    // Then: a new issue, a regression, and more events on an old one.
    issues.push(issue(900, "web", "2026-11-21T08:00:00Z", "2026-11-21T08:00:00Z", "new"));
    issues.push(issue(901, "api", "2026-10-01T00:00:00Z", "2026-11-21T08:05:00Z", "regressed"));
    issues[7]["lastSeen"] = json!("2026-11-21T08:10:00Z");
    sentry.set_issues(issues);
    let before = sentry.requests().len();
    let second = poll::cycle(&client, &store, &acct, &tx).await.unwrap();
    assert_eq!((second.requests, second.new_alerts), (1, 2));
    let query = &sentry.requests()[before].path;
    assert!(query.contains("lastSeen%3A%3E2026-11-20T10%3A04%3A09Z"), "incremental from the newest lastSeen: {query}");
    let mut kinds: Vec<(String, String)> = Vec::new();
    while let Ok((_, alert)) = rx.try_recv() {
        assert_eq!(alert.source, "poll");
        kinds.push((alert.issue_id.clone(), alert.kind.clone()));
    }
    kinds.sort();
    assert_eq!(kinds, vec![("900".into(), "issue.created".into()), ("901".into(), "issue.unresolved".into())]);

    let third = poll::cycle(&client, &store, &acct, &tx).await.unwrap();
    assert_eq!(third.new_alerts, 0, "nothing is news twice");
    assert_eq!(store.alert_count().unwrap(), 2);
}

#[tokio::test]
async fn a_webhook_and_a_poll_of_the_same_new_issue_are_one_alert() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sentry = StandIn::start(TOKEN).await;
    let (_dir, store) = store();
    let client = Client::new(&sentry.url(), TOKEN).unwrap();
    let acct = account(&sentry.url());
    let (tx, mut rx) = mpsc::unbounded_channel();
    sentry.set_issues(vec![issue(1, "web", "2026-11-01T00:00:00Z", "2026-11-01T00:00:00Z", "ongoing")]);
    poll::cycle(&client, &store, &acct, &tx).await.unwrap();

    // The webhook arrives first, then the poll sees the issue (with more events by now).
    let created = issue(5, "web", "2026-11-02T00:00:00Z", "2026-11-02T00:00:00Z", "new");
    let issue_model: sentry_api::Issue = serde_json::from_value(created.clone()).unwrap();
    let from_webhook = engine::alert::Alert::from_issue_webhook("created", &issue_model, None, Some("r1"), Some("acme"), b"{}");
    assert!(matches!(store.insert_alert(&from_webhook, 1).unwrap(), Stored::New(_)));
    let mut later = created;
    later["lastSeen"] = json!("2026-11-02T00:05:00Z");
    sentry.set_issues(vec![later]);
    let cycle = poll::cycle(&client, &store, &acct, &tx).await.unwrap();
    assert_eq!(cycle.new_alerts, 0);
    assert!(rx.try_recv().is_err());
    assert_eq!(store.alert_count().unwrap(), 1);
}

#[tokio::test]
async fn failures_are_typed_for_the_backoff() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sentry = StandIn::start(TOKEN).await;
    let (_dir, store) = store();
    let client = Client::new(&sentry.url(), TOKEN).unwrap();
    let acct = account(&sentry.url());
    let (tx, _rx) = mpsc::unbounded_channel();
    sentry.fail_next(Failure::RateLimited { reset_in_secs: 30 });
    match poll::cycle(&client, &store, &acct, &tx).await {
        Err(ApiError::RateLimited { retry_after: Some(wait) }) => assert!(wait.as_secs() >= 28 && wait.as_secs() <= 30, "{wait:?}"),
        other => panic!("expected a rate limit with its reset, got {other:?}"),
    }
    sentry.fail_next(Failure::Status(503));
    let err = poll::cycle(&client, &store, &acct, &tx).await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    let wrong = Client::new(&sentry.url(), "not-the-token").unwrap();
    assert!(matches!(poll::cycle(&wrong, &store, &acct, &tx).await, Err(ApiError::Unauthorized)));
    let closed = Client::new("http://127.0.0.1:9", TOKEN).unwrap();
    let err = poll::cycle(&closed, &store, &acct, &tx).await.unwrap_err();
    assert!(matches!(err, ApiError::Unreachable { .. }) && err.is_transient(), "{err}");
}

/// Stores tokens in the real keyring: runs in the desktop session (`scripts/test`).
#[tokio::test]
async fn adding_an_account_checks_the_token_and_says_what_is_wrong() {
    assert_eq!(std::env::var("SENTRY_TRAY_DESKTOP").as_deref(), Ok("1"), "needs the keyring of the desktop session: run scripts/test");
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sentry = StandIn::start(TOKEN).await;
    let (_dir, store) = store();
    let url = sentry.url();

    assert!(matches!(accounts::add(&store, &url, "acme", "wrong").await, Err(AccountError::TokenRejected)));
    let unknown = accounts::add(&store, &url, "globex", TOKEN).await.unwrap_err();
    assert!(matches!(&unknown, AccountError::UnknownOrganization { org, visible } if org == "globex" && visible == &["acme".to_owned()]), "{unknown}");
    assert!(unknown.to_string().ends_with("; it sees acme"), "{unknown}");
    // A TLS handshake with a server that speaks plain HTTP fails as a TLS error.
    let https = url.replace("http://", "https://");
    let tls = accounts::add(&store, &https, "acme", TOKEN).await.unwrap_err();
    assert!(matches!(tls, AccountError::Tls { .. }), "{tls}");
    assert!(matches!(accounts::add(&store, "http://127.0.0.1:9", "acme", TOKEN).await, Err(AccountError::Unreachable { .. })));
    assert!(matches!(accounts::add(&store, "sentry.io", "acme", TOKEN).await, Err(AccountError::InvalidUrl(_))));
    sentry.set_scopes(&["org:read", "project:read", "event:read"]);
    let err = accounts::add(&store, &url, "acme", TOKEN).await.unwrap_err();
    assert!(matches!(&err, AccountError::MissingScopes(m) if m == &["event:write".to_owned()]), "{err}");
    assert!(err.to_string().contains("lacks the scopes event:write"), "{err}");
    sentry.set_scopes(&["org:read", "project:read", "event:read", "event:write"]);
    assert!(accounts::list(&store).unwrap().iter().all(|a| a.id.is_none()), "nothing was added by the failures");

    let added = accounts::add(&store, &url, "acme", TOKEN).await.unwrap();
    assert_eq!((added.org_name.as_deref(), added.email.as_deref()), (Some("Acme Corp"), Some("jane@example.com")));
    assert_eq!(added.teams, vec!["payments".to_owned()], "only the teams I am on");
    assert!(matches!(accounts::add(&store, &url, "acme", TOKEN).await, Err(AccountError::Exists { .. })));
    let listed = accounts::list(&store).unwrap();
    let mine = listed.iter().find(|a| a.id == added.id).unwrap();
    assert_eq!(accounts::token(mine).unwrap().as_deref(), Some(TOKEN), "the token is in the keyring");
    let db = std::fs::read(store.path()).unwrap();
    assert!(!db.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()), "the token never reaches SQLite");

    accounts::remove(&store, "acme").unwrap();
    assert!(accounts::list(&store).unwrap().iter().all(|a| a.id.is_none()));
    assert_eq!(accounts::token(mine).unwrap(), None, "the token left the keyring too");
}

#[tokio::test]
async fn assignments_and_resolutions_made_elsewhere_are_noticed_by_polling_once() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sentry = StandIn::start(TOKEN).await;
    let (_dir, store) = store();
    let client = Client::new(&sentry.url(), TOKEN).unwrap();
    let acct = account(&sentry.url());
    let (tx, mut rx) = mpsc::unbounded_channel();
    sentry.set_issues(vec![issue(1, "web", "2026-11-01T00:00:00Z", "2026-11-01T00:00:00Z", "ongoing")]);
    poll::cycle(&client, &store, &acct, &tx).await.unwrap();

    // A new issue, notified to the user.
    let mut fresh = issue(2, "web", "2026-11-25T09:00:00Z", "2026-11-25T09:00:00Z", "new");
    sentry.set_issues(vec![fresh.clone()]);
    poll::cycle(&client, &store, &acct, &tx).await.unwrap();
    let (id, created) = rx.try_recv().unwrap();
    assert_eq!(created.kind, "issue.created");
    store.mark_notified(id, engine::receiver::now()).unwrap();

    // Someone assigns it to a teammate: the next cycle says so, once.
    poll::cycle(&client, &store, &acct, &tx).await.unwrap();
    fresh["assignedTo"] = json!({"type": "user", "id": "7", "name": "Sam"});
    sentry.set_issues(vec![fresh.clone()]);
    assert_eq!(poll::cycle(&client, &store, &acct, &tx).await.unwrap().new_alerts, 1);
    let (_, assigned) = rx.try_recv().unwrap();
    assert_eq!((assigned.kind.as_str(), assigned.assigned_to.as_deref()), ("issue.assigned", Some("user:7")));
    assert_eq!(poll::cycle(&client, &store, &acct, &tx).await.unwrap().new_alerts, 0, "told once");

    // Someone resolves it in Sentry: the next cycle says so, once.
    fresh["status"] = json!("resolved");
    sentry.set_issues(vec![fresh]);
    let cycle = poll::cycle(&client, &store, &acct, &tx).await.unwrap();
    assert_eq!(cycle.new_alerts, 1);
    let (_, resolved) = rx.try_recv().unwrap();
    assert_eq!((resolved.kind.as_str(), resolved.issue_id.as_str(), resolved.source.as_str()), ("issue.resolved", "2", "poll"));
    let before = sentry.requests().len();
    let again = poll::cycle(&client, &store, &acct, &tx).await.unwrap();
    assert_eq!(again.new_alerts, 0, "told once");
    assert!(sentry.requests()[before..].iter().all(|r| r.path != "/api/0/organizations/acme/issues/2/"), "no longer watched");
}

#[tokio::test]
async fn slow_answers_and_reset_connections_are_transient() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sentry = StandIn::start(TOKEN).await;
    let (_dir, store) = store();
    let client = Client::with_timeout(&sentry.url(), TOKEN, std::time::Duration::from_secs(1)).unwrap();
    let acct = account(&sentry.url());
    let (tx, _rx) = mpsc::unbounded_channel();
    sentry.fail_next(Failure::Slow(std::time::Duration::from_secs(3)));
    let slow = poll::cycle(&client, &store, &acct, &tx).await.unwrap_err();
    assert!(matches!(slow, ApiError::Unreachable { .. }) && slow.is_transient(), "{slow}");
    sentry.fail_next(Failure::Reset);
    let reset = poll::cycle(&client, &store, &acct, &tx).await.unwrap_err();
    assert!(reset.is_transient(), "{reset}");
    // A slow answer within the time limit is just slow.
    sentry.fail_next(Failure::Slow(std::time::Duration::from_millis(300)));
    poll::cycle(&client, &store, &acct, &tx).await.unwrap();
}

#[tokio::test]
async fn a_spent_rate_limit_window_is_waited_out() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sentry = StandIn::start(TOKEN).await;
    let (_dir, store) = store();
    let client = Client::new(&sentry.url(), TOKEN).unwrap();
    let (tx, _rx) = mpsc::unbounded_channel();
    sentry.set_rate_limit(5, 20);
    poll::cycle(&client, &store, &account(&sentry.url()), &tx).await.unwrap();
    assert_eq!(client.rate_limit_wait(), None, "requests left: no wait");
    sentry.set_rate_limit(0, 20);
    poll::cycle(&client, &store, &account(&sentry.url()), &tx).await.unwrap();
    let wait = client.rate_limit_wait().expect("the window is spent");
    assert!(wait.as_secs() >= 18 && wait.as_secs() <= 20, "{wait:?}");
}

#[tokio::test]
async fn older_servers_without_organization_scoped_issue_paths_still_work() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sentry = StandIn::start(TOKEN).await;
    sentry.set_legacy_only(true);
    let client = Client::new(&sentry.url(), TOKEN).unwrap();
    let issue = client.issue("acme", "42").await.unwrap();
    assert_eq!(issue.id, "42");
    client.update_issue("acme", "42", &sentry_api::IssueUpdate::resolve()).await.unwrap();
    let paths: Vec<String> = sentry.requests().iter().map(|r| format!("{} {}", r.method, r.path)).collect();
    assert!(paths.contains(&"GET /api/0/issues/42/".to_owned()) && paths.contains(&"PUT /api/0/issues/42/".to_owned()), "{paths:?}");
    // Some Sentry-compatible servers answer validation errors with 422: a refusal with its
    // reason, not worth retrying.
    sentry.fail_next(Failure::Status(422));
    let refused = client.update_issue("acme", "42", &sentry_api::IssueUpdate::resolve()).await.unwrap_err();
    assert!(matches!(&refused, ApiError::Rejected { status: 422, detail } if detail == "stand-in failure 422"), "{refused}");
    assert!(!refused.is_transient());
}
