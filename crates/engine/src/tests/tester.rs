//! The ownership tester as the window asks it: the project's rules from Sentry against an
//! issue's latest event there, rules typed with a mistake, a pasted event, and a server without
//! ownership rules.

use sentry_standin::{Flavour, StandIn};
use serde_json::json;

use crate::api::Engine;
use crate::tester::OwnershipQuestion;

const TOKEN: &str = "sntryu_tester_token";

fn question(rules: Option<&str>, issue: Option<&str>, event: Option<&str>) -> OwnershipQuestion {
    OwnershipQuestion {
        project: "web".into(),
        org: "acme".into(),
        rules: rules.map(str::to_owned),
        issue: issue.map(str::to_owned),
        event: event.map(str::to_owned),
    }
}

fn event(filename: &str) -> serde_json::Value {
    json!({
        "platform": "python",
        "entries": [{"type": "exception", "data": {"values": [{"stacktrace": {"frames": [
            {"filename": filename, "absPath": format!("/srv/{filename}"), "inApp": true}
        ]}}]}}]
    })
}

#[tokio::test]
async fn the_tester_says_who_owns_an_issue_by_the_rules_in_sentry_or_as_typed() {
    testkit::tls();
    let sentry = StandIn::start(TOKEN).await;
    sentry.set_ownership(
        "web",
        "# payments\npath:src/payments/* #payments\n*.py jane@example.com",
    );
    sentry.set_latest_event("42", event("src/payments/charge.py"));
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(super::sentry_at(&sentry.url(), TOKEN, dir.path())).unwrap();

    let answer = engine.test_ownership(question(None, Some("42"), None)).await;
    assert!(
        answer.rules.contains("path:src/payments/*"),
        "Sentry's rules: {answer:?}"
    );
    assert_eq!(answer.error, None);
    let lines: Vec<usize> = answer.matches.iter().map(|m| m.line).collect();
    assert_eq!(lines, [2, 3], "both rules match, in Sentry's order");
    assert_eq!(
        answer.owners,
        ["jane@example.com", "#payments"],
        "the last matching rule first"
    );
    assert_eq!(answer.auto_assignee.as_deref(), Some("jane@example.com"));

    // Typed with a mistake: where, as Sentry says it; then without an owner.
    let typed = engine
        .test_ownership(question(Some("path:src/* #a\npath: #b"), Some("42"), None))
        .await;
    let error = typed.error.expect("a syntax error");
    assert_eq!(error.line, Some(2), "{error:?}");
    assert!(error.column.is_some() && error.message.contains("line 2"), "{error:?}");
    let ownerless = engine.test_ownership(question(Some("path:src/*"), None, None)).await;
    assert_eq!(ownerless.error.map(|e| (e.line, e.column)), Some((Some(1), None)));

    // A pasted event instead of Sentry's; one that is not JSON says so.
    let pasted = engine
        .test_ownership(question(
            Some("*.js #frontend"),
            None,
            Some(&event("ui/app.js").to_string()),
        ))
        .await;
    assert_eq!(pasted.owners, ["#frontend"]);
    let broken = engine
        .test_ownership(question(Some("*.js #frontend"), None, Some("{nope")))
        .await;
    assert!(
        broken
            .event_missing
            .unwrap()
            .starts_with("the pasted event is not JSON")
    );
    let nothing = engine
        .test_ownership(question(Some("*.js #frontend"), None, None))
        .await;
    assert!(
        nothing.event_missing.unwrap().starts_with("pick an issue"),
        "rules alone are only checked"
    );
}

#[tokio::test]
async fn on_glitchtip_the_rules_are_typed_since_the_server_has_none() {
    testkit::tls();
    let sentry = StandIn::start_as(TOKEN, Flavour::GlitchTip).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(super::sentry_at(&sentry.url(), TOKEN, dir.path())).unwrap();
    // The app learns what the server offers when it starts or an account is added.
    let account = crate::accounts::Account::environment(&sentry.url(), "acme");
    let client = sentry_api::Client::new(&sentry.url(), TOKEN).unwrap();
    crate::servers::learn(engine.store(), &account, &client).await.unwrap();
    let asked = || {
        sentry
            .requests()
            .iter()
            .filter(|r| r.path.contains("/ownership/"))
            .count()
    };
    let before = asked();
    let answer = engine.test_ownership(question(None, None, None)).await;
    assert_eq!(
        answer.rules_unavailable.as_deref(),
        Some("this server has no ownership rules (GlitchTip): paste them")
    );
    assert_eq!(
        asked(),
        before,
        "GlitchTip is not asked again once it is known to have none"
    );
}
