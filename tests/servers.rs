//! One alert's trip from each server a developer may have, on the real desktop stack: the
//! running app polls the stand-in answering as sentry.io, an older self-hosted Sentry or
//! GlitchTip, a new issue appears there, dunst shows it, and Resolve from the notification
//! reaches that server.

use std::time::Duration;

use sentry_standin::{Flavour, StandIn};
use serde_json::json;
use testkit::*;

fn issue(id: &str, title: &str, seen: &str) -> serde_json::Value {
    json!({
        "id": id, "shortId": format!("WEB-{id}"), "title": title, "culprit": "app.main", "level": "error",
        "status": "unresolved", "substatus": "new", "firstSeen": seen, "lastSeen": seen, "count": "1",
        "permalink": format!("http://server/acme/issues/{id}/"),
        "project": {"id": "1", "name": "web", "slug": "web"}
    })
}

fn an_issue_from(flavour: Flavour, id: &str) {
    require_desktop();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sentry = runtime.block_on(StandIn::start_as(TOKEN, flavour));
    sentry.set_issues(vec![issue("1", "Error: seen before", "2026-11-01T00:00:00Z")]);
    let data = temp_dir(&format!("server-{id}"));
    let url = sentry.url();
    let env = [
        ("SENTRY_URL", url.as_str()),
        ("SENTRY_AUTH_TOKEN", TOKEN),
        ("SENTRY_ORG", ORG),
        ("SENTRY_TRAY_POLL_INTERVAL", "1"),
    ];
    let app = App::launch(&app_binary(), &["--hidden"], &env, &data);
    // The first poll sets the mark; what appears after it is news.
    let with_data = [&env[..], &[("SENTRY_TRAY_DATA_DIR", data.to_str().unwrap())]].concat();
    wait_until("the first poll", 20, || {
        let listed = cli(&["account", "list"], "", &with_data);
        String::from_utf8_lossy(&listed.stdout).contains("polling: ok")
    });
    let title = format!("TypeError: e2e_server_{id}");
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    sentry.set_issues(vec![
        issue(id, &title, &now),
        issue("1", "Error: seen before", "2026-11-01T00:00:00Z"),
    ]);
    let shown = wait_for_notification(&format!("from {flavour:?}"), Duration::from_secs(20), |n| {
        n.summary.contains(&title)
    });
    invoke_action(shown.id, "resolve");
    wait_until("the resolve reached the server", 20, || {
        sentry
            .requests()
            .iter()
            .any(|r| r.method == "PUT" && r.path.ends_with(&format!("/issues/{id}/")))
    });
    let done = wait_for_notification("with the outcome", Duration::from_secs(10), |n| {
        n.id == shown.id && n.summary.starts_with("Resolved")
    });
    assert_eq!(done.summary, format!("Resolved WEB-{id}"), "{}", app.log_text());
    let listed = cli(&["account", "list"], "", &with_data);
    let listed = String::from_utf8_lossy(&listed.stdout);
    let kind = match flavour {
        Flavour::SentryIo => "server: Sentry;",
        Flavour::SelfHosted => "server: self-hosted Sentry (older);",
        Flavour::GlitchTip => "server: GlitchTip: no assignment, no ownership rules",
    };
    assert!(listed.contains(kind), "{listed}");
}

#[test]
fn an_issue_from_sentry_io_is_notified_and_resolved() {
    an_issue_from(Flavour::SentryIo, "9101");
}

#[test]
fn an_issue_from_an_older_self_hosted_sentry_is_notified_and_resolved() {
    an_issue_from(Flavour::SelfHosted, "9102");
}

#[test]
fn an_issue_from_glitchtip_is_notified_and_resolved() {
    an_issue_from(Flavour::GlitchTip, "9103");
}

/// Sentry's own workflow setting is the starting point: adding an account shows what it
/// proposes, and a server without such settings says so.
#[test]
fn adding_an_account_shows_what_sentrys_own_workflow_setting_proposes() {
    require_desktop();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for flavour in [Flavour::SentryIo, Flavour::GlitchTip] {
        let sentry = runtime.block_on(StandIn::start_as(TOKEN, flavour));
        sentry.set_notification_options(vec![json!({
            "id": "1", "scopeType": "project", "scopeIdentifier": "2", "type": "workflow", "value": "never"
        })]);
        let data = temp_dir(&format!("add-proposal-{flavour:?}"));
        let url = sentry.url();
        let env = [
            ("SENTRY_AUTH_TOKEN", TOKEN),
            ("SENTRY_TRAY_DATA_DIR", data.to_str().unwrap()),
        ];
        let added = cli(&["account", "add", "--url", &url, "--org", ORG], "", &env);
        let stdout = String::from_utf8_lossy(&added.stdout);
        assert!(
            added.status.success(),
            "{flavour:?}: {stdout}{}",
            String::from_utf8_lossy(&added.stderr)
        );
        assert!(stdout.contains("Added acme"), "{flavour:?}: {stdout}");
        match flavour {
            Flavour::GlitchTip => assert!(
                stdout.contains("does not offer Sentry's personal notification settings"),
                "{stdout}"
            ),
            _ => assert!(
                stdout.contains("in acme: only for issues you are subscribed to") && stdout.contains("web: never"),
                "{stdout}"
            ),
        }
    }
}
