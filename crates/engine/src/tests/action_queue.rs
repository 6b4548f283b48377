//! The action queue against the Sentry stand-in: retries with backoff, permanent failures kept
//! with their error, and an action that survives a restart and arrives once.

use std::time::{Duration, Instant};

use crate::actions::{ActionState, Actions, Request};
use crate::alert::{Alert, Kind};
use crate::api::Engine;
use crate::settings::Settings;
use crate::store::{Store, Stored};
use sentry_standin::{Failure, StandIn};

const TOKEN: &str = "sntryu_queue_token";

/// Sentry's stand-in, the environment's account on it, and the queue of a fresh database.
struct Setup {
    sentry: StandIn,
    store: Store,
    actions: Actions,
    db: std::path::PathBuf,
    settings: Settings,
    _dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    testkit::tls();
    let sentry = StandIn::start(TOKEN).await;
    let _dir = tempfile::tempdir().unwrap();
    let settings = super::sentry_at(&sentry.url(), TOKEN, _dir.path());
    let db = settings.database_path();
    let engine = Engine::open(settings.clone()).unwrap();
    let store = engine.store().clone();
    let actions = Actions::new(engine, None);
    Setup {
        sentry,
        store,
        actions,
        db,
        settings,
        _dir,
    }
}

async fn wait_state(actions: &Actions, id: i64, state: ActionState, within: Duration) -> crate::actions::Queued {
    let deadline = Instant::now() + within;
    loop {
        let row = actions.get(id).unwrap().unwrap();
        if row.state == state {
            return row;
        }
        assert!(Instant::now() < deadline, "action {id} is {row:?}, not {state:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn puts(sentry: &StandIn, issue: &str) -> usize {
    let path = format!("/api/0/organizations/acme/issues/{issue}/");
    sentry
        .requests()
        .iter()
        .filter(|r| r.method == "PUT" && r.path == path)
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn transient_failures_are_retried_with_backoff_until_sentry_answers() {
    let s = setup().await;
    let (sentry, actions) = (&s.sentry, &s.actions);
    sentry.fail_next(Failure::Status(503));
    sentry.fail_next(Failure::Status(502));
    let id = actions
        .enqueue(None, "42", &Request::parse("resolve").unwrap(), None, "WEB-42", "boom")
        .unwrap();
    tokio::spawn(actions.clone().run());
    let row = wait_state(actions, id, ActionState::Done, Duration::from_secs(20)).await;
    assert_eq!(row.attempts, 3, "two failures, then success");
    assert_eq!(puts(sentry, "42"), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_permanent_failure_is_kept_with_its_error_and_not_retried() {
    let s = setup().await;
    let (sentry, actions) = (&s.sentry, &s.actions);
    // 403: the token may not do this; no retry changes that.
    sentry.fail_next(Failure::Status(403));
    let id = actions
        .enqueue(
            None,
            "43",
            &Request::parse("ignore=30").unwrap(),
            None,
            "WEB-43",
            "boom",
        )
        .unwrap();
    tokio::spawn(actions.clone().run());
    let row = wait_state(actions, id, ActionState::Failed, Duration::from_secs(10)).await;
    assert!(row.error.as_deref().unwrap_or("").contains("403"), "{row:?}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(puts(sentry, "43"), 1, "not retried");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_action_queued_while_sentry_is_away_survives_a_restart_and_arrives_once() {
    testkit::tls();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let settings = super::sentry_at(&format!("http://{addr}"), TOKEN, dir.path());

    // First run: Sentry is unreachable; the action stays queued with the reason.
    let first = Actions::new(Engine::open(settings.clone()).unwrap(), None);
    let id = first
        .enqueue(None, "44", &Request::parse("resolve").unwrap(), None, "WEB-44", "boom")
        .unwrap();
    let row = first.run_one(id).await.unwrap().unwrap();
    assert_eq!(row.state, ActionState::Pending);
    assert!(
        row.error.as_deref().unwrap_or("").contains("could not reach Sentry"),
        "{row:?}"
    );
    drop(first);

    // Sentry comes back; the app starts again and sends what was queued, once.
    let sentry = StandIn::start_on(TOKEN, addr).await;
    let second = Actions::new(Engine::open(settings).unwrap(), None);
    tokio::spawn(second.clone().run());
    wait_state(&second, id, ActionState::Done, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(puts(&sentry, "44"), 1, "applied exactly once");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_action_claimed_by_a_killed_app_is_sent_at_the_next_start() {
    let s = setup().await;
    let (sentry, first, path) = (&s.sentry, &s.actions, &s.db);
    let id = first
        .enqueue(None, "45", &Request::parse("resolve").unwrap(), None, "WEB-45", "boom")
        .unwrap();
    // An app was killed while sending it: its claim is fresh, its process gone.
    // (This test binary listing its tests: a process that ends at once on every system.)
    let mut gone = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("--list")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let dead_pid = gone.id();
    gone.wait().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    rusqlite::Connection::open(path)
        .unwrap()
        .execute(
            "UPDATE actions SET claimed_at = ?1, claimed_by = ?2 WHERE id = ?3",
            rusqlite::params![now, dead_pid, id],
        )
        .unwrap();
    let second = Actions::new(Engine::open(s.settings.clone()).unwrap(), None);
    tokio::spawn(second.clone().run());
    wait_state(&second, id, ActionState::Done, Duration::from_secs(10)).await;
    assert_eq!(puts(sentry, "45"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn after_an_action_the_issue_here_is_as_sentry_answered() {
    let s = setup().await;
    // The user was told about issue 46 and 47, of the environment's account.
    let account = crate::accounts::Account::environment(&s.sentry.url(), "acme").key();
    for issue in ["46", "47"] {
        let told = Alert {
            dedupe_key: format!("issue.created:{issue}"),
            kind: Kind::IssueCreated,
            issue_id: issue.into(),
            org: Some("acme".into()),
            ..Alert::default()
        }
        .of_account(&account);
        let Stored::New(id) = s.store.insert_alert(&told, 1).unwrap() else {
            panic!("stored once")
        };
        s.store.mark_notified(id, crate::receiver::now()).unwrap();
    }
    let resolve = s
        .actions
        .enqueue(None, "46", &Request::parse("resolve").unwrap(), None, "WEB-46", "boom")
        .unwrap();
    let assign = s
        .actions
        .enqueue(
            None,
            "47",
            &Request::parse("assign=user:7").unwrap(),
            None,
            "WEB-47",
            "bang",
        )
        .unwrap();
    tokio::spawn(s.actions.clone().run());
    wait_state(&s.actions, resolve, ActionState::Done, Duration::from_secs(10)).await;
    wait_state(&s.actions, assign, ActionState::Done, Duration::from_secs(10)).await;

    // What the app did is no alert of its own.
    assert_eq!(s.store.alert_count().unwrap(), 2);
    assert!(
        s.store
            .recent_alerts(10)
            .unwrap()
            .iter()
            .all(|a| a.kind == Kind::IssueCreated)
    );
    // Polling no longer watches the resolved issue for changes made elsewhere...
    let watched = s.store.issues_to_watch(&account, 0, 10).unwrap();
    assert_eq!(watched, vec!["47".to_owned()]);
    // ...and finding issue 47 assigned as Sentry now has it is not news.
    let issue: sentry_api::Issue = serde_json::from_value(serde_json::json!({
        "id": "47", "title": "bang", "assignedTo": {"type": "user", "id": "7", "name": "User 7"}
    }))
    .unwrap();
    let polled = Alert::from_issue_webhook("assigned", &issue, None, Some("acme"), b"{}").of_account(&account);
    assert!(
        matches!(
            s.store.insert_alert(&polled, crate::receiver::now()).unwrap(),
            Stored::Duplicate(_)
        ),
        "taken for news"
    );
}
