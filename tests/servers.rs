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

/// On webhooks alone (`daemon --no-poll`), no releases are read (and no issues polled) while
/// nothing needs them; an issue muted until its next release makes the daemon read them, and
/// the first release after the mute ends it.
#[test]
fn on_webhooks_alone_releases_are_read_only_while_a_mute_waits_for_one() {
    require_desktop();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sentry = runtime.block_on(StandIn::start(TOKEN));
    let data = temp_dir("webhooks-alone");
    let url = sentry.url();
    let env = [
        ("SENTRY_URL", url.as_str()),
        ("SENTRY_AUTH_TOKEN", TOKEN),
        ("SENTRY_ORG", ORG),
        ("SENTRY_TRAY_DATA_DIR", data.to_str().unwrap()),
        ("SENTRY_TRAY_POLL_INTERVAL", "1"),
        ("SENTRY_TRAY_WEBHOOK_SECRET", SECRET),
    ];
    let addr = format!("127.0.0.1:{}", free_port());
    struct Killed(std::process::Child);
    impl Drop for Killed {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _daemon = Killed(
        std::process::Command::new(cli_binary())
            .args(["daemon", "--no-poll", "--listen", &addr])
            .envs(env)
            .stderr(std::fs::File::create(data.join("daemon.log")).unwrap())
            .spawn()
            .unwrap(),
    );
    let addr: std::net::SocketAddr = addr.parse().unwrap();
    wait_until("the daemon's receiver", 20, || {
        matches!(http(addr, "GET", "/health", &[], b""), Ok((200, _)))
    });
    // An issue arrives by webhook and is muted until its project's next release.
    let (status, _) = post_issue_webhook(addr, &issue_created_body("9301", "Error: e2e_wait_release"), SECRET).unwrap();
    assert_eq!(status, 201);
    std::thread::sleep(Duration::from_secs(3));
    let releases_read = || {
        sentry
            .requests()
            .iter()
            .filter(|r| r.path.contains("/releases/"))
            .count()
    };
    // Deciding the webhook's alert asks who I am; nothing else is asked.
    assert_eq!(releases_read(), 0, "{:?}", sentry.requests());
    let inbox: serde_json::Value = serde_json::from_slice(&cli(&["inbox", "--json"], "", &env).stdout).unwrap();
    let alert = inbox[0]["id"].as_i64().unwrap().to_string();
    std::thread::sleep(Duration::from_millis(1100));
    let muted = cli(&["mute", &alert, "release"], "", &env);
    assert!(muted.status.success(), "{}", String::from_utf8_lossy(&muted.stderr));
    let project = inbox[0]["project"].as_str().unwrap().to_owned();
    std::thread::sleep(Duration::from_millis(1100));
    sentry.add_release("front-end@2.0.0", &[&project]);
    wait_until("the mute ended by the release", 30, || {
        String::from_utf8_lossy(&cli(&["mutes"], "", &env).stdout).contains("back: your mute ended with release 2.0.0")
    });
    assert!(releases_read() >= 1);
    // Learning what the server offers (once, before the first release read) lists one issue;
    // no issues are polled.
    let paths: Vec<String> = sentry.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths.iter().filter(|p| p.contains("/issues/?")).count(), 1, "{paths:?}");
}
