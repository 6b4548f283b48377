//! The webhook receiver over real HTTP on loopback, with a real SQLite file: what is refused
//! leaves no row, what is accepted is stored before it is answered, and only once.

use std::sync::Arc;

use crate::receiver::{DEFAULT_REPLAY_WINDOW, MAX_BODY, ReceiverState, SecretSource, WebhookSecret, now, serve};
use crate::store::Store;
use tokio::sync::mpsc;

const SECRET: &str = "test-secret";

struct Fixed(Option<&'static str>);

impl SecretSource for Fixed {
    fn webhook_secrets(&self) -> Vec<WebhookSecret> {
        self.0
            .map(|secret| WebhookSecret {
                account: None,
                secret: secret.to_owned(),
            })
            .into_iter()
            .collect()
    }
}

/// A secret the receiver did not know at start, set meanwhile (`webhook-secret set`): it is in
/// the keyring, read again on `reload`.
struct SetElsewhere {
    known: std::sync::Mutex<Option<String>>,
}

impl SecretSource for SetElsewhere {
    fn webhook_secrets(&self) -> Vec<WebhookSecret> {
        let known = self.known.lock().unwrap().clone();
        known
            .map(|secret| WebhookSecret { account: None, secret })
            .into_iter()
            .collect()
    }

    fn reload(&self) {
        *self.known.lock().unwrap() = Some(SECRET.to_owned());
    }
}

struct Receiver {
    url: String,
    store: Store,
    delivered: mpsc::UnboundedReceiver<(i64, crate::alert::Alert)>,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

async fn start(secret: Option<&'static str>) -> Receiver {
    start_with(Arc::new(Fixed(secret))).await
}

async fn start_with(secret: Arc<dyn SecretSource>) -> Receiver {
    start_limited(secret, crate::receiver::Limits::default()).await
}

async fn start_limited(secret: Arc<dyn SecretSource>, limits: crate::receiver::Limits) -> Receiver {
    testkit::tls();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
    let (deliver, delivered) = mpsc::unbounded_channel();
    let state = Arc::new(ReceiverState {
        writer: crate::writer::Writer::start(store.clone(), Arc::new(|_| None)).unwrap(),
        secret,
        fallback_org: None,
        deliver,
        replay_window: Some(DEFAULT_REPLAY_WINDOW),
        limits,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhook", listener.local_addr().unwrap());
    tokio::spawn(serve(listener, state, std::future::pending()));
    Receiver {
        url,
        store,
        delivered,
        http: reqwest::Client::new(),
        _dir: dir,
    }
}

fn example_body() -> Vec<u8> {
    let text = include_str!("../../../../testdata/sentry/webhook.issue.created.json");
    let doc: serde_json::Value = serde_json::from_str(text).unwrap();
    serde_json::to_vec(&doc["body"]).unwrap()
}

impl Receiver {
    async fn post(&self, resource: &str, signature: Option<&str>, request_id: &str, body: Vec<u8>) -> (u16, String) {
        self.post_at(resource, signature, request_id, body, Some(now())).await
    }

    async fn post_at(
        &self,
        resource: &str,
        signature: Option<&str>,
        request_id: &str,
        body: Vec<u8>,
        sent: Option<i64>,
    ) -> (u16, String) {
        let mut request = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .header("sentry-hook-resource", resource)
            .header("request-id", request_id)
            .body(body);
        if let Some(sent) = sent {
            request = request.header("sentry-hook-timestamp", sent.to_string());
        }
        if let Some(signature) = signature {
            request = request.header("sentry-hook-signature", signature);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }
}

#[tokio::test]
async fn refused_webhooks_leave_nothing_behind() {
    let mut r = start(Some(SECRET)).await;
    let body = example_body();
    let cases: Vec<(&str, Option<String>, Vec<u8>, u16)> = vec![
        ("missing signature", None, body.clone(), 401),
        (
            "wrong secret",
            Some(sentry_api::sign(b"other", &body)),
            body.clone(),
            401,
        ),
        ("not hex", Some("not-a-signature".into()), body.clone(), 401),
        (
            "truncated JSON",
            Some(sentry_api::sign(SECRET.as_bytes(), &body[..40])),
            body[..40].to_vec(),
            400,
        ),
        (
            "HTML",
            Some(sentry_api::sign(SECRET.as_bytes(), b"<html></html>")),
            b"<html></html>".to_vec(),
            400,
        ),
        (
            "issue missing",
            Some(sentry_api::sign(
                SECRET.as_bytes(),
                br#"{"action":"created","data":{}}"#,
            )),
            br#"{"action":"created","data":{}}"#.to_vec(),
            400,
        ),
        (
            "over 1 MiB",
            Some(sentry_api::sign(SECRET.as_bytes(), &vec![b'x'; MAX_BODY + 1])),
            vec![b'x'; MAX_BODY + 1],
            413,
        ),
    ];
    for (name, signature, body, want) in cases {
        let (status, answer) = r.post("issue", signature.as_deref(), name, body).await;
        assert_eq!(status, want, "{name}: {answer}");
        assert!(
            answer.contains("error") || status == 413,
            "{name}: the answer says what is wrong: {answer}"
        );
    }
    assert_eq!(r.store.alert_count().unwrap(), 0);
    assert!(r.delivered.try_recv().is_err(), "a refused webhook was handed on");
}

#[tokio::test]
async fn without_a_secret_every_webhook_is_refused_with_the_fix() {
    let r = start(None).await;
    let body = example_body();
    let (status, answer) = r
        .post("issue", Some(&sentry_api::sign(SECRET.as_bytes(), &body)), "r", body)
        .await;
    assert_eq!(status, 401);
    assert!(answer.contains("webhook-secret set"), "{answer}");
}

#[tokio::test]
async fn a_secret_set_after_the_start_is_read_again_and_takes_effect() {
    let r = start_with(Arc::new(SetElsewhere {
        known: std::sync::Mutex::new(None),
    }))
    .await;
    let body = example_body();
    let (status, answer) = r
        .post("issue", Some(&sentry_api::sign(SECRET.as_bytes(), &body)), "r", body)
        .await;
    assert_eq!(status, 201, "{answer}");
}

#[tokio::test]
async fn an_accepted_issue_is_stored_before_the_answer_and_only_once() {
    let mut r = start(Some(SECRET)).await;
    let body = example_body();
    let signature = sentry_api::sign(SECRET.as_bytes(), &body);
    let (status, _) = r.post("issue", Some(&signature), "req-1", body.clone()).await;
    assert_eq!(status, 201);
    assert_eq!(
        r.store.alert_count().unwrap(),
        1,
        "stored by the time Sentry gets its answer"
    );
    let (id, alert) = r.delivered.try_recv().expect("handed on for notification");
    assert_eq!(
        (alert.issue_id.as_str(), alert.kind.as_str()),
        ("1170820242", "issue.created")
    );
    assert_eq!(alert.payload.as_bytes(), body.as_slice(), "the exact body is kept");
    let kept: String = r
        .store
        .conn()
        .query_row("SELECT payload FROM alert_payloads WHERE alert_id = ?1", [id], |row| {
            row.get(0)
        })
        .unwrap();
    assert_eq!(kept.as_bytes(), body.as_slice(), "the exact body is stored");

    // A repeat under the same Request-ID and Sentry's retry (the same content under a new one)
    // are both no-ops.
    for request_id in ["req-1", "req-2"] {
        let (status, answer) = r.post("issue", Some(&signature), request_id, body.clone()).await;
        assert_eq!(status, 200, "{answer}");
        assert!(answer.contains(&format!("\"duplicate_of\":{id}")), "{answer}");
    }
    assert_eq!(r.store.alert_count().unwrap(), 1);
    assert!(r.delivered.try_recv().is_err(), "a duplicate was handed on");
}

fn example(name: &str) -> Vec<u8> {
    let path = format!("{}/../../testdata/sentry/{name}", env!("CARGO_MANIFEST_DIR"));
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    serde_json::to_vec(&doc["body"]).unwrap()
}

#[tokio::test]
async fn every_resource_becomes_one_alert_and_the_rest_is_acknowledged() {
    let mut r = start(Some(SECRET)).await;
    let sign = |b: &[u8]| sentry_api::sign(SECRET.as_bytes(), b);
    for (resource, file, kind) in [
        (
            "metric_alert",
            "webhook.metric_alert.critical.json",
            "metric_alert.critical",
        ),
        (
            "metric_alert",
            "webhook.metric_alert.resolved.json",
            "metric_alert.resolved",
        ),
        ("comment", "webhook.comment.created.json", "comment.created"),
        ("error", "webhook.error.created.json", "error.created"),
        (
            "event_alert",
            "webhook.event_alert.triggered.json",
            "event_alert.triggered",
        ),
        ("issue", "webhook.issue.resolved.json", "issue.resolved"),
    ] {
        let body = example(file);
        let (status, answer) = r.post(resource, Some(&sign(&body)), file, body).await;
        assert_eq!(status, 201, "{file}: {answer}");
        let (_, alert) = r
            .delivered
            .try_recv()
            .unwrap_or_else(|_| panic!("{file} was not handed on"));
        assert_eq!(alert.kind.as_str(), kind, "{file}");
    }
    let body = example("webhook.installation.created.json");
    let (status, answer) = r.post("installation", Some(&sign(&body)), "i1", body).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains("installation.created"), "{answer}");
    assert_eq!(r.store.alert_count().unwrap(), 6);
}

#[tokio::test]
async fn stale_or_undated_deliveries_are_refused() {
    let r = start(Some(SECRET)).await;
    let body = example_body();
    let signature = sentry_api::sign(SECRET.as_bytes(), &body);
    let (status, answer) = r
        .post_at("issue", Some(&signature), "old", body.clone(), Some(now() - 3600))
        .await;
    assert_eq!(status, 401);
    assert!(answer.contains("stale delivery"), "{answer}");
    let (status, answer) = r
        .post_at("issue", Some(&signature), "future", body.clone(), Some(now() + 3600))
        .await;
    assert_eq!(status, 401, "{answer}");
    let (status, answer) = r
        .post_at("issue", Some(&signature), "undated", body.clone(), None)
        .await;
    assert_eq!(status, 401);
    assert!(answer.contains("Sentry-Hook-Timestamp"), "{answer}");
    assert_eq!(r.store.alert_count().unwrap(), 0);
    let (status, _) = r
        .post_at("issue", Some(&signature), "fresh", body, Some(now() - 30))
        .await;
    assert_eq!(status, 201, "a delivery 30 s old is fine");
}

/// The receiver's one secret and two accounts' own.
struct PerAccount;

impl SecretSource for PerAccount {
    fn webhook_secrets(&self) -> Vec<WebhookSecret> {
        [
            (None, SECRET),
            (Some("https://one.example|acme"), "one's"),
            (Some("https://two.example|acme"), "two's"),
        ]
        .into_iter()
        .map(|(account, secret)| WebhookSecret {
            account: account.map(str::to_owned),
            secret: secret.to_owned(),
        })
        .collect()
    }
}

#[tokio::test]
async fn a_webhook_belongs_to_the_account_whose_secret_verified_it() {
    let r = start_with(Arc::new(PerAccount)).await;
    let body = example_body();
    let sign = |secret: &str| sentry_api::sign(secret.as_bytes(), &body);
    // The same issue from two servers' organizations named alike: two alerts, one each.
    assert_eq!(r.post("issue", Some(&sign("one's")), "r1", body.clone()).await.0, 201);
    assert_eq!(r.post("issue", Some(&sign("two's")), "r2", body.clone()).await.0, 201);
    // The global secret's webhook has no account of its own here (no account has its org).
    assert_eq!(r.post("issue", Some(&sign(SECRET)), "r3", body.clone()).await.0, 201);
    let (status, answer) = r.post("issue", Some(&sign("nobody's")), "r4", body.clone()).await;
    assert_eq!(status, 401, "{answer}");
    assert!(answer.contains("matches none of the webhook secrets"), "{answer}");
    let mut accounts: Vec<Option<String>> = r
        .store
        .recent_alerts(10)
        .unwrap()
        .into_iter()
        .map(|a| a.account)
        .collect();
    accounts.sort();
    assert_eq!(
        accounts,
        [
            None,
            Some("https://one.example|acme".to_owned()),
            Some("https://two.example|acme".to_owned())
        ]
    );
}

/// Bad values Sentry would never send get a clear 4xx and leave nothing behind; a delivery that
/// lost its resource header (a proxy in between) is read by its body's shape.
#[tokio::test]
async fn small_holes_are_closed() {
    let r = start(Some(SECRET)).await;
    let post = |headers: Vec<(&'static str, String)>, body: Vec<u8>| {
        let mut request = r
            .http
            .post(&r.url)
            .header("content-type", "application/json")
            .body(body.clone());
        request = request.header("sentry-hook-signature", sentry_api::sign(SECRET.as_bytes(), &body));
        for (name, value) in headers {
            request = request.header(name, value);
        }
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    for stamp in ["NaN", "nan", "inf", "-inf", "1e400"] {
        let (status, text) = post(
            vec![
                ("sentry-hook-resource", "issue".into()),
                ("sentry-hook-timestamp", stamp.into()),
            ],
            example_body(),
        )
        .await;
        assert_eq!(status, 401, "timestamp {stamp}: {text}");
        assert!(text.contains("Sentry-Hook-Timestamp"), "{text}");
    }
    let mut empty_id: serde_json::Value = serde_json::from_slice(&example_body()).unwrap();
    empty_id["data"]["issue"]["id"] = "".into();
    let (status, text) = post(
        vec![
            ("sentry-hook-resource", "issue".into()),
            ("sentry-hook-timestamp", now().to_string()),
        ],
        serde_json::to_vec(&empty_id).unwrap(),
    )
    .await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("data.issue.id"), "{text}");
    assert_eq!(
        r.store.alert_count().unwrap(),
        0,
        "nothing stored from refused deliveries"
    );

    // No resource header: the body's `data.issue` says it is an issue webhook.
    let (status, text) = post(vec![("sentry-hook-timestamp", now().to_string())], example_body()).await;
    assert_eq!(status, 201, "{text}");
    assert_eq!(r.store.alert_count().unwrap(), 1);
    // A body whose shape names nothing is refused, not silently dropped.
    let (status, text) = post(
        vec![("sentry-hook-timestamp", now().to_string())],
        br#"{"action":"created","data":{}}"#.to_vec(),
    )
    .await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("Sentry-Hook-Resource"), "{text}");
}

/// Any local process can open connections and hold them: past the cap the longest-idle one
/// without a request is closed, slow headers, slow bodies and idle keep-alive are timed out,
/// and a signed webhook still gets through at once.
#[tokio::test]
async fn held_connections_cannot_starve_the_receiver() {
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let limits = crate::receiver::Limits {
        max_connections: 16,
        header_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(2),
    };
    let r = start_limited(Arc::new(Fixed(Some(SECRET))), limits).await;
    let addr = r
        .url
        .trim_start_matches("http://")
        .trim_end_matches("/webhook")
        .to_owned();
    // Four times the cap, idle or trickling a request line, held open.
    let mut held = Vec::new();
    for i in 0..64 {
        let mut c = tokio::net::TcpStream::connect(&addr).await.unwrap();
        if i % 2 == 0 {
            c.write_all(b"POST /webhook HTTP/1.1\r\nHost: x\r\n").await.unwrap();
        }
        held.push(c);
    }
    for i in 0..20 {
        let body = serde_json::to_vec(&{
            let mut v: serde_json::Value = serde_json::from_slice(&example_body()).unwrap();
            v["data"]["issue"]["id"] = format!("{}", 7000 + i).into();
            v
        })
        .unwrap();
        let signature = sentry_api::sign(SECRET.as_bytes(), &body);
        let started = Instant::now();
        let (status, text) = r.post("issue", Some(&signature), &format!("held-{i}"), body).await;
        assert_eq!(status, 201, "{text}");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "answered after {:?}",
            started.elapsed()
        );
    }
    // The held ones were closed to make room, or by their timeouts.
    let mut closed = 0;
    for mut c in held {
        let mut buf = [0u8; 64];
        if let Ok(Ok(0) | Err(_)) = tokio::time::timeout(Duration::from_secs(4), c.read(&mut buf)).await {
            closed += 1;
        }
    }
    assert_eq!(closed, 64, "every held connection is closed in time");

    // A body sent too slowly is answered 408 after the body timeout.
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        .await
        .unwrap();
    let mut answer = String::new();
    let started = Instant::now();
    let _ = tokio::time::timeout(Duration::from_secs(4), slow.read_to_string(&mut answer)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
}
