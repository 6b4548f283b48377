//! The receiver's HTTP server, kept from starvation: any local process (or anyone reaching a
//! tunnel to it) can open connections and hold them. Headers, bodies and idle keep-alive are
//! timed; connections are capped, and at the cap the longest-idle connection without a request
//! in progress is closed to make room; accept errors (out of file descriptors) are logged,
//! rate-limited, and waited out.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::Notify;
use tower::ServiceExt;

/// How long a client may take, and how many connections it may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_connections: usize,
    /// From connecting (or the previous answer) to the request's last header line.
    pub header_timeout: Duration,
    /// From the headers to the body's last byte.
    pub body_timeout: Duration,
    /// A kept-alive connection with no request in progress is closed after this.
    pub idle_timeout: Duration,
}

impl Default for Limits {
    /// Sentry sends one request per connection and a few kilobytes at once: seconds are plenty.
    fn default() -> Limits {
        Limits {
            max_connections: 256,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(15),
        }
    }
}

/// Raises the soft limit on open files to the hard one (desktops default to a soft 1,024), so
/// the cap, not the system, decides when connections are refused.
pub fn raise_open_file_limit() {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, getrlimit, setrlimit};
        let limit = getrlimit(Resource::Nofile);
        if limit.current < limit.maximum {
            let raised = rustix::process::Rlimit {
                current: limit.maximum,
                maximum: limit.maximum,
            };
            match setrlimit(Resource::Nofile, raised) {
                Ok(()) => tracing::debug!(from = ?limit.current, to = ?limit.maximum, "open file limit raised"),
                Err(e) => tracing::warn!(error = %e, "could not raise the open file limit"),
            }
        }
    }
}

/// One connection: whether a request is in progress, since when it is idle, and how to close it.
struct Tracked {
    in_progress: usize,
    /// Told to close, not yet gone: not picked again.
    closing: bool,
    idle_since: Instant,
    close: Arc<Notify>,
}

#[derive(Default)]
struct Connections {
    next: AtomicU64,
    open: Mutex<HashMap<u64, Tracked>>,
}

impl Connections {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Tracked>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn add(&self) -> (u64, Arc<Notify>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let close = Arc::new(Notify::new());
        self.lock().insert(
            id,
            Tracked {
                in_progress: 0,
                closing: false,
                idle_since: Instant::now(),
                close: close.clone(),
            },
        );
        (id, close)
    }

    /// At the cap, closes the longest-idle connection with no request in progress. `false` when
    /// every connection is in the middle of a request (they end within the body timeout).
    fn make_room(&self, max: usize) -> bool {
        let mut open = self.lock();
        if open.values().filter(|t| !t.closing).count() < max {
            return true;
        }
        let victim = open
            .values_mut()
            .filter(|t| t.in_progress == 0 && !t.closing)
            .min_by_key(|t| t.idle_since);
        match victim {
            Some(victim) => {
                victim.closing = true;
                victim.close.notify_one();
                true
            }
            None => false,
        }
    }

    /// Closes connections idle for longer than `idle`.
    fn close_idle(&self, idle: Duration) {
        let now = Instant::now();
        for tracked in self.lock().values() {
            if tracked.in_progress == 0 && now.duration_since(tracked.idle_since) > idle {
                tracked.close.notify_one();
            }
        }
    }

    fn begin(self: &Arc<Self>, id: u64) -> InProgress {
        if let Some(t) = self.lock().get_mut(&id) {
            t.in_progress += 1;
        }
        InProgress {
            connections: self.clone(),
            id,
        }
    }

    fn remove(&self, id: u64) {
        self.lock().remove(&id);
    }
}

/// A request being answered; when it is dropped the connection is idle again.
struct InProgress {
    connections: Arc<Connections>,
    id: u64,
}

impl Drop for InProgress {
    fn drop(&mut self) {
        if let Some(t) = self.connections.lock().get_mut(&self.id) {
            t.in_progress = t.in_progress.saturating_sub(1);
            t.idle_since = Instant::now();
        }
    }
}

/// Accept errors (out of file descriptors, mostly) at most once per this, with how many.
const ACCEPT_ERROR_EVERY: Duration = Duration::from_secs(10);

/// Serves `router` on `listener` within `limits` until `stop` completes; connections still in
/// a request then finish it, idle ones are closed.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    limits: Limits,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let connections = Arc::new(Connections::default());
    let reaper = {
        let connections = connections.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                connections.close_idle(limits.idle_timeout);
            }
        })
    };
    let mut stop = std::pin::pin!(stop);
    let mut accept_errors: (u64, Option<Instant>) = (0, None);
    loop {
        let accepted = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                let (count, logged) = &mut accept_errors;
                *count += 1;
                if logged.is_none_or(|at| at.elapsed() >= ACCEPT_ERROR_EVERY) {
                    tracing::warn!(error = %e, times = *count, "the receiver could not accept a connection");
                    (*count, *logged) = (0, Some(Instant::now()));
                }
                // Out of descriptors: the closed idle connections give some back.
                connections.close_idle(Duration::ZERO);
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        if !connections.make_room(limits.max_connections) {
            // Every connection is mid-request: this one waits its turn in the kernel's queue
            // next time; closed now, its client retries.
            drop(stream);
            continue;
        }
        let (id, close) = connections.add();
        let connections = connections.clone();
        let router = router.clone();
        tokio::spawn(async move {
            let tracker = connections.clone();
            let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
                let in_progress = tracker.begin(id);
                let answer = router.clone().oneshot(request);
                async move {
                    let answer = answer.await;
                    drop(in_progress);
                    answer
                }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                () = close.notified() => {}
            }
            connections.remove(id);
        });
    }
    reaper.abort();
    connections.close_idle(Duration::ZERO);
    Ok(())
}
