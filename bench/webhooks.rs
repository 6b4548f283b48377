//! The webhook receiver under load from a separate process: the real `sentry-tray-cli daemon`
//! (receiver, SQLite, policy) on loopback, started as a desktop starts it (a soft limit of 1,024
//! open files), and this process posting a burst of signed 4 KB `issue.created` webhooks
//! (distinct issues, 10 % of them delivered twice) at concurrency 32. Each answer follows the
//! alert's commit, so request latency is request-to-commit. Afterwards the rows are counted:
//! nothing lost, nothing doubled.
//!
//! Runs, one after the other in one process: durable acknowledgements (the default), the same
//! with `SENTRY_TRAY_SYNC=normal` (commits that survive a kill, not power loss), and durable
//! while 1,100 idle and half-sent connections are held (more than the receiver's cap and the
//! soft limit). Also measured: the disk's flush latency (4 KB write + fdatasync) in the data
//! folder, which is on the target folder's disk, not tmpfs; and the daemon's CPU per delivery.
//!
//!     cargo bench -p sentry-tray-cli --bench webhooks
//!
//! The load is written as raw HTTP/1.1 on 32 kept-alive connections, each request built before
//! the clock starts, so the client takes as little of the shared cores as it can; its CPU per
//! delivery is reported beside the daemon's.
//!
//! `BENCH_CLI=/path/to/sentry-tray-cli` measures another build (an older release) the same
//! way; `BENCH_REQUESTS`, `BENCH_CONCURRENCY`, `BENCH_BODY_BYTES`, `BENCH_HOLD` change the load,
//! and `BENCH_ONLY=durable` (or `not`) runs one of the runs.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SECRET: &str = "bench-secret";

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

struct Load {
    requests: usize,
    concurrency: usize,
    body_bytes: usize,
}

struct Measured {
    sent: usize,
    per_second: f64,
    p50: f64,
    p99: f64,
    max: f64,
    rows: i64,
    cpu_per_delivery_us: f64,
    /// This process's (the load's) CPU per delivery: it shares the cores with the daemon.
    client_cpu_per_delivery_us: f64,
}

/// The daemon's user + system CPU time so far, from /proc.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/PID/stat");
    // Fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    let after = &stat[stat.rfind(')').expect("stat format") + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
    let hz = 100; // USER_HZ on Linux
    Duration::from_millis(ticks * 1000 / hz)
}

/// 4 KB write + fdatasync in `dir`, 200 times: the floor under a durable commit.
fn flush_latency(dir: &std::path::Path) -> (f64, f64) {
    use std::io::Write;
    let path = dir.join("flush-probe");
    let mut file = std::fs::File::create(&path).expect("probe file");
    let block = [7u8; 4096];
    let mut took: Vec<Duration> = (0..200)
        .map(|_| {
            let t = Instant::now();
            file.write_all(&block).expect("write");
            file.sync_data().expect("fdatasync");
            t.elapsed()
        })
        .collect();
    let _ = std::fs::remove_file(&path);
    took.sort();
    (took[100].as_secs_f64() * 1e3, took[198].as_secs_f64() * 1e3)
}

/// One request on a kept-alive connection: its answer's status, the answer read whole.
async fn exchange(
    read: &mut tokio::io::BufReader<tokio::net::tcp::OwnedReadHalf>,
    write: &mut tokio::net::tcp::OwnedWriteHalf,
    request: &[u8],
) -> u16 {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
    write.write_all(request).await.expect("send");
    let mut line = String::new();
    read.read_line(&mut line).await.expect("status line");
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let mut length = 0;
    loop {
        line.clear();
        read.read_line(&mut line).await.expect("header");
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().expect("content-length");
        }
    }
    let mut body = vec![0; length];
    read.read_exact(&mut body).await.expect("body");
    status
}

fn run(cli: &str, dir: &std::path::Path, load: &Load, sync: &str, hold: usize) -> Measured {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("bench folder");
    let env = [
        ("SENTRY_TRAY_DATA_DIR", dir.to_str().expect("utf-8 path")),
        ("SENTRY_TRAY_WEBHOOK_SECRET", SECRET),
        ("SENTRY_TRAY_LOG", "warn"),
        ("SENTRY_TRAY_SYNC", sync),
    ];
    // The pipeline runs whole, but nothing pops up: every project's notifications are off.
    let off = Command::new(cli)
        .args(["prefs", "*", "enabled=off"])
        .envs(env)
        .output()
        .expect("sentry-tray-cli");
    assert!(off.status.success(), "{}", String::from_utf8_lossy(&off.stderr));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let hard = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|l| {
            let line = l.lines().find(|l| l.starts_with("Max open files"))?.to_owned();
            line.split_whitespace().nth(4).map(str::to_owned)
        })
        .unwrap_or_else(|| "4096".into());
    let mut daemon = Command::new("prlimit")
        .arg(format!("--nofile=1024:{hard}"))
        .arg("--")
        .arg(cli)
        .args(["daemon", "--no-poll", "--listen", &format!("127.0.0.1:{port}")])
        .envs(env)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prlimit and the daemon");
    let pid = daemon.id();

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (elapsed, mut latencies, sent, cpu, client_cpu) = runtime.block_on(async move {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        let base = format!("http://127.0.0.1:{port}");
        let ready = Instant::now();
        while client.get(format!("{base}/health")).send().await.is_err() {
            assert!(ready.elapsed() < Duration::from_secs(20), "the daemon did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut held = Vec::new();
        for i in 0..hold {
            use tokio::io::AsyncWriteExt;
            let Ok(mut c) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
                continue;
            };
            if i % 2 == 0 {
                let _ = c.write_all(b"POST /webhook HTTP/1.1\r\nHost: x\r\n").await;
            }
            held.push(c);
        }
        let template: serde_json::Value =
            serde_json::from_str(include_str!("../testdata/sentry/webhook.issue.created.json")).expect("example");
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs()
            .to_string();
        // Each request whole, headers and body, built before the clock starts: the client's own
        // work is one write and one read per delivery, so the daemon gets the cores.
        let request = |bytes: Vec<u8>| {
            let signature = sentry_api::sign(SECRET.as_bytes(), &bytes);
            let mut request = format!(
                "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
                 Sentry-Hook-Resource: issue\r\nSentry-Hook-Timestamp: {stamp}\r\nRequest-ID: {}\r\n\
                 Sentry-Hook-Signature: {signature}\r\nContent-Length: {}\r\n\r\n",
                &signature[..32],
                bytes.len()
            )
            .into_bytes();
            request.extend_from_slice(&bytes);
            request
        };
        let mut requests: Vec<Vec<u8>> = (0..load.requests)
            .map(|i| {
                let mut body = template["body"].clone();
                body["data"]["issue"]["id"] = format!("{}", 1_000_000 + i).into();
                let short = serde_json::to_vec(&body).expect("json").len();
                // Real issue payloads carry metadata and tags: padded to the size asked for.
                body["data"]["issue"]["metadata"]["value"] =
                    "x".repeat(load.body_bytes.saturating_sub(short + 12)).into();
                request(serde_json::to_vec(&body).expect("json"))
            })
            .collect();
        // Sentry's retries: the same delivery again.
        let repeats: Vec<_> = requests.iter().step_by(10).cloned().collect();
        let sent = requests.len() + repeats.len();
        requests.extend(repeats);
        let queue = Arc::new(std::sync::Mutex::new(requests));
        let cpu_before = cpu_time(pid);
        let client_before = cpu_time(std::process::id());
        let started = Instant::now();
        let mut workers = Vec::new();
        for _ in 0..load.concurrency {
            let queue = queue.clone();
            workers.push(tokio::spawn(async move {
                let stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .expect("connect");
                stream.set_nodelay(true).expect("nodelay");
                let (read, mut write) = stream.into_split();
                let mut read = tokio::io::BufReader::new(read);
                let mut latencies = Vec::new();
                loop {
                    let Some(request) = queue.lock().expect("queue").pop() else {
                        break;
                    };
                    let t = Instant::now();
                    // A starved receiver (an older build with connections held) fails the run.
                    let status =
                        tokio::time::timeout(Duration::from_secs(30), exchange(&mut read, &mut write, &request))
                            .await
                            .expect("no answer within 30 s");
                    assert!((200..300).contains(&status), "answered {status}");
                    latencies.push(t.elapsed());
                }
                latencies
            }));
        }
        let mut latencies = Vec::new();
        for worker in workers {
            latencies.extend(worker.await.expect("worker"));
        }
        let elapsed = started.elapsed();
        let cpu = cpu_time(pid).saturating_sub(cpu_before);
        let client_cpu = cpu_time(std::process::id()).saturating_sub(client_before);
        drop(held);
        (elapsed, latencies, sent, cpu, client_cpu)
    });
    let _ = daemon.kill();
    let _ = daemon.wait();

    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)].as_secs_f64() * 1e3;
    let rows = engine::Engine::open(engine::Settings::in_folder(dir))
        .expect("database")
        .status()
        .alerts;
    assert_eq!(rows as usize, load.requests, "every alert stored exactly once");
    Measured {
        sent,
        per_second: sent as f64 / elapsed.as_secs_f64(),
        p50: pct(0.50),
        p99: pct(0.99),
        max: latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        rows,
        cpu_per_delivery_us: cpu.as_secs_f64() * 1e6 / sent as f64,
        client_cpu_per_delivery_us: client_cpu.as_secs_f64() * 1e6 / sent as f64,
    }
}

fn main() {
    let load = Load {
        requests: env_number("BENCH_REQUESTS", 10_000),
        concurrency: env_number("BENCH_CONCURRENCY", 32),
        body_bytes: env_number("BENCH_BODY_BYTES", 4096),
    };
    let hold = env_number("BENCH_HOLD", 1_100);
    let cli = std::env::var("BENCH_CLI").unwrap_or_else(|_| env!("CARGO_BIN_EXE_sentry-tray-cli").to_owned());
    // On the target folder's disk (a real one), not the system's temporary folder.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-webhooks");
    std::fs::create_dir_all(&dir).expect("bench folder");
    testkit::tls();
    let (flush_p50, flush_p99) = flush_latency(&dir);
    println!("webhooks: {cli}");
    println!(
        "webhooks: the data folder's disk flushes 4 KB in p50 {flush_p50:.2} ms, p99 {flush_p99:.2} ms (write + fdatasync)"
    );
    let runs = [
        ("durable (synchronous=FULL)", "full", 0),
        ("not durable (SENTRY_TRAY_SYNC=normal)", "normal", 0),
        ("durable, with connections held", "full", hold),
    ];
    // `BENCH_ONLY=durable` (a run's first word) for quick side-by-side rounds.
    let only = std::env::var("BENCH_ONLY").ok();
    for (name, sync, hold) in runs {
        if only.as_deref().is_some_and(|only| !name.starts_with(only)) {
            continue;
        }
        let m = run(&cli, &dir.join("data"), &load, sync, hold);
        let held = if hold > 0 {
            format!(", {hold} idle/half-sent connections held")
        } else {
            String::new()
        };
        println!(
            "webhooks: {name}: {} deliveries ({} alerts + {} repeats) of {} B at concurrency {}{held}: {:.0} req/s; \
             latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; daemon CPU {:.0} µs per delivery (client {:.0} µs); rows stored {}",
            m.sent,
            load.requests,
            m.sent - load.requests,
            load.body_bytes,
            load.concurrency,
            m.per_second,
            m.p50,
            m.p99,
            m.max,
            m.cpu_per_delivery_us,
            m.client_cpu_per_delivery_us,
            m.rows,
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
