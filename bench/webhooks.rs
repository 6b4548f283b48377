//! The webhook receiver under load from a separate process: the real `sentry-tray-cli daemon`
//! (receiver, SQLite, policy) on loopback, and this process posting a burst of signed
//! `issue.created` webhooks, 10 % of them repeated deliveries. Each answer follows the alert's
//! commit, so request latency is request-to-durable-commit. Afterwards the rows are counted:
//! nothing lost, nothing doubled.
//!
//!     cargo bench -p sentry-tray-cli --bench webhooks     (BENCH_REQUESTS, BENCH_CONCURRENCY)

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SECRET: &str = "bench-secret";

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let requests = env_number("BENCH_REQUESTS", 10_000);
    let concurrency = env_number("BENCH_CONCURRENCY", 32);
    let cli = env!("CARGO_BIN_EXE_sentry-tray-cli");
    let dir = std::env::temp_dir().join(format!("sentry-tray-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("bench folder");
    let env = [
        ("SENTRY_TRAY_DATA_DIR", dir.to_str().expect("utf-8 path")),
        ("SENTRY_TRAY_WEBHOOK_SECRET", SECRET),
        ("SENTRY_TRAY_LOG", "warn"),
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
    let mut daemon = Command::new(cli)
        .args(["daemon", "--no-poll", "--listen", &format!("127.0.0.1:{port}")])
        .envs(env)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("daemon");

    testkit::tls();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (elapsed, mut latencies, sent) = runtime.block_on(async move {
        let client = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let ready = Instant::now();
        while client.get(format!("{base}/health")).send().await.is_err() {
            assert!(ready.elapsed() < Duration::from_secs(20), "the daemon did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let template: serde_json::Value =
            serde_json::from_str(include_str!("../testdata/sentry/webhook.issue.created.json")).expect("example");
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs()
            .to_string();
        let mut bodies: Vec<(Vec<u8>, String)> = (0..requests)
            .map(|i| {
                let mut body = template["body"].clone();
                body["data"]["issue"]["id"] = format!("{}", 1_000_000 + i).into();
                let bytes = serde_json::to_vec(&body).expect("json");
                let signature = sentry_api::sign(SECRET.as_bytes(), &bytes);
                (bytes, signature)
            })
            .collect();
        // Sentry's retries: the same delivery again.
        let repeats: Vec<_> = bodies.iter().step_by(10).cloned().collect();
        let sent = bodies.len() + repeats.len();
        bodies.extend(repeats);
        let queue = Arc::new(std::sync::Mutex::new(bodies));
        let started = Instant::now();
        let mut workers = Vec::new();
        for _ in 0..concurrency {
            let (client, url, queue, stamp) = (client.clone(), format!("{base}/webhook"), queue.clone(), stamp.clone());
            workers.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let Some((body, signature)) = queue.lock().expect("queue").pop() else {
                        break;
                    };
                    let t = Instant::now();
                    let response = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .header("sentry-hook-resource", "issue")
                        .header("sentry-hook-timestamp", &stamp)
                        .header("request-id", &signature[..32])
                        .header("sentry-hook-signature", signature)
                        .body(body)
                        .send()
                        .await
                        .expect("request");
                    assert!(response.status().is_success(), "answered {}", response.status());
                    latencies.push(t.elapsed());
                }
                latencies
            }));
        }
        let mut latencies = Vec::new();
        for worker in workers {
            latencies.extend(worker.await.expect("worker"));
        }
        (started.elapsed(), latencies, sent)
    });
    let _ = daemon.kill();
    let _ = daemon.wait();

    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)].as_secs_f64() * 1e3;
    let rows = engine::Engine::open(engine::Settings::in_folder(&dir))
        .expect("database")
        .status()
        .alerts;
    println!(
        "webhooks: {sent} deliveries ({requests} alerts + {} repeats) from a separate process, concurrency {concurrency}: \
         {:.0} req/s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; rows stored {rows}",
        sent - requests,
        sent as f64 / elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
    assert_eq!(rows as usize, requests, "every alert stored exactly once");
    let _ = std::fs::remove_dir_all(&dir);
}
