//! The command-line contract: exit codes and messages a script can rely on.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn cli(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sentry-tray-cli"))
        .args(args)
        .env("SENTRY_TRAY_DATA_DIR", data.path())
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
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
    assert!(stderr.contains("start a Secret Service") && stderr.contains("SENTRY_TRAY_WEBHOOK_SECRET"), "{stderr}");
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
    let out = cli(&["daemon", "--listen", &addr, "--no-poll"], "", &[("SENTRY_TRAY_WEBHOOK_SECRET", "x")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("cannot listen for webhooks on {addr}")), "{stderr}");
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
    assert!(stderr.contains(&db.display().to_string()) && stderr.contains("damaged"), "{stderr}");
}
