//! Sentry's stand-in as a process of its own, for `bench/footprint.sh`: organization `acme`,
//! answering as Sentry's API does on a free loopback port, which it prints first. Once the app's
//! first poll has set its mark, 20 new issues appear, for the next poll to find. Runs until
//! killed.
//!
//!     cargo run --release -p sentry-standin --example standin -- TOKEN

use std::io::Write;

#[tokio::main]
async fn main() {
    let token = std::env::args().nth(1).expect("usage: standin TOKEN");
    let sentry = sentry_standin::StandIn::start(&token).await;
    println!("{}", sentry.url());
    std::io::stdout().flush().expect("stdout");
    while !sentry
        .requests()
        .iter()
        .any(|r| r.path.starts_with("/api/0/organizations/acme/issues/"))
    {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let seen = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let issues = (0..20)
        .map(|i| {
            serde_json::json!({
                "id": format!("{}", 5000 + i), "shortId": format!("WEB-{i}"), "title": format!("Error: footprint {i}"),
                "level": "error", "status": "unresolved", "substatus": "new", "firstSeen": seen, "lastSeen": seen,
                "project": {"id": "1", "slug": "web", "name": "Web"}
            })
        })
        .collect();
    sentry.set_issues(issues);
    std::future::pending::<()>().await;
}
