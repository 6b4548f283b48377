//! The weekly summary from a week a user had: issues new, regressed and resolved per project,
//! the busiest issues, an unassigned issue of mine, what the policy kept back and why, and how
//! soon I acted and Sentry resolved, against a real SQLite file.

use chrono::{Duration, Utc};
use rusqlite::params;
use serde_json::json;

use crate::alert::Alert;
use crate::api::Engine;
use crate::policy::{Decision, Deliver, Ownership, Reason, SummarySchedule};
use crate::store::Stored;

fn issue_alert(action: &str, id: &str, project: &str, substatus: Option<&str>, events: &str) -> Alert {
    let issue: sentry_api::Issue = serde_json::from_value(json!({
        "id": id, "shortId": format!("{}-{id}", project.to_uppercase()), "title": format!("Error {id}"),
        "level": "error", "status": if action == "resolved" { "resolved" } else { "unresolved" },
        "substatus": substatus, "count": events, "assignedTo": null, "lastSeen": format!("2026-12-0{}T10:00:00Z", id.len()),
        "project": {"id": "1", "slug": project, "name": project}
    }))
    .unwrap();
    Alert::from_issue_webhook(action, &issue, None, Some("acme"), b"{}")
}

#[test]
fn a_week_is_summed_up_per_project_with_what_was_kept_back_and_my_response_times() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(crate::settings::Settings::in_folder(dir.path())).unwrap();
    let store = engine.store();
    let now = Utc::now();
    let t = |minutes_ago: i64| (now - Duration::minutes(minutes_ago)).timestamp();
    let add = |alert: Alert, at: i64, decision: Decision, notified: Option<i64>| {
        let Stored::New(id) = store.insert_alert(&alert, at).unwrap() else {
            panic!("stored twice")
        };
        store.set_decision(id, &decision).unwrap();
        if let Some(at) = notified {
            store.mark_notified(id, at).unwrap();
        }
        id
    };
    let notify = |kind| {
        Decision::new(
            Deliver::Now,
            Reason::Notify {
                kind,
                project: "web".into(),
            },
        )
    };
    use crate::policy::AlertKind::{NewIssue, Regression};
    // web: 11 is new and notified; I resolved it 5 minutes later, Sentry confirmed 10 minutes on.
    add(
        issue_alert("created", "11", "web", None, "120"),
        t(60),
        notify(NewIssue),
        Some(t(60)),
    );
    store
        .conn()
        .execute(
            "INSERT INTO actions (org, issue_id, kind, state, created_at, updated_at) VALUES ('acme', '11', 'resolve', 'done', ?1, ?1)",
            params![t(55)],
        )
        .unwrap();
    add(
        issue_alert("resolved", "11", "web", None, "120"),
        t(50),
        Decision::new(Deliver::Suppress, Reason::ByYou),
        None,
    );
    // web: 12 regressed, notified; I muted it for me 2 minutes later. Its events make it the top.
    let regressed = add(
        issue_alert("unresolved", "12", "web", Some("regressed"), "5000"),
        t(40),
        notify(Regression),
        Some(t(40)),
    );
    engine.mute_for_me(regressed, "1h").unwrap();
    store
        .conn()
        .execute("UPDATE issue_mutes SET muted_at = ?1", params![t(38)])
        .unwrap();
    // api: 21 new, muted by a rule; 22 new, held by spike protection; 23 new, owned by me and
    // nobody's: unassigned and mine.
    let muted = Reason::Muted {
        rule: 1,
        by: crate::policy::MuteRule::Title("Error".into()),
    };
    add(
        issue_alert("created", "21", "api", None, "3"),
        t(30),
        Decision::new(Deliver::Suppress, muted),
        None,
    );
    let spike = Reason::SpikeLimit {
        limit: 10,
        project: "api".into(),
    };
    add(
        issue_alert("created", "22", "api", None, "4"),
        t(20),
        Decision::new(Deliver::Digest, spike),
        None,
    );
    let mine = Decision {
        deliver: Deliver::Now,
        reasons: vec![
            Reason::Owned {
                ownership: Ownership::Yours {
                    owner: "jane@example.com".into(),
                    line: 1,
                    rule: "path:src/* jane@example.com".into(),
                },
            },
            Reason::Notify {
                kind: NewIssue,
                project: "api".into(),
            },
        ],
    };
    add(issue_alert("created", "23", "api", None, "7"), t(10), mine, Some(t(10)));
    // Last month: outside the week, but in the plot.
    add(
        issue_alert("created", "31", "web", None, "1"),
        t(60 * 24 * 20),
        notify(NewIssue),
        Some(t(60 * 24 * 20)),
    );

    let week = store.weekly_summary(now, SummarySchedule::default(), None).unwrap();
    let counts: Vec<_> = week
        .projects
        .iter()
        .map(|p| (p.project.as_str(), p.new, p.regressed, p.resolved))
        .collect();
    assert_eq!(counts, [("api", 3, 0, 0), ("web", 1, 1, 1)]);
    assert_eq!(
        week.top.first().map(|i| i.label.as_str()),
        Some("WEB-12"),
        "{:?}",
        week.top
    );
    assert_eq!(week.top.first().and_then(|i| i.events), Some(5000));
    let unassigned: Vec<_> = week.unassigned_mine.iter().map(|i| i.label.as_str()).collect();
    assert_eq!(unassigned, ["API-23"]);
    let kept: Vec<_> = week
        .kept_back
        .iter()
        .map(|k| (k.why.as_str(), k.held, k.not_shown))
        .collect();
    assert_eq!(
        kept,
        [("muted by a rule", 0, 1), ("spike protection", 1, 0)],
        "my own resolve is not counted as kept back"
    );
    assert_eq!(week.weeks.len(), 12);
    let this = week.weeks.last().unwrap();
    assert_eq!((this.notified, this.acted, this.resolved), (3, 2, 1));
    // Median of 5 minutes (the resolve) and 2 minutes (the mute); resolved after 10.
    assert_eq!(this.to_first_action, Some(210));
    assert_eq!(this.to_resolve, Some(600));
    let earlier = &week.weeks[week.weeks.len() - 3];
    assert_eq!((earlier.notified, earlier.acted), (1, 0), "{:?}", week.weeks);
}
