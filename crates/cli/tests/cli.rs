//! The command-line contract: exit codes and messages a script can rely on.

use std::process::{Command, Output, Stdio};

/// The CLI in a data folder of its own.
fn cli(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let data = tempfile::tempdir().unwrap();
    let data = [("SENTRY_TRAY_DATA_DIR", data.path().to_str().unwrap())];
    testkit::cli(args, stdin, &[&data, env].concat())
}

#[test]
fn an_empty_secret_is_bad_input() {
    let out = cli(&["webhook-secret", "set"], "  \n", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no webhook secret on standard input"));
}

#[test]
fn without_a_keyring_the_message_names_the_fix_and_not_the_secret() {
    let out = cli(
        &["webhook-secret", "set"],
        "s3cr3t-value",
        &[("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("start a Secret Service") && stderr.contains("SENTRY_TRAY_WEBHOOK_SECRET"),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cr3t-value"), "{stderr}");
}

#[test]
fn a_bad_listen_address_is_bad_input() {
    let out = cli(&["daemon", "--listen", "not-an-address"], "", &[]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_taken_port_is_reported_plainly() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = cli(
        &["daemon", "--listen", &addr, "--no-poll"],
        "",
        &[("SENTRY_TRAY_WEBHOOK_SECRET", "x")],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot listen for webhooks on {addr}")),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("os error").count(),
        1,
        "the cause is said once: {stderr}"
    );
}

#[test]
fn a_data_folder_that_cannot_be_made_is_said_with_its_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"not a folder").unwrap();
    let inside = file.join("data");
    let out = cli(&["status"], "", &[("SENTRY_TRAY_DATA_DIR", inside.to_str().unwrap())]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot create the data folder"), "{stderr}");
    assert_eq!(
        stderr.matches("os error").count(),
        1,
        "the cause is said once: {stderr}"
    );
}

#[test]
fn a_corrupt_database_is_reported_with_its_path() {
    let data = tempfile::tempdir().unwrap();
    let db = data.path().join("sentry-tray.sqlite3");
    std::fs::write(&db, b"definitely not sqlite".repeat(200)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sentry-tray-cli"))
        .arg("status")
        .env("SENTRY_TRAY_DATA_DIR", data.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&db.display().to_string()) && stderr.contains("damaged"),
        "{stderr}"
    );
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn owners_names_the_owners_and_the_matching_lines() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(
        dir.path(),
        "rules",
        "# payments\npath:src/payments/* #payments\nurl:*checkout* ops@example.com\n",
    );
    let event = include_str!("../../../testdata/sentry/api.issue-event-latest.200.json");
    let doc: serde_json::Value = serde_json::from_str(event).unwrap();
    let mut body = doc["body"].clone();
    body["entries"] = serde_json::json!([
        {"type": "exception", "data": {"values": [{"stacktrace": {"frames": [{"filename": "src/payments/charge.py", "absPath": "/app/src/payments/charge.py", "inApp": true}]}}]}},
        {"type": "request", "data": {"url": "https://shop.example.com/checkout"}}
    ]);
    let event = write(dir.path(), "event.json", &body.to_string());
    let out = cli(&["owners", "--rules", &rules, "--event", &event], "", &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("Owners: ops@example.com, #payments"), "{stdout}");
    assert!(stdout.contains("Auto-assignee: ops@example.com"), "{stdout}");
    assert!(
        stdout.contains("line 2: path:src/payments/* #payments")
            && stdout.contains("line 3: url:*checkout* ops@example.com"),
        "{stdout}"
    );

    let out = cli(&["owners", "--rules", &rules, "--event", &event, "--json"], "", &[]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["auto_assignee"],
        serde_json::json!({"type": "user", "identifier": "ops@example.com"})
    );
    assert_eq!(json["matches"][0]["line"], 2);
}

#[test]
fn invalid_rules_exit_2_with_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let rules = write(dir.path(), "rules", "*.py #t\npath: #team\n");
    let event = write(dir.path(), "event.json", "{}");
    let out = cli(&["owners", "--rules", &rules, "--event", &event], "", &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("Parse error: ownership (line 2, column 6)"), "{stderr}");

    let broken = write(dir.path(), "broken.json", "{\"entries\": [");
    let out = cli(&["owners", "--rules", &rules, "--event", &broken], "", &[]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn prefs_change_what_explain_decides() {
    let data = tempfile::tempdir().unwrap();
    let env = [("SENTRY_TRAY_DATA_DIR", data.path().to_str().unwrap())];
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_sentry-tray-cli"))
            .args(args)
            .envs(env)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let alert = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/sentry/webhook.issue.created.json"
    );
    // The example file wraps the body with its headers; explain takes the body itself.
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(alert).unwrap()).unwrap();
    let body = data.path().join("alert.json");
    std::fs::write(&body, doc["body"].to_string()).unwrap();
    let body = body.to_str().unwrap();

    let (code, stdout, _) = run(&["explain", "--alert", body]);
    assert_eq!(code, Some(0));
    assert!(
        stdout.contains("FRONT-END-9 (ReferenceError: blooopy is not defined): notify now"),
        "{stdout}"
    );
    assert!(stdout.contains("  - new issues in front-end"), "{stdout}");

    let (code, _, stderr) = run(&["prefs", "front-end", "min_level=fatal"]);
    assert_eq!(code, Some(0), "{stderr}");
    let (_, stdout, _) = run(&["explain", "--alert", body, "--json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["deliver"], "suppress");
    assert_eq!(
        json["reasons"][0],
        "level error is below the minimum fatal for front-end"
    );

    let (code, _, stderr) = run(&["prefs", "front-end", "min_level=loud"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("expected debug, info, warning, error or fatal"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["explain", "--alert", "/nonexistent/alert.json"]);
    assert_eq!(code, Some(2), "{stderr}");

    // "Mute this message": the exception's value, which the title need not contain.
    let (code, _, stderr) = run(&["prefs", "front-end", "min_level=error", "mute_message=blooopy"]);
    assert_eq!(code, Some(0), "{stderr}");
    let (_, stdout, _) = run(&["explain", "--alert", body, "--json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["deliver"], "suppress", "{stdout}");
    assert_eq!(json["reasons"][0], "muted by rule 1: message contains \"blooopy\"");
}

#[test]
fn act_sends_the_action_and_waits_for_its_outcome() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sentry = runtime.block_on(sentry_standin::StandIn::start("sntryu_cli_token"));
    let url = sentry.url();
    let env = [
        ("SENTRY_URL", url.as_str()),
        ("SENTRY_AUTH_TOKEN", "sntryu_cli_token"),
        ("SENTRY_ORG", "acme"),
    ];
    let out = cli(&["act", "42", "ignore=30"], "", &env);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let put = sentry
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT")
        .expect("the PUT reached Sentry");
    assert_eq!(put.path, "/api/0/organizations/acme/issues/42/");
    assert_eq!(
        put.body,
        serde_json::json!({"status": "ignored", "statusDetails": {"ignoreDuration": 30}})
    );

    // What Undo sends, from the command line too.
    for (action, body) in [
        ("unresolve", serde_json::json!({"status": "unresolved"})),
        ("unassign", serde_json::json!({"assignedTo": ""})),
    ] {
        let out = cli(&["act", "42", action], "", &env);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{action}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let put = sentry.requests().into_iter().rev().find(|r| r.method == "PUT").unwrap();
        assert_eq!(put.body, body, "{action}");
    }

    let out = cli(&["act", "42", "reopen"], "", &env);
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("is not an action") && said.contains("unresolve"),
        "{said}"
    );
    sentry.fail_next(sentry_standin::Failure::Status(403));
    let out = cli(&["act", "42", "resolve"], "", &env);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("403"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn projects_lists_every_accounts_projects_with_their_preferences() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sentry = runtime.block_on(sentry_standin::StandIn::start("sntryu_cli_token"));
    let url = sentry.url();
    let data = tempfile::tempdir().unwrap();
    let env = [
        ("SENTRY_URL", url.as_str()),
        ("SENTRY_AUTH_TOKEN", "sntryu_cli_token"),
        ("SENTRY_ORG", "acme"),
        ("SENTRY_TRAY_DATA_DIR", data.path().to_str().unwrap()),
    ];
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_sentry-tray-cli"))
            .args(args)
            .envs(env)
            .output()
            .unwrap()
    };
    assert!(run(&["prefs", "web", "enabled=off"]).status.success());
    let out = run(&["projects"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout.contains("front-end") && stdout.contains("from warning up, everything"),
        "{stdout}"
    );
    assert!(
        stdout.lines().any(|l| l.contains("web") && l.ends_with("off")),
        "{stdout}"
    );
    let json: serde_json::Value = serde_json::from_slice(&run(&["projects", "--json"]).stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2);
}

/// A keyring that is there but locked: in a private D-Bus session of its own (so the desktop
/// session's keyring is left alone), gnome-keyring is unlocked, then its login collection
/// locked again over the Secret Service API, with no display for an unlock prompt.
#[test]
fn a_locked_keyring_is_reported_with_the_fix_and_not_the_secret() {
    let runtime = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let report = data.path().join("stderr");
    // Services D-Bus starts keep the session's output open: the CLI's goes to a file.
    let script = format!(
        r#"echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets \
  --method org.freedesktop.Secret.Service.Lock "['/org/freedesktop/secrets/collection/login']" >/dev/null
echo -n s3cr3t-value | timeout 20 {cli} webhook-secret set 2>{report}
code=$?
for p in $(pgrep -x gnome-keyring-d); do
  tr '\0' '\n' < /proc/$p/environ 2>/dev/null | grep -qx "XDG_RUNTIME_DIR={runtime}" && kill $p
done
exit $code"#,
        cli = env!("CARGO_BIN_EXE_sentry-tray-cli"),
        report = report.display(),
        runtime = runtime.path().display(),
    );
    let status = Command::new("timeout")
        .args(["60", "dbus-run-session", "--", "bash", "-c", &script])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("XDG_RUNTIME_DIR", runtime.path())
        .env("XDG_DATA_HOME", data.path())
        .env("SENTRY_TRAY_DATA_DIR", data.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("dbus-run-session is installed by scripts/setup.sh");
    let stderr = std::fs::read_to_string(&report).unwrap_or_default();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the keyring is locked") && stderr.contains("gnome-keyring-daemon --unlock"),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cr3t-value"), "{stderr}");
}

#[test]
fn a_reader_that_goes_away_ends_a_command_quietly() {
    // `sentry-tray-cli inbox | head -1`: the reader is gone before the command prints.
    let data = tempfile::tempdir().unwrap();
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/fixtures/release-9dc7468.sqlite3"
    );
    std::fs::copy(fixture, data.path().join("sentry-tray.sqlite3")).unwrap();
    for args in [&["inbox"][..], &["status"], &["prefs", "*"], &["inbox", "--json"]] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_sentry-tray-cli"))
            .args(args)
            .env("SENTRY_TRAY_DATA_DIR", data.path())
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
}

/// Another user's data folder (a `sudo sentry-tray-cli …` once, say): the error says permission
/// and how to give it back, not "damaged". Run as an unprivileged user (`setpriv`), since root
/// is never denied; without root to switch users this fails saying so, it is not skipped.
#[test]
fn another_users_data_folder_is_said_to_be_theirs_not_damaged() {
    let outer = tempfile::tempdir().unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(outer.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let data = outer.path().join("data");
    // Made by root, as the app makes it: 0700, the database inside.
    let made = testkit::cli(&["status"], "", &[("SENTRY_TRAY_DATA_DIR", data.to_str().unwrap())]);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(testkit::cli_binary())
        .arg("status")
        .env("SENTRY_TRAY_DATA_DIR", &data)
        .stdin(Stdio::null())
        .output()
        .expect("setpriv(1)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("setpriv:"),
        "THIS CASE DID NOT RUN: switching to an unprivileged user needs root: {stderr}"
    );
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("permission denied for") && stderr.contains("chown"),
        "{stderr}"
    );
    assert!(!stderr.contains("damaged or not"), "{stderr}");
}

#[test]
fn account_sentry_settings_shows_sentrys_workflow_setting_and_applies_it() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sentry = runtime.block_on(sentry_standin::StandIn::start("sntryu_cli_token"));
    sentry.set_notification_options(vec![serde_json::json!({
        "id": "1", "scopeType": "project", "scopeIdentifier": "2", "type": "workflow", "value": "never"
    })]);
    let url = sentry.url();
    let data = tempfile::tempdir().unwrap();
    let env = [
        ("SENTRY_URL", url.as_str()),
        ("SENTRY_AUTH_TOKEN", "sntryu_cli_token"),
        ("SENTRY_ORG", "acme"),
        ("SENTRY_TRAY_DATA_DIR", data.path().to_str().unwrap()),
    ];
    let shown = cli(&["account", "sentry-settings", "acme"], "", &env);
    let stdout = String::from_utf8_lossy(&shown.stdout);
    assert_eq!(
        shown.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    assert!(
        stdout.contains("in acme: only for issues you are subscribed to")
            && stdout.contains("web: never -> assignments, mentions, comments and others' changes off")
            && stdout.contains("Nothing changed"),
        "{stdout}"
    );
    let applied = cli(&["account", "sentry-settings", "acme", "--apply"], "", &env);
    assert_eq!(
        applied.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&applied.stderr)
    );
    let prefs = cli(&["prefs", "web", "--org", "acme"], "", &env);
    let web: serde_json::Value = serde_json::from_slice(&prefs.stdout).unwrap();
    assert_eq!(
        web["kinds"],
        serde_json::json!(["new_issue", "regression", "escalating", "event_alert", "metric_alert"]),
        "{web}"
    );
}
