//! What the inbox says of each issue's state in Sentry, as webhooks, polling and the user's own
//! actions tell it, and Undo against the stand-in; the inbox a page at a time.

use std::time::{Duration, Instant};

use sentry_api::Issue;
use sentry_standin::{Flavour, StandIn};

use crate::accounts::Account;
use crate::actions::{ActionError, ActionState, Actions, Request};
use crate::alert::{Alert, IssueStatus, Source};
use crate::api::Engine;
use crate::inbox::{InboxFilter, InboxQuery};
use crate::policy::{Decision, Deliver, Reason};

const TOKEN: &str = "sntryu_state_token";

fn issue(id: &str, extra: serde_json::Value) -> Issue {
    let mut issue = serde_json::json!({
        "id": id, "shortId": format!("WEB-{id}"), "title": format!("TypeError {id}"), "status": "unresolved",
        "count": "5", "userCount": 2, "assignedTo": null, "lastSeen": "2026-12-02T10:00:00Z",
        "project": {"id": "1", "slug": "web", "name": "Web shop"},
        "web_url": format!("https://sentry.example/organizations/acme/issues/{id}/"),
    });
    for (k, v) in extra.as_object().unwrap() {
        issue[k] = v.clone();
    }
    serde_json::from_value(issue).unwrap()
}

/// `issue.<action>` as a webhook of the stand-in's account would store it.
fn webhook(action: &str, issue: &Issue, account: &str) -> Alert {
    Alert::from_issue_webhook(action, issue, None, Some("acme"), b"{}").of_account(account)
}

struct Setup {
    sentry: StandIn,
    engine: Engine,
    actions: Actions,
    account: String,
    _dir: tempfile::TempDir,
}

async fn setup(flavour: Flavour) -> Setup {
    testkit::tls();
    let sentry = StandIn::start_as(TOKEN, flavour).await;
    let _dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(super::sentry_at(&sentry.url(), TOKEN, _dir.path())).unwrap();
    let actions = Actions::new(engine.clone(), None);
    tokio::spawn(actions.clone().run());
    let account = Account::environment(&sentry.url(), "acme").key();
    Setup {
        sentry,
        engine,
        actions,
        account,
        _dir,
    }
}

async fn done(actions: &Actions, id: i64) -> crate::actions::Queued {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let row = actions.get(id).unwrap().unwrap();
        if row.state != ActionState::Pending {
            return row;
        }
        assert!(Instant::now() < deadline, "action {id} still pending: {row:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn first(engine: &Engine) -> crate::inbox::InboxEntry {
    engine.inbox(&InboxQuery::default()).unwrap().entries.remove(0)
}

fn act(s: &Setup, action: &str) -> i64 {
    s.actions
        .enqueue(
            Some("acme"),
            "42",
            &Request::parse(action).unwrap(),
            None,
            "WEB-42",
            "TypeError 42",
        )
        .unwrap()
}

fn last_put(sentry: &StandIn) -> serde_json::Value {
    let put = sentry
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.method == "PUT")
        .expect("a PUT");
    put.body
}

#[tokio::test(flavor = "multi_thread")]
async fn a_row_follows_the_issue_through_resolve_undo_and_a_change_by_someone_else() {
    let s = setup(Flavour::SentryIo).await;
    let store = s.engine.store();
    store
        .insert_alert(&webhook("created", &issue("42", serde_json::json!({})), &s.account), 0)
        .unwrap();
    let entry = first(&s.engine);
    assert_eq!(entry.issue.status, Some(IssueStatus::Unresolved));
    assert_eq!((entry.issue.events, entry.issue.users), (Some(5), Some(2)));
    assert!(
        entry.issue.assignment_known && entry.issue.assigned_to.is_none(),
        "{:?}",
        entry.issue
    );

    // Resolved from the window: Sentry's answer is the row's state, and it can be undone once.
    let resolve = done(&s.actions, act(&s, "resolve")).await;
    assert_eq!(resolve.state, ActionState::Done, "{resolve:?}");
    assert_eq!(first(&s.engine).issue.status, Some(IssueStatus::Resolved));
    assert!(resolve.undo_until.is_some());
    let undo = done(&s.actions, s.actions.undo(resolve.id).unwrap()).await;
    assert_eq!(undo.state, ActionState::Done, "{undo:?}");
    assert_eq!(last_put(&s.sentry)["status"], "unresolved");
    assert_eq!(first(&s.engine).issue.status, Some(IssueStatus::Unresolved));
    assert!(
        matches!(s.actions.undo(resolve.id), Err(ActionError::NoUndo(_))),
        "undone twice"
    );
    assert!(undo.undo_until.is_none(), "an undo is not undone");

    // Resolved again: the same change as the first, and still the state the row shows.
    done(&s.actions, act(&s, "resolve")).await;
    assert_eq!(first(&s.engine).issue.status, Some(IssueStatus::Resolved));

    // Someone else reopens and assigns it in Sentry: the webhooks say so.
    let reopened = issue(
        "42",
        serde_json::json!({"status": "unresolved", "lastSeen": "2026-12-02T11:00:00Z"}),
    );
    store
        .insert_alert(&webhook("unresolved", &reopened, &s.account), 0)
        .unwrap();
    let assigned = issue(
        "42",
        serde_json::json!({"assignedTo": {"type": "user", "id": "9", "name": "Jane Roe", "email": "jane@example.com"}, "count": 12}),
    );
    store
        .insert_alert(&webhook("assigned", &assigned, &s.account), 0)
        .unwrap();
    let entry = first(&s.engine);
    assert_eq!(entry.issue.status, Some(IssueStatus::Unresolved));
    assert_eq!(entry.issue.assigned_to.as_deref(), Some("user:9"));
    assert_eq!(entry.issue.assignee_name.as_deref(), Some("Jane Roe"));
    assert_eq!(entry.issue.events, Some(12));

    // Assigned to me, then undone: back to Jane, not to nobody.
    let mine = done(&s.actions, act(&s, "assign=user:1")).await;
    assert_eq!(first(&s.engine).issue.assigned_to.as_deref(), Some("user:1"));
    done(&s.actions, s.actions.undo(mine.id).unwrap()).await;
    assert_eq!(last_put(&s.sentry)["assignedTo"], "user:9");
    assert_eq!(first(&s.engine).issue.assigned_to.as_deref(), Some("user:9"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_assignment_of_an_unassigned_issue_is_undone_to_nobody_and_only_for_30_seconds() {
    let s = setup(Flavour::SentryIo).await;
    let store = s.engine.store();
    store
        .insert_alert(&webhook("created", &issue("42", serde_json::json!({})), &s.account), 0)
        .unwrap();
    let assign = done(&s.actions, act(&s, "assign=user:1")).await;
    done(&s.actions, s.actions.undo(assign.id).unwrap()).await;
    assert_eq!(
        last_put(&s.sentry)["assignedTo"],
        "",
        "Sentry unassigns with an empty assignee"
    );
    let entry = first(&s.engine);
    assert!(
        entry.issue.assignment_known && entry.issue.assigned_to.is_none(),
        "{:?}",
        entry.issue
    );

    let resolve = done(&s.actions, act(&s, "resolve")).await;
    store
        .conn()
        .execute(
            "UPDATE actions SET updated_at = updated_at - 31 WHERE id = ?1",
            [resolve.id],
        )
        .unwrap();
    assert!(matches!(s.actions.undo(resolve.id), Err(ActionError::UndoExpired(_))));
    // A failed action changed nothing: there is nothing to undo.
    s.sentry.fail_next(sentry_standin::Failure::Status(403));
    let refused = done(&s.actions, act(&s, "ignore=30")).await;
    assert_eq!(refused.state, ActionState::Failed, "{refused:?}");
    assert!(matches!(s.actions.undo(refused.id), Err(ActionError::NoUndo(_))));
}

#[tokio::test(flavor = "multi_thread")]
async fn on_glitchtip_a_resolve_is_undone_and_rows_say_nothing_of_an_assignee() {
    let s = setup(Flavour::GlitchTip).await;
    let store = s.engine.store();
    // GlitchTip's issues say nothing of assignment, and count as text.
    let mut created = issue("42", serde_json::json!({"count": "3"}));
    created.assigned_to = None;
    store
        .insert_alert(&webhook("created", &created, &s.account), 0)
        .unwrap();
    let entry = first(&s.engine);
    assert!(!entry.issue.assignment_known);
    assert_eq!(entry.issue.events, Some(3));
    let resolve = done(&s.actions, act(&s, "resolve")).await;
    assert_eq!(resolve.state, ActionState::Done, "{resolve:?}");
    done(&s.actions, s.actions.undo(resolve.id).unwrap()).await;
    assert_eq!(first(&s.engine).issue.status, Some(IssueStatus::Unresolved));
    assert_eq!(last_put(&s.sentry)["status"], "unresolved");
}

#[test]
fn the_inbox_is_read_a_page_at_a_time_filtered_and_searched_by_the_engine() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(crate::settings::Settings::in_folder(dir.path())).unwrap();
    let store = engine.store();
    for n in 0..250 {
        let mut alert = webhook("created", &issue(&n.to_string(), serde_json::json!({})), "s|acme");
        alert.source = Source::Webhook;
        let id = match store.insert_alert(&alert, n).unwrap() {
            crate::store::Stored::New(id) => id,
            other => panic!("{other:?}"),
        };
        // Every tenth held back by spike protection.
        let (deliver, reasons) = if n % 10 == 0 {
            (
                Deliver::Suppress,
                vec![Reason::SpikeLimit {
                    limit: 5,
                    project: "web".into(),
                }],
            )
        } else {
            (Deliver::Now, vec![])
        };
        store.set_decision(id, &Decision { deliver, reasons }).unwrap();
    }
    let mut query = InboxQuery::default();
    let mut seen = Vec::new();
    loop {
        let page = engine.inbox(&query).unwrap();
        assert!(page.entries.len() <= 100);
        seen.extend(page.entries.iter().map(|e| e.alert.issue_id.clone()));
        if !page.more {
            break;
        }
        query.before = page.entries.last().map(|e| e.alert.id);
    }
    assert_eq!(seen.len(), 250, "every alert once");
    assert_eq!(seen.first().map(String::as_str), Some("249"), "newest first");

    let held = engine
        .inbox(&InboxQuery {
            filter: InboxFilter::Held,
            limit: Some(10),
            ..InboxQuery::default()
        })
        .unwrap();
    assert_eq!(held.entries.len(), 10);
    assert!(held.more, "25 are held back");
    assert!(held.entries.iter().all(|e| e.held_back));
    let found = engine
        .inbox(&InboxQuery {
            search: Some("web-123".into()),
            ..InboxQuery::default()
        })
        .unwrap();
    assert_eq!(
        found
            .entries
            .iter()
            .map(|e| e.alert.issue_id.as_str())
            .collect::<Vec<_>>(),
        ["123"]
    );
    assert!(!found.more);
    // One project's alerts, as the ownership tester lists its issues.
    let mut other = webhook(
        "created",
        &issue("900", serde_json::json!({"project": {"id": "2", "slug": "api"}})),
        "s|acme",
    );
    other.source = Source::Webhook;
    store.insert_alert(&other, 300).unwrap();
    let ids = |query: InboxQuery| -> Vec<String> {
        engine
            .inbox(&query)
            .unwrap()
            .entries
            .into_iter()
            .map(|e| e.alert.issue_id)
            .collect()
    };
    let of = |org: &str| InboxQuery {
        project: Some("api".into()),
        org: Some(org.into()),
        ..InboxQuery::default()
    };
    assert_eq!(ids(of("acme")), ["900"]);
    assert!(
        ids(of("globex")).is_empty(),
        "another organization's project of the same slug"
    );
}
