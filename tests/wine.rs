//! The Windows build, run under Wine (issue 16): `scripts/cross-check`, which `scripts/test`
//! runs first, builds it into `target/cross`. What a Windows user of the headless daemon does:
//! store the webhook secret (Windows' credential store), run the daemon, receive a signed
//! webhook, read the inbox; and of the tray app: its icon in the notification area (Wine's
//! "Wine System Tray" window on the private X display), a second launch answered over the
//! control pipe, a notification shown as the icon's balloon (Wine has no toasts).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const WINE: &str = "/usr/lib/wine/wine64";
const SECRET: &str = "wine-webhook-secret";
/// Where the app registers itself for toasts (its AppUserModelID).
const APP_ID_KEY: &str = r"HKCU\Software\Classes\AppUserModelId\io.sentry-tray.app";

fn built(name: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let exe = root.join("target/cross/x86_64-pc-windows-gnu/debug").join(name);
    assert!(
        exe.exists() && PathBuf::from(WINE).exists(),
        "NOT RUN: {} or {WINE} is missing: run scripts/cross-check (scripts/test does) first",
        exe.display()
    );
    exe
}

/// `EXE ARGS` under Wine, on the data folder `data` (a Unix path, as Wine's drive Z: shows it).
fn wine(exe: &str, data: &std::path::Path, args: &[&str]) -> Command {
    let mut command = wine_program(built(exe).to_str().unwrap());
    command
        .args(args)
        .env("SENTRY_TRAY_DATA_DIR", format!("Z:{}", data.display()));
    command
}

/// A program of Wine's own (`reg`) or a built one, in this project's Wine prefix.
fn wine_program(program: &str) -> Command {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut command = Command::new(WINE);
    command
        .arg(program)
        .env("WINEPREFIX", root.join("target/cross/wine"))
        .env("WINEDEBUG", "-all")
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
        .env_remove("SENTRY_TRAY_WEBHOOK_SECRET");
    command
}

fn cli(data: &std::path::Path, args: &[&str]) -> Command {
    wine("sentry-tray-cli.exe", data, args)
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

/// The top-level X windows of Wine's explorer (its tray, balloons) that are on screen: (id, name).
fn explorer_windows() -> Vec<(String, String)> {
    let tree = Command::new("xwininfo")
        .args(["-root", "-tree"])
        .output()
        .expect("xwininfo runs");
    String::from_utf8_lossy(&tree.stdout)
        .lines()
        .filter(|line| line.contains(r#"("explorer.exe" "explorer.exe")"#))
        .filter_map(|line| {
            let line = line.trim();
            let (id, rest) = line.split_once(' ')?;
            let name = rest
                .split('"')
                .nth(1)
                .filter(|_| rest.starts_with('"'))
                .unwrap_or("")
                .to_owned();
            let shown = Command::new("xwininfo").args(["-id", id]).output().ok()?;
            String::from_utf8_lossy(&shown.stdout)
                .contains("Map State: IsViewable")
                .then(|| (id.to_owned(), name))
        })
        .collect()
}

fn wait_for(what: &str, within: Duration, mut done: impl FnMut() -> bool, log: &std::path::Path) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < within,
            "{what} within {within:?}; the app logged:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn the_windows_tray_app_shows_its_icon_answers_a_second_launch_and_shows_a_balloon() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "NOT RUN: no X display; scripts/test runs this inside its desktop session"
    );
    let data = testkit::temp_dir("wine-tray");
    let dir = data.as_path();
    let log = dir.join("tray.log");
    // An earlier run's registration does not count.
    let _ = wine_program("reg").args(["delete", APP_ID_KEY, "/f"]).output();
    let listen = format!("127.0.0.1:{}", testkit::free_port());
    let _tray = Daemon(
        wine("sentry-tray.exe", dir, &["--hidden"])
            .env("SENTRY_TRAY_LISTEN", &listen)
            .env("SENTRY_TRAY_WEBHOOK_SECRET", SECRET)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap(),
    );
    let logged = |what: &str| std::fs::read_to_string(&log).unwrap_or_default().contains(what);
    // Shell_NotifyIcon succeeded, and Wine's notification area is on the X display with it.
    wait_for(
        "no \"tray icon shown\"",
        Duration::from_secs(60),
        || logged("tray icon shown"),
        &log,
    );
    wait_for(
        "no \"Wine System Tray\" window on screen",
        Duration::from_secs(10),
        || explorer_windows().iter().any(|(_, name)| name == "Wine System Tray"),
        &log,
    );

    // A second launch finds the first over the control pipe, which opens the window.
    let second = wine("sentry-tray.exe", dir, &[])
        .env("SENTRY_TRAY_LISTEN", format!("127.0.0.1:{}", testkit::free_port()))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(second.status.success(), "{said}");
    assert!(
        said.contains("Sentry Tray is already running; its window is open"),
        "{said}"
    );
    wait_for(
        "the window was not started",
        Duration::from_secs(10),
        || logged("window opened"),
        &log,
    );

    // Wine has no toasts: the alert shows as the icon's balloon, a new explorer window.
    let before: Vec<String> = explorer_windows().into_iter().map(|(id, _)| id).collect();
    let addr = listen.parse().unwrap();
    let body = testkit::issue_created_body("4343", "Balloon <b>from</b> Wine");
    let (code, answer) = testkit::post_issue_webhook(addr, &body, SECRET).unwrap();
    assert_eq!(code, 201, "{answer}");
    wait_for(
        "the alert was not notified",
        Duration::from_secs(10),
        || logged("notified"),
        &log,
    );
    wait_for(
        "no balloon on screen",
        Duration::from_secs(10),
        || explorer_windows().iter().any(|(id, _)| !before.contains(id)),
        &log,
    );
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(!text.contains("alert stored but not shown"), "{text}");
    let balloon: Vec<_> = explorer_windows()
        .into_iter()
        .filter(|(id, _)| !before.contains(id))
        .collect();
    eprintln!("the balloon's window: {balloon:?}");
    let _ = std::fs::remove_dir_all(dir);
}
