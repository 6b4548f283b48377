//! What many test binaries (and the benchmarks) need alike: the TLS provider set once, the
//! workspace's built binaries and a private data folder each, Sentry's stand-in with its account,
//! signed webhooks over plain HTTP, and dunst (the real notification daemon of the test session)
//! and the X server as the user's eyes and hands.

use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const SECRET: &str = "5f1c0d8f2a3b4c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012a3b4c5d6";
pub const TOKEN: &str = "sntryu_e2e_token_0123456789";

/// The desktop tests need the private session that `scripts/test` starts; say so plainly.
pub fn require_desktop() {
    assert_eq!(
        std::env::var("SENTRY_TRAY_DESKTOP").as_deref(),
        Ok("1"),
        "this test needs the private desktop session (Xvfb, dunst, gnome-keyring): run it through scripts/test"
    );
}

/// The stand-in's organization: the account every test polls and acts with.
pub const ORG: &str = "acme";

/// Installs the TLS provider the HTTP clients use (ring), once per process; every test that
/// makes a client calls it first.
pub fn tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Sentry's stand-in on loopback, answering `token`.
pub async fn standin(token: &str) -> sentry_standin::StandIn {
    tls();
    sentry_standin::StandIn::start(token).await
}

/// The environment that makes `url` the environment's account (`SENTRY_URL`, `SENTRY_ORG`,
/// `SENTRY_AUTH_TOKEN`), for a binary started by a test.
pub fn account_env<'a>(url: &'a str, token: &'a str) -> [(&'static str, &'a str); 3] {
    [("SENTRY_URL", url), ("SENTRY_ORG", ORG), ("SENTRY_AUTH_TOKEN", token)]
}

/// A binary of the workspace, from the target folder the running test was built into.
fn sibling(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // Test binaries are in target/<profile>/deps, the workspace's binaries one folder up.
    let folder = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let bin = folder.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: build with `cargo build --workspace`",
        bin.display()
    );
    bin
}

/// The window, which the tray app starts while the window is open.
pub fn window_binary() -> PathBuf {
    sibling("sentry-tray-window")
}

/// `sentry-tray`, the app: engine and tray icon (crates/tray).
pub fn app_binary() -> PathBuf {
    sibling("sentry-tray")
}

pub fn cli_binary() -> PathBuf {
    sibling("sentry-tray-cli")
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sentry-tray-{name}-{}-{}", std::process::id(), free_port()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the CLI with `stdin` and the given environment; returns its output.
pub fn cli(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut child = Command::new(cli_binary())
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// A running app, killed when dropped.
pub struct App {
    pub child: Child,
    pub addr: SocketAddr,
    pub log: PathBuf,
}

impl App {
    pub fn launch(binary: &Path, args: &[&str], env: &[(&str, &str)], data_dir: &Path) -> App {
        let port = free_port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let log = data_dir.join("app.log");
        let child = Command::new(binary)
            .args(args)
            .env("SENTRY_TRAY_DATA_DIR", data_dir)
            .env("SENTRY_TRAY_LISTEN", addr.to_string())
            .env("SENTRY_TRAY_LOG", "info")
            .envs(env.iter().copied())
            .stdout(std::fs::File::create(data_dir.join("app.out")).unwrap())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut app = App { child, addr, log };
        app.wait_healthy();
        app
    }

    fn wait_healthy(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "the app exited ({status}) before its receiver answered:\n{}",
                    self.log_text()
                );
            }
            if matches!(http(self.addr, "GET", "/health", &[], b""), Ok((200, _))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the app's receiver never answered /health:\n{}", self.log_text());
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Posts a webhook as Sentry's Integration Platform would, signed with `secret`.
    pub fn post_issue_webhook(&self, body: &[u8], secret: &str) -> (u16, String) {
        post_issue_webhook(self.addr, body, secret).unwrap()
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Now in seconds since the epoch, as webhook timestamps carry it.
pub fn unix_now() -> String {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string()
}

/// Posts `body` to the receiver at `addr` as Sentry sends an issue webhook, signed with `secret`.
pub fn post_issue_webhook(addr: SocketAddr, body: &[u8], secret: &str) -> std::io::Result<(u16, String)> {
    let signature = sign(secret, body);
    let sent = unix_now();
    let headers = [
        ("Content-Type", "application/json"),
        ("Sentry-Hook-Resource", "issue"),
        ("Sentry-Hook-Timestamp", sent.as_str()),
        // Sentry sends a fresh id per delivery.
        ("Request-ID", &signature[..32]),
        ("Sentry-Hook-Signature", signature.as_str()),
    ];
    http(addr, "POST", "/webhook", &headers, body)
}

pub fn sign(secret: &str, body: &[u8]) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// A minimal HTTP/1.1 client over a plain socket: the tests see exactly what was sent.
pub fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<(u16, String)> {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    stream.write_all(body)?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

/// Sentry's example `issue.created` webhook body, as compact JSON, with the issue's id and
/// title made unique so a test finds its own notification.
pub fn issue_created_body(issue_id: &str, title: &str) -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/sentry/webhook.issue.created.json"
    );
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut body = doc["body"].clone();
    body["data"]["issue"]["id"] = issue_id.into();
    body["data"]["issue"]["title"] = title.into();
    body["data"]["issue"]["web_url"] = format!("https://sentry.io/organizations/acme/issues/{issue_id}/").into();
    serde_json::to_vec(&body).unwrap()
}

/// One notification as dunst printed it.
#[derive(Debug, Clone)]
pub struct Shown {
    pub id: u32,
    pub summary: String,
    pub body: String,
    pub urgency: String,
    pub actions: Vec<(String, String)>,
}

/// Every notification dunst received so far, in order (a replaced one appears again).
pub fn dunst_notifications() -> Vec<Shown> {
    let log = std::env::var("DUNST_LOG").expect("DUNST_LOG is set by scripts/desktop-session.sh");
    let text = std::fs::read_to_string(log).unwrap_or_default();
    text.split("\n}\n").filter_map(parse_block).collect()
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(&text[from..to])
}

fn parse_block(block: &str) -> Option<Shown> {
    let id = between(block, "\n\tid: ", "\n")?.trim().parse().ok()?;
    let summary = between(block, "\tsummary: '", "'\n\tbody: '")?.to_owned();
    let body = between(block, "'\n\tbody: '", "'\n\ticon: ")?.to_owned();
    let urgency = between(block, "\n\turgency: ", "\n")?.trim().to_owned();
    let actions = between(block, "\n\tactions: {\n", "\n\t}")
        .unwrap_or("")
        .lines()
        .filter_map(|line| {
            let mut parts = line.trim().splitn(2, "\": \"");
            let key = parts.next()?.trim_start_matches('"').to_owned();
            let label = parts.next()?.trim_end_matches('"').to_owned();
            Some((key, label))
        })
        .collect();
    Some(Shown {
        id,
        summary,
        body,
        urgency,
        actions,
    })
}

/// Waits until dunst shows a notification matching `pred`.
pub fn wait_for_notification(what: &str, timeout: Duration, pred: impl Fn(&Shown) -> bool) -> Shown {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(found) = dunst_notifications().into_iter().rev().find(|n| pred(n)) {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "no notification {what} within {timeout:?}; dunst saw: {:#?}",
            dunst_notifications()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Chooses `action` on notification `id` through dunst's context menu, as a user would.
pub fn invoke_action(id: u32, action: &str) {
    let pick = std::env::var("DUNST_PICK_FILE").expect("DUNST_PICK_FILE is set by scripts/desktop-session.sh");
    std::fs::write(&pick, format!("[{id},{action}]")).unwrap();
    let status = Command::new("dunstctl").arg("context").status().unwrap();
    assert!(status.success(), "dunstctl context failed");
}

pub fn close_all_notifications() {
    let _ = Command::new("dunstctl").arg("close-all").status();
}

/// The pids of processes started with `SENTRY_TRAY_DATA_DIR=data_dir` whose executable passes `is`.
fn pids_using(data_dir: &Path, is: impl Fn(&Path) -> bool) -> Vec<u32> {
    let marker = format!("SENTRY_TRAY_DATA_DIR={}", data_dir.display());
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else {
            continue;
        };
        let matches = std::fs::read_link(entry.path().join("exe")).is_ok_and(|exe| is(&exe));
        if matches && environ.split(|b| *b == 0).any(|var| var == marker.as_bytes()) {
            pids.push(pid);
        }
    }
    // A child forked to start a helper (WebKit's processes, a browser) has its parent's binary
    // and environment until it execs: not a second instance.
    let parents: Vec<Option<u32>> = pids.iter().map(|pid| parent_of(*pid)).collect();
    pids.iter()
        .zip(parents)
        .filter(|(_, parent)| !parent.is_some_and(|parent| pids.contains(&parent)))
        .map(|(pid, _)| *pid)
        .collect()
}

/// The parent process of `pid`, from `/proc/PID/stat` (after the command's closing parenthesis).
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()
}

/// The running apps (`sentry-tray`) of this data folder.
pub fn app_pids(data_dir: &Path) -> Vec<u32> {
    pids_using(data_dir, |exe| exe == app_binary())
}

/// The running window processes of this data folder.
pub fn window_pids(data_dir: &Path) -> Vec<u32> {
    pids_using(data_dir, |exe| exe == window_binary())
}

/// WebKit's helper processes (web content, network) started for this data folder's window.
pub fn webkit_pids(data_dir: &Path) -> Vec<u32> {
    pids_using(data_dir, |exe| {
        exe.file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with("WebKit"))
    })
}

/// Waits until `done` holds, failing with `what` after `secs` seconds.
pub fn wait_until(what: &str, secs: u64, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Does to the window titled `title` what the user's window manager would (`x11_window.py`).
fn x11_window(args: &[&str]) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/support/x11_window.py");
    let status = Command::new("/usr/bin/python3")
        .arg(script)
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "x11_window.py {args:?} failed (no such window?)");
}

/// Closes the window titled `title` as its close button does (WM_DELETE_WINDOW).
pub fn close_window(title: &str) {
    x11_window(&["close", title]);
}

/// Resizes the window titled `title` as dragging its border does.
pub fn resize_window(title: &str, width: u32, height: u32) {
    x11_window(&["resize", title, &width.to_string(), &height.to_string()]);
}

/// The size of the window titled `title` (from `xwininfo`), if it is on screen.
pub fn window_size(title: &str) -> Option<(u32, u32)> {
    let out = Command::new("xwininfo")
        .args(["-name", title])
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
    };
    Some((field("Width:")?, field("Height:")?))
}
