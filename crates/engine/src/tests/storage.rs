//! The data folder on a shared machine and on a bad day: private to its user, and every way
//! it can fail told apart (read-only, full, locked, newer, damaged), each with its own advice.
//! The read-only and full cases run on small tmpfs mounts (this needs root, as the test
//! machines are; elsewhere they fail saying so, they are not skipped).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::alert::Alert;
use crate::store::{Store, StoreError};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

fn alert(id: &str) -> Alert {
    Alert {
        dedupe_key: format!("issue:{id}"),
        issue_id: id.into(),
        title: format!("Error {id}"),
        ..Alert::default()
    }
}

#[test]
fn a_new_data_folder_and_its_files_are_private_whatever_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let path = data.join("sentry-tray.sqlite3");
    let store = Store::open(&path).unwrap();
    store.insert_alert(&alert("1"), 0).unwrap();
    assert_eq!(mode(&data), 0o700);
    for suffix in ["", "-wal", "-shm"] {
        assert_eq!(mode(&with_suffix(&path, suffix)), 0o600, "the database{suffix}");
    }
}

#[test]
fn files_an_older_version_left_readable_by_everyone_are_made_private() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let path = data.join("sentry-tray.sqlite3");
    std::fs::copy("../../testdata/fixtures/release-9dc7468.sqlite3", &path).unwrap();
    // The old release, still running: its WAL and SHM files are there too.
    let old = Connection::open(&path).unwrap();
    old.pragma_update(None, "journal_mode", "WAL").unwrap();
    old.execute_batch("CREATE TABLE IF NOT EXISTS scratch (x); INSERT INTO scratch VALUES (1);")
        .unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    for suffix in ["", "-wal", "-shm"] {
        std::fs::set_permissions(with_suffix(&path, suffix), std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    drop(Store::open(&path).unwrap());
    assert_eq!(mode(&data), 0o700);
    for suffix in ["", "-wal", "-shm"] {
        assert_eq!(mode(&with_suffix(&path, suffix)), 0o600, "the database{suffix}");
    }
    drop(old);
}

/// A small tmpfs mounted for one test, unmounted after it.
struct Mount(tempfile::TempDir);

impl Mount {
    fn tmpfs(size: &str) -> Mount {
        let dir = tempfile::tempdir().unwrap();
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700"), "tmpfs"])
            .arg(dir.path())
            .output()
            .expect("mount(8)");
        assert!(
            out.status.success(),
            "THIS CASE DID NOT RUN: it needs a small tmpfs, and mounting one failed (run the tests as root, \
             as scripts/test does on the test machines): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Mount(dir)
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    fn read_only(&self) {
        let out = std::process::Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(self.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }

    /// Fills the file system to its last byte.
    fn fill(&self) {
        use std::io::Write;
        let mut file = std::fs::File::create(self.path().join("filler")).unwrap();
        let block = vec![0u8; 4096];
        while file.write_all(&block).is_ok() {}
        while file.write_all(&block[..1]).is_ok() {}
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg("-l").arg(self.path()).status();
    }
}

fn assert_not_called_damaged(err: &StoreError) {
    let text = err.to_string();
    assert!(
        !text.contains("damaged or not"),
        "a healthy file called damaged: {text}"
    );
    assert!(
        !text.contains("move it away"),
        "advice that could lose a healthy file: {text}"
    );
}

#[test]
fn a_read_only_data_folder_is_said_to_be_read_only_not_damaged() {
    let mount = Mount::tmpfs("4m");
    let path = mount.path().join("data").join("sentry-tray.sqlite3");
    let store = Store::open(&path).unwrap();
    store.insert_alert(&alert("1"), 0).unwrap();
    drop(store);
    mount.read_only();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly { .. }), "{err}");
    assert!(err.to_string().contains("read-only"), "{err}");
    assert_not_called_damaged(&err);
}

#[test]
fn a_full_disk_is_said_to_be_full_at_start_and_while_storing() {
    // At start: a new database on a full disk.
    let mount = Mount::tmpfs("1m");
    mount.fill();
    let err = Store::open(&mount.path().join("data").join("sentry-tray.sqlite3")).unwrap_err();
    assert!(matches!(err, StoreError::Full { .. }), "{err}");
    assert_not_called_damaged(&err);

    // While running: the disk fills under a working database; what was stored stays.
    let mount = Mount::tmpfs("2m");
    let path = mount.path().join("sentry-tray.sqlite3");
    let store = Store::open(&path).unwrap();
    store.insert_alert(&alert("1"), 0).unwrap();
    mount.fill();
    let big = Alert {
        payload: "x".repeat(256 * 1024),
        ..alert("2")
    };
    let err = store.insert_alert(&big, 0).unwrap_err();
    assert!(matches!(err, StoreError::Full { .. }), "{err}");
    assert!(err.to_string().contains("is full"), "{err}");
    assert_eq!(store.alert_count().unwrap(), 1, "the stored alert is kept");
}

#[test]
fn a_database_another_process_holds_locked_is_said_to_be_locked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sentry-tray.sqlite3");
    drop(Store::open(&path).unwrap());
    let holder = Connection::open(&path).unwrap();
    holder.pragma_update(None, "locking_mode", "EXCLUSIVE").unwrap();
    holder
        .execute_batch("BEGIN EXCLUSIVE; CREATE TABLE held (x); COMMIT;")
        .unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err}");
    assert!(err.to_string().contains("locked by another process"), "{err}");
    assert_not_called_damaged(&err);
}

/// A burst of webhooks would grow the WAL by every alert's pages if nothing copied them into the
/// database meanwhile: the checkpoints beside the writer keep it to a few megabytes, and what
/// the burst stored is in the database file itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_webhooks_leaves_a_small_wal_and_its_alerts_in_the_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let store = Store::open_with(&path, crate::settings::Synchronous::Normal).unwrap();
    let writer = crate::writer::Writer::start(store.clone(), std::sync::Arc::new(|_| None)).unwrap();
    let body = "x".repeat(4096);
    let mut tasks = Vec::new();
    for task in 0..32 {
        let (writer, body) = (writer.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..200 {
                let alert = Alert {
                    payload: body.clone(),
                    ..alert(&format!("{task}-{i}"))
                };
                writer.store(alert, None, 0).await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(store.alert_count().unwrap(), 6_400);
    let size = |suffix: &str| std::fs::metadata(with_suffix(&path, suffix)).unwrap().len();
    // 6,400 bodies of 4 KiB are over 25 MiB; the WAL restarts after about 16 MiB.
    assert!(size("-wal") < 24 << 20, "the WAL grew to {} bytes", size("-wal"));
    assert!(size("") > 25 << 20, "the database file has {} bytes", size(""));
}
