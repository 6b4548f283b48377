//! The Windows build, run under Wine (issue 16): `scripts/cross-check`, which `scripts/test`
//! runs first, builds it into `target/cross`. What a Windows user of the headless daemon does:
//! store the webhook secret (Windows' credential store), run the daemon, receive a signed
//! webhook, read the inbox.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const WINE: &str = "/usr/lib/wine/wine64";
const SECRET: &str = "wine-webhook-secret";

fn exe() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let exe = root.join("target/cross/x86_64-pc-windows-gnu/debug/sentry-tray-cli.exe");
    assert!(
        exe.exists() && PathBuf::from(WINE).exists(),
        "NOT RUN: {} or {WINE} is missing: run scripts/cross-check (scripts/test does) first",
        exe.display()
    );
    exe
}

/// `sentry-tray-cli.exe ARGS` under Wine, on the data folder `data` (a Unix path, as Wine's
/// drive Z: shows it).
fn cli(data: &std::path::Path, args: &[&str]) -> Command {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut command = Command::new(WINE);
    command
        .arg(exe())
        .args(args)
        .env("WINEPREFIX", root.join("target/cross/wine"))
        .env("WINEDEBUG", "-all")
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
        .env("SENTRY_TRAY_DATA_DIR", format!("Z:{}", data.display()))
        .env_remove("SENTRY_TRAY_WEBHOOK_SECRET");
    command
}

fn run(data: &std::path::Path, args: &[&str], stdin: &str) -> Output {
    let mut child = cli(data, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("wine starts");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "sentry-tray-cli.exe {args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_windows_daemon_keeps_its_secret_in_the_credential_store_and_stores_a_signed_webhook() {
    let data = testkit::temp_dir("wine");
    let dir = data.as_path();
    let stored = run(dir, &["webhook-secret", "set"], SECRET);
    assert!(String::from_utf8_lossy(&stored.stdout).contains("stored in the keyring"));
    // Read back by another process, from Windows' credential store (Wine's implementation).
    let status = String::from_utf8_lossy(&run(dir, &["status"], "").stdout).into_owned();
    assert!(status.contains("webhook secret: set (from the keyring)"), "{status}");
    assert!(status.contains("alerts stored: 0"), "{status}");

    let listen = format!("127.0.0.1:{}", testkit::free_port());
    let _daemon = Daemon(
        cli(dir, &["daemon", "--listen", &listen, "--no-poll"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let addr = listen.parse().unwrap();
    let started = Instant::now();
    let health = loop {
        if let Ok((200, body)) = testkit::http(addr, "GET", "/health", &[], b"") {
            break body;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the daemon never answered /health"
        );
        std::thread::sleep(Duration::from_millis(250));
    };
    assert!(health.contains(r#""status":"ok""#), "{health}");
    eprintln!("the Windows daemon answered /health after {:?}", started.elapsed());

    let body = testkit::issue_created_body("4242", "Wine is not an emulator");
    let (code, answer) = testkit::post_issue_webhook(addr, &body, SECRET).unwrap();
    assert_eq!(code, 201, "{answer}");
    let (code, _) = testkit::post_issue_webhook(addr, &body, "someone else's secret").unwrap();
    assert_eq!(code, 401, "a webhook signed with another secret is refused");

    let inbox = String::from_utf8_lossy(&run(dir, &["inbox"], "").stdout).into_owned();
    assert!(inbox.contains("Wine is not an emulator"), "{inbox}");
    run(dir, &["webhook-secret", "remove"], "");
    let _ = std::fs::remove_dir_all(dir);
}
