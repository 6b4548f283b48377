//! The real headless daemon, started as a desktop starts it (a soft limit of 1,024 open files),
//! while a local process holds more idle and half-sent connections than the receiver's cap:
//! signed webhooks still get through within a second. And with too few file descriptors to
//! accept at all, the daemon says so in its log (once, not per failure) and recovers.

use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "starvation-secret";

struct Daemon {
    child: Child,
    addr: SocketAddr,
    log: std::path::PathBuf,
    _data: tempfile::TempDir,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The daemon under `prlimit --nofile=SOFT:HARD`, once its receiver answers.
fn daemon(soft: u32, hard: u32) -> Daemon {
    let data = tempfile::tempdir().unwrap();
    let addr: SocketAddr = format!("127.0.0.1:{}", testkit::free_port()).parse().unwrap();
    let log = data.path().join("daemon.log");
    // The whole pipeline runs, but nothing pops up on the test session's shared screen.
    let off = testkit::cli(
        &["prefs", "*", "enabled=off"],
        "",
        &[("SENTRY_TRAY_DATA_DIR", data.path().to_str().unwrap())],
    );
    assert!(off.status.success(), "{}", String::from_utf8_lossy(&off.stderr));
    let child = Command::new("prlimit")
        .arg(format!("--nofile={soft}:{hard}"))
        .arg("--")
        .arg(testkit::cli_binary())
        .args(["daemon", "--no-poll", "--listen", &addr.to_string()])
        .env("SENTRY_TRAY_DATA_DIR", data.path())
        .env("SENTRY_TRAY_WEBHOOK_SECRET", SECRET)
        .env("SENTRY_TRAY_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("prlimit(1)");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !matches!(testkit::http(addr, "GET", "/health", &[], b""), Ok((200, _))) {
        assert!(
            Instant::now() < deadline,
            "the daemon did not start: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Daemon {
        child,
        addr,
        log,
        _data: data,
    }
}

fn post(addr: SocketAddr, id: usize) -> (u16, Duration) {
    let body = testkit::issue_created_body(&format!("{}", 50_000 + id), &format!("Error: held_{id}"));
    let started = Instant::now();
    let (status, _) = testkit::post_issue_webhook(addr, &body, SECRET).unwrap_or((0, String::new()));
    (status, started.elapsed())
}

/// Connections held open: every other one has sent half a request.
fn hold(addr: SocketAddr, count: usize) -> Vec<TcpStream> {
    use std::io::Write;
    (0..count)
        .filter_map(|i| {
            let mut c = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
            if i % 2 == 0 {
                let _ = c.write_all(b"POST /webhook HTTP/1.1\r\nHost: x\r\n");
            }
            Some(c)
        })
        .collect()
}

#[test]
fn more_held_connections_than_the_cap_and_the_soft_limit_do_not_stop_webhooks() {
    // This process holds them: it needs more than its own soft limit may be.
    engine::raise_open_file_limit();
    let d = daemon(1024, 8192);
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", d.child.id())).unwrap();
    let open_files = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap()
        .to_owned();
    assert!(
        open_files.split_whitespace().nth(3) == Some("8192"),
        "the soft limit was not raised to the hard one: {open_files}"
    );
    let held = hold(d.addr, 1_100);
    assert!(held.len() >= 1_050, "could hold only {} connections", held.len());
    let mut latencies: Vec<Duration> = (0..50)
        .map(|i| {
            let (status, took) = post(d.addr, i);
            assert!((200..300).contains(&status), "webhook {i} answered {status}");
            took
        })
        .collect();
    latencies.sort();
    let p99 = latencies[latencies.len() * 99 / 100];
    assert!(p99 <= Duration::from_secs(1), "p99 {p99:?} with 1,100 connections held");
    drop(held);
}

#[test]
fn out_of_file_descriptors_the_daemon_logs_it_once_and_recovers() {
    engine::raise_open_file_limit();
    // Too few descriptors for the cap: accept fails until idle connections are closed.
    let d = daemon(64, 64);
    let held = hold(d.addr, 120);
    let mut answered = 0;
    for i in 0..10 {
        let (status, _) = post(d.addr, 100 + i);
        if (200..300).contains(&status) {
            answered += 1;
        }
    }
    assert!(
        answered >= 8,
        "only {answered} of 10 webhooks answered while out of descriptors"
    );
    drop(held);
    let log = std::fs::read_to_string(&d.log).unwrap();
    let said = log.matches("could not accept a connection").count();
    assert!(said >= 1, "accept errors were not logged:\n{log}");
    assert!(said <= 3, "accept errors logged {said} times, not rate-limited");
}
