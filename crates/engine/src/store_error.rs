//! What went wrong with the database, told apart so that the advice fits: a read-only or full
//! disk, or a file of another user, is not a damaged database and must not be moved away.

use std::io;
use std::path::{Path, PathBuf};

use rusqlite::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data folder {path}: {cause}")]
    CreateDir { path: PathBuf, cause: io::Error },
    #[error(
        "cannot write in {path}: the file system is read-only. Make it writable (remount it), or set SENTRY_TRAY_DATA_DIR to a writable folder; the database itself is not damaged"
    )]
    ReadOnly { path: PathBuf },
    #[error(
        "the disk holding {path} is full: free some space and try again; what was stored is kept and the database is not damaged"
    )]
    Full { path: PathBuf },
    #[error(
        "permission denied for {path}: it belongs to another user or its permissions forbid yours. Give it back to your user (chown), or set SENTRY_TRAY_DATA_DIR to a folder of your own; the database is not damaged"
    )]
    Denied { path: PathBuf },
    #[error(
        "the database {path} is locked by another process (another Sentry Tray under another name, or a tool holding it open): close that one and try again"
    )]
    Locked { path: PathBuf },
    #[error(
        "the database {path} was written by a newer Sentry Tray (schema {found}, this build knows {supported}); update the app, or move the file away to start afresh"
    )]
    TooNew { path: PathBuf, found: i64, supported: i64 },
    #[error(
        "the database {path} is damaged or not a Sentry Tray database ({detail}); move it away to start afresh, nothing was changed"
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error("the preferences stored for {project} in {path} cannot be read ({detail}); set them again")]
    BadPreferences {
        path: PathBuf,
        project: String,
        detail: String,
    },
    #[error("cannot use {path}: {cause}")]
    Io { path: PathBuf, cause: io::Error },
    #[error("database error in {path}: {cause}")]
    Sql { path: PathBuf, cause: rusqlite::Error },
}

impl StoreError {
    /// An operating-system error on `path`, by its kind.
    pub(crate) fn io(path: &Path, cause: io::Error) -> StoreError {
        let path = path.to_path_buf();
        match cause.kind() {
            io::ErrorKind::ReadOnlyFilesystem => StoreError::ReadOnly { path },
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => StoreError::Full { path },
            io::ErrorKind::PermissionDenied => StoreError::Denied { path },
            _ => StoreError::Io { path, cause },
        }
    }

    /// SQLite's error on the database at `path`, by its code. A file SQLite cannot open is
    /// looked at again, as the operating system says why.
    pub(crate) fn sql(path: &Path, cause: rusqlite::Error) -> StoreError {
        let owned = || path.to_path_buf();
        match cause.sqlite_error_code() {
            Some(ErrorCode::ReadOnly) => match diagnose(path) {
                Some(found) => found,
                None => StoreError::ReadOnly { path: owned() },
            },
            Some(ErrorCode::DiskFull) => StoreError::Full { path: owned() },
            Some(ErrorCode::PermissionDenied) => StoreError::Denied { path: owned() },
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked { path: owned() },
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
                path: owned(),
                detail: cause.to_string(),
            },
            Some(ErrorCode::CannotOpen | ErrorCode::SystemIoFailure) => {
                diagnose(path).unwrap_or(StoreError::Sql { path: owned(), cause })
            }
            _ => StoreError::Sql { path: owned(), cause },
        }
    }
}

/// Why the database or its folder cannot be written, as the operating system says: the file
/// opened for writing, then a page's worth written in a scratch file beside it.
fn diagnose(path: &Path) -> Option<StoreError> {
    if let Err(e) = std::fs::OpenOptions::new().read(true).write(true).open(path)
        && e.kind() != io::ErrorKind::NotFound
    {
        return Some(StoreError::io(path, e));
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty())?;
    let probe = dir.join(".sentry-tray-write-check");
    let written = crate::private::create_file(&probe).and_then(|()| {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new().write(true).open(&probe)?;
        file.write_all(&[0; 8192])
    });
    let _ = std::fs::remove_file(&probe);
    written.err().map(|e| StoreError::io(dir, e))
}
