//! Accounts and polling against the local Sentry stand-in, over real HTTP on loopback, with a
//! real SQLite file (and the real keyring where tokens are stored).

use crate::accounts::{self, Account, AccountError};
use crate::alert::{Kind, Source};
use crate::api::Engine;
use crate::poll;
use crate::settings::Settings;
use crate::store::{Store, Stored};
use sentry_api::{ApiError, Client};
use sentry_standin::{Failure, StandIn};
use serde_json::{Value, json};
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
    Account::environment(url, "acme")
}

/// A stand-in, a store, a client and the environment's account for `acme`, and the channel
/// polled alerts are handed to.
struct Poller {
    sentry: StandIn,
    _dir: tempfile::TempDir,
    store: Store,
    client: Client,
    acct: Account,
    tx: mpsc::UnboundedSender<(i64, crate::alert::Alert)>,
    rx: mpsc::UnboundedReceiver<(i64, crate::alert::Alert)>,
}

async fn poller() -> Poller {
    testkit::tls();
    let sentry = StandIn::start(TOKEN).await;
    let (_dir, store) = store();
    let client = Client::new(&sentry.url(), TOKEN).unwrap();
    let acct = account(&sentry.url());
    let (tx, rx) = mpsc::unbounded_channel();
    Poller {
        sentry,
        _dir,
        store,
        client,
        acct,
        tx,
        rx,
    }
}

impl Poller {
    async fn cycle(&self) -> Result<poll::Cycle, ApiError> {
        poll::cycle(&self.client, &self.store, &self.acct, &self.tx).await
    }
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
    (dir, store)
}

#[tokio::test]
async fn polling_reads_every_page_with_one_organization_request_and_stores_news_once() {
    testkit::tls();
    let sentry = StandIn::start(TOKEN).await;
    sentry.set_page_size(100);
    // 250 open issues across three projects, all seen before the first poll.
    let mut issues: Vec<Value> = (0..250)
        .map(|i| {
            issue(
                i,
                ["web", "api", "worker"][i as usize % 3],
                "2026-11-01T00:00:00Z",
                &format!("2026-11-20T10:{:02}:{:02}Z", i / 60, i % 60),
                "ongoing",
            )
        })
        .collect();
    sentry.set_issues(issues.clone());
    let (_dir, store) = store();
    let client = Client::new(&sentry.url(), TOKEN).unwrap();
    let acct = account(&sentry.url());
    let (tx, mut rx) = mpsc::unbounded_channel();

    let first = poll::cycle(&client, &store, &acct, &tx).await.unwrap();
    assert_eq!(
        (first.requests, first.new_alerts),
        (4, 0),
        "the first cycle reads every page and the activity feed, and only sets the marks"
    );
    assert!(
        sentry.requests().iter().all(|r| {
            r.path.starts_with("/api/0/organizations/acme/issues/")
                || r.path.starts_with("/api/0/organizations/acme/activity/")
        }),
        "no per-project requests"
    );

    // Then: a new issue, a regression, and more events on an old one.
    issues.push(issue(900, "web", "2026-11-21T08:00:00Z", "2026-11-21T08:00:00Z", "new"));
    issues.push(issue(
        901,
        "api",
        "2026-10-01T00:00:00Z",
        "2026-11-21T08:05:00Z",
        "regressed",
    ));
    issues[7]["lastSeen"] = json!("2026-11-21T08:10:00Z");
    sentry.set_issues(issues);
    let before = sentry.requests().len();
    let second = poll::cycle(&client, &store, &acct, &tx).await.unwrap();
    assert_eq!(
        (second.requests, second.new_alerts),
        (2, 2),
        "the issues and the activity feed"
    );
    let query = &sentry.requests()[before].path;
    assert!(
        query.contains("lastSeen%3A%3E2026-11-20T10%3A04%3A09Z"),
        "incremental from the newest lastSeen: {query}"
    );
    let mut kinds: Vec<(String, String)> = Vec::new();
    while let Ok((_, alert)) = rx.try_recv() {
        assert_eq!(alert.source, Source::Poll);
        kinds.push((alert.issue_id.clone(), alert.kind.to_string()));
    }
    kinds.sort();
    assert_eq!(
        kinds,
        vec![
            ("900".into(), "issue.created".into()),
            ("901".into(), "issue.unresolved".into())
        ]
    );

    let third = poll::cycle(&client, &store, &acct, &tx).await.unwrap();
    assert_eq!(third.new_alerts, 0, "nothing is news twice");
    assert_eq!(store.alert_count().unwrap(), 2);
}

#[tokio::test]
async fn a_webhook_and_a_poll_of_the_same_new_issue_are_one_alert() {
    let mut p = poller().await;
    p.sentry.set_issues(vec![issue(
        1,
        "web",
        "2026-11-01T00:00:00Z",
        "2026-11-01T00:00:00Z",
        "ongoing",
    )]);
    p.cycle().await.unwrap();

    // The webhook arrives first, then the poll sees the issue (with more events by now).
    let created = issue(5, "web", "2026-11-02T00:00:00Z", "2026-11-02T00:00:00Z", "new");
    let issue_model: sentry_api::Issue = serde_json::from_value(created.clone()).unwrap();
    // The receiver gives it the account of its organization, the only one with `acme`.
    let from_webhook = crate::alert::Alert::from_issue_webhook("created", &issue_model, None, Some("acme"), b"{}")
        .of_account(&p.acct.key());
    assert!(matches!(
        p.store.insert_alert(&from_webhook, 1).unwrap(),
        Stored::New(_)
    ));
    let mut later = created;
    later["lastSeen"] = json!("2026-11-02T00:05:00Z");
    p.sentry.set_issues(vec![later]);
    let cycle = p.cycle().await.unwrap();
    assert_eq!(cycle.new_alerts, 0);
    assert!(p.rx.try_recv().is_err());
    assert_eq!(p.store.alert_count().unwrap(), 1);
}

#[tokio::test]
async fn failures_are_typed_for_the_backoff() {
    let p = poller().await;
    p.sentry.fail_next(Failure::RateLimited { reset_in_secs: 30 });
    match p.cycle().await {
        Err(ApiError::RateLimited {
            retry_after: Some(wait),
        }) => assert!(wait.as_secs() >= 28 && wait.as_secs() <= 30, "{wait:?}"),
        other => panic!("expected a rate limit with its reset, got {other:?}"),
    }
    p.sentry.fail_next(Failure::Status(503));
    let err = p.cycle().await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    let wrong = Client::new(&p.sentry.url(), "not-the-token").unwrap();
    assert!(matches!(
        poll::cycle(&wrong, &p.store, &p.acct, &p.tx).await,
        Err(ApiError::Unauthorized)
    ));
    let closed = Client::new("http://127.0.0.1:9", TOKEN).unwrap();
    let err = poll::cycle(&closed, &p.store, &p.acct, &p.tx).await.unwrap_err();
    assert!(
        matches!(err, ApiError::Unreachable { .. }) && err.is_transient(),
        "{err}"
    );
}

/// Stores tokens in the real keyring: runs in the desktop session (`scripts/test`).
#[tokio::test]
async fn adding_an_account_checks_the_token_and_says_what_is_wrong() {
    assert_eq!(
        std::env::var("SENTRY_TRAY_DESKTOP").as_deref(),
        Ok("1"),
        "needs the keyring of the desktop session: run scripts/test"
    );
    testkit::tls();
    let sentry = StandIn::start(TOKEN).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(Settings::in_folder(dir.path())).unwrap();
    let store = engine.store();
    let url = sentry.url();

    assert!(matches!(
        accounts::add(&engine, &url, "acme", "wrong", std::future::pending()).await,
        Err(AccountError::TokenRejected)
    ));
    let unknown = accounts::add(&engine, &url, "globex", TOKEN, std::future::pending())
        .await
        .unwrap_err();
    assert!(
        matches!(&unknown, AccountError::UnknownOrganization { org, visible } if org == "globex" && visible == &["acme".to_owned()]),
        "{unknown}"
    );
    assert!(unknown.to_string().ends_with("; it sees acme"), "{unknown}");
    // A TLS handshake with a server that speaks plain HTTP fails as a TLS error.
    let https = url.replace("http://", "https://");
    let tls = accounts::add(&engine, &https, "acme", TOKEN, std::future::pending())
        .await
        .unwrap_err();
    assert!(matches!(tls, AccountError::Tls { .. }), "{tls}");
    assert!(matches!(
        accounts::add(&engine, "http://127.0.0.1:9", "acme", TOKEN, std::future::pending()).await,
        Err(AccountError::Unreachable { .. })
    ));
    assert!(matches!(
        accounts::add(&engine, "sentry.io", "acme", TOKEN, std::future::pending()).await,
        Err(AccountError::InvalidUrl(_))
    ));
    sentry.set_scopes(&["org:read", "project:read", "event:read"]);
    let err = accounts::add(&engine, &url, "acme", TOKEN, std::future::pending())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AccountError::MissingScopes(m) if m == &["event:write".to_owned()]),
        "{err}"
    );
    assert!(err.to_string().contains("lacks the scopes event:write"), "{err}");
    sentry.set_scopes(&["org:read", "project:read", "event:read", "event:write"]);
    assert!(
        accounts::list(&engine).unwrap().iter().all(|a| a.id.is_none()),
        "nothing was added by the failures"
    );

    // A slow server: the user gives up the check, and nothing is added.
    sentry.fail_next(sentry_standin::Failure::Slow(std::time::Duration::from_secs(30)));
    let started = std::time::Instant::now();
    let cancel = tokio::time::sleep(std::time::Duration::from_millis(200));
    assert!(matches!(
        accounts::add(&engine, &url, "acme", TOKEN, cancel).await,
        Err(AccountError::Cancelled)
    ));
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "gave up at once");
    assert!(
        accounts::list(&engine).unwrap().iter().all(|a| a.id.is_none()),
        "a cancelled check adds nothing"
    );

    let added = accounts::add(&engine, &url, "acme", TOKEN, std::future::pending())
        .await
        .unwrap();
    assert_eq!(
        (added.org_name.as_deref(), added.email.as_deref()),
        (Some("Acme Corp"), Some("jane@example.com"))
    );
    assert_eq!(added.teams, vec!["payments".to_owned()], "only the teams I am on");
    assert!(matches!(
        accounts::add(&engine, &url, "acme", TOKEN, std::future::pending()).await,
        Err(AccountError::Exists { .. })
    ));
    let listed = accounts::list(&engine).unwrap();
    let mine = listed.iter().find(|a| a.id == added.id).unwrap();
    // Read from an async task, as the keyring must allow.
    assert_eq!(
        accounts::token(&engine, mine).unwrap().as_deref(),
        Some(TOKEN),
        "the token is in the keyring"
    );
    let db = std::fs::read(store.path()).unwrap();
    assert!(
        !db.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()),
        "the token never reaches SQLite"
    );

    accounts::remove(&engine, "acme").unwrap();
    assert!(accounts::list(&engine).unwrap().iter().all(|a| a.id.is_none()));
    assert_eq!(
        accounts::token(&engine, mine).unwrap(),
        None,
        "the token left the keyring too"
    );
}

#[tokio::test]
async fn assignments_and_resolutions_made_elsewhere_are_noticed_by_polling_once() {
    let mut p = poller().await;
    p.sentry.set_issues(vec![issue(
        1,
        "web",
        "2026-11-01T00:00:00Z",
        "2026-11-01T00:00:00Z",
        "ongoing",
    )]);
    p.cycle().await.unwrap();

    // A new issue, notified to the user.
    let mut fresh = issue(2, "web", "2026-11-25T09:00:00Z", "2026-11-25T09:00:00Z", "new");
    p.sentry.set_issues(vec![fresh.clone()]);
    p.cycle().await.unwrap();
    let (id, created) = p.rx.try_recv().unwrap();
    assert_eq!(created.kind, Kind::IssueCreated);
    p.store.mark_notified(id, crate::receiver::now()).unwrap();

    // Someone assigns it to a teammate: the next cycle says so, once.
    p.cycle().await.unwrap();
    fresh["assignedTo"] = json!({"type": "user", "id": "7", "name": "Sam"});
    p.sentry.set_issues(vec![fresh.clone()]);
    assert_eq!(p.cycle().await.unwrap().new_alerts, 1);
    let (_, assigned) = p.rx.try_recv().unwrap();
    assert_eq!(
        (assigned.kind.as_str(), assigned.assigned_to.as_deref()),
        ("issue.assigned", Some("user:7"))
    );
    assert_eq!(p.cycle().await.unwrap().new_alerts, 0, "told once");

    // Someone resolves it in Sentry: the next cycle says so, once.
    fresh["status"] = json!("resolved");
    p.sentry.set_issues(vec![fresh]);
    let cycle = p.cycle().await.unwrap();
    assert_eq!(cycle.new_alerts, 1);
    let (_, resolved) = p.rx.try_recv().unwrap();
    assert_eq!(
        (resolved.kind.as_str(), resolved.issue_id.as_str(), resolved.source),
        ("issue.resolved", "2", Source::Poll)
    );
    let before = p.sentry.requests().len();
    let again = p.cycle().await.unwrap();
    assert_eq!(again.new_alerts, 0, "told once");
    assert!(
        p.sentry.requests()[before..]
            .iter()
            .all(|r| r.path != "/api/0/organizations/acme/issues/2/"),
        "no longer watched"
    );
}

#[tokio::test]
async fn slow_answers_and_reset_connections_are_transient() {
    testkit::tls();
    let sentry = StandIn::start(TOKEN).await;
    let (_dir, store) = store();
    let client = Client::with_timeout(&sentry.url(), TOKEN, std::time::Duration::from_secs(1)).unwrap();
    let acct = account(&sentry.url());
    let (tx, _rx) = mpsc::unbounded_channel();
    sentry.fail_next(Failure::Slow(std::time::Duration::from_secs(3)));
    let slow = poll::cycle(&client, &store, &acct, &tx).await.unwrap_err();
    assert!(
        matches!(slow, ApiError::Unreachable { .. }) && slow.is_transient(),
        "{slow}"
    );
    sentry.fail_next(Failure::Reset);
    let reset = poll::cycle(&client, &store, &acct, &tx).await.unwrap_err();
    assert!(reset.is_transient(), "{reset}");
    // A slow answer within the time limit is just slow.
    sentry.fail_next(Failure::Slow(std::time::Duration::from_millis(300)));
    poll::cycle(&client, &store, &acct, &tx).await.unwrap();
}

#[tokio::test]
async fn a_spent_rate_limit_window_is_waited_out() {
    testkit::tls();
    let sentry = StandIn::start(TOKEN).await;
    let (_dir, store) = store();
    let client = Client::new(&sentry.url(), TOKEN).unwrap();
    let (tx, _rx) = mpsc::unbounded_channel();
    sentry.set_rate_limit(5, 20);
    poll::cycle(&client, &store, &account(&sentry.url()), &tx)
        .await
        .unwrap();
    assert_eq!(client.rate_limit_wait(), None, "requests left: no wait");
    sentry.set_rate_limit(0, 20);
    poll::cycle(&client, &store, &account(&sentry.url()), &tx)
        .await
        .unwrap();
    let wait = client.rate_limit_wait().expect("the window is spent");
    assert!(wait.as_secs() >= 18 && wait.as_secs() <= 20, "{wait:?}");
}

#[tokio::test]
async fn older_servers_without_organization_scoped_issue_paths_still_work() {
    testkit::tls();
    let sentry = StandIn::start(TOKEN).await;
    sentry.set_legacy_only(true);
    let client = Client::new(&sentry.url(), TOKEN).unwrap();
    let issue = client.issue("acme", "42").await.unwrap();
    assert_eq!(issue.id, "42");
    client
        .update_issue("acme", "42", &sentry_api::IssueUpdate::resolve())
        .await
        .unwrap();
    let paths: Vec<String> = sentry
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(
        paths.contains(&"GET /api/0/issues/42/".to_owned()) && paths.contains(&"PUT /api/0/issues/42/".to_owned()),
        "{paths:?}"
    );
    // Some Sentry-compatible servers answer validation errors with 422: a refusal with its
    // reason, not worth retrying.
    sentry.fail_next(Failure::Status(422));
    let refused = client
        .update_issue("acme", "42", &sentry_api::IssueUpdate::resolve())
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, ApiError::Rejected { status: 422, detail } if detail == "stand-in failure 422"),
        "{refused}"
    );
    assert!(!refused.is_transient());
}
