//! One alert's whole trip on the real desktop stack: a signed `issue.created` webhook reaches
//! the running app, dunst shows the notification with its actions, the user picks Resolve
//! there, and the request reaches the Sentry stand-in; bad webhooks are refused unseen.

use std::time::{Duration, Instant};

use sentry_standin::{Failure, StandIn};
use testkit::*;

struct Setup {
    _runtime: tokio::runtime::Runtime,
    sentry: StandIn,
    data: std::path::PathBuf,
    app: App,
}

fn setup(name: &str) -> Setup {
    require_desktop();
    close_all_notifications();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sentry = runtime.block_on(StandIn::start(TOKEN));
    let data = temp_dir(name);
    // The webhook secret goes where a user puts it: the keyring, through the CLI.
    let stored = cli(
        &["webhook-secret", "set"],
        SECRET,
        &[("SENTRY_TRAY_DATA_DIR", data.to_str().unwrap())],
    );
    assert!(
        stored.status.success(),
        "webhook-secret set failed: {}",
        String::from_utf8_lossy(&stored.stderr)
    );
    let url = sentry.url();
    let env = [
        ("SENTRY_URL", url.as_str()),
        ("SENTRY_AUTH_TOKEN", TOKEN),
        ("SENTRY_ORG", "fallback-org"),
    ];
    let app = App::launch(&app_binary(), &["--hidden"], &env, &data);
    Setup {
        _runtime: runtime,
        sentry,
        data,
        app,
    }
}

fn wait_for_request(sentry: &StandIn, method: &str, path: &str) -> sentry_standin::Recorded {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(r) = sentry
            .requests()
            .into_iter()
            .find(|r| r.method == method && r.path == path)
        {
            return r;
        }
        assert!(
            Instant::now() < deadline,
            "no {method} {path} reached Sentry; it saw {:#?}",
            sentry.requests()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_signed_issue_created_is_notified_and_resolve_reaches_sentry() {
    let s = setup("resolve");
    // Titles come from the monitored app's users: markup in them must stay text on screen (dunst
    // reads bodies as markup: `markup = full`, set by scripts/desktop-session.sh).
    let title = r#"ReferenceError: e2e_resolve <a href="https://evil.example/">Click to re-login</a>"#;
    let posted = Instant::now();
    let (status, answer) = s.app.post_issue_webhook(&issue_created_body("4242", title), SECRET);
    assert_eq!(status, 201, "webhook answer: {answer}");

    let shown = wait_for_notification("for the new issue", Duration::from_secs(10), |n| {
        n.summary.contains("e2e_resolve")
    });
    eprintln!("notification shown {:?} after the webhook was posted", posted.elapsed());
    assert_eq!(shown.urgency, "NORMAL", "an error is not urgent by default");
    // The summary is plain text, cut to about two lines (the whole title is in the window).
    let whole = format!("New issue in front-end: {title}");
    assert_eq!(
        shown.summary,
        format!("{}…", whole.chars().take(79).collect::<String>().trim_end())
    );
    assert!(
        shown.body.contains("FRONT-END-9 · error") && shown.body.contains("?(runner)"),
        "body: {}",
        shown.body
    );
    assert!(shown.body.contains("1 event · first seen"), "body: {}", shown.body);
    for (key, label) in [
        ("resolve", "Resolve"),
        ("ignore", "Ignore"),
        ("assign", "Assign to me"),
        ("open", "Open"),
    ] {
        assert!(
            shown.actions.iter().any(|(k, l)| k == key && l == label),
            "action {key} missing from {:?}",
            shown.actions
        );
    }

    invoke_action(shown.id, "resolve");
    let put = wait_for_request(&s.sentry, "PUT", "/api/0/organizations/acme/issues/4242/");
    assert_eq!(put.body, serde_json::json!({"status": "resolved"}));
    assert_eq!(put.authorization.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));

    let outcome = wait_for_notification("confirming the resolve", Duration::from_secs(10), |n| {
        n.id == shown.id && n.summary.starts_with("Resolved")
    });
    assert_eq!(outcome.summary, "Resolved FRONT-END-9");
    assert_eq!(
        outcome.body,
        "ReferenceError: e2e_resolve &lt;a href=&quot;https://evil.example/&quot;&gt;Click to re-login&lt;/a&gt;",
        "the title reached the daemon as markup"
    );
    assert!(outcome.actions.is_empty(), "the confirmation offers no actions");
    close_all_notifications();

    let log = s.app.log_text();
    assert!(
        !log.contains(TOKEN) && !log.contains(SECRET),
        "a secret reached the log:\n{log}"
    );
    let status = cli(&["status"], "", &[("SENTRY_TRAY_DATA_DIR", s.data.to_str().unwrap())]);
    assert!(String::from_utf8_lossy(&status.stdout).contains("alerts stored: 1"));
}

#[test]
fn a_failed_action_replaces_the_notification_with_the_error() {
    let s = setup("failure");
    let title = "TypeError: e2e_failure";
    let (status, _) = s.app.post_issue_webhook(&issue_created_body("777", title), SECRET);
    assert_eq!(status, 201);
    let shown = wait_for_notification("for the new issue", Duration::from_secs(10), |n| {
        n.summary.contains(title)
    });

    // A token without event:write: Sentry says 403, which no retry will change.
    s.sentry.fail_next(Failure::Status(403));
    invoke_action(shown.id, "ignore");
    let put = wait_for_request(&s.sentry, "PUT", "/api/0/organizations/acme/issues/777/");
    assert_eq!(put.body["status"], "ignored");
    let outcome = wait_for_notification("with the error", Duration::from_secs(10), |n| {
        n.id == shown.id && n.summary.starts_with("Could not")
    });
    assert_eq!(outcome.summary, "Could not ignore FRONT-END-9");
    assert!(
        outcome.body.contains("403"),
        "the error says what happened: {}",
        outcome.body
    );
    close_all_notifications();
}

#[test]
fn bad_webhooks_are_refused_and_nothing_is_stored_or_shown() {
    let s = setup("refused");
    let title = "Error: e2e_refused";
    let body = issue_created_body("555", title);
    let sig = sign(SECRET, &body);
    let sent = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let post = |headers: &[(&str, &str)], body: &[u8]| {
        let mut all = headers.to_vec();
        all.push(("Sentry-Hook-Timestamp", sent.as_str()));
        http(s.app.addr, "POST", "/webhook", &all, body).unwrap()
    };

    let (status, answer) = post(&[("Sentry-Hook-Resource", "issue")], &body);
    assert_eq!(status, 401, "no signature: {answer}");
    let wrong = sign("another-secret", &body);
    let (status, answer) = post(
        &[("Sentry-Hook-Resource", "issue"), ("Sentry-Hook-Signature", &wrong)],
        &body,
    );
    assert_eq!(status, 401, "wrong signature: {answer}");
    // The signature covers the exact bytes: the same JSON pretty-printed is refused.
    let pretty = serde_json::to_vec_pretty(&serde_json::from_slice::<serde_json::Value>(&body).unwrap()).unwrap();
    let (status, _) = post(
        &[("Sentry-Hook-Resource", "issue"), ("Sentry-Hook-Signature", &sig)],
        &pretty,
    );
    assert_eq!(status, 401, "re-serialized body");
    let broken = b"{\"action\":\"created\",\"data\":{\"issue\":";
    let (status, answer) = post(
        &[
            ("Sentry-Hook-Resource", "issue"),
            ("Sentry-Hook-Signature", &sign(SECRET, broken)),
        ],
        broken,
    );
    assert_eq!(status, 400, "malformed JSON: {answer}");
    assert!(answer.contains("malformed payload"), "{answer}");
    let huge = vec![b' '; 2 * 1024 * 1024];
    let (status, _) = post(
        &[
            ("Sentry-Hook-Resource", "issue"),
            ("Sentry-Hook-Signature", &sign(SECRET, &huge)),
        ],
        &huge,
    );
    assert_eq!(status, 413, "2 MiB body");

    // The one good delivery after all that still works, and the bad ones left no trace.
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        dunst_notifications().iter().all(|n| !n.summary.contains(title)),
        "a refused webhook was shown"
    );
    let status = cli(&["status"], "", &[("SENTRY_TRAY_DATA_DIR", s.data.to_str().unwrap())]);
    assert!(
        String::from_utf8_lossy(&status.stdout).contains("alerts stored: 0"),
        "{}",
        String::from_utf8_lossy(&status.stdout)
    );
}

#[test]
fn without_a_display_the_app_says_so_instead_of_panicking() {
    let data = temp_dir("nodisplay");
    let out = std::process::Command::new(app_binary())
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("SENTRY_TRAY_DATA_DIR", &data)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("needs a graphical desktop session") && stderr.contains("sentry-tray-cli daemon"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn the_projects_preferences_keep_an_alert_from_notifying() {
    let s = setup("prefs");
    let data = [("SENTRY_TRAY_DATA_DIR", s.data.to_str().unwrap())];
    let set = cli(
        &["prefs", "front-end", "mute_title=e2e_muted", "urgent_from=error"],
        "",
        &data,
    );
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    let (status, _) = s
        .app
        .post_issue_webhook(&issue_created_body("8080", "Error: e2e_muted here"), SECRET);
    assert_eq!(status, 201, "a muted alert is still stored");
    let (status, _) = s
        .app
        .post_issue_webhook(&issue_created_body("8081", "Error: e2e_shown"), SECRET);
    assert_eq!(status, 201);
    // The second alert shows; by then the first was decided long ago.
    let shown = wait_for_notification("for the alert not muted", Duration::from_secs(10), |n| {
        n.summary.contains("e2e_shown")
    });
    assert_eq!(shown.urgency, "CRITICAL", "urgent_from=error makes errors urgent");
    assert!(
        dunst_notifications().iter().all(|n| !n.summary.contains("e2e_muted")),
        "a muted alert was shown"
    );
    let log = s.app.log_text();
    assert!(
        log.contains("muted by rule 1: title contains"),
        "the reason is logged:\n{log}"
    );
    // The inbox keeps both, with what was decided and why.
    let inbox = cli(&["inbox", "--json"], "", &data);
    let alerts: serde_json::Value = serde_json::from_slice(&inbox.stdout).unwrap();
    let muted = alerts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["issue_id"] == "8080")
        .expect("the muted alert is in the inbox");
    assert_eq!(muted["decision"], "suppress");
    assert_eq!(muted["reasons"][0], "muted by rule 1: title contains \"e2e_muted\"");
    let shown = alerts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["issue_id"] == "8081")
        .unwrap();
    assert_eq!(shown["decision"], "now");
    close_all_notifications();
}

/// The app polling `sentry` every second for `acme`, once its first cycle has ended (a second
/// has begun), so whatever changes in Sentry from now on is news.
fn launch_polling(sentry: &StandIn, name: &str) -> App {
    let data = temp_dir(name);
    let url = sentry.url();
    let env = [
        ("SENTRY_URL", url.as_str()),
        ("SENTRY_AUTH_TOKEN", TOKEN),
        ("SENTRY_ORG", "acme"),
        ("SENTRY_TRAY_POLL_INTERVAL", "1"),
        // The first cycle's "polled" line says its mark is set; counting requests cannot, since
        // learning what the server offers asks the same paths first.
        ("SENTRY_TRAY_LOG", "info,engine::poll=debug"),
    ];
    let app = App::launch(&app_binary(), &["--hidden"], &env, &data);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !app.log_text().contains("polled") {
        assert!(
            Instant::now() < deadline,
            "the app never polled:\n{}\nSentry was asked: {:?}",
            app.log_text(),
            asked(sentry)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    app
}

#[test]
fn polling_finds_a_new_issue_without_any_webhook() {
    require_desktop();
    close_all_notifications();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sentry = runtime.block_on(StandIn::start(TOKEN));
    let old = serde_json::json!({
        "id": "100", "shortId": "WEB-100", "title": "Old error", "level": "error", "status": "unresolved",
        "substatus": "ongoing", "firstSeen": "2026-11-01T00:00:00Z", "lastSeen": "2026-11-01T00:00:00Z",
        "project": {"id": "1", "slug": "web", "name": "web"}
    });
    sentry.set_issues(vec![old.clone()]);
    // The first cycle sets its mark; then a new issue appears in Sentry.
    let app = launch_polling(&sentry, "poll");
    let mut new = old.clone();
    new["id"] = "101".into();
    new["shortId"] = "WEB-101".into();
    new["title"] = "TypeError: e2e_polled".into();
    new["substatus"] = "new".into();
    new["firstSeen"] = "2026-11-25T12:00:00Z".into();
    new["lastSeen"] = "2026-11-25T12:00:00Z".into();
    sentry.set_issues(vec![old, new]);
    // A cold, loaded machine runs every desktop test at once: wait generously, and say what the
    // app was doing if it never came.
    let deadline = Instant::now() + Duration::from_secs(30);
    let shown = loop {
        if let Some(found) = dunst_notifications()
            .into_iter()
            .find(|n| n.summary.contains("e2e_polled"))
        {
            break found;
        }
        assert!(
            Instant::now() < deadline,
            "no notification for the polled issue within 30 s; the app logged:\n{}\nSentry was asked:\n{:#?}",
            app.log_text(),
            asked(&sentry)
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(shown.summary, "New issue in web: TypeError: e2e_polled");
    invoke_action(shown.id, "resolve");
    let put = wait_for_request(&sentry, "PUT", "/api/0/organizations/acme/issues/101/");
    assert_eq!(put.body, serde_json::json!({"status": "resolved"}));
    close_all_notifications();
}

/// What Sentry was asked, for a failure's message.
fn asked(sentry: &StandIn) -> Vec<String> {
    sentry
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// Until Sentry has heard nothing new for a second: the app's own requests are done, so a
/// failure queued next meets the request the test makes.
fn wait_until_quiet(sentry: &StandIn) {
    let mut seen = sentry.requests().len();
    loop {
        std::thread::sleep(Duration::from_millis(1000));
        let now = sentry.requests().len();
        if now == seen {
            return;
        }
        seen = now;
    }
}

fn displayed() -> u32 {
    let out = std::process::Command::new("dunstctl")
        .args(["count", "displayed"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or(0)
}

fn wait_displayed(want: u32, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while displayed() != want {
        assert!(
            Instant::now() < deadline,
            "{what}: {} notifications displayed, expected {want}",
            displayed()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn signed_example(app: &App, resource: &str, file: &str, edit: impl Fn(&mut serde_json::Value)) -> u16 {
    let path = format!("{}/testdata/sentry/{file}", env!("CARGO_MANIFEST_DIR"));
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut body = doc["body"].clone();
    edit(&mut body);
    let body = serde_json::to_vec(&body).unwrap();
    let sent = unix_now();
    let signature = sign(SECRET, &body);
    let headers = [
        ("Sentry-Hook-Resource", resource),
        ("Sentry-Hook-Timestamp", sent.as_str()),
        ("Request-ID", &signature[..32]),
        ("Sentry-Hook-Signature", signature.as_str()),
    ];
    http(app.addr, "POST", "/webhook", &headers, &body).unwrap().0
}

#[test]
fn a_metric_alert_is_urgent_and_its_resolution_closes_it() {
    let s = setup("metric");
    wait_displayed(0, "before");
    assert_eq!(
        signed_example(&s.app, "metric_alert", "webhook.metric_alert.critical.json", |_| {}),
        201
    );
    let shown = wait_for_notification("for the critical metric alert", Duration::from_secs(10), |n| {
        n.summary.starts_with("Critical")
    });
    assert_eq!(shown.urgency, "CRITICAL");
    let keys: Vec<&str> = shown
        .actions
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| *k != "default")
        .collect();
    assert_eq!(keys, vec!["open"], "a metric incident can only be opened");
    wait_displayed(1, "the critical alert is on screen");
    assert_eq!(
        signed_example(&s.app, "metric_alert", "webhook.metric_alert.resolved.json", |_| {}),
        201
    );
    wait_displayed(0, "the resolution closes it");
}

#[test]
fn an_issue_resolved_elsewhere_closes_its_notification_and_a_repeat_replaces_it() {
    let s = setup("elsewhere");
    wait_displayed(0, "before");
    let (status, _) = s
        .app
        .post_issue_webhook(&issue_created_body("6060", "Error: e2e_elsewhere"), SECRET);
    assert_eq!(status, 201);
    let first = wait_for_notification("for the issue", Duration::from_secs(10), |n| {
        n.summary.contains("e2e_elsewhere")
    });
    // The issue regresses: the same notification is replaced, not stacked.
    assert_eq!(
        signed_example(&s.app, "issue", "webhook.issue.created.json", |b| {
            b["action"] = "unresolved".into();
            b["data"]["issue"]["id"] = "6060".into();
            b["data"]["issue"]["title"] = "Error: e2e_elsewhere".into();
            b["data"]["issue"]["substatus"] = "regressed".into();
            b["data"]["issue"]["lastSeen"] = "2026-11-25T12:00:00Z".into();
            // The same issue of the same organization as the first webhook says.
            b["data"]["issue"]["web_url"] = "https://sentry.io/organizations/acme/issues/6060/".into();
        }),
        201
    );
    let second = wait_for_notification("for the regression", Duration::from_secs(10), |n| {
        n.summary.starts_with("Regression")
    });
    assert_eq!(second.id, first.id, "replaced in place");
    assert!(
        second.body.ends_with("2 alerts in under a minute"),
        "it says how often: {}",
        second.body
    );
    wait_displayed(1, "one notification for the issue");
    // Someone resolves it in Sentry: the notification goes.
    assert_eq!(
        signed_example(&s.app, "issue", "webhook.issue.resolved.json", |b| {
            b["data"]["issue"]["id"] = "6060".into();
            b["data"]["issue"]["web_url"] = "https://sentry.io/organizations/acme/issues/6060/".into();
        }),
        201
    );
    wait_displayed(0, "resolved elsewhere");
}

#[test]
fn an_action_chosen_while_sentry_is_away_arrives_once_after_a_restart() {
    require_desktop();
    close_all_notifications();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let port = free_port();
    let sentry_addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let url = format!("http://{sentry_addr}");
    let data = temp_dir("offline");
    let stored = cli(
        &["webhook-secret", "set"],
        SECRET,
        &[("SENTRY_TRAY_DATA_DIR", data.to_str().unwrap())],
    );
    assert!(stored.status.success());
    let env = [
        ("SENTRY_URL", url.as_str()),
        ("SENTRY_AUTH_TOKEN", TOKEN),
        ("SENTRY_ORG", "acme"),
        ("SENTRY_TRAY_POLL_INTERVAL", "3600"),
    ];

    let app = App::launch(&app_binary(), &["--hidden"], &env, &data);
    let (status, _) = app.post_issue_webhook(&issue_created_body("7070", "Error: e2e_offline"), SECRET);
    assert_eq!(status, 201);
    let shown = wait_for_notification("for the issue", Duration::from_secs(10), |n| {
        n.summary.contains("e2e_offline")
    });
    invoke_action(shown.id, "resolve");
    let queued = wait_for_notification("saying it is queued", Duration::from_secs(10), |n| {
        n.id == shown.id && n.summary.starts_with("Queued")
    });
    assert_eq!(queued.summary, "Queued: offline");
    assert!(
        queued.body.starts_with("resolve FRONT-END-9 is kept"),
        "{}",
        queued.body
    );
    assert!(queued.body.contains("could not reach Sentry"), "{}", queued.body);
    drop(app);
    close_all_notifications();

    // Sentry is back, the app starts again: the resolve is sent, once, and confirmed.
    let sentry = runtime.block_on(StandIn::start_on(TOKEN, sentry_addr));
    let _app = App::launch(&app_binary(), &["--hidden"], &env, &data);
    wait_for_request(&sentry, "PUT", "/api/0/organizations/acme/issues/7070/");
    std::thread::sleep(Duration::from_secs(3));
    let puts = sentry.requests().iter().filter(|r| r.method == "PUT").count();
    assert_eq!(puts, 1, "applied exactly once");
}

#[test]
fn a_second_launch_opens_the_first_ones_window_and_logs_go_to_a_file() {
    let s = setup("single");
    let windows = || {
        let out = std::process::Command::new("xwininfo")
            .args(["-root", "-tree"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).matches("\"Sentry Tray\"").count()
    };
    assert_eq!(windows(), 0, "started hidden");
    let second = std::process::Command::new(app_binary())
        .env("SENTRY_TRAY_DATA_DIR", &s.data)
        .env("SENTRY_TRAY_LISTEN", "127.0.0.1:0")
        .output()
        .unwrap();
    assert!(
        second.status.success(),
        "the second launch exits cleanly: {}",
        String::from_utf8_lossy(&second.stderr)
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    while windows() == 0 {
        assert!(Instant::now() < deadline, "the first instance never opened its window");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(app_pids(&s.data).len(), 1, "still one app");
    // A second launch meant for the tray only (start at login) leaves the running app alone.
    let hidden = std::process::Command::new(app_binary())
        .arg("--hidden")
        .env("SENTRY_TRAY_DATA_DIR", &s.data)
        .output()
        .unwrap();
    assert!(
        hidden.status.success() && String::from_utf8_lossy(&hidden.stderr).contains("already running"),
        "{}",
        String::from_utf8_lossy(&hidden.stderr)
    );
    assert_eq!(
        (app_pids(&s.data).len(), window_pids(&s.data).len()),
        (1, 1),
        "one app, one window"
    );

    let logs: Vec<_> = std::fs::read_dir(s.data.join("logs")).unwrap().flatten().collect();
    assert_eq!(logs.len(), 1, "one log file");
    // Logs name projects and issues: only their user reads them.
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&s.data.join("logs")), 0o700, "the log folder");
    assert_eq!(mode(&logs[0].path()), 0o600, "the log file");
    assert_eq!(mode(&s.data), 0o700, "the data folder");
    let text = std::fs::read_to_string(logs[0].path()).unwrap();
    assert!(text.contains("Sentry Tray engine running"), "{text}");
    assert!(
        !text.contains(TOKEN) && !text.contains(SECRET),
        "a secret reached the log file"
    );
}

#[test]
fn the_window_launched_on_its_own_starts_the_app_which_opens_it() {
    require_desktop();
    let data = temp_dir("window-alone");
    let listen = format!("127.0.0.1:{}", free_port());
    let out = std::process::Command::new(window_binary())
        .env("SENTRY_TRAY_DATA_DIR", &data)
        .env("SENTRY_TRAY_LISTEN", &listen)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Sentry Tray was not running"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    wait_until("the app and its window", 30, || {
        app_pids(&data).len() == 1 && window_pids(&data).len() == 1
    });
    for pid in app_pids(&data) {
        let _ = std::process::Command::new("kill").arg(pid.to_string()).status();
    }
    wait_until("the window to end with the app", 20, || {
        app_pids(&data).is_empty() && window_pids(&data).is_empty()
    });
}

#[test]
fn a_taken_port_is_reported_plainly_by_the_app() {
    require_desktop();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let data = temp_dir("taken");
    let out = std::process::Command::new(app_binary())
        .args(["--hidden", "--listen", &addr])
        .env("SENTRY_TRAY_DATA_DIR", &data)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot listen for webhooks on {addr}")),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn past_the_spike_limit_one_summary_stands_for_the_rest() {
    let s = setup("spike");
    let data = [("SENTRY_TRAY_DATA_DIR", s.data.to_str().unwrap())];
    assert!(
        cli(&["prefs", "front-end", "spike_limit=2"], "", &data)
            .status
            .success()
    );
    for i in 0..5 {
        let (status, _) = s.app.post_issue_webhook(
            &issue_created_body(&format!("910{i}"), &format!("Error: <b>spike_{i}</b>")),
            SECRET,
        );
        assert_eq!(status, 201);
        // In order, so the first two are the ones shown.
        wait_for_notification("for the alert or the summary", Duration::from_secs(10), |n| {
            n.summary.contains(&format!("spike_{i}")) || n.body.contains(&format!("spike_{i}"))
        });
    }
    let seen = dunst_notifications();
    let individual = seen
        .iter()
        .filter(|n| n.summary.starts_with("New issue in front-end: Error: <b>spike_"))
        .count();
    assert_eq!(individual, 2, "the limit is 2 per hour");
    let summary = seen
        .iter()
        .rev()
        .find(|n| n.summary.starts_with("front-end:"))
        .expect("a summary");
    assert_eq!(summary.summary, "front-end: 3 more alerts this hour");
    assert!(
        summary.body.contains("Latest: Error: &lt;b&gt;spike_4&lt;/b&gt;"),
        "{}",
        summary.body
    );
    let summaries: std::collections::HashSet<u32> = seen
        .iter()
        .filter(|n| n.summary.starts_with("front-end:"))
        .map(|n| n.id)
        .collect();
    assert_eq!(summaries.len(), 1, "one summary, replaced as it grows");
    assert!(
        summary.actions.iter().any(|(k, l)| k == "inbox" && l == "Open inbox"),
        "{:?}",
        summary.actions
    );

    // "Open inbox" opens the window.
    let windows = || {
        let out = std::process::Command::new("xwininfo")
            .args(["-root", "-tree"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).matches("\"Sentry Tray\"").count()
    };
    assert_eq!(windows(), 0, "started hidden");
    invoke_action(summary.id, "inbox");
    let deadline = Instant::now() + Duration::from_secs(15);
    while windows() == 0 {
        assert!(Instant::now() < deadline, "Open inbox did not open the window");
        std::thread::sleep(Duration::from_millis(100));
    }
    close_all_notifications();
}

#[test]
fn low_priority_alerts_come_out_as_one_digest() {
    require_desktop();
    close_all_notifications();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sentry = runtime.block_on(StandIn::start(TOKEN));
    let data = temp_dir("digest");
    let env_data = [("SENTRY_TRAY_DATA_DIR", data.to_str().unwrap())];
    assert!(cli(&["webhook-secret", "set"], SECRET, &env_data).status.success());
    // Errors and below go to the digest, due at once here: the burst settles into one.
    assert!(
        cli(
            &["prefs", "front-end", "digest_up_to=error", "digest_every=0"],
            "",
            &env_data
        )
        .status
        .success()
    );
    let url = sentry.url();
    let env = [
        ("SENTRY_URL", url.as_str()),
        ("SENTRY_AUTH_TOKEN", TOKEN),
        ("SENTRY_ORG", "fallback-org"),
    ];
    let app = App::launch(&app_binary(), &["--hidden"], &env, &data);
    for i in 0..4 {
        let (status, _) = app.post_issue_webhook(
            &issue_created_body(&format!("920{i}"), &format!("Warning: <i>digest_{i}</i>")),
            SECRET,
        );
        assert_eq!(status, 201);
    }
    let digest = wait_for_notification("for the digest", Duration::from_secs(15), |n| {
        n.summary.starts_with("front-end digest")
    });
    assert_eq!(digest.summary, "front-end digest: 4 alerts");
    assert!(
        digest.body.contains("• Warning: &lt;i&gt;digest_0&lt;/i&gt;")
            && digest.body.contains("and 1 more in the inbox"),
        "{}",
        digest.body
    );
    assert!(
        dunst_notifications()
            .iter()
            .all(|n| !n.summary.starts_with("New issue in front-end: Warning: digest_")),
        "held alerts popped up"
    );
    // Each alert goes out in one digest only.
    std::thread::sleep(Duration::from_secs(3));
    let digests = dunst_notifications()
        .into_iter()
        .filter(|n| n.summary.starts_with("front-end digest"))
        .count();
    assert_eq!(digests, 1, "sent once");
    close_all_notifications();
}

#[test]
fn an_issue_resolved_in_sentry_closes_its_notification_without_any_webhook() {
    require_desktop();
    close_all_notifications();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sentry = runtime.block_on(StandIn::start(TOKEN));
    sentry.set_issues(vec![]);
    let _app = launch_polling(&sentry, "poll-resolved");
    // Sentry's first issue in this organization, seen just now.
    let seen = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut issue = serde_json::json!({
        "id": "202", "shortId": "WEB-202", "title": "Error: e2e_resolved_in_sentry", "level": "error",
        "status": "unresolved", "substatus": "new", "firstSeen": seen,
        "lastSeen": seen, "project": {"id": "1", "slug": "web", "name": "web"}
    });
    sentry.set_issues(vec![issue.clone()]);
    wait_for_notification("for the polled issue", Duration::from_secs(15), |n| {
        n.summary.contains("e2e_resolved_in_sentry")
    });
    wait_displayed(1, "the issue is on screen");
    // A teammate resolves it in Sentry's web UI.
    issue["status"] = "resolved".into();
    sentry.set_issues(vec![issue]);
    wait_displayed(0, "resolved in Sentry");
}

#[test]
fn an_action_queued_by_the_command_line_is_sent_by_the_running_app_within_seconds() {
    require_desktop();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sentry = runtime.block_on(StandIn::start(TOKEN));
    let data = temp_dir("cli-queued");
    let url = sentry.url();
    let env = [
        ("SENTRY_URL", url.as_str()),
        ("SENTRY_AUTH_TOKEN", TOKEN),
        ("SENTRY_ORG", "acme"),
        ("SENTRY_TRAY_POLL_INTERVAL", "3600"),
    ];
    let app = App::launch(&app_binary(), &["--hidden"], &env, &data);
    let with_data = [&env[..], &[("SENTRY_TRAY_DATA_DIR", data.to_str().unwrap())]].concat();
    // The app's first poll is done (then it sleeps for an hour): Sentry hears nothing else.
    wait_until("the first poll", 20, || {
        let listed = cli(&["account", "list"], "", &with_data);
        String::from_utf8_lossy(&listed.stdout).contains("polling: ok")
    });
    // The cycle may still be finishing (a loaded machine): the next request must be the CLI's.
    wait_until_quiet(&sentry);
    // The command line's own try meets a Sentry in trouble, and it does not wait.
    sentry.fail_next(Failure::Status(503));
    let out = cli(&["act", "4242", "resolve", "--wait", "0"], "", &with_data);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("still queued"));
    let left_at = Instant::now();
    // The app was told: it sends the action at its first retry (2 s), not an hour later.
    let path = "/api/0/organizations/acme/issues/4242/";
    wait_until("the app sent the queued action", 8, || {
        sentry
            .requests()
            .iter()
            .filter(|r| r.method == "PUT" && r.path == path)
            .count()
            == 2
    });
    assert!(
        left_at.elapsed() < Duration::from_secs(5),
        "{:?}\n{}",
        left_at.elapsed(),
        app.log_text()
    );
}

/// Sentry makes the change but its answer never arrives (the connection drops), and the app is
/// killed before it retries: after a restart it compares the issue in Sentry, sees the change
/// made, and does not send it again; the user sees the outcome.
#[test]
fn an_action_sentry_applied_without_answering_is_not_sent_again_after_a_kill() {
    require_desktop();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sentry = runtime.block_on(StandIn::start(TOKEN));
    let data = temp_dir("hang-up");
    let env_data = [("SENTRY_TRAY_DATA_DIR", data.to_str().unwrap())];
    assert!(cli(&["webhook-secret", "set"], SECRET, &env_data).status.success());
    let url = sentry.url();
    let env = [
        ("SENTRY_URL", url.as_str()),
        ("SENTRY_AUTH_TOKEN", TOKEN),
        ("SENTRY_ORG", "acme"),
        ("SENTRY_TRAY_POLL_INTERVAL", "3600"),
    ];
    let app = App::launch(&app_binary(), &["--hidden"], &env, &data);
    let (status, _) = app.post_issue_webhook(&issue_created_body("7171", "Error: e2e_hang_up"), SECRET);
    assert_eq!(status, 201);
    let shown = wait_for_notification("for the issue", Duration::from_secs(15), |n| {
        n.summary.contains("e2e_hang_up")
    });
    // The app's own reads are done: the next request is the resolve.
    wait_until_quiet(&sentry);
    sentry.fail_next(Failure::ApplyThenHangUp);
    invoke_action(shown.id, "resolve");
    let path = "/api/0/organizations/acme/issues/7171/";
    wait_for_request(&sentry, "PUT", path);
    std::thread::sleep(Duration::from_millis(300));
    drop(app); // kill -9, before its first retry (2 s)

    let _app = App::launch(&app_binary(), &["--hidden"], &env, &data);
    let outcome = wait_for_notification("with the outcome", Duration::from_secs(15), |n| {
        n.id == shown.id && n.summary == "Resolved FRONT-END-9"
    });
    assert_eq!(outcome.body, "Error: e2e_hang_up");
    std::thread::sleep(Duration::from_secs(3));
    let to_issue: Vec<String> = sentry
        .requests()
        .iter()
        .filter(|r| r.path.starts_with(path))
        .map(|r| r.method.clone())
        .collect();
    assert_eq!(
        to_issue.iter().filter(|m| *m == "PUT").count(),
        1,
        "one PUT reached Sentry: {to_issue:?}"
    );
    assert!(
        to_issue.iter().any(|m| m == "GET"),
        "the issue was compared first: {to_issue:?}"
    );
    close_all_notifications();
}

/// Closed notifications as dunst keeps them (expired or dismissed), by id.
fn dunst_history_ids() -> Vec<u64> {
    let out = std::process::Command::new("dunstctl").arg("history").output().unwrap();
    let history: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    history["data"][0]
        .as_array()
        .map(|all| all.iter().filter_map(|n| n["id"]["data"].as_u64()).collect())
        .unwrap_or_default()
}

/// A warning goes away by itself after the time its level is given; a fatal one (urgent) stays
/// until acted on; a 500-character title is cut to about two lines, with the project's name
/// and a time that does not go stale.
#[test]
fn a_warning_expires_by_itself_a_fatal_one_stays_and_a_long_title_is_cut() {
    let s = setup("expiry");
    let data = [("SENTRY_TRAY_DATA_DIR", s.data.to_str().unwrap())];
    let set = cli(
        &["prefs", "front-end", "min_level=debug", "expire_after=warning=2"],
        "",
        &data,
    );
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    let post = |id: &str, title: &str, level: &str| {
        let mut body: serde_json::Value = serde_json::from_slice(&issue_created_body(id, title)).unwrap();
        body["data"]["issue"]["level"] = level.into();
        body["data"]["issue"]["project"]["name"] = "Front End".into();
        body["data"]["issue"]["firstSeen"] = "2026-12-02T10:00:00Z".into();
        let (status, answer) = s.app.post_issue_webhook(&serde_json::to_vec(&body).unwrap(), SECRET);
        assert_eq!(status, 201, "{answer}");
    };
    let long = format!("TypeError: {}", "cannot read property of undefined ".repeat(15));
    post("9701", &long, "warning");
    post("9702", "Fatal: the database is gone", "fatal");
    let warning = wait_for_notification("for the warning", Duration::from_secs(10), |n| {
        n.summary.starts_with("New issue in Front End: TypeError")
    });
    let fatal = wait_for_notification("for the fatal one", Duration::from_secs(10), |n| {
        n.summary.contains("the database is gone")
    });
    assert_eq!(
        warning.summary.chars().count(),
        80,
        "cut to about two lines: {:?}",
        warning.summary
    );
    assert!(warning.summary.ends_with('…'), "{:?}", warning.summary);
    assert_eq!(fatal.urgency, "CRITICAL");
    // The first-seen time as the clock says it, not "3 h ago" for as long as it stays.
    let local = chrono::DateTime::parse_from_rfc3339("2026-12-02T10:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Local);
    assert!(
        warning.body.contains("first seen ") && !warning.body.contains(" ago"),
        "{}",
        warning.body
    );
    assert!(
        warning.body.contains(&local.format("%H:%M").to_string())
            || warning.body.contains(&local.format("%-d %b").to_string()),
        "{}",
        warning.body
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while !dunst_history_ids().contains(&u64::from(warning.id)) {
        assert!(Instant::now() < deadline, "the warning did not go away by itself");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        !dunst_history_ids().contains(&u64::from(fatal.id)),
        "the fatal one went away without being acted on"
    );
    close_all_notifications();
}

/// Sam comments on his own issue twice: once to nobody, once to me as Sentry's comment box
/// writes it. Only the mention reaches the desktop; the inbox says why for both.
#[test]
fn a_comment_that_mentions_me_is_notified_and_one_to_nobody_on_someone_elses_issue_is_not() {
    let s = setup("mention");
    s.sentry.set_issues(vec![serde_json::json!({
        "id": "100", "title": "Sam's issue", "project": {"slug": "sentry"},
        "assignedTo": {"type": "user", "id": "7", "name": "Sam"},
        "isSubscribed": false, "subscriptionDetails": null
    })]);
    let by_sam = |id: u64, text: &'static str| {
        move |body: &mut serde_json::Value| {
            body["data"]["comment_id"] = id.into();
            body["data"]["comment"] = text.into();
            body["actor"] = serde_json::json!({"type": "user", "id": 5, "name": "Sam"});
        }
    };
    let file = "webhook.comment.created.json";
    assert_eq!(
        signed_example(&s.app, "comment", file, by_sam(1, "e2e no mention here")),
        201
    );
    assert_eq!(
        signed_example(&s.app, "comment", file, by_sam(2, "**@Jane Doe** e2e can you look?")),
        201
    );
    let shown = wait_for_notification("for the mention", Duration::from_secs(10), |n| {
        format!("{} {}", n.summary, n.body).contains("e2e can you look")
    });
    assert!(shown.summary.contains("Sam commented"), "{shown:?}");
    let inbox = cli(
        &["inbox", "--json"],
        "",
        &[("SENTRY_TRAY_DATA_DIR", s.data.to_str().unwrap())],
    );
    let alerts: serde_json::Value = serde_json::from_slice(&inbox.stdout).unwrap();
    let find = |text: &str| {
        alerts
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["title"].as_str().is_some_and(|t| t.contains(text)))
            .unwrap_or_else(|| panic!("{text} is in the inbox: {alerts}"))
            .clone()
    };
    let mention = find("e2e can you look");
    assert_eq!(mention["decision"], "now");
    assert!(
        mention["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "it mentions you"),
        "{mention}"
    );
    let other = find("e2e no mention here");
    assert_eq!(other["decision"], "suppress");
    assert_eq!(
        other["reasons"].as_array().unwrap().last().unwrap(),
        "not an issue of yours: assigned to 7, not you, and you are not subscribed to it"
    );
    assert!(
        dunst_notifications()
            .iter()
            .all(|n| !n.summary.contains("e2e no mention")),
        "the comment to nobody was shown"
    );
    close_all_notifications();
}

/// "Mute 1 h for me" on the notification: the issue stays quiet here (Sentry is not told), the
/// command line lifts it; muted until it escalates, the escalation comes through and says why.
#[test]
fn mute_for_me_from_the_notification_keeps_the_issue_quiet_here_until_it_ends() {
    let s = setup("mute");
    let data = [("SENTRY_TRAY_DATA_DIR", s.data.to_str().unwrap())];
    let issue = |id: &'static str, title: &'static str, substatus: &'static str| {
        move |body: &mut serde_json::Value| {
            body["data"]["issue"]["id"] = id.into();
            body["data"]["issue"]["title"] = title.into();
            body["data"]["issue"]["substatus"] = substatus.into();
            // Each change is news of its own (a new event), not a repeat of the last.
            body["data"]["issue"]["lastSeen"] = format!("2026-12-03T10:00:0{}Z", title.len() % 10).into();
        }
    };
    let created =
        |app: &App, title| signed_example(app, "issue", "webhook.issue.created.json", issue("4343", title, "new"));
    let unresolved = |app: &App, title, substatus| {
        signed_example(
            app,
            "issue",
            "webhook.issue.unresolved.json",
            issue("4343", title, substatus),
        )
    };
    assert_eq!(created(&s.app, "e2e_mute first"), 201);
    let shown = wait_for_notification("for the new issue", Duration::from_secs(10), |n| {
        n.summary.contains("e2e_mute first")
    });
    assert!(
        shown.actions.iter().any(|(k, l)| k == "mute" && l == "Mute 1 h for me"),
        "{:?}",
        shown.actions
    );
    invoke_action(shown.id, "mute");
    let outcome = wait_for_notification("confirming the mute", Duration::from_secs(10), |n| {
        n.id == shown.id && n.summary.starts_with("Muted")
    });
    assert!(outcome.summary.ends_with("for you for 1 hour"), "{outcome:?}");
    assert!(
        outcome
            .body
            .starts_with("Only here: Sentry and everyone else are not affected. Back at "),
        "{outcome:?}"
    );
    close_all_notifications();
    let listed = cli(&["mutes"], "", &data);
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert!(listed.contains("(e2e_mute first): muted until "), "{listed}");

    // It regresses: held here, said so in the inbox; Sentry was never asked to change it.
    assert_eq!(unresolved(&s.app, "e2e_mute regressed", "regressed"), 201);
    let inbox =
        || -> serde_json::Value { serde_json::from_slice(&cli(&["inbox", "--json"], "", &data).stdout).unwrap() };
    let newest_reason = || {
        let alerts = inbox();
        alerts[0]["reasons"]
            .as_array()
            .and_then(|r| r.last().cloned())
            .unwrap_or_default()
    };
    wait_until("the regression decided", 10, || {
        newest_reason() != serde_json::Value::Null
    });
    assert!(
        newest_reason().as_str().unwrap().starts_with("muted for you until "),
        "{}",
        inbox()
    );
    assert!(
        dunst_notifications()
            .iter()
            .all(|n| !n.summary.contains("e2e_mute regressed"))
    );
    assert!(
        s.sentry.requests().iter().all(|r| r.method != "PUT"),
        "Sentry was changed"
    );

    // Muted until it escalates instead: the escalation notifies, saying why it is back.
    let alert_id = inbox()[0]["id"].as_i64().unwrap().to_string();
    let muted = cli(&["mute", &alert_id, "escalates"], "", &data);
    assert!(muted.status.success(), "{}", String::from_utf8_lossy(&muted.stderr));
    assert_eq!(unresolved(&s.app, "e2e_mute escalating", "escalating"), 201);
    let back = wait_for_notification("for the escalation", Duration::from_secs(10), |n| {
        n.summary.contains("e2e_mute escalating")
    });
    assert!(
        back.body.starts_with("Back: your mute ended: it escalated\n"),
        "{back:?}"
    );
    close_all_notifications();
    let listed = cli(&["mutes"], "", &data);
    assert!(
        String::from_utf8_lossy(&listed.stdout).contains("back: your mute ended: it escalated"),
        "{}",
        String::from_utf8_lossy(&listed.stdout)
    );
}

/// The weekly summary that fell due while the app was not running is shown at its next start,
/// once; its notification opens the summary in the window.
#[test]
fn a_weekly_summary_missed_while_the_app_was_off_is_shown_at_the_next_start_once() {
    require_desktop();
    close_all_notifications();
    let data = temp_dir("weekly");
    let env = [("SENTRY_TRAY_DATA_DIR", data.to_str().unwrap())];
    // Due yesterday at this time; the app last ran (and last showed a summary) two days ago.
    let due = (chrono::Local::now() - chrono::Duration::days(1))
        .format("%a %H:%M")
        .to_string()
        .to_lowercase();
    let set = cli(&["summary", "--at", &due], "", &env);
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    assert_eq!(
        String::from_utf8_lossy(&set.stdout).trim(),
        format!("weekly summary: {due}")
    );
    let db = rusqlite::Connection::open(data.join("sentry-tray.sqlite3")).unwrap();
    let two_days_ago = (chrono::Utc::now() - chrono::Duration::days(2)).timestamp().to_string();
    db.execute(
        "UPDATE settings SET value = ?1 WHERE key = 'summary.sent'",
        [&two_days_ago],
    )
    .unwrap();
    drop(db);

    let app = App::launch(&app_binary(), &["--hidden"], &[], &data);
    let shown = wait_for_notification("the missed weekly summary", Duration::from_secs(15), |n| {
        n.summary == "Your week in Sentry"
    });
    assert!(
        shown.body.starts_with("Nothing new, regressed or resolved"),
        "{shown:?}"
    );
    assert!(
        shown.actions.iter().any(|(k, l)| k == "summary" && l == "Open summary"),
        "{:?}",
        shown.actions
    );
    invoke_action(shown.id, "summary");
    wait_until("the window opened on the summary", 30, || window_pids(&data).len() == 1);
    drop(app);
    close_all_notifications();
    // Started again: that summary was shown already.
    let weekly = || {
        dunst_notifications()
            .iter()
            .filter(|n| n.summary == "Your week in Sentry")
            .count()
    };
    let before = weekly();
    let _again = App::launch(&app_binary(), &["--hidden"], &[], &data);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(weekly(), before, "the summary was shown twice");
    let printed = cli(&["summary"], "", &env);
    let printed = String::from_utf8_lossy(&printed.stdout).into_owned();
    assert!(printed.contains(&format!("(schedule: {due})")), "{printed}");
    assert!(printed.contains("nothing new, regressed or resolved"), "{printed}");
}
