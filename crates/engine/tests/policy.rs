//! The policy, table-driven: preferences × alert kinds × levels × the clock, including time
//! zones and daylight-saving changes for quiet hours.

use chrono::{DateTime, TimeZone, Utc};
use engine::policy::{
    AlertKind, Audience, Decision, Deliver, Facts, History, Level, Me, Mention, Preferences, Subscription,
    SubscriptionReason, decide,
};
use ownership::{Event, Frame, Ruleset, parse};

fn me() -> Me {
    Me {
        user_id: "42".into(),
        email: "jane@example.com".into(),
        username: "jane".into(),
        name: "Jane Doe".into(),
        teams: vec!["payments".into()],
    }
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

/// A Tuesday noon, outside any quiet hours used here.
fn noon() -> DateTime<Utc> {
    utc(2026, 11, 24, 12, 0)
}

fn facts(kind: AlertKind, level: Level) -> Facts<'static> {
    Facts {
        kind: Some(kind),
        project: "web",
        level: Some(level),
        title: "TypeError: x is undefined",
        ..Default::default()
    }
}

fn run(facts: &Facts, prefs: &Preferences, now: DateTime<Utc>) -> Decision {
    decide(facts, prefs, None, &me(), now, History::default())
}

fn prefs(settings: &[(&str, &str)]) -> Preferences {
    let mut p = Preferences::default();
    for (k, v) in settings {
        p.set(k, v).unwrap();
    }
    p
}

#[test]
fn every_kind_and_level_against_every_minimum() {
    let levels = [Level::Debug, Level::Info, Level::Warning, Level::Error, Level::Fatal];
    for kind in AlertKind::ALL {
        for level in levels {
            for min in levels {
                let all = "new_issue,regression,escalating,event_alert,metric_alert,assigned_to_me,mentioned,comment_on_my_issue,state_changed,release,deploy,regressed_in_release";
                let p = prefs(&[("min_level", min.name()), ("kinds", all)]);
                // Assigned to me, so a comment is on my issue.
                let mine = Facts {
                    assigned_to: Some("user:42"),
                    ..facts(kind, level)
                };
                let d = run(&mine, &p, noon());
                // Metric alerts, releases and deploys have no level of their own.
                let levelless = kind == AlertKind::MetricAlert || kind.is_project_news();
                let want = if levelless || level >= min {
                    Deliver::Now
                } else {
                    Deliver::Suppress
                };
                assert_eq!(
                    d.deliver, want,
                    "{kind:?} {level:?} with minimum {min:?}: {:?}",
                    d.reasons
                );
                if want == Deliver::Suppress {
                    assert_eq!(
                        d.why().last().unwrap(),
                        &format!("level {} is below the minimum {} for web", level.name(), min.name())
                    );
                }
                // The same alert with its kind turned off never notifies (a mention, a comment
                // too, only with comments off as well).
                let name = serde_json::to_value(kind).unwrap();
                let off: Vec<&str> = vec![
                    "new_issue",
                    "regression",
                    "escalating",
                    "event_alert",
                    "metric_alert",
                    "assigned_to_me",
                    "mentioned",
                    "comment_on_my_issue",
                    "state_changed",
                    "release",
                    "deploy",
                    "regressed_in_release",
                ]
                .into_iter()
                .filter(|k| name != *k && !(kind == AlertKind::Mentioned && *k == "comment_on_my_issue"))
                .collect();
                let p = prefs(&[("min_level", min.name()), ("kinds", &off.join(","))]);
                assert_eq!(run(&mine, &p, noon()).deliver, Deliver::Suppress);
            }
        }
    }
}

#[test]
fn each_setting_decides_with_its_reason() {
    let base = facts(AlertKind::NewIssue, Level::Error);
    let tags = vec![("browser".to_owned(), "IE 11".to_owned())];
    let cases: Vec<(&str, Preferences, Facts, Deliver, &str)> = vec![
        (
            "defaults",
            Preferences::default(),
            base.clone(),
            Deliver::Now,
            "new issues in web",
        ),
        (
            "project off",
            prefs(&[("enabled", "off")]),
            base.clone(),
            Deliver::Suppress,
            "notifications for web are off",
        ),
        (
            "snoozed",
            prefs(&[("snooze_until", "2026-11-24T13:00:00Z")]),
            base.clone(),
            Deliver::Suppress,
            "snoozed until 2026-11-24 13:00 UTC",
        ),
        (
            "snooze over",
            prefs(&[("snooze_until", "2026-11-24T11:00:00Z")]),
            base.clone(),
            Deliver::Now,
            "new issues in web",
        ),
        (
            "environment watched",
            prefs(&[("environments", "production")]),
            Facts {
                environment: Some("production"),
                ..base.clone()
            },
            Deliver::Now,
            "new issues in web",
        ),
        (
            "environment not watched",
            prefs(&[("environments", "production")]),
            Facts {
                environment: Some("staging"),
                ..base.clone()
            },
            Deliver::Suppress,
            "environment staging is not watched (only production)",
        ),
        (
            "no environment",
            prefs(&[("environments", "production")]),
            base.clone(),
            Deliver::Suppress,
            "environment (none) is not watched (only production)",
        ),
        (
            "muted title",
            prefs(&[("mute_title", "typeerror")]),
            base.clone(),
            Deliver::Suppress,
            "muted by rule 1: title contains \"typeerror\"",
        ),
        (
            "muted by a glob",
            prefs(&[("mute_culprit", "vendor/*")]),
            Facts {
                culprit: Some("Vendor/lib.js in x"),
                ..base.clone()
            },
            Deliver::Suppress,
            "muted by rule 1: culprit matches \"vendor/*\"",
        ),
        (
            "a glob covers the whole text",
            prefs(&[("mute_culprit", "vendor/*")]),
            Facts {
                culprit: Some("app/vendor/lib.js"),
                ..base.clone()
            },
            Deliver::Now,
            "new issues in web",
        ),
        (
            "muted tag",
            prefs(&[("mute_culprit", "vendor"), ("mute_tag", "browser=IE 11")]),
            Facts {
                tags: &tags,
                ..base.clone()
            },
            Deliver::Suppress,
            "muted by rule 2: tag browser=IE 11",
        ),
        (
            "my own change",
            prefs(&[("kinds", "new_issue,state_changed")]),
            Facts {
                kind: Some(AlertKind::StateChanged),
                by_me: true,
                ..base.clone()
            },
            Deliver::Suppress,
            "you made this change yourself",
        ),
        (
            "others' changes are off by default",
            Preferences::default(),
            Facts {
                kind: Some(AlertKind::StateChanged),
                ..base.clone()
            },
            Deliver::Suppress,
            "changes made by others are turned off for web",
        ),
        (
            "someone else's change to an issue I am subscribed to",
            prefs(&[("kinds", "new_issue,state_changed")]),
            Facts {
                kind: Some(AlertKind::StateChanged),
                subscription: Subscription::Yes {
                    because: Some(SubscriptionReason::Commented),
                },
                ..base.clone()
            },
            Deliver::Now,
            "changes made by others in web",
        ),
        (
            "someone else's change to my team's issue",
            prefs(&[("kinds", "new_issue,state_changed"), ("audience", "owned")]),
            Facts {
                kind: Some(AlertKind::StateChanged),
                assigned_to: Some("team:payments"),
                subscription: Subscription::No,
                ..base.clone()
            },
            Deliver::Now,
            "changes made by others in web",
        ),
        (
            "someone else's change to an issue not mine",
            prefs(&[("kinds", "new_issue,state_changed")]),
            Facts {
                kind: Some(AlertKind::StateChanged),
                assigned_to: Some("user:7"),
                subscription: Subscription::No,
                ..base.clone()
            },
            Deliver::Suppress,
            "not an issue of yours: assigned to 7, not you, and you are not subscribed to it",
        ),
        (
            "someone else's change where Sentry could not be asked",
            prefs(&[("kinds", "new_issue,state_changed")]),
            Facts {
                kind: Some(AlertKind::StateChanged),
                ..base.clone()
            },
            Deliver::Suppress,
            "not an issue of yours: it is assigned to nobody, and whether you are subscribed to it could not be read from Sentry",
        ),
        (
            "a mention of my team",
            prefs(&[("audience", "owned")]),
            Facts {
                kind: Some(AlertKind::Mentioned),
                mention: Some(Mention::YourTeam {
                    team: "payments".into(),
                }),
                ..base.clone()
            },
            Deliver::Now,
            "mentions of you or your teams in web",
        ),
        (
            "a mention with mentions off is a comment on my issue",
            prefs(&[("kinds", "new_issue,comment_on_my_issue")]),
            Facts {
                kind: Some(AlertKind::Mentioned),
                mention: Some(Mention::You),
                subscription: Subscription::Yes { because: None },
                ..base.clone()
            },
            Deliver::Now,
            "comments on your issues in web",
        ),
        (
            "a mention with mentions and comments off",
            prefs(&[("kinds", "new_issue")]),
            Facts {
                kind: Some(AlertKind::Mentioned),
                mention: Some(Mention::You),
                ..base.clone()
            },
            Deliver::Suppress,
            "mentions of you or your teams are turned off for web",
        ),
        (
            "my own mention of my team",
            Preferences::default(),
            Facts {
                kind: Some(AlertKind::Mentioned),
                mention: Some(Mention::YourTeam {
                    team: "payments".into(),
                }),
                by_me: true,
                ..base.clone()
            },
            Deliver::Suppress,
            "you made this change yourself",
        ),
        (
            "assigned to my team by someone else",
            prefs(&[("audience", "owned")]),
            Facts {
                kind: Some(AlertKind::AssignedToMe),
                assigned_to: Some("team:payments"),
                ..base.clone()
            },
            Deliver::Now,
            "issues assigned to you or your teams in web",
        ),
        (
            "assigned by me",
            Preferences::default(),
            Facts {
                kind: Some(AlertKind::AssignedToMe),
                assigned_to: Some("user:42"),
                by_me: true,
                ..base.clone()
            },
            Deliver::Suppress,
            "you made this change yourself",
        ),
        (
            "unknown kind",
            Preferences::default(),
            Facts {
                kind: None,
                ..base.clone()
            },
            Deliver::Suppress,
            "not a kind of alert that notifies",
        ),
        (
            "digest low levels",
            prefs(&[("min_level", "info"), ("digest_up_to", "warning")]),
            facts(AlertKind::NewIssue, Level::Info),
            Deliver::Digest,
            "info goes into the digest (up to warning)",
        ),
        (
            "digest spares errors",
            prefs(&[("digest_up_to", "warning")]),
            base.clone(),
            Deliver::Now,
            "new issues in web",
        ),
        (
            "assigned: to me",
            prefs(&[("audience", "assigned")]),
            Facts {
                assigned_to: Some("user:42"),
                ..base.clone()
            },
            Deliver::Now,
            "new issues in web",
        ),
        (
            "assigned: by e-mail",
            prefs(&[("audience", "assigned")]),
            Facts {
                assigned_to: Some("Jane@Example.com"),
                ..base.clone()
            },
            Deliver::Now,
            "new issues in web",
        ),
        (
            "assigned: my team",
            prefs(&[("audience", "assigned")]),
            Facts {
                assigned_to: Some("team:payments"),
                ..base.clone()
            },
            Deliver::Now,
            "new issues in web",
        ),
        (
            "assigned: other team",
            prefs(&[("audience", "assigned")]),
            Facts {
                assigned_to: Some("team:search"),
                ..base.clone()
            },
            Deliver::Suppress,
            "assigned to #search, not one of your teams",
        ),
        (
            "assigned: nobody",
            prefs(&[("audience", "assigned")]),
            base.clone(),
            Deliver::Suppress,
            "it is assigned to nobody",
        ),
        (
            "assigned-to-me kind always passes",
            prefs(&[("audience", "owned")]),
            facts(AlertKind::AssignedToMe, Level::Error),
            Deliver::Now,
            "issues assigned to you or your teams in web",
        ),
        (
            "owned without rules",
            prefs(&[("audience", "owned")]),
            base.clone(),
            Deliver::Suppress,
            "the project's ownership rules are not known",
        ),
        (
            "comment on my issue",
            Preferences::default(),
            Facts {
                kind: Some(AlertKind::CommentOnMyIssue),
                assigned_to: Some("user:42"),
                ..base.clone()
            },
            Deliver::Now,
            "comments on your issues in web",
        ),
        (
            "comment on my team's issue",
            Preferences::default(),
            Facts {
                kind: Some(AlertKind::CommentOnMyIssue),
                assigned_to: Some("team:payments"),
                ..base.clone()
            },
            Deliver::Now,
            "comments on your issues in web",
        ),
        (
            "comment on someone else's issue",
            Preferences::default(),
            Facts {
                kind: Some(AlertKind::CommentOnMyIssue),
                assigned_to: Some("user:7"),
                ..base.clone()
            },
            Deliver::Suppress,
            "not an issue of yours: assigned to 7, not you, and whether you are subscribed to it could not be read from Sentry",
        ),
        (
            "my own comment",
            Preferences::default(),
            Facts {
                kind: Some(AlertKind::CommentOnMyIssue),
                assigned_to: Some("user:42"),
                by_me: true,
                ..base.clone()
            },
            Deliver::Suppress,
            "you made this change yourself",
        ),
    ];
    for (name, p, f, want, reason) in cases {
        let d = run(&f, &p, noon());
        assert_eq!(d.deliver, want, "{name}: {:?}", d.reasons);
        assert_eq!(
            d.why().last().map(String::as_str),
            Some(reason),
            "{name}: {:?}",
            d.reasons
        );
    }
}

#[test]
fn ownership_decides_with_the_rule_that_made_it_mine() {
    let rules = parse("*.js #frontend\n# payments\npath:src/payments/* #payments\n").unwrap();
    let ruleset = Ruleset::compile(rules).unwrap();
    let frame = |f: &str| Event {
        frames: vec![Frame {
            filename: Some(f.into()),
            ..Default::default()
        }],
        ..Default::default()
    };
    let mine = ruleset.evaluate(&frame("src/payments/charge.py"));
    let theirs = ruleset.evaluate(&frame("src/ui/app.js"));
    let none = ruleset.evaluate(&frame("README"));
    let base = facts(AlertKind::NewIssue, Level::Error);
    for (audience, evaluation, want, reason) in [
        (
            Audience::Owned,
            &mine,
            Deliver::Now,
            "owned by #payments via rule 3: path:src/payments/* #payments",
        ),
        (
            Audience::Owned,
            &theirs,
            Deliver::Suppress,
            "owned by #frontend, not you or your teams",
        ),
        (
            Audience::Owned,
            &none,
            Deliver::Suppress,
            "no ownership rule matches it",
        ),
        (
            Audience::OwnedOrAssigned,
            &theirs,
            Deliver::Suppress,
            "it is assigned to nobody; owned by #frontend, not you or your teams",
        ),
    ] {
        let p = Preferences {
            audience,
            ..Default::default()
        };
        let d = decide(&base, &p, Some(evaluation), &me(), noon(), History::default());
        assert_eq!(d.deliver, want, "{audience:?}: {:?}", d.reasons);
        assert!(d.why().iter().any(|r| r == reason), "{audience:?}: {:?}", d.reasons);
    }
}

#[test]
fn spike_protection_sends_the_rest_to_the_summary_but_not_what_is_urgent() {
    let p = prefs(&[("spike_limit", "10")]);
    let at = |n| {
        decide(
            &facts(AlertKind::NewIssue, Level::Error),
            &p,
            None,
            &me(),
            noon(),
            History { notified_last_hour: n },
        )
    };
    assert_eq!(at(9).deliver, Deliver::Now);
    let d = at(10);
    assert_eq!(d.deliver, Deliver::Digest);
    assert_eq!(
        d.why().last().unwrap(),
        "spike limit 10/h reached for web: into the summary"
    );
    let fatal = decide(
        &facts(AlertKind::NewIssue, Level::Fatal),
        &p,
        None,
        &me(),
        noon(),
        History { notified_last_hour: 50 },
    );
    assert_eq!(fatal.deliver, Deliver::Now);
}

#[test]
fn quiet_hours_follow_the_users_zone_and_weekdays() {
    // Berlin is UTC+1 in November.
    let p = prefs(&[("quiet_hours", "Europe/Berlin mon-fri 22:00-07:00 breakthrough")]);
    let error = facts(AlertKind::NewIssue, Level::Error);
    let cases = [
        (
            "Tuesday 23:00 Berlin",
            utc(2026, 11, 24, 22, 0),
            Deliver::Digest,
            Some("quiet hours until 07:00"),
        ),
        ("Tuesday 21:59 Berlin", utc(2026, 11, 24, 20, 59), Deliver::Now, None),
        (
            "Wednesday 06:59 Berlin",
            utc(2026, 11, 25, 5, 59),
            Deliver::Digest,
            Some("quiet hours until 07:00"),
        ),
        ("Wednesday 07:00 Berlin", utc(2026, 11, 25, 6, 0), Deliver::Now, None),
        (
            "Saturday 06:00 Berlin: Friday's night",
            utc(2026, 11, 28, 5, 0),
            Deliver::Digest,
            Some("quiet hours until 07:00"),
        ),
        (
            "Saturday 23:00 Berlin: no window",
            utc(2026, 11, 28, 22, 0),
            Deliver::Now,
            None,
        ),
        (
            "Monday 01:00 Berlin: Sunday has no window",
            utc(2026, 11, 30, 0, 0),
            Deliver::Now,
            None,
        ),
    ];
    for (name, now, want, reason) in cases {
        let d = run(&error, &p, now);
        assert_eq!(d.deliver, want, "{name}: {:?}", d.reasons);
        if let Some(reason) = reason {
            assert_eq!(d.why().last().unwrap(), reason, "{name}");
        }
    }
    let fatal = run(&facts(AlertKind::NewIssue, Level::Fatal), &p, utc(2026, 11, 24, 22, 0));
    assert_eq!(fatal.deliver, Deliver::Now);
    assert!(
        fatal.why().contains(&"fatal breaks through quiet hours".to_owned()),
        "{:?}",
        fatal.reasons
    );
    let critical = Facts {
        critical: true,
        ..facts(AlertKind::MetricAlert, Level::Error)
    };
    assert_eq!(run(&critical, &p, utc(2026, 11, 24, 22, 0)).deliver, Deliver::Now);
    let no_breakthrough = prefs(&[("quiet_hours", "Europe/Berlin mon-fri 22:00-07:00")]);
    assert_eq!(
        run(
            &facts(AlertKind::NewIssue, Level::Fatal),
            &no_breakthrough,
            utc(2026, 11, 24, 22, 0)
        )
        .deliver,
        Deliver::Digest
    );
}

#[test]
fn quiet_hours_across_daylight_saving_changes() {
    let error = facts(AlertKind::NewIssue, Level::Error);
    // 2026-03-29, Berlin: 02:00 CET jumps to 03:00 CEST. A window starting in the skipped hour
    // starts when the clock reaches 03:00 (01:00 UTC).
    let spring = prefs(&[("quiet_hours", "Europe/Berlin sun 02:30-04:00")]);
    assert_eq!(
        run(&error, &spring, utc(2026, 3, 29, 0, 59)).deliver,
        Deliver::Now,
        "01:59 CET"
    );
    assert_eq!(
        run(&error, &spring, utc(2026, 3, 29, 1, 0)).deliver,
        Deliver::Digest,
        "03:00 CEST"
    );
    assert_eq!(
        run(&error, &spring, utc(2026, 3, 29, 1, 59)).deliver,
        Deliver::Digest,
        "03:59 CEST"
    );
    assert_eq!(
        run(&error, &spring, utc(2026, 3, 29, 2, 0)).deliver,
        Deliver::Now,
        "04:00 CEST"
    );
    // A night window over the change is an hour shorter in real time, and still ends at 07:00.
    let night = prefs(&[("quiet_hours", "Europe/Berlin sat 22:00-07:00")]);
    assert_eq!(
        run(&error, &night, utc(2026, 3, 28, 21, 0)).deliver,
        Deliver::Digest,
        "Sat 22:00 CET"
    );
    let d = run(&error, &night, utc(2026, 3, 29, 4, 59));
    assert_eq!(
        (d.deliver, d.why().last().unwrap().as_str()),
        (Deliver::Digest, "quiet hours until 07:00"),
        "Sun 06:59 CEST"
    );
    assert_eq!(
        run(&error, &night, utc(2026, 3, 29, 5, 0)).deliver,
        Deliver::Now,
        "Sun 07:00 CEST"
    );
    // 2026-10-25, Berlin: 03:00 CEST falls back to 02:00 CET; 01:00-02:30 ends at the first 02:30.
    let autumn = prefs(&[("quiet_hours", "Europe/Berlin sun 01:00-02:30")]);
    assert_eq!(
        run(&error, &autumn, utc(2026, 10, 24, 23, 30)).deliver,
        Deliver::Digest,
        "01:30 CEST"
    );
    assert_eq!(
        run(&error, &autumn, utc(2026, 10, 25, 0, 29)).deliver,
        Deliver::Digest,
        "02:29 CEST"
    );
    assert_eq!(
        run(&error, &autumn, utc(2026, 10, 25, 0, 30)).deliver,
        Deliver::Now,
        "02:30 CEST, the first"
    );
    // The same wall-clock hours in another zone are other instants.
    let new_york = prefs(&[("quiet_hours", "America/New_York mon-fri 22:00-07:00")]);
    assert_eq!(
        run(&error, &new_york, utc(2026, 11, 24, 22, 0)).deliver,
        Deliver::Now,
        "17:00 in New York"
    );
    assert_eq!(
        run(&error, &new_york, utc(2026, 11, 25, 3, 0)).deliver,
        Deliver::Digest,
        "22:00 in New York"
    );
}

#[test]
fn bad_quiet_hours_are_refused_with_what_is_expected() {
    let mut p = Preferences::default();
    for (value, expected) in [
        ("Mars/Olympus mon 22:00-07:00", "is not a time zone name"),
        ("Europe/Berlin someday 22:00-07:00", "is not days"),
        ("Europe/Berlin mon 25:00-07:00", "is not HH:MM"),
        ("Europe/Berlin mon", "expected DAYS HH:MM-HH:MM pairs"),
    ] {
        let err = p.set("quiet_hours", value).unwrap_err().to_string();
        assert!(err.contains(expected), "{value}: {err}");
    }
}
