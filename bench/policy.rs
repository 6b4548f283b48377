//! One policy decision with every check in play (quiet hours in a time zone, mute rules,
//! environments, ownership audience).
//!
//!     cargo bench -p engine --bench policy

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use engine::policy::{AlertKind, Facts, History, Level, Me, Preferences, decide};
use ownership::{Event, Frame, Ruleset, parse};

fn main() {
    let mut preferences = Preferences::default();
    for (k, v) in [
        ("environments", "production,staging"),
        ("audience", "owned_or_assigned"),
        (
            "quiet_hours",
            "Europe/Berlin mon-fri 22:00-07:00 sat,sun 00:00-10:00 breakthrough",
        ),
        ("mute_title", "ResizeObserver loop"),
        ("mute_culprit", "vendor/"),
        ("mute_tag", "browser=IE 11"),
        ("digest_up_to", "info"),
    ] {
        preferences.set(k, v).expect("valid setting");
    }
    let rules =
        Ruleset::compile(parse("*.js #frontend\npath:src/payments/* #payments\n").expect("rules")).expect("compile");
    let evaluation = rules.evaluate(&Event {
        frames: vec![Frame {
            filename: Some("src/payments/charge.py".into()),
            ..Default::default()
        }],
        ..Default::default()
    });
    let me = Me {
        user_id: "42".into(),
        email: "jane@example.com".into(),
        username: "jane".into(),
        name: "Jane Doe".into(),
        teams: vec!["payments".into()],
    };
    let tags = vec![("browser".to_owned(), "Firefox 120".to_owned())];
    let facts = Facts {
        kind: Some(AlertKind::NewIssue),
        project: "web",
        level: Some(Level::Error),
        environment: Some("production"),
        title: "TypeError: cannot read properties of undefined",
        culprit: Some("app/checkout"),
        tags: &tags,
        assigned_to: Some("team:search"),
        ..Default::default()
    };
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
    let rounds = 20_000;
    let mut times: Vec<Duration> = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        std::hint::black_box(decide(
            &facts,
            &preferences,
            Some(&evaluation),
            &me,
            now,
            History { notified_last_hour: 3 },
        ));
        times.push(t.elapsed());
    }
    times.sort();
    let decision = decide(
        &facts,
        &preferences,
        Some(&evaluation),
        &me,
        now,
        History { notified_last_hour: 3 },
    );
    println!(
        "policy: one decision median {:.2} µs, p99 {:.2} µs ({:?}: {})",
        times[rounds / 2].as_secs_f64() * 1e6,
        times[rounds * 99 / 100].as_secs_f64() * 1e6,
        decision.deliver,
        decision.why().join("; "),
    );
}
