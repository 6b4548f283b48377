//! Signed `issue.created` webhooks over loopback into the real receiver and a real SQLite file.
//! Each answer comes after the alert's commit, so request latency is request-to-durable-commit.
//!
//!     cargo bench -p engine --bench webhooks            (BENCH_REQUESTS, BENCH_CONCURRENCY to change)
//!
//! The load runs in this process on the same 2 cores as the receiver; issue 3's target is
//! measured from a separate load process.

use std::sync::Arc;
use std::time::{Duration, Instant};

use engine::receiver::{serve, ReceiverState, SecretSource};
use engine::store::Store;

const SECRET: &str = "bench-secret";

struct Fixed;

impl SecretSource for Fixed {
    fn webhook_secret(&self) -> Option<String> {
        Some(SECRET.into())
    }
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let requests = env_number("BENCH_REQUESTS", 10_000);
    let concurrency = env_number("BENCH_CONCURRENCY", 32);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async move {
        let dir = std::env::temp_dir().join(format!("sentry-tray-bench-{}", std::process::id()));
        let store = Store::open(&dir.join("bench.sqlite3")).expect("store");
        let (deliver, mut delivered) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move { while delivered.recv().await.is_some() {} });
        let state = Arc::new(ReceiverState {
            store: store.clone(),
            secret: Arc::new(Fixed),
            fallback_org: None,
            deliver,
            replay_window: Some(engine::receiver::DEFAULT_REPLAY_WINDOW),
        });
        let stamp = engine::receiver::now().to_string();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/webhook", listener.local_addr().expect("addr"));
        tokio::spawn(serve(listener, state, std::future::pending()));

        let template: serde_json::Value =
            serde_json::from_str(include_str!("../testdata/sentry/webhook.issue.created.json")).expect("example");
        let bodies: Vec<(Vec<u8>, String)> = (0..requests)
            .map(|i| {
                let mut body = template["body"].clone();
                body["data"]["issue"]["id"] = format!("{}", 1_000_000 + i).into();
                let bytes = serde_json::to_vec(&body).expect("json");
                let signature = sentry_api::sign(SECRET.as_bytes(), &bytes);
                (bytes, signature)
            })
            .collect();

        let client = reqwest::Client::new();
        let queue = Arc::new(std::sync::Mutex::new(bodies));
        let started = Instant::now();
        let mut workers = Vec::new();
        for _ in 0..concurrency {
            let (client, url, queue, stamp) = (client.clone(), url.clone(), queue.clone(), stamp.clone());
            workers.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let Some((body, signature)) = queue.lock().expect("queue").pop() else { break };
                    let sent = Instant::now();
                    let response = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .header("sentry-hook-resource", "issue")
                        .header("request-id", &signature[..32])
                        .header("sentry-hook-timestamp", &stamp)
                        .header("sentry-hook-signature", signature)
                        .body(body)
                        .send()
                        .await
                        .expect("request");
                    assert_eq!(response.status().as_u16(), 201);
                    latencies.push(sent.elapsed());
                }
                latencies
            }));
        }
        let mut latencies: Vec<Duration> = Vec::new();
        for worker in workers {
            latencies.extend(worker.await.expect("worker"));
        }
        let elapsed = started.elapsed();
        latencies.sort();
        let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
        let rows = store.alert_count().expect("count");
        println!(
            "webhooks: {requests} requests, concurrency {concurrency}: {:.0} req/s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; rows stored {rows}",
            requests as f64 / elapsed.as_secs_f64(),
            pct(0.50).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
            latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        );
        assert_eq!(rows as usize, requests, "every webhook stored once");
        let _ = std::fs::remove_dir_all(dir);
    });
}
