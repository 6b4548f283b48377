//! A database written by the release before reasons and states were typed (commit 9dc7468)
//! opens, and what it stored still reads as it did.

use crate::actions::{ActionState, Actions};
use crate::alert::{Kind, Source};
use crate::api::Engine;
use crate::policy::{Deliver, Level, Reason};
use crate::settings::Settings;

fn release_database() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/fixtures/release-9dc7468.sqlite3"
    );
    let settings = Settings::in_folder(dir.path());
    std::fs::copy(fixture, settings.database_path()).unwrap();
    let engine = Engine::open(settings).unwrap();
    (dir, engine)
}

#[test]
fn its_alerts_decisions_and_reasons_read_as_they_were_stored() {
    let (_dir, engine) = release_database();
    let alerts = engine.store().recent_alerts(50).unwrap();
    assert_eq!(alerts.len(), 11);
    let by_issue = |id: &str| {
        alerts
            .iter()
            .find(|a| a.issue_id == id)
            .unwrap_or_else(|| panic!("issue {id}"))
    };

    let muted = by_issue("101");
    assert_eq!(
        (muted.kind.clone(), muted.source, muted.level),
        (Kind::IssueCreated, Source::Webhook, Some(Level::Error))
    );
    assert_eq!(muted.decision, Some(Deliver::Suppress));
    assert_eq!(muted.why(), ["notifications for muted-proj are off"]);

    let quiet = by_issue("102");
    assert_eq!(quiet.decision, Some(Deliver::Digest));
    assert_eq!(
        quiet.why(),
        ["you follow everything in quiet-proj", "quiet hours until 23:59"]
    );
    let low = by_issue("103");
    assert_eq!((low.decision, low.level), (Some(Deliver::Digest), Some(Level::Info)));
    assert_eq!(low.why().last().unwrap(), "info goes into the digest (up to info)");
    let shown = by_issue("104");
    assert_eq!(shown.decision, Some(Deliver::Now));
    assert_eq!(shown.why().last().unwrap(), "new issues in open-proj");
    let spiked = by_issue("106");
    assert_eq!(
        spiked.why().last().unwrap(),
        "spike limit 1/h reached for spiky: into the summary"
    );
    // Old reasons are text: shown, never taken for a typed reason to act on.
    assert!(matches!(spiked.reasons.last(), Some(Reason::Text(_))));

    let kinds: Vec<&str> = alerts.iter().map(|a| a.kind.as_str()).collect();
    for kind in [
        "metric_alert.critical",
        "metric_alert.resolved",
        "comment.created",
        "issue.resolved",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    assert!(alerts.iter().all(|a| !matches!(a.kind, Kind::Other(_))), "{kinds:?}");
    let resolved_incident = alerts.iter().find(|a| a.kind == Kind::MetricAlertResolved).unwrap();
    assert_eq!(
        resolved_incident.why(),
        ["the incident is resolved: its notification was closed"]
    );

    // What the release held for the digest is still held, by project.
    let held: Vec<String> = engine
        .store()
        .undigested()
        .unwrap()
        .into_iter()
        .map(|(project, _)| project)
        .collect();
    assert_eq!(held, ["quiet-proj", "low-proj", "spiky"]);
}

#[test]
fn its_failed_action_reads_with_its_error_and_can_be_retried() {
    let (_dir, engine) = release_database();
    let actions = Actions::new(engine, None);
    let recent = actions.recent(10).unwrap();
    assert_eq!(recent.len(), 1);
    let failed = &recent[0];
    assert_eq!(
        (failed.kind.key(), failed.state, failed.issue_id.as_str()),
        ("resolve", ActionState::Failed, "101")
    );
    assert!(
        failed.error.as_deref().unwrap_or("").contains("no Sentry auth token"),
        "{failed:?}"
    );
    assert_eq!(actions.retry(failed.id).unwrap().state, ActionState::Pending);
}

#[test]
fn alerts_of_two_organizations_with_the_same_ids_are_attributed_losing_and_doubling_none() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/fixtures/release-9dc7468-two-organizations.sqlite3"
    );
    // The environment's account is acme's; nothing says which server globex's rows came from.
    let settings = Settings::in_folder(dir.path()).with_account("https://sentry.acme.example", "acme", "t");
    std::fs::copy(fixture, settings.database_path()).unwrap();
    let engine = Engine::open(settings.clone()).unwrap();
    let rows = |engine: &Engine| {
        let mut rows: Vec<(String, String, Option<String>)> = engine
            .store()
            .recent_alerts(50)
            .unwrap()
            .into_iter()
            .map(|a| (a.org.unwrap_or_default(), a.issue_id, a.account))
            .collect();
        rows.sort();
        rows
    };
    let acme = Some("https://sentry.acme.example|acme".to_owned());
    assert_eq!(
        rows(&engine),
        [
            ("acme".to_owned(), "1".to_owned(), acme.clone()),
            ("acme".to_owned(), "2".to_owned(), acme.clone()),
            ("globex".to_owned(), "1".to_owned(), None),
            ("globex".to_owned(), "2".to_owned(), None),
        ],
        "every row kept, acme's attributed, globex's kept as they were"
    );
    // acme's issue 1 arriving again (by polling, say) is the same alert, not a new one.
    let issue: sentry_api::Issue = serde_json::from_value(serde_json::json!({"id": "1", "title": "again"})).unwrap();
    let again = crate::alert::Alert::from_issue_webhook("created", &issue, None, Some("acme"), b"{}")
        .of_account("https://sentry.acme.example|acme");
    assert!(matches!(
        engine.store().insert_alert(&again, 1).unwrap(),
        crate::store::Stored::Duplicate(_)
    ));
    // Opening again changes nothing more.
    drop(engine);
    assert_eq!(rows(&Engine::open(settings).unwrap()).len(), 4);
}
