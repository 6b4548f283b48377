//! What polling costs: 200 projects in 3 organizations against the Sentry stand-in over
//! loopback. The first cycle reads every page; then each cycle is two requests per organization
//! (its issues, its activity feed), whatever the number of projects; a cycle in which people
//! commented, assigned and resolved costs no more, since the feed's issues say whose they are.
//! Once a project hears of releases and deploys (off by default), one more request per
//! organization reads its newest releases, however many were made.
//!
//!     cargo bench -p engine --bench polling

use std::time::Instant;

use engine::{Engine, Settings};
use sentry_standin::StandIn;

const TOKEN: &str = "sntryu_bench_token";

fn main() {
    testkit::tls();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let sentry = StandIn::start(TOKEN).await;
        let orgs = ["acme", "globex", "initech"];
        for org in &orgs[1..] {
            sentry.add_organization(org);
        }
        // 200 projects with three open issues each, seen before the first poll.
        let issues: Vec<serde_json::Value> = (0..600)
            .map(|i| {
                serde_json::json!({
                    "id": format!("{i}"), "title": format!("Error {i}"), "level": "error", "status": "unresolved",
                    "substatus": "ongoing", "firstSeen": "2026-11-01T00:00:00Z",
                    "lastSeen": format!("2026-11-20T{:02}:{:02}:00Z", i / 60 % 24, i % 60),
                    "project": {"id": format!("{}", i % 200), "slug": format!("project-{}", i % 200)}
                })
            })
            .collect();
        sentry.set_issues(issues);
        let dir = std::env::temp_dir().join(format!("sentry-tray-poll-bench-{}", std::process::id()));
        let engine = Engine::open(Settings::in_folder(&dir)).expect("database");
        let url = sentry.url();
        let cycle = |label: &'static str| {
            let (engine, url) = (&engine, &url);
            async move {
                let started = Instant::now();
                let mut requests = 0;
                for org in orgs {
                    requests += engine.poll_once(url, org, TOKEN).await.expect("cycle").requests;
                }
                println!(
                    "polling: {label}: {requests} requests for 200 projects in 3 organizations, {:.1} ms",
                    started.elapsed().as_secs_f64() * 1e3
                );
                requests
            }
        };
        let first = cycle("first cycle (every page)").await;
        let steady = cycle("each later cycle").await;
        assert_eq!(
            first,
            3 * (6 + 1),
            "600 open issues are 6 pages per organization, and its feed"
        );
        assert_eq!(steady, 3 * 2, "two requests per organization");
        // 30 changed issues: a comment, an assignment and a resolve by someone else on each.
        for i in 0..30u32 {
            let issue = serde_json::json!({
                "id": format!("{i}"), "title": format!("Error {i}"), "level": "error", "status": "unresolved",
                "lastSeen": "2026-11-20T00:00:00Z", "project": {"id": "1", "slug": format!("project-{i}")},
                "assignedTo": null, "isSubscribed": true, "subscriptionDetails": {"reason": "commented"}
            });
            for (n, kind, data) in [
                (0, "note", serde_json::json!({"text": "any idea?"})),
                (
                    1,
                    "assigned",
                    serde_json::json!({"assignee": "1", "assigneeType": "user"}),
                ),
                (2, "set_resolved", serde_json::json!({})),
            ] {
                sentry.add_activity(serde_json::json!({
                    "id": format!("{}", 1000 + i * 3 + n), "type": kind, "data": data,
                    "user": {"id": "7", "name": "Sam"}, "issue": issue
                }));
            }
        }
        let workflow = cycle("a cycle with 90 activities on 30 issues").await;
        assert_eq!(workflow, 3 * 2, "no request per changed issue");
        // A project in each organization hears of releases and deploys; then 10 releases, each
        // of 5 projects, are made and deployed.
        for org in orgs {
            engine
                .change_preferences(
                    "project-1",
                    Some(org),
                    &[("kinds".into(), "new_issue,release,deploy".into())],
                )
                .expect("preferences");
        }
        let marks = cycle("the first cycle that reads releases (it sets the marks)").await;
        assert_eq!(marks, 3 * 3, "one more request per organization");
        for r in 0..10u64 {
            let version = format!("app@2.{r}.0");
            let projects: Vec<String> = (0..5).map(|p| format!("project-{p}")).collect();
            let projects: Vec<&str> = projects.iter().map(String::as_str).collect();
            sentry.add_release(&version, &projects);
            sentry.add_deploy(&version, 100 + r, "production");
        }
        let releases = cycle("a cycle with 10 releases of 5 projects each, deployed").await;
        assert_eq!(releases, 3 * 3, "no request per release or deploy");
        let _ = std::fs::remove_dir_all(dir);
    });
}
