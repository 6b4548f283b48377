//! Every server a developer may have, as the stand-in answers for each (sentry.io, an older
//! self-hosted Sentry, GlitchTip as `COMPAT.md` measured it): what the app learns of it, and
//! polling, regressions, changes made elsewhere and actions working on each.

use sentry_api::{ApiError, Client, ServerKind, ServerProfile};
use sentry_standin::{Flavour, StandIn};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::accounts::Account;
use crate::actions::{ActionError, ActionState, Actions, MAX_TROUBLED_ATTEMPTS, Queued, Request, retry_in};
use crate::alert::{Alert, Kind};
use crate::api::Engine;
use crate::policy::{AlertKind, Me};
use crate::poll;
use crate::store::Store;

const TOKEN: &str = "sntryu_servers_token";

fn issue(id: u32, first_seen: &str, last_seen: &str, status: &str) -> Value {
    json!({
        "id": id.to_string(), "shortId": format!("WEB-{id}"), "title": format!("Error {id}"),
        "culprit": "app.main", "level": "error", "status": status, "substatus": "ongoing",
        "firstSeen": first_seen, "lastSeen": last_seen, "count": 3,
        "permalink": format!("http://server/acme/issues/{id}/"),
        "project": {"id": "1", "name": "web", "slug": "web"}
    })
}

/// A server of `flavour`, an engine whose environment account is on it, and that account's
/// client as the app makes it after learning the server.
struct Server {
    sentry: StandIn,
    engine: Engine,
    account: Account,
    client: Client,
    profile: ServerProfile,
    tx: mpsc::UnboundedSender<(i64, Alert)>,
    rx: mpsc::UnboundedReceiver<(i64, Alert)>,
    _dir: tempfile::TempDir,
}

async fn server(flavour: Flavour, issues: Vec<Value>) -> Server {
    testkit::tls();
    let sentry = StandIn::start_as(TOKEN, flavour).await;
    sentry.set_issues(issues);
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(super::sentry_at(&sentry.url(), TOKEN, dir.path())).unwrap();
    let account = Account::environment(&sentry.url(), "acme");
    let client = Client::new(&sentry.url(), TOKEN).unwrap();
    let profile = crate::servers::learn(engine.store(), &account, &client).await.unwrap();
    let client = crate::servers::client(engine.store(), &account, TOKEN).unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    Server {
        sentry,
        engine,
        account,
        client,
        profile,
        tx,
        rx,
        _dir: dir,
    }
}

impl Server {
    fn store(&self) -> &Store {
        self.engine.store()
    }

    async fn cycle(&self) -> Result<poll::Cycle, ApiError> {
        poll::cycle(&self.client, self.store(), &self.account, &self.tx).await
    }

    fn news(&mut self) -> Vec<Alert> {
        std::iter::from_fn(|| self.rx.try_recv().ok().map(|(_, alert)| alert)).collect()
    }

    /// The requests the server got after the first `from`, as `METHOD path`.
    fn requests_since(&self, from: usize) -> Vec<String> {
        self.sentry
            .requests()
            .into_iter()
            .skip(from)
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }
}

/// One test per server, so the test runner runs them side by side: `$name::sentry_io`,
/// `$name::self_hosted`, `$name::glitchtip`.
macro_rules! on_every_server {
    (async fn $name:ident($flavour:ident: Flavour) $body:block) => {
        mod $name {
            use super::*;

            async fn run($flavour: Flavour) $body

            #[tokio::test]
            async fn sentry_io() {
                run(Flavour::SentryIo).await
            }

            #[tokio::test]
            async fn self_hosted() {
                run(Flavour::SelfHosted).await
            }

            #[tokio::test]
            async fn glitchtip() {
                run(Flavour::GlitchTip).await
            }
        }
    };
}

#[tokio::test]
async fn what_each_server_offers_is_learned_from_its_answers() {
    let seen = [issue(1, "2026-11-01T00:00:00Z", "2026-11-20T00:00:00Z", "unresolved")];
    let sentry = server(Flavour::SentryIo, seen.to_vec()).await;
    assert_eq!(sentry.profile, ServerProfile::default(), "sentry.io offers everything");
    let older = server(Flavour::SelfHosted, seen.to_vec()).await;
    assert_eq!(older.profile.kind, ServerKind::OlderSentry);
    assert!(!older.profile.organization_issue_paths && older.profile.last_seen_search && older.profile.assignment);
    let glitchtip = server(Flavour::GlitchTip, seen.to_vec()).await;
    assert_eq!(
        glitchtip.profile.to_string(),
        "GlitchTip: no assignment, no ownership rules, no teams, no Sentry webhooks (polling only), \
         no activity feed (comments and others' changes by webhook only), no deploys (release notifications only)"
    );
    assert!(older.profile.activity, "older self-hosted Sentry has the activity feed");
    assert!(!glitchtip.profile.last_seen_search && !glitchtip.profile.cursor_paging);
    assert!(!glitchtip.profile.organization_issue_paths);
    // What was learned is what the status shows.
    let status = glitchtip.engine.status();
    let shown = status.accounts.iter().find(|a| a.org == "acme").unwrap();
    assert!(
        shown
            .server_text
            .starts_with("GlitchTip: no assignment, no ownership rules"),
        "{}",
        shown.server_text
    );
    assert!(status.webhook_note.unwrap_or_default().contains("polled only"));
}

on_every_server! {
    async fn a_new_issue_arrives_by_polling_on_every_server_with_no_request_refused(flavour: Flavour) {
        let old = issue(1, "2026-11-01T00:00:00Z", "2026-11-20T00:00:00Z", "unresolved");
        let mut s = server(flavour, vec![old.clone()]).await;
        let before = s.sentry.requests().len();
        s.cycle()
            .await
            .unwrap_or_else(|e| panic!("{flavour:?}: first cycle: {e}"));
        assert!(s.news().is_empty(), "{flavour:?}: the first cycle only sets the mark");
        // A new issue, seen after the mark; the old one again with more events, not news.
        let fresh = issue(2, "2026-12-01T09:00:00Z", "2026-12-01T09:00:00Z", "unresolved");
        let again = issue(1, "2026-11-01T00:00:00Z", "2026-12-01T08:00:00Z", "unresolved");
        s.sentry.set_issues(vec![fresh, again]);
        let cycle = s
            .cycle()
            .await
            .unwrap_or_else(|e| panic!("{flavour:?}: second cycle: {e}"));
        let news = s.news();
        assert_eq!(news.len(), 1, "{flavour:?}: {news:?}");
        assert_eq!(
            (news[0].issue_id.as_str(), &news[0].kind),
            ("2", &Kind::IssueCreated),
            "{flavour:?}"
        );
        assert_eq!(cycle.new_alerts, 1);
        // Every request polling sent is one the server takes (GlitchTip refuses `sort=date`).
        for request in s.requests_since(before) {
            assert!(
                !request.contains("sort=date") || flavour != Flavour::GlitchTip,
                "{flavour:?}: {request}"
            );
        }
    }
}

on_every_server! {
    async fn an_issue_known_resolved_that_comes_back_is_a_regression_on_every_server(flavour: Flavour) {
        let open = issue(5, "2026-11-01T00:00:00Z", "2026-11-20T00:00:00Z", "unresolved");
        let mut s = server(flavour, vec![open]).await;
        s.cycle().await.unwrap();
        // The user resolved it from a notification: Sentry's answer is kept as its state.
        let actions = Actions::new(s.engine.clone(), None);
        let id = actions
            .enqueue(
                Some("acme"),
                "5",
                &Request::parse("resolve").unwrap(),
                None,
                "WEB-5",
                "",
            )
            .unwrap();
        let row = actions.run_one(id).await.unwrap().unwrap();
        assert_eq!(row.state, ActionState::Done, "{flavour:?}: {row:?}");
        assert!(s.store().known_closed(&s.account.key(), "5").unwrap(), "{flavour:?}");
        // It comes back with new events; GlitchTip says nothing of a regression.
        let mut back = issue(5, "2026-11-01T00:00:00Z", "2026-12-01T10:00:00Z", "unresolved");
        back.as_object_mut().unwrap().remove("substatus");
        s.sentry.set_issues(vec![back]);
        s.cycle().await.unwrap();
        let news = s.news();
        assert_eq!(news.len(), 1, "{flavour:?}: {news:?}");
        let me = Me {
            user_id: "1".into(),
            ..Me::default()
        };
        assert_eq!(news[0].facts(&me).kind, Some(AlertKind::Regression), "{flavour:?}");
        // Once told, it is open again: the next cycle does not repeat it.
        s.cycle().await.unwrap();
        assert!(s.news().is_empty(), "{flavour:?}");
    }
}

on_every_server! {
    async fn an_issue_resolved_elsewhere_is_noticed_on_every_server(flavour: Flavour) {
        let open = issue(7, "2026-11-01T00:00:00Z", "2026-11-20T00:00:00Z", "unresolved");
        let mut s = server(flavour, vec![open]).await;
        s.cycle().await.unwrap();
        // The user was notified of it; then someone resolved it in the browser.
        let fresh = issue(8, "2026-12-01T09:00:00Z", "2026-12-01T09:00:00Z", "unresolved");
        s.sentry.set_issues(vec![fresh]);
        s.cycle().await.unwrap();
        let (created,) = (s.news().remove(0),);
        let id = s.store().recent_alerts(1).unwrap()[0].id;
        s.store().mark_notified(id, crate::receiver::now()).unwrap();
        assert_eq!(created.issue_id, "8");
        s.sentry.set_issues(vec![issue(
            8,
            "2026-12-01T09:00:00Z",
            "2026-12-01T09:00:00Z",
            "resolved",
        )]);
        s.cycle().await.unwrap_or_else(|e| panic!("{flavour:?}: {e}"));
        let news = s.news();
        assert!(
            news.iter().any(|a| a.kind == Kind::IssueResolved && a.issue_id == "8"),
            "{flavour:?}: {news:?}"
        );
    }
}

#[tokio::test]
async fn assigning_on_a_server_without_assignment_fails_at_once_and_says_why() {
    let s = server(Flavour::GlitchTip, vec![]).await;
    let actions = Actions::new(s.engine.clone(), None);
    let id = actions
        .enqueue(Some("acme"), "5", &Request::parse("assign").unwrap(), None, "WEB-5", "")
        .unwrap();
    let row = actions.run_one(id).await.unwrap().unwrap();
    assert_eq!(row.state, ActionState::Failed, "{row:?}");
    assert_eq!(
        row.error.as_deref(),
        Some("GlitchTip does not support assigning issues")
    );
    assert!(
        !s.sentry.requests().iter().any(|r| r.method == "PUT"),
        "nothing was sent"
    );
}

on_every_server! {
    async fn an_invalid_token_is_said_to_be_rejected_on_every_server(flavour: Flavour) {
        testkit::tls();
        let sentry = StandIn::start_as(TOKEN, flavour).await;
        let wrong = Client::new(&sentry.url(), "sntryu_wrong").unwrap();
        assert!(
            matches!(wrong.whoami().await, Err(ApiError::Unauthorized)),
            "{flavour:?}"
        );
    }
}

on_every_server! {
    async fn an_issue_opens_on_its_own_server_from_its_permalink(flavour: Flavour) {
        let open = issue(9, "2026-11-01T00:00:00Z", "2026-11-20T00:00:00Z", "unresolved");
        let s = server(flavour, vec![open]).await;
        // One account: no organization needed.
        let link = s.engine.issue_link(None, "9").await.unwrap();
        assert_eq!(link, "http://server/acme/issues/9/", "{flavour:?}");
        // The server unreachable: its own kind of page on its own host, never sentry.io.
        let url = s.sentry.url();
        drop(s.sentry);
        let link = s.engine.issue_link(Some("acme"), "9").await.unwrap();
        let expected = match flavour {
            Flavour::GlitchTip => format!("{url}/acme/issues/9"),
            _ => format!("{url}/organizations/acme/issues/9/"),
        };
        assert_eq!(link, expected, "{flavour:?}");
    }
}

on_every_server! {
    async fn a_timed_ignore_that_the_server_made_permanent_is_said_so(flavour: Flavour) {
        let s = server(flavour, vec![]).await;
        let actions = Actions::new(s.engine.clone(), None);
        let id = actions
            .enqueue(
                Some("acme"),
                "5",
                &Request::parse("ignore=30").unwrap(),
                None,
                "WEB-5",
                "",
            )
            .unwrap();
        let row = actions.run_one(id).await.unwrap().unwrap();
        assert_eq!(row.state, ActionState::Done, "{flavour:?}: {row:?}");
        let expected = match flavour {
            Flavour::GlitchTip => "Ignored WEB-5 forever: the server does not ignore for 30 min",
            _ => "Ignored WEB-5 for 30 min",
        };
        assert_eq!(row.outcome.as_deref(), Some(expected), "{flavour:?}");
    }
}

#[tokio::test]
async fn errors_decide_whether_an_action_waits_fails_at_once_or_gives_up() {
    use sentry_standin::Failure;
    let s = server(Flavour::SentryIo, vec![]).await;
    let actions = Actions::new(s.engine.clone(), None);
    let run = |issue: &'static str| {
        let actions = actions.clone();
        async move {
            let id = actions
                .enqueue(
                    Some("acme"),
                    issue,
                    &Request::parse("resolve").unwrap(),
                    None,
                    issue,
                    "",
                )
                .unwrap();
            actions.run_one(id).await.unwrap().unwrap()
        }
    };
    // A 4xx fails at once.
    s.sentry.fail_next(Failure::Status(400));
    let refused = run("41").await;
    assert_eq!(
        (refused.state, refused.attempts),
        (ActionState::Failed, 1),
        "{refused:?}"
    );
    // A 5xx waits to be retried; after about ten minutes of tries it fails, visibly.
    s.sentry.fail_next(Failure::Status(502));
    let troubled = run("42").await;
    assert_eq!(troubled.state, ActionState::Pending, "{troubled:?}");
    let server_error = ActionError::Api(ApiError::Server {
        status: 502,
        detail: "bad gateway".into(),
    });
    let tried = |attempts| Queued {
        attempts,
        ..troubled.clone()
    };
    assert!(retry_in(&tried(0), &server_error).is_some());
    assert_eq!(
        retry_in(&tried(MAX_TROUBLED_ATTEMPTS - 1), &server_error),
        None,
        "gives up"
    );
    // Unreachable: waits, with no deadline, however many tries it took.
    let unreachable = ActionError::Api(ApiError::Unreachable {
        url: s.sentry.url(),
        detail: "refused".into(),
    });
    assert!(retry_in(&tried(500), &unreachable).is_some_and(|wait| wait.as_secs() <= 60));
}

#[tokio::test]
async fn a_sentry_in_trouble_while_it_is_learned_is_learned_again_not_taken_for_lacking() {
    use sentry_standin::Failure;
    let s = server(Flavour::SentryIo, vec![]).await;
    let fresh = Account::environment(&s.sentry.url(), "globex");
    s.sentry.add_organization("globex");
    s.sentry.fail_next(Failure::Status(502));
    let troubled = crate::servers::learn(s.store(), &fresh, &s.client).await;
    assert!(
        matches!(troubled, Err(ApiError::Server { status: 502, .. })),
        "{troubled:?}"
    );
    assert_eq!(
        crate::servers::known(s.store(), &fresh),
        None,
        "nothing was taken for missing"
    );
    let learned = crate::servers::learn(s.store(), &fresh, &s.client).await.unwrap();
    assert_eq!(learned, ServerProfile::default());
}

#[tokio::test]
async fn the_same_issue_ids_from_two_self_hosted_servers_are_two_alerts() {
    // Two self-hosted servers, both with an organization `acme`, number their issues from 1.
    let mut first = server(Flavour::SelfHosted, vec![]).await;
    let second_server = StandIn::start_as(TOKEN, Flavour::SelfHosted).await;
    let second = Account::environment(&second_server.url(), "acme");
    let second_client = Client::new(&second_server.url(), TOKEN).unwrap();
    let store = first.store().clone();
    let (tx, mut rx) = mpsc::unbounded_channel();
    first.cycle().await.unwrap();
    poll::cycle(&second_client, &store, &second, &tx).await.unwrap();
    // Seen after both marks (an empty organization's mark is a few minutes back from now).
    let seen = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let new = || issue(1, &seen, &seen, "unresolved");
    first.sentry.set_issues(vec![new()]);
    second_server.set_issues(vec![new()]);
    first.cycle().await.unwrap();
    poll::cycle(&second_client, &store, &second, &tx).await.unwrap();
    let (from_first, from_second) = (first.news(), rx.try_recv().map(|(_, a)| a));
    assert_eq!(from_first.len(), 1, "{from_first:?}");
    let from_second = from_second.expect("the second server's issue 1 is news too");
    assert_ne!(from_first[0].dedupe_key, from_second.dedupe_key);
    assert_ne!(
        from_first[0].thread_key(),
        from_second.thread_key(),
        "one notification each"
    );
    assert_eq!(store.alert_count().unwrap(), 2);
}

on_every_server! {
    async fn environments_to_pick_from_are_the_projects_visible_ones(flavour: Flavour) {
        let s = server(flavour, vec![]).await;
        s.sentry
            .set_environments("web", &[("staging", false), ("production", false), ("dev-laptop", true)]);
        let names = s.engine.environments("acme", "web").await.unwrap();
        assert_eq!(names, ["production", "staging"], "{flavour:?}");
        let unknown = s.engine.environments("globex", "web").await.unwrap_err();
        assert!(unknown.to_string().contains("globex"), "{unknown}");
    }
}
