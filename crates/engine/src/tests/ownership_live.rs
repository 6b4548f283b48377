//! "Owned by me" decided live: who I am and my teams, the project's ownership rules and the
//! issue's latest event come from the Sentry stand-in, cached; local rules add to Sentry's.

use crate::alert::Alert;
use crate::api::Engine;
use crate::daemon::decide_for;
use crate::enrich::Enricher;
use crate::policy::{Deliver, Preferences};
use crate::store::Store;
use sentry_standin::StandIn;
use serde_json::json;

const TOKEN: &str = "sntryu_ownership_token";

fn event(filename: &str) -> serde_json::Value {
    json!({
        "platform": "python",
        "entries": [{"type": "exception", "data": {"values": [{"stacktrace": {"frames": [
            {"filename": "lib/runner.py", "inApp": false},
            {"filename": filename, "absPath": format!("/srv/{filename}"), "inApp": true}
        ]}}]}}]
    })
}

async fn decision(enricher: &Enricher, alert: &Alert) -> crate::policy::Decision {
    decide_for(enricher, alert, chrono::Utc::now()).await.unwrap().decision
}

/// A store whose project `web` has the `owned` audience, and an enricher on it.
fn owned_store(sentry: &str) -> (tempfile::TempDir, Store, Enricher, Preferences) {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(super::sentry_at(sentry, TOKEN, dir.path())).unwrap();
    let store = engine.store().clone();
    let mut prefs = Preferences::default();
    prefs.set("audience", "owned").unwrap();
    store.set_preferences("web", &prefs).unwrap();
    let enricher = Enricher::new(engine);
    (dir, store, enricher, prefs)
}

fn alert(id: &str) -> Alert {
    let issue: sentry_api::Issue = serde_json::from_value(json!({
        "id": id, "title": format!("Error {id}"), "level": "error", "firstSeen": "2026-11-25T10:00:00Z",
        "project": {"id": "1", "slug": "web", "name": "web"}
    }))
    .unwrap();
    Alert::from_issue_webhook("created", &issue, None, Some("acme"), b"{}")
}

#[tokio::test]
async fn ownership_from_sentry_decides_whose_alert_it_is() {
    testkit::tls();
    let sentry = StandIn::start(TOKEN).await;
    sentry.set_ownership("web", "path:src/payments/* #payments\n*.js #frontend");
    sentry.set_latest_event("1", event("src/payments/charge.py"));
    sentry.set_latest_event("2", event("src/ui/app.js"));
    let (_dir, store, enricher, mut prefs) = owned_store(&sentry.url());

    let mine = decision(&enricher, &alert("1")).await;
    assert_eq!(mine.deliver, Deliver::Now, "{:?}", mine.reasons);
    assert!(
        mine.why()
            .contains(&"owned by #payments via rule 1: path:src/payments/* #payments".to_owned()),
        "{:?}",
        mine.reasons
    );
    let theirs = decision(&enricher, &alert("2")).await;
    assert_eq!(theirs.deliver, Deliver::Suppress);
    assert_eq!(
        theirs.why().last().unwrap(),
        "owned by #frontend, not you or your teams"
    );

    // Identity and rules were fetched once; each issue's event once.
    let count = |path: &str| sentry.requests().iter().filter(|r| r.path == path).count();
    assert_eq!(count("/api/0/"), 1, "who I am is cached");
    assert_eq!(count("/api/0/organizations/acme/user-teams/"), 1);
    assert_eq!(count("/api/0/projects/acme/web/ownership/"), 1, "the rules are cached");
    assert_eq!(count("/api/0/organizations/acme/issues/1/events/latest/"), 1);

    // My own rule on top of Sentry's: the UI code is mine too.
    prefs.set("local_rules", "*.js #payments").unwrap();
    store.set_preferences("web", &prefs).unwrap();
    let now_mine = decision(&enricher, &alert("2")).await;
    assert_eq!(now_mine.deliver, Deliver::Now, "{:?}", now_mine.reasons);
    assert!(
        now_mine
            .why()
            .iter()
            .any(|r| r.starts_with("owned by #payments via rule 3: path:*.js")),
        "{:?}",
        now_mine.reasons
    );

    // An older server without the organization-scoped event path still works.
    sentry.set_legacy_only(true);
    sentry.set_latest_event("3", event("src/payments/refund.py"));
    prefs.set("local_rules", "").unwrap_or(());
    let legacy = decision(&enricher, &alert("3")).await;
    assert_eq!(legacy.deliver, Deliver::Now, "{:?}", legacy.reasons);
    assert_eq!(count("/api/0/issues/3/events/latest/"), 1);
}

#[tokio::test]
async fn without_sentry_ownership_is_unknown_and_said_so() {
    let (_dir, _store, enricher, _) = owned_store("http://127.0.0.1:9");
    let decision = decision(&enricher, &alert("1")).await;
    assert_eq!(decision.deliver, Deliver::Suppress);
    assert_eq!(
        decision.why().last().unwrap(),
        "the project's ownership rules are not known"
    );
}
