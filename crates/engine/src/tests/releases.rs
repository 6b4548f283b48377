//! Releases and deploys as polling reads them from each server flavour: notifications of a new
//! release or deploy for the projects that hear of them (off by default), "regressed in release
//! X" from the activity feed, and a mute until the next release ended by one. The releases are
//! read (one request a cycle) only where something needs them.

use sentry_standin::{Flavour, StandIn};
use serde_json::json;

use crate::accounts::Account;
use crate::alert::{Alert, Kind};
use crate::api::Engine;
use crate::daemon::decide_for;
use crate::enrich::Enricher;
use crate::policy::{Deliver, MuteEnd, Preferences};
use crate::store::Stored;

const TOKEN: &str = "sntryu_release_token";

struct Setup {
    sentry: StandIn,
    _dir: tempfile::TempDir,
    engine: Engine,
    enricher: Enricher,
    client: sentry_api::Client,
    account: Account,
    tx: tokio::sync::mpsc::UnboundedSender<(i64, Alert)>,
    rx: tokio::sync::mpsc::UnboundedReceiver<(i64, Alert)>,
}

async fn setup(flavour: Flavour) -> Setup {
    testkit::tls();
    let sentry = StandIn::start_as(TOKEN, flavour).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(super::sentry_at(&sentry.url(), TOKEN, dir.path())).unwrap();
    let client = sentry_api::Client::new(&sentry.url(), TOKEN).unwrap();
    let profile = client.discover("acme").await.unwrap();
    let client = client.with_profile(profile);
    let account = Account::environment(&sentry.url(), "acme");
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    Setup {
        enricher: Enricher::new(engine.clone()),
        sentry,
        _dir: dir,
        engine,
        client,
        account,
        tx,
        rx,
    }
}

impl Setup {
    async fn cycle(&self) -> crate::poll::Cycle {
        crate::poll::cycle(&self.client, self.engine.store(), &self.account, &self.tx)
            .await
            .unwrap()
    }

    fn received(&mut self) -> Vec<Alert> {
        std::iter::from_fn(|| self.rx.try_recv().ok()).map(|(_, a)| a).collect()
    }

    fn release_reads(&self) -> usize {
        let requests = self.sentry.requests();
        requests.iter().filter(|r| r.path.contains("/releases/?")).count()
    }

    fn hear(&self, project: &str, kinds: &str, environments: &str) {
        let mut prefs = Preferences::default();
        prefs.set("kinds", kinds).unwrap();
        prefs.set("environments", environments).unwrap();
        self.engine.store().set_preferences(project, &prefs).unwrap();
    }
}

#[tokio::test]
async fn releases_are_not_read_while_nothing_needs_them() {
    let mut s = setup(Flavour::SentryIo).await;
    s.sentry.add_release("web@1.0.0", &["web"]);
    let before = s.release_reads();
    s.cycle().await;
    s.cycle().await;
    assert_eq!(
        s.release_reads(),
        before,
        "no project hears of releases, no mute waits for one"
    );
    assert!(s.received().is_empty());
}

#[tokio::test]
async fn a_watched_project_hears_of_its_new_releases_and_deploys_to_its_environments() {
    let mut s = setup(Flavour::SentryIo).await;
    s.hear("web", "new_issue,release,deploy", "production");
    s.sentry.add_release("web@1.0.0", &["web"]);
    let first = s.cycle().await;
    assert!(s.received().is_empty(), "the first look only sets the marks");
    assert_eq!(s.release_reads(), 2, "learning the server asked once, the cycle once");

    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    s.sentry.add_release("web@1.1.0", &["web", "api"]);
    let second = s.cycle().await;
    assert_eq!(
        second.requests, first.requests,
        "one request for releases a cycle, as before"
    );
    let alerts = s.received();
    let titles: Vec<_> = alerts
        .iter()
        .map(|a| (a.project.clone().unwrap(), a.title.clone()))
        .collect();
    assert_eq!(
        titles,
        [
            ("web".into(), "Release 1.1.0".into()),
            ("api".into(), "Release 1.1.0".into())
        ]
    );
    let web = &alerts[0];
    assert_eq!(web.kind, Kind::ReleaseCreated);
    assert!(
        web.web_url
            .as_deref()
            .unwrap()
            .ends_with("/organizations/acme/releases/web%401.1.0/")
    );
    let decided = decide_for(&s.enricher, web, chrono::Utc::now()).await.unwrap().decision;
    assert_eq!(decided.deliver, Deliver::Now, "{:?}", decided.why());
    assert!(
        decided.why().contains(&"news of web as a whole".to_owned()),
        "{:?}",
        decided.why()
    );
    // "api" keeps the defaults: releases are off unless switched on.
    let api = decide_for(&s.enricher, &alerts[1], chrono::Utc::now())
        .await
        .unwrap()
        .decision;
    assert_eq!(api.deliver, Deliver::Suppress);
    assert_eq!(api.why(), ["new releases are turned off for api"]);

    // Deploys: to production notifies, to staging is not this user's environment.
    s.sentry.add_deploy("web@1.1.0", 7, "staging");
    s.cycle().await;
    let staging = s.received();
    assert_eq!(staging.len(), 2);
    assert_eq!(staging[0].title, "Deployed 1.1.0 to staging");
    let held = decide_for(&s.enricher, &staging[0], chrono::Utc::now())
        .await
        .unwrap()
        .decision;
    assert_eq!(held.deliver, Deliver::Suppress, "{:?}", held.why());
    s.sentry.add_deploy("web@1.1.0", 8, "production");
    s.cycle().await;
    let production = s.received();
    assert_eq!(production[0].title, "Deployed 1.1.0 to production");
    let shown = decide_for(&s.enricher, &production[0], chrono::Utc::now())
        .await
        .unwrap()
        .decision;
    assert_eq!(shown.deliver, Deliver::Now, "{:?}", shown.why());
    // Nothing new: nothing again.
    s.cycle().await;
    assert!(s.received().is_empty());
}

#[tokio::test]
async fn glitchtip_has_releases_without_deploys_and_says_so() {
    let mut s = setup(Flavour::GlitchTip).await;
    assert!(s.client.profile().releases && !s.client.profile().deploys);
    assert!(
        s.client
            .profile()
            .to_string()
            .contains("no deploys (release notifications only)"),
        "{}",
        s.client.profile()
    );
    s.hear("web", "new_issue,release,deploy", "");
    s.cycle().await;
    s.sentry.add_release("2.0", &["web"]);
    s.cycle().await;
    let alerts = s.received();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].title, "Release 2.0");
}

#[tokio::test]
async fn a_mute_until_the_next_release_ends_with_the_first_release_made_after_it() {
    let s = setup(Flavour::SentryIo).await;
    s.sentry.add_release("web@1.0.0", &["web"]);
    let issue: sentry_api::Issue = serde_json::from_value(json!({
        "id": "51", "shortId": "WEB-51", "title": "TypeError", "level": "error", "status": "unresolved",
        "project": {"id": "1", "slug": "web", "name": "Web"}
    }))
    .unwrap();
    let alert = Alert::from_issue_webhook("created", &issue, None, Some("acme"), b"{}");
    let Stored::New(id) = s.engine.store().insert_alert(&alert, 0).unwrap() else {
        panic!("stored before")
    };
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    s.engine.mute_for_me(id, "release").unwrap();
    // Releases are read because the mute waits for one; the one made before it does not count,
    // nor does another project's.
    s.cycle().await;
    s.sentry.add_release("api@3.0.0", &["api"]);
    s.cycle().await;
    assert!(s.engine.mutes().unwrap()[0].ended.is_none());
    assert!(s.release_reads() >= 2);

    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    s.sentry.add_release("web@1.0.1", &["web"]);
    s.cycle().await;
    let mutes = s.engine.mutes().unwrap();
    assert_eq!(
        mutes[0].ended.as_ref().map(|e| e.why.clone()),
        Some(MuteEnd::Released {
            version: "1.0.1".into()
        })
    );
    let back = decide_for(&s.enricher, &alert, chrono::Utc::now())
        .await
        .unwrap()
        .decision;
    assert_eq!(back.deliver, Deliver::Now, "{:?}", back.why());
    assert!(
        back.why()
            .contains(&"back: your mute ended with release 1.0.1".to_owned())
    );
    // Ended, it no longer makes the cycle read releases.
    let reads = s.release_reads();
    s.engine
        .store()
        .end_mute(
            alert.issue_key().unwrap(),
            &mutes[0].ended.as_ref().unwrap().why,
            chrono::Utc::now(),
            true,
        )
        .unwrap();
    s.cycle().await;
    assert_eq!(s.release_reads(), reads);
}

#[tokio::test]
async fn regressed_in_a_release_comes_from_the_activity_feed_when_switched_on() {
    let mut s = setup(Flavour::SentryIo).await;
    s.hear("web", "new_issue,regressed_in_release", "");
    s.cycle().await;
    let issue = json!({
        "id": "61", "shortId": "WEB-61", "title": "KeyError", "level": "error", "status": "unresolved",
        "substatus": "regressed", "project": {"id": "1", "slug": "web", "name": "Web"}
    });
    // As Sentry's event manager writes it; without a release there is no version to tell.
    s.sentry.add_activity(json!({
        "id": "900", "type": "set_regression", "user": null, "dateCreated": "2026-12-03T10:00:00Z",
        "data": {"event_id": "abc", "version": "", }, "issue": issue.clone()
    }));
    s.sentry.add_activity(json!({
        "id": "901", "type": "set_regression", "user": null, "dateCreated": "2026-12-03T10:05:00Z",
        "data": {"event_id": "abd", "version": "web@1.4.2", "follows_semver": true, "resolved_in_version": "web@1.4.1"},
        "issue": issue
    }));
    s.cycle().await;
    let alerts = s.received();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0].kind, Kind::IssueRegressed);
    let decided = decide_for(&s.enricher, &alerts[0], chrono::Utc::now())
        .await
        .unwrap()
        .decision;
    assert_eq!(decided.deliver, Deliver::Now, "{:?}", decided.why());
    // Off by default.
    s.hear("web", "new_issue,regression", "");
    let off = decide_for(&s.enricher, &alerts[0], chrono::Utc::now())
        .await
        .unwrap()
        .decision;
    assert_eq!(off.why(), ["regressions in a release are turned off for web"]);
}
