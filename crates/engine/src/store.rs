//! The SQLite file: alerts once each, the action queue, small settings.
//!
//! Migrations are numbered SQL files applied at open; `PRAGMA user_version` is the schema
//! version. A file from a newer app or a damaged file is reported with its path, never reset.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};

use crate::alert::{Alert, Kind, Source};
use crate::inbox::IssueState;
use crate::policy::{Decision, Deliver, Field, Level, Preferences, Reason};
use crate::settings::Synchronous;

const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_policy.sql"),
    include_str!("../migrations/0003_accounts.sql"),
    include_str!("../migrations/0004_cache.sql"),
    include_str!("../migrations/0005_action_queue.sql"),
    include_str!("../migrations/0006_digest_and_claims.sql"),
    include_str!("../migrations/0007_action_outcome.sql"),
    include_str!("../migrations/0008_alert_account.sql"),
    include_str!("../migrations/0009_action_maybe_sent.sql"),
    include_str!("../migrations/0010_alert_payloads.sql"),
    include_str!("../migrations/0011_issue_state.sql"),
    include_str!("../migrations/0012_account_name.sql"),
    include_str!("../migrations/0013_mute_for_me.sql"),
    include_str!("../migrations/0014_alert_substatus.sql"),
    include_str!("../migrations/0015_service_hooks.sql"),
];

/// The preferences row every project falls back to.
pub const DEFAULT_PREFERENCES: &str = "*";

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub use crate::store_error::StoreError;

/// What storing an alert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    New(i64),
    Duplicate(i64),
}

/// An alert as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct Recent {
    pub id: i64,
    pub kind: Kind,
    pub issue_id: String,
    pub short_id: Option<String>,
    pub project: Option<String>,
    pub title: String,
    pub web_url: Option<String>,
    /// `None` until the policy has decided.
    pub decision: Option<Deliver>,
    pub received_at: i64,
    pub reasons: Vec<Reason>,
    pub level: Option<Level>,
    pub source: Source,
    pub org: Option<String>,
    /// The account (`server|organization`) it came from, when known.
    pub account: Option<String>,
}

impl Recent {
    /// Kept from the screen (spike protection, the digest, quiet hours, a pause), rather than
    /// shown or not wanted at all.
    pub fn held_back(&self) -> bool {
        match self.decision {
            Some(Deliver::Digest) => true,
            Some(Deliver::Suppress) => {
                matches!(self.reasons.last(), Some(Reason::SpikeLimit { .. } | Reason::Paused))
            }
            _ => false,
        }
    }

    /// The reasons as a person reads them.
    pub fn why(&self) -> Vec<String> {
        self.reasons.iter().map(ToString::to_string).collect()
    }
}

#[derive(Clone)]
pub struct Store {
    path: PathBuf,
    conn: Arc<Mutex<Connection>>,
    synchronous: Synchronous,
}

/// The WAL file is cut back to this size when it restarts (a burst can grow it far beyond).
const WAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

/// Where each of a project's preferences comes from.
pub type Origins = BTreeMap<Field, PreferencesFrom>;

/// Where a project's preference comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum PreferencesFrom {
    /// Its own, set for it.
    Own,
    /// Its account's defaults (`@org`).
    Account,
    /// Everyone's defaults (`*`).
    Everyone,
    /// Nothing set anywhere: the app's defaults.
    BuiltIn,
}

/// The writer checkpoints the WAL itself only once it holds this many bytes of pages. Through a
/// burst a checkpoint beside the writer seldom copies the last commit before the next begins,
/// and only a WAL copied whole starts again from its beginning; this one, with no other writer
/// running, copies what is left (little).
const WRITER_CHECKPOINT_BYTES: i64 = 16 * 1024 * 1024;

/// A connection of the webhook writer's own: its commits, and the disk flushes they wait for,
/// do not hold the connection the rest of the engine reads through (readers do not wait for a
/// writer in WAL mode, but they do wait for a shared connection's lock). [`Checkpoints`] copies
/// its commits into the database on a thread of its own, so acknowledgements seldom wait for a
/// checkpoint (SQLite's own comes every 1,000 frames, in the committing call).
pub(crate) struct Batches {
    path: PathBuf,
    conn: Connection,
}

/// A connection that copies the WAL's committed pages into the database (SQLite's checkpoint),
/// off the writer's path.
pub(crate) struct Checkpoints {
    path: PathBuf,
    conn: Connection,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// The database's own file (`""`) or one SQLite keeps beside it (`"-wal"`, `"-shm"`).
fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A change to an alert stored earlier, written with a batch.
pub enum Mark {
    Decision(i64, Decision),
    Notified(i64, i64),
}

fn write_row(conn: &Connection, project: &str, row: &Map<String, Value>) -> rusqlite::Result<()> {
    let text = Value::Object(row.clone()).to_string();
    conn.execute(
        "INSERT INTO preferences (project, value) VALUES (?1, ?2) ON CONFLICT (project) DO UPDATE SET value = ?2",
        params![project, text],
    )
    .map(drop)
}

fn decide_on(conn: &Connection, alert_id: i64, decision: &Decision) -> rusqlite::Result<()> {
    let reasons = serde_json::to_string(&decision.reasons).unwrap_or_default();
    conn.prepare_cached("UPDATE alerts SET decision = ?2, reasons = ?3 WHERE id = ?1")?
        .execute(params![alert_id, decision.deliver, reasons])
        .map(drop)
}

// A repeat is known by its content, not by the delivery's `Request-ID`: Sentry makes a new
// one for every send, retries included (`AppPlatformEvent.headers`, uuid4). The column it had
// stays NULL for new rows: its UNIQUE index on random ids cost a WAL page a delivery, and
// SQLite cannot drop a UNIQUE column without rebuilding the table.
fn insert_on(conn: &Connection, alert: &Alert, received_at: i64) -> rusqlite::Result<Stored> {
    let existing: Option<i64> = conn
        .prepare_cached("SELECT id FROM alerts WHERE dedupe_key = ?1")?
        .query_row([&alert.dedupe_key], |r| r.get(0))
        .optional()?;
    if let Some(id) = existing {
        // The answer to one of the user's own actions is the freshest word, even when an
        // earlier change of the same kind was stored (resolved, reopened, resolved again).
        if alert.source == Source::Action {
            remember_issue_state(conn, alert, received_at)?;
        }
        return Ok(Stored::Duplicate(id));
    }
    remember_issue_state(conn, alert, received_at)?;
    conn.prepare_cached(
        "INSERT INTO alerts (dedupe_key, source, kind, org, issue_id, short_id, project,
                             title, culprit, level, web_url, received_at, account, substatus)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        alert.dedupe_key,
        alert.source,
        alert.kind,
        alert.org,
        alert.issue_id,
        alert.short_id,
        alert.project,
        alert.title,
        alert.culprit,
        alert.level.map(Level::name),
        alert.web_url,
        received_at,
        alert.account,
        alert.substatus
    ])?;
    let id = conn.last_insert_rowid();
    conn.prepare_cached("INSERT INTO alert_payloads (alert_id, payload) VALUES (?1, ?2)")?
        .execute(params![id, alert.payload])?;
    Ok(Stored::New(id))
}

/// What `alert`'s body says of its issue's state, merged into what was heard before.
fn remember_issue_state(conn: &Connection, alert: &Alert, at: i64) -> rusqlite::Result<()> {
    let count = |c: &Option<String>| c.as_deref().and_then(|c| c.parse::<i64>().ok());
    let (events, users) = (count(&alert.count), count(&alert.user_count));
    if alert.status.is_none() && alert.assignment.is_none() && events.is_none() && users.is_none() {
        return Ok(());
    }
    let Some(org) = alert.org.as_deref() else {
        return Ok(());
    };
    conn.prepare_cached(
        "INSERT INTO issue_states (account, org, issue_id, status, assignee, assignee_name, events, users, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (org, issue_id, account) DO UPDATE SET
             status = coalesce(excluded.status, status),
             assignee = coalesce(excluded.assignee, assignee),
             assignee_name = CASE WHEN excluded.assignee IS NULL THEN assignee_name ELSE excluded.assignee_name END,
             events = CASE WHEN events IS NULL THEN excluded.events ELSE max(events, coalesce(excluded.events, events)) END,
             users = CASE WHEN users IS NULL THEN excluded.users ELSE max(users, coalesce(excluded.users, users)) END,
             updated_at = excluded.updated_at",
    )?
    .execute(params![
        alert.account.as_deref().unwrap_or(""),
        org,
        alert.issue_id,
        alert.status,
        alert.assignment.as_ref().map(|a| a.to.as_deref().unwrap_or("")),
        alert.assignment.as_ref().and_then(|a| a.name.as_deref()),
        events,
        users,
        at
    ])
    .map(drop)
}

/// Another process's short write (the CLI's, say) is waited for this long, not taken for a lock.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// What every connection of the store sets after opening: how durable commits are, foreign
/// keys, and how far the WAL is cut back after a burst.
fn tune(conn: &Connection, synchronous: Synchronous) -> rusqlite::Result<()> {
    conn.pragma_update(None, "synchronous", synchronous.pragma())?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT)
}

impl Batches {
    /// Records alerts, and marks on alerts stored earlier, in one transaction with one commit:
    /// what the webhook writer does with the deliveries that arrived while the previous commit
    /// was being made durable. A repeat within the batch is a duplicate of the first.
    pub fn write<'a>(
        &mut self,
        alerts: impl IntoIterator<Item = (&'a Alert, i64)>,
        marks: &[Mark],
    ) -> Result<Vec<Stored>, StoreError> {
        let path = &self.path;
        let err = |e| StoreError::sql(path, e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(err)?;
        let stored = alerts
            .into_iter()
            .map(|(alert, received_at)| insert_on(&tx, alert, received_at))
            .collect::<Result<Vec<_>, _>>()
            .map_err(err)?;
        for mark in marks {
            match mark {
                Mark::Decision(id, decision) => decide_on(&tx, *id, decision),
                Mark::Notified(id, at) => tx
                    .prepare_cached("UPDATE alerts SET notified_at = ?2 WHERE id = ?1")
                    .and_then(|mut s| s.execute(params![id, at]))
                    .map(drop),
            }
            .map_err(err)?;
        }
        tx.commit().map_err(err)?;
        Ok(stored)
    }
}

impl Checkpoints {
    /// Copies what it can of the WAL into the database without waiting for anyone (`PASSIVE`).
    pub fn passive(&self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
            .map_err(|e| StoreError::sql(&self.path, e))
    }
}

impl Store {
    /// Opens (creating when missing) and migrates the database at `path`, every commit durable.
    #[cfg(test)]
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with(path, Synchronous::Full)
    }

    /// [`Store::open`] with commits as durable as `synchronous` says.
    pub fn open_with(path: &Path, synchronous: Synchronous) -> Result<Store, StoreError> {
        let path = path.to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::private::folder(dir).map_err(|cause| match StoreError::io(dir, cause) {
                StoreError::Io { path, cause } => StoreError::CreateDir { path, cause },
                known => known,
            })?;
        }
        // Private before SQLite first writes, so its WAL and SHM files are made private too;
        // files an older version made 0644 are put right.
        if !path.exists() {
            crate::private::create_file(&path).map_err(|cause| StoreError::io(&path, cause))?;
        }
        for suffix in ["", "-wal", "-shm"] {
            let file = sidecar(&path, suffix);
            crate::private::file(&file).map_err(|cause| StoreError::io(&file, cause))?;
        }
        let sql = |cause| StoreError::sql(&path, cause);
        let conn = Connection::open(&path).map_err(sql)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;
        // The first read of a non-database file fails here ("file is not a database").
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql)?;
        let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(sql)?;
        if check != "ok" {
            return Err(StoreError::Corrupt { path, detail: check });
        }
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path,
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        // For a new file only (an existing one keeps its size): a webhook's few kilobytes of body
        // fit in a 16 KiB page with others, where a 4 KiB page needs an overflow page for each,
        // so a burst writes fewer pages to the WAL.
        conn.pragma_update(None, "page_size", 16384).map_err(sql)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(sql)?;
        tune(&conn, synchronous).map_err(sql)?;
        let mut conn = conn;
        for (index, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = conn.transaction().map_err(sql)?;
            tx.execute_batch(migration).map_err(sql)?;
            tx.pragma_update(None, "user_version", index as i64 + 1).map_err(sql)?;
            tx.commit().map_err(sql)?;
        }
        Ok(Store {
            path,
            conn: Arc::new(Mutex::new(conn)),
            synchronous,
        })
    }

    /// Another connection to the same database, set up as the first (migrated already), that
    /// checkpoints after a commit leaves the WAL with `checkpoint_after` frames (0: never).
    fn another_connection(&self, checkpoint_after: i64) -> Result<Connection, StoreError> {
        let sql = |cause| StoreError::sql(&self.path, cause);
        let conn = Connection::open(&self.path).map_err(sql)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;
        tune(&conn, self.synchronous).map_err(sql)?;
        conn.pragma_update(None, "wal_autocheckpoint", checkpoint_after)
            .map_err(sql)?;
        Ok(conn)
    }

    /// The webhook writer's own connection; pair it with [`Store::checkpoints`].
    pub(crate) fn batches(&self) -> Result<Batches, StoreError> {
        Ok(Batches {
            path: self.path.clone(),
            conn: self.another_connection(WRITER_CHECKPOINT_BYTES / self.page_size()?)?,
        })
    }

    fn page_size(&self) -> Result<i64, StoreError> {
        self.conn()
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    pub(crate) fn checkpoints(&self) -> Result<Checkpoints, StoreError> {
        Ok(Checkpoints {
            path: self.path.clone(),
            conn: self.another_connection(0)?,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll
        // back), so a poisoned lock is still safe to use.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn err(&self, cause: rusqlite::Error) -> StoreError {
        StoreError::sql(&self.path, cause)
    }

    #[cfg(test)]
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// Records an alert once: a second delivery of it (same dedupe key) is reported as a
    /// duplicate of the first and changes nothing.
    pub fn insert_alert(&self, alert: &Alert, received_at: i64) -> Result<Stored, StoreError> {
        insert_on(&self.conn(), alert, received_at).map_err(|e| self.err(e))
    }

    #[cfg(test)]
    pub fn mark_notified(&self, alert_id: i64, at: i64) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE alerts SET notified_at = ?2 WHERE id = ?1",
                params![alert_id, at],
            )
            .map(drop)
            .map_err(|e| self.err(e))
    }

    /// Records the policy's decision and its reasons with the alert.
    #[cfg(test)]
    pub fn set_decision(&self, alert_id: i64, decision: &Decision) -> Result<(), StoreError> {
        decide_on(&self.conn(), alert_id, decision).map_err(|e| self.err(e))
    }

    /// A number that changes whenever another connection (another process, or the webhook
    /// writer) commits to the database.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        self.conn()
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// How many of `project`'s alerts were notified at or after `since` (spike protection).
    pub fn notified_since(&self, project: &str, since: i64) -> Result<u32, StoreError> {
        // This and the other look-ups of every decision are prepared once per connection.
        self.conn()
            .prepare_cached("SELECT count(*) FROM alerts WHERE project = ?1 AND notified_at >= ?2")
            .and_then(|mut s| s.query_row(params![project, since], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }

    /// The project's preferences, key by key: its own, else its account's (`@org`), else the
    /// defaults row's (`*`), else the built-in default.
    pub fn preferences(&self, project: &str, org: Option<&str>) -> Result<Preferences, StoreError> {
        self.preferences_from(project, org).map(|(preferences, _)| preferences)
    }

    /// [`Store::preferences`], and where each of them came from.
    ///
    /// A row holds only the preferences set for it (rows an older version wrote hold all of
    /// them, set as they were then); a defaults row (`*`, `@org`) asked about itself is its own.
    pub fn preferences_from(&self, project: &str, org: Option<&str>) -> Result<(Preferences, Origins), StoreError> {
        let account = match project {
            DEFAULT_PREFERENCES => None,
            defaults if defaults.starts_with('@') => None,
            _ => org.map(|o| format!("@{o}")),
        };
        // Least specific first: each row's preferences override the ones before it.
        let mut layers = vec![(DEFAULT_PREFERENCES, PreferencesFrom::Everyone)];
        layers.extend(account.as_deref().map(|a| (a, PreferencesFrom::Account)));
        layers.retain(|(key, _)| *key != project);
        layers.push((project, PreferencesFrom::Own));
        let Value::Object(defaults) = serde_json::to_value(Preferences::default()).unwrap_or_default() else {
            unreachable!("preferences are a JSON object")
        };
        let mut merged = defaults.clone();
        let mut origins: Origins = Field::ALL.into_iter().map(|f| (f, PreferencesFrom::BuiltIn)).collect();
        let mut rows = Vec::new();
        {
            let conn = self.conn();
            for (key, from) in layers {
                if let Some(row) = self.row_on(&conn, key)? {
                    rows.push((key, from, row));
                }
            }
        }
        for (_, from, row) in &rows {
            for (name, value) in row {
                // A preference a newer version stored is kept, not read.
                let Ok(field) = serde_json::from_value::<Field>(Value::String(name.clone())) else {
                    continue;
                };
                merged.insert(name.clone(), value.clone());
                origins.insert(field, *from);
            }
        }
        match serde_json::from_value(Value::Object(merged)) {
            Ok(preferences) => Ok((preferences, origins)),
            // Named by the row that does not read on its own (this is read for every alert: the
            // rows are checked one by one only when something is wrong).
            Err(e) => {
                let culprit = rows.iter().find_map(|(key, _, row)| {
                    let mut alone = defaults.clone();
                    alone.extend(row.clone());
                    serde_json::from_value::<Preferences>(Value::Object(alone))
                        .err()
                        .map(|e| self.bad_row(key, e))
                });
                Err(culprit.unwrap_or_else(|| self.bad_row(project, e)))
            }
        }
    }

    fn bad_row(&self, key: &str, cause: impl std::fmt::Display) -> StoreError {
        StoreError::BadPreferences {
            path: self.path.clone(),
            project: key.to_owned(),
            detail: cause.to_string(),
        }
    }

    /// The preferences stored for `key` itself, as stored.
    fn row_on(&self, conn: &Connection, key: &str) -> Result<Option<Map<String, Value>>, StoreError> {
        let stored: Option<String> = conn
            .prepare_cached("SELECT value FROM preferences WHERE project = ?1")
            .and_then(|mut s| s.query_row([key], |r| r.get(0)).optional())
            .map_err(|e| self.err(e))?;
        stored
            .map(|text| match serde_json::from_str(&text) {
                Ok(Value::Object(row)) => Ok(row),
                Ok(_) => Err(self.bad_row(key, "not a JSON object")),
                Err(e) => Err(self.bad_row(key, e)),
            })
            .transpose()
    }

    /// Sets these preferences of `project` (a project, `@org` or `*`) as its own, keeping the
    /// others it has.
    pub fn set_preference_fields(&self, project: &str, fields: &[(Field, Value)]) -> Result<(), StoreError> {
        let mut conn = self.conn();
        // Immediate: another process changing the same row waits, rather than one change lost.
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| self.err(e))?;
        let mut row = self.row_on(&tx, project)?.unwrap_or_default();
        for (field, value) in fields {
            row.insert(field.name().to_owned(), value.clone());
        }
        write_row(&tx, project, &row).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    /// Removes `project`'s own preferences (a project, `@org` or `*`), all of them or `only`
    /// these: they fall back again.
    pub fn reset_preferences(&self, project: &str, only: Option<&[Field]>) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| self.err(e))?;
        let mut row = match only {
            Some(_) => self.row_on(&tx, project)?.unwrap_or_default(),
            None => Map::new(),
        };
        for field in only.unwrap_or_default() {
            row.remove(field.name());
        }
        if row.is_empty() {
            tx.execute("DELETE FROM preferences WHERE project = ?1", [project])
                .map_err(|e| self.err(e))?;
        } else {
            write_row(&tx, project, &row).map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))
    }

    /// Where preferences filter by environment: the project, `@org` or `*` keys that set one.
    pub fn environment_filters(&self) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let mut statement = conn
            .prepare("SELECT project, value FROM preferences ORDER BY project")
            .map_err(|e| self.err(e))?;
        let rows = statement
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(|e| self.err(e))?;
        let mut keys = Vec::new();
        for row in rows {
            let (key, text) = row.map_err(|e| self.err(e))?;
            // A row that does not read is reported where it is used; here it filters nothing.
            let filters = serde_json::from_str::<Value>(&text).ok().is_some_and(|row| {
                row.get(Field::Environments.name())
                    .and_then(Value::as_array)
                    .is_some_and(|list| !list.is_empty())
            });
            if filters {
                keys.push(key);
            }
        }
        Ok(keys)
    }

    /// Whether any preferences row (a project's, `@org`, `*`) hears of one of `kinds`: what
    /// decides whether polling reads what only those kinds need.
    pub fn any_hears(&self, kinds: &[crate::policy::AlertKind]) -> Result<bool, StoreError> {
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached("SELECT value FROM preferences")
            .map_err(|e| self.err(e))?;
        let rows = statement
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        for row in rows {
            let text = row.map_err(|e| self.err(e))?;
            let heard = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|row| row.get(Field::Kinds.name()).cloned())
                .and_then(|list| serde_json::from_value::<Vec<crate::policy::AlertKind>>(list).ok())
                .is_some_and(|list| list.iter().any(|k| kinds.contains(k)));
            if heard {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Stores every one of `preferences` as `project`'s own (as older versions stored them).
    #[cfg(test)]
    pub(crate) fn set_preferences(&self, project: &str, preferences: &Preferences) -> Result<(), StoreError> {
        let Ok(Value::Object(row)) = serde_json::to_value(preferences) else {
            unreachable!("preferences are a JSON object")
        };
        write_row(&self.conn(), project, &row).map_err(|e| self.err(e))
    }

    /// Remembers the names Sentry lists for an organization's projects (slug, name).
    pub fn remember_project_names(&self, org: &str, projects: &[(String, String)]) -> Result<(), StoreError> {
        let now = chrono::Utc::now().timestamp();
        for (slug, name) in projects.iter().filter(|(slug, name)| !name.is_empty() && name != slug) {
            self.cache(&format!("project-name:{org}/{slug}"), name, now)?;
        }
        Ok(())
    }

    /// The name of `org`'s project `slug` as Sentry last listed it, if it has one of its own.
    pub fn project_name(&self, org: Option<&str>, slug: Option<&str>) -> Option<String> {
        let key = format!("project-name:{}/{}", org?, slug?);
        // A project's name changes seldom; a stale one is better than the slug.
        self.cached(&key, i64::MAX / 2, chrono::Utc::now().timestamp())
            .ok()
            .flatten()
    }

    /// A cached value no older than `max_age` seconds at `now`.
    pub fn cached(&self, key: &str, max_age: i64, now: i64) -> Result<Option<String>, StoreError> {
        self.conn()
            .prepare_cached("SELECT value FROM cache WHERE key = ?1 AND fetched_at >= ?2")
            .and_then(|mut s| s.query_row(params![key, now - max_age], |r| r.get(0)).optional())
            .map_err(|e| self.err(e))
    }

    pub fn cache(&self, key: &str, value: &str, now: i64) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT INTO cache (key, value, fetched_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET value = ?2, fetched_at = ?3",
                params![key, value, now],
            )
            .map(drop)
            .map_err(|e| self.err(e))
    }

    /// The latest alerts, newest first, with what was decided for them. (Rows of the app's own
    /// actions, kept as their issues' state, are not alerts.)
    pub fn recent_alerts(&self, limit: usize) -> Result<Vec<Recent>, StoreError> {
        self.alerts_where(
            "source != ?1 ORDER BY id DESC LIMIT ?2",
            params![Source::Action, limit as i64],
        )
    }

    /// The latest alerts that notified, the latest notification first.
    pub fn notified_alerts(&self, limit: usize) -> Result<Vec<Recent>, StoreError> {
        self.alerts_where(
            "source != ?1 AND notified_at IS NOT NULL ORDER BY notified_at DESC, id DESC LIMIT ?2",
            params![Source::Action, limit as i64],
        )
    }

    /// Alerts received after `since` that did not notify (the digest's or suppressed ones), the
    /// latest first, at most `limit`: where the held-back ones are among.
    pub fn kept_back_since(&self, since: i64, limit: usize) -> Result<Vec<Recent>, StoreError> {
        self.alerts_where(
            "source != ?1 AND received_at > ?2 AND notified_at IS NULL AND decision IN (?3, ?4)
             ORDER BY id DESC LIMIT ?5",
            params![Source::Action, since, Deliver::Digest, Deliver::Suppress, limit as i64],
        )
    }

    /// [`Store::recent_alerts`], each with its body as Sentry sent it.
    pub fn recent_payloads(&self, limit: usize) -> Result<Vec<(Recent, String)>, StoreError> {
        let recent = self.recent_alerts(limit)?;
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached("SELECT payload FROM alert_payloads WHERE alert_id = ?1")
            .map_err(|e| self.err(e))?;
        recent
            .into_iter()
            .map(|alert| {
                let payload: Option<String> = statement
                    .query_row([alert.id], |r| r.get(0))
                    .optional()
                    .map_err(|e| self.err(e))?;
                Ok((alert, payload.unwrap_or_default()))
            })
            .collect()
    }

    /// Alerts stored before `before` (all if `None`), newest first, at most `limit`.
    pub fn alerts_before(&self, before: Option<i64>, limit: usize) -> Result<Vec<Recent>, StoreError> {
        self.alerts_where(
            "source != ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3",
            params![Source::Action, before.unwrap_or(i64::MAX), limit as i64],
        )
    }

    /// What the app last heard of the issue `issue_id` of `org` (and `account`, where known).
    pub fn issue_state(
        &self,
        account: Option<&str>,
        org: Option<&str>,
        issue_id: &str,
    ) -> Result<IssueState, StoreError> {
        let Some(org) = org else {
            return Ok(IssueState::default());
        };
        let account = account.unwrap_or("");
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached(
                "SELECT status, assignee, assignee_name, events, users FROM issue_states
                 WHERE org = ?1 AND issue_id = ?2 AND (account = ?3 OR account = '' OR ?3 = '')
                 ORDER BY updated_at DESC, account = ?3 DESC LIMIT 1",
            )
            .map_err(|e| self.err(e))?;
        let state = statement
            .query_row(params![org, issue_id, account], |row| {
                let assignee = row.get::<_, Option<String>>(1)?;
                let assignment_known = assignee.is_some();
                let assigned_to = assignee.filter(|a| !a.is_empty());
                Ok(IssueState {
                    assignment_known,
                    status: row.get(0)?,
                    assignee_name: row.get::<_, Option<String>>(2)?.filter(|_| assigned_to.is_some()),
                    assigned_to,
                    events: row.get(3)?,
                    users: row.get(4)?,
                })
            })
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(state.unwrap_or_default())
    }

    /// The alert stored as `id` (not a row of the app's own actions).
    pub fn alert(&self, id: i64) -> Result<Option<Recent>, StoreError> {
        Ok(self
            .alerts_where("id = ?1 AND source != ?2", params![id, Source::Action])?
            .pop())
    }

    /// Alerts matching `filter` (a fixed clause of this module) with its `parameters`.
    fn alerts_where(&self, filter: &str, parameters: impl rusqlite::Params) -> Result<Vec<Recent>, StoreError> {
        let conn = self.conn();
        let sql = format!(
            "SELECT id, kind, issue_id, short_id, project, title, web_url, decision, received_at, reasons, level, source, org,
                    account
             FROM alerts WHERE {filter}"
        );
        let mut stmt = conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(parameters, |r| {
                Ok(Recent {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    issue_id: r.get(2)?,
                    short_id: r.get(3)?,
                    project: r.get(4)?,
                    title: r.get(5)?,
                    web_url: r.get(6)?,
                    decision: r.get(7)?,
                    received_at: r.get(8)?,
                    reasons: r
                        .get::<_, Option<String>>(9)?
                        .and_then(|t| serde_json::from_str(&t).ok())
                        .unwrap_or_default(),
                    // Level::parse reads every name Sentry (or an older release) wrote.
                    level: r.get::<_, Option<String>>(10)?.as_deref().and_then(Level::parse),
                    source: r.get(11)?,
                    org: r.get(12)?,
                    account: r.get(13)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Issues of the account `account` the user was notified of since `since` and not yet known
    /// to be resolved or archived: the ones whose state changes elsewhere matter (newest first, at
    /// most `limit`).
    pub fn issues_to_watch(&self, account: &str, since: i64, limit: usize) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT issue_id FROM alerts a
                 WHERE account = ?1 AND notified_at >= ?2 AND kind NOT IN (?4, ?5, ?6, ?7, ?8)
                   AND NOT EXISTS (SELECT 1 FROM alerts b WHERE b.issue_id = a.issue_id AND b.account = a.account
                                   AND b.kind IN (?9, ?10, ?11) AND b.id > a.id)
                 GROUP BY issue_id ORDER BY max(id) DESC LIMIT ?3",
            )
            .map_err(|e| self.err(e))?;
        let [other1, other2, other3, other4, other5] = &Kind::NOT_OF_ISSUES;
        let [closed1, closed2, closed3] = &Kind::CLOSING_ISSUE;
        let parameters = params![
            account,
            since,
            limit as i64,
            other1,
            other2,
            other3,
            other4,
            other5,
            closed1,
            closed2,
            closed3
        ];
        let rows = stmt.query_map(parameters, |r| r.get(0)).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Whether the newest word the app has of the account `account`'s issue `issue_id` (a
    /// webhook, a poll, or Sentry's answer to the user's own action) is that it was resolved or
    /// archived.
    pub fn known_closed(&self, account: &str, issue_id: &str) -> Result<bool, StoreError> {
        let [closed1, closed2, closed3] = &Kind::CLOSING_ISSUE;
        let newest: Option<Kind> = self
            .conn()
            .query_row(
                "SELECT kind FROM alerts WHERE account = ?1 AND issue_id = ?2 AND kind IN (?3, ?4, ?5, ?6, ?7)
                 ORDER BY id DESC LIMIT 1",
                params![
                    account,
                    issue_id,
                    closed1,
                    closed2,
                    closed3,
                    Kind::IssueCreated,
                    Kind::IssueUnresolved
                ],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(newest.is_some_and(|kind| Kind::CLOSING_ISSUE.contains(&kind)))
    }

    /// Gives the rows that name no account (written before alerts knew theirs, or while no
    /// account of their organization was set up) the account of their organization, where exactly
    /// one of `accounts` (`(key, org)`) has it, and keys them as that account's. A row whose new key
    /// another row already has (the same change, told both ways) stays as it was: nothing is lost
    /// or doubled. Answers how many were attributed and how many could not be.
    pub fn attribute_accounts(&self, accounts: &[(String, String)]) -> Result<(usize, usize), StoreError> {
        let conn = self.conn();
        let unattributed: Vec<(i64, Option<String>)> = {
            let mut stmt = conn
                .prepare("SELECT id, org FROM alerts WHERE account IS NULL")
                .map_err(|e| self.err(e))?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(|e| self.err(e))?;
            rows.collect::<Result<_, _>>().map_err(|e| self.err(e))?
        };
        let mut attributed = 0;
        for (id, org) in &unattributed {
            let mut owners = accounts.iter().filter(|(_, o)| Some(o) == org.as_ref());
            let (Some((key, _)), None) = (owners.next(), owners.next()) else {
                continue;
            };
            attributed += conn
                .execute(
                    "UPDATE OR IGNORE alerts SET account = ?2, dedupe_key = ?2 || '#' || dedupe_key WHERE id = ?1",
                    params![id, key],
                )
                .map_err(|e| self.err(e))?;
        }
        Ok((attributed, unattributed.len() - attributed))
    }

    /// Alerts held for the digest and not yet summarized, grouped by project, oldest first.
    pub fn undigested(&self) -> Result<Vec<(String, Vec<Recent>)>, StoreError> {
        let held = self.alerts_where("decision = ?1 AND digested_at IS NULL ORDER BY id", [Deliver::Digest])?;
        let mut groups: Vec<(String, Vec<Recent>)> = Vec::new();
        for alert in held {
            let project = alert.project.clone().unwrap_or_default();
            match groups.iter_mut().find(|(p, _)| *p == project) {
                Some((_, alerts)) => alerts.push(alert),
                None => groups.push((project, vec![alert])),
            }
        }
        Ok(groups)
    }

    pub fn mark_digested(&self, ids: &[i64], at: i64) -> Result<(), StoreError> {
        let conn = self.conn();
        for id in ids {
            conn.execute("UPDATE alerts SET digested_at = ?2 WHERE id = ?1", params![id, at])
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// Alerts notified after `since` (unread since the window was last opened).
    pub fn notified_after(&self, since: i64) -> Result<i64, StoreError> {
        self.conn()
            .query_row("SELECT count(*) FROM alerts WHERE notified_at > ?1", [since], |r| {
                r.get(0)
            })
            .map_err(|e| self.err(e))
    }

    pub fn alert_count(&self) -> Result<i64, StoreError> {
        self.conn()
            .query_row(
                "SELECT count(*) FROM alerts WHERE source != ?1",
                [Source::Action],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn()
            .prepare_cached("SELECT value FROM settings WHERE key = ?1")
            .and_then(|mut s| s.query_row([key], |r| r.get(0)).optional())
            .map_err(|e| self.err(e))
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
                params![key, value],
            )
            .map(drop)
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(key: &str) -> Alert {
        Alert {
            dedupe_key: key.into(),
            source: Source::Webhook,
            kind: Kind::IssueCreated,
            org: Some("acme".into()),
            issue_id: "1".into(),
            short_id: None,
            project: Some("web".into()),
            title: "boom".into(),
            culprit: None,
            level: Some(Level::Error),
            web_url: None,
            payload: "{}".into(),
            ..Alert::default()
        }
    }

    #[test]
    fn a_new_file_is_migrated_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/db.sqlite3");
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let mode: String = store.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        drop(store);
        // Reopening applies nothing twice.
        assert_eq!(Store::open(&path).unwrap().schema_version().unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn the_same_alert_is_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let first = store.insert_alert(&alert("k1"), 1).unwrap();
        assert!(matches!(first, Stored::New(_)));
        let Stored::New(id) = first else { unreachable!() };
        assert_eq!(store.insert_alert(&alert("k1"), 2).unwrap(), Stored::Duplicate(id));
        assert!(matches!(store.insert_alert(&alert("k2"), 3).unwrap(), Stored::New(_)));
        assert_eq!(store.alert_count().unwrap(), 2);
    }

    #[test]
    fn a_decision_is_read_back_as_the_typed_reasons_it_was_stored_with() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let Stored::New(id) = store.insert_alert(&alert("k1"), 1).unwrap() else {
            unreachable!()
        };
        let decision = Decision {
            deliver: Deliver::Digest,
            reasons: vec![
                Reason::Everything { project: "web".into() },
                Reason::QuietHours { until: "07:00".into() },
            ],
        };
        store.set_decision(id, &decision).unwrap();
        let held = store.undigested().unwrap();
        let (project, alerts) = &held[0];
        assert_eq!(project, "web");
        assert_eq!(alerts[0].decision, Some(Deliver::Digest));
        assert_eq!(
            alerts[0].reasons, decision.reasons,
            "the digest sender acts on what they are"
        );
        assert_eq!(
            store.alert(id).unwrap().unwrap().why(),
            ["you follow everything in web", "quiet hours until 07:00"]
        );
        assert_eq!(store.alert(id + 1).unwrap(), None);
    }

    #[test]
    fn a_batch_is_stored_in_one_transaction_and_a_repeat_in_it_is_a_duplicate() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let alert = |key: &str| Alert {
            dedupe_key: key.into(),
            issue_id: key.into(),
            ..Alert::default()
        };
        let (a, b) = (alert("a"), alert("b"));
        let stored = store
            .batches()
            .unwrap()
            .write([(&a, 1), (&b, 1), (&a, 2)], &[])
            .unwrap();
        assert!(
            matches!(stored[..], [Stored::New(x), Stored::New(_), Stored::Duplicate(y)] if x == y),
            "{stored:?}"
        );
        assert_eq!(store.alert_count().unwrap(), 2);
    }

    #[test]
    fn commits_are_durable_unless_asked_otherwise() {
        let dir = tempfile::tempdir().unwrap();
        let synchronous =
            |store: &Store| -> i64 { store.conn().query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap() };
        assert_eq!(synchronous(&Store::open(&dir.path().join("db")).unwrap()), 2, "FULL");
        let relaxed = Store::open_with(&dir.path().join("db"), Synchronous::Normal).unwrap();
        assert_eq!(synchronous(&relaxed), 1, "NORMAL");
    }

    #[test]
    fn a_newer_file_is_refused_with_its_path_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
        assert!(err.to_string().contains(&path.display().to_string()));
        let version: i64 = Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, 99, "the file was changed");
    }

    #[test]
    fn a_corrupt_file_is_refused_with_its_path_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let junk = b"this is not sqlite, just some text that a user saved here by mistake".repeat(100);
        std::fs::write(&path, &junk).unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains(&path.display().to_string()));
        assert_eq!(std::fs::read(&path).unwrap(), junk, "the file was changed");
    }

    #[test]
    fn each_preference_falls_back_on_its_own_and_is_reset_on_its_own() {
        use serde_json::json;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        store
            .set_preference_fields(DEFAULT_PREFERENCES, &[(Field::MinLevel, json!("error"))])
            .unwrap();
        store
            .set_preference_fields("@acme", &[(Field::Audience, json!("owned"))])
            .unwrap();
        store
            .set_preference_fields("web", &[(Field::Enabled, json!(false))])
            .unwrap();
        let (web, from) = store.preferences_from("web", Some("acme")).unwrap();
        assert!(!web.enabled);
        assert_eq!(
            (web.min_level, web.audience),
            (Level::Error, crate::policy::Audience::Owned)
        );
        assert_eq!(from[&Field::Enabled], PreferencesFrom::Own);
        assert_eq!(from[&Field::Audience], PreferencesFrom::Account);
        assert_eq!(from[&Field::MinLevel], PreferencesFrom::Everyone);
        assert_eq!(from[&Field::Sound], PreferencesFrom::BuiltIn);
        // A change of everyone's minimum level reaches the project, which set only "enabled".
        store
            .set_preference_fields(DEFAULT_PREFERENCES, &[(Field::MinLevel, json!("fatal"))])
            .unwrap();
        assert_eq!(store.preferences("web", Some("acme")).unwrap().min_level, Level::Fatal);
        // The account's defaults asked about themselves: their own, then everyone's.
        let (_, acme) = store.preferences_from("@acme", None).unwrap();
        assert_eq!(acme[&Field::Audience], PreferencesFrom::Own);
        assert_eq!(acme[&Field::MinLevel], PreferencesFrom::Everyone);
        store.reset_preferences("web", Some(&[Field::Enabled])).unwrap();
        let (web, from) = store.preferences_from("web", Some("acme")).unwrap();
        assert!(web.enabled);
        assert_eq!(from[&Field::Enabled], PreferencesFrom::BuiltIn);
        assert!(
            !store
                .conn()
                .query_row("SELECT count(*) FROM preferences WHERE project = 'web'", [], |r| r
                    .get::<_, i64>(0)
                    .map(|n| n > 0))
                .unwrap(),
            "an empty row is removed"
        );
        // A damaged row is named, whichever project reads through it.
        store
            .conn()
            .execute(
                "UPDATE preferences SET value = '{\"min_level\": 7}' WHERE project = '@acme'",
                [],
            )
            .unwrap();
        let err = store.preferences("web", Some("acme")).unwrap_err().to_string();
        assert!(err.contains("@acme"), "{err}");
    }

    #[test]
    fn preferences_fall_back_to_the_account_then_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        assert_eq!(store.preferences("web", None).unwrap(), Preferences::default());
        let mut defaults = Preferences::default();
        defaults.set("min_level", "error").unwrap();
        store.set_preferences(DEFAULT_PREFERENCES, &defaults).unwrap();
        let mut web = defaults.clone();
        web.set("enabled", "off").unwrap();
        store.set_preferences("web", &web).unwrap();
        assert_eq!(store.preferences("web", Some("acme")).unwrap(), web);
        assert_eq!(store.preferences("api", Some("acme")).unwrap(), defaults);
        // An account's defaults stand between a project's own and everyone's.
        let mut acme = defaults.clone();
        acme.set("min_level", "fatal").unwrap();
        store.set_preferences("@acme", &acme).unwrap();
        assert_eq!(store.preferences("api", Some("acme")).unwrap(), acme);
        assert_eq!(store.preferences("api", Some("globex")).unwrap(), defaults);
        assert_eq!(store.preferences("web", Some("acme")).unwrap(), web);
    }
}
