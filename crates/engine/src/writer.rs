//! Group commit for webhooks: one writer thread takes every delivery that arrived while the
//! previous commit was being made durable and stores them in one transaction, so a durable
//! acknowledgement (`synchronous = FULL`) costs one disk flush per batch, not per delivery, and
//! no delivery waits for a blocking-thread hand-off of its own.

use std::sync::Arc;
use std::sync::mpsc;

use tokio::sync::oneshot;

use crate::alert::Alert;
use crate::receiver::AccountOf;
use crate::store::{Store, StoreError, Stored};

/// Deliveries stored in one transaction at most (a burst's worth; each answer waits for it).
const MAX_BATCH: usize = 256;

struct Job {
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

impl Writer {
    /// Starts the writer thread; it ends when the last `Writer` is dropped.
    pub fn start(store: Store, account_of: AccountOf) -> std::io::Result<Writer> {
        let (jobs, queue) = mpsc::channel::<Job>();
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
                    write(&store, &account_of, batch);
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
            .send(Job {
                alert,
                account,
                received_at,
                done,
            })
            .map_err(|_| WriteError::Stopped)?;
        match answer.await {
            Ok(result) => result.map_err(WriteError::Store),
            Err(_) => Err(WriteError::Stopped),
        }
    }
}

fn write(store: &Store, account_of: &AccountOf, batch: Vec<Job>) {
    let keyed: Vec<(Alert, i64, oneshot::Sender<_>)> = batch
        .into_iter()
        .map(|job| {
            let alert = match job.account.or_else(|| account_of(job.alert.org.as_deref())) {
                Some(account) => job.alert.of_account(&account),
                None => job.alert,
            };
            (alert, job.received_at, job.done)
        })
        .collect();
    match store.insert_alerts(keyed.iter().map(|(alert, at, _)| (alert, *at))) {
        Ok(stored) => {
            for ((alert, _, done), stored) in keyed.into_iter().zip(stored) {
                let _ = done.send(Ok((stored, alert)));
            }
        }
        Err(e) => {
            tracing::error!(error = %e, deliveries = keyed.len(), "could not store webhooks");
            let e = Arc::new(e);
            for (_, _, done) in keyed {
                let _ = done.send(Err(e.clone()));
            }
        }
    }
}
