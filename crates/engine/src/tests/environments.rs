//! "Production only", the filter Sentry users set first: issue webhooks and polled issues carry
//! no environment, so the engine reads it from the issue's latest event before deciding.

use sentry_standin::StandIn;
use serde_json::json;

use crate::alert::Alert;
use crate::api::Engine;
use crate::daemon::{Decided, decide_for};
use crate::enrich::Enricher;
use crate::policy::{Deliver, Preferences};
use crate::settings::Settings;

const TOKEN: &str = "sntryu_environment_token";

fn production_only(engine: &Engine) {
    let mut prefs = Preferences::default();
    prefs.set("environments", "production").unwrap();
    engine.store().set_preferences("web", &prefs).unwrap();
}

/// An `issue.created` webhook's alert: no environment in it, as Sentry sends it.
fn created(id: &str) -> Alert {
    let issue: sentry_api::Issue = serde_json::from_value(json!({
        "id": id, "title": format!("Error {id}"), "level": "error", "firstSeen": "2026-12-01T10:00:00Z",
        "project": {"id": "1", "slug": "web", "name": "web"}
    }))
    .unwrap();
    Alert::from_issue_webhook("created", &issue, None, Some("acme"), b"{}")
}

async fn decided(engine: &Engine, alert: &Alert) -> Decided {
    decide_for(&Enricher::new(engine.clone()), alert, chrono::Utc::now())
        .await
        .unwrap()
}

#[tokio::test]
async fn production_only_notifies_production_issues_and_not_staging_ones() {
    testkit::tls();
    let sentry = StandIn::start(TOKEN).await;
    sentry.set_latest_event(
        "1",
        json!({"environment": "production", "tags": [["environment", "production"]]}),
    );
    sentry.set_latest_event("2", json!({"tags": [["environment", "staging"]]}));
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(super::sentry_at(&sentry.url(), TOKEN, dir.path())).unwrap();
    production_only(&engine);

    let production = decided(&engine, &created("1")).await;
    assert_eq!(
        production.decision.deliver,
        Deliver::Now,
        "{:?}",
        production.decision.why()
    );
    assert_eq!(production.decision.why()[0], "environment production is watched");
    let staging = decided(&engine, &created("2")).await;
    assert_eq!(staging.decision.deliver, Deliver::Suppress);
    assert_eq!(
        staging.decision.why().last().unwrap(),
        "environment staging is not watched (only production)"
    );
    // Read once per issue: the next decision uses the cache.
    decided(&engine, &created("1")).await;
    let reads = sentry
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/issues/1/events/latest/"))
        .count();
    assert_eq!(reads, 1);
}

#[tokio::test]
async fn an_environment_sentry_cannot_tell_now_is_waited_for_then_said_and_notified() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(super::sentry_at("http://127.0.0.1:9", TOKEN, dir.path())).unwrap();
    production_only(&engine);
    let unreachable = decided(&engine, &created("3")).await;
    assert!(unreachable.unsure, "the daemon decides it again for up to 5 minutes");
    assert_eq!(
        unreachable.decision.deliver,
        Deliver::Now,
        "notified rather than dropped"
    );
    assert_eq!(
        unreachable.decision.why()[0],
        "environment unknown (Sentry unreachable)"
    );
}

#[tokio::test]
async fn without_a_token_the_environment_can_never_be_known_and_the_reason_says_so() {
    // Webhooks alone: no account at all.
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(Settings::in_folder(dir.path())).unwrap();
    production_only(&engine);
    let webhook_only = decided(&engine, &created("4")).await;
    assert!(!webhook_only.unsure, "nothing to wait for");
    assert_eq!(webhook_only.decision.deliver, Deliver::Now);
    assert_eq!(
        webhook_only.decision.why()[0],
        "environment unknown: it is read from Sentry, and no account has a token to read it with"
    );
}

#[tokio::test]
async fn the_environment_setting_says_it_needs_a_token_until_an_account_is_added() {
    testkit::tls();
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(Settings::in_folder(dir.path())).unwrap();
    assert_eq!(engine.status().environment_note, None, "no filter set, nothing to say");
    production_only(&engine);
    let note = engine
        .status()
        .environment_note
        .expect("the window says why the filter cannot work");
    assert!(note.contains("(web) needs a token"), "{note}");

    let sentry = StandIn::start(TOKEN).await;
    let with_account = Engine::open(super::sentry_at(&sentry.url(), TOKEN, dir.path())).unwrap();
    assert_eq!(with_account.status().environment_note, None);
}
