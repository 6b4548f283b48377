//! The mute preview: which of the alerts Sentry really sent a rule would have muted, read from
//! the bodies as stored (tags and messages live only there), for a project, an account or all.

use serde_json::{Value, json};

use crate::alert::Alert;
use crate::api::Engine;
use crate::policy::MuteRule;
use crate::settings::Settings;

fn body(name: &str) -> Vec<u8> {
    let path = format!("{}/../../../shared/sentry/payloads/{name}", env!("CARGO_MANIFEST_DIR"));
    let file: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    serde_json::to_vec(&file["body"]).unwrap()
}

fn store(engine: &Engine, body: &[u8]) -> Alert {
    let alert = Alert::from_json_file(body).unwrap();
    engine.store().insert_alert(&alert, 1_764_000_000).unwrap();
    alert
}

#[test]
fn each_rule_previews_the_recent_alerts_it_would_have_muted() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(Settings::in_folder(dir.path())).unwrap();
    // Sentry's own payloads: an alert rule firing (with the event's tags) and a new issue, both
    // of front-end; and an issue of another project, as polling stores it.
    let fired = store(&engine, &body("webhook.event_alert.triggered.json"));
    let created = store(&engine, &body("webhook.issue.created.json"));
    let other = json!({
        "id": "77", "title": "ResizeObserver loop limit exceeded", "culprit": "ui.layout", "level": "error",
        "firstSeen": "2026-12-01T10:00:00Z", "project": {"id": "9", "slug": "back-office", "name": "Back office"},
        "permalink": "https://sentry.io/organizations/test-org/issues/77/"
    });
    store(&engine, other.to_string().as_bytes());
    assert_eq!(fired.project.as_deref(), Some("front-end"));
    assert_eq!(created.project.as_deref(), Some("front-end"));

    let rules = [
        MuteRule::Tag("browser.name".into(), "Chrome".into()),
        MuteRule::Title("is not defined".into()),
        MuteRule::Title("*resizeobserver*".into()),
        MuteRule::Culprit("?(runner)".into()),
        MuteRule::Message("nothing says this".into()),
    ];
    let titles = |alerts: &[crate::store::Recent]| alerts.iter().map(|a| a.title.clone()).collect::<Vec<_>>();

    let front_end = engine.mute_preview("front-end", None, &rules).unwrap();
    assert_eq!(front_end.checked, 2, "only the project's alerts are looked at");
    assert_eq!(
        titles(&front_end.matches[0]),
        ["ReferenceError: heck is not defined"],
        "the tag is in the event only"
    );
    assert_eq!(
        titles(&front_end.matches[1]),
        [
            "ReferenceError: blooopy is not defined",
            "ReferenceError: heck is not defined"
        ],
        "newest first"
    );
    assert!(
        front_end.matches[2].is_empty(),
        "another project's alert is not this project's"
    );
    assert_eq!(
        titles(&front_end.matches[3]),
        ["ReferenceError: blooopy is not defined"]
    );
    assert!(front_end.matches[4].is_empty());

    let everyone = engine.mute_preview("*", None, &rules).unwrap();
    assert_eq!(everyone.checked, 3);
    assert_eq!(
        titles(&everyone.matches[2]),
        ["ResizeObserver loop limit exceeded"],
        "a glob ignores case"
    );
    let elsewhere = engine.mute_preview("@globex", None, &rules).unwrap();
    assert_eq!(elsewhere.checked, 0, "no alert of that account");
}
