//! Group commit for webhooks: one writer thread takes every delivery that arrived while the
//! previous commit was being made durable and stores them in one transaction, so a durable
//! acknowledgement (`synchronous = FULL`) costs one disk flush per batch, not per delivery, and
//! no delivery waits for a blocking-thread hand-off of its own. The decisions and "shown" marks
//! of the delivery loop ride in the same transactions instead of a commit (and a flush) each.

use std::sync::Arc;
use std::sync::mpsc;

use tokio::sync::oneshot;

use crate::alert::Alert;
use crate::policy::Decision;
use crate::receiver::AccountOf;
use crate::store::{Batches, Mark, Store, StoreError, Stored};

/// Deliveries stored in one transaction at most (a burst's worth; each answer waits for it).
const MAX_BATCH: usize = 256;

/// Told once the mark is committed (so what the window and tray read next shows it).
type Written = oneshot::Sender<Result<(), Arc<StoreError>>>;

enum Job {
    Store(Box<Delivery>),
    /// The policy's decision for a stored alert.
    Decide(i64, Decision, Written),
    /// Shown at this time.
    Notified(i64, i64, Written),
}

struct Delivery {
    alert: Alert,
    /// The account whose secret verified it (`None`: the global secret).
    account: Option<String>,
    received_at: i64,
    done: oneshot::Sender<Result<(Stored, Alert), Arc<StoreError>>>,
}

/// Why a delivery was not stored.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{0}")]
    Store(Arc<StoreError>),
    #[error("the webhook writer has stopped")]
    Stopped,
}

#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

/// Why the writer could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot start the webhook writer's threads: {0}")]
    Thread(#[from] std::io::Error),
}

/// A checkpoint at most this often: each one flushes the database file too, and pages changed
/// by many commits meanwhile are copied once.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(5);

impl Writer {
    /// Starts the writer thread, and beside it the thread that checkpoints its WAL; they end
    /// when the last `Writer` is dropped.
    pub fn start(store: Store, account_of: AccountOf) -> Result<Writer, StartError> {
        let mut batches = store.batches()?;
        let checkpoints = store.checkpoints()?;
        let (jobs, queue) = mpsc::channel::<Job>();
        // One kick waiting is enough: a checkpoint copies everything committed before it.
        let (kick, kicked) = mpsc::sync_channel::<()>(1);
        std::thread::Builder::new()
            .name("wal-checkpoint".into())
            .spawn(move || {
                while kicked.recv().is_ok() {
                    if let Err(e) = checkpoints.passive() {
                        // The next commit tries again; the WAL keeps every commit meanwhile.
                        tracing::warn!(error = %e, "could not checkpoint the database's WAL");
                    }
                    std::thread::sleep(CHECKPOINT_EVERY);
                }
            })?;
        std::thread::Builder::new()
            .name("webhook-writer".into())
            .spawn(move || {
                while let Ok(first) = queue.recv() {
                    let mut batch = vec![first];
                    while batch.len() < MAX_BATCH {
                        match queue.try_recv() {
                            Ok(job) => batch.push(job),
                            Err(_) => break,
                        }
                    }
                    write(&mut batches, &account_of, batch);
                    let _ = kick.try_send(());
                }
            })?;
        Ok(Writer { jobs })
    }

    /// Stores `alert` durably (as the database's `synchronous` setting makes commits), keyed by
    /// its account: the one whose secret verified it, else its organization's one account.
    pub async fn store(
        &self,
        alert: Alert,
        account: Option<String>,
        received_at: i64,
    ) -> Result<(Stored, Alert), WriteError> {
        let (done, answer) = oneshot::channel();
        self.jobs
            .send(Job::Store(Box::new(Delivery {
                alert,
                account,
                received_at,
                done,
            })))
            .map_err(|_| WriteError::Stopped)?;
        match answer.await {
            Ok(result) => result.map_err(WriteError::Store),
            Err(_) => Err(WriteError::Stopped),
        }
    }

    /// Records the policy's decision for alert `id` with the next commit, and waits for it.
    pub async fn decide(&self, id: i64, decision: Decision) -> Result<(), WriteError> {
        self.mark(|done| Job::Decide(id, decision, done)).await
    }

    /// Records that alert `id` was shown at `at` with the next commit, and waits for it.
    pub async fn notified(&self, id: i64, at: i64) -> Result<(), WriteError> {
        self.mark(|done| Job::Notified(id, at, done)).await
    }

    async fn mark(&self, job: impl FnOnce(Written) -> Job) -> Result<(), WriteError> {
        let (done, written) = oneshot::channel();
        self.jobs.send(job(done)).map_err(|_| WriteError::Stopped)?;
        written
            .await
            .map_err(|_| WriteError::Stopped)?
            .map_err(WriteError::Store)
    }
}

fn write(batches: &mut Batches, account_of: &AccountOf, batch: Vec<Job>) {
    let mut keyed: Vec<(Alert, i64, oneshot::Sender<_>)> = Vec::new();
    let mut marks = Vec::new();
    let mut written = Vec::new();
    for job in batch {
        match job {
            Job::Store(job) => {
                let alert = match job.account.or_else(|| account_of(job.alert.org.as_deref())) {
                    Some(account) => job.alert.of_account(&account),
                    None => job.alert,
                };
                keyed.push((alert, job.received_at, job.done));
            }
            Job::Decide(id, decision, done) => {
                marks.push(Mark::Decision(id, decision));
                written.push(done);
            }
            Job::Notified(id, at, done) => {
                marks.push(Mark::Notified(id, at));
                written.push(done);
            }
        }
    }
    match batches.write(keyed.iter().map(|(alert, at, _)| (alert, *at)), &marks) {
        Ok(stored) => {
            for ((alert, _, done), stored) in keyed.into_iter().zip(stored) {
                let _ = done.send(Ok((stored, alert)));
            }
            for done in written {
                let _ = done.send(Ok(()));
            }
        }
        Err(e) => {
            tracing::error!(error = %e, deliveries = keyed.len(), "could not store webhooks");
            let e = Arc::new(e);
            for (_, _, done) in keyed {
                let _ = done.send(Err(e.clone()));
            }
            for done in written {
                let _ = done.send(Err(e.clone()));
            }
        }
    }
}
