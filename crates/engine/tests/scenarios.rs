//! Scenarios as a user sets things up and as Sentry really sends them: a table of (preferences,
//! the alert as Sentry's payload has it, what enrichment found) → what the user sees and why.
//! The payloads are Sentry's own examples (`testdata/sentry/`), changed only where a scenario
//! says so.

use chrono::{DateTime, TimeZone, Utc};
use engine::Alert;
use engine::policy::{Deliver, EnvironmentUnknown, History, Me, Preferences, Subscription, SubscriptionReason, decide};
use ownership::{Event, Ruleset, parse};
use serde_json::{Value, json};

fn me() -> Me {
    Me {
        user_id: "42".into(),
        email: "jane@example.com".into(),
        username: "jane".into(),
        name: "Jane Doe".into(),
        teams: vec!["payments".into()],
    }
}

/// Sentry's example webhook body `name`, changed by `change`.
fn sent(name: &str, change: impl FnOnce(&mut Value)) -> Alert {
    let path = format!("{}/../../testdata/sentry/{name}", env!("CARGO_MANIFEST_DIR"));
    let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut body = doc["body"].clone();
    change(&mut body);
    Alert::from_json_file(&serde_json::to_vec(&body).unwrap()).unwrap()
}

fn issue_created(change: impl FnOnce(&mut Value)) -> Alert {
    sent("webhook.issue.created.json", |body| change(&mut body["data"]["issue"]))
}

/// What enrichment found for the alert.
#[derive(Default)]
struct Found {
    environment: Option<&'static str>,
    environment_unknown: Option<EnvironmentUnknown>,
    /// Sentry's ownership rules for the project, and the frames of the issue's latest event.
    ownership: Option<(&'static str, Value)>,
    notified_last_hour: u32,
    /// Whether Sentry has me subscribed to the issue.
    subscription: Subscription,
}

struct Scenario {
    name: &'static str,
    prefs: &'static [(&'static str, &'static str)],
    alert: Alert,
    found: Found,
    at: DateTime<Utc>,
    deliver: Deliver,
    /// The reason that decided.
    why: &'static str,
    /// Another reason the user is told, where a scenario turns on it ("" for none).
    because: &'static str,
}

/// A Tuesday noon in Berlin.
fn tuesday_noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 11, 0, 0).unwrap()
}

/// 23:30 on a Tuesday in Berlin.
fn tuesday_night() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 22, 30, 0).unwrap()
}

fn frames(filename: &str) -> Value {
    json!({"platform": "python", "entries": [{"type": "exception", "data": {"values": [{"stacktrace": {"frames": [
        {"filename": filename, "absPath": format!("/srv/{filename}"), "inApp": true}
    ]}}]}}]})
}

fn scenarios() -> Vec<Scenario> {
    let plain = || issue_created(|_| {});
    vec![
        Scenario {
            name: "production only, an issue first seen in staging",
            prefs: &[("environments", "production")],
            alert: plain(),
            found: Found {
                environment: Some("staging"),
                ..Found::default()
            },
            at: tuesday_noon(),
            deliver: Deliver::Suppress,
            why: "environment staging is not watched (only production)",
            because: "",
        },
        Scenario {
            name: "production only, an issue in production",
            prefs: &[("environments", "production")],
            alert: plain(),
            found: Found {
                environment: Some("production"),
                ..Found::default()
            },
            at: tuesday_noon(),
            deliver: Deliver::Now,
            why: "new issues in front-end",
            because: "environment production is watched",
        },
        Scenario {
            name: "production only, and Sentry cannot say which environment",
            prefs: &[("environments", "production")],
            alert: plain(),
            found: Found {
                environment_unknown: Some(EnvironmentUnknown::Unreachable),
                ..Found::default()
            },
            at: tuesday_noon(),
            deliver: Deliver::Now,
            why: "new issues in front-end",
            because: "environment unknown (Sentry unreachable)",
        },
        Scenario {
            name: "production only, an error event from production (the event says)",
            prefs: &[("environments", "production")],
            alert: sent("webhook.event_alert.triggered.json", |body| {
                body["data"]["event"]["environment"] = "production".into();
            }),
            found: Found::default(),
            at: tuesday_noon(),
            deliver: Deliver::Now,
            why: "alert rules firing in front-end",
            because: "",
        },
        Scenario {
            name: "mute this message",
            prefs: &[("mute_message", "blooopy is not defined")],
            alert: plain(),
            found: Found::default(),
            at: tuesday_noon(),
            deliver: Deliver::Suppress,
            why: "muted by rule 1: message contains \"blooopy is not defined\"",
            because: "",
        },
        Scenario {
            name: "mute the browser noise everyone has (a glob over the message)",
            prefs: &[("mute_message", "ResizeObserver loop*")],
            alert: issue_created(|issue| {
                issue["title"] = "Error: ResizeObserver loop completed with undelivered notifications.".into();
                issue["metadata"]["value"] = "ResizeObserver loop completed with undelivered notifications.".into();
            }),
            found: Found::default(),
            at: tuesday_noon(),
            deliver: Deliver::Suppress,
            why: "muted by rule 1: message matches \"ResizeObserver loop*\"",
            because: "",
        },
        Scenario {
            name: "only what my team owns, and the payments code is ours",
            prefs: &[("audience", "owned")],
            alert: plain(),
            found: Found {
                ownership: Some((
                    "path:src/payments/* #payments\n*.js #frontend",
                    frames("src/payments/charge.py"),
                )),
                ..Found::default()
            },
            at: tuesday_noon(),
            deliver: Deliver::Now,
            why: "new issues in front-end",
            because: "owned by #payments via rule 1: path:src/payments/* #payments",
        },
        Scenario {
            name: "only what my team owns, and the front end's code is not",
            prefs: &[("audience", "owned")],
            alert: plain(),
            found: Found {
                ownership: Some(("path:src/payments/* #payments\n*.js #frontend", frames("src/ui/app.js"))),
                ..Found::default()
            },
            at: tuesday_noon(),
            deliver: Deliver::Suppress,
            why: "owned by #frontend, not you or your teams",
            because: "",
        },
        Scenario {
            name: "only issues assigned to me, and this one is",
            prefs: &[("audience", "assigned")],
            alert: issue_created(|issue| issue["assignedTo"] = json!({"type": "user", "id": "42", "name": "Jane"})),
            found: Found::default(),
            at: tuesday_noon(),
            deliver: Deliver::Now,
            why: "new issues in front-end",
            because: "",
        },
        Scenario {
            name: "only issues assigned to me, and this one is a teammate's",
            prefs: &[("audience", "assigned")],
            alert: issue_created(|issue| issue["assignedTo"] = json!({"type": "user", "id": "7", "name": "Sam"})),
            found: Found::default(),
            at: tuesday_noon(),
            deliver: Deliver::Suppress,
            why: "assigned to 7, not you",
            because: "",
        },
        Scenario {
            name: "quiet at night, an error waits for the morning",
            prefs: &[("quiet_hours", "Europe/Berlin mon-fri 22:00-07:00 breakthrough")],
            alert: plain(),
            found: Found::default(),
            at: tuesday_night(),
            deliver: Deliver::Digest,
            why: "quiet hours until 07:00",
            because: "",
        },
        Scenario {
            name: "quiet at night, but a fatal crash breaks through",
            prefs: &[("quiet_hours", "Europe/Berlin mon-fri 22:00-07:00 breakthrough")],
            alert: issue_created(|issue| issue["level"] = "fatal".into()),
            found: Found::default(),
            at: tuesday_night(),
            deliver: Deliver::Now,
            why: "new issues in front-end",
            because: "fatal breaks through quiet hours",
        },
        Scenario {
            name: "warnings in a digest, errors at once: a warning",
            prefs: &[("min_level", "warning"), ("digest_up_to", "warning")],
            alert: issue_created(|issue| issue["level"] = "warning".into()),
            found: Found::default(),
            at: tuesday_noon(),
            deliver: Deliver::Digest,
            why: "warning goes into the digest (up to warning)",
            because: "",
        },
        Scenario {
            name: "a release breaks things: the eleventh new issue this hour",
            prefs: &[("spike_limit", "10")],
            alert: plain(),
            found: Found {
                notified_last_hour: 10,
                ..Found::default()
            },
            at: tuesday_noon(),
            deliver: Deliver::Digest,
            why: "spike limit 10/h reached for front-end: into the summary",
            because: "",
        },
        Scenario {
            name: "someone else resolved an issue I commented on, and I asked to hear of it",
            prefs: &[("kinds", "new_issue,state_changed")],
            alert: sent("webhook.issue.resolved.json", |_| {}),
            found: Found {
                subscription: Subscription::Yes {
                    because: Some(SubscriptionReason::Commented),
                },
                ..Found::default()
            },
            at: tuesday_noon(),
            deliver: Deliver::Now,
            why: "changes made by others in front-end",
            because: "you are subscribed to it in Sentry (you commented on it)",
        },
        Scenario {
            name: "someone else resolved an issue I never touched",
            prefs: &[("kinds", "new_issue,state_changed")],
            alert: sent("webhook.issue.resolved.json", |_| {}),
            found: Found {
                subscription: Subscription::No,
                ..Found::default()
            },
            at: tuesday_noon(),
            deliver: Deliver::Suppress,
            why: "not an issue of yours: it is assigned to nobody, and you are not subscribed to it",
            because: "",
        },
        Scenario {
            name: "a comment on an issue nobody has taken",
            prefs: &[],
            alert: sent("webhook.comment.created.json", |_| {}),
            found: Found {
                subscription: Subscription::No,
                ..Found::default()
            },
            at: tuesday_noon(),
            deliver: Deliver::Suppress,
            why: "not an issue of yours: it is assigned to nobody, and you are not subscribed to it",
            because: "",
        },
        Scenario {
            name: "a comment that hands an issue to my team, as Sentry's comment box writes it",
            prefs: &[("audience", "owned")],
            alert: sent("webhook.comment.created.json", |body| {
                body["data"]["comment"] = "**#payments** can you take this?".into();
            }),
            found: Found::default(),
            at: tuesday_noon(),
            deliver: Deliver::Now,
            why: "mentions of you or your teams in sentry",
            because: "it mentions your team #payments",
        },
    ]
}

#[test]
fn what_a_user_sees_for_what_sentry_sends() {
    for scenario in scenarios() {
        let mut prefs = Preferences::default();
        for (key, value) in scenario.prefs {
            prefs
                .set(key, value)
                .unwrap_or_else(|e| panic!("{}: {e}", scenario.name));
        }
        let mut alert = scenario.alert.clone();
        if let Some(environment) = scenario.found.environment {
            alert.environment = Some(environment.to_owned());
        }
        let me = me();
        let mut facts = alert.facts(&me);
        facts.environment_unknown = scenario.found.environment_unknown;
        facts.subscription = scenario.found.subscription;
        let evaluation = scenario.found.ownership.as_ref().map(|(rules, event)| {
            let rules = Ruleset::compile(parse(rules).unwrap()).unwrap();
            rules.evaluate(&Event::from_json(event).unwrap())
        });
        let history = History {
            notified_last_hour: scenario.found.notified_last_hour,
        };
        let decision = decide(&facts, &prefs, evaluation.as_ref(), &me, scenario.at, history);
        assert_eq!(
            decision.deliver,
            scenario.deliver,
            "{}: {:?}",
            scenario.name,
            decision.why()
        );
        let why = decision.why();
        assert_eq!(why.last().unwrap(), scenario.why, "{}: {why:?}", scenario.name);
        if !scenario.because.is_empty() {
            assert!(why.iter().any(|r| r == scenario.because), "{}: {why:?}", scenario.name);
        }
    }
}
