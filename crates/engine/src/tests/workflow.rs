//! Workflow alerts decided live against the stand-in, as Sentry sends them: comments, mentions,
//! assignments and others' changes are mine when the issue is assigned to me or my team, or Sentry
//! has me subscribed to it (its `isSubscribed`, read with my token), and never when I did it.

use sentry_standin::{Flavour, StandIn};
use serde_json::json;

use crate::alert::Alert;
use crate::api::Engine;
use crate::daemon::decide_for;
use crate::enrich::Enricher;
use crate::policy::{Decision, Deliver, Preferences};

const TOKEN: &str = "sntryu_workflow_token";

async fn decision(enricher: &Enricher, alert: &Alert) -> Decision {
    decide_for(enricher, alert, chrono::Utc::now()).await.unwrap().decision
}

/// An enricher whose `web` project has `prefs`; the stand-in's token is Jane Doe's (user 1, of
/// team #payments).
fn setup(sentry: &StandIn, prefs: &Preferences) -> (tempfile::TempDir, Enricher) {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(super::sentry_at(&sentry.url(), TOKEN, dir.path())).unwrap();
    engine.store().set_preferences("web", prefs).unwrap();
    (dir, Enricher::new(engine))
}

fn prefs(kinds: &str) -> Preferences {
    let mut prefs = Preferences::default();
    prefs.set("kinds", kinds).unwrap();
    prefs
}

/// What Sentry's comment webhook says: Sam (user 5) wrote `text` on `issue`.
fn comment(issue: &str, text: &str) -> Alert {
    let comment = sentry_api::Comment {
        action: "created".into(),
        comment_id: format!("c{issue}-{}", text.len()),
        issue_id: issue.into(),
        project: Some("web".into()),
        text: text.into(),
        actor_user_id: Some("5".into()),
        actor_name: Some("Sam".into()),
    };
    Alert::from_comment(&comment, Some("acme"), b"{}")
}

/// An `issue.<action>` webhook made by `actor`, its issue assigned as `assigned_to` says. The
/// webhook's own `isSubscribed` is the integration's and must not count.
fn change(action: &str, issue: &str, assigned_to: serde_json::Value, actor: &str) -> Alert {
    let issue: sentry_api::Issue = serde_json::from_value(json!({
        "id": issue, "title": format!("Error {issue}"), "level": "error", "status": "resolved",
        "lastSeen": "2026-12-03T10:00:00Z", "project": {"id": "1", "slug": "web", "name": "web"},
        "assignedTo": assigned_to, "isSubscribed": true
    }))
    .unwrap();
    Alert::from_issue_webhook(action, &issue, Some(actor.into()), Some("acme"), b"{}")
}

fn issues(sentry: &StandIn) {
    sentry.set_issues(vec![
        json!({"id": "8", "title": "Assigned to me", "assignedTo": {"type": "user", "id": "1", "name": "Jane Doe"},
               "isSubscribed": true, "subscriptionDetails": {"reason": "assigned"}, "project": {"slug": "web"}}),
        json!({"id": "9", "title": "Sam's", "assignedTo": {"type": "user", "id": "7", "name": "Sam"},
               "isSubscribed": false, "subscriptionDetails": null, "project": {"slug": "web"}}),
        json!({"id": "10", "title": "I commented", "assignedTo": null,
               "isSubscribed": true, "subscriptionDetails": {"reason": "commented"}, "project": {"slug": "web"}}),
        json!({"id": "11", "title": "My team's", "assignedTo": {"type": "team", "id": "3", "name": "payments"},
               "isSubscribed": false, "subscriptionDetails": {"disabled": true}, "project": {"slug": "web"}}),
    ]);
}

fn assert_decided(decision: &Decision, deliver: Deliver, why: &str, what: &str) {
    assert_eq!(decision.deliver, deliver, "{what}: {:?}", decision.why());
    assert!(
        decision.why().iter().any(|reason| reason == why),
        "{what}: {why:?} not in {:?}",
        decision.why()
    );
}

#[tokio::test]
async fn comments_notify_on_issues_assigned_to_me_or_my_team_or_that_i_am_subscribed_to() {
    testkit::tls();
    let sentry = StandIn::start(TOKEN).await;
    issues(&sentry);
    // The project follows only what it owns: comments are personal and pass anyway.
    let mut owned = Preferences::default();
    owned.set("audience", "owned").unwrap();
    let (_dir, enricher) = setup(&sentry, &owned);
    for (issue, deliver, why) in [
        ("8", Deliver::Now, "assigned to you"),
        ("11", Deliver::Now, "assigned to your team #payments"),
        (
            "10",
            Deliver::Now,
            "you are subscribed to it in Sentry (you commented on it)",
        ),
        (
            "9",
            Deliver::Suppress,
            "not an issue of yours: assigned to 7, not you, and you are not subscribed to it",
        ),
    ] {
        let decided = decision(&enricher, &comment(issue, "any idea?")).await;
        assert_decided(&decided, deliver, why, &format!("a comment on issue {issue}"));
    }
    // Each issue was read once, however many alerts it has within a minute.
    decision(&enricher, &comment("9", "still there?")).await;
    let reads = |id: &str| {
        let path = format!("/api/0/organizations/acme/issues/{id}/");
        sentry.requests().iter().filter(|r| r.path == path).count()
    };
    assert_eq!(reads("9"), 1, "the issue is read once a minute at most");
}

#[tokio::test]
async fn a_mention_of_me_or_my_team_notifies_on_any_issue_and_falls_back_to_comments() {
    testkit::tls();
    let sentry = StandIn::start(TOKEN).await;
    issues(&sentry);
    let (_dir, enricher) = setup(&sentry, &Preferences::default());
    // What Sentry's comment box writes for Jane Doe and for #payments, on Sam's issue.
    let me = decision(&enricher, &comment("9", "**@Jane Doe** can you look?")).await;
    assert_decided(&me, Deliver::Now, "it mentions you", "a mention by name");
    let team = decision(&enricher, &comment("9", "over to **#payments**")).await;
    assert_decided(&team, Deliver::Now, "it mentions your team #payments", "a team mention");
    let other = decision(&enricher, &comment("9", "**@Jane Doerr** knows")).await;
    assert_eq!(
        other.deliver,
        Deliver::Suppress,
        "someone else's name: {:?}",
        other.why()
    );
    // A mention is read without asking Sentry whose the issue is.
    let reads = sentry
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/issues/9/"))
        .count();
    assert_eq!(reads, 1, "only the comment that mentions nobody reads the issue");

    // Mentions off, comments on: heard as a comment, on my issues only.
    let (_dir, enricher) = setup(&sentry, &prefs("new_issue,comment_on_my_issue"));
    let on_theirs = decision(&enricher, &comment("9", "@jane see this")).await;
    assert_eq!(on_theirs.deliver, Deliver::Suppress, "{:?}", on_theirs.why());
    let on_mine = decision(&enricher, &comment("10", "@jane see this")).await;
    assert_decided(
        &on_mine,
        Deliver::Now,
        "comments on your issues in web",
        "heard as a comment",
    );

    // My own comment mentioning my team is not news to me.
    let mut mine = comment("9", "cc #payments");
    mine.actor_user_id = Some("1".into());
    let (_dir, enricher) = setup(&sentry, &Preferences::default());
    let decided = decision(&enricher, &mine).await;
    assert_decided(
        &decided,
        Deliver::Suppress,
        "you made this change yourself",
        "my own mention",
    );
}

#[tokio::test]
async fn others_changes_notify_on_my_issues_and_assignments_to_my_team_notify_when_someone_else_made_them() {
    testkit::tls();
    let sentry = StandIn::start(TOKEN).await;
    issues(&sentry);
    let (_dir, enricher) = setup(&sentry, &prefs("new_issue,assigned_to_me,state_changed"));
    let sams = json!({"type": "user", "id": "7", "name": "Sam"});
    // Resolved by Sam: on the issue I commented on, news; on his own (the webhook's
    // `isSubscribed: true` is the integration's), not.
    let subscribed = decision(&enricher, &change("resolved", "10", json!(null), "7")).await;
    assert_decided(
        &subscribed,
        Deliver::Now,
        "you are subscribed to it in Sentry (you commented on it)",
        "resolved by Sam, subscribed",
    );
    let theirs = decision(&enricher, &change("resolved", "9", sams.clone(), "7")).await;
    assert_decided(
        &theirs,
        Deliver::Suppress,
        "not an issue of yours: assigned to 7, not you, and you are not subscribed to it",
        "resolved by Sam, his issue",
    );
    // Assigned to my team by Sam: for me; the same assignment made by me: not.
    let team = json!({"type": "team", "id": "3", "name": "payments"});
    let to_team = decision(&enricher, &change("assigned", "11", team.clone(), "7")).await;
    assert_decided(
        &to_team,
        Deliver::Now,
        "issues assigned to you or your teams in web",
        "assigned to #payments by Sam",
    );
    let by_me = decision(&enricher, &change("assigned", "11", team, "1")).await;
    assert_decided(
        &by_me,
        Deliver::Suppress,
        "you made this change yourself",
        "assigned by me",
    );
}

#[tokio::test]
async fn where_the_server_cannot_say_whether_i_am_subscribed_the_reason_says_so() {
    testkit::tls();
    // GlitchTip has no organization-scoped issue to read.
    let sentry = StandIn::start_as(TOKEN, Flavour::GlitchTip).await;
    let (_dir, enricher) = setup(&sentry, &prefs("new_issue,comment_on_my_issue"));
    let decided = decision(&enricher, &comment("9", "any idea?")).await;
    assert_decided(
        &decided,
        Deliver::Suppress,
        "not an issue of yours: it is assigned to nobody, and whether you are subscribed to it could not be read from Sentry",
        "a comment on GlitchTip",
    );
}

/// An entry of the activity feed as Sentry's `OrganizationActivitySerializer` writes it.
fn activity(
    id: u32,
    kind: &str,
    user: (&str, &str),
    data: serde_json::Value,
    issue: serde_json::Value,
) -> serde_json::Value {
    json!({
        "id": id.to_string(), "type": kind, "data": data, "dateCreated": "2026-12-03T10:00:00Z",
        "user": {"id": user.0, "name": user.1, "email": format!("{}@example.com", user.1.to_lowercase())},
        "issue": issue, "project": {"slug": "web"}
    })
}

fn feed_issue(id: &str, assigned_to: serde_json::Value, subscribed: bool, reason: &str) -> serde_json::Value {
    json!({
        "id": id, "shortId": format!("WEB-{id}"), "title": format!("Error {id}"), "level": "error",
        "status": "unresolved", "lastSeen": "2026-12-03T09:00:00Z",
        "project": {"id": "1", "slug": "web", "name": "Web"}, "assignedTo": assigned_to,
        "isSubscribed": subscribed, "subscriptionDetails": {"reason": reason}
    })
}

/// Polling alone (no webhooks), as most desktops have it: the activity feed brings comments,
/// mentions, assignments and others' changes, one request per cycle, and the issues it carries
/// say whose they are, so no issue is read on their account.
#[tokio::test]
async fn polling_the_activity_feed_brings_workflow_alerts_without_reading_each_issue() {
    testkit::tls();
    let sentry = StandIn::start(TOKEN).await;
    let (_dir, enricher) = setup(
        &sentry,
        &prefs("new_issue,assigned_to_me,mentioned,comment_on_my_issue,state_changed"),
    );
    let account = crate::accounts::Account::environment(&sentry.url(), "acme");
    let client = sentry_api::Client::new(&sentry.url(), TOKEN).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let store = enricher.store().clone();
    // What happened before the app first looked is not news.
    sentry.add_activity(activity(
        1,
        "note",
        ("7", "Sam"),
        json!({"text": "old news @jane"}),
        feed_issue("9", json!(null), false, "unknown"),
    ));
    let first = crate::poll::cycle(&client, &store, &account, &tx).await.unwrap();
    assert_eq!(first.new_alerts, 0, "the first look sets the mark");

    let sams = json!({"type": "user", "id": "7", "name": "Sam"});
    let team = json!({"type": "team", "id": "3", "name": "payments"});
    for entry in [
        activity(
            2,
            "note",
            ("7", "Sam"),
            json!({"text": "**@Jane Doe** can you look?"}),
            feed_issue("9", sams.clone(), false, "unknown"),
        ),
        activity(
            3,
            "note",
            ("7", "Sam"),
            json!({"text": "deploying a fix"}),
            feed_issue("10", json!(null), true, "commented"),
        ),
        activity(
            4,
            "note",
            ("7", "Sam"),
            json!({"text": "mine, all mine"}),
            feed_issue("9", sams.clone(), false, "unknown"),
        ),
        activity(
            5,
            "assigned",
            ("7", "Sam"),
            json!({"assignee": "3", "assigneeType": "team"}),
            feed_issue("11", team.clone(), false, "unknown"),
        ),
        activity(
            6,
            "set_resolved",
            ("7", "Sam"),
            json!({}),
            feed_issue("10", json!(null), true, "commented"),
        ),
        activity(
            7,
            "merge",
            ("7", "Sam"),
            json!({"issues": []}),
            feed_issue("12", json!(null), false, "unknown"),
        ),
        activity(
            8,
            "note",
            ("1", "Jane Doe"),
            json!({"text": "cc #payments"}),
            feed_issue("9", sams.clone(), false, "unknown"),
        ),
    ] {
        sentry.add_activity(entry);
    }
    // What the app cannot read is passed over, not a failed cycle: an id that is no number, an
    // entry without an issue, an issue that is no object, a type this build does not know.
    for odd in [
        json!({"id": "not-a-number", "type": "note", "data": {"text": "@jane"}, "issue": feed_issue("9", json!(null), true, "commented")}),
        json!({"id": "20", "type": "note", "data": {"text": "@jane"}}),
        json!({"id": 21, "type": "note", "data": {"text": "@jane"}, "issue": "nonsense"}),
        json!({"id": 22, "type": "future_thing", "data": null, "user": null, "issue": feed_issue("9", json!(null), true, "x")}),
    ] {
        sentry.add_activity(odd);
    }
    let before = sentry.requests().len();
    let cycle = crate::poll::cycle(&client, &store, &account, &tx).await.unwrap();
    assert_eq!(cycle.new_alerts, 6, "every entry but the merge");
    assert_eq!(cycle.requests, 2, "the issue list and the activity feed");
    let mut decided = Vec::new();
    while let Ok((_, alert)) = rx.try_recv() {
        decided.push((alert.title.clone(), decision(&enricher, &alert).await));
    }
    let find = |title: &str| {
        decided
            .iter()
            .find(|(t, _)| t.contains(title))
            .unwrap_or_else(|| panic!("{title} in {:?}", decided.iter().map(|(t, _)| t).collect::<Vec<_>>()))
            .1
            .clone()
    };
    assert_decided(
        &find("can you look"),
        Deliver::Now,
        "it mentions you",
        "a polled mention",
    );
    assert_decided(
        &find("deploying a fix"),
        Deliver::Now,
        "you are subscribed to it in Sentry (you commented on it)",
        "a polled comment on an issue I commented on",
    );
    assert_decided(
        &find("mine, all mine"),
        Deliver::Suppress,
        "not an issue of yours: assigned to 7, not you, and you are not subscribed to it",
        "a polled comment on Sam's issue",
    );
    assert_decided(
        &find("Error 11"),
        Deliver::Now,
        "issues assigned to you or your teams in web",
        "a polled assignment to my team",
    );
    assert_decided(
        &find("Error 10"),
        Deliver::Now,
        "changes made by others in web",
        "a polled resolve on an issue I commented on",
    );
    assert_decided(
        &find("cc #payments"),
        Deliver::Suppress,
        "you made this change yourself",
        "my own comment",
    );
    let asked: Vec<String> = sentry.requests()[before..].iter().map(|r| r.path.clone()).collect();
    let issue_reads = asked
        .iter()
        .filter(|path| {
            path.strip_prefix("/api/0/organizations/acme/issues/")
                .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('?'))
        })
        .count();
    assert_eq!(issue_reads, 0, "the feed's issues say whose they are: {asked:?}");

    // The same comment arriving by webhook later is the one already stored.
    let webhook = {
        let comment = sentry_api::Comment {
            action: "created".into(),
            comment_id: "2".into(),
            issue_id: "9".into(),
            project: Some("web".into()),
            text: "**@Jane Doe** can you look?".into(),
            actor_user_id: Some("7".into()),
            actor_name: Some("Sam".into()),
        };
        Alert::from_comment(&comment, Some("acme"), b"{}").of_account(&account.key())
    };
    assert!(matches!(
        store.insert_alert(&webhook, 0),
        Ok(crate::store::Stored::Duplicate(_))
    ));
    // Nothing new: the next cycle brings nothing.
    let quiet = crate::poll::cycle(&client, &store, &account, &tx).await.unwrap();
    assert_eq!((quiet.new_alerts, quiet.requests), (0, 2));
}

/// Sentry's own setting as the starting point: "subscribed only" for me, "never" for one
/// project, read and proposed as the app's kinds, and applied.
#[tokio::test]
async fn sentrys_own_workflow_setting_is_read_proposed_and_applied_as_the_apps_kinds() {
    testkit::tls();
    let sentry = StandIn::start(TOKEN).await;
    let row = |id: u32, scope: &str, scope_id: &str, kind: &str, value: &str| {
        json!({"id": id.to_string(), "scopeType": scope, "scopeIdentifier": scope_id, "type": kind,
               "value": value, "user_id": "1", "team_id": null})
    };
    sentry.set_notification_options(vec![
        row(1, "user", "1", "workflow", "subscribe_only"),
        // The stand-in's project 2 is `web`; another organization's row is not acme's.
        row(2, "project", "2", "workflow", "never"),
        row(3, "organization", "99", "workflow", "never"),
        row(4, "user", "1", "deploy", "never"),
        row(5, "team", "3", "workflow", "never"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(super::sentry_at(&sentry.url(), TOKEN, dir.path())).unwrap();
    let proposal = engine.sentry_workflow("acme").await.unwrap();
    assert_eq!(proposal.setting, crate::policy::Workflow::SubscribeOnly);
    assert_eq!(
        proposal.projects,
        vec![("web".to_owned(), crate::policy::Workflow::Never)]
    );
    let before = engine.preferences("front-end", Some("acme")).unwrap();
    assert!(
        !before.kinds.contains(&crate::policy::AlertKind::StateChanged),
        "off by default"
    );

    engine.apply_sentry_workflow(&proposal).unwrap();
    let workflow = |project: &str| {
        let kinds = engine.preferences(project, Some("acme")).unwrap().kinds;
        crate::policy::AlertKind::ALL
            .into_iter()
            .filter(|k| k.is_workflow())
            .map(|k| kinds.contains(&k))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        workflow("front-end"),
        vec![true; 4],
        "subscribed only: every workflow kind, on my issues"
    );
    assert_eq!(workflow("web"), vec![false; 4], "never");
    assert!(
        engine
            .preferences("web", Some("acme"))
            .unwrap()
            .kinds
            .contains(&crate::policy::AlertKind::NewIssue)
    );

    // A server without the settings says so.
    let glitchtip = StandIn::start_as(TOKEN, Flavour::GlitchTip).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(super::sentry_at(&glitchtip.url(), TOKEN, dir.path())).unwrap();
    let refused = engine.sentry_workflow("acme").await.unwrap_err().to_string();
    assert!(
        refused.ends_with("does not offer Sentry's personal notification settings: the app's own defaults stand"),
        "{refused}"
    );
}
