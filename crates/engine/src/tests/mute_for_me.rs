//! "Mute for me" as a user meets it: an issue muted from its inbox alert stops notifying (and no
//! other issue does), whatever Sentry says of it; the mute ends when its hour passes or the issue
//! escalates, and the first alert after says why it is back, once.

use sentry_standin::StandIn;
use serde_json::json;

use crate::alert::Alert;
use crate::api::{Engine, Error};
use crate::daemon::decide_for;
use crate::enrich::Enricher;
use crate::policy::{Decision, Deliver, MuteEnd, MuteUntil, Reason};
use crate::store::Stored;

const TOKEN: &str = "sntryu_mute";

fn issue_alert(action: &str, id: &str, substatus: Option<&str>) -> Alert {
    let issue: sentry_api::Issue = serde_json::from_value(json!({
        "id": id, "shortId": format!("WEB-{id}"), "title": format!("Error {id}"), "level": "error",
        "status": "unresolved", "substatus": substatus, "lastSeen": "2026-12-03T10:00:00Z",
        "project": {"id": "1", "slug": "web", "name": "Web"}
    }))
    .unwrap();
    let mut alert = Alert::from_issue_webhook(action, &issue, None, Some("acme"), b"{}");
    alert.dedupe_key = format!("{}-{}", alert.dedupe_key, substatus.unwrap_or("-"));
    alert
}

async fn decided(enricher: &Enricher, alert: &Alert, at: chrono::DateTime<chrono::Utc>) -> Decision {
    decide_for(enricher, alert, at).await.unwrap().decision
}

fn stored(engine: &Engine, alert: &Alert) -> i64 {
    match engine.store().insert_alert(alert, 0).unwrap() {
        Stored::New(id) | Stored::Duplicate(id) => id,
    }
}

#[tokio::test]
async fn a_muted_issue_stays_quiet_until_its_hour_passes_and_then_says_why_it_is_back() {
    let sentry = StandIn::start(TOKEN).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(super::sentry_at(&sentry.url(), TOKEN, dir.path())).unwrap();
    let enricher = Enricher::new(engine.clone());
    let now = chrono::Utc::now();

    let first = issue_alert("created", "21", None);
    let id = stored(&engine, &first);
    let mute = engine.mute_for_me(id, "1h").unwrap();
    assert_eq!(mute.label, "WEB-21");
    assert!(matches!(mute.until, MuteUntil::Time { at } if (at - now).num_minutes() >= 59));

    // The same issue again (a regression Sentry sends): held, and said so.
    let again = issue_alert("unresolved", "21", Some("regressed"));
    let held = decided(&enricher, &again, now).await;
    assert_eq!(held.deliver, Deliver::Suppress, "{:?}", held.why());
    assert!(
        held.why().last().unwrap().starts_with("muted for you until "),
        "{:?}",
        held.why()
    );
    // Another issue of the project is not muted.
    let other = decided(&enricher, &issue_alert("created", "22", None), now).await;
    assert_eq!(other.deliver, Deliver::Now, "{:?}", other.why());

    // Past the hour it notifies, with why it is back.
    let later = now + chrono::Duration::minutes(61);
    let back = decided(&enricher, &again, later).await;
    assert_eq!(back.deliver, Deliver::Now, "{:?}", back.why());
    let ended = back.reasons.iter().find_map(|r| match r {
        Reason::MuteEnded { why } => Some(why.clone()),
        _ => None,
    });
    assert!(matches!(ended, Some(MuteEnd::TimeUp { .. })), "{:?}", back.why());
    // The window lists it as back, with that note.
    let listed = engine.mutes().unwrap();
    assert_eq!(listed.len(), 1);
    // (Listed as of now: the hour has not passed yet in the real clock.)
    assert!(listed[0].ended.is_none());

    // Once the daemon recorded the note, later alerts carry none.
    let key = again.issue_key().unwrap();
    engine
        .store()
        .end_mute(key, ended.as_ref().unwrap(), later, true)
        .unwrap();
    let after = decided(&enricher, &again, later).await;
    assert!(!after.why().iter().any(|w| w.starts_with("back")), "{:?}", after.why());
    assert_eq!(after.deliver, Deliver::Now);
}

#[tokio::test]
async fn a_mute_until_it_escalates_lets_the_escalation_through_and_ends() {
    let sentry = StandIn::start(TOKEN).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(super::sentry_at(&sentry.url(), TOKEN, dir.path())).unwrap();
    let enricher = Enricher::new(engine.clone());
    let now = chrono::Utc::now();
    let id = stored(&engine, &issue_alert("created", "31", None));
    engine.mute_for_me(id, "escalates").unwrap();

    let regressed = decided(&enricher, &issue_alert("unresolved", "31", Some("regressed")), now).await;
    assert_eq!(regressed.deliver, Deliver::Suppress, "{:?}", regressed.why());
    assert_eq!(regressed.why().last().unwrap(), "muted for you until it escalates");
    let escalating = decided(&enricher, &issue_alert("unresolved", "31", Some("escalating")), now).await;
    assert_eq!(escalating.deliver, Deliver::Now, "{:?}", escalating.why());
    assert!(
        escalating
            .why()
            .contains(&"back: your mute ended: it escalated".to_owned())
    );
}

#[test]
fn muting_says_clearly_what_it_cannot_do() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(crate::settings::Settings::in_folder(dir.path())).unwrap();
    assert!(matches!(engine.mute_for_me(99, "1h"), Err(Error::NoSuchAlert(99))));
    let id = stored(&engine, &issue_alert("created", "41", None));
    let bad = engine.mute_for_me(id, "forever").unwrap_err();
    assert!(bad.is_bad_input());
    assert!(bad.to_string().contains("tomorrow, release, escalates"), "{bad}");
    let mut metric = issue_alert("created", "42", None);
    (metric.kind, metric.dedupe_key) = (crate::alert::Kind::MetricAlertCritical, "incident-7".into());
    let incident = stored(&engine, &metric);
    assert!(matches!(engine.mute_for_me(incident, "1h"), Err(Error::NotAnIssue(_))));
    // A new mute replaces the old one; unmuting lifts it.
    engine.mute_for_me(id, "1h").unwrap();
    engine.mute_for_me(id, "release").unwrap();
    let listed = engine.mutes().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].until, MuteUntil::NextRelease);
    let key = crate::mutes::IssueKey {
        account: Some(&listed[0].account),
        org: &listed[0].org,
        issue_id: &listed[0].issue_id,
    };
    assert!(engine.unmute_for_me(key).unwrap());
    assert!(engine.mutes().unwrap().is_empty());
}
